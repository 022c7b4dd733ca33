/* transcript.c - the AT conversation behind the line-based layouts (logimport_int.h,
 * "the transcript"): not a layout of its own, the part plain, timestamped, putty, sscom,
 * firmware and regex share.
 *
 * Lines become records as a terminal shows them: the host's "<line>\r", the module's
 * "\r\n<line>\r\n" (V.25ter verbose framing, which the decoder's data-mode trailer needs
 * after file bytes that do not end in a line end), exact bytes as they are. After CONNECT
 * the lines are data of the side the command implies (tables.h qftp_cmd_def.data).
 * CONNECT <n> takes n bytes. Otherwise the lines are held until the completion URC of the
 * command tells where the file ended: its count decides between the lines' own ends, CRLF
 * and LF (and whether the last line had one), so the bytes handed on are the file's bytes
 * again, and a file line that only looks like OK or like the URC stays data
 * (device-quirks.md, data mode). When no count can match, what shows the module back in
 * command mode ends the data (issue 11): the host's next command, an elision line that
 * stands for the rest of a trimmed file, or the module's next lines after a URC of the
 * command; the held lines are then data with their own ends, the elision line is handed
 * on as a module line of its own (the decoder reads it as the mark it is).
 */
#include <glib.h>
#include <string.h>

#include "../logimport_int.h"
#include "qftp/parser.h"
#include "qftp/tables.h"

#define HELD_CAP (4u << 20) /* download bytes held while waiting for the URC */

enum { HL_DATA, HL_OTHER, HL_ELISION };

typedef struct {
    size_t off, len;
    uint64_t line_no;
    log_eol eol;
    log_stamp st;
    uint8_t kind; /* HL_DATA: data side (or no direction); HL_OTHER: the other side's line */
    qftp_dir dir; /* HL_OTHER */
} held_line;

/* A command's row as note_command looked it up (NULL: none in the tables). */
typedef struct {
    bool used;
    char name[sizeof((qftp_subcmd *)0)->name];
    const qftp_cmd_def *def;
} seen_cmd;

#define SEEN_SLOTS 32 /* a log repeats its few commands: their rows, by name */

struct log_transcript {
    qftp_data_kind kind; /* of the last command */
    const char *cmd;     /* its name as the table has it, e.g. "+QFTPGET"; "" for none */
    qftp_data_kind data; /* data mode now */
    int64_t left;        /* CONNECT <n>: bytes still to come; -1: ended by the URC */
    int64_t lines;       /* data lines so far (CONNECT <n>) */
    GByteArray *store;
    GArray *held; /* held_line */
    bool escaped; /* an upload's "+++" is held at escape_at */
    guint escape_at;
    bool elided;    /* an elision line is held */
    bool host_seen; /* a command line: the log has the host's side */
    bool urc_held;  /* a URC of the command whose count no choice of line ends gave */
    guint urc_at;
    /* the last line, when it was a command line without a direction: the same line right
     * after it is the module's echo of it (a terminal with local echo shows both) */
    char last_cmd[256];
    size_t last_cmd_len;
    log_stamp last_cmd_st;
    seen_cmd seen[SEEN_SLOTS]; /* in the slot of the name's hash */
};

/* ---- small helpers ------------------------------------------------------------------------- */

static bool is_at_line(const uint8_t *s, size_t n)
{
    return n >= 2 && (s[0] | 0x20) == 'a' && ((s[1] | 0x20) == 't' || s[1] == '/');
}

/* What a byte can start: B_NOTABLE what log_text_line repairs or refuses (undo_paste,
 * log_nul_line, log_binary_line, shown_line) or a spelled text (log_spelled): a control
 * byte but TAB and CR, a byte over 0x7f, '&', '\\', '<', '[', '{'; B_MARK a note's mark
 * (annotation_at): '/', '<', the first byte of U+2190. */
enum { B_NOTABLE = 1, B_MARK = 2 };
/* clang-format off */
#define ALL16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const uint8_t byte_class[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, /* 0x00: TAB and CR are text */
    ALL16,
    0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, /* 0x20: & / */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, /* 0x30: < */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, /* 0x50: [ \\ */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, /* 0x70: { */
    ALL16, ALL16, ALL16, ALL16, ALL16, ALL16,       /* 0x80-0xdf */
    1, 1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xe0: 0xe2 */
    ALL16,
};
#undef ALL16
/* clang-format on */

/* The classes of the bytes of s (byte_class), together. A line with none, as most lines of
 * most logs, skips the scans that look for what such a byte starts. Four bytes a step. */
static uint8_t classes_of(const uint8_t *s, size_t n)
{
    uint8_t c = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        c |= byte_class[s[i]] | byte_class[s[i + 1]] | byte_class[s[i + 2]] | byte_class[s[i + 3]];
    for (; i < n; i++)
        c |= byte_class[s[i]];
    return c;
}

/* Where a note someone wrote after a line starts, as the manuals' examples and annotated
 * logs do it: "AT+QFTPPATH=\"/\"  //set the path", "+QFTPOPEN: 0,0   <-- 3 s later":
 * "//", "<--", "<-", "<==" or "←" after a space or tab, outside quotes. n if none. */
static size_t annotation_at(const uint8_t *s, size_t n)
{
    static const char *const marks[] = {"//", "<--", "<==", "<-", "\xe2\x86\x90"};
    if (n < 2 || !(classes_of(s + 1, n - 1) & B_MARK))
        return n;
    bool quoted = false;
    for (size_t i = 1; i < n; i++) {
        uint8_t b = s[i];
        if (b == '"') {
            quoted = !quoted;
            continue;
        }
        if (!(byte_class[b] & B_MARK) || quoted || (s[i - 1] != ' ' && s[i - 1] != '\t'))
            continue;
        for (size_t k = 0; k < G_N_ELEMENTS(marks); k++) {
            size_t m = strlen(marks[k]);
            if (n - i >= m && memcmp(s + i, marks[k], m) == 0 &&
                (i + m == n || s[i + m] == ' ' || s[i + m] == '\t' || k == 0))
                return i;
        }
    }
    return n;
}

/* "ATE0" / "ATE" (V.250 6.2.4: echo off), maybe with more basic commands after it. */
static bool echo_off_line(const uint8_t *s, size_t n)
{
    if (n < 3 || (s[2] | 0x20) != 'e')
        return false;
    size_t i = 3;
    if (i < n && s[i] == '0')
        i++;
    return i == n || s[i] == ';' || g_ascii_isalpha(s[i]) || s[i] == '&';
}

static bool is_word(const uint8_t *s, size_t n, const char *w)
{
    return n == strlen(w) && memcmp(s, w, n) == 0;
}

static bool is_connect(const uint8_t *s, size_t n, int64_t *len)
{
    *len = -1;
    if (n < 7 || memcmp(s, "CONNECT", 7) != 0 || (n > 7 && s[7] != ' '))
        return false;
    int64_t v;
    if (n > 8 && log_digits(s, n, 8, 15, &v) == n - 8)
        *len = v;
    return true;
}

/* What the module says in command mode: a final result, a +NAME: line, a known URC word.
 * After a URC of the command, such a line shows the module out of data mode. */
static bool response_line(const uint8_t *s, size_t n)
{
    static const char *const words[] = {"OK",  "ERROR",      "NO CARRIER",   "BUSY",
                                        "RDY", "+PDP DEACT", "POWERED DOWN", "NORMAL POWER DOWN"};
    for (size_t k = 0; k < G_N_ELEMENTS(words); k++)
        if (is_word(s, n, words[k]))
            return true;
    int64_t v;
    if (is_connect(s, n, &v))
        return true;
    if (n < 3 || s[0] != '+' || !g_ascii_isupper(s[1]))
        return false;
    for (size_t i = 1; i < n; i++) {
        if (s[i] == ':')
            return true;
        if (!g_ascii_isalnum(s[i]))
            return false;
    }
    return false;
}

/* The completion URC of the command: "+QFTPxxx: 0,<n>" / "+QFTPxxx:<n>" (GSM) /
 * "+QFTPxxx: <err>,<pe>" / "+QFTPxxx:-<err>", or "+QFUPL: <size>,<checksum>" and the
 * like for the file commands. *count: the byte count, or -1 for an error form (which
 * ends the data too). */
static bool urc_count(const uint8_t *s, size_t n, const char *name, int64_t *count)
{
    size_t m = strlen(name);
    bool any = m > 0 && name[m - 1] == '*'; /* "+QFTP*": any FTP command's */
    if (any)
        m--;
    if (!name[0] || n <= m || g_ascii_strncasecmp((const char *)s, name, m) != 0)
        return false;
    if (any) {
        size_t k = m;
        while (k < n && g_ascii_isupper(s[k]))
            k++;
        if (k == m)
            return false;
        m = k;
    }
    if (m >= n || s[m] != ':')
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

static size_t eol_len(log_eol k)
{
    return k == LOG_EOL_CRLF ? 2 : k == LOG_EOL_LF ? 1 : 0;
}

static void add_eol(log_emitter *e, log_eol k)
{
    if (k != LOG_EOL_NONE)
        log_add(e, k == LOG_EOL_CRLF ? "\r\n" : "\n", eol_len(k));
}

static int emit_text(log_ctx *c, qftp_dir dir, const uint8_t *s, size_t n, log_stamp st,
                     uint64_t line)
{
    if (dir == QFTP_DIR_RX)
        log_add(&c->e, "\r\n", 2);
    log_add(&c->e, s, n);
    log_add(&c->e, dir == QFTP_DIR_TX ? "\r" : "\r\n", dir == QFTP_DIR_TX ? 1 : 2);
    return log_emit(&c->e, dir, st, line, c->errbuf);
}

static void note_command(log_transcript *t, const uint8_t *s, size_t n)
{
    qftp_subcmd cmds[4];
    int k = qftp_cmdline_parse((const char *)s, n, cmds, G_N_ELEMENTS(cmds), NULL, NULL);
    t->kind = QFTP_DATA_NONE;
    t->cmd = "";
    if (k > 0) {
        const char *name = cmds[k - 1].name;
        unsigned h = 0;
        for (const char *p = name; *p; p++)
            h = h * 31 + (uint8_t)*p;
        seen_cmd *e = &t->seen[h % SEEN_SLOTS];
        if (!e->used || strcmp(e->name, name) != 0) {
            e->used = true;
            e->def = qftp_cmd_find(name, QFTP_DIALECT_UNKNOWN, NULL);
            g_strlcpy(e->name, name, sizeof e->name);
        }
        const qftp_cmd_def *d = e->def;
        if (d) {
            t->kind = d->data;
            t->cmd = d->name; /* the table's: no copy */
        }
    }
}

static void start_data(log_transcript *t, int64_t connect_len)
{
    t->data = t->kind;
    t->left = connect_len;
    t->lines = 0;
    if (connect_len == 0)
        t->data = QFTP_DATA_NONE;
}

/* ---- held lines ------------------------------------------------------------------------------ */

static held_line *held_at(const log_transcript *t, guint i)
{
    return &g_array_index(t->held, held_line, i);
}

/* The bytes of a held line (an empty store has no buffer: no pointer arithmetic on NULL) */
static const uint8_t *held_bytes(const log_transcript *t, const held_line *l)
{
    return t->store->data ? t->store->data + l->off : (const uint8_t *)"";
}

static bool held_is(const log_transcript *t, guint i, const char *word)
{
    const held_line *l = held_at(t, i);
    return l->kind != HL_ELISION && is_word(held_bytes(t, l), l->len, word);
}

static bool held_blank(const log_transcript *t, guint i)
{
    return held_at(t, i)->kind != HL_ELISION && held_at(t, i)->len == 0;
}

static void held_reset(log_transcript *t)
{
    g_byte_array_set_size(t->store, 0);
    g_array_set_size(t->held, 0);
    t->escaped = false;
    t->elided = false;
    t->urc_held = false;
}

static qftp_dir data_dir(const log_transcript *t)
{
    return t->data == QFTP_DATA_UPLOAD ? QFTP_DIR_TX : QFTP_DIR_RX;
}

static void hold(log_transcript *t, const log_tline *l, size_t len, uint8_t kind)
{
    held_line hl = {
        t->store->len, len, l->line_no, l->eol, l->st, kind, l->dir_known ? l->dir : QFTP_DIR_RX};
    g_byte_array_append(t->store, l->s, (guint)len);
    g_array_append_val(t->held, hl);
}

/* One held line that is not data: its side's framing (an elision line as the module's). */
static int held_line_out(log_ctx *c, const log_transcript *t, const held_line *l)
{
    if (l->len == 0)
        return 0;
    qftp_dir d = l->kind == HL_OTHER ? l->dir : QFTP_DIR_RX;
    return emit_text(c, d, held_bytes(t, l), l->len, l->st, l->line_no);
}

/* Hands on what is held: the data lines of held[0, data_end) as data, one record per line
 * (`force`, when not -1, replaces the lines' own ends; `last_bare` drops the last one),
 * an elision line among them as a module line (`marks`: the file was trimmed there; else
 * it is dropped), then the held "+++" as the host's, then the rest as lines of their side. */
static int held_finish(log_ctx *c, log_transcript *t, guint data_end, int force, bool last_bare,
                       bool marks)
{
    int rc = 0;
    qftp_dir dd = data_dir(t);
    guint last_data = data_end;
    for (guint i = 0; i < data_end; i++)
        if (held_at(t, i)->kind == HL_DATA)
            last_data = i;
    for (guint i = 0; i < data_end && rc == 0; i++) {
        const held_line *l = held_at(t, i);
        if (l->kind != HL_DATA) {
            if (marks || l->kind != HL_ELISION)
                rc = held_line_out(c, t, l);
            continue;
        }
        c->e.data = true;
        log_add(&c->e, held_bytes(t, l), l->len);
        if (!(last_bare && i == last_data))
            add_eol(&c->e, force >= 0 ? (log_eol)force : l->eol);
        rc = log_emit(&c->e, dd, l->st, l->line_no, c->errbuf);
        c->e.data = false;
    }
    guint rest = data_end;
    if (rc == 0 && t->escaped) {
        const held_line *l = held_at(t, t->escape_at);
        log_add(&c->e, "+++", 3);
        rc = log_emit(&c->e, QFTP_DIR_TX, l->st, l->line_no, c->errbuf);
        rest = t->escape_at + 1;
    }
    for (guint i = rest; i < t->held->len && rc == 0; i++)
        rc = held_line_out(c, t, held_at(t, i));
    held_reset(t);
    return rc;
}

/* Where the file ends before a URC at `at` (held index, or the end): before an OK and
 * the blank lines around it that come right before the URC. */
static guint data_end_before(const log_transcript *t, guint at)
{
    guint e = at;
    while (e > 0 && held_blank(t, e - 1))
        e--;
    if (e > 0 && held_is(t, e - 1, "OK")) {
        e--;
        while (e > 0 && held_blank(t, e - 1))
            e--;
    }
    return e;
}

/* Whether a choice of line ends makes the data lines of held[0, data_end) exactly count
 * bytes (elision lines counted as data when `elisions`): own ends, CRLF, LF, each with an
 * end after the last line first, then without. */
static bool count_fits(const log_transcript *t, guint data_end, bool elisions, int64_t count,
                       int *force, bool *bare)
{
    int64_t own = 0, text = 0, m = 0, own_last = 0;
    for (guint i = 0; i < data_end; i++) {
        const held_line *l = held_at(t, i);
        if (l->kind == HL_OTHER || (l->kind == HL_ELISION && !elisions))
            continue;
        text += (int64_t)l->len;
        own += (int64_t)eol_len(l->eol);
        own_last = (int64_t)eol_len(l->eol);
        m++;
    }
    static const struct {
        int force;
        bool bare;
    } ways[] = {{-1, false},         {-1, true},           {LOG_EOL_CRLF, false},
                {LOG_EOL_LF, false}, {LOG_EOL_CRLF, true}, {LOG_EOL_LF, true}};
    for (size_t w = 0; w < G_N_ELEMENTS(ways); w++) {
        int64_t per = (int64_t)eol_len((log_eol)ways[w].force);
        int64_t ends = ways[w].force < 0 ? own : m * per;
        int64_t last = ways[w].force < 0 ? own_last : per;
        if (text + ends - (ways[w].bare && m ? last : 0) == count) {
            *force = ways[w].force;
            *bare = ways[w].bare;
            return true;
        }
    }
    return false;
}

/* The URC with `count` arrived after the held lines: the file ends before it (before an
 * OK and blank lines right before it, or at the held "+++"). Returns true when a choice
 * of line ends gives exactly count bytes (a line that only looks like an elision mark is
 * then file content), the URC reports an error, the upload was escaped or the file was
 * trimmed (an elision line); *rc gets the callbacks' result. */
static bool held_try_end(log_ctx *c, log_transcript *t, int64_t count, int *rc)
{
    guint data_end = t->escaped ? t->escape_at : data_end_before(t, t->held->len);
    int force = -1;
    bool bare = false;
    if (count >= 0 && t->elided && count_fits(t, data_end, true, count, &force, &bare)) {
        for (guint i = 0; i < data_end; i++)
            if (held_at(t, i)->kind == HL_ELISION)
                held_at(t, i)->kind = HL_DATA;
        *rc = held_finish(c, t, data_end, force, bare, false);
        return true;
    }
    bool fits = count >= 0 && count_fits(t, data_end, false, count, &force, &bare);
    if (!fits && count >= 0 && !t->escaped && !t->elided)
        return false;
    /* an error form, "+++" and a trimmed file keep the lines' own ends */
    *rc = held_finish(c, t, data_end, fits ? force : -1, fits && bare, !fits);
    return true;
}

/* Back in command mode and no count matched: the held "+++", else the held URC of the
 * command (or the last URC-looking line of it) ends the data, as the decoder decides. */
static int held_give_up(log_ctx *c, log_transcript *t)
{
    guint k = t->held->len, u = k;
    if (t->escaped)
        return held_finish(c, t, t->escape_at, -1, false, true);
    if (t->urc_held) {
        u = t->urc_at;
    } else {
        for (guint i = k; i-- > 0;) {
            int64_t cnt;
            const held_line *l = held_at(t, i);
            if (l->kind != HL_ELISION && urc_count(held_bytes(t, l), l->len, t->cmd, &cnt)) {
                u = i;
                break;
            }
        }
    }
    return held_finish(c, t, u < k ? data_end_before(t, u) : k, -1, false, true);
}

/* ---- data mode --------------------------------------------------------------------------------
 */

/* A text line while data mode is on. *taken is false when data mode ended before it and
 * the line is to be read as a command or a response. */
static int data_line(log_ctx *c, log_transcript *t, const log_tline *l, size_t tl, bool *taken)
{
    int rc;
    const uint8_t *s = l->s;
    *taken = true;
    qftp_dir dd = data_dir(t);
    bool other = l->dir_known && l->dir != dd;
    bool at = (!l->dir_known || l->dir == QFTP_DIR_TX) && is_at_line(s, tl);
    if (t->left >= 0) {
        /* CONNECT <n>: n bytes; a pasted log may have lost the CRs of its line ends,
         * so an OK or a command after as many lines as bytes are missing ends it too */
        if (at || other || (is_word(s, tl, "OK") && t->left <= t->lines)) {
            t->data = QFTP_DATA_NONE;
            *taken = false;
            return 0;
        }
        log_add(&c->e, s, l->n);
        add_eol(&c->e, l->eol);
        if ((int64_t)c->e.len > t->left)
            c->e.len = (size_t)t->left;
        t->left -= (int64_t)c->e.len;
        t->lines++;
        c->e.data = true;
        rc = log_emit(&c->e, dd, l->st, l->line_no, c->errbuf);
        c->e.data = false;
        if (t->left == 0)
            t->data = QFTP_DATA_NONE;
        return rc;
    }
    if (at || (other && dd == QFTP_DIR_RX)) {
        /* the host's next command (or any host line during a download): the module is
         * in command mode again */
        t->data = QFTP_DATA_NONE;
        *taken = false;
        return held_give_up(c, t);
    }
    if (t->data == QFTP_DATA_UPLOAD && !other && !t->escaped && is_word(s, tl, "+++")) {
        /* the escape sequence ends an upload (BG96 manual 2.5); the URC that follows
         * still tells the line ends of the bytes before it */
        t->escaped = true;
        t->escape_at = t->held->len;
        hold(t, l, l->n, HL_DATA);
        return 0;
    }
    bool module_side = !l->dir_known || l->dir == QFTP_DIR_RX;
    int64_t cnt;
    if (module_side && urc_count(s, tl, t->cmd, &cnt)) {
        if (held_try_end(c, t, cnt, &rc)) {
            t->data = QFTP_DATA_NONE;
            *taken = false;
            return rc;
        }
        if (!t->urc_held) {
            /* file content that looks like the URC, or a trimmed file: the next lines tell */
            t->urc_held = true;
            t->urc_at = t->held->len;
        }
    } else if (module_side && t->urc_held && tl > 0) {
        int64_t v;
        const char *m = (const char *)s;
        bool other_urc = urc_count(s, tl, "+QFTP*", &cnt) &&
                         !(g_ascii_strncasecmp(m, t->cmd, strlen(t->cmd)) == 0 &&
                           tl > strlen(t->cmd) && s[strlen(t->cmd)] == ':');
        if (is_connect(s, tl, &v) || other_urc) {
            /* a URC of the command, then the module at its next command: it was back in
             * command mode at that URC */
            t->data = QFTP_DATA_NONE;
            *taken = false;
            return held_give_up(c, t);
        }
        /* another result or URC-looking line: the module back in command mode at that
         * URC, unless a later URC of the command counts all of it (a file with such
         * lines in it): held on, decided by the host's next command, a later URC, the
         * module's next command or the end */
        if (!response_line(s, tl))
            t->urc_held = false; /* more of the file: the URC-looking line was in it */
    }
    if (!other && qftp_elision_line(s, tl)) {
        t->elided = true;
        hold(t, l, tl, HL_ELISION);
        return 0;
    }
    hold(t, l, l->n, other ? HL_OTHER : HL_DATA);
    if (t->store->len > HELD_CAP && !t->escaped && !t->urc_held) {
        /* too much to wait for the count: what is held is data */
        if ((rc = held_finish(c, t, t->held->len, -1, false, true)) != 0)
            return rc;
    } else if ((t->escaped && t->held->len - t->escape_at > 64) ||
               (t->urc_held && t->held->len - t->urc_at > 64)) {
        /* no URC in sight after "+++", nothing after the URC-looking line to decide it */
        t->data = QFTP_DATA_NONE;
        return held_give_up(c, t);
    }
    return 0;
}

/* ---- entry points ------------------------------------------------------------------------------
 */

log_transcript *log_transcript_new(void)
{
    log_transcript *t = g_new0(log_transcript, 1);
    t->left = -1;
    t->cmd = "";
    t->store = g_byte_array_new();
    t->held = g_array_new(FALSE, FALSE, sizeof(held_line));
    return t;
}

void log_transcript_free(log_transcript *t)
{
    if (!t)
        return;
    g_byte_array_free(t->store, TRUE);
    g_array_free(t->held, TRUE);
    g_free(t);
}

/* Exact bytes without a direction marker: the host's when they are an AT command line and
 * nothing but its terminator; a command line followed by more (the module's echo and its
 * answer, as a terminal that shows the received bytes logs them) and the rest are the
 * module's. */
static qftp_dir exact_dir(const uint8_t *s, size_t n)
{
    if (!is_at_line(s, n))
        return QFTP_DIR_RX;
    const uint8_t *cr = memchr(s, '\r', n);
    const uint8_t *lf = memchr(s, '\n', n);
    const uint8_t *end = cr && (!lf || cr < lf) ? cr : lf;
    if (!end)
        return QFTP_DIR_TX;
    for (const uint8_t *p = end; p < s + n; p++)
        if (*p != '\r' && *p != '\n')
            return QFTP_DIR_RX;
    return QFTP_DIR_TX;
}

/* Exact bytes: handed on as they are. They still tell which command is under way and
 * where data mode starts and ends, for the text lines around them. */
static int exact_line(log_ctx *c, log_transcript *t, const log_tline *l)
{
    int rc;
    if (t->data != QFTP_DATA_NONE && t->held->len) {
        t->data = QFTP_DATA_NONE;
        if ((rc = held_give_up(c, t)) != 0)
            return rc;
    }
    qftp_dir dir = l->dir_known ? l->dir : exact_dir(l->s, l->n);
    /* the same command line twice in a row where the log does not say who wrote it: the
     * second is the module's echo (ATE1) */
    size_t cl = l->n && l->s[l->n - 1] == '\r' ? l->n - 1 : l->n;
    bool echo = !l->dir_known && dir == QFTP_DIR_TX && cl && cl == t->last_cmd_len &&
                memcmp(l->s, t->last_cmd, cl) == 0;
    if (echo)
        dir = QFTP_DIR_RX;
    t->last_cmd_len = 0;
    if (!l->dir_known && dir == QFTP_DIR_TX && cl <= sizeof t->last_cmd &&
        !memchr(l->s, '\n', l->n)) {
        memcpy(t->last_cmd, l->s, cl);
        t->last_cmd_len = cl;
        t->last_cmd_st = l->st;
    }
    /* each line of the bytes (an echo counts as the command it repeats) */
    for (size_t i = 0; i < l->n;) {
        const uint8_t *p = l->s + i;
        size_t k = 0;
        while (i + k < l->n && p[k] != '\r' && p[k] != '\n')
            k++;
        int64_t v, cnt;
        if (k && is_at_line(p, k))
            note_command(t, p, k);
        else if (dir == QFTP_DIR_RX && t->data == QFTP_DATA_NONE && is_connect(p, k, &v) &&
                 t->kind != QFTP_DATA_NONE)
            start_data(t, -1); /* the exact bytes carry the data themselves */
        else if (dir == QFTP_DIR_RX && urc_count(p, k, t->cmd, &cnt))
            t->data = QFTP_DATA_NONE;
        i += k ? k : 1;
    }
    log_add(&c->e, l->s, l->n);
    c->e.data = t->data != QFTP_DATA_NONE;
    rc = log_emit(&c->e, dir, l->st, l->line_no, c->errbuf);
    c->e.data = false;
    return rc;
}

int log_transcript_line(log_ctx *c, log_transcript *t, const log_tline *l)
{
    int rc;
    if (l->exact)
        return exact_line(c, t, l);
    size_t tl = l->n;
    while (tl && (l->s[tl - 1] == ' ' || l->s[tl - 1] == '\t' || l->s[tl - 1] == '\r'))
        tl--;
    if (t->data != QFTP_DATA_NONE) {
        bool taken;
        if ((rc = data_line(c, t, l, tl, &taken)) != 0 || taken)
            return rc;
    }
    size_t ln = l->n, note = l->no_mark ? tl : annotation_at(l->s, tl);
    if (note < tl) {
        /* the rest of the line is the writer's note: the line ends before it */
        tl = note;
        while (tl && (l->s[tl - 1] == ' ' || l->s[tl - 1] == '\t'))
            tl--;
        ln = tl;
    }
    if (tl == 0)
        return 0;
    bool at = is_at_line(l->s, tl);
    qftp_dir dir = l->dir_known ? l->dir : at ? QFTP_DIR_TX : QFTP_DIR_RX;
    if (at && tl == t->last_cmd_len && memcmp(l->s, t->last_cmd, tl) == 0 &&
        (l->dir_known ? l->dir == QFTP_DIR_RX
                      : !(l->st.have && t->last_cmd_st.have &&
                          l->st.ts - t->last_cmd_st.ts > QFTP_NS_PER_SEC))) {
        /* the command twice in a row, at once (or the logger says the second came from
         * the module): the terminal's local echo (or the line a tool says it sent), then
         * the module's echo (ATE1), which ends with the command's CR */
        t->last_cmd_len = 0;
        log_add(&c->e, l->s, tl);
        log_add(&c->e, "\r", 1);
        return log_emit(&c->e, QFTP_DIR_RX, l->st, l->line_no, c->errbuf);
    }
    t->last_cmd_len = 0;
    if ((!l->dir_known || l->dir == QFTP_DIR_TX) && at && tl <= sizeof t->last_cmd) {
        memcpy(t->last_cmd, l->s, tl);
        t->last_cmd_len = tl;
        t->last_cmd_st = l->st;
    }
    if (at)
        note_command(t, l->s, tl); /* a command, or the module's echo of one */
    if (at || (l->dir_known && l->dir == QFTP_DIR_TX))
        t->host_seen = true;
    if (at && echo_off_line(l->s, tl))
        t->host_seen = false; /* the commands after it are not in a terminal's log */
    size_t len = ln;          /* trailing spaces are kept, as the log has them */
    while (len && l->s[len - 1] == '\r')
        len--;
    if ((rc = emit_text(c, dir, l->s, len, l->st, l->line_no)) != 0)
        return rc;
    int64_t v;
    if (dir == QFTP_DIR_RX && is_connect(l->s, tl, &v) && t->kind == QFTP_DATA_NONE &&
        !t->host_seen) {
        /* the module's side only: a download whose URC will name its command */
        t->kind = QFTP_DATA_DOWNLOAD;
        t->cmd = "+QFTP*";
    }
    if (dir == QFTP_DIR_RX && is_connect(l->s, tl, &v) && t->kind != QFTP_DATA_NONE)
        start_data(t, v);
    return 0;
}

bool log_transcript_in_data(const log_transcript *t)
{
    return t->data != QFTP_DATA_NONE;
}

/* log_tline_text; `notable` false: s has no byte a spelled text starts with (B_NOTABLE) */
static void tline_text(log_tline *l, const log_ctx *c, const uint8_t *s, size_t n, bool marked,
                       GByteArray *scratch, bool notable)
{
    size_t len = n;
    while (len && s[len - 1] == '\r')
        len--;
    l->eol = !c->r.had_lf ? LOG_EOL_NONE : len < n ? LOG_EOL_CRLF : LOG_EOL_LF;
    l->line_no = c->r.line_no;
    /* a piece of a line is a read or write the log marks as one: the writer's own words
     * around the log (no side of their own) stay lines */
    l->exact = (notable && log_spelled(s, len)) || (marked && log_piece(c, s, len));
    if (l->exact) {
        g_byte_array_set_size(scratch, 0);
        log_unescape(scratch, s, len, LOG_ESC_C | LOG_ESC_NAMES);
        l->s = scratch->data;
        l->n = scratch->len;
    } else {
        l->s = s;
        l->n = len;
    }
}

void log_tline_text(log_tline *l, const log_ctx *c, const uint8_t *s, size_t n, bool marked,
                    GByteArray *scratch)
{
    tline_text(l, c, s, n, marked, scratch, true);
}

int log_text_open(log_ctx *c, void *st)
{
    (void)c;
    log_text_state *p = st;
    p->t = log_transcript_new();
    p->scratch = g_byte_array_new();
    p->shown = g_byte_array_new();
    p->fixed = g_byte_array_new();
    return 0;
}

int log_text_finish(log_ctx *c, void *st)
{
    log_text_state *p = st;
    return log_transcript_finish(c, p->t);
}

void log_text_cleanup(void *st)
{
    log_text_state *p = st;
    log_transcript_free(p->t);
    if (p->scratch)
        g_byte_array_free(p->scratch, TRUE);
    if (p->shown)
        g_byte_array_free(p->shown, TRUE);
    if (p->fixed)
        g_byte_array_free(p->fixed, TRUE);
}

/* The length of the escape sequence at s[0] == ESC: CSI (ESC [ ... final byte), OSC
 * (ESC ] ... BEL or ESC \), a character set (ESC ( B), else ESC and one byte. */
static size_t escape_len(const uint8_t *s, size_t n)
{
    size_t j = 2;
    if (n >= 2 && s[1] == '[') {
        while (j < n && !(s[j] >= 0x40 && s[j] <= 0x7e))
            j++;
        return j < n ? j + 1 : n;
    }
    if (n >= 2 && s[1] == ']') {
        for (; j < n; j++) {
            if (s[j] == 0x07)
                return j + 1;
            if (s[j] == 0x1b && j + 1 < n && s[j + 1] == '\\')
                return j + 2;
        }
        return n;
    }
    if (n >= 3 && (s[1] == '(' || s[1] == ')' || s[1] == '*' || s[1] == '+'))
        return 3;
    return n >= 2 ? 2 : 1;
}

/* A line as the terminal showed it, when it holds what a terminal acts on: escape
 * sequences (colours, cursor moves, screen's and minicom's set-up of the screen) dropped,
 * a backspace erasing the character before it (a user's correction that the module
 * echoed as it edited the command line, V.250 5.2.1, S5), other controls but TAB and CR
 * dropped. Returns false when the line has none of these (it is used as it is). */
static bool shown_line(GByteArray *out, const uint8_t *s, size_t n)
{
    if (!memchr(s, 0x1b, n) && !memchr(s, 0x08, n) && !memchr(s, 0x07, n))
        return false;
    g_byte_array_set_size(out, 0);
    for (size_t i = 0; i < n;) {
        uint8_t b = s[i];
        if (b == 0x1b) {
            i += escape_len(s + i, n - i);
            continue;
        }
        i++;
        if (b == 0x08) {
            /* a whole UTF-8 character is erased */
            while (out->len && (out->data[out->len - 1] & 0xc0) == 0x80)
                g_byte_array_set_size(out, out->len - 1);
            if (out->len)
                g_byte_array_set_size(out, out->len - 1);
            continue;
        }
        if (b < 0x20 && b != '\t' && b != '\r')
            continue;
        g_byte_array_append(out, &b, 1);
    }
    return true;
}

/* An HTML character reference at s ("&quot;", "&#34;", "&#x22;", "&amp;" ...) that a web
 * page's source or a ticket system left in a pasted log: its length, 0 if none; *b the
 * byte it stands for (ASCII only). */
static size_t html_entity(const uint8_t *s, size_t n, uint8_t *b)
{
    static const struct {
        const char *name;
        uint8_t b;
    } names[] = {{"&quot;", '"'}, {"&amp;", '&'},   {"&lt;", '<'},
                 {"&gt;", '>'},   {"&apos;", '\''}, {"&nbsp;", ' '}};
    for (size_t k = 0; k < G_N_ELEMENTS(names); k++) {
        size_t m = strlen(names[k].name);
        if (n >= m && memcmp(s, names[k].name, m) == 0) {
            *b = names[k].b;
            return m;
        }
    }
    if (n < 4 || s[0] != '&' || s[1] != '#')
        return 0;
    bool hex = s[2] == 'x' || s[2] == 'X';
    unsigned v = 0;
    size_t i = hex ? 3 : 2, d = i;
    for (; i < n && i < d + 4 && (hex ? g_ascii_isxdigit(s[i]) : g_ascii_isdigit(s[i])); i++)
        v = v * (hex ? 16 : 10) + (unsigned)(hex ? g_ascii_xdigit_value(s[i]) : s[i] - '0');
    if (i == d || i >= n || s[i] != ';' || v < 0x20 || v > 0x7e)
        return 0;
    *b = (uint8_t)v;
    return i + 1;
}

/* A character that takes no room, at s (UTF-8): the byte order mark U+FEFF (files joined
 * into one keep the second file's), the zero-width space, non-joiner and joiner U+200B-200D
 * and the word joiner U+2060 (web pages and chats put them into what is copied). Its length,
 * 0 if none. */
static size_t zero_width(const uint8_t *s, size_t n)
{
    if (n < 3)
        return 0;
    if (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
        return 3;
    if (s[0] == 0xe2 &&
        ((s[1] == 0x80 && s[2] >= 0x8b && s[2] <= 0x8d) || (s[1] == 0x81 && s[2] == 0xa0)))
        return 3;
    return 0;
}

/* What a paste through a web page or a chat, or a pager, adds to a line: a no-break space
 * for a space, HTML's character references ("&quot;" for '"'), characters that take no
 * room (zero_width), and "^M" (how cat -v, less and vim show a CR) at its end. The line without
 * them into out; false if it has none. Typographic quotes stay: a terminal sends them as they are
 * when a command is copied out of a word processor, and the module refuses it
 * (tests/logs/import/smart-quotes-bg96.log). `notable` false: s has no B_NOTABLE byte, only
 * "^M" is looked for. */
static bool undo_paste(const uint8_t *s, size_t n, bool notable, GByteArray *out)
{
    size_t crs = n; /* the CRs the reader left before the LF stay */
    while (crs && s[crs - 1] == '\r')
        crs--;
    size_t end = crs;
    while (end && (s[end - 1] == ' ' || s[end - 1] == '\t'))
        end--;
    bool caret = end >= 2 && s[end - 2] == '^' && s[end - 1] == 'M';
    bool nbsp = false, entity = false, zw = false;
    uint8_t b;
    if (notable) { /* else none of them can be there */
        for (size_t i = 0; i + 1 < end && !nbsp; i++)
            nbsp = s[i] == 0xc2 && s[i + 1] == 0xa0;
        for (const uint8_t *a = s; !entity && (a = memchr(a, '&', (size_t)(s + end - a))) != NULL;
             a++)
            entity = html_entity(a, (size_t)(s + end - a), &b) > 0;
        for (const uint8_t *a = s; !zw && (a = memchr(a, 0xe2, (size_t)(s + end - a))) != NULL; a++)
            zw = zero_width(a, (size_t)(s + end - a)) > 0;
        for (const uint8_t *a = s; !zw && (a = memchr(a, 0xef, (size_t)(s + end - a))) != NULL; a++)
            zw = zero_width(a, (size_t)(s + end - a)) > 0;
    }
    if (!caret && !nbsp && !entity && !zw)
        return false;
    if (caret)
        while (end >= 2 && s[end - 2] == '^' && s[end - 1] == 'M')
            end -= 2;
    else
        end = crs;
    g_byte_array_set_size(out, 0);
    for (size_t i = 0; i < end; i++) {
        uint8_t c = s[i];
        size_t m;
        size_t z = zero_width(s + i, end - i);
        if (z) {
            i += z - 1;
            continue;
        }
        if (c == 0xc2 && i + 1 < end && s[i + 1] == 0xa0)
            c = ' ', i++;
        else if (c == '&' && entity && (m = html_entity(s + i, end - i, &c)) > 0)
            i += m - 1;
        g_byte_array_append(out, &c, 1);
    }
    g_byte_array_append(out, s + crs, (guint)(n - crs));
    return true;
}

int log_text_line(log_ctx *c, log_text_state *p, const uint8_t *s, size_t n, bool dir_known,
                  qftp_dir dir, log_stamp st, bool own_eol)
{
    uint8_t cls = classes_of(s, n);
    if (!log_transcript_in_data(p->t) && undo_paste(s, n, cls & B_NOTABLE, p->fixed)) {
        log_repaired(c);
        s = p->fixed->data ? p->fixed->data : (const uint8_t *)"";
        n = p->fixed->len;
        cls = classes_of(s, n);
    }
    bool notable = cls & B_NOTABLE;
    /* NUL bytes alone: a file's padding (space the logger took and never wrote, a card
     * written when the power went), not traffic */
    if (notable && !log_transcript_in_data(p->t) && log_nul_line(s, n)) {
        log_skipped(c);
        return 0;
    }
    /* binary bytes in a log whose head has AT traffic: line noise (a module at power-on,
     * a baud rate that did not match yet), the module's bytes as they came */
    if (notable && !log_transcript_in_data(p->t) && !c->head_traffic && !log_blank(s, n) &&
        log_binary_line(s, n)) {
        LOG_ERR(c, "line %llu: binary data, not a text log", LN(c->r.line_no));
        return -1;
    }
    if (notable && !log_transcript_in_data(p->t) && shown_line(p->shown, s, n)) {
        s = p->shown->data ? p->shown->data : (const uint8_t *)"";
        n = p->shown->len;
        cls = classes_of(s, n);
        notable = cls & B_NOTABLE;
    }
    log_tline l = {0};
    tline_text(&l, c, s, n, dir_known, p->scratch, notable);
    l.dir_known = dir_known;
    l.no_mark = !(cls & B_MARK);
    l.dir = dir;
    l.st = st;
    if (!own_eol)
        l.eol = LOG_EOL_NONE;
    return log_transcript_line(c, p->t, &l);
}

int log_transcript_finish(log_ctx *c, log_transcript *t)
{
    return t->held->len ? held_give_up(c, t) : 0;
}

/* ---- text helpers ------------------------------------------------------------------------------
 */

bool log_piece(const log_ctx *c, const uint8_t *s, size_t n)
{
    if (!c->spelled || !n)
        return false;
    /* a whole command or answer (its quotes closed) is a line as written, also there */
    size_t quotes = 0;
    for (const uint8_t *q = s; (q = memchr(q, '"', (size_t)(s + n - q))) != NULL; q++)
        quotes++;
    return !(log_traffic_line(s, n) && quotes % 2 == 0);
}

bool log_nul_line(const uint8_t *s, size_t n)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i])
            return false;
    return true;
}

bool log_spelled(const uint8_t *s, size_t n)
{
    for (const uint8_t *p = s; (p = memchr(p, '\\', (size_t)(s + n - p))) && p + 1 < s + n; p++)
        if (p[1] == 'r' || p[1] == 'n' ||
            (p[1] == 'x' && p + 3 < s + n && g_ascii_isxdigit(p[2]) && g_ascii_isxdigit(p[3])))
            return true;
    static const char opens[] = "<[{", closes[] = ">]}";
    for (size_t k = 0; k < 3; k++)
        for (const uint8_t *p = s; (p = memchr(p, opens[k], (size_t)(s + n - p))) && p + 3 < s + n;
             p++)
            if (p[3] == closes[k] && (g_ascii_strncasecmp((const char *)p + 1, "CR", 2) == 0 ||
                                      g_ascii_strncasecmp((const char *)p + 1, "LF", 2) == 0 ||
                                      g_ascii_strncasecmp((const char *)p + 1, "0D", 2) == 0 ||
                                      g_ascii_strncasecmp((const char *)p + 1, "0A", 2) == 0))
                return true; /* "[CR]", "<LF>"; a hex terminal's "{0D}", "<0A>" */
    /* the control pictures ␍ ␊ ␤ (U+240D, U+240A, U+2424) */
    for (const uint8_t *p = s; (p = memchr(p, 0xe2, (size_t)(s + n - p))) && p + 2 < s + n; p++)
        if (p[1] == 0x90 && (p[2] == 0x8d || p[2] == 0x8a || p[2] == 0xa4))
            return true;
    return false;
}

/* ASCII control characters by their names (and SP, DEL), as Docklight and others write
 * them in angle brackets. */
static int control_name(const uint8_t *s, size_t n)
{
    static const char *const names[] = {"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL",
                                        "BS",  "HT",  "LF",  "VT",  "FF",  "CR",  "SO",  "SI",
                                        "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB",
                                        "CAN", "EM",  "SUB", "ESC", "FS",  "GS",  "RS",  "US"};
    for (size_t k = 0; k < G_N_ELEMENTS(names); k++)
        if (n == strlen(names[k]) && g_ascii_strncasecmp((const char *)s, names[k], n) == 0)
            return (int)k;
    if (n == 3 && g_ascii_strncasecmp((const char *)s, "DEL", 3) == 0)
        return 0x7f;
    if (n == 2 && g_ascii_strncasecmp((const char *)s, "SP", 2) == 0)
        return ' ';
    return -1;
}

void log_unescape(GByteArray *out, const uint8_t *s, size_t n, unsigned how)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = s[i];
        if (b == '\\' && i + 1 < n && (how & LOG_ESC_C)) {
            static const char from[] = "rntab\\\"'efv0";
            static const char to[] = "\r\n\t\a\b\\\"'\x1b\f\v";
            uint8_t c = s[i + 1];
            const char *p = strchr(from, c);
            if (c == 'x' && i + 3 < n && g_ascii_isxdigit(s[i + 2]) && g_ascii_isxdigit(s[i + 3])) {
                b = (uint8_t)(g_ascii_xdigit_value(s[i + 2]) << 4 | g_ascii_xdigit_value(s[i + 3]));
                i += 3;
            } else if (c >= '0' && c <= '7') {
                /* octal, up to three digits ("\0" is NUL) */
                unsigned v = 0, k = 0;
                while (k < 3 && i + 1 + k < n && s[i + 1 + k] >= '0' && s[i + 1 + k] <= '7')
                    v = v * 8 + (s[i + 1 + k++] - '0');
                b = (uint8_t)v;
                i += k;
            } else if (c && p && c != '0') {
                b = (uint8_t)to[p - from];
                i++;
            }
        } else if ((b == '<' || b == '[' || b == '{') && (how & LOG_ESC_NAMES)) {
            uint8_t close = b == '<' ? '>' : b == '[' ? ']' : '}';
            const uint8_t *e = memchr(s + i, close, n - i < 6 ? n - i : 6);
            int v = e ? control_name(s + i + 1, (size_t)(e - s - i - 1)) : -1;
            if (e && v < 0 && e == s + i + 3 && g_ascii_isxdigit(s[i + 1]) &&
                g_ascii_isxdigit(s[i + 2]))
                v = g_ascii_xdigit_value(s[i + 1]) << 4 | g_ascii_xdigit_value(s[i + 2]);
            if (v >= 0) {
                b = (uint8_t)v;
                i = (size_t)(e - s);
            }
        } else if (b == 0xe2 && (how & LOG_ESC_NAMES) && i + 2 < n && s[i + 1] == 0x90 &&
                   (s[i + 2] <= 0x9f || s[i + 2] == 0xa1 || s[i + 2] == 0xa4)) {
            /* a control picture: U+2400-241F the control characters, U+2421 DEL, U+2424
             * the newline (LF) */
            uint8_t c = s[i + 2];
            b = c <= 0x9f ? (uint8_t)(c - 0x80) : c == 0xa1 ? 0x7f : '\n';
            i += 2;
        }
        g_byte_array_append(out, &b, 1);
    }
}

size_t log_strip_ansi(uint8_t *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == 0x1b && i + 1 < n && s[i + 1] == '[') {
            size_t j = i + 2;
            while (j < n && !g_ascii_isalpha(s[j]))
                j++;
            i = j < n ? j : n - 1;
            continue;
        }
        s[o++] = s[i];
    }
    return o;
}
