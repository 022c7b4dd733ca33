/* cmd_import.c - `qftp import`: a terminal log into a qftp capture. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qftptool/input.h"
#include "qftptool/tool.h"

typedef struct {
    qftp_capture_writer *w;
    char err[QFTP_ERRBUF_SIZE];
    bool failed;
} import_ctx;

static int on_chunk(void *user, const input_chunk *c)
{
    import_ctx *x = user;
    if (qftp_capw_write(x->w, c->dir, c->ts, c->ts_synth, c->data, c->len, x->err) < 0) {
        x->failed = true;
        return 1;
    }
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: qftp import [--format auto|plain|socat|interceptty|timestamped] [--regex RE]\n"
          "                   [--redact] INPUT -w OUT.pcap\n"
          "Writes the log as a qftp capture (pcap, exported PDU \"qftp\"); on any error nothing\n"
          "is left at OUT.pcap and the exit status is 2.\n",
          f);
}

int cmd_import(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'}, {"regex", required_argument, NULL, 'e'},
        {"redact", no_argument, NULL, 'r'},       {"write", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    input_opts io = {QFTP_FMT_AUTO, NULL, false, true};
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "w:r", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
        case 'e': {
            char msg[160];
            if (input_format_option(&io, c, optarg, msg, sizeof msg) < 0)
                return tool_usage_error(usage, "%s", msg);
            break;
        }
        case 'r':
            io.redact = true;
            break;
        case 'w':
            out = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1 || out == NULL)
        return tool_usage_error(usage, "import takes one INPUT and -w OUT.pcap");
    const char *in = argv[optind];
    import_ctx x = {0};
    x.w = qftp_capw_open(out, "qftp", x.err);
    if (!x.w) {
        fprintf(stderr, "qftp import: %s\n", x.err);
        return 2;
    }
    char err[QFTP_ERRBUF_SIZE] = "";
    char what[96];
    input_kind kind;
    int rc = input_read(in, &io, on_chunk, &x, &kind, what, sizeof what, err);
    if (rc == 0 && kind == INPUT_CAPTURE) {
        snprintf(err, sizeof err, "%s is already a capture (%s); show it with `qftp show`", in,
                 what);
        rc = -1;
    }
    if (rc < 0 || x.failed) {
        qftp_capw_close(x.w, false, x.err);
        fprintf(stderr, "qftp import: %s: %s; no capture written\n", in, x.failed ? x.err : err);
        return 2;
    }
    uint64_t frames = qftp_capw_frames(x.w);
    if (qftp_capw_close(x.w, true, x.err) < 0) {
        fprintf(stderr, "qftp import: %s\n", x.err);
        return 2;
    }
    if (isatty(2))
        fprintf(stderr, "qftp import: %s (%s) -> %s: %llu frames\n", in, what, out,
                (unsigned long long)frames);
    return 0;
}
