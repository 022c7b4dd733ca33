/* test_session_logs.c - the session on logs as customers send them (issue 11): trimmed
 * downloads, answers before and after OK, fields as the manuals name them, an unknown
 * dialect, context events, a log of the module's side only. Each case feeds the session
 * the records a log gives and checks what a person reading the log would list; the
 * expected values come from the manuals (cited at each case), not from the code. */
#include <glib.h>
#include <string.h>

#include "qftp/session.h"

/* Feeds "> host line" / "< module line" / "<D bytes" (module bytes as they are) records,
 * 1 ms apart, host lines with "\r", module lines framed "\r\n...\r\n". */
static qftp_session *feed(const char *const *script, qftp_dialect d)
{
    qftp_session_opts o;
    qftp_session_opts_init(&o);
    o.dialect = d;
    char err[QFTP_ERRBUF_SIZE];
    qftp_session *s = qftp_session_new(&o, err);
    g_assert_nonnull(s);
    qftp_ts t = QFTP_NS_PER_SEC;
    uint64_t frame = 0;
    for (size_t i = 0; script[i]; i++) {
        const char *l = script[i];
        GString *b = g_string_new(NULL);
        qftp_dir dir = QFTP_DIR_RX;
        if (l[0] == '>') {
            dir = QFTP_DIR_TX;
            g_string_append_printf(b, "%s\r", l + 2);
        } else if (l[1] == 'D') {
            g_string_append(b, l + 3);
        } else {
            g_string_append_printf(b, "\r\n%s\r\n", l + 2);
        }
        t += QFTP_NS_PER_SEC / 1000;
        qftp_session_feed(s, dir, (const uint8_t *)b->str, b->len, t, ++frame);
        g_string_free(b, TRUE);
    }
    qftp_session_finish(s, QFTP_TS_NONE);
    return s;
}

static const qftp_txn *txn(const qftp_session *s, size_t i)
{
    g_assert_cmpuint(qftp_session_txn_count(s), >, i);
    return qftp_session_txn(s, i);
}

static bool has_note(const qftp_txn *t, qftp_note_kind k)
{
    for (size_t i = 0; i < t->n_notes; i++)
        if (t->notes[i].kind == k)
            return true;
    return false;
}

static bool session_has_note(const qftp_session *s, qftp_note_kind k)
{
    for (size_t i = 0; i < qftp_session_note_count(s); i++)
        if (qftp_session_note(s, i)->kind == k)
            return true;
    return false;
}

static size_t warnings(const qftp_txn *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_notes; i++)
        n += t->notes[i].severity >= QFTP_SEV_WARN;
    return n;
}

/* BG96 2.6: CONNECT, the file, OK, +QFTPGET: 0,<transferlen>. The log holds two lines and
 * "..." for the rest: data mode ends there, the URC completes the GET with one note, the
 * next command's OK is its own. */
static void test_elided(void)
{
    static const char *const script[] = {"> AT+QFTPGET=\"readme.txt\",\"COM:\"",
                                         "< CONNECT",
                                         "<D line one\r\nline two\r\n",
                                         "<D \r\n...\r\n",
                                         "< OK",
                                         "< +QFTPGET: 0,379",
                                         "> AT+QFTPCLOSE",
                                         "< OK",
                                         "< +QFTPCLOSE: 0,0",
                                         NULL};
    qftp_session *s = feed(script, QFTP_DIALECT_UNKNOWN);
    g_assert_cmpuint(qftp_session_txn_count(s), ==, 2);
    const qftp_txn *g = txn(s, 0);
    g_assert_cmpint(g->data_len, ==, 20);
    g_assert_cmpint(g->final, ==, QFTP_FINAL_OK);
    g_assert_cmpstr(g->urc, ==, "+QFTPGET: 0,379");
    g_assert_true(g->has_err && g->err == 0 && g->value.i == 379);
    g_assert_true(has_note(g, QFTP_NOTE_DATA_TRIMMED));
    g_assert_false(has_note(g, QFTP_NOTE_LENGTH_URC)); /* one note, not two */
    const qftp_txn *c = txn(s, 1);
    g_assert_cmpint(c->final, ==, QFTP_FINAL_OK);
    g_assert_cmpstr(c->urc, ==, "+QFTPCLOSE: 0,0");
    g_assert_cmpint(qftp_session_state(s), ==, QFTP_STATE_CLOSED);
    qftp_session_free(s);
}

/* No URC, no elision: the host's next command shows the module in command mode. */
static void test_ended_by_command(void)
{
    static const char *const script[] = {"> AT+QFTPGET=\"a.txt\",\"COM:\"",
                                         "< CONNECT",
                                         "<D first line\r\n",
                                         "> AT+QFTPSTAT",
                                         "< +QFTPSTAT: 0,1",
                                         "< OK",
                                         NULL};
    qftp_session *s = feed(script, QFTP_DIALECT_UNKNOWN);
    g_assert_cmpuint(qftp_session_txn_count(s), ==, 2);
    const qftp_txn *g = txn(s, 0);
    g_assert_cmpint(g->data_len, ==, 12);
    g_assert_cmpint(g->data_end, ==, QFTP_DATA_END_FORCED);
    g_assert_true(has_note(g, QFTP_NOTE_DATA_ENDED_BY_COMMAND));
    const qftp_txn *st = txn(s, 1);
    g_assert_cmpint(st->final, ==, QFTP_FINAL_OK); /* not swallowed as file bytes */
    g_assert_cmpuint(st->n_info, ==, 1);
    g_assert_true(st->value.kind == QFTP_VAL_INT && st->value.i == 1);
    qftp_session_free(s);
}

/* The note names the command by its own bytes: the bytes after them in the caller's
 * buffer (here the rest of a capture's buffer, not a NUL) are not part of it. */
static void test_ended_by_command_own_bytes(void)
{
    qftp_session_opts o;
    qftp_session_opts_init(&o);
    char err[QFTP_ERRBUF_SIZE];
    qftp_session *s = qftp_session_new(&o, err);
    g_assert_nonnull(s);
    static const char get[] = "AT+QFTPGET=\"a.txt\",\"COM:\"\r";
    static const char connect[] = "\r\nCONNECT\r\n", file[] = "first line\r\n";
    static const char next[] = "AT+QFTPSTAT\rXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
    qftp_ts t = QFTP_NS_PER_SEC;
    qftp_session_feed(s, QFTP_DIR_TX, (const uint8_t *)get, strlen(get), t, 1);
    qftp_session_feed(s, QFTP_DIR_RX, (const uint8_t *)connect, strlen(connect), t + 1000, 2);
    qftp_session_feed(s, QFTP_DIR_RX, (const uint8_t *)file, strlen(file), t + 2000, 3);
    qftp_session_feed(s, QFTP_DIR_TX, (const uint8_t *)next, strlen("AT+QFTPSTAT\r"), t + 3000, 4);
    qftp_session_finish(s, QFTP_TS_NONE);
    const qftp_txn *g = txn(s, 0);
    const char *text = NULL;
    for (size_t i = 0; i < g->n_notes; i++)
        if (g->notes[i].kind == QFTP_NOTE_DATA_ENDED_BY_COMMAND)
            text = g->notes[i].text;
    g_assert_nonnull(text);
    g_assert_nonnull(strstr(text, "(AT+QFTPSTAT)"));
    g_assert_null(strchr(text, 'X'));
    qftp_session_free(s);
}

/* A download's OK came in a frame of its own before the URC (BG96 2.6): the parser holds
 * it until the URC's count says the file ended there, but the OK is the frame that held
 * it, at that frame's time (it was put in the URC's frame before). Each item is in the
 * frame that holds its last byte. */
static void test_late_ok_in_its_frame(void)
{
    qftp_session_opts o;
    qftp_session_opts_init(&o);
    char err[QFTP_ERRBUF_SIZE];
    qftp_session *s = qftp_session_new(&o, err);
    g_assert_nonnull(s);
    static const char *const frames[] = {"AT+QFTPGET=\"a.txt\",\"COM:\"\r", "\r\nCONNECT\r\n",
                                         "abc", "\r\nOK\r\n", "\r\n+QFTPGET: 0,3\r\n"};
    qftp_ts t = QFTP_NS_PER_SEC;
    for (size_t i = 0; i < G_N_ELEMENTS(frames); i++)
        qftp_session_feed(s, i ? QFTP_DIR_RX : QFTP_DIR_TX, (const uint8_t *)frames[i],
                          strlen(frames[i]), t + (qftp_ts)i * 100 * QFTP_NS_PER_MS, i + 1);
    qftp_session_finish(s, QFTP_TS_NONE);
    const qftp_txn *g = txn(s, 0);
    g_assert_true(g->connect);
    g_assert_cmpint(g->data_len, ==, 3);
    g_assert_cmpuint(g->frame_sent, ==, 1);
    g_assert_cmpuint(g->frame_connect, ==, 2);
    g_assert_cmpuint(g->frame_final, ==, 4);
    g_assert_cmpint(g->t_final, ==, t + 300 * QFTP_NS_PER_MS);
    g_assert_cmpuint(g->frame_done, ==, 5);
    g_assert_cmpint(g->t_done, ==, t + 400 * QFTP_NS_PER_MS);
    for (size_t i = 0; i < g->n_items; i++)
        if (g->items[i].role == QFTP_ROLE_FINAL)
            g_assert_cmpuint(g->items[i].frame, ==, 4);
    qftp_session_free(s);
}

/* BG96 2.17 prints OK then +QFTPSTAT: 0,<ftpstat>; a URC before its OK (device quirks). */
static void test_both_orders_bg96(void)
{
    static const char *const script[] = {
        "> AT+QFTPSTAT",       "< OK", "< +QFTPSTAT: 0,1", "> AT+QFTPCWD=\"/\"",
        "< +QFTPCWD: 0,0",     "< OK", "> AT+QFTPPWD",     "< OK",
        "< +QFTPPWD: 0,\"/\"", NULL};
    qftp_session *s = feed(script, QFTP_DIALECT_BG96);
    g_assert_cmpuint(qftp_session_txn_count(s), ==, 3);
    const qftp_txn *st = txn(s, 0);
    g_assert_cmpuint(st->n_info, ==, 1);
    g_assert_true(st->has_err && st->err == 0 && st->value.i == 1);
    g_assert_cmpuint(qftp_session_unsolicited_count(s), ==, 0);
    const qftp_txn *cwd = txn(s, 1);
    g_assert_cmpint(cwd->final, ==, QFTP_FINAL_OK);
    g_assert_cmpstr(cwd->urc, ==, "+QFTPCWD: 0,0");
    g_assert_false(has_note(cwd, QFTP_NOTE_OUTCOME_BEFORE_FINAL));
    /* 2.3: <err>,<protocol_error>: 0,0 is protocol_error 0, no value */
    g_assert_true(cwd->has_pe && cwd->protocol_error == 0);
    g_assert_cmpint(cwd->value.kind, ==, QFTP_VAL_NONE);
    /* 2.4: 0,<path_name> is a value */
    const qftp_txn *pwd = txn(s, 2);
    g_assert_false(pwd->has_pe);
    g_assert_cmpstr(pwd->value.s, ==, "/");
    qftp_session_free(s);
}

/* GSM 2.2.5: AT+QFTPPATH? answers OK, then +QFTPPATH:"<path>"; 2.2.1: +QFTPOPEN:0 is a
 * success without a value; AT+QFTPSIZE (not in the manual) decoded generically after OK. */
static void test_both_orders_gsm(void)
{
    static const char *const script[] = {"> AT+QFTPUSER=\"u\"",
                                         "< OK",
                                         "> AT+QFTPOPEN=\"h\",21",
                                         "< OK",
                                         "< +QFTPOPEN:0",
                                         "> AT+QFTPPATH?",
                                         "< OK",
                                         "< +QFTPPATH:\"/\"",
                                         "> AT+QFTPSIZE=\"f\"",
                                         "< OK",
                                         "< +QFTPSIZE:88752",
                                         "> AT+QFTPCLOSE",
                                         "< +QFTPCLOSE:0",
                                         "< OK",
                                         NULL};
    qftp_session *s = feed(script, QFTP_DIALECT_UNKNOWN);
    g_assert_cmpint(qftp_session_dialect(s), ==, QFTP_DIALECT_GSM);
    g_assert_cmpuint(qftp_session_txn_count(s), ==, 5);
    const qftp_txn *open = txn(s, 1);
    g_assert_true(open->has_err && open->err == 0);
    g_assert_cmpint(open->value.kind, ==, QFTP_VAL_NONE);
    g_assert_cmpstr(txn(s, 2)->value.s, ==, "/");
    const qftp_txn *size = txn(s, 3);
    g_assert_true(size->value.kind == QFTP_VAL_INT && size->value.i == 88752);
    const qftp_txn *close = txn(s, 4);
    g_assert_cmpstr(close->urc, ==, "+QFTPCLOSE:0");
    g_assert_cmpint(close->final, ==, QFTP_FINAL_OK);
    g_assert_cmpint(qftp_session_state(s), ==, QFTP_STATE_CLOSED);
    g_assert_cmpuint(qftp_session_unsolicited_count(s), ==, 0);
    qftp_session_free(s);
}

/* Nothing tells the dialect at first: AT+QFTPPUT="f" fits neither manual's parameters
 * (GSM 2.2.3 wants <fileSz>, BG96 2.5 <local_name>): no warning until the dialect is
 * known; then it is checked against the GSM row. */
static void test_unknown_dialect(void)
{
    static const char *const unknown[] = {"> AT+QFTPPUT=\"data.csv\"", "< ERROR", NULL};
    qftp_session *s = feed(unknown, QFTP_DIALECT_UNKNOWN);
    g_assert_cmpint(qftp_session_dialect(s), ==, QFTP_DIALECT_UNKNOWN);
    g_assert_false(has_note(txn(s, 0), QFTP_NOTE_PARAM));
    g_assert_true(session_has_note(s, QFTP_NOTE_DIALECT_UNKNOWN));
    qftp_session_free(s);

    static const char *const later[] = {"> AT+QFTPPUT=\"data.csv\"", "< ERROR",
                                        "> AT+QFTPUSER=\"u\"", "< OK", NULL};
    s = feed(later, QFTP_DIALECT_UNKNOWN);
    g_assert_cmpint(qftp_session_dialect(s), ==, QFTP_DIALECT_GSM);
    g_assert_true(has_note(txn(s, 0), QFTP_NOTE_PARAM)); /* relabelled and checked */
    g_assert_cmpstr(txn(s, 0)->def->section, ==, "2.2.3");
    g_assert_false(session_has_note(s, QFTP_NOTE_DIALECT_UNKNOWN));
    qftp_session_free(s);
}

/* A restart while a GET to UFS waits for its URC ends it; the PDP deactivation while a
 * command waits is said at it; the answers of AT+CSQ in words. */
static void test_context(void)
{
    static const char *const script[] = {"> AT+QFTPOPEN=\"h\",21",
                                         "< OK",
                                         "< +QFTPOPEN: 0,0",
                                         "> AT+QFTPGET=\"big.bin\",\"UFS:big.bin\"",
                                         "< OK",
                                         "< POWERED DOWN",
                                         "< RDY",
                                         "> AT+QFTPOPEN=\"h\",21",
                                         "< OK",
                                         "< +QIURC: \"pdpdeact\",1",
                                         "< +QFTPOPEN: 609,0",
                                         "> AT+CSQ",
                                         "< +CSQ: 5,99",
                                         "< OK",
                                         NULL};
    qftp_session *s = feed(script, QFTP_DIALECT_UNKNOWN);
    g_assert_cmpuint(qftp_session_txn_count(s), ==, 4);
    const qftp_txn *get = txn(s, 1);
    g_assert_null(get->urc);
    g_assert_true(has_note(get, QFTP_NOTE_CONTEXT_LOST));
    g_assert_false(has_note(get, QFTP_NOTE_NO_URC)); /* the restart says why */
    const qftp_txn *open = txn(s, 2);
    g_assert_true(has_note(open, QFTP_NOTE_CONTEXT_CONCERN));
    g_assert_cmpstr(open->urc, ==, "+QFTPOPEN: 609,0");
    g_assert_true(has_note(txn(s, 3), QFTP_NOTE_CONTEXT));
    g_assert_cmpuint(qftp_session_context_count(s), ==, 4);
    const qftp_context_event *pd = qftp_session_context(s, 0);
    g_assert_cmpint(pd->ctx.kind, ==, QFTP_CONTEXT_POWER_DOWN);
    g_assert_cmpuint(pd->n_affects, ==, 1);
    g_assert_cmpuint(pd->affects[0], ==, 2);
    const qftp_context_event *rdy = qftp_session_context(s, 1);
    g_assert_cmpint(rdy->ctx.kind, ==, QFTP_CONTEXT_RESTART);
    g_assert_cmpuint(rdy->n_affects, ==, 0); /* nothing was under way any more */
    const qftp_context_event *pdp = qftp_session_context(s, 2);
    g_assert_cmpint(pdp->ctx.kind, ==, QFTP_CONTEXT_PDP_DEACTIVATED);
    g_assert_cmpuint(pdp->n_affects, ==, 1);
    g_assert_cmpuint(pdp->affects[0], ==, 3);
    const qftp_context_event *csq = qftp_session_context(s, 3);
    g_assert_cmpint(csq->ctx.kind, ==, QFTP_CONTEXT_SIGNAL);
    g_assert_cmpuint(csq->txn_index, ==, 4);
    g_assert_cmpint(qftp_session_unsolicited(s, 0)->context, ==, QFTP_CONTEXT_POWER_DOWN);
    qftp_session_free(s);
}

/* The module's side only: each command is inferred from the URC that names it; the
 * download's data ends at the URC whose count matches (BG96 2.6). */
static void test_module_only(void)
{
    static const char *const script[] = {"< RDY",     "< OK",
                                         "< OK",      "< +QFTPOPEN: 0,0",
                                         "< CONNECT", "<D ab\r\nOK\r\n",
                                         "< OK",      "< +QFTPGET: 0,8",
                                         "< OK",      "< +QFTPCLOSE: 0,0",
                                         NULL};
    qftp_session *s = feed(script, QFTP_DIALECT_UNKNOWN);
    g_assert_true(qftp_session_module_side_only(s));
    g_assert_true(session_has_note(s, QFTP_NOTE_MODULE_SIDE_ONLY));
    g_assert_cmpuint(qftp_session_txn_count(s), ==, 3);
    const qftp_txn *open = txn(s, 0);
    g_assert_true(open->inferred);
    g_assert_cmpstr(open->command, ==, "+QFTPOPEN");
    g_assert_cmpint(open->final, ==, QFTP_FINAL_OK);
    const qftp_txn *get = txn(s, 1);
    g_assert_true(get->inferred);
    g_assert_cmpstr(get->command, ==, "+QFTPGET");
    g_assert_cmpint(get->data_len, ==, 8); /* "OK" in the file stays file bytes */
    g_assert_cmpint(get->value.i, ==, 8);
    g_assert_false(has_note(get, QFTP_NOTE_DATA_TRIMMED));
    g_assert_cmpstr(txn(s, 2)->command, ==, "+QFTPCLOSE");
    /* the first OK belongs to a command the log does not hold: listed, no warning */
    size_t warn = 0;
    for (size_t i = 0; i < qftp_session_note_count(s); i++)
        warn += qftp_session_note(s, i)->severity >= QFTP_SEV_WARN;
    g_assert_cmpuint(warn, ==, 0);
    for (size_t i = 0; i < 3; i++)
        g_assert_cmpuint(warnings(txn(s, i)), ==, 0);
    qftp_session_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/session_logs/elided", test_elided);
    g_test_add_func("/session_logs/ended_by_command", test_ended_by_command);
    g_test_add_func("/session_logs/ended_by_command_own_bytes", test_ended_by_command_own_bytes);
    g_test_add_func("/session_logs/late_ok_in_its_frame", test_late_ok_in_its_frame);
    g_test_add_func("/session_logs/both_orders_bg96", test_both_orders_bg96);
    g_test_add_func("/session_logs/both_orders_gsm", test_both_orders_gsm);
    g_test_add_func("/session_logs/unknown_dialect", test_unknown_dialect);
    g_test_add_func("/session_logs/context", test_context);
    g_test_add_func("/session_logs/module_only", test_module_only);
    return g_test_run();
}
