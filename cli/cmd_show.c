/* cmd_show.c - `qftp show`: a capture or a log as a readable transcript or JSON. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "qftp/session.h"
#include "qftp/verdict.h"
#include "qftptool/input.h"
#include "qftptool/json.h"

/* `qftp show` streams: the session hands each transaction over once nothing can change
 * it, the transcript (or the JSON element) is written and the transaction freed; the
 * summary keeps counts. What comes after the transactions in the output (unsolicited
 * lines, notes, transitions) is written as it happens to a temporary file and copied at
 * the end, so memory does not grow with the input. */

/* The transcript's text, built here without printf and written in blocks. */
typedef struct {
    char *p;
    size_t n, cap;
} obuf;

/* A section of the output written ahead into a temporary file. */
typedef struct {
    FILE *f;
    size_t n;
    char *mem; /* open_memstream's buffer when there is no temporary file */
    size_t mem_len;
} spill;

/* The last text of a note kind (its group found), and its runs: the text between its
 * numbers (note_key's '#'), [start, length] pairs, a number after each but the last. */
typedef struct {
    char *text;
    size_t *runs;
    size_t n_runs;
    struct note_group *g; /* the text's group */
} last_text;

/* The last transaction number the transcript wrote, in decimal (index_digits). */
typedef struct {
    unsigned last; /* 0: none yet */
    unsigned n;    /* its digits, ending at d + 16 */
    char d[32];
} index_text;

/* A row of the command tables as the transcript writes it under its commands. */
typedef struct {
    char *text; /* NULL until the row's first transaction */
    size_t len;
} def_line;

typedef struct {
    qftp_session *s;
    qftp_verdict *v; /* what failed and why (qftp/verdict.h) */
    bool json;
    bool failures_only; /* --failures */
    const char *path;
    char what[320];
    bool synth_seen;
    bool real_seen;        /* a chunk with a time of its own */
    GArray *synth;         /* bit per frame: its time was synthesised (guint64 words) */
    qftp_import_info info; /* a log: its layout, lines skipped, whether any was traffic */
    input_kind kind;
    GHashTable *groups;     /* note key -> note_group*: repeated notes (grouped) */
    GPtrArray *group_order; /* note_group*, in order of first appearance */
    /* per kind: most repeated notes are its last text again, or the same with other numbers */
    last_text last_note[QFTP_NOTE__COUNT];
    uint64_t chunks;
    uint64_t bytes[2];
    bool started;    /* the header (text) or the document's head (JSON) is out */
    bool synth_said; /* the header said that times were synthesised */
    json_w w;
    json_w side; /* JSON elements of the spilled arrays, written as if in place */
    /* summary */
    size_t n, ok, failed, pending;
    GHashTable *codes; /* failure key -> count (size_t *) */
    size_t sev[4];
    spill unsol, notes, transitions, contexts;
    obuf out;  /* the transcript not yet written (ob_flush) */
    bool live; /* stdout is a terminal: each transaction is written as it comes */

    const qftp_cmd_def *defs; /* the command tables' rows (qftp_cmd_defs) */
    size_t n_defs;
    def_line *def_lines;  /* n_defs: each row's summary line, as the transcript writes it */
    index_text index;     /* the last transaction's number, written */
    qftp_ts t0;           /* the session's (its first byte's time), once known */
    qftp_dialect dialect; /* the session's, once known */
} show_ctx;

/* The hash of a failure key (summary counts): eight bytes a step, where g_str_hash takes
 * one (the keys are sentences). */
static guint code_hash(gconstpointer k)
{
    const char *s = k;
    size_t len = strlen(s), n = len;
    uint64_t h = len, w;
    for (; n >= 8; n -= 8, s += 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15u;
        h ^= h >> 29;
    }
    w = 0;
    if (n && len >= 8) /* the rest: the key's last eight bytes (no copy of a variable size) */
        memcpy(&w, s + n - 8, 8);
    else
        for (size_t i = 0; i < n; i++)
            w |= (uint64_t)(unsigned char)s[i] << 8 * i;
    h = (h ^ w) * 0x9e3779b97f4a7c15u;
    return (guint)(h ^ h >> 32);
}

/* Download payloads, for the verdict's listings (a name not found next to the names
 * the server has). */
static void on_item(void *user, const qftp_event *ev, const qftp_txn *txn, uint64_t frame)
{
    (void)frame;
    show_ctx *x = user;
    if (ev->kind == QFTP_EV_DATA && txn)
        qftp_verdict_data(x->v, txn, ev->data, ev->len);
}

/* Notes of one kind that say the same but for their numbers ("no final result (the next
 * command was sent 0.004 s later)"): the transcript shows the first, the rest are
 * counted (issue 11: repeated notes grouped with a count). */
typedef struct note_group {
    qftp_note_kind kind;
    qftp_severity severity;
    char *text;                  /* the first one's */
    size_t count;                /* transactions that have it */
    unsigned *ranges;            /* [from, to] pairs of transaction indices */
    size_t n_ranges, cap_ranges; /* pairs there, pairs allocated */
} note_group;

static void note_group_free(gpointer p)
{
    note_group *g = p;
    g_free(g->text);
    g_free(g->ranges);
    g_free(g);
}

/* A note group's key: the note's kind and its text with every number as '#', and the
 * key's hash, computed as it is written (the table hashes no text again). */
typedef struct {
    guint hash;
    char s[]; /* at least strlen(text) + 16 bytes: the key is never longer */
} note_key_t;

static guint note_key_hash(gconstpointer k)
{
    return ((const note_key_t *)k)->hash;
}

static gboolean note_key_equal(gconstpointer a, gconstpointer b)
{
    const note_key_t *x = a, *y = b;
    return x->hash == y->hash && strcmp(x->s, y->s) == 0;
}

/* The end of the number at p (a digit): digits, and a '.' between two of them. */
static const char *number_end(const char *p)
{
    while (g_ascii_isdigit(p[1]) || (p[1] == '.' && g_ascii_isdigit(p[2])))
        p++;
    return p + 1;
}

/* l's text becomes text (of group g), its runs found once. */
static void last_text_set(last_text *l, const char *text, struct note_group *g)
{
    g_free(l->text);
    g_free(l->runs);
    l->text = g_strdup(text);
    /* m numbers take 2m - 1 bytes at least: m + 1 runs, 2m + 2 values, strlen + 3 at most */
    l->runs = g_new(size_t, strlen(text) + 3);
    size_t n = 0;
    for (const char *a = l->text;; a = number_end(a)) {
        size_t k = strcspn(a, "0123456789"); /* the text up to a's next number */
        l->runs[n++] = (size_t)(a - l->text);
        l->runs[n++] = k;
        a += k;
        if (!*a)
            break;
    }
    l->n_runs = n / 2;
    l->g = g;
}

/* Whether text b makes the same key as l's text (note_key): the same but for their numbers,
 * compared run by run. False may still be the same key ("#" against a number): the key then
 * decides. */
static bool same_key(const last_text *l, const char *b)
{
    for (size_t i = 0;; i++) {
        size_t len = l->runs[2 * i + 1];
        if (len && strncmp(l->text + l->runs[2 * i], b, len) != 0)
            return false;
        b += len;
        if (i + 1 == l->n_runs)
            return !*b;
        if (!g_ascii_isdigit(*b))
            return false;
        b = number_end(b);
    }
}

static void note_key(const qftp_note *n, note_key_t *key)
{
    char *k = key->s;
    unsigned kind = (unsigned)n->kind;
    char digits[12];
    size_t nd = 0;
    do
        digits[nd++] = (char)('0' + kind % 10);
    while ((kind /= 10) != 0);
    guint h = 5381;
    while (nd) {
        *k = digits[--nd];
        h = h * 33 + (guchar)*k++;
    }
    *k++ = ':';
    h = h * 33 + ':';
    for (const char *p = n->text; *p; p++) {
        char c = *p;
        if (g_ascii_isdigit(c)) {
            p = number_end(p) - 1;
            c = '#';
        }
        *k++ = c;
        h = h * 33 + (guchar)c;
    }
    *k = '\0';
    key->hash = h;
}

static note_group *note_group_of(show_ctx *x, const qftp_note *n);

/* Counts the note of transaction idx; true when it is the first of its group (shown).
 * Inlined: it runs for every note of every transaction. */
static inline __attribute__((always_inline)) bool note_first(show_ctx *x, const qftp_note *n,
                                                             unsigned idx)
{
    last_text *l = (unsigned)n->kind < QFTP_NOTE__COUNT ? &x->last_note[n->kind] : NULL;
    note_group *g;
    if (l && l->text && (strcmp(l->text, n->text) == 0 || same_key(l, n->text)))
        g = l->g; /* the same key again, no need to make it */
    else
        g = note_group_of(x, n);
    if (l && g != l->g)
        last_text_set(l, n->text, g);
    unsigned *last = g->n_ranges ? &g->ranges[g->n_ranges * 2 - 1] : NULL;
    if (last && (*last == idx || *last + 1 == idx)) {
        *last = idx;
    } else {
        if (g->n_ranges == g->cap_ranges) {
            g->cap_ranges = g->cap_ranges ? g->cap_ranges * 2 : 8;
            g->ranges = g_renew(unsigned, g->ranges, g->cap_ranges * 2);
        }
        g->ranges[g->n_ranges * 2] = g->ranges[g->n_ranges * 2 + 1] = idx;
        g->n_ranges++;
    }
    return ++g->count == 1;
}

/* The group of a note: found by its key, or made. */
static note_group *note_group_of(show_ctx *x, const qftp_note *n)
{
    union {
        note_key_t k;
        char b[512];
    } stack;
    size_t need = sizeof(note_key_t) + strlen(n->text) + 16;
    note_key_t *key = need <= sizeof stack ? &stack.k : g_malloc(need);
    note_key(n, key);
    note_group *g = g_hash_table_lookup(x->groups, key);
    if (!g) {
        g = g_new0(note_group, 1);
        g->kind = n->kind;
        g->severity = n->severity;
        g->text = g_strdup(n->text);
        if (key == &stack.k)
            key = g_memdup2(&stack, sizeof(note_key_t) + strlen(stack.k.s) + 1);
        g_hash_table_insert(x->groups, key, g);
        g_ptr_array_add(x->group_order, g);
    } else if (key != &stack.k) {
        g_free(key);
    }
    return g;
}

/* A chunk whose time was synthesised: its frame marked. Out of line: most chunks have a
 * time of their own. */
static __attribute__((noinline)) void mark_synth(show_ctx *x, uint64_t frame)
{
    x->synth_seen = true;
    if (frame > ((uint64_t)1 << 40))
        return;
    guint w = (guint)(frame / 64);
    if (x->synth->len <= w)
        g_array_set_size(x->synth, w + 1);
    g_array_index(x->synth, guint64, w) |= (guint64)1 << (frame % 64);
}

static inline __attribute__((always_inline)) bool is_synth(const show_ctx *x, uint64_t frame)
{
    guint w = (guint)(frame / 64);
    if (!x->synth_seen)
        return false;
    if (!x->real_seen)
        return true;
    return w < x->synth->len && (g_array_index(x->synth, guint64, w) >> (frame % 64) & 1);
}

static int on_chunk(void *user, const input_chunk *c)
{
    show_ctx *x = user;
    qftp_dir d = c->dir_known ? c->dir : qftp_session_guess_dir(x->s, c->data, c->len);
    if (c->ts_synth)
        mark_synth(x, c->frame);
    else
        x->real_seen = true;
    qftp_verdict_traffic(x->v, c->ts, c->ts_synth, NULL);
    x->chunks++;
    x->bytes[d] += c->len;
    qftp_session_feed(x->s, d, c->data, c->len, c->ts, c->frame);
    return 0;
}

static void spill_open(spill *sp)
{
    if (sp->f)
        return;
    sp->f = tmpfile();
    if (!sp->f) /* no temporary folder: the section stays in memory */
        sp->f = open_memstream(&sp->mem, &sp->mem_len);
}

/* Copies a spilled section to stdout. */
static void spill_copy(spill *sp)
{
    if (!sp->f)
        return;
    fflush(sp->f);
    rewind(sp->f);
    char buf[65536];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, sp->f)) > 0)
        fwrite(buf, 1, k, stdout);
    fclose(sp->f);
    sp->f = NULL;
    free(sp->mem);
    sp->mem = NULL;
}

/* ---- colour ------------------------------------------------------------------------ */

static bool use_colour;

static inline __attribute__((always_inline)) const char *col(const char *code)
{
    return use_colour ? code : "";
}
#define SGR_RESET "\033[0m"
#define SGR_BOLD "\033[1m"
#define SGR_DIM "\033[2m"
#define SGR_RED "\033[31m"
#define SGR_GREEN "\033[32m"
#define SGR_YELLOW "\033[33m"
#define SGR_CYAN "\033[36m"
#define C_RESET col(SGR_RESET)
#define C_BOLD col(SGR_BOLD)
#define C_DIM col(SGR_DIM)
#define C_RED col(SGR_RED)
#define C_GREEN col(SGR_GREEN)
#define C_YELLOW col(SGR_YELLOW)
#define C_CYAN col(SGR_CYAN)

static const char *sev_colour(qftp_severity s)
{
    return s >= QFTP_SEV_ERROR ? C_RED : s == QFTP_SEV_WARN ? C_YELLOW : C_DIM;
}

/* ---- text transcript ----------------------------------------------------------------- */

static double rel(const qftp_session *s, qftp_ts t)
{
    qftp_ts t0 = qftp_session_t0(s);
    return t0 == QFTP_TS_NONE ? 0.0 : (double)(t - t0) / 1e9;
}

/* ---- fast formatting of the transcript (what printf would write, without its cost) ---- */

/* Out of line: the writers that inline ob_room() stay small (it runs a few times a run). */
static __attribute__((noinline)) void ob_grow(obuf *o, size_t n)
{
    size_t cap = o->cap ? o->cap : 4096;
    while (cap < o->n + n)
        cap *= 2;
    o->p = g_realloc(o->p, cap);
    o->cap = cap;
}

/* Room for n more bytes, at o->p + o->n. */
static inline __attribute__((always_inline)) char *ob_room(obuf *o, size_t n)
{
    if (o->n + n > o->cap)
        ob_grow(o, n);
    return o->p + o->n;
}

/* The transcript so far to stdout: whatever else is written there comes after it. */
static void ob_flush(obuf *o)
{
    if (o->n)
        fwrite_unlocked(o->p, 1, o->n, stdout); /* one thread writes stdout */
    o->n = 0;
}

/* A line of the transcript is written through a pointer into room taken once for it: the
 * lengths of its pieces from the input or the tables, and LINE_ROOM for the rest (the
 * indent, literals, colour codes, two numbers and two times at most). */
#define LINE_ROOM 384

static inline __attribute__((always_inline)) char *line_begin(obuf *o, size_t n)
{
    return ob_room(o, n + LINE_ROOM);
}

static inline __attribute__((always_inline)) void line_end(obuf *o, const char *p)
{
    o->n = (size_t)(p - o->p);
}

/* A literal, its length known where it is written. */
#define PUT_LIT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) += sizeof(s) - 1)

/* n bytes of s at p: most pieces are short, copied inline by two overlapping moves of one
 * size (or up to eight of 16 bytes) where memcpy of a variable length is a call. */
static inline __attribute__((always_inline)) char *put_n(char *p, const char *s, size_t n)
{
    if (n > 128) {
        memcpy(p, s, n);
    } else if (n >= 16) {
        memcpy(p, s, 16);
        memcpy(p + n - 16, s + n - 16, 16);
        if (n > 32) {
            memcpy(p + 16, s + 16, 16);
            memcpy(p + n - 32, s + n - 32, 16);
            if (n > 64) {
                memcpy(p + 32, s + 32, 32);
                memcpy(p + n - 64, s + n - 64, 32);
            }
        }
    } else if (n >= 8) {
        memcpy(p, s, 8);
        memcpy(p + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        memcpy(p, s, 4);
        memcpy(p + n - 4, s + n - 4, 4);
    } else if (n) {
        p[0] = s[0];
        p[n / 2] = s[n / 2];
        p[n - 1] = s[n - 1];
    }
    return p + n;
}

/* A colour code (a literal): nothing when the transcript has no colours (a constant where
 * the writer is inlined). */
static inline __attribute__((always_inline)) char *put_col(char *p, bool colour, const char *code)
{
    return colour ? put_n(p, code, strlen(code)) : p;
}

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
                                  "31323334353637383940414243444546474849505152535455565758596061"
                                  "6263646566676869707172737475767778798081828384858687888990919293"
                                  "949596979899";

/* The number of v's digits: one or two for most (milliseconds, seconds), else from its bits
 * (1233 / 4096 is just over log10(2)) and one comparison. */
static inline __attribute__((always_inline)) unsigned n_digits(uint64_t v)
{
    if (v < 100)
        return 1 + (v >= 10);
    unsigned t = (unsigned)(64 - __builtin_clzll(v)) * 1233 >> 12;
    return t + (v >= qftp_pow10[t]);
}

/* v in decimal ending just before end, two digits a division. */
static inline __attribute__((always_inline)) void digits_back(char *end, uint64_t v)
{
    while (v >= 100) {
        end -= 2;
        memcpy(end, digit_pairs + v % 100 * 2, 2);
        v /= 100;
    }
    if (v >= 10)
        memcpy(end - 2, digit_pairs + v * 2, 2);
    else
        end[-1] = (char)('0' + v);
}

/* v (below 10^n) in n digits ending just before end, zeros in front (unrolled where n is a
 * constant); returns where they start. */
static inline __attribute__((always_inline)) char *digits_exact(char *end, uint64_t v, int n)
{
    for (; n >= 2; n -= 2) {
        end -= 2;
        memcpy(end, digit_pairs + v % 100 * 2, 2);
        v /= 100;
    }
    if (n)
        *--end = (char)('0' + v); /* below 10: the last of the n */
    return end;
}

/* v in decimal (its digits counted first: written in place) */
static inline __attribute__((always_inline)) char *put_u64(char *p, uint64_t v)
{
    p += n_digits(v);
    digits_back(p, v);
    return p;
}

static inline __attribute__((always_inline)) char *put_i64(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return put_u64(p, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(p, (uint64_t)v);
}

/* qftp_format_ns(d, ms, prec, width) at p (prec 0..3, width up to 16): by integers where
 * qftp_ns_round tells the digits, else by qftp_format_ns (96 bytes at p). Inlined: the
 * transcript's formats are constants. */
static inline __attribute__((always_inline)) char *put_ns(char *p, qftp_ts d, bool ms, int prec,
                                                          int width)
{
    uint64_t q;
    if (!qftp_ns_round(d, (ms ? 6 : 9) - prec, &q)) {
        int n = qftp_format_ns(p, 96, d, ms, prec, width);
        return p + (n < 0 ? 0 : n < 96 ? n : 95);
    }
    uint64_t whole = prec ? q / qftp_pow10[prec] : q;
    int len = (int)n_digits(whole) + (prec ? prec + 1 : 0);
    if (len < width) {
        memcpy(p, "                ", (size_t)width); /* the digits come over the rest */
        p += width - len;
    }
    p += len;
    char *e = p;
    if (prec) {
        e = digits_exact(e, q % qftp_pow10[prec], prec);
        *--e = '.';
    }
    digits_back(e, whole);
    return p;
}

/* ---- one transaction ------------------------------------------------------------------- */

#define INDENT "              "

/* The literal that ends a line and the line's end: the colours' reset between them, else
 * the two as one piece. */
#define PUT_END(p, colour, lit)                                                                    \
    do {                                                                                           \
        if (colour) {                                                                              \
            PUT_LIT(p, lit);                                                                       \
            p = put_col(p, true, SGR_RESET);                                                       \
            *p++ = '\n';                                                                           \
        } else {                                                                                   \
            PUT_LIT(p, lit "\n");                                                                  \
        }                                                                                          \
    } while (0)

/* "  (1 ms)" and the line's end: a duration between two frames, unless one of their times
 * was synthesised (then only the line's end: the log had no times to measure it by). A
 * macro: open and close are literals, joined with the spaces before and the unit after
 * (where no colour code comes between) into one piece each. */
#define PUT_SPAN_NL(p, colour, x, f0, f1, a, b, open, close)                                       \
    do {                                                                                           \
        if (!is_synth(x, f0) && !is_synth(x, f1)) {                                                \
            if (colour) {                                                                          \
                PUT_LIT(p, "  ");                                                                  \
                p = put_col(p, colour, SGR_DIM);                                                   \
                PUT_LIT(p, open);                                                                  \
            } else {                                                                               \
                PUT_LIT(p, "  " open);                                                             \
            }                                                                                      \
            qftp_ts d_ = (b) - (a); /* "12 ms" below a second, "1.50 s" above */                   \
            if (d_ < 1000000000) {  /* (double)d_ / 1e9 < 1.0 */                                   \
                p = put_ns(p, d_, true, 0, 0);                                                     \
                PUT_END(p, colour, " ms" close);                                                   \
            } else {                                                                               \
                p = put_ns(p, d_, false, 2, 0);                                                    \
                PUT_END(p, colour, " s" close);                                                    \
            }                                                                                      \
        } else {                                                                                   \
            *p++ = '\n';                                                                           \
        }                                                                                          \
    } while (0)

/* Row k's summary line ("              Login to FTP(S) Server - manual 2.2\n", nothing for
 * a row without a summary), made at the row's first transaction: most transactions write
 * one, from a few rows. Out of line: it runs once a row. */
static __attribute__((noinline)) const def_line *def_line_make(show_ctx *x, size_t k, bool colour)
{
    const qftp_cmd_def *d = &x->defs[k];
    def_line *l = &x->def_lines[k];
    bool sec = d->section && d->section[0];
    if (d->summary && d->summary[0])
        l->text = g_strconcat(INDENT, colour ? SGR_DIM : "", d->summary, sec ? " - manual " : "",
                              sec ? d->section : "", "\n", NULL);
    else
        l->text = g_strdup("");
    l->len = strlen(l->text);
    return l;
}

/* A transaction's text goes out with the next ones in blocks of this size (a file, a
 * pipe), at once to a terminal. The size of stdout's buffer (tool_safe_stream's): stdio
 * hands such a block on without copying it into the buffer first. */
#define OB_BLOCK 65536

/* The transaction index in decimal, ending at d + 16: the last one's plus one, in place (the
 * transcript numbers its transactions one after the other), else written anew. */
static inline __attribute__((always_inline)) unsigned index_digits(index_text *it, unsigned idx)
{
    if (it->last && idx == (uint64_t)it->last + 1) {
        char *e = it->d + 15; /* from the last digit: nines turn to zeros, the next goes up */
        while (*e == '9')
            *e-- = '0';
        if (*e == ' ') {
            *e = '1';
            it->n++;
        } else {
            (*e)++;
        }
    } else {
        memset(it->d, ' ', 16); /* before the digits: where a carry stops */
        it->n = n_digits(idx);
        digits_back(it->d + 16, idx);
    }
    it->last = idx;
    return it->n;
}

/* strlen(s), told inline for a text of two bytes at most: most final results are "OK". */
static inline __attribute__((always_inline)) size_t short_len(const char *s)
{
    return !s[0] ? 0 : !s[1] ? 1 : !s[2] ? 2 : strlen(s);
}

/* print_txn with colours or without: colour is a constant in each (the codes are
 * literals written or nothing). */
static inline __attribute__((always_inline)) void print_txn_as(show_ctx *x, const qftp_txn *t,
                                                               const qftp_txn_words *w, bool colour)
{
#define COL(p, code) ((p) = put_col((p), colour, SGR_##code))
    const qftp_session *s = x->s;
    obuf *o = &x->out;
    const qftp_cmd_def *other = NULL;
    /* the session's dialect, asked until known (then it stays) */
    if (t->def && t->def->dialect != QFTP_DIALECT_UNKNOWN && x->dialect == QFTP_DIALECT_UNKNOWN &&
        (x->dialect = qftp_session_dialect(s)) == QFTP_DIALECT_UNKNOWN) {
        /* the dialect is not known: both manuals' rows, when they differ */
        other = qftp_cmd_find(
            t->command, t->def->dialect == QFTP_DIALECT_GSM ? QFTP_DIALECT_BG96 : QFTP_DIALECT_GSM,
            t->def->key);
        if (other && (other->dialect == t->def->dialect || !other->summary || !t->def->summary ||
                      strcmp(other->summary, t->def->summary) == 0))
            other = NULL;
    }
    /* t->def's index in the tables (a row elsewhere is written as the two dialects' are) */
    size_t row = (size_t)((uintptr_t)t->def - (uintptr_t)x->defs) / sizeof *t->def;
    const def_line *dl = NULL; /* written with the first line */
    if (!other && t->def && row < x->n_defs)
        dl = x->def_lines[row].text ? &x->def_lines[row] : def_line_make(x, row, colour);
    /* "#12  +    1.234  AT+..." ('~': a synthesised time) */
    size_t line_len = strlen(t->line);
    size_t cmd_len = t->sub_index ? strlen(t->command) : 0;
    char *p = line_begin(o, line_len + cmd_len + (dl ? dl->len : 0));
    COL(p, BOLD);
    *p++ = '#';
    unsigned nd = index_digits(&x->index, t->index);
    memcpy(p, x->index.d + 16 - nd, 16); /* 10 digits at most: the rest is written over */
    memcpy(p + nd, "  ", 2);             /* at least three wide */
    p += nd < 3 ? 3 : nd;
    COL(p, RESET);
    *p++ = ' ';
    COL(p, DIM);
    *p++ = is_synth(x, t->frame_sent) ? '~' : '+';
    if (x->t0 == QFTP_TS_NONE) /* the first byte's time: set once */
        x->t0 = qftp_session_t0(s);
    p = put_ns(p, x->t0 == QFTP_TS_NONE ? 0 : t->t_sent - x->t0, false, 3, 9); /* %9.3f */
    COL(p, RESET);
    PUT_LIT(p, "  ");
    COL(p, CYAN);
    p = put_n(p, t->line, line_len);
    COL(p, RESET);
    if (t->inferred) {
        *p++ = ' ';
        COL(p, YELLOW);
        PUT_LIT(p, "(inferred)");
        COL(p, RESET);
    }
    if (t->sub_index) {
        *p++ = ' ';
        COL(p, DIM);
        PUT_LIT(p, "[command ");
        p = put_u64(p, (uint64_t)t->sub_index + 1);
        PUT_LIT(p, " of the line: ");
        p = put_n(p, t->command, cmd_len);
        *p++ = ']';
        COL(p, RESET);
    }
    *p++ = '\n';
    if (dl)
        p = put_n(p, dl->text, dl->len);
    line_end(o, p);
    if (!dl) {
        for (int k = 0; k < (other ? 2 : 1); k++) {
            const qftp_cmd_def *d = k ? other : t->def;
            if (!d || !d->summary || !d->summary[0])
                continue;
            size_t sum_len = strlen(d->summary);
            size_t sec_len = d->section ? strlen(d->section) : 0;
            p = line_begin(o, sum_len + sec_len);
            PUT_LIT(p, INDENT);
            COL(p, DIM);
            if (other && d->dialect == QFTP_DIALECT_GSM)
                PUT_LIT(p, "GSM: ");
            else if (other)
                PUT_LIT(p, "BG96: ");
            p = put_n(p, d->summary, sum_len);
            if (sec_len) {
                PUT_LIT(p, " - manual ");
                p = put_n(p, d->section, sec_len);
            }
            if (other && !k)
                PUT_LIT(p, " (dialect unknown)");
            *p++ = '\n';
            line_end(o, p);
        }
    }
    if (t->def == NULL && t->command[0]) {
        const char *type = qftp_cmd_type_name(t->type);
        size_t type_len = strlen(type);
        p = line_begin(o, type_len);
        PUT_LIT(p, INDENT);
        COL(p, DIM);
        PUT_LIT(p, "(not in the tables: decoded generically, ");
        p = put_n(p, type, type_len);
        PUT_LIT(p, " form)");
        COL(p, RESET);
        *p++ = '\n';
        line_end(o, p);
    }
    for (size_t i = 0; i < t->n_info; i++) {
        size_t info_len = strlen(t->info[i]);
        p = line_begin(o, info_len);
        PUT_LIT(p, INDENT);
        COL(p, DIM);
        p = put_n(p, t->info[i], info_len);
        COL(p, RESET);
        *p++ = '\n';
        line_end(o, p);
    }
    /* only a full list has more (qftp/session.h) */
    size_t over = t->n_info >= QFTP_TXN_INFO_CAP ? qftp_txn_info_over(t) : 0;
    if (over) {
        p = line_begin(o, 0);
        PUT_LIT(p, INDENT);
        COL(p, DIM);
        *p++ = '(';
        p = put_u64(p, over);
        PUT_LIT(p, " more information responses, not kept)");
        COL(p, RESET);
        *p++ = '\n';
        line_end(o, p);
    }
    if (t->connect) {
        p = line_begin(o, 0);
        PUT_LIT(p, INDENT "CONNECT");
        if (t->connect_len >= 0) {
            *p++ = ' ';
            p = put_i64(p, t->connect_len);
        }
        PUT_SPAN_NL(p, colour, x, t->frame_sent, t->frame_connect, t->t_sent, t->t_connect, "(+",
                    ")");
        line_end(o, p);
    }
    if (t->data_len >= 0) {
        const char *reason = qftp_data_end_reason_words(t->data_end);
        size_t reason_len = strlen(reason);
        p = line_begin(o, reason_len);
        PUT_LIT(p, INDENT "data mode: ");
        p = put_i64(p, t->data_len);
        if (t->data_dir == QFTP_DIR_TX)
            PUT_LIT(p, " bytes host -> module, ended by ");
        else
            PUT_LIT(p, " bytes module -> host, ended by ");
        p = put_n(p, reason, reason_len);
        if (t->escaped && t->data_end != QFTP_DATA_END_ESCAPE)
            PUT_LIT(p, " (+++)");
        *p++ = '\n';
        line_end(o, p);
    }
    if (t->final != QFTP_FINAL_NONE) {
        bool ok = t->final == QFTP_FINAL_OK;
        size_t final_len = short_len(t->final_line);
        size_t words_len = ok ? 0 : strlen(w->final_words);
        p = line_begin(o, final_len + words_len);
        PUT_LIT(p, INDENT);
        if (ok)
            COL(p, GREEN);
        else
            COL(p, RED);
        p = put_n(p, t->final_line, final_len);
        COL(p, RESET);
        if (words_len) {
            PUT_LIT(p, "  ");
            p = put_n(p, w->final_words, words_len);
        }
        PUT_SPAN_NL(p, colour, x, t->frame_sent, t->frame_final, t->t_sent, t->t_final, "(", ")");
        line_end(o, p);
    } else {
        p = line_begin(o, 0);
        PUT_LIT(p, INDENT);
        COL(p, RED);
        PUT_LIT(p, "no final result");
        COL(p, RESET);
        *p++ = '\n';
        line_end(o, p);
    }
    if (t->urc) {
        bool bad = t->has_err && t->err != 0;
        size_t urc_len = strlen(t->urc), result_len = strlen(w->result);
        p = line_begin(o, urc_len + result_len);
        PUT_LIT(p, INDENT);
        if (bad)
            COL(p, RED);
        else
            COL(p, GREEN);
        p = put_n(p, t->urc, urc_len);
        COL(p, RESET);
        PUT_LIT(p, "  ");
        if (bad)
            COL(p, RED);
        p = put_n(p, w->result, result_len);
        if (bad)
            COL(p, RESET);
        PUT_SPAN_NL(p, colour, x, t->frame_sent, t->frame_done, t->t_sent, t->t_done, "(",
                    " after the command)");
        line_end(o, p);
    } else if (t->n_info && (t->value.kind != QFTP_VAL_NONE || t->has_err)) {
        if (w->result[0]) {
            size_t result_len = strlen(w->result);
            p = line_begin(o, result_len);
            PUT_LIT(p, INDENT);
            COL(p, DIM);
            p = put_n(p, w->result, result_len);
            COL(p, RESET);
            *p++ = '\n';
            line_end(o, p);
        }
    }
    for (size_t i = 0; i < t->n_notes; i++) {
        const qftp_note *n = &t->notes[i];
        if (!note_first(x, n, t->index))
            continue; /* said at an earlier command: counted under "Repeated notes" */
        const char *sev = qftp_severity_name(n->severity);
        size_t sev_len = strlen(sev), text_len = strlen(n->text);
        p = line_begin(o, sev_len + text_len);
        PUT_LIT(p, INDENT);
        if (colour && n->severity >= QFTP_SEV_ERROR) /* each a literal: its length known */
            p = put_col(p, true, SGR_RED);
        else if (colour && n->severity == QFTP_SEV_WARN)
            p = put_col(p, true, SGR_YELLOW);
        else if (colour)
            p = put_col(p, true, SGR_DIM);
        p = put_n(p, sev, sev_len);
        PUT_LIT(p, ": ");
        p = put_n(p, n->text, text_len);
        COL(p, RESET);
        *p++ = '\n';
        line_end(o, p);
    }
    if (o->n >= OB_BLOCK || x->live)
        ob_flush(o);
#undef COL
}

static void print_txn(show_ctx *x, const qftp_txn *t, const qftp_txn_words *w)
{
    if (use_colour)
        print_txn_as(x, t, w, true);
    else
        print_txn_as(x, t, w, false);
}

/* The first line, written before the first transaction (the log's layout and the dialect
 * are known by then). */
static void text_start(show_ctx *x)
{
    if (x->started)
        return;
    x->started = true;
    qftp_dialect d = qftp_session_dialect(x->s);
    printf("%s%s%s: %s; dialect %s\n", C_BOLD, x->path, C_RESET, x->what,
           d ? qftp_dialect_name(d) : "unknown (see the notes)");
    if (x->synth_seen)
        printf("%s(times marked ~ were synthesised: the log had none)%s\n", C_DIM, C_RESET);
    x->synth_said = x->synth_seen;
}

/* "#1-#8, #10": the transactions of a note group. */
static void print_ranges(FILE *f, const note_group *g)
{
    for (size_t i = 0; i < g->n_ranges * 2; i += 2) {
        unsigned a = g->ranges[i], b = g->ranges[i + 1];
        if (i >= 40) {
            fprintf(f, ", ...");
            break;
        }
        fprintf(f, "%s#%u", i ? ", " : "", a);
        if (b != a)
            fprintf(f, "%s#%u", b == a + 1 ? ", " : "-", b);
    }
}

static void print_repeated(show_ctx *x)
{
    bool any = false;
    for (guint i = 0; i < x->group_order->len; i++) {
        note_group *g = g_ptr_array_index(x->group_order, i);
        if (g->count < 2)
            continue;
        if (!any)
            printf("\n%sRepeated notes%s (shown at the first command only)\n", C_BOLD, C_RESET);
        any = true;
        printf("  %s%zu x %s: %s%s\n      ", sev_colour(g->severity), g->count,
               qftp_severity_name(g->severity), g->text, C_RESET);
        print_ranges(stdout, g);
        printf("\n");
    }
}

static void print_summary(show_ctx *x)
{
    const qftp_session *s = x->s;
    if (x->synth_seen && !x->synth_said) /* learnt after the first line */
        printf("\n%s(times marked ~ were synthesised: the log had none for some lines)%s\n", C_DIM,
               C_RESET);
    printf("\n%sSummary%s\n", C_BOLD, C_RESET);
    printf("  commands: %zu (%zu succeeded, %s%zu failed%s, %zu without an outcome)\n", x->n, x->ok,
           x->failed ? C_RED : "", x->failed, x->failed ? C_RESET : "", x->pending);
    if (g_hash_table_size(x->codes)) {
        printf("  failures by code:\n");
        GList *keys = g_list_sort(g_hash_table_get_keys(x->codes), (GCompareFunc)strcmp);
        for (GList *l = keys; l; l = l->next)
            printf("    %3zu x %s\n", *(const size_t *)g_hash_table_lookup(x->codes, l->data),
                   (char *)l->data);
        g_list_free(keys);
    }
    qftp_dialect d = qftp_session_dialect(s);
    qftp_ftp_state st = qftp_session_state(s);
    const char *wire = qftp_state_wire(st, d);
    printf("  FTP service state at the end: %s", qftp_state_name(st));
    if (d == QFTP_DIALECT_BG96 && wire)
        printf(" (+QFTPSTAT: 0,%s)", wire);
    printf("\n  bytes: %llu host->module, %llu module->host%s\n", (unsigned long long)x->bytes[0],
           (unsigned long long)x->bytes[1],
           qftp_session_module_side_only(s) ? " (the module's side only)" : "");
    if (x->kind == INPUT_LOG && x->info.skipped)
        printf("  log lines skipped: %llu, not AT traffic (the first: line %llu)\n",
               (unsigned long long)x->info.skipped, (unsigned long long)x->info.first_skipped);
    if (x->kind == INPUT_LOG && x->info.repaired)
        printf(
            "  log lines repaired: %llu, what a paste added undone (^M, no-break "
            "and zero-width spaces, HTML's &quot;, broken lines, padding) (the first: line %llu)\n",
            (unsigned long long)x->info.repaired, (unsigned long long)x->info.first_repaired);
    printf("  notes: %zu error, %zu warn, %zu note, %zu info\n", x->sev[3], x->sev[2], x->sev[1],
           x->sev[0]);
}

/* ---- JSON (the contract is in docs/show.md) --------------------------------------------- */

static void json_time(json_w *w, const qftp_session *s, qftp_ts t, bool have)
{
    if (have)
        json_num(w, rel(s, t), 6);
    else
        json_null(w);
}

/* A note kind's name as JSON gives it: "no_final". */
static void json_kind(json_w *w, qftp_note_kind k)
{
    const qftp_note_def *d = qftp_note_def_of(k);
    char buf[64];
    g_strlcpy(buf, d ? d->name : "", sizeof buf);
    for (char *p = buf; *p; p++)
        *p = g_ascii_tolower(*p);
    json_str(w, buf);
}

static void json_note(json_w *w, const qftp_session *s, const qftp_note *n)
{
    json_begin_obj(w);
    json_key(w, "kind");
    json_kind(w, n->kind);
    json_key(w, "severity");
    json_str(w, qftp_severity_name(n->severity));
    json_key(w, "text");
    json_str(w, n->text);
    json_key(w, "t");
    json_num(w, rel(s, n->ts), 6);
    json_end_obj(w);
}

/* A time as ISO 8601 when the input has dates, else null. */
static void json_abs_time(json_w *w, const qftp_verdict *v, qftp_ts t, bool have)
{
    char buf[48];
    if (have && qftp_verdict_iso_time(v, t, buf, sizeof buf)[0])
        json_str(w, buf);
    else
        json_null(w);
}

/* What show --json adds from the verdict: the transaction in words, whether it failed and
 * why (docs/show.md). */
static void json_verdict(json_w *w, const qftp_verdict *v, const qftp_session *s, const qftp_txn *t,
                         const qftp_txn_verdict *tv)
{
    json_key(w, "description");
    json_str(w, tv->operation);
    json_key(w, "ok");
    json_bool(w, !tv->failed);
    json_key(w, "verdict");
    json_str(w, qftp_fail_kind_name(tv->kind));
    json_key(w, "outcome");
    json_str(w, tv->outcome);
    json_key(w, "time_sent");
    json_abs_time(w, v, t->t_sent, true);
    json_key(w, "time_final");
    json_abs_time(w, v, t->t_final, t->final != QFTP_FINAL_NONE);
    json_key(w, "time_done");
    json_abs_time(w, v, t->t_done, t->urc != NULL);
    json_key(w, "causes");
    json_begin_arr(w);
    for (size_t i = 0; i < tv->n_links; i++) {
        const qftp_link *l = &tv->links[i];
        json_begin_obj(w);
        json_key(w, "kind");
        json_str(w, qftp_link_kind_name(l->kind));
        json_key(w, "when");
        json_str(w, qftp_link_when_name(l->when));
        json_key(w, "t");
        json_num(w, rel(s, l->ts), 6);
        json_key(w, "time");
        json_abs_time(w, v, l->ts, true);
        json_key(w, "index");
        if (l->ref)
            json_int(w, l->ref);
        else
            json_null(w);
        json_key(w, "line");
        json_str(w, l->line[0] ? l->line : NULL);
        json_key(w, "context");
        json_str(w, l->kind == QFTP_LINK_CONTEXT ? qftp_context_kind_name(l->ctx.kind) : NULL);
        json_key(w, "names");
        json_str(w, l->kind == QFTP_LINK_LISTING && l->name[0] ? l->name : NULL);
        json_key(w, "text");
        json_str(w, l->words);
        json_end_obj(w);
    }
    json_end_arr(w);
}

static void json_txn(json_w *w, const show_ctx *x, const qftp_txn *t, const qftp_txn_verdict *tv)
{
    const qftp_session *s = x->s;
    json_begin_obj(w);
    json_key(w, "index");
    json_int(w, t->index);
    json_key(w, "inferred");
    json_bool(w, t->inferred);
    json_key(w, "line");
    json_str(w, t->line);
    json_key(w, "command");
    json_str(w, t->command);
    json_key(w, "type");
    json_str(w, qftp_cmd_type_name(t->type));
    json_key(w, "params");
    json_begin_arr(w);
    for (size_t i = 0; i < t->n_params; i++)
        json_str(w, t->params[i]);
    json_end_arr(w);
    json_key(w, "known");
    json_bool(w, t->def != NULL);
    json_key(w, "echo");
    json_bool(w, t->echoed);
    json_key(w, "info");
    json_begin_arr(w);
    for (size_t i = 0; i < t->n_info; i++)
        json_str(w, t->info[i]);
    json_end_arr(w);
    json_key(w, "final");
    json_str(w, t->final ? qftp_final_name(t->final) : NULL);
    json_key(w, "cme_error");
    if (t->cme_code >= 0)
        json_int(w, t->cme_code);
    else
        json_str(w, t->cme_text);
    json_key(w, "connect");
    json_bool(w, t->connect);
    json_key(w, "connect_len");
    if (t->connect_len >= 0)
        json_int(w, t->connect_len);
    else
        json_null(w);
    json_key(w, "data_len");
    if (t->data_len >= 0)
        json_int(w, t->data_len);
    else
        json_null(w);
    json_key(w, "data_dir");
    json_str(w, t->data_len >= 0 ? (t->data_dir == QFTP_DIR_TX ? "host->module" : "module->host")
                                 : NULL);
    json_key(w, "data_end");
    json_str(w, t->data_len >= 0 ? qftp_data_end_reason_name(t->data_end) : NULL);
    json_key(w, "urc");
    json_str(w, t->urc);
    json_key(w, "err");
    if (t->has_err)
        json_int(w, t->err);
    else
        json_null(w);
    json_key(w, "protocol_error");
    if (t->has_pe)
        json_int(w, t->protocol_error);
    else
        json_null(w);
    json_key(w, "value");
    if (t->value.kind == QFTP_VAL_INT)
        json_int(w, t->value.i);
    else
        json_str(w, t->value.kind == QFTP_VAL_STR ? t->value.s : NULL);
    json_key(w, "t_sent");
    json_time(w, s, t->t_sent, true);
    json_key(w, "t_final");
    json_time(w, s, t->t_final, t->final != QFTP_FINAL_NONE);
    json_key(w, "t_done");
    json_time(w, s, t->t_done, t->urc != NULL);
    json_key(w, "times_synthesised");
    json_bool(w, is_synth(x, t->frame_sent) ||
                     (t->final != QFTP_FINAL_NONE && is_synth(x, t->frame_final)) ||
                     (t->urc && is_synth(x, t->frame_done)));
    json_key(w, "frame_sent");
    json_int(w, (int64_t)t->frame_sent);
    json_key(w, "frame_final");
    if (t->final != QFTP_FINAL_NONE)
        json_int(w, (int64_t)t->frame_final);
    else
        json_null(w);
    json_key(w, "frame_done");
    if (t->urc)
        json_int(w, (int64_t)t->frame_done);
    else
        json_null(w);
    json_key(w, "notes");
    json_begin_arr(w);
    for (size_t i = 0; i < t->n_notes; i++)
        json_note(w, s, &t->notes[i]);
    json_end_arr(w);
    json_verdict(w, x->v, s, t, tv);
    json_end_obj(w);
}

/* The document's head: written before the first transaction. */
static void json_start(show_ctx *x)
{
    if (x->started)
        return;
    x->started = true;
    json_init(&x->w, stdout, true);
    json_begin_obj(&x->w);
    json_key(&x->w, "input");
    json_str(&x->w, x->what);
    json_key(&x->w, "transactions");
    json_begin_arr(&x->w);
}

/* Starts an element of a spilled array: a writer on the section's file that stands where
 * the element will stand in the document (inside the top object's array). */
static json_w *side_writer(show_ctx *x, spill *sp)
{
    json_flush(&x->side); /* the previous element, to its own section's file */
    spill_open(sp);
    json_init(&x->side, sp->f, true);
    x->side.depth = 2;
    x->side.first[1] = false;
    x->side.first[2] = sp->n == 0;
    sp->n++;
    return &x->side;
}

/* A spilled array in place: its elements were written as they would be here. */
static void json_spilled(show_ctx *x, const char *key, spill *sp)
{
    json_key(&x->w, key);
    json_begin_arr(&x->w);
    json_flush(&x->side);
    json_flush(&x->w);
    fflush(stdout);
    spill_copy(sp);
    x->w.first[x->w.depth] = sp->n == 0;
    json_end_arr(&x->w);
}

/* ---- what the session hands over ---------------------------------------------------------- */

/* The summary counts what the verdict says: a transfer the log holds only part of is a
 * failure, a command whose outcome the log does not reach is not. */
static void count_txn(show_ctx *x, const qftp_txn *t, const qftp_txn_verdict *tv)
{
    x->n++;
    if (tv->kind == QFTP_FAIL_UNFINISHED)
        x->pending++;
    else if (!tv->failed)
        x->ok++;
    else
        x->failed++;
    if (tv->key[0]) {
        size_t *count = g_hash_table_lookup(x->codes, tv->key);
        if (!count) {
            count = g_new0(size_t, 1);
            g_hash_table_insert(x->codes, g_strdup(tv->key), count);
        }
        (*count)++;
    }
    for (size_t k = 0; k < t->n_notes; k++)
        x->sev[t->notes[k].severity & 3]++;
}

/* --failures: the failure in words and its chain, above the transaction. */
static void print_failure(show_ctx *x, const qftp_txn *t, const qftp_txn_verdict *tv)
{
    qftp_failure f = {0};
    f.v = *tv;
    f.last_index = t->index;
    char buf[1024];
    ob_flush(&x->out);
    printf("\n%s%s%s\n", C_RED, qftp_failure_headline(x->v, &f, buf, sizeof buf), C_RESET);
    for (size_t i = 0; i < tv->n_links; i++)
        printf("  - %s\n", qftp_link_sentence(x->v, tv, &tv->links[i], buf, sizeof buf));
}

static void on_txn(void *user, const qftp_txn *t)
{
    show_ctx *x = user;
    qftp_txn_words w;
    qftp_txn_describe_results(t, &w); /* neither the transcript nor JSON shows `what` */
    const qftp_txn_verdict *tv = qftp_verdict_txn_described(x->v, t, &w);
    count_txn(x, t, tv);
    if (x->failures_only && !tv->failed)
        return;
    if (x->json) {
        json_start(x);
        json_txn(&x->w, x, t, tv);
        json_flush(&x->w); /* each transaction goes out whole (a live input shows as it comes) */
        for (size_t i = 0; i < t->n_notes; i++)
            note_first(x, &t->notes[i], t->index);
    } else {
        if (!x->started) { /* the first: after the first line and what the session learnt */
            text_start(x);
            printf("\n");
        }
        if (x->failures_only)
            print_failure(x, t, tv);
        print_txn(x, t, &w);
    }
}

static void on_unsolicited(void *user, const qftp_unsolicited *u)
{
    show_ctx *x = user;
    qftp_verdict_unsolicited(x->v, u);
    if (x->json) {
        json_w *w = side_writer(x, &x->unsol);
        json_begin_obj(w);
        json_key(w, "line");
        json_str(w, u->line);
        json_key(w, "t");
        json_num(w, rel(x->s, u->ts), 6);
        json_key(w, "frame");
        json_int(w, (int64_t)u->frame);
        json_key(w, "err");
        if (u->has_err)
            json_int(w, u->err);
        else
            json_null(w);
        json_key(w, "context");
        json_str(w, u->context ? qftp_context_kind_name(u->context) : NULL);
        json_end_obj(w);
        return;
    }
    spill_open(&x->unsol);
    x->unsol.n++;
    FILE *f = x->unsol.f;
    fprintf(f, "      %s%c%9.3f%s  %s", C_DIM, is_synth(x, u->frame) ? '~' : '+', rel(x->s, u->ts),
            C_RESET, u->line);
    if (u->has_err) {
        char words[160];
        qftp_describe_result(u->err, 0, false, words, sizeof words);
        fprintf(f, "  %s%s%s", C_YELLOW, words, C_RESET);
    }
    fputc('\n', f);
}

/* A context event: in JSON an element of "context"; in the transcript its words under
 * the unsolicited line (an information response's are a note of its command). */
static void on_context(void *user, const qftp_context_event *c)
{
    show_ctx *x = user;
    if (x->json) {
        json_w *w = side_writer(x, &x->contexts);
        json_begin_obj(w);
        json_key(w, "kind");
        json_str(w, qftp_context_kind_name(c->ctx.kind));
        json_key(w, "level");
        json_str(w, qftp_context_level_name(c->ctx.level));
        json_key(w, "line");
        json_str(w, c->line);
        json_key(w, "value");
        if (c->ctx.value >= 0)
            json_int(w, c->ctx.value);
        else
            json_null(w);
        json_key(w, "words");
        json_str(w, c->ctx.words);
        json_key(w, "source");
        json_str(w, c->ctx.source);
        json_key(w, "t");
        json_num(w, rel(x->s, c->ts), 6);
        json_key(w, "frame");
        json_int(w, (int64_t)c->frame);
        json_key(w, "state");
        json_str(w, qftp_state_name(c->state));
        json_key(w, "answer_to");
        if (c->txn_index)
            json_int(w, c->txn_index);
        else
            json_null(w);
        json_key(w, "affects");
        json_begin_arr(w);
        for (size_t i = 0; i < c->n_affects; i++)
            json_int(w, c->affects[i]);
        json_end_arr(w);
        json_end_obj(w);
        return;
    }
    if (c->txn_index || !x->unsol.f)
        return;
    fprintf(x->unsol.f, "                  %s%s", c->ctx.level ? sev_colour(QFTP_SEV_WARN) : C_DIM,
            c->ctx.words);
    if (c->n_affects) {
        fprintf(x->unsol.f, "; under way then: ");
        for (size_t i = 0; i < c->n_affects; i++)
            fprintf(x->unsol.f, "%s#%u", i ? ", " : "", c->affects[i]);
    }
    fprintf(x->unsol.f, " (%s)%s\n", c->ctx.source, C_RESET);
}

static void on_note(void *user, const qftp_note *n)
{
    show_ctx *x = user;
    x->sev[n->severity & 3]++;
    if (x->json) {
        json_note(side_writer(x, &x->notes), x->s, n);
        return;
    }
    if (n->severity == QFTP_SEV_INFO && x->n == 0) {
        /* what the session learnt before the first transaction: under the first line */
        ob_flush(&x->out);
        text_start(x);
        printf("%s%s%s\n", C_DIM, n->text, C_RESET);
        return;
    }
    if (n->severity == QFTP_SEV_INFO)
        return;
    spill_open(&x->notes);
    x->notes.n++;
    fprintf(x->notes.f, "      %s%c%9.3f  %s: %s%s\n", sev_colour(n->severity),
            x->synth_seen && !x->real_seen ? '~' : '+', rel(x->s, n->ts),
            qftp_severity_name(n->severity), n->text, C_RESET);
}

/* A transition to the verdict, then as an element of "transitions". Out of line: the
 * transcript's path through on_transition is a jump to the verdict's. */
static __attribute__((noinline)) void json_transition(show_ctx *x, const qftp_transition *tr)
{
    qftp_verdict_transition(x->v, tr);
    json_w *w = side_writer(x, &x->transitions);
    json_begin_obj(w);
    json_key(w, "from");
    json_str(w, qftp_state_name(tr->from));
    json_key(w, "to");
    json_str(w, qftp_state_name(tr->to));
    json_key(w, "t");
    json_num(w, rel(x->s, tr->ts), 6);
    json_key(w, "index");
    if (tr->txn_index)
        json_int(w, tr->txn_index);
    else
        json_null(w);
    json_end_obj(w);
}

static void on_transition(void *user, const qftp_transition *tr)
{
    show_ctx *x = user;
    if (x->json)
        json_transition(x, tr);
    else
        qftp_verdict_transition(x->v, tr);
}

/* The verdict of the whole input: counts, the failures that matter, the silences. */
static void json_verdict_summary(show_ctx *x)
{
    json_w *w = &x->w;
    qftp_verdict_counts c;
    qftp_verdict_counts_get(x->v, &c);
    char buf[1024];
    json_key(w, "verdict");
    json_begin_obj(w);
    json_key(w, "ok");
    json_bool(w, c.failed == 0);
    json_key(w, "failed");
    json_int(w, (int64_t)c.failed);
    json_key(w, "unfinished");
    json_int(w, (int64_t)c.unfinished);
    json_key(w, "failures");
    json_begin_arr(w);
    for (size_t i = 0; i < qftp_verdict_failure_count(x->v); i++) {
        const qftp_failure *f = qftp_verdict_failure(x->v, i);
        json_begin_obj(w);
        json_key(w, "index");
        json_int(w, f->v.index);
        json_key(w, "verdict");
        json_str(w, qftp_fail_kind_name(f->v.kind));
        json_key(w, "text");
        json_str(w, qftp_failure_headline(x->v, f, buf, sizeof buf));
        json_key(w, "repeats");
        json_int(w, f->repeats);
        json_key(w, "last_index");
        json_int(w, f->last_index);
        json_key(w, "recovered_by");
        if (f->recovered_by)
            json_int(w, f->recovered_by);
        else
            json_null(w);
        json_key(w, "follows");
        if (f->root)
            json_int(w, f->root);
        else
            json_null(w);
        json_key(w, "causes");
        json_begin_arr(w);
        for (size_t k = 0; k < f->v.n_links; k++)
            json_str(w, qftp_link_sentence(x->v, &f->v, &f->v.links[k], buf, sizeof buf));
        json_end_arr(w);
        json_end_obj(w);
    }
    json_end_arr(w);
    json_key(w, "gaps");
    json_begin_arr(w);
    for (size_t i = 0; i < qftp_verdict_gap_count(x->v); i++) {
        const qftp_gap *g = qftp_verdict_gap(x->v, i);
        json_begin_obj(w);
        json_key(w, "t");
        json_num(w, rel(x->s, g->from), 6);
        json_key(w, "seconds");
        json_num(w, (double)(g->to - g->from) / 1e9, 3);
        json_key(w, "over_rsptimeout");
        json_bool(w, g->over_rsptimeout);
        json_end_obj(w);
    }
    json_end_arr(w);
    json_end_obj(w);
}

/* After the last transaction: the spilled sections and the summary. */
static void show_end(show_ctx *x)
{
    if (x->json) {
        json_start(x);
        json_end_arr(&x->w);
        json_spilled(x, "unsolicited", &x->unsol);
        json_spilled(x, "notes", &x->notes);
        json_spilled(x, "transitions", &x->transitions);
        json_spilled(x, "context", &x->contexts);
        json_key(&x->w, "grouped_notes");
        json_begin_arr(&x->w);
        for (guint i = 0; i < x->group_order->len; i++) {
            note_group *g = g_ptr_array_index(x->group_order, i);
            if (g->count < 2)
                continue;
            json_begin_obj(&x->w);
            json_key(&x->w, "kind");
            json_kind(&x->w, g->kind);
            json_key(&x->w, "severity");
            json_str(&x->w, qftp_severity_name(g->severity));
            json_key(&x->w, "text");
            json_str(&x->w, g->text);
            json_key(&x->w, "count");
            json_int(&x->w, (int64_t)g->count);
            json_key(&x->w, "transactions"); /* [from, to] ranges */
            json_begin_arr(&x->w);
            for (size_t k = 0; k < g->n_ranges * 2; k += 2) {
                json_begin_arr(&x->w);
                json_int(&x->w, g->ranges[k]);
                json_int(&x->w, g->ranges[k + 1]);
                json_end_arr(&x->w);
            }
            json_end_arr(&x->w);
            json_end_obj(&x->w);
        }
        json_end_arr(&x->w);
        json_key(&x->w, "layout");
        if (x->kind == INPUT_LOG) {
            json_begin_obj(&x->w);
            json_key(&x->w, "name");
            json_str(&x->w, qftp_log_format_name(x->info.format));
            json_key(&x->w, "detected");
            json_bool(&x->w, x->info.detected);
            json_key(&x->w, "why");
            json_str(&x->w, x->info.why);
            json_key(&x->w, "lines");
            json_int(&x->w, (int64_t)x->info.lines);
            json_key(&x->w, "skipped");
            json_int(&x->w, (int64_t)x->info.skipped);
            json_key(&x->w, "first_skipped");
            if (x->info.skipped)
                json_int(&x->w, (int64_t)x->info.first_skipped);
            else
                json_null(&x->w);
            if (x->info.repaired) {
                /* only when there are some: the documents of clean logs stay as they were */
                json_key(&x->w, "repaired");
                json_int(&x->w, (int64_t)x->info.repaired);
                json_key(&x->w, "first_repaired");
                json_int(&x->w, (int64_t)x->info.first_repaired);
            }
            json_end_obj(&x->w);
        } else {
            json_null(&x->w);
        }
        json_key(&x->w, "module_side_only");
        json_bool(&x->w, qftp_session_module_side_only(x->s));
        json_key(&x->w, "dialect");
        json_str(&x->w, qftp_dialect_name(qftp_session_dialect(x->s)));
        json_key(&x->w, "times_synthesised");
        json_bool(&x->w, x->synth_seen);
        json_key(&x->w, "state");
        json_str(&x->w, qftp_state_name(qftp_session_state(x->s)));
        json_verdict_summary(x);
        json_end_obj(&x->w);
        json_end(&x->w);
        return;
    }
    ob_flush(&x->out);
    if (!x->started) {
        text_start(x);
        printf("\n");
    }
    if (x->failures_only && x->failed == 0)
        printf("No failure.\n");
    if (x->unsol.n && !x->failures_only) {
        printf("\n%sUnsolicited%s\n", C_BOLD, C_RESET);
        fflush(stdout);
        spill_copy(&x->unsol);
    }
    if (x->notes.n && !x->failures_only) {
        printf("\n%sNotes%s\n", C_BOLD, C_RESET);
        fflush(stdout);
        spill_copy(&x->notes);
    }
    print_repeated(x);
    print_summary(x);
}

/* ---- command ------------------------------------------------------------------------------ */

static void show_options(tool_cmdline *cl, void *opts)
{
    show_opts *o = opts;
    const GOptionEntry main_entries[] = {
        {"json", 'j', 0, G_OPTION_ARG_NONE, &o->json,
         "print one JSON document instead of the transcript (its contract: docs/show.md)", NULL},
        {"redact", 'r', 0, G_OPTION_ARG_NONE, &o->redact,
         "mask passwords and other secret parameters in everything shown", NULL},
        {"failures", 0, 0, G_OPTION_ARG_NONE, &o->failures,
         "show only the transactions that failed (a short transfer included), each with the "
         "failure in words and the context that led to it",
         NULL},
        {"dialect", 0, 0, G_OPTION_ARG_FILENAME, &o->dialect,
         "the command set: gsm (M95, M66, MC60) or bg96 (BG96, BG95, EC2x, EG9x); default "
         "auto, from the commands seen",
         "auto|gsm|bg96"},
        {"rsptimeout", 0, 0, G_OPTION_ARG_FILENAME, &o->rsptimeout,
         "note an outcome later than this many seconds (default 90, the BG96 <timeout>; an "
         "AT+QFTPCFG=\"rsptimeout\" in the session changes it)",
         "SECONDS"},
        {"color", 0, 0, G_OPTION_ARG_FILENAME, &o->colour,
         "colour the transcript: auto (on a terminal, unless NO_COLOR is set), always or never",
         "auto|always|never"},
        {"colour", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &o->colour, "same as --color",
         "auto|always|never"},
        {NULL}};
    tool_options(cl, NULL, NULL, NULL, main_entries);
    input_options(cl, &o->in);
}

static int show_check(tool_cmdline *cl, void *opts, int argc, char **argv)
{
    show_opts *o = opts;
    qftp_session_opts_init(&o->so);
    o->io = (input_opts){QFTP_FMT_AUTO, NULL, false, true, false};
    if (argc == 0)
        return tool_usage(cl, "expects an INPUT: a capture or a text log (- for standard input)");
    if (argc > 1)
        return tool_usage(cl, "expects one INPUT, not %d (the second: '%s')", argc, argv[1]);
    o->input = argv[0];
    o->so.redact = o->io.redact = o->redact;
    if (o->dialect) {
        int d = qftp_dialect_from_name(o->dialect);
        if (d < 0)
            return tool_bad_choice(cl, "--dialect", o->dialect);
        o->so.dialect = (qftp_dialect)d;
    }
    if (o->rsptimeout) {
        char *end;
        double v = strtod(o->rsptimeout, &end);
        if (*end || end == o->rsptimeout || !(v > 0 && v <= 86400))
            return tool_usage(cl,
                              "--rsptimeout %s: expected seconds, more than 0 and at most 86400",
                              o->rsptimeout);
        o->so.rsptimeout = (qftp_ts)(v * 1e9);
    }
    if (o->colour) {
        o->colour_always = strcmp(o->colour, "always") == 0;
        o->colour_never = strcmp(o->colour, "never") == 0;
        if (!o->colour_always && !o->colour_never && strcmp(o->colour, "auto") != 0)
            return tool_bad_choice(cl, "--color", o->colour);
    }
    return input_check(cl, &o->in, &o->io);
}

static void show_ctx_free(show_ctx *x)
{
    json_flush(&x->w); /* nothing written is lost, whatever path ends the run */
    g_hash_table_destroy(x->codes);
    for (size_t i = 0; i < QFTP_NOTE__COUNT; i++) {
        g_free(x->last_note[i].text);
        g_free(x->last_note[i].runs);
    }
    g_hash_table_destroy(x->groups);
    g_ptr_array_free(x->group_order, TRUE);
    g_array_free(x->synth, TRUE);
    g_free(x->out.p);
    for (size_t i = 0; i < x->n_defs; i++)
        g_free(x->def_lines[i].text);
    g_free(x->def_lines);
}

static int show_run(void *opts, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    show_opts *o = opts;
    const char *path = o->input;
    bool json = o->json;
    use_colour =
        !json && !o->colour_never && (o->colour_always || (isatty(1) && !getenv("NO_COLOR")));
    if (!isatty(1)) /* a file or a pipe: written in large blocks */
        setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    if (!json) { /* lines of the input are printed: made safe for a terminal */
        FILE *safe = tool_safe_stream(1, use_colour ? TOOL_KEEP_SGR : 0, isatty(1));
        if (safe)
            stdout = safe;
    }

    char err[QFTP_ERRBUF_SIZE] = "";
    show_ctx x = {0};
    x.json = json;
    x.live = isatty(1);
    x.failures_only = o->failures;
    x.path = strcmp(path, "-") == 0 ? "standard input" : path;
    x.codes = g_hash_table_new_full(code_hash, g_str_equal, g_free, g_free);
    x.groups = g_hash_table_new_full(note_key_hash, note_key_equal, g_free, NULL);
    x.group_order = g_ptr_array_new_with_free_func(note_group_free);
    x.synth = g_array_new(FALSE, TRUE, sizeof(guint64));
    x.t0 = QFTP_TS_NONE;
    x.defs = qftp_cmd_defs(&x.n_defs);
    x.def_lines = g_new0(def_line, x.n_defs);
    qftp_session_opts so = o->so;
    so.sink = (qftp_session_sink){on_txn, on_unsolicited, on_note, on_transition, &x, true};
    so.on_item = json || x.failures_only ? on_item : NULL; /* payloads: for the words only */
    so.user = &x;
    so.sink.context = on_context;
    o->io.info = &x.info;
    x.s = qftp_session_new(&so, err);
    if (!x.s) {
        tool_error("%s", err);
        show_ctx_free(&x);
        return 1;
    }
    qftp_verdict_opts vo;
    qftp_verdict_opts_init(&vo);
    vo.failure_words_only = !json;              /* the transcript names only failures' operations */
    vo.counts_only = !json && !x.failures_only; /* the transcript's summary only counts */
    x.v = qftp_verdict_new(x.s, &vo);
    int rc = input_read(path, &o->io, on_chunk, &x, &x.kind, x.what, sizeof x.what, err);
    if (rc < 0 && x.chunks == 0) {
        /* nothing was read: nothing is shown */
        tool_error("%s: %s", path, err);
        qftp_verdict_free(x.v);
        qftp_session_free(x.s);
        show_ctx_free(&x);
        return 2;
    }
    if (rc == 0 && x.kind == INPUT_LOG && x.info.traffic == 0 && !x.started) {
        /* nothing in the log decodes: say what was tried, not an empty transcript */
        char msg[2048];
        qftp_import_no_traffic(&x.info, msg, sizeof msg);
        tool_error("%s: %s", path, msg);
        qftp_verdict_free(x.v);
        qftp_session_free(x.s);
        show_ctx_free(&x);
        return 1;
    }
    qftp_session_finish(x.s, QFTP_TS_NONE);
    show_end(&x);
    qftp_verdict_free(x.v);
    qftp_session_free(x.s);
    show_ctx_free(&x);
    spill *sections[] = {&x.unsol, &x.notes, &x.transitions, &x.contexts};
    for (size_t i = 0; i < G_N_ELEMENTS(sections); i++)
        if (sections[i]->f) {
            fclose(sections[i]->f);
            free(sections[i]->mem);
        }
    if (rc < 0) {
        /* What was read is shown; the error says where reading stopped. */
        fflush(stdout);
        tool_error("%s: %s (shown up to there)", path, err);
        return 2;
    }
    return 0;
}

static const tool_example show_examples[] = {
    {NULL, "qftp show customer.log",
     "decode a customer's terminal log (any layout qftp import reads)"},
    {NULL, "qftp show --redact --json session.pcap > session.json",
     "a capture as one JSON document, passwords masked"},
    {NULL, "ssh gateway cat /var/log/modem.log | qftp show -", "a log read from standard input"},
    {NULL, "qftp show --dialect gsm --rsptimeout 180 --format socat trace.log",
     "a socat trace of an M95, outcomes noted after 3 minutes"},
    {NULL}};

static const tool_exit show_exits[] = {
    {0, "the input was read whole and decoded"},
    {1, "the decoder could not be set up, or nothing in a text log is AT traffic (the message "
        "names the layouts tried and the first line each could not read)"},
    {2, "usage error, or the input cannot be opened or is damaged: what was read before the "
        "damage is shown, and the message says where reading stopped"},
    {-1}};

const tool_command qftp_cmd_show = {
    .name = "show",
    .args = "INPUT",
    .summary = "decode a capture or a text log into a transcript (or JSON)",
    .description =
        "INPUT is a qftp capture (pcap or pcapng; link type 252, exported PDU, or 250, RTAC "
        "serial) or a terminal log in any layout `qftp import` reads; - reads it from "
        "standard input. Which one it is comes from its first bytes.\n\n"
        "Each command transaction is shown with its information responses, final result, "
        "data mode and completion URC, their timings and what they mean according to the "
        "manual of the dialect; notes say what a module or a host did wrong. A summary "
        "counts outcomes and failures by code. --json prints the same as one JSON document.",
    .examples = show_examples,
    .exits = show_exits,
    .docs = "docs/show.md",
    .opts_size = sizeof(show_opts),
    .options = show_options,
    .check = show_check,
    .run = show_run,
};
