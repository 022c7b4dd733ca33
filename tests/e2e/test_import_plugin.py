"""The trimmed, elided, both-orders, module-only and restart logs of tests/logs/import/
through the Wireshark plugin and the replayer (issue 11): each log is imported into a
capture, real tshark with the plugin decodes it, and the fields must say what a person
reading the log lists (its .expect file, written from the manuals): the command at the
frame that carries it, the final result, the completion URC with err, protocol_error and
value, the bytes of data mode where it ended, the trimmed log's note, and the command
after a trimmed download decoded as a command, not swallowed as file bytes. Then
`qftp replay --dry-run` plans exactly those commands, or refuses a log of the module's
side only, whose commands are inferred. All captures go through one tshark run."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "dissector", "testlib"))

from importexpect import parse_expect  # noqa: E402
from qftptest import case, done, run, src  # noqa: E402
import qftp_ws as W  # noqa: E402

CASES = ["plain-elided-bg96", "plain-cut-bg96", "plain-trimmed-urc-bg96", "tio-snip-bg96",
         "minicom-dots-bg96", "both-orders-bg96", "both-orders-gsm", "module-only-bg96",
         "restart-bg96", "qcom-bg96"]
FIELDS = ["qftp.cmd", "qftp.final", "qftp.urc", "qftp.err", "qftp.protocol_error", "qftp.value",
          "qftp.data.end", "qftp.data.total", "qftp.done_in", "_ws.expert.message"]

t = W.Tshark()
caps, docs, exps = [], [], []
for name in CASES:
    log = src("tests", "logs", "import", name + ".log")
    cap = os.path.join(t.tmp, name + ".pcap")
    run("import", log, "-w", cap, check=True)
    os.chmod(cap, 0o644)
    caps.append(cap)
    docs.append(json.loads(run("show", "--json", cap, check=True).stdout))
    exps.append(parse_expect(log[:-4] + ".expect"))
merged = W.Merged(t, caps, "imported.pcapng")
ROWS = merged.split_rows(t.fields(merged.path, FIELDS), t.fields_of_type("FT_FRAMENUM"))


def keyed(keys, k):
    return [v for kk, v in keys if kk == k]


def item_frames(txns, n, last):
    """The frames that may carry an item of transaction n that show places at frame
    `last`. show names the frame where the parser released the item; the plugin shows
    every item in the frame that holds its bytes (issue 13), an earlier one when the
    parser had to wait (an OK that may end data mode waits for what follows it, a URC
    for the next line)."""
    x = txns[n - 1]
    lo = x["frame_sent"] or max([t["frame_sent"] or 1 for t in txns[:n - 1]] + [1])
    return range(lo, last + 1)


def plugin_case(i):
    name, doc, exp, r = CASES[i], docs[i], exps[i], ROWS[i]
    txns = doc["transactions"]
    assert len(txns) == len(exp["txns"]), f"{name}: {len(txns)} transactions"
    experts = [m for row in r.values() for m in row["_ws.expert.message"]]
    for n, (line, keys) in sorted(exp["txns"].items()):
        x = txns[n - 1]
        where = f"{name} #{n} {line}"
        if not x["inferred"]:
            fs = r[x["frame_sent"]]
            assert x["command"] in fs["qftp.cmd"], f"{where}: the command's frame has {fs['qftp.cmd']}"
        for v in keyed(keys, "final"):
            ff = [r[f]["qftp.final"] for f in item_frames(txns, n, x["frame_final"]) if f in r]
            assert any(v.split(":")[0] in f for f in ff), f"{where}: final {ff}"
        for v in keyed(keys, "urc"):
            at = [f for f in item_frames(txns, n, x["frame_done"])
                  if f in r and v.split(":")[0] in r[f]["qftp.urc"]]
            assert at, f"{where}: urc {r[x['frame_done']]['qftp.urc']}"
            fd = r[at[-1]]
            for k, field in (("err", "qftp.err"), ("pe", "qftp.protocol_error"), ("value", "qftp.value")):
                for want in keyed(keys, k):
                    assert want in fd[field], f"{where}: {field} {fd[field]} != {want}"
            if keyed(keys, "no-value"):
                assert not fd["qftp.value"], f"{where}: value {fd['qftp.value']}"
            if not x["inferred"] and x["frame_done"] != x["frame_sent"]:
                assert str(at[-1]) in r[x["frame_sent"]]["qftp.done_in"], where
        for v in keyed(keys, "info"):
            # an information response: its values at the frame that carries it
            for k, field in (("err", "qftp.err"), ("value", "qftp.value")):
                for want in keyed(keys, k):
                    assert any(want in row[field] for row in r.values()
                               if row["qftp.urc"] or row[field]), f"{where}: {field} {want}"
        for v in keyed(keys, "data"):
            count = v.split(" ")[0]
            ends = [row["qftp.data.total"] for row in r.values() if row["qftp.data.end"]]
            assert any(count in e for e in ends), f"{where}: data mode ends with {ends}, not {count}"
        if "data_trimmed" in keyed(keys, "note"):
            m = [e for e in experts if re.search(r"the log holds \d+ of the \d+ bytes", e)]
            assert m, f"{where}: no trimmed-log note among {experts}"
        if "context_lost" in keyed(keys, "note"):
            assert any("its outcome is lost" in e for e in experts), f"{where}: {experts}"


def replay_case(i):
    name, exp = CASES[i], exps[i]
    p = run("replay", "--dry-run", caps[i])
    out, err = p.stdout.decode(), p.stderr.decode()
    if any(line.startswith("(inferred)") for line, _ in exp["txns"].values()):
        # nothing to send: the log holds no command line of those commands
        assert p.returncode == 2 and "inferred from the module's answers" in err, (p.returncode, err)
        return
    assert p.returncode == 0, err
    steps = re.findall(r"^#(\d+)\s+(.*)$", out, re.M)
    want = [line for _, (line, _) in sorted(exp["txns"].items())]
    got = [line for _, line in steps]
    # the replayer shows passwords as ****
    want = [re.sub(r'("account","[^"]*",|QFTPPASS=)"[^"]*"', r'\1"****"', w) for w in want]
    assert got == want, f"{name}: plan {got} != {want}"


for i, name in enumerate(CASES):
    case(f"plugin fields {name}", plugin_case, i)
for i, name in enumerate(CASES):
    case(f"replay --dry-run {name}", replay_case, i)
t.cleanup()
done()
