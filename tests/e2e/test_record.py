"""`qftp record`: a relay that loses no byte and records both ways (docs/record.md).

Real processes, real ptys, real TCP: a Python "module" (a TCP peer or the master of a
pty pair whose slave is --device, or `qftp sim`) and a Python "host" on the other side.
The captures are read back with a pcap parser written here from docs/capture-format.md,
so the test does not trust the library that wrote them.
"""
import errno
import fcntl
import hashlib
import os
import random
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import tty

from qftptest import QFTP, case, done, run, src

sys.path.insert(0, src("simulator", "tools"))
from simclient import FINAL, Sim  # noqa: E402

TMP = tempfile.mkdtemp(prefix="qftp-test-record-")


def tmp(name):
    return os.path.join(TMP, name)


# ---- reading a capture without libqftp -------------------------------------------------

class Capture:
    """The frames of a qftp capture: (ts_ns, dir, memoryview of the payload).
    cut: the file ends inside a record (tolerated only when asked)."""

    def __init__(self, path, allow_cut=False):
        self.raw = open(path, "rb").read()
        b = self.raw
        if len(b) < 24:
            raise AssertionError(f"{path}: {len(b)} bytes, no pcap header")
        e = {b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}.get(b[:4])
        assert e, f"{path}: magic {b[:4].hex()} is not nanosecond pcap"
        assert struct.unpack_from(e + "I", b, 20)[0] == 252, "link type"
        self.frames, self.cut = [], False
        mv, off = memoryview(b), 24
        while off < len(b):
            if off + 16 > len(b):
                self.cut = True
                break
            sec, nsec, caplen, origlen = struct.unpack_from(e + "IIII", b, off)
            assert caplen == origlen and caplen <= 262144, (off, caplen, origlen)
            if off + 16 + caplen > len(b):
                self.cut = True
                break
            at, end, d = off + 16, off + 16 + caplen, None
            while True:
                tag, ln = struct.unpack_from(">HH", b, at)
                if tag == 35:
                    d = struct.unpack_from(">i", b, at + 4)[0]
                elif tag == 12:
                    assert b[at + 4:at + 4 + ln] == b"qftp"
                at += 4 + ln
                if tag == 0:
                    break
            assert d in (0, 1), f"frame at {off}: direction {d}"
            self.frames.append((sec * 10**9 + nsec, d, mv[at:end]))
            off = end
        if self.cut and not allow_cut:
            raise AssertionError(f"{path}: ends inside a record")

    def stream(self, d):
        return b"".join(bytes(p) for _, dd, p in self.frames if dd == d)

    def digest(self, d):
        h, n = hashlib.sha256(), 0
        for _, dd, p in self.frames:
            if dd == d:
                h.update(p)
                n += len(p)
        return n, h.hexdigest()


TX, RX = 0, 1


# ---- the processes ------------------------------------------------------------------------

class Recorder:
    """`qftp record ARGS`; waits for its "listening on" line."""

    def __init__(self, *args, listening=True, **kw):
        self.errlog = open(tmp(f"stderr-{time.monotonic_ns()}"), "wb+")
        self.proc = subprocess.Popen([QFTP, "record", *args], stdout=kw.pop("stdout", subprocess.PIPE),
                                     stderr=self.errlog, **kw)
        self.port = self.pty = None
        if listening:
            line = self.proc.stdout.readline().decode()
            m = re.search(r"listening on (?:pty (\S+) \((/dev/pts/\d+)\)|127\.0\.0\.1:(\d+))$", line.strip())
            if not m:
                self.proc.wait(5)
                raise RuntimeError(f"qftp record did not start: {line!r} {self.stderr()}")
            self.pty, self.slave, self.port = m.group(1), m.group(2), m.group(3) and int(m.group(3))

    def stderr(self):
        self.errlog.flush()
        self.errlog.seek(0)
        return self.errlog.read().decode(errors="replace")

    def wait(self, timeout=30):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("qftp record did not end; stderr: " + self.stderr())

    def stop(self, sig=signal.SIGINT, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait(timeout)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.errlog.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


class TcpModule:
    """A TCP peer standing for the module (what ser2net would be): --device tcp:..."""

    def __init__(self):
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(1)
        self.spec = f"tcp:127.0.0.1:{self.ls.getsockname()[1]}"
        self.sock = None

    def accept(self):
        self.ls.settimeout(10)
        self.sock, _ = self.ls.accept()
        self.ls.close()
        return self.sock

    def __enter__(self):
        return self

    def __exit__(self, *a):
        for s in (self.sock, self.ls):
            if s:
                s.close()


def raw_open(path):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    return fd


def pty_module():
    """A pty pair standing for the module: (master fd, slave path). The slave is --device."""
    m, s = os.openpty()
    tty.setraw(s)
    name = os.ttyname(s)
    os.close(s)
    return m, name


class Host(Sim):
    """simclient's AT client (at, expect, ...) on the recorder's --listen port."""

    def __init__(self, port):
        self.port, self.sock, self.buf = port, None, b""
        self.connect()


def tcp_host(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


# ---- moving bytes from Python -----------------------------------------------------------

def _send(end, data, chunk=1 << 20):
    mv = memoryview(data)
    for i in range(0, len(mv), chunk):
        if isinstance(end, socket.socket):
            end.sendall(mv[i:i + chunk])
        else:
            part = mv[i:i + chunk]
            while len(part):
                part = part[os.write(end, part):]


def _recv(end, n=None, keep=False, timeout=60):
    """Reads n bytes (or to EOF / reset). Returns (count, sha256, bytes or None)."""
    h, got, kept = hashlib.sha256(), 0, bytearray()
    deadline = time.monotonic() + timeout
    while n is None or got < n:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        if isinstance(end, socket.socket):
            end.settimeout(left)
            try:
                b = end.recv(1 << 20)
            except socket.timeout:
                break
            except ConnectionResetError:
                b = b""
        else:
            r, _, _ = select.select([end], [], [], left)
            if not r:
                break
            try:
                b = os.read(end, 1 << 20)
            except OSError as ex:
                if ex.errno != errno.EIO:
                    raise
                b = b""
        if not b:
            break
        h.update(b)
        got += len(b)
        if keep:
            kept += b
    return got, h.hexdigest(), bytes(kept) if keep else None


class Pump(threading.Thread):
    def __init__(self, fn, *a, **kw):
        super().__init__(daemon=True)
        self.fn, self.a, self.kw, self.result, self.error = fn, a, kw, None, None
        self.start()

    def run(self):
        try:
            self.result = self.fn(*self.a, **self.kw)
        except Exception as ex:  # reported by get()
            self.error = ex

    def get(self, timeout=120):
        self.join(timeout)
        if self.is_alive():
            raise AssertionError(f"{self.fn.__name__} still running")
        if self.error:
            raise self.error
        return self.result


def payload(n, seed):
    """n seeded random bytes that start with every byte value (0x03, 0x0d, 0x11, 0x13, 0x7f ...)."""
    head = bytes(range(256)) * 4
    return head + random.Random(seed).randbytes(n - len(head))


def sha(b):
    return hashlib.sha256(b).hexdigest()


def both_ways(host, module, size, seed):
    """size bytes each way at once, at full speed; checks both ends byte for byte."""
    up, down = payload(size, seed), payload(size, seed + 1)
    t0 = time.monotonic()
    rs = [Pump(_recv, module, size), Pump(_recv, host, size)]
    ss = [Pump(_send, host, up), Pump(_send, module, down)]
    for s in ss:
        s.get()
    got_up, got_down = rs[0].get(), rs[1].get()
    secs = time.monotonic() - t0
    assert got_up == (size, sha(up), None), f"module got {got_up[0]} of {size} bytes, or other bytes"
    assert got_down == (size, sha(down), None), f"host got {got_down[0]} of {size} bytes, or other bytes"
    return (size, sha(up)), (size, sha(down)), secs


# ---- the cases ----------------------------------------------------------------------------

def bulk_tcp():
    """100 MB each way at once through --listen and --device tcp: (the issue's test)."""
    size = 100 << 20
    cap = tmp("bulk-tcp.pcap")
    with TcpModule() as mod, Recorder("--device", mod.spec, "--listen", "127.0.0.1:0", "-w", cap) as rec:
        module = mod.accept()
        host = tcp_host(rec.port)
        up, down, secs = both_ways(host, module, size, 100)
        assert rec.stop() == 0, rec.stderr()
        host.close()
        c = Capture(cap)
        assert c.digest(TX) == up, "host->module bytes in the capture differ"
        assert c.digest(RX) == down, "module->host bytes in the capture differ"
        ts = [t for t, _, _ in c.frames]
        assert ts == sorted(ts), "timestamps go backwards"
        assert abs(ts[0] / 1e9 - time.time()) < 120, "timestamps are not the wall clock"
        print(f"# 100 MB each way through tcp in {secs:.2f} s ({2 * size / secs / 1e6:.0f} MB/s in total), "
              f"{len(c.frames)} frames")


def bulk_pty():
    """20 MB each way at once, pty to pty: raw mode both sides, every byte value intact."""
    size = 20 << 20
    cap = tmp("bulk-pty.pcap")
    m, slave = pty_module()
    link = tmp("bulk.pty")
    try:
        with Recorder("--device", slave, "--pty", link, "-w", cap) as rec:
            assert rec.pty == link and os.readlink(link) == rec.slave
            host = raw_open(link)
            up, down, secs = both_ways(host, m, size, 200)
            assert rec.stop() == 0, rec.stderr()
            os.close(host)
            assert not os.path.lexists(link), "the --pty link is left behind"
            c = Capture(cap)
            assert c.digest(TX) == up and c.digest(RX) == down, "capture differs from what was relayed"
            print(f"# 20 MB each way pty to pty in {secs:.2f} s, {len(c.frames)} frames")
    finally:
        os.close(m)


def flush_while_running():
    cap = tmp("flush.pcap")
    with TcpModule() as mod, Recorder("--device", mod.spec, "--listen", "127.0.0.1:0", "-w", cap) as rec:
        module = mod.accept()
        host = tcp_host(rec.port)
        host.sendall(b"AT+QFTPSTAT\r")
        assert _recv(module, 12, keep=True, timeout=10)[2] == b"AT+QFTPSTAT\r"
        answer = b"\r\n+QFTPSTAT: 0,4\r\n\r\nOK\r\n"
        module.sendall(answer)
        assert _recv(host, len(answer), keep=True, timeout=10)[2] == answer
        t0 = time.monotonic()
        while True:
            c = Capture(tmp("flush.pcap"), allow_cut=True)
            if c.stream(TX) == b"AT+QFTPSTAT\r" and c.stream(RX) == answer:
                break
            assert time.monotonic() - t0 < 2, "the frames were not on disk within 2 s"
            time.sleep(0.05)
        assert rec.proc.poll() is None
        assert rec.stop() == 0


def text_traffic(end, line, stop):
    """Writes line every millisecond until stop is set or the other side goes."""
    try:
        while not stop.is_set():
            if isinstance(end, socket.socket):
                end.sendall(line)
            else:
                os.write(end, line)
            time.sleep(0.001)
    except OSError:
        pass


def sigint_mid_traffic():
    cap = tmp("sigint.pcap")
    with TcpModule() as mod, Recorder("--device", mod.spec, "--listen", "127.0.0.1:0", "-w", cap) as rec:
        module = mod.accept()
        host = tcp_host(rec.port)
        stop = threading.Event()
        rs = [Pump(_recv, module, keep=True, timeout=20), Pump(_recv, host, keep=True, timeout=20)]
        ss = [Pump(text_traffic, host, b"AT+QFTPSTAT\r", stop),
              Pump(text_traffic, module, b"\r\n+QFTPSTAT: 0,4\r\n\r\nOK\r\n", stop)]
        time.sleep(1.0)
        rc = rec.stop(signal.SIGINT)
        stop.set()
        for s in ss:
            s.get()
        at_module, at_host = rs[0].get()[2], rs[1].get()[2]
        assert rc == 0, rec.stderr()
        assert re.search(r"\d+ frames; host->module \d+ bytes, module->host \d+ bytes", rec.stderr()), rec.stderr()
        p = run("show", cap)
        assert p.returncode == 0, p.stderr
        c = Capture(cap)
        assert len(at_module) > 1000 and len(at_host) > 1000, (len(at_module), len(at_host))
        # what reached each end is in the capture, and what the capture holds reached it
        assert c.stream(TX) == at_module, (len(c.stream(TX)), len(at_module))
        assert c.stream(RX) == at_host, (len(c.stream(RX)), len(at_host))


def sigkill():
    cap = tmp("kill.pcap")
    with TcpModule() as mod, Recorder("--device", mod.spec, "--listen", "127.0.0.1:0", "-w", cap) as rec:
        module = mod.accept()
        host = tcp_host(rec.port)
        early_up, early_down = payload(300000, 7), payload(200000, 8)
        both = [Pump(_recv, module, len(early_up)), Pump(_recv, host, len(early_down))]
        host.sendall(early_up)
        module.sendall(early_down)
        assert [p.get()[0] for p in both] == [len(early_up), len(early_down)]
        time.sleep(1.2)
        stop = threading.Event()
        rs = [Pump(_recv, module, timeout=5), Pump(_recv, host, timeout=5)]
        ss = [Pump(text_traffic, host, b"AT\r" * 100, stop), Pump(text_traffic, module, b"\r\nOK\r\n" * 100, stop)]
        time.sleep(0.3)
        rec.proc.kill()
        rec.wait()
        stop.set()
        for p in ss + rs:
            p.get()
        c = Capture(cap, allow_cut=True)
        assert c.stream(TX).startswith(early_up), "bytes flushed before the kill are missing (host->module)"
        assert c.stream(RX).startswith(early_down), "bytes flushed before the kill are missing (module->host)"
        print(f"# after SIGKILL: {len(c.frames)} whole frames, last record cut: {c.cut}")


def device_gone_tcp():
    cap = tmp("gone-tcp.pcap")
    with TcpModule() as mod, Recorder("--device", mod.spec, "--listen", "127.0.0.1:0", "-w", cap) as rec:
        module = mod.accept()
        host = tcp_host(rec.port)
        host.sendall(b"AT+QFTPGET=\"f\",\"COM:\"\r")
        assert _recv(module, 22)[0] == 22
        last = b"\r\nCONNECT\r\n" + payload(1 << 20, 9)  # the module's last megabyte, then it is gone
        r = Pump(_recv, host, keep=True, timeout=20)
        module.sendall(last)
        module.close()
        assert rec.wait() == 3, rec.stderr()
        assert r.get()[2] == last, "the host did not get everything the module sent before it went"
        err = rec.stderr()
        assert f"device {mod.spec} went away" in err, err
        assert run("show", cap).returncode == 0
        c = Capture(cap)
        assert c.stream(TX) == b"AT+QFTPGET=\"f\",\"COM:\"\r"
        assert c.stream(RX) == last


def device_gone_pty():
    cap = tmp("gone-pty.pcap")
    m, slave = pty_module()
    link = tmp("gone.pty")
    with Recorder("--device", slave, "--pty", link, "-w", cap) as rec:
        host = raw_open(link)
        os.write(host, b"ATI\r")
        assert _recv(m, 4, keep=True)[2] == b"ATI\r"
        answer = b"ATI\r\r\nQuectel\r\nBG96\r\n"
        os.write(m, answer)
        assert _recv(host, len(answer), keep=True, timeout=10)[2] == answer
        os.close(m)  # the module's USB port vanishes
        assert rec.wait() == 3, rec.stderr()
        assert f"device {slave} went away" in rec.stderr(), rec.stderr()
        assert not os.path.lexists(link)
        os.close(host)
        c = Capture(cap)
        assert c.stream(TX) == b"ATI\r" and c.stream(RX) == answer


def sim_session():
    """A real session: the host talks to `qftp sim` through the recorder; `qftp show` of the
    capture decodes it as the BG96 manual describes."""
    cap = tmp("session.pcap")
    with Sim("bg96", connect=False) as sim, \
            Recorder("--device", f"tcp:127.0.0.1:{sim.port}", "--listen", "127.0.0.1:0", "-w", cap) as rec:
        host = Host(rec.port)
        answers = {c: host.at(c) for c in ["AT", "ATI", 'AT+QFTPCFG="contextid",1',
                                           'AT+QFTPCFG="account","test","test"', "AT+QFTPSTAT",
                                           'AT+QFTPCFG="contextid",17']}
        assert rec.stop() == 0, rec.stderr()
    assert answers["AT"] == b"AT\r\r\nOK\r\n"
    assert answers["AT+QFTPSTAT"] == b"AT+QFTPSTAT\r\r\n+QFTPSTAT: 0,4\r\n\r\nOK\r\n"  # 4: closed (2.17)
    p = run("show", cap)
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode()
    for want in ["dialect bg96", "AT\n", "ATI", "Quectel", "BG96", 'AT+QFTPCFG="contextid",1',
                 "PDP context ID", 'AT+QFTPCFG="account","test","test"', "+QFTPSTAT: 0,4",
                 'AT+QFTPCFG="contextid",17', "+CME ERROR"]:
        assert want in out, f"{want!r} not in:\n{out}"
    import json
    js = json.loads(run("show", "--json", cap, check=True).stdout)
    lines = [(t["line"], t["final"]) for t in js["transactions"]]
    assert [ln for ln, _ in lines] == ["AT", "ATI", 'AT+QFTPCFG="contextid",1',
                                       'AT+QFTPCFG="account","test","test"', "AT+QFTPSTAT",
                                       'AT+QFTPCFG="contextid",17'], lines
    assert [f for _, f in lines[:5]] == ["OK"] * 5, lines
    # 2.1: contextid is 1-16, so 17 is refused with +CME ERROR
    assert js["transactions"][5]["cme_error"] is not None, js["transactions"][5]
    c = Capture(cap)
    assert c.stream(TX) == b"".join(cmd.encode() + b"\r" for cmd in answers)
    assert c.stream(RX) == b"".join(answers.values())


def interactive_pipe():
    cap = tmp("inter-pipe.pcap")
    with Sim("bg96", connect=False) as sim:
        p = subprocess.run([QFTP, "record", "--device", f"tcp:127.0.0.1:{sim.port}", "--interactive",
                            "--linger", "500", "-w", cap], input=b"AT\nATE0\r\nAT+QFTPSTAT\n",
                           capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(b"AT\r\r\nOK\r\n"), p.stdout
    assert b"+QFTPSTAT: 0,4\r\n\r\nOK\r\n" in p.stdout, p.stdout
    c = Capture(cap)
    assert c.stream(TX) == b"AT\rATE0\rAT+QFTPSTAT\r", c.stream(TX)
    assert c.stream(RX) == p.stdout


def interactive_tty():
    cap = tmp("inter-tty.pcap")
    m, s = os.openpty()  # a person's terminal: we type on the master, the recorder runs on the slave
    before = termios.tcgetattr(s)
    flags = fcntl.fcntl(s, fcntl.F_GETFL)
    try:
        with Sim("bg96", connect=False) as sim, \
                Recorder("--device", f"tcp:127.0.0.1:{sim.port}", "--interactive", "-w", cap,
                         listening=False, stdin=s, stdout=s) as rec:
            t0 = time.monotonic()
            while termios.tcgetattr(s)[3] & termios.ICANON:
                assert time.monotonic() - t0 < 5, "the terminal never went raw"
                time.sleep(0.02)
            os.write(m, b"AT\r")
            got = b""
            while b"OK\r\n" not in got:
                r, _, _ = select.select([m], [], [], 10)
                assert r, f"no OK; got {got!r}"
                got += os.read(m, 4096)
            assert got.endswith(b"AT\r\r\nOK\r\n"), got
            os.write(m, b"ATI\n\x1d")  # Ctrl-J is a line end too; Ctrl-] quits
            assert rec.wait(10) == 0, rec.stderr()
            assert "Ctrl-] quits" in rec.stderr()
        assert termios.tcgetattr(s) == before, "terminal settings not restored"
        assert fcntl.fcntl(s, fcntl.F_GETFL) == flags, "file status flags not restored"
        c = Capture(cap)
        assert c.stream(TX) == b"AT\rATI\r", c.stream(TX)
    finally:
        os.close(m)
        os.close(s)


def interactive_tty_sigterm():
    """Killed politely while the terminal is raw: the terminal comes back as it was."""
    m, s = os.openpty()
    before = termios.tcgetattr(s)
    try:
        with TcpModule() as mod, Recorder("--device", mod.spec, "--interactive", "-q", "-w", tmp("term.pcap"),
                                          listening=False, stdin=s, stdout=s) as rec:
            mod.accept()
            t0 = time.monotonic()
            while termios.tcgetattr(s)[3] & termios.ICANON:
                assert time.monotonic() - t0 < 5, "the terminal never went raw"
                time.sleep(0.02)
            assert rec.stop(signal.SIGTERM) == 0, rec.stderr()
        assert termios.tcgetattr(s) == before
    finally:
        os.close(m)
        os.close(s)


def hosts_one_after_another():
    cap = tmp("hosts.pcap")
    with Sim("bg96", connect=False) as sim, \
            Recorder("--device", f"tcp:127.0.0.1:{sim.port}", "--listen", "127.0.0.1:0", "-w", cap) as rec:
        first = Host(rec.port)
        assert first.at("AT") == b"AT\r\r\nOK\r\n"
        first.disconnect()
        first.connect()  # the next host
        assert first.at("ATI").endswith(b"OK\r\n")
        # a host that ends its input (half-close) still gets its answer, then the recorder
        # closes the connection once the module is quiet for --linger (1 s by default)
        first.send(b"AT+QFTPSTAT\r")
        first.sock.shutdown(socket.SHUT_WR)
        first.expect(FINAL)
        t0 = time.monotonic()
        first.sock.settimeout(5)
        assert first.sock.recv(10) == b"", "connection not closed after the linger"
        assert 0.7 < time.monotonic() - t0 < 2, time.monotonic() - t0
        first.disconnect()
        # a host that closed is replaced at once by the next one, without the linger
        first.connect()
        assert first.at("AT") == b"AT\r\r\nOK\r\n"
        first.disconnect()
        t0 = time.monotonic()
        first.connect()
        assert first.at("AT") == b"AT\r\r\nOK\r\n"
        assert time.monotonic() - t0 < 0.5, time.monotonic() - t0
        first.disconnect()
        assert rec.stop() == 0, rec.stderr()
        err = rec.stderr()
    c = Capture(cap)
    assert c.stream(TX) == b"AT\rATI\rAT+QFTPSTAT\rAT\rAT\r"
    assert err.count("host connected") == 4 and err.count("disconnected") >= 3, err


def pty_reopened():
    cap = tmp("reopen.pcap")
    link = tmp("reopen.pty")
    with Sim("bg96", connect=False) as sim, \
            Recorder("--device", f"tcp:127.0.0.1:{sim.port}", "--pty", link, "-w", cap) as rec:
        for cmd, want in [(b"AT\r", b"AT\r\r\nOK\r\n"), (b"ATE0\r", b"ATE0\r\r\nOK\r\n"),
                          (b"AT\r", b"\r\nOK\r\n")]:
            fd = raw_open(link)
            os.write(fd, cmd)
            assert _recv(fd, len(want), keep=True, timeout=10)[2] == want
            os.close(fd)
            time.sleep(0.2)
        # no host has the port open: the recorder waits, it does not spin
        usage0 = open(f"/proc/{rec.proc.pid}/stat").read().split()
        time.sleep(1.0)
        usage1 = open(f"/proc/{rec.proc.pid}/stat").read().split()
        ticks = (int(usage1[13]) + int(usage1[14])) - (int(usage0[13]) + int(usage0[14]))
        assert ticks < 10, f"{ticks} clock ticks of CPU in 1 s with no host"
        assert rec.stop() == 0, rec.stderr()
    assert Capture(cap).stream(TX) == b"AT\rATE0\rAT\r"


def capture_on_stdout():
    with TcpModule() as mod:
        rec = subprocess.Popen([QFTP, "record", "--device", mod.spec, "--listen", "127.0.0.1:0", "-w", "-"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = rec.stderr.readline().decode()
        port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", line).group(1))
        module = mod.accept()
        host = tcp_host(port)
        host.sendall(b"AT\r")
        assert _recv(module, 3)[0] == 3
        module.sendall(b"\r\nOK\r\n")
        assert _recv(host, 6)[0] == 6
        time.sleep(0.2)
        rec.send_signal(signal.SIGINT)
        out, err = rec.communicate(timeout=10)
        assert rec.returncode == 0, err
        path = tmp("stdout.pcap")
        open(path, "wb").write(out)
        c = Capture(path)
        assert c.stream(TX) == b"AT\r" and c.stream(RX) == b"\r\nOK\r\n"


def capture_write_fails():
    """A capture the file system refuses (here: over RLIMIT_FSIZE, as on a full disk) while
    both sides send: the relay stops at once, says why, exits 1; the file is a whole
    capture (cut back to its last whole frame) holding exactly what each side received,
    and the summary counts what the file holds. (Before: ~95 KB relayed unrecorded, the
    summary claiming 3x the frames in the file, the last record cut.)"""
    import resource

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (200000, resource.RLIM_INFINITY))

    cap = tmp("full.pcap")
    with TcpModule() as mod, Recorder("--device", mod.spec, "--listen", "127.0.0.1:0", "-w", cap,
                                      preexec_fn=limit) as rec:
        module = mod.accept()
        host = tcp_host(rec.port)
        up, down = payload(2 << 20, 11), payload(2 << 20, 12)
        got_up = Pump(_recv, module, keep=True, timeout=10)
        got_down = Pump(_recv, host, keep=True, timeout=10)

        def send(end, data):
            try:
                _send(end, data, chunk=4096)
            except OSError:
                pass  # the recorder stopped while we were sending
        senders = [Pump(send, host, up), Pump(send, module, down)]
        assert rec.wait() == 1, rec.stderr()
        for t in senders:
            t.get(30)
        err = rec.stderr()
        assert f"cannot write {cap}: File too large" in err and "relaying stopped" in err, err
        c = Capture(cap)  # whole: no record cut short
        tx, rx = c.stream(TX), c.stream(RX)
        assert 0 < len(tx) + len(rx) and os.path.getsize(cap) <= 200000
        # nothing relayed unrecorded: what each side received is what the capture holds
        # (the relay's last bytes may be lost only to a peer that resets the connection)
        up, down = got_up.get()[2], got_down.get()[2]
        assert tx.startswith(up) and rx.startswith(down), (len(up), len(tx), len(down), len(rx))
        m = re.search(r"(\d+) frames; host->module (\d+) bytes, module->host (\d+) bytes", err)
        assert m and tuple(map(int, m.groups())) == (len(c.frames), len(tx), len(rx)), (err, len(c.frames))
        print(f"# capture refused after {len(c.frames)} frames, {len(tx)} + {len(rx)} bytes")


def errors():
    d = ["--device", "/dev/null"]
    cases = [
        ([*d, "--listen", "127.0.0.1:0"], "-w FILE"),
        ([*d, "--listen", "127.0.0.1:0", "--pty", tmp("x.pty"), "-w", tmp("x.pcap")], "exactly one host side"),
        ([*d, "-w", tmp("x.pcap")], "exactly one host side"),
        (["--listen", "127.0.0.1:0", "-w", tmp("x.pcap")], "--device"),
        ([*d, "--listen", "127.0.0.1:0", "-w", tmp("x.pcap"), "--baud", "12345"], "--baud 12345"),
        ([*d, "--listen", "127.0.0.1:0", "-w", tmp("x.pcap"), "--flow", "dtr"], "--flow dtr"),
        ([*d, "--listen", "127.0.0.1:0", "-w", tmp("x.pcap"), "--linger", "-5"], "--linger"),
        ([*d, "--interactive", "-w", "-"], "not possible with --interactive"),
        ([*d, "--listen", "127.0.0.1:0", "-w", tmp("x.pcap"), "extra"], "unexpected argument"),
    ]
    for args, words in cases:
        p = run("record", *args)
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert words.encode() in p.stderr, (args, p.stderr)
        # one prefix, a short message, a pointer to --help (no usage block)
        lines = p.stderr.decode().splitlines()
        assert lines[0].startswith("qftp record: ") and len(lines) == 2, (args, p.stderr)
        assert lines[1] == "Try 'qftp record --help' for more information.", (args, p.stderr)
    assert run("record", "--help").returncode == 0
    # a device that is not there: 3, and no capture is created
    p = run("record", "--device", "/dev/ttyNOPE9", "--listen", "127.0.0.1:0", "-w", tmp("nodev.pcap"))
    assert p.returncode == 3 and b"qftp record: cannot open device /dev/ttyNOPE9" in p.stderr, p.stderr
    assert not os.path.exists(tmp("nodev.pcap"))
    with socket.socket() as s:  # a closed port
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    p = run("record", "--device", f"tcp:127.0.0.1:{closed}", "--listen", "127.0.0.1:0", "-w", tmp("x.pcap"))
    assert p.returncode == 3 and b"qftp record: cannot connect to tcp:127.0.0.1:" in p.stderr, p.stderr
    # set-up errors on our side: 2
    m, slave = pty_module()
    try:
        for args, words in [(["--listen", "127.0.0.1:0", "-w", "/nonexistent-dir/x.pcap"],
                             b"cannot create /nonexistent-dir/x.pcap"),
                            (["--listen", "192.0.2.1:0", "-w", tmp("x.pcap")], b"--listen 192.0.2.1:0"),
                            (["--pty", tmp("x.pcap") + ".d/p", "-w", tmp("y.pcap")], b"cannot link")]:
            p = run("record", "--device", slave, *args)
            assert p.returncode == 2 and words in p.stderr, (args, p.stderr)
        open(tmp("regular"), "w").write("keep me")
        p = run("record", "--device", slave, "--pty", tmp("regular"), "-w", tmp("x.pcap"))
        assert p.returncode == 2 and b"not a symbolic link" in p.stderr, p.stderr
        assert open(tmp("regular")).read() == "keep me"
    finally:
        os.close(m)


case("100 MB each way at once through tcp: byte-identical at both ends and in the capture", bulk_tcp)
case("20 MB each way at once pty to pty, every byte value: identical everywhere", bulk_pty)
case("the capture is on disk within 2 s while recording", flush_while_running)
case("SIGINT mid-traffic: exit 0, readable capture holding exactly what was relayed", sigint_mid_traffic)
case("SIGKILL: the capture holds everything flushed before", sigkill)
case("the device goes away (tcp): exit 3, named, capture complete, host got the rest", device_gone_tcp)
case("the device goes away (pty): exit 3, named, capture complete", device_gone_pty)
case("a session with qftp sim decodes in qftp show as the BG96 manual says", sim_session)
case("--interactive with piped input: line ends become \\r, answers on stdout", interactive_pipe)
case("--interactive on a terminal: raw, Enter is \\r, Ctrl-] quits, terminal restored", interactive_tty)
case("--interactive on a terminal: SIGTERM restores the terminal", interactive_tty_sigterm)
case("--listen: hosts one after another (and a half-close) are all relayed and recorded", hosts_one_after_another)
case("--pty: a host that closes and reopens the port is served again; no spinning", pty_reopened)
case("-w - writes the capture to stdout, the listening line to stderr", capture_on_stdout)
case("a capture that cannot be written stops the relay at once: exit 1, the file and the summary hold "
     "exactly what was relayed", capture_write_fails)
case("usage errors exit 2, a missing device 3, with clear messages", errors)
shutil.rmtree(TMP, ignore_errors=True)
done()
