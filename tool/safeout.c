/* safeout.c - what the tool prints of its input, made safe for a terminal.
 *
 * Logs and captures are untrusted: a line of them may carry an escape sequence that sets
 * a terminal's title, clears its screen or worse (ESC ] ... BEL, ESC [ 2 J), a C1 control
 * (U+009B is CSI for some terminals) or bytes that are no UTF-8. A stream made safe
 * passes text, line ends and tabs, and valid UTF-8 on, and writes every other byte as
 * \xHH: what a reader sees is what the bytes were, and the terminal does nothing else.
 * The tool's own codes may pass too (`keep`): colours (TOOL_KEEP_SGR: ESC [ digits and ';' m,
 * "select graphic rendition", they only colour text) and a progress line's CR and
 * erase-line (TOOL_KEEP_PROGRESS: CR, ESC [ K; they only rewrite the line under way).
 *
 * It is a glibc cookie stream over the file descriptor: the stream buffers, the filter
 * writes with write(2), so nothing depends on the order streams are flushed at exit. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qftptool/cmd.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_SKIP 1
#endif

#define OUT_CAP 65536
#define HOLD_CAP 16 /* an unfinished UTF-8 sequence or colour code between two writes */

typedef struct {
    int fd;
    unsigned keep;
    unsigned char hold[HOLD_CAP]; /* the bytes of the last write not decided yet */
    size_t n_hold;
    char out[OUT_CAP + 8];
    size_t n_out;
    bool failed;
} safe_out;

static void write_all(safe_out *s, const char *p, size_t n)
{
    while (n && !s->failed) {
        ssize_t k = write(s->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            s->failed = true;
            break;
        }
        p += k;
        n -= (size_t)k;
    }
}

static void flush_out(safe_out *s)
{
    write_all(s, s->out, s->n_out);
    s->n_out = 0;
}

static void put(safe_out *s, const void *p, size_t n)
{
    if (s->n_out + n > OUT_CAP) {
        flush_out(s);
        if (n > OUT_CAP) { /* a long run of text (a large write): as it is */
            write_all(s, p, n);
            return;
        }
    }
    memcpy(s->out + s->n_out, p, n);
    s->n_out += n;
}

static void put_escaped(safe_out *s, unsigned char b)
{
    static const char hex[] = "0123456789abcdef";
    char e[4] = {'\\', 'x', hex[b >> 4], hex[b & 15]};
    put(s, e, 4);
}

/* The length of a valid UTF-8 sequence at p (n bytes there), 0 when it is not valid and
 * -1 when the bytes end inside it. C1 controls (U+0080-009F) count as not valid. */
static int utf8_len(const unsigned char *p, size_t n)
{
    unsigned char b = p[0];
    int len = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b <= 0xdf ? 2 : 0;
    if (!len || b > 0xf4)
        return 0;
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n)
            return -1;
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    }
    if (b == 0xc2 && p[1] < 0xa0)
        return 0; /* a C1 control */
    if ((b == 0xe0 && p[1] < 0xa0) || (b == 0xf0 && p[1] < 0x90) || (b == 0xed && p[1] >= 0xa0) ||
        (b == 0xf4 && p[1] >= 0x90))
        return 0; /* overlong, a surrogate, past U+10FFFF */
    return len;
}

/* The length of a code the stream keeps at p: a colour ("ESC [ 0 ; 31 m") with
 * TOOL_KEEP_SGR, the erase-line ("ESC [ K") with TOOL_KEEP_PROGRESS; 0 if it is none and -1
 * when the bytes end inside what may be one. */
static int code_len(unsigned keep, const unsigned char *p, size_t n)
{
    if (n < 2)
        return -1;
    if (p[1] != '[')
        return 0;
    for (size_t i = 2; i < n && i < HOLD_CAP; i++) {
        if (p[i] == 'm')
            return keep & TOOL_KEEP_SGR ? (int)i + 1 : 0;
        if (p[i] == 'K')
            return keep & TOOL_KEEP_PROGRESS && i == 2 ? 3 : 0;
        if (!(p[i] >= '0' && p[i] <= '9') && p[i] != ';')
            return 0;
    }
    return n < HOLD_CAP ? -1 : 0;
}

#ifdef __SSE2__
/* The bytes of v that are printable ASCII, LF or TAB (0xff each). Two signed comparisons
 * of v shifted: v + 1 above 0x20 is 0x20-0x7e (0x7f and the bytes from 0x80 on wrap
 * below), v + 0x75 above 0x7d is TAB (0x7e) or LF (0x7f). */
static inline __m128i clean_bytes(__m128i v)
{
    __m128i text = _mm_cmpgt_epi8(_mm_add_epi8(v, _mm_set1_epi8(1)), _mm_set1_epi8(0x20));
    __m128i ends = _mm_cmpgt_epi8(_mm_add_epi8(v, _mm_set1_epi8(0x75)), _mm_set1_epi8(0x7d));
    return _mm_or_si128(text, ends);
}

static inline __m128i load16(const unsigned char *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* v's bytes, 0xa1 or above where printable ASCII or LF (a TAB is not: clean_bytes decides
 * it): v + 0x81 puts 0x20-0x7e at 0xa1-0xff and wraps 0x7f to 0; an LF becomes 0xff. The
 * unsigned minimum of four of them tests 64 bytes at once. */
static inline __m128i text_rank(__m128i v)
{
    return _mm_or_si128(_mm_add_epi8(v, _mm_set1_epi8((char)0x81)),
                        _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
}
#endif

#ifdef HAVE_AVX2_SKIP
static inline __attribute__((target("avx2"))) __m256i text_rank32(const unsigned char *p)
{
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)p);
    return _mm256_or_si256(_mm256_add_epi8(v, _mm256_set1_epi8((char)0x81)),
                           _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n')));
}

/* Skips text 128 bytes a step (text_rank's test in 32-byte registers) while all of them are
 * printable ASCII or LF; returns where it stopped, for clean_until to look on from. */
static __attribute__((target("avx2"))) size_t clean_skip_avx2(const unsigned char *p, size_t i,
                                                              size_t n)
{
    for (; n - i >= 128; i += 128) {
        __m256i low =
            _mm256_min_epu8(_mm256_min_epu8(text_rank32(p + i), text_rank32(p + i + 32)),
                            _mm256_min_epu8(text_rank32(p + i + 64), text_rank32(p + i + 96)));
        __m256i bad = _mm256_subs_epu8(_mm256_set1_epi8((char)0xa1), low);
        if ((unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(bad, _mm256_setzero_si256())) !=
            0xffffffffu)
            break;
    }
    return i;
}
#endif

/* Where the first byte at or after i that is not printable ASCII, LF or TAB is; n if none.
 * Sixty-four bytes a test where SSE2 is there (128 where the processor has AVX2): most
 * output is such text. */
static size_t clean_until(const unsigned char *p, size_t i, size_t n)
{
#ifdef HAVE_AVX2_SKIP
    if (n - i >= 128 && __builtin_cpu_supports("avx2"))
        i = clean_skip_avx2(p, i, n);
#endif
#ifdef __SSE2__
    for (; n - i >= 64; i += 64) {
        __m128i low = _mm_min_epu8(
            _mm_min_epu8(text_rank(load16(p + i)), text_rank(load16(p + i + 16))),
            _mm_min_epu8(text_rank(load16(p + i + 32)), text_rank(load16(p + i + 48))));
        __m128i bad = _mm_subs_epu8(_mm_set1_epi8((char)0xa1), low); /* 0 where 0xa1 or above */
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(bad, _mm_setzero_si128())) != 0xffff)
            break; /* in these 64 (or a TAB): found 16 at a time below */
    }
    for (; n - i >= 16; i += 16) {
        unsigned m = (unsigned)_mm_movemask_epi8(clean_bytes(load16(p + i))) ^ 0xffffu;
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
#endif
    while (i < n && ((p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\n' || p[i] == '\t'))
        i++;
    return i;
}

/* The length of the sequence at p that decides itself (UTF-8, a colour code), 0 if it is
 * not valid, -1 if the bytes end inside it. */
static int seq_len(const safe_out *s, const unsigned char *p, size_t n)
{
    if (p[0] >= 0x80)
        return utf8_len(p, n);
    if (p[0] == 0x1b && (s->keep & (TOOL_KEEP_SGR | TOOL_KEEP_PROGRESS)))
        return code_len(s->keep, p, n);
    return 0;
}

/* Filters p[0..n); keeps in s->hold a sequence its end leaves undecided unless `last`. */
static void filter(safe_out *s, const unsigned char *p, size_t n, bool last)
{
    size_t i = 0;
    while (i < n) {
        /* a run of text, at once */
        size_t r = clean_until(p, i, n);
        if (r > i) {
            put(s, p + i, r - i);
            i = r;
            continue;
        }
        unsigned char b = p[i];
        if (b == '\r' && (s->keep & TOOL_KEEP_PROGRESS)) {
            put(s, &b, 1);
            i++;
            continue;
        }
        int k = seq_len(s, p + i, n - i);
        if (k < 0 && !last) { /* the rest comes with the next write */
            memcpy(s->hold, p + i, n - i);
            s->n_hold = n - i;
            return;
        }
        if (k > 0) {
            put(s, p + i, (size_t)k);
            i += (size_t)k;
        } else {
            put_escaped(s, b);
            i++;
        }
    }
}

static ssize_t safe_write(void *cookie, const char *buf, size_t n)
{
    safe_out *s = cookie;
    const unsigned char *b = (const unsigned char *)buf;
    if (s->failed) {
        errno = EIO;
        return -1;
    }
    size_t used = 0;
    /* a held sequence takes bytes from here until it is decided */
    while (s->n_hold && used < n) {
        s->hold[s->n_hold++] = b[used++];
        int k = seq_len(s, s->hold, s->n_hold);
        if (k < 0 && s->n_hold < HOLD_CAP)
            continue;
        unsigned char tmp[HOLD_CAP];
        size_t len = s->n_hold;
        memcpy(tmp, s->hold, len);
        s->n_hold = 0;
        filter(s, tmp, len, false); /* what it holds again ends where b[used] starts */
    }
    if (!s->n_hold && clean_until(b, used, n) == n) {
        /* all text (the common case): written from the caller's buffer */
        flush_out(s);
        write_all(s, (const char *)b + used, n - used);
    } else {
        filter(s, b + used, n - used, false);
        flush_out(s);
    }
    if (s->failed) {
        errno = EIO;
        return -1;
    }
    return (ssize_t)n;
}

static int safe_close(void *cookie)
{
    safe_out *s = cookie;
    if (s->n_hold) {
        unsigned char tmp[HOLD_CAP];
        size_t n = s->n_hold;
        memcpy(tmp, s->hold, n);
        s->n_hold = 0;
        filter(s, tmp, n, true);
    }
    flush_out(s);
    bool failed = s->failed;
    free(s);
    return failed ? -1 : 0;
}

FILE *tool_safe_stream(int fd, unsigned keep, bool line_buffered)
{
    safe_out *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->fd = fd;
    s->keep = keep;
    cookie_io_functions_t io = {.write = safe_write, .close = safe_close};
    FILE *f = fopencookie(s, "w", io);
    if (!f) {
        free(s);
        return NULL;
    }
    setvbuf(f, NULL, line_buffered ? _IOLBF : _IOFBF, OUT_CAP);
    return f;
}
