/* qftp/context.h - what the module says about itself, its SIM, the network and its PDP
 * context: the lines that are not FTP traffic but decide an FTP session's fate (a restart,
 * a PDP context the network took down, no registration, no signal), typed and in words.
 *
 * qftp_context_decode() reads one module line: an unsolicited result code (RDY, POWERED
 * DOWN, +CPIN: READY, +CEREG: 2, +QIURC: "pdpdeact",1 ...) or the information response of
 * the command that asks for the same thing (+CSQ: 5,99, +CEREG: 0,2, +QIACT: 1,1,1,"...").
 * The session keeps each unsolicited one as a context event linked to the transactions it
 * affects (qftp/session.h); front ends show the words.
 *
 * Sources: 3GPP TS 27.007 (+CFUN 8.2, +CPIN 8.3, +CSQ 8.5, +CREG 7.2, +CGREG 10.1.20
 * (10.1.19 before Rel-12), +CEREG 10.1.22), Quectel's TCP/IP AT commands manuals (+QIACT,
 * +QIURC: "pdpdeact", GSM +PDP DEACT) and hardware design manuals (RDY at power-up,
 * AT+QPOWD's POWERED DOWN / NORMAL POWER DOWN, the voltage warnings and shutdowns).
 */
#ifndef QFTP_CONTEXT_H
#define QFTP_CONTEXT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(ID, name): the kinds of context line. */
#define QFTP_CONTEXT_KINDS(X)                                                                      \
    X(RESTART, "restart")             /* RDY: the module (re)started */                            \
    X(POWER_DOWN, "power_down")       /* POWERED DOWN, NORMAL POWER DOWN, *_VOLTAGE POWER DOWN */  \
    X(VOLTAGE, "voltage")             /* *_VOLTAGE WARNING, +QIND: "vbatt",<level> */              \
    X(READY, "ready")                 /* Call Ready, SMS Ready, +QIND: SMS DONE / PB DONE */       \
    X(FUNCTIONALITY, "functionality") /* +CFUN: <fun> */                                           \
    X(SIM, "sim")                     /* +CPIN: <code> */                                          \
    X(REGISTRATION, "registration")   /* +CREG / +CGREG / +CEREG: <stat> */                        \
    X(SIGNAL, "signal")               /* +CSQ: <rssi>,<ber> */                                     \
    X(PDP_CONTEXT, "pdp_context")     /* +QIACT: <contextID>,<context_state>,... */                \
    X(PDP_DEACTIVATED, "pdp_deactivated") /* +QIURC: "pdpdeact",<contextID>; GSM +PDP DEACT */

typedef enum {
    QFTP_CONTEXT_NONE = 0,
#define X(ID, name) QFTP_CONTEXT_##ID,
    QFTP_CONTEXT_KINDS(X)
#undef X
        QFTP_CONTEXT__COUNT
} qftp_context_kind;

const char *qftp_context_kind_name(qftp_context_kind k); /* "restart", ...; "" for NONE */

/* What the line means for an FTP session. */
typedef enum {
    QFTP_CONTEXT_FINE = 0, /* nothing stands in the way (registered, context active...) */
    QFTP_CONTEXT_CONCERN,  /* may explain a failure (searching, weak signal, SIM PIN) */
    QFTP_CONTEXT_FATAL,    /* what was under way is lost or cannot work (restart, power
                              down, PDP context deactivated, registration denied) */
} qftp_context_level;

const char *qftp_context_level_name(qftp_context_level l); /* "fine" "concern" "fatal" */

typedef struct {
    qftp_context_kind kind;
    qftp_context_level level;
    int64_t value;      /* the kind's number: <stat>, <rssi>, <contextID>, <fun>, -1 if none */
    char words[200];    /* the line in words, for people */
    const char *source; /* where the meaning comes from ("3GPP TS 27.007 10.1.22") */
} qftp_context;

/* Reads one module line (without its line end). Returns false when the line is not one
 * of the kinds above. */
bool qftp_context_decode(const char *line, size_t n, qftp_context *out);

#ifdef __cplusplus
}
#endif
#endif
