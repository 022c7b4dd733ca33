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
#include "cmd_sim.h"
#include "curl_load.h"
#include "sim.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
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
    bool cap_stdout; /* --capture -: the listening line goes to stderr */
    bool cap_stream; /* --capture - or a named pipe: flushed at every write */
    bool pipe_end_stops;
    uint64_t rng;
    bool seeded;
    qftp_ts hold_until; /* --seed: the rest of a split write waits until then */
} link_t;

static int open_pty(link_t *l)
{
    if (qftp_pty_open(&l->pty, l->pty_path, l->errbuf) != 0) {
        tool_error("--pty %s", l->errbuf);
        return -1;
    }
    l->client = l->pty.master;
    return 0;
}

static int open_listener(link_t *l, const char *spec)
{
    l->lsock = qftp_tcp_listen(spec, l->errbuf);
    if (l->lsock < 0)
        tool_error("%s", l->errbuf);
    return l->lsock < 0 ? -1 : 0;
}

/* The line a script waits for: on stdout, or on stderr when stdout carries the capture. */
static void print_where(link_t *l)
{
    FILE *f = l->cap_stdout ? stderr : stdout;
    if (l->pty_path) {
        fprintf(f, "qftp sim: listening on pty %s (%s)\n", l->pty_path, l->pty.slave);
    } else {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        char where[96] = "?";
        if (getsockname(l->lsock, (struct sockaddr *)&ss, &sl) == 0)
            qftp_sockaddr_str((struct sockaddr *)&ss, sl, where, sizeof where);
        fprintf(f, "qftp sim: listening on %s\n", where);
    }
    fflush(f);
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
    if (qftp_capw_write(l->cap, dir, sim_now_real(), false, b, n, l->errbuf) != 0 ||
        (l->cap_stream && qftp_capw_flush(l->cap, l->errbuf) != 0)) {
        if (l->pipe_end_stops && errno == EPIPE) {
            /* qftp extcap: Wireshark stopped reading, the session is over */
            g_stop = 1;
            qftp_capw_close(l->cap, false, l->errbuf);
            l->cap = NULL;
            return;
        }
        tool_error("capture: %s (recording stopped)", l->errbuf);
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

static void sim_options(tool_cmdline *cl, void *opts)
{
    sim_cmdline *a = opts;
    const GOptionEntry main_entries[] = {
        {"dialect", 0, 0, G_OPTION_ARG_FILENAME, &a->dialect,
         "gsm (GSM FTP AT Commands V1.1: M95, M66, MC60) or bg96 (BG96 FTP(S) V1.0: BG96, "
         "BG95, EC2x, EG9x)",
         "gsm|bg96"},
        {"pty", 0, 0, G_OPTION_ARG_FILENAME, &a->pty,
         "serve on a pty: create it and a symbolic link to its slave at PATH", "PATH"},
        {"listen", 0, 0, G_OPTION_ARG_FILENAME, &a->listen,
         "serve one TCP client at a time (PORT 0: any free port, printed)", "HOST:PORT"},
        {"capture", 0, 0, G_OPTION_ARG_FILENAME, &a->capture,
         "record the session as a qftp capture (pcap); - streams it to standard output", "FILE"},
        {"verbose", 0, 0, G_OPTION_ARG_NONE, &a->verbose,
         "log state transitions and faults on standard error", NULL},
        {NULL}};
    tool_options(cl, NULL, NULL, NULL, main_entries);
    const GOptionEntry module[] = {
        {"fault", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &a->faults,
         "misbehave like a real module: KIND[:COMMAND[:ARG]], e.g. drop-urc:+QFTPOPEN, "
         "delay-urc:+QFTPGET:3000, error-code:+QFTPCWD:605 (docs/simulator.md lists the "
         "kinds; repeatable)",
         "SPEC"},
        {"ufs", 0, 0, G_OPTION_ARG_FILENAME, &a->ufs,
         "folder backing the module's local storage (default: a temporary one)", "DIR"},
        {"storage", 0, 0, G_OPTION_ARG_FILENAME, &a->storage,
         "sizes of the storage areas, e.g. UFS=2M,RAM=100k,SD=1G (k, M, G: x1024; default: "
         "about a real module's, docs/simulator.md)",
         "SIZES"},
        {"seed", 0, 0, G_OPTION_ARG_FILENAME, &a->seed,
         "split output writes at random points, reproducibly from N", "N"},
        {"revision", 0, 0, G_OPTION_ARG_FILENAME, &a->revision,
         "firmware revision answered to ATI, AT+GMR and AT+CGMR", "TEXT"},
        {"rsptimeout", 0, 0, G_OPTION_ARG_FILENAME, &a->rsptimeout,
         "initial response timeout in seconds (default 90)", "SECONDS"},
        {NULL}};
    tool_options(cl, "module", "Module behaviour options:", "Show the module behaviour options",
                 module);
}

static int sim_check(tool_cmdline *cl, void *opts, int argc, char **argv)
{
    sim_cmdline *a = opts;
    char errbuf[QFTP_ERRBUF_SIZE];
    for (char **f = a->faults; f && *f; f++) {
        if (a->n_faults == SIM_MAX_FAULTS)
            return tool_usage(cl, "at most %d --fault options", SIM_MAX_FAULTS);
        if (sim_fault_parse(*f, &a->faults_v[a->n_faults], errbuf) != 0)
            return tool_usage(cl, "%s", errbuf);
        a->n_faults++;
    }
    if (a->seed) {
        char *end;
        unsigned long long v = strtoull(a->seed, &end, 10);
        if (*end || end == a->seed || a->seed[0] == '-')
            return tool_usage(cl, "--seed %s: expected a number", a->seed);
        a->seed_v = v;
        a->seeded = true;
    }
    if (a->storage && sim_storage_parse(a->storage, a->storage_v, errbuf) != 0)
        return tool_usage(cl, "%s", errbuf);
    if (a->rsptimeout) {
        char *end;
        a->rsptimeout_v = strtod(a->rsptimeout, &end);
        if (*end || end == a->rsptimeout || !(a->rsptimeout_v > 0 && a->rsptimeout_v <= 86400))
            return tool_usage(cl,
                              "--rsptimeout %s: expected seconds, more than 0 and at most "
                              "86400",
                              a->rsptimeout);
    }
    if (argc > 0)
        return tool_usage(cl, "unexpected argument '%s' (sim takes options only)", argv[0]);
    if (!a->dialect)
        return tool_usage(cl, "needs --dialect gsm|bg96");
    int d = qftp_dialect_from_name(a->dialect);
    if (d != QFTP_DIALECT_GSM && d != QFTP_DIALECT_BG96)
        return tool_bad_choice(cl, "--dialect", a->dialect);
    a->dialect_v = (qftp_dialect)d;
    if (!a->pty == !a->listen)
        return tool_usage(cl, "needs one of --pty PATH or --listen HOST:PORT");
    return 0;
}

static int sim_run(void *opts, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const sim_cmdline *a = opts;
    const char *pty = a->pty, *listen_at = a->listen, *cap_path = a->capture, *ufs = a->ufs,
               *rev = a->revision;
    double rspt = a->rsptimeout_v;
    bool verbose = a->verbose;
    link_t l = {.pty = {.master = -1, .keep = -1}, .lsock = -1, .client = -1};
    char errbuf[QFTP_ERRBUF_SIZE];
    if (a->seeded) {
        l.rng = a->seed_v * 0x9E3779B97F4A7C15ULL + 1;
        l.seeded = true;
    }
    l.cap_stdout = cap_path && strcmp(cap_path, "-") == 0;
    struct stat cst;
    l.cap_stream = l.cap_stdout || (cap_path && stat(cap_path, &cst) == 0 && S_ISFIFO(cst.st_mode));
    l.pipe_end_stops = a->pipe_end_stops;
    char *load_error = NULL;
    if (!sim_curl_load(&load_error)) {
        tool_error("%s", load_error);
        g_free(load_error);
        return 2;
    }
    char tmpdir[] = "/tmp/qftp-sim-ufs-XXXXXX";
    bool own_ufs = false;
    if (!ufs) {
        if (!mkdtemp(tmpdir)) {
            tool_error("cannot create a storage folder: %s", strerror(errno));
            return 2;
        }
        ufs = tmpdir;
        own_ufs = true;
    } else {
        struct stat st;
        if (stat(ufs, &st) != 0 || !S_ISDIR(st.st_mode)) {
            tool_error("--ufs %s is not a folder", ufs);
            return 2;
        }
    }

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        tool_error("libcurl initialisation failed");
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
            tool_error("%s", errbuf);
            rc = 2;
            goto out;
        }
    }
    sim_opts o = {0};
    o.dialect = a->dialect_v;
    o.ufs_dir = ufs;
    memcpy(o.storage, a->storage_v, sizeof o.storage);
    o.revision = rev;
    o.rsptimeout = (qftp_ts)(rspt * 1e9);
    o.faults = a->faults_v;
    o.n_faults = a->n_faults;
    o.log = verbose ? log_line : NULL;
    m = sim_module_new(&o, errbuf);
    if (!m) {
        tool_error("%s", errbuf);
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
            tool_error("curl_multi_poll: %s", curl_multi_strerror(mc));
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
        tool_error("capture: %s", errbuf);
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

static const tool_example sim_examples[] = {
    {NULL, "qftp sim --dialect bg96 --pty /tmp/bg96 --capture session.pcap",
     "a BG96 on a pty for the host application to open, its session recorded"},
    {NULL, "qftp sim --dialect gsm --listen 127.0.0.1:0 --fault drop-urc:+QFTPGET",
     "an M95 on a free TCP port that never reports the end of a download"},
    {NULL, "qftp sim --dialect bg96 --listen 127.0.0.1:5555 --capture - | tshark -i - -Y qftp",
     "its session decoded live by tshark"},
    {NULL}};

static const tool_exit sim_exits[] = {
    {0, "stopped by SIGINT or SIGTERM (the capture is complete)"},
    {1, "the capture could not be written, or the event loop failed"},
    {2, "usage error, or the pty, the listening socket, the capture or the storage folder "
        "cannot be set up"},
    {-1}};

const tool_command qftp_cmd_sim = {
    .name = "sim",
    .args = NULL,
    .summary = "a simulated module on a pty or a TCP port, doing real FTP",
    .description =
        "Behaves like a Quectel module of either dialect on a pty (--pty) or a TCP port "
        "(--listen): the AT commands of the manuals with their responses, URCs, errors and "
        "data mode, and real FTP or FTPS through libcurl against the server the host names. "
        "Faults make it misbehave the way real modules do (device-quirks). Serves until "
        "SIGINT or SIGTERM.\n\n"
        "The line \"qftp sim: listening on ...\" goes to standard output (to standard error "
        "with --capture -) once the module is ready.",
    .examples = sim_examples,
    .exits = sim_exits,
    .docs = "docs/simulator.md",
    .opts_size = sizeof(sim_cmdline),
    .options = sim_options,
    .check = sim_check,
    .run = sim_run,
};
