/* capture.c - qftp captures through libpcap (docs/capture-format.md). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qftp/capture.h"

#define ERR(...) snprintf(errbuf, QFTP_ERRBUF_SIZE, __VA_ARGS__)

/* ---- the exported-PDU header ------------------------------------------------------------ */

static size_t put_tlv(uint8_t *b, size_t cap, size_t at, uint16_t tag, const void *v, size_t n)
{
    if (at + 4 + n > cap)
        return at;
    b[at] = (uint8_t)(tag >> 8);
    b[at + 1] = (uint8_t)tag;
    b[at + 2] = (uint8_t)(n >> 8);
    b[at + 3] = (uint8_t)n;
    if (n)
        memcpy(b + at + 4, v, n);
    return at + 4 + n;
}

size_t qftp_exp_pdu_header(uint8_t *buf, size_t cap, const char *dissector_name, qftp_dir dir,
                           bool ts_synth)
{
    size_t nl = strlen(dissector_name);
    if (nl > 32)
        nl = 32;
    size_t at = put_tlv(buf, cap, 0, QFTP_EXP_TAG_DISSECTOR_NAME, dissector_name, nl);
    uint8_t d[4] = {0, 0, 0, (uint8_t)(dir == QFTP_DIR_RX ? 1 : 0)};
    at = put_tlv(buf, cap, at, QFTP_EXP_TAG_P2P_DIRECTION, d, 4);
    if (ts_synth) {
        uint8_t one = 1;
        at = put_tlv(buf, cap, at, QFTP_EXP_TAG_TS_SYNTH, &one, 1);
    }
    return put_tlv(buf, cap, at, QFTP_EXP_TAG_END, NULL, 0);
}

bool qftp_capture_sniff(const uint8_t *h, size_t n)
{
    if (n < 4)
        return false;
    uint32_t le =
        (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
    uint32_t be =
        (uint32_t)h[3] | (uint32_t)h[2] << 8 | (uint32_t)h[1] << 16 | (uint32_t)h[0] << 24;
    return le == 0xA1B2C3D4 || be == 0xA1B2C3D4 || le == 0xA1B23C4D || be == 0xA1B23C4D ||
           le == 0x0A0D0D0A; /* pcapng section header block */
}

/* ---- writing ----------------------------------------------------------------------------- */

struct qftp_capture_writer {
    pcap_t *dead;
    pcap_dumper_t *dump;
    char *path;
    char *tmp;
    char name[33];
    uint64_t frames;
    uint8_t *buf;
};

qftp_capture_writer *qftp_capw_open(const char *path, const char *dissector_name, char *errbuf)
{
    qftp_capture_writer *w = calloc(1, sizeof *w);
    if (!w) {
        ERR("out of memory");
        return NULL;
    }
    snprintf(w->name, sizeof w->name, "%s", dissector_name ? dissector_name : "qftp");
    w->buf = malloc(QFTP_CAPTURE_SNAPLEN + 128);
    w->dead = pcap_open_dead_with_tstamp_precision(QFTP_LINKTYPE_UPPER_PDU, QFTP_CAPTURE_SNAPLEN,
                                                   PCAP_TSTAMP_PRECISION_NANO);
    if (!w->buf || !w->dead) {
        ERR("cannot set up a pcap writer");
        goto fail;
    }
    FILE *f;
    if (strcmp(path, "-") == 0) {
        f = stdout;
    } else {
        w->path = strdup(path);
        w->tmp = malloc(strlen(path) + 16);
        if (!w->path || !w->tmp) {
            ERR("out of memory");
            goto fail;
        }
        sprintf(w->tmp, "%s.XXXXXX", path);
        int fd = mkstemp(w->tmp);
        if (fd < 0) {
            ERR("cannot create %s: %s", path, strerror(errno));
            free(w->tmp);
            w->tmp = NULL;
            goto fail;
        }
        fchmod(fd, 0644);
        f = fdopen(fd, "wb");
        if (!f) {
            ERR("cannot write %s: %s", path, strerror(errno));
            close(fd);
            goto fail;
        }
    }
    w->dump = pcap_dump_fopen(w->dead, f);
    if (!w->dump) {
        ERR("cannot write %s: %s", path, pcap_geterr(w->dead));
        if (f != stdout)
            fclose(f);
        goto fail;
    }
    return w;
fail:
    if (w->tmp)
        unlink(w->tmp);
    if (w->dead)
        pcap_close(w->dead);
    free(w->buf);
    free(w->path);
    free(w->tmp);
    free(w);
    return NULL;
}

int qftp_capw_write(qftp_capture_writer *w, qftp_dir dir, qftp_ts ts, bool ts_synth,
                    const uint8_t *data, size_t len, char *errbuf)
{
    size_t off = 0;
    do {
        size_t n = len - off > QFTP_CAPTURE_MAX_PAYLOAD ? QFTP_CAPTURE_MAX_PAYLOAD : len - off;
        size_t h = qftp_exp_pdu_header(w->buf, 128, w->name, dir, ts_synth);
        if (n)
            memcpy(w->buf + h, data + off, n);
        struct pcap_pkthdr ph;
        memset(&ph, 0, sizeof ph);
        if (ts < 0)
            ts = 0;
        ph.ts.tv_sec = (time_t)(ts / QFTP_NS_PER_SEC);
        ph.ts.tv_usec = (suseconds_t)(ts % QFTP_NS_PER_SEC); /* nanoseconds: see open */
        ph.caplen = ph.len = (bpf_u_int32)(h + n);
        pcap_dump((u_char *)w->dump, &ph, w->buf);
        w->frames++;
        off += n;
    } while (off < len);
    if (ferror(pcap_dump_file(w->dump))) {
        ERR("write error: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int qftp_capw_flush(qftp_capture_writer *w, char *errbuf)
{
    if (pcap_dump_flush(w->dump) < 0) {
        ERR("cannot flush the capture: %s", strerror(errno));
        return -1;
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
    FILE *f = pcap_dump_file(w->dump);
    if (pcap_dump_flush(w->dump) < 0 || ferror(f)) {
        if (commit)
            ERR("cannot write the capture: %s", strerror(errno));
        rc = -1;
    }
    if (f == stdout) {
        fflush(stdout);
        free(w->dump); /* pcap_dump_close would close stdout */
    } else {
        pcap_dump_close(w->dump);
    }
    pcap_close(w->dead);
    if (w->tmp) {
        if (commit && rc == 0 && rename(w->tmp, w->path) != 0) {
            ERR("cannot create %s: %s", w->path, strerror(errno));
            rc = -1;
        }
        if (!commit || rc != 0)
            unlink(w->tmp);
    }
    free(w->buf);
    free(w->path);
    free(w->tmp);
    free(w);
    return commit ? rc : 0;
}

/* ---- reading ----------------------------------------------------------------------------- */

struct qftp_capture_reader {
    pcap_t *p;
    int linktype;
    uint64_t frame;
};

static const char *linktype_words(int lt)
{
    const char *n = pcap_datalink_val_to_description(lt);
    return n ? n : "unknown";
}

qftp_capture_reader *qftp_capr_open(const char *path, char *errbuf)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!p) {
        if (strstr(perr, "truncated") || strstr(perr, "short"))
            ERR("%s: the capture ends inside its file header (truncated file)", path);
        else
            ERR("%s: not a readable capture: %s", path, perr);
        return NULL;
    }
    int lt = pcap_datalink(p);
    if (lt != QFTP_LINKTYPE_UPPER_PDU && lt != QFTP_LINKTYPE_RTAC_SERIAL) {
        ERR("link type %d (%s) is not a serial capture: qftp reads link types 252 (exported "
            "PDU) and 250 (RTAC serial)",
            lt, linktype_words(lt));
        pcap_close(p);
        return NULL;
    }
    qftp_capture_reader *r = calloc(1, sizeof *r);
    if (!r) {
        pcap_close(p);
        ERR("out of memory");
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

/* Parses the exported-PDU TLVs; returns the payload offset or -1. */
static long parse_exp_pdu(const uint8_t *b, size_t n, qftp_frame *f, char *errbuf)
{
    size_t at = 0;
    f->dir_known = false;
    f->ts_synth = false;
    f->dissector[0] = '\0';
    for (;;) {
        if (at + 4 > n) {
            ERR("frame %llu: exported-PDU tags run past the end of the frame",
                (unsigned long long)f->frame_no);
            return -1;
        }
        unsigned tag = (unsigned)b[at] << 8 | b[at + 1];
        size_t len = (size_t)b[at + 2] << 8 | b[at + 3];
        at += 4;
        if (at + len > n) {
            ERR("frame %llu: exported-PDU tag %u claims %zu bytes, the frame has %zu left",
                (unsigned long long)f->frame_no, tag, len, n - at);
            return -1;
        }
        if (tag == QFTP_EXP_TAG_END)
            return (long)(at + len);
        if (tag == QFTP_EXP_TAG_DISSECTOR_NAME) {
            size_t k = len < sizeof f->dissector - 1 ? len : sizeof f->dissector - 1;
            memcpy(f->dissector, b + at, k);
            f->dissector[k] = '\0';
        } else if (tag == QFTP_EXP_TAG_P2P_DIRECTION && len == 4) {
            int32_t d = (int32_t)((uint32_t)b[at] << 24 | (uint32_t)b[at + 1] << 16 |
                                  (uint32_t)b[at + 2] << 8 | b[at + 3]);
            if (d == 0 || d == 1) { /* P2P_DIR_SENT / P2P_DIR_RECV; -1 = unknown */
                f->dir = d == 0 ? QFTP_DIR_TX : QFTP_DIR_RX;
                f->dir_known = true;
            }
        } else if (tag == QFTP_EXP_TAG_TS_SYNTH) {
            f->ts_synth = true;
        }
        at += len;
    }
}

int qftp_capr_next(qftp_capture_reader *r, qftp_frame *f, char *errbuf)
{
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *b;
        int rc = pcap_next_ex(r->p, &h, &b);
        if (rc == PCAP_ERROR_BREAK)
            return 0;
        if (rc != 1) {
            const char *e = pcap_geterr(r->p);
            if (e && (strstr(e, "truncated") || strstr(e, "short")))
                ERR("frame %llu: the capture ends in the middle of a record (truncated file)",
                    (unsigned long long)r->frame + 1);
            else
                ERR("frame %llu: %s", (unsigned long long)r->frame + 1, e ? e : "read error");
            return -1;
        }
        r->frame++;
        memset(f, 0, sizeof *f);
        f->frame_no = r->frame;
        f->linktype = r->linktype;
        f->ts = (qftp_ts)h->ts.tv_sec * QFTP_NS_PER_SEC + (qftp_ts)h->ts.tv_usec;
        if (r->linktype == QFTP_LINKTYPE_UPPER_PDU) {
            long off = parse_exp_pdu(b, h->caplen, f, errbuf);
            if (off < 0)
                return -1;
            f->data = b + off;
            f->len = h->caplen - (size_t)off;
            return 1;
        }
        /* RTAC serial: 12-byte header (packet-rtacser.c), event 1/3 TX, 2/4 RX */
        if (h->caplen < 12) {
            ERR("frame %llu: RTAC serial frame shorter than its 12-byte header",
                (unsigned long long)r->frame);
            return -1;
        }
        uint8_t ev = b[8];
        if (ev < 1 || ev > 4)
            continue; /* status changes, capture events: no serial bytes */
        f->dir = ev == 1 || ev == 3 ? QFTP_DIR_TX : QFTP_DIR_RX;
        f->dir_known = true;
        f->data = b + 12;
        f->len = h->caplen - 12;
        return 1;
    }
}

void qftp_capr_close(qftp_capture_reader *r)
{
    if (!r)
        return;
    pcap_close(r->p);
    free(r);
}
