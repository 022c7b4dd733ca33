"""Bad input gets a clear error, exit status 2, bounded memory, and no partial output."""
import os
import re
import resource
import struct
import subprocess
import tempfile

from qftptest import QFTP, case, done, run, src

GOOD_LOG = src("tests", "logs", "manual-bg96-3.6-upload.log")


def peak_rss_mb_of(args):
    """Runs qftp in a child and returns (process, peak RSS of that child in MB)."""
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        err = os.open(os.path.join(tempfile.gettempdir(), "qftp-malformed.err"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(err, 2)
        os.execv(QFTP, [QFTP, *args])
    _, status, ru = os.wait4(pid, 0)
    with open(os.path.join(tempfile.gettempdir(), "qftp-malformed.err")) as f:
        stderr = f.read()
    return os.waitstatus_to_exitcode(status), ru.ru_maxrss / 1024.0, stderr


def make_capture(d):
    cap = os.path.join(d, "good.pcap")
    p = run("import", GOOD_LOG, "-w", cap)
    assert p.returncode == 0, p.stderr
    return cap


def truncated_capture():
    with tempfile.TemporaryDirectory() as d:
        cap = make_capture(d)
        data = open(cap, "rb").read()
        for cut in (10, 24 + 8, len(data) // 2, len(data) - 3):
            bad = os.path.join(d, f"cut{cut}.pcap")
            open(bad, "wb").write(data[:cut])
            p = run("show", bad)
            assert p.returncode == 2, (cut, p.returncode, p.stderr)
            msg = p.stderr.decode()
            assert "trunc" in msg or "short" in msg or "end" in msg, msg
            assert "Traceback" not in msg and "Sanitizer" not in msg


def wrong_linktype():
    with tempfile.TemporaryDirectory() as d:
        bad = os.path.join(d, "eth.pcap")
        hdr = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
        rec = struct.pack("<IIII", 1, 0, 4, 4) + b"\x00\x01\x02\x03"
        open(bad, "wb").write(hdr + rec)
        p = run("show", bad)
        assert p.returncode == 2, p.returncode
        assert "link type 1" in p.stderr.decode(), p.stderr


def binary_garbage():
    with tempfile.TemporaryDirectory() as d:
        bad = os.path.join(d, "garbage.bin")
        open(bad, "wb").write(bytes((i * 7919 + 13) % 256 for i in range(200000)))
        out = os.path.join(d, "out.pcap")
        p = run("import", bad, "-w", out)
        assert p.returncode == 2, p.returncode
        assert "line" in p.stderr.decode(), p.stderr
        assert not os.path.exists(out), "partial capture left behind"
        assert not [f for f in os.listdir(d) if f.startswith("out.pcap")], os.listdir(d)


def endless_line():
    with tempfile.TemporaryDirectory() as d:
        big = os.path.join(d, "endless.log")
        with open(big, "wb") as f:
            chunk = b"A" * (1 << 20)
            for _ in range(100):
                f.write(chunk)
        out = os.path.join(d, "out.pcap")
        code, rss, err = peak_rss_mb_of(["import", big, "-w", out])
        assert code == 2, (code, err)
        assert "line 1" in err, err
        assert rss < 80, f"peak RSS {rss:.1f} MB for a 100 MB line: not bounded"
        assert not os.path.exists(out)
        code, rss, err = peak_rss_mb_of(["show", big])
        assert code == 2, (code, err)
        assert "line 1" in err, err
        assert rss < 80, f"peak RSS {rss:.1f} MB"


def empty_and_missing():
    with tempfile.TemporaryDirectory() as d:
        empty = os.path.join(d, "empty.log")
        open(empty, "wb").close()
        p = run("show", "--json", empty)
        # nothing in it is AT traffic: said on stderr, exit 1 (issue 11 item 8)
        assert p.returncode == 1 and b"empty" in p.stderr and not p.stdout, p.stderr
        p = run("show", os.path.join(d, "nope.pcap"))
        assert p.returncode == 2 and b"cannot open" in p.stderr, p.stderr


def terminal_escapes():
    """A log or capture whose lines carry escape sequences (a window title set by OSC, a
    cleared screen, a C1 CSI, bytes that are no UTF-8): show, report and the error
    messages write them as \\xHH; nothing reaches the terminal that it would obey."""
    hostile = (b'AT+QFTPPWD\\r\n'
               b'\\r\\nOK\\r\\n\\r\\n+QFTPPWD: 0,"/\\x1b]0;pwned\\x07\\x1b[2J\\xc2\\x9b31m"\\r\\n\n'
               b'hi\\x1b[31mred\\xff\\r\\n\n')
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "hostile.log")
        open(log, "wb").write(hostile)
        cap = os.path.join(d, "hostile.pcap")
        assert run("import", log, "-w", cap).returncode == 0
        for args in (["show", "--color", "never"], ["show", "--color", "always"],
                     ["show", "--failures"], ["report"], ["report", "--format", "md"]):
            for inp in (log, cap):
                p = run(*args, inp)
                out = p.stdout
                if "always" in args:  # the tool's own colours stay, nothing else
                    out = re.sub(rb"\x1b\[[0-9;]*m", b"", out)
                for bad in (b"\x1b", b"\x07", b"\xc2\x9b", b"\xff"):
                    assert bad not in out and bad not in p.stderr, (args, inp, bad, out[-300:])
                if args[0] == "show" and "--failures" not in args:
                    assert b"\\x1b]0;pwned\\x07" in out, out[-600:]
        # an error message that quotes a line: made safe too
        bad = os.path.join(d, "notraffic.log")
        open(bad, "wb").write(b"hello \x1b]0;pwned\x07 there\n")
        p = run("show", bad)
        assert p.returncode == 1 and b"\x1b" not in p.stderr and b"\\x1b]0;pwned" in p.stderr, p.stderr


case("truncated capture", truncated_capture)
case("wrong link type", wrong_linktype)
case("binary garbage", binary_garbage)
case("100 MB line without a line end", endless_line)
case("empty and missing inputs", empty_and_missing)
case("terminal escapes in the input", terminal_escapes)
done()
