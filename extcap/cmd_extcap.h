/* cmd_extcap.h - `qftp extcap`: qftp's capture interfaces for Wireshark (extcap). Its
 * options as given and as checked (tests/unit/test_options.c), and its registration. */
#ifndef QFTP_EXTCAP_CMD_EXTCAP_H
#define QFTP_EXTCAP_CMD_EXTCAP_H

#include "qftptool/cmd.h"

/* The parts' command lines (replayer/cli.h: rp_serial_args). */
#include "cli.h"

typedef struct xc_iface xc_iface;

typedef struct {
    /* the extcap protocol, as Wireshark passes it */
    gboolean list, dlts, config, capture, cleanup;
    char *ws_version, *iface, *fifo, *filter, *control_in, *control_out, *reload;
    /* the interfaces' options (--extcap-config lists them) */
    char *device, *host, *dialect, *fault, *revision;
    rp_serial_args serial;
    /* checked: the values given or the defaults (not owned) */
    const char *device_v, *host_v, *baud_v, *dialect_v; /* baud_v NULL: keep the port's */
    const xc_iface *ifc;                                /* --extcap-interface */
    int fifo_fd; /* our own end of Wireshark's fifo, held from check to done; -1 */
} xc_opts;

extern const tool_command qftp_cmd_extcap;

#endif
