"""USB captures as the host sees them, enumeration included (the module plugged in while
capturing, or re-enumerating after a reset), for every product of dissector/
qftp-usb-ids.h, built from the descriptors the modules publish (dissector/testlib/
usbcap.py names the sources): a port's commands and replies meet in one session
whatever interface number Wireshark reports for its IN endpoint, data mode and links
work, the second AT port is a session of its own, and the DIAG, NMEA and QMI ports are
left alone. usbmon and USBPcap; a re-enumeration at a new address; the EC25's CDC ECM
composition."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "dissector", "testlib"))

from qftptest import case, done  # noqa: E402
import qftp_ws as W  # noqa: E402
import usbcap as U  # noqa: E402

t = W.Tshark()
DIAG = bytes.fromhex("4b12340001020304057d5e207e")           # HDLC-framed DIAG, 0x7e at the end
NMEA = b"$GPGGA,000000.00,,,,,0,00,99.99,,,,,,*60\r\n"
QMI_REQ = bytes.fromhex("010c00000000000001002000000000")       # QMUX: CTL get version info
QMI_RSP = bytes.fromhex("01130080000000010100210007000200020000000000")
FILE = b"hello world\r\n"


def session(cap, dev, name, expect):
    """An FTP session on the AT port (interface 2), ATI on the modem port (interface 3),
    and traffic on DIAG, NMEA and QMI; `expect` gets the frame numbers."""
    (d_out, d_in), (_, n_in), (at_out, at_in), (m_out, m_in), (q_out, q_in) = U.ports(name)
    e = expect
    e["open"] = cap.bulk_out(dev, at_out, b'AT+QFTPOPEN="ftp.example.org",21\r')
    e["open_ok"] = cap.bulk_in(dev, at_in, b"\r\nOK\r\n")
    e["diag_out"] = cap.bulk_out(dev, d_out, DIAG)
    e["diag_in"] = cap.bulk_in(dev, d_in, DIAG)
    e["nmea"] = cap.bulk_in(dev, n_in, NMEA)
    e["open_urc"] = cap.bulk_in(dev, at_in, b"\r\n+QFTPOPEN: 0,0\r\n")
    e["ati"] = cap.bulk_out(dev, m_out, b"ATI\r")
    e["ati_rsp"] = cap.bulk_in(dev, m_in, b"\r\nQuectel\r\n" + name.encode() + b"\r\n\r\nOK\r\n")
    e["qmi_out"] = cap.bulk_out(dev, q_out, QMI_REQ)
    e["qmi_in"] = cap.bulk_in(dev, q_in, QMI_RSP)
    e["get"] = cap.bulk_out(dev, at_out, b'AT+QFTPGET="f.txt","COM:"\r')
    e["connect"] = cap.bulk_in(dev, at_in, b"\r\nCONNECT\r\n")
    e["data"] = cap.bulk_in(dev, at_in, FILE)
    e["get_ok"] = cap.bulk_in(dev, at_in, b"\r\nOK\r\n")
    e["get_urc"] = cap.bulk_in(dev, at_in, b"\r\n+QFTPGET: 0,%d\r\n" % len(FILE))


CAPS = {}   # label -> (path, frame numbers)


def build():
    for bus, name in enumerate(U.PRODUCTS, start=1):
        c = U.Usbmon(bus)
        c.enumerate(5, name)
        e = {}
        session(c, 5, name, e)
        p = os.path.join(t.tmp, f"usb-{name}.pcap")
        U.write_pcap(p, 220, c.frames)
        CAPS[name] = (p, e)
    # EC25: a reset re-enumerates it at a new address, the session goes on there
    c = U.Usbmon(10)
    c.enumerate(5, "EC25")
    e = {}
    session(c, 5, "EC25", e)
    c.enumerate(6, "EC25")
    e2 = {}
    session(c, 6, "EC25", e2)
    e.update({k + "2": v for k, v in e2.items()})
    p = os.path.join(t.tmp, "usb-EC25-reset.pcap")
    U.write_pcap(p, 220, c.frames)
    CAPS["EC25 re-enumerated"] = (p, e)
    # EC25-AF: CDC ECM on interfaces 4 and 5 (its bulk endpoints carry Ethernet frames)
    c = U.Usbmon(11)
    c.enumerate(5, "EC25", config=U.ec25_ecm_config())
    e = {}
    session(c, 5, "EC25", e)
    e["ecm"] = c.bulk_in(5, 0x88, bytes.fromhex("ffffffffffff0200000000010806") + b"\0" * 28)
    p = os.path.join(t.tmp, "usb-EC25-ecm.pcap")
    U.write_pcap(p, 220, c.frames)
    CAPS["EC25 with ECM"] = (p, e)
    # the same EC25 session through USBPcap (Windows)
    c = U.Usbmon(12)
    c.enumerate(5, "EC25")
    e = {}
    session(c, 5, "EC25", e)
    p = os.path.join(t.tmp, "usbpcap-EC25.pcap")
    U.write_pcap(p, 249, U.usbpcap_frames(c.frames))
    CAPS["EC25 USBPcap"] = (p, e)


build()
M = W.Merged(t, [p for p, _ in CAPS.values()], "usb.pcapng")
FIELDS = ["qftp.cmd", "qftp.final", "qftp.urc", "qftp.request_in", "qftp.response_in", "qftp.txn",
          "qftp.data.len", "qftp.value", "frame.protocols"]
ROWS = M.split_rows(t.fields(M.path, FIELDS), t.fields_of_type("FT_FRAMENUM"))
EO = {}


def eq(a, b, what=""):
    if a != b:
        raise AssertionError(f"{what}: {a!r} != {b!r}")


def check(label, suffix=""):
    i = list(CAPS).index(label)
    r, e = ROWS[i], {k[:-len(suffix)] if suffix else k: v for k, v in CAPS[label][1].items()
                     if k.endswith(suffix)}
    # one session for the AT port: the command's links reach the replies on the IN endpoint
    eq(r[e["open"]]["qftp.cmd"], ["+QFTPOPEN"], "command on bulk OUT")
    eq(r[e["open"]]["qftp.response_in"], [str(e["open_ok"])], "command -> OK on bulk IN")
    eq(r[e["open_ok"]]["qftp.request_in"], [str(e["open"])], "OK -> command")
    eq(r[e["open_urc"]]["qftp.urc"], ["+QFTPOPEN"], "completion URC")
    eq(r[e["open_urc"]]["qftp.request_in"], [str(e["open"])], "URC -> command")
    # data mode through the same port
    eq(r[e["data"]]["qftp.data.len"], [str(len(FILE))], "download payload")
    eq(r[e["get_urc"]]["qftp.value"], [str(len(FILE))], "+QFTPGET count")
    eq(r[e["get"]]["qftp.txn"], [str(int(r[e["open"]]["qftp.txn"][0]) + 1)],
       "the download is the next transaction of the same session")
    # the modem port (interface 3) is a session of its own
    eq(r[e["ati"]]["qftp.cmd"], ["I"], "ATI on the modem port")
    eq(r[e["ati"]]["qftp.txn"], ["1"], "its own session")
    eq(r[e["ati_rsp"]]["qftp.final"], ["OK"], "its OK")
    eq(set(r[e["ati_rsp"]]["qftp.request_in"]), {str(e["ati"])}, "information lines and OK -> ATI")
    # DIAG, NMEA and QMI stay with their own dissectors
    for k in ("diag_out", "diag_in", "nmea", "qmi_out", "qmi_in") + (("ecm",) if "ecm" in e else ()):
        assert "qftp" not in r[e[k]]["frame.protocols"][0].split(":"), (label, k, r[e[k]])


for label in CAPS:
    case(f"USB with enumeration: {label}: one session per port, other ports left alone", check, label)
case("USB: after a re-enumeration at a new address, the session goes on there", check,
     "EC25 re-enumerated", "2")
t.cleanup()
done()
