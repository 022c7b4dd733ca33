/* qftp-frames.c - per-frame records of the qftp plugin.
 *
 * First pass (!PINFO_FD_VISITED): the frame's bytes are fed into the one qftp_session
 * of its conversation; the session's on_item callback tells what each event was. What
 * the frame needs later is kept in a qftp_frec in wmem_file_scope() (attached with
 * p_add_proto_data() by the caller): the events with their offsets in the frame (or a
 * copy of the bytes of a line or payload that began in an earlier frame), the
 * transaction index, the notes raised, the dialect and FTP state. The session is
 * finished (end of capture: commands without results) on the first dissection of a
 * visited frame, i.e. before the second pass prints anything.
 *
 * Copyright 2024 the qftp authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qftp-plugin.h"

#include <string.h>

static wmem_map_t *qftp_convs; /* file scope: conversation key -> qftp_conv* */
/* The conversations: what they hold outside wmem (the core's session, the
 * transactions' array, their strings, scratch arrays) is freed with the file. */
static GSList *qftp_conv_list;
static GPtrArray *qftp_recs; /* file scope: frame number -> qftp_frec* */

static void array_free(GArray *a)
{
    if (a)
        g_array_free(a, TRUE);
}
static guint32 qftp_conv_count;

static guint key_hash(gconstpointer k)
{
    guint64 v = *(const guint64 *)k;
    return (guint)(v ^ (v >> 32));
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
    return *(const guint64 *)a == *(const guint64 *)b;
}

/* ---- the first pass: feeding the session -------------------------------------------- */

static void add_note(qftp_conv *c, const qftp_note *n, guint32 txn)
{
    qftp_fnote fn;
    fn.kind = (guint16)n->kind;
    fn.txn = txn;
    fn.text = wmem_strdup(wmem_file_scope(), n->text);
    g_array_append_val(c->notes, fn);
}

static void scan_txn_notes(qftp_conv *c, const qftp_txn *t)
{
    if (t->index >= c->notes_seen->len)
        g_array_set_size(c->notes_seen, t->index + 64);
    guint16 *seen = &g_array_index(c->notes_seen, guint16, t->index);
    while (*seen < t->n_notes) {
        add_note(c, &t->notes[*seen], t->index);
        (*seen)++;
    }
}

/* Notes raised since the last event, on any transaction the session still holds and
 * on the transaction of this event. (Handed-over transactions had theirs read then;
 * notes of no transaction come through the sink.) */
static void collect_notes(qftp_conv *c, const qftp_txn *item_txn)
{
    size_t n = qftp_session_txn_count(c->s);
    while (c->txn_seen < n) {
        guint32 idx = ++c->txn_seen;
        g_array_append_val(c->open, idx);
    }
    for (guint i = 0; i < c->open->len;) {
        const qftp_txn *t = qftp_session_txn(c->s, g_array_index(c->open, guint32, i) - 1);
        if (t)
            scan_txn_notes(c, t);
        if (!t || t->phase == QFTP_TXN_DONE)
            g_array_remove_index(c->open, i);
        else
            i++;
    }
    if (item_txn)
        scan_txn_notes(c, item_txn);
}

/* ---- transactions as the plugin keeps them ---------------------------------------- */

/* A string many transactions share (command names, final results): once per capture. */
static const char *intern(GStringChunk *chunk, const char *s)
{
    if (!s)
        return NULL;
    return chunk ? g_string_chunk_insert_const(chunk, s) : s;
}

/* The command's name: the table's own (static) when it is the same text, which spares
 * most transactions a lookup in the chunk. */
static const char *intern_command(GStringChunk *chunk, const qftp_txn *t)
{
    if (chunk && t->def && t->command && strcmp(t->def->name, t->command) == 0)
        return t->def->name;
    return intern(chunk, t->command);
}

/* The final result's line: the two the manuals' commands end with as static text. */
static const char *intern_final(GStringChunk *chunk, const char *s)
{
    if (chunk && s && strcmp(s, "OK") == 0)
        return "OK";
    if (chunk && s && strcmp(s, "ERROR") == 0)
        return "ERROR";
    return intern(chunk, s);
}

/* A copy of the session's t in one block from alloc: the struct, its parameters and
 * their spans, then the strings of its own (parameters, the hidden line); strings many
 * share are interned in chunk (a transaction handed over), or point into t (a view,
 * chunk NULL: valid while the session holds t). */
static qftpd_txn *txn_copy(const qftp_txn *t, GStringChunk *chunk, wmem_allocator_t *alloc)
{
    guint n = (guint)MIN(t->n_params, QFTP_MAX_PARAMS);
    gboolean spans = t->line_offset != QFTP_NO_OFFSET;
    const char *line = qftpd_pref_hide_passwords ? t->line : NULL;
    size_t size = sizeof(qftpd_txn) + n * sizeof(char *) + (spans ? (2 + 2 * n) * 4 : 0);
    size_t strs = 0;
    if (chunk) {
        for (guint i = 0; i < n; i++)
            strs += strlen(t->params[i]) + 1;
        if (line)
            strs += strlen(line) + 1;
    }
    qftpd_txn *d = (qftpd_txn *)wmem_alloc(alloc, size + strs);
    memset(d, 0, sizeof *d);
    char *tail = (char *)(d + 1);
    d->params = n ? (const char **)tail : NULL;
    tail += n * sizeof(char *);
    if (spans) {
        d->spans = (guint32 *)tail;
        d->spans[0] = t->cmd_span.off;
        d->spans[1] = t->cmd_span.len;
        for (guint i = 0; i < n; i++) {
            d->spans[2 + 2 * i] = t->param_spans[i].off;
            d->spans[3 + 2 * i] = t->param_spans[i].len;
        }
        tail += (2 + 2 * n) * 4;
    }
    for (guint i = 0; i < n; i++) {
        if (!chunk) {
            d->params[i] = t->params[i];
            continue;
        }
        size_t l = strlen(t->params[i]) + 1;
        memcpy(tail, t->params[i], l);
        d->params[i] = tail;
        tail += l;
    }
    if (line && chunk) {
        memcpy(tail, line, strlen(line) + 1);
        d->line = tail;
    } else {
        d->line = line;
    }
    d->def = t->def;
    d->command = intern_command(chunk, t);
    d->final_line = intern_final(chunk, t->final_line);
    d->cme_text = intern(chunk, t->cme_text);
    if (t->value.kind == QFTP_VAL_STR)
        d->value_s = intern(chunk, t->value.s);
    d->t_sent = t->t_sent;
    d->t_final = t->t_final;
    d->t_done = t->t_done;
    d->cme_code = t->cme_code;
    d->err = t->err;
    d->protocol_error = t->protocol_error;
    d->value_i = t->value.i;
    d->data_len = t->data_len;
    d->index = t->index;
    d->frame_sent = (guint32)t->frame_sent;
    d->frame_final = (guint32)t->frame_final;
    d->frame_done = (guint32)t->frame_done;
    d->sub_index = (guint8)t->sub_index;
    d->type = (guint8)t->type;
    d->final = (guint8)t->final;
    d->phase = (guint8)t->phase;
    d->data_dir = (guint8)t->data_dir;
    d->value_kind = (guint8)t->value.kind;
    d->n_params = (guint8)n;
    d->has_err = t->has_err;
    d->has_pe = t->has_pe;
    d->repeat = t->repeat;
    d->has_urc = t->urc != NULL;
    return d;
}

/* The session hands a transaction over once nothing can change it: its last notes go
 * to the frame being fed, a copy of what the plugin shows is kept, the session frees it. */
static void on_txn_done(void *user, const qftp_txn *t)
{
    qftp_conv *c = (qftp_conv *)user;
    scan_txn_notes(c, t);
    qftpd_txn *d = txn_copy(t, c->strings, wmem_file_scope());
    if (c->txns->len <= t->index)
        g_ptr_array_set_size(c->txns, t->index + 1);
    g_ptr_array_index(c->txns, t->index) = d;
}

static void on_session_note(void *user, const qftp_note *n)
{
    add_note((qftp_conv *)user, n, 0);
}

const qftpd_txn *qftpd_txn_get(const qftp_conv *c, guint32 idx, wmem_allocator_t *scratch)
{
    if (!idx)
        return NULL;
    if (c->txns && idx < c->txns->len && g_ptr_array_index(c->txns, idx))
        return (const qftpd_txn *)g_ptr_array_index(c->txns, idx);
    const qftp_txn *t = c->s ? qftp_session_txn(c->s, idx - 1) : NULL;
    return t ? txn_copy(t, NULL, scratch) : NULL;
}

void qftpd_txn_words(const qftpd_txn *t, qftp_txn_words *w)
{
    /* what qftp_txn_describe reads, from the copy */
    qftp_txn x;
    memset(&x, 0, sizeof x);
    x.index = t->index;
    x.command = (char *)t->command;
    x.def = t->def;
    x.type = (qftp_cmd_type)t->type;
    x.phase = (qftp_txn_phase)t->phase;
    x.final = (qftp_final_kind)t->final;
    x.final_line = (char *)t->final_line;
    x.cme_code = t->cme_code;
    x.cme_text = (char *)t->cme_text;
    x.has_err = t->has_err;
    x.has_pe = t->has_pe;
    x.err = t->err;
    x.protocol_error = t->protocol_error;
    x.urc = t->has_urc ? (char *)"" : NULL;
    x.value.kind = (qftp_value_kind)t->value_kind;
    x.value.i = t->value_i;
    x.value.s = (char *)t->value_s;
    x.data_len = t->data_len;
    qftp_txn_describe(&x, w);
}

/* The role the session gave an event in its transaction: the item it added last for
 * the event's bytes (QFTP_ROLE__COUNT: none). */
static qftp_role event_role(const qftp_txn *t, const qftp_event *ev)
{
    for (size_t i = t->n_items; i-- > 0;) {
        const qftp_txn_item *x = &t->items[i];
        if (x->dir == ev->dir && x->offset <= ev->offset && ev->offset <= x->offset + x->len)
            return x->role;
    }
    return QFTP_ROLE__COUNT;
}

/* The record of the frame that holds an event's last byte (for an event without bytes,
 * the byte where it happens), when that is an earlier frame of the same direction than
 * the one being fed: the parser releases some events only later (the "\r\nOK\r\n" that
 * may close a download waits for what follows, "+++" for its guard time), and they
 * belong where their bytes are. NULL: the current frame. */
static qftp_frec *event_frame(const qftp_conv *c, const qftp_event *ev)
{
    guint64 last = ev->len ? ev->offset + ev->len - 1 : ev->offset;
    const qftp_frec *r = c->cur;
    if (r && ev->dir == r->dir && last >= r->base)
        return NULL;
    for (guint k = 0; k < QFTP_RING; k++) {
        qftp_frec *p = c->ring[ev->dir][k];
        if (p && p != r && p->base <= last && last < p->base + p->len)
            return p;
    }
    return NULL;
}

/* Where an event's item is kept: the scratch of the frame being fed (flushed into its
 * record afterwards) or an earlier frame's record, which grows by one. */
static qftp_item *last_item(qftp_conv *c, qftp_frec *dest)
{
    if (!dest)
        return c->items->len ? &g_array_index(c->items, qftp_item, c->items->len - 1) : NULL;
    return dest->n_items ? &dest->items[dest->n_items - 1] : NULL;
}

static void push_item(qftp_conv *c, qftp_frec *dest, const qftp_item *it)
{
    if (!dest) {
        g_array_append_vals(c->items, it, 1);
        return;
    }
    dest->items = (qftp_item *)wmem_realloc(wmem_file_scope(), dest->items,
                                            sizeof(qftp_item) * (dest->n_items + 1));
    dest->items[dest->n_items++] = *it;
}

/* Notes raised with an event that went to an earlier frame go there too. */
static void move_notes(qftp_conv *c, qftp_frec *dest, guint from)
{
    if (!dest || c->notes->len <= from)
        return;
    guint n = c->notes->len - from;
    dest->notes = (qftp_fnote *)wmem_realloc(wmem_file_scope(), dest->notes,
                                             sizeof(qftp_fnote) * (dest->n_notes + n));
    memcpy(dest->notes + dest->n_notes, &g_array_index(c->notes, qftp_fnote, from),
           sizeof(qftp_fnote) * n);
    dest->n_notes += n;
    g_array_set_size(c->notes, from);
}

static qftp_fextra *extra_of(qftp_conv *c, qftp_frec *r)
{
    qftp_fextra *x =
        r->has_extra ? (qftp_fextra *)wmem_map_lookup(c->extra, GUINT_TO_POINTER(r->frame)) : NULL;
    if (!x) {
        x = wmem_new0(wmem_file_scope(), qftp_fextra);
        wmem_map_insert(c->extra, GUINT_TO_POINTER(r->frame), x);
        r->has_extra = 1;
    }
    return x;
}

const qftp_fextra *qftpd_frec_extra(const qftp_frec *r)
{
    return r->has_extra
               ? (const qftp_fextra *)wmem_map_lookup(r->conv->extra, GUINT_TO_POINTER(r->frame))
               : NULL;
}

qftp_frec *qftpd_rec_of(const packet_info *pinfo)
{
    guint32 n = pinfo->num;
    return qftp_recs && n < qftp_recs->len ? (qftp_frec *)g_ptr_array_index(qftp_recs, n) : NULL;
}

void qftpd_rec_set(const packet_info *pinfo, qftp_frec *r)
{
    guint32 n = pinfo->num;
    /* grown by half at a time, not by one each frame (the new slots are NULL: no record) */
    if (n >= qftp_recs->len)
        g_ptr_array_set_size(qftp_recs, MAX(n + 1, qftp_recs->len + qftp_recs->len / 2));
    g_ptr_array_index(qftp_recs, n) = r;
}

/* Keeps bytes for an item that cannot point into its frame. */
static guint32 keep_copy(qftp_conv *c, const guint8 *p, size_t n)
{
    g_ptr_array_add(c->copies, wmem_memdup(wmem_file_scope(), p, n));
    return c->copies->len - 1;
}

static void on_item(void *user, const qftp_event *ev, const qftp_txn *txn, uint64_t frame)
{
    qftp_conv *c = (qftp_conv *)user;
    (void)frame;
    qftp_frec *dest = event_frame(c, ev);
    /* the frame the item is shown in, and how far its bytes reach */
    const qftp_frec *r = dest ? dest : c->cur;
    guint32 in_frame = dest ? dest->frame : c->cur_frame;
    guint64 r_end = dest ? dest->base + dest->len : (r ? c->off[r->dir] : 0);
    qftp_item it;
    memset(&it, 0, sizeof it);
    it.kind = (guint8)ev->kind;
    it.dir = (guint8)ev->dir;
    it.final = (guint8)ev->final;
    it.reason = (guint8)ev->reason;
    it.flags = (guint16)ev->flags;
    it.value = ev->value;
    it.txn = txn ? txn->index : 0;
    it.len = (guint32)ev->len;
    it.off = -1;
    if (r && ev->dir == r->dir && ev->offset >= r->base && ev->offset + ev->len <= r_end) {
        it.off = (gint32)(ev->offset - r->base);
    } else if (ev->len > 0) {
        it.copy = keep_copy(c, ev->data, ev->len);
    }
    /* A line that began in earlier frames: those frames point here. */
    if (r && ev->dir == r->dir && ev->offset < r->base) {
        for (guint k = 0; k < QFTP_RING; k++) {
            qftp_frec *p = c->ring[r->dir][k];
            if (p && p != r && p->base < r->base && p->base + p->len > ev->offset)
                extra_of(c, p)->cont_in = in_frame;
        }
    }
    /* The session says what the line was (its role in the transaction): the completion
     * URC, or an information response; the command's own "+NAME:" line carries the
     * result's codes and value. */
    if (txn && ev->kind == QFTP_EV_LINE && ev->dir == QFTP_DIR_RX) {
        qftp_role role = event_role(txn, ev);
        size_t cl = strlen(txn->command);
        gboolean own = role == QFTP_ROLE_URC ||
                       (role == QFTP_ROLE_INFO && cl && ev->len > cl &&
                        memcmp(ev->data, txn->command, cl) == 0 && ev->data[cl] == ':');
        it.own = (guint8)own;
        it.is_urc = own && role == QFTP_ROLE_URC;
    }
    /* The links follow the item to the frame it is shown in. */
    if (dest && txn) {
        if (ev->kind == QFTP_EV_FINAL && txn->frame_final == c->cur_frame)
            wmem_map_insert(c->moved, GUINT_TO_POINTER(txn->index * 2), GUINT_TO_POINTER(in_frame));
        else if (it.is_urc)
            wmem_map_insert(c->moved, GUINT_TO_POINTER(txn->index * 2 + 1),
                            GUINT_TO_POINTER(in_frame));
    }
    guint notes_before = c->notes->len;
    /* Payload the parser released in pieces (it holds back what could start the
     * trailer) is one data item when the pieces touch. */
    qftp_item *prev = it.kind == QFTP_EV_DATA ? last_item(c, dest) : NULL;
    if (prev && prev->kind == QFTP_EV_DATA && prev->txn == it.txn && prev->dir == it.dir) {
        if (prev->off >= 0 && it.off >= 0 && (guint32)prev->off + prev->len == (guint32)it.off) {
            prev->len += it.len;
            prev->value = it.value;
            prev->flags |= it.flags;
            if (dest) {
                qftp_item e = it;
                e.off = -1;
                e.copy = keep_copy(c, ev->data, ev->len);
                g_array_append_val(c->early, e);
            }
            collect_notes(c, txn);
            move_notes(c, dest, notes_before);
            return;
        }
        if (!dest && (prev->off < 0 || c->cur_bytes)) {
            guint8 *b = (guint8 *)wmem_alloc(wmem_file_scope(), prev->len + it.len);
            const guint8 *was = qftpd_item_copy(c, prev);
            memcpy(b, was ? was : c->cur_bytes + prev->off, prev->len);
            memcpy(b + prev->len, ev->data, it.len);
            if (prev->copy) {
                g_ptr_array_index(c->copies, prev->copy) = b;
            } else {
                g_ptr_array_add(c->copies, b);
                prev->copy = c->copies->len - 1;
            }
            prev->off = -1;
            prev->len += it.len;
            prev->value = it.value;
            prev->flags |= it.flags;
            collect_notes(c, txn);
            return;
        }
    }
    push_item(c, dest, &it);
    if (dest) {
        qftp_item e = it;
        if (e.off >= 0 && ev->len > 0) {
            e.off = -1;
            e.copy = keep_copy(c, ev->data, ev->len);
        }
        g_array_append_val(c->early, e);
    }
    collect_notes(c, txn);
    move_notes(c, dest, notes_before);
}

static qftp_conv *conv_new(void)
{
    qftp_conv *c = wmem_new0(wmem_file_scope(), qftp_conv);
    c->id = ++qftp_conv_count;
    qftp_session_opts o;
    qftp_session_opts_init(&o);
    o.dialect = (qftp_dialect)qftpd_pref_dialect;
    o.rsptimeout = (qftp_ts)qftpd_pref_rsptimeout * QFTP_NS_PER_SEC;
    o.redact = qftpd_pref_hide_passwords;
    o.on_item = on_item;
    o.user = c;
    /* transactions handed over and freed as they end: the plugin keeps its own copy */
    o.sink.txn = on_txn_done;
    o.sink.note = on_session_note;
    o.sink.user = c;
    o.sink.release = true;
    c->txns = g_ptr_array_new();
    c->copies = g_ptr_array_new();
    g_ptr_array_add(c->copies, NULL); /* 0: none */
    c->strings = g_string_chunk_new(4096);
    char err[QFTP_ERRBUF_SIZE];
    c->s = qftp_session_new(&o, err);
    qftp_conv_list = g_slist_prepend(qftp_conv_list, c);
    c->items = g_array_new(FALSE, TRUE, sizeof(qftp_item));
    c->early = g_array_new(FALSE, TRUE, sizeof(qftp_item));
    c->notes = g_array_new(FALSE, TRUE, sizeof(qftp_fnote));
    c->notes_seen = g_array_new(FALSE, TRUE, sizeof(guint16));
    c->open = g_array_new(FALSE, FALSE, sizeof(guint32));
    c->late = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    c->moved = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    c->extra = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    return c;
}

qftp_conv *qftpd_conv_get(guint64 key)
{
    qftp_conv *c = (qftp_conv *)wmem_map_lookup(qftp_convs, &key);
    if (!c) {
        guint64 *k = wmem_new(wmem_file_scope(), guint64);
        *k = key;
        c = conv_new();
        wmem_map_insert(qftp_convs, k, c);
    }
    return c;
}

static void flush_scratch(qftp_conv *c, qftp_frec *r)
{
    r->n_items = c->items->len;
    r->items = r->n_items ? (qftp_item *)wmem_memdup(wmem_file_scope(), c->items->data,
                                                     sizeof(qftp_item) * r->n_items)
                          : NULL;
    r->n_notes = c->notes->len;
    r->notes = r->n_notes ? (qftp_fnote *)wmem_memdup(wmem_file_scope(), c->notes->data,
                                                      sizeof(qftp_fnote) * r->n_notes)
                          : NULL;
    if (c->early->len) {
        qftp_fextra *x = extra_of(c, r);
        x->n_early = c->early->len;
        x->early = (qftp_item *)wmem_memdup(wmem_file_scope(), c->early->data,
                                            sizeof(qftp_item) * x->n_early);
    }
    /* (most frames leave notes and early empty: no call for those) */
    if (c->items->len)
        g_array_set_size(c->items, 0);
    if (c->notes->len)
        g_array_set_size(c->notes, 0);
    if (c->early->len)
        g_array_set_size(c->early, 0);
}

static qftp_ts ts_of(const packet_info *pinfo)
{
    return (qftp_ts)pinfo->abs_ts.secs * QFTP_NS_PER_SEC + pinfo->abs_ts.nsecs;
}

qftp_frec *qftpd_first_pass(qftp_conv *c, tvbuff_t *tvb, packet_info *pinfo, qftp_dir dir)
{
    qftp_frec *r = wmem_new0(wmem_file_scope(), qftp_frec);
    r->conv = c;
    r->dir = (guint8)dir;
    r->frame = pinfo->num;
    r->base = c->off[dir];
    guint len = tvb_captured_length(tvb);
    r->len = len;
    c->cur = r;
    c->cur_frame = pinfo->num;
    c->off[dir] += len;
    c->ring[dir][c->ring_pos[dir]++ % QFTP_RING] = r;
    if (c->s) {
        qftp_ts ts = ts_of(pinfo);
        if (ts < c->last_ts)
            ts = c->last_ts; /* the parser wants times that never decrease */
        c->last_ts = ts;
        c->last_frame = pinfo->num;
        r->ts = ts;
        c->cur_bytes = tvb_get_ptr(tvb, 0, len);
        qftp_session_feed(c->s, dir, c->cur_bytes, len, ts, pinfo->num);
        c->cur_bytes = NULL;
        r->dialect = (guint8)qftp_session_dialect(c->s);
        r->state = (guint8)qftp_session_state(c->s);
    }
    flush_scratch(c, r);
    c->cur = NULL;
    return r;
}

/* End of the capture, seen from the second pass: the session's last word (commands
 * without a result, data mode still open) goes to the frames it concerns. */
void qftpd_finish_conv(qftp_conv *c)
{
    if (c->finished || !c->s)
        return;
    c->finished = TRUE;
    c->cur = NULL;
    c->cur_frame = c->last_frame;
    qftp_session_finish(c->s, c->last_ts);
    /* Items of the flush (a partial line, the end of data mode) belong to the last
     * frame; notes about a transaction to the frame that sent it. */
    if (c->items->len || c->notes->len) {
        GArray *notes = c->notes;
        c->notes = g_array_new(FALSE, TRUE, sizeof(qftp_fnote));
        qftp_frec *last = wmem_new0(wmem_file_scope(), qftp_frec);
        last->conv = c;
        last->ts = c->last_ts;
        flush_scratch(c, last);
        wmem_map_insert(c->late, GUINT_TO_POINTER(c->last_frame), last);
        g_array_free(c->notes, TRUE);
        c->notes = notes;
    }
    /* (finishing handed every transaction over, their notes with them) */
    for (guint i = 0; i < c->notes->len; i++) {
        qftp_fnote *fn = &g_array_index(c->notes, qftp_fnote, i);
        const qftpd_txn *t = qftpd_txn_get(c, fn->txn, wmem_file_scope());
        guint32 f = t ? (guint32)t->frame_sent : c->last_frame;
        qftp_frec *lr = (qftp_frec *)wmem_map_lookup(c->late, GUINT_TO_POINTER(f));
        if (!lr) {
            lr = wmem_new0(wmem_file_scope(), qftp_frec);
            lr->conv = c;
            wmem_map_insert(c->late, GUINT_TO_POINTER(f), lr);
        }
        qftp_fnote *nn = wmem_alloc_array(wmem_file_scope(), qftp_fnote, lr->n_notes + 1);
        if (lr->n_notes)
            memcpy(nn, lr->notes, sizeof(qftp_fnote) * lr->n_notes);
        nn[lr->n_notes++] = *fn;
        lr->notes = nn;
    }
    g_array_set_size(c->notes, 0);
    array_free(c->items);
    array_free(c->early);
    array_free(c->notes);
    array_free(c->notes_seen);
    array_free(c->open);
    c->items = c->early = c->notes = c->notes_seen = c->open = NULL;
}

qftp_conv *qftpd_conv_lookup(guint64 key)
{
    return qftp_convs ? (qftp_conv *)wmem_map_lookup(qftp_convs, &key) : NULL;
}

guint32 qftpd_frame_final(const qftp_conv *c, const qftpd_txn *t)
{
    gpointer f = c->moved ? wmem_map_lookup(c->moved, GUINT_TO_POINTER(t->index * 2)) : NULL;
    return f ? GPOINTER_TO_UINT(f) : (guint32)t->frame_final;
}

guint32 qftpd_frame_done(const qftp_conv *c, const qftpd_txn *t)
{
    gpointer f = c->moved ? wmem_map_lookup(c->moved, GUINT_TO_POINTER(t->index * 2 + 1)) : NULL;
    return f ? GPOINTER_TO_UINT(f) : (guint32)t->frame_done;
}

gboolean qftpd_looks_like_host(tvbuff_t *tvb)
{
    if (tvb_captured_length(tvb) < 2)
        return FALSE;
    guint8 a = tvb_get_uint8(tvb, 0), b = tvb_get_uint8(tvb, 1);
    return (a == 'A' || a == 'a') && (b == 'T' || b == 't' || b == '/');
}

qftp_dir qftpd_guess_dir(const qftp_conv *c, tvbuff_t *tvb)
{
    guint len = tvb_captured_length(tvb);
    if (c->s)
        return qftp_session_guess_dir(c->s, tvb_get_ptr(tvb, 0, len), len);
    return qftpd_looks_like_host(tvb) ? QFTP_DIR_TX : QFTP_DIR_RX;
}

void qftpd_frames_init(void)
{
    qftp_convs = wmem_map_new(wmem_file_scope(), key_hash, key_equal);
    qftp_conv_count = 0;
    qftp_recs = g_ptr_array_new();
}

/* Called before the file scope's memory goes: the conversations are still there. */
static void conv_free(gpointer p)
{
    qftp_conv *c = (qftp_conv *)p;
    if (c->s)
        qftp_session_free(c->s);
    g_ptr_array_free(c->txns, TRUE);
    g_ptr_array_free(c->copies, TRUE);
    g_string_chunk_free(c->strings);
    array_free(c->items);
    array_free(c->early);
    array_free(c->notes);
    array_free(c->notes_seen);
    array_free(c->open);
}

void qftpd_frames_cleanup(void)
{
    g_slist_free_full(qftp_conv_list, conv_free);
    qftp_conv_list = NULL;
    qftp_convs = NULL;
    if (qftp_recs)
        g_ptr_array_free(qftp_recs, TRUE);
    qftp_recs = NULL;
}
