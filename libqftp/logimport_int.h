/* logimport_int.h - the insides of the log importer (qftp/logimport.h), shared by its
 * files; not installed, not for front ends.
 *
 * A layout is a module of its own (libqftp/layout/NAME.c) behind a small table of
 * operations, the way libpcap reads each capture format (sf-pcap.c, sf-pcapng.c):
 * qftp_log_import reads the log line by line through one reader with a fixed cap and
 * hands every line to the chosen layout's `line` operation, which turns it into records
 * through the emitter. Adding a layout is adding its file, which defines
 * `const log_layout log_layout_NAME`, and one row to QFTP_LOG_FORMATS in
 * qftp/logimport.h (the row's place there is its place in auto-detection).
 */
#ifndef QFTP_LOGIMPORT_INT_H
#define QFTP_LOGIMPORT_INT_H

#include <stdio.h>

#include "qftp/logimport.h"

#define LOG_ERR(c, ...) snprintf((c)->errbuf, QFTP_ERRBUF_SIZE, __VA_ARGS__)
#define LN(x) ((unsigned long long)(x))

#define LOG_RBUF (64u * 1024u)
#define LOG_REC_CAP (1u << 20) /* a longer record is handed on in pieces of this size */

/* ---- line reader (logread.c) ------------------------------------------------------------- */

typedef struct {
    FILE *in;
    uint8_t *buf; /* read buffer, LOG_RBUF bytes */
    size_t pos, end;
    bool eof;
    uint8_t *line; /* a line that crosses a read: copied here, grown up to the cap */
    size_t cap;
    bool had_lf; /* the current line ended with LF (false only for the last line) */
    uint64_t line_no;
    uint64_t consumed, next_progress;
    const qftp_import_opts *o;
} log_reader;

/* Counts n more bytes consumed and calls the progress callback now and then. */
void log_progress(log_reader *r, size_t n);
/* The next line without its LF (a CR before it is kept). Returns 1, 0 at the end, -1
 * (errbuf) for a read error or a line over QFTP_IMPORT_LINE_CAP; the over-long line is
 * not read further than the cap. *out points into the reader's buffers until the next
 * call. */
int log_next_line(log_reader *r, uint8_t **out, size_t *len, char *errbuf);

/* ---- times (logread.c) ------------------------------------------------------------------- */

typedef struct {
    qftp_ts ts;
    bool have;  /* the log gave a time */
    bool dated; /* with a date (or seconds since an origin): no midnight wrap */
} log_stamp;

#define LOG_NO_STAMP ((log_stamp){0, false, false})

/* Up to max decimal digits at s[i]: their count, the value in *v. */
size_t log_digits(const uint8_t *s, size_t n, size_t i, size_t max, int64_t *v);
/* Parses a time at s: "YYYY-MM-DD HH:MM:SS[.f]" ('/' for '-', 'T' for ' ', a 'Z' after),
 * "HH:MM:SS[.f]" (a time of day: day 1970-01-01), or seconds "123.456". '.' or ',' before
 * the fraction. Times are UTC. Returns the bytes used, 0 if there is no time at s. */
size_t log_parse_time(const uint8_t *s, size_t n, log_stamp *out);

/* ---- records (logread.c) ----------------------------------------------------------------- */

typedef struct {
    qftp_record_cb cb;
    void *user;
    const qftp_import_opts *o;
    uint8_t *p; /* the record being built */
    size_t len, cap;
    bool oom;
    qftp_ts last;
    bool have_last;
    qftp_ts day_off; /* days added to times of day after midnight */
    bool data;       /* the record is data-mode bytes: not redacted */
} log_emitter;

/* Appends bytes to the record being built (an allocation failure is reported by
 * log_emit). */
void log_add(log_emitter *e, const void *p, size_t n);
static inline void log_add1(log_emitter *e, uint8_t b)
{
    if (e->len < e->cap)
        e->p[e->len++] = b;
    else
        log_add(e, &b, 1);
}
/* Hands the built record on (nothing if it is empty) and starts a new one. Times are
 * made monotonic: a time of day that falls back by more than 12 h passed midnight (a day
 * is added from there on); a smaller step back is held at the previous time. A missing
 * time is the previous + 1 ms (0 at the start). Returns the callback's result, or -1
 * (errbuf) when memory ran out. */
int log_emit(log_emitter *e, qftp_dir dir, log_stamp st, uint64_t line, char *errbuf);

/* ---- what a layout works with ------------------------------------------------------------- */

typedef struct {
    log_reader r;
    log_emitter e;
    const qftp_import_opts *o;
    char *errbuf;
} log_ctx;

/* One text line as a record: spelled bytes (\r \n \xHH <CR> <LF> in it) are exactly those
 * bytes; otherwise "<line>\r" (host) / "\r\n<line>\r\n" (module). */
int log_line_record(log_ctx *c, qftp_dir dir, const uint8_t *s, size_t n, log_stamp st,
                    uint64_t line);
/* Only spaces, tabs and CRs. */
bool log_blank(const uint8_t *s, size_t n);
/* NUL bytes, or a line dominated by control bytes or by bytes that are not UTF-8: not
 * text. Latin-1 text and a lone Ctrl-Z pass. */
bool log_binary_line(const uint8_t *s, size_t n);
size_t log_skip_ws(const uint8_t *s, size_t n, size_t i);

/* ---- the table of operations ------------------------------------------------------------- */

typedef struct {
    qftp_log_format id;
    const char *name; /* --format NAME */
    /* Auto-detection: whether one non-blank line of the log's head (without its line end)
     * looks like this layout; NULL: the layout is only chosen by name. A line counts for
     * the first layout of QFTP_LOG_FORMATS whose probe takes it; the first layout whose
     * count reaches its share of the head's lines is chosen (share 0: one line is
     * enough, 2: half of them), plain when none does. */
    bool (*probe)(const uint8_t *s, size_t n);
    unsigned share;
    /* Private state: state_size zeroed bytes handed to every operation. */
    size_t state_size;
    /* Before the first line (may be NULL). Returns 0, or -1 with errbuf filled. */
    int (*open)(log_ctx *c, void *st);
    /* One line without its LF (a CR before it is kept); c->r.line_no is its number and
     * c->r.had_lf whether it had an LF. Returns 0 to go on; -1 (errbuf) or the record
     * callback's non-zero value to stop. */
    int (*line)(log_ctx *c, void *st, uint8_t *s, size_t n);
    /* At the end of the log, when every line was taken (may be NULL): hands on what is
     * held. Same results as line. */
    int (*finish)(log_ctx *c, void *st);
    /* Always last, also when open failed (may be NULL). */
    void (*cleanup)(void *st);
} log_layout;

#define X(ID, name) extern const log_layout log_layout_##name;
QFTP_LOG_FORMATS(X)
#undef X

#endif
