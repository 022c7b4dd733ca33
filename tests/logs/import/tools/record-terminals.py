#!/usr/bin/env python3
"""Records the real sample logs of tests/logs/import/ that Linux terminal programs write
(minicom, tio, picocom, screen): each program is run on a pty, attached
to `qftp sim --pty` (BG96 dialect, echo on as after power-up) that talks to a real FTP
server (pyftpdlib), and typed one BG96 FTP session into; what the program logs is the
sample. Run it by hand when a sample is to be made again (the programs are not
dependencies of the project):

    apt-get install minicom tio picocom screen
    python3 tests/logs/import/tools/record-terminals.py build/qftp tests/logs/import

The FTP server's port is random, so AT+QFTPOPEN names 21 in the samples: the script
replaces the real port in the log with 21 (the only edit made to a recorded log).
"""
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "simulator", "tools"))
from simclient import FtpServer  # noqa: E402

README = b"".join(b"line %02d of the file on the server, for the download sample\r\n" % i
                  for i in range(1, 8))

SESSION = [
    ("AT+QIACT=1", b"OK"),
    ('AT+QFTPCFG="contextid",1', b"OK"),
    ('AT+QFTPCFG="account","test","test"', b"OK"),
    ('AT+QFTPOPEN="127.0.0.1",PORT', b"+QFTPOPEN:"),
    ('AT+QFTPCWD="/"', b"+QFTPCWD:"),
    ('AT+QFTPSIZE="readme.txt"', b"+QFTPSIZE:"),
    ('AT+QFTPGET="readme.txt","COM:"', b"+QFTPGET:"),
    ("AT+QFTPSTAT", b"+QFTPSTAT:"),
    ("AT+QFTPCLOSE", b"+QFTPCLOSE:"),
]


class Term:
    """A program on a pty; what it prints is read and kept, keys are typed into it."""

    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(argv[0], argv, env)
        self.out = b""

    def pump(self, secs):
        end = time.monotonic() + secs
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    self.out += os.read(self.fd, 65536)
                except OSError:
                    return

    def wait_for(self, pat, since, secs=15):
        end = time.monotonic() + secs
        while pat not in self.out[since:] and time.monotonic() < end:
            self.pump(0.05)
        return pat in self.out[since:]

    def type(self, text, per_key=0.01):
        for ch in text:
            os.write(self.fd, ch if isinstance(ch, bytes) else bytes([ch]))
            time.sleep(per_key)

    def finish(self):
        try:
            os.kill(self.pid, 15)
        except ProcessLookupError:
            pass
        self.pump(0.5)
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        os.close(self.fd)


def session(term, port):
    term.pump(1.0)
    for line, until in SESSION:
        since = len(term.out)
        term.type(line.replace("PORT", str(port)).encode() + b"\r")
        if not term.wait_for(until, since):
            raise RuntimeError(f"no {until!r} after {line}: {term.out[-300:]!r}")
        term.pump(0.4)


PROGRAMS = {
    # name: (argv with {dev} and {log}, keys that quit, file name)
    "minicom": (["minicom", "-D", "{dev}", "-b", "115200", "-o", "-C", "{log}", "-w"],
                b"\x01x\r", "minicom-bg96.log"),
    "tio": (["tio", "--timestamp", "--log", "--log-file", "{log}", "{dev}"], b"\x14q", "tio-bg96.log"),
    "picocom": (["picocom", "-b", "115200", "--logfile", "{log}", "{dev}"], b"\x01\x18", "picocom-bg96.log"),
    "screen": (["screen", "-L", "-Logfile", "{log}", "{dev}", "115200"], b"\x01\\y", "screen-bg96.log"),
}


def record(qftp, outdir, name):
    argv, quit_keys, fname = PROGRAMS[name]
    tmp = tempfile.mkdtemp(prefix="qftp-rec-")
    dev = os.path.join(tmp, "ttyQ")
    log = os.path.join(tmp, "session.log")
    env = dict(os.environ, HOME=tmp, TERM="xterm", LANG="C.UTF-8")
    with FtpServer() as srv:
        with open(srv.path("readme.txt"), "wb") as f:
            f.write(README)
        sim = subprocess.Popen([qftp, "sim", "--dialect", "bg96", "--pty", dev], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
        try:
            sim.stdout.readline()
            if name == "minicom":
                # minicom timestamps: Ctrl-A N cycles off -> simple -> extended
                term = Term([a.format(dev=dev, log=log) for a in argv], env)
                term.pump(1.5)
                term.type(b"\x01n")
                term.pump(0.3)
                term.type(b"\x01n")
                term.pump(0.3)
            else:
                term = Term([a.format(dev=dev, log=log) for a in argv], env)
            session(term, srv.port)
            if quit_keys:
                term.type(quit_keys, 0.2)
                term.pump(1.0)
            term.finish()
        finally:
            sim.terminate()
            sim.wait(10)
        data = open(log, "rb").read()
    data = data.replace(b'"127.0.0.1",%d' % srv.port, b'"127.0.0.1",21')
    with open(os.path.join(outdir, fname), "wb") as f:
        f.write(data)
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"{name}: {len(data)} bytes -> {fname}")


def main():
    qftp, outdir = sys.argv[1], sys.argv[2]
    names = sys.argv[3:] or list(PROGRAMS)
    for n in names:
        if shutil.which(PROGRAMS[n][0][0]) is None:
            print(f"{n}: {PROGRAMS[n][0][0]} is not installed, skipped")
            continue
        record(os.path.abspath(qftp), outdir, n)


if __name__ == "__main__":
    main()
