"""Helpers of the extcap tests (test_extcap_*.py): the qftp-extcap program, the extcap
grammar as Wireshark parses it (extcap_parser.c), and qftp captures read back while
they grow, from a fifo (pcap) or from the file tshark writes (pcapng), by a reader
written from docs/capture-format.md and the pcapng specification, not the core's."""
import os
import re
import select
import struct
import subprocess
import time

from qftptest import QFTP

EXTCAP = os.environ.get("QFTP_EXTCAP_BIN",
                        os.path.join(os.path.dirname(os.path.abspath(QFTP)), "extcap", "qftp-extcap"))
BUILD = os.path.dirname(os.path.abspath(QFTP))
TX, RX = 0, 1

# Wireshark 4.0 extcap_parser.c: a sentence's name, then {name=value} pairs; a value
# ends at "}" followed by "{", a blank or the end of the line.
_SENTENCE = re.compile(r"^[\t ]*(arg|value|interface|extcap|dlt|control)(?=[\t ]+\{)", re.I)
_PARAM = re.compile(r"\{([a-zA-Z_-]*?)=(.*?)\}(?=\{|$|\s)")


def sentences(text):
    """[(kind, {param: value}, raw line)] of extcap output; a line that is not a sentence
    fails the test (Wireshark would skip it silently)."""
    out = []
    for line in text.splitlines():
        m = _SENTENCE.match(line)
        assert m, f"not an extcap sentence: {line!r}"
        params = dict(_PARAM.findall(line))
        rebuilt = m.group(1) + " " + "".join(f"{{{k}={v}}}" for k, v in _PARAM.findall(line))
        assert rebuilt == line.strip(), f"ambiguous sentence (a value ends early): {line!r}"
        out.append((m.group(1).lower(), params, line))
    return out


def extcap(*args, timeout=60, binary=EXTCAP):
    return subprocess.run([binary, *args], capture_output=True, timeout=timeout)


# ---- qftp captures, read while they grow --------------------------------------------

def exported_pdu(data):
    """(direction or None, payload, dissector name) of one exported-PDU frame."""
    i, direction, name = 0, None, None
    while True:
        if i + 4 > len(data):
            raise AssertionError(f"exported PDU without an end tag: {data[:64]!r}")
        tag, n = struct.unpack(">HH", data[i:i + 4])
        val = data[i + 4:i + 4 + n]
        i += 4 + n
        if tag == 0:
            return direction, data[i:], name
        if tag == 12:
            name = val.decode()
        elif tag == 35:
            direction = struct.unpack(">i", val)[0]


class Frame:
    def __init__(self, ts, data):
        self.ts = ts
        self.dir, self.data, self.name = exported_pdu(data)

    def __repr__(self):
        return f"Frame({self.dir}, {self.data!r})"


def payload(frames, direction):
    return b"".join(f.data for f in frames if f.dir == direction)


class PcapStream:
    """A pcap stream from a file descriptor (a fifo's read end), parsed as it comes."""

    def __init__(self, fd):
        self.fd = fd
        self.raw = b""
        self.pos = 0
        self.linktype = None
        self.nsec = None
        self.frames = []
        self.eof = False

    def _parse(self):
        if self.linktype is None:
            if len(self.raw) < 24:
                return
            magic = struct.unpack("<I", self.raw[:4])[0]
            assert magic in (0xA1B2C3D4, 0xA1B23C4D), f"not a little-endian pcap: {self.raw[:4]!r}"
            self.nsec = magic == 0xA1B23C4D
            self.linktype = struct.unpack("<I", self.raw[20:24])[0]
            self.pos = 24
        while len(self.raw) - self.pos >= 16:
            sec, frac, incl, orig = struct.unpack("<IIII", self.raw[self.pos:self.pos + 16])
            if len(self.raw) - self.pos - 16 < incl:
                return
            data = self.raw[self.pos + 16:self.pos + 16 + incl]
            self.frames.append(Frame(sec + frac / (1e9 if self.nsec else 1e6), data))
            self.pos += 16 + incl

    def pump(self, timeout):
        """Reads what comes within timeout (at least one read if data is there)."""
        r, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not r:
            return
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.eof = True
            return
        self.raw += chunk
        self._parse()

    def wait(self, cond, timeout=60, what="the capture"):
        """Reads until cond(self) holds; fails after timeout seconds (bounded, generous)."""
        deadline = time.monotonic() + timeout
        while not cond(self):
            if self.eof or time.monotonic() > deadline:
                raise AssertionError(f"waiting for {what}: {len(self.frames)} frames, eof {self.eof}, "
                                     f"last {self.frames[-3:]!r}")
            self.pump(min(1.0, deadline - time.monotonic()))

    def until_eof(self, timeout=60):
        self.wait(lambda s: s.eof, timeout, "the end of the stream")


def read_pcapng(path):
    """(link types, frames) of a pcapng file as far as it is whole: a block still being
    written ends the reading, as it does for a reader of a live capture."""
    with open(path, "rb") as f:
        raw = f.read()
    i, links, frames = 0, [], []
    while i + 12 <= len(raw):
        btype, blen = struct.unpack("<II", raw[i:i + 8])
        if blen < 12 or i + blen > len(raw):
            break
        body = raw[i + 8:i + blen - 4]
        if btype == 0x0A0D0D0A:
            assert struct.unpack("<I", body[:4])[0] == 0x1A2B3C4D, "not a little-endian pcapng"
        elif btype == 1:  # interface description
            links.append(struct.unpack("<H", body[:2])[0])
        elif btype == 6:  # enhanced packet
            _, hi, lo, caplen = struct.unpack("<IIII", body[:16])
            frames.append(Frame(((hi << 32) | lo) / 1e6, body[20:20 + caplen]))
        i += blen
    return links, frames


def folders(home):
    """{'system': ..., 'personal': ...}: the build's extcap-folders.cmake (what the install
    rule uses) for a user whose home is `home`."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home}
    p = subprocess.run(["cmake", "-P", os.path.join(BUILD, "extcap", "extcap-folders.cmake")],
                       capture_output=True, text=True, check=True, env=env)
    return dict(l.split("=", 1) for l in p.stderr.splitlines() if "=" in l)
