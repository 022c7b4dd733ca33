/* test_verdict.c - the failure analysis (qftp/verdict.h): which transactions failed, how,
 * and the chain that explains each, on scripts of what crossed the serial line.
 *
 * A script line is
 *   "> text"   host sends text + "\r"          "< text"  module sends text + "\r\n"
 *   "<R text"  module sends text as is, with the escapes \r and \n
 *   "@s"       the clock jumps to s seconds (otherwise +10 ms per line)
 * and the expected verdict is written from the manuals and device-quirks.md, one line per
 * kept failure:
 *   "#i KIND[ xN][ recovered=#j][ root=#k] LINK..."  LINK = kind/when[/#ref][/name]
 *   (context links name their context kind: context/during/pdp_deactivated)
 * then "failed=N unfinished=M gaps=G". Times are real (dated 2026) unless the case says
 * they are synthesised.
 */
#include <string.h>

#include "qftp/verdict.h"
#include "testutil.h"

typedef struct {
    const char *name;
    const char *const *script;
    const char *expect;
    const char *dialect; /* NULL: detect */
    bool synth;          /* times synthesised (a log without times) */
} vcase;

typedef struct {
    qftp_session *s;
    qftp_verdict *v;
    qftp_verdict *counts; /* fed the same with opts.counts_only: it must judge alike */
    GString *txns;        /* "#i kind operation | outcome" per transaction */
} run_ctx;

static void on_txn(void *user, const qftp_txn *t)
{
    run_ctx *x = user;
    const qftp_txn_verdict *tv = qftp_verdict_txn(x->v, t);
    g_string_append_printf(x->txns, "#%u %s %s | %s\n", tv->index, qftp_fail_kind_name(tv->kind),
                           tv->operation, tv->outcome);
    const qftp_txn_verdict *cv = qftp_verdict_txn(x->counts, t);
    g_assert_cmpuint(cv->index, ==, tv->index);
    g_assert_cmpstr(qftp_fail_kind_name(cv->kind), ==, qftp_fail_kind_name(tv->kind));
    g_assert_cmpint(cv->failed, ==, tv->failed);
    g_assert_cmpstr(cv->key, ==, tv->key);
    g_assert_cmpint(cv->t_fail, ==, tv->t_fail);
    g_assert_cmpuint(cv->n_links, ==, 0);
}

static void on_unsol(void *user, const qftp_unsolicited *u)
{
    run_ctx *x = user;
    qftp_verdict_unsolicited(x->v, u);
    qftp_verdict_unsolicited(x->counts, u);
}

static void on_trans(void *user, const qftp_transition *tr)
{
    run_ctx *x = user;
    qftp_verdict_transition(x->v, tr);
    qftp_verdict_transition(x->counts, tr);
}

static void on_item(void *user, const qftp_event *ev, const qftp_txn *t, uint64_t frame)
{
    (void)frame;
    run_ctx *x = user;
    if (ev->kind == QFTP_EV_DATA && t) {
        qftp_verdict_data(x->v, t, ev->data, ev->len);
        qftp_verdict_data(x->counts, t, ev->data, ev->len);
    }
}

static GByteArray *unescape(const char *s)
{
    GByteArray *b = g_byte_array_new();
    for (; *s; s++) {
        uint8_t c = (uint8_t)*s;
        if (s[0] == '\\' && s[1] == 'r')
            c = '\r', s++;
        else if (s[0] == '\\' && s[1] == 'n')
            c = '\n', s++;
        g_byte_array_append(b, &c, 1);
    }
    return b;
}

#define T0 (INT64_C(1764496800) * QFTP_NS_PER_SEC) /* 2025-11-30 10:00:00 UTC */

static void render(GString *o, const qftp_verdict *v)
{
    for (size_t i = 0; i < qftp_verdict_failure_count(v); i++) {
        const qftp_failure *f = qftp_verdict_failure(v, i);
        g_string_append_printf(o, "#%u %s", f->v.index, qftp_fail_kind_name(f->v.kind));
        if (f->repeats)
            g_string_append_printf(o, " x%u", f->repeats + 1);
        if (f->recovered_by)
            g_string_append_printf(o, " recovered=#%u", f->recovered_by);
        if (f->root)
            g_string_append_printf(o, " root=#%u", f->root);
        for (size_t k = 0; k < f->v.n_links; k++) {
            const qftp_link *l = &f->v.links[k];
            g_string_append_printf(o, " %s/%s", qftp_link_kind_name(l->kind),
                                   qftp_link_when_name(l->when));
            if (l->kind == QFTP_LINK_CONTEXT)
                g_string_append_printf(o, "/%s", qftp_context_kind_name(l->ctx.kind));
            if (l->ref)
                g_string_append_printf(o, "/#%u", l->ref);
            if (l->kind == QFTP_LINK_LISTING)
                g_string_append_printf(o, "/%s", l->name[0] ? l->name : "-");
        }
        g_string_append_c(o, '\n');
    }
    qftp_verdict_counts c;
    qftp_verdict_counts_get(v, &c);
    g_string_append_printf(o, "failed=%zu unfinished=%zu gaps=%zu", c.failed, c.unfinished, c.gaps);
}

/* Runs a script; returns the rendered verdict. x->txns keeps the transactions. */
static char *run_script(const vcase *c, run_ctx *x)
{
    qftp_session_opts so;
    qftp_session_opts_init(&so);
    if (c->dialect)
        so.dialect = (qftp_dialect)qftp_dialect_from_name(c->dialect);
    so.sink = (qftp_session_sink){on_txn, on_unsol, NULL, on_trans, x, true};
    so.on_item = on_item;
    so.user = x;
    char err[QFTP_ERRBUF_SIZE];
    x->s = qftp_session_new(&so, err);
    g_assert_nonnull(x->s);
    x->v = qftp_verdict_new(x->s, NULL);
    qftp_verdict_opts vo;
    qftp_verdict_opts_init(&vo);
    vo.counts_only = true;
    x->counts = qftp_verdict_new(x->s, &vo);
    x->txns = g_string_new(NULL);
    qftp_ts now = c->synth ? 0 : T0;
    uint64_t frame = 0;
    for (const char *const *l = c->script; *l; l++) {
        if ((*l)[0] == '@') {
            now = (c->synth ? 0 : T0) + (qftp_ts)(g_ascii_strtod(*l + 1, NULL) * 1e9);
            continue;
        }
        now += c->synth ? QFTP_NS_PER_MS : 10 * QFTP_NS_PER_MS;
        GByteArray *b;
        qftp_dir dir = (*l)[0] == '>' ? QFTP_DIR_TX : QFTP_DIR_RX;
        if ((*l)[1] == 'R') {
            b = unescape(*l + 3);
        } else {
            b = g_byte_array_new();
            g_byte_array_append(b, (const guint8 *)*l + 2, (guint)strlen(*l + 2));
            g_byte_array_append(b, (const guint8 *)(dir == QFTP_DIR_TX ? "\r" : "\r\n"),
                                dir == QFTP_DIR_TX ? 1 : 2);
        }
        qftp_verdict_traffic(x->v, now, c->synth, NULL);
        qftp_verdict_traffic(x->counts, now, c->synth, NULL);
        qftp_session_feed(x->s, dir, b->data, b->len, now, ++frame);
        g_byte_array_unref(b);
    }
    qftp_session_finish(x->s, QFTP_TS_NONE);
    GString *o = g_string_new(NULL);
    render(o, x->v);
    return g_string_free(o, FALSE);
}

static void run_free(run_ctx *x)
{
    g_string_free(x->txns, TRUE);
    qftp_verdict_free(x->counts);
    qftp_verdict_free(x->v);
    qftp_session_free(x->s);
}

static void run_case(gconstpointer data)
{
    const vcase *c = data;
    run_ctx x = {0};
    char *got = run_script(c, &x);
    if (strcmp(got, c->expect) != 0)
        g_test_message("transactions:\n%s", x.txns->str);
    g_assert_cmpstr(got, ==, c->expect);
    /* counting alone: the same counts, nothing kept */
    qftp_verdict_counts full, counted;
    qftp_verdict_counts_get(x.v, &full);
    qftp_verdict_counts_get(x.counts, &counted);
    g_assert_cmpuint(counted.txns, ==, full.txns);
    g_assert_cmpuint(counted.failed, ==, full.failed);
    g_assert_cmpuint(counted.unfinished, ==, full.unfinished);
    g_assert_cmpuint(qftp_verdict_failure_count(x.counts), ==, 0);
    g_free(got);
    run_free(&x);
}

/* ---- the cases ------------------------------------------------------------------------------- */

/* BG96 2.18: the close answers OK and reports +QFTPCLOSE later; device-quirks.md: commands
 * in between get +CME ERROR: 603. The retry after the URC succeeds. */
static const char *const busy_603[] = {
    "> AT+QFTPCLOSE",    "< OK", "> AT+QFTPOPEN=\"ftp.example.com\",21", "< +CME ERROR: 603",
    "< +QFTPCLOSE: 0,0", "@3",   "> AT+QFTPOPEN=\"ftp.example.com\",21", "< OK",
    "< +QFTPOPEN: 0,0",  NULL};

/* device-quirks.md: after a 615 the module answers 603 until AT+QFTPCLOSE. */
static const char *const stuck_615[] = {"> AT+QFTPGET=\"a.txt\",\"COM:\"",
                                        "< +CME ERROR: 615",
                                        "@2",
                                        "> AT+QFTPCWD=\"/\"",
                                        "< +CME ERROR: 603",
                                        NULL};

/* The network drops the PDP context during a download to UFS: 609 (timeout, BG96 chapter
 * 5) 90 s later; reactivation fails (561, TCP/IP manual); registration searching. */
static const char *const pdp_609[] = {"> AT+QFTPGET=\"app.bin\",\"UFS:app.bin\"",
                                      "< OK",
                                      "@15",
                                      "< +QIURC: \"pdpdeact\",1",
                                      "@90",
                                      "< +QFTPGET: 609,0",
                                      "@95",
                                      "> AT+QIACT=1",
                                      "< +CME ERROR: 561",
                                      "> AT+CEREG?",
                                      "< +CEREG: 0,2",
                                      "< OK",
                                      NULL};

/* POWERED DOWN and RDY while a download to UFS runs: its URC never comes. */
static const char *const restart[] = {"> AT+QFTPGET=\"big.bin\",\"UFS:big.bin\"",
                                      "< OK",
                                      "@27",
                                      "< POWERED DOWN",
                                      "@32",
                                      "< RDY",
                                      "@40",
                                      "> AT+QFTPSTAT",
                                      "< OK",
                                      "< +QFTPSTAT: 0,4",
                                      NULL};

/* A download the customer trimmed: "..." stands for the rest; the URC says 379. */
static const char *const trimmed[] = {"> AT+QFTPGET=\"readme.txt\",\"COM:\"",
                                      "< CONNECT",
                                      "<R line one of the file\r\nline two\r\n...\r\n",
                                      "< OK",
                                      "<R \r\n+QFTPGET: 0,379\r\n",
                                      "> AT+QFTPSTAT",
                                      "< OK",
                                      "< +QFTPSTAT: 0,1",
                                      NULL};

/* The log ends right after OK: the outcome could still come. */
static const char *const unfinished[] = {"> AT+QFTPCWD=\"/logs\"", "< OK", NULL};

/* OK, then nothing for longer than rsptimeout (90 s default) while other commands run. */
static const char *const no_urc[] = {"> AT+QFTPCWD=\"/logs\"", "< OK", "@60",  "> AT+CSQ",
                                     "< +CSQ: 20,99",          "< OK", "@100", "> AT+CSQ",
                                     "< +CSQ: 20,99",          "< OK", NULL};

/* The listing holds the name the customer meant: app_v2.1.0.bin (BG96 4.4: 550 means the
 * file may not exist). */
static const char *const listing_before[] = {"> AT+QFTPNLST=\".\"",
                                             "< CONNECT",
                                             "<R app_v2.0.bin\r\napp_v2.1.0.bin\r\nold\r\n",
                                             "<R \r\nOK\r\n",
                                             "<R \r\n+QFTPNLST: 0,35\r\n",
                                             "> AT+QFTPGET=\"app_v2.1.bin\",\"COM:\"",
                                             "< OK",
                                             "< +QFTPGET: 627,550",
                                             NULL};

/* The same, the listing asked for after the failure (LIST, Unix ls -l lines). */
static const char *const listing_after[] = {
    "> AT+QFTPGET=\"app_v2.1.bin\",\"COM:\"",
    "< OK",
    "< +QFTPGET: 627,550",
    "> AT+QFTPLIST=\".\"",
    "< CONNECT",
    "<R -rw-r--r--    1 ftp      ftp        184320 Nov 30 08:02 app_v2.1.0.bin\r\n",
    "<R \r\nOK\r\n",
    "<R \r\n+QFTPLIST: 0,72\r\n",
    NULL};

/* The name is in the listing: no close name, the words say it exists. */
static const char *const listing_exact[] = {"> AT+QFTPNLST=\".\"",
                                            "< CONNECT",
                                            "<R a.txt\r\nb.txt\r\n",
                                            "<R \r\nOK\r\n",
                                            "<R \r\n+QFTPNLST: 0,14\r\n",
                                            "> AT+QFTPDEL=\"a.txt\"",
                                            "< OK",
                                            "< +QFTPDEL: 627,550",
                                            NULL};

/* The same failure three times in a row: one entry. */
static const char *const repeats[] = {"> AT+QFTPCWD=\"/x\"",
                                      "< OK",
                                      "< +QFTPCWD: 627,550",
                                      "> AT+QFTPCWD=\"/x\"",
                                      "< OK",
                                      "< +QFTPCWD: 627,550",
                                      "> AT+QFTPCWD=\"/x\"",
                                      "< OK",
                                      "< +QFTPCWD: 627,550",
                                      NULL};

/* GSM 4.5: the server drops an idle session: +QFTPERROR:-421, then -6; the next command
 * finds no session. */
static const char *const gsm_closed[] = {"> AT+QFTPOPEN=\"ftp.example.com\",21",
                                         "< OK",
                                         "< +QFTPOPEN:0",
                                         "@300",
                                         "< +QFTPERROR:-421",
                                         "< +QFTPERROR:-6",
                                         "@360",
                                         "> AT+QFTPGET=\"today.txt\"",
                                         "< ERROR",
                                         NULL};

/* A silence of 20 s (over the 10 s threshold, under rsptimeout). */
static const char *const silence[] = {"> AT", "< OK", "@20", "> AT", "< OK", NULL};

/* An upload whose URC counts fewer bytes than the host sent (BG96 2.5). */
static const char *const upload_short[] = {"> AT+QFTPPUT=\"m.csv\",\"COM:\",0",
                                           "< CONNECT",
                                           "@1",
                                           ">R 1,0.51\n2,0.49\n",
                                           "@3",
                                           ">R +++",
                                           "@4.1",
                                           "< OK",
                                           "< +QFTPPUT: 0,6",
                                           NULL};

/* GSM 2.2.3: AT+QFTPPUT="<fileName>",<fileSz>,<time>: OK, CONNECT, the data, then
 * +QFTPPUT:<upSize>, which "theoretically should equal <fileSz>". Here the host sent 10 of
 * the 20 bytes it declared and the module gave up after <time>: short. */
static const char *const gsm_upload_short[] = {"> AT+QFTPPUT=\"a.txt\",20,60",
                                               "< OK",
                                               "< CONNECT",
                                               ">R 0123456789",
                                               "@61",
                                               "< +QFTPPUT:10",
                                               NULL};

/* The same with all 20 bytes: data mode ends at <fileSz>, nothing failed. */
static const char *const gsm_upload_whole[] = {"> AT+QFTPPUT=\"a.txt\",20,60",
                                               "< OK",
                                               "< CONNECT",
                                               ">R 0123456789abcdefghij",
                                               "@2",
                                               "< +QFTPPUT:20",
                                               NULL};

static const vcase cases[] = {
    {"busy-603", busy_603, "#2 refused recovered=#3 busy/before/#1\nfailed=1 unfinished=0 gaps=0",
     "bg96", false},
    {"stuck-615", stuck_615, "#1 refused\n#2 refused stuck/before/#1\nfailed=2 unfinished=0 gaps=0",
     "bg96", false},
    {"pdpdeact-609", pdp_609,
     "#1 failed context/during/pdp_deactivated follows/after/#2 "
     "context/after/registration/#3\n#2 refused root=#1 "
     "context/before/pdp_deactivated\nfailed=2 unfinished=0 gaps=2",
     "bg96", false},
    {"restart", restart,
     "#1 no-outcome context/during/power_down context/after/restart\n"
     "failed=1 unfinished=0 gaps=1",
     "bg96", false},
    {"trimmed", trimmed, "#1 incomplete\nfailed=1 unfinished=0 gaps=0", "bg96", true},
    {"unfinished", unfinished, "failed=0 unfinished=1 gaps=0", "bg96", false},
    {"no-urc-rsptimeout", no_urc, "#1 no-outcome\nfailed=1 unfinished=0 gaps=2", "bg96", false},
    {"listing-before", listing_before,
     "#2 failed listing/before/#1/app_v2.1.0.bin, app_v2.0.bin\nfailed=1 unfinished=0 gaps=0",
     "bg96", false},
    {"listing-after", listing_after,
     "#1 failed listing/after/#2/app_v2.1.0.bin\nfailed=1 unfinished=0 gaps=0", "bg96", false},
    {"listing-exact", listing_exact, "#2 failed listing/before/#1/-\nfailed=1 unfinished=0 gaps=0",
     "bg96", false},
    {"repeats", repeats, "#1 failed x3\nfailed=3 unfinished=0 gaps=0", "bg96", false},
    {"gsm-server-closed", gsm_closed,
     "#2 refused ftp-error/before ftp-error/before closed/before\nfailed=1 unfinished=0 gaps=2",
     "gsm", false},
    {"silence", silence, "failed=0 unfinished=0 gaps=1", NULL, false},
    {"upload-short", upload_short, "#1 incomplete\nfailed=1 unfinished=0 gaps=0", "bg96", false},
    {"gsm-upload-short", gsm_upload_short, "#1 incomplete\nfailed=1 unfinished=0 gaps=1", "gsm",
     false},
    {"gsm-upload-whole", gsm_upload_whole, "failed=0 unfinished=0 gaps=0", "gsm", false},
};

/* ---- words ------------------------------------------------------------------------------------
 */

static void test_words(void)
{
    static const vcase c = {"words", pdp_609, "", "bg96", false};
    run_ctx x = {0};
    g_free(run_script(&c, &x));
    /* what each transaction was, in words */
    g_assert_nonnull(strstr(x.txns->str, "#1 failed download of app.bin to UFS:app.bin | "
                                         "timeout error (+QFTPGET: 609,0)\n"));
    g_assert_nonnull(strstr(x.txns->str, "#2 refused activation of PDP context 1 | open PDP "
                                         "context failed (+CME ERROR: 561)\n"));
    const qftp_failure *f = qftp_verdict_failure(x.v, 0);
    char buf[1024];
    qftp_failure_headline(x.v, f, buf, sizeof buf);
    g_assert_cmpstr(buf, ==,
                    "Download of app.bin to UFS:app.bin failed at 10:01:30.010 (#1): timeout "
                    "error (+QFTPGET: 609,0), 1 min 30 s after the command.");
    qftp_link_sentence(x.v, &f->v, &f->v.links[0], buf, sizeof buf);
    g_assert_true(g_str_has_prefix(buf, "During it: the network deactivated PDP context 1"));
    g_assert_nonnull(strstr(buf, "(+QIURC: \"pdpdeact\",1 at 10:00:15.010, 15.0 s after the "
                                 "command)."));
    g_assert_true(qftp_verdict_dated(x.v));
    g_assert_cmpstr(qftp_verdict_iso_time(x.v, T0 + QFTP_NS_PER_SEC / 2, buf, sizeof buf), ==,
                    "2025-11-30T10:00:00.500000");
    g_assert_cmpstr(qftp_verdict_time(x.v, T0 + 86400 * QFTP_NS_PER_SEC, buf, sizeof buf), ==,
                    "2025-12-01 10:00:00.000");
    run_free(&x);

    /* no times: none is written, and no duration */
    static const vcase cs = {"words-synth", busy_603, "", "bg96", true};
    run_ctx y = {0};
    g_free(run_script(&cs, &y));
    g_assert_false(qftp_verdict_times_real(y.v));
    f = qftp_verdict_failure(y.v, 0);
    qftp_failure_headline(y.v, f, buf, sizeof buf);
    g_assert_cmpstr(buf, ==,
                    "Login to ftp.example.com:21 was refused (#2): FTP(S) server busy (+CME "
                    "ERROR: 603).");
    qftp_link_sentence(y.v, &f->v, &f->v.links[0], buf, sizeof buf);
    g_assert_cmpstr(buf, ==, "Before it: logout (#1) was still running.");
    run_free(&y);

    char d[32];
    g_assert_cmpstr(qftp_duration_words(3 * QFTP_NS_PER_MS, d, sizeof d), ==, "3 ms");
    g_assert_cmpstr(qftp_duration_words(1600 * QFTP_NS_PER_MS, d, sizeof d), ==, "1.60 s");
    g_assert_cmpstr(qftp_duration_words(15 * QFTP_NS_PER_SEC, d, sizeof d), ==, "15.0 s");
    g_assert_cmpstr(qftp_duration_words(125 * QFTP_NS_PER_SEC, d, sizeof d), ==, "2 min 5 s");
}

/* Synthesised times never make a gap; a gap longer than rsptimeout says so. */
/* Words cut to their field stay whole characters: a file name of 2-byte characters longer
 * than the field, at both parities of the cut. */
static void test_words_cut(void)
{
    for (int odd = 0; odd < 2; odd++) {
        GString *cmd = g_string_new("> AT+QFTPGET=\"");
        if (odd)
            g_string_append_c(cmd, 'x');
        for (int i = 0; i < QFTP_WORDS_CAP; i++)
            g_string_append(cmd, "\xc3\xa9"); /* U+00E9 */
        g_string_append(cmd, ".bin\",\"COM:\"");
        const char *script[] = {cmd->str, "< +CME ERROR: 609", NULL};
        vcase c = {"words-cut", script, "", "bg96", true};
        run_ctx x = {0};
        g_free(run_script(&c, &x));
        const qftp_failure *f = qftp_verdict_failure(x.v, 0);
        g_assert_nonnull(f);
        g_assert_cmpuint(strlen(f->v.operation), >, QFTP_WORDS_CAP - 8);
        g_assert_true(g_utf8_validate(f->v.operation, -1, NULL));
        char buf[4096];
        qftp_failure_headline(x.v, f, buf, sizeof buf);
        g_assert_true(g_utf8_validate(buf, -1, NULL));
        run_free(&x);
        g_string_free(cmd, TRUE);
    }
}

static void test_gaps(void)
{
    qftp_session_opts so;
    qftp_session_opts_init(&so);
    char err[QFTP_ERRBUF_SIZE];
    qftp_session *s = qftp_session_new(&so, err);
    qftp_verdict *v = qftp_verdict_new(s, NULL);
    qftp_gap g;
    g_assert_false(qftp_verdict_traffic(v, T0, false, &g));
    g_assert_false(qftp_verdict_traffic(v, T0 + 9 * QFTP_NS_PER_SEC, false, &g));
    g_assert_true(qftp_verdict_traffic(v, T0 + 100 * QFTP_NS_PER_SEC, false, &g));
    g_assert_true(g.over_rsptimeout);
    g_assert_cmpint(g.to - g.from, ==, 91 * QFTP_NS_PER_SEC);
    qftp_verdict_free(v);
    v = qftp_verdict_new(s, NULL);
    g_assert_false(qftp_verdict_traffic(v, 0, true, &g));
    g_assert_false(qftp_verdict_traffic(v, 500 * QFTP_NS_PER_SEC, false, &g));
    qftp_verdict_free(v);
    qftp_session_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *path = g_strdup_printf("/verdict/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], run_case);
        g_free(path);
    }
    g_test_add_func("/verdict/words", test_words);
    g_test_add_func("/verdict/gaps", test_gaps);
    g_test_add_func("/verdict/words-cut", test_words_cut);
    return g_test_run();
}
