/* txn.c - a transaction's outcome and its words (qftp/session.h): the one place that
 * says whether a command succeeded and how to put it, for show, the plugin, the replayer
 * and reports. */
#include <string.h>

#include "qftp/session.h"
#include "strfmt.h"

const char *qftp_role_name(qftp_role r)
{
    static const char *const names[] = {"command", "echo", "info",     "final",  "connect",
                                        "prompt",  "data", "data-end", "escape", "urc"};
    return (unsigned)r < QFTP_ROLE__COUNT ? names[r] : "?";
}

qftp_op qftp_op_of(const char *command)
{
    if (!command)
        return QFTP_OP_OTHER;
    if (command[0] == 'E')
        return command[1] ? QFTP_OP_OTHER : QFTP_OP_E;
    if (command[0] != '+')
        return QFTP_OP_OTHER;
    size_t len = strlen(command);
    if (len < 6)
        return QFTP_OP_OTHER;
#define IS(name) (len == sizeof name - 1 && memcmp(command, name, len) == 0)
    switch (command[5]) { /* the sixth letter leaves three names at most */
    case 'A':
        return IS("+QIDEACT") ? QFTP_OP_QIDEACT : QFTP_OP_OTHER;
    case 'C':
        return IS("+QFTPCFG")     ? QFTP_OP_QFTPCFG
               : IS("+QFTPCLOSE") ? QFTP_OP_QFTPCLOSE
                                  : QFTP_OP_OTHER;
    case 'G':
        return IS("+QFTPGET") ? QFTP_OP_QFTPGET : QFTP_OP_OTHER;
    case 'L':
        return IS("+QFTPLIST") ? QFTP_OP_QFTPLIST : IS("+QFUPL") ? QFTP_OP_QFUPL : QFTP_OP_OTHER;
    case 'M':
        return IS("+QFTPMLSD") ? QFTP_OP_QFTPMLSD : QFTP_OP_OTHER;
    case 'N':
        return IS("+QFTPNLST") ? QFTP_OP_QFTPNLST : QFTP_OP_OTHER;
    case 'O':
        return IS("+QFTPOPEN") ? QFTP_OP_QFTPOPEN : QFTP_OP_OTHER;
    case 'P':
        return IS("+QFTPPUT")    ? QFTP_OP_QFTPPUT
               : IS("+QFTPPASS") ? QFTP_OP_QFTPPASS
               : IS("+QFTPPATH") ? QFTP_OP_QFTPPATH
                                 : QFTP_OP_OTHER;
    case 'S':
        return IS("+QFTPSTAT") ? QFTP_OP_QFTPSTAT : QFTP_OP_OTHER;
    case 'T':
        return IS("+QIACT")   ? QFTP_OP_QIACT
               : IS("+CGATT") ? QFTP_OP_CGATT
               : IS("+CGACT") ? QFTP_OP_CGACT
                              : QFTP_OP_OTHER;
    default:
        return QFTP_OP_OTHER;
    }
#undef IS
}

/* Inline: qftp_txn_describe_results tells it for every transaction. */
static inline qftp_outcome outcome_of(const qftp_txn *t)
{
    if (t->final == QFTP_FINAL_NONE && !t->urc)
        return QFTP_OUTCOME_PENDING;
    if (t->final != QFTP_FINAL_NONE && t->final != QFTP_FINAL_OK)
        return QFTP_OUTCOME_ERROR;
    if (t->has_err && t->err != 0)
        return QFTP_OUTCOME_FAILED;
    bool urc_due = t->def && (t->def->urc_forms & QFTP_FORM_BIT(t->type)) && !t->urc;
    return urc_due ? QFTP_OUTCOME_NO_URC : QFTP_OUTCOME_OK;
}

qftp_outcome qftp_txn_outcome(const qftp_txn *t)
{
    return outcome_of(t);
}

const char *qftp_outcome_name(qftp_outcome o)
{
    static const char *const names[] = {"pending", "ok", "no-urc", "error", "failed"};
    return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "?";
}

bool qftp_outcome_ok(qftp_outcome o)
{
    return o == QFTP_OUTCOME_OK || o == QFTP_OUTCOME_NO_URC;
}

/* The +CME ERROR code in words: BG96 chapter 5 first (601-631), then the CME table. */
static const char *cme_words(int64_t code)
{
    const char *w = qftp_code_text(QFTP_CODES_BG96_FTP, (int)code);
    return w ? w : qftp_code_text(QFTP_CODES_CME, (int)code);
}

/* A words field written in pieces, cut at the field's size as snprintf cuts ("(null)" for
 * a NULL string, as glibc's); its NUL is written once, by end(). */
typedef struct {
    char *s;
    size_t n;
} words_out;

static inline void put(words_out *o, const char *s, size_t n)
{
    if (n > QFTP_WORDS_CAP - 1 - o->n)
        n = QFTP_WORDS_CAP - 1 - o->n;
    qftp_copy_short(o->s + o->n, s, n);
    o->n += n;
}

/* A literal, its length known. */
#define PUT_LIT(o, lit) put(o, lit, sizeof(lit) - 1)

static inline void put_str(words_out *o, const char *s)
{
    if (!s)
        s = "(null)";
    put(o, s, strlen(s));
}

static inline void put_i64(words_out *o, int64_t v)
{
    char num[24];
    char *d = qftp_put_u64(num + sizeof num, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--d = '-';
    put(o, d, (size_t)(num + sizeof num - d));
}

static inline void end(words_out *o)
{
    o->s[o->n] = '\0';
}

/* s into a words field, cut at the field's size (as snprintf "%s" would). */
static void copy(char *dst, const char *s)
{
    words_out o = {dst, 0};
    put(&o, s, strlen(s));
    end(&o);
}

void qftp_txn_describe(const qftp_txn *t, qftp_txn_words *w)
{
    qftp_txn_describe_results(t, w);
    if (t->def && t->def->summary)
        copy(w->what, t->def->summary);
}

void qftp_txn_describe_results(const qftp_txn *t, qftp_txn_words *w)
{
    w->outcome = outcome_of(t);
    w->what[0] = w->final_words[0] = w->result[0] = w->failure[0] = '\0';
    bool bad_final = t->final != QFTP_FINAL_NONE && t->final != QFTP_FINAL_OK;
    const char *cw = bad_final && t->cme_code >= 0 ? cme_words(t->cme_code) : NULL;
    if (cw)
        copy(w->final_words, cw);
    /* the result line's meaning */
    bool bad_result = t->has_err && t->err != 0;
    if (bad_result) {
        qftp_describe_result(t->err, t->protocol_error, t->has_pe, w->result, sizeof w->result);
    } else {
        /* GSM "+QFTPOPEN:0" is the success code, not a value: a value is named only where
         * the tables name one (or the command is outside them) */
        const char *what = t->def ? t->def->value_name : "value";
        words_out r = {w->result, 0};
        if (!what && (t->has_err || t->value.kind != QFTP_VAL_NONE)) {
            PUT_LIT(&r, "success");
        } else if (!what) {
            /* nothing to say */
        } else if (t->value.kind == QFTP_VAL_INT) { /* "success, <what> <n>" */
            PUT_LIT(&r, "success, ");
            put_str(&r, what);
            PUT_LIT(&r, " ");
            put_i64(&r, t->value.i);
        } else if (t->value.kind == QFTP_VAL_STR) { /* "success, <what> \"<s>\"" */
            PUT_LIT(&r, "success, ");
            put_str(&r, what);
            PUT_LIT(&r, " \"");
            put_str(&r, t->value.s);
            PUT_LIT(&r, "\"");
        } else if (t->has_err)
            PUT_LIT(&r, "success");
        end(&r);
    }
    /* the failure as a key */
    if (w->outcome == QFTP_OUTCOME_PENDING)
        return;
    words_out f = {w->failure, 0};
    if (bad_final && t->cme_code >= 0) { /* "+CME ERROR 603 (FTP(S) server busy)" */
        put_str(&f, qftp_final_name(t->final));
        PUT_LIT(&f, " ");
        put_i64(&f, t->cme_code);
        PUT_LIT(&f, " (");
        put_str(&f, cw ? cw : "?");
        PUT_LIT(&f, ")");
    } else if (bad_final) {
        put(&f, t->final_line, strlen(t->final_line));
    } else if (bad_result) {
        /* "+QFTPGET 627,550 (words)": the words as the summary has always given them, at
         * most 127 bytes (the first 127 of the result's) */
        put_str(&f, t->command);
        PUT_LIT(&f, " ");
        put_i64(&f, t->err);
        if (t->has_pe) {
            PUT_LIT(&f, ",");
            put_i64(&f, t->protocol_error);
        }
        PUT_LIT(&f, " (");
        put(&f, w->result, strnlen(w->result, 127));
        PUT_LIT(&f, ")");
    }
    end(&f);
}
