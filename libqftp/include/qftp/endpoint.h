/* qftp/endpoint.h - the serial-line ends that qftp tools offer to other programs: a pty
 * whose slave a path links to, and a TCP listener. Shared by `qftp sim` (the module end)
 * and `qftp record` (the host end).
 */
#ifndef QFTP_ENDPOINT_H
#define QFTP_ENDPOINT_H

#include <stddef.h>
#include <sys/socket.h>

#include "qftp/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pty pair whose slave `link` points to. `keep` is a slave descriptor held for the
 * whole life of the pair: without it the master reads EIO (and polls POLLHUP) whenever
 * no program has the slave open, and the raw line settings would be reset by the next
 * open. The master is non-blocking; both are close-on-exec. */
typedef struct {
    int master;
    int keep;
    char slave[64];   /* /dev/pts/N */
    const char *link; /* caller's string, must outlive the pair */
} qftp_pty;

/* Creates the pair, puts it in raw mode and makes `link` a symbolic link to the slave.
 * An existing symbolic link is replaced; anything else at `link` is left alone and is
 * an error. Returns 0, or -1 with errbuf filled (p->master and p->keep are -1 then). */
int qftp_pty_open(qftp_pty *p, const char *link, char *errbuf);
/* Closes the pair and removes the link if it still points to this pair's slave. */
void qftp_pty_close(qftp_pty *p);

/* Raw 8-bit mode with blocking reads of at least one byte (VMIN 1, VTIME 0). 0 or -1. */
int qftp_tty_raw(int fd);

/* Splits "HOST:PORT", "[V6]:PORT" or ":PORT" (empty host) into host and port. The port
 * points into spec. Returns 0, or -1 if spec has no port or the host is too long. */
int qftp_hostport_split(const char *spec, char *host, size_t hostlen, const char **port);

/* A listening TCP socket on "HOST:PORT" (numeric port; 0 takes any; an empty HOST or
 * "[::]" all addresses), non-blocking and close-on-exec. Returns it, or -1 with errbuf
 * filled. */
int qftp_tcp_listen(const char *spec, char *errbuf);

/* A socket address as "HOST:PORT" or "[V6]:PORT", numeric. */
void qftp_sockaddr_str(const struct sockaddr *sa, socklen_t len, char *out, size_t n);

#ifdef __cplusplus
}
#endif

#endif
