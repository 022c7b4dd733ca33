/* sscom.c - SSCOM's receive window, saved or copied (SSCOM 5.13 with "加时间戳和分包显示",
 * time stamps and one block per read):
 *
 *   [15:20:01.102]发→◇AT+QFTPPATH="/logs/"      what it sent ("发→◇"), then a line "□"
 *   □                                            (its picture of the CR LF it appends)
 *   [15:20:01.140]收←◆AT+QFTPPATH="/logs/"      a read ("收←◆"), running on over the
 *   OK                                           lines below it until the next block
 *
 * In hex display ("HEX显示") a block holds the bytes as "41 54 0D 0A ": read exactly.
 * The stamp is optional (without it, times are synthesised). The markers are read in
 * UTF-8 (a paste) and in GBK (the file SSCOM saves on a Chinese Windows). The lines of a
 * block are text lines of its side with the block's time; the transcript makes the
 * bytes (a read's line breaks say nothing about CR or LF: the completion URC's count
 * chooses a download's line ends).
 */
#include <glib.h>
#include <string.h>

#include "../logimport_int.h"

static const struct {
    const char *bytes;
    qftp_dir dir;
} markers[] = {
    {"\xe6\x94\xb6\xe2\x86\x90\xe2\x97\x86", QFTP_DIR_RX}, /* 收←◆ UTF-8 */
    {"\xe5\x8f\x91\xe2\x86\x92\xe2\x97\x87", QFTP_DIR_TX}, /* 发→◇ UTF-8 */
    {"\xca\xd5\xa1\xfb\xa1\xf4", QFTP_DIR_RX},             /* GBK */
    {"\xb7\xa2\xa1\xfa\xa1\xf3", QFTP_DIR_TX},
};

/* "[time]" and a marker at the start of a line: where the text starts, 0 if none. */
static size_t block_head(const uint8_t *s, size_t n, log_stamp *st, qftp_dir *dir)
{
    size_t i = 0;
    *st = LOG_NO_STAMP;
    if (n > 2 && s[0] == '[') {
        size_t t = log_parse_time(s + 1, n - 1, st);
        if (t && 1 + t < n && s[1 + t] == ']')
            i = t + 2;
        else
            *st = LOG_NO_STAMP;
    }
    for (size_t k = 0; k < G_N_ELEMENTS(markers); k++) {
        size_t m = strlen(markers[k].bytes);
        if (n - i >= m && memcmp(s + i, markers[k].bytes, m) == 0) {
            *dir = markers[k].dir;
            return i + m;
        }
    }
    *st = LOG_NO_STAMP;
    return 0;
}

static bool sscom_probe(const uint8_t *s, size_t n)
{
    log_stamp st;
    qftp_dir d;
    return block_head(s, n, &st, &d) > 0;
}

static bool box_line(const uint8_t *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--; /* a paste's padding */
    return (n == 3 && memcmp(s, "\xe2\x96\xa1", 3) == 0) ||
           (n == 2 && memcmp(s, "\xa1\xf5", 2) == 0);
}

typedef struct {
    log_text_state text;
    bool in_block;
    bool hex; /* the block is in hex ("HEX显示": "41 54 0D 0A ") */
    qftp_dir dir;
    log_stamp st;
} sscom_state;

static int sscom_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    sscom_state *p = state;
    size_t len = n;
    while (len && s[len - 1] == '\r')
        len--;
    log_stamp st;
    qftp_dir dir;
    size_t off = block_head(s, len, &st, &dir);
    if (off) {
        p->in_block = true;
        p->dir = dir;
        p->st = st;
        /* two hex pairs at least: a text block's first line is not read as hex */
        p->hex = len - off >= 5 && log_hex_bytes(s + off, len - off, p->text.scratch);
    } else if (!p->in_block) {
        /* before the first block: SSCOM's own lines */
        log_skipped(c);
        return 0;
    }
    if (p->dir == QFTP_DIR_TX && box_line(s + off, len - off))
        return 0;
    if (p->hex && log_hex_bytes(s + off, len - off, p->text.scratch)) {
        log_tline l = {p->text.scratch->data, p->text.scratch->len, true, true, p->dir, p->st,
                       LOG_EOL_NONE,          c->r.line_no};
        return log_transcript_line(c, p->text.t, &l);
    }
    /* a line break of the window, not of the bytes */
    return log_text_line(c, &p->text, s + off, n - off, true, p->dir, p->st, false);
}

static void sscom_describe(const uint8_t *s, size_t n, char *out, size_t cap)
{
    log_stamp st;
    qftp_dir d;
    size_t off = block_head(s, n, &st, &d);
    snprintf(out, cap, "SSCOM's blocks \"%.*s\" (发→◇ sent, 收←◆ received)", (int)off,
             (const char *)s);
}

const log_layout log_layout_sscom = {
    .id = QFTP_FMT_SSCOM,
    .name = "sscom",
    .probe = sscom_probe,
    .share = 4,
    .state_size = sizeof(sscom_state),
    .open = log_text_open,
    .line = sscom_line,
    .finish = log_text_finish,
    .cleanup = log_text_cleanup,
    .describe = sscom_describe,
};
