#!/usr/bin/env python3
"""`qftp show` side by side with Wireshark's built-in `at` dissector (tshark) on the same
bytes, in one run: a command-heavy session (commands, results and URCs, no data mode: what
customer logs are made of) and a data-heavy one (downloads of 8 KiB through data mode), at
100,000, 200,000 and 1,000,000 frames.

Each session is written twice as pcap of link type 252 (exported PDU, a direction tag per
frame): naming `qftp` (read by qftp show) and naming `at` (read by tshark -r, which prints
one summary line per frame); the command-heavy one also as a terminal's plain text log
(both directions' bytes in turn, no times or marks), which `qftp show` reads through the
log importer, as it reads a customer's log (its "file MB" is the log's size). Prints wall time, CPU time (user + system), peak RSS, the
throughput of each tool (capture MB per CPU second, and AT payload MB per CPU second: CPU
time, because wall time on a shared machine measures the neighbours), and peak RSS at
1,000,000 frames over 100,000 (flat memory: at most 1.3).

Usage: bench/show_bench.py [--qftp build/qftp] [--frames 100000,200000,1000000]
                           [--no-tshark] [--repeat 3]
The best of --repeat runs of each tool (taken in turns) is printed: a loaded machine only
adds time.
Targets (issue 14): qftp show >= 100 MB/s on AT text; RSS(1M) / RSS(100k) <= 1.3."""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TX, RX = 0, 1


def command_heavy(n_frames):
    """A BG96 session of small commands: configuration, login, directory and file
    queries, failures (603 busy, 627/550), state queries, logout, over and over."""
    i = 0
    while True:
        i += 1
        yield TX, b'AT+QFTPCFG="contextid",1\r'
        yield RX, b"\r\nOK\r\n"
        yield TX, b'AT+QFTPCFG="account","user%d","secret"\r' % (i % 97)
        yield RX, b"\r\nOK\r\n"
        yield TX, b'AT+QFTPOPEN="ftp.example.com",21\r'
        yield RX, b"\r\nOK\r\n"
        yield RX, b"\r\n+QFTPOPEN: 0,0\r\n"
        yield TX, b'AT+QFTPCWD="/upload/dir%d"\r' % (i % 13)
        yield RX, b"\r\nOK\r\n"
        yield RX, b"\r\n+QFTPCWD: 0,0\r\n"
        yield TX, b"AT+QFTPPWD\r"
        yield RX, b"\r\nOK\r\n"
        yield RX, b'\r\n+QFTPPWD: 0,"/upload/dir%d"\r\n' % (i % 13)
        yield TX, b'AT+QFTPSIZE="file%d.bin"\r' % i
        yield RX, b"\r\nOK\r\n"
        yield RX, b"\r\n+QFTPSIZE: 0,%d\r\n" % (1000 + i % 5000)
        yield TX, b'AT+QFTPMDTM="file%d.bin"\r' % i
        yield RX, b"\r\nOK\r\n"
        yield RX, b'\r\n+QFTPMDTM: 0,"20240501100%03d"\r\n' % (i % 1000)
        yield TX, b'AT+QFTPSIZE="missing%d.bin"\r' % i
        yield RX, b"\r\nOK\r\n"
        yield RX, b"\r\n+QFTPSIZE: 627,550\r\n"
        yield TX, b"AT+QFTPSTAT\r"
        yield RX, b"\r\n+QFTPSTAT: 0,1\r\n\r\nOK\r\n"
        yield TX, b'AT+QFTPDEL="old%d.txt"\r' % i
        yield RX, b"\r\nOK\r\n"
        yield TX, b'AT+QFTPOPEN="ftp.example.com",21\r'
        yield RX, b"\r\n+CME ERROR: 603\r\n"
        yield RX, b"\r\n+QFTPDEL: 0,0\r\n"
        yield TX, b"AT+QFTPCLOSE\r"
        yield RX, b"\r\nOK\r\n"
        yield RX, b"\r\n+QFTPCLOSE: 0,0\r\n"


def data_heavy(n_frames):
    """Downloads: each a size query, a GET through data mode in 8 pieces of 1 KiB, its
    OK and URC, and a state query."""
    chunk = bytes(range(256)) * 4
    yield TX, b'AT+QFTPOPEN="ftp.example.com",21\r'
    yield RX, b"\r\nOK\r\n"
    yield RX, b"\r\n+QFTPOPEN: 0,0\r\n"
    i = 0
    while True:
        i += 1
        yield TX, b'AT+QFTPSIZE="f%d.bin"\r' % i
        yield RX, b"\r\nOK\r\n"
        yield RX, b"\r\n+QFTPSIZE: 0,%d\r\n" % (8 * len(chunk))
        yield TX, b'AT+QFTPGET="f%d.bin","COM:"\r' % i
        yield RX, b"\r\nCONNECT\r\n"
        for _ in range(8):
            yield RX, chunk
        yield RX, b"\r\nOK\r\n"
        yield RX, b"\r\n+QFTPGET: 0,%d\r\n" % (8 * len(chunk))
        yield TX, b"AT+QFTPSTAT\r"
        yield RX, b"\r\n+QFTPSTAT: 0,1\r\n\r\nOK\r\n"


def write(path, gen, n_frames, name):
    """pcap, link type 252: tag 12 (dissector name), tag 35 (P2P direction), tag 0.
    Returns the payload bytes written."""
    head12 = struct.pack(">HH", 12, len(name)) + name
    dirtag = [struct.pack(">HHi", 35, 4, d) for d in (TX, RX)]
    end = struct.pack(">HH", 0, 0)
    payload = 0
    with open(path, "wb", buffering=1 << 20) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 252))
        usec = 0
        for k, (d, data) in enumerate(gen):
            if k == n_frames:
                break
            usec += 5000
            pkt = head12 + dirtag[d] + end + data
            f.write(struct.pack("<IIII", 1700000000 + usec // 1000000, usec % 1000000,
                                len(pkt), len(pkt)))
            f.write(pkt)
            payload += len(data)
    os.chmod(path, 0o644)
    return payload


def write_log(path, gen, n_frames):
    """The same traffic as a terminal's plain log: the bytes of both directions in turn,
    as a serial terminal saves them (no times, no direction marks)."""
    with open(path, "wb", buffering=1 << 20) as f:
        for k, (_, data) in enumerate(gen):
            if k == n_frames:
                break
            f.write(data)
    os.chmod(path, 0o644)


def measure(argv, env=None):
    """Wall seconds, CPU seconds, peak RSS in MiB of one process (stdout discarded)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(argv)}: exit {code}\n{err[-2000:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def tshark_argv(cap):
    argv = ["tshark", "-n", "-r", cap]
    if os.geteuid() == 0:
        # root: tshark warns about running privileged; the `at` dissector is built in.
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + argv
    return argv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qftp", default=os.path.join(HERE, "..", "build", "qftp"))
    ap.add_argument("--frames", default="100000,200000,1000000")
    ap.add_argument("--no-tshark", action="store_true")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each tool, taken in turns; the best is printed")
    a = ap.parse_args()
    sizes = [int(x) for x in a.frames.split(",")]
    have_tshark = not a.no_tshark and shutil.which("tshark") is not None
    tmp = tempfile.mkdtemp(prefix="qftp-show-bench-")
    os.chmod(tmp, 0o755)
    env = dict(os.environ, HOME=tmp)
    rss = {}
    try:
        print(f"{'session':14} {'frames':>8} {'file MB':>7} {'AT MB':>6}  {'tool':22} "
              f"{'wall s':>6} {'cpu s':>6} {'RSS MiB':>7} {'file MB/s':>9} {'AT MB/s':>7}")
        for kind, gen in (("command-heavy", command_heavy), ("data-heavy", data_heavy)):
            for n in sizes:
                q = os.path.join(tmp, f"{kind}-{n}-qftp.pcap")
                at = os.path.join(tmp, f"{kind}-{n}-at.pcap")
                payload = write(q, gen(n), n, b"qftp")
                write(at, gen(n), n, b"at")
                runs = [("qftp show", [a.qftp, "show", "--color", "never", q]),
                        ("qftp show --json", [a.qftp, "show", "--json", q])]
                size = {label: os.path.getsize(q) for label, _ in runs}
                log = os.path.join(tmp, f"{kind}-{n}.log")
                if kind == "command-heavy":  # data mode's binary bytes make no text log
                    write_log(log, gen(n), n)
                    runs.append(("qftp show (text log)", [a.qftp, "show", "--color", "never", log]))
                    size["qftp show (text log)"] = os.path.getsize(log)
                if have_tshark:
                    runs.append(("tshark (at dissector)", tshark_argv(at)))
                    size["tshark (at dissector)"] = os.path.getsize(at)
                mb = payload / 1e6
                best = {}
                for _ in range(a.repeat):  # in turns: a drifting machine weighs on each alike
                    for label, argv in runs:
                        r = measure(argv, env)
                        b = best.get(label, r)
                        best[label] = tuple(min(x, y) for x, y in zip(r, b))
                for label, argv in runs:
                    wall, cpu, peak = best[label]
                    rss[(kind, n, label)] = peak
                    fmb = size[label] / 1e6
                    print(f"{kind:14} {n:8d} {fmb:7.1f} {mb:6.1f}  {label:22} {wall:6.2f} "
                          f"{cpu:6.2f} {peak:7.1f} {fmb / cpu:9.1f} {mb / cpu:7.1f}")
                for f in (q, at, log):
                    if os.path.exists(f):
                        os.unlink(f)
        lo, hi = min(sizes), max(sizes)
        if lo != hi:
            print(f"\npeak RSS at {hi} frames over {lo} frames (flat memory: <= 1.3)")
            for kind in ("command-heavy", "data-heavy"):
                for label in ("qftp show", "qftp show --json", "qftp show (text log)",
                              "tshark (at dissector)"):
                    if (kind, lo, label) in rss:
                        r = rss[(kind, hi, label)] / rss[(kind, lo, label)]
                        print(f"  {kind:14} {label:22} {r:5.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
