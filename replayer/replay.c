/* replay.c - `qftp replay`: drives the host side of recorded sessions against a
 * module and compares, transaction by transaction, what it answers with what the
 * golden capture shows (docs/replay.md).
 *
 * One step = one command transaction of the golden capture. A step writes the
 * command (after the rules' rewrites), the recorded upload after CONNECT (with "+++"
 * and its guard times when the recording escaped), and waits for what the recording
 * shows before the next command: final result, CONNECT, end of the download, the
 * completion URC. The live bytes go through a qftp_session of their own, so the two
 * sides are compared as item lists of the same shape.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "device.h"
#include "qftp/redact.h"
#include "qftptool/input.h"
#include "replay.h"

typedef struct {
    const char *device;
    long baud;
    rp_flow flow;
    double scale;
    bool ignore_echo;
    bool stop_on_fail;
    GArray *steps; /* --steps ranges, NULL = all */
    bool dry_run;
    const char *record;
    bool update;
    const char *junit, *json;
    bool tap, lava;
    bool progress;
    int connect_timeout_ms;
    bool verbose;
    rp_rules *rules;
} rp_opts;

/* The replay step's state machine: one names table, one setter (for --verbose style
 * logging and so a step never skips a phase silently). */
typedef enum {
    RS_IDLE = 0,
    RS_SENT,   /* command written, waiting for CONNECT (upload) or the outcome */
    RS_UPLOAD, /* writing the recorded upload */
    RS_ESCAPE, /* guard time, "+++" */
    RS_WAIT,   /* waiting for the rest of what the recording shows */
    RS_COMPARE,
    RS_DONE,
} rs_state;

static const char *const rs_state_names[] = {"IDLE", "SENT",    "UPLOAD", "ESCAPE",
                                             "WAIT", "COMPARE", "DONE"};

typedef struct {
    const rp_opts *o;
    rp_plan *plan;
    rp_items *live;
    rp_device dev;
    qftp_capture_writer *w;
    bool gone;
    char gone_msg[QFTP_ERRBUF_SIZE];
    int64_t last_rx_mono;   /* monotonic time of the last chunk read */
    uint64_t rx_total;      /* bytes read from the device */
    unsigned silent;        /* steps in a row that timed out with nothing read */
    unsigned silent_first;  /* the first of them */
    int64_t silent_since;   /* when its command was written (monotonic) */
    unsigned *live_index;   /* per step: live txn index, 0 = not sent */
    qftp_ts *deadline_real; /* per step: its full-outcome deadline (monotonic ns) */
    bool *timed_out;
    rs_state state;
    unsigned step;   /* the step under way, for the log */
    GArray *pending; /* of size_t: steps whose outcome is partly still to come */
    bool verbose;
    rp_scrubber *scrub; /* secrets out of the recording */
} rp_run;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * QFTP_NS_PER_SEC + t.tv_nsec;
}

static qftp_ts real_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (qftp_ts)t.tv_sec * QFTP_NS_PER_SEC + t.tv_nsec;
}

static void set_state(rp_run *r, rs_state s)
{
    if (r->verbose && s != r->state)
        fprintf(stderr, "qftp replay: step %u: %s -> %s\n", r->step, rs_state_names[r->state],
                rs_state_names[s]);
    r->state = s;
}

/* ---- the device loop ---------------------------------------------------------------- */

/* The recording (and --update's golden) never holds a secret given on the command line:
 * the bytes go through the scrubber, which may hold a chunk's tail for the next one. */
static void record(rp_run *r, qftp_dir dir, const uint8_t *b, size_t n, qftp_ts ts)
{
    if (!r->w)
        return;
    char err[QFTP_ERRBUF_SIZE];
    b = rp_scrubber_feed(r->scrub, dir, b, n, &n);
    if (n && qftp_capw_write(r->w, dir, ts, false, b, n, err) != 0) {
        fprintf(stderr, "qftp replay: recording: %s (recording stopped)\n", err);
        qftp_capw_close(r->w, true, err);
        r->w = NULL;
    }
}

/* Writes what the scrubber holds (end of a step, end of the run). */
static void record_flush(rp_run *r)
{
    char err[QFTP_ERRBUF_SIZE];
    for (int d = 0; r->w && d < 2; d++) {
        size_t n;
        const uint8_t *b = rp_scrubber_flush(r->scrub, (qftp_dir)d, &n);
        if (n && qftp_capw_write(r->w, (qftp_dir)d, real_ns(), false, b, n, err) != 0) {
            fprintf(stderr, "qftp replay: recording: %s (recording stopped)\n", err);
            qftp_capw_close(r->w, true, err);
            r->w = NULL;
        }
    }
    if (r->w)
        qftp_capw_flush(r->w, err);
}

/* A command line as reports show it: its secret parameters as **** (qftp/redact.h). */
static char *shown_command(const char *line)
{
    char *red = qftp_redact_dup((const uint8_t *)line, strlen(line), QFTP_DIALECT_UNKNOWN, NULL);
    return red ? red : g_strdup(line);
}

static void mark_gone(rp_run *r, const char *what, int err)
{
    if (r->gone)
        return;
    r->gone = true;
    snprintf(r->gone_msg, sizeof r->gone_msg, "device %s %s%s%s", r->dev.name, what,
             err ? ": " : "", err ? strerror(err) : "");
}

/* Reads whatever the device has within timeout_ms, feeding the live session and the
 * recording. Returns -1 once the device is gone. */
static int pump(rp_run *r, int timeout_ms)
{
    if (r->gone)
        return -1;
    if (interrupted) {
        mark_gone(r, "run interrupted by a signal", 0);
        return -1;
    }
    struct pollfd p = {.fd = r->dev.fd, .events = POLLIN};
    int n = poll(&p, 1, timeout_ms);
    if (n < 0) {
        if (errno == EINTR)
            return 0;
        mark_gone(r, "poll failed", errno);
        return -1;
    }
    if (n == 0)
        return 0;
    for (int rounds = 0; rounds < 64; rounds++) {
        uint8_t buf[65536];
        ssize_t got = read(r->dev.fd, buf, sizeof buf);
        int err = errno;
        if (got > 0) {
            qftp_ts ts = real_ns();
            r->last_rx_mono = mono_ns();
            r->rx_total += (uint64_t)got;
            record(r, QFTP_DIR_RX, buf, (size_t)got, ts);
            rp_items_feed(r->live, QFTP_DIR_RX, buf, (size_t)got, ts, r->last_rx_mono);
            if (r->live->over_cap) {
                char what[96];
                snprintf(what, sizeof what, "floods: more than %u MiB sent", RP_STREAM_CAP >> 20);
                mark_gone(r, what, 0);
                return -1;
            }
            if (r->live->over_items) {
                /* a flooding device: what it sends beyond this is kept nowhere, so stop */
                char what[96];
                if (r->live->over_items == UINT_MAX)
                    snprintf(what, sizeof what, "floods: more than %d unsolicited lines",
                             RP_ITEMS_CAP);
                else
                    snprintf(what, sizeof what, "floods: more than %d lines in one step",
                             RP_ITEMS_CAP);
                mark_gone(r, what, 0);
                return -1;
            }
            if ((size_t)got < sizeof buf)
                break;
            continue;
        }
        if (rp_device_gone(got, err)) {
            mark_gone(r, got == 0 ? "closed the connection" : "went away", got == 0 ? 0 : err);
            return -1;
        }
        break;
    }
    return 0;
}

/* Writes all of b, reading the device meanwhile so neither side blocks. Returns 0, -1
 * when the device is gone, -2 when it took no byte until `deadline` (monotonic). */
static int write_all(rp_run *r, const uint8_t *b, size_t n, int64_t deadline)
{
    size_t off = 0;
    while (off < n) {
        if (r->gone)
            return -1;
        if (mono_ns() >= deadline)
            return -2;
        ssize_t w = write(r->dev.fd, b + off, n - off);
        if (w > 0) {
            qftp_ts ts = real_ns();
            record(r, QFTP_DIR_TX, b + off, (size_t)w, ts);
            rp_items_feed(r->live, QFTP_DIR_TX, b + off, (size_t)w, ts, mono_ns());
            off += (size_t)w;
            continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            struct pollfd p = {.fd = r->dev.fd, .events = POLLOUT | POLLIN};
            if (poll(&p, 1, 1000) < 0 && errno != EINTR) {
                mark_gone(r, "poll failed", errno);
                return -1;
            }
            if ((p.revents & (POLLIN | POLLHUP | POLLERR)) && pump(r, 0) < 0)
                return -1;
            if (interrupted) {
                mark_gone(r, "run interrupted by a signal", 0);
                return -1;
            }
            continue;
        }
        mark_gone(r, "refused a write", w < 0 ? errno : 0);
        return -1;
    }
    return 0;
}

/* Keeps reading for ns (guard times). */
static int quiet_wait(rp_run *r, int64_t ns)
{
    int64_t end = mono_ns() + ns;
    for (int64_t now = mono_ns(); now < end; now = mono_ns())
        if (pump(r, (int)((end - now) / QFTP_NS_PER_MS) + 1) < 0)
            return -1;
    return 0;
}

static const qftp_txn *live_txn(const rp_run *r, unsigned live_idx)
{
    if (live_idx == 0 || live_idx > qftp_session_txn_count(r->live->s))
        return NULL;
    return qftp_session_txn(r->live->s, live_idx - 1);
}

/* What of `want` the live transaction still owes; "" when nothing. A transaction the
 * session considers done owes nothing more: whatever is missing will not come. */
static const char *owed(const rp_step *st, const qftp_txn *lt, bool want_all)
{
    const qftp_txn *g = st->txn;
    bool final = want_all ? g->final != QFTP_FINAL_NONE : st->want_final;
    bool connect = want_all ? g->connect : st->want_connect;
    bool urc = want_all ? g->urc != NULL : st->want_urc;
    bool data = want_all ? (g->data_len >= 0 && g->data_dir == QFTP_DIR_RX) : st->want_data_end;
    if (!lt)
        return "an answer";
    if (lt->phase == QFTP_TXN_DONE)
        return "";
    if (connect && !lt->connect && lt->final == QFTP_FINAL_NONE)
        return "CONNECT";
    if (data && lt->connect && lt->phase == QFTP_TXN_DATA)
        return "the end of the data";
    if (final && lt->final == QFTP_FINAL_NONE)
        return "the final result";
    if (urc && !lt->urc)
        return "the completion URC";
    return "";
}

/* One round of a wait: reads the device until the deadline (at most 200 ms).
 * 1: the deadline passed (*timed_out set); 0: go on; -1: the device is gone. */
static int pump_until(rp_run *r, int64_t deadline, bool *timed_out)
{
    int64_t now = mono_ns();
    if (now >= deadline) {
        *timed_out = true;
        return 1;
    }
    int64_t left = (deadline - now) / QFTP_NS_PER_MS + 1;
    return pump(r, (int)(left < 200 ? left : 200)) < 0 ? -1 : 0;
}

/* When a step stops waiting (docs/replay.md "Timeouts"). */
typedef struct {
    int64_t deadline;  /* its limit: no tighter than what the module may take */
    int64_t quiet_end; /* with not one byte from the device by then, it is silent */
    uint64_t rx_before;
    int64_t gap; /* a transfer under way: its limit moves on with each packet (the
                    module's rsptimeout is the longest gap between two, BG96 2.1) */
} rp_wait;

/* The deadline of this round: the step's, later while its transfer delivers data, sooner
 * while the device has said nothing at all. */
static int64_t round_deadline(const rp_run *r, const rp_wait *w, const qftp_txn *lt)
{
    int64_t d = w->deadline;
    if (w->gap > 0 && lt && lt->phase == QFTP_TXN_DATA && r->rx_total != w->rx_before &&
        r->last_rx_mono + w->gap > d)
        d = r->last_rx_mono + w->gap;
    if (r->rx_total == w->rx_before && w->quiet_end < d)
        d = w->quiet_end;
    return d;
}

/* Waits until the live txn owes nothing of what the step wants, or the deadline. A
 * download that a completion URC with the wrong count holds open ends there once the
 * device has been quiet RP_SETTLE_MS: the transfer is over, short, and this step's
 * comparison says so (the next step's bytes are its own). */
static int wait_for(rp_run *r, const rp_step *st, unsigned live_idx, const rp_wait *w,
                    bool want_all, bool *timed_out)
{
    int k = 0;
    const char *o;
    while (k == 0 && *(o = owed(st, live_txn(r, live_idx), want_all))) {
        if (strcmp(o, "the end of the data") == 0 && r->last_rx_mono >= 0 &&
            mono_ns() - r->last_rx_mono >= (int64_t)RP_SETTLE_MS * QFTP_NS_PER_MS &&
            qftp_session_data_break(r->live->s, real_ns()))
            continue;
        k = pump_until(r, round_deadline(r, w, live_txn(r, live_idx)), timed_out);
    }
    return k < 0 ? -1 : 0;
}

/* Until the live txn has CONNECT, or is over, or failed. */
static bool connect_or_over(const qftp_txn *lt)
{
    return lt && (lt->connect || lt->phase == QFTP_TXN_DONE ||
                  (lt->final != QFTP_FINAL_NONE && lt->final != QFTP_FINAL_OK));
}

static int wait_connect(rp_run *r, unsigned li, const rp_wait *w, bool *timed_out)
{
    int k = 0;
    while (k == 0 && !connect_or_over(live_txn(r, li)))
        k = pump_until(r, round_deadline(r, w, NULL), timed_out);
    return k < 0 ? -1 : 0;
}

/* What the recording says a step may take: twice what it took plus 5 s (a loaded host, a
 * slower network), times --timeout-scale. */
static qftp_ts recorded_limit(const rp_run *r, qftp_ts rec)
{
    return (qftp_ts)((double)(2 * rec + 5 * QFTP_NS_PER_SEC) * r->o->scale);
}

/* What the module may legitimately take: the manuals bound every FTP outcome by the
 * response timeout (BG96 2.1 <timeout>: each +QFTPxxx URC, CONNECT, and the gap between
 * two packets of a transfer; 90 s unless AT+QFTPCFG="rsptimeout" said otherwise, which
 * the live session tracks); the other commands get the same bound, and a GSM upload its
 * AT+QFTPPUT <time> (GSM 2.2.3, 900 s by default). */
static qftp_ts manual_limit(const rp_run *r, const rp_step *st)
{
    qftp_ts t = qftp_session_rsptimeout(r->live->s);
    const qftp_txn *g = st->txn;
    if (r->plan->dialect == QFTP_DIALECT_GSM && strcmp(g->command, "+QFTPPUT") == 0) {
        int64_t secs = 900;
        if (g->n_params >= 3)
            secs = g_ascii_strtoll(g->params[2], NULL, 10);
        if (secs > 0 && secs * QFTP_NS_PER_SEC > t)
            t = secs * QFTP_NS_PER_SEC;
    }
    return t;
}

/* A step's timeout: a `timeout` rule, else the larger of the scaled recording and the
 * manual's limit (docs/replay.md "Timeouts"). */
static qftp_ts step_timeout(const rp_run *r, const rp_step *st, const char *line, qftp_ts rec)
{
    qftp_ts t = rp_rules_limit(r->o->rules, RP_RULE_TIMEOUT, st->number, line);
    if (t)
        return t;
    qftp_ts a = recorded_limit(r, rec), b = manual_limit(r, st);
    return a > b ? a : b;
}

/* A wait for what is still owed after the step's own wait (no silence rule). */
static rp_wait later_wait(const rp_run *r, int64_t deadline)
{
    rp_wait w = {.deadline = deadline, .quiet_end = INT64_MAX, .rx_before = UINT64_MAX};
    w.gap = qftp_session_rsptimeout(r->live->s);
    return w;
}

/* ---- comparison ---------------------------------------------------------------------- */

static const uint8_t *txn_data(const rp_items *c, const qftp_txn *t, size_t *n)
{
    *n = 0;
    if (!t || t->data_len < 0 || t->data_dir != QFTP_DIR_RX)
        return NULL;
    if (t->data_offset + (uint64_t)t->data_len > c->rx->len)
        return NULL;
    *n = (size_t)t->data_len;
    return c->rx->data + t->data_offset;
}

/* Binary payload shown in a report: anything but printable ASCII becomes '.'. */
static void printable(char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            *s = '.';
}

/* The data item of both sides as text, so a difference shows in the diff. */
/* One row of a hex dump: "-00000010  73 8f ... |s...|" (the bytes of [off, off+16)). */
static void hex_row(GString *o, char mark, size_t off, const uint8_t *b, size_t n)
{
    g_string_append_printf(o, "%c%08zx ", mark, off);
    for (size_t i = 0; i < 16; i++) {
        if (i == 8)
            g_string_append_c(o, ' ');
        if (off + i < n)
            g_string_append_printf(o, " %02x", b[off + i]);
        else
            g_string_append(o, "   ");
    }
    g_string_append(o, "  |");
    for (size_t i = 0; i < 16 && off + i < n; i++)
        g_string_append_c(o, b[off + i] >= 0x20 && b[off + i] < 0x7f ? (char)b[off + i] : '.');
    g_string_append(o, off < n ? "|\n" : "| (ends before)\n");
}

/* The bytes around the first difference of two downloads, as a unified hex dump: the
 * row before it, its row and the row after; rows alike once, differing rows as '-'
 * (recorded) and '+' (now). */
static char *data_window(const uint8_t *g, size_t gn, const uint8_t *l, size_t ln, size_t k)
{
    GString *o = g_string_new(NULL);
    g_string_append_printf(o,
                           "data: recorded %zu bytes, now %zu bytes; the first difference is at "
                           "byte %zu (0x%zx)\n",
                           gn, ln, k, k);
    size_t start = k / 16 * 16, most = gn > ln ? gn : ln;
    start = start >= 16 ? start - 16 : 0;
    for (size_t off = start; off < start + 48 && off < most; off += 16) {
        size_t a = gn > off ? MIN(gn - off, 16) : 0, b = ln > off ? MIN(ln - off, 16) : 0;
        if (a == b && (a == 0 || memcmp(g + off, l + off, a) == 0)) {
            hex_row(o, ' ', off, g, gn);
            continue;
        }
        hex_row(o, '-', off, g, gn);
        hex_row(o, '+', off, l, ln);
    }
    return g_string_free(o, FALSE);
}

static void data_texts(const rp_run *r, const rp_step *st, const qftp_txn *lt, char **exp,
                       char **act, char **window)
{
    if (window)
        *window = NULL;
    size_t gn, ln;
    const uint8_t *g = txn_data(r->plan->golden, st->txn, &gn);
    const uint8_t *l = lt ? txn_data(r->live, lt, &ln) : NULL;
    if (!lt)
        ln = 0;
    *exp = g_strdup_printf("<data: %zu bytes>", gn);
    if (rp_rules_has(r->o->rules, RP_RULE_IGNORE_DATA, st->number, st->txn->line)) {
        g_free(*exp);
        *exp = g_strdup("<data: not compared>");
        *act = g_strdup(*exp);
        return;
    }
    bool masked, gch = false, lch = false;
    bool sort = rp_rules_has(r->o->rules, RP_RULE_SORT_DATA, st->number, st->txn->line);
    char *gm = rp_rules_mask_data_ex(r->o->rules, g, gn, sort, &masked, &gch);
    char *lm = masked ? rp_rules_mask_data_ex(r->o->rules, l, ln, sort, &masked, &lch) : NULL;
    /* the masks as text, when they did something to either side; else the bytes */
    if (masked && (gch || lch)) {
        if (strcmp(gm, lm) == 0) {
            g_free(*exp);
            *exp = g_strdup("<data: equal after masks>");
            *act = g_strdup(*exp);
        } else {
            /* the first line that differs after masking */
            char **ga = g_strsplit(gm, "\n", -1), **la = g_strsplit(lm, "\n", -1);
            size_t i = 0;
            while (ga[i] && la[i] && strcmp(ga[i], la[i]) == 0)
                i++;
            printable(ga[i]);
            printable(la[i]);
            *act = g_strdup_printf("<data: %zu bytes, line %zu differs after masks>", ln, i + 1);
            if (window)
                *window = g_strdup_printf(
                    "data (compared after the rules' masks): recorded %zu bytes, now %zu bytes; "
                    "line %zu differs\n-%.200s\n+%.200s\n",
                    gn, ln, i + 1, ga[i] ? ga[i] : "(none)", la[i] ? la[i] : "(none)");
            g_strfreev(ga);
            g_strfreev(la);
        }
        g_free(gm);
        g_free(lm);
        return;
    }
    g_free(gm);
    g_free(lm);
    if (gn == ln && (gn == 0 || memcmp(g, l, gn) == 0)) {
        *act = g_strdup(*exp);
        return;
    }
    size_t k = 0;
    while (k < gn && k < ln && g[k] == l[k])
        k++;
    *act = g_strdup_printf("<data: %zu bytes, differs from byte %zu>", ln, k);
    if (window)
        *window = data_window(g, gn, l, ln, k);
}

/* The compared items of one side, masked: items before `before_frame` only (UINT64_MAX:
 * all); the data as `data_text`; the golden echo of a rewritten command as `sent`. */
static GPtrArray *item_list(const rp_run *r, const rp_step *st, const rp_items *c, unsigned idx,
                            uint64_t before_frame, const char *data_text, const char *sent)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    const rp_txn_items *ti = rp_items_for(c, idx);
    for (guint i = 0; ti->items && i < ti->items->len; i++) {
        const rp_item *it = &g_array_index(ti->items, rp_item, i);
        if (it->frame >= before_frame)
            break;
        if (it->kind == RP_ITEM_ECHO && r->o->ignore_echo)
            continue;
        if (it->kind == RP_ITEM_DATA) {
            g_ptr_array_add(out, g_strdup(data_text));
            continue;
        }
        if (it->kind == RP_ITEM_LINE && it->text[0] == '\0')
            continue;
        const char *cmd = it->kind == RP_ITEM_LINE ? st->txn->command : NULL;
        const char *text = it->text;
        /* the golden echo of a rewritten command: the module echoes what was sent */
        if (it->kind == RP_ITEM_ECHO && c == r->plan->golden && sent &&
            strcmp(text, st->txn->line) == 0)
            text = sent;
        g_ptr_array_add(out, rp_rules_mask_line(r->o->rules, cmd, text));
    }
    return out;
}

/* True if the two lists are equal once lines equal to the command (its echo) are left
 * out: the difference is echo on/off (ATE0/ATE1), which --ignore-echo tolerates. */
static bool only_echo_differs(const GPtrArray *a, const GPtrArray *b, const char *command)
{
    guint i = 0, j = 0;
    for (;;) {
        while (i < a->len && strcmp(g_ptr_array_index(a, i), command) == 0)
            i++;
        while (j < b->len && strcmp(g_ptr_array_index(b, j), command) == 0)
            j++;
        if (i == a->len || j == b->len)
            return i == a->len && j == b->len;
        if (strcmp(g_ptr_array_index(a, i), g_ptr_array_index(b, j)) != 0)
            return false;
        i++;
        j++;
    }
}

typedef enum { PART_ECHO, PART_INFO, PART_CONNECT, PART_DATA, PART_FINAL, PART_URC, PART__N } part;

static part part_of(const rp_step *st, const rp_result *res, const char *line)
{
    static const char *const finals[] = {"OK", "ERROR", "NO CARRIER", "+CME ERROR:", "+CMS ERROR:"};
    if (g_str_has_prefix(line, "<data:"))
        return PART_DATA;
    if (strcmp(line, res->command) == 0 || strcmp(line, st->txn->line) == 0)
        return PART_ECHO;
    if (g_str_has_prefix(line, "CONNECT"))
        return PART_CONNECT;
    for (size_t i = 0; i < G_N_ELEMENTS(finals); i++)
        if (g_str_has_prefix(line, finals[i]))
            return PART_FINAL;
    const char *alt = st->txn->def ? st->txn->def->alt_final : NULL;
    if (alt && strcmp(line, alt) == 0)
        return PART_FINAL;
    size_t n = strlen(st->txn->command);
    bool urc_form = st->txn->def && (st->txn->def->urc_forms & QFTP_FORM_BIT(st->txn->type));
    if (urc_form && n && strncmp(line, st->txn->command, n) == 0 && line[n] == ':')
        return PART_URC;
    return PART_INFO;
}

/* One line that says what the diff shows: which parts of the outcome differ, each with
 * what came and what the recording has (so the message never contradicts the diff). */
static char *diff_summary(const rp_step *st, const rp_result *res)
{
    static const char *const names[PART__N] = {"echo", "information lines", "CONNECT",
                                               "data", "final result",      "completion URC"};
    const char *was[PART__N] = {0}, *now[PART__N] = {0};
    bool differs[PART__N] = {0};
    char **lines = g_strsplit(res->diff ? res->diff : "", "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        const char *l = lines[i];
        if ((l[0] != '-' && l[0] != '+') || g_str_has_prefix(l, "---") ||
            g_str_has_prefix(l, "+++"))
            continue;
        part p = part_of(st, res, l + 1);
        differs[p] = true;
        const char **slot = l[0] == '-' ? &was[p] : &now[p];
        if (!*slot)
            *slot = l + 1;
    }
    GString *o = g_string_new(NULL);
    for (int p = 0; p < PART__N; p++) {
        if (!differs[p])
            continue;
        if (o->len)
            g_string_append(o, "; ");
        if (p == PART_INFO || p == PART_ECHO) {
            g_string_append_printf(o, "%s differ", names[p]);
            continue;
        }
        unsigned long long dn = 0, dw = 0, at = 0;
        if (p == PART_DATA && now[p] && was[p] && sscanf(now[p], "<data: %llu bytes", &dn) == 1 &&
            sscanf(was[p], "<data: %llu bytes", &dw) == 1) {
            const char *k = strstr(now[p], "differs from byte ");
            const char *ln = strstr(now[p], ", line ");
            if (k && sscanf(k, "differs from byte %llu", &at) == 1)
                g_string_append_printf(o,
                                       "data: now %llu bytes, recorded %llu, first difference "
                                       "at byte %llu",
                                       dn, dw, at);
            else if (ln && sscanf(ln, ", line %llu", &at) == 1)
                g_string_append_printf(o,
                                       "data: now %llu bytes, recorded %llu, line %llu differs "
                                       "after the masks",
                                       dn, dw, at);
            else
                g_string_append_printf(o, "data: now %s, recorded %s", now[p], was[p]);
            continue;
        }
        g_string_append_printf(o, "%s: now %s, recorded %s", names[p], now[p] ? now[p] : "none",
                               was[p] ? was[p] : "none");
    }
    g_strfreev(lines);
    if (!o->len)
        g_string_append(o, "response differs");
    return g_string_free(o, FALSE);
}

static void compare_step(rp_run *r, const rp_step *st, rp_result *res, bool final)
{
    unsigned li = r->live_index[st->number - 1];
    const qftp_txn *lt = live_txn(r, li);
    char *dexp, *dact;
    g_free(res->data_window);
    data_texts(r, st, lt, &dexp, &dact, &res->data_window);
    if (res->expected)
        g_ptr_array_free(res->expected, TRUE);
    if (res->actual)
        g_ptr_array_free(res->actual, TRUE);
    res->expected = item_list(r, st, r->plan->golden, st->number,
                              final ? UINT64_MAX : st->next_frame, dexp, res->command);
    res->actual = item_list(r, st, r->live, li, UINT64_MAX, dact, res->command);
    /* Mid-run, the live side may already hold what the recording only showed after the
     * next command; the final comparison sees everything. */
    if (!final && res->actual->len > res->expected->len)
        g_ptr_array_set_size(res->actual, res->expected->len);
    g_free(dexp);
    g_free(dact);
    char *before = res->diff;
    res->diff = rp_diff(res->expected, res->actual);
    bool timed_out = r->timed_out[st->number - 1];
    bool late = false;
    if (final && timed_out && !res->diff && before) {
        /* everything came in the end, but after the timeout: show what was missing then */
        res->diff = before;
        before = NULL;
        late = true;
    }
    g_free(before);

    if (res->status == RP_ST_ERROR && r->gone)
        return; /* the link failed during this step; keep that message */
    g_free(res->message);
    res->message = NULL;
    qftp_ts max = rp_rules_limit(r->o->rules, RP_RULE_MAX_TIME, st->number, st->txn->line);
    if (!res->diff && !(max && res->actual_ns > max)) {
        res->status = RP_ST_PASS;
        return;
    }
    if (res->diff && timed_out && res->actual->len == 0) {
        res->status = RP_ST_ERROR;
        res->message =
            g_strdup_printf("timeout: no answer within %.1f s", (double)res->timeout_ns / 1e9);
        return;
    }
    res->status = rp_rules_has(r->o->rules, RP_RULE_OPTIONAL, st->number, st->txn->line)
                      ? RP_ST_OPTIONAL
                      : RP_ST_FAIL;
    if (late)
        res->message = g_strdup_printf("late: the outcome came after the %.1f s timeout",
                                       (double)res->timeout_ns / 1e9);
    else if (res->diff && timed_out) {
        char *sum = diff_summary(st, res);
        res->message = g_strdup_printf("timeout: %s did not come within %.1f s; %s",
                                       owed(st, lt, true)[0] ? owed(st, lt, true) : "the rest",
                                       (double)res->timeout_ns / 1e9, sum);
        g_free(sum);
    } else if (res->diff && only_echo_differs(res->expected, res->actual, res->command))
        res->message = g_strdup("echo differs (ATE0/ATE1); --ignore-echo tolerates it");
    else if (res->diff)
        res->message = diff_summary(st, res);
    else
        res->message = g_strdup_printf("took %.3f s, the limit is %.3f s",
                                       (double)res->actual_ns / 1e9, (double)max / 1e9);
}

/* g_ptr_array_sort passes pointers to the elements */
static gint cmp_strp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Unsolicited lines: a multiset on each side, never by position. */
/* The step during which frame `frame` of a side came: the last whose command was sent
 * before it (0: none yet). */
static unsigned step_of_frame(const rp_run *r, bool live, uint64_t frame, const char **command)
{
    unsigned found = 0;
    *command = "";
    for (size_t i = 0; i < r->plan->n_steps; i++) {
        const rp_step *st = &r->plan->steps[i];
        const qftp_txn *t = live ? live_txn(r, r->live_index[i]) : st->txn;
        if (!t || t->frame_sent > frame)
            continue;
        found = st->number;
        *command = t->line;
    }
    return found;
}

static void urc_note(rp_run *r, GArray *to, bool live, const rp_item *it, const char *masked)
{
    const rp_items *side = live ? r->live : r->plan->golden;
    qftp_ts t0 = qftp_session_t0(side->s);
    rp_urc_note n = {.line = g_strdup(masked)};
    n.t = t0 != QFTP_TS_NONE && it->ts >= t0 ? (double)(it->ts - t0) / 1e9 : 0;
    const char *cmd;
    n.step = step_of_frame(r, live, it->frame, &cmd);
    /* the command as reports show it (a sent one may carry a secret) */
    char *red = qftp_redact_dup((const uint8_t *)cmd, strlen(cmd), QFTP_DIALECT_UNKNOWN, NULL);
    n.command = red ? red : g_strdup(cmd);
    g_array_append_val(to, n);
}

static void urc_notes_free(GArray *a)
{
    for (guint i = 0; a && i < a->len; i++) {
        g_free(g_array_index(a, rp_urc_note, i).line);
        g_free(g_array_index(a, rp_urc_note, i).command);
    }
    if (a)
        g_array_free(a, TRUE);
}

static void diff_note(GString *d, char mark, const rp_urc_note *n, bool live)
{
    g_string_append_printf(d, "%c%s   (%s %.3f s, during step %u%s%s)\n", mark, n->line,
                           live ? "at" : "recorded at", n->t, n->step, n->step ? " " : "",
                           n->command);
}

/* Unsolicited lines: a multiset on each side, never by position. What one side has and the
 * other has not is listed with when it came and during which step. */
static void compare_unsolicited(rp_run *r, rp_result *res)
{
    GPtrArray *e = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    const rp_items *sides[2] = {r->plan->golden, r->live};
    GPtrArray *outs[2] = {e, a};
    GPtrArray *srcs[2] = {g_ptr_array_new(), g_ptr_array_new()}; /* the items, same order */
    for (int s = 0; s < 2; s++) {
        for (guint i = 0; i < sides[s]->unsol->len; i++) {
            const rp_item *it = &g_array_index(sides[s]->unsol, rp_item, i);
            if (!it->text[0] || rp_rules_ignored_urc(r->o->rules, it->text))
                continue;
            g_ptr_array_add(outs[s], rp_rules_mask_line(r->o->rules, NULL, it->text));
            g_ptr_array_add(srcs[s], (gpointer)it);
        }
    }
    /* match equal lines one to one, in the order they came */
    guint n_used = a->len;
    bool *used = g_new0(bool, n_used ? n_used : 1);
    res->urc_missing = g_array_new(FALSE, TRUE, sizeof(rp_urc_note));
    res->urc_extra = g_array_new(FALSE, TRUE, sizeof(rp_urc_note));
    for (guint i = 0; i < e->len; i++) {
        guint j = 0;
        while (j < a->len && (used[j] || strcmp(g_ptr_array_index(e, i), g_ptr_array_index(a, j))))
            j++;
        if (j < a->len)
            used[j] = true;
        else
            urc_note(r, res->urc_missing, false, g_ptr_array_index(srcs[0], i),
                     g_ptr_array_index(e, i));
    }
    for (guint j = 0; j < a->len; j++)
        if (!used[j])
            urc_note(r, res->urc_extra, true, g_ptr_array_index(srcs[1], j),
                     g_ptr_array_index(a, j));
    g_free(used);
    g_ptr_array_free(srcs[0], TRUE);
    g_ptr_array_free(srcs[1], TRUE);
    g_ptr_array_sort(e, cmp_strp);
    g_ptr_array_sort(a, cmp_strp);
    res->number = 0;
    res->command = g_strdup("unsolicited URCs");
    res->expected = e;
    res->actual = a;
    res->actual_ns = -1;
    res->elapsed_ns = -1;
    res->overhead_ns = -1;
    if (!res->urc_missing->len && !res->urc_extra->len) {
        res->status = RP_ST_PASS;
        return;
    }
    GString *d = g_string_new("--- expected\n+++ actual\n@@ compared as a set @@\n");
    for (guint i = 0; i < res->urc_missing->len; i++)
        diff_note(d, '-', &g_array_index(res->urc_missing, rp_urc_note, i), false);
    for (guint i = 0; i < res->urc_extra->len; i++)
        diff_note(d, '+', &g_array_index(res->urc_extra, rp_urc_note, i), true);
    res->diff = g_string_free(d, FALSE);
    res->status = RP_ST_FAIL;
    res->message =
        g_strdup_printf("unsolicited URCs differ (compared as a set): %u missing, %u extra",
                        res->urc_missing->len, res->urc_extra->len);
}

/* ---- one capture ------------------------------------------------------------------------ */

static bool step_selected(const rp_opts *o, const rp_step *st)
{
    if (!o->steps)
        return true;
    for (guint i = 0; i + 1 < o->steps->len; i += 2)
        if (st->number >= g_array_index(o->steps, guint, i) &&
            st->number <= g_array_index(o->steps, guint, i + 1))
            return true;
    return false;
}

static void progress(const rp_run *r, const rp_step *st)
{
    if (!r->o->progress)
        return;
    fprintf(stderr, "\r\033[K%s: step %u/%zu %.60s", r->plan->path, st->number, r->plan->n_steps,
            st->txn->line);
    fflush(stderr);
}

/* Steps sent whose outcome the recording shows partly after later commands; each is
 * dropped from the list once its whole outcome is in (or timed out), so a long capture
 * costs no more per step than the transfers still running. */
static int wait_deferred(rp_run *r, uint64_t before, int64_t *prev_done)
{
    for (guint k = 0; k < r->pending->len;) {
        size_t j = g_array_index(r->pending, size_t, k);
        const rp_step *sj = &r->plan->steps[j];
        const qftp_txn *lt = live_txn(r, r->live_index[j]);
        if (r->timed_out[j] || !*owed(sj, lt, true)) {
            g_array_remove_index(r->pending, k);
            continue;
        }
        k++;
        rp_step w = *sj;
        rp_step_wants(r->plan, sj, before, &w);
        if (!*owed(&w, lt, false))
            continue;
        bool to = false;
        rp_wait lw = later_wait(r, r->deadline_real[j]);
        if (wait_for(r, &w, r->live_index[j], &lw, false, &to) < 0)
            return -1;
        if (to)
            r->timed_out[j] = true;
        else
            *prev_done = r->last_rx_mono;
    }
    return 0;
}

/* Counts the steps in a row that timed out with nothing at all from the device; at
 * RP_SILENT_STEPS the device is taken as gone (a device error, exit 3) instead of
 * failing every later step one timeout at a time. True when the run stops here. */
static bool silent_step(rp_run *r, const rp_step *st, bool silent, int64_t t0)
{
    if (!silent) {
        r->silent = 0;
        return false;
    }
    if (r->silent++ == 0) {
        r->silent_first = st->number;
        r->silent_since = t0;
    }
    if (r->silent < RP_SILENT_STEPS)
        return false;
    char what[200];
    double secs = (double)(mono_ns() - r->silent_since) / 1e9;
    if (r->rx_total == 0)
        snprintf(what, sizeof what,
                 "never answered: not one byte during steps %u-%u (%.1f s); is it powered, on "
                 "this port, at this baud?",
                 r->silent_first, st->number, secs);
    else
        snprintf(what, sizeof what, "stopped answering: not one byte during steps %u-%u (%.1f s)",
                 r->silent_first, st->number, secs);
    mark_gone(r, what, 0);
    return true;
}

static void run_steps(rp_run *r, rp_capture_result *cr)
{
    const rp_opts *o = r->o;
    int64_t prev_done = -1;
    for (size_t i = 0; i < r->plan->n_steps && !r->gone; i++) {
        const rp_step *st = &r->plan->steps[i];
        rp_result *res = &cr->steps[i];
        size_t head = i;
        while (head > 0 && r->plan->steps[head].chained)
            head--;
        if (!step_selected(o, &r->plan->steps[head]))
            continue;
        progress(r, st);
        set_state(r, RS_IDLE);
        r->step = st->number;
        /* what earlier steps owe before this command, as the recording shows it (the
         * URC of a transfer that ran on while other commands were answered) */
        if (!st->chained && wait_deferred(r, st->txn->frame_sent, &prev_done) < 0) {
            res->status = RP_ST_ERROR;
            res->message = g_strdup(r->gone_msg);
            return;
        }
        int64_t t0 = mono_ns();
        if (!st->chained) {
            char *undef = NULL;
            /* "A/" repeats the last command: it is sent as such, without a terminator */
            char *line = st->txn->repeat
                             ? g_strdup("A/")
                             : rp_rules_command(o->rules, st->number, st->txn->line, &undef);
            if (!line) {
                res->status = RP_ST_ERROR;
                res->message = g_strdup_printf("the rules make the command longer than %u bytes: "
                                               "step not sent",
                                               RP_COMMAND_CAP);
                prev_done = -1;
                continue;
            }
            g_free(res->command);
            res->command = shown_command(line);
            if (undef) {
                res->status = RP_ST_ERROR;
                res->message = g_strdup_printf("undefined variable ${%s}: step not sent", undef);
                g_free(undef);
                g_free(line);
                prev_done = -1;
                continue;
            }
            rp_rules_note_sent(o->rules, line); /* before its bytes reach the recording */
            GString *bytes = g_string_new(line);
            g_free(line);
            if (!st->txn->repeat)
                g_string_append_c(bytes, '\r');
            unsigned base = (unsigned)qftp_session_txn_count(r->live->s);
            res->t_start = real_ns();
            /* the step's times count from the start of the write, as t_start does: the
             * device may read the line (and start its own timers) before write returns,
             * and a loaded machine may run the device first */
            t0 = mono_ns();
            /* a port that takes no command line for 10 s is stuck (flow control) */
            int wrc = write_all(r, (const uint8_t *)bytes->str, bytes->len,
                                t0 + (int64_t)(10e9 * o->scale));
            g_string_free(bytes, TRUE);
            res->overhead_ns = prev_done >= 0 ? t0 - prev_done : -1;
            r->live_index[i] = base + 1;
            for (size_t k = i + 1; k < r->plan->n_steps && r->plan->steps[k].chained; k++)
                r->live_index[k] = base + 1 + r->plan->steps[k].txn->sub_index;
            if (wrc == -2)
                mark_gone(r, "takes no data (flow control?)", 0);
            if (wrc < 0)
                goto gone;
        } else {
            t0 = mono_ns();
            res->t_start = real_ns();
        }
        set_state(r, RS_SENT);
        uint64_t rx_before = r->rx_total;
        res->timeout_ns = step_timeout(r, st, res->command, st->recorded_wait);
        res->recorded_ns = st->recorded_wait;
        int64_t deadline = t0 + res->timeout_ns;
        /* a device that says nothing at all gets the recording's time, not the manual's:
         * it is silent (RP_SILENT_STEPS), not slow; a `timeout` rule decides both */
        qftp_ts ruled = rp_rules_limit(o->rules, RP_RULE_TIMEOUT, st->number, res->command);
        rp_wait w = {.deadline = deadline,
                     .quiet_end = t0 + (ruled ? ruled : recorded_limit(r, st->recorded_wait)),
                     .rx_before = rx_before,
                     .gap = ruled ? 0 : qftp_session_rsptimeout(r->live->s)};
        bool to = false;
        unsigned li = r->live_index[i];

        if (st->txn->connect && st->txn->data_dir == QFTP_DIR_TX) {
            /* wait for CONNECT (GSM: after OK, manual 4.2), then the recorded upload */
            if (wait_connect(r, li, &w, &to) < 0)
                goto gone;
            const qftp_txn *lt = live_txn(r, li);
            if (lt && lt->connect && !to) {
                set_state(r, RS_UPLOAD);
                int wrc = st->upload_len ? write_all(r, st->upload, st->upload_len, deadline) : 0;
                if (wrc == -1)
                    goto gone;
                if (wrc == -2)
                    to = true; /* the module stopped reading the upload */
                if (st->escape && !to) {
                    /* "+++" needs a guard time of silence before and after (BG96 manual
                     * 1.2); 10% more than the guard so a slow link keeps the margin. */
                    set_state(r, RS_ESCAPE);
                    int64_t guard = r->plan->guard_time + r->plan->guard_time / 10;
                    if (quiet_wait(r, guard) < 0 ||
                        write_all(r, (const uint8_t *)"+++", 3, mono_ns() + guard) == -1)
                        goto gone;
                    w.deadline += 2 * guard; /* the module waits one more guard before OK */
                    w.quiet_end += 2 * guard;
                }
            }
        }
        set_state(r, RS_WAIT);
        if (!to && wait_for(r, st, li, &w, false, &to) < 0)
            goto gone;
        r->timed_out[i] = to;
        res->timed_out = to;
        res->elapsed_ns = mono_ns() - t0;
        if (silent_step(r, st, to && r->rx_total == rx_before, t0)) {
            compare_step(r, st, res, false);
            return;
        }
        prev_done = to ? -1 : r->last_rx_mono;
        res->actual_ns = to ? -1 : (r->last_rx_mono > t0 ? r->last_rx_mono - t0 : 0);
        r->deadline_real[i] =
            t0 + step_timeout(r, st, res->command,
                              st->txn->t_done != QFTP_TS_NONE ? st->txn->t_done - st->txn->t_sent
                                                              : st->recorded_wait);
        /* values captured from this step's live lines, for later commands */
        const rp_txn_items *ti = rp_items_for(r->live, li);
        for (guint k = 0; ti->items && k < ti->items->len; k++) {
            const rp_item *it = &g_array_index(ti->items, rp_item, k);
            if (it->text && it->kind != RP_ITEM_ECHO)
                rp_rules_capture(o->rules, it->text);
        }
        if (st->deferred)
            g_array_append_val(r->pending, i);
        set_state(r, RS_COMPARE);
        compare_step(r, st, res, false);
        set_state(r, RS_DONE);
        record_flush(r);
        if (o->stop_on_fail && (res->status == RP_ST_FAIL || res->status == RP_ST_ERROR))
            return;
        continue;
    gone:
        res->status = RP_ST_ERROR;
        res->message = g_strdup(r->gone_msg);
        res->elapsed_ns = mono_ns() - t0;
        return;
    }
}

/* After the last step: what the recording shows after a later command (a URC that
 * came while other commands ran) and unsolicited lines still owed. */
static void run_tail(rp_run *r)
{
    for (size_t i = 0; i < r->plan->n_steps && !r->gone; i++) {
        unsigned li = r->live_index[i];
        if (!li)
            continue;
        bool to = false;
        rp_wait lw = later_wait(r, r->deadline_real[i]);
        if (wait_for(r, &r->plan->steps[i], li, &lw, true, &to) < 0)
            return;
        if (to)
            r->timed_out[i] = true;
    }
    size_t want = 0, have = 0;
    for (guint i = 0; i < r->plan->golden->unsol->len; i++)
        if (!rp_rules_ignored_urc(r->o->rules,
                                  g_array_index(r->plan->golden->unsol, rp_item, i).text))
            want++;
    int64_t end = mono_ns() + (int64_t)(2e9 * r->o->scale);
    while (!r->gone && mono_ns() < end) {
        have = 0;
        for (guint i = 0; i < r->live->unsol->len; i++)
            if (!rp_rules_ignored_urc(r->o->rules, g_array_index(r->live->unsol, rp_item, i).text))
                have++;
        if (have >= want)
            break;
        if (pump(r, 50) < 0)
            break;
    }
}

static char *record_path(const rp_opts *o, const char *capture, bool from_log, size_t n_captures)
{
    if (o->update)
        return g_strdup(capture);
    if (!o->record)
        return NULL;
    struct stat sb;
    if (n_captures > 1 || (stat(o->record, &sb) == 0 && S_ISDIR(sb.st_mode))) {
        char *base = g_path_get_basename(capture);
        /* a log's recording is a capture: name.log -> name.log.pcap */
        char *name = from_log ? g_strconcat(base, ".pcap", NULL) : g_strdup(base);
        char *p = g_build_filename(o->record, name, NULL);
        g_free(base);
        g_free(name);
        return p;
    }
    return g_strdup(o->record);
}

/* Runs one capture. Returns false on a transport error (no further capture runs). */
static bool replay_capture(const rp_opts *o, rp_plan *plan, rp_capture_result *cr,
                           size_t n_captures)
{
    char err[QFTP_ERRBUF_SIZE];
    rp_run r = {.o = o, .plan = plan, .last_rx_mono = -1};
    int64_t t_begin = mono_ns();
    cr->capture = g_strdup(plan->path);
    cr->device = g_strdup(o->device);
    cr->n_steps = plan->n_steps;
    cr->steps = g_new0(rp_result, plan->n_steps);
    for (size_t i = 0; i < plan->n_steps; i++) {
        cr->steps[i].number = plan->steps[i].number;
        cr->steps[i].command = g_strdup(plan->steps[i].txn->line);
        cr->steps[i].actual_ns = -1;
        cr->steps[i].elapsed_ns = -1;
        cr->steps[i].overhead_ns = -1;
        cr->steps[i].recorded_ns = plan->steps[i].recorded_wait;
    }
    if (rp_device_open(&r.dev, o->device, o->baud, o->flow, o->connect_timeout_ms, err) != 0) {
        cr->transport_error = true;
        cr->transport_message = g_strdup(err);
        return false;
    }
    r.live = rp_items_new(plan->dialect, err);
    if (!r.live) {
        rp_device_close(&r.dev);
        cr->transport_error = true;
        cr->transport_message = g_strdup(err);
        return false;
    }
    r.scrub = rp_scrubber_new(o->rules);
    char *rec = record_path(o, plan->path, plan->from_log, n_captures);
    if (rec) {
        r.w = qftp_capw_open(rec, "qftp", err);
        if (!r.w)
            fprintf(stderr, "qftp replay: cannot record to %s: %s\n", rec, err);
    }
    r.live_index = g_new0(unsigned, plan->n_steps);
    r.deadline_real = g_new0(qftp_ts, plan->n_steps);
    r.timed_out = g_new0(bool, plan->n_steps);
    r.verbose = o->verbose;
    r.pending = g_array_new(FALSE, FALSE, sizeof(size_t));

    run_steps(&r, cr);
    bool stopped_early = false;
    for (size_t i = 0; i < plan->n_steps; i++)
        if (o->stop_on_fail &&
            (cr->steps[i].status == RP_ST_FAIL || cr->steps[i].status == RP_ST_ERROR))
            stopped_early = true;
    if (!r.gone && !stopped_early)
        run_tail(&r);
    if (!r.gone)
        pump(&r, 0);
    qftp_session_finish(r.live->s, real_ns());
    for (size_t i = 0; i < plan->n_steps; i++)
        if (r.live_index[i] &&
            !(cr->steps[i].status == RP_ST_ERROR && cr->steps[i].message && r.gone))
            compare_step(&r, &plan->steps[i], &cr->steps[i], true);
    if (!r.gone && !stopped_early)
        compare_unsolicited(&r, &cr->unsolicited);
    else
        cr->unsolicited.status = RP_ST_NOT_RUN;
    if (r.gone) {
        cr->transport_error = true;
        cr->transport_message = g_strdup(r.gone_msg);
    }
    record_flush(&r);
    if (r.w) {
        /* --update replaces a golden only with a whole session */
        bool commit = !o->update || (!r.gone && !stopped_early);
        if (qftp_capw_close(r.w, commit, err) != 0)
            fprintf(stderr, "qftp replay: recording %s: %s\n", rec, err);
        else if (commit)
            cr->recording = g_strdup(rec);
    }
    g_free(rec);
    if (o->progress)
        fputs("\r\033[K", stderr);
    rp_items_free(r.live);
    rp_device_close(&r.dev);
    g_free(r.live_index);
    g_free(r.deadline_real);
    rp_scrubber_free(r.scrub);
    g_free(r.timed_out);
    g_array_free(r.pending, TRUE);
    cr->seconds = (double)(mono_ns() - t_begin) / 1e9;
    return !r.gone;
}

/* ---- dry run ---------------------------------------------------------------------------- */

static void print_plan(FILE *f, const rp_opts *o, const rp_plan *p)
{
    fprintf(f, "%s: dialect %s, %zu steps\n", p->path,
            qftp_dialect_name(p->dialect) ? qftp_dialect_name(p->dialect) : "unknown", p->n_steps);
    for (size_t i = 0; i < p->n_steps; i++) {
        const rp_step *st = &p->steps[i];
        if (!step_selected(o, st))
            continue;
        char *undef = NULL;
        char *sent = rp_rules_command(o->rules, st->number, st->txn->line, &undef);
        if (!sent) {
            fprintf(f, "#%-3u the rules make the command longer than %u bytes: not sent\n",
                    st->number, RP_COMMAND_CAP);
            continue;
        }
        rp_rules_note_sent(o->rules, sent);
        char *red = shown_command(sent), *line = rp_rules_scrub(o->rules, red);
        g_free(sent);
        g_free(red);
        fprintf(f, "#%-3u %s%s\n", st->number, st->chained ? "(chained) " : "", line);
        if (undef)
            fprintf(f, "      undefined variable ${%s}\n", undef);
        if (st->upload || st->escape)
            fprintf(f, "      after CONNECT: send %zu bytes%s\n", st->upload_len,
                    st->escape ? ", then +++ with guard times" : "");
        fprintf(f, "      wait for:%s%s%s%s (recorded %.3f s)\n",
                st->want_connect ? " CONNECT" : "", st->want_data_end ? " data" : "",
                st->want_final ? " final" : "", st->want_urc ? " URC" : "",
                (double)st->recorded_wait / 1e9);
        g_free(line);
        g_free(undef);
    }
}

/* ---- lava ------------------------------------------------------------------------------- */

static bool lava_binary(void)
{
    gchar *p = g_find_program_in_path("lava-test-case");
    bool found = p != NULL;
    g_free(p);
    return found;
}

/* ---- main ------------------------------------------------------------------------------- */

static void scrub_str(const rp_rules *rules, char **s)
{
    char *c = rp_rules_scrub(rules, *s);
    g_free(*s);
    *s = c;
}

/* Every string a report may print, without the secrets given on the command line. */
static void scrub_results(const rp_rules *rules, rp_capture_result *cr, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        scrub_str(rules, &cr[c].transport_message);
        for (size_t i = 0; i <= cr[c].n_steps; i++) {
            rp_result *s = i < cr[c].n_steps ? &cr[c].steps[i] : &cr[c].unsolicited;
            scrub_str(rules, &s->command);
            scrub_str(rules, &s->message);
            scrub_str(rules, &s->diff);
            scrub_str(rules, &s->data_window);
            GArray *notes[2] = {s->urc_missing, s->urc_extra};
            for (int k = 0; k < 2; k++)
                for (guint j = 0; notes[k] && j < notes[k]->len; j++) {
                    scrub_str(rules, &g_array_index(notes[k], rp_urc_note, j).line);
                    scrub_str(rules, &g_array_index(notes[k], rp_urc_note, j).command);
                }
            GPtrArray *lists[2] = {s->expected, s->actual};
            for (int l = 0; l < 2; l++)
                for (guint k = 0; lists[l] && k < lists[l]->len; k++)
                    scrub_str(rules, (char **)&g_ptr_array_index(lists[l], k));
        }
    }
}

static void free_results(rp_capture_result *cr, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        for (size_t i = 0; i <= cr[c].n_steps; i++) {
            rp_result *s = i < cr[c].n_steps ? &cr[c].steps[i] : &cr[c].unsolicited;
            g_free(s->command);
            g_free(s->message);
            g_free(s->diff);
            g_free(s->data_window);
            urc_notes_free(s->urc_missing);
            urc_notes_free(s->urc_extra);
            if (s->expected)
                g_ptr_array_free(s->expected, TRUE);
            if (s->actual)
                g_ptr_array_free(s->actual, TRUE);
        }
        g_free(cr[c].steps);
        g_free(cr[c].capture);
        g_free(cr[c].device);
        g_free(cr[c].transport_message);
        g_free(cr[c].recording);
    }
    g_free(cr);
}

/* ---- the command line -------------------------------------------------------------------- */

static void replay_options(tool_cmdline *cl, void *opts)
{
    rp_cmdline *a = opts;
    const GOptionEntry main_entries[] = {
        {"device", 0, 0, G_OPTION_ARG_FILENAME, &a->device,
         "the module: a serial port (/dev/ttyUSB2), a pty, or tcp:HOST:PORT (a serial-over-TCP "
         "bridge such as ser2net)",
         "DEVICE"},
        {"rules", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &a->rules,
         "masks, ignored URCs, optional steps, captures, rewrites and timing limits "
         "(docs/replay.md; repeatable)",
         "FILE"},
        {"define", 'D', 0, G_OPTION_ARG_FILENAME_ARRAY, &a->defines,
         "a variable for the rules, used there as ${NAME} (repeatable)", "NAME=VALUE"},
        {"secret", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &a->secrets,
         "a variable whose value never reaches a report, a plan or a recording; without "
         "=VALUE, the value of the environment variable NAME (repeatable)",
         "NAME[=VALUE]"},
        {"steps", 0, 0, G_OPTION_ARG_FILENAME, &a->steps, "only these steps, e.g. 1-5,9", "LIST"},
        {"dry-run", 0, 0, G_OPTION_ARG_NONE, &a->dry_run,
         "print the plan (what is sent, what is waited for); no device needed", NULL},
        {"stop-on-fail", 0, 0, G_OPTION_ARG_NONE, &a->stop_on_fail,
         "stop at the first failing step", NULL},
        {"keep-going", 0, G_OPTION_FLAG_REVERSE, G_OPTION_ARG_NONE, &a->stop_on_fail,
         "run every step after a mismatch (the default)", NULL},
        {"junit", 0, 0, G_OPTION_ARG_FILENAME, &a->junit,
         "write JUnit XML: a testsuite per capture, a testcase per step", "FILE"},
        {"json", 0, 0, G_OPTION_ARG_FILENAME, &a->json,
         "write the results with per-step timings as JSON (- for standard output)", "FILE"},
        {"tap", 0, 0, G_OPTION_ARG_NONE, &a->tap,
         "print TAP on standard output (the report goes to standard error)", NULL},
        {"lava", 0, 0, G_OPTION_ARG_NONE, &a->lava,
         "report LAVA test cases (through lava-test-case when it is on PATH; the report goes "
         "to standard error)",
         NULL},
        {"verbose", 0, 0, G_OPTION_ARG_NONE, &a->verbose,
         "log the step state machine on standard error", NULL},
        {NULL}};
    tool_options(cl, NULL, NULL, NULL, main_entries);
    rp_serial_options(cl, &a->serial);
    input_options(cl, &a->in); /* goldens that are text logs, read as `qftp import` reads them */
    const GOptionEntry compare[] = {
        {"ignore-echo", 0, 0, G_OPTION_ARG_NONE, &a->ignore_echo,
         "ignore differences in echo (ATE0/ATE1)", NULL},
        {"timeout-scale", 0, 0, G_OPTION_ARG_FILENAME, &a->scale,
         "multiply every timeout derived from the recording by FACTOR (default 1)", "FACTOR"},
        {NULL}};
    tool_options(cl, "compare", "Comparison options:", "Show the comparison options", compare);
    const GOptionEntry recording[] = {
        {"record", 0, 0, G_OPTION_ARG_FILENAME, &a->record,
         "save the live session as a qftp capture (a folder when several captures are "
         "replayed; - streams it to standard output, the report going to standard error)",
         "FILE"},
        {"update", 0, 0, G_OPTION_ARG_NONE, &a->update,
         "re-record the golden captures from the module (each replaced only when its run "
         "completed)",
         NULL},
        {NULL}};
    tool_options(cl, "recording", "Recording options:", "Show the recording options", recording);
}

static int replay_check(tool_cmdline *cl, void *opts, int argc, char **argv)
{
    rp_cmdline *a = opts;
    a->scale_v = 1.0;
    a->captures = argv;
    a->n_captures = argc;
    if (rp_serial_check(cl, &a->serial) != 0 || input_check(cl, &a->in, &a->io) != 0)
        return 2;
    if (a->scale) {
        char *end;
        a->scale_v = strtod(a->scale, &end);
        if (*end || end == a->scale || !(a->scale_v > 0 && a->scale_v <= 1000))
            return tool_usage(cl, "--timeout-scale %s: expected a number > 0 (at most 1000)",
                              a->scale);
    }
    if (a->steps) {
        a->steps_v = g_array_new(FALSE, FALSE, sizeof(guint));
        if (rp_steps_parse(a->steps, a->steps_v) != 0)
            return tool_usage(cl, "--steps %s: expected a list like 1-5,9", a->steps);
    }
    if (argc == 0)
        return tool_usage(cl, "no capture to replay (CAPTURE..., - for standard input)");
    int stdin_args = 0;
    for (int i = 0; i < argc; i++)
        stdin_args += strcmp(argv[i], "-") == 0;
    if (stdin_args > 1)
        return tool_usage(cl, "standard input (-) can be read once, not %d times", stdin_args);
    if (!a->device && !a->dry_run)
        return tool_usage(cl, "--device DEVICE is required (or --dry-run)");
    if (a->device && tool_check_device(cl, "--device", a->device) != 0)
        return 2;
    if (a->update && a->steps)
        return tool_usage(cl, "--update re-records whole sessions: not with --steps");
    if (a->update && a->record)
        return tool_usage(cl, "--update and --record exclude each other");
    if (a->update && stdin_args)
        return tool_usage(cl, "--update rewrites the captures: not with standard input");
    if (a->record && strcmp(a->record, "-") == 0) {
        /* the live session streams to standard output; the report goes to stderr */
        if (argc > 1)
            return tool_usage(cl, "--record - (standard output) takes one capture, not %d", argc);
        if (a->tap || a->lava || (a->json && strcmp(a->json, "-") == 0))
            return tool_usage(cl, "--record - and %s both write standard output",
                              a->tap    ? "--tap"
                              : a->lava ? "--lava"
                                        : "--json -");
    }
    a->rules_v = rp_rules_new();
    char err[QFTP_ERRBUF_SIZE];
    for (char **d = a->secrets; d && *d; d++)
        if (rp_rules_define_secret(a->rules_v, *d, err) != 0)
            return tool_usage(cl, "%s", err);
    for (char **d = a->defines; d && *d; d++)
        if (rp_rules_define(a->rules_v, *d, err) != 0)
            return tool_usage(cl, "%s", err);
    return 0;
}

static void replay_done(void *opts)
{
    rp_cmdline *a = opts;
    if (a->steps_v)
        g_array_free(a->steps_v, TRUE);
    rp_rules_free(a->rules_v);
}

/* A golden that cannot be read (a capture, or a log the importer refuses): named once. */
static void unreadable_capture(const char *path, const char *err)
{
    bool named = strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':';
    tool_error("%s: %s", path, named ? err + strlen(path) + 2 : err);
}

static int replay_run(void *opts, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    rp_cmdline *a = opts;
    rp_opts o = {.device = a->device,
                 .baud = a->serial.baud_v,
                 .flow = a->serial.flow_v,
                 .scale = a->scale_v,
                 .ignore_echo = a->ignore_echo,
                 .stop_on_fail = a->stop_on_fail,
                 .steps = a->steps_v,
                 .dry_run = a->dry_run,
                 .record = a->record,
                 .update = a->update,
                 .junit = a->junit,
                 .json = a->json,
                 .tap = a->tap,
                 .lava = a->lava,
                 .connect_timeout_ms = 10000,
                 .verbose = a->verbose,
                 .rules = a->rules_v};
    char err[QFTP_ERRBUF_SIZE];
    int rc = 2;
    rp_plan **plans = NULL;
    size_t n_plans = 0;
    rp_capture_result *cr = NULL;
    if (!(o.json && strcmp(o.json, "-") == 0) && !(o.record && strcmp(o.record, "-") == 0)) {
        /* the reports quote the device's answers and the captures' lines: made safe for a
         * terminal (a JSON document or a recording on standard output is left as it is) */
        FILE *safe = tool_safe_stream(1, 0, isatty(1));
        if (safe)
            stdout = safe;
    }
    for (char **f = a->rules; f && *f; f++)
        if (rp_rules_load(o.rules, *f, err) != 0) {
            tool_error("%s", err);
            goto out;
        }

    /* Every capture is read before the device is touched: a bad one is a usage error.
     * Only one plan is held at a time (each may hold up to twice RP_STREAM_CAP): read
     * here to check it, read again when its turn comes. */
    n_plans = (size_t)a->n_captures;
    plans = g_new0(rp_plan *, n_plans);
    for (size_t i = 0; i < n_plans; i++) {
        const char *path = a->captures[i];
        plans[i] = rp_plan_load(path, &a->io, err);
        if (!plans[i]) {
            unreadable_capture(path, err);
            goto out;
        }
        if (o.update && plans[i]->from_log) {
            tool_error("%s: a text log: --update writes captures (turn it into one with `qftp "
                       "import`, or replay it without --update)",
                       path);
            goto out;
        }
        if (o.dry_run)
            print_plan(stdout, &o, plans[i]);
        if (strcmp(path, "-") != 0) { /* standard input cannot be read twice: kept */
            rp_plan_free(plans[i]);
            plans[i] = NULL;
        }
    }
    if (o.dry_run) {
        rc = 0;
        goto out;
    }
    if (o.record && n_plans > 1) {
        struct stat sb;
        if (stat(o.record, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            tool_error("--record %s: must be a folder with several captures", o.record);
            goto out;
        }
    }

    o.progress = isatty(2) && !getenv("QFTP_NO_PROGRESS");
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    cr = g_new0(rp_capture_result, n_plans);
    size_t ran = 0;
    for (size_t i = 0; i < n_plans; i++) {
        ran++;
        if (!plans[i])
            plans[i] = rp_plan_load(a->captures[i], &a->io, err);
        if (!plans[i]) { /* it changed since it was read */
            cr[i].capture = g_strdup(a->captures[i]);
            cr[i].transport_error = true;
            cr[i].transport_message = g_strdup(err);
            break;
        }
        bool go_on = replay_capture(&o, plans[i], &cr[i], n_plans);
        rp_plan_free(plans[i]);
        plans[i] = NULL;
        if (!go_on)
            break;
    }

    bool lava_bin = o.lava && lava_binary();
    bool json_stdout = o.json && strcmp(o.json, "-") == 0;
    bool record_stdout = o.record && strcmp(o.record, "-") == 0;
    FILE *human =
        (o.tap || (o.lava && !lava_bin) || json_stdout || record_stdout) ? stderr : stdout;
    scrub_results(o.rules, cr, ran);
    rp_report_human(human, cr, ran, false);
    if (o.tap)
        rp_report_tap(stdout, cr, ran);
    if (o.lava) {
        rp_report_lava(stdout, cr, ran, lava_bin);
    }
    fflush(stdout);
    rc = 0;
    for (size_t i = 0; i < ran; i++) {
        if (cr[i].transport_error)
            rc = 3;
        for (size_t k = 0; k <= cr[i].n_steps && rc == 0; k++) {
            rp_status s = k < cr[i].n_steps ? cr[i].steps[k].status : cr[i].unsolicited.status;
            if (s == RP_ST_FAIL || s == RP_ST_ERROR)
                rc = 1;
        }
    }
    if (rc != 3)
        for (size_t i = 0; i < ran; i++)
            for (size_t k = 0; k <= cr[i].n_steps; k++) {
                rp_status s = k < cr[i].n_steps ? cr[i].steps[k].status : cr[i].unsolicited.status;
                if (s == RP_ST_FAIL || s == RP_ST_ERROR)
                    rc = 1;
            }
    if (o.junit && rp_report_junit(o.junit, cr, ran, err) != 0) {
        fprintf(stderr, "qftp replay: %s\n", err);
        if (rc == 0)
            rc = 2;
    }
    if (o.json && rp_report_json(o.json, cr, ran, err) != 0) {
        fprintf(stderr, "qftp replay: %s\n", err);
        if (rc == 0)
            rc = 2;
    }
    free_results(cr, ran);
out:
    for (size_t i = 0; i < n_plans; i++)
        rp_plan_free(plans ? plans[i] : NULL);
    g_free(plans);
    return rc;
}

static const tool_example replay_examples[] = {
    {NULL, "qftp replay golden/*.pcap --device /dev/ttyUSB2 --baud 115200 --junit results.xml",
     "replay golden sessions against a module on a serial port, JUnit for CI"},
    {NULL, "qftp replay session.pcap --device tcp:10.0.0.7:4001 --rules site.rules -D port=2121",
     "through a serial-over-TCP bridge, with rules and a variable for them"},
    {NULL, "qftp replay --dry-run session.pcap", "what would be sent and waited for"},
    {NULL, "qftp replay session.pcap --device /dev/ttyUSB2 --steps 1-4 --tap | tappy",
     "the first four steps, TAP for a TAP consumer"},
    {NULL}};

static const tool_exit replay_exits[] = {
    {0, "every step (and the set of unsolicited URCs) matched"},
    {1, "a step differed, came late or got no answer within its timeout, or a step error "
        "(such as an undefined rules variable)"},
    {2, "usage error, a bad rules file or an unreadable capture (every capture is read before "
        "the device is opened), or a report that could not be written"},
    {3, "device or transport error: the device cannot be opened, closed or vanished, never "
        "answers (3 steps in a row without a byte), or a signal stopped the run; the report "
        "shows what ran, the recording is complete up to there, later captures are not run"},
    {-1}};

const tool_command qftp_cmd_replay = {
    .name = "replay",
    .args = "CAPTURE...",
    .summary = "replay recorded sessions against a module and compare its answers",
    .description =
        "Drives the host side of each golden CAPTURE (- reads one from standard input) "
        "against the module at --device, step by step: a step is one command transaction "
        "of the recording. The command is written (after the rules' rewrites), an upload "
        "is sent after CONNECT, and what the recording shows is waited for: the final "
        "result, CONNECT, the end of a download, the completion URC. Each step's answers "
        "are compared with the recording's, item by item, and a precise difference is "
        "reported.\n\n"
        "Every capture is read before the device is touched: an unreadable one is a usage "
        "error. A text log given as a capture is named as such: `qftp import` turns it into "
        "one.",
    .examples = replay_examples,
    .exits = replay_exits,
    .docs = "docs/replay.md",
    .opts_size = sizeof(rp_cmdline),
    .options = replay_options,
    .check = replay_check,
    .run = replay_run,
    .done = replay_done,
};
