#!/usr/bin/env python3
"""Speed of the Wireshark plugin against Wireshark's built-in AT dissector on the same
bytes: one long BG96 session with transfers (>= 200,000 frames) written twice, as
exported PDUs naming `qftp` and naming `at`; tshark reads each (one pass, and two
passes with -2) under /usr/bin/time; prints times, peak RSS and the ratios.

Usage: bench/dissector_bench.py [--frames N] [--plugin path/to/qftp.so]
Target (the issue): time ratio <= 1.0 and peak-memory ratio <= 1.2."""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "dissector", "testlib"))
import qftp_ws as W  # noqa: E402


def long_session(n_frames):
    b = W.Builder()
    chunk = bytes(range(256)) * 4
    i = 0
    b.add(W.TX, b'AT+QFTPOPEN="bench.example",21\r')
    b.add(W.RX, b"\r\nOK\r\n")
    b.add(W.RX, b"\r\n+QFTPOPEN: 0,0\r\n")
    while len(b.frames) < n_frames:
        i += 1
        b.add(W.TX, b'AT+QFTPSIZE="f%d.bin"\r' % i, 0.01)
        b.add(W.RX, b"\r\nOK\r\n", 0.01)
        b.add(W.RX, b"\r\n+QFTPSIZE: 0,%d\r\n" % (8 * len(chunk)), 0.01)
        b.add(W.TX, b'AT+QFTPGET="f%d.bin","COM:"\r' % i, 0.01)
        b.add(W.RX, b"\r\nCONNECT\r\n", 0.01)
        for _ in range(8):
            b.add(W.RX, chunk, 0.001)
        b.add(W.RX, b"\r\nOK\r\n", 0.01)
        b.add(W.RX, b"\r\n+QFTPGET: 0,%d\r\n" % (8 * len(chunk)), 0.01)
        b.add(W.TX, b"AT+QFTPSTAT\r", 0.01)
        b.add(W.RX, b"\r\n+QFTPSTAT: 0,1\r\n\r\nOK\r\n", 0.01)
    return b.frames


def measure(t, cap, two):
    args = ["-r", cap] + (["-2"] if two else [])
    cmd = ["/usr/bin/time", "-v"]
    env = ["env", "-i", "PATH=/usr/bin:/bin", f"HOME={t.home}",
           f"WIRESHARK_PLUGIN_DIR={t.plugin_dir}"]
    full = cmd + env + ["tshark"] + args
    if os.geteuid() == 0:
        full = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + full
    r = subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SystemExit(r.stderr[-2000:])
    el = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", r.stderr)
    secs = float(el.group(3)) + 60 * int(el.group(2)) + 3600 * int(el.group(1) or 0)
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", r.stderr).group(1))
    sysc = float(re.search(r"System time \(seconds\): ([\d.]+)", r.stderr).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
    return secs, user + sysc, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=200000)
    ap.add_argument("--plugin")
    a = ap.parse_args()
    if a.plugin:
        os.environ["QFTP_PLUGIN"] = a.plugin
    t = W.Tshark()
    frames = long_session(a.frames)
    q = os.path.join(t.tmp, "bench-qftp.pcap")
    at = os.path.join(t.tmp, "bench-at.pcap")
    W.write_capture(q, frames, name=b"qftp")
    W.write_capture(at, frames, name=b"at")
    print(f"{len(frames)} frames, {os.path.getsize(q)} bytes")
    for two in (False, True):
        rq = measure(t, q, two)
        ra = measure(t, at, two)
        label = "two-pass" if two else "one-pass"
        print(f"{label}: qftp {rq[0]:.2f}s (cpu {rq[1]:.2f}s) {rq[2]} KiB | "
              f"at {ra[0]:.2f}s (cpu {ra[1]:.2f}s) {ra[2]} KiB | "
              f"time ratio {rq[1] / ra[1]:.2f} (cpu), memory ratio {rq[2] / ra[2]:.2f}")
    t.cleanup()


if __name__ == "__main__":
    main()
