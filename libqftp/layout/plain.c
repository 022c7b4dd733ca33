/* plain.c - the plain layout.
 *
 * A pasted terminal session. After CONNECT the lines are data of the side the command
 * implies (tables.h qftp_cmd_def.data). CONNECT <n> takes n bytes. Otherwise the lines
 * are held until the completion URC of the command tells where the file ended: its count
 * decides between the lines' own ends, CRLF and LF (and whether the last line had one),
 * so the bytes handed on are the file's bytes again, and a file line that only looks like
 * OK or like the URC stays data (device-quirks.md, data mode). */

#include <glib.h>
#include <string.h>

#include "../logimport_int.h"
#include "qftp/tables.h"

#define HELD_CAP (4u << 20) /* download bytes held while waiting for the URC */

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
    size_t d = log_digits(s, n, i, 15, &a);
    if (d == 0)
        return false;
    i += d;
    if (i < n && s[i] == ',') {
        i++;
        while (i < n && s[i] == ' ')
            i++;
        if (log_digits(s, n, i, 15, &b) == 0)
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

static void add_eol(log_emitter *e, eol_kind k)
{
    if (k != EOL_NONE)
        log_add(e, k == EOL_CRLF ? "\r\n" : "\n", eol_len(k));
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
static int held_finish(log_ctx *c, held_t *h, guint data_end, int force, bool last_bare)
{
    int rc = 0;
    c->e.data = true;
    for (guint i = 0; i < data_end && rc == 0; i++) {
        const held_line *l = held_at(h, i);
        log_add(&c->e, h->store->data + l->off, l->len);
        if (!(last_bare && i + 1 == data_end))
            add_eol(&c->e, force >= 0 ? (eol_kind)force : l->eol);
        rc = log_emit(&c->e, h->dir, LOG_NO_STAMP, l->line_no, c->errbuf);
    }
    c->e.data = false;
    guint rest = data_end;
    if (rc == 0 && h->escaped) {
        log_add(&c->e, "+++", 3);
        rc = log_emit(&c->e, QFTP_DIR_TX, LOG_NO_STAMP, held_at(h, h->escape_at)->line_no,
                      c->errbuf);
        rest = h->escape_at + 1;
    }
    for (guint i = rest; i < h->lines->len && rc == 0; i++) {
        const held_line *l = held_at(h, i);
        if (l->len)
            rc = log_line_record(c, QFTP_DIR_RX, h->store->data + l->off, l->len, LOG_NO_STAMP,
                                 l->line_no);
    }
    held_reset(h);
    return rc;
}

/* The URC with `count` arrived after the held lines: the file ends before it (before an
 * OK and blank lines right before it, or at the held "+++"). Returns true when a choice
 * of line ends gives exactly count bytes, the URC reports an error, or the upload was
 * escaped; *rc gets the callbacks' result. */
static bool held_try_end(log_ctx *c, held_t *h, int64_t count, int *rc)
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
static int held_give_up(log_ctx *c, held_t *h, const char *name)
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
static int plain_data_line(log_ctx *c, plain_state *ps, held_t *held, const uint8_t *s, size_t len,
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
        log_add(&c->e, s, len);
        add_eol(&c->e, eol);
        if ((int64_t)c->e.len > ps->left)
            c->e.len = (size_t)ps->left;
        ps->left -= (int64_t)c->e.len;
        ps->lines++;
        c->e.data = true;
        rc = log_emit(&c->e, d, LOG_NO_STAMP, c->r.line_no, c->errbuf);
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

typedef struct {
    plain_state ps;
    held_t held;
} plain_layout_state;

static int plain_open(log_ctx *c, void *state)
{
    (void)c;
    plain_layout_state *p = state;
    p->ps = (plain_state){QFTP_DATA_NONE, "", QFTP_DATA_NONE, -1, 0};
    p->held = (held_t){g_byte_array_new(), g_array_new(FALSE, FALSE, sizeof(held_line)),
                       QFTP_DIR_RX, false, 0};
    return 0;
}

static int plain_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    plain_layout_state *p = state;
    plain_state *ps = &p->ps;
    int rc;
    size_t len = n;
    while (len && s[len - 1] == '\r')
        len--;
    eol_kind eol = !c->r.had_lf ? EOL_NONE : len < n ? EOL_CRLF : EOL_LF;
    size_t tl = len;
    while (tl && (s[tl - 1] == ' ' || s[tl - 1] == '\t'))
        tl--;
    if (ps->data != QFTP_DATA_NONE) {
        bool taken;
        if ((rc = plain_data_line(c, ps, &p->held, s, len, tl, eol, &taken)) != 0)
            return rc;
        if (taken)
            return 0;
    }
    if (tl == 0)
        return 0;
    if (log_binary_line(s, len)) {
        LOG_ERR(c, "line %llu: binary data, not a text log", LN(c->r.line_no));
        return -1;
    }
    if (is_at_line(s, tl)) {
        plain_command(ps, s, tl);
        return log_line_record(c, QFTP_DIR_TX, s, len, LOG_NO_STAMP, c->r.line_no);
    }
    if ((rc = log_line_record(c, QFTP_DIR_RX, s, len, LOG_NO_STAMP, c->r.line_no)) != 0)
        return rc;
    if (tl >= 7 && memcmp(s, "CONNECT", 7) == 0 && (tl == 7 || s[7] == ' ') &&
        ps->kind != QFTP_DATA_NONE) {
        ps->data = ps->kind;
        ps->left = -1;
        ps->lines = 0;
        int64_t v;
        if (tl > 8 && log_digits(s, tl, 8, 15, &v) == tl - 8) {
            ps->left = v;
            if (v == 0)
                ps->data = QFTP_DATA_NONE;
        }
    }
    return 0;
}

static int plain_finish(log_ctx *c, void *state)
{
    plain_layout_state *p = state;
    return p->held.lines->len ? held_give_up(c, &p->held, p->ps.cmd) : 0;
}

static void plain_cleanup(void *state)
{
    plain_layout_state *p = state;
    if (p->held.store)
        g_byte_array_free(p->held.store, TRUE);
    if (p->held.lines)
        g_array_free(p->held.lines, TRUE);
}

/* No probe: plain is what a log is when no other layout takes it. */
const log_layout log_layout_plain = {
    .id = QFTP_FMT_PLAIN,
    .name = "plain",
    .state_size = sizeof(plain_layout_state),
    .open = plain_open,
    .line = plain_line,
    .finish = plain_finish,
    .cleanup = plain_cleanup,
};
