/* commands.h - the commands of the qftp tool and the options of those in cli/.
 *
 * Adding a command: define its `tool_command` (qftptool/cmd.h) beside its code and add
 * one line to qftp_commands[] in commands.c. Its help, `qftp help NAME`, man page
 * qftp-NAME(1), bash completion and exit-status table entry follow from that. */
#ifndef QFTP_CLI_COMMANDS_H
#define QFTP_CLI_COMMANDS_H

#include "qftp/session.h"
#include "qftp/verdict.h"
#include "qftptool/cmd.h"
#include "qftptool/input.h"

extern const tool_program qftp_program;

/* ---- qftp show -------------------------------------------------------------------------- */

typedef struct {
    /* as given */
    gboolean json, redact, failures;
    char *dialect, *rsptimeout, *colour;
    input_args in;
    /* checked */
    qftp_session_opts so;
    input_opts io;
    const char *input;
    gboolean colour_always, colour_never;
} show_opts;

extern const tool_command qftp_cmd_show;

/* ---- qftp report ------------------------------------------------------------------------ */

typedef struct {
    /* as given */
    gboolean no_redact;
    char *output, *format, *gap, *dialect, *rsptimeout, *colour;
    input_args in;
    /* checked */
    qftp_session_opts so;
    qftp_verdict_opts vo;
    input_opts io;
    const char *input;
    int fmt; /* rep_format (cli/report.h) */
    gboolean colour_always, colour_never;
} report_opts;

extern const tool_command qftp_cmd_report;

/* ---- qftp import ------------------------------------------------------------------------ */

typedef struct {
    gboolean redact;
    char *out;
    input_args in;
    input_opts io;
    const char *input;
} import_opts;

extern const tool_command qftp_cmd_import;

/* ---- the parts' commands (their headers hold their options) ------------------------------ */

extern const tool_command qftp_cmd_replay; /* replayer/ */
extern const tool_command qftp_cmd_record; /* replayer/ */
extern const tool_command qftp_cmd_sim;    /* simulator/ */
extern const tool_command qftp_cmd_extcap; /* extcap/ */

#endif
