"""qftp replay against hostile material (issue 16): download bytes that are not
UTF-8 under data masks, secrets given on the command line, a device that floods, a
device that never answers. Each case failed (crash, leak, unbounded memory, a 3-minute
run of timeouts) before its fix."""
import json
import os
import subprocess
import sys
import tempfile

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
    assert "caf." in json.dumps(steps[10]["actual"]), steps[10]


case("mask-data on a Latin-1 download: the step fails, nothing crashes", test_latin1_download)
done()
