"""Drives `qftp sim` and a real FTP server from Python: the simulator's tests, the
capture script and the benchmark share it.

    with FtpServer() as srv, Sim("bg96") as sim:
        sim.cmd('AT+QFTPOPEN="127.0.0.1",%d' % srv.port)
        sim.expect(b"+QFTPOPEN: 0,0\\r\\n")
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FTPD = os.path.join(HERE, "ftpd.py")
FINAL = re.compile(rb"\r\n(OK|ERROR|\+CME ERROR: [^\r\n]*|NO CARRIER|DEACT OK)\r\n")


class FtpServer:
    """pyftpdlib on 127.0.0.1 at a free port with a temporary root (user test/test)."""

    def __init__(self, tls=None, fail_pasv=False, mute=False, root=None, password=None):
        self.tmp = tempfile.mkdtemp(prefix="qftp-ftpd-")
        self.root = root or os.path.join(self.tmp, "root")
        os.makedirs(self.root, exist_ok=True)
        args = [sys.executable, FTPD, "--root", self.root]
        if tls:
            cert = os.path.join(self.tmp, "cert.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                            "-subj", "/CN=127.0.0.1", "-keyout", cert, "-out", cert],
                           check=True, capture_output=True)
            args += ["--tls", tls, "--cert", cert]
        if fail_pasv:
            args.append("--fail-pasv")
        if mute:
            args.append("--mute")
        if password:
            args += ["--password", password]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline().decode()
        m = re.match(r"PORT (\d+)", line)
        if not m:
            err = self.proc.stderr.read().decode(errors="replace") if self.proc.poll() is not None else ""
            self.stop()
            raise RuntimeError(f"FTP server did not start: {line!r} {err}")
        self.port = int(m.group(1))

    def path(self, *p):
        return os.path.join(self.root, *p)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr):
            if f:
                f.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


class Link:
    """The host's end of a serial line to a module: commands out, the module's bytes read
    into a buffer and matched. Subclasses give _recv(timeout) and send(data)."""

    def _recv(self, timeout):
        """Up to 64 KiB within timeout seconds: bytes, None on timeout, b"" at the end."""
        raise NotImplementedError

    def send(self, data):
        raise NotImplementedError

    def cmd(self, line):
        self.send(line.encode() + b"\r")

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        chunk = self._recv(left)
        if chunk is None:
            return False
        if not chunk:
            raise EOFError("the module's end closed the line; got " + repr(self.buf[-300:]))
        self.buf += chunk  # a bytearray: appending is not a copy of all that came before
        return True

    def expect(self, pat, timeout=20):
        """Reads until pat (bytes or compiled regex) is seen; returns everything up to
        and including it and drops it from the buffer."""
        deadline = time.monotonic() + timeout
        while True:
            if isinstance(pat, bytes):
                i = self.buf.find(pat)
                if i >= 0:
                    out = bytes(self.buf[: i + len(pat)])
                    del self.buf[: i + len(pat)]
                    return out
            else:
                mm = pat.search(self.buf)
                if mm:
                    out = bytes(self.buf[: mm.end()])
                    del self.buf[: mm.end()]
                    return out
            if not self._fill(deadline):
                raise TimeoutError(f"waiting for {pat!r}; got {self.buf[-400:]!r}")

    def read_exact(self, n, timeout=30):
        deadline = time.monotonic() + timeout
        while len(self.buf) < n:
            if not self._fill(deadline):
                raise TimeoutError(f"waiting for {n} bytes; got {len(self.buf)}: {self.buf[-200:]!r}")
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def quiet(self, secs):
        """Reads for secs and returns what came."""
        deadline = time.monotonic() + secs
        while self._fill(deadline):
            pass
        out, self.buf = bytes(self.buf), bytearray()
        return out

    def at(self, line, timeout=20):
        """Sends a command, returns the response up to its final result (echo included)."""
        self.cmd(line)
        return self.expect(FINAL, timeout)



class PtyLink(Link):
    """A pty (or a symbolic link to one) opened raw, as a host application opens a
    module's serial port."""

    def __init__(self, path):
        import tty
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        self.buf = bytearray()

    def _recv(self, timeout):
        import select
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return None
        try:
            return os.read(self.fd, 65536)
        except OSError:  # EIO: the other side of the pty is gone
            return b""

    def send(self, data):
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class Sim(Link):
    """`qftp sim --listen 127.0.0.1:0` and a TCP client connected to it."""

    def __init__(self, dialect, qftp=None, args=(), ufs=None, connect=True):
        self.qftp = qftp or os.environ.get("QFTP_BIN") or os.path.join(HERE, "..", "..", "build", "qftp")
        self.tmp = tempfile.mkdtemp(prefix="qftp-sim-")
        self.ufs = ufs or os.path.join(self.tmp, "ufs")
        os.makedirs(self.ufs, exist_ok=True)
        self.errlog = open(os.path.join(self.tmp, "stderr"), "wb+")
        self.proc = subprocess.Popen([self.qftp, "sim", "--dialect", dialect, "--listen", "127.0.0.1:0",
                                      "--ufs", self.ufs, *args],
                                     stdout=subprocess.PIPE, stderr=self.errlog)
        line = self.proc.stdout.readline().decode()
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if not m:
            self.proc.wait(5)
            raise RuntimeError(f"qftp sim did not start: {line!r} {self.stderr()}")
        self.port = int(m.group(1))
        self.buf = bytearray()
        self.sock = None
        if connect:
            self.connect()

    def connect(self, rcvbuf=None):
        self.sock = socket.socket()
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.connect(("127.0.0.1", self.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def disconnect(self):
        if self.sock:
            self.sock.close()
            self.sock = None

    def stderr(self):
        self.errlog.flush()
        self.errlog.seek(0)
        return self.errlog.read().decode(errors="replace")

    def send(self, data):
        self.sock.sendall(data)

    def _recv(self, timeout):
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(65536)
        except socket.timeout:
            return None

    def stop(self):
        self.disconnect()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = self.proc.wait()
        else:
            rc = self.proc.returncode
        self.proc.stdout.close()
        self.errlog.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return rc

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


OK = b"\r\nOK\r\n"


def want(sim, expected, timeout=20):
    """Reads exactly len(expected) bytes from the simulator and checks they are expected."""
    got = sim.read_exact(len(expected), timeout)
    assert got == expected, f"expected {expected!r}, got {got!r}"


def exact(sim, line, expected, timeout=20):
    """Sends a command line and checks the module's answer is exactly `expected`."""
    sim.cmd(line)
    want(sim, expected, timeout)
