/* parser_bench.c - throughput of the AT stream parser on 100 MB of AT text and on
 * 100 MB through data mode, fed in 64 KiB chunks as a capture reader would.
 * Prints MB/s for each, and the same for the whole session (both parsers + the
 * transaction model) on the AT text. Build: part of the tree (target parser_bench). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qftp/parser.h"
#include "qftp/session.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t events;
static void count_cb(void *user, const qftp_event *ev)
{
    (void)user;
    (void)ev;
    events++;
}

/* Module-side AT text as a busy session produces it. */
static size_t make_at_text(uint8_t *buf, size_t cap)
{
    static const char *const lines[] = {
        "AT+QFTPSTAT\r\r\n",
        "+QFTPSTAT: 0,1\r\n",
        "\r\nOK\r\n",
        "\r\n+QFTPCWD: 0,0\r\n",
        "+CME ERROR: 603\r\n",
        "\r\n+QFTPSIZE: 627,550\r\n",
        "+QIURC: \"pdpdeact\",1\r\n",
        "\r\n+QFTPPWD: 0,\"/home/user/some/long/directory/name\"\r\n",
        "\r\n+QFTPMDTM: 0,\"20140708110039\"\r\n"};
    size_t n = 0, k = 0;
    while (n + 80 < cap) {
        const char *l = lines[k++ % (sizeof lines / sizeof lines[0])];
        size_t len = strlen(l);
        memcpy(buf + n, l, len);
        n += len;
    }
    return n;
}

static double feed_all(qftp_parser *p, const uint8_t *b, size_t n)
{
    double t0 = now_s();
    for (size_t off = 0; off < n; off += 65536) {
        size_t k = n - off < 65536 ? n - off : 65536;
        qftp_parser_feed(p, b + off, k, (qftp_ts)off);
    }
    qftp_parser_finish(p, (qftp_ts)n);
    return now_s() - t0;
}

int main(int argc, char **argv)
{
    size_t size = (argc > 1 ? (size_t)atol(argv[1]) : 100) << 20;
    uint8_t *buf = malloc(size + 256);
    if (!buf)
        return 1;
    char err[QFTP_ERRBUF_SIZE];

    /* 1. AT text through the module-side parser */
    size_t n = make_at_text(buf, size);
    qftp_parser *p = qftp_parser_new(QFTP_DIR_RX, NULL, count_cb, NULL, err);
    double best = 1e9;
    for (int r = 0; r < 3; r++) {
        qftp_parser_reset(p);
        events = 0;
        double t = feed_all(p, buf, n);
        best = t < best ? t : best;
    }
    printf("parser, AT text:          %8.1f MB/s  (%zu MB, %llu events, best of 3)\n",
           (double)n / best / 1e6, n >> 20, (unsigned long long)events);

    /* 2. the whole session on the same text */
    double tsess = 1e9;
    for (int r = 0; r < 2; r++) {
        qftp_session *s = qftp_session_new(NULL, err);
        double t0 = now_s();
        for (size_t off = 0; off < n; off += 65536) {
            size_t k = n - off < 65536 ? n - off : 65536;
            qftp_session_feed(s, QFTP_DIR_RX, buf + off, k, (qftp_ts)off, off / 65536 + 1);
        }
        qftp_session_finish(s, (qftp_ts)n);
        double t = now_s() - t0;
        tsess = t < tsess ? t : tsess;
        qftp_session_free(s);
    }
    printf("session, AT text:         %8.1f MB/s  (both parsers + transaction model)\n",
           (double)n / tsess / 1e6);

    /* 3. a download through data mode: random bytes (CR every ~256 bytes on average)
     * ended by the URC, as the module sends it */
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < size; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
    int tl = snprintf((char *)buf + size, 256, "\r\nOK\r\n\r\n+QFTPGET: 0,%zu\r\n", size);
    n = size + (size_t)tl;
    qftp_data_mode m;
    qftp_data_mode_init(&m);
    m.end_on_urc = true;
    strcpy(m.urc_name, "+QFTPGET");
    best = 1e9;
    int64_t got = 0;
    for (int r = 0; r < 3; r++) {
        qftp_parser_reset(p);
        qftp_parser_enter_data(p, &m);
        double t = feed_all(p, buf, n);
        got = qftp_parser_data_count(p);
        best = t < best ? t : best;
    }
    printf("parser, data mode (GET):  %8.1f MB/s  (%zu MB payload, %lld bytes counted)\n",
           (double)size / best / 1e6, size >> 20, (long long)got);

    /* 4. an upload with a declared length */
    qftp_parser *tx = qftp_parser_new(QFTP_DIR_TX, NULL, count_cb, NULL, err);
    qftp_data_mode_init(&m);
    m.expect_len = (int64_t)size;
    m.end_on_length = true;
    m.end_on_escape = true;
    best = 1e9;
    for (int r = 0; r < 3; r++) {
        qftp_parser_reset(tx);
        qftp_parser_enter_data(tx, &m);
        double t = feed_all(tx, buf, size);
        best = t < best ? t : best;
    }
    printf("parser, data mode (PUT):  %8.1f MB/s  (declared length)\n", (double)size / best / 1e6);
    qftp_parser_free(p);
    qftp_parser_free(tx);
    free(buf);
    return 0;
}
