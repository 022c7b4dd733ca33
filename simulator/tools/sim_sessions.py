#!/usr/bin/env python3
"""Records real sessions with the simulator into captures/sim-*.pcap (run by
scripts/make-captures.sh): every FTP command of both dialects, successes, and each
failure class (login refused, no such file, DNS failure, busy, timeout, data
connection failure). usage: sim_sessions.py QFTP_BIN OUTDIR"""
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simclient import FtpServer, Sim  # noqa: E402

QFTP, OUT = sys.argv[1], sys.argv[2]
R = re.compile


def data(n, seed):
    return random.Random(seed).randbytes(n)


def urc(s, name):
    return s.expect(R(rb"\+" + name.encode() + rb": ?[^\r]*\r\n"), 30)


def bg96_setup(s, port, extra=()):
    for c in ['AT+QICSGP=1,1,"UNINET","","",1', "AT+QIACT=1", 'AT+QFTPCFG="contextid",1',
              'AT+QFTPCFG="account","test","test"', 'AT+QFTPCFG="filetype",0',
              'AT+QFTPCFG="transmode",1', 'AT+QFTPCFG="rsptimeout",90', *extra]:
        s.at(c)
    if port:
        s.cmd(f'AT+QFTPOPEN="127.0.0.1",{port}')
        return urc(s, "QFTPOPEN")


def gsm_setup(s, port, password="test", host="127.0.0.1"):
    for c in ["AT+QIFGCNT=0", 'AT+QICSGP=1,"CMNET"', 'AT+QFTPUSER="test"', f'AT+QFTPPASS="{password}"']:
        s.at(c)
    s.cmd(f'AT+QFTPOPEN="{host}",{port}')
    return urc(s, "QFTPOPEN")


def session(name, dialect, fn, srv_kw=None, sim_args=()):
    path = os.path.join(OUT, f"sim-{dialect}-{name}.pcap")
    with FtpServer(**(srv_kw or {})) as srv:
        s = Sim(dialect, qftp=QFTP, args=["--capture", path, *sim_args])
        try:
            fn(s, srv)
            time.sleep(0.2)
        finally:
            rc = s.stop()
        if rc != 0 or not os.path.exists(path):
            raise SystemExit(f"{path}: simulator exited {rc}")
    print(path)


def bg96_commands(s, srv):
    open(srv.path("test_my1.txt"), "wb").write(data(1000, 1))
    s.at("AT+QFTPCFG=?")
    bg96_setup(s, srv.port)
    s.at("AT+QFTPSTAT")
    for c, n in (('AT+QFTPCWD="/"', "QFTPCWD"), ("AT+QFTPPWD", "QFTPPWD"), ('AT+QFTPMKDIR="TEST"', "QFTPMKDIR"),
                 ('AT+QFTPRENAME="TEST","TEST_NEW"', "QFTPRENAME"), ('AT+QFTPRMDIR="TEST_NEW"', "QFTPRMDIR"),
                 ('AT+QFTPSIZE="test_my1.txt"', "QFTPSIZE"), ('AT+QFTPMDTM="test_my1.txt"', "QFTPMDTM")):
        s.cmd(c)
        urc(s, n)
    s.cmd('AT+QFTPPUT="test.txt","COM:",0,1024,1')
    s.expect(b"CONNECT\r\n")
    s.send(data(1024, 2))
    urc(s, "QFTPPUT")
    s.cmd('AT+QFTPPUT="test_my.txt","COM:",0')
    s.expect(b"CONNECT\r\n")
    s.send(data(700, 3))
    time.sleep(1.2)
    s.send(b"+++")
    urc(s, "QFTPPUT")
    s.cmd("AT+QFTPLEN")
    urc(s, "QFTPLEN")
    s.cmd('AT+QFUPL="test_ufs.txt",500,60')
    s.expect(b"CONNECT\r\n")
    s.send(data(500, 4))
    s.expect(b"OK\r\n")
    s.at('AT+QFLST="*"')
    s.cmd('AT+QFTPPUT="test_up.txt","test_ufs.txt",0')
    urc(s, "QFTPPUT")
    s.cmd('AT+QFTPGET="test.txt","COM:"')
    urc(s, "QFTPGET")
    s.cmd('AT+QFTPGET="test.txt","COM:",512,256')
    urc(s, "QFTPGET")
    s.cmd('AT+QFTPGET="test.txt","test2.txt",100')
    urc(s, "QFTPGET")
    for c in ("LIST", "NLST", "MLSD"):
        s.cmd(f'AT+QFTP{c}="."')
        urc(s, "QFTP" + c)
        s.cmd(f'AT+QFTP{c}=".","{c.lower()}.txt"')
        urc(s, "QFTP" + c)
    s.cmd('AT+QFTPDEL="test_up.txt"')
    urc(s, "QFTPDEL")
    s.at('AT+QFDEL="*"')
    s.cmd("AT+QFTPCLOSE")
    urc(s, "QFTPCLOSE")
    s.at("AT+QIDEACT=1")


def bg96_ftps(s, srv):
    bg96_setup(s, srv.port, ['AT+QFTPCFG="ssltype",2', 'AT+QFTPCFG="sslctxid",1',
                             'AT+QSSLCFG="ciphersuite",1,0xffff', 'AT+QSSLCFG="seclevel",1,0'])
    s.cmd('AT+QFTPPUT="tls.txt","COM:",0,300,1')
    s.expect(b"CONNECT\r\n")
    s.send(data(300, 5))
    urc(s, "QFTPPUT")
    s.cmd('AT+QFTPGET="tls.txt","COM:"')
    urc(s, "QFTPGET")
    s.cmd("AT+QFTPCLOSE")
    urc(s, "QFTPCLOSE")


def bg96_login_refused(s, srv):
    bg96_setup(s, 0, ['AT+QFTPCFG="account","test","wrong"'])
    s.cmd(f'AT+QFTPOPEN="127.0.0.1",{srv.port}')
    urc(s, "QFTPOPEN")


def bg96_no_such_file(s, srv):
    bg96_setup(s, srv.port)
    for c, n in (('AT+QFTPSIZE="missing.txt"', "QFTPSIZE"), ('AT+QFTPGET="missing.txt","x.txt"', "QFTPGET"),
                 ('AT+QFTPCWD="nodir"', "QFTPCWD"), ('AT+QFTPDEL="missing.txt"', "QFTPDEL")):
        s.cmd(c)
        urc(s, n)
    s.at('AT+QFTPGET="missing.txt","COM:"')


def bg96_dns(s, srv):
    bg96_setup(s, 0)
    s.cmd('AT+QFTPOPEN="no-such-host.invalid",21')
    urc(s, "QFTPOPEN")


def bg96_busy(s, srv):
    open(srv.path("big.bin"), "wb").write(data(20 << 20, 7))
    bg96_setup(s, srv.port)
    s.at('AT+QFTPGET="big.bin","big.bin"')
    s.at('AT+QFTPCWD="/"')  # +CME ERROR: 603 while the transfer runs
    urc(s, "QFTPGET")
    s.cmd("AT+QFTPCLOSE")
    s.expect(b"OK\r\n")
    s.at('AT+QFTPCWD="/"')  # 603 while closing
    urc(s, "QFTPCLOSE")
    s.at('AT+QFDEL="big.bin"')


def bg96_timeout(s, srv):
    bg96_setup(s, 0, ['AT+QFTPCFG="rsptimeout",20'])
    s.cmd(f'AT+QFTPOPEN="127.0.0.1",{srv.port}')
    urc(s, "QFTPOPEN")


def bg96_upload_timeout(s, srv):
    bg96_setup(s, srv.port, ['AT+QFTPCFG="rsptimeout",20'])
    s.cmd('AT+QFTPPUT="slow.txt","COM:",0')
    s.expect(b"CONNECT\r\n")
    s.send(b"some data, then silence")
    urc(s, "QFTPPUT")


def bg96_data_connection(s, srv):
    bg96_setup(s, srv.port)
    s.at('AT+QFTPGET="a.txt","COM:"')
    s.at('AT+QFTPCWD="/"')
    s.cmd("AT+QFTPCLOSE")
    urc(s, "QFTPCLOSE")


def gsm_commands(s, srv):
    s.at("AT+QFTPOPEN=?")
    gsm_setup(s, srv.port)
    s.at("AT+QFTPSTAT")
    s.cmd('AT+QFTPPATH="/"')
    urc(s, "QFTPPATH")
    s.cmd('AT+QFTPPUT="sscom.ini",1587,200')
    s.expect(b"CONNECT\r\n")
    s.send(data(1587, 6))
    urc(s, "QFTPPUT")
    s.cmd("AT+QFTPCFG=3,1000")
    urc(s, "QFTPCFG")
    s.cmd('AT+QFTPGET="sscom.ini"')
    urc(s, "QFTPGET")
    s.at("AT")
    s.at("AT+QFTPLEN")
    s.cmd('AT+QFTPCFG=4,"/UFS/dwl.txt"')
    urc(s, "QFTPCFG")
    s.cmd('AT+QFTPGET="sscom.ini"')
    urc(s, "QFTPGET")
    s.cmd('AT+QFTPPUT="copy.ini",0,200')
    urc(s, "QFTPPUT")
    s.cmd("AT+QFTPCLOSE")
    urc(s, "QFTPCLOSE")
    s.at("AT+QIDEACT")


def gsm_login_refused(s, srv):
    gsm_setup(s, srv.port, password="wrong")


def gsm_no_such_file(s, srv):
    gsm_setup(s, srv.port)
    s.cmd('AT+QFTPGET="missing.txt"')
    urc(s, "QFTPGET")
    s.cmd('AT+QFTPPATH="nodir"')
    urc(s, "QFTPPATH")


def gsm_dns(s, srv):
    gsm_setup(s, 21, host="no-such-host.invalid")


def gsm_busy(s, srv):
    open(srv.path("big.bin"), "wb").write(data(20 << 20, 8))
    gsm_setup(s, srv.port)
    s.cmd('AT+QFTPCFG=4,"/UFS/big.bin"')
    urc(s, "QFTPCFG")
    s.at('AT+QFTPGET="big.bin"')
    s.cmd('AT+QFTPPATH="/"')  # -3 while the transfer runs
    urc(s, "QFTPPATH")
    urc(s, "QFTPGET")


def gsm_timeout(s, srv):
    gsm_setup(s, srv.port)


def gsm_data_connection(s, srv):
    gsm_setup(s, srv.port)
    s.cmd('AT+QFTPGET="a.txt"')
    urc(s, "QFTPGET")


os.makedirs(OUT, exist_ok=True)
session("commands", "bg96", bg96_commands)
session("ftps", "bg96", bg96_ftps, {"tls": "explicit"})
session("login-refused", "bg96", bg96_login_refused)
session("no-such-file", "bg96", bg96_no_such_file)
session("dns-failure", "bg96", bg96_dns)
# a 20 MB transfer into the storage keeps the service busy: more than the modules hold
session("busy", "bg96", bg96_busy, sim_args=["--storage", "UFS=32M"])
session("timeout", "bg96", bg96_timeout, {"mute": True})
session("upload-timeout", "bg96", bg96_upload_timeout)
session("data-connection", "bg96", bg96_data_connection, {"fail_pasv": True})
session("commands", "gsm", gsm_commands)
session("login-refused", "gsm", gsm_login_refused)
session("no-such-file", "gsm", gsm_no_such_file)
session("dns-failure", "gsm", gsm_dns)
session("busy", "gsm", gsm_busy, sim_args=["--storage", "UFS=32M"])
session("timeout", "gsm", gsm_timeout, {"mute": True}, ["--rsptimeout", "5"])
session("data-connection", "gsm", gsm_data_connection, {"fail_pasv": True})
