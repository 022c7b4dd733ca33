/* ftp.c - the simulated module's FTP service: real FTP through libcurl's multi interface,
 * one transfer at a time (the module has one FTP service), the control connection kept
 * alive between commands by libcurl's connection cache, so AT+QFTPOPEN really logs in
 * and AT+QFTPCLOSE really quits. Also the host side of data mode and the mapping of
 * libcurl failures and FTP replies to the manuals' error codes.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "module.h"

/* ---- paths on the server ---------------------------------------------------------------- */

/* Resolves name against the current directory into an absolute, normalised path. */
void sim_resolve(const sim_module *m, const char *name, char *out, size_t cap)
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
void sim_make_url(sim_module *m, const char *abs, bool dir, char *out, size_t cap)
{
    const char *scheme = (!sim_is_gsm(m) && m->ssltype == 1) ? "ftps" : "ftp";
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

/* ---- libcurl ------------------------------------------------------------------------------ */

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

void sim_disconnect_fault(sim_module *m, const char *why)
{
    sim_logf(m, "fault disconnect: %s", why);
    m->disconnect = true;
}

static void enter_download(sim_module *m)
{
    ftp_op *op = &m->op;
    op->connected = true;
    sim_out_raw(m, "\r\nCONNECT\r\n", 11);
    m->info_open = false;
    sim_set_dm(m, DM_DOWNLOAD);
    sim_set_state(m, QFTP_STATE_TRANSFER);
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    sim_module *m = ud;
    ftp_op *op = &m->op;
    size_t n = size * nmemb;
    if (!op->to_com) {
        size_t fit = op->room >= 0 && (int64_t)n > op->room ? (size_t)op->room : n;
        if (op->local && fwrite(ptr, 1, fit, op->local) != fit)
            return 0;
        if (op->room >= 0)
            op->room -= (int64_t)fit;
        if (fit < n) {
            op->full = true; /* the storage is full: the transfer fails (op_done) */
            op->bytes += (int64_t)fit;
            return 0;
        }
        op->bytes += (int64_t)n;
        op->passed += (int64_t)n;
        return n;
    }
    if (op->stalled || m->disconnect)
        return CURL_WRITEFUNC_PAUSE;
    if (m->out_len - m->out_head > SIM_OUT_HIGH || sim_escape_pending(m)) {
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
        sim_logf(m, "fault stall: %s stops after %lld bytes", op->name,
                 (long long)op->f_stall->arg);
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
        sim_out_raw(m, ptr, (size_t)pass);
    op->passed += pass;
    op->bytes += (int64_t)n;
    if (op->f_disconnect && op->f_disconnect->arg >= 0 && op->bytes >= op->f_disconnect->arg &&
        !m->disconnect)
        sim_disconnect_fault(m, "during the download");
    return n;
}

static void enter_upload(sim_module *m);
static size_t read_raw(sim_module *m, char *buf, size_t want);

/* An ASCII (TYPE A) upload: the module's data is text with LF line ends, and each LF goes
 * out as CRLF (RFC 959 3.1.1.1: the sender turns its line ends into CRLF; the server turns
 * them into its own), so a server on a system with LF line ends stores exactly the bytes
 * the host sent: manual 3.6 uploads 1000 bytes with "filetype",1 and +QFTPSIZE then says
 * 1000. The module does it, not libcurl: libcurl 7.88 put a CR before every LF, 8.x only
 * before a LF without one (a host's CRLF reached the server as CRLF and was stored as LF),
 * and the stored files differed with the library's version. A CR is data like any other. */
static size_t read_ascii(sim_module *m, char *buf, size_t want)
{
    ftp_op *op = &m->op;
    if (want == 0)
        return 0;
    if (op->lf_pending) {
        buf[0] = '\n';
        op->lf_pending = false;
        return 1;
    }
    /* at most half the room from the source: every byte fits even if each is a LF (a
     * 1-byte read leaves the LF of its CRLF for the next read) */
    char tmp[8192];
    size_t take = want / 2 ? want / 2 : 1;
    if (take > sizeof tmp)
        take = sizeof tmp;
    size_t got = read_raw(m, tmp, take);
    if (got == CURL_READFUNC_PAUSE)
        return got;
    size_t k = 0;
    for (size_t i = 0; i < got; i++) {
        if (tmp[i] != '\n') {
            buf[k++] = tmp[i];
        } else if (k + 2 <= want) {
            buf[k++] = '\r';
            buf[k++] = '\n';
        } else {
            buf[k++] = '\r';
            op->lf_pending = true;
        }
    }
    return k;
}

static size_t on_read(char *buf, size_t size, size_t nmemb, void *ud)
{
    sim_module *m = ud;
    size_t want = size * nmemb;
    return m->op.ascii_up ? read_ascii(m, buf, want) : read_raw(m, buf, want);
}

/* The module's data to upload, as it is: at most want bytes, 0 at its end, or
 * CURL_READFUNC_PAUSE while the host has sent nothing new. */
static size_t read_raw(sim_module *m, char *buf, size_t want)
{
    ftp_op *op = &m->op;
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

long sim_timeout_ms(const sim_module *m)
{
    return (long)(m->rsptimeout / QFTP_NS_PER_MS);
}

/* A transfer handle with the module's FTP settings. */
CURL *sim_easy_new(sim_module *m, const char *url)
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
    if (!sim_is_gsm(m) && m->ssltype != 0) {
        if (m->ssltype == 2)
            curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
        /* BG96 3.2 uses seclevel 0: no server certificate check */
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    long ms = sim_timeout_ms(m);
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

void sim_op_free(sim_module *m)
{
    ftp_op *op = &m->op;
    if (op->easy) {
        curl_multi_remove_handle(m->multi, op->easy);
        curl_easy_cleanup(op->easy);
    }
    curl_slist_free_all(op->quote);
    curl_slist_free_all(op->prequote);
    if (op->local)
        fclose(op->local);
    memset(op, 0, sizeof *op);
    m->up_len = m->up_head = 0;
}

bool sim_op_start(sim_module *m, CURL *e)
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
void sim_op_begin(sim_module *m, op_kind kind, const char *name)
{
    sim_op_free(m);
    m->op.kind = kind;
    m->op.limit = -1;
    m->op.room = -1;
    snprintf(m->op.name, sizeof m->op.name, "%s", name);
    m->op.f_truncate = sim_fault_for(m, SIM_FAULT_TRUNCATE, name);
    m->op.f_stall = sim_fault_for(m, SIM_FAULT_STALL, name);
    m->op.f_disconnect = sim_fault_for(m, SIM_FAULT_DISCONNECT, name);
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

/* ---- data mode ------------------------------------------------------------------------------ */

static void enter_upload(sim_module *m)
{
    ftp_op *op = &m->op;
    op->connected = true;
    sim_out_raw(m, "\r\nCONNECT\r\n", 11);
    m->info_open = false;
    qftp_data_mode dm;
    qftp_data_mode_init(&dm);
    dm.end_on_escape = true;
    if (op->limit >= 0) {
        dm.expect_len = op->limit;
        dm.end_on_length = true;
    }
    if (!sim_is_gsm(m))
        dm.inactivity = m->rsptimeout; /* device-quirks.md: 609 after rsptimeout */
    sim_set_dm(m, DM_UPLOAD);
    sim_set_state(m, QFTP_STATE_TRANSFER);
    qftp_parser_enter_data(m->tx, &dm);
}

void sim_upload_data(sim_module *m, const uint8_t *b, size_t n)
{
    if (m->qfupl) {
        if ((int64_t)n > m->qfupl_room) {
            m->qfupl_full = true; /* the data goes on into nothing, as a full drive takes it */
            m->qfupl_left = -1;
        } else if (fwrite(b, 1, n, m->qfupl) != n) {
            m->qfupl_left = -1;
        } else {
            m->qfupl_room -= (int64_t)n;
        }
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
        sim_logf(m, "fault stall: %s stops taking data after %lld bytes", op->name,
                 (long long)op->bytes);
    }
    if (op->f_disconnect && op->f_disconnect->arg >= 0 && op->bytes >= op->f_disconnect->arg &&
        !m->disconnect)
        sim_disconnect_fault(m, "during the upload");
    if (op->read_paused && op->easy) {
        op->read_paused = false;
        curl_easy_pause(op->easy, CURLPAUSE_CONT);
    }
}

void sim_upload_end(sim_module *m, qftp_data_end_reason why)
{
    sim_set_dm(m, DM_COMMAND);
    if (m->qfupl) {
        sim_qfupl_end(m, why);
        return;
    }
    ftp_op *op = &m->op;
    op->up_eof = true;
    if (why == QFTP_DATA_END_INACTIVITY && !sim_is_gsm(m)) {
        op->up_timeout = true;
    } else if (!sim_is_gsm(m)) {
        /* BG96 2.5: data mode ends (length, "+++"), then OK, then the URC */
        sim_final_word(m, "OK");
    }
    if (op->read_paused && op->easy) {
        op->read_paused = false;
        curl_easy_pause(op->easy, CURLPAUSE_CONT);
    }
}

/* ---- completions ------------------------------------------------------------------------- */

void sim_stop_ftp_service(sim_module *m)
{
    sim_op_free(m);
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
    if (op->full) /* BG96 chapter 5: 619 insufficient system storage; GSM 3: -12 (local file) */
        e = (err_pair){619, 0, -12};
    if (!ok)
        sim_logf(m, "%s failed: %s (FTP %ld, \"%s\")", op->name, curl_easy_strerror(rc), reply,
                 op->reply);
    if (op->stalled) {
        sim_logf(m, "stalled %s ended (%s): nothing reported", op->name, curl_easy_strerror(rc));
        sim_op_free(m);
        return;
    }
    bool gsm = sim_is_gsm(m);
    char name[24];
    snprintf(name, sizeof name, "%s", op->name);
    switch (op->kind) {
    case OP_OPEN:
        if (ok) {
            char *entry = NULL;
            curl_easy_getinfo(op->easy, CURLINFO_FTP_ENTRY_PATH, &entry);
            snprintf(m->cwd, sizeof m->cwd, "%s", entry && entry[0] == '/' ? entry : "/");
            sim_set_state(m, QFTP_STATE_OPENED);
        } else {
            sim_set_state(m, gsm ? QFTP_STATE_IDLE : QFTP_STATE_CLOSED);
        }
        sim_op_free(m);
        if (!ok)
            sim_stop_ftp_service(m);
        if (gsm)
            sim_gsm_result(m, name, ok ? 0 : e.gsm);
        else
            sim_bg96_result(m, name, ok ? 0 : e.bg96, e.pe);
        return;
    case OP_CWD:
        if (ok)
            snprintf(m->cwd, sizeof m->cwd, "%s", op->target);
        break;
    default:
        break;
    }
    if (m->state == QFTP_STATE_WORKING || m->state == QFTP_STATE_TRANSFER)
        sim_set_state(m, QFTP_STATE_OPENED);
    if (op->kind == OP_SIZE || op->kind == OP_MDTM) {
        curl_off_t size = -1;
        curl_off_t ft = -1;
        curl_easy_getinfo(op->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &size);
        curl_easy_getinfo(op->easy, CURLINFO_FILETIME_T, &ft);
        int64_t v = op->kind == OP_SIZE ? (int64_t)size : (int64_t)ft;
        sim_op_free(m);
        if (ok && v < 0) /* the server answered SIZE/MDTM with 550 */
            sim_bg96_result(m, name, bg96_err_for_reply(550), 550);
        else if (!ok)
            sim_bg96_result(m, name, e.bg96, e.pe);
        else if (strcmp(name, "+QFTPSIZE") == 0)
            sim_bg96_result(m, name, 0, v);
        else {
            time_t t = (time_t)v;
            struct tm tm;
            gmtime_r(&t, &tm);
            char ts[32];
            strftime(ts, sizeof ts, "%Y%m%d%H%M%S", &tm);
            sim_urc(m, name, "0,\"%s\"", ts);
        }
        return;
    }
    if (op->kind == OP_CWD || op->kind == OP_QUOTE) {
        sim_op_free(m);
        if (gsm)
            sim_gsm_result(m, name, ok ? 0 : e.gsm);
        else
            sim_bg96_result(m, name, ok ? 0 : e.bg96, e.pe);
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
        sim_op_free(m);
        sim_final_cme(m, e.bg96);
        return;
    }
    if (upload && was_com && m->dm == DM_UPLOAD) {
        /* the server ended the upload while the host was still sending */
        qftp_parser_exit_data(m->tx, m->now, QFTP_DATA_END_FORCED);
        sim_set_dm(m, DM_COMMAND);
    }
    if (!upload && was_com && connected) {
        sim_leave_download(m);
        if (!gsm)
            sim_final_word(m, "OK");
    }
    sim_op_free(m);
    if (gsm) {
        sim_gsm_result(m, name, ok ? count : e.gsm);
    } else if (timeout609) {
        sim_bg96_result(m, name, 609, 0);
    } else {
        if (ok)
            sim_urc(m, name, "0,%lld", (long long)count);
        else
            sim_bg96_result(m, name, e.bg96, e.pe);
    }
}

void sim_curl_work(sim_module *m)
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

/* ---- FTP commands: shared ----------------------------------------------------------------- */

bool sim_session_open(const sim_module *m)
{
    return m->state == QFTP_STATE_OPENED || m->state == QFTP_STATE_WORKING ||
           m->state == QFTP_STATE_TRANSFER;
}

int sim_start_quote(sim_module *m, op_kind kind, const char *name, const char *c1, const char *c2)
{
    sim_op_begin(m, kind, name);
    char url[PATH_CAP * 3];
    sim_make_url(m, "/", true, url, sizeof url);
    CURL *e = sim_easy_new(m, url);
    if (!e)
        return 601;
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    m->op.quote = curl_slist_append(NULL, c1);
    if (c2)
        m->op.quote = curl_slist_append(m->op.quote, c2);
    curl_easy_setopt(e, CURLOPT_QUOTE, m->op.quote);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, sim_timeout_ms(m));
    if (!sim_op_start(m, e))
        return 601;
    return RES_OK;
}

int sim_start_open(sim_module *m, const char *name)
{
    sim_op_begin(m, OP_OPEN, name);
    char url[PATH_CAP * 3];
    sim_make_url(m, "/", true, url, sizeof url);
    CURL *e = sim_easy_new(m, url);
    if (!e)
        return 601;
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, sim_timeout_ms(m));
    sim_set_state(m, QFTP_STATE_OPENING);
    if (!sim_op_start(m, e))
        return 601;
    return RES_OK;
}

/* Starts GET/PUT/LIST: the local side is COM: (to_com) or an open FILE. */
int sim_start_transfer(sim_module *m, op_kind kind, const char *abs, int64_t startpos, int64_t len)
{
    ftp_op *op = &m->op;
    char url[PATH_CAP * 3];
    bool dir = kind == OP_LIST || kind == OP_NLST || kind == OP_MLSD;
    sim_make_url(m, abs, dir, url, sizeof url);
    CURL *e = sim_easy_new(m, url);
    if (!e)
        return 601;
    if (kind == OP_PUT) {
        curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
        if (startpos > 0)
            curl_easy_setopt(e, CURLOPT_APPEND, 1L); /* continue the file on the server */
        if (m->filetype == 1) {
            /* read_ascii converts; libcurl sends the bytes as they are (binary for it), and
             * "TYPE A" goes after its own TYPE I. The connection is not used again: libcurl
             * would take the server to be in binary mode still. */
            op->ascii_up = true;
            op->prequote = curl_slist_append(NULL, "TYPE A");
            if (!op->prequote) {
                curl_easy_cleanup(e);
                return 601;
            }
            curl_easy_setopt(e, CURLOPT_TRANSFERTEXT, 0L);
            curl_easy_setopt(e, CURLOPT_PREQUOTE, op->prequote);
            curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
        } else if (!op->to_com && op->limit >= 0) {
            curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)op->limit);
        }
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
    sim_set_state(m, QFTP_STATE_WORKING);
    if (!sim_op_start(m, e))
        return 601;
    return RES_OK;
}
