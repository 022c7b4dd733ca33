"""Every sample log of tests/logs/import/ that has a NAME.expect beside it (issue 11):

- what a person reading the log lists, command by command (NAME.expect, written by hand
  from the manuals: never from qftp's output), equals what `qftp show --json` decodes;
- `qftp show --json` equals its reviewed golden file tests/golden/import/NAME.json
  (regenerate with `python3 tests/e2e/test_import_layouts.py --update` and read the diff);
- the round trip log -> qftp import -> capture -> show gives the same transactions;
- the first line of `qftp show` names the layout and why it was chosen;
- a log with nothing in it that is AT traffic: a message naming the layouts tried, exit 1.

The .expect format, one fact per line ('#' starts a comment):
  layout NAME               the layout auto-detection chooses
  dialect bg96|gsm|unknown
  side module               the log holds the module's side only
  times synthesised         the log has no times (they are synthesised)
  skipped N                 lines that are not AT traffic, skipped
  exit N                    the exit status of show (1: nothing is AT traffic)
  N LINE | key value | ...  transaction N (LINE is the command line, or "(inferred) +NAME")
  context KIND LINE [affects N[,N]]
  unsolicited LINE
  grouped KIND N            a note KIND given once for N transactions
  note KIND                 a note of no transaction
Transaction keys: final LINE, info LINE (each, in order), connect, data N DIR, escaped,
urc LINE, err N, pe N, value V, no-value, no-pe, note KIND, no-note KIND, no-final, no-urc,
echo, known.
"""
import glob
import json
import os
import sys
import tempfile

from importexpect import parse_expect
from qftptest import case, check_golden, done, run, src

UPDATE = "--update" in sys.argv
HERE = src("tests", "logs", "import")


def final_text(t):
    if not t["final"]:
        return None
    if t["final"] in ("+CME ERROR", "+CMS ERROR") and t["cme_error"] is not None:
        return f'{t["final"]}: {t["cme_error"]}'
    return t["final"]


def note_kinds(notes):
    return [n.get("kind", "") for n in notes]


def check_txn(n, t, line, keys):
    where = f"#{n} {line}"
    if line.startswith("(inferred) "):
        assert t.get("inferred"), f"{where}: not marked inferred"
        assert t["command"] == line.split(" ", 1)[1], f"{where}: command {t['command']}"
    else:
        assert t["line"] == line, f"{where}: line is {t['line']!r}"
    infos = [v for k, v in keys if k == "info"]
    if infos or any(k == "final" for k, _ in keys):
        assert t["info"] == infos, f"{where}: info {t['info']} != {infos}"
    for k, v in keys:
        if k == "final":
            assert final_text(t) == v, f"{where}: final {final_text(t)!r} != {v!r}"
        elif k == "no-final":
            assert t["final"] is None, f"{where}: final {t['final']!r}"
        elif k == "connect":
            assert t["connect"], f"{where}: no CONNECT"
        elif k == "data":
            count, direction = v.split(" ")
            assert t["data_len"] == int(count), f"{where}: data_len {t['data_len']} != {count}"
            assert t["data_dir"] == direction, f"{where}: data_dir {t['data_dir']}"
        elif k == "escaped":
            assert t["data_end"] == "escape", f"{where}: data_end {t['data_end']}"
        elif k == "urc":
            assert t["urc"] == v, f"{where}: urc {t['urc']!r} != {v!r}"
        elif k == "no-urc":
            assert t["urc"] is None, f"{where}: urc {t['urc']!r}"
        elif k == "err":
            assert t["err"] == int(v), f"{where}: err {t['err']} != {v}"
        elif k == "pe":
            assert t["protocol_error"] == int(v), f"{where}: protocol_error {t['protocol_error']} != {v}"
        elif k == "value":
            want = int(v) if v.lstrip("-").isdigit() else v
            got = t["value"]
            assert got == want or str(got) == v, f"{where}: value {got!r} != {v!r}"
        elif k == "no-value":
            assert t["value"] is None, f"{where}: value {t['value']!r}"
        elif k == "no-pe":
            assert t["protocol_error"] is None, f"{where}: protocol_error {t['protocol_error']!r}"
        elif k == "note":
            assert v in note_kinds(t["notes"]), f"{where}: no note {v} in {t['notes']}"
        elif k == "no-note":
            assert v not in note_kinds(t["notes"]), f"{where}: note {v} in {t['notes']}"
        elif k == "echo":
            assert t["echo"], f"{where}: not known from an echo"
        elif k == "info":
            pass  # compared above, in order
        elif k == "known":
            assert t["known"], f"{where}: not in the tables"
        else:
            raise AssertionError(f"{where}: unknown key {k} in the .expect file")


def check_expect(doc, exp):
    if "layout" in exp:
        assert doc["layout"]["name"] == exp["layout"], f"layout {doc['layout']}"
    if "dialect" in exp:
        want = None if exp["dialect"] == "unknown" else exp["dialect"]
        assert doc["dialect"] == want, f"dialect {doc['dialect']} != {exp['dialect']}"
    if exp.get("side") == "module":
        assert doc.get("module_side_only"), "not said to be the module's side only"
    if exp.get("times_synthesised"):
        assert doc["times_synthesised"], "times not synthesised"
    if "skipped" in exp:
        assert doc["layout"]["skipped"] == int(exp["skipped"]), f"skipped {doc['layout']['skipped']}"
    txns = doc["transactions"]
    assert len(txns) == len(exp["txns"]), \
        f"{len(txns)} transactions, the log has {len(exp['txns'])}: {[t['line'] for t in txns]}"
    for n, (line, keys) in sorted(exp["txns"].items()):
        check_txn(n, txns[n - 1], line, keys)
    ctx = doc.get("context", [])
    got = [(c["kind"], c["line"]) for c in ctx]
    assert got == [(k, text) for k, text, _ in exp["context"]], f"context {got}"
    for c, (_, _, affects) in zip(ctx, exp["context"]):
        if affects is not None:
            assert c["affects"] == affects, f"{c['line']}: affects {c['affects']} != {affects}"
    if exp["unsolicited"]:
        lines = [u["line"] for u in doc["unsolicited"]]
        for u in exp["unsolicited"]:
            assert u in lines, f"unsolicited {u!r} not in {lines}"
    for kind, count in exp["grouped"]:
        groups = [g for g in doc.get("grouped_notes", []) if g["kind"] == kind]
        assert groups and groups[0]["count"] == count, f"grouped {kind}: {groups}"
    for kind in exp["notes"]:
        assert kind in note_kinds(doc["notes"]), f"no session note {kind}: {doc['notes']}"


def golden(name, text):
    check_golden(src("tests", "golden", "import", name + ".json"), text, UPDATE,
                 "test_import_layouts.py --update")


def strip(doc):
    doc = dict(doc)
    for k in ("input", "layout"):
        doc.pop(k, None)
    return doc


def check(log):
    name = os.path.splitext(os.path.basename(log))[0]
    exp = parse_expect(os.path.splitext(log)[0] + ".expect")
    p = run("show", "--json", log)
    if exp.get("exit") == "1":
        assert p.returncode == 1, f"exit {p.returncode}"
        err = p.stderr.decode()
        assert "no AT traffic" in err and "line 1" in err, err
        for layout in ("plain", "timestamped", "firmware", "docklight"):
            assert layout in err, f"{layout} not named: {err}"
        p = run("import", log, "-w", os.path.join(tempfile.gettempdir(), "never-written.pcap"))
        assert p.returncode == 1, f"import exit {p.returncode}"
        return
    assert p.returncode == 0, p.stderr.decode()
    text = p.stdout.decode()
    doc = json.loads(text)
    check_expect(doc, exp)
    golden(name, text)
    # the first line of the transcript names the layout and why
    first = run("show", "--color", "never", log, check=True).stdout.decode().splitlines()[0]
    assert f"log, {doc['layout']['name']}" in first and doc["layout"]["why"] in first, first
    # log -> capture -> show
    with tempfile.TemporaryDirectory() as d:
        cap = os.path.join(d, "out.pcap")
        run("import", log, "-w", cap, check=True)
        b = json.loads(run("show", "--json", cap, check=True).stdout)
        assert strip(doc) == strip(b), "transactions differ between the log and its capture"


SAMPLES = [f for ext in ("log", "csv", "jsonl") for f in glob.glob(os.path.join(HERE, "*." + ext))]
for log in sorted(SAMPLES):
    if os.path.exists(os.path.splitext(log)[0] + ".expect"):
        case(f"layout {os.path.basename(log)}", check, log)
done()
