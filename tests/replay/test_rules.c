/* test_rules.c - the replayer's masks, rules file, step lists and diff, table-driven
 * (GLib g_test). Registered by replayer/CMakeLists.txt as unit.replay_rules. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "replay.h"

/* Built-in masks: lines as the manuals print them (BG96 manual 3.1, 2.14; GSM/BG96
 * ATI), and lines no mask may touch. */
static const struct {
    const char *command, *line, *want;
} builtin_cases[] = {
    {"+QIACT", "+QIACT: 1,1,1,\"10.7.157.1\"", "+QIACT: 1,1,1,\"*\""},
    {"+QFTPMDTM", "+QFTPMDTM: 0,\"20140708110039\"", "+QFTPMDTM: 0,\"*\""},
    {"+QFTPMDTM", "+QFTPMDTM: 627,550", "+QFTPMDTM: 627,550"},
    {"+CCLK", "+CCLK: \"24/05/01,10:00:01+08\"", "+CCLK: \"*\""},
    {"+GSN", "866425030123456", "*"},
    {"+CGSN", "+CGSN: 866425030123456", "+CGSN: *"},
    {"+QCCID", "+QCCID: 89860117838009934120", "+QCCID: *"},
    {"I", "Revision: BG96MAR02A07M1G", "Revision: *"},
    {"I", "Quectel", "Quectel"},
    {"+GMR", "BG96MAR02A07M1G", "*"},
    {"+QFTPOPEN", "+QFTPOPEN: 0,0", "+QFTPOPEN: 0,0"},
    {"+QFTPSIZE", "+QFTPSIZE: 0,1000", "+QFTPSIZE: 0,1000"},
    {NULL, "OK", "OK"},
};

static void test_builtin_masks(void)
{
    rp_rules *r = rp_rules_new();
    for (size_t i = 0; i < G_N_ELEMENTS(builtin_cases); i++) {
        char *got = rp_rules_mask_line(r, builtin_cases[i].command, builtin_cases[i].line);
        g_assert_cmpstr(got, ==, builtin_cases[i].want);
        g_free(got);
    }
    rp_rules_free(r);
}

static char *write_rules(const char *text)
{
    char *path = NULL;
    int fd = g_file_open_tmp("qftp-rules-XXXXXX", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    return path;
}

/* A rules file and what it does to command lines and response lines. */
static void test_rules_file(void)
{
    char *path = write_rules(
        "# comment\n"
        "\n"
        "rewrite ^(AT\\+QFTPOPEN=)\"quectel\\.3322\\.org\", ?\\d+$ => \\1\"${host}\",${port}\n"
        "set host 127.0.0.1\n"
        "mask ^\\+QFUPL: \\d+,(\\w+)$\n"
        "ignore-urc ^\\+QFTPERROR:\n"
        "optional /^AT\\+QFTPMDTM=/\n"
        "timeout 3-4,9 2.5\n"
        "max-time * 10\n"
        "capture cwd ^\\+QFTPPWD: 0,(.*)$\n");
    rp_rules *r = rp_rules_new();
    char err[QFTP_ERRBUF_SIZE];
    g_assert_cmpint(rp_rules_define(r, "port=2121", err), ==, 0);
    g_assert_cmpint(rp_rules_load(r, path, err), ==, 0);

    static const struct {
        const char *line, *want, *undefined;
    } cmds[] = {
        {"AT+QFTPOPEN=\"quectel.3322.org\",21", "AT+QFTPOPEN=\"127.0.0.1\",2121", NULL},
        {"AT+QFTPOPEN=\"quectel.3322.org\", 21", "AT+QFTPOPEN=\"127.0.0.1\",2121", NULL},
        {"AT+QFTPOPEN=\"other\",21", "AT+QFTPOPEN=\"other\",21", NULL},
        {"AT+QFTPCWD=\"${cwd}\"", "AT+QFTPCWD=\"${cwd}\"", "cwd"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
        char *undef = NULL;
        char *got = rp_rules_command(r, 1, cmds[i].line, &undef);
        g_assert_cmpstr(got, ==, cmds[i].want);
        g_assert_cmpstr(undef, ==, cmds[i].undefined);
        g_free(got);
        g_free(undef);
    }
    rp_rules_capture(r, "+QFTPPWD: 0,/home");
    char *undef = NULL;
    char *got = rp_rules_command(r, 1, "AT+QFTPCWD=\"${cwd}\"", &undef);
    g_assert_cmpstr(got, ==, "AT+QFTPCWD=\"/home\"");
    g_assert_null(undef);
    g_free(got);

    char *m = rp_rules_mask_line(r, "+QFUPL", "+QFUPL: 1000,707");
    g_assert_cmpstr(m, ==, "+QFUPL: 1000,*");
    g_free(m);
    g_assert_true(rp_rules_ignored_urc(r, "+QFTPERROR:-421"));
    g_assert_false(rp_rules_ignored_urc(r, "+QIURC: \"pdpdeact\",1"));
    g_assert_true(rp_rules_has(r, RP_RULE_OPTIONAL, 17, "AT+QFTPMDTM=\"a\""));
    g_assert_false(rp_rules_has(r, RP_RULE_OPTIONAL, 17, "AT+QFTPSIZE=\"a\""));
    g_assert_cmpint(rp_rules_limit(r, RP_RULE_TIMEOUT, 4, "AT"), ==, 2500 * QFTP_NS_PER_MS);
    g_assert_cmpint(rp_rules_limit(r, RP_RULE_TIMEOUT, 5, "AT"), ==, 0);
    g_assert_cmpint(rp_rules_limit(r, RP_RULE_MAX_TIME, 5, "AT"), ==, 10 * QFTP_NS_PER_SEC);
    rp_rules_free(r);
    g_unlink(path);
    g_free(path);
}

/* The command rules file `text` makes of `line` (NULL: none, over the cap). */
static char *command_of(const char *text, const char *define, const char *line)
{
    char *path = write_rules(text);
    rp_rules *r = rp_rules_new();
    char err[QFTP_ERRBUF_SIZE];
    g_assert_cmpint(rp_rules_load(r, path, err), ==, 0);
    if (define)
        g_assert_cmpint(rp_rules_define(r, define, err), ==, 0);
    char *undef = NULL;
    char *got = rp_rules_command(r, 1, line, &undef);
    g_assert_null(undef);
    rp_rules_free(r);
    g_unlink(path);
    g_free(path);
    return got;
}

/* Rewrites whose patterns match the empty string multiply a line's length, rule after
 * rule; variables repeated in a line do too. Past RP_COMMAND_CAP bytes the command is not
 * made (NULL), and nothing near that size is allocated on the way. */
static void test_command_cap(void)
{
    GString *text = g_string_new("rewrite ^AT\\+QFTPCWD=\"/\"$ => AT+QFTPCWD=\"/\\g<0>\"\n");
    for (int i = 0; i < 12; i++) /* each: every position gets 8 bytes more: x9 in length */
        g_string_append(text, "rewrite x?| => 12345678\n");
    g_assert_null(command_of(text->str, NULL, "AT+QFTPCWD=\"/\""));
    g_string_free(text, TRUE);

    /* one rule of that kind is applied as before */
    char *got = command_of("rewrite (?=,) => \\x2C\n", NULL, "AT+QFTPOPEN=\"h\",21");
    g_assert_cmpstr(got, ==, "AT+QFTPOPEN=\"h\",,21");
    g_free(got);

    /* a variable repeated past the cap; once, it is expanded */
    GString *v = g_string_new("v=");
    for (int i = 0; i < 4096; i++)
        g_string_append_c(v, 'x');
    GString *line = g_string_new("AT+QFTPCWD=\"");
    for (int i = 0; i < 20; i++)
        g_string_append(line, "${v}");
    g_string_append_c(line, '"');
    g_assert_null(command_of("# none\n", v->str, line->str));
    g_string_truncate(line, 12);
    g_string_append(line, "${v}\"");
    got = command_of("# none\n", v->str, line->str);
    g_assert_cmpuint(strlen(got), ==, 12 + 4096 + 1);
    g_free(got);
    g_string_free(line, TRUE);
    g_string_free(v, TRUE);
}

/* Bad rules files: each refused with the line named. */
static void test_bad_rules(void)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"nonsense\n", ":1: 'nonsense' needs arguments"},
        {"\n\nfrob x\n", ":3: unknown rule 'frob'"},
        {"mask [\n", ":1: bad regex"},
        {"timeout * soon\n", ":1: bad number of seconds"},
        {"timeout 0 5\n", ":1: bad step selector"},
        {"capture 9$ (x)\n", ":1: bad variable name"},
        {"capture v x\n", ":1: the capture regex needs a (group)"},
        {"rewrite a -> b\n", ":1: expected rewrite REGEX => REPLACEMENT"},
        {"rewrite a => \\\n", ":1: bad replacement"},
        /* patterns that are not valid UTF-8 (PCRE2 crashed compiling them, issue 16) */
        {"# Latin-1\nmask caf\xe9(\n", ":2: bad regex 'caf\\xE9(': not valid UTF-8 at byte 4"},
        {"mask-data \xff\n", ":1: bad regex '\\xFF': not valid UTF-8 at byte 1"},
        {"ignore-urc a\xc3\n", ":1: bad regex 'a\\xC3': not valid UTF-8"},
        {"optional /\xed\xa0\x80/\n", ":1: bad regex"}, /* a surrogate */
        {"rewrite a => \xe9\n", ":1: bad replacement: not valid UTF-8"},
        {"fr\xe9"
         "b x\n",
         ":1: unknown rule 'fr\\xE9b'"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *path = write_rules(cases[i].text);
        rp_rules *r = rp_rules_new();
        char err[QFTP_ERRBUF_SIZE] = "";
        g_assert_cmpint(rp_rules_load(r, path, err), ==, -1);
        /* FILE:LINE: message */
        g_assert_true(g_str_has_prefix(err, path));
        if (!strstr(err, cases[i].want))
            g_error("%s: got '%s', want '%s'", cases[i].text, err, cases[i].want);
        rp_rules_free(r);
        g_unlink(path);
        g_free(path);
    }
}

static void test_steps(void)
{
    static const struct {
        const char *s;
        int rc;
        guint n, pairs[6];
    } cases[] = {
        {"1-5,9", 0, 4, {1, 5, 9, 9}},
        {"3", 0, 2, {3, 3}},
        {"2-2,4-7", 0, 4, {2, 2, 4, 7}},
        {"", -1, 0, {0}},
        {"0", -1, 0, {0}},
        {"5-3", -1, 0, {0}},
        {"1,", 0, 2, {1, 1}},
        {"1;2", -1, 0, {0}},
        {"x", -1, 0, {0}},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GArray *a = g_array_new(FALSE, FALSE, sizeof(guint));
        g_assert_cmpint(rp_steps_parse(cases[i].s, a), ==, cases[i].rc);
        if (cases[i].rc == 0) {
            g_assert_cmpuint(a->len, ==, cases[i].n);
            for (guint k = 0; k < a->len; k++)
                g_assert_cmpuint(g_array_index(a, guint, k), ==, cases[i].pairs[k]);
        }
        g_array_free(a, TRUE);
    }
}

static GPtrArray *lines(const char *s)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    char **v = g_strsplit(s, "|", -1);
    for (size_t i = 0; s[0] && v[i]; i++)
        g_ptr_array_add(a, g_strdup(v[i]));
    g_strfreev(v);
    return a;
}

static void test_diff(void)
{
    static const struct {
        const char *exp, *act, *want;
    } cases[] = {
        {"OK|+QFTPCWD: 0,0", "OK|+QFTPCWD: 0,0", NULL},
        {"OK|+QFTPCWD: 0,0", "ERROR",
         "--- expected\n+++ actual\n@@ -1,2 +1,1 @@\n-OK\n-+QFTPCWD: 0,0\n+ERROR\n"},
        {"OK|+QFTPCWD: 0,0", "+QFTPCWD: 0,0|OK",
         "--- expected\n+++ actual\n@@ -1,2 +1,2 @@\n-OK\n +QFTPCWD: 0,0\n+OK\n"},
        {"CONNECT|<data: 1000 bytes>|OK", "CONNECT|<data: 100 bytes>|OK",
         "--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n CONNECT\n-<data: 1000 bytes>\n+<data: 100 "
         "bytes>\n OK\n"},
        {"OK", "", "--- expected\n+++ actual\n@@ -1,1 +1,0 @@\n-OK\n"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GPtrArray *e = lines(cases[i].exp), *a = lines(cases[i].act);
        char *d = rp_diff(e, a);
        g_assert_cmpstr(d, ==, cases[i].want);
        g_free(d);
        g_ptr_array_free(e, TRUE);
        g_ptr_array_free(a, TRUE);
    }
}

/* Data masks and sorting: a listing compared without its times and order. */
static void test_data_masks(void)
{
    char *path = write_rules(
        "mask-data ^[-d]\\S+\\s+\\d+\\s+\\S+\\s+\\S+\\s+\\d+\\s+(\\w{3}\\s+\\d+\\s+[\\d:]+)\\s\n");
    rp_rules *r = rp_rules_new();
    char err[QFTP_ERRBUF_SIZE];
    g_assert_cmpint(rp_rules_load(r, path, err), ==, 0);
    const char *a = "-rw-r--r--   1 root     root         1000 Nov 22 13:32 b.txt\r\n"
                    "-rw-r--r--   1 root     root          700 Jul 08 11:00 a.txt\r\n";
    const char *b = "-rw-r--r--   1 root     root          700 Dec 01 09:15 a.txt\r\n"
                    "-rw-r--r--   1 root     root         1000 Dec 01 09:15 b.txt\r\n";
    bool masked;
    char *ma = rp_rules_mask_data(r, (const uint8_t *)a, strlen(a), true, &masked);
    g_assert_true(masked);
    char *mb = rp_rules_mask_data(r, (const uint8_t *)b, strlen(b), true, &masked);
    g_assert_cmpstr(ma, ==, mb);
    g_free(mb);
    /* unsorted, the same listing in another order differs */
    mb = rp_rules_mask_data(r, (const uint8_t *)a, strlen(a), false, &masked);
    g_assert_cmpstr(ma, !=, mb);
    g_free(ma);
    g_free(mb);
    rp_rules_free(r);
    r = rp_rules_new();
    g_assert_null(rp_rules_mask_data(r, (const uint8_t *)a, strlen(a), false, &masked));
    g_assert_false(masked);
    rp_rules_free(r);
    g_unlink(path);
    g_free(path);
}

/* Subjects that are not valid UTF-8 (a Latin-1 listing, binary data, a command line
 * with raw bytes): every rule applies without a crash, masks mask whole characters, the
 * bytes outside a mask come back unchanged. "a\xff" with (\w+)$ crashed PCRE2's JIT. */
static void test_invalid_utf8(void)
{
    char *path = write_rules("mask-data (\\w+)$\n"
                             "mask-data ^caf(.)\n"
                             "mask ^\\+QFLST: \"(.)\n"
                             "ignore-urc ^\\+X: .$\n"
                             "capture name ^\\+QFTPPWD: 0,(.*)$\n"
                             "rewrite ^(AT\\+QFTPGET=\").(.*)$ => \\1_\\2\n"
                             "optional /^AT\\+QFTPDEL=\"\\S+\"$/\n");
    rp_rules *r = rp_rules_new();
    char err[QFTP_ERRBUF_SIZE];
    g_assert_cmpint(rp_rules_load(r, path, err), ==, 0);
    static const struct {
        const char *in, *want;
    } data[] = {
        {"a\xff\n", "a\xff\n"}, /* \w is not the byte: no word at the end */
        {"ab\xc8"
         "bx\xff\n",
         "ab\xc8"
         "bx\xff\n"},
        {"caf\xe9\n", "caf*\n"}, /* a Latin-1 e-acute: one character */
        {"caf\xc3\xa9\n", "*\n"},
        /* the UTF-8 one is a letter: (\w+)$ takes the word */ /* the UTF-8 one */
        {"x \xff\xfe yz\n", "x \xff\xfe *\n"},
        {"\xf4\x8f\xbe\x80 q\n", "\xf4\x8f\xbe\x80 *\n"}, /* U+10FF80 stays itself */
        {"\xf4\x8f\xbe\n", "\xf4\x8f\xbe\n"},             /* a truncated sequence */
        {"\xc3\n\xff", "\xc3\n\xff\n"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(data); i++) {
        bool masked;
        char *got =
            rp_rules_mask_data(r, (const uint8_t *)data[i].in, strlen(data[i].in), false, &masked);
        g_assert_true(masked);
        g_assert_cmpstr(got, ==, data[i].want);
        g_free(got);
    }
    char *l = rp_rules_mask_line(r, "+QFLST", "+QFLST: \"\xe9t\xe9.txt\",10");
    g_assert_cmpstr(l, ==, "+QFLST: \"*t\xe9.txt\",10");
    g_free(l);
    g_assert_true(rp_rules_ignored_urc(r, "+X: \xe9"));
    g_assert_false(rp_rules_ignored_urc(r, "+X: \xe9\xe9"));
    rp_rules_capture(r, "+QFTPPWD: 0,/caf\xe9\xff/");
    char *undef = NULL;
    char *cmd = rp_rules_command(r, 1, "AT+QFTPGET=\"\xe9t\xe9\xff.txt\",\"COM:\"", &undef);
    g_assert_cmpstr(cmd, ==, "AT+QFTPGET=\"_t\xe9\xff.txt\",\"COM:\"");
    g_assert_null(undef);
    g_free(cmd);
    cmd = rp_rules_command(r, 1, "AT+QFTPCWD=\"${name}\"", &undef);
    g_assert_cmpstr(cmd, ==, "AT+QFTPCWD=\"/caf\xe9\xff/\"");
    g_free(cmd);
    g_assert_true(rp_rules_has(r, RP_RULE_OPTIONAL, 3, "AT+QFTPDEL=\"\xe9\xff\""));
    rp_rules_free(r);
    g_unlink(path);
    g_free(path);
}

/* Secrets: -D values that land in a password parameter, --secret values; out of report
 * strings ("****") and out of a recorded stream cut anywhere (same-length stars). */
static void test_secrets(void)
{
    rp_rules *r = rp_rules_new();
    char err[QFTP_ERRBUF_SIZE];
    g_assert_cmpint(rp_rules_define(r, "pass=hunter22", err), ==, 0);
    g_assert_cmpint(rp_rules_define(r, "port=2121", err), ==, 0);
    g_setenv("QFTP_TEST_TOKEN", "tok-9", TRUE);
    g_assert_cmpint(rp_rules_define_secret(r, "QFTP_TEST_TOKEN", err), ==, 0);
    g_unsetenv("QFTP_TEST_NONE");
    g_assert_cmpint(rp_rules_define_secret(r, "QFTP_TEST_NONE", err), ==, -1);
    g_assert_nonnull(strstr(err, "no environment variable QFTP_TEST_NONE"));
    rp_rules_note_sent(r, "AT+QFTPOPEN=\"h\",2121"); /* a port is no secret */
    rp_rules_note_sent(r, "AT+QFTPCFG=\"account\",\"qa\",\"hunter22\"");
    char *s = rp_rules_scrub(r, "-AT+QFTPPASS=\"hunter22\" x hunter22 tok-9 2121");
    g_assert_cmpstr(s, ==, "-AT+QFTPPASS=\"****\" x **** **** 2121");
    g_free(s);
    /* the echo as a report line: the tables' rule even without -D */
    s = rp_rules_mask_line(r, NULL, "AT+QFTPPASS=\"other\"");
    g_assert_cmpstr(s, ==, "AT+QFTPPASS=\"****\"");
    g_free(s);
    const char *stream = "AT+QFTPPASS=\"hunter22\"\r\r\nOK tok-9\r\n2121";
    const char *want = "AT+QFTPPASS=\"********\"\r\r\nOK *****\r\n2121";
    size_t len = strlen(stream);
    for (size_t cut = 1; cut < len; cut++) {
        rp_scrubber *sc = rp_scrubber_new(r);
        GString *out = g_string_new(NULL);
        size_t n;
        const uint8_t *b = rp_scrubber_feed(sc, QFTP_DIR_RX, (const uint8_t *)stream, cut, &n);
        g_string_append_len(out, (const char *)b, (gssize)n);
        b = rp_scrubber_feed(sc, QFTP_DIR_RX, (const uint8_t *)stream + cut, len - cut, &n);
        g_string_append_len(out, (const char *)b, (gssize)n);
        b = rp_scrubber_flush(sc, QFTP_DIR_RX, &n);
        g_string_append_len(out, (const char *)b, (gssize)n);
        g_assert_cmpstr(out->str, ==, want);
        g_string_free(out, TRUE);
        rp_scrubber_free(sc);
    }
    rp_rules_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/replay/builtin-masks", test_builtin_masks);
    g_test_add_func("/replay/rules-file", test_rules_file);
    g_test_add_func("/replay/bad-rules", test_bad_rules);
    g_test_add_func("/replay/command-cap", test_command_cap);
    g_test_add_func("/replay/steps", test_steps);
    g_test_add_func("/replay/diff", test_diff);
    g_test_add_func("/replay/data-masks", test_data_masks);
    g_test_add_func("/replay/invalid-utf8", test_invalid_utf8);
    g_test_add_func("/replay/secrets", test_secrets);
    return g_test_run();
}
