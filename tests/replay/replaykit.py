"""What the replay tests share: read a golden capture (the capture format of
docs/capture-format.md, read here independently of qftp's code), derive from it the
files the FTP server and the module's storage must hold before the replay, and run
`qftp replay` against `qftp sim` with the right server.

The seeding follows the capture, not the replayer: a file the session downloads
through COM: gets the downloaded bytes, a file whose size the session reads (SIZE, a
GET to storage, a listing) gets that many bytes, a directory a listing shows is made.
"""
import json
import os
import random
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "simulator", "tools"))
sys.path.insert(0, os.path.join(SRC, "tests", "e2e"))
from qftptest import capture_frames  # noqa: E402
from simclient import FtpServer, Sim  # noqa: E402

QFTP = os.environ.get("QFTP_BIN", os.path.join(SRC, "build", "qftp"))


def frames(path):
    """[(direction, payload)] of a qftp capture: 0 host->module, 1 module->host."""
    return [(d, b) for _, d, b in capture_frames(path)]


def show_json(path):
    p = subprocess.run([QFTP, "show", "--json", path], capture_output=True, check=True)
    return json.loads(p.stdout)


def unq(s):
    return s[1:-1] if len(s) >= 2 and s[0] == '"' and s[-1] == '"' else s


def urc_count(urc):
    """The last number of a completion URC: +QFTPGET: 0,1000 / +QFTPGET:1587."""
    m = re.search(r"(-?\d+)\s*$", urc or "")
    return int(m.group(1)) if m else None


def urc_ok(t):
    u = t.get("urc") or ""
    if re.match(r"^\+\w+: ?0,", u):
        return True  # BG96: <err> 0
    m = re.match(r"^\+\w+: ?(-?\d+)$", u)
    return bool(m) and int(m.group(1)) >= 0  # GSM: a count, or a negative error


def seed(capture):
    """(server_files, server_dirs, ufs_files) the capture expects to find."""
    fr = frames(capture)
    rx, rx_at = b"", {}
    for i, (d, data) in enumerate(fr, 1):
        rx_at[i] = len(rx)
        if d == 1:
            rx += data
    info = show_json(capture)
    gsm = info["dialect"] == "gsm"
    files, dirs, ufs = {}, set(), {}
    made, made_ufs = set(), set()
    rnd = random.Random(capture)
    gsm_local, gsm_resume = "/COM/", 0

    def need(name, size, at=0, data=None):
        if name in made:
            return
        cur = bytearray(files.get(name, b""))
        if len(cur) < max(size, at + (len(data) if data else 0)):
            cur += rnd.randbytes(max(size, at + len(data or b"")) - len(cur))
        if data:
            cur[at:at + len(data)] = data
        files[name] = bytes(cur)

    def downloaded(t):
        start = rx.find(b"CONNECT", rx_at.get(t["frame_sent"], 0))
        start = rx.index(b"\n", start) + 1
        return rx[start:start + t["data_len"]]

    for t in info["transactions"]:
        cmd, p = t["command"], [unq(x) for x in t["params"]]
        ok = urc_ok(t)
        n = urc_count(t.get("urc"))
        if cmd == "+QFTPCFG" and gsm and p[:1] == ["4"] and len(p) > 1:
            gsm_local = p[1]
        elif cmd == "+QFTPCFG" and gsm and p[:1] == ["3"] and len(p) > 1:
            gsm_resume = int(p[1])
        elif cmd == "+QFUPL" and p:
            made_ufs.add(p[0])
        elif cmd == "+QFTPPUT" and p:
            local = None
            if not gsm and len(p) > 1 and p[1] != "COM:":
                local = p[1].split(":", 1)[-1] if p[1].startswith(("UFS:", "RAM:")) else p[1]
            elif gsm and gsm_local.startswith("/UFS/"):
                local = gsm_local[5:] or p[0]
            if local and local not in made_ufs and ok and n is not None:
                ufs[local] = rnd.randbytes(n)
                made_ufs.add(local)
            made.add(p[0])
            gsm_resume = 0
        elif cmd == "+QFTPGET" and p and ok:
            if t.get("data_dir") == "module->host" and t.get("data_len"):
                at = int(p[2]) if not gsm and len(p) > 2 else gsm_resume
                need(p[0], 0, at, downloaded(t))
            elif n is not None:
                at = int(p[2]) if not gsm and len(p) > 2 else gsm_resume
                need(p[0], at + n)
                local = p[1] if not gsm and len(p) > 1 else (gsm_local[5:] or p[0])
                made_ufs.add(local)
            gsm_resume = 0
        elif cmd == "+QFTPSIZE" and p and ok and n is not None:
            need(p[0], n)
        elif cmd in ("+QFTPMDTM", "+QFTPDEL") and p and ok:
            need(p[0], 1)
        elif cmd == "+QFTPRENAME" and len(p) > 1 and ok:
            if p[0] not in made and p[0] not in dirs:
                need(p[0], 1)
            made.add(p[1])
        elif cmd == "+QFTPMKDIR" and p:
            made.add(p[0])
        elif cmd == "+QFTPLIST" and t.get("data_dir") == "module->host" and t.get("data_len"):
            for line in downloaded(t).decode(errors="replace").splitlines():
                f = line.split()
                if len(f) >= 9 and line.startswith("d"):
                    dirs.add(f[-1])
                elif len(f) >= 9 and line.startswith("-"):
                    need(f[-1], int(f[4]))
    return files, dirs, ufs


# Per capture: the FTP server it needs, simulator options, rules files under tests/replay/.
SPECIAL = {
    "sim-bg96-ftps": {"srv": {"tls": "explicit"}},
    "sim-bg96-timeout": {"srv": {"mute": True}},
    "sim-bg96-data-connection": {"srv": {"fail_pasv": True}},
    "sim-gsm-timeout": {"srv": {"mute": True}, "sim": ["--rsptimeout", "5"]},
    # recorded with a storage larger than the modules': a 20 MB download keeps it busy
    "sim-bg96-busy": {"sim": ["--storage", "UFS=32M"]},
    "sim-gsm-busy": {"sim": ["--storage", "UFS=32M"]},
    "sim-gsm-data-connection": {"srv": {"fail_pasv": True}},
    "manual-bg96-3.2-ftps-login": {"srv": {"tls": "implicit"}},
}


def rules_for(name):
    out = []
    if name.startswith("sim-"):
        out.append(os.path.join(HERE, "local-server.rules"))
    else:
        out.append(os.path.join(HERE, "manual-server.rules"))
    own = os.path.join(HERE, name + ".rules")
    if os.path.exists(own):
        out.append(own)
    return out


def replay(capture, extra=(), sim_args=(), timeout=300, before=None, runner=None, srv_args=None):
    """Replays one golden capture against a fresh simulator and FTP server seeded from
    it. Returns (CompletedProcess, sim stderr). `before(sim, srv)` runs first;
    `runner(argv, sim)` replaces subprocess.run (it must return a CompletedProcess)."""
    name = os.path.basename(capture)[:-5]
    spec = SPECIAL.get(name, {})
    dialect = "gsm" if "-gsm-" in name else "bg96"
    files, dirs, ufs = seed(capture)
    with FtpServer(**{**spec.get("srv", {}), **(srv_args or {})}) as srv:
        for f, data in files.items():
            open(srv.path(f), "wb").write(data)
        for d in dirs:
            os.makedirs(srv.path(d), exist_ok=True)
        with Sim(dialect, qftp=QFTP, args=[*spec.get("sim", []), *sim_args], connect=False) as sim:
            for f, data in ufs.items():
                open(os.path.join(sim.ufs, f), "wb").write(data)
            if before:
                before(sim, srv)
            args = [QFTP, "replay", capture, "--device", f"tcp:127.0.0.1:{sim.port}",
                    "-D", f"port={srv.port}"]
            for r in rules_for(name):
                args += ["--rules", r]
            if name.startswith("manual-"):
                args.append("--ignore-echo")  # the manuals print no echo; modules echo (ATE1)
            if runner:
                return runner([*args, *extra], sim), sim.stderr()
            p = subprocess.run([*args, *extra], capture_output=True, timeout=timeout,
                               env=dict(os.environ, QFTP_NO_PROGRESS="1"))
            return p, sim.stderr()
