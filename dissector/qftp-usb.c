/* qftp-usb.c - the qftp plugin on USB bulk transfers (usbmon, USBPcap).
 *
 * Each AT port of a module is one serial session: commands go out on the port's bulk
 * OUT endpoint, replies come back on its bulk IN endpoint. Which endpoints make a port
 * is read from the device's own descriptors when the capture holds its enumeration
 * (the module plugged in while capturing, or re-enumerating after a reset): a
 * postdissector reads every GET_DESCRIPTOR answer of the capture (device: vendor and
 * product; configuration: each interface and its endpoints), so a port's IN and OUT
 * endpoints meet in one session whatever interface number Wireshark reports for them.
 * (Wireshark 4.0's USB dissector maps endpoints to interfaces by endpoint number without
 * the direction: on an EC25, IN 0x84 of interface 2 is taken for interface 3, whose OUT
 * is 0x04, and commands and replies would land in two sessions.)
 *
 * Which ports carry AT: for the products of qftp-usb-ids.h, the table; for other
 * devices, a vendor-specific interface whose traffic looks like AT. The DIAG, NMEA and
 * QMI ports of the same device stay with their own dissectors. Without descriptors
 * (capture started after plugging in) an endpoint is taken once it carried AT traffic
 * and all of a device's AT endpoints share one session.
 *
 * Nothing here reads the USB dissector's structures (they changed in 4.4): addresses,
 * endpoint and direction come from packet_info, descriptors from the frames' bytes.
 *
 * Copyright 2024 the qftp authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qftp-plugin.h"

#include <epan/dissectors/packet-usb.h>
#include <wiretap/wtap.h>

#include "qftp-usb-ids.h"

static dissector_handle_t qftp_usb_handle;
static dissector_handle_t qftp_usb_desc_handle;

/* ---- what the capture's descriptors say about each device ---------------------- */

#define QFTP_NO_IFACE 0xff

typedef struct {
    guint16 vendor, product; /* device descriptor; 0/0 until seen */
    gboolean configured;     /* a whole configuration descriptor was seen */
    guint8 ep_iface[256];    /* endpoint address -> interface number, QFTP_NO_IFACE */
    guint8 iface_class[32];  /* bInterfaceClass of interfaces 0..31 */
    guint32 claimed;         /* unknown products: interfaces taken for AT */
} qftp_usb_dev;

static wmem_map_t *qftp_usb_devs; /* file scope: bus << 16 | address -> qftp_usb_dev* */

static qftp_usb_dev *usb_dev(guint16 bus, guint16 address, gboolean create)
{
    if (!qftp_usb_devs) {
        if (!create)
            return NULL;
        qftp_usb_devs = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    }
    gpointer key = GUINT_TO_POINTER(((guint)bus << 16) | address);
    qftp_usb_dev *d = (qftp_usb_dev *)wmem_map_lookup(qftp_usb_devs, key);
    if (!d && create) {
        d = wmem_new0(wmem_file_scope(), qftp_usb_dev);
        memset(d->ep_iface, QFTP_NO_IFACE, sizeof d->ep_iface);
        wmem_map_insert(qftp_usb_devs, key, d);
    }
    return d;
}

static guint16 le16(const guint8 *p)
{
    return (guint16)(p[0] | (p[1] << 8));
}

/* The answer to a GET_DESCRIPTOR: a device descriptor (USB 2.0 9.6.1: 18 bytes, type 1)
 * or a whole configuration (9.6.3: type 2, wTotalLength, then its interface (type 4)
 * and endpoint (type 5) descriptors, class-specific ones between). A configuration cut
 * short (the first 9-byte read) is ignored; a new one replaces the old (re-enumeration). */
static void usb_descriptors(guint16 bus, guint16 address, const guint8 *d, guint len)
{
    if (len >= 18 && d[0] == 18 && d[1] == 1) {
        qftp_usb_dev *dev = usb_dev(bus, address, TRUE);
        dev->vendor = le16(d + 8);
        dev->product = le16(d + 10);
        return;
    }
    if (len < 9 || d[0] != 9 || d[1] != 2)
        return;
    guint total = le16(d + 2);
    if (total < 9 || total > len)
        return;
    qftp_usb_dev *dev = usb_dev(bus, address, TRUE);
    memset(dev->ep_iface, QFTP_NO_IFACE, sizeof dev->ep_iface);
    memset(dev->iface_class, 0, sizeof dev->iface_class);
    dev->claimed = 0;
    int iface = -1;
    for (guint off = d[0]; off + 2 <= total;) {
        guint l = d[off];
        if (l < 2 || off + l > total)
            break;
        if (d[off + 1] == 4 && l >= 9) {
            iface = d[off + 2];
            if (iface < 32)
                dev->iface_class[iface] = d[off + 5];
        } else if (d[off + 1] == 5 && l >= 7 && iface >= 0) {
            dev->ep_iface[d[off + 2]] = (guint8)iface;
        }
        off += l;
    }
    dev->configured = TRUE;
}

static guint16 host_u16(const guint8 *p)
{
    guint16 v;
    memcpy(&v, p, 2);
    return v;
}

static guint32 host_u32(const guint8 *p)
{
    guint32 v;
    memcpy(&v, p, 4);
    return v;
}

/* Postdissector, first pass only: finds the descriptor answers in the raw frames of
 * Linux usbmon captures (struct usbmon_packet, 48 or 64 bytes, host byte order as
 * Wireshark gives it) and USBPcap captures (USBPCAP_BUFFER_PACKET_HEADER). */
static int dissect_usb_descriptors(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree _U_,
                                   void *data _U_)
{
    if (PINFO_FD_VISITED(pinfo) || !pinfo->rec || pinfo->rec->rec_type != REC_TYPE_PACKET)
        return 0;
    int encap = pinfo->rec->rec_header.packet_header.pkt_encap;
    guint len = tvb_captured_length(tvb);
    if (encap == WTAP_ENCAP_USB_LINUX || encap == WTAP_ENCAP_USB_LINUX_MMAPPED) {
        guint hdr = encap == WTAP_ENCAP_USB_LINUX ? 48 : 64;
        if (len <= hdr)
            return 0;
        const guint8 *h = tvb_get_ptr(tvb, 0, hdr);
        /* a completed control transfer from the device, with its data */
        if (h[8] != 'C' || h[9] != 2 || !(h[10] & 0x80) || h[15] != 0)
            return 0;
        guint n = MIN(host_u32(h + 36), len - hdr);
        usb_descriptors(host_u16(h + 12), h[11], tvb_get_ptr(tvb, hdr, n), n);
    } else if (encap == WTAP_ENCAP_USBPCAP) {
        if (len < 27)
            return 0;
        const guint8 *h = tvb_get_ptr(tvb, 0, 27);
        guint hdr = le16(h);
        /* from the device (info bit 0), control (2), endpoint 0 IN, with data */
        if (hdr < 27 || hdr >= len || !(h[16] & 1) || h[22] != 2 || h[21] != 0x80)
            return 0;
        guint n = len - hdr;
        usb_descriptors(le16(h + 17), le16(h + 19), tvb_get_ptr(tvb, hdr, n), n);
    }
    return 0;
}

/* ---- bulk transfers ------------------------------------------------------------- */

/* A bulk transfer as the plugin sees it: bus, device, endpoint and direction from
 * packet_info (the USB dissector sets them alike in every version). */
typedef struct {
    guint16 bus;
    guint16 device;
    guint8 ep;    /* endpoint address: number, 0x80 for IN */
    int dir;      /* P2P_DIR_SENT: host to device */
    guint8 iface; /* from the descriptors, QFTP_NO_IFACE */
    qftp_usb_dev *dev;
} qftp_usb_xfer;

static gboolean usb_xfer(packet_info *pinfo, qftp_usb_xfer *x)
{
    const address *a = pinfo->p2p_dir == P2P_DIR_SENT ? &pinfo->dst : &pinfo->src;
    if (a->len != (int)sizeof(usb_address_t) || !a->data)
        return FALSE;
    const usb_address_t *u = (const usb_address_t *)a->data;
    x->bus = GUINT16_FROM_LE(u->bus_id);
    x->device = (guint16)GUINT32_FROM_LE(u->device);
    x->dir = pinfo->p2p_dir == P2P_DIR_SENT ? P2P_DIR_SENT : P2P_DIR_RECV;
    x->ep = (guint8)((GUINT32_FROM_LE(u->endpoint) & 0x7f) | (x->dir == P2P_DIR_RECV ? 0x80 : 0));
    x->dev = usb_dev(x->bus, x->device, FALSE);
    x->iface = x->dev && x->dev->configured ? x->dev->ep_iface[x->ep] : QFTP_NO_IFACE;
    return TRUE;
}

/* One session per port (the interface of the endpoint) when the descriptors are
 * known, one per device otherwise. */
static guint64 usb_key(const qftp_usb_xfer *x)
{
    return (G_GUINT64_CONSTANT(2) << 56) | ((guint64)x->bus << 32) | ((guint64)x->device << 16) |
           x->iface;
}

static const qftp_usb_product *usb_product(const qftp_usb_dev *d)
{
    if (!d || d->vendor != QFTP_USB_VENDOR_QUECTEL)
        return NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(qftp_usb_products); i++)
        if (qftp_usb_products[i].product == d->product)
            return &qftp_usb_products[i];
    return NULL;
}

/* AT traffic, not DIAG (HDLC, 0x7e-terminated binary), NMEA ('$') or QMI. */
static gboolean looks_like_at(tvbuff_t *tvb)
{
    guint len = tvb_captured_length(tvb);
    if (len < 2)
        return FALSE;
    if (qftpd_looks_like_host(tvb))
        return TRUE;
    guint8 a = tvb_get_uint8(tvb, 0), b = tvb_get_uint8(tvb, 1);
    if (a == '\r' && b == '\n')
        return len == 2 || g_ascii_isprint(tvb_get_uint8(tvb, 2)) || tvb_get_uint8(tvb, 2) == '\r';
    if (a == '+' && g_ascii_isupper(b))
        return TRUE;
    return FALSE;
}

/* Whether a transfer belongs to an AT session (first pass only; later passes go by the
 * frame's record). */
static gboolean usb_carries_at(qftp_usb_xfer *x, tvbuff_t *tvb)
{
    guint64 key = usb_key(x);
    qftp_conv *c = qftpd_conv_lookup(key);
    if (x->iface != QFTP_NO_IFACE) {
        const qftp_usb_product *p = usb_product(x->dev);
        if (p) /* the product's table says which ports are AT */
            return x->iface < 32 && (p->at_ifaces & (1u << x->iface));
        if (x->iface < 32 && (x->dev->claimed & (1u << x->iface)))
            return TRUE;
        /* another device: a vendor-specific port whose traffic is AT */
        if (x->iface >= 32 || x->dev->iface_class[x->iface] != 0xff || !looks_like_at(tvb))
            return FALSE;
        x->dev->claimed |= 1u << x->iface;
        return TRUE;
    }
    /* No descriptors: every endpoint of the device shares one session key; an endpoint
     * is taken only once it has carried AT traffic. */
    guint64 bit = G_GUINT64_CONSTANT(1) << (x->ep & 0x3f);
    if (c && (c->usb_eps & bit))
        return TRUE;
    if (!looks_like_at(tvb))
        return FALSE;
    if (!c)
        c = qftpd_conv_get(key);
    c->usb_eps |= bit;
    return TRUE;
}

static int dissect_qftp_usb(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    qftp_usb_xfer x;
    if (!usb_xfer(pinfo, &x))
        return 0;
    if (!qftpd_rec_of(pinfo)) {
        if (PINFO_FD_VISITED(pinfo) || !usb_carries_at(&x, tvb))
            return 0;
    }
    return qftpd_dissect_common(tvb, pinfo, tree, usb_key(&x), x.dir);
}

static qftp_heur_bool dissect_qftp_usb_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                            void *data)
{
    qftp_usb_xfer x;
    if (!usb_xfer(pinfo, &x))
        return FALSE;
    if (!qftpd_rec_of(pinfo)) {
        if (PINFO_FD_VISITED(pinfo))
            return FALSE;
        /* a device whose descriptors name another vendor is not a Quectel module */
        if (x.dev && x.dev->vendor && x.dev->vendor != QFTP_USB_VENDOR_QUECTEL &&
            !qftpd_conv_lookup(usb_key(&x)))
            return FALSE;
    }
    return dissect_qftp_usb(tvb, pinfo, tree, data) > 0;
}

/* Wireshark moves the last heuristic that matched to the front of its list, so once
 * the built-in at_usb_bulk matched a frame it would see every later frame first. Its
 * entry keeps pointing at its own function; this guard in front of it declines the
 * frames of a session qftp already decodes, so they reach dissect_qftp_usb_heur. */
static heur_dissector_t at_usb_bulk_orig;

static qftp_heur_bool at_usb_bulk_guard(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                        void *data)
{
    qftp_usb_xfer x;
    if (usb_xfer(pinfo, &x) && proto_is_protocol_enabled(find_protocol_by_id(proto_qftp))) {
        if (qftpd_rec_of(pinfo))
            return FALSE;
        if (qftpd_conv_lookup(usb_key(&x)))
            return FALSE;
        if (x.dev && x.dev->vendor == QFTP_USB_VENDOR_QUECTEL && looks_like_at(tvb))
            return FALSE;
    }
    return at_usb_bulk_orig ? at_usb_bulk_orig(tvb, pinfo, tree, data) : FALSE;
}

void qftpd_usb_init(void)
{
    qftp_usb_devs = NULL; /* the file-scope map went with the previous file */
}

void qftpd_usb_register(void)
{
    qftp_usb_handle = register_dissector("qftp.usb", dissect_qftp_usb, proto_qftp);
    qftp_usb_desc_handle = create_dissector_handle(dissect_usb_descriptors, proto_qftp);
}

void qftpd_usb_handoff(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qftp_usb_products); i++)
        dissector_add_uint("usb.product",
                           ((guint32)QFTP_USB_VENDOR_QUECTEL << 16) | qftp_usb_products[i].product,
                           qftp_usb_handle);
    dissector_add_for_decode_as("usb.device", qftp_usb_handle);
    dissector_add_for_decode_as("usb.product", qftp_usb_handle);
    dissector_add_for_decode_as("usb.protocol", qftp_usb_handle);
    heur_dissector_add("usb.bulk", dissect_qftp_usb_heur, "Quectel FTP AT over USB bulk",
                       "qftp_usb_bulk", proto_qftp, HEURISTIC_ENABLE);
    heur_dtbl_entry_t *at = find_heur_dissector_by_unique_short_name("at_usb_bulk");
    if (at && at->dissector != at_usb_bulk_guard) {
        at_usb_bulk_orig = at->dissector;
        at->dissector = at_usb_bulk_guard;
    }
    register_postdissector(qftp_usb_desc_handle);
}
