/* json.c - a small streaming JSON writer (RFC 8259 strings: control characters and
 * invalid UTF-8 are escaped, so any byte string from a serial line is safe). */
#include "qftptool/json.h"

#include <glib.h>
#include <string.h>

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

static void put_escaped(json_w *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* bytes that stand for themselves: printable ASCII but the quote and the backslash */
    static const bool plain[256] = {
        [0x20 ... 0x21] = true, [0x23 ... 0x5b] = true, [0x5d ... 0x7f] = true};
    put_c(w, '"');
    const char *end = s + n;
    while (s < end) {
        unsigned char c = (unsigned char)*s;
        if (plain[c]) { /* a run of them, straight into the buffer */
            if (w->n == sizeof w->buf)
                flush(w);
            char *o = w->buf + w->n;
            const char *stop = s + MIN((size_t)(end - s), sizeof w->buf - w->n);
            while (s < stop && plain[(unsigned char)*s])
                *o++ = *s++;
            w->n = (size_t)(o - w->buf);
            continue;
        }
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
    put_s(w, w->pretty ? ": " : ":");
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
