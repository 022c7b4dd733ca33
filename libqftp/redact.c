/* redact.c - the one rule for secrets (qftp/redact.h): the tables say which parameters
 * are secret, this file finds them in command lines, echoes and read-backs, and in a
 * byte stream cut anywhere. */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "qftp/redact.h"
#include "qftp/tables.h"

/* ---- one line ------------------------------------------------------------------------- */

static bool has_secret(const qftp_cmd_def *def)
{
    for (size_t i = 0; i < def->n_params; i++)
        if (def->params[i].secret)
            return true;
    return false;
}

/* The rows a command (or read-back) of `count` values may be decoded with: the dialect's
 * own; when it is unknown, each dialect's row the values fit (not more of them than it
 * has parameters), or both rows when neither fits. */
static size_t rows_for(const char *name, qftp_dialect d, const char *key, size_t count,
                       const qftp_cmd_def *rows[2])
{
    size_t n = 0;
    if (d != QFTP_DIALECT_UNKNOWN) {
        /* the dialect's own row; the other's too when its own has no secret (a session
         * taken for the wrong dialect must not show a password) */
        rows[n] = qftp_cmd_find(name, d, key);
        if (rows[n] && has_secret(rows[n]))
            return 1;
        n += rows[n] != NULL;
        qftp_dialect o = d == QFTP_DIALECT_GSM ? QFTP_DIALECT_BG96 : QFTP_DIALECT_GSM;
        const qftp_cmd_def *x = qftp_cmd_find(name, o, key);
        if (x && x != rows[0] && count <= x->n_params && has_secret(x))
            rows[n++] = x;
        return n;
    }
    const qftp_cmd_def *g = qftp_cmd_find(name, QFTP_DIALECT_GSM, key);
    const qftp_cmd_def *b = qftp_cmd_find(name, QFTP_DIALECT_BG96, key);
    if (b == g)
        b = NULL;
    bool g_fits = g && count <= g->n_params, b_fits = b && count <= b->n_params;
    if (g && (g_fits || !b_fits))
        rows[n++] = g;
    if (b && (b_fits || !g_fits))
        rows[n++] = b;
    return n;
}

/* Adds the value of one field (quotes and spaces off) as a span, in line order. */
static void add_span(const uint8_t *line, qftp_span v, qftp_secret_span *out, size_t max, size_t *n)
{
    const char *p = v.p;
    size_t len = v.len;
    if (len >= 1 && p[0] == '"') {
        p++;
        len--;
        if (len && p[len - 1] == '"')
            len--;
    }
    if (len == 0 || *n >= max)
        return;
    size_t off = (size_t)((const uint8_t *)p - line);
    for (size_t i = 0; i < *n; i++)
        if (out[i].off == off)
            return; /* both dialects' rows named it */
    size_t at = *n;
    while (at > 0 && out[at - 1].off > off) {
        out[at] = out[at - 1];
        at--;
    }
    out[at] = (qftp_secret_span){off, len};
    (*n)++;
}

static void key_of(qftp_span v, char *key, size_t cap)
{
    qftp_param_unquote(v, key, cap);
}

static size_t command_spans(const uint8_t *line, size_t len, qftp_dialect d, qftp_secret_span *out,
                            size_t max)
{
    qftp_subcmd cmds[QFTP_MAX_SUBCMDS];
    bool truncated = false;
    char err[QFTP_ERRBUF_SIZE];
    int nc = qftp_cmdline_parse((const char *)line, len, cmds, QFTP_MAX_SUBCMDS, &truncated, err);
    size_t n = 0;
    for (int c = 0; c < nc; c++) {
        const qftp_subcmd *sc = &cmds[c];
        if (sc->type != QFTP_TYPE_WRITE || sc->n_params == 0)
            continue;
        char key[64];
        key_of(sc->params[0], key, sizeof key);
        const qftp_cmd_def *rows[2];
        size_t nr = rows_for(sc->name, d, key, sc->n_params, rows);
        for (size_t r = 0; r < nr; r++)
            for (size_t i = 0; i < sc->n_params && i < rows[r]->n_params; i++)
                if (rows[r]->params[i].secret)
                    add_span(line, sc->params[i], out, max, &n);
    }
    return n;
}

/* A read-back lists the write parameters, keyed ones with their key; one that lists one
 * field fewer leaves out the first parameter, the ID the query named (+QICSGP). */
static size_t readback_spans(const uint8_t *line, size_t len, qftp_dialect d, qftp_secret_span *out,
                             size_t max)
{
    qftp_resp rs;
    if (!qftp_resp_parse((const char *)line, len, &rs) || rs.n_fields == 0)
        return 0;
    char key[64];
    key_of(rs.fields[0], key, sizeof key);
    const qftp_cmd_def *rows[2];
    size_t nr = rows_for(rs.name, d, key, rs.n_fields, rows), n = 0;
    for (size_t r = 0; r < nr; r++) {
        const qftp_cmd_def *def = rows[r];
        size_t shift = !def->key && rs.n_fields + 1 == def->n_params ? 1 : 0;
        for (size_t f = 0; f < rs.n_fields && f + shift < def->n_params; f++)
            if (def->params[f + shift].secret)
                add_span(line, rs.fields[f], out, max, &n);
    }
    return n;
}

static bool starts_at(const uint8_t *s, size_t n)
{
    return n >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'T' || s[1] == 't');
}

size_t qftp_secret_spans(const uint8_t *line, size_t len, qftp_dialect dialect,
                         qftp_secret_span *out, size_t max)
{
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n'))
        i++;
    if (starts_at(line + i, len - i)) {
        size_t n = command_spans(line + i, len - i, dialect, out, max);
        for (size_t k = 0; k < n; k++)
            out[k].off += i;
        return n;
    }
    if (i < len && line[i] == '+')
        return readback_spans(line, len, dialect, out, max);
    return 0;
}

char *qftp_redact_dup(const uint8_t *line, size_t len, qftp_dialect dialect, size_t *out_len)
{
    qftp_secret_span sp[QFTP_SECRETS_MAX];
    size_t n = qftp_secret_spans(line, len, dialect, sp, QFTP_SECRETS_MAX);
    if (n == 0)
        return NULL;
    GString *o = g_string_sized_new(len + 4 * n);
    size_t at = 0;
    for (size_t k = 0; k < n; k++) {
        g_string_append_len(o, (const char *)line + at, (gssize)(sp[k].off - at));
        g_string_append(o, QFTP_REDACTED);
        at = sp[k].off + sp[k].len;
    }
    g_string_append_len(o, (const char *)line + at, (gssize)(len - at));
    if (out_len)
        *out_len = o->len;
    return g_string_free(o, FALSE);
}

/* ---- a byte stream --------------------------------------------------------------------- */

/* Names of the commands with a secret parameter ("+QFTPPASS" ...): a module line that
 * starts like one of them may be a read-back. From the tables, once. */
#define SECRET_NAMES_MAX 16
static const char *secret_names[SECRET_NAMES_MAX];
static size_t n_secret_names;

static gpointer collect_names(gpointer unused)
{
    (void)unused;
    size_t n;
    const qftp_cmd_def *defs = qftp_cmd_defs(&n);
    for (size_t i = 0; i < n; i++) {
        bool secret = false;
        for (size_t k = 0; k < defs[i].n_params; k++)
            secret |= defs[i].params[k].secret;
        if (!secret || defs[i].name[0] != '+')
            continue;
        bool seen = false;
        for (size_t k = 0; k < n_secret_names; k++)
            seen |= strcmp(secret_names[k], defs[i].name) == 0;
        if (!seen && n_secret_names < SECRET_NAMES_MAX)
            secret_names[n_secret_names++] = defs[i].name;
    }
    return NULL;
}

typedef enum {
    LINE_START = 0, /* nothing of the line yet (after CR/LF) */
    LINE_HELD,      /* the line so far may carry a secret: held */
    LINE_PASS,      /* it cannot: bytes pass until its end */
} line_state;

typedef struct {
    line_state st;
    GByteArray *held;
} dir_state;

struct qftp_redactor {
    qftp_dialect dialect;
    dir_state d[2];
    GByteArray *out;
};

qftp_redactor *qftp_redactor_new(qftp_dialect dialect)
{
    static GOnce once = G_ONCE_INIT;
    g_once(&once, collect_names, NULL);
    qftp_redactor *r = g_new0(qftp_redactor, 1);
    r->dialect = dialect;
    for (int i = 0; i < 2; i++)
        r->d[i].held = g_byte_array_new();
    r->out = g_byte_array_new();
    return r;
}

void qftp_redactor_free(qftp_redactor *r)
{
    if (!r)
        return;
    for (int i = 0; i < 2; i++)
        g_byte_array_free(r->d[i].held, TRUE);
    g_byte_array_free(r->out, TRUE);
    g_free(r);
}

/* Whether a line that starts with these bytes (leading spaces skipped) may still carry
 * a secret: a command or its echo, or a module line like a read-back. */
static bool may_be_secret(const uint8_t *s, size_t n, qftp_dir dir)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    s += i;
    n -= i;
    if (n == 0)
        return true;
    if (s[0] == 'A' || s[0] == 'a')
        return n == 1 || s[1] == 'T' || s[1] == 't';
    if (dir != QFTP_DIR_RX || s[0] != '+')
        return false;
    for (size_t k = 0; k < n_secret_names; k++) {
        const char *name = secret_names[k];
        size_t m = strlen(name), j = 0;
        while (j < n && j < m && g_ascii_toupper(s[j]) == name[j])
            j++;
        if (j == n || (j == m && (s[j] == ':' || s[j] == ' ' || s[j] == '\t')))
            return true;
    }
    return false;
}

/* Hands on what dir holds, redacted as a line. */
static void release(qftp_redactor *r, dir_state *d)
{
    if (!d->held->len)
        return;
    size_t n = 0;
    char *red = qftp_redact_dup(d->held->data, d->held->len, r->dialect, &n);
    if (red)
        g_byte_array_append(r->out, (const guint8 *)red, (guint)n);
    else
        g_byte_array_append(r->out, d->held->data, d->held->len);
    g_free(red);
    g_byte_array_set_size(d->held, 0);
}

const uint8_t *qftp_redactor_feed(qftp_redactor *r, qftp_dir dir, bool data, const uint8_t *b,
                                  size_t n, size_t *out_len)
{
    dir_state *d = &r->d[dir == QFTP_DIR_RX];
    g_byte_array_set_size(r->out, 0);
    if (data) {
        release(r, d);
        g_byte_array_append(r->out, b, (guint)n);
        d->st = LINE_START;
        *out_len = r->out->len;
        return r->out->data;
    }
    size_t pass_from = 0; /* start of the bytes to pass as they are */
    for (size_t i = 0; i < n; i++) {
        uint8_t c = b[i];
        bool eol = c == '\r' || c == '\n';
        if (d->st == LINE_START && !eol) {
            g_byte_array_append(r->out, b + pass_from, (guint)(i - pass_from));
            pass_from = i;
            d->st = LINE_HELD;
        }
        if (d->st == LINE_HELD) {
            if (eol) {
                release(r, d);
                d->st = LINE_START;
                pass_from = i; /* the line end passes as it is */
                continue;
            }
            g_byte_array_append(d->held, &c, 1);
            pass_from = i + 1;
            if (!may_be_secret(d->held->data, d->held->len, dir)) {
                g_byte_array_append(r->out, d->held->data, d->held->len);
                g_byte_array_set_size(d->held, 0);
                d->st = LINE_PASS;
            } else if (d->held->len >= QFTP_REDACT_HOLD_CAP) {
                release(r, d);
                d->st = LINE_PASS;
            }
            continue;
        }
        if (eol)
            d->st = LINE_START;
    }
    g_byte_array_append(r->out, b + pass_from, (guint)(n - pass_from));
    *out_len = r->out->len;
    return r->out->data;
}

const uint8_t *qftp_redactor_flush(qftp_redactor *r, qftp_dir dir, size_t *out_len)
{
    dir_state *d = &r->d[dir == QFTP_DIR_RX];
    g_byte_array_set_size(r->out, 0);
    release(r, d);
    d->st = LINE_START;
    *out_len = r->out->len;
    return r->out->data;
}
