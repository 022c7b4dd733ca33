"""qftp replay's outputs and options: JUnit (validated with xmllint against the schema
in tests/replay/junit.xsd), TAP 13, JSON, LAVA; the rules file (captures, rewrites,
optional steps, timing limits, bad files); --steps, --update, exit codes for usage
errors, unreadable captures and devices; a pty device; a device that vanishes."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "replay"))
from qftptest import QFTP, case, done, run, src  # noqa: E402
import replaykit  # noqa: E402
from simclient import FtpServer  # noqa: E402

TMP = tempfile.mkdtemp(prefix="qftp-replay-out-")
M33 = src("captures", "manual-bg96-3.3-3.4-folders-files.pcap")
M36 = src("captures", "manual-bg96-3.6-upload.pcap")
M37 = src("captures", "manual-bg96-3.7-3.8-download-logout.pcap")
G41 = src("captures", "manual-gsm-4.1-open.pcap")
XSD = src("tests", "replay", "junit.xsd")


def tmp(name):
    return os.path.join(TMP, name)


def rules(name, text):
    path = tmp(name)
    open(path, "w").write(text)
    return path


# ---- one failing run, every machine output --------------------------------------------
# manual 3.7 with the module answering ERROR to AT+QFTPCWD (step 10 of 19)
P_OUT, _ = replaykit.replay(M37, extra=["--junit", tmp("r.xml"), "--json", tmp("r.json"), "--tap"],
                            sim_args=["--fault", "answer-error:+QFTPCWD"])


def test_exit_and_streams():
    assert P_OUT.returncode == 1, P_OUT
    # with --tap, stdout is TAP only and the human report goes to stderr
    assert P_OUT.stdout.startswith(b"TAP version 13\n"), P_OUT.stdout[:200]
    err = P_OUT.stderr.decode()
    assert "step 10 FAIL: AT+QFTPCWD=\"/\"" in err, err
    assert "-+QFTPCWD: 0,0" in err and "+ERROR" in err, err


def test_junit_schema():
    p = subprocess.run(["xmllint", "--noout", "--schema", XSD, tmp("r.xml")], capture_output=True)
    assert p.returncode == 0, p.stderr.decode()


def test_junit_content():
    import xml.etree.ElementTree as ET
    root = ET.parse(tmp("r.xml")).getroot()
    suites = root.findall("testsuite")
    assert len(suites) == 1 and suites[0].get("name").endswith("manual-bg96-3.7-3.8-download-logout.pcap")
    cases = suites[0].findall("testcase")
    # 19 commands + the unsolicited-URC set
    assert len(cases) == 20, len(cases)
    assert suites[0].get("tests") == "20" and suites[0].get("failures") == "1"
    assert suites[0].get("errors") == "0"
    fails = [c for c in cases if c.find("failure") is not None]
    assert len(fails) == 1 and fails[0].get("name") == '010-AT+QFTPCWD="/"', fails  # as sent
    f = fails[0].find("failure")
    assert f.get("type") == "mismatch" and "-+QFTPCWD: 0,0" in f.text


def test_tap():
    lines = P_OUT.stdout.decode().splitlines()
    assert lines[1] == "1..20", lines[:3]
    results = [ln for ln in lines if re.match(r"^(not )?ok \d+ ", ln)]
    assert len(results) == 20
    nums = [int(re.match(r"^(?:not )?ok (\d+)", ln).group(1)) for ln in results]
    assert nums == list(range(1, 21))
    bad = [ln for ln in results if ln.startswith("not ok")]
    assert len(bad) == 1 and "010-AT+QFTPCWD" in bad[0], bad
    # YAML diagnostics block after the failing test
    i = lines.index(bad[0])
    assert lines[i + 1] == "  ---" and "  ..." in lines[i + 2:i + 20]


def test_json():
    d = json.load(open(tmp("r.json")))
    c = d["captures"][0]
    assert c["result"] == "fail" and c["transport_error"] is None
    assert d["summary"] == {"checks": 20, "passed": 19, "failed": 1, "errors": 0, "skipped": 0}
    s10 = c["steps"][9]
    assert s10["step"] == 10 and s10["status"] == "fail"
    assert s10["expected"] == ["OK", "+QFTPCWD: 0,0"] and s10["actual"] == ["ERROR"]
    # manual 3.3: the module answers CWD in 320 ms in the golden
    assert abs(s10["recorded_s"] - 0.32) < 0.001, s10
    for s in c["steps"]:
        assert s["timeout_s"] > 0
        if s["step"] > 1 and s["status"] == "pass":
            assert s["overhead_ns"] is not None and 0 <= s["overhead_ns"] < 1e9, s


for name, fn in [("exit 1; --tap puts TAP on stdout, the report on stderr", test_exit_and_streams),
                 ("--junit validates against the JUnit schema (xmllint)", test_junit_schema),
                 ("--junit: a testsuite per capture, a testcase per step, <failure> at step 10",
                  test_junit_content),
                 ("--tap: plan, 20 numbered results, YAML diagnostics", test_tap),
                 ("--json: statuses, expected/actual items, timings and overhead", test_json)]:
    case(name, fn)


# ---- LAVA -----------------------------------------------------------------------------
def test_lava_printed():
    p, _ = replaykit.replay(G41, extra=["--lava"])
    assert p.returncode == 0, p.stderr
    lines = p.stdout.decode().splitlines()
    assert len(lines) == 6, lines  # 5 commands + unsolicited URCs
    assert all(re.match(r"^lava-test-case manual-gsm-4\.1-open\.pcap-\S+ --result pass$", ln) for ln in lines)
    # no '=' in a name: lava-run drops a TEST_CASE_ID holding one (tests/lava)
    assert "manual-gsm-4.1-open.pcap-005-AT+QFTPOPEN_" in lines[4] and "=" not in "".join(lines), lines


def test_lava_binary():
    bindir = tmp("lavabin")
    os.makedirs(bindir, exist_ok=True)
    log = tmp("lava.log")
    with open(os.path.join(bindir, "lava-test-case"), "w") as f:
        f.write(f"#!/bin/sh\necho \"$@\" >> {log}\n")
    os.chmod(os.path.join(bindir, "lava-test-case"), 0o755)
    env_path = bindir + os.pathsep + os.environ["PATH"]

    def runner(argv, sim):
        return subprocess.run(argv, capture_output=True, env=dict(os.environ, PATH=env_path))
    p, _ = replaykit.replay(G41, extra=["--lava"], runner=runner)
    assert p.returncode == 0, p.stderr
    calls = open(log).read().splitlines()
    assert len(calls) == 6, calls  # one per step, and the unsolicited URCs
    assert calls[0].startswith("manual-gsm-4.1-open.pcap-001-AT+QIFGCNT_0") and calls[0].endswith("--result pass")


case("--lava prints lava-test-case lines when the binary is absent", test_lava_printed)
case("--lava calls lava-test-case when it is on PATH", test_lava_binary)


# ---- rules -----------------------------------------------------------------------------
def test_capture_and_substitute():
    # manual 3.3: step 11 AT+QFTPPWD answers "+QFTPPWD: 0,/"; use the path in step 12
    r = rules("cap.rules", '# a value from a response, used in a later command\n'
              'capture cwd ^\\+QFTPPWD: 0,(.*)$\n'
              'rewrite ^AT\\+QFTPMKDIR="TEST"$ => AT+QFTPMKDIR="${cwd}TEST"\n')
    p, _ = replaykit.replay(M33, extra=["--rules", r, "--record", tmp("cap.pcap"), "--ignore-echo"])
    assert p.returncode == 0, p.stdout.decode() + p.stderr.decode()
    lines = [t["line"] for t in replaykit.show_json(tmp("cap.pcap"))["transactions"]]
    assert 'AT+QFTPMKDIR="/TEST"' in lines, lines


def test_optional_and_max_time():
    r = rules("opt.rules", "optional /^AT\\+QFTPCWD=/\nmax-time 9 0.000001\n")
    p, _ = replaykit.replay(M37, extra=["--rules", r, "--json", tmp("opt.json")],
                            sim_args=["--fault", "answer-error:+QFTPCWD"])
    assert p.returncode == 1, p.stdout
    d = json.load(open(tmp("opt.json")))["captures"][0]["steps"]
    assert d[9]["status"] == "optional", d[9]
    assert d[8]["status"] == "fail" and d[8]["message"].startswith("took "), d[8]
    assert [s["step"] for s in d if s["status"] not in ("pass", "optional")] == [9]


def test_timeout_rule_and_undefined():
    r = rules("to.rules", "timeout 10 0.3\nrewrite ^AT\\+QFTPDEL=.*$ => AT+QFTPDEL=\"${nope}\"\n")
    p, _ = replaykit.replay(M33, extra=["--rules", r, "--json", tmp("to.json"), "--ignore-echo"],
                            sim_args=["--fault", "delay-urc:+QFTPCWD:1500"])
    assert p.returncode == 1
    d = json.load(open(tmp("to.json")))["captures"][0]["steps"]
    assert d[9]["status"] == "fail" and abs(d[9]["timeout_s"] - 0.3) < 1e-6, d[9]
    assert "0.3 s" in d[9]["message"], d[9]
    assert d[17]["status"] == "error" and "${nope}" in d[17]["message"], d[17]


def test_bad_rules():
    path = rules("bad.rules", "")
    for text, want in [("frobnicate x\n", ":1: unknown rule 'frobnicate'"),
                       ("# ok\nmask (unclosed\n", ":2: bad regex"),
                       ("timeout 1-x 5\n", ":1: bad step selector"),
                       ("capture v ^no group$\n", ":1: the capture regex needs a (group)"),
                       ("rewrite ^AT$\n", ":1: expected rewrite REGEX => REPLACEMENT"),
                       # not valid UTF-8: PCRE2 crashed compiling it (issue 16)
                       ("# Latin-1\nmask-data caf\xe9(\\w)\n",
                        ":2: bad regex 'caf\\xE9(\\w)': not valid UTF-8 at byte 4")]:
        open(path, "wb").write(text.encode("latin-1"))
        p = run("replay", "--dry-run", "--rules", path, G41)
        assert p.returncode == 2, (text, p.returncode)
        # FILE:LINE: message, one line
        err = p.stderr.decode()
        assert err.startswith(f"qftp replay: {path}{want}") and err.count("\n") == 1, (text, err)


def test_echo_hint():
    # the manuals print no echo (ATE0); the simulator echoes (ATE1, the default of V.25ter):
    # without --ignore-echo every step differs by its echo line alone, and says so
    def runner(argv, sim):
        argv = [a for a in argv if a != "--ignore-echo"] + ["--json", tmp("echo.json")]
        return subprocess.run(argv, capture_output=True, timeout=120,
                              env=dict(os.environ, QFTP_NO_PROGRESS="1"))
    p, _ = replaykit.replay(G41, runner=runner)
    assert p.returncode == 1, p.stdout.decode()
    steps = json.load(open(tmp("echo.json")))["captures"][0]["steps"]
    assert steps and all(s["status"] == "fail" for s in steps), steps
    for s in steps:
        assert s["message"] == "echo differs (ATE0/ATE1); --ignore-echo tolerates it", s
        assert s["actual"][0] == s["command"] and s["actual"][1:] == s["expected"], s


def unsolicited(path):
    return json.load(open(path))["captures"][0]["unsolicited"]


def test_unsolicited_set():
    # GSM 4.1 (5 steps, no unsolicited line) against a module that sends "+CREG: 1"
    # (device-quirks.md: a URC that belongs to nothing) after AT+QICSGP (step 2)
    creg = ["--fault", "extra-urc:+QICSGP:+CREG: 1"]
    gold = tmp("sim-gsm-creg.pcap")  # a sim- name: replaykit replays it with local-server.rules
    p, _ = replaykit.replay(G41, extra=["--json", tmp("u1.json"), "--record", gold], sim_args=creg)
    assert p.returncode == 1, p.stdout.decode()
    d = json.load(open(tmp("u1.json")))["captures"][0]
    assert [s["status"] for s in d["steps"]] == ["pass"] * 5, d["steps"]
    u = d["unsolicited"]
    assert u["status"] == "fail" and u["expected"] == [] and u["actual"] == ["+CREG: 1"], u
    assert "unsolicited URCs FAIL" in p.stdout.decode() and "++CREG: 1" in p.stdout.decode()
    # the extra line with when it came and during which step (the sim sends it after
    # AT+QICSGP's OK, step 2)
    x = u["extra"]
    assert len(x) == 1 and x[0]["line"] == "+CREG: 1" and x[0]["step"] == 2, x
    assert x[0]["command"] == 'AT+QICSGP=1,"CMNET"' and 0 <= x[0]["t_s"] < 5, x
    assert re.search(r'\+\+CREG: 1 +\(at \d+\.\d{3} s, during step 2 AT\+QICSGP=1,"CMNET"\)',
                     p.stdout.decode()), p.stdout.decode()
    # an ignore-urc rule leaves it out
    r = rules("creg.rules", "ignore-urc ^\\+CREG: \n")
    p, _ = replaykit.replay(G41, extra=["--rules", r], sim_args=creg)
    assert p.returncode == 0, p.stdout.decode()
    # the recording holds it after step 2; a module sending it after AT+QFTPPASS (step 4)
    # matches: a set, not a position
    p, _ = replaykit.replay(gold, extra=["--json", tmp("u2.json")],
                            sim_args=["--fault", "extra-urc:+QFTPPASS:+CREG: 1"])
    assert p.returncode == 0, p.stdout.decode()
    assert unsolicited(tmp("u2.json"))["expected"] == ["+CREG: 1"]
    # a module that never sends it fails the set, and only the set
    p, _ = replaykit.replay(gold, extra=["--json", tmp("u3.json")])
    assert p.returncode == 1, p.stdout.decode()
    u = unsolicited(tmp("u3.json"))
    assert u["status"] == "fail" and u["expected"] == ["+CREG: 1"] and u["actual"] == [], u
    assert "-+CREG: 1" in p.stdout.decode()
    # missing: when the recording had it, and during which of its steps
    m = u["missing"]
    assert len(m) == 1 and m[0]["step"] == 2 and m[0]["command"].startswith("AT+QICSGP="), m
    assert "(recorded at " in p.stdout.decode() and "during step 2 " in p.stdout.decode()


case("without --ignore-echo, a step that differs only by its echo says so", test_echo_hint)
case("unsolicited URCs compare as a set over the session; ignore-urc leaves them out",
     test_unsolicited_set)
case("rules: capture a response value and substitute it into a later command", test_capture_and_substitute)
case("rules: optional steps and max-time limits", test_optional_and_max_time)
case("rules: per-step timeout; an undefined ${variable} is a step error", test_timeout_rule_and_undefined)
case("rules: bad rules files are usage errors naming the line", test_bad_rules)


# ---- options and exit codes --------------------------------------------------------------
def test_usage_errors():
    for args, want in [([], "no capture"), ([G41], "--device DEVICE is required"),
                       ([G41, "--device", "tcp:x:1", "--steps", "3-1"], "--steps"),
                       ([G41, "--device", "tcp:x:1", "--flow", "magic"], "--flow"),
                       ([G41, "--device", "tcp:x:1", "--timeout-scale", "0"], "--timeout-scale"),
                       ([G41, "--device", "tcp:x:1", "--bogus"], "unknown option --bogus"),
                       ([G41, "--devcie", "tcp:x:1"], "unknown option --devcie; did you mean --device?"),
                       ([G41, "--device", "127.0.0.1:5555"], "for a TCP bridge write tcp:127.0.0.1:5555"),
                       ([G41, "--device", "tcp:nohostport"], "expected tcp:HOST:PORT"),
                       ([G41, "--device", "tcp:x:1", "--update", "--steps", "1"], "not with --steps")]:
        p = run("replay", *args)
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert want in p.stderr.decode(), (args, p.stderr)


def malformed_captures():
    """Damaged copies of G41: (name, path)."""
    data = open(G41, "rb").read()
    out = []

    def put(name, b):
        path = tmp(name)
        open(path, "wb").write(b)
        out.append((name, path))
    put("junk.pcap", b"this is not a capture\n" * 10)
    put("empty.pcap", b"")
    for cut in (10, 24 + 8, 100, len(data) // 2, len(data) - 3):
        put(f"cut{cut}.pcap", data[:cut])
    put("ethernet.pcap", data[:20] + (1).to_bytes(4, "little") + data[24:])  # link type 1
    # the first frame's exported-PDU tag 12 claims more bytes than the frame holds
    put("tlv.pcap", data[:24 + 16 + 2] + (0xFFFF).to_bytes(2, "big") + data[24 + 16 + 4:])
    put("garbage-records.pcap", data[:24] + bytes((i * 7919 + 13) % 256 for i in range(5000)))
    return out


def test_unreadable_captures():
    bad = malformed_captures() + [("missing.pcap", tmp("missing.pcap")), ("a folder", TMP)]
    for name, path in bad:
        p = run("replay", path, "--device", "tcp:127.0.0.1:1")
        assert p.returncode == 2, (name, p.returncode, p.stderr)
        assert p.stderr.startswith(b"qftp replay: " + path.encode() + b": "), (name, p.stderr)
        assert len(p.stderr.splitlines()) == 1, (name, p.stderr)
        p = run("replay", "--dry-run", path)
        assert p.returncode == 2, (name, p.returncode, p.stderr)


def test_device_errors():
    for dev in ("tcp:127.0.0.1:1", tmp("no-such-pty"), "/dev/null"):
        p = run("replay", G41, "--device", dev, "--junit", tmp("dev.xml"))
        assert p.returncode == 3, (dev, p.returncode, p.stderr)
        assert b"device error:" in p.stdout, p.stdout
    v = subprocess.run(["xmllint", "--noout", "--schema", XSD, tmp("dev.xml")], capture_output=True)
    assert v.returncode == 0, v.stderr


def test_steps():
    p, _ = replaykit.replay(M37, extra=["--steps", "1-9,19", "--json", tmp("steps.json")])
    assert p.returncode == 0, p.stdout
    d = json.load(open(tmp("steps.json")))["captures"][0]["steps"]
    ran = [s["step"] for s in d if s["status"] != "not_run"]
    assert ran == list(range(1, 10)) + [19], ran


def test_update():
    gdir = tmp("golden")
    os.makedirs(gdir, exist_ok=True)
    gold = os.path.join(gdir, os.path.basename(G41))
    shutil.copy(G41, gold)
    before = open(gold, "rb").read()
    # a run that loses the device keeps the golden as it was
    p, _ = replaykit.replay(gold, extra=["--update", "--ignore-echo"],
                            sim_args=["--fault", "disconnect:+QFTPOPEN"])
    assert p.returncode == 3 and open(gold, "rb").read() == before
    p, _ = replaykit.replay(gold, extra=["--update", "--ignore-echo"])
    assert p.returncode == 0, p.stdout
    after = open(gold, "rb").read()
    assert after != before
    old = replaykit.show_json(G41)["transactions"]
    new = replaykit.show_json(gold)["transactions"]
    assert [t["final"] for t in new] == [t["final"] for t in old]
    assert new[4]["line"].startswith('AT+QFTPOPEN="127.0.0.1",') and new[4]["urc"] == "+QFTPOPEN:0"
    assert os.listdir(gdir) == [os.path.basename(G41)], os.listdir(gdir)


for name, fn in [("usage errors exit 2", test_usage_errors),
                 ("unreadable captures exit 2 before any device is opened", test_unreadable_captures),
                 ("a device that cannot be opened exits 3 with a report", test_device_errors),
                 ("--steps replays only the chosen steps", test_steps),
                 ("--update re-records the golden only when the run completed", test_update)]:
    case(name, fn)


# ---- a pty device, a device that vanishes ----------------------------------------------------
def test_pty():
    pty = tmp("ttyQ")
    with FtpServer() as srv:
        sim = subprocess.Popen([QFTP, "sim", "--dialect", "gsm", "--pty", pty], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
        try:
            assert b"listening on pty" in sim.stdout.readline()
            p = run("replay", G41, "--device", pty, "--baud", "115200", "--rules",
                    src("tests", "replay", "manual-server.rules"), "-D", f"port={srv.port}",
                    "--ignore-echo")
            assert p.returncode == 0, p.stdout.decode() + p.stderr.decode()
        finally:
            sim.terminate()
            sim.wait(10)
            sim.stdout.close()
            sim.stderr.close()


def test_vanish():
    rec = tmp("vanish.pcap")

    def runner(argv, sim):
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(2.5)  # manual 3.6: the first +++ upload (step 12) takes 2 guard times
        sim.proc.send_signal(signal.SIGKILL)
        out, err = p.communicate(timeout=60)
        return subprocess.CompletedProcess(argv, p.returncode, out, err)
    p, _ = replaykit.replay(M36, extra=["--record", rec, "--json", tmp("vanish.json")], runner=runner)
    out = p.stdout.decode()
    assert p.returncode == 3, (p.returncode, out, p.stderr)
    assert "device error:" in out and re.search(r"\((\d+) of 22 steps ran\)", out), out
    d = json.load(open(tmp("vanish.json")))["captures"][0]
    statuses = [s["status"] for s in d["steps"]]
    k = statuses.index("error")
    assert all(s == "pass" for s in statuses[:k]) and all(s == "not_run" for s in statuses[k + 1:]), statuses
    show = run("show", rec)
    assert show.returncode == 0, show.stderr
    assert len(replaykit.show_json(rec)["transactions"]) == k + 1


case("a pty device (qftp sim --pty) replays like TCP", test_pty)
case("a device that vanishes mid-run: exit 3, partial report, readable recording", test_vanish)

# ---- chained lines and A/, several captures in one run, SIGINT ---------------------------------
def test_chained_and_repeat():
    # a golden recorded from the simulator: a chained line (two transactions) and A/
    gold = tmp("chain.pcap")
    with FtpServer() as srv:
        s = replaykit.Sim("bg96", qftp=QFTP, args=["--capture", gold])
        try:
            s.at("AT+CPIN?;+CREG?")
            s.at("ATI")
            s.cmd("A/")
            s.expect(b"\r\nOK\r\n")
        finally:
            s.stop()
        with replaykit.Sim("bg96", qftp=QFTP, connect=False) as sim:
            p = run("replay", gold, "--device", f"tcp:127.0.0.1:{sim.port}", "--json", tmp("chain.json"))
    assert p.returncode == 0, p.stdout.decode() + p.stderr.decode()
    d = json.load(open(tmp("chain.json")))["captures"][0]["steps"]
    assert [x["step"] for x in d] == [1, 2, 3, 4] and all(x["status"] == "pass" for x in d)
    # +CPIN and +CREG answers belong to their own transactions of the one line
    assert d[0]["expected"] == ["+CPIN: READY"], d[0]
    # the session gives the line's echo to its last transaction
    assert d[1]["expected"] == ["AT+CPIN?;+CREG?", "+CREG: 0,1", "OK"], d[1]
    assert d[3]["command"] == "A/" and "Revision: *" in d[3]["actual"], d[3]


def test_several_captures():
    second = tmp("manual-gsm-4.1-open-again.pcap")
    shutil.copy(G41, second)
    recdir = tmp("recs")
    os.makedirs(recdir, exist_ok=True)

    def runner(argv, sim):
        argv = argv[:3] + [second] + argv[3:]
        return subprocess.run(argv, capture_output=True)
    p, _ = replaykit.replay(G41, extra=["--record", recdir, "--junit", tmp("two.xml")], runner=runner)
    assert p.returncode == 0, p.stdout.decode() + p.stderr.decode()
    assert sorted(os.listdir(recdir)) == sorted([os.path.basename(G41), os.path.basename(second)])
    import xml.etree.ElementTree as ET
    assert len(ET.parse(tmp("two.xml")).getroot().findall("testsuite")) == 2
    assert b"total: 2 captures, 12 checks: 12 passed" in p.stdout, p.stdout


def test_sigint():
    rec = tmp("int.pcap")

    def runner(argv, sim):
        q = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(2.0)  # inside the +++ guard time of manual 3.6 step 12
        q.send_signal(signal.SIGINT)
        out, err = q.communicate(timeout=30)
        return subprocess.CompletedProcess(argv, q.returncode, out, err)
    p, _ = replaykit.replay(M36, extra=["--record", rec], runner=runner)
    assert p.returncode == 3, (p.returncode, p.stdout, p.stderr)
    assert b"interrupted by a signal" in p.stdout, p.stdout
    assert run("show", rec).returncode == 0


case("a chained line and A/ replay as their transactions", test_chained_and_repeat)
case("several captures in one run: one recording each, a testsuite each, a total", test_several_captures)
case("SIGINT: exit 3 with the report and a complete recording", test_sigint)
def test_progress_on_tty():
    import pty
    master, slave = pty.openpty()

    def runner(argv, sim):
        q = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave,
                             env={k: v for k, v in os.environ.items() if k != "QFTP_NO_PROGRESS"})
        out, _ = q.communicate(timeout=60)
        return subprocess.CompletedProcess(argv, q.returncode, out, b"")
    p, _ = replaykit.replay(G41, runner=runner)
    os.close(slave)
    got = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        got += chunk
    os.close(master)
    assert p.returncode == 0
    assert b"step 5/5 AT+QFTPOPEN=" in got and b"\r\x1b[K" in got, got
    # and none without a terminal (every other test reads stderr from a pipe)
    assert b"\x1b[K" not in P_OUT.stderr


case("a progress line on stderr only when it is a terminal", test_progress_on_tty)
done()
