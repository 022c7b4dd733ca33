/* qftp/session.h - the transaction model: both directions of one serial session
 * parsed, every command linked to its echo, information responses, final result,
 * data-mode payload and completion URC; the FTP service state of the dialect; and
 * anomalies as notes.
 *
 * Feed it the frames of a capture (or the records of a log) in order. It owns two
 * parsers (qftp/parser.h) and drives their data modes. Transactions and their
 * strings are owned by the session and live until qftp_session_free().
 */
#ifndef QFTP_SESSION_H
#define QFTP_SESSION_H

#include "parser.h"
#include "tables.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    qftp_severity severity;
    char *text;
    qftp_ts ts;
} qftp_note;

typedef enum {
    QFTP_VAL_NONE = 0,
    QFTP_VAL_INT,
    QFTP_VAL_STR,
} qftp_value_kind;

typedef struct {
    qftp_value_kind kind;
    int64_t i;
    char *s; /* unquoted */
} qftp_value;

typedef enum {
    QFTP_TXN_WAIT_FINAL = 0, /* sent, no final result yet */
    QFTP_TXN_DATA,           /* CONNECT seen, data mode under way */
    QFTP_TXN_WAIT_URC,       /* final result seen, completion URC expected */
    QFTP_TXN_DONE,
} qftp_txn_phase;

typedef struct qftp_txn {
    unsigned index; /* 1-based, in order of sending */
    char *line;     /* the whole command line as sent, without terminator */
    char *command;  /* "+QFTPOPEN" (upper case, no AT); "" for "A/" */
    qftp_cmd_type type;
    char **params; /* raw parameters, quotes kept */
    size_t n_params;
    const qftp_cmd_def *def; /* NULL: not in the tables, decoded generically */
    unsigned sub_index;      /* 0, or 1.. for the 2nd.. command of a chained line */
    bool repeat;             /* "A/" */

    qftp_txn_phase phase;
    qftp_ts t_sent;
    uint64_t frame_sent;
    bool echoed;
    uint64_t frame_echo;

    char **info; /* information response lines before the final result */
    size_t n_info;

    qftp_final_kind final; /* QFTP_FINAL_NONE until seen */
    char *final_line;      /* e.g. "+CME ERROR: 603" */
    int64_t cme_code;      /* numeric +CME/+CMS ERROR code or -1 */
    char *cme_text;        /* text form, or NULL */
    qftp_ts t_final;
    uint64_t frame_final;

    bool connect;        /* CONNECT seen */
    int64_t connect_len; /* CONNECT <n>, or -1 */
    qftp_ts t_connect;
    uint64_t frame_connect;
    qftp_dir data_dir;
    int64_t data_len; /* payload bytes, -1 if no data mode */
    qftp_data_end_reason data_end;
    bool escaped;         /* data mode left by "+++" */
    uint64_t data_offset; /* stream offset of the payload's first byte (data_dir) */

    char *urc; /* the completion URC line, or NULL */
    qftp_ts t_done;
    uint64_t frame_done;
    bool has_err;
    int64_t err; /* from the result line: BG96 <err>, GSM negative <n> */
    bool has_pe;
    int64_t protocol_error; /* BG96 <protocol_error> (when err != 0) */
    qftp_value value;       /* size, length, path, time, state ... */

    qftp_note *notes;
    size_t n_notes;
} qftp_txn;

typedef struct {
    char *line;
    qftp_ts ts;
    uint64_t frame;
    bool has_err;
    int64_t err; /* +QFTPERROR:<err> */
} qftp_unsolicited;

/* What a frame's bytes turned into, for front ends that annotate frames (the
 * dissector). Called once per parser event, in order. txn is NULL for unsolicited
 * lines and stray text. The event's spans are valid during the call only. */
typedef void (*qftp_item_cb)(void *user, const qftp_event *ev, const qftp_txn *txn, uint64_t frame);

typedef struct {
    qftp_dialect dialect; /* UNKNOWN = detect from the traffic */
    qftp_ts rsptimeout;   /* notes when an outcome is later than this; default 90 s
                             (BG96 <timeout> default; AT+QFTPCFG="rsptimeout" updates it) */
    size_t line_cap;      /* parser line cap; default 65536 */
    qftp_ts guard_time;   /* "+++" guard; default 1 s */
    bool redact;          /* passwords in lines stored by the session become '*' */
    qftp_item_cb on_item;
    void *user;
} qftp_session_opts;

void qftp_session_opts_init(qftp_session_opts *o);

typedef struct qftp_session qftp_session;

qftp_session *qftp_session_new(const qftp_session_opts *opts, char *errbuf);
void qftp_session_free(qftp_session *s);

/* One chunk of the stream: a frame of a capture or a record of a log. `frame` is an
 * opaque number copied into the transaction's frame_* fields (frame number). */
void qftp_session_feed(qftp_session *s, qftp_dir dir, const uint8_t *bytes, size_t len, qftp_ts ts,
                       uint64_t frame);
/* End of input: flushes the parsers and notes every transaction still waiting. */
void qftp_session_finish(qftp_session *s, qftp_ts now);

size_t qftp_session_txn_count(const qftp_session *s);
const qftp_txn *qftp_session_txn(const qftp_session *s, size_t i); /* 0-based */
size_t qftp_session_unsolicited_count(const qftp_session *s);
const qftp_unsolicited *qftp_session_unsolicited(const qftp_session *s, size_t i);
/* Notes that belong to no transaction (stray text, overflow, URC with no command). */
size_t qftp_session_note_count(const qftp_session *s);
/* The notes are contiguous: qftp_session_note(s, 0)[i] is note i (valid until the next
 * feed or finish). */
const qftp_note *qftp_session_note(const qftp_session *s, size_t i);

qftp_dialect qftp_session_dialect(const qftp_session *s); /* detected or forced */
qftp_ftp_state qftp_session_state(const qftp_session *s);
qftp_ts qftp_session_t0(const qftp_session *s); /* time of the first byte, QFTP_TS_NONE */
qftp_ts qftp_session_rsptimeout(const qftp_session *s);

/* State transitions as they happened: "IDLE -> OPENING" with the time, for show. */
typedef struct {
    qftp_ftp_state from, to;
    qftp_ts ts;
    unsigned txn_index; /* 0 if not caused by a transaction */
} qftp_transition;
size_t qftp_session_transition_count(const qftp_session *s);
const qftp_transition *qftp_session_transition(const qftp_session *s, size_t i);

#ifdef __cplusplus
}
#endif
#endif
