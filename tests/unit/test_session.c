/* test_session.c - the transaction model on the manuals' examples and on every item
 * of shared/device-quirks.md.
 *
 * A case is a script of what crossed the serial line:
 *   "> text"   host sends text + "\r"        "< text"  module sends text + "\r\n"
 *   ">D n"     host sends n payload bytes    "<D n"    module sends n payload bytes
 *   ">R text"  host sends text as is (escapes \r \n)    "<R text" module likewise
 *   "@s"       the clock jumps to s seconds (otherwise +10 ms per step)
 * and the expected transactions, one line each, written from the manual:
 *   "#i COMMAND/type FINAL [cme=n|cme='text'] [connect] [data=n] [urc=[...]]
 *    [err=n] [pe=n] [val=n|val='s']"
 * Each case also lists the warn/error notes it must produce (substrings), and no
 * other warn/error note may appear: the manuals' own flows must decode cleanly.
 */
#include <stdio.h>
#include <string.h>

#include "qftp/session.h"
#include "testutil.h"

/* Payload: a file that contains what a naive parser would take for the end. */
static void payload(GByteArray *out, int n)
{
    static const char pat[] = "line of file\r\nOK\r\n+QFTPGET: 0,\r\n+QFTPPUT:12\r\n\x01\x02\xff";
    for (int i = 0; i < n; i++)
        g_byte_array_append(out, (const guint8 *)&pat[i % (sizeof pat - 1)], 1);
}

typedef struct {
    const char *name;
    const char *const *script;
    const char *expect;       /* transactions, '\n' separated */
    const char *const *notes; /* warn/error notes expected (substrings), NULL-terminated */
    const char *dialect;      /* "gsm", "bg96" or NULL */
    const char *state;        /* final state name or NULL to skip */
    const char *unsolicited;  /* unsolicited lines joined by '|' or NULL to skip */
} scase;

static bool bytewise;  /* feed every record one byte at a time (same time for each) */
static bool streaming; /* hand transactions to a sink that releases them */

/* What the sink of a streaming run saw. */
typedef struct {
    GString *txns;    /* rendered, in the order handed over */
    GPtrArray *notes; /* warn/error notes, as collect_notes gives them */
    GString *unsol;   /* unsolicited lines joined by '|' */
    unsigned last;    /* index of the last transaction handed over */
    unsigned n_unsol;
} sink_log;

static sink_log sunk;
static void render_txn(GString *o, const qftp_txn *t);

static void sink_txn(void *user, const qftp_txn *t)
{
    sink_log *k = user;
    g_assert_cmpuint(t->index, ==, k->last + 1); /* in index order, each once */
    k->last = t->index;
    render_txn(k->txns, t);
    for (size_t i = 0; i < t->n_notes; i++)
        if (t->notes[i].severity >= QFTP_SEV_WARN)
            g_ptr_array_add(k->notes, g_strdup_printf("#%u %s", t->index, t->notes[i].text));
}

static void sink_note(void *user, const qftp_note *n)
{
    sink_log *k = user;
    if (n->severity >= QFTP_SEV_WARN)
        g_ptr_array_add(k->notes, g_strdup(n->text));
}

static void sink_unsol(void *user, const qftp_unsolicited *u)
{
    sink_log *k = user;
    g_string_append_printf(k->unsol, "%s%s", k->n_unsol++ ? "|" : "", u->line);
}

/* The bytes of one step of a script (not "@"), appended to b; returns their direction. */
static qftp_dir step_bytes(const char *l, GByteArray *b)
{
    qftp_dir dir = l[0] == '>' ? QFTP_DIR_TX : QFTP_DIR_RX;
    if (l[1] == 'D') {
        payload(b, atoi(l + 3));
    } else if (l[1] == 'R') {
        gchar *raw = g_strcompress(l + 3);
        g_byte_array_append(b, (const guint8 *)raw, (guint)strlen(raw));
        g_free(raw);
    } else {
        const char *text = l + 2;
        g_byte_array_append(b, (const guint8 *)text, (guint)strlen(text));
        const char *end = dir == QFTP_DIR_TX ? "\r" : "\r\n";
        g_byte_array_append(b, (const guint8 *)end, (guint)strlen(end));
    }
    return dir;
}

static qftp_session *run_script(const char *const *script, const qftp_session_opts *opts)
{
    char err[QFTP_ERRBUF_SIZE];
    qftp_session_opts so;
    if (opts)
        so = *opts;
    else
        qftp_session_opts_init(&so);
    if (streaming) {
        sunk = (sink_log){g_string_new(NULL), g_ptr_array_new_with_free_func(g_free),
                          g_string_new(NULL), 0, 0};
        so.sink = (qftp_session_sink){sink_txn, sink_unsol, sink_note, NULL, &sunk, true};
    }
    qftp_session *s = qftp_session_new(&so, err);
    g_assert_nonnull(s);
    qftp_ts t = 0;
    uint64_t frame = 0;
    for (size_t i = 0; script[i]; i++) {
        const char *l = script[i];
        GByteArray *b = g_byte_array_new();
        qftp_dir dir = QFTP_DIR_TX;
        if (l[0] == '@') {
            t = (qftp_ts)(g_ascii_strtod(l + 1, NULL) * 1e9);
            g_byte_array_free(b, TRUE);
            continue;
        }
        dir = step_bytes(l, b);
        ++frame;
        if (bytewise)
            for (guint k = 0; k < b->len; k++)
                qftp_session_feed(s, dir, b->data + k, 1, t, frame);
        else
            qftp_session_feed(s, dir, b->data, b->len, t, frame);
        t += 10 * QFTP_NS_PER_MS;
        g_byte_array_free(b, TRUE);
    }
    qftp_session_finish(s, t);
    return s;
}

static void render_txn(GString *o, const qftp_txn *t)
{
    g_string_append_printf(o, "#%u %s/%s %s", t->index, t->command[0] ? t->command : "AT",
                           qftp_cmd_type_name(t->type), t->final ? qftp_final_name(t->final) : "-");
    if (t->cme_code >= 0)
        g_string_append_printf(o, " cme=%" G_GINT64_FORMAT, t->cme_code);
    else if (t->cme_text)
        g_string_append_printf(o, " cme='%s'", t->cme_text);
    if (t->connect)
        g_string_append(o, " connect");
    if (t->data_len >= 0)
        g_string_append_printf(o, " data=%" G_GINT64_FORMAT, t->data_len);
    if (t->urc)
        g_string_append_printf(o, " urc=[%s]", t->urc);
    if (t->has_err)
        g_string_append_printf(o, " err=%" G_GINT64_FORMAT, t->err);
    if (t->has_pe)
        g_string_append_printf(o, " pe=%" G_GINT64_FORMAT, t->protocol_error);
    if (t->value.kind == QFTP_VAL_INT)
        g_string_append_printf(o, " val=%" G_GINT64_FORMAT, t->value.i);
    else if (t->value.kind == QFTP_VAL_STR)
        g_string_append_printf(o, " val='%s'", t->value.s);
    g_string_append_c(o, '\n');
}

static void collect_notes(const qftp_session *s, GPtrArray *out)
{
    for (size_t i = 0; i < qftp_session_txn_count(s); i++) {
        const qftp_txn *t = qftp_session_txn(s, i);
        for (size_t k = 0; k < t->n_notes; k++)
            if (t->notes[k].severity >= QFTP_SEV_WARN)
                g_ptr_array_add(out, g_strdup_printf("#%u %s", t->index, t->notes[k].text));
    }
    for (size_t k = 0; k < qftp_session_note_count(s); k++) {
        const qftp_note *n = qftp_session_note(s, k);
        if (n->severity >= QFTP_SEV_WARN)
            g_ptr_array_add(out, g_strdup(n->text));
    }
}

static void check_case(const scase *c)
{
    qftp_session *s = run_script(c->script, NULL);
    GString *got = g_string_new(NULL);
    if (streaming) {
        /* everything was handed over and freed: nothing left to look at */
        g_assert_cmpuint(sunk.last, ==, qftp_session_txn_count(s));
        for (size_t i = 0; i < qftp_session_txn_count(s); i++)
            g_assert_null(qftp_session_txn(s, i));
        g_assert_cmpuint(qftp_session_note_count(s), ==, 0);
        g_assert_cmpuint(qftp_session_unsolicited_count(s), ==, 0);
        g_string_assign(got, sunk.txns->str);
    } else {
        for (size_t i = 0; i < qftp_session_txn_count(s); i++)
            render_txn(got, qftp_session_txn(s, i));
    }
    if (strcmp(got->str, c->expect) != 0)
        g_error("case %s:\n--- got\n%s--- expect\n%s", c->name, got->str, c->expect);

    GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
    if (streaming)
        for (guint k = 0; k < sunk.notes->len; k++)
            g_ptr_array_add(notes, g_strdup(g_ptr_array_index(sunk.notes, k)));
    else
        collect_notes(s, notes);
    size_t want = 0;
    for (; c->notes && c->notes[want]; want++) {
        bool found = false;
        for (guint k = 0; k < notes->len && !found; k++)
            found = strstr(g_ptr_array_index(notes, k), c->notes[want]) != NULL;
        if (!found) {
            GString *all = g_string_new(NULL);
            for (guint k = 0; k < notes->len; k++)
                g_string_append_printf(all, "  %s\n", (char *)g_ptr_array_index(notes, k));
            g_error("case %s: no note containing '%s'; notes:\n%s", c->name, c->notes[want],
                    all->str);
        }
    }
    if (notes->len != want) {
        GString *all = g_string_new(NULL);
        for (guint k = 0; k < notes->len; k++)
            g_string_append_printf(all, "  %s\n", (char *)g_ptr_array_index(notes, k));
        g_error("case %s: %u warn/error notes, expected %zu:\n%s", c->name, notes->len, want,
                all->str);
    }
    if (c->dialect && g_strcmp0(qftp_dialect_name(qftp_session_dialect(s)), c->dialect) != 0)
        g_error("case %s: dialect %s, expected %s", c->name,
                qftp_dialect_name(qftp_session_dialect(s)), c->dialect);
    if (c->state && strcmp(qftp_state_name(qftp_session_state(s)), c->state) != 0)
        g_error("case %s: state %s, expected %s", c->name, qftp_state_name(qftp_session_state(s)),
                c->state);
    if (c->unsolicited) {
        GString *u = g_string_new(NULL);
        if (streaming)
            g_string_assign(u, sunk.unsol->str);
        for (size_t i = 0; i < qftp_session_unsolicited_count(s); i++)
            g_string_append_printf(u, "%s%s", i ? "|" : "", qftp_session_unsolicited(s, i)->line);
        if (strcmp(u->str, c->unsolicited) != 0)
            g_error("case %s: unsolicited [%s], expected [%s]", c->name, u->str, c->unsolicited);
        g_string_free(u, TRUE);
    }
    g_ptr_array_free(notes, TRUE);
    g_string_free(got, TRUE);
    qftp_session_free(s);
    if (streaming) {
        g_string_free(sunk.txns, TRUE);
        g_ptr_array_free(sunk.notes, TRUE);
        g_string_free(sunk.unsol, TRUE);
    }
}

/* ---- GSM manual, section 4 ---------------------------------------------------------- */

static const char *const gsm_4_1[] = {
    "> AT+QIFGCNT=0", "< OK", "> AT+QICSGP=1,\"CMNET\"", "< OK",
    /* the manual writes AT+QFTPUSE: not a command of the manual; decoded generically */
    "> AT+QFTPUSE=\"quectel\"", "< OK", "> AT+QFTPPASS=\"123456\"", "< OK",
    "> AT+QFTPOPEN=\"quectel.3322.org\", 21", "< OK", "@5", "< +QFTPOPEN:0", NULL};

static const char *const gsm_4_2[] = {
    /* 4.2.1 through UART */
    "> AT+QFTPPATH=\"/\"", "< OK", "< +QFTPPATH:0", "> AT+QFTPPUT=\"sscom.ini\", 1587,200", "< OK",
    "< CONNECT", ">D 1587", "@3", "< +QFTPPUT: 1587",
    /* 4.2.2 a file in UFS */
    "> AT+QFTPCFG=4,\"/UFS/\"", "< OK", "< +QFTPCFG: 0", "> AT+QFTPPATH=\"\"", "< OK",
    "< +QFTPPATH: 0", "> AT+QFTPPUT=\"sscom.ini\", 1587,200", "< OK", "< +QFTPPUT: 1587",
    /* 4.2.3 a specified file in UFS */
    "> AT+QFTPCFG=4,\"/UFS/test.txt\"", "< OK", "< +QFTPCFG:0", NULL};

static const char *const gsm_4_3[] = {
    /* 4.3.1 through UART: the URC may be file content, the manual sends AT to be sure */
    "> AT+QFTPCFG=4,\"/COM/\"", "< OK", "< +QFTPCFG:0", "> AT+QFTPGET=\"sscom.ini\"", "< OK",
    "< CONNECT", "<D 1587", "<R \r\n+QFTPGET:1587\r\n", "> AT", "< OK",
    /* 4.3.2 into UFS */
    "> AT+QFTPCFG=4,\"/UFS/\"", "< OK", "< +QFTPCFG:0", "> AT+QFTPPATH=\"\"", "< OK",
    "< +QFTPPATH:0", "> AT+QFTPGET=\"sscom.ini\"", "< OK", "< +QFTPGET:1587",
    /* 4.3.3 into a specified file */
    "> AT+QFTPCFG=4,\"/UFS/dwl.txt\"", "< OK", "< +QFTPCFG:0", "> AT+QFTPPATH=\"/\"", "< OK",
    "< +QFTPPATH:0", "> AT+QFTPGET=\"sscom.ini\"", "< OK", "< +QFTPGET:1587", NULL};

static const char *const gsm_4_4[] = {
    /* 4.4.1 upload from the resuming point */
    "> AT+QFTPPUT=\"sscom.ini\",1587,200", "< OK", "< CONNECT", ">D 1587", "< +QFTPPUT:1587",
    "> AT+QFTPCFG=3,1587", "< OK", "< +QFTPCFG:0", "> AT+QFTPPUT=\"sscom.ini\",2000,200", "< OK",
    "< CONNECT", ">D 2000", "< +QFTPPUT:2000",
    /* 4.4.2 download from the resuming point */
    "> AT+QFTPCFG=3,1587", "< OK", "< +QFTPCFG:0", "> AT+QFTPGET=\"sscom.ini\"", "< OK",
    "< CONNECT", "<D 2000", "<R \r\n+QFTPGET:2000\r\n", NULL};

static const char *const gsm_4_5[] = {"> AT+QFTPCLOSE", "< OK", "< +QFTPCLOSE:0", "> AT+QIDEACT",
                                      "< DEACT OK",
                                      /* the server drops an idle session */
                                      "< +QFTPERROR:-421", "< +QFTPERROR:-6", NULL};

static const char *const no_notes[] = {NULL};

/* ---- BG96 manual, sections 2 and 3 -------------------------------------------------- */

static const char *const bg96_3_1[] = {"> AT+QICSGP=1,1,\"UNINET\",\"\",\"\",1",
                                       "< OK",
                                       "> AT+QIACT=1",
                                       "< OK",
                                       "> AT+QIACT?",
                                       "< +QIACT: 1,1,1,\"10.7.157.1\"",
                                       "< OK",
                                       "> AT+QFTPCFG=\"contextid\",1",
                                       "< OK",
                                       "> AT+QFTPCFG=\"account\",\"test\",\"test\"",
                                       "< OK",
                                       "> AT+QFTPCFG=\"filetype\",1",
                                       "< OK",
                                       "> AT+QFTPCFG=\"transmode\",1",
                                       "< OK",
                                       "> AT+QFTPCFG=\"rsptimeout\",90",
                                       "< OK",
                                       "> AT+QFTPOPEN=\"quectel.3322.org\",21",
                                       "< OK",
                                       "@2",
                                       "< +QFTPOPEN: 0,0",
                                       NULL};

static const char *const bg96_3_2[] = {"> AT+QFTPCFG=\"ssltype\",1",
                                       "< OK",
                                       "> AT+QFTPCFG=\"sslctxid\",1",
                                       "< OK",
                                       "> AT+QSSLCFG=\"ciphersuite\",1, 0xffff",
                                       "< OK",
                                       "> AT+QSSLCFG=\"seclevel\",1,0",
                                       "< OK",
                                       "> AT+QSSLCFG=\"sslversion\",1,1",
                                       "< OK",
                                       "> AT+QFTPOPEN=\"quectel.3322.org\",990",
                                       "< OK",
                                       "< +QFTPOPEN: 0,0",
                                       NULL};

static const char *const bg96_3_3_3_4[] = {
    "> AT+QFTPCWD=\"/\"", "< OK", "< +QFTPCWD: 0,0", "> AT+QFTPPWD", "< OK", "< +QFTPPWD: 0,/",
    "> AT+QFTPMKDIR=\"TEST\"", "< OK", "< +QFTPMKDIR: 0,0",
    "> AT+QFTPRENAME=\"TEST\", \"TEST_NEW\"", "< OK", "< +QFTPRENAME: 0,0",
    "> AT+QFTPRMDIR=\"TEST_NEW\"", "< OK", "< +QFTPRMDIR: 0,0",
    /* 3.4 */
    "> AT+QFTPPWD", "< OK", "< +QFTPPWD: 0, \"/\"", "> AT+QFTPSIZE=\"test_my1.txt\"", "< OK",
    "< +QFTPSIZE: 1000", "> AT+QFTPRENAME=\"test_my1.txt\", \"test_new.txt\"", "< OK",
    "< +QFTPRENAME: 0,0", "> AT+QFTPMDTM=\"test_new.txt\"", "< OK",
    "< +QFTPMDTM: 0,\"20140708110039\"", "> AT+QFTPDEL=\"test_new.txt\"", "< OK", "< +QFTPDEL: 0,0",
    NULL};

static const char *const bg96_3_5[] = {"> AT+QFTPLIST=\".\"",
                                       "< CONNECT",
                                       "<D 1000",
                                       "<R \r\nOK\r\n\r\n+QFTPLIST: 0,1000\r\n",
                                       "> AT+QFTPLIST=\".\",\"list.txt\"",
                                       "< OK",
                                       "< +QFTPLIST: 0,1000",
                                       "> AT+QFTPNLST=\"TEST_2\",\"COM:\"",
                                       "< CONNECT",
                                       "<D 1000",
                                       "<R \r\nOK\r\n\r\n+QFTPNLST: 0,1000\r\n",
                                       "> AT+QFTPMLSD=\".\"",
                                       "< CONNECT",
                                       "<D 1000",
                                       "<R \r\nOK\r\n\r\n+QFTPMLSD: 0,1000\r\n",
                                       "> AT+QFTPMLSD=\".\",\"nlst.txt\"",
                                       "< OK",
                                       "< +QFTPMLSD: 0,1000",
                                       NULL};

static const char *const bg96_3_6[] = {
    "> AT+QFTPCWD=\"/\"", "< OK", "< +QFTPCWD: 0,0", "> AT+QFTPSTAT", "< +QFTPSTAT: 0,1", "< OK",
    /* via COM: ended by +++ with its guard times */
    "> AT+QFTPPUT=\"test_my.txt\", \"COM:\",0", "< CONNECT", "@1", ">D 1000", "@2.5", ">R +++",
    "@3.8", "< OK", "< +QFTPPUT: 0,1000", "> AT+QFTPLEN", "< OK", "< +QFTPLEN: 0,1000",
    "> AT+QFTPSIZE=\"test_my.txt\"", "< OK", "< +QFTPSIZE: 0,1000",
    /* twice 1024 bytes, declared length */
    "> AT+QFTPPUT=\"test.txt\", \"COM:\",0,1024,0", "< CONNECT", ">D 1024", "< OK",
    "< +QFTPPUT: 0,1024", "> AT+QFTPPUT=\"test.txt\", \"COM:\",1024,1024,1", "< CONNECT", ">D 1024",
    "< OK", "< +QFTPPUT: 0,1024",
    /* from UFS */
    "> AT+QFUPL=\"test_ufs.txt\",1000,300,1", "< CONNECT", ">D 1000", "< +QFUPL: 1000,707", "< OK",
    "> AT+QFLST=\"*\"", "< +QFLST: \"test_ufs.txt\",1000", "< OK",
    "> AT+QFTPPUT=\"test_my1.txt\", \" test_ufs.txt\",0", "< OK", "< +QFTPPUT: 0,1000",
    "> AT+QFDEL=\"test_ufs.txt\"", "< OK", NULL};

static const char *const bg96_3_7_3_8[] = {"> AT+QFTPGET=\"test_my.txt\", \"COM:\"",
                                           "< CONNECT",
                                           "<D 1000",
                                           "<R \r\nOK\r\n\r\n+QFTPGET: 0,1000\r\n",
                                           "> AT+QFTPGET=\"test.txt\",\"COM:\",0,500",
                                           "< CONNECT",
                                           "<D 500",
                                           "<R \r\nOK\r\n\r\n+QFTPGET: 0,500\r\n",
                                           "> AT+QFTPGET=\"test_my1.txt\",\"test.txt\"",
                                           "< OK",
                                           "< +QFTPGET: 0,1000",
                                           "> AT+QFTPLEN",
                                           "< OK",
                                           "< +QFTPLEN: 0,1000",
                                           "> AT+QFTPCLOSE",
                                           "< OK",
                                           "< +QFTPCLOSE: 0,0",
                                           "> AT+QIDEACT=1",
                                           "< OK",
                                           NULL};

/* ---- device-quirks.md ---------------------------------------------------------------- */

static const char *const q_echo[] = {"> AT+QFTPSTAT",
                                     "<R AT+QFTPSTAT\r\r\n+QFTPSTAT: 0,1\r\n\r\nOK\r\n", NULL};

static const char *const q_urc_between[] = {
    /* URCs that belong to nothing, also between a command and its OK */
    "< RDY",      "< +CPIN: READY",           "> AT+QFTPCWD=\"/\";",
    "< +CREG: 1", "< +QIURC: \"pdpdeact\",1", "<R OK\r\n\r\n+QFTPCWD: 0,0\r\n",
    NULL};

/* the PDP deactivation came while the command waited: said at the command (issue 11) */
static const char *const q_urc_between_notes[] = {"\"pdpdeact\",1 while this command", NULL};

static const char *const q_forms[] = {
    /* quoted numbers, lower case, \n terminators, trailing spaces, pasted logs */
    ">R at+qftpopen=\"host\",\"21\"\n",
    "<R OK   \n",
    "<R +QFTPOPEN: 0,0\n",
    ">R AT+QFTPCFG=\"data_address\",1\r\n",
    "< OK",
    ">R AT+QFTPCFG=\"restenable\",1\r\n",
    "< OK",
    "> AT+QFTPCFG=\"account\"",
    "< +QFTPCFG: \"account\",\"user\",\"****\"",
    "< OK",
    NULL};

static const char *const q_cme_forms[] = {"> AT+QFUPL=\"a.txt\",10",
                                          "< +CME ERROR: file already exist",
                                          "> AT+QFUPL=\"b.txt\",10", "< +CME ERROR: 421", NULL};
static const char *const q_cme_notes[] = {"file already exist", "421", NULL};

static const char *const q_busy[] = {
    /* close is asynchronous; commands in between get 603 */
    "> AT+QFTPCLOSE",    "< OK", "> AT+QFTPOPEN=\"h\",21", "< +CME ERROR: 603", "@2",
    "< +QFTPCLOSE: 0,0", NULL};
static const char *const q_busy_notes[] = {"busy with +QFTPCLOSE", "603", NULL};

static const char *const q_pairs[] = {
    "> AT+QFTPSIZE=\"nofile\"", "< OK", "< +QFTPSIZE: 627,550", "> AT+QFTPGET=\"a\",\"b\"", "< OK",
    "< +QFTPGET: 627,150",      NULL};
static const char *const q_pairs_notes[] = {"FTP 550", "FTP 150", NULL};

static const char *const q_gsm_words[] = {
    "> AT+QFTPCLOSE", "< OK",         "< +QFTPCLOSE:-1", "> AT+QFTPSTAT", "< +QFTPSTAT:IDLE",
    "< OK",           "> AT+QFTPLEN", "< +QFTPLEN: 512", "< OK",          NULL};
static const char *const q_gsm_words_notes[] = {"unknown error", NULL};

static const char *const q_get_trailers[] = {
    /* no OK between the data and the URC */
    "> AT+QFTPGET=\"f\",\"COM:\"", "< CONNECT", "<D 300", "<R \r\n+QFTPGET: 0,300\r\n",
    /* OK and URC split across reads at odd bytes */
    "> AT+QFTPGET=\"f\",\"COM:\"", "< CONNECT", "<D 77", "<R \r\nO", "<R K\r\n\r\n+QFT",
    "<R PGET: 0,7", "<R 7\r\n", NULL};

static const char *const q_put_endings[] = {
    /* 2. +++ with guard times is the escape; 3. inactivity: 609 although data came */
    "> AT+QFTPPUT=\"a\",\"COM:\",0",
    "< CONNECT",
    "@1",
    ">D 20",
    "@2.2",
    ">R +++",
    "@3.4",
    "< OK",
    "< +QFTPPUT: 0,20",
    "> AT+QFTPPUT=\"b\",\"COM:\",0",
    "< CONNECT",
    "@5",
    ">D 30",
    "@100",
    "< +QFTPPUT: 609,0",
    NULL};
static const char *const q_put_endings_notes[] = {"timeout", "inactivity", NULL};

static const char *const q_put_unguarded[] = {
    "> AT+QFTPPUT=\"a\",\"COM:\",0", "< CONNECT", ">R hello+++", "< OK", "< +QFTPPUT: 0,5", NULL};
static const char *const q_put_unguarded_notes[] = {"guard time", NULL};

static const char *const q_get_abort[] = {
    /* +++ during a download aborts it; ATO then answers NO CARRIER */
    "> AT+QFTPGET=\"big\",\"COM:\"",
    "< CONNECT",
    "<D 100",
    "@3",
    ">R +++",
    "@4.2",
    "< OK",
    "> ATO",
    "< NO CARRIER",
    NULL};
static const char *const q_get_abort_notes[] = {"NO CARRIER", NULL};

static const char *const q_615[] = {"> AT+QFTPGET=\"f\",\"COM:\"",
                                    "< +CME ERROR: 615",
                                    "> AT+QFTPCWD=\"/\"",
                                    "< +CME ERROR: 603",
                                    "> AT+QFTPCLOSE",
                                    "< OK",
                                    "< +QFTPCLOSE: 0,0",
                                    NULL};
static const char *const q_615_notes[] = {"615", "603", NULL};

static const char *const q_missing[] = {"> AT+QFTPCWD=\"/\"", "< OK", "> AT+QFTPSTAT", NULL};
static const char *const q_missing_notes[] = {"no +QFTPCWD URC", "no final result", NULL};

static const char *const q_rsp_late[] = {"> AT+QFTPCFG=\"rsptimeout\",20",
                                         "< OK",
                                         "> AT+QFTPCWD=\"/\"",
                                         "< OK",
                                         "@40",
                                         "< +QFTPCWD: 0,0",
                                         "< +QFTPMKDIR: 0,0",
                                         NULL};
static const char *const q_rsp_late_notes[] = {"later than rsptimeout (20 s)",
                                               "URC with no command", NULL};

static const char *const q_range[] = {"> AT+QFTPCFG=\"contextid\",17", "< ERROR", NULL};
static const char *const q_range_notes[] = {"17", "ERROR", NULL};

static const scase cases[] = {
    {"gsm-4.1", gsm_4_1,
     "#1 +QIFGCNT/write OK\n#2 +QICSGP/write OK\n#3 +QFTPUSE/write OK\n"
     "#4 +QFTPPASS/write OK\n#5 +QFTPOPEN/write OK urc=[+QFTPOPEN:0] err=0\n",
     no_notes, "gsm", "OPENED", ""},
    {"gsm-4.2", gsm_4_2,
     "#1 +QFTPPATH/write OK urc=[+QFTPPATH:0] err=0\n"
     "#2 +QFTPPUT/write OK connect data=1587 urc=[+QFTPPUT: 1587] err=0 val=1587\n"
     "#3 +QFTPCFG/write OK urc=[+QFTPCFG: 0] err=0\n"
     "#4 +QFTPPATH/write OK urc=[+QFTPPATH: 0] err=0\n"
     "#5 +QFTPPUT/write OK urc=[+QFTPPUT: 1587] err=0 val=1587\n"
     "#6 +QFTPCFG/write OK urc=[+QFTPCFG:0] err=0\n",
     no_notes, "gsm", NULL, ""},
    {"gsm-4.3", gsm_4_3,
     "#1 +QFTPCFG/write OK urc=[+QFTPCFG:0] err=0\n"
     "#2 +QFTPGET/write OK connect data=1587 urc=[+QFTPGET:1587] err=0 val=1587\n"
     "#3 AT/execute OK\n"
     "#4 +QFTPCFG/write OK urc=[+QFTPCFG:0] err=0\n"
     "#5 +QFTPPATH/write OK urc=[+QFTPPATH:0] err=0\n"
     "#6 +QFTPGET/write OK urc=[+QFTPGET:1587] err=0 val=1587\n"
     "#7 +QFTPCFG/write OK urc=[+QFTPCFG:0] err=0\n"
     "#8 +QFTPPATH/write OK urc=[+QFTPPATH:0] err=0\n"
     "#9 +QFTPGET/write OK urc=[+QFTPGET:1587] err=0 val=1587\n",
     no_notes, "gsm", NULL, ""},
    {"gsm-4.4", gsm_4_4,
     "#1 +QFTPPUT/write OK connect data=1587 urc=[+QFTPPUT:1587] err=0 val=1587\n"
     "#2 +QFTPCFG/write OK urc=[+QFTPCFG:0] err=0\n"
     "#3 +QFTPPUT/write OK connect data=2000 urc=[+QFTPPUT:2000] err=0 val=2000\n"
     "#4 +QFTPCFG/write OK urc=[+QFTPCFG:0] err=0\n"
     "#5 +QFTPGET/write OK connect data=2000 urc=[+QFTPGET:2000] err=0 val=2000\n",
     no_notes, "gsm", NULL, ""},
    {"gsm-4.5", gsm_4_5,
     "#1 +QFTPCLOSE/execute OK urc=[+QFTPCLOSE:0] err=0\n#2 +QIDEACT/execute OK\n", no_notes, "gsm",
     "CLOSED", "+QFTPERROR:-421|+QFTPERROR:-6"},
    {"bg96-3.1", bg96_3_1,
     "#1 +QICSGP/write OK\n#2 +QIACT/write OK\n#3 +QIACT/read OK\n"
     "#4 +QFTPCFG/write OK\n#5 +QFTPCFG/write OK\n#6 +QFTPCFG/write OK\n"
     "#7 +QFTPCFG/write OK\n#8 +QFTPCFG/write OK\n"
     "#9 +QFTPOPEN/write OK urc=[+QFTPOPEN: 0,0] err=0 pe=0\n",
     no_notes, "bg96", "OPENED", ""},
    {"bg96-3.2", bg96_3_2,
     "#1 +QFTPCFG/write OK\n#2 +QFTPCFG/write OK\n#3 +QSSLCFG/write OK\n"
     "#4 +QSSLCFG/write OK\n#5 +QSSLCFG/write OK\n"
     "#6 +QFTPOPEN/write OK urc=[+QFTPOPEN: 0,0] err=0 pe=0\n",
     no_notes, "bg96", "OPENED", ""},
    {"bg96-3.3-3.4", bg96_3_3_3_4,
     "#1 +QFTPCWD/write OK urc=[+QFTPCWD: 0,0] err=0 pe=0\n"
     "#2 +QFTPPWD/execute OK urc=[+QFTPPWD: 0,/] err=0 val='/'\n"
     "#3 +QFTPMKDIR/write OK urc=[+QFTPMKDIR: 0,0] err=0 pe=0\n"
     "#4 +QFTPRENAME/write OK urc=[+QFTPRENAME: 0,0] err=0 pe=0\n"
     "#5 +QFTPRMDIR/write OK urc=[+QFTPRMDIR: 0,0] err=0 pe=0\n"
     "#6 +QFTPPWD/execute OK urc=[+QFTPPWD: 0, \"/\"] err=0 val='/'\n"
     "#7 +QFTPSIZE/write OK urc=[+QFTPSIZE: 1000] err=0 val=1000\n"
     "#8 +QFTPRENAME/write OK urc=[+QFTPRENAME: 0,0] err=0 pe=0\n"
     "#9 +QFTPMDTM/write OK urc=[+QFTPMDTM: 0,\"20140708110039\"] err=0 "
     "val='20140708110039'\n"
     "#10 +QFTPDEL/write OK urc=[+QFTPDEL: 0,0] err=0 pe=0\n",
     no_notes, "bg96", "IDLE", ""},
    {"bg96-3.5", bg96_3_5,
     "#1 +QFTPLIST/write OK connect data=1000 urc=[+QFTPLIST: 0,1000] err=0 val=1000\n"
     "#2 +QFTPLIST/write OK urc=[+QFTPLIST: 0,1000] err=0 val=1000\n"
     "#3 +QFTPNLST/write OK connect data=1000 urc=[+QFTPNLST: 0,1000] err=0 val=1000\n"
     "#4 +QFTPMLSD/write OK connect data=1000 urc=[+QFTPMLSD: 0,1000] err=0 val=1000\n"
     "#5 +QFTPMLSD/write OK urc=[+QFTPMLSD: 0,1000] err=0 val=1000\n",
     no_notes, "bg96", NULL, ""},
    {"bg96-3.6", bg96_3_6,
     "#1 +QFTPCWD/write OK urc=[+QFTPCWD: 0,0] err=0 pe=0\n"
     "#2 +QFTPSTAT/execute OK err=0 val=1\n"
     "#3 +QFTPPUT/write OK connect data=1000 urc=[+QFTPPUT: 0,1000] err=0 val=1000\n"
     "#4 +QFTPLEN/execute OK urc=[+QFTPLEN: 0,1000] err=0 val=1000\n"
     "#5 +QFTPSIZE/write OK urc=[+QFTPSIZE: 0,1000] err=0 val=1000\n"
     "#6 +QFTPPUT/write OK connect data=1024 urc=[+QFTPPUT: 0,1024] err=0 val=1024\n"
     "#7 +QFTPPUT/write OK connect data=1024 urc=[+QFTPPUT: 0,1024] err=0 val=1024\n"
     "#8 +QFUPL/write OK connect data=1000\n"
     "#9 +QFLST/write OK\n"
     "#10 +QFTPPUT/write OK urc=[+QFTPPUT: 0,1000] err=0 val=1000\n"
     "#11 +QFDEL/write OK\n",
     no_notes, "bg96", "OPENED", ""},
    {"bg96-3.7-3.8", bg96_3_7_3_8,
     "#1 +QFTPGET/write OK connect data=1000 urc=[+QFTPGET: 0,1000] err=0 val=1000\n"
     "#2 +QFTPGET/write OK connect data=500 urc=[+QFTPGET: 0,500] err=0 val=500\n"
     "#3 +QFTPGET/write OK urc=[+QFTPGET: 0,1000] err=0 val=1000\n"
     "#4 +QFTPLEN/execute OK urc=[+QFTPLEN: 0,1000] err=0 val=1000\n"
     "#5 +QFTPCLOSE/execute OK urc=[+QFTPCLOSE: 0,0] err=0 pe=0\n"
     "#6 +QIDEACT/write OK\n",
     no_notes, "bg96", "CLOSED", ""},
    {"quirk-echo", q_echo, "#1 +QFTPSTAT/execute OK err=0 val=1\n", no_notes, "bg96", "OPENED", ""},
    {"quirk-urc-between", q_urc_between, "#1 +QFTPCWD/write OK urc=[+QFTPCWD: 0,0] err=0 pe=0\n",
     q_urc_between_notes, "bg96", NULL, "RDY|+CPIN: READY|+CREG: 1|+QIURC: \"pdpdeact\",1"},
    {"quirk-forms", q_forms,
     "#1 +QFTPOPEN/write OK urc=[+QFTPOPEN: 0,0] err=0 pe=0\n#2 +QFTPCFG/write OK\n"
     "#3 +QFTPCFG/write OK\n#4 +QFTPCFG/write OK val='user,****'\n",
     no_notes, "bg96", "OPENED", ""},
    {"quirk-cme-forms", q_cme_forms,
     "#1 +QFUPL/write +CME ERROR cme='file already exist'\n#2 +QFUPL/write +CME ERROR cme=421\n",
     q_cme_notes, NULL, NULL, ""},
    {"quirk-busy-603", q_busy,
     "#1 +QFTPCLOSE/execute OK urc=[+QFTPCLOSE: 0,0] err=0 pe=0\n"
     "#2 +QFTPOPEN/write +CME ERROR cme=603\n",
     q_busy_notes, NULL, "CLOSED", ""},
    {"quirk-pairs", q_pairs,
     "#1 +QFTPSIZE/write OK urc=[+QFTPSIZE: 627,550] err=627 pe=550\n"
     "#2 +QFTPGET/write OK urc=[+QFTPGET: 627,150] err=627 pe=150\n",
     q_pairs_notes, "bg96", NULL, ""},
    {"quirk-gsm-words", q_gsm_words,
     "#1 +QFTPCLOSE/execute OK urc=[+QFTPCLOSE:-1] err=-1\n"
     "#2 +QFTPSTAT/execute OK val='IDLE'\n#3 +QFTPLEN/execute OK err=0 val=512\n",
     q_gsm_words_notes, "gsm", "IDLE", ""},
    {"quirk-get-trailers", q_get_trailers,
     "#1 +QFTPGET/write - connect data=300 urc=[+QFTPGET: 0,300] err=0 val=300\n"
     "#2 +QFTPGET/write OK connect data=77 urc=[+QFTPGET: 0,77] err=0 val=77\n",
     NULL, "bg96", "OPENED", ""},
    {"quirk-put-endings", q_put_endings,
     "#1 +QFTPPUT/write OK connect data=20 urc=[+QFTPPUT: 0,20] err=0 val=20\n"
     "#2 +QFTPPUT/write - connect data=30 urc=[+QFTPPUT: 609,0] err=609 pe=0\n",
     q_put_endings_notes, "bg96", NULL, ""},
    {"quirk-put-unguarded", q_put_unguarded,
     "#1 +QFTPPUT/write OK connect data=5 urc=[+QFTPPUT: 0,5] err=0 val=5\n", q_put_unguarded_notes,
     "bg96", NULL, ""},
    {"quirk-get-abort", q_get_abort,
     "#1 +QFTPGET/write OK connect data=100\n#2 O/execute NO CARRIER\n", q_get_abort_notes, "bg96",
     NULL, ""},
    {"quirk-615-then-603", q_615,
     "#1 +QFTPGET/write +CME ERROR cme=615\n#2 +QFTPCWD/write +CME ERROR cme=603\n"
     "#3 +QFTPCLOSE/execute OK urc=[+QFTPCLOSE: 0,0] err=0 pe=0\n",
     q_615_notes, "bg96", "CLOSED", ""},
    {"missing-final-and-urc", q_missing, "#1 +QFTPCWD/write OK\n#2 +QFTPSTAT/execute -\n",
     q_missing_notes, "bg96", NULL, ""},
    {"rsptimeout", q_rsp_late,
     "#1 +QFTPCFG/write OK\n#2 +QFTPCWD/write OK urc=[+QFTPCWD: 0,0] err=0 pe=0\n",
     q_rsp_late_notes, "bg96", NULL, "+QFTPMKDIR: 0,0"},
    {"param-range", q_range, "#1 +QFTPCFG/write ERROR\n", q_range_notes, "bg96", NULL, ""},
};

/* One case the four ways: whole records, one byte per chunk, streamed to a sink that
 * releases each transaction (whole and bytewise). Registered as /case/NAME, one ctest test
 * each (tests/CMakeLists.txt), so a failure names its case. */
static void test_one_case(gconstpointer data)
{
    const scase *c = data;
    check_case(c);
    bytewise = true;
    check_case(c);
    streaming = true;
    check_case(c);
    bytewise = false;
    check_case(c);
    streaming = false;
}

/* Every note has a kind from the one table, with the kind's severity; the plugin's
 * expert entries are all there. */
static void test_note_kinds(void)
{
    size_t nk, ne;
    const qftp_note_def *k = qftp_note_defs(&nk);
    const qftp_expert_def *e = qftp_expert_defs(&ne);
    g_assert_cmpuint(nk, ==, QFTP_NOTE__COUNT);
    g_assert_cmpuint(ne, ==, QFTP_EXPERT__COUNT);
    for (size_t i = 0; i < nk; i++) {
        g_assert_cmpint(k[i].kind, ==, (int)i);
        g_assert_nonnull(qftp_expert_def_of(k[i].expert));
        g_assert_nonnull(strchr(k[i].format, '\0'));
        g_assert_cmpint(qftp_note_severity(k[i].kind), ==, e[k[i].expert].severity);
    }
    for (size_t i = 0; i < ne; i++) {
        g_assert_cmpint(e[i].id, ==, (int)i);
        for (size_t j = 0; j < i; j++)
            g_assert_cmpstr(e[i].name, !=, e[j].name);
    }
    g_assert_cmpstr(qftp_expert_def_of(QFTP_EXPERT_BUSY)->name, ==, "busy");
    g_assert_null(qftp_note_def_of(QFTP_NOTE__COUNT));

    /* the busy case: 603 expected, then the error result */
    qftp_session *s = run_script(q_busy, NULL);
    bool busy = false, cme = false;
    for (size_t i = 0; i < qftp_session_txn_count(s); i++) {
        const qftp_txn *t = qftp_session_txn(s, i);
        for (size_t n = 0; n < t->n_notes; n++) {
            const qftp_note *no = &t->notes[n];
            g_assert_cmpint(no->severity, ==, qftp_note_severity(no->kind));
            busy |= no->kind == QFTP_NOTE_BUSY;
            cme |= no->kind == QFTP_NOTE_CME_ERROR && strstr(no->text, "603") != NULL;
        }
    }
    g_assert_true(busy);
    g_assert_true(cme);
    for (size_t i = 0; i < qftp_session_note_count(s); i++) {
        const qftp_note *no = qftp_session_note(s, i);
        g_assert_cmpint(no->severity, ==, qftp_note_severity(no->kind));
    }
    qftp_session_free(s);
}

/* The stream a script produces in one direction, as run_script feeds it. */
static GByteArray *stream_of(const char *const *script, qftp_dir want)
{
    GByteArray *b = g_byte_array_new();
    for (size_t i = 0; script[i]; i++) {
        const char *l = script[i];
        if (l[0] != '@' && (l[0] == '>') == (want == QFTP_DIR_TX))
            step_bytes(l, b);
    }
    return b;
}

static char *item_text(GByteArray *const *streams, const qftp_txn_item *it)
{
    return g_strndup((const char *)streams[it->dir]->data + it->offset, it->len);
}

/* A transaction's pieces with their roles and stream offsets: the BG96 manual's download
 * to COM: (3.7), its OK and URC after the data. */
static void test_items(void)
{
    static const char *const script[] = {"> AT+QFTPGET=\"test_my.txt\", \"COM:\"",
                                         "< CONNECT",
                                         "<D 1000",
                                         "<R \r\nOK\r\n\r\n+QFTPGET: 0,1000\r\n",
                                         "> AT+QFTPSTAT;+QFTPLEN",
                                         "<R AT+QFTPSTAT;+QFTPLEN\r\r\n+QFTPSTAT: 0,1\r\n",
                                         "< OK",
                                         "< +QFTPLEN: 0,1000", /* BG96 2.16: after OK */
                                         NULL};
    GByteArray *streams[2] = {stream_of(script, QFTP_DIR_TX), stream_of(script, QFTP_DIR_RX)};
    for (int pass = 0; pass < 2; pass++) {
        bytewise = pass == 1;
        qftp_session *s = run_script(script, NULL);
        const qftp_txn *t = qftp_session_txn(s, 0);
        static const qftp_role want[] = {QFTP_ROLE_COMMAND,  QFTP_ROLE_CONNECT, QFTP_ROLE_DATA,
                                         QFTP_ROLE_DATA_END, QFTP_ROLE_FINAL,   QFTP_ROLE_URC};
        g_assert_cmpuint(t->n_items, ==, G_N_ELEMENTS(want));
        for (size_t i = 0; i < t->n_items; i++)
            g_assert_cmpstr(qftp_role_name(t->items[i].role), ==, qftp_role_name(want[i]));
        char *x = item_text(streams, &t->items[0]);
        g_assert_cmpstr(x, ==, t->line);
        g_free(x);
        x = item_text(streams, &t->items[1]);
        g_assert_cmpstr(x, ==, "CONNECT");
        g_free(x);
        g_assert_cmpuint(t->items[2].offset, ==, strlen("CONNECT\r\n"));
        g_assert_cmpuint(t->items[2].offset, ==, t->data_offset);
        g_assert_cmpuint(t->items[2].len, ==, 1000);
        g_assert_cmpuint(t->items[2].dir, ==, QFTP_DIR_RX);
        x = item_text(streams, &t->items[5]);
        g_assert_cmpstr(x, ==, "+QFTPGET: 0,1000");
        g_free(x);
        g_assert_cmpuint(t->items[5].frame, ==, t->frame_done);
        /* the command and its parameters in the stream */
        g_assert_cmpint(t->line_dir, ==, QFTP_DIR_TX);
        g_assert_cmpuint(t->line_offset, ==, 0);
        x = g_strndup(t->line + t->cmd_span.off, t->cmd_span.len);
        g_assert_cmpstr(x, ==, "+QFTPGET=\"test_my.txt\", \"COM:\"");
        g_free(x);
        g_assert_cmpuint(t->n_params, ==, 2);
        for (size_t i = 0; i < t->n_params; i++) {
            x = g_strndup((const char *)streams[0]->data + t->line_offset + t->param_spans[i].off,
                          t->param_spans[i].len);
            g_assert_cmpstr(x, ==, t->params[i]);
            g_free(x);
        }
        /* a chained line: both commands share the line, echo and final, each its own span */
        const qftp_txn *a = qftp_session_txn(s, 1), *b = qftp_session_txn(s, 2);
        g_assert_cmpstr(a->command, ==, "+QFTPSTAT");
        x = g_strndup(b->line + b->cmd_span.off, b->cmd_span.len);
        g_assert_cmpstr(x, ==, "+QFTPLEN");
        g_free(x);
        static const qftp_role wa[] = {QFTP_ROLE_COMMAND, QFTP_ROLE_ECHO, QFTP_ROLE_INFO,
                                       QFTP_ROLE_FINAL};
        static const qftp_role wb[] = {QFTP_ROLE_COMMAND, QFTP_ROLE_ECHO, QFTP_ROLE_FINAL,
                                       QFTP_ROLE_URC};
        for (int k = 0; k < 2; k++) {
            const qftp_txn *c = k ? b : a;
            const qftp_role *w = k ? wb : wa;
            g_assert_cmpuint(c->n_items, ==, 4);
            for (size_t i = 0; i < c->n_items; i++)
                g_assert_cmpint(c->items[i].role, ==, w[i]);
            x = item_text(streams, &c->items[k ? 3 : 2]);
            g_assert_cmpstr(x, ==, k ? "+QFTPLEN: 0,1000" : "+QFTPSTAT: 0,1");
            g_free(x);
            x = item_text(streams, &c->items[0]);
            g_assert_cmpstr(x, ==, "AT+QFTPSTAT;+QFTPLEN");
            g_free(x);
            g_assert_cmpuint(c->items[1].dir, ==, QFTP_DIR_RX);
        }
        qftp_session_free(s);
    }
    bytewise = false;
    g_byte_array_free(streams[0], TRUE);
    g_byte_array_free(streams[1], TRUE);
}

/* The one outcome and the words of a transaction, against the manuals' codes. */
static void test_outcome_words(void)
{
    static const char *const script[] = {"> AT+QFTPSIZE=\"a.txt\"",
                                         "< OK",
                                         "< +QFTPSIZE: 0,20",
                                         "> AT+QFTPCWD=\"/\"",
                                         "< +CME ERROR: 603",
                                         "> AT+QFTPSIZE=\"b.txt\"",
                                         "< OK",
                                         "< +QFTPSIZE: 627,550",
                                         "> AT+QFTPOPEN=\"h\",21",
                                         "< OK",
                                         "> AT+QFTPSTAT",
                                         NULL};
    qftp_session *s = run_script(script, NULL);
    qftp_txn_words w;
    qftp_txn_describe(qftp_session_txn(s, 0), &w);
    g_assert_cmpint(w.outcome, ==, QFTP_OUTCOME_OK);
    g_assert_cmpstr(w.result, ==, "success, file_size 20"); /* BG96 2.12 <size> */
    g_assert_cmpstr(w.failure, ==, "");
    g_assert_cmpstr(w.what, !=, "");
    qftp_txn_describe(qftp_session_txn(s, 1), &w);
    g_assert_cmpint(w.outcome, ==, QFTP_OUTCOME_ERROR);
    g_assert_cmpstr(w.final_words, ==, "FTP(S) server busy"); /* BG96 chapter 5: 603 */
    g_assert_cmpstr(w.failure, ==, "+CME ERROR 603 (FTP(S) server busy)");
    qftp_txn_describe(qftp_session_txn(s, 2), &w);
    g_assert_cmpint(w.outcome, ==, QFTP_OUTCOME_FAILED);
    /* BG96 chapter 5: 627 "requested action not taken"; chapter 6: 550 */
    g_assert_nonnull(strstr(w.result, "550"));
    g_assert_true(g_str_has_prefix(w.failure, "+QFTPSIZE 627,550 ("));
    qftp_txn_describe(qftp_session_txn(s, 3), &w);
    g_assert_cmpint(w.outcome, ==, QFTP_OUTCOME_NO_URC);
    g_assert_true(qftp_outcome_ok(w.outcome));
    qftp_txn_describe(qftp_session_txn(s, 4), &w);
    g_assert_cmpint(w.outcome, ==, QFTP_OUTCOME_PENDING);
    g_assert_false(qftp_outcome_ok(w.outcome));
    g_assert_cmpstr(qftp_outcome_name(QFTP_OUTCOME_FAILED), ==, "failed");
    qftp_session_free(s);
}

/* The one direction guess for untagged input. */
static void test_guess_dir(void)
{
    char err[QFTP_ERRBUF_SIZE];
    qftp_session *s = qftp_session_new(NULL, err);
    g_assert_cmpint(qftp_session_guess_dir(s, (const uint8_t *)"AT+QFTPSTAT\r", 12), ==,
                    QFTP_DIR_TX);
    g_assert_cmpint(qftp_session_guess_dir(s, (const uint8_t *)"a/", 2), ==, QFTP_DIR_TX);
    g_assert_cmpint(qftp_session_guess_dir(s, (const uint8_t *)"\r\nOK\r\n", 6), ==, QFTP_DIR_RX);
    g_assert_cmpint(qftp_session_guess_dir(s, (const uint8_t *)"A", 1), ==, QFTP_DIR_RX);
    /* an upload under way: the host's bytes, unless the module starts a line */
    static const char put[] = "AT+QFTPPUT=\"a\",\"COM:\",0,10\r";
    static const char con[] = "\r\nCONNECT\r\n";
    qftp_session_feed(s, QFTP_DIR_TX, (const uint8_t *)put, sizeof put - 1, 0, 1);
    qftp_session_feed(s, QFTP_DIR_RX, (const uint8_t *)con, sizeof con - 1, 1, 2);
    g_assert_cmpint(qftp_session_guess_dir(s, (const uint8_t *)"0123", 4), ==, QFTP_DIR_TX);
    g_assert_cmpint(qftp_session_guess_dir(s, (const uint8_t *)"\r\nOK", 4), ==, QFTP_DIR_RX);
    qftp_session_free(s);
}

/* A command whose URC never comes is given up after WAIT_CAP (4096) later commands, so a
 * streaming consumer is never held back for ever; memory stays flat. */
static void test_give_up_and_flat(void)
{
    char err[QFTP_ERRBUF_SIZE];
    qftp_session_opts o;
    qftp_session_opts_init(&o);
    sunk = (sink_log){g_string_new(NULL), g_ptr_array_new_with_free_func(g_free),
                      g_string_new(NULL), 0, 0};
    o.sink = (qftp_session_sink){sink_txn, NULL, sink_note, NULL, &sunk, true};
    qftp_session *s = qftp_session_new(&o, err);
    static const char open[] = "AT+QFTPOPEN=\"h\",21\r";
    static const char ok[] = "\r\nOK\r\n";
    static const char stat[] = "AT+QFTPSTAT\r";
    static const char st[] = "\r\n+QFTPSTAT: 0,1\r\n\r\nOK\r\n";
    qftp_ts t = 0;
    uint64_t f = 0;
    qftp_session_feed(s, QFTP_DIR_TX, (const uint8_t *)open, sizeof open - 1, t++, ++f);
    qftp_session_feed(s, QFTP_DIR_RX, (const uint8_t *)ok, sizeof ok - 1, t++, ++f);
    size_t most_held = 0;
    for (int i = 0; i < 20000; i++) {
        qftp_session_feed(s, QFTP_DIR_TX, (const uint8_t *)stat, sizeof stat - 1, t++, ++f);
        qftp_session_feed(s, QFTP_DIR_RX, (const uint8_t *)st, sizeof st - 1, t++, ++f);
        size_t held = qftp_session_txn_count(s) - sunk.last;
        most_held = held > most_held ? held : most_held;
    }
    qftp_session_finish(s, t);
    g_assert_cmpuint(sunk.last, ==, 20001);
    g_assert_cmpuint(most_held, <=, 4096 + 2);
    g_assert_cmpuint(sunk.notes->len, >=, 1);
    g_assert_nonnull(strstr(g_ptr_array_index(sunk.notes, 0), "#1 no +QFTPOPEN URC within"));
    qftp_session_free(s);
    g_string_free(sunk.txns, TRUE);
    g_ptr_array_free(sunk.notes, TRUE);
    g_string_free(sunk.unsol, TRUE);
}

/* A module that floods one command with lines: QFTP_TXN_INFO_CAP of them kept, the rest
 * counted, one note (nothing dropped silently); the final result still ends it. */
static void test_info_cap(void)
{
    char err[QFTP_ERRBUF_SIZE];
    qftp_session_opts o;
    qftp_session_opts_init(&o);
    qftp_session *s = qftp_session_new(&o, err);
    static const char cmd[] = "AT+QFTPSTAT\r";
    static const char line[] = "\r\n+QFTPSTAT: 0,1\r\n";
    static const char ok[] = "\r\nOK\r\n";
    qftp_ts t = 0;
    uint64_t f = 0;
    qftp_session_feed(s, QFTP_DIR_TX, (const uint8_t *)cmd, sizeof cmd - 1, t++, ++f);
    for (int i = 0; i < QFTP_TXN_INFO_CAP + 1000; i++)
        qftp_session_feed(s, QFTP_DIR_RX, (const uint8_t *)line, sizeof line - 1, t++, ++f);
    qftp_session_feed(s, QFTP_DIR_RX, (const uint8_t *)ok, sizeof ok - 1, t++, ++f);
    qftp_session_finish(s, t);
    g_assert_cmpuint(qftp_session_txn_count(s), ==, 1);
    const qftp_txn *x = qftp_session_txn(s, 0);
    g_assert_cmpuint(x->n_info, ==, QFTP_TXN_INFO_CAP);
    g_assert_cmpuint(qftp_txn_info_over(x), ==, 1000);
    g_assert_cmpint(x->final, ==, QFTP_FINAL_OK);
    size_t over_notes = 0, info_items = 0;
    for (size_t i = 0; i < x->n_notes; i++)
        over_notes += x->notes[i].kind == QFTP_NOTE_INFO_OVER;
    for (size_t i = 0; i < x->n_items; i++)
        info_items += x->items[i].role == QFTP_ROLE_INFO;
    g_assert_cmpuint(over_notes, ==, 1);
    g_assert_cmpuint(info_items, ==, QFTP_TXN_INFO_CAP);
    g_assert_nonnull(strstr(x->notes[x->n_notes - 1].text, "more than 4096 information"));
    qftp_session_free(s);
}

/* The quirks above that the table marks with NULL notes still must not warn
 * about anything but what is listed; cases with NULL notes expect none. */

static void test_credentials_and_redact(void)
{
    static const char *const script[] = {"> AT+QFTPPASS=\"secret\"",
                                         "< OK",
                                         "> AT+QFTPCFG=\"account\",\"u\",\"pw\"",
                                         "< OK",
                                         "> AT+QFTPPASS?",
                                         "< +QFTPPASS: \"secret\"",
                                         "< OK",
                                         NULL};
    qftp_session_opts o;
    qftp_session_opts_init(&o);
    o.redact = true;
    qftp_session *s = run_script(script, &o);
    const qftp_txn *t = qftp_session_txn(s, 0);
    g_assert_cmpstr(t->line, ==, "AT+QFTPPASS=\"****\""); /* qftp/redact.h, test_redact.c */
    g_assert_cmpuint(t->n_notes, >=, 1);
    g_assert_nonnull(strstr(t->notes[0].text, "password sent in clear"));
    t = qftp_session_txn(s, 1);
    g_assert_cmpstr(t->line, ==, "AT+QFTPCFG=\"account\",\"u\",\"****\"");
    t = qftp_session_txn(s, 2); /* the read-back is redacted too */
    g_assert_cmpuint(t->n_info, ==, 1);
    g_assert_cmpstr(t->info[0], ==, "+QFTPPASS: \"****\"");
    qftp_session_free(s);
}

static void test_forced_dialect(void)
{
    static const char *const script[] = {"> AT+QFTPOPEN=\"h\",21", "< OK", "< +QFTPOPEN: 0,0",
                                         NULL};
    qftp_session_opts o;
    qftp_session_opts_init(&o);
    o.dialect = QFTP_DIALECT_GSM;
    qftp_session *s = run_script(script, &o);
    g_assert_cmpint(qftp_session_dialect(s), ==, QFTP_DIALECT_GSM);
    qftp_session_free(s);
}

static void test_transitions(void)
{
    qftp_session *s = run_script(bg96_3_7_3_8, NULL);
    GString *g = g_string_new(NULL);
    for (size_t i = 0; i < qftp_session_transition_count(s); i++) {
        const qftp_transition *tr = qftp_session_transition(s, i);
        g_string_append_printf(g, "%s->%s ", qftp_state_name(tr->from), qftp_state_name(tr->to));
    }
    g_assert_cmpstr(g->str, ==,
                    "IDLE->TRANSFER TRANSFER->OPENED OPENED->TRANSFER TRANSFER->OPENED "
                    "OPENED->TRANSFER TRANSFER->OPENED OPENED->CLOSING CLOSING->CLOSED ");
    g_string_free(g, TRUE);
    qftp_session_free(s);
}

int main(int argc, char **argv)
{
    /* --cases: the case names, one a line (ctest registers a test for each) */
    if (argc == 2 && strcmp(argv[1], "--cases") == 0) {
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
            printf("%s\n", cases[i].name);
        return 0;
    }
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *path = g_strdup_printf("/case/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], test_one_case);
        g_free(path);
    }
    g_test_add_func("/session/note-kinds", test_note_kinds);
    g_test_add_func("/session/items", test_items);
    g_test_add_func("/session/outcome-words", test_outcome_words);
    g_test_add_func("/session/guess-dir", test_guess_dir);
    g_test_add_func("/session/give-up-flat", test_give_up_and_flat);
    g_test_add_func("/session/info-cap", test_info_cap);
    g_test_add_func("/session/credentials-redact", test_credentials_and_redact);
    g_test_add_func("/session/forced-dialect", test_forced_dialect);
    g_test_add_func("/session/transitions", test_transitions);
    return g_test_run();
}
