#!/usr/bin/env python3
"""`qftp record` beside socat relaying the same bytes between the same kind of endpoints.

The module is the master of a pty pair made here (its slave is the relay's device); the
host is a pty the relay makes (`qftp record --pty PATH`, `socat PTY,link=PATH`). The
same seeded random bytes (every byte value) are pushed host->module, module->host and
both ways at once, and checked byte for byte at the far end; qftp record also writes
all of them into its capture, socat records nothing. Then a ping-pong of small writes
gives the round-trip time through each relay and through one pty pair with no relay.
Prints MB/s (10^6 bytes per second) per direction, medians over the repeats.

usage: bench/record_throughput.py [QFTP_BIN] [--mb N] [--repeat N] [--pings N]
"""
import hashlib
import os
import random
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
args = [a for a in sys.argv[1:] if not a.startswith("--")]


def opt(name, default):
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


QFTP = next((a for a in args if not a.isdigit()), None) or os.environ.get("QFTP_BIN") or \
    os.path.join(HERE, "..", "build", "qftp")
MB = opt("--mb", 100)
REPEAT = opt("--repeat", 3)
PINGS = opt("--pings", 1000)
SOCAT = shutil.which("socat")
if not SOCAT:
    sys.exit("socat is not installed: apt-get install -y socat (scripts/install-deps.sh)")

tmp = tempfile.mkdtemp(prefix="qftp-bench-record-")
SIZE = MB * 1000 * 1000
UP = bytes(range(256)) + random.Random(1).randbytes(SIZE - 256)
DOWN = bytes(range(256))[::-1] + random.Random(2).randbytes(SIZE - 256)
SHA = {id(UP): hashlib.sha256(UP).hexdigest(), id(DOWN): hashlib.sha256(DOWN).hexdigest()}


def module_pty():
    m, s = os.openpty()
    tty.setraw(s)
    name = os.ttyname(s)
    os.close(s)
    return m, name


class Relay:
    """One relay between a new host pty at PATH and the module pty's slave."""

    def __init__(self, tool, dev):
        self.link = os.path.join(tmp, f"{tool}.pty")
        self.cap = os.path.join(tmp, "bench.pcap")
        if tool == "qftp":
            cmd = [QFTP, "record", "-q", "--device", dev, "--pty", self.link, "-w", self.cap]
        else:
            cmd = [SOCAT, "-b65536", f"PTY,link={self.link},raw,echo=0", f"{dev},raw,echo=0"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if tool == "qftp":
            self.proc.stdout.readline()
        t0 = time.monotonic()
        while not os.path.exists(self.link):
            if time.monotonic() - t0 > 10 or self.proc.poll() is not None:
                raise RuntimeError(f"{tool} did not start: {self.proc.stderr.read().decode()}")
            time.sleep(0.01)
        self.host = os.open(self.link, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.host)

    def close(self):
        os.close(self.host)
        self.proc.send_signal(signal.SIGINT)
        try:
            rc = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        if os.path.exists(self.cap):
            os.unlink(self.cap)
        return rc


def send(fd, data):
    mv = memoryview(data)
    while len(mv):
        mv = mv[os.write(fd, mv[: 1 << 20]):]


def receive(fd, data):
    """Reads len(data) bytes; returns the monotonic time of the last, or raises."""
    h, got, n = hashlib.sha256(), 0, len(data)
    while got < n:
        r, _, _ = select.select([fd], [], [], 30)
        if not r:
            break
        b = os.read(fd, 1 << 20)
        h.update(b)
        got += len(b)
    if got != n or h.hexdigest() != SHA[id(data)]:
        raise SystemExit(f"bytes differ at the far end ({got} of {n} bytes)")
    return time.monotonic()


def worker(fn, *a):
    """fn(*a) in a process of its own (no GIL shared between the four ends); a pipe
    brings back its result."""
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        code = 0
        try:
            os.write(wr, repr(fn(*a)).encode())
        except BaseException as ex:  # noqa: B036 - the child must never return
            os.write(wr, repr(str(ex)).encode())
            code = 1
        os._exit(code)
    os.close(wr)
    return pid, rd


def result(job):
    pid, rd = job
    out = b""
    while True:
        b = os.read(rd, 4096)
        if not b:
            break
        out += b
    os.close(rd)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        sys.exit(f"a bench process failed: {out.decode()}")
    return eval(out)


def transfer(relay, module, up, down):
    """Returns the seconds each direction took, started together."""
    t0 = time.monotonic()
    jobs = {}
    if up:
        jobs["up"] = worker(receive, module, UP)
        jobs["up-send"] = worker(send, relay.host, UP)
    if down:
        jobs["down"] = worker(receive, relay.host, DOWN)
        jobs["down-send"] = worker(send, module, DOWN)
    ends = {k: result(j) for k, j in jobs.items()}
    return {k: ends[k] - t0 for k in ("up", "down") if k in ends}


def ping_pong(a, b, n=PINGS, size=16):
    """Round trips: size bytes a -> b, then size bytes b -> a. Returns microseconds each."""
    msg, out = b"p" * size, []
    for _ in range(n):
        t0 = time.perf_counter_ns()
        for src, dst in ((a, b), (b, a)):
            os.write(src, msg)
            got = 0
            while got < size:
                got += len(os.read(dst, size - got))
        out.append((time.perf_counter_ns() - t0) / 1000)
    return out


def one_run(tool, rates, rtts):
    module, dev = module_pty()
    r = Relay(tool, dev)
    try:
        rates["up"].append(SIZE / transfer(r, module, True, False)["up"] / 1e6)
        rates["down"].append(SIZE / transfer(r, module, False, True)["down"] / 1e6)
        t = transfer(r, module, True, True)
        rates["both-up"].append(SIZE / t["up"] / 1e6)
        rates["both-down"].append(SIZE / t["down"] / 1e6)
        rtts += ping_pong(r.host, module)
    finally:
        rc = r.close()
        os.close(module)
    if rc != (0 if tool == "qftp" else 128 + signal.SIGINT):  # socat exits 130 on SIGINT
        sys.exit(f"{tool} exited {rc}")


def direct_rtt(rtts):
    m, s = os.openpty()
    tty.setraw(s)
    try:
        rtts += ping_pong(s, m)
    finally:
        os.close(m)
        os.close(s)


ver = subprocess.run([SOCAT, "-V"], capture_output=True, text=True).stdout.splitlines()
ver = next((ln for ln in ver if "socat version" in ln), "socat").strip()
print(f"{MB} MB per direction, median of {REPEAT} runs; {os.cpu_count()} CPUs; {ver}")
TOOLS = ("qftp", "socat")
rates = {t: {"up": [], "down": [], "both-up": [], "both-down": []} for t in TOOLS}
rtts = {t: [] for t in TOOLS + ("direct",)}
for _ in range(REPEAT):  # the tools take turns, so that a slower period hits both
    for tool in TOOLS:
        one_run(tool, rates[tool], rtts[tool])
    direct_rtt(rtts["direct"])
q = {k: statistics.median(v) for k, v in rates["qftp"].items()}
s = {k: statistics.median(v) for k, v in rates["socat"].items()}
print(f"{'MB/s':<28}{'qftp record':>12}{'socat':>12}{'ratio':>8}")
for key, label in [("up", "host->module alone"), ("down", "module->host alone"),
                   ("both-up", "both at once: host->module"), ("both-down", "both at once: module->host")]:
    print(f"{label:<28}{q[key]:>12.1f}{s[key]:>12.1f}{q[key] / s[key]:>8.2f}")
print(f"round trip of 16 bytes each way, {PINGS} x {REPEAT} times (median / p99 microseconds):")
med = {}
for key, label in [("direct", "one pty pair, no relay"), ("qftp", "through qftp record"),
                   ("socat", "through socat")]:
    v = sorted(rtts[key])
    med[key] = statistics.median(v)
    print(f"  {label:<26}{med[key]:>8.1f} /{v[int(0.99 * (len(v) - 1))]:>8.1f}")
print(f"added by the relay (a second pty pair and two relayed writes): qftp record "
      f"{med['qftp'] - med['direct']:.1f} us, socat {med['socat'] - med['direct']:.1f} us")
worst = min(q[k] / s[k] for k in q)
print("qftp record is at least as fast as socat" if worst >= 1.0 else
      f"qftp record is SLOWER than socat (worst ratio {worst:.2f})")
shutil.rmtree(tmp, ignore_errors=True)
