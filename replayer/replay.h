/* replay.h - what the parts of `qftp replay` share: the plan built from a golden
 * capture, the items a session produced per transaction, the rules file, the step
 * results and the report writers.
 *
 * Both sides go through the core library the same way: the golden capture's frames
 * and the live device's bytes are fed into a qftp_session each, and an item
 * collector (rp_items) keeps, per transaction, the ordered list of what the module
 * answered (echo, lines, CONNECT, data, final result). Comparison is item list to
 * item list, never raw bytes.
 */
#ifndef QFTP_REPLAYER_REPLAY_H
#define QFTP_REPLAYER_REPLAY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "qftp/capture.h"
#include "qftp/session.h"
#include "qftptool/input.h"

/* Caps: a capture whose streams exceed them is refused with a clear error, and a
 * live device that sends more is cut off (the step fails). */
#define RP_STREAM_CAP (256u << 20) /* bytes kept per direction and session */
#define RP_ITEMS_CAP 4096          /* items kept per transaction */
#define RP_TEXT_CAP 4096           /* longest line text kept in an item */
#define RP_RULES_CAP 1024          /* rules per file */
/* longest command line the rules may make (the parser's line cap: a longer one is not
 * read back whole) */
#define RP_COMMAND_CAP 65536
#define RP_VARS_CAP 256
/* Steps in a row that time out with not one byte from the device: it is dead, off or
 * miswired, not regressed; the run stops with a device error (docs/replay.md). */
#define RP_SILENT_STEPS 3
/* A download held open by a completion URC whose count did not match (a truncated
 * transfer) ends there once the device has been quiet this long: the module is back in
 * command mode, as its next command would show. */
#define RP_SETTLE_MS 300

/* ---- items: what one side answered, per transaction ------------------------- */

typedef enum {
    RP_ITEM_ECHO = 0,
    RP_ITEM_LINE,    /* information response, completion URC, other text */
    RP_ITEM_CONNECT, /* "CONNECT" / "CONNECT <n>" */
    RP_ITEM_PROMPT,  /* "> " */
    RP_ITEM_DATA,    /* download payload; the bytes are in the stream at the txn's offset */
    RP_ITEM_FINAL,   /* OK, ERROR, +CME ERROR: <n> ... */
    RP_ITEM_OVERFLOW,
} rp_item_kind;

typedef struct {
    rp_item_kind kind;
    char *text;     /* the line (without terminator), NULL for DATA */
    uint64_t frame; /* frame (chunk) number it arrived in */
    qftp_ts ts;     /* time of the chunk that completed it */
    int64_t mono;   /* monotonic ns of that chunk (live side only; 0 in a plan) */
} rp_item;

typedef struct {
    GArray *items; /* of rp_item */
} rp_txn_items;

/* Everything a session produced: the session (its transactions carry their typed items),
 * unsolicited lines, both streams. */
typedef struct {
    qftp_session *s;
    rp_txn_items *view;  /* what rp_items_for returned last */
    GArray *unsol;       /* of rp_item */
    GArray *monos;       /* int64_t: monotonic time of each frame, from frame 1 */
    GByteArray *tx;      /* whole host->module stream */
    GByteArray *rx;      /* whole module->host stream */
    bool over_cap;       /* a stream exceeded RP_STREAM_CAP */
    unsigned over_items; /* a transaction (its index) got more than RP_ITEMS_CAP items, or
                            UINT_MAX: more than that many unsolicited lines; 0 none */
    uint64_t frames;     /* chunks fed */
    qftp_ts ts_now;      /* time of the chunk being fed */
    int64_t mono_now;    /* its monotonic time (live) */
} rp_items;

/* NULL + errbuf on failure. dialect UNKNOWN = detect. */
rp_items *rp_items_new(qftp_dialect dialect, char *errbuf);
void rp_items_free(rp_items *c);
/* Feeds one chunk into the session and the streams; frame numbers count up from 1. */
void rp_items_feed(rp_items *c, qftp_dir dir, const uint8_t *b, size_t n, qftp_ts ts, int64_t mono);
/* The items of transaction txn_index (1-based) as they stand now; valid until the next
 * call for the same rp_items. */
const rp_txn_items *rp_items_for(const rp_items *c, unsigned txn_index);

/* ---- the plan ---------------------------------------------------------------- */

typedef struct {
    unsigned number;     /* 1-based step number = the golden txn index */
    const qftp_txn *txn; /* the golden transaction (owned by the plan's session) */
    bool chained;        /* a 2nd.. command of a chained line: sent with its first */
    uint64_t next_frame; /* frame of the next command sent (UINT64_MAX for the last) */
    bool want_final, want_connect, want_data_end, want_urc; /* before the next command */
    const uint8_t *upload; /* host->module payload to send after CONNECT, or NULL */
    size_t upload_len;
    bool escape;           /* end the upload with "+++" and its guard times */
    qftp_ts recorded_wait; /* command to its last awaited item, in the golden */
    bool deferred;         /* some of its outcome came after the next command */
} rp_step;

typedef struct {
    char *path;
    rp_items *golden;
    rp_step *steps;
    size_t n_steps;
    qftp_dialect dialect;
    qftp_ts guard_time;
    bool from_log; /* imported from a text log on the fly */
} rp_plan;

/* Reads a capture, or a text log imported on the fly as `qftp import` would (io: its
 * --format/--regex; NULL: detected), and builds its plan. NULL + errbuf (unreadable, no
 * command, over a cap). */
rp_plan *rp_plan_load(const char *path, const input_opts *io, char *errbuf);
void rp_plan_free(rp_plan *p);
/* Sets out's want_* and recorded_wait to what the golden shows of st's outcome before
 * frame `before`. Returns true if that is all of its outcome. */
bool rp_step_wants(const rp_plan *p, const rp_step *st, uint64_t before, rp_step *out);

/* ---- rules ------------------------------------------------------------------- */

typedef enum {
    RP_RULE_MASK = 0,
    RP_RULE_MASK_DATA,
    RP_RULE_IGNORE_URC,
    RP_RULE_IGNORE_DATA,
    RP_RULE_SORT_DATA,
    RP_RULE_OPTIONAL,
    RP_RULE_CAPTURE,
    RP_RULE_REWRITE,
    RP_RULE_TIMEOUT,
    RP_RULE_MAX_TIME,
} rp_rule_kind;

/* Which steps a rule applies to: all, a number list, or a regex on the command. */
typedef struct {
    bool all;
    GArray *ranges; /* of guint pairs (lo, hi) */
    GRegex *re;     /* on the recorded command line */
} rp_selector;

typedef struct {
    rp_rule_kind kind;
    unsigned line_no;
    rp_selector sel;
    GRegex *re;
    char *name;        /* CAPTURE: variable name */
    char *replacement; /* REWRITE */
    qftp_ts limit;     /* TIMEOUT, MAX_TIME */
} rp_rule;

typedef struct {
    GArray *rules;      /* of rp_rule; built-in masks first */
    GHashTable *vars;   /* name -> value (set, --define, --secret, capture) */
    GPtrArray *secrets; /* values that never reach a report, a recording or a golden */
} rp_rules;

rp_rules *rp_rules_new(void); /* with the built-in masks */
void rp_rules_free(rp_rules *r);
/* Adds the rules of FILE. -1 + errbuf naming the line. */
int rp_rules_load(rp_rules *r, const char *path, char *errbuf);
/* "NAME=VALUE". -1 + errbuf. */
int rp_rules_define(rp_rules *r, const char *def, char *errbuf);
/* --secret "NAME=VALUE", or "NAME" for the value of the environment variable NAME: a
 * variable whose value is a secret. -1 + errbuf. */
int rp_rules_define_secret(rp_rules *r, const char *def, char *errbuf);
/* A command line about to be sent: a variable's value that lands in a parameter the
 * tables flag secret (qftp/redact.h: a password) becomes a secret too. */
void rp_rules_note_sent(rp_rules *r, const char *line);
/* s with every secret value, and every secret parameter (qftp/redact.h), as "****".
 * Newly allocated. */
char *rp_rules_scrub(const rp_rules *r, const char *s);

/* Secrets out of a byte stream (the recording, --update's golden): each byte of a secret
 * value becomes '*', so the session's byte counts stay true; a chunk's tail that may be
 * the start of a secret is held until the next chunk of its direction or the flush. */
typedef struct rp_scrubber rp_scrubber;
rp_scrubber *rp_scrubber_new(const rp_rules *r);
void rp_scrubber_free(rp_scrubber *s);
/* Returns the bytes ready to write (valid until the next call), *out_len their count. */
const uint8_t *rp_scrubber_feed(rp_scrubber *s, qftp_dir dir, const uint8_t *b, size_t n,
                                size_t *out_len);
const uint8_t *rp_scrubber_flush(rp_scrubber *s, qftp_dir dir, size_t *out_len);
/* Parses a step list "1-5,9" into ranges; -1 on bad syntax. */
int rp_steps_parse(const char *s, GArray *ranges);
bool rp_selector_match(const rp_selector *sel, unsigned step, const char *line);

/* The command line to send: rewrites, then ${NAME} expanded. Newly allocated.
 * *undefined gets the first unknown variable name (g_free it), or NULL. NULL when the
 * rewrites or the variables would make it longer than RP_COMMAND_CAP bytes. */
char *rp_rules_command(const rp_rules *r, unsigned step, const char *line, char **undefined);
/* A response line as compared: masks applied (masked text becomes '*'). `command`
 * is the transaction's command name ("+QFTPMDTM"), NULL for unsolicited lines. */
char *rp_rules_mask_line(const rp_rules *r, const char *command, const char *line);
/* The data as text with the data masks applied, its lines sorted when `sort`; NULL
 * (and *masked false) when there is no data mask and no sorting: compare bytes. */
char *rp_rules_mask_data(const rp_rules *r, const uint8_t *b, size_t n, bool sort, bool *masked);
/* The same; *changed (may be NULL) says whether a mask replaced anything or the lines
 * were sorted: when neither side changed, the bytes may be compared as they are. */
char *rp_rules_mask_data_ex(const rp_rules *r, const uint8_t *b, size_t n, bool sort, bool *masked,
                            bool *changed);
bool rp_rules_ignored_urc(const rp_rules *r, const char *line);
bool rp_rules_has(const rp_rules *r, rp_rule_kind k, unsigned step, const char *line);
/* TIMEOUT / MAX_TIME for the step, or 0. */
qftp_ts rp_rules_limit(const rp_rules *r, rp_rule_kind k, unsigned step, const char *line);
/* Applies CAPTURE rules to a live response line. */
void rp_rules_capture(rp_rules *r, const char *line);

/* ---- results ----------------------------------------------------------------- */

typedef enum {
    RP_ST_NOT_RUN = 0, /* --steps left it out, or the run stopped before it */
    RP_ST_PASS,
    RP_ST_FAIL,     /* the device answered differently */
    RP_ST_ERROR,    /* no answer within the timeout, or the link failed */
    RP_ST_OPTIONAL, /* differed, but a rule says the step is optional */
} rp_status;

const char *rp_status_name(rp_status s);

typedef struct {
    unsigned number;
    char *command; /* as sent (after rewrites); the recorded line if not run */
    rp_status status;
    char *message;                /* one line: why it failed, or NULL */
    GPtrArray *expected, *actual; /* of char*: the compared items, masked */
    char *diff;                   /* unified-style diff of the two, or NULL */
    qftp_ts t_start;              /* command written (realtime) */
    qftp_ts recorded_ns;          /* golden: command to last awaited item */
    qftp_ts actual_ns;            /* live: command to last awaited item, or -1 */
    int64_t overhead_ns;          /* last awaited byte of the previous step -> this command
                                     written; -1 for the first step */
    qftp_ts timeout_ns;
    int64_t elapsed_ns; /* the step's real time: command written to the end of its wait
                           (its outcome, or the timeout); -1 if not run */
    bool timed_out;     /* its wait ended at the timeout */
    char *data_window;  /* download bytes around the first difference (hex and text), or
                           NULL */
    GArray *urc_missing, *urc_extra; /* unsolicited: of rp_urc_note, or NULL */
} rp_result;

/* An unsolicited line one side has and the other has not: when it came and during which
 * step (the last command sent before it). */
typedef struct {
    char *line;    /* masked, as compared */
    double t;      /* seconds since that session's first byte */
    unsigned step; /* 0: before the first command */
    char *command; /* that step's command (the recorded one for missing lines) */
} rp_urc_note;

typedef struct {
    char *capture;
    char *device; /* the --device SPEC */
    rp_result *steps;
    size_t n_steps;
    rp_result unsolicited; /* the set comparison of unsolicited lines (number 0) */
    bool transport_error;
    char *transport_message;
    double seconds;
    char *recording; /* --record / --update file written, or NULL */
} rp_capture_result;

/* ---- reports (report.c) --------------------------------------------------------- */

void rp_report_human(FILE *f, const rp_capture_result *cr, size_t n, bool color);
int rp_report_junit(const char *path, const rp_capture_result *cr, size_t n, char *errbuf);
void rp_report_tap(FILE *f, const rp_capture_result *cr, size_t n);
int rp_report_json(const char *path, const rp_capture_result *cr, size_t n, char *errbuf);
/* lava-test-case lines on f, or (call) one lava-test-case run per result. */
void rp_report_lava(FILE *f, const rp_capture_result *cr, size_t n, bool call);
/* Name of a step as a test case: "03-AT+QFTPOPEN" (printable, no spaces). */
char *rp_case_name(const rp_result *r);

/* Unified-style diff of two line lists; NULL if they are equal. */
char *rp_diff(GPtrArray *expected, GPtrArray *actual);

#endif
