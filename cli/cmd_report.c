/* cmd_report.c - `qftp report`: the support report of a capture or a log. The verdict
 * first, the failures with their context, a timeline, statistics, the whole transcript.
 *
 * The input streams through the session (qftp/session.h) and the verdict
 * (qftp/verdict.h), which decides what failed and why; this file only gathers what the
 * writers need, with memory bounded by the kept failures and the timeline's caps, and the
 * transcript written as it comes into a temporary file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "qftp/context.h"
#include "report.h"

#define RECENT_BLOCKS 64
#define PENDING_MAX 100000 /* unsolicited lines and gaps waiting for their place */

/* ---- blocks ---------------------------------------------------------------------------------- */

static rep_block *block_new(unsigned index)
{
    rep_block *b = g_new0(rep_block, 1);
    b->index = index;
    b->lines = g_ptr_array_new();
    return b;
}

static void block_free(gpointer p)
{
    rep_block *b = p;
    if (!b)
        return;
    for (guint i = 0; i < b->lines->len; i++) {
        rep_line *l = g_ptr_array_index(b->lines, i);
        g_free(l->text);
        g_free(l->aside);
        g_free(l);
    }
    g_ptr_array_free(b->lines, TRUE);
    g_free(b);
}

G_GNUC_PRINTF(5, 6)
static rep_line *line_add(rep_block *b, rl_cls cls, qftp_ts ts, const char *aside, const char *fmt,
                          ...)
{
    rep_line *l = g_new0(rep_line, 1);
    l->cls = cls;
    l->ts = ts;
    va_list ap;
    va_start(ap, fmt);
    l->text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    l->aside = aside && aside[0] ? g_strdup(aside) : NULL;
    g_ptr_array_add(b->lines, l);
    return l;
}

const char *rep_time(const report *r, qftp_ts t, char *buf, size_t cap)
{
    return qftp_verdict_time(r->v, t, buf, cap);
}

char *rep_rate(int64_t bytes, qftp_ts d, char *buf, size_t cap)
{
    double bps = d > 0 ? (double)bytes / ((double)d / 1e9) : 0.0;
    if (bps >= 1e6)
        snprintf(buf, cap, "%.2f MB/s", bps / 1e6);
    else if (bps >= 1e3)
        snprintf(buf, cap, "%.1f kB/s", bps / 1e3);
    else
        snprintf(buf, cap, "%.0f B/s", bps);
    return buf;
}

const rep_block *rep_block_of(const report *r, unsigned index)
{
    return g_hash_table_lookup(r->blocks, GUINT_TO_POINTER(index));
}

size_t rep_failure_blocks(const report *r, const qftp_failure *fl, const rep_block **out,
                          size_t max)
{
    size_t n = 0;
    /* those its links refer to before it, its own, then those after it (each once) */
    for (int pass = 0; pass < 3; pass++) {
        for (size_t k = 0; k <= fl->v.n_links && n < max; k++) {
            unsigned ref = k < fl->v.n_links ? fl->v.links[k].ref : fl->v.index;
            if (!ref || (pass == 0 && ref >= fl->v.index) || (pass == 1 && ref != fl->v.index) ||
                (pass == 2 && ref <= fl->v.index))
                continue;
            const rep_block *b = rep_block_of(r, ref);
            bool dup = false;
            for (size_t i = 0; i < n; i++)
                dup |= out[i] == b;
            if (b && !dup)
                out[n++] = b;
        }
    }
    return n;
}

void rep_meta(const report *r, char *buf, size_t cap)
{
    GString *g = g_string_new(NULL);
    qftp_dialect d = qftp_session_dialect(r->s);
    char a[48], b[48], dur[32];
    g_string_append_printf(g, "%s; dialect %s", r->what, d ? qftp_dialect_name(d) : "unknown");
    if (qftp_verdict_times_real(r->v) && r->t_first != QFTP_TS_NONE) {
        if (qftp_verdict_dated(r->v)) {
            qftp_verdict_iso_time(r->v, r->t_first, a, sizeof a);
            a[10] = ' '; /* 2026-11-30 09:12:40.118 */
            a[23] = '\0';
            g_string_append_printf(g, "; %s to %s", a,
                                   qftp_verdict_time(r->v, r->t_last, b, sizeof b));
        }
        g_string_append_printf(g, "; %s long",
                               qftp_duration_words(r->t_last - r->t_first, dur, sizeof dur));
    } else if (r->t_first != QFTP_TS_NONE) {
        g_string_append(g, "; the log has no times (the order is kept)");
    }
    g_string_append_printf(g, "; %zu command%s; %s", r->n_txn, r->n_txn == 1 ? "" : "s",
                           r->redact ? "passwords masked" : "passwords NOT masked");
    snprintf(buf, cap, "%s", g->str);
    g_string_free(g, TRUE);
}

size_t rep_verdict_order(const report *r, const qftp_failure **out, size_t max, size_t *more)
{
    size_t n = 0;
    *more = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < qftp_verdict_failure_count(r->v); i++) {
            const qftp_failure *f = qftp_verdict_failure(r->v, i);
            if (f->root || (pass == 0) != (f->recovered_by == 0))
                continue;
            if (n < max)
                out[n++] = f;
            else
                (*more)++;
        }
    return n;
}

void rep_codes_words(const report *r, size_t most, char *buf, size_t cap)
{
    GArray *a = rep_codes(r);
    GString *g = g_string_new(NULL);
    for (guint i = 0; i < a->len && i < most; i++) {
        rep_code *c = &g_array_index(a, rep_code, i);
        g_string_append_printf(g, "%s%zu x %s", i ? "; " : "", c->n, c->key);
    }
    if (a->len > most)
        g_string_append_printf(g, "; %u more codes", a->len - (guint)most);
    if (r->codes_pooled)
        g_string_append_printf(g, "; %zu failures of codes past the first %d", r->codes_pooled,
                               REP_CODES_MAX);
    snprintf(buf, cap, "%s", g->str);
    g_string_free(g, TRUE);
    g_array_free(a, TRUE);
}

static int cmp_code(const void *a, const void *b)
{
    const rep_code *x = a, *y = b;
    return x->n != y->n ? (x->n < y->n ? 1 : -1) : strcmp(x->key, y->key);
}

GArray *rep_codes(const report *r)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(rep_code));
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, r->codes);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        rep_code c = {k, GPOINTER_TO_SIZE(v)};
        g_array_append_val(a, c);
    }
    g_array_sort(a, cmp_code);
    return a;
}

char *rep_codes_rest(const report *r, const GArray *codes, size_t listed, char *buf, size_t cap)
{
    size_t n = 0, more = 0;
    for (guint i = (guint)listed; i < codes->len; i++) {
        n += g_array_index(codes, rep_code, i).n;
        more++;
    }
    int k = 0;
    buf[0] = '\0';
    if (more)
        k = snprintf(buf, cap, "%zu more codes (%zu failures)", more, n);
    if (r->codes_pooled && k >= 0 && (size_t)k < cap)
        snprintf(buf + k, cap - (size_t)k, "%s%zu failures of codes past the first %d",
                 k ? "; " : "", r->codes_pooled, REP_CODES_MAX);
    return buf;
}

char *rep_secs(double s, const char *none, char *buf, size_t cap)
{
    if (s < 0)
        snprintf(buf, cap, "%s", none);
    else if (s < 1.0)
        snprintf(buf, cap, "%.0f ms", s * 1000.0);
    else
        snprintf(buf, cap, "%.2f s", s);
    return buf;
}

/* A duration beside a line, when times are real. */
static const char *after(const report *r, qftp_ts from, qftp_ts to, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!qftp_verdict_times_real(r->v) || from == QFTP_TS_NONE || to == QFTP_TS_NONE)
        return buf;
    return qftp_duration_words(to - from, buf, cap);
}

static bool printable_text(const uint8_t *b, size_t n)
{
    if (!g_utf8_validate((const char *)b, (gssize)n, NULL))
        return false;
    for (size_t i = 0; i < n; i++)
        if (b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t')
            return false;
    return true;
}

#define SMALL_TEXT 4096 /* a download up to this size is shown when it is text */
#define SHOW_LINES 60

/* The payload of a listing or a small text download, line by line. */
static void payload_lines(rep_block *b, const qftp_txn_verdict *tv)
{
    if (tv->payload_total < 0)
        return;
    bool show = tv->payload_len > 0 && printable_text(tv->payload, tv->payload_len) &&
                (tv->listing || tv->payload_total <= SMALL_TEXT);
    if (!show) {
        if (tv->payload_len > 0)
            line_add(b, RL_DATA, QFTP_TS_NONE, NULL, "(%" G_GINT64_FORMAT " bytes%s, not shown)",
                     tv->payload_total,
                     printable_text(tv->payload, tv->payload_len) ? "" : " of binary data");
        return;
    }
    const char *p = (const char *)tv->payload;
    size_t n = tv->payload_len, shown = 0, i = 0;
    while (i < n && shown < SHOW_LINES) {
        const char *e = memchr(p + i, '\n', n - i);
        size_t len = e ? (size_t)(e - (p + i)) : n - i;
        size_t l = len;
        if (l && p[i + l - 1] == '\r')
            l--;
        if (l > 200) { /* cut at a character boundary */
            l = 200;
            while (l > 0 && ((unsigned char)p[i + l] & 0xC0) == 0x80)
                l--;
        }
        line_add(b, RL_PAYLOAD, QFTP_TS_NONE, NULL, "| %.*s", (int)l, p + i);
        shown++;
        i += len + 1;
    }
    if (i < n || (int64_t)n < tv->payload_total)
        line_add(b, RL_PAYLOAD, QFTP_TS_NONE, NULL, "| ... (%" G_GINT64_FORMAT " bytes in all)",
                 tv->payload_total);
}

/* A transaction as lines, in the order its pieces arrived. */
static rep_block *txn_block(report *r, const qftp_txn *t, const qftp_txn_verdict *tv)
{
    rep_block *b = block_new(t->index);
    b->kind = tv->kind;
    qftp_txn_words w;
    qftp_txn_describe(t, &w);
    char d[48], aside[QFTP_WORDS_CAP + 64];
    GString *cmd = g_string_new(NULL);
    g_string_append_printf(cmd, "#%-3u %s", t->index, t->line);
    if (t->sub_index)
        g_string_append_printf(cmd, "  [command %u of the line: %s]", t->sub_index + 1, t->command);
    if (strcmp(tv->operation, t->line) == 0)
        aside[0] = '\0'; /* no words of its own */
    else if (t->def && t->def->section && t->def->section[0])
        snprintf(aside, sizeof aside, "%s (manual %s)", tv->operation, t->def->section);
    else
        snprintf(aside, sizeof aside, "%s", tv->operation);
    line_add(b, RL_CMD, t->t_sent, aside, "%s", cmd->str);
    g_string_free(cmd, TRUE);

    size_t info = 0;
    bool payload_done = false;
    for (size_t i = 0; i < t->n_items; i++) {
        const qftp_txn_item *it = &t->items[i];
        switch (it->role) {
        case QFTP_ROLE_INFO:
            if (info < t->n_info) {
                qftp_context c;
                const char *txt = t->info[info++];
                bool ctx = qftp_context_decode(txt, strlen(txt), &c);
                line_add(b, ctx && c.level != QFTP_CONTEXT_FINE ? RL_CTX_BAD : RL_INFO, it->ts,
                         ctx ? c.words : NULL, "     %s", txt);
            }
            break;
        case QFTP_ROLE_FINAL: {
            bool ok = t->final == QFTP_FINAL_OK;
            after(r, t->t_sent, t->t_final, d, sizeof d);
            if (!ok && w.final_words[0])
                snprintf(aside, sizeof aside, "%s; %s", w.final_words, d);
            else
                snprintf(aside, sizeof aside, "%s", d);
            line_add(b, ok ? RL_OK : RL_ERR, t->t_final, aside, "     %s", t->final_line);
            break;
        }
        case QFTP_ROLE_CONNECT:
            if (t->connect_len >= 0)
                line_add(b, RL_DATA, it->ts, after(r, t->t_sent, t->t_connect, d, sizeof d),
                         "     CONNECT %" G_GINT64_FORMAT, t->connect_len);
            else
                line_add(b, RL_DATA, it->ts, after(r, t->t_sent, t->t_connect, d, sizeof d),
                         "     CONNECT");
            break;
        case QFTP_ROLE_DATA_END: {
            int64_t n = t->data_len < 0 ? 0 : t->data_len;
            char tp[64] = "";
            if (qftp_verdict_times_real(r->v) && t->connect && it->ts > t->t_connect && n > 0)
                rep_rate(n, it->ts - t->t_connect, tp, sizeof tp);
            line_add(b, RL_DATA, it->ts, tp,
                     "     <%" G_GINT64_FORMAT " bytes %s, data mode ended by %s>", n,
                     t->data_dir == QFTP_DIR_TX ? "host -> module" : "module -> host",
                     qftp_data_end_reason_words(t->data_end));
            if (!payload_done) {
                payload_lines(b, tv);
                payload_done = true;
            }
            break;
        }
        case QFTP_ROLE_ESCAPE:
            line_add(b, RL_DATA, it->ts, NULL, "     +++");
            break;
        case QFTP_ROLE_URC: {
            bool bad = t->has_err && t->err != 0;
            after(r, t->t_sent, t->t_done, d, sizeof d);
            if (d[0])
                g_snprintf(aside, sizeof aside, "%s%s%s after the command", w.result,
                           w.result[0] ? "; " : "", d);
            else
                g_snprintf(aside, sizeof aside, "%s", w.result);
            line_add(b, bad ? RL_ERR : RL_OK, t->t_done, d[0] || w.result[0] ? aside : NULL,
                     "     %s", t->urc);
            break;
        }
        default:
            break;
        }
    }
    if (t->final == QFTP_FINAL_NONE)
        line_add(b, RL_WARN, QFTP_TS_NONE, NULL, "     (no final result)");
    for (size_t i = 0; i < t->n_notes; i++) {
        const qftp_note *n = &t->notes[i];
        if (n->severity == QFTP_SEV_INFO)
            continue;
        line_add(b, n->severity >= QFTP_SEV_WARN ? RL_WARN : RL_NOTE, QFTP_TS_NONE, NULL,
                 "     %s: %s", qftp_severity_name(n->severity), n->text);
    }
    if (tv->failed || tv->kind == QFTP_FAIL_UNFINISHED)
        line_add(b, tv->failed ? RL_VERDICT : RL_NOTE, QFTP_TS_NONE, NULL, "     => %s: %s",
                 qftp_fail_kind_name(tv->kind), tv->outcome);
    return b;
}

/* ---- the transcript, written as it comes ------------------------------------------------------
 */

static void write_block(report *r, const rep_block *b)
{
    if (r->fmt == REP_HTML)
        rep_write_block_html(r, r->transcript, b);
    else if (r->fmt == REP_TEXT)
        rep_write_block_text(r, r->transcript, b, false);
    /* Markdown holds no whole transcript: it is for tickets */
}

static qftp_ts block_ts(const rep_block *b)
{
    const rep_line *l = b->lines->len ? g_ptr_array_index(b->lines, 0) : NULL;
    return l ? l->ts : QFTP_TS_NONE;
}

/* Writes the waiting unsolicited lines and gaps up to time `until` (all: QFTP_TS_NONE). */
static void flush_pending(report *r, qftp_ts until)
{
    while (!g_queue_is_empty(&r->pending)) {
        rep_block *b = g_queue_peek_head(&r->pending);
        if (until != QFTP_TS_NONE && block_ts(b) > until && r->pending.length < PENDING_MAX)
            break;
        g_queue_pop_head(&r->pending);
        write_block(r, b);
        block_free(b);
    }
}

/* The unsolicited lines and gaps that came while the transaction ran go into its block,
 * each before the first of its lines that came later: a failure's block then shows the
 * context it happened in. */
static void merge_pending(report *r, rep_block *b)
{
    if (g_queue_is_empty(&r->pending))
        return;
    GPtrArray *merged = g_ptr_array_new();
    for (guint i = 0; i < b->lines->len; i++) {
        rep_line *l = g_ptr_array_index(b->lines, i);
        while (l->ts != QFTP_TS_NONE && i > 0 && !g_queue_is_empty(&r->pending)) {
            rep_block *p = g_queue_peek_head(&r->pending);
            if (block_ts(p) >= l->ts)
                break;
            g_queue_pop_head(&r->pending);
            for (guint k = 0; k < p->lines->len; k++)
                g_ptr_array_add(merged, g_ptr_array_index(p->lines, k));
            g_ptr_array_set_size(p->lines, 0);
            block_free(p);
        }
        g_ptr_array_add(merged, l);
    }
    g_ptr_array_free(b->lines, TRUE);
    b->lines = merged;
}

/* Keeps a block for the failures section: recent ones until evicted, pinned ones always. */
static void keep_block(report *r, rep_block *b)
{
    g_hash_table_replace(r->blocks, GUINT_TO_POINTER(b->index), b);
    g_queue_push_tail(&r->recent, GUINT_TO_POINTER(b->index));
    while (r->recent.length > RECENT_BLOCKS) {
        gpointer old = g_queue_pop_head(&r->recent);
        if (!g_hash_table_contains(r->pinned, old))
            g_hash_table_remove(r->blocks, old);
    }
}

static void pin(report *r, unsigned index)
{
    if (index)
        g_hash_table_add(r->pinned, GUINT_TO_POINTER(index));
}

/* ---- timeline and statistics -------------------------------------------------------------------
 */

static rep_cmd *cmd_new(report *r, const char *name)
{
    rep_cmd *c = g_new0(rep_cmd, 1);
    snprintf(c->command, sizeof c->command, "%s", name);
    c->index = r->cmd_order->len;
    c->rt = g_array_new(FALSE, FALSE, sizeof(double));
    g_ptr_array_add(r->cmd_order, c);
    return c;
}

/* A command's row of the statistics. A log of line noise or of made-up commands names
 * thousands: after the first REP_CMDS_MAX - 1 they share one row, "(others)". */
static rep_cmd *cmd_stats(report *r, const char *command)
{
    const char *name = command[0] ? command : "AT";
    rep_cmd *c = g_hash_table_lookup(r->cmds, name);
    if (c)
        return c;
    if (r->cmd_order->len >= REP_CMDS_MAX - 1) {
        c = g_ptr_array_index(r->cmd_order, r->cmd_order->len - 1);
        if (!c->others) {
            c = cmd_new(r, "(others)");
            c->others = true;
        }
        return c; /* the name is not kept: memory stays bounded */
    }
    c = cmd_new(r, name);
    g_hash_table_insert(r->cmds, c->command, c);
    return c;
}

static void add_bar(report *r, const qftp_txn *t, const qftp_txn_verdict *tv)
{
    if (r->bars->len >= REP_BARS_MAX && !tv->failed) {
        r->bars_dropped++;
        return;
    }
    if (r->bars->len >= REP_BARS_MAX + REP_FAILED_BARS_MAX) {
        r->failed_bars_dropped++;
        return;
    }
    rep_bar bar = {0};
    bar.index = t->index;
    rep_cmd *c = cmd_stats(r, t->command);
    bar.cmd = c->index;
    bar.t0 = t->t_sent;
    bar.t1 = t->urc ? t->t_done : t->final != QFTP_FINAL_NONE ? t->t_final : t->t_sent;
    if (tv->t_fail != QFTP_TS_NONE && tv->t_fail > bar.t1)
        bar.t1 = tv->t_fail;
    bar.t_fail = tv->failed ? tv->t_fail : QFTP_TS_NONE;
    bar.kind = tv->kind;
    bar.bytes = t->data_len;
    bar.dir = t->data_dir;
    bar.data_t0 = bar.data_t1 = t->connect ? t->t_connect : t->t_sent;
    for (size_t i = 0; i < t->n_items; i++)
        if (t->items[i].role == QFTP_ROLE_DATA_END)
            bar.data_t1 = t->items[i].ts;
    GString *title = g_string_new(NULL);
    g_string_printf(title, "#%u %s\n%s: %s", t->index, t->line, tv->operation, tv->outcome);
    if (bar.bytes >= 0) {
        char rate[32], d[32];
        g_string_append_printf(title, "\n%" G_GINT64_FORMAT " bytes %s", bar.bytes,
                               bar.dir == QFTP_DIR_TX ? "host -> module" : "module -> host");
        if (qftp_verdict_times_real(r->v) && bar.data_t1 > bar.data_t0)
            g_string_append_printf(
                title, " in %s (%s)", qftp_duration_words(bar.data_t1 - bar.data_t0, d, sizeof d),
                rep_rate(bar.bytes, bar.data_t1 - bar.data_t0, rate, sizeof rate));
    }
    bar.title = g_string_free(title, FALSE);
    c->transfers += bar.bytes >= 0;
    if (qftp_verdict_times_real(r->v))
        c->span += (double)(bar.t1 - bar.t0) / 1e9;
    g_array_append_val(r->bars, bar);
}

static void count_txn(report *r, const qftp_txn *t, const qftp_txn_verdict *tv)
{
    rep_cmd *c = cmd_stats(r, t->command);
    if (tv->failed) {
        c->failed++;
        gpointer key, old;
        if (g_hash_table_lookup_extended(r->codes, tv->key, &key, &old))
            g_hash_table_insert(r->codes, g_strdup(tv->key),
                                GSIZE_TO_POINTER(GPOINTER_TO_SIZE(old) + 1));
        else if (g_hash_table_size(r->codes) < REP_CODES_MAX)
            g_hash_table_insert(r->codes, g_strdup(tv->key), GSIZE_TO_POINTER(1));
        else
            r->codes_pooled++; /* a code after REP_CODES_MAX others: counted with them */
    } else if (tv->kind == QFTP_FAIL_UNFINISHED)
        c->unfinished++;
    else
        c->ok++;
    /* response time: from the command to its outcome (the URC when one comes, else the
     * final result) */
    qftp_ts end = t->urc ? t->t_done : t->final != QFTP_FINAL_NONE ? t->t_final : QFTP_TS_NONE;
    if (end != QFTP_TS_NONE && qftp_verdict_times_real(r->v)) {
        double s = (double)(end - t->t_sent) / 1e9;
        g_array_append_val(c->rt, s);
    }
    if (t->data_len > 0)
        r->payload[t->data_dir] += (uint64_t)t->data_len;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double rep_percentile(const rep_cmd *c, unsigned p)
{
    if (c->rt->len == 0)
        return -1.0;
    /* nearest rank: the smallest value with at least p% of the values at or below it */
    size_t n = c->rt->len;
    size_t rank = (p * n + 99) / 100;
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return g_array_index(c->rt, double, rank - 1);
}

void rep_verdict_title(const report *r, char *buf, size_t cap)
{
    qftp_verdict_counts c;
    qftp_verdict_counts_get(r->v, &c);
    if (c.failed == 0) {
        snprintf(buf, cap, "nothing failed (%zu command%s%s)", c.txns, c.txns == 1 ? "" : "s",
                 c.unfinished ? "" : ", every one with its outcome");
        return;
    }
    size_t roots = c.failures - c.follow_ups;
    size_t recovered = 0;
    for (size_t i = 0; i < qftp_verdict_failure_count(r->v); i++) {
        const qftp_failure *f = qftp_verdict_failure(r->v, i);
        recovered += !f->root && f->recovered_by;
    }
    size_t open = roots - recovered;
    GString *g = g_string_new(NULL);
    g_string_append_printf(g, "%zu failure%s", roots, roots == 1 ? "" : "s");
    if (recovered && !open)
        g_string_append_printf(g, ", %s by a retry", roots == 1 ? "recovered" : "all recovered");
    else if (recovered)
        g_string_append_printf(g, ": %zu not recovered, %zu recovered by a retry", open, recovered);
    if (c.failed > roots)
        g_string_append_printf(g, " (%zu failed command%s in all)", c.failed,
                               c.failed == 1 ? "" : "s");
    snprintf(buf, cap, "%s", g->str);
    g_string_free(g, TRUE);
}

/* ---- what the session hands over ------------------------------------------------------------- */

static void on_txn(void *user, const qftp_txn *t)
{
    report *r = user;
    size_t before = qftp_verdict_failure_count(r->v);
    const qftp_txn_verdict *tv = qftp_verdict_txn(r->v, t);
    r->n_txn++;
    rep_block *b = txn_block(r, t, tv);
    flush_pending(r, t->t_sent);
    merge_pending(r, b);
    write_block(r, b);
    add_bar(r, t, tv);
    count_txn(r, t, tv);
    if (qftp_verdict_failure_count(r->v) > before) {
        /* a new failure: its block and those it refers to stay */
        pin(r, t->index);
        for (size_t i = 0; i < tv->n_links; i++)
            pin(r, tv->links[i].ref);
    }
    if (tv->listing)
        pin(r, t->index);
    keep_block(r, b);
}

static void on_unsolicited(void *user, const qftp_unsolicited *u)
{
    report *r = user;
    qftp_verdict_unsolicited(r->v, u);
    qftp_context c;
    bool ctx = qftp_context_decode(u->line, strlen(u->line), &c);
    rep_block *b = block_new(0);
    char words[QFTP_WORDS_CAP] = "";
    if (u->has_err)
        qftp_describe_result(u->err, 0, false, words, sizeof words);
    line_add(b,
             ctx ? (c.level == QFTP_CONTEXT_FINE ? RL_CTX : RL_CTX_BAD)
                 : (u->has_err ? RL_ERR : RL_UNSOL),
             u->ts, ctx ? c.words : words, "     %s", u->line);
    g_queue_push_tail(&r->pending, b);
    if (ctx || u->has_err) {
        if (r->marks->len < REP_MARKS_MAX) {
            rep_mark m = {
                u->ts,
                ctx ? c.level
                    : (u->err == -6 || u->err == -421 ? QFTP_CONTEXT_FATAL : QFTP_CONTEXT_CONCERN),
                g_strdup(u->line), g_strdup(ctx ? c.words : words)};
            g_array_append_val(r->marks, m);
        } else {
            r->marks_dropped++;
        }
    }
}

/* A note of no transaction (a line over the cap, a result with no command waiting, stray
 * text): a line of the transcript in its place, as show's "Notes" has it. */
static void on_session_note(void *user, const qftp_note *n)
{
    report *r = user;
    if (n->kind == QFTP_NOTE_OVERFLOW && strncmp(n->text, "host", 4) == 0)
        r->host_overflow = true;
    if (n->severity == QFTP_SEV_INFO)
        return;
    rep_block *b = block_new(0);
    line_add(b, n->severity >= QFTP_SEV_WARN ? RL_WARN : RL_NOTE, n->ts, NULL, "     %s: %s",
             qftp_severity_name(n->severity), n->text);
    g_queue_push_tail(&r->pending, b);
}

static void on_transition(void *user, const qftp_transition *tr)
{
    report *r = user;
    qftp_verdict_transition(r->v, tr);
}

static void on_item(void *user, const qftp_event *ev, const qftp_txn *txn, uint64_t frame)
{
    (void)frame;
    report *r = user;
    if (ev->kind == QFTP_EV_DATA && txn)
        qftp_verdict_data(r->v, txn, ev->data, ev->len);
}

static int on_chunk(void *user, const input_chunk *c)
{
    report *r = user;
    qftp_dir d = c->dir_known ? c->dir : qftp_session_guess_dir(r->s, c->data, c->len);
    r->chunks++;
    r->bytes[d] += c->len;
    if (r->t_first == QFTP_TS_NONE)
        r->t_first = c->ts;
    r->t_last = c->ts;
    qftp_gap g;
    if (qftp_verdict_traffic(r->v, c->ts, c->ts_synth, &g)) {
        rep_block *b = block_new(0);
        char d1[48], d2[48], dur[32], rsp[32];
        qftp_verdict_time(r->v, g.from, d1, sizeof d1);
        qftp_verdict_time(r->v, g.to, d2, sizeof d2);
        qftp_duration_words(g.to - g.from, dur, sizeof dur);
        qftp_duration_words(qftp_session_rsptimeout(r->s), rsp, sizeof rsp);
        rep_line *l =
            line_add(b, RL_GAP, g.from, NULL, "---- %s without traffic (%s -> %s)%s%s%s ----", dur,
                     d1, d2, g.over_rsptimeout ? ": longer than rsptimeout (" : "",
                     g.over_rsptimeout ? rsp : "", g.over_rsptimeout ? ")" : "");
        (void)l;
        g_queue_push_tail(&r->pending, b);
    }
    qftp_session_feed(r->s, d, c->data, c->len, c->ts, c->frame);
    return 0;
}

/* ---- the command --------------------------------------------------------------------------------
 */

static int report_format_of(const char *name)
{
    if (g_ascii_strcasecmp(name, "html") == 0 || g_ascii_strcasecmp(name, "htm") == 0)
        return REP_HTML;
    if (g_ascii_strcasecmp(name, "md") == 0 || g_ascii_strcasecmp(name, "markdown") == 0)
        return REP_MD;
    if (g_ascii_strcasecmp(name, "text") == 0 || g_ascii_strcasecmp(name, "txt") == 0)
        return REP_TEXT;
    return -1;
}

static void report_options(tool_cmdline *cl, void *opts)
{
    report_opts *o = opts;
    const GOptionEntry main_entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o->output,
         "write the report to FILE (default: standard output); its extension (.html, .md, "
         ".txt) picks the format unless --format says otherwise",
         "FILE"},
        {"format", 'f', 0, G_OPTION_ARG_FILENAME, &o->format,
         "html (one page: verdict, failures, timeline picture, statistics, the transcript "
         "folded; works offline), md (verdict, failures and a table, to paste into a ticket) "
         "or text (the default on a terminal)",
         "html|md|text"},
        {"no-redact", 0, 0, G_OPTION_ARG_NONE, &o->no_redact,
         "keep passwords and other secret parameters (by default a report masks them: it is "
         "made to be shared)",
         NULL},
        {"gap", 0, 0, G_OPTION_ARG_FILENAME, &o->gap,
         "mark a silence longer than SECONDS (default 10; one longer than rsptimeout is always "
         "marked)",
         "SECONDS"},
        {"dialect", 0, 0, G_OPTION_ARG_FILENAME, &o->dialect,
         "the command set: gsm (M95, M66, MC60) or bg96 (BG96, BG95, EC2x, EG9x); default "
         "auto, from the commands seen",
         "auto|gsm|bg96"},
        {"rsptimeout", 0, 0, G_OPTION_ARG_FILENAME, &o->rsptimeout,
         "the response timeout in seconds (default 90, the BG96 <timeout>; an "
         "AT+QFTPCFG=\"rsptimeout\" in the session changes it)",
         "SECONDS"},
        {"color", 0, 0, G_OPTION_ARG_FILENAME, &o->colour,
         "colour a text report: auto (on a terminal, unless NO_COLOR is set), always or never",
         "auto|always|never"},
        {NULL}};
    tool_options(cl, NULL, NULL, NULL, main_entries);
    input_options_named(cl, &o->in, "input-format"); /* --format is the report's */
}

static int seconds_option(tool_cmdline *cl, const char *name, const char *v, qftp_ts *out)
{
    char *end;
    double d = strtod(v, &end);
    if (*end || end == v || !(d > 0 && d <= 86400))
        return tool_usage(cl, "%s %s: expected seconds, more than 0 and at most 86400", name, v);
    *out = (qftp_ts)(d * 1e9);
    return 0;
}

static int report_check(tool_cmdline *cl, void *opts, int argc, char **argv)
{
    report_opts *o = opts;
    qftp_session_opts_init(&o->so);
    qftp_verdict_opts_init(&o->vo);
    o->io = (input_opts){QFTP_FMT_AUTO, NULL, false, true, false};
    if (argc == 0)
        return tool_usage(cl, "expects an INPUT: a capture or a text log (- for standard input)");
    if (argc > 1)
        return tool_usage(cl, "expects one INPUT, not %d (the second: '%s')", argc, argv[1]);
    o->input = argv[0];
    o->so.redact = o->io.redact = !o->no_redact;
    o->fmt = -1;
    if (o->format) {
        o->fmt = report_format_of(o->format);
        if (o->fmt < 0)
            return tool_bad_choice(cl, "--format", o->format);
    } else if (o->output && strcmp(o->output, "-") != 0) {
        const char *dot = strrchr(o->output, '.');
        const char *slash = strrchr(o->output, '/');
        if (dot && (!slash || dot > slash))
            o->fmt = report_format_of(dot + 1);
        if (o->fmt < 0)
            return tool_usage(cl,
                              "-o %s: the format does not follow from the name (.html, .md or "
                              ".txt): say it with --format",
                              o->output);
    }
    if (o->fmt < 0)
        o->fmt = REP_TEXT;
    if (o->dialect) {
        int d = qftp_dialect_from_name(o->dialect);
        if (d < 0)
            return tool_bad_choice(cl, "--dialect", o->dialect);
        o->so.dialect = (qftp_dialect)d;
    }
    int rc;
    if (o->rsptimeout &&
        (rc = seconds_option(cl, "--rsptimeout", o->rsptimeout, &o->so.rsptimeout)))
        return rc;
    if (o->gap && (rc = seconds_option(cl, "--gap", o->gap, &o->vo.gap)))
        return rc;
    if (o->colour) {
        o->colour_always = strcmp(o->colour, "always") == 0;
        o->colour_never = strcmp(o->colour, "never") == 0;
        if (!o->colour_always && !o->colour_never && strcmp(o->colour, "auto") != 0)
            return tool_bad_choice(cl, "--color", o->colour);
    }
    return input_check(cl, &o->in, &o->io);
}

static void report_free(report *r)
{
    if (r->transcript)
        fclose(r->transcript);
    free(r->transcript_mem);
    rep_block *b;
    while ((b = g_queue_pop_head(&r->pending)))
        block_free(b);
    g_queue_clear(&r->recent);
    g_hash_table_destroy(r->blocks);
    g_hash_table_destroy(r->pinned);
    for (guint i = 0; i < r->bars->len; i++)
        g_free(g_array_index(r->bars, rep_bar, i).title);
    g_array_free(r->bars, TRUE);
    for (guint i = 0; i < r->marks->len; i++) {
        g_free(g_array_index(r->marks, rep_mark, i).line);
        g_free(g_array_index(r->marks, rep_mark, i).words);
    }
    g_array_free(r->marks, TRUE);
    for (guint i = 0; i < r->cmd_order->len; i++) {
        rep_cmd *c = g_ptr_array_index(r->cmd_order, i);
        g_array_free(c->rt, TRUE);
        g_free(c);
    }
    g_ptr_array_free(r->cmd_order, TRUE);
    g_hash_table_destroy(r->cmds);
    g_hash_table_destroy(r->codes);
    qftp_verdict_free(r->v);
    qftp_session_free(r->s);
}

static int report_run(void *opts, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    report_opts *o = opts;
    report r = {0};
    r.fmt = (rep_format)o->fmt;
    r.redact = !o->no_redact;
    r.path = strcmp(o->input, "-") == 0 ? "standard input" : o->input;
    r.t_first = r.t_last = QFTP_TS_NONE;
    r.blocks = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, block_free);
    r.pinned = g_hash_table_new(g_direct_hash, g_direct_equal);
    r.bars = g_array_new(FALSE, TRUE, sizeof(rep_bar));
    r.marks = g_array_new(FALSE, TRUE, sizeof(rep_mark));
    r.cmds = g_hash_table_new(g_str_hash, g_str_equal);
    r.cmd_order = g_ptr_array_new();
    r.codes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_queue_init(&r.pending);
    g_queue_init(&r.recent);

    char err[QFTP_ERRBUF_SIZE] = "";
    qftp_session_opts so = o->so;
    so.sink = (qftp_session_sink){on_txn, on_unsolicited, on_session_note, on_transition, &r, true};
    so.on_item = on_item;
    so.user = &r;
    r.s = qftp_session_new(&so, err);
    if (!r.s) {
        tool_error("%s", err);
        report_free(&r);
        return 2;
    }
    r.v = qftp_verdict_new(r.s, &o->vo);
    r.transcript = tmpfile();
    if (!r.transcript)
        r.transcript = open_memstream(&r.transcript_mem, &r.transcript_len);

    /* The output is opened before reading, so a name that cannot be written fails early;
     * a file is created beside the target and renamed into place when complete. */
    char *tmp_out = NULL;
    if (o->output && strcmp(o->output, "-") != 0) {
        tmp_out = g_strdup_printf("%s.tmp-XXXXXX", o->output);
        int fd = g_mkstemp(tmp_out);
        mode_t mask = umask(0);
        umask(mask);
        if (fd >= 0)
            fchmod(fd, 0666 & ~mask); /* as a file the shell would create */
        if (fd < 0 || !(r.out = fdopen(fd, "w"))) {
            tool_error("%s: cannot write: %s", o->output, g_strerror(errno));
            if (fd >= 0)
                close(fd);
            g_free(tmp_out);
            report_free(&r);
            return 2;
        }
    } else {
        r.out = stdout;
    }
    r.colour = r.fmt == REP_TEXT && r.out == stdout && !o->colour_never &&
               (o->colour_always || (isatty(1) && !getenv("NO_COLOR")));
    if (r.out == stdout) { /* lines of the input are printed: made safe for a terminal */
        FILE *safe = tool_safe_stream(1, r.colour ? TOOL_KEEP_SGR : 0, isatty(1));
        if (safe)
            stdout = r.out = safe;
    }

    input_kind kind;
    int rc = input_read(o->input, &o->io, on_chunk, &r, &kind, r.what, sizeof r.what, err);
    int status;
    if (rc < 0 && r.chunks == 0) {
        tool_error("%s: %s", o->input, err);
        status = 2;
    } else {
        if (rc < 0)
            snprintf(r.read_error, sizeof r.read_error, "%s", err);
        qftp_session_finish(r.s, QFTP_TS_NONE);
        flush_pending(&r, QFTP_TS_NONE);
        for (guint i = 0; i < r.cmd_order->len; i++) {
            rep_cmd *c = g_ptr_array_index(r.cmd_order, i);
            g_array_sort(c->rt, cmp_double);
        }
        if (r.fmt == REP_HTML)
            report_write_html(&r);
        else
            report_write_text(&r, r.fmt == REP_MD);
        qftp_verdict_counts c;
        qftp_verdict_counts_get(r.v, &c);
        status = rc < 0 ? 2 : c.failed ? 1 : 0;
        if (rc < 0)
            tool_error("%s: %s (reported up to there)", o->input, err);
        else if (r.n_txn == 0) {
            /* a command line longer than the parser's cap was skipped: say so */
            const char *why = r.host_overflow ? " (a host line longer than the line cap was "
                                                "skipped: see the transcript)"
                                              : "";
            tool_error("%s: no AT command in the input%s: nothing to judge", o->input, why);
            status = 2;
        }
    }
    if (tmp_out) {
        bool ok = fflush(r.out) == 0 && !ferror(r.out);
        ok &= fclose(r.out) == 0;
        if (status != 2 || r.chunks > 0) {
            if (!ok || rename(tmp_out, o->output) != 0) {
                tool_error("%s: cannot write: %s", o->output, g_strerror(errno));
                status = 2;
                unlink(tmp_out);
            }
        } else {
            unlink(tmp_out);
        }
        g_free(tmp_out);
    } else {
        fflush(stdout);
    }
    report_free(&r);
    return status;
}

static const tool_example report_examples[] = {
    {NULL, "qftp report customer.log", "the verdict and the failures on the terminal"},
    {NULL, "qftp report customer.log -o report.html",
     "one HTML page to attach to a ticket: verdict, failures, timeline, statistics, transcript"},
    {NULL, "qftp report --format md session.pcap | xclip", "Markdown to paste into a ticket"},
    {NULL}};

static const tool_exit report_exits[] = {
    {0, "nothing failed in the input"},
    {1, "failures found (the report says which and why)"},
    {2, "usage error, or the input cannot be read (or is damaged: the report covers what was "
        "read before the damage), or the report cannot be written"},
    {-1}};

const tool_command qftp_cmd_report = {
    .name = "report",
    .args = "INPUT",
    .summary = "the support report of a capture or a log: verdict, failures, timeline",
    .description =
        "INPUT is a qftp capture or a terminal log in any layout `qftp import` reads (- for "
        "standard input).\n\n"
        "The report answers what went wrong, where and why. It starts with a verdict in "
        "words: each failure with its operation (login, download of a file ...), its code in "
        "words, when, and the chain of context that led to it where the log shows one (the "
        "network deactivating the PDP context before a timeout, a close still running when "
        "a command was refused as busy, a restart in the middle of a transfer, a listing "
        "that shows the file's real name). A transfer the log holds only part of counts as "
        "a failure. Then each failure with the transcript around it, a timeline (HTML: an "
        "SVG picture, no network needed), statistics per command (outcomes, response-time "
        "percentiles), the bytes each way, silences longer than --gap or rsptimeout, and "
        "the whole transcript with listings and small text files shown.\n\n"
        "Passwords and other secret parameters are masked unless --no-redact is given.",
    .examples = report_examples,
    .exits = report_exits,
    .docs = "docs/report.md",
    .opts_size = sizeof(report_opts),
    .options = report_options,
    .check = report_check,
    .run = report_run,
};
