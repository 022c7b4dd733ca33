/* test_cmdline.c - splitting command lines and response lines (libqftp/cmdline.c).
 *
 * Lines come from the manuals' examples (GSM 4.x, BG96 3.x), V.250 basic syntax and the
 * forms device-quirks.md lists. Every input is also parsed cut at every length, and
 * random bytes are fed, to show that nothing reads outside the given bytes. */
#include <string.h>

#include "qftp/tables.h"
#include "testutil.h"

/* Every span of a parse lies inside [line, line + len). */
static void assert_spans_inside(const char *line, size_t len, const qftp_span *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i].len == 0)
            continue;
        g_assert_true(s[i].p >= line);
        g_assert_true(s[i].p + s[i].len <= line + len);
    }
}

/* "NAME/type [p1|p2]" per command, joined by " ; "; "-1" for a rejected line. The bare
 * "AT" shows as "/execute" (name ""). */
static char *render(const char *line, size_t len, size_t max, bool *truncated)
{
    qftp_subcmd c[QFTP_MAX_SUBCMDS + 1];
    char err[QFTP_ERRBUF_SIZE] = "";
    int n = qftp_cmdline_parse(line, len, c, max, truncated, err);
    if (n < 0) {
        g_assert_cmpstr(err, !=, "");
        return g_strdup("-1");
    }
    g_assert_cmpint(n, <=, (int)max);
    GString *s = g_string_new(NULL);
    for (int i = 0; i < n; i++) {
        assert_spans_inside(line, len, &c[i].text, 1);
        assert_spans_inside(line, len, c[i].params, c[i].n_params);
        g_assert_cmpuint(c[i].n_params, <=, QFTP_MAX_PARAMS);
        g_string_append_printf(s, "%s%s/%s", i ? " ; " : "", c[i].name,
                               qftp_cmd_type_name(c[i].type));
        for (size_t k = 0; k < c[i].n_params; k++)
            g_string_append_printf(s, "%s%.*s", k ? "|" : " [", (int)c[i].params[k].len,
                                   c[i].params[k].p);
        if (c[i].n_params)
            g_string_append_c(s, ']');
        if (c[i].too_many_params)
            g_string_append(s, " +more");
    }
    return g_string_free(s, FALSE);
}

typedef struct {
    const char *in;
    const char *out;
} line_case;

#define P16 "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16"

static const line_case line_cases[] = {
    /* GSM 4.1 */
    {"AT+QIFGCNT=0", "+QIFGCNT/write [0]"},
    {"AT+QICSGP=1,\"CMNET\"", "+QICSGP/write [1|\"CMNET\"]"},
    {"AT+QFTPUSE=\"quectel\"", "+QFTPUSE/write [\"quectel\"]"},
    {"AT+QFTPOPEN=\"quectel.3322.org\", 21", "+QFTPOPEN/write [\"quectel.3322.org\"|21]"},
    /* GSM 4.2 - 4.5 */
    {"AT+QFTPPUT=\"sscom.ini\", 1587,200", "+QFTPPUT/write [\"sscom.ini\"|1587|200]"},
    {"AT+QFTPCFG=4,\"/UFS/\"", "+QFTPCFG/write [4|\"/UFS/\"]"},
    {"AT+QFTPPATH=\"\"", "+QFTPPATH/write [\"\"]"},
    {"AT+QFTPCLOSE", "+QFTPCLOSE/execute"},
    {"AT+QIDEACT", "+QIDEACT/execute"},
    {"AT+IFC=2, 2", "+IFC/write [2|2]"},
    /* BG96 3.x */
    {"AT+QICSGP=1,1,\"UNINET\",\"\",\"\",1", "+QICSGP/write [1|1|\"UNINET\"|\"\"|\"\"|1]"},
    {"AT+QIACT?", "+QIACT/read"},
    {"AT+QFTPCFG=\"account\",\"test\",\"test\"", "+QFTPCFG/write [\"account\"|\"test\"|\"test\"]"},
    {"AT+QSSLCFG=\"ciphersuite\",1, 0xffff", "+QSSLCFG/write [\"ciphersuite\"|1|0xffff]"},
    {"AT+QFTPPUT=\"test.txt\",\"COM:\",0,1024,0",
     "+QFTPPUT/write [\"test.txt\"|\"COM:\"|0|1024|0]"},
    {"AT+QFTPPUT=\"test_my1.txt\", \" test_ufs.txt\",0",
     "+QFTPPUT/write [\"test_my1.txt\"|\" test_ufs.txt\"|0]"},
    {"AT+QFTPMLSD =\".\"", "+QFTPMLSD/write [\".\"]"},
    {"AT+QFLST=\"*\"", "+QFLST/write [\"*\"]"},
    {"AT+QFTPPWD", "+QFTPPWD/execute"},
    /* forms */
    {"AT+QFTPOPEN=?", "+QFTPOPEN/test"},
    {"AT+QFTPOPEN = ?", "+QFTPOPEN/test"},
    {"AT+QFTPOPEN?", "+QFTPOPEN/read"},
    {"AT+QFTPCFG=", "+QFTPCFG/write"},
    {"AT+QFTPCFG=1,", "+QFTPCFG/write [1|]"},
    {"AT+X=1,,3", "+X/write [1||3]"},
    {"AT+X= a , b ", "+X/write [a|b]"},
    /* case, chaining, ';' (device-quirks.md "Framing") */
    {"at+qftpopen=\"h\",\"21\"", "+QFTPOPEN/write [\"h\"|\"21\"]"},
    {"aT+QfTpStAt", "+QFTPSTAT/execute"},
    {"AT+QFTPSTAT;", "+QFTPSTAT/execute"},
    {"AT+QFTPSTAT;+QFTPLEN", "+QFTPSTAT/execute ; +QFTPLEN/execute"},
    {"AT+QFTPSTAT ; +QFTPLEN;", "+QFTPSTAT/execute ; +QFTPLEN/execute"},
    {"AT+CMEE=2;+QFTPSTAT", "+CMEE/write [2] ; +QFTPSTAT/execute"},
    {"AT+QFTPCFG=\"account\",\"a;b\",\"c,d\";+QFTPSTAT",
     "+QFTPCFG/write [\"account\"|\"a;b\"|\"c,d\"] ; +QFTPSTAT/execute"},
    {"AT+QFTPPUT=\"a\\\"b;c\",1", "+QFTPPUT/write [\"a\\\"b;c\"|1]"},
    {"AT+QFTPOPEN=\"unterminated;21", "+QFTPOPEN/write [\"unterminated;21]"},
    {"  AT+QFTPSTAT\r\n", "+QFTPSTAT/execute"},
    /* basic commands (V.250 5.3) */
    {"ATE0", "E/write [0]"},
    {"ATE1", "E/write [1]"},
    {"ATE", "E/execute"},
    {"ATE0V1", "E/write [0] ; V/write [1]"},
    {"ATE1 V1", "E/write [1] ; V/write [1]"},
    {"ATE?", "E/read"},
    {"ATE=?", "E/test"},
    {"ATI", "I/execute"},
    {"ATO", "O/execute"},
    {"ATO0", "O/write [0]"},
    {"AT&D1", "&D/write [1]"},
    {"AT&D", "&D/execute"},
    {"AT&F0E0", "&F/write [0] ; E/write [0]"},
    {"ATS0=0", "S0/write [0]"},
    {"ATS7=60", "S7/write [60]"},
    {"ATS0?", "S0/read"},
    {"ATS0=?", "S0/test"},
    {"ATD*99#", "D/write [*99#]"},
    {"ATD123;E0", "D/write [123;E0]"},
    {"ATD", "D/write"},
    {"ATE0+CMEE=2", "E/write [0] ; +CMEE/write [2]"},
    {"AT+CMEE=2;E0", "+CMEE/write [2] ; E/write [0]"},
    /* "AT" alone is one command named "" */
    {"AT", "/execute"},
    {"at", "/execute"},
    {"AT;", "/execute"},
    {"AT  ", "/execute"},
    /* parameter cap */
    {"AT+X=" P16, "+X/write [1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16]"},
    {"AT+X=" P16 ",17,18", "+X/write [1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16] +more"},
    /* name cap: 31 bytes kept */
    {"AT+ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "+ABCDEFGHIJKLMNOPQRSTUVWXYZ0123/execute"},
    /* not command lines */
    {"", "-1"},
    {"A", "-1"},
    {"hello", "-1"},
    {"+QFTPSTAT", "-1"},
    {"OK", "-1"},
    {"TA", "-1"},
    {"A/", "-1"},
};

static void test_lines(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(line_cases); i++) {
        const line_case *c = &line_cases[i];
        g_test_message("'%s'", c->in);
        bool trunc = true;
        char *got = render(c->in, strlen(c->in), QFTP_MAX_SUBCMDS, &trunc);
        g_assert_cmpstr(got, ==, c->out);
        g_assert_false(trunc);
        g_free(got);
    }
}

/* Each input cut at every length: no read past the cut, spans inside. */
static void test_prefixes(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(line_cases); i++) {
        const char *in = line_cases[i].in;
        size_t n = strlen(in);
        for (size_t cut = 0; cut <= n; cut++) {
            char *copy = g_memdup2(in, cut); /* exact size: ASan sees an overread */
            bool trunc;
            g_free(render(cut ? copy : NULL, cut, QFTP_MAX_SUBCMDS, &trunc));
            g_free(copy);
        }
    }
}

typedef struct {
    const char *in;
    size_t max;
    const char *out;
    bool truncated;
} max_case;

static const max_case max_cases[] = {
    {"AT+A;+B;+C", 3, "+A/execute ; +B/execute ; +C/execute", false},
    {"AT+A;+B;+C", 2, "+A/execute ; +B/execute", true},
    {"AT+A;+B;+C;", 3, "+A/execute ; +B/execute ; +C/execute", false},
    {"ATE0V1Q0", 1, "E/write [0]", true},
    {"AT", 1, "/execute", false},
    {"AT", 0, "", true},
    {"AT+A", 0, "", true},
};

static void test_max(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(max_cases); i++) {
        const max_case *c = &max_cases[i];
        g_test_message("'%s' max %zu", c->in, c->max);
        bool trunc = !c->truncated;
        char *got = render(c->in, strlen(c->in), c->max, &trunc);
        g_assert_cmpstr(got, ==, c->out);
        g_assert_cmpint(trunc, ==, c->truncated);
        g_free(got);
    }
    /* NULL out, NULL truncated, NULL errbuf */
    g_assert_cmpint(qftp_cmdline_parse("AT+A", 4, NULL, 5, NULL, NULL), ==, 0);
    g_assert_cmpint(qftp_cmdline_parse("xx", 2, NULL, 0, NULL, NULL), ==, -1);
    g_assert_cmpint(qftp_cmdline_parse(NULL, 0, NULL, 0, NULL, NULL), ==, -1);
}

typedef struct {
    const char *in;
    const char *texts; /* the commands' text spans, joined by " ; " */
} text_case;

static const text_case text_cases[] = {
    {"AT+QFTPSTAT;+QFTPLEN", "+QFTPSTAT ; +QFTPLEN"},
    {"ATE0V1", "E0 ; V1"},
    {"AT+QFTPOPEN=\"h\",21 ;E0", "+QFTPOPEN=\"h\",21 ; E0"},
    {"AT", ""},
};

static void test_text_spans(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(text_cases); i++) {
        const char *in = text_cases[i].in;
        qftp_subcmd c[4];
        int n = qftp_cmdline_parse(in, strlen(in), c, 4, NULL, NULL);
        GString *s = g_string_new(NULL);
        for (int k = 0; k < n; k++)
            g_string_append_printf(s, "%s%.*s", k ? " ; " : "", (int)c[k].text.len, c[k].text.p);
        g_assert_cmpstr(s->str, ==, text_cases[i].texts);
        g_string_free(s, TRUE);
    }
}

/* ---- parameters -------------------------------------------------------------------------- */

typedef struct {
    const char *in;
    size_t cap;
    const char *out;
    size_t ret;
    bool quoted;
} unquote_case;

static const unquote_case unquote_cases[] = {
    {"\"COM:\"", 64, "COM:", 4, true},
    {"COM:", 64, "COM:", 4, false},
    {"\"\"", 64, "", 0, true},
    {"", 64, "", 0, false},
    {" \"a b\" ", 64, "a b", 3, true},
    {"\"a\\\"b\"", 64, "a\"b", 3, true},
    {"\"abcdefgh\"", 4, "abc", 8, true}, /* cut; the full length returned */
    {"\"abc", 64, "abc", 3, true},       /* unterminated */
    {"\"", 64, "", 0, true},
    {"\"/UFS/test.txt\"", 64, "/UFS/test.txt", 13, true},
    {"0xffff", 1, "", 6, false},
};

static void test_unquote(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(unquote_cases); i++) {
        const unquote_case *c = &unquote_cases[i];
        g_test_message("'%s'", c->in);
        char buf[64];
        memset(buf, 'x', sizeof buf);
        qftp_span v = {c->in, strlen(c->in)};
        g_assert_cmpuint(qftp_param_unquote(v, buf, c->cap), ==, c->ret);
        g_assert_cmpstr(buf, ==, c->out);
        g_assert_cmpint(qftp_param_is_quoted(v), ==, c->quoted);
        g_assert_cmpuint(qftp_param_unquote(v, NULL, 0), ==, c->ret);
    }
    char b = 'x';
    g_assert_cmpuint(qftp_param_unquote((qftp_span){"\"abc\"", 5}, &b, 0), ==, 3);
    g_assert_cmpint(b, ==, 'x');
    g_assert_cmpuint(qftp_param_unquote((qftp_span){NULL, 0}, &b, 1), ==, 0);
    g_assert_false(qftp_param_is_quoted((qftp_span){NULL, 0}));
}

typedef struct {
    const char *in;
    bool ok;
    int64_t value;
} int_case;

static const int_case int_cases[] = {
    {"21", true, 21},
    {"\"21\"", true, 21}, /* quoted numbers (device-quirks.md) */
    {" 1587", true, 1587},
    {"\" 21 \"", true, 21},
    {"-421", true, -421},
    {"+5", true, 5},
    {"0", true, 0},
    {"999999999999999999", true, INT64_C(999999999999999999)}, /* the longest read in place */
    {"-999999999999999999", true, -INT64_C(999999999999999999)},
    {"+-5", false, 0},
    {"5-", false, 0},
    {"-+", false, 0},
    {"9223372036854775807", true, INT64_MAX},
    {"9223372036854775808", false, 0},
    {"-9223372036854775807", true, -INT64_MAX},
    {"99999999999999999999", false, 0},
    {"0xffff", false, 0},
    {"1.5", false, 0},
    {"2 1", false, 0},
    {"-", false, 0},
    {"\"\"", false, 0},
    {"", false, 0},
    {"abc", false, 0},
    {"\"COM:\"", false, 0},
};

static void test_int(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(int_cases); i++) {
        const int_case *c = &int_cases[i];
        g_test_message("'%s'", c->in);
        int64_t v = -12345;
        g_assert_cmpint(qftp_param_int((qftp_span){c->in, strlen(c->in)}, &v), ==, c->ok);
        if (c->ok)
            g_assert_cmpint(v, ==, c->value);
        else
            g_assert_cmpint(v, ==, -12345);
    }
    g_assert_true(qftp_param_int((qftp_span){"7", 1}, NULL));
    g_assert_true(qftp_param_int((qftp_span){"215", 2}, NULL)); /* length bounds */
}

/* ---- response lines ------------------------------------------------------------------------ */

typedef struct {
    const char *in;
    bool ok;
    const char *name;
    bool space;
    const char *fields; /* joined by "|" */
} resp_case;

static const resp_case resp_cases[] = {
    {"+QFTPGET: 0,1000", true, "+QFTPGET", true, "0|1000"},
    {"+QFTPOPEN:0", true, "+QFTPOPEN", false, "0"}, /* GSM 4.1 */
    {"+QFTPSTAT:OPENED", true, "+QFTPSTAT", false, "OPENED"},
    {"+QFTPSTAT: 0,1", true, "+QFTPSTAT", true, "0|1"}, /* BG96 3.6 */
    {"+QFTPPWD: 0,/", true, "+QFTPPWD", true, "0|/"},   /* BG96 3.3 */
    {"+QFTPPWD: 0,\"/\"", true, "+QFTPPWD", true, "0|\"/\""},
    {"+QFTPMDTM: 0,\"20200621093626\"", true, "+QFTPMDTM", true, "0|\"20200621093626\""},
    {"+QFLST: test.txt,1000", true, "+QFLST", true, "test.txt|1000"}, /* BG96 3.7 */
    {"+QFLST: \"test1.txt\",1000", true, "+QFLST", true, "\"test1.txt\"|1000"},
    {"+QFUPL: 1000,707", true, "+QFUPL", true, "1000|707"},
    {"+QIACT: 1,1,1,\"10.7.157.1\"", true, "+QIACT", true, "1|1|1|\"10.7.157.1\""},
    {"+QFTPCFG: \"account\",\"test\",\"****\"", true, "+QFTPCFG", true,
     "\"account\"|\"test\"|\"****\""},
    {"+QFTPCLOSE:-1", true, "+QFTPCLOSE", false, "-1"},
    {"+QFTPERROR:-421", true, "+QFTPERROR", false, "-421"},
    {"+QFTPPUT: 609,0", true, "+QFTPPUT", true, "609|0"},
    {"+QIURC: \"pdpdeact\",1", true, "+QIURC", true, "\"pdpdeact\"|1"},
    {"+QFTPLEN: 1587", true, "+QFTPLEN", true, "1587"},
    {"+qftpget: 0,5", true, "+QFTPGET", true, "0|5"},
    {"  +QFTPGET: 0,5 \r\n", true, "+QFTPGET", true, "0|5"},
    {"+QFTPSTAT:", true, "+QFTPSTAT", false, ""},
    {"+QFTPPUT: 0,", true, "+QFTPPUT", true, "0|"},
    /* test responses: a "(0,1)" list is one field */
    {"+QFTPCFG: \"filetype\",(0,1)", true, "+QFTPCFG", true, "\"filetype\"|(0,1)"},
    {"+QFTPOPEN : \"HOST NAME\",(1-65535)", true, "+QFTPOPEN", true, "\"HOST NAME\"|(1-65535)"},
    {"+IFC: (0,2),(0,2)", true, "+IFC", true, "(0,2)|(0,2)"},
    /* not "+NAME:" lines */
    {"OK", false, "", false, ""},
    {"RDY", false, "", false, ""},
    {"CONNECT", false, "", false, ""},
    {"+++", false, "", false, ""},
    {"+", false, "", false, ""},
    {"+:", false, "", false, ""},
    {"+QFTPGET", false, "", false, ""},
    {"+CME ERROR: 603", false, "", false, ""},
    {"+A B: 1", false, "", false, ""},
    {"", false, "", false, ""},
};

static void test_resp(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(resp_cases); i++) {
        const resp_case *c = &resp_cases[i];
        g_test_message("'%s'", c->in);
        qftp_resp r;
        size_t len = strlen(c->in);
        g_assert_cmpint(qftp_resp_parse(c->in, len, &r), ==, c->ok);
        g_assert_cmpstr(r.name, ==, c->name);
        g_assert_cmpint(r.space_after_colon, ==, c->space);
        assert_spans_inside(c->in, len, r.fields, r.n_fields);
        GString *s = g_string_new(NULL);
        for (size_t k = 0; k < r.n_fields; k++)
            g_string_append_printf(s, "%s%.*s", k ? "|" : "", (int)r.fields[k].len, r.fields[k].p);
        g_assert_cmpstr(s->str, ==, c->fields);
        g_string_free(s, TRUE);
        /* every cut of the line */
        for (size_t cut = 0; cut <= len; cut++) {
            char *copy = g_memdup2(c->in, cut);
            if (qftp_resp_parse(cut ? copy : NULL, cut, &r))
                assert_spans_inside(copy, cut, r.fields, r.n_fields);
            g_free(copy);
        }
    }
    qftp_resp r;
    const char *many = "+X: 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18";
    g_assert_true(qftp_resp_parse(many, strlen(many), &r));
    g_assert_cmpuint(r.n_fields, ==, QFTP_MAX_PARAMS);
    g_assert_false(qftp_resp_parse("+X: 1", 5, NULL));
    g_assert_false(qftp_resp_parse(NULL, 0, &r));
}

/* ---- garbage ---------------------------------------------------------------------------- */

static void test_garbage(void)
{
    static const char alphabet[] = "AT+=?;,\"\\ ()xQFTP0129&DSE\r\n\t\x01\xff";
    GRand *rnd = g_rand_new_with_seed(20101228);
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)g_rand_int_range(rnd, 0, 120);
        char *buf = g_malloc(n ? n : 1);
        for (size_t i = 0; i < n; i++)
            buf[i] = alphabet[g_rand_int_range(rnd, 0, sizeof alphabet - 1)];
        if (n >= 2 && g_rand_boolean(rnd)) {
            buf[0] = 'A';
            buf[1] = 'T';
        }
        bool trunc;
        g_free(render(buf, n, QFTP_MAX_SUBCMDS, &trunc));
        g_free(render(buf, n, 2, &trunc));
        qftp_subcmd c[QFTP_MAX_SUBCMDS];
        int k = qftp_cmdline_parse(buf, n, c, QFTP_MAX_SUBCMDS, NULL, NULL);
        const qftp_cmd_def *d;
        for (int j = 0; j < k; j++)
            if ((d = qftp_cmd_find(c[j].name, QFTP_DIALECT_BG96, NULL)) != NULL)
                qftp_check_params(d, &c[j], NULL, NULL);
        if (n > 0)
            buf[0] = '+';
        qftp_resp r;
        if (qftp_resp_parse(buf, n, &r))
            assert_spans_inside(buf, n, r.fields, r.n_fields);
        g_free(buf);
    }
    g_rand_free(rnd);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cmdline/lines", test_lines);
    g_test_add_func("/cmdline/prefixes", test_prefixes);
    g_test_add_func("/cmdline/max", test_max);
    g_test_add_func("/cmdline/text-spans", test_text_spans);
    g_test_add_func("/cmdline/unquote", test_unquote);
    g_test_add_func("/cmdline/int", test_int);
    g_test_add_func("/cmdline/resp", test_resp);
    g_test_add_func("/cmdline/garbage", test_garbage);
    return g_test_run();
}
