/* json.c - a small streaming JSON writer (RFC 8259 strings: control characters and
 * invalid UTF-8 are escaped, so any byte string from a serial line is safe). */
#include "qftptool/json.h"

#include <glib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void json_init(json_w *w, FILE *f, bool pretty)
{
    w->f = f;
    w->depth = 0;
    w->first[0] = true;
    w->after_key = false;
    w->pretty = pretty;
    w->n = 0;
}

static void flush(json_w *w)
{
    if (w->n)
        fwrite(w->buf, 1, w->n, w->f);
    w->n = 0;
}

static void put(json_w *w, const char *s, size_t n)
{
    if (n > sizeof w->buf - w->n) {
        flush(w);
        if (n > sizeof w->buf) {
            fwrite(s, 1, n, w->f);
            return;
        }
    }
    if (n <= 8) { /* keys, punctuation, short values: no call */
        for (size_t i = 0; i < n; i++)
            w->buf[w->n + i] = s[i];
    } else {
        memcpy(w->buf + w->n, s, n);
    }
    w->n += n;
}

static void put_c(json_w *w, char c)
{
    if (w->n == sizeof w->buf)
        flush(w);
    w->buf[w->n++] = c;
}

static void put_s(json_w *w, const char *s)
{
    put(w, s, strlen(s));
}

static void indent(json_w *w)
{
    static const char nl[] = "\n                                                              "
                             "                                                                  ";
    if (!w->pretty)
        return;
    size_t n = 1 + 2 * (size_t)w->depth;
    put(w, nl, n < sizeof nl ? n : sizeof nl - 1);
}

static void before_value(json_w *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth])
            put_c(w, ',');
        indent(w);
    }
    w->first[w->depth] = false;
}

static void open(json_w *w, char c)
{
    before_value(w);
    put_c(w, c);
    if (w->depth < 63)
        w->depth++;
    w->first[w->depth] = true;
}

static void close_(json_w *w, char c)
{
    bool empty = w->first[w->depth];
    if (w->depth > 0)
        w->depth--;
    if (!empty)
        indent(w);
    put_c(w, c);
}

void json_begin_obj(json_w *w)
{
    open(w, '{');
}

void json_end_obj(json_w *w)
{
    close_(w, '}');
}

void json_begin_arr(json_w *w)
{
    open(w, '[');
}

void json_end_arr(json_w *w)
{
    close_(w, ']');
}

/* Bytes that stand for themselves in a JSON string: printable ASCII but the quote and the
 * backslash (DEL included). */
static const bool plain[256] = {
    [0x20 ... 0x21] = true, [0x23 ... 0x5b] = true, [0x5d ... 0x7f] = true};

/* Copies the bytes from *sp on that stand for themselves straight into the buffer, as
 * many as there are up to end or the buffer's end: sixteen at a time where SSE2 is (all
 * sixteen stored, the count advanced by the plain ones; a byte from 0x80 on is negative as
 * a signed byte, so one signed comparison with 0x1f turns down the controls and the
 * non-ASCII bytes alike). */
static inline void put_plain(json_w *w, const char **sp, const char *end)
{
    const char *s = *sp;
    char *o = w->buf + w->n;
    size_t lim = MIN((size_t)(end - s), sizeof w->buf - w->n), k = 0;
#ifdef __SSE2__
    const __m128i ctl = _mm_set1_epi8(0x1f), quote = _mm_set1_epi8('"'),
                  bslash = _mm_set1_epi8('\\');
    while (lim - k >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + k));
        __m128i special = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash));
        unsigned ok =
            (unsigned)_mm_movemask_epi8(_mm_andnot_si128(special, _mm_cmpgt_epi8(v, ctl)));
        _mm_storeu_si128((__m128i *)(o + k), v);
        if (ok != 0xffff) {
            k += (size_t)__builtin_ctz(~ok);
            goto out;
        }
        k += 16;
    }
#endif
    while (k < lim && plain[(unsigned char)s[k]]) {
        o[k] = s[k];
        k++;
    }
#ifdef __SSE2__
out:
#endif
    w->n += k;
    *sp = s + k;
}

#define BYTES(b) (0x0101010101010101ULL * (b))

/* Whether each byte of x stands for itself: no byte below 0x20, none from 0x80 on, no
 * quote, no backslash (the tests for "some byte below n" are exact for "some"). */
static inline bool word_plain(uint64_t x)
{
    uint64_t q = x ^ BYTES('"'), b = x ^ BYTES('\\');
    uint64_t bad = ((x - BYTES(0x20)) & ~x) | ((q - BYTES(1)) & ~q) | ((b - BYTES(1)) & ~b) | x;
    return (bad & BYTES(0x80)) == 0;
}

/* A string of 1 to 16 bytes whose bytes all stand for themselves, quoted into the buffer
 * (room for n + 2 bytes checked by the caller) by overlapping moves; false, and nothing
 * written, when one does not. Keys and most values are such strings. */
static inline bool put_short_plain(json_w *w, const char *s, size_t n)
{
    uint64_t x, y;
    if (n >= 8) {
        memcpy(&x, s, 8);
        memcpy(&y, s + n - 8, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        x = a | BYTES('A') << 32; /* the filling stands for itself */
        y = b | BYTES('A') << 32;
    } else {
        x = BYTES('A') << 24 | (uint64_t)(unsigned char)s[0] |
            (uint64_t)(unsigned char)s[n / 2] << 8 | (uint64_t)(unsigned char)s[n - 1] << 16;
        y = x;
    }
    if (!word_plain(x) || !word_plain(y))
        return false;
    char *o = w->buf + w->n;
    o[0] = '"';
    if (n >= 8) {
        memcpy(o + 1, &x, 8);
        memcpy(o + 1 + n - 8, &y, 8);
    } else if (n >= 4) {
        memcpy(o + 1, s, 4);
        memcpy(o + 1 + n - 4, s + n - 4, 4);
    } else {
        o[1] = s[0];
        o[1 + n / 2] = s[n / 2];
        o[n] = s[n - 1];
    }
    o[n + 1] = '"';
    w->n += n + 2;
    return true;
}

static void put_escaped(json_w *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (n - 1 < 16 && sizeof w->buf - w->n >= n + 2 && put_short_plain(w, s, n))
        return;
    put_c(w, '"');
    const char *end = s + n;
    while (s < end) {
        if (plain[(unsigned char)*s]) { /* a run of them, straight into the buffer */
            if (w->n == sizeof w->buf)
                flush(w);
            put_plain(w, &s, end);
            continue;
        }
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            put_c(w, '\\');
            put_c(w, (char)c);
            s++;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            put_c(w, '\\');
            put_c(w, c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
            s++;
        } else {
            gunichar u = c < 0x20 ? (gunichar)-1 : g_utf8_get_char_validated(s, end - s);
            if (u != (gunichar)-1 && u != (gunichar)-2) {
                const char *after = g_utf8_next_char(s);
                put(w, s, (size_t)(after - s));
                s = after;
                continue;
            }
            /* a control character, or a byte that is not UTF-8 (kept visible) */
            const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(w, esc, sizeof esc);
            s++;
        }
    }
    put_c(w, '"');
}

void json_key(json_w *w, const char *key)
{
    before_value(w);
    put_escaped(w, key, strlen(key));
    put(w, ": ", w->pretty ? 2 : 1);
    w->after_key = true;
}

void json_strn(json_w *w, const char *s, size_t n)
{
    before_value(w);
    put_escaped(w, s, n);
}

void json_str(json_w *w, const char *s)
{
    if (s == NULL) {
        json_null(w);
        return;
    }
    json_strn(w, s, strlen(s));
}

void json_int(json_w *w, int64_t v)
{
    char buf[24];
    int k = sizeof buf;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        buf[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[--k] = '-';
    before_value(w);
    put(w, buf + k, sizeof buf - (size_t)k);
}

void json_num(json_w *w, double v, int decimals)
{
    /* printf's "%.*f", without its cost where the digits are sure: from v * 10^d rounded
     * as an integer, unless that lies within 1e-6 of a tie (or v is negative or huge) */
    static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    before_value(w);
    double scaled = decimals >= 0 && decimals <= 9 ? v * p10[decimals] : -1;
    double frac = v >= 0 && scaled >= 0 && scaled < 9e15 ? scaled - (double)(uint64_t)scaled : -1;
    if (frac < 0 || (frac > 0.5 - 1e-6 && frac < 0.5 + 1e-6)) {
        flush(w);
        fprintf(w->f, "%.*f", decimals, v);
        return;
    }
    uint64_t q = (uint64_t)scaled + (frac > 0.5);
    char buf[40];
    int k = sizeof buf, d = 0;
    do {
        if (d == decimals && decimals > 0)
            buf[--k] = '.';
        buf[--k] = (char)('0' + q % 10);
        q /= 10;
        d++;
    } while (q || d <= decimals);
    put(w, buf + k, sizeof buf - (size_t)k);
}

void json_bool(json_w *w, bool v)
{
    before_value(w);
    put_s(w, v ? "true" : "false");
}

void json_null(json_w *w)
{
    before_value(w);
    put_s(w, "null");
}

void json_end(json_w *w)
{
    put_c(w, '\n');
    flush(w);
}

void json_flush(json_w *w)
{
    flush(w);
}
