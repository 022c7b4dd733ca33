/* strfmt.h - formatting shared by the core's files (not installed). */
#ifndef QFTP_STRFMT_H
#define QFTP_STRFMT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* n bytes of src at dst (no NUL; the two apart): most pieces of a text are short, copied
 * inline by overlapping moves (two of one size, or four of 16 bytes) where memcpy of a
 * variable length is a call. */
static inline void qftp_copy_short(char *dst, const char *src, size_t n)
{
    if (n > 64) {
        memcpy(dst, src, n);
    } else if (n >= 16) {
        memcpy(dst, src, 16);
        memcpy(dst + n - 16, src + n - 16, 16);
        if (n > 32) {
            memcpy(dst + 16, src + 16, 16);
            memcpy(dst + n - 32, src + n - 32, 16);
        }
    } else if (n >= 8) {
        memcpy(dst, src, 8);
        memcpy(dst + n - 8, src + n - 8, 8);
    } else if (n >= 4) {
        memcpy(dst, src, 4);
        memcpy(dst + n - 4, src + n - 4, 4);
    } else if (n) {
        dst[0] = src[0];
        dst[n / 2] = src[n / 2];
        dst[n - 1] = src[n - 1];
    }
}

/* The value of 1 to 18 plain decimal digits (no sign, quote or space: too few digits to
 * overflow) at p; false for anything else, which the caller reads the long way. */
static inline bool qftp_plain_digits(const char *p, size_t n, int64_t *out)
{
    if (n - 1 >= 18)
        return false;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)(p[i] - '0') >= 10)
            return false;
        x = x * 10 + (p[i] - '0');
    }
    *out = x;
    return true;
}

/* v in decimal, written so that it ends just before end (20 bytes at most, no NUL): two
 * digits a division. Returns where it starts. */
char *qftp_put_u64(char *end, uint64_t v);

/* vsnprintf for the conversions the core's texts use most (%s %.*s %d %u %zu and the
 * 64-bit %ld %lld), without its cost; -1 for anything else or when the text does not fit, so
 * the caller formats with vsnprintf itself (ap is then used up: pass a copy). The text
 * is vsnprintf's. */
int qftp_format_simple(char *buf, size_t cap, const char *fmt, va_list ap);

/* snprintf and vsnprintf, the same text and return value: qftp_format_simple where it
 * can, the C library's otherwise. */
int qftp_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);
int qftp_snprintf(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
