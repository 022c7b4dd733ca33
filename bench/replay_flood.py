#!/usr/bin/env python3
"""`qftp replay` against devices that flood: peak memory and time of the run, per kind of
flood, side by side with the replayer's caps (docs/limits.md). Each device answers the
first command line, then sends one kind of bytes for ever.

usage: bench/replay_flood.py [QFTP_BIN] [CAPTURE]"""
import os
import random
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
args = sys.argv[1:]
QFTP = args[0] if args else os.environ.get("QFTP_BIN") or os.path.join(HERE, "..", "build", "qftp")
CAPTURE = args[1] if len(args) > 1 else os.path.join(HERE, "..", "captures", "manual-gsm-4.1-open.pcap")

rnd = random.Random(1)
KINDS = [
    ("URC lines", b"", b'+QIURC: "pdpdeact",1\r\n' * 3000),
    ("lines of one step", b"AT+QIFGCNT=0\r", b"\r\nline of the step\r\n" * 3000),
    ("random bytes", b"", bytes(rnd.randrange(256) for _ in range(1 << 16))),
    ("empty and short lines", b"", b"\r\nA\r\n" * 10000),
    ("one line without end", b"", b"x" * 65536),
]


def device(first, chunk):
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)

    def serve():
        c, _ = ls.accept()
        try:
            c.recv(4096)
            c.sendall(first)
            while True:
                c.sendall(chunk)
        except OSError:
            pass
        finally:
            c.close()
    threading.Thread(target=serve, daemon=True).start()
    return ls


print(f"qftp replay {os.path.basename(CAPTURE)} against flooding devices; caps: 256 MiB per "
      f"direction, 4096 lines per step, 4096 unsolicited lines")
print(f"{'the device sends':24} {'peak RSS':>10} {'time':>8}  how it ended")
for name, first, chunk in KINDS:
    ls = device(first, chunk)
    t0 = time.monotonic()
    p = subprocess.Popen([QFTP, "replay", CAPTURE, "--device", f"tcp:127.0.0.1:{ls.getsockname()[1]}"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env=dict(os.environ, QFTP_NO_PROGRESS="1"))
    out = p.stdout.read().decode(errors="replace")
    _, status, ru = os.wait4(p.pid, 0)
    secs = time.monotonic() - t0
    ls.close()
    how = next((ln.strip() for ln in out.splitlines() if "device error" in ln), f"exit {status >> 8}")
    print(f"{name:24} {ru.ru_maxrss / 1024:8.0f} MB {secs:7.2f}s  {how[:90]}")
