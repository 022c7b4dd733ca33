/* gsm.c - the simulated module's FTP commands in the GSM dialect (GSM manual chapter 2). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "module.h"

/* ---- GSM FTP commands (GSM manual chapter 2) ------------------------------------------------ */

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

static int now_gsm(sim_module *m, const char *name, int64_t n)
{
    sim_final_word(m, "OK");
    sim_gsm_result(m, name, n);
    return RES_DONE;
}

static int gsm_cfg(sim_module *m, const qftp_subcmd *c)
{
    int64_t type = 0;
    sim_pint(c, 0, &type);
    bool query = c->n_params < 2 || c->params[1].len == 0;
    int64_t v = 0;
    if (query) {
        /* GSM 2.2.8: the value omitted queries it: +QFTPCFG:<value> */
        sim_final_word(m, "OK");
        if (type == 4)
            sim_urc(m, "+QFTPCFG", "\"%s\"", m->localpos);
        else
            sim_urc(m, "+QFTPCFG", "%lld",
                    (long long)(type == 1   ? m->transmode
                                : type == 2 ? m->filetype
                                            : m->resume));
        return RES_DONE;
    }
    int64_t res = 0;
    if (type == 4) {
        char lp[NAME_CAP];
        sim_pstr(c, 1, lp, sizeof lp);
        sim_area area;
        const char *name;
        char tmp[PATH_CAP];
        if (strcasecmp(lp, "/COM/") == 0 ||
            (gsm_localpos(lp, &area, &name) &&
             (name[0] == '\0' || sim_ufs_path(m->o.ufs_dir, area, name, tmp, sizeof tmp))))
            snprintf(m->localpos, sizeof m->localpos, "%s", lp);
        else
            res = -10;
    } else if (!sim_pint(c, 1, &v)) {
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
    sim_pstr(c, 0, remote, sizeof remote);
    sim_pint(c, 1, &size);
    sim_pint(c, 2, &tmo);
    sim_resolve(m, remote, abs, sizeof abs);
    sim_op_begin(m, put ? OP_PUT : OP_GET, name);
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
            op->local = sim_ufs_open(m, area, fname, "rb");
            if (!op->local) {
                sim_op_free(m);
                return now_gsm(m, name, -11);
            }
            int64_t real = sim_file_size(op->local) - start;
            if (real < 0) {
                sim_op_free(m);
                return now_gsm(m, name, -12);
            }
            fseek(op->local, (long)start, SEEK_SET);
            op->limit = (size > 0 && size < real) ? size : real; /* GSM 4.2.2 */
        } else {
            char path[PATH_CAP];
            if (!sim_ufs_path(m->o.ufs_dir, area, fname, path, sizeof path)) {
                sim_op_free(m);
                return now_gsm(m, name, -10);
            }
            if (start > 0) {
                /* GSM 4.4.2 note: the data goes in at the resuming point; a shorter file
                 * is -12 */
                op->local = sim_ufs_open(m, area, fname, "r+b");
                if (!op->local || sim_file_size(op->local) < start ||
                    ftruncate(fileno(op->local), (off_t)start) != 0) {
                    sim_op_free(m);
                    return now_gsm(m, name, -12);
                }
                fseek(op->local, (long)start, SEEK_SET);
            } else {
                op->local = sim_ufs_open(m, area, fname, "wb");
            }
            if (!op->local) {
                sim_op_free(m);
                return now_gsm(m, name, -12);
            }
            op->room = sim_storage_free(m, area);
        }
    } else if (put) {
        op->limit = size;
        /* GSM 2.2.3 <time>: the longest time to get the file data */
        sim_pend_add(m, m->now + tmo * QFTP_NS_PER_SEC, PEND_UPLOAD_DEADLINE, NULL, 0);
    }
    int64_t dl = (!put && size > 0 && op->to_com) ? size : -1;
    if (sim_start_transfer(m, put ? OP_PUT : OP_GET, abs, start, dl) != RES_OK) {
        sim_op_free(m);
        return RES_ERROR;
    }
    return RES_OK;
}

int sim_gsm_ftp(sim_module *m, const qftp_cmd_def *def, const qftp_subcmd *c)
{
    const char *n = def->name;
    bool busy =
        m->state == QFTP_STATE_OPENING || m->state == QFTP_STATE_CLOSING || m->op.kind != OP_NONE;
    if (strcmp(n, "+QFTPUSER") == 0 || strcmp(n, "+QFTPPASS") == 0) {
        char *slot = n[5] == 'U' ? m->user : m->pass;
        if (c->type == QFTP_TYPE_READ) {
            sim_info_named(m, n, "\"%s\"", slot);
            return RES_OK;
        }
        /* GSM 2.2.6/2.2.7: OK only while the FTP service is idle */
        if (m->state != QFTP_STATE_IDLE && m->state != QFTP_STATE_CLOSED)
            return RES_ERROR;
        sim_pstr(c, 0, slot, 256);
        return RES_OK;
    }
    if (strcmp(n, "+QFTPSTAT") == 0) {
        sim_info_named(m, n, "%s", qftp_state_wire(m->state, QFTP_DIALECT_GSM));
        return RES_OK;
    }
    if (strcmp(n, "+QFTPLEN") == 0) {
        sim_info_named(m, n, "%lld", (long long)m->last_len);
        return RES_OK;
    }
    if (strcmp(n, "+QFTPCFG") == 0)
        return gsm_cfg(m, c);
    if (strcmp(n, "+QFTPOPEN") == 0 && c->type == QFTP_TYPE_READ) {
        if (sim_session_open(m))
            sim_info_named(m, n, "\"%s\",%d", m->host, m->port);
        else
            sim_info_named(m, n, "\"\",");
        return RES_OK;
    }
    if (strcmp(n, "+QFTPPATH") == 0 && c->type == QFTP_TYPE_READ) {
        /* GSM 2.2.5 read: OK, then +QFTPPATH:"<path>" */
        sim_final_word(m, "OK");
        sim_urc(m, n, "\"%s\"", m->cwd);
        return RES_DONE;
    }
    if (strcmp(n, "+QFTPCLOSE") == 0) {
        if (m->state == QFTP_STATE_CLOSING)
            return RES_ERROR;
        if (!sim_session_open(m) && m->state != QFTP_STATE_OPENING)
            return now_gsm(m, n, -1); /* device-quirks.md: -1 when no session is open */
        if (m->dm == DM_DOWNLOAD)
            sim_leave_download(m);
        sim_op_free(m);
        sim_set_state(m, QFTP_STATE_CLOSING);
        sim_pend_add(m, m->now + m->o.close_delay, PEND_CLOSE_DONE, NULL, 0);
        return RES_OK;
    }
    if (busy)
        return now_gsm(m, n, -3); /* GSM chapter 3: the FTP service is busy */
    if (strcmp(n, "+QFTPOPEN") == 0) {
        if (sim_session_open(m))
            return now_gsm(m, n, -3);
        int64_t port = 21;
        sim_pstr(c, 0, m->host, sizeof m->host);
        sim_pint(c, 1, &port);
        m->port = (int)port;
        m->ssltype = 0;
        return sim_start_open(m, n) == RES_OK ? RES_OK : RES_ERROR;
    }
    if (!sim_session_open(m))
        return now_gsm(m, n, -1);
    if (strcmp(n, "+QFTPPATH") == 0) {
        char p[PATH_CAP], abs[PATH_CAP], cmd[PATH_CAP + 8];
        sim_pstr(c, 0, p, sizeof p);
        sim_resolve(m, p[0] ? p : "/", abs, sizeof abs);
        snprintf(cmd, sizeof cmd, "CWD %s", abs);
        int r = sim_start_quote(m, OP_CWD, n, cmd, NULL);
        snprintf(m->op.target, sizeof m->op.target, "%s", abs);
        return r == RES_OK ? RES_OK : RES_ERROR;
    }
    if (strcmp(n, "+QFTPPUT") == 0)
        return gsm_transfer(m, true, c);
    if (strcmp(n, "+QFTPGET") == 0)
        return gsm_transfer(m, false, c);
    return RES_ERROR;
}
