"""The simulator's caps against hostile hosts and servers (issue 16 items 7 and 8): a
host that writes without reading no longer grows the simulator's memory (it stops
reading the host past its output backlog cap), and each storage area has a size, full
as on a real module, with the manuals' storage-full errors."""
import os
import socket
import sys
import time

from qftptest import case, done, src

sys.path.insert(0, src("simulator", "tools"))
from simclient import OK, FtpServer, Sim, exact, want  # noqa: E402


def vm(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return 0


def host_never_reads():
    """`ATI\\r` written for 2.5 s without reading (before: 729 MB after 8 s, never given
    back). The simulator stops reading past its 1 MiB backlog; once the host reads, every
    command written is answered."""
    with Sim("bg96", connect=False) as s:
        s.connect(rcvbuf=4096)
        base = vm(s.proc.pid, "VmRSS")
        s.sock.setblocking(False)
        chunk = b"ATI\r" * 4096
        sent, end = 0, time.monotonic() + 1.5
        while time.monotonic() < end or sent % 4:
            try:
                off = sent % len(chunk)
                sent += s.sock.send(chunk[off:] if time.monotonic() < end else chunk[off:off + 4 - off % 4])
            except BlockingIOError:
                time.sleep(0.01)
        peak = vm(s.proc.pid, "VmHWM")
        grew = peak - base
        print(f"# {sent // 4} commands written unread; the simulator grew by {grew >> 10} KiB "
              f"(peak {peak >> 20} MiB)")
        assert grew < 8 << 20, grew  # the 1 MiB backlog and its buffer growth
        s.sock.setblocking(True)
        want_n, got, tail = sent // 4, 0, b""
        deadline = time.monotonic() + 240
        while got < want_n and time.monotonic() < deadline:
            s.sock.settimeout(deadline - time.monotonic())
            b = s.sock.recv(1 << 20)
            assert b, "simulator closed the connection"
            x = tail + b
            got += x.count(b"\r\nOK\r\n")
            tail = x[-5:]
        assert got == want_n, (got, want_n)
        assert s.proc.poll() is None


def login_bg96(s, srv):
    for c in ["ATE0", 'AT+QICSGP=1,1,"UNINET","","",1', "AT+QIACT=1", 'AT+QFTPCFG="contextid",1',
              'AT+QFTPCFG="account","test","test"', 'AT+QFTPCFG="filetype",0']:
        assert s.at(c).endswith(OK), c
    exact(s, f'AT+QFTPOPEN="127.0.0.1",{srv.port}', OK + b"\r\n+QFTPOPEN: 0,0\r\n")


def storage_full_bg96():
    """--storage UFS=64k: a GET into a full UFS stops at its size with +QFTPGET: 619
    (BG96 chapter 5, insufficient system storage); AT+QFUPL of more than is free is
    +CME ERROR: 420 (no space); RAM has a size of its own."""
    with FtpServer() as srv, Sim("bg96", args=["--storage", "UFS=64k,RAM=8k"]) as s:
        open(srv.path("big.bin"), "wb").write(os.urandom(1 << 20))
        open(srv.path("small.bin"), "wb").write(os.urandom(6000))
        login_bg96(s, srv)
        exact(s, 'AT+QFTPGET="big.bin","UFS:big.bin"', OK + b"\r\n+QFTPGET: 619,0\r\n", timeout=60)
        assert os.path.getsize(os.path.join(s.ufs, "big.bin")) == 64 << 10
        exact(s, 'AT+QFUPL="more.bin",10', b"\r\n+CME ERROR: 420\r\n")
        exact(s, 'AT+QFDEL="big.bin"', OK)
        exact(s, 'AT+QFTPGET="small.bin","UFS:small.bin"', OK + b"\r\n+QFTPGET: 0,6000\r\n")
        exact(s, 'AT+QFTPGET="small.bin","RAM:r.bin"', OK + b"\r\n+QFTPGET: 0,6000\r\n")
        exact(s, 'AT+QFTPGET="small.bin","RAM:s.bin"', OK + b"\r\n+QFTPGET: 619,0\r\n")
        # 58 KiB left in UFS (small.bin holds 6000 bytes): 60000 do not fit, 50000 do
        exact(s, 'AT+QFUPL="up.bin",60000', b"\r\n+CME ERROR: 420\r\n")
        s.cmd('AT+QFUPL="up.bin",50000')
        s.expect(b"\r\nCONNECT\r\n")
        s.send(os.urandom(50000))
        s.expect(b"\r\n+QFUPL: 50000,")
        s.expect(OK)


def storage_full_gsm():
    """The GSM defaults (160 KiB UFS): a 300 KB GET into /UFS/ fails with -12 (GSM chapter
    3: the local file) once the storage is full."""
    with FtpServer() as srv, Sim("gsm") as s:
        open(srv.path("big.bin"), "wb").write(os.urandom(300000))
        for c in ["ATE0", 'AT+QFTPUSER="test"', 'AT+QFTPPASS="test"']:
            assert s.at(c).endswith(OK), c
        exact(s, f'AT+QFTPOPEN="127.0.0.1",{srv.port}', OK + b"\r\n+QFTPOPEN:0\r\n")
        exact(s, 'AT+QFTPCFG=4,"/UFS/"', OK + b"\r\n+QFTPCFG:0\r\n")
        exact(s, 'AT+QFTPGET="big.bin"', OK + b"\r\n+QFTPGET:-12\r\n", timeout=60)
        assert os.path.getsize(os.path.join(s.ufs, "big.bin")) == 160 << 10


def usage():
    import subprocess
    from qftptest import QFTP
    for spec in ("UFS", "UFS=x", "FLASH=1M", "UFS=1M,", "UFS=-1"):
        p = subprocess.run([QFTP, "sim", "--dialect", "bg96", "--listen", "127.0.0.1:0", "--storage", spec],
                           capture_output=True, timeout=10)
        assert p.returncode == 2 and b"--storage" in p.stderr, (spec, p.returncode, p.stderr)


def no_libcurl():
    """The simulator opens libcurl when it starts (simulator/curl_load.h): without
    libcurl.so.4 it says so and exits 2 at once, leaving no storage folder behind. The
    library is hidden by a bind mount in a mount namespace of the test's own (root)."""
    import glob
    import shutil
    import subprocess
    from qftptest import QFTP
    libs = [os.path.realpath(p) for p in glob.glob("/usr/lib/*/libcurl.so.4") + glob.glob("/lib/*/libcurl.so.4")]
    if os.geteuid() != 0 or not shutil.which("unshare") or not libs or \
            subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        print("# skipped: needs root, unshare and a mount namespace")
        return
    before = set(glob.glob("/tmp/qftp-sim-ufs-*"))
    hide = " && ".join(f"mount --bind /dev/null {lib}" for lib in sorted(set(libs)))
    p = subprocess.run(["unshare", "-m", "sh", "-c", f'{hide} && exec "$0" sim --dialect bg96 --listen 127.0.0.1:0',
                        QFTP], capture_output=True, timeout=30)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert p.stderr.startswith(b"qftp sim: the simulator needs libcurl (libcurl.so.4): "), p.stderr
    assert b"listening" not in p.stdout, p.stdout
    assert set(glob.glob("/tmp/qftp-sim-ufs-*")) == before


case("a host that writes without reading: memory stays bounded, every command answered", host_never_reads)
case("BG96 storage sizes: GET into a full UFS is 619, QFUPL beyond the free space 420", storage_full_bg96)
case("GSM storage size: GET into a full UFS is -12", storage_full_gsm)
case("--storage: bad sizes are usage errors", usage)
case("without libcurl: a clear error at once, exit 2, nothing left behind", no_libcurl)
done()
