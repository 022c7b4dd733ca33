/* cmdline.c - splitting command lines into commands and parameters, and response lines
 * into name and fields (qftp/tables.h).
 *
 * Syntax is ITU-T V.250 5.2-5.4 as Quectel modules accept it: basic commands
 * ([&]letter + digits, S<n>=/?, D + rest of line) may follow each other directly;
 * extended commands (+NAME...) end at ';' outside quotes. Everything here only reads
 * the caller's bytes within the given length; spans point into them. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "qftp/tables.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static qftp_span trim(const char *p, size_t n)
{
    while (n && is_space(*p)) {
        p++;
        n--;
    }
    while (n && is_space(p[n - 1]))
        n--;
    return (qftp_span){p, n};
}

/* A '"' that opens or closes a string (not one escaped as \"). */
static bool is_quote(const char *p, size_t i)
{
    return p[i] == '"' && (i == 0 || p[i - 1] != '\\');
}

/* Splits "a,\"b,c\",d" on commas outside quotes into trimmed fields (empty ones kept);
 * with `lists`, also not inside "(0,1)" (the ranges of test responses). Returns the
 * number of fields; *more is set when there were more than max. */
static size_t split_fields(const char *p, size_t n, qftp_span *out, size_t max, bool lists,
                           bool *more)
{
    size_t k = 0, start = 0;
    bool q = false;
    int depth = 0;
    *more = false;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && is_quote(p, i))
            q = !q;
        else if (i < n && lists && !q && p[i] == '(')
            depth++;
        else if (i < n && lists && !q && p[i] == ')' && depth > 0)
            depth--;
        if (i == n || (p[i] == ',' && !q && depth == 0)) {
            if (k == max) {
                *more = true;
                return k;
            }
            out[k++] = trim(p + start, i - start);
            start = i + 1;
        }
    }
    return k;
}

static void set_name(qftp_subcmd *c, const char *p, size_t n)
{
    if (n >= sizeof c->name)
        n = sizeof c->name - 1;
    for (size_t i = 0; i < n; i++)
        c->name[i] = (char)toupper((unsigned char)p[i]);
    c->name[n] = '\0';
}

/* The form and parameters after a command name: "" execute, "=?" test, "?" read,
 * "=..." write; anything else (the "0" of ATE0) is the value of a basic command. */
static void parse_tail(qftp_subcmd *c, const char *p, size_t n)
{
    qftp_span t = trim(p, n);
    if (t.len == 0) {
        c->type = QFTP_TYPE_EXEC;
    } else if (t.p[0] == '=') {
        qftp_span rest = trim(t.p + 1, t.len - 1);
        if (rest.len == 1 && rest.p[0] == '?') {
            c->type = QFTP_TYPE_TEST;
        } else {
            c->type = QFTP_TYPE_WRITE; /* "AT+X=" has no parameter; "AT+X=," has two */
            if (rest.len > 0)
                c->n_params = split_fields(rest.p, rest.len, c->params, QFTP_MAX_PARAMS, false,
                                           &c->too_many_params);
        }
    } else if (t.len == 1 && t.p[0] == '?') {
        c->type = QFTP_TYPE_READ;
    } else {
        c->type = QFTP_TYPE_WRITE;
        c->params[0] = t;
        c->n_params = 1;
    }
}

static bool is_extended_prefix(char c)
{
    /* '+' (3GPP, Quectel) and the prefixes other vendors use for their own commands */
    return c == '+' || c == '$' || c == '^' || c == '%' || c == '*' || c == '#';
}

/* Parses one command at p (not a space, not ';'); returns where the next one starts. */
static const char *parse_one(qftp_subcmd *c, const char *p, const char *end)
{
    const char *s = p;
    if (is_extended_prefix(*p)) {
        /* name up to '=', '?', ';' or a space; the rest up to ';' outside quotes */
        const char *q = p + 1;
        while (q < end && *q != '=' && *q != '?' && *q != ';' && !is_space(*q))
            q++;
        set_name(c, p, (size_t)(q - p));
        size_t i = (size_t)(q - s), n = (size_t)(end - s);
        bool quoted = false;
        for (; i < n && (quoted || s[i] != ';'); i++)
            if (is_quote(s, i))
                quoted = !quoted;
        parse_tail(c, q, (size_t)(s + i - q));
        p = s + i;
    } else if (toupper((unsigned char)*p) == 'D') {
        /* ATD<dial string>: the rest of the line, ';' included (V.250 6.3.1) */
        set_name(c, p, 1);
        c->type = QFTP_TYPE_WRITE;
        c->params[0] = trim(p + 1, (size_t)(end - p - 1));
        c->n_params = c->params[0].len ? 1 : 0;
        p = end;
    } else if (toupper((unsigned char)*p) == 'S' && p + 1 < end && isdigit((unsigned char)p[1])) {
        /* ATS<n>=<value>, ATS<n>?, ATS<n>=? */
        const char *q = p + 1;
        while (q < end && isdigit((unsigned char)*q))
            q++;
        set_name(c, p, (size_t)(q - p));
        const char *r = q;
        if (r < end && *r == '?') {
            r++;
        } else if (r < end && *r == '=') {
            r++;
            if (r < end && *r == '?')
                r++;
            else
                while (r < end && isdigit((unsigned char)*r))
                    r++;
        }
        parse_tail(c, q, (size_t)(r - q));
        p = r;
    } else {
        /* basic: [&]letter then its value (ATE0V1, AT&D1, ATI, ATO, ATE?, ATE=?) */
        const char *q = p;
        if (*q == '&' && q + 1 < end)
            q++;
        q++;
        set_name(c, p, (size_t)(q - p));
        const char *r = q;
        if (r < end && *r == '?') {
            r++;
        } else if (r + 1 < end && r[0] == '=' && r[1] == '?') {
            r += 2;
        } else {
            if (r < end && *r == '=')
                r++;
            while (r < end && isdigit((unsigned char)*r))
                r++;
        }
        parse_tail(c, q, (size_t)(r - q));
        p = r;
    }
    c->text = trim(s, (size_t)(p - s));
    return p;
}

int qftp_cmdline_parse(const char *line, size_t len, qftp_subcmd *out, size_t max, bool *truncated,
                       char *errbuf)
{
    if (truncated)
        *truncated = false;
    if (out == NULL)
        max = 0;
    qftp_span l = line ? trim(line, len) : (qftp_span){"", 0};
    if (l.len < 2 || toupper((unsigned char)l.p[0]) != 'A' ||
        toupper((unsigned char)l.p[1]) != 'T') {
        if (errbuf)
            snprintf(errbuf, QFTP_ERRBUF_SIZE, "not a command line: it does not start with AT");
        return -1;
    }
    const char *p = l.p + 2;
    const char *end = l.p + l.len;
    size_t k = 0;
    bool any = false;
    while (p < end) {
        while (p < end && (is_space(*p) || *p == ';'))
            p++;
        if (p >= end)
            break;
        any = true;
        if (k == max) {
            if (truncated)
                *truncated = true;
            break;
        }
        memset(&out[k], 0, sizeof out[k]);
        p = parse_one(&out[k], p, end);
        k++;
    }
    if (!any) {
        /* "AT" alone (also "AT;"): one command named "" of type execute */
        if (max == 0) {
            if (truncated)
                *truncated = true;
            return 0;
        }
        memset(&out[0], 0, sizeof out[0]);
        out[0].text = (qftp_span){l.p + 2, 0};
        out[0].type = QFTP_TYPE_EXEC;
        return 1;
    }
    return (int)k;
}

size_t qftp_param_unquote(qftp_span v, char *out, size_t cap)
{
    qftp_span t = v.p ? trim(v.p, v.len) : (qftp_span){"", 0};
    const char *p = t.p;
    size_t n = t.len;
    if (n >= 2 && p[0] == '"' && p[n - 1] == '"' && !(n >= 3 && p[n - 2] == '\\')) {
        p++;
        n -= 2;
    } else if (n >= 1 && p[0] == '"') {
        p++; /* an unterminated string: everything after the quote */
        n--;
    }
    /* runs without a backslash copied whole; \" stands for " */
    size_t w = 0, total = 0, i = 0;
    while (i < n) {
        const char *bs = memchr(p + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - (p + i)) : n - i;
        if (out && w + 1 < cap) {
            size_t k = run < cap - 1 - w ? run : cap - 1 - w;
            memcpy(out + w, p + i, k);
            w += k;
        }
        total += run;
        i += run;
        if (i < n) { /* a backslash */
            char c = p[i];
            if (i + 1 < n && p[i + 1] == '"')
                c = p[++i];
            if (out && w + 1 < cap)
                out[w++] = c;
            total++;
            i++;
        }
    }
    if (out && cap)
        out[w] = '\0';
    return total;
}

bool qftp_param_is_quoted(qftp_span v)
{
    qftp_span t = v.p ? trim(v.p, v.len) : (qftp_span){"", 0};
    return t.len >= 1 && t.p[0] == '"';
}

/* Only digits after an optional sign: a number as most parameters and fields hold it. */
static bool bare_number(qftp_span v)
{
    size_t i = v.len > 0 && (v.p[0] == '-' || v.p[0] == '+');
    if (i == v.len)
        return false;
    for (; i < v.len; i++)
        if (!isdigit((unsigned char)v.p[i]))
            return false;
    return true;
}

bool qftp_param_int(qftp_span v, int64_t *out)
{
    /* a bare number (the common case) is read in place; quotes, escapes and spaces come
     * off a copy first */
    char buf[32];
    qftp_span t = v;
    if (!bare_number(v)) {
        size_t n = qftp_param_unquote(v, buf, sizeof buf);
        if (n == 0 || n >= sizeof buf)
            return false;
        t = trim(buf, n);
    }
    size_t i = 0;
    bool neg = false;
    if (i < t.len && (t.p[i] == '-' || t.p[i] == '+')) {
        neg = t.p[i] == '-';
        i++;
    }
    if (i == t.len)
        return false;
    int64_t x = 0;
    for (; i < t.len; i++) {
        if (!isdigit((unsigned char)t.p[i]))
            return false;
        int d = t.p[i] - '0';
        if (x > (INT64_MAX - d) / 10)
            return false;
        x = x * 10 + d;
    }
    if (out)
        *out = neg ? -x : x;
    return true;
}

bool qftp_resp_parse(const char *line, size_t len, qftp_resp *out)
{
    if (out == NULL)
        return false;
    memset(out, 0, sizeof *out);
    if (line == NULL)
        return false;
    qftp_span l = trim(line, len);
    if (l.len < 2 || l.p[0] != '+')
        return false;
    size_t i = 1;
    while (i < l.len && l.p[i] != ':' && !is_space(l.p[i]) && l.p[i] != ',' && l.p[i] != '"')
        i++;
    size_t name_end = i;
    while (i < l.len && (l.p[i] == ' ' || l.p[i] == '\t'))
        i++; /* "+QFTPOPEN : 0" as the GSM manual prints its test responses */
    if (i >= l.len || l.p[i] != ':' || name_end == 1)
        return false;
    size_t nl = name_end < sizeof out->name - 1 ? name_end : sizeof out->name - 1;
    for (size_t k = 0; k < nl; k++)
        out->name[k] = (char)toupper((unsigned char)l.p[k]);
    out->name[nl] = '\0';
    i++;
    out->space_after_colon = i < l.len && is_space(l.p[i]);
    qftp_span rest = trim(l.p + i, l.len - i);
    if (rest.len == 0)
        return true;
    bool more;
    out->n_fields = split_fields(rest.p, rest.len, out->fields, QFTP_MAX_PARAMS, true, &more);
    return true;
}
