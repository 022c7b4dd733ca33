/* test_logimport.c - every log format into records.
 *
 * The sample logs under tests/logs/import/ are read whole and their records compared
 * with lists written by hand from the logs. The socat samples are real socat 1.7.4
 * output (socat -v, -x and -v -x between two ptys, tests/logs/import/README.md); the
 * interceptty samples follow interceptty's dumpbuff() (original and the fork with
 * times). Records print as  <dir>[~]<line>[bytes]@<seconds.micro>  where ~ marks a
 * synthesised time and bytes show \r \n \\ and \xHH. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "qftp/logimport.h"
#include "testutil.h"

static int collect(void *user, const qftp_record *r)
{
    GString *s = user;
    g_string_append_printf(s, "%s%s#%llu[", r->dir == QFTP_DIR_TX ? ">" : "<",
                           r->ts_synth ? "~" : "", (unsigned long long)r->line_no);
    for (size_t i = 0; i < r->len; i++) {
        uint8_t c = r->data[i];
        if (c == '\r')
            g_string_append(s, "\\r");
        else if (c == '\n')
            g_string_append(s, "\\n");
        else if (c == '\\')
            g_string_append(s, "\\\\");
        else if (c < 0x20 || c >= 0x7f)
            g_string_append_printf(s, "\\x%02x", c);
        else
            g_string_append_c(s, (char)c);
    }
    g_string_append_printf(s, "]@%lld.%06lld\n", (long long)(r->ts / QFTP_NS_PER_SEC),
                           (long long)(r->ts % QFTP_NS_PER_SEC / 1000));
    return 0;
}

static int import_stream(FILE *in, qftp_log_format f, const char *regex, bool redact, GString *out,
                         qftp_log_format *used, char *err)
{
    qftp_import_opts o;
    qftp_import_opts_init(&o);
    o.format = f;
    o.regex = regex;
    o.redact = redact;
    return qftp_log_import(in, &o, collect, out, used, err);
}

static int import(const void *log, size_t n, qftp_log_format f, const char *regex, bool redact,
                  GString *out, qftp_log_format *used, char *err)
{
    FILE *in = fmemopen((void *)log, n, "rb");
    g_assert_nonnull(in);
    int rc = import_stream(in, f, regex, redact, out, used, err);
    fclose(in);
    return rc;
}

/* ---- sample logs ------------------------------------------------------------------------------
 */

typedef struct {
    const char *file; /* under tests/logs/import/ */
    qftp_log_format detected;
    const char *regex;
    bool redact;
    const char *expect;
} sample;

#define REGEX_CUSTOM "^(?<time>\\S+) \\| (?<dir>\\w+)\\s*\\| (?<data>.*)$"

static const sample samples[] = {
    {"plain-bg96-get.log", QFTP_FMT_PLAIN, NULL, false,
     /* the download holds "OK" and "+QFTPGET: 0,5" lines: the URC's 37 = CRLF ends;
      * the upload ends at +++, its URC's 12 = the log's own LF ends */
     ">~#1[AT+QFTPCFG=\"account\",\"test\",\"s3cret\"\\r]@0.000000\n"
     "<~#2[\\r\\nOK\\r\\n]@0.001000\n"
     ">~#3[at+qftpopen=\"ftp.example.com\",21\\r]@0.002000\n"
     "<~#4[\\r\\nOK\\r\\n]@0.003000\n"
     "<~#6[\\r\\n+QFTPOPEN: 0,0\\r\\n]@0.004000\n"
     ">~#7[AT+QFTPGET=\"report.txt\",\"COM:\"\\r]@0.005000\n"
     "<~#8[\\r\\nCONNECT\\r\\n]@0.006000\n"
     "<~#9[first line\\r\\n]@0.007000\n"
     "<~#10[OK\\r\\n]@0.008000\n"
     "<~#11[+QFTPGET: 0,5\\r\\n]@0.009000\n"
     "<~#12[last\\r\\n]@0.010000\n"
     "<~#13[\\r\\nOK\\r\\n]@0.011000\n"
     "<~#15[\\r\\n+QFTPGET: 0,37\\r\\n]@0.012000\n"
     ">~#16[AT+QFTPPUT=\"up.txt\",\"COM:\",0\\r]@0.013000\n"
     "<~#17[\\r\\nCONNECT\\r\\n]@0.014000\n"
     ">~#18[hello\\n]@0.015000\n"
     ">~#19[world\\n]@0.016000\n"
     ">~#20[+++]@0.017000\n"
     "<~#21[\\r\\nOK\\r\\n]@0.018000\n"
     "<~#22[\\r\\n+QFTPPUT: 0,12\\r\\n]@0.019000\n"
     ">~#23[AT+QFTPCLOSE\\r]@0.020000\n"
     "<~#24[\\r\\n+QFTPCLOSE: 0,0   \\r\\n]@0.021000\n"},
    {"plain-gsm-crlf.log", QFTP_FMT_PLAIN, NULL, true,
     /* GSM PUT: the URC's 10 = own CRLF ends without one after the last line;
      * AT+QFREAD's CONNECT 8 takes 8 bytes */
     ">~#1[AT+QFTPUSER=\"anonymous\"\\r]@0.000000\n"
     "<~#2[\\r\\nOK\\r\\n]@0.001000\n"
     ">~#3[AT+QFTPPASS=\"****\"\\r]@0.002000\n"
     "<~#4[\\r\\nOK\\r\\n]@0.003000\n"
     ">~#5[AT+QFTPOPEN=\"10.0.0.1\",21\\r]@0.004000\n"
     "<~#6[\\r\\nOK\\r\\n]@0.005000\n"
     "<~#7[\\r\\n+QFTPOPEN:0\\r\\n]@0.006000\n"
     ">~#8[AT+QFTPPUT=\"log.txt\",10,60\\r]@0.007000\n"
     "<~#9[\\r\\nCONNECT\\r\\n]@0.008000\n"
     ">~#10[abc\\r\\n]@0.009000\n"
     ">~#11[12345]@0.010000\n"
     "<~#12[\\r\\n+QFTPPUT:10\\r\\n]@0.011000\n"
     ">~#13[AT+QFREAD=3,8\\r]@0.012000\n"
     "<~#14[\\r\\nCONNECT 8\\r\\n]@0.013000\n"
     "<~#15[hi\\r\\n]@0.014000\n"
     "<~#16[you!]@0.015000\n"
     "<~#17[\\r\\nOK\\r\\n]@0.016000\n"},
    {"socat-v-bg96.log", QFTP_FMT_SOCAT, NULL, true,
     /* 1.7.4 prints the microseconds with nine digits: .000382729 is .382729 s */
     ">#1[AT+QFTPCFG=\"account\",\"test\",\"****\"\\r]@1795353885.382729\n"
     "<#2[\\r\\nOK\\r\\n]@1795353885.532877\n"
     ">#5[AT+QFTPGET=\"a.txt\",\"COM:\"\\r]@1795353885.683052\n"
     "<#6[\\r\\nCONNECT\\r\\n]@1795353885.833251\n"
     "<#9[line one\\r\\nOK\\r\\n\\\\tab\\x09tab.\\r\\n]@1795353885.983732\n"
     "<#13[\\r\\nOK\\r\\n\\r\\n+QFTPGET: 0,25\\r\\n]@1795353886.134006\n"},
    {"socat-x-gsm.log", QFTP_FMT_SOCAT, NULL, true,
     /* the echo is redacted too; so is the +QFTPPASS: line, whose field is the password
      * (GSM 2.2.7 read form +QFTPPASS:"<password>"; the write form answers only OK) */
     ">#1[AT+QFTPPASS=\"****\"\\r]@1795353886.814320\n"
     "<#3[AT+QFTPPASS=\"****\"\\r\\r\\nOK\\r\\n]@1795353886.964645\n"
     "<#5[\\r\\n+QFTPPASS:****\\r\\n]@1795353887.115030\n"
     ">#7[AT+QFTPSTAT\\r]@1795353887.265251\n"
     "<#9[AT+QFTPSTAT\\r\\r\\n+QFTPSTAT:OPENED\\r\\n\\r\\nOK\\r\\n]@1795353887.415464\n"},
    {"socat-vx-bg96.log", QFTP_FMT_SOCAT, NULL, false,
     ">#1[AT+QFTPPUT=\"b.bin\",\"COM:\",0,21,1\\r]@1795353892.758500\n"
     "<#6[\\r\\nCONNECT\\r\\n]@1795353892.909978\n"
     ">#10[\\x00\\x01\\x02binary\\xff\\nline two\\r\\n]@1795353893.059286\n"
     "<#14[\\r\\nOK\\r\\n\\r\\n+QFTPPUT: 0,21\\r\\n]@1795353893.209929\n"},
    {"interceptty-gsm.log", QFTP_FMT_INTERCEPTTY, NULL, false,
     ">~#1[AT+QFTPPATH=\"/a b\"\\r]@0.000000\n"
     "<~#20[\\r\\nOK\\r\\n\\r\\n+QFTPPATH:0\\r\\n]@0.001000\n"},
    {"interceptty-stamped.log", QFTP_FMT_INTERCEPTTY, NULL, false,
     /* a new time (a new read) starts a record; "[10:00 01.000100]" is 10:00:01 */
     ">#1[AT\\r]@36001.000100\n"
     "<#4[\\r\\n]@36001.050000\n"
     "<#6[OK]@36001.060000\n"
     "<#8[\\r\\n+X: )\\r\\n]@36002.000000\n"},
    {"timestamped-brackets.log", QFTP_FMT_TIMESTAMPED, NULL, true,
     ">#1[AT+QFTPOPEN=\"ftp.example.com\",21\\r]@1714557601.123000\n"
     "<#2[\\r\\nOK\\r\\n]@1714557601.150000\n"
     "<#3[\\r\\n+QFTPOPEN: 0,0\\r\\n]@1714557603.480000\n"
     ">#4[AT+QFTPCFG=\"account\",user,****\\r]@1714557604.000000\n"
     "<#5[\\r\\nOK\\r\\n]@1714557604.020000\n"
     "<#6[\\r\\n+QFTPCLOSE: 0,0\\r\\n]@1714557605.000000\n"},
    {"timestamped-txrx.log", QFTP_FMT_TIMESTAMPED, NULL, false,
     /* times of day on 1970-01-01; past midnight the next day */
     ">#1[AT+QFTPSTAT\\r]@86398.100000\n"
     "<#2[\\r\\n+QFTPSTAT:OPENED\\r\\n]@86398.130000\n"
     "<~#3[\\r\\nOK\\r\\n]@86398.131000\n"
     ">#4[AT+QFTPCLOSE\\r]@86401.000000\n"
     "<#5[\\r\\nOK\\r\\n]@86401.200000\n"
     "<#6[\\r\\n+QFTPCLOSE:0\\r\\n]@86402.000000\n"},
    {"timestamped-sendrecv.log", QFTP_FMT_TIMESTAMPED, NULL, false,
     ">#1[AT+QFTPGET=\"a.txt\",\"COM:\"\\r]@36001.000000\n"
     "<#2[\\r\\nCONNECT\\r\\n]@36001.020000\n"
     "<#3[hello\\r\\n]@36001.100000\n"
     "<#4[\\r\\nOK\\r\\n\\r\\n+QFTPGET: 0,7\\r\\n]@36001.200000\n"
     ">#5[AT+QFTPCLOSE\\r]@36002.500000\n"
     "<#6[\\r\\nOK\\r\\n]@36002.600000\n"},
    /* auto-detection reads it as timestamped too: a time, "| TX |" columns */
    {"regex-custom.log", QFTP_FMT_TIMESTAMPED, REGEX_CUSTOM, false,
     ">#1[AT+QFTPCWD=\"/\"\\r]@1714557601.123000\n"
     "<#2[\\r\\nOK\\r\\n]@1714557601.180000\n"
     "<#3[\\r\\n+QFTPCWD: 0,0\\r\\n]@1714557602.000000\n"
     ">#5[AT+QFTPPASS=\"abc\"\\r]@1714557602.100000\n"},
};

static void test_samples(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(samples); i++) {
        const sample *t = &samples[i];
        char *rel = g_strdup_printf("tests/logs/import/%s", t->file);
        GBytes *b = tu_read_src_file(rel);
        gsize n;
        const uint8_t *log = g_bytes_get_data(b, &n);
        g_assert_cmpint(qftp_log_detect(log, n), ==, t->detected);
        GString *out = g_string_new(NULL);
        char err[QFTP_ERRBUF_SIZE] = "";
        qftp_log_format used;
        int rc = import(log, n, QFTP_FMT_AUTO, t->regex, t->redact, out, &used, err);
        if (rc != 0 || strcmp(out->str, t->expect) != 0)
            g_error("%s: rc %d (%s)\n-- got\n%s-- expected\n%s", t->file, rc, err, out->str,
                    t->expect);
        g_assert_cmpint(used, ==, t->regex ? QFTP_FMT_REGEX : t->detected);
        g_string_free(out, TRUE);
        g_bytes_unref(b);
        g_free(rel);
    }
}

/* ---- small inline cases ------------------------------------------------------------------------
 */

typedef struct {
    const char *name;
    const char *log;
    qftp_log_format format; /* also the expected detection unless AUTO */
    const char *expect;
} icase;

static const icase inline_cases[] = {
    {"plain-blank-trailing", "AT+QFTPOPEN=\"h\",21\nOK\n\n+QFTPOPEN: 0,0   \n", QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPOPEN=\"h\",21\\r]@0.000000\n<~#2[\\r\\nOK\\r\\n]@0.001000\n"
     "<~#4[\\r\\n+QFTPOPEN: 0,0   \\r\\n]@0.002000\n"},
    {"plain-get-no-ok", "at+qftpget=\"a\",\"COM:\"\r\nCONNECT\r\nline OK\r\n+QFTPGET: 0,9\r\n",
     QFTP_FMT_PLAIN,
     ">~#1[at+qftpget=\"a\",\"COM:\"\\r]@0.000000\n<~#2[\\r\\nCONNECT\\r\\n]@0.001000\n"
     "<~#3[line OK\\r\\n]@0.002000\n<~#4[\\r\\n+QFTPGET: 0,9\\r\\n]@0.003000\n"},
    {"plain-gsm-get-count", "AT+QFTPGET=\"a\"\nCONNECT\nab\ncd\n+QFTPGET:5\n", QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPGET=\"a\"\\r]@0.000000\n<~#2[\\r\\nCONNECT\\r\\n]@0.001000\n"
     "<~#3[ab\\n]@0.002000\n<~#4[cd]@0.003000\n<~#5[\\r\\n+QFTPGET:5\\r\\n]@0.004000\n"},
    {"plain-get-ends-at-command", "AT+QFTPLIST=\".\"\nCONNECT\na\nb\nAT+QFTPSTAT\n", QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPLIST=\".\"\\r]@0.000000\n<~#2[\\r\\nCONNECT\\r\\n]@0.001000\n"
     "<~#3[a\\n]@0.002000\n<~#4[b\\n]@0.003000\n>~#5[AT+QFTPSTAT\\r]@0.004000\n"},
    {"plain-qfupl-count", "AT+QFUPL=\"f\",4\nCONNECT\nab\n+QFUPL: 4,6162\nOK\n", QFTP_FMT_PLAIN,
     ">~#1[AT+QFUPL=\"f\",4\\r]@0.000000\n<~#2[\\r\\nCONNECT\\r\\n]@0.001000\n"
     ">~#3[ab\\r\\n]@0.002000\n<~#4[\\r\\n+QFUPL: 4,6162\\r\\n]@0.003000\n"
     "<~#5[\\r\\nOK\\r\\n]@0.004000\n"},
    {"plain-bom",
     "\xef\xbb\xbf"
     "AT\nOK\n",
     QFTP_FMT_AUTO, ">~#1[AT\\r]@0.000000\n<~#2[\\r\\nOK\\r\\n]@0.001000\n"},
    /* a line without a direction marker is read like a plain log line (issue 11) */
    {"stamped-no-dir", "[10:00:00.000] >> AT\n[10:00:01.000] hello\n", QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@36000.000000\n<#2[\\r\\nhello\\r\\n]@36001.000000\n"},
    /* a line without a time before the first time gets that time (synthesised) */
    {"stamped-no-date-first", "RX: RDY\n[10:00:00.5] TX: AT\n", QFTP_FMT_TIMESTAMPED,
     "<~#1[\\r\\nRDY\\r\\n]@36000.500000\n>#2[AT\\r]@36000.500000\n"},
    {"stamped-backwards-held", "10:00:02.000 << A\n10:00:01.000 << B\n", QFTP_FMT_TIMESTAMPED,
     "<#1[\\r\\nA\\r\\n]@36002.000000\n<#2[\\r\\nB\\r\\n]@36002.000000\n"},
    {"stamped-two-midnights", "23:00:00 TX: A\n01:00:00 TX: B\n23:30:00 TX: C\n02:00:00 TX: D\n",
     QFTP_FMT_TIMESTAMPED,
     ">#1[A\\r]@82800.000000\n>#2[B\\r]@90000.000000\n>#3[C\\r]@171000.000000\n"
     ">#4[D\\r]@180000.000000\n"},
    {"stamped-bracket-marker", "2024-05-01T10:00:01Z [TX] AT\n2024/05/01 10:00:02 [RX] OK\n",
     QFTP_FMT_TIMESTAMPED, ">#1[AT\\r]@1714557601.000000\n<#2[\\r\\nOK\\r\\n]@1714557602.000000\n"},
    {"stamped-hex-escape", "12.5 Send: AT\\x0d\n12.750 Recv: <cr><lf>OK<CR><LF>\n",
     QFTP_FMT_TIMESTAMPED, ">#1[AT\\r]@12.500000\n<#2[\\r\\nOK\\r\\n]@12.750000\n"},
    {"socat-v-no-time", "> length=3 from=0 to=2\nAT\\r< length=4 from=0 to=3\nOK\\r\n",
     QFTP_FMT_SOCAT, ">~#1[AT\\r]@0.000000\n<~#2[OK\\r\\n]@0.001000\n"},
    {"socat-v-escapes-crlf-log",
     "> 2024/05/01 10:00:01.000001  length=6 from=0 to=5\r\n\\a\\b\\v\\f\\\\\\r\r\n",
     QFTP_FMT_SOCAT, ">#1[\\x07\\x08\\x0b\\x0c\\\\\\r]@1714557601.000001\n"},
    {"socat-diagnostics",
     "2024/05/01 10:00:00 socat[42] N starting data transfer loop with FDs [5,5] and [7,7]\n"
     "> 2024/05/01 10:00:01.500000  length=1 from=0 to=0\nA",
     QFTP_FMT_SOCAT, ">#2[A]@1714557601.500000\n"},
    {"interceptty-space-and-high", "> \t0x20\n> \t0xff\n< 0x41 (A)\n", QFTP_FMT_INTERCEPTTY,
     ">~#1[ \\xff]@0.000000\n<~#3[A]@0.001000\n"},
};

/* Reads each log with auto-detection and compares its records; `format` (unless AUTO) is
 * the layout it must be detected as, with the reasons in words. */
static void check_icases(const icase *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const icase *t = &cases[i];
        size_t n = strlen(t->log);
        qftp_import_info info;
        qftp_log_format f = qftp_log_detect_info((const uint8_t *)t->log, n, &info);
        if (t->format != QFTP_FMT_AUTO && f != t->format)
            g_error("%s: detected as %s, not %s (%s)", t->name, qftp_log_format_name(f),
                    qftp_log_format_name(t->format), info.why);
        g_assert_cmpstr(info.why, !=, "");
        GString *out = g_string_new(NULL);
        char err[QFTP_ERRBUF_SIZE] = "";
        int rc = import(t->log, n, QFTP_FMT_AUTO, NULL, false, out, NULL, err);
        if (rc != 0 || strcmp(out->str, t->expect) != 0)
            g_error("%s: rc %d (%s)\n-- got\n%s-- expected\n%s", t->name, rc, err, out->str,
                    t->expect);
        g_string_free(out, TRUE);
    }
}

static void test_inline(void)
{
    check_icases(inline_cases, G_N_ELEMENTS(inline_cases));
}

/* ---- layouts of issue 11 and the transcript's rules -------------------------------------------
 * Each log is read with auto-detection; `format` is the layout it must be detected as. */

static const icase layout_cases[] = {
    /* arrows as direction markers; a Chinese serial assistant's 【time】 and 发送/接收 with
     * a full-width colon; Android's logcat time (month-day, no year: a time of day) */
    {"stamped-arrows",
     "[2026/11/30 10:00:00.123] \xe2\x86\x92 AT\n[2026/11/30 10:00:00.140] "
     "\xe2\x86\x90 OK\n[2026/11/30 10:00:01] -> AT\n[2026/11/30 10:00:02] <-- OK\n",
     QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@1796032800.123000\n<#2[\\r\\nOK\\r\\n]@1796032800.140000\n"
     ">#3[AT\\r]@1796032801.000000\n<#4[\\r\\nOK\\r\\n]@1796032802.000000\n"},
    {"stamped-cn-assistant",
     "\xe3\x80\x90"
     "10:00:00.123\xe3\x80\x91\xe5\x8f\x91\xe9\x80\x81\xef\xbc\x9a"
     "AT\n\xe3\x80\x90"
     "10:00:00.140\xe3\x80\x91\xe6\x8e\xa5\xe6\x94\xb6\xef\xbc\x9a"
     "OK\n",
     QFTP_FMT_TIMESTAMPED, ">#1[AT\\r]@36000.123000\n<#2[\\r\\nOK\\r\\n]@36000.140000\n"},
    {"firmware-logcat",
     "11-30 10:00:00.123  1234  1250 D AtChannel: AT> AT\n"
     "11-30 10:00:00.200  1234  1250 I ActivityManager: Start proc 4321\n"
     "11-30 10:00:00.140  1234  1251 D AtChannel: AT< OK\n",
     QFTP_FMT_FIRMWARE, ">#1[AT\\r]@36000.123000\n<#3[\\r\\nOK\\r\\n]@36000.140000\n"},
    /* a tick with its unit: microseconds, milliseconds */
    {"timestamped-tick-units",
     "[    100123us] > AT\n[    130456us] < OK\n[ 500ms] < +QFTPSTAT: 0,1\n", QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@0.100123\n<#2[\\r\\nOK\\r\\n]@0.130456\n<#3[\\r\\n+QFTPSTAT: "
     "0,1\\r\\n]@0.500000\n"},
    /* Particle's logger: a tick of milliseconds padded with zeros, not Unix seconds */
    {"firmware-particle-ticks",
     "0000012000 [ncp.at] TRACE: > AT\n0000012100 [app] INFO: x\n"
     "0000012030 [ncp.at] TRACE: < OK\n",
     QFTP_FMT_FIRMWARE, ">#1[AT\\r]@12.000000\n<#3[\\r\\nOK\\r\\n]@12.030000\n"},
    /* strace: write() and read() on the descriptor AT traffic goes through (from the first
     * line: the module's RDY before any command counts); the others, failed calls and
     * other calls are skipped */
    {"firmware-strace",
     "0.900000 read(3, \"\\r\\nRDY\\r\\n\", 64) = 7\n"
     "1.000000 write(1, \"hi\\n\", 3) = 3\n1.100000 write(3, \"AT\\r\", 3) = 3\n"
     "1.200000 read(3, 0x7ffd, 64) = -1 EAGAIN (Resource temporarily unavailable)\n"
     "1.300000 read(3, \"\\r\\nOK\\r\\n\", 64) = 6\n",
     QFTP_FMT_FIRMWARE,
     "<#1[\\r\\nRDY\\r\\n]@0.900000\n>#3[AT\\r]@1.100000\n<#5[\\r\\nOK\\r\\n]@1.300000\n"},
    /* strace -f: a pid first; a read printed in two lines, unfinished then resumed */
    {"firmware-strace-resumed",
     "[pid 10] 1.000000 write(3, \"AT\\r\", 3) = 3\n[pid 11] 1.050000 read(3,  <unfinished ...>\n"
     "[pid 11] 1.100000 <... read resumed>\"AT\\r\\r\\nOK\\r\\n\", 64) = 8\n",
     QFTP_FMT_FIRMWARE, ">#1[AT\\r]@1.000000\n<#3[AT\\r\\r\\nOK\\r\\n]@1.100000\n"},
    /* a Python prompt: write() is the host's, a bytes literal alone the module's */
    {"firmware-python-prompt",
     ">>> import serial\n>>> u.write(b'AT\\r')\n3\n>>> u.read(20)\nb'AT\\r\\r\\nOK\\r\\n'\n",
     QFTP_FMT_FIRMWARE, ">~#2[AT\\r]@0.000000\n<~#5[AT\\r\\r\\nOK\\r\\n]@0.001000\n"},
    /* the URCs without "+NAME:" after a marker are traffic too (GSM's "Call Ready") */
    {"firmware-call-ready",
     "0000001000 [ncp.at] TRACE: < RDY\n0000004000 [ncp.at] TRACE: < Call Ready\n"
     "0000005000 [ncp.at] TRACE: > AT\n0000005030 [ncp.at] TRACE: < OK\n",
     QFTP_FMT_FIRMWARE,
     "<#1[\\r\\nRDY\\r\\n]@1.000000\n<#2[\\r\\nCall Ready\\r\\n]@4.000000\n"
     ">#3[AT\\r]@5.000000\n<#4[\\r\\nOK\\r\\n]@5.030000\n"},
    /* Mbed OS's ATHandler: a byte count after the direction */
    {"firmware-mbed-count",
     "[DBG ][CELL]: AT TX ( 3): AT\n[INFO][CELL]: x\n[DBG ][CELL]: AT RX (6): OK\n",
     QFTP_FMT_FIRMWARE, ">~#1[AT\\r]@0.000000\n<~#3[\\r\\nOK\\r\\n]@0.001000\n"},
    /* VS Code's Serial Monitor: its banners are skipped; what it sent is the host's (as
     * typed, or hex); the module's echo after it is the echo, not a second command */
    {"vscode-serial-monitor",
     "---- Opened the serial port COM4 ----\n---- Sent utf8 encoded message: \"AT\" ----\n"
     "AT\nOK\n---- Sent hex encoded message: \"41 54 0D\" ----\n\nOK\n",
     QFTP_FMT_PLAIN,
     ">~#2[AT\\r]@0.000000\n<~#3[AT\\r]@0.001000\n<~#4[\\r\\nOK\\r\\n]@0.002000\n"
     ">~#5[AT\\r]@0.003000\n<~#7[\\r\\nOK\\r\\n]@0.004000\n"},
    /* what a paste adds: a Markdown fence (skipped), line numbers (an editor's gutter,
     * cat -n, grep -n's increasing numbers); numbers inside the file are the file's */
    {"paste-fence-gutter", "```text\n  1 | AT\n  2 | OK\n```\n", QFTP_FMT_PLAIN,
     ">~#2[AT\\r]@0.000000\n<~#3[\\r\\nOK\\r\\n]@0.001000\n"},
    {"paste-cat-n",
     "     1\tAT+QFTPGET=\"a\",\"COM:\"\n     2\tCONNECT\n     3\t1: x\n"
     "     4\tOK\n     5\t+QFTPGET: 0,5\n",
     QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPGET=\"a\",\"COM:\"\\r]@0.000000\n<~#2[\\r\\nCONNECT\\r\\n]@0.001000\n"
     "<~#3[1: x\\n]@0.002000\n<~#4[\\r\\nOK\\r\\n]@0.003000\n"
     "<~#5[\\r\\n+QFTPGET: 0,5\\r\\n]@0.004000\n"},
    {"paste-grep-n", "12:AT\n13:OK\n40:AT+QFTPSTAT\n", QFTP_FMT_PLAIN,
     ">~#1[AT\\r]@0.000000\n<~#2[\\r\\nOK\\r\\n]@0.001000\n>~#3[AT+QFTPSTAT\\r]@0.002000\n"},
    /* an indented block (Markdown, a mail): its indentation goes, up to the next line
     * that is not indented; "^M" for the CR at a line's end (cat -v, vim) and a no-break
     * space (a web page) are undone */
    {"paste-indented",
     "Here is the log:\n    AT+QFTPCWD=\"/\"\n    OK\n\n\t+QFTPCWD: 0,0\nthanks\n", QFTP_FMT_PLAIN,
     "<~#1[\\r\\nHere is the log:\\r\\n]@0.000000\n>~#2[AT+QFTPCWD=\"/\"\\r]@0.001000\n"
     "<~#3[\\r\\nOK\\r\\n]@0.002000\n<~#5[\\r\\n+QFTPCWD: 0,0\\r\\n]@0.003000\n"
     "<~#6[\\r\\nthanks\\r\\n]@0.004000\n"},
    {"paste-caret-m", "AT^M\r\n^M\r\nOK^M\r\n", QFTP_FMT_PLAIN,
     ">~#1[AT\\r]@0.000000\n<~#3[\\r\\nOK\\r\\n]@0.001000\n"},
    {"paste-nbsp",
     "AT+QFTPCWD=\"/\"\n+QFTPCWD:\xc2\xa0"
     "0,0\n",
     QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPCWD=\"/\"\\r]@0.000000\n<~#2[\\r\\n+QFTPCWD: 0,0\\r\\n]@0.001000\n"},
    /* a log that spells its bytes: a read or write that ended inside a line spells nothing
     * and is a piece of that line (not a line of its own); a whole command stays a line */
    {"timestamped-spelled-pieces",
     "[10:00:00.100] TX: AT+QFTPCWD=\"/lo\n[10:00:00.101] TX: gs\"\\r\n"
     "[10:00:00.130] RX: \\r\\nOK\\r\\n\n[10:00:00.500] RX: \\r\\n+QFTPCWD: 0,0\\r\\n\n"
     "[10:00:01.000] TX: AT+QFTPPWD\\r\n[10:00:01.300] RX: \\r\\n+QFTPPWD: "
     "0,\"/logs\"\\r\\n\\r\\nOK\\r\\n\n",
     QFTP_FMT_TIMESTAMPED,
     ">#1[AT+QFTPCWD=\"/lo]@36000.100000\n>#2[gs\"\\r]@36000.101000\n"
     "<#3[\\r\\nOK\\r\\n]@36000.130000\n<#4[\\r\\n+QFTPCWD: 0,0\\r\\n]@36000.500000\n"
     ">#5[AT+QFTPPWD\\r]@36001.000000\n"
     "<#6[\\r\\n+QFTPPWD: 0,\"/logs\"\\r\\n\\r\\nOK\\r\\n]@36001.300000\n"},
    /* the writer's words before a log that spells its bytes stay a line of their own */
    {"timestamped-spelled-prose",
     "Here is the log:\n[10:00:00.100] TX: AT\\r\n[10:00:00.130] RX: \\r\\nOK\\r\\n\n"
     "[10:00:00.200] TX: ATE0\\r\n[10:00:00.230] RX: \\r\\nOK\\r\\n\n",
     QFTP_FMT_TIMESTAMPED,
     "<~#1[\\r\\nHere is the log:\\r\\n]@36000.100000\n>#2[AT\\r]@36000.100000\n"
     "<#3[\\r\\nOK\\r\\n]@36000.130000\n>#4[ATE0\\r]@36000.200000\n"
     "<#5[\\r\\nOK\\r\\n]@36000.230000\n"},
    /* a Markdown table quoted in an e-mail reply */
    {"paste-quoted-markdown-table",
     "On Monday X wrote:\n> | Time | Dir | Data |\n> |---|---|---|\n> | 10:00:00.100 | TX | AT |\n"
     "> | 10:00:00.130 | RX | OK |\n> | 10:00:00.500 | RX | +QFTPSTAT: 0,1 |\n",
     QFTP_FMT_AUTO,
     ">#4[AT\\r]@36000.100000\n<#5[\\r\\nOK\\r\\n]@36000.130000\n"
     "<#6[\\r\\n+QFTPSTAT: 0,1\\r\\n]@36000.500000\n"},
    /* a monitor's hex view with its text column after the hex */
    {"timestamped-hex-text-column",
     "[10:00:00.100] --> 41 54 0D          AT.\n[10:00:00.130] <-- 0D 0A 4F 4B 0D 0A    ..OK..\n",
     QFTP_FMT_TIMESTAMPED, ">#1[AT\\r]@36000.100000\n<#2[\\r\\nOK\\r\\n]@36000.130000\n"},
    /* a direction word made a prompt, no times */
    {"timestamped-word-prompt", "TX> AT\nRX> OK\nRX> +QFTPSTAT: 0,1\n", QFTP_FMT_TIMESTAMPED,
     ">~#1[AT\\r]@0.000000\n<~#2[\\r\\nOK\\r\\n]@0.001000\n"
     "<~#3[\\r\\n+QFTPSTAT: 0,1\\r\\n]@0.002000\n"},
    /* line numbers an editor or cat -n showed, before a stamped log: they go from every
     * line (the blank one counted), the times stay */
    {"paste-numbered-stamped",
     "0001 10:00:00.100 TX AT\n0002 10:00:00.130 RX OK\n0003\n0004 10:00:00.500 RX +QFTPSTAT: "
     "0,1\n",
     QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@36000.100000\n<#2[\\r\\nOK\\r\\n]@36000.130000\n"
     "<#4[\\r\\n+QFTPSTAT: 0,1\\r\\n]@36000.500000\n"},
    {"paste-cat-n-stamped",
     "     1\t[10:00:00.100] AT\n     2\t[10:00:00.130] OK\n     3\t[10:00:00.500] +QFTPSTAT: "
     "0,1\n",
     QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@36000.100000\n<#2[\\r\\nOK\\r\\n]@36000.130000\n"
     "<#3[\\r\\n+QFTPSTAT: 0,1\\r\\n]@36000.500000\n"},
    /* a log pasted into an issue or a wiki as a Markdown table: with a header and its rule
     * (then a table of tab-separated columns), or without (a stamped line with columns);
     * "\|" is a bar inside a cell */
    {"paste-markdown-table",
     "| Time | Dir | Data |\n|:---|---|---|\n| 10:00:00.100 | TX | AT+QFTPCWD=\"/a\\|b\" |\n"
     "| 10:00:00.130 | RX | OK |\n",
     QFTP_FMT_CSV, ">#3[AT+QFTPCWD=\"/a|b\"\\r]@36000.100000\n<#4[\\r\\nOK\\r\\n]@36000.130000\n"},
    {"paste-markdown-rows",
     "| 10:00:00.100 | TX | AT |\n| 10:00:00.130 | RX | OK |\n| 10:00:00.500 | RX | +QFTPSTAT: 0,1 "
     "|\n",
     QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@36000.100000\n<#2[\\r\\nOK\\r\\n]@36000.130000\n"
     "<#3[\\r\\n+QFTPSTAT: 0,1\\r\\n]@36000.500000\n"},
    /* characters that take no room: a byte order mark where two logs were joined, a
     * zero-width space and a word joiner a chat put in */
    {"paste-zero-width",
     "AT\nOK\n\xef\xbb\xbf"
     "AT+QFTPPWD\n+QFTPPWD:\xe2\x80\x8b 0,\xe2\x81\xa0\"/\"\n",
     QFTP_FMT_PLAIN,
     ">~#1[AT\\r]@0.000000\n<~#2[\\r\\nOK\\r\\n]@0.001000\n>~#3[AT+QFTPPWD\\r]@0.002000\n"
     "<~#4[\\r\\n+QFTPPWD: 0,\"/\"\\r\\n]@0.003000\n"},
    /* a prefix on every line (a logger's port or tag): gone where the rest is AT traffic */
    {"paste-port-prefix", "COM3: AT+QFTPSTAT\nCOM3: OK\nCOM3:\nCOM3: +QFTPSTAT: 0,1\n",
     QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPSTAT\\r]@0.000000\n<~#2[\\r\\nOK\\r\\n]@0.001000\n"
     "<~#4[\\r\\n+QFTPSTAT: 0,1\\r\\n]@0.002000\n"},
    /* a long line broken in two at a window's or a mail's width: joined again (in a
     * string, or after a command's ','; a response line too); an open string that the
     * next line does not end, or a next line that is traffic itself, stays as it is */
    {"paste-wrapped",
     "AT+QFTPOPEN=\"ftp.exa\nmple.com\",21\nOK\nAT+QFTPCFG=\"account\",\"u\",\n\"p\"\nOK\n"
     "+QFTPPWD: 0,\"/lo\nng/dir\"\nAT+QFTPCWD=\"/a\nOK\nAT+QFTPCWD=\"/b\nx\n",
     QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPOPEN=\"ftp.example.com\",21\\r]@0.000000\n<~#3[\\r\\nOK\\r\\n]@0.001000\n"
     ">~#4[AT+QFTPCFG=\"account\",\"u\",\"p\"\\r]@0.002000\n<~#6[\\r\\nOK\\r\\n]@0.003000\n"
     "<~#7[\\r\\n+QFTPPWD: 0,\"/long/dir\"\\r\\n]@0.004000\n>~#9[AT+QFTPCWD=\"/a\\r]@0.005000\n"
     "<~#10[\\r\\nOK\\r\\n]@0.006000\n>~#11[AT+QFTPCWD=\"/b\\r]@0.007000\n"
     "<~#12[\\r\\nx\\r\\n]@0.008000\n"},
    /* a noisy line (a module at power-on, a baud rate not matched yet) in a text log of AT
     * traffic: the module's bytes as they came, not the end of the import (a file whose
     * head is mostly binary is refused: the "malformed" cases) */
    {"noise-line", "\xff\xf8\x80\x12\x01\nRDY\nAT\nOK\nAT+QFTPSTAT\n+QFTPSTAT: 0,1\nOK\nAT\nOK\n",
     QFTP_FMT_PLAIN,
     "<~#1[\\r\\n\\xff\\xf8\\x80\\x12\\x01\\r\\n]@0.000000\n<~#2[\\r\\nRDY\\r\\n]@0.001000\n"
     ">~#3[AT\\r]@0.002000\n<~#4[\\r\\nOK\\r\\n]@0.003000\n>~#5[AT+QFTPSTAT\\r]@0.004000\n"
     "<~#6[\\r\\n+QFTPSTAT: 0,1\\r\\n]@0.005000\n<~#7[\\r\\nOK\\r\\n]@0.006000\n"
     ">~#8[AT\\r]@0.007000\n<~#9[\\r\\nOK\\r\\n]@0.008000\n"},
    /* a paste padded to a window's width: the padding goes from every line, data too;
     * hex with padding, tabs and runs of spaces between the pairs is still hex */
    {"paste-padded",
     "AT+QFTPGET=\"a\",\"COM:\"    \nCONNECT    \nab    \nOK    \n+QFTPGET: 0,3    \n",
     QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPGET=\"a\",\"COM:\"\\r]@0.000000\n<~#2[\\r\\nCONNECT\\r\\n]@0.001000\n"
     "<~#3[ab\\n]@0.002000\n<~#4[\\r\\nOK\\r\\n]@0.003000\n"
     "<~#5[\\r\\n+QFTPGET: 0,3\\r\\n]@0.004000\n"},
    {"hex-padded",
     "[15:20:01.102]\xe5\x8f\x91\xe2\x86\x92\xe2\x97\x87"
     "41 54 0D    \r\n\xe2\x96\xa1   \r\n"
     "[15:20:01.140]\xe6\x94\xb6\xe2\x86\x90\xe2\x97\x86"
     "0D 0A 4F 4B 0D 0A    \r\n",
     QFTP_FMT_SSCOM, ">#1[AT\\r]@55201.102000\n<#3[\\r\\nOK\\r\\n]@55201.140000\n"},
    /* HTML's character references from a web page's source or a ticket system */
    {"paste-html", "AT+QFTPCWD=&quot;/a&amp;b&#34;\n+QFTPCWD: 0,0\n", QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPCWD=\"/a&b\"\\r]@0.000000\n<~#2[\\r\\n+QFTPCWD: 0,0\\r\\n]@0.001000\n"},
    /* bytes spelled as other monitors show them: [CR] {LF}, the control pictures ␍ ␊ */
    {"spelled-brackets-pictures",
     "AT[CR]\n[CR]{LF}OK[cr][lf]"
     "\nAT\xe2\x90\x8d\n\xe2\x90\x8d\xe2\x90\x8aOK\xe2\x90\x8d\xe2\x90\x8a\n",
     QFTP_FMT_PLAIN,
     ">~#1[AT\\r]@0.000000\n<~#2[\\r\\nOK\\r\\n]@0.001000\n>~#3[AT\\r]@0.002000\n"
     "<~#4[\\r\\nOK\\r\\n]@0.003000\n"},
    /* a hex terminal's receive window (Hercules style): every byte that is not text as
     * its hex code in braces, the whole session on one line */
    {"spelled-hex-braces",
     "AT+QFTPCWD=\"/\"{0D}{0d}{0A}OK{0D}{0A}{0D}{0A}+QFTPCWD: 0,0{0D}{0A}<0D>[0a]\n",
     QFTP_FMT_PLAIN,
     "<~#1[AT+QFTPCWD=\"/\"\\r\\r\\nOK\\r\\n\\r\\n+QFTPCWD: 0,0\\r\\n\\r\\n]@0.000000\n"},
    /* a number first that is not before AT traffic is the log's own text */
    {"paste-no-gutter", "1: boot\nAT\n", QFTP_FMT_PLAIN,
     "<~#1[\\r\\n1: boot\\r\\n]@0.000000\n>~#2[AT\\r]@0.001000\n"},
    /* hex dumps of serial port monitors: a head with the direction, then the bytes (exact,
     * no line end added); the characters after the hex must agree with it */
    {"hexdump-spm",
     "[30/11/2026 10:00:00] Written data (COM3)\r\n"
     "    41 54 0d                                          AT.\r\n"
     "   STATUS_SUCCESS\r\n"
     "[30/11/2026 10:00:01] Read data (COM3)\r\n"
     "    0d 0a 4f 4b 0d 0a                                 ..OK..\r\n",
     QFTP_FMT_HEXDUMP, ">#2[AT\\r]@1796032800.000000\n<#5[\\r\\nOK\\r\\n]@1796032801.000000\n"},
    /* HHD's Request View: the request's number, kind, direction and time, its fields, then
     * the data */
    {"hexdump-request-view",
     "000001: Write Request (DOWN), 30.11.2026 10:00:00.100 +0.000\r\n"
     "Buffer size: 0x3 bytes\r\nStatus: 0x00000000\r\n"
     " 41 54 0D                                          AT.\r\n\r\n"
     "000002: Read Request (UP), 30.11.2026 10:00:00.130 +0.030\r\n"
     "Buffer size: 0x6 bytes\r\nStatus: 0x00000000\r\n"
     " 0D 0A 4F 4B 0D 0A                                 ..OK..\r\n",
     QFTP_FMT_HEXDUMP, ">#4[AT\\r]@1796032800.100000\n<#9[\\r\\nOK\\r\\n]@1796032800.130000\n"},
    /* a direction alone as the head; hexdump -C (offset, double space after 8 bytes,
     * |characters|) and xxd (groups of two bytes) */
    {"hexdump-c-xxd",
     "TX 10:00:00.250\n"
     "00000000  41 54 2b 51 46 54 50 53  54 41 54 0d              |AT+QFTPSTAT.|\n"
     "RX 10:00:00.300\n"
     "00000000: 0d0a 4f4b 0d0a                           ..OK..\n",
     QFTP_FMT_HEXDUMP, ">#2[AT+QFTPSTAT\\r]@36000.250000\n<#4[\\r\\nOK\\r\\n]@36000.300000\n"},
    /* Portmon: the bytes on the request's line; another request (IOCTL_...) ends the block,
     * so hex after it is not data; bare seconds (a duration) are no time */
    {"hexdump-portmon",
     "1\t0.00001\tapp.exe\tIRP_MJ_WRITE\tCOM3\tSUCCESS\tLength 3: 41 54 0D\n"
     "2\t0.00001\tapp.exe\tIOCTL_SERIAL_WAIT_ON_MASK\tCOM3\tSUCCESS\t\n"
     "    0d 0a 4f 4b 0d 0a                                 ..OK..\n"
     "3\t0.00001\tapp.exe\tIRP_MJ_READ\tCOM3\tSUCCESS\tLength 6: 0D 0A 4F 4B 0D 0A\n",
     QFTP_FMT_HEXDUMP, ">~#1[AT\\r]@0.000000\n<~#4[\\r\\nOK\\r\\n]@0.001000\n"},
    /* a plain log whose downloaded file is hex text stays plain: hex alone is no dump (the
     * URC's count, 24, makes the file's line ends LF) */
    {"hex-text-file-stays-plain",
     "AT+QFTPGET=\"h.txt\",\"COM:\"\nCONNECT\n41 54 0d 0a\n00 11 22 33\nOK\n\n+QFTPGET: 0,24\n",
     QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPGET=\"h.txt\",\"COM:\"\\r]@0.000000\n<~#2[\\r\\nCONNECT\\r\\n]@0.001000\n"
     "<~#3[41 54 0d 0a\\n]@0.002000\n<~#4[00 11 22 33\\n]@0.003000\n"
     "<~#5[\\r\\nOK\\r\\n]@0.004000\n<~#7[\\r\\n+QFTPGET: 0,24\\r\\n]@0.005000\n"},
    /* PlatformIO's monitor: "> " sent and "< " received after the time; without a time
     * "> " is an e-mail's quoting (the email-quoted sample), not a direction */
    {"stamped-pio", "10:00:00.123 > AT\n10:00:00.140 < OK\n10:00:00.200 < > \n",
     QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@36000.123000\n<#2[\\r\\nOK\\r\\n]@36000.140000\n"
     "<#3[\\r\\n> \\r\\n]@36000.200000\n"},
    /* AT testers' and serial libraries' words for the sides: Command/Response,
     * Write/Read; "Responses:" is no marker (no separator after the word) */
    {"stamped-words",
     "10:00:00.123 Command: AT+QFTPSTAT\n10:00:00.150 Response: OK\n"
     "10:00:00.200 Write: AT\n10:00:00.210 Read: OK\n10:00:00.300 Responses: 2\n",
     QFTP_FMT_TIMESTAMPED,
     ">#1[AT+QFTPSTAT\\r]@36000.123000\n<#2[\\r\\nOK\\r\\n]@36000.150000\n"
     ">#3[AT\\r]@36000.200000\n<#4[\\r\\nOK\\r\\n]@36000.210000\n"
     "<#5[\\r\\nResponses: 2\\r\\n]@36000.300000\n"},
    /* a table without a header ("time;dir;data", also ','), and the direction before the
     * time ("RX 10:00:00.150 OK", "[TX] [10:00:00.123] AT") */
    {"stamped-table-no-header", "10:00:00.123;TX;AT\n10:00:00.150,RX,OK\n", QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@36000.123000\n<#2[\\r\\nOK\\r\\n]@36000.150000\n"},
    {"stamped-dir-first", "[TX] [10:00:00.123] AT\nRX 10:00:00.150 OK\n", QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@36000.123000\n<#2[\\r\\nOK\\r\\n]@36000.150000\n"},
    /* bytes as programs print them after a marker: Node.js's Buffer, Python's bytearray,
     * lists of 0x.. (exact, no line end added) */
    {"stamped-payloads",
     "10:00:00.100 TX: <Buffer 41 54 0d>\n10:00:00.150 RX: bytearray(b'\\r\\nOK\\r\\n')\n"
     "10:00:00.200 TX: [0x41, 0x54, 0x0d]\n10:00:00.250 RX: 0x0d 0x0a 0x4f 0x4b 0x0d 0x0a\n",
     QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@36000.100000\n<#2[\\r\\nOK\\r\\n]@36000.150000\n>#3[AT\\r]@36000.200000\n"
     "<#4[\\r\\nOK\\r\\n]@36000.250000\n"},
    /* a stamped log quoted in an e-mail reply: one level of "> " goes from every line
     * (the module's upload prompt "> " after it stays); the import decides that, after
     * the head's detection (AUTO: plain for the quoted head), so the times are read */
    {"stamped-quoted",
     "> [2026-11-30 10:00:00.123] AT\n> [2026-11-30 10:00:00.150] OK\n"
     "> [2026-11-30 10:00:00.200] AT\n> [2026-11-30 10:00:00.210] > \n",
     QFTP_FMT_AUTO,
     ">#1[AT\\r]@1796032800.123000\n<#2[\\r\\nOK\\r\\n]@1796032800.150000\n"
     ">#3[AT\\r]@1796032800.200000\n<#4[\\r\\n> \\r\\n]@1796032800.210000\n"},
    /* more time forms: seconds with an 's', a date without separators, a German short
     * date with a two-digit year */
    {"stamped-seconds-s", "[  12.345s] TX: AT\n[  12.400s] RX: OK\n", QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@12.345000\n<#2[\\r\\nOK\\r\\n]@12.400000\n"},
    {"stamped-compact-date", "20261130 10:00:00.123 TX: AT\n20261130 10:00:00.150 RX: OK\n",
     QFTP_FMT_TIMESTAMPED, ">#1[AT\\r]@1796032800.123000\n<#2[\\r\\nOK\\r\\n]@1796032800.150000\n"},
    {"stamped-short-year", "30.11.26 10:00:00,123 TX: AT\n30.11.26 10:00:00,150 RX: OK\n",
     QFTP_FMT_TIMESTAMPED, ">#1[AT\\r]@1796032800.123000\n<#2[\\r\\nOK\\r\\n]@1796032800.150000\n"},
    /* a monitor's hex view: the marked lines are hex pairs (four in five of the head's), the
     * bytes exactly; a text line in it stays text */
    {"stamped-hex-view",
     "10:00:00.100 TX: 41 54 0D\n10:00:00.150 RX: 0D 0A 4F 4B 0D 0A\n10:00:00.200 TX: 41 54 0D\n"
     "10:00:00.250 RX: 0D 0A 4F 4B 0D 0A\n10:00:00.300 RX: RDY\n",
     QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@36000.100000\n<#2[\\r\\nOK\\r\\n]@36000.150000\n>#3[AT\\r]@36000.200000\n"
     "<#4[\\r\\nOK\\r\\n]@36000.250000\n<#5[\\r\\nRDY\\r\\n]@36000.300000\n"},
    /* grabserial: the time since the start and since the previous line in the brackets */
    {"stamped-grabserial", "[0.000000 0.000000] AT\n[0.031200 0.031200] OK\n", QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@0.000000\n<#2[\\r\\nOK\\r\\n]@0.031200\n"},
    /* a stamped head that only says the direction, then that side's lines without a time:
     * Serial Port Utility's "# SEND ASCII>" / "# RECV HEX>" (hex: the bytes, exact), and a
     * marker with nothing after it ("[time]RX:") */
    {"stamped-blocks",
     "[2026-11-30 10:00:00.123]# SEND ASCII>\nAT+QFTPCWD=\"/\"\n\n"
     "[2026-11-30 10:00:00.456]# RECV ASCII>\n\nOK\n\n+QFTPCWD: 0,0\n"
     "[2026-11-30 10:00:01.000]# SEND HEX>\n41 54 0D \n"
     "[2026-11-30 10:00:01.100]# RECV HEX>\n0D 0A 4F 4B 0D 0A \n"
     "[2026-11-30 10:00:02.000]TX:AT\n[2026-11-30 10:00:02.010]RX:\nAT\nOK\n",
     QFTP_FMT_TIMESTAMPED,
     ">#2[AT+QFTPCWD=\"/\"\\r]@1796032800.123000\n<#6[\\r\\nOK\\r\\n]@1796032800.456000\n"
     "<#8[\\r\\n+QFTPCWD: 0,0\\r\\n]@1796032800.456000\n>#10[AT\\r]@1796032801.000000\n"
     "<#12[\\r\\nOK\\r\\n]@1796032801.100000\n>#13[AT\\r]@1796032802.000000\n"
     "<#15[AT\\r]@1796032802.010000\n<#16[\\r\\nOK\\r\\n]@1796032802.010000\n"},
    /* tables: a header names the columns; a line per row (quotes doubled inside quotes),
     * bytes per row of channels whose names do not say the direction (the one starting
     * with AT is the host's; a space, a quote and a comma as cells), a hex column */
    /* a monitor's table export: CR LF, every cell quoted, hex in "Data" beside its text,
     * directions it names UP and DOWN (the one whose bytes start with AT is the host's) */
    {"csv-crlf-quoted-hex",
     "\"#\",\"Time\",\"Direction\",\"Data\",\"Data (chars)\"\r\n"
     "\"1\",\"10:00:00.123\",\"DOWN\",\"41 54 0d\",\"AT.\"\r\n"
     "\"2\",\"10:00:00.150\",\"UP\",\"0d 0a 4f 4b 0d 0a\",\"..OK..\"\r\n",
     QFTP_FMT_CSV, ">#2[AT\\r]@36000.123000\n<#3[\\r\\nOK\\r\\n]@36000.150000\n"},
    {"csv-lines", "time,dir,data\n10:00:00.123,TX,\"AT+QFTPCWD=\"\"/\"\"\"\n10:00:00.150,RX,OK\n",
     QFTP_FMT_CSV, ">#2[AT+QFTPCWD=\"/\"\\r]@36000.123000\n<#3[\\r\\nOK\\r\\n]@36000.150000\n"},
    /* a message column beside the data column: the data is read */
    {"csv-message-beside-data",
     "time,message,dir,data\n10:00:00.123,sent,TX,AT\n"
     "10:00:00.150,reply,RX,OK\n",
     QFTP_FMT_CSV, ">#2[AT\\r]@36000.123000\n<#3[\\r\\nOK\\r\\n]@36000.150000\n"},
    /* a monitor's table: the request column (IRP_MJ_WRITE/READ) says the side, not the port */
    {"csv-request-column",
     "Index,Time,Request,Port,Data\n1,10:00:00.123,IRP_MJ_WRITE,COM3,41 54 0D\n"
     "2,10:00:00.140,IRP_MJ_READ,COM3,0D 0A 4F 4B 0D 0A\n",
     QFTP_FMT_CSV, ">#2[AT\\r]@36000.123000\n<#3[\\r\\nOK\\r\\n]@36000.140000\n"},
    {"csv-bytes",
     "name,type,start_time,duration,data\n"
     "Async Serial [2],data,0.0010,8.68e-05,A\nAsync Serial [2],data,0.0011,8.68e-05,T\n"
     "Async Serial [2],data,0.0012,8.68e-05,\\r\nAsync Serial [1],data,0.0100,8.68e-05,\\r\n"
     "Async Serial [1],data,0.0101,8.68e-05,\\n\nAsync Serial [1],data,0.0102,8.68e-05, \n"
     "Async Serial [1],data,0.0103,8.68e-05,\"\"\"\"\n"
     "Async Serial [1],data,0.0104,8.68e-05,\",\"\n"
     "Async Serial [1],data,0.0200,8.68e-05,0x4F\nAsync Serial [1],data,0.0201,8.68e-05,K\n",
     QFTP_FMT_CSV, ">#2[AT\\r]@0.001000\n<#5[\\r\\n \",]@0.010000\n<#10[OK]@0.020000\n"},
    /* the data column last and not quoted: the commas after it are the data's */
    {"csv-unquoted-last",
     "time,dir,data\n10:00:00.100,TX,AT+QFTPOPEN=\"h\",21\n"
     "10:00:01.000,RX,+QFTPOPEN: 0,0\n",
     QFTP_FMT_CSV,
     ">#2[AT+QFTPOPEN=\"h\",21\\r]@36000.100000\n<#3[\\r\\n+QFTPOPEN: 0,0\\r\\n]@36001.000000\n"},
    /* a monitor's export: "Data" in hex beside its "ASCII", "Port" beside "Direction" */
    {"csv-data-in-hex",
     "Timestamp;Port;Direction;Data;ASCII\n30.11.2026 10:00:00.100;COM3;Write;41 54 0D;AT.\n"
     "30.11.2026 10:00:00.150;COM3;Read;0D 0A 4F 4B 0D 0A;..OK..\n",
     QFTP_FMT_CSV, ">#2[AT\\r]@1796032800.100000\n<#3[\\r\\nOK\\r\\n]@1796032800.150000\n"},
    /* the data column in the middle, not quoted, with commas and quotes of its own */
    {"csv-unquoted-middle",
     "time,data,dir\n10:00:00.100,AT+QFTPPWD,TX\n10:00:01.000,+QFTPPWD: 0,\"/\",RX\n", QFTP_FMT_CSV,
     ">#2[AT+QFTPPWD\\r]@36000.100000\n<#3[\\r\\n+QFTPPWD: 0,\"/\"\\r\\n]@36001.000000\n"},
    /* channels named neither way, bytes written 0x41: the one whose bytes start with AT is
     * the host's, also for bytes that are no command ("hi") */
    {"csv-bytes-0x",
     "name,start_time,data\nA1,0.0010,0x41\nA1,0.0011,0x54\nA1,0.0012,0x0D\nB2,0.0100,0x0D\n"
     "B2,0.0101,0x0A\nB2,0.0102,0x4F\nB2,0.0103,0x4B\nB2,0.0104,0x0D\nB2,0.0105,0x0A\n"
     "A1,0.0300,0x68\nA1,0.0301,0x69\n",
     QFTP_FMT_CSV, ">#2[AT\\r]@0.001000\n<#5[\\r\\nOK\\r\\n]@0.010000\n>#11[hi]@0.030000\n"},
    {"csv-hex-sides",
     "time\tdirection\thex\n10:00:00.100\tHost\t41 54 0D\n"
     "10:00:00.120\tBG96 TX\t0D 0A 4F 4B 0D 0A\n",
     QFTP_FMT_CSV, ">#2[AT\\r]@36000.100000\n<#3[\\r\\nOK\\r\\n]@36000.120000\n"},
    /* JSON Lines: keys named as CSV columns; an ISO time or a number (milliseconds by its
     * size); \u escapes; nested values skipped (a brace inside a string too); a line that
     * is no object is skipped */
    /* a logger of raw reads: most data strings hold their CR LF, so one without is part of
     * a line (the command written in two pieces), not a line */
    {"jsonl-raw-chunks",
     "{\"ts\": 1764496800.100, \"dir\": \"tx\", \"data\": \"AT+QFTP\"}\n"
     "{\"ts\": 1764496800.101, \"dir\": \"tx\", \"data\": \"STAT\\r\"}\n"
     "{\"ts\": 1764496800.130, \"dir\": \"rx\", \"data\": \"\\r\\n+QFTPSTAT: "
     "0,1\\r\\n\\r\\nOK\\r\\n\"}\n",
     QFTP_FMT_JSONL,
     ">#1[AT+QFTP]@1764496800.100000\n>#2[STAT\\r]@1764496800.101000\n"
     "<#3[\\r\\n+QFTPSTAT: 0,1\\r\\n\\r\\nOK\\r\\n]@1764496800.130000\n"},
    /* a whole JSON document on one line: an array of objects */
    {"jsonl-array-one-line",
     "[{\"ts\": 1764496800.100, \"dir\": \"tx\", \"data\": \"AT\\r\"}, "
     "{\"ts\": 1764496800.130, \"dir\": \"rx\", \"data\": \"\\r\\nOK\\r\\n\"}]\n",
     QFTP_FMT_JSONL, ">#1[AT\\r]@1764496800.100000\n<#1[\\r\\nOK\\r\\n]@1764496800.130000\n"},
    {"jsonl-escaped",
     "{\"ts\":\"2026-11-30T10:00:00.123Z\",\"dir\":\"tx\",\"data\":\"AT\\r\"}\n"
     "{\"ts\":\"2026-11-30T10:00:00.140Z\",\"dir\":\"rx\",\"data\":\"\\r\\nOK\\r\\n\"}\n",
     QFTP_FMT_JSONL, ">#1[AT\\r]@1796032800.123000\n<#2[\\r\\nOK\\r\\n]@1796032800.140000\n"},
    /* the bytes as an array of numbers */
    {"jsonl-byte-array",
     "{\"t\":1,\"ts\":1764496800.1,\"dir\":\"write\",\"bytes\":[65, 84, 13]}\n"
     "{\"ts\":1764496800.2,\"dir\":\"read\",\"bytes\":[13,10,79,75,13,10]}\n",
     QFTP_FMT_JSONL, ">#1[AT\\r]@1764496800.100000\n<#2[\\r\\nOK\\r\\n]@1764496800.200000\n"},
    /* data in hex, spaced or not, under a key that does not say so */
    {"jsonl-hex-data",
     "{\"ts\":1764496800.1,\"dir\":\"tx\",\"data\":\"41540D\"}\n"
     "{\"ts\":1764496800.2,\"dir\":\"rx\",\"data\":\"0D 0A 4F 4B 0D 0A\"}\n",
     QFTP_FMT_JSONL, ">#1[AT\\r]@1764496800.100000\n<#2[\\r\\nOK\\r\\n]@1764496800.200000\n"},
    {"jsonl-ms-nested",
     "{\"time\":1764496800100,\"source\":\"host\",\"text\":\"AT\\u002bQFTPSTAT\"}\n"
     "{\"meta\":{\"a\":[1,{\"b\":\"}\"}]},\"time\":1764496800150,\"source\":\"modem\","
     "\"text\":\"OK\"}\nnot json\n",
     QFTP_FMT_JSONL,
     ">#1[AT+QFTPSTAT\\r]@1764496800.100000\n<#2[\\r\\nOK\\r\\n]@1764496800.150000\n"},
    /* a JSON document whose objects spread over lines (an array, pretty-printed; a nested
     * object and a brace in a string inside one); an object the file ends inside is
     * skipped and counted */
    {"jsonl-pretty",
     "[\n  {\n    \"ts\": \"2026-11-30T10:00:00.123Z\",\n    \"meta\": {\"port\": \"}\"},\n"
     "    \"dir\": \"tx\",\n    \"data\": \"AT\\r\"\n  },\n  {\n"
     "    \"ts\": \"2026-11-30T10:00:00.140Z\",\n    \"dir\": \"rx\",\n"
     "    \"data\": \"\\r\\nOK\\r\\n\"\n  },\n  {\n    \"ts\": \"2026\n",
     QFTP_FMT_JSONL, ">#7[AT\\r]@1796032800.123000\n<#12[\\r\\nOK\\r\\n]@1796032800.140000\n"},
    /* a sniffer of two ports (jpnevulator): a time and the port's name head each block;
     * the port whose first bytes are a command is the host's (here the second to appear),
     * the other the module's; a third port is skipped */
    {"hexdump-two-ports",
     "2026-11-30 10:00:00.100000: /dev/ttyS1\n0D 0A 52 44 59 0D 0A    ..RDY..\n"
     "2026-11-30 10:00:00.200000: /dev/ttyUSB2\n41 54 0D    AT.\n"
     "2026-11-30 10:00:00.300000: /dev/ttyS1\n0D 0A 4F 4B 0D 0A    ..OK..\n"
     "2026-11-30 10:00:00.400000: COM9\n41 54 0D    AT.\n",
     QFTP_FMT_AUTO,
     "<#2[\\r\\nRDY\\r\\n]@1796032800.100000\n>#4[AT\\r]@1796032800.200000\n"
     "<#6[\\r\\nOK\\r\\n]@1796032800.300000\n"},
    /* markers in full-width brackets, as Chinese serial assistants write them */
    {"stamped-fullwidth-brackets",
     "[10:00:00.123]\xe3\x80\x90\xe5\x8f\x91\xe9\x80\x81\xe3\x80\x91"
     "AT\n"
     "[10:00:00.140]\xef\xbc\xbbRX\xef\xbc\xbdOK\n",
     QFTP_FMT_TIMESTAMPED, ">#1[AT\\r]@36000.123000\n<#2[\\r\\nOK\\r\\n]@36000.140000\n"},
    /* a bracketed time inside a firmware line's prefix (J-Link RTT's terminal number first) */
    {"firmware-time-in-prefix",
     "00> [00:00:01.210] <debug> modem: TX: AT\n00> [00:00:01.230] <debug> modem: RX: OK\n",
     QFTP_FMT_FIRMWARE, ">#1[AT\\r]@1.210000\n<#2[\\r\\nOK\\r\\n]@1.230000\n"},
    /* what loggers put around a time: a bar after it, a colon after its brackets, a time
     * zone's name (not applied), a '+' before seconds since the start; a word after a time
     * that names no zone is the line's text */
    {"stamped-bar", "10:00:00.123 | AT\n10:00:00.140 | OK\n", QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@36000.123000\n<#2[\\r\\nOK\\r\\n]@36000.140000\n"},
    {"stamped-bracket-colon", "[10:00:00.123]: AT\n[10:00:00.140]: OK\n", QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@36000.123000\n<#2[\\r\\nOK\\r\\n]@36000.140000\n"},
    {"stamped-zone-name", "[10:00:00.123 UTC] AT\n[10:00:00.140 UTC] OK\n10:00:00.150 RING\n",
     QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@36000.123000\n<#2[\\r\\nOK\\r\\n]@36000.140000\n"
     "<#3[\\r\\nRING\\r\\n]@36000.150000\n"},
    {"stamped-plus-seconds", "[+0.123s] AT\n[+0.140s] OK\n", QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@0.123000\n<#2[\\r\\nOK\\r\\n]@0.140000\n"},
    /* a table's sequence number before the time: the time is still the line's */
    {"firmware-seq-then-time",
     "No.   Time            Dir   Data\n1     10:00:00.123    TX    AT\n"
     "2     10:00:00.140    RX    OK\n",
     QFTP_FMT_FIRMWARE, ">#2[AT\\r]@36000.123000\n<#3[\\r\\nOK\\r\\n]@36000.140000\n"},
    /* spaces before a marker's colon (aligned columns), in both layouts */
    {"stamped-spaced-colon", "10:00:00.123 TX : AT\n10:00:00.140 Recv  : OK\n",
     QFTP_FMT_TIMESTAMPED, ">#1[AT\\r]@36000.123000\n<#2[\\r\\nOK\\r\\n]@36000.140000\n"},
    {"firmware-spaced-colon", "I (1210) modem: TX : AT\nI (1230) modem: RX  : OK\n",
     QFTP_FMT_FIRMWARE, ">#1[AT\\r]@1.210000\n<#2[\\r\\nOK\\r\\n]@1.230000\n"},
    /* a message beside the data: the data is the traffic, the message's words its side
     * ("at tx"); a record whose only data is a message is the logger's own event */
    {"jsonl-msg-beside-data",
     "{\"ts\":1764496800.1,\"msg\":\"at tx\",\"data\":\"AT\"}\n"
     "{\"ts\":1764496800.15,\"msg\":\"waiting\"}\n"
     "{\"ts\":1764496800.2,\"data\":\"OK\",\"msg\":\"modem reply\"}\n",
     QFTP_FMT_JSONL, ">#1[AT\\r]@1764496800.100000\n<#3[\\r\\nOK\\r\\n]@1764496800.200000\n"},
    /* records that mostly say their side: one that does not is the logger's */
    {"jsonl-undirected-skipped",
     "{\"ts\":1764496800.1,\"dir\":\"tx\",\"msg\":\"AT\"}\n"
     "{\"ts\":1764496800.15,\"msg\":\"reconnecting\"}\n"
     "{\"ts\":1764496800.2,\"dir\":\"rx\",\"msg\":\"OK\"}\n"
     "{\"ts\":1764496800.3,\"dir\":\"tx\",\"msg\":\"AT\"}\n",
     QFTP_FMT_JSONL,
     ">#1[AT\\r]@1764496800.100000\n<#3[\\r\\nOK\\r\\n]@1764496800.200000\n"
     ">#4[AT\\r]@1764496800.300000\n"},
    /* the side as a marker before the traffic in a message ("--> AT", "<-- OK") */
    {"jsonl-marker-in-msg",
     "{\"ts\":1764496800.1,\"msg\":\"--> AT\"}\n{\"ts\":1764496800.15,\"msg\":\"idle\"}\n"
     "{\"ts\":1764496800.2,\"msg\":\"<-- OK\"}\n{\"ts\":1764496800.3,\"msg\":\"--> AT\"}\n",
     QFTP_FMT_JSONL,
     ">#1[AT\\r]@1764496800.100000\n<#3[\\r\\nOK\\r\\n]@1764496800.200000\n"
     ">#4[AT\\r]@1764496800.300000\n"},
    /* a daemon's own log line in the message (journalctl -o json): read the firmware
     * layout's way, the record's time (journald's microseconds); its other lines skipped */
    {"jsonl-daemon-lines",
     "{\"__REALTIME_TIMESTAMP\":\"1764496800100000\",\"MESSAGE\":\"[ttyUSB2/at] --> 'AT<CR>'\"}\n"
     "{\"__REALTIME_TIMESTAMP\":\"1764496800150000\",\"MESSAGE\":\"<info> state changed\"}\n"
     "{\"__REALTIME_TIMESTAMP\":\"1764496800200000\",\"MESSAGE\":\"[ttyUSB2/at] <-- "
     "'<CR><LF>OK<CR><LF>'\"}\n"
     "{\"__REALTIME_TIMESTAMP\":\"1764496800300000\",\"MESSAGE\":\"[ttyUSB2/at] --> 'AT<CR>'\"}\n",
     QFTP_FMT_AUTO,
     ">#1[AT\\r]@1764496800.100000\n<#3[\\r\\nOK\\r\\n]@1764496800.200000\n"
     ">#4[AT\\r]@1764496800.300000\n"},
    /* logfmt: key=value pairs, values quoted as Go quotes them (\" \r \n \x..), or bare;
     * a line that is not pairs is skipped */
    {"logfmt-go",
     "ts=2026-11-30T10:00:00.123Z level=debug dir=out data=\"AT+QFTPCWD=\\\"/\\\"\\r\"\n"
     "not pairs at all\n"
     "ts=2026-11-30T10:00:00.140Z level=debug dir=in data=\"\\r\\nOK\\x0d\\x0a\"\n"
     "ts=2026-11-30T10:00:00.200Z dir=out data=AT\\r\n",
     QFTP_FMT_AUTO,
     ">#1[AT+QFTPCWD=\"/\"\\r]@1796032800.123000\n<#3[\\r\\nOK\\r\\n]@1796032800.140000\n"
     ">#4[AT\\r]@1796032800.200000\n"},
    /* logrus's text format saved with CR LF: markers before the traffic in msg */
    {"logfmt-crlf-markers",
     "time=\"10:00:00.100\" msg=\"--> AT\"\r\ntime=\"10:00:00.150\" msg=\"idle\"\r\n"
     "time=\"10:00:00.200\" msg=\"<-- OK\"\r\ntime=\"10:00:00.300\" msg=\"--> AT\"\r\n",
     QFTP_FMT_AUTO,
     ">#1[AT\\r]@36000.100000\n<#3[\\r\\nOK\\r\\n]@36000.200000\n>#4[AT\\r]@36000.300000\n"},
    /* a port's logger: "ttyUSB2 > " before what it wrote, "ttyUSB2 < " before what it read
     * (a single '>' or '<' counts only before AT traffic) */
    {"firmware-port-arrows", "ttyUSB2 > AT+QFTPSTAT\nttyUSB2 <dbg> settle\nttyUSB2 < OK\n",
     QFTP_FMT_FIRMWARE, ">~#1[AT+QFTPSTAT\\r]@0.000000\n<~#3[\\r\\nOK\\r\\n]@0.001000\n"},
    /* a serial port monitor's text view: the bytes spelled under the block's head */
    {"hexdump-text-view",
     "[30/11/2026 10:00:00] Written data (COM3)\n    AT\\r\n"
     "[30/11/2026 10:00:01] Read data (COM3)\n    \\r\\nOK\\r\\n\n",
     QFTP_FMT_HEXDUMP, ">#2[AT\\r]@1796032800.000000\n<#4[\\r\\nOK\\r\\n]@1796032801.000000\n"},
    /* hex bytes only, wrapped anywhere, no heads, no AT line: a terminal's hex display of
     * what it received, the module's bytes a record per LF (its echo, then its answers) */
    {"hexdump-headless",
     "41 54 0D 0D 0A 4F\n4B 0D 0A 0D 0A 2B 51\n46 54 50 53 54 41 54 3A 20 30\n"
     "2C 31 0D 0A\n",
     QFTP_FMT_HEXDUMP,
     "<~#1[AT\\r\\r\\n]@0.000000\n<~#1[OK\\r\\n]@0.001000\n<~#2[\\r\\n]@0.002000\n"
     "<~#2[+QFTPSTAT: 0,1\\r\\n]@0.003000\n"},
    /* more ways to write a date: a month's name with the year, the day first with '-',
     * '-' between the date and the time; a time in angle brackets */
    {"stamped-more-dates",
     "Nov 30 2026 10:00:00.100 AT\n[30-11-2026 10:00:00.200] OK\n"
     "2026/11/30-10:00:00.300 AT+QFTPSTAT\n<2026-11-30 10:00:00.400> OK\n",
     QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@1796032800.100000\n<#2[\\r\\nOK\\r\\n]@1796032800.200000\n"
     ">#3[AT+QFTPSTAT\\r]@1796032800.300000\n<#4[\\r\\nOK\\r\\n]@1796032800.400000\n"},
    /* TeraTerm before 4.96 ("%a %b %e %H:%M:%S.%N %Y") and its elapsed time */
    {"teraterm-old", "[Sun Nov 30 10:00:01.123 2026] AT\r\n[Sun Nov 30 10:00:01.130 2026] OK\r\n",
     QFTP_FMT_TIMESTAMPED, ">#1[AT\\r]@1796032801.123000\n<#2[\\r\\nOK\\r\\n]@1796032801.130000\n"},
    {"teraterm-elapsed", "[0 00:00:01.100] AT\n[1 00:00:00.000] OK\n", QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@1.100000\n<#2[\\r\\nOK\\r\\n]@86400.000000\n"},
    /* QCOM: '_' between date and time, ':' before the milliseconds, no space after ']' */
    {"qcom", "[2026-11-30_09:12:40:118]AT\r\n[2026-11-30_09:12:40:121]OK\r\n", QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@1796029960.118000\n<#2[\\r\\nOK\\r\\n]@1796029960.121000\n"},
    /* Arduino IDE: "->" is its separator, not a direction; empty stamped lines */
    {"arduino", "10:41:02.117 -> \n10:41:02.117 -> RDY\n10:41:09.890 -> AT\n", QFTP_FMT_TIMESTAMPED,
     "<#2[\\r\\nRDY\\r\\n]@38462.117000\n>#3[AT\\r]@38469.890000\n"},
    /* RealTerm's Unix timestamps */
    {"realterm", "1764500101,AT\r\r\n1764500101,OK\r\n", QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@1764500101.000000\n<#2[\\r\\nOK\\r\\n]@1764500101.000000\n"},
    /* Zephyr's ",uuu" microseconds after the milliseconds */
    {"zephyr-time", "[00:00:01.203,950] >> AT\n", QFTP_FMT_TIMESTAMPED, ">#1[AT\\r]@1.203950\n"},
    /* table-like columns */
    {"columns", "10:00:00.000 | RX | OK\n10:00:01.000 | TX | AT\n", QFTP_FMT_TIMESTAMPED,
     "<#1[\\r\\nOK\\r\\n]@36000.000000\n>#2[AT\\r]@36001.000000\n"},
    /* timestamped download and upload: one record per line, the URC's count (8) chooses LF
     * ends; "+++" is the escape, not data */
    {"stamped-lines-count",
     "[1.0] TX: AT+QFTPGET=\"a\",\"COM:\"\n[1.1] RX: CONNECT\n[1.2] RX: abc\n[1.2] RX: def\n"
     "[1.3] RX: OK\n[1.4] RX: +QFTPGET: 0,8\n[2.0] TX: AT+QFTPPUT=\"b\",\"COM:\"\n"
     "[2.1] RX: CONNECT\n[2.2] TX: xy\n[3.5] TX: +++\n[4.6] RX: OK\n[4.7] RX: +QFTPPUT: 0,2\n",
     QFTP_FMT_TIMESTAMPED,
     ">#1[AT+QFTPGET=\"a\",\"COM:\"\\r]@1.000000\n<#2[\\r\\nCONNECT\\r\\n]@1.100000\n"
     "<#3[abc\\n]@1.200000\n<#4[def\\n]@1.200000\n<#5[\\r\\nOK\\r\\n]@1.300000\n"
     "<#6[\\r\\n+QFTPGET: 0,8\\r\\n]@1.400000\n>#7[AT+QFTPPUT=\"b\",\"COM:\"\\r]@2.000000\n"
     "<#8[\\r\\nCONNECT\\r\\n]@2.100000\n>#9[xy]@2.200000\n>#10[+++]@3.500000\n"
     "<#11[\\r\\nOK\\r\\n]@4.600000\n<#12[\\r\\n+QFTPPUT: 0,2\\r\\n]@4.700000\n"},
    /* PuTTY: the header is not traffic, its date is the base of the synthesised times */
    {"putty",
     "=~=~=~=~=~=~=~=~=~=~=~= PuTTY log 2026.11.30 14:02:11 =~=~=~=~=~=~=~=~=~=~=~=\r\n"
     "AT\r\r\nOK\r\n",
     QFTP_FMT_PUTTY, ">~#2[AT\\r]@1796047331.000000\n<~#3[\\r\\nOK\\r\\n]@1796047331.001000\n"},
    /* SSCOM in GBK, as it saves its window; what it received first repeats the command
     * it sent: the module's echo, which ends with the command's CR (V.250 5.2.1) */
    {"sscom-gbk",
     "[15:20:01.102]\xb7\xa2\xa1\xfa\xa1\xf3"
     "AT\r\n\xa1\xf5\r\n"
     "[15:20:01.140]\xca\xd5\xa1\xfb\xa1\xf4"
     "AT\r\nOK\r\n\r\n",
     QFTP_FMT_SSCOM,
     ">#1[AT\\r]@55201.102000\n<#3[AT\\r]@55201.140000\n<#4[\\r\\nOK\\r\\n]@55201.140000\n"},
    /* Docklight: names of control characters, and its HEX view */
    {"docklight",
     "11/30/2026 11:02:15.311 [TX] - AT<CR>\r\n\r\n"
     "11/30/2026 11:02:15.316 [RX] - 0D 0A 4F 4B 0D 0A\r\n\r\n",
     QFTP_FMT_DOCKLIGHT, ">#1[AT\\r]@1796036535.311000\n<#3[\\r\\nOK\\r\\n]@1796036535.316000\n"},
    /* firmware: a quoted C string; other lines skipped */
    {"firmware-cstring",
     "I (10) boot: start\nD (20) modem: TX \"AT+QFTPCWD=\\\"/\\\"\\r\"\nD (25) modem: RX "
     "\"\\r\\nOK\\r\\n\"\n",
     QFTP_FMT_FIRMWARE, ">#2[AT+QFTPCWD=\"/\"\\r]@0.020000\n<#3[\\r\\nOK\\r\\n]@0.025000\n"},
    /* elision: the rest of the file is left out; the URC completes the download and the
     * elision line is handed on as a module line of its own */
    {"elision-dots",
     "AT+QFTPGET=\"a\",\"COM:\"\nCONNECT\nabc\n...\nOK\n\n+QFTPGET: 0,900\nAT+QFTPSTAT\n",
     QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPGET=\"a\",\"COM:\"\\r]@0.000000\n<~#2[\\r\\nCONNECT\\r\\n]@0.001000\n"
     "<~#3[abc\\n]@0.002000\n<~#4[\\r\\n...\\r\\n]@0.003000\n<~#5[\\r\\nOK\\r\\n]@0.004000\n"
     "<~#7[\\r\\n+QFTPGET: 0,900\\r\\n]@0.005000\n>~#8[AT+QFTPSTAT\\r]@0.006000\n"},
    /* a line "..." that the count shows to be file content stays data */
    {"elision-is-content", "AT+QFTPGET=\"a\",\"COM:\"\nCONNECT\nabc\n...\nOK\n+QFTPGET: 0,8\n",
     QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPGET=\"a\",\"COM:\"\\r]@0.000000\n<~#2[\\r\\nCONNECT\\r\\n]@0.001000\n"
     "<~#3[abc\\n]@0.002000\n<~#4[...\\n]@0.003000\n<~#5[\\r\\nOK\\r\\n]@0.004000\n"
     "<~#6[\\r\\n+QFTPGET: 0,8\\r\\n]@0.005000\n"},
    /* a URC of the command, then the module's next line: back in command mode there */
    {"urc-then-module-line",
     "AT+QFTPGET=\"a\",\"COM:\"\nCONNECT\nabc\nOK\n\n+QFTPGET: 0,900\n\n+QIURC: \"pdpdeact\",1\n",
     QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPGET=\"a\",\"COM:\"\\r]@0.000000\n<~#2[\\r\\nCONNECT\\r\\n]@0.001000\n"
     "<~#3[abc\\n]@0.002000\n<~#4[\\r\\nOK\\r\\n]@0.003000\n"
     "<~#6[\\r\\n+QFTPGET: 0,900\\r\\n]@0.004000\n<~#8[\\r\\n+QIURC: "
     "\"pdpdeact\",1\\r\\n]@0.005000\n"},
    /* ... but file lines after a URC-looking line keep it in the file */
    {"urc-in-file", "AT+QFTPGET=\"a\",\"COM:\"\nCONNECT\n+QFTPGET: 0,1\nabc\nOK\n+QFTPGET: 0,18\n",
     QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPGET=\"a\",\"COM:\"\\r]@0.000000\n<~#2[\\r\\nCONNECT\\r\\n]@0.001000\n"
     "<~#3[+QFTPGET: 0,1\\n]@0.002000\n<~#4[abc\\n]@0.003000\n<~#5[\\r\\nOK\\r\\n]@0.004000\n"
     "<~#6[\\r\\n+QFTPGET: 0,18\\r\\n]@0.005000\n"},
    /* the module's echo and answer spelled on one line (HTerm's receive view) */
    {"spelled-echo", "AT+QFTPCWD=\"/\"\\r\\r\\nOK\\r\\n\n", QFTP_FMT_PLAIN,
     "<~#1[AT+QFTPCWD=\"/\"\\r\\r\\nOK\\r\\n]@0.000000\n"},
    /* what a terminal acts on: screen's set-up sequences, a typo the user corrected */
    {"terminal-escapes", "\x1b[?1049h\x1b[H\x1b[2JAT\r\r\nOK\r\nAT+QFTPSTAY\b \bT\r\r\n",
     QFTP_FMT_PLAIN,
     ">~#1[AT\\r]@0.000000\n<~#2[\\r\\nOK\\r\\n]@0.001000\n>~#3[AT+QFTPSTAT\\r]@0.002000\n"},
    /* local echo and the module's echo: the second line is the module's */
    {"doubled-echo", "AT\nAT\nOK\nAT\nOK\n", QFTP_FMT_PLAIN,
     ">~#1[AT\\r]@0.000000\n<~#2[AT\\r]@0.001000\n<~#3[\\r\\nOK\\r\\n]@0.002000\n"
     ">~#4[AT\\r]@0.003000\n<~#5[\\r\\nOK\\r\\n]@0.004000\n"},
    /* a 12-hour clock after a US date; an offset from UTC is kept as written */
    {"stamped-am-pm", "11/30/2026 12:00:01 AM\tTX\tAT\n11/30/2026 1:05:02.500 PM\tRX\tOK\n",
     QFTP_FMT_TIMESTAMPED, ">#1[AT\\r]@1795996801.000000\n<#2[\\r\\nOK\\r\\n]@1796043902.500000\n"},
    {"stamped-utc-offset", "2026-11-30T10:00:01.123+01:00 RX: OK\n", QFTP_FMT_TIMESTAMPED,
     "<#1[\\r\\nOK\\r\\n]@1796032801.123000\n"},
    /* ModemManager's debug log in the journal: syslog times (no year), quoted lines */
    {"firmware-modemmanager",
     "Nov 30 10:00:01 gw ModemManager[512]: <debug> [ttyUSB2/at] --> 'AT<CR>'\n"
     "Nov 30 10:00:01 gw ModemManager[512]: <debug> [ttyUSB2/at] <-- '<CR><LF>OK<CR><LF>'\n",
     QFTP_FMT_FIRMWARE, ">#1[AT\\r]@28807201.000000\n<#2[\\r\\nOK\\r\\n]@28807201.000000\n"},
    {"stamped-month-name", "30-Nov-2026 10:00:01 TX: AT\n30 Nov 2026 10:00:02.5 RX: OK\n",
     QFTP_FMT_TIMESTAMPED, ">#1[AT\\r]@1796032801.000000\n<#2[\\r\\nOK\\r\\n]@1796032802.500000\n"},
    /* SSCOM in hex display */
    {"sscom-hex",
     "[15:20:01.102]\xe5\x8f\x91\xe2\x86\x92\xe2\x97\x87"
     "41 54 0D \n"
     "[15:20:01.140]\xe6\x94\xb6\xe2\x86\x90\xe2\x97\x86"
     "41 54 0D 0D 0A 4F 4B 0D 0A \n",
     QFTP_FMT_SSCOM, ">#1[AT\\r]@55201.102000\n<#2[AT\\r\\r\\nOK\\r\\n]@55201.140000\n"},
    /* notes the customer wrote after the lines, as the manuals' examples do */
    {"annotated", "AT+QFTPCWD=\"/a //b\"  // go home\nOK   <-- at once\n", QFTP_FMT_PLAIN,
     ">~#1[AT+QFTPCWD=\"/a //b\"\\r]@0.000000\n<~#2[\\r\\nOK\\r\\n]@0.001000\n"},
    /* an Arduino sketch announces what it sends; the modem's lines come bare */
    {"arduino-sending", "10:41:02.000 -> Sending: AT\r\n10:41:02.050 -> OK\r\n",
     QFTP_FMT_TIMESTAMPED, ">#1[AT\\r]@38462.000000\n<#2[\\r\\nOK\\r\\n]@38462.050000\n"},
    /* a Linux kernel's time, blanks inside the brackets */
    {"firmware-dmesg-time", "[   12.345678] modem: >> AT\n[   12.400000] modem: << OK\n",
     QFTP_FMT_FIRMWARE, ">#1[AT\\r]@12.345678\n<#2[\\r\\nOK\\r\\n]@12.400000\n"},
    {"stamped-parens", "(10:00:01.100) AT\n(10:00:01.110) OK\n", QFTP_FMT_TIMESTAMPED,
     ">#1[AT\\r]@36001.100000\n<#2[\\r\\nOK\\r\\n]@36001.110000\n"},
    /* a pyserial script's log: Python bytes literals after write:/read: */
    {"firmware-python-bytes",
     "2026-11-30 10:00:00,100 - m - DEBUG - write: b'AT\\r'\n"
     "2026-11-30 10:00:00,150 - m - INFO - waiting\n"
     "2026-11-30 10:00:00,200 - m - DEBUG - read: b'\\r\\nOK\\r\\n'\n",
     QFTP_FMT_FIRMWARE, ">#1[AT\\r]@1796032800.100000\n<#3[\\r\\nOK\\r\\n]@1796032800.200000\n"},
};

/* The log as read from UTF-16 or with CR line ends, against the same log in UTF-8 with LF:
 * the same records. */
static void same_records(const char *name, const void *log, size_t n, const char *want)
{
    GString *out = g_string_new(NULL);
    char err[QFTP_ERRBUF_SIZE] = "";
    int rc = import(log, n, QFTP_FMT_AUTO, NULL, false, out, NULL, err);
    if (rc != 0 || strcmp(out->str, want) != 0)
        g_error("%s: rc %d (%s); %zu bytes of records, %zu expected", name, rc, err, out->len,
                strlen(want));
    g_string_free(out, TRUE);
}

/* Windows tools save UTF-16 (Notepad's "Unicode", PowerShell's Out-File): with its byte
 * order mark in either order, or without one, across many read buffers, with a character
 * outside the BMP (a surrogate pair). A classic Mac editor's CR line ends. */
static void test_encodings(void)
{
    GString *u8 = g_string_new(NULL);
    for (int i = 0; i < 4000; i++)
        g_string_append_printf(u8, "AT+QFTPCWD=\"/d%d\"\nOK\n\n+QFTPCWD: 0,0\n", i);
    g_string_append(u8, "AT+QFTPCWD=\"/\xf0\x9f\x93\x81\xc3\xa9\"\nOK\n");
    GString *want = g_string_new(NULL);
    char err[QFTP_ERRBUF_SIZE] = "";
    g_assert_cmpint(import(u8->str, u8->len, QFTP_FMT_AUTO, NULL, false, want, NULL, err), ==, 0);
    glong units = 0;
    gunichar2 *u16 = g_utf8_to_utf16(u8->str, (glong)u8->len, NULL, &units, NULL);
    g_assert_nonnull(u16);
    for (int order = 0; order < 2; order++) {
        for (int bom = 0; bom < 2; bom++) {
            GByteArray *b = g_byte_array_new();
            gunichar2 all[1] = {0xfeff};
            for (glong i = -1; i < units; i++) {
                if (i < 0 && !bom)
                    continue;
                gunichar2 u = i < 0 ? all[0] : u16[i];
                uint8_t pair[2] = {(uint8_t)(order ? u >> 8 : u), (uint8_t)(order ? u : u >> 8)};
                g_byte_array_append(b, pair, 2);
            }
            char name[32];
            snprintf(name, sizeof name, "utf-16%s%s", order ? "be" : "le", bom ? "-bom" : "");
            same_records(name, b->data, b->len, want->str);
            g_byte_array_free(b, TRUE);
        }
    }
    g_free(u16);
    GString *cr = g_string_new(u8->str);
    for (gsize i = 0; i < cr->len; i++)
        if (cr->str[i] == '\n')
            cr->str[i] = '\r';
    same_records("cr-line-ends", cr->str, cr->len, want->str);
    g_string_free(cr, TRUE);
    /* firmware that prints "\n\r": LF CR line ends; the first line's length moves the
     * pairs against the reader's 64 KiB buffer until one is split by it */
    bool split_seen = false;
    for (int k = 0; k < 64; k++) {
        GString *lf = g_string_new("AT+QFTPCWD=\"/");
        for (int i = 0; i < k; i++)
            g_string_append_c(lf, 'x');
        g_string_append(lf, "\"\nOK\n");
        g_string_append_len(lf, u8->str, (gssize)u8->len);
        GString *lfcr = g_string_new(NULL);
        for (gsize i = 0; i < lf->len; i++) {
            g_string_append_c(lfcr, lf->str[i]);
            if (lf->str[i] == '\n')
                g_string_append_c(lfcr, '\r');
        }
        bool split = lfcr->str[65535] == '\n';
        if (k == 0 || split) {
            GString *lw = g_string_new(NULL);
            g_assert_cmpint(import(lf->str, lf->len, QFTP_FMT_AUTO, NULL, false, lw, NULL, err), ==,
                            0);
            same_records("lf-cr-line-ends", lfcr->str, lfcr->len, lw->str);
            g_string_free(lw, TRUE);
            split_seen = split_seen || split;
        }
        g_string_free(lf, TRUE);
        g_string_free(lfcr, TRUE);
    }
    g_assert_true(split_seen);
    /* a text head, then a download a terminal logged raw, NULs every other byte: text with
     * binary bytes, no UTF-16 (the bytes stay the module's, counted by data mode) */
    GString *raw = g_string_new("AT+QFTPGET=\"a\",\"COM:\"\r\nCONNECT\r\n");
    for (int i = 0; i < 600; i++)
        g_string_append_len(raw, "\0\xff", 2);
    GString *got = g_string_new(NULL);
    g_assert_cmpint(import(raw->str, raw->len, QFTP_FMT_AUTO, NULL, false, got, NULL, err), ==, 0);
    if (!g_str_has_prefix(got->str, ">~#1[AT+QFTPGET=\"a\",\"COM:\"\\r]") ||
        !strstr(got->str, "\\x00\\xff\\x00\\xff"))
        g_error("text head and raw download: %.200s", got->str);
    g_string_free(got, TRUE);
    g_string_free(raw, TRUE);
    /* NUL bytes alone on a line: a file's padding (space taken and never written), skipped,
     * even at the end of a short log (before, "binary data, not a text log") */
    static const char padded[] = "AT\nOK\n\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
    got = g_string_new(NULL);
    g_assert_cmpint(import(padded, sizeof padded, QFTP_FMT_AUTO, NULL, false, got, NULL, err), ==,
                    0);
    g_assert_cmpstr(got->str, ==, ">~#1[AT\\r]@0.000000\n<~#2[\\r\\nOK\\r\\n]@0.001000\n");
    g_string_free(got, TRUE);
    g_string_free(u8, TRUE);
    g_string_free(want, TRUE);
}

static void test_layouts(void)
{
    check_icases(layout_cases, G_N_ELEMENTS(layout_cases));
}

/* Lines that are not traffic are skipped and counted: --regex, firmware; lines whose paste
 * artifacts were undone are counted too. */
static void test_skipped(void)
{
    static const struct {
        const char *log, *regex;
        qftp_log_format format;
        uint64_t skipped, first;
        const char *expect;
        uint64_t repaired, first_repaired;
    } c[] = {
        {"h:AT\n\nnoise\nm:OK\nmore noise\n", "^(?<dir>\\w):(?<data>.*)$", QFTP_FMT_REGEX, 2, 3,
         ">~#1[AT\\r]@0.000000\n<~#4[\\r\\nOK\\r\\n]@0.001000\n"},
        /* no dir group: read like plain; a time without a dir group */
        {"10:00:00 AT\n10:00:01 OK\nxx\n", "^(?<time>\\S+) (?<data>.*)$", QFTP_FMT_REGEX, 1, 3,
         ">#1[AT\\r]@36000.000000\n<#2[\\r\\nOK\\r\\n]@36001.000000\n"},
        {"[INFO] boot\n[DEBUG] modem: >> AT\\r\n[WARN] x: OK then\n[DEBUG] modem: << "
         "\\r\\nOK\\r\\n\n",
         NULL, QFTP_FMT_FIRMWARE, 2, 1, ">~#2[AT\\r]@0.000000\n<~#4[\\r\\nOK\\r\\n]@0.001000\n"},
        /* repaired lines are counted apart: two of them, the first line 2 */
        {"AT\nOK^M\n+QFTPCWD:\xc2\xa0"
         "0,0\n",
         NULL, QFTP_FMT_PLAIN, 0, 0,
         ">~#1[AT\\r]@0.000000\n<~#2[\\r\\nOK\\r\\n]@0.001000\n"
         "<~#3[\\r\\n+QFTPCWD: 0,0\\r\\n]@0.002000\n",
         2, 2},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(c); i++) {
        FILE *in = fmemopen((void *)c[i].log, strlen(c[i].log), "rb");
        qftp_import_opts o;
        qftp_import_opts_init(&o);
        qftp_import_info info;
        o.format = c[i].format;
        o.regex = c[i].regex;
        o.info = &info;
        GString *out = g_string_new(NULL);
        char err[QFTP_ERRBUF_SIZE] = "";
        int rc = qftp_log_import(in, &o, collect, out, NULL, err);
        fclose(in);
        if (rc != 0 || strcmp(out->str, c[i].expect) != 0)
            g_error("case %zu: rc %d (%s)\n-- got\n%s-- expected\n%s", i, rc, err, out->str,
                    c[i].expect);
        g_assert_cmpuint(info.skipped, ==, c[i].skipped);
        g_assert_cmpuint(info.first_skipped, ==, c[i].first);
        g_assert_cmpuint(info.repaired, ==, c[i].repaired);
        g_assert_cmpuint(info.first_repaired, ==, c[i].first_repaired);
        g_string_free(out, TRUE);
    }
}

/* ---- redaction ---------------------------------------------------------------------------------
 */

/* The rule itself is tests/unit/test_redact.c; here: the importer applies it across
 * records, and never to data-mode payload. */
static void test_redact(void)
{
    /* socat -x: a command split across two records, its echo split differently, and
     * the GSM read-back of the password */
    const char *socat = "> 2026/11/22 13:24:46.000100000  length=8 from=0 to=7\n"
                        " 41 54 2b 51 46 54 50 50\n" /* AT+QFTPP */
                        "> 2026/11/22 13:24:46.000200000  length=9 from=8 to=16\n"
                        " 41 53 53 3d 22 70 77 22 0d\n" /* ASS="pw"\r */
                        "< 2026/11/22 13:24:46.000300000  length=14 from=0 to=13\n"
                        " 41 54 2b 51 46 54 50 50 41 53 53 3d 22 70\n" /* AT+QFTPPASS="p */
                        "< 2026/11/22 13:24:46.000400000  length=9 from=14 to=22\n"
                        " 77 22 0d 0d 0a 4f 4b 0d 0a\n" /* w"\r\r\nOK\r\n */
                        "< 2026/11/22 13:24:46.000500000  length=18 from=23 to=40\n"
                        " 0d 0a 2b 51 46 54 50 50 41 53 53 3a 22 70 77 22 0d 0a\n";
    GString *got = g_string_new(NULL);
    char err[QFTP_ERRBUF_SIZE];
    g_assert_cmpint(import(socat, strlen(socat), QFTP_FMT_AUTO, NULL, true, got, NULL, err), ==, 0);
    /* a held line goes out with the record that ends it (socat 1.7.4 prints microseconds
     * with nine digits, as in socat-v-bg96.log) */
    g_assert_cmpstr(got->str, ==,
                    ">#3[AT+QFTPPASS=\"****\"\\r]@1795353886.200000\n"
                    "<#7[AT+QFTPPASS=\"****\"\\r\\r\\nOK\\r\\n]@1795353886.400000\n"
                    "<#9[\\r\\n+QFTPPASS:\"****\"\\r\\n]@1795353886.500000\n");
    g_assert_null(strstr(got->str, "pw"));
    g_string_free(got, TRUE);
    /* download bytes in a plain log are data, not commands: left alone */
    const char *log = "AT+QFTPGET=\"a\",\"COM:\"\nCONNECT\nsee AT+QFTPPASS=\"x\"\n+QFTPGET: 0,20\n";
    GString *out = g_string_new(NULL);
    g_assert_cmpint(import(log, strlen(log), QFTP_FMT_AUTO, NULL, true, out, NULL, err), ==, 0);
    g_assert_nonnull(strstr(out->str, "<~#3[see AT+QFTPPASS=\"x\"\\n]"));
    g_string_free(out, TRUE);
}

/* ---- malformed input ---------------------------------------------------------------------------
 */

typedef struct {
    const char *name;
    const char *log;
    size_t len; /* 0: strlen */
    qftp_log_format format;
    const char *regex;
    const char *words; /* in the message */
} mcase;

static const char nul_log[] = "AT\nOK\nab\0cd\n";
static const char garbage_log[] = "[10:00:00] TX: AT\n[10:00:01] RX: "
                                  "\x81\x82\x83\x84\x85\xfe\x81\x82\x83\x84\x85\xfe\x81\x82\x83\x84"
                                  "\x85\xfe\x81\x82\x83\x84\x85\xfe\x81\x82\x83\x84\x85\xfe\n";

static const mcase malformed[] = {
    {"socat-no-header", "AT\n", 0, QFTP_FMT_SOCAT, NULL, "line 1: a socat header"},
    {"socat-bad-hex", "> 2024/05/01 10:00:00.000000  length=2 from=0 to=1\n 41 zz\n", 0,
     QFTP_FMT_SOCAT, NULL, "line 2: bad hex digits"},
    {"socat-hex-short",
     "> 2024/05/01 10:00:00.000000  length=3 from=0 to=2\n 41 54\n"
     "> 2024/05/01 10:00:00.000000  length=1 from=2 to=2\n 0d\n",
     0, QFTP_FMT_SOCAT, NULL, "line 3: bad hex digits"},
    {"socat-short", "> 2024/05/01 10:00:00.000000  length=9 from=0 to=8\nAT\n", 0, QFTP_FMT_SOCAT,
     NULL, "ends 6 bytes before the end of the socat block of line 1"},
    {"stamped-garbage", garbage_log, sizeof garbage_log - 1, QFTP_FMT_TIMESTAMPED, NULL,
     "line 2: binary data"},
    {"regex-groups", "x\n", 0, QFTP_FMT_REGEX, "(?<dir>.*)", "named group (?<data>"},
    {"regex-invalid", "x\n", 0, QFTP_FMT_REGEX, "(?<dir>", "--regex"},
    {"regex-bad-time", "x a:b\n", 0, QFTP_FMT_REGEX, "^(?<time>\\S+) (?<dir>\\w):(?<data>.*)$",
     "line 1: the time \"x\""},
    {"regex-missing", "x\n", 0, QFTP_FMT_REGEX, NULL, "needs a regular expression"},
    {"interceptty-bad", "> 0x41\n> zz\n", 0, QFTP_FMT_INTERCEPTTY, NULL, "line 2: bad byte"},
    {"interceptty-no-dir", "> 0x41\nhello\n", 0, QFTP_FMT_INTERCEPTTY, NULL,
     "line 2: not an interceptty"},
    {"plain-nul", nul_log, sizeof nul_log - 1, QFTP_FMT_PLAIN, NULL, "line 3: binary"},
    {"auto-nul", nul_log, sizeof nul_log - 1, QFTP_FMT_AUTO, NULL, "line 3: binary"},
    /* times past int64 nanoseconds wrapped to negative ones (issue 16 item 9) */
    {"date-after-2262", "2263-01-01 10:00:00.000 TX: AT\n", 0, QFTP_FMT_AUTO, NULL,
     "line 1: a time after 2262-04-11"},
    {"socat-after-2262", "> 9999/12/31 23:59:59.000000  length=3 from=0 to=2\n 41 54 0d\n", 0,
     QFTP_FMT_SOCAT, NULL, "line 1: a time after 2262-04-11"},
    {"seconds-after-2262", "99999999999999999999.5 TX: AT\n", 0, QFTP_FMT_TIMESTAMPED, NULL,
     "line 1: a time after 2262-04-11"},
};

/* Long digit runs in the head (format detection reads numbers everywhere): read without
 * overflowing (UBSan, issue 16 item 9), whatever layout they end up in. */
static void test_digit_runs(void)
{
    static const char *const logs[] = {
        "99999999999999999999999999999999 TX: AT\n",
        "123456789012345678901234.5 > AT\n",
        "[99999999999999999999:99:99.999] AT\n",
        "2024-05-01 10:00:00.99999999999999999999999 TX: AT\n",
        "99999999999999999999 99:00:00.000 TX: AT\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(logs); i++) {
        GString *out = g_string_new(NULL);
        char err[QFTP_ERRBUF_SIZE] = "";
        import(logs[i], strlen(logs[i]), QFTP_FMT_AUTO, NULL, false, out, NULL, err);
        g_string_free(out, TRUE);
    }
}

static void test_malformed(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(malformed); i++) {
        const mcase *t = &malformed[i];
        GString *out = g_string_new(NULL);
        char err[QFTP_ERRBUF_SIZE] = "";
        int rc = import(t->log, t->len ? t->len : strlen(t->log), t->format, t->regex, false, out,
                        NULL, err);
        if (rc >= 0 || !strstr(err, t->words))
            g_error("%s: rc %d, message '%s' lacks '%s'", t->name, rc, err, t->words);
        g_string_free(out, TRUE);
    }
}

/* A 20 MB line without a line end: an error naming line 1. */
static void test_long_line(void)
{
    size_t big = 20u << 20;
    char *b = g_malloc(big);
    memset(b, 'A', big);
    for (int f = QFTP_FMT_AUTO; f <= QFTP_FMT_TIMESTAMPED; f++) {
        GString *out = g_string_new(NULL);
        char err[QFTP_ERRBUF_SIZE] = "";
        int rc = import(b, big, (qftp_log_format)f, NULL, false, out, NULL, err);
        g_assert_cmpint(rc, <, 0);
        g_assert_nonnull(strstr(err, "line 1: longer than 16777216 bytes"));
        g_string_free(out, TRUE);
    }
    g_free(b);
}

/* An endless stream without a line end (100 MB here): stopped after the cap, so the
 * importer reads (and holds) little more than QFTP_IMPORT_LINE_CAP bytes of it. */
typedef struct {
    uint64_t served, limit;
} endless;

static ssize_t endless_read(void *cookie, char *buf, size_t size)
{
    endless *e = cookie;
    size_t n = e->limit - e->served < size ? (size_t)(e->limit - e->served) : size;
    memset(buf, 'x', n);
    e->served += n;
    return (ssize_t)n;
}

static void test_endless_stream_bounded(void)
{
    endless e = {0, 100u << 20};
    cookie_io_functions_t io = {endless_read, NULL, NULL, NULL};
    FILE *in = fopencookie(&e, "r", io);
    GString *out = g_string_new(NULL);
    char err[QFTP_ERRBUF_SIZE] = "";
    int rc = import_stream(in, QFTP_FMT_PLAIN, NULL, false, out, NULL, err);
    fclose(in);
    g_assert_cmpint(rc, <, 0);
    g_assert_nonnull(strstr(err, "line 1: longer than"));
    g_assert_cmpuint(e.served, <=, QFTP_IMPORT_LINE_CAP + (1u << 20));
    g_string_free(out, TRUE);
}

/* ---- streaming: lines across read boundaries, progress, stopping ------------------------------
 */

static int count_cb(void *user, const qftp_record *r)
{
    size_t *n = user;
    g_assert_cmpuint(r->len, ==, 1000 + 1);
    for (size_t i = 0; i < 1000; i++)
        g_assert_cmpint(r->data[i], ==, 'a' + (int)((*n + i) % 26));
    (*n)++;
    return 0;
}

static void on_progress(void *user, uint64_t bytes)
{
    uint64_t *last = user;
    g_assert_cmpuint(bytes, >, *last);
    *last = bytes;
}

static void test_streaming(void)
{
    /* 5000 lines of ~1030 bytes: lines cross every read buffer boundary */
    GString *log = g_string_new(NULL);
    for (size_t k = 0; k < 5000; k++) {
        g_string_append_printf(log, "[10:00:%02zu.%03zu] TX: ", k / 1000 % 60, k % 1000);
        for (size_t i = 0; i < 1000; i++)
            g_string_append_c(log, (char)('a' + (k + i) % 26));
        g_string_append_c(log, '\n');
    }
    FILE *in = fmemopen(log->str, log->len, "rb");
    qftp_import_opts o;
    qftp_import_opts_init(&o);
    uint64_t last = 0;
    o.progress = on_progress;
    o.progress_user = &last;
    size_t n = 0;
    char err[QFTP_ERRBUF_SIZE] = "";
    qftp_log_format used;
    g_assert_cmpint(qftp_log_import(in, &o, count_cb, &n, &used, err), ==, 0);
    fclose(in);
    g_assert_cmpint(used, ==, QFTP_FMT_TIMESTAMPED);
    g_assert_cmpuint(n, ==, 5000);
    g_assert_cmpuint(last, >=, 4u << 20); /* called every MiB */
    g_string_free(log, TRUE);
}

static int stop_cb(void *user, const qftp_record *r)
{
    (void)r;
    return ++*(int *)user == 2 ? 7 : 0;
}

static void test_callback_stops(void)
{
    const char *log = "AT\nOK\nAT\nOK\n";
    FILE *in = fmemopen((void *)log, strlen(log), "rb");
    int calls = 0;
    char err[QFTP_ERRBUF_SIZE] = "";
    g_assert_cmpint(qftp_log_import(in, NULL, stop_cb, &calls, NULL, err), ==, 7);
    g_assert_cmpint(calls, ==, 2);
    fclose(in);
}

static void test_names(void)
{
    for (int f = QFTP_FMT_AUTO; f <= QFTP_FMT_REGEX; f++)
        g_assert_cmpint(qftp_log_format_from_name(qftp_log_format_name((qftp_log_format)f)), ==, f);
    g_assert_cmpint(qftp_log_format_from_name("SOCAT"), ==, QFTP_FMT_SOCAT);
    g_assert_cmpint(qftp_log_format_from_name("pcap"), ==, -1);
    g_assert_cmpstr(qftp_log_format_name((qftp_log_format)42), ==, "?");
    g_assert_cmpint(qftp_log_detect((const uint8_t *)"", 0), ==, QFTP_FMT_PLAIN);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/logimport/samples", test_samples);
    g_test_add_func("/logimport/inline", test_inline);
    g_test_add_func("/logimport/layouts", test_layouts);
    g_test_add_func("/logimport/skipped", test_skipped);
    g_test_add_func("/logimport/encodings", test_encodings);
    g_test_add_func("/logimport/redact", test_redact);
    g_test_add_func("/logimport/digit-runs", test_digit_runs);
    g_test_add_func("/logimport/malformed", test_malformed);
    g_test_add_func("/logimport/long-line", test_long_line);
    g_test_add_func("/logimport/endless-stream-bounded", test_endless_stream_bounded);
    g_test_add_func("/logimport/streaming", test_streaming);
    g_test_add_func("/logimport/callback-stops", test_callback_stops);
    g_test_add_func("/logimport/names", test_names);
    return g_test_run();
}
