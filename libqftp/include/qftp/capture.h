/* qftp/capture.h - qftp captures through libpcap.
 *
 * Written: pcap, LINKTYPE_WIRESHARK_UPPER_PDU (252). Each frame is an exported-PDU
 * TLV list followed by the bytes of one serial read or write (docs/capture-format.md):
 *   tag 12 (dissector name, "qftp"), tag 35 (P2P direction, int32 BE: 0 host->module,
 *   1 module->host), [private tag 0xF571: timestamp synthesised], tag 0 (end), unpadded.
 * Read: that format with any dissector name, and LINKTYPE_RTAC_SERIAL (250)
 * (TX/RX event types; other events are skipped).
 */
#ifndef QFTP_CAPTURE_H
#define QFTP_CAPTURE_H

#include <stdio.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QFTP_LINKTYPE_UPPER_PDU 252
#define QFTP_LINKTYPE_RTAC_SERIAL 250
#define QFTP_EXP_TAG_END 0
#define QFTP_EXP_TAG_DISSECTOR_NAME 12
#define QFTP_EXP_TAG_P2P_DIRECTION 35
/* Not a Wireshark-assigned tag: marks a frame whose timestamp was synthesised by the
 * importer (the log had none). Wireshark shows it as an unknown tag and goes on. */
#define QFTP_EXP_TAG_TS_SYNTH 0xF571

#define QFTP_CAPTURE_SNAPLEN 262144 /* largest frame (libpcap reads no larger) */
#define QFTP_CAPTURE_MAX_PAYLOAD (QFTP_CAPTURE_SNAPLEN - 64) /* room for the TLV header */

typedef struct {
    qftp_dir dir;
    bool dir_known; /* false: the frame carried no direction */
    qftp_ts ts;
    bool ts_synth;
    const uint8_t *data; /* payload (serial bytes); valid until the next call */
    size_t len;
    uint64_t frame_no;  /* 1-based, as Wireshark numbers frames */
    char dissector[32]; /* the tag-12 name ("qftp", "at", ...); "" for RTAC */
    int linktype;
} qftp_frame;

/* ---- writing ----------------------------------------------------------------- */

typedef struct qftp_capture_writer qftp_capture_writer;

/* Creates `path` atomically: frames go to a temporary file beside it that
 * qftp_capw_close(w, true, ...) renames into place; closing with commit=false (or
 * a failure) removes it, so no partial file is ever left under `path`.
 * path "-" writes to stdout (no atomicity). A `path` that exists and is not a regular
 * file (a named pipe such as Wireshark's extcap fifo, a device) is written in place as
 * by qftp_capw_open_direct(): it cannot be replaced, and its reader sees each frame
 * after the next flush. */
qftp_capture_writer *qftp_capw_open(const char *path, const char *dissector_name, char *errbuf);
/* Creates (or truncates) `path` itself and writes there directly, for a recording that
 * must be readable while it grows and after the writer is killed: the file header is
 * on disk when this returns, and every frame is after the next qftp_capw_flush() (a
 * reader sees whole records up to the last flush; a kill between flushes may leave a
 * last record cut short). Frames are buffered in 256 KiB. A write or flush that fails
 * (disk full, a file size limit) cuts the file back to its length after the last
 * successful flush and drops what was buffered since: the file stays a whole capture
 * and qftp_capw_frames() then counts the frames it holds. qftp_capw_close() with
 * commit=true flushes and fsyncs; with commit=false, or after a failed write, the file
 * stays as far as it was written. */
qftp_capture_writer *qftp_capw_open_direct(const char *path, const char *dissector_name,
                                           char *errbuf);
/* Payloads longer than QFTP_CAPTURE_MAX_PAYLOAD are split into several frames with the same
 * timestamp (never truncated). Returns 0 or -1. On a failure of this or of
 * qftp_capw_flush() errno says why (EPIPE: the reader of a pipe went away; the caller
 * ignores SIGPIPE). A named pipe or a device is never cut back and never fsynced. */
int qftp_capw_write(qftp_capture_writer *w, qftp_dir dir, qftp_ts ts, bool ts_synth,
                    const uint8_t *data, size_t len, char *errbuf);
int qftp_capw_flush(qftp_capture_writer *w, char *errbuf);
/* Frames written; after a failed write of a direct writer, the frames in the file. */
uint64_t qftp_capw_frames(const qftp_capture_writer *w);
/* Returns 0 or -1; frees w in every case. (qftp_capw_open_direct: see there.) */
int qftp_capw_close(qftp_capture_writer *w, bool commit, char *errbuf);

/* ---- reading ----------------------------------------------------------------- */

typedef struct qftp_capture_reader qftp_capture_reader;

/* Opens a pcap or pcapng file ("-" = stdin). NULL with errbuf on an unreadable file or
 * a link type other than 252/250 (the message names the link type). */
qftp_capture_reader *qftp_capr_open(const char *path, char *errbuf);
/* The same from a stream already open, e.g. one that replays bytes read ahead to tell a
 * capture from a log. The reader owns fp from this call on: it is closed on failure and
 * by qftp_capr_close (stdin excepted, as libpcap does). */
qftp_capture_reader *qftp_capr_fopen(FILE *fp, char *errbuf);
/* 1: *f filled; 0: end of file; -1: error (truncated record, bad TLV ...), errbuf names
 * the frame. Frames read before an error stay valid results. */
int qftp_capr_next(qftp_capture_reader *r, qftp_frame *f, char *errbuf);
int qftp_capr_linktype(const qftp_capture_reader *r);
void qftp_capr_close(qftp_capture_reader *r);

/* true if these first bytes look like a pcap or pcapng file. */
bool qftp_capture_sniff(const uint8_t *head, size_t n);

/* src read again from where its first n bytes (head) were: src itself, sought back, or
 * (a pipe) a new stream that gives head and then the rest of src, and closes src (stdin
 * excepted) when closed. NULL with errno on failure, src left open. */
FILE *qftp_stream_put_back(FILE *src, const uint8_t *head, size_t n);

/* Builds the exported-PDU header for one frame into buf (cap >= 64); returns its
 * length. Shared with tools that write frames themselves. */
size_t qftp_exp_pdu_header(uint8_t *buf, size_t cap, const char *dissector_name, qftp_dir dir,
                           bool ts_synth);

#ifdef __cplusplus
}
#endif
#endif
