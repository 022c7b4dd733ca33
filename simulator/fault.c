/* fault.c - fault injection: firmware regressions a host application should survive.
 * The kinds and their arguments are described in docs/simulator.md. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static const char *const fault_names[SIM_FAULT__COUNT] = {
    [SIM_FAULT_DELAY_URC] = "delay-urc",   [SIM_FAULT_DROP_URC] = "drop-urc",
    [SIM_FAULT_ERROR_CODE] = "error-code", [SIM_FAULT_ANSWER_ERROR] = "answer-error",
    [SIM_FAULT_NO_SPACE] = "no-space",     [SIM_FAULT_SWAP_OK_URC] = "swap-ok-urc",
    [SIM_FAULT_TRUNCATE] = "truncate",     [SIM_FAULT_STALL] = "stall",
    [SIM_FAULT_DISCONNECT] = "disconnect", [SIM_FAULT_EXTRA_URC] = "extra-urc",
};

/* device-quirks.md: a URC that belongs to no command, as modules send them */
#define EXTRA_URC_DEFAULT "+QIURC: \"pdpdeact\",1"

const char *sim_fault_name(sim_fault_kind k)
{
    return (unsigned)k < SIM_FAULT__COUNT ? fault_names[k] : "?";
}

/* "qftpget", "+QFTPGET", "AT+QFTPGET" -> "+QFTPGET"; "*" or "" -> "" (every command) */
static bool norm_command(const char *s, size_t n, char *out, size_t cap)
{
    if (n >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'T' || s[1] == 't')) {
        s += 2;
        n -= 2;
    }
    if (n == 1 && s[0] == '*')
        n = 0;
    size_t k = 0;
    if (n > 0 && s[0] != '+' && isalpha((unsigned char)s[0]) && n > 1 &&
        (s[0] == 'q' || s[0] == 'Q' || s[0] == 'c' || s[0] == 'C'))
        out[k++] = '+';
    for (size_t i = 0; i < n; i++) {
        if (k + 1 >= cap)
            return false;
        out[k++] = (char)toupper((unsigned char)s[i]);
    }
    out[k] = '\0';
    return true;
}

int sim_fault_parse(const char *spec, sim_fault *out, char *errbuf)
{
    memset(out, 0, sizeof *out);
    out->arg = -1;
    const char *c1 = strchr(spec, ':');
    size_t klen = c1 ? (size_t)(c1 - spec) : strlen(spec);
    int kind = -1;
    for (int k = 0; k < SIM_FAULT__COUNT; k++)
        if (strlen(fault_names[k]) == klen && strncmp(fault_names[k], spec, klen) == 0)
            kind = k;
    if (kind < 0) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE,
                 "fault '%s': unknown kind (delay-urc, drop-urc, error-code, answer-error, "
                 "no-space, swap-ok-urc, truncate, stall, disconnect, extra-urc)",
                 spec);
        return -1;
    }
    out->kind = (sim_fault_kind)kind;
    if (c1) {
        const char *cmd = c1 + 1;
        const char *c2 = strchr(cmd, ':');
        size_t clen = c2 ? (size_t)(c2 - cmd) : strlen(cmd);
        if (!norm_command(cmd, clen, out->command, sizeof out->command)) {
            snprintf(errbuf, QFTP_ERRBUF_SIZE, "fault '%s': command name too long", spec);
            return -1;
        }
        if (c2 && out->kind == SIM_FAULT_EXTRA_URC) {
            const char *t = c2 + 1;
            size_t tlen = strlen(t);
            bool printable = tlen > 0;
            for (size_t i = 0; i < tlen; i++)
                printable = printable && t[i] >= 0x20 && t[i] < 0x7f;
            if (!printable || tlen >= sizeof out->text) {
                snprintf(errbuf, QFTP_ERRBUF_SIZE,
                         "fault '%s': the line must be 1 to %zu printable characters", spec,
                         sizeof out->text - 1);
                return -1;
            }
            memcpy(out->text, t, tlen + 1);
        } else if (c2) {
            char *end;
            long long v = strtoll(c2 + 1, &end, 10);
            if (end == c2 + 1 || *end != '\0' || v < 0) {
                snprintf(errbuf, QFTP_ERRBUF_SIZE, "fault '%s': argument must be a number >= 0",
                         spec);
                return -1;
            }
            out->arg = v;
        }
    }
    if (out->kind == SIM_FAULT_ERROR_CODE && out->arg < 0) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE,
                 "fault '%s': error-code needs the code (error-code:CMD:N)", spec);
        return -1;
    }
    if ((out->kind == SIM_FAULT_TRUNCATE || out->kind == SIM_FAULT_STALL) && out->arg < 0)
        out->arg = 0;
    if (out->kind == SIM_FAULT_DELAY_URC && out->arg < 0)
        out->arg = 5000;
    if (out->kind == SIM_FAULT_EXTRA_URC && out->text[0] == '\0')
        snprintf(out->text, sizeof out->text, "%s", EXTRA_URC_DEFAULT);
    return 0;
}

const sim_fault *sim_fault_find(const sim_fault *f, size_t n, sim_fault_kind kind,
                                const char *command)
{
    for (size_t i = 0; i < n; i++)
        if (f[i].kind == kind && (f[i].command[0] == '\0' || strcmp(f[i].command, command) == 0))
            return &f[i];
    return NULL;
}
