/* qftp/redact.h - the one rule for secrets, so logs, captures and reports can be shared.
 *
 * A secret is the value of a parameter that the command tables flag `secret`
 * (qftp_param_def.secret, libqftp/tables.def: the FTP passwords of AT+QFTPPASS and
 * AT+QFTPCFG="account", the PDP passwords of AT+QICSGP). It is found wherever a line
 * carries it:
 *   - a command line or its echo, any case, chained (AT+QFTPUSER="u";+QFTPPASS="p"),
 *     with spaces around '=' and ',' (AT+QFTPCFG = "account" , "u" , "p");
 *   - a module's read-back of the setting: +QFTPPASS: "p", +QFTPCFG: "account","u","p",
 *     +QICSGP: 1,"apn","u","p",1 (the read-back without the first parameter the query
 *     named).
 * and replaced by QFTP_REDACTED (an empty value stays empty: there is nothing to hide).
 * The import, show, the Wireshark plugin and the replayer's reports all use this
 * module; nothing else decides what is secret.
 */
#ifndef QFTP_REDACT_H
#define QFTP_REDACT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QFTP_REDACTED "****"
#define QFTP_SECRETS_MAX 32 /* secret spans looked for in one line */

typedef struct {
    size_t off, len; /* the value without its quotes, relative to the line */
} qftp_secret_span;

/* The secret values of one line (without its CR/LF). dialect UNKNOWN: a parameter is
 * secret when either dialect's row says so (redaction errs on the side of hiding).
 * Returns how many spans were written to out (at most max), in line order. */
size_t qftp_secret_spans(const uint8_t *line, size_t len, qftp_dialect dialect,
                         qftp_secret_span *out, size_t max);

/* A copy of the line with every secret value replaced by QFTP_REDACTED, g_malloc'd and
 * NUL-terminated, its length in *out_len; NULL when the line holds no secret. */
char *qftp_redact_dup(const uint8_t *line, size_t len, qftp_dialect dialect, size_t *out_len);

/* ---- a byte stream ------------------------------------------------------------------ */

/* Redacts a session's byte stream however it is cut into chunks (a command split across
 * two log records, an echo arriving in pieces). Per direction it holds back the bytes of
 * a line that may still turn out to carry a secret (a line starting with "AT", a module
 * line starting like a read-back) until the line ends, then passes it on redacted; every
 * other byte passes at once. Bytes the caller marks as data-mode payload pass untouched
 * (held bytes go out before them). A held line longer than QFTP_REDACT_HOLD_CAP is
 * passed on, redacted as far as it goes, and the rest of that line as it comes. */
#define QFTP_REDACT_HOLD_CAP 65536

typedef struct qftp_redactor qftp_redactor;

qftp_redactor *qftp_redactor_new(qftp_dialect dialect);
void qftp_redactor_free(qftp_redactor *r);
/* One chunk. Returns the bytes to pass on now (possibly none, possibly more than n),
 * valid until the next call for any direction; *out_len their count. */
const uint8_t *qftp_redactor_feed(qftp_redactor *r, qftp_dir dir, bool data, const uint8_t *b,
                                  size_t n, size_t *out_len);
/* What is held for dir (the end of the input): passed on redacted. Same contract. */
const uint8_t *qftp_redactor_flush(qftp_redactor *r, qftp_dir dir, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
