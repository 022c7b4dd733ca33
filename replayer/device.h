/* device.h - the module end of `qftp replay` and `qftp record`: a serial port, a pty
 * or a raw serial-over-TCP bridge (ser2net), opened from one SPEC string.
 *
 *   /dev/ttyUSB2       a serial port: raw 8N1 at --baud with --flow
 *   /tmp/sim.pty       a pty slave (or a symlink to one): raw, baud and flow ignored
 *   tcp:HOST:PORT      a TCP connection (HOST may be [v6]); TCP_NODELAY
 *
 * The descriptor is non-blocking. A device that goes away reads as 0 bytes, EIO or
 * ECONNRESET; rp_device_gone() tells those apart from EAGAIN/EINTR.
 */
#ifndef QFTP_REPLAYER_DEVICE_H
#define QFTP_REPLAYER_DEVICE_H

#include <stdbool.h>
#include <sys/types.h>

typedef enum { RP_FLOW_NONE = 0, RP_FLOW_RTSCTS, RP_FLOW_XONXOFF } rp_flow;
typedef enum { RP_DEV_SERIAL = 0, RP_DEV_PTY, RP_DEV_TCP } rp_dev_kind;

typedef struct {
    int fd;
    rp_dev_kind kind;
    char name[256]; /* the SPEC as given, for messages */
} rp_device;

/* Parses "none" / "rtscts" / "xonxoff"; -1 if none of them. */
int rp_flow_from_name(const char *s);
/* True if baud is a rate termios can set (9600 ... 4000000). */
bool rp_baud_valid(long baud);
/* The rates rp_baud_valid() takes, lowest first: the i-th, or 0 past the last. */
long rp_baud_at(size_t i);

/* Opens SPEC. baud 0 keeps the port's rate. connect_timeout_ms bounds a TCP connect.
 * Returns 0, or -1 with errbuf (QFTP_ERRBUF_SIZE) filled; dev->fd is -1 then. */
int rp_device_open(rp_device *dev, const char *spec, long baud, rp_flow flow,
                   int connect_timeout_ms, char *errbuf);
void rp_device_close(rp_device *dev);

/* After read() returned n (with errno), true if the device is gone for good. */
bool rp_device_gone(ssize_t n, int err);

#endif
