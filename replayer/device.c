/* device.c - opening the module end: serial port, pty or TCP bridge (see device.h). */
#include "device.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "qftp/common.h"
#include "qftp/endpoint.h"

static const struct {
    long rate;
    speed_t code;
} bauds[] = {
    {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},
    {115200, B115200},   {230400, B230400},   {460800, B460800},   {500000, B500000},
    {576000, B576000},   {921600, B921600},   {1000000, B1000000}, {1152000, B1152000},
    {1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000}, {3000000, B3000000},
    {3500000, B3500000}, {4000000, B4000000},
};

static speed_t baud_code(long baud)
{
    for (size_t i = 0; i < sizeof bauds / sizeof bauds[0]; i++)
        if (bauds[i].rate == baud)
            return bauds[i].code;
    return 0;
}

bool rp_baud_valid(long baud)
{
    return baud_code(baud) != 0;
}

long rp_baud_at(size_t i)
{
    return i < sizeof bauds / sizeof bauds[0] ? bauds[i].rate : 0;
}

int rp_flow_from_name(const char *s)
{
    if (strcmp(s, "none") == 0)
        return RP_FLOW_NONE;
    if (strcmp(s, "rtscts") == 0)
        return RP_FLOW_RTSCTS;
    if (strcmp(s, "xonxoff") == 0)
        return RP_FLOW_XONXOFF;
    return -1;
}

static int open_tty(rp_device *dev, const char *path, long baud, rp_flow flow, char *errbuf)
{
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot open device %s: %s", path, strerror(errno));
        return -1;
    }
    struct termios t;
    if (tcgetattr(fd, &t) != 0) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "%s is not a serial port or pty: %s", path,
                 strerror(errno));
        close(fd);
        return -1;
    }
    /* A pty has no line: grantpt(3) ptys report themselves as major 136-143. Baud and
     * flow control mean nothing there, and some kernels refuse CRTSCTS on them. */
    struct stat st;
    bool pty = fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 &&
               major(st.st_rdev) <= 143;
    cfmakeraw(&t);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    t.c_cflag |= CLOCAL | CREAD;
    if (!pty) {
        if (baud) {
            speed_t code = baud_code(baud);
            cfsetispeed(&t, code);
            cfsetospeed(&t, code);
        }
        t.c_cflag &= ~(tcflag_t)CRTSCTS;
        t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
        if (flow == RP_FLOW_RTSCTS)
            t.c_cflag |= CRTSCTS;
        else if (flow == RP_FLOW_XONXOFF)
            t.c_iflag |= IXON | IXOFF;
    }
    if (tcsetattr(fd, TCSANOW, &t) != 0) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot set %s raw%s: %s", path,
                 pty ? "" : " at that baud rate and flow control", strerror(errno));
        close(fd);
        return -1;
    }
    tcflush(fd, TCIOFLUSH);
    dev->fd = fd;
    dev->kind = pty ? RP_DEV_PTY : RP_DEV_SERIAL;
    return 0;
}

static int open_tcp(rp_device *dev, const char *hostport, int timeout_ms, char *errbuf)
{
    char host[256];
    const char *port;
    if (qftp_hostport_split(hostport, host, sizeof host, &port) != 0 || !host[0]) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "device tcp:%s: expected tcp:HOST:PORT", hostport);
        return -1;
    }

    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot resolve tcp:%s: %s", hostport, gai_strerror(rc));
        return -1;
    }
    int err = 0;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        int s = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (s < 0) {
            err = errno;
            continue;
        }
        if (connect(s, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
            err = errno;
            close(s);
            continue;
        }
        struct pollfd p = {.fd = s, .events = POLLOUT};
        int n = poll(&p, 1, timeout_ms > 0 ? timeout_ms : 10000);
        socklen_t len = sizeof err;
        if (n == 0)
            err = ETIMEDOUT;
        else if (n < 0 || getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            err = errno;
        if (err != 0) {
            close(s);
            continue;
        }
        int one = 1;
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        freeaddrinfo(ai);
        dev->fd = s;
        dev->kind = RP_DEV_TCP;
        return 0;
    }
    freeaddrinfo(ai);
    snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot connect to tcp:%s: %s", hostport,
             strerror(err ? err : ECONNREFUSED));
    return -1;
}

int rp_device_open(rp_device *dev, const char *spec, long baud, rp_flow flow,
                   int connect_timeout_ms, char *errbuf)
{
    dev->fd = -1;
    snprintf(dev->name, sizeof dev->name, "%s", spec);
    if (baud && !rp_baud_valid(baud)) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "unsupported baud rate %ld", baud);
        return -1;
    }
    if (strncmp(spec, "tcp:", 4) == 0)
        return open_tcp(dev, spec + 4, connect_timeout_ms, errbuf);
    return open_tty(dev, spec, baud, flow, errbuf);
}

void rp_device_close(rp_device *dev)
{
    if (dev->fd >= 0)
        close(dev->fd);
    dev->fd = -1;
}

bool rp_device_gone(ssize_t n, int err)
{
    if (n > 0)
        return false;
    if (n == 0)
        return true;
    return err != EAGAIN && err != EWOULDBLOCK && err != EINTR;
}
