/* test_context.c - the module's context lines in words (qftp/context.h): every kind, the
 * read responses beside the URCs, and lines that are not context. Expected values are
 * 3GPP TS 27.007's and Quectel's manuals' meanings, written here by hand. */
#include <string.h>

#include "qftp/context.h"
#include "testutil.h"

typedef struct {
    const char *line;
    qftp_context_kind kind;
    qftp_context_level level;
    int64_t value;
    const char *words; /* a part of the words */
} ccase;

static const ccase cases[] = {
    {"RDY", QFTP_CONTEXT_RESTART, QFTP_CONTEXT_FATAL, -1, "started"},
    {"POWERED DOWN", QFTP_CONTEXT_POWER_DOWN, QFTP_CONTEXT_FATAL, -1, "powered down"},
    {"NORMAL POWER DOWN", QFTP_CONTEXT_POWER_DOWN, QFTP_CONTEXT_FATAL, -1, "powered down"},
    {"UNDER_VOLTAGE POWER DOWN", QFTP_CONTEXT_POWER_DOWN, QFTP_CONTEXT_FATAL, -1, "voltage"},
    {"UNDER_VOLTAGE WARNING", QFTP_CONTEXT_VOLTAGE, QFTP_CONTEXT_CONCERN, -1, "voltage"},
    {"+QIND: \"vbatt\",-1", QFTP_CONTEXT_VOLTAGE, QFTP_CONTEXT_CONCERN, -1, "low"},
    {"Call Ready", QFTP_CONTEXT_READY, QFTP_CONTEXT_FINE, -1, "finished starting"},
    {"+QIND: SMS DONE", QFTP_CONTEXT_READY, QFTP_CONTEXT_FINE, -1, "SMS ready"},
    {"+CFUN: 1", QFTP_CONTEXT_FUNCTIONALITY, QFTP_CONTEXT_FINE, 1, "full functionality"},
    {"+CFUN: 4", QFTP_CONTEXT_FUNCTIONALITY, QFTP_CONTEXT_FATAL, 4, "flight mode"},
    {"+CPIN: READY", QFTP_CONTEXT_SIM, QFTP_CONTEXT_FINE, -1, "ready"},
    {"+CPIN: SIM PIN", QFTP_CONTEXT_SIM, QFTP_CONTEXT_CONCERN, -1, "waits for SIM PIN"},
    {"+CPIN: NOT INSERTED", QFTP_CONTEXT_SIM, QFTP_CONTEXT_FATAL, -1, "not inserted"},
    /* URC "<stat>" and "<stat>,<lac>,<ci>", read response "<n>,<stat>" */
    {"+CREG: 1", QFTP_CONTEXT_REGISTRATION, QFTP_CONTEXT_FINE, 1, "home network"},
    {"+CEREG: 2", QFTP_CONTEXT_REGISTRATION, QFTP_CONTEXT_CONCERN, 2, "searching"},
    {"+CEREG: 5,\"1A2B\",\"01C2D3E4\",7", QFTP_CONTEXT_REGISTRATION, QFTP_CONTEXT_FINE, 5,
     "roaming"},
    {"+CEREG: 0,2", QFTP_CONTEXT_REGISTRATION, QFTP_CONTEXT_CONCERN, 2, "searching"},
    {"+CGREG: 2,3,\"00C3\",\"1234\"", QFTP_CONTEXT_REGISTRATION, QFTP_CONTEXT_FATAL, 3, "denied"},
    {"+CREG: 0,0", QFTP_CONTEXT_REGISTRATION, QFTP_CONTEXT_FATAL, 0, "not searching"},
    {"+CREG: 4", QFTP_CONTEXT_REGISTRATION, QFTP_CONTEXT_CONCERN, 4, "unknown"},
    /* <rssi>: 0 -113 dBm or less, 2..30 -109..-53 dBm in 2 dB steps, 31 -51 dBm or more */
    {"+CSQ: 5,99", QFTP_CONTEXT_SIGNAL, QFTP_CONTEXT_CONCERN, 5, "-103 dBm"},
    {"+CSQ: 20,0", QFTP_CONTEXT_SIGNAL, QFTP_CONTEXT_FINE, 20, "-73 dBm"},
    {"+CSQ: 0,99", QFTP_CONTEXT_SIGNAL, QFTP_CONTEXT_CONCERN, 0, "-113 dBm or less"},
    {"+CSQ: 31,0", QFTP_CONTEXT_SIGNAL, QFTP_CONTEXT_FINE, 31, "-51 dBm or more"},
    {"+CSQ: 99,99", QFTP_CONTEXT_SIGNAL, QFTP_CONTEXT_CONCERN, 99, "not known"},
    {"+QIACT: 1,1,1,\"10.7.157.1\"", QFTP_CONTEXT_PDP_CONTEXT, QFTP_CONTEXT_FINE, 1,
     "active, IP address 10.7.157.1"},
    {"+QIACT: 1,0,1", QFTP_CONTEXT_PDP_CONTEXT, QFTP_CONTEXT_FATAL, 1, "not active"},
    {"+QIURC: \"pdpdeact\",1", QFTP_CONTEXT_PDP_DEACTIVATED, QFTP_CONTEXT_FATAL, 1,
     "deactivated PDP context 1"},
    {"+PDP DEACT", QFTP_CONTEXT_PDP_DEACTIVATED, QFTP_CONTEXT_FATAL, -1, "GPRS context"},
};

static const char *const not_context[] = {
    "OK", "+QFTPOPEN: 0,0", "+QIURC: \"closed\",0", "+QIND: \"csq\",20,99", "RDY now", "+CSQ: x",
    ""};

static void test_cases(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const ccase *t = &cases[i];
        qftp_context c;
        if (!qftp_context_decode(t->line, strlen(t->line), &c))
            g_error("%s: not decoded", t->line);
        g_assert_cmpint(c.kind, ==, t->kind);
        g_assert_cmpint(c.level, ==, t->level);
        g_assert_cmpint(c.value, ==, t->value);
        if (!strstr(c.words, t->words))
            g_error("%s: words '%s' lack '%s'", t->line, c.words, t->words);
        g_assert_nonnull(c.source);
        g_assert_cmpstr(qftp_context_kind_name(c.kind), !=, "");
    }
    for (size_t i = 0; i < G_N_ELEMENTS(not_context); i++) {
        qftp_context c;
        g_assert_false(qftp_context_decode(not_context[i], strlen(not_context[i]), &c));
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/context/cases", test_cases);
    return g_test_run();
}
