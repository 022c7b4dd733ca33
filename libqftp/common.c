/* common.c - names for the shared enums of qftp/common.h, and the core's fast text
 * formatting (strfmt.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "qftp/common.h"
#include "strfmt.h"

const char *qftp_dir_name(qftp_dir dir)
{
    return dir == QFTP_DIR_TX ? "host->module" : "module->host";
}

const char *qftp_dialect_name(qftp_dialect d)
{
    switch (d) {
    case QFTP_DIALECT_GSM:
        return "gsm";
    case QFTP_DIALECT_BG96:
        return "bg96";
    default:
        return NULL;
    }
}

int qftp_dialect_from_name(const char *name)
{
    if (name == NULL)
        return -1;
    if (strcasecmp(name, "gsm") == 0)
        return QFTP_DIALECT_GSM;
    if (strcasecmp(name, "bg96") == 0)
        return QFTP_DIALECT_BG96;
    if (strcasecmp(name, "auto") == 0 || strcasecmp(name, "unknown") == 0)
        return QFTP_DIALECT_UNKNOWN;
    return -1;
}

const char *qftp_severity_name(qftp_severity s)
{
    static const char *const names[] = {"info", "note", "warn", "error"};
    return (unsigned)s < 4 ? names[s] : "?";
}

/* "00" "01" .. "99": two digits per step, one division by 100 for both */
static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
                                  "31323334353637383940414243444546474849505152535455565758596061"
                                  "6263646566676869707172737475767778798081828384858687888990919293"
                                  "949596979899";

/* v in decimal, at least min digits (zeros in front), ending just before end; returns where
 * it starts. */
static inline char *put_digits(char *end, uint64_t v, int min)
{
    char *p = end;
    while (v >= 100) {
        p -= 2;
        memcpy(p, digit_pairs + v % 100 * 2, 2);
        v /= 100;
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, digit_pairs + v * 2, 2);
    } else {
        *--p = (char)('0' + v);
    }
    while (end - p < min)
        *--p = '0';
    return p;
}

char *qftp_put_u64(char *end, uint64_t v)
{
    return put_digits(end, v, 1);
}

const uint64_t qftp_pow10[20] = {1,
                                 10,
                                 100,
                                 1000,
                                 10000,
                                 100000,
                                 1000000,
                                 10000000,
                                 100000000,
                                 1000000000,
                                 10000000000,
                                 100000000000,
                                 1000000000000,
                                 10000000000000,
                                 100000000000000,
                                 1000000000000000,
                                 10000000000000000,
                                 100000000000000000,
                                 1000000000000000000,
                                 10000000000000000000u};

/* q / 10^prec with prec decimals (prec at most 9), right-aligned in width (at most 40; buf
 * holds 64 bytes): what printf("%*.*f") writes of a value whose rounding gave q. Written in
 * place: the padding first, then the digits from the last. */
static int put_fixed(char *buf, uint64_t q, int prec, int width)
{
    uint64_t whole = prec > 0 ? q / qftp_pow10[prec] : q;
    int len = 1;
    while (len < 20 && whole >= qftp_pow10[len])
        len++;
    if (prec > 0)
        len += 1 + prec;
    /* a negative prec (qftp_format_ns in milliseconds allows it) has q whole, padded to
     * one less than width, as it always had */
    int pad = width - len - (prec < 0);
    for (int i = 0; i < pad; i += 8) /* at most 40 bytes: buf holds them */
        memcpy(buf + i, "        ", 8);
    int n = len + (pad > 0 ? pad : 0);
    char *p = buf + n;
    if (prec > 0) {
        p = put_digits(p, q % qftp_pow10[prec], prec);
        *--p = '.';
    }
    put_digits(p, whole, 1);
    buf[n] = '\0';
    return n;
}

int qftp_format_fixed(char *buf, size_t cap, double v, int prec, int width)
{
    /* The digits come from rounding v * 10^prec as an integer. Where that value lies
     * within 1e-6 of a tie, or v is negative, huge or not a number, printf decides. */
    static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (prec < 0 || prec > 9 || width < 0 || width > 40 || cap < 64)
        return snprintf(buf, cap, "%*.*f", width, prec, v);
    double scaled = v * p10[prec];
    double frac = v >= 0 && scaled < 9e15 ? scaled - (double)(uint64_t)scaled : -1;
    if (frac < 0 || (frac > 0.5 - 1e-6 && frac < 0.5 + 1e-6))
        return snprintf(buf, cap, "%*.*f", width, prec, v);
    return put_fixed(buf, (uint64_t)scaled + (frac > 0.5), prec, width);
}

int qftp_format_ns(char *buf, size_t cap, int64_t d, bool ms, int prec, int width)
{
    /* The digits are d / unit rounded, unit = 10^-prec of a second (or of a millisecond).
     * Below 2^49 ns (six days) the double printf rounds lies within a small fraction of a
     * nanosecond of d / unit's exact value, so both round the same way unless d is on a
     * tie; a tie, a negative or larger d, an odd precision: qftp_format_fixed decides. */
    uint64_t q;
    if (!qftp_ns_round(d, (ms ? 6 : 9) - prec, &q) || width < 0 || width > 40 || cap < 64) {
        double v = (double)d / 1e9;
        return qftp_format_fixed(buf, cap, ms ? v * 1000.0 : v, prec, width);
    }
    return put_fixed(buf, q, prec, width);
}

int qftp_format_simple(char *buf, size_t cap, const char *fmt, va_list ap)
{
    if (!cap)
        return -1;
    size_t n = 0;
    for (const char *f = fmt; *f; f++) {
        const char *s = NULL;
        size_t len = 0;
        char num[24];
        if (*f != '%') { /* the text up to the next conversion, in one piece */
            size_t l = strcspn(f, "%");
            if (l >= cap - n) /* n < cap throughout: no sum to wrap */
                return -1;
            qftp_copy_short(buf + n, f, l);
            n += l;
            f += l - 1;
            continue;
        }
        f++;
        if (f[0] == 's') {
            s = va_arg(ap, const char *);
            if (!s)
                return -1; /* vsnprintf's "(null)" */
            len = strlen(s);
        } else if (f[0] == '.' && f[1] == '*' && f[2] == 's') {
            int w = va_arg(ap, int);
            s = va_arg(ap, const char *);
            if (!s)
                return -1;
            len = w < 0 ? strlen(s) : strnlen(s, (size_t)w);
            f += 2;
        } else if (f[0] == 'd' || f[0] == 'u' || (f[0] == 'l' && f[1] == 'd') ||
                   (f[0] == 'l' && f[1] == 'l' && f[2] == 'd') || (f[0] == 'z' && f[1] == 'u')) {
            uint64_t u;
            bool neg = false;
            if (f[0] == 'd') {
                int v = va_arg(ap, int);
                neg = v < 0;
                u = neg ? (uint64_t)0 - (uint64_t)(int64_t)v : (uint64_t)v;
            } else if (f[0] == 'u') {
                u = va_arg(ap, unsigned);
            } else if (f[0] == 'l' && f[1] == 'l') {
                long long v = va_arg(ap, long long);
                neg = v < 0;
                u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
                f += 2;
            } else if (f[0] == 'l') {
                long v = va_arg(ap, long);
                neg = v < 0;
                u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
                f++;
            } else {
                u = va_arg(ap, size_t);
                f++;
            }
            char *d = put_digits(num + sizeof num, u, 1);
            if (neg)
                *--d = '-';
            s = d;
            len = (size_t)(num + sizeof num - d);
        } else if (f[0] == '%') {
            s = "%";
            len = 1;
        } else {
            return -1;
        }
        if (len >= cap - n)
            return -1;
        qftp_copy_short(buf + n, s, len);
        n += len;
    }
    buf[n] = '\0';
    return (int)n;
}

int qftp_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = qftp_format_simple(buf, cap, fmt, cp);
    va_end(cp);
    return n >= 0 ? n : vsnprintf(buf, cap, fmt, ap);
}

int qftp_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = qftp_vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}
