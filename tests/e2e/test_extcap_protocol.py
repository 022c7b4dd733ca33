"""`qftp extcap` speaks Wireshark's extcap protocol as Wireshark 4.0 to 4.6 parse it
(extcap_parser.c; doc/extcap.adoc): the interfaces after an extcap line, link type 252,
each option with its type, default, tooltip and validation. Captures run here without
Wireshark, into a fifo this test reads as Wireshark's dumpcap does: frames arrive while
the session runs, both directions byte for byte; the ends Wireshark causes (SIGTERM, its
reader leaving) are quiet with status 0; a device that cannot be opened and a bad option
are an error on stderr with the fifo closed, so the reader is never left waiting
(tshark 4.0 hangs on an extcap that never opens its fifo)."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from qftptest import case, done, run, src

sys.path.insert(0, src("simulator", "tools"))
from simclient import PtyLink, Sim  # noqa: E402
import extcap_kit as K  # noqa: E402

IFACES = ("qftp-relay", "qftp-sim")
TYPES = {"integer", "unsigned", "long", "double", "string", "selector", "radio", "boolean",
         "boolflag", "password", "fileselect", "multicheck", "timestamp"}


def out(p):
    assert p.returncode == 0, f"exit {p.returncode}: {p.stderr.decode(errors='replace')}"
    assert p.stderr == b"", f"stderr (Wireshark shows it as an error): {p.stderr!r}"
    return p.stdout.decode()


def test_interfaces():
    text = out(K.extcap("--extcap-interfaces", "--extcap-version=4.0"))
    s = K.sentences(text)
    assert s[0][0] == "extcap", s
    version = run("-V", check=True).stdout.decode().split()[-1]
    assert s[0][1]["version"] == version, (s[0][1], version)
    assert [p["value"] for k, p, _ in s[1:] if k == "interface"] == list(IFACES), s
    assert all(p.get("display") for _, p, _ in s[1:]), s
    # the command of the qftp tool answers the same
    assert out(run("extcap", "--extcap-interfaces", "--extcap-version=4.6")) == text
    # --extcap-version alone: the extcap line
    assert out(K.extcap("--extcap-version=4.4")) == text.splitlines(True)[0]


def test_dlts():
    for i in IFACES:
        s = K.sentences(out(K.extcap("--extcap-interface", i, "--extcap-dlts")))
        assert len(s) == 1 and s[0][0] == "dlt", s
        assert s[0][1]["number"] == "252" and s[0][1]["name"] == "WIRESHARK_UPPER_PDU", s
        assert s[0][1]["display"], s


def config(iface):
    """[{...arg..., 'values': [value params]}] in number order."""
    s = K.sentences(out(K.extcap("--extcap-interface", iface, "--extcap-config")))
    args = [p for k, p, _ in s if k == "arg"]
    for p in args:
        p["values"] = [v for k, v, _ in s if k == "value" and v["arg"] == p["number"]]
    assert all(k in ("arg", "value") for k, _, _ in s), s
    assert len([v for k, v, _ in s if k == "value"]) == sum(len(a["values"]) for a in args), \
        "a value of no arg"
    return args


def test_config():
    for iface in IFACES:
        args = config(iface)
        assert [a["number"] for a in args] == [str(n) for n in range(len(args))], args
        calls = [a["call"] for a in args]
        assert len(set(calls)) == len(calls), calls
        for a in args:
            what = f"{iface} {a['call']}"
            assert re.fullmatch(r"--[a-z][a-z-]*", a["call"]), what
            assert a["type"] in TYPES, what
            for k in ("display", "tooltip", "group"):
                assert a.get(k), f"{what}: no {k}"
            assert a["required"] in ("true", "false"), what
            if a["type"] == "selector":
                assert a["values"], what
                assert [v["default"] for v in a["values"]].count("true") == 1, f"{what}: one default"
                assert all(v["value"] and v["display"] for v in a["values"]), what
            else:
                assert not a["values"], what
            if a["required"] == "true":
                assert a.get("default"), f"{what}: required without a default"
            if "validation" in a:
                rx = re.compile(a["validation"])  # Qt's QRegularExpression is PCRE, as is re here
                assert a["validation"].startswith("^") and a["validation"].endswith("$"), what
                if a.get("default"):
                    assert rx.search(a["default"]), f"{what}: the default fails its validation"
        assert {"--host"} <= set(calls), calls
    relay = {a["call"]: a for a in config("qftp-relay")}
    rx = re.compile(relay["--device"]["validation"])
    for ok in ("/dev/ttyUSB2", "/dev/serial/by-id/usb-Quectel_BG96-if02", "tcp:10.0.0.5:3333",
               "tcp:[::1]:5555"):
        assert rx.search(ok), ok
    for bad in ("ttyUSB2", "10.0.0.5:3333", "tcp:host", ""):
        assert not rx.search(bad), bad
    sim = {a["call"]: a for a in config("qftp-sim")}
    rx = re.compile(sim["--fault"]["validation"])
    for ok in ("drop-urc:+QFTPGET", "delay-urc:+QFTPOPEN:3000", "extra-urc:*:+QIURC: \"pdpdeact\",1",
               "stall"):
        assert rx.search(ok), ok
    assert not rx.search("drop-everything"), "unknown fault kind accepted"


class Capture:
    """`qftp-extcap --capture` into a fifo whose read end this test holds, as dumpcap."""

    def __init__(self, iface, *args, fifo=True):
        self.tmp = tempfile.mkdtemp(prefix="qftp-extcap-")
        self.fifo = os.path.join(self.tmp, "fifo")
        self.fd = -1
        if fifo:
            os.mkfifo(self.fifo)
            self.fd = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK)
            self.stream = K.PcapStream(self.fd)
        self.err = open(os.path.join(self.tmp, "stderr"), "wb+")
        self.proc = subprocess.Popen([K.EXTCAP, "--capture", "--extcap-interface", iface,
                                      "--fifo", self.fifo, *[a.replace("@", self.tmp) for a in args]],
                                     stdout=subprocess.DEVNULL, stderr=self.err)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def wait_path(self, name, timeout=60):
        deadline = time.monotonic() + timeout
        while not os.path.lexists(self.path(name)):
            assert self.proc.poll() is None, f"exited {self.proc.returncode}: {self.stderr()}"
            assert time.monotonic() < deadline, f"{name} never appeared"
            time.sleep(0.05)
        return self.path(name)

    def stderr(self):
        self.err.flush()
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def close_reader(self):
        os.close(self.fd)
        self.fd = -1

    def wait_exit(self, timeout=60):
        return self.proc.wait(timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.fd >= 0:
            os.close(self.fd)
        self.err.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Session:
    """A host on the pty: each command's answer is read, then the capture must hold
    every byte so far before anything else is sent: frames reach the fifo as they pass."""

    def __init__(self, link, cap):
        self.link, self.cap, self.sent, self.got = link, cap, b"", b""

    def exchange(self, line, until):
        self.link.cmd(line)
        self.sent += line.encode() + b"\r"
        self.got += self.link.expect(until)
        self.cap.stream.wait(lambda s: len(K.payload(s.frames, K.RX)) >= len(self.got),
                             what=f"the answer to {line}")
        self.check()

    def check(self):
        tx, rx = K.payload(self.cap.stream.frames, K.TX), K.payload(self.cap.stream.frames, K.RX)
        assert tx == self.sent, f"host->module in the capture {tx!r} != sent {self.sent!r}"
        assert rx == self.got, f"module->host in the capture {rx!r} != received {self.got!r}"
        assert all(f.name == "qftp" and f.dir in (K.TX, K.RX) for f in self.cap.stream.frames)


def test_sim_capture():
    for dialect, revision, extra, stat in (
            ("bg96", b"BG96MAR02A07M1G", (), b"\r\n+QFTPSTAT: 0,4\r\n\r\nOK\r\n"),
            ("gsm", b"M95FAR02A08", ("--fault", "answer-error:+QFTPSTAT"), b"\r\nERROR\r\n")):
        cap = Capture("qftp-sim", "--dialect", dialect, "--host", "@/pty", *extra)
        try:
            link = PtyLink(cap.wait_path("pty"))
            cap.stream.wait(lambda s: s.linktype is not None, what="the pcap header")
            assert cap.stream.linktype == 252
            ses = Session(link, cap)
            for line, until in (("ATE0", b"OK\r\n"), ("ATI", b"OK\r\n"), ("AT+QFTPSTAT", stat)):
                ses.exchange(line, until)
            assert revision in ses.got, ses.got
            assert ses.got.endswith(stat), ses.got  # GSM: the fault answers ERROR
            link.close()
            cap.proc.send_signal(signal.SIGTERM)  # Wireshark's stop
            assert cap.wait_exit() == 0, cap.stderr()
            assert cap.stderr() == "", cap.stderr()
            cap.stream.until_eof()
            ses.check()
            assert not os.path.lexists(cap.path("pty")), "the pty link stayed"
        finally:
            cap.stop()


def test_relay_capture():
    sim = Sim("bg96", connect=False)
    cap = Capture("qftp-relay", "--device", f"tcp:127.0.0.1:{sim.port}", "--host", "@/pty")
    try:
        link = PtyLink(cap.wait_path("pty"))
        ses = Session(link, cap)
        for line in ("ATE0", 'AT+QICSGP=1,1,"UNINET","","",1', "AT+QIACT=1", "AT+QFTPSTAT"):
            ses.exchange(line, b"OK\r\n")
        # Wireshark's reader leaves (the capture stopped): the next read ends the relay
        # quietly, status 0
        cap.close_reader()
        link.cmd("ATI")
        assert cap.wait_exit() == 0, cap.stderr()
        assert cap.stderr() == "", cap.stderr()
    finally:
        cap.stop()
        assert sim.stop() == 0


def test_device_error():
    cap = Capture("qftp-relay", "--device", "@/no-such-port", "--host", "@/pty")
    try:
        assert cap.wait_exit() == 3, cap.stderr()
        err = cap.stderr()
        assert len(err.splitlines()) == 1 and "no-such-port" in err and "cannot open" in err, err
        cap.stream.until_eof()  # the fifo was opened and closed: no reader is left waiting
        assert cap.stream.raw == b"", cap.stream.raw
    finally:
        cap.stop()


def test_bad_option_in_capture():
    for args, what in ((("--baud", "12345"), "--baud 12345"),
                       (("--host", "relative/pty"), "--host relative/pty"),
                       (("--dialect", "gsm"), "--dialect is not an option of qftp-relay"),
                       (("--extcap-capture-filter", "tcp port 21"), "capture filters do not apply")):
        cap = Capture("qftp-relay", "--device", "@/no-such-port", *args)
        try:
            assert cap.wait_exit() == 2, (args, cap.stderr())
            assert what in cap.stderr(), (args, cap.stderr())
            cap.stream.until_eof()
            assert cap.stream.raw == b""
        finally:
            cap.stop()


def test_selector_values_accepted():
    """Every value the relay's dialog offers passes the capture's checks: with a device
    that does not exist the capture fails on the device (3), never on an option (2)."""
    relay = {a["call"]: a for a in config("qftp-relay")}
    tmp = tempfile.mkdtemp(prefix="qftp-extcap-")
    try:
        base = ["--capture", "--extcap-interface", "qftp-relay", "--fifo", os.path.join(tmp, "out.pcap"),
                "--device", os.path.join(tmp, "no-such-port"), "--host", os.path.join(tmp, "pty")]
        for call in ("--baud", "--flow"):
            for v in relay[call]["values"]:
                p = K.extcap(*base, call, v["value"])
                assert p.returncode == 3 and b"cannot open" in p.stderr, (call, v, p.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_filter_and_other_calls():
    # Wireshark's capture filter field: nothing printed means valid
    assert out(K.extcap("--extcap-interface", "qftp-sim", "--extcap-capture-filter", "")) == ""
    msg = out(K.extcap("--extcap-interface", "qftp-relay", "--extcap-capture-filter", "tcp port 21"))
    assert len(msg.splitlines()) == 1 and "display filter" in msg, msg
    assert out(K.extcap("--extcap-cleanup-postkill")) == ""
    assert out(K.extcap("--extcap-interface", "qftp-relay", "--extcap-reload-option", "--baud")) == ""
    for args, what in ((("--extcap-interface", "qftp-nope", "--extcap-config"), "qftp-relay or qftp-sim"),
                       (("--extcap-config",), "needs --extcap-interface"),
                       (("--extcap-interface", "qftp-sim"), "needs one of"),
                       (("--capture", "--extcap-interface", "qftp-sim"), "--fifo")):
        p = K.extcap(*args)
        assert p.returncode == 2 and what in p.stderr.decode(), (args, p.stderr)


case("--extcap-interfaces: the extcap line and both interfaces", test_interfaces)
case("--extcap-dlts: link type 252 for each interface", test_dlts)
case("--extcap-config: numbers, types, defaults, tooltips, validations", test_config)
case("every selector value passes the capture's checks", test_selector_values_accepted)
case("capture filter check, cleanup, reload, usage errors", test_filter_and_other_calls)
case("qftp-sim: both dialects and a fault, frames as they pass, SIGTERM ends quietly", test_sim_capture)
case("qftp-relay: bytes exact both ways, the reader leaving ends quietly", test_relay_capture)
case("a device that cannot be opened: one error line, the fifo closed, status 3", test_device_error)
case("a bad option in a capture: the error, the fifo closed, status 2", test_bad_option_in_capture)
done()
