/* test_capture.c - qftp captures through libpcap: the bytes of docs/capture-format.md,
 * round trips, RTAC serial, malformed files, atomic writing, and tshark reading ours. */
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qftp/capture.h"
#include "testutil.h"

static char *tmpdir;

static char *tmp(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static void write_file(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    g_assert_nonnull(f);
    fwrite(b, 1, n, f);
    fclose(f);
}

static void test_header_bytes(void)
{
    /* docs/capture-format.md: tag 12 "qftp", tag 35 int32 BE direction, tag 0; unpadded */
    static const uint8_t want[] = {0x00, 0x0c, 0x00, 0x04, 'q',  'f',  't',  'p',  0x00, 0x23,
                                   0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
    uint8_t b[64];
    size_t n = qftp_exp_pdu_header(b, sizeof b, "qftp", QFTP_DIR_RX, false);
    g_assert_cmpmem(b, n, want, sizeof want);
    n = qftp_exp_pdu_header(b, sizeof b, "qftp", QFTP_DIR_TX, true);
    static const uint8_t synth[] = {0xf5, 0x71, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00};
    g_assert_cmpuint(n, ==, 16 + sizeof synth);
    g_assert_cmpuint(b[15], ==, 0);
    g_assert_cmpmem(b + 16, sizeof synth, synth, sizeof synth);
}

static void test_roundtrip(void)
{
    char err[QFTP_ERRBUF_SIZE];
    char *path = tmp("rt.pcap");
    qftp_capture_writer *w = qftp_capw_open(path, "qftp", err);
    g_assert_nonnull(w);
    GByteArray *big = g_byte_array_new();
    for (int i = 0; i < QFTP_CAPTURE_MAX_PAYLOAD + 1000; i++) {
        guint8 c = (guint8)i;
        g_byte_array_append(big, &c, 1);
    }
    qftp_ts t0 = INT64_C(1714557600123456789);
    g_assert_cmpint(qftp_capw_write(w, QFTP_DIR_TX, t0, false, (const uint8_t *)"AT\r", 3, err), ==,
                    0);
    g_assert_cmpint(qftp_capw_write(w, QFTP_DIR_RX, t0 + 1000, true, (const uint8_t *)"", 0, err),
                    ==, 0);
    g_assert_cmpint(qftp_capw_write(w, QFTP_DIR_RX, t0 + 2000, false, big->data, big->len, err), ==,
                    0);
    g_assert_cmpuint(qftp_capw_frames(w), ==, 4);
    g_assert_cmpint(qftp_capw_close(w, true, err), ==, 0);

    qftp_capture_reader *r = qftp_capr_open(path, err);
    g_assert_nonnull(r);
    g_assert_cmpint(qftp_capr_linktype(r), ==, 252);
    qftp_frame f;
    if (qftp_capr_next(r, &f, err) != 1)
        g_error("frame 1: %s", err);
    g_assert_cmpint(f.dir, ==, QFTP_DIR_TX);
    g_assert_true(f.dir_known && !f.ts_synth);
    g_assert_cmpint(f.ts, ==, t0); /* nanoseconds survive */
    g_assert_cmpmem(f.data, f.len, "AT\r", 3);
    g_assert_cmpstr(f.dissector, ==, "qftp");
    if (qftp_capr_next(r, &f, err) != 1)
        g_error("frame 2: %s", err);
    g_assert_true(f.ts_synth && f.dir == QFTP_DIR_RX && f.len == 0);
    g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 1);
    g_assert_cmpuint(f.len, ==, QFTP_CAPTURE_MAX_PAYLOAD); /* split, never truncated */
    g_assert_cmpmem(f.data, f.len, big->data, QFTP_CAPTURE_MAX_PAYLOAD);
    g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 1);
    g_assert_cmpmem(f.data, f.len, big->data + QFTP_CAPTURE_MAX_PAYLOAD, 1000);
    g_assert_cmpuint(f.frame_no, ==, 4);
    g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 0);
    qftp_capr_close(r);

    /* Wireshark reads the same file: the dissector name and the directions */
    if (g_find_program_in_path("tshark")) {
        gchar *out = NULL,
              *cmd = g_strdup_printf(
                  "tshark -r %s -T fields -e exported_pdu.prot_name -e exported_pdu.p2p_dir", path);
        g_assert_true(g_spawn_command_line_sync(cmd, &out, NULL, NULL, NULL));
        g_assert_true(g_str_has_prefix(out, "qftp\t0\nqftp\t1\nqftp\t1\nqftp\t1\n"));
        g_free(out);
        g_free(cmd);
    }
    g_byte_array_free(big, TRUE);
    g_free(path);
}

static void put32le(GByteArray *b, uint32_t v)
{
    guint8 x[4] = {(guint8)v, (guint8)(v >> 8), (guint8)(v >> 16), (guint8)(v >> 24)};
    g_byte_array_append(b, x, 4);
}

static GByteArray *pcap_header(uint32_t linktype)
{
    GByteArray *b = g_byte_array_new();
    put32le(b, 0xa1b2c3d4);
    guint8 ver[4] = {2, 0, 4, 0};
    g_byte_array_append(b, ver, 4);
    put32le(b, 0);
    put32le(b, 0);
    put32le(b, 65535);
    put32le(b, linktype);
    return b;
}

static void add_rec(GByteArray *b, uint32_t sec, const uint8_t *p, size_t n)
{
    put32le(b, sec);
    put32le(b, 0);
    put32le(b, (uint32_t)n);
    put32le(b, (uint32_t)n);
    g_byte_array_append(b, p, (guint)n);
}

static void test_rtac(void)
{
    /* packet-rtacser.c: 8-byte BE timestamp, event type, control lines, 2-byte footer */
    GByteArray *b = pcap_header(250);
    uint8_t tx[] = {0, 0, 0, 1, 0, 0, 0, 0, 0x01, 0x18, 0, 0, 'A', 'T', '\r'};
    uint8_t st[] = {0, 0, 0, 1, 0, 0, 0, 0, 0x00, 0x18, 0, 0};
    uint8_t rx[] = {0, 0, 0, 2, 0, 0, 0, 0, 0x02, 0x18, 0, 0, 'O', 'K', '\r', '\n'};
    add_rec(b, 1, tx, sizeof tx);
    add_rec(b, 1, st, sizeof st);
    add_rec(b, 2, rx, sizeof rx);
    char *path = tmp("rtac.pcap");
    write_file(path, b->data, b->len);
    char err[QFTP_ERRBUF_SIZE];
    qftp_capture_reader *r = qftp_capr_open(path, err);
    g_assert_nonnull(r);
    qftp_frame f;
    g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 1);
    g_assert_cmpint(f.dir, ==, QFTP_DIR_TX);
    g_assert_cmpmem(f.data, f.len, "AT\r", 3);
    g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 1); /* the status change is skipped */
    g_assert_cmpint(f.dir, ==, QFTP_DIR_RX);
    g_assert_cmpmem(f.data, f.len, "OK\r\n", 4);
    g_assert_cmpuint(f.frame_no, ==, 3);
    g_assert_cmpint(qftp_capr_next(r, &f, err), ==, 0);
    qftp_capr_close(r);
    g_byte_array_free(b, TRUE);
    g_free(path);
}

static void expect_error(const char *name, const void *bytes, size_t n, const char *words,
                         bool at_open)
{
    char *path = tmp(name);
    write_file(path, bytes, n);
    char err[QFTP_ERRBUF_SIZE] = "";
    qftp_capture_reader *r = qftp_capr_open(path, err);
    if (at_open) {
        g_assert_null(r);
    } else {
        g_assert_nonnull(r);
        qftp_frame f;
        int rc;
        while ((rc = qftp_capr_next(r, &f, err)) == 1)
            ;
        g_assert_cmpint(rc, ==, -1);
        qftp_capr_close(r);
    }
    if (!strstr(err, words))
        g_error("%s: message '%s' lacks '%s'", name, err, words);
    g_free(path);
}

static void test_malformed(void)
{
    GByteArray *eth = pcap_header(1);
    expect_error("eth.pcap", eth->data, eth->len, "link type 1", true);
    g_byte_array_free(eth, TRUE);

    GByteArray *b = pcap_header(252);
    uint8_t bad_tlv[] = {0x00, 0x0c, 0x01, 0x00, 'q', 'f'}; /* claims 256 bytes */
    add_rec(b, 1, bad_tlv, sizeof bad_tlv);
    expect_error("tlv.pcap", b->data, b->len, "claims 256 bytes", false);
    g_byte_array_free(b, TRUE);

    b = pcap_header(252);
    uint8_t ok[20];
    size_t n = qftp_exp_pdu_header(ok, sizeof ok, "qftp", QFTP_DIR_TX, false);
    add_rec(b, 1, ok, n);
    add_rec(b, 2, ok, n);
    expect_error("trunc.pcap", b->data, b->len - 5, "truncated", false);
    expect_error("trunc-hdr.pcap", b->data, 10, "", true);
    g_byte_array_free(b, TRUE);

    expect_error("empty.pcap", "", 0, "", true);
    uint8_t garbage[300];
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (uint8_t)(i * 31 + 7);
    expect_error("garbage.pcap", garbage, sizeof garbage, "", true);
    g_assert_false(qftp_capture_sniff(garbage, sizeof garbage));
    uint8_t magic[] = {0xd4, 0xc3, 0xb2, 0xa1};
    g_assert_true(qftp_capture_sniff(magic, 4));
}

static void test_atomic(void)
{
    char err[QFTP_ERRBUF_SIZE];
    char *path = tmp("never.pcap");
    qftp_capture_writer *w = qftp_capw_open(path, "qftp", err);
    qftp_capw_write(w, QFTP_DIR_TX, 0, false, (const uint8_t *)"AT\r", 3, err);
    g_assert_cmpint(qftp_capw_close(w, false, err), ==, 0);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    GDir *d = g_dir_open(tmpdir, 0, NULL);
    const char *e;
    while ((e = g_dir_read_name(d)))
        g_assert_false(g_str_has_prefix(e, "never.pcap"));
    g_dir_close(d);
    g_assert_null(qftp_capw_open("/nonexistent-dir/x.pcap", "qftp", err));
    g_assert_nonnull(strstr(err, "cannot create"));
    g_free(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("qftp-capture-XXXXXX", NULL);
    g_test_add_func("/capture/header-bytes", test_header_bytes);
    g_test_add_func("/capture/roundtrip", test_roundtrip);
    g_test_add_func("/capture/rtac", test_rtac);
    g_test_add_func("/capture/malformed", test_malformed);
    g_test_add_func("/capture/atomic", test_atomic);
    int rc = g_test_run();
    gchar *cmd = g_strdup_printf("rm -rf %s", tmpdir);
    (void)!system(cmd);
    g_free(cmd);
    return rc;
}
