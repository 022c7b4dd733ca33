"""Golden outputs of `qftp show --json` for every log under tests/logs/ and every capture
under captures/. The goldens are reviewed files: regenerate them only with
`python3 tests/e2e/test_golden.py --update` and read the diff before committing."""
import glob
import json
import os
import sys

from qftptest import case, done, run, src

UPDATE = "--update" in sys.argv


def inputs():
    return sorted(glob.glob(src("tests", "logs", "*.log"))) + sorted(glob.glob(src("captures", "*.pcap")))


def golden_path(path):
    base = os.path.basename(path)
    return src("tests", "golden", base + ".json")


def check(path):
    p = run("show", "--json", path)
    assert p.returncode in (0, 2), p.stderr
    got = p.stdout.decode()
    json.loads(got)  # valid JSON, always
    g = golden_path(path)
    if UPDATE:
        os.makedirs(os.path.dirname(g), exist_ok=True)
        with open(g, "w") as f:
            f.write(got)
        return
    assert os.path.exists(g), f"no golden file {g}: run test_golden.py --update and review it"
    with open(g) as f:
        want = f.read()
    if got != want:
        import difflib
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), g, "now", n=2))
        raise AssertionError("output differs from the golden file:\n" + diff[:4000])


for path in inputs():
    case(f"golden {os.path.relpath(path, src())}", check, path)
done()
