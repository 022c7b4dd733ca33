"""Helpers of the Wireshark plugin tests (tests/e2e/test_dissector_*.py): find the built
plugin, run real tshark as an unprivileged user with it, write qftp captures (exported PDU, docs/capture-format.md)
independently of the core library's writer."""
import bisect
import glob
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile

from qftptest import QFTP, SRC  # tests/e2e/qftptest.py (on sys.path)

TX, RX = 0, 1


def plugin_path():
    """<build>/dissector/plugins/<ver>/epan/qftp.so, next to the built qftp."""
    if os.environ.get("QFTP_PLUGIN"):
        return os.environ["QFTP_PLUGIN"]
    build = os.path.dirname(os.path.abspath(QFTP))
    hits = sorted(glob.glob(os.path.join(build, "dissector", "plugins", "*", "epan", "qftp.so")))
    if not hits:
        raise AssertionError(f"no qftp.so under {build}/dissector/plugins: plugin not built")
    return hits[-1]


class Tshark:
    """Real tshark with the plugin, as uid 65534 when run as root (tshark ignores
    WIRESHARK_PLUGIN_DIR for root). Files it reads are copied to a world-readable
    temporary folder."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="qftp-ws-")
        os.chmod(self.tmp, 0o755)
        so = plugin_path()
        ver = os.path.basename(os.path.dirname(os.path.dirname(so)))
        epan = os.path.join(self.tmp, "plugins", ver, "epan")
        os.makedirs(epan)
        for d in (os.path.join(self.tmp, "plugins"), os.path.join(self.tmp, "plugins", ver), epan):
            os.chmod(d, 0o755)
        shutil.copy(so, os.path.join(epan, "qftp.so"))
        os.chmod(os.path.join(epan, "qftp.so"), 0o644)
        self.plugin_dir = os.path.join(self.tmp, "plugins")
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        os.chmod(self.home, 0o777)
        self.preload = None
        self._bools = None
        self._fields = None
        ldd = subprocess.run(["ldd", so], capture_output=True, text=True).stdout
        libs = [l.split("=>")[1].split()[0] for l in ldd.splitlines()
                if ("libasan" in l or "libubsan" in l) and "=>" in l]
        if libs:
            self.preload = ":".join(libs)

    def file(self, path, name=None):
        dst = os.path.join(self.tmp, name or os.path.basename(path))
        if os.path.abspath(path) != dst:
            shutil.copy(path, dst)
        os.chmod(dst, 0o644)
        return dst

    def outdir(self, name):
        d = os.path.join(self.tmp, name)
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o777)
        return d

    def command(self, *args):
        """The command line of tshark with args, as the unprivileged user."""
        env = ["env", "-i", f"PATH={os.environ.get('PATH', '/usr/bin:/bin')}",
               f"HOME={self.home}", f"WIRESHARK_PLUGIN_DIR={self.plugin_dir}", "LC_ALL=C.UTF-8"]
        if self.preload:
            env += [f"LD_PRELOAD={self.preload}",
                    "ASAN_OPTIONS=detect_leaks=0:abort_on_error=0",
                    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"]
        cmd = env + ["tshark", *args]
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
        return cmd

    def run(self, *args, check=True, timeout=600):
        p = subprocess.run(self.command(*args), capture_output=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(f"tshark {' '.join(args)} exited {p.returncode}: "
                                 f"{p.stderr.decode(errors='replace')[:2000]}")
        return p

    def fields(self, cap, fields, two_pass=True, extra=()):
        """One dict per frame: field -> list of values (aggregated occurrences)."""
        args = ["-r", cap, "-T", "fields", "-E", "separator=\x02", "-E", "aggregator=\x01",
                "-E", "quote=n", "-e", "frame.number"]
        for f in fields:
            args += ["-e", f]
        if two_pass:
            args.append("-2")
        args += list(extra)
        out = self.run(*args).stdout.decode()
        rows = {}
        for line in out.splitlines():
            cols = line.split("\x02")
            rows[int(cols[0])] = {f: ([_BOOL.get(x, x) for x in cols[i + 1].split("\x01")]
                                      if f in self.boolean_fields()
                                      else [field_value(x) for x in cols[i + 1].split("\x01")])
                                  if cols[i + 1] else [] for i, f in enumerate(fields)}
        return rows

    def sharkd_session(self, cap):
        """A sharkd process (the engine the GUI drives: one first pass, then every request
        answered as the GUI would) with cap loaded. Use as a context manager."""
        env = ["env", "-i", f"PATH={os.environ.get('PATH', '/usr/bin:/bin')}", f"HOME={self.home}",
               f"WIRESHARK_PLUGIN_DIR={self.plugin_dir}", "LC_ALL=C.UTF-8"]
        if self.preload:
            env += [f"LD_PRELOAD={self.preload}", "ASAN_OPTIONS=detect_leaks=0"]
        cmd = env + ["sharkd", "-"]
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
        return Sharkd(cmd, cap)

    def sharkd_requests(self, cap, requests):
        """sharkd answers to `requests` ((method, params) pairs), in order."""
        with self.sharkd_session(cap) as sk:
            return [sk.request(m, p) for m, p in requests]

    def sharkd(self, cap, frames):
        """The trees of `frames`, asked of sharkd in that order, each dissected alone as
        when a user clicks a frame. Returns {frame: [proto nodes]}."""
        with self.sharkd_session(cap) as sk:
            return {n: sk.tree(n) for n in frames}

    def columns(self, cap):
        """The packet list as the GUI shows it: {frame: {"Source": .., "Destination": ..,
        "Protocol": .., "Info": ..}}."""
        with self.sharkd_session(cap) as sk:
            return sk.columns()

    def fields_of_type(self, ftype):
        """{abbrev: label} of the qftp fields of that type (FT_FRAMENUM, ...)."""
        return {l.split("\t")[2]: l.split("\t")[1] for l in self._field_list()
                if l.startswith("F\t") and l.split("\t")[3] == ftype and l.split("\t")[2].startswith("qftp")}

    def _field_list(self):
        if self._fields is None:
            out = self.run("-G", "fields").stdout.decode(errors="replace")
            self._fields = [l for l in out.splitlines() if l[:2] in ("F\t", "P\t") and l.count("\t") >= 2]
        return self._fields

    def boolean_fields(self):
        """Names of the FT_BOOLEAN fields this tshark knows (asked once)."""
        if self._bools is None:
            self._bools = {l.split("\t")[2] for l in self._field_list()
                           if l.startswith("F\t") and l.split("\t")[3] == "FT_BOOLEAN"}
        return self._bools

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---- one golden reference for every Wireshark version --------------------------------
# tshark's output format differs between 4.0, 4.4 and 4.6 in ways that say nothing about
# the plugin (shared/wireshark-versions.md). Both sides of a comparison go through these
# functions, so the golden files stay one reference and are never regenerated per
# version.

# FT_BYTES labels: 4.0 cuts at 36 bytes with "…" and "(N bytes)"; 4.4+ fill the label
# and mark the cut "[…]" after the field name, sometimes without the count. Normal form:
# the first 36 bytes, "…" when there was more, no count.
_BYTES_LABEL = re.compile(r"^(\s*)([^\[\]:\n]+?)(?: \[…\])?: ([0-9a-f]+)(…)?(?: \(\d+ bytes?\))?$", re.M)
# FT_RELATIVE_TIME: 4.6 picks a unit ("20.000000 milliseconds"); normal form in seconds.
_REL_TIME = re.compile(r"(-?\d+(?:\.\d+)?) (seconds|milliseconds|microseconds|nanoseconds)\]")
_UNIT = {"seconds": 1, "milliseconds": 1e-3, "microseconds": 1e-6, "nanoseconds": 1e-9}
# 4.6's frame line: "Frame 1: Packet, 51 bytes on wire ..."
_FRAME_LINE = re.compile(r"^Frame (\d+): Packet, ", re.M)


def _bytes_label(m):
    hexs = m.group(3)
    cut = m.group(4) is not None or len(hexs) > 72 or " […]" in m.group(0)
    if not cut:
        return m.group(0) if "(" not in m.group(0) else f"{m.group(1)}{m.group(2)}: {hexs}"
    return f"{m.group(1)}{m.group(2)}: {hexs[:72]}…"


def _rel_time(m):
    secs = float(m.group(1)) * _UNIT[m.group(2)]
    return f"{secs:.9f} seconds]"


def normalise_tree(text):
    """tshark -V output in the one form the golden files are compared in."""
    text = _FRAME_LINE.sub(r"Frame \1: ", text)
    text = _BYTES_LABEL.sub(_bytes_label, text)
    return _REL_TIME.sub(_rel_time, text)


def normalise_fields(text, boolean_fields):
    """tshark -T fields output with a header line (-E header=y): FT_BOOLEAN values read
    1/0 (4.0) or True/False (4.4+); normal form 1/0."""
    lines = field_value(text).split("\n")
    if not lines or not boolean_fields:
        return "\n".join(lines)
    head = lines[0].split("\t")
    cols = [i for i, h in enumerate(head) if h in boolean_fields]
    if not cols:
        return "\n".join(lines)
    out = [lines[0]]
    for line in lines[1:]:
        v = line.split("\t")
        for i in cols:
            if i < len(v):
                v[i] = ",".join(_BOOL.get(x, x) for x in v[i].split(","))
        out.append("\t".join(v))
    return "\n".join(out)


_BOOL = {"True": "1", "False": "0"}


def field_value(v):
    """A -T fields value in one form: 4.4+ escape a backslash in a string field ("\\\\"),
    4.0 prints it as it is."""
    return v.replace("\\\\", "\\")


class Sharkd:
    """One sharkd process and its file, asked one request at a time."""

    COLUMNS = (("Source", "%s"), ("Destination", "%d"), ("Protocol", "%p"), ("Info", "%i"))

    def __init__(self, cmd, cap):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
        self.n = 0
        self.load(cap)

    def load(self, cap):
        """Opens another file in the same process."""
        r = self.request("load", {"file": cap})
        if r.get("status") != "OK":
            raise AssertionError(f"sharkd cannot load {cap}: {r}")

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.p.stdin.close()
        self.p.wait(timeout=60)

    def request(self, method, params=None):
        self.n += 1
        req = {"jsonrpc": "2.0", "id": self.n, "method": method}
        if params:
            req["params"] = params
        self.p.stdin.write((json.dumps(req) + "\n").encode())
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise AssertionError(f"sharkd ended before answering {method} (rc {self.p.poll()})")
            if line.startswith(b"{"):
                r = json.loads(line)
                if r.get("id") == self.n:
                    if "error" in r:
                        raise AssertionError(f"sharkd {method} {params}: {r['error']}")
                    return r["result"]

    def tree(self, frame):
        return self.request("frame", {"frame": frame, "proto": True}).get("tree", [])

    def columns(self):
        """{frame: {"Source": .., "Destination": .., "Protocol": .., "Info": ..}}: sharkd
        names a column by its number in the version's list of formats."""
        fmts = {c["format"]: i for i, c in enumerate(self.request("info")["columns"])}
        params = {f"column{i}": str(fmts[fmt]) for i, (_, fmt) in enumerate(self.COLUMNS)}
        return {f["num"]: {title: f["c"][i] for i, (title, _) in enumerate(self.COLUMNS)}
                for f in self.request("frames", params)}


class Merged:
    """Many captures in one pcapng file, each its own interface and so its own qftp
    session (the plugin keys sessions by interface): one tshark run decodes them all,
    and its output is split back per capture with frame numbers made local again.
    tshark's start-up, not the decoding, is what costs in a test."""

    def __init__(self, t, paths, name="merged.pcapng"):
        self.t = t
        self.paths = list(paths)
        self.path = os.path.join(t.tmp, name)
        subprocess.run(["mergecap", "-I", "none", "-a", "-F", "pcapng", "-w", self.path, *self.paths],
                       check=True, capture_output=True)
        os.chmod(self.path, 0o644)
        out = subprocess.run(["capinfos", "-T", "-r", "-c", "-M", *self.paths], check=True,
                             capture_output=True, text=True).stdout
        counts = [int(l.rsplit("\t", 1)[1]) for l in out.splitlines() if l.strip()]
        assert len(counts) == len(self.paths), out
        self.bases = []
        n = 0
        for c in counts:
            self.bases.append(n)
            n += c
        self.total = n

    def which(self, frame):
        """(capture index, local frame number) of a frame of the merged file."""
        i = bisect.bisect_left(self.bases, frame) - 1
        return i, frame - self.bases[i]

    def _framenum_labels(self):
        labels = sorted(self.t.fields_of_type("FT_FRAMENUM").values(), key=len, reverse=True)
        return re.compile(r"^(\s*\[?(?:%s): )(\d+)(\]?)$" % "|".join(map(re.escape, labels)), re.M)

    def split_tree(self, text):
        """tshark -V output of the merged file -> one text per capture."""
        parts = [[] for _ in self.paths]
        frame_re = re.compile(r"^Frame (\d+): ")
        on_iface = re.compile(r"^(Frame \d+: [^\n]*?) on interface [^\n]*?, id \d+$", re.M)
        fn = self._framenum_labels()
        cur = None
        for chunk in re.split(r"(?m)^(?=Frame \d+: )", text):
            m = frame_re.match(chunk)
            if not m:
                continue
            cur, local = self.which(int(m.group(1)))
            base = self.bases[cur]
            chunk = frame_re.sub(f"Frame {local}: ", chunk, count=1)
            # a pcapng file names the interface on the frame line, a pcap file does not
            chunk = on_iface.sub(r"\1", chunk, count=1)
            chunk = fn.sub(lambda x: f"{x.group(1)}{int(x.group(2)) - base}{x.group(3)}", chunk)
            parts[cur].append(chunk)
        return ["".join(p) for p in parts]

    def split_fields(self, text):
        """tshark -T fields -E header=y -e frame.number ... output -> one per capture."""
        lines = text.split("\n")
        head = lines[0]
        cols = head.split("\t")
        fnum = set(self.t.fields_of_type("FT_FRAMENUM")) | {"frame.number"}
        renum = [i for i, c in enumerate(cols) if c in fnum]
        parts = [[head] for _ in self.paths]
        for line in lines[1:]:
            if not line:
                continue
            v = line.split("\t")
            cur, _ = self.which(int(v[0]))
            base = self.bases[cur]
            for i in renum:
                if i < len(v) and v[i]:
                    v[i] = ",".join(str(int(x) - base) for x in v[i].split(","))
            parts[cur].append("\t".join(v))
        return ["\n".join(p) + "\n" for p in parts]

    def split_rows(self, rows, framenum_fields=()):
        """Tshark.fields() rows of the merged file -> one dict per capture, frame numbers
        (the keys and the named FT_FRAMENUM fields) local."""
        parts = [{} for _ in self.paths]
        for n, row in rows.items():
            cur, local = self.which(n)
            base = self.bases[cur]
            parts[cur][local] = {f: ([str(int(x) - base) for x in vals] if f in framenum_fields else vals)
                                 for f, vals in row.items()}
        return parts


def sharkd_text(node, depth=0):
    """A sharkd tree node as tshark -V prints it (generated items in brackets)."""
    label = node.get("l", "")
    lines = ["    " * depth + (f"[{label}]" if node.get("g") else label)]
    for child in node.get("n", []):
        lines += sharkd_text(child, depth + 1)
    return lines


def write_capture(path, frames, name=b"qftp", with_dir=True):
    """frames: (t seconds, direction or None, bytes). pcap, link type 252, each frame
    tag 12 (dissector name), tag 35 (P2P direction, int32 BE), tag 0."""

    def tlv(tag, val):
        return struct.pack(">HH", tag, len(val)) + val

    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 252))
        for t, d, data in frames:
            hdr = tlv(12, name)
            if with_dir and d is not None:
                hdr += tlv(35, struct.pack(">i", d))
            hdr += struct.pack(">HH", 0, 0)
            pkt = hdr + data
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            f.write(struct.pack("<IIII", 1700000000 + sec, usec, len(pkt), len(pkt)) + pkt)
    os.chmod(path, 0o644)


class Builder:
    def __init__(self):
        self.frames = []
        self.t = 0.0

    def add(self, d, b, dt=0.05):
        self.t += dt
        self.frames.append((self.t, d, b))
        return len(self.frames)


# A BG96 session after the manual's examples (chapter 3) and device-quirks.md.
BG96_FILE = b"hello\r\nOK\r\n+QFTPGET: 0,99\r\nworld\n"  # contains OK and a fake URC
BG96_LISTING = (b"drw-r--r-- 1 ftp ftp 0 Jan 01 00:00 dir\r\n"
                b"-rw-r--r-- 1 ftp ftp 33 Jan 01 00:00 test.txt\r\n")
BG96_UPLOAD = b"0123456789"


def bg96_session():
    b = Builder()
    f = {}
    f["cfg"] = b.add(TX, b'AT+QFTPCFG="account","test","secret"\r')
    b.add(RX, b"\r\nOK\r\n")
    f["open"] = b.add(TX, b'AT+QFTPOPEN="quectel.3322.org",21\r')
    f["open_ok"] = b.add(RX, b"\r\nOK\r\n")
    f["open_urc"] = b.add(RX, b"\r\n+QFTPOPEN: 0,0\r\n", 1.0)
    f["size"] = b.add(TX, b'AT+QFTPSIZE="a.txt"\r')
    f["size_ok"] = b.add(RX, b"\r\nOK\r\n\r\n+QFTP")  # the URC is split across frames
    f["size_urc"] = b.add(RX, b"SIZE: 627,550\r\n")
    f["get"] = b.add(TX, b'AT+QFTPGET="test.txt","COM:"\r')
    f["get_connect"] = b.add(RX, b"\r\nCONNECT\r\n")
    f["get_data1"] = b.add(RX, BG96_FILE[:20])
    f["get_data2"] = b.add(RX, BG96_FILE[20:] + b"\r\nOK\r\n")
    f["get_urc"] = b.add(RX, b"\r\n+QFTPGET: 0,%d\r\n" % len(BG96_FILE))
    f["cwd"] = b.add(TX, b'AT+QFTPCWD="/"\r')
    f["cwd_err"] = b.add(RX, b"\r\n+CME ERROR: 603\r\n")
    f["put"] = b.add(TX, b'AT+QFTPPUT="up.txt","COM:",0,10,1\r')
    b.add(RX, b"\r\nCONNECT\r\n")
    f["put_data"] = b.add(TX, BG96_UPLOAD)
    b.add(RX, b"\r\nOK\r\n")
    f["put_urc"] = b.add(RX, b"\r\n+QFTPPUT: 0,10\r\n")
    f["list"] = b.add(TX, b'AT+QFTPLIST="."\r')
    b.add(RX, b"\r\nCONNECT\r\n")
    f["list_data"] = b.add(RX, BG96_LISTING + b"\r\nOK\r\n")
    b.add(RX, b"\r\n+QFTPLIST: 0,%d\r\n" % len(BG96_LISTING))
    f["unknown"] = b.add(TX, b"AT+QFTPFOO=1\r")
    b.add(RX, b"\r\nERROR\r\n")
    f["badport"] = b.add(TX, b'AT+QFTPOPEN="h",70000\r')
    b.add(RX, b"\r\n+CME ERROR: 603\r\n")
    f["close"] = b.add(TX, b"AT+QFTPCLOSE\r")
    f["close_ok"] = b.add(RX, b"\r\nOK\r\n")  # and no +QFTPCLOSE URC by the end
    return b.frames, f


# A GSM M-series session after the GSM manual's examples (chapter 4).
GSM_FILE = b"[sscom]\r\nport=1\r\n"


def gsm_session():
    b = Builder()
    f = {}
    f["user"] = b.add(TX, b'AT+QFTPUSER="quectel"\r')
    b.add(RX, b"\r\nOK\r\n")
    f["pass"] = b.add(TX, b'AT+QFTPPASS="123456"\r')
    b.add(RX, b"\r\nOK\r\n")
    f["open"] = b.add(TX, b'AT+QFTPOPEN="quectel.3322.org",21\r')
    b.add(RX, b"\r\nOK\r\n")
    f["open_urc"] = b.add(RX, b"\r\n+QFTPOPEN:0\r\n", 2.0)
    f["path"] = b.add(TX, b'AT+QFTPPATH="/"\r')
    b.add(RX, b"\r\nOK\r\n")
    f["path_urc"] = b.add(RX, b"\r\n+QFTPPATH:0\r\n")
    f["get"] = b.add(TX, b'AT+QFTPGET="sscom.ini"\r')
    b.add(RX, b"\r\nOK\r\n")
    b.add(RX, b"\r\nCONNECT\r\n")
    f["get_data"] = b.add(RX, GSM_FILE)
    f["get_urc"] = b.add(RX, b"\r\n+QFTPGET:%d\r\n" % len(GSM_FILE))
    f["error421"] = b.add(RX, b"\r\n+QFTPERROR:-421\r\n", 5.0)
    f["close"] = b.add(TX, b"AT+QFTPCLOSE\r")
    b.add(RX, b"\r\nOK\r\n")
    f["close_urc"] = b.add(RX, b"\r\n+QFTPCLOSE:0\r\n")
    return b.frames, f


def sample_captures(t):
    """Every capture under captures/ and tests/ plus the generated ones (copied into
    t's folder). Returns a list of paths."""
    caps = []
    for pat in ("captures/**/*.pcap", "captures/**/*.pcapng", "tests/**/*.pcap",
                "tests/**/*.pcapng"):
        for p in sorted(glob.glob(os.path.join(SRC, pat), recursive=True)):
            if "/malformed/" in p:
                continue
            caps.append(t.file(p, name=p.replace(SRC, "").strip("/").replace("/", "_")))
    frames, _ = bg96_session()
    p = os.path.join(t.tmp, "gen_bg96.pcap")
    write_capture(p, frames)
    caps.append(p)
    frames, _ = gsm_session()
    p = os.path.join(t.tmp, "gen_gsm.pcap")
    write_capture(p, frames)
    caps.append(p)
    return caps
