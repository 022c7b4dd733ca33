/* test_redact.c - the one rule for secrets (qftp/redact.h): which values of command
 * lines, echoes and read-backs are hidden (the manuals' password parameters, flagged
 * SECRET in tables.def), and the stream redactor fed split at every byte offset. */
#include <glib.h>
#include <string.h>

#include "qftp/redact.h"
#include "qftp/tables.h"

#define U QFTP_DIALECT_UNKNOWN
#define G QFTP_DIALECT_GSM
#define B QFTP_DIALECT_BG96

/* {line, dialect, redacted (NULL: nothing secret in it)} */
static const struct {
    const char *in;
    qftp_dialect d;
    const char *want;
} lines[] = {
    /* GSM 2.2.7 AT+QFTPPASS="<password>" and its read-back (the simulator sends it) */
    {"AT+QFTPPASS=\"123456\"", U, "AT+QFTPPASS=\"****\""},
    {"at+qftppass=secret", U, "at+qftppass=****"},
    {"AT+QFTPPASS = \"p w,x\";+QFTPSTAT", U, "AT+QFTPPASS = \"****\";+QFTPSTAT"},
    {"AT+QFTPPASS=\"p\\\"q\"", U, "AT+QFTPPASS=\"****\""},
    {"AT+QFTPPASS=\"x\"", G, "AT+QFTPPASS=\"****\""}, /* short ones grow: the length is hidden */
    {"AT+QFTPPASS=\"\"", U, NULL},                    /* nothing to hide */
    {"+QFTPPASS: \"pw\"", U, "+QFTPPASS: \"****\""},
    {"+QFTPPASS:\"pw\"", G, "+QFTPPASS:\"****\""}, /* GSM: no space after the colon */
    {"AT+QFTPUSER=\"u\";+QFTPPASS=\"p\"", U, "AT+QFTPUSER=\"u\";+QFTPPASS=\"****\""},
    {"AT+QFTPUSER=\"quectel\"", U, NULL},
    {"AT+QFTPPASS?", U, NULL},
    /* BG96 2.1 AT+QFTPCFG="account",<username>,<password> and its read-back */
    {"AT+QFTPCFG=\"account\",\"test\",\"test\"", U, "AT+QFTPCFG=\"account\",\"test\",\"****\""},
    {"AT+QFTPCFG = \"account\" , \"bob\" , \"pw\"", U,
     "AT+QFTPCFG = \"account\" , \"bob\" , \"****\""},
    {"at+qftpcfg=account,user,pass", U, "at+qftpcfg=account,user,****"},
    {"AT+QFTPCFG=\"ACCOUNT\", \"u\" , \"p,w\";+QFTPSTAT", B,
     "AT+QFTPCFG=\"ACCOUNT\", \"u\" , \"****\";+QFTPSTAT"},
    {"AT+QFTPCFG=\"account\",\"u\",\"\"", U, NULL},
    {"AT+QFTPCFG=\"account\",\"u\"", U, NULL},
    {"AT+QFTPCFG=\"contextid\",1", U, NULL},
    {"AT+QFTPCFG=\"account\"", U, NULL}, /* the query */
    {"+QFTPCFG: \"account\",\"bob\",\"pw\"", U, "+QFTPCFG: \"account\",\"bob\",\"****\""},
    {"+QFTPCFG: \"filetype\",0", U, NULL},
    /* the PDP passwords of AT+QICSGP: GSM <mode>,<apn>,<user>,<password>; BG96
     * <contextID>,<type>,<APN>,<user>,<password>,<auth>; the BG96 read-back leaves out
     * the context ID */
    {"AT+QICSGP=1,\"CMNET\",\"u\",\"p\"", G, "AT+QICSGP=1,\"CMNET\",\"u\",\"****\""},
    {"AT+QICSGP=1,\"CMNET\",\"u\",\"p\"", U, "AT+QICSGP=1,\"CMNET\",\"u\",\"****\""},
    {"AT+QICSGP=1,1,\"UNINET\",\"u\",\"p\",1", U, "AT+QICSGP=1,1,\"UNINET\",\"u\",\"****\",1"},
    {"AT+QICSGP=1,1,\"UNINET\",\"\",\"\",1", U, NULL},
    {"+QICSGP: 1,\"UNINET\",\"u\",\"p\",1", B, "+QICSGP: 1,\"UNINET\",\"u\",\"****\",1"},
    {"+QICSGP: 1,\"UNINET\",\"u\",\"p\",1", U, "+QICSGP: 1,\"UNINET\",\"u\",\"****\",1"},
    /* lines with nothing secret */
    {"OK", U, NULL},
    {"ATE1", U, NULL},
    {"AT+QFTPOPEN=\"127.0.0.1\",21", U, NULL},
    {"+QFTPGET: 0,1000", U, NULL},
    {"", U, NULL},
};

static void test_lines(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
        size_t n = 0;
        char *got =
            qftp_redact_dup((const uint8_t *)lines[i].in, strlen(lines[i].in), lines[i].d, &n);
        if (g_strcmp0(got, lines[i].want) != 0)
            g_error("%s: got %s, want %s", lines[i].in, got ? got : "(none)",
                    lines[i].want ? lines[i].want : "(none)");
        if (got)
            g_assert_cmpuint(n, ==, strlen(got));
        g_free(got);
    }
}

/* Every parameter the tables flag secret is a password, and every password is flagged. */
static void test_table_flags(void)
{
    size_t n, secrets = 0;
    const qftp_cmd_def *d = qftp_cmd_defs(&n);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < d[i].n_params; k++) {
            const qftp_param_def *p = &d[i].params[k];
            g_assert_cmpint(p->secret, ==, strcmp(p->name, "password") == 0);
            if (p->secret) {
                g_assert_cmpint(p->type, ==, QFTP_PT_STRING);
                secrets++;
            }
        }
    g_assert_cmpuint(secrets, ==, 4); /* QFTPPASS, QFTPCFG account, QICSGP of each dialect */
}

/* A session's stream, both directions, and what it must become. */
typedef struct {
    qftp_dir dir;
    bool data;
    const char *in, *want;
} chunk;

static const chunk stream[] = {
    {QFTP_DIR_TX, false, "AT+QFTPCFG=\"account\",\"bob\",\"pw\"\r",
     "AT+QFTPCFG=\"account\",\"bob\",\"****\"\r"},
    {QFTP_DIR_RX, false, "AT+QFTPCFG=\"account\",\"bob\",\"pw\"\r\r\nOK\r\n",
     "AT+QFTPCFG=\"account\",\"bob\",\"****\"\r\r\nOK\r\n"},
    {QFTP_DIR_TX, false, "AT+QFTPCFG=\"account\"\r", "AT+QFTPCFG=\"account\"\r"},
    {QFTP_DIR_RX, false, "\r\n+QFTPCFG: \"account\",\"bob\",\"pw\"\r\n\r\nOK\r\n",
     "\r\n+QFTPCFG: \"account\",\"bob\",\"****\"\r\n\r\nOK\r\n"},
    {QFTP_DIR_TX, false, "at+qftppass = secret;+QFTPUSER=\"u\"\r",
     "at+qftppass = ****;+QFTPUSER=\"u\"\r"},
    {QFTP_DIR_RX, false, "\r\n+QFTPPASS: \"pw\"\r\n+QFTPGET: 0,10\r\n",
     "\r\n+QFTPPASS: \"****\"\r\n+QFTPGET: 0,10\r\n"},
    /* data-mode payload passes as it is, whatever it looks like */
    {QFTP_DIR_RX, true, "AT+QFTPPASS=\"in a file\"\r\n", "AT+QFTPPASS=\"in a file\"\r\n"},
    {QFTP_DIR_TX, false, "AT+QFTPPASS=\"last\"", "AT+QFTPPASS=\"****\""}, /* no line end */
};

static void want_stream(const GString *got, qftp_dir dir)
{
    GString *want = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(stream); i++)
        if (stream[i].dir == dir)
            g_string_append(want, stream[i].want);
    g_assert_cmpstr(got->str, ==, want->str);
    g_string_free(want, TRUE);
}

/* Feeds each chunk cut at `cut` (and, with cut 1, one byte at a time). */
static void run_stream(size_t cut, bool bytewise)
{
    qftp_redactor *r = qftp_redactor_new(QFTP_DIALECT_UNKNOWN);
    GString *out[2] = {g_string_new(NULL), g_string_new(NULL)};
    for (size_t i = 0; i < G_N_ELEMENTS(stream); i++) {
        const chunk *c = &stream[i];
        size_t n = strlen(c->in), at = 0;
        while (at < n) {
            size_t k = bytewise ? 1 : (at == 0 && cut < n ? cut : n - at);
            size_t olen;
            const uint8_t *o =
                qftp_redactor_feed(r, c->dir, c->data, (const uint8_t *)c->in + at, k, &olen);
            g_string_append_len(out[c->dir == QFTP_DIR_RX], (const char *)o, (gssize)olen);
            at += k;
        }
    }
    for (int d = 0; d < 2; d++) {
        size_t olen;
        const uint8_t *o = qftp_redactor_flush(r, (qftp_dir)d, &olen);
        g_string_append_len(out[d], (const char *)o, (gssize)olen);
        want_stream(out[d], (qftp_dir)d);
        g_string_free(out[d], TRUE);
    }
    qftp_redactor_free(r);
}

static void test_stream(void)
{
    for (size_t cut = 1; cut < 48; cut++)
        run_stream(cut, false);
    run_stream(1, true);
}

/* Lines that cannot hold a secret are not held: they pass with the chunk they come in. */
static void test_stream_passes_at_once(void)
{
    qftp_redactor *r = qftp_redactor_new(QFTP_DIALECT_UNKNOWN);
    size_t n;
    static const char *const rx[] = {"\r\nCONNECT\r\n", "\r\n+QFTPGE", "T: 0,1", "0\r\n", "\r\nO"};
    for (size_t i = 0; i < G_N_ELEMENTS(rx); i++) {
        qftp_redactor_feed(r, QFTP_DIR_RX, false, (const uint8_t *)rx[i], strlen(rx[i]), &n);
        g_assert_cmpuint(n, ==, strlen(rx[i]));
    }
    /* a command is held until its line ends */
    qftp_redactor_feed(r, QFTP_DIR_TX, false, (const uint8_t *)"AT+QFTPSTAT", 11, &n);
    g_assert_cmpuint(n, ==, 0);
    qftp_redactor_feed(r, QFTP_DIR_TX, false, (const uint8_t *)"\r", 1, &n);
    g_assert_cmpuint(n, ==, 12);
    /* a line longer than the cap goes on in pieces */
    GString *big = g_string_new("AT+QFTPPASS=\"");
    while (big->len < QFTP_REDACT_HOLD_CAP + 100)
        g_string_append_c(big, 'x');
    const uint8_t *o =
        qftp_redactor_feed(r, QFTP_DIR_TX, false, (const uint8_t *)big->str, big->len, &n);
    g_assert_cmpuint(n, <, big->len);
    g_assert_true(g_str_has_prefix((const char *)o, "AT+QFTPPASS=\"****"));
    g_string_free(big, TRUE);
    qftp_redactor_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/redact/lines", test_lines);
    g_test_add_func("/redact/table-flags", test_table_flags);
    g_test_add_func("/redact/stream", test_stream);
    g_test_add_func("/redact/stream-passes-at-once", test_stream_passes_at_once);
    return g_test_run();
}
