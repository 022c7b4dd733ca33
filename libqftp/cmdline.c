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

/* The bytes the splitting stops at, by class: one table lookup per byte. */
enum {
    C_SPACE = 1,      /* ' ' '\t' '\r' '\n' */
    C_QUOTE = 2,      /* '"' */
    C_COMMA = 4,      /* ',' */
    C_SEMI = 8,       /* ';' */
    C_PAREN = 16,     /* '(' ')' */
    C_CMD_NAME = 32,  /* ends an extended command's name: '=' '?' ';' and spaces */
    C_RESP_NAME = 64, /* ends a response's name: ':' ',' '"' and spaces */
};

static const unsigned char byte_class[256] = {
    [' '] = C_SPACE | C_CMD_NAME | C_RESP_NAME,
    ['\t'] = C_SPACE | C_CMD_NAME | C_RESP_NAME,
    ['\r'] = C_SPACE | C_CMD_NAME | C_RESP_NAME,
    ['\n'] = C_SPACE | C_CMD_NAME | C_RESP_NAME,
    ['"'] = C_QUOTE | C_RESP_NAME,
    [','] = C_COMMA | C_RESP_NAME,
    [';'] = C_SEMI | C_CMD_NAME,
    ['('] = C_PAREN,
    [')'] = C_PAREN,
    ['='] = C_CMD_NAME,
    ['?'] = C_CMD_NAME,
    [':'] = C_RESP_NAME,
};

static bool in_class(char c, unsigned cls)
{
    return (byte_class[(unsigned char)c] & cls) != 0;
}

static bool is_space(char c)
{
    return in_class(c, C_SPACE);
}

static inline qftp_span trim(const char *p, size_t n)
{
    while (n && is_space(*p)) {
        p++;
        n--;
    }
    while (n && is_space(p[n - 1]))
        n--;
    return (qftp_span){p, n};
}

/* Past the string whose opening quote is at p: its closing quote is the first '"' not
 * escaped as \" (end if there is none). */
static const char *skip_string(const char *p, const char *end)
{
    for (p++;; p++) {
        p = memchr(p, '"', (size_t)(end - p));
        if (!p)
            return end;
        if (p[-1] != '\\')
            return p + 1;
    }
}

/* Splits "a,\"b,c\",d" on commas outside quotes into trimmed fields (empty ones kept);
 * with `lists`, also not inside "(0,1)" (the ranges of test responses). Returns the
 * number of fields; *more is set when there were more than max. A '"' escaped as \"
 * neither opens nor closes a string. Inline: a response's fields cost no call. */
static inline __attribute__((always_inline)) size_t
split_fields(const char *p, size_t n, qftp_span *out, size_t max, bool lists, bool *more)
{
    unsigned stops = C_QUOTE | C_COMMA | (lists ? C_PAREN : 0);
    const char *end = p + n, *start = p, *s = p;
    size_t k = 0;
    int depth = 0;
    *more = false;
    for (;;) {
        while (s < end && !in_class(*s, stops))
            s++;
        if (s < end && *s != ',') {
            if (*s == '"')
                s = s > p && s[-1] == '\\' ? s + 1 : skip_string(s, end);
            else if (*s++ == '(')
                depth++;
            else if (depth > 0)
                depth--;
            continue;
        }
        if (s < end && depth > 0) {
            s++;
            continue;
        }
        /* a field ends at a comma outside quotes and lists, and at the end */
        if (k == max) {
            *more = true;
            return k;
        }
        out[k++] = trim(start, (size_t)(s - start));
        if (s == end)
            return k;
        start = ++s;
    }
}

/* A name being copied: upper case, zero-padded to the 32 bytes of qftp_subcmd's and
 * qftp_resp's name (so that it can be looked up a word at a time), cut to 31 bytes. Built
 * in a local buffer: stores to it cannot change the toupper table, which a loop writing
 * to the caller's bytes has to load again for every byte. */
typedef struct {
    char c[32];
} name_buf;
_Static_assert(sizeof(name_buf) == sizeof(((qftp_subcmd *)0)->name) &&
                   sizeof(name_buf) == sizeof(((qftp_resp *)0)->name),
               "a name_buf is copied whole into a name");

/* Copies the n bytes at p upper case into name (cut to what fits). */
static void set_name(char *name, const char *p, size_t n)
{
    name_buf b = {{0}};
    if (n >= sizeof b.c)
        n = sizeof b.c - 1;
    for (size_t i = 0; i < n; i++)
        b.c[i] = (char)toupper((unsigned char)p[i]);
    memcpy(name, b.c, sizeof b.c);
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The high bit of each of the eight bytes of w (the first in the low bits) that is not from
 * '@' to DEL or is one of 'a'..'z'; the bytes before the first such one are the name's as
 * they are (no such byte ends a name, and toupper leaves it alone). A byte above the first
 * marked one may be misread (a carry from it). */
static inline uint64_t name_stop_bits(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = ones << 7;
    uint64_t outside = w | ~(w << 1); /* bit 7 set, or bit 6 clear */
    uint64_t lower = (w + ones * (0x80 - 'a')) & ~(w + ones * (0x80 - 'z' - 1));
    return (outside | lower) & highs;
}
#endif

/* Copies the name at p into name as set_name does: p[0] whatever it is, then up to the
 * first byte of class `stop`. Returns the name's end (past what was cut). Inline: each
 * caller's `stop` is a constant its loop tests directly. */
static inline __attribute__((always_inline)) const char *take_name(char *name, const char *p,
                                                                   const char *end, unsigned stop)
{
    name_buf b = {{0}};
    size_t n = (size_t)(end - p), cut = n < sizeof b.c ? n : sizeof b.c - 1, i = 1;
    b.c[0] = (char)toupper((unsigned char)p[0]);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* the usual name (upper-case letters) eight bytes a step, before the cut (i + 8 <= 31),
     * a short rest read as the last eight bytes before end, shifted down (zeros past end) */
    while (n >= 8) { /* (i < cut and i + 8 < 32 hold at the first step: cut >= n >= 8) */
        uint64_t w;
        if (i + 8 <= n) {
            memcpy(&w, p + i, 8);
        } else {
            memcpy(&w, end - 8, 8);
            w >>= 8 * (i + 8 - n);
        }
        uint64_t m = name_stop_bits(w);
        w &= ((m & (0 - m)) >> 7) - 1; /* the bytes before the first marked one */
        memcpy(b.c + i, &w, 8);
        if (m) {
            i += (size_t)__builtin_ctzll(m) / 8;
            if (i == n || in_class(p[i], stop))
                goto done; /* (the usual end: '=', ':' or the line's) */
            break;
        }
        i += 8;
        if (i >= cut || i + 8 >= sizeof b.c)
            break;
    }
#endif
    for (; i < cut && !in_class(p[i], stop); i++)
        b.c[i] = (char)toupper((unsigned char)p[i]);
    while (i < n && !in_class(p[i], stop))
        i++; /* a name too long: the rest is cut */
done:
    memcpy(name, b.c, sizeof b.c);
    return p + i;
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

/* Where an extended command ends: at the first ';' outside quotes from p (past the
 * command's first byte), or at end. */
static const char *command_end(const char *p, const char *end)
{
    bool quoted = false;
    for (; p < end; p++) {
        if (!in_class(*p, C_QUOTE | C_SEMI))
            continue;
        if (*p == '"') {
            if (p[-1] != '\\')
                quoted = !quoted;
        } else if (!quoted) {
            break;
        }
    }
    return p;
}

/* The write or test form of an extended command, p just after its '=': the parameters
 * are split in the same pass that finds the ';' ending the command. Returns that end. */
static const char *split_params(qftp_subcmd *c, const char *p, const char *end)
{
    const char *start = p;
    size_t k = 0;
    for (;;) {
        while (p < end && !in_class(*p, C_QUOTE | C_COMMA | C_SEMI))
            p++;
        if (p < end && *p == '"') {
            /* p[-1] is the '=' at the latest */
            p = p[-1] == '\\' ? p + 1 : skip_string(p, end);
            continue;
        }
        /* a ',' or ';' outside quotes, or the end */
        bool last = p == end || *p == ';';
        const char *e = p;
        while (last && e > start && is_space(e[-1]))
            e--; /* the command's trailing spaces: an empty last field starts before them */
        if (k < QFTP_MAX_PARAMS)
            c->params[k++] = trim(start, (size_t)(e - start));
        else
            c->too_many_params = true; /* the rest are not split */
        if (last)
            break;
        start = ++p;
    }
    c->type = QFTP_TYPE_WRITE;
    qftp_span only = c->params[0];
    if (k == 1 && (only.len == 0 || (only.len == 1 && only.p[0] == '?'))) {
        /* "AT+X=" has no parameter ("AT+X=," has two); "AT+X=?" is the test form */
        if (only.len)
            c->type = QFTP_TYPE_TEST;
        c->params[0] = (qftp_span){NULL, 0};
        k = 0;
    }
    c->n_params = k;
    return p;
}

/* Parses one command at p (not a space, not ';'); returns where the next one starts. */
static const char *parse_one(qftp_subcmd *c, const char *p, const char *end)
{
    const char *s = p;
    if (is_extended_prefix(*p)) {
        /* name up to '=', '?', ';' or a space; the rest up to ';' outside quotes */
        const char *q = take_name(c->name, p, end, C_CMD_NAME);
        const char *r = q;
        while (r < end && is_space(*r))
            r++;
        if (r < end && *r == '=') {
            p = split_params(c, r + 1, end);
        } else {
            p = command_end(q, end);
            parse_tail(c, q, (size_t)(p - q));
        }
    } else if (toupper((unsigned char)*p) == 'D') {
        /* ATD<dial string>: the rest of the line, ';' included (V.250 6.3.1) */
        set_name(c->name, p, 1);
        c->type = QFTP_TYPE_WRITE;
        c->params[0] = trim(p + 1, (size_t)(end - p - 1));
        c->n_params = c->params[0].len ? 1 : 0;
        p = end;
    } else if (toupper((unsigned char)*p) == 'S' && p + 1 < end && isdigit((unsigned char)p[1])) {
        /* ATS<n>=<value>, ATS<n>?, ATS<n>=? */
        const char *q = p + 1;
        while (q < end && isdigit((unsigned char)*q))
            q++;
        set_name(c->name, p, (size_t)(q - p));
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
        set_name(c->name, p, (size_t)(q - p));
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
        /* (not the whole struct: only the parameters up to n_params are set, and the
         * first is empty when there is none) */
        out[k].n_params = 0;
        out[k].too_many_params = false;
        out[k].params[0] = (qftp_span){NULL, 0};
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
    if (v.p == NULL)
        return false;
    size_t i = 0;
    while (i < v.len && is_space(v.p[i]))
        i++;
    return i < v.len && v.p[i] == '"';
}

/* The value of an optional sign and decimal digits filling all of p[0..n); false for
 * anything else and for a value outside int64_t. */
static bool read_int(const char *p, size_t n, int64_t *out)
{
    size_t i = n > 0 && (p[0] == '-' || p[0] == '+');
    if (i == n)
        return false;
    int64_t x = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)((unsigned char)p[i] - '0');
        if (d > 9)
            return false;
        /* (the division only where the value comes near the limit) */
        if (x >= INT64_MAX / 10 && x > (INT64_MAX - (int64_t)d) / 10)
            return false;
        x = x * 10 + (int64_t)d;
    }
    if (out)
        *out = p[0] == '-' ? -x : x;
    return true;
}

bool qftp_param_int(qftp_span v, int64_t *out)
{
    /* a bare number (the common case) is read in place; quotes, escapes and spaces come
     * off a copy first */
    if (read_int(v.p, v.len, out))
        return true;
    char buf[32];
    size_t n = qftp_param_unquote(v, buf, sizeof buf);
    if (n == 0 || n >= sizeof buf)
        return false;
    qftp_span t = trim(buf, n);
    return read_int(t.p, t.len, out);
}

bool qftp_resp_parse(const char *line, size_t len, qftp_resp *out)
{
    if (out == NULL)
        return false;
    /* (not the whole struct: only the fields up to n_fields are set, and the first is
     * empty when there is none) */
    memset(out->name, 0, sizeof out->name);
    out->n_fields = 0;
    out->space_after_colon = false;
    out->fields[0] = (qftp_span){NULL, 0};
    if (line == NULL)
        return false;
    qftp_span l = trim(line, len);
    if (l.len < 2 || l.p[0] != '+')
        return false;
    const char *end = l.p + l.len;
    const char *ne = take_name(out->name, l.p, end, C_RESP_NAME), *p = ne;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++; /* "+QFTPOPEN : 0" as the GSM manual prints its test responses */
    if (p == end || *p != ':' || ne == l.p + 1) {
        memset(out->name, 0, sizeof out->name); /* not a response: no name */
        return false;
    }
    p++;
    out->space_after_colon = p < end && is_space(*p);
    while (p < end && is_space(*p))
        p++; /* (the line's end is trimmed already) */
    if (p == end)
        return true;
    bool more;
    out->n_fields = split_fields(p, (size_t)(end - p), out->fields, QFTP_MAX_PARAMS, true, &more);
    return true;
}
