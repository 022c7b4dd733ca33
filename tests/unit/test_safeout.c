/* test_safeout.c - the stream that makes what the tool prints of its input safe for a
 * terminal (tool_safe_stream): which bytes pass, which are written as \xHH, across the
 * stream's writes. The expected strings follow from ECMA-48 (C0 and C1 controls, ESC
 * sequences) and RFC 3629 (what UTF-8 is). */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qftptool/cmd.h"

/* Writes the pieces (each flushed: one write of the stream's each) and returns what
 * reached the file descriptor. */
static char *through(unsigned keep, const char *const *pieces, const size_t *lens)
{
    char path[] = "/tmp/qftp-safeout-XXXXXX";
    int fd = g_mkstemp(path);
    g_assert_cmpint(fd, >=, 0);
    unlink(path);
    FILE *f = tool_safe_stream(fd, keep, false);
    g_assert_nonnull(f);
    for (size_t i = 0; pieces[i]; i++) {
        g_assert_cmpuint(fwrite(pieces[i], 1, lens[i], f), ==, lens[i]);
        g_assert_cmpint(fflush(f), ==, 0);
    }
    g_assert_cmpint(fclose(f), ==, 0);
    char *out = g_malloc0(4096);
    ssize_t n = pread(fd, out, 4095, 0);
    g_assert_cmpint(n, >=, 0);
    close(fd);
    return out;
}

static void check(unsigned keep, const char *in, size_t len, const char *want)
{
    const char *pieces[] = {in, NULL};
    size_t lens[] = {len};
    char *got = through(keep, pieces, lens);
    g_assert_cmpstr(got, ==, want);
    g_free(got);
}
#define CHECK(keep, in, want) check(keep, in, sizeof in - 1, want)

static void test_controls(void)
{
    /* text, LF and TAB as they are */
    CHECK(0, "AT+QFTPSTAT\tOK\n", "AT+QFTPSTAT\tOK\n");
    /* an OSC that sets the window title, a clear-screen CSI: written out, not obeyed */
    CHECK(0, "\x1b]0;pwned\x07\x1b[2Jx", "\\x1b]0;pwned\\x07\\x1b[2Jx");
    /* CR, NUL, DEL and the other C0 controls */
    CHECK(0, "a\rb\0c\x7f\x01", "a\\x0db\\x00c\\x7f\\x01");
}

static void test_utf8(void)
{
    /* é, 中, an emoji: valid UTF-8 passes */
    CHECK(0, "\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80", "\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80");
    /* U+009B (CSI as a C1 control) in UTF-8, a lone continuation byte, 0xFF, a lead byte
     * without its continuation, an overlong '/' (C0 AF), a surrogate (ED A0 80) */
    CHECK(0, "\xc2\x9b|\x80|\xff|\xe4\x41|\xc0\xaf|\xed\xa0\x80",
          "\\xc2\\x9b|\\x80|\\xff|\\xe4A|\\xc0\\xaf|\\xed\\xa0\\x80");
    /* a sequence cut by the end of the output */
    CHECK(0, "x\xe4\xb8", "x\\xe4\\xb8");
}

static void test_split(void)
{
    /* a character and a colour code split across two writes of the stream */
    const char *pieces[] = {"a\xe4", "\xb8\xad\x1b[3", "1mb", NULL};
    size_t lens[] = {2, 5, 3};
    char *got = through(TOOL_KEEP_SGR, pieces, lens);
    g_assert_cmpstr(got, ==, "a\xe4\xb8\xad\x1b[31mb");
    g_free(got);
    /* the same code without TOOL_KEEP_SGR */
    got = through(0, pieces, lens);
    g_assert_cmpstr(got, ==, "a\xe4\xb8\xad\\x1b[31mb");
    g_free(got);
}

/* One write far larger than the stream's buffer, text with an escape in its middle: the
 * runs of text around it pass whole, nothing is lost or overrun. */
static void test_large(void)
{
    size_t n = 300000;
    char *in = g_malloc(n);
    for (size_t i = 0; i < n; i++)
        in[i] = (char)('a' + i % 26);
    in[n / 2] = '\x1b';
    char path[] = "/tmp/qftp-safeout-XXXXXX";
    int fd = g_mkstemp(path);
    g_assert_cmpint(fd, >=, 0);
    unlink(path);
    FILE *f = tool_safe_stream(fd, 0, false);
    g_assert_cmpuint(fwrite(in, 1, n, f), ==, n);
    g_assert_cmpint(fclose(f), ==, 0);
    struct stat st;
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, (off_t)n + 3); /* ESC -> "\x1b" */
    char *out = g_malloc(n + 3);
    g_assert_cmpint(pread(fd, out, n + 3, 0), ==, (ssize_t)(n + 3));
    g_assert_cmpint(memcmp(out, in, n / 2), ==, 0);
    g_assert_cmpint(memcmp(out + n / 2, "\\x1b", 4), ==, 0);
    g_assert_cmpint(memcmp(out + n / 2 + 4, in + n / 2 + 1, n - n / 2 - 1), ==, 0);
    close(fd);
    g_free(out);
    g_free(in);
}

static void test_keep(void)
{
    /* colours only with TOOL_KEEP_SGR; other CSI sequences never */
    CHECK(TOOL_KEEP_SGR, "\x1b[1;31mX\x1b[0m\x1b[2J", "\x1b[1;31mX\x1b[0m\\x1b[2J");
    /* a progress line's CR and erase-line only with TOOL_KEEP_PROGRESS; ESC [ 2 K never */
    CHECK(TOOL_KEEP_PROGRESS, "\r\x1b[Kstep 1\r\x1b[2K", "\r\x1b[Kstep 1\r\\x1b[2K");
    CHECK(TOOL_KEEP_SGR, "\r\x1b[K", "\\x0d\\x1b[K");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/safeout/controls", test_controls);
    g_test_add_func("/safeout/utf8", test_utf8);
    g_test_add_func("/safeout/split", test_split);
    g_test_add_func("/safeout/keep", test_keep);
    g_test_add_func("/safeout/large", test_large);
    return g_test_run();
}
