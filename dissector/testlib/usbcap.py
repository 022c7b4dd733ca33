"""USB captures of Quectel modules for the plugin's tests, built byte by byte: the
enumeration (device and configuration descriptors, as the host reads them when the
module is plugged in or re-enumerates after a reset) and bulk traffic on its ports, as
Linux usbmon (struct usbmon_packet, 64 bytes, link type 220) or USBPcap (link type
249) frames.

The descriptors are those the modules publish, as listed in these sources:
- EC25 (2c7c:0125): `lsusb -v` on the Osmocom wiki's EC25 page and in raspberrypi/linux
  issue #3469 (bDeviceClass 239/2/1, bcdDevice 3.18, wTotalLength 209, 5 interfaces);
  the same endpoints as /sys/kernel/debug/usb/devices prints them in Linux commit
  2bb70f0a4b23 ("USB: serial: option: support dynamic Quectel USB compositions"),
  which also lists the EC25-AF composition with CDC ECM on interfaces 4 and 5.
- EC21 (2c7c:0121): `lsusb -v` in raspberrypi/linux issue #1880 (bDeviceClass 0,
  wTotalLength 209, 5 interfaces, the EC25's endpoints).
- EG95 (2c7c:0195): usb-devices in Linux commit da6902e5b6db, and EG91 (2c7c:0191):
  Linux commit c184accc4a42 ("The interface layout is same as for EG95": 0 Diag,
  1 GNSS, 2 AT, 3 Modem, 4 QMI; 2, 3, 3, 3, 3 endpoints, classes ff/ff/ff, ff/00/00 x3,
  ff/ff/ff). Their endpoint addresses are not in those listings: they are the EC25's
  (the same Qualcomm composition).
- BG96 (2c7c:0296): the full `lsusb -v` in Linux commit c98fff7332db (bDeviceClass 0,
  wTotalLength 145; interfaces 0 and 1 with 2 bulk endpoints, 2-4 with 3, interface 3
  ff/fe/ff).
The EC2x serial interfaces with an interrupt endpoint carry four class-specific CDC
descriptors (19 bytes, lsusb's "UNRECOGNIZED: 05 24 00 10 01 / 05 24 01 00 00 /
04 24 02 02 / 05 24 06 00 00"): 9 + 5 x 9 + 14 x 7 + 3 x 19 = 209, the published
wTotalLength."""
import struct

BULK, INTR = 2, 3
CDC = bytes.fromhex("0524001001" "0524010000" "04240202" "0524060000")

EC2X_IFACES = [  # (class, subclass, protocol, [(address, type)], class-specific bytes)
    (0xFF, 0xFF, 0xFF, [(0x81, BULK), (0x01, BULK)], b""),                  # 0 DIAG
    (0xFF, 0x00, 0x00, [(0x83, INTR), (0x82, BULK), (0x02, BULK)], CDC),    # 1 NMEA
    (0xFF, 0x00, 0x00, [(0x85, INTR), (0x84, BULK), (0x03, BULK)], CDC),    # 2 AT
    (0xFF, 0x00, 0x00, [(0x87, INTR), (0x86, BULK), (0x04, BULK)], CDC),    # 3 modem (AT)
    (0xFF, 0xFF, 0xFF, [(0x89, INTR), (0x88, BULK), (0x05, BULK)], b""),    # 4 QMI
]

PRODUCTS = {
    "EC25": dict(product=0x0125, dev_class=(0xEF, 0x02, 0x01), bcd=0x0318, ifaces=EC2X_IFACES,
                 total=209),
    "EC21": dict(product=0x0121, dev_class=(0, 0, 0), bcd=0x0318, ifaces=EC2X_IFACES, total=209),
    "EG91": dict(product=0x0191, dev_class=(0xEF, 0x02, 0x01), bcd=0x0318, ifaces=EC2X_IFACES),
    "EG95": dict(product=0x0195, dev_class=(0xEF, 0x02, 0x01), bcd=0x0318, ifaces=EC2X_IFACES),
    "BG96": dict(product=0x0296, dev_class=(0, 0, 0), bcd=0x0000, total=145, ifaces=[
        (0xFF, 0xFF, 0xFF, [(0x81, BULK), (0x01, BULK)], b""),               # 0 DIAG
        (0xFF, 0xFF, 0xFF, [(0x82, BULK), (0x02, BULK)], b""),               # 1 NMEA
        (0xFF, 0xFF, 0xFF, [(0x83, INTR), (0x84, BULK), (0x03, BULK)], b""),  # 2 AT
        (0xFF, 0xFE, 0xFF, [(0x85, INTR), (0x86, BULK), (0x04, BULK)], b""),  # 3 modem (AT)
        (0xFF, 0xFF, 0xFF, [(0x87, INTR), (0x88, BULK), (0x05, BULK)], b""),  # 4 RMNET (QMI)
    ]),
}

# The ports of each product as qftp-usb-ids.h names them: (OUT, IN) of DIAG, NMEA, AT,
# modem, QMI.
def ports(name):
    out = []
    for cls, sub, prot, eps, _ in PRODUCTS[name]["ifaces"]:
        bulk = [a for a, t in eps if t == BULK]
        out.append((next(a for a in bulk if not a & 0x80), next(a for a in bulk if a & 0x80)))
    return out


def device_descriptor(name):
    p = PRODUCTS[name]
    c, s, pr = p["dev_class"]
    return struct.pack("<BBHBBBBHHHBBBB", 18, 1, 0x0200, c, s, pr, 64, 0x2C7C, p["product"],
                       p["bcd"], 1, 2, 0, 1)


def config_descriptor(name, ifaces=None):
    body = b""
    ifaces = ifaces or PRODUCTS[name]["ifaces"]
    for n, (cls, sub, prot, eps, extra) in enumerate(ifaces):
        body += struct.pack("<BBBBBBBBB", 9, 4, n, 0, len(eps), cls, sub, prot, 0) + extra
        for addr, typ in eps:
            body += struct.pack("<BBBBHB", 7, 5, addr, typ, 512 if typ == BULK else 10,
                                0 if typ == BULK else 9)
    total = 9 + len(body)
    want = PRODUCTS[name].get("total")
    assert want is None or ifaces is not PRODUCTS[name]["ifaces"] or total == want, (name, total)
    return struct.pack("<BBHBBBBB", 9, 2, total, len(ifaces), 1, 0, 0xA0, 250) + body


def ec25_ecm_config():
    """EC25-AF with CDC ECM on interfaces 4 and 5 (Linux commit 2bb70f0a4b23): an
    interface association, the communication interface with 0x89, the data interface
    with no endpoint in alternate setting 0 and 0x88/0x05 in setting 1."""
    body = b""
    for n, (cls, sub, prot, eps, extra) in enumerate(EC2X_IFACES[:4]):
        body += struct.pack("<BBBBBBBBB", 9, 4, n, 0, len(eps), cls, sub, prot, 0) + extra
        for addr, typ in eps:
            body += struct.pack("<BBBBHB", 7, 5, addr, typ, 512 if typ == BULK else 10,
                                0 if typ == BULK else 9)
    body += struct.pack("<BBBBBBBB", 8, 11, 4, 2, 0x02, 0x06, 0x00, 0)        # IAD
    body += struct.pack("<BBBBBBBBB", 9, 4, 4, 0, 1, 0x02, 0x06, 0x00, 0)
    body += bytes.fromhex("0524001001" "0d240f0100000000ea05000000" "0524060405")
    body += struct.pack("<BBBBHB", 7, 5, 0x89, INTR, 16, 9)
    body += struct.pack("<BBBBBBBBB", 9, 4, 5, 0, 0, 0x0A, 0x00, 0x00, 0)
    body += struct.pack("<BBBBBBBBB", 9, 4, 5, 1, 2, 0x0A, 0x00, 0x00, 0)
    body += struct.pack("<BBBBHB", 7, 5, 0x88, BULK, 512, 0)
    body += struct.pack("<BBBBHB", 7, 5, 0x05, BULK, 512, 0)
    return struct.pack("<BBHBBBBB", 9, 2, 9 + len(body), 6, 1, 0, 0xA0, 250) + body


class Usbmon:
    """Frames of one bus as usbmon records them (64-byte header, little-endian)."""

    def __init__(self, bus):
        self.bus = bus
        self.frames = []
        self.t = 0.0
        self.urb = 0x1000

    def _rec(self, kind, xfer, ep, dev, data=b"", setup=None, urb_len=None):
        self.t += 0.002
        sec = int(self.t)
        usec = int(round((self.t - sec) * 1e6))
        hdr = struct.pack("<QBBBBHbbqiiII8siiII", self.urb, ord(kind), xfer, ep, dev, self.bus,
                          0 if setup is not None else ord("-"), 0 if data else ord("<"),
                          1714557600 + sec, usec, 0, urb_len if urb_len is not None else len(data),
                          len(data), setup or b"\0" * 8, 0, 0, 0, 0)
        self.frames.append((self.t, hdr + data))

    def control_in(self, dev, setup, answer):
        """A control transfer reading `answer` (GET_DESCRIPTOR and the like)."""
        self.urb += 1
        wlen = struct.unpack("<H", setup[6:8])[0]
        self._rec("S", 2, 0x80, dev, setup=setup, urb_len=wlen)
        self._rec("C", 2, 0x80, dev, data=answer[:wlen])

    def control_out(self, dev, setup):
        self.urb += 1
        self._rec("S", 2, 0x00, dev, setup=setup)
        self._rec("C", 2, 0x00, dev)

    def enumerate(self, dev, name, config=None):
        """What the host reads at plug-in (Linux: the device descriptor at address 0,
        SET_ADDRESS, the device descriptor again, the configuration's first 9 bytes, then
        all of it, SET_CONFIGURATION)."""
        dd = device_descriptor(name)
        cd = config or config_descriptor(name)
        self.control_in(0, struct.pack("<BBHHH", 0x80, 6, 0x0100, 0, 64), dd)
        self.control_out(0, struct.pack("<BBHHH", 0x00, 5, dev, 0, 0))
        self.control_in(dev, struct.pack("<BBHHH", 0x80, 6, 0x0100, 0, 18), dd)
        self.control_in(dev, struct.pack("<BBHHH", 0x80, 6, 0x0200, 0, 9), cd)
        self.control_in(dev, struct.pack("<BBHHH", 0x80, 6, 0x0200, 0, len(cd)), cd)
        self.control_out(dev, struct.pack("<BBHHH", 0x00, 9, 1, 0, 0))

    def bulk_out(self, dev, ep, data):
        """Host to device: the submission carries the data. Returns its frame number."""
        self.urb += 1
        self._rec("S", 3, ep, dev, data=data)
        n = len(self.frames)
        self._rec("C", 3, ep, dev, urb_len=len(data))
        return n

    def bulk_in(self, dev, ep, data):
        """Device to host: the completion carries the data. Returns its frame number."""
        self.urb += 1
        self._rec("S", 3, ep, dev, urb_len=512)
        self._rec("C", 3, ep, dev, data=data)
        return len(self.frames)


def write_pcap(path, linktype, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for t, body in frames:
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            f.write(struct.pack("<IIII", 1714557600 + sec, usec, len(body), len(body)) + body)


def usbpcap_frames(frames):
    """The same transfers as USBPcap records them (27-byte header, 28 for control with
    its stage byte): bus, device, endpoint, transfer type, direction (info bit 0 set
    from the device)."""
    out = []
    for t, b in frames:
        irp = struct.unpack("<Q", b[0:8])[0]
        kind, xfer, ep, dev, bus = b[8], b[9], b[10], b[11], struct.unpack("<H", b[12:14])[0]
        data = b[64:]
        frm_dev = kind == ord("C")
        if xfer == 2:
            setup = b[40:48]
            if kind == ord("S"):
                data = setup  # the setup stage carries the setup packet
            stage = 0 if kind == ord("S") else (1 if data else 2)
            hdr = struct.pack("<HQIHBHHBBIB", 28, irp, 0, 0x0008, 1 if frm_dev else 0, bus, dev,
                              ep, 2, len(data), stage)
        else:
            hdr = struct.pack("<HQIHBHHBBI", 27, irp, 0, 0x0009, 1 if frm_dev else 0, bus, dev,
                              ep, 3, len(data))
        out.append((t, hdr + data))
    return out
