/* logimport.c - text logs of serial AT sessions into records (qftp/logimport.h).
 *
 * Every format is read line by line through one reader with a fixed cap
 * (QFTP_IMPORT_LINE_CAP); a line that lies whole in the read buffer is used in place,
 * so the common case copies nothing. Records are built in one reusable buffer that is
 * handed on in pieces of at most REC_CAP bytes, and the plain format holds at most
 * HELD_CAP bytes of a download while it waits for the completion URC, so memory does
 * not grow with the input.
 *
 * Framing of text lines (docs/import.md): host lines become "<line>\r" (what a terminal
 * sends), module lines "\r\n<line>\r\n" (V.25ter verbose framing, which the parser's
 * data-mode trailer "\r\nOK\r\n" needs after file bytes that do not end in a line end);
 * data lines after CONNECT keep their own line ends; a line that spells its bytes with
 * escapes (\r \n \xHH <CR> <LF>) is exactly those bytes.
 */
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "qftp/logimport.h"
#include "qftp/tables.h"

#define ERR(...) snprintf(errbuf, QFTP_ERRBUF_SIZE, __VA_ARGS__)
#define CERR(...) snprintf(c->errbuf, QFTP_ERRBUF_SIZE, __VA_ARGS__)
#define LN(x) ((unsigned long long)(x))

#define RBUF (64u * 1024u)
#define REC_CAP (1u << 20)  /* a longer record is handed on in pieces of this size */
#define HELD_CAP (4u << 20) /* plain: download bytes held while waiting for the URC */
#define DAY (INT64_C(86400) * QFTP_NS_PER_SEC)

const char *qftp_log_format_name(qftp_log_format f)
{
    static const char *const names[] = {"auto",        "plain",       "socat",
                                        "interceptty", "timestamped", "regex"};
    return (unsigned)f < G_N_ELEMENTS(names) ? names[f] : "?";
}

int qftp_log_format_from_name(const char *name)
{
    for (int i = 0; i <= QFTP_FMT_REGEX; i++)
        if (g_ascii_strcasecmp(name, qftp_log_format_name((qftp_log_format)i)) == 0)
            return i;
    return -1;
}

void qftp_import_opts_init(qftp_import_opts *o)
{
    memset(o, 0, sizeof *o);
}

/* ---- redaction ------------------------------------------------------------------------------ */

static size_t find_ci(const uint8_t *s, size_t n, size_t from, const char *pat)
{
    size_t m = strlen(pat);
    for (size_t i = from; i + m <= n; i++)
        if (g_ascii_strncasecmp((const char *)s + i, pat, m) == 0)
            return i;
    return SIZE_MAX;
}

/* Bounds of parameter `want` (0-based) of the list at p: [*a, *b) trimmed of spaces.
 * A parameter ends at ',' outside quotes, or at ';', CR, LF or the end. */
static bool param_bounds(const uint8_t *p, size_t n, int want, size_t *a, size_t *b)
{
    int field = 0;
    bool q = false;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        bool end = i == n || p[i] == '\r' || p[i] == '\n' || (!q && (p[i] == ',' || p[i] == ';'));
        if (i < n && p[i] == '"')
            q = !q;
        if (!end)
            continue;
        if (field == want) {
            size_t x = start, y = i;
            while (x < y && (p[x] == ' ' || p[x] == '\t'))
                x++;
            while (y > x && (p[y - 1] == ' ' || p[y - 1] == '\t'))
                y--;
            *a = x;
            *b = y;
            return true;
        }
        if (i == n || p[i] != ',')
            return false;
        field++;
        start = i + 1;
    }
    return false;
}

/* Stars parameter `want`: the text between its quotes, or the whole unquoted value. */
static size_t star_param(uint8_t *p, size_t n, int want)
{
    size_t a, b;
    if (!param_bounds(p, n, want, &a, &b))
        return 0;
    if (b > a && p[a] == '"') {
        a++;
        if (b > a && p[b - 1] == '"')
            b--;
    }
    memset(p + a, '*', b - a);
    return b - a;
}

size_t qftp_redact_line(uint8_t *line, size_t len)
{
    size_t replaced = 0;
    for (size_t at = 0; (at = find_ci(line, len, at, "+QFTPPASS=")) != SIZE_MAX;) {
        at += 10;
        replaced += star_param(line + at, len - at, 0);
    }
    for (size_t at = 0; (at = find_ci(line, len, at, "+QFTPCFG=")) != SIZE_MAX;) {
        at += 9;
        uint8_t *p = line + at;
        size_t a, b;
        if (!param_bounds(p, len - at, 0, &a, &b))
            continue;
        if (b - a >= 2 && p[a] == '"' && p[b - 1] == '"') {
            a++;
            b--;
        }
        if (b - a == 7 && g_ascii_strncasecmp((const char *)p + a, "account", 7) == 0)
            replaced += star_param(p, len - at, 2);
    }
    return replaced;
}

/* ---- line reader ---------------------------------------------------------------------------- */

typedef struct {
    FILE *in;
    uint8_t *buf; /* read buffer, RBUF bytes */
    size_t pos, end;
    bool eof;
    uint8_t *line; /* a line that crosses a read: copied here, grown up to the cap */
    size_t cap;
    bool had_lf; /* the current line ended with LF (false only for the last line) */
    uint64_t line_no;
    uint64_t consumed, next_progress;
    const qftp_import_opts *o;
} reader;

static int fill(reader *r, char *errbuf)
{
    r->end = fread(r->buf, 1, RBUF, r->in);
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

static void progress(reader *r, size_t n)
{
    r->consumed += n;
    if (r->o->progress && r->consumed >= r->next_progress) {
        r->o->progress(r->o->progress_user, r->consumed);
        r->next_progress = r->consumed + (1u << 20);
    }
}

/* The next line without its LF (a CR before it is kept). Returns 1, 0 at the end, -1
 * (errbuf) for a read error or a line over the cap; the over-long line is not read
 * further than the cap. */
static int next_line(reader *r, uint8_t **out, size_t *len, char *errbuf)
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
        progress(r, take + (nl ? 1 : 0));
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

/* NUL bytes, or a line dominated by control bytes or by bytes that are not UTF-8: not
 * text. Latin-1 text and a lone Ctrl-Z pass. */
static bool binary_line(const uint8_t *s, size_t n)
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

typedef struct {
    qftp_ts ts;
    bool have;  /* the log gave a time */
    bool dated; /* with a date (or seconds since an origin): no midnight wrap */
} stamp;

static const stamp NO_STAMP = {0, false, false};

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

static size_t digits(const uint8_t *s, size_t n, size_t i, size_t max, int64_t *v)
{
    size_t k = 0;
    *v = 0;
    while (i + k < n && k < max && g_ascii_isdigit(s[i + k])) {
        *v = *v * 10 + (s[i + k] - '0');
        k++;
    }
    return k;
}

/* Parses a time at s: "YYYY-MM-DD HH:MM:SS[.f]" ('/' for '-', 'T' for ' ', a 'Z' after),
 * "HH:MM:SS[.f]" (a time of day: day 1970-01-01), or seconds "123.456". '.' or ',' before
 * the fraction. Times are UTC. Returns the bytes used, 0 if there is no time at s. */
static size_t parse_time(const uint8_t *s, size_t n, stamp *out)
{
    int64_t y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0, v;
    size_t i = 0, k = digits(s, n, 0, 20, &v);
    bool dated = false;
    if (k == 4 && k < n && (s[k] == '-' || s[k] == '/')) {
        char sep = (char)s[k];
        y = v;
        i = k + 1;
        if (digits(s, n, i, 2, &mo) != 2 || i + 2 >= n || s[i + 2] != sep)
            return 0;
        i += 3;
        if (digits(s, n, i, 2, &d) != 2 || i + 2 >= n || (s[i + 2] != ' ' && s[i + 2] != 'T'))
            return 0;
        i += 3;
        if (mo < 1 || mo > 12 || d < 1 || d > 31)
            return 0;
        dated = true;
        k = digits(s, n, i, 2, &h);
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
    if (i >= n || s[i] != ':' || digits(s, n, i + 1, 2, &mi) != 2)
        return 0;
    i += 3;
    if (i >= n || s[i] != ':' || digits(s, n, i + 1, 2, &sec) != 2)
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

typedef struct {
    qftp_record_cb cb;
    void *user;
    const qftp_import_opts *o;
    uint8_t *p; /* the record being built */
    size_t len, cap;
    bool oom;
    qftp_ts last;
    bool have_last;
    qftp_ts day_off; /* days added to times of day after midnight */
    bool data;       /* the record is data-mode bytes: not redacted */
} emitter;

static void add(emitter *e, const void *p, size_t n)
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

static inline void add1(emitter *e, uint8_t b)
{
    if (e->len < e->cap)
        e->p[e->len++] = b;
    else
        add(e, &b, 1);
}

/* Hands the built record on. Times are made monotonic: a time of day that falls back by
 * more than 12 h passed midnight (a day is added from there on); a smaller step back is
 * held at the previous time. A missing time is the previous + 1 ms (0 at the start). */
static int emit(emitter *e, qftp_dir dir, stamp st, uint64_t line, char *errbuf)
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
static void add_unescaped(emitter *e, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            uint8_t c = s[i + 1];
            if (c == 'r' || c == 'n' || c == 't' || c == '\\') {
                add1(e, c == 'r' ? '\r' : c == 'n' ? '\n' : c == 't' ? '\t' : '\\');
                i++;
                continue;
            }
            if (c == 'x' && i + 3 < n && g_ascii_isxdigit(s[i + 2]) && g_ascii_isxdigit(s[i + 3])) {
                add1(e, (uint8_t)(g_ascii_xdigit_value(s[i + 2]) << 4 |
                                  g_ascii_xdigit_value(s[i + 3])));
                i += 3;
                continue;
            }
        }
        if (s[i] == '<' && i + 3 < n && s[i + 3] == '>') {
            if (g_ascii_strncasecmp((const char *)s + i + 1, "CR", 2) == 0) {
                add1(e, '\r');
                i += 3;
                continue;
            }
            if (g_ascii_strncasecmp((const char *)s + i + 1, "LF", 2) == 0) {
                add1(e, '\n');
                i += 3;
                continue;
            }
        }
        add1(e, s[i]);
    }
}

/* ---- formats -------------------------------------------------------------------------------- */

typedef struct {
    reader r;
    emitter e;
    const qftp_import_opts *o;
    char *errbuf;
} ctx;

/* One text line as a record: spelled bytes, or "<line>\r" (host) / "\r\n<line>\r\n". */
static int line_record(ctx *c, qftp_dir dir, const uint8_t *s, size_t n, stamp st, uint64_t line)
{
    while (n && s[n - 1] == '\r')
        n--;
    if (spelled(s, n)) {
        add_unescaped(&c->e, s, n);
    } else {
        if (dir == QFTP_DIR_RX)
            add(&c->e, "\r\n", 2);
        add(&c->e, s, n);
        add(&c->e, dir == QFTP_DIR_TX ? "\r" : "\r\n", dir == QFTP_DIR_TX ? 1 : 2);
    }
    return emit(&c->e, dir, st, line, c->errbuf);
}

static bool blank(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* timestamped ---------------------------------------------------------------------------------- */

/* A direction word at s (">>", "<<", "TX", "RX", "Send", "Recv", ..., optionally in
 * brackets) and its separator (':' and/or one space). Returns the bytes used, 0 if none. */
static size_t parse_marker(const uint8_t *s, size_t n, qftp_dir *dir)
{
    static const struct {
        const char *w;
        qftp_dir d;
    } words[] = {{">>", QFTP_DIR_TX},   {"<<", QFTP_DIR_RX},       {"TX", QFTP_DIR_TX},
                 {"RX", QFTP_DIR_RX},   {"Sent", QFTP_DIR_TX},     {"Send", QFTP_DIR_TX},
                 {"Rcvd", QFTP_DIR_RX}, {"Received", QFTP_DIR_RX}, {"Receive", QFTP_DIR_RX},
                 {"Recv", QFTP_DIR_RX}};
    size_t i0 = n > 0 && s[0] == '[' ? 1 : 0;
    for (size_t k = 0; k < G_N_ELEMENTS(words); k++) {
        size_t m = strlen(words[k].w), i = i0 + m;
        if (n < i || g_ascii_strncasecmp((const char *)s + i0, words[k].w, m) != 0)
            continue;
        bool arrow = words[k].w[0] == '>' || words[k].w[0] == '<';
        if (i0) {
            if (i >= n || s[i] != ']')
                continue;
            i++;
        }
        if (i < n && s[i] == ':')
            i++;
        else if (!arrow && !i0 && i < n && s[i] != ' ' && s[i] != '\t')
            continue; /* "Sending..." is no marker */
        if (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        *dir = words[k].d;
        return i;
    }
    return 0;
}

/* The time and the marker of a timestamped line; *off gets where the bytes start.
 * false when there is no marker. */
static bool stamped_head(const uint8_t *s, size_t n, stamp *st, qftp_dir *dir, size_t *off)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    *st = NO_STAMP;
    bool br = i < n && s[i] == '[';
    size_t t = parse_time(s + i + br, n - i - br, st);
    if (t && (!br || (i + 1 + t < n && s[i + 1 + t] == ']'))) {
        i += t + 2 * br;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
    } else {
        *st = NO_STAMP;
    }
    size_t m = parse_marker(s + i, n - i, dir);
    *off = i + m;
    return m > 0;
}

static int read_timestamped(ctx *c)
{
    uint8_t *s;
    size_t n;
    int rc;
    while ((rc = next_line(&c->r, &s, &n, c->errbuf)) == 1) {
        if (blank(s, n))
            continue;
        if (binary_line(s, n)) {
            CERR("line %llu: binary data, not a text log", LN(c->r.line_no));
            return -1;
        }
        stamp st;
        qftp_dir dir;
        size_t off;
        if (!stamped_head(s, n, &st, &dir, &off)) {
            CERR("line %llu: no direction marker (>> << TX: RX: Send Recv) after the time",
                 LN(c->r.line_no));
            return -1;
        }
        if ((rc = line_record(c, dir, s + off, n - off, st, c->r.line_no)) != 0)
            return rc;
    }
    return rc;
}

/* regex ------------------------------------------------------------------------------------- */

static bool host_word(const uint8_t *s, size_t n)
{
    static const char *const host[] = {">",     ">>",  "->", "tx",        "send",
                                       "sent",  "out", "h",  "host",      "w",
                                       "write", "dte", "te", "to module", "to modem"};
    for (size_t k = 0; k < G_N_ELEMENTS(host); k++)
        if (n == strlen(host[k]) && g_ascii_strncasecmp((const char *)s, host[k], n) == 0)
            return true;
    return false;
}

static int read_regex(ctx *c)
{
    GError *gerr = NULL;
    GRegex *re = g_regex_new(c->o->regex, G_REGEX_RAW | G_REGEX_OPTIMIZE, 0, &gerr);
    if (!re) {
        CERR("--regex: %s", gerr->message);
        g_error_free(gerr);
        return -1;
    }
    if (g_regex_get_string_number(re, "dir") < 0 || g_regex_get_string_number(re, "data") < 0) {
        CERR("--regex needs the named groups (?<dir>...) and (?<data>...); (?<time>...) is "
             "optional");
        g_regex_unref(re);
        return -1;
    }
    bool has_time = g_regex_get_string_number(re, "time") >= 0;
    uint8_t *s;
    size_t n;
    int rc;
    while ((rc = next_line(&c->r, &s, &n, c->errbuf)) == 1) {
        if (n && s[n - 1] == '\r')
            n--;
        if (blank(s, n))
            continue;
        if (binary_line(s, n)) {
            CERR("line %llu: binary data, not a text log", LN(c->r.line_no));
            rc = -1;
            break;
        }
        GMatchInfo *mi = NULL;
        if (!g_regex_match_full(re, (const gchar *)s, (gssize)n, 0, 0, &mi, NULL)) {
            g_match_info_free(mi);
            CERR("line %llu: does not match --regex", LN(c->r.line_no));
            rc = -1;
            break;
        }
        int a, b;
        stamp st = NO_STAMP;
        if (has_time && g_match_info_fetch_named_pos(mi, "time", &a, &b) && b > a) {
            if (parse_time(s + a, (size_t)(b - a), &st) == 0) {
                CERR("line %llu: the time \"%.*s\" is not a date and time", LN(c->r.line_no),
                     b - a > 40 ? 40 : b - a, (const char *)s + a);
                g_match_info_free(mi);
                rc = -1;
                break;
            }
        }
        qftp_dir dir = QFTP_DIR_RX;
        if (g_match_info_fetch_named_pos(mi, "dir", &a, &b) && a >= 0 &&
            host_word(s + a, (size_t)(b - a)))
            dir = QFTP_DIR_TX;
        if (!g_match_info_fetch_named_pos(mi, "data", &a, &b) || a < 0)
            a = b = 0;
        g_match_info_free(mi);
        if ((rc = line_record(c, dir, s + a, (size_t)(b - a), st, c->r.line_no)) != 0)
            break;
    }
    g_regex_unref(re);
    return rc;
}

/* interceptty ---------------------------------------------------------------------------------
 *
 * interceptty prints one byte per line: "> \t0x41 (A)" (to the device) / "< 0x4f (O)"
 * (from it), with "(c)" only for printable bytes. Later forks add "[HH:MM SS.uuuuuu]"
 * before the first line of each read (blanks before the others), "[CR]"-style names and
 * "' '" for a space, and with -l several bytes per line: "41(A):54(T):0d([CR])". */

static size_t skip_ws(const uint8_t *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* "[HH:MM SS.uuuuuu]" or "[HH:MM:SS.uuu]": bytes used, 0 if none. */
static size_t icty_time(const uint8_t *s, size_t n, stamp *st)
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
    return parse_time(t, k, st) == k ? k + 2 : 0;
}

static int read_interceptty(ctx *c)
{
    uint8_t *s;
    size_t n;
    int rc;
    qftp_dir cur = QFTP_DIR_TX;
    stamp cur_st = NO_STAMP;
    uint64_t first = 0;
    while ((rc = next_line(&c->r, &s, &n, c->errbuf)) == 1) {
        while (n && s[n - 1] == '\r')
            n--;
        if (blank(s, n))
            continue;
        stamp st = NO_STAMP;
        size_t i = skip_ws(s, n, 0);
        size_t t = icty_time(s + i, n - i, &st);
        i = skip_ws(s, n, i + t);
        if (i >= n || (s[i] != '<' && s[i] != '>')) {
            CERR("line %llu: not an interceptty byte line (\"< 0x41 (A)\")", LN(c->r.line_no));
            return -1;
        }
        qftp_dir d = s[i] == '>' ? QFTP_DIR_TX : QFTP_DIR_RX;
        /* a new direction, or a new read (a time) of the same, starts a record */
        if (c->e.len && (d != cur || st.have || c->e.len >= REC_CAP))
            if ((rc = emit(&c->e, cur, cur_st, first, c->errbuf)) != 0)
                return rc;
        if (c->e.len == 0) {
            first = c->r.line_no;
            cur_st = st;
        }
        cur = d;
        i = skip_ws(s, n, i + 1);
        bool one = false;
        while (i < n) {
            if (i + 1 < n && s[i] == '0' && (s[i + 1] | 0x20) == 'x')
                i += 2;
            if (i + 2 > n || !g_ascii_isxdigit(s[i]) || !g_ascii_isxdigit(s[i + 1])) {
                CERR("line %llu: bad byte value, expected 0xHH", LN(c->r.line_no));
                return -1;
            }
            add1(&c->e,
                 (uint8_t)(g_ascii_xdigit_value(s[i]) << 4 | g_ascii_xdigit_value(s[i + 1])));
            one = true;
            i = skip_ws(s, n, i + 2);
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
                    CERR("line %llu: bad character after the byte value", LN(c->r.line_no));
                    return -1;
                }
                i = skip_ws(s, n, i + 1);
            }
            if (i < n && s[i] == ':')
                i = skip_ws(s, n, i + 1);
        }
        if (!one) {
            CERR("line %llu: bad byte value, expected 0xHH", LN(c->r.line_no));
            return -1;
        }
    }
    if (rc == 0)
        rc = emit(&c->e, cur, cur_st, first, c->errbuf);
    return rc;
}

/* socat ------------------------------------------------------------------------------------------
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

static bool socat_header(const uint8_t *s, size_t n, qftp_dir *dir, stamp *st, size_t *len)
{
    if (n < 12 || (s[0] != '>' && s[0] != '<') || s[1] != ' ')
        return false;
    size_t i = 2;
    *st = NO_STAMP;
    size_t t = parse_time(s + i, n - i, st);
    if (t) {
        /* "HH:MM:SS.000uuuuuu": nine digits with the microseconds in the last six */
        const uint8_t *dot = memchr(s + i, '.', t);
        if (dot && s + i + t - dot == 10 && memcmp(dot + 1, "000", 3) == 0)
            st->ts = st->ts - st->ts % QFTP_NS_PER_SEC + (st->ts % QFTP_NS_PER_SEC) * 1000;
        i += t;
    }
    i = skip_ws(s, n, i);
    if (n - i < 8 || memcmp(s + i, "length=", 7) != 0 || !g_ascii_isdigit(s[i + 7]))
        return false;
    int64_t v;
    size_t k = digits(s, n, i + 7, 15, &v);
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

static int read_socat(ctx *c)
{
    uint8_t *s;
    size_t n;
    int rc;
    size_t remain = 0;
    int hex = -1; /* decided by the first data line of the log */
    qftp_dir dir = QFTP_DIR_TX;
    stamp st = NO_STAMP;
    uint64_t first = 0, block_line = 0;
    while ((rc = next_line(&c->r, &s, &n, c->errbuf)) == 1) {
        if (n && s[n - 1] == '\r') /* a log saved with CRLF: socat escapes real CRs */
            n--;
        size_t i = 0;
        for (;;) {
            if (remain == 0) {
                if ((rc = emit(&c->e, dir, st, first, c->errbuf)) != 0)
                    return rc;
                if (i >= n || blank(s + i, n - i) || (i == 0 && socat_diag(s, n)))
                    break;
                if (n - i == 2 && s[i] == '-' && s[i + 1] == '-')
                    break;
                if (!socat_header(s + i, n - i, &dir, &st, &remain)) {
                    CERR("line %llu: a socat header (\"> 2024/05/01 10:00:01.123456  length=12 "
                         "from=0 to=11\") was expected",
                         LN(c->r.line_no));
                    return -1;
                }
                first = block_line = c->r.line_no;
                break;
            }
            if (c->e.len >= REC_CAP && (rc = emit(&c->e, dir, st, first, c->errbuf)) != 0)
                return rc;
            if (hex < 0)
                hex = i == 0 && n >= 3 && hex_pair(s, n, 0) && (n == 3 || s[3] == ' ');
            if (hex) {
                while (remain > 0 && hex_pair(s, n, i)) {
                    add1(&c->e, (uint8_t)(g_ascii_xdigit_value(s[i + 1]) << 4 |
                                          g_ascii_xdigit_value(s[i + 2])));
                    remain--;
                    i += 3;
                }
                /* what follows the bytes: nothing, or padding and the picture (-v -x) */
                if (i == 0 || (i < n && !(i + 1 < n && s[i] == ' ' && s[i + 1] == ' '))) {
                    CERR("line %llu: bad hex digits in a socat -x dump (block of line %llu)",
                         LN(c->r.line_no), LN(block_line));
                    return -1;
                }
                break;
            }
            /* -v text */
            while (remain > 0 && i < n) {
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
                add1(&c->e, v);
                remain--;
            }
            if (remain > 0) {
                /* the LF that ended this line is a data byte */
                if (c->r.had_lf) {
                    add1(&c->e, '\n');
                    remain--;
                }
                if (remain == 0 && (rc = emit(&c->e, dir, st, first, c->errbuf)) != 0)
                    return rc;
                break;
            }
        }
    }
    if (rc == 0 && remain > 0) {
        CERR("line %llu: the log ends %zu bytes before the end of the socat block of line %llu",
             LN(c->r.line_no), remain, LN(block_line));
        return -1;
    }
    if (rc == 0)
        rc = emit(&c->e, dir, st, first, c->errbuf);
    return rc;
}

/* plain ----------------------------------------------------------------------------------------
 *
 * A pasted terminal session. After CONNECT the lines are data of the side the command
 * implies (tables.h qftp_cmd_def.data). CONNECT <n> takes n bytes. Otherwise the lines
 * are held until the completion URC of the command tells where the file ended: its count
 * decides between the lines' own ends, CRLF and LF (and whether the last line had one),
 * so the bytes handed on are the file's bytes again, and a file line that only looks like
 * OK or like the URC stays data (device-quirks.md, data mode). */

static bool is_at_line(const uint8_t *s, size_t n)
{
    return n >= 2 && (s[0] | 0x20) == 'a' && ((s[1] | 0x20) == 't' || s[1] == '/');
}

static bool is_word(const uint8_t *s, size_t n, const char *w)
{
    return n == strlen(w) && memcmp(s, w, n) == 0;
}

typedef enum { EOL_NONE, EOL_LF, EOL_CRLF } eol_kind;

typedef struct {
    size_t off, len;
    uint64_t line_no;
    eol_kind eol;
} held_line;

typedef struct {
    GByteArray *store;
    GArray *lines; /* held_line */
    qftp_dir dir;  /* download: module->host, upload: host->module */
    bool escaped;  /* an upload's "+++" is held at escape_at */
    guint escape_at;
} held_t;

/* The completion URC of the command: "+QFTPxxx: 0,<n>" / "+QFTPxxx:<n>" (GSM) /
 * "+QFTPxxx: <err>,<pe>" / "+QFTPxxx:-<err>", or "+QFUPL: <size>,<checksum>" and the
 * like for the file commands. *count: the byte count, or -1 for an error form (which
 * ends the data too). */
static bool urc_count(const uint8_t *s, size_t n, const char *name, int64_t *count)
{
    size_t m = strlen(name);
    if (!name[0] || n <= m || g_ascii_strncasecmp((const char *)s, name, m) != 0 || s[m] != ':')
        return false;
    size_t i = m + 1;
    if (i < n && s[i] == ' ')
        i++;
    if (i < n && s[i] == '-') {
        *count = -1;
        return true;
    }
    int64_t a, b;
    size_t d = digits(s, n, i, 15, &a);
    if (d == 0)
        return false;
    i += d;
    if (i < n && s[i] == ',') {
        i++;
        while (i < n && s[i] == ' ')
            i++;
        if (digits(s, n, i, 15, &b) == 0)
            return false;
        bool err_first = g_ascii_strncasecmp(name, "+QFTP", 5) == 0;
        *count = !err_first ? a : a == 0 ? b : -1;
        return true;
    }
    *count = a;
    return i == n;
}

static const held_line *held_at(const held_t *h, guint i)
{
    return &g_array_index(h->lines, held_line, i);
}

static bool held_is(const held_t *h, guint i, const char *word)
{
    return is_word(h->store->data + held_at(h, i)->off, held_at(h, i)->len, word);
}

static size_t eol_len(eol_kind k)
{
    return k == EOL_CRLF ? 2 : k == EOL_LF ? 1 : 0;
}

static void add_eol(emitter *e, eol_kind k)
{
    if (k != EOL_NONE)
        add(e, k == EOL_CRLF ? "\r\n" : "\n", eol_len(k));
}

static void held_reset(held_t *h)
{
    g_byte_array_set_size(h->store, 0);
    g_array_set_size(h->lines, 0);
    h->escaped = false;
}

/* Hands on what is held: held[0, data_end) as data, one record per line (`force`, when
 * not -1, replaces the lines' own ends; `last_bare` drops the last one), then the held
 * "+++" as the host's, then the rest as module lines. */
static int held_finish(ctx *c, held_t *h, guint data_end, int force, bool last_bare)
{
    int rc = 0;
    c->e.data = true;
    for (guint i = 0; i < data_end && rc == 0; i++) {
        const held_line *l = held_at(h, i);
        add(&c->e, h->store->data + l->off, l->len);
        if (!(last_bare && i + 1 == data_end))
            add_eol(&c->e, force >= 0 ? (eol_kind)force : l->eol);
        rc = emit(&c->e, h->dir, NO_STAMP, l->line_no, c->errbuf);
    }
    c->e.data = false;
    guint rest = data_end;
    if (rc == 0 && h->escaped) {
        add(&c->e, "+++", 3);
        rc = emit(&c->e, QFTP_DIR_TX, NO_STAMP, held_at(h, h->escape_at)->line_no, c->errbuf);
        rest = h->escape_at + 1;
    }
    for (guint i = rest; i < h->lines->len && rc == 0; i++) {
        const held_line *l = held_at(h, i);
        if (l->len)
            rc = line_record(c, QFTP_DIR_RX, h->store->data + l->off, l->len, NO_STAMP, l->line_no);
    }
    held_reset(h);
    return rc;
}

/* The URC with `count` arrived after the held lines: the file ends before it (before an
 * OK and blank lines right before it, or at the held "+++"). Returns true when a choice
 * of line ends gives exactly count bytes, the URC reports an error, or the upload was
 * escaped; *rc gets the callbacks' result. */
static bool held_try_end(ctx *c, held_t *h, int64_t count, int *rc)
{
    guint data_end = h->escaped ? h->escape_at : h->lines->len;
    if (!h->escaped) {
        while (data_end > 0 && held_at(h, data_end - 1)->len == 0)
            data_end--;
        if (data_end > 0 && held_is(h, data_end - 1, "OK")) {
            data_end--;
            while (data_end > 0 && held_at(h, data_end - 1)->len == 0)
                data_end--;
        }
    }
    /* candidates: own line ends, CRLF, LF; each with and without an end after the last */
    int64_t own = 0, text = 0, m = data_end;
    for (guint i = 0; i < data_end; i++) {
        text += (int64_t)held_at(h, i)->len;
        own += (int64_t)eol_len(held_at(h, i)->eol);
    }
    int64_t own_last = data_end ? (int64_t)eol_len(held_at(h, data_end - 1)->eol) : 0;
    static const struct {
        int force;
        bool bare;
    } ways[] = {{-1, false},      {-1, true},      {EOL_CRLF, false},
                {EOL_CRLF, true}, {EOL_LF, false}, {EOL_LF, true}};
    for (size_t w = 0; w < G_N_ELEMENTS(ways); w++) {
        int64_t per = (int64_t)eol_len((eol_kind)ways[w].force);
        int64_t ends = ways[w].force < 0 ? own : m * per;
        int64_t last = ways[w].force < 0 ? own_last : per;
        int64_t total = text + ends - (ways[w].bare && m ? last : 0);
        if (count >= 0 && total != count)
            continue;
        *rc = held_finish(c, h, data_end, ways[w].force, ways[w].bare);
        return true;
    }
    if (h->escaped) {
        *rc = held_finish(c, h, data_end, -1, false);
        return true;
    }
    return false;
}

/* Back in command mode (a command, or the end of the log) and no count matched: the held
 * "+++", else the last held URC-looking line of the command ends the data, as the
 * session would decide. */
static int held_give_up(ctx *c, held_t *h, const char *name)
{
    guint k = h->lines->len, u = k;
    if (h->escaped)
        return held_finish(c, h, h->escape_at, -1, false);
    for (guint i = k; i-- > 0;) {
        int64_t cnt;
        if (urc_count(h->store->data + held_at(h, i)->off, held_at(h, i)->len, name, &cnt)) {
            u = i;
            break;
        }
    }
    guint data_end = u;
    if (u < k && u > 0 && held_is(h, u - 1, "OK"))
        data_end--;
    return held_finish(c, h, data_end, -1, false);
}

typedef struct {
    qftp_data_kind kind; /* of the last command */
    char cmd[32];        /* its name, e.g. "+QFTPGET" */
    qftp_data_kind data; /* data mode now */
    int64_t left;        /* CONNECT <n>: bytes still to come; -1: ended by the URC */
    int64_t lines;       /* data lines so far (CONNECT <n>) */
} plain_state;

static void plain_command(plain_state *ps, const uint8_t *s, size_t n)
{
    qftp_subcmd cmds[4];
    int k = qftp_cmdline_parse((const char *)s, n, cmds, G_N_ELEMENTS(cmds), NULL, NULL);
    ps->kind = QFTP_DATA_NONE;
    ps->cmd[0] = '\0';
    if (k > 0) {
        const qftp_cmd_def *d = qftp_cmd_find(cmds[k - 1].name, QFTP_DIALECT_UNKNOWN, NULL);
        if (d) {
            ps->kind = d->data;
            g_strlcpy(ps->cmd, d->name, sizeof ps->cmd);
        }
    }
}

/* A line while data mode is on. *taken is false when data mode ended before it and the
 * line is to be read as a command or a response. Returns 0 or the stopping result. */
static int plain_data_line(ctx *c, plain_state *ps, held_t *held, const uint8_t *s, size_t len,
                           size_t tl, eol_kind eol, bool *taken)
{
    int rc;
    *taken = true;
    qftp_dir d = ps->data == QFTP_DATA_UPLOAD ? QFTP_DIR_TX : QFTP_DIR_RX;
    bool at = is_at_line(s, tl);
    if (ps->left >= 0) {
        /* CONNECT <n>: n bytes; a pasted log may have lost the CRs of its line ends,
         * so an OK or a command after as many lines as bytes are missing ends it too */
        if (at || (is_word(s, tl, "OK") && ps->left <= ps->lines)) {
            ps->data = QFTP_DATA_NONE;
            *taken = false;
            return 0;
        }
        add(&c->e, s, len);
        add_eol(&c->e, eol);
        if ((int64_t)c->e.len > ps->left)
            c->e.len = (size_t)ps->left;
        ps->left -= (int64_t)c->e.len;
        ps->lines++;
        c->e.data = true;
        rc = emit(&c->e, d, NO_STAMP, c->r.line_no, c->errbuf);
        c->e.data = false;
        if (ps->left == 0)
            ps->data = QFTP_DATA_NONE;
        return rc;
    }
    held->dir = d;
    bool escape = ps->data == QFTP_DATA_UPLOAD && !held->escaped && is_word(s, tl, "+++");
    if (escape) {
        /* the escape sequence ends an upload (BG96 manual 2.5); the URC that follows
         * still tells the line ends of the bytes before it */
        held->escaped = true;
        held->escape_at = held->lines->len;
    }
    if (at) {
        ps->data = QFTP_DATA_NONE;
        *taken = false;
        return held_give_up(c, held, ps->cmd);
    }
    int64_t cnt;
    if (urc_count(s, tl, ps->cmd, &cnt) && held_try_end(c, held, cnt, &rc)) {
        ps->data = QFTP_DATA_NONE;
        *taken = false;
        return rc;
    }
    held_line hl = {held->store->len, len, c->r.line_no, eol};
    g_byte_array_append(held->store, s, (guint)len);
    g_array_append_val(held->lines, hl);
    if (held->store->len > HELD_CAP && !held->escaped) {
        /* too much to wait for the count: what is held is data */
        if ((rc = held_finish(c, held, held->lines->len, -1, false)) != 0)
            return rc;
    } else if (held->escaped && held->lines->len - held->escape_at > 64) {
        /* no URC in sight after "+++" */
        ps->data = QFTP_DATA_NONE;
        return held_finish(c, held, held->escape_at, -1, false);
    }
    return 0;
}

static int read_plain(ctx *c)
{
    uint8_t *s;
    size_t n;
    int rc;
    plain_state ps = {QFTP_DATA_NONE, "", QFTP_DATA_NONE, -1, 0};
    held_t held = {g_byte_array_new(), g_array_new(FALSE, FALSE, sizeof(held_line)), QFTP_DIR_RX,
                   false, 0};
    while ((rc = next_line(&c->r, &s, &n, c->errbuf)) == 1) {
        size_t len = n;
        while (len && s[len - 1] == '\r')
            len--;
        eol_kind eol = !c->r.had_lf ? EOL_NONE : len < n ? EOL_CRLF : EOL_LF;
        size_t tl = len;
        while (tl && (s[tl - 1] == ' ' || s[tl - 1] == '\t'))
            tl--;
        if (ps.data != QFTP_DATA_NONE) {
            bool taken;
            if ((rc = plain_data_line(c, &ps, &held, s, len, tl, eol, &taken)) != 0)
                break;
            if (taken)
                continue;
        }
        if (tl == 0)
            continue;
        if (binary_line(s, len)) {
            CERR("line %llu: binary data, not a text log", LN(c->r.line_no));
            rc = -1;
            break;
        }
        if (is_at_line(s, tl)) {
            plain_command(&ps, s, tl);
            if ((rc = line_record(c, QFTP_DIR_TX, s, len, NO_STAMP, c->r.line_no)) != 0)
                break;
            continue;
        }
        if ((rc = line_record(c, QFTP_DIR_RX, s, len, NO_STAMP, c->r.line_no)) != 0)
            break;
        if (tl >= 7 && memcmp(s, "CONNECT", 7) == 0 && (tl == 7 || s[7] == ' ') &&
            ps.kind != QFTP_DATA_NONE) {
            ps.data = ps.kind;
            ps.left = -1;
            ps.lines = 0;
            int64_t v;
            if (tl > 8 && digits(s, tl, 8, 15, &v) == tl - 8) {
                ps.left = v;
                if (v == 0)
                    ps.data = QFTP_DATA_NONE;
            }
        }
    }
    if (rc == 0 && held.lines->len)
        rc = held_give_up(c, &held, ps.cmd);
    g_byte_array_free(held.store, TRUE);
    g_array_free(held.lines, TRUE);
    return rc;
}

/* ---- detection and entry point -------------------------------------------------------------- */

static bool icty_line(const uint8_t *s, size_t n)
{
    stamp st;
    size_t i = skip_ws(s, n, 0);
    i = skip_ws(s, n, i + icty_time(s + i, n - i, &st));
    if (i + 3 > n || (s[i] != '<' && s[i] != '>') || (s[i + 1] != ' ' && s[i + 1] != '\t'))
        return false;
    i = skip_ws(s, n, i + 1);
    if (i + 1 < n && s[i] == '0' && (s[i + 1] | 0x20) == 'x')
        i += 2;
    return i + 2 <= n && g_ascii_isxdigit(s[i]) && g_ascii_isxdigit(s[i + 1]) &&
           (i + 2 == n || s[i + 2] == ' ' || s[i + 2] == '(' || s[i + 2] == ':');
}

qftp_log_format qftp_log_detect(const uint8_t *head, size_t n)
{
    int socat = 0, icty = 0, stamped = 0, lines = 0;
    size_t i = 0;
    if (n >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < n && lines < 64) {
        const uint8_t *e = memchr(head + i, '\n', n - i);
        size_t len = e ? (size_t)(e - (head + i)) : n - i;
        const uint8_t *s = head + i;
        i += len + 1;
        while (len && s[len - 1] == '\r')
            len--;
        if (blank(s, len))
            continue;
        lines++;
        qftp_dir d;
        stamp st;
        size_t bl, off;
        if (socat_header(s, len, &d, &st, &bl))
            socat++;
        else if (icty_line(s, len))
            icty++;
        else if (stamped_head(s, len, &st, &d, &off))
            stamped++;
    }
    if (socat)
        return QFTP_FMT_SOCAT;
    if (icty && icty * 2 >= lines)
        return QFTP_FMT_INTERCEPTTY;
    if (stamped && stamped * 2 >= lines)
        return QFTP_FMT_TIMESTAMPED;
    return QFTP_FMT_PLAIN;
}

int qftp_log_import(FILE *in, const qftp_import_opts *opts, qftp_record_cb cb, void *user,
                    qftp_log_format *format_used, char *errbuf)
{
    qftp_import_opts defaults;
    if (!opts) {
        qftp_import_opts_init(&defaults);
        opts = &defaults;
    }
    ctx c = {0};
    c.o = opts;
    c.errbuf = errbuf;
    c.r.in = in;
    c.r.o = opts;
    c.r.buf = malloc(RBUF);
    c.e.cb = cb;
    c.e.user = user;
    c.e.o = opts;
    if (!c.r.buf) {
        ERR("out of memory");
        return -1;
    }
    c.r.end = fread(c.r.buf, 1, RBUF, in);
    if (c.r.end < RBUF)
        c.r.eof = true;
    if (c.r.end == 0 && ferror(in)) {
        ERR("line 1: read error: %s", strerror(errno));
        free(c.r.buf);
        return -1;
    }
    if (c.r.end >= 3 && memcmp(c.r.buf, "\xef\xbb\xbf", 3) == 0) {
        c.r.pos = 3; /* a UTF-8 byte order mark (Windows editors) */
        progress(&c.r, 3);
    }
    qftp_log_format f = opts->format;
    if (f == QFTP_FMT_AUTO && opts->regex)
        f = QFTP_FMT_REGEX;
    if (f == QFTP_FMT_AUTO)
        f = qftp_log_detect(c.r.buf + c.r.pos, c.r.end - c.r.pos);
    if (format_used)
        *format_used = f;
    int rc;
    switch (f) {
    case QFTP_FMT_SOCAT:
        rc = read_socat(&c);
        break;
    case QFTP_FMT_INTERCEPTTY:
        rc = read_interceptty(&c);
        break;
    case QFTP_FMT_TIMESTAMPED:
        rc = read_timestamped(&c);
        break;
    case QFTP_FMT_REGEX:
        if (!opts->regex) {
            ERR("the regex format needs a regular expression (--regex)");
            rc = -1;
        } else {
            rc = read_regex(&c);
        }
        break;
    default:
        rc = read_plain(&c);
        break;
    }
    free(c.r.buf);
    free(c.r.line);
    free(c.e.p);
    return rc;
}
