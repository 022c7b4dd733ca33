/* module.c - a simulated Quectel module: the AT command engine of both dialects (output to
 * the host, results and URCs, pending timed actions, command dispatch) and the module's
 * life cycle. The FTP service (ftp.c), local storage (storage.c), each dialect's FTP
 * commands (bg96.c, gsm.c) and the commands around FTP (general.c) are its other files;
 * module.h lists what they share.
 *
 * Everything the module says comes from the core library's tables (test responses,
 * ranges, code texts, state words) or from the manuals' response shapes written out
 * here; device-quirks.md decides where the manuals and real modules differ.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "module.h"

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

void sim_logf(sim_module *m, const char *fmt, ...)
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

bool sim_is_gsm(const sim_module *m)
{
    return m->o.dialect == QFTP_DIALECT_GSM;
}

const sim_fault *sim_fault_for(const sim_module *m, sim_fault_kind k, const char *cmd)
{
    return sim_fault_find(m->o.faults, m->o.n_faults, k, cmd);
}

/* The single setter of the FTP service state (conventions.md "Named states"). */
void sim_set_state(sim_module *m, qftp_ftp_state s)
{
    if (m->state == s)
        return;
    sim_logf(m, "ftp state %s -> %s", qftp_state_name(m->state), qftp_state_name(s));
    m->state = s;
}

static const char *const dm_names[] = {"COMMAND", "UPLOAD", "DOWNLOAD"};

void sim_set_dm(sim_module *m, dm_state d)
{
    if (m->dm == d)
        return;
    sim_logf(m, "serial %s -> %s", dm_names[m->dm], dm_names[d]);
    m->dm = d;
}

/* ---- output ------------------------------------------------------------------------------ */

void sim_out_raw(sim_module *m, const void *b, size_t n)
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
void sim_out_text(sim_module *m, const char *s, size_t n)
{
    if (m->dm != DM_DOWNLOAD) {
        sim_out_raw(m, s, n);
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

void sim_out_str(sim_module *m, const char *s)
{
    sim_out_text(m, s, strlen(s));
}

void sim_leave_download(sim_module *m)
{
    sim_set_dm(m, DM_COMMAND);
    if (m->held_len) {
        sim_out_raw(m, m->held, m->held_len);
        m->held_len = 0;
    }
}

/* "+NAME: " or "+NAME:" for this dialect/command (device-quirks.md "Dialect differences":
 * GSM has no space, except +QFTPLEN). */
const char *sim_sep(const sim_module *m, const char *name)
{
    if (sim_fault_for(m, SIM_FAULT_NO_SPACE, name))
        return ":";
    if (sim_is_gsm(m) && strncmp(name, "+QFTP", 5) == 0 && strcmp(name, "+QFTPLEN") != 0)
        return ":";
    return ": ";
}

/* An information response line; the first one of a response opens with \r\n. */
void sim_info(sim_module *m, const char *fmt, ...)
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
        sim_out_str(m, "\r\n");
    m->info_open = true;
    memcpy(buf + n, "\r\n", 2);
    sim_out_text(m, buf, (size_t)n + 2);
}

/* "+NAME: fields" as an information line */
void sim_info_named(sim_module *m, const char *name, const char *fmt, ...)
{
    char buf[1600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sim_info(m, "%s%s%s", name, sim_sep(m, name), buf);
}

void sim_final_word(sim_module *m, const char *word)
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, "\r\n%s\r\n", word);
    sim_out_text(m, buf, (size_t)n);
    m->info_open = false;
}

void sim_final_cme(sim_module *m, int code)
{
    const sim_fault *f = sim_fault_for(m, SIM_FAULT_ERROR_CODE, m->cur_cmd);
    if (f)
        code = (int)f->arg;
    if (m->cmee == 0) {
        sim_final_word(m, "ERROR");
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
    sim_final_word(m, buf);
}

/* ---- pending timed actions ------------------------------------------------------------ */

void sim_pend_add(sim_module *m, qftp_ts due, pend_action a, const char *text, size_t len)
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
void sim_urc(sim_module *m, const char *name, const char *fmt, ...)
{
    char body[1200], buf[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    int n = snprintf(buf, sizeof buf, "\r\n%s%s%s\r\n", name, sim_sep(m, name), body);
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
    if (sim_fault_for(m, SIM_FAULT_DROP_URC, name)) {
        sim_logf(m, "fault drop-urc: %s%s%s not sent", name, sim_sep(m, name), body);
        if (ok_after)
            sim_out_str(m, "\r\nOK\r\n");
        return;
    }
    const sim_fault *d = sim_fault_for(m, SIM_FAULT_DELAY_URC, name);
    if (d) {
        sim_logf(m, "fault delay-urc: %s by %lld ms", name, (long long)d->arg);
        sim_pend_add(m, m->now + d->arg * QFTP_NS_PER_MS, PEND_TEXT, buf, (size_t)n);
        return;
    }
    sim_out_text(m, buf, (size_t)n);
}

/* Outcome of a BG96 command: "+NAME: <err>,<pe or value>" (error-code fault applied). */
void sim_bg96_result(sim_module *m, const char *name, int err, int64_t v)
{
    const sim_fault *f = sim_fault_for(m, SIM_FAULT_ERROR_CODE, name);
    if (f && err != 0)
        err = (int)f->arg;
    sim_urc(m, name, "%d,%lld", err, (long long)v);
}

/* Outcome of a GSM command: "+NAME:<n>", n < 0 an error. */
void sim_gsm_result(sim_module *m, const char *name, int64_t n)
{
    const sim_fault *f = sim_fault_for(m, SIM_FAULT_ERROR_CODE, name);
    if (f && n < 0)
        n = f->arg > 0 ? -f->arg : f->arg;
    sim_urc(m, name, "%lld", (long long)n);
}

/* ---- parameters ---------------------------------------------------------------------------- */

bool sim_pstr(const qftp_subcmd *c, size_t i, char *out, size_t cap)
{
    if (i >= c->n_params || c->params[i].len == 0) {
        out[0] = '\0';
        return false;
    }
    size_t n = qftp_param_unquote(c->params[i], out, cap);
    return n < cap;
}

bool sim_pint(const qftp_subcmd *c, size_t i, int64_t *v)
{
    if (i >= c->n_params || c->params[i].len == 0)
        return false;
    return qftp_param_int(c->params[i], v);
}

/* Parameter i as a BG96 local name ("UFS:a", "RAM:a", "a"): copied into buf, split. */
const char *sim_stored_name(const qftp_subcmd *c, size_t i, char *buf, size_t cap, sim_area *area)
{
    const char *fname;
    sim_pstr(c, i, buf, cap);
    sim_ufs_split_bg96(buf, area, &fname);
    return fname;
}

/* ---- dispatch ------------------------------------------------------------------------------- */

static void count_problem(void *user, int index, const char *text)
{
    sim_module *m = user;
    sim_logf(m, "parameter %d: %s", index + 1, text);
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
    if (sim_fault_for(m, SIM_FAULT_ANSWER_ERROR, def->name)) {
        sim_logf(m, "fault answer-error: %s", def->name);
        return RES_ERROR;
    }
    const sim_fault *dis = sim_fault_for(m, SIM_FAULT_DISCONNECT, def->name);
    if (dis && dis->arg < 0) {
        sim_disconnect_fault(m, def->name);
        return RES_DONE;
    }
    if (c->type == QFTP_TYPE_TEST) {
        const char *s = def->test_response;
        while (s && *s) {
            const char *e = strchr(s, '\n');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            sim_info(m, "%.*s", (int)n, s);
            s += n + (e ? 1 : 0);
        }
        return RES_OK;
    }
    if (c->type == QFTP_TYPE_WRITE && qftp_check_params(def, c, count_problem, m) > 0) {
        /* GSM: "If format is right ... Otherwise response ERROR"; BG96 FTP: 610 */
        if (def->ftp && !sim_is_gsm(m))
            return 610;
        return RES_ERROR;
    }
    if (def->ftp)
        return sim_is_gsm(m) ? sim_gsm_ftp(m, def, c) : sim_bg96_ftp(m, def, c);
    const char *n = def->name;
    if (strcmp(n, "+QIFGCNT") == 0 || strcmp(n, "+QICSGP") == 0 || strcmp(n, "+QIACT") == 0 ||
        strcmp(n, "+QIDEACT") == 0)
        return sim_cmd_context(m, def, c);
    if (strcmp(n, "+QFUPL") == 0)
        return sim_cmd_qfupl(m, c);
    if (strcmp(n, "+QFDWL") == 0)
        return sim_cmd_qfdwl(m, c);
    if (strcmp(n, "+QFLST") == 0)
        return sim_cmd_qflst(m, c);
    if (strcmp(n, "+QFDEL") == 0)
        return sim_cmd_qfdel(m, c);
    if (strcmp(n, "+QFOPEN") == 0)
        return c->type == QFTP_TYPE_WRITE ? sim_cmd_qfopen(m, c) : RES_OK;
    if (strcmp(n, "+QFREAD") == 0)
        return sim_cmd_qfread(m, c);
    if (strcmp(n, "+QFCLOSE") == 0)
        return sim_cmd_qfclose(m, c);
    return sim_cmd_basic(m, def, c);
}

static void run_line(sim_module *m, const char *line, size_t len)
{
    qftp_subcmd cmds[QFTP_MAX_SUBCMDS];
    bool trunc = false;
    char err[QFTP_ERRBUF_SIZE];
    m->info_open = false;
    int n = qftp_cmdline_parse(line, len, cmds, QFTP_MAX_SUBCMDS, &trunc, err);
    if (n <= 0) {
        sim_final_word(m, "ERROR");
        return;
    }
    for (int i = 0; i < n; i++) {
        int r = run_one(m, &cmds[i]);
        if (r == RES_DONE)
            return;
        if (r == RES_ERROR) {
            sim_final_word(m, "ERROR");
            return;
        }
        if (r >= 0) {
            sim_final_cme(m, r);
            return;
        }
    }
    /* swap-ok-urc: the OK of a command whose URC is still to come waits for it */
    if (m->op.kind != OP_NONE && sim_fault_for(m, SIM_FAULT_SWAP_OK_URC, m->op.name)) {
        sim_logf(m, "fault swap-ok-urc: OK held until %s", m->op.name);
        m->ok_held = true;
        return;
    }
    if (m->state == QFTP_STATE_CLOSING && sim_fault_for(m, SIM_FAULT_SWAP_OK_URC, "+QFTPCLOSE")) {
        m->ok_held = true;
        return;
    }
    sim_final_word(m, "OK");
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
            sim_out_text(m, line, len);
            sim_out_text(m, "\r", 1);
        }
        if (!(ev->flags & QFTP_EVF_REPEAT)) {
            if (len > sizeof m->last_line)
                len = sizeof m->last_line;
            memcpy(m->last_line, ev->data, len);
            m->last_line_len = len;
        }
        if (m->last_line_len == 0) {
            sim_final_word(m, "ERROR");
            return;
        }
        m->cur_cmd[0] = '\0';
        run_line(m, m->last_line, m->last_line_len);
        const sim_fault *x =
            m->cur_cmd[0] ? sim_fault_for(m, SIM_FAULT_EXTRA_URC, m->cur_cmd) : NULL;
        if (x) {
            sim_logf(m, "fault extra-urc: %s after %s", x->text, m->cur_cmd);
            sim_out_str(m, "\r\n");
            sim_out_str(m, x->text);
            sim_out_str(m, "\r\n");
        }
        break;
    }
    case QFTP_EV_DATA:
        sim_upload_data(m, ev->data, ev->len);
        break;
    case QFTP_EV_DATA_END:
        sim_upload_end(m, ev->reason);
        break;
    case QFTP_EV_ESCAPE:
        if (m->dm == DM_DOWNLOAD) {
            /* device-quirks.md: "+++" during a download aborts the transfer */
            sim_logf(m, "+++ during %s: transfer aborted", m->op.name);
            m->out_len = m->out_head;
            m->last_len = m->op.passed;
            m->held_len = 0;
            sim_op_free(m);
            sim_set_dm(m, DM_COMMAND);
            sim_set_state(m, QFTP_STATE_OPENED);
            sim_final_word(m, "OK");
        }
        break;
    case QFTP_EV_OVERFLOW:
        if (m->dm == DM_COMMAND)
            sim_final_word(m, "ERROR");
        break;
    default:
        break; /* text that is not a command: a module ignores it */
    }
}

/* ---- life cycle ------------------------------------------------------------------------------ */

static void defaults(sim_module *m)
{
    m->echo = true;                       /* V.250 default ATE1 */
    m->cmee = sim_is_gsm(m) ? 0 : 1;      /* M-series ship with AT+CMEE=0, BG96 with 1 */
    m->transmode = sim_is_gsm(m) ? 1 : 0; /* GSM 2.2.8 default passive; BG96 2.1 lists 0 first */
    m->filetype = 0;                      /* binary */
    m->contextid = 1;                     /* BG96 2.1 default */
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
    bool gsm = o->dialect == QFTP_DIALECT_GSM;
    const int64_t sizes[3] = {gsm ? SIM_GSM_UFS_SIZE : SIM_BG96_UFS_SIZE,
                              gsm ? SIM_GSM_RAM_SIZE : SIM_BG96_RAM_SIZE, SIM_SD_SIZE};
    for (int a = 0; a < 3; a++)
        if (m->o.storage[a] <= 0)
            m->o.storage[a] = sizes[a];
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
    sim_op_free(m);
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
    sim_stop_ftp_service(m);
    qftp_parser_reset(m->tx);
    m->out_len = m->out_head = 0;
    m->held_len = 0;
    m->info_open = m->ok_held = m->stuck = m->disconnect = false;
    m->last_len = 0;
    m->last_line_len = 0;
    memset(m->ctx_active, 0, sizeof m->ctx_active);
    m->user[0] = m->pass[0] = '\0';
    sim_logf(m, "module reset");
    defaults(m);
}

/* A "+++" during a download waits for its guard time (BG96 manual 1.2). Over a real UART
 * only a few KB of the file pass in that second; over the simulator's socket the rest of
 * the file would, and a download the host meant to abort would end normally. So while
 * the escape is pending the module sends no more file bytes (device-quirks.md: "+++"
 * during a download aborts it). */
bool sim_escape_pending(const sim_module *m)
{
    return m->dm == DM_DOWNLOAD && qftp_parser_escape_pending(m->tx);
}

/* A download paused for a slow host or a pending escape goes on once neither holds. */
static void download_resume(sim_module *m)
{
    if (m->op.write_paused && m->op.easy && m->out_len - m->out_head < SIM_OUT_HIGH / 2 &&
        !sim_escape_pending(m)) {
        m->op.write_paused = false;
        curl_easy_pause(m->op.easy, CURLPAUSE_CONT);
    }
}

size_t sim_module_rx_room(const sim_module *m)
{
    /* During a download the host's bytes make no output (the module is sending data:
     * they are not commands), and the parser holds at most a line of them: they are
     * always read, so a "+++" is seen whatever the host reads, as a module's UART
     * watches for it in data mode. */
    if (m->dm == DM_DOWNLOAD)
        return 65536;
    /* A host that writes without reading: past the backlog cap its bytes wait in the
     * kernel (and its writes block) until it takes what it was sent, as a module's UART
     * with its TX buffer full stops taking commands. Near the cap it is read in small
     * pieces, so the answers one read can make stay small too. */
    size_t backlog = m->out_len - m->out_head;
    if (backlog >= SIM_BACKLOG_CAP)
        return 0;
    size_t most = backlog >= SIM_BACKLOG_CAP / 2 ? SIM_SLOW_READ : 65536;
    if (m->dm == DM_UPLOAD && !m->qfupl) {
        if (m->op.stalled)
            return 0;
        size_t room = m->up_len >= SIM_UP_CAP ? 0 : SIM_UP_CAP - m->up_len;
        return room < most ? room : most;
    }
    return most;
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
    download_resume(m);
}

static void pend_fire(sim_module *m, pend_item *p)
{
    switch (p->action) {
    case PEND_TEXT:
        sim_out_text(m, p->text, p->len);
        break;
    case PEND_CLOSE_DONE:
        sim_stop_ftp_service(m);
        m->stuck = false;
        sim_set_state(m, QFTP_STATE_CLOSED);
        snprintf(m->cur_cmd, sizeof m->cur_cmd, "+QFTPCLOSE");
        if (sim_is_gsm(m))
            sim_gsm_result(m, "+QFTPCLOSE", 0);
        else
            sim_bg96_result(m, "+QFTPCLOSE", 0, 0);
        break;
    case PEND_UPLOAD_DEADLINE:
        if (m->dm == DM_UPLOAD && m->op.kind == OP_PUT) {
            sim_logf(m, "upload time limit reached");
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
    download_resume(m); /* "+++" followed by more bytes within its guard time was data */
    sim_curl_work(m);
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
    /* An FTP operation under way: libcurl (7.88) sometimes leaves a step to be run without
     * a socket or a timer to wake it (after a PASV reply, while it resolves the data
     * address), and the transfer would sit until the next wake-up: every operation took
     * a second. A short tick keeps it moving. */
    if (m->op.easy && !m->op.stalled) {
        qftp_ts g = m->now + 10 * QFTP_NS_PER_MS;
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
