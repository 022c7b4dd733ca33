/* interceptty.c - the interceptty layout.
 *
 * interceptty prints one byte per line: "> \t0x41 (A)" (to the device) / "< 0x4f (O)"
 * (from it), with "(c)" only for printable bytes. Later forks add "[HH:MM SS.uuuuuu]"
 * before the first line of each read (blanks before the others), "[CR]"-style names and
 * "' '" for a space, and with -l several bytes per line: "41(A):54(T):0d([CR])". */

#include <glib.h>
#include <string.h>

#include "../logimport_int.h"

typedef struct {
    qftp_dir cur;     /* direction of the record being built */
    log_stamp cur_st; /* its time */
    uint64_t first;   /* its first line */
} icty_state;

/* "[HH:MM SS.uuuuuu]" or "[HH:MM:SS.uuu]": bytes used, 0 if none. */
static size_t icty_time(const uint8_t *s, size_t n, log_stamp *st)
{
    if (n < 10 || s[0] != '[')
        return 0;
    const uint8_t *close = memchr(s, ']', n < 40 ? n : 40);
    if (!close)
        return 0;
    uint8_t t[40];
    size_t k = (size_t)(close - s) - 1;
    memcpy(t, s + 1, k);
    if (k > 5 && t[5] == ' ')
        t[5] = ':';
    return log_parse_time(t, k, st) == k ? k + 2 : 0;
}

static bool interceptty_probe(const uint8_t *s, size_t n)
{
    log_stamp st;
    size_t i = log_skip_ws(s, n, 0);
    i = log_skip_ws(s, n, i + icty_time(s + i, n - i, &st));
    if (i + 3 > n || (s[i] != '<' && s[i] != '>') || (s[i + 1] != ' ' && s[i + 1] != '\t'))
        return false;
    i = log_skip_ws(s, n, i + 1);
    if (i + 1 < n && s[i] == '0' && (s[i + 1] | 0x20) == 'x')
        i += 2;
    if (!(i + 2 <= n && g_ascii_isxdigit(s[i]) && g_ascii_isxdigit(s[i + 1]) &&
          (i + 2 == n || s[i + 2] == ' ' || s[i + 2] == '(' || s[i + 2] == ':')))
        return false;
    if (i + 2 < n && s[i + 2] == ':') {
        /* "41:54:0d" (-l without the characters): pairs to the end, not a time of day
         * ("> 10:41:02.117 -> RDY", a quoted Arduino log) */
        for (i += 3; i < n; i += 3)
            if (i + 2 > n || !g_ascii_isxdigit(s[i]) || !g_ascii_isxdigit(s[i + 1]) ||
                (i + 2 < n && s[i + 2] != ':' && s[i + 2] != ' '))
                return false;
    }
    return true;
}

static int interceptty_open(log_ctx *c, void *state)
{
    (void)c;
    icty_state *is = state;
    is->cur = QFTP_DIR_TX;
    is->cur_st = LOG_NO_STAMP;
    return 0;
}

static int interceptty_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    icty_state *is = state;
    int rc;
    while (n && s[n - 1] == '\r')
        n--;
    if (log_blank(s, n))
        return 0;
    log_stamp st = LOG_NO_STAMP;
    size_t i = log_skip_ws(s, n, 0);
    size_t t = icty_time(s + i, n - i, &st);
    i = log_skip_ws(s, n, i + t);
    if (i >= n || (s[i] != '<' && s[i] != '>')) {
        LOG_ERR(c, "line %llu: not an interceptty byte line (\"< 0x41 (A)\")", LN(c->r.line_no));
        return -1;
    }
    qftp_dir d = s[i] == '>' ? QFTP_DIR_TX : QFTP_DIR_RX;
    /* a new direction, or a new read (a time) of the same, starts a record */
    if (c->e.len && (d != is->cur || st.have || c->e.len >= LOG_REC_CAP))
        if ((rc = log_emit(&c->e, is->cur, is->cur_st, is->first, c->errbuf)) != 0)
            return rc;
    if (c->e.len == 0) {
        is->first = c->r.line_no;
        is->cur_st = st;
    }
    is->cur = d;
    i = log_skip_ws(s, n, i + 1);
    bool one = false;
    while (i < n) {
        if (i + 1 < n && s[i] == '0' && (s[i + 1] | 0x20) == 'x')
            i += 2;
        if (i + 2 > n || !g_ascii_isxdigit(s[i]) || !g_ascii_isxdigit(s[i + 1])) {
            LOG_ERR(c, "line %llu: bad byte value, expected 0xHH", LN(c->r.line_no));
            return -1;
        }
        log_add1(&c->e,
                 (uint8_t)(g_ascii_xdigit_value(s[i]) << 4 | g_ascii_xdigit_value(s[i + 1])));
        one = true;
        i = log_skip_ws(s, n, i + 2);
        if (i < n && s[i] == '(') {
            /* the byte's picture: "(A)", "([CR])", "(' ')", or "())" */
            const uint8_t *e;
            if (i + 1 < n && s[i + 1] == '[' && (e = memchr(s + i, ']', n - i)))
                i = (size_t)(e - s) + 1;
            else if (i + 3 < n && s[i + 1] == '\'' && s[i + 3] == '\'')
                i += 4;
            else
                i += 2;
            if (i >= n || s[i] != ')') {
                LOG_ERR(c, "line %llu: bad character after the byte value", LN(c->r.line_no));
                return -1;
            }
            i = log_skip_ws(s, n, i + 1);
        }
        if (i < n && s[i] == ':')
            i = log_skip_ws(s, n, i + 1);
    }
    if (!one) {
        LOG_ERR(c, "line %llu: bad byte value, expected 0xHH", LN(c->r.line_no));
        return -1;
    }
    return 0;
}

static int interceptty_finish(log_ctx *c, void *state)
{
    icty_state *is = state;
    return log_emit(&c->e, is->cur, is->cur_st, is->first, c->errbuf);
}

const log_layout log_layout_interceptty = {
    .id = QFTP_FMT_INTERCEPTTY,
    .name = "interceptty",
    .probe = interceptty_probe,
    .share = 2,
    .state_size = sizeof(icty_state),
    .open = interceptty_open,
    .line = interceptty_line,
    .finish = interceptty_finish,
};
