#!/usr/bin/env python3
"""Scale: N simulated modules (default 50) on this machine, each doing a 1 MiB GET and
a 1 MiB PUT through COM: at the same time against one FTP server (pyftpdlib on
127.0.0.1). Checks every transfer byte for byte, reports wall time and the peak
memory (VmHWM) of each simulator process.

    bench/sim_scale.py [--bin build/qftp] [--modules 50] [--size 1048576]
"""
import argparse
import hashlib
import os
import re
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "simulator", "tools"))
from simclient import FtpServer, Sim  # noqa: E402


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def module(i, sim, srv, size, results):
    try:
        s = sim
        for c in ["ATE0", "AT+QIACT=1", 'AT+QFTPCFG="account","test","test"', 'AT+QFTPCFG="transmode",1']:
            s.at(c, timeout=30)
        s.cmd(f'AT+QFTPOPEN="127.0.0.1",{srv.port}')
        s.expect(b"+QFTPOPEN: 0,0\r\n", 30)
        s.cmd('AT+QFTPGET="src.bin","COM:"')
        s.expect(b"\r\nCONNECT\r\n", 30)
        got = s.read_exact(size, 60)
        s.expect(f"+QFTPGET: 0,{size}\r\n".encode(), 30)
        ok_get = hashlib.sha256(got).digest() == results["src_sha"]
        up = os.urandom(size)
        s.cmd(f'AT+QFTPPUT="up{i}.bin","COM:",0,{size},1')
        s.expect(b"\r\nCONNECT\r\n", 30)
        s.send(up)
        s.expect(f"+QFTPPUT: 0,{size}\r\n".encode(), 60)
        ok_put = open(srv.path(f"up{i}.bin"), "rb").read() == up
        s.cmd("AT+QFTPCLOSE")
        s.expect(b"+QFTPCLOSE: 0,0\r\n", 30)
        results[i] = ok_get and ok_put
    except Exception as ex:  # reported below
        log = sim.stderr()[-1500:] if os.environ.get("SIM_VERBOSE") else ""
        results[i] = f"{type(ex).__name__}: {ex}\n{log}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "qftp"))
    ap.add_argument("--modules", type=int, default=50)
    ap.add_argument("--size", type=int, default=1 << 20)
    a = ap.parse_args()
    with FtpServer() as srv:
        src = os.urandom(a.size)
        open(srv.path("src.bin"), "wb").write(src)
        results = {"src_sha": hashlib.sha256(src).digest()}
        extra = ["--verbose"] if os.environ.get("SIM_VERBOSE") else []
        sims = [Sim("bg96", qftp=os.path.abspath(a.bin), args=extra) for _ in range(a.modules)]
        threads = [threading.Thread(target=module, args=(i, sims[i], srv, a.size, results))
                   for i in range(a.modules)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
        hwm = [vm_hwm_kib(s.proc.pid) for s in sims]
        rcs = [s.stop() for s in sims]
    bad = {i: r for i, r in results.items() if i != "src_sha" and r is not True}
    print(f"modules: {a.modules}, each a {a.size} byte GET then PUT through COM:, all at once")
    print(f"wall time: {wall:.2f} s")
    print(f"peak RSS per simulator: min {min(hwm)} KiB, median {sorted(hwm)[len(hwm)//2]} KiB, "
          f"max {max(hwm)} KiB")
    print(f"succeeded: {a.modules - len(bad)}/{a.modules}; clean exits: {rcs.count(0)}/{len(rcs)}")
    for i, r in sorted(bad.items()):
        print(f"  module {i}: {r}")
    sys.exit(0 if not bad and rcs.count(0) == len(rcs) else 1)


if __name__ == "__main__":
    main()
