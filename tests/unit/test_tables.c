/* test_tables.c - the command and code tables (libqftp/tables.def, tables.c).
 *
 * Expected values are taken from the manuals (GSM_FTP_ATC_V1.1 = "GSM", BG96 FTP(S) AT
 * Commands Manual V1.0 = "BG96"), RFC 959/2228/2428 and 3GPP TS 27.007; the comments
 * name the section each row comes from. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "qftp/session.h"
#include "qftp/tables.h"
#include "strfmt.h"
#include "testutil.h"

#define GSM QFTP_DIALECT_GSM
#define BG96 QFTP_DIALECT_BG96
#define ANY QFTP_DIALECT_UNKNOWN
#define T QFTP_FORM_TEST
#define R QFTP_FORM_READ
#define W QFTP_FORM_WRITE
#define E QFTP_FORM_EXEC

/* ---- code tables ------------------------------------------------------------------------ */

typedef struct {
    qftp_code_table table;
    int code;
    const char *text; /* expected exact text, or NULL: not in the table */
} code_case;

static const code_case code_cases[] = {
    /* GSM chapter 3 */
    {QFTP_CODES_GSM_FTP, -1, "unknown error"},
    {QFTP_CODES_GSM_FTP, -2, NULL},
    {QFTP_CODES_GSM_FTP, -3, "the FTP service is busy"},
    {QFTP_CODES_GSM_FTP, -9, "timeout"},
    {QFTP_CODES_GSM_FTP, -13, NULL},
    {QFTP_CODES_GSM_FTP, -421, "the FTP server can't support service"},
    {QFTP_CODES_GSM_FTP, -553, "file name is illegal"},
    {QFTP_CODES_GSM_FTP, -554, NULL},
    {QFTP_CODES_GSM_FTP, 0, NULL},
    /* BG96 chapter 5 */
    {QFTP_CODES_BG96_FTP, 0, "operation successful"},
    {QFTP_CODES_BG96_FTP, 600, NULL},
    {QFTP_CODES_BG96_FTP, 601, "unknown error"},
    {QFTP_CODES_BG96_FTP, 603, "FTP(S) server busy"},
    {QFTP_CODES_BG96_FTP, 604, "DNS parse failed"},
    {QFTP_CODES_BG96_FTP, 609, "timeout error"},
    {QFTP_CODES_BG96_FTP, 615, "open data connection failed"},
    {QFTP_CODES_BG96_FTP, 616, "connection closed; transfer aborted"},
    {QFTP_CODES_BG96_FTP, 625, "not logged in"},
    {QFTP_CODES_BG96_FTP, 627, "requested action not taken"},
    {QFTP_CODES_BG96_FTP, 630, "requested file name invalid"},
    {QFTP_CODES_BG96_FTP, 631, "SSL authentication failed"},
    {QFTP_CODES_BG96_FTP, 632, NULL},
    /* FTP replies: BG96 chapter 6 wording, RFC 959 4.2 */
    {QFTP_CODES_FTP_REPLY, 150, "file status okay; about to open data connection"},
    {QFTP_CODES_FTP_REPLY, 226, "closing data connection; requested file action successful"},
    {QFTP_CODES_FTP_REPLY, 230, "user logged in, proceed"},
    {QFTP_CODES_FTP_REPLY, 421, "service not available, closing control connection"},
    {QFTP_CODES_FTP_REPLY, 425, "open data connection failed"},
    {QFTP_CODES_FTP_REPLY, 452, "requested action not taken: insufficient system storage"},
    {QFTP_CODES_FTP_REPLY, 530, "not logged in"},
    {QFTP_CODES_FTP_REPLY, 550, "requested action not taken: file unavailable"},
    {QFTP_CODES_FTP_REPLY, 552, "requested file action aborted: exceeded storage allocation"},
    {QFTP_CODES_FTP_REPLY, 553, "requested action not taken: file name not allowed"},
    {QFTP_CODES_FTP_REPLY, 100, NULL},
    {QFTP_CODES_FTP_REPLY, 554, NULL},
    /* +CME ERROR */
    {QFTP_CODES_CME, 3, "operation not allowed"},
    {QFTP_CODES_CME, 10, "SIM not inserted"},
    {QFTP_CODES_CME, 407, "file already exist"},
    {QFTP_CODES_CME, 421, "time out"},
    {QFTP_CODES_CME, 565, "DNS parse failed"},
    {QFTP_CODES_CME, 574, "port busy"},
    {QFTP_CODES_CME, 603, NULL}, /* in the BG96 FTP table only */
    {QFTP_CODES_CME, 575, NULL},
};

static void test_code_text(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(code_cases); i++) {
        const code_case *c = &code_cases[i];
        g_test_message("table %d code %d", c->table, c->code);
        g_assert_cmpstr(qftp_code_text(c->table, c->code), ==, c->text);
    }
    size_t n = 99;
    g_assert_null(qftp_codes(QFTP_CODES__COUNT, &n));
    g_assert_cmpuint(n, ==, 0);
    g_assert_null(qftp_code_text(QFTP_CODES__COUNT, 0));
}

/* Every code each source lists. */
static const int gsm_all[] = {-1,   -3,   -4,   -5,   -6,   -7,   -8,   -9,   -10,
                              -11,  -12,  -421, -425, -426, -450, -452, -500, -501,
                              -502, -530, -532, -550, -551, -552, -553}; /* GSM 3 */
static const int reply_all[] = {
    110, 120, 125, 150, 200, 202, 211, 212, 213, 214, 215, 220, 221,
    225, 226, 227, 230, 250, 257, 331, 332, 350, 421, 425, 426, 450,
    451, 452, 500, 501, 502, 503, 504, 530, 532, 550, 551, 552, 553, /* RFC 959 4.2 */
    232, 234, 334,                                                   /* RFC 2228 */
    229,                                                             /* RFC 2428 */
};
static const int bg96_ch6[] = {421, 425, 426, 450, 451, 452, 500, 501, 502,
                               503, 504, 530, 532, 550, 551, 552, 553};
static const int cme_file[] = {400, 401, 402, 403, 405, 406, 407, 409, 410, 411, 413,
                               414, 416, 417, 418, 419, 420, 421, 423, 425, 426};
static const int cme_general[] = {0,  1,  3,  4,  10, 11, 12, 13, 14, 15, 16, 20,
                                  21, 22, 23, 24, 25, 26, 27, 30, 31, 32, 50, 100};

static void assert_all_in(qftp_code_table t, const int *codes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        g_test_message("table %d code %d", t, codes[i]);
        g_assert_nonnull(qftp_code_text(t, codes[i]));
    }
}

static void test_code_sets(void)
{
    size_t n;
    qftp_codes(QFTP_CODES_GSM_FTP, &n);
    g_assert_cmpuint(n, ==, G_N_ELEMENTS(gsm_all));
    assert_all_in(QFTP_CODES_GSM_FTP, gsm_all, G_N_ELEMENTS(gsm_all));

    qftp_codes(QFTP_CODES_BG96_FTP, &n); /* BG96 5: 0 and 601-631 */
    g_assert_cmpuint(n, ==, 1 + 31);
    for (int c = 601; c <= 631; c++)
        g_assert_nonnull(qftp_code_text(QFTP_CODES_BG96_FTP, c));

    qftp_codes(QFTP_CODES_FTP_REPLY, &n);
    g_assert_cmpuint(n, ==, G_N_ELEMENTS(reply_all));
    assert_all_in(QFTP_CODES_FTP_REPLY, reply_all, G_N_ELEMENTS(reply_all));
    assert_all_in(QFTP_CODES_FTP_REPLY, bg96_ch6, G_N_ELEMENTS(bg96_ch6));

    assert_all_in(QFTP_CODES_CME, cme_file, G_N_ELEMENTS(cme_file));
    assert_all_in(QFTP_CODES_CME, cme_general, G_N_ELEMENTS(cme_general));
    for (int c = 550; c <= 574; c++) /* TCP/IP */
        g_assert_nonnull(qftp_code_text(QFTP_CODES_CME, c));
}

/* Sorted, unique, short lower-case phrases (an acronym may lead), no full stop. */
static void test_code_form(void)
{
    for (int t = 0; t < QFTP_CODES__COUNT; t++) {
        size_t n;
        const qftp_code *c = qftp_codes((qftp_code_table)t, &n);
        g_assert_nonnull(c);
        for (size_t i = 0; i < n; i++) {
            g_test_message("table %d code %d '%s'", t, c[i].code, c[i].text);
            if (i > 0)
                g_assert_cmpint(c[i - 1].code, <, c[i].code);
            size_t len = strlen(c[i].text);
            g_assert_cmpuint(len, >, 0);
            g_assert_cmpuint(len, <, 100);
            g_assert_cmpint(c[i].text[len - 1], !=, '.');
            if (isupper((unsigned char)c[i].text[0]))
                g_assert_false(islower((unsigned char)c[i].text[1]));
        }
    }
}

typedef struct {
    const char *text;
    int code;
} cme_text_case;

static const cme_text_case cme_text_cases[] = {
    {"file already exist", 407},
    {"file already existed", 407}, /* device-quirks.md */
    {"FILE ALREADY EXIST", 407},
    {"  file already exists  ", 407},
    {"time out", 421},
    {"SIM not inserted", 10},
    {"sim not inserted", 10},
    {"invalid parameter", 425},
    {"invalid parameters", 552}, /* exact words beat "parameter" + "s" */
    {"FTP(S) server busy", 603}, /* BG96 5 codes come as +CME ERROR too */
    {"open data connection failed", 615},
    {"operation not allowed", 3},
    {"no such error", -1},
    {"file already", -1},
    {"", -1},
    {"   ", -1},
};

static void test_cme_from_text(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cme_text_cases); i++) {
        const cme_text_case *c = &cme_text_cases[i];
        g_test_message("'%s'", c->text);
        g_assert_cmpint(qftp_cme_code_from_text(c->text, strlen(c->text)), ==, c->code);
    }
    g_assert_cmpint(qftp_cme_code_from_text(NULL, 0), ==, -1);
    /* the length bounds the text: no NUL needed */
    g_assert_cmpint(qftp_cme_code_from_text("time outXYZ", 8), ==, 421);
}

typedef struct {
    int64_t err, pe;
    bool have_pe;
    const char *expected;
} describe_case;

static const describe_case describe_cases[] = {
    /* tables.h contract; BG96 4.4 calls 550 "requested action not taken: file unavailable" */
    {627, 550, true,
     "requested action not taken - FTP 550: requested action not taken: file "
     "unavailable"},
    {0, 0, true, "success"},
    {0, 0, false, "success"},
    /* a positive reply in <protocol_error> (device-quirks.md) */
    {627, 150, true,
     "requested action not taken - FTP 150: file status okay; about to open data connection"},
    {625, 530, true, "not logged in - FTP 530: not logged in"},
    {604, 0, true, "DNS parse failed"},
    {609, 0, true, "timeout error"},
    {-421, 0, false, "the FTP server can't support service"},
    {-421, 550, false, "the FTP server can't support service"},
    {-6, 0, false, "FTP session closed by the FTP server"},
    {9999, 0, false, "error 9999"},
    {-2, 0, false, "error -2"},
    {627, 999, true, "requested action not taken - FTP error 999"},
    {627, -5, true, "requested action not taken - FTP error -5"},
    {INT64_MIN, 0, false, "error -9223372036854775808"},
    {INT64_MAX, 0, false, "error 9223372036854775807"},
};

static void test_describe_result(void)
{
    char buf[256];
    for (size_t i = 0; i < G_N_ELEMENTS(describe_cases); i++) {
        const describe_case *c = &describe_cases[i];
        g_test_message("%lld,%lld", (long long)c->err, (long long)c->pe);
        g_assert_true(qftp_describe_result(c->err, c->pe, c->have_pe, buf, sizeof buf) == buf);
        g_assert_cmpstr(buf, ==, c->expected);
    }
    /* the brief's wording checks */
    qftp_describe_result(627, 550, true, buf, sizeof buf);
    g_assert_nonnull(strstr(buf, "requested action not taken"));
    g_assert_nonnull(strstr(buf, "FTP 550"));
    g_assert_nonnull(strstr(buf, "file unavailable"));
    /* caps */
    char small[10];
    memset(small, 'x', sizeof small);
    qftp_describe_result(627, 550, true, small, sizeof small);
    g_assert_cmpstr(small, ==, "requested");
    char one[1] = {'x'};
    qftp_describe_result(627, 550, true, one, 1);
    g_assert_cmpint(one[0], ==, '\0');
    char none[1] = {'x'};
    qftp_describe_result(627, 550, true, none, 0);
    g_assert_cmpint(none[0], ==, 'x');
    g_assert_null(qftp_describe_result(0, 0, false, NULL, 10));
}

/* ---- states (GSM 2.2.9, BG96 2.17) ------------------------------------------------------- */

typedef struct {
    qftp_ftp_state s;
    const char *name;
    const char *bg96;
} state_case;

static const state_case state_cases[] = {
    {QFTP_STATE_IDLE, "IDLE", NULL},        {QFTP_STATE_OPENING, "OPENING", "0"},
    {QFTP_STATE_OPENED, "OPENED", "1"},     {QFTP_STATE_WORKING, "WORKING", NULL},
    {QFTP_STATE_TRANSFER, "TRANSFER", "2"}, {QFTP_STATE_CLOSING, "CLOSING", "3"},
    {QFTP_STATE_CLOSED, "CLOSED", "4"},
};

typedef struct {
    const char *wire;
    int state;
} wire_case;

static const wire_case wire_cases[] = {
    {"IDLE", QFTP_STATE_IDLE},
    {"opened", QFTP_STATE_OPENED},
    {"Transfer", QFTP_STATE_TRANSFER},
    {"WORKING", QFTP_STATE_WORKING},
    {"CLOSED", QFTP_STATE_CLOSED},
    {"0", QFTP_STATE_OPENING},
    {"1", QFTP_STATE_OPENED},
    {"2", QFTP_STATE_TRANSFER},
    {"3", QFTP_STATE_CLOSING},
    {"4", QFTP_STATE_CLOSED},
    {"5", -1},
    {"01", -1},
    {"", -1},
    {"OPEN", -1},
    {"OPENEDX", -1},
    {" IDLE", -1},
};

static void test_states(void)
{
    g_assert_cmpuint(G_N_ELEMENTS(state_cases), ==, QFTP_STATE__COUNT);
    for (size_t i = 0; i < G_N_ELEMENTS(state_cases); i++) {
        const state_case *c = &state_cases[i];
        g_assert_cmpstr(qftp_state_name(c->s), ==, c->name);
        g_assert_cmpstr(qftp_state_wire(c->s, GSM), ==, c->name);
        g_assert_cmpstr(qftp_state_wire(c->s, BG96), ==, c->bg96);
        g_assert_cmpint(qftp_state_from_wire(c->name, strlen(c->name)), ==, c->s);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(wire_cases); i++) {
        const wire_case *c = &wire_cases[i];
        g_test_message("'%s'", c->wire);
        g_assert_cmpint(qftp_state_from_wire(c->wire, strlen(c->wire)), ==, c->state);
    }
    g_assert_cmpint(qftp_state_from_wire(NULL, 0), ==, -1);
    g_assert_cmpint(qftp_state_from_wire("OPENED,", 6), ==, QFTP_STATE_OPENED);
    g_assert_cmpstr(qftp_state_name(QFTP_STATE__COUNT), ==, "?");
    g_assert_null(qftp_state_wire(QFTP_STATE__COUNT, GSM));
}

static void test_cmd_type_name(void)
{
    g_assert_cmpstr(qftp_cmd_type_name(QFTP_TYPE_EXEC), ==, "execute");
    g_assert_cmpstr(qftp_cmd_type_name(QFTP_TYPE_TEST), ==, "test");
    g_assert_cmpstr(qftp_cmd_type_name(QFTP_TYPE_READ), ==, "read");
    g_assert_cmpstr(qftp_cmd_type_name(QFTP_TYPE_WRITE), ==, "write");
    g_assert_cmpstr(qftp_cmd_type_name((qftp_cmd_type)7), ==, "?");
}

/* ---- commands ------------------------------------------------------------------------------ */

typedef struct {
    const char *name;
    qftp_dialect d;
    const char *key;
    const char *section;
    const char *summary;
    const char *test_response;
    unsigned forms;
    qftp_result_shape result;
    const char *value_name;
    unsigned urc_forms;
    qftp_data_kind data;
    bool ftp;
    const char *params; /* parameter names in order, comma-separated */
} cmd_case;

#define NOTEST NULL
#define RES(x) QFTP_RES_##x
#define DATA(x) QFTP_DATA_##x

/* BG96 2.1 test response as printed (the second "ssltype" line is the manual's) */
#define BG96_CFG_TEST                                                                              \
    "+QFTPCFG: \"account\", <username>,<password>\n+QFTPCFG: \"filetype\",(0,1)\n"                 \
    "+QFTPCFG: \"transmode\",(0,1)\n+QFTPCFG: \"contextid\",(1-16)\n"                              \
    "+QFTPCFG: \"rsptimeout\",(20-180)\n+QFTPCFG: \"ssltype\",(0-2)\n"                             \
    "+QFTPCFG: \"ssltype\",(0-5)\n+QFTPCFG: \"data_address\",(0,1)"

static const cmd_case cmd_cases[] = {
    /* GSM chapter 2 */
    {"+QFTPOPEN", GSM, NULL, "2.2.1", "Open an FTP service to the given FTP server",
     "+QFTPOPEN: \"HOST NAME\",(1-65535)", T | R | W, RES(GSM_SIGNED), NULL, W, DATA(NONE), true,
     "hostname,port"},
    {"+QFTPCLOSE", GSM, NULL, "2.2.2", "Close the FTP service", NOTEST, T | E, RES(GSM_SIGNED),
     NULL, E, DATA(NONE), true, ""},
    {"+QFTPPUT", GSM, NULL, "2.2.3", "Upload a file to the FTP server",
     "+QFTPPUT: \"FILE NAME\",<fileSz>,(1-65535)", T | W, RES(GSM_SIGNED), "transferlen", W,
     DATA(UPLOAD), true, "file_name,file_size,time"},
    {"+QFTPGET", GSM, NULL, "2.2.4", "Download a file from the FTP server",
     "+QFTPGET: \"FILE NAME\"", T | W, RES(GSM_SIGNED), "transferlen", W, DATA(DOWNLOAD), true,
     "file_name,file_size"},
    {"+QFTPPATH", GSM, NULL, "2.2.5", "Set the path in the FTP server to upload or download file",
     "+QFTPPATH: \"PATH NAME\"", T | R | W, RES(GSM_SIGNED), NULL, W, DATA(NONE), true,
     "path_name"},
    {"+QFTPUSER", GSM, NULL, "2.2.6", "Set the user name of the account to open FTP service",
     "+QFTPUSER: \"USER NAME\"", T | R | W, RES(FIELDS), "username", 0, DATA(NONE), true,
     "username"},
    {"+QFTPPASS", GSM, NULL, "2.2.7", "Set the password of the account to open FTP service",
     "+QFTPPASS: \"PASSWORD\"", T | R | W, RES(FIELDS), "password", 0, DATA(NONE), true,
     "password"},
    {"+QFTPCFG", GSM, NULL, "2.2.8", "Set some configurable parameters for the FTP service",
     "+QFTPCFG: (1-4)", T | W, RES(GSM_SIGNED), "value", W, DATA(NONE), true, "type,value"},
    {"+QFTPCFG", GSM, "1", "2.2.8", NULL, "+QFTPCFG: (1-4)", T | W, RES(GSM_SIGNED), "value", W,
     DATA(NONE), true, "type,value"},
    {"+QFTPCFG", GSM, "2", "2.2.8", NULL, "+QFTPCFG: (1-4)", T | W, RES(GSM_SIGNED), "value", W,
     DATA(NONE), true, "type,value"},
    {"+QFTPCFG", GSM, "3", "2.2.8", NULL, "+QFTPCFG: (1-4)", T | W, RES(GSM_SIGNED), "value", W,
     DATA(NONE), true, "type,value"},
    {"+QFTPCFG", GSM, "4", "2.2.8", NULL, "+QFTPCFG: (1-4)", T | W, RES(GSM_SIGNED), "value", W,
     DATA(NONE), true, "type,value"},
    {"+QFTPSTAT", GSM, NULL, "2.2.9", "Query status of FTP service", NOTEST, T | E, RES(STATE),
     "state", 0, DATA(NONE), true, ""},
    {"+QFTPLEN", GSM, NULL, "2.2.10", "Query the real size transferred in the latest transfer",
     NOTEST, T | E, RES(GSM_SIGNED), "transferlen", 0, DATA(NONE), true, ""},
    /* BG96 chapter 2 */
    {"+QFTPCFG", BG96, NULL, "2.1", "Configure Parameters for FTP(S) Server", BG96_CFG_TEST, T | W,
     RES(FIELDS), NULL, 0, DATA(NONE), true, "key,value"},
    {"+QFTPCFG", BG96, "account", "2.1", NULL, BG96_CFG_TEST, T | W, RES(FIELDS), NULL, 0,
     DATA(NONE), true, "key,username,password"},
    {"+QFTPCFG", BG96, "filetype", "2.1", NULL, BG96_CFG_TEST, T | W, RES(FIELDS), NULL, 0,
     DATA(NONE), true, "key,file_type"},
    {"+QFTPCFG", BG96, "transmode", "2.1", NULL, BG96_CFG_TEST, T | W, RES(FIELDS), NULL, 0,
     DATA(NONE), true, "key,transmode"},
    {"+QFTPCFG", BG96, "contextid", "2.1", NULL, BG96_CFG_TEST, T | W, RES(FIELDS), NULL, 0,
     DATA(NONE), true, "key,contextid"},
    {"+QFTPCFG", BG96, "rsptimeout", "2.1", NULL, BG96_CFG_TEST, T | W, RES(FIELDS), NULL, 0,
     DATA(NONE), true, "key,timeout"},
    {"+QFTPCFG", BG96, "ssltype", "2.1", NULL, BG96_CFG_TEST, T | W, RES(FIELDS), NULL, 0,
     DATA(NONE), true, "key,ssltype"},
    {"+QFTPCFG", BG96, "sslctxid", "2.1", NULL, BG96_CFG_TEST, T | W, RES(FIELDS), NULL, 0,
     DATA(NONE), true, "key,sslctxid"},
    {"+QFTPCFG", BG96, "data_address", "2.1", NULL, BG96_CFG_TEST, T | W, RES(FIELDS), NULL, 0,
     DATA(NONE), true, "key,data_address"},
    {"+QFTPOPEN", BG96, NULL, "2.2", "Login to FTP(S) Server", "+QFTPOPEN: <hostname>,<port>",
     T | W, RES(ERR_PE), NULL, W, DATA(NONE), true, "hostname,port"},
    {"+QFTPCWD", BG96, NULL, "2.3", "Configure the Current Directory on FTP(S) Server",
     "+QFTPCWD: <path_name>", T | W, RES(ERR_PE), NULL, W, DATA(NONE), true, "path_name"},
    {"+QFTPPWD", BG96, NULL, "2.4", "Get the Current Directory on FTP(S) Server", NOTEST, T | E,
     RES(ERR_VALUE), "path_name", E, DATA(NONE), true, ""},
    {"+QFTPPUT", BG96, NULL, "2.5", "Upload a File to FTP(S) Server",
     "+QFTPPUT: <file_name>,<local_name>,<startpos>,<uploadlen>,<beof>", T | W, RES(ERR_VALUE),
     "transferlen", W, DATA(UPLOAD), true, "file_name,local_name,startpos,uploadlen,beof"},
    {"+QFTPGET", BG96, NULL, "2.6", "Download a File from FTP(S) Server",
     "+QFTPGET: <file_name>,<local_name>,<startpos>,<downloadlen>", T | W, RES(ERR_VALUE),
     "transferlen", W, DATA(DOWNLOAD), true, "file_name,local_name,startpos,downloadlen"},
    {"+QFTPSIZE", BG96, NULL, "2.7", "Get the File Size on FTP(S) Server", "+QFTPSIZE: <file_name>",
     T | W, RES(ERR_VALUE), "file_size", W, DATA(NONE), true, "file_name"},
    {"+QFTPDEL", BG96, NULL, "2.8", "Delete a File on FTP(S) Server", "+QFTPDEL: <file_name>",
     T | W, RES(ERR_PE), NULL, W, DATA(NONE), true, "file_name"},
    {"+QFTPMKDIR", BG96, NULL, "2.9", "Create a Folder on FTP(S) Server",
     "+QFTPMKDIR: <folder_name>", T | W, RES(ERR_PE), NULL, W, DATA(NONE), true, "folder_name"},
    {"+QFTPRMDIR", BG96, NULL, "2.10", "Delete a Folder on FTP(S) Server",
     "+QFTPRMDIR: <folder_name>", T | W, RES(ERR_PE), NULL, W, DATA(NONE), true, "folder_name"},
    {"+QFTPLIST", BG96, NULL, "2.11", "List Content of a Directory on FTP(S) Server",
     "+QFTPLIST: <dirname>, <local_name>", T | W, RES(ERR_VALUE), "transfer_size", W,
     DATA(DOWNLOAD), true, "dirname,local_name"},
    {"+QFTPNLST", BG96, NULL, "2.12", "List File Names of a Directory on FTP(S) Server",
     "+QFTPNLST: <dirname>,<local_name>", T | W, RES(ERR_VALUE), "transfer_size", W, DATA(DOWNLOAD),
     true, "dirname,local_name"},
    {"+QFTPMLSD", BG96, NULL, "2.13", "List Standardized File and Directory Information",
     "+QFTPMLSD: <dirname>,<local_name>", T | W, RES(ERR_VALUE), "transfer_size", W, DATA(DOWNLOAD),
     true, "dirname,local_name"},
    {"+QFTPMDTM", BG96, NULL, "2.14", "Get the File Modification Time on FTP(S) Server",
     "+QFTPMDTM: <file_name>", T | W, RES(ERR_VALUE), "modify_time", W, DATA(NONE), true,
     "file_name"},
    {"+QFTPRENAME", BG96, NULL, "2.15", "Rename a File or Folder on FTP(S) Server",
     "+QFTPRENAME: <old_name>,<new_name>", T | W, RES(ERR_PE), NULL, W, DATA(NONE), true,
     "old_name,new_name"},
    {"+QFTPLEN", BG96, NULL, "2.16", "Get the Length of Transferred Data", NOTEST, T | E,
     RES(ERR_VALUE), "transferlen", E, DATA(NONE), true, ""},
    /* 2.17 table: OK then +QFTPSTAT; example 3.6 and real modules: before OK */
    {"+QFTPSTAT", BG96, NULL, "2.17", "Get the Status of FTP(S) Server", NOTEST, T | E, RES(STATE),
     "state", 0, DATA(NONE), true, ""},
    {"+QFTPCLOSE", BG96, NULL, "2.18", "Log out from FTP(S) Server", NOTEST, T | E, RES(ERR_PE),
     NULL, E, DATA(NONE), true, ""},
    /* around FTP */
    {"", ANY, NULL, "", NULL, NOTEST, E, RES(NONE), NULL, 0, DATA(NONE), false, ""},
    {"+QIFGCNT", GSM, NULL, "", NULL, NOTEST, T | R | W, RES(NONE), NULL, 0, DATA(NONE), false,
     "contextid"},
    {"+QICSGP", GSM, NULL, "", NULL, NOTEST, T | R | W, RES(FIELDS), NULL, 0, DATA(NONE), false,
     "mode,apn,username,password"},
    {"+QICSGP", BG96, NULL, "", NULL, NOTEST, T | W, RES(FIELDS), NULL, 0, DATA(NONE), false,
     "contextid,context_type,apn,username,password,authentication"},
    {"+QIACT", GSM, NULL, "", NULL, NOTEST, T | E, RES(NONE), NULL, 0, DATA(NONE), false, ""},
    {"+QIACT", BG96, NULL, "", NULL, NOTEST, T | R | W, RES(FIELDS), NULL, 0, DATA(NONE), false,
     "contextid"},
    {"+QIDEACT", GSM, NULL, "", NULL, NOTEST, T | E, RES(NONE), NULL, 0, DATA(NONE), false, ""},
    {"+QIDEACT", BG96, NULL, "", NULL, NOTEST, T | W, RES(NONE), NULL, 0, DATA(NONE), false,
     "contextid"},
    {"+QFUPL", ANY, NULL, "", NULL, NOTEST, T | W, RES(FIELDS), "upload_size", 0, DATA(UPLOAD),
     false, "file_name,file_size,timeout,ackmode"},
    {"+QFDWL", ANY, NULL, "", NULL, NOTEST, T | W, RES(FIELDS), "download_size", 0, DATA(DOWNLOAD),
     false, "file_name"},
    {"+QFREAD", ANY, NULL, "", NULL, NOTEST, T | W, RES(NONE), NULL, 0, DATA(DOWNLOAD), false,
     "filehandle,length"},
    {"+QFLST", ANY, NULL, "", NULL, NOTEST, T | E | W, RES(FIELDS), "file_size", 0, DATA(NONE),
     false, "name_pattern"},
    {"+QFDEL", ANY, NULL, "", NULL, NOTEST, T | W, RES(NONE), NULL, 0, DATA(NONE), false,
     "file_name"},
    {"+QFOPEN", ANY, NULL, "", NULL, NOTEST, T | R | W, RES(FIELDS), "filehandle", 0, DATA(NONE),
     false, "file_name,mode"},
    {"+QFCLOSE", ANY, NULL, "", NULL, NOTEST, T | W, RES(NONE), NULL, 0, DATA(NONE), false,
     "filehandle"},
    {"+QSSLCFG", ANY, NULL, "", NULL, NOTEST, T | W, RES(FIELDS), NULL, 0, DATA(NONE), false,
     "key,sslctxid,value"},
    {"+IFC", ANY, NULL, "", NULL, "+IFC: (0,2),(0,2)", T | R | W, RES(FIELDS), NULL, 0, DATA(NONE),
     false, "dce_by_dte,dte_by_dce"},
    {"E", ANY, NULL, "", NULL, NOTEST, E | W, RES(NONE), NULL, 0, DATA(NONE), false, "echo"},
    {"+CMEE", ANY, NULL, "", NULL, "+CMEE: (0-2)", T | R | W, RES(FIELDS), NULL, 0, DATA(NONE),
     false, "n"},
    {"O", ANY, NULL, "", NULL, NOTEST, E | W, RES(NONE), NULL, 0, DATA(NONE), false, "n"},
    {"&D", ANY, NULL, "", NULL, NOTEST, E | W, RES(NONE), NULL, 0, DATA(NONE), false, "dtr"},
    {"I", ANY, NULL, "", NULL, NOTEST, E, RES(NONE), NULL, 0, DATA(NONE), false, ""},
    {"+GMR", ANY, NULL, "", NULL, NOTEST, T | E, RES(NONE), NULL, 0, DATA(NONE), false, ""},
    {"+CGMR", ANY, NULL, "", NULL, NOTEST, T | E, RES(NONE), NULL, 0, DATA(NONE), false, ""},
    {"+CPIN", ANY, NULL, "", NULL, NOTEST, T | R | W, RES(FIELDS), NULL, 0, DATA(NONE), false,
     "pin,new_pin"},
    {"+CREG", ANY, NULL, "", NULL, "+CREG: (0-2)", T | R | W, RES(FIELDS), NULL, 0, DATA(NONE),
     false, "n"},
    {"+CGATT", ANY, NULL, "", NULL, "+CGATT: (0,1)", T | R | W, RES(FIELDS), NULL, 0, DATA(NONE),
     false, "state"},
};

static char *param_names(const qftp_cmd_def *d)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < d->n_params; i++)
        g_string_append_printf(s, "%s%s", i ? "," : "", d->params[i].name);
    return g_string_free(s, FALSE);
}

static void test_commands(void)
{
    size_t n;
    const qftp_cmd_def *defs = qftp_cmd_defs(&n);
    g_assert_cmpuint(n, ==, G_N_ELEMENTS(cmd_cases));
    for (size_t i = 0; i < G_N_ELEMENTS(cmd_cases); i++) {
        const cmd_case *c = &cmd_cases[i];
        g_test_message("%s %d %s", c->name, c->d, c->key ? c->key : "");
        const qftp_cmd_def *d = qftp_cmd_find(c->name, c->d, c->key);
        g_assert_nonnull(d);
        g_assert_true(d >= defs && d < defs + n);
        g_assert_cmpstr(d->name, ==, c->name);
        g_assert_cmpint(d->dialect, ==, c->d);
        g_assert_cmpstr(d->key, ==, c->key);
        g_assert_cmpstr(d->section, ==, c->section);
        if (c->summary)
            g_assert_cmpstr(d->summary, ==, c->summary);
        g_assert_cmpstr(d->test_response, ==, c->test_response);
        g_assert_cmphex(d->forms, ==, c->forms);
        g_assert_cmpint(d->result, ==, c->result);
        g_assert_cmpstr(d->value_name, ==, c->value_name);
        g_assert_cmphex(d->urc_forms, ==, c->urc_forms);
        g_assert_cmpint(d->data, ==, c->data);
        g_assert_cmpint(d->ftp, ==, c->ftp);
        char *names = param_names(d);
        g_assert_cmpstr(names, ==, c->params);
        g_free(names);
    }
    /* only GSM AT+QIDEACT has a final word of its own (GSM 4.5) */
    for (size_t i = 0; i < n; i++) {
        bool deact = strcmp(defs[i].name, "+QIDEACT") == 0 && defs[i].dialect == GSM;
        g_assert_cmpstr(defs[i].alt_final, ==, deact ? "DEACT OK" : NULL);
    }
}

/* The BG96 QFTPCFG keyed rows keep the test response of the command (BG96 2.1). */
static void test_keyed_rows(void)
{
    const qftp_cmd_def *base = qftp_cmd_find("+QFTPCFG", BG96, NULL);
    const char *keys[] = {"account",    "filetype", "transmode", "contextid",
                          "rsptimeout", "ssltype",  "sslctxid",  "data_address"};
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        const qftp_cmd_def *d = qftp_cmd_find("+QFTPCFG", BG96, keys[i]);
        g_assert_cmpstr(d->key, ==, keys[i]);
        g_assert_cmpstr(d->test_response, ==, base->test_response);
        g_assert_true(g_str_has_prefix(d->summary, base->summary));
    }
    const qftp_cmd_def *gbase = qftp_cmd_find("+QFTPCFG", GSM, NULL);
    for (char k = '1'; k <= '4'; k++) {
        char key[2] = {k, 0};
        const qftp_cmd_def *d = qftp_cmd_find("+QFTPCFG", GSM, key);
        g_assert_cmpstr(d->key, ==, key);
        g_assert_cmpstr(d->test_response, ==, gbase->test_response);
        g_assert_true(g_str_has_prefix(d->summary, gbase->summary));
    }
}

typedef struct {
    const char *cmd;
    qftp_dialect d;
    const char *key;
    size_t index;
    const char *name, *manual_name;
    qftp_param_type type;
    int64_t min, max;
    int maxlen;
    const char *def;
    bool optional;
} param_case;

#define PI QFTP_PT_INT
#define PS QFTP_PT_STRING
#define PR QFTP_PT_RAW
#define NOLIM 1, 0

static const param_case param_cases[] = {
    /* GSM 2.2.1 */
    {"+QFTPOPEN", GSM, NULL, 0, "hostname", "<hostName>", PS, NOLIM, 100, NULL, false},
    {"+QFTPOPEN", GSM, NULL, 1, "port", "<port>", PI, 1, 65535, 0, NULL, false},
    /* GSM 2.2.3 */
    {"+QFTPPUT", GSM, NULL, 0, "file_name", "<fileName>", PS, NOLIM, 50, NULL, false},
    {"+QFTPPUT", GSM, NULL, 1, "file_size", "<fileSz>", PI, 0, INT32_MAX, 0, NULL, false},
    {"+QFTPPUT", GSM, NULL, 2, "time", "<time>", PI, 1, 65535, 0, "900", true},
    /* GSM 2.2.4-2.2.7 */
    {"+QFTPGET", GSM, NULL, 0, "file_name", "<fileName>", PS, NOLIM, 50, NULL, false},
    {"+QFTPPATH", GSM, NULL, 0, "path_name", "<pathName>", PS, NOLIM, 100, NULL, false},
    {"+QFTPUSER", GSM, NULL, 0, "username", "<userName>", PS, NOLIM, 30, NULL, false},
    {"+QFTPPASS", GSM, NULL, 0, "password", "<password>", PS, NOLIM, 30, NULL, false},
    /* GSM 2.2.8 */
    {"+QFTPCFG", GSM, NULL, 0, "type", "<type>", PI, 1, 4, 0, NULL, false},
    {"+QFTPCFG", GSM, "1", 1, "value", "<value>", PI, 0, 1, 0, "1", true},
    {"+QFTPCFG", GSM, "2", 1, "value", "<value>", PI, 0, 1, 0, "0", true},
    {"+QFTPCFG", GSM, "3", 1, "value", "<value>", PI, 0, INT32_MAX, 0, "0", true},
    {"+QFTPCFG", GSM, "4", 1, "value", "<value>", PS, NOLIM, 0, "/COM/", true},
    /* BG96 2.1 */
    {"+QFTPCFG", BG96, "account", 1, "username", "<username>", PS, NOLIM, 255, NULL, true},
    {"+QFTPCFG", BG96, "account", 2, "password", "<password>", PS, NOLIM, 255, NULL, true},
    {"+QFTPCFG", BG96, "filetype", 1, "file_type", "<file_type>", PI, 0, 1, 0, "0", true},
    {"+QFTPCFG", BG96, "transmode", 1, "transmode", "<transmode>", PI, 0, 1, 0, NULL, true},
    {"+QFTPCFG", BG96, "contextid", 1, "contextid", "<contextID>", PI, 1, 16, 0, "1", true},
    {"+QFTPCFG", BG96, "rsptimeout", 1, "timeout", "<timeout>", PI, 20, 180, 0, "90", true},
    {"+QFTPCFG", BG96, "ssltype", 1, "ssltype", "<ssltype>", PI, 0, 2, 0, NULL, true},
    {"+QFTPCFG", BG96, "sslctxid", 1, "sslctxid", "<sslctxid>", PI, 0, 5, 0, "0", true},
    {"+QFTPCFG", BG96, "data_address", 1, "data_address", "<data_address>", PI, 0, 1, 0, NULL,
     true},
    /* BG96 2.2, 2.3 */
    {"+QFTPOPEN", BG96, NULL, 0, "hostname", "<hostname>", PS, NOLIM, 200, NULL, false},
    {"+QFTPOPEN", BG96, NULL, 1, "port", "<port>", PI, 1, 65535, 0, "21", true},
    {"+QFTPCWD", BG96, NULL, 0, "path_name", "<path_name>", PS, NOLIM, 255, NULL, false},
    /* BG96 2.5 */
    {"+QFTPPUT", BG96, NULL, 0, "file_name", "<file_name>", PS, NOLIM, 255, NULL, false},
    {"+QFTPPUT", BG96, NULL, 1, "local_name", "<local_name>", PS, NOLIM, 60, NULL, false},
    {"+QFTPPUT", BG96, NULL, 2, "startpos", "<startpos>", PI, 0, INT32_MAX, 0, "0", true},
    {"+QFTPPUT", BG96, NULL, 3, "uploadlen", "<uploadlen>", PI, 0, INT32_MAX, 0, NULL, true},
    {"+QFTPPUT", BG96, NULL, 4, "beof", "<beof>", PI, 0, 1, 0, NULL, true},
    /* BG96 2.6 */
    {"+QFTPGET", BG96, NULL, 1, "local_name", "<local_name>", PS, NOLIM, 60, NULL, false},
    {"+QFTPGET", BG96, NULL, 2, "startpos", "<startpos>", PI, 0, INT32_MAX, 0, "0", true},
    {"+QFTPGET", BG96, NULL, 3, "downloadlen", "<downloadlen>", PI, 0, INT32_MAX, 0, NULL, true},
    /* BG96 2.7-2.15 */
    {"+QFTPSIZE", BG96, NULL, 0, "file_name", "<file_name>", PS, NOLIM, 255, NULL, false},
    {"+QFTPDEL", BG96, NULL, 0, "file_name", "<file_name>", PS, NOLIM, 255, NULL, false},
    {"+QFTPMKDIR", BG96, NULL, 0, "folder_name", "<folder_name>", PS, NOLIM, 255, NULL, false},
    {"+QFTPRMDIR", BG96, NULL, 0, "folder_name", "<folder_name>", PS, NOLIM, 255, NULL, false},
    {"+QFTPLIST", BG96, NULL, 0, "dirname", "<dirname>", PS, NOLIM, 255, NULL, false},
    {"+QFTPLIST", BG96, NULL, 1, "local_name", "<local_name>", PS, NOLIM, 60, "COM:", true},
    {"+QFTPNLST", BG96, NULL, 1, "local_name", "<local_name>", PS, NOLIM, 60, "COM:", true},
    {"+QFTPMLSD", BG96, NULL, 0, "dirname", "<dirname>", PS, NOLIM, 255, NULL, false},
    {"+QFTPMLSD", BG96, NULL, 1, "local_name", "<local_name>", PS, NOLIM, 60, "COM:", true},
    {"+QFTPMDTM", BG96, NULL, 0, "file_name", "<file_name>", PS, NOLIM, 255, NULL, false},
    {"+QFTPRENAME", BG96, NULL, 0, "old_name", "<old_name>", PS, NOLIM, 255, NULL, false},
    {"+QFTPRENAME", BG96, NULL, 1, "new_name", "<new_name>", PS, NOLIM, 255, NULL, false},
    /* around FTP */
    {"+QSSLCFG", ANY, NULL, 2, "value", "<value>", PR, NOLIM, 0, NULL, true},
    {"+QFUPL", ANY, NULL, 0, "file_name", "<filename>", PS, NOLIM, 80, NULL, false},
    {"+QFREAD", ANY, NULL, 0, "filehandle", "<filehandle>", PI, 0, INT32_MAX, 0, NULL, false},
};

static void test_params(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(param_cases); i++) {
        const param_case *c = &param_cases[i];
        g_test_message("%s %d %s [%zu]", c->cmd, c->d, c->key ? c->key : "", c->index);
        const qftp_cmd_def *d = qftp_cmd_find(c->cmd, c->d, c->key);
        g_assert_nonnull(d);
        g_assert_cmpuint(c->index, <, d->n_params);
        const qftp_param_def *p = &d->params[c->index];
        g_assert_cmpstr(p->name, ==, c->name);
        g_assert_cmpstr(p->manual_name, ==, c->manual_name);
        g_assert_cmpint(p->type, ==, c->type);
        if (c->min <= c->max) {
            g_assert_cmpint(p->min, ==, c->min);
            g_assert_cmpint(p->max, ==, c->max);
        } else {
            g_assert_cmpint(p->min, >, p->max);
        }
        g_assert_cmpint(p->maxlen, ==, c->maxlen);
        g_assert_cmpstr(p->def, ==, c->def);
        g_assert_cmpint(p->optional, ==, c->optional);
    }
}

typedef struct {
    const char *cmd;
    qftp_dialect d;
    const char *key;
    size_t index;
    const char *values; /* "0=active mode;1=passive mode", "" for NULL */
} values_case;

static const values_case values_cases[] = {
    {"+QFTPCFG", GSM, "1", 1, "0=active mode;1=passive mode"}, /* GSM 2.2.8 */
    {"+QFTPCFG", GSM, "2", 1, "0=binary;1=ASCII"},
    {"+QFTPCFG", GSM, "3", 1, ""},
    {"+QFTPCFG", GSM, NULL, 0,
     "1=mode of data connection;2=transfer type;3=resuming point;4=local position of the file"},
    {"+QFTPCFG", BG96, "filetype", 1, "0=binary;1=ASCII"}, /* BG96 2.1 */
    {"+QFTPCFG", BG96, "transmode", 1, "0=active mode;1=passive mode"},
    {"+QFTPCFG", BG96, "ssltype", 1,
     "0=FTP client;1=FTPS client, implicit TLS/SSL;2=FTPS client, explicit TLS/SSL"},
    {"+QFTPCFG", BG96, "data_address", 1,
     "0=use the server's dispatched address;1=use the control session's address"},
    {"+QFTPPUT", BG96, NULL, 4, "0=not the last packet;1=the last packet"}, /* BG96 2.5 */
    {"+QFTPOPEN", BG96, NULL, 1, ""},
};

static void test_values(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(values_cases); i++) {
        const values_case *c = &values_cases[i];
        const qftp_cmd_def *d = qftp_cmd_find(c->cmd, c->d, c->key);
        g_assert_nonnull(d);
        const qftp_value_name *v = d->params[c->index].values;
        GString *s = g_string_new(NULL);
        for (; v && v->text; v++)
            g_string_append_printf(s, "%s%lld=%s", s->len ? ";" : "", (long long)v->value, v->text);
        g_assert_cmpstr(s->str, ==, c->values);
        if (!*c->values)
            g_assert_null(d->params[c->index].values);
        g_string_free(s, TRUE);
    }
}

/* ---- lookups ------------------------------------------------------------------------------- */

typedef struct {
    const char *name;
    qftp_dialect d;
    const char *key;
    const char *section; /* of the row found; NULL: none */
    const char *found_key;
    qftp_dialect found_dialect;
} find_case;

static const find_case find_cases[] = {
    {"+QFTPOPEN", GSM, NULL, "2.2.1", NULL, GSM},
    {"+QFTPOPEN", BG96, NULL, "2.2", NULL, BG96},
    {"+QFTPOPEN", ANY, NULL, "2.2.1", NULL, GSM}, /* GSM before BG96 */
    {"+qftpopen", BG96, NULL, "2.2", NULL, BG96},
    {"+QFTPCWD", BG96, NULL, "2.3", NULL, BG96},
    {"+QFTPCWD", ANY, NULL, "2.3", NULL, BG96},
    {"+QFTPCWD", GSM, NULL, NULL, NULL, ANY}, /* not a GSM command */
    {"+QFTPPATH", BG96, NULL, NULL, NULL, ANY},
    {"+QFTPCFG", GSM, "4", "2.2.8", "4", GSM},
    {"+QFTPCFG", GSM, "9", "2.2.8", NULL, GSM},
    {"+QFTPCFG", GSM, NULL, "2.2.8", NULL, GSM},
    {"+QFTPCFG", GSM, "account", "2.2.8", NULL, GSM},
    {"+QFTPCFG", BG96, "account", "2.1", "account", BG96},
    {"+QFTPCFG", BG96, "\"account\"", "2.1", "account", BG96},
    {"+QFTPCFG", BG96, "RSPTIMEOUT", "2.1", "rsptimeout", BG96},
    {"+QFTPCFG", BG96, "restenable", "2.1", NULL, BG96}, /* newer firmware: generic */
    {"+QFTPCFG", BG96, "1", "2.1", NULL, BG96},
    {"+QFTPCFG", ANY, "contextid", "2.1", "contextid", BG96},
    {"+QFTPCFG", ANY, "2", "2.2.8", "2", GSM},
    {"+QFTPCFG", ANY, NULL, "2.2.8", NULL, GSM},
    {"+QIACT", GSM, NULL, "", NULL, GSM},
    {"+QIACT", BG96, NULL, "", NULL, BG96},
    {"+QFUPL", GSM, NULL, "", NULL, ANY},
    {"+QFUPL", BG96, NULL, "", NULL, ANY},
    {"e", ANY, NULL, "", NULL, ANY},
    {"&D", GSM, NULL, "", NULL, ANY},
    {"", ANY, NULL, "", NULL, ANY},           /* bare "AT" */
    {"+QFTPUSE", GSM, NULL, NULL, NULL, ANY}, /* the typo of GSM 4.1 */
    {"+QFTPUSE", ANY, NULL, NULL, NULL, ANY},
    {"+QFTPDELETE", GSM, NULL, NULL, NULL, ANY},
    {"QFTPOPEN", ANY, NULL, NULL, NULL, ANY},
};

static void test_find(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(find_cases); i++) {
        const find_case *c = &find_cases[i];
        g_test_message("%s %d %s", c->name, c->d, c->key ? c->key : "(null)");
        const qftp_cmd_def *d = qftp_cmd_find(c->name, c->d, c->key);
        if (c->section == NULL) {
            g_assert_null(d);
            continue;
        }
        g_assert_nonnull(d);
        g_assert_cmpstr(d->section, ==, c->section);
        g_assert_cmpstr(d->key, ==, c->found_key);
        g_assert_cmpint(d->dialect, ==, c->found_dialect);
    }
    g_assert_null(qftp_cmd_find(NULL, ANY, NULL));
    char longkey[200];
    memset(longkey, 'a', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    g_assert_null(qftp_cmd_find("+QFTPCFG", BG96, longkey)->key);
}

typedef struct {
    const char *name;
    int dialect;
} dialect_case;

static const dialect_case dialect_cases[] = {
    {"+QFTPPATH", GSM},   {"+QFTPUSER", GSM},   {"+QFTPPASS", GSM},    {"+QIFGCNT", GSM},
    {"+QFTPCWD", BG96},   {"+QFTPPWD", BG96},   {"+QFTPSIZE", BG96},   {"+QFTPDEL", BG96},
    {"+QFTPMKDIR", BG96}, {"+QFTPRMDIR", BG96}, {"+QFTPLIST", BG96},   {"+QFTPNLST", BG96},
    {"+QFTPMLSD", BG96},  {"+QFTPMDTM", BG96},  {"+QFTPRENAME", BG96}, {"+QFTPOPEN", ANY},
    {"+QFTPCLOSE", ANY},  {"+QFTPPUT", ANY},    {"+QFTPGET", ANY},     {"+QFTPCFG", ANY},
    {"+QFTPSTAT", ANY},   {"+QFTPLEN", ANY},    {"+QICSGP", ANY},      {"+QIACT", ANY},
    {"+QFUPL", ANY},      {"E", ANY},           {"+QFTPUSE", -1},      {"+QFTPDELETE", -1},
    {"+NOPE", -1},
};

static void test_cmd_dialect(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(dialect_cases); i++) {
        g_test_message("%s", dialect_cases[i].name);
        g_assert_cmpint(qftp_cmd_dialect(dialect_cases[i].name), ==, dialect_cases[i].dialect);
    }
    g_assert_cmpint(qftp_cmd_dialect(NULL), ==, -1);
}

/* ---- the table's own rules -------------------------------------------------------------- */

static bool is_snake(const char *s)
{
    if (!*s || !islower((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

/* Names the Wireshark fields share across dialects keep one type. */
typedef struct {
    const char *name;
    qftp_param_type type;
} field_type_case;

static const field_type_case field_types[] = {
    {"hostname", PS},  {"port", PI},      {"file_name", PS},  {"local_name", PS},
    {"startpos", PI},  {"path_name", PS}, {"username", PS},   {"password", PS},
    {"file_size", PI}, {"contextid", PI}, {"key", PS},        {"dirname", PS},
    {"sslctxid", PI},  {"timeout", PI},   {"filehandle", PI}, {"type", PI},
};

static void test_invariants(void)
{
    size_t n;
    const qftp_cmd_def *defs = qftp_cmd_defs(&n);
    for (size_t i = 0; i < n; i++) {
        const qftp_cmd_def *d = &defs[i];
        g_test_message("row %zu %s", i, d->name);
        for (const char *p = d->name; *p; p++)
            g_assert_false(islower((unsigned char)*p));
        g_assert_nonnull(d->summary);
        g_assert_nonnull(d->section);
        g_assert_cmpint(d->ftp, ==, g_str_has_prefix(d->name, "+QFTP"));
        if (d->ftp)
            g_assert_cmpstr(d->section, !=, "");
        else
            g_assert_cmpstr(d->section, ==, "");
        g_assert_cmphex(d->urc_forms & ~d->forms, ==, 0);
        g_assert_cmphex(d->forms & ~0xfu, ==, 0);
        if (d->n_params > 0)
            g_assert_true(d->forms & QFTP_FORM_WRITE);
        if (d->data != QFTP_DATA_NONE)
            g_assert_true(d->forms & QFTP_FORM_WRITE);
        if (d->test_response)
            g_assert_true(d->forms & QFTP_FORM_TEST);
        if (d->key) { /* a keyed row follows its base row */
            const qftp_cmd_def *b = qftp_cmd_find(d->name, d->dialect, NULL);
            g_assert_nonnull(b);
            g_assert_null(b->key);
            g_assert_true(b < d);
        }
        for (size_t j = 0; j < d->n_params; j++) {
            const qftp_param_def *p = &d->params[j];
            g_test_message("  param %s", p->name);
            g_assert_true(is_snake(p->name));
            g_assert_nonnull(p->manual_name);
            g_assert_nonnull(p->desc);
            if (p->type != QFTP_PT_INT)
                g_assert_cmpint(p->min, >, p->max);
            if (p->type != QFTP_PT_STRING)
                g_assert_cmpint(p->maxlen, ==, 0);
            if (j + 1 < d->n_params && p->optional) /* no required after optional */
                g_assert_true(d->params[j + 1].optional);
            for (size_t k = 0; k < G_N_ELEMENTS(field_types); k++)
                if (strcmp(p->name, field_types[k].name) == 0)
                    g_assert_cmpint(p->type, ==, field_types[k].type);
            for (const qftp_value_name *v = p->values; v && v->text; v++)
                if (p->min <= p->max)
                    g_assert_true(v->value >= p->min && v->value <= p->max);
            if (p->def && p->type == QFTP_PT_INT) {
                int64_t x;
                g_assert_true(qftp_param_int((qftp_span){p->def, strlen(p->def)}, &x));
                if (p->min <= p->max)
                    g_assert_true(x >= p->min && x <= p->max);
            }
        }
        /* one row per (name, dialect, key) */
        for (size_t k = 0; k < i; k++)
            g_assert_false(strcmp(defs[k].name, d->name) == 0 && defs[k].dialect == d->dialect &&
                           g_strcmp0(defs[k].key, d->key) == 0);
    }
}

/* ---- parameter checks ---------------------------------------------------------------------- */

typedef struct {
    const char *line;
    qftp_dialect d;
    const char *expected; /* findings joined with "; " ("" none) */
    int first_index;      /* param index of the first finding (-1: none) */
} check_case;

#define S30 "123456789012345678901234567890"
#define S60 S30 S30
#define S255 S60 S60 S60 S60 "123456789012345"

static const check_case check_cases[] = {
    /* GSM 4.1, 2.2.1 */
    {"AT+QFTPOPEN=\"quectel.3322.org\", 21", GSM, "", -1},
    {"AT+QFTPOPEN=\"h\",70000", GSM, "port 70000 outside 1-65535", 1},
    {"AT+QFTPOPEN=\"h\",0", GSM, "port 0 outside 1-65535", 1},
    {"AT+QFTPOPEN=\"h\",\"21\"", GSM, "", -1}, /* quoted number (device-quirks.md) */
    {"AT+QFTPOPEN=h,21", GSM, "", -1},         /* unquoted string: accepted */
    {"AT+QFTPOPEN=\"h\"", GSM, "port missing (<port> is required)", 1},
    {"AT+QFTPOPEN=,21", GSM, "hostname missing (<hostName> is required)", 0},
    {"AT+QFTPOPEN=\"" S60 S60 "\",21", GSM, "hostname longer than 100 bytes (120)", 0},
    {"AT+QFTPOPEN=\"h\",x21", GSM, "port 'x21' is not a number", 1},
    /* BG96 2.2: <port> optional, <hostname> up to 200 */
    {"AT+QFTPOPEN=\"h\"", BG96, "", -1},
    {"AT+QFTPOPEN=\"" S60 S60 "\",21", BG96, "", -1},
    {"AT+QFTPOPEN=\"h\",21,5", BG96, "3 parameters, +QFTPOPEN takes at most 2", 2},
    /* GSM 2.2.6 */
    {"AT+QFTPUSER=\"" S30 "\"", GSM, "", -1},
    {"AT+QFTPUSER=\"" S30 "1\"", GSM, "username longer than 30 bytes (31)", 0},
    {"AT+QFTPUSER=\"\"", GSM, "", -1}, /* anonymous */
    /* GSM 2.2.3, 4.2.1 */
    {"AT+QFTPPUT=\"sscom.ini\", 1587,200", GSM, "", -1},
    {"AT+QFTPPUT=\"f\",abc", GSM, "file_size 'abc' is not a number", 1},
    {"AT+QFTPPUT=\"f\",10,0", GSM, "time 0 outside 1-65535", 2},
    /* GSM 2.2.8, 4.2.2, 4.4.1 */
    {"AT+QFTPCFG=4,\"/UFS/\"", GSM, "", -1},
    {"AT+QFTPCFG=4,\"/UFS/test.txt\"", GSM, "", -1},
    {"AT+QFTPCFG=3,1587", GSM, "", -1},
    {"AT+QFTPCFG=1", GSM, "", -1},
    {"AT+QFTPCFG=1,2", GSM, "value 2 outside 0-1", 1},
    {"AT+QFTPCFG=5,1", GSM, "type 5 outside 1-4", 0},
    /* BG96 2.1, 3.1, 3.2 */
    {"AT+QFTPCFG=\"account\",\"test\",\"test\"", BG96, "", -1},
    {"AT+QFTPCFG=\"account\"", BG96, "", -1},
    {"AT+QFTPCFG=\"account\",\"" S255 "\",\"p\"", BG96, "", -1},
    {"AT+QFTPCFG=\"account\",\"" S255 "x\",\"p\"", BG96, "username longer than 255 bytes (256)", 1},
    {"AT+QFTPCFG=\"rsptimeout\",90", BG96, "", -1},
    {"AT+QFTPCFG=\"rsptimeout\",10", BG96, "timeout 10 outside 20-180", 1},
    {"AT+QFTPCFG=\"rsptimeout\",181", BG96, "timeout 181 outside 20-180", 1},
    {"AT+QFTPCFG=\"contextid\",17", BG96, "contextid 17 outside 1-16", 1},
    {"AT+QFTPCFG=\"ssltype\",3", BG96, "ssltype 3 outside 0-2", 1},
    {"AT+QFTPCFG=\"sslctxid\",6", BG96, "sslctxid 6 outside 0-5", 1},
    {"AT+QFTPCFG=\"filetype\",1", BG96, "", -1},
    {"AT+QFTPCFG=\"restenable\",1,2,3", BG96, "", -1}, /* unknown key: generic */
    /* BG96 2.5, 2.6 */
    {"AT+QFTPPUT=\"test.txt\",\"COM:\",0,1024,0", BG96, "", -1},
    {"AT+QFTPPUT=\"" S255 "x\",\"COM:\",0", BG96, "file_name longer than 255 bytes (256)", 0},
    {"AT+QFTPPUT=\"f\",\"" S60 "x\"", BG96, "local_name longer than 60 bytes (61)", 1},
    {"AT+QFTPPUT=\"f\",\"COM:\",0,1024,2", BG96, "beof 2 outside 0-1", 4},
    {"AT+QFTPPUT=\"f\"", BG96, "local_name missing (<local_name> is required)", 1},
    {"AT+QFTPGET=\"test.txt\",\"COM:\",500,500", BG96, "", -1},
    {"AT+QFTPGET=\"f\",\"COM:\",-1", BG96, "startpos -1 outside 0-2147483647", 2},
    {"AT+QFTPLIST=\".\"", BG96, "", -1},
    {"AT+QFTPRENAME=\"TEST\", \"TEST_NEW\"", BG96, "", -1},
    {"AT+QFTPRENAME=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", BG96,
     "more than 16 parameters, +QFTPRENAME takes at most 2", 16},
    /* around FTP */
    {"AT+QIACT=1", GSM, "1 parameter, +QIACT takes 0", 0},
    {"AT+QIACT=1", BG96, "", -1},
    {"AT+QICSGP=1,\"CMNET\"", GSM, "", -1},
    {"AT+QICSGP=1,1,\"UNINET\",\"\",\"\",1", BG96, "", -1},
    {"AT+QSSLCFG=\"ciphersuite\",1, 0xffff", BG96, "", -1},
    {"AT+QFUPL=\"test1.txt\",1000,300,1", BG96, "", -1},
    {"AT+IFC=2, 2", GSM, "", -1},
    {"ATE0", GSM, "", -1},
    {"ATE2", GSM, "echo 2 outside 0-1", 0},
    {"AT&D1", BG96, "", -1},
    /* forms other than write are not checked */
    {"AT+QFTPSTAT", BG96, "", -1},
    {"AT+QFTPOPEN=?", GSM, "", -1},
    {"AT+QFTPOPEN?", GSM, "", -1},
};

typedef struct {
    GString *text;
    int first;
    int calls;
} problems;

static void collect(void *user, int index, const char *text)
{
    problems *p = user;
    if (p->calls++ == 0)
        p->first = index;
    g_string_append_printf(p->text, "%s%s", p->text->len ? "; " : "", text);
}

static void test_check_params(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(check_cases); i++) {
        const check_case *c = &check_cases[i];
        g_test_message("%s", c->line);
        qftp_subcmd cmd[2];
        bool trunc;
        char err[QFTP_ERRBUF_SIZE];
        g_assert_cmpint(qftp_cmdline_parse(c->line, strlen(c->line), cmd, 2, &trunc, err), ==, 1);
        char key[64] = "";
        if (cmd[0].type == QFTP_TYPE_WRITE && cmd[0].n_params > 0)
            qftp_param_unquote(cmd[0].params[0], key, sizeof key);
        const qftp_cmd_def *d = qftp_cmd_find(cmd[0].name, c->d, key);
        g_assert_nonnull(d);
        problems p = {g_string_new(NULL), -1, 0};
        int found = qftp_check_params(d, &cmd[0], collect, &p);
        g_assert_cmpstr(p.text->str, ==, c->expected);
        g_assert_cmpint(found, ==, p.calls);
        g_assert_cmpint(p.first, ==, c->first_index);
        g_string_free(p.text, TRUE);
    }
    qftp_subcmd cmd;
    bool trunc;
    qftp_cmdline_parse("AT+QFTPOPEN=\"h\",0", 17, &cmd, 1, &trunc, NULL);
    g_assert_cmpint(qftp_check_params(qftp_cmd_find("+QFTPOPEN", GSM, NULL), &cmd, NULL, NULL), ==,
                    1);
    g_assert_cmpint(qftp_check_params(NULL, &cmd, collect, NULL), ==, 0);
    g_assert_cmpint(qftp_check_params(qftp_cmd_find("+QFTPOPEN", GSM, NULL), NULL, collect, NULL),
                    ==, 0);
}

/* ---- small helpers beside the tables (qftp/common.h, qftp/session.h) ---------------------- */

/* qftp_format_ns writes what printf writes of the double a span becomes: ties (half a
 * unit), nanoseconds either side of them, random spans of a second, of a day and of
 * weeks, negative ones; in seconds and in milliseconds, at every precision show uses. */
static void test_format_ns(void)
{
    GRand *r = g_rand_new_with_seed(7);
    for (int i = 0; i < 200000; i++) {
        int64_t d;
        switch (i % 6) {
        case 0: /* a tie of some unit, or a nanosecond from it */
            d = (int64_t)g_rand_int_range(r, 0, 100000) * 1000000 + 500000 +
                g_rand_int_range(r, -1, 2);
            break;
        case 1:
            d = (int64_t)g_rand_int_range(r, 0, 1000) * 10000000 + 5000000 +
                g_rand_int_range(r, -1, 2);
            break;
        case 2:
            d = g_rand_int_range(r, 0, 1000000000);
            break;
        case 3:
            d = (int64_t)g_rand_int_range(r, 0, 86400) * 1000000000 +
                g_rand_int_range(r, 0, 1000000000);
            break;
        case 4: /* weeks: past where the integer way is used */
            d = ((int64_t)1 << 49) - 1000 + (int64_t)g_rand_int_range(r, 0, 2000) * 1000000;
            break;
        default:
            d = -(int64_t)g_rand_int_range(r, 0, 2000000000);
        }
        for (int ms = 0; ms <= 1; ms++)
            for (int prec = 0; prec <= 3; prec++) {
                double v = (double)d / 1e9;
                char want[96], got[96];
                int w = snprintf(want, sizeof want, "%9.*f", prec, ms ? v * 1000.0 : v);
                int n = qftp_format_ns(got, sizeof got, d, ms, prec, 9);
                if (strcmp(got, want) != 0 || n != w)
                    g_error("qftp_format_ns(%" G_GINT64_FORMAT ", ms %d, prec %d): \"%s\", printf "
                            "\"%s\"",
                            d, ms, prec, got, want);
            }
    }
    g_rand_free(r);
}

/* qftp_format_fixed writes what printf writes: checked against snprintf itself on ties,
 * values a binary double cannot hold exactly, large and negative ones. */
static void test_format_fixed(void)
{
    static const double vals[] = {
        0,           0.5,    1.5,    2.5,     0.125, 0.0125,  0.035,           0.999,
        9.995,       59.95,  1e-7,   123.456, 5.0,   1000.0,  4.9999,          0.0005,
        1234567.891, 8.9e15, 9.1e15, 1e300,   -0.5,  -12.345, 3.14159265358979};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        for (int prec = 0; prec <= 9; prec++)
            for (int width = 0; width <= 12; width += 3) {
                char want[400], got[400];
                snprintf(want, sizeof want, "%*.*f", width, prec, vals[i]);
                int n = qftp_format_fixed(got, sizeof got, vals[i], prec, width);
                g_assert_cmpstr(got, ==, want);
                g_assert_cmpint(n, ==, (int)strlen(want));
            }
    /* every millisecond of a minute, as show and the verdict write times and durations */
    for (int ms = 0; ms < 60000; ms++) {
        double v = ms / 1000.0;
        char want[64], got[64];
        for (int prec = 0; prec <= 3; prec++) {
            snprintf(want, sizeof want, "%9.*f", prec, v);
            qftp_format_fixed(got, sizeof got, v, prec, 9);
            g_assert_cmpstr(got, ==, want);
        }
    }
}

/* qftp_snprintf writes what snprintf writes and returns what it returns, for the
 * conversions it does itself and those it hands on, whole or cut at every size. */
#if defined(__GNUC__) && !defined(__clang__) /* cut on purpose */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-truncation"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#endif
static void test_snprintf(void)
{
    const char *volatile null_str = NULL;
#define BOTH(...)                                                                                  \
    do {                                                                                           \
        for (size_t cap = 0; cap <= 60; cap++) {                                                   \
            char want[64], got[64];                                                                \
            memset(want, 'x', sizeof want);                                                        \
            memset(got, 'x', sizeof got);                                                          \
            int nw = snprintf(want, cap, __VA_ARGS__);                                             \
            int ng = qftp_snprintf(got, cap, __VA_ARGS__);                                         \
            g_assert_cmpint(ng, ==, nw);                                                           \
            g_assert_cmpmem(got, sizeof got, want, sizeof want);                                   \
        }                                                                                          \
    } while (0)
    BOTH("%s", "");
    BOTH("plain text with no conversion");
    BOTH("%s %ld (%s)", "+QFTPSIZE", 627L, "file not found");
    BOTH("%s %lld,%lld", "+QFTPOPEN", (long long)-9223372036854775807LL - 1, 9223372036854775807LL);
    BOTH("error %lld - FTP %lld: %s", 601LL, 550LL, "requested action not taken");
    BOTH("%d %u %zu %%", -2147483647 - 1, 4294967295u, (size_t)18446744073709551615ull);
    BOTH("[%.*s] [%.*s]", 3, "abcdef", -1, "xyz");
    BOTH("%5d|%-4s|%x|%.2f", 42, "ab", 255u, 2.345); /* handed on */
    BOTH("%s|%s", "a", null_str);
#undef BOTH
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* The numbers of the commands the core tells apart (qftp_op_of), and a transaction made
 * by hand looked up on the way. */
static void test_op_of(void)
{
    g_assert_cmpint(qftp_op_of("+QFTPOPEN"), ==, QFTP_OP_QFTPOPEN);
    g_assert_cmpint(qftp_op_of("+QFTPCLOSE"), ==, QFTP_OP_QFTPCLOSE);
    g_assert_cmpint(qftp_op_of("+QFUPL"), ==, QFTP_OP_QFUPL);
    g_assert_cmpint(qftp_op_of("E"), ==, QFTP_OP_E);
    g_assert_cmpint(qftp_op_of("+QFTPOPENX"), ==, QFTP_OP_OTHER);
    g_assert_cmpint(qftp_op_of("+QFTPOPE"), ==, QFTP_OP_OTHER);
    g_assert_cmpint(qftp_op_of("+qftpopen"), ==, QFTP_OP_OTHER); /* names are upper case */
    g_assert_cmpint(qftp_op_of(""), ==, QFTP_OP_OTHER);
    g_assert_cmpint(qftp_op_of(NULL), ==, QFTP_OP_OTHER);
    qftp_txn t;
    memset(&t, 0, sizeof t);
    t.command = (char *)"+QFTPGET";
    g_assert_cmpint(qftp_txn_op(&t), ==, QFTP_OP_QFTPGET);
    t.op = QFTP_OP_QFTPPUT; /* a number set wins: the session sets it with the name */
    g_assert_cmpint(qftp_txn_op(&t), ==, QFTP_OP_QFTPPUT);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tables/codes/text", test_code_text);
    g_test_add_func("/tables/codes/complete", test_code_sets);
    g_test_add_func("/tables/codes/form", test_code_form);
    g_test_add_func("/tables/codes/cme-from-text", test_cme_from_text);
    g_test_add_func("/tables/codes/describe-result", test_describe_result);
    g_test_add_func("/tables/states", test_states);
    g_test_add_func("/tables/cmd-type-name", test_cmd_type_name);
    g_test_add_func("/tables/commands", test_commands);
    g_test_add_func("/tables/commands/keyed", test_keyed_rows);
    g_test_add_func("/tables/params", test_params);
    g_test_add_func("/tables/params/values", test_values);
    g_test_add_func("/tables/find", test_find);
    g_test_add_func("/tables/dialect", test_cmd_dialect);
    g_test_add_func("/tables/invariants", test_invariants);
    g_test_add_func("/tables/check-params", test_check_params);
    g_test_add_func("/tables/format-fixed", test_format_fixed);
    g_test_add_func("/tables/format-ns", test_format_ns);
    g_test_add_func("/tables/op-of", test_op_of);
    g_test_add_func("/tables/snprintf", test_snprintf);
    return g_test_run();
}
