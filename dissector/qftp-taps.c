/* qftp-taps.c - what the qftp plugin gives Wireshark's statistics: the stats tree
 * (Statistics > QFTP, `-z qftp,tree`), command response times (SRT, `-z qftp,srt`)
 * and Export Objects (`--export-objects qftp,DIR`). Each tap gets one qftp_tap_info
 * per frame record.
 *
 * Copyright 2024 the qftp authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qftp-plugin.h"

#include <stdio.h>
#include <string.h>

#include <epan/export_object.h>
#include <epan/srt_table.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>

static int qftp_tap = -1;
static int qftp_eo_tap = -1;
static const char **qftp_srt_names; /* command names, one SRT row each */
static int qftp_srt_n;

static void push_tap(tvbuff_t *tvb, packet_info *pinfo, const qftp_frec *r)
{
    qftp_tap_info *ti = wmem_new(pinfo->pool, qftp_tap_info);
    ti->rec = r;
    ti->tvb = tvb;
    ti->frame = pinfo->num;
    tap_queue_packet(qftp_tap, pinfo, ti);
    tap_queue_packet(qftp_eo_tap, pinfo, ti);
}

void qftpd_push_taps(tvbuff_t *tvb, packet_info *pinfo, const qftp_frec *early, const qftp_frec *r,
                     const qftp_frec *late)
{
    if (!have_tap_listener(qftp_tap) && !have_tap_listener(qftp_eo_tap))
        return;
    if (early)
        push_tap(tvb, pinfo, early);
    push_tap(tvb, pinfo, r);
    if (late)
        push_tap(tvb, pinfo, late);
}

/* Statistics > QFTP > Commands and results (-z qftp,tree): every command with its
 * outcomes under it, the final results, the +CME ERROR codes, the completion URCs and
 * the FTP reply codes they carry. Nodes are made when first counted: a capture without
 * +CME ERROR shows no +CME ERROR node. */
static const char *st_str_cmds = "Commands and their outcomes";
static const char *st_str_finals = "Final results";
static const char *st_str_cme = "+CME ERROR codes";
static const char *st_str_urcs = "Completion URC results";
static const char *st_str_pe = "FTP reply codes";

static void qftp_stats_tree_init(stats_tree *st _U_)
{
}

/* Whether the command's outcome arrives as a URC after its final result. */
static gboolean expects_urc(const qftpd_txn *t)
{
    return t->def && (t->def->urc_forms & QFTP_FORM_BIT(t->type));
}

/* A command's outcome under its node, in the core's words (the failure as qftp show
 * counts it: "+CME ERROR 603 (FTP(S) server busy)", "+QFTPSIZE 627,550 (...)"). */
static void tick_outcome(stats_tree *st, const qftpd_txn *t)
{
    qftp_txn_words w;
    qftpd_txn_words(t, &w);
    const char *outcome;
    switch (w.outcome) {
    case QFTP_OUTCOME_OK:
        outcome = "success";
        break;
    case QFTP_OUTCOME_NO_URC:
        outcome = "no completion URC by the end of the capture";
        break;
    case QFTP_OUTCOME_ERROR:
    case QFTP_OUTCOME_FAILED:
        outcome = w.failure[0] ? w.failure : qftp_outcome_name(w.outcome);
        break;
    case QFTP_OUTCOME_PENDING:
    default:
        outcome = "no result by the end of the capture";
        break;
    }
    char cmd[64];
    snprintf(cmd, sizeof cmd, "AT%s", t->command);
    /* the command was counted when sent: find its node without counting again */
    int root = stats_tree_manip_node_int(MN_INCREASE, st, st_str_cmds, 0, TRUE, 0);
    int node = stats_tree_manip_node_int(MN_INCREASE, st, cmd, root, TRUE, 0);
    tick_stat_node(st, outcome, node, FALSE);
}

static tap_packet_status qftp_stats_tree_packet(stats_tree *st, packet_info *pinfo,
                                                epan_dissect_t *edt _U_, const void *p,
                                                tap_flags_t flags _U_)
{
    wmem_allocator_t *pool = pinfo->pool;
    const qftp_tap_info *ti = (const qftp_tap_info *)p;
    const qftp_frec *r = ti->rec;
    tap_packet_status ret = TAP_PACKET_DONT_REDRAW;
    for (guint32 i = 0; i < r->n_items; i++) {
        const qftp_item *it = &r->items[i];
        const qftpd_txn *t = qftpd_txn_get(r->conv, it->txn, pool);
        char buf[192];
        if ((it->kind == QFTP_EV_COMMAND || it->kind == QFTP_EV_ECHO) && t &&
            t->frame_sent == ti->frame) {
            guint32 first = t->index - t->sub_index;
            for (guint32 k = first;; k++) {
                const qftpd_txn *x = qftpd_txn_get(r->conv, k, pool);
                if (!x || x->frame_sent != t->frame_sent || k > t->index + QFTP_MAX_SUBCMDS)
                    break;
                if (k != first && x->sub_index == 0)
                    break;
                int root = tick_stat_node(st, st_str_cmds, 0, TRUE);
                snprintf(buf, sizeof buf, "AT%s", x->command);
                tick_stat_node(st, buf, root, TRUE);
            }
            ret = TAP_PACKET_REDRAW;
        } else if (it->kind == QFTP_EV_FINAL) {
            const char *fname = qftp_final_name((qftp_final_kind)it->final);
            int fr = tick_stat_node(st, st_str_finals, 0, TRUE);
            tick_stat_node(st, fname ? fname : "?", fr, FALSE);
            if (it->final == QFTP_FINAL_CME_ERROR) {
                int cr = tick_stat_node(st, st_str_cme, 0, TRUE);
                if (it->value >= 0)
                    snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT " %s", it->value,
                             val_to_str_const((guint32)it->value, qftpd_cme_vals, ""));
                else
                    snprintf(buf, sizeof buf, "%s", t && t->cme_text ? t->cme_text : "(text)");
                tick_stat_node(st, buf, cr, FALSE);
            }
            /* the outcome of a command: an error final result, or OK when no URC is due */
            if (t && (it->final != QFTP_FINAL_OK || !expects_urc(t)))
                tick_outcome(st, t);
            ret = TAP_PACKET_REDRAW;
        } else if (it->kind == QFTP_EV_LINE && it->is_urc && t) {
            tick_outcome(st, t);
            if (t->has_err) {
                int ur = tick_stat_node(st, st_str_urcs, 0, TRUE);
                if (t->err == 0)
                    snprintf(buf, sizeof buf, "0 success");
                else
                    snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT " %s", t->err,
                             val_to_str_const((gint32)t->err, qftpd_err_vals, "unknown error"));
                tick_stat_node(st, buf, ur, FALSE);
            }
            if (t->has_pe && t->protocol_error != 0) {
                int pr = tick_stat_node(st, st_str_pe, 0, TRUE);
                snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT " %s", t->protocol_error,
                         val_to_str_const((guint32)t->protocol_error, qftpd_pe_vals, ""));
                tick_stat_node(st, g_strstrip(buf), pr, FALSE);
            }
            ret = TAP_PACKET_REDRAW;
        }
    }
    /* the end of the capture: commands that never got their result */
    for (guint32 i = 0; i < r->n_notes; i++) {
        const qftp_fnote *n = &r->notes[i];
        const qftpd_txn *t = qftpd_txn_get(r->conv, n->txn, pool);
        const qftp_note_def *d = qftp_note_def_of((qftp_note_kind)n->kind);
        if (d && d->expert == QFTP_EXPERT_NO_RESULT && t) {
            tick_outcome(st, t);
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
    wmem_allocator_t *pool = pinfo->pool;
    tap_packet_status ret = TAP_PACKET_DONT_REDRAW;
    for (guint32 i = 0; i < ti->rec->n_items; i++) {
        const qftp_item *it = &ti->rec->items[i];
        const qftpd_txn *x = qftpd_txn_get(ti->rec->conv, it->txn, pool);
        if (it->kind != QFTP_EV_FINAL || !x || qftpd_frame_final(ti->rec->conv, x) != ti->frame)
            continue;
        nstime_t req;
        qftpd_nstime_from_ns(&req, x->t_sent);
        add_srt_table_data(t, srt_row(x->command), &req, pinfo);
        ret = TAP_PACKET_REDRAW;
    }
    return ret;
}

/* Export Objects: the payload of every file transferred in data mode, collected in
 * frame order (a retap goes through the frames in order) and handed over at its end. */
/* Payload collected per transfer, keyed by (conversation id << 32 | transaction index):
 * a capture may hold several sessions (interfaces, TCP bridges, USB ports). */
static GHashTable *eo_pending; /* guint64* -> GByteArray */

static gboolean is_file_transfer(const qftpd_txn *t)
{
    if (!t || !t->def || t->def->data == QFTP_DATA_NONE || qftpd_is_listing(t))
        return FALSE;
    return TRUE;
}

static void eo_reset(void)
{
    if (eo_pending)
        g_hash_table_remove_all(eo_pending);
}

/* Content type from the file name's extension: a table of its own, so the answer is the
 * same on every machine (GLib's guess depends on the installed MIME database). */
static const struct {
    const char *ext, *type;
} eo_types[] = {
    {"txt", "text/plain"},
    {"ini", "text/plain"},
    {"log", "text/plain"},
    {"cfg", "text/plain"},
    {"conf", "text/plain"},
    {"csv", "text/csv"},
    {"htm", "text/html"},
    {"html", "text/html"},
    {"xml", "application/xml"},
    {"json", "application/json"},
    {"js", "text/javascript"},
    {"css", "text/css"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"png", "image/png"},
    {"gif", "image/gif"},
    {"bmp", "image/bmp"},
    {"svg", "image/svg+xml"},
    {"pdf", "application/pdf"},
    {"zip", "application/zip"},
    {"gz", "application/gzip"},
    {"tar", "application/x-tar"},
    {"7z", "application/x-7z-compressed"},
    {"mp3", "audio/mpeg"},
    {"wav", "audio/wav"},
    {"amr", "audio/amr"},
    {"mp4", "video/mp4"},
    {"bin", "application/octet-stream"},
};

static const char *eo_content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && dot[1]) {
        for (size_t i = 0; i < G_N_ELEMENTS(eo_types); i++)
            if (g_ascii_strcasecmp(dot + 1, eo_types[i].ext) == 0)
                return eo_types[i].type;
    }
    return "application/octet-stream";
}

/* Parameter `name` of a transaction as text (unquoted) / as an integer. */
static gboolean txn_param(const qftpd_txn *t, const char *name, char *out, size_t cap)
{
    if (!t || !t->def)
        return FALSE;
    for (size_t i = 0; i < t->def->n_params && i < t->n_params; i++) {
        if (strcmp(t->def->params[i].name, name) == 0) {
            qftp_span sp = {t->params[i], strlen(t->params[i])};
            qftp_param_unquote(sp, out, cap);
            return TRUE;
        }
    }
    return FALSE;
}

static gboolean txn_param_int(const qftpd_txn *t, const char *name, gint64 *v)
{
    char buf[32];
    if (!txn_param(t, name, buf, sizeof buf))
        return FALSE;
    qftp_span sp = {buf, strlen(buf)};
    int64_t x;
    if (!qftp_param_int(sp, &x))
        return FALSE;
    *v = x;
    return TRUE;
}

/* How far back a transfer looks for the open and the resuming point. */
#define EO_LOOKBACK 4096

/* The FTP server of the session when transaction x ran: the hostname (and port when
 * not 21) of the last AT+QFTPOPEN before it that succeeded, or else the last one. */
static char *eo_server(const qftp_conv *c, const qftpd_txn *x, wmem_allocator_t *pool)
{
    const qftpd_txn *any = NULL;
    for (guint32 k = x->index - 1; k >= 1 && k + EO_LOOKBACK > x->index; k--) {
        const qftpd_txn *t = qftpd_txn_get(c, k, pool);
        if (!t || strcmp(t->command, "+QFTPOPEN") != 0 || t->type != QFTP_TYPE_WRITE)
            continue;
        if (!any)
            any = t;
        if (t->final == QFTP_FINAL_OK && t->has_err && t->err == 0) {
            any = t;
            break;
        }
    }
    char host[256], port[16];
    if (!any || !txn_param(any, "hostname", host, sizeof host) || !host[0])
        return g_strdup("");
    if (txn_param(any, "port", port, sizeof port) && port[0] && strcmp(port, "21") != 0)
        return g_strdup_printf("%s:%s", host, port);
    return g_strdup(host);
}

/* Where the transfer starts in its file: BG96 <startpos> (manual 2.5, 2.6); GSM the
 * resuming point AT+QFTPCFG=3,<n> set since the last transfer (GSM manual 2.2.8: reset
 * to 0 after a transfer; 4.4). */
static gint64 eo_start(const qftp_conv *c, const qftpd_txn *x, wmem_allocator_t *pool)
{
    gint64 v = 0;
    if (txn_param_int(x, "startpos", &v))
        return v > 0 ? v : 0;
    if (!x->def || x->def->dialect != QFTP_DIALECT_GSM)
        return 0;
    for (guint32 k = x->index - 1; k >= 1 && k + EO_LOOKBACK > x->index; k--) {
        const qftpd_txn *t = qftpd_txn_get(c, k, pool);
        if (!t)
            break;
        if (t->def && t->def->data != QFTP_DATA_NONE && t->data_len >= 0)
            return 0; /* an earlier transfer reset it */
        if (strcmp(t->command, "+QFTPCFG") == 0 && t->def && t->def->key &&
            strcmp(t->def->key, "3") == 0 && t->final == QFTP_FINAL_OK &&
            txn_param_int(t, "value", &v))
            return v > 0 ? v : 0;
    }
    return 0;
}

/* A later transfer of the same file, the same way, that resumes where x ends: then x
 * is the first part of a resumed transfer. Known once the session is complete. */
static gboolean eo_resumed_later(const qftp_conv *c, const qftpd_txn *x, const char *name,
                                 gint64 end, wmem_allocator_t *pool)
{
    if (!c->finished || !c->s)
        return FALSE;
    size_t n = qftp_session_txn_count(c->s);
    for (size_t k = x->index + 1; k <= n && k < x->index + EO_LOOKBACK; k++) {
        const qftpd_txn *t = qftpd_txn_get(c, (guint32)k, pool);
        char other[256];
        if (!t || !is_file_transfer(t) || t->data_dir != x->data_dir ||
            strcmp(t->command, x->command) != 0 || t->n_params == 0)
            continue;
        qftp_span sp = {t->params[0], strlen(t->params[0])};
        qftp_param_unquote(sp, other, sizeof other);
        char *base = g_path_get_basename(other);
        gboolean same = strcmp(base, name) == 0;
        g_free(base);
        if (same)
            return eo_start(c, t, pool) == end;
    }
    return FALSE;
}

static export_object_entry_t *eo_entry(const qftp_conv *c, const qftpd_txn *x, guint32 frame,
                                       GByteArray *b, wmem_allocator_t *pool)
{
    export_object_entry_t *e = g_new0(export_object_entry_t, 1);
    e->pkt_num = frame;
    e->hostname = eo_server(c, x, pool);
    char name[256] = "";
    if (x->n_params > 0) {
        qftp_span sp = {x->params[0], strlen(x->params[0])};
        qftp_param_unquote(sp, name, sizeof name);
    }
    if (!name[0] || strcmp(x->command, "+QFREAD") == 0)
        snprintf(name, sizeof name, "%s-%u", x->command + 1, x->index);
    char *base = g_path_get_basename(name);
    e->content_type = g_strdup(eo_content_type(base));
    gint64 len = b ? b->len : 0;
    gint64 start = eo_start(c, x, pool);
    /* The pieces of a resumed transfer are named as parts of one file. */
    if (len > 0 && (start > 0 || eo_resumed_later(c, x, base, start + len, pool))) {
        e->filename = g_strdup_printf("%s [bytes %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "]", base,
                                      start, start + len - 1);
        g_free(base);
    } else {
        e->filename = base;
    }
    e->payload_len = (size_t)len;
    e->payload_data = b ? (guint8 *)g_memdup2(b->data, b->len) : NULL;
    return e;
}

static tap_packet_status qftp_eo_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                                        const void *data, tap_flags_t flags _U_)
{
    wmem_allocator_t *pool = pinfo->pool;
    export_object_list_t *object_list = (export_object_list_t *)tapdata;
    const qftp_tap_info *ti = (const qftp_tap_info *)data;
    tap_packet_status ret = TAP_PACKET_DONT_REDRAW;
    if (!eo_pending)
        eo_pending = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                           (GDestroyNotify)g_byte_array_unref);
    for (guint32 i = 0; i < ti->rec->n_items; i++) {
        const qftp_item *it = &ti->rec->items[i];
        const qftpd_txn *x = qftpd_txn_get(ti->rec->conv, it->txn, pool);
        if (!is_file_transfer(x))
            continue;
        gint64 key = ((gint64)ti->rec->conv->id << 32) | x->index;
        if (it->kind == QFTP_EV_DATA) {
            GByteArray *b = (GByteArray *)g_hash_table_lookup(eo_pending, &key);
            if (!b) {
                b = g_byte_array_new();
                g_hash_table_insert(eo_pending, g_memdup2(&key, sizeof key), b);
            }
            if (it->off >= 0) {
                if (tvb_bytes_exist(ti->tvb, it->off, (gint)it->len))
                    g_byte_array_append(b, tvb_get_ptr(ti->tvb, it->off, (gint)it->len), it->len);
            } else if (it->copy) {
                g_byte_array_append(b, qftpd_item_copy(ti->rec->conv, it), it->len);
            }
        } else if (it->kind == QFTP_EV_DATA_END) {
            GByteArray *b = (GByteArray *)g_hash_table_lookup(eo_pending, &key);
            object_list->add_entry(object_list->gui_data,
                                   eo_entry(ti->rec->conv, x, ti->frame, b, pool));
            g_hash_table_remove(eo_pending, &key);
            ret = TAP_PACKET_REDRAW;
        }
    }
    return ret;
}

/* ---- registration ----------------------------------------------------------------- */

void qftpd_taps_cleanup(void)
{
    eo_reset();
}

void qftpd_taps_register(void)
{
    size_t n = 0;
    const qftp_cmd_def *defs = qftp_cmd_defs(&n);
    qftp_srt_names = g_new0(const char *, n + 1);
    for (size_t i = 0; i < n; i++) {
        if (srt_row(defs[i].name) == qftp_srt_n)
            qftp_srt_names[qftp_srt_n++] = defs[i].name;
    }
    qftp_tap = register_tap("qftp");
    qftp_eo_tap = register_export_object(proto_qftp, qftp_eo_packet, eo_reset);
    register_srt_table(proto_qftp, NULL, 1, qftp_srt_packet, qftp_srt_init, NULL);
}

void qftpd_taps_handoff(void)
{
    stats_tree_register_plugin("qftp", "qftp", "QFTP/Commands and results", 0,
                               qftp_stats_tree_packet, qftp_stats_tree_init, NULL);
}
