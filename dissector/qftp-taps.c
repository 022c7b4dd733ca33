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

void qftpd_push_taps(tvbuff_t *tvb, packet_info *pinfo, const qftp_frec *r, const qftp_frec *late)
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
        const qftp_txn *t = qftpd_txn_get(r->conv, it->txn);
        char buf[192];
        if ((it->kind == QFTP_EV_COMMAND || it->kind == QFTP_EV_ECHO) && t &&
            t->frame_sent == ti->frame) {
            guint32 first = t->index - t->sub_index;
            for (guint32 k = first;; k++) {
                const qftp_txn *x = qftpd_txn_get(r->conv, k);
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
                             val_to_str_const((guint32)it->value, qftpd_cme_vals, ""));
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
                         val_to_str_const((gint32)it->err, qftpd_err_vals, "unknown error"));
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
        const qftp_txn *x = qftpd_txn_get(ti->rec->conv, it->txn);
        if (it->kind != QFTP_EV_FINAL || !x || x->frame_final != ti->frame)
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

static gboolean is_file_transfer(const qftp_txn *t)
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

static tap_packet_status qftp_eo_packet(void *tapdata, packet_info *pinfo _U_,
                                        epan_dissect_t *edt _U_, const void *data,
                                        tap_flags_t flags _U_)
{
    export_object_list_t *object_list = (export_object_list_t *)tapdata;
    const qftp_tap_info *ti = (const qftp_tap_info *)data;
    tap_packet_status ret = TAP_PACKET_DONT_REDRAW;
    if (!eo_pending)
        eo_pending = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                           (GDestroyNotify)g_byte_array_unref);
    for (guint32 i = 0; i < ti->rec->n_items; i++) {
        const qftp_item *it = &ti->rec->items[i];
        const qftp_txn *x = qftpd_txn_get(ti->rec->conv, it->txn);
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
                g_byte_array_append(b, it->copy, it->len);
            }
        } else if (it->kind == QFTP_EV_DATA_END) {
            GByteArray *b = (GByteArray *)g_hash_table_lookup(eo_pending, &key);
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
