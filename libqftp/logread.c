/* logread.c - what every layout of the log importer shares (logimport_int.h): the line
 * reader, times, and the records built from the lines.
 *
 * Every layout is read line by line through one reader with a fixed cap
 * (QFTP_IMPORT_LINE_CAP); a line that lies whole in the read buffer is used in place,
 * so the common case copies nothing. Records are built in one reusable buffer that is
 * handed on in pieces of at most LOG_REC_CAP bytes, so memory does not grow with the
 * input.
 * How text lines become bytes is the transcript's (layout/transcript.c).
 */
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "logimport_int.h"

#define ERR(...) snprintf(errbuf, QFTP_ERRBUF_SIZE, __VA_ARGS__)
#define DAY (INT64_C(86400) * QFTP_NS_PER_SEC)

/* ---- line reader ---------------------------------------------------------------------------- */

/* The line ends of what was read as LF or CR LF: CRs alone become LFs; LF CR pairs become
 * CR LF (a pair the buffer's end splits: the CR is dropped with the next read). */
static void cr_to_lf(log_reader *r)
{
    if (r->cr_eol)
        for (uint8_t *p = r->buf + r->pos; (p = memchr(p, '\r', (size_t)(r->buf + r->end - p)));)
            *p++ = '\n';
    if (!r->lf_cr)
        return;
    uint8_t *b = r->buf, *end = r->buf + r->end;
    if (r->split_cr && r->pos < r->end && b[r->pos] == '\r') {
        r->pos++;
        log_progress(r, 1);
    }
    r->split_cr = false;
    for (uint8_t *p = b + r->pos; (p = memchr(p, '\n', (size_t)(end - p))); p++) {
        if (p > b + r->pos && p[-1] == '\r')
            continue;
        if (p + 1 == end) {
            r->split_cr = true;
            break;
        }
        if (p[1] == '\r') {
            p[0] = '\r';
            p[1] = '\n';
            p++;
        }
    }
}

static void put_utf8(uint8_t *o, size_t *k, uint32_t c)
{
    if (c < 0x80) {
        o[(*k)++] = (uint8_t)c;
    } else if (c < 0x800) {
        o[(*k)++] = (uint8_t)(0xc0 | c >> 6);
        o[(*k)++] = (uint8_t)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        o[(*k)++] = (uint8_t)(0xe0 | c >> 12);
        o[(*k)++] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
        o[(*k)++] = (uint8_t)(0x80 | (c & 0x3f));
    } else {
        o[(*k)++] = (uint8_t)(0xf0 | c >> 18);
        o[(*k)++] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
        o[(*k)++] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
        o[(*k)++] = (uint8_t)(0x80 | (c & 0x3f));
    }
}

/* Turns the UTF-16 read so far into UTF-8 in r->buf (at most LOG_RBUF bytes), reading
 * more when fewer than two code units are left; a lone surrogate becomes U+FFFD. */
static int fill_utf16(log_reader *r, char *errbuf)
{
    r->pos = r->end = 0;
    size_t k = 0;
    while (k + 4 <= LOG_RBUF) {
        if (r->raw_end - r->raw_pos < 4 && !r->raw_eof) {
            size_t left = r->raw_end - r->raw_pos;
            memmove(r->raw, r->raw + r->raw_pos, left);
            r->raw_pos = 0;
            size_t got = fread(r->raw + left, 1, LOG_RBUF - left, r->in);
            r->raw_end = left + got;
            if (got == 0) {
                r->raw_eof = true;
                if (ferror(r->in)) {
                    ERR("line %llu: read error: %s", LN(r->line_no + 1), strerror(errno));
                    return -1;
                }
            }
        }
        size_t avail = r->raw_end - r->raw_pos;
        if (avail < 2)
            break; /* the end (an odd last byte is dropped) */
        const uint8_t *u = r->raw + r->raw_pos;
        bool le = r->utf16 == LOG_UTF16LE;
        uint32_t c = le ? (uint32_t)(u[0] | u[1] << 8) : (uint32_t)(u[0] << 8 | u[1]);
        r->raw_pos += 2;
        if (c >= 0xd800 && c < 0xdc00 && avail >= 4) {
            uint32_t d = le ? (uint32_t)(u[2] | u[3] << 8) : (uint32_t)(u[2] << 8 | u[3]);
            if (d >= 0xdc00 && d < 0xe000) {
                c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
                r->raw_pos += 2;
            } else {
                c = 0xfffd;
            }
        } else if (c >= 0xd800 && c < 0xe000) {
            c = 0xfffd;
        }
        put_utf8(r->buf, &k, c);
    }
    r->end = k;
    if (k == 0)
        r->eof = true;
    cr_to_lf(r);
    return 0;
}

static int fill(log_reader *r, char *errbuf)
{
    if (r->utf16)
        return fill_utf16(r, errbuf);
    r->end = fread(r->buf, 1, LOG_RBUF, r->in);
    r->pos = 0;
    if (r->end == 0) {
        r->eof = true;
        if (ferror(r->in)) {
            ERR("line %llu: read error: %s", LN(r->line_no + 1), strerror(errno));
            return -1;
        }
    }
    cr_to_lf(r);
    return 0;
}

/* UTF-16 by its byte order mark, or ASCII text with a NUL beside each character. */
static int utf16_of(const uint8_t *s, size_t n, size_t *bom)
{
    *bom = 0;
    if (n >= 2 && s[0] == 0xff && s[1] == 0xfe) {
        *bom = 2;
        return LOG_UTF16LE;
    }
    if (n >= 2 && s[0] == 0xfe && s[1] == 0xff) {
        *bom = 2;
        return LOG_UTF16BE;
    }
    size_t m = n < 512 ? n & ~(size_t)1 : 512, zero_odd = 0, zero_even = 0;
    for (size_t i = 0; i < m; i += 2) {
        zero_even += s[i] == 0;
        zero_odd += s[i + 1] == 0;
    }
    if (m < 8)
        return 0;
    /* and from the first byte on: a text head followed by binary bytes with NULs (a
     * download a terminal logged raw) is no UTF-16 */
    bool le_head = s[0] && !s[1] && s[2] && !s[3], be_head = !s[0] && s[1] && !s[2] && s[3];
    if (le_head && zero_odd * 4 >= m * 3 / 2 && zero_even * 16 < m)
        return LOG_UTF16LE;
    if (be_head && zero_even * 4 >= m * 3 / 2 && zero_odd * 16 < m)
        return LOG_UTF16BE;
    return 0;
}

/* Whether the head's line ends are LF CR ("\n\r", as some firmware prints them): its first
 * LF and two in three of its LFs (at least two) have a CR after them and none before. */
static bool lf_cr_ends(const uint8_t *s, size_t n)
{
    size_t lfs = 0, after = 0;
    bool first = true, first_after = false;
    for (const uint8_t *p = s; (p = memchr(p, '\n', (size_t)(s + n - p))) && p + 1 < s + n; p++) {
        bool ok = p[1] == '\r' && (p == s || p[-1] != '\r');
        if (first)
            first_after = ok;
        first = false;
        lfs++;
        after += ok;
    }
    return first_after && after >= 2 && after * 3 >= lfs * 2;
}

int log_reader_start(log_reader *r, char *errbuf)
{
    size_t bom;
    r->utf16 = utf16_of(r->buf, r->end, &bom);
    if (r->utf16) {
        r->raw = malloc(LOG_RBUF);
        if (!r->raw) {
            ERR("out of memory");
            return -1;
        }
        memcpy(r->raw, r->buf + bom, r->end - bom);
        r->raw_pos = 0;
        r->raw_end = r->end - bom;
        r->raw_eof = r->eof;
        r->eof = false;
        log_progress(r, bom);
        if (fill_utf16(r, errbuf) < 0)
            return -1;
    }
    if (r->end - r->pos >= 3 && memcmp(r->buf + r->pos, "\xef\xbb\xbf", 3) == 0) {
        r->pos += 3; /* a UTF-8 byte order mark (Windows editors) */
        log_progress(r, 3);
    }
    const uint8_t *s = r->buf + r->pos;
    size_t n = r->end - r->pos;
    const uint8_t *cr = memchr(s, '\r', n);
    r->cr_eol = cr && cr + 1 < s + n && !memchr(s, '\n', n);
    r->lf_cr = lf_cr_ends(s, n);
    cr_to_lf(r);
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
        if (take)
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
        /* a run longer than an int64 holds saturates (its count still says how long) */
        if (*v <= (INT64_MAX - 9) / 10)
            *v = *v * 10 + (s[i + k] - '0');
        else
            *v = INT64_MAX;
        k++;
    }
    return k;
}

/* days, seconds and nanoseconds as one time; false when it does not fit a qftp_ts
 * (after 2262-04-11: int64 nanoseconds) */
static bool stamp_of(int64_t days, int64_t secs, int64_t frac, log_stamp *out)
{
    int64_t t;
    bool bad = __builtin_mul_overflow(days, (int64_t)86400, &t) ||
               __builtin_add_overflow(t, secs, &t) ||
               __builtin_mul_overflow(t, (int64_t)QFTP_NS_PER_SEC, &t) ||
               __builtin_add_overflow(t, frac, &t);
    out->ts = bad ? 0 : t;
    out->range = bad;
    return !bad;
}

static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* "HH:MM:SS" at s[i] (hours 1 or 2 digits), then a fraction after '.' or ',', or after
 * ':' three digits (QCOM's "10:00:01:123"), and Zephyr's ",uuu" microseconds after the
 * milliseconds. Returns the index after it, 0 if there is none; *secs and *frac (ns). */
static size_t clock_at(const uint8_t *s, size_t n, size_t i, int64_t *secs, int64_t *frac)
{
    int64_t h, mi, sec;
    size_t k = log_digits(s, n, i, 2, &h);
    if (k == 0 || i + k >= n || s[i + k] != ':')
        return 0;
    i += k + 1;
    if (log_digits(s, n, i, 2, &mi) != 2 || i + 2 >= n || s[i + 2] != ':')
        return 0;
    i += 3;
    if (log_digits(s, n, i, 2, &sec) != 2)
        return 0;
    i += 2;
    if (h > 23 || mi > 59 || sec > 60)
        return 0;
    *secs = h * 3600 + mi * 60 + sec;
    *frac = 0;
    int64_t v;
    bool colon_ms = i < n && s[i] == ':' && log_digits(s, n, i + 1, 4, &v) == 3;
    if (i + 1 < n && (s[i] == '.' || s[i] == ',' || colon_ms) && g_ascii_isdigit(s[i + 1])) {
        int64_t scale = 100000000;
        size_t digits = 0;
        for (i++; i < n && g_ascii_isdigit(s[i]); i++, digits++) {
            *frac += (s[i] - '0') * scale;
            scale /= 10;
        }
        if (digits == 3 && i < n && s[i] == ',' && log_digits(s, n, i + 1, 4, &v) == 3) {
            *frac += v * 1000; /* "01.203,950": milliseconds, then microseconds */
            i += 4;
        }
    }
    /* a 12-hour clock ("9:59:58 AM", "1:05:02.123 pm": the US Windows locale's) */
    size_t a = i < n && s[i] == ' ' ? i + 1 : i;
    if (a + 1 < n && (s[a + 1] | 0x20) == 'm' && ((s[a] | 0x20) == 'a' || (s[a] | 0x20) == 'p') &&
        (a + 2 == n || !g_ascii_isalnum(s[a + 2])) && h >= 1 && h <= 12) {
        *secs += ((s[a] | 0x20) == 'p' ? (h % 12 + 12) - h : h == 12 ? -12 : 0) * 3600;
        i = a + 2;
    }
    return i;
}

/* A calendar date at s: "YYYY-MM-DD" ('/' or '.' for '-'), "DD.MM.YYYY", "D/M/YYYY" or
 * "M/D/YYYY" (the Windows short date of tools like Docklight: a first number over 12 is
 * the day, else the US order is taken). Returns the bytes used, 0 if none. */
static size_t date_at(const uint8_t *s, size_t n, int64_t *y, int64_t *mo, int64_t *d)
{
    int64_t a, b, c;
    size_t ka = log_digits(s, n, 0, 8, &a);
    if (ka == 8 && ka < n && s[ka] == ' ') {
        /* "20261130": year, month, day without separators */
        *y = a / 10000, *mo = a / 100 % 100, *d = a % 100;
        return *mo >= 1 && *mo <= 12 && *d >= 1 && *d <= 31 && *y >= 1970 ? ka : 0;
    }
    if (ka > 4 || ka == 0 || ka >= n || (s[ka] != '-' && s[ka] != '/' && s[ka] != '.'))
        return 0;
    uint8_t sep = s[ka];
    size_t i = ka + 1;
    size_t kb = log_digits(s, n, i, 2, &b);
    if (kb == 0 || i + kb >= n || s[i + kb] != sep)
        return 0;
    i += kb + 1;
    size_t kc = log_digits(s, n, i, 4, &c);
    if (kc == 0)
        return 0;
    i += kc;
    if (ka == 4 && kc <= 2) {
        *y = a, *mo = b, *d = c;
    } else if (kc == 4 && ka <= 2 && sep == '.') {
        *d = a, *mo = b, *y = c;
    } else if (kc == 2 && ka <= 2 && sep == '.') {
        *d = a, *mo = b, *y = 2000 + c; /* "30.11.26": a short date of a German locale */
    } else if (kc == 4 && ka <= 2 && sep == '/') {
        if (a > 12)
            *d = a, *mo = b;
        else
            *mo = a, *d = b;
        *y = c;
    } else if (kc == 4 && ka <= 2 && sep == '-') {
        /* "30-11-2026": the day first, unless the second number cannot be a month */
        if (b > 12)
            *mo = a, *d = b;
        else
            *d = a, *mo = b;
        *y = c;
    } else {
        return 0;
    }
    if (*mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *y < 1970)
        return 0;
    return i;
}

/* TeraTerm's old default "%a %b %e %H:%M:%S.%N %Y": "Sun Nov 30 10:00:01.123 2026". */
static size_t asctime_at(const uint8_t *s, size_t n, log_stamp *out)
{
    if (n < 20 || !g_ascii_isalpha(s[0]) || !g_ascii_isalpha(s[1]) || !g_ascii_isalpha(s[2]) ||
        s[3] != ' ')
        return 0;
    int mo = -1;
    for (int k = 0; k < 12; k++)
        if (g_ascii_strncasecmp((const char *)s + 4, month_names[k], 3) == 0)
            mo = k + 1;
    if (mo < 0 || s[7] != ' ')
        return 0;
    size_t i = 8;
    if (s[i] == ' ')
        i++;
    int64_t d, y, secs, frac;
    size_t k = log_digits(s, n, i, 2, &d);
    if (k == 0 || i + k >= n || s[i + k] != ' ')
        return 0;
    i += k + 1;
    size_t e = clock_at(s, n, i, &secs, &frac);
    if (e == 0 || e >= n || s[e] != ' ' || log_digits(s, n, e + 1, 4, &y) != 4 || d < 1 || d > 31)
        return 0;
    stamp_of(days_from_civil(y, (unsigned)mo, (unsigned)d), secs, frac, out);
    out->have = true;
    out->dated = true;
    return e + 5;
}

/* syslog's and journalctl's "Nov 30 10:00:01" (no year: read as 1970), and the
 * "30-Nov-2026 10:00:01" / "30 Nov 2026 10:00:01" of other loggers. */
static size_t month_name_at(const uint8_t *s, size_t n, log_stamp *out)
{
    int64_t d, y = 1970, secs, frac;
    size_t i = 0, k;
    int mo = -1;
    if (n >= 3 && g_ascii_isalpha(s[0])) {
        for (int m = 0; m < 12; m++)
            if (g_ascii_strncasecmp((const char *)s, month_names[m], 3) == 0)
                mo = m + 1;
        if (mo < 0 || n < 5 || s[3] != ' ')
            return 0;
        i = s[4] == ' ' ? 5 : 4;
        if ((k = log_digits(s, n, i, 2, &d)) == 0 || i + k >= n || s[i + k] != ' ')
            return 0;
        i += k + 1;
        if (log_digits(s, n, i, 4, &y) == 4 && i + 4 < n && s[i + 4] == ' ')
            i += 5; /* "Nov 30 2026 10:00:01": with its year */
        else
            y = 1970;
    } else {
        if ((k = log_digits(s, n, 0, 2, &d)) == 0 || k + 4 >= n || (s[k] != '-' && s[k] != ' '))
            return 0;
        uint8_t sep = s[k];
        i = k + 1;
        for (int m = 0; m < 12; m++)
            if (g_ascii_strncasecmp((const char *)s + i, month_names[m], 3) == 0)
                mo = m + 1;
        if (mo < 0 || i + 3 >= n || s[i + 3] != sep)
            return 0;
        i += 4;
        if (log_digits(s, n, i, 4, &y) != 4 || i + 4 >= n || (s[i + 4] != ' ' && s[i + 4] != ':'))
            return 0;
        i += 5;
    }
    size_t e = clock_at(s, n, i, &secs, &frac);
    if (e == 0 || d < 1 || d > 31 || y < 1970)
        return 0;
    stamp_of(days_from_civil(y, (unsigned)mo, (unsigned)d), secs, frac, out);
    out->have = true;
    out->dated = true;
    return e;
}

/* logcat's "MM-DD " before its time of day */
static bool logcat_day(const uint8_t *s, size_t n)
{
    int64_t mo, d;
    return n > 6 && log_digits(s, n, 0, 2, &mo) == 2 && s[2] == '-' &&
           log_digits(s, n, 3, 2, &d) == 2 && s[5] == ' ' && mo >= 1 && mo <= 12 && d >= 1 &&
           d <= 31;
}

/* A number of seconds since 1970 (or milliseconds, microseconds, nanoseconds: told by
 * its size), or since some origin when it is small. */
log_stamp log_number_stamp(const uint8_t *s, size_t n)
{
    char buf[64];
    if (!n || n >= sizeof buf)
        return LOG_NO_STAMP;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    double v = g_ascii_strtod(buf, &end);
    if (end == buf || *end || !(v >= 0))
        return LOG_NO_STAMP;
    if (v >= 1e17)
        v /= 1e9;
    else if (v >= 1e14)
        v /= 1e6;
    else if (v >= 1e11)
        v /= 1e3;
    if (v >= 9e9)
        return LOG_NO_STAMP;
    return (log_stamp){(qftp_ts)(v * 1e9 + 0.5), true, true, false};
}

/* A time zone's abbreviation after a time (" UTC", " CEST"): the bytes it takes, 0 if none.
 * Only known names: a word such as RING or RDY after a time is the line's text. */
static size_t zone_after(const uint8_t *s, size_t n, size_t i)
{
    static const char *const zones[] = {"UTC",  "GMT", "CET",  "CEST", "EET", "EEST", "WET",
                                        "WEST", "BST", "MSK",  "IST",  "JST", "KST",  "HKT",
                                        "SGT",  "PST", "PDT",  "MST",  "MDT", "CST",  "CDT",
                                        "EST",  "EDT", "AEST", "AEDT"};
    if (i >= n || s[i] != ' ')
        return 0;
    for (size_t k = 0; k < G_N_ELEMENTS(zones); k++) {
        size_t m = strlen(zones[k]);
        if (n - i - 1 >= m && memcmp(s + i + 1, zones[k], m) == 0 &&
            (i + 1 + m == n || !g_ascii_isalnum(s[i + 1 + m])))
            return m + 1;
    }
    return 0;
}

/* Seconds since some origin (or since 1970) with a fraction, "12.345" or "12.345s": the
 * bytes used, 0 if none. */
static size_t seconds_at(const uint8_t *s, size_t n, int64_t *secs, int64_t *frac)
{
    int64_t v, scale = 100000000;
    size_t k = log_digits(s, n, 0, 20, &v), i;
    if (k == 0 || k + 1 >= n || (s[k] != '.' && s[k] != ',') || !g_ascii_isdigit(s[k + 1]))
        return 0;
    *secs = v;
    *frac = 0;
    for (i = k + 1; i < n && g_ascii_isdigit(s[i]); i++) {
        *frac += (s[i] - '0') * scale;
        scale /= 10;
    }
    if (i < n && s[i] == 's' && (i + 1 == n || !g_ascii_isalnum(s[i + 1])))
        i++;
    return i;
}

size_t log_parse_time(const uint8_t *s, size_t n, log_stamp *out)
{
    int64_t y = 1970, mo = 1, d = 1, secs = 0, frac = 0, v;
    size_t i = 0, k;
    size_t at = asctime_at(s, n, out);
    if (at)
        return at;
    if ((at = month_name_at(s, n, out)) != 0)
        return at;
    if ((k = date_at(s, n, &y, &mo, &d)) != 0) {
        /* a date, then ' ', 'T', '_' (QCOM) or '-' and the time of day */
        if (k >= n || (s[k] != ' ' && s[k] != 'T' && s[k] != '_' && s[k] != '-'))
            return 0;
        i = clock_at(s, n, k + 1, &secs, &frac);
        if (i == 0)
            return 0;
        int64_t oh, om;
        if (i < n && s[i] == 'Z')
            i++;
        else if (i + 3 <= n && (s[i] == '+' || s[i] == '-') &&
                 log_digits(s, n, i + 1, 2, &oh) == 2) {
            /* an offset from UTC ("+01:00", "+0100"): the time is kept as written */
            size_t j = i + 3;
            if (j < n && s[j] == ':')
                j++;
            if (log_digits(s, n, j, 2, &om) == 2)
                i = j + 2;
        }
        i += zone_after(s, n, i); /* as written: the zone is not applied */
        out->dated = true;
    } else if (logcat_day(s, n) && (i = clock_at(s, n, 6, &secs, &frac)) != 0) {
        /* Android's logcat: "MM-DD HH:MM:SS.mmm", no year: read as a time of day */
        out->dated = false;
    } else if ((k = log_digits(s, n, 0, 6, &v)) >= 1 && (k == 1 || s[0] != '0') && k < n &&
               s[k] == ' ' && (i = clock_at(s, n, k + 1, &secs, &frac)) != 0 && i - k - 1 >= 12) {
        /* TeraTerm's elapsed time: "<days> HH:MM:SS.mmm" */
        secs += v * 86400;
        out->dated = true;
    } else if ((i = clock_at(s, n, 0, &secs, &frac)) != 0) {
        i += zone_after(s, n, i);
        out->dated = false; /* a time of day: day 1970-01-01 */
    } else if (n > 3 && s[0] == '+' && (i = seconds_at(s + 1, n - 1, &secs, &frac)) != 0) {
        i++; /* "+0.123s", "+12.345": seconds since the start, with their sign */
        out->dated = true;
    } else {
        k = log_digits(s, n, 0, 20, &v);
        bool whole = k == n || (s[k] != '.' && s[k] != ',') || !g_ascii_isdigit(s[k + 1]);
        bool unit = k >= 1 && k + 2 <= n && (s[k] == 'm' || s[k] == 'u') && s[k + 1] == 's' &&
                    (k + 2 == n || !g_ascii_isalnum(s[k + 2]));
        if (unit) {
            /* "123456us", "1234ms": a tick with its unit */
            int64_t per = s[k] == 'm' ? 1000 : 1000000;
            secs = v / per;
            frac = v % per * (QFTP_NS_PER_SEC / per);
            i = k + 2;
        } else if (k >= 6 && s[0] == '0' && whole) {
            /* a counter padded with zeros: milliseconds since boot, as firmware loggers
             * print their tick ("0000012345 [app] INFO: ...", Particle) */
            secs = v / 1000;
            frac = v % 1000 * 1000000;
            i = k;
        } else if (k >= 9 && k <= 11 && whole) {
            /* seconds since 1970 (RealTerm's Unix timestamps), whole */
            secs = v;
            i = k;
        } else if ((i = seconds_at(s, n, &secs, &frac)) == 0) {
            /* not seconds since some origin either ("12.345", "12.345s") */
            return 0;
        }
        out->dated = true;
    }
    stamp_of(days_from_civil(y, (unsigned)mo, (unsigned)d), secs, frac, out);
    out->have = true;
    return i;
}

/* ---- records -------------------------------------------------------------------------------- */

void log_add_grow(log_emitter *e, const void *p, size_t n)
{
    if (n == 0)
        return; /* p may be NULL then, and so may e->p */
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

/* A line of AT traffic at s: a command, a result code, a "+NAME:" line, CONNECT, RDY. */
static bool hex_gap(uint8_t c)
{
    return c == ' ' || c == '\t';
}

bool log_hex_bytes(const uint8_t *s, size_t n, GByteArray *out)
{
    while (n && (hex_gap(s[n - 1]) || s[n - 1] == '\r'))
        n--; /* a tool's space after the last pair, a paste's padding */
    if (n < 2)
        return false;
    for (size_t i = 0; i < n;) {
        if (i + 2 > n || !g_ascii_isxdigit(s[i]) || !g_ascii_isxdigit(s[i + 1]))
            return false;
        i += 2;
        if (i < n && !hex_gap(s[i]))
            return false;
        while (i < n && hex_gap(s[i]))
            i++;
    }
    g_byte_array_set_size(out, 0);
    for (size_t i = 0; i < n;) {
        uint8_t b = (uint8_t)(g_ascii_xdigit_value(s[i]) << 4 | g_ascii_xdigit_value(s[i + 1]));
        g_byte_array_append(out, &b, 1);
        for (i += 2; i < n && hex_gap(s[i]);)
            i++;
    }
    return true;
}

bool log_chars_agree(const uint8_t *b, size_t nb, const uint8_t *s, size_t n)
{
    size_t j = 0, shown = 0;
    for (size_t k = 0; k < nb; k++) {
        if (b[k] <= 0x20 || b[k] >= 0x7f)
            continue;
        while (j < n && s[j] != b[k])
            j++;
        if (j == n)
            return false;
        j++;
        shown++;
    }
    /* nothing printable in the bytes: the column is dots and spaces */
    if (!shown)
        for (size_t k = 0; k < n; k++)
            if (g_ascii_isalnum(s[k]))
                return false;
    return true;
}

bool log_hex_chars(const uint8_t *s, size_t n, GByteArray *out)
{
    if (log_hex_bytes(s, n, out))
        return true;
    /* the hex, then two spaces or more, then the bytes as characters */
    size_t i = 0;
    while (i + 2 <= n && g_ascii_isxdigit(s[i]) && g_ascii_isxdigit(s[i + 1]) &&
           (i + 2 == n || s[i + 2] == ' ')) {
        if (i + 3 < n && s[i + 3] == ' ')
            break;
        i += 3;
    }
    if (i + 2 > n || !g_ascii_isxdigit(s[i]) || i + 3 >= n || s[i + 2] != ' ' || s[i + 3] != ' ')
        return false;
    size_t hex_end = i + 2, c = log_skip_ws(s, n, hex_end);
    if (c == n || !log_hex_bytes(s, hex_end, out) || out->len < 2)
        return false;
    return log_chars_agree(out->data, out->len, s + c, n - c);
}

bool log_hex0x_bytes(const uint8_t *s, size_t n, GByteArray *out)
{
    size_t i = log_skip_ws(s, n, 0);
    if (n - i >= 2 && ((s[i] == '[' && s[n - 1] == ']') || (s[i] == '{' && s[n - 1] == '}')))
        i++, n--;
    g_byte_array_set_size(out, 0);
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == ',' || s[i] == '\t'))
            i++;
        if (i == n)
            break;
        if (n - i < 3 || s[i] != '0' || (s[i + 1] | 0x20) != 'x' || !g_ascii_isxdigit(s[i + 2]))
            return false;
        size_t d = i + 2, e = d;
        while (e < n && g_ascii_isxdigit(s[e]) && e - d < 2)
            e++;
        if (e < n && s[e] != ' ' && s[e] != ',' && s[e] != '\t')
            return false;
        uint8_t b = 0;
        for (size_t k = d; k < e; k++)
            b = (uint8_t)(b << 4 | g_ascii_xdigit_value(s[k]));
        g_byte_array_append(out, &b, 1);
        i = e;
    }
    return out->len > 0;
}

bool log_payload(const uint8_t *s, size_t n, GByteArray *out)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    static const char buffer[] = "<Buffer ";
    if (n > sizeof buffer && memcmp(s, buffer, sizeof buffer - 1) == 0 && s[n - 1] == '>') {
        /* Node.js's Buffer, as console.log shows it (at most 50 bytes, then "... N more
         * bytes": the bytes shown) */
        size_t e = n - 1;
        const uint8_t *more = memchr(s, '.', e);
        if (more)
            e = (size_t)(more - s);
        return log_hex_bytes(s + sizeof buffer - 1, e - (sizeof buffer - 1), out);
    }
    /* bytearray(b'...') and bytes(b'...'): Python's reprs around a bytes literal */
    size_t w = 0;
    if (n > 12 && memcmp(s, "bytearray(", 10) == 0 && s[n - 1] == ')')
        w = 10;
    else if (n > 8 && memcmp(s, "bytes(", 6) == 0 && s[n - 1] == ')')
        w = 6;
    if (w) {
        s += w;
        n -= w + 1;
    }
    if (n >= 3 && s[0] == 'b' && (s[1] == '\'' || s[1] == '"') && s[n - 1] == s[1]) {
        g_byte_array_set_size(out, 0);
        log_unescape(out, s + 2, n - 3, LOG_ESC_C);
        return true;
    }
    if (w)
        return false;
    return log_hex0x_bytes(s, n, out) && out->len >= 2;
}

bool log_traffic_line(const uint8_t *s, size_t n)
{
    static const struct {
        const char *w;
        size_t n;
    } words[] = {{"OK", 2}, {"ERROR", 5}, {"CONNECT", 7}, {"RDY", 3}, {"NO CARRIER", 10}};
    if (n >= 2 && (s[0] | 0x20) == 'a' && ((s[1] | 0x20) == 't' || s[1] == '/'))
        return true;
    for (size_t k = 0; k < G_N_ELEMENTS(words); k++) {
        size_t m = words[k].n;
        /* the first byte before the call: most lines start with none of the words */
        if (n >= m && s[0] == words[k].w[0] && memcmp(s, words[k].w, m) == 0 &&
            (n == m || s[m] == '\r' || s[m] == ' '))
            return true;
    }
    if (n >= 3 && s[0] == '+' && g_ascii_isupper(s[1])) {
        for (size_t i = 1; i < n && i < 32; i++) {
            if (s[i] == ':')
                return true;
            if (!g_ascii_isalnum(s[i]))
                return false;
        }
    }
    return false;
}

bool log_has_traffic(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        while (i < n && (p[i] == '\r' || p[i] == '\n'))
            i++;
        size_t j = i;
        while (j < n && p[j] != '\r' && p[j] != '\n')
            j++;
        if (j > i && log_traffic_line(p + i, j - i))
            return true;
        i = j;
    }
    return false;
}

int log_emit(log_emitter *e, qftp_dir dir, log_stamp st, uint64_t line, char *errbuf)
{
    if (e->oom) {
        ERR("line %llu: out of memory", LN(line));
        return -1;
    }
    if (e->len == 0)
        return 0;
    if ((st.have && st.range) || (!st.have && e->have_last && e->last > INT64_MAX - DAY)) {
        ERR("line %llu: a time after 2262-04-11, past what qftp can hold (nanoseconds since "
            "1970 in 64 bits)",
            LN(line));
        return -1;
    }
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
        ts = e->have_last ? e->last + QFTP_NS_PER_MS : e->have_base ? e->base : 0;
    }
    e->last = ts;
    e->have_last = true;
    e->last_st = st;
    e->last_line = line;
    const uint8_t *b = e->p;
    size_t n = e->len;
    e->len = 0;
    /* a line held back by the redactor goes out with the record that ends it */
    if (e->red && !(b = qftp_redactor_feed(e->red, dir, e->data, b, n, &n), n))
        return 0;
    if (e->o->info) {
        e->o->info->records++;
        if (!e->o->info->traffic && !e->data && log_has_traffic(b, n))
            e->o->info->traffic++;
    }
    qftp_record rec = {dir, ts, !st.have, b, n, line};
    return e->cb(e->user, &rec);
}

int log_emit_end(log_emitter *e)
{
    for (int d = 0; e->red && d < 2; d++) {
        size_t n;
        const uint8_t *b = qftp_redactor_flush(e->red, (qftp_dir)d, &n);
        if (!n)
            continue;
        if (e->o->info) {
            e->o->info->records++;
            if (!e->o->info->traffic && log_has_traffic(b, n))
                e->o->info->traffic++;
        }
        qftp_record rec = {(qftp_dir)d, e->last, !e->last_st.have, b, n, e->last_line};
        int rc = e->cb(e->user, &rec);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- text lines ---------------------------------------------------------------------------- */

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
