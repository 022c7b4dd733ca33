/* capture.c - qftp captures through libpcap (docs/capture-format.md).
 *
 * Writing goes through libpcap's dumper on a temporary file that is renamed into
 * place on commit, or, for a live recording, on the target itself
 * (qftp_capw_open_direct). Reading takes classic pcap files of link types 250 and 252
 * itself and lets libpcap parse every other container (pcapng, other pcap forms); both
 * bound every record to the link type's snapshot length, 256 KiB, so a buffer of 1 MiB
 * is all the memory a reader holds. The exported-PDU tags and the RTAC serial header
 * are decoded here.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qftp/capture.h"

#define ERR(...) snprintf(errbuf, QFTP_ERRBUF_SIZE, __VA_ARGS__)

/* Longest dissector name we write: it must come back whole in qftp_frame.dissector. */
#define CAP_NAME_MAX (sizeof(((qftp_frame *)0)->dissector) - 1)

/* packet-rtacser.c: 4-byte seconds, 4-byte microseconds, event, control lines, footer */
#define RTAC_HEADER_LEN 12
#define RTAC_EV_DATA_TX_START 0x01
#define RTAC_EV_DATA_RX_START 0x02
#define RTAC_EV_DATA_TX_END 0x03
#define RTAC_EV_DATA_RX_END 0x04

/* Wireshark's P2P_DIR_SENT / P2P_DIR_RECV (epan/packet_info.h); -1 is "unknown". */
#define P2P_DIR_SENT 0
#define P2P_DIR_RECV 1

static void put_be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- the exported-PDU header ----------------------------------------------------------- */

static uint8_t *put_tlv(uint8_t *at, unsigned tag, const void *value, size_t len)
{
    put_be16(at, tag);
    put_be16(at + 2, (unsigned)len);
    if (len)
        memcpy(at + 4, value, len);
    return at + 4 + len;
}

size_t qftp_exp_pdu_header(uint8_t *buf, size_t cap, const char *dissector_name, qftp_dir dir,
                           bool ts_synth)
{
    if (!dissector_name)
        dissector_name = "qftp";
    size_t name_len = strlen(dissector_name);
    size_t need = 4 + name_len + 4 + 4 + (ts_synth ? 4 + 1 : 0) + 4;
    if (need > cap || name_len > UINT16_MAX) /* 64 bytes hold names of up to 43 characters */
        return 0;
    /* Wireshark 4.0 reads the tags back to back (packet-exported_pdu.c): no padding. */
    static const uint8_t dir_sent[4] = {0, 0, 0, P2P_DIR_SENT};
    static const uint8_t dir_recv[4] = {0, 0, 0, P2P_DIR_RECV};
    static const uint8_t synth = 1;
    uint8_t *at = put_tlv(buf, QFTP_EXP_TAG_DISSECTOR_NAME, dissector_name, name_len);
    at = put_tlv(at, QFTP_EXP_TAG_P2P_DIRECTION, dir == QFTP_DIR_RX ? dir_recv : dir_sent, 4);
    if (ts_synth)
        at = put_tlv(at, QFTP_EXP_TAG_TS_SYNTH, &synth, 1);
    at = put_tlv(at, QFTP_EXP_TAG_END, NULL, 0);
    return (size_t)(at - buf);
}

bool qftp_capture_sniff(const uint8_t *h, size_t n)
{
    if (n < 4)
        return false;
    uint32_t be = get_be32(h);
    uint32_t le = (uint32_t)h[3] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[1] << 8 | h[0];
    if (be == 0xA1B2C3D4 || le == 0xA1B2C3D4 || be == 0xA1B23C4D || le == 0xA1B23C4D)
        return true;
    if (be != 0x0A0D0D0A) /* pcapng Section Header Block type; a palindrome */
        return false;
    if (n < 12)
        return true;
    /* the byte-order magic after the block length tells the endianness */
    uint32_t bom_be = get_be32(h + 8);
    return bom_be == 0x1A2B3C4D || bom_be == 0x4D3C2B1A;
}

/* ---- writing --------------------------------------------------------------------------- */

struct qftp_capture_writer {
    pcap_t *dead;
    pcap_dumper_t *dump;
    FILE *fp;
    char *path;  /* NULL when writing to stdout */
    char *tmp;   /* NULL when writing to stdout or directly to path */
    char *iobuf; /* the stream's buffer (direct writers) */
    bool failed; /* a write reached the file only in part: nothing can be committed */
    char name[CAP_NAME_MAX + 1];
    uint64_t frames;
    /* direct writers: the file's length and frame count after the last flush that
     * reached the file whole; a failed write cuts the file back to them */
    off_t good_len;
    uint64_t good_frames;
    bool stream;  /* path is not a regular file (a named pipe, a device): no fsync, no cut */
    uint8_t *buf; /* one frame: tags + up to QFTP_CAPTURE_MAX_PAYLOAD bytes */
};

static void writer_free(qftp_capture_writer *w)
{
    if (w->dead)
        pcap_close(w->dead);
    free(w->buf);
    free(w->iobuf);
    free(w->path);
    free(w->tmp);
    free(w);
}

/* A live recording's frames are one read each (often a few bytes, up to 64 KiB): a
 * buffer this size makes a write(2) per many frames instead of one or two per frame. */
#define DIRECT_IOBUF (256 * 1024)

static qftp_capture_writer *capw_open(const char *path, const char *dissector_name, bool direct,
                                      char *errbuf)
{
    if (!dissector_name)
        dissector_name = "qftp";
    size_t name_len = strlen(dissector_name);
    if (name_len == 0 || name_len > CAP_NAME_MAX) {
        ERR("dissector name '%s' must be 1 to %zu characters long", dissector_name, CAP_NAME_MAX);
        return NULL;
    }
    qftp_capture_writer *w = calloc(1, sizeof *w);
    if (!w) {
        ERR("out of memory");
        return NULL;
    }
    memcpy(w->name, dissector_name, name_len + 1);
    w->buf = malloc(QFTP_CAPTURE_SNAPLEN);
    /* Nanoseconds: the importer keeps log times to the nanosecond when it has them, and
     * libpcap, Wireshark and tshark all read the 0xA1B23C4D magic. */
    w->dead = pcap_open_dead_with_tstamp_precision(QFTP_LINKTYPE_UPPER_PDU, QFTP_CAPTURE_SNAPLEN,
                                                   PCAP_TSTAMP_PRECISION_NANO);
    if (!w->buf || !w->dead) {
        ERR("out of memory");
        writer_free(w);
        return NULL;
    }
    /* A named pipe (Wireshark's extcap fifo, `mkfifo`) or a device cannot be replaced
     * atomically, nor should it be: it is written in place, as a stream. */
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        direct = true;
        w->stream = true;
    }
    if (strcmp(path, "-") == 0) {
        w->fp = stdout;
    } else if (direct) {
        w->path = strdup(path);
        w->iobuf = malloc(DIRECT_IOBUF);
        if (!w->path || !w->iobuf) {
            ERR("out of memory");
            writer_free(w);
            return NULL;
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            ERR("cannot create %s: %s", path, strerror(errno));
            writer_free(w);
            return NULL;
        }
        w->fp = fdopen(fd, "wb");
        if (!w->fp) {
            ERR("cannot write %s: %s", path, strerror(errno));
            close(fd);
            writer_free(w);
            return NULL;
        }
        setvbuf(w->fp, w->iobuf, _IOFBF, DIRECT_IOBUF);
    } else {
        size_t n = strlen(path) + sizeof ".XXXXXX";
        w->path = strdup(path);
        w->tmp = malloc(n);
        if (!w->path || !w->tmp) {
            ERR("out of memory");
            writer_free(w);
            return NULL;
        }
        /* Same directory as the target, so that the final rename() cannot cross a file
         * system and is atomic. */
        snprintf(w->tmp, n, "%s.XXXXXX", path);
        int fd = mkstemp(w->tmp);
        if (fd < 0) {
            ERR("cannot create %s: %s", path, strerror(errno));
            writer_free(w);
            return NULL;
        }
        (void)fchmod(fd, 0644); /* mkstemp makes it 0600; a capture is not a secret */
        w->fp = fdopen(fd, "wb");
        if (!w->fp) {
            ERR("cannot write %s: %s", path, strerror(errno));
            close(fd);
            unlink(w->tmp);
            writer_free(w);
            return NULL;
        }
    }
    w->dump = pcap_dump_fopen(w->dead, w->fp);
    if (!w->dump) {
        ERR("cannot write %s: %s", path, pcap_geterr(w->dead));
        if (w->tmp) {
            fclose(w->fp);
            unlink(w->tmp);
        } else if (direct) {
            fclose(w->fp);
        }
        writer_free(w);
        return NULL;
    }
    /* A direct file is a valid (empty) capture from the start. */
    if (direct && w->path && qftp_capw_flush(w, errbuf) != 0) {
        pcap_dump_close(w->dump);
        writer_free(w);
        return NULL;
    }
    return w;
}

qftp_capture_writer *qftp_capw_open(const char *path, const char *dissector_name, char *errbuf)
{
    return capw_open(path, dissector_name, false, errbuf);
}

qftp_capture_writer *qftp_capw_open_direct(const char *path, const char *dissector_name,
                                           char *errbuf)
{
    return capw_open(path, dissector_name, true, errbuf);
}

/* A write failed (disk full, a size limit): a direct file is cut back to the last
 * frame that reached it whole, so it stays a readable capture that holds exactly the
 * frames qftp_capw_frames() counts. What the stream still buffers is dropped, never
 * written after the cut. (Standard output cannot be cut: its last record may be short.) */
static void failed_now(qftp_capture_writer *w)
{
    w->failed = true;
    if (!w->path || w->tmp)
        return;
    int e = errno;
    __fpurge(w->fp);
    if (!w->stream && ftruncate(fileno(w->fp), w->good_len) == 0 &&
        fseeko(w->fp, w->good_len, SEEK_SET) == 0)
        w->frames = w->good_frames;
    clearerr(w->fp);
    errno = e;
}

static int check_stream(qftp_capture_writer *w, char *errbuf)
{
    if (!w->failed && !ferror(w->fp))
        return 0;
    if (!w->failed) {
        ERR("cannot write %s: %s", w->path ? w->path : "standard output",
            errno ? strerror(errno) : "I/O error");
        failed_now(w);
    } else {
        ERR("cannot write %s: an earlier write failed", w->path ? w->path : "standard output");
    }
    return -1;
}

int qftp_capw_write(qftp_capture_writer *w, qftp_dir dir, qftp_ts ts, bool ts_synth,
                    const uint8_t *data, size_t len, char *errbuf)
{
    if (check_stream(w, errbuf) < 0)
        return -1;
    /* The record header holds an unsigned 32-bit count of seconds. */
    if (ts < 0 || ts / QFTP_NS_PER_SEC > (qftp_ts)UINT32_MAX) {
        if (ts == QFTP_TS_NONE)
            ERR("frame %llu: no timestamp", (unsigned long long)w->frames + 1);
        else
            ERR("frame %llu: timestamp %lld ns is outside what pcap stores (1970 to 2106)",
                (unsigned long long)w->frames + 1, (long long)ts);
        return -1;
    }
    size_t h = qftp_exp_pdu_header(w->buf, QFTP_CAPTURE_SNAPLEN - QFTP_CAPTURE_MAX_PAYLOAD, w->name,
                                   dir, ts_synth);
    struct pcap_pkthdr ph;
    memset(&ph, 0, sizeof ph);
    ph.ts.tv_sec = (time_t)(ts / QFTP_NS_PER_SEC);
    /* The dumper was opened with nanosecond precision: tv_usec holds nanoseconds. */
    ph.ts.tv_usec = (suseconds_t)(ts % QFTP_NS_PER_SEC);
    size_t off = 0;
    do {
        size_t n = len - off;
        if (n > QFTP_CAPTURE_MAX_PAYLOAD)
            n = QFTP_CAPTURE_MAX_PAYLOAD;
        if (n)
            memcpy(w->buf + h, data + off, n);
        ph.caplen = ph.len = (bpf_u_int32)(h + n);
        errno = 0;
        pcap_dump((u_char *)w->dump, &ph, w->buf);
        if (check_stream(w, errbuf) < 0)
            return -1;
        w->frames++;
        off += n;
    } while (off < len);
    return 0;
}

int qftp_capw_flush(qftp_capture_writer *w, char *errbuf)
{
    if (check_stream(w, errbuf) < 0)
        return -1;
    errno = 0;
    if (pcap_dump_flush(w->dump) < 0) {
        ERR("cannot write %s: %s", w->path ? w->path : "standard output",
            errno ? strerror(errno) : "I/O error");
        failed_now(w);
        return -1;
    }
    if (w->path && !w->tmp && !w->stream) {
        off_t at = ftello(w->fp);
        if (at >= 0) {
            w->good_len = at;
            w->good_frames = w->frames;
        }
    }
    return 0;
}

uint64_t qftp_capw_frames(const qftp_capture_writer *w)
{
    return w->frames;
}

int qftp_capw_close(qftp_capture_writer *w, bool commit, char *errbuf)
{
    int rc = 0;
    if (commit) {
        rc = qftp_capw_flush(w, errbuf);
        if (rc == 0 && w->path && !w->stream && fsync(fileno(w->fp)) != 0) {
            ERR("cannot write %s: %s", w->path, strerror(errno));
            rc = -1;
        }
    }
    if (w->fp == stdout) {
        /* A pcap_dumper_t is the FILE itself: pcap_dump_close() would fclose(stdout),
         * so it is only flushed and left open for the caller. */
        fflush(stdout);
    } else {
        pcap_dump_close(w->dump);
    }
    if (w->tmp) {
        if (commit && rc == 0 && rename(w->tmp, w->path) != 0) {
            ERR("cannot create %s: %s", w->path, strerror(errno));
            rc = -1;
        }
        if (!commit || rc != 0)
            unlink(w->tmp);
    }
    writer_free(w);
    return rc;
}

/* ---- reading --------------------------------------------------------------------------- */

/* Classic pcap of our two link types (what every qftp tool writes) is read here: a
 * record costs a few loads instead of libpcap's two stdio reads and header checks, a
 * tenth of `qftp show`'s time on short frames. pcapng, and any pcap this reader does not
 * know (other versions, link types, FCS bits), go to libpcap. */
#define OWN_BUF (1u << 20) /* >= a record header and QFTP_CAPTURE_SNAPLEN bytes */
#define OWN_REC_HEAD 16
#define LT_LINKTYPE_MASK 0x03FFFFFFu

struct qftp_capture_reader {
    pcap_t *p; /* libpcap, or NULL: the reader below */
    FILE *fp;  /* this reader's stream (closed at the end, but stdin) */
    bool bulk; /* a regular file: read in large pieces (a pipe: record by record, so a
                  live stream is shown as it comes) */
    bool swapped;
    bool eof;
    uint32_t snapshot;  /* the file's snapshot length, as libpcap takes it */
    int64_t frac_scale; /* nanoseconds per unit of a record's fraction: 1 or 1000 */
    uint8_t *buf;
    size_t pos, end;
    int linktype;
    uint64_t frame; /* frames read so far */
    bool failed;
    /* this reader's own little-endian file of link type 252, not failed: own_next_usual
     * may take its records (one test for the four) */
    bool usual;
    char err[QFTP_ERRBUF_SIZE]; /* repeated by every call after an error */
};

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* A stream read again from its start: the bytes already taken, then the rest. */
typedef struct {
    FILE *src;
    size_t n, pos;
    uint8_t head[];
} replay_head;

static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
    replay_head *h = cookie;
    if (h->pos < h->n) {
        size_t k = size < h->n - h->pos ? size : h->n - h->pos;
        memcpy(buf, h->head + h->pos, k);
        h->pos += k;
        return (ssize_t)k;
    }
    size_t k = fread(buf, 1, size, h->src);
    return k == 0 && ferror(h->src) ? -1 : (ssize_t)k;
}

static int replay_close(void *cookie)
{
    replay_head *h = cookie;
    int rc = h->src == stdin ? 0 : fclose(h->src);
    free(h);
    return rc;
}

FILE *qftp_stream_put_back(FILE *src, const uint8_t *head, size_t n)
{
    if (n == 0 || fseeko(src, -(off_t)n, SEEK_CUR) == 0)
        return src;
    replay_head *h = malloc(sizeof *h + n);
    if (!h)
        return NULL;
    h->src = src;
    h->n = n;
    h->pos = 0;
    memcpy(h->head, head, n);
    FILE *r = fopencookie(h, "rb", (cookie_io_functions_t){replay_read, NULL, NULL, replay_close});
    if (!r)
        free(h);
    return r;
}

/* The header of a classic pcap file this reader takes (r filled in), or false. */
static bool own_header(const uint8_t *h, qftp_capture_reader *r)
{
    uint32_t m = get_le32(h);
    if (m == 0xA1B2C3D4 || m == 0xA1B23C4D)
        r->swapped = false;
    else if (__builtin_bswap32(m) == 0xA1B2C3D4 || __builtin_bswap32(m) == 0xA1B23C4D)
        r->swapped = true;
    else
        return false;
    r->frac_scale = (r->swapped ? __builtin_bswap32(m) : m) == 0xA1B23C4D ? 1 : 1000;
    unsigned major = r->swapped ? (unsigned)h[4] << 8 | h[5] : (unsigned)h[5] << 8 | h[4];
    unsigned minor = r->swapped ? (unsigned)h[6] << 8 | h[7] : (unsigned)h[7] << 8 | h[6];
    uint32_t snap = get_le32(h + 16), lt = get_le32(h + 20);
    if (r->swapped) {
        snap = __builtin_bswap32(snap);
        lt = __builtin_bswap32(lt);
    }
    if (major != 2 || minor != 4 || (lt & ~LT_LINKTYPE_MASK) != 0 ||
        (lt != QFTP_LINKTYPE_UPPER_PDU && lt != QFTP_LINKTYPE_RTAC_SERIAL))
        return false;
    r->linktype = (int)lt;
    /* libpcap: a snapshot length of 0 or above its bound means the bound */
    r->snapshot = snap == 0 || snap > QFTP_CAPTURE_SNAPLEN ? QFTP_CAPTURE_SNAPLEN : snap;
    return true;
}

/* At least need bytes at r->buf + r->pos: 1, or 0 at the end of the stream (fewer left),
 * or -1 on a read error (r->err set). */
static int own_fill(qftp_capture_reader *r, size_t need)
{
    while (r->end - r->pos < need) {
        if (r->eof)
            return 0;
        if (r->pos) {
            memmove(r->buf, r->buf + r->pos, r->end - r->pos);
            r->end -= r->pos;
            r->pos = 0;
        }
        size_t want = r->bulk ? OWN_BUF - r->end : need - r->end;
        size_t k = fread(r->buf + r->end, 1, want, r->fp);
        r->end += k;
        if (k < want) {
            if (ferror(r->fp)) {
                snprintf(r->err, sizeof r->err, "frame %llu: unreadable record: read error: %s",
                         (unsigned long long)r->frame + 1, strerror(errno));
                return -1;
            }
            r->eof = true;
        }
    }
    return 1;
}

qftp_capture_reader *qftp_capr_open(const char *path, char *errbuf)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!fp) {
        ERR("cannot open: %s", strerror(errno));
        return NULL;
    }
    return qftp_capr_fopen(fp, errbuf);
}

qftp_capture_reader *qftp_capr_fopen(FILE *fp, char *errbuf)
{
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
        ERR("the file is empty, not a capture");
        if (fp != stdin)
            fclose(fp);
        return NULL;
    }
    /* One reader per stream and thread: stdio need not lock it for each read. */
    __fsetlocking(fp, FSETLOCKING_BYCALLER);
    uint8_t head[24];
    size_t got = fread(head, 1, sizeof head, fp);
    qftp_capture_reader own = {0};
    if (got == sizeof head && own_header(head, &own)) {
        qftp_capture_reader *r = calloc(1, sizeof *r);
        uint8_t *buf = malloc(OWN_BUF);
        if (!r || !buf) {
            free(r);
            free(buf);
            if (fp != stdin)
                fclose(fp);
            ERR("out of memory");
            return NULL;
        }
        *r = own;
        r->fp = fp;
        r->buf = buf;
        r->bulk = fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode);
        r->usual = !r->swapped && r->linktype == QFTP_LINKTYPE_UPPER_PDU;
        return r;
    }
    if (ferror(fp)) {
        ERR("cannot read: %s", strerror(errno));
        if (fp != stdin)
            fclose(fp);
        return NULL;
    }
    FILE *again = qftp_stream_put_back(fp, head, got);
    if (!again) {
        ERR("out of memory");
        if (fp != stdin)
            fclose(fp);
        return NULL;
    }
    fp = again;
    char perr[PCAP_ERRBUF_SIZE] = "";
    /* Nanosecond precision: libpcap scales microsecond files up, never nanosecond ones down. */
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!p) {
        /* libpcap leaves a stream it could not open with the caller. */
        if (fp != stdin)
            fclose(fp);
        if (strstr(perr, "unknown file format"))
            ERR("not a capture: neither pcap nor pcapng (unknown file format)");
        else if (strstr(perr, "truncated"))
            ERR("the capture ends inside its file header (truncated file)");
        else
            ERR("not a readable capture: %s", perr);
        return NULL;
    }
    int lt = pcap_datalink(p);
    if (lt != QFTP_LINKTYPE_UPPER_PDU && lt != QFTP_LINKTYPE_RTAC_SERIAL) {
        const char *what = pcap_datalink_val_to_description(lt);
        ERR("link type %d (%s) is not a serial capture: qftp reads link types 252 (exported PDU) "
            "and 250 (RTAC serial)",
            lt, what ? what : "unknown");
        pcap_close(p); /* closes fp, except stdin */
        return NULL;
    }
    qftp_capture_reader *r = calloc(1, sizeof *r);
    if (!r) {
        ERR("out of memory");
        pcap_close(p);
        return NULL;
    }
    r->p = p;
    r->linktype = lt;
    return r;
}

int qftp_capr_linktype(const qftp_capture_reader *r)
{
    return r->linktype;
}

/* The layout every qftp writer gives (qftp_exp_pdu_header): the name, the direction and
 * an empty end tag, read at once into f's name and direction. Returns the offset of the
 * payload, or 0 for any other layout, and with short_only for a name of more than 12
 * bytes (the copy of a short one makes no call). */
static inline size_t exp_pdu_usual(const uint8_t *b, size_t n, qftp_frame *f, bool short_only)
{
    if (n < 16)
        return 0;
    uint32_t tl = get_be32(b);
    size_t len = tl & 0xFFFF;
    const uint8_t *d = b + 4 + len;
    if (tl >> 16 != QFTP_EXP_TAG_DISSECTOR_NAME || n - 16 < len || (short_only && len > 12) ||
        get_be32(d) != (QFTP_EXP_TAG_P2P_DIRECTION << 16 | 4) || get_be32(d + 8) != 0)
        return 0;
    size_t k = len < sizeof f->dissector - 1 ? len : sizeof f->dissector - 1;
    if (k <= 12) /* a short name as a fixed 12 bytes (n is 16 at least): no call */
        memcpy(f->dissector, b + 4, 12);
    else
        memcpy(f->dissector, b + 4, k);
    f->dissector[k] = '\0';
    uint32_t dir = get_be32(d + 4);
    f->dir_known = dir == P2P_DIR_SENT || dir == P2P_DIR_RECV;
    f->dir = dir == P2P_DIR_RECV ? QFTP_DIR_RX : QFTP_DIR_TX;
    return len + 16;
}

/* Decodes the exported-PDU tags at the start of a link type 252 frame into f, whose
 * name, direction and synthesised-time mark the caller has cleared. Returns the offset of
 * the payload, or -1 with r->err set. */
static long parse_exp_pdu(qftp_capture_reader *r, const uint8_t *b, size_t n, qftp_frame *f)
{
    char *errbuf = r->err;
    size_t usual = exp_pdu_usual(b, n, f, false);
    if (usual)
        return (long)usual;
    const uint8_t *at = b, *end = b + n;
    for (;;) {
        if (end - at < 4) {
            ERR("frame %llu: the exported-PDU tag list runs past the end of the frame "
                "(no end tag in its %zu bytes)",
                (unsigned long long)f->frame_no, n);
            return -1;
        }
        uint32_t tl = get_be32(at); /* the tag, then the length of its value */
        unsigned tag = tl >> 16;
        size_t len = tl & 0xFFFF;
        const uint8_t *v = at + 4;
        if (len > (size_t)(end - v)) {
            ERR("frame %llu: exported-PDU tag %u at offset %zu claims %zu bytes, but the frame "
                "has only %zu left",
                (unsigned long long)f->frame_no, tag, (size_t)(at - b), len, (size_t)(end - v));
            return -1;
        }
        at = v + len;
        switch (tag) {
        case QFTP_EXP_TAG_END:
            return (long)(at - b);
        case QFTP_EXP_TAG_DISSECTOR_NAME: {
            size_t k = len < sizeof f->dissector - 1 ? len : sizeof f->dissector - 1;
            memcpy(f->dissector, v, k);
            f->dissector[k] = '\0';
            break;
        }
        case QFTP_EXP_TAG_P2P_DIRECTION: {
            if (len != 4) {
                ERR("frame %llu: the direction tag has %zu bytes instead of 4",
                    (unsigned long long)f->frame_no, len);
                return -1;
            }
            uint32_t d = get_be32(v);
            /* P2P_DIR_UNKNOWN (-1) or anything else: no direction */
            f->dir_known = d == P2P_DIR_SENT || d == P2P_DIR_RECV;
            f->dir = d == P2P_DIR_RECV ? QFTP_DIR_RX : QFTP_DIR_TX;
            break;
        }
        case QFTP_EXP_TAG_TS_SYNTH:
            f->ts_synth = len == 0 || v[0] != 0;
            break;
        default: /* tags for other dissectors: skipped, as Wireshark does */
            break;
        }
    }
}

static int reader_fail(qftp_capture_reader *r, char *errbuf)
{
    r->failed = true;
    r->usual = false;
    snprintf(errbuf, QFTP_ERRBUF_SIZE, "%s", r->err);
    return -1;
}

/* A record's header as qftp_capr_next takes it from either reader. */
typedef struct {
    uint32_t caplen, len;
    qftp_ts ts;
} rec_head;

static void own_truncated(qftp_capture_reader *r)
{
    snprintf(r->err, sizeof r->err,
             "frame %llu: the capture ends in the middle of a record (truncated file)",
             (unsigned long long)r->frame + 1);
}

/* The next record of the file (this reader's own): 1, 0 at the end, -1 (r->err set).
 * own_fill is called only for a record that is not whole in the buffer yet. */
static int own_next(qftp_capture_reader *r, rec_head *h, const uint8_t **b)
{
    if (r->end - r->pos < OWN_REC_HEAD) {
        int rc = own_fill(r, OWN_REC_HEAD);
        if (rc <= 0) {
            if (rc == 0 && r->end == r->pos)
                return 0; /* on a record boundary: the end of the file */
            if (rc == 0)
                own_truncated(r);
            return -1;
        }
    }
    const uint8_t *p = r->buf + r->pos;
    uint32_t sec = get_le32(p), frac = get_le32(p + 4), caplen = get_le32(p + 8),
             len = get_le32(p + 12);
    if (r->swapped) {
        sec = __builtin_bswap32(sec);
        frac = __builtin_bswap32(frac);
        caplen = __builtin_bswap32(caplen);
        len = __builtin_bswap32(len);
    }
    if (caplen > QFTP_CAPTURE_SNAPLEN) {
        snprintf(r->err, sizeof r->err,
                 "frame %llu: unreadable record: it claims %u bytes, more than the %d a record "
                 "of this link type may hold",
                 (unsigned long long)r->frame + 1, caplen, QFTP_CAPTURE_SNAPLEN);
        return -1;
    }
    size_t rec = OWN_REC_HEAD + (size_t)caplen;
    if (r->end - r->pos < rec) {
        int rc = own_fill(r, rec);
        if (rc <= 0) {
            if (rc == 0)
                own_truncated(r);
            return -1;
        }
    }
    /* as libpcap does: the bytes past the snapshot length are read and dropped */
    h->caplen = caplen > r->snapshot ? r->snapshot : caplen;
    h->len = len;
    /* the seconds are unsigned (see qftp_capr_next); the fraction (a corrupt one can
     * exceed a second) is signed in a little-endian file and unsigned in a big-endian
     * one, as libpcap hands them over on a little-endian machine (it swaps the
     * big-endian files) */
    int64_t fr = r->swapped ? (int64_t)frac : (int64_t)(int32_t)frac;
    h->ts = (qftp_ts)sec * QFTP_NS_PER_SEC + fr * r->frac_scale;
    *b = r->buf + r->pos + OWN_REC_HEAD;
    r->pos += rec;
    return 1;
}

/* The next frame of this reader's own little-endian file of link type 252, when its record
 * is whole in the buffer, complete, within the snapshot length and tagged as every qftp
 * writer tags: most frames, taken with no call. False, with nothing consumed, for
 * qftp_capr_next to take it the long way (any other reader or record, an error). */
static inline bool own_next_usual(qftp_capture_reader *r, qftp_frame *f)
{
    size_t avail = r->end - r->pos;
    if (!r->usual || avail < OWN_REC_HEAD)
        return false;
    const uint8_t *p = r->buf + r->pos, *b = p + OWN_REC_HEAD;
    uint32_t caplen = get_le32(p + 8);
    if (caplen > r->snapshot || caplen < get_le32(p + 12) || avail - OWN_REC_HEAD < caplen)
        return false;
    size_t off = exp_pdu_usual(b, caplen, f, true);
    if (!off)
        return false;
    r->pos += OWN_REC_HEAD + caplen;
    f->frame_no = ++r->frame;
    f->linktype = QFTP_LINKTYPE_UPPER_PDU;
    /* as own_next: the fraction of a little-endian file is signed */
    f->ts =
        (qftp_ts)get_le32(p) * QFTP_NS_PER_SEC + (int64_t)(int32_t)get_le32(p + 4) * r->frac_scale;
    f->ts_synth = false;
    f->data = b + off;
    f->len = caplen - off;
    return true;
}

/* qftp_capr_next for every frame own_next_usual does not take: out of line, so that the
 * usual one costs no saved registers. */
static __attribute__((noinline)) int capr_next_any(qftp_capture_reader *r, qftp_frame *f,
                                                   char *errbuf)
{
    if (r->failed)
        return reader_fail(r, errbuf);
    for (;;) {
        rec_head h;
        const u_char *b;
        if (!r->p) {
            int rc = own_next(r, &h, &b);
            if (rc == 0)
                return 0;
            if (rc < 0)
                return reader_fail(r, errbuf);
        } else {
            struct pcap_pkthdr *ph;
            int rc = pcap_next_ex(r->p, &ph, &b);
            if (rc == PCAP_ERROR_BREAK) /* end of the file */
                return 0;
            if (rc != 1) {
                const char *e = pcap_geterr(r->p);
                unsigned long long no = (unsigned long long)r->frame + 1;
                if (strstr(e, "truncated"))
                    snprintf(r->err, sizeof r->err,
                             "frame %llu: the capture ends in the middle of a record "
                             "(truncated file)",
                             no);
                else
                    snprintf(r->err, sizeof r->err, "frame %llu: unreadable record: %s", no, e);
                return reader_fail(r, errbuf);
            }
            h.caplen = ph->caplen;
            h.len = ph->len;
            /* Classic pcap stores unsigned 32-bit seconds; libpcap hands them over as a
             * signed 32-bit value, so times after 2038 arrive negative. */
            int64_t sec = (int64_t)ph->ts.tv_sec;
            if (sec < 0)
                sec += INT64_C(1) << 32;
            h.ts = sec * QFTP_NS_PER_SEC + (qftp_ts)ph->ts.tv_usec;
        }
        unsigned long long no = ++r->frame;
        if (h.caplen < h.len) {
            /* Bytes missing from the middle of a serial stream would desynchronise
             * everything after them: refuse rather than carry on silently. */
            snprintf(r->err, sizeof r->err,
                     "frame %llu: only %u of its %u bytes were captured (snapshot length): "
                     "serial bytes are missing",
                     no, h.caplen, h.len);
            return reader_fail(r, errbuf);
        }
        f->frame_no = r->frame;
        f->linktype = r->linktype;
        f->ts = h.ts;
        f->dir = QFTP_DIR_TX;
        f->dir_known = false;
        f->ts_synth = false;
        f->dissector[0] = '\0';
        if (r->linktype == QFTP_LINKTYPE_UPPER_PDU) {
            long off = parse_exp_pdu(r, b, h.caplen, f);
            if (off < 0)
                return reader_fail(r, errbuf);
            f->data = b + off;
            f->len = h.caplen - (size_t)off;
            return 1;
        }
        if (h.caplen < RTAC_HEADER_LEN) {
            snprintf(r->err, sizeof r->err,
                     "frame %llu: RTAC serial frame of %u bytes is shorter than its %d-byte header",
                     no, h.caplen, RTAC_HEADER_LEN);
            return reader_fail(r, errbuf);
        }
        /* packet-rtacser.c hands the bytes after the header to the payload dissector
         * whatever the event; the *_END events of some devices do carry data. Status
         * changes, lost-data and capture-complete markers carry no serial bytes. */
        uint8_t ev = b[8];
        if (ev != RTAC_EV_DATA_TX_START && ev != RTAC_EV_DATA_TX_END &&
            ev != RTAC_EV_DATA_RX_START && ev != RTAC_EV_DATA_RX_END)
            continue;
        if (h.caplen == RTAC_HEADER_LEN)
            continue; /* a bare start/end marker */
        f->dir =
            ev == RTAC_EV_DATA_TX_START || ev == RTAC_EV_DATA_TX_END ? QFTP_DIR_TX : QFTP_DIR_RX;
        f->dir_known = true;
        f->data = b + RTAC_HEADER_LEN;
        f->len = h.caplen - RTAC_HEADER_LEN;
        return 1;
    }
}

int qftp_capr_next(qftp_capture_reader *r, qftp_frame *f, char *errbuf)
{
    if (own_next_usual(r, f))
        return 1;
    return capr_next_any(r, f, errbuf);
}

void qftp_capr_close(qftp_capture_reader *r)
{
    if (!r)
        return;
    if (r->p)
        pcap_close(r->p);
    else if (r->fp != stdin)
        fclose(r->fp);
    free(r->buf);
    free(r);
}
