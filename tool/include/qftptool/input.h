/* input.h - any input of the tool (a capture or a text log) as a stream of chunks. */
#ifndef QFTPTOOL_INPUT_H
#define QFTPTOOL_INPUT_H

#include "qftp/capture.h"
#include "qftp/logimport.h"

typedef struct {
    qftp_dir dir;
    bool dir_known;
    qftp_ts ts;
    bool ts_synth;
    const uint8_t *data;
    size_t len;
    uint64_t frame; /* frame number (capture) or record number (log) */
    uint64_t line;  /* log line, 0 for captures */
} input_chunk;

typedef int (*input_cb)(void *user, const input_chunk *c);

typedef enum { INPUT_CAPTURE, INPUT_LOG } input_kind;

typedef struct {
    qftp_log_format format; /* for logs; AUTO detects */
    const char *regex;
    bool redact;    /* logs: passwords redacted while reading */
    bool progress;  /* progress on stderr (a terminal) for large inputs */
    bool logs_only; /* a capture is refused before anything is read (qftp import) */
    /* logs: the layout read and why, lines skipped, whether anything was AT traffic;
     * filled while reading (detection before the first chunk). May be NULL. */
    qftp_import_info *info;
} input_opts;

/* --format and --regex: the options of every command that reads text logs, in one
 * option group ("input"). input_check() applies them to an input_opts. */
typedef struct {
    char *format, *regex;
    const char *name; /* the layout option's long name: "format" (set by input_options) */
} input_args;

struct tool_cmdline;
void input_options(struct tool_cmdline *cl, input_args *a);
/* The same with the layout option named otherwise, for a command whose own --format says
 * something else (qftp report: "input-format"); input_check's messages use the name. */
void input_options_named(struct tool_cmdline *cl, input_args *a, const char *name);
/* 0, or 2 after tool_usage() for an unknown format name. */
int input_check(struct tool_cmdline *cl, const input_args *a, input_opts *o);

/* An input opened and recognised: `path` ("-" = standard input, which cannot seek: its
 * first bytes are read ahead and replayed) is a capture or a log. */
typedef struct input_src input_src;

/* NULL with errbuf (QFTP_ERRBUF_SIZE) when the input cannot be opened, or when
 * o->logs_only and it is a capture (the message says so and names `qftp show`). */
input_src *input_open(const char *path, const input_opts *o, char *errbuf);
input_kind input_src_kind(const input_src *in);
/* Reads the input whole through cb (a non-zero return stops), then closes it. Returns
 * 0, or -1 with errbuf when it is unreadable; chunks delivered before an error stand.
 * *what gets a short description ("capture, link type 252", "log, timestamped: <why the
 * layout was chosen>"; qftp_import_info.why), filled before the first chunk is
 * delivered. */
int input_src_read(input_src *in, input_cb cb, void *user, char *what, size_t what_cap,
                   char *errbuf);
void input_src_close(input_src *in); /* without reading */

/* input_open() and input_src_read() in one; *kind gets what the input was. */
int input_read(const char *path, const input_opts *o, input_cb cb, void *user, input_kind *kind,
               char *what, size_t what_cap, char *errbuf);

/* true if the file at `path` (not "-") holds text rather than a capture: for the hint
 * "that is a log; turn it into a capture with qftp import" where a capture is needed. */
bool input_is_text(const char *path);

#endif
