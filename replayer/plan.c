/* plan.c - the item collector shared by both sides, and the plan of a golden capture:
 * which command each step sends, which upload bytes follow its CONNECT, and what the
 * recording shows arriving before the next command (that is what a step waits for;
 * what came later, like the completion URC of a transfer that ran on while other
 * commands were sent, is waited for at the end of the run). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "qftptool/input.h"
#include "replay.h"

/* The live side's monotonic time of a frame (0 for a plan's frames). */
static int64_t mono_of(const rp_items *c, uint64_t frame)
{
    return frame >= 1 && frame <= c->monos->len ? g_array_index(c->monos, int64_t, frame - 1) : 0;
}

/* An item's text: printable ASCII. A line longer than RP_TEXT_CAP keeps its first bytes
 * and says how long it was with a hash of all of it, so two long lines that differ after
 * the cap still differ (never a silent truncation). */
static char *span_text(const uint8_t *b, size_t len)
{
    size_t n = len < RP_TEXT_CAP ? len : RP_TEXT_CAP;
    GString *s = g_string_sized_new(n + 48);
    for (size_t i = 0; i < n; i++)
        g_string_append_c(s, (b[i] >= 0x20 && b[i] < 0x7f) ? (char)b[i] : '.');
    if (len > RP_TEXT_CAP) {
        uint32_t h = 2166136261u; /* FNV-1a */
        for (size_t i = 0; i < len; i++)
            h = (h ^ b[i]) * 16777619u;
        g_string_append_printf(s, "... [a line of %zu bytes, FNV-1a %08x]", len, h);
    }
    return g_string_free(s, FALSE);
}

/* What belongs to no transaction (unsolicited lines, a final result or CONNECT nobody
 * waited for, an over-long line), from the session's item callback. */
static void on_item(void *user, const qftp_event *ev, const qftp_txn *txn, uint64_t frame)
{
    rp_items *c = user;
    if (txn) {
        /* a flood of lines into one step: never dropped silently, the caller is told */
        if (!c->over_items && txn->n_items > RP_ITEMS_CAP)
            c->over_items = txn->index;
        return;
    }
    rp_item it = {.frame = frame, .ts = c->ts_now, .mono = c->mono_now};
    switch (ev->kind) {
    case QFTP_EV_ECHO:
        it.kind = RP_ITEM_ECHO;
        break;
    case QFTP_EV_LINE:
        if (ev->dir != QFTP_DIR_RX)
            return;
        it.kind = RP_ITEM_LINE;
        break;
    case QFTP_EV_FINAL:
        it.kind = RP_ITEM_FINAL;
        break;
    case QFTP_EV_CONNECT:
        it.kind = RP_ITEM_CONNECT;
        break;
    case QFTP_EV_PROMPT:
        it.kind = RP_ITEM_PROMPT;
        break;
    case QFTP_EV_OVERFLOW:
        it.kind = RP_ITEM_OVERFLOW;
        break;
    default:
        return;
    }
    if (c->unsol->len >= RP_ITEMS_CAP) {
        if (!c->over_items)
            c->over_items = UINT_MAX; /* never dropped silently: the caller is told */
        return;
    }
    it.text = span_text(ev->data, ev->len);
    g_array_append_val(c->unsol, it);
}

static void view_clear(rp_txn_items *v)
{
    for (guint i = 0; i < v->items->len; i++)
        g_free(g_array_index(v->items, rp_item, i).text);
    g_array_set_size(v->items, 0);
}

rp_items *rp_items_new(qftp_dialect dialect, char *errbuf)
{
    rp_items *c = g_new0(rp_items, 1);
    qftp_session_opts o;
    qftp_session_opts_init(&o);
    o.dialect = dialect;
    o.on_item = on_item;
    o.user = c;
    c->s = qftp_session_new(&o, errbuf);
    if (!c->s) {
        g_free(c);
        return NULL;
    }
    c->view = g_new0(rp_txn_items, 1);
    c->view->items = g_array_new(FALSE, TRUE, sizeof(rp_item));
    c->unsol = g_array_new(FALSE, TRUE, sizeof(rp_item));
    c->monos = g_array_new(FALSE, FALSE, sizeof(int64_t));
    c->tx = g_byte_array_new();
    c->rx = g_byte_array_new();
    return c;
}

void rp_items_free(rp_items *c)
{
    if (!c)
        return;
    qftp_session_free(c->s);
    view_clear(c->view);
    g_array_free(c->view->items, TRUE);
    g_free(c->view);
    for (guint i = 0; i < c->unsol->len; i++)
        g_free(g_array_index(c->unsol, rp_item, i).text);
    g_array_free(c->unsol, TRUE);
    g_array_free(c->monos, TRUE);
    g_byte_array_free(c->tx, TRUE);
    g_byte_array_free(c->rx, TRUE);
    g_free(c);
}

void rp_items_feed(rp_items *c, qftp_dir dir, const uint8_t *b, size_t n, qftp_ts ts, int64_t mono)
{
    GByteArray *a = dir == QFTP_DIR_TX ? c->tx : c->rx;
    if (a->len + n > RP_STREAM_CAP)
        c->over_cap = true;
    else
        g_byte_array_append(a, b, (guint)n);
    c->ts_now = ts;
    c->mono_now = mono;
    g_array_append_val(c->monos, mono);
    qftp_session_feed(c->s, dir, b, n, ts, ++c->frames);
}

/* A transaction's items as the comparison reads them, from its typed items (roles and
 * stream offsets, qftp/session.h): the module's lines, CONNECT, the prompt, the download
 * payload, the final result. The echo and the final result of a chained line belong to
 * the line: they are listed once, at its last command. */
const rp_txn_items *rp_items_for(const rp_items *c, unsigned txn_index)
{
    rp_txn_items *v = c->view;
    view_clear(v);
    const qftp_txn *t = txn_index ? qftp_session_txn(c->s, txn_index - 1) : NULL;
    if (!t)
        return v;
    const qftp_txn *next = qftp_session_txn(c->s, txn_index);
    bool line_goes_on =
        next && next->sub_index == t->sub_index + 1 && next->frame_sent == t->frame_sent;
    for (size_t i = 0; i < t->n_items && v->items->len < RP_ITEMS_CAP; i++) {
        const qftp_txn_item *ti = &t->items[i];
        rp_item it = {.frame = ti->frame, .ts = ti->ts, .mono = mono_of(c, ti->frame)};
        switch (ti->role) {
        case QFTP_ROLE_ECHO:
            it.kind = RP_ITEM_ECHO;
            break;
        case QFTP_ROLE_FINAL:
            it.kind = RP_ITEM_FINAL;
            break;
        case QFTP_ROLE_INFO:
        case QFTP_ROLE_URC:
            it.kind = RP_ITEM_LINE;
            break;
        case QFTP_ROLE_CONNECT:
            it.kind = RP_ITEM_CONNECT;
            break;
        case QFTP_ROLE_PROMPT:
            it.kind = RP_ITEM_PROMPT;
            break;
        case QFTP_ROLE_DATA:
            if (ti->dir != QFTP_DIR_RX)
                continue;
            it.kind = RP_ITEM_DATA;
            break;
        default:
            continue; /* the command itself, the end of data mode, "+++" */
        }
        if ((it.kind == RP_ITEM_ECHO || it.kind == RP_ITEM_FINAL) && line_goes_on)
            continue;
        if (it.kind != RP_ITEM_DATA) {
            const GByteArray *s = ti->dir == QFTP_DIR_TX ? c->tx : c->rx;
            if (ti->offset + ti->len <= s->len)
                it.text = span_text(s->data + ti->offset, (size_t)ti->len);
            else
                it.text = g_strdup(""); /* beyond RP_STREAM_CAP: the run is cut off anyway */
        }
        g_array_append_val(v->items, it);
    }
    return v;
}

/* ---- plan ------------------------------------------------------------------------ */

void rp_plan_free(rp_plan *p)
{
    if (!p)
        return;
    rp_items_free(p->golden);
    g_free(p->steps);
    g_free(p->path);
    g_free(p);
}

bool rp_step_wants(const rp_plan *p, const rp_step *st, uint64_t before, rp_step *out)
{
    const qftp_txn *t = st->txn;
    bool all = true;
    qftp_ts last_ts = t->t_sent;
    out->want_final = out->want_connect = out->want_urc = out->want_data_end = false;
    if (t->final != QFTP_FINAL_NONE) {
        if (t->frame_final < before) {
            out->want_final = true;
            last_ts = t->t_final > last_ts ? t->t_final : last_ts;
        } else {
            all = false;
        }
    }
    if (t->connect) {
        if (t->frame_connect < before) {
            out->want_connect = true;
            last_ts = t->t_connect > last_ts ? t->t_connect : last_ts;
        } else {
            all = false;
        }
    }
    if (t->urc) {
        if (t->frame_done < before) {
            out->want_urc = true;
            last_ts = t->t_done > last_ts ? t->t_done : last_ts;
        } else {
            all = false;
        }
    }
    if (t->data_len >= 0 && t->data_dir == QFTP_DIR_RX) {
        const rp_txn_items *ti = rp_items_for(p->golden, t->index);
        for (guint k = 0; ti->items && k < ti->items->len; k++) {
            const rp_item *it = &g_array_index(ti->items, rp_item, k);
            if (it->kind != RP_ITEM_DATA)
                continue;
            if (it->frame < before) {
                out->want_data_end = true;
                last_ts = it->ts > last_ts ? it->ts : last_ts;
            } else {
                all = false;
            }
        }
    }
    out->recorded_wait = last_ts - t->t_sent;
    return all;
}

/* Each chunk of the golden (a capture's frame, a log's record) into the plan's session. */
typedef struct {
    rp_plan *p;
    const char *path;
    qftp_ts last;
    char *errbuf;
} plan_reader;

static int on_chunk(void *user, const input_chunk *c)
{
    plan_reader *pr = user;
    rp_items *g = pr->p->golden;
    /* a frame without a direction: the one guess every front end makes */
    qftp_dir d = c->dir_known ? c->dir : qftp_session_guess_dir(g->s, c->data, c->len);
    /* The session needs times that never decrease; a log may have them out of order. */
    qftp_ts ts = c->ts < pr->last ? pr->last : c->ts;
    pr->last = ts;
    rp_items_feed(g, d, c->data, c->len, ts, 0);
    if (g->over_cap) {
        snprintf(pr->errbuf, QFTP_ERRBUF_SIZE, "%s: more than %u MiB in one direction", pr->path,
                 RP_STREAM_CAP >> 20);
        return -1;
    }
    if (g->over_items) {
        unsigned k = g->over_items;
        if (k == UINT_MAX)
            snprintf(pr->errbuf, QFTP_ERRBUF_SIZE, "%s: more than %d unsolicited lines", pr->path,
                     RP_ITEMS_CAP);
        else
            snprintf(pr->errbuf, QFTP_ERRBUF_SIZE,
                     "%s: transaction %u has more than %d lines (the replayer's cap)", pr->path, k,
                     RP_ITEMS_CAP);
        return -1;
    }
    return 0;
}

rp_plan *rp_plan_load(const char *path, const input_opts *io, char *errbuf)
{
    rp_plan *p = g_new0(rp_plan, 1);
    p->path = g_strdup(path);
    p->golden = rp_items_new(QFTP_DIALECT_UNKNOWN, errbuf);
    if (!p->golden) {
        rp_plan_free(p);
        return NULL;
    }
    /* a capture as it is; a text log imported on the fly, exactly as `qftp import` would
     * (the same reader, the same layouts and options) */
    plan_reader pr = {.p = p, .path = path, .errbuf = errbuf};
    input_opts defaults = {0};
    input_kind kind;
    char what[128];
    int rc = input_read(path, io ? io : &defaults, on_chunk, &pr, &kind, what, sizeof what, errbuf);
    p->from_log = kind == INPUT_LOG;
    qftp_ts last = pr.last;
    if (rc != 0) {
        rp_plan_free(p);
        return NULL;
    }
    qftp_session_finish(p->golden->s, last);
    p->dialect = qftp_session_dialect(p->golden->s);
    p->guard_time = QFTP_NS_PER_SEC;

    size_t n = qftp_session_txn_count(p->golden->s);
    if (n == 0) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "%s: no command to replay", path);
        rp_plan_free(p);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const qftp_txn *t = qftp_session_txn(p->golden->s, i);
        if (t->inferred) {
            /* a log of the module's side only: the command line is not in it */
            snprintf(errbuf, QFTP_ERRBUF_SIZE,
                     "%s: command #%u (%s) is inferred from the module's answers: the capture "
                     "has no command line to send%s",
                     path, t->index, t->command,
                     qftp_session_module_side_only(p->golden->s)
                         ? " (it holds the module's side only)"
                         : "");
            rp_plan_free(p);
            return NULL;
        }
    }
    p->steps = g_new0(rp_step, n);
    p->n_steps = n;
    for (size_t i = 0; i < n; i++) {
        const qftp_txn *t = qftp_session_txn(p->golden->s, i);
        rp_step *st = &p->steps[i];
        st->number = t->index;
        st->txn = t;
        st->chained = t->sub_index > 0;
        st->next_frame = UINT64_MAX;
        for (size_t j = i + 1; j < n; j++) {
            const qftp_txn *nt = qftp_session_txn(p->golden->s, j);
            if (nt->sub_index == 0) {
                st->next_frame = nt->frame_sent;
                break;
            }
        }
        st->deferred = !rp_step_wants(p, st, st->next_frame, st);
        if (t->data_len > 0 && t->data_dir == QFTP_DIR_TX && t->connect) {
            GByteArray *tx = p->golden->tx;
            if (t->data_offset + (uint64_t)t->data_len <= tx->len) {
                st->upload = tx->data + t->data_offset;
                st->upload_len = (size_t)t->data_len;
            }
            st->escape = t->escaped;
        } else if (t->data_len == 0 && t->data_dir == QFTP_DIR_TX && t->connect) {
            st->escape = t->escaped;
        }
    }
    return p;
}
