/* context.c - the module's lines about itself, its SIM, the network and its PDP context,
 * in words (qftp/context.h says where each meaning comes from).
 */
#include <ctype.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "qftp/context.h"
#include "qftp/tables.h"

static const char *const kind_names[] = {"",
#define X(ID, name) name,
                                         QFTP_CONTEXT_KINDS(X)
#undef X
};

const char *qftp_context_kind_name(qftp_context_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "";
}

const char *qftp_context_level_name(qftp_context_level l)
{
    static const char *const names[] = {"fine", "concern", "fatal"};
    return (unsigned)l < 3 ? names[l] : "";
}

#define SRC_27007_CREG "3GPP TS 27.007 7.2 (+CREG)"
#define SRC_27007_CGREG "3GPP TS 27.007 10.1.20 (+CGREG)"
#define SRC_27007_CEREG "3GPP TS 27.007 10.1.22 (+CEREG)"
#define SRC_27007_CFUN "3GPP TS 27.007 8.2 (+CFUN)"
#define SRC_27007_CPIN "3GPP TS 27.007 8.3 (+CPIN)"
#define SRC_27007_CSQ "3GPP TS 27.007 8.5 (+CSQ)"
#define SRC_TCPIP_QIACT "Quectel BG96 TCP/IP AT Commands Manual, AT+QIACT"
#define SRC_TCPIP_PDPDEACT "Quectel BG96 TCP/IP AT Commands Manual, URC +QIURC: \"pdpdeact\""
#define SRC_GSM_TCPIP "Quectel GSM TCPIP AT commands (+PDP DEACT)"
#define SRC_HD_ON "Quectel hardware design manuals, turning the module on (RDY)"
#define SRC_HD_OFF "Quectel hardware design manuals, turning the module off (AT+QPOWD)"
#define SRC_HD_VOLT "Quectel hardware design manuals, automatic shutdown (supply voltage)"

static bool word_is(const char *s, size_t n, const char *w)
{
    return n == strlen(w) && memcmp(s, w, n) == 0;
}

/* The supply-voltage words as firmware and manuals spell them: "UNDER_VOLTAGE POWER
 * DOWN", "UNDER-VOLTAGE POWER DOWN", "Under voltage warning": case, '_', '-' and ' '
 * alike. */
static bool words_like(const char *s, size_t n, const char *w, size_t m)
{
    if (n != m)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = w[i];
        bool sa = a == '_' || a == '-' || a == ' ', sb = b == '_' || b == '-' || b == ' ';
        if (sa != sb || (!sa && g_ascii_tolower(a) != g_ascii_tolower(b)))
            return false;
    }
    return true;
}

/* (the length of a literal known here: most lines are told apart by it alone) */
#define WORDS_LIKE(s, n, lit) words_like(s, n, lit, sizeof lit - 1)

static void set(qftp_context *c, qftp_context_kind k, qftp_context_level l, int64_t v,
                const char *source, const char *words)
{
    c->kind = k;
    c->level = l;
    c->value = v;
    c->source = source;
    snprintf(c->words, sizeof c->words, "%s", words);
}

/* The words of a line without a "+NAME:" form. */
static bool plain_words(const char *s, size_t n, qftp_context *c)
{
    if (word_is(s, n, "RDY")) {
        set(c, QFTP_CONTEXT_RESTART, QFTP_CONTEXT_FATAL, -1, SRC_HD_ON,
            "the module started (again): whatever was under way is lost, the FTP session and "
            "PDP context are gone, settings not saved are back to their defaults");
        return true;
    }
    if (word_is(s, n, "POWERED DOWN") || word_is(s, n, "NORMAL POWER DOWN")) {
        set(c, QFTP_CONTEXT_POWER_DOWN, QFTP_CONTEXT_FATAL, -1, SRC_HD_OFF,
            "the module powered down (AT+QPOWD or its power key): nothing is answered until it "
            "starts again");
        return true;
    }
    if (WORDS_LIKE(s, n, "UNDER_VOLTAGE POWER DOWN") ||
        WORDS_LIKE(s, n, "OVER_VOLTAGE POWER DOWN")) {
        set(c, QFTP_CONTEXT_POWER_DOWN, QFTP_CONTEXT_FATAL, -1, SRC_HD_VOLT,
            "the module shut itself down: its supply voltage is out of range");
        return true;
    }
    if (WORDS_LIKE(s, n, "UNDER_VOLTAGE WARNING") || WORDS_LIKE(s, n, "OVER_VOLTAGE WARNING")) {
        set(c, QFTP_CONTEXT_VOLTAGE, QFTP_CONTEXT_CONCERN, -1, SRC_HD_VOLT,
            "the supply voltage is near its limit: the module may shut itself down");
        return true;
    }
    if (word_is(s, n, "APP RDY")) {
        /* BG95/BG96/BG77 after RDY: the module's application side is up */
        set(c, QFTP_CONTEXT_READY, QFTP_CONTEXT_FINE, -1, SRC_HD_ON,
            "the module finished starting (APP RDY: it takes AT commands)");
        return true;
    }
    if (word_is(s, n, "Call Ready") || word_is(s, n, "SMS Ready")) {
        set(c, QFTP_CONTEXT_READY, QFTP_CONTEXT_FINE, -1, SRC_HD_ON,
            "the module finished starting (calls / SMS ready)");
        return true;
    }
    if (word_is(s, n, "+PDP DEACT")) {
        set(c, QFTP_CONTEXT_PDP_DEACTIVATED, QFTP_CONTEXT_FATAL, -1, SRC_GSM_TCPIP,
            "the network deactivated the GPRS context: the FTP session over it is gone "
            "(AT+QIDEACT, then activate it again)");
        return true;
    }
    return false;
}

/* <stat> of +CREG / +CGREG / +CEREG. */
static void registration(qftp_context *c, int64_t stat, const char *source)
{
    static const struct {
        qftp_context_level level;
        const char *words;
    } stats[] = {
        {QFTP_CONTEXT_FATAL, "not registered and not searching for an operator: no data "
                             "connection is possible"},
        {QFTP_CONTEXT_FINE, "registered, home network"},
        {QFTP_CONTEXT_CONCERN, "not registered, searching for an operator to register to: no "
                               "data connection until it is"},
        {QFTP_CONTEXT_FATAL, "registration denied by the network"},
        {QFTP_CONTEXT_CONCERN, "registration unknown (out of coverage?)"},
        {QFTP_CONTEXT_FINE, "registered, roaming"},
    };
    char w[200];
    if (stat >= 0 && stat < (int64_t)(sizeof stats / sizeof stats[0])) {
        snprintf(w, sizeof w, "%s (<stat> %lld)", stats[stat].words, (long long)stat);
        set(c, QFTP_CONTEXT_REGISTRATION, stats[stat].level, stat, source, w);
    } else {
        snprintf(w, sizeof w, "registration <stat> %lld (SMS-only, emergency or CSFB states)",
                 (long long)stat);
        set(c, QFTP_CONTEXT_REGISTRATION, QFTP_CONTEXT_CONCERN, stat, source, w);
    }
}

static bool field_int(const qftp_resp *r, size_t i, int64_t *v)
{
    return i < r->n_fields && !qftp_param_is_quoted(r->fields[i]) &&
           qftp_param_int(r->fields[i], v);
}

/* Whether the line may be one of the "+NAME:" lines below: each name starts "+C" or "+QI"
 * (as qftp_resp_parse reads a name: after spaces, upper-cased). Most module lines are FTP
 * responses and are not parsed. */
static bool may_be_named(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        n--;
    }
    if (n < 3 || s[0] != '+')
        return false;
    int a = toupper((unsigned char)s[1]);
    return a == 'C' || (a == 'Q' && toupper((unsigned char)s[2]) == 'I');
}

bool qftp_context_decode(const char *line, size_t n, qftp_context *c)
{
    memset(c, 0, sizeof *c);
    c->value = -1;
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\r' || line[n - 1] == '\n'))
        n--;
    if (plain_words(line, n, c))
        return true;
    if (!may_be_named(line, n))
        return false;
    qftp_resp r;
    if (!qftp_resp_parse(line, n, &r) || r.n_fields == 0)
        return false;
    int64_t a, b;
    char buf[64];
    char w[200];
    if (strcmp(r.name, "+CREG") == 0 || strcmp(r.name, "+CGREG") == 0 ||
        strcmp(r.name, "+CEREG") == 0) {
        const char *src = r.name[2] == 'R'   ? SRC_27007_CREG
                          : r.name[2] == 'G' ? SRC_27007_CGREG
                                             : SRC_27007_CEREG;
        /* the read response is "<n>,<stat>[,...]" (a number second); the URC "<stat>" or
         * "<stat>,<lac>,..." (a quoted area code second) */
        if (field_int(&r, 1, &b) && field_int(&r, 0, &a))
            registration(c, b, src);
        else if (field_int(&r, 0, &a))
            registration(c, a, src);
        else
            return false;
        return true;
    }
    if (strcmp(r.name, "+CSQ") == 0 && field_int(&r, 0, &a)) {
        if (a == 99) {
            set(c, QFTP_CONTEXT_SIGNAL, QFTP_CONTEXT_CONCERN, a, SRC_27007_CSQ,
                "signal strength not known or not detectable (<rssi> 99)");
        } else if (a >= 0 && a <= 31) {
            int dbm = a == 0 ? -113 : a == 31 ? -51 : -113 + 2 * (int)a;
            snprintf(w, sizeof w, "signal %d dBm%s (<rssi> %lld)%s", dbm,
                     a == 0    ? " or less"
                     : a == 31 ? " or more"
                               : "",
                     (long long)a, a < 10 ? ": weak, transfers may stall or time out" : "");
            set(c, QFTP_CONTEXT_SIGNAL, a < 10 ? QFTP_CONTEXT_CONCERN : QFTP_CONTEXT_FINE, a,
                SRC_27007_CSQ, w);
        } else {
            return false;
        }
        return true;
    }
    if (strcmp(r.name, "+CFUN") == 0 && field_int(&r, 0, &a)) {
        const char *f = a == 1   ? "full functionality"
                        : a == 0 ? "minimum functionality: radio off, no network"
                        : a == 4 ? "radio off (flight mode): no network"
                                 : "a reduced functionality level";
        snprintf(w, sizeof w, "%s (<fun> %lld)", f, (long long)a);
        set(c, QFTP_CONTEXT_FUNCTIONALITY, a == 1 ? QFTP_CONTEXT_FINE : QFTP_CONTEXT_FATAL, a,
            SRC_27007_CFUN, w);
        return true;
    }
    if (strcmp(r.name, "+CPIN") == 0) {
        qftp_param_unquote(r.fields[0], buf, sizeof buf);
        if (strcmp(buf, "READY") == 0) {
            set(c, QFTP_CONTEXT_SIM, QFTP_CONTEXT_FINE, -1, SRC_27007_CPIN,
                "the SIM is ready (no PIN pending)");
        } else if (strcmp(buf, "NOT INSERTED") == 0 || strcmp(buf, "NOT READY") == 0) {
            snprintf(w, sizeof w, "SIM %s: no registration, no data connection",
                     strcmp(buf, "NOT INSERTED") == 0 ? "not inserted" : "not ready");
            set(c, QFTP_CONTEXT_SIM, QFTP_CONTEXT_FATAL, -1, SRC_27007_CPIN, w);
        } else {
            snprintf(w, sizeof w, "the SIM waits for %s: no registration until it is given", buf);
            set(c, QFTP_CONTEXT_SIM, QFTP_CONTEXT_CONCERN, -1, SRC_27007_CPIN, w);
        }
        return true;
    }
    if (strcmp(r.name, "+QIACT") == 0 && field_int(&r, 0, &a) && field_int(&r, 1, &b)) {
        char ip[64] = "";
        if (r.n_fields >= 4)
            qftp_param_unquote(r.fields[3], ip, sizeof ip);
        if (b == 1)
            snprintf(w, sizeof w, "PDP context %lld is active%s%s", (long long)a,
                     ip[0] ? ", IP address " : "", ip);
        else
            snprintf(w, sizeof w, "PDP context %lld is not active: FTP over it cannot work",
                     (long long)a);
        set(c, QFTP_CONTEXT_PDP_CONTEXT, b == 1 ? QFTP_CONTEXT_FINE : QFTP_CONTEXT_FATAL, a,
            SRC_TCPIP_QIACT, w);
        return true;
    }
    if (strcmp(r.name, "+QIURC") == 0) {
        qftp_param_unquote(r.fields[0], buf, sizeof buf);
        if (strcmp(buf, "pdpdeact") != 0 || !field_int(&r, 1, &a))
            return false;
        snprintf(w, sizeof w,
                 "the network deactivated PDP context %lld: the FTP session over it is gone "
                 "(AT+QIDEACT=%lld, then AT+QIACT=%lld, then log in again)",
                 (long long)a, (long long)a, (long long)a);
        set(c, QFTP_CONTEXT_PDP_DEACTIVATED, QFTP_CONTEXT_FATAL, a, SRC_TCPIP_PDPDEACT, w);
        return true;
    }
    if (strcmp(r.name, "+QIND") == 0) {
        qftp_param_unquote(r.fields[0], buf, sizeof buf);
        if (strcmp(buf, "SMS DONE") == 0 || strcmp(buf, "PB DONE") == 0) {
            set(c, QFTP_CONTEXT_READY, QFTP_CONTEXT_FINE, -1, SRC_HD_ON,
                strcmp(buf, "SMS DONE") == 0 ? "the module finished starting (SMS ready)"
                                             : "the module finished starting (phonebook ready)");
            return true;
        }
        if (strcmp(buf, "vbatt") == 0 && field_int(&r, 1, &a)) {
            set(c, QFTP_CONTEXT_VOLTAGE, QFTP_CONTEXT_CONCERN, a, SRC_HD_VOLT,
                a < 0 ? "the supply voltage is low: the module may shut itself down"
                      : "the supply voltage is high: the module may shut itself down");
            return true;
        }
    }
    return false;
}
