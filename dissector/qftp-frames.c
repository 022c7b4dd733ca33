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
static GSList *qftp_sessions;  /* sessions to free at the end of the file */
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

/* Notes raised since the last event, on any transaction still open and on the
 * transaction of this event. */
static void collect_notes(qftp_conv *c, const qftp_txn *item_txn)
{
    size_t n = qftp_session_txn_count(c->s);
    while (c->txn_seen < n) {
        guint32 idx = ++c->txn_seen;
        g_array_append_val(c->open, idx);
    }
    for (guint i = 0; i < c->open->len;) {
        const qftp_txn *t = qftp_session_txn(c->s, g_array_index(c->open, guint32, i) - 1);
        scan_txn_notes(c, t);
        if (t->phase == QFTP_TXN_DONE)
            g_array_remove_index(c->open, i);
        else
            i++;
    }
    if (item_txn)
        scan_txn_notes(c, item_txn);
    size_t sn = qftp_session_note_count(c->s);
    while (c->sess_notes_seen < sn)
        add_note(c, qftp_session_note(c->s, c->sess_notes_seen++), 0);
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
        it.copy = (guint8 *)wmem_memdup(wmem_file_scope(), ev->data, ev->len);
    }
    /* A line that began in earlier frames: those frames point here. */
    if (r && ev->dir == r->dir && ev->offset < r->base) {
        for (guint k = 0; k < QFTP_RING; k++) {
            qftp_frec *p = c->ring[r->dir][k];
            if (p && p != r && p->base < r->base && p->base + p->len > ev->offset)
                p->cont_in = in_frame;
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
                e.copy = (guint8 *)wmem_memdup(wmem_file_scope(), ev->data, ev->len);
                g_array_append_val(c->early, e);
            }
            collect_notes(c, txn);
            move_notes(c, dest, notes_before);
            return;
        }
        if (!dest && (prev->off < 0 || c->cur_bytes)) {
            guint8 *b = (guint8 *)wmem_alloc(wmem_file_scope(), prev->len + it.len);
            memcpy(b, prev->copy ? prev->copy : c->cur_bytes + prev->off, prev->len);
            memcpy(b + prev->len, ev->data, it.len);
            prev->copy = b;
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
            e.copy = (guint8 *)wmem_memdup(wmem_file_scope(), ev->data, ev->len);
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
    char err[QFTP_ERRBUF_SIZE];
    c->s = qftp_session_new(&o, err);
    if (c->s)
        qftp_sessions = g_slist_prepend(qftp_sessions, c->s);
    c->items = g_array_new(FALSE, TRUE, sizeof(qftp_item));
    c->early = g_array_new(FALSE, TRUE, sizeof(qftp_item));
    c->notes = g_array_new(FALSE, TRUE, sizeof(qftp_fnote));
    c->notes_seen = g_array_new(FALSE, TRUE, sizeof(guint16));
    c->open = g_array_new(FALSE, FALSE, sizeof(guint32));
    c->late = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    c->moved = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
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
    r->n_early = c->early->len;
    r->early = r->n_early ? (qftp_item *)wmem_memdup(wmem_file_scope(), c->early->data,
                                                     sizeof(qftp_item) * r->n_early)
                          : NULL;
    g_array_set_size(c->items, 0);
    g_array_set_size(c->notes, 0);
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
    for (size_t i = 0; i < qftp_session_txn_count(c->s); i++)
        scan_txn_notes(c, qftp_session_txn(c->s, i));
    size_t sn = qftp_session_note_count(c->s);
    while (c->sess_notes_seen < sn)
        add_note(c, qftp_session_note(c->s, c->sess_notes_seen++), 0);
    for (guint i = 0; i < c->notes->len; i++) {
        qftp_fnote *fn = &g_array_index(c->notes, qftp_fnote, i);
        const qftp_txn *t = fn->txn ? qftp_session_txn(c->s, fn->txn - 1) : NULL;
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
    g_array_free(c->items, TRUE);
    g_array_free(c->early, TRUE);
    g_array_free(c->notes, TRUE);
    g_array_free(c->notes_seen, TRUE);
    g_array_free(c->open, TRUE);
    c->items = c->early = c->notes = c->notes_seen = c->open = NULL;
}

qftp_conv *qftpd_conv_lookup(guint64 key)
{
    return qftp_convs ? (qftp_conv *)wmem_map_lookup(qftp_convs, &key) : NULL;
}

guint32 qftpd_frame_final(const qftp_conv *c, const qftp_txn *t)
{
    gpointer f = c->moved ? wmem_map_lookup(c->moved, GUINT_TO_POINTER(t->index * 2)) : NULL;
    return f ? GPOINTER_TO_UINT(f) : (guint32)t->frame_final;
}

guint32 qftpd_frame_done(const qftp_conv *c, const qftp_txn *t)
{
    gpointer f = c->moved ? wmem_map_lookup(c->moved, GUINT_TO_POINTER(t->index * 2 + 1)) : NULL;
    return f ? GPOINTER_TO_UINT(f) : (guint32)t->frame_done;
}

const qftp_txn *qftpd_txn_get(const qftp_conv *c, guint32 idx)
{
    return (idx && c->s) ? qftp_session_txn(c->s, idx - 1) : NULL;
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
}

void qftpd_frames_cleanup(void)
{
    /* Sessions are the core's (g_malloc): free them with the file. */
    g_slist_free_full(qftp_sessions, (GDestroyNotify)qftp_session_free);
    qftp_sessions = NULL;
    qftp_convs = NULL;
}
