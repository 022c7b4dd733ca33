"""Fuzzing the Wireshark plugin: every capture (captures/, tests/, the generated BG96
and GSM sessions) corrupted with `editcap -E` many times over and read by real tshark
with the plugin, two passes and full trees. No crash, no dissector bug, and, when the
plugin is an ASan/UBSan build (cmake -DQFTP_SANITIZE=ON), no sanitizer report.
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
BAD = ("AddressSanitizer", "runtime error:", "LeakSanitizer", "Dissector bug", "Segmentation",
       "Aborted", "core dumped")
# editcap -E also corrupts the exported_pdu header in front of the qftp payload, and
# Wireshark's own exported_pdu dissector asserts on some of those ("version == 1" in
# packet-exported_pdu.c): that is Wireshark's report, not the plugin's.
NOT_OURS = re.compile(r"Dissector bug, protocol exported_pdu[^\n]*")



def sanitizer_plugin():
    """The plugin built with ASan and UBSan next to the test build (<build>/asan), unless
    QFTP_PLUGIN names one already: the fuzzing is only worth it with the sanitizers on."""
    if os.environ.get("QFTP_PLUGIN") or os.environ.get("QFTP_FUZZ_PLAIN"):
        return
    build = os.path.dirname(os.path.abspath(W.QFTP))
    asan = os.path.join(build, "asan")
    src = os.environ.get("QFTP_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
    for cmd in (["cmake", "-S", src, "-B", asan, "-DQFTP_SANITIZE=ON", "-DBUILD_TESTING=OFF",
                 "-DCMAKE_BUILD_TYPE=RelWithDebInfo"],
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


def fuzz(cap):
    for seed in range(COUNT):
        out = os.path.join(t.tmp, f"fz-{seed}-{os.path.basename(cap)}")
        for prob in ("0.02",):
            subprocess.run(["editcap", "-E", prob, "--seed", str(1000 + seed), cap, out],
                           check=True, capture_output=True)
            os.chmod(out, 0o644)
            for args in (["-2", "-V"], ["-V"], ["-2", "-q", "-z", "qftp,tree"]):
                p = t.run("-r", out, *args, check=False)
                err = p.stderr.decode(errors="replace") + p.stdout.decode(errors="replace")
                err = NOT_OURS.sub("", err)
                bad = [b for b in BAD if b in err]
                if p.returncode not in (0,) or bad:
                    keep = out + ".failed"
                    os.rename(out, keep)
                    raise AssertionError(f"{os.path.basename(cap)} seed {seed} {args}: "
                                         f"rc {p.returncode} {bad} (kept {keep})\n{err[-1500:]}")
        os.unlink(out)


def test_asan_detected():
    """Reports whether the sanitizers are on: a plain build still fuzzes for crashes."""
    print(f"# plugin {W.plugin_path()}: "
          f"{'ASan/UBSan build' if t.preload else 'no sanitizers (configure -DQFTP_SANITIZE=ON)'}")


case("sanitizer status", test_asan_detected)
for c in W.sample_captures(t):
    case(f"editcap -E x{COUNT}: {os.path.basename(c)}", fuzz, c)
done()
