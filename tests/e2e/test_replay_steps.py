"""qftp replay as a QA engineer reads it (issue 17): each step compared on its own (a
truncated download fails its step and nothing else, and its message says what the diff
shows), data differences as bytes (hex and text around the first one, both counts),
timeouts no tighter than the module may take (the response timeout), real times for
timed-out steps, JUnit names as sent, and text logs replayed as goldens."""
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "replay"))
from qftptest import case, done, run, src  # noqa: E402
import replaykit  # noqa: E402

TMP = tempfile.mkdtemp(prefix="qftp-replay-steps-")
M37 = src("captures", "manual-bg96-3.7-3.8-download-logout.pcap")
M37_LOG = src("tests", "logs", "manual-bg96-3.7-3.8-download-logout.log")
COMMANDS = src("captures", "sim-bg96-commands.pcap")


def tmp(name):
    return os.path.join(TMP, name)


def rules(name, text):
    path = tmp(name)
    open(path, "w").write(text)
    return path


# the module at the manual's shortest response timeout (BG96 2.1: 20-180 s)
RSP20 = rules("rsp20.rules", 'rewrite ^AT\\+QFTPCFG="rsptimeout",90$ => AT+QFTPCFG="rsptimeout",20\n')


def replay(name, capture, extra=(), sim=(), runner=None):
    js = tmp(name + ".json")
    p, _ = replaykit.replay(capture, extra=["--json", js, *extra], sim_args=list(sim), runner=runner)
    return p, (json.load(open(js))["captures"][0] if os.path.exists(js) else None)


def log_instead(argv, sim):
    """runs the same replay with the golden's text log in place of the capture"""
    argv = [M37_LOG if a == M37 else a for a in argv]
    return subprocess.run(argv, capture_output=True, env=dict(os.environ, QFTP_NO_PROGRESS="1"))


RUNS = {
    # every +QFTPGET to COM: cut after 5 bytes (steps 24 and 25), the OK and the URC as usual
    "truncated": (COMMANDS, [], ["--fault", "truncate:+QFTPGET:5"], None),
    # a URC 3 s late: within the response timeout, as the module may legitimately take
    "late-ok": (M37, [], ["--fault", "delay-urc:+QFTPCWD:3000"], None),
    # a URC that never comes, the module at rsptimeout 20 s
    "dropped": (M37, ["--rules", RSP20, "--junit", tmp("dropped.xml")],
                ["--fault", "drop-urc:+QFTPCWD"], None),
    "capture": (M37, ["--record", TMP], [], None),
    "log": (M37, ["--record", TMP], [], log_instead),
}
with concurrent.futures.ThreadPoolExecutor(3) as ex:
    futures = {k: ex.submit(replay, k, cap, extra, sim, runner) for k, (cap, extra, sim, runner) in RUNS.items()}
    RESULTS = {k: f.result() for k, f in futures.items()}


def test_truncated_download():
    p, c = RESULTS["truncated"]
    out = p.stdout.decode(errors="replace")
    assert p.returncode == 1, out
    bad = {s["step"]: s for s in c["steps"] if s["status"] != "pass"}
    # the two downloads it cut, nothing after them (the listing of step 27 included)
    assert sorted(bad) == [24, 25], sorted(bad)
    s = bad[24]
    assert s["message"] == "data: now 5 bytes, recorded 1024, first difference at byte 5", s
    # the message agrees with the diff: OK and the URC came and match
    lines = s["diff"].split("\n")
    assert " OK" in lines and " +QFTPGET: 0,1024" in lines, s["diff"]
    assert not s["timed_out"] and s["elapsed_s"] < 5, s
    w = s["data_window"].split("\n")
    assert w[0] == "data: recorded 1024 bytes, now 5 bytes; the first difference is at byte 5 (0x5)", w
    assert w[1].startswith("-00000000 ") and w[2].startswith("+00000000 ") and w[2].endswith("|"), w
    assert "data: recorded 1024 bytes, now 5 bytes" in out and "+00000000" in out, out


def test_late_within_rsptimeout():
    p, c = RESULTS["late-ok"]
    assert p.returncode == 0, p.stdout.decode()
    s = c["steps"][9]
    assert s["command"] == 'AT+QFTPCWD="/"' and s["status"] == "pass", s
    assert s["actual_s"] >= 3 and s["timeout_s"] == 90, s


def test_dropped_urc_real_time():
    p, c = RESULTS["dropped"]
    assert p.returncode == 1, p.stdout.decode()
    s = c["steps"][9]
    assert s["status"] == "fail" and s["timed_out"] and s["timeout_s"] == 20, s
    assert 20 <= s["elapsed_s"] < 40 and s["actual_s"] is None, s
    assert s["message"] == ("timeout: the completion URC did not come within 20.0 s; completion "
                            "URC: now none, recorded +QFTPCWD: 0,0"), s["message"]
    cases = ET.parse(tmp("dropped.xml")).getroot().find("testsuite").findall("testcase")
    # the command exactly as sent, nothing replaced
    assert cases[7].get("name") == '008-AT+QFTPCFG="rsptimeout",20', cases[7].get("name")
    assert cases[9].get("name") == '010-AT+QFTPCWD="/"', cases[9].get("name")
    assert 20 <= float(cases[9].get("time")) < 40, cases[9].get("time")
    assert 'name="010-AT+QFTPCWD=&quot;/&quot;"' in open(tmp("dropped.xml")).read()
    v = subprocess.run(["xmllint", "--noout", "--schema", src("tests", "replay", "junit.xsd"),
                        tmp("dropped.xml")], capture_output=True)
    assert v.returncode == 0, v.stderr


def test_log_golden():
    pc, cc = RESULTS["capture"]
    pl, cl = RESULTS["log"]
    assert pl.returncode == 0 and pc.returncode == 0, pl.stdout.decode() + pl.stderr.decode()
    # the log replays as the capture imported from it does
    pick = ("step", "status", "expected")  # (the command holds each run's own server port)
    assert [{k: s[k] for k in pick} for s in cl["steps"]] == [{k: s[k] for k in pick} for s in cc["steps"]]
    # the recording of a log is a capture named after it
    rec = os.path.join(TMP, os.path.basename(M37_LOG) + ".pcap")
    assert os.path.exists(rec) and run("show", rec).returncode == 0
    # --update writes captures: a log is refused before the device is touched
    p = run("replay", M37_LOG, "--device", "tcp:127.0.0.1:1", "--update")
    assert p.returncode == 2 and b"a text log" in p.stderr, p.stderr
    # a log the importer cannot read is a clear error naming it
    bad = rules("bad.log", "> 2024/05/01 10:00:00.000000  length=9 from=0 to=8\nAT\n")
    p = run("replay", "--dry-run", "--format", "socat", bad)
    assert p.returncode == 2 and p.stderr.decode().startswith(f"qftp replay: {bad}: line"), p.stderr


case("a truncated download fails its own step only; the message says what the diff shows; "
     "the bytes around the difference in hex and text", test_truncated_download)
case("a URC later than recorded but within the response timeout passes", test_late_within_rsptimeout)
case("a URC that never comes: the step waits the module's rsptimeout, its real time is "
     "reported (JSON, JUnit), JUnit names are the commands as sent", test_dropped_urc_real_time)
case("a text log is a golden: imported on the fly, it replays as its capture does", test_log_golden)
done()
