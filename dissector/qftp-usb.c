/* qftp-usb.c - the qftp plugin on USB bulk transfers (usbmon, USBPcap).
 *
 * Each AT port of a module is one serial session: commands go out on the port's bulk
 * OUT endpoint, replies come back on its bulk IN endpoint. Ports of known products
 * (qftp-usb-ids.h) are taken by the product table, others by a heuristic that claims
 * an endpoint once it carried AT traffic; the DIAG, NMEA and QMI ports of the same
 * device stay with their own dissectors.
 *
 * Copyright 2024 the qftp authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qftp-plugin.h"

#include "qftp-usb-ids.h"

static dissector_handle_t qftp_usb_handle;

/* A bulk transfer as the plugin sees it. Bus, device, endpoint and direction come
 * from packet_info (the USB dissector sets them the same way in every version); the
 * conversation holds the descriptors Wireshark saw (NULL when none). */
typedef struct {
    guint16 bus;
    guint16 device;
    guint8 endpoint; /* number, without the direction bit */
    int dir;         /* P2P_DIR_SENT: host to device */
    const usb_conv_info_t *conv;
} qftp_usb_xfer;

static gboolean usb_xfer(packet_info *pinfo, void *data, qftp_usb_xfer *x)
{
    const address *dev = pinfo->p2p_dir == P2P_DIR_SENT ? &pinfo->dst : &pinfo->src;
    if (!data || dev->len != (int)sizeof(usb_address_t) || !dev->data)
        return FALSE;
    const usb_address_t *a = (const usb_address_t *)dev->data;
    x->bus = GUINT16_FROM_LE(a->bus_id);
    x->device = (guint16)GUINT32_FROM_LE(a->device);
    x->endpoint = (guint8)(GUINT32_FROM_LE(a->endpoint) & 0x7f);
    x->dir = pinfo->p2p_dir == P2P_DIR_SENT ? P2P_DIR_SENT : P2P_DIR_RECV;
    x->conv = qftp_usb_conv(data);
    return TRUE;
}

static gboolean has_iface(const qftp_usb_xfer *x)
{
    return x->conv && x->conv->interfaceClass != IF_CLASS_UNKNOWN;
}

static guint64 usb_key(const qftp_usb_xfer *x)
{
    return (G_GUINT64_CONSTANT(2) << 56) | ((guint64)x->bus << 32) | ((guint64)x->device << 16) |
           (has_iface(x) ? x->conv->interfaceNum : 0xff);
}

static const qftp_usb_product *usb_product(const qftp_usb_xfer *x)
{
    if (!x->conv || x->conv->deviceVendor != QFTP_USB_VENDOR_QUECTEL)
        return NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(qftp_usb_products); i++)
        if (qftp_usb_products[i].product == (x->conv->deviceProduct & 0xffff))
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

/* Without the device's descriptors every endpoint of a device shares one session key:
 * an endpoint is taken only once it has carried AT traffic, so the DIAG, NMEA and QMI
 * endpoints of the same device stay with their own dissectors. First pass only. */
static gboolean usb_endpoint_carries_at(const qftp_usb_xfer *x, guint64 key, tvbuff_t *tvb)
{
    qftp_conv *c = qftpd_conv_lookup(key);
    guint64 bit = G_GUINT64_CONSTANT(1) << (x->endpoint & 0x3f);
    if (has_iface(x))
        return c != NULL || looks_like_at(tvb);
    if (c && (c->usb_eps & bit))
        return TRUE;
    if (!looks_like_at(tvb))
        return FALSE;
    if (!c)
        c = qftpd_conv_get(key);
    c->usb_eps |= bit;
    return TRUE;
}

static int dissect_qftp_usb(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    qftp_usb_xfer x;
    if (!usb_xfer(pinfo, data, &x))
        return 0;
    if (!p_get_proto_data(wmem_file_scope(), pinfo, proto_qftp, 0)) {
        if (PINFO_FD_VISITED(pinfo))
            return 0;
        const qftp_usb_product *p = usb_product(&x);
        if (p && has_iface(&x)) {
            if (x.conv->interfaceNum >= 32 || !(p->at_ifaces & (1u << x.conv->interfaceNum)))
                return 0; /* DIAG, NMEA, QMI of the same device */
        } else if (!usb_endpoint_carries_at(&x, usb_key(&x), tvb)) {
            return 0;
        }
    }
    return qftpd_dissect_common(tvb, pinfo, tree, usb_key(&x), x.dir);
}

static qftp_heur_bool dissect_qftp_usb_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                            void *data)
{
    qftp_usb_xfer x;
    if (!usb_xfer(pinfo, data, &x))
        return FALSE;
    if (p_get_proto_data(wmem_file_scope(), pinfo, proto_qftp, 0))
        return dissect_qftp_usb(tvb, pinfo, tree, data) > 0;
    if (PINFO_FD_VISITED(pinfo))
        return FALSE;
    const qftp_usb_product *p = usb_product(&x);
    if (x.conv && x.conv->deviceVendor != QFTP_USB_VENDOR_QUECTEL && x.conv->deviceVendor != 0)
        return FALSE;
    if (p && has_iface(&x) && x.conv->interfaceNum < 32 &&
        !(p->at_ifaces & (1u << x.conv->interfaceNum)))
        return FALSE;
    guint64 key = usb_key(&x);
    if (!usb_endpoint_carries_at(&x, key, tvb))
        return FALSE;
    return qftpd_dissect_common(tvb, pinfo, tree, key, x.dir) > 0;
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
    if (usb_xfer(pinfo, data, &x) && proto_is_protocol_enabled(find_protocol_by_id(proto_qftp))) {
        if (p_get_proto_data(wmem_file_scope(), pinfo, proto_qftp, 0))
            return FALSE;
        if (qftpd_conv_lookup(usb_key(&x)))
            return FALSE;
        if (x.conv && x.conv->deviceVendor == QFTP_USB_VENDOR_QUECTEL && looks_like_at(tvb))
            return FALSE;
    }
    return at_usb_bulk_orig ? at_usb_bulk_orig(tvb, pinfo, tree, data) : FALSE;
}

void qftpd_usb_register(void)
{
    qftp_usb_handle = register_dissector("qftp.usb", dissect_qftp_usb, proto_qftp);
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
}
