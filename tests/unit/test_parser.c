/* test_parser.c - the AT stream parser, table-driven.
 *
 * Every case is fed whole, one byte at a time and cut in two at every offset; the
 * events (consecutive DATA merged) must be the same every time. Expected events are
 * written from the manuals' and device-quirks.md's byte sequences.
 */
#include <string.h>

#include "qftp/parser.h"
#include "testutil.h"

/* ---- rendering events to a comparable string ----------------------------------- */

typedef struct {
    GString *out;
    GString *data; /* DATA being merged */
    qftp_parser *p;
    qftp_parser *other;               /* unused here; the session drives two parsers */
    const qftp_data_mode *on_connect; /* RX: enter this data mode on CONNECT */
    bool start_in_data;
    qftp_data_mode start_mode;
    uint64_t last_end; /* end_offset monotonicity check */
} rec;

static void esc_append(GString *s, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '\r')
            g_string_append(s, "\\r");
        else if (b[i] == '\n')
            g_string_append(s, "\\n");
        else if (b[i] < 0x20 || b[i] >= 0x7f)
            g_string_append_printf(s, "\\x%02x", b[i]);
        else
            g_string_append_c(s, (char)b[i]);
    }
}

static void flush_data(rec *r)
{
    if (r->data->len == 0)
        return;
    g_string_append(r->out, "DATA[");
    esc_append(r->out, (const uint8_t *)r->data->str, r->data->len);
    g_string_append(r->out, "] ");
    g_string_truncate(r->data, 0);
}

static void on_event(void *user, const qftp_event *ev)
{
    rec *r = user;
    if (ev->kind == QFTP_EV_DATA) {
        g_string_append_len(r->data, (const char *)ev->data, (gssize)ev->len);
        return;
    }
    flush_data(r);
    g_string_append(r->out, qftp_event_kind_name(ev->kind));
    switch (ev->kind) {
    case QFTP_EV_FINAL:
        g_string_append_printf(r->out, ":%s", qftp_final_name(ev->final));
        if (ev->value >= 0)
            g_string_append_printf(r->out, "(%" G_GINT64_FORMAT ")", ev->value);
        break;
    case QFTP_EV_CONNECT:
        if (ev->value >= 0)
            g_string_append_printf(r->out, "(%" G_GINT64_FORMAT ")", ev->value);
        break;
    case QFTP_EV_DATA_END:
        g_string_append_printf(r->out, ":%s(%" G_GINT64_FORMAT ")",
                               qftp_data_end_reason_name(ev->reason), ev->value);
        break;
    case QFTP_EV_OVERFLOW:
        g_string_append_printf(r->out, "(%" G_GINT64_FORMAT ")", ev->value);
        break;
    case QFTP_EV_ESCAPE:
        g_string_append_printf(r->out, ":%s%s%s", ev->flags & QFTP_EVF_GUARD_BEFORE ? "B" : "-",
                               ev->flags & QFTP_EVF_GUARD_AFTER ? "A" : "-",
                               ev->flags & QFTP_EVF_GUARD_WITHIN ? "W" : "-");
        break;
    default:
        break;
    }
    if (ev->flags & QFTP_EVF_REPEAT)
        g_string_append(r->out, "!");
    if (ev->flags & QFTP_EVF_PARTIAL)
        g_string_append(r->out, "~");
    if (ev->kind != QFTP_EV_DATA_END && ev->kind != QFTP_EV_FINAL && ev->kind != QFTP_EV_CONNECT &&
        ev->kind != QFTP_EV_ESCAPE) {
        g_string_append_c(r->out, '[');
        esc_append(r->out, ev->data, ev->len);
        g_string_append_c(r->out, ']');
    }
    g_string_append_c(r->out, ' ');
    if (ev->kind == QFTP_EV_CONNECT && r->on_connect)
        qftp_parser_enter_data(r->p, r->on_connect);
}

/* ---- cases ------------------------------------------------------------------------ */

typedef struct {
    const char *name;
    qftp_dir dir;
    const char *input; /* NUL-free; length from strlen */
    const char *expect;
    size_t line_cap;  /* 0 = default */
    int connect_mode; /* 0 none, 1 URC "+QFTPGET", 2 CONNECT <n> length, 3 URC "+QFTPLIST" */
    int start_data;   /* TX: 0 no, n>0 declared length n, -1 escape only */
} pcase;

static const pcase cases[] = {
    /* Command lines, host side (device-quirks.md "Framing"). */
    {"cmd-cr", QFTP_DIR_TX, "AT+QFTPOPEN=\"h\",21\r", "COMMAND[AT+QFTPOPEN=\"h\",21] "},
    {"cmd-crlf", QFTP_DIR_TX, "AT+QFTPSTAT\r\n", "COMMAND[AT+QFTPSTAT] "},
    {"cmd-lf", QFTP_DIR_TX, "at+qftpstat\n", "COMMAND[at+qftpstat] "},
    {"cmd-trailing-semicolon", QFTP_DIR_TX, "AT+QFTPSTAT;\r", "COMMAND[AT+QFTPSTAT;] "},
    {"cmd-chained", QFTP_DIR_TX, "AT+QFTPSTAT;+QFTPLEN\r\nATE0\r",
     "COMMAND[AT+QFTPSTAT;+QFTPLEN] COMMAND[ATE0] "},
    {"cmd-repeat", QFTP_DIR_TX, "AT\rA/", "COMMAND[AT] COMMAND![A/] "},
    {"cmd-text", QFTP_DIR_TX, "hello\r\r\nAT\r", "LINE[hello] COMMAND[AT] "},
    {"cmd-partial", QFTP_DIR_TX, "AT+QFTPSTAT", "COMMAND~[AT+QFTPSTAT] "},
    /* Module side: echo with \r\r\n, information response, OK (device-quirks.md). */
    {"echo", QFTP_DIR_RX, "AT+QFTPSTAT\r\r\n+QFTPSTAT: 0,1\r\n\r\nOK\r\n",
     "ECHO[AT+QFTPSTAT] LINE[+QFTPSTAT: 0,1] FINAL:OK "},
    {"ok-then-urc", QFTP_DIR_RX, "\r\nOK\r\n\r\n+QFTPOPEN: 0,0\r\n",
     "FINAL:OK LINE[+QFTPOPEN: 0,0] "},
    {"gsm-urc", QFTP_DIR_RX, "OK\r\n+QFTPOPEN:0\r\n", "FINAL:OK LINE[+QFTPOPEN:0] "},
    {"cme-num", QFTP_DIR_RX, "\r\n+CME ERROR: 603\r\n", "FINAL:+CME ERROR(603) "},
    {"cme-text", QFTP_DIR_RX, "+CME ERROR: file already exist\r\n", "FINAL:+CME ERROR "},
    {"cms", QFTP_DIR_RX, "+CMS ERROR: 500\r\n", "FINAL:+CMS ERROR(500) "},
    {"finals", QFTP_DIR_RX, "ERROR\r\nNO CARRIER\r\nBUSY\r\nNO ANSWER\r\nNO DIALTONE\r\n",
     "FINAL:ERROR FINAL:NO CARRIER FINAL:BUSY FINAL:NO ANSWER FINAL:NO DIALTONE "},
    {"trailing-spaces-lf", QFTP_DIR_RX, "OK   \n+QFTPCLOSE: 0,0  \n",
     "FINAL:OK LINE[+QFTPCLOSE: 0,0] "},
    {"connect", QFTP_DIR_RX, "CONNECT\r\nCONNECT 1000\r\nCONNECT OK\r\n",
     "CONNECT CONNECT(1000) LINE[CONNECT OK] "},
    {"prompt", QFTP_DIR_RX, "\r\n> ", "PROMPT[> ] "},
    {"gt-line", QFTP_DIR_RX, ">x\r\n", "LINE[>x] "},
    {"deact-ok", QFTP_DIR_RX, "DEACT OK\r\n", "LINE[DEACT OK] "},
    {"stray-urcs", QFTP_DIR_RX, "RDY\r\n+CPIN: READY\r\n+QIURC: \"pdpdeact\",1\r\n",
     "LINE[RDY] LINE[+CPIN: READY] LINE[+QIURC: \"pdpdeact\",1] "},
    {"partial-urc", QFTP_DIR_RX, "OK\r\n+QFTPGET: 0,1", "FINAL:OK LINE~[+QFTPGET: 0,1] "},
    /* Line over the cap: reported, then resynchronised at the next line end. */
    {"overflow", QFTP_DIR_RX, "0123456789abcdefXYZ\r\nOK\r\n",
     "OVERFLOW(19)[0123456789abcdef] FINAL:OK ", 16},
    {"overflow-exact-cap", QFTP_DIR_RX, "0123456789abcdef\r\nOK\r\n",
     "LINE[0123456789abcdef] FINAL:OK ", 16},
    /* Download to COM: ended by the URC whose count equals the payload
     * (BG96 3.7, device-quirks.md "Data mode"); the file holds OK and a fake URC. */
    {"get-urc", QFTP_DIR_RX,
     "CONNECT\r\nhello\r\nOK\r\n+QFTPGET: 0,3\r\nabc\r\nOK\r\n\r\n+QFTPGET: 0,29\r\n",
     "CONNECT DATA[hello\\r\\nOK\\r\\n+QFTPGET: 0,3\\r\\nabc] DATA_END:urc(29) FINAL:OK "
     "LINE[+QFTPGET: 0,29] ",
     0, 1},
    {"get-no-ok", QFTP_DIR_RX, "CONNECT\r\n0123456789\r\n+QFTPGET: 0,10\r\nOK\r\n",
     "CONNECT DATA[0123456789] DATA_END:urc(10) LINE[+QFTPGET: 0,10] FINAL:OK ", 0, 1},
    {"get-gsm", QFTP_DIR_RX, "CONNECT\r\nabcd\r\n+QFTPGET:4\r\n",
     "CONNECT DATA[abcd] DATA_END:urc(4) LINE[+QFTPGET:4] ", 0, 1},
    {"get-gsm-error", QFTP_DIR_RX, "CONNECT\r\nab\r\n+QFTPGET:-7\r\n",
     "CONNECT DATA[ab] DATA_END:urc(2) LINE[+QFTPGET:-7] ", 0, 1},
    {"get-error", QFTP_DIR_RX, "CONNECT\r\nabc\r\nOK\r\n\r\n+QFTPGET: 616,0\r\n",
     "CONNECT DATA[abc] DATA_END:urc(3) FINAL:OK LINE[+QFTPGET: 616,0] ", 0, 1},
    {"get-file-ends-crlf", QFTP_DIR_RX, "CONNECT\r\nab\r\n\r\nOK\r\n\r\n+QFTPGET: 0,4\r\n",
     "CONNECT DATA[ab\\r\\n] DATA_END:urc(4) FINAL:OK LINE[+QFTPGET: 0,4] ", 0, 1},
    {"get-empty", QFTP_DIR_RX, "CONNECT\r\n\r\nOK\r\n\r\n+QFTPGET: 0,0\r\n",
     "CONNECT DATA_END:urc(0) FINAL:OK LINE[+QFTPGET: 0,0] ", 0, 1},
    {"list-urc", QFTP_DIR_RX,
     "CONNECT\r\n-rw-r--r-- 1 ftp ftp 5 a.txt\r\n\r\nOK\r\n\r\n+QFTPLIST: 0,30\r\n",
     "CONNECT DATA[-rw-r--r-- 1 ftp ftp 5 a.txt\\r\\n] DATA_END:urc(30) FINAL:OK "
     "LINE[+QFTPLIST: 0,30] ",
     0, 3},
    /* CONNECT <n>: exactly n bytes (AT+QFDWL / AT+QFREAD). */
    {"connect-n", QFTP_DIR_RX, "CONNECT 5\r\nab\r\ncOK\r\n",
     "CONNECT(5) DATA[ab\\r\\nc] DATA_END:length(5) FINAL:OK ", 0, 2},
    /* Upload with a declared length (BG96 2.5 <uploadlen>, GSM <fileSz>). */
    {"put-length", QFTP_DIR_TX, "abcdAT+QFTPLEN\r",
     "DATA[abcd] DATA_END:length(4) COMMAND[AT+QFTPLEN] ", 0, 0, 4},
    {"put-length-plus-inside", QFTP_DIR_TX, "a+++bAT\r",
     "DATA[a+++b] DATA_END:length(5) COMMAND[AT] ", 0, 0, 5},
    /* Upload to be ended by the module: a trailing "+++" is held, the rest passes. */
    {"put-escape-held", QFTP_DIR_TX, "a+b++c", "DATA[a+b++c] DATA_END:eof(6) ", 0, 0, -1},
};

typedef struct {
    const pcase *c;
    rec r;
} run;

static void run_reset(void *user, const char *how)
{
    (void)how;
    run *u = user;
    g_string_truncate(u->r.out, 0);
    g_string_truncate(u->r.data, 0);
    qftp_parser_reset(u->r.p);
    if (u->c->start_data != 0) {
        qftp_data_mode m;
        qftp_data_mode_init(&m);
        if (u->c->start_data > 0) {
            m.expect_len = u->c->start_data;
            m.end_on_length = true;
        }
        m.end_on_escape = true;
        qftp_parser_enter_data(u->r.p, &m);
    }
}

static void run_feed(void *user, const uint8_t *b, size_t n, size_t idx)
{
    (void)idx;
    run *u = user;
    qftp_parser_feed(u->r.p, b, n, 0);
}

static void run_check(void *user, const char *how)
{
    run *u = user;
    qftp_parser_finish(u->r.p, 0);
    flush_data(&u->r);
    if (strcmp(u->r.out->str, u->c->expect) != 0)
        g_error("case %s (%s):\n  got    %s\n  expect %s", u->c->name, how, u->r.out->str,
                u->c->expect);
}

static void test_cases(void)
{
    for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
        const pcase *c = &cases[k];
        qftp_parser_opts o;
        qftp_parser_opts_init(&o);
        if (c->line_cap)
            o.line_cap = c->line_cap;
        qftp_data_mode m;
        qftp_data_mode_init(&m);
        if (c->connect_mode == 1 || c->connect_mode == 3) {
            m.end_on_urc = true;
            g_strlcpy(m.urc_name, c->connect_mode == 1 ? "+QFTPGET" : "+QFTPLIST",
                      sizeof m.urc_name);
        } else if (c->connect_mode == 2) {
            m.end_on_length = true;
        }
        run u = {.c = c};
        u.r.out = g_string_new(NULL);
        u.r.data = g_string_new(NULL);
        u.r.on_connect = c->connect_mode ? &m : NULL;
        char err[QFTP_ERRBUF_SIZE];
        u.r.p = qftp_parser_new(c->dir, &o, on_event, &u.r, err);
        g_assert_nonnull(u.r.p);
        if (c->connect_mode == 2) {
            /* CONNECT <n> sets the length: the test hook reads it from the line. */
            m.expect_len = 5;
        }
        tu_for_each_split((const uint8_t *)c->input, strlen(c->input), run_reset, run_feed,
                          run_check, &u);
        qftp_parser_free(u.r.p);
        g_string_free(u.r.out, TRUE);
        g_string_free(u.r.data, TRUE);
    }
}

/* ---- timing: "+++" guard times and inactivity (BG96 manual 1.2) --------------------- */

static qftp_parser *timed_parser(rec *r, bool data, int64_t inactivity_s)
{
    r->out = g_string_new(NULL);
    r->data = g_string_new(NULL);
    char err[QFTP_ERRBUF_SIZE];
    r->p = qftp_parser_new(QFTP_DIR_TX, NULL, on_event, r, err);
    if (data) {
        qftp_data_mode m;
        qftp_data_mode_init(&m);
        m.end_on_escape = true;
        m.inactivity = inactivity_s * QFTP_NS_PER_SEC;
        qftp_parser_enter_data(r->p, &m);
    }
    return r->p;
}

static char *timed_done(rec *r)
{
    flush_data(r);
    qftp_parser_free(r->p);
    g_string_free(r->data, TRUE);
    return g_string_free(r->out, FALSE);
}

#define S(x) ((qftp_ts)((x)*1e9))
#define FEED(p, str, t) qftp_parser_feed(p, (const uint8_t *)(str), strlen(str), S(t))

static void test_escape_guarded(void)
{
    rec r = {0};
    qftp_parser *p = timed_parser(&r, true, 0);
    FEED(p, "file data", 0.0);
    FEED(p, "+++", 1.5);
    qftp_parser_tick(p, S(2.0)); /* not yet 1 s after */
    qftp_parser_tick(p, S(2.6)); /* now: escape confirmed */
    FEED(p, "AT+QFTPLEN\r", 3.0);
    char *got = timed_done(&r);
    g_assert_cmpstr(got, ==, "DATA[file data] ESCAPE:BAW DATA_END:escape(9) COMMAND[AT+QFTPLEN] ");
    g_free(got);
}

/* A host's "\r" then data mode (the module's CONNECT came in between): an upload that
 * starts with 0x0A keeps it (the simulator lost one byte in 256 uploads before). */
static void test_upload_starts_with_lf(void)
{
    rec r = {0};
    qftp_parser *p = timed_parser(&r, false, 0);
    FEED(p, "AT+QFTPPUT=\"f\",\"COM:\",0,3,1\r", 0.0);
    qftp_data_mode m;
    qftp_data_mode_init(&m);
    m.expect_len = 3;
    m.end_on_length = true;
    qftp_parser_enter_data(p, &m);
    FEED(p, "\nab", 0.1);
    char *got = timed_done(&r);
    g_assert_cmpstr(got, ==,
                    "COMMAND[AT+QFTPPUT=\"f\",\"COM:\",0,3,1] DATA[\\nab] DATA_END:length(3) ");
    g_free(got);
}

static void test_escape_split_plus(void)
{
    rec r = {0};
    qftp_parser *p = timed_parser(&r, true, 0);
    FEED(p, "xyz", 0.0);
    FEED(p, "+", 2.0);
    FEED(p, "+", 2.2);
    FEED(p, "+", 2.4);
    FEED(p, "AT\r", 3.5); /* the next byte proves the silence after */
    char *got = timed_done(&r);
    g_assert_cmpstr(got, ==, "DATA[xyz] ESCAPE:BAW DATA_END:escape(3) COMMAND[AT] ");
    g_free(got);
}

static void test_escape_no_silence_after(void)
{
    rec r = {0};
    qftp_parser *p = timed_parser(&r, true, 0);
    FEED(p, "abc", 0.0);
    FEED(p, "+++", 2.0);
    FEED(p, "def", 2.5); /* within the guard: the pluses were file data */
    qftp_parser_tick(p, S(10));
    char *got = timed_done(&r);
    g_assert_cmpstr(got, ==, "DATA[abc+++def] ");
    g_free(got);
}

static void test_escape_unguarded_forced(void)
{
    /* The module ended data mode on a "+++" sent with no pause (device-quirks.md:
     * an anomaly the session reports): the pluses are the escape, not data. */
    rec r = {0};
    qftp_parser *p = timed_parser(&r, true, 0);
    FEED(p, "abc+++", 0.0);
    qftp_parser_exit_data(p, S(0.2), QFTP_DATA_END_FORCED);
    char *got = timed_done(&r);
    g_assert_cmpstr(got, ==, "DATA[abc] ESCAPE:--W DATA_END:escape(3) ");
    g_free(got);
}

static void test_escape_forced_two_plus(void)
{
    rec r = {0};
    qftp_parser *p = timed_parser(&r, true, 0);
    FEED(p, "abc++", 0.0);
    qftp_parser_exit_data(p, S(0.2), QFTP_DATA_END_FORCED);
    char *got = timed_done(&r);
    g_assert_cmpstr(got, ==, "DATA[abc++] DATA_END:forced(5) ");
    g_free(got);
}

static void test_escape_command_mode(void)
{
    /* "+++" during a download aborts it (device-quirks.md "Data mode"). */
    rec r = {0};
    qftp_parser *p = timed_parser(&r, false, 0);
    FEED(p, "AT+QFTPGET=\"a\",\"COM:\"\r", 0.0);
    FEED(p, "+++", 3.0);
    FEED(p, "ATO\r", 4.5);
    char *got = timed_done(&r);
    g_assert_cmpstr(got, ==, "COMMAND[AT+QFTPGET=\"a\",\"COM:\"] ESCAPE:BAW COMMAND[ATO] ");
    g_free(got);
}

static void test_inactivity(void)
{
    rec r = {0};
    qftp_parser *p = timed_parser(&r, true, 90);
    FEED(p, "partial", 0.0);
    qftp_parser_tick(p, S(60));
    qftp_parser_tick(p, S(91));
    char *got = timed_done(&r);
    g_assert_cmpstr(got, ==, "DATA[partial] DATA_END:inactivity(7) ");
    g_free(got);
}

/* ---- a download of random bytes full of CR LF and near-miss trailers ------------------ */

static void test_download_random(void)
{
    GRand *rnd = g_rand_new_with_seed(42);
    for (int round = 0; round < 20; round++) {
        GByteArray *payload = g_byte_array_new();
        int n = g_rand_int_range(rnd, 0, 5000);
        static const char *const pieces[] = {"\r\n",         "OK",        "\r\nOK\r\n",
                                             "+QFTPGET: 0,", "+QFTPGET:", "\r\n+QFTPGET: 0,12\r\n",
                                             "+++"};
        while ((int)payload->len < n) {
            if (g_rand_int_range(rnd, 0, 4) == 0) {
                const char *s = pieces[g_rand_int_range(rnd, 0, G_N_ELEMENTS(pieces))];
                g_byte_array_append(payload, (const guint8 *)s, (guint)strlen(s));
            } else {
                guint8 c = (guint8)g_rand_int_range(rnd, 0, 256);
                g_byte_array_append(payload, &c, 1);
            }
        }
        GString *in = g_string_new("CONNECT\r\n");
        g_string_append_len(in, (const char *)payload->data, payload->len);
        g_string_append_printf(in, "\r\nOK\r\n\r\n+QFTPGET: 0,%u\r\n", payload->len);

        rec r = {0};
        r.out = g_string_new(NULL);
        r.data = g_string_new(NULL);
        qftp_data_mode m;
        qftp_data_mode_init(&m);
        m.end_on_urc = true;
        g_strlcpy(m.urc_name, "+QFTPGET", sizeof m.urc_name);
        r.on_connect = &m;
        char err[QFTP_ERRBUF_SIZE];
        r.p = qftp_parser_new(QFTP_DIR_RX, NULL, on_event, &r, err);
        /* random chunking */
        size_t off = 0;
        while (off < in->len) {
            size_t k = (size_t)g_rand_int_range(rnd, 1, 200);
            if (k > in->len - off)
                k = in->len - off;
            qftp_parser_feed(r.p, (const uint8_t *)in->str + off, k, 0);
            off += k;
        }
        qftp_parser_finish(r.p, 0);
        GString *exp = g_string_new("CONNECT ");
        if (payload->len) {
            g_string_append(exp, "DATA[");
            esc_append(exp, payload->data, payload->len);
            g_string_append(exp, "] ");
        }
        g_string_append_printf(exp, "DATA_END:urc(%u) FINAL:OK LINE[+QFTPGET: 0,%u] ", payload->len,
                               payload->len);
        flush_data(&r);
        g_assert_cmpstr(r.out->str, ==, exp->str);
        qftp_parser_free(r.p);
        g_string_free(r.out, TRUE);
        g_string_free(r.data, TRUE);
        g_string_free(exp, TRUE);
        g_string_free(in, TRUE);
        g_byte_array_free(payload, TRUE);
    }
    g_rand_free(rnd);
}

/* ---- a URC of the right form with the wrong count (a log that lost CRs) ------------- */

static void on_offsets(void *user, const qftp_event *ev);

static char *suspect_run(const char *in, size_t cap, bool brk)
{
    rec r = {0};
    r.out = g_string_new(NULL);
    r.data = g_string_new(NULL);
    qftp_data_mode m;
    qftp_data_mode_init(&m);
    m.end_on_urc = true;
    g_strlcpy(m.urc_name, "+QFTPGET", sizeof m.urc_name);
    r.on_connect = &m;
    qftp_parser_opts o;
    qftp_parser_opts_init(&o);
    if (cap)
        o.line_cap = cap;
    r.p = qftp_parser_new(QFTP_DIR_RX, &o, on_event, &r, NULL);
    for (size_t i = 0; in[i]; i++) /* one byte at a time: the hardest split */
        qftp_parser_feed(r.p, (const uint8_t *)in + i, 1, 0);
    if (brk)
        g_assert_true(qftp_parser_data_break(r.p, 0));
    qftp_parser_finish(r.p, 0);
    flush_data(&r);
    qftp_parser_free(r.p);
    g_string_free(r.data, TRUE);
    return g_string_free(r.out, FALSE);
}

static void test_suspect_trailer(void)
{
    /* 5 payload bytes, the URC says 7 (the log dropped two CRs). The host's next command
     * (data_break) shows the module was in command mode: the URC ended the data. */
    const char *in = "CONNECT\r\nab\nc\n\r\nOK\r\n\r\n+QFTPGET: 0,7\r\n\r\nOK\r\n";
    const char *want = "CONNECT DATA[ab\\nc\\n] DATA_END:urc(5) FINAL:OK LINE[+QFTPGET: 0,7] "
                       "FINAL:OK ";
    char *got = suspect_run(in, 0, true);
    g_assert_cmpstr(got, ==, want);
    g_free(got);
    got = suspect_run(in, 0, false); /* the end of the input decides the same */
    g_assert_cmpstr(got, ==, want);
    g_free(got);
}

/* A data break re-reads the held trailer; the stream position stays at the end of the
 * input, so the next bytes' spans lie where they are (they were one byte early: the
 * trailer's LF counted twice, and a truncated download shifted every later step). */
static void test_suspect_break_offsets(void)
{
    const char *head = "CONNECT\r\nabcde\r\nOK\r\n\r\n+QFTPGET: 0,1024\r\n";
    GString *all = g_string_new(head);
    g_string_append(all, "AT+QFTPLIST=\".\"\r\r\nOK\r\n");
    rec r = {0};
    r.out = g_string_new(NULL);
    r.data = g_string_new(NULL);
    qftp_data_mode m;
    qftp_data_mode_init(&m);
    m.end_on_urc = true;
    g_strlcpy(m.urc_name, "+QFTPGET", sizeof m.urc_name);
    r.on_connect = &m;
    r.p = qftp_parser_new(QFTP_DIR_RX, NULL, on_event, &r, NULL);
    qftp_parser_feed(r.p, (const uint8_t *)head, strlen(head), 0);
    g_assert_true(qftp_parser_data_break(r.p, 0));
    g_assert_cmpuint(qftp_parser_offset(r.p), ==, strlen(head));
    qftp_parser_free(r.p);
    g_string_free(r.out, TRUE);
    g_string_free(r.data, TRUE);
    /* and every span of what follows, through a parser that checks them */
    qftp_parser *p = qftp_parser_new(QFTP_DIR_RX, NULL, on_offsets, all->str, NULL);
    qftp_parser_feed(p, (const uint8_t *)all->str, all->len, 0);
    qftp_parser_free(p);
    g_string_free(all, TRUE);
}

static void test_suspect_released(void)
{
    /* A fake URC inside the file, followed by more than the cap: it was file content, and
     * the real URC (count equal) ends the data. */
    GString *in = g_string_new("CONNECT\r\n");
    GString *payload = g_string_new("xx\r\n+QFTPGET: 0,1\r\n");
    for (int i = 0; i < 40; i++)
        g_string_append(payload, "0123456789");
    g_string_append(in, payload->str);
    g_string_append_printf(in, "\r\nOK\r\n\r\n+QFTPGET: 0,%zu\r\n", payload->len);
    char *got = suspect_run(in->str, 64, false);
    GString *want = g_string_new("CONNECT DATA[");
    esc_append(want, (const uint8_t *)payload->str, payload->len);
    g_string_append_printf(want, "] DATA_END:urc(%zu) FINAL:OK LINE[+QFTPGET: 0,%zu] ",
                           payload->len, payload->len);
    g_assert_cmpstr(got, ==, want->str);
    /* and with a cap large enough to hold it all, the real URC still wins */
    g_free(got);
    got = suspect_run(in->str, 0, false);
    g_assert_cmpstr(got, ==, want->str);
    g_free(got);
    g_string_free(want, TRUE);
    g_string_free(payload, TRUE);
    g_string_free(in, TRUE);
}

/* ---- an elision line: bytes left out of a trimmed log (issue 11) ---------------------- */

static void test_elision(void)
{
    /* "\r\n...\r\n" in the data, then the URC with another count: the data ended at the
     * elision line, which is read as a line with what follows; fed one byte at a time */
    char *got = suspect_run("CONNECT\r\nab\n\r\n...\r\n\r\nOK\r\n\r\n+QFTPGET: 0,900\r\n"
                            "\r\nOK\r\n",
                            0, false);
    g_assert_cmpstr(got, ==,
                    "CONNECT DATA[ab\\n] DATA_END:urc(3) LINE[...] FINAL:OK "
                    "LINE[+QFTPGET: 0,900] FINAL:OK ");
    g_free(got);
    /* the same with no OK (a paste that dropped it), and with the ellipsis character */
    got = suspect_run("CONNECT\r\nab\n\r\n\xe2\x80\xa6\r\n\r\n+QFTPGET: 0,900\r\n", 0, false);
    g_assert_cmpstr(got, ==,
                    "CONNECT DATA[ab\\n] DATA_END:urc(3) LINE[\\xe2\\x80\\xa6] "
                    "LINE[+QFTPGET: 0,900] ");
    g_free(got);
    /* a "..." line that the URC's count includes is file content */
    got = suspect_run("CONNECT\r\nab\n\r\n...\r\n\r\nOK\r\n\r\n+QFTPGET: 0,10\r\n", 0, false);
    g_assert_cmpstr(got, ==,
                    "CONNECT DATA[ab\\n\\r\\n...\\r\\n] DATA_END:urc(10) FINAL:OK "
                    "LINE[+QFTPGET: 0,10] ");
    g_free(got);
    static const struct {
        const char *line;
        bool elision;
    } lines[] = {{"...", true},         {"\xe2\x80\xa6", true},
                 {" [...] ", true},     {"[snip]", true},
                 {"<cut>", true},       {"-- snip --", true},
                 {"(truncated)", true}, {"snip", true},
                 {"..", false},         {"cut", false},
                 {"more data", false},  {"[INFO]", false},
                 {"...x", false},       {"", false}};
    for (size_t i = 0; i < G_N_ELEMENTS(lines); i++)
        g_assert_cmpint(qftp_elision_line((const uint8_t *)lines[i].line, strlen(lines[i].line)),
                        ==, lines[i].elision);
}

/* ---- offsets: every event's span lies where the stream says ------------------------- */

static void on_offsets(void *user, const qftp_event *ev)
{
    const char *stream = user;
    if (ev->kind == QFTP_EV_COMMAND || ev->kind == QFTP_EV_LINE || ev->kind == QFTP_EV_FINAL ||
        ev->kind == QFTP_EV_ECHO)
        g_assert_cmpmem(stream + ev->offset, ev->len, ev->data, ev->len);
}

static void test_offsets(void)
{
    const char *s = "AT+QFTPSTAT\r\r\n+QFTPSTAT: 0,1\r\n\r\nOK\r\n+QFTPCLOSE: 0,0\r\n";
    for (size_t chunk = 1; chunk < 8; chunk++) {
        qftp_parser *p = qftp_parser_new(QFTP_DIR_RX, NULL, on_offsets, (void *)s, NULL);
        for (size_t i = 0; i < strlen(s); i += chunk) {
            size_t k = MIN(chunk, strlen(s) - i);
            qftp_parser_feed(p, (const uint8_t *)s + i, k, 0);
        }
        g_assert_cmpuint(qftp_parser_offset(p), ==, strlen(s));
        qftp_parser_free(p);
    }
}

static void test_bad_cap(void)
{
    qftp_parser_opts o;
    qftp_parser_opts_init(&o);
    o.line_cap = 1;
    char err[QFTP_ERRBUF_SIZE] = "";
    g_assert_null(qftp_parser_new(QFTP_DIR_RX, &o, on_offsets, NULL, err));
    g_assert_nonnull(strstr(err, "line cap"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/parser/cases", test_cases);
    g_test_add_func("/parser/escape/guarded", test_escape_guarded);
    g_test_add_func("/parser/escape/split-plus", test_escape_split_plus);
    g_test_add_func("/parser/upload-starts-with-lf", test_upload_starts_with_lf);
    g_test_add_func("/parser/escape/no-silence-after", test_escape_no_silence_after);
    g_test_add_func("/parser/escape/unguarded-forced", test_escape_unguarded_forced);
    g_test_add_func("/parser/escape/forced-two-plus", test_escape_forced_two_plus);
    g_test_add_func("/parser/escape/command-mode", test_escape_command_mode);
    g_test_add_func("/parser/inactivity", test_inactivity);
    g_test_add_func("/parser/download-random", test_download_random);
    g_test_add_func("/parser/offsets", test_offsets);
    g_test_add_func("/parser/suspect-trailer", test_suspect_trailer);
    g_test_add_func("/parser/suspect-released", test_suspect_released);
    g_test_add_func("/parser/suspect-break-offsets", test_suspect_break_offsets);
    g_test_add_func("/parser/elision", test_elision);
    g_test_add_func("/parser/bad-cap", test_bad_cap);
    return g_test_run();
}
