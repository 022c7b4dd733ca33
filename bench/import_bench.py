#!/usr/bin/env python3
"""qftp import side by side with text2pcap on the same records, and peak memory.

Writes a timestamped log of N MB (default 100) of AT traffic with data transfers, and the
same records as a text2pcap hex dump (-D direction, -t timestamps), converts each with its
tool, and prints wall time, MB/s and peak RSS for both. Then qftp import's peak RSS on a
10 MB and a 100 MB log (streaming: it should not grow).

Usage: bench/import_bench.py [MB] [QFTP_BIN]
"""
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

MB = int(sys.argv[1]) if len(sys.argv) > 1 else 100
QFTP = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "build", "qftp")


def records(total):
    """(dir, seconds, bytes) of a plausible session, until `total` log bytes."""
    rnd = random.Random(1)
    t = 1714557600.0
    made = 0
    cmds = [(b'AT+QFTPSTAT\r', [b"\r\n+QFTPSTAT: 0,1\r\n", b"\r\nOK\r\n"]),
            (b'AT+QFTPCWD="/"\r', [b"\r\nOK\r\n", b"\r\n+QFTPCWD: 0,0\r\n"]),
            (b'AT+QFTPSIZE="a.txt"\r', [b"\r\nOK\r\n", b"\r\n+QFTPSIZE: 0,1000\r\n"])]
    while True:
        c, answers = cmds[rnd.randrange(3)]
        t += 0.05
        yield 0, t, c
        made += 40 + len(c)
        for a in answers:
            t += 0.01
            yield 1, t, a
            made += 40 + len(a)
        if rnd.randrange(10) == 0:
            line = b"sscom.ini line with some text in it 0123456789\r\n"
            yield 0, t, b'AT+QFTPGET="a.txt","COM:"\r'
            yield 1, t + 0.1, b"\r\nCONNECT\r\n"
            body = line * 20
            yield 1, t + 0.2, body
            yield 1, t + 0.3, b"\r\nOK\r\n\r\n+QFTPGET: 0,%d\r\n" % len(body)
            t += 0.4
            made += 3 * 40 + len(body) * 3


def esc(b):
    out = []
    for x in b:
        if x == 13:
            out.append("\\r")
        elif x == 10:
            out.append("\\n")
        elif x == 92:
            out.append("\\\\")
        elif x < 32 or x >= 127:
            out.append("\\x%02x" % x)
        else:
            out.append(chr(x))
    return "".join(out)


def write_inputs(d, mb):
    log = os.path.join(d, f"log{mb}.txt")
    hexd = os.path.join(d, f"hex{mb}.txt")
    with open(log, "w") as fl, open(hexd, "w") as fh:
        for direction, t, b in records(mb << 20):
            if fl.tell() >= mb * 1000000:
                break
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + ".%06d" % int((t % 1) * 1e6)
            fl.write("[%s] %s %s\n" % (stamp, ">>" if direction == 0 else "<<", esc(b)))
            fh.write("%s %s\n" % ("O" if direction == 0 else "I", stamp))
            for off in range(0, len(b), 16):
                fh.write("%06x %s\n" % (off, " ".join("%02x" % x for x in b[off:off + 16])))
    return log, hexd


def peak(cmd):
    code = ("import resource,subprocess,sys,time;t=time.monotonic();"
            "p=subprocess.run(sys.argv[1:],capture_output=True);w=time.monotonic()-t;"
            "r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
            "print(p.returncode,w,r);sys.stderr.write(p.stderr.decode()[:300])")
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True)
    rc, wall, rss = out.stdout.split()
    if rc != "0":
        sys.exit(f"{cmd[0]} failed: {out.stderr}")
    return float(wall), int(rss) / 1024.0


def main():
    with tempfile.TemporaryDirectory() as d:
        log, hexd = write_inputs(d, MB)
        size = os.path.getsize(log) / 1e6
        print(f"inputs: {size:.0f} MB timestamped log, {os.path.getsize(hexd) / 1e6:.0f} MB "
              f"text2pcap hex dump of the same records")
        wq, rq = peak([QFTP, "import", "--format", "timestamped", log, "-w", os.path.join(d, "q.pcap")])
        wt, rt = peak(["text2pcap", "-q", "-D", "-t", "%Y-%m-%d %H:%M:%S.", "-l", "147", hexd,
                       os.path.join(d, "t.pcap")])
        frames_q = subprocess.run(["capinfos", "-c", "-M", os.path.join(d, "q.pcap")], capture_output=True, text=True).stdout.split()[-1]
        frames_t = subprocess.run(["capinfos", "-c", "-M", os.path.join(d, "t.pcap")], capture_output=True, text=True).stdout.split()[-1]
        print(f"{'tool':<14}{'wall s':>9}{'log MB/s':>10}{'peak RSS MB':>13}{'frames':>10}")
        print(f"{'qftp import':<14}{wq:>9.2f}{size / wq:>10.1f}{rq:>13.1f}{frames_q:>10}")
        print(f"{'text2pcap':<14}{wt:>9.2f}{size / wt:>10.1f}{rt:>13.1f}{frames_t:>10}")
        print(f"time ratio qftp/text2pcap: {wq / wt:.2f}")
        for mb in (10, 100):
            l, _ = write_inputs(d, mb)
            w, r = peak([QFTP, "import", l, "-w", os.path.join(d, f"m{mb}.pcap")])
            print(f"qftp import peak RSS, {os.path.getsize(l) / 1e6:.0f} MB log: {r:.1f} MB ({w:.2f} s)")


if __name__ == "__main__":
    main()
