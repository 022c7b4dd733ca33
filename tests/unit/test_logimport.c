/* test_logimport.c - every log format into records. The socat samples are real socat
 * 1.7.4 output (socat -v / -x between two programs); the others follow docs/import.md. */
#include <stdio.h>
#include <string.h>

#include "qftp/logimport.h"
#include "testutil.h"

static int collect(void *user, const qftp_record *r)
{
    GString *s = user;
    g_string_append_printf(s, "%s%s%s[", r->dir == QFTP_DIR_TX ? ">" : "<", r->ts_synth ? "~" : "",
                           "");
    for (size_t i = 0; i < r->len; i++) {
        uint8_t c = r->data[i];
        if (c == '\r')
            g_string_append(s, "\\r");
        else if (c == '\n')
            g_string_append(s, "\\n");
        else if (c < 0x20 || c >= 0x7f)
            g_string_append_printf(s, "\\x%02x", c);
        else
            g_string_append_c(s, (char)c);
    }
    g_string_append_printf(s, "]@%lld ", (long long)(r->ts / 1000000)); /* ms */
    return 0;
}

static int import(const char *log, size_t n, qftp_log_format f, const char *regex, bool redact,
                  GString *out, qftp_log_format *used, char *err)
{
    FILE *in = fmemopen((void *)log, n, "rb");
    qftp_import_opts o;
    qftp_import_opts_init(&o);
    o.format = f;
    o.regex = regex;
    o.redact = redact;
    int rc = qftp_log_import(in, &o, collect, out, used, err);
    fclose(in);
    return rc;
}

typedef struct {
    const char *name;
    const char *log;
    qftp_log_format format; /* expected detection */
    const char *regex;
    const char *expect;
} lcase;

/* 2024-05-01 10:00:01.123 UTC in ms */
#define T "1714557601"

static const lcase cases[] = {
    {"plain", "AT+QFTPOPEN=\"h\",21\nOK\n\n+QFTPOPEN: 0,0   \n", QFTP_FMT_PLAIN, NULL,
     ">~[AT+QFTPOPEN=\"h\",21\\r]@0 <~[\\r\\nOK\\r\\n]@1 <~[\\r\\n+QFTPOPEN: 0,0\\r\\n]@2 "},
    {"plain-get-data", "at+qftpget=\"a\",\"COM:\"\r\nCONNECT\r\nline OK\r\nOK\r\n+QFTPGET: 0,9\r\n",
     QFTP_FMT_PLAIN, NULL,
     ">~[at+qftpget=\"a\",\"COM:\"\\r]@0 <~[\\r\\nCONNECT\\r\\n]@1 <~[line OK\\r\\n]@2 "
     "<~[\\r\\nOK\\r\\n]@3 <~[\\r\\n+QFTPGET: 0,9\\r\\n]@4 "},
    {"plain-put-escape", "AT+QFTPPUT=\"a\",\"COM:\",0\nCONNECT\nhello\n+++\nOK\n", QFTP_FMT_PLAIN,
     NULL,
     ">~[AT+QFTPPUT=\"a\",\"COM:\",0\\r]@0 <~[\\r\\nCONNECT\\r\\n]@1 >~[hello\\r\\n]@2 "
     ">~[+++]@3 <~[\\r\\nOK\\r\\n]@4 "},
    {"timestamped-brackets",
     "[2024-05-01 10:00:01.123] >> AT+QFTPSTAT\n[2024-05-01 10:00:01.150] << +QFTPSTAT: 0,1\n",
     QFTP_FMT_TIMESTAMPED, NULL,
     ">[AT+QFTPSTAT\\r]@" T "123 <[\\r\\n+QFTPSTAT: 0,1\\r\\n]@" T "150 "},
    {"timestamped-txrx", "10:00:01,5 TX: AT\nRX: OK\n", QFTP_FMT_TIMESTAMPED, NULL,
     ">[AT\\r]@36001500 <~[\\r\\nOK\\r\\n]@36001501 "},
    {"timestamped-sendrecv", "[10:00:01.000]Send:AT\\r\n[10:00:01.010]Recv:\\r\\nOK\\r\\n\n",
     QFTP_FMT_TIMESTAMPED, NULL, ">[AT\\r]@36001000 <[\\r\\nOK\\r\\n]@36001010 "},
    {"socat-v",
     "> 2026/11/22 12:07:27.000494292  length=12 from=0 to=11\n"
     "AT+QFTPSTAT\\r< 2026/11/22 12:07:27.000602237  length=32 from=0 to=31\n"
     "AT+QFTPSTAT\\r\\r\n+QFTPSTAT: 0,1\\r\n\\r\n",
     QFTP_FMT_SOCAT, NULL,
     ">[AT+QFTPSTAT\\r]@1795349247000 <[AT+QFTPSTAT\\r\\r\\n+QFTPSTAT: "
     "0,1\\r\\n\\r\\n]@1795349247000 "},
    {"socat-x",
     "> 2026/11/22 12:07:22.000913428  length=3 from=0 to=2\n"
     " 41 54 0d                                         AT.\n--\n"
     "< 2026/11/22 12:07:23.000019348  length=3 from=0 to=2\n"
     " 4f 4b 0d                                         OK.\n--\n",
     QFTP_FMT_SOCAT, NULL, ">[AT\\r]@1795349242000 <[OK\\r]@1795349243000 "},
    {"interceptty", "> 0x41 (A)\n> 0x54 (T)\n> 0x0d\n< 0x4f (O)\n< 0x4b (K)\n",
     QFTP_FMT_INTERCEPTTY, NULL, ">~[AT\\r]@0 <~[OK]@1 "},
    {"regex", "2024-05-01 10:00:01.123 host: AT\n2024-05-01 10:00:01.200 modem: OK\n",
     QFTP_FMT_PLAIN, "^(?<time>\\S+ \\S+) (?<dir>\\w+): (?<data>.*)$",
     ">[AT\\r]@" T "123 <[\\r\\nOK\\r\\n]@" T "200 "},
};

static void test_formats(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const lcase *c = &cases[i];
        char err[QFTP_ERRBUF_SIZE] = "";
        g_assert_cmpint(qftp_log_detect((const uint8_t *)c->log, strlen(c->log)), ==, c->format);
        GString *out = g_string_new(NULL);
        qftp_log_format used;
        int rc = import(c->log, strlen(c->log), QFTP_FMT_AUTO, c->regex, false, out, &used, err);
        if (rc != 0 || strcmp(out->str, c->expect) != 0)
            g_error("%s: rc %d (%s)\n  got    %s\n  expect %s", c->name, rc, err, out->str,
                    c->expect);
        g_string_free(out, TRUE);
    }
}

static void test_redact(void)
{
    static const struct {
        const char *in, *out;
    } r[] = {
        {"AT+QFTPPASS=\"123456\"", "AT+QFTPPASS=\"******\""},
        {"at+qftppass=secret", "at+qftppass=******"},
        {"AT+QFTPCFG=\"account\",\"test\",\"test\"", "AT+QFTPCFG=\"account\",\"test\",\"****\""},
        {"AT+QFTPCFG=\"account\",\"u\",\"p,w\";+QFTPSTAT",
         "AT+QFTPCFG=\"account\",\"u\",\"***\";+QFTPSTAT"},
        {"AT+QFTPCFG=\"contextid\",1", "AT+QFTPCFG=\"contextid\",1"},
        {"AT+QFTPUSER=\"quectel\"", "AT+QFTPUSER=\"quectel\""},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(r); i++) {
        char *s = g_strdup(r[i].in);
        qftp_redact_line((uint8_t *)s, strlen(s));
        g_assert_cmpstr(s, ==, r[i].out);
        g_free(s);
    }
    GString *out = g_string_new(NULL);
    char err[QFTP_ERRBUF_SIZE];
    const char *log = "[10:00:00.000] >> AT+QFTPPASS=\"pw\"\n";
    g_assert_cmpint(import(log, strlen(log), QFTP_FMT_AUTO, NULL, true, out, NULL, err), ==, 0);
    g_assert_nonnull(strstr(out->str, "AT+QFTPPASS=\"**\""));
    g_string_free(out, TRUE);
}

static void expect_err(const char *name, const char *log, size_t n, qftp_log_format f,
                       const char *regex, const char *words)
{
    if (n == SIZE_MAX)
        n = strlen(log);
    GString *out = g_string_new(NULL);
    char err[QFTP_ERRBUF_SIZE] = "";
    int rc = import(log, n, f, regex, false, out, NULL, err);
    if (rc >= 0 || !strstr(err, words))
        g_error("%s: rc %d, message '%s' lacks '%s'", name, rc, err, words);
    g_string_free(out, TRUE);
}

static void test_malformed(void)
{
    expect_err("socat-no-header", "AT\n", SIZE_MAX, QFTP_FMT_SOCAT, NULL, "line 1: a socat header");
    expect_err("socat-bad-hex", "> 2024/05/01 10:00:00.000000  length=2 from=0 to=1\n 41 zz\n",
               SIZE_MAX, QFTP_FMT_SOCAT, NULL, "line 2: bad hex digits");
    expect_err("socat-short", "> 2024/05/01 10:00:00.000000  length=9 from=0 to=8\nAT\n", SIZE_MAX,
               QFTP_FMT_SOCAT, NULL, "ends 6 bytes before");
    expect_err("stamped-no-dir", "[10:00:00.000] >> AT\n[10:00:01.000] hello\n", SIZE_MAX,
               QFTP_FMT_TIMESTAMPED, NULL, "line 2: no direction");
    expect_err("regex-groups", "x\n", SIZE_MAX, QFTP_FMT_REGEX, "(?<data>.*)", "named groups");
    expect_err("regex-nomatch", "a:b\nzzz\n", SIZE_MAX, QFTP_FMT_REGEX, "^(?<dir>\\w):(?<data>.*)$",
               "line 2: does not match");
    expect_err("interceptty-bad", "> 0x41\n> zz\n", SIZE_MAX, QFTP_FMT_INTERCEPTTY, NULL, "line 2");
    static const char nul[] = "AT\nOK\nab\0cd\n";
    expect_err("nul", nul, sizeof nul - 1, QFTP_FMT_PLAIN, NULL, "line 3: binary");
    /* a 20 MB line with no line end: stopped at the cap, memory bounded */
    size_t big = 20u << 20;
    char *b = g_malloc(big);
    memset(b, 'A', big);
    expect_err("endless", b, big, QFTP_FMT_PLAIN, NULL, "line 1: longer than");
    g_free(b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/logimport/formats", test_formats);
    g_test_add_func("/logimport/redact", test_redact);
    g_test_add_func("/logimport/malformed", test_malformed);
    return g_test_run();
}
