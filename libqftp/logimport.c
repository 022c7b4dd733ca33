/* logimport.c - text logs of serial AT sessions into records (qftp/logimport.h).
 *
 * Every format is read line by line through one reader with a fixed cap
 * (QFTP_IMPORT_LINE_CAP), so memory does not grow with the input. Records are built
 * in one reusable buffer. Host lines become "<line>\r" (what a terminal sends), module
 * lines "\r\n<line>\r\n" (V.25ter framing, which the parser's data-mode trailer
 * expects), data lines after CONNECT keep "\r\n" ends; a line that spells its own
 * bytes with escapes (\r \n \xHH <CR> <LF>) is taken as exactly those bytes.
 */
#include <ctype.h>
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qftp/logimport.h"
#include "qftp/tables.h"

#define ERR(...) snprintf(errbuf, QFTP_ERRBUF_SIZE, __VA_ARGS__)
#define CERR(...) snprintf(c->errbuf, QFTP_ERRBUF_SIZE, __VA_ARGS__)

const char *qftp_log_format_name(qftp_log_format f)
{
    static const char *const names[] = {"auto",        "plain",       "socat",
                                        "interceptty", "timestamped", "regex"};
    return (unsigned)f < 6 ? names[f] : "?";
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

static uint8_t *find_ci(uint8_t *s, size_t n, const char *pat)
{
    size_t m = strlen(pat);
    for (size_t i = 0; i + m <= n; i++)
        if (g_ascii_strncasecmp((const char *)s + i, pat, m) == 0)
            return s + i;
    return NULL;
}

/* Stars the value of field `want` (0-based) of a parameter list. */
static size_t star_field(uint8_t *p, size_t n, int want)
{
    int field = 0;
    bool q = false;
    size_t start = 0, replaced = 0;
    for (size_t i = 0; i <= n; i++) {
        bool end = i == n || p[i] == '\r' || p[i] == '\n' || (!q && (p[i] == ',' || p[i] == ';'));
        if (i < n && p[i] == '"')
            q = !q;
        if (!end)
            continue;
        if (field == want) {
            for (size_t k = start; k < i; k++)
                if (p[k] != '"' && p[k] != ' ') {
                    p[k] = '*';
                    replaced++;
                }
            return replaced;
        }
        if (i == n || p[i] != ',')
            return 0;
        field++;
        start = i + 1;
    }
    return 0;
}

size_t qftp_redact_line(uint8_t *line, size_t len)
{
    size_t replaced = 0;
    uint8_t *p = find_ci(line, len, "+QFTPPASS=");
    if (p) {
        p += 10;
        replaced += star_field(p, len - (size_t)(p - line), 0);
    }
    p = find_ci(line, len, "+QFTPCFG=");
    if (p) {
        p += 9;
        size_t rest = len - (size_t)(p - line);
        uint8_t *k = p;
        while (k < p + rest && (*k == ' ' || *k == '"'))
            k++;
        if ((size_t)(p + rest - k) >= 7 && g_ascii_strncasecmp((const char *)k, "account", 7) == 0)
            replaced += star_field(p, rest, 2);
    }
    return replaced;
}

/* ---- line reader ---------------------------------------------------------------------------- */

typedef struct {
    FILE *in;
    uint8_t *buf; /* read buffer */
    size_t pos, end;
    bool eof;
    uint8_t *line; /* the current line, grown up to the cap */
    size_t cap;
    uint64_t line_no;
    uint64_t consumed;
    uint64_t next_progress;
    const qftp_import_opts *o;
} reader;

#define RBUF 65536

/* Reads the next line (without its LF; a CR before it is kept). Returns 1, 0 at the
 * end, -1 (errbuf) for a line over the cap. */
static int next_line(reader *r, uint8_t **out, size_t *len, char *errbuf)
{
    size_t n = 0;
    bool any = false;
    for (;;) {
        if (r->pos == r->end) {
            if (r->eof)
                break;
            r->end = fread(r->buf, 1, RBUF, r->in);
            r->pos = 0;
            if (r->end == 0) {
                r->eof = true;
                if (ferror(r->in)) {
                    ERR("line %llu: read error: %s", (unsigned long long)r->line_no + 1,
                        strerror(errno));
                    return -1;
                }
                break;
            }
        }
        any = true;
        uint8_t *s = r->buf + r->pos;
        size_t avail = r->end - r->pos;
        uint8_t *nl = memchr(s, '\n', avail);
        size_t take = nl ? (size_t)(nl - s) : avail;
        if (n + take > QFTP_IMPORT_LINE_CAP) {
            ERR("line %llu: longer than %u bytes without a line end: not a text log",
                (unsigned long long)r->line_no + 1, QFTP_IMPORT_LINE_CAP);
            return -1;
        }
        if (n + take > r->cap) {
            size_t nc = r->cap ? r->cap : 4096;
            while (nc < n + take)
                nc *= 2;
            if (nc > QFTP_IMPORT_LINE_CAP)
                nc = QFTP_IMPORT_LINE_CAP;
            uint8_t *g = realloc(r->line, nc);
            if (!g) {
                ERR("line %llu: out of memory", (unsigned long long)r->line_no + 1);
                return -1;
            }
            r->line = g;
            r->cap = nc;
        }
        memcpy(r->line + n, s, take);
        n += take;
        r->pos += take + (nl ? 1 : 0);
        r->consumed += take + (nl ? 1 : 0);
        if (r->o->progress && r->consumed >= r->next_progress) {
            r->o->progress(r->o->progress_user, r->consumed);
            r->next_progress = r->consumed + (1u << 20);
        }
        if (nl)
            break;
    }
    if (!any && n == 0)
        return 0;
    r->line_no++;
    *out = r->line;
    *len = n;
    return 1;
}

static bool binary_line(const uint8_t *s, size_t n)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == 0)
            return true;
        if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\r')
            bad++;
    }
    if (n >= 8 && !g_utf8_validate((const char *)s, (gssize)n, NULL)) {
        /* Latin-1 text is fine; mostly high bytes and control bytes is not. */
        size_t high = 0;
        for (size_t i = 0; i < n; i++)
            high += s[i] >= 0x80;
        if (high * 2 > n)
            return true;
    }
    return bad * 4 > n && n > 0;
}

/* ---- emitting records ---------------------------------------------------------------------- */

typedef struct {
    qftp_record_cb cb;
    void *user;
    GByteArray *b;
    qftp_ts last;
    bool have_time;
    int stop;
} emitter;

static int emit_rec(emitter *e, qftp_dir dir, qftp_ts ts, bool have_ts, uint64_t line,
                    const qftp_import_opts *o)
{
    if (e->b->len == 0)
        return 0;
    bool synth = !have_ts;
    if (have_ts) {
        /* a time-of-day log that passes midnight */
        if (e->have_time && ts + 12 * 3600 * QFTP_NS_PER_SEC < e->last)
            ts += 24 * 3600 * QFTP_NS_PER_SEC;
        if (e->have_time && ts < e->last)
            ts = e->last;
    } else {
        ts = e->have_time ? e->last + QFTP_NS_PER_MS : 0;
    }
    e->last = ts;
    e->have_time = true;
    if (o->redact && dir == QFTP_DIR_TX)
        qftp_redact_line(e->b->data, e->b->len);
    qftp_record rec = {dir, ts, synth, e->b->data, e->b->len, line};
    int rc = e->cb(e->user, &rec);
    g_byte_array_set_size(e->b, 0);
    return rc;
}

static void add(emitter *e, const void *p, size_t n)
{
    g_byte_array_append(e->b, p, (guint)n);
}

/* Decodes \r \n \t \\ \xHH <CR> <LF> escapes into e->b. Returns whether any was seen. */
static bool add_unescaped(emitter *e, const uint8_t *s, size_t n)
{
    bool seen = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            char c = (char)s[i + 1];
            uint8_t v;
            if (c == 'r' || c == 'n' || c == 't' || c == '\\') {
                v = c == 'r' ? '\r' : c == 'n' ? '\n' : c == 't' ? '\t' : '\\';
                add(e, &v, 1);
                i++;
                seen = true;
                continue;
            }
            if (c == 'x' && i + 3 < n && g_ascii_isxdigit(s[i + 2]) && g_ascii_isxdigit(s[i + 3])) {
                v = (uint8_t)(g_ascii_xdigit_value(s[i + 2]) << 4 | g_ascii_xdigit_value(s[i + 3]));
                add(e, &v, 1);
                i += 3;
                seen = true;
                continue;
            }
        }
        if (s[i] == '<' && i + 3 < n &&
            (memcmp(s + i, "<CR>", 4) == 0 || memcmp(s + i, "<LF>", 4) == 0)) {
            uint8_t v = s[i + 1] == 'C' ? '\r' : '\n';
            add(e, &v, 1);
            i += 3;
            seen = true;
            continue;
        }
        add(e, s + i, 1);
    }
    return seen;
}

/* ---- times ------------------------------------------------------------------------------------
 */

/* Parses a time at s: "YYYY-MM-DD HH:MM:SS[.f]" (also '/', 'T'), "HH:MM:SS[.f]" (day
 * 1970-01-01), or seconds "123.456". Times are UTC. Returns the bytes used, 0 if none. */
static size_t parse_time(const uint8_t *s, size_t n, qftp_ts *out)
{
    size_t i = 0;
    int y = 1970, mo = 1, d = 1, h = 0, mi = 0;
    double sec = 0;
#define DIGITS(k, var)                                                                             \
    do {                                                                                           \
        int v_ = 0;                                                                                \
        for (int j_ = 0; j_ < (k); j_++) {                                                         \
            if (i >= n || !isdigit(s[i]))                                                          \
                return 0;                                                                          \
            v_ = v_ * 10 + (s[i++] - '0');                                                         \
        }                                                                                          \
        var = v_;                                                                                  \
    } while (0)
    size_t j = 0;
    while (j < n && isdigit(s[j]))
        j++;
    if (j == 4 && j < n && (s[j] == '-' || s[j] == '/')) {
        DIGITS(4, y);
        i++;
        DIGITS(2, mo);
        if (i >= n || (s[i] != '-' && s[i] != '/'))
            return 0;
        i++;
        DIGITS(2, d);
        if (i >= n || (s[i] != ' ' && s[i] != 'T'))
            return 0;
        i++;
        j = 2;
    }
    if (j == 2 && i + 2 < n && s[i + 2] == ':') {
        DIGITS(2, h);
        i++;
        DIGITS(2, mi);
        if (i >= n || s[i] != ':')
            return 0;
        i++;
        int ss;
        DIGITS(2, ss);
        sec = ss;
    } else if (j > 0 && i == 0) {
        /* seconds, e.g. "12.345" */
        double v = 0;
        while (i < n && isdigit(s[i]))
            v = v * 10 + (s[i++] - '0');
        if (i >= n || (s[i] != '.' && s[i] != ','))
            return 0;
        sec = v;
        h = mi = 0;
    } else {
        return 0;
    }
    int64_t frac_ns = 0;
    if (i < n && (s[i] == '.' || s[i] == ',') && i + 1 < n && isdigit(s[i + 1])) {
        i++;
        int64_t scale = 100000000;
        while (i < n && isdigit(s[i])) {
            frac_ns += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
    }
#undef DIGITS
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = 0;
    int64_t base = (int64_t)timegm(&tm);
    *out = (base + (int64_t)sec) * QFTP_NS_PER_SEC + frac_ns;
    return i;
}

/* ---- direction markers ----------------------------------------------------------------------- */

/* Recognises a direction word at s (">>", "<<", "TX", "RX", "Send", "Recv", ...) followed
 * by ':' or a space. Returns bytes used (marker and separator), 0 if none. */
static size_t parse_marker(const uint8_t *s, size_t n, qftp_dir *dir)
{
    static const struct {
        const char *w;
        qftp_dir d;
    } words[] = {{">>", QFTP_DIR_TX},      {"<<", QFTP_DIR_RX},      {"TX", QFTP_DIR_TX},
                 {"RX", QFTP_DIR_RX},      {"Send", QFTP_DIR_TX},    {"Sent", QFTP_DIR_TX},
                 {"Recv", QFTP_DIR_RX},    {"Receive", QFTP_DIR_RX}, {"Rcvd", QFTP_DIR_RX},
                 {"Received", QFTP_DIR_RX}};
    for (size_t k = sizeof words / sizeof words[0]; k-- > 0;) {
        size_t m = strlen(words[k].w);
        if (n < m || g_ascii_strncasecmp((const char *)s, words[k].w, m) != 0)
            continue;
        size_t i = m;
        bool arrow = words[k].w[0] == '>' || words[k].w[0] == '<';
        if (i < n && (s[i] == ':' || s[i] == ']'))
            i++;
        else if (!arrow && !(i < n && s[i] == ' ') && i != n)
            continue;
        if (i < n && s[i] == ' ')
            i++;
        *dir = words[k].d;
        return i;
    }
    return 0;
}

/* ---- formats
 * ------------------------------------------------------------------------------------- */

typedef struct {
    reader r;
    emitter e;
    const qftp_import_opts *o;
    char *errbuf;
} ctx;

static int line_record(ctx *c, qftp_dir dir, const uint8_t *s, size_t n, qftp_ts ts, bool have_ts)
{
    while (n && s[n - 1] == '\r')
        n--;
    if (!add_unescaped(&c->e, s, n)) {
        g_byte_array_set_size(c->e.b, 0);
        if (dir == QFTP_DIR_RX)
            add(&c->e, "\r\n", 2);
        add(&c->e, s, n);
        add(&c->e, dir == QFTP_DIR_TX ? "\r" : "\r\n", dir == QFTP_DIR_TX ? 1 : 2);
    }
    return emit_rec(&c->e, dir, ts, have_ts, c->r.line_no, c->o);
}

static int read_timestamped(ctx *c)
{
    uint8_t *s;
    size_t n;
    int rc;
    while ((rc = next_line(&c->r, &s, &n, c->errbuf)) == 1) {
        size_t i = 0;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == n || (n - i == 1 && s[i] == '\r'))
            continue;
        qftp_ts ts = 0;
        bool have = false;
        bool br = s[i] == '[';
        size_t t = parse_time(s + i + br, n - i - br, &ts);
        if (t) {
            have = true;
            i += br + t;
            if (br && i < n && s[i] == ']')
                i++;
            while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
        }
        qftp_dir dir;
        size_t m = parse_marker(s + i, n - i, &dir);
        if (m == 0) {
            if (binary_line(s, n))
                CERR("line %llu: binary data, not a text log", (unsigned long long)c->r.line_no);
            else
                CERR("line %llu: no direction marker (>> << TX: RX: Send Recv) after the time",
                     (unsigned long long)c->r.line_no);
            return -1;
        }
        if ((rc = line_record(c, dir, s + i + m, n - i - m, ts, have)) != 0)
            return rc;
    }
    return rc;
}

static int read_regex(ctx *c)
{
    GError *gerr = NULL;
    GRegex *re = g_regex_new(c->o->regex, G_REGEX_RAW | G_REGEX_OPTIMIZE, 0, &gerr);
    if (!re) {
        snprintf(c->errbuf, QFTP_ERRBUF_SIZE, "--regex: %s", gerr->message);
        g_error_free(gerr);
        return -1;
    }
    if (g_regex_get_string_number(re, "dir") < 0 || g_regex_get_string_number(re, "data") < 0) {
        snprintf(c->errbuf, QFTP_ERRBUF_SIZE,
                 "--regex needs the named groups (?<dir>...) and (?<data>...); (?<time>...) is "
                 "optional");
        g_regex_unref(re);
        return -1;
    }
    bool has_time = g_regex_get_string_number(re, "time") >= 0;
    uint8_t *s;
    size_t n;
    int rc;
    while ((rc = next_line(&c->r, &s, &n, c->errbuf)) == 1) {
        if (n == 0 || (n == 1 && s[0] == '\r'))
            continue;
        GMatchInfo *mi = NULL;
        if (!g_regex_match_full(re, (const gchar *)s, (gssize)n, 0, 0, &mi, NULL)) {
            g_match_info_free(mi);
            g_regex_unref(re);
            CERR("line %llu: does not match --regex", (unsigned long long)c->r.line_no);
            return -1;
        }
        int a, b;
        qftp_ts ts = 0;
        bool have = false;
        if (has_time && g_match_info_fetch_named_pos(mi, "time", &a, &b) && b > a)
            have = parse_time(s + a, (size_t)(b - a), &ts) > 0;
        qftp_dir dir = QFTP_DIR_RX;
        if (g_match_info_fetch_named_pos(mi, "dir", &a, &b)) {
            static const char *const host[] = {">", ">>",   "->", "tx",    "send", "sent", "out",
                                               "h", "host", "w",  "write", "dte",  "te"};
            for (size_t k = 0; k < G_N_ELEMENTS(host); k++)
                if ((size_t)(b - a) == strlen(host[k]) &&
                    g_ascii_strncasecmp((const char *)s + a, host[k], (gsize)(b - a)) == 0)
                    dir = QFTP_DIR_TX;
        }
        g_match_info_fetch_named_pos(mi, "data", &a, &b);
        g_match_info_free(mi);
        if ((rc = line_record(c, dir, s + a, (size_t)(b - a), ts, have)) != 0)
            break;
    }
    g_regex_unref(re);
    return rc;
}

static int read_interceptty(ctx *c)
{
    uint8_t *s;
    size_t n;
    int rc;
    qftp_dir cur = QFTP_DIR_TX;
    uint64_t first = 0;
    while ((rc = next_line(&c->r, &s, &n, c->errbuf)) == 1) {
        size_t i = 0;
        while (i < n && s[i] == ' ')
            i++;
        if (i == n)
            continue;
        if ((s[i] != '<' && s[i] != '>') || i + 5 > n) {
            CERR("line %llu: not an interceptty byte line (\"< 0x41 (A)\")",
                 (unsigned long long)c->r.line_no);
            return -1;
        }
        qftp_dir d = s[i] == '>' ? QFTP_DIR_TX : QFTP_DIR_RX;
        i++;
        while (i < n && s[i] == ' ')
            i++;
        if (i + 4 > n || s[i] != '0' || (s[i + 1] | 0x20) != 'x' || !g_ascii_isxdigit(s[i + 2]) ||
            !g_ascii_isxdigit(s[i + 3])) {
            CERR("line %llu: bad byte value, expected 0xHH", (unsigned long long)c->r.line_no);
            return -1;
        }
        uint8_t v = (uint8_t)(g_ascii_xdigit_value(s[i + 2]) << 4 | g_ascii_xdigit_value(s[i + 3]));
        if (c->e.b->len && d != cur)
            if ((rc = emit_rec(&c->e, cur, 0, false, first, c->o)) != 0)
                return rc;
        if (c->e.b->len == 0)
            first = c->r.line_no;
        cur = d;
        add(&c->e, &v, 1);
    }
    if (rc == 0 && c->e.b->len)
        rc = emit_rec(&c->e, cur, 0, false, first, c->o);
    return rc;
}

/* socat -v / -x: "> 2024/05/01 10:00:01.123456  length=12 from=0 to=11" then the bytes;
 * in -v text "\r" and "\\" are escaped, LF is literal, other unprintable bytes appear
 * as '.' (lossy: -x is exact). The next header may follow the data on the same line. */
static bool socat_header(const uint8_t *s, size_t n, qftp_dir *dir, qftp_ts *ts, bool *have,
                         size_t *len)
{
    if (n < 20 || (s[0] != '>' && s[0] != '<') || s[1] != ' ')
        return false;
    *dir = s[0] == '>' ? QFTP_DIR_TX : QFTP_DIR_RX;
    size_t i = 2;
    size_t t = parse_time(s + i, n - i, ts);
    *have = t > 0;
    i += t;
    const uint8_t *l =
        (const uint8_t *)g_strstr_len((const char *)s + i, (gssize)(n - i), "length=");
    if (!l)
        return false;
    *len = (size_t)strtoull((const char *)l + 7, NULL, 10);
    return true;
}

static int read_socat(ctx *c)
{
    uint8_t *s;
    size_t n;
    int rc;
    size_t remain = 0;
    bool hex = false;
    qftp_dir dir = QFTP_DIR_TX;
    qftp_ts ts = 0;
    bool have = false;
    uint64_t first = 0;
    while ((rc = next_line(&c->r, &s, &n, c->errbuf)) == 1) {
        size_t i = 0;
        while (i <= n) {
            if (remain == 0) {
                if (c->e.b->len && (rc = emit_rec(&c->e, dir, ts, have, first, c->o)) != 0)
                    return rc;
                if (i >= n)
                    break;
                if (n - i == 2 && s[i] == '-' && s[i + 1] == '-') /* -x block end */
                    break;
                size_t blen;
                if (!socat_header(s + i, n - i, &dir, &ts, &have, &blen)) {
                    CERR("line %llu: a socat header (\"> 2024/05/01 10:00:01.123456  length=12 "
                         "from=0 to=11\") was expected",
                         (unsigned long long)c->r.line_no);
                    return -1;
                }
                remain = blen;
                first = c->r.line_no;
                hex = false; /* -x blocks show " HH HH ..." on the lines that follow */
                i = n + 1;
                break;
            }
            /* data */
            if (c->e.b->len == 0 && i == 0 && n >= 3 && s[0] == ' ' && g_ascii_isxdigit(s[1]) &&
                g_ascii_isxdigit(s[2]) && (n == 3 || s[3] == ' '))
                hex = true;
            if (hex) {
                size_t k = 0;
                while (k + 2 < n + 1 && remain > 0 && s[k] == ' ' && k + 2 < n + 1 &&
                       g_ascii_isxdigit(s[k + 1]) && g_ascii_isxdigit(s[k + 2])) {
                    uint8_t v = (uint8_t)(g_ascii_xdigit_value(s[k + 1]) << 4 |
                                          g_ascii_xdigit_value(s[k + 2]));
                    add(&c->e, &v, 1);
                    remain--;
                    k += 3;
                }
                if (k == 0 || (remain > 0 && k + 1 < n && s[k] == ' ' && s[k + 1] != ' ')) {
                    CERR("line %llu: bad hex digits in a socat -x dump",
                         (unsigned long long)c->r.line_no);
                    return -1;
                }
                i = n + 1;
                break;
            }
            if (i == n) {
                /* the LF that ended this line is a data byte */
                uint8_t lf = '\n';
                add(&c->e, &lf, 1);
                remain--;
                i++;
                break;
            }
            uint8_t v = s[i];
            if (v == '\\' && i + 1 < n && (s[i + 1] == 'r' || s[i + 1] == '\\')) {
                v = s[i + 1] == 'r' ? '\r' : '\\';
                i++;
            }
            add(&c->e, &v, 1);
            remain--;
            i++;
        }
    }
    if (rc == 0 && c->e.b->len)
        rc = emit_rec(&c->e, dir, ts, have, first, c->o);
    if (rc == 0 && remain > 0) {
        CERR("line %llu: the log ends %zu bytes before the end of the last socat block",
             (unsigned long long)c->r.line_no, remain);
        return -1;
    }
    return rc;
}

/* plain: what a terminal shows; see the file comment and qftp/logimport.h. */
static bool is_at_line(const uint8_t *s, size_t n)
{
    return n >= 2 && (s[0] | 0x20) == 'a' && ((s[1] | 0x20) == 't' || s[1] == '/');
}

/* A download in a pasted log: the lines after CONNECT are held until the completion URC
 * tells where the file ended. The URC's count decides between CRLF and LF line ends (and
 * whether the last line had one), so the bytes handed on are the file's bytes again; a
 * file line that only looks like the URC or like OK stays payload. */
typedef struct {
    GByteArray *store;
    GArray *lines; /* held_line */
    qftp_dir dir;  /* download: module->host, upload: host->module */
} held_t;

typedef struct {
    size_t off, len;
    uint64_t line_no;
} held_line;

#define HELD_CAP (4u << 20)

static bool urc_count(const uint8_t *s, size_t n, const char *name, int64_t *count)
{
    size_t m = strlen(name);
    if (!name[0] || n <= m || g_ascii_strncasecmp((const char *)s, name, m) != 0 || s[m] != ':')
        return false;
    size_t i = m + 1;
    if (i < n && s[i] == ' ')
        i++;
    if (i < n && s[i] == '-') {
        *count = -1; /* GSM error form */
        return true;
    }
    int64_t a = 0, b = -1;
    size_t d = 0;
    while (i < n && isdigit(s[i]) && d++ < 15)
        a = a * 10 + (s[i++] - '0');
    if (d == 0)
        return false;
    if (i < n && s[i] == ',') {
        i++;
        b = 0;
        d = 0;
        while (i < n && isdigit(s[i]) && d++ < 15)
            b = b * 10 + (s[i++] - '0');
        if (d == 0)
            return false;
        *count = a == 0 ? b : -1; /* BG96 "<err>,<protocol_error>": ends it too */
        return true;
    }
    *count = a;
    return true;
}

static const uint8_t *held_ptr(const held_t *h, guint i, size_t *len, uint64_t *line_no)
{
    const held_line *l = &g_array_index(h->lines, held_line, i);
    *len = l->len;
    if (line_no)
        *line_no = l->line_no;
    return h->store->data + l->off;
}

static bool held_is(const held_t *h, guint i, const char *word)
{
    size_t len;
    const uint8_t *p = held_ptr(h, i, &len, NULL);
    return len == strlen(word) && memcmp(p, word, len) == 0;
}

/* Emits held[from, to) as payload with `eol` after each line (none after the last
 * when last_bare). */
static int held_data(ctx *c, held_t *h, guint from, guint to, const char *eol, bool last_bare)
{
    for (guint i = from; i < to; i++) {
        size_t len;
        uint64_t ln;
        const uint8_t *p = held_ptr(h, i, &len, &ln);
        add(&c->e, p, len);
        if (!(last_bare && i + 1 == to))
            add(&c->e, eol, strlen(eol));
        int rc = emit_rec(&c->e, h->dir, 0, false, ln, c->o);
        if (rc)
            return rc;
    }
    return 0;
}

static int held_lines(ctx *c, held_t *h, guint from, guint to)
{
    for (guint i = from; i < to; i++) {
        size_t len;
        uint64_t ln;
        const uint8_t *p = held_ptr(h, i, &len, &ln);
        uint64_t save = c->r.line_no;
        c->r.line_no = ln;
        int rc = line_record(c, QFTP_DIR_RX, p, len, 0, false);
        c->r.line_no = save;
        if (rc)
            return rc;
    }
    return 0;
}

static void held_reset(held_t *h)
{
    g_byte_array_set_size(h->store, 0);
    g_array_set_size(h->lines, 0);
}

/* The URC `count` arrived after held[0, k): the file ends before it (and before an OK
 * right before it). Returns 1 when a line-end choice gives exactly count bytes. */
static int held_try_end(ctx *c, held_t *h, int64_t count, int *rc)
{
    guint k = h->lines->len;
    guint data_end = k > 0 && held_is(h, k - 1, "OK") ? k - 1 : k;
    int64_t sum = 0;
    for (guint i = 0; i < data_end; i++)
        sum += (int64_t)g_array_index(h->lines, held_line, i).len;
    int64_t m = data_end;
    static const struct {
        const char *eol;
        bool bare;
    } ways[] = {{"\r\n", false}, {"\r\n", true}, {"\n", false}, {"\n", true}};
    for (size_t w = 0; w < 4; w++) {
        int64_t per = (int64_t)strlen(ways[w].eol);
        int64_t total = sum + per * m - (ways[w].bare && m ? per : 0);
        if (count >= 0 && total != count)
            continue;
        *rc = held_data(c, h, 0, data_end, ways[w].eol, ways[w].bare);
        if (*rc == 0)
            *rc = held_lines(c, h, data_end, k);
        held_reset(h);
        return 1;
    }
    return 0;
}

/* The module is back in command mode (a command, or the end of the log) but no count
 * matched: the last held URC-looking line ends the file, as the session would decide. */
static int held_give_up(ctx *c, held_t *h, const char *name)
{
    guint k = h->lines->len, u = k;
    for (guint i = k; i-- > 0;) {
        size_t len;
        const uint8_t *p = held_ptr(h, i, &len, NULL);
        int64_t cnt;
        if (urc_count(p, len, name, &cnt)) {
            u = i;
            break;
        }
    }
    guint data_end = u < k && u > 0 && held_is(h, u - 1, "OK") ? u - 1 : u;
    int rc = held_data(c, h, 0, data_end, "\r\n", false);
    if (rc == 0)
        rc = held_lines(c, h, data_end, k);
    held_reset(h);
    return rc;
}

static int read_plain(ctx *c)
{
    uint8_t *s;
    size_t n;
    int rc;
    qftp_data_kind last_kind = QFTP_DATA_NONE;
    char last_cmd[32] = "";
    qftp_data_kind data = QFTP_DATA_NONE; /* data mode of the log now */
    int64_t data_left = -1;               /* CONNECT <n> */
    held_t held = {g_byte_array_new(), g_array_new(FALSE, FALSE, sizeof(held_line))};
    while ((rc = next_line(&c->r, &s, &n, c->errbuf)) == 1) {
        size_t len = n;
        while (len && (s[len - 1] == '\r'))
            len--;
        size_t tl = len;
        while (tl && (s[tl - 1] == ' ' || s[tl - 1] == '\t'))
            tl--;
        if (data != QFTP_DATA_NONE && data_left < 0) {
            int64_t cnt;
            held.dir = data == QFTP_DATA_UPLOAD ? QFTP_DIR_TX : QFTP_DIR_RX;
            if (data == QFTP_DATA_UPLOAD && tl == 3 && memcmp(s, "+++", 3) == 0) {
                /* the escape ends an upload (BG96 2.5) */
                if ((rc = held_data(c, &held, 0, held.lines->len, "\r\n", false)) != 0)
                    goto out;
                held_reset(&held);
                data = QFTP_DATA_NONE;
                add(&c->e, "+++", 3);
                if ((rc = emit_rec(&c->e, QFTP_DIR_TX, 0, false, c->r.line_no, c->o)) != 0)
                    goto out;
                continue;
            }
            if (is_at_line(s, tl)) {
                if ((rc = held_give_up(c, &held, last_cmd)) != 0)
                    break;
                data = QFTP_DATA_NONE;
            } else {
                held_line hl = {held.store->len, len, c->r.line_no};
                if (urc_count(s, tl, last_cmd, &cnt) && held_try_end(c, &held, cnt, &rc)) {
                    if (rc)
                        break;
                    data = QFTP_DATA_NONE;
                    if ((rc = line_record(c, QFTP_DIR_RX, s, tl, 0, false)) != 0)
                        break;
                    continue;
                }
                g_byte_array_append(held.store, s, (guint)len);
                g_array_append_val(held.lines, hl);
                if (held.store->len > HELD_CAP) {
                    /* too long to wait for the count: what is held is payload */
                    if ((rc = held_data(c, &held, 0, held.lines->len, "\r\n", false)) != 0)
                        break;
                    held_reset(&held);
                }
                continue;
            }
        }
        if (data != QFTP_DATA_NONE) {
            bool end = false;
            if (data_left < 0) {
                if (is_at_line(s, tl) || (tl == 3 && memcmp(s, "+++", 3) == 0) ||
                    (tl == 2 && memcmp(s, "OK", 2) == 0))
                    end = true;
                else if (last_cmd[0] && tl > strlen(last_cmd) &&
                         g_ascii_strncasecmp((const char *)s, last_cmd, strlen(last_cmd)) == 0 &&
                         s[strlen(last_cmd)] == ':')
                    end = true;
            }
            if (!end) {
                qftp_dir d = data == QFTP_DATA_UPLOAD ? QFTP_DIR_TX : QFTP_DIR_RX;
                add(&c->e, s, len);
                add(&c->e, "\r\n", 2);
                if (data_left >= 0) {
                    if ((int64_t)c->e.b->len > data_left)
                        g_byte_array_set_size(c->e.b, (guint)data_left);
                    data_left -= (int64_t)c->e.b->len;
                }
                if ((rc = emit_rec(&c->e, d, 0, false, c->r.line_no, c->o)) != 0)
                    goto out;
                if (data_left == 0)
                    data = QFTP_DATA_NONE;
                continue;
            }
            data = QFTP_DATA_NONE;
            if (tl == 3 && memcmp(s, "+++", 3) == 0) {
                add(&c->e, "+++", 3);
                if ((rc = emit_rec(&c->e, QFTP_DIR_TX, 0, false, c->r.line_no, c->o)) != 0)
                    goto out;
                continue;
            }
        }
        if (tl == 0)
            continue;
        if (binary_line(s, len)) {
            CERR("line %llu: binary data, not a text log", (unsigned long long)c->r.line_no);
            return -1;
        }
        if (is_at_line(s, tl)) {
            qftp_subcmd cmds[4];
            int k = qftp_cmdline_parse((const char *)s, tl, cmds, 4, NULL, NULL);
            last_kind = QFTP_DATA_NONE;
            last_cmd[0] = '\0';
            if (k > 0) {
                const qftp_cmd_def *d = qftp_cmd_find(cmds[k - 1].name, QFTP_DIALECT_UNKNOWN, NULL);
                if (d) {
                    last_kind = d->data;
                    g_strlcpy(last_cmd, d->name, sizeof last_cmd);
                }
            }
            if ((rc = line_record(c, QFTP_DIR_TX, s, tl, 0, false)) != 0)
                goto out;
            continue;
        }
        if ((rc = line_record(c, QFTP_DIR_RX, s, tl, 0, false)) != 0)
            goto out;
        if (tl >= 7 && memcmp(s, "CONNECT", 7) == 0 && last_kind != QFTP_DATA_NONE) {
            data = last_kind;
            data_left = -1;
            if (tl > 8 && s[7] == ' ')
                data_left = strtoll((const char *)s + 8, NULL, 10);
            if (data_left == 0)
                data = QFTP_DATA_NONE;
        }
    }
    if (rc == 0 && held.lines->len)
        rc = held_give_up(c, &held, last_cmd);
out:
    g_byte_array_free(held.store, TRUE);
    g_array_free(held.lines, TRUE);
    return rc;
}

/* ---- detection and entry point -------------------------------------------------------------- */

qftp_log_format qftp_log_detect(const uint8_t *head, size_t n)
{
    int socat = 0, icty = 0, stamped = 0, lines = 0;
    size_t i = 0;
    while (i < n && lines < 40) {
        const uint8_t *e = memchr(head + i, '\n', n - i);
        size_t len = e ? (size_t)(e - (head + i)) : n - i;
        const uint8_t *s = head + i;
        i += len + 1;
        if (len == 0)
            continue;
        lines++;
        qftp_dir d;
        qftp_ts ts;
        bool have;
        size_t bl;
        if (socat_header(s, len, &d, &ts, &have, &bl) && have)
            socat++;
        else if ((s[0] == '<' || s[0] == '>') && len >= 6 &&
                 g_strstr_len((const char *)s, (gssize)len, "0x"))
            icty++;
        else {
            size_t k = 0;
            bool br = s[0] == '[';
            size_t t = parse_time(s + br, len - br, &ts);
            if (t) {
                k = t + br;
                if (br && k < len && s[k] == ']')
                    k++;
                while (k < len && (s[k] == ' ' || s[k] == '\t'))
                    k++;
            }
            if (parse_marker(s + k, len - k, &d))
                stamped++;
        }
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
    c.e.b = g_byte_array_sized_new(4096);
    if (!c.r.buf) {
        ERR("out of memory");
        g_byte_array_free(c.e.b, TRUE);
        return -1;
    }
    qftp_log_format f = opts->format;
    if (f == QFTP_FMT_AUTO && opts->regex)
        f = QFTP_FMT_REGEX;
    if (f == QFTP_FMT_AUTO) {
        c.r.end = fread(c.r.buf, 1, RBUF, in);
        f = qftp_log_detect(c.r.buf, c.r.end);
        if (c.r.end == 0)
            c.r.eof = true;
    }
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
            ERR("the regex format needs --regex");
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
    g_byte_array_free(c.e.b, TRUE);
    return rc;
}
