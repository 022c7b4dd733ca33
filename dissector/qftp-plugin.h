/* qftp-plugin.h - what the files of the Wireshark plugin share (not installed).
 *
 *   packet-qftp.c    registration, and the trees built from per-frame records
 *   qftp-frames.c    per-frame records: the first pass feeds each conversation's
 *                    qftp_session and keeps what every frame needs later
 *   qftp-usb.c       USB bulk: which endpoints carry AT, one session per port
 *   qftp-taps.c      statistics, response times, export objects
 *
 * Everything here has hidden visibility (the plugin exports plugin_* only); the
 * qftpd_ prefix keeps these names apart from the core library's qftp_*.
 *
 * Copyright 2024 the qftp authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QFTP_PLUGIN_H
#define QFTP_PLUGIN_H

#include "qftp-compat.h"

#include <epan/packet.h>
#include <epan/proto_data.h>

#include "qftp/notes.h"
#include "qftp/session.h"
#include "qftp/tables.h"

/* ---- preferences (packet-qftp.c) ------------------------------------------------ */

#include <epan/expert.h>

enum { QFTP_HOST_AUTO = 0, QFTP_HOST_CLIENT = 1, QFTP_HOST_SERVER = 2 };

extern gint qftpd_pref_dialect;
extern gint qftpd_pref_host_side;
extern guint qftpd_pref_rsptimeout;
extern qftp_pref_bool qftpd_pref_hide_passwords;

extern int proto_qftp;

/* The expert fields, one per entry of the core's table (qftp/notes.h), by its id. */
extern expert_field qftpd_ei[QFTP_EXPERT__COUNT];

/* ---- per-frame records (qftp-frames.c) -------------------------------------------- */

/* One event of the parser, as a frame shows it. Kept for every frame of a capture: as
 * small as it can be (what the transaction knows is read from it when shown). */
typedef struct {
    guint8 kind;   /* qftp_event_kind */
    guint8 dir;    /* qftp_dir */
    guint8 final;  /* qftp_final_kind */
    guint8 reason; /* qftp_data_end_reason */
    guint16 flags; /* QFTP_EVF_* */
    guint8 own;    /* an RX line carrying its transaction's "+NAME:" result (codes, value) */
    guint8 is_urc; /* that line is the completion URC */
    gint32 off;    /* offset of the span in the frame; -1: bytes in `copy` */
    guint32 len;   /* span length */
    guint32 txn;   /* 1-based transaction index, 0 none */
    guint32 copy;  /* the span when it began in an earlier frame: its bytes are the
                      conversation's copies[copy] (qftpd_item_copy); 0 none */
    gint64 value;  /* event value (CME code, CONNECT n, payload so far ...) */
} qftp_item;

typedef struct {
    guint16 kind; /* qftp_note_kind: its expert entry (qftp/notes.h) */
    guint32 txn;
    char *text;
} qftp_fnote;

typedef struct qftp_conv qftp_conv;

/* A transaction as the plugin keeps it. The session hands each one over once nothing
 * can change it (qftp_session_sink) and frees it: its memory does not grow with the
 * capture. What the trees, links, statistics and Export Objects need is copied here, in
 * one block (shared strings interned per capture); its words are the core's
 * (qftpd_txn_words). A transaction still open is read from the session (qftpd_txn_get
 * makes a view of it). */
typedef struct {
    const qftp_cmd_def *def;
    const char *command;    /* "+QFTPOPEN" */
    const char *final_line; /* "+CME ERROR: 603"; NULL none */
    const char *cme_text;   /* +CME ERROR text form; NULL */
    const char *line;       /* the line with passwords hidden, kept only when hiding */
    const char **params;    /* raw, quotes kept, n_params of them (passwords hidden when
                               hiding) */
    const char *value_s;    /* QFTP_VAL_STR result value */
    guint32 *spans;         /* cmd_span off, len, then each parameter's; NULL: the line is
                               not on the wire as such ("A/") */
    qftp_ts t_sent, t_final, t_done;
    gint64 cme_code, err, protocol_error, value_i, data_len;
    guint32 index, frame_sent, frame_final, frame_done;
    guint8 sub_index, type, final, phase, data_dir, value_kind, n_params;
    guint8 has_err : 1, has_pe : 1, repeat : 1, has_urc : 1;
} qftpd_txn;

/* What few frames have (kept beside the records, by frame number). */
typedef struct {
    /* Items that the feed of this frame placed in earlier frames (their bytes are
     * there): a single pass has printed those frames already, so its dissection of this
     * frame shows them here (with a copy of their bytes); later dissections do not. */
    qftp_item *early;
    guint32 n_early;
    guint32 cont_in; /* a line that begins here ends in that frame */
} qftp_fextra;

/* One per frame of the capture that carries the protocol: kept for the whole file,
 * so as small as it can be. */
typedef struct {
    qftp_conv *conv;
    guint64 base; /* stream offset of the frame's first byte (its direction) */
    qftp_ts ts;   /* its time as fed to the session */
    qftp_item *items;
    qftp_fnote *notes;
    guint32 len;   /* bytes of the frame */
    guint32 frame; /* its frame number (0: the end-of-capture record) */
    guint32 n_items, n_notes;
    guint8 dir, dialect, state;
    guint8 has_extra; /* a qftp_fextra in conv->extra */
} qftp_frec;

#define QFTP_RING 32

struct qftp_conv {
    guint32 id; /* 1, 2, ... in the order the capture's sessions begin */
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
    GArray *early;           /* scratch qftp_item: copies of those placed in earlier frames */
    GArray *notes;           /* scratch qftp_fnote */
    GArray *notes_seen;      /* guint16 per txn index */
    GArray *open;            /* guint32 txn indices that may still get notes */
    guint32 txn_seen;        /* txns known so far */
    GPtrArray *txns;         /* qftpd_txn* by index (1-based), those handed over */
    GPtrArray *copies;       /* guint8*: bytes of items not in their frame (1-based) */
    GStringChunk *strings;   /* their strings, interned */
    wmem_map_t *late;        /* frame -> qftp_frec*: what the session's finish added */
    wmem_map_t *extra;       /* frame -> qftp_fextra* */
    wmem_map_t *moved;       /* txn index * 2 (+1) -> frame of its final result (its URC)
                                when shown in an earlier frame than the session saw it in */
    guint32 tcp_host_port;   /* serial-over-TCP: the host's port, learnt from its first command */
    guint64 usb_eps;         /* USB without descriptors: endpoints (bit n = address n, IN and
                                OUT folded) that have carried AT traffic */
};

/* The conversation of a key (file scope), made on first use / NULL when unknown. */
qftp_conv *qftpd_conv_get(guint64 key);
qftp_conv *qftpd_conv_lookup(guint64 key);

/* The record of a frame (NULL: none yet), by frame number. */
qftp_frec *qftpd_rec_of(const packet_info *pinfo);
void qftpd_rec_set(const packet_info *pinfo, qftp_frec *r);
const qftp_fextra *qftpd_frec_extra(const qftp_frec *r);

/* First pass of a frame: feeds its bytes to the conversation's session and returns
 * the frame's record (file scope). */
qftp_frec *qftpd_first_pass(qftp_conv *c, tvbuff_t *tvb, packet_info *pinfo, qftp_dir dir);

/* End of the capture, seen from the second pass: the session's last word goes to the
 * frames it concerns (conv->late). Idempotent. */
void qftpd_finish_conv(qftp_conv *c);

/* The frames a transaction's final result and completion URC are shown in (0: none):
 * the session's frame_final / frame_done, or the earlier frame holding their bytes when
 * the parser released them late. Every link uses these. */
guint32 qftpd_frame_final(const qftp_conv *c, const qftpd_txn *t);
guint32 qftpd_frame_done(const qftp_conv *c, const qftpd_txn *t);

/* Transaction idx (1-based) of the conversation; NULL for 0 or none. A transaction the
 * session still holds is a view made in `scratch` (pinfo->pool), valid during the
 * dissection. */
const qftpd_txn *qftpd_txn_get(const qftp_conv *c, guint32 idx, wmem_allocator_t *scratch);

/* The bytes of an item that began in an earlier frame (NULL: the item's bytes are
 * in its frame at it->off). */
static inline const guint8 *qftpd_item_copy(const qftp_conv *c, const qftp_item *it)
{
    return it->copy ? (const guint8 *)g_ptr_array_index(c->copies, it->copy) : NULL;
}

/* A transaction in the core's words (qftp_txn_describe, or what was kept of it). */
void qftpd_txn_words(const qftpd_txn *t, qftp_txn_words *w);

/* device-quirks.md "Framing": a line that starts with AT (any case) is the host's. */
gboolean qftpd_looks_like_host(tvbuff_t *tvb);

/* Direction of a frame that carries none. */
qftp_dir qftpd_guess_dir(const qftp_conv *c, tvbuff_t *tvb);

/* File scope: init and cleanup routines. */
void qftpd_frames_init(void);
void qftpd_frames_cleanup(void);

static inline void qftpd_nstime_from_ns(nstime_t *t, qftp_ts ns)
{
    t->secs = (time_t)(ns / QFTP_NS_PER_SEC);
    t->nsecs = (int)(ns % QFTP_NS_PER_SEC);
}

static inline gboolean qftpd_is_listing(const qftpd_txn *t)
{
    return t && (strcmp(t->command, "+QFTPLIST") == 0 || strcmp(t->command, "+QFTPNLST") == 0 ||
                 strcmp(t->command, "+QFTPMLSD") == 0);
}

/* ---- dissection (packet-qftp.c) ---------------------------------------------------- */

/* Dissects a frame of the serial session `key`; dir_hint is a P2P_DIR_* (unknown:
 * guessed). Returns the bytes taken. */
int qftpd_dissect_common(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint64 key,
                         int dir_hint);

extern value_string *qftpd_err_vals; /* GSM chapter 3 (negative) + BG96 chapter 5 */
extern value_string *qftpd_cme_vals; /* +CME ERROR codes + BG96 chapter 5 */
extern value_string *qftpd_pe_vals;  /* FTP reply codes (BG96 chapter 6, RFC 959) */

/* ---- USB (qftp-usb.c) ------------------------------------------------------------- */

void qftpd_usb_register(void);
void qftpd_usb_handoff(void);
void qftpd_usb_init(void);

/* ---- taps (qftp-taps.c) ------------------------------------------------------------- */

/* What taps get: one per frame record. */
typedef struct {
    const qftp_frec *rec;
    tvbuff_t *tvb;
    guint32 frame;
} qftp_tap_info;

void qftpd_taps_register(void);
void qftpd_taps_handoff(void);
/* The records a dissection of a frame shows, in stream order: the items this frame
 * completed in earlier frames (first dissection only), its own, the end of capture's. */
void qftpd_push_taps(tvbuff_t *tvb, packet_info *pinfo, const qftp_frec *early, const qftp_frec *r,
                     const qftp_frec *late);
void qftpd_taps_cleanup(void);

#endif
