"""Every sample log of tests/logs/import/ with an expectation, written again in other
layouts, reads as the same session (issue 11: a rule of one layout holds in the others).
Eight layouts, each sample in four of them in turn (so each layout gets four in eight
samples, and the suite stays fast); PER_SAMPLE = 8 runs them all.

Each sample is imported into a capture (the reference: its frames, directions and times);
the capture's frames are then written as an HHD Request View text export (hex, layout
hexdump), as JSON Lines (layout jsonl), as a Go service's logfmt (layout logfmt), as a firmware log of C strings and as strace's
write()/read() lines (layout firmware),
and with the bytes spelled as a monitor's text view spells them (\\r, \\n, \\xHH) as a
Markdown table, a CSV export and a stamped log (`[time] TX: ...`); a read or write that
ended inside a line is a line of the log that spells nothing. `qftp show` of each must
list what `qftp show` of the capture lists: the
same transactions, answers, data modes, notes and summary. Only what the layouts cannot
agree on is left out: the first line (the input's name and layout), the byte and line
counts, and times, which a log without any has synthesised (the renderings carry real
ones).
"""
import datetime
import glob
import json
import os
import re
import tempfile

from qftptest import capture_frames, case, done, run, src

UTC = datetime.timezone.utc


def clock(ts):
    t = datetime.datetime.fromtimestamp(ts, UTC)
    return t.strftime("%H:%M:%S.") + "%06d" % t.microsecond


def as_hhd(fr):
    out = []
    for k, (ts, d, p) in enumerate(fr, 1):
        day = datetime.datetime.fromtimestamp(ts, UTC).strftime("%d.%m.%Y")
        out.append("%06d: %s, %s %s +0.000" % (
            k, "Write Request (DOWN)" if d == 0 else "Read Request (UP)", day, clock(ts)))
        out.append("Buffer size: 0x%X bytes" % len(p))
        for i in range(0, len(p), 16):
            ch = p[i:i + 16]
            out.append(" %-48s %s" % (" ".join("%02X" % c for c in ch),
                                      "".join(chr(c) if 32 <= c < 127 else "." for c in ch)))
        out.append("")
    return ("\r\n".join(out) + "\r\n").encode()


def as_logfmt(fr):
    """A Go service's logfmt: the bytes quoted as Go quotes them (\\r, \\n, \\xHH)."""
    def quoted(p):
        esc = {0x0D: "\\r", 0x0A: "\\n", 0x09: "\\t", 0x22: '\\"', 0x5C: "\\\\"}
        return '"' + "".join(esc.get(c) or (chr(c) if 32 <= c < 127 else "\\x%02x" % c)
                             for c in p) + '"'
    return "".join("ts=%s level=debug dir=%s data=%s\n" % (
        datetime.datetime.fromtimestamp(ts, UTC).isoformat(), "out" if d == 0 else "in",
        quoted(p)) for ts, d, p in fr).encode()


def as_jsonl(fr):
    def text(p):
        try:
            return p.decode("utf-8")  # JSON holds characters: UTF-8 as it is
        except UnicodeDecodeError:
            return p.decode("latin-1")
    return "".join(json.dumps({"ts": datetime.datetime.fromtimestamp(ts, UTC).isoformat(),
                               "dir": "tx" if d == 0 else "rx", "data": text(p)}) + "\n"
                   for ts, d, p in fr).encode()


def as_firmware(fr):
    def cstr(p):
        o = []
        for c in p:
            o.append({13: "\\r", 10: "\\n", 92: "\\\\", 34: '\\"'}.get(c) or
                     (chr(c) if 32 <= c < 127 else "\\x%02x" % c))
        return "".join(o)
    return "".join('%s modem.c:42 %s "%s"\n' % (clock(ts), "TX" if d == 0 else "RX", cstr(p))
                   for ts, d, p in fr).encode()


def spelled(p, bar=False):
    """The bytes as a terminal's or monitor's text view spells them (\\r, \\n, \\xHH)."""
    esc = {13: "\\r", 10: "\\n", 92: "\\\\"}
    if bar:
        esc[124] = "\\|"  # a bar inside a Markdown table's cell
    return "".join(esc.get(c) or (chr(c) if 32 <= c < 127 else "\\x%02x" % c) for c in p)


def as_markdown(fr):
    rows = ["| Time | Direction | Data |", "|---|---|---|"]
    rows += ["| %s | %s | %s |" % (clock(ts), "TX" if d == 0 else "RX", spelled(p, True))
             for ts, d, p in fr]
    return ("\n".join(rows) + "\n").encode()


def as_csv(fr):
    rows = ["Time;Direction;Data"]
    rows += ['%s;%s;"%s"' % (clock(ts), "TX" if d == 0 else "RX", spelled(p).replace('"', '""'))
             for ts, d, p in fr]
    return ("\r\n".join(rows) + "\r\n").encode()


def as_stamped(fr):
    return "".join("[%s] %s: %s\n" % (clock(ts), "TX" if d == 0 else "RX", spelled(p))
                   for ts, d, p in fr).encode()


def as_strace(fr):
    def cstr(p):
        return "".join({13: "\\r", 10: "\\n", 9: "\\t", 92: "\\\\", 34: '\\"'}.get(c) or
                       (chr(c) if 32 <= c < 127 else "\\%o" % c) for c in p)
    return "".join('%s %s(3, "%s", %d) = %d\n' % (clock(ts), "write" if d == 0 else "read",
                                                  cstr(p), len(p) if d == 0 else 4096, len(p))
                   for ts, d, p in fr).encode()


def listing(path):
    p = run("show", "--color", "never", path)
    assert p.returncode in (0, 1), p.stderr.decode(errors="replace")
    lines = p.stdout.decode(errors="replace").splitlines()[1:]
    out = []
    for line in lines:
        if re.match(r"^(  bytes:|  log lines|\(times marked|dialect )", line):
            continue
        if "later than rsptimeout" in line:
            continue  # a synthesised time is never late
        line = re.sub(r"  \(\+?[\d.]+ m?s( after the command)?\)", "", line)
        line = re.sub(r"[~+] +[\d.]+ ", "T ", line)
        out.append(line)
    return out


RENDERINGS = (("hhd", as_hhd), ("jsonl", as_jsonl), ("firmware", as_firmware),
              ("markdown", as_markdown), ("csv", as_csv), ("stamped", as_stamped),
              ("strace", as_strace), ("logfmt", as_logfmt))
PER_SAMPLE = 4  # layouts each sample is written in, in turn: each layout gets 4 in 8 samples


def same_session(log, k):
    with tempfile.TemporaryDirectory() as d:
        cap = os.path.join(d, "ref.pcap")
        run("import", log, "-w", cap, check=True)
        fr = capture_frames(cap)
        assert fr and all(f[1] in (0, 1) for f in fr), "a frame without its direction"
        want = listing(cap)
        for j in range(PER_SAMPLE):
            name, write = RENDERINGS[(k + j) % len(RENDERINGS)]
            path = os.path.join(d, f"as-{name}.log")
            open(path, "wb").write(write(fr))
            got = listing(path)
            assert got == want, f"written as {name}: first difference at line " + str(
                next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                     min(len(got), len(want)))) + "\n" + "\n".join(
                f"  got  {a}\n  want {b}" for a, b in zip(got, want) if a != b)[:1500]


k = 0
for expect in sorted(glob.glob(src("tests", "logs", "import", "*.expect"))):
    stem = expect[:-len(".expect")]
    logs = [stem + ext for ext in (".log", ".csv", ".jsonl", ".txt") if os.path.exists(stem + ext)]
    nothing = re.search(r"^exit [12]\b", open(expect).read(), re.M)  # no AT traffic in it
    if logs and not nothing:
        names = ", ".join(RENDERINGS[(k + j) % len(RENDERINGS)][0] for j in range(PER_SAMPLE))
        case(f"{os.path.basename(logs[0])} as {names}", same_session, logs[0], k)
        k += 1
done()
