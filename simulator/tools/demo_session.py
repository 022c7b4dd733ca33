#!/usr/bin/env python3
"""The README main job's live part: a real FTP server (pyftpdlib on 127.0.0.1), the
built-in simulator (`qftp sim --dialect bg96 --capture OUT`) and a short host session
through it: log in, upload, download, list, close. Every answer is checked against
what BG96 manual chapter 3 shows, and the uploaded file against the server's copy.

Then the firmware QA job on that recording: `qftp replay` plays it against a fresh
simulator (every step matches, exit 0), and against one with a firmware regression
(`--fault no-space:+QFTPOPEN`, the GSM habit of no space after the colon): the report
names the step and shows the diff, exit 1.

    demo_session.py QFTP_BIN OUT.pcap
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simclient import OK, FtpServer, Sim, exact, want  # noqa: E402


def main():
    qftp, out = sys.argv[1], sys.argv[2]
    payload = b"qftp demo: this file went through the simulated module's COM: port\r\n" * 8
    with FtpServer() as srv:
        with open(srv.path("hello.txt"), "wb") as f:
            f.write(b"Hello from the FTP server\r\n")
        s = Sim("bg96", qftp=qftp, args=["--capture", out])
        try:
            assert s.at("ATE0").endswith(OK)
            for c in ['AT+QICSGP=1,1,"UNINET","","",1', "AT+QIACT=1",
                      'AT+QFTPCFG="contextid",1', 'AT+QFTPCFG="account","test","test"',
                      'AT+QFTPCFG="filetype",0', 'AT+QFTPCFG="transmode",1',
                      'AT+QFTPCFG="rsptimeout",90']:
                exact(s, c, OK)
            exact(s, f'AT+QFTPOPEN="127.0.0.1",{srv.port}', OK + b"\r\n+QFTPOPEN: 0,0\r\n")
            exact(s, 'AT+QFTPCWD="/"', OK + b"\r\n+QFTPCWD: 0,0\r\n")
            s.cmd(f'AT+QFTPPUT="demo.txt","COM:",0,{len(payload)},1')
            want(s, b"\r\nCONNECT\r\n")
            s.send(payload)
            want(s, OK + f"\r\n+QFTPPUT: 0,{len(payload)}\r\n".encode())
            s.cmd('AT+QFTPGET="hello.txt","COM:"')
            want(s, b"\r\nCONNECT\r\nHello from the FTP server\r\n" + OK + b"\r\n+QFTPGET: 0,27\r\n")
            s.cmd('AT+QFTPNLST="."')
            s.expect(b"\r\n+QFTPNLST: 0,")
            s.expect(b"\r\n")
            exact(s, 'AT+QFTPSIZE="missing.txt"', OK + b"\r\n+QFTPSIZE: 627,550\r\n")
            exact(s, "AT+QFTPCLOSE", OK + b"\r\n+QFTPCLOSE: 0,0\r\n")
            with open(srv.path("demo.txt"), "rb") as f:
                assert f.read() == payload, "the uploaded file differs on the server"
        finally:
            rc = s.stop()
        if rc != 0:
            raise SystemExit(f"qftp sim exited {rc}")
        print(f"live session recorded in {out}", flush=True)
        replay(qftp, out, [], 0, "a fresh simulator")
        replay(qftp, out, ["--fault", "no-space:+QFTPOPEN"], 1,
               "a simulator with a regression (--fault no-space:+QFTPOPEN)")


def replay(qftp, golden, faults, want_rc, what):
    """`qftp replay GOLDEN` against a new simulator; prints its report."""
    print(f"\n$ qftp replay {os.path.basename(golden)} --device <{what}>", flush=True)
    with Sim("bg96", qftp=qftp, args=faults, connect=False) as sim:
        p = subprocess.run([qftp, "replay", golden, "--device", f"tcp:127.0.0.1:{sim.port}"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120,
                           env=dict(os.environ, QFTP_NO_PROGRESS="1"))
    out = p.stdout.decode(errors="replace")
    print(out, end="", flush=True)
    if p.returncode != want_rc:
        raise SystemExit(f"qftp replay exited {p.returncode}, expected {want_rc}")
    if want_rc == 1 and "-+QFTPOPEN: 0,0" not in out or want_rc == 1 and "++QFTPOPEN:0,0" not in out:
        raise SystemExit("the replay report does not show the +QFTPOPEN difference")


if __name__ == "__main__":
    main()
