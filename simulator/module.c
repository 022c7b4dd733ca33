/* module.c - a simulated Quectel module: the AT command engine of both dialects, the FTP
 * service state machine, data mode, local storage and real FTP through libcurl.
 *
 * Everything the module says comes from the core library's tables (test responses,
 * ranges, code texts, state words) or from the manuals' response shapes written out
 * here; device-quirks.md decides where the manuals and real modules differ. The FTP
 * side is libcurl's multi interface: one transfer at a time (the module has one FTP
 * service), the control connection kept alive between commands by libcurl's
 * connection cache, so AT+QFTPOPEN really logs in and AT+QFTPCLOSE really quits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "qftp/parser.h"
#include "sim.h"

#define DEFAULT_RSPTIMEOUT (90 * QFTP_NS_PER_SEC) /* BG96 2.1 <timeout> default */
#define DEFAULT_CLOSE_DELAY (100 * QFTP_NS_PER_MS)
#define MAX_PEND 32
#define PATH_CAP 1024
#define NAME_CAP 320

/* Results of a command handler: >= 0 is a +CME ERROR code. */
#define RES_OK (-1)
#define RES_ERROR (-2)
#define RES_DONE (-3) /* the handler answered (or will answer) by itself; the line stops here */

typedef enum { DM_COMMAND = 0, DM_UPLOAD, DM_DOWNLOAD } dm_state;
static const char *const dm_names[] = {"COMMAND", "UPLOAD", "DOWNLOAD"};

typedef enum {
    OP_NONE = 0,
    OP_OPEN,
    OP_CWD, /* BG96 AT+QFTPCWD, GSM AT+QFTPPATH */
    OP_QUOTE,
    OP_SIZE,
    OP_MDTM,
    OP_GET,
    OP_PUT,
    OP_LIST,
    OP_NLST,
    OP_MLSD,
} op_kind;

typedef enum { PEND_TEXT = 0, PEND_CLOSE_DONE, PEND_UPLOAD_DEADLINE } pend_action;

typedef struct {
    qftp_ts due;
    pend_action action;
    char *text;
    size_t len;
} pend_item;

/* The FTP operation under way (at most one). */
typedef struct {
    op_kind kind;
    char name[24]; /* "+QFTPGET": the completion URC's name */
    CURL *easy;
    struct curl_slist *quote;
    bool to_com;    /* data through the serial port */
    FILE *local;    /* UFS file (upload source or download target) */
    int64_t limit;  /* bytes to move at most (uploadlen / UFS size); -1 none */
    int64_t bytes;  /* payload bytes moved */
    int64_t passed; /* bytes that reached the host (downloads) or the server (uploads) */
    bool connected; /* CONNECT sent */
    bool write_paused, read_paused;
    bool up_eof;
    bool up_timeout; /* data mode ended by inactivity: 609 (device-quirks.md) */
    bool stalled;    /* stall fault fired: the op never finishes for the host */
    char reply[256]; /* last FTP reply line */
    char target[PATH_CAP];
    const sim_fault *f_truncate, *f_stall, *f_disconnect;
} ftp_op;

struct sim_module {
    sim_opts o;
    qftp_parser *tx;
    qftp_ts now;

    /* output to the host */
    uint8_t *out;
    size_t out_len, out_head, out_cap;
    char *held; /* text held while the module is in download data mode */
    size_t held_len, held_cap;
    bool info_open; /* an information response is being written */
    bool ok_held;   /* swap-ok-urc: the OK waits for the URC */
    pend_item pend[MAX_PEND];
    size_t n_pend;
    bool disconnect;

    /* V.250 and friends */
    bool echo;
    int cmee;
    int ifc[2];
    char last_line[1024];
    size_t last_line_len;
    char cur_cmd[32]; /* the command being answered (for faults) */

    /* context */
    bool ctx_active[17];
    char apn[17][64];
    int fgcnt;

    /* FTP configuration */
    char user[256], pass[256];
    int filetype, transmode, contextid, ssltype, sslctxid, data_address;
    qftp_ts rsptimeout;
    int64_t resume;          /* GSM <type> 3 */
    char localpos[NAME_CAP]; /* GSM <type> 4 */

    /* FTP service */
    qftp_ftp_state state;
    char host[256];
    int port;
    char cwd[PATH_CAP];
    bool stuck; /* after 615 every FTP command gets 603 until AT+QFTPCLOSE */
    int64_t last_len;
    CURLM *multi;
    ftp_op op;

    /* data mode */
    dm_state dm;
    uint8_t up[SIM_UP_CAP + 8]; /* host -> server bytes (ring) */
    size_t up_head, up_len;

    /* AT+QFUPL / AT+QFOPEN */
    FILE *qfupl;
    int64_t qfupl_left, qfupl_total;
    unsigned qfupl_cs;
    uint64_t qfupl_pos;
    FILE *handles[8];
};

/* ---- small helpers ---------------------------------------------------------------------- */

qftp_ts sim_now_mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (qftp_ts)t.tv_sec * QFTP_NS_PER_SEC + t.tv_nsec;
}

qftp_ts sim_now_real(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (qftp_ts)t.tv_sec * QFTP_NS_PER_SEC + t.tv_nsec;
}

static void logf_(sim_module *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(sim_module *m, const char *fmt, ...)
{
    if (!m->o.log)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    m->o.log(m->o.log_user, buf);
}

static bool is_gsm(const sim_module *m)
{
    return m->o.dialect == QFTP_DIALECT_GSM;
}

static const sim_fault *fault(const sim_module *m, sim_fault_kind k, const char *cmd)
{
    return sim_fault_find(m->o.faults, m->o.n_faults, k, cmd);
}

/* The single setter of the FTP service state (conventions.md "Named states"). */
static void set_state(sim_module *m, qftp_ftp_state s)
{
    if (m->state == s)
        return;
    logf_(m, "ftp state %s -> %s", qftp_state_name(m->state), qftp_state_name(s));
    m->state = s;
}

static void set_dm(sim_module *m, dm_state d)
{
    if (m->dm == d)
        return;
    logf_(m, "serial %s -> %s", dm_names[m->dm], dm_names[d]);
    m->dm = d;
}

/* ---- output ------------------------------------------------------------------------------ */

static void out_raw(sim_module *m, const void *b, size_t n)
{
    if (m->out_head > 0 && m->out_head == m->out_len)
        m->out_head = m->out_len = 0;
    if (m->out_len + n > m->out_cap) {
        if (m->out_head > 0) {
            memmove(m->out, m->out + m->out_head, m->out_len - m->out_head);
            m->out_len -= m->out_head;
            m->out_head = 0;
        }
        if (m->out_len + n > m->out_cap) {
            size_t cap = m->out_cap ? m->out_cap : 4096;
            while (cap < m->out_len + n)
                cap *= 2;
            uint8_t *p = realloc(m->out, cap);
            if (!p)
                return; /* out of memory: the bytes are lost, as on a full UART FIFO */
            m->out = p;
            m->out_cap = cap;
        }
    }
    memcpy(m->out + m->out_len, b, n);
    m->out_len += n;
}

/* Text (responses, URCs) waits while a download runs: data mode carries file bytes only. */
static void out_text(sim_module *m, const char *s, size_t n)
{
    if (m->dm != DM_DOWNLOAD) {
        out_raw(m, s, n);
        return;
    }
    if (m->held_len + n > m->held_cap) {
        size_t cap = m->held_cap ? m->held_cap * 2 : 1024;
        while (cap < m->held_len + n)
            cap *= 2;
        char *p = realloc(m->held, cap);
        if (!p)
            return;
        m->held = p;
        m->held_cap = cap;
    }
    memcpy(m->held + m->held_len, s, n);
    m->held_len += n;
}

static void out_str(sim_module *m, const char *s)
{
    out_text(m, s, strlen(s));
}

static void leave_download(sim_module *m)
{
    set_dm(m, DM_COMMAND);
    if (m->held_len) {
        out_raw(m, m->held, m->held_len);
        m->held_len = 0;
    }
}

/* "+NAME: " or "+NAME:" for this dialect/command (device-quirks.md "Dialect differences":
 * GSM has no space, except +QFTPLEN). */
static const char *sep(const sim_module *m, const char *name)
{
    if (fault(m, SIM_FAULT_NO_SPACE, name))
        return ":";
    if (is_gsm(m) && strncmp(name, "+QFTP", 5) == 0 && strcmp(name, "+QFTPLEN") != 0)
        return ":";
    return ": ";
}

/* An information response line; the first one of a response opens with \r\n. */
static void info(sim_module *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void info(sim_module *m, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof buf - 3)
        n = (int)sizeof buf - 3;
    if (!m->info_open)
        out_str(m, "\r\n");
    m->info_open = true;
    memcpy(buf + n, "\r\n", 2);
    out_text(m, buf, (size_t)n + 2);
}

/* "+NAME: fields" as an information line */
static void info_named(sim_module *m, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void info_named(sim_module *m, const char *name, const char *fmt, ...)
{
    char buf[1600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    info(m, "%s%s%s", name, sep(m, name), buf);
}

static void final_word(sim_module *m, const char *word)
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, "\r\n%s\r\n", word);
    out_text(m, buf, (size_t)n);
    m->info_open = false;
}

static void final_cme(sim_module *m, int code)
{
    const sim_fault *f = fault(m, SIM_FAULT_ERROR_CODE, m->cur_cmd);
    if (f)
        code = (int)f->arg;
    if (m->cmee == 0) {
        final_word(m, "ERROR");
        return;
    }
    char buf[160];
    const char *text = NULL;
    if (m->cmee == 2) {
        text = qftp_code_text(QFTP_CODES_BG96_FTP, code);
        if (!text || code == 0)
            text = qftp_code_text(QFTP_CODES_CME, code);
    }
    if (text)
        snprintf(buf, sizeof buf, "+CME ERROR: %s", text);
    else
        snprintf(buf, sizeof buf, "+CME ERROR: %d", code);
    final_word(m, buf);
}

/* ---- pending timed actions ------------------------------------------------------------ */

static void pend_add(sim_module *m, qftp_ts due, pend_action a, const char *text, size_t len)
{
    if (m->n_pend == MAX_PEND)
        return;
    pend_item *p = &m->pend[m->n_pend++];
    p->due = due;
    p->action = a;
    p->text = NULL;
    p->len = 0;
    if (text && len) {
        p->text = malloc(len);
        if (p->text) {
            memcpy(p->text, text, len);
            p->len = len;
        }
    }
}

static void pend_clear(sim_module *m)
{
    for (size_t i = 0; i < m->n_pend; i++)
        free(m->pend[i].text);
    m->n_pend = 0;
}

/* The completion URC of an asynchronous command, with the URC faults applied. */
static void urc(sim_module *m, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void urc(sim_module *m, const char *name, const char *fmt, ...)
{
    char body[1200], buf[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    int n = snprintf(buf, sizeof buf, "\r\n%s%s%s\r\n", name, sep(m, name), body);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof buf)
        n = (int)sizeof buf - 1;
    bool ok_after = m->ok_held;
    m->ok_held = false;
    if (ok_after && (size_t)n + 6 < sizeof buf) {
        memcpy(buf + n, "\r\nOK\r\n", 6);
        n += 6;
    }
    if (fault(m, SIM_FAULT_DROP_URC, name)) {
        logf_(m, "fault drop-urc: %s%s%s not sent", name, sep(m, name), body);
        if (ok_after)
            out_str(m, "\r\nOK\r\n");
        return;
    }
    const sim_fault *d = fault(m, SIM_FAULT_DELAY_URC, name);
    if (d) {
        logf_(m, "fault delay-urc: %s by %lld ms", name, (long long)d->arg);
        pend_add(m, m->now + d->arg * QFTP_NS_PER_MS, PEND_TEXT, buf, (size_t)n);
        return;
    }
    out_text(m, buf, (size_t)n);
}

/* Outcome of a BG96 command: "+NAME: <err>,<pe or value>" (error-code fault applied). */
static void bg96_result(sim_module *m, const char *name, int err, int64_t v)
{
    const sim_fault *f = fault(m, SIM_FAULT_ERROR_CODE, name);
    if (f && err != 0)
        err = (int)f->arg;
    urc(m, name, "%d,%lld", err, (long long)v);
}

/* Outcome of a GSM command: "+NAME:<n>", n < 0 an error. */
static void gsm_result(sim_module *m, const char *name, int64_t n)
{
    const sim_fault *f = fault(m, SIM_FAULT_ERROR_CODE, name);
    if (f && n < 0)
        n = f->arg > 0 ? -f->arg : f->arg;
    urc(m, name, "%lld", (long long)n);
}

/* ---- paths on the server ---------------------------------------------------------------- */

/* Resolves name against the current directory into an absolute, normalised path. */
static void resolve(const sim_module *m, const char *name, char *out, size_t cap)
{
    char tmp[PATH_CAP * 2];
    if (name[0] == '/')
        snprintf(tmp, sizeof tmp, "%s", name);
    else
        snprintf(tmp, sizeof tmp, "%s/%s", m->cwd, name);
    char *segs[256];
    size_t ns = 0;
    char *save = NULL;
    for (char *s = strtok_r(tmp, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
        if (strcmp(s, ".") == 0 || s[0] == '\0')
            continue;
        if (strcmp(s, "..") == 0) {
            if (ns)
                ns--;
            continue;
        }
        if (ns < 256)
            segs[ns++] = s;
    }
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < ns; i++) {
        int w = snprintf(out + k, cap - k, "/%s", segs[i]);
        if (w < 0 || (size_t)w >= cap - k)
            break;
        k += (size_t)w;
    }
    if (k == 0)
        snprintf(out, cap, "/");
}

/* ftp[s]://host:port/%2F<escaped path>[/] (absolute path, sent as is with NOCWD) */
static void make_url(sim_module *m, const char *abs, bool dir, char *out, size_t cap)
{
    const char *scheme = (!is_gsm(m) && m->ssltype == 1) ? "ftps" : "ftp";
    bool v6 = strchr(m->host, ':') != NULL;
    int k = snprintf(out, cap, "%s://%s%s%s:%d/%%2F", scheme, v6 ? "[" : "", m->host, v6 ? "]" : "",
                     m->port);
    if (k < 0 || (size_t)k >= cap)
        return;
    const char *p = abs;
    while (*p == '/')
        p++;
    bool any = false;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *esc = curl_easy_escape(NULL, p, (int)n);
        if (esc) {
            k += snprintf(out + k, cap - (size_t)k, "%s%s", any ? "/" : "", esc);
            curl_free(esc);
        }
        any = true;
        if ((size_t)k >= cap)
            return;
        p += n;
        while (*p == '/')
            p++;
    }
    if (dir && any && (size_t)k + 1 < cap)
        snprintf(out + k, cap - (size_t)k, "/");
}

/* ---- libcurl ----------------------------------------------------------------------------------
 */

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    sim_module *m = ud;
    size_t n = size * nmemb;
    size_t k = n;
    while (k > 0 && (ptr[k - 1] == '\r' || ptr[k - 1] == '\n'))
        k--;
    if (k >= sizeof m->op.reply)
        k = sizeof m->op.reply - 1;
    memcpy(m->op.reply, ptr, k);
    m->op.reply[k] = '\0';
    return n;
}

static void disconnect_fault(sim_module *m, const char *why)
{
    logf_(m, "fault disconnect: %s", why);
    m->disconnect = true;
}

static void enter_download(sim_module *m)
{
    ftp_op *op = &m->op;
    op->connected = true;
    out_raw(m, "\r\nCONNECT\r\n", 11);
    m->info_open = false;
    set_dm(m, DM_DOWNLOAD);
    set_state(m, QFTP_STATE_TRANSFER);
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    sim_module *m = ud;
    ftp_op *op = &m->op;
    size_t n = size * nmemb;
    if (!op->to_com) {
        if (op->local && fwrite(ptr, 1, n, op->local) != n)
            return 0;
        op->bytes += (int64_t)n;
        op->passed += (int64_t)n;
        return n;
    }
    if (op->stalled || m->disconnect)
        return CURL_WRITEFUNC_PAUSE;
    if (m->out_len - m->out_head > SIM_OUT_HIGH) {
        op->write_paused = true;
        return CURL_WRITEFUNC_PAUSE;
    }
    if (!op->connected)
        enter_download(m);
    int64_t pass = (int64_t)n;
    if (op->f_stall && op->bytes + pass >= op->f_stall->arg) {
        pass = op->f_stall->arg - op->bytes;
        if (pass < 0)
            pass = 0;
        op->stalled = true;
        logf_(m, "fault stall: %s stops after %lld bytes", op->name, (long long)op->f_stall->arg);
    }
    if (op->f_truncate && op->bytes + pass > op->f_truncate->arg) {
        int64_t keep = op->f_truncate->arg - op->bytes;
        if (keep < pass)
            pass = keep < 0 ? 0 : keep;
    }
    if (op->f_disconnect && op->f_disconnect->arg >= 0 &&
        op->bytes + pass > op->f_disconnect->arg) {
        int64_t keep = op->f_disconnect->arg - op->bytes;
        pass = keep < 0 ? 0 : keep;
    }
    if (pass > 0)
        out_raw(m, ptr, (size_t)pass);
    op->passed += pass;
    op->bytes += (int64_t)n;
    if (op->f_disconnect && op->f_disconnect->arg >= 0 && op->bytes >= op->f_disconnect->arg &&
        !m->disconnect)
        disconnect_fault(m, "during the download");
    return n;
}

static void enter_upload(sim_module *m);

static size_t on_read(char *buf, size_t size, size_t nmemb, void *ud)
{
    sim_module *m = ud;
    ftp_op *op = &m->op;
    size_t want = size * nmemb;
    if (!op->to_com) {
        if (!op->local)
            return 0;
        if (op->limit >= 0 && (int64_t)want > op->limit - op->bytes)
            want = (size_t)(op->limit - op->bytes);
        size_t got = want ? fread(buf, 1, want, op->local) : 0;
        op->bytes += (int64_t)got;
        op->passed += (int64_t)got;
        return got;
    }
    if (!op->connected)
        enter_upload(m);
    if (m->up_len == 0) {
        if (op->up_eof)
            return 0;
        op->read_paused = true;
        return CURL_READFUNC_PAUSE;
    }
    size_t k = 0;
    while (k < want && m->up_len > 0) {
        size_t run = sizeof m->up - m->up_head;
        if (run > m->up_len)
            run = m->up_len;
        if (run > want - k)
            run = want - k;
        memcpy(buf + k, m->up + m->up_head, run);
        m->up_head = (m->up_head + run) % sizeof m->up;
        m->up_len -= run;
        k += run;
    }
    op->passed += (int64_t)k;
    return k;
}

static long timeout_ms(const sim_module *m)
{
    return (long)(m->rsptimeout / QFTP_NS_PER_MS);
}

/* A transfer handle with the module's FTP settings. */
static CURL *easy_new(sim_module *m, const char *url)
{
    CURL *e = curl_easy_init();
    if (!e)
        return NULL;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, m);
    /* GSM 2.2.6: "" is the anonymous account (libcurl's default without a user) */
    if (m->user[0]) {
        curl_easy_setopt(e, CURLOPT_USERNAME, m->user);
        curl_easy_setopt(e, CURLOPT_PASSWORD, m->pass);
    }
    curl_easy_setopt(e, CURLOPT_FTP_FILEMETHOD, (long)CURLFTPMETHOD_NOCWD);
    curl_easy_setopt(e, CURLOPT_FTP_USE_EPSV, 0L); /* the modules use PASV */
    if (m->transmode == 0)
        curl_easy_setopt(e, CURLOPT_FTPPORT, "-");
    if (m->data_address == 1)
        curl_easy_setopt(e, CURLOPT_FTP_SKIP_PASV_IP, 1L);
    curl_easy_setopt(e, CURLOPT_TRANSFERTEXT, m->filetype == 1 ? 1L : 0L);
    if (!is_gsm(m) && m->ssltype != 0) {
        if (m->ssltype == 2)
            curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
        /* BG96 3.2 uses seclevel 0: no server certificate check */
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    long ms = timeout_ms(m);
    long secs = ms / 1000 > 0 ? ms / 1000 : 1;
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ms);
    curl_easy_setopt(e, CURLOPT_SERVER_RESPONSE_TIMEOUT, secs);
    curl_easy_setopt(e, CURLOPT_ACCEPTTIMEOUT_MS, ms);
    /* BG96 2.1 <timeout>: the longest pause between two packets of a transfer */
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, secs);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, m);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, m);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(e, CURLOPT_READDATA, m);
    return e;
}

static void op_free(sim_module *m)
{
    ftp_op *op = &m->op;
    if (op->easy) {
        curl_multi_remove_handle(m->multi, op->easy);
        curl_easy_cleanup(op->easy);
    }
    curl_slist_free_all(op->quote);
    if (op->local)
        fclose(op->local);
    memset(op, 0, sizeof *op);
    m->up_len = m->up_head = 0;
}

static bool op_start(sim_module *m, CURL *e)
{
    m->op.easy = e;
    if (!e || curl_multi_add_handle(m->multi, e) != CURLM_OK) {
        if (e)
            curl_easy_cleanup(e);
        m->op.easy = NULL;
        return false;
    }
    return true;
}

/* Starts an operation: the URC name and the faults that apply to it. */
static void op_begin(sim_module *m, op_kind kind, const char *name)
{
    op_free(m);
    m->op.kind = kind;
    m->op.limit = -1;
    snprintf(m->op.name, sizeof m->op.name, "%s", name);
    m->op.f_truncate = fault(m, SIM_FAULT_TRUNCATE, name);
    m->op.f_stall = fault(m, SIM_FAULT_STALL, name);
    m->op.f_disconnect = fault(m, SIM_FAULT_DISCONNECT, name);
}

/* ---- error codes ------------------------------------------------------------------------ */

/* BG96 chapter 5 codes 614..630 are the 4xx/5xx FTP replies of chapter 6, in order
 * (614 = 421 ... 625 = 530 ... 630 = 553); the FTP reply table's 4xx/5xx rows are
 * exactly chapter 6's list, so the mapping is read off the tables. */
static int bg96_err_for_reply(long reply)
{
    size_t n;
    const qftp_code *c = qftp_codes(QFTP_CODES_FTP_REPLY, &n);
    int idx = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].code < 400)
            continue;
        if (c[i].code == reply) {
            int err = 614 + idx;
            return qftp_code_text(QFTP_CODES_BG96_FTP, err) ? err : 601;
        }
        idx++;
    }
    return 601;
}

static int gsm_err_for_reply(long reply)
{
    return qftp_code_text(QFTP_CODES_GSM_FTP, (int)-reply) ? (int)-reply : -1;
}

typedef struct {
    int bg96; /* chapter 5 <err> */
    long pe;  /* <protocol_error> */
    int gsm;  /* GSM chapter 3 <err> */
} err_pair;

static err_pair map_failure(CURLcode rc, long reply)
{
    err_pair e = {601, 0, -1};
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        e = (err_pair){604, 0, -4};
        break;
    case CURLE_COULDNT_CONNECT:
        e = (err_pair){605, 0, -5};
        break;
    case CURLE_OPERATION_TIMEDOUT:
        e = (err_pair){609, 0, -9};
        break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_USE_SSL_FAILED:
        e = (err_pair){631, reply, -5};
        break;
    case CURLE_FTP_ACCEPT_FAILED:
    case CURLE_FTP_ACCEPT_TIMEOUT:
    case CURLE_FTP_WEIRD_PASV_REPLY:
    case CURLE_FTP_WEIRD_227_FORMAT:
    case CURLE_FTP_CANT_GET_HOST:
    case CURLE_FTP_PORT_FAILED:
        e = (err_pair){615, reply >= 400 ? reply : 425, -425};
        break;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        e = (err_pair){607, 0, -7};
        break;
    case CURLE_GOT_NOTHING:
    case CURLE_WEIRD_SERVER_REPLY:
        e = (err_pair){606, 0, -6};
        break;
    case CURLE_BAD_DOWNLOAD_RESUME:
        e = (err_pair){612, 0, -1};
        break;
    case CURLE_WRITE_ERROR:
    case CURLE_READ_ERROR:
        e = (err_pair){613, 0, -12};
        break;
    default:
        if (reply >= 400) {
            e.bg96 = bg96_err_for_reply(reply);
            e.pe = reply;
            e.gsm = gsm_err_for_reply(reply);
        }
        break;
    }
    if (rc == CURLE_LOGIN_DENIED) {
        e.bg96 = 625;
        e.pe = reply >= 400 ? reply : 530;
        e.gsm = -530;
    }
    return e;
}

/* ---- storage ------------------------------------------------------------------------------ */

/* Calls fn on each regular file of the area whose name matches pattern. */
static void each_stored(sim_module *m, sim_area area, const char *pattern,
                        void (*fn)(sim_module *m, sim_area area, const char *path, const char *name,
                                   const struct stat *st))
{
    char dir[PATH_CAP];
    snprintf(dir, sizeof dir, "%s%s", m->o.ufs_dir,
             area == SIM_AREA_RAM  ? "/RAM"
             : area == SIM_AREA_SD ? "/SD"
                                   : "");
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        char p[PATH_CAP * 2];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode) || fnmatch(pattern, de->d_name, 0) != 0)
            continue;
        fn(m, area, p, de->d_name, &st);
    }
    closedir(d);
}

static FILE *ufs_open(sim_module *m, sim_area area, const char *name, const char *mode)
{
    char path[PATH_CAP];
    if (!sim_ufs_path(m->o.ufs_dir, area, name, path, sizeof path))
        return NULL;
    if (area != SIM_AREA_UFS) {
        char d[PATH_CAP];
        snprintf(d, sizeof d, "%s/%s", m->o.ufs_dir, area == SIM_AREA_RAM ? "RAM" : "SD");
        mkdir(d, 0777);
    }
    return fopen(path, mode);
}

static int64_t file_size(FILE *f)
{
    struct stat st;
    return fstat(fileno(f), &st) == 0 ? (int64_t)st.st_size : -1;
}

/* GSM 2.2.8 <type> 4: "/COM/", "/UFS/[name]", "/SD/[name]", "/RAM/[name]" */
static bool gsm_localpos(const char *v, sim_area *area, const char **name)
{
    static const struct {
        const char *prefix;
        sim_area area;
    } pos[] = {{"/UFS/", SIM_AREA_UFS}, {"/RAM/", SIM_AREA_RAM}, {"/SD/", SIM_AREA_SD}};
    for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++) {
        size_t n = strlen(pos[i].prefix);
        if (strncasecmp(v, pos[i].prefix, n) == 0) {
            *area = pos[i].area;
            *name = v + n;
            return true;
        }
    }
    return false;
}

/* ---- parameters ---------------------------------------------------------------------------- */

static bool pstr(const qftp_subcmd *c, size_t i, char *out, size_t cap)
{
    if (i >= c->n_params || c->params[i].len == 0) {
        out[0] = '\0';
        return false;
    }
    size_t n = qftp_param_unquote(c->params[i], out, cap);
    return n < cap;
}

static bool pint(const qftp_subcmd *c, size_t i, int64_t *v)
{
    if (i >= c->n_params || c->params[i].len == 0)
        return false;
    return qftp_param_int(c->params[i], v);
}

/* Parameter i as a BG96 local name ("UFS:a", "RAM:a", "a"): copied into buf, split. */
static const char *stored_name(const qftp_subcmd *c, size_t i, char *buf, size_t cap,
                               sim_area *area)
{
    const char *fname;
    pstr(c, i, buf, cap);
    sim_ufs_split_bg96(buf, area, &fname);
    return fname;
}

/* ---- data mode ------------------------------------------------------------------------------ */

static void enter_upload(sim_module *m)
{
    ftp_op *op = &m->op;
    op->connected = true;
    out_raw(m, "\r\nCONNECT\r\n", 11);
    m->info_open = false;
    qftp_data_mode dm;
    qftp_data_mode_init(&dm);
    dm.end_on_escape = true;
    if (op->limit >= 0) {
        dm.expect_len = op->limit;
        dm.end_on_length = true;
    }
    if (!is_gsm(m))
        dm.inactivity = m->rsptimeout; /* device-quirks.md: 609 after rsptimeout */
    set_dm(m, DM_UPLOAD);
    set_state(m, QFTP_STATE_TRANSFER);
    qftp_parser_enter_data(m->tx, &dm);
}

static void upload_data(sim_module *m, const uint8_t *b, size_t n)
{
    if (m->qfupl) {
        if (fwrite(b, 1, n, m->qfupl) != n)
            m->qfupl_left = -1;
        m->qfupl_cs = sim_ufs_checksum_update(m->qfupl_cs, &m->qfupl_pos, b, n);
        m->qfupl_total += (int64_t)n;
        return;
    }
    ftp_op *op = &m->op;
    int64_t pass = (int64_t)n;
    if (op->f_truncate && op->bytes + pass > op->f_truncate->arg) {
        int64_t keep = op->f_truncate->arg - op->bytes;
        pass = keep < 0 ? 0 : keep;
    }
    op->bytes += (int64_t)n;
    for (int64_t i = 0; i < pass && m->up_len < sizeof m->up; i++) {
        m->up[(m->up_head + m->up_len) % sizeof m->up] = b[i];
        m->up_len++;
    }
    if (op->f_stall && op->bytes >= op->f_stall->arg && !op->stalled) {
        op->stalled = true;
        logf_(m, "fault stall: %s stops taking data after %lld bytes", op->name,
              (long long)op->bytes);
    }
    if (op->f_disconnect && op->f_disconnect->arg >= 0 && op->bytes >= op->f_disconnect->arg &&
        !m->disconnect)
        disconnect_fault(m, "during the upload");
    if (op->read_paused && op->easy) {
        op->read_paused = false;
        curl_easy_pause(op->easy, CURLPAUSE_CONT);
    }
}

static void qfupl_end(sim_module *m, qftp_data_end_reason why);

static void upload_end(sim_module *m, qftp_data_end_reason why)
{
    set_dm(m, DM_COMMAND);
    if (m->qfupl) {
        qfupl_end(m, why);
        return;
    }
    ftp_op *op = &m->op;
    op->up_eof = true;
    if (why == QFTP_DATA_END_INACTIVITY && !is_gsm(m)) {
        op->up_timeout = true;
    } else if (!is_gsm(m)) {
        /* BG96 2.5: data mode ends (length, "+++"), then OK, then the URC */
        final_word(m, "OK");
    }
    if (op->read_paused && op->easy) {
        op->read_paused = false;
        curl_easy_pause(op->easy, CURLPAUSE_CONT);
    }
}

/* ---- completions ------------------------------------------------------------------------- */

static void stop_ftp_service(sim_module *m)
{
    op_free(m);
    if (m->multi)
        curl_multi_cleanup(m->multi); /* QUITs the cached control connection */
    m->multi = curl_multi_init();
}

static void op_done(sim_module *m, CURLcode rc)
{
    ftp_op *op = &m->op;
    long reply = 0;
    curl_easy_getinfo(op->easy, CURLINFO_RESPONSE_CODE, &reply);
    bool ok = rc == CURLE_OK;
    err_pair e = ok ? (err_pair){0, 0, 0} : map_failure(rc, reply);
    if (!ok)
        logf_(m, "%s failed: %s (FTP %ld, \"%s\")", op->name, curl_easy_strerror(rc), reply,
              op->reply);
    if (op->stalled) {
        logf_(m, "stalled %s ended (%s): nothing reported", op->name, curl_easy_strerror(rc));
        op_free(m);
        return;
    }
    bool gsm = is_gsm(m);
    char name[24];
    snprintf(name, sizeof name, "%s", op->name);
    switch (op->kind) {
    case OP_OPEN:
        if (ok) {
            char *entry = NULL;
            curl_easy_getinfo(op->easy, CURLINFO_FTP_ENTRY_PATH, &entry);
            snprintf(m->cwd, sizeof m->cwd, "%s", entry && entry[0] == '/' ? entry : "/");
            set_state(m, QFTP_STATE_OPENED);
        } else {
            set_state(m, gsm ? QFTP_STATE_IDLE : QFTP_STATE_CLOSED);
        }
        op_free(m);
        if (!ok)
            stop_ftp_service(m);
        if (gsm)
            gsm_result(m, name, ok ? 0 : e.gsm);
        else
            bg96_result(m, name, ok ? 0 : e.bg96, e.pe);
        return;
    case OP_CWD:
        if (ok)
            snprintf(m->cwd, sizeof m->cwd, "%s", op->target);
        break;
    default:
        break;
    }
    if (m->state == QFTP_STATE_WORKING || m->state == QFTP_STATE_TRANSFER)
        set_state(m, QFTP_STATE_OPENED);
    if (op->kind == OP_SIZE || op->kind == OP_MDTM) {
        curl_off_t size = -1;
        curl_off_t ft = -1;
        curl_easy_getinfo(op->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &size);
        curl_easy_getinfo(op->easy, CURLINFO_FILETIME_T, &ft);
        int64_t v = op->kind == OP_SIZE ? (int64_t)size : (int64_t)ft;
        op_free(m);
        if (ok && v < 0) /* the server answered SIZE/MDTM with 550 */
            bg96_result(m, name, bg96_err_for_reply(550), 550);
        else if (!ok)
            bg96_result(m, name, e.bg96, e.pe);
        else if (strcmp(name, "+QFTPSIZE") == 0)
            bg96_result(m, name, 0, v);
        else {
            time_t t = (time_t)v;
            struct tm tm;
            gmtime_r(&t, &tm);
            char ts[32];
            strftime(ts, sizeof ts, "%Y%m%d%H%M%S", &tm);
            urc(m, name, "0,\"%s\"", ts);
        }
        return;
    }
    if (op->kind == OP_CWD || op->kind == OP_QUOTE) {
        op_free(m);
        if (gsm)
            gsm_result(m, name, ok ? 0 : e.gsm);
        else
            bg96_result(m, name, ok ? 0 : e.bg96, e.pe);
        return;
    }
    /* transfers */
    bool was_com = op->to_com;
    bool connected = op->connected;
    bool upload = op->kind == OP_PUT;
    bool timeout609 = op->up_timeout;
    int64_t count = op->bytes;
    m->last_len = count;
    m->resume = 0; /* GSM 2.2.8: the resuming point is reset after a transfer */
    if (!ok && e.bg96 == 615)
        m->stuck = !gsm; /* device-quirks.md: 603 until AT+QFTPCLOSE */
    if (!ok && was_com && !connected && !gsm) {
        /* BG96 to/from COM: no CONNECT came, the command fails with +CME ERROR */
        op_free(m);
        final_cme(m, e.bg96);
        return;
    }
    if (upload && was_com && m->dm == DM_UPLOAD) {
        /* the server ended the upload while the host was still sending */
        qftp_parser_exit_data(m->tx, m->now, QFTP_DATA_END_FORCED);
        set_dm(m, DM_COMMAND);
    }
    if (!upload && was_com && connected) {
        leave_download(m);
        if (!gsm)
            final_word(m, "OK");
    }
    op_free(m);
    if (gsm) {
        gsm_result(m, name, ok ? count : e.gsm);
    } else if (timeout609) {
        bg96_result(m, name, 609, 0);
    } else {
        if (ok)
            urc(m, name, "0,%lld", (long long)count);
        else
            bg96_result(m, name, e.bg96, e.pe);
    }
}

static void curl_work(sim_module *m)
{
    int running = 0;
    curl_multi_perform(m->multi, &running);
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m->multi, &left))) {
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == m->op.easy)
            op_done(m, msg->data.result);
    }
}

/* ---- AT+QFUPL / AT+QFDWL / storage commands ------------------------------------------------- */

static void qfupl_end(sim_module *m, qftp_data_end_reason why)
{
    bool failed = m->qfupl_left < 0;
    fclose(m->qfupl);
    m->qfupl = NULL;
    if (why == QFTP_DATA_END_INACTIVITY && m->qfupl_total == 0) {
        final_cme(m, 421); /* "time out" */
        return;
    }
    if (failed) {
        final_cme(m, 409);
        return;
    }
    info_named(m, "+QFUPL", "%lld,%x", (long long)m->qfupl_total, m->qfupl_cs);
    final_word(m, "OK");
}

static int h_qfupl(sim_module *m, const qftp_subcmd *c)
{
    char name[NAME_CAP];
    int64_t size = 10240, tmo = 5;
    sim_area area;
    const char *fname = stored_name(c, 0, name, sizeof name, &area);
    pint(c, 1, &size);
    pint(c, 2, &tmo);
    char path[PATH_CAP];
    if (!sim_ufs_path(m->o.ufs_dir, area, fname, path, sizeof path))
        return 406;
    if (access(path, F_OK) == 0)
        return 407; /* "file already exist" */
    m->qfupl = ufs_open(m, area, fname, "wb");
    if (!m->qfupl)
        return 409;
    m->qfupl_cs = 0;
    m->qfupl_pos = 0;
    m->qfupl_total = 0;
    m->qfupl_left = size;
    out_raw(m, "\r\nCONNECT\r\n", 11);
    m->info_open = false;
    qftp_data_mode dm;
    qftp_data_mode_init(&dm);
    dm.expect_len = size;
    dm.end_on_length = true;
    dm.inactivity = tmo * QFTP_NS_PER_SEC;
    set_dm(m, DM_UPLOAD);
    qftp_parser_enter_data(m->tx, &dm);
    return RES_DONE;
}

static int h_qfdwl(sim_module *m, const qftp_subcmd *c)
{
    char name[NAME_CAP];
    sim_area area;
    const char *fname = stored_name(c, 0, name, sizeof name, &area);
    FILE *f = ufs_open(m, area, fname, "rb");
    if (!f)
        return 405;
    int64_t n = file_size(f);
    char hdr[64];
    int k = snprintf(hdr, sizeof hdr, "\r\nCONNECT %lld\r\n", (long long)n);
    out_raw(m, hdr, (size_t)k);
    unsigned cs = 0;
    uint64_t pos = 0;
    uint8_t buf[8192];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        cs = sim_ufs_checksum_update(cs, &pos, buf, got);
        out_raw(m, buf, got);
    }
    fclose(f);
    m->info_open = false;
    info_named(m, "+QFDWL", "%lld,%x", (long long)n, cs);
    return RES_OK;
}

static void list_one(sim_module *m, sim_area area, const char *path, const char *name,
                     const struct stat *st)
{
    (void)path;
    info_named(m, "+QFLST", "\"%s%s\",%lld", area == SIM_AREA_RAM ? "RAM:" : "", name,
               (long long)st->st_size);
}

static void delete_one(sim_module *m, sim_area area, const char *path, const char *name,
                       const struct stat *st)
{
    (void)m, (void)area, (void)name, (void)st;
    unlink(path);
}

static int h_qflst(sim_module *m, const qftp_subcmd *c)
{
    char pat[NAME_CAP] = "*";
    sim_area area = SIM_AREA_UFS;
    const char *p = pat;
    if (c->type == QFTP_TYPE_WRITE)
        p = stored_name(c, 0, pat, sizeof pat, &area);
    each_stored(m, area, p, list_one);
    return RES_OK;
}

static int h_qfdel(sim_module *m, const qftp_subcmd *c)
{
    char name[NAME_CAP];
    sim_area area;
    const char *fname = stored_name(c, 0, name, sizeof name, &area);
    if (strcmp(fname, "*") == 0) {
        each_stored(m, area, "*", delete_one);
        return RES_OK;
    }
    char path[PATH_CAP];
    if (!sim_ufs_path(m->o.ufs_dir, area, fname, path, sizeof path))
        return 406;
    if (unlink(path) != 0)
        return errno == ENOENT ? 405 : 418;
    return RES_OK;
}

static int h_qfopen(sim_module *m, const qftp_subcmd *c)
{
    char name[NAME_CAP];
    int64_t mode = 0;
    sim_area area;
    const char *fname = stored_name(c, 0, name, sizeof name, &area);
    pint(c, 1, &mode);
    static const char *const modes[] = {"a+b", "w+b", "rb"};
    FILE *f = ufs_open(m, area, fname, modes[mode]);
    if (!f)
        return mode == 2 ? 405 : 410;
    if (mode == 0)
        fseek(f, 0, SEEK_SET);
    for (int i = 1; i < 8; i++) {
        if (!m->handles[i]) {
            m->handles[i] = f;
            info_named(m, "+QFOPEN", "%d", i);
            return RES_OK;
        }
    }
    fclose(f);
    return 413;
}

static FILE *handle(sim_module *m, const qftp_subcmd *c)
{
    int64_t h;
    if (!pint(c, 0, &h) || h <= 0 || h >= 8)
        return NULL;
    return m->handles[h];
}

static int h_qfread(sim_module *m, const qftp_subcmd *c)
{
    FILE *f = handle(m, c);
    if (!f)
        return 416;
    int64_t len = -1;
    pint(c, 1, &len);
    long here = ftell(f);
    int64_t left = file_size(f) - (here < 0 ? 0 : here);
    if (len < 0 || len > left)
        len = left < 0 ? 0 : left;
    char hdr[64];
    int k = snprintf(hdr, sizeof hdr, "\r\nCONNECT %lld\r\n", (long long)len);
    out_raw(m, hdr, (size_t)k);
    uint8_t buf[8192];
    int64_t done = 0;
    while (done < len) {
        size_t want = (size_t)(len - done) < sizeof buf ? (size_t)(len - done) : sizeof buf;
        size_t got = fread(buf, 1, want, f);
        if (got == 0)
            break;
        out_raw(m, buf, got);
        done += (int64_t)got;
    }
    m->info_open = false;
    return RES_OK;
}

static int h_qfclose(sim_module *m, const qftp_subcmd *c)
{
    int64_t h;
    if (!pint(c, 0, &h) || h <= 0 || h >= 8 || !m->handles[h])
        return 416;
    fclose(m->handles[h]);
    m->handles[h] = NULL;
    return RES_OK;
}

/* ---- FTP commands: shared ----------------------------------------------------------------- */

/* BG96 busy rules (device-quirks.md "Result codes"): 603 while opening or closing, while
 * another operation runs, and after a 615 until AT+QFTPCLOSE. */
static bool bg96_busy(const sim_module *m)
{
    return m->state == QFTP_STATE_OPENING || m->state == QFTP_STATE_CLOSING ||
           m->op.kind != OP_NONE || m->stuck;
}

static bool session_open(const sim_module *m)
{
    return m->state == QFTP_STATE_OPENED || m->state == QFTP_STATE_WORKING ||
           m->state == QFTP_STATE_TRANSFER;
}

/* An outcome known at once: OK, then the completion line. */
static int now_bg96(sim_module *m, const char *name, int err, int64_t v)
{
    final_word(m, "OK");
    bg96_result(m, name, err, v);
    return RES_DONE;
}

static int now_gsm(sim_module *m, const char *name, int64_t n)
{
    final_word(m, "OK");
    gsm_result(m, name, n);
    return RES_DONE;
}

static int start_quote(sim_module *m, op_kind kind, const char *name, const char *c1,
                       const char *c2)
{
    op_begin(m, kind, name);
    char url[PATH_CAP * 3];
    make_url(m, "/", true, url, sizeof url);
    CURL *e = easy_new(m, url);
    if (!e)
        return 601;
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    m->op.quote = curl_slist_append(NULL, c1);
    if (c2)
        m->op.quote = curl_slist_append(m->op.quote, c2);
    curl_easy_setopt(e, CURLOPT_QUOTE, m->op.quote);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms(m));
    if (!op_start(m, e))
        return 601;
    return RES_OK;
}

static int start_open(sim_module *m, const char *name)
{
    op_begin(m, OP_OPEN, name);
    char url[PATH_CAP * 3];
    make_url(m, "/", true, url, sizeof url);
    CURL *e = easy_new(m, url);
    if (!e)
        return 601;
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms(m));
    set_state(m, QFTP_STATE_OPENING);
    if (!op_start(m, e))
        return 601;
    return RES_OK;
}

/* Starts GET/PUT/LIST: the local side is COM: (to_com) or an open FILE. */
static int start_transfer(sim_module *m, op_kind kind, const char *abs, int64_t startpos,
                          int64_t len)
{
    ftp_op *op = &m->op;
    char url[PATH_CAP * 3];
    bool dir = kind == OP_LIST || kind == OP_NLST || kind == OP_MLSD;
    make_url(m, abs, dir, url, sizeof url);
    CURL *e = easy_new(m, url);
    if (!e)
        return 601;
    if (kind == OP_PUT) {
        curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
        if (startpos > 0)
            curl_easy_setopt(e, CURLOPT_APPEND, 1L); /* continue the file on the server */
        if (!op->to_com && op->limit >= 0)
            curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)op->limit);
    } else if (kind == OP_GET) {
        if (len >= 0) {
            if (len == 0)
                len = 1;
            char range[64];
            snprintf(range, sizeof range, "%lld-%lld", (long long)startpos,
                     (long long)(startpos + len - 1));
            curl_easy_setopt(e, CURLOPT_RANGE, range);
        } else if (startpos > 0) {
            curl_easy_setopt(e, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)startpos);
        }
    } else if (kind == OP_NLST) {
        curl_easy_setopt(e, CURLOPT_DIRLISTONLY, 1L);
    } else if (kind == OP_MLSD) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "MLSD");
    }
    set_state(m, QFTP_STATE_WORKING);
    if (!op_start(m, e))
        return 601;
    return RES_OK;
}

/* ---- BG96 FTP commands (BG96 manual chapter 2) ---------------------------------------------- */

static int bg96_cfg(sim_module *m, const qftp_cmd_def *def, const qftp_subcmd *c)
{
    if (def->key == NULL)
        return RES_ERROR; /* a key this firmware does not know */
    bool query = c->n_params < 2 || c->params[1].len == 0;
    static const struct {
        const char *key;
        size_t off;
    } ints[] = {
        {"filetype", offsetof(sim_module, filetype)},
        {"transmode", offsetof(sim_module, transmode)},
        {"contextid", offsetof(sim_module, contextid)},
        {"ssltype", offsetof(sim_module, ssltype)},
        {"sslctxid", offsetof(sim_module, sslctxid)},
        {"data_address", offsetof(sim_module, data_address)},
    };
    if (strcmp(def->key, "account") == 0) {
        if (query) {
            info(m, "+QFTPCFG: \"account\",\"%s\",\"%s\"", m->user, m->pass);
            return RES_OK;
        }
        pstr(c, 1, m->user, sizeof m->user);
        pstr(c, 2, m->pass, sizeof m->pass);
        return RES_OK;
    }
    if (strcmp(def->key, "rsptimeout") == 0) {
        if (query) {
            info(m, "+QFTPCFG: \"rsptimeout\",%lld", (long long)(m->rsptimeout / QFTP_NS_PER_SEC));
            return RES_OK;
        }
        int64_t v = 90;
        pint(c, 1, &v);
        m->rsptimeout = v * QFTP_NS_PER_SEC;
        return RES_OK;
    }
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        if (strcmp(def->key, ints[i].key) != 0)
            continue;
        int *slot = (int *)((char *)m + ints[i].off);
        if (query) {
            info(m, "+QFTPCFG: \"%s\",%d", ints[i].key, *slot);
            return RES_OK;
        }
        int64_t v = 0;
        pint(c, 1, &v);
        *slot = (int)v;
        return RES_OK;
    }
    return RES_ERROR;
}

static int bg96_open(sim_module *m, const qftp_subcmd *c)
{
    if (m->state != QFTP_STATE_IDLE && m->state != QFTP_STATE_CLOSED)
        return 603;
    int64_t port = 21;
    pstr(c, 0, m->host, sizeof m->host);
    pint(c, 1, &port);
    m->port = (int)port;
    /* BG96 2.2: the PDP context must be activated by AT+QIACT first */
    if (m->contextid < 1 || m->contextid > 16 || !m->ctx_active[m->contextid])
        return now_bg96(m, "+QFTPOPEN", 605, 0);
    return start_open(m, "+QFTPOPEN");
}

static int bg96_close(sim_module *m)
{
    if (m->state == QFTP_STATE_OPENING || m->state == QFTP_STATE_CLOSING)
        return 603;
    if (!session_open(m) && !m->stuck)
        return now_bg96(m, "+QFTPCLOSE", 601, 0);
    if (m->dm == DM_DOWNLOAD)
        leave_download(m);
    op_free(m);
    set_state(m, QFTP_STATE_CLOSING);
    pend_add(m, m->now + m->o.close_delay, PEND_CLOSE_DONE, NULL, 0);
    return RES_OK;
}

/* "COM:" (or omitted for LIST) = serial port; anything else a UFS/RAM file. */
static bool local_is_com(const char *local)
{
    return local[0] == '\0' || strcasecmp(local, "COM:") == 0;
}

static int bg96_transfer(sim_module *m, op_kind kind, const char *name, const qftp_subcmd *c)
{
    char remote[PATH_CAP], local[NAME_CAP], abs[PATH_CAP];
    int64_t startpos = 0, len = -1;
    pstr(c, 0, remote, sizeof remote);
    pstr(c, 1, local, sizeof local);
    pint(c, 2, &startpos);
    pint(c, 3, &len); /* <uploadlen>/<downloadlen>; <beof>: each part is a transfer */
    resolve(m, remote, abs, sizeof abs);
    op_begin(m, kind, name);
    ftp_op *op = &m->op;
    op->to_com = local_is_com(local);
    if (!op->to_com) {
        sim_area area;
        const char *fname;
        sim_ufs_split_bg96(local, &area, &fname);
        if (kind == OP_PUT) {
            op->local = ufs_open(m, area, fname, "rb");
            if (!op->local) {
                op_free(m);
                return now_bg96(m, name, 611, 0); /* failed to open file */
            }
            int64_t size = file_size(op->local);
            if (startpos > size) {
                op_free(m);
                return now_bg96(m, name, 612, 0);
            }
            fseek(op->local, (long)startpos, SEEK_SET);
            op->limit = size - startpos;
        } else {
            op->local = ufs_open(m, area, fname, "wb");
            if (!op->local) {
                op_free(m);
                return now_bg96(m, name, 611, 0);
            }
        }
        len = -1; /* <uploadlen>/<downloadlen> are for COM: only */
    } else if (kind == OP_PUT) {
        op->limit = len;
    }
    int r = start_transfer(m, kind, abs, startpos, kind == OP_GET ? len : -1);
    if (r != RES_OK) {
        op_free(m);
        return r;
    }
    /* BG96 2.5/2.6: with COM: the command answers CONNECT (or +CME ERROR); else OK */
    return op->to_com ? RES_DONE : RES_OK;
}

static int bg96_ftp(sim_module *m, const qftp_cmd_def *def, const qftp_subcmd *c)
{
    const char *n = def->name;
    if (strcmp(n, "+QFTPCFG") == 0)
        return bg96_cfg(m, def, c);
    if (strcmp(n, "+QFTPSTAT") == 0) {
        const char *w = qftp_state_wire(m->state, QFTP_DIALECT_BG96);
        if (!w) /* BG96 2.17 has no IDLE or WORKING: reported as closed / open and idle */
            w = qftp_state_wire(m->state == QFTP_STATE_IDLE ? QFTP_STATE_CLOSED : QFTP_STATE_OPENED,
                                QFTP_DIALECT_BG96);
        info_named(m, "+QFTPSTAT", "0,%s", w);
        return RES_OK;
    }
    if (strcmp(n, "+QFTPLEN") == 0) {
        /* BG96 2.16 / 3.6: OK, then +QFTPLEN: 0,<transferlen> */
        final_word(m, "OK");
        urc(m, "+QFTPLEN", "0,%lld", (long long)m->last_len);
        return RES_DONE;
    }
    if (strcmp(n, "+QFTPCLOSE") == 0)
        return bg96_close(m);
    if (bg96_busy(m))
        return 603;
    if (strcmp(n, "+QFTPOPEN") == 0)
        return bg96_open(m, c);
    if (!session_open(m)) /* OK, then <err> 601 (manual chapter 5 "unknown error") */
        return now_bg96(m, n, 601, 0);
    char a[PATH_CAP], b[PATH_CAP], abs[PATH_CAP], abs2[PATH_CAP], cmd[PATH_CAP + 8],
        cmd2[PATH_CAP + 8];
    pstr(c, 0, a, sizeof a);
    if (strcmp(n, "+QFTPPWD") == 0) {
        final_word(m, "OK");
        urc(m, n, "0,%s", m->cwd); /* EC2x form, unquoted (BG96 3.3) */
        return RES_DONE;
    }
    resolve(m, a, abs, sizeof abs);
    if (strcmp(n, "+QFTPCWD") == 0) {
        snprintf(cmd, sizeof cmd, "CWD %s", abs);
        int r = start_quote(m, OP_CWD, n, cmd, NULL);
        snprintf(m->op.target, sizeof m->op.target, "%s", abs);
        return r;
    }
    if (strcmp(n, "+QFTPDEL") == 0) {
        snprintf(cmd, sizeof cmd, "DELE %s", abs);
        return start_quote(m, OP_QUOTE, n, cmd, NULL);
    }
    if (strcmp(n, "+QFTPMKDIR") == 0) {
        snprintf(cmd, sizeof cmd, "MKD %s", abs);
        return start_quote(m, OP_QUOTE, n, cmd, NULL);
    }
    if (strcmp(n, "+QFTPRMDIR") == 0) {
        snprintf(cmd, sizeof cmd, "RMD %s", abs);
        return start_quote(m, OP_QUOTE, n, cmd, NULL);
    }
    if (strcmp(n, "+QFTPRENAME") == 0) {
        pstr(c, 1, b, sizeof b);
        resolve(m, b, abs2, sizeof abs2);
        snprintf(cmd, sizeof cmd, "RNFR %s", abs);
        snprintf(cmd2, sizeof cmd2, "RNTO %s", abs2);
        return start_quote(m, OP_QUOTE, n, cmd, cmd2);
    }
    if (strcmp(n, "+QFTPSIZE") == 0 || strcmp(n, "+QFTPMDTM") == 0) {
        op_begin(m, strcmp(n, "+QFTPSIZE") == 0 ? OP_SIZE : OP_MDTM, n);
        char url[PATH_CAP * 3];
        make_url(m, abs, false, url, sizeof url);
        CURL *e = easy_new(m, url);
        if (!e)
            return 601;
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        curl_easy_setopt(e, CURLOPT_FILETIME, 1L);
        curl_easy_setopt(e, CURLOPT_TRANSFERTEXT, 0L); /* servers refuse SIZE in ASCII mode */
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms(m));
        return op_start(m, e) ? RES_OK : 601;
    }
    if (strcmp(n, "+QFTPPUT") == 0)
        return bg96_transfer(m, OP_PUT, n, c);
    if (strcmp(n, "+QFTPGET") == 0)
        return bg96_transfer(m, OP_GET, n, c);
    if (strcmp(n, "+QFTPLIST") == 0 || strcmp(n, "+QFTPNLST") == 0 || strcmp(n, "+QFTPMLSD") == 0) {
        op_kind k = n[5] == 'L' ? OP_LIST : n[5] == 'N' ? OP_NLST : OP_MLSD;
        return bg96_transfer(m, k, n, c);
    }
    return RES_ERROR;
}

/* ---- GSM FTP commands (GSM manual chapter 2) ------------------------------------------------ */

static int gsm_cfg(sim_module *m, const qftp_subcmd *c)
{
    int64_t type = 0;
    pint(c, 0, &type);
    bool query = c->n_params < 2 || c->params[1].len == 0;
    int64_t v = 0;
    if (query) {
        /* GSM 2.2.8: the value omitted queries it: +QFTPCFG:<value> */
        final_word(m, "OK");
        if (type == 4)
            urc(m, "+QFTPCFG", "\"%s\"", m->localpos);
        else
            urc(m, "+QFTPCFG", "%lld",
                (long long)(type == 1   ? m->transmode
                            : type == 2 ? m->filetype
                                        : m->resume));
        return RES_DONE;
    }
    int64_t res = 0;
    if (type == 4) {
        char lp[NAME_CAP];
        pstr(c, 1, lp, sizeof lp);
        sim_area area;
        const char *name;
        char tmp[PATH_CAP];
        if (strcasecmp(lp, "/COM/") == 0 ||
            (gsm_localpos(lp, &area, &name) &&
             (name[0] == '\0' || sim_ufs_path(m->o.ufs_dir, area, name, tmp, sizeof tmp))))
            snprintf(m->localpos, sizeof m->localpos, "%s", lp);
        else
            res = -10;
    } else if (!pint(c, 1, &v)) {
        res = -10;
    } else if (type == 1) {
        m->transmode = (int)v;
    } else if (type == 2) {
        m->filetype = (int)v;
    } else {
        m->resume = v;
    }
    return now_gsm(m, "+QFTPCFG", res);
}

static int gsm_transfer(sim_module *m, bool put, const qftp_subcmd *c)
{
    const char *name = put ? "+QFTPPUT" : "+QFTPGET";
    char remote[PATH_CAP], abs[PATH_CAP];
    int64_t size = -1, tmo = 900;
    pstr(c, 0, remote, sizeof remote);
    pint(c, 1, &size);
    pint(c, 2, &tmo);
    resolve(m, remote, abs, sizeof abs);
    op_begin(m, put ? OP_PUT : OP_GET, name);
    ftp_op *op = &m->op;
    sim_area area = SIM_AREA_UFS;
    const char *lname = "";
    op->to_com = !gsm_localpos(m->localpos, &area, &lname);
    int64_t start = m->resume;
    if (!op->to_com) {
        const char *base = strrchr(remote, '/');
        base = base ? base + 1 : remote;
        const char *fname = lname[0] ? lname : base; /* "/UFS/" alone: the FTP file name */
        if (put) {
            op->local = ufs_open(m, area, fname, "rb");
            if (!op->local) {
                op_free(m);
                return now_gsm(m, name, -11);
            }
            int64_t real = file_size(op->local) - start;
            if (real < 0) {
                op_free(m);
                return now_gsm(m, name, -12);
            }
            fseek(op->local, (long)start, SEEK_SET);
            op->limit = (size > 0 && size < real) ? size : real; /* GSM 4.2.2 */
        } else {
            char path[PATH_CAP];
            if (!sim_ufs_path(m->o.ufs_dir, area, fname, path, sizeof path)) {
                op_free(m);
                return now_gsm(m, name, -10);
            }
            if (start > 0) {
                /* GSM 4.4.2 note: the data goes in at the resuming point; a shorter file
                 * is -12 */
                op->local = ufs_open(m, area, fname, "r+b");
                if (!op->local || file_size(op->local) < start ||
                    ftruncate(fileno(op->local), (off_t)start) != 0) {
                    op_free(m);
                    return now_gsm(m, name, -12);
                }
                fseek(op->local, (long)start, SEEK_SET);
            } else {
                op->local = ufs_open(m, area, fname, "wb");
            }
            if (!op->local) {
                op_free(m);
                return now_gsm(m, name, -12);
            }
        }
    } else if (put) {
        op->limit = size;
        /* GSM 2.2.3 <time>: the longest time to get the file data */
        pend_add(m, m->now + tmo * QFTP_NS_PER_SEC, PEND_UPLOAD_DEADLINE, NULL, 0);
    }
    int64_t dl = (!put && size > 0 && op->to_com) ? size : -1;
    if (start_transfer(m, put ? OP_PUT : OP_GET, abs, start, dl) != RES_OK) {
        op_free(m);
        return RES_ERROR;
    }
    return RES_OK;
}

static int gsm_ftp(sim_module *m, const qftp_cmd_def *def, const qftp_subcmd *c)
{
    const char *n = def->name;
    bool busy =
        m->state == QFTP_STATE_OPENING || m->state == QFTP_STATE_CLOSING || m->op.kind != OP_NONE;
    if (strcmp(n, "+QFTPUSER") == 0 || strcmp(n, "+QFTPPASS") == 0) {
        char *slot = n[5] == 'U' ? m->user : m->pass;
        if (c->type == QFTP_TYPE_READ) {
            info_named(m, n, "\"%s\"", slot);
            return RES_OK;
        }
        /* GSM 2.2.6/2.2.7: OK only while the FTP service is idle */
        if (m->state != QFTP_STATE_IDLE && m->state != QFTP_STATE_CLOSED)
            return RES_ERROR;
        pstr(c, 0, slot, 256);
        return RES_OK;
    }
    if (strcmp(n, "+QFTPSTAT") == 0) {
        info_named(m, n, "%s", qftp_state_wire(m->state, QFTP_DIALECT_GSM));
        return RES_OK;
    }
    if (strcmp(n, "+QFTPLEN") == 0) {
        info_named(m, n, "%lld", (long long)m->last_len);
        return RES_OK;
    }
    if (strcmp(n, "+QFTPCFG") == 0)
        return gsm_cfg(m, c);
    if (strcmp(n, "+QFTPOPEN") == 0 && c->type == QFTP_TYPE_READ) {
        if (session_open(m))
            info_named(m, n, "\"%s\",%d", m->host, m->port);
        else
            info_named(m, n, "\"\",");
        return RES_OK;
    }
    if (strcmp(n, "+QFTPPATH") == 0 && c->type == QFTP_TYPE_READ) {
        /* GSM 2.2.5 read: OK, then +QFTPPATH:"<path>" */
        final_word(m, "OK");
        urc(m, n, "\"%s\"", m->cwd);
        return RES_DONE;
    }
    if (strcmp(n, "+QFTPCLOSE") == 0) {
        if (m->state == QFTP_STATE_CLOSING)
            return RES_ERROR;
        if (!session_open(m) && m->state != QFTP_STATE_OPENING)
            return now_gsm(m, n, -1); /* device-quirks.md: -1 when no session is open */
        if (m->dm == DM_DOWNLOAD)
            leave_download(m);
        op_free(m);
        set_state(m, QFTP_STATE_CLOSING);
        pend_add(m, m->now + m->o.close_delay, PEND_CLOSE_DONE, NULL, 0);
        return RES_OK;
    }
    if (busy)
        return now_gsm(m, n, -3); /* GSM chapter 3: the FTP service is busy */
    if (strcmp(n, "+QFTPOPEN") == 0) {
        if (session_open(m))
            return now_gsm(m, n, -3);
        int64_t port = 21;
        pstr(c, 0, m->host, sizeof m->host);
        pint(c, 1, &port);
        m->port = (int)port;
        m->ssltype = 0;
        return start_open(m, n) == RES_OK ? RES_OK : RES_ERROR;
    }
    if (!session_open(m))
        return now_gsm(m, n, -1);
    if (strcmp(n, "+QFTPPATH") == 0) {
        char p[PATH_CAP], abs[PATH_CAP], cmd[PATH_CAP + 8];
        pstr(c, 0, p, sizeof p);
        resolve(m, p[0] ? p : "/", abs, sizeof abs);
        snprintf(cmd, sizeof cmd, "CWD %s", abs);
        int r = start_quote(m, OP_CWD, n, cmd, NULL);
        snprintf(m->op.target, sizeof m->op.target, "%s", abs);
        return r == RES_OK ? RES_OK : RES_ERROR;
    }
    if (strcmp(n, "+QFTPPUT") == 0)
        return gsm_transfer(m, true, c);
    if (strcmp(n, "+QFTPGET") == 0)
        return gsm_transfer(m, false, c);
    return RES_ERROR;
}

/* ---- the commands around FTP --------------------------------------------------------------- */

static const char *revision(const sim_module *m)
{
    if (m->o.revision)
        return m->o.revision;
    return is_gsm(m) ? "M95FAR02A08" : "BG96MAR02A07M1G";
}

static int h_context(sim_module *m, const qftp_cmd_def *def, const qftp_subcmd *c)
{
    const char *n = def->name;
    bool gsm = is_gsm(m);
    int64_t id = 1;
    if (strcmp(n, "+QIFGCNT") == 0) {
        if (c->type == QFTP_TYPE_READ)
            info_named(m, n, "%d", m->fgcnt);
        else if (c->type == QFTP_TYPE_WRITE && pint(c, 0, &id))
            m->fgcnt = (int)id;
        return RES_OK;
    }
    if (strcmp(n, "+QICSGP") == 0) {
        if (gsm) {
            if (c->type == QFTP_TYPE_READ)
                info_named(m, n, "1");
            else if (c->type == QFTP_TYPE_WRITE)
                pstr(c, 1, m->apn[0], sizeof m->apn[0]);
            return RES_OK;
        }
        pint(c, 0, &id);
        if (c->n_params <= 1) {
            info_named(m, n, "1,\"%s\",\"\",\"\",0", m->apn[id]);
            return RES_OK;
        }
        pstr(c, 2, m->apn[id], sizeof m->apn[id]);
        return RES_OK;
    }
    if (strcmp(n, "+QIACT") == 0) {
        if (gsm) {
            m->ctx_active[1] = true;
            return RES_OK;
        }
        if (c->type == QFTP_TYPE_READ) {
            for (int i = 1; i <= 16; i++)
                if (m->ctx_active[i])
                    info_named(m, n, "%d,1,1,\"10.7.157.%d\"", i, i);
            return RES_OK;
        }
        if (c->type == QFTP_TYPE_WRITE) {
            pint(c, 0, &id);
            m->ctx_active[id] = true;
        }
        return RES_OK;
    }
    /* +QIDEACT: the FTP service goes with the context */
    if (gsm) {
        if (c->type == QFTP_TYPE_TEST)
            return RES_OK;
        m->ctx_active[1] = false;
    } else {
        if (c->type != QFTP_TYPE_WRITE)
            return RES_OK;
        pint(c, 0, &id);
        m->ctx_active[id] = false;
    }
    if (session_open(m) && (gsm || id == m->contextid)) {
        stop_ftp_service(m);
        set_state(m, gsm ? QFTP_STATE_IDLE : QFTP_STATE_CLOSED);
    }
    if (gsm) {
        final_word(m, def->alt_final ? def->alt_final : "OK"); /* GSM 4.5: "DEACT OK" */
        return RES_DONE;
    }
    return RES_OK;
}

static int h_basic(sim_module *m, const qftp_cmd_def *def, const qftp_subcmd *c)
{
    const char *n = def->name;
    int64_t v = 0;
    if (n[0] == '\0')
        return RES_OK; /* AT */
    if (strcmp(n, "E") == 0) {
        pint(c, 0, &v);
        m->echo = v == 1;
        return RES_OK;
    }
    if (strcmp(n, "I") == 0) {
        if (is_gsm(m)) {
            info(m, "Quectel_Ltd");
            info(m, "Quectel_M95");
        } else {
            info(m, "Quectel");
            info(m, "BG96");
        }
        info(m, "Revision: %s", revision(m));
        return RES_OK;
    }
    if (strcmp(n, "+GMR") == 0 || strcmp(n, "+CGMR") == 0) {
        if (c->type == QFTP_TYPE_EXEC)
            info(m, "%s", revision(m));
        return RES_OK;
    }
    if (strcmp(n, "+CMEE") == 0) {
        if (c->type == QFTP_TYPE_READ)
            info(m, "+CMEE: %d", m->cmee);
        else if (c->type == QFTP_TYPE_WRITE) {
            pint(c, 0, &v);
            m->cmee = (int)v;
        }
        return RES_OK;
    }
    if (strcmp(n, "+CPIN") == 0) {
        if (c->type == QFTP_TYPE_READ)
            info(m, "+CPIN: READY");
        else if (c->type == QFTP_TYPE_WRITE)
            return 3; /* no PIN is asked for: operation not allowed */
        return RES_OK;
    }
    if (strcmp(n, "+IFC") == 0) {
        if (c->type == QFTP_TYPE_READ)
            info(m, "+IFC: %d,%d", m->ifc[0], m->ifc[1]);
        else if (c->type == QFTP_TYPE_WRITE) {
            if (pint(c, 0, &v))
                m->ifc[0] = (int)v;
            if (pint(c, 1, &v))
                m->ifc[1] = (int)v;
        }
        return RES_OK;
    }
    if (strcmp(n, "O") == 0) {
        /* device-quirks.md: after "+++" the transfer is gone; ATO answers NO CARRIER */
        final_word(m, "NO CARRIER");
        return RES_DONE;
    }
    if (strcmp(n, "&D") == 0 || strcmp(n, "+QSSLCFG") == 0)
        return RES_OK;
    if (strcmp(n, "+CREG") == 0) {
        if (c->type == QFTP_TYPE_READ)
            info(m, "+CREG: 0,1");
        return RES_OK;
    }
    if (strcmp(n, "+CGATT") == 0) {
        if (c->type == QFTP_TYPE_READ)
            info(m, "+CGATT: 1");
        return RES_OK;
    }
    return RES_ERROR;
}

/* ---- dispatch ------------------------------------------------------------------------------- */

static void count_problem(void *user, int index, const char *text)
{
    sim_module *m = user;
    logf_(m, "parameter %d: %s", index + 1, text);
}

static int run_one(sim_module *m, const qftp_subcmd *c)
{
    char key[64] = "";
    if (c->n_params > 0)
        qftp_param_unquote(c->params[0], key, sizeof key);
    const qftp_cmd_def *def =
        qftp_cmd_find(c->name, m->o.dialect, (c->type == QFTP_TYPE_WRITE) ? key : NULL);
    if (!def || (def->dialect != QFTP_DIALECT_UNKNOWN && def->dialect != m->o.dialect))
        return RES_ERROR;
    if (!(def->forms & QFTP_FORM_BIT(c->type)))
        return RES_ERROR;
    snprintf(m->cur_cmd, sizeof m->cur_cmd, "%s", def->name);
    if (fault(m, SIM_FAULT_ANSWER_ERROR, def->name)) {
        logf_(m, "fault answer-error: %s", def->name);
        return RES_ERROR;
    }
    const sim_fault *dis = fault(m, SIM_FAULT_DISCONNECT, def->name);
    if (dis && dis->arg < 0) {
        disconnect_fault(m, def->name);
        return RES_DONE;
    }
    if (c->type == QFTP_TYPE_TEST) {
        const char *s = def->test_response;
        while (s && *s) {
            const char *e = strchr(s, '\n');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            info(m, "%.*s", (int)n, s);
            s += n + (e ? 1 : 0);
        }
        return RES_OK;
    }
    if (c->type == QFTP_TYPE_WRITE && qftp_check_params(def, c, count_problem, m) > 0) {
        /* GSM: "If format is right ... Otherwise response ERROR"; BG96 FTP: 610 */
        if (def->ftp && !is_gsm(m))
            return 610;
        return RES_ERROR;
    }
    if (def->ftp)
        return is_gsm(m) ? gsm_ftp(m, def, c) : bg96_ftp(m, def, c);
    const char *n = def->name;
    if (strcmp(n, "+QIFGCNT") == 0 || strcmp(n, "+QICSGP") == 0 || strcmp(n, "+QIACT") == 0 ||
        strcmp(n, "+QIDEACT") == 0)
        return h_context(m, def, c);
    if (strcmp(n, "+QFUPL") == 0)
        return h_qfupl(m, c);
    if (strcmp(n, "+QFDWL") == 0)
        return h_qfdwl(m, c);
    if (strcmp(n, "+QFLST") == 0)
        return h_qflst(m, c);
    if (strcmp(n, "+QFDEL") == 0)
        return h_qfdel(m, c);
    if (strcmp(n, "+QFOPEN") == 0)
        return c->type == QFTP_TYPE_WRITE ? h_qfopen(m, c) : RES_OK;
    if (strcmp(n, "+QFREAD") == 0)
        return h_qfread(m, c);
    if (strcmp(n, "+QFCLOSE") == 0)
        return h_qfclose(m, c);
    return h_basic(m, def, c);
}

static void run_line(sim_module *m, const char *line, size_t len)
{
    qftp_subcmd cmds[QFTP_MAX_SUBCMDS];
    bool trunc = false;
    char err[QFTP_ERRBUF_SIZE];
    m->info_open = false;
    int n = qftp_cmdline_parse(line, len, cmds, QFTP_MAX_SUBCMDS, &trunc, err);
    if (n <= 0) {
        final_word(m, "ERROR");
        return;
    }
    for (int i = 0; i < n; i++) {
        int r = run_one(m, &cmds[i]);
        if (r == RES_DONE)
            return;
        if (r == RES_ERROR) {
            final_word(m, "ERROR");
            return;
        }
        if (r >= 0) {
            final_cme(m, r);
            return;
        }
    }
    /* swap-ok-urc: the OK of a command whose URC is still to come waits for it */
    if (m->op.kind != OP_NONE && fault(m, SIM_FAULT_SWAP_OK_URC, m->op.name)) {
        logf_(m, "fault swap-ok-urc: OK held until %s", m->op.name);
        m->ok_held = true;
        return;
    }
    if (m->state == QFTP_STATE_CLOSING && fault(m, SIM_FAULT_SWAP_OK_URC, "+QFTPCLOSE")) {
        m->ok_held = true;
        return;
    }
    final_word(m, "OK");
}

static void on_tx(void *user, const qftp_event *ev)
{
    sim_module *m = user;
    switch (ev->kind) {
    case QFTP_EV_COMMAND: {
        if (m->dm == DM_DOWNLOAD || m->qfupl)
            return; /* the module is sending data: host text is not a command */
        const char *line = (const char *)ev->data;
        size_t len = ev->len;
        if (m->echo) {
            out_text(m, line, len);
            out_text(m, "\r", 1);
        }
        if (!(ev->flags & QFTP_EVF_REPEAT)) {
            if (len > sizeof m->last_line)
                len = sizeof m->last_line;
            memcpy(m->last_line, ev->data, len);
            m->last_line_len = len;
        }
        if (m->last_line_len == 0) {
            final_word(m, "ERROR");
            return;
        }
        m->cur_cmd[0] = '\0';
        run_line(m, m->last_line, m->last_line_len);
        const sim_fault *x = m->cur_cmd[0] ? fault(m, SIM_FAULT_EXTRA_URC, m->cur_cmd) : NULL;
        if (x) {
            logf_(m, "fault extra-urc: %s after %s", x->text, m->cur_cmd);
            out_str(m, "\r\n");
            out_str(m, x->text);
            out_str(m, "\r\n");
        }
        break;
    }
    case QFTP_EV_DATA:
        upload_data(m, ev->data, ev->len);
        break;
    case QFTP_EV_DATA_END:
        upload_end(m, ev->reason);
        break;
    case QFTP_EV_ESCAPE:
        if (m->dm == DM_DOWNLOAD) {
            /* device-quirks.md: "+++" during a download aborts the transfer */
            logf_(m, "+++ during %s: transfer aborted", m->op.name);
            m->out_len = m->out_head;
            m->last_len = m->op.passed;
            m->held_len = 0;
            op_free(m);
            set_dm(m, DM_COMMAND);
            set_state(m, QFTP_STATE_OPENED);
            final_word(m, "OK");
        }
        break;
    case QFTP_EV_OVERFLOW:
        if (m->dm == DM_COMMAND)
            final_word(m, "ERROR");
        break;
    default:
        break; /* text that is not a command: a module ignores it */
    }
}

/* ---- life cycle ------------------------------------------------------------------------------ */

static void defaults(sim_module *m)
{
    m->echo = true;                   /* V.250 default ATE1 */
    m->cmee = is_gsm(m) ? 0 : 1;      /* M-series ship with AT+CMEE=0, BG96 with 1 */
    m->transmode = is_gsm(m) ? 1 : 0; /* GSM 2.2.8 default passive; BG96 2.1 lists 0 first */
    m->filetype = 0;                  /* binary */
    m->contextid = 1;                 /* BG96 2.1 default */
    m->ssltype = 0;
    m->sslctxid = 0;
    m->data_address = 0;
    m->rsptimeout = m->o.rsptimeout; /* BG96 2.1 default 90 s */
    m->resume = 0;
    snprintf(m->localpos, sizeof m->localpos, "/COM/");
    m->state = QFTP_STATE_IDLE;
    snprintf(m->cwd, sizeof m->cwd, "/");
    m->dm = DM_COMMAND;
}

sim_module *sim_module_new(const sim_opts *o, char *errbuf)
{
    if (o->dialect != QFTP_DIALECT_GSM && o->dialect != QFTP_DIALECT_BG96) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "the simulator needs a dialect (gsm or bg96)");
        return NULL;
    }
    sim_module *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "out of memory");
        return NULL;
    }
    m->o = *o;
    if (m->o.rsptimeout <= 0)
        m->o.rsptimeout = DEFAULT_RSPTIMEOUT;
    if (m->o.close_delay <= 0)
        m->o.close_delay = DEFAULT_CLOSE_DELAY;
    qftp_parser_opts po;
    qftp_parser_opts_init(&po);
    po.line_cap = 4096;
    if (m->o.guard_time > 0)
        po.guard_time = m->o.guard_time;
    m->tx = qftp_parser_new(QFTP_DIR_TX, &po, on_tx, m, errbuf);
    m->multi = curl_multi_init();
    if (!m->tx || !m->multi) {
        if (m->tx)
            snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot create a libcurl multi handle");
        sim_module_free(m);
        return NULL;
    }
    defaults(m);
    return m;
}

static void drop_everything(sim_module *m)
{
    op_free(m);
    pend_clear(m);
    if (m->qfupl) {
        fclose(m->qfupl);
        m->qfupl = NULL;
    }
    for (int i = 0; i < 8; i++)
        if (m->handles[i]) {
            fclose(m->handles[i]);
            m->handles[i] = NULL;
        }
}

void sim_module_free(sim_module *m)
{
    if (!m)
        return;
    drop_everything(m);
    if (m->multi)
        curl_multi_cleanup(m->multi);
    qftp_parser_free(m->tx);
    free(m->out);
    free(m->held);
    free(m);
}

void sim_module_reset(sim_module *m)
{
    drop_everything(m);
    stop_ftp_service(m);
    qftp_parser_reset(m->tx);
    m->out_len = m->out_head = 0;
    m->held_len = 0;
    m->info_open = m->ok_held = m->stuck = m->disconnect = false;
    m->last_len = 0;
    m->last_line_len = 0;
    memset(m->ctx_active, 0, sizeof m->ctx_active);
    m->user[0] = m->pass[0] = '\0';
    logf_(m, "module reset");
    defaults(m);
}

size_t sim_module_rx_room(const sim_module *m)
{
    if (m->dm == DM_UPLOAD && !m->qfupl) {
        if (m->op.stalled)
            return 0;
        return m->up_len >= SIM_UP_CAP ? 0 : SIM_UP_CAP - m->up_len;
    }
    return 65536;
}

void sim_module_input(sim_module *m, const uint8_t *b, size_t n, qftp_ts now)
{
    m->now = now;
    qftp_parser_feed(m->tx, b, n, now);
}

size_t sim_module_pending(const sim_module *m, const uint8_t **p)
{
    *p = m->out + m->out_head;
    return m->out_len - m->out_head;
}

void sim_module_consumed(sim_module *m, size_t n)
{
    m->out_head += n;
    if (m->out_head >= m->out_len)
        m->out_head = m->out_len = 0;
    if (m->op.write_paused && m->op.easy && m->out_len - m->out_head < SIM_OUT_HIGH / 2) {
        m->op.write_paused = false;
        curl_easy_pause(m->op.easy, CURLPAUSE_CONT);
    }
}

static void pend_fire(sim_module *m, pend_item *p)
{
    switch (p->action) {
    case PEND_TEXT:
        out_text(m, p->text, p->len);
        break;
    case PEND_CLOSE_DONE:
        stop_ftp_service(m);
        m->stuck = false;
        set_state(m, QFTP_STATE_CLOSED);
        snprintf(m->cur_cmd, sizeof m->cur_cmd, "+QFTPCLOSE");
        if (is_gsm(m))
            gsm_result(m, "+QFTPCLOSE", 0);
        else
            bg96_result(m, "+QFTPCLOSE", 0, 0);
        break;
    case PEND_UPLOAD_DEADLINE:
        if (m->dm == DM_UPLOAD && m->op.kind == OP_PUT) {
            logf_(m, "upload time limit reached");
            qftp_parser_exit_data(m->tx, m->now, QFTP_DATA_END_FORCED);
        }
        break;
    }
    free(p->text);
}

void sim_module_run(sim_module *m, qftp_ts now)
{
    m->now = now;
    if (!m->op.stalled)
        qftp_parser_tick(m->tx, now);
    for (size_t i = 0; i < m->n_pend;) {
        if (m->pend[i].due <= now) {
            pend_item p = m->pend[i];
            memmove(&m->pend[i], &m->pend[i + 1], (m->n_pend - i - 1) * sizeof p);
            m->n_pend--;
            pend_fire(m, &p);
        } else {
            i++;
        }
    }
    curl_work(m);
}

qftp_ts sim_module_next_timer(const sim_module *m)
{
    qftp_ts t = QFTP_TS_NONE;
    for (size_t i = 0; i < m->n_pend; i++)
        if (t == QFTP_TS_NONE || m->pend[i].due < t)
            t = m->pend[i].due;
    /* guard times and inactivity: the parser needs a tick after the host falls silent */
    if (m->dm != DM_COMMAND) {
        qftp_ts g = m->now + 250 * QFTP_NS_PER_MS;
        if (t == QFTP_TS_NONE || g < t)
            t = g;
    }
    return t;
}

CURLM *sim_module_multi(const sim_module *m)
{
    return m->multi;
}

bool sim_module_take_disconnect(sim_module *m)
{
    bool d = m->disconnect;
    m->disconnect = false;
    return d;
}
