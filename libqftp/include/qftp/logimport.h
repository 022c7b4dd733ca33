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
 *  timestamped  a time before each line ("[2026-11-30 10:00:01.123] ", "10:41:02.117 -> ",
 *               "[2026-11-30_09:12:40:118]", "1764500101,"), maybe a direction marker
 *               (">>" / "<<", "TX:" / "RX:", "Send" / "Recv"); without one, read like plain.
 *  docklight    Docklight's log: "30.11.2026 11:02:15.311 [TX] - AT...<CR>".
 *  sscom        SSCOM's "[15:20:01.102]发→◇..." / "收←◆..." blocks.
 *  putty        a PuTTY session log: its header, then what the terminal received.
 *  firmware     a device's own debug log: AT traffic in lines with a per-line prefix
 *               ("[DEBUG] modem: >> AT...\r\n", "D (5210) modem: << ...", Zephyr's
 *               "<dbg> modem_chat: ... sending: AT..."); its other lines are skipped.
 *  regex        any layout, through a Perl-compatible regex with the named group `data`
 *               and optionally `time` and `dir` (without `dir`, read like plain); lines
 *               that do not match are skipped and counted.
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
#include "redact.h" /* the secrets opts.redact hides */

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
    X(DOCKLIGHT, docklight)                                                                        \
    X(SSCOM, sscom)                                                                                \
    X(PUTTY, putty)                                                                                \
    X(CSV, csv)                                                                                    \
    X(JSONL, jsonl)                                                                                \
    X(LOGFMT, logfmt)                                                                              \
    X(FIRMWARE, firmware)                                                                          \
    X(HEXDUMP, hexdump)                                                                            \
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
    qftp_log_format format;
    unsigned line_no; /* 0: the layout took every line of the head */
    char text[72];    /* that line (cut) */
} qftp_import_tried;

/* What the importer found out about a log, for the first line of `qftp show` and for the
 * message when nothing in it is AT traffic. */
typedef struct {
    qftp_log_format format;  /* the layout read */
    bool detected;           /* chosen by auto-detection (else named by the caller) */
    unsigned head_lines;     /* non-blank lines of the head that detection looked at */
    unsigned taken;          /* of them, the lines the chosen layout took */
    char why[240];           /* the layout in words, with an example of its lines */
    uint64_t lines;          /* lines read */
    uint64_t skipped;        /* lines that are not AT traffic, skipped (firmware, --regex) */
    uint64_t first_skipped;  /* the first of them (line number), 0 if none */
    uint64_t repaired;       /* lines whose paste artifacts were undone: no-break spaces, a
                                "^M" for the CR at the end */
    uint64_t first_repaired; /* the first of them (line number), 0 if none */
    uint64_t records;        /* records handed on */
    uint64_t traffic;        /* 1 once a record held a line of AT traffic (a command, a
                                result code, a "+NAME:" line, CONNECT, RDY; counting stops
                                there): when it stays 0 the log is no AT session
                                (qftp_import_no_traffic) */
    /* Every layout detection tried, and the first line of the head it could not take
     * (line 0: it took every line, or it is not auto-detected). */
    qftp_import_tried tried[16];
    size_t n_tried;
} qftp_import_info;

/* The message for a log in which nothing is AT traffic (info->traffic == 0): the layouts
 * tried and the first line of the head each could not read, in `out` (one line per layout
 * after the first). */
void qftp_import_no_traffic(const qftp_import_info *info, char *out, size_t cap);

/* Detection with its reasons: the layout qftp_log_detect chooses, and info filled as
 * above (lines, skipped and records stay 0). */
qftp_log_format qftp_log_detect_info(const uint8_t *head, size_t n, qftp_import_info *info);

typedef struct {
    qftp_log_format format; /* AUTO: detect */
    const char *regex;      /* for QFTP_FMT_REGEX (format AUTO + regex means REGEX) */
    bool redact;            /* secrets (qftp/redact.h) -> "****", however the log's records
                               cut the lines; data-mode payload is left as it is */
    qftp_progress_cb progress;
    void *progress_user;
    qftp_import_info *info; /* may be NULL: filled while reading (detection before the
                               first record, the counts as they grow) */
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
