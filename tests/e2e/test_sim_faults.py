"""`qftp sim --fault`: every fault does what docs/simulator.md says, per command."""
import os
import socket
import sys
import time

from qftptest import case, done, run, src

sys.path.insert(0, src("simulator", "tools"))
from simclient import OK, FtpServer, Sim, exact, want  # noqa: E402


def login(s, srv):
    for c in ["ATE0", "AT+QIACT=1", 'AT+QFTPCFG="account","test","test"', 'AT+QFTPCFG="transmode",1']:
        s.at(c)
    s.cmd(f'AT+QFTPOPEN="127.0.0.1",{srv.port}')
    s.expect(b"+QFTPOPEN")
    s.expect(b"\r\n")


def delay_urc():
    with FtpServer() as srv, Sim("bg96", args=["--fault", "delay-urc:+QFTPCWD:1500"]) as s:
        login(s, srv)
        s.cmd('AT+QFTPCWD="/"')
        want(s, OK)
        assert s.quiet(1.0) == b""
        want(s, b"\r\n+QFTPCWD: 0,0\r\n", 3)


def drop_urc():
    with FtpServer() as srv, Sim("bg96", args=["--fault", "drop-urc:QFTPOPEN"]) as s:
        for c in ["ATE0", "AT+QIACT=1", 'AT+QFTPCFG="account","test","test"']:
            s.at(c)
        exact(s, f'AT+QFTPOPEN="127.0.0.1",{srv.port}', OK)
        assert s.quiet(1.5) == b""
        exact(s, "AT+QFTPSTAT", b"\r\n+QFTPSTAT: 0,1\r\n" + OK)  # it did open


def error_code():
    with FtpServer() as srv, Sim("bg96", args=["--fault", "error-code:+QFTPCWD:605"]) as s:
        login(s, srv)
        exact(s, 'AT+QFTPCWD="/"', OK + b"\r\n+QFTPCWD: 0,0\r\n")  # success untouched
        exact(s, 'AT+QFTPCWD="nodir"', OK + b"\r\n+QFTPCWD: 605,550\r\n")
    with FtpServer() as srv, Sim("gsm", args=["--fault", "error-code:+QFTPPATH:9"]) as s:
        s.at("ATE0")
        s.at('AT+QFTPUSER="test"')
        s.at('AT+QFTPPASS="test"')
        exact(s, f'AT+QFTPOPEN="127.0.0.1",{srv.port}', OK + b"\r\n+QFTPOPEN:0\r\n")
        exact(s, 'AT+QFTPPATH="nodir"', OK + b"\r\n+QFTPPATH:-9\r\n")
    with Sim("bg96", args=["--fault", "error-code:+QFDEL:999"]) as s:
        s.at("ATE0")
        exact(s, 'AT+QFDEL="x"', b"\r\n+CME ERROR: 999\r\n")


def answer_error():
    with Sim("bg96", args=["--fault", "answer-error:+QFTPSTAT"]) as s:
        s.at("ATE0")
        exact(s, "AT+QFTPSTAT", b"\r\nERROR\r\n")
        exact(s, "AT+QFTPLEN", OK + b"\r\n+QFTPLEN: 0,0\r\n")  # other commands untouched


def no_space():
    with FtpServer() as srv, Sim("bg96", args=["--fault", "no-space:+QFTPOPEN"]) as s:
        for c in ["ATE0", "AT+QIACT=1", 'AT+QFTPCFG="account","test","test"']:
            s.at(c)
        exact(s, f'AT+QFTPOPEN="127.0.0.1",{srv.port}', OK + b"\r\n+QFTPOPEN:0,0\r\n")
        exact(s, "AT+QFTPSTAT", b"\r\n+QFTPSTAT: 0,1\r\n" + OK)


def swap_ok_urc():
    with FtpServer() as srv, Sim("bg96", args=["--fault", "swap-ok-urc:+QFTPCWD"]) as s:
        login(s, srv)
        exact(s, 'AT+QFTPCWD="/"', b"\r\n+QFTPCWD: 0,0\r\n" + OK)


def truncate():
    with FtpServer() as srv, Sim("bg96", args=["--fault", "truncate:+QFTPGET:100"]) as s:
        d = os.urandom(1000)
        open(srv.path("f"), "wb").write(d)
        login(s, srv)
        exact(s, 'AT+QFTPGET="f","COM:"', b"\r\nCONNECT\r\n" + d[:100] + OK + b"\r\n+QFTPGET: 0,1000\r\n")
    with FtpServer() as srv, Sim("bg96", args=["--fault", "truncate:+QFTPPUT:10"]) as s:
        login(s, srv)
        exact(s, 'AT+QFTPPUT="u","COM:",0,50,1', b"\r\nCONNECT\r\n")
        s.send(b"x" * 50)
        want(s, OK + b"\r\n+QFTPPUT: 0,50\r\n")
        assert os.path.getsize(srv.path("u")) == 10


def stall():
    with FtpServer() as srv, Sim("bg96", args=["--fault", "stall:+QFTPGET:300"]) as s:
        d = os.urandom(5000)
        open(srv.path("f"), "wb").write(d)
        login(s, srv)
        exact(s, 'AT+QFTPGET="f","COM:"', b"\r\nCONNECT\r\n" + d[:300])
        assert s.quiet(2) == b""  # nothing more: no data, no OK, no URC


def disconnect():
    with FtpServer() as srv, Sim("bg96", args=["--fault", "disconnect:+QFTPGET:2000"]) as s:
        open(srv.path("f"), "wb").write(os.urandom(100000))
        login(s, srv)
        s.cmd('AT+QFTPGET="f","COM:"')
        got = b""
        try:
            while True:
                got += s.read_exact(1, 5)
        except EOFError:
            pass
        assert len(got) == 11 + 2000, len(got)  # CONNECT and the first 2000 bytes
        s.connect()  # ready for the next host, as a fresh module
        exact(s, "AT+QFTPSTAT", b"AT+QFTPSTAT\r\r\n+QFTPSTAT: 0,4\r\n" + OK)
    with Sim("gsm", args=["--fault", "disconnect:+QFTPSTAT"]) as s:
        s.cmd("AT+QFTPSTAT")
        try:
            s.read_exact(100, 5)
            raise AssertionError("still connected")
        except EOFError:
            pass


def extra_urc():
    # the default line is device-quirks.md's URC of a deactivated context; it follows the
    # command's final result, whatever that is; other commands are untouched
    with Sim("bg96", args=["--fault", "extra-urc:+QFTPSTAT", "--fault",
                           "extra-urc:AT+QFTPLEN:+QIND: \"csq\",99,99"]) as s:
        s.at("ATE0")
        exact(s, "AT+QFTPSTAT", b"\r\n+QFTPSTAT: 0,4\r\n" + OK + b'\r\n+QIURC: "pdpdeact",1\r\n')
        exact(s, "AT+QFTPLEN", OK + b'\r\n+QFTPLEN: 0,0\r\n\r\n+QIND: "csq",99,99\r\n')
        exact(s, "AT+QFTPSTAT=?", OK + b'\r\n+QIURC: "pdpdeact",1\r\n')
        exact(s, "AT", OK)
    with Sim("gsm", args=["--fault", "extra-urc:*:RDY"]) as s:
        exact(s, "ATE0", b"ATE0\r" + OK + b"\r\nRDY\r\n")


def bad_specs():
    for spec in ("explode", "error-code:+QFTPCWD", "stall:+QFTPGET:x", "extra-urc:*:",
                 "extra-urc:*:" + "x" * 200):
        p = run("sim", "--dialect", "bg96", "--listen", "127.0.0.1:0", "--fault", spec)
        assert p.returncode == 2 and b"fault" in p.stderr, (spec, p.stderr)
    assert run("sim", "--dialect", "xyz", "--listen", "127.0.0.1:0").returncode == 2
    assert run("sim", "--dialect", "gsm").returncode == 2


def seeded_split():
    """--seed splits writes at random points; the bytes stay the same."""
    with Sim("bg96", args=["--seed", "7"]) as s:
        s.at("ATE0")
        for _ in range(20):
            exact(s, "AT+QFTPSTAT", b"\r\n+QFTPSTAT: 0,4\r\n" + OK)


case("delay-urc holds the completion URC", delay_urc)
case("drop-urc never sends the completion URC", drop_urc)
case("error-code replaces failure codes (BG96 URC, GSM URC, +CME ERROR)", error_code)
case("answer-error answers ERROR for that command only", answer_error)
case("no-space drops the space after the colon", no_space)
case("swap-ok-urc sends the URC before the OK", swap_ok_urc)
case("truncate passes only N data bytes (download and upload)", truncate)
case("stall stops a transfer for good", stall)
case("disconnect drops the link mid-transfer or at a command", disconnect)
case("extra-urc sends an unsolicited line after the command's final result", extra_urc)
case("bad --fault specs and options are usage errors", bad_specs)
case("--seed splits writes, same bytes", seeded_split)
done()
