/* test_endpoint.c - the pty with its link and the TCP listener (libqftp/endpoint.c). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "qftp/endpoint.h"
#include "testutil.h"

static void test_hostport(void)
{
    static const struct {
        const char *spec, *host, *port; /* host NULL: rejected */
    } cases[] = {
        {"127.0.0.1:3333", "127.0.0.1", "3333"},
        {"localhost:0", "localhost", "0"},
        {":4000", "", "4000"},
        {"[::1]:21", "::1", "21"},
        {"[::]:0", "::", "0"},
        {"::1:21", "::1", "21"}, /* without brackets the last colon splits */
        {"host", NULL, NULL},
        {"host:", NULL, NULL},
        {"[::1]", NULL, NULL},
        {"[::1]21", NULL, NULL},
        {"[::1:21", NULL, NULL},
        {"", NULL, NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char host[64] = "unchanged";
        const char *port = NULL;
        int rc = qftp_hostport_split(cases[i].spec, host, sizeof host, &port);
        if (!cases[i].host) {
            g_assert_cmpint(rc, ==, -1);
            continue;
        }
        g_assert_cmpint(rc, ==, 0);
        g_assert_cmpstr(host, ==, cases[i].host);
        g_assert_cmpstr(port, ==, cases[i].port);
    }
    /* A host that does not fit is refused, not cut. */
    char small[4];
    const char *port;
    g_assert_cmpint(qftp_hostport_split("abcd:1", small, sizeof small, &port), ==, -1);
    g_assert_cmpint(qftp_hostport_split("abc:1", small, sizeof small, &port), ==, 0);
}

static void test_listen(void)
{
    char err[QFTP_ERRBUF_SIZE];
    int s = qftp_tcp_listen("127.0.0.1:0", err);
    g_assert_cmpint(s, >=, 0);
    g_assert_true(fcntl(s, F_GETFL) & O_NONBLOCK);
    g_assert_true(fcntl(s, F_GETFD) & FD_CLOEXEC);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    g_assert_cmpint(getsockname(s, (struct sockaddr *)&ss, &sl), ==, 0);
    char where[96];
    qftp_sockaddr_str((struct sockaddr *)&ss, sl, where, sizeof where);
    g_assert_true(g_str_has_prefix(where, "127.0.0.1:"));
    int port = atoi(where + strlen("127.0.0.1:"));
    g_assert_cmpint(port, >, 0);

    /* A client really gets through. */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    g_assert_cmpint(connect(c, (struct sockaddr *)&to, sizeof to), ==, 0);
    struct pollfd p = {.fd = s, .events = POLLIN};
    g_assert_cmpint(poll(&p, 1, 5000), ==, 1);
    int a = accept(s, NULL, NULL);
    g_assert_cmpint(a, >=, 0);

    /* The same port again is in use: a clear error naming the spec. */
    char spec[32];
    snprintf(spec, sizeof spec, "127.0.0.1:%d", port);
    g_assert_cmpint(qftp_tcp_listen(spec, err), ==, -1);
    g_assert_nonnull(strstr(err, spec));
    g_assert_nonnull(strstr(err, strerror(EADDRINUSE)));
    close(a);
    close(c);
    close(s);

    g_assert_cmpint(qftp_tcp_listen("nocolon", err), ==, -1);
    g_assert_nonnull(strstr(err, "HOST:PORT"));
    g_assert_cmpint(qftp_tcp_listen("127.0.0.1:notaport", err), ==, -1);
    g_assert_nonnull(strstr(err, "127.0.0.1:notaport"));

    /* IPv6, where the machine has it: the name comes back in brackets. */
    s = qftp_tcp_listen("[::1]:0", err);
    if (s >= 0) {
        sl = sizeof ss;
        getsockname(s, (struct sockaddr *)&ss, &sl);
        qftp_sockaddr_str((struct sockaddr *)&ss, sl, where, sizeof where);
        g_assert_true(g_str_has_prefix(where, "[::1]:"));
        close(s);
    }
}

static void test_pty(void)
{
    char dir[] = "/tmp/qftp-endpoint-XXXXXX";
    g_assert_nonnull(mkdtemp(dir));
    char *link = g_strdup_printf("%s/tty", dir);
    char err[QFTP_ERRBUF_SIZE];
    qftp_pty p;
    g_assert_cmpint(qftp_pty_open(&p, link, err), ==, 0);
    g_assert_true(fcntl(p.master, F_GETFL) & O_NONBLOCK);
    char target[64] = "";
    g_assert_cmpint(readlink(link, target, sizeof target - 1), >, 0);
    g_assert_cmpstr(target, ==, p.slave);

    /* Raw both ways: \n is not turned into \r\n, nothing is echoed, every byte passes. */
    int h = open(link, O_RDWR | O_NOCTTY);
    g_assert_cmpint(h, >=, 0);
    struct termios t;
    g_assert_cmpint(tcgetattr(h, &t), ==, 0);
    g_assert_false(t.c_lflag & (ICANON | ECHO));
    g_assert_false(t.c_oflag & OPOST);
    uint8_t all[256], got[512];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    g_assert_cmpint(write(h, all, sizeof all), ==, (ssize_t)sizeof all);
    size_t n = 0;
    while (n < sizeof all) {
        struct pollfd pf = {.fd = p.master, .events = POLLIN};
        g_assert_cmpint(poll(&pf, 1, 5000), ==, 1);
        ssize_t r = read(p.master, got + n, sizeof got - n);
        g_assert_cmpint(r, >, 0);
        n += (size_t)r;
    }
    g_assert_cmpuint(n, ==, sizeof all);
    g_assert_cmpmem(got, n, all, sizeof all);

    /* The host closing its side leaves the master readable without a hangup. */
    close(h);
    struct pollfd pf = {.fd = p.master, .events = POLLIN};
    g_assert_cmpint(poll(&pf, 1, 50), ==, 0);

    /* A second pair on the same link replaces the link; closing the first then leaves
     * the second's link alone. */
    qftp_pty q;
    g_assert_cmpint(qftp_pty_open(&q, link, err), ==, 0);
    g_assert_cmpstr(q.slave, !=, p.slave);
    qftp_pty_close(&p);
    memset(target, 0, sizeof target);
    g_assert_cmpint(readlink(link, target, sizeof target - 1), >, 0);
    g_assert_cmpstr(target, ==, q.slave);
    qftp_pty_close(&q);
    struct stat st;
    g_assert_cmpint(lstat(link, &st), ==, -1);
    qftp_pty_close(&q); /* twice is harmless */

    /* Anything but a link is not replaced. */
    int f = open(link, O_CREAT | O_WRONLY, 0600);
    close(f);
    g_assert_cmpint(qftp_pty_open(&p, link, err), ==, -1);
    g_assert_nonnull(strstr(err, "not a symbolic link"));
    g_assert_cmpint(p.master, ==, -1);
    g_assert_cmpint(lstat(link, &st), ==, 0);
    g_assert_true(S_ISREG(st.st_mode));
    unlink(link);

    /* A folder that does not exist: the error names the link. */
    char *deep = g_strdup_printf("%s/no/tty", dir);
    g_assert_cmpint(qftp_pty_open(&p, deep, err), ==, -1);
    g_assert_nonnull(strstr(err, deep));
    g_free(deep);
    rmdir(dir);
    g_free(link);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/endpoint/hostport", test_hostport);
    g_test_add_func("/endpoint/listen", test_listen);
    g_test_add_func("/endpoint/pty", test_pty);
    return g_test_run();
}
