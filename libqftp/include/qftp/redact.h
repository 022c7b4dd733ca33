/* qftp/redact.h - credentials out of AT command lines, so logs, captures and reports can be
 * shared. */
#ifndef QFTP_REDACT_H
#define QFTP_REDACT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Replaces FTP passwords in a host->module command line in place with '*' of the same
 * length: AT+QFTPPASS="<password>" and AT+QFTPCFG="account","<user>","<password>".
 * Also works on a module echo. Returns the number of bytes replaced. */
size_t qftp_redact_line(uint8_t *line, size_t len);

#ifdef __cplusplus
}
#endif
#endif
