"""`qftp sim --dialect gsm` against a real FTP server: the GSM manual's examples
(chapter 4) give the manual's response sequences (no space after the colon, word
states), files really arrive on and come from the server (checksums)."""
import os
import re
import sys
import time

from qftptest import case, done, src

sys.path.insert(0, src("simulator", "tools"))
from simclient import OK, FtpServer, Sim, exact, want  # noqa: E402


def open_4_1(s, srv):
    s.at("ATE0")
    exact(s, "AT+QIFGCNT=0", OK)
    exact(s, 'AT+QICSGP=1,"CMNET"', OK)
    exact(s, 'AT+QFTPUSER="test"', OK)
    exact(s, 'AT+QFTPPASS="test"', OK)
    exact(s, f'AT+QFTPOPEN="127.0.0.1", {srv.port}', OK + b"\r\n+QFTPOPEN:0\r\n")


def manual_4_1_open():
    with FtpServer() as srv, Sim("gsm") as s:
        open_4_1(s, srv)
        exact(s, "AT+QFTPSTAT", b"\r\n+QFTPSTAT:OPENED\r\n" + OK)
        exact(s, "AT+QFTPOPEN?", f'\r\n+QFTPOPEN:"127.0.0.1",{srv.port}\r\n'.encode() + OK)
        exact(s, "AT+QFTPUSER?", b'\r\n+QFTPUSER:"test"\r\n' + OK)
        exact(s, 'AT+QFTPUSER="other"', b"\r\nERROR\r\n")  # only while idle (GSM 2.2.6)


def manual_4_2_upload():
    with FtpServer() as srv, Sim("gsm") as s:
        open_4_1(s, srv)
        d = os.urandom(1587)
        exact(s, 'AT+QFTPPATH="/"', OK + b"\r\n+QFTPPATH:0\r\n")
        exact(s, 'AT+QFTPPUT="sscom.ini", 1587,200', OK + b"\r\nCONNECT\r\n")
        s.send(d)
        want(s, b"\r\n+QFTPPUT:1587\r\n")
        assert open(srv.path("sscom.ini"), "rb").read() == d
        # 4.2.2 a file in UFS
        u = os.urandom(1587)
        open(os.path.join(s.ufs, "sscom.ini"), "wb").write(u)
        exact(s, 'AT+QFTPCFG=4,"/UFS/"', OK + b"\r\n+QFTPCFG:0\r\n")
        exact(s, 'AT+QFTPPATH=""', OK + b"\r\n+QFTPPATH:0\r\n")
        exact(s, 'AT+QFTPPUT="sscom.ini", 1587,200', OK + b"\r\n+QFTPPUT:1587\r\n")
        assert open(srv.path("sscom.ini"), "rb").read() == u
        # 4.2.3 a specified file in UFS
        t = os.urandom(900)
        open(os.path.join(s.ufs, "test.txt"), "wb").write(t)
        exact(s, 'AT+QFTPCFG=4,"/UFS/test.txt"', OK + b"\r\n+QFTPCFG:0\r\n")
        exact(s, 'AT+QFTPPUT="sscom.ini", 1587,200', OK + b"\r\n+QFTPPUT:900\r\n")  # real size
        assert open(srv.path("sscom.ini"), "rb").read() == t
        exact(s, "AT+QFTPLEN", b"\r\n+QFTPLEN: 900\r\n" + OK)  # with a space (device-quirks.md)
        # RAM and SD work alike
        exact(s, 'AT+QFTPCFG=4,"/RAM/r.bin"', OK + b"\r\n+QFTPCFG:0\r\n")
        exact(s, 'AT+QFTPPUT="r.bin",0', OK + b"\r\n+QFTPPUT:-11\r\n")  # not in RAM
        exact(s, 'AT+QFTPCFG=4,"/NOPE/"', OK + b"\r\n+QFTPCFG:-10\r\n")


def manual_4_3_download():
    with FtpServer() as srv, Sim("gsm") as s:
        d = os.urandom(1587)
        open(srv.path("sscom.ini"), "wb").write(d)
        open_4_1(s, srv)
        exact(s, 'AT+QFTPPATH="/"', OK + b"\r\n+QFTPPATH:0\r\n")
        exact(s, 'AT+QFTPGET="sscom.ini"', OK + b"\r\nCONNECT\r\n" + d + b"\r\n+QFTPGET:1587\r\n")
        exact(s, "AT", OK)
        exact(s, 'AT+QFTPCFG=4,"/UFS/"', OK + b"\r\n+QFTPCFG:0\r\n")
        exact(s, 'AT+QFTPPATH=""', OK + b"\r\n+QFTPPATH:0\r\n")
        exact(s, 'AT+QFTPGET="sscom.ini"', OK + b"\r\n+QFTPGET:1587\r\n")
        assert open(os.path.join(s.ufs, "sscom.ini"), "rb").read() == d
        exact(s, 'AT+QFTPCFG=4,"/UFS/dwl.txt"', OK + b"\r\n+QFTPCFG:0\r\n")
        exact(s, 'AT+QFTPPATH="/"', OK + b"\r\n+QFTPPATH:0\r\n")
        exact(s, 'AT+QFTPGET="sscom.ini"', OK + b"\r\n+QFTPGET:1587\r\n")
        assert open(os.path.join(s.ufs, "dwl.txt"), "rb").read() == d
        exact(s, 'AT+QFTPGET="nofile"', OK + b"\r\n+QFTPGET:-550\r\n")


def manual_4_4_resume_4_5_close():
    with FtpServer() as srv, Sim("gsm") as s:
        open_4_1(s, srv)
        d = os.urandom(3587)
        exact(s, 'AT+QFTPPUT="sscom.ini",1587,200', OK + b"\r\nCONNECT\r\n")
        s.send(d[:1587])
        want(s, b"\r\n+QFTPPUT:1587\r\n")
        exact(s, "AT+QFTPCFG=3,1587", OK + b"\r\n+QFTPCFG:0\r\n")
        exact(s, 'AT+QFTPPUT="sscom.ini",2000,200', OK + b"\r\nCONNECT\r\n")
        s.send(d[1587:])
        want(s, b"\r\n+QFTPPUT:2000\r\n")
        assert open(srv.path("sscom.ini"), "rb").read() == d
        exact(s, "AT+QFTPCFG=3", OK + b"\r\n+QFTPCFG:0\r\n")  # reset after the transfer
        exact(s, "AT+QFTPCFG=3,1587", OK + b"\r\n+QFTPCFG:0\r\n")
        exact(s, 'AT+QFTPGET="sscom.ini"', OK + b"\r\nCONNECT\r\n" + d[1587:] + b"\r\n+QFTPGET:2000\r\n")
        exact(s, "AT+QFTPCLOSE", OK + b"\r\n+QFTPCLOSE:0\r\n")
        exact(s, "AT+QIDEACT", b"\r\nDEACT OK\r\n")
        exact(s, "AT+QFTPSTAT", b"\r\n+QFTPSTAT:CLOSED\r\n" + OK)
        exact(s, "AT+QFTPCLOSE", OK + b"\r\n+QFTPCLOSE:-1\r\n")  # no session (device-quirks.md)


def forms_and_errors():
    with FtpServer() as srv, Sim("gsm", args=["--rsptimeout", "3"]) as s:
        s.at("ATE0")
        for cmd, text in (("OPEN", '"HOST NAME",(1-65535)'), ("PUT", '"FILE NAME",<fileSz>,(1-65535)'),
                          ("GET", '"FILE NAME"'), ("PATH", '"PATH NAME"'), ("USER", '"USER NAME"'),
                          ("PASS", '"PASSWORD"'), ("CFG", "(1-4)")):
            exact(s, f"AT+QFTP{cmd}=?", f"\r\n+QFTP{cmd}: {text}\r\n".encode() + OK)
        for cmd in ("CLOSE", "STAT", "LEN"):
            exact(s, f"AT+QFTP{cmd}=?", OK)
        exact(s, "AT+QFTPSTAT", b"\r\n+QFTPSTAT:IDLE\r\n" + OK)
        exact(s, "AT+QFTPCWD=\"/\"", b"\r\nERROR\r\n")  # a BG96 command
        exact(s, 'AT+QFTPOPEN="127.0.0.1",70000', b"\r\nERROR\r\n")  # port range
        exact(s, 'AT+QFTPPASS="wrong"', OK)
        exact(s, f'AT+QFTPUSER="test"', OK)
        exact(s, f'AT+QFTPOPEN="127.0.0.1",{srv.port}', OK + b"\r\n+QFTPOPEN:-530\r\n")
        exact(s, 'AT+QFTPOPEN="no-such-host.invalid",21', OK + b"\r\n+QFTPOPEN:-4\r\n", 30)
        exact(s, 'AT+QFTPPASS="test"', OK)
        s.send(f'AT+QFTPOPEN="127.0.0.1",{srv.port}\rAT+QFTPPATH="/"\r'.encode())  # one write
        out = s.expect(b"+QFTPOPEN:0\r\n")
        assert b"+QFTPPATH:-3" in out, out  # busy while opening
        exact(s, 'AT+QFTPPATH="nodir"', OK + b"\r\n+QFTPPATH:-550\r\n")
        exact(s, "ATI", b"\r\nQuectel_Ltd\r\nQuectel_M95\r\nRevision: M95FAR02A08\r\n" + OK)
        exact(s, "AT+CMEE?", b"\r\n+CMEE: 0\r\n" + OK)
        # +++ ends a COM: upload before its size (GSM 2.2.3 note)
        exact(s, 'AT+QFTPPUT="part.bin",5000,200', OK + b"\r\nCONNECT\r\n")
        s.send(b"abcdef")
        # the guard time before "+++" is 1 s as the module sees it: a loaded machine may
        # hand it the data late, so the host waits 2 s
        time.sleep(2.0)
        s.send(b"+++")
        want(s, b"\r\n+QFTPPUT:6\r\n", 10)
        assert open(srv.path("part.bin"), "rb").read() == b"abcdef"
        # <time>: the module stops waiting for data
        exact(s, 'AT+QFTPPUT="slow.bin",5000,2', OK + b"\r\nCONNECT\r\n")
        s.send(b"xyz")
        want(s, b"\r\n+QFTPPUT:3\r\n", 10)


case("GSM 4.1 open an FTP service", manual_4_1_open)
case("GSM 4.2 upload (UART, UFS, specified UFS file)", manual_4_2_upload)
case("GSM 4.3 download (UART, UFS, specified UFS file)", manual_4_3_download)
case("GSM 4.4 resume upload and download, 4.5 close", manual_4_4_resume_4_5_close)
case("GSM test forms, failures (-530, -4, -3, -550), +++ and <time>", forms_and_errors)
done()
