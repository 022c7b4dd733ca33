/* packet-qftp.c - Wireshark dissector for the FTP AT commands of Quectel modules:
 * registration, and the trees built from per-frame records.
 *
 * The decode is the core library's (libqftp): its push parser splits each direction
 * of the serial stream into commands, result codes, URCs and data-mode payload, and
 * its session links every command to its final result and completion URC. So this
 * dissector and `qftp show` never disagree.
 *
 * How frames become trees (doc/README.dissector, "random access"): the first pass
 * (qftp-frames.c) feeds each frame to its conversation's session and keeps a record
 * of what the frame holds; every dissection builds the tree from that record and
 * from the session's transactions (frame_sent / frame_final / frame_done give the
 * links). USB is in qftp-usb.c, statistics and export in qftp-taps.c.
 *
 * Copyright 2024 the qftp authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#define WS_BUILD_DLL
#include "qftp-plugin.h"
#include "qftp/redact.h"

#include <stdio.h>
#include <string.h>

#include <epan/conversation.h>
#include <epan/decode_as.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <wiretap/wtap.h>
#include <wsutil/str_util.h>

#ifndef QFTP_PLUGIN_VERSION
#define QFTP_PLUGIN_VERSION "0.1.0"
#endif

QFTP_PLUGIN_EXPORTS(QFTP_PLUGIN_VERSION);

void proto_register_qftp(void);
void proto_reg_handoff_qftp(void);

/* ---- protocol, fields, subtrees, expert infos ----------------------------------- */

int proto_qftp = -1;
static int hf_qftp_direction = -1;
static int hf_qftp_dialect = -1;
static int hf_qftp_state = -1;
static int hf_qftp_line = -1;
static int hf_qftp_echo_of = -1;
static int hf_qftp_txn = -1;
static int hf_qftp_cmd = -1;
static int hf_qftp_cmd_type = -1;
static int hf_qftp_cmd_known = -1;
static int hf_qftp_cmd_summary = -1;
static int hf_qftp_param = -1;
static int hf_qftp_final = -1;
static int hf_qftp_cme_error = -1;
static int hf_qftp_cme_text = -1;
static int hf_qftp_connect = -1;
static int hf_qftp_connect_len = -1;
static int hf_qftp_urc = -1;
static int hf_qftp_urc_line = -1;
static int hf_qftp_err = -1;
static int hf_qftp_protocol_error = -1;
static int hf_qftp_value = -1;
static int hf_qftp_result_text = -1;
static int hf_qftp_info = -1;
static int hf_qftp_unsolicited = -1;
static int hf_qftp_text = -1;
static int hf_qftp_prompt = -1;
static int hf_qftp_data = -1;
static int hf_qftp_data_len = -1;
static int hf_qftp_data_total = -1;
static int hf_qftp_data_end = -1;
static int hf_qftp_listing_line = -1;
static int hf_qftp_escape = -1;
static int hf_qftp_escape_guard_before = -1;
static int hf_qftp_escape_guard_after = -1;
static int hf_qftp_escape_guard_within = -1;
static int hf_qftp_partial = -1;
static int hf_qftp_continued_in = -1;
static int hf_qftp_overflow_len = -1;
static int hf_qftp_request_in = -1;
static int hf_qftp_response_in = -1;
static int hf_qftp_done_in = -1;
static int hf_qftp_final_in = -1;
static int hf_qftp_time = -1;
static int hf_qftp_done_time = -1;
static int hf_qftp_note = -1;

static gint ett_qftp = -1;
static gint ett_qftp_cmdline = -1;
static gint ett_qftp_cmd = -1;
static gint ett_qftp_final = -1;
static gint ett_qftp_urc = -1;
static gint ett_qftp_line = -1;
static gint ett_qftp_data = -1;
static gint ett_qftp_listing = -1;
static gint ett_qftp_escape = -1;

/* The expert fields come from the core's table of expert entries (qftp/notes.h): one
 * per entry, by its id; notes pick theirs by kind. */
expert_field qftpd_ei[QFTP_EXPERT__COUNT];

static dissector_handle_t qftp_handle;
static dissector_handle_t qftp_tcp_handle;

/* Per-parameter fields ("qftp.hostname", "qftp.port", ...) are made at registration
 * from the core's command table, so a parameter the tables add gets its field. */
typedef struct {
    const char *name;
    int hf;
    gboolean is_int;
} qftp_param_field;

static GHashTable *qftp_param_fields; /* name -> qftp_param_field* */

/* ---- preferences ------------------------------------------------------------------ */

gint qftpd_pref_dialect = QFTP_DIALECT_UNKNOWN;
gint qftpd_pref_host_side = QFTP_HOST_AUTO;
guint qftpd_pref_rsptimeout = 90; /* BG96 manual 2.1 <timeout> default */
qftp_pref_bool qftpd_pref_hide_passwords = FALSE;

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
value_string *qftpd_err_vals; /* GSM chapter 3 (negative) + BG96 chapter 5 */
value_string *qftpd_pe_vals;  /* FTP reply codes (BG96 chapter 6) */
value_string *qftpd_cme_vals; /* +CME ERROR codes + BG96 chapter 5 */

/* ---- building the tree from a record ------------------------------------------------- */

static gboolean is_password_param(const qftp_param_def *pd)
{
    return pd && pd->secret; /* the tables' one rule (qftp/redact.h) */
}
/* The bytes of an item: in the frame, or a new tvb over the copy (a line reassembled
 * from several frames). */
static tvbuff_t *item_tvb(const qftp_conv *c, tvbuff_t *tvb, packet_info *pinfo,
                          const qftp_item *it, gint *off, gboolean *reassembled)
{
    *reassembled = FALSE;
    if (it->off >= 0) {
        *off = it->off;
        return tvb;
    }
    *off = 0;
    const guint8 *copy = qftpd_item_copy(c, it);
    if (!copy || !it->len)
        return tvb;
    tvbuff_t *child = tvb_new_child_real_data(tvb, copy, it->len, it->len);
    add_new_data_source(pinfo, child,
                        it->kind == QFTP_EV_DATA ? "Data-mode payload" : "Reassembled line");
    *reassembled = TRUE;
    return child;
}

static void add_links_from_cmd(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo, const qftp_conv *c,
                               const qftpd_txn *txn)
{
    proto_item *pi;
    pi = proto_tree_add_uint(t, hf_qftp_txn, tvb, 0, 0, txn->index);
    proto_item_set_generated(pi);
    guint32 ff = qftpd_frame_final(c, txn), fd = qftpd_frame_done(c, txn);
    if (ff && ff != pinfo->num) {
        pi = proto_tree_add_uint(t, hf_qftp_response_in, tvb, 0, 0, ff);
        proto_item_set_generated(pi);
    }
    if (fd && fd != pinfo->num) {
        pi = proto_tree_add_uint(t, hf_qftp_done_in, tvb, 0, 0, fd);
        proto_item_set_generated(pi);
    }
}

static void add_request_link(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo, const qftpd_txn *txn)
{
    proto_item *pi;
    pi = proto_tree_add_uint(t, hf_qftp_txn, tvb, 0, 0, txn->index);
    proto_item_set_generated(pi);
    if (txn->frame_sent && txn->frame_sent != pinfo->num) {
        pi = proto_tree_add_uint(t, hf_qftp_request_in, tvb, 0, 0, (guint32)txn->frame_sent);
        proto_item_set_generated(pi);
    }
}

/* Bytes of a line as text for labels and the Info column: printable ASCII as it is,
 * any other byte escaped (\xNN), so a line holding UTF-8 or Latin-1 text (a file name
 * pasted by a customer) is shown byte for byte and is never taken for malformed. */
static char *escape_bytes(wmem_allocator_t *pool, const guint8 *p, size_t n)
{
    /* this runs for every line of every frame: the printable head, nearly always the
     * whole line, is measured and copied in one piece; the rest is sized, then written */
    size_t head = 0;
    while (head < n && p[head] >= 0x20 && p[head] < 0x7f)
        head++;
    size_t out = head + 1;
    for (size_t i = head; i < n; i++)
        out += p[i] >= 0x20 && p[i] < 0x7f ? 1 : p[i] == '\r' || p[i] == '\n' ? 2 : 4;
    char *s = (char *)wmem_alloc(pool, out);
    memcpy(s, p, head);
    char *o = s + head;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = head; i < n; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f) {
            *o++ = (char)p[i];
        } else if (p[i] == '\r' || p[i] == '\n') {
            *o++ = '\\';
            *o++ = p[i] == '\r' ? 'r' : 'n';
        } else {
            *o++ = '\\';
            *o++ = 'x';
            *o++ = hex[p[i] >> 4];
            *o++ = hex[p[i] & 15];
        }
    }
    *o = '\0';
    return s;
}

/* A line's bytes as text (tvb_get_string_enc's ASCII reading, which puts U+FFFD for
 * bytes of 0x80 and above): lines of ASCII without NUL, nearly all, are copied as they
 * are. */
static const char *line_text(packet_info *pinfo, tvbuff_t *t, gint off, gint len)
{
    if (len <= 0)
        return "";
    const guint8 *p = tvb_get_ptr(t, off, len);
    for (gint i = 0; i < len; i++)
        if (p[i] == 0 || p[i] >= 0x80)
            return (const char *)tvb_get_string_enc(pinfo->pool, t, off, len, ENC_ASCII);
    /* no NUL in the bytes: copied as they are, without wmem_strndup's search for one */
    char *s = (char *)wmem_alloc(pinfo->pool, (size_t)len + 1);
    memcpy(s, p, (size_t)len);
    s[len] = '\0';
    return s;
}

/* Appends one Info entry made of n pieces (as wmem_strconcat joins them: up to the
 * first NULL). The column copies the text, so it is joined on the stack unless long. */
static void info_append(packet_info *pinfo, const char *const *parts, size_t n)
{
    if (!pinfo->cinfo) /* no columns (a first pass): nothing to build */
        return;
    size_t lens[4], total = 0;
    DISSECTOR_ASSERT(n <= G_N_ELEMENTS(lens));
    for (size_t i = 0; i < n; i++) {
        if (!parts[i]) {
            n = i;
            break;
        }
        lens[i] = strlen(parts[i]);
        total += lens[i];
    }
    char buf[512];
    char *s = total < sizeof buf ? buf : (char *)wmem_alloc(pinfo->pool, total + 1);
    char *o = s;
    for (size_t i = 0; i < n; i++) {
        memcpy(o, parts[i], lens[i]);
        o += lens[i];
    }
    *o = '\0';
    col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", s);
}

static char *escape_span(wmem_allocator_t *pool, qftp_span sp)
{
    return escape_bytes(pool, (const guint8 *)sp.p, sp.len);
}

/* The parameters of one command, where the session found them (t->spans, relative to
 * the line's first byte, at `base` in tvb; `line` is the line's bytes).
 * Shown from the bytes, or from the session's copy (****) when passwords are hidden. */
static void add_param_fields(proto_tree *tr, tvbuff_t *tvb, packet_info *pinfo, gint base,
                             const char *line, const qftpd_txn *t, const qftp_cmd_def *def,
                             proto_item **param_items)
{
    for (size_t i = 0; i < t->n_params && i < QFTP_MAX_PARAMS; i++) {
        guint32 poff = t->spans[2 + 2 * i], plen = t->spans[3 + 2 * i];
        gint off = base + (gint)poff;
        gint len = (gint)plen;
        const qftp_param_def *pd = def && i < def->n_params ? &def->params[i] : NULL;
        gboolean hide = qftpd_pref_hide_passwords && is_password_param(pd);
        qftp_span wire = {line + poff, plen};
        qftp_span disp =
            qftpd_pref_hide_passwords ? (qftp_span){t->params[i], strlen(t->params[i])} : wire;
        const char *raw = hide ? "****" : escape_span(pinfo->pool, disp);
        param_items[i] = proto_tree_add_string(tr, hf_qftp_param, tvb, off, len, raw);
        if (!pd)
            continue;
        qftp_param_field *pf = (qftp_param_field *)g_hash_table_lookup(qftp_param_fields, pd->name);
        if (!pf)
            continue;
        int64_t v;
        if (pf->is_int && qftp_param_int(wire, &v)) {
            proto_item *pi = proto_tree_add_int64(tr, pf->hf, tvb, off, len, v);
            if (pd->values) {
                for (const qftp_value_name *vn = pd->values; vn->text; vn++)
                    if (vn->value == v)
                        proto_item_append_text(pi, " (%s)", vn->text);
            }
        } else if (!pf->is_int) {
            char *buf = (char *)wmem_alloc(pinfo->pool, disp.len + 1);
            size_t n = qftp_param_unquote(disp, buf, disp.len + 1);
            proto_tree_add_string(
                tr, pf->hf, tvb, off, len,
                hide ? "****" : escape_bytes(pinfo->pool, (const guint8 *)buf, MIN(n, disp.len)));
        }
    }
}

/* One command of a line as the tables check it: its parts where the session found
 * them (no second split of the line). */
static void subcmd_of(const qftpd_txn *t, const char *line, qftp_subcmd *sc)
{
    memset(sc, 0, sizeof *sc);
    /* (g_strlcpy's text without its byte loop: sc is zeroed, the name stays terminated) */
    memcpy(sc->name, t->command, MIN(strlen(t->command), sizeof sc->name - 1));
    sc->type = t->type;
    sc->text = (qftp_span){line + t->spans[0], t->spans[1]};
    sc->n_params = MIN(t->n_params, QFTP_MAX_PARAMS);
    for (size_t i = 0; i < sc->n_params; i++)
        sc->params[i] = (qftp_span){line + t->spans[2 + 2 * i], t->spans[3 + 2 * i]};
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
    expert_add_info_format(p->pinfo, pi, &qftpd_ei[QFTP_EXPERT_PARAM_RANGE], "%s", text);
}

/* The definition a command is shown with. The session looked the command up in the
 * dialect known when it was sent; once the capture is complete (a second pass, or the
 * GUI after loading) the dialect found later labels the earlier commands too. NULL
 * when the command is in no table. */
static const qftp_cmd_def *shown_def(const qftp_conv *c, const qftpd_txn *t)
{
    const qftp_cmd_def *def = t ? t->def : NULL;
    if (!def || !c->finished || !c->s || def->dialect == QFTP_DIALECT_UNKNOWN)
        return def;
    qftp_dialect d = qftp_session_dialect(c->s);
    if (d == QFTP_DIALECT_UNKNOWN || d == def->dialect)
        return def;
    const qftp_cmd_def *other = qftp_cmd_find(t->command, d, def->key);
    return other ? other : def;
}

/* Before the dialect is known (one pass), a command that both manuals define with
 * different words is labelled with both. */
static const qftp_cmd_def *other_dialect_def(const qftp_conv *c, const qftp_frec *r,
                                             const qftp_cmd_def *def, const char *name)
{
    if (!def || c->finished || r->dialect != QFTP_DIALECT_UNKNOWN ||
        def->dialect == QFTP_DIALECT_UNKNOWN)
        return NULL;
    qftp_dialect o = def->dialect == QFTP_DIALECT_GSM ? QFTP_DIALECT_BG96 : QFTP_DIALECT_GSM;
    const qftp_cmd_def *other = qftp_cmd_find(name, o, def->key);
    if (!other || other->dialect != o || strcmp(other->summary, def->summary) == 0)
        return NULL;
    return other;
}

static void add_cmd_summary(proto_tree *ct, proto_item *ci, tvbuff_t *lt, gint coff, gint clen,
                            const qftp_cmd_def *def, const qftp_cmd_def *other)
{
    proto_item *si;
    if (other) {
        const qftp_cmd_def *g = def->dialect == QFTP_DIALECT_GSM ? def : other;
        const qftp_cmd_def *b = g == def ? other : def;
        proto_item_append_text(ci, " (%s / %s)", g->summary, b->summary);
        si = proto_tree_add_string_format_value(
            ct, hf_qftp_cmd_summary, lt, coff, clen, g->summary,
            "%s (gsm manual %s) / %s (bg96 manual %s); the dialect is not known yet", g->summary,
            g->section, b->summary, b->section);
    } else {
        proto_item_append_text(ci, " (%s)", def->summary);
        if (def->section && def->section[0])
            si = proto_tree_add_string_format_value(
                ct, hf_qftp_cmd_summary, lt, coff, clen, def->summary, "%s (%s manual %s)",
                def->summary,
                def->dialect == QFTP_DIALECT_UNKNOWN ? "both" : qftp_dialect_name(def->dialect),
                def->section);
        else /* a command around FTP, outside the two manuals */
            si = proto_tree_add_string(ct, hf_qftp_cmd_summary, lt, coff, clen, def->summary);
    }
    proto_item_set_generated(si);
}

static void dissect_cmdline(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const qftp_frec *r,
                            const qftp_item *it, const qftpd_txn *txn)
{
    const qftp_conv *c = r->conv;
    gint off;
    gboolean re;
    tvbuff_t *lt = item_tvb(c, tvb, pinfo, it, &off, &re);
    gint len = (gint)it->len;
    if (tvb_captured_length_remaining(lt, off) < len)
        len = tvb_captured_length_remaining(lt, off);
    if (len < 0)
        len = 0;
    /* The line's bytes as they are: offsets into the tree count from them whatever
     * bytes they hold. */
    const char *line = (const char *)tvb_get_ptr(lt, off, len);
    /* What is displayed: the session's copy when passwords are hidden (it holds ****). */
    gboolean hidden = qftpd_pref_hide_passwords && txn && txn->line && !txn->repeat;
    const char *disp = hidden ? txn->line : line;
    size_t disp_len = hidden ? strlen(txn->line) : (size_t)len;
    /* (as text only for the label and the Info column: a first pass of two has neither) */
    const char *shown =
        tree || pinfo->cinfo ? escape_bytes(pinfo->pool, (const guint8 *)disp, disp_len) : "";
    gboolean echo = it->kind == QFTP_EV_ECHO && txn && txn->frame_sent != pinfo->num;
    /* (labelled items are skipped without a tree: they would add nothing) */
    proto_item *li = tree ? proto_tree_add_string_format(tree, hf_qftp_line, lt, off, len, shown,
                                                         "%s: %s", echo ? "Echo" : "Command", shown)
                          : NULL;
    proto_tree *lt_tree = proto_item_add_subtree(li, ett_qftp_cmdline);
    if (it->flags & QFTP_EVF_PARTIAL)
        proto_item_set_generated(
            proto_tree_add_boolean(lt_tree, hf_qftp_partial, lt, off, len, TRUE));
    if (echo) {
        proto_item *pi =
            proto_tree_add_uint(lt_tree, hf_qftp_echo_of, lt, off, len, (guint32)txn->frame_sent);
        proto_item_set_generated(pi);
        info_append(pinfo, (const char *[]){"Echo ", shown}, 2);
        return;
    }
    /* The commands of the line: the session's transactions, one per command, with
     * where each command and parameter lies in the line. */
    guint32 first = txn ? txn->index - txn->sub_index : 0;
    for (guint32 k = 0; first; k++) {
        const qftpd_txn *t =
            first + k == txn->index ? txn : qftpd_txn_get(c, first + k, pinfo->pool);
        if (!t || t->frame_sent != txn->frame_sent || t->sub_index != k || k >= QFTP_MAX_SUBCMDS)
            break;
        /* where the command lies ("A/" repeats a line that is not here: all of it) */
        gboolean placed = t->spans && t->spans[0] + t->spans[1] <= (guint32)len;
        for (size_t i = 0; placed && i < t->n_params; i++)
            placed = t->spans[2 + 2 * i] + t->spans[3 + 2 * i] <= (guint32)len;
        gint coff = placed ? off + (gint)t->spans[0] : off;
        gint clen = placed ? (gint)t->spans[1] : len;
        proto_item *ci = NULL;
        proto_tree *ct = NULL;
        if (tree) {
            ci = proto_tree_add_string(lt_tree, hf_qftp_cmd, lt, coff, clen, t->command);
            ct = proto_item_add_subtree(ci, ett_qftp_cmd);
            proto_tree_add_uint(ct, hf_qftp_cmd_type, lt, coff, clen, t->type);
        }
        const qftp_cmd_def *def = shown_def(c, t);
        if (placed) {
            proto_item *params[QFTP_MAX_PARAMS] = {NULL};
            if (tree)
                add_param_fields(ct, lt, pinfo, off, line, t, def, params);
            if (def) {
                qftp_subcmd sc;
                subcmd_of(t, line, &sc);
                qftp_problem_ctx pc = {pinfo, params, ci};
                qftp_check_params(def, &sc, param_problem, &pc);
            }
        }
        if (tree)
            proto_item_set_generated(proto_tree_add_boolean(ct, hf_qftp_cmd_known, lt, coff, clen,
                                                            def != NULL || t->command[0] == '\0'));
        if (def) {
            if (tree)
                add_cmd_summary(ct, ci, lt, coff, clen, def,
                                other_dialect_def(c, r, def, t->command));
        } else if (t->command[0]) {
            expert_add_info_format(pinfo, ci, &qftpd_ei[QFTP_EXPERT_UNKNOWN_CMD],
                                   "Unknown command AT%s: decoded generically", t->command);
        }
        if (tree)
            add_links_from_cmd(ct, lt, pinfo, c, t);
    }
    /* Info: the line as typed, then the final result (one for the whole line) */
    const qftpd_txn *t0 = !first                ? NULL
                          : first == txn->index ? txn
                                                : qftpd_txn_get(c, first, pinfo->pool);
    if (t0 && t0->final != QFTP_FINAL_NONE && qftpd_frame_final(c, t0))
        info_append(pinfo, (const char *[]){shown, " \xe2\x86\x92 ", t0->final_line}, 3);
    else
        col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", shown);
}

/* The result a line carries (its transaction's codes and value) in the tree; words
 * gets the error in words ("" when none). */
static void add_result_fields(proto_tree *t, tvbuff_t *tvb, packet_info *pinfo, gint off, gint len,
                              const qftp_item *it, const qftpd_txn *txn, char *words, size_t cap)
{
    words[0] = '\0';
    if (!it->own || !txn)
        return;
    if (txn->has_err && txn->err != 0)
        qftp_describe_result(txn->err, txn->protocol_error, txn->has_pe, words, cap);
    if (!t) /* no tree: the words only */
        return;
    if (txn->has_err) {
        proto_tree_add_int(t, hf_qftp_err, tvb, off, len, (gint32)txn->err);
        /* "0,0" too: the manual's <protocol_error>, 0 = no reply code (BG96 chapter 6) */
        if (txn->has_pe && txn->protocol_error == 0)
            proto_tree_add_uint_format_value(t, hf_qftp_protocol_error, tvb, off, len, 0,
                                             "0 (none)");
        else if (txn->has_pe)
            proto_tree_add_uint(t, hf_qftp_protocol_error, tvb, off, len,
                                (guint32)txn->protocol_error);
        if (txn->err != 0) {
            proto_item *pi = proto_tree_add_string(t, hf_qftp_result_text, tvb, off, len, words);
            proto_item_set_generated(pi);
        }
    }
    const char *value = NULL;
    if (txn->value_kind == QFTP_VAL_INT)
        value = wmem_strdup_printf(pinfo->pool, "%" G_GINT64_FORMAT, txn->value_i);
    else if (txn->value_kind == QFTP_VAL_STR && txn->value_s)
        value = txn->value_s;
    if (value) {
        proto_item *vi = proto_tree_add_string(t, hf_qftp_value, tvb, off, len, value);
        /* +QFTPSTAT's state by name, as the GSM manual words it: BG96 2.17 gives a
         * number ("+QFTPSTAT: 0,1": 1, the server is open and idle) */
        if (txn->def && txn->def->result == QFTP_RES_STATE) {
            int st = qftp_state_from_wire(value, strlen(value));
            if (st >= 0 && g_ascii_isdigit(value[0]))
                proto_item_append_text(vi, " (%s)", qftp_state_name((qftp_ftp_state)st));
        }
    }
}

static void dissect_listing(proto_tree *t, tvbuff_t *tvb, gint off, gint len)
{
    proto_item *li = NULL;
    proto_tree *lt = proto_tree_add_subtree(t, tvb, off, len, ett_qftp_listing, &li, "Listing");
    /* tvb_find_guint8 was renamed (tvb_find_uint8, 4.4): search the bytes instead. */
    const guint8 *p = tvb_get_ptr(tvb, off, len);
    gint end = off + len;
    while (off < end) {
        const guint8 *eol = (const guint8 *)memchr(p, '\n', (size_t)(end - off));
        gint l = eol ? (gint)(eol - p) + 1 : end - off;
        gint tl = l;
        while (tl > 0 && (p[tl - 1] == '\n' || p[tl - 1] == '\r'))
            tl--;
        if (tl > 0)
            proto_tree_add_item(lt, hf_qftp_listing_line, tvb, off, tl, ENC_ASCII);
        off += l;
        p += l;
    }
}

static void dissect_item(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const qftp_frec *r,
                         const qftp_item *it)
{
    const qftp_conv *c = r->conv;
    const qftpd_txn *txn = qftpd_txn_get(c, it->txn, pinfo->pool);
    gint off;
    gboolean re;
    tvbuff_t *t = item_tvb(c, tvb, pinfo, it, &off, &re);
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
        dissect_cmdline(tvb, pinfo, tree, r, it, txn);
        break;
    case QFTP_EV_FINAL: {
        const char *fname = qftp_final_name((qftp_final_kind)it->final);
        const char *line = line_text(pinfo, t, off, len);
        pi = tree ? proto_tree_add_string_format(tree, hf_qftp_final, t, off, len,
                                                 fname ? fname : "", "Final result: %s", line)
                  : NULL;
        st = proto_item_add_subtree(pi, ett_qftp_final);
        if (it->final == QFTP_FINAL_CME_ERROR || it->final == QFTP_FINAL_CMS_ERROR) {
            if (it->value >= 0)
                proto_tree_add_uint(st, hf_qftp_cme_error, t, off, len, (guint32)it->value);
            else if (txn && txn->cme_text)
                proto_tree_add_string(st, hf_qftp_cme_text, t, off, len, txn->cme_text);
        }
        if (it->final != QFTP_FINAL_OK)
            expert_add_info_format(pinfo, pi, &qftpd_ei[QFTP_EXPERT_ERROR_RESULT],
                                   "Error result: %s", line);
        if (txn && tree) {
            add_request_link(st, t, pinfo, txn);
            guint32 fd = qftpd_frame_done(c, txn);
            if (fd && fd != pinfo->num) {
                pi = proto_tree_add_uint(st, hf_qftp_done_in, t, 0, 0, fd);
                proto_item_set_generated(pi);
            }
            /* to the frame the result is shown in (the session may have seen it later) */
            qftpd_nstime_from_ns(&dt, (r->ts ? r->ts : txn->t_final) - txn->t_sent);
            pi = proto_tree_add_time(st, hf_qftp_time, t, 0, 0, &dt);
            proto_item_set_generated(pi);
        }
        if (txn) {
            info_append(pinfo, (const char *[]){line, " (AT", txn->command, ")"}, 4);
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
        col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", line_text(pinfo, t, off, len));
        break;
    case QFTP_EV_LINE: {
        const char *line = line_text(pinfo, t, off, len);
        char *red = qftpd_pref_hide_passwords ? qftp_redact_dup((const uint8_t *)line, strlen(line),
                                                                QFTP_DIALECT_UNKNOWN, NULL)
                                              : NULL;
        if (red) { /* a read-back: +QFTPPASS: "pw", +QFTPCFG: "account","u","pw" */
            line = wmem_strdup(pinfo->pool, red);
            g_free(red);
        }
        if (it->dir == QFTP_DIR_TX) {
            proto_tree_add_item(tree, hf_qftp_text, t, off, len, ENC_ASCII);
            col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", line);
            break;
        }
        char words[256];
        if (txn && it->is_urc) {
            /* the outcome in the core's words, as qftp show gives it */
            qftp_txn_words w;
            w.result[0] = '\0';
            if (tree || pinfo->cinfo) /* shown in neither otherwise */
                qftpd_txn_words(txn, &w);
            pi = tree ? proto_tree_add_string_format(tree, hf_qftp_urc_line, t, off, len, line,
                                                     "Completion URC: %s", line)
                      : NULL;
            st = proto_item_add_subtree(pi, ett_qftp_urc);
            if (tree)
                proto_tree_add_string(st, hf_qftp_urc, t, off, len, txn->command);
            add_result_fields(st, t, pinfo, off, len, it, txn, words, sizeof words);
            gboolean failed = txn->has_err && txn->err != 0;
            if (tree && !failed && w.result[0])
                proto_item_set_generated(
                    proto_tree_add_string(st, hf_qftp_result_text, t, off, len, w.result));
            if (failed)
                expert_add_info_format(pinfo, pi, &qftpd_ei[QFTP_EXPERT_ERROR_URC], "%s: %s", line,
                                       words);
            if (tree) {
                add_request_link(st, t, pinfo, txn);
                guint32 ff = qftpd_frame_final(c, txn);
                if (ff && ff != pinfo->num) {
                    proto_item *fi = proto_tree_add_uint(st, hf_qftp_final_in, t, 0, 0, ff);
                    proto_item_set_generated(fi);
                }
                qftpd_nstime_from_ns(&dt, (r->ts ? r->ts : txn->t_done) - txn->t_sent);
                proto_item *ti = proto_tree_add_time(st, hf_qftp_done_time, t, 0, 0, &dt);
                proto_item_set_generated(ti);
            }
            /* Info: "+QFTPOPEN: 0,0 success", "+QFTPGET: 0,1000 success, transferlen 1000",
             * "+QFTPSIZE: 627,550 requested action not taken ..." */
            gboolean named = txn->def && txn->def->value_name;
            info_append(pinfo,
                        (const char *[]){line, " ",
                                         failed || (named && w.result[0]) ? w.result : "success"},
                        3);
        } else if (txn) {
            pi = tree ? proto_tree_add_string_format(tree, hf_qftp_info, t, off, len, line,
                                                     "Information response: %s", line)
                      : NULL;
            st = proto_item_add_subtree(pi, ett_qftp_line);
            if (tree) {
                add_result_fields(st, t, pinfo, off, len, it, txn, words, sizeof words);
                add_request_link(st, t, pinfo, txn);
            }
            col_append_sep_str(pinfo->cinfo, COL_INFO, "; ", line);
        } else {
            pi = tree ? proto_tree_add_string_format(tree, hf_qftp_unsolicited, t, off, len, line,
                                                     "Unsolicited: %s", line)
                      : NULL;
            st = proto_item_add_subtree(pi, ett_qftp_line);
            /* a line of no transaction: its name (and +QFTPERROR's code) from the line */
            qftp_resp resp;
            if (tree && qftp_resp_parse(line, strlen(line), &resp)) {
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
        if (txn && tree) {
            add_request_link(st, t, pinfo, txn);
            if (qftpd_is_listing(txn))
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
        expert_add_info(pinfo, pi, &qftpd_ei[QFTP_EXPERT_OVERFLOW]);
        break;
    }
}

/* The expert field of a note: its kind's entry, unless that entry is raised at the
 * item it concerns (the final result, the URC, the parameter), in the tree itself. */
static expert_field *note_ei(const qftp_fnote *n)
{
    const qftp_note_def *d = qftp_note_def_of((qftp_note_kind)n->kind);
    const qftp_expert_def *e = d ? qftp_expert_def_of(d->expert) : NULL;
    if (!e || e->item)
        return NULL;
    return &qftpd_ei[e->id];
}

/* What Wireshark shows for a note: the core's text, or words of its own where the
 * core's text speaks to another front end (qftp import's --redact). */
static const char *note_text(const qftp_fnote *n)
{
    if (n->kind == QFTP_NOTE_PASSWORD_IN_CLEAR)
        return qftpd_pref_hide_passwords
                   ? "FTP password sent in clear on the serial line (shown as ****)"
                   : "FTP password sent in clear on the serial line (QFTP preference "
                     "\"Hide passwords\" masks it)";
    return n->text;
}

static void dissect_notes(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const qftp_frec *r)
{
    for (guint32 i = 0; i < r->n_notes; i++) {
        const qftp_fnote *n = &r->notes[i];
        expert_field *ei = note_ei(n);
        if (!ei)
            continue;
        const char *text = note_text(n);
        proto_item *pi = proto_tree_add_string(tree, hf_qftp_note, tvb, 0, 0, text);
        proto_item_set_generated(pi);
        if (n->txn)
            proto_item_append_text(pi, " (transaction %u)", n->txn);
        expert_add_info_format(pinfo, pi, ei, "%s", text);
    }
}

static void dissect_frec(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const qftp_frec *r,
                         proto_tree *qt)
{
    for (guint32 i = 0; i < r->n_items; i++)
        dissect_item(tvb, pinfo, qt, r, &r->items[i]);
    dissect_notes(tvb, pinfo, qt, r);
    (void)tree;
}
/* ---- dissectors ------------------------------------------------------------------- */

int qftpd_dissect_common(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint64 key,
                         int dir_hint)
{
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "QFTP");
    col_clear(pinfo->cinfo, COL_INFO);

    qftp_frec *r = qftpd_rec_of(pinfo);
    if (!r) {
        if (PINFO_FD_VISITED(pinfo))
            return 0; /* not ours on the first pass */
        qftp_conv *c = qftpd_conv_get(key);
        qftp_dir dir;
        if (dir_hint == P2P_DIR_SENT)
            dir = QFTP_DIR_TX;
        else if (dir_hint == P2P_DIR_RECV)
            dir = QFTP_DIR_RX;
        else
            dir = qftpd_guess_dir(c, tvb);
        r = qftpd_first_pass(c, tvb, pinfo, dir);
        qftpd_rec_set(pinfo, r);
    } else if (!r->conv->finished) {
        qftpd_finish_conv(r->conv);
    }
    const qftp_frec *late =
        r->conv->late
            ? (const qftp_frec *)wmem_map_lookup(r->conv->late, GUINT_TO_POINTER(pinfo->num))
            : NULL;
    /* A serial line has no addresses: the Source and Destination columns name the two
     * ends, unless the transport (USB, TCP) gave addresses of its own. */
    if (pinfo->src.type == AT_NONE && pinfo->dst.type == AT_NONE) {
        static const char host[] = "host", module[] = "module";
        const char *from = r->dir == QFTP_DIR_TX ? host : module;
        const char *to = r->dir == QFTP_DIR_TX ? module : host;
        set_address(&pinfo->src, AT_STRINGZ, (int)strlen(from) + 1, from);
        set_address(&pinfo->dst, AT_STRINGZ, (int)strlen(to) + 1, to);
    }

    const qftp_fextra *x = qftpd_frec_extra(r);
    guint32 cont_in = x ? x->cont_in : 0;
    /* The frame's own fields (no tree: none of them; the items' checks and columns below
     * still run). */
    proto_tree *qt = NULL;
    if (tree) {
        proto_item *ti = proto_tree_add_item(tree, proto_qftp, tvb, 0, -1, ENC_NA);
        qt = proto_item_add_subtree(ti, ett_qftp);
        proto_item *pi = proto_tree_add_uint(qt, hf_qftp_direction, tvb, 0, 0, r->dir);
        proto_item_set_generated(pi);
        proto_item_append_text(ti, ", %s", val_to_str_const(r->dir, qftp_direction_vals, "?"));
        /* Once the capture is complete, frames before the dialect was detected are
         * labelled by the dialect found later (their commands too: shown_def). */
        guint8 dialect = r->dialect;
        if (dialect == QFTP_DIALECT_UNKNOWN && r->conv->finished && r->conv->s)
            dialect = (guint8)qftp_session_dialect(r->conv->s);
        pi = proto_tree_add_uint(qt, hf_qftp_dialect, tvb, 0, 0, dialect);
        proto_item_set_generated(pi);
        pi = proto_tree_add_uint(qt, hf_qftp_state, tvb, 0, 0, r->state);
        proto_item_set_generated(pi);
        if (cont_in) {
            pi = proto_tree_add_uint(qt, hf_qftp_continued_in, tvb, 0, 0, cont_in);
            proto_item_set_generated(pi);
        }
    }
    /* First dissection (a single pass prints it now): what this frame completed in
     * earlier frames (their bytes come first in the stream) is shown here too. */
    const qftp_frec *early = NULL;
    if (!PINFO_FD_VISITED(pinfo) && x && x->n_early) {
        qftp_frec *e = wmem_new0(pinfo->pool, qftp_frec);
        e->conv = r->conv;
        e->frame = r->frame;
        e->dir = r->dir;
        e->dialect = r->dialect;
        e->ts = r->ts;
        e->n_items = x->n_early;
        e->items = x->early;
        dissect_frec(tvb, pinfo, tree, e, qt);
        early = e;
    }
    dissect_frec(tvb, pinfo, tree, r, qt);
    if (late)
        dissect_frec(tvb, pinfo, tree, late, qt);
    if (r->n_items == 0 && !early && tvb_captured_length(tvb) > 0)
        col_append_sep_fstr(pinfo->cinfo, COL_INFO, "; ", "%s %u bytes (line continues%s)",
                            r->dir == QFTP_DIR_TX ? "Host" : "Module", tvb_captured_length(tvb),
                            cont_in ? " in a later frame" : "");
    qftpd_push_taps(tvb, pinfo, early, r, late);
    return tvb_captured_length(tvb);
}

/* Exported PDU (every qftp tool writes these), DLT_USER, RTAC serial: one serial
 * session per capture interface (a pcapng file merged from several ports' captures
 * keeps one interface per port), the direction from the P2P direction tag. */
static int dissect_qftp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    guint64 key = 0;
    if (pinfo->rec && (pinfo->rec->presence_flags & WTAP_HAS_INTERFACE_ID))
        key = pinfo->rec->rec_header.packet_header.interface_id;
    return qftpd_dissect_common(tvb, pinfo, tree, key, pinfo->p2p_dir);
}

/* Serial-over-TCP bridges: one session per TCP conversation. */
static int dissect_qftp_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    guint64 key = (G_GUINT64_CONSTANT(1) << 56) | conv->conv_index;
    int dir = P2P_DIR_UNKNOWN;
    if (qftpd_pref_host_side != QFTP_HOST_AUTO) {
        /* the listening side answers on the lower (registered) port */
        gboolean from_server = pinfo->srcport < pinfo->destport;
        gboolean host = qftpd_pref_host_side == QFTP_HOST_SERVER ? from_server : !from_server;
        dir = host ? P2P_DIR_SENT : P2P_DIR_RECV;
    } else if (!PINFO_FD_VISITED(pinfo)) {
        /* The side whose first bytes are a command is the host for the whole stream, so a
         * command split over segments keeps its direction. */
        qftp_conv *c = qftpd_conv_get(key);
        if (c->tcp_host_port == 0 && qftpd_looks_like_host(tvb))
            c->tcp_host_port = pinfo->srcport;
        if (c->tcp_host_port)
            dir = pinfo->srcport == c->tcp_host_port ? P2P_DIR_SENT : P2P_DIR_RECV;
    }
    return qftpd_dissect_common(tvb, pinfo, tree, key, dir);
}
/* ---- file scope ------------------------------------------------------------------- */

static void qftp_init(void)
{
    qftpd_frames_init();
    qftpd_usb_init();
}

static void qftp_cleanup(void)
{
    qftpd_frames_cleanup();
    qftpd_taps_cleanup();
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
    qftpd_err_vals = vs_from_codes(QFTP_CODES_GSM_FTP, QFTP_CODES_BG96_FTP, FALSE);
    qftpd_pe_vals = vs_from_codes(QFTP_CODES_FTP_REPLY, (qftp_code_table)-1, TRUE);
    qftpd_cme_vals = vs_from_codes(QFTP_CODES_CME, QFTP_CODES_BG96_FTP, TRUE);
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

static int expert_group(qftp_expert_group g)
{
    switch (g) {
    case QFTP_EG_COMMENTS:
        return PI_COMMENTS_GROUP;
    case QFTP_EG_SEQUENCE:
        return PI_SEQUENCE;
    case QFTP_EG_RESPONSE_CODE:
        return PI_RESPONSE_CODE;
    case QFTP_EG_SECURITY:
        return PI_SECURITY;
    case QFTP_EG_MALFORMED:
        return PI_MALFORMED;
    case QFTP_EG_UNDECODED:
        return PI_UNDECODED;
    case QFTP_EG_PROTOCOL:
    default:
        return PI_PROTOCOL;
    }
}

static int expert_severity(qftp_severity s)
{
    switch (s) {
    case QFTP_SEV_INFO:
        return PI_CHAT;
    case QFTP_SEV_NOTE:
        return PI_NOTE;
    case QFTP_SEV_WARN:
        return PI_WARN;
    default:
        return PI_ERROR;
    }
}

/* One expert field per entry of the core's table: qftp.expert.<name>, its group,
 * severity and summary. */
static void register_expert_fields(void)
{
    size_t n = 0;
    const qftp_expert_def *defs = qftp_expert_defs(&n);
    /* Wireshark keeps the array: it must outlive registration. */
    ei_register_info *ei = g_new0(ei_register_info, n);
    for (size_t i = 0; i < n; i++) {
        qftpd_ei[defs[i].id] = (expert_field)EI_INIT;
        ei[i] = (ei_register_info){&qftpd_ei[defs[i].id],
                                   {g_strdup_printf("qftp.expert.%s", defs[i].name),
                                    expert_group(defs[i].group), expert_severity(defs[i].severity),
                                    defs[i].summary, EXPFILL}};
    }
    expert_module_t *expert_qftp = expert_register_protocol(proto_qftp);
    expert_register_field_array(expert_qftp, ei, (int)n);
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
            hf[i].hfinfo.strings = VALS(qftpd_err_vals);
        else if (id == &hf_qftp_protocol_error)
            hf[i].hfinfo.strings = VALS(qftpd_pe_vals);
        else if (id == &hf_qftp_cme_error)
            hf[i].hfinfo.strings = VALS(qftpd_cme_vals);
    }

    proto_qftp = proto_register_protocol("Quectel FTP AT commands", "QFTP", "qftp");
    proto_register_field_array(proto_qftp, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    register_expert_fields();
    register_param_fields();

    module_t *m = prefs_register_protocol(proto_qftp, NULL);
    prefs_register_enum_preference(m, "dialect", "Dialect",
                                   "Command set of the module; auto detects it from the traffic",
                                   &qftpd_pref_dialect, pref_dialect_vals, FALSE);
    prefs_register_enum_preference(m, "host_side", "Host side when the capture has no direction",
                                   "Which bytes are the host's when a frame carries no direction",
                                   &qftpd_pref_host_side, pref_host_vals, FALSE);
    prefs_register_uint_preference(m, "rsptimeout", "Default rsptimeout (s)",
                                   "Outcomes later than this are flagged (BG96 default 90 s); "
                                   "AT+QFTPCFG=\"rsptimeout\" in the capture overrides it",
                                   10, &qftpd_pref_rsptimeout);
    prefs_register_bool_preference(m, "hide_passwords", "Hide passwords",
                                   "Show FTP passwords as **** in the tree and the Info column",
                                   &qftpd_pref_hide_passwords);

    qftp_handle = register_dissector("qftp", dissect_qftp, proto_qftp);
    qftpd_usb_register();
    qftp_tcp_handle = register_dissector("qftp.tcp", dissect_qftp_tcp, proto_qftp);

    register_init_routine(qftp_init);
    register_cleanup_routine(qftp_cleanup);

    qftpd_taps_register();
}

void proto_reg_handoff_qftp(void)
{
    qftpd_usb_handoff();
    dissector_add_for_decode_as("rtacser.data", qftp_handle);
    dissector_add_for_decode_as_with_preference("tcp.port", qftp_tcp_handle);

    qftpd_taps_handoff();
}

void plugin_register(void)
{
    static proto_plugin plug;
    plug.register_protoinfo = proto_register_qftp;
    plug.register_handoff = proto_reg_handoff_qftp;
    proto_register_plugin(&plug);
}
