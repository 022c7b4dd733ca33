/* logread.c - what every layout of the log importer shares (logimport_int.h): the line
 * reader, times, and the records built from the lines.
 *
 * Every layout is read line by line through one reader with a fixed cap
 * (QFTP_IMPORT_LINE_CAP); a line that lies whole in the read buffer is used in place,
 * so the common case copies nothing. Records are built in one reusable buffer that is
 * handed on in pieces of at most LOG_REC_CAP bytes, so memory does not grow with the
 * input.
 *
 * Framing of text lines (docs/import.md): host lines become "<line>\r" (what a terminal
 * sends), module lines "\r\n<line>\r\n" (V.25ter verbose framing, which the parser's
 * data-mode trailer "\r\nOK\r\n" needs after file bytes that do not end in a line end);
 * a line that spells its bytes with escapes (\r \n \xHH <CR> <LF>) is exactly those bytes.
 */
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "logimport_int.h"

#define ERR(...) snprintf(errbuf, QFTP_ERRBUF_SIZE, __VA_ARGS__)
#define DAY (INT64_C(86400) * QFTP_NS_PER_SEC)

/* ---- line reader ---------------------------------------------------------------------------- */

static int fill(log_reader *r, char *errbuf)
{
    r->end = fread(r->buf, 1, LOG_RBUF, r->in);
    r->pos = 0;
    if (r->end == 0) {
        r->eof = true;
        if (ferror(r->in)) {
            ERR("line %llu: read error: %s", LN(r->line_no + 1), strerror(errno));
            return -1;
        }
    }
    return 0;
}

void log_progress(log_reader *r, size_t n)
{
    r->consumed += n;
    if (r->o->progress && r->consumed >= r->next_progress) {
        r->o->progress(r->o->progress_user, r->consumed);
        r->next_progress = r->consumed + (1u << 20);
    }
}

int log_next_line(log_reader *r, uint8_t **out, size_t *len, char *errbuf)
{
    size_t n = 0;
    bool any = false;
    for (;;) {
        if (r->pos == r->end) {
            if (!r->eof && fill(r, errbuf) < 0)
                return -1;
            if (r->pos == r->end)
                break;
        }
        uint8_t *s = r->buf + r->pos;
        size_t avail = r->end - r->pos;
        uint8_t *nl = memchr(s, '\n', avail);
        size_t take = nl ? (size_t)(nl - s) : avail;
        any = true;
        if (n + take > QFTP_IMPORT_LINE_CAP) {
            ERR("line %llu: longer than %u bytes without a line end: not a text log",
                LN(r->line_no + 1), QFTP_IMPORT_LINE_CAP);
            return -1;
        }
        r->pos += take + (nl ? 1 : 0);
        log_progress(r, take + (nl ? 1 : 0));
        if (nl && n == 0) {
            /* the whole line is in the buffer: no copy */
            r->line_no++;
            r->had_lf = true;
            *out = s;
            *len = take;
            return 1;
        }
        if (n + take > r->cap) {
            size_t nc = r->cap ? r->cap : 4096;
            while (nc < n + take)
                nc *= 2;
            uint8_t *g = realloc(r->line, nc);
            if (!g) {
                ERR("line %llu: out of memory", LN(r->line_no + 1));
                return -1;
            }
            r->line = g;
            r->cap = nc;
        }
        memcpy(r->line + n, s, take);
        n += take;
        if (nl) {
            r->had_lf = true;
            goto done;
        }
    }
    r->had_lf = false;
    if (!any)
        return 0;
done:
    r->line_no++;
    *out = r->line;
    *len = n;
    return 1;
}

bool log_binary_line(const uint8_t *s, size_t n)
{
    size_t ctl = 0, high = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c == 0)
            return true;
        if (c < 0x20 && c != '\t' && c != '\r' && c != 0x1a && c != 0x1b)
            ctl++;
        else if (c >= 0x80)
            high++;
    }
    if (n >= 4 && ctl * 4 > n)
        return true;
    return high * 2 > n && n >= 4 && !g_utf8_validate((const char *)s, (gssize)n, NULL);
}

/* ---- times ---------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

size_t log_digits(const uint8_t *s, size_t n, size_t i, size_t max, int64_t *v)
{
    size_t k = 0;
    *v = 0;
    while (i + k < n && k < max && g_ascii_isdigit(s[i + k])) {
        *v = *v * 10 + (s[i + k] - '0');
        k++;
    }
    return k;
}

size_t log_parse_time(const uint8_t *s, size_t n, log_stamp *out)
{
    int64_t y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0, v;
    size_t i = 0, k = log_digits(s, n, 0, 20, &v);
    bool dated = false;
    if (k == 4 && k < n && (s[k] == '-' || s[k] == '/')) {
        char sep = (char)s[k];
        y = v;
        i = k + 1;
        if (log_digits(s, n, i, 2, &mo) != 2 || i + 2 >= n || s[i + 2] != sep)
            return 0;
        i += 3;
        if (log_digits(s, n, i, 2, &d) != 2 || i + 2 >= n || (s[i + 2] != ' ' && s[i + 2] != 'T'))
            return 0;
        i += 3;
        if (mo < 1 || mo > 12 || d < 1 || d > 31)
            return 0;
        dated = true;
        k = log_digits(s, n, i, 2, &h);
        if (k == 0)
            return 0;
    } else if (k >= 1 && k <= 2 && k < n && s[k] == ':') {
        h = v;
    } else if (k >= 1 && k + 1 < n && (s[k] == '.' || s[k] == ',') && g_ascii_isdigit(s[k + 1])) {
        /* seconds since some origin, e.g. "12.345" */
        sec = v;
        i = k;
        dated = true;
        goto fraction;
    } else {
        return 0;
    }
    /* HH:MM:SS at i */
    i += k;
    if (i >= n || s[i] != ':' || log_digits(s, n, i + 1, 2, &mi) != 2)
        return 0;
    i += 3;
    if (i >= n || s[i] != ':' || log_digits(s, n, i + 1, 2, &sec) != 2)
        return 0;
    i += 3;
    if (h > 23 || mi > 59 || sec > 60)
        return 0;
fraction:;
    int64_t frac = 0;
    if (i + 1 < n && (s[i] == '.' || s[i] == ',') && g_ascii_isdigit(s[i + 1])) {
        int64_t scale = 100000000;
        for (i++; i < n && g_ascii_isdigit(s[i]); i++) {
            frac += (s[i] - '0') * scale;
            scale /= 10;
        }
    }
    if (dated && i < n && s[i] == 'Z')
        i++;
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    out->ts = ((days * 24 + h) * 3600 + mi * 60 + sec) * QFTP_NS_PER_SEC + frac;
    out->have = true;
    out->dated = dated;
    return i;
}

/* ---- records -------------------------------------------------------------------------------- */

void log_add(log_emitter *e, const void *p, size_t n)
{
    if (e->len + n > e->cap) {
        size_t nc = e->cap ? e->cap : 4096;
        while (nc < e->len + n)
            nc *= 2;
        uint8_t *g = realloc(e->p, nc);
        if (!g) {
            e->oom = true;
            return;
        }
        e->p = g;
        e->cap = nc;
    }
    memcpy(e->p + e->len, p, n);
    e->len += n;
}

int log_emit(log_emitter *e, qftp_dir dir, log_stamp st, uint64_t line, char *errbuf)
{
    if (e->oom) {
        ERR("line %llu: out of memory", LN(line));
        return -1;
    }
    if (e->len == 0)
        return 0;
    qftp_ts ts = st.ts;
    if (st.have) {
        if (!st.dated) {
            ts += e->day_off;
            if (e->have_last && ts + DAY / 2 < e->last) {
                e->day_off += DAY;
                ts += DAY;
            }
        }
        if (e->have_last && ts < e->last)
            ts = e->last;
    } else {
        ts = e->have_last ? e->last + QFTP_NS_PER_MS : 0;
    }
    e->last = ts;
    e->have_last = true;
    if (e->o->redact && (dir == QFTP_DIR_TX || !e->data))
        qftp_redact_line(e->p, e->len);
    qftp_record rec = {dir, ts, !st.have, e->p, e->len, line};
    e->len = 0;
    return e->cb(e->user, &rec);
}

/* Whether a line spells its bytes: \r, \n, \xHH, <CR> or <LF> in it. */
static bool spelled(const uint8_t *s, size_t n)
{
    for (const uint8_t *p = s; (p = memchr(p, '\\', (size_t)(s + n - p))) && p + 1 < s + n; p++)
        if (p[1] == 'r' || p[1] == 'n' ||
            (p[1] == 'x' && p + 3 < s + n && g_ascii_isxdigit(p[2]) && g_ascii_isxdigit(p[3])))
            return true;
    for (const uint8_t *p = s; (p = memchr(p, '<', (size_t)(s + n - p))) && p + 3 < s + n; p++)
        if (p[3] == '>' && (g_ascii_strncasecmp((const char *)p + 1, "CR", 2) == 0 ||
                            g_ascii_strncasecmp((const char *)p + 1, "LF", 2) == 0))
            return true;
    return false;
}

/* Adds a spelled line: \r \n \t \\ \xHH <CR> <LF> become bytes, the rest is literal. */
static void add_unescaped(log_emitter *e, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            uint8_t c = s[i + 1];
            if (c == 'r' || c == 'n' || c == 't' || c == '\\') {
                log_add1(e, c == 'r' ? '\r' : c == 'n' ? '\n' : c == 't' ? '\t' : '\\');
                i++;
                continue;
            }
            if (c == 'x' && i + 3 < n && g_ascii_isxdigit(s[i + 2]) && g_ascii_isxdigit(s[i + 3])) {
                log_add1(e, (uint8_t)(g_ascii_xdigit_value(s[i + 2]) << 4 |
                                      g_ascii_xdigit_value(s[i + 3])));
                i += 3;
                continue;
            }
        }
        if (s[i] == '<' && i + 3 < n && s[i + 3] == '>') {
            if (g_ascii_strncasecmp((const char *)s + i + 1, "CR", 2) == 0) {
                log_add1(e, '\r');
                i += 3;
                continue;
            }
            if (g_ascii_strncasecmp((const char *)s + i + 1, "LF", 2) == 0) {
                log_add1(e, '\n');
                i += 3;
                continue;
            }
        }
        log_add1(e, s[i]);
    }
}

/* ---- text lines ---------------------------------------------------------------------------- */

int log_line_record(log_ctx *c, qftp_dir dir, const uint8_t *s, size_t n, log_stamp st,
                    uint64_t line)
{
    while (n && s[n - 1] == '\r')
        n--;
    if (spelled(s, n)) {
        add_unescaped(&c->e, s, n);
    } else {
        if (dir == QFTP_DIR_RX)
            log_add(&c->e, "\r\n", 2);
        log_add(&c->e, s, n);
        log_add(&c->e, dir == QFTP_DIR_TX ? "\r" : "\r\n", dir == QFTP_DIR_TX ? 1 : 2);
    }
    return log_emit(&c->e, dir, st, line, c->errbuf);
}

bool log_blank(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

size_t log_skip_ws(const uint8_t *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}
