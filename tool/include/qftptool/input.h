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
    bool redact;   /* logs: passwords redacted while reading */
    bool progress; /* progress on stderr (a terminal) for large inputs */
} input_opts;

/* Applies --format NAME or --regex RE (opt 'f' or 'e') to o. Returns 0, or -1 with a
 * message in errbuf for an unknown format name. */
int input_format_option(input_opts *o, int opt, const char *arg, char *errbuf, size_t cap);

/* Reads `path` ("-" = stdin), detecting capture vs log. Returns 0 when all was read,
 * -1 with errbuf when the input is unreadable; chunks delivered before an error stand.
 * *kind gets what the input was, *what a short description ("pcap, link type 252",
 * "log, timestamped"). */
int input_read(const char *path, const input_opts *o, input_cb cb, void *user, input_kind *kind,
               char *what, size_t what_cap, char *errbuf);

#endif
