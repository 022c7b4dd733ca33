/* tables.c - the tables of qftp/tables.h, expanded from tables.def, and the lookups on them.
 *
 * Everything here is static read-only data built by the preprocessor; nothing is
 * allocated or initialised at run time, so every function is safe from any thread. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "qftp/tables.h"
#include "strfmt.h"
#include "tables.def"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *qftp_cmd_type_name(qftp_cmd_type t)
{
#define TYPE_NAME(type, word) [type] = word,
    static const char *const names[] = {QFTP_CMD_TYPE_NAMES(TYPE_NAME)};
#undef TYPE_NAME
    return (unsigned)t < COUNT(names) && names[t] ? names[t] : "?";
}

/* ---- codes ---------------------------------------------------------------------------- */

#define CODE_ROW(c, text) {c, text},
static const qftp_code gsm_codes[] = {QFTP_GSM_FTP_CODES(CODE_ROW)};
static const qftp_code bg96_codes[] = {QFTP_BG96_FTP_CODES(CODE_ROW)};
static const qftp_code reply_codes[] = {QFTP_FTP_REPLY_CODES(CODE_ROW)};
static const qftp_code cme_codes[] = {QFTP_CME_CODES(CODE_ROW)};
#undef CODE_ROW

const qftp_code *qftp_codes(qftp_code_table t, size_t *n)
{
    const qftp_code *c = NULL;
    size_t k = 0;
    switch (t) {
    case QFTP_CODES_GSM_FTP:
        c = gsm_codes;
        k = COUNT(gsm_codes);
        break;
    case QFTP_CODES_BG96_FTP:
        c = bg96_codes;
        k = COUNT(bg96_codes);
        break;
    case QFTP_CODES_FTP_REPLY:
        c = reply_codes;
        k = COUNT(reply_codes);
        break;
    case QFTP_CODES_CME:
        c = cme_codes;
        k = COUNT(cme_codes);
        break;
    default:
        break;
    }
    if (n)
        *n = k;
    return c;
}

const char *qftp_code_text(qftp_code_table t, int code)
{
    size_t n;
    const qftp_code *c = qftp_codes(t, &n);
    size_t lo = 0, hi = n; /* every list in tables.def is sorted by code */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c[mid].code == code)
            return c[mid].text;
        if (c[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Case-insensitive comparison of a module's text with a table text. `loose` also accepts
 * a trailing "s", "d" or "ed" on either side: modules print "file already exist" and
 * "file already existed" for the same code (device-quirks.md "Result codes"). */
static bool text_matches(const char *a, size_t an, const char *b, bool loose)
{
    size_t bn = strlen(b);
    size_t n = an < bn ? an : bn;
    if (strncasecmp(a, b, n) != 0)
        return false;
    if (an == bn)
        return true;
    if (!loose)
        return false;
    const char *rest = an > bn ? a + bn : b + an;
    size_t rn = an > bn ? an - bn : bn - an;
    if (rn == 1)
        return (rest[0] | 0x20) == 's' || (rest[0] | 0x20) == 'd';
    return rn == 2 && strncasecmp(rest, "ed", 2) == 0;
}

int qftp_cme_code_from_text(const char *text, size_t len)
{
    if (text == NULL)
        return -1;
    while (len && (text[0] == ' ' || text[0] == '\t')) {
        text++;
        len--;
    }
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r' ||
                   text[len - 1] == '\n' || text[len - 1] == '.'))
        len--;
    if (len == 0)
        return -1;
    /* Exact words first, so "invalid parameters" (552) is not taken for "invalid
     * parameter" (425) plus an "s". BG96 FTP codes are +CME ERROR codes too (603, 615). */
    for (int loose = 0; loose <= 1; loose++) {
        for (size_t i = 0; i < COUNT(cme_codes); i++)
            if (text_matches(text, len, cme_codes[i].text, loose))
                return cme_codes[i].code;
        for (size_t i = 1; i < COUNT(bg96_codes); i++) /* [0] is "operation successful" */
            if (text_matches(text, len, bg96_codes[i].text, loose))
                return bg96_codes[i].code;
    }
    return -1;
}

/* Appends len bytes of s at pos (at most cap - 1), cut as snprintf cuts; returns the new
 * end. The caller ends the text with its NUL. */
static inline size_t append(char *buf, size_t cap, size_t pos, const char *s, size_t len)
{
    if (len > cap - 1 - pos)
        len = cap - 1 - pos;
    qftp_copy_short(buf + pos, s, len);
    return pos + len;
}

/* Appends v in decimal, as "%lld" writes it. */
static inline size_t append_int(char *buf, size_t cap, size_t pos, int64_t v)
{
    char num[24];
    char *d = qftp_put_u64(num + sizeof num, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--d = '-';
    return append(buf, cap, pos, d, (size_t)(num + sizeof num - d));
}

/* The literal s (its length known). */
#define APPEND_LIT(buf, cap, pos, s) append(buf, cap, pos, s, sizeof(s) - 1)

char *qftp_describe_result(int64_t err, int64_t protocol_error, bool have_pe, char *buf, size_t cap)
{
    if (buf == NULL || cap == 0)
        return buf;
    size_t pos = 0;
    const char *what = NULL;
    if (err == 0)
        what = "success";
    else if (err < 0 && err >= INT_MIN)
        what = qftp_code_text(QFTP_CODES_GSM_FTP, (int)err); /* GSM: negative codes */
    else if (err > 0 && err <= INT_MAX)
        what = qftp_code_text(QFTP_CODES_BG96_FTP, (int)err);
    if (what) {
        pos = append(buf, cap, pos, what, strlen(what));
    } else {
        pos = APPEND_LIT(buf, cap, pos, "error ");
        pos = append_int(buf, cap, pos, err);
    }
    /* <protocol_error> 0 means "none" (BG96 2.2). Any other reply is decoded, positive
     * ones too: "+QFTPGET: 627,150" occurs (device-quirks.md "Result codes"). */
    if (have_pe && protocol_error != 0) {
        const char *r = NULL;
        if (protocol_error > 0 && protocol_error < 1000)
            r = qftp_code_text(QFTP_CODES_FTP_REPLY, (int)protocol_error);
        if (r)
            pos = APPEND_LIT(buf, cap, pos, " - FTP ");
        else
            pos = APPEND_LIT(buf, cap, pos, " - FTP error ");
        pos = append_int(buf, cap, pos, protocol_error);
        if (r) {
            pos = APPEND_LIT(buf, cap, pos, ": ");
            pos = append(buf, cap, pos, r, strlen(r));
        }
    }
    buf[pos] = '\0';
    return buf;
}

/* ---- FTP service states (GSM 2.2.9 words, BG96 2.17 numbers) ---------------------------- */

static const struct {
    const char *name;
    const char *bg96;
} states[QFTP_STATE__COUNT] = {
#define STATE_ROW(state, gsm, bg96) [state] = {gsm, bg96},
    QFTP_FTP_STATES(STATE_ROW)
#undef STATE_ROW
};

const char *qftp_state_name(qftp_ftp_state s)
{
    return (unsigned)s < QFTP_STATE__COUNT ? states[s].name : "?";
}

const char *qftp_state_wire(qftp_ftp_state s, qftp_dialect d)
{
    if ((unsigned)s >= QFTP_STATE__COUNT)
        return NULL;
    return d == QFTP_DIALECT_BG96 ? states[s].bg96 : states[s].name;
}

int qftp_state_from_wire(const char *s, size_t len)
{
    if (s == NULL)
        return -1;
    for (int i = 0; i < QFTP_STATE__COUNT; i++) {
        if (strlen(states[i].name) == len && strncasecmp(s, states[i].name, len) == 0)
            return i;
        if (states[i].bg96 && len == 1 && s[0] == states[i].bg96[0])
            return i;
    }
    return -1;
}

/* ---- command definitions ------------------------------------------------------------------ */

/* Named values: one static array per list of QFTP_VALUE_LISTS, "values_<LIST>". */
#define V(value, text) {value, text},
#define VALUE_ARRAY(list, items) static const qftp_value_name values_##list[] = {items{0, NULL}};
QFTP_VALUE_LISTS(VALUE_ARRAY)
#undef VALUE_ARRAY
#undef V
#define values_NONE NULL

/* Parameters: each P_* list becomes a static array (a file-scope compound literal) with a
 * NULL-name sentinel, so an empty list is valid C and the count is sizeof - 1. */
#define PT_INT QFTP_PT_INT
#define PT_STRING QFTP_PT_STRING
#define PT_RAW QFTP_PT_RAW
#define PT_SECRET QFTP_PT_STRING /* a string that is a credential */
#define SECRET_INT false
#define SECRET_STRING false
#define SECRET_RAW false
#define SECRET_SECRET true
#define PARAM_(name, manual, type, lo, hi, maxlen, def, opt, values, desc)                         \
    {#name, manual, PT_##type, lo, hi, maxlen, def, opt, values_##values, desc, SECRET_##type},
#define PARAM(...) PARAM_(__VA_ARGS__) /* lets NOLIM expand into two arguments */
#define PARAMS(list) ((const qftp_param_def[]){list(PARAM){NULL}})
#define N_PARAMS(list) (sizeof PARAMS(list) / sizeof(qftp_param_def) - 1)

#define F_0 0u
#define F_E QFTP_FORM_EXEC
#define F_W QFTP_FORM_WRITE
#define F_TE (QFTP_FORM_TEST | QFTP_FORM_EXEC)
#define F_TW (QFTP_FORM_TEST | QFTP_FORM_WRITE)
#define F_EW (QFTP_FORM_EXEC | QFTP_FORM_WRITE)
#define F_TRW (QFTP_FORM_TEST | QFTP_FORM_READ | QFTP_FORM_WRITE)
#define F_TEW (QFTP_FORM_TEST | QFTP_FORM_EXEC | QFTP_FORM_WRITE)
#define D_GSM QFTP_DIALECT_GSM
#define D_BG96 QFTP_DIALECT_BG96
#define D_ANY QFTP_DIALECT_UNKNOWN

#define CMD_ROW(params, name, dialect, key, forms, summary, section, test, result, value_name,     \
                urc, data, ftp, alt)                                                               \
    {name,                                                                                         \
     D_##dialect,                                                                                  \
     key,                                                                                          \
     F_##forms,                                                                                    \
     PARAMS(params),                                                                               \
     N_PARAMS(params),                                                                             \
     summary,                                                                                      \
     section,                                                                                      \
     test,                                                                                         \
     QFTP_RES_##result,                                                                            \
     value_name,                                                                                   \
     F_##urc,                                                                                      \
     QFTP_DATA_##data,                                                                             \
     ftp,                                                                                          \
     alt},
static const qftp_cmd_def cmd_defs[] = {QFTP_COMMANDS(CMD_ROW)};
#undef CMD_ROW

/* The length of each row's name, known to the compiler: a lookup compares names of the
 * right length only. */
#define CMD_NAME_LEN(params, name, ...) sizeof(name) - 1,
static const unsigned char cmd_name_len[] = {QFTP_COMMANDS(CMD_NAME_LEN)};
#undef CMD_NAME_LEN

static bool cmd_name_is(size_t i, const char *name, size_t n)
{
    if (cmd_name_len[i] != n)
        return false;
    /* the last characters first (+QFTPGET / +QFTPPUT ...), then the whole name */
    return n == 0 || ((cmd_defs[i].name[n - 1] | 0x20) == (name[n - 1] | 0x20) &&
                      strcasecmp(cmd_defs[i].name, name) == 0);
}

const qftp_cmd_def *qftp_cmd_defs(size_t *n)
{
    if (n)
        *n = COUNT(cmd_defs);
    return cmd_defs;
}

/* Copies a key without quotes and surrounding spaces; false if it does not fit. */
static bool clean_key(const char *key, char *out, size_t cap)
{
    size_t n = strlen(key);
    while (n && (*key == ' ' || *key == '"')) {
        key++;
        n--;
    }
    while (n && (key[n - 1] == ' ' || key[n - 1] == '"'))
        n--;
    if (n >= cap)
        return false;
    memcpy(out, key, n);
    out[n] = '\0';
    return true;
}

const qftp_cmd_def *qftp_cmd_find(const char *name, qftp_dialect d, const char *key)
{
    if (name == NULL)
        return NULL;
    char k[64];
    bool have_key = key && clean_key(key, k, sizeof k);
    const qftp_cmd_def *best = NULL;
    int best_score = -1;
    /* the score no row can beat: the first row that has it is the answer */
    int top = (d != QFTP_DIALECT_UNKNOWN ? 2 : 0) + (have_key ? 4 : 0);
    size_t n = strlen(name);
    for (size_t i = 0; i < COUNT(cmd_defs); i++) {
        const qftp_cmd_def *c = &cmd_defs[i];
        /* a keyed row cannot match without a key: its name is not compared */
        if (cmd_name_len[i] != n || (c->key && !have_key) || !cmd_name_is(i, name, n))
            continue;
        int score = 0;
        if (d != QFTP_DIALECT_UNKNOWN) {
            if (c->dialect == d)
                score = 2; /* its own row beats the common one */
            else if (c->dialect == QFTP_DIALECT_UNKNOWN)
                score = 1;
            else
                continue; /* the other dialect's row */
        }
        if (c->key) {
            if (strcasecmp(c->key, k) != 0)
                continue;
            score += 4;
        }
        if (score > best_score) { /* ties keep the first row: GSM before BG96 */
            best = c;
            best_score = score;
            if (score == top)
                break;
        }
    }
    return best;
}

int qftp_cmd_dialect(const char *name)
{
    if (name == NULL)
        return -1;
    bool gsm = false, bg96 = false;
    size_t n = strlen(name);
    for (size_t i = 0; i < COUNT(cmd_defs); i++) {
        if (!cmd_name_is(i, name, n))
            continue;
        if (cmd_defs[i].dialect != QFTP_DIALECT_BG96)
            gsm = true;
        if (cmd_defs[i].dialect != QFTP_DIALECT_GSM)
            bg96 = true;
    }
    if (gsm && bg96)
        return QFTP_DIALECT_UNKNOWN;
    if (gsm)
        return QFTP_DIALECT_GSM;
    if (bg96)
        return QFTP_DIALECT_BG96;
    return -1;
}

/* A base row whose command has keyed rows decodes keys the tables do not know (newer
 * firmware's "restenable", "cache": device-quirks.md), with any number of values. */
static bool is_generic_base(const qftp_cmd_def *def)
{
    if (def->key != NULL)
        return false;
    for (size_t i = 0; i < COUNT(cmd_defs); i++)
        if (cmd_defs[i].key && cmd_defs[i].dialect == def->dialect &&
            strcmp(cmd_defs[i].name, def->name) == 0)
            return true;
    return false;
}

static int report(qftp_problem_cb problem, void *user, size_t index, const char *text)
{
    if (problem)
        problem(user, (int)index, text);
    return 1;
}

/* qftp_param_int() with its usual case, plain digits, in place. */
static inline bool param_int(qftp_span v, int64_t *out)
{
    return qftp_plain_digits(v.p, v.len, out) || qftp_param_int(v, out);
}

/* qftp_check_params() of a write form: out of line, so that the other forms (nothing to
 * check) do not pay for its frame. */
static __attribute__((noinline)) int check_write(const qftp_cmd_def *def, const qftp_subcmd *cmd,
                                                 qftp_problem_cb problem, void *user)
{
    const char *cname = def->name[0] ? def->name : "AT";
    size_t given = cmd->n_params < QFTP_MAX_PARAMS ? cmd->n_params : QFTP_MAX_PARAMS;
    int found = 0;
    char msg[256];
    /* (the generic row's check last: it walks the table) */
    if ((cmd->too_many_params || given > def->n_params) && !is_generic_base(def)) {
        if (cmd->too_many_params) {
            snprintf(msg, sizeof msg, "more than %d parameters, %s takes at most %zu",
                     QFTP_MAX_PARAMS, cname, def->n_params);
            found += report(problem, user, given, msg);
        } else if (given > def->n_params) {
            snprintf(msg, sizeof msg, "%zu parameter%s, %s takes %s%zu", given,
                     given == 1 ? "" : "s", cname, def->n_params ? "at most " : "", def->n_params);
            found += report(problem, user, def->n_params, msg);
        }
    }
    for (size_t i = 0; i < def->n_params; i++) {
        const qftp_param_def *p = &def->params[i];
        if (i >= given || cmd->params[i].len == 0) {
            /* an empty field (",,") is an omitted parameter */
            if (!p->optional) {
                snprintf(msg, sizeof msg, "%s missing (%s is required)", p->name, p->manual_name);
                found += report(problem, user, i, msg);
            }
            continue;
        }
        qftp_span v = cmd->params[i];
        if (p->type == QFTP_PT_INT) {
            int64_t x;
            if (!param_int(v, &x)) {
                int shown = v.len > 40 ? 40 : (int)v.len;
                snprintf(msg, sizeof msg, "%s '%.*s%s' is not a number", p->name, shown, v.p,
                         v.len > 40 ? "..." : "");
                found += report(problem, user, i, msg);
            } else if (p->min <= p->max && (x < p->min || x > p->max)) {
                snprintf(msg, sizeof msg, "%s %lld outside %lld-%lld", p->name, (long long)x,
                         (long long)p->min, (long long)p->max);
                found += report(problem, user, i, msg);
            }
        } else if (p->type == QFTP_PT_STRING && p->maxlen > 0 && v.len > (size_t)p->maxlen) {
            /* Quotes are not counted; an unquoted string is accepted by the modules and
             * is not a finding. (Unquoting never lengthens: a parameter no longer than
             * maxlen as written fits.) */
            char tmp[1];
            size_t n = qftp_param_unquote(v, tmp, sizeof tmp);
            if (n > (size_t)p->maxlen) {
                snprintf(msg, sizeof msg, "%s longer than %d bytes (%zu)", p->name, p->maxlen, n);
                found += report(problem, user, i, msg);
            }
        }
    }
    return found;
}

int qftp_check_params(const qftp_cmd_def *def, const qftp_subcmd *cmd, qftp_problem_cb problem,
                      void *user)
{
    if (def == NULL || cmd == NULL || cmd->type != QFTP_TYPE_WRITE)
        return 0;
    return check_write(def, cmd, problem, user);
}
