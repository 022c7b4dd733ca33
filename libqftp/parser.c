/* parser.c - push parser for one direction of an AT command stream.
 *
 * Command mode splits the stream into lines (terminators \r, \n, \r\n; the echo
 * form \r\r\n gives an empty line that is dropped) and classifies them. A line
 * that ends inside the chunk being fed is reported straight from the caller's
 * bytes; only a line cut by the end of a chunk is copied into the line buffer,
 * whose size is fixed at creation (line_cap).
 *
 * Data mode passes the payload through as spans. What ends it depends on the
 * command (qftp_data_mode) and follows shared/device-quirks.md "Data mode":
 *  - a declared length (AT+QFTPPUT uploadlen, CONNECT <n> of AT+QFDWL/AT+QFREAD);
 *  - on downloads, the completion URC whose count equals the bytes received: every
 *    '\r' in the payload may start that trailer, so the bytes from there are held
 *    (at most QFTP_HOLD_CAP) until they either match or cannot match any more;
 *  - on uploads, "+++" with a guard time of silence before and after, or a "+++"
 *    at the end of the payload when the module ends data mode by itself;
 *  - inactivity, seen through qftp_parser_tick().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "qftp/parser.h"

#define QFTP_HOLD_CAP 96
#define QFTP_DEFAULT_LINE_CAP 65536
#define QFTP_MIN_LINE_CAP 16

struct qftp_parser {
    qftp_dir dir;
    qftp_parser_opts o;
    qftp_event_cb cb;
    void *user;

    uint64_t off;    /* stream offset of the next byte to consume */
    qftp_ts last_ts; /* time of the last byte consumed */
    bool have_last;
    qftp_ts cur_ts; /* time of the chunk being fed */

    /* command mode */
    uint8_t *line;       /* line_cap bytes */
    size_t line_len;     /* bytes kept (<= line_cap) */
    uint64_t line_total; /* bytes of the current line, kept or not */
    uint64_t line_off;
    qftp_ts line_ts;
    bool skip_lf; /* the last line ended in \r: a \n right after belongs to it */

    /* data mode */
    bool data;
    qftp_data_mode dm;
    int64_t data_count;
    size_t urc_name_len;
    uint8_t hold[QFTP_HOLD_CAP]; /* RX: possible start of the completion trailer */
    size_t hold_len;
    uint64_t hold_off;
    /* A trailer of the right form whose count did not match: the bytes since are held
     * here (line_cap at most) until data mode goes on past them or is broken there. */
    bool suspect;
    bool suspect_elided; /* the suspect point is an elision line, not a URC */
    int64_t suspect_count;
    uint64_t suspect_off;
    uint8_t *pend;
    size_t pend_len;

    /* "+++" candidate (TX, both modes) */
    int esc_n; /* '+' bytes held, 0..3 */
    bool esc_guard_before;
    qftp_ts esc_t_first, esc_t_last;
    uint64_t esc_off;

    unsigned mode_gen; /* bumped by every mode change, to stop a loop mid-chunk */
};

/* ---- names ------------------------------------------------------------------ */

const char *qftp_event_kind_name(qftp_event_kind k)
{
    static const char *const names[] = {"COMMAND", "ECHO", "FINAL",    "CONNECT", "LINE",
                                        "PROMPT",  "DATA", "DATA_END", "ESCAPE",  "OVERFLOW"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

const char *qftp_final_name(qftp_final_kind k)
{
    static const char *const names[] = {NULL,         "OK",         "ERROR",
                                        "+CME ERROR", "+CMS ERROR", "NO CARRIER",
                                        "BUSY",       "NO ANSWER",  "NO DIALTONE"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : NULL;
}

const char *qftp_data_end_reason_name(qftp_data_end_reason r)
{
    switch (r) {
    case QFTP_DATA_END_LENGTH:
        return "length";
    case QFTP_DATA_END_URC:
        return "urc";
    case QFTP_DATA_END_ESCAPE:
        return "escape";
    case QFTP_DATA_END_INACTIVITY:
        return "inactivity";
    case QFTP_DATA_END_FORCED:
        return "forced";
    case QFTP_DATA_END_EOF:
        return "eof";
    }
    return "?";
}

const char *qftp_data_end_reason_words(qftp_data_end_reason r)
{
    switch (r) {
    case QFTP_DATA_END_LENGTH:
        return "the declared length";
    case QFTP_DATA_END_URC:
        return "the completion URC";
    case QFTP_DATA_END_ESCAPE:
        return "+++";
    case QFTP_DATA_END_INACTIVITY:
        return "inactivity";
    case QFTP_DATA_END_FORCED:
        return "the module's next line";
    case QFTP_DATA_END_EOF:
        return "the end of the input";
    }
    return "?";
}

/* ---- life cycle --------------------------------------------------------------- */

void qftp_parser_opts_init(qftp_parser_opts *o)
{
    o->line_cap = QFTP_DEFAULT_LINE_CAP;
    o->guard_time = QFTP_NS_PER_SEC;
}

void qftp_data_mode_init(qftp_data_mode *m)
{
    memset(m, 0, sizeof *m);
    m->expect_len = -1;
}

qftp_parser *qftp_parser_new(qftp_dir dir, const qftp_parser_opts *opts, qftp_event_cb cb,
                             void *user, char *errbuf)
{
    qftp_parser_opts o;
    if (opts)
        o = *opts;
    else
        qftp_parser_opts_init(&o);
    if (o.line_cap < QFTP_MIN_LINE_CAP) {
        if (errbuf)
            snprintf(errbuf, QFTP_ERRBUF_SIZE, "line cap %zu is below the minimum of %d bytes",
                     o.line_cap, QFTP_MIN_LINE_CAP);
        return NULL;
    }
    if (o.guard_time < 0)
        o.guard_time = 0;
    qftp_parser *p = calloc(1, sizeof *p);
    if (p) {
        p->line = malloc(o.line_cap);
        p->pend = malloc(o.line_cap);
    }
    if (p == NULL || p->line == NULL || p->pend == NULL) {
        if (p) {
            free(p->line);
            free(p->pend);
            free(p);
        }
        if (errbuf)
            snprintf(errbuf, QFTP_ERRBUF_SIZE, "out of memory for a %zu-byte line buffer",
                     o.line_cap);
        return NULL;
    }
    p->dir = dir;
    p->o = o;
    p->cb = cb;
    p->user = user;
    qftp_parser_reset(p);
    return p;
}

void qftp_parser_reset(qftp_parser *p)
{
    uint8_t *line = p->line;
    uint8_t *pend = p->pend;
    qftp_parser_opts o = p->o;
    qftp_dir dir = p->dir;
    qftp_event_cb cb = p->cb;
    void *user = p->user;
    unsigned gen = p->mode_gen;
    memset(p, 0, sizeof *p);
    p->line = line;
    p->pend = pend;
    p->o = o;
    p->dir = dir;
    p->cb = cb;
    p->user = user;
    p->mode_gen = gen + 1;
    qftp_data_mode_init(&p->dm);
}

void qftp_parser_free(qftp_parser *p)
{
    if (p == NULL)
        return;
    free(p->line);
    free(p->pend);
    free(p);
}

bool qftp_parser_in_data(const qftp_parser *p)
{
    return p->data;
}

bool qftp_parser_escape_pending(const qftp_parser *p)
{
    return p->esc_n > 0 && p->esc_guard_before;
}

uint64_t qftp_parser_offset(const qftp_parser *p)
{
    return p->off;
}

int64_t qftp_parser_data_count(const qftp_parser *p)
{
    return p->data_count;
}

/* ---- events ------------------------------------------------------------------- */

/* Reports an event whose direction is set. */
static inline void report(qftp_parser *p, const qftp_event *ev)
{
    if (p->cb)
        p->cb(p->user, ev);
}

static void emit(qftp_parser *p, qftp_event *ev)
{
    ev->dir = p->dir;
    report(p, ev);
}

static void ev_init(qftp_event *ev, qftp_event_kind kind, qftp_ts ts)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->ts = ts;
    ev->ts_first = ts;
    ev->value = -1;
}

/* s starts with pre, which has no lower-case letters, in any case. */
static inline bool prefix_ci(const uint8_t *s, size_t len, const char *pre)
{
    size_t n = strlen(pre);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i], u = (uint8_t)pre[i];
        if (c != u && !(c >= 'a' && c <= 'z' && c - ('a' - 'A') == u))
            return false;
    }
    return true;
}

/* s starts with pre, byte for byte. */
static inline bool prefix(const uint8_t *s, size_t len, const char *pre)
{
    size_t n = strlen(pre);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] != (uint8_t)pre[i])
            return false;
    return true;
}

/* The final result code that the whole line s is, or QFTP_FINAL_NONE. */
static inline __attribute__((always_inline)) qftp_final_kind final_of(const uint8_t *s, size_t len)
{
#define IS(word) (memcmp(s, word, sizeof word - 1) == 0)
    /* each word has a length of its own: one test of the bytes at most */
    switch (len) {
    case 2:
        return IS("OK") ? QFTP_FINAL_OK : QFTP_FINAL_NONE;
    case 5:
        return IS("ERROR") ? QFTP_FINAL_ERROR : QFTP_FINAL_NONE;
    case 10:
        return IS("NO CARRIER") ? QFTP_FINAL_NO_CARRIER : QFTP_FINAL_NONE;
    case 4:
        return IS("BUSY") ? QFTP_FINAL_BUSY : QFTP_FINAL_NONE;
    case 9:
        return IS("NO ANSWER") ? QFTP_FINAL_NO_ANSWER : QFTP_FINAL_NONE;
    case 11:
        return IS("NO DIALTONE") ? QFTP_FINAL_NO_DIALTONE : QFTP_FINAL_NONE;
    default:
        return QFTP_FINAL_NONE;
    }
#undef IS
}

/* Parses optional spaces then a decimal number filling the rest of the span. */
static bool span_number(const uint8_t *s, size_t len, int64_t *out)
{
    size_t i = 0;
    while (i < len && s[i] == ' ')
        i++;
    if (i == len)
        return false;
    int64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || v > INT64_MAX / 10 - 10)
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool strncasecmp_n(const uint8_t *s, const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t a = s[i], b = (uint8_t)w[i];
        if (a >= 'a' && a <= 'z')
            a = (uint8_t)(a - 'a' + 'A');
        if (b >= 'a' && b <= 'z')
            b = (uint8_t)(b - 'a' + 'A');
        if (a != b)
            return false;
    }
    return true;
}

bool qftp_elision_line(const uint8_t *s, size_t n)
{
    size_t a = 0, b = n;
    while (a < b && (s[a] == ' ' || s[a] == '\t'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
        b--;
    /* one pair of brackets, then dashes and '=' around the word */
    bool framed = false;
    if (b - a >= 2 && ((s[a] == '[' && s[b - 1] == ']') || (s[a] == '<' && s[b - 1] == '>') ||
                       (s[a] == '(' && s[b - 1] == ')'))) {
        a++;
        b--;
        framed = true;
    }
    while (a < b && (s[a] == '-' || s[a] == '=' || s[a] == ' '))
        framed |= s[a++] != ' ';
    while (b > a && (s[b - 1] == '-' || s[b - 1] == '=' || s[b - 1] == ' '))
        framed |= s[--b] != ' ';
    if (a == b)
        return false;
    /* dots: "...", "…" (U+2026) and runs of them */
    size_t dots = 0, i = a;
    while (i < b) {
        if (s[i] == '.') {
            dots++;
            i++;
        } else if (b - i >= 3 && memcmp(s + i, "\xe2\x80\xa6", 3) == 0) {
            dots += 3;
            i += 3;
        } else {
            break;
        }
    }
    if (i == b)
        return dots >= 3;
    static const char *const words[] = {"snip",    "snipped", "cut",     "truncated", "trimmed",
                                        "omitted", "skipped", "removed", "more",      "etc"};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        size_t m = strlen(words[k]);
        if (b - a == m && strncasecmp_n(s + a, words[k], m))
            return framed || k == 0; /* a bare word only for "snip" */
    }
    return false;
}

/* Classifies and reports one complete line (without its terminator); inline in the
 * line loop, which reports most lines. dir is p->dir and tx whether it is the host's: a
 * constant where the loop is made for one direction. */
static inline __attribute__((always_inline)) void emit_line(qftp_parser *p, qftp_dir dir, bool tx,
                                                            const uint8_t *s, size_t len,
                                                            uint64_t off, qftp_ts ts_first,
                                                            uint64_t end_off, unsigned flags)
{
    /* Pasted logs carry trailing spaces (device-quirks.md "Framing"). */
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0)
        return;
    /* every field set once (ev_init would clear them all first) */
    qftp_event ev = {.kind = QFTP_EV_LINE,
                     .dir = dir,
                     .ts = p->cur_ts,
                     .ts_first = ts_first,
                     .data = s,
                     .len = len,
                     .offset = off,
                     .end_offset = end_off,
                     .value = -1,
                     .flags = flags};
    if (tx) {
        if (prefix_ci(s, len, "AT"))
            ev.kind = QFTP_EV_COMMAND;
        report(p, &ev);
        return;
    }
    qftp_final_kind final = final_of(s, len);
    if (final != QFTP_FINAL_NONE) {
        ev.kind = QFTP_EV_FINAL;
        ev.final = final;
        report(p, &ev);
        return;
    }
    if (s[0] == '+') {
        /* an information response or a URC, or a final result in this form */
        if (len >= 11 && (s[1] | 0x20) == 'c' && /* most lines are not: at once */
            (prefix_ci(s, len, "+CME ERROR:") || prefix_ci(s, len, "+CMS ERROR:"))) {
            ev.kind = QFTP_EV_FINAL;
            ev.final = (s[3] | 0x20) == 'e' ? QFTP_FINAL_CME_ERROR : QFTP_FINAL_CMS_ERROR;
            int64_t v;
            if (span_number(s + 11, len - 11, &v))
                ev.value = v;
        }
        report(p, &ev);
        return;
    }
    if (prefix(s, len, "CONNECT")) {
        int64_t v;
        if (len == 7 || span_number(s + 7, len - 7, &v)) {
            ev.kind = QFTP_EV_CONNECT;
            ev.value = len == 7 ? -1 : v;
            report(p, &ev);
            return;
        }
    }
    if (prefix_ci(s, len, "AT"))
        ev.kind = QFTP_EV_ECHO;
    report(p, &ev);
}

static void emit_overflow(qftp_parser *p, uint64_t end_off)
{
    qftp_event ev;
    ev_init(&ev, QFTP_EV_OVERFLOW, p->cur_ts);
    ev.ts_first = p->line_ts;
    ev.data = p->line;
    ev.len = p->line_len;
    ev.offset = p->line_off;
    ev.end_offset = end_off;
    ev.value = (int64_t)p->line_total;
    emit(p, &ev);
}

static void emit_data_now(qftp_parser *p, const uint8_t *s, size_t len, uint64_t off,
                          unsigned flags);

/* The held bytes after a suspect trailer are payload after all. */
static void pend_flush(qftp_parser *p)
{
    if (!p->suspect)
        return;
    p->suspect = false;
    p->suspect_elided = false;
    if (p->pend_len) {
        size_t n = p->pend_len;
        p->pend_len = 0;
        p->data_count -= (int64_t)n;
        emit_data_now(p, p->pend, n, p->suspect_off, QFTP_EVF_HELD);
    }
}

static void emit_data(qftp_parser *p, const uint8_t *s, size_t len, uint64_t off, unsigned flags)
{
    if (len == 0)
        return;
    if (p->suspect) {
        if (p->pend_len + len <= p->o.line_cap) {
            memcpy(p->pend + p->pend_len, s, len);
            p->pend_len += len;
            p->data_count += (int64_t)len;
            return;
        }
        pend_flush(p);
    }
    emit_data_now(p, s, len, off, flags);
}

static void emit_data_now(qftp_parser *p, const uint8_t *s, size_t len, uint64_t off,
                          unsigned flags)
{
    p->data_count += (int64_t)len;
    qftp_event ev;
    ev_init(&ev, QFTP_EV_DATA, p->cur_ts);
    ev.data = s;
    ev.len = len;
    ev.offset = off;
    ev.end_offset = off + len;
    ev.value = p->data_count;
    ev.flags = flags;
    emit(p, &ev);
}

/* Leaves data mode and reports it. */
static void end_data_flags(qftp_parser *p, qftp_data_end_reason reason, uint64_t at,
                           unsigned flags);

static void end_data(qftp_parser *p, qftp_data_end_reason reason, uint64_t at)
{
    end_data_flags(p, reason, at, 0);
}

static void end_data_flags(qftp_parser *p, qftp_data_end_reason reason, uint64_t at, unsigned flags)
{
    p->data = false;
    p->mode_gen++;
    qftp_event ev;
    ev_init(&ev, QFTP_EV_DATA_END, p->cur_ts);
    ev.reason = reason;
    ev.value = p->data_count;
    ev.offset = at;
    ev.end_offset = at;
    ev.flags = flags;
    emit(p, &ev);
}

/* ---- command mode -------------------------------------------------------------- */

static void line_append(qftp_parser *p, const uint8_t *s, size_t n, uint64_t off)
{
    if (p->line_total == 0) {
        p->line_off = off;
        p->line_ts = p->cur_ts;
    }
    size_t room = p->o.line_cap - p->line_len;
    size_t take = n < room ? n : room;
    memcpy(p->line + p->line_len, s, take);
    p->line_len += take;
    p->line_total += n;
}

static void line_clear(qftp_parser *p)
{
    p->line_len = 0;
    p->line_total = 0;
}

/* Ends the line in the buffer (terminator at stream offset `end`, exclusive of it). */
static void line_flush(qftp_parser *p, uint64_t end_off, unsigned flags)
{
    if (p->line_total > p->o.line_cap)
        emit_overflow(p, end_off);
    else
        emit_line(p, p->dir, p->dir == QFTP_DIR_TX, p->line, p->line_len, p->line_off, p->line_ts,
                  end_off, flags);
    line_clear(p);
}

#ifdef __SSE2__
/* The high bit of each byte of w (eight bytes, the first in the low bits) that is CR or
 * LF. Bytes above a match may be marked too, never one below the first match. */
static uint64_t eol_bits8(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = ones << 7;
    uint64_t c = w ^ (ones * '\r'), l = w ^ (ones * '\n');
    return (((c - ones) & ~c) | ((l - ones) & ~l)) & highs;
}
#endif

/* The first CR or LF in b[i, n), n if none: sixteen or eight bytes at a time where SSE2
 * is there (every x86-64). A short rest is read as the last sixteen or eight bytes of
 * b, the ones before i left out, so that it reads nothing at or past n. */
static inline __attribute__((always_inline)) size_t eol_at(const uint8_t *b, size_t i, size_t n)
{
#ifdef __SSE2__
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    for (; n - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        unsigned m =
            (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
    if (i == n)
        return n;
    if (n >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + n - 16));
        unsigned m =
            (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
        m >>= 16 - (n - i);
        return m ? i + (size_t)__builtin_ctz(m) : n;
    }
    if (n >= 8) {
        uint64_t w;
        if (n - i >= 8) {
            memcpy(&w, b + i, 8);
            uint64_t m = eol_bits8(w);
            if (m)
                return i + (size_t)__builtin_ctzll(m) / 8;
            i += 8;
            if (i == n)
                return n;
        }
        memcpy(&w, b + n - 8, 8);
        uint64_t m = eol_bits8(w >> 8 * (8 - (n - i)));
        return m ? i + (size_t)__builtin_ctzll(m) / 8 : n;
    }
#endif
    while (i < n && b[i] != '\r' && b[i] != '\n')
        i++;
    return i;
}

static size_t feed_line(qftp_parser *p, const uint8_t *b, size_t n, uint64_t base,
                        bool chunk_start);
static size_t feed_data(qftp_parser *p, const uint8_t *b, size_t n, uint64_t base,
                        bool chunk_start);

/* Held '+' bytes turned out not to be an escape: they are ordinary bytes. */
static void esc_release(qftp_parser *p)
{
    int n = p->esc_n;
    if (n == 0)
        return;
    static const uint8_t plus[3] = {'+', '+', '+'};
    uint64_t off = p->esc_off;
    p->esc_n = 0;
    if (p->data)
        emit_data(p, plus, (size_t)n, off, QFTP_EVF_HELD);
    else
        feed_line(p, plus, (size_t)n, off, false);
}

static unsigned esc_flags(const qftp_parser *p, qftp_ts now)
{
    unsigned f = 0;
    if (p->esc_guard_before)
        f |= QFTP_EVF_GUARD_BEFORE;
    if (now != QFTP_TS_NONE && now - p->esc_t_last >= p->o.guard_time)
        f |= QFTP_EVF_GUARD_AFTER;
    if (p->esc_t_last - p->esc_t_first <= p->o.guard_time)
        f |= QFTP_EVF_GUARD_WITHIN;
    return f;
}

/* A complete "+++" is accepted as the escape. */
static void esc_confirm(qftp_parser *p, qftp_ts now, bool end_data_mode)
{
    static const uint8_t plus[3] = {'+', '+', '+'};
    qftp_event ev;
    ev_init(&ev, QFTP_EV_ESCAPE, now);
    ev.ts_first = p->esc_t_first;
    ev.data = plus;
    ev.len = 3;
    ev.offset = p->esc_off;
    ev.end_offset = p->esc_off + 3;
    ev.flags = esc_flags(p, now);
    p->esc_n = 0;
    emit(p, &ev);
    if (end_data_mode && p->data)
        end_data(p, QFTP_DATA_END_ESCAPE, ev.offset);
}

static bool esc_enabled(const qftp_parser *p)
{
    if (p->dir != QFTP_DIR_TX)
        return false;
    return p->data ? p->dm.end_on_escape : true;
}

/* Resolves a held "+" run against the next bytes. Returns bytes consumed. */
static size_t esc_continue(qftp_parser *p, const uint8_t *b, size_t n, uint64_t base)
{
    size_t i = 0;
    qftp_ts ts = p->cur_ts;
    while (p->esc_n > 0 && i < n) {
        if (p->esc_n == 3) {
            if (p->esc_guard_before && ts - p->esc_t_last >= p->o.guard_time) {
                p->off = base + i;
                esc_confirm(p, ts, true);
            } else {
                esc_release(p);
            }
            return i;
        }
        bool within = ts - p->esc_t_first <= p->o.guard_time;
        if (b[i] == '+' && (within || !p->esc_guard_before)) {
            p->esc_n++;
            p->esc_t_last = ts;
            i++;
            continue;
        }
        p->off = base + i;
        esc_release(p);
        return i;
    }
    return i;
}

/* Command mode over b[0, n): the body of feed_line, inline where a chunk is fed (most
 * chunks are a line or two: the call would cost as much as the line). dir and tx as for
 * emit_line. */
static inline __attribute__((always_inline)) size_t feed_lines_as(qftp_parser *p, qftp_dir dir,
                                                                  bool tx, const uint8_t *b,
                                                                  size_t n, uint64_t base,
                                                                  bool chunk_start)
{
    size_t i = 0;
    unsigned gen = p->mode_gen;
    bool rx = dir == QFTP_DIR_RX;
    while (i < n) {
        if (p->skip_lf) {
            p->skip_lf = false;
            if (b[i] == '\n') {
                i++;
                continue;
            }
        }
        if (p->line_total == 0) {
            /* the CR LF before a response: an empty line, no event */
            if (b[i] == '\r' && i + 1 < n && b[i + 1] == '\n') {
                p->off = base + i + 1;
                i += 2;
                continue;
            }
            /* Two-byte items with no line end: the "> " prompt and "A/". */
            if (i + 1 < n && ((b[i] == '>' && rx && b[i + 1] == ' ') ||
                              (tx && (b[i] == 'A' || b[i] == 'a') && b[i + 1] == '/'))) {
                qftp_event ev;
                ev_init(&ev, b[i] == '>' ? QFTP_EV_PROMPT : QFTP_EV_COMMAND, p->cur_ts);
                ev.data = b + i;
                ev.len = 2;
                ev.offset = base + i;
                ev.end_offset = base + i + 2;
                ev.flags = b[i] == '>' ? 0 : QFTP_EVF_REPEAT;
                i += 2;
                p->off = base + i;
                emit(p, &ev);
                if (p->mode_gen != gen)
                    return i;
                continue;
            }
            /* "+++" at the start of a line after a guard time of silence (TX). */
            if (tx && chunk_start && i == 0 && b[i] == '+' &&
                (!p->have_last || p->cur_ts - p->last_ts >= p->o.guard_time)) {
                p->esc_n = 1;
                p->esc_guard_before = true;
                p->esc_t_first = p->esc_t_last = p->cur_ts;
                p->esc_off = base;
                i = 1;
                i += esc_continue(p, b + i, n - i, base + i);
                if (p->esc_n > 0 || p->mode_gen != gen)
                    return i;
                continue;
            }
        } else if (p->line_total == 1 && p->line_len == 1) {
            /* the same, split between two chunks */
            uint8_t c0 = p->line[0];
            if ((rx && c0 == '>' && b[i] == ' ') ||
                (tx && (c0 == 'A' || c0 == 'a') && b[i] == '/')) {
                qftp_event ev;
                ev_init(&ev, c0 == '>' ? QFTP_EV_PROMPT : QFTP_EV_COMMAND, p->cur_ts);
                uint8_t two[2] = {c0, b[i]};
                ev.ts_first = p->line_ts;
                ev.data = two;
                ev.len = 2;
                ev.offset = p->line_off;
                ev.end_offset = base + i + 1;
                ev.flags = c0 == '>' ? 0 : QFTP_EVF_REPEAT;
                line_clear(p);
                i++;
                p->off = base + i;
                emit(p, &ev);
                if (p->mode_gen != gen)
                    return i;
                continue;
            }
        }
        size_t j = eol_at(b, i, n);
        if (j == n) {
            line_append(p, b + i, n - i, base + i);
            i = n;
            break;
        }
        unsigned term = b[j];
        if (p->line_total == 0) {
            /* Whole line inside this chunk: report it from the caller's bytes. */
            p->off = base + j + 1;
            p->skip_lf = term == '\r';
            if (j - i > p->o.line_cap) {
                p->line_off = base + i;
                p->line_ts = p->cur_ts;
                memcpy(p->line, b + i, p->o.line_cap);
                p->line_len = p->o.line_cap;
                p->line_total = j - i;
                emit_overflow(p, base + j + 1);
                line_clear(p);
            } else if (j > i) { /* an empty line (the "\r\n" before a response) is no event */
                emit_line(p, dir, tx, b + i, j - i, base + i, p->cur_ts, base + j + 1, 0);
            }
        } else {
            line_append(p, b + i, j - i, base + i);
            p->off = base + j + 1;
            p->skip_lf = term == '\r';
            line_flush(p, base + j + 1, 0);
        }
        i = j + 1;
        if (p->mode_gen != gen)
            return i;
    }
    return i;
}

/* feed_lines_as made for each direction: the host's, and the rest (the module's). */
static inline __attribute__((always_inline)) size_t
feed_lines(qftp_parser *p, const uint8_t *b, size_t n, uint64_t base, bool chunk_start)
{
    if (p->dir == QFTP_DIR_TX)
        return feed_lines_as(p, QFTP_DIR_TX, true, b, n, base, chunk_start);
    return feed_lines_as(p, p->dir, false, b, n, base, chunk_start);
}

/* The same out of line, for bytes fed again (held '+', a download's trailer, refeed). */
static size_t feed_line(qftp_parser *p, const uint8_t *b, size_t n, uint64_t base, bool chunk_start)
{
    return feed_lines(p, b, n, base, chunk_start);
}

/* ---- data mode ------------------------------------------------------------------ */

typedef enum { TR_NEED_MORE, TR_NO, TR_YES } trailer_result;

/* Matches the end of a download in the hold buffer:
 *   "\r\n" ["OK\r\n"] ["\r\n"] "+NAME:" [" "] ( "0," n | n | err "," pe | "-" err ) "\r"
 * (device-quirks.md: the OK may be missing, GSM has no space and one value).
 * On TR_YES, *count is the byte count the URC confirms, or -1 for an error form. */
static trailer_result trailer_match(const qftp_parser *p, const uint8_t *h, size_t n,
                                    int64_t *count, bool *framed)
{
    size_t i = 0;
    const char *name = p->dm.urc_name;
    size_t nl = p->urc_name_len;
#define NEED(cond)                                                                                 \
    do {                                                                                           \
        if (i >= n)                                                                                \
            return TR_NEED_MORE;                                                                   \
        if (!(cond))                                                                               \
            return TR_NO;                                                                          \
    } while (0)
    NEED(h[i] == '\r');
    i++;
    NEED(h[i] == '\n');
    i++;
    /* optional "OK\r\n" */
    bool ok_line = false, blank = false;
    *framed = false;
    if (i < n && h[i] == 'O') {
        ok_line = true;
        i++;
        NEED(h[i] == 'K');
        i++;
        NEED(h[i] == '\r');
        i++;
        NEED(h[i] == '\n');
        i++;
    }
    /* optional blank line */
    if (i < n && h[i] == '\r') {
        blank = true;
        i++;
        NEED(h[i] == '\n');
        i++;
    }
    *framed = ok_line && blank;               /* the module's own framing: "\r\nOK\r\n\r\n+NAME" */
    bool any = nl > 0 && name[nl - 1] == '*'; /* "+QFTP*": any command's URC */
    if (any)
        nl--;
    for (size_t k = 0; k < nl; k++) {
        NEED(((h[i] | 0x20) == (name[k] | 0x20)) || h[i] == name[k]);
        i++;
    }
    if (any) {
        size_t letters = 0;
        while (i < n && h[i] >= 'A' && h[i] <= 'Z' && letters < 16) {
            letters++;
            i++;
        }
        NEED(letters > 0);
    }
    NEED(h[i] == ':');
    i++;
    if (i < n && h[i] == ' ')
        i++;
    /* first number, maybe negative */
    bool neg = false;
    if (i < n && h[i] == '-') {
        neg = true;
        i++;
    }
    int64_t a = 0;
    size_t digits = 0;
    while (i < n && h[i] >= '0' && h[i] <= '9') {
        if (++digits > 15)
            return TR_NO;
        a = a * 10 + (h[i] - '0');
        i++;
    }
    NEED(digits > 0);
    if (neg) {
        NEED(h[i] == '\r');
        *count = -1;
        return TR_YES;
    }
    if (h[i] == '\r') {
        *count = a; /* GSM "+QFTPGET:<n>" */
        return TR_YES;
    }
    NEED(h[i] == ',');
    i++;
    int64_t b2 = 0;
    digits = 0;
    while (i < n && h[i] >= '0' && h[i] <= '9') {
        if (++digits > 15)
            return TR_NO;
        b2 = b2 * 10 + (h[i] - '0');
        i++;
    }
    NEED(digits > 0);
    NEED(h[i] == '\r');
    if (a == 0) {
        *count = b2;
        return TR_YES;
    }
    /* An error form ends the transfer whatever was received (BG96 601-631). */
    if (a >= 601 && a <= 699) {
        *count = -1;
        return TR_YES;
    }
    return TR_NO;
#undef NEED
}

static size_t feed_data_rx_urc(qftp_parser *p, const uint8_t *b, size_t n, uint64_t base);

/* An elision line in the module's framing at the start of the hold: "\r\n<elision>\r\n". */
static trailer_result elision_match(const uint8_t *h, size_t n)
{
    if (n < 2)
        return h[0] == '\r' ? TR_NEED_MORE : TR_NO;
    if (h[0] != '\r' || h[1] != '\n')
        return TR_NO;
    /* what an elision line can start with (qftp_elision_line): decide early, so that the
     * bytes of an ordinary line are not held */
    if (n > 2 && (h[2] == 0 || !strchr(".[<(-= \t\xe2", h[2])) && h[2] != 's' && h[2] != 'S')
        return TR_NO;
    if (n > 3 && (h[2] == 's' || h[2] == 'S') && h[3] != 'n' && h[3] != 'N')
        return TR_NO;
    const uint8_t *cr = memchr(h + 2, '\r', n - 2);
    if (!cr)
        return n < 64 ? TR_NEED_MORE : TR_NO;
    size_t k = (size_t)(cr - h);
    if (k + 1 >= n)
        return TR_NEED_MORE;
    return h[k + 1] == '\n' && qftp_elision_line(h + 2, k - 2) ? TR_YES : TR_NO;
}

static void break_at_suspect(qftp_parser *p);

/* The held bytes cannot start the trailer: the first is payload, the rest are scanned
 * again (one of them may start the real trailer). */
static void hold_reject(qftp_parser *p)
{
    uint8_t tmp[QFTP_HOLD_CAP];
    size_t len = p->hold_len;
    uint64_t off = p->hold_off;
    memcpy(tmp, p->hold, len);
    p->hold_len = 0;
    emit_data(p, tmp, 1, off, QFTP_EVF_HELD);
    if (len > 1 && p->data)
        feed_data_rx_urc(p, tmp + 1, len - 1, off + 1);
}

/* Download with the end confirmed by the URC. Returns bytes consumed. */
static size_t feed_data_rx_urc(qftp_parser *p, const uint8_t *b, size_t n, uint64_t base)
{
    size_t i = 0;
    unsigned gen = p->mode_gen;
    while (i < n) {
        if (p->hold_len == 0) {
            const uint8_t *cr = memchr(b + i, '\r', n - i);
            size_t j = cr ? (size_t)(cr - b) : n;
            emit_data(p, b + i, j - i, base + i, 0);
            i = j;
            if (p->mode_gen != gen)
                return i;
            if (cr == NULL)
                continue;
            p->hold_off = base + i;
        }
        /* Extend the hold one byte at a time until the trailer is decided. */
        p->hold[p->hold_len++] = b[i++];
        int64_t count = 0;
        bool framed = false;
        trailer_result r = trailer_match(p, p->hold, p->hold_len, &count, &framed);
        trailer_result e = r == TR_YES ? TR_NO : elision_match(p->hold, p->hold_len);
        if ((r == TR_NEED_MORE || e == TR_NEED_MORE) && p->hold_len < QFTP_HOLD_CAP)
            continue;
        if (r == TR_YES && p->suspect && p->suspect_elided &&
            (count < 0 || count != p->data_count)) {
            /* a log that left bytes out (an elision line), then the completion URC: the
             * data ended at the elision line */
            p->off = base + i;
            break_at_suspect(p);
            return i;
        }
        if (e == TR_YES && !p->suspect) {
            /* "\r\n...\r\n": the log left bytes out here, or the file has such a line;
             * the completion URC's count will tell (parser.h) */
            p->suspect = true;
            p->suspect_elided = true;
            p->suspect_count = p->data_count;
            p->suspect_off = p->hold_off;
            p->pend_len = 0;
        }
        if (r == TR_YES && framed && count >= 0 && count != p->data_count && !p->suspect) {
            /* The module's framing but the wrong count: a log that lost bytes (its CRs),
             * or file content that copies the framing too. Decided later (parser.h). */
            p->suspect = true;
            p->suspect_count = p->data_count;
            p->suspect_off = p->hold_off;
            p->pend_len = 0;
        }
        if (r == TR_YES && (count < 0 || count == p->data_count)) {
            pend_flush(p);
            uint8_t tmp[QFTP_HOLD_CAP];
            size_t len = p->hold_len;
            uint64_t off = p->hold_off;
            memcpy(tmp, p->hold, len);
            p->hold_len = 0;
            p->off = off;
            end_data(p, QFTP_DATA_END_URC, off);
            /* The trailer is ordinary lines: OK and the completion URC. */
            feed_line(p, tmp, len, off, false);
            p->off = base + i;
            return i;
        }
        p->off = base + i;
        hold_reject(p);
        if (p->mode_gen != gen)
            return i;
    }
    p->off = base + i;
    return i;
}

/* Returns the number of '+' at the end of b (at most 3). */
static size_t trailing_plus(const uint8_t *b, size_t n)
{
    size_t k = 0;
    while (k < n && k < 3 && b[n - 1 - k] == '+')
        k++;
    return k;
}

static size_t feed_data(qftp_parser *p, const uint8_t *b, size_t n, uint64_t base, bool chunk_start)
{
    size_t i = 0;
    unsigned gen = p->mode_gen;
    if (p->skip_lf) {
        /* The \n of "CONNECT\r\n" split from its \r. A host's command line is not
         * like that: the module takes whatever follows its "\r" after CONNECT as data,
         * and an upload may well start with 0x0A. */
        p->skip_lf = false;
        if (n > 0 && b[0] == '\n' && p->dir == QFTP_DIR_RX)
            return 1;
    }
    if (p->dm.end_on_urc && p->dir == QFTP_DIR_RX)
        return feed_data_rx_urc(p, b, n, base);

    /* A guarded "+++" starts a chunk after silence (BG96 manual 1.2). */
    if (esc_enabled(p) && chunk_start && p->esc_n == 0 && n > 0 && b[0] == '+' &&
        (!p->have_last || p->cur_ts - p->last_ts >= p->o.guard_time)) {
        p->esc_n = 1;
        p->esc_guard_before = true;
        p->esc_t_first = p->esc_t_last = p->cur_ts;
        p->esc_off = base;
        i = 1;
        i += esc_continue(p, b + 1, n - 1, base + 1);
        if (p->esc_n > 0 || p->mode_gen != gen)
            return i;
    }
    size_t avail = n - i;
    if (p->dm.end_on_length && p->dm.expect_len >= 0) {
        int64_t room = p->dm.expect_len - p->data_count;
        if (room <= 0) {
            end_data(p, QFTP_DATA_END_LENGTH, base + i);
            return i;
        }
        size_t take = (int64_t)avail > room ? (size_t)room : avail;
        p->off = base + i + take;
        emit_data(p, b + i, take, base + i, 0);
        i += take;
        if (p->mode_gen == gen && p->data_count >= p->dm.expect_len)
            end_data(p, QFTP_DATA_END_LENGTH, base + i);
        return i;
    }
    size_t hold = esc_enabled(p) ? trailing_plus(b + i, avail) : 0;
    p->off = base + n - hold;
    emit_data(p, b + i, avail - hold, base + i, 0);
    if (p->mode_gen != gen)
        return n - hold;
    if (hold > 0) {
        /* Possibly a "+++" the module will take as the end without a guard time. */
        p->esc_n = (int)hold;
        p->esc_guard_before = false;
        p->esc_t_first = p->esc_t_last = p->cur_ts;
        p->esc_off = base + n - hold;
    }
    return n;
}

/* Parses bytes already consumed (held ones) in whatever mode the parser is in. The
 * stream position stays where the input is: these bytes were taken before (a line end
 * among them left the position at its own end, one byte before a swallowed LF). */
static void refeed(qftp_parser *p, const uint8_t *b, size_t n, uint64_t off)
{
    uint64_t end = p->off;
    size_t i = 0;
    while (i < n) {
        if (p->data)
            i += feed_data(p, b + i, n - i, off + i, false);
        else
            i += feed_line(p, b + i, n - i, off + i, false);
    }
    p->off = end;
}

/* Data mode ends at the suspect point; the bytes held since are parsed again as lines. */
static void break_at_suspect(qftp_parser *p)
{
    size_t n = p->pend_len + p->hold_len;
    uint8_t *tmp = malloc(n ? n : 1); /* rare path: a URC whose count did not match */
    if (tmp == NULL) {
        pend_flush(p);
        return;
    }
    memcpy(tmp, p->pend, p->pend_len);
    memcpy(tmp + p->pend_len, p->hold, p->hold_len);
    uint64_t off = p->suspect_off;
    unsigned flags = QFTP_EVF_MISMATCH | (p->suspect_elided ? QFTP_EVF_ELIDED : 0);
    p->data_count = p->suspect_count;
    p->pend_len = 0;
    p->hold_len = 0;
    p->suspect = false;
    p->suspect_elided = false;
    end_data_flags(p, QFTP_DATA_END_URC, off, flags);
    refeed(p, tmp, n, off);
    free(tmp);
}

bool qftp_parser_data_break(qftp_parser *p, qftp_ts now)
{
    if (!p->data || !p->suspect)
        return false;
    if (now != QFTP_TS_NONE)
        p->cur_ts = now;
    break_at_suspect(p);
    return true;
}

/* ---- feeding ------------------------------------------------------------------------ */

void qftp_parser_feed(qftp_parser *p, const uint8_t *bytes, size_t len, qftp_ts ts)
{
    if (len == 0)
        return;
    if (p->have_last && ts < p->last_ts)
        ts = p->last_ts; /* timestamps must not go back; clamp rather than misjudge guards */
    if (p->esc_n == 3 || p->data) /* what qftp_parser_tick may act on */
        qftp_parser_tick(p, ts);
    p->cur_ts = ts;
    uint64_t base = p->off;
    size_t i = 0;
    if (p->esc_n > 0)
        i += esc_continue(p, bytes, len, base);
    bool chunk_start = i == 0;
    while (i < len) {
        size_t used;
        uint64_t at = base + i;
        p->off = at;
        if (p->data)
            used = feed_data(p, bytes + i, len - i, at, chunk_start);
        else
            used = feed_lines(p, bytes + i, len - i, at, chunk_start);
        chunk_start = false;
        i += used;
        p->off = base + i;
    }
    p->off = base + len;
    p->last_ts = ts;
    p->have_last = true;
}

/* Data mode ends without its trailer: whatever is held was payload after all. */
static void release_held(qftp_parser *p)
{
    pend_flush(p);
    if (p->hold_len > 0) {
        uint8_t tmp[QFTP_HOLD_CAP];
        size_t len = p->hold_len;
        memcpy(tmp, p->hold, len);
        p->hold_len = 0;
        emit_data(p, tmp, len, p->hold_off, QFTP_EVF_HELD);
    }
}

void qftp_parser_tick(qftp_parser *p, qftp_ts now)
{
    if ((p->esc_n != 3 && !p->data) || now == QFTP_TS_NONE)
        return; /* nothing to time */
    if (p->esc_n == 3 && p->esc_guard_before && now - p->esc_t_last >= p->o.guard_time) {
        p->cur_ts = now;
        esc_confirm(p, now, true);
    }
    if (p->data && p->dm.inactivity > 0 && p->have_last && now - p->last_ts >= p->dm.inactivity) {
        p->cur_ts = now;
        release_held(p);
        esc_release(p);
        if (p->data)
            end_data(p, QFTP_DATA_END_INACTIVITY, p->off);
    }
}

void qftp_parser_enter_data(qftp_parser *p, const qftp_data_mode *m)
{
    esc_release(p);
    p->data = true;
    p->dm = *m;
    p->dm.urc_name[sizeof p->dm.urc_name - 1] = '\0';
    p->urc_name_len = strlen(p->dm.urc_name);
    if (p->urc_name_len == 0)
        p->dm.end_on_urc = false;
    p->data_count = 0;
    p->hold_len = 0;
    p->suspect = false;
    p->pend_len = 0;
    p->mode_gen++;
    if (p->dm.end_on_length && p->dm.expect_len == 0)
        end_data(p, QFTP_DATA_END_LENGTH, p->off);
}

void qftp_parser_exit_data(qftp_parser *p, qftp_ts now, qftp_data_end_reason reason)
{
    if (!p->data)
        return;
    if (now != QFTP_TS_NONE)
        p->cur_ts = now;
    release_held(p);
    if (p->esc_n == 3) {
        /* The module took the "+++" as the end: report it, guard or not. */
        esc_confirm(p, now, false);
        end_data(p, QFTP_DATA_END_ESCAPE, p->esc_off);
        return;
    }
    esc_release(p);
    if (p->data)
        end_data(p, reason, p->off);
}

void qftp_parser_finish(qftp_parser *p, qftp_ts now)
{
    if (now == QFTP_TS_NONE || (p->have_last && now < p->last_ts))
        now = p->have_last ? p->last_ts : 0;
    qftp_parser_tick(p, now);
    p->cur_ts = now;
    qftp_parser_data_break(p, now);
    if (p->data) {
        qftp_parser_exit_data(p, now, QFTP_DATA_END_EOF);
    } else {
        esc_release(p);
    }
    if (p->line_total > 0)
        line_flush(p, p->off, QFTP_EVF_PARTIAL);
    p->skip_lf = false;
}
