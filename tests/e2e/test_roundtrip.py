"""import -> capture -> show gives the same transactions as showing the log itself."""
import glob
import json
import os
import tempfile

from qftptest import case, done, run, src


def strip(doc):
    doc = dict(doc)
    doc.pop("input", None)
    doc.pop("layout", None)  # the log's layout; a capture has none
    # frame numbers count records of the log vs frames of the capture: the same here,
    # but keep the comparison about content
    return doc


def check(log):
    with tempfile.TemporaryDirectory() as d:
        cap = os.path.join(d, "out.pcap")
        p = run("import", log, "-w", cap)
        assert p.returncode == 0, p.stderr.decode()
        a = json.loads(run("show", "--json", log, check=True).stdout)
        b = json.loads(run("show", "--json", cap, check=True).stdout)
        assert strip(a) == strip(b), "transactions differ between the log and its capture"
        assert a["transactions"], "no transactions decoded"


for log in sorted(glob.glob(src("tests", "logs", "*.log"))):
    if os.path.basename(log).startswith("bad-"):
        continue
    case(f"roundtrip {os.path.basename(log)}", check, log)
done()
