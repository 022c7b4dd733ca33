#!/usr/bin/env python3
"""The replayer's own overhead per step: from the device's last expected byte of a step
to the next command written (the `overhead_ns` of `qftp replay --json`).

Records a golden session of many short steps from `qftp sim` against pyftpdlib (plain
commands, FTP commands with their URCs, small COM: downloads), replays it against a
fresh simulator, and prints the median and p90 of the overhead. Target: median < 1 ms.

usage: bench/replay_overhead.py [QFTP_BIN] [--steps N]
"""
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "simulator", "tools"))
from simclient import FtpServer, Sim  # noqa: E402

args = [a for a in sys.argv[1:] if not a.startswith("--")]
QFTP = args[0] if args else os.environ.get("QFTP_BIN", os.path.join(HERE, "..", "build", "qftp"))
N = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 300
tmp = tempfile.mkdtemp(prefix="qftp-bench-replay-")
golden = os.path.join(tmp, "many.pcap")

with FtpServer() as srv:
    open(srv.path("f.bin"), "wb").write(random.Random(1).randbytes(2000))
    s = Sim("bg96", qftp=QFTP, args=["--capture", golden])
    try:
        for c in ['AT+QICSGP=1,1,"UNINET","","",1', "AT+QIACT=1", 'AT+QFTPCFG="contextid",1',
                  'AT+QFTPCFG="account","test","test"']:
            s.at(c)
        s.cmd(f'AT+QFTPOPEN="127.0.0.1",{srv.port}')
        s.expect(b"+QFTPOPEN: 0,0\r\n")
        steps = 5
        while steps < N:
            k = steps % 4
            if k == 0:
                s.at("AT")
            elif k == 1:
                s.at("AT+QFTPSTAT")
            elif k == 2:
                s.cmd('AT+QFTPSIZE="f.bin"')
                s.expect(b"+QFTPSIZE: 0,2000\r\n")
            else:
                s.cmd('AT+QFTPGET="f.bin","COM:",0,500')
                s.expect(b"+QFTPGET: 0,500\r\n")
            steps += 1
    finally:
        s.stop()

    with Sim("bg96", qftp=QFTP, connect=False) as sim:
        js = os.path.join(tmp, "r.json")
        rules = os.path.join(tmp, "r.rules")
        open(rules, "w").write('rewrite ^(AT\\+QFTPOPEN="127\\.0\\.0\\.1",)\\d+$ => \\g<1>${port}\n')
        p = subprocess.run([QFTP, "replay", golden, "--device", f"tcp:127.0.0.1:{sim.port}",
                            "--rules", rules, "-D", f"port={srv.port}", "--json", js],
                           capture_output=True)
        if p.returncode != 0:
            sys.exit(f"replay exited {p.returncode}:\n{p.stdout.decode()}{p.stderr.decode()}")

d = json.load(open(js))
ov = sorted(s["overhead_ns"] / 1e6 for s in d["captures"][0]["steps"] if s["overhead_ns"] is not None)
p90 = ov[int(0.9 * (len(ov) - 1))]
med = statistics.median(ov)
print(f"replay overhead over {len(ov)} steps: median {med:.3f} ms, p90 {p90:.3f} ms, "
      f"max {ov[-1]:.3f} ms (target: median < 1 ms) {'OK' if med < 1 else 'OVER'}")
