/* record.c - `qftp record`: a transparent relay between a host application and a module
 * that writes both directions, timestamped, into a qftp capture (docs/record.md).
 *
 * One thread, one ppoll loop, every descriptor non-blocking. Each direction has a
 * bounded buffer: bytes are recorded the moment they are read (that is when they
 * crossed the wire from their side), written to the other side at once, and a full
 * buffer stops reads from its source until the destination takes bytes again, so
 * nothing is ever dropped and memory stays bounded. No timer ever delays a write; the
 * only timers are the drain after a stop and the linger after the host's end of input.
 *
 * The host side is a pty we create (--pty), one TCP client at a time (--listen), or the
 * terminal we run in (--interactive). The capture is written in place
 * (qftp_capw_open_direct) and each read reaches the file before its bytes are relayed
 * (one write(2) per read): it can be read while recording, survives a kill, and a
 * capture that cannot be written stops the relay before an unrecorded byte crosses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "qftp/capture.h"
#include "qftp/endpoint.h"
#include "cli.h"

#define READ_MAX (64 * 1024)  /* one read, one frame */
#define BUF_CAP (1024 * 1024) /* per direction: what a slow side may hold up */
#define READ_MIN 4096         /* below this much room a buffer waits for its reader */
#define READ_BURST 4          /* reads per side and wakeup while data keeps coming */
#define BURST_MIN 2048        /* a read this long says more is probably there */
#define DRAIN_MS 1000         /* after a stop: how long buffered bytes may take to leave */
#define HUP_RETRY_MS 100      /* a pty master with no slave open: look again after this */
#define CONNECT_MS 10000      /* tcp: device */
#define DEFAULT_LINGER 1000
#define KEY_QUIT 0x1d /* Ctrl-] */

/* Exit statuses (usage and docs/record.md) */
#define EXIT_CAPTURE 1
#define EXIT_USAGE 2
#define EXIT_DEVICE 3

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static qftp_ts clock_ns(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (qftp_ts)t.tv_sec * QFTP_NS_PER_SEC + t.tv_nsec;
}

static int set_nonblock(int fd, int *saved)
{
    int fl = fcntl(fd, F_GETFL);
    if (saved)
        *saved = fl;
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* ---- a direction's buffer --------------------------------------------------------------- */

/* Bytes read from one side and not yet written to the other: b[start, end). Kept linear so
 * that every read lands in one piece (one frame); data is moved to the front only when no
 * more than what was consumed has to move, so each byte is moved at most about once. */
typedef struct {
    uint8_t *b;
    size_t start, end;
} relay_buf;

static size_t rb_len(const relay_buf *r)
{
    return r->end - r->start;
}

/* Room for the next read (0: wait for the destination to take some). */
static size_t rb_room(relay_buf *r)
{
    if (r->start == r->end) {
        r->start = r->end = 0;
    } else if (BUF_CAP - r->end < READ_MAX && r->start >= rb_len(r)) {
        memmove(r->b, r->b + r->start, rb_len(r));
        r->end -= r->start;
        r->start = 0;
    }
    size_t room = BUF_CAP - r->end;
    if (room < READ_MIN)
        return 0;
    return room < READ_MAX ? room : READ_MAX;
}

/* ---- the recorder ---------------------------------------------------------------------- */

typedef enum { HOST_PTY, HOST_TCP, HOST_TERM } host_kind;

/* Why the loop ends; the order is also the precedence of the exit status. */
typedef enum { END_NONE, END_STOP, END_QUIT, END_INPUT, END_DEVICE, END_CAPTURE } end_reason;

typedef struct {
    /* options */
    const char *dev_spec, *pty_path, *listen_at, *cap_path;
    long baud;
    rp_flow flow;
    bool interactive, quiet;
    int linger_ms;
    bool pipe_end_stops; /* the capture's reader going away is a normal end (qftp extcap) */
    bool pipe_gone;

    rp_device dev;
    bool dev_gone;

    host_kind kind;
    qftp_pty pty; /* --pty */
    int lsock;    /* --listen */
    int in, out;  /* the host's descriptors; -1 while no TCP client is connected */
    char peer[80];
    bool in_eof;         /* the host's input ended (pipe EOF, TCP half-close): lingering */
    qftp_ts quiet_since; /* monotonic: last byte either way after in_eof */
    qftp_ts hup_until;   /* monotonic: the pty master reads EIO; not polled until then */
    /* --interactive */
    bool tty, raw_set, fl_in_set, fl_out_set;
    struct termios saved_tio;
    int saved_fl_in, saved_fl_out;
    uint8_t last_key; /* the previous input byte, for \r\n -> \r */

    qftp_capture_writer *cap;

    relay_buf tx, rx; /* tx: host -> module, rx: module -> host */
    uint64_t bytes[2];
    end_reason end;
    char msg[QFTP_ERRBUF_SIZE + 256]; /* the message of the end, printed last */
} recorder;

static void note(const recorder *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const recorder *r, const char *fmt, ...)
{
    if (r->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    /* A terminal in raw mode needs the \r itself. */
    fprintf(stderr, "qftp %s: ", tool_command_name());
    vfprintf(stderr, fmt, ap);
    fputs(r->raw_set ? "\r\n" : "\n", stderr);
    va_end(ap);
}

static void finish(recorder *r, end_reason why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void finish(recorder *r, end_reason why, const char *fmt, ...)
{
    if (why <= r->end)
        return; /* a graver reason is already set */
    r->end = why;
    r->msg[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->msg, sizeof r->msg, fmt, ap);
        va_end(ap);
    }
}

/* Writes one read to the capture, through to the file, before its bytes may be relayed:
 * a capture that cannot take them (disk full, a size limit) stops the relay with these
 * bytes unsent, so nothing ever crosses unrecorded and the file (cut back to its last
 * whole frame by the writer) holds exactly what was relayed. False: do not relay. */
static bool record(recorder *r, qftp_dir dir, const uint8_t *b, size_t n)
{
    char err[QFTP_ERRBUF_SIZE];
    if (qftp_capw_write(r->cap, dir, clock_ns(CLOCK_REALTIME), false, b, n, err) != 0 ||
        qftp_capw_flush(r->cap, err) != 0) {
        if (r->pipe_end_stops && errno == EPIPE) {
            /* qftp extcap: Wireshark stopped reading, the capture is over */
            r->pipe_gone = true;
            finish(r, END_STOP, NULL);
            return false;
        }
        finish(r, END_CAPTURE,
               "%s; relaying stopped: the capture holds everything relayed until then, the %zu "
               "bytes just read from the %s were not relayed",
               err, n, dir == QFTP_DIR_TX ? "host" : "device");
        return false;
    }
    r->bytes[dir] += n;
    return true;
}

/* ---- the host side --------------------------------------------------------------------- */

static int open_pty(recorder *r, char *err)
{
    char e[QFTP_ERRBUF_SIZE];
    if (qftp_pty_open(&r->pty, r->pty_path, e) != 0) {
        snprintf(err, QFTP_ERRBUF_SIZE, "--pty %.400s", e);
        return -1;
    }
    r->in = r->out = r->pty.master;
    return 0;
}

static void close_pty(recorder *r)
{
    qftp_pty_close(&r->pty);
    if (r->kind == HOST_PTY)
        r->in = r->out = -1;
}

static void drop_host(recorder *r, const char *why);

/* Closes a TCP connection whose peer may still be sending: closing with unread bytes
 * makes the kernel reset it, and a reset throws away what the peer had not read yet
 * (the last bytes relayed to it). So: no more from us (FIN), then what it still sends is
 * read and dropped, for at most 300 ms, before the close. */
static void close_gently(int fd)
{
    shutdown(fd, SHUT_WR);
    qftp_ts end = clock_ns(CLOCK_MONOTONIC) + 300 * QFTP_NS_PER_MS;
    for (qftp_ts now = clock_ns(CLOCK_MONOTONIC); now < end; now = clock_ns(CLOCK_MONOTONIC)) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)((end - now) / QFTP_NS_PER_MS) + 1) <= 0)
            break;
        uint8_t scratch[65536];
        ssize_t n = read(fd, scratch, sizeof scratch);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            break;
    }
    close(fd);
}

static void accept_host(recorder *r)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int s = accept4(r->lsock, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (s < 0)
        return; /* EAGAIN, or a client that left before we took it */
    if (r->in >= 0)
        drop_host(r, "disconnected");
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    r->in = r->out = s;
    r->in_eof = false;
    qftp_sockaddr_str((struct sockaddr *)&ss, sl, r->peer, sizeof r->peer);
    note(r, "host connected from %s", r->peer);
}

/* The TCP host left (or lingered out). What it had sent still goes to the module; what
 * the module sent that it did not take waits for the next host, as a pty would keep it. */
static void drop_host(recorder *r, const char *why)
{
    if (r->kind != HOST_TCP || r->in < 0)
        return;
    close(r->in);
    r->in = r->out = -1;
    r->in_eof = false;
    note(r, "host %s %s", r->peer, why);
}

static int term_setup(recorder *r, char *err, size_t errlen)
{
    r->in = STDIN_FILENO;
    r->out = STDOUT_FILENO;
    r->tty = isatty(STDIN_FILENO);
    if (r->tty) {
        if (tcgetattr(STDIN_FILENO, &r->saved_tio) != 0) {
            snprintf(err, errlen, "cannot read the terminal's settings: %s", strerror(errno));
            return -1;
        }
        struct termios t = r->saved_tio;
        cfmakeraw(&t);
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        if (tcsetattr(STDIN_FILENO, TCSANOW, &t) != 0) {
            snprintf(err, errlen, "cannot put the terminal in raw mode: %s", strerror(errno));
            return -1;
        }
        r->raw_set = true;
    }
    /* Descriptors shared with the shell: their flags are put back on every way out. */
    r->fl_in_set = set_nonblock(STDIN_FILENO, &r->saved_fl_in) == 0;
    r->fl_out_set = set_nonblock(STDOUT_FILENO, &r->saved_fl_out) == 0;
    return 0;
}

static void term_restore(recorder *r)
{
    if (r->fl_out_set)
        fcntl(STDOUT_FILENO, F_SETFL, r->saved_fl_out);
    if (r->fl_in_set)
        fcntl(STDIN_FILENO, F_SETFL, r->saved_fl_in);
    if (r->raw_set)
        tcsetattr(STDIN_FILENO, TCSADRAIN, &r->saved_tio);
    r->fl_in_set = r->fl_out_set = r->raw_set = false;
}

/* What a person types becomes what a terminal emulator sends (picocom's defaults): a
 * line end (\r from Enter, \n, or \r\n from a pipe) is one \r, the command terminator
 * of both manuals (BG96 AT manual 1.4, GSM 1.4). Ctrl-] on a terminal ends the
 * session; what came before it in the same read is still sent. Returns the new length. */
static size_t map_input(recorder *r, uint8_t *b, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = b[i], prev = r->last_key;
        r->last_key = c;
        if (r->tty && c == KEY_QUIT) {
            finish(r, END_QUIT, NULL);
            break;
        }
        if (c == '\n') {
            if (prev == '\r')
                continue;
            c = '\r';
        }
        b[out++] = c;
    }
    return out;
}

/* ---- moving bytes ----------------------------------------------------------------------- */

/* Writes what buf holds to fd until it is empty or fd is full. Returns 0, or the errno of
 * a write that failed for good. */
static int pump(relay_buf *buf, int fd)
{
    while (rb_len(buf) > 0) {
        ssize_t n = write(fd, buf->b + buf->start, rb_len(buf));
        if (n > 0) {
            buf->start += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        return n < 0 ? errno : EIO;
    }
    return 0;
}

static void pump_to_device(recorder *r)
{
    if (r->dev_gone || rb_len(&r->tx) == 0)
        return;
    int e = pump(&r->tx, r->dev.fd);
    if (e) {
        r->dev_gone = true;
        finish(r, END_DEVICE, "device %s went away (writing: %s)", r->dev.name, strerror(e));
    }
}

static void pump_to_host(recorder *r, qftp_ts now)
{
    if (r->out < 0 || rb_len(&r->rx) == 0 || now < r->hup_until)
        return;
    int e = pump(&r->rx, r->out);
    if (e == 0)
        return;
    if (r->kind == HOST_TCP) {
        drop_host(r, "disconnected");
    } else if (r->kind == HOST_PTY) {
        r->hup_until = now + HUP_RETRY_MS * QFTP_NS_PER_MS;
    } else {
        r->out = -1;
        finish(r, END_INPUT, "standard output closed (%s)", strerror(e));
    }
}

static bool read_device(recorder *r, qftp_ts now)
{
    size_t room = rb_room(&r->rx);
    if (room == 0)
        return false;
    uint8_t *at = r->rx.b + r->rx.end;
    ssize_t n = read(r->dev.fd, at, room);
    if (n > 0) {
        if (!record(r, QFTP_DIR_RX, at, (size_t)n))
            return false;
        r->rx.end += (size_t)n;
        r->quiet_since = now;
        pump_to_host(r, now);
        return n >= BURST_MIN;
    }
    if (rp_device_gone(n, errno)) {
        r->dev_gone = true;
        finish(r, END_DEVICE, "device %s went away (%s)", r->dev.name,
               n == 0 ? "end of file" : strerror(errno));
    }
    return false;
}

static bool read_host(recorder *r, qftp_ts now)
{
    size_t room = rb_room(&r->tx);
    if (room == 0 || r->in < 0)
        return false;
    uint8_t *at = r->tx.b + r->tx.end;
    ssize_t n = read(r->in, at, room);
    if (n > 0) {
        size_t len = (size_t)n;
        if (r->kind == HOST_TERM)
            len = map_input(r, at, len);
        if (len) {
            if (!record(r, QFTP_DIR_TX, at, len))
                return false;
            r->tx.end += len;
            pump_to_device(r);
        }
        r->quiet_since = now;
        return n >= BURST_MIN && r->end == END_NONE;
    }
    int e = errno;
    if (n < 0 && (e == EAGAIN || e == EINTR))
        return false;
    if (r->kind == HOST_PTY) {
        /* EIO: no slave open. Not while we hold one, but never spin on it. */
        r->hup_until = now + HUP_RETRY_MS * QFTP_NS_PER_MS;
        return false;
    }
    if (r->kind == HOST_TCP && n < 0) {
        drop_host(r, "disconnected");
        return false;
    }
    /* End of input: a pipe's EOF, a TCP half-close. The module's answers still go out
     * until it has been quiet for --linger. */
    r->in_eof = true;
    r->quiet_since = now;
    return false;
}

/* ---- the loop --------------------------------------------------------------------------- */

static int ms_until(qftp_ts now, qftp_ts when)
{
    if (when <= now)
        return 0;
    qftp_ts ms = (when - now + QFTP_NS_PER_MS - 1) / QFTP_NS_PER_MS;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void min_timeout(int *tmo, int ms)
{
    if (*tmo < 0 || ms < *tmo)
        *tmo = ms;
}

static void run(recorder *r, const sigset_t *waitmask)
{
    qftp_ts drain_end = 0;
    bool draining = false;
    for (;;) {
        qftp_ts now = clock_ns(CLOCK_MONOTONIC);
        if (g_stop)
            finish(r, END_STOP, NULL);
        if (r->end != END_NONE && !draining) {
            /* Stop reading; give what is buffered a bounded time to reach its side. */
            draining = true;
            drain_end = now + DRAIN_MS * QFTP_NS_PER_MS;
        }
        if (draining) {
            bool tx_left = !r->dev_gone && rb_len(&r->tx) > 0;
            bool rx_left = r->out >= 0 && rb_len(&r->rx) > 0;
            if ((!tx_left && !rx_left) || now >= drain_end)
                break;
        }
        /* The host's input ended: once everything went out and the module has been quiet
         * for --linger, the session (--interactive) or the TCP connection ends. */
        if (r->in_eof && rb_len(&r->tx) > 0)
            r->quiet_since = now;
        if (r->in_eof && rb_len(&r->tx) == 0 &&
            now - r->quiet_since >= (qftp_ts)r->linger_ms * QFTP_NS_PER_MS) {
            r->in_eof = false;
            if (r->kind == HOST_TERM)
                finish(r, END_INPUT, NULL);
            else
                drop_host(r, "disconnected");
            continue;
        }
        struct pollfd p[4];
        int np = 0, i_dev = -1, i_in = -1, i_out = -1, i_lis = -1;
        int tmo = -1;
        bool reading = !draining;
        short dev_ev = 0;
        if (!r->dev_gone) {
            if (reading && rb_room(&r->rx) > 0)
                dev_ev |= POLLIN;
            if (rb_len(&r->tx) > 0)
                dev_ev |= POLLOUT;
        }
        /* A descriptor we want nothing from is left out: poll would report its hangup
         * over and over. */
        if (dev_ev) {
            i_dev = np;
            p[np++] = (struct pollfd){r->dev.fd, dev_ev, 0};
        }
        if (r->in >= 0 && now < r->hup_until) {
            min_timeout(&tmo, ms_until(now, r->hup_until));
        } else if (r->in >= 0) {
            bool want_in = reading && !r->in_eof && rb_room(&r->tx) > 0;
            bool want_out = r->out >= 0 && rb_len(&r->rx) > 0;
            if (r->in == r->out && (want_in || want_out)) {
                i_in = i_out = np;
                p[np++] = (struct pollfd){
                    r->in, (short)((want_in ? POLLIN : 0) | (want_out ? POLLOUT : 0)), 0};
            } else {
                if (want_in) {
                    i_in = np;
                    p[np++] = (struct pollfd){r->in, POLLIN, 0};
                }
                if (want_out) {
                    i_out = np;
                    p[np++] = (struct pollfd){r->out, POLLOUT, 0};
                }
            }
        }
        /* A host that ended its input is replaced by the next one that connects (a
         * closed connection and a half-closed one look the same until we write). */
        if (r->lsock >= 0 && (r->in < 0 || r->in_eof) && reading) {
            i_lis = np;
            p[np++] = (struct pollfd){r->lsock, POLLIN, 0};
        }
        if (draining)
            min_timeout(&tmo, ms_until(now, drain_end));
        if (r->in_eof)
            min_timeout(&tmo,
                        ms_until(now, r->quiet_since + (qftp_ts)r->linger_ms * QFTP_NS_PER_MS));

        struct timespec ts, *tsp = NULL;
        if (tmo >= 0) {
            ts.tv_sec = tmo / 1000;
            ts.tv_nsec = (long)(tmo % 1000) * 1000000L;
            tsp = &ts;
        }
        int n = ppoll(p, (nfds_t)np, tsp, waitmask);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            finish(r, END_STOP, "poll: %s", strerror(errno));
            continue;
        }
        if (n == 0)
            continue;
        now = clock_ns(CLOCK_MONOTONIC);
        const short in_ev = POLLIN | POLLHUP | POLLERR | POLLNVAL;
        if (i_dev >= 0 && (p[i_dev].revents & (POLLOUT | POLLNVAL)))
            pump_to_device(r);
        if (i_out >= 0 && (p[i_out].revents & (POLLOUT | POLLERR | POLLHUP | POLLNVAL)))
            pump_to_host(r, now);
        if (i_dev >= 0 && (p[i_dev].revents & in_ev) && !r->dev_gone) {
            if (dev_ev & POLLIN) {
                /* A pty or serial port hands over at most 4 KiB a read: take what is
                 * already there before going back to poll. */
                for (int k = 0; k < READ_BURST && read_device(r, now) && r->end == END_NONE; k++)
                    ;
            } else if (p[i_dev].revents & (POLLHUP | POLLERR))
                pump_to_device(r); /* only writing: the write says whether it is gone */
        }
        if (i_in >= 0 && (p[i_in].revents & in_ev) && r->in >= 0) {
            if (p[i_in].events & POLLIN) {
                for (int k = 0; k < READ_BURST && read_host(r, now); k++)
                    ;
            } else if (r->kind == HOST_PTY)
                r->hup_until = now + HUP_RETRY_MS * QFTP_NS_PER_MS;
        }
        if (i_lis >= 0 && (p[i_lis].revents & POLLIN))
            accept_host(r);
    }
}

/* ---- the command ------------------------------------------------------------------------ */

static void print_where(const recorder *r, FILE *f)
{
    if (r->kind == HOST_PTY) {
        fprintf(f, "qftp record: listening on pty %s (%s)\n", r->pty_path, r->pty.slave);
    } else {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        char where[96] = "?";
        if (getsockname(r->lsock, (struct sockaddr *)&ss, &sl) == 0)
            qftp_sockaddr_str((struct sockaddr *)&ss, sl, where, sizeof where);
        fprintf(f, "qftp record: listening on %s\n", where);
    }
    fflush(f);
}

static void record_options(tool_cmdline *cl, void *opts)
{
    rec_cmdline *a = opts;
    const GOptionEntry main_entries[] = {
        {"device", 0, 0, G_OPTION_ARG_FILENAME, &a->device,
         "the module: a serial port (/dev/ttyUSB2), a pty, or tcp:HOST:PORT", "DEVICE"},
        {"pty", 0, 0, G_OPTION_ARG_FILENAME, &a->pty,
         "the host side: create a pty and link PATH to its slave", "PATH"},
        {"listen", 0, 0, G_OPTION_ARG_FILENAME, &a->listen,
         "the host side: one TCP client at a time (PORT 0: any free port, printed)", "HOST:PORT"},
        {"interactive", 0, 0, G_OPTION_ARG_NONE, &a->interactive,
         "the host side is this terminal: Enter sends \\r, Ctrl-] quits; piped input: each "
         "line end becomes \\r, and the end of input ends the session once the module is "
         "quiet for --linger",
         NULL},
        {"write", 'w', 0, G_OPTION_ARG_FILENAME, &a->write,
         "the capture to write (pcap, readable while it grows); - writes it to standard "
         "output (not with --interactive)",
         "FILE"},
        {"linger", 0, 0, G_OPTION_ARG_FILENAME, &a->linger,
         "after the host's end of input, relay the module's bytes until it is quiet this "
         "long (default 1000)",
         "MS"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &a->quiet, "no notes on standard error (errors only)",
         NULL},
        {NULL}};
    tool_options(cl, NULL, NULL, NULL, main_entries);
    rp_serial_options(cl, &a->serial);
}

static int record_check(tool_cmdline *cl, void *opts, int argc, char **argv)
{
    rec_cmdline *a = opts;
    a->linger_ms = DEFAULT_LINGER;
    if (rp_serial_check(cl, &a->serial) != 0)
        return 2;
    if (a->linger) {
        char *end;
        long v = strtol(a->linger, &end, 10);
        if (*end || end == a->linger || v < 0 || v > 3600000)
            return tool_usage(cl, "--linger %s: expected milliseconds, 0 to 3600000", a->linger);
        a->linger_ms = (int)v;
    }
    if (argc > 0)
        return tool_usage(cl, "unexpected argument '%s' (record takes options only)", argv[0]);
    if (!a->device)
        return tool_usage(cl, "needs --device DEVICE (the module)");
    if (tool_check_device(cl, "--device", a->device) != 0)
        return 2;
    if ((a->pty != NULL) + (a->listen != NULL) + (a->interactive != 0) != 1)
        return tool_usage(cl, "needs exactly one host side: --pty PATH, --listen HOST:PORT or "
                              "--interactive");
    if (!a->write || !a->write[0])
        return tool_usage(cl, "needs -w FILE (the capture to write; - for standard output)");
    if (strcmp(a->write, "-") == 0 && a->interactive)
        return tool_usage(cl, "-w - (the capture on standard output) is not possible with "
                              "--interactive, which prints the module's bytes there");
    return 0;
}

static int record_run(void *opts, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const rec_cmdline *a = opts;
    recorder r = {.pty = {.master = -1, .keep = -1},
                  .lsock = -1,
                  .in = -1,
                  .out = -1,
                  .linger_ms = a->linger_ms};
    r.dev.fd = -1;
    r.dev_spec = a->device;
    r.baud = a->serial.baud_v;
    r.flow = a->serial.flow_v;
    r.pty_path = a->pty;
    r.listen_at = a->listen;
    r.interactive = a->interactive;
    r.cap_path = a->write;
    r.quiet = a->quiet;
    r.pipe_end_stops = a->pipe_end_stops;
    bool cap_stdout = strcmp(r.cap_path, "-") == 0;
    r.kind = r.pty_path ? HOST_PTY : r.listen_at ? HOST_TCP : HOST_TERM;

    /* The device first: if it cannot be opened, no capture (or older file) is touched. */
    char err[QFTP_ERRBUF_SIZE], herr[QFTP_ERRBUF_SIZE + 128];
    if (rp_device_open(&r.dev, r.dev_spec, r.baud, r.flow, CONNECT_MS, err) != 0) {
        tool_error("%s", err);
        return EXIT_DEVICE;
    }
    int rc = 0;
    r.tx.b = malloc(BUF_CAP);
    r.rx.b = malloc(BUF_CAP);
    if (!r.tx.b || !r.rx.b) {
        tool_error("out of memory");
        rc = EXIT_USAGE;
        goto out;
    }
    if (r.kind == HOST_TCP)
        r.lsock = qftp_tcp_listen(r.listen_at, herr);
    if ((r.kind == HOST_PTY && open_pty(&r, herr) != 0) || (r.kind == HOST_TCP && r.lsock < 0)) {
        tool_error("%s", herr);
        rc = EXIT_USAGE;
        goto out;
    }
    r.cap = qftp_capw_open_direct(r.cap_path, "qftp", err);
    if (!r.cap) {
        tool_error("%s", err);
        rc = EXIT_USAGE;
        goto out;
    }

    /* Signals only interrupt ppoll (no race between the flag test and the wait). */
    sigset_t block, oldmask;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &oldmask);
    sigset_t waitmask = oldmask;
    sigdelset(&waitmask, SIGINT);
    sigdelset(&waitmask, SIGTERM);
    sigdelset(&waitmask, SIGHUP);
    struct sigaction sa = {0}, old_int, old_term, old_hup, old_pipe;
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, &old_pipe);
    g_stop = 0;

    if (r.kind == HOST_TERM) {
        if (term_setup(&r, herr, sizeof herr) != 0) {
            tool_error("%s", herr);
            rc = EXIT_USAGE;
        } else if (r.tty) {
            note(&r, "connected to %s, recording to %s; Ctrl-] quits", r.dev.name, r.cap_path);
        } else {
            note(&r, "relaying standard input to %s, recording to %s", r.dev.name, r.cap_path);
        }
    } else {
        /* The line a script waits for; on stderr when stdout carries the capture. */
        print_where(&r, cap_stdout ? stderr : stdout);
        note(&r, "device %s, recording to %s", r.dev.name,
             cap_stdout ? "standard output" : r.cap_path);
    }
    if (rc == 0)
        run(&r, &waitmask);
    term_restore(&r);

    /* The capture is closed (committed) whatever ended the session: it holds every byte
     * that was read. */
    uint64_t frames = qftp_capw_frames(r.cap);
    if (qftp_capw_close(r.cap, true, err) != 0 && !r.pipe_gone)
        finish(&r, END_CAPTURE, "%s", err);
    r.cap = NULL;
    if (r.msg[0])
        tool_error("%s", r.msg);
    size_t undelivered = (r.dev_gone ? rb_len(&r.tx) : 0);
    if (r.end == END_DEVICE && undelivered)
        tool_error("%zu bytes from the host could not be written to %s", undelivered, r.dev.name);
    if (rc == 0)
        note(&r, "%s: %llu frames; host->module %llu bytes, module->host %llu bytes",
             cap_stdout ? "standard output" : r.cap_path, (unsigned long long)frames,
             (unsigned long long)r.bytes[QFTP_DIR_TX], (unsigned long long)r.bytes[QFTP_DIR_RX]);
    if (rc == 0)
        rc = r.end == END_DEVICE ? EXIT_DEVICE : r.end == END_CAPTURE ? EXIT_CAPTURE : 0;

    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    sigprocmask(SIG_SETMASK, &oldmask, NULL);

out:
    if (r.cap)
        qftp_capw_close(r.cap, true, err);
    if (r.kind == HOST_TCP && r.in >= 0)
        close_gently(r.in);
    if (r.dev.fd >= 0 && r.dev.kind == RP_DEV_TCP) {
        close_gently(r.dev.fd);
        r.dev.fd = -1;
    }
    if (r.lsock >= 0)
        close(r.lsock);
    close_pty(&r);
    rp_device_close(&r.dev);
    free(r.tx.b);
    free(r.rx.b);
    return rc;
}

static const tool_example record_examples[] = {
    {NULL, "qftp record --device /dev/ttyUSB2 --baud 115200 --pty /tmp/modem -w session.pcap",
     "the host application opens /tmp/modem instead of the module; both ways recorded"},
    {NULL, "qftp record --device tcp:10.0.0.7:4001 --listen 127.0.0.1:5555 -w session.pcap",
     "a module behind a serial-over-TCP bridge, the host connecting over TCP"},
    {NULL, "qftp record --device /dev/ttyUSB2 --interactive -w session.pcap",
     "type AT commands at the module yourself"},
    {NULL, "qftp record --device /dev/ttyUSB2 --pty /tmp/modem -w - | tshark -i - -Y qftp",
     "the capture streamed to tshark while recording"},
    {NULL}};

static const tool_exit record_exits[] = {
    {0, "stopped by a signal (SIGINT, SIGTERM, SIGHUP), Ctrl-] or the end of piped input; the "
        "capture is complete"},
    {1, "the capture could not be written; the relay stopped (it never goes on unrecorded)"},
    {2, "usage error, or the host side (--pty link, --listen address) or the capture file "
        "cannot be created"},
    {3, "the device cannot be opened, or went away during the session (the capture holds "
        "everything until then)"},
    {-1}};

const tool_command qftp_cmd_record = {
    .name = "record",
    .args = NULL,
    .summary = "relay between a host application and a module, recording both ways",
    .description =
        "Relays bytes between a host application and the module at --device, unchanged and "
        "as they come, and records both directions with their times as a qftp capture. The "
        "host side is a pty (--pty), a TCP port (--listen) or this terminal "
        "(--interactive).\n\n"
        "Runs until SIGINT, SIGTERM or SIGHUP. Each read is in the capture before it is "
        "relayed, so the capture can be read while it grows and holds exactly what was "
        "relayed; it is closed cleanly at the end.",
    .examples = record_examples,
    .exits = record_exits,
    .docs = "docs/record.md",
    .opts_size = sizeof(rec_cmdline),
    .options = record_options,
    .check = record_check,
    .run = record_run,
};
