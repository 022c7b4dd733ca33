#!/usr/bin/env python3
"""Seed corpora for the harnesses of tests/fuzz/, made from the tree's own material:
captures/*.pcap, tests/logs/**, tests/replay/*.rules. Written in each harness's input
format (see the harnesses' headers) into OUT/<harness>/.

usage: seeds.py OUT"""
import glob
import hashlib
import os
import sys

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = sys.argv[1]
sys.path.insert(0, os.path.join(SRC, "tests", "e2e"))
from qftptest import capture_frames  # noqa: E402


def frames(path):
    """[(dir, bytes)] of a qftp capture (0 for a frame without a direction tag)."""
    return [(d or 0, b) for _, d, b in capture_frames(path)]


def put(harness, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb").write(data)


captures = sorted(glob.glob(os.path.join(SRC, "captures", "*.pcap")))
lines = set()
for cap in captures:
    put("capture", open(cap, "rb").read())
    fr = frames(cap)
    for opt in (0x10, 0x04 | 0x08):  # items; redact with a small line cap
        body = bytearray([opt])
        for d, data in fr:
            for i in range(0, len(data), 127):
                piece = data[i:i + 127]
                body += bytes([(len(piece) << 1) | (d & 1)]) + piece
        put("session", bytes(body))
    for d, data in fr:
        for line in data.replace(b"\n", b"\r").split(b"\r"):
            if 2 <= len(line) <= 200:
                lines.add(line)
for line in sorted(lines):
    put("cmdline", line)

logs = sorted(p for p in glob.glob(os.path.join(SRC, "tests", "logs", "**", "*"), recursive=True)
              if os.path.isfile(p) and not p.endswith(".md"))
for log in logs:
    text = open(log, "rb").read()[:200000]
    put("import", bytes([0x00]) + text)         # auto-detected
    put("import", bytes([0x10]) + text)         # redacted
    put("import", bytes([0x09, ]) + text)       # as REGEX with the first documented example

rules = sorted(glob.glob(os.path.join(SRC, "tests", "replay", "*.rules")))
subjects = [b'+QFTPMDTM: 0,"20140708110039"', b"caf\xe9 \xff.txt",
            b'-rw-r--r-- 1 root root 1000 Nov 22 13:32 b.txt', b'+QFTPCFG: "account","u","pw"']
commands = [b'AT+QFTPOPEN="quectel.3322.org",21', b'AT+QFTPPASS="123456"', b'AT+QFTPCWD="/"']
for i, r in enumerate(rules):
    text = open(r, "rb").read()
    put("rules", text + b"\0" + subjects[i % len(subjects)] + b"\0" + commands[i % len(commands)])
print(f"seeds in {OUT}: " + ", ".join(f"{h} {len(os.listdir(os.path.join(OUT, h)))}"
                                      for h in sorted(os.listdir(OUT))))
