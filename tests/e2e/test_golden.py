"""Golden outputs of `qftp show --json` for every log under tests/logs/ and every capture
under captures/. The goldens are reviewed files: regenerate them only with
`python3 tests/e2e/test_golden.py --update` and read the diff before committing."""
import glob
import json
import os
import sys

from qftptest import case, check_golden, done, run, src

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
    check_golden(golden_path(path), got, UPDATE, "test_golden.py --update")


for path in inputs():
    case(f"golden {os.path.relpath(path, src())}", check, path)
done()
