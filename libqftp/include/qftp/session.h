/* qftp/session.h - the transaction model: both directions of one serial session
 * parsed, every command linked to its echo, information responses, final result,
 * data-mode payload and completion URC; the FTP service state of the dialect; and
 * anomalies as notes, each of a kind from qftp/notes.h.
 *
 * Feed it the frames of a capture (or the records of a log) in order. It owns two
 * parsers (qftp/parser.h) and drives their data modes. Transactions and their
 * strings are owned by the session and live until qftp_session_free(), unless the
 * consumer streams them (qftp_session_sink with release): then each transaction is
 * handed over once nothing can change it any more, and freed after.
 */
#ifndef QFTP_SESSION_H
#define QFTP_SESSION_H

#include "context.h"
#include "notes.h"
#include "parser.h"
#include "tables.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    qftp_severity severity; /* the kind's (qftp_note_severity) */
    char *text;             /* the kind's format, filled in */
    qftp_ts ts;
    qftp_note_kind kind;
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

/* What a transaction is made of on the wire, in the order it arrived. */
typedef enum {
    QFTP_ROLE_COMMAND = 0, /* the command line (for each command of a chained line) */
    QFTP_ROLE_ECHO,        /* the module's echo of it */
    QFTP_ROLE_INFO,        /* an information response line */
    QFTP_ROLE_FINAL,       /* the final result code (OK, ERROR, +CME ERROR, DEACT OK ...) */
    QFTP_ROLE_CONNECT,     /* CONNECT / CONNECT <n> */
    QFTP_ROLE_PROMPT,      /* "> " */
    QFTP_ROLE_DATA,        /* the payload of one data mode: one item however it arrived */
    QFTP_ROLE_DATA_END,    /* where data mode ended (no bytes) */
    QFTP_ROLE_ESCAPE,      /* "+++" */
    QFTP_ROLE_URC,         /* the completion URC */
    QFTP_ROLE__COUNT
} qftp_role;

const char *qftp_role_name(qftp_role r); /* "command" "echo" "info" ... */

typedef struct {
    uint64_t offset;   /* stream offset (of its direction) of its first byte */
    uint64_t len : 48; /* its bytes: a line without its terminator; DATA: the payload so far */
    uint64_t role : 8; /* qftp_role */
    uint64_t dir : 8;  /* qftp_dir */
    uint64_t frame;    /* frame (chunk) in which it ended: for DATA the latest piece's */
    qftp_ts ts;        /* time of that frame */
} qftp_txn_item;

/* A span of the command line, relative to the line's first byte. */
typedef struct {
    uint32_t off, len;
} qftp_rel_span;

/* The commands the core tells apart by name, as numbers: a transaction's command is
 * looked up once (qftp_op_of) instead of compared as a string at every step. */
typedef enum {
    QFTP_OP_UNSET = 0, /* not looked up (a qftp_txn made by hand) */
    QFTP_OP_OTHER,     /* any command not below */
    QFTP_OP_QFTPCFG,
    QFTP_OP_QFTPOPEN,
    QFTP_OP_QFTPCLOSE,
    QFTP_OP_QFTPSTAT,
    QFTP_OP_QFTPPUT,
    QFTP_OP_QFTPGET,
    QFTP_OP_QFTPPASS,
    QFTP_OP_QFTPPATH,
    QFTP_OP_QFTPLIST,
    QFTP_OP_QFTPNLST,
    QFTP_OP_QFTPMLSD,
    QFTP_OP_QFUPL,
    QFTP_OP_QIACT,
    QFTP_OP_QIDEACT,
    QFTP_OP_CGATT,
    QFTP_OP_CGACT,
    QFTP_OP_E, /* ATE */
} qftp_op;

/* "+QFTPOPEN" -> QFTP_OP_QFTPOPEN; any other name (NULL too) -> QFTP_OP_OTHER. */
qftp_op qftp_op_of(const char *command);

typedef struct qftp_txn {
    /* (Fields are grouped by size, so the session keeps many transactions compactly: the
     * plugin keeps a capture's all.) */
    unsigned index;     /* 1-based, in order of sending */
    unsigned sub_index; /* 0, or 1.. for the 2nd.. command of a chained line */
    char *line;         /* the whole command line as sent, without terminator */
    char *command;      /* "+QFTPOPEN" (upper case, no AT); "" for "A/" */
    char **params;      /* raw parameters, quotes kept */
    size_t n_params;
    const qftp_cmd_def *def; /* NULL: not in the tables, decoded generically */

    qftp_cmd_type type;
    qftp_txn_phase phase;
    qftp_final_kind final;         /* QFTP_FINAL_NONE until seen */
    qftp_dir data_dir;             /* of the data mode, if any */
    qftp_data_end_reason data_end; /* how the data mode ended */
    qftp_dir line_dir;             /* see line_offset */
    bool repeat;                   /* "A/" */
    bool echoed;                   /* the module echoed the line (frame_echo) */
    bool connect;                  /* CONNECT seen */
    bool escaped;                  /* data mode left by "+++" */
    bool has_err;                  /* err below is set */
    bool has_pe;                   /* protocol_error below is set */

    qftp_ts t_sent;
    uint64_t frame_sent;
    uint64_t frame_echo;

    char **info; /* information response lines before the final result, at most
                    QFTP_TXN_INFO_CAP (then qftp_txn_info_over() and a note INFO_OVER) */
    size_t n_info;

    char *final_line; /* e.g. "+CME ERROR: 603" */
    int64_t cme_code; /* numeric +CME/+CMS ERROR code or -1 */
    char *cme_text;   /* text form, or NULL */
    qftp_ts t_final;
    uint64_t frame_final;

    int64_t connect_len; /* CONNECT <n>, or -1 */
    qftp_ts t_connect;
    uint64_t frame_connect;
    int64_t data_len;     /* payload bytes, -1 if no data mode */
    uint64_t data_offset; /* stream offset of the payload's first byte (data_dir) */

    char *urc; /* the completion URC line, or NULL */
    qftp_ts t_done;
    uint64_t frame_done;
    int64_t err;            /* from the result line: BG96 <err>, GSM negative <n> */
    int64_t protocol_error; /* BG96 <protocol_error> (when err != 0) */
    qftp_value value;       /* size, length, path, time, state ... */

    qftp_note *notes;
    size_t n_notes;

    /* Typed pieces (additive; the fields above stay as they are). */
    qftp_txn_item *items; /* in the order they arrived */
    size_t n_items;
    /* Where the command line lies: line_offset is the stream offset (in line_dir) of its
     * first byte, QFTP_NO_OFFSET when the line is not on the wire as such ("A/" repeats
     * the previous line). cmd_span: this command's part of the line ("+QFTPOPEN=..." of
     * "AT+QFTPOPEN=...", without the "AT" of the first); param_spans[i]: parameter i,
     * quotes included. Both are relative to the line as it is on the wire, which is
     * `line` unless opts.redact replaced a secret in it. */
    uint64_t line_offset;
    qftp_rel_span cmd_span;
    qftp_rel_span *param_spans; /* n_params of them */
    /* No command line on the wire: the transaction is inferred from the module's answers
     * (a log of the module's side only: its completion URC names the command). line is
     * "AT" and the command, params are none, line_offset is QFTP_NO_OFFSET. */
    bool inferred;
    /* command as a qftp_op, set where command is: the core tests it by number. A
     * transaction made by hand leaves it 0 (QFTP_OP_UNSET); qftp_txn_op() reads either. */
    uint8_t op;
} qftp_txn;

#define QFTP_NO_OFFSET UINT64_MAX

/* Information responses kept per transaction: a module that floods one command with
 * lines costs no more memory than this many (their items are not kept either). The rest
 * are counted: qftp_txn_info_over(); the first of them raises the note INFO_OVER. */
#define QFTP_TXN_INFO_CAP 4096
size_t qftp_txn_info_over(const qftp_txn *t);

/* t's command as a qftp_op (looked up when t was made by hand). */
static inline qftp_op qftp_txn_op(const qftp_txn *t)
{
    return t->op ? (qftp_op)t->op : qftp_op_of(t->command);
}

/* ---- a transaction in words --------------------------------------------------------- */

typedef enum {
    QFTP_OUTCOME_PENDING = 0, /* neither a final result nor a completion URC */
    QFTP_OUTCOME_OK,          /* OK (or the command's own final word) and a successful URC,
                                 or no URC expected */
    QFTP_OUTCOME_NO_URC,      /* OK, but the completion URC never came */
    QFTP_OUTCOME_ERROR,       /* an error final result: ERROR, +CME/+CMS ERROR, NO CARRIER */
    QFTP_OUTCOME_FAILED,      /* the completion URC (or result line) reports an error */
} qftp_outcome;

/* The one outcome of a transaction. An error final result wins over the URC. */
qftp_outcome qftp_txn_outcome(const qftp_txn *t);
const char *qftp_outcome_name(qftp_outcome o); /* "pending" "ok" "no-urc" "error" "failed" */
/* Whether the outcome counts as a success (OK, or OK without the URC it expected). */
bool qftp_outcome_ok(qftp_outcome o);

#define QFTP_WORDS_CAP 256

/* A transaction in words, for people (show, the plugin, the replayer, reports). Every
 * field is a NUL-terminated string, "" when it does not apply. */
typedef struct {
    qftp_outcome outcome;
    /* What the command does: its table summary, "" for a command outside the tables
     * ("Open an FTP(S) session"). */
    char what[QFTP_WORDS_CAP];
    /* The error final result's code in words ("FTP(S) server busy" for +CME ERROR: 603,
     * BG96 chapter 5 first, then the +CME ERROR table); "" if not an error or unknown. */
    char final_words[QFTP_WORDS_CAP];
    /* The result line's meaning: "success, size 20" / "success" / the error in words
     * (qftp_describe_result); "" when there is no result line. */
    char result[QFTP_WORDS_CAP];
    /* The failure as one key, for counting failures by code: "+CME ERROR 603 (FTP(S)
     * server busy)", "ERROR", "+QFTPGET 627,550 (requested action not taken ...)";
     * "" when the transaction did not fail. */
    char failure[QFTP_WORDS_CAP];
} qftp_txn_words;

void qftp_txn_describe(const qftp_txn *t, qftp_txn_words *w);
/* The same but `what`, left "" (a consumer that shows the table's summary itself, or
 * none): the outcome, the final result's and the result line's words, the failure. */
void qftp_txn_describe_results(const qftp_txn *t, qftp_txn_words *w);

typedef struct {
    char *line;
    qftp_ts ts;
    uint64_t frame;
    bool has_err;
    int64_t err; /* +QFTPERROR:<err> */
    /* a line about the module, its SIM, the network or its PDP context (RDY,
     * +QIURC: "pdpdeact",1): its kind, QFTP_CONTEXT_NONE for others; the event with its
     * words and the transactions it affects comes as a qftp_context_event */
    qftp_context_kind context;
} qftp_unsolicited;

/* A line about the module, its SIM, the network or its PDP context (qftp/context.h):
 * unsolicited (RDY, POWERED DOWN, +CPIN: NOT READY, +QIURC: "pdpdeact",1) or the
 * information response of a command that asked (AT+CSQ -> +CSQ: 5,99). What it means for
 * the FTP session is also a note (kinds CONTEXT, CONTEXT_CONCERN, CONTEXT_LOST) of every
 * transaction it affects. */
typedef struct {
    qftp_context ctx; /* kind, level, value, words, source */
    char *line;       /* the module's line */
    qftp_ts ts;
    uint64_t frame;
    qftp_ftp_state state; /* the FTP service state when it came */
    unsigned txn_index;   /* the transaction whose information response it is, or 0 */
    /* Unsolicited lines: the transactions under way when it came (waiting for a final
     * result, in data mode or waiting for their URC), in index order. A restart or power
     * down ends them (their outcome is lost); a PDP deactivation fails them. */
    unsigned *affects;
    size_t n_affects;
} qftp_context_event;

/* State transitions as they happened: "IDLE -> OPENING" with the time, for show. */
typedef struct {
    qftp_ftp_state from, to;
    qftp_ts ts;
    unsigned txn_index; /* 0 if not caused by a transaction */
} qftp_transition;

/* Streaming consumers. Each callback may be NULL. txn: a transaction once nothing can
 * change it any more (its outcome, notes and items are final), in index order, at most
 * once each; the rest as they happen. The pointers are valid during the call (and, when
 * the session keeps what it hands over, until qftp_session_free). */
typedef struct {
    void (*txn)(void *user, const qftp_txn *t);
    void (*unsolicited)(void *user, const qftp_unsolicited *u);
    void (*note)(void *user, const qftp_note *n); /* notes of no transaction */
    void (*transition)(void *user, const qftp_transition *tr);
    void *user;
    /* Free each transaction after the txn callback, and keep no unsolicited line,
     * session note or transition: memory stays flat however long the input. The getters
     * below then see only what was not handed over yet (qftp_session_txn returns NULL
     * for a released index). */
    bool release;
    void (*context)(void *user, const qftp_context_event *c);
} qftp_session_sink;

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
    qftp_session_sink sink; /* streaming consumer; all NULL by default */
} qftp_session_opts;

void qftp_session_opts_init(qftp_session_opts *o);

typedef struct qftp_session qftp_session;

qftp_session *qftp_session_new(const qftp_session_opts *opts, char *errbuf);
void qftp_session_free(qftp_session *s);

/* One chunk of the stream: a frame of a capture or a record of a log. `frame` is an
 * opaque number copied into the transaction's frame_* fields (frame number). */
void qftp_session_feed(qftp_session *s, qftp_dir dir, const uint8_t *bytes, size_t len, qftp_ts ts,
                       uint64_t frame);
/* A download held open by a completion URC whose count did not match (a log that may have
 * lost bytes, parser.h): ends it there, as the host's next command would. For a consumer
 * that knows the module is back in command mode (a live device gone quiet after the
 * trailer). True if data mode ended. */
bool qftp_session_data_break(qftp_session *s, qftp_ts now);
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

/* The direction of a chunk that came without one (a capture with no direction tags):
 * the host's while an upload is under way, unless the chunk starts a module line (CR);
 * otherwise the host's when it starts with AT or A/ (any case: device-quirks.md
 * "Framing"), the module's else. The one guess of every front end. */
qftp_dir qftp_session_guess_dir(const qftp_session *s, const uint8_t *b, size_t n);

/* Context events in order (none are kept with sink.release). */
size_t qftp_session_context_count(const qftp_session *s);
const qftp_context_event *qftp_session_context(const qftp_session *s, size_t i);

/* Whether the host's side of the traffic is missing: the module's bytes only (a log of
 * its side, a capture of one direction). Known once the first bytes came; may change
 * from true to false when the host's first bytes come late. */
bool qftp_session_module_side_only(const qftp_session *s);

size_t qftp_session_transition_count(const qftp_session *s);
const qftp_transition *qftp_session_transition(const qftp_session *s, size_t i);

#ifdef __cplusplus
}
#endif
#endif
