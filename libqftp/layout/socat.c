/* socat.c - the socat layout.
 *
 * socat -v / -x (socat.c xioprintblockheader and xiotransfer): a header
 * "> 2024/05/01 10:00:01.123456  length=12 from=0 to=11" per transfer, then
 *  -v     the bytes as text: \r \\ \a \b \v \f escaped, LF and TAB literal, other
 *         unprintable bytes as '.', no line end after the block (the next header may
 *         follow on the same line);
 *  -x     " 41 54 0d" all on one line;
 *  -v -x  up to 16 " HH" per line (a line also ends after a 0a byte), padding, two
 *         spaces and the printable picture; "--" after the block.
 * The time is local time of the machine that ran socat (taken as UTC here). socat 1.7.4
 * prints the microseconds with nine digits ("12:07:27.000494292" is .494292 s). */

#include <glib.h>
#include <string.h>

#include "../logimport_int.h"

typedef struct {
    size_t remain; /* bytes of the current block still to come */
    int hex;       /* -x dump; -1: decided by the first data line of the log */
    qftp_dir dir;  /* of the current block */
    log_stamp st;
    uint64_t first, block_line;
} socat_state;

static bool socat_header(const uint8_t *s, size_t n, qftp_dir *dir, log_stamp *st, size_t *len)
{
    if (n < 12 || (s[0] != '>' && s[0] != '<') || s[1] != ' ')
        return false;
    size_t i = 2;
    *st = LOG_NO_STAMP;
    size_t t = log_parse_time(s + i, n - i, st);
    if (t) {
        /* "HH:MM:SS.000uuuuuu": nine digits with the microseconds in the last six */
        const uint8_t *dot = memchr(s + i, '.', t);
        if (dot && s + i + t - dot == 10 && memcmp(dot + 1, "000", 3) == 0)
            st->ts = st->ts - st->ts % QFTP_NS_PER_SEC + (st->ts % QFTP_NS_PER_SEC) * 1000;
        i += t;
    }
    i = log_skip_ws(s, n, i);
    if (n - i < 8 || memcmp(s + i, "length=", 7) != 0 || !g_ascii_isdigit(s[i + 7]))
        return false;
    int64_t v;
    size_t k = log_digits(s, n, i + 7, 15, &v);
    if (i + 7 + k + 6 > n || memcmp(s + i + 7 + k, " from=", 6) != 0)
        return false;
    *dir = s[0] == '>' ? QFTP_DIR_TX : QFTP_DIR_RX;
    *len = (size_t)v;
    return true;
}

/* "2024/05/01 10:00:01 socat[123] N ..." diagnostics between blocks (-d) */
static bool socat_diag(const uint8_t *s, size_t n)
{
    return n > 28 && g_ascii_isdigit(s[0]) && g_strstr_len((const char *)s, 40, " socat[");
}

static bool hex_pair(const uint8_t *s, size_t n, size_t i)
{
    return i + 3 <= n && s[i] == ' ' && g_ascii_isxdigit(s[i + 1]) && g_ascii_isxdigit(s[i + 2]);
}

static bool socat_probe(const uint8_t *s, size_t n)
{
    qftp_dir d;
    log_stamp st;
    size_t len;
    return socat_header(s, n, &d, &st, &len);
}

static int socat_open(log_ctx *c, void *state)
{
    (void)c;
    socat_state *ss = state;
    ss->hex = -1;
    ss->dir = QFTP_DIR_TX;
    ss->st = LOG_NO_STAMP;
    return 0;
}

static int socat_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    socat_state *ss = state;
    int rc;
    if (n && s[n - 1] == '\r') /* a log saved with CRLF: socat escapes real CRs */
        n--;
    size_t i = 0;
    for (;;) {
        if (ss->remain == 0) {
            if ((rc = log_emit(&c->e, ss->dir, ss->st, ss->first, c->errbuf)) != 0)
                return rc;
            if (i >= n || log_blank(s + i, n - i) || (i == 0 && socat_diag(s, n)))
                break;
            if (n - i == 2 && s[i] == '-' && s[i + 1] == '-')
                break;
            if (!socat_header(s + i, n - i, &ss->dir, &ss->st, &ss->remain)) {
                LOG_ERR(c,
                        "line %llu: a socat header (\"> 2024/05/01 10:00:01.123456  length=12 "
                        "from=0 to=11\") was expected",
                        LN(c->r.line_no));
                return -1;
            }
            ss->first = ss->block_line = c->r.line_no;
            break;
        }
        if (c->e.len >= LOG_REC_CAP &&
            (rc = log_emit(&c->e, ss->dir, ss->st, ss->first, c->errbuf)) != 0)
            return rc;
        if (ss->hex < 0)
            ss->hex = i == 0 && n >= 3 && hex_pair(s, n, 0) && (n == 3 || s[3] == ' ');
        if (ss->hex) {
            while (ss->remain > 0 && hex_pair(s, n, i)) {
                log_add1(&c->e, (uint8_t)(g_ascii_xdigit_value(s[i + 1]) << 4 |
                                          g_ascii_xdigit_value(s[i + 2])));
                ss->remain--;
                i += 3;
            }
            /* what follows the bytes: nothing, or padding and the picture (-v -x) */
            if (i == 0 || (i < n && !(i + 1 < n && s[i] == ' ' && s[i + 1] == ' '))) {
                LOG_ERR(c, "line %llu: bad hex digits in a socat -x dump (block of line %llu)",
                        LN(c->r.line_no), LN(ss->block_line));
                return -1;
            }
            break;
        }
        /* -v text */
        while (ss->remain > 0 && i < n) {
            uint8_t v = s[i++];
            if (v == '\\' && i < n) {
                switch (s[i]) {
                case 'r':
                    v = '\r';
                    i++;
                    break;
                case '\\':
                    v = '\\';
                    i++;
                    break;
                case 'a':
                    v = '\a';
                    i++;
                    break;
                case 'b':
                    v = '\b';
                    i++;
                    break;
                case 'v':
                    v = '\v';
                    i++;
                    break;
                case 'f':
                    v = '\f';
                    i++;
                    break;
                default:
                    break;
                }
            }
            log_add1(&c->e, v);
            ss->remain--;
        }
        if (ss->remain > 0) {
            /* the LF that ended this line is a data byte */
            if (c->r.had_lf) {
                log_add1(&c->e, '\n');
                ss->remain--;
            }
            if (ss->remain == 0 &&
                (rc = log_emit(&c->e, ss->dir, ss->st, ss->first, c->errbuf)) != 0)
                return rc;
            break;
        }
    }
    return 0;
}

static int socat_finish(log_ctx *c, void *state)
{
    socat_state *ss = state;
    if (ss->remain > 0) {
        LOG_ERR(c,
                "line %llu: the log ends %zu bytes before the end of the socat block of line %llu",
                LN(c->r.line_no), ss->remain, LN(ss->block_line));
        return -1;
    }
    return log_emit(&c->e, ss->dir, ss->st, ss->first, c->errbuf);
}

const log_layout log_layout_socat = {
    .id = QFTP_FMT_SOCAT,
    .name = "socat",
    .probe = socat_probe,
    .share = 0,
    .state_size = sizeof(socat_state),
    .open = socat_open,
    .line = socat_line,
    .finish = socat_finish,
};
