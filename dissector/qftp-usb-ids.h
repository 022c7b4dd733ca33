/* qftp-usb-ids.h - Quectel USB products whose AT ports are known.
 *
 * The one place that lists them. Vendor 0x2c7c (Quectel Wireless Solutions). Each
 * product's interfaces, as its own descriptors list them (sources in
 * dissector/testlib/usbcap.py, which builds test captures from them): 0 DIAG
 * (HDLC-framed binary), 1 GNSS (NMEA sentences), 2 AT commands, 3 modem (AT commands
 * too: ttyUSB3 of Quectel's "UMTS<E Linux USB Driver User Guide"), 4 QMI/RMNET (raw
 * IP; reserved from the serial driver in Linux's option.c: RSVD(4)). Only 2 and 3 are
 * taken; which endpoints make them is read from the descriptors in the capture
 * (qftp-usb.c), never assumed from endpoint numbers.
 */
#ifndef QFTP_USB_IDS_H
#define QFTP_USB_IDS_H

#define QFTP_USB_VENDOR_QUECTEL 0x2c7c

/* Bit n set: interface n carries AT commands. */
#define QFTP_USB_AT_IFACES ((1u << 2) | (1u << 3))

typedef struct {
    unsigned product;
    const char *model;
    unsigned at_ifaces;
} qftp_usb_product;

static const qftp_usb_product qftp_usb_products[] = {
    {0x0121, "EC21", QFTP_USB_AT_IFACES}, {0x0125, "EC25 / EG25-G / EC20 R2.1", QFTP_USB_AT_IFACES},
    {0x0191, "EG91", QFTP_USB_AT_IFACES}, {0x0195, "EG95", QFTP_USB_AT_IFACES},
    {0x0296, "BG96", QFTP_USB_AT_IFACES},
};

#endif
