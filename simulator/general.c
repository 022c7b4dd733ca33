/* general.c - the commands around FTP that the simulated module answers: V.250 basics,
 * identification, SIM and registration, and the PDP context (AT+QIACT and friends).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "module.h"

/* ---- the commands around FTP --------------------------------------------------------------- */

static const char *revision(const sim_module *m)
{
    if (m->o.revision)
        return m->o.revision;
    return sim_is_gsm(m) ? "M95FAR02A08" : "BG96MAR02A07M1G";
}

int sim_cmd_context(sim_module *m, const qftp_cmd_def *def, const qftp_subcmd *c)
{
    const char *n = def->name;
    bool gsm = sim_is_gsm(m);
    int64_t id = 1;
    if (strcmp(n, "+QIFGCNT") == 0) {
        if (c->type == QFTP_TYPE_READ)
            sim_info_named(m, n, "%d", m->fgcnt);
        else if (c->type == QFTP_TYPE_WRITE && sim_pint(c, 0, &id))
            m->fgcnt = (int)id;
        return RES_OK;
    }
    if (strcmp(n, "+QICSGP") == 0) {
        if (gsm) {
            if (c->type == QFTP_TYPE_READ)
                sim_info_named(m, n, "1");
            else if (c->type == QFTP_TYPE_WRITE)
                sim_pstr(c, 1, m->apn[0], sizeof m->apn[0]);
            return RES_OK;
        }
        sim_pint(c, 0, &id);
        if (c->n_params <= 1) {
            sim_info_named(m, n, "1,\"%s\",\"\",\"\",0", m->apn[id]);
            return RES_OK;
        }
        sim_pstr(c, 2, m->apn[id], sizeof m->apn[id]);
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
                    sim_info_named(m, n, "%d,1,1,\"10.7.157.%d\"", i, i);
            return RES_OK;
        }
        if (c->type == QFTP_TYPE_WRITE) {
            sim_pint(c, 0, &id);
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
        sim_pint(c, 0, &id);
        m->ctx_active[id] = false;
    }
    if (sim_session_open(m) && (gsm || id == m->contextid)) {
        sim_stop_ftp_service(m);
        sim_set_state(m, gsm ? QFTP_STATE_IDLE : QFTP_STATE_CLOSED);
    }
    if (gsm) {
        sim_final_word(m, def->alt_final ? def->alt_final : "OK"); /* GSM 4.5: "DEACT OK" */
        return RES_DONE;
    }
    return RES_OK;
}

int sim_cmd_basic(sim_module *m, const qftp_cmd_def *def, const qftp_subcmd *c)
{
    const char *n = def->name;
    int64_t v = 0;
    if (n[0] == '\0')
        return RES_OK; /* AT */
    if (strcmp(n, "E") == 0) {
        sim_pint(c, 0, &v);
        m->echo = v == 1;
        return RES_OK;
    }
    if (strcmp(n, "I") == 0) {
        if (sim_is_gsm(m)) {
            sim_info(m, "Quectel_Ltd");
            sim_info(m, "Quectel_M95");
        } else {
            sim_info(m, "Quectel");
            sim_info(m, "BG96");
        }
        sim_info(m, "Revision: %s", revision(m));
        return RES_OK;
    }
    if (strcmp(n, "+GMR") == 0 || strcmp(n, "+CGMR") == 0) {
        if (c->type == QFTP_TYPE_EXEC)
            sim_info(m, "%s", revision(m));
        return RES_OK;
    }
    if (strcmp(n, "+CMEE") == 0) {
        if (c->type == QFTP_TYPE_READ)
            sim_info(m, "+CMEE: %d", m->cmee);
        else if (c->type == QFTP_TYPE_WRITE) {
            sim_pint(c, 0, &v);
            m->cmee = (int)v;
        }
        return RES_OK;
    }
    if (strcmp(n, "+CPIN") == 0) {
        if (c->type == QFTP_TYPE_READ)
            sim_info(m, "+CPIN: READY");
        else if (c->type == QFTP_TYPE_WRITE)
            return 3; /* no PIN is asked for: operation not allowed */
        return RES_OK;
    }
    if (strcmp(n, "+IFC") == 0) {
        if (c->type == QFTP_TYPE_READ)
            sim_info(m, "+IFC: %d,%d", m->ifc[0], m->ifc[1]);
        else if (c->type == QFTP_TYPE_WRITE) {
            if (sim_pint(c, 0, &v))
                m->ifc[0] = (int)v;
            if (sim_pint(c, 1, &v))
                m->ifc[1] = (int)v;
        }
        return RES_OK;
    }
    if (strcmp(n, "O") == 0) {
        /* device-quirks.md: after "+++" the transfer is gone; ATO answers NO CARRIER */
        sim_final_word(m, "NO CARRIER");
        return RES_DONE;
    }
    if (strcmp(n, "&D") == 0 || strcmp(n, "+QSSLCFG") == 0)
        return RES_OK;
    if (strcmp(n, "+CREG") == 0) {
        if (c->type == QFTP_TYPE_READ)
            sim_info(m, "+CREG: 0,1");
        return RES_OK;
    }
    if (strcmp(n, "+CGATT") == 0) {
        if (c->type == QFTP_TYPE_READ)
            sim_info(m, "+CGATT: 1");
        return RES_OK;
    }
    return RES_ERROR;
}
