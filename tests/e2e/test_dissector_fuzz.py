"""Fuzzing the Wireshark plugin: every capture (captures/, tests/, the generated BG96
and GSM sessions) corrupted with `editcap -E` several times over and read by real
tshark with the plugin, two passes and full trees, one pass, and the statistics. No
crash, no dissector bug, and, with the plugin's ASan/UBSan copy (built with the tree
into <build>/asan, see dissector/CMakeLists.txt), no sanitizer report.

The corrupted copies are merged into pcapng files of up to BATCH copies, each copy its
own interface and so its own session (qftp_ws.Merged): three tshark runs per batch
instead of three per copy. When a batch fails, its copies are read one by one to name
the one that fails, which is kept.

QFTP_FUZZ_COUNT sets the corrupted copies per capture (default 4; bench/dissector_fuzz.sh
runs many more)."""
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "dissector", "testlib"))

from qftptest import case, done  # noqa: E402
import qftp_ws as W  # noqa: E402

COUNT = int(os.environ.get("QFTP_FUZZ_COUNT", "4"))
BATCH = 250
BAD = ("AddressSanitizer", "runtime error:", "LeakSanitizer", "Dissector bug", "Segmentation",
       "Aborted", "core dumped")
# editcap -E also corrupts the exported_pdu header in front of the qftp payload, and
# Wireshark's own exported_pdu dissector asserts on some of those ("version == 1" in
# packet-exported_pdu.c): that is Wireshark's report, not the plugin's.
NOT_OURS = re.compile(r"Dissector bug, protocol exported_pdu[^\n]*")
RUNS = (["-2", "-V"], ["-V"], ["-2", "-q", "-z", "qftp,tree"])


def sanitizer_plugin():
    """The plugin's ASan/UBSan copy next to the test build (<build>/asan, made by the
    build itself unless -DQFTP_PLUGIN_ASAN=OFF; made here if missing), unless
    QFTP_PLUGIN names one already: the fuzzing is only worth it with the sanitizers on."""
    if os.environ.get("QFTP_PLUGIN") or os.environ.get("QFTP_FUZZ_PLAIN"):
        return
    build = os.path.dirname(os.path.abspath(W.QFTP))
    asan = os.path.join(build, "asan")
    hits = glob.glob(os.path.join(asan, "dissector", "plugins", "*", "epan", "qftp.so"))
    if not hits:
        src = os.environ.get("QFTP_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
        for cmd in (["cmake", "-S", src, "-B", asan, "-DQFTP_SANITIZE=ON", "-DBUILD_TESTING=OFF",
                     "-DQFTP_PLUGIN_ASAN=OFF", "-DCMAKE_BUILD_TYPE=RelWithDebInfo"],
                    ["cmake", "--build", asan, "-j2", "--target", "qftp_plugin"]):
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                raise SystemExit(f"cannot build the sanitizer plugin: {p.stdout[-2000:]}{p.stderr[-2000:]}")
        hits = glob.glob(os.path.join(asan, "dissector", "plugins", "*", "epan", "qftp.so"))
    if len(hits) != 1:
        raise SystemExit(f"cannot find the sanitizer plugin under {asan}: {hits}")
    os.environ["QFTP_PLUGIN"] = hits[0]


sanitizer_plugin()
t = W.Tshark()


def problems(path, args):
    """What is wrong with tshark reading path with args: None when nothing."""
    p = t.run("-r", path, *args, check=False)
    err = NOT_OURS.sub("", p.stderr.decode(errors="replace") + p.stdout.decode(errors="replace"))
    bad = [b for b in BAD if b in err]
    if p.returncode != 0 or bad:
        return f"rc {p.returncode} {bad}\n{err[-1500:]}"
    return None


def corrupt(cap, seed):
    out = os.path.join(t.tmp, f"fz-{seed}-{os.path.basename(cap)}")
    subprocess.run(["editcap", "-E", "0.02", "--seed", str(1000 + seed), cap, out],
                   check=True, capture_output=True)
    os.chmod(out, 0o644)
    return out


def fuzz_batch(copies, k):
    m = W.Merged(t, copies, f"fuzz-{k}.pcapng")
    for args in RUNS:
        if problems(m.path, args) is None:
            continue
        for c in copies:  # name the copy that fails
            why = problems(c, args)
            if why:
                keep = c + ".failed"
                os.rename(c, keep)
                raise AssertionError(f"{os.path.basename(c)} {args}: {why} (kept {keep})")
        raise AssertionError(f"batch {k} {args} fails only as a whole: {problems(m.path, args)} "
                             f"(kept {m.path})")
    os.unlink(m.path)
    for c in copies:
        os.unlink(c)


def test_asan_detected():
    """Reports whether the sanitizers are on: a plain build still fuzzes for crashes."""
    print(f"# plugin {W.plugin_path()}: "
          f"{'ASan/UBSan build' if t.preload else 'no sanitizers (configure -DQFTP_SANITIZE=ON)'}")


case("sanitizer status", test_asan_detected)
caps = W.sample_captures(t)
copies = [corrupt(c, seed) for seed in range(COUNT) for c in caps]
for k in range(0, len(copies), BATCH):
    part = copies[k:k + BATCH]
    case(f"editcap -E: {len(part)} corrupted copies of {len(caps)} captures (batch {k // BATCH + 1})",
         fuzz_batch, part, k // BATCH + 1)
t.cleanup()
done()
