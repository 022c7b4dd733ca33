/* qftp/logimport.h - turning text logs of serial AT sessions into records
 * (direction, time, bytes) ready to be written as a capture or fed to a session.
 *
 * Formats (docs/import.md has an example of each):
 *  plain        a terminal transcript without direction markers: lines starting with
 *               AT (any case) are host->module, the rest module->host; the bytes after
 *               CONNECT belong to the side the command implies (upload: host).
 *  socat        `socat -v` (text) or `socat -x` (hex) output: "> 2024/05/01 10:00:01.123456
 *               length=12 from=0 to=11" headers followed by the bytes.
 *  interceptty  interceptty's per-byte lines ("> 0x41 (A)" / "< 0x4f (O)").
 *  timestamped  one record per line with a time and a direction marker:
 *               "[2024-05-01 10:00:01.123] >> AT..." / "<<", "TX:" / "RX:", "Send" / "Recv".
 *  regex        any layout, through a Perl-compatible regex with the named groups
 *               `time`, `dir` and `data` (`time` optional).
 *
 * Reading is streaming: a line is read, turned into records and forgotten, so memory
 * does not grow with the input. Lines longer than QFTP_IMPORT_LINE_CAP are an error
 * that names the line. Times missing from the log are synthesised in order
 * (rec.ts_synth = true): 1 ms after the previous record, starting at 0 when the log
 * has no time at all.
 */
#ifndef QFTP_LOGIMPORT_H
#define QFTP_LOGIMPORT_H

#include <stdio.h>

#include "common.h"
#include "redact.h" /* qftp_redact_line, which opts.redact applies */

#ifdef __cplusplus
extern "C" {
#endif

#define QFTP_IMPORT_LINE_CAP (16u * 1024u * 1024u)

/* The layouts, one row each: X(ID, name) gives QFTP_FMT_ID and the --format name, and
 * names the layout's table of operations (libqftp/layout/name.c). The order is the
 * order of auto-detection; a new layout goes at the end unless its lines are more
 * specific than those of a layout before it. */
#define QFTP_LOG_FORMATS(X)                                                                        \
    X(PLAIN, plain)                                                                                \
    X(SOCAT, socat)                                                                                \
    X(INTERCEPTTY, interceptty)                                                                    \
    X(TIMESTAMPED, timestamped)                                                                    \
    X(REGEX, regex)

typedef enum {
    QFTP_FMT_AUTO = 0,
#define X(ID, name) QFTP_FMT_##ID,
    QFTP_LOG_FORMATS(X)
#undef X
} qftp_log_format;

const char *qftp_log_format_name(qftp_log_format f);
int qftp_log_format_from_name(const char *name); /* -1 if unknown */

/* Guesses the format from the first bytes of a log (a few KiB). Never returns AUTO or
 * REGEX; PLAIN when nothing more specific matches. */
qftp_log_format qftp_log_detect(const uint8_t *head, size_t n);

typedef struct {
    qftp_dir dir;
    qftp_ts ts;
    bool ts_synth;
    const uint8_t *data; /* valid during the callback only */
    size_t len;
    uint64_t line_no; /* 1-based line of the log where the record starts */
} qftp_record;

/* Return 0 to go on, non-zero to stop (qftp_log_import then returns that value). */
typedef int (*qftp_record_cb)(void *user, const qftp_record *rec);
/* Called now and then with bytes consumed so far. */
typedef void (*qftp_progress_cb)(void *user, uint64_t bytes_read);

typedef struct {
    qftp_log_format format; /* AUTO: detect */
    const char *regex;      /* for QFTP_FMT_REGEX (format AUTO + regex means REGEX) */
    bool redact;            /* passwords -> '*' of the same length (qftp_redact_line) */
    qftp_progress_cb progress;
    void *progress_user;
} qftp_import_opts;

void qftp_import_opts_init(qftp_import_opts *o);

/* Reads the whole log from `in`. Returns 0 on success; a negative value with errbuf
 * naming the line ("line 12: ...") when the input cannot be read as the format; or
 * the callback's non-zero value. *format_used (may be NULL) gets the format read. */
int qftp_log_import(FILE *in, const qftp_import_opts *opts, qftp_record_cb cb, void *user,
                    qftp_log_format *format_used, char *errbuf);

#ifdef __cplusplus
}
#endif
#endif
