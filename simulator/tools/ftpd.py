#!/usr/bin/env python3
"""A real FTP(S) server for the simulator's tests, captures and benchmark.

Debian's pyftpdlib (python3-pyftpdlib; TLS needs python3-openssl) on 127.0.0.1 at a
free port, one user with full rights on a root folder. Prints "PORT <n>" on stdout
when it is ready and serves until killed.

  ftpd.py --root DIR [--user U --password P] [--tls explicit|implicit --cert PEM]
          [--fail-pasv] [--mute] [--port N]

--fail-pasv answers PASV/EPSV/PORT/EPRT with 425 (a data connection that cannot be
opened); --mute accepts TCP connections and never says a word (a server that times out).
"""
import argparse
import os
import socket
import sys


def _debian_python():
    # pyenv or venv interpreters do not see Debian's packages: run under Debian's.
    try:
        import pyftpdlib  # noqa: F401
        import OpenSSL  # noqa: F401
    except ImportError:
        deb = "/usr/bin/python3"
        if os.path.realpath(sys.executable) != os.path.realpath(deb) and os.path.exists(deb):
            os.execv(deb, [deb, os.path.abspath(__file__), *sys.argv[1:]])
        raise


def mute_server(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    print(f"PORT {s.getsockname()[1]}", flush=True)
    held = []
    while True:
        c, _ = s.accept()
        held.append(c)  # keep it open, say nothing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=".")
    ap.add_argument("--user", default="test")
    ap.add_argument("--password", default="test")
    ap.add_argument("--tls", choices=["explicit", "implicit"])
    ap.add_argument("--cert")
    ap.add_argument("--fail-pasv", action="store_true")
    ap.add_argument("--mute", action="store_true")
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    if a.mute:
        mute_server(a.port)
        return
    _debian_python()
    import logging
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.servers import FTPServer

    logging.basicConfig(level=logging.CRITICAL)
    auth = DummyAuthorizer()
    auth.add_user(a.user, a.password, a.root, perm="elradfmwMT")
    auth.add_anonymous(a.root, perm="elr")
    if a.tls:
        from pyftpdlib.handlers import TLS_FTPHandler as Base
    else:
        from pyftpdlib.handlers import FTPHandler as Base

    class Handler(Base):
        pass

    Handler.authorizer = auth
    Handler.banner = "qftp test server ready."
    Handler.permit_foreign_addresses = True
    Handler.auth_failed_timeout = 0.1  # answer a wrong password at once
    if a.tls:
        from pyftpdlib.handlers import TLS_DTPHandler

        class DTP(TLS_DTPHandler):
            # libcurl starts the data connection's TLS handshake before the transfer
            # command; pyftpdlib 1.5 closes such an early data channel. Let it finish.
            def readable(self):
                if getattr(self, "_ssl_requested", False) and not getattr(self, "_ssl_established", True):
                    return True
                return super().readable()

        Handler.dtp_handler = DTP
        Handler.certfile = a.cert
        Handler.tls_control_required = False
        Handler.tls_data_required = False
        if a.tls == "implicit":
            # Implicit FTPS (BG96 <ssltype> 1): TLS from the first byte, no AUTH TLS.
            def handle(self, _orig=Handler.handle):
                self.secure_connection(self.ssl_context)
                self._pbsz = True
                _orig(self)

            Handler.handle = handle
    if a.fail_pasv:
        def refuse(self, line):
            self.respond("425 Can't open data connection.")

        Handler.ftp_PASV = refuse
        Handler.ftp_EPSV = refuse
        Handler.ftp_PORT = refuse
        Handler.ftp_EPRT = refuse

    server = FTPServer(("127.0.0.1", a.port), Handler)
    server.max_cons = 512
    print(f"PORT {server.socket.getsockname()[1]}", flush=True)
    server.serve_forever(timeout=0.5, blocking=True, handle_exit=True)


if __name__ == "__main__":
    main()
