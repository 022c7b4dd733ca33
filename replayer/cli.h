/* cli.h - the command lines of `qftp replay` and `qftp record`: their options as given
 * and as checked (tests/unit/test_options.c), and their registrations. */
#ifndef QFTP_REPLAYER_CLI_H
#define QFTP_REPLAYER_CLI_H

#include "device.h"
#include "qftptool/cmd.h"
#include "replay.h"

typedef struct {
    /* as given */
    char *device, *baud, *flow, *scale, *steps, *record, *junit, *json;
    char **rules, **defines, **secrets;
    gboolean ignore_echo, stop_on_fail, dry_run, update, tap, lava, verbose;
    /* checked */
    long baud_v;
    rp_flow flow_v;
    double scale_v;
    GArray *steps_v;   /* of guint ranges (rp_steps_parse), NULL = every step */
    rp_rules *rules_v; /* built-in masks, the --secret and -D variables; files are read by run */
    char **captures;   /* the positional arguments */
    int n_captures;
} rp_cmdline;

typedef struct {
    /* as given */
    char *device, *baud, *flow, *pty, *listen, *write, *linger;
    gboolean interactive, quiet;
    /* checked */
    long baud_v;
    rp_flow flow_v;
    int linger_ms;
} rec_cmdline;

extern const tool_command qftp_cmd_replay;
extern const tool_command qftp_cmd_record;

#endif
