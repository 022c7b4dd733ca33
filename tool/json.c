/* json.c - a small streaming JSON writer (RFC 8259 strings: control characters and
 * invalid UTF-8 are escaped, so any byte string from a serial line is safe). */
#include "qftptool/json.h"

#include <glib.h>

void json_init(json_w *w, FILE *f, bool pretty)
{
    w->f = f;
    w->depth = 0;
    w->first[0] = true;
    w->after_key = false;
    w->pretty = pretty;
}

static void indent(json_w *w)
{
    if (!w->pretty)
        return;
    fputc('\n', w->f);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->f);
}

static void before_value(json_w *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth])
            fputc(',', w->f);
        indent(w);
    }
    w->first[w->depth] = false;
}

static void open(json_w *w, char c)
{
    before_value(w);
    fputc(c, w->f);
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
    fputc(c, w->f);
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

static void put_escaped(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    const char *end = s + n;
    while (s < end) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
            s++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n':
                fputs("\\n", f);
                break;
            case '\r':
                fputs("\\r", f);
                break;
            case '\t':
                fputs("\\t", f);
                break;
            default:
                fprintf(f, "\\u%04x", c);
            }
            s++;
        } else if (c < 0x80) {
            fputc(c, f);
            s++;
        } else {
            gunichar u = g_utf8_get_char_validated(s, end - s);
            if (u != (gunichar)-1 && u != (gunichar)-2) {
                const char *after = g_utf8_next_char(s);
                fwrite(s, 1, (size_t)(after - s), f);
                s = after;
                continue;
            }
            fprintf(f, "\\u%04x", c); /* a byte that is not UTF-8: keep it visible */
            s++;
        }
    }
    fputc('"', f);
}

void json_key(json_w *w, const char *key)
{
    before_value(w);
    put_escaped(w->f, key, strlen(key));
    fputs(w->pretty ? ": " : ":", w->f);
    w->after_key = true;
}

void json_strn(json_w *w, const char *s, size_t n)
{
    before_value(w);
    put_escaped(w->f, s, n);
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
    before_value(w);
    fprintf(w->f, "%" G_GINT64_FORMAT, v);
}

void json_num(json_w *w, double v, int decimals)
{
    before_value(w);
    fprintf(w->f, "%.*f", decimals, v);
}

void json_bool(json_w *w, bool v)
{
    before_value(w);
    fputs(v ? "true" : "false", w->f);
}

void json_null(json_w *w)
{
    before_value(w);
    fputs("null", w->f);
}

void json_end(json_w *w)
{
    fputc('\n', w->f);
}
