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
    gint64 value;  /* event value (CME code, CONNECT n, payload so far ...) */
    guint8 *copy;  /* the span when it began in an earlier frame */
} qftp_item;

typedef struct {
    guint16 kind; /* qftp_note_kind: its expert entry (qftp/notes.h) */
    guint32 txn;
    char *text;
} qftp_fnote;

typedef struct qftp_conv qftp_conv;

typedef struct {
    qftp_conv *conv;
    guint64 base; /* stream offset of the frame's first byte (its direction) */
    guint32 len;  /* bytes of the frame */
    guint32 n_items, n_notes;
    qftp_item *items;
    qftp_fnote *notes;
    /* Items that the feed of this frame placed in earlier frames (their bytes are
     * there): a single pass has printed those frames already, so its dissection of this
     * frame shows them here (with a copy of their bytes); later dissections do not. */
    guint32 n_early;
    qftp_item *early;
    guint32 cont_in; /* a line that begins here ends in that frame */
    guint32 frame;   /* its frame number (0: the end-of-capture record) */
    qftp_ts ts;      /* its time as fed to the session */
    guint8 dir, dialect, state;
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
    guint32 sess_notes_seen;
    wmem_map_t *late;      /* frame -> qftp_frec*: what the session's finish added */
    wmem_map_t *moved;     /* txn index * 2 (+1) -> frame of its final result (its URC)
                              when shown in an earlier frame than the session saw it in */
    GByteArray *prefix[2]; /* bytes of a line begun in an earlier frame (TX/RX) */
    guint32 tcp_host_port; /* serial-over-TCP: the host's port, learnt from its first command */
    guint64 usb_eps;       /* USB without descriptors: endpoints (bit n = address n, IN and
                              OUT folded) that have carried AT traffic */
};

/* The conversation of a key (file scope), made on first use / NULL when unknown. */
qftp_conv *qftpd_conv_get(guint64 key);
qftp_conv *qftpd_conv_lookup(guint64 key);

/* First pass of a frame: feeds its bytes to the conversation's session and returns
 * the frame's record (file scope). */
qftp_frec *qftpd_first_pass(qftp_conv *c, tvbuff_t *tvb, packet_info *pinfo, qftp_dir dir);

/* End of the capture, seen from the second pass: the session's last word goes to the
 * frames it concerns (conv->late). Idempotent. */
void qftpd_finish_conv(qftp_conv *c);

/* The frames a transaction's final result and completion URC are shown in (0: none):
 * the session's frame_final / frame_done, or the earlier frame holding their bytes when
 * the parser released them late. Every link uses these. */
guint32 qftpd_frame_final(const qftp_conv *c, const qftp_txn *t);
guint32 qftpd_frame_done(const qftp_conv *c, const qftp_txn *t);

/* Transaction idx (1-based) of the conversation's session; NULL for 0 or none. */
const qftp_txn *qftpd_txn_get(const qftp_conv *c, guint32 idx);

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

static inline gboolean qftpd_is_listing(const qftp_txn *t)
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
