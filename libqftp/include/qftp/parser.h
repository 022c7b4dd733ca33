/* qftp/parser.h - push parser for one direction of an AT command stream.
 *
 * One parser per direction. Feed it the bytes of the stream in chunks of any
 * size (one byte at a time or a whole file) with the time the chunk was read;
 * it calls back with events. It allocates only in qftp_parser_new(): the line
 * buffer and the data-mode hold buffer have fixed caps.
 *
 * Spans (ev->data, ev->len) point either into the caller's chunk or into the
 * parser's own buffers and are valid only during the callback.
 *
 * From inside a callback the caller may change the mode of this or another
 * parser (qftp_parser_enter_data / qftp_parser_exit_data); the change applies
 * to the very next byte of the chunk being fed. Feeding a parser from inside
 * its own callback is not allowed.
 */
#ifndef QFTP_PARSER_H
#define QFTP_PARSER_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    QFTP_EV_COMMAND,  /* TX: a command line "AT..." or "A/" (span without terminator) */
    QFTP_EV_ECHO,     /* RX: a line starting with AT: the module's echo of a command */
    QFTP_EV_FINAL,    /* RX: final result code; ev->final, ev->value (+CME code or -1) */
    QFTP_EV_CONNECT,  /* RX: CONNECT or CONNECT <n>; ev->value = n or -1 */
    QFTP_EV_LINE,     /* RX: information response, URC, other text; TX: non-AT text line */
    QFTP_EV_PROMPT,   /* RX: the "> " prompt (no line end follows it) */
    QFTP_EV_DATA,     /* data-mode payload (span); ev->value = data bytes so far incl. span */
    QFTP_EV_DATA_END, /* data mode ended; ev->reason; ev->value = payload bytes in total */
    QFTP_EV_ESCAPE,   /* "+++" seen; ev->flags has QFTP_EVF_GUARD_* for the guard times */
    QFTP_EV_OVERFLOW, /* a line longer than the cap; ev->value = its full length; the span
                         holds its first `line_cap` bytes. Parsing resumes after its end. */
} qftp_event_kind;

const char *qftp_event_kind_name(qftp_event_kind k);

typedef enum {
    QFTP_FINAL_NONE = 0,
    QFTP_FINAL_OK,
    QFTP_FINAL_ERROR,
    QFTP_FINAL_CME_ERROR, /* "+CME ERROR: <n>" (value = n) or "+CME ERROR: <text>" (value -1) */
    QFTP_FINAL_CMS_ERROR,
    QFTP_FINAL_NO_CARRIER,
    QFTP_FINAL_BUSY,
    QFTP_FINAL_NO_ANSWER,
    QFTP_FINAL_NO_DIALTONE,
} qftp_final_kind;

/* "OK", "ERROR", "+CME ERROR", "+CMS ERROR", "NO CARRIER", "BUSY", ... ; NULL for NONE */
const char *qftp_final_name(qftp_final_kind k);

typedef enum {
    QFTP_DATA_END_LENGTH = 1,     /* declared length reached */
    QFTP_DATA_END_URC = 2,        /* completion URC whose count equals the bytes received */
    QFTP_DATA_END_ESCAPE = 3,     /* "+++" escape (TX) */
    QFTP_DATA_END_INACTIVITY = 4, /* no byte for the inactivity timeout */
    QFTP_DATA_END_FORCED = 5,     /* qftp_parser_exit_data(): the other side ended it */
    QFTP_DATA_END_EOF = 6,        /* qftp_parser_finish() while in data mode */
} qftp_data_end_reason;

const char *qftp_data_end_reason_name(qftp_data_end_reason r);
/* The same in words for a reader: "the completion URC", "+++", "the end of the input" */
const char *qftp_data_end_reason_words(qftp_data_end_reason r);

/* ev->flags */
#define QFTP_EVF_REPEAT 0x01       /* COMMAND: "A/" (repeat last command) */
#define QFTP_EVF_PARTIAL 0x02      /* line cut by qftp_parser_finish(): no terminator seen */
#define QFTP_EVF_GUARD_BEFORE 0x04 /* ESCAPE: silence before "+++" >= guard time */
#define QFTP_EVF_GUARD_AFTER 0x08  /* ESCAPE: silence after "+++" >= guard time */
#define QFTP_EVF_GUARD_WITHIN 0x10 /* ESCAPE: the three '+' came within the guard time */
#define QFTP_EVF_HELD 0x20         /* DATA: bytes come from the parser's hold buffer */
#define QFTP_EVF_MISMATCH 0x40     /* DATA_END (urc): the URC count differs from the bytes */
#define QFTP_EVF_ELIDED                                                                            \
    0x80 /* DATA_END (urc): at a line that stands for bytes left out                               \
            of the log ("...", "[snip]": qftp_elision_line) */

typedef struct {
    qftp_event_kind kind;
    qftp_dir dir;
    qftp_ts ts;          /* time of the chunk holding the event's last byte */
    qftp_ts ts_first;    /* time of the chunk holding the event's first byte */
    const uint8_t *data; /* span; see the top of this file */
    size_t len;
    uint64_t offset;     /* stream offset (this direction) of the span's first byte; for lines
                            the first byte of the line, for DATA_END the end of the payload */
    uint64_t end_offset; /* stream offset just past its last byte (a line: past the first
                            byte of its terminator) */
    qftp_final_kind final;
    int64_t value;
    qftp_data_end_reason reason;
    unsigned flags;
} qftp_event;

typedef void (*qftp_event_cb)(void *user, const qftp_event *ev);

typedef struct {
    size_t line_cap;    /* longest line kept, bytes; default 65536 */
    qftp_ts guard_time; /* "+++" guard time; default 1 s (BG96 manual 1.2) */
} qftp_parser_opts;

void qftp_parser_opts_init(qftp_parser_opts *o);

typedef struct qftp_parser qftp_parser;

/* NULL opts = defaults. Returns NULL (errbuf filled) on a bad option or no memory. */
qftp_parser *qftp_parser_new(qftp_dir dir, const qftp_parser_opts *opts, qftp_event_cb cb,
                             void *user, char *errbuf);
void qftp_parser_free(qftp_parser *p);
/* Back to the state of a new parser (command mode, empty buffers, offset 0). */
void qftp_parser_reset(qftp_parser *p);

/* Feeds a chunk read at time ts. Timestamps must not decrease. */
void qftp_parser_feed(qftp_parser *p, const uint8_t *bytes, size_t len, qftp_ts ts);

/* Advances timers to `now` without bytes: confirms a pending "+++" escape when the
 * guard time after it has passed, ends data mode on inactivity. Call it when the
 * other direction delivers bytes, and at the end of input. */
void qftp_parser_tick(qftp_parser *p, qftp_ts now);

/* End of input: flushes a partial line (flag PARTIAL) and held bytes, ends data mode
 * with reason EOF. */
void qftp_parser_finish(qftp_parser *p, qftp_ts now);

/* How data mode ends. */
typedef struct {
    int64_t expect_len; /* bytes declared up front; -1 unknown. With end_on_length the
                           mode ends exactly there (AT+QFTPPUT uploadlen, CONNECT <n>) */
    bool end_on_length;
    bool end_on_urc;    /* RX: ends at "[\r\nOK\r\n][\r\n]+<urc_name>:[ ][0,]<n>\r\n" whose
                           <n> equals the bytes received, or an error form of that URC
                           (device-quirks.md "Data mode"); the trailer is then parsed as lines */
    char urc_name[24];  /* e.g. "+QFTPGET"; "+QFTP*": the URC of any command (a log of
                           the module's side only, where the command is not known) */
    bool end_on_escape; /* TX: "+++" surrounded by guard-time silence */
    qftp_ts inactivity; /* >0: end after this long without a byte (seen through tick) */
} qftp_data_mode;

void qftp_data_mode_init(qftp_data_mode *m); /* expect_len -1, nothing else set */

void qftp_parser_enter_data(qftp_parser *p, const qftp_data_mode *m);
/* Ends data mode now (e.g. the module answered OK to the upload). A held "+++" at the
 * end of the payload is reported as ESCAPE (with the guard flags it earned) and not
 * counted as data. No-op in command mode. */
void qftp_parser_exit_data(qftp_parser *p, qftp_ts now, qftp_data_end_reason reason);

/* The module is in command mode again (the host sent a command during a download).
 * If a completion URC in the module's full framing ("\r\nOK\r\n\r\n+NAME: ...") but
 * with a count different from the bytes received was seen (a log that lost the CRs of the file, a
 * module that counts differently), data mode ends at that URC after all (DATA_END, reason URC, flag
 * MISMATCH) and the bytes held since are parsed as lines. The same happens at
 * qftp_parser_finish(). At most line_cap bytes are held after such a URC; past that
 * they are payload and the URC was file content.
 *
 * A line of its own that stands for bytes left out of a log people trimmed
 * ("\r\n...\r\n", qftp_elision_line) is such a point too, and the next completion URC
 * ends data mode at that line right away whatever its count (flags MISMATCH and ELIDED),
 * unless the count equals every byte received (the line was file content).
 * Returns true if data mode ended. */
bool qftp_parser_data_break(qftp_parser *p, qftp_ts now);

/* A line (without its line end) that stands for lines left out of a log: "...", "…",
 * "[...]", "[snip]", "<cut>", "-- snip --", "[truncated]", "(omitted)" and the like. */
bool qftp_elision_line(const uint8_t *s, size_t n);

bool qftp_parser_in_data(const qftp_parser *p);
/* TX: a "+++" (or its first '+') after a guard time of silence is held, waiting for the
 * guard time after it (qftp_parser_tick() confirms it) or for a byte that makes it data. */
bool qftp_parser_escape_pending(const qftp_parser *p);
uint64_t qftp_parser_offset(const qftp_parser *p);    /* bytes fed so far */
int64_t qftp_parser_data_count(const qftp_parser *p); /* payload bytes in current/last data mode */

#ifdef __cplusplus
}
#endif
#endif
