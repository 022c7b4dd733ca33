/* cmd_sim.c - `qftp sim`: a simulated module on a pty or a TCP port.
 *
 * One process, one module, one thread: a poll loop (curl_multi_poll with the serial
 * side's descriptors as extra fds) moves bytes between the host and the module,
 * runs the module's timers and its libcurl transfers, and records the session as a
 * qftp capture. SIGINT/SIGTERM end it cleanly (the capture is committed).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qftp/capture.h"
#include "qftp/endpoint.h"
#include "qftptool/tool.h"
#include "sim.h"

#define MAX_FAULTS 32

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void usage(FILE *f)
{
    fputs("usage: qftp sim --dialect gsm|bg96 (--pty PATH | --listen HOST:PORT)\n"
          "                [--capture FILE] [--fault SPEC]... [--ufs DIR] [--seed N]\n"
          "                [--revision TEXT] [--rsptimeout SECONDS] [--verbose]\n"
          "\n"
          "Behaves like a Quectel module (GSM M-series or BG96 family) on a pty or a TCP\n"
          "port and does real FTP/FTPS through libcurl. Serves until SIGINT/SIGTERM.\n"
          "\n"
          "  --dialect D        gsm (GSM FTP AT Commands V1.1) or bg96 (BG96 FTP(S) V1.0)\n"
          "  --pty PATH         create a pty and a symlink to its slave at PATH\n"
          "  --listen HOST:PORT serve one TCP client at a time (PORT 0: any free port)\n"
          "  --capture FILE     record the session as a qftp capture (pcap)\n"
          "  --fault SPEC       KIND[:COMMAND[:ARG]], e.g. drop-urc:+QFTPOPEN,\n"
          "                     delay-urc:+QFTPGET:3000, error-code:+QFTPCWD:605\n"
          "                     (docs/simulator.md lists the kinds)\n"
          "  --ufs DIR          folder backing the local storage (default: a temporary one)\n"
          "  --seed N           split output writes at random points (reproducibly)\n"
          "  --revision TEXT    firmware revision for ATI, AT+GMR, AT+CGMR\n"
          "  --rsptimeout S     initial response timeout in seconds (default 90)\n"
          "  --verbose          log state transitions and faults to stderr\n",
          f);
}

static void log_line(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "qftp sim: %s\n", line);
}

/* ---- the serial side ------------------------------------------------------------------ */

typedef struct {
    const char *pty_path;
    qftp_pty pty; /* --pty */
    int lsock;    /* TCP listener */
    int client;   /* TCP client or the pty master */
    qftp_capture_writer *cap;
    char errbuf[QFTP_ERRBUF_SIZE];
    uint64_t rng;
    bool seeded;
    qftp_ts hold_until; /* --seed: the rest of a split write waits until then */
} link_t;

static int open_pty(link_t *l)
{
    if (qftp_pty_open(&l->pty, l->pty_path, l->errbuf) != 0) {
        fprintf(stderr, "qftp: --pty %s\n", l->errbuf);
        return -1;
    }
    l->client = l->pty.master;
    return 0;
}

static int open_listener(link_t *l, const char *spec)
{
    l->lsock = qftp_tcp_listen(spec, l->errbuf);
    if (l->lsock < 0)
        fprintf(stderr, "qftp: %s\n", l->errbuf);
    return l->lsock < 0 ? -1 : 0;
}

static void print_where(link_t *l)
{
    if (l->pty_path) {
        printf("qftp sim: listening on pty %s (%s)\n", l->pty_path, l->pty.slave);
    } else {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        char where[96] = "?";
        if (getsockname(l->lsock, (struct sockaddr *)&ss, &sl) == 0)
            qftp_sockaddr_str((struct sockaddr *)&ss, sl, where, sizeof where);
        printf("qftp sim: listening on %s\n", where);
    }
    fflush(stdout);
}

static uint64_t rnd(link_t *l)
{
    /* xorshift64*: reproducible from --seed */
    l->rng ^= l->rng >> 12;
    l->rng ^= l->rng << 25;
    l->rng ^= l->rng >> 27;
    return l->rng * 2685821657736338717ULL;
}

static void capture(link_t *l, qftp_dir dir, const uint8_t *b, size_t n)
{
    if (!l->cap || n == 0)
        return;
    if (qftp_capw_write(l->cap, dir, sim_now_real(), false, b, n, l->errbuf) != 0) {
        fprintf(stderr, "qftp: capture: %s (recording stopped)\n", l->errbuf);
        qftp_capw_close(l->cap, true, l->errbuf);
        l->cap = NULL;
    }
}

/* The host went away (or a disconnect fault): the module starts afresh. */
static void drop_client(link_t *l, sim_module *m, bool verbose)
{
    if (verbose)
        fprintf(stderr, "qftp sim: host disconnected\n");
    if (l->pty_path) {
        qftp_pty_close(&l->pty);
        if (open_pty(l) != 0)
            g_stop = 1;
    } else if (l->client >= 0) {
        close(l->client);
        l->client = -1;
    }
    sim_module_reset(m);
}

/* Writes what is pending now; returns false if the host is gone. */
static bool flush_some(link_t *l, sim_module *m, qftp_ts now, bool all)
{
    const uint8_t *outp;
    size_t pending = sim_module_pending(m, &outp);
    while (l->client >= 0 && pending > 0 && now >= l->hold_until) {
        size_t want = pending;
        if (l->seeded && !all && pending > 1 && rnd(l) % 4 == 0) {
            /* device-quirks.md: a response may arrive split across reads */
            want = 1 + rnd(l) % (pending - 1);
            l->hold_until = now + (qftp_ts)(rnd(l) % 20) * QFTP_NS_PER_MS;
        }
        ssize_t n = write(l->client, outp, want);
        if (n > 0) {
            capture(l, QFTP_DIR_RX, outp, (size_t)n);
            sim_module_consumed(m, (size_t)n);
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            return l->pty_path != NULL;
        } else {
            break;
        }
        if (!all)
            break;
        pending = sim_module_pending(m, &outp);
    }
    return true;
}

static void rm_tree_files(const char *dir)
{
    static const char *const subs[] = {"", "/RAM", "/SD"};
    for (int k = 2; k >= 0; k--) {
        char d[4096];
        snprintf(d, sizeof d, "%s%s", dir, subs[k]);
        DIR *dp = opendir(d);
        if (!dp)
            continue;
        struct dirent *de;
        while ((de = readdir(dp))) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char p[8192];
            snprintf(p, sizeof p, "%s/%s", d, de->d_name);
            unlink(p);
        }
        closedir(dp);
        rmdir(d);
    }
}

int cmd_sim(int argc, char **argv)
{
    static const struct option lo[] = {
        {"dialect", required_argument, 0, 'd'},
        {"pty", required_argument, 0, 'p'},
        {"listen", required_argument, 0, 'l'},
        {"capture", required_argument, 0, 'c'},
        {"fault", required_argument, 0, 'f'},
        {"ufs", required_argument, 0, 'u'},
        {"seed", required_argument, 0, 's'},
        {"revision", required_argument, 0, 'r'},
        {"rsptimeout", required_argument, 0, 't'},
        {"verbose", no_argument, 0, 'v'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    sim_fault faults[MAX_FAULTS];
    size_t n_faults = 0;
    const char *dialect = NULL, *pty = NULL, *listen_at = NULL, *cap_path = NULL, *ufs = NULL,
               *rev = NULL;
    double rspt = 0;
    bool verbose = false;
    link_t l = {.pty = {.master = -1, .keep = -1}, .lsock = -1, .client = -1};
    char errbuf[QFTP_ERRBUF_SIZE];
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "d:p:l:c:f:u:s:r:t:vh", lo, NULL)) != -1) {
        switch (c) {
        case 'd':
            dialect = optarg;
            break;
        case 'p':
            pty = optarg;
            break;
        case 'l':
            listen_at = optarg;
            break;
        case 'c':
            cap_path = optarg;
            break;
        case 'f':
            if (n_faults == MAX_FAULTS)
                return tool_usage_error(usage, "at most %d --fault options", MAX_FAULTS);
            if (sim_fault_parse(optarg, &faults[n_faults], errbuf) != 0)
                return tool_usage_error(usage, "%s", errbuf);
            n_faults++;
            break;
        case 'u':
            ufs = optarg;
            break;
        case 's': {
            char *end;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*end || end == optarg)
                return tool_usage_error(usage, "--seed wants a number, not '%s'", optarg);
            l.rng = v * 0x9E3779B97F4A7C15ULL + 1;
            l.seeded = true;
            break;
        }
        case 'r':
            rev = optarg;
            break;
        case 't': {
            char *end;
            rspt = strtod(optarg, &end);
            if (*end || end == optarg || rspt <= 0 || rspt > 86400)
                return tool_usage_error(usage, "--rsptimeout wants seconds > 0, not '%s'", optarg);
            break;
        }
        case 'v':
            verbose = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc)
        return tool_usage_error(usage, "unexpected argument '%s'", argv[optind]);
    if (!dialect)
        return tool_usage_error(usage, "sim needs --dialect gsm|bg96");
    int d = qftp_dialect_from_name(dialect);
    if (d != QFTP_DIALECT_GSM && d != QFTP_DIALECT_BG96)
        return tool_usage_error(usage, "--dialect must be gsm or bg96, not '%s'", dialect);
    if (!pty == !listen_at)
        return tool_usage_error(usage, "sim needs one of --pty PATH or --listen HOST:PORT");

    char tmpdir[] = "/tmp/qftp-sim-ufs-XXXXXX";
    bool own_ufs = false;
    if (!ufs) {
        if (!mkdtemp(tmpdir)) {
            fprintf(stderr, "qftp: cannot create a storage folder: %s\n", strerror(errno));
            return 2;
        }
        ufs = tmpdir;
        own_ufs = true;
    } else {
        struct stat st;
        if (stat(ufs, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "qftp: --ufs %s is not a folder\n", ufs);
            return 2;
        }
    }

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "qftp: libcurl initialisation failed\n");
        return 2;
    }
    int rc = 0;
    sim_module *m = NULL;
    l.pty_path = pty;
    if (pty ? open_pty(&l) != 0 : open_listener(&l, listen_at) != 0) {
        rc = 2;
        goto out;
    }
    if (cap_path) {
        l.cap = qftp_capw_open(cap_path, "qftp", errbuf);
        if (!l.cap) {
            fprintf(stderr, "qftp: %s\n", errbuf);
            rc = 2;
            goto out;
        }
    }
    sim_opts o = {0};
    o.dialect = (qftp_dialect)d;
    o.ufs_dir = ufs;
    o.revision = rev;
    o.rsptimeout = (qftp_ts)(rspt * 1e9);
    o.faults = faults;
    o.n_faults = n_faults;
    o.log = verbose ? log_line : NULL;
    m = sim_module_new(&o, errbuf);
    if (!m) {
        fprintf(stderr, "qftp: %s\n", errbuf);
        rc = 2;
        goto out;
    }

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    print_where(&l);

    uint8_t buf[16384];
    while (!g_stop) {
        struct curl_waitfd wfd[1];
        unsigned nw = 0;
        const uint8_t *outp;
        qftp_ts now = sim_now_mono();
        size_t pending = sim_module_pending(m, &outp);
        if (l.client >= 0) {
            short ev = 0;
            if (sim_module_rx_room(m) > 0)
                ev |= CURL_WAIT_POLLIN;
            if (pending > 0 && now >= l.hold_until)
                ev |= CURL_WAIT_POLLOUT;
            wfd[nw++] = (struct curl_waitfd){l.client, ev, 0};
        } else if (l.lsock >= 0) {
            wfd[nw++] = (struct curl_waitfd){l.lsock, CURL_WAIT_POLLIN, 0};
        }
        qftp_ts next = sim_module_next_timer(m);
        long tmo = 1000;
        if (pending > 0 && l.hold_until > now) {
            qftp_ts w = (l.hold_until - now) / QFTP_NS_PER_MS + 1;
            if (w < tmo)
                tmo = (long)w;
        }
        if (next != QFTP_TS_NONE) {
            qftp_ts w = next <= now ? 0 : (next - now) / QFTP_NS_PER_MS + 1;
            if (w < tmo)
                tmo = (long)w;
        }
        CURLMcode mc = curl_multi_poll(sim_module_multi(m), wfd, nw, (int)tmo, NULL);
        if (mc != CURLM_OK && mc != CURLM_UNRECOVERABLE_POLL) {
            fprintf(stderr, "qftp: curl_multi_poll: %s\n", curl_multi_strerror(mc));
            rc = 1;
            break;
        }
        if (nw && l.client < 0 && (wfd[0].revents & CURL_WAIT_POLLIN)) {
            int s = accept4(l.lsock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (s >= 0) {
                int one = 1;
                setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                l.client = s;
                if (verbose)
                    fprintf(stderr, "qftp sim: host connected\n");
            }
            continue;
        }
        if (nw && l.client >= 0 && (wfd[0].revents & CURL_WAIT_POLLIN)) {
            size_t room = sim_module_rx_room(m);
            if (room > sizeof buf)
                room = sizeof buf;
            ssize_t n = room ? read(l.client, buf, room) : -1;
            if (n > 0) {
                capture(&l, QFTP_DIR_TX, buf, (size_t)n);
                sim_module_input(m, buf, (size_t)n, sim_now_mono());
            } else if (room && (n == 0 || (errno != EAGAIN && errno != EINTR)) && !l.pty_path) {
                drop_client(&l, m, verbose);
                continue;
            }
        }
        sim_module_run(m, sim_now_mono());
        if (sim_module_take_disconnect(m)) {
            /* what the module sent before the link dropped still reaches the host */
            flush_some(&l, m, sim_now_mono(), true);
            drop_client(&l, m, verbose);
            continue;
        }
        if (!flush_some(&l, m, sim_now_mono(), false))
            drop_client(&l, m, verbose);
    }
    if (verbose)
        fprintf(stderr, "qftp sim: stopping\n");

out:
    sim_module_free(m);
    if (l.cap && qftp_capw_close(l.cap, true, errbuf) != 0) {
        fprintf(stderr, "qftp: capture: %s\n", errbuf);
        rc = 1;
    }
    if (l.client >= 0 && l.client != l.pty.master)
        close(l.client);
    if (l.lsock >= 0)
        close(l.lsock);
    qftp_pty_close(&l.pty);
    if (own_ufs)
        rm_tree_files(ufs);
    curl_global_cleanup();
    return rc;
}
