"""qftp's capture interfaces through Wireshark's own tools, as an unprivileged user with
qftp-extcap installed by `cmake --install` as that user, into the personal extcap folder
of the Wireshark version under test:

- the folders of the install rule (extcap-folders.cmake) are the ones tshark reports,
  and `cmake --install --component wireshark-extcap` into a DESTDIR puts the program in
  the system folder;
- `tshark -D` lists qftp-relay and qftp-sim;
- `tshark -i qftp-relay` with its options (-o extcap.qftp_relay.*) captures a BG96 session
  that a host drives through the relay's pty, against `qftp sim` and a real FTP server
  (pyftpdlib), with `qftp record` on the same line: every byte reaches tshark's file while
  the session runs, both directions exact; the plugin decodes the live capture; `qftp
  show` finds the same transactions in tshark's file and in record's;
- `tshark -i qftp-sim` with a dialect, a fault and a host side from the preferences
  file, where Wireshark keeps the options;
- a device that cannot be opened: tshark ends and says why.
Every wait is for a condition, with a generous bound."""
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time

from qftptest import QFTP, case, done, run, src

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, src("dissector", "testlib"))
sys.path.insert(0, src("simulator", "tools"))
import extcap_kit as K  # noqa: E402
import qftp_ws as W  # noqa: E402
from simclient import OK, FtpServer, PtyLink, Sim  # noqa: E402

t = W.Tshark()
FOLDERS = K.folders(t.home)


def as_user(*cmd):
    """cmd as the tests' tshark user, with its HOME."""
    cmd = ["env", "-i", f"PATH={os.environ.get('PATH', '/usr/bin:/bin')}", f"HOME={t.home}", *cmd]
    if os.geteuid() == 0:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
    return subprocess.run(cmd, capture_output=True, text=True)


def install_personal():
    """qftp-extcap into the personal folder of the tests' tshark user, by `cmake --install`
    run as that user, as a user installs it: the install rule picks the folder. A build
    folder that user cannot read (a checkout under /root) gets the program copied there."""
    dest = FOLDERS["personal"]
    assert dest.startswith(t.home + "/"), FOLDERS
    if as_user("test", "-r", os.path.join(K.BUILD, "cmake_install.cmake"), "-a", "-x",
               K.EXTCAP).returncode != 0:
        print(f"# {K.BUILD} is not readable by the tshark user: qftp-extcap copied into {dest}")
        os.makedirs(dest, exist_ok=True)
        d = dest
        while d != t.home:
            os.chmod(d, 0o755)
            d = os.path.dirname(d)
        shutil.copy(K.EXTCAP, os.path.join(dest, "qftp-extcap"))
        os.chmod(os.path.join(dest, "qftp-extcap"), 0o755)
        return
    # cmake --install writes its manifest into the build folder, which a user who built
    # qftp owns; the tests' user does not own it: only that file is made writable
    manifest = os.path.join(K.BUILD, "install_manifest_wireshark-extcap.txt")
    open(manifest, "a").close()
    os.chmod(manifest, 0o666)
    p = as_user("cmake", "--install", K.BUILD, "--component", "wireshark-extcap")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "your personal extcap folder" in p.stdout, p.stdout
    assert os.access(os.path.join(dest, "qftp-extcap"), os.X_OK), (dest, p.stdout)


install_personal()


def tshark_folders():
    out = t.run("-G", "folders").stdout.decode()
    return {k.strip(): v.strip() for k, v in (l.split(":", 1) for l in out.splitlines() if ":" in l)}


def test_folders():
    f = tshark_folders()
    # 4.0 prints "Extcap path" (the system folder) and searches the personal
    # configuration's extcap/; 4.2+ print both folders
    system = f.get("Global Extcap path", f.get("Extcap path"))
    personal = f.get("Personal Extcap path", f["Personal configuration"] + "/extcap")
    assert FOLDERS["system"] == system, (FOLDERS, f)
    assert FOLDERS["personal"] == personal, (FOLDERS, f)
    dest = os.path.join(t.tmp, "destdir")
    p = subprocess.run(["cmake", "--install", K.BUILD, "--component", "wireshark-extcap"],
                       capture_output=True, text=True, env={**os.environ, "DESTDIR": dest})
    assert p.returncode == 0, p.stderr + p.stdout
    installed = dest + system + "/qftp-extcap"
    assert os.access(installed, os.X_OK), (installed, p.stdout)
    assert K.extcap("--extcap-interfaces", binary=installed).stdout == \
        K.extcap("--extcap-interfaces").stdout


def test_list():
    out = t.run("-D").stdout.decode()
    for name in ("qftp-relay", "qftp-sim"):
        assert re.search(rf"^\d+\. {name} \(qftp ", out, re.M), out


FIELDS = ["frame.number", "qftp.direction", "qftp.cmd", "qftp.final", "qftp.urc", "qftp.data.len"]


class Live:
    """tshark capturing on an extcap interface into a file, printing each frame's qftp
    fields as it comes (-P -l -T fields)."""

    def __init__(self, iface, prefs):
        self.dir = t.outdir(f"live-{iface}-{time.monotonic_ns()}")
        self.file = os.path.join(self.dir, "live.pcapng")
        args = ["-i", iface]
        for k, v in prefs.items():
            args += ["-o", f"extcap.{iface.replace('-', '_')}.{k}:{v}"]
        args += ["-w", self.file, "-P", "-l", "-T", "fields", "-E", "separator=\x02",
                 "-E", "aggregator=\x01", "-E", "quote=n"]
        for f in FIELDS:
            args += ["-e", f]
        self.err = open(os.path.join(self.dir, "stderr"), "wb+")
        self.proc = subprocess.Popen(t.command(*args), stdout=subprocess.PIPE, stderr=self.err)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.text = b""

    def stderr(self):
        self.err.flush()
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def rows(self):
        """Frames printed so far: [{field: [values]}]."""
        out = []
        for line in self.text.decode(errors="replace").split("\n")[:-1]:
            cols = line.split("\x02")
            out.append({f: cols[i].split("\x01") if i < len(cols) and cols[i] else []
                        for i, f in enumerate(FIELDS)})
        return out

    def pump(self, timeout):
        r, _, _ = select.select([self.proc.stdout], [], [], max(timeout, 0))
        if r:
            chunk = self.proc.stdout.read()
            if chunk:
                self.text += chunk

    def frames(self):
        return K.read_pcapng(self.file)[1] if os.path.exists(self.file) else []

    def wait(self, cond, what, timeout=90):
        deadline = time.monotonic() + timeout
        while not cond():
            assert self.proc.poll() is None, f"tshark exited {self.proc.returncode}: {self.stderr()}"
            assert time.monotonic() < deadline, f"waiting for {what}; tshark said: {self.stderr()}"
            self.pump(0.2)

    def wait_path(self, path):
        self.wait(lambda: os.path.lexists(path), f"{path} (the extcap's host side)")
        return path

    def stop(self):
        """SIGINT, as Ctrl-C: tshark stops the capture (SIGTERM to the extcap)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 90
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.pump(0.2)
        if self.proc.poll() is None:
            self.proc.kill()
            raise AssertionError(f"tshark did not stop: {self.stderr()}")
        self.pump(0)
        self.proc.stdout.close()
        return self.proc.returncode


class Host:
    """The host application on the relay's pty; after each exchange, tshark's file must
    hold every byte so far before the next command goes (frames flow as they pass)."""

    def __init__(self, link, live):
        self.link, self.live, self.sent, self.got = link, live, b"", b""

    def send(self, data):
        self.link.send(data)
        self.sent += data

    def expect(self, pat):
        self.got += self.link.expect(pat, timeout=60)
        self.live.wait(lambda: (len(K.payload(self.live.frames(), K.TX)) >= len(self.sent) and
                                len(K.payload(self.live.frames(), K.RX)) >= len(self.got)),
                       f"tshark's file to hold {len(self.sent)}/{len(self.got)} bytes")

    def at(self, line, until=OK):
        self.send(line.encode() + b"\r")
        self.expect(until)


UPLOAD = bytes(range(256)) * 4  # every byte value; no "+++"
HELLO = b"Hello from the FTP server\r\n"


def bg96_session(h, port):
    commands = ["ATE0", 'AT+QICSGP=1,1,"UNINET","","",1', "AT+QIACT=1", 'AT+QFTPCFG="contextid",1',
                'AT+QFTPCFG="account","test","test"', 'AT+QFTPCFG="filetype",0',
                'AT+QFTPCFG="transmode",1']
    for c in commands:
        h.at(c)
    h.at(f'AT+QFTPOPEN="127.0.0.1",{port}', b"+QFTPOPEN: 0,0\r\n")
    h.at('AT+QFTPCWD="/"', b"+QFTPCWD: 0,0\r\n")
    h.at(f'AT+QFTPPUT="up.bin","COM:",0,{len(UPLOAD)},1', b"CONNECT\r\n")
    h.send(UPLOAD)
    h.expect(f"+QFTPPUT: 0,{len(UPLOAD)}\r\n".encode())
    h.at('AT+QFTPGET="hello.txt","COM:"', f"+QFTPGET: 0,{len(HELLO)}\r\n".encode())
    h.at('AT+QFTPSIZE="missing.txt"', b"+QFTPSIZE: 627,550\r\n")
    h.at("AT+QFTPCLOSE", b"+QFTPCLOSE: 0,0\r\n")
    return commands + ["AT+QFTPOPEN", "AT+QFTPCWD", "AT+QFTPPUT", "AT+QFTPGET", "AT+QFTPSIZE",
                       "AT+QFTPCLOSE"]


def transactions(path):
    """qftp show --json's transactions without times and frame numbers (the two captures
    split the same bytes into different frames)."""
    doc = json.loads(run("show", "--json", path, check=True).stdout)
    return [{**{k: v for k, v in x.items() if not k.startswith(("t_", "time_", "frame_"))},
             "notes": [{k: v for k, v in n.items() if k != "t"} for n in x["notes"]]}
            for x in doc["transactions"]]


def test_relay_session():
    with FtpServer() as srv:
        with open(srv.path("hello.txt"), "wb") as f:
            f.write(HELLO)
        sim = Sim("bg96", connect=False)
        rec_file = os.path.join(t.tmp, "record.pcap")
        rec = subprocess.Popen([QFTP, "record", "--device",
                                f"tcp:127.0.0.1:{sim.port}", "--listen", "127.0.0.1:0", "-w", rec_file,
                                "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        live = None
        try:
            m = re.search(rb"listening on 127\.0\.0\.1:(\d+)", rec.stdout.readline())
            assert m, "qftp record did not start"
            pty = os.path.join(t.outdir("host"), "ttyQ")
            live = Live("qftp-relay", {"device": f"tcp:127.0.0.1:{m.group(1).decode()}",
                                       "host": pty, "baud": "keep"})
            link = PtyLink(live.wait_path(pty))
            h = Host(link, live)
            sent_cmds = bg96_session(h, srv.port)
            with open(srv.path("up.bin"), "rb") as f:
                assert f.read() == UPLOAD, "the upload differs on the server"
            link.close()
            assert live.stop() == 0, live.stderr()
            assert "extcap" not in live.stderr(), live.stderr()  # a clean end says nothing
            links, frames = K.read_pcapng(live.file)
            assert links == [252], links
            assert K.payload(frames, K.TX) == h.sent, "host->module bytes differ in tshark's file"
            assert K.payload(frames, K.RX) == h.got, "module->host bytes differ in tshark's file"
            ts = [f.ts for f in frames]
            assert ts == sorted(ts), "frames out of order"
        finally:
            if live and live.proc.poll() is None:
                live.stop()
            rec.send_signal(signal.SIGINT)
            rec_rc = rec.wait(60)
            assert sim.stop() == 0
        assert rec_rc == 0, rec.stderr.read()
        # the same session as qftp record saw it
        with open(rec_file, "rb") as f:
            rs = K.PcapStream(f.fileno())
            rs.until_eof()
        assert K.payload(rs.frames, K.TX) == h.sent, "host->module bytes differ in record's file"
        assert K.payload(rs.frames, K.RX) == h.got, "module->host bytes differ in record's file"
        tl, tr = transactions(live.file), transactions(rec_file)
        for a, b in zip(tl, tr):
            assert a == b, f"tshark's file: {a}\nrecord's file: {b}"
        assert len(tl) == len(tr) == len(sent_cmds), (len(tl), len(tr), len(sent_cmds))
        # the plugin decoded the live capture, frame by frame as it came
        rows = live.rows()
        assert len(rows) == len(frames), (len(rows), len(frames))
        cmds = [c for r in rows if r["qftp.direction"] == ["0"] for c in r["qftp.cmd"]]
        assert len(cmds) == len(sent_cmds), (cmds, sent_cmds)
        urcs = [u for r in rows for u in r["qftp.urc"]]
        for u in ("+QFTPOPEN", "+QFTPCWD", "+QFTPPUT", "+QFTPGET", "+QFTPSIZE", "+QFTPCLOSE"):
            assert u in urcs, (u, urcs)
        up = sum(int(x) for r in rows if r["qftp.direction"] == ["0"] for x in r["qftp.data.len"])
        down = sum(int(x) for r in rows if r["qftp.direction"] == ["1"] for x in r["qftp.data.len"])
        assert (up, down) == (len(UPLOAD), len(HELLO)), (up, down)


def test_sim_interface():
    """Options as Wireshark keeps them: in the profile's preferences file, where its
    dialog saves them (no -o)."""
    pty = os.path.join(t.outdir("host"), "ttyS")
    conf = os.path.join(t.home, ".config", "wireshark")
    os.makedirs(conf, exist_ok=True)
    os.chmod(conf, 0o777)
    prefs = os.path.join(conf, "preferences")
    with open(prefs, "w") as f:
        f.write(f"extcap.qftp_sim.dialect: gsm\nextcap.qftp_sim.fault: answer-error:+QFTPSTAT\n"
                f"extcap.qftp_sim.host: {pty}\n")
    os.chmod(prefs, 0o644)
    live = Live("qftp-sim", {})
    try:
        link = PtyLink(live.wait_path(pty))
        h = Host(link, live)
        h.at("ATI")
        h.at("AT+QFTPSTAT", b"ERROR\r\n")
        assert b"Quectel_M95" in h.got and h.got.endswith(b"\r\nERROR\r\n"), h.got
        live.wait(lambda: sum(1 for r in live.rows() if r["qftp.final"]) >= 2, "the live decode")
        link.close()
        assert live.stop() == 0, live.stderr()
        assert "extcap" not in live.stderr(), live.stderr()
        finals = [f for r in live.rows() for f in r["qftp.final"]]
        assert finals == ["OK", "ERROR"], finals
    finally:
        if live.proc.poll() is None:
            live.stop()
        os.unlink(prefs)


def test_device_error():
    live = Live("qftp-relay", {"device": os.path.join(t.tmp, "no-such-port"),
                               "host": os.path.join(t.outdir("host"), "ttyE")})
    deadline = time.monotonic() + 120
    while live.proc.poll() is None and time.monotonic() < deadline:
        live.pump(0.5)
    if live.proc.poll() is None:
        live.stop()
        raise AssertionError("tshark kept waiting on an extcap that failed")
    err = live.stderr()
    assert "qftp extcap: cannot open device" in err and "no-such-port" in err, err
    assert live.proc.returncode != 0, err


case("the install rule's folders are tshark's; cmake --install into a DESTDIR", test_folders)
case("tshark -D lists qftp-relay and qftp-sim", test_list)
case("tshark -i qftp-relay: a BG96 FTP session live, as qftp record sees it", test_relay_session)
case("tshark -i qftp-sim: GSM with a fault from the stored preferences, decoded live", test_sim_interface)
case("tshark -i qftp-relay on a missing device: tshark ends and says why", test_device_error)
t.cleanup()
done()
