"""Golden tshark outputs with the qftp plugin for every capture under captures/: the
decoded tree (`-2 -V -O qftp`) and the filter-contract fields (`-2 -T fields`), run as an
unprivileged user (tshark ignores plugin folders for root). The captures are read as one
merged pcapng file (one interface, hence one session, each) and the output split back. Reviewed files: regenerate
with `python3 tests/e2e/test_dissector_golden.py --update` and read the diff."""
import difflib
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "dissector", "testlib"))

from qftptest import case, done, src  # noqa: E402
import qftp_ws as W  # noqa: E402

UPDATE = "--update" in sys.argv
FIELDS = ["qftp.cmd", "qftp.cmd.type", "qftp.param", "qftp.final", "qftp.cme_error", "qftp.urc",
          "qftp.err", "qftp.protocol_error", "qftp.value", "qftp.data.len", "qftp.response_in",
          "qftp.request_in", "qftp.done_in", "qftp.dialect", "qftp.state"]

t = W.Tshark()


def compare(got, path, normalise):
    if UPDATE:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(got)
        return
    assert os.path.exists(path), f"no golden file {path}: run with --update and review it"
    # one reference for every Wireshark version: known format differences are
    # normalised on both sides (qftp_ws.normalise_*)
    want = normalise(open(path).read())
    got = normalise(got)
    if got != want:
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), path, "now", n=2))
        raise AssertionError("tshark output differs from the golden file:\n" + diff[:4000])


def check(name, tree, fields):
    assert "Quectel" in tree or "qftp" in tree.lower(), tree[:500]
    compare(tree, src("tests", "golden", "dissector", name + ".V.txt"), W.normalise_tree)
    compare(fields, src("tests", "golden", "dissector", name + ".fields.txt"),
            lambda text: W.normalise_fields(text, t.boolean_fields()))


caps = sorted(glob.glob(src("captures", "*.pcap")))
# All captures in one file, one session each: two tshark runs instead of two per capture.
m = W.Merged(t, [t.file(c) for c in caps])
args = ["-r", m.path, "-2", "-T", "fields", "-E", "header=y", "-E", "occurrence=a", "-e", "frame.number"]
for f in FIELDS:
    args += ["-e", f]
trees = m.split_tree(t.run("-r", m.path, "-2", "-V", "-O", "qftp").stdout.decode())
fields = m.split_fields(t.run(*args).stdout.decode())
for cap, tree, fl in zip(caps, trees, fields):
    case(f"tshark golden {os.path.basename(cap)}", check, os.path.basename(cap), tree, fl)


# tshark without a filter or -V builds no tree: the plugin then fills the columns and
# raises its expert infos on a shorter path. With a filter it builds the tree; the packet
# list and the expert statistics must not depend on which path ran.
def same_without_tree(extra):
    plain = t.run("-r", m.path, *extra).stdout.decode()
    treed = t.run("-r", m.path, "-Y", "frame", *extra).stdout.decode()
    assert plain.count("\n") > len(caps), plain[:500]
    if plain != treed:
        diff = "".join(difflib.unified_diff(treed.splitlines(True), plain.splitlines(True),
                                            "with a tree", "without", n=1))
        raise AssertionError("tshark's output depends on the tree:\n" + diff[:4000])


for extra in ([], ["-2"], ["-q", "-z", "expert"], ["-2", "-q", "-z", "expert"]):
    case(f"tshark {' '.join(extra) or 'one pass'}: the same without a tree", same_without_tree,
         extra)
t.cleanup()
done()
