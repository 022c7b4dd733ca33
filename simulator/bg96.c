/* bg96.c - the simulated module's FTP commands in the BG96 dialect (BG96 manual chapter 2). */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "module.h"

/* ---- BG96 FTP commands (BG96 manual chapter 2) ---------------------------------------------- */

/* BG96 busy rules (device-quirks.md "Result codes"): 603 while opening or closing, while
 * another operation runs, and after a 615 until AT+QFTPCLOSE. */
static bool bg96_busy(const sim_module *m)
{
    return m->state == QFTP_STATE_OPENING || m->state == QFTP_STATE_CLOSING ||
           m->op.kind != OP_NONE || m->stuck;
}

/* An outcome known at once: OK, then the completion line. */
static int now_bg96(sim_module *m, const char *name, int err, int64_t v)
{
    sim_final_word(m, "OK");
    sim_bg96_result(m, name, err, v);
    return RES_DONE;
}

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
            sim_info(m, "+QFTPCFG: \"account\",\"%s\",\"%s\"", m->user, m->pass);
            return RES_OK;
        }
        sim_pstr(c, 1, m->user, sizeof m->user);
        sim_pstr(c, 2, m->pass, sizeof m->pass);
        return RES_OK;
    }
    if (strcmp(def->key, "rsptimeout") == 0) {
        if (query) {
            sim_info(m, "+QFTPCFG: \"rsptimeout\",%lld",
                     (long long)(m->rsptimeout / QFTP_NS_PER_SEC));
            return RES_OK;
        }
        int64_t v = 90;
        sim_pint(c, 1, &v);
        m->rsptimeout = v * QFTP_NS_PER_SEC;
        return RES_OK;
    }
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        if (strcmp(def->key, ints[i].key) != 0)
            continue;
        int *slot = (int *)((char *)m + ints[i].off);
        if (query) {
            sim_info(m, "+QFTPCFG: \"%s\",%d", ints[i].key, *slot);
            return RES_OK;
        }
        int64_t v = 0;
        sim_pint(c, 1, &v);
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
    sim_pstr(c, 0, m->host, sizeof m->host);
    sim_pint(c, 1, &port);
    m->port = (int)port;
    /* BG96 2.2: the PDP context must be activated by AT+QIACT first */
    if (m->contextid < 1 || m->contextid > 16 || !m->ctx_active[m->contextid])
        return now_bg96(m, "+QFTPOPEN", 605, 0);
    return sim_start_open(m, "+QFTPOPEN");
}

static int bg96_close(sim_module *m)
{
    if (m->state == QFTP_STATE_OPENING || m->state == QFTP_STATE_CLOSING)
        return 603;
    if (!sim_session_open(m) && !m->stuck)
        return now_bg96(m, "+QFTPCLOSE", 601, 0);
    if (m->dm == DM_DOWNLOAD)
        sim_leave_download(m);
    sim_op_free(m);
    sim_set_state(m, QFTP_STATE_CLOSING);
    sim_pend_add(m, m->now + m->o.close_delay, PEND_CLOSE_DONE, NULL, 0);
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
    sim_pstr(c, 0, remote, sizeof remote);
    sim_pstr(c, 1, local, sizeof local);
    sim_pint(c, 2, &startpos);
    sim_pint(c, 3, &len); /* <uploadlen>/<downloadlen>; <beof>: each part is a transfer */
    sim_resolve(m, remote, abs, sizeof abs);
    sim_op_begin(m, kind, name);
    ftp_op *op = &m->op;
    op->to_com = local_is_com(local);
    if (!op->to_com) {
        sim_area area;
        const char *fname;
        sim_ufs_split_bg96(local, &area, &fname);
        if (kind == OP_PUT) {
            op->local = sim_ufs_open(m, area, fname, "rb");
            if (!op->local) {
                sim_op_free(m);
                return now_bg96(m, name, 611, 0); /* failed to open file */
            }
            int64_t size = sim_file_size(op->local);
            if (startpos > size) {
                sim_op_free(m);
                return now_bg96(m, name, 612, 0);
            }
            fseek(op->local, (long)startpos, SEEK_SET);
            op->limit = size - startpos;
        } else {
            op->local = sim_ufs_open(m, area, fname, "wb");
            if (!op->local) {
                sim_op_free(m);
                return now_bg96(m, name, 611, 0);
            }
            op->room = sim_storage_free(m, area);
        }
        len = -1; /* <uploadlen>/<downloadlen> are for COM: only */
    } else if (kind == OP_PUT) {
        op->limit = len;
    }
    int r = sim_start_transfer(m, kind, abs, startpos, kind == OP_GET ? len : -1);
    if (r != RES_OK) {
        sim_op_free(m);
        return r;
    }
    /* BG96 2.5/2.6: with COM: the command answers CONNECT (or +CME ERROR); else OK */
    return op->to_com ? RES_DONE : RES_OK;
}

int sim_bg96_ftp(sim_module *m, const qftp_cmd_def *def, const qftp_subcmd *c)
{
    const char *n = def->name;
    if (strcmp(n, "+QFTPCFG") == 0)
        return bg96_cfg(m, def, c);
    if (strcmp(n, "+QFTPSTAT") == 0) {
        const char *w = qftp_state_wire(m->state, QFTP_DIALECT_BG96);
        if (!w) /* BG96 2.17 has no IDLE or WORKING: reported as closed / open and idle */
            w = qftp_state_wire(m->state == QFTP_STATE_IDLE ? QFTP_STATE_CLOSED : QFTP_STATE_OPENED,
                                QFTP_DIALECT_BG96);
        sim_info_named(m, "+QFTPSTAT", "0,%s", w);
        return RES_OK;
    }
    if (strcmp(n, "+QFTPLEN") == 0) {
        /* BG96 2.16 / 3.6: OK, then +QFTPLEN: 0,<transferlen> */
        sim_final_word(m, "OK");
        sim_urc(m, "+QFTPLEN", "0,%lld", (long long)m->last_len);
        return RES_DONE;
    }
    if (strcmp(n, "+QFTPCLOSE") == 0)
        return bg96_close(m);
    if (bg96_busy(m))
        return 603;
    if (strcmp(n, "+QFTPOPEN") == 0)
        return bg96_open(m, c);
    if (!sim_session_open(m)) /* OK, then <err> 601 (manual chapter 5 "unknown error") */
        return now_bg96(m, n, 601, 0);
    char a[PATH_CAP], b[PATH_CAP], abs[PATH_CAP], abs2[PATH_CAP], cmd[PATH_CAP + 8],
        cmd2[PATH_CAP + 8];
    sim_pstr(c, 0, a, sizeof a);
    if (strcmp(n, "+QFTPPWD") == 0) {
        sim_final_word(m, "OK");
        sim_urc(m, n, "0,%s", m->cwd); /* EC2x form, unquoted (BG96 3.3) */
        return RES_DONE;
    }
    sim_resolve(m, a, abs, sizeof abs);
    if (strcmp(n, "+QFTPCWD") == 0) {
        snprintf(cmd, sizeof cmd, "CWD %s", abs);
        int r = sim_start_quote(m, OP_CWD, n, cmd, NULL);
        snprintf(m->op.target, sizeof m->op.target, "%s", abs);
        return r;
    }
    if (strcmp(n, "+QFTPDEL") == 0) {
        snprintf(cmd, sizeof cmd, "DELE %s", abs);
        return sim_start_quote(m, OP_QUOTE, n, cmd, NULL);
    }
    if (strcmp(n, "+QFTPMKDIR") == 0) {
        snprintf(cmd, sizeof cmd, "MKD %s", abs);
        return sim_start_quote(m, OP_QUOTE, n, cmd, NULL);
    }
    if (strcmp(n, "+QFTPRMDIR") == 0) {
        snprintf(cmd, sizeof cmd, "RMD %s", abs);
        return sim_start_quote(m, OP_QUOTE, n, cmd, NULL);
    }
    if (strcmp(n, "+QFTPRENAME") == 0) {
        sim_pstr(c, 1, b, sizeof b);
        sim_resolve(m, b, abs2, sizeof abs2);
        snprintf(cmd, sizeof cmd, "RNFR %s", abs);
        snprintf(cmd2, sizeof cmd2, "RNTO %s", abs2);
        return sim_start_quote(m, OP_QUOTE, n, cmd, cmd2);
    }
    if (strcmp(n, "+QFTPSIZE") == 0 || strcmp(n, "+QFTPMDTM") == 0) {
        sim_op_begin(m, strcmp(n, "+QFTPSIZE") == 0 ? OP_SIZE : OP_MDTM, n);
        char url[PATH_CAP * 3];
        sim_make_url(m, abs, false, url, sizeof url);
        CURL *e = sim_easy_new(m, url);
        if (!e)
            return 601;
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        curl_easy_setopt(e, CURLOPT_FILETIME, 1L);
        curl_easy_setopt(e, CURLOPT_TRANSFERTEXT, 0L); /* servers refuse SIZE in ASCII mode */
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, sim_timeout_ms(m));
        return sim_op_start(m, e) ? RES_OK : 601;
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
