/* logimport.c - text logs of serial AT sessions into records (qftp/logimport.h): the table
 * of layouts, auto-detection and the entry point that feeds the chosen layout one line at
 * a time (logimport_int.h says what a layout provides; each lives in libqftp/layout/).
 */
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "logimport_int.h"

#define ERR(...) snprintf(errbuf, QFTP_ERRBUF_SIZE, __VA_ARGS__)

/* Every layout, in detection order (QFTP_LOG_FORMATS). */
static const log_layout *const layouts[] = {
#define X(ID, name) &log_layout_##name,
    QFTP_LOG_FORMATS(X)
#undef X
};

static const log_layout *layout_of(qftp_log_format f)
{
    for (size_t i = 0; i < G_N_ELEMENTS(layouts); i++)
        if (layouts[i]->id == f)
            return layouts[i];
    return NULL;
}

const char *qftp_log_format_name(qftp_log_format f)
{
    if (f == QFTP_FMT_AUTO)
        return "auto";
    const log_layout *l = layout_of(f);
    return l ? l->name : "?";
}

int qftp_log_format_from_name(const char *name)
{
    if (g_ascii_strcasecmp(name, "auto") == 0)
        return QFTP_FMT_AUTO;
    for (size_t i = 0; i < G_N_ELEMENTS(layouts); i++)
        if (g_ascii_strcasecmp(name, layouts[i]->name) == 0)
            return (int)layouts[i]->id;
    return -1;
}

void qftp_import_opts_init(qftp_import_opts *o)
{
    memset(o, 0, sizeof *o);
}

/* Whether the lines of the head were padded with spaces: at least four lines that are not
 * blank, and two in three of them end in two spaces or more (before their CRs; one space
 * or a tab at the end is some tools' own, as a hex display's "0A "). */
static bool head_padded(const uint8_t *p, size_t n)
{
    size_t lines = 0, padded = 0;
    for (size_t i = 0; i < n;) {
        const uint8_t *e = memchr(p + i, '\n', n - i);
        size_t j = e ? (size_t)(e - p) : n, k = j;
        while (k > i && p[k - 1] == '\r')
            k--;
        if (!log_blank(p + i, k - i)) {
            lines++;
            padded += k - i >= 2 && p[k - 1] == ' ' && p[k - 2] == ' ';
        }
        i = j + 1;
    }
    return lines >= 4 && padded * 3 >= lines * 2;
}

/* Each whole line of the head (p, n bytes) put right in place by fix (which gets the line,
 * its number from 1 and arg, and returns its new length: it only shrinks); a last line
 * without its LF (cut by the head's end) stays as it is. Returns the new length; *lines:
 * the lines done. */
typedef size_t (*line_fix)(uint8_t *s, size_t n, uint64_t line, const void *arg);

static size_t fix_head(uint8_t *p, size_t n, line_fix fix, const void *arg, uint64_t *lines)
{
    size_t w = 0, i = 0;
    *lines = 0;
    while (i < n) {
        const uint8_t *e = memchr(p + i, '\n', n - i);
        if (!e)
            break;
        size_t j = (size_t)(e - p);
        memmove(p + w, p + i, j - i);
        w += fix(p + w, j - i, ++*lines, arg);
        p[w++] = '\n';
        i = j + 1;
    }
    memmove(p + w, p + i, n - i);
    return w + (n - i);
}

size_t log_line_number(const uint8_t *s, size_t n, uint64_t *num, uint8_t *sep, bool *gutter)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    int64_t v;
    if (i == n || !g_ascii_isdigit(s[i]))
        return 0; /* most lines: no call to count no digits */
    size_t k = log_digits(s, n, i, 9, &v);
    *gutter = i > 0 || (k > 1 && s[i] == '0');
    i += k;
    *num = (uint64_t)v;
    *sep = 0;
    if (log_skip_ws(s, n, i) == n || (s[i] == '\r' && log_blank(s + i, n - i)))
        return n; /* the number of a blank line */
    if (s[i] == '\t') {
        *sep = '\t';
        return i + 1;
    }
    size_t j = s[i] == ' ' ? i + 1 : i;
    if (j < n && (s[j] == '|' || s[j] == ':')) {
        *gutter = true;
        *sep = s[j];
        return j + 1 < n && s[j + 1] == ' ' ? j + 2 : j + 1;
    }
    *sep = ' ';
    return j > i && j < n && s[j] != ' ' ? j : 0;
}

/* Whether the head's lines carry their line numbers: at least three lines that are not
 * blank, two in three of them numbered with their place in the log (the number minus the
 * line's own stays the same: an editor counts the blank lines too). *base: that
 * difference. A time, a tick or an offset goes up otherwise. */
static bool head_numbered(const uint8_t *p, size_t n, int64_t *base)
{
    size_t lines = 0, numbered = 0;
    int64_t line = 0, first = INT64_MIN;
    for (size_t i = 0; i < n;) {
        const uint8_t *e = memchr(p + i, '\n', n - i);
        if (!e)
            break; /* a line the head's end cuts */
        size_t j = (size_t)(e - p);
        uint64_t num;
        line++;
        if (!log_blank(p + i, j - i)) {
            lines++;
            bool gutter;
            uint8_t sep;
            if (log_line_number(p + i, j - i, &num, &sep, &gutter) && gutter &&
                num < ((uint64_t)1 << 40)) {
                if (first == INT64_MIN)
                    first = (int64_t)num - line;
                numbered += (int64_t)num - line == first;
            }
        }
        i = j + 1;
    }
    *base = first;
    return lines >= 3 && numbered >= 3 && numbered * 3 >= lines * 2;
}

/* A numbered line (head_numbered) without its number, in place, when the number is its
 * place in the log (base: *(const int64_t *)arg). Returns the new length. */
static size_t unnumber(uint8_t *s, size_t n, uint64_t line, const void *arg)
{
    uint64_t num;
    bool gutter;
    uint8_t sep;
    size_t k = log_line_number(s, n, &num, &sep, &gutter);
    if (!k || (int64_t)num - (int64_t)line != *(const int64_t *)arg)
        return n;
    memmove(s, s + k, n - k);
    return n - k;
}

/* A row of a Markdown table, "| 10:00:00.100 | TX | AT+QFTPCWD="/" |": where its cells
 * start (after the first bar) and end (before the last); false if the line is none. */
static bool table_row(const uint8_t *s, size_t n, size_t *from, size_t *to)
{
    size_t i = log_skip_ws(s, n, 0), e = n;
    while (e > i && (s[e - 1] == '\r' || s[e - 1] == ' ' || s[e - 1] == '\t'))
        e--;
    if (i >= e || s[i] != '|')
        return false;
    *from = i + 1;
    *to = e > i + 1 && s[e - 1] == '|' && s[e - 2] != '\\' ? e - 1 : e;
    return true;
}

/* A table's rule row: bars, dashes, colons and spaces only ("|---|:--:|"). */
static bool table_rule(const uint8_t *s, size_t from, size_t to)
{
    bool dash = false;
    for (size_t i = from; i < to; i++) {
        if (s[i] == '-')
            dash = true;
        else if (s[i] != '|' && s[i] != ':' && s[i] != ' ' && s[i] != '\t')
            return false;
    }
    return dash;
}

/* Whether the head is a Markdown table (a log pasted into an issue or a wiki as one): at
 * least three lines that are not blank, two in three of them rows of two cells or more. */
static bool head_tabled(const uint8_t *p, size_t n)
{
    size_t lines = 0, rows = 0;
    for (size_t i = 0; i < n;) {
        const uint8_t *e = memchr(p + i, '\n', n - i);
        size_t j = e ? (size_t)(e - p) : n, from, to;
        if (!log_blank(p + i, j - i)) {
            lines++;
            rows += table_row(p + i, j - i, &from, &to) && to > from &&
                    memchr(p + i + from, '|', to - from) != NULL;
        }
        i = j + 1;
    }
    return lines >= 3 && rows * 3 >= lines * 2;
}

/* A row of a Markdown table as tab-separated columns, in place: the outer bars go, each
 * bar between cells (with the spaces around it) becomes a tab, "\|" a bar; a rule row
 * becomes blank. Lines that are no row stay. Returns the new length (its CRs stay). */
static size_t untable(uint8_t *s, size_t n, uint64_t line, const void *arg)
{
    (void)line;
    (void)arg;
    size_t from, to, crs = n;
    if (!table_row(s, n, &from, &to))
        return n;
    while (crs && s[crs - 1] == '\r')
        crs--;
    size_t w = 0;
    if (!table_rule(s, from, to)) {
        size_t i = log_skip_ws(s, to, from);
        while (i < to) {
            if (s[i] == '\\' && i + 1 < to && s[i + 1] == '|') {
                s[w++] = '|';
                i += 2;
            } else if (s[i] == '|') {
                while (w && (s[w - 1] == ' ' || s[w - 1] == '\t'))
                    w--;
                s[w++] = '\t';
                i = log_skip_ws(s, to, i + 1);
            } else {
                s[w++] = s[i++];
            }
        }
        while (w && (s[w - 1] == ' ' || s[w - 1] == '\t'))
            w--;
    }
    memmove(s + w, s + crs, n - crs);
    return w + (n - crs);
}

static qftp_log_format detect_info(const uint8_t *head, size_t n, qftp_import_info *info);

static void said_numbered(qftp_import_info *info)
{
    size_t l = strlen(info->why);
    snprintf(info->why + l, sizeof info->why - l,
             "; its lines numbered as an editor shows them, the numbers taken off");
}

static void said_tabled(qftp_import_info *info)
{
    size_t l = strlen(info->why);
    snprintf(info->why + l, sizeof info->why - l,
             "; a Markdown table, its bars read as column breaks");
}

/* The layout of a head; a Markdown table is read as the table of tab-separated columns it
 * shows. */
qftp_log_format qftp_log_detect_info(const uint8_t *head, size_t n, qftp_import_info *info)
{
    int64_t base;
    if (head_numbered(head, n, &base)) {
        uint64_t k;
        uint8_t *copy = g_memdup2(head, n);
        qftp_log_format f =
            qftp_log_detect_info(copy, fix_head(copy, n, unnumber, &base, &k), info);
        g_free(copy);
        if (info)
            said_numbered(info);
        return f;
    }
    if (!head_tabled(head, n))
        return detect_info(head, n, info);
    uint64_t k;
    uint8_t *copy = g_memdup2(head, n);
    qftp_log_format f = detect_info(copy, fix_head(copy, n, untable, NULL, &k), info);
    g_free(copy);
    if (info)
        said_tabled(info);
    return f;
}

/* The first 64 non-blank lines of the head: each counts for the first layout whose probe
 * takes it (or, taken by none, for the layout whose block head it follows); the first
 * layout whose count reaches its share wins. */
static qftp_log_format detect_info(const uint8_t *head, size_t n, qftp_import_info *info)
{
    enum { NL = G_N_ELEMENTS(layouts) };
    unsigned taken[NL] = {0}, lines = 0, first_taken[NL] = {0}, first_not[NL] = {0};
    size_t first_off[NL] = {0}, first_len[NL] = {0}, not_off[NL] = {0}, not_len[NL] = {0};
    unsigned line_no = 0, first_line = 0;
    size_t block = NL; /* the layout whose block head came last */
    unsigned hex_only = 0, traffic = 0;
    GByteArray *hexbuf = NULL;
    size_t first_line_off = 0, first_line_len = 0;
    size_t i = 0;
    if (n >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    bool padded = head_padded(head + i, n - i);
    while (i < n && lines < 64) {
        const uint8_t *e = memchr(head + i, '\n', n - i);
        size_t len = e ? (size_t)(e - (head + i)) : n - i;
        const uint8_t *s = head + i;
        size_t off = i;
        i += len + 1;
        line_no++;
        while (len && s[len - 1] == '\r')
            len--;
        while (padded && len && s[len - 1] == ' ')
            len--; /* as qftp_log_import reads the lines of a padded paste */
        if (log_blank(s, len))
            continue;
        lines++;
        if (!first_line) {
            first_line = line_no;
            first_line_off = off;
            first_line_len = len;
        }
        bool counted = false;
        for (size_t k = 0; k < NL; k++) {
            if (!layouts[k]->probe)
                continue;
            bool yes = layouts[k]->probe(s, len);
            if (yes && !counted) {
                taken[k]++;
                counted = true;
                if (!first_taken[k]) {
                    first_taken[k] = line_no;
                    first_off[k] = off;
                    first_len[k] = len;
                }
                block = layouts[k]->heads && layouts[k]->heads(s, len) ? k : NL;
            } else if (!yes && !first_not[k]) {
                first_not[k] = line_no;
                not_off[k] = off;
                not_len[k] = len;
            }
        }
        if (!counted && block < NL)
            taken[block]++;
        if (!counted) {
            /* bytes in hex and nothing else (a terminal's hex display) */
            if (!hexbuf)
                hexbuf = g_byte_array_new();
            if (log_hex_bytes(s, len, hexbuf))
                hex_only++;
            else if (log_traffic_line(s, len))
                traffic++;
        }
    }
    if (hexbuf)
        g_byte_array_free(hexbuf, TRUE);
    qftp_log_format f = QFTP_FMT_PLAIN;
    size_t chosen = NL;
    for (size_t k = 0; k < NL && chosen == NL; k++)
        if (taken[k] && (layouts[k]->share == 0 || taken[k] * layouts[k]->share >= lines)) {
            f = layouts[k]->id;
            chosen = k;
        }
    /* hex bytes only, no heads and no AT line: the hex display of a terminal, read by the
     * hexdump layout as the module's bytes */
    bool headless = chosen == NL && !traffic && hex_only >= 2 && hex_only * 5 >= lines * 4;
    if (headless)
        for (size_t k = 0; k < NL; k++)
            if (layouts[k]->id == QFTP_FMT_HEXDUMP) {
                f = QFTP_FMT_HEXDUMP;
                chosen = k;
                taken[k] = hex_only;
                first_off[k] = first_line_off;
                first_len[k] = first_line_len;
            }
    if (!info)
        return f;
    info->format = f;
    info->detected = true;
    info->head_lines = lines;
    info->n_tried = 0;
    for (size_t k = 0; k < NL && info->n_tried < G_N_ELEMENTS(info->tried); k++) {
        bool plain = layouts[k]->id == QFTP_FMT_PLAIN;
        if (!layouts[k]->probe && !plain)
            continue;
        /* plain takes every line; what defeats it is where no traffic is: the first line */
        qftp_import_tried *t = &info->tried[info->n_tried++];
        t->format = layouts[k]->id;
        t->line_no = plain ? first_line : first_not[k];
        size_t len = plain ? first_line_len : not_len[k], off = plain ? first_line_off : not_off[k];
        size_t m = len < sizeof t->text - 1 ? len : sizeof t->text - 1;
        memcpy(t->text, head + off, m);
        t->text[m] = '\0';
    }
    if (chosen < NL) {
        const log_layout *l = layouts[chosen];
        char words[200] = "";
        if (headless) {
            size_t m = first_len[chosen] > 48 ? 48 : first_len[chosen];
            snprintf(words, sizeof words,
                     "bytes in hex only \"%.*s\", no heads and no AT line (a terminal's hex "
                     "display of what it received: read as the module's bytes)",
                     (int)m, (const char *)head + first_off[chosen]);
        } else if (l->describe) {
            l->describe(head + first_off[chosen], first_len[chosen], words, sizeof words);
        }
        info->taken = taken[chosen];
        if (l->share == 0)
            snprintf(info->why, sizeof info->why, "%s: %s", l->name, words[0] ? words : "");
        else
            snprintf(info->why, sizeof info->why, "%s: %s (%u of the first %u lines)", l->name,
                     words[0] ? words : "its lines", taken[chosen], lines);
    } else {
        info->taken = lines;
        snprintf(info->why, sizeof info->why,
                 "plain: no layout with times, markers or headers took %s of the first %u lines",
                 lines > 1 ? "enough" : "any", lines);
    }
    return f;
}

qftp_log_format qftp_log_detect(const uint8_t *head, size_t n)
{
    return qftp_log_detect_info(head, n, NULL);
}

void qftp_import_no_traffic(const qftp_import_info *info, char *out, size_t cap)
{
    size_t o = 0;
    if (info->lines == 0) {
        snprintf(out, cap, "the log is empty: no AT traffic in it");
        return;
    }
    o += (size_t)snprintf(out, cap,
                          "no AT traffic in it (no command, result code or URC): not a log of an "
                          "AT session? Read as %s; the layouts tried:",
                          qftp_log_format_name(info->format));
    if (o >= cap)
        return;
    for (size_t i = 0; i < info->n_tried && o < cap; i++) {
        const qftp_import_tried *t = &info->tried[i];
        if (t->format == QFTP_FMT_PLAIN)
            o += (size_t)snprintf(out + o, cap - o,
                                  "\n  plain: line %u is no AT command or response: %s", t->line_no,
                                  t->text);
        else if (t->line_no)
            o += (size_t)snprintf(out + o, cap - o, "\n  %s: line %u is not one of its lines: %s",
                                  qftp_log_format_name(t->format), t->line_no, t->text);
        else
            o += (size_t)snprintf(out + o, cap - o, "\n  %s: took every line, found no traffic",
                                  qftp_log_format_name(t->format));
    }
}

void log_skipped(log_ctx *c)
{
    qftp_import_info *info = c->o->info;
    if (!info)
        return;
    if (!info->skipped++)
        info->first_skipped = c->r.line_no;
}

void log_repaired(log_ctx *c)
{
    qftp_import_info *info = c->o->info;
    if (!info)
        return;
    if (!info->repaired++)
        info->first_repaired = c->r.line_no;
}

/* Whether 2 in 3 of the head's lines that are not blank (at least four) spell their bytes
 * (log_spelled). */
static bool head_spelled(const uint8_t *p, size_t n)
{
    size_t lines = 0, spelled = 0;
    for (size_t i = 0; i < n;) {
        const uint8_t *e = memchr(p + i, '\n', n - i);
        if (!e)
            break;
        size_t j = (size_t)(e - p);
        if (!log_blank(p + i, j - i)) {
            lines++;
            spelled += log_spelled(p + i, j - i);
        }
        i = j + 1;
    }
    return lines >= 4 && spelled * 3 >= lines * 2;
}

/* Whether the head of a log is a text log of AT traffic: a line of traffic in it, and at
 * most one line in eight binary (a compressed or binary file has a line that starts with
 * "AT" now and then; a text log has a noisy line now and then). */
static bool head_is_text(const uint8_t *p, size_t n)
{
    size_t lines = 0, binary = 0;
    bool traffic = false;
    for (size_t i = 0; i < n;) {
        while (i < n && (p[i] == '\r' || p[i] == '\n'))
            i++;
        const uint8_t *e = i < n ? memchr(p + i, '\n', n - i) : NULL;
        size_t j = e ? (size_t)(e - p) : n;
        if (j > i && !log_nul_line(p + i, j - i)) {
            lines++;
            binary += log_binary_line(p + i, j - i);
            traffic = traffic || log_has_traffic(p + i, j - i);
        }
        i = j;
    }
    return traffic && binary * 8 <= lines;
}

/* One level of an e-mail's quoting at the start of a line: "> " or ">"; 0 if none. */
static size_t quote_len(const uint8_t *s, size_t n)
{
    return n && s[0] == '>' ? (n > 1 && s[1] == ' ' ? 2 : 1) : 0;
}

/* Whether the head is quoted as an e-mail reply quotes it: at least four lines that are
 * not blank, two in three of them start with '>'. */
static bool head_quoted(const uint8_t *p, size_t n)
{
    size_t lines = 0, quoted = 0;
    for (size_t i = 0; i < n;) {
        const uint8_t *e = memchr(p + i, '\n', n - i);
        size_t j = e ? (size_t)(e - p) : n;
        if (!log_blank(p + i, j - i)) {
            lines++;
            quoted += p[i] == '>';
        }
        i = j + 1;
    }
    return lines >= 4 && quoted * 3 >= lines * 2;
}

static size_t unquote_line(uint8_t *s, size_t n, uint64_t line, const void *arg)
{
    (void)line;
    (void)arg;
    size_t q = quote_len(s, n);
    memmove(s, s + q, n - q);
    return n - q;
}

/* A line of a padded paste without the spaces at its end (its CRs stay), counted as
 * repaired when it had some. Returns its new length. */
static size_t unpad(log_ctx *c, uint8_t *s, size_t len)
{
    size_t k = len;
    while (k && s[k - 1] == '\r')
        k--;
    size_t e = k;
    while (e && s[e - 1] == ' ')
        e--;
    if (e == k)
        return len;
    memmove(s + e, s + k, len - k);
    log_repaired(c);
    return len - (k - e);
}

int qftp_log_import(FILE *in, const qftp_import_opts *opts, qftp_record_cb cb, void *user,
                    qftp_log_format *format_used, char *errbuf)
{
    qftp_import_opts defaults;
    if (!opts) {
        qftp_import_opts_init(&defaults);
        opts = &defaults;
    }
    log_ctx c = {0};
    c.o = opts;
    c.errbuf = errbuf;
    c.r.in = in;
    c.r.o = opts;
    c.r.buf = malloc(LOG_RBUF);
    c.e.cb = cb;
    c.e.user = user;
    c.e.o = opts;
    if (opts->redact)
        c.e.red = qftp_redactor_new(QFTP_DIALECT_UNKNOWN);
    if (!c.r.buf) {
        qftp_redactor_free(c.e.red);
        ERR("out of memory");
        return -1;
    }
    c.r.end = fread(c.r.buf, 1, LOG_RBUF, in);
    if (c.r.end < LOG_RBUF)
        c.r.eof = true;
    if (c.r.end == 0 && ferror(in)) {
        ERR("line 1: read error: %s", strerror(errno));
        free(c.r.buf);
        qftp_redactor_free(c.e.red);
        return -1;
    }
    if (log_reader_start(&c.r, errbuf) < 0) {
        free(c.r.buf);
        free(c.r.raw);
        qftp_redactor_free(c.e.red);
        return -1;
    }
    c.head_traffic = head_is_text(c.r.buf + c.r.pos, c.r.end - c.r.pos);
    c.padded = head_padded(c.r.buf + c.r.pos, c.r.end - c.r.pos);
    c.numbered = head_numbered(c.r.buf + c.r.pos, c.r.end - c.r.pos, &c.number_base);
    if (c.numbered)
        c.r.end = c.r.pos + fix_head(c.r.buf + c.r.pos, c.r.end - c.r.pos, unnumber, &c.number_base,
                                     &c.numbered_lines);
    c.tabled = head_tabled(c.r.buf + c.r.pos, c.r.end - c.r.pos);
    if (c.tabled) /* read as the tab-separated table it shows, the layouts' heads too */
        c.r.end = c.r.pos +
                  fix_head(c.r.buf + c.r.pos, c.r.end - c.r.pos, untable, NULL, &c.tabled_lines);
    c.spelled = head_spelled(c.r.buf + c.r.pos, c.r.end - c.r.pos);
    qftp_log_format f = opts->format;
    if (f == QFTP_FMT_AUTO && opts->regex)
        f = QFTP_FMT_REGEX;
    qftp_import_info *info = opts->info;
    if (info)
        memset(info, 0, sizeof *info);
    if (f == QFTP_FMT_AUTO) {
        f = qftp_log_detect_info(c.r.buf + c.r.pos, c.r.end - c.r.pos, info);
        if ((f == QFTP_FMT_PLAIN || f == QFTP_FMT_FIRMWARE || f == QFTP_FMT_INTERCEPTTY) &&
            head_quoted(c.r.buf + c.r.pos, c.r.end - c.r.pos)) {
            /* a log quoted in an e-mail: plain reads quoted blocks itself, but firmware
             * takes "> " for part of a prefix and interceptty for its own direction; the
             * layout the log is without the quote marks reads it with them gone from every
             * line */
            size_t n = c.r.end - c.r.pos;
            uint64_t k;
            uint8_t *copy = g_memdup2(c.r.buf + c.r.pos, n);
            size_t m = fix_head(copy, n, unquote_line, NULL, &k);
            qftp_log_format g = qftp_log_detect(copy, m);
            if (g != QFTP_FMT_PLAIN && g != QFTP_FMT_INTERCEPTTY) {
                c.r.end =
                    c.r.pos + fix_head(c.r.buf + c.r.pos, n, unquote_line, NULL, &c.quoted_lines);
                c.quoted = true;
                if (!c.tabled && head_tabled(c.r.buf + c.r.pos, c.r.end - c.r.pos)) {
                    /* a Markdown table quoted in a reply: read as a table once unquoted
                     * (detection says so itself) */
                    c.r.end = c.r.pos + fix_head(c.r.buf + c.r.pos, c.r.end - c.r.pos, untable,
                                                 NULL, &c.tabled_lines);
                    c.tabled = c.tabled_said = true;
                }
                f = qftp_log_detect_info(c.r.buf + c.r.pos, c.r.end - c.r.pos, info);
                if (info) {
                    size_t l = strlen(info->why);
                    snprintf(info->why + l, sizeof info->why - l,
                             "; quoted as an e-mail quotes it, the quote marks taken off");
                }
            }
            g_free(copy);
        }
        if (c.numbered && info)
            said_numbered(info);
        if (c.tabled && !c.tabled_said && info)
            said_tabled(info);
    } else if (info) {
        info->format = f;
        snprintf(info->why, sizeof info->why, "%s, as --%s says", qftp_log_format_name(f),
                 f == QFTP_FMT_REGEX && opts->format != QFTP_FMT_REGEX ? "regex" : "format");
    }
    if (format_used)
        *format_used = f;
    const log_layout *l = layout_of(f);
    if (!l)
        l = &log_layout_plain;
    int rc = -1;
    void *state = g_malloc0(l->state_size ? l->state_size : 1);
    if (!l->open || (rc = l->open(&c, state)) == 0) {
        uint8_t *s;
        size_t len;
        while ((rc = log_next_line(&c.r, &s, &len, errbuf)) == 1) {
            if (info)
                info->lines = c.r.line_no;
            if (c.quoted && c.r.line_no > c.quoted_lines) {
                size_t q = quote_len(s, len);
                memmove(s, s + q, len - q);
                len -= q;
            }
            if (c.numbered && c.r.line_no > c.numbered_lines)
                len = unnumber(s, len, c.r.line_no, &c.number_base);
            if (c.padded)
                len = unpad(&c, s, len);
            if (c.tabled && c.r.line_no > c.tabled_lines)
                len = untable(s, len, c.r.line_no, NULL);
            if ((rc = l->line(&c, state, s, len)) != 0)
                break;
        }
        if (rc == 0 && l->finish)
            rc = l->finish(&c, state);
        if (rc == 0)
            rc = log_emit_end(&c.e);
    }
    if (l->cleanup)
        l->cleanup(state);
    g_free(state);
    free(c.r.buf);
    free(c.r.raw);
    free(c.r.line);
    free(c.e.p);
    qftp_redactor_free(c.e.red);
    return rc;
}
