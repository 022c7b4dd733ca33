/* fuzz_cmdline.c - the command-line splitter, the response splitter, the parameter
 * parsers and checks against the tables, and the redaction of lines and streams.
 *
 * Input: one line (the whole input, NUL bytes included). */
#include <glib.h>
#include <string.h>

#include "fuzz.h"
#include "qftp/redact.h"
#include "qftp/tables.h"

static void problem(void *user, int idx, const char *text)
{
    (void)user, (void)idx, (void)text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    qftp_subcmd cmds[QFTP_MAX_SUBCMDS];
    bool truncated = false;
    char err[QFTP_ERRBUF_SIZE];
    int n = qftp_cmdline_parse(line, size, cmds, QFTP_MAX_SUBCMDS, &truncated, err);
    for (int c = 0; c < n; c++) {
        char key[64] = "";
        if (cmds[c].n_params)
            qftp_param_unquote(cmds[c].params[0], key, sizeof key);
        for (int d = QFTP_DIALECT_UNKNOWN; d <= QFTP_DIALECT_BG96; d++) {
            const qftp_cmd_def *def = qftp_cmd_find(cmds[c].name, (qftp_dialect)d, key);
            if (def)
                qftp_check_params(def, &cmds[c], problem, NULL);
        }
        for (size_t i = 0; i < cmds[c].n_params; i++) {
            char buf[32];
            int64_t v;
            qftp_param_unquote(cmds[c].params[i], buf, sizeof buf);
            qftp_param_int(cmds[c].params[i], &v);
            qftp_param_is_quoted(cmds[c].params[i]);
        }
        qftp_cmd_dialect(cmds[c].name);
    }
    qftp_resp rs;
    if (qftp_resp_parse(line, size, &rs)) {
        for (size_t i = 0; i < rs.n_fields; i++) {
            char buf[16];
            int64_t v;
            qftp_param_unquote(rs.fields[i], buf, sizeof buf);
            qftp_param_int(rs.fields[i], &v);
        }
        qftp_state_from_wire(line, size);
        qftp_cme_code_from_text(line, size);
    }
    for (int d = QFTP_DIALECT_UNKNOWN; d <= QFTP_DIALECT_BG96; d++) {
        size_t rn;
        char *red = qftp_redact_dup(data, size, (qftp_dialect)d, &rn);
        g_free(red);
    }
    /* the same bytes as a stream, cut where the input's own bytes say */
    qftp_redactor *r = qftp_redactor_new(QFTP_DIALECT_UNKNOWN);
    size_t at = 0;
    while (at < size) {
        size_t k = 1 + data[at] % 17;
        if (k > size - at)
            k = size - at;
        size_t on;
        qftp_redactor_feed(r, (data[at] & 1) ? QFTP_DIR_RX : QFTP_DIR_TX, (data[at] & 2) != 0,
                           data + at, k, &on);
        at += k;
    }
    size_t on;
    qftp_redactor_flush(r, QFTP_DIR_TX, &on);
    qftp_redactor_flush(r, QFTP_DIR_RX, &on);
    qftp_redactor_free(r);
    return 0;
}
