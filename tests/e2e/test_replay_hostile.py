"""qftp replay against hostile material (issue 16): download bytes that are not
UTF-8 under data masks, secrets given on the command line, a device that floods, a
device that never answers. Each case failed (crash, leak, unbounded memory, a 3-minute
run of timeouts) before its fix, but the device that answers with terminal escape
sequences, which guards what was right already."""
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "replay"))
from qftptest import QFTP, case, done, run, src  # noqa: E402,F401
import replaykit  # noqa: E402

TMP = tempfile.mkdtemp(prefix="qftp-replay-hostile-")
M37 = src("captures", "manual-bg96-3.7-3.8-download-logout.pcap")
G41 = src("captures", "manual-gsm-4.1-open.pcap")


def tmp(name):
    return os.path.join(TMP, name)


def rules(name, text):
    path = tmp(name)
    open(path, "w").write(text)
    return path


# ---- 1. data masks on bytes that are not UTF-8 ------------------------------------------
def test_latin1_download():
    # manual 3.7 step 11 downloads test_my.txt; the server's copy is a Latin-1 listing-like
    # text ("café", 0xFF): mask-data (\w+)$ on "a\xff" crashed PCRE2 (exit 139, no report)
    latin1 = (b"caf\xe9.txt\n" + b"a\xff\n") * 50
    latin1 = latin1[:1000]

    def before(sim, srv):
        open(srv.path("test_my.txt"), "wb").write(latin1)
    r = rules("latin1.rules", "mask-data (\\w+)$\n")
    p, _ = replaykit.replay(M37, extra=["--rules", r, "--json", tmp("latin1.json"), "--ignore-echo"],
                            before=before)
    assert p.returncode == 1, (p.returncode, p.stdout.decode(errors="replace"), p.stderr)
    steps = json.load(open(tmp("latin1.json")))["captures"][0]["steps"]
    bad = [s["step"] for s in steps if s["status"] != "pass"]
    assert bad == [11], [(s["step"], s["status"], s["message"]) for s in steps if s["status"] != "pass"]
    # the report shows the differing line, bytes that are not text as dots
    assert "+caf." in steps[10]["data_window"], steps[10]


case("mask-data on a Latin-1 download: the step fails, nothing crashes", test_latin1_download)


# ---- 4. secrets given on the command line -------------------------------------------------
SECRET = "Zq7-SeCrEt"  # the FTP server's password for these runs, in no other byte


def test_secrets():
    """GSM 4.1 with the password from -D (the rules put it in AT+QFTPPASS) and, second,
    from the environment through --secret: the run logs in, and the password is in no
    report (stdout, stderr, JUnit, JSON, TAP), not in the recording, not in the updated
    golden, not in --dry-run's plan."""
    r = rules("pass.rules", 'rewrite ^AT\\+QFTPPASS=.*$ => AT+QFTPPASS="${pass}"\n')
    gdir = tmp("golden")
    os.makedirs(gdir, exist_ok=True)
    gold = os.path.join(gdir, os.path.basename(G41))
    shutil.copy(G41, gold)
    runs = [(G41, ["-D", f"pass={SECRET}", "--record", tmp("s1.pcap")], {}, "s1"),
            (gold, ["--secret", "pass", "--update"], {"pass": SECRET}, "s2")]
    for cap, opts, env, name in runs:
        def runner(argv, sim, drop_echo=False):
            if drop_echo:
                argv = [a for a in argv if a != "--ignore-echo"]
            return subprocess.run(argv, capture_output=True, timeout=120,
                                  env=dict(os.environ, QFTP_NO_PROGRESS="1", **env))
        extra = ["--rules", r, *opts, "--junit", tmp(name + ".xml"), "--json", tmp(name + ".json"),
                 "--tap"]
        p, _ = replaykit.replay(cap, extra=extra, runner=runner, srv_args={"password": SECRET})
        assert p.returncode == 0, (name, p.stdout.decode(), p.stderr.decode())
        steps = json.load(open(tmp(name + ".json")))["captures"][0]["steps"]
        assert steps[3]["command"] == 'AT+QFTPPASS="****"', steps[3]
        outs = [p.stdout, p.stderr, open(tmp(name + ".xml"), "rb").read(),
                open(tmp(name + ".json"), "rb").read()]
        outs.append(open(tmp("s1.pcap") if name == "s1" else gold, "rb").read())
        for i, o in enumerate(outs):
            assert SECRET.encode() not in o, (name, i)
    # the updated golden replays with the same rules: its password bytes are stars
    assert b'AT+QFTPPASS="**********"' in open(gold, "rb").read()
    # a failing run (every echo differs without --ignore-echo) shows the echo lines
    def runner(argv, sim):
        argv = [a for a in argv if a != "--ignore-echo"]
        return subprocess.run(argv, capture_output=True, timeout=120,
                              env=dict(os.environ, QFTP_NO_PROGRESS="1"))
    p, _ = replaykit.replay(G41, extra=["--rules", r, "-D", f"pass={SECRET}", "--junit",
                                        tmp("s3.xml")], runner=runner,
                            srv_args={"password": SECRET})
    assert p.returncode == 1
    out = p.stdout + open(tmp("s3.xml"), "rb").read()
    assert SECRET.encode() not in out and b'+AT+QFTPPASS="****"' in out, out.decode()
    # the plan
    p = run("replay", "--dry-run", G41, "--rules", replaykit.rules_for("manual-gsm-4.1-open")[0],
            "--rules", r, "-D", f"pass={SECRET}", "-D", "port=21")
    assert p.returncode == 0 and SECRET.encode() not in p.stdout, p.stdout
    assert b'AT+QFTPPASS="****"' in p.stdout, p.stdout


case("secrets from -D and --secret reach no report, recording, golden or plan", test_secrets)


# ---- 10. a device that never answers -------------------------------------------------------
class FakeDevice:
    """A TCP device that answers OK to its first `answers` command lines, then reads
    and says nothing."""

    def __init__(self, answers=0):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.answers = answers
        self.t = threading.Thread(target=self.serve, daemon=True)
        self.t.start()

    def answer(self):
        """What the device sends for a command line it read (b"": nothing)."""
        if self.answers <= 0:
            return b""
        self.answers -= 1
        return b"\r\nOK\r\n"

    def serve(self):
        c, _ = self.sock.accept()
        buf = b""
        with c:
            while True:
                b = c.recv(4096)
                if not b:
                    return
                buf += b
                while b"\r" in buf:
                    _, buf = buf.split(b"\r", 1)
                    a = self.answer()
                    if a:
                        c.sendall(a)

    def close(self):
        self.sock.close()


def replay_fake(capture, answers, name):
    dev = FakeDevice(answers)
    t0 = time.monotonic()
    p = run("replay", capture, "--device", f"tcp:127.0.0.1:{dev.port}", "--timeout-scale", "0.2",
            "--ignore-echo", "--json", tmp(name), "--junit", tmp(name + ".xml"))
    dev.close()
    return p, time.monotonic() - t0, json.load(open(tmp(name)))["captures"][0]


def test_silent_device():
    # GSM 4.1, 5 steps, each timing out after about 1 s: the third silent step ends the run
    p, secs, c = replay_fake(G41, 0, "silent.json")
    out = p.stdout.decode()
    assert p.returncode == 3, (p.returncode, out)
    assert [s["status"] for s in c["steps"]] == ["error"] * 3 + ["not_run"] * 2, c["steps"]
    assert c["transport_error"] and "never answered: not one byte during steps 1-3" in c["transport_error"], c
    assert "device error:" in out and "(3 of 5 steps ran)" in out, out
    assert secs < 30, secs


def test_device_goes_silent():
    # manual 3.7, 19 steps: two answered, then silence from step 3: stops after step 5
    p, _, c = replay_fake(M37, 2, "quiet.json")
    assert p.returncode == 3, (p.returncode, p.stdout.decode())
    st = [s["status"] for s in c["steps"]]
    assert st[2:5] == ["error"] * 3 and st[5:] == ["not_run"] * 14, st
    assert "stopped answering: not one byte during steps 3-5" in c["transport_error"], c


class FloodDevice(FakeDevice):
    """After the first command, sends `first`, then `chunk` for ever."""

    def __init__(self, chunk, first=b""):
        self.chunk, self.first = chunk, first
        super().__init__()

    def serve(self):
        c, _ = self.sock.accept()
        with c:
            try:
                c.recv(4096)
                c.sendall(self.first)
                while True:
                    c.sendall(self.chunk)
            except OSError:
                return


def replay_peak(capture, dev, *args):
    """Runs qftp replay; returns (exit status, stdout, its peak RSS in bytes)."""
    p = subprocess.Popen([QFTP, "replay", capture, "--device", f"tcp:127.0.0.1:{dev.port}", *args],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, _ = p.communicate(timeout=120)
    return p.returncode, out.decode(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def test_flooding_device():
    # before, memory grew to 1.2 GB (URC lines) and 2.8 GB until the 256 MiB stream cap;
    # now the device is cut off at the first cap it floods through and memory stays in
    # proportion: small at the line caps, about the stream cap at the stream cap
    cap_kib = 256 << 10
    for first, chunk, words, most in [
            (b"", b'+QIURC: "pdpdeact",1\r\n' * 2000, "more than 4096 unsolicited lines", 64 << 10),
            (b"AT+QIFGCNT=0\r", b"\r\nline of the step\r\n" * 2000, "more than 4096 lines in one step",
             64 << 10),
            (b"", b"x" * 65536, "more than 256 MiB sent", cap_kib + (cap_kib >> 2))]:
        dev = FloodDevice(chunk, first)
        rc, out, peak = replay_peak(G41, dev, "--json", tmp("flood.json"))
        dev.close()
        c = json.load(open(tmp("flood.json")))["captures"][0]
        assert rc == 3 and words in (c["transport_error"] or ""), (rc, out[:800])
        print(f"# {words}: peak RSS {peak >> 10} MiB (the largest child of this test so far)")
        assert peak < most, (words, peak)


class EscapeDevice(FakeDevice):
    """Answers every command with an OSC that sets the terminal's title, a clear-screen
    CSI, a C1 CSI and a byte that is no UTF-8, then ERROR."""

    def answer(self):
        return b"\r\n\x1b]0;pwned\x07\x1b[2J\xc2\x9b\xff\r\n\r\nERROR\r\n"


def test_escape_device():
    # the human report quotes what the device said: written as \xHH, never obeyed
    dev = EscapeDevice()
    p = run("replay", G41, "--device", f"tcp:127.0.0.1:{dev.port}", "--timeout-scale", "0.2",
            "--ignore-echo", "--tap")
    dev.close()
    assert p.returncode == 1, (p.returncode, p.stdout[-800:], p.stderr[-800:])
    for stream in (p.stdout, p.stderr):
        for bad in (b"\x1b", b"\x07", b"\xc2\x9b", b"\xff"):
            assert bad not in stream, (bad, stream[-800:])
    # the replayer's reports show bytes that are not text as dots
    assert b".]0;pwned..[2J" in p.stdout and b".]0;pwned..[2J" in p.stderr, p.stdout[-800:]


case("a device that answers with terminal escape sequences: the reports never pass them on",
     test_escape_device)
case("a device silent from the first step: device error after 3 steps, exit 3", test_silent_device)
case("a device that stops answering: device error after 3 silent steps", test_device_goes_silent)
case("a flooding device is cut off at the replayer's caps, memory stays small", test_flooding_device)
done()
