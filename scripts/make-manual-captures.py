#!/usr/bin/env python3
"""Writes the manuals' examples as qftp captures (captures/manual-*.pcap) and as the
terminal logs a person would paste (tests/logs/manual-*.log).

The examples follow GSM_FTP_ATC_V1.1 section 4 and BG96_FTP(S)_AT_Commands_Manual_V1.0
sections 2 and 3 line by line; where the manual writes "<Input file data>" the script
sends that many bytes of a sample file. Times are plausible (a few ms per answer, the
1 s guard times around "+++", seconds for a login). The pcap writer here is independent
of libqftp on purpose: it follows docs/capture-format.md, so reading these files with
qftp checks the document and the reader together.

Usage: scripts/make-manual-captures.py   (from anywhere; rewrites the files)
"""
import os
import struct

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
T0 = 1714557600.0  # 2024-05-01 10:00:00 UTC


def sample(n, seed=0):
    """n bytes of a text file with lines that look like the end of a transfer."""
    lines = [b"sscom.ini line %d\r\n" % i for i in range(1000)]
    lines[3] = b"OK\r\n"
    lines[7] = b"+QFTPGET: 0,12\r\n"
    out = b"".join(lines[seed:] + lines[:seed])
    while len(out) < n:
        out += out
    return out[:n]


class Session:
    def __init__(self):
        self.t = T0
        self.frames = []  # (t, dir, bytes)
        self.log = []     # lines of the pasted terminal log

    def wait(self, s):
        self.t += s

    def host(self, line, dt=0.05):
        self.wait(dt)
        self.frames.append((self.t, 0, line.encode() + b"\r"))
        self.log.append(line)

    def mod(self, *lines, dt=0.02):
        self.wait(dt)
        self.frames.append((self.t, 1, b"".join(b"\r\n" + l.encode() + b"\r\n" for l in lines)))
        self.log.extend(lines)

    def upload(self, data, dt=0.2):
        self.wait(dt)
        for i in range(0, len(data), 512):
            self.frames.append((self.t, 0, data[i:i + 512]))
            self.wait(0.005)
        self.log.append(data.decode("latin-1").rstrip("\r\n").replace("\r\n", "\n"))

    def download(self, data, dt=0.2):
        self.wait(dt)
        for i in range(0, len(data), 1024):
            self.frames.append((self.t, 1, data[i:i + 1024]))
            self.wait(0.004)
        self.log.append(data.decode("latin-1").rstrip("\r\n").replace("\r\n", "\n"))

    def raw(self, direction, b, dt=0.02):
        self.wait(dt)
        self.frames.append((self.t, direction, b))

    def escape(self):
        """+++ with 1.2 s of silence before and after (BG96 manual 1.2)."""
        self.wait(1.2)
        self.frames.append((self.t, 0, b"+++"))
        self.log.append("+++")
        self.wait(1.2)


def tlv(tag, value):
    return struct.pack(">HH", tag, len(value)) + value


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 252))
        for t, d, payload in frames:
            body = tlv(12, b"qftp") + tlv(35, struct.pack(">i", d)) + tlv(0, b"") + payload
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(body), len(body)) + body)


# ---- GSM manual, section 4 --------------------------------------------------------------

def gsm_4_1(s):
    s.host("AT+QIFGCNT=0"); s.mod("OK")
    s.host('AT+QICSGP=1,"CMNET"'); s.mod("OK")
    # the manual's example writes AT+QFTPUSE, a typo for AT+QFTPUSER (2.2.6)
    s.host('AT+QFTPUSER="quectel"'); s.mod("OK")
    s.host('AT+QFTPPASS="123456"'); s.mod("OK")
    s.host('AT+QFTPOPEN="quectel.3322.org", 21'); s.mod("OK")
    s.mod("+QFTPOPEN:0", dt=2.5)


def gsm_4_2(s):
    gsm_4_1(s)
    # 4.2.1 through UART
    s.host('AT+QFTPPATH="/"'); s.mod("OK"); s.mod("+QFTPPATH:0", dt=0.4)
    s.host('AT+QFTPPUT="sscom.ini", 1587,200'); s.mod("OK"); s.mod("CONNECT", dt=0.6)
    s.upload(sample(1587))
    s.mod("+QFTPPUT:1587", dt=0.8)
    # 4.2.2 a file in UFS
    s.host('AT+QFTPCFG=4,"/UFS/"'); s.mod("OK"); s.mod("+QFTPCFG:0")
    s.host('AT+QFTPPATH=""'); s.mod("OK"); s.mod("+QFTPPATH:0", dt=0.3)
    s.host('AT+QFTPPUT="sscom.ini", 1587,200'); s.mod("OK"); s.mod("+QFTPPUT:1587", dt=1.1)
    # 4.2.3 a specified file in UFS
    s.host('AT+QFTPCFG=4,"/UFS/test.txt"'); s.mod("OK"); s.mod("+QFTPCFG:0")


def gsm_4_3(s):
    gsm_4_1(s)
    # 4.3.1 through UART; the manual sends AT afterwards to be sure the download is over
    s.host('AT+QFTPCFG=4,"/COM/"'); s.mod("OK"); s.mod("+QFTPCFG:0")
    s.host('AT+QFTPPATH="/"'); s.mod("OK"); s.mod("+QFTPPATH:0", dt=0.3)
    s.host('AT+QFTPGET="sscom.ini"'); s.mod("OK"); s.mod("CONNECT", dt=0.6)
    s.download(sample(1587, 5))
    s.mod("+QFTPGET:1587", dt=0.01)
    s.host("AT", dt=0.5); s.mod("OK")
    # 4.3.2 into UFS, 4.3.3 into a specified file
    s.host('AT+QFTPCFG=4,"/UFS/"'); s.mod("OK"); s.mod("+QFTPCFG:0")
    s.host('AT+QFTPPATH=""'); s.mod("OK"); s.mod("+QFTPPATH:0", dt=0.3)
    s.host('AT+QFTPGET="sscom.ini"'); s.mod("OK"); s.mod("+QFTPGET:1587", dt=1.2)
    s.host('AT+QFTPCFG=4,"/UFS/dwl.txt"'); s.mod("OK"); s.mod("+QFTPCFG:0")
    s.host('AT+QFTPPATH="/"'); s.mod("OK"); s.mod("+QFTPPATH:0", dt=0.3)
    s.host('AT+QFTPGET="sscom.ini"'); s.mod("OK"); s.mod("+QFTPGET:1587", dt=1.2)


def gsm_4_4_4_5(s):
    gsm_4_1(s)
    # 4.4.1 upload in two parts from the resuming point
    s.host('AT+QFTPPUT="sscom.ini",1587,200'); s.mod("OK"); s.mod("CONNECT", dt=0.6)
    whole = sample(3587)
    s.upload(whole[:1587]); s.mod("+QFTPPUT:1587", dt=0.8)
    s.host("AT+QFTPCFG=3,1587"); s.mod("OK"); s.mod("+QFTPCFG:0")
    s.host('AT+QFTPPUT="sscom.ini",2000,200'); s.mod("OK"); s.mod("CONNECT", dt=0.6)
    s.upload(whole[1587:]); s.mod("+QFTPPUT:2000", dt=0.8)
    # 4.4.2 download the rest from the resuming point
    s.host("AT+QFTPCFG=3,1587"); s.mod("OK"); s.mod("+QFTPCFG:0")
    s.host('AT+QFTPGET="sscom.ini"'); s.mod("OK"); s.mod("CONNECT", dt=0.6)
    s.download(whole[1587:]); s.mod("+QFTPGET:2000", dt=0.01)
    # 4.5 close, deactivate; later the server drops an idle session
    s.host("AT+QFTPCLOSE", dt=1.0); s.mod("OK"); s.mod("+QFTPCLOSE:0", dt=0.5)
    s.host("AT+QIDEACT"); s.mod("DEACT OK", dt=0.8)
    s.mod("+QFTPERROR:-421", dt=30)
    s.mod("+QFTPERROR:-6", dt=2)


# ---- BG96 manual, sections 2 and 3 ----------------------------------------------------------

def bg96_3_1(s):
    s.host('AT+QICSGP=1,1,"UNINET","","",1'); s.mod("OK")
    s.host("AT+QIACT=1"); s.mod("OK", dt=1.5)
    s.host("AT+QIACT?"); s.mod('+QIACT: 1,1,1,"10.7.157.1"', "OK")
    s.host('AT+QFTPCFG="contextid",1'); s.mod("OK")
    s.host('AT+QFTPCFG="account","test","test"'); s.mod("OK")
    s.host('AT+QFTPCFG="filetype",1'); s.mod("OK")
    s.host('AT+QFTPCFG="transmode",1'); s.mod("OK")
    s.host('AT+QFTPCFG="rsptimeout",90'); s.mod("OK")
    s.host('AT+QFTPOPEN="quectel.3322.org",21'); s.mod("OK")
    s.mod("+QFTPOPEN: 0,0", dt=2.2)


def bg96_3_2(s):
    s.host('AT+QICSGP=1,1,"UNINET","","",1'); s.mod("OK")
    s.host("AT+QIACT=1"); s.mod("OK", dt=1.5)
    s.host('AT+QFTPCFG="contextid",1'); s.mod("OK")
    s.host('AT+QFTPCFG="account","test","test"'); s.mod("OK")
    s.host('AT+QFTPCFG="filetype",1'); s.mod("OK")
    s.host('AT+QFTPCFG="transmode",1'); s.mod("OK")
    s.host('AT+QFTPCFG="rsptimeout",90'); s.mod("OK")
    s.host('AT+QFTPCFG="ssltype",1'); s.mod("OK")
    s.host('AT+QFTPCFG="sslctxid",1'); s.mod("OK")
    s.host('AT+QSSLCFG="ciphersuite",1,0xffff'); s.mod("OK")
    s.host('AT+QSSLCFG="seclevel",1,0'); s.mod("OK")
    s.host('AT+QSSLCFG="sslversion",1,1'); s.mod("OK")
    s.host('AT+QFTPOPEN="quectel.3322.org",990'); s.mod("OK")
    s.mod("+QFTPOPEN: 0,0", dt=3.1)


def bg96_3_3_3_4(s):
    bg96_3_1(s)
    s.host('AT+QFTPCWD="/"'); s.mod("OK"); s.mod("+QFTPCWD: 0,0", dt=0.3)
    s.host("AT+QFTPPWD"); s.mod("OK"); s.mod("+QFTPPWD: 0,/", dt=0.3)
    s.host('AT+QFTPMKDIR="TEST"'); s.mod("OK"); s.mod("+QFTPMKDIR: 0,0", dt=0.3)
    s.host('AT+QFTPRENAME="TEST","TEST_NEW"'); s.mod("OK"); s.mod("+QFTPRENAME: 0,0", dt=0.4)
    s.host('AT+QFTPRMDIR="TEST_NEW"'); s.mod("OK"); s.mod("+QFTPRMDIR: 0,0", dt=0.3)
    s.host('AT+QFTPSIZE="test_my1.txt"'); s.mod("OK"); s.mod("+QFTPSIZE: 0,1000", dt=0.3)
    s.host('AT+QFTPRENAME="test_my1.txt","test_new.txt"'); s.mod("OK")
    s.mod("+QFTPRENAME: 0,0", dt=0.4)
    s.host('AT+QFTPMDTM="test_new.txt"'); s.mod("OK")
    s.mod('+QFTPMDTM: 0,"20140708110039"', dt=0.3)
    s.host('AT+QFTPDEL="test_new.txt"'); s.mod("OK"); s.mod("+QFTPDEL: 0,0", dt=0.3)


LISTING = (b"-rw-r--r--    1 1000     1000         1000 Jul 08 11:00 test_my1.txt\r\n"
           b"drwxr-xr-x    2 1000     1000         4096 Jul 08 11:02 TEST_2\r\n")
NAMES = b"test_my1.txt\r\nTEST_2\r\n"
MLSD = (b"type=file;size=1000;modify=20140708110039; test_my1.txt\r\n"
        b"type=dir;modify=20140708110200; TEST_2\r\n")


def bg96_3_5(s):
    bg96_3_1(s)
    s.host('AT+QFTPCWD="/"'); s.mod("OK"); s.mod("+QFTPCWD: 0,0", dt=0.3)
    for cmd, body, urc in (('AT+QFTPLIST="."', LISTING, "+QFTPLIST"),
                           ('AT+QFTPNLST="."', NAMES, "+QFTPNLST"),
                           ('AT+QFTPMLSD="."', MLSD, "+QFTPMLSD")):
        s.host(cmd); s.mod("CONNECT", dt=0.7)
        s.download(body)
        s.mod("OK", dt=0.01); s.mod("%s: 0,%d" % (urc, len(body)), dt=0.01)
    s.host('AT+QFTPLIST=".","list.txt"'); s.mod("OK"); s.mod("+QFTPLIST: 0,%d" % len(LISTING), dt=0.8)
    s.host('AT+QFTPNLST=".","nlst.txt"'); s.mod("OK"); s.mod("+QFTPNLST: 0,%d" % len(NAMES), dt=0.8)


def bg96_3_6(s):
    bg96_3_1(s)
    s.host('AT+QFTPCWD="/"'); s.mod("OK"); s.mod("+QFTPCWD: 0,0", dt=0.3)
    s.host("AT+QFTPSTAT"); s.mod("+QFTPSTAT: 0,1", "OK")
    # via COM:, ended by +++ with its guard times
    s.host('AT+QFTPPUT="test_my.txt","COM:",0'); s.mod("CONNECT", dt=0.7)
    s.upload(sample(1000)); s.escape()
    s.mod("OK", dt=0.0); s.mod("+QFTPPUT: 0,1000", dt=0.5)
    s.host("AT+QFTPLEN"); s.mod("OK"); s.mod("+QFTPLEN: 0,1000")
    s.host('AT+QFTPSIZE="test_my.txt"'); s.mod("OK"); s.mod("+QFTPSIZE: 0,1000", dt=0.3)
    # resume at 1000
    s.host('AT+QFTPPUT="test_my.txt","COM:",1000'); s.mod("CONNECT", dt=0.7)
    s.upload(sample(500, 9)); s.escape()
    s.mod("OK", dt=0.0); s.mod("+QFTPPUT: 0,500", dt=0.5)
    # twice 1024 bytes, declared lengths
    s.host('AT+QFTPPUT="test.txt","COM:",0,1024,0'); s.mod("CONNECT", dt=0.7)
    s.upload(sample(1024)); s.mod("OK", dt=0.1); s.mod("+QFTPPUT: 0,1024", dt=0.5)
    s.host('AT+QFTPPUT="test.txt","COM:",1024,1024,1'); s.mod("CONNECT", dt=0.7)
    s.upload(sample(1024, 30)); s.mod("OK", dt=0.1); s.mod("+QFTPPUT: 0,1024", dt=0.5)
    # from UFS: AT+QFUPL first (BG96 FILE manual), then AT+QFTPPUT from the UFS file
    s.host('AT+QFUPL="test_ufs.txt",1000,300,1'); s.mod("CONNECT")
    s.upload(sample(1000, 40)); s.mod("+QFUPL: 1000,707", "OK", dt=0.1)
    s.host('AT+QFLST="*"'); s.mod('+QFLST: "test_ufs.txt",1000', "OK")
    s.host('AT+QFTPPUT="test_my1.txt","test_ufs.txt",0'); s.mod("OK")
    s.mod("+QFTPPUT: 0,1000", dt=1.0)
    s.host("AT+QFTPLEN"); s.mod("OK"); s.mod("+QFTPLEN: 0,1000")
    s.host('AT+QFDEL="test_ufs.txt"'); s.mod("OK")


def bg96_3_7_3_8(s):
    bg96_3_1(s)
    s.host('AT+QFTPCWD="/"'); s.mod("OK"); s.mod("+QFTPCWD: 0,0", dt=0.3)
    s.host('AT+QFTPGET="test_my.txt","COM:"'); s.mod("CONNECT", dt=0.7)
    s.download(sample(1000, 3)); s.mod("OK", dt=0.01); s.mod("+QFTPGET: 0,1000", dt=0.01)
    whole = sample(1000, 11)
    s.host('AT+QFTPGET="test.txt","COM:",0,500'); s.mod("CONNECT", dt=0.7)
    s.download(whole[:500]); s.mod("OK", dt=0.01); s.mod("+QFTPGET: 0,500", dt=0.01)
    s.host('AT+QFTPGET="test.txt","COM:",500,500'); s.mod("CONNECT", dt=0.7)
    s.download(whole[500:]); s.mod("OK", dt=0.01); s.mod("+QFTPGET: 0,500", dt=0.01)
    s.host('AT+QFTPGET="test_my1.txt","test.txt"'); s.mod("OK"); s.mod("+QFTPGET: 0,1000", dt=1.0)
    s.host('AT+QFLST="*"'); s.mod("+QFLST: test.txt,1000", "OK")
    s.host('AT+QFTPGET="test_my1.txt","test1.txt",450'); s.mod("OK"); s.mod("+QFTPGET: 0,550", dt=0.8)
    s.host("AT+QFTPLEN"); s.mod("OK"); s.mod("+QFTPLEN: 0,550")
    # 3.8 log out
    s.host("AT+QFTPCLOSE"); s.mod("OK"); s.mod("+QFTPCLOSE: 0,0", dt=0.6)
    s.host("AT+QIDEACT=1"); s.mod("OK", dt=0.5)


EXAMPLES = {
    "manual-gsm-4.1-open": gsm_4_1,
    "manual-gsm-4.2-upload": gsm_4_2,
    "manual-gsm-4.3-download": gsm_4_3,
    "manual-gsm-4.4-resume-4.5-close": gsm_4_4_4_5,
    "manual-bg96-3.1-login": bg96_3_1,
    "manual-bg96-3.2-ftps-login": bg96_3_2,
    "manual-bg96-3.3-3.4-folders-files": bg96_3_3_3_4,
    "manual-bg96-3.5-listings": bg96_3_5,
    "manual-bg96-3.6-upload": bg96_3_6,
    "manual-bg96-3.7-3.8-download-logout": bg96_3_7_3_8,
}


def main():
    os.makedirs(os.path.join(ROOT, "captures"), exist_ok=True)
    os.makedirs(os.path.join(ROOT, "tests", "logs"), exist_ok=True)
    for name, fn in EXAMPLES.items():
        s = Session()
        fn(s)
        write_pcap(os.path.join(ROOT, "captures", name + ".pcap"), s.frames)
        with open(os.path.join(ROOT, "tests", "logs", name + ".log"), "w", newline="\n") as f:
            f.write("\n".join(s.log) + "\n")
        print(f"{name}: {len(s.frames)} frames")


if __name__ == "__main__":
    main()
