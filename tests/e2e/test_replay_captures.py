"""qftp replay: every golden capture under captures/ replays against the simulator with
exit 0 (the FTP server each needs, seeded from the capture itself; the manuals'
examples with the rules files under tests/replay/), and what a replay writes (the
recording, the JSON timings) holds what the capture shows."""
import concurrent.futures
import glob
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "replay"))
from qftptest import case, done, run, src  # noqa: E402
import replaykit  # noqa: E402

CAPTURES = sorted(glob.glob(src("captures", "*.pcap")))
TMP = tempfile.mkdtemp(prefix="qftp-replay-test-")


def replay_one(cap):
    name = os.path.basename(cap)[:-5]
    rec = os.path.join(TMP, name + ".rec.pcap")
    js = os.path.join(TMP, name + ".json")
    p, sim_err = replaykit.replay(cap, extra=["--record", rec, "--json", js])
    return cap, p, rec, js


# The captures with 20 s timeouts in them dominate; run them side by side.
with concurrent.futures.ThreadPoolExecutor(4) as ex:
    RESULTS = list(ex.map(replay_one, CAPTURES))


def check(cap, p, rec, js):
    out = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
    assert p.returncode == 0, f"exit {p.returncode}:\n{out}"
    d = json.load(open(js))
    steps = d["captures"][0]["steps"]
    golden = replaykit.show_json(cap)["transactions"]
    assert len(steps) == len(golden), (len(steps), len(golden))
    for s, t in zip(steps, golden):
        assert s["status"] == "pass", s
        assert s["step"] == t["index"]
        # the compared outcome holds the capture's completion URC (or a masked form)
        if t["urc"]:
            assert t["urc"] in s["expected"] or any("*" in x for x in s["expected"]), (s, t)
    # the recording of the live session decodes with the same commands
    live = replaykit.show_json(rec)["transactions"]
    assert [t["command"] for t in live] == [t["command"] for t in golden]
    assert [t["final"] for t in live] == [t["final"] for t in golden]


def test_count():
    assert len(CAPTURES) >= 26, CAPTURES


case("captures/ holds the 26 golden captures", test_count)
for cap, p, rec, js in RESULTS:
    case(f"replay {os.path.basename(cap)} against the simulator: exit 0, every step passes",
         check, cap, p, rec, js)


def test_dry_run():
    p = run("replay", "--dry-run", src("captures", "manual-bg96-3.6-upload.pcap"))
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode()
    # manual 3.6: 22 commands; the first upload is escaped with +++, 1000 bytes
    assert "22 steps" in out, out
    assert "#12  AT+QFTPPUT=\"test_my.txt\",\"COM:\",0" in out, out
    assert "send 1000 bytes, then +++ with guard times" in out, out
    assert "send 1024 bytes\n" in out, out


case("--dry-run prints the plan without a device", test_dry_run)
done()
