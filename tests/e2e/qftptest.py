"""Helpers shared by the end-to-end tests: run the built qftp, report like TAP."""
import os
import struct
import subprocess
import sys
import time

SRC = os.environ.get("QFTP_SRCDIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
QFTP = os.environ.get("QFTP_BIN", os.path.join(SRC, "build", "qftp"))

_failures = []
_count = 0


def run(*args, env=None, input_bytes=None, check=False):
    """Runs qftp with args; returns CompletedProcess with bytes stdout/stderr."""
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    if env:
        e.update(env)
    p = subprocess.run([QFTP, *args], capture_output=True, env=e, input=input_bytes, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"qftp {' '.join(args)} exited {p.returncode}: {p.stderr.decode(errors='replace')}")
    return p


def capture_frames(path):
    """[(seconds, dir, bytes)] of a qftp capture (dir 0 host -> module, 1 module -> host,
    None without a direction tag), read without libqftp (docs/capture-format.md)."""
    b = open(path, "rb").read()
    e = "<" if b[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nsec = b[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    off, out = 24, []
    while off + 16 <= len(b):
        sec, frac, caplen, _ = struct.unpack(e + "IIII", b[off:off + 16])
        rec, off, p, d = b[off + 16:off + 16 + caplen], off + 16 + caplen, 0, None
        while p + 4 <= len(rec):
            tag, ln = struct.unpack(">HH", rec[p:p + 4])
            p += 4
            if tag == 0:
                break
            if tag == 35:
                d = struct.unpack(">i", rec[p:p + 4])[0]
            p += ln
        out.append((sec + frac / (1e9 if nsec else 1e6), d, rec[p:]))
    return out


def case(name, fn, *a):
    """Runs one case and reports it (TAP, with its time). QFTP_SHARD=i/n runs only the cases
    whose number is i modulo n (1-based), so ctest can run a long file as n tests."""
    global _count
    _count += 1
    shard = os.environ.get("QFTP_SHARD")
    if shard:
        i, n = (int(x) for x in shard.split("/"))
        if _count % n != i % n:
            print(f"ok {_count} {name} # SKIP another shard")
            return
    t0 = time.monotonic()
    try:
        fn(*a)
        print(f"ok {_count} {name} # {time.monotonic() - t0:.2f} s")
    except Exception as ex:  # report and go on: one run shows every failure
        _failures.append(name)
        print(f"not ok {_count} {name}\n# {type(ex).__name__}: {ex}".replace("\n", "\n# "))


def done():
    print(f"1..{_count}")
    print(f"{_count - len(_failures)} passed, {len(_failures)} failed")
    sys.exit(1 if _failures else 0)


def src(*parts):
    return os.path.join(SRC, *parts)


def check_golden(golden, got, update, regen):
    """Compares `got` with the golden file (or writes it with `update`). `regen` is the
    command that regenerates the goldens, named in the message of a missing one."""
    if update:
        os.makedirs(os.path.dirname(golden), exist_ok=True)
        with open(golden, "w") as f:
            f.write(got)
        return
    assert os.path.exists(golden), f"no golden file {golden}: run {regen} and review it"
    with open(golden) as f:
        want = f.read()
    if got != want:
        import difflib
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), golden, "now", n=2))
        raise AssertionError("output differs from the golden file:\n" + diff[:4000])
