/* test_capture.c - qftp captures through libpcap: the bytes of docs/capture-format.md,
 * round trips, tshark reading ours, RTAC serial and pcapng input, malformed files, and
 * atomic and direct (live recording) writing. */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qftp/capture.h"
#include "testutil.h"

static char *tmpdir;

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static void write_file(const char *path, const void *b, size_t n)
{
    GError *e = NULL;
    if (!g_file_set_contents(path, b, (gssize)n, &e))
        g_error("%s: %s", path, e->message);
}

static GBytes *read_file(const char *path)
{
    gchar *c = NULL;
    gsize n = 0;
    GError *e = NULL;
    if (!g_file_get_contents(path, &c, &n, &e))
        g_error("%s: %s", path, e->message);
    return g_bytes_new_take(c, n);
}

/* Names in tmpdir that start with prefix: the target or a leftover temporary file. */
static int count_entries(const char *dir, const char *prefix)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    int n = 0;
    const char *e;
    while ((e = g_dir_read_name(d)))
        n += g_str_has_prefix(e, prefix);
    g_dir_close(d);
    return n;
}

/* ---- pcap and pcapng files built by hand ----------------------------------------------- */

static void put16(GByteArray *b, bool be, uint16_t v)
{
    guint8 x[2] = {(guint8)v, (guint8)(v >> 8)};
    if (be) {
        x[0] = (guint8)(v >> 8);
        x[1] = (guint8)v;
    }
    g_byte_array_append(b, x, 2);
}

static void put32(GByteArray *b, bool be, uint32_t v)
{
    guint8 x[4] = {(guint8)v, (guint8)(v >> 8), (guint8)(v >> 16), (guint8)(v >> 24)};
    if (be) {
        for (int i = 0; i < 4; i++)
            x[i] = (guint8)(v >> (24 - 8 * i));
    }
    g_byte_array_append(b, x, 4);
}

static GByteArray *pcap_head(bool be, uint32_t magic, uint32_t linktype)
{
    GByteArray *b = g_byte_array_new();
    put32(b, be, magic);
    put16(b, be, 2);
    put16(b, be, 4);
    put32(b, be, 0);
    put32(b, be, 0);
    put32(b, be, 65535);
    put32(b, be, linktype);
    return b;
}

static void pcap_rec(GByteArray *b, bool be, uint32_t sec, uint32_t frac, const void *p,
                     uint32_t caplen, uint32_t len)
{
    put32(b, be, sec);
    put32(b, be, frac);
    put32(b, be, caplen);
    put32(b, be, len);
    g_byte_array_append(b, p, caplen);
}

/* An exported-PDU frame: the tags written out by hand from the format description. */
static GByteArray *exp_frame(const char *name, int dir, const char *payload)
{
    GByteArray *b = g_byte_array_new();
    put16(b, true, 12);
    put16(b, true, (uint16_t)strlen(name));
    g_byte_array_append(b, (const guint8 *)name, (guint)strlen(name));
    if (dir >= 0) {
        put16(b, true, 35);
        put16(b, true, 4);
        put32(b, true, (uint32_t)dir);
    }
    put16(b, true, 0);
    put16(b, true, 0);
    g_byte_array_append(b, (const guint8 *)payload, (guint)strlen(payload));
    return b;
}

static void add_exp(GByteArray *file, bool be, uint32_t sec, const char *name, int dir,
                    const char *payload)
{
    GByteArray *f = exp_frame(name, dir, payload);
    pcap_rec(file, be, sec, 0, f->data, f->len, f->len);
    g_byte_array_free(f, TRUE);
}

static void pcapng_block(GByteArray *b, uint32_t type, const GByteArray *body)
{
    uint32_t pad = (4 - body->len % 4) % 4;
    uint32_t total = 12 + body->len + pad;
    static const guint8 zero[4] = {0};
    put32(b, false, type);
    put32(b, false, total);
    g_byte_array_append(b, body->data, body->len);
    g_byte_array_append(b, zero, pad);
    put32(b, false, total);
}

/* ---- the header and the bytes on disk ------------------------------------------------- */

static void test_header_bytes(void)
{
    static const uint8_t rx[] = {
        0x00, 0x0c, 0x00, 0x04, 'q',  'f',  't',  'p',  /* tag 12, 4 bytes, "qftp" */
        0x00, 0x23, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, /* tag 35, 4 bytes, int32 1 */
        0x00, 0x00, 0x00, 0x00,                         /* tag 0, 0 bytes */
    };
    static const uint8_t tx_synth[] = {
        0x00, 0x0c, 0x00, 0x02, 'a',  't',                    /* tag 12, "at" */
        0x00, 0x23, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,       /* tag 35, int32 0 */
        0xf5, 0x71, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, /* tag 0xF571 = 1, tag 0 */
    };
    uint8_t b[64];
    size_t n = qftp_exp_pdu_header(b, sizeof b, "qftp", QFTP_DIR_RX, false);
    g_assert_cmpmem(b, n, rx, sizeof rx);
    n = qftp_exp_pdu_header(b, sizeof b, "at", QFTP_DIR_TX, true);
    g_assert_cmpmem(b, n, tx_synth, sizeof tx_synth);
    /* too small a buffer: nothing written, 0 returned */
    g_assert_cmpuint(qftp_exp_pdu_header(b, sizeof rx - 1, "qftp", QFTP_DIR_RX, false), ==, 0);
}

static void test_file_bytes(void)
{
    if (G_BYTE_ORDER != G_LITTLE_ENDIAN) {
        g_test_skip("libpcap writes host byte order; the expected bytes are little-endian");
        return;
    }
    /* 2024-05-01 10:00:00.123456789 UTC, module -> host, "\r\nOK\r\n" */
    static const uint8_t want[] = {                        /* file header */
                                   0x4d, 0x3c, 0xb2, 0xa1, /* magic: nanosecond pcap */
                                   0x02, 0x00, 0x04, 0x00, /* version 2.4 */
                                   0x00, 0x00, 0x00, 0x00, /* time zone */
                                   0x00, 0x00, 0x00, 0x00, /* sigfigs */
                                   0x00, 0x00, 0x04, 0x00, /* snaplen 262144 */
                                   0xfc, 0x00, 0x00, 0x00, /* link type 252 */
                                   /* record header */
                                   0xa0, 0x12, 0x32, 0x66, /* 1714557600 s */
                                   0x15, 0xcd, 0x5b, 0x07, /* 123456789 ns */
                                   0x1a, 0x00, 0x00, 0x00, /* 26 bytes captured */
                                   0x1a, 0x00, 0x00, 0x00, /* 26 bytes long */
                                   /* tags */
                                   0x00, 0x0c, 0x00, 0x04, 'q', 'f', 't', 'p', /* dissector name */
                                   0x00, 0x23, 0x00, 0x04, 0x00, 0x00, 0x00,
                                   0x01,                   /* direction: module -> host */
                                   0x00, 0x00, 0x00, 0x00, /* end */
                                   /* payload */
                                   0x0d, 0x0a, 'O', 'K', 0x0d, 0x0a};
    char err[QFTP_ERRBUF_SIZE];
    char *path = tmp_path("bytes.pcap");
    qftp_capture_writer *w = qftp_capw_open(path, "qftp", err);
    g_assert_nonnull(w);
    g_assert_cmpint(qftp_capw_write(w, QFTP_DIR_RX, INT64_C(1714557600123456789), false,
                                    (const uint8_t *)"\r\nOK\r\n", 6, err),
                    ==, 0);
    g_assert_cmpint(qftp_capw_close(w, true, err), ==, 0);
    GBytes *got = read_file(path);
    gsize n;
    const void *p = g_bytes_get_data(got, &n);
    g_assert_cmpmem(p, n, want, sizeof want);
    struct stat st;
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0644);
    g_bytes_unref(got);
    g_free(path);
}

/* ---- round trip and tshark ------------------------------------------------------------ */

static const qftp_ts t0 = INT64_C(1714557600123456789);

/* Writes the round-trip capture: 3 + 1 + 2 frames, one of them split. */
static GByteArray *write_roundtrip(const char *path)
{
    char err[QFTP_ERRBUF_SIZE];
    GByteArray *big = g_byte_array_sized_new(QFTP_CAPTURE_MAX_PAYLOAD + 1000);
    for (guint i = 0; i < QFTP_CAPTURE_MAX_PAYLOAD + 1000; i++) {
        guint8 c = (guint8)(i * 7 + i / 256);
        g_byte_array_append(big, &c, 1);
    }
    qftp_capture_writer *w = qftp_capw_open(path, "qftp", err);
    if (!w)
        g_error("%s", err);
    g_assert_cmpint(
        qftp_capw_write(w, QFTP_DIR_TX, t0, false, (const uint8_t *)"AT+QFTPCFG\r", 11, err), ==,
        0);
    g_assert_cmpint(qftp_capw_write(w, QFTP_DIR_RX, t0 + 1, true, (const uint8_t *)"", 0, err), ==,
                    0);
    g_assert_cmpint(qftp_capw_flush(w, err), ==, 0);
    g_assert_cmpint(
        qftp_capw_write(w, QFTP_DIR_RX, t0 + 999999999, false, big->data, big->len, err), ==, 0);
    g_assert_cmpint(
        qftp_capw_write(w, QFTP_DIR_TX, 0, true, (const uint8_t *)"\x00\xff\x1a\r\n", 5, err), ==,
        0);
    g_assert_cmpuint(qftp_capw_frames(w), ==, 5);
    g_assert_cmpint(qftp_capw_close(w, true, err), ==, 0);
    return big;
}

static void test_roundtrip(void)
{
    char err[QFTP_ERRBUF_SIZE];
    char *path = tmp_path("rt.pcap");
    GByteArray *big = write_roundtrip(path);
    const struct {
        qftp_dir dir;
        qftp_ts ts;
        bool synth;
        const uint8_t *data;
        size_t len;
    } want[] = {
        {QFTP_DIR_TX, t0, false, (const uint8_t *)"AT+QFTPCFG\r", 11},
        {QFTP_DIR_RX, t0 + 1, true, (const uint8_t *)"", 0},
        {QFTP_DIR_RX, t0 + 999999999, false, big->data, QFTP_CAPTURE_MAX_PAYLOAD},
        {QFTP_DIR_RX, t0 + 999999999, false, big->data + QFTP_CAPTURE_MAX_PAYLOAD, 1000},
        {QFTP_DIR_TX, 0, true, (const uint8_t *)"\x00\xff\x1a\r\n", 5},
    };
    qftp_capture_reader *r = qftp_capr_open(path, err);
    if (!r)
        g_error("%s", err);
    g_assert_cmpint(qftp_capr_linktype(r), ==, QFTP_LINKTYPE_UPPER_PDU);
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        qftp_frame f;
        if (qftp_capr_next(r, &f, err) != 1)
            g_error("frame %zu: %s", i + 1, err);
        g_assert_cmpuint(f.frame_no, ==, i + 1);
        g_assert_true(f.dir_known);
        g_assert_cmpint(f.dir, ==, want[i].dir);
        g_assert_cmpint(f.ts, ==, want[i].ts);
        g_assert_cmpint(f.ts_synth, ==, want[i].synth);
        g_assert_cmpmem(f.data, f.len, want[i].data, want[i].len);
        g_assert_cmpstr(f.dissector, ==, "qftp");
        g_assert_cmpint(f.linktype, ==, 252);
    }
    qftp_frame f;
    g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 0);
    g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 0);
    qftp_capr_close(r);
    g_byte_array_free(big, TRUE);
    g_free(path);
}

static void test_tshark(void)
{
    const char *tshark = "/usr/bin/tshark";
    if (!g_file_test(tshark, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("tshark not installed");
        return;
    }
    char *path = tmp_path("tshark.pcap");
    g_byte_array_free(write_roundtrip(path), TRUE);
    const char *argv[] = {tshark, "-n",
                          "-r",   path,
                          "-T",   "fields",
                          "-E",   "separator=|",
                          "-e",   "frame.number",
                          "-e",   "exported_pdu.prot_name",
                          "-e",   "exported_pdu.p2p_dir",
                          "-e",   "frame.time_epoch",
                          "-e",   "frame.len",
                          "-e",   "_ws.malformed",
                          NULL};
    gchar *out = NULL, *errout = NULL;
    gint status = 0;
    GError *e = NULL;
    if (!g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &errout,
                      &status, &e))
        g_error("tshark: %s", e->message);
    if (!g_spawn_check_wait_status(status, NULL))
        g_error("tshark failed: %s", errout);
    /* the tag list is 20 bytes, 25 with the private tag */
    g_assert_cmpstr(out, ==,
                    "1|qftp|0|1714557600.123456789|31|\n"
                    "2|qftp|1|1714557600.123456790|25|\n"
                    "3|qftp|1|1714557601.123456788|262100|\n"
                    "4|qftp|1|1714557601.123456788|1020|\n"
                    "5|qftp|0|0.000000000|30|\n");
    g_free(out);
    g_free(errout);
    g_free(path);
}

/* ---- other inputs: RTAC serial, big-endian, microseconds, pcapng ------------------------ */

static void rtac_rec(GByteArray *file, bool be, uint32_t sec, uint32_t usec, uint8_t event,
                     const char *payload)
{
    GByteArray *f = g_byte_array_new();
    put32(f, true, sec); /* packet-rtacser.c: the header fields are big-endian */
    put32(f, true, usec);
    guint8 ev_lines[2] = {event, 0x18}; /* RTS, DTR */
    g_byte_array_append(f, ev_lines, 2);
    put16(f, true, 0);
    g_byte_array_append(f, (const guint8 *)payload, (guint)strlen(payload));
    pcap_rec(file, be, sec, usec, f->data, f->len, f->len);
    g_byte_array_free(f, TRUE);
}

static void test_rtac(void)
{
    for (int be = 0; be <= 1; be++) {
        GByteArray *b = pcap_head(be, 0xa1b2c3d4, QFTP_LINKTYPE_RTAC_SERIAL);
        rtac_rec(b, be, 100, 5, 0x01, "AT+QFTPPWD\r");          /* 1 TX_START */
        rtac_rec(b, be, 100, 6, 0x00, "");                      /* 2 STATUS_CHANGE */
        rtac_rec(b, be, 100, 7, 0x02, "\r\n+QFTPPWD: 0,/\r\n"); /* 3 RX_START */
        rtac_rec(b, be, 100, 8, 0x04, "\r\nOK\r\n");            /* 4 RX_END with data */
        rtac_rec(b, be, 100, 9, 0x03, "");                      /* 5 bare TX_END */
        rtac_rec(b, be, 101, 0, 0x05, "lost");                  /* 6 CAPTURE_DATA_LOST */
        rtac_rec(b, be, 101, 1, 0x03, "x");                     /* 7 TX_END with data */
        char *path = tmp_path("rtac.pcap");
        write_file(path, b->data, b->len);
        char err[QFTP_ERRBUF_SIZE];
        qftp_capture_reader *r = qftp_capr_open(path, err);
        if (!r)
            g_error("%s", err);
        g_assert_cmpint(qftp_capr_linktype(r), ==, QFTP_LINKTYPE_RTAC_SERIAL);
        const struct {
            uint64_t no;
            qftp_dir dir;
            qftp_ts ts;
            const char *data;
        } want[] = {
            {1, QFTP_DIR_TX, 100 * QFTP_NS_PER_SEC + 5000, "AT+QFTPPWD\r"},
            {3, QFTP_DIR_RX, 100 * QFTP_NS_PER_SEC + 7000, "\r\n+QFTPPWD: 0,/\r\n"},
            {4, QFTP_DIR_RX, 100 * QFTP_NS_PER_SEC + 8000, "\r\nOK\r\n"},
            {7, QFTP_DIR_TX, 101 * QFTP_NS_PER_SEC + 1000, "x"},
        };
        for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
            qftp_frame f;
            if (qftp_capr_next(r, &f, err) != 1)
                g_error("rtac %zu: %s", i, err);
            g_assert_cmpuint(f.frame_no, ==, want[i].no);
            g_assert_true(f.dir_known);
            g_assert_cmpint(f.dir, ==, want[i].dir);
            g_assert_cmpint(f.ts, ==, want[i].ts);
            g_assert_false(f.ts_synth);
            g_assert_cmpstr(f.dissector, ==, "");
            g_assert_cmpint(f.linktype, ==, 250);
            g_assert_cmpmem(f.data, f.len, want[i].data, strlen(want[i].data));
        }
        qftp_frame f;
        g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 0);
        qftp_capr_close(r);
        g_byte_array_free(b, TRUE);
        g_free(path);
    }
}

/* Frames of other writers: any dissector name, no direction, unknown tags, big-endian. */
static void test_foreign_exp_pdu(void)
{
    GByteArray *b = pcap_head(true, 0xa1b2c3d4, QFTP_LINKTYPE_UPPER_PDU);
    add_exp(b, true, 7, "at", 1, "OK\r\n");
    add_exp(b, true, 8, "at", -1, "AT\r"); /* P2P_DIR_UNKNOWN */
    add_exp(b, true, 9, "a-dissector-name-longer-than-31-chars", 0, "A");
    GByteArray *f = g_byte_array_new();
    static const guint8 frame4[] = {0x00, 0x0c, 0x00, 0x04, 'q',  'f',  't', 'p', /* name */
                                    0x00, 0x0e, 0x00, 0x02, 0x12, 0x34, /* tag 14, other use */
                                    0xf5, 0x71, 0x00, 0x00,             /* synth, length 0 */
                                    0x00, 0x00, 0x00, 0x00, 'R',  'X'};
    g_byte_array_append(f, frame4, sizeof frame4);
    pcap_rec(b, true, 10, 0, f->data, f->len, f->len);
    g_byte_array_free(f, TRUE);
    char *path = tmp_path("foreign.pcap");
    write_file(path, b->data, b->len);
    char err[QFTP_ERRBUF_SIZE];
    qftp_capture_reader *r = qftp_capr_open(path, err);
    if (!r)
        g_error("%s", err);
    qftp_frame fr;
    g_assert_cmpint(qftp_capr_next(r, &fr, err), ==, 1);
    g_assert_cmpstr(fr.dissector, ==, "at");
    g_assert_true(fr.dir_known && fr.dir == QFTP_DIR_RX);
    g_assert_cmpint(fr.ts, ==, 7 * QFTP_NS_PER_SEC);
    g_assert_cmpmem(fr.data, fr.len, "OK\r\n", 4);
    g_assert_cmpint(qftp_capr_next(r, &fr, err), ==, 1);
    g_assert_false(fr.dir_known);
    g_assert_cmpmem(fr.data, fr.len, "AT\r", 3);
    g_assert_cmpint(qftp_capr_next(r, &fr, err), ==, 1);
    g_assert_cmpstr(fr.dissector, ==, "a-dissector-name-longer-than-31");
    g_assert_cmpmem(fr.data, fr.len, "A", 1);
    g_assert_cmpint(qftp_capr_next(r, &fr, err), ==, 1);
    g_assert_false(fr.dir_known);
    g_assert_true(fr.ts_synth);
    g_assert_cmpmem(fr.data, fr.len, "RX", 2);
    g_assert_cmpint(qftp_capr_next(r, &fr, err), ==, 0);
    qftp_capr_close(r);
    g_byte_array_free(b, TRUE);
    g_free(path);
}

static void test_pcapng(void)
{
    GByteArray *b = g_byte_array_new(), *body = g_byte_array_new();
    put32(body, false, 0x1a2b3c4d); /* section header: byte-order magic, version 1.0 */
    put16(body, false, 1);
    put16(body, false, 0);
    put32(body, false, 0xffffffff); /* section length unknown */
    put32(body, false, 0xffffffff);
    pcapng_block(b, 0x0a0d0d0a, body);
    g_byte_array_set_size(body, 0);
    put16(body, false, QFTP_LINKTYPE_UPPER_PDU); /* interface description */
    put16(body, false, 0);
    put32(body, false, 0);
    pcapng_block(b, 1, body);
    GByteArray *f = exp_frame("qftp", 1, "\r\nOK\r\n");
    uint64_t us = UINT64_C(1714557600123456); /* default resolution: microseconds */
    g_byte_array_set_size(body, 0);
    put32(body, false, 0);
    put32(body, false, (uint32_t)(us >> 32));
    put32(body, false, (uint32_t)us);
    put32(body, false, f->len);
    put32(body, false, f->len);
    g_byte_array_append(body, f->data, f->len);
    pcapng_block(b, 6, body); /* enhanced packet */
    g_assert_true(qftp_capture_sniff(b->data, b->len));
    char *path = tmp_path("ng.pcapng");
    write_file(path, b->data, b->len);
    char err[QFTP_ERRBUF_SIZE];
    qftp_capture_reader *r = qftp_capr_open(path, err);
    if (!r)
        g_error("%s", err);
    qftp_frame fr;
    g_assert_cmpint(qftp_capr_next(r, &fr, err), ==, 1);
    g_assert_cmpint(fr.ts, ==, INT64_C(1714557600123456000));
    g_assert_true(fr.dir_known && fr.dir == QFTP_DIR_RX);
    g_assert_cmpmem(fr.data, fr.len, "\r\nOK\r\n", 6);
    g_assert_cmpint(qftp_capr_next(r, &fr, err), ==, 0);
    qftp_capr_close(r);
    g_byte_array_free(f, TRUE);
    g_byte_array_free(body, TRUE);
    g_byte_array_free(b, TRUE);
    g_free(path);
}

/* Times after 2038 have the top bit of the 32-bit seconds set. */
static void test_timestamp_range(void)
{
    char err[QFTP_ERRBUF_SIZE];
    char *path = tmp_path("late.pcap");
    qftp_capture_writer *w = qftp_capw_open(path, "qftp", err);
    g_assert_nonnull(w);
    qftp_ts late = (qftp_ts)UINT32_MAX * QFTP_NS_PER_SEC + 999999999;
    g_assert_cmpint(qftp_capw_write(w, QFTP_DIR_TX, late, false, (const uint8_t *)"A", 1, err), ==,
                    0);
    g_assert_cmpint(qftp_capw_write(w, QFTP_DIR_TX, late + 1, false, (const uint8_t *)"A", 1, err),
                    ==, -1);
    g_assert_nonnull(strstr(err, "frame 2: timestamp"));
    g_assert_cmpint(qftp_capw_write(w, QFTP_DIR_TX, -1, false, (const uint8_t *)"A", 1, err), ==,
                    -1);
    g_assert_cmpint(
        qftp_capw_write(w, QFTP_DIR_TX, QFTP_TS_NONE, false, (const uint8_t *)"A", 1, err), ==, -1);
    g_assert_nonnull(strstr(err, "no timestamp"));
    /* a refused timestamp writes nothing and leaves the writer usable */
    g_assert_cmpint(qftp_capw_write(w, QFTP_DIR_RX, (INT64_C(1) << 31) * QFTP_NS_PER_SEC, false,
                                    (const uint8_t *)"B", 1, err),
                    ==, 0);
    g_assert_cmpuint(qftp_capw_frames(w), ==, 2);
    g_assert_cmpint(qftp_capw_close(w, true, err), ==, 0);
    qftp_capture_reader *r = qftp_capr_open(path, err);
    g_assert_nonnull(r);
    qftp_frame f;
    g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 1);
    g_assert_cmpint(f.ts, ==, late);
    g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 1);
    g_assert_cmpint(f.ts, ==, (INT64_C(1) << 31) * QFTP_NS_PER_SEC);
    qftp_capr_close(r);
    g_free(path);
}

static void test_sniff(void)
{
    static const struct {
        const char *bytes;
        size_t n;
        bool want;
    } cases[] = {
        {"\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8, true}, /* pcap, little-endian, microseconds */
        {"\xa1\xb2\xc3\xd4\x00\x02\x00\x04", 8, true}, /* big-endian */
        {"\x4d\x3c\xb2\xa1", 4, true},                 /* nanoseconds */
        {"\xa1\xb2\x3c\x4d", 4, true},
        {"\x0a\x0d\x0d\x0a\x1c\x00\x00\x00", 8, true}, /* pcapng: too short to see the BOM */
        {"\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x4d\x3c\x2b\x1a", 12, true},
        {"\x0a\x0d\x0d\x0a\x00\x00\x00\x1c\x1a\x2b\x3c\x4d", 12, true},
        {"\x0a\x0d\x0d\x0a\x1c\x00\x00\x00OK\r\n", 12, false},
        {"\xd4\xc3\xb2", 3, false},
        {"", 0, false},
        {"AT+QFTPOPEN=\"h\",21\r\n", 20, false},
        {"\r\nOK\r\n", 6, false},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        if (qftp_capture_sniff((const uint8_t *)cases[i].bytes, cases[i].n) != cases[i].want)
            g_error("sniff case %zu: expected %d", i, cases[i].want);
    }
}

/* ---- malformed input ------------------------------------------------------------------ */

/* A good three-frame capture from our writer. */
static GBytes *good_capture(void)
{
    char err[QFTP_ERRBUF_SIZE];
    char *path = tmp_path("good.pcap");
    qftp_capture_writer *w = qftp_capw_open(path, "qftp", err);
    g_assert_nonnull(w);
    qftp_capw_write(w, QFTP_DIR_TX, t0, false, (const uint8_t *)"AT+QFTPCLOSE\r", 13, err);
    qftp_capw_write(w, QFTP_DIR_RX, t0 + 1, false, (const uint8_t *)"\r\nOK\r\n", 6, err);
    qftp_capw_write(w, QFTP_DIR_RX, t0 + 2, false, (const uint8_t *)"\r\n+QFTPCLOSE: 0\r\n", 17,
                    err);
    g_assert_cmpint(qftp_capw_close(w, true, err), ==, 0);
    GBytes *b = read_file(path);
    g_free(path);
    return b;
}

/* Reads path to the end. Returns the number of good frames before the error, or -1 if the
 * open failed; *rc is the last qftp_capr_next result. err gets the message. */
static int read_all(const char *path, int *rc, char *err)
{
    err[0] = '\0';
    qftp_capture_reader *r = qftp_capr_open(path, err);
    *rc = -1;
    if (!r)
        return -1;
    qftp_frame f;
    int n = 0;
    while ((*rc = qftp_capr_next(r, &f, err)) == 1)
        n++;
    if (*rc < 0) {
        /* the error sticks: the next call repeats it */
        char again[QFTP_ERRBUF_SIZE];
        g_assert_cmpint(qftp_capr_next(r, &f, again), ==, -1);
        g_assert_cmpstr(again, ==, err);
    }
    qftp_capr_close(r);
    return n;
}

static void expect_clear_message(const char *what, const char *err, const char *words)
{
    if (err[0] == '\0' || strchr(err, '\n') || !strstr(err, words))
        g_error("%s: message '%s' lacks '%s'", what, err, words);
    g_test_message("%s: %s", what, err);
}

typedef GByteArray *(*make_fn)(void);

static GByteArray *mk_empty(void)
{
    return g_byte_array_new();
}

static GByteArray *mk_garbage(void)
{
    GByteArray *b = g_byte_array_new();
    GRand *rnd = g_rand_new_with_seed(7);
    for (int i = 0; i < 4096; i++) {
        guint8 c = (guint8)g_rand_int(rnd);
        g_byte_array_append(b, &c, 1);
    }
    g_rand_free(rnd);
    return b;
}

static GByteArray *mk_text_log(void)
{
    GByteArray *b = g_byte_array_new();
    const char *s = "[10:00:00.000] AT+QFTPOPEN=\"ftp.example.com\",21\r\n";
    g_byte_array_append(b, (const guint8 *)s, (guint)strlen(s));
    return b;
}

static GByteArray *mk_tlv_past_frame(void)
{
    GByteArray *b = pcap_head(false, 0xa1b2c3d4, 252);
    add_exp(b, false, 1, "qftp", 0, "AT\r");
    static const guint8 bad[] = {0x00, 0x0c, 0x01, 0x00, 'q', 'f'}; /* claims 256 bytes */
    pcap_rec(b, false, 2, 0, bad, sizeof bad, sizeof bad);
    return b;
}

static GByteArray *mk_no_end_tag(void)
{
    GByteArray *b = pcap_head(false, 0xa1b2c3d4, 252);
    static const guint8 bad[] = {0x00, 0x0c, 0x00, 0x04, 'q', 'f', 't', 'p', 0x00};
    pcap_rec(b, false, 2, 0, bad, sizeof bad, sizeof bad);
    return b;
}

static GByteArray *mk_empty_frame(void)
{
    GByteArray *b = pcap_head(false, 0xa1b2c3d4, 252);
    pcap_rec(b, false, 2, 0, "", 0, 0);
    return b;
}

static GByteArray *mk_bad_direction(void)
{
    GByteArray *b = pcap_head(false, 0xa1b2c3d4, 252);
    static const guint8 bad[] = {0x00, 0x23, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
    pcap_rec(b, false, 2, 0, bad, sizeof bad, sizeof bad);
    return b;
}

static GByteArray *mk_oversized_record(void)
{
    GByteArray *b = pcap_head(false, 0xa1b2c3d4, 252);
    put32(b, false, 1);
    put32(b, false, 0);
    put32(b, false, 0x7fffffff); /* 2 GiB claimed */
    put32(b, false, 0x7fffffff);
    static const guint8 some[64];
    g_byte_array_append(b, some, sizeof some);
    return b;
}

static GByteArray *mk_huge_snaplen(void)
{
    /* A header that allows 4 GiB records, and a record above libpcap's 256 KiB bound
     * for link type 252, with its bytes present. */
    GByteArray *b = pcap_head(false, 0xa1b2c3d4, 252);
    memset(b->data + 16, 0xff, 4);
    GByteArray *f = exp_frame("qftp", 1, "");
    guint head = f->len;
    g_byte_array_set_size(f, QFTP_CAPTURE_SNAPLEN + 1);
    memset(f->data + head, 'x', f->len - head);
    pcap_rec(b, false, 1, 0, f->data, f->len, f->len);
    g_byte_array_free(f, TRUE);
    return b;
}

static GByteArray *mk_snapped(void)
{
    GByteArray *b = pcap_head(false, 0xa1b2c3d4, 252);
    GByteArray *f = exp_frame("qftp", 1, "\r\nOK\r\n");
    pcap_rec(b, false, 1, 0, f->data, f->len, f->len + 100);
    g_byte_array_free(f, TRUE);
    return b;
}

static GByteArray *mk_rtac_short(void)
{
    GByteArray *b = pcap_head(false, 0xa1b2c3d4, 250);
    pcap_rec(b, false, 1, 0, "\x00\x00\x00\x01\x00", 5, 5);
    return b;
}

static GByteArray *mk_pcapng_cut(void)
{
    GByteArray *b = g_byte_array_new();
    static const guint8 shb[] = {0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0x00, 0x00, 0x00,
                                 0x4d, 0x3c, 0x2b, 0x1a, 0x01, 0x00, 0x00, 0x00};
    g_byte_array_append(b, shb, sizeof shb);
    return b;
}

static GByteArray *mk_ethernet(void)
{
    /* written by libpcap itself, as tcpdump would */
    char *path = tmp_path("eth-src.pcap");
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    g_assert_nonnull(d);
    struct pcap_pkthdr h = {{1, 0}, 14, 14};
    pcap_dump((u_char *)d, &h, (const u_char *)"\xff\xff\xff\xff\xff\xff\0\1\2\3\4\5\x08\x00");
    pcap_dump_close(d);
    pcap_close(dead);
    GBytes *got = read_file(path);
    gsize n;
    const guint8 *p = g_bytes_get_data(got, &n);
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, p, (guint)n);
    g_bytes_unref(got);
    g_free(path);
    return b;
}

static void test_malformed(void)
{
    static const struct {
        const char *name;
        make_fn make;
        int good; /* frames before the error; -1: the open fails */
        const char *words;
    } cases[] = {
        {"empty", mk_empty, -1, "empty"},
        {"garbage", mk_garbage, -1, "not a capture: neither pcap nor pcapng"},
        {"text log", mk_text_log, -1, "not a capture"},
        {"ethernet", mk_ethernet, -1,
         "link type 1 (Ethernet) is not a serial capture: qftp reads link types 252 (exported "
         "PDU) and 250 (RTAC serial)"},
        {"pcapng cut in its section header", mk_pcapng_cut, -1, "truncated"},
        {"TLV past the frame", mk_tlv_past_frame, 1,
         "frame 2: exported-PDU tag 12 at offset 0 claims 256 bytes, but the frame has only 2 "
         "left"},
        {"no end tag", mk_no_end_tag, 0, "frame 1: the exported-PDU tag list runs past the end"},
        {"empty frame", mk_empty_frame, 0, "frame 1: the exported-PDU tag list runs past"},
        {"direction of 2 bytes", mk_bad_direction, 0, "frame 1: the direction tag has 2 bytes"},
        {"2 GiB record", mk_oversized_record, 0, "frame 1: unreadable record"},
        {"record over 256 KiB", mk_huge_snaplen, 0, "frame 1: unreadable record"},
        {"snapped record", mk_snapped, 0, "frame 1: only 26 of its 126 bytes were captured"},
        {"short RTAC frame", mk_rtac_short, 0,
         "frame 1: RTAC serial frame of 5 bytes is shorter than its 12-byte header"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GByteArray *b = cases[i].make();
        char *path = tmp_path("bad.pcap");
        write_file(path, b->data, b->len);
        char err[QFTP_ERRBUF_SIZE];
        int rc;
        int n = read_all(path, &rc, err);
        if (n != cases[i].good || (n >= 0 && rc != -1))
            g_error("%s: %d frames, rc %d (%s)", cases[i].name, n, rc, err);
        expect_clear_message(cases[i].name, err, cases[i].words);
        g_byte_array_free(b, TRUE);
        g_free(path);
    }
    char err[QFTP_ERRBUF_SIZE];
    g_assert_null(qftp_capr_open("/nonexistent/x.pcap", err));
    expect_clear_message("missing", err, "cannot open: No such file or directory");
}

/* Every cut of a good capture: the header cuts fail to open, the record cuts give the
 * frames before the cut and a truncation error naming the next frame. */
static void test_truncated_everywhere(void)
{
    GBytes *good = good_capture();
    gsize len;
    const guint8 *p = g_bytes_get_data(good, &len);
    /* record boundaries: 24 + (16 + 20 + payload) */
    const gsize ends[] = {24, 24 + 16 + 20 + 13, 24 + 2 * 16 + 40 + 13 + 6, len};
    g_assert_cmpuint(ends[3], ==, 24 + 3 * 16 + 60 + 13 + 6 + 17);
    char *path = tmp_path("cut.pcap");
    for (gsize cut = 0; cut < len; cut++) {
        write_file(path, p, cut);
        char err[QFTP_ERRBUF_SIZE];
        int rc;
        int n = read_all(path, &rc, err);
        if (cut < 24) {
            g_assert_cmpint(n, ==, -1);
            expect_clear_message("header cut", err, cut == 0 ? "empty" : "truncated file");
            continue;
        }
        int whole = 0;
        while (whole < 3 && ends[whole + 1] <= cut)
            whole++;
        if (n != whole)
            g_error("cut at %zu: %d frames, expected %d", (size_t)cut, n, whole);
        if (cut == ends[whole]) {
            g_assert_cmpint(rc, ==, 0); /* on a boundary: a shorter good file */
        } else {
            g_assert_cmpint(rc, ==, -1);
            char want[80];
            g_snprintf(want, sizeof want,
                       "frame %d: the capture ends in the middle of a record (truncated file)",
                       whole + 1);
            expect_clear_message("record cut", err, want);
        }
    }
    g_bytes_unref(good);
    g_free(path);
}

/* Random damage to a good capture: any result but a crash, a hang or a leak. */
static void test_corrupted(void)
{
    GBytes *good = good_capture();
    gsize len;
    const guint8 *p = g_bytes_get_data(good, &len);
    GRand *rnd = g_rand_new_with_seed(42);
    char *path = tmp_path("corrupt.pcap");
    for (int round = 0; round < 300; round++) {
        guint8 *b = g_memdup2(p, len);
        int flips = g_rand_int_range(rnd, 1, 6);
        for (int i = 0; i < flips; i++)
            b[g_rand_int_range(rnd, 0, (gint32)len)] = (guint8)g_rand_int(rnd);
        write_file(path, b, len);
        char err[QFTP_ERRBUF_SIZE];
        int rc;
        int n = read_all(path, &rc, err);
        if (n < 0 || rc < 0)
            expect_clear_message("corrupted", err, "");
        g_free(b);
    }
    g_rand_free(rnd);
    g_bytes_unref(good);
    g_free(path);
}

/* ---- atomic writing ------------------------------------------------------------------- */

static void test_atomic(void)
{
    char err[QFTP_ERRBUF_SIZE];
    char *dir = tmp_path("atomic");
    g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
    char *path = g_build_filename(dir, "out.pcap", NULL);

    /* commit=false: nothing under the name, no temporary left */
    qftp_capture_writer *w = qftp_capw_open(path, "qftp", err);
    g_assert_nonnull(w);
    g_assert_cmpint(qftp_capw_write(w, QFTP_DIR_TX, t0, false, (const uint8_t *)"AT\r", 3, err), ==,
                    0);
    g_assert_cmpint(count_entries(dir, "out.pcap"), ==, 1); /* the temporary file */
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_assert_cmpint(qftp_capw_close(w, false, err), ==, 0);
    g_assert_cmpint(count_entries(dir, "out.pcap"), ==, 0);

    /* an existing file is replaced only on commit */
    write_file(path, "old", 3);
    w = qftp_capw_open(path, "qftp", err);
    g_assert_nonnull(w);
    qftp_capw_write(w, QFTP_DIR_TX, t0, false, (const uint8_t *)"AT\r", 3, err);
    g_assert_cmpint(qftp_capw_close(w, false, err), ==, 0);
    GBytes *old = read_file(path);
    g_assert_cmpuint(g_bytes_get_size(old), ==, 3);
    g_bytes_unref(old);
    w = qftp_capw_open(path, "qftp", err);
    g_assert_nonnull(w);
    g_assert_cmpint(qftp_capw_close(w, true, err), ==, 0); /* a capture with no frames */
    g_assert_cmpint(count_entries(dir, "out.pcap"), ==, 1);
    int rc;
    g_assert_cmpint(read_all(path, &rc, err), ==, 0);
    g_assert_cmpint(rc, ==, 0);

    /* directories that cannot take the file */
    g_assert_null(qftp_capw_open("/nonexistent-dir/x.pcap", "qftp", err));
    expect_clear_message("missing dir", err,
                         "cannot create /nonexistent-dir/x.pcap: No such file or directory");
    char *under_file = g_build_filename(path, "x.pcap", NULL);
    g_assert_null(qftp_capw_open(under_file, "qftp", err));
    expect_clear_message("under a file", err, "Not a directory");
    g_free(under_file);
    if (geteuid() != 0) { /* root writes anywhere */
        char *ro = g_build_filename(dir, "ro", NULL);
        g_assert_cmpint(g_mkdir(ro, 0555), ==, 0);
        char *in_ro = g_build_filename(ro, "x.pcap", NULL);
        g_assert_null(qftp_capw_open(in_ro, "qftp", err));
        expect_clear_message("read-only dir", err, "Permission denied");
        g_assert_cmpint(count_entries(ro, ""), ==, 0);
        g_free(in_ro);
        g_free(ro);
    }

    /* dissector names must fit qftp_frame.dissector */
    g_assert_null(qftp_capw_open(path, "", err));
    g_assert_null(qftp_capw_open(path, "a-dissector-name-longer-than-31-chars", err));
    expect_clear_message("long name", err, "1 to 31 characters");
    g_free(path);
    g_free(dir);
}

/* A write the file system refuses (here: beyond a lowered RLIMIT_FSIZE) fails the
 * writer, and committing it leaves neither the target nor the temporary file. */
static void test_write_failure(void)
{
    char err[QFTP_ERRBUF_SIZE];
    char *dir = tmp_path("full");
    g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
    char *path = g_build_filename(dir, "out.pcap", NULL);
    qftp_capture_writer *w = qftp_capw_open(path, "qftp", err);
    g_assert_nonnull(w);
    static uint8_t big[300000];

    struct rlimit saved;
    g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &saved), ==, 0);
    struct rlimit lim = {100000, saved.rlim_max};
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN); /* write() fails with EFBIG */
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &lim), ==, 0);
    int rc = 0;
    for (int i = 0; i < 4 && rc == 0; i++)
        rc = qftp_capw_write(w, QFTP_DIR_RX, t0, false, big, sizeof big, err);
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &saved), ==, 0);
    signal(SIGXFSZ, old_handler);

    g_assert_cmpint(rc, ==, -1);
    expect_clear_message("file too large", err, "File too large");
    g_assert_cmpint(qftp_capw_write(w, QFTP_DIR_RX, t0, false, big, 1, err), ==, -1);
    expect_clear_message("after a failure", err, "an earlier write failed");
    g_assert_cmpint(qftp_capw_close(w, true, err), ==, -1);
    g_assert_cmpint(count_entries(dir, ""), ==, 0);
    g_free(path);
    g_free(dir);
}

/* A direct writer (qftp_capw_open_direct, for `qftp record`): the target is a valid
 * capture from the start, holds every frame after each flush while the writer is still
 * open, and is kept, as far as it got, by a close without commit or a failed write. */
static void test_direct(void)
{
    char err[QFTP_ERRBUF_SIZE];
    char *dir = tmp_path("direct");
    g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
    char *path = g_build_filename(dir, "live.pcap", NULL);
    write_file(path, "an older file, replaced", 23);

    qftp_capture_writer *w = qftp_capw_open_direct(path, "qftp", err);
    g_assert_nonnull(w);
    g_assert_cmpint(count_entries(dir, ""), ==, 1); /* no temporary file beside it */
    int rc;
    g_assert_cmpint(read_all(path, &rc, err), ==, 0); /* the header alone, already there */
    g_assert_cmpint(rc, ==, 0);

    static const struct {
        qftp_dir dir;
        const char *bytes;
    } frames[] = {{QFTP_DIR_TX, "AT\r"}, {QFTP_DIR_RX, "AT\r\r\nOK\r\n"}, {QFTP_DIR_TX, "ATI\r"}};
    for (size_t i = 0; i < G_N_ELEMENTS(frames); i++) {
        g_assert_cmpint(qftp_capw_write(w, frames[i].dir, t0 + (qftp_ts)i, false,
                                        (const uint8_t *)frames[i].bytes, strlen(frames[i].bytes),
                                        err),
                        ==, 0);
        g_assert_cmpint(qftp_capw_flush(w, err), ==, 0);
        /* read back while the writer is open: every frame so far, whole */
        qftp_capture_reader *r = qftp_capr_open(path, err);
        g_assert_nonnull(r);
        qftp_frame f;
        for (size_t k = 0; k <= i; k++) {
            g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 1);
            g_assert_cmpint(f.dir, ==, frames[k].dir);
            g_assert_cmpint(f.ts, ==, t0 + (qftp_ts)k);
            g_assert_cmpmem(f.data, f.len, frames[k].bytes, strlen(frames[k].bytes));
        }
        g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 0);
        qftp_capr_close(r);
    }
    /* unflushed frames of a big write reach the file whole at the next flush */
    static uint8_t big[QFTP_CAPTURE_MAX_PAYLOAD + 1000];
    memset(big, 0x5a, sizeof big);
    g_assert_cmpint(qftp_capw_write(w, QFTP_DIR_RX, t0, false, big, sizeof big, err), ==, 0);
    g_assert_cmpint(qftp_capw_flush(w, err), ==, 0);
    g_assert_cmpint(read_all(path, &rc, err), ==, 5);
    g_assert_cmpint(rc, ==, 0);

    /* closing without commit keeps the file */
    g_assert_cmpint(qftp_capw_close(w, false, err), ==, 0);
    g_assert_cmpint(read_all(path, &rc, err), ==, 5);
    g_assert_cmpint(rc, ==, 0);
    /* reopening truncates; a commit leaves a complete capture */
    w = qftp_capw_open_direct(path, "qftp", err);
    g_assert_nonnull(w);
    g_assert_cmpint(qftp_capw_write(w, QFTP_DIR_TX, t0, false, (const uint8_t *)"AT\r", 3, err), ==,
                    0);
    g_assert_cmpint(qftp_capw_close(w, true, err), ==, 0);
    g_assert_cmpint(read_all(path, &rc, err), ==, 1);
    g_assert_cmpint(rc, ==, 0);

    /* a write the file system refuses: the error sticks, the file keeps what it had */
    w = qftp_capw_open_direct(path, "qftp", err);
    g_assert_nonnull(w);
    g_assert_cmpint(qftp_capw_write(w, QFTP_DIR_TX, t0, false, (const uint8_t *)"AT\r", 3, err), ==,
                    0);
    g_assert_cmpint(qftp_capw_flush(w, err), ==, 0);
    struct rlimit saved;
    g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &saved), ==, 0);
    struct rlimit lim = {100000, saved.rlim_max};
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &lim), ==, 0);
    rc = 0;
    for (int i = 0; i < 4 && rc == 0; i++) {
        rc = qftp_capw_write(w, QFTP_DIR_RX, t0, false, big, 60000, err);
        if (rc == 0)
            rc = qftp_capw_flush(w, err);
    }
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &saved), ==, 0);
    signal(SIGXFSZ, old_handler);
    g_assert_cmpint(rc, ==, -1);
    expect_clear_message("direct, file too large", err, "File too large");
    g_assert_cmpint(qftp_capw_close(w, true, err), ==, -1);
    g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
    qftp_capture_reader *r = qftp_capr_open(path, err);
    g_assert_nonnull(r);
    qftp_frame f;
    g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 1); /* the first frame, whole */
    g_assert_cmpmem(f.data, f.len, "AT\r", 3);
    qftp_capr_close(r);

    /* a folder that cannot take it */
    g_assert_null(qftp_capw_open_direct("/nonexistent-dir/x.pcap", "qftp", err));
    expect_clear_message("direct, missing dir", err,
                         "cannot create /nonexistent-dir/x.pcap: No such file or directory");
    g_free(path);
    g_free(dir);
}

/* "-" writes to standard output and leaves it open. */
static void test_stdout(void)
{
    char err[QFTP_ERRBUF_SIZE];
    char *path = tmp_path("stdout.pcap");
    fflush(stdout);
    int saved = dup(1);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    g_assert_cmpint(fd, >=, 0);
    dup2(fd, 1);
    close(fd);
    qftp_capture_writer *w = qftp_capw_open("-", "qftp", err);
    g_assert_nonnull(w);
    int wrc = qftp_capw_write(w, QFTP_DIR_RX, t0, false, (const uint8_t *)"OK", 2, err);
    int crc = qftp_capw_close(w, true, err);
    int still_open = fputs("", stdout) != EOF && fflush(stdout) == 0;
    dup2(saved, 1);
    close(saved);
    g_assert_cmpint(wrc, ==, 0);
    g_assert_cmpint(crc, ==, 0);
    g_assert_true(still_open);
    qftp_capture_reader *r = qftp_capr_open(path, err);
    g_assert_nonnull(r);
    qftp_frame f;
    g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 1);
    g_assert_cmpmem(f.data, f.len, "OK", 2);
    qftp_capr_close(r);
    g_free(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("qftp-capture-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    g_test_add_func("/capture/header-bytes", test_header_bytes);
    g_test_add_func("/capture/file-bytes", test_file_bytes);
    g_test_add_func("/capture/roundtrip", test_roundtrip);
    g_test_add_func("/capture/tshark", test_tshark);
    g_test_add_func("/capture/rtac", test_rtac);
    g_test_add_func("/capture/foreign-exp-pdu", test_foreign_exp_pdu);
    g_test_add_func("/capture/pcapng", test_pcapng);
    g_test_add_func("/capture/timestamp-range", test_timestamp_range);
    g_test_add_func("/capture/sniff", test_sniff);
    g_test_add_func("/capture/malformed", test_malformed);
    g_test_add_func("/capture/truncated-everywhere", test_truncated_everywhere);
    g_test_add_func("/capture/corrupted", test_corrupted);
    g_test_add_func("/capture/atomic", test_atomic);
    g_test_add_func("/capture/stdout", test_stdout);
    g_test_add_func("/capture/write-failure", test_write_failure);
    g_test_add_func("/capture/direct", test_direct);
    int rc = g_test_run();
    const gchar *argv_rm[] = {"rm", "-rf", tmpdir, NULL};
    g_spawn_sync(NULL, (gchar **)argv_rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                 NULL);
    g_free(tmpdir);
    return rc;
}
