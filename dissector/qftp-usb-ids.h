/* qftp-usb-ids.h - Quectel USB products whose AT interface is known.
 *
 * The one place that lists them. Vendor 0x2c7c (Quectel Wireless Solutions).
 * Source: Linux drivers/usb/serial/option.c, the commits adding these products, which
 * give the interface layout "0: Diag, 1: GNSS (NMEA), 2: AT-command interface/modem,
 * 3: Modem, 4: QMI" (interface 4 is reserved from the serial driver: RSVD(4)), and
 * Quectel's "UMTS<E Linux USB Driver User Guide" (ttyUSB0 DM, ttyUSB1 GPS, ttyUSB2
 * AT, ttyUSB3 PPP/AT). Both 2 and 3 accept AT commands; 0 (DIAG, HDLC-framed binary),
 * 1 (NMEA sentences) and 4 (QMI, raw IP) are never claimed.
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
    {0x0121, "EC21", QFTP_USB_AT_IFACES}, {0x0125, "EC25 / EC20 R2.1", QFTP_USB_AT_IFACES},
    {0x0191, "EG91", QFTP_USB_AT_IFACES}, {0x0195, "EG95", QFTP_USB_AT_IFACES},
    {0x0296, "BG96", QFTP_USB_AT_IFACES},
};

#endif
