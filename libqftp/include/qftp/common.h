/* qftp/common.h - types shared by every part of libqftp.
 *
 * Conventions of the whole library:
 *  - Library code never prints and never exits. Functions that can fail take a
 *    caller-owned `char *errbuf` of at least QFTP_ERRBUF_SIZE bytes, fill it with
 *    a one-line message and return a negative value (or NULL).
 *  - Timestamps are qftp_ts: signed nanoseconds since the Unix epoch (or since an
 *    arbitrary origin for synthesised times; see qftp_frame.ts_synth).
 *  - Directions are always seen from the host: TX = host -> module,
 *    RX = module -> host. The capture format uses the same numbers (0 and 1).
 */
#ifndef QFTP_COMMON_H
#define QFTP_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QFTP_ERRBUF_SIZE 512

typedef int64_t qftp_ts;

#define QFTP_TS_NONE INT64_MIN
#define QFTP_NS_PER_SEC INT64_C(1000000000)
#define QFTP_NS_PER_MS INT64_C(1000000)

typedef enum {
    QFTP_DIR_TX = 0, /* host -> module (commands, upload data) */
    QFTP_DIR_RX = 1, /* module -> host (echo, responses, URCs, download data) */
} qftp_dir;

const char *qftp_dir_name(qftp_dir dir); /* "host->module" / "module->host" */

typedef enum {
    QFTP_DIALECT_UNKNOWN = 0,
    QFTP_DIALECT_GSM = 1,  /* GSM M-series: GSM_FTP_ATC_V1.1 */
    QFTP_DIALECT_BG96 = 2, /* LTE BG96 family: BG96_FTP(S)_AT_Commands_Manual_V1.0 */
} qftp_dialect;

/* "gsm", "bg96" or NULL for unknown. */
const char *qftp_dialect_name(qftp_dialect d);
/* Parses "gsm", "bg96", "auto"/"unknown" (-> UNKNOWN). Returns -1 if not a dialect name. */
int qftp_dialect_from_name(const char *name);

typedef enum {
    QFTP_SEV_INFO = 0,
    QFTP_SEV_NOTE = 1,
    QFTP_SEV_WARN = 2,
    QFTP_SEV_ERROR = 3,
} qftp_severity;

const char *qftp_severity_name(qftp_severity s); /* "info" "note" "warn" "error" */

/* snprintf(buf, cap, "%*.*f", width, prec, v) for prec 0..9: the same text, without
 * printf's cost where the digits are plain (printf itself decides the rest). Returns
 * what snprintf returns. */
int qftp_format_fixed(char *buf, size_t cap, double v, int prec, int width);
/* A time span of d nanoseconds in seconds (ms false: the double (double)d / 1e9) or in
 * milliseconds (ms true: that double * 1000.0), as qftp_format_fixed writes it: the same
 * text, by integers where printf's rounding of that double cannot differ. */
int qftp_format_ns(char *buf, size_t cap, int64_t d, bool ms, int prec, int width);
/* 10^0 .. 10^19 */
extern const uint64_t qftp_pow10[20];

/* d nanoseconds in units of 10^e ns (e 0..9) rounded as printf rounds that double: true
 * and *q where integers decide it (d from 0 to 2^49, no tie), false where qftp_format_ns
 * leaves it to printf. Inline: a writer of one format folds the unit in. */
static inline bool qftp_ns_round(int64_t d, int e, uint64_t *q)
{
    int64_t unit = e >= 0 && e <= 9 ? (int64_t)qftp_pow10[e] : 0;
    if (!unit || d < 0 || d >= ((int64_t)1 << 49) || (unit > 1 && d % unit == unit / 2))
        return false;
    *q = (uint64_t)(d / unit) + (unit > 1 && d % unit > unit / 2);
    return true;
}

#ifdef __cplusplus
}
#endif
#endif
