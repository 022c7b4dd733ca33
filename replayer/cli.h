/* cli.h - the command lines of `qftp replay` and `qftp record`: their options as given
 * and as checked (tests/unit/test_options.c), and their registrations. */
#ifndef QFTP_REPLAYER_CLI_H
#define QFTP_REPLAYER_CLI_H

#include "device.h"
#include "qftptool/cmd.h"
#include "qftptool/input.h"
#include "replay.h"

/* --baud and --flow (cli.c), as given and as checked */
typedef struct {
    char *baud, *flow;
    long baud_v; /* 0: keep the port's */
    rp_flow flow_v;
} rp_serial_args;

void rp_serial_options(tool_cmdline *cl, rp_serial_args *a);
/* 0, or 2 after tool_usage(). */
int rp_serial_check(tool_cmdline *cl, rp_serial_args *a);

typedef struct {
    /* as given */
    char *device, *scale, *steps, *record, *junit, *json;
    char **rules, **defines, **secrets;
    gboolean ignore_echo, stop_on_fail, dry_run, update, tap, lava, verbose;
    rp_serial_args serial;
    input_args in; /* --format, --regex: goldens that are text logs */
    /* checked */
    input_opts io;
    double scale_v;
    GArray *steps_v;   /* of guint ranges (rp_steps_parse), NULL = every step */
    rp_rules *rules_v; /* built-in masks, the --secret and -D variables; files are read by run */
    char **captures;   /* the positional arguments */
    int n_captures;
} rp_cmdline;

typedef struct {
    /* as given */
    char *device, *pty, *listen, *write, *linger;
    gboolean interactive, quiet;
    rp_serial_args serial;
    /* checked */
    int linger_ms;
    /* set by a caller, not an option: `qftp extcap` streams the capture to Wireshark's
     * fifo, whose reader going away (EPIPE) ends the session quietly with status 0 */
    bool pipe_end_stops;
} rec_cmdline;

extern const tool_command qftp_cmd_replay;
extern const tool_command qftp_cmd_record;

#endif
