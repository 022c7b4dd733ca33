/* report.h - `qftp report`: what it collects while the session streams, and its writers.
 *
 * cmd_report.c reads the input through the session and the verdict (qftp/verdict.h): each
 * transaction becomes a block of lines (rep_block) written to the transcript as it comes
 * and kept when a failure needs it later; the timeline keeps a bar per transaction and a
 * mark per context line; the statistics keep counts and response times per command. At
 * the end a writer (report_text.c for text and Markdown, report_html.c for HTML with the
 * SVG timeline) puts the verdict first, then the failures with their context, the
 * timeline, the statistics and the transcript.
 */
#ifndef QFTP_CLI_REPORT_H
#define QFTP_CLI_REPORT_H

#include <glib.h>
#include <stdio.h>

#include "qftp/session.h"
#include "qftp/verdict.h"

typedef enum { REP_TEXT = 0, REP_MD, REP_HTML } rep_format;

/* The class of a transcript line: how a writer marks it. */
typedef enum {
    RL_CMD,     /* a command line */
    RL_OK,      /* OK, a successful result */
    RL_ERR,     /* an error result, a failed URC */
    RL_INFO,    /* an information response */
    RL_DATA,    /* CONNECT, data mode, +++ */
    RL_PAYLOAD, /* a line of a listing or small text download */
    RL_NOTE,    /* a note of the session */
    RL_WARN,    /* a warning or error note */
    RL_VERDICT, /* the verdict of a failed transaction */
    RL_CTX,     /* an unsolicited context line that says all is fine */
    RL_CTX_BAD, /* an unsolicited context line of concern or fatal */
    RL_UNSOL,   /* another unsolicited line */
    RL_GAP,     /* a time without traffic */
} rl_cls;

typedef struct {
    rl_cls cls;
    qftp_ts ts; /* QFTP_TS_NONE: no time column */
    char *text;
    char *aside; /* words beside the line, or NULL */
} rep_line;

typedef struct {
    unsigned index; /* the transaction; 0 for unsolicited lines and gaps */
    qftp_fail_kind kind;
    GPtrArray *lines; /* rep_line */
} rep_block;

typedef struct {
    unsigned index;
    unsigned cmd;           /* its command: index in report.cmd_order */
    qftp_ts t0, t1, t_fail; /* sent, outcome (t0 if none), failure or QFTP_TS_NONE */
    qftp_fail_kind kind;
    int64_t bytes;            /* data-mode payload, -1 if none */
    qftp_ts data_t0, data_t1; /* CONNECT and the end of data mode (equal if unknown) */
    qftp_dir dir;
    char *title; /* tooltip */
} rep_bar;

typedef struct {
    qftp_ts ts;
    qftp_context_level level;
    char *line;
    char *words;
} rep_mark;

typedef struct {
    char command[32];
    unsigned index; /* in report.cmd_order */
    size_t ok, failed, unfinished;
    size_t transfers; /* with a data mode */
    double span;      /* seconds its bars cover: what earns it a lane of the timeline */
    GArray *rt;       /* response times, seconds (double) */
    bool others;      /* the row the commands after the first REP_CMDS_MAX - 1 share */
} rep_cmd;

#define REP_VERDICT_MAX 10        /* failures named in the verdict; the rest are counted */
#define REP_BARS_MAX 20000        /* bars drawn; beyond, only failures */
#define REP_FAILED_BARS_MAX 20000 /* failed commands drawn; beyond, only counted */
#define REP_MARKS_MAX 500
#define REP_LANES_MAX 14
#define REP_CMDS_MAX 64     /* rows of the statistics: the commands after share the last */
#define REP_CODES_MAX 1024  /* failure codes counted each; the failures of others, together */
#define REP_CODES_LISTED 40 /* codes listed under "failures by code"; the rest, counted */

typedef struct {
    /* what was asked */
    rep_format fmt;
    bool colour;
    bool redact;
    const char *path; /* as shown */
    FILE *out;
    /* the input */
    char what[96];
    char read_error[QFTP_ERRBUF_SIZE]; /* "" if read whole */
    qftp_session *s;
    qftp_verdict *v;
    uint64_t chunks;
    uint64_t bytes[2];   /* serial bytes each way */
    uint64_t payload[2]; /* of them, data-mode payload (TX upload, RX download) */
    qftp_ts t_first, t_last;
    size_t n_txn;
    bool host_overflow; /* a host line longer than the parser's cap was skipped */
    /* the transcript, written as it comes */
    FILE *transcript;
    char *transcript_mem;
    size_t transcript_len;
    GQueue pending; /* rep_block of unsolicited lines and gaps not yet written (time order) */
    /* blocks kept for the failures section: index -> rep_block */
    GHashTable *blocks;
    GQueue recent;      /* indices of recent blocks (evicted unless pinned) */
    GHashTable *pinned; /* indices of blocks kept to the end */
    /* timeline */
    GArray *bars;               /* rep_bar */
    size_t bars_dropped;        /* succeeded commands not drawn */
    size_t failed_bars_dropped; /* failed commands not drawn */
    GArray *marks;              /* rep_mark */
    size_t marks_dropped;
    /* statistics */
    GHashTable *cmds; /* command -> rep_cmd */
    GPtrArray *cmd_order;
    GHashTable *codes;   /* failure key (qftp_txn_verdict.key) -> count */
    size_t codes_pooled; /* failures whose code came after REP_CODES_MAX others */
} report;

/* ---- helpers shared by the writers (cmd_report.c) ------------------------------------------ */

/* The time column of a line: clock time, "+s" or "" (qftp_verdict_time). */
const char *rep_time(const report *r, qftp_ts t, char *buf, size_t cap);
/* A throughput for people: "840 B/s", "12.3 kB/s", "1.20 MB/s". Returns buf. */
char *rep_rate(int64_t bytes, qftp_ts d, char *buf, size_t cap);
/* The kept block of a transaction, or NULL. */
const rep_block *rep_block_of(const report *r, unsigned index);
/* The kept blocks a failure's context shows, in order: those its links refer to before
 * it, its own, those after it. Returns how many were written to out (at most max). */
size_t rep_failure_blocks(const report *r, const qftp_failure *fl, const rep_block **out,
                          size_t max);
typedef struct {
    const char *key;
    size_t n;
} rep_code;
/* The failures by code, the most frequent first: a GArray of rep_code (free it). */
GArray *rep_codes(const report *r);
/* What the list of codes leaves out (at most `listed` shown): "; 12 more codes (40
 * failures)" and the failures of codes not counted apart; "" if nothing. Returns buf. */
char *rep_codes_rest(const report *r, const GArray *codes, size_t listed, char *buf, size_t cap);
/* The header's line about the input: its kind, dialect, times, commands, redaction. */
void rep_meta(const report *r, char *buf, size_t cap);
/* The failures the verdict names, in its order (not recovered first, follow-ups left to
 * their cause): at most max in out, the rest counted in *more. Returns how many. */
size_t rep_verdict_order(const report *r, const qftp_failure **out, size_t max, size_t *more);
/* The `most` most frequent failure codes in words: "38 x +QFTPSIZE 627,550 (...); 2 x ...". */
void rep_codes_words(const report *r, size_t most, char *buf, size_t cap);
/* Seconds for a table: "3 ms", "1.60 s", `none` for a negative value. Returns buf. */
char *rep_secs(double s, const char *none, char *buf, size_t cap);
/* Statistics: commands in the order first seen, with their response-time percentile
 * (p in 0..100) in seconds, -1 when there is none. */
double rep_percentile(const rep_cmd *c, unsigned p);
/* The verdict's first line: "2 failures (1 recovered)" / "nothing failed". */
void rep_verdict_title(const report *r, char *buf, size_t cap);

/* ---- writers --------------------------------------------------------------------------------- */

void rep_write_block_text(report *r, FILE *f, const rep_block *b, bool md);
void rep_write_block_html(report *r, FILE *f, const rep_block *b);
void report_write_text(report *r, bool md);
void report_write_html(report *r);

#endif
