"""Redaction end to end (issue 16 item 3): one rule (the tables' SECRET parameters,
qftp/redact.h) hides every form a password takes in `qftp import --redact`,
`qftp show --redact` (text and JSON) and the Wireshark plugin's "Hide passwords":
commands with spaces around '=' and ',', chained lines, echoes, a command split across
two socat records, and the read-backs +QFTPCFG: "account","bob","pw" and +QFTPPASS: "pw"
that the simulator sends, as modules do."""
import difflib
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from qftptest import QFTP, capture_frames, case, done, run, src  # noqa: E402

sys.path.insert(0, src("simulator", "tools"))
sys.path.insert(0, src("dissector", "testlib"))
from simclient import Sim  # noqa: E402

TMP = tempfile.mkdtemp(prefix="qftp-redact-")
PW = "S3cr3t-pw"  # in no other byte of these sessions


def tmp(name):
    return os.path.join(TMP, name)


def frames(path):
    """[(dir, bytes)] of a qftp capture."""
    return [(d, b) for _, d, b in capture_frames(path)]


def session(dialect, lines):
    """A session with the simulator, recorded by it (--capture)."""
    cap = tmp(f"{dialect}.pcap")
    sim = Sim(dialect, qftp=QFTP, args=["--capture", cap])
    try:
        for line in lines:
            sim.at(line)
    finally:
        sim.stop()
    return cap


BG96 = ['AT+QFTPCFG = "account" , "bob" , "%s"' % PW,  # spaces around = and ,
        'AT+QFTPCFG="account"',                          # read-back: "account","bob","pw"
        'at+qftpcfg="Account","bob","%s";+QFTPCFG="contextid",1' % PW,
        'AT+QICSGP=1,1,"UNINET","apnuser","%s",1' % PW]
GSM = ['AT+QFTPUSER="anon";+QFTPPASS="%s"' % PW,
       'AT+QFTPPASS?',                                   # read-back: +QFTPPASS: "pw"
       'AT+QICSGP=1,"CMNET","apnuser","%s"' % PW]


def test_show():
    for dialect, lines in (("bg96", BG96), ("gsm", GSM)):
        cap = session(dialect, lines)
        raw = b"".join(d for _, d in frames(cap))
        # the module echoes and reads back: the password is in both directions
        assert raw.count(PW.encode()) >= 2 * (len(lines) - 1), raw
        plain = run("show", cap, check=True).stdout
        assert PW.encode() in plain
        for args in (["--redact"], ["--redact", "--json"]):
            out = run("show", *args, cap, check=True).stdout
            assert PW.encode() not in out, (dialect, args, out.decode())
            assert out.count(b"****") >= len(lines), (dialect, args, out.decode())
        text = run("show", "--redact", cap, check=True).stdout.decode()
        if dialect == "bg96":
            assert '+QFTPCFG: "account","bob","****"' in text, text
            assert 'AT+QFTPCFG = "account" , "bob" , "****"' in text, text
            assert '"apnuser","****",1' in text, text
        else:
            assert '+QFTPPASS:"****"' in text, text  # GSM: no space after the colon
            assert 'AT+QFTPUSER="anon";+QFTPPASS="****"' in text, text


def socat_log(cap, split_at):
    """The capture as a `socat -x -v` log, the first command containing the password
    split in two records at its byte split_at (as socat prints two reads)."""
    out, t, pos = [], 0, {0: 0, 1: 0}
    done_split = False

    def rec(d, b):
        nonlocal t
        t += 1
        out.append("%s 2026/11/22 13:24:%02d.%09d  length=%d from=%d to=%d" %
                   ("><"[d], 10 + t // 100, (t % 100) * 1000, len(b), pos[d], pos[d] + len(b) - 1))
        out.append(" " + " ".join("%02x" % c for c in b))
        pos[d] += len(b)
    for d, b in frames(cap):
        if d == 0 and not done_split and PW.encode() in b:
            rec(d, b[:split_at])
            rec(d, b[split_at:])
            done_split = True
        else:
            rec(d, b)
    return "\n".join(out) + "\n"


def test_import():
    for dialect, lines in (("bg96", BG96), ("gsm", GSM)):
        cap = session(dialect, lines)
        first = next(b for d, b in frames(cap) if d == 0 and PW.encode() in b)
        # cut inside the password, at its start, and inside the command name
        for split in (first.index(PW.encode()) + 3, first.index(PW.encode()), 5):
            log = tmp(f"{dialect}-{split}.log")
            open(log, "w").write(socat_log(cap, split))
            out = tmp(f"{dialect}-{split}.pcap")
            p = run("import", "--redact", log, "-w", out)
            assert p.returncode == 0, p.stderr
            raw = open(out, "rb").read()
            assert PW.encode() not in raw, (dialect, split)
            text = run("show", out, check=True).stdout.decode()
            assert PW not in text and text.count("****") >= len(lines), text
            # nothing else changed: without --redact the same log imports to the session
            p = run("import", log, "-w", tmp("plain.pcap"), check=True)
            orig = run("show", "--redact", tmp("plain.pcap"), check=True).stdout.decode()
            strip = [ln for ln in orig.splitlines() if not ln.startswith(tmp(""))]
            got = [ln for ln in run("show", "--redact", out, check=True).stdout.decode().splitlines()
                   if not ln.startswith(tmp(""))]
            # the same session; only the split command's time is that of its second record
            # (and the byte counts: **** is shorter than the password)
            a = [re.sub(r"^(#\d+ +\+) +[\d.]+", r"\1", ln) for ln in got
                 if "ms)" not in ln and not ln.startswith("  bytes:")]
            b = [re.sub(r"^(#\d+ +\+) +[\d.]+", r"\1", ln) for ln in strip
                 if "ms)" not in ln and not ln.startswith("  bytes:")]
            assert a == b, "\n".join(x for x in difflib.unified_diff(b, a, lineterm=""))


def test_plugin():
    from qftp_ws import Tshark
    ts = Tshark()
    for dialect, lines in (("bg96", BG96), ("gsm", GSM)):
        cap = ts.file(session(dialect, lines))
        shown = ts.run("-r", cap, "-V").stdout
        assert PW.encode() in shown
        hidden = ts.run("-o", "qftp.hide_passwords:TRUE", "-r", cap, "-V").stdout
        # the tree and the Info column; the raw bytes pane (-x) is the capture itself
        assert PW.encode() not in hidden, hidden.decode()
        assert b"****" in hidden


case("show --redact (text, JSON): every form of a password becomes ****", test_show)
case("import --redact: a command split across socat records, echoes, read-backs", test_import)
case("the plugin's Hide passwords: tree and Info column without the password", test_plugin)
done()
