/* session.c - the transaction model over both directions of a serial session.
 *
 * Linking rules (AT is strictly one command line at a time):
 *  - a command line opens a group of transactions (one per chained command) that
 *    waits for one final result code;
 *  - "+NAME" lines before the final result are information responses of the group
 *    member of that name, unless that command's outcome is a URC (then the OK was
 *    lost, as pasted logs often do: device-quirks.md "Framing");
 *  - after OK, commands whose form reports its outcome as a URC wait in a FIFO per
 *    name; the URC goes to the oldest waiting command of its name. So in
 *    AT+QFTPCLOSE -> OK; AT+QFTPOPEN -> +CME ERROR: 603; +QFTPCLOSE: 0,0
 *    the URC belongs to the close (device-quirks.md "Data mode", last item);
 *  - CONNECT puts the direction the command implies into data mode; the module's
 *    first line after an upload takes the host side out of it.
 * Results are decoded from the shape of the line, which says the dialect by itself:
 * "+X: <err>,<value>" (BG96) or "+X:<n>" (GSM, negative = error).
 */
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qftp/redact.h"
#include "qftp/session.h"
#include "strfmt.h"

/* A command waits for its completion URC, and the last data-mode transaction for its late
 * OK or URC, through at most this many later commands: then it is given up (a note says
 * so). Real modules answer within rsptimeout; the cap keeps the waiting lists short and
 * lets a streaming consumer have the transactions behind it. */
#define WAIT_CAP 4096
/* Streaming with release: transactions held while the dialect is still unknown (their
 * command definitions may change once it is known) are handed over anyway past this many. */
#define HOLD_CAP 4096
/* Chunks remembered per direction to place a late event (more than the parser can hold:
 * its trailer hold is QFTP_HOLD_CAP bytes, at least a byte per chunk) */
#define SESSION_CHUNKS 256

/* A transaction and what only the session sees of it. Its strings and arrays live in
 * its own arena: one allocation for most commands, freed at once. */
typedef struct arena_chunk {
    struct arena_chunk *next;
    uint32_t cap, used;
    uint64_t data[];
} arena_chunk;

/* The first part of the arena comes with the transaction, sized from what the previous
 * transactions used (most commands look like the one before); what does not fit goes to
 * chunks of its own size. */
#define ARENA_HINT_MIN 128
#define ARENA_HINT_MAX 4096
/* Streaming with release: the blocks of freed transactions are kept for the next ones (at
 * most this many), their first parts sized in steps of ARENA_STEP so that one fits the
 * next transaction however the hint moves. */
#define SPARE_CAP 4
#define ARENA_STEP 256

typedef struct {
    qftp_txn t; /* first: a qftp_txn * is a txn_priv * */
    uint32_t items_cap, info_cap, notes_cap;
    uint32_t first_cap, first_used;
    uint32_t info_over;  /* information responses past QFTP_TXN_INFO_CAP (saturates) */
    bool def_final;      /* t.def was looked up with the dialect the session has now */
    unsigned data_flags; /* the DATA_END event's flags (QFTP_EVF_MISMATCH, _ELIDED) */
    bool unchecked;      /* parameters not checked: the dialect was unknown */
    arena_chunk *chunks; /* further chunks, newest first */
    uint64_t first[];    /* first_cap bytes */
} txn_priv;

/* A list of transactions: all of them, and those the session points at (the line waiting
 * for its final result, the commands waiting for their URC, those answered OK). */
typedef struct {
    qftp_txn **v;
    guint len, cap;
} txn_list;

struct qftp_session {
    qftp_session_opts o;
    qftp_parser *tx, *rx;

    /* Transactions: index i (1-based) is txns[i - 1 - base]. Those handed to the sink are
     * indices 1..handed; with sink.release they are freed (their slots NULL until the
     * array is compacted and base moves on). */
    txn_list txns; /* owned (each a txn_priv) */
    size_t base;
    size_t handed;
    GArray *unsol;       /* qftp_unsolicited */
    GArray *notes;       /* qftp_note: notes of no transaction */
    GArray *transitions; /* qftp_transition */
    txn_list group;      /* the command line waiting for its final result */
    txn_list wait_urc;   /* waiting for their completion URC, oldest first, from
                            wait_head; NULL where one was taken */
    guint wait_head;
    qftp_txn *data_txn;      /* owner of the data mode under way */
    qftp_txn *last_data_txn; /* owner of the last data mode (OK after it) */

    qftp_dialect dialect;
    bool dialect_forced;
    qftp_ftp_state state;
    qftp_ts t0;
    qftp_ts now;
    uint64_t frame;
    qftp_ts rsptimeout;
    int ssltype;                /* BG96 AT+QFTPCFG="ssltype" */
    GString *last_line;         /* for "A/"; NULL until the first command */
    GString *scratch;           /* the command line being parsed */
    struct def_cache *defs;     /* lookups of the command tables (find_def) */
    size_t arena_hint;          /* bytes to give a new transaction's arena */
    txn_priv *spare[SPARE_CAP]; /* blocks of released transactions, for the next ones */
    unsigned n_spare;
    qftp_txn *item_txn;        /* the transaction the current event was attached to */
    const qftp_event *wire_ev; /* the event as the parser gave it (the handlers may see a
                                  redacted copy): items take their place from it */
    bool item_final;           /* the current line was taken as a final result */
    bool in_item;

    /* Information responses after OK (BG96 "OK" then "+QFTPSTAT: 0,4"; GSM
     * "+QFTPSIZE:88752"): the commands of the last line answered OK, until the next
     * command. */
    txn_list answered;
    GArray *contexts;  /* qftp_context_event (not with sink.release) */
    uint64_t bytes[2]; /* fed per direction */
    /* The last chunks of each direction: where each starts in the stream, its frame and
     * time. An event the parser hands on later than its bytes came (the held trailer of
     * a download: OK before the URC that decides it) is placed in the frame that held
     * its last byte. */
    struct {
        uint64_t start, frame;
        qftp_ts ts;
    } chunk[2][SESSION_CHUNKS];
    unsigned n_chunk[2];
    /* where the newest chunk of each direction starts: an event that ends before is late */
    uint64_t chunk_start[2];
    bool module_only_said; /* the MODULE_SIDE_ONLY note is out */
    /* ATE0 answered OK and no command in the input since: a terminal's log shows the
     * host's commands by their echo, so from there it holds the module's side only */
    bool echo_off;
    /* a log of the module's side only: the last final result no command took, for the
     * command a later completion URC names */
    struct {
        bool have;
        qftp_final_kind kind;
        GString *line;
        qftp_event ev; /* its place (data points into line) */
        qftp_ts ts;
        uint64_t frame;
    } orphan_final;
    unsigned unchecked_n; /* commands whose parameters wait for the dialect */
};

/* ---- small helpers ----------------------------------------------------------------- */

void qftp_session_opts_init(qftp_session_opts *o)
{
    memset(o, 0, sizeof *o);
    o->dialect = QFTP_DIALECT_UNKNOWN;
    o->rsptimeout = 90 * QFTP_NS_PER_SEC; /* BG96 2.1 <timeout> default */
    o->line_cap = 65536;
    o->guard_time = QFTP_NS_PER_SEC;
}

/* g's text becomes the n bytes at p (cheaper than truncating and appending for a line). */
static void string_set(GString *g, const void *p, size_t n)
{
    if (n < g->allocated_len) { /* what g_string_set_size() does then, without a call */
        g->len = n;
        g->str[n] = '\0';
    } else {
        g_string_set_size(g, n);
    }
    qftp_copy_short(g->str, p, n);
}

static char *dup_span(const uint8_t *s, size_t n)
{
    return g_strndup((const char *)s, n);
}

/* A line the session keeps or quotes: with opts.redact, its secrets (qftp/redact.h) are
 * replaced by **** (command lines, echoes and read-backs alike). */
static char *dup_line(const qftp_session *s, const uint8_t *p, size_t n)
{
    char *red = s->o.redact ? qftp_redact_dup(p, n, s->dialect, NULL) : NULL;
    return red ? red : dup_span(p, n);
}

static double rel(const qftp_session *s, qftp_ts t)
{
    return (double)(t - s->t0) / 1e9;
}

/* ---- a transaction's arena ---------------------------------------------------------- */

/* 8-byte alignment is all the arena's contents need (pointers, 64-bit integers). */
#define ARENA_ALIGN 8

/* What does not fit the first part (n aligned already). */
static void *txn_alloc_more(txn_priv *p, size_t n)
{
    arena_chunk *c = p->chunks;
    if (!c || c->used + n > c->cap) {
        size_t cap = n < ARENA_HINT_MIN ? ARENA_HINT_MIN : n;
        c = g_malloc(sizeof *c + cap);
        c->next = p->chunks;
        c->cap = (uint32_t)cap;
        c->used = 0;
        p->chunks = c;
    }
    void *r = (char *)c->data + c->used;
    c->used += (uint32_t)n;
    return r;
}

static inline void *txn_alloc(txn_priv *p, size_t n)
{
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (p->first_used + n <= p->first_cap) {
        void *r = (char *)p->first + p->first_used;
        p->first_used += (uint32_t)n;
        return r;
    }
    return txn_alloc_more(p, n);
}

/* Bytes of the arena a transaction has used. */
static size_t txn_arena_used(const txn_priv *p)
{
    size_t n = p->first_used;
    for (const arena_chunk *c = p->chunks; c; c = c->next)
        n += c->used;
    return n;
}

static inline char *txn_strndup(txn_priv *p, const void *s, size_t n)
{
    char *d = txn_alloc(p, n + 1);
    qftp_copy_short(d, s, n);
    d[n] = '\0';
    return d;
}

/* Makes room for one more element in an array of the arena (the old copy is left
 * behind: arrays are short). */
static void *txn_grow_more(txn_priv *p, void *arr, size_t n, uint32_t *cap, size_t size,
                           size_t first)
{
    /* small steps while short (most lists are), doubling beyond: a flood of lines into one
     * command costs at most twice what it holds */
    size_t nc = !*cap ? first : *cap < 4 * first ? *cap + first : (size_t)*cap * 2;
    void *g = txn_alloc(p, nc * size);
    if (n)
        memcpy(g, arr, n * size);
    *cap = nc;
    return g;
}

static inline void *txn_grow(txn_priv *p, void *arr, size_t n, uint32_t *cap, size_t size,
                             size_t first)
{
    return n < *cap ? arr : txn_grow_more(p, arr, n, cap, size, first);
}

/* ---- notes --------------------------------------------------------------------------- */

/* Each kind's format as an array the compiler checks the arguments against
 * (qftp/notes.h is the one table of kinds). */
#define X(ID, expert, format) static const char note_fmt_##ID[] = format;
QFTP_NOTE_KINDS(X)
#undef X
#define TXN_NOTE(s, t, ID, ...) txn_note(s, t, QFTP_NOTE_##ID, note_fmt_##ID, ##__VA_ARGS__)
#define SESSION_NOTE(s, ID, ...) session_note(s, QFTP_NOTE_##ID, note_fmt_##ID, ##__VA_ARGS__)

G_GNUC_PRINTF(4, 5)
static void txn_note(qftp_session *s, qftp_txn *t, qftp_note_kind kind, const char *fmt, ...)
{
    txn_priv *p = (txn_priv *)t;
    va_list ap;
    /* most texts fit the free end of the arena's first part: formatted there, they are
     * claimed with txn_alloc (the first part's next bytes, as the rest is a multiple of
     * ARENA_ALIGN) */
    char *end = (char *)p->first + p->first_used;
    va_start(ap, fmt);
    int n = qftp_format_simple(end, p->first_cap - p->first_used, fmt, ap);
    va_end(ap);
    char *text;
    if (n >= 0) {
        text = txn_alloc(p, (size_t)n + 1);
    } else {
        char buf[512];
        va_start(ap, fmt);
        n = qftp_format_simple(buf, sizeof buf, fmt, ap);
        va_end(ap);
        if (n < 0) {
            va_start(ap, fmt);
            n = vsnprintf(buf, sizeof buf, fmt, ap);
            va_end(ap);
        }
        if (n < 0) {
            text = txn_strndup(p, "", 0);
        } else if ((size_t)n < sizeof buf) {
            text = txn_strndup(p, buf, (size_t)n);
        } else {
            text = txn_alloc(p, (size_t)n + 1);
            va_start(ap, fmt);
            vsnprintf(text, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    if (p->notes_cap == 0) { /* txn_grow's first step, without a call: most have one note */
        t->notes = txn_alloc(p, sizeof(qftp_note));
        p->notes_cap = 1;
    } else {
        t->notes = txn_grow(p, t->notes, t->n_notes, &p->notes_cap, sizeof(qftp_note), 1);
    }
    t->notes[t->n_notes++] = (qftp_note){qftp_note_severity(kind), text, s->now, kind};
}

G_GNUC_PRINTF(3, 4)
static void session_note(qftp_session *s, qftp_note_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    qftp_note n = {qftp_note_severity(kind), g_strdup_vprintf(fmt, ap), s->now, kind};
    va_end(ap);
    if (s->o.sink.note)
        s->o.sink.note(s->o.sink.user, &n);
    if (s->o.sink.release)
        g_free(n.text);
    else
        g_array_append_val(s->notes, n);
}

/* ---- items ------------------------------------------------------------------------------- */

/* Room for items a transaction gets at once: command, final result, URC. */
#define ITEMS_FIRST 3

static inline void txn_item(qftp_session *s, qftp_txn *t, qftp_role role, const qftp_event *ev)
{
    txn_priv *p = (txn_priv *)t;
    if (s->wire_ev)
        ev = s->wire_ev;
    if (role == QFTP_ROLE_DATA && t->n_items && t->items[t->n_items - 1].role == QFTP_ROLE_DATA &&
        t->items[t->n_items - 1].dir == ev->dir) {
        /* the parser hands the payload on in pieces: one item per data mode */
        qftp_txn_item *d = &t->items[t->n_items - 1];
        if (ev->offset + ev->len > d->offset + d->len)
            d->len = ev->offset + ev->len - d->offset;
        d->frame = s->frame;
        d->ts = s->now;
        return;
    }
    t->items = txn_grow(p, t->items, t->n_items, &p->items_cap, sizeof(qftp_txn_item), ITEMS_FIRST);
    t->items[t->n_items++] = (qftp_txn_item){.offset = ev->offset,
                                             .len = role == QFTP_ROLE_DATA_END ? 0 : ev->len,
                                             .role = role,
                                             .dir = ev->dir,
                                             .frame = s->frame,
                                             .ts = s->now};
}

static void set_state(qftp_session *s, qftp_ftp_state to, const qftp_txn *t)
{
    if (s->state == to)
        return;
    qftp_transition tr = {s->state, to, s->now, t ? t->index : 0};
    if (s->o.sink.transition)
        s->o.sink.transition(s->o.sink.user, &tr);
    if (!s->o.sink.release)
        g_array_append_val(s->transitions, tr);
    s->state = to;
}

static void recheck_params(qftp_session *s);

static void set_dialect(qftp_session *s, qftp_dialect d, const char *why)
{
    if (s->dialect_forced || s->dialect != QFTP_DIALECT_UNKNOWN || d == QFTP_DIALECT_UNKNOWN)
        return;
    s->dialect = d;
    SESSION_NOTE(s, DIALECT, qftp_dialect_name(d), why);
    recheck_params(s);
}

static const char *cmd_label(const qftp_txn *t)
{
    return t->command[0] ? t->command : "AT";
}

static inline bool is_query_cmd(const qftp_txn *t)
{
    /* Queries run while a transfer is under way and never make the service busy. */
    qftp_op op = qftp_txn_op(t);
    if (op != QFTP_OP_OTHER)
        return op == QFTP_OP_QFTPSTAT;
    /* strcmp(t->command, "+QFTPLEN") == 0 without a call (most names here are other
     * +QFTP ones): it stops at the name's end */
    const char *n = t->command;
    return n[0] == '+' && n[1] == 'Q' && n[2] == 'F' && n[3] == 'T' && n[4] == 'P' && n[5] == 'L' &&
           n[6] == 'E' && n[7] == 'N' && n[8] == '\0';
}

/* ---- result decoding --------------------------------------------------------------- */

/* The value of a field that is an unquoted integer: most are a few plain digits, read
 * in place; the rest go through the cmdline's functions. */
static inline bool span_int(qftp_span v, int64_t *out)
{
    return qftp_plain_digits(v.p, v.len, out) ||
           (!qftp_param_is_quoted(v) && qftp_param_int(v, out));
}

/* t's value from a result field, whose span_int() the caller knows (is_int, i). */
static void value_set(qftp_txn *t, qftp_span f, bool is_int, int64_t i)
{
    qftp_value *v = &t->value;
    v->s = NULL;
    if (is_int) {
        v->kind = QFTP_VAL_INT;
        v->i = i;
        return;
    }
    /* unquoted straight into the arena (never longer than the field); a value of 512
     * bytes or more unquoted is kept as it came */
    char *d = txn_alloc((txn_priv *)t, f.len + 1);
    size_t n = qftp_param_unquote(f, d, f.len + 1);
    if (n >= 512) {
        if (f.len)
            memcpy(d, f.p, f.len);
        d[f.len] = '\0';
    }
    v->kind = QFTP_VAL_STR;
    v->s = d;
}

static void value_set_span(qftp_txn *t, qftp_span f)
{
    int64_t i = 0;
    bool is_int = span_int(f, &i);
    value_set(t, f, is_int, i);
}

/* Whether a response line's name is an FTP command's (+QFTP...). */
static bool resp_is_ftp(const qftp_resp *r)
{
    /* strncmp(r->name, "+QFTP", 5) == 0, without a call: it stops at the name's end */
    const char *n = r->name;
    return n[0] == '+' && n[1] == 'Q' && n[2] == 'F' && n[3] == 'T' && n[4] == 'P';
}

/* Whether a GSM "+NAME:<n>" with n >= 0 is a value: where the command reports one
 * (transferlen, a setting's value when AT+QFTPCFG=<type> asks for it, GSM 2.2.8), and
 * for commands outside the tables ("+QFTPSIZE:88752", device-quirks.md); not for the
 * commands whose <n> is 0 or an error code (AT+QFTPOPEN, AT+QFTPCLOSE, AT+QFTPPATH). */
static bool gsm_value(const qftp_txn *t)
{
    if (!t->def)
        return true;
    if (!t->def->value_name)
        return false;
    if (qftp_txn_op(t) == QFTP_OP_QFTPCFG)
        return t->type == QFTP_TYPE_WRITE && t->n_params <= 1; /* the query form */
    return true;
}

/* Decodes a result line into err / protocol_error / value as the manual names its fields
 * (the command's result shape, qftp/tables.h): "<err>,<protocol_error>" gives
 * protocol_error, 0 in "0,0" (a success with no FTP reply code: BG96 chapter 6, "If it is
 * 0, it is invalid"); "0,<value>" a value; GSM "<n>" a value where the command reports
 * one, an error code when negative. Lines of commands outside the tables are read by
 * their shape. */
static void decode_result(qftp_txn *t, const qftp_resp *r)
{
    /* Only the FTP commands' lines have these shapes (+QFUPL: <size>,<checksum> not). */
    if (r->n_fields == 0 || !resp_is_ftp(r))
        return;
    qftp_result_shape shape = t->def ? t->def->result : QFTP_RES_NONE;
    int64_t a, b = 0;
    if (r->n_fields == 1) {
        if (span_int(r->fields[0], &a)) {
            t->has_err = true;
            if (a >= 0) {
                t->err = 0;
                if (gsm_value(t)) {
                    t->value.kind = QFTP_VAL_INT;
                    t->value.i = a;
                }
            } else {
                t->err = a;
            }
        } else {
            value_set(t, r->fields[0], false, 0); /* +QFTPSTAT:OPENED */
        }
        return;
    }
    if (span_int(r->fields[0], &a)) {
        t->has_err = true;
        t->err = a;
        bool pe = span_int(r->fields[1], &b);
        if (a != 0 || shape == QFTP_RES_ERR_PE) {
            /* "<err>,<protocol_error>" */
            t->has_pe = pe;
            t->protocol_error = pe ? b : 0;
        } else if (r->n_fields == 2) {
            value_set(t, r->fields[1], pe, b);
        }
        return;
    }
    /* Read-back of a setting: "+QFTPCFG: \"filetype\",0" -> 0; more values are joined
     * ("+QFTPCFG: \"account\",\"u\",\"****\"" -> "u,****"). */
    if (r->n_fields == 2) {
        value_set_span(t, r->fields[1]);
        return;
    }
    GString *j = g_string_new(NULL);
    for (size_t i = 1; i < r->n_fields; i++) {
        char buf[512];
        qftp_param_unquote(r->fields[i], buf, sizeof buf);
        g_string_append_printf(j, "%s%s", i > 1 ? "," : "", buf);
    }
    t->value.kind = QFTP_VAL_STR;
    t->value.s = txn_strndup((txn_priv *)t, j->str, j->len);
    g_string_free(j, TRUE);
}

static qftp_dialect dialect_of_resp(const qftp_resp *r)
{
    if (!resp_is_ftp(r) || r->n_fields == 0)
        return QFTP_DIALECT_UNKNOWN;
    int64_t a;
    if (r->n_fields >= 2 && span_int(r->fields[0], &a))
        return QFTP_DIALECT_BG96;
    if (r->n_fields == 1) {
        if (span_int(r->fields[0], &a) && a < 0)
            return QFTP_DIALECT_GSM;
        if (!r->space_after_colon && strcmp(r->name, "+QFTPLEN") != 0)
            return QFTP_DIALECT_GSM;
        if (qftp_state_from_wire(r->fields[0].p, r->fields[0].len) >= 0 &&
            !span_int(r->fields[0], &a))
            return QFTP_DIALECT_GSM; /* state words */
    }
    return QFTP_DIALECT_UNKNOWN;
}

/* ---- transactions ----------------------------------------------------------------------- */

static void txn_free_chunks(txn_priv *p)
{
    for (arena_chunk *c = p->chunks, *n; c; c = n) {
        n = c->next;
        g_free(c);
    }
}

static void txn_free(gpointer ptr)
{
    txn_priv *p = ptr;
    if (!p)
        return;
    txn_free_chunks(p);
    g_free(p);
}

/* A released transaction: its block kept as a spare if there is room. */
static void txn_recycle(qftp_session *s, txn_priv *p)
{
    if (s->n_spare == SPARE_CAP) {
        txn_free(p);
        return;
    }
    txn_free_chunks(p);
    s->spare[s->n_spare++] = p;
}

static void problem_cb(void *user, int idx, const char *text)
{
    (void)idx;
    void **ctx = user;
    TXN_NOTE(ctx[0], ctx[1], PARAM, text);
}

static const char *param_text(const qftp_txn *t, size_t i, char *buf, size_t cap)
{
    if (i >= t->n_params)
        return NULL;
    qftp_span v = {t->params[i], strlen(t->params[i])};
    qftp_param_unquote(v, buf, cap);
    return buf;
}

static bool param_i(const qftp_txn *t, size_t i, int64_t *out)
{
    if (i >= t->n_params)
        return false;
    qftp_span v = {t->params[i], strlen(t->params[i])};
    return qftp_param_int(v, out);
}

static void count_problem(void *user, int idx, const char *text)
{
    (void)idx;
    (void)text;
    (*(int *)user)++;
}

/* What the command tables say of the names looked up so far: a session sends the same few
 * commands over and over. Names and keys are held zero-padded to a fixed size, so a lookup
 * hashes and compares them a word at a time; ones longer than that are looked up afresh.
 * Each table is open-addressed and at most half full: when it fills up it starts afresh,
 * so memory stays flat and a set of names never evicts one another. */
#define DEF_CACHE_BITS 7
#define DEF_CACHE (1u << DEF_CACHE_BITS)
#define DEF_CACHE_STR 32
typedef union {
    char c[DEF_CACHE_STR];
    uint64_t w[DEF_CACHE_STR / 8];
} def_name;
struct def_entry {
    def_name name;
    bool used;
    bool keyed;   /* a row of this name has a key (AT+QFTPCFG="..."): see key_entry */
    uint8_t op;   /* qftp_op_of(name) */
    uint8_t have; /* bit d: def[d] is looked up */
    const qftp_cmd_def *def[QFTP_DIALECT_BG96 + 1]; /* per dialect, when not keyed */
};
/* A keyed name's lookups, by name and key (NULL: has_key false). */
struct key_entry {
    def_name name, key;
    bool used;
    bool has_key;
    uint8_t have;
    const qftp_cmd_def *def[QFTP_DIALECT_BG96 + 1];
};
struct def_cache {
    unsigned n_names, n_keys;
    struct def_entry *last; /* the last name's: a command's is looked up twice in a row */
    struct def_entry names[DEF_CACHE];
    struct key_entry keys[DEF_CACHE];
};

/* k becomes s, zero-padded; false if s is too long for a def_name. */
static bool def_name_set(def_name *k, const char *s)
{
    size_t n = strlen(s);
    if (n >= DEF_CACHE_STR)
        return false;
    memset(k, 0, sizeof *k);
    memcpy(k->c, s, n);
    return true;
}

static bool def_name_eq(const def_name *a, const def_name *b)
{
    return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) |
            (a->w[3] ^ b->w[3])) == 0;
}

static uint64_t def_name_hash(const def_name *k)
{
    /* the top bits of a product depend on every bit of the word */
    return k->w[0] * 0x9e3779b97f4a7c15u + k->w[1] * 0xc2b2ae3d27d4eb4fu +
           k->w[2] * 0x165667b19e3779f9u + k->w[3] * 0xd6e8feb86659fd93u;
}

static bool name_is_keyed(const char *name)
{
    size_t n;
    const qftp_cmd_def *d = qftp_cmd_defs(&n);
    for (size_t i = 0; i < n; i++)
        if (d[i].key && g_ascii_strcasecmp(d[i].name, name) == 0)
            return true;
    return false;
}

/* def_entry_find() of a name not there: its entry filled in at slot i (the free one the
 * lookup reached). */
static struct def_entry *def_entry_add(struct def_cache *dc, const def_name *k, unsigned i)
{
    if (dc->n_names == DEF_CACHE / 2) {
        memset(dc->names, 0, sizeof dc->names);
        dc->n_names = 0;
        i = (unsigned)(def_name_hash(k) >> (64 - DEF_CACHE_BITS));
    }
    dc->n_names++;
    struct def_entry *e = &dc->names[i];
    e->name = *k;
    e->used = true;
    e->keyed = name_is_keyed(k->c);
    e->op = (uint8_t)qftp_op_of(k->c);
    e->have = 0;
    return dc->last = e;
}

/* The entry of the name k (filled in if it was not there). Inline: a name looked up
 * before (most are) costs no call. */
static inline struct def_entry *def_entry_find(struct def_cache *dc, const def_name *k)
{
    unsigned i = (unsigned)(def_name_hash(k) >> (64 - DEF_CACHE_BITS));
    for (; dc->names[i].used; i = (i + 1) % DEF_CACHE)
        if (def_name_eq(&dc->names[i].name, k))
            return dc->last = &dc->names[i];
    return def_entry_add(dc, k, i);
}

/* The entry of a name (filled in if it was not there), NULL if the name is too long. */
static struct def_entry *def_entry_of(const qftp_session *s, const char *name)
{
    struct def_cache *dc = s->defs;
    if (dc->last && strcmp(dc->last->name.c, name) == 0)
        return dc->last;
    def_name k;
    if (!def_name_set(&k, name))
        return NULL;
    return def_entry_find(dc, &k);
}

/* The entry of a command's name as qftp_cmdline_parse gives it: zero-padded to its 32
 * bytes already, so it is the key as it is. (Looked up once per command: the last name's
 * entry is seldom the next command's.) */
static inline struct def_entry *def_entry_of_cmd(const qftp_session *s, const qftp_subcmd *c)
{
    G_STATIC_ASSERT(sizeof c->name == sizeof(def_name));
    def_name k;
    memcpy(&k, c->name, sizeof k);
    return def_entry_find(s->defs, &k);
}

/* The entry of a keyed name and key, NULL if either is too long. */
static struct key_entry *key_entry_of(const qftp_session *s, const def_name *name, const char *key)
{
    def_name k;
    if (!def_name_set(&k, key ? key : ""))
        return NULL;
    struct def_cache *dc = s->defs;
    uint64_t h = def_name_hash(name) ^ (def_name_hash(&k) * 0x9e3779b97f4a7c15u) ^ (key != NULL);
    unsigned i = (unsigned)(h >> (64 - DEF_CACHE_BITS));
    for (; dc->keys[i].used; i = (i + 1) % DEF_CACHE) {
        struct key_entry *e = &dc->keys[i];
        if (e->has_key == (key != NULL) && def_name_eq(&e->name, name) && def_name_eq(&e->key, &k))
            return e;
    }
    if (dc->n_keys == DEF_CACHE / 2) {
        memset(dc->keys, 0, sizeof dc->keys);
        dc->n_keys = 0;
        i = (unsigned)(h >> (64 - DEF_CACHE_BITS));
    }
    dc->n_keys++;
    struct key_entry *e = &dc->keys[i];
    e->name = *name;
    e->key = k;
    e->used = true;
    e->has_key = key != NULL;
    e->have = 0;
    return e;
}

/* The row of `name` (whose entry is e, NULL for a name too long for one) in dialect d:
 * qftp_cmd_find(name, d, key). */
static inline const qftp_cmd_def *find_def(const qftp_session *s, struct def_entry *e,
                                           const char *name, qftp_dialect d, const char *key)
{
    if (!e || (unsigned)d >= G_N_ELEMENTS(e->def))
        return qftp_cmd_find(name, d, key);
    /* without a keyed row the key decides nothing (qftp_cmd_find) */
    if (!e->keyed) {
        if (!(e->have & (1u << d))) {
            e->def[d] = qftp_cmd_find(name, d, NULL);
            e->have |= (uint8_t)(1u << d);
        }
        return e->def[d];
    }
    struct key_entry *k = key_entry_of(s, &e->name, key);
    if (!k)
        return qftp_cmd_find(name, d, key);
    if (!(k->have & (1u << d))) {
        k->def[d] = qftp_cmd_find(name, d, key);
        k->have |= (uint8_t)(1u << d);
    }
    return k->def[d];
}

/* The first parameter's unquoted text, the key of a keyed row (AT+QFTPCFG="<name>",...),
 * made when first asked for: most commands have no keyed row. */
typedef struct {
    const qftp_txn *t;
    bool made;
    const char *text; /* NULL: not a write with parameters */
    char buf[64];
} txn_key;

static const char *key_text(txn_key *k)
{
    if (!k->made) {
        k->made = true;
        k->text = k->t->type == QFTP_TYPE_WRITE && k->t->n_params > 0
                      ? param_text(k->t, 0, k->buf, sizeof k->buf)
                      : NULL;
    }
    return k->text;
}

/* Looks the command up (e: the entry of its name). While the dialect is unknown and both
 * dialects have the command with different parameters, the row the parameters fit wins
 * (*fits_only says which dialect alone fitted, as evidence of the dialect). */
static const qftp_cmd_def *resolve_def_in(const qftp_session *s, const qftp_txn *t,
                                          struct def_entry *e, const qftp_subcmd *c,
                                          qftp_dialect *fits_only, txn_key *key)
{
    if (fits_only)
        *fits_only = QFTP_DIALECT_UNKNOWN;
    const char *k = !e || e->keyed ? key_text(key) : NULL;
    const qftp_cmd_def *d = find_def(s, e, t->command, s->dialect, k);
    if (s->dialect != QFTP_DIALECT_UNKNOWN || c == NULL)
        return d;
    const qftp_cmd_def *g = find_def(s, e, t->command, QFTP_DIALECT_GSM, k);
    const qftp_cmd_def *b = find_def(s, e, t->command, QFTP_DIALECT_BG96, k);
    if (g == NULL || b == NULL || g == b)
        return d;
    int pg = 0, pb = 0;
    qftp_check_params(g, c, count_problem, &pg);
    qftp_check_params(b, c, count_problem, &pb);
    if (fits_only && (pg == 0) != (pb == 0))
        *fits_only = pg == 0 ? QFTP_DIALECT_GSM : QFTP_DIALECT_BG96;
    return pb < pg ? b : g;
}

/* resolve_def_in() with the entry of t's name. */
static const qftp_cmd_def *resolve_def_fit(const qftp_session *s, const qftp_txn *t,
                                           const qftp_subcmd *c, qftp_dialect *fits_only,
                                           txn_key *key)
{
    return resolve_def_in(s, t, def_entry_of(s, t->command), c, fits_only, key);
}

static const qftp_cmd_def *resolve_def(const qftp_session *s, const qftp_txn *t)
{
    txn_key key = {.t = t};
    return resolve_def_fit(s, t, NULL, NULL, &key);
}

/* Looks the command up again if the dialect has become known since (it changes once). */
static void refresh_def(const qftp_session *s, qftp_txn *t)
{
    txn_priv *p = (txn_priv *)t;
    if (p->def_final)
        return;
    const qftp_cmd_def *d = resolve_def(s, t);
    if (d)
        t->def = d;
    p->def_final = s->dialect != QFTP_DIALECT_UNKNOWN;
}

/* Whether t's parameters depend on a dialect not known yet: both manuals have the
 * command, with rows of their own. */
static bool dialect_open(const qftp_session *s, const qftp_txn *t, txn_key *key)
{
    if (s->dialect != QFTP_DIALECT_UNKNOWN || s->dialect_forced)
        return false;
    const char *k = key_text(key);
    const qftp_cmd_def *g = qftp_cmd_find(t->command, QFTP_DIALECT_GSM, k);
    const qftp_cmd_def *b = qftp_cmd_find(t->command, QFTP_DIALECT_BG96, k);
    return g && b && g != b;
}

/* The dialect is known now: the commands whose parameters waited for it are looked up
 * again and checked (their notes come now). */
static void recheck_params(qftp_session *s)
{
    if (s->unchecked_n == 0)
        return;
    s->unchecked_n = 0;
    for (guint i = 0; i < s->txns.len; i++) {
        txn_priv *p = (txn_priv *)s->txns.v[i];
        if (!p || !p->unchecked || s->base + i < s->handed) /* handed over: final */
            continue;
        p->unchecked = false;
        qftp_txn *t = &p->t;
        refresh_def(s, t);
        if (!t->def)
            continue;
        qftp_subcmd cmds[QFTP_MAX_SUBCMDS];
        int n = qftp_cmdline_parse(t->line, strlen(t->line), cmds, QFTP_MAX_SUBCMDS, NULL, NULL);
        if ((int)t->sub_index >= n)
            continue;
        void *ctx[2] = {s, t};
        qftp_check_params(t->def, &cmds[t->sub_index], problem_cb, ctx);
    }
}

/* Evidence of the dialect in a command (names only one manual has, parameter forms). */
static void dialect_from_command(qftp_session *s, const qftp_txn *t)
{
    if (s->dialect != QFTP_DIALECT_UNKNOWN || s->dialect_forced ||
        strncmp(t->command, "+QFTP", 5) != 0)
        return;
    int d = qftp_cmd_dialect(t->command);
    char why[160];
    snprintf(why, sizeof why, "the command %s", t->line);
    if (d == QFTP_DIALECT_GSM || d == QFTP_DIALECT_BG96) {
        set_dialect(s, (qftp_dialect)d, why);
        return;
    }
    if (t->type != QFTP_TYPE_WRITE || t->n_params == 0)
        return;
    qftp_span p0 = {t->params[0], strlen(t->params[0])};
    int64_t v;
    if (qftp_txn_op(t) == QFTP_OP_QFTPCFG) {
        if (qftp_param_is_quoted(p0))
            set_dialect(s, QFTP_DIALECT_BG96, why);
        else if (qftp_param_int(p0, &v))
            set_dialect(s, QFTP_DIALECT_GSM, why);
    } else if (qftp_txn_op(t) == QFTP_OP_QFTPPUT || qftp_txn_op(t) == QFTP_OP_QFTPGET) {
        if (t->n_params >= 2) {
            qftp_span p1 = {t->params[1], strlen(t->params[1])};
            if (qftp_param_is_quoted(p1))
                set_dialect(s, QFTP_DIALECT_BG96, why);
            else if (qftp_param_int(p1, &v) && qftp_txn_op(t) == QFTP_OP_QFTPPUT)
                set_dialect(s, QFTP_DIALECT_GSM, why);
        } else if (qftp_txn_op(t) == QFTP_OP_QFTPGET) {
            set_dialect(s, QFTP_DIALECT_GSM, why); /* GSM 2.2.4: file name only */
        }
    }
}

/* g_ascii_strcasecmp(key, word) == 0 for a word of lower-case letters, without a call: a
 * key's byte with bit 5 set equals such a letter only if it is that letter in either case. */
static inline bool key_is(const char *key, const char *word)
{
    for (; *word; key++, word++)
        if ((*key | 0x20) != *word)
            return false;
    return *key == '\0';
}

/* Settings that change how later traffic reads. */
static void track_settings(qftp_session *s, qftp_txn *t, txn_key *k)
{
    if (qftp_txn_op(t) != QFTP_OP_QFTPCFG || t->type != QFTP_TYPE_WRITE || t->n_params < 2)
        return;
    const char *key = key_text(k);
    int64_t v;
    if (key_is(key, "rsptimeout") && param_i(t, 1, &v) && v > 0 && v <= INT64_MAX / QFTP_NS_PER_SEC)
        s->rsptimeout = v * QFTP_NS_PER_SEC; /* a value no time can hold is not taken (the
                                                parameter check says it is out of range) */
    else if (key_is(key, "ssltype") && param_i(t, 1, &v))
        s->ssltype = (int)v;
}

static void credentials_note(qftp_session *s, qftp_txn *t, txn_key *k)
{
    if (t->type != QFTP_TYPE_WRITE)
        return;
    bool pass = qftp_txn_op(t) == QFTP_OP_QFTPPASS && t->n_params >= 1;
    bool account =
        qftp_txn_op(t) == QFTP_OP_QFTPCFG && t->n_params >= 3 && key_is(key_text(k), "account");
    if (pass || account)
        TXN_NOTE(s, t, PASSWORD_IN_CLEAR,
                 s->o.redact ? " (redacted here)" : " (use --redact to hide it)");
    if (qftp_txn_op(t) == QFTP_OP_QFTPOPEN && s->ssltype == 0)
        TXN_NOTE(s, t, PLAIN_FTP,
                 s->dialect == QFTP_DIALECT_BG96 ? " (AT+QFTPCFG=\"ssltype\" is 0)" : "");
}

static inline void list_clear(txn_list *a)
{
    a->len = 0;
}

static void list_grow(txn_list *a)
{
    a->cap = a->cap ? a->cap * 2 : 16;
    a->v = g_renew(qftp_txn *, a->v, a->cap);
}

static inline void list_add(txn_list *a, qftp_txn *t)
{
    if (a->len == a->cap)
        list_grow(a);
    a->v[a->len++] = t;
}

/* ---- the commands waiting for their URC: a queue with holes ----------------------------- */

/* The i-th entry of the queue, NULL for a hole. */
#define WAITING(s, i) ((s)->wait_urc.v[i])

static void wait_trim(qftp_session *s)
{
    txn_list *a = &s->wait_urc;
    while (s->wait_head < a->len && !a->v[s->wait_head])
        s->wait_head++;
    if (s->wait_head == a->len) {
        list_clear(a);
        s->wait_head = 0;
    } else if (s->wait_head > 64 && s->wait_head * 2 > a->len) {
        a->len -= s->wait_head;
        memmove(a->v, a->v + s->wait_head, a->len * sizeof *a->v);
        s->wait_head = 0;
    }
}

static void wait_take(qftp_session *s, guint i)
{
    s->wait_urc.v[i] = NULL;
    wait_trim(s);
}

static bool wait_listed(const qftp_session *s, const qftp_txn *t)
{
    for (guint i = s->wait_head; i < s->wait_urc.len; i++)
        if (WAITING(s, i) == t)
            return true;
    return false;
}

/* t waits for no URC any more (done, or freed): off the list. */
static void wait_unlist(qftp_session *s, const qftp_txn *t)
{
    for (bool again = true; again;) {
        again = false;
        for (guint i = s->wait_head; i < s->wait_urc.len; i++)
            if (WAITING(s, i) == t) {
                wait_take(s, i); /* it may compact the list: look again from its head */
                again = true;
                break;
            }
    }
}

static bool ftp_busy(const qftp_session *s, const qftp_txn **by)
{
    for (guint i = s->wait_head; i < s->wait_urc.len; i++) {
        const qftp_txn *w = WAITING(s, i);
        if (w && w->def && w->def->ftp && !is_query_cmd(w)) {
            *by = w;
            return true;
        }
    }
    if (s->data_txn && s->data_txn->def && s->data_txn->def->ftp) {
        *by = s->data_txn;
        return true;
    }
    return false;
}

static bool expects_urc(const qftp_txn *t)
{
    return t->def && (t->def->urc_forms & QFTP_FORM_BIT(t->type));
}

/* A new transaction for command c of the line (ll bytes; c NULL: a line without a command). The
 * spans of the command and its parameters come from wc, the same command parsed from the
 * line as it is on the wire (wline), when redaction changed the line; else from c. Inline:
 * a command's costs no call with nine arguments. */
static inline __attribute__((always_inline)) qftp_txn *
new_txn(qftp_session *s, const char *line, size_t ll, const qftp_subcmd *c, unsigned sub,
        qftp_dir line_dir, uint64_t line_offset, const char *wline, const qftp_subcmd *wc)
{
    /* the arena about as large as the recent transactions' (a moving average; one that
     * needs more gets a chunk of its own) */
    size_t n = s->txns.len;
    const txn_priv *prev = n ? (const txn_priv *)s->txns.v[n - 1] : NULL;
    if (prev) {
        s->arena_hint = (s->arena_hint * 7 + txn_arena_used(prev)) / 8;
        if (s->arena_hint < ARENA_HINT_MIN)
            s->arena_hint = ARENA_HINT_MIN;
        if (s->arena_hint > ARENA_HINT_MAX)
            s->arena_hint = ARENA_HINT_MAX;
    }
    size_t cap = (s->arena_hint + 16 + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    txn_priv *p = NULL;
    if (s->o.sink.release) {
        cap = (cap + ARENA_STEP - 1) / ARENA_STEP * ARENA_STEP;
        while (s->n_spare && !p) {
            p = s->spare[--s->n_spare];
            if (p->first_cap < cap) {
                g_free(p);
                p = NULL;
            }
        }
    }
    if (p)
        cap = p->first_cap;
    else
        p = g_malloc(sizeof(txn_priv) + cap);
    memset(p, 0, sizeof(txn_priv));
    p->first_cap = (uint32_t)cap;
    qftp_txn *t = &p->t;
    t->index = (unsigned)(s->base + s->txns.len + 1);
    /* One block of the arena for the first items, the parameters' arrays, the name (with its
     * zero padding: a copy of known size), the line and the parameters' texts, in this order
     * (the items' and arrays' sizes are multiples of ARENA_ALIGN, so each stays aligned). */
    size_t np = c ? c->n_params : 0, texts = 0;
    for (size_t i = 0; i < np; i++)
        texts += c->params[i].len + 1;
    size_t arrays = c ? (np + 1) * (sizeof(char *) + sizeof(qftp_rel_span)) : 0;
    size_t name = c ? sizeof c->name : 1;
    char *b = txn_alloc(p, ITEMS_FIRST * sizeof(qftp_txn_item) + arrays + name + ll + 1 + texts);
    t->items = (qftp_txn_item *)(void *)b;
    p->items_cap = ITEMS_FIRST;
    b += ITEMS_FIRST * sizeof(qftp_txn_item);
    if (c) {
        t->params = (char **)(void *)b;
        t->param_spans = (qftp_rel_span *)(void *)(b + (np + 1) * sizeof(char *));
        b += arrays;
        memcpy(b, c->name, sizeof c->name);
    } else {
        b[0] = '\0';
    }
    t->command = b;
    b += name;
    qftp_copy_short(b, line, ll);
    b[ll] = '\0';
    t->line = b;
    b += ll + 1;
    t->op = QFTP_OP_OTHER; /* (a command's: set by on_command from its name's entry) */
    t->type = c ? c->type : QFTP_TYPE_EXEC;
    t->line_dir = line_dir;
    t->line_offset = line_offset;
    t->sub_index = sub;
    t->t_sent = s->now;
    t->frame_sent = s->frame;
    t->final = QFTP_FINAL_NONE;
    t->cme_code = -1;
    t->connect_len = -1;
    t->data_len = -1;
    if (c) {
        const qftp_subcmd *sc = wc && wc->n_params == c->n_params ? wc : c;
        const char *sl = sc == wc ? wline : line;
        t->cmd_span = (qftp_rel_span){(uint32_t)(sc->text.p - sl), (uint32_t)sc->text.len};
        t->n_params = c->n_params;
        for (size_t i = 0; i < c->n_params; i++) {
            qftp_copy_short(b, c->params[i].p, c->params[i].len);
            b[c->params[i].len] = '\0';
            t->params[i] = b;
            b += c->params[i].len + 1;
            t->param_spans[i] =
                (qftp_rel_span){(uint32_t)(sc->params[i].p - sl), (uint32_t)sc->params[i].len};
        }
        t->params[c->n_params] = NULL;
    } else {
        t->cmd_span = (qftp_rel_span){0, (uint32_t)ll};
    }
    list_add(&s->txns, t);
    return t;
}

/* Closes the group that never got its final result. */
static void group_abandon(qftp_session *s, const char *why)
{
    for (guint i = 0; i < s->group.len; i++) {
        qftp_txn *t = s->group.v[i];
        if (t->phase == QFTP_TXN_WAIT_FINAL) {
            TXN_NOTE(s, t, NO_FINAL, why);
            t->phase = QFTP_TXN_DONE;
        } else if (t->urc && t->final == QFTP_FINAL_NONE && !t->inferred &&
                   !(t->connect && t->has_err && t->err != 0)) {
            /* the outcome came, the OK before it never did (after a data mode that
             * failed, +QFTPPUT: 609,0, none comes: device-quirks.md "Data mode") */
            TXN_NOTE(s, t, OUTCOME_BEFORE_FINAL);
        }
    }
    list_clear(&s->group);
}

static void give_up_stale(qftp_session *s);

static void on_command(qftp_session *s, const qftp_event *ev, bool from_echo)
{
    s->echo_off = false;
    /* A command during a download: the module is back in command mode, so a URC
     * with a count that did not match, or a line that stands for bytes left out, was the
     * end after all (parser.h); with neither, the end is not in the log (trimmed, or the
     * module's lines lost) and data mode ends here. */
    if (!from_echo && qftp_parser_in_data(s->rx)) {
        qftp_txn *d = s->data_txn;
        uint64_t d_pos = d ? d->index - 1u : 0; /* its position among the transactions */
        bool broke = qftp_parser_data_break(s->rx, s->now);
        if (!broke && qftp_parser_in_data(s->rx))
            qftp_parser_exit_data(s->rx, s->now, QFTP_DATA_END_FORCED);
        /* the lines the break fed again may have completed the download and a releasing
         * sink freed it */
        if (d && s->o.sink.release && d_pos < s->handed)
            d = NULL;
        if (d && d->urc == NULL && d->data_dir == QFTP_DIR_RX) {
            char what[64];
            /* the line's own bytes only: ev->data is not a C string */
            snprintf(what, sizeof what, "%.*s%s", (int)MIN(ev->len, (size_t)40),
                     (const char *)ev->data, ev->len > 40 ? "..." : "");
            TXN_NOTE(s, d, DATA_ENDED_BY_COMMAND, what,
                     (((txn_priv *)d)->data_flags & QFTP_EVF_ELIDED)
                         ? "download but an elision line"
                         : "download",
                     d->data_len);
        }
    }
    list_clear(&s->answered);
    bool repeat = (ev->flags & QFTP_EVF_REPEAT) != 0;
    if (repeat)
        g_string_assign(s->scratch, s->last_line ? s->last_line->str : "A/");
    else
        string_set(s->scratch, ev->data, ev->len);
    /* With opts.redact the line kept is redacted (qftp/redact.h); the places of the command
     * and its parameters are those of the line as it is on the wire. */
    char *wire = NULL;
    if (s->o.redact && !repeat) {
        char *red =
            qftp_redact_dup((const uint8_t *)s->scratch->str, s->scratch->len, s->dialect, NULL);
        if (red) {
            wire = g_strdup(s->scratch->str);
            g_string_assign(s->scratch, red);
            g_free(red);
        }
    }
    char *line = s->scratch->str;
    qftp_dir line_dir = from_echo ? QFTP_DIR_RX : QFTP_DIR_TX;
    uint64_t line_offset = repeat ? QFTP_NO_OFFSET : ev->offset;
    if (s->group.len > 0) {
        char why[96];
        snprintf(why, sizeof why, "the next command was sent %.3f s later",
                 rel(s, s->now) - rel(s, s->group.v[0]->t_sent));
        group_abandon(s, why);
    }
    qftp_subcmd cmds[QFTP_MAX_SUBCMDS];
    bool truncated = false;
    size_t ll = strlen(line);
    /* (no error text: a line that is not a command is a transaction without a name) */
    int n = qftp_cmdline_parse(line, ll, cmds, QFTP_MAX_SUBCMDS, &truncated, NULL);
    qftp_subcmd wcmds[QFTP_MAX_SUBCMDS];
    int nw = wire ? qftp_cmdline_parse(wire, strlen(wire), wcmds, QFTP_MAX_SUBCMDS, NULL, NULL) : 0;
    if (n <= 0) {
        /* "AT" alone, or A/ with nothing to repeat: one transaction without a name. */
        qftp_txn *t = new_txn(s, line, ll, NULL, 0, line_dir, line_offset, NULL, NULL);
        t->repeat = repeat;
        txn_item(s, t, from_echo ? QFTP_ROLE_ECHO : QFTP_ROLE_COMMAND, ev);
        list_add(&s->group, t);
        s->item_txn = t;
    }
    for (int k = 0; k < n; k++) {
        qftp_txn *t = new_txn(s, line, ll, &cmds[k], (unsigned)k, line_dir, line_offset, wire,
                              wire && k < nw ? &wcmds[k] : NULL);
        struct def_entry *e = def_entry_of_cmd(s, &cmds[k]);
        t->op = e->op;
        t->repeat = repeat;
        txn_item(s, t, from_echo ? QFTP_ROLE_ECHO : QFTP_ROLE_COMMAND, ev);
        if (from_echo) {
            t->echoed = true;
            t->frame_echo = s->frame;
        }
        qftp_dialect was = s->dialect;
        dialect_from_command(s, t);
        if (s->dialect != was) /* recheck_params looked names up: the table may be new */
            e = def_entry_of_cmd(s, &cmds[k]);
        qftp_dialect fits;
        txn_key key;
        key.t = t;
        key.made = false; /* (its text and buffer are set when first asked for) */
        t->def = resolve_def_in(s, t, e, &cmds[k], &fits, &key);
        ((txn_priv *)t)->def_final = s->dialect != QFTP_DIALECT_UNKNOWN;
        if (fits != QFTP_DIALECT_UNKNOWN) {
            char why[160];
            snprintf(why, sizeof why, "the parameters of %s", t->line);
            set_dialect(s, fits, why);
        }
        if (t->def && dialect_open(s, t, &key)) {
            /* no warnings from a guessed dialect: checked once it is known */
            ((txn_priv *)t)->unchecked = true;
            s->unchecked_n++;
        } else if (t->def) {
            void *ctx[2] = {s, t};
            qftp_check_params(t->def, &cmds[k], problem_cb, ctx);
        }
        const qftp_txn *by;
        if (t->def && t->def->ftp && expects_urc(t) && !is_query_cmd(t) && ftp_busy(s, &by))
            TXN_NOTE(s, t, BUSY, cmd_label(by), by->index);
        track_settings(s, t, &key);
        credentials_note(s, t, &key);
        if (cmds[k].too_many_params)
            TXN_NOTE(s, t, TOO_MANY_PARAMS, QFTP_MAX_PARAMS);
        list_add(&s->group, t);
        s->item_txn = t;
    }
    if (truncated)
        SESSION_NOTE(s, TOO_MANY_COMMANDS, QFTP_MAX_SUBCMDS, line);
    if (ev->flags & QFTP_EVF_PARTIAL && s->item_txn)
        TXN_NOTE(s, s->item_txn, UNTERMINATED);
    if (!repeat) {
        /* the line is the scratch's text: the scratch becomes the last line, the old last
         * line the next scratch */
        GString *old = s->last_line ? s->last_line : g_string_sized_new(64);
        s->last_line = s->scratch;
        s->scratch = old;
    }
    if (wire) /* (most lines have no wire copy: no call for them) */
        g_free(wire);
    give_up_stale(s);
}

static qftp_txn *group_last(const qftp_session *s)
{
    return s->group.len ? s->group.v[s->group.len - 1] : NULL;
}

/* Compares an echo with the command line, ignoring case and trailing ';' and spaces. */
static bool echo_matches(const char *line, const uint8_t *e, size_t n)
{
    size_t ln = strlen(line);
    while (ln > 0 && (line[ln - 1] == ' ' || line[ln - 1] == ';'))
        ln--;
    while (n > 0 && (e[n - 1] == ' ' || e[n - 1] == ';'))
        n--;
    return ln == n && g_ascii_strncasecmp(line, (const char *)e, n) == 0;
}

static void on_echo(qftp_session *s, const qftp_event *ev)
{
    qftp_txn *t = group_last(s);
    /* compared as the command line is kept: redacted with opts.redact */
    size_t rn = 0;
    char *red = s->o.redact ? qftp_redact_dup(ev->data, ev->len, s->dialect, &rn) : NULL;
    bool matches = t && !t->echoed &&
                   echo_matches(t->line, red ? (const uint8_t *)red : ev->data, red ? rn : ev->len);
    g_free(red);
    if (matches) {
        for (guint i = 0; i < s->group.len; i++) {
            qftp_txn *g = s->group.v[i];
            g->echoed = true;
            g->frame_echo = s->frame;
            txn_item(s, g, QFTP_ROLE_ECHO, ev);
        }
        s->item_txn = t;
        return;
    }
    /* A capture of the module's side only: the echo is all there is of the command. */
    on_command(s, ev, true);
    if (s->item_txn)
        TXN_NOTE(s, s->item_txn, ECHO_ONLY);
}

static void state_after_ok(qftp_session *s, qftp_txn *t)
{
    /* an OK after the completion URC (it came first) changes nothing any more */
    if (!t->def || !t->def->ftp || t->final != QFTP_FINAL_OK || t->urc)
        return;
    if (qftp_txn_op(t) == QFTP_OP_QFTPOPEN && t->type == QFTP_TYPE_WRITE)
        set_state(s, QFTP_STATE_OPENING, t);
    else if (qftp_txn_op(t) == QFTP_OP_QFTPCLOSE && t->type == QFTP_TYPE_EXEC)
        set_state(s, QFTP_STATE_CLOSING, t);
    else if (t->def->data != QFTP_DATA_NONE && t->type == QFTP_TYPE_WRITE && !t->connect &&
             s->state != QFTP_STATE_TRANSFER)
        set_state(s, QFTP_STATE_TRANSFER, t);
    else if (expects_urc(t) && !is_query_cmd(t) && s->state == QFTP_STATE_OPENED &&
             qftp_txn_op(t) != QFTP_OP_QFTPCFG && qftp_txn_op(t) != QFTP_OP_QFTPPATH)
        set_state(s, QFTP_STATE_WORKING, t);
}

static void state_after_urc(qftp_session *s, qftp_txn *t)
{
    if (!t->def || !t->def->ftp)
        return;
    bool ok = !t->has_err || t->err == 0;
    if (qftp_txn_op(t) == QFTP_OP_QFTPOPEN) {
        set_state(s,
                  ok ? QFTP_STATE_OPENED
                     : (s->dialect == QFTP_DIALECT_BG96 ? QFTP_STATE_CLOSED : QFTP_STATE_IDLE),
                  t);
    } else if (qftp_txn_op(t) == QFTP_OP_QFTPCLOSE) {
        set_state(s, QFTP_STATE_CLOSED, t);
    } else if (qftp_txn_op(t) == QFTP_OP_QFTPSTAT) {
        /* handled from the reported state */
    } else if (s->state == QFTP_STATE_WORKING || s->state == QFTP_STATE_TRANSFER) {
        set_state(s, QFTP_STATE_OPENED, t);
    }
}

static void report_state(qftp_session *s, qftp_txn *t, const qftp_resp *r)
{
    /* GSM "+QFTPSTAT:OPENED", BG96 "+QFTPSTAT: 0,1" (device-quirks.md). */
    qftp_span f = r->n_fields >= 2 ? r->fields[1] : r->fields[0];
    int st = qftp_state_from_wire(f.p, f.len);
    if (r->n_fields >= 2 && st == QFTP_STATE_IDLE)
        st = QFTP_STATE_OPENING; /* BG96 0 = opening */
    if (st < 0)
        return;
    if ((qftp_ftp_state)st != s->state && s->base + s->txns.len > 1)
        TXN_NOTE(s, t, STATE_DIFFERS, qftp_state_name((qftp_ftp_state)st),
                 qftp_state_name(s->state));
    set_state(s, (qftp_ftp_state)st, t);
}

static void note_error_final(qftp_session *s, qftp_txn *t)
{
    if (t->final == QFTP_FINAL_ERROR) {
        TXN_NOTE(s, t, ERROR_RESULT);
    } else if (t->final == QFTP_FINAL_CME_ERROR || t->final == QFTP_FINAL_CMS_ERROR) {
        const char *what = NULL;
        if (t->cme_code >= 0) {
            what = qftp_code_text(QFTP_CODES_BG96_FTP, (int)t->cme_code);
            if (what == NULL)
                what = qftp_code_text(QFTP_CODES_CME, (int)t->cme_code);
        }
        if (t->cme_code >= 0)
            TXN_NOTE(s, t, CME_ERROR, t->final_line, what ? what : "(code not in the tables)");
        else
            TXN_NOTE(s, t, CME_ERROR_TEXT, t->final_line);
    } else if (t->final != QFTP_FINAL_OK) {
        TXN_NOTE(s, t, OTHER_FINAL, qftp_final_name(t->final));
    }
}

/* What a final result says beyond its text: ATE0 answered OK, an error's code and note. */
static void final_effects(qftp_session *s, qftp_txn *t, const qftp_event *ev, qftp_final_kind kind)
{
    if (kind == QFTP_FINAL_OK && !t->inferred && qftp_txn_op(t) == QFTP_OP_E &&
        (t->n_params == 0 || strcmp(t->params[0], "0") == 0))
        s->echo_off = true; /* V.250 6.2.4: ATE0 (ATE is E0 too) */
    if (kind == QFTP_FINAL_CME_ERROR || kind == QFTP_FINAL_CMS_ERROR) {
        t->cme_code = ev->value;
        if (ev->value < 0 && ev->len > 11) {
            const uint8_t *p = ev->data + 11;
            size_t n = ev->len - 11;
            while (n > 0 && *p == ' ') {
                p++;
                n--;
            }
            t->cme_text = txn_strndup((txn_priv *)t, p, n);
        }
    }
    note_error_final(s, t);
}

/* Inline, as most finals are the OK of a command other than ATE: final_effects() has
 * nothing to do for those, and they make no call. */
static inline __attribute__((always_inline)) void
set_final(qftp_session *s, qftp_txn *t, const qftp_event *ev, qftp_final_kind kind)
{
    t->final = kind;
    /* most finals are "OK": that text needs no copy */
    t->final_line = ev->len == 2 && memcmp(ev->data, "OK", 2) == 0
                        ? (char *)"OK"
                        : txn_strndup((txn_priv *)t, ev->data, ev->len);
    txn_item(s, t, QFTP_ROLE_FINAL, ev);
    t->t_final = s->now;
    t->frame_final = s->frame;
    if (kind != QFTP_FINAL_OK || qftp_txn_op(t) == QFTP_OP_E)
        final_effects(s, t, ev, kind);
}

/* No byte of the host's side so far: a log of the module's side only; or echo was
 * switched off and no command came since (the commands are not in the input). */
static bool module_only(const qftp_session *s)
{
    return s->bytes[QFTP_DIR_TX] == 0 || s->echo_off;
}

static void say_module_only(qftp_session *s)
{
    if (s->module_only_said)
        return;
    s->module_only_said = true;
    if (s->bytes[QFTP_DIR_TX] == 0)
        SESSION_NOTE(s, MODULE_SIDE_ONLY);
    else
        SESSION_NOTE(s, MODULE_SIDE_AFTER_ECHO_OFF);
}

static void keep_orphan_final(qftp_session *s, const qftp_event *ev, qftp_final_kind kind)
{
    if (!s->orphan_final.line)
        s->orphan_final.line = g_string_sized_new(32);
    g_string_assign(s->orphan_final.line, "");
    g_string_append_len(s->orphan_final.line, (const char *)ev->data, (gssize)ev->len);
    s->orphan_final.have = true;
    s->orphan_final.kind = kind;
    s->orphan_final.ev = *(s->wire_ev ? s->wire_ev : ev);
    s->orphan_final.ev.data = (const uint8_t *)s->orphan_final.line->str;
    s->orphan_final.ev.len = s->orphan_final.line->len;
    s->orphan_final.ts = s->now;
    s->orphan_final.frame = s->frame;
}

static void on_final(qftp_session *s, const qftp_event *ev, qftp_final_kind kind)
{
    if (s->group.len == 0) {
        /* The OK after a data-mode transfer (BG96 "<data> OK +QFTPGET: 0,<n>"). */
        qftp_txn *d = s->last_data_txn;
        if (d && d->final == QFTP_FINAL_NONE) {
            set_final(s, d, ev, kind);
            s->item_txn = d;
            return;
        }
        list_clear(&s->answered);
        if (module_only(s)) {
            /* the command is not in the input: kept for the URC that may name it */
            keep_orphan_final(s, ev, kind);
            return;
        }
        SESSION_NOTE(s, ORPHAN_FINAL, (int)ev->len, (const char *)ev->data);
        return;
    }
    list_clear(&s->answered);
    for (guint i = 0; i < s->group.len; i++) {
        qftp_txn *t = s->group.v[i];
        set_final(s, t, ev, kind);
        if (t->connect && t->phase == QFTP_TXN_DATA) {
            /* final after the data (BG96 PUT/GET to COM:) */
        } else if (kind == QFTP_FINAL_OK && expects_urc(t) && t->urc == NULL &&
                   !(t->escaped && t->data_dir == QFTP_DIR_RX)) {
            t->phase = QFTP_TXN_WAIT_URC;
            list_add(&s->wait_urc, t);
        } else {
            t->phase = QFTP_TXN_DONE;
        }
        if (t->phase == QFTP_TXN_DATA || t->connect)
            s->last_data_txn = t;
        state_after_ok(s, t);
        s->item_txn = t;
        if (kind == QFTP_FINAL_OK)
            list_add(&s->answered, t);
    }
    list_clear(&s->group);
}

/* The length an AT+QFTPPUT declares it will upload, and the parameter's name: BG96 2.5
 * <uploadlen> (4th); GSM 2.2.3 <fileSz> (2nd, unquoted; 0 means the stored file's real
 * size, so no length is declared then). */
static bool upload_declared(const qftp_txn *t, int64_t *len, const char **name)
{
    int64_t v;
    if (t->n_params >= 4 && param_i(t, 3, &v) && v > 0) {
        *len = v;
        if (name)
            *name = "<uploadlen>";
        return true;
    }
    if (t->n_params >= 2 &&
        !qftp_param_is_quoted((qftp_span){t->params[1], strlen(t->params[1])}) &&
        param_i(t, 1, &v) && v > 0) {
        *len = v;
        if (name)
            *name = "<fileSz>";
        return true;
    }
    return false;
}

static void enter_data_mode(qftp_session *s, qftp_txn *t, int64_t connect_len)
{
    qftp_data_mode m;
    qftp_data_mode_init(&m);
    const qftp_cmd_def *d = t->def;
    int64_t v;
    t->data_dir = d->data == QFTP_DATA_UPLOAD ? QFTP_DIR_TX : QFTP_DIR_RX;
    t->data_len = 0;
    qftp_parser *p = t->data_dir == QFTP_DIR_TX ? s->tx : s->rx;
    t->data_offset = qftp_parser_offset(p);
    if (connect_len >= 0) {
        m.expect_len = connect_len; /* CONNECT <n>: AT+QFDWL, AT+QFREAD */
        m.end_on_length = true;
    } else if (d->data == QFTP_DATA_UPLOAD) {
        m.end_on_escape = true;
        if (qftp_txn_op(t) == QFTP_OP_QFTPPUT) {
            if (upload_declared(t, &v, NULL)) {
                m.expect_len = v;
                m.end_on_length = true;
            }
        } else if (qftp_txn_op(t) == QFTP_OP_QFUPL && param_i(t, 1, &v) && v > 0) {
            m.expect_len = v;
            m.end_on_length = true;
        }
    } else {
        m.end_on_urc = true;
        g_strlcpy(m.urc_name, t->command, sizeof m.urc_name);
        if (t->n_params >= 4 && param_i(t, 3, &v))
            m.expect_len = v; /* <downloadlen>: a hint only, the URC confirms */
    }
    t->phase = QFTP_TXN_DATA;
    s->data_txn = t;
    s->last_data_txn = t;
    if (s->state != QFTP_STATE_TRANSFER && t->def->ftp)
        set_state(s, QFTP_STATE_TRANSFER, t);
    qftp_parser_enter_data(p, &m);
}

static void infer_download(qftp_session *s, const qftp_event *ev);

static void on_connect(qftp_session *s, const qftp_event *ev)
{
    qftp_txn *t = NULL;
    for (guint i = s->group.len; i > 0 && !t; i--) {
        qftp_txn *g = s->group.v[i - 1];
        if (g->def && g->def->data != QFTP_DATA_NONE)
            t = g;
    }
    if (!t) { /* GSM: OK came first, the command now waits for its URC */
        for (guint i = s->wait_urc.len; i > s->wait_head && !t; i--) {
            qftp_txn *g = WAITING(s, i - 1);
            if (g && g->def && g->def->data != QFTP_DATA_NONE && !g->connect)
                t = g;
        }
    }
    if (!t) {
        t = group_last(s);
        if (t) {
            t->connect = true;
            t->connect_len = ev->value;
            t->t_connect = s->now;
            t->frame_connect = s->frame;
            txn_item(s, t, QFTP_ROLE_CONNECT, ev);
            s->item_txn = t;
            TXN_NOTE(s, t, CONNECT_UNEXPECTED);
        } else if (module_only(s)) {
            infer_download(s, ev);
        } else {
            SESSION_NOTE(s, ORPHAN_CONNECT);
        }
        return;
    }
    t->connect = true;
    t->connect_len = ev->value;
    t->t_connect = s->now;
    t->frame_connect = s->frame;
    txn_item(s, t, QFTP_ROLE_CONNECT, ev);
    s->item_txn = t;
    if (s->group.len && s->group.v[s->group.len - 1] == t && s->now - t->t_sent > s->rsptimeout)
        TXN_NOTE(s, t, SLOW_CONNECT, (double)(s->now - t->t_sent) / 1e9,
                 (double)s->rsptimeout / 1e9);
    enter_data_mode(s, t, ev->value);
}

/* The module spoke while the host was uploading: the module has left data mode. */
static void end_upload_if_any(qftp_session *s, const qftp_resp *r)
{
    if (!qftp_parser_in_data(s->tx))
        return;
    qftp_data_end_reason why = QFTP_DATA_END_FORCED;
    int64_t a;
    if (r && r->n_fields >= 1 && span_int(r->fields[0], &a) && a == 609)
        why = QFTP_DATA_END_INACTIVITY; /* +QFTPPUT: 609,0: it gave up waiting */
    qftp_parser_exit_data(s->tx, s->now, why);
}

static qftp_txn *take_waiting(qftp_session *s, const char *name)
{
    for (guint i = s->wait_head; i < s->wait_urc.len; i++) {
        qftp_txn *t = WAITING(s, i);
        if (t && strcmp(t->command, name) == 0) {
            wait_take(s, i);
            return t;
        }
    }
    return NULL;
}

static void check_lengths(qftp_session *s, qftp_txn *t)
{
    unsigned flags = ((txn_priv *)t)->data_flags;
    if (t->data_len >= 0 && (flags & QFTP_EVF_MISMATCH)) {
        /* data mode ended at this URC although its count differs: one note says so */
        const char *elided = (flags & QFTP_EVF_ELIDED) ? "; an elision line marks the gap" : "";
        if (t->has_err && t->err == 0 && t->value.kind == QFTP_VAL_INT)
            TXN_NOTE(s, t, DATA_TRIMMED, t->data_len, t->value.i, elided);
        else
            TXN_NOTE(s, t, DATA_TRIMMED_ERROR, t->data_len, elided);
        return;
    }
    if (t->data_len < 0 || !t->has_err || t->err != 0 || t->value.kind != QFTP_VAL_INT)
        return;
    if (t->value.i != t->data_len)
        TXN_NOTE(s, t, LENGTH_URC, t->data_dir == QFTP_DIR_TX ? "host sent" : "module sent",
                 t->data_len, t->value.i);
    if (t->connect_len >= 0 && t->connect_len != t->data_len)
        TXN_NOTE(s, t, LENGTH_CONNECT, t->connect_len, t->data_len);
}

static void complete(qftp_session *s, qftp_txn *t, const qftp_event *ev, const qftp_resp *r)
{
    t->urc = txn_strndup((txn_priv *)t, ev->data, ev->len);
    txn_item(s, t, QFTP_ROLE_URC, ev);
    t->t_done = s->now;
    t->frame_done = s->frame;
    t->phase = QFTP_TXN_DONE;
    wait_unlist(s, t); /* completed by a path that did not take it off (an inferred one) */
    refresh_def(s, t); /* the dialect may be known by now */
    decode_result(t, r);
    if (t->has_err && t->err != 0) {
        char words[256];
        qftp_describe_result(t->err, t->protocol_error, t->has_pe, words, sizeof words);
        TXN_NOTE(s, t, ERROR_URC, words);
    }
    qftp_ts since = t->final != QFTP_FINAL_NONE ? t->t_final : t->t_sent;
    if (t->data_len < 0 && s->now - since > s->rsptimeout)
        TXN_NOTE(s, t, SLOW_OUTCOME, (double)(s->now - since) / 1e9,
                 t->final != QFTP_FINAL_NONE ? "OK" : "the command", (double)s->rsptimeout / 1e9);
    check_lengths(s, t);
    if (qftp_txn_op(t) == QFTP_OP_QFTPSTAT)
        report_state(s, t, r);
    state_after_urc(s, t);
    if (s->data_txn == t)
        s->data_txn = NULL;
    s->item_txn = t;
}

static void add_unsolicited_ctx(qftp_session *s, const qftp_event *ev, const qftp_resp *r,
                                qftp_context_kind ctx)
{
    qftp_unsolicited u = {0};
    u.line = dup_line(s, ev->data, ev->len);
    u.ts = s->now;
    u.frame = s->frame;
    u.context = ctx;
    int64_t a;
    if (r && strcmp(r->name, "+QFTPERROR") == 0 && r->n_fields >= 1 && span_int(r->fields[0], &a)) {
        u.has_err = true;
        u.err = a;
        /* GSM 4.5: -421 then -6 when the server drops an idle session. */
        if (a == -6)
            set_state(s, QFTP_STATE_CLOSED, NULL);
    }
    if (s->o.sink.unsolicited)
        s->o.sink.unsolicited(s->o.sink.user, &u);
    if (s->o.sink.release)
        g_free(u.line);
    else
        g_array_append_val(s->unsol, u);
}

static void add_unsolicited(qftp_session *s, const qftp_event *ev, const qftp_resp *r)
{
    add_unsolicited_ctx(s, ev, r, QFTP_CONTEXT_NONE);
}

/* A log of the module's side only: a final result no command took, kept for a later URC
 * that names its command, goes to the unsolicited lines when another comes or the input
 * ends (no warning: the host's side is missing, not the module's manners). */
static void flush_orphan_final(qftp_session *s)
{
    if (!s->orphan_final.have)
        return;
    s->orphan_final.have = false;
    qftp_ts now = s->now;
    uint64_t frame = s->frame;
    s->now = s->orphan_final.ts;
    s->frame = s->orphan_final.frame;
    add_unsolicited(s, &s->orphan_final.ev, NULL);
    s->now = now;
    s->frame = frame;
}

/* ---- context: the module, its SIM, the network, its PDP context ------------------------- */

static void add_info(qftp_session *s, qftp_txn *t, const qftp_event *ev);

static void context_free(qftp_context_event *e)
{
    g_free(e->line);
    g_free(e->affects);
}

/* A restart or power-down: what was under way is over, its outcome lost. */
static void end_lost(qftp_session *s, qftp_txn *t)
{
    t->phase = QFTP_TXN_DONE;
    wait_unlist(s, t);
    if (s->data_txn == t) {
        qftp_parser *p = t->data_dir == QFTP_DIR_TX ? s->tx : s->rx;
        s->data_txn = NULL;
        if (qftp_parser_in_data(p) && p != s->rx)
            qftp_parser_exit_data(p, s->now, QFTP_DATA_END_FORCED);
    }
    if (s->last_data_txn == t)
        s->last_data_txn = NULL;
}

/* The transactions under way: waiting for their final result, in data mode, or waiting
 * for their URC; in index order, each once. */
static size_t under_way(const qftp_session *s, qftp_txn **out, size_t cap)
{
    size_t n = 0;
#define ADD(x)                                                                                     \
    do {                                                                                           \
        qftp_txn *x_ = (x);                                                                        \
        bool dup_ = false;                                                                         \
        for (size_t k_ = 0; k_ < n; k_++)                                                          \
            dup_ |= out[k_] == x_;                                                                 \
        if (x_ && !dup_ && n < cap)                                                                \
            out[n++] = x_;                                                                         \
    } while (0)
    for (guint i = 0; i < s->group.len; i++) {
        qftp_txn *t = s->group.v[i];
        if (t->phase != QFTP_TXN_DONE)
            ADD(t);
    }
    if (s->data_txn)
        ADD(s->data_txn);
    for (guint i = s->wait_head; i < s->wait_urc.len; i++)
        ADD(WAITING(s, i));
#undef ADD
    for (size_t i = 1; i < n; i++) /* insertion sort: a handful */
        for (size_t j = i; j > 0 && out[j - 1]->index > out[j]->index; j--) {
            qftp_txn *x = out[j];
            out[j] = out[j - 1];
            out[j - 1] = x;
        }
    return n;
}

#define CONTEXT_AFFECTS_CAP 64

/* A context line: an information response of `answer`, or unsolicited (answer NULL):
 * then it concerns, or ends, what is under way. */
static void context_event(qftp_session *s, const qftp_event *ev, const qftp_context *c,
                          qftp_txn *answer)
{
    qftp_context_event e = {0};
    e.ctx = *c;
    e.line = dup_line(s, ev->data, ev->len);
    e.ts = s->now;
    e.frame = s->frame;
    e.state = s->state;
    if (answer) {
        e.txn_index = answer->index;
        if (c->level == QFTP_CONTEXT_FINE)
            TXN_NOTE(s, answer, CONTEXT_INFO, e.line, c->words, c->source);
        else
            TXN_NOTE(s, answer, CONTEXT, e.line, c->words, c->source);
    } else if (c->level != QFTP_CONTEXT_FINE) {
        qftp_txn *w[CONTEXT_AFFECTS_CAP];
        size_t n = under_way(s, w, G_N_ELEMENTS(w));
        bool lost = c->kind == QFTP_CONTEXT_RESTART || c->kind == QFTP_CONTEXT_POWER_DOWN;
        if (n)
            e.affects = g_new(unsigned, n);
        for (size_t i = 0; i < n; i++) {
            e.affects[e.n_affects++] = w[i]->index;
            if (lost)
                TXN_NOTE(s, w[i], CONTEXT_LOST, e.line, c->words, "its outcome is lost", c->source);
            else
                TXN_NOTE(s, w[i], CONTEXT_CONCERN, e.line, c->words, c->source);
            if (lost)
                end_lost(s, w[i]);
        }
        if (lost) {
            list_clear(&s->group);
            list_clear(&s->answered);
        }
        /* the FTP session ran over the module's data connection: gone with it */
        if ((lost || c->kind == QFTP_CONTEXT_PDP_DEACTIVATED) && s->state != QFTP_STATE_IDLE &&
            s->state != QFTP_STATE_CLOSED)
            set_state(s, s->dialect == QFTP_DIALECT_BG96 ? QFTP_STATE_CLOSED : QFTP_STATE_IDLE,
                      NULL);
    }
    if (s->o.sink.context)
        s->o.sink.context(s->o.sink.user, &e);
    if (s->o.sink.release)
        context_free(&e);
    else
        g_array_append_val(s->contexts, e);
}

/* An unsolicited line: with its context event when it is one. */
static void unsolicited_line(qftp_session *s, const qftp_event *ev, const qftp_resp *r)
{
    qftp_context c;
    if (qftp_context_decode((const char *)ev->data, ev->len, &c)) {
        add_unsolicited_ctx(s, ev, r, c.kind);
        context_event(s, ev, &c, NULL);
        return;
    }
    add_unsolicited(s, ev, r);
    if (r && resp_is_ftp(r) && strcmp(r->name, "+QFTPERROR") != 0) {
        char *l = dup_line(s, ev->data, ev->len);
        SESSION_NOTE(s, ORPHAN_URC, l);
        g_free(l);
    }
}

/* An information response: with the context note when it is about the module, its SIM,
 * the network or its PDP context (AT+CSQ -> +CSQ: 5,99). */
static void add_info_ctx(qftp_session *s, qftp_txn *t, const qftp_event *ev)
{
    add_info(s, t, ev);
    qftp_context c;
    if (qftp_context_decode((const char *)ev->data, ev->len, &c))
        context_event(s, ev, &c, t);
}

/* An information response line (the event's text is redacted already with opts.redact:
 * on_line_rx_redacted). */
static void add_info(qftp_session *s, qftp_txn *t, const qftp_event *ev)
{
    txn_priv *p = (txn_priv *)t;
    if (t->n_info >= QFTP_TXN_INFO_CAP) {
        /* a module flooding one command: counted, and said once, not kept */
        if (p->info_over == 0)
            TXN_NOTE(s, t, INFO_OVER, QFTP_TXN_INFO_CAP);
        if (p->info_over < UINT32_MAX)
            p->info_over++;
        return;
    }
    t->info = txn_grow(p, t->info, t->n_info, &p->info_cap, sizeof(char *), 2);
    t->info[t->n_info++] = txn_strndup(p, ev->data, ev->len);
    txn_item(s, t, QFTP_ROLE_INFO, ev);
}

/* A log of the module's side only: the command a completion URC (or an information
 * response) names, where the name and the line's shape leave one form: +QFTPGET: 0,2048
 * -> AT+QFTPGET=..., +QFTPCLOSE: 0,0 -> AT+QFTPCLOSE. The final result kept before it is
 * its OK. Marked inferred. */
static bool infer_from_line(qftp_session *s, const qftp_event *ev, const qftp_resp *r)
{
    if (!resp_is_ftp(r) || strcmp(r->name, "+QFTPERROR") == 0)
        return false;
    const qftp_cmd_def *d = qftp_cmd_find(r->name, s->dialect, NULL);
    if (!d || !d->ftp)
        return false;
    unsigned forms = d->urc_forms;
    if (!forms && d->result != QFTP_RES_NONE)
        forms = d->forms & ~QFTP_FORM_TEST;
    if (!forms || (forms & (forms - 1)))
        return false;
    qftp_cmd_type type = QFTP_TYPE_EXEC;
    while (!(forms & QFTP_FORM_BIT(type)))
        type++;
    char line[64];
    snprintf(line, sizeof line, "AT%s", r->name);
    const qftp_event *wire = s->wire_ev;
    qftp_ts now = s->now;
    uint64_t frame = s->frame;
    if (s->orphan_final.have) { /* the command was "sent" just before its OK */
        s->now = s->orphan_final.ts;
        s->frame = s->orphan_final.frame;
    }
    qftp_txn *t = new_txn(s, line, strlen(line), NULL, 0, QFTP_DIR_TX, QFTP_NO_OFFSET, NULL, NULL);
    t->command = txn_strndup((txn_priv *)t, r->name, strlen(r->name));
    t->op = (uint8_t)qftp_op_of(t->command);
    t->cmd_span = (qftp_rel_span){2, (uint32_t)strlen(r->name)};
    t->type = type;
    t->def = d;
    t->inferred = true;
    if (s->orphan_final.have) {
        s->orphan_final.have = false;
        s->wire_ev = NULL;
        set_final(s, t, &s->orphan_final.ev, s->orphan_final.kind);
    }
    s->now = now;
    s->frame = frame;
    s->wire_ev = wire;
    char *l = dup_line(s, ev->data, ev->len);
    TXN_NOTE(s, t, INFERRED, l);
    g_free(l);
    say_module_only(s);
    if (d->urc_forms) {
        complete(s, t, ev, r);
    } else {
        add_info(s, t, ev);
        decode_result(t, r);
        if (qftp_txn_op(t) == QFTP_OP_QFTPSTAT)
            report_state(s, t, r);
        t->phase = QFTP_TXN_DONE;
    }
    s->item_txn = t;
    return true;
}

/* The inferred download of a log of the module's side only gets its name from its URC. */
static bool name_inferred_download(qftp_session *s, const qftp_resp *r)
{
    qftp_txn *t = s->last_data_txn;
    if (!t || !t->inferred || t->command[0] || t->urc)
        return false;
    const qftp_cmd_def *d = qftp_cmd_find(r->name, s->dialect, NULL);
    if (!d || d->data != QFTP_DATA_DOWNLOAD)
        return false;
    txn_priv *p = (txn_priv *)t;
    t->command = txn_strndup(p, r->name, strlen(r->name));
    t->op = (uint8_t)qftp_op_of(t->command);
    char line[64];
    snprintf(line, sizeof line, "AT%s", r->name);
    t->line = txn_strndup(p, line, strlen(line));
    t->cmd_span = (qftp_rel_span){2, (uint32_t)strlen(r->name)};
    t->type = QFTP_TYPE_WRITE;
    t->def = d;
    return true;
}

/* A CONNECT in a log of the module's side only: a download whose command its URC will
 * name (data mode ends at the URC of any FTP command whose count matches). */
static void infer_download(qftp_session *s, const qftp_event *ev)
{
    const qftp_event *wire = s->wire_ev;
    qftp_txn *t = new_txn(s, "AT+QFTP", 7, NULL, 0, QFTP_DIR_TX, QFTP_NO_OFFSET, NULL, NULL);
    t->type = QFTP_TYPE_WRITE;
    t->def = NULL; /* the URC names it; until then no row of the tables is this command */
    ((txn_priv *)t)->def_final = true;
    t->inferred = true;
    if (s->orphan_final.have) { /* GSM: OK before CONNECT */
        s->orphan_final.have = false;
        s->wire_ev = NULL;
        set_final(s, t, &s->orphan_final.ev, s->orphan_final.kind);
        s->wire_ev = wire;
    }
    TXN_NOTE(s, t, INFERRED, "CONNECT and the data after it");
    say_module_only(s);
    t->connect = true;
    t->connect_len = ev->value;
    t->t_connect = s->now;
    t->frame_connect = s->frame;
    txn_item(s, t, QFTP_ROLE_CONNECT, ev);
    s->item_txn = t;
    qftp_data_mode m;
    qftp_data_mode_init(&m);
    if (ev->value >= 0) {
        m.expect_len = ev->value;
        m.end_on_length = true;
    } else {
        m.end_on_urc = true;
        g_strlcpy(m.urc_name, "+QFTP*", sizeof m.urc_name);
    }
    t->data_dir = QFTP_DIR_RX;
    t->data_len = 0;
    t->data_offset = qftp_parser_offset(s->rx);
    t->phase = QFTP_TXN_DATA;
    s->data_txn = t;
    s->last_data_txn = t;
    if (s->state != QFTP_STATE_TRANSFER)
        set_state(s, QFTP_STATE_TRANSFER, t);
    qftp_parser_enter_data(s->rx, &m);
}

/* The information response of a command answered OK before it (BG96 "OK" then
 * "+QFTPSTAT: 0,4"; GSM "+QFTPSIZE:88752"): one of the last line's commands of its name. */
static qftp_txn *answered_by_name(const qftp_session *s, const char *name)
{
    for (guint i = 0; i < s->answered.len; i++) {
        qftp_txn *t = s->answered.v[i];
        /* AT+CEREG=2 -> OK, then +CEREG: 1 is a URC, not its answer */
        bool ftp = strncmp(name, "+QFTP", 5) == 0;
        if (strcmp(t->command, name) == 0 && t->type != QFTP_TYPE_TEST &&
            (ftp || t->type != QFTP_TYPE_WRITE))
            return t;
    }
    return NULL;
}

/* Whether a text line (no "+NAME:", no final result) can be an answer of t: not an NMEA
 * sentence ("$GPRMC,...*43": the GNSS engine's output on a shared port, or the host's
 * own prints in a pasted log), and not during an FTP command, whose answers all have
 * its +NAME (both manuals) but for a test form's text. Other commands (ATI, AT+GMR,
 * AT+CGSN) answer in bare text. */
static bool answers_in_text(const qftp_txn *t, const qftp_event *ev)
{
    const uint8_t *d = ev->data;
    size_t n = ev->len, k = 1;
    if (n > 7 && d[0] == '$') {
        while (k < n && k < 8 && g_ascii_isalnum(d[k]))
            k++;
        if (k >= 3 && k < n && d[k] == ',')
            return false;
    }
    return !(t->def && t->def->ftp && t->type != QFTP_TYPE_TEST);
}

static void on_line_rx(qftp_session *s, const qftp_event *ev)
{
    qftp_resp r;
    bool is_resp = qftp_resp_parse((const char *)ev->data, ev->len, &r);
    end_upload_if_any(s, is_resp ? &r : NULL);
    qftp_txn *cur = group_last(s);
    if (is_resp) {
        if (s->dialect == QFTP_DIALECT_UNKNOWN && !s->dialect_forced) {
            char why[160];
            char *l = dup_line(s, ev->data, ev->len);
            snprintf(why, sizeof why, "the response %.100s", l);
            g_free(l);
            set_dialect(s, dialect_of_resp(&r), why);
        }
        /* before the final result: information response, or a URC whose OK was lost */
        for (guint i = 0; i < s->group.len; i++) {
            qftp_txn *t = s->group.v[i];
            if (strcmp(t->command, r.name) != 0)
                continue;
            if (expects_urc(t) && t->urc == NULL) {
                /* the URC before OK (or with no OK at all: group_abandon says so) */
                complete(s, t, ev, &r);
                return;
            }
            add_info_ctx(s, t, ev);
            if (t->type != QFTP_TYPE_TEST)
                decode_result(t, &r);
            if (qftp_txn_op(t) == QFTP_OP_QFTPSTAT)
                report_state(s, t, &r);
            s->item_txn = t;
            return;
        }
        qftp_txn *t = take_waiting(s, r.name);
        if (t) {
            complete(s, t, ev, &r);
            return;
        }
        if (s->last_data_txn && s->last_data_txn->urc == NULL &&
            (strcmp(s->last_data_txn->command, r.name) == 0 || name_inferred_download(s, &r))) {
            complete(s, s->last_data_txn, ev, &r);
            return;
        }
        t = answered_by_name(s, r.name);
        if (t) {
            /* after OK: the information response all the same */
            add_info_ctx(s, t, ev);
            decode_result(t, &r);
            if (qftp_txn_op(t) == QFTP_OP_QFTPSTAT)
                report_state(s, t, &r);
            s->item_txn = t;
            return;
        }
        if (module_only(s) && infer_from_line(s, ev, &r))
            return;
        unsolicited_line(s, ev, &r);
        return;
    }
    /* text lines: an alternative final ("DEACT OK"), an answer to ATI/AT+GMR, or a URC */
    if (cur && cur->def && cur->def->alt_final && ev->len == strlen(cur->def->alt_final) &&
        memcmp(ev->data, cur->def->alt_final, ev->len) == 0) {
        on_final(s, ev, QFTP_FINAL_OK);
        s->item_final = true;
        return;
    }
    qftp_context c;
    if (qftp_context_decode((const char *)ev->data, ev->len, &c)) {
        /* RDY, POWERED DOWN, Call Ready ...: never an answer */
        add_unsolicited_ctx(s, ev, NULL, c.kind);
        context_event(s, ev, &c, NULL);
        return;
    }
    if (qftp_elision_line(ev->data, ev->len)) {
        /* "...", "[snip]": lines left out of the log, not an answer */
        add_unsolicited(s, ev, NULL);
        s->item_txn = s->last_data_txn ? s->last_data_txn : cur;
        return;
    }
    if (cur && answers_in_text(cur, ev)) {
        add_info(s, cur, ev);
        s->item_txn = cur;
        return;
    }
    add_unsolicited(s, ev, NULL);
}

static void on_data_end(qftp_session *s, const qftp_event *ev)
{
    qftp_txn *t = s->data_txn;
    if (!t)
        return;
    t->data_len = ev->value;
    t->data_end = ev->reason;
    txn_item(s, t, QFTP_ROLE_DATA_END, ev);
    s->item_txn = t;
    if (ev->reason == QFTP_DATA_END_ESCAPE)
        t->escaped = true;
    if (ev->reason == QFTP_DATA_END_INACTIVITY)
        TXN_NOTE(s, t, DATA_INACTIVITY);
    if (ev->reason == QFTP_DATA_END_EOF)
        TXN_NOTE(s, t, DATA_OPEN_AT_END);
    ((txn_priv *)t)->data_flags = ev->flags;
    int64_t v;
    const char *what;
    if (t->data_dir == QFTP_DIR_TX && ev->reason != QFTP_DATA_END_LENGTH &&
        qftp_txn_op(t) == QFTP_OP_QFTPPUT && upload_declared(t, &v, &what) && v != t->data_len)
        TXN_NOTE(s, t, LENGTH_UPLOADLEN, what, v, t->data_len);
    if (t->phase == QFTP_TXN_DATA)
        t->phase = t->final != QFTP_FINAL_NONE ? QFTP_TXN_WAIT_URC : QFTP_TXN_WAIT_FINAL;
    if (t->escaped && t->data_dir == QFTP_DIR_RX && t->phase == QFTP_TXN_WAIT_URC)
        t->phase = QFTP_TXN_DONE;
    if (t->phase == QFTP_TXN_WAIT_URC && t->urc == NULL && !wait_listed(s, t))
        list_add(&s->wait_urc, t);
    /* BG96 PUT/GET: the final result comes after the data; keep the line open for it. */
    if (t->final == QFTP_FINAL_NONE && s->group.len == 0)
        list_add(&s->group, t);
    s->data_txn = NULL;
}

static void on_escape(qftp_session *s, const qftp_event *ev)
{
    bool guarded = (ev->flags & QFTP_EVF_GUARD_BEFORE) && (ev->flags & QFTP_EVF_GUARD_AFTER) &&
                   (ev->flags & QFTP_EVF_GUARD_WITHIN);
    qftp_txn *t = s->data_txn ? s->data_txn : s->last_data_txn;
    if (t) {
        t->escaped = true;
        txn_item(s, t, QFTP_ROLE_ESCAPE, ev);
        s->item_txn = t;
        if (!guarded)
            TXN_NOTE(s, t, ESCAPE_GUARD);
        if (t->data_dir == QFTP_DIR_RX && qftp_parser_in_data(s->rx)) {
            /* +++ during a download aborts it (device-quirks.md "Data mode") */
            TXN_NOTE(s, t, DOWNLOAD_ABORTED);
            qftp_parser_exit_data(s->rx, s->now, QFTP_DATA_END_FORCED);
            set_state(s, QFTP_STATE_OPENED, t);
        }
    } else {
        SESSION_NOTE(s, ESCAPE_OUTSIDE);
    }
}

/* ---- handing transactions over ----------------------------------------------------------- */

/* Whether the session may still change t: it waits for its final result, its data or its
 * URC, or is the data-mode transaction a late OK, URC or "+++" would go to. */
static bool txn_open(const qftp_session *s, const qftp_txn *t)
{
    if (t->phase != QFTP_TXN_DONE || t == s->data_txn || t == s->last_data_txn)
        return true;
    for (guint i = 0; i < s->answered.len; i++) /* an answer after OK may still come */
        if (s->answered.v[i] == t)
            return true;
    /* completed by its URC before any final result: its line's final may still come (and
     * the group is abandoned at the end), so it is not handed over (and freed) yet */
    for (guint i = 0; i < s->group.len; i++)
        if (s->group.v[i] == t)
            return true;
    return false;
}

/* Commands still waiting for their URC, and the last data-mode transaction, are given up
 * WAIT_CAP commands later. */
static void give_up_stale(qftp_session *s)
{
    size_t newest = s->base + s->txns.len;
    while (s->wait_head < s->wait_urc.len) {
        qftp_txn *w = WAITING(s, s->wait_head);
        if (newest - w->index <= WAIT_CAP)
            break;
        wait_take(s, s->wait_head);
        w->phase = QFTP_TXN_DONE;
        TXN_NOTE(s, w, URC_GIVEN_UP, w->command, WAIT_CAP);
    }
    if (s->last_data_txn && s->last_data_txn != s->data_txn &&
        newest - s->last_data_txn->index > WAIT_CAP)
        s->last_data_txn = NULL;
}

/* Hands the transactions that can no longer change to the sink, in index order (all of
 * them at the end of the input), and frees them when it streams. While the dialect is
 * unknown they are held (their definitions are looked up again once it is known), up to
 * HOLD_CAP of them. */
static void hand_over_some(qftp_session *s, bool all)
{
    const qftp_session_sink *k = &s->o.sink;
    while (s->handed < s->base + s->txns.len) {
        qftp_txn *t = s->txns.v[s->handed - s->base];
        if (!all) {
            bool dialect_wait =
                s->dialect == QFTP_DIALECT_UNKNOWN && s->base + s->txns.len - s->handed <= HOLD_CAP;
            if (txn_open(s, t) || dialect_wait)
                break;
            refresh_def(s, t); /* as qftp_session_finish does */
        }
        s->handed++;
        if (k->txn)
            k->txn(k->user, t);
        if (k->release) {
            wait_unlist(s, t); /* nothing may point at a freed transaction */
            txn_recycle(s, (txn_priv *)t);
            s->txns.v[s->handed - 1 - s->base] = NULL;
        }
    }
    size_t gone = s->handed - s->base;
    if (k->release && gone > 64 && gone * 2 > s->txns.len) {
        s->txns.len -= (guint)gone;
        memmove(s->txns.v, s->txns.v + gone, s->txns.len * sizeof *s->txns.v);
        s->base += gone;
    }
}

static inline void hand_over(qftp_session *s, bool all)
{
    const qftp_session_sink *k = &s->o.sink;
    if (!k->txn && !k->release)
        return;
    /* most events leave the oldest transaction open: nothing to hand over, and nothing
     * to compact (the array only grew since the last one handed); it is open too while it
     * is the first of those answered OK, until the next command (txn_open) */
    if (!all && s->handed < s->base + s->txns.len) {
        const qftp_txn *t = s->txns.v[s->handed - s->base];
        if (t->phase != QFTP_TXN_DONE || (s->answered.len && s->answered.v[0] == t))
            return;
    }
    hand_over_some(s, all);
}

/* ---- the parser callback -------------------------------------------------------------- */

/* With opts.redact the session decodes a read-back (+QFTPCFG: "account","u","pw") from its
 * redacted text, so no value it keeps holds the password; front ends still get the
 * event as it came (on_item). */
static void on_line_rx_redacted(qftp_session *s, const qftp_event *ev)
{
    size_t n = 0;
    char *red = s->o.redact ? qftp_redact_dup(ev->data, ev->len, s->dialect, &n) : NULL;
    if (!red) {
        on_line_rx(s, ev);
        return;
    }
    qftp_event e = *ev;
    e.data = (const uint8_t *)red;
    e.len = n;
    on_line_rx(s, &e);
    g_free(red);
}

/* The frame and time of the earlier chunk that held the stream byte at `off` of direction
 * d (0 host, 1 module), a byte before the newest chunk; false if it is older than the
 * chunks remembered. */
static bool chunk_of(const qftp_session *s, unsigned d, uint64_t off, uint64_t *frame, qftp_ts *ts)
{
    unsigned n = s->n_chunk[d];
    unsigned kept = n < SESSION_CHUNKS ? n : SESSION_CHUNKS;
    for (unsigned i = 1; i < kept; i++) {
        unsigned k = (n - 1 - i) % SESSION_CHUNKS;
        if (off >= s->chunk[d][k].start) {
            *frame = s->chunk[d][k].frame;
            *ts = s->chunk[d][k].ts;
            return true;
        }
    }
    return false;
}

/* The events of the kinds handle_event does not take itself: out of line, so that
 * on_event saves no registers for them. */
static __attribute__((noinline)) void on_event_other(qftp_session *s, const qftp_event *ev)
{
    switch (ev->kind) {
    case QFTP_EV_COMMAND:
    case QFTP_EV_FINAL:
        break; /* handle_event's */
    case QFTP_EV_ECHO:
        on_echo(s, ev);
        break;
    case QFTP_EV_CONNECT:
        on_connect(s, ev);
        break;
    case QFTP_EV_LINE:
        if (ev->dir == QFTP_DIR_RX)
            on_line_rx_redacted(s, ev);
        else
            SESSION_NOTE(s, HOST_TEXT, (int)MIN(ev->len, 80), (const char *)ev->data);
        break;
    case QFTP_EV_PROMPT:
        s->item_txn = group_last(s);
        if (s->item_txn)
            txn_item(s, s->item_txn, QFTP_ROLE_PROMPT, ev);
        break;
    case QFTP_EV_DATA:
        if (s->data_txn) {
            /* The first byte of the payload is where the first piece starts: a CONNECT
             * line's LF may still have been ahead when data mode began. */
            if (s->data_txn->n_items == 0 ||
                s->data_txn->items[s->data_txn->n_items - 1].role != QFTP_ROLE_DATA)
                s->data_txn->data_offset = ev->offset;
            s->data_txn->data_len = ev->value;
            txn_item(s, s->data_txn, QFTP_ROLE_DATA, ev);
            s->item_txn = s->data_txn;
        }
        break;
    case QFTP_EV_DATA_END:
        on_data_end(s, ev);
        break;
    case QFTP_EV_ESCAPE:
        on_escape(s, ev);
        break;
    case QFTP_EV_OVERFLOW:
        SESSION_NOTE(s, OVERFLOW, ev->dir == QFTP_DIR_TX ? "host" : "module", ev->value,
                     s->o.line_cap);
        break;
    }
}

/* Handles an event in the frame and time the session has now. */
static inline __attribute__((always_inline)) void handle_event(qftp_session *s,
                                                               const qftp_event *ev)
{
    s->item_txn = NULL;
    s->wire_ev = ev;
    /* most events are these: a command, its final result, a module's line (as it came, but
     * with opts.redact) */
    if (ev->kind == QFTP_EV_COMMAND) {
        on_command(s, ev, false);
    } else if (ev->kind == QFTP_EV_FINAL) {
        end_upload_if_any(s, NULL);
        on_final(s, ev, ev->final);
    } else if (ev->kind == QFTP_EV_LINE && ev->dir == QFTP_DIR_RX && !s->o.redact) {
        on_line_rx(s, ev);
    } else {
        on_event_other(s, ev);
    }
    if (s->o.on_item) {
        if (s->item_final) {
            /* a command's own final word ("DEACT OK"): report it as the final it is */
            qftp_event f = *ev;
            f.kind = QFTP_EV_FINAL;
            f.final = QFTP_FINAL_OK;
            s->o.on_item(s->o.user, &f, s->item_txn, s->frame);
        } else {
            s->o.on_item(s->o.user, ev, s->item_txn, s->frame);
        }
    }
    s->item_final = false;
    s->item_txn = NULL;
    s->wire_ev = NULL;
}

/* An event that ends before the newest chunk of its direction: handled in the frame that
 * held its last byte (a download's trailer is decided by the URC after it: its OK came
 * before). */
static __attribute__((noinline)) void on_event_late(qftp_session *s, const qftp_event *ev)
{
    qftp_ts now = s->now;
    uint64_t frame = s->frame;
    bool late = chunk_of(s, ev->dir != QFTP_DIR_TX, ev->end_offset - 1, &s->frame, &s->now);
    handle_event(s, ev);
    if (late) {
        s->now = now;
        s->frame = frame;
    }
    hand_over(s, false);
}

static void on_event(void *user, const qftp_event *ev)
{
    qftp_session *s = user;
    if (ev->end_offset && ev->end_offset - 1 < s->chunk_start[ev->dir != QFTP_DIR_TX]) {
        on_event_late(s, ev);
        return;
    }
    handle_event(s, ev);
    hand_over(s, false);
}

/* ---- public ----------------------------------------------------------------------------- */

qftp_session *qftp_session_new(const qftp_session_opts *opts, char *errbuf)
{
    qftp_session *s = g_new0(qftp_session, 1);
    if (opts)
        s->o = *opts;
    else
        qftp_session_opts_init(&s->o);
    qftp_parser_opts po;
    qftp_parser_opts_init(&po);
    if (s->o.line_cap)
        po.line_cap = s->o.line_cap;
    else
        s->o.line_cap = po.line_cap;
    if (s->o.guard_time > 0)
        po.guard_time = s->o.guard_time;
    s->tx = qftp_parser_new(QFTP_DIR_TX, &po, on_event, s, errbuf);
    s->rx = s->tx ? qftp_parser_new(QFTP_DIR_RX, &po, on_event, s, errbuf) : NULL;
    if (!s->rx) {
        qftp_parser_free(s->tx);
        g_free(s);
        return NULL;
    }
    s->unsol = g_array_new(FALSE, TRUE, sizeof(qftp_unsolicited));
    s->notes = g_array_new(FALSE, TRUE, sizeof(qftp_note));
    s->transitions = g_array_new(FALSE, TRUE, sizeof(qftp_transition));
    s->contexts = g_array_new(FALSE, TRUE, sizeof(qftp_context_event));
    s->scratch = g_string_sized_new(256);
    s->arena_hint = 256;
    s->defs = g_new0(struct def_cache, 1);
    s->dialect = s->o.dialect;
    s->dialect_forced = s->o.dialect != QFTP_DIALECT_UNKNOWN;
    s->rsptimeout = s->o.rsptimeout > 0 ? s->o.rsptimeout : 90 * QFTP_NS_PER_SEC;
    s->t0 = QFTP_TS_NONE;
    s->state = QFTP_STATE_IDLE;
    return s;
}

void qftp_session_free(qftp_session *s)
{
    if (!s)
        return;
    qftp_parser_free(s->tx);
    qftp_parser_free(s->rx);
    for (guint i = 0; i < s->txns.len; i++)
        txn_free(s->txns.v[i]);
    g_free(s->txns.v);
    for (guint i = 0; i < s->unsol->len; i++)
        g_free(g_array_index(s->unsol, qftp_unsolicited, i).line);
    g_array_free(s->unsol, TRUE);
    for (guint i = 0; i < s->notes->len; i++)
        g_free(g_array_index(s->notes, qftp_note, i).text);
    g_array_free(s->notes, TRUE);
    g_array_free(s->transitions, TRUE);
    g_free(s->group.v);
    g_free(s->wait_urc.v);
    g_free(s->answered.v);
    for (guint i = 0; i < s->contexts->len; i++)
        context_free(&g_array_index(s->contexts, qftp_context_event, i));
    g_array_free(s->contexts, TRUE);
    if (s->orphan_final.line)
        g_string_free(s->orphan_final.line, TRUE);
    if (s->last_line)
        g_string_free(s->last_line, TRUE);
    g_string_free(s->scratch, TRUE);
    g_free(s->defs);
    for (unsigned i = 0; i < s->n_spare; i++)
        g_free(s->spare[i]);
    g_free(s);
}

void qftp_session_feed(qftp_session *s, qftp_dir dir, const uint8_t *bytes, size_t len, qftp_ts ts,
                       uint64_t frame)
{
    unsigned d = dir == QFTP_DIR_TX ? QFTP_DIR_TX : QFTP_DIR_RX; /* any other is the module's */
    if (s->t0 == QFTP_TS_NONE)
        s->t0 = ts;
    s->bytes[d] += len;
    if (ts > s->now || s->now == 0)
        s->now = ts;
    s->frame = frame;
    if (len) {
        unsigned k = s->n_chunk[d]++ % SESSION_CHUNKS;
        s->chunk[d][k].start = s->chunk_start[d] = s->bytes[d] - len;
        s->chunk[d][k].frame = frame;
        s->chunk[d][k].ts = s->now;
    }
    /* Time passes for both directions: guard times and inactivity of the other side. */
    qftp_parser_tick(d == QFTP_DIR_TX ? s->rx : s->tx, s->now);
    qftp_parser_feed(d == QFTP_DIR_TX ? s->tx : s->rx, bytes, len, s->now);
}

/* The dialect is still unknown at the end: say so, and what would have decided it. */
static void dialect_unknown_note(qftp_session *s)
{
    const char *ftp = NULL;
    unsigned unchecked = 0;
    for (guint i = 0; i < s->txns.len; i++) {
        txn_priv *p = (txn_priv *)s->txns.v[i];
        if (!p)
            continue;
        if (!ftp && strncmp(p->t.command, "+QFTP", 5) == 0 && !p->t.inferred)
            ftp = p->t.command;
        unchecked += p->unchecked;
    }
    if (!ftp && !unchecked)
        return; /* no FTP command: the dialect does not matter */
    char why[160] = "";
    if (unchecked)
        snprintf(why, sizeof why, " (the parameters of %u command%s are not checked)", unchecked,
                 unchecked == 1 ? "" : "s");
    char decide[400];
    snprintf(decide, sizeof decide,
             "a result line (BG96 \"%s: 0,0\" with a space and <err>,<value>; GSM \"%s:0\"), "
             "AT+QFTPCFG's first parameter (a quoted name in BG96, a number in GSM) or a "
             "command only one manual has (GSM AT+QFTPUSER, AT+QFTPPASS; BG96 AT+QFTPCWD, "
             "AT+QFTPLIST)",
             ftp ? ftp : "+QFTPOPEN", ftp ? ftp : "+QFTPOPEN");
    SESSION_NOTE(s, DIALECT_UNKNOWN, why, decide);
}

bool qftp_session_data_break(qftp_session *s, qftp_ts now)
{
    if (now == QFTP_TS_NONE || now < s->now)
        now = s->now;
    s->now = now;
    return qftp_parser_data_break(s->rx, now);
}

void qftp_session_finish(qftp_session *s, qftp_ts now)
{
    if (now == QFTP_TS_NONE || now < s->now)
        now = s->now;
    s->now = now;
    qftp_parser_finish(s->tx, now);
    qftp_parser_finish(s->rx, now);
    group_abandon(s, "by the end of the input");
    flush_orphan_final(s);
    list_clear(&s->answered);
    for (guint i = s->wait_head; i < s->wait_urc.len; i++) {
        qftp_txn *w = WAITING(s, i);
        if (w && w->phase == QFTP_TXN_WAIT_URC && w->urc == NULL)
            TXN_NOTE(s, w, NO_URC, w->command);
    }
    list_clear(&s->wait_urc);
    s->wait_head = 0;
    /* The dialect may have been learnt after the first commands: look them up again. */
    for (guint i = 0; i < s->txns.len; i++) {
        qftp_txn *t = s->txns.v[i];
        if (t)
            refresh_def(s, t);
    }
    if (s->dialect == QFTP_DIALECT_UNKNOWN)
        dialect_unknown_note(s);
    hand_over(s, true);
}

size_t qftp_session_txn_count(const qftp_session *s)
{
    return s->base + s->txns.len;
}

const qftp_txn *qftp_session_txn(const qftp_session *s, size_t i)
{
    return i >= s->base && i - s->base < s->txns.len ? s->txns.v[i - s->base] : NULL;
}

qftp_dir qftp_session_guess_dir(const qftp_session *s, const uint8_t *b, size_t n)
{
    /* An upload under way: the host's bytes, unless the module speaks a line. */
    const qftp_txn *t = s->data_txn;
    if (t && t->phase == QFTP_TXN_DATA && t->data_dir == QFTP_DIR_TX && n > 0 && b[0] != '\r')
        return QFTP_DIR_TX;
    if (n >= 2 && (b[0] | 0x20) == 'a' && ((b[1] | 0x20) == 't' || b[1] == '/'))
        return QFTP_DIR_TX;
    return QFTP_DIR_RX;
}

size_t qftp_session_unsolicited_count(const qftp_session *s)
{
    return s->unsol->len;
}

const qftp_unsolicited *qftp_session_unsolicited(const qftp_session *s, size_t i)
{
    return i < s->unsol->len ? &g_array_index(s->unsol, qftp_unsolicited, i) : NULL;
}

size_t qftp_session_note_count(const qftp_session *s)
{
    return s->notes->len;
}

const qftp_note *qftp_session_note(const qftp_session *s, size_t i)
{
    return i < s->notes->len ? &g_array_index(s->notes, qftp_note, i) : NULL;
}

qftp_dialect qftp_session_dialect(const qftp_session *s)
{
    return s->dialect;
}

qftp_ftp_state qftp_session_state(const qftp_session *s)
{
    return s->state;
}

qftp_ts qftp_session_t0(const qftp_session *s)
{
    return s->t0;
}

size_t qftp_txn_info_over(const qftp_txn *t)
{
    return ((const txn_priv *)t)->info_over;
}

qftp_ts qftp_session_rsptimeout(const qftp_session *s)
{
    return s->rsptimeout;
}

size_t qftp_session_context_count(const qftp_session *s)
{
    return s->contexts->len;
}

const qftp_context_event *qftp_session_context(const qftp_session *s, size_t i)
{
    return i < s->contexts->len ? &g_array_index(s->contexts, qftp_context_event, i) : NULL;
}

bool qftp_session_module_side_only(const qftp_session *s)
{
    return s->bytes[QFTP_DIR_RX] > 0 && s->bytes[QFTP_DIR_TX] == 0;
}

size_t qftp_session_transition_count(const qftp_session *s)
{
    return s->transitions->len;
}

const qftp_transition *qftp_session_transition(const qftp_session *s, size_t i)
{
    return i < s->transitions->len ? &g_array_index(s->transitions, qftp_transition, i) : NULL;
}
