/* packet-qftp.c - Wireshark dissector for the FTP AT commands of Quectel modules.
 *
 * The decode is the core library's (libqftp): its push parser splits each direction
 * of the serial stream into commands, result codes, URCs and data-mode payload, and
 * its session links every command to its final result and completion URC. So this
 * dissector and `qftp show` never disagree.
 *
 * How frames become trees (doc/README.dissector, "random access"):
 *  - first pass (!PINFO_FD_VISITED): the frame's bytes are fed into the one
 *    qftp_session of its conversation; the session's on_item callback tells what each
 *    event was. What the frame needs later is stored with p_add_proto_data() in
 *    wmem_file_scope(): the events with their offsets in the frame (or a copy of the
 *    bytes of a line or payload that began in an earlier frame), the transaction
 *    index, the notes raised, the dialect and FTP state.
 *  - every later dissection builds the tree from that record and from the session's
 *    transactions (frame_sent / frame_final / frame_done give the links). The session
 *    is finished (end of capture: commands without results) on the first dissection
 *    of a visited frame, i.e. before the second pass prints anything.
 *
 * Copyright 2024 the qftp authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define WS_BUILD_DLL
#include "qftp-compat.h"

#include <stdio.h>
#include <string.h>

#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/decode_as.h>
#include <epan/expert.h>
#include <epan/export_object.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/srt_table.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>
#include <epan/dissectors/packet-usb.h>

#include "qftp/session.h"
#include "qftp/tables.h"

#include "qftp-usb-ids.h"

#ifndef QFTP_PLUGIN_VERSION
#define QFTP_PLUGIN_VERSION "0.1.0"
#endif

QFTP_PLUGIN_EXPORTS(QFTP_PLUGIN_VERSION);

void proto_register_qftp(void);
void proto_reg_handoff_qftp(void);

/* ---- protocol, fields, subtrees, expert infos ----------------------------------- */

static int proto_qftp QFTP_ID_INIT;

static int hf_qftp_direction QFTP_ID_INIT;
static int hf_qftp_dialect QFTP_ID_INIT;
static int hf_qftp_state QFTP_ID_INIT;
static int hf_qftp_line QFTP_ID_INIT;
static int hf_qftp_echo_of QFTP_ID_INIT;
static int hf_qftp_txn QFTP_ID_INIT;
static int hf_qftp_cmd QFTP_ID_INIT;
static int hf_qftp_cmd_type QFTP_ID_INIT;
static int hf_qftp_cmd_known QFTP_ID_INIT;
static int hf_qftp_cmd_summary QFTP_ID_INIT;
static int hf_qftp_param QFTP_ID_INIT;
static int hf_qftp_final QFTP_ID_INIT;
static int hf_qftp_cme_error QFTP_ID_INIT;
static int hf_qftp_cme_text QFTP_ID_INIT;
static int hf_qftp_connect QFTP_ID_INIT;
static int hf_qftp_connect_len QFTP_ID_INIT;
static int hf_qftp_urc QFTP_ID_INIT;
static int hf_qftp_urc_line QFTP_ID_INIT;
static int hf_qftp_err QFTP_ID_INIT;
static int hf_qftp_protocol_error QFTP_ID_INIT;
static int hf_qftp_value QFTP_ID_INIT;
static int hf_qftp_result_text QFTP_ID_INIT;
static int hf_qftp_info QFTP_ID_INIT;
static int hf_qftp_unsolicited QFTP_ID_INIT;
static int hf_qftp_text QFTP_ID_INIT;
static int hf_qftp_prompt QFTP_ID_INIT;
static int hf_qftp_data QFTP_ID_INIT;
static int hf_qftp_data_len QFTP_ID_INIT;
static int hf_qftp_data_total QFTP_ID_INIT;
static int hf_qftp_data_end QFTP_ID_INIT;
static int hf_qftp_listing_line QFTP_ID_INIT;
static int hf_qftp_escape QFTP_ID_INIT;
static int hf_qftp_escape_guard_before QFTP_ID_INIT;
static int hf_qftp_escape_guard_after QFTP_ID_INIT;
static int hf_qftp_escape_guard_within QFTP_ID_INIT;
static int hf_qftp_partial QFTP_ID_INIT;
static int hf_qftp_continued_in QFTP_ID_INIT;
static int hf_qftp_overflow_len QFTP_ID_INIT;
static int hf_qftp_request_in QFTP_ID_INIT;
static int hf_qftp_response_in QFTP_ID_INIT;
static int hf_qftp_done_in QFTP_ID_INIT;
static int hf_qftp_final_in QFTP_ID_INIT;
static int hf_qftp_time QFTP_ID_INIT;
static int hf_qftp_done_time QFTP_ID_INIT;
static int hf_qftp_note QFTP_ID_INIT;

static gint ett_qftp QFTP_ID_INIT;
static gint ett_qftp_cmdline QFTP_ID_INIT;
static gint ett_qftp_cmd QFTP_ID_INIT;
static gint ett_qftp_final QFTP_ID_INIT;
static gint ett_qftp_urc QFTP_ID_INIT;
static gint ett_qftp_line QFTP_ID_INIT;
static gint ett_qftp_data QFTP_ID_INIT;
static gint ett_qftp_listing QFTP_ID_INIT;
static gint ett_qftp_escape QFTP_ID_INIT;

static expert_field ei_qftp_error_result = EI_INIT;
static expert_field ei_qftp_error_urc = EI_INIT;
static expert_field ei_qftp_unknown_cmd = EI_INIT;
static expert_field ei_qftp_param_range = EI_INIT;
static expert_field ei_qftp_busy = EI_INIT;
static expert_field ei_qftp_no_result = EI_INIT;
static expert_field ei_qftp_guard = EI_INIT;
static expert_field ei_qftp_len_mismatch = EI_INIT;
static expert_field ei_qftp_slow = EI_INIT;
static expert_field ei_qftp_cleartext = EI_INIT;
static expert_field ei_qftp_unsolicited = EI_INIT;
static expert_field ei_qftp_overflow = EI_INIT;
static expert_field ei_qftp_note_info = EI_INIT;
static expert_field ei_qftp_note_note = EI_INIT;
static expert_field ei_qftp_note_warn = EI_INIT;
static expert_field ei_qftp_note_error = EI_INIT;

static dissector_handle_t qftp_handle;
static dissector_handle_t qftp_usb_handle;
static dissector_handle_t qftp_tcp_handle;

static int qftp_tap QFTP_ID_INIT;
static int qftp_eo_tap QFTP_ID_INIT;

/* Per-parameter fields ("qftp.hostname", "qftp.port", ...) are made at registration
 * from the core's command table, so a parameter the tables add gets its field. */
typedef struct {
    const char *name;
    int hf;
    gboolean is_int;
} qftp_param_field;

static GHashTable *qftp_param_fields; /* name -> qftp_param_field* */

/* ---- preferences ------------------------------------------------------------------ */

enum { QFTP_HOST_AUTO = 0, QFTP_HOST_CLIENT = 1, QFTP_HOST_SERVER = 2 };

static gint pref_dialect = QFTP_DIALECT_UNKNOWN;
static gint pref_host_side = QFTP_HOST_AUTO;
static guint pref_rsptimeout = 90; /* BG96 manual 2.1 <timeout> default */
static gboolean pref_hide_passwords = FALSE;

static const enum_val_t pref_dialect_vals[] = {
    {"auto", "Detect from the traffic", QFTP_DIALECT_UNKNOWN},
    {"gsm", "GSM M-series (GSM FTP AT Commands V1.1)", QFTP_DIALECT_GSM},
    {"bg96", "BG96 family (BG96 FTP(S) AT Commands Manual V1.0)", QFTP_DIALECT_BG96},
    {NULL, NULL, -1}};

static const enum_val_t pref_host_vals[] = {
    {"auto", "Lines starting with AT are the host's", QFTP_HOST_AUTO},
    {"client", "The TCP client (connecting side) is the host", QFTP_HOST_CLIENT},
    {"server", "The TCP server (listening side) is the host", QFTP_HOST_SERVER},
    {NULL, NULL, -1}};

/* ---- value tables (filled from the core's tables at registration) ----------------- */

static const value_string qftp_direction_vals[] = {
    {QFTP_DIR_TX, "host->module"}, {QFTP_DIR_RX, "module->host"}, {0, NULL}};

static value_string *qftp_cmd_type_vals;
static value_string *qftp_dialect_vals;
static value_string *qftp_state_vals;
static value_string *qftp_data_end_vals;
static value_string *qftp_err_vals; /* GSM chapter 3 (negative) + BG96 chapter 5 */
static value_string *qftp_pe_vals;  /* FTP reply codes (BG96 chapter 6) */
static value_string *qftp_cme_vals; /* +CME ERROR codes + BG96 chapter 5 */
static const char **qftp_srt_names; /* command names, one SRT row each */
static int qftp_srt_n;

/* ---- per-conversation and per-frame data -------------------------------------------- */

/* One event of the parser, as a frame shows it. */
typedef struct {
    guint8 kind;   /* qftp_event_kind */
    guint8 dir;    /* qftp_dir */
    guint8 final;  /* qftp_final_kind */
    guint8 reason; /* qftp_data_end_reason */
    guint16 flags; /* QFTP_EVF_* */
    guint8 is_urc; /* the line completed txn (its completion URC) */
    guint8 has_err, has_pe;
    gint32 off;   /* offset of the span in the frame; -1: bytes in `copy` */
    guint32 len;  /* span length */
    guint32 txn;  /* 1-based transaction index, 0 none */
    gint64 value; /* event value (CME code, CONNECT n, payload so far ...) */
    gint64 err, pe;
    guint8 *copy;  /* the span when it began in an earlier frame */
    char *value_s; /* the result value (integer or string) as text, NULL none */
} qftp_item;

typedef struct {
    guint8 severity; /* qftp_severity */
    guint8 cls;      /* QFTP_NC_* */
    guint32 txn;
    char *text;
} qftp_fnote;

enum {
    QFTP_NC_GENERIC = 0,
    QFTP_NC_ERROR_RESULT,
    QFTP_NC_ERROR_URC,
    QFTP_NC_PARAM,
    QFTP_NC_BUSY,
    QFTP_NC_NO_RESULT,
    QFTP_NC_GUARD,
    QFTP_NC_LEN,
    QFTP_NC_SLOW,
    QFTP_NC_CLEARTEXT,
    QFTP_NC_UNSOLICITED,
};

typedef struct qftp_conv qftp_conv;

typedef struct {
    qftp_conv *conv;
    guint64 base; /* stream offset of the frame's first byte (its direction) */
    guint32 len;  /* bytes of the frame */
    guint32 n_items, n_notes;
    qftp_item *items;
    qftp_fnote *notes;
    guint32 cont_in; /* a line that begins here ends in that frame */
    guint8 dir, dialect, state;
} qftp_frec;

#define QFTP_RING 32

struct qftp_conv {
    qftp_session *s;
    guint64 off[2]; /* bytes fed per direction */
    qftp_frec *ring[2][QFTP_RING];
    guint ring_pos[2];
    guint32 cur_frame;
    guint32 last_frame;
    qftp_ts last_ts;
    gboolean finished;
    qftp_frec *cur;          /* record being filled */
    const guint8 *cur_bytes; /* its bytes, during the feed */
    GArray *items;           /* scratch qftp_item */
    GArray *notes;           /* scratch qftp_fnote */
    GArray *notes_seen;      /* guint16 per txn index */
    GArray *open;            /* guint32 txn indices that may still get notes */
    guint32 txn_seen;        /* txns known so far */
    guint32 sess_notes_seen;
    wmem_map_t *late;      /* frame -> qftp_frec*: what the session's finish added */
    GByteArray *prefix[2]; /* bytes of a line begun in an earlier frame (TX/RX) */
    guint32 tcp_host_port; /* serial-over-TCP: the host's port, learnt from its first command */
    guint64 usb_eps;       /* USB without descriptors: endpoints (bit n = address n, IN and
                              OUT folded) that have carried AT traffic */
};

static wmem_map_t *qftp_convs; /* file scope: conversation key -> qftp_conv* */
static GSList *qftp_sessions;  /* sessions to free at the end of the file */

/* What taps get: one per frame. */
typedef struct {
    const qftp_frec *rec;
    tvbuff_t *tvb;
    guint32 frame;
} qftp_tap_info;

/* ---- the first pass: feeding the session -------------------------------------------- */

static gboolean is_password_param(const qftp_param_def *pd)
{
    return pd && strstr(pd->name, "password") != NULL;
}

static guint8 classify_note(const char *text, qftp_severity sev, const qftp_event *ev,
                            const qftp_txn *t)
{
    /* The core's notes carry no kind (see the report): sort them by what they say and
     * by the event that raised them. */
    if (strstr(text, "busy with"))
        return QFTP_NC_BUSY;
    if (g_str_has_prefix(text, "no final result") || strstr(text, "URC by the end") ||
        strstr(text, "still open at the end"))
        return QFTP_NC_NO_RESULT;
    if (g_str_has_prefix(text, "+++ without"))
        return QFTP_NC_GUARD;
    if (g_str_has_prefix(text, "length mismatch"))
        return QFTP_NC_LEN;
    if (strstr(text, "later than rsptimeout"))
        return QFTP_NC_SLOW;
    if (strstr(text, "in clear") || g_str_has_prefix(text, "plain FTP"))
        return QFTP_NC_CLEARTEXT;
    if (strstr(text, "with no command waiting"))
        return QFTP_NC_UNSOLICITED;
    if (ev && sev == QFTP_SEV_WARN) {
        if (ev->kind == QFTP_EV_FINAL)
            return QFTP_NC_ERROR_RESULT;
        if (ev->kind == QFTP_EV_LINE && t && t->has_err && t->err != 0)
            return QFTP_NC_ERROR_URC;
        if ((ev->kind == QFTP_EV_COMMAND || ev->kind == QFTP_EV_ECHO) &&
            !g_str_has_prefix(text, "more than") && !strstr(text, "terminator"))
            return QFTP_NC_PARAM;
    }
    return QFTP_NC_GENERIC;
}

static void add_note(qftp_conv *c, const qftp_note *n, guint32 txn, const qftp_event *ev,
                     const qftp_txn *t)
{
    qftp_fnote fn;
    fn.severity = (guint8)n->severity;
    fn.cls = classify_note(n->text, n->severity, ev, t);
    fn.txn = txn;
    fn.text = wmem_strdup(wmem_file_scope(), n->text);
    g_array_append_val(c->notes, fn);
}

static void scan_txn_notes(qftp_conv *c, const qftp_txn *t, const qftp_event *ev)
{
    if (t->index >= c->notes_seen->len)
        g_array_set_size(c->notes_seen, t->index + 64);
    guint16 *seen = &g_array_index(c->notes_seen, guint16, t->index);
    while (*seen < t->n_notes) {
        add_note(c, &t->notes[*seen], t->index, ev, t);
        (*seen)++;
    }
}

/* Notes raised since the last event, on any transaction still open and on the
 * transaction of this event. */
static void collect_notes(qftp_conv *c, const qftp_event *ev, const qftp_txn *item_txn)
{
    size_t n = qftp_session_txn_count(c->s);
    while (c->txn_seen < n) {
        guint32 idx = ++c->txn_seen;
        g_array_append_val(c->open, idx);
    }
    for (guint i = 0; i < c->open->len;) {
        const qftp_txn *t = qftp_session_txn(c->s, g_array_index(c->open, guint32, i) - 1);
        scan_txn_notes(c, t, ev);
        if (t->phase == QFTP_TXN_DONE)
            g_array_remove_index(c->open, i);
        else
            i++;
    }
    if (item_txn)
        scan_txn_notes(c, item_txn, ev);
    size_t sn = qftp_session_note_count(c->s);
    while (c->sess_notes_seen < sn)
        add_note(c, qftp_session_note(c->s, c->sess_notes_seen++), 0, ev, NULL);
}

static char *value_text(const qftp_value *v)
{
    if (v->kind == QFTP_VAL_INT)
        return wmem_strdup_printf(wmem_file_scope(), "%" G_GINT64_FORMAT, v->i);
    if (v->kind == QFTP_VAL_STR && v->s)
        return wmem_strdup(wmem_file_scope(), v->s);
    return NULL;
}

static void on_item(void *user, const qftp_event *ev, const qftp_txn *txn, uint64_t frame)
{
    qftp_conv *c = (qftp_conv *)user;
    qftp_frec *r = c->cur;
    (void)frame;
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
    if (r && ev->dir == r->dir && ev->offset >= r->base && ev->offset + ev->len <= c->off[r->dir]) {
        it.off = (gint32)(ev->offset - r->base);
    } else if (ev->len > 0) {
        it.copy = (guint8 *)wmem_memdup(wmem_file_scope(), ev->data, ev->len);
    }
    /* A line that began in earlier frames: those frames point here. */
    if (r && ev->dir == r->dir && ev->offset < r->base) {
        for (guint k = 0; k < QFTP_RING; k++) {
            qftp_frec *p = c->ring[r->dir][k];
            if (p && p != r && p->base < r->base && p->base + p->len > ev->offset)
                p->cont_in = c->cur_frame;
        }
    }
    if (txn && ev->kind == QFTP_EV_LINE && ev->dir == QFTP_DIR_RX) {
        qftp_resp resp;
        if (qftp_resp_parse((const char *)ev->data, ev->len, &resp) &&
            strcmp(resp.name, txn->command) == 0) {
            it.is_urc = txn->urc != NULL && txn->frame_done == c->cur_frame;
            it.has_err = txn->has_err;
            it.err = txn->err;
            it.has_pe = txn->has_pe;
            it.pe = txn->protocol_error;
            it.value_s = value_text(&txn->value);
        }
    }
    /* Payload the parser released in pieces (it holds back what could start the
     * trailer) is one data item when the pieces touch. */
    if (it.kind == QFTP_EV_DATA && c->items->len > 0) {
        qftp_item *prev = &g_array_index(c->items, qftp_item, c->items->len - 1);
        if (prev->kind == QFTP_EV_DATA && prev->txn == it.txn && prev->dir == it.dir) {
            if (prev->off >= 0 && it.off >= 0 &&
                (guint32)prev->off + prev->len == (guint32)it.off) {
                prev->len += it.len;
            } else {
                guint8 *b = (guint8 *)wmem_alloc(wmem_file_scope(), prev->len + it.len);
                memcpy(b, prev->copy ? prev->copy : c->cur_bytes + prev->off, prev->len);
                memcpy(b + prev->len, ev->data, it.len);
                prev->copy = b;
                prev->off = -1;
                prev->len += it.len;
            }
            prev->value = it.value;
            prev->flags |= it.flags;
            collect_notes(c, ev, txn);
            return;
        }
    }
    g_array_append_val(c->items, it);
    collect_notes(c, ev, txn);
}

static qftp_conv *conv_new(void)
{
    qftp_conv *c = wmem_new0(wmem_file_scope(), qftp_conv);
    qftp_session_opts o;
    qftp_session_opts_init(&o);
    o.dialect = (qftp_dialect)pref_dialect;
    o.rsptimeout = (qftp_ts)pref_rsptimeout * QFTP_NS_PER_SEC;
    o.redact = pref_hide_passwords;
    o.on_item = on_item;
    o.user = c;
    char err[QFTP_ERRBUF_SIZE];
    c->s = qftp_session_new(&o, err);
    if (c->s)
        qftp_sessions = g_slist_prepend(qftp_sessions, c->s);
    c->items = g_array_new(FALSE, TRUE, sizeof(qftp_item));
    c->notes = g_array_new(FALSE, TRUE, sizeof(qftp_fnote));
    c->notes_seen = g_array_new(FALSE, TRUE, sizeof(guint16));
    c->open = g_array_new(FALSE, FALSE, sizeof(guint32));
    c->late = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    return c;
}

static qftp_conv *conv_get(guint64 key)
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
    g_array_set_size(c->items, 0);
    g_array_set_size(c->notes, 0);
}

static qftp_ts ts_of(const packet_info *pinfo)
{
    return (qftp_ts)pinfo->abs_ts.secs * QFTP_NS_PER_SEC + pinfo->abs_ts.nsecs;
}

static qftp_frec *first_pass(qftp_conv *c, tvbuff_t *tvb, packet_info *pinfo, qftp_dir dir)
{
    qftp_frec *r = wmem_new0(wmem_file_scope(), qftp_frec);
    r->conv = c;
    r->dir = (guint8)dir;
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
static void finish_conv(qftp_conv *c)
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
        flush_scratch(c, last);
        wmem_map_insert(c->late, GUINT_TO_POINTER(c->last_frame), last);
        g_array_free(c->notes, TRUE);
        c->notes = notes;
    }
    for (size_t i = 0; i < qftp_session_txn_count(c->s); i++)
        scan_txn_notes(c, qftp_session_txn(c->s, i), NULL);
    size_t sn = qftp_session_note_count(c->s);
    while (c->sess_notes_seen < sn)
        add_note(c, qftp_session_note(c->s, c->sess_notes_seen++), 0, NULL, NULL);
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
    g_array_free(c->notes, TRUE);
    g_array_free(c->notes_seen, TRUE);
    g_array_free(c->open, TRUE);
    c->items = c->notes = c->notes_seen = c->open = NULL;
}

/* ---- building the tree from a record ------------------------------------------------- */

static const qftp_txn *txn_get(const qftp_conv *c, guint32 idx)
{
    return (idx && c->s) ? qftp_session_txn(c->s, idx - 1) : NULL;
}

static void nstime_from_ns(nstime_t *t, qftp_ts ns)
{
    t->secs = (time_t)(ns / QFTP_NS_PER_SEC);
    t->nsecs = (int)(ns % QFTP_NS_PER_SEC);
}

/* The bytes of an item: in the frame, or a new tvb over the copy (a line reassembled
 * from several frames). */
static tvbuff_t *item_tvb(tvbuff_t *tvb, packet_info *pinfo, const qftp_item *it, gint *off,
                          gboolean *reassembled)
{
    *reassembled = FALSE;
    if (it->off >= 0) {
        *off = it->off;
        return tvb;
    }
    *off = 0;
    if (!it->copy || !it->len)
        return tvb;
    tvbuff_t *child = tvb_new_child_real_data(tvb, it->copy, it->len, it->len);
    add_new_data_source(pinfo, child,
                        it->kind == QFTP_EV_DATA ? "Data-mode payload" : "Reassembled line");
    *reassembled = TRUE;
    return child;
}

static void add_links_from_cmd(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo,
                               const qftp_txn *txn)
{
    proto_item *pi;
    pi = proto_tree_add_uint(t, hf_qftp_txn, tvb, 0, 0, txn->index);
    proto_item_set_generated(pi);
    if (txn->frame_final && txn->frame_final != pinfo->num) {
        pi = proto_tree_add_uint(t, hf_qftp_response_in, tvb, 0, 0, (guint32)txn->frame_final);
        proto_item_set_generated(pi);
    }
    if (txn->frame_done && txn->frame_done != pinfo->num) {
        pi = proto_tree_add_uint(t, hf_qftp_done_in, tvb, 0, 0, (guint32)txn->frame_done);
        proto_item_set_generated(pi);
    }
}

static void add_request_link(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo, const qftp_txn *txn)
{
    proto_item *pi;
    pi = proto_tree_add_uint(t, hf_qftp_txn, tvb, 0, 0, txn->index);
    proto_item_set_generated(pi);
    if (txn->frame_sent && txn->frame_sent != pinfo->num) {
        pi = proto_tree_add_uint(t, hf_qftp_request_in, tvb, 0, 0, (guint32)txn->frame_sent);
        proto_item_set_generated(pi);
    }
}

static void add_param_fields(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo, gint base,
                             const char *line, const qftp_subcmd *sc, const qftp_cmd_def *def,
                             proto_item **param_items)
{
    for (size_t i = 0; i < sc->n_params; i++) {
        gint off = base + (gint)(sc->params[i].p - line);
        gint len = (gint)sc->params[i].len;
        const qftp_param_def *pd = def && i < def->n_params ? &def->params[i] : NULL;
        const char *raw = wmem_strndup(pinfo->pool, sc->params[i].p, sc->params[i].len);
        gboolean hide = pref_hide_passwords && is_password_param(pd);
        if (hide)
            raw = "****";
        param_items[i] = proto_tree_add_string(t, hf_qftp_param, tvb, off, len, raw);
        if (!pd)
            continue;
        qftp_param_field *pf = (qftp_param_field *)g_hash_table_lookup(qftp_param_fields, pd->name);
        if (!pf)
            continue;
        int64_t v;
        if (pf->is_int && qftp_param_int(sc->params[i], &v)) {
            proto_item *pi = proto_tree_add_int64(t, pf->hf, tvb, off, len, v);
            if (pd->values) {
                for (const qftp_value_name *vn = pd->values; vn->text; vn++)
                    if (vn->value == v)
                        proto_item_append_text(pi, " (%s)", vn->text);
            }
        } else if (!pf->is_int) {
            char *buf = (char *)wmem_alloc(pinfo->pool, sc->params[i].len + 1);
            qftp_param_unquote(sc->params[i], buf, sc->params[i].len + 1);
            proto_tree_add_string(t, pf->hf, tvb, off, len, hide ? "****" : buf);
        }
    }
}

typedef struct {
    packet_info *pinfo;
    proto_item **items;
    proto_item *cmd_item;
} qftp_problem_ctx;

static void param_problem(void *user, int idx, const char *text)
{
    qftp_problem_ctx *p = (qftp_problem_ctx *)user;
    proto_item *pi =
        idx >= 0 && idx < QFTP_MAX_PARAMS && p->items[idx] ? p->items[idx] : p->cmd_item;
    expert_add_info_format(p->pinfo, pi, &ei_qftp_param_range, "%s", text);
}

static GString *info_command(const qftp_txn *txn)
{
    GString *s = g_string_new("AT");
    g_string_append(s, txn->command);
    if (txn->type == QFTP_TYPE_TEST)
        g_string_append(s, "=?");
    else if (txn->type == QFTP_TYPE_READ)
        g_string_append(s, "?");
    for (size_t i = 0; i < txn->n_params; i++) {
        g_string_append_c(s, i == 0 ? ' ' : ',');
        g_string_append(s, txn->params[i]);
    }
    return s;
}

static void dissect_cmdline(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const qftp_conv *c,
                            const qftp_item *it, const qftp_txn *txn)
{
    gint off;
    gboolean re;
    tvbuff_t *lt = item_tvb(tvb, pinfo, it, &off, &re);
    gint len = (gint)it->len;
    if (tvb_captured_length_remaining(lt, off) < len)
        len = tvb_captured_length_remaining(lt, off);
    const char *line = (const char *)tvb_get_string_enc(pinfo->pool, lt, off, len, ENC_ASCII);
    gboolean echo = it->kind == QFTP_EV_ECHO && txn && txn->frame_sent != pinfo->num;
    proto_item *li = proto_tree_add_string_format(tree, hf_qftp_line, lt, off, len, line, "%s: %s",
                                                  echo ? "Echo" : "Command",
                                                  pref_hide_passwords && txn ? txn->line : line);
    proto_tree *lt_tree = proto_item_add_subtree(li, ett_qftp_cmdline);
    if (it->flags & QFTP_EVF_PARTIAL)
        proto_item_set_generated(
            proto_tree_add_boolean(lt_tree, hf_qftp_partial, lt, off, len, TRUE));
    if (echo) {
        proto_item *pi =
            proto_tree_add_uint(lt_tree, hf_qftp_echo_of, lt, off, len, (guint32)txn->frame_sent);
        proto_item_set_generated(pi);
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "Echo %s", line);
        return;
    }
    qftp_subcmd cmds[QFTP_MAX_SUBCMDS];
    gboolean trunc = FALSE;
    char err[QFTP_ERRBUF_SIZE];
    bool t2 = false;
    int n = qftp_cmdline_parse(line, strlen(line), cmds, QFTP_MAX_SUBCMDS, &t2, err);
    trunc = t2;
    (void)trunc;
    guint32 first = txn ? txn->index - txn->sub_index : 0;
    for (int k = 0; k < (n > 0 ? n : 1); k++) {
        const qftp_txn *t = first ? txn_get(c, first + (guint32)k) : NULL;
        if (t && (t->frame_sent != txn->frame_sent || t->sub_index != (unsigned)k))
            t = NULL;
        gint coff = off, clen = len;
        if (n > 0) {
            coff = off + (gint)(cmds[k].text.p - line);
            clen = (gint)cmds[k].text.len;
        }
        const char *name = n > 0 ? cmds[k].name : "";
        proto_item *ci = proto_tree_add_string(lt_tree, hf_qftp_cmd, lt, coff, clen, name);
        proto_tree *ct = proto_item_add_subtree(ci, ett_qftp_cmd);
        const qftp_cmd_def *def = t ? t->def : NULL;
        if (n > 0) {
            proto_tree_add_uint(ct, hf_qftp_cmd_type, lt, coff, clen, cmds[k].type);
            proto_item *params[QFTP_MAX_PARAMS] = {NULL};
            add_param_fields(ct, lt, pinfo, off, line, &cmds[k], def, params);
            if (def) {
                qftp_problem_ctx pc = {pinfo, params, ci};
                qftp_check_params(def, &cmds[k], param_problem, &pc);
            }
        }
        proto_item *ki = proto_tree_add_boolean(ct, hf_qftp_cmd_known, lt, coff, clen,
                                                def != NULL || name[0] == '\0');
        proto_item_set_generated(ki);
        if (def) {
            proto_item_append_text(ci, " (%s)", def->summary);
            proto_item *si;
            if (def->section && def->section[0])
                si = proto_tree_add_string_format_value(
                    ct, hf_qftp_cmd_summary, lt, coff, clen, def->summary, "%s (%s manual %s)",
                    def->summary,
                    def->dialect == QFTP_DIALECT_UNKNOWN ? "both" : qftp_dialect_name(def->dialect),
                    def->section);
            else /* a command around FTP, outside the two manuals */
                si = proto_tree_add_string(ct, hf_qftp_cmd_summary, lt, coff, clen, def->summary);
            proto_item_set_generated(si);
        } else if (name[0]) {
            expert_add_info_format(pinfo, ci, &ei_qftp_unknown_cmd,
                                   "Unknown command AT%s: decoded generically", name);
        }
        if (t) {
            add_links_from_cmd(ct, lt, pinfo, t);
            GString *s = info_command(t);
            if (t->final != QFTP_FINAL_NONE && t->frame_final)
                g_string_append_printf(s, " \xe2\x86\x92 %s", t->final_line);
            col_append_sep_str(
                pinfo->cinfo, COL_INFO, "; ",
                pref_hide_passwords ? wmem_strdup_printf(pinfo->pool, "AT%s", t->command) : s->str);
            g_string_free(s, TRUE);
        } else {
            col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", line);
        }
    }
}

static void add_result_fields(proto_tree *t, tvbuff_t *tvb, gint off, gint len, const qftp_item *it,
                              char *words, size_t cap)
{
    words[0] = '\0';
    if (it->has_err) {
        proto_tree_add_int(t, hf_qftp_err, tvb, off, len, (gint32)it->err);
        if (it->err != 0) {
            if (it->has_pe)
                proto_tree_add_uint(t, hf_qftp_protocol_error, tvb, off, len, (guint32)it->pe);
            qftp_describe_result(it->err, it->pe, it->has_pe, words, cap);
            proto_item *pi = proto_tree_add_string(t, hf_qftp_result_text, tvb, off, len, words);
            proto_item_set_generated(pi);
        }
    }
    if (it->value_s)
        proto_tree_add_string(t, hf_qftp_value, tvb, off, len, it->value_s);
}

static const char *short_err_text(const qftp_item *it, char *buf, size_t cap)
{
    /* "+QFTPSIZE: 627,550 requested action not taken (FTP 550)" */
    const char *w =
        qftp_code_text(it->err < 0 ? QFTP_CODES_GSM_FTP : QFTP_CODES_BG96_FTP, (int)it->err);
    if (!w)
        w = "error";
    if (it->has_pe && it->pe != 0)
        snprintf(buf, cap, "%s (FTP %" G_GINT64_FORMAT ")", w, it->pe);
    else
        snprintf(buf, cap, "%s", w);
    return buf;
}

static void dissect_listing(proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    proto_item *li = NULL;
    proto_tree *lt = proto_tree_add_subtree(t, tvb, off, len, ett_qftp_listing, &li, "Listing");
    gint end = off + len;
    while (off < end) {
        gint eol = tvb_find_guint8(tvb, off, end - off, '\n');
        gint next = eol < 0 ? end : eol + 1;
        gint l = next - off;
        gint tl = l;
        while (tl > 0 && (tvb_get_guint8(tvb, off + tl - 1) == '\n' ||
                          tvb_get_guint8(tvb, off + tl - 1) == '\r'))
            tl--;
        if (tl > 0)
            proto_tree_add_item(lt, hf_qftp_listing_line, tvb, off, l, ENC_ASCII);
        off = next;
    }
}

static gboolean is_listing(const qftp_txn *t)
{
    return t && (strcmp(t->command, "+QFTPLIST") == 0 || strcmp(t->command, "+QFTPNLST") == 0 ||
                 strcmp(t->command, "+QFTPMLSD") == 0);
}

static void dissect_item(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const qftp_conv *c,
                         const qftp_item *it)
{
    const qftp_txn *txn = txn_get(c, it->txn);
    gint off;
    gboolean re;
    tvbuff_t *t = item_tvb(tvb, pinfo, it, &off, &re);
    gint len = (gint)it->len;
    gint avail = tvb_captured_length_remaining(t, off);
    if (avail < 0)
        avail = 0;
    if (len > avail)
        len = avail;
    proto_item *pi;
    proto_tree *st;
    nstime_t dt;

    switch ((qftp_event_kind)it->kind) {
    case QFTP_EV_COMMAND:
    case QFTP_EV_ECHO:
        dissect_cmdline(tvb, pinfo, tree, c, it, txn);
        break;
    case QFTP_EV_FINAL: {
        const char *fname = qftp_final_name((qftp_final_kind)it->final);
        const char *line = (const char *)tvb_get_string_enc(pinfo->pool, t, off, len, ENC_ASCII);
        pi = proto_tree_add_string_format(tree, hf_qftp_final, t, off, len, fname ? fname : "",
                                          "Final result: %s", line);
        st = proto_item_add_subtree(pi, ett_qftp_final);
        if (it->final == QFTP_FINAL_CME_ERROR || it->final == QFTP_FINAL_CMS_ERROR) {
            if (it->value >= 0)
                proto_tree_add_uint(st, hf_qftp_cme_error, t, off, len, (guint32)it->value);
            else if (txn && txn->cme_text)
                proto_tree_add_string(st, hf_qftp_cme_text, t, off, len, txn->cme_text);
        }
        if (it->final != QFTP_FINAL_OK)
            expert_add_info_format(pinfo, pi, &ei_qftp_error_result, "Error result: %s", line);
        if (txn) {
            add_request_link(st, t, pinfo, txn);
            if (txn->frame_done && txn->frame_done != pinfo->num) {
                pi = proto_tree_add_uint(st, hf_qftp_done_in, t, 0, 0, (guint32)txn->frame_done);
                proto_item_set_generated(pi);
            }
            nstime_from_ns(&dt, txn->t_final - txn->t_sent);
            pi = proto_tree_add_time(st, hf_qftp_time, t, 0, 0, &dt);
            proto_item_set_generated(pi);
            col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "%s (AT%s)", line, txn->command);
        } else {
            col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", line);
        }
        break;
    }
    case QFTP_EV_CONNECT:
        pi = proto_tree_add_item(tree, hf_qftp_connect, t, off, len, ENC_ASCII);
        st = proto_item_add_subtree(pi, ett_qftp_final);
        if (it->value >= 0)
            proto_tree_add_uint(st, hf_qftp_connect_len, t, off, len, (guint32)it->value);
        if (txn)
            add_request_link(st, t, pinfo, txn);
        col_append_sep_str(pinfo->cinfo, COL_INFO, "; ",
                           (const char *)tvb_get_string_enc(pinfo->pool, t, off, len, ENC_ASCII));
        break;
    case QFTP_EV_LINE: {
        const char *line = (const char *)tvb_get_string_enc(pinfo->pool, t, off, len, ENC_ASCII);
        if (it->dir == QFTP_DIR_TX) {
            proto_tree_add_item(tree, hf_qftp_text, t, off, len, ENC_ASCII);
            col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", line);
            break;
        }
        qftp_resp resp;
        gboolean is_resp = qftp_resp_parse(line, strlen(line), &resp);
        char words[256], shortw[160];
        if (txn && it->is_urc) {
            pi = proto_tree_add_string_format(tree, hf_qftp_urc_line, t, off, len, line,
                                              "Completion URC: %s", line);
            st = proto_item_add_subtree(pi, ett_qftp_urc);
            proto_tree_add_string(st, hf_qftp_urc, t, off, len, resp.name);
            add_result_fields(st, t, off, len, it, words, sizeof words);
            if (it->has_err && it->err != 0)
                expert_add_info_format(pinfo, pi, &ei_qftp_error_urc, "%s: %s", line, words);
            add_request_link(st, t, pinfo, txn);
            if (txn->frame_final && txn->frame_final != pinfo->num) {
                proto_item *fi =
                    proto_tree_add_uint(st, hf_qftp_final_in, t, 0, 0, (guint32)txn->frame_final);
                proto_item_set_generated(fi);
            }
            nstime_from_ns(&dt, txn->t_done - txn->t_sent);
            proto_item *ti = proto_tree_add_time(st, hf_qftp_done_time, t, 0, 0, &dt);
            proto_item_set_generated(ti);
            if (it->has_err && it->err != 0)
                col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "%s %s", line,
                                    short_err_text(it, shortw, sizeof shortw));
            else
                col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", line);
        } else if (txn) {
            pi = proto_tree_add_string_format(tree, hf_qftp_info, t, off, len, line,
                                              "Information response: %s", line);
            st = proto_item_add_subtree(pi, ett_qftp_line);
            add_result_fields(st, t, off, len, it, words, sizeof words);
            add_request_link(st, t, pinfo, txn);
            col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", line);
        } else {
            pi = proto_tree_add_string_format(tree, hf_qftp_unsolicited, t, off, len, line,
                                              "Unsolicited: %s", line);
            st = proto_item_add_subtree(pi, ett_qftp_line);
            if (is_resp) {
                proto_tree_add_string(st, hf_qftp_urc, t, off, len, resp.name);
                int64_t v;
                if (strcmp(resp.name, "+QFTPERROR") == 0 && resp.n_fields >= 1 &&
                    qftp_param_int(resp.fields[0], &v))
                    proto_tree_add_int(st, hf_qftp_err, t, off, len, (gint32)v);
            }
            col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", line);
        }
        break;
    }
    case QFTP_EV_PROMPT:
        proto_tree_add_item(tree, hf_qftp_prompt, t, off, len, ENC_ASCII);
        col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", "> (prompt)");
        break;
    case QFTP_EV_DATA:
        pi = proto_tree_add_item(tree, hf_qftp_data, t, off, len, ENC_NA);
        st = proto_item_add_subtree(pi, ett_qftp_data);
        proto_item_append_text(pi, " (%u bytes)", it->len);
        proto_tree_add_uint(st, hf_qftp_data_len, t, off, len, it->len);
        pi = proto_tree_add_uint64(st, hf_qftp_data_total, t, off, len, (guint64)it->value);
        proto_item_set_generated(pi);
        if (txn) {
            add_request_link(st, t, pinfo, txn);
            if (is_listing(txn))
                dissect_listing(st, t, off, len);
        }
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "Data %u bytes%s%s", it->len,
                            txn ? " of AT" : "", txn ? txn->command : "");
        break;
    case QFTP_EV_DATA_END:
        pi = proto_tree_add_uint(tree, hf_qftp_data_end, t, 0, 0, it->reason);
        proto_item_set_generated(pi);
        st = proto_item_add_subtree(pi, ett_qftp_data);
        proto_item_append_text(pi, " after %" G_GINT64_FORMAT " bytes", it->value);
        pi = proto_tree_add_uint64(st, hf_qftp_data_total, t, 0, 0, (guint64)it->value);
        proto_item_set_generated(pi);
        if (txn)
            add_request_link(st, t, pinfo, txn);
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ",
                            "Data mode ends (%s, %" G_GINT64_FORMAT " bytes)",
                            qftp_data_end_reason_name((qftp_data_end_reason)it->reason), it->value);
        break;
    case QFTP_EV_ESCAPE:
        pi = proto_tree_add_item(tree, hf_qftp_escape, t, off, len, ENC_NA);
        st = proto_item_add_subtree(pi, ett_qftp_escape);
        proto_tree_add_boolean(st, hf_qftp_escape_guard_before, t, off, len,
                               (it->flags & QFTP_EVF_GUARD_BEFORE) != 0);
        proto_tree_add_boolean(st, hf_qftp_escape_guard_within, t, off, len,
                               (it->flags & QFTP_EVF_GUARD_WITHIN) != 0);
        proto_tree_add_boolean(st, hf_qftp_escape_guard_after, t, off, len,
                               (it->flags & QFTP_EVF_GUARD_AFTER) != 0);
        if (txn)
            add_request_link(st, t, pinfo, txn);
        col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", "+++ (escape)");
        break;
    case QFTP_EV_OVERFLOW:
        pi = proto_tree_add_uint64(tree, hf_qftp_overflow_len, t, off, len, (guint64)it->value);
        expert_add_info(pinfo, pi, &ei_qftp_overflow);
        break;
    }
}

static expert_field *note_ei(const qftp_fnote *n)
{
    switch (n->cls) {
    case QFTP_NC_ERROR_RESULT:
    case QFTP_NC_ERROR_URC:
    case QFTP_NC_PARAM:
        return NULL; /* raised from the tree itself, where the item is */
    case QFTP_NC_BUSY:
        return &ei_qftp_busy;
    case QFTP_NC_NO_RESULT:
        return &ei_qftp_no_result;
    case QFTP_NC_GUARD:
        return &ei_qftp_guard;
    case QFTP_NC_LEN:
        return &ei_qftp_len_mismatch;
    case QFTP_NC_SLOW:
        return &ei_qftp_slow;
    case QFTP_NC_CLEARTEXT:
        return &ei_qftp_cleartext;
    case QFTP_NC_UNSOLICITED:
        return &ei_qftp_unsolicited;
    default:
        break;
    }
    switch (n->severity) {
    case QFTP_SEV_INFO:
        return &ei_qftp_note_info;
    case QFTP_SEV_NOTE:
        return &ei_qftp_note_note;
    case QFTP_SEV_WARN:
        return &ei_qftp_note_warn;
    default:
        return &ei_qftp_note_error;
    }
}

static void dissect_notes(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const qftp_frec *r)
{
    for (guint32 i = 0; i < r->n_notes; i++) {
        const qftp_fnote *n = &r->notes[i];
        expert_field *ei = note_ei(n);
        if (!ei)
            continue;
        proto_item *pi = proto_tree_add_string(tree, hf_qftp_note, tvb, 0, 0, n->text);
        proto_item_set_generated(pi);
        if (n->txn)
            proto_item_append_text(pi, " (transaction %u)", n->txn);
        expert_add_info_format(pinfo, pi, ei, "%s", n->text);
    }
}

static void dissect_frec(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const qftp_frec *r,
                         proto_tree *qt)
{
    for (guint32 i = 0; i < r->n_items; i++)
        dissect_item(tvb, pinfo, qt, r->conv, &r->items[i]);
    dissect_notes(tvb, pinfo, qt, r);
    (void)tree;
}

static void push_taps(tvbuff_t *tvb, packet_info *pinfo, const qftp_frec *r, const qftp_frec *late)
{
    if (have_tap_listener(qftp_tap) || have_tap_listener(qftp_eo_tap)) {
        qftp_tap_info *ti = wmem_new(pinfo->pool, qftp_tap_info);
        ti->rec = r;
        ti->tvb = tvb;
        ti->frame = pinfo->num;
        tap_queue_packet(qftp_tap, pinfo, ti);
        tap_queue_packet(qftp_eo_tap, pinfo, ti);
        if (late) {
            qftp_tap_info *tl = wmem_new(pinfo->pool, qftp_tap_info);
            tl->rec = late;
            tl->tvb = tvb;
            tl->frame = pinfo->num;
            tap_queue_packet(qftp_tap, pinfo, tl);
            tap_queue_packet(qftp_eo_tap, pinfo, tl);
        }
    }
}

/* ---- dissectors ------------------------------------------------------------------- */

static gboolean looks_like_host(tvbuff_t *tvb)
{
    /* device-quirks.md "Framing": a line that starts with AT (any case) was sent by the
     * host. */
    if (tvb_captured_length(tvb) < 2)
        return FALSE;
    guint8 a = tvb_get_guint8(tvb, 0), b = tvb_get_guint8(tvb, 1);
    return (a == 'A' || a == 'a') && (b == 'T' || b == 't' || b == '/');
}

static qftp_dir guess_dir(const qftp_conv *c, tvbuff_t *tvb)
{
    /* An upload under way: the host's bytes, unless the module speaks a line. */
    if (c->s) {
        size_t n = qftp_session_txn_count(c->s);
        const qftp_txn *t = n ? qftp_session_txn(c->s, n - 1) : NULL;
        if (t && t->phase == QFTP_TXN_DATA && t->data_dir == QFTP_DIR_TX &&
            tvb_captured_length(tvb) > 0 && tvb_get_guint8(tvb, 0) != '\r')
            return QFTP_DIR_TX;
    }
    return looks_like_host(tvb) ? QFTP_DIR_TX : QFTP_DIR_RX;
}

static int dissect_qftp_common(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint64 key,
                               int dir_hint)
{
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "QFTP");
    col_clear(pinfo->cinfo, COL_INFO);

    qftp_frec *r = (qftp_frec *)p_get_proto_data(wmem_file_scope(), pinfo, proto_qftp, 0);
    if (!r) {
        if (PINFO_FD_VISITED(pinfo))
            return 0; /* not ours on the first pass */
        qftp_conv *c = conv_get(key);
        qftp_dir dir;
        if (dir_hint == P2P_DIR_SENT)
            dir = QFTP_DIR_TX;
        else if (dir_hint == P2P_DIR_RECV)
            dir = QFTP_DIR_RX;
        else
            dir = guess_dir(c, tvb);
        r = first_pass(c, tvb, pinfo, dir);
        p_add_proto_data(wmem_file_scope(), pinfo, proto_qftp, 0, r);
    } else if (!r->conv->finished) {
        finish_conv(r->conv);
    }
    const qftp_frec *late =
        r->conv->late
            ? (const qftp_frec *)wmem_map_lookup(r->conv->late, GUINT_TO_POINTER(pinfo->num))
            : NULL;

    proto_item *ti = proto_tree_add_item(tree, proto_qftp, tvb, 0, -1, ENC_NA);
    proto_tree *qt = proto_item_add_subtree(ti, ett_qftp);
    proto_item *pi = proto_tree_add_uint(qt, hf_qftp_direction, tvb, 0, 0, r->dir);
    proto_item_set_generated(pi);
    proto_item_append_text(ti, ", %s", val_to_str_const(r->dir, qftp_direction_vals, "?"));
    pi = proto_tree_add_uint(qt, hf_qftp_dialect, tvb, 0, 0, r->dialect);
    proto_item_set_generated(pi);
    pi = proto_tree_add_uint(qt, hf_qftp_state, tvb, 0, 0, r->state);
    proto_item_set_generated(pi);
    if (r->cont_in) {
        pi = proto_tree_add_uint(qt, hf_qftp_continued_in, tvb, 0, 0, r->cont_in);
        proto_item_set_generated(pi);
    }
    dissect_frec(tvb, pinfo, tree, r, qt);
    if (late)
        dissect_frec(tvb, pinfo, tree, late, qt);
    if (r->n_items == 0 && tvb_captured_length(tvb) > 0)
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "%s %u bytes (line continues%s)",
                            r->dir == QFTP_DIR_TX ? "Host" : "Module", tvb_captured_length(tvb),
                            r->cont_in ? " in a later frame" : "");
    push_taps(tvb, pinfo, r, late);
    return tvb_captured_length(tvb);
}

/* Exported PDU (every qftp tool writes these), DLT_USER, RTAC serial: one serial
 * session per capture, the direction from the P2P direction tag. */
static int dissect_qftp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    return dissect_qftp_common(tvb, pinfo, tree, G_GUINT64_CONSTANT(0), pinfo->p2p_dir);
}

/* Serial-over-TCP bridges: one session per TCP conversation. */
static int dissect_qftp_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    guint64 key = (G_GUINT64_CONSTANT(1) << 56) | conv->conv_index;
    int dir = P2P_DIR_UNKNOWN;
    if (pref_host_side != QFTP_HOST_AUTO) {
        /* the listening side answers on the lower (registered) port */
        gboolean from_server = pinfo->srcport < pinfo->destport;
        gboolean host = pref_host_side == QFTP_HOST_SERVER ? from_server : !from_server;
        dir = host ? P2P_DIR_SENT : P2P_DIR_RECV;
    } else if (!PINFO_FD_VISITED(pinfo)) {
        /* The side whose first bytes are a command is the host for the whole stream, so a
         * command split over segments keeps its direction. */
        qftp_conv *c = conv_get(key);
        if (c->tcp_host_port == 0 && looks_like_host(tvb))
            c->tcp_host_port = pinfo->srcport;
        if (c->tcp_host_port)
            dir = pinfo->srcport == c->tcp_host_port ? P2P_DIR_SENT : P2P_DIR_RECV;
    }
    return dissect_qftp_common(tvb, pinfo, tree, key, dir);
}

static guint64 usb_key(const usb_conv_info_t *u)
{
    return (G_GUINT64_CONSTANT(2) << 56) | ((guint64)u->bus_id << 32) |
           ((guint64)u->device_address << 16) |
           (u->interfaceClass != IF_CLASS_UNKNOWN ? u->interfaceNum : 0xff);
}

static const qftp_usb_product *usb_product(const usb_conv_info_t *u)
{
    if (u->deviceVendor != QFTP_USB_VENDOR_QUECTEL)
        return NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(qftp_usb_products); i++)
        if (qftp_usb_products[i].product == (u->deviceProduct & 0xffff))
            return &qftp_usb_products[i];
    return NULL;
}

/* AT traffic, not DIAG (HDLC, 0x7e-terminated binary), NMEA ('$') or QMI. */
static gboolean looks_like_at(tvbuff_t *tvb)
{
    guint len = tvb_captured_length(tvb);
    if (len < 2)
        return FALSE;
    if (looks_like_host(tvb))
        return TRUE;
    guint8 a = tvb_get_guint8(tvb, 0), b = tvb_get_guint8(tvb, 1);
    if (a == '\r' && b == '\n')
        return len == 2 || g_ascii_isprint(tvb_get_guint8(tvb, 2)) ||
               tvb_get_guint8(tvb, 2) == '\r';
    if (a == '+' && g_ascii_isupper(b))
        return TRUE;
    return FALSE;
}

/* Without the device's descriptors every endpoint of a device shares one session key:
 * an endpoint is taken only once it has carried AT traffic, so the DIAG, NMEA and QMI
 * endpoints of the same device stay with their own dissectors. First pass only. */
static gboolean usb_endpoint_carries_at(const usb_conv_info_t *u, guint64 key, tvbuff_t *tvb)
{
    qftp_conv *c = (qftp_conv *)wmem_map_lookup(qftp_convs, &key);
    guint64 bit = G_GUINT64_CONSTANT(1) << (u->endpoint & 0x3f);
    if (u->interfaceClass != IF_CLASS_UNKNOWN)
        return c != NULL || looks_like_at(tvb);
    if (c && (c->usb_eps & bit))
        return TRUE;
    if (!looks_like_at(tvb))
        return FALSE;
    if (!c)
        c = conv_get(key);
    c->usb_eps |= bit;
    return TRUE;
}

static int dissect_qftp_usb(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    usb_conv_info_t *u = (usb_conv_info_t *)data;
    if (!u)
        return 0;
    if (!p_get_proto_data(wmem_file_scope(), pinfo, proto_qftp, 0)) {
        if (PINFO_FD_VISITED(pinfo))
            return 0;
        const qftp_usb_product *p = usb_product(u);
        if (p && u->interfaceClass != IF_CLASS_UNKNOWN) {
            if (u->interfaceNum >= 32 || !(p->at_ifaces & (1u << u->interfaceNum)))
                return 0; /* DIAG, NMEA, QMI of the same device */
        } else if (!usb_endpoint_carries_at(u, usb_key(u), tvb)) {
            return 0;
        }
    }
    return dissect_qftp_common(tvb, pinfo, tree, usb_key(u),
                               u->direction == P2P_DIR_SENT ? P2P_DIR_SENT : P2P_DIR_RECV);
}

static gboolean dissect_qftp_usb_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                      void *data)
{
    usb_conv_info_t *u = (usb_conv_info_t *)data;
    if (!u)
        return FALSE;
    if (p_get_proto_data(wmem_file_scope(), pinfo, proto_qftp, 0))
        return dissect_qftp_usb(tvb, pinfo, tree, data) > 0;
    if (PINFO_FD_VISITED(pinfo))
        return FALSE;
    const qftp_usb_product *p = usb_product(u);
    if (u->deviceVendor != QFTP_USB_VENDOR_QUECTEL && u->deviceVendor != 0)
        return FALSE;
    if (p && u->interfaceClass != IF_CLASS_UNKNOWN && u->interfaceNum < 32 &&
        !(p->at_ifaces & (1u << u->interfaceNum)))
        return FALSE;
    guint64 key = usb_key(u);
    if (!usb_endpoint_carries_at(u, key, tvb))
        return FALSE;
    return dissect_qftp_common(tvb, pinfo, tree, key,
                               u->direction == P2P_DIR_SENT ? P2P_DIR_SENT : P2P_DIR_RECV) > 0;
}

/* Wireshark moves the last heuristic that matched to the front of its list, so once
 * the built-in at_usb_bulk matched a frame it would see every later frame first. Its
 * entry keeps pointing at its own function; this guard in front of it declines the
 * frames of a session qftp already decodes, so they reach dissect_qftp_usb_heur. */
static heur_dissector_t at_usb_bulk_orig;

static gboolean at_usb_bulk_guard(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    usb_conv_info_t *u = (usb_conv_info_t *)data;
    if (u && proto_is_protocol_enabled(find_protocol_by_id(proto_qftp))) {
        if (p_get_proto_data(wmem_file_scope(), pinfo, proto_qftp, 0))
            return FALSE;
        guint64 key = usb_key(u);
        if (qftp_convs && wmem_map_lookup(qftp_convs, &key))
            return FALSE;
        if (u->deviceVendor == QFTP_USB_VENDOR_QUECTEL && looks_like_at(tvb))
            return FALSE;
    }
    return at_usb_bulk_orig ? at_usb_bulk_orig(tvb, pinfo, tree, data) : FALSE;
}

/* ---- taps: statistics, response times, export objects ------------------------------- */

static int st_node_cmds = -1, st_node_finals = -1, st_node_urcs = -1, st_node_cme = -1;
static const char *st_str_cmds = "Commands";
static const char *st_str_finals = "Final results";
static const char *st_str_cme = "+CME ERROR codes";
static const char *st_str_urcs = "Completion URC results";

static void qftp_stats_tree_init(stats_tree *st)
{
    st_node_cmds = stats_tree_create_node(st, st_str_cmds, 0, STAT_DT_INT, TRUE);
    st_node_finals = stats_tree_create_node(st, st_str_finals, 0, STAT_DT_INT, TRUE);
    st_node_cme = stats_tree_create_node(st, st_str_cme, 0, STAT_DT_INT, TRUE);
    st_node_urcs = stats_tree_create_node(st, st_str_urcs, 0, STAT_DT_INT, TRUE);
}

static tap_packet_status qftp_stats_tree_packet(stats_tree *st, packet_info *pinfo _U_,
                                                epan_dissect_t *edt _U_, const void *p,
                                                tap_flags_t flags _U_)
{
    const qftp_tap_info *ti = (const qftp_tap_info *)p;
    const qftp_frec *r = ti->rec;
    tap_packet_status ret = TAP_PACKET_DONT_REDRAW;
    for (guint32 i = 0; i < r->n_items; i++) {
        const qftp_item *it = &r->items[i];
        const qftp_txn *t = txn_get(r->conv, it->txn);
        char buf[192];
        if ((it->kind == QFTP_EV_COMMAND || it->kind == QFTP_EV_ECHO) && t &&
            t->frame_sent == ti->frame) {
            guint32 first = t->index - t->sub_index;
            for (guint32 k = first;; k++) {
                const qftp_txn *x = txn_get(r->conv, k);
                if (!x || x->frame_sent != t->frame_sent || k > t->index + QFTP_MAX_SUBCMDS)
                    break;
                if (k != first && x->sub_index == 0)
                    break;
                tick_stat_node(st, st_str_cmds, 0, FALSE);
                snprintf(buf, sizeof buf, "AT%s", x->command);
                tick_stat_node(st, buf, st_node_cmds, FALSE);
            }
            ret = TAP_PACKET_REDRAW;
        } else if (it->kind == QFTP_EV_FINAL) {
            const char *fname = qftp_final_name((qftp_final_kind)it->final);
            tick_stat_node(st, st_str_finals, 0, FALSE);
            tick_stat_node(st, fname ? fname : "?", st_node_finals, FALSE);
            if (it->final == QFTP_FINAL_CME_ERROR) {
                tick_stat_node(st, st_str_cme, 0, FALSE);
                if (it->value >= 0)
                    snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT " %s", it->value,
                             val_to_str_const((guint32)it->value, qftp_cme_vals, ""));
                else
                    snprintf(buf, sizeof buf, "%s", t && t->cme_text ? t->cme_text : "(text)");
                tick_stat_node(st, buf, st_node_cme, FALSE);
            }
            ret = TAP_PACKET_REDRAW;
        } else if (it->kind == QFTP_EV_LINE && it->is_urc && it->has_err) {
            tick_stat_node(st, st_str_urcs, 0, FALSE);
            if (it->err == 0)
                snprintf(buf, sizeof buf, "0 success");
            else
                snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT " %s", it->err,
                         val_to_str_const((gint32)it->err, qftp_err_vals, "unknown error"));
            tick_stat_node(st, buf, st_node_urcs, FALSE);
            ret = TAP_PACKET_REDRAW;
        }
    }
    return ret;
}

static int srt_row(const char *command)
{
    for (int i = 0; i < qftp_srt_n; i++)
        if (strcmp(qftp_srt_names[i], command) == 0)
            return i;
    return qftp_srt_n; /* other */
}

static void qftp_srt_init(struct register_srt *srt _U_, GArray *srt_array)
{
    srt_stat_table *t = init_srt_table("QFTP commands: command to final result", NULL, srt_array,
                                       qftp_srt_n + 1, "Command", "qftp.cmd", NULL);
    for (int i = 0; i < qftp_srt_n; i++)
        init_srt_table_row(t, i, qftp_srt_names[i]);
    init_srt_table_row(t, qftp_srt_n, "(other)");
}

static tap_packet_status qftp_srt_packet(void *pss, packet_info *pinfo, epan_dissect_t *edt _U_,
                                         const void *prv, tap_flags_t flags _U_)
{
    srt_data_t *data = (srt_data_t *)pss;
    const qftp_tap_info *ti = (const qftp_tap_info *)prv;
    srt_stat_table *t = g_array_index(data->srt_array, srt_stat_table *, 0);
    tap_packet_status ret = TAP_PACKET_DONT_REDRAW;
    for (guint32 i = 0; i < ti->rec->n_items; i++) {
        const qftp_item *it = &ti->rec->items[i];
        const qftp_txn *x = txn_get(ti->rec->conv, it->txn);
        if (it->kind != QFTP_EV_FINAL || !x || x->frame_final != ti->frame)
            continue;
        nstime_t req;
        nstime_from_ns(&req, x->t_sent);
        add_srt_table_data(t, srt_row(x->command), &req, pinfo);
        ret = TAP_PACKET_REDRAW;
    }
    return ret;
}

/* Export Objects: the payload of every file transferred in data mode, collected in
 * frame order (a retap goes through the frames in order) and handed over at its end. */
static GHashTable *eo_pending; /* txn index -> GByteArray */

static gboolean is_file_transfer(const qftp_txn *t)
{
    if (!t || !t->def || t->def->data == QFTP_DATA_NONE || is_listing(t))
        return FALSE;
    return TRUE;
}

static void eo_reset(void)
{
    if (eo_pending)
        g_hash_table_remove_all(eo_pending);
}

static tap_packet_status qftp_eo_packet(void *tapdata, packet_info *pinfo _U_,
                                        epan_dissect_t *edt _U_, const void *data,
                                        tap_flags_t flags _U_)
{
    export_object_list_t *object_list = (export_object_list_t *)tapdata;
    const qftp_tap_info *ti = (const qftp_tap_info *)data;
    tap_packet_status ret = TAP_PACKET_DONT_REDRAW;
    if (!eo_pending)
        eo_pending = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                           (GDestroyNotify)g_byte_array_unref);
    for (guint32 i = 0; i < ti->rec->n_items; i++) {
        const qftp_item *it = &ti->rec->items[i];
        const qftp_txn *x = txn_get(ti->rec->conv, it->txn);
        if (!is_file_transfer(x))
            continue;
        if (it->kind == QFTP_EV_DATA) {
            GByteArray *b =
                (GByteArray *)g_hash_table_lookup(eo_pending, GUINT_TO_POINTER(x->index));
            if (!b) {
                b = g_byte_array_new();
                g_hash_table_insert(eo_pending, GUINT_TO_POINTER(x->index), b);
            }
            if (it->off >= 0) {
                if (tvb_bytes_exist(ti->tvb, it->off, (gint)it->len))
                    g_byte_array_append(b, tvb_get_ptr(ti->tvb, it->off, (gint)it->len), it->len);
            } else if (it->copy) {
                g_byte_array_append(b, it->copy, it->len);
            }
        } else if (it->kind == QFTP_EV_DATA_END) {
            GByteArray *b =
                (GByteArray *)g_hash_table_lookup(eo_pending, GUINT_TO_POINTER(x->index));
            export_object_entry_t *e = g_new0(export_object_entry_t, 1);
            e->pkt_num = ti->frame;
            e->hostname = g_strdup(x->data_dir == QFTP_DIR_TX ? "host->module" : "module->host");
            e->content_type = g_strdup("application/octet-stream");
            char name[256] = "";
            if (x->n_params > 0) {
                qftp_span sp = {x->params[0], strlen(x->params[0])};
                qftp_param_unquote(sp, name, sizeof name);
            }
            if (!name[0] || strcmp(x->command, "+QFREAD") == 0)
                snprintf(name, sizeof name, "%s-%u", x->command + 1, x->index);
            e->filename = g_path_get_basename(name);
            e->payload_len = b ? b->len : 0;
            e->payload_data = b ? (guint8 *)g_memdup2(b->data, b->len) : NULL;
            object_list->add_entry(object_list->gui_data, e);
            g_hash_table_remove(eo_pending, GUINT_TO_POINTER(x->index));
            ret = TAP_PACKET_REDRAW;
        }
    }
    return ret;
}

/* ---- file scope ------------------------------------------------------------------- */

static guint key_hash(gconstpointer k)
{
    guint64 v = *(const guint64 *)k;
    return (guint)(v ^ (v >> 32));
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
    return *(const guint64 *)a == *(const guint64 *)b;
}

static void qftp_init(void)
{
    qftp_convs = wmem_map_new(wmem_file_scope(), key_hash, key_equal);
}

static void qftp_cleanup(void)
{
    /* Sessions are the core's (g_malloc): free them with the file. */
    g_slist_free_full(qftp_sessions, (GDestroyNotify)qftp_session_free);
    qftp_sessions = NULL;
    qftp_convs = NULL;
    eo_reset();
}

/* ---- registration ----------------------------------------------------------------- */

static value_string *vs_from_codes(qftp_code_table a, qftp_code_table b, gboolean nonneg)
{
    size_t na = 0, nb = 0;
    const qftp_code *ca = qftp_codes(a, &na);
    const qftp_code *cb = (int)b >= 0 ? qftp_codes(b, &nb) : NULL;
    value_string *vs = g_new0(value_string, na + nb + 1);
    size_t k = 0;
    for (size_t i = 0; i < na; i++)
        if (!nonneg || ca[i].code >= 0)
            vs[k++] = (value_string){(guint32)ca[i].code, ca[i].text};
    for (size_t i = 0; i < nb; i++) {
        if (nonneg && cb[i].code < 0)
            continue;
        gboolean dup = FALSE;
        for (size_t j = 0; j < k; j++)
            dup |= vs[j].value == (guint32)cb[i].code;
        if (!dup)
            vs[k++] = (value_string){(guint32)cb[i].code, cb[i].text};
    }
    return vs;
}

static void build_value_tables(void)
{
    qftp_cmd_type_vals = g_new0(value_string, 5);
    static const qftp_cmd_type types[] = {QFTP_TYPE_EXEC, QFTP_TYPE_TEST, QFTP_TYPE_READ,
                                          QFTP_TYPE_WRITE};
    for (int i = 0; i < 4; i++)
        qftp_cmd_type_vals[i] = (value_string){types[i], qftp_cmd_type_name(types[i])};
    qftp_dialect_vals = g_new0(value_string, 4);
    qftp_dialect_vals[0] = (value_string){QFTP_DIALECT_UNKNOWN, "unknown"};
    qftp_dialect_vals[1] = (value_string){QFTP_DIALECT_GSM, qftp_dialect_name(QFTP_DIALECT_GSM)};
    qftp_dialect_vals[2] = (value_string){QFTP_DIALECT_BG96, qftp_dialect_name(QFTP_DIALECT_BG96)};
    qftp_state_vals = g_new0(value_string, QFTP_STATE__COUNT + 1);
    for (int i = 0; i < QFTP_STATE__COUNT; i++)
        qftp_state_vals[i] = (value_string){(guint32)i, qftp_state_name((qftp_ftp_state)i)};
    qftp_data_end_vals = g_new0(value_string, 7);
    for (int i = 1; i <= 6; i++)
        qftp_data_end_vals[i - 1] =
            (value_string){(guint32)i, qftp_data_end_reason_name((qftp_data_end_reason)i)};
    qftp_err_vals = vs_from_codes(QFTP_CODES_GSM_FTP, QFTP_CODES_BG96_FTP, FALSE);
    qftp_pe_vals = vs_from_codes(QFTP_CODES_FTP_REPLY, (qftp_code_table)-1, TRUE);
    qftp_cme_vals = vs_from_codes(QFTP_CODES_CME, QFTP_CODES_BG96_FTP, TRUE);

    size_t n = 0;
    const qftp_cmd_def *defs = qftp_cmd_defs(&n);
    qftp_srt_names = g_new0(const char *, n + 1);
    for (size_t i = 0; i < n; i++) {
        if (srt_row(defs[i].name) == qftp_srt_n)
            qftp_srt_names[qftp_srt_n++] = defs[i].name;
    }
}

/* One field per parameter name of the core's table: "qftp.<name>". */
static void register_param_fields(void)
{
    size_t n = 0;
    const qftp_cmd_def *defs = qftp_cmd_defs(&n);
    qftp_param_fields = g_hash_table_new(g_str_hash, g_str_equal);
    GArray *hfs = g_array_new(FALSE, TRUE, sizeof(hf_register_info));
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < defs[i].n_params; j++) {
            const qftp_param_def *pd = &defs[i].params[j];
            qftp_param_field *pf =
                (qftp_param_field *)g_hash_table_lookup(qftp_param_fields, pd->name);
            gboolean is_int = pd->type == QFTP_PT_INT;
            if (pf) {
                if (pf->is_int && !is_int)
                    pf->is_int = FALSE; /* mixed: keep the text */
                continue;
            }
            pf = g_new0(qftp_param_field, 1);
            pf->name = pd->name;
            pf->hf = -1;
            pf->is_int = is_int;
            g_hash_table_insert(qftp_param_fields, (gpointer)pd->name, pf);
        }
    }
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, qftp_param_fields);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        qftp_param_field *pf = (qftp_param_field *)v;
        const char *abbrev_fmt =
            proto_registrar_get_byname(wmem_strdup_printf(wmem_epan_scope(), "qftp.%s", pf->name))
                ? "qftp.param.%s"
                : "qftp.%s";
        hf_register_info h;
        memset(&h, 0, sizeof h);
        h.p_id = &pf->hf;
        h.hfinfo.name = g_strdup(pf->name);
        h.hfinfo.abbrev = g_strdup_printf(abbrev_fmt, pf->name);
        h.hfinfo.type = pf->is_int ? FT_INT64 : FT_STRING;
        h.hfinfo.display = pf->is_int ? BASE_DEC : BASE_NONE;
        h.hfinfo.blurb = "Parameter as named by the manuals";
        h.hfinfo.id = -1;
        h.hfinfo.parent = -1;
        h.hfinfo.ref_type = HF_REF_TYPE_NONE;
        h.hfinfo.same_name_prev_id = -1;
        g_array_append_val(hfs, h);
    }
    /* Wireshark keeps the array: it must outlive registration. */
    hf_register_info *arr = (hf_register_info *)g_array_free(hfs, FALSE);
    proto_register_field_array(proto_qftp, arr, (int)g_hash_table_size(qftp_param_fields));
}

void proto_register_qftp(void)
{
    build_value_tables();

    static hf_register_info hf[] = {
        {&hf_qftp_direction,
         {"Direction", "qftp.direction", FT_UINT8, BASE_DEC, VALS(qftp_direction_vals), 0,
          "Seen from the host", HFILL}},
        {&hf_qftp_dialect,
         {"Dialect", "qftp.dialect", FT_UINT8, BASE_DEC, NULL, 0,
          "Command set: GSM M-series or BG96 family", HFILL}},
        {&hf_qftp_state,
         {"FTP service state", "qftp.state", FT_UINT8, BASE_DEC, NULL, 0,
          "State of the module's FTP service after this frame (QFTPSTAT words)", HFILL}},
        {&hf_qftp_line, {"Command line", "qftp.line", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_qftp_echo_of,
         {"Echo of the command in", "qftp.echo_of", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_DUP_ACK), 0, NULL, HFILL}},
        {&hf_qftp_txn,
         {"Transaction", "qftp.txn", FT_UINT32, BASE_DEC, NULL, 0,
          "Index of the command in the session (as qftp show numbers it)", HFILL}},
        {&hf_qftp_cmd, {"Command", "qftp.cmd", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_qftp_cmd_type, {"Form", "qftp.cmd.type", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_qftp_cmd_known,
         {"Known command", "qftp.cmd.known", FT_BOOLEAN, BASE_NONE, NULL, 0,
          "The command is in the tables of the manuals", HFILL}},
        {&hf_qftp_cmd_summary,
         {"Summary", "qftp.cmd.summary", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_qftp_param,
         {"Parameter", "qftp.param", FT_STRING, BASE_NONE, NULL, 0, "Raw parameter", HFILL}},
        {&hf_qftp_final,
         {"Final result", "qftp.final", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_qftp_cme_error,
         {"+CME ERROR", "qftp.cme_error", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_qftp_cme_text,
         {"+CME ERROR text", "qftp.cme_error.text", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_qftp_connect, {"CONNECT", "qftp.connect", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_qftp_connect_len,
         {"CONNECT length", "qftp.connect.len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_qftp_urc, {"URC", "qftp.urc", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_qftp_urc_line,
         {"Completion URC", "qftp.urc.line", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_qftp_err,
         {"Error code", "qftp.err", FT_INT32, BASE_DEC, NULL, 0,
          "BG96 <err> (chapter 5) or GSM negative <err> (chapter 3)", HFILL}},
        {&hf_qftp_protocol_error,
         {"FTP reply code", "qftp.protocol_error", FT_UINT16, BASE_DEC, NULL, 0,
          "BG96 <protocol_error> (chapter 6, RFC 959)", HFILL}},
        {&hf_qftp_value,
         {"Value", "qftp.value", FT_STRING, BASE_NONE, NULL, 0,
          "Result value: length, size, path, time, state", HFILL}},
        {&hf_qftp_result_text,
         {"Meaning", "qftp.result.text", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_qftp_info,
         {"Information response", "qftp.info", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_qftp_unsolicited,
         {"Unsolicited", "qftp.unsolicited", FT_STRING, BASE_NONE, NULL, 0,
          "A URC or line that belongs to no command", HFILL}},
        {&hf_qftp_text,
         {"Text", "qftp.text", FT_STRING, BASE_NONE, NULL, 0, "Host line that is not AT", HFILL}},
        {&hf_qftp_prompt, {"Prompt", "qftp.prompt", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_qftp_data, {"Data", "qftp.data", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_qftp_data_len,
         {"Data length", "qftp.data.len", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_qftp_data_total,
         {"Data so far", "qftp.data.total", FT_UINT64, BASE_DEC, NULL, 0,
          "Payload bytes of this transfer up to here", HFILL}},
        {&hf_qftp_data_end,
         {"Data mode ends", "qftp.data.end", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL}},
        {&hf_qftp_listing_line,
         {"Listing line", "qftp.listing.line", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_qftp_escape, {"Escape +++", "qftp.escape", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
        {&hf_qftp_escape_guard_before,
         {"Guard time before", "qftp.escape.guard_before", FT_BOOLEAN, BASE_NONE, NULL, 0,
          "At least 1 s of silence before +++ (BG96 manual 1.2)", HFILL}},
        {&hf_qftp_escape_guard_after,
         {"Guard time after", "qftp.escape.guard_after", FT_BOOLEAN, BASE_NONE, NULL, 0,
          "At least 1 s of silence after +++", HFILL}},
        {&hf_qftp_escape_guard_within,
         {"Within 1 s", "qftp.escape.guard_within", FT_BOOLEAN, BASE_NONE, NULL, 0,
          "The three + within 1 s", HFILL}},
        {&hf_qftp_partial,
         {"No terminator", "qftp.partial", FT_BOOLEAN, BASE_NONE, NULL, 0,
          "Line cut by the end of the capture", HFILL}},
        {&hf_qftp_continued_in,
         {"Line continues in", "qftp.continued_in", FT_FRAMENUM, BASE_NONE, NULL, 0,
          "The frame where the line begun here ends and is decoded", HFILL}},
        {&hf_qftp_overflow_len,
         {"Overlong line", "qftp.overflow", FT_UINT64, BASE_DEC, NULL, 0,
          "Length of a line longer than the parser's cap", HFILL}},
        {&hf_qftp_request_in,
         {"Request in", "qftp.request_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0, "The command was sent in this frame", HFILL}},
        {&hf_qftp_response_in,
         {"Response in", "qftp.response_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, "The final result is in this frame", HFILL}},
        {&hf_qftp_done_in,
         {"Completed in", "qftp.done_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, "The completion URC is in this frame", HFILL}},
        {&hf_qftp_final_in,
         {"Final result in", "qftp.final_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0, NULL, HFILL}},
        {&hf_qftp_time,
         {"Time to final result", "qftp.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0,
          "From the command to its final result", HFILL}},
        {&hf_qftp_done_time,
         {"Time to completion", "qftp.done_time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0,
          "From the command to its completion URC", HFILL}},
        {&hf_qftp_note, {"Note", "qftp.note", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
    };

    static gint *ett[] = {
        &ett_qftp,      &ett_qftp_cmdline, &ett_qftp_cmd,     &ett_qftp_final,  &ett_qftp_urc,
        &ett_qftp_line, &ett_qftp_data,    &ett_qftp_listing, &ett_qftp_escape,
    };

    static ei_register_info ei[] = {
        {&ei_qftp_error_result,
         {"qftp.expert.error_result", PI_RESPONSE_CODE, PI_WARN, "Error result", EXPFILL}},
        {&ei_qftp_error_urc,
         {"qftp.expert.error_urc", PI_RESPONSE_CODE, PI_WARN, "Error in the completion URC",
          EXPFILL}},
        {&ei_qftp_unknown_cmd,
         {"qftp.expert.unknown_cmd", PI_UNDECODED, PI_NOTE, "Unknown command", EXPFILL}},
        {&ei_qftp_param_range,
         {"qftp.expert.param_range", PI_PROTOCOL, PI_WARN, "Parameter outside its range or length",
          EXPFILL}},
        {&ei_qftp_busy,
         {"qftp.expert.busy", PI_SEQUENCE, PI_WARN, "Command sent while the FTP service is busy",
          EXPFILL}},
        {&ei_qftp_no_result,
         {"qftp.expert.no_result", PI_SEQUENCE, PI_ERROR,
          "No final result or completion URC by the end of the capture", EXPFILL}},
        {&ei_qftp_guard,
         {"qftp.expert.guard_time", PI_PROTOCOL, PI_WARN, "+++ without its guard time", EXPFILL}},
        {&ei_qftp_len_mismatch,
         {"qftp.expert.length_mismatch", PI_PROTOCOL, PI_WARN, "Length mismatch", EXPFILL}},
        {&ei_qftp_slow,
         {"qftp.expert.slow", PI_SEQUENCE, PI_WARN, "Response slower than rsptimeout", EXPFILL}},
        {&ei_qftp_cleartext,
         {"qftp.expert.cleartext", PI_SECURITY, PI_NOTE, "Credentials in clear", EXPFILL}},
        {&ei_qftp_unsolicited,
         {"qftp.expert.unsolicited", PI_SEQUENCE, PI_WARN, "Result with no command waiting",
          EXPFILL}},
        {&ei_qftp_overflow,
         {"qftp.expert.overflow", PI_MALFORMED, PI_WARN, "Line longer than the parser's cap",
          EXPFILL}},
        {&ei_qftp_note_info, {"qftp.expert.info", PI_COMMENTS_GROUP, PI_CHAT, "Note", EXPFILL}},
        {&ei_qftp_note_note, {"qftp.expert.note", PI_PROTOCOL, PI_NOTE, "Note", EXPFILL}},
        {&ei_qftp_note_warn, {"qftp.expert.warn", PI_PROTOCOL, PI_WARN, "Warning", EXPFILL}},
        {&ei_qftp_note_error, {"qftp.expert.error", PI_PROTOCOL, PI_ERROR, "Error", EXPFILL}},
    };

    /* value_strings built from the core's tables */
    for (size_t i = 0; i < G_N_ELEMENTS(hf); i++) {
        int *id = hf[i].p_id;
        if (id == &hf_qftp_cmd_type)
            hf[i].hfinfo.strings = VALS(qftp_cmd_type_vals);
        else if (id == &hf_qftp_dialect)
            hf[i].hfinfo.strings = VALS(qftp_dialect_vals);
        else if (id == &hf_qftp_state)
            hf[i].hfinfo.strings = VALS(qftp_state_vals);
        else if (id == &hf_qftp_data_end)
            hf[i].hfinfo.strings = VALS(qftp_data_end_vals);
        else if (id == &hf_qftp_err)
            hf[i].hfinfo.strings = VALS(qftp_err_vals);
        else if (id == &hf_qftp_protocol_error)
            hf[i].hfinfo.strings = VALS(qftp_pe_vals);
        else if (id == &hf_qftp_cme_error)
            hf[i].hfinfo.strings = VALS(qftp_cme_vals);
    }

    proto_qftp = proto_register_protocol("Quectel FTP AT commands", "QFTP", "qftp");
    proto_register_field_array(proto_qftp, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *expert_qftp = expert_register_protocol(proto_qftp);
    expert_register_field_array(expert_qftp, ei, array_length(ei));
    register_param_fields();

    module_t *m = prefs_register_protocol(proto_qftp, NULL);
    prefs_register_enum_preference(m, "dialect", "Dialect",
                                   "Command set of the module; auto detects it from the traffic",
                                   &pref_dialect, pref_dialect_vals, FALSE);
    prefs_register_enum_preference(m, "host_side", "Host side when the capture has no direction",
                                   "Which bytes are the host's when a frame carries no direction",
                                   &pref_host_side, pref_host_vals, FALSE);
    prefs_register_uint_preference(m, "rsptimeout", "Default rsptimeout (s)",
                                   "Outcomes later than this are flagged (BG96 default 90 s); "
                                   "AT+QFTPCFG=\"rsptimeout\" in the capture overrides it",
                                   10, &pref_rsptimeout);
    prefs_register_bool_preference(m, "hide_passwords", "Hide passwords",
                                   "Show FTP passwords as **** in the tree and the Info column",
                                   &pref_hide_passwords);

    qftp_handle = register_dissector("qftp", dissect_qftp, proto_qftp);
    qftp_usb_handle = register_dissector("qftp.usb", dissect_qftp_usb, proto_qftp);
    qftp_tcp_handle = register_dissector("qftp.tcp", dissect_qftp_tcp, proto_qftp);

    register_init_routine(qftp_init);
    register_cleanup_routine(qftp_cleanup);

    qftp_tap = register_tap("qftp");
    qftp_eo_tap = register_export_object(proto_qftp, qftp_eo_packet, eo_reset);
    register_srt_table(proto_qftp, NULL, 1, qftp_srt_packet, qftp_srt_init, NULL);
}

void proto_reg_handoff_qftp(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qftp_usb_products); i++)
        dissector_add_uint("usb.product",
                           ((guint32)QFTP_USB_VENDOR_QUECTEL << 16) | qftp_usb_products[i].product,
                           qftp_usb_handle);
    dissector_add_for_decode_as("usb.device", qftp_usb_handle);
    dissector_add_for_decode_as("usb.product", qftp_usb_handle);
    dissector_add_for_decode_as("usb.protocol", qftp_usb_handle);
    heur_dissector_add("usb.bulk", dissect_qftp_usb_heur, "Quectel FTP AT over USB bulk",
                       "qftp_usb_bulk", proto_qftp, HEURISTIC_ENABLE);
    heur_dtbl_entry_t *at = find_heur_dissector_by_unique_short_name("at_usb_bulk");
    if (at && at->dissector != at_usb_bulk_guard) {
        at_usb_bulk_orig = at->dissector;
        at->dissector = at_usb_bulk_guard;
    }
    dissector_add_for_decode_as("rtacser.data", qftp_handle);
    dissector_add_for_decode_as_with_preference("tcp.port", qftp_tcp_handle);

    stats_tree_register_plugin("qftp", "qftp", "QFTP/Commands and results", 0,
                               qftp_stats_tree_packet, qftp_stats_tree_init, NULL);
}

void plugin_register(void)
{
    static proto_plugin plug;
    plug.register_protoinfo = proto_register_qftp;
    plug.register_handoff = proto_reg_handoff_qftp;
    proto_register_plugin(&plug);
}
