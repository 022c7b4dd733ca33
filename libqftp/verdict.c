/* verdict.c - which transactions failed, why, in words (qftp/verdict.h).
 *
 * The rules, each in one place:
 *  - failed or not: qftp_txn_outcome() (the session's one outcome), then the notes that say a
 *    transfer is short (the kinds of the LENGTH_MISMATCH expert entry, DATA_URC_COUNT,
 *    DATA_OPEN_AT_END, DOWNLOAD_ABORTED: qftp/notes.h). A missing outcome is a failure
 *    only when the log shows it should have come (judge_missing);
 *  - the chain: context lines are decoded by qftp_context_decode(), never here. A line
 *    explains a failure when it came while the command ran, or before it without the
 *    network having worked since (a successful FTP operation after it clears it);
 *  - 603 (BG96 chapter 5 "FTP(S) server busy", GSM -3): another FTP command of the session
 *    was still running (its outcome came after this command was sent), or an earlier 615
 *    has not been followed by AT+QFTPCLOSE (device-quirks.md "Result codes").
 */
#include <ctype.h>
#include <glib.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "qftp/verdict.h"
#include "strfmt.h"

#define RECENT 32   /* recent FTP transactions kept for busy links */
#define CTX_RING 64 /* recent context lines */
#define PAY_SLOTS 4 /* downloads whose payload is being collected */
#define NAMES_CAP 4096
#define FOLLOW_SCAN 32 /* kept failures looked back at for repeats, roots, recovery */

const char *qftp_fail_kind_name(qftp_fail_kind k)
{
    static const char *const names[] = {"ok",         "refused",    "failed",
                                        "incomplete", "no-outcome", "unfinished"};
    return (unsigned)k < G_N_ELEMENTS(names) ? names[k] : "?";
}

bool qftp_fail_counts(qftp_fail_kind k)
{
    return k != QFTP_FAIL_NONE && k != QFTP_FAIL_UNFINISHED;
}

const char *qftp_link_kind_name(qftp_link_kind k)
{
    static const char *const names[] = {"context", "ftp-error", "busy",   "stuck",
                                        "closed",  "listing",   "follows"};
    return (unsigned)k < G_N_ELEMENTS(names) ? names[k] : "?";
}

const char *qftp_link_when_name(qftp_link_when w)
{
    static const char *const names[] = {"before", "during", "after"};
    return (unsigned)w < G_N_ELEMENTS(names) ? names[w] : "?";
}

void qftp_verdict_opts_init(qftp_verdict_opts *o)
{
    memset(o, 0, sizeof *o);
    o->gap = 10 * QFTP_NS_PER_SEC;
}

/* ---- state --------------------------------------------------------------------------------- */

typedef struct {
    uint64_t id; /* 1.. in order of arrival */
    qftp_ts ts;
    qftp_context ctx; /* kind NONE for +QFTPERROR */
    bool ftp_error;
    int64_t err;
    unsigned ref; /* the transaction whose information response it is, 0: unsolicited */
    char line[QFTP_LINE_WORDS];
} ctx_event;

/* What operation_words() reads of a transaction, kept when its words were not computed
 * as it ended (opts.failure_words_only): they are computed if a later link names it. */
#define SNAP_PARAMS 8
typedef struct {
    const qftp_cmd_def *def;
    qftp_cmd_type type;
    size_t n_params;
    size_t off[2 + SNAP_PARAMS]; /* of the command, the line, each parameter in buf */
    char buf[2 * QFTP_WORDS_CAP];
} op_snap;

typedef struct {
    unsigned index;
    char command[32];
    char line[QFTP_LINE_WORDS];
    char operation[QFTP_WORDS_CAP]; /* "" while only snap holds it */
    bool lazy;                      /* snap holds what the words are made of */
    op_snap snap;
    qftp_ts t_sent, t_end; /* t_end: its outcome, QFTP_TS_NONE if none */
    bool ok;
} recent_txn;

typedef struct {
    unsigned index;
    GByteArray *b;
    int64_t total;
} pay_slot;

typedef struct {
    qftp_failure f;
    char key[QFTP_WORDS_CAP]; /* the operation's key: command and its object */
    size_t key_len;           /* most keys differ in length: checked first */
    uint64_t cause;           /* id of the fatal context line it is linked to, 0 */
} kept;

struct qftp_verdict {
    const qftp_session *s;
    qftp_verdict_opts o;
    qftp_ts t0, last;
    bool synth;
    uint64_t chunks;

    ctx_event ring[CTX_RING];
    uint64_t n_ctx; /* context lines seen (ids 1..n_ctx) */

    recent_txn recent[RECENT];
    size_t n_recent;
    qftp_ts net_ok; /* last successful network operation (an FTP command with a URC) */

    qftp_ftp_state state;
    bool state_seen; /* a transition happened (the initial IDLE says nothing) */
    qftp_ts state_ts;
    unsigned state_ref;

    unsigned stuck_ref; /* a 615 not yet followed by AT+QFTPCLOSE */
    qftp_ts stuck_ts;
    char stuck_line[QFTP_LINE_WORDS];

    pay_slot pay[PAY_SLOTS];
    GByteArray *cur_payload;

    /* the last listing: names NUL-separated */
    unsigned list_ref;
    qftp_ts list_ts;
    char list_line[QFTP_LINE_WORDS];
    GByteArray *names;
    size_t n_names;

    GArray *kept; /* kept */
    size_t failed, unfinished, dropped, txns;
    unsigned last_root; /* index in kept + 1 of the failure AFTER links go to, 0 */

    GArray *gaps;
    size_t n_gaps, n_gaps_over;

    qftp_txn_verdict cur;
    GHashTable *op_rows; /* op_rows_new() */
};

static GHashTable *op_rows_new(void);

qftp_verdict *qftp_verdict_new(const qftp_session *s, const qftp_verdict_opts *o)
{
    qftp_verdict *v = g_new0(qftp_verdict, 1);
    v->s = s;
    if (o)
        v->o = *o;
    else
        qftp_verdict_opts_init(&v->o);
    v->t0 = v->last = QFTP_TS_NONE;
    v->net_ok = QFTP_TS_NONE;
    v->kept = g_array_new(FALSE, TRUE, sizeof(kept));
    v->gaps = g_array_new(FALSE, TRUE, sizeof(qftp_gap));
    v->names = g_byte_array_new();
    v->cur_payload = g_byte_array_new();
    v->op_rows = op_rows_new();
    return v;
}

void qftp_verdict_free(qftp_verdict *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < PAY_SLOTS; i++)
        if (v->pay[i].b)
            g_byte_array_unref(v->pay[i].b);
    g_byte_array_unref(v->cur_payload);
    g_byte_array_unref(v->names);
    g_array_unref(v->kept);
    g_array_unref(v->gaps);
    g_hash_table_unref(v->op_rows);
    g_free(v);
}

/* dst holds n bytes cut from a longer text: drop its last character if only part of it is
 * there, so a cut never leaves half a UTF-8 sequence. */
static void cut_whole(char *dst, size_t n)
{
    size_t j = n;
    while (j > 0 && ((unsigned char)dst[j - 1] & 0xC0) == 0x80)
        j--;
    if (j == 0)
        return;
    unsigned char lead = (unsigned char)dst[j - 1];
    size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (j - 1 + len > n)
        dst[j - 1] = '\0';
}

/* Words into a fixed field: cut at a character boundary when they do not fit (the fields
 * are for people; a cut is better than a failure). */
G_GNUC_PRINTF(3, 4)
static void say(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = qftp_format_simple(dst, cap, fmt, ap); /* the same text, most formats */
    va_end(ap);
    if (n >= 0)
        return;
    va_start(ap, fmt);
    n = g_vsnprintf(dst, (gulong)cap, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= cap && cap > 1)
        cut_whole(dst, cap - 1);
}

/* say(dst, cap, "%s", src) without printf (it runs for every transaction): the same bytes. */
static void copy_str(char *dst, size_t cap, const char *src)
{
    if (cap == 0)
        return;
    if (!src)
        src = "";
    size_t n = strnlen(src, cap - 1); /* at most cap - 1 */
    bool cut = src[n] != '\0';
    if (n)
        memmove(dst, src, n);
    dst[n] = '\0';
    if (cut)
        cut_whole(dst, n);
}

/* Appends s to dst (length *len, size cap), cut as copy_str cuts. */
static void append_str(char *dst, size_t cap, size_t *len, const char *s)
{
    if (*len + 1 >= cap)
        return;
    size_t n = strlen(s);
    bool cut = n > cap - 1 - *len;
    if (cut)
        n = cap - 1 - *len;
    memcpy(dst + *len, s, n);
    *len += n;
    dst[*len] = '\0';
    if (cut) {
        cut_whole(dst, *len);
        *len = strlen(dst);
    }
}

/* ---- traffic, payload ------------------------------------------------------------------------ */

/* The silence of d ns up to the chunk just seen (v->last) is a gap: counted, kept while
 * there is room. Out of line: the test every chunk runs keeps fewer values over its call. */
static __attribute__((noinline)) bool gap_found(qftp_verdict *v, qftp_ts d, qftp_gap *gap)
{
    qftp_gap g = {v->last - d, v->last, d > qftp_session_rsptimeout(v->s)};
    v->n_gaps++;
    v->n_gaps_over += g.over_rsptimeout;
    if (v->gaps->len < QFTP_VERDICT_GAPS_KEEP)
        g_array_append_val(v->gaps, g);
    if (gap)
        *gap = g;
    return true;
}

bool qftp_verdict_traffic(qftp_verdict *v, qftp_ts ts, bool ts_synth, qftp_gap *gap)
{
    v->chunks++;
    v->synth |= ts_synth;
    if (v->t0 == QFTP_TS_NONE)
        v->t0 = ts;
    qftp_ts last = v->last;
    if (last != QFTP_TS_NONE && ts <= last)
        return false; /* no time forward: no gap */
    v->last = ts;
    if (last == QFTP_TS_NONE || v->synth)
        return false;
    qftp_ts d = ts - last;
    if (d <= qftp_session_rsptimeout(v->s) &&
        !(v->o.gap != QFTP_TS_NONE && v->o.gap > 0 && d > v->o.gap))
        return false;
    return gap_found(v, d, gap);
}

void qftp_verdict_data(qftp_verdict *v, const qftp_txn *t, const uint8_t *b, size_t n)
{
    if (!t || t->data_dir != QFTP_DIR_RX || v->o.counts_only)
        return;
    pay_slot *slot = NULL;
    for (size_t i = 0; i < PAY_SLOTS && !slot; i++)
        if (v->pay[i].b && v->pay[i].index == t->index)
            slot = &v->pay[i];
    if (!slot) {
        /* a free slot, else the oldest download's */
        size_t pick = 0;
        for (size_t i = 0; i < PAY_SLOTS; i++) {
            if (!v->pay[i].b) {
                pick = i;
                break;
            }
            if (v->pay[i].index < v->pay[pick].index)
                pick = i;
        }
        slot = &v->pay[pick];
        if (!slot->b)
            slot->b = g_byte_array_new();
        g_byte_array_set_size(slot->b, 0);
        slot->index = t->index;
        slot->total = 0;
    }
    slot->total += (int64_t)n;
    size_t room = QFTP_VERDICT_PAYLOAD_CAP - MIN(slot->b->len, QFTP_VERDICT_PAYLOAD_CAP);
    g_byte_array_append(slot->b, b, (guint)MIN(n, room));
}

/* ---- context lines -------------------------------------------------------------------------- */

static ctx_event *ctx_push(qftp_verdict *v, qftp_ts ts, const char *line, unsigned ref)
{
    ctx_event *e = &v->ring[v->n_ctx % CTX_RING];
    memset(e, 0, sizeof *e);
    e->id = ++v->n_ctx;
    e->ts = ts;
    e->ref = ref;
    copy_str(e->line, sizeof e->line, line);
    return e;
}

static const ctx_event *ctx_at(const qftp_verdict *v, uint64_t k) /* k: 0 = newest */
{
    if (k >= v->n_ctx || k >= CTX_RING)
        return NULL;
    return &v->ring[(v->n_ctx - 1 - k) % CTX_RING];
}

static bool ftp_error_fatal(int64_t err)
{
    /* GSM chapter 3: -6 the FTP session closed by the server, -8 context deactivated,
     * -421 the server cannot go on (GSM 4.5: it closes the session next), -5 network. */
    return err == -6 || err == -8 || err == -421 || err == -5;
}

static qftp_context_level event_level(const ctx_event *e)
{
    if (e->ftp_error)
        return ftp_error_fatal(e->err) ? QFTP_CONTEXT_FATAL : QFTP_CONTEXT_CONCERN;
    return e->ctx.level;
}

static void add_after_links(qftp_verdict *v, const ctx_event *e);

void qftp_verdict_unsolicited(qftp_verdict *v, const qftp_unsolicited *u)
{
    qftp_context c;
    bool is_ctx = qftp_context_decode(u->line, strlen(u->line), &c);
    if (!is_ctx && !u->has_err)
        return;
    ctx_event *e = ctx_push(v, u->ts, u->line, 0);
    if (is_ctx)
        e->ctx = c;
    else {
        e->ftp_error = true;
        e->err = u->err;
    }
    add_after_links(v, e);
}

void qftp_verdict_transition(qftp_verdict *v, const qftp_transition *tr)
{
    v->state = tr->to;
    v->state_seen = true;
    v->state_ts = tr->ts;
    v->state_ref = tr->txn_index;
}

/* ---- operations in words --------------------------------------------------------------------- */

/* The text of the parameter the tables name `name`, unquoted; false when absent or empty. */
static bool param_text(const qftp_txn *t, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    if (!t->def)
        return false;
    for (size_t i = 0; i < t->def->n_params && i < t->n_params; i++) {
        if (strcmp(t->def->params[i].name, name) != 0)
            continue;
        qftp_span sp = {t->params[i], strlen(t->params[i])};
        if (qftp_param_unquote(sp, out, cap) >= cap)
            cut_whole(out, strlen(out));
        g_strstrip(out);
        /* a named value says what it is (GSM AT+QFTPCFG=3: "resuming point") */
        int64_t n;
        const qftp_value_name *vn = t->def->params[i].values;
        for (; vn && vn->text && qftp_param_int(sp, &n); vn++)
            if (vn->value == n) {
                copy_str(out, cap, vn->text);
                break;
            }
        return out[0] != '\0';
    }
    return false;
}

/* What each command does to what, for people. "{p}" is parameter p's value; "[...]" is left
 * out when a parameter in it is absent (or "COM:", the serial port itself). */
static const struct {
    const char *command;
    qftp_cmd_type type;
    const char *words;
} op_words[] = {
    {"+QFTPOPEN", QFTP_TYPE_WRITE, "login to {hostname}[:{port}]"},
    {"+QFTPCLOSE", QFTP_TYPE_EXEC, "logout"},
    {"+QFTPGET", QFTP_TYPE_WRITE, "download of {file_name}[ to {local_name}]"},
    {"+QFTPPUT", QFTP_TYPE_WRITE, "upload of {file_name}[ from {local_name}]"},
    {"+QFTPLIST", QFTP_TYPE_WRITE, "listing of {dirname}[ to {local_name}]"},
    {"+QFTPNLST", QFTP_TYPE_WRITE, "file names of {dirname}[ to {local_name}]"},
    {"+QFTPMLSD", QFTP_TYPE_WRITE, "MLSD listing of {dirname}[ to {local_name}]"},
    {"+QFTPCWD", QFTP_TYPE_WRITE, "change to folder {path_name}"},
    {"+QFTPPATH", QFTP_TYPE_WRITE, "change to path {path_name}"},
    {"+QFTPPWD", QFTP_TYPE_EXEC, "current folder query"},
    {"+QFTPSIZE", QFTP_TYPE_WRITE, "size of {file_name}"},
    {"+QFTPDEL", QFTP_TYPE_WRITE, "deletion of {file_name}"},
    {"+QFTPMKDIR", QFTP_TYPE_WRITE, "creation of folder {folder_name}"},
    {"+QFTPRMDIR", QFTP_TYPE_WRITE, "deletion of folder {folder_name}"},
    {"+QFTPRENAME", QFTP_TYPE_WRITE, "renaming of {old_name} to {new_name}"},
    {"+QFTPMDTM", QFTP_TYPE_WRITE, "modification time of {file_name}"},
    {"+QFTPLEN", QFTP_TYPE_EXEC, "transferred length query"},
    {"+QFTPSTAT", QFTP_TYPE_EXEC, "FTP status query"},
    {"+QFTPCFG", QFTP_TYPE_WRITE, "FTP setting {key}"},
    {"+QFTPCFG", QFTP_TYPE_WRITE, "FTP setting {type}"},
    {"+QFTPUSER", QFTP_TYPE_WRITE, "user name setting"},
    {"+QFTPPASS", QFTP_TYPE_WRITE, "password setting"},
    {"+QIACT", QFTP_TYPE_WRITE, "activation of PDP context {contextid}"},
    {"+QIACT", QFTP_TYPE_EXEC, "activation of the GPRS/CSD context"},
    {"+QIDEACT", QFTP_TYPE_WRITE, "deactivation of PDP context {contextid}"},
    {"+QIDEACT", QFTP_TYPE_EXEC, "deactivation of the GPRS/CSD context"},
    {"+QICSGP", QFTP_TYPE_WRITE, "configuration of the PDP context"},
    {"+QFUPL", QFTP_TYPE_WRITE, "upload of {file_name} to the storage"},
    {"+QFDWL", QFTP_TYPE_WRITE, "download of {file_name} from the storage"},
    {"+QFDEL", QFTP_TYPE_WRITE, "deletion of {file_name} from the storage"},
};

static bool is_serial_port(const char *v)
{
    return g_ascii_strcasecmp(v, "COM:") == 0 || g_ascii_strcasecmp(v, "/COM/") == 0;
}

/* Expands a template; false when a mandatory parameter is absent. The templates are short
 * and hold at most two parameters of at most QFTP_WORDS_CAP bytes each, so the buffers never
 * cut what out (cap <= QFTP_WORDS_CAP) would keep. */
static bool expand(const qftp_txn *t, const char *tpl, char *out, size_t cap)
{
    char o[4 * QFTP_WORDS_CAP], opt[4 * QFTP_WORDS_CAP];
    size_t on = 0, pn = 0;
    bool in_opt = false; /* inside [...] */
    bool opt_ok = true, ok = true;
    o[0] = opt[0] = '\0';
    for (const char *p = tpl; *p; p++) {
        char *dst = in_opt ? opt : o;
        size_t *dn = in_opt ? &pn : &on;
        if (*p == '[') {
            in_opt = true;
            pn = 0;
            opt[0] = '\0';
            opt_ok = true;
        } else if (*p == ']' && in_opt) {
            if (opt_ok)
                append_str(o, sizeof o, &on, opt);
            in_opt = false;
        } else if (*p == '{') {
            const char *e = strchr(p, '}');
            if (!e)
                break;
            char name[48], val[QFTP_WORDS_CAP];
            size_t nl = MIN((size_t)(e - p - 1), sizeof name - 1);
            memcpy(name, p + 1, nl);
            name[nl] = '\0';
            bool have = param_text(t, name, val, sizeof val) && !is_serial_port(val);
            if (have && strcmp(val, ".") == 0 && strcmp(name, "dirname") == 0)
                copy_str(val, sizeof val, "the current folder"); /* BG96 2.11-2.13 */
            if (!have) {
                if (in_opt)
                    opt_ok = false;
                else
                    ok = false;
            }
            append_str(dst, sizeof o, dn, val);
            p = e;
        } else if (*dn + 1 < sizeof o) {
            dst[(*dn)++] = *p;
            dst[*dn] = '\0';
        }
    }
    copy_str(out, cap, o);
    return ok;
}

/* The rows of op_words for each command: first and last index + 1 packed in a pointer
 * (a command's rows are adjacent, but the walk below checks every row between them). */
static GHashTable *op_rows_new(void)
{
    GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < G_N_ELEMENTS(op_words); i++) {
        gpointer old = g_hash_table_lookup(h, op_words[i].command);
        size_t first = old ? (GPOINTER_TO_SIZE(old) & 0xFFFF) : i + 1;
        g_hash_table_insert(h, (gpointer)op_words[i].command,
                            GSIZE_TO_POINTER(first | ((i + 1) << 16)));
    }
    return h;
}

static void operation_words(const qftp_verdict *v, const qftp_txn *t, char *out, size_t cap)
{
    size_t rows = GPOINTER_TO_SIZE(g_hash_table_lookup(v->op_rows, t->command));
    for (size_t i = rows ? (rows & 0xFFFF) - 1 : G_N_ELEMENTS(op_words); rows && i < rows >> 16;
         i++) {
        if (strcmp(op_words[i].command, t->command) == 0 && op_words[i].type == t->type &&
            expand(t, op_words[i].words, out, cap))
            return;
    }
    /* a query or test form, a command without words of its own: the command itself, and
     * what the tables say it does */
    if (t->def && t->def->summary && t->def->summary[0] && t->type != QFTP_TYPE_TEST &&
        t->type != QFTP_TYPE_READ) {
        size_t n = 0;
        out[0] = '\0';
        append_str(out, cap, &n, t->def->summary);
        append_str(out, cap, &n, " (AT");
        append_str(out, cap, &n, t->command);
        append_str(out, cap, &n, ")");
        out[0] = (char)g_ascii_tolower(out[0]);
        return;
    }
    copy_str(out, cap, t->line);
}

/* Keeps what r's words are made of; false when it does not fit (the words are then
 * computed at once). */
static bool snap_take(op_snap *sn, const qftp_txn *t)
{
    if (t->n_params > SNAP_PARAMS)
        return false;
    const char *parts[2 + SNAP_PARAMS] = {t->command, t->line};
    for (size_t i = 0; i < t->n_params; i++)
        parts[2 + i] = t->params[i];
    size_t n = 0;
    for (size_t i = 0; i < 2 + t->n_params; i++) {
        const char *p = parts[i] ? parts[i] : "";
        size_t l = strlen(p) + 1;
        if (l > sizeof sn->buf - n)
            return false;
        memcpy(sn->buf + n, p, l);
        sn->off[i] = n;
        n += l;
    }
    sn->def = t->def;
    sn->type = t->type;
    sn->n_params = t->n_params;
    return true;
}

/* r's operation in words, from its snapshot the first time they are asked for. */
static const char *recent_operation(const qftp_verdict *v, recent_txn *r)
{
    if (r->lazy) { /* filled in once, in place */
        op_snap *sn = &r->snap;
        char *params[SNAP_PARAMS];
        for (size_t i = 0; i < sn->n_params; i++)
            params[i] = sn->buf + sn->off[2 + i];
        qftp_txn x;
        memset(&x, 0, sizeof x);
        x.def = sn->def;
        x.type = sn->type;
        x.command = sn->buf + sn->off[0];
        x.line = sn->buf + sn->off[1];
        x.params = params;
        x.n_params = sn->n_params;
        operation_words(v, &x, r->operation, sizeof r->operation);
        r->lazy = false;
    }
    return r->operation;
}

/* What identifies an operation for recovery: the command and its object
 * ("+QFTPGET|write|app.bin"), cut to cap. */
static void operation_key(const qftp_txn *t, char *out, size_t cap)
{
    const char *parts[4] = {t->command, "|", qftp_cmd_type_name(t->type), "|"};
    size_t n = 0;
    for (size_t i = 0; i < 4; i++) {
        size_t l = strlen(parts[i]);
        if (l > cap - 1 - n)
            l = cap - 1 - n;
        memcpy(out + n, parts[i], l);
        n += l;
    }
    out[n] = '\0';
    if (t->n_params && n + 1 < cap) {
        qftp_span sp = {t->params[0], strlen(t->params[0])};
        char obj[QFTP_WORDS_CAP];
        qftp_param_unquote(sp, obj, sizeof obj);
        size_t l = strlen(obj);
        bool cut = l > cap - 1 - n;
        if (cut)
            l = cap - 1 - n;
        memcpy(out + n, obj, l);
        out[n + l] = '\0';
        if (cut)
            cut_whole(out, n + l); /* as append_str cuts: never inside a character */
    }
}

/* ---- judging --------------------------------------------------------------------------------- */

static bool has_note(const qftp_txn *t, qftp_note_kind k)
{
    for (size_t i = 0; i < t->n_notes; i++)
        if (t->notes[i].kind == k)
            return true;
    return false;
}

/* The note that makes a transfer short, if any (one rule: qftp/notes.h's length-mismatch
 * entry and the data-mode endings that lose bytes). */
static __attribute__((noinline)) const qftp_note *short_note_of(const qftp_txn *t)
{
    for (size_t i = 0; i < t->n_notes; i++) {
        qftp_note_kind k = t->notes[i].kind;
        const qftp_note_def *d = qftp_note_def_of(k);
        if ((d &&
             (d->expert == QFTP_EXPERT_LENGTH_MISMATCH || d->expert == QFTP_EXPERT_LOG_TRIMMED)) ||
            k == QFTP_NOTE_DATA_OPEN_AT_END || k == QFTP_NOTE_DOWNLOAD_ABORTED)
            return &t->notes[i];
    }
    return NULL;
}

/* Inline: most transactions have no note. */
static inline const qftp_note *short_note(const qftp_txn *t)
{
    return t->n_notes ? short_note_of(t) : NULL;
}

static qftp_ts txn_end(const qftp_txn *t)
{
    if (t->urc)
        return t->t_done;
    if (t->final != QFTP_FINAL_NONE)
        return t->t_final;
    return QFTP_TS_NONE;
}

/* When the data mode ended (its DATA_END item), or QFTP_TS_NONE. */
static qftp_ts data_end_ts(const qftp_txn *t)
{
    for (size_t i = t->n_items; i-- > 0;)
        if (t->items[i].role == QFTP_ROLE_DATA_END || t->items[i].role == QFTP_ROLE_DATA)
            return t->items[i].ts;
    return QFTP_TS_NONE;
}

static void incomplete_words(const qftp_txn *t, const qftp_note *n, char *out, size_t cap)
{
    const char *what = t->data_dir == QFTP_DIR_TX ? "host sent" : "log holds";
    int64_t got = t->data_len < 0 ? 0 : t->data_len;
    if (n->kind == QFTP_NOTE_DATA_OPEN_AT_END) {
        say(out, cap, "the log ends in the middle of the transfer, after %" PRId64 " bytes", got);
    } else if (n->kind == QFTP_NOTE_DOWNLOAD_ABORTED) {
        say(out, cap, "aborted by the host's +++ after %" PRId64 " bytes", got);
    } else if (n->kind == QFTP_NOTE_LENGTH_UPLOADLEN) {
        /* the command declared more (or less) than the host sent: BG96 <uploadlen>,
         * GSM <fileSz> ("theoretically, it should equal <fileSz>", GSM 2.2.3) */
        const char *decl = strchr(n->text, '<'), *but = decl ? strstr(decl, " but ") : NULL;
        say(out, cap, "the command declared %.*s bytes, the host sent %" PRId64 "%s%s",
            but ? (int)(but - decl) : 1, but ? decl : "?", got,
            t->urc ? "; the module answered " : "", t->urc ? t->urc : "");
    } else if (t->urc && t->has_err && t->err == 0 && t->value.kind == QFTP_VAL_INT) {
        if (t->data_dir == QFTP_DIR_RX && got < t->value.i)
            say(out, cap,
                "the log holds %" PRId64 " of the %" PRId64
                " bytes the module reported (%s): trimmed or lost",
                got, t->value.i, t->urc);
        else
            say(out, cap, "the %s %" PRId64 " bytes, the module reported %" PRId64 " (%s)", what,
                got, t->value.i, t->urc);
    } else if (t->connect_len >= 0 && t->connect_len != got) {
        say(out, cap, "CONNECT %" PRId64 " announced %" PRId64 " bytes, the %s %" PRId64,
            t->connect_len, t->connect_len, what, got);
    } else {
        say(out, cap, "%s", n->text);
    }
}

/* A transaction without a final result or completion URC: a failure when the log shows the
 * outcome should have come; the context line that ended it goes to *why. */
static qftp_fail_kind judge_missing(qftp_verdict *v, const qftp_txn *t, const ctx_event **why)
{
    *why = NULL;
    /* a restart, power down or lost context while it ran */
    for (uint64_t k = 0; k < MIN(v->n_ctx, CTX_RING); k++) {
        const ctx_event *e = ctx_at(v, k);
        if (e->ts < t->t_sent)
            break;
        if (!e->ftp_error && e->ctx.level == QFTP_CONTEXT_FATAL &&
            (e->ctx.kind == QFTP_CONTEXT_RESTART || e->ctx.kind == QFTP_CONTEXT_POWER_DOWN ||
             e->ctx.kind == QFTP_CONTEXT_PDP_DEACTIVATED))
            *why = e;
    }
    if (*why)
        return QFTP_FAIL_NO_OUTCOME;
    if (has_note(t, QFTP_NOTE_URC_GIVEN_UP))
        return QFTP_FAIL_NO_OUTCOME;
    qftp_ts since = t->final != QFTP_FINAL_NONE ? t->t_final : t->t_sent;
    if (!v->synth && v->last != QFTP_TS_NONE && since != QFTP_TS_NONE &&
        v->last - since > qftp_session_rsptimeout(v->s))
        return QFTP_FAIL_NO_OUTCOME;
    return QFTP_FAIL_UNFINISHED;
}

static void fail_words(const qftp_txn *t, const qftp_txn_words *w, qftp_fail_kind k, char *out,
                       size_t cap)
{
    switch (k) {
    case QFTP_FAIL_REFUSED:
        if (w->final_words[0])
            say(out, cap, "%s (%s)", w->final_words, t->final_line);
        else if (t->final == QFTP_FINAL_ERROR)
            say(out, cap, "ERROR: wrong format, or the command is not allowed now");
        else
            say(out, cap, "%s", t->final_line ? t->final_line : "error");
        break;
    case QFTP_FAIL_FAILED:
        say(out, cap, "%s (%s)", w->result[0] ? w->result : "error",
            t->urc ? t->urc : (t->n_info ? t->info[t->n_info - 1] : "?"));
        break;
    case QFTP_FAIL_NO_OUTCOME:
    case QFTP_FAIL_UNFINISHED: {
        bool urc_due = t->def && (t->def->urc_forms & QFTP_FORM_BIT(t->type));
        if (t->final == QFTP_FINAL_NONE)
            say(out, cap, "no final result");
        else if (urc_due)
            say(out, cap, "%s, but no %s URC", t->final_line, t->command);
        else
            say(out, cap, "no outcome");
        break;
    }
    default:
        break;
    }
}

/* ---- links ------------------------------------------------------------------------------------
 */

static qftp_link *link_add(qftp_txn_verdict *tv, qftp_link_kind kind, qftp_link_when when,
                           qftp_ts ts, unsigned ref)
{
    if (tv->n_links >= QFTP_LINKS_MAX)
        return NULL;
    qftp_link *l = &tv->links[tv->n_links++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->when = when;
    l->ts = ts;
    l->ref = ref;
    return l;
}

static void link_from_event(qftp_link *l, const ctx_event *e)
{
    copy_str(l->line, sizeof l->line, e->line);
    if (e->ftp_error) {
        l->kind = QFTP_LINK_FTP_ERROR;
        char words[QFTP_WORDS_CAP];
        qftp_describe_result(e->err, 0, false, words, sizeof words);
        say(l->words, sizeof l->words, "the FTP service reported: %s", words);
    } else {
        l->ctx = e->ctx;
        copy_str(l->words, sizeof l->words, e->ctx.words);
    }
}

/* Sorts the links by time (stable: a few elements). */
static void links_sort(qftp_txn_verdict *tv)
{
    for (size_t i = 1; i < tv->n_links; i++)
        for (size_t j = i; j > 0 && tv->links[j].ts < tv->links[j - 1].ts; j--) {
            qftp_link tmp = tv->links[j];
            tv->links[j] = tv->links[j - 1];
            tv->links[j - 1] = tmp;
        }
}

/* Commands the context of the network can explain: the FTP service's and the PDP
 * context's. */
static bool network_command(const qftp_txn *t)
{
    if (t->def && t->def->ftp)
        return true;
    return qftp_txn_op(t) == QFTP_OP_QIACT || qftp_txn_op(t) == QFTP_OP_QIDEACT ||
           qftp_txn_op(t) == QFTP_OP_CGATT || qftp_txn_op(t) == QFTP_OP_CGACT;
}

/* An FTP command that works on an open session. */
static bool needs_session(const qftp_txn *t)
{
    return t->def && t->def->ftp && (t->def->urc_forms & QFTP_FORM_BIT(t->type)) &&
           qftp_txn_op(t) != QFTP_OP_QFTPOPEN && qftp_txn_op(t) != QFTP_OP_QFTPCLOSE &&
           qftp_txn_op(t) != QFTP_OP_QFTPCFG;
}

static bool is_busy_code(const qftp_txn *t)
{
    if (t->final == QFTP_FINAL_CME_ERROR && t->cme_code == 603)
        return true;
    return t->has_err && (t->err == 603 || t->err == -3);
}

/* Context lines before and during the transaction that explain it; the first fatal one's
 * id goes to *cause. */
static void context_links(qftp_verdict *v, const qftp_txn *t, qftp_txn_verdict *tv, qftp_ts t_end,
                          uint64_t ended_by, uint64_t *cause)
{
    bool seen_kind[QFTP_CONTEXT__COUNT + 1] = {false};
    unsigned seen_ftp_error = 0;
    *cause = 0;
    /* newest first: a later line of a kind supersedes the earlier ones */
    for (uint64_t k = 0; k < MIN(v->n_ctx, CTX_RING); k++) {
        const ctx_event *e = ctx_at(v, k);
        if (e->ref == t->index)
            continue; /* its own answer */
        /* a line at the very time of the outcome came after it, unless it ended it */
        if (t_end != QFTP_TS_NONE && (e->ts > t_end || (e->ts == t_end && e->id != ended_by))) {
            /* already seen after it (the session hands a transaction over late): evidence */
            if (event_level(e) != QFTP_CONTEXT_FINE) {
                qftp_link *l = link_add(tv, QFTP_LINK_CONTEXT, QFTP_WHEN_AFTER, e->ts, e->ref);
                if (l)
                    link_from_event(l, e);
            }
            continue;
        }
        bool during = e->ts >= t->t_sent;
        if (!during && v->net_ok != QFTP_TS_NONE && v->net_ok >= e->ts)
            break; /* the network worked after it: older lines explain nothing */
        unsigned slot = (unsigned)e->ctx.kind;
        if (e->ftp_error) {
            /* each code once: -421 then -6 tell the story together (GSM 4.5) */
            bool dup = false;
            for (size_t i = 0; i < tv->n_links; i++)
                dup |= tv->links[i].kind == QFTP_LINK_FTP_ERROR &&
                       strcmp(tv->links[i].line, e->line) == 0;
            if (dup || seen_ftp_error > 4)
                continue;
            seen_ftp_error++;
        } else if (seen_kind[slot]) {
            continue;
        } else {
            seen_kind[slot] = true;
        }
        /* a PDP context reported active again supersedes its deactivation */
        if (!e->ftp_error && e->ctx.kind == QFTP_CONTEXT_PDP_CONTEXT &&
            e->ctx.level == QFTP_CONTEXT_FINE)
            seen_kind[QFTP_CONTEXT_PDP_DEACTIVATED] = true;
        if (event_level(e) == QFTP_CONTEXT_FINE)
            continue;
        qftp_link *l = link_add(tv, QFTP_LINK_CONTEXT, during ? QFTP_WHEN_DURING : QFTP_WHEN_BEFORE,
                                e->ts, e->ref);
        if (!l)
            break;
        link_from_event(l, e);
        if (event_level(e) == QFTP_CONTEXT_FATAL)
            *cause = e->id; /* the oldest fatal one, as the loop goes back in time */
    }
}

/* The FTP command still running when t was sent (its outcome came after). */
static recent_txn *running_at(qftp_verdict *v, const qftp_txn *t)
{
    for (size_t k = 0; k < MIN(v->n_recent, RECENT); k++) {
        recent_txn *r = &v->recent[(v->n_recent - 1 - k) % RECENT];
        if (r->index >= t->index)
            continue;
        if (r->t_sent <= t->t_sent && (r->t_end == QFTP_TS_NONE || r->t_end > t->t_sent))
            return r;
    }
    return NULL;
}

static void busy_links(qftp_verdict *v, const qftp_txn *t, qftp_txn_verdict *tv)
{
    recent_txn *r = running_at(v, t);
    if (r) {
        qftp_link *l = link_add(tv, QFTP_LINK_BUSY, QFTP_WHEN_BEFORE, r->t_sent, r->index);
        if (l) {
            copy_str(l->line, sizeof l->line, r->line);
            char a[32], b[32];
            if (r->t_end == QFTP_TS_NONE)
                say(l->words, sizeof l->words, "%s (#%u) was still running: its outcome never came",
                    recent_operation(v, r), r->index);
            else if (qftp_verdict_times_real(v))
                say(l->words, sizeof l->words,
                    "%s (#%u) was still running: sent %s before, its outcome came %s after",
                    recent_operation(v, r), r->index,
                    qftp_duration_words(t->t_sent - r->t_sent, a, sizeof a),
                    qftp_duration_words(r->t_end - t->t_sent, b, sizeof b));
            else
                say(l->words, sizeof l->words, "%s (#%u) was still running", recent_operation(v, r),
                    r->index);
        }
        return;
    }
    if (v->stuck_ref) {
        qftp_link *l = link_add(tv, QFTP_LINK_STUCK, QFTP_WHEN_BEFORE, v->stuck_ts, v->stuck_ref);
        if (l) {
            copy_str(l->line, sizeof l->line, v->stuck_line);
            say(l->words, sizeof l->words,
                "the data connection of #%u could not be opened (615): the module answers "
                "603 to every FTP command until AT+QFTPCLOSE",
                v->stuck_ref);
        }
    }
}

static void closed_link(qftp_verdict *v, const qftp_txn *t, qftp_txn_verdict *tv)
{
    if (!v->state_seen || !needs_session(t) || v->state_ts > t->t_sent)
        return;
    if (v->state != QFTP_STATE_CLOSED && v->state != QFTP_STATE_IDLE)
        return;
    qftp_link *l = link_add(tv, QFTP_LINK_CLOSED, QFTP_WHEN_BEFORE, v->state_ts, v->state_ref);
    if (!l)
        return;
    recent_txn *by = NULL;
    for (size_t k = 0; k < MIN(v->n_recent, RECENT); k++) {
        recent_txn *r = &v->recent[(v->n_recent - 1 - k) % RECENT];
        if (r->index == v->state_ref)
            by = r;
    }
    if (by) {
        copy_str(l->line, sizeof l->line, by->line);
        say(l->words, sizeof l->words, "no FTP session was open: %s (#%u) had ended it",
            recent_operation(v, by), by->index);
    } else {
        say(l->words, sizeof l->words, "no FTP session was open (FTP service %s)",
            qftp_state_name(v->state));
    }
}

/* ---- listings -----------------------------------------------------------------------------------
 */

static bool is_listing(const qftp_txn *t)
{
    return qftp_txn_op(t) == QFTP_OP_QFTPLIST || qftp_txn_op(t) == QFTP_OP_QFTPNLST ||
           qftp_txn_op(t) == QFTP_OP_QFTPMLSD;
}

/* The name in one line of a listing: NLST (the name, maybe with a path), MLSD ("facts; name"),
 * Unix `ls -l` (after eight fields; "name -> target" for links), DOS/IIS ("date time <DIR>|size
 * name"). Returns the name's length, 0 for a line without one ("total 12"). */
static size_t listing_name(const char *s, size_t n, const char **name)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    if (n == 0)
        return 0;
    const char *semi = memchr(s, ';', n);
    const char *sp = memchr(s, ' ', n);
    if (semi && sp && semi < sp && memchr(s, '=', (size_t)(sp - s))) { /* MLSD */
        *name = sp + 1;
        return n - (size_t)(sp + 1 - s);
    }
    bool unix_ls = n > 10 && strchr("-dlcbps", s[0]) && strchr("r-", s[1]) && strchr("w-", s[2]);
    bool dos = n > 8 && g_ascii_isdigit(s[0]) && g_ascii_isdigit(s[1]) && s[2] == '-';
    if (unix_ls || dos) {
        int skip = unix_ls ? 8 : 3;
        size_t i = 0;
        for (int f = 0; f < skip; f++) {
            while (i < n && s[i] != ' ' && s[i] != '\t')
                i++;
            while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
        }
        if (i >= n)
            return 0;
        *name = s + i;
        size_t len = n - i;
        const char *arrow =
            unix_ls && s[0] == 'l' ? g_strstr_len(*name, (gssize)len, " -> ") : NULL;
        return arrow ? (size_t)(arrow - *name) : len;
    }
    if (n >= 6 && g_ascii_strncasecmp(s, "total ", 6) == 0)
        return 0;
    /* NLST: a name, maybe with the folder in front */
    const char *slash = g_strrstr_len(s, (gssize)n, "/");
    if (slash && slash + 1 < s + n) {
        *name = slash + 1;
        return n - (size_t)(slash + 1 - s);
    }
    *name = s;
    return n;
}

static void keep_listing(qftp_verdict *v, const qftp_txn *t, const uint8_t *b, size_t n)
{
    g_byte_array_set_size(v->names, 0);
    v->n_names = 0;
    v->list_ref = t->index;
    v->list_ts = t->t_sent;
    copy_str(v->list_line, sizeof v->list_line, t->line);
    size_t i = 0;
    while (i < n && v->n_names < NAMES_CAP) {
        const uint8_t *e = memchr(b + i, '\n', n - i);
        size_t len = e ? (size_t)(e - (b + i)) : n - i;
        const char *name;
        size_t nl = listing_name((const char *)b + i, len, &name);
        if (nl && nl < 512) {
            g_byte_array_append(v->names, (const guint8 *)name, (guint)nl);
            g_byte_array_append(v->names, (const guint8 *)"", 1);
            v->n_names++;
        }
        i += len + 1;
    }
}

/* Edit distance, case-insensitive, giving up past `max` (returns max + 1). */
static size_t distance(const char *a, size_t la, const char *b, size_t lb, size_t max)
{
    if ((la > lb ? la - lb : lb - la) > max || la > 255 || lb > 255)
        return max + 1;
    size_t row[256];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0], best = i;
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 1]) ? 0 : 1;
            size_t d = MIN(MIN(row[j] + 1, row[j - 1] + 1), diag + cost);
            row[j] = d;
            diag = up;
            best = MIN(best, d);
        }
        if (best > max)
            return max + 1;
    }
    return row[lb];
}

/* Whether a (la bytes) is b with characters left out, case-insensitive. */
static bool subsequence(const char *a, size_t la, const char *b, size_t lb)
{
    size_t i = 0;
    for (size_t j = 0; j < lb && i < la; j++)
        if (g_ascii_tolower(a[i]) == g_ascii_tolower(b[j]))
            i++;
    return i == la;
}

static bool not_found_code(const qftp_txn *t)
{
    if (!t->has_err)
        return false;
    /* BG96 chapter 6 / RFC 959: 550 file unavailable, 450 file action not taken, 553 file
     * name not allowed; chapter 5: 611 failed to open file, 617 file action not taken, 627
     * action not taken, 630 file name invalid; GSM chapter 3: -550, -450, -553 */
    int64_t pe = t->has_pe ? t->protocol_error : 0;
    return pe == 550 || pe == 450 || pe == 553 || t->err == 611 || t->err == 617 || t->err == 627 ||
           t->err == 630 || t->err == -550 || t->err == -450 || t->err == -553;
}

/* The object asked for (file, folder) of a command that names one on the server. */
static bool asked_name(const qftp_txn *t, char *out, size_t cap)
{
    static const char *const params[] = {"file_name", "folder_name", "old_name", "path_name",
                                         "dirname"};
    for (size_t i = 0; i < G_N_ELEMENTS(params); i++)
        if (param_text(t, params[i], out, cap)) {
            const char *slash = strrchr(out, '/');
            if (slash && slash[1])
                memmove(out, slash + 1, strlen(slash + 1) + 1);
            return out[0] != '\0';
        }
    return false;
}

/* Words for the last listing beside a name not found. */
static bool listing_link(qftp_verdict *v, const char *asked, qftp_link *l)
{
    if (!v->list_ref)
        return false;
    size_t la = strlen(asked);
    size_t max = MAX((size_t)2, la / 3);
    /* closest first: names that hold every character of the one asked for, in order (it
     * lacks a part: app_v2.1.bin for app_v2.1.0.bin), then by edit distance */
    const char *best[3] = {NULL};
    size_t bestd[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
    bool exact = false;
    const char *p = (const char *)v->names->data;
    for (size_t i = 0; i < v->n_names; i++) {
        size_t ln = strlen(p);
        if (ln == la && memcmp(p, asked, la) == 0)
            exact = true;
        size_t d = distance(asked, la, p, ln, max);
        if (d > 0 && d <= max) {
            d += subsequence(asked, la, p, ln) ? 0 : 1000;
            for (size_t k = 0; k < 3; k++)
                if (d < bestd[k]) {
                    memmove(&best[k + 1], &best[k], (2 - k) * sizeof best[0]);
                    memmove(&bestd[k + 1], &bestd[k], (2 - k) * sizeof bestd[0]);
                    best[k] = p;
                    bestd[k] = d;
                    break;
                }
        }
        p += ln + 1;
    }
    l->ref = v->list_ref;
    l->ts = v->list_ts;
    copy_str(l->line, sizeof l->line, v->list_line);
    GString *names = g_string_new(NULL);
    for (size_t k = 0; k < 3 && best[k] && !exact; k++)
        g_string_append_printf(names, "%s%s", k ? ", " : "", best[k]);
    copy_str(l->name, sizeof l->name, names->str);
    if (exact)
        say(l->words, sizeof l->words,
            "the listing (#%u, %zu names) holds %s: the name exists there (another folder? "
            "permissions?)",
            v->list_ref, v->n_names, asked);
    else if (names->len)
        say(l->words, sizeof l->words, "the listing (#%u, %zu names) holds %s, not %s", v->list_ref,
            v->n_names, names->str, asked);
    else
        say(l->words, sizeof l->words,
            "the listing (#%u, %zu names) holds no %s and no name close to it", v->list_ref,
            v->n_names, asked);
    g_string_free(names, TRUE);
    return true;
}

static const char *kind_verb(qftp_fail_kind k);

/* ---- failures kept ----------------------------------------------------------------------------
 */

static kept *kept_at(qftp_verdict *v, size_t i)
{
    return &g_array_index(v->kept, kept, i);
}

/* A link found after the failure was judged. */
static qftp_link *late_link(kept *k)
{
    qftp_txn_verdict *tv = &k->f.v;
    if (tv->n_links >= QFTP_LINKS_MAX)
        return NULL;
    qftp_link *l = &tv->links[tv->n_links++];
    memset(l, 0, sizeof *l);
    return l;
}

/* Context that comes after the latest failure, until the network works again. */
static void add_after_links(qftp_verdict *v, const ctx_event *e)
{
    if (!v->last_root || event_level(e) == QFTP_CONTEXT_FINE)
        return;
    kept *k = kept_at(v, v->last_root - 1);
    if (e->ts < k->f.v.t_fail || k->f.recovered_by)
        return;
    for (size_t i = 0; i < k->f.v.n_links; i++) /* the same line already linked */
        if (k->f.v.links[i].ts == e->ts && strcmp(k->f.v.links[i].line, e->line) == 0)
            return;
    qftp_link *l = late_link(k);
    if (!l)
        return;
    l->kind = QFTP_LINK_CONTEXT;
    l->when = QFTP_WHEN_AFTER;
    l->ts = e->ts;
    l->ref = e->ref;
    link_from_event(l, e);
}

/* A listing that came after failures to find a name: linked to them. */
static void listing_after(qftp_verdict *v)
{
    size_t n = v->kept->len;
    for (size_t i = n > FOLLOW_SCAN ? n - FOLLOW_SCAN : 0; i < n; i++) {
        kept *k = kept_at(v, i);
        if (k->f.recovered_by || k->f.v.index > v->list_ref)
            continue;
        bool has = false;
        for (size_t j = 0; j < k->f.v.n_links; j++)
            has |= k->f.v.links[j].kind == QFTP_LINK_LISTING;
        char asked[QFTP_WORDS_CAP];
        /* the kept failure knows its name only through its key: "CMD|form|object" */
        const char *obj = strrchr(k->key, '|');
        if (has || !obj || !obj[1] || !k->f.v.failed || k->f.v.kind != QFTP_FAIL_FAILED)
            continue;
        copy_str(asked, sizeof asked, obj + 1);
        char *slash = strrchr(asked, '/');
        if (slash && slash[1])
            memmove(asked, slash + 1, strlen(slash + 1) + 1);
        qftp_link tmp = {0};
        if (!listing_link(v, asked, &tmp) || !tmp.name[0])
            continue; /* after the fact, only a close name is worth saying */
        qftp_link *l = late_link(k);
        if (l) {
            *l = tmp;
            l->kind = QFTP_LINK_LISTING;
            l->when = QFTP_WHEN_AFTER;
        }
    }
}

static void recovery(qftp_verdict *v, const qftp_txn *t, const char *key, size_t key_len)
{
    size_t n = v->kept->len;
    for (size_t i = n > FOLLOW_SCAN ? n - FOLLOW_SCAN : 0; i < n; i++) {
        kept *k = kept_at(v, i);
        if (!k->f.recovered_by && k->key_len == key_len && strcmp(k->key, key) == 0) {
            k->f.recovered_by = t->index;
            if (v->last_root == i + 1)
                v->last_root = 0;
        }
    }
}

static void keep_failure(qftp_verdict *v, const qftp_txn *t, const qftp_txn_verdict *tv,
                         const char *key, size_t key_len, uint64_t cause)
{
    size_t n = v->kept->len;
    /* the same failure again right after: counted */
    if (n) {
        kept *last = kept_at(v, n - 1);
        if (!last->f.recovered_by && last->key_len == key_len && strcmp(last->key, key) == 0 &&
            last->f.v.kind == tv->kind && strcmp(last->f.v.outcome, tv->outcome) == 0) {
            last->f.repeats++;
            last->f.last_index = t->index;
            last->f.t_last = tv->t_fail;
            return;
        }
    }
    if (n >= QFTP_VERDICT_KEEP) {
        v->dropped++;
        return;
    }
    kept k;
    memset(&k, 0, sizeof k);
    k.f.v = *tv;
    k.f.v.payload = NULL;
    k.f.v.payload_len = 0;
    copy_str(k.f.line, sizeof k.f.line, t->line);
    k.f.last_index = t->index;
    k.f.t_last = tv->t_fail;
    copy_str(k.key, sizeof k.key, key);
    k.key_len = key_len; /* key fits: the same size as k.key */
    k.cause = cause;
    /* a follow-up: an earlier failure is linked to the same fatal line */
    if (cause)
        for (size_t i = n > FOLLOW_SCAN ? n - FOLLOW_SCAN : 0; i < n; i++) {
            kept *r = kept_at(v, i);
            if (r->cause == cause && !r->f.root) {
                k.f.root = r->f.v.index;
                qftp_link *l = late_link(r);
                if (l) {
                    l->kind = QFTP_LINK_FOLLOWS;
                    l->when = QFTP_WHEN_AFTER;
                    l->ts = tv->t_fail;
                    l->ref = t->index;
                    copy_str(l->line, sizeof l->line, t->line);
                    say(l->words, sizeof l->words, "%s (#%u) %s: %s", tv->operation, t->index,
                        kind_verb(tv->kind), tv->outcome);
                }
                break;
            }
        }
    g_array_append_val(v->kept, k);
    if (!k.f.root)
        v->last_root = (unsigned)v->kept->len;
}

/* ---- one transaction ----------------------------------------------------------------------------
 */

static void remember(qftp_verdict *v, const qftp_txn *t, const qftp_txn_verdict *tv)
{
    if (!t->def || !t->def->ftp)
        return;
    recent_txn *r = &v->recent[v->n_recent++ % RECENT];
    r->index = t->index;
    copy_str(r->command, sizeof r->command, t->command);
    copy_str(r->line, sizeof r->line, t->line);
    r->lazy = false;
    if (tv->operation[0])
        copy_str(r->operation, sizeof r->operation, tv->operation);
    else if (!(r->lazy = snap_take(&r->snap, t)))
        operation_words(v, t, r->operation, sizeof r->operation);
    r->t_sent = t->t_sent;
    r->t_end = txn_end(t);
    r->ok = !tv->failed;
}

/* Information responses that are context (+CEREG: 0,2 to AT+CEREG?, +CSQ: 5,99): kept as
 * context lines at the time of the answer. */
static __attribute__((noinline)) void context_of_info(qftp_verdict *v, const qftp_txn *t)
{
    for (size_t i = 0; i < t->n_info; i++) {
        qftp_context c;
        if (!qftp_context_decode(t->info[i], strlen(t->info[i]), &c))
            continue;
        qftp_ts ts = t->final != QFTP_FINAL_NONE ? t->t_final : t->t_sent;
        ctx_event *e = ctx_push(v, ts, t->info[i], t->index);
        e->ctx = c;
        add_after_links(v, e);
    }
}

/* Inline: most transactions have no information response. */
static inline void context_of_answers(qftp_verdict *v, const qftp_txn *t)
{
    if (t->n_info)
        context_of_info(v, t);
}

static void take_payload(qftp_verdict *v, const qftp_txn *t, qftp_txn_verdict *tv)
{
    g_byte_array_set_size(v->cur_payload, 0);
    tv->payload = NULL;
    tv->payload_len = 0;
    tv->payload_total = -1;
    for (size_t i = 0; i < PAY_SLOTS; i++) {
        pay_slot *p = &v->pay[i];
        if (!p->b || p->index != t->index)
            continue;
        g_byte_array_append(v->cur_payload, p->b->data, p->b->len);
        tv->payload_total = p->total;
        g_byte_array_unref(p->b);
        p->b = NULL;
    }
    if (tv->payload_total < 0 && t->data_dir == QFTP_DIR_RX && t->data_len >= 0)
        tv->payload_total = t->data_len; /* no bytes seen (on_item not wired): length only */
    tv->payload = v->cur_payload->data;
    tv->payload_len = v->cur_payload->len;
}

const qftp_txn_verdict *qftp_verdict_txn(qftp_verdict *v, const qftp_txn *t)
{
    qftp_txn_words w;
    qftp_txn_describe_results(t, &w); /* the verdict reads no `what` */
    return qftp_verdict_txn_described(v, t, &w);
}

/* t counted and judged: tv's index and times, the failure's kind from the outcome (tv->kind
 * is QFTP_FAIL_NONE on entry); the note that makes a transfer short to *sn, the context line
 * that ended the transaction to *ended_by. Inline in both verdicts, the whole one and
 * counting's. */
static inline __attribute__((always_inline)) void judge(qftp_verdict *v, const qftp_txn *t,
                                                        const qftp_txn_words *w,
                                                        qftp_txn_verdict *tv, const qftp_note **sn,
                                                        const ctx_event **ended_by)
{
    v->txns++;
    tv->index = t->index;
    tv->t_sent = t->t_sent;
    tv->t_fail = QFTP_TS_NONE;
    *sn = NULL;
    *ended_by = NULL;
    switch (w->outcome) {
    case QFTP_OUTCOME_ERROR:
        tv->kind = QFTP_FAIL_REFUSED;
        tv->t_fail = t->t_final;
        break;
    case QFTP_OUTCOME_FAILED:
        tv->kind = QFTP_FAIL_FAILED;
        tv->t_fail = t->urc ? t->t_done : t->t_final;
        break;
    case QFTP_OUTCOME_PENDING:
    case QFTP_OUTCOME_NO_URC:
        tv->kind = judge_missing(v, t, ended_by);
        if (tv->kind == QFTP_FAIL_UNFINISHED && (*sn = short_note(t)) != NULL) {
            /* the log ends in the middle of the transfer: a truncated transfer */
            tv->kind = QFTP_FAIL_INCOMPLETE;
            tv->t_fail = data_end_ts(t) != QFTP_TS_NONE ? data_end_ts(t) : (*sn)->ts;
        }
        if (tv->kind == QFTP_FAIL_NO_OUTCOME)
            tv->t_fail =
                *ended_by ? (*ended_by)->ts : (txn_end(t) != QFTP_TS_NONE ? txn_end(t) : t->t_sent);
        break;
    case QFTP_OUTCOME_OK:
        *sn = short_note(t);
        if (*sn) {
            tv->kind = QFTP_FAIL_INCOMPLETE;
            tv->t_fail = t->urc ? t->t_done : data_end_ts(t);
            if (tv->t_fail == QFTP_TS_NONE)
                tv->t_fail = (*sn)->ts;
        }
        break;
    }
    tv->failed = qftp_fail_counts(tv->kind);
}

/* The verdict when counting only (opts.counts_only): the fields counting reads, the words
 * "". Apart from the whole verdict, it has a small frame of its own. */
static const qftp_txn_verdict *verdict_counted(qftp_verdict *v, const qftp_txn *t,
                                               const qftp_txn_words *w)
{
    qftp_txn_verdict *tv = &v->cur;
    tv->operation[0] = tv->outcome[0] = tv->key[0] = '\0';
    tv->kind = QFTP_FAIL_NONE;
    tv->n_links = 0;
    tv->payload = NULL;
    tv->payload_len = 0;
    tv->payload_total = -1;
    tv->listing = false;
    const qftp_note *sn;
    const ctx_event *ended_by;
    judge(v, t, w, tv, &sn, &ended_by);
    if (tv->failed && w->failure[0])
        copy_str(tv->key, sizeof tv->key, w->failure);
    else if (tv->failed)
        say(tv->key, sizeof tv->key, "%s %s", t->command, qftp_fail_kind_name(tv->kind));
    if (tv->failed)
        v->failed++;
    else if (tv->kind == QFTP_FAIL_UNFINISHED)
        v->unfinished++;
    context_of_answers(v, t); /* a later transaction's judge_missing reads them */
    return tv;
}

const qftp_txn_verdict *qftp_verdict_txn_described(qftp_verdict *v, const qftp_txn *t,
                                                   const qftp_txn_words *wp)
{
    if (v->o.counts_only)
        return verdict_counted(v, t, wp);
    qftp_txn_verdict *tv = &v->cur;
    /* every field but the links, which count from n_links (link_add clears each): the
     * whole struct is some 7 KiB, cleared for every transaction */
    memset(tv, 0, offsetof(qftp_txn_verdict, links));
    memset(&tv->n_links, 0, sizeof *tv - offsetof(qftp_txn_verdict, n_links));
    take_payload(v, t, tv);
    tv->listing = is_listing(t) && t->data_dir == QFTP_DIR_RX && t->data_len >= 0;

    const qftp_txn_words *w = wp;
    const qftp_note *sn;
    const ctx_event *ended_by;
    judge(v, t, w, tv, &sn, &ended_by);
    if (tv->failed || !v->o.failure_words_only)
        operation_words(v, t, tv->operation, sizeof tv->operation);
    if (tv->failed && w->failure[0])
        copy_str(tv->key, sizeof tv->key, w->failure);
    else if (tv->failed)
        say(tv->key, sizeof tv->key, "%s %s", t->command, qftp_fail_kind_name(tv->kind));

    if (tv->kind == QFTP_FAIL_NONE)
        copy_str(tv->outcome, sizeof tv->outcome,
                 w->result[0] ? w->result : (t->final_line ? t->final_line : "OK"));
    else if (tv->kind == QFTP_FAIL_INCOMPLETE)
        incomplete_words(t, sn, tv->outcome, sizeof tv->outcome);
    else
        fail_words(t, w, tv->kind, tv->outcome, sizeof tv->outcome);
    if (tv->kind == QFTP_FAIL_NO_OUTCOME && ended_by) {
        size_t l = strlen(tv->outcome);
        say(tv->outcome + l, sizeof tv->outcome - l, ": %s came first", ended_by->line);
    } else if (tv->kind == QFTP_FAIL_NO_OUTCOME && has_note(t, QFTP_NOTE_URC_GIVEN_UP)) {
        size_t l = strlen(tv->outcome);
        say(tv->outcome + l, sizeof tv->outcome - l, " (given up after many commands)");
    } else if (tv->kind == QFTP_FAIL_NO_OUTCOME) {
        size_t l = strlen(tv->outcome);
        char d[32];
        say(tv->outcome + l, sizeof tv->outcome - l, " within rsptimeout (%s)",
            qftp_duration_words(qftp_session_rsptimeout(v->s), d, sizeof d));
    }

    char key[QFTP_WORDS_CAP];
    operation_key(t, key, sizeof key);
    size_t key_len = strlen(key);
    uint64_t cause = 0;
    if (tv->failed) {
        if (network_command(t))
            context_links(v, t, tv, tv->t_fail, ended_by ? ended_by->id : 0, &cause);
        if (is_busy_code(t))
            busy_links(v, t, tv);
        else if (tv->kind != QFTP_FAIL_INCOMPLETE)
            closed_link(v, t, tv);
        char asked[QFTP_WORDS_CAP];
        if (not_found_code(t) && asked_name(t, asked, sizeof asked)) {
            qftp_link tmp = {0};
            if (listing_link(v, asked, &tmp)) {
                qftp_link *l = link_add(tv, QFTP_LINK_LISTING, QFTP_WHEN_BEFORE, tmp.ts, tmp.ref);
                if (l) {
                    tmp.kind = l->kind;
                    tmp.when = l->when;
                    *l = tmp;
                }
            }
        }
        links_sort(tv);
        v->failed++;
        keep_failure(v, t, tv, key, key_len, cause);
    } else if (tv->kind == QFTP_FAIL_UNFINISHED) {
        v->unfinished++;
    } else {
        recovery(v, t, key, key_len);
        /* the network worked: what came before explains nothing later */
        if (t->def && t->def->ftp && (t->def->urc_forms & QFTP_FORM_BIT(t->type)) && t->urc)
            v->net_ok = t->t_done;
        if (qftp_txn_op(t) == QFTP_OP_QIACT && t->type == QFTP_TYPE_WRITE)
            v->net_ok = t->t_final;
    }
    /* 615 leaves the module answering 603 until AT+QFTPCLOSE (device-quirks.md) */
    if ((t->has_err && t->err == 615) || (t->final == QFTP_FINAL_CME_ERROR && t->cme_code == 615)) {
        v->stuck_ref = t->index;
        v->stuck_ts = tv->t_fail;
        copy_str(v->stuck_line, sizeof v->stuck_line, t->line);
    } else if (qftp_txn_op(t) == QFTP_OP_QFTPCLOSE && t->final == QFTP_FINAL_OK) {
        v->stuck_ref = 0;
    }
    context_of_answers(v, t);
    if (tv->listing) {
        keep_listing(v, t, tv->payload, tv->payload_len);
        listing_after(v);
    }
    remember(v, t, tv);
    return tv;
}

/* ---- the verdict --------------------------------------------------------------------------- */

void qftp_verdict_counts_get(const qftp_verdict *v, qftp_verdict_counts *c)
{
    memset(c, 0, sizeof *c);
    c->txns = v->txns;
    c->failed = v->failed;
    c->unfinished = v->unfinished;
    c->dropped = v->dropped;
    c->failures = v->kept->len + v->dropped;
    for (size_t i = 0; i < v->kept->len; i++) {
        const kept *k = &g_array_index(v->kept, kept, i);
        c->recovered += k->f.recovered_by != 0;
        c->follow_ups += k->f.root != 0;
    }
    c->gaps = v->n_gaps;
    c->gaps_over_rsptimeout = v->n_gaps_over;
}

size_t qftp_verdict_failure_count(const qftp_verdict *v)
{
    return v->kept->len;
}

const qftp_failure *qftp_verdict_failure(const qftp_verdict *v, size_t i)
{
    return i < v->kept->len ? &g_array_index(v->kept, kept, i).f : NULL;
}

size_t qftp_verdict_gap_count(const qftp_verdict *v)
{
    return v->gaps->len;
}

const qftp_gap *qftp_verdict_gap(const qftp_verdict *v, size_t i)
{
    return i < v->gaps->len ? &g_array_index(v->gaps, qftp_gap, i) : NULL;
}

/* ---- words -------------------------------------------------------------------------------------
 */

#define DATED_FROM (INT64_C(631152000) * QFTP_NS_PER_SEC) /* 1990-01-01 */

bool qftp_verdict_times_real(const qftp_verdict *v)
{
    return !v->synth && v->t0 != QFTP_TS_NONE;
}

bool qftp_verdict_dated(const qftp_verdict *v)
{
    return qftp_verdict_times_real(v) && v->t0 >= DATED_FROM;
}

qftp_ts qftp_verdict_t0(const qftp_verdict *v)
{
    return v->t0;
}

static void split_ts(qftp_ts t, struct tm *tm, int *ms, int *us)
{
    int64_t sec = t / QFTP_NS_PER_SEC;
    int64_t ns = t % QFTP_NS_PER_SEC;
    if (ns < 0) {
        ns += QFTP_NS_PER_SEC;
        sec--;
    }
    time_t tt = (time_t)sec;
    gmtime_r(&tt, tm);
    *ms = (int)(ns / 1000000);
    *us = (int)(ns / 1000);
}

char *qftp_verdict_time(const qftp_verdict *v, qftp_ts t, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!qftp_verdict_times_real(v) || t == QFTP_TS_NONE)
        return buf;
    if (!qftp_verdict_dated(v)) {
        say(buf, cap, "+%.3f s", (double)(t - v->t0) / 1e9);
        return buf;
    }
    struct tm tm, tm0;
    int ms, us, ms0, us0;
    split_ts(t, &tm, &ms, &us);
    split_ts(v->t0, &tm0, &ms0, &us0);
    if (tm.tm_yday != tm0.tm_yday || tm.tm_year != tm0.tm_year)
        say(buf, cap, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
            tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    else
        say(buf, cap, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    return buf;
}

char *qftp_verdict_iso_time(const qftp_verdict *v, qftp_ts t, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!qftp_verdict_dated(v) || t == QFTP_TS_NONE)
        return buf;
    /* --json asks this for every time of every transaction, and a transaction's times
     * mostly share their second: the last second's text is kept (per thread) */
    static _Thread_local struct {
        bool set;
        int64_t sec;
        char text[20]; /* "YYYY-MM-DDTHH:MM:SS" */
    } last;
    int64_t sec = t / QFTP_NS_PER_SEC, ns = t % QFTP_NS_PER_SEC;
    if (ns < 0) {
        ns += QFTP_NS_PER_SEC;
        sec--;
    }
    int us = (int)(ns / 1000);
    if (cap >= 27 && last.set && last.sec == sec) {
        memcpy(buf, last.text, 19);
    } else {
        struct tm tm;
        int ms;
        split_ts(t, &tm, &ms, &us);
        int year = tm.tm_year + 1900;
        if (year < 0 || year > 9999 || cap < 27) {
            say(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06d", year, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, us);
            return buf;
        }
        /* the same digits without printf */
        static const struct {
            int width;
            char after;
        } parts[] = {{4, '-'}, {2, '-'}, {2, 'T'}, {2, ':'}, {2, ':'}, {2, '\0'}};
        const int values[] = {year, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
        char *o = buf;
        for (size_t i = 0; i < G_N_ELEMENTS(parts); i++) {
            int x = values[i];
            for (int k = parts[i].width; k-- > 0; x /= 10)
                o[k] = (char)('0' + x % 10);
            o += parts[i].width;
            *o++ = parts[i].after;
        }
        memcpy(last.text, buf, 19);
        last.sec = sec;
        last.set = true;
    }
    char *o = buf + 19;
    *o++ = '.';
    for (int k = 6, x = us; k-- > 0; x /= 10)
        o[k] = (char)('0' + x % 10);
    o[6] = '\0';
    return buf;
}

char *qftp_duration_words(qftp_ts d, char *buf, size_t cap)
{
    double s = (double)d / 1e9;
    if (s < 0)
        s = 0;
    char num[64];
    if (s < 1.0) {
        qftp_format_fixed(num, sizeof num, s * 1000.0, 0, 0);
        say(buf, cap, "%s ms", num);
    } else if (s < 60.0) {
        qftp_format_fixed(num, sizeof num, s, s < 10.0 ? 2 : 1, 0);
        say(buf, cap, "%s s", num);
    } else if (s < 3600.0)
        say(buf, cap, "%d min %d s", (int)(s / 60), (int)s % 60);
    else
        say(buf, cap, "%d h %d min", (int)(s / 3600), ((int)s % 3600) / 60);
    return buf;
}

static const char *kind_verb(qftp_fail_kind k)
{
    switch (k) {
    case QFTP_FAIL_REFUSED:
        return "was refused";
    case QFTP_FAIL_FAILED:
        return "failed";
    case QFTP_FAIL_INCOMPLETE:
        return "is incomplete";
    case QFTP_FAIL_NO_OUTCOME:
        return "got no outcome";
    case QFTP_FAIL_UNFINISHED:
        return "has no outcome in the log";
    default:
        return "succeeded";
    }
}

char *qftp_failure_headline(const qftp_verdict *v, const qftp_failure *f, char *buf, size_t cap)
{
    const qftp_txn_verdict *tv = &f->v;
    char when[48], dur[32];
    qftp_verdict_time(v, tv->t_fail, when, sizeof when);
    GString *g = g_string_new(NULL);
    g_string_append_printf(g, "%s %s", tv->operation, kind_verb(tv->kind));
    if (when[0])
        g_string_append_printf(g, " at %s", when);
    g_string_append_printf(g, " (#%u): %s", tv->index, tv->outcome);
    if (qftp_verdict_times_real(v) && tv->t_fail != QFTP_TS_NONE &&
        tv->t_fail - tv->t_sent >= QFTP_NS_PER_SEC && tv->kind != QFTP_FAIL_INCOMPLETE)
        g_string_append_printf(g, ", %s after the command",
                               qftp_duration_words(tv->t_fail - tv->t_sent, dur, sizeof dur));
    if (f->repeats)
        g_string_append_printf(g, "; %u more time%s, the last #%u", f->repeats,
                               f->repeats == 1 ? "" : "s", f->last_index);
    g_string_append_c(g, '.');
    if (g->str[0])
        g->str[0] = (char)g_ascii_toupper(g->str[0]);
    copy_str(buf, cap, g->str);
    g_string_free(g, TRUE);
    return buf;
}

char *qftp_link_sentence(const qftp_verdict *v, const qftp_txn_verdict *tv, const qftp_link *l,
                         char *buf, size_t cap)
{
    static const char *const lead[] = {"Before it", "During it", "Afterwards"};
    char when[48], dur[32];
    qftp_verdict_time(v, l->ts, when, sizeof when);
    GString *g = g_string_new(NULL);
    const char *ld = l->kind == QFTP_LINK_FOLLOWS ? "Then" : lead[l->when];
    g_string_append_printf(g, "%s: %s", ld, l->words);
    if (l->kind == QFTP_LINK_CONTEXT || l->kind == QFTP_LINK_FTP_ERROR) {
        g_string_append_printf(g, " (%s", l->line);
        if (when[0])
            g_string_append_printf(g, " at %s", when);
        if (l->when == QFTP_WHEN_DURING && qftp_verdict_times_real(v) && l->ts >= tv->t_sent)
            g_string_append_printf(g, ", %s after the command",
                                   qftp_duration_words(l->ts - tv->t_sent, dur, sizeof dur));
        if (l->ref)
            g_string_append_printf(g, ", answer to #%u", l->ref);
        g_string_append_c(g, ')');
    } else if (when[0] && l->kind != QFTP_LINK_FOLLOWS) {
        g_string_append_printf(g, " (%s)", when);
    } else if (when[0]) {
        g_string_append_printf(g, " (at %s)", when);
    }
    g_string_append_c(g, '.');
    copy_str(buf, cap, g->str);
    g_string_free(g, TRUE);
    return buf;
}
