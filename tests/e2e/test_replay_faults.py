"""qftp replay against a simulator with a firmware regression (`qftp sim --fault`,
docs/simulator.md): each fault fails the replay at the step it hits, with a diff that
shows the manual's answer against the module's, and exit 1; a dropped link gives exit
3, a partial report and a readable recording."""
import concurrent.futures
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "replay"))
from qftptest import case, done, src  # noqa: E402
import replaykit  # noqa: E402

# BG96 manual 3.7/3.8: step 9 AT+QFTPOPEN, 10 AT+QFTPCWD="/" (+QFTPCWD: 0,0),
# 11 AT+QFTPGET="test_my.txt","COM:" (1000 bytes, +QFTPGET: 0,1000).
M37 = src("captures", "manual-bg96-3.7-3.8-download-logout.pcap")
NOFILE = src("captures", "sim-bg96-no-such-file.pcap")
TMP = tempfile.mkdtemp(prefix="qftp-replay-faults-")


def rules(name, text):
    path = os.path.join(TMP, name)
    open(path, "w").write(text)
    return path


# A step waits as long as the module may take (docs/replay.md "Timeouts"): its response
# timeout, 90 s in the golden's AT+QFTPCFG="rsptimeout",90 (step 8). A module set to the
# manual's shortest, 20 s, keeps the tests of missing outcomes short; a `timeout` rule
# is tighter still.
RSP20 = ["--rules", rules("rsp20.rules", 'rewrite ^AT\\+QFTPCFG="rsptimeout",90$ => '
                                         'AT+QFTPCFG="rsptimeout",20\n')]
CWD2 = ["--rules", rules("cwd2.rules", "timeout /^AT\\+QFTPCWD=/ 2\n")]

# fault, capture, extra options, expected exit, first failing step, lines the diff must hold
FAULTS = [
    ("delay-urc:+QFTPCWD:4000", M37, CWD2, 1, 10, ["-+QFTPCWD: 0,0"]),
    ("drop-urc:+QFTPCWD", M37, RSP20, 1, 10, ["-+QFTPCWD: 0,0"]),
    ("error-code:+QFTPSIZE:601", NOFILE, [], 1, 9, ["-+QFTPSIZE: 627,550", "++QFTPSIZE: 601,550"]),
    ("answer-error:+QFTPCWD", M37, [], 1, 10, ["-OK", "-+QFTPCWD: 0,0", "+ERROR"]),
    ("no-space:+QFTPOPEN", M37, [], 1, 9, ["-+QFTPOPEN: 0,0", "++QFTPOPEN:0,0"]),
    ("swap-ok-urc:+QFTPCWD", M37, [], 1, 10, ["-OK", " +QFTPCWD: 0,0", "+OK"]),
    ("truncate:+QFTPGET:100", M37, ["--stop-on-fail"], 1, 11,
     ["-<data: 1000 bytes>", "+<data: 100 bytes, differs from byte 100>"]),
    ("stall:+QFTPGET:100", M37, ["--stop-on-fail", *RSP20], 1, 11, ["-OK", "-+QFTPGET: 0,1000"]),
    ("disconnect:+QFTPGET:100", M37, [], 3, 11, []),
]


def run_fault(spec):
    fault, cap, extra, *_ = spec
    tag = fault.replace(":", "_").replace("+", "")
    rec = os.path.join(TMP, tag + ".pcap")
    js = os.path.join(TMP, tag + ".json")
    p, _ = replaykit.replay(cap, extra=["--record", rec, "--json", js, *extra],
                            sim_args=["--fault", fault])
    return p, rec, js


with concurrent.futures.ThreadPoolExecutor(4) as ex:
    RESULTS = list(ex.map(run_fault, FAULTS))


def check(spec, p, rec, js):
    fault, cap, extra, want_rc, step, lines = spec
    out = p.stdout.decode(errors="replace")
    assert p.returncode == want_rc, f"exit {p.returncode}, want {want_rc}:\n{out}{p.stderr.decode()}"
    d = json.load(open(js))
    steps = d["captures"][0]["steps"]
    bad = [s for s in steps if s["status"] in ("fail", "error")]
    assert bad and bad[0]["step"] == step, [(s["step"], s["status"]) for s in bad]
    assert all(s["status"] == "pass" for s in steps[:step - 1]), steps[:step - 1]
    first = bad[0]
    for line in lines:
        assert line in (first["diff"] or "").split("\n"), (line, first["diff"])
        assert line in out, (line, out)
    assert f"step {step} " in out, out
    if want_rc == 3:
        # partial report: what ran, the device error, later steps not run
        assert "device error:" in out and "closed the connection" in out, out
        assert first["status"] == "error"
        assert all(s["status"] == "not_run" for s in steps[step:]), steps[step:]
        assert d["captures"][0]["transport_error"]
    # the live recording opens and holds the commands up to the failing step
    show = replaykit.show_json(rec)["transactions"]
    assert len(show) >= step, (len(show), step)
    golden = replaykit.show_json(cap)["transactions"]
    assert show[step - 1]["command"] == golden[step - 1]["command"]


for spec, (p, rec, js) in zip(FAULTS, RESULTS):
    case(f"fault {spec[0]}: exit {spec[3]} at step {spec[4]} with the diff", check, spec, p, rec, js)
done()
