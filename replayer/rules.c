/* rules.c - the built-in masks and the rules file of `qftp replay` (docs/replay.md,
 * "Rules file"). One rule per line: a keyword and its arguments. Regexes are PCRE
 * (GRegex). A mask replaces what its groups matched (or the whole match when it has
 * no group) with '*' on both sides before they are compared. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qftp/redact.h"
#include "replay.h"

/* Fields that legitimately differ between two runs of the same session. `cmds` limits a
 * mask to the information responses of those commands (NULL: every response line). */
static const struct {
    const char *re;
    const char *cmds[5];
} builtin_masks[] = {
    /* the address the network gave the PDP context (BG96 manual 3.1 AT+QIACT?) */
    {"^\\+QIACT: ?\\d+,\\d+,\\d+,\"([^\"]*)\"", {NULL}},
    /* a file's modification time (manual 2.14) */
    {"^\\+QFTPMDTM: ?0,\"?(\\d+)", {NULL}},
    {"^\\+CCLK: ?\"([^\"]*)\"", {NULL}},
    {"^\\+QCCID: ?(\\S+)", {NULL}},
    /* IMEI and ICCID: the whole answer */
    {"^(?:\\+\\w+: ?)?(.+)$", {"+GSN", "+CGSN", "+QCCID", "+CCID", NULL}},
    /* firmware revision */
    {"^Revision: ?(.+)$", {"I", NULL}},
    {"^(?:\\+\\w+: ?)?(.+)$", {"+GMR", "+CGMR", "+QGMR", NULL}},
};

typedef struct {
    GRegex *re;
    const char *const *cmds;
} builtin;

static GArray *builtins; /* compiled once */

/* Regexes run in UTF-8 mode (a pattern's "é" is one character). GRegex hands PCRE2
 * patterns and subjects without a UTF-8 check, and PCRE2 reads past the end of a
 * truncated sequence (its JIT crashed on a Latin-1 listing, issue 16): no pattern that
 * is not valid UTF-8 is compiled, and no subject that is not is matched as it is.
 *
 * Such a subject is matched through a lossless view: each byte that is not part of a
 * valid sequence becomes the character U+10FF00 + byte (plane-16 private use, never in
 * a module's output), and so do the four bytes of a character already in that range,
 * so the view converts back to the same bytes. Patterns see those bytes as characters
 * they do not name: `.`, `\S`, `[^,]` match them, `\w` and `é` do not. */
#define VIEW_LEAD 0xF4
#define VIEW_SECOND 0x8F

static bool is_view_char(const uint8_t *p, size_t left)
{
    return left >= 4 && p[0] == VIEW_LEAD && p[1] == VIEW_SECOND && (p[2] == 0xBE || p[2] == 0xBF);
}

static void view_byte(GString *v, uint8_t b)
{
    g_string_append_c(v, (char)VIEW_LEAD);
    g_string_append_c(v, (char)VIEW_SECOND);
    g_string_append_c(v, (char)(b < 0xC0 ? 0xBE : 0xBF));
    g_string_append_c(v, (char)(0x80 | (b & 0x3F)));
}

/* The view of s[0..n), or NULL when s is valid UTF-8 that needs no escape. */
static GString *view_new(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    const gchar *bad = NULL;
    if (g_utf8_validate_len(s, n, &bad)) {
        const uint8_t *f = memchr(p, VIEW_LEAD, n);
        while (f && !is_view_char(f, n - (size_t)(f - p)))
            f = memchr(f + 1, VIEW_LEAD, n - (size_t)(f + 1 - p));
        if (!f)
            return NULL;
    }
    GString *v = g_string_sized_new(n + 16);
    size_t i = 0;
    while (i < n) {
        const gchar *end = NULL;
        g_utf8_validate_len(s + i, n - i, &end);
        size_t good = (size_t)(end - (s + i));
        for (size_t k = i; k < i + good;) {
            if (is_view_char(p + k, i + good - k)) {
                for (int j = 0; j < 4; j++)
                    view_byte(v, p[k + j]);
                k += 4;
            } else {
                g_string_append_c(v, s[k++]);
            }
        }
        i += good;
        if (i < n)
            view_byte(v, p[i++]);
    }
    return v;
}

/* Back to bytes, in place: every view character becomes its byte again. */
static void view_to_bytes(GString *v)
{
    uint8_t *p = (uint8_t *)v->str;
    size_t o = 0;
    for (size_t i = 0; i < v->len;) {
        if (is_view_char(p + i, v->len - i)) {
            p[o++] = (uint8_t)(0x80 | ((p[i + 2] & 1) << 6) | (p[i + 3] & 0x3F));
            i += 4;
        } else {
            p[o++] = p[i++];
        }
    }
    g_string_truncate(v, o);
}

static bool re_match(const GRegex *re, const char *s)
{
    GString *v = view_new(s, strlen(s));
    bool hit = g_regex_match(re, v ? v->str : s, 0, NULL);
    if (v)
        g_string_free(v, TRUE);
    return hit;
}

/* Anything not printable ASCII as \xHH: a message never carries the bad bytes on. */
static char *escaped(const char *s)
{
    GString *o = g_string_new(NULL);
    for (const unsigned char *p = (const unsigned char *)s; *p && o->len < 200; p++)
        if (*p >= 0x20 && *p < 0x7f)
            g_string_append_c(o, (char)*p);
        else
            g_string_append_printf(o, "\\x%02X", *p);
    return g_string_free(o, FALSE);
}

static GRegex *compile(const char *pat, char *errbuf)
{
    const gchar *bad = NULL;
    if (!g_utf8_validate(pat, -1, &bad)) {
        char *e = escaped(pat);
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "bad regex '%s': not valid UTF-8 at byte %zu", e,
                 (size_t)(bad - pat) + 1);
        g_free(e);
        return NULL;
    }
    GError *e = NULL;
    GRegex *re = g_regex_new(pat, G_REGEX_OPTIMIZE, 0, &e);
    if (!re) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "bad regex '%s': %s", pat, e->message);
        g_error_free(e);
    }
    return re;
}

rp_rules *rp_rules_new(void)
{
    if (!builtins) {
        builtins = g_array_new(FALSE, TRUE, sizeof(builtin));
        for (size_t i = 0; i < G_N_ELEMENTS(builtin_masks); i++) {
            char err[QFTP_ERRBUF_SIZE];
            builtin b = {compile(builtin_masks[i].re, err), builtin_masks[i].cmds};
            if (b.re)
                g_array_append_val(builtins, b);
        }
    }
    rp_rules *r = g_new0(rp_rules, 1);
    r->rules = g_array_new(FALSE, TRUE, sizeof(rp_rule));
    r->vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    r->secrets = g_ptr_array_new_with_free_func(g_free);
    return r;
}

void rp_rules_free(rp_rules *r)
{
    if (!r)
        return;
    for (guint i = 0; i < r->rules->len; i++) {
        rp_rule *x = &g_array_index(r->rules, rp_rule, i);
        if (x->re)
            g_regex_unref(x->re);
        if (x->sel.re)
            g_regex_unref(x->sel.re);
        if (x->sel.ranges)
            g_array_free(x->sel.ranges, TRUE);
        g_free(x->name);
        g_free(x->replacement);
    }
    g_array_free(r->rules, TRUE);
    g_hash_table_destroy(r->vars);
    g_ptr_array_free(r->secrets, TRUE);
    g_free(r);
}

int rp_steps_parse(const char *s, GArray *ranges)
{
    const char *p = s;
    if (!*p)
        return -1;
    while (*p) {
        char *end;
        errno = 0;
        unsigned long lo = strtoul(p, &end, 10), hi = lo;
        if (end == p || errno || lo == 0 || lo > 1000000)
            return -1;
        p = end;
        if (*p == '-') {
            p++;
            hi = strtoul(p, &end, 10);
            if (end == p || errno || hi < lo || hi > 1000000)
                return -1;
            p = end;
        }
        guint pair[2] = {(guint)lo, (guint)hi};
        g_array_append_vals(ranges, pair, 2);
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    return 0;
}

static int parse_selector(const char *s, rp_selector *sel, char *errbuf)
{
    memset(sel, 0, sizeof *sel);
    size_t n = strlen(s);
    if (strcmp(s, "*") == 0) {
        sel->all = true;
        return 0;
    }
    if (n >= 2 && s[0] == '/' && s[n - 1] == '/') {
        char *pat = g_strndup(s + 1, n - 2);
        sel->re = compile(pat, errbuf);
        g_free(pat);
        return sel->re ? 0 : -1;
    }
    sel->ranges = g_array_new(FALSE, FALSE, sizeof(guint));
    if (rp_steps_parse(s, sel->ranges) != 0) {
        char *e = escaped(s);
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "bad step selector '%s' (expected *, 1-5,9 or /REGEX/)",
                 e);
        g_free(e);
        g_array_free(sel->ranges, TRUE);
        sel->ranges = NULL;
        return -1;
    }
    return 0;
}

bool rp_selector_match(const rp_selector *sel, unsigned step, const char *line)
{
    if (sel->all)
        return true;
    if (sel->re)
        return line && re_match(sel->re, line);
    if (sel->ranges)
        for (guint i = 0; i + 1 < sel->ranges->len; i += 2)
            if (step >= g_array_index(sel->ranges, guint, i) &&
                step <= g_array_index(sel->ranges, guint, i + 1))
                return true;
    return false;
}

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) > 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '_')
            return false;
    return true;
}

static int parse_seconds(const char *s, qftp_ts *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || v <= 0 || v > 86400)
        return -1;
    *out = (qftp_ts)(v * 1e9);
    return 0;
}

/* Splits "SELECTOR SECONDS": the number is the last word. */
static void bad_name(const char *s, char *errbuf)
{
    char *e = escaped(s);
    snprintf(errbuf, QFTP_ERRBUF_SIZE, "bad variable name '%s'", e);
    g_free(e);
}

static int parse_sel_seconds(char *args, rp_rule *x, char *errbuf)
{
    char *sp = strrchr(args, ' ');
    if (!sp) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "expected SELECTOR SECONDS");
        return -1;
    }
    *sp = '\0';
    if (parse_seconds(g_strstrip(sp + 1), &x->limit) != 0) {
        char *e = escaped(sp + 1);
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "bad number of seconds '%s'", e);
        g_free(e);
        return -1;
    }
    return parse_selector(g_strstrip(args), &x->sel, errbuf);
}

static int parse_rule(rp_rules *r, char *line, unsigned line_no, char *errbuf)
{
    char *kw = line, *args = line;
    while (*args && *args != ' ' && *args != '\t')
        args++;
    if (*args)
        *args++ = '\0';
    args = g_strstrip(args);
    rp_rule x = {.line_no = line_no};
    if (!*args) {
        char *e = escaped(kw);
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "'%s' needs arguments", e);
        g_free(e);
        return -1;
    }
    if (strcmp(kw, "mask") == 0 || strcmp(kw, "mask-data") == 0 || strcmp(kw, "ignore-urc") == 0) {
        x.kind = kw[0] == 'i'              ? RP_RULE_IGNORE_URC
                 : strcmp(kw, "mask") == 0 ? RP_RULE_MASK
                                           : RP_RULE_MASK_DATA;
        if (!(x.re = compile(args, errbuf)))
            return -1;
    } else if (strcmp(kw, "ignore-data") == 0 || strcmp(kw, "optional") == 0 ||
               strcmp(kw, "sort-data") == 0) {
        x.kind = kw[0] == 'i'   ? RP_RULE_IGNORE_DATA
                 : kw[0] == 's' ? RP_RULE_SORT_DATA
                                : RP_RULE_OPTIONAL;
        if (parse_selector(args, &x.sel, errbuf) != 0)
            return -1;
    } else if (strcmp(kw, "capture") == 0) {
        x.kind = RP_RULE_CAPTURE;
        char *sp = strpbrk(args, " \t");
        if (!sp) {
            snprintf(errbuf, QFTP_ERRBUF_SIZE, "expected capture NAME REGEX");
            return -1;
        }
        *sp = '\0';
        if (!valid_name(args)) {
            bad_name(args, errbuf);
            return -1;
        }
        if (!(x.re = compile(g_strstrip(sp + 1), errbuf)))
            return -1;
        if (g_regex_get_capture_count(x.re) < 1) {
            snprintf(errbuf, QFTP_ERRBUF_SIZE, "the capture regex needs a (group)");
            g_regex_unref(x.re);
            return -1;
        }
        x.name = g_strdup(args);
    } else if (strcmp(kw, "rewrite") == 0) {
        x.kind = RP_RULE_REWRITE;
        char *arrow = strstr(args, " => ");
        if (!arrow) {
            snprintf(errbuf, QFTP_ERRBUF_SIZE, "expected rewrite REGEX => REPLACEMENT");
            return -1;
        }
        *arrow = '\0';
        GError *e = NULL;
        if (!g_utf8_validate(arrow + 4, -1, NULL)) {
            snprintf(errbuf, QFTP_ERRBUF_SIZE, "bad replacement: not valid UTF-8");
            return -1;
        }
        if (!g_regex_check_replacement(arrow + 4, NULL, &e)) {
            snprintf(errbuf, QFTP_ERRBUF_SIZE, "bad replacement: %s", e->message);
            g_error_free(e);
            return -1;
        }
        if (!(x.re = compile(g_strstrip(args), errbuf)))
            return -1;
        x.replacement = g_strdup(arrow + 4);
    } else if (strcmp(kw, "set") == 0) {
        char *sp = strpbrk(args, " \t");
        if (sp)
            *sp++ = '\0';
        if (!valid_name(args)) {
            bad_name(args, errbuf);
            return -1;
        }
        if (g_hash_table_size(r->vars) >= RP_VARS_CAP && !g_hash_table_contains(r->vars, args)) {
            snprintf(errbuf, QFTP_ERRBUF_SIZE, "more than %d variables", RP_VARS_CAP);
            return -1;
        }
        /* --define given before or after --rules wins over the file */
        if (!g_hash_table_contains(r->vars, args))
            g_hash_table_insert(r->vars, g_strdup(args), g_strdup(sp ? g_strstrip(sp) : ""));
        return 0;
    } else if (strcmp(kw, "timeout") == 0 || strcmp(kw, "max-time") == 0) {
        x.kind = kw[0] == 't' ? RP_RULE_TIMEOUT : RP_RULE_MAX_TIME;
        if (parse_sel_seconds(args, &x, errbuf) != 0)
            return -1;
    } else {
        char *e = escaped(kw);
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "unknown rule '%s'", e);
        g_free(e);
        return -1;
    }
    if (r->rules->len >= RP_RULES_CAP) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "more than %d rules", RP_RULES_CAP);
        return -1;
    }
    g_array_append_val(r->rules, x);
    return 0;
}

int rp_rules_load(rp_rules *r, const char *path, char *errbuf)
{
    gchar *text = NULL;
    gsize len = 0;
    GError *e = NULL;
    if (!g_file_get_contents(path, &text, &len, &e)) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot read rules %s: %s", path, e->message);
        g_error_free(e);
        return -1;
    }
    if (len > (1u << 20) || memchr(text, '\0', len)) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "rules %s: not a text file of at most 1 MiB", path);
        g_free(text);
        return -1;
    }
    char **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    int rc = 0;
    for (unsigned i = 0; lines[i]; i++) {
        char *l = g_strstrip(lines[i]);
        if (!*l || *l == '#')
            continue;
        char err[QFTP_ERRBUF_SIZE];
        if (parse_rule(r, l, i + 1, err) != 0) {
            /* FILE:LINE: as compilers say it, so editors jump to it */
            snprintf(errbuf, QFTP_ERRBUF_SIZE, "%.200s:%u: %.300s", path, i + 1, err);
            rc = -1;
            break;
        }
    }
    g_strfreev(lines);
    return rc;
}

int rp_rules_define(rp_rules *r, const char *def, char *errbuf)
{
    const char *eq = strchr(def, '=');
    char *name = eq ? g_strndup(def, (gsize)(eq - def)) : NULL;
    if (!name || !valid_name(name)) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "--define %s: expected NAME=VALUE", def);
        g_free(name);
        return -1;
    }
    if (g_hash_table_size(r->vars) >= RP_VARS_CAP && !g_hash_table_contains(r->vars, name)) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "--define %s: more than %d variables", name,
                 RP_VARS_CAP);
        g_free(name);
        return -1;
    }
    g_hash_table_replace(r->vars, name, g_strdup(eq + 1));
    return 0;
}

/* Longest first, so a secret inside another never leaves the longer one's rest. */
static gint longer_first(gconstpointer a, gconstpointer b)
{
    size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);
    return x < y ? 1 : x > y ? -1 : 0;
}

static void add_secret(rp_rules *r, const char *v)
{
    if (!v || !*v)
        return;
    for (guint i = 0; i < r->secrets->len; i++)
        if (strcmp(g_ptr_array_index(r->secrets, i), v) == 0)
            return;
    g_ptr_array_add(r->secrets, g_strdup(v));
    g_ptr_array_sort(r->secrets, longer_first);
}

int rp_rules_define_secret(rp_rules *r, const char *def, char *errbuf)
{
    const char *eq = strchr(def, '=');
    char *name = eq ? g_strndup(def, (gsize)(eq - def)) : g_strdup(def);
    const char *value = eq ? eq + 1 : g_getenv(name);
    if (!valid_name(name)) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "--secret: expected NAME=VALUE or NAME");
        g_free(name);
        return -1;
    }
    if (!value) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE,
                 "--secret %s: no environment variable %s (or give --secret %s=VALUE)", name, name,
                 name);
        g_free(name);
        return -1;
    }
    add_secret(r, value);
    g_hash_table_replace(r->vars, name, g_strdup(value));
    return 0;
}

void rp_rules_note_sent(rp_rules *r, const char *line)
{
    qftp_secret_span sp[QFTP_SECRETS_MAX];
    size_t n = qftp_secret_spans((const uint8_t *)line, strlen(line), QFTP_DIALECT_UNKNOWN, sp,
                                 QFTP_SECRETS_MAX);
    for (size_t k = 0; k < n; k++) {
        char *v = g_strndup(line + sp[k].off, sp[k].len);
        GHashTableIter it;
        gpointer name, value;
        g_hash_table_iter_init(&it, r->vars);
        while (g_hash_table_iter_next(&it, &name, &value))
            if (*(const char *)value && strstr(v, value))
                add_secret(r, value);
        g_free(v);
    }
}

char *rp_rules_scrub(const rp_rules *r, const char *s)
{
    if (!s)
        return NULL;
    GString *o = g_string_new(s);
    for (guint i = 0; i < r->secrets->len; i++) {
        const char *v = g_ptr_array_index(r->secrets, i);
        size_t m = strlen(v);
        for (char *at = strstr(o->str, v); at; at = strstr(o->str + (at - o->str) + 4, v)) {
            gssize pos = at - o->str;
            g_string_erase(o, pos, (gssize)m);
            g_string_insert(o, pos, QFTP_REDACTED);
            at = o->str + pos;
        }
    }
    return g_string_free(o, FALSE);
}

struct rp_scrubber {
    const rp_rules *r;
    GByteArray *held[2];
    GByteArray *out;
};

rp_scrubber *rp_scrubber_new(const rp_rules *r)
{
    rp_scrubber *s = g_new0(rp_scrubber, 1);
    s->r = r;
    s->held[0] = g_byte_array_new();
    s->held[1] = g_byte_array_new();
    s->out = g_byte_array_new();
    return s;
}

void rp_scrubber_free(rp_scrubber *s)
{
    if (!s)
        return;
    g_byte_array_free(s->held[0], TRUE);
    g_byte_array_free(s->held[1], TRUE);
    g_byte_array_free(s->out, TRUE);
    g_free(s);
}

/* Stars every secret in b[0, n); returns how many bytes at the end may be the start of
 * one (to hold back), unless `final`. */
static size_t star_secrets(const rp_rules *r, uint8_t *b, size_t n, bool final)
{
    size_t hold = 0;
    for (guint i = 0; i < r->secrets->len; i++) {
        const char *v = g_ptr_array_index(r->secrets, i);
        size_t m = strlen(v);
        for (size_t at = 0; at + m <= n; at++)
            if (memcmp(b + at, v, m) == 0) {
                memset(b + at, '*', m);
                at += m - 1;
            }
        for (size_t k = m - 1; !final && k > hold; k--)
            if (k <= n && memcmp(b + n - k, v, k) == 0)
                hold = k;
    }
    return hold;
}

const uint8_t *rp_scrubber_feed(rp_scrubber *s, qftp_dir dir, const uint8_t *b, size_t n,
                                size_t *out_len)
{
    GByteArray *h = s->held[dir == QFTP_DIR_RX];
    g_byte_array_set_size(s->out, 0);
    g_byte_array_append(s->out, h->data, h->len);
    g_byte_array_append(s->out, b, (guint)n);
    g_byte_array_set_size(h, 0);
    size_t hold = star_secrets(s->r, s->out->data, s->out->len, false);
    if (hold) /* (an empty array's data is NULL) */
        g_byte_array_append(h, s->out->data + s->out->len - hold, (guint)hold);
    *out_len = s->out->len - hold;
    return s->out->data;
}

const uint8_t *rp_scrubber_flush(rp_scrubber *s, qftp_dir dir, size_t *out_len)
{
    GByteArray *h = s->held[dir == QFTP_DIR_RX];
    g_byte_array_set_size(s->out, 0);
    g_byte_array_append(s->out, h->data, h->len);
    g_byte_array_set_size(h, 0);
    star_secrets(s->r, s->out->data, s->out->len, true);
    *out_len = s->out->len;
    return s->out->data;
}

/* ${NAME} -> value. Unknown names stay as written; the first is reported. NULL when the
 * result would pass RP_COMMAND_CAP bytes. */
static char *expand_vars(const rp_rules *r, const char *s, char **undefined)
{
    GString *out = g_string_new(NULL);
    const char *p = s;
    while (*p) {
        if (out->len > RP_COMMAND_CAP) {
            g_string_free(out, TRUE);
            return NULL;
        }
        const char *open = strstr(p, "${");
        const char *close = open ? strchr(open + 2, '}') : NULL;
        if (!open || !close) {
            g_string_append(out, p);
            break;
        }
        g_string_append_len(out, p, open - p);
        char *name = g_strndup(open + 2, (gsize)(close - open - 2));
        const char *v = g_hash_table_lookup(r->vars, name);
        if (v) {
            g_string_append(out, v);
        } else {
            g_string_append_len(out, open, close - open + 1);
            if (undefined && !*undefined)
                *undefined = g_strdup(name);
        }
        g_free(name);
        p = close + 1;
    }
    if (out->len > RP_COMMAND_CAP) {
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}

/* One rewrite, its output bounded: rules whose patterns match the empty string, applied
 * one after another, would otherwise multiply the line's length. */
typedef struct {
    const char *replacement;
    bool over; /* the result passed RP_COMMAND_CAP: stopped */
} rewrite_ctx;

static gboolean rewrite_one(const GMatchInfo *mi, GString *res, gpointer user)
{
    rewrite_ctx *c = user;
    char *e = g_match_info_expand_references(mi, c->replacement, NULL);
    size_t n = e ? strlen(e) : 0;
    if (res->len + n > RP_COMMAND_CAP) {
        c->over = true;
        g_free(e);
        return TRUE;
    }
    if (e)
        g_string_append_len(res, e, (gssize)n);
    g_free(e);
    return FALSE;
}

char *rp_rules_command(const rp_rules *r, unsigned step, const char *line, char **undefined)
{
    GString *view = view_new(line, strlen(line));
    char *cur = view ? g_string_free(view, FALSE) : g_strdup(line);
    *undefined = NULL;
    bool rewritten = false;
    for (guint i = 0; i < r->rules->len; i++) {
        const rp_rule *x = &g_array_index(r->rules, rp_rule, i);
        if (x->kind != RP_RULE_REWRITE || !g_regex_match(x->re, cur, 0, NULL))
            continue;
        rewrite_ctx c = {x->replacement, false};
        char *next = g_regex_replace_eval(x->re, cur, -1, 0, 0, rewrite_one, &c, NULL);
        if (c.over || (next && strlen(next) > RP_COMMAND_CAP)) {
            g_free(next);
            g_free(cur);
            return NULL;
        }
        if (next) {
            g_free(cur);
            cur = next;
            rewritten = true;
        }
    }
    (void)step;
    GString *bytes = g_string_new(cur);
    g_free(cur);
    view_to_bytes(bytes);
    cur = g_string_free(bytes, FALSE);
    if (!rewritten && !strstr(cur, "${"))
        return cur;
    char *out = expand_vars(r, cur, undefined);
    g_free(cur);
    return out;
}

/* Replaces what re matched in s (its groups, or the whole match) with '*'. */
/* Returns how many spans it masked. */
static unsigned mask_view(const GRegex *re, GString *s)
{
    GMatchInfo *mi = NULL;
    if (!g_regex_match(re, s->str, 0, &mi)) {
        g_match_info_free(mi);
        return 0;
    }
    /* Collect spans first: editing the string invalidates the match info. */
    GArray *spans = g_array_new(FALSE, FALSE, sizeof(gint));
    int guard = 0;
    while (g_match_info_matches(mi) && guard++ < 256) {
        gint groups = g_match_info_get_match_count(mi);
        for (gint g = groups > 1 ? 1 : 0; g < (groups > 1 ? groups : 1); g++) {
            gint a, b;
            if (g_match_info_fetch_pos(mi, g, &a, &b) && a >= 0 && b > a) {
                g_array_append_val(spans, a);
                g_array_append_val(spans, b);
            }
        }
        if (!g_match_info_next(mi, NULL))
            break;
    }
    g_match_info_free(mi);
    for (gint i = (gint)spans->len - 2; i >= 0; i -= 2) {
        gint a = g_array_index(spans, gint, i), b = g_array_index(spans, gint, i + 1);
        if (b <= (gint)s->len) {
            g_string_erase(s, a, b - a);
            g_string_insert_c(s, a, '*');
        }
    }
    unsigned n = spans->len / 2;
    g_array_free(spans, TRUE);
    return n;
}

/* mask_view on any bytes: through the view when they are not valid UTF-8. */
static unsigned mask_with(const GRegex *re, GString *s)
{
    GString *v = view_new(s->str, s->len);
    if (!v)
        return mask_view(re, s);
    unsigned n = mask_view(re, v);
    view_to_bytes(v);
    g_string_assign(s, v->str);
    g_string_free(v, TRUE);
    return n;
}

char *rp_rules_mask_line(const rp_rules *r, const char *command, const char *line)
{
    /* secrets first: a report never shows a password (qftp/redact.h), whatever the rules */
    char *red = qftp_redact_dup((const uint8_t *)line, strlen(line), QFTP_DIALECT_UNKNOWN, NULL);
    GString *s = g_string_new(red ? red : line);
    g_free(red);
    for (guint i = 0; i < builtins->len; i++) {
        const builtin *b = &g_array_index(builtins, builtin, i);
        if (b->cmds[0]) {
            bool hit = false;
            for (size_t k = 0; command && b->cmds[k]; k++)
                hit |= g_ascii_strcasecmp(command, b->cmds[k]) == 0;
            if (!hit)
                continue;
        }
        mask_with(b->re, s);
    }
    for (guint i = 0; i < r->rules->len; i++) {
        const rp_rule *x = &g_array_index(r->rules, rp_rule, i);
        if (x->kind == RP_RULE_MASK)
            mask_with(x->re, s);
    }
    return g_string_free(s, FALSE);
}

static gint cmp_strp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *rp_rules_mask_data(const rp_rules *r, const uint8_t *b, size_t n, bool sort, bool *masked)
{
    return rp_rules_mask_data_ex(r, b, n, sort, masked, NULL);
}

char *rp_rules_mask_data_ex(const rp_rules *r, const uint8_t *b, size_t n, bool sort, bool *masked,
                            bool *changed)
{
    unsigned spans = 0;
    *masked = sort;
    for (guint i = 0; i < r->rules->len; i++)
        if (g_array_index(r->rules, rp_rule, i).kind == RP_RULE_MASK_DATA)
            *masked = true;
    if (!*masked)
        return NULL;
    /* Data masks see the payload as text, one line at a time (a listing). */
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && b[i] != '\n')
            continue;
        if (i == n && start == n)
            break;
        GString *l = g_string_new_len((const char *)b + start, (gssize)(i - start));
        for (gsize k = 0; k < l->len; k++)
            if (l->str[k] == '\0')
                l->str[k] = '.';
        for (guint k = 0; k < r->rules->len; k++) {
            const rp_rule *x = &g_array_index(r->rules, rp_rule, k);
            if (x->kind == RP_RULE_MASK_DATA)
                spans += mask_with(x->re, l);
        }
        g_ptr_array_add(lines, g_string_free(l, FALSE));
        start = i + 1;
    }
    /* a listing's order is the server's directory order, not the module's doing */
    if (sort)
        g_ptr_array_sort(lines, cmp_strp);
    GString *out = g_string_sized_new(n);
    for (guint i = 0; i < lines->len; i++) {
        g_string_append(out, g_ptr_array_index(lines, i));
        g_string_append_c(out, '\n');
    }
    g_ptr_array_free(lines, TRUE);
    if (changed)
        *changed = sort || spans > 0;
    return g_string_free(out, FALSE);
}

bool rp_rules_ignored_urc(const rp_rules *r, const char *line)
{
    for (guint i = 0; i < r->rules->len; i++) {
        const rp_rule *x = &g_array_index(r->rules, rp_rule, i);
        if (x->kind == RP_RULE_IGNORE_URC && re_match(x->re, line))
            return true;
    }
    return false;
}

bool rp_rules_has(const rp_rules *r, rp_rule_kind k, unsigned step, const char *line)
{
    for (guint i = 0; i < r->rules->len; i++) {
        const rp_rule *x = &g_array_index(r->rules, rp_rule, i);
        if (x->kind == k && rp_selector_match(&x->sel, step, line))
            return true;
    }
    return false;
}

qftp_ts rp_rules_limit(const rp_rules *r, rp_rule_kind k, unsigned step, const char *line)
{
    qftp_ts v = 0;
    for (guint i = 0; i < r->rules->len; i++) {
        const rp_rule *x = &g_array_index(r->rules, rp_rule, i);
        if (x->kind == k && rp_selector_match(&x->sel, step, line))
            v = x->limit; /* the last matching rule wins */
    }
    return v;
}

void rp_rules_capture(rp_rules *r, const char *line)
{
    for (guint i = 0; i < r->rules->len; i++) {
        const rp_rule *x = &g_array_index(r->rules, rp_rule, i);
        if (x->kind != RP_RULE_CAPTURE)
            continue;
        GString *view = view_new(line, strlen(line));
        GMatchInfo *mi = NULL;
        if (g_regex_match(x->re, view ? view->str : line, 0, &mi)) {
            char *v = g_match_info_fetch(mi, 1);
            if (v) {
                GString *bytes = g_string_new(v);
                g_free(v);
                view_to_bytes(bytes);
                g_hash_table_replace(r->vars, g_strdup(x->name), g_string_free(bytes, FALSE));
            }
        }
        g_match_info_free(mi);
        if (view)
            g_string_free(view, TRUE);
    }
}
