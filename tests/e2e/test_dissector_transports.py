"""The plugin on the transports other than qftp captures, with real tshark: USB bulk
(usbmon; the heuristic claims the AT interface and leaves the DIAG interface of the same
device alone), a serial-over-TCP bridge (Decode As tcp.port), RTAC serial (Decode As
rtacser.data). The captures are built here byte by byte from the formats' definitions
(linux usbmon_packet, Ethernet/IPv4/TCP, packet-rtacser.c's 12-byte header)."""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "dissector", "testlib"))

from qftptest import case, done  # noqa: E402
import qftp_ws as W  # noqa: E402

t = W.Tshark()
CMD = b"AT+QFTPSTAT\r"
RSP = b"\r\n+QFTPSTAT: 0,1\r\n\r\nOK\r\n"
DIAG = bytes([0x4b, 0x12, 0x34, 0x00, 0x01, 0x02, 0x03, 0x7d, 0x5e, 0x20, 0x7e])


def pcap(path, linktype, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for i, body in enumerate(frames):
            f.write(struct.pack("<IIII", 1714557600 + i, 0, len(body), len(body)) + body)
    os.chmod(path, 0o644)
    return path


def usbmon(urb_id, kind, ep, data):
    """struct usbmon_packet (64 bytes, little-endian), bulk transfer, data present."""
    hdr = struct.pack("<QBBBBHbbqiiII8siiII", urb_id, ord(kind), 3, ep, 5, 1, ord("-"), 0,
                      1714557600, 0, 0, len(data), len(data), b"\0" * 8, 0, 0, 0, 0)
    assert len(hdr) == 64
    return hdr + data


def check_usb():
    frames = [usbmon(1, "S", 0x03, CMD), usbmon(2, "C", 0x84, RSP),     # AT interface
              usbmon(3, "S", 0x01, DIAG), usbmon(4, "C", 0x81, DIAG)]   # DIAG interface
    cap = pcap(os.path.join(t.tmp, "usb.pcap"), 220, frames)
    r = t.fields(cap, ["qftp.cmd", "qftp.final", "qftp.request_in", "_ws.col.Protocol"])
    assert r[1]["qftp.cmd"] == ["+QFTPSTAT"], r[1]
    # the information response and OK both point back at the command
    assert r[2]["qftp.final"] == ["OK"] and set(r[2]["qftp.request_in"]) == {"1"}, r[2]
    for n in (3, 4):  # the DIAG traffic stays USB data
        assert r[n]["qftp.cmd"] == [] and r[n]["qftp.final"] == [], r[n]
        assert r[n]["_ws.col.Protocol"] != ["QFTP"], r[n]


def ipv4_tcp(src, dst, sport, dport, seq, ack, payload):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, 0x18, 65535, 0, 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, bytes(src), bytes(dst))
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + tcp


def check_tcp():
    host, bridge = [10, 0, 0, 1], [10, 0, 0, 2]
    frames = [ipv4_tcp(host, bridge, 40000, 2000, 1, 1, CMD[:5]),       # a command in pieces
              ipv4_tcp(host, bridge, 40000, 2000, 6, 1, CMD[5:]),
              ipv4_tcp(bridge, host, 2000, 40000, 1, 1 + len(CMD), RSP)]
    cap = pcap(os.path.join(t.tmp, "tcp.pcap"), 1, frames)
    r = t.fields(cap, ["qftp.cmd", "qftp.final", "qftp.value"],
                 extra=("-d", "tcp.port==2000,qftp", "-o", "tcp.check_checksum:FALSE"))
    cmd = [n for n in r if r[n]["qftp.cmd"]]
    assert [r[n]["qftp.cmd"] for n in cmd] == [["+QFTPSTAT"]], r
    assert r[3]["qftp.final"] == ["OK"] and r[3]["qftp.value"] == ["1"], r[3]


def rtac(event, data):
    return struct.pack(">IIBBH", 1714557600, 0, event, 0x18, 0) + data


def check_rtac():
    frames = [rtac(0x01, CMD), rtac(0x00, b""), rtac(0x02, RSP)]
    cap = pcap(os.path.join(t.tmp, "rtac.pcap"), 250, frames)
    r = t.fields(cap, ["qftp.cmd", "qftp.final", "qftp.request_in"],
                 extra=("-d", "rtacser.data,qftp"))
    assert r[1]["qftp.cmd"] == ["+QFTPSTAT"], r
    assert r[3]["qftp.final"] == ["OK"] and set(r[3]["qftp.request_in"]) == {"1"}, r


case("USB bulk: AT interface claimed, DIAG left alone", check_usb)
case("serial-over-TCP bridge by Decode As tcp.port", check_tcp)
case("RTAC serial by Decode As rtacser.data", check_rtac)
t.cleanup()
done()
