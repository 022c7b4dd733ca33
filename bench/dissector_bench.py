#!/usr/bin/env python3
"""Speed and memory of the Wireshark plugin beside Wireshark's built-in AT dissector on
the same bytes (issue 14 item 6): each session is written twice, as exported PDUs
naming `qftp` and naming `at`, and tshark reads each under /usr/bin/time, in one pass
and in two passes (-2); the CPU time (user + system) and the peak resident memory are
printed side by side with their ratios (target: at most 1.0 for both).

Sessions (BG96 dialect, as the manual's examples):
- command-heavy: commands and results, no data mode (the traffic customer logs are made
  of): configuration, state queries, sizes, folders, errors, busy answers, URCs;
- data-heavy: downloads in data mode, 8 payload frames of 1 KiB per file.

Usage: bench/dissector_bench.py [--frames 200000,1000000] [--kinds command,data]
                                [--repeat N] [--plugin path/to/qftp.so]
The best of --repeat runs of each tool (default 1), taken in turns, is kept: a loaded
machine only adds time. The last column is the median of the CPU ratios of the runs
taken side by side: on a virtual machine whose speed jumps by 15 % from run to run, the
ratio of the bests alone can land on either side of 1.0."""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "dissector", "testlib"))
import qftp_ws as W  # noqa: E402


def data_session(n_frames):
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
    return b.frames[:n_frames]


def command_session(n_frames):
    """Commands and their answers only, one line per frame, the mix of a customer's log:
    settings, state and length queries, sizes and folder changes with their URCs, an
    error result now and then."""
    b = W.Builder()
    b.add(W.TX, b'AT+QFTPCFG="contextid",1\r')
    b.add(W.RX, b"\r\nOK\r\n")
    b.add(W.TX, b'AT+QFTPOPEN="bench.example",21\r')
    b.add(W.RX, b"\r\nOK\r\n")
    b.add(W.RX, b"\r\n+QFTPOPEN: 0,0\r\n")
    i = 0
    while len(b.frames) < n_frames:
        i += 1
        b.add(W.TX, b'AT+QFTPCWD="/dir%d"\r' % (i % 50), 0.01)
        b.add(W.RX, b"\r\nOK\r\n", 0.01)
        b.add(W.RX, b"\r\n+QFTPCWD: 0,0\r\n", 0.05)
        b.add(W.TX, b'AT+QFTPSIZE="log%d.txt"\r' % i, 0.01)
        b.add(W.RX, b"\r\nOK\r\n", 0.01)
        if i % 7:
            b.add(W.RX, b"\r\n+QFTPSIZE: 0,%d\r\n" % (1000 + i % 9000), 0.05)
        else:
            b.add(W.RX, b"\r\n+QFTPSIZE: 627,550\r\n", 0.05)
        b.add(W.TX, b"AT+QFTPSTAT\r", 0.01)
        b.add(W.RX, b"\r\n+QFTPSTAT: 0,1\r\n", 0.01)
        b.add(W.RX, b"\r\nOK\r\n", 0.001)
        b.add(W.TX, b"AT+QFTPLEN\r", 0.01)
        b.add(W.RX, b"\r\n+QFTPLEN: 0,%d\r\n\r\nOK\r\n" % (i % 5000), 0.01)
        b.add(W.TX, b'AT+QFTPCFG="rsptimeout",90\r', 0.01)
        b.add(W.RX, b"\r\nOK\r\n" if i % 11 else b"\r\n+CME ERROR: 603\r\n", 0.01)
        b.add(W.TX, b"AT+CSQ\r", 0.01)
        b.add(W.RX, b"\r\n+CSQ: 24,99\r\n\r\nOK\r\n", 0.01)
    return b.frames[:n_frames]


SESSIONS = {"command": command_session, "data": data_session}


def measure(t, cap, two):
    """(wall seconds, cpu seconds, peak KiB) of tshark reading cap."""
    args = ["-r", cap] + (["-2"] if two else [])
    env = ["env", "-i", "PATH=/usr/bin:/bin", f"HOME={t.home}",
           f"WIRESHARK_PLUGIN_DIR={t.plugin_dir}", "LC_ALL=C.UTF-8"]
    full = ["/usr/bin/time", "-v"] + env + ["tshark"] + args
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


def best_pair(t, q, at, two, repeat):
    """The best of repeat runs of each, taken in turns (qftp, at, qftp, at, ...): a
    machine whose speed drifts during the run (a neighbour, the CPU's clock) then weighs
    on both sides alike. Also the median of the CPU ratios of the runs taken side by side
    (a steadier figure than the ratio of the bests on a machine whose speed jumps)."""
    rq, ra = [], []
    for _ in range(repeat):
        rq.append(measure(t, q, two))
        ra.append(measure(t, at, two))
    pairs = sorted(x[1] / y[1] for x, y in zip(rq, ra))
    median = (pairs[(len(pairs) - 1) // 2] + pairs[len(pairs) // 2]) / 2
    best = tuple(tuple(min(r[i] for r in runs) for i in range(3)) for runs in (rq, ra))
    return best + (median,)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frames", default="200000,1000000")
    ap.add_argument("--kinds", default="command,data")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--plugin")
    a = ap.parse_args()
    if a.plugin:
        os.environ["QFTP_PLUGIN"] = a.plugin
    t = W.Tshark()
    print(f"plugin {W.plugin_path()}")
    print(f"{'session':<8} {'frames':>8} {'pass':<4} | {'qftp cpu':>9} {'at cpu':>8} {'ratio':>6} | "
          f"{'qftp MiB':>9} {'at MiB':>8} {'ratio':>6} | {'median cpu ratio of pairs':>25}")
    worst = 0.0
    for kind in a.kinds.split(","):
        for n in (int(x) for x in a.frames.split(",")):
            frames = SESSIONS[kind](n)
            q = os.path.join(t.tmp, f"bench-{kind}-{n}-qftp.pcap")
            at = os.path.join(t.tmp, f"bench-{kind}-{n}-at.pcap")
            W.write_capture(q, frames, name=b"qftp")
            W.write_capture(at, frames, name=b"at")
            for two in (False, True):
                rq, ra, med = best_pair(t, q, at, two, a.repeat)
                cr, mr = rq[1] / ra[1], rq[2] / ra[2]
                worst = max(worst, cr, mr)
                print(f"{kind:<8} {len(frames):>8} {'two' if two else 'one':<4} | "
                      f"{rq[1]:>8.2f}s {ra[1]:>7.2f}s {cr:>6.2f} | "
                      f"{rq[2] / 1024:>9.1f} {ra[2] / 1024:>8.1f} {mr:>6.2f} | {med:>25.2f}",
                      flush=True)
            os.unlink(q)
            os.unlink(at)
    print(f"worst ratio {worst:.2f} (target <= 1.00)")
    t.cleanup()


if __name__ == "__main__":
    main()
