/* endpoint.c - ptys and TCP listeners offered to other programs (qftp/endpoint.h). */
#define _GNU_SOURCE
#include "qftp/endpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

int qftp_tty_raw(int fd)
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0)
        return -1;
    cfmakeraw(&t);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    return tcsetattr(fd, TCSANOW, &t);
}

int qftp_pty_open(qftp_pty *p, const char *link, char *errbuf)
{
    p->master = p->keep = -1;
    p->slave[0] = '\0';
    p->link = link;
    struct stat st;
    if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode)) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "%s exists and is not a symbolic link (not replaced)",
                 link);
        return -1;
    }
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    const char *name = m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0 ? ptsname(m) : NULL;
    if (!name || strlen(name) >= sizeof p->slave) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot create a pty: %s", strerror(errno));
        if (m >= 0)
            close(m);
        return -1;
    }
    strcpy(p->slave, name);
    int s = open(p->slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0 || qftp_tty_raw(s) != 0) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot open the pty slave %s: %s", p->slave,
                 strerror(errno));
        if (s >= 0)
            close(s);
        close(m);
        return -1;
    }
    unlink(link);
    if (symlink(p->slave, link) != 0) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot link %s to %s: %s", link, p->slave,
                 strerror(errno));
        close(s);
        close(m);
        return -1;
    }
    int fl = fcntl(m, F_GETFL);
    if (fl >= 0)
        fcntl(m, F_SETFL, fl | O_NONBLOCK);
    p->master = m;
    p->keep = s;
    return 0;
}

void qftp_pty_close(qftp_pty *p)
{
    if (p->master < 0)
        return;
    char target[sizeof p->slave];
    ssize_t n = readlink(p->link, target, sizeof target - 1);
    if (n > 0) {
        target[n] = '\0';
        if (strcmp(target, p->slave) == 0)
            unlink(p->link);
    }
    close(p->master);
    close(p->keep);
    p->master = p->keep = -1;
}

int qftp_hostport_split(const char *spec, char *host, size_t hostlen, const char **port)
{
    const char *h = spec, *colon;
    size_t n;
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (!end || end[1] != ':')
            return -1;
        h = spec + 1;
        n = (size_t)(end - h);
        colon = end + 1;
    } else {
        colon = strrchr(spec, ':');
        if (!colon)
            return -1;
        n = (size_t)(colon - spec);
    }
    if (n >= hostlen || !colon[1])
        return -1;
    memcpy(host, h, n);
    host[n] = '\0';
    *port = colon + 1;
    return 0;
}

int qftp_tcp_listen(const char *spec, char *errbuf)
{
    char host[256];
    const char *port;
    if (qftp_hostport_split(spec, host, sizeof host, &port) != 0) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "--listen wants HOST:PORT, not '%s'", spec);
        return -1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
                    *ai = NULL;
    int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (rc != 0) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "--listen %s: %s", spec, gai_strerror(rc));
        return -1;
    }
    int s = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    if (s >= 0)
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (s < 0 || bind(s, ai->ai_addr, ai->ai_addrlen) != 0 || listen(s, 4) != 0) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "--listen %s: %s", spec, strerror(errno));
        if (s >= 0)
            close(s);
        s = -1;
    }
    freeaddrinfo(ai);
    return s;
}

void qftp_sockaddr_str(const struct sockaddr *sa, socklen_t len, char *out, size_t n)
{
    char host[NI_MAXHOST] = "?", port[NI_MAXSERV] = "?";
    getnameinfo(sa, len, host, sizeof host, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);
    bool v6 = strchr(host, ':') != NULL;
    snprintf(out, n, "%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "", port);
}
