/* qftp/verdict.h - what went wrong in a session and why, in words: the failure analysis
 * behind `qftp show --failures`, the verdict fields of `qftp show --json` and `qftp report`.
 *
 * A qftp_verdict follows a session (qftp/session.h) as its consumer sees it, in the order
 * things arrive: the time of every chunk fed (qftp_verdict_traffic), the payload of each
 * download (qftp_verdict_data, from the session's on_item DATA events), the unsolicited
 * lines, state transitions and transactions the session hands over (its sink). For each
 * transaction it decides (qftp_verdict_txn):
 *  - whether it failed and how (qftp_fail_kind). A transfer the log holds only part of (the
 *    session's length notes, data mode open at the end, aborted by +++) is a failure; a
 *    command whose outcome is missing because the log ends first is not;
 *  - the operation and the failure in words ("download of app.bin", "timeout error
 *    (+QFTPGET: 609,0)");
 *  - the chain of context that explains it (qftp_link): the module's lines about itself and
 *    the network (qftp/context.h: "pdpdeact", RDY, registration ...) before or during it,
 *    the FTP command still running when a command was refused as busy (603), an earlier
 *    failure that leaves the service refusing everything (615 then 603 until closed), the
 *    FTP session closed by then, a listing that shows the names the server has.
 * It keeps the failures (at most QFTP_VERDICT_KEEP; the same failure repeated right after
 * is counted, not kept again) for a verdict at the end, and links to them what comes later:
 * the evidence after a failure (a failed reactivation, registration lost), a listing that
 * shows the file's real name, and a later success of the same operation (recovered).
 *
 * Memory is bounded whatever the input: a few recent transactions and context lines, the
 * kept failures, QFTP_VERDICT_PAYLOAD_CAP bytes of each download in progress and the
 * names of the last listing. The library never prints; every text is for people.
 */
#ifndef QFTP_VERDICT_H
#define QFTP_VERDICT_H

#include "context.h"
#include "session.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    QFTP_FAIL_NONE = 0,   /* it did what it was asked */
    QFTP_FAIL_REFUSED,    /* an error final result (ERROR, +CME ERROR, NO CARRIER ...) */
    QFTP_FAIL_FAILED,     /* its completion URC (or result line) reports an error */
    QFTP_FAIL_INCOMPLETE, /* a transfer the log holds only part of: fewer or more bytes than
                             the module reported or CONNECT/<uploadlen> announced, data mode
                             still open at the end of the input, a download aborted by +++ */
    QFTP_FAIL_NO_OUTCOME, /* no final result or completion URC although the log goes on
                             longer than rsptimeout, the session gave up waiting, or the
                             module restarted, powered down or lost its PDP context first */
    QFTP_FAIL_UNFINISHED, /* not a failure: the log ends (or has no answer) before the
                             outcome could come */
} qftp_fail_kind;

/* "ok" "refused" "failed" "incomplete" "no-outcome" "unfinished" */
const char *qftp_fail_kind_name(qftp_fail_kind k);
/* Whether the kind counts as a failure (every kind but NONE and UNFINISHED). */
bool qftp_fail_counts(qftp_fail_kind k);

typedef enum {
    QFTP_LINK_CONTEXT = 0, /* a line about the module, SIM, network or PDP context: ctx */
    QFTP_LINK_FTP_ERROR,   /* +QFTPERROR:<err> (GSM): the server or network ended the session */
    QFTP_LINK_BUSY,        /* refused as busy: another FTP command was still running (ref) */
    QFTP_LINK_STUCK,       /* an earlier failure (ref) leaves the service busy until closed */
    QFTP_LINK_CLOSED,      /* no FTP session at the time: closed or lost by ref (0: by a line) */
    QFTP_LINK_LISTING,     /* a listing of the server (ref) and the names closest to the one
                              asked for (name; "" when none is close) */
    QFTP_LINK_FOLLOWS,     /* a failure after this one that has the same cause (ref) */
    QFTP_LINK__COUNT
} qftp_link_kind;

/* "context" "ftp-error" "busy" "stuck" "closed" "listing" "follows" */
const char *qftp_link_kind_name(qftp_link_kind k);

typedef enum {
    QFTP_WHEN_BEFORE = 0, /* before the command was sent, and still so when it was */
    QFTP_WHEN_DURING,     /* between the command and its outcome */
    QFTP_WHEN_AFTER,      /* after the outcome: evidence found later */
} qftp_link_when;

const char *qftp_link_when_name(qftp_link_when w); /* "before" "during" "after" */

#define QFTP_LINKS_MAX 8
#define QFTP_LINE_WORDS 128

typedef struct {
    qftp_link_kind kind;
    qftp_link_when when;
    qftp_ts ts;                 /* when the line came (the referenced command's time) */
    unsigned ref;               /* the transaction it refers to, 0 if none */
    qftp_context ctx;           /* CONTEXT: the line decoded (kind, level, words, source) */
    char line[QFTP_LINE_WORDS]; /* the line that says so ("+QIURC: \"pdpdeact\",1"), or the
                                   referenced command line; "" if none */
    char name[QFTP_LINE_WORDS]; /* LISTING: closest names, ", "-separated; "" if none */
    char words[QFTP_WORDS_CAP]; /* the link in words, without times */
} qftp_link;

/* One transaction judged. */
typedef struct {
    unsigned index;
    qftp_fail_kind kind;
    bool failed;                    /* qftp_fail_counts(kind) */
    char operation[QFTP_WORDS_CAP]; /* "download of app.bin", "login to ftp.example.com:21" */
    char outcome[QFTP_WORDS_CAP];   /* the outcome in words: "success, transferlen 379", or
                                       the failure ("timeout error (+QFTPGET: 609,0)") */
    /* The failure as one key, for counting failures by code: qftp_txn_words.failure, or
     * "+QFTPGET incomplete" / "+QFTPCWD no-outcome"; "" when it did not fail. */
    char key[QFTP_WORDS_CAP];
    qftp_ts t_sent;
    qftp_ts t_fail; /* when it failed (the error, the URC, the end of data, the context
                       line that ended it), QFTP_TS_NONE when not failed */
    qftp_link links[QFTP_LINKS_MAX]; /* the chain, in time order */
    size_t n_links;
    /* The first bytes of a download's payload (at most QFTP_VERDICT_PAYLOAD_CAP), for front
     * ends that show listings and small files; payload_total is the whole length (-1: no
     * download). Valid until the next call on the verdict. */
    const uint8_t *payload;
    size_t payload_len;
    int64_t payload_total;
    bool listing; /* the payload is a listing of the server (LIST, NLST, MLSD) */
} qftp_txn_verdict;

/* A failure kept for the verdict at the end. */
typedef struct {
    qftp_txn_verdict v;        /* as judged, with the links found later added (when AFTER) */
    char line[QFTP_WORDS_CAP]; /* the command line as the session holds it (redacted) */
    unsigned repeats;          /* the same failure again right after it: how many more times */
    unsigned last_index;       /* the last of them (v.index when repeats is 0) */
    qftp_ts t_last;
    unsigned recovered_by; /* a later transaction of the same operation that succeeded, 0 */
    unsigned root;         /* 0, or the earlier failure with the same cause (a follow-up) */
} qftp_failure;

#define QFTP_VERDICT_KEEP 256          /* failures kept; more are only counted */
#define QFTP_VERDICT_PAYLOAD_CAP 65536 /* bytes kept of a download */
#define QFTP_VERDICT_GAPS_KEEP 256     /* gaps kept; more are only counted */

typedef struct {
    qftp_ts from, to;     /* the last chunk before the silence, the first after */
    bool over_rsptimeout; /* longer than the session's rsptimeout at the time */
} qftp_gap;

typedef struct {
    /* silence longer than this is a gap (QFTP_TS_NONE: rsptimeout only); default 10 s */
    qftp_ts gap;
    /* qftp_txn_verdict.operation only for failures (a failure's chain still names earlier
     * commands in words): for a consumer that shows no words of the others; default false */
    bool failure_words_only;
    /* Only what counting needs: qftp_txn_verdict gets index, kind, failed, key, t_sent and
     * t_fail, and nothing is kept for the verdict at the end (no failures, links, words,
     * payloads or recoveries; the counts of qftp_verdict_counts_get stay right). For a
     * consumer that shows counts only (the transcript's summary); default false. */
    bool counts_only;
} qftp_verdict_opts;

void qftp_verdict_opts_init(qftp_verdict_opts *o);

typedef struct qftp_verdict qftp_verdict;

/* s: the session followed (read for its rsptimeout and dialect; it must outlive v). */
qftp_verdict *qftp_verdict_new(const qftp_session *s, const qftp_verdict_opts *o);
void qftp_verdict_free(qftp_verdict *v);

/* Every chunk, before it is fed to the session. Returns true and fills *gap when the
 * silence before it is a gap (never for synthesised times). */
bool qftp_verdict_traffic(qftp_verdict *v, qftp_ts ts, bool ts_synth, qftp_gap *gap);
/* Download payload of transaction t (a QFTP_EV_DATA event of on_item with its txn). */
void qftp_verdict_data(qftp_verdict *v, const qftp_txn *t, const uint8_t *b, size_t n);
void qftp_verdict_unsolicited(qftp_verdict *v, const qftp_unsolicited *u);
void qftp_verdict_transition(qftp_verdict *v, const qftp_transition *tr);
/* A transaction the session handed over (final). The result is valid until the next call
 * on v. */
const qftp_txn_verdict *qftp_verdict_txn(qftp_verdict *v, const qftp_txn *t);
/* The same, for a caller that has described t already (w: qftp_txn_describe(t, w)). */
const qftp_txn_verdict *qftp_verdict_txn_described(qftp_verdict *v, const qftp_txn *t,
                                                   const qftp_txn_words *w);

/* ---- the verdict at the end ------------------------------------------------------------ */

typedef struct {
    size_t txns;       /* transactions judged */
    size_t failed;     /* of them, failures (every repeat counted) */
    size_t unfinished; /* without an outcome because the log ends first */
    size_t failures;   /* failures kept or counted (repeats grouped) */
    size_t recovered;  /* of those, recovered by a later success */
    size_t follow_ups; /* of those, follow-ups of an earlier failure with the same cause */
    size_t dropped;    /* failures not kept (over QFTP_VERDICT_KEEP) */
    size_t gaps, gaps_over_rsptimeout;
} qftp_verdict_counts;

void qftp_verdict_counts_get(const qftp_verdict *v, qftp_verdict_counts *c);
size_t qftp_verdict_failure_count(const qftp_verdict *v);
const qftp_failure *qftp_verdict_failure(const qftp_verdict *v, size_t i); /* in order */
size_t qftp_verdict_gap_count(const qftp_verdict *v);
const qftp_gap *qftp_verdict_gap(const qftp_verdict *v, size_t i);

/* ---- words --------------------------------------------------------------------------- */

/* Whether the times are real and carry a date (the log or capture has dates: 1990 or
 * later, none synthesised): then times are written as clock times, else as seconds from
 * the start ("+12.345 s"), or not at all when they were synthesised. */
bool qftp_verdict_dated(const qftp_verdict *v);
bool qftp_verdict_times_real(const qftp_verdict *v);
qftp_ts qftp_verdict_t0(const qftp_verdict *v); /* first chunk's time, QFTP_TS_NONE */
/* A time for people: "09:14:17.602" (dated; with the date when it is not the first
 * chunk's day), "+115.002 s" (undated), "" (synthesised). Returns buf. */
char *qftp_verdict_time(const qftp_verdict *v, qftp_ts t, char *buf, size_t cap);
/* A time as ISO 8601 ("2026-11-30T09:14:17.602000"), only when dated; else "". */
char *qftp_verdict_iso_time(const qftp_verdict *v, qftp_ts t, char *buf, size_t cap);
/* A duration for people: "3 ms", "1.60 s", "2 min 5 s". Returns buf. */
char *qftp_duration_words(qftp_ts d, char *buf, size_t cap);

/* The failure as one sentence, without its links: "Download of app.bin failed at
 * 09:14:17.602 (#4): timeout error (+QFTPGET: 609,0), 90.0 s after the command." */
char *qftp_failure_headline(const qftp_verdict *v, const qftp_failure *f, char *buf, size_t cap);
/* A link as one sentence: "Before it: the network deactivated PDP context 1 ... (+QIURC:
 * \"pdpdeact\",1 at 09:13:02.771, 15.1 s into it)." */
char *qftp_link_sentence(const qftp_verdict *v, const qftp_txn_verdict *tv, const qftp_link *l,
                         char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
