/* input.c - reads a capture or a text log, whichever the file is. */
#include "qftptool/input.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    input_cb cb;
    void *user;
    uint64_t n;
    uint64_t total; /* input size for progress, 0 if unknown */
    bool progress;
    uint64_t last_shown;
} log_ctx;

static int on_record(void *user, const qftp_record *r)
{
    log_ctx *c = user;
    input_chunk ch = {r->dir, true, r->ts, r->ts_synth, r->data, r->len, ++c->n, r->line_no};
    return c->cb(c->user, &ch);
}

static void on_progress(void *user, uint64_t bytes)
{
    log_ctx *c = user;
    if (!c->progress || bytes - c->last_shown < (8u << 20))
        return;
    c->last_shown = bytes;
    if (c->total)
        fprintf(stderr, "\rreading: %llu of %llu MB (%d%%)", (unsigned long long)(bytes >> 20),
                (unsigned long long)(c->total >> 20), (int)(bytes * 100 / c->total));
    else
        fprintf(stderr, "\rreading: %llu MB", (unsigned long long)(bytes >> 20));
}

int input_format_option(input_opts *o, int opt, const char *arg, char *errbuf, size_t cap)
{
    if (opt == 'e') {
        o->regex = arg;
        if (o->format == QFTP_FMT_AUTO)
            o->format = QFTP_FMT_REGEX;
        return 0;
    }
    int f = qftp_log_format_from_name(arg);
    if (f < 0) {
        snprintf(errbuf, cap,
                 "unknown log format '%s' (auto, plain, socat, interceptty, "
                 "timestamped, regex)",
                 arg);
        return -1;
    }
    o->format = (qftp_log_format)f;
    return 0;
}

int input_read(const char *path, const input_opts *o, input_cb cb, void *user, input_kind *kind,
               char *what, size_t what_cap, char *errbuf)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    uint8_t head[8];
    size_t n = fread(head, 1, sizeof head, f);
    bool is_capture = qftp_capture_sniff(head, n);
    if (is_capture) {
        /* libpcap reads the file itself (stdin is handed over unread: push back). */
        if (f == stdin) {
            snprintf(errbuf, QFTP_ERRBUF_SIZE,
                     "reading a capture from standard input is not "
                     "supported; give a file name");
            return -1;
        }
        fclose(f);
        *kind = INPUT_CAPTURE;
        qftp_capture_reader *r = qftp_capr_open(path, errbuf);
        if (!r)
            return -1;
        snprintf(what, what_cap, "capture, link type %d", qftp_capr_linktype(r));
        qftp_frame fr;
        int rc;
        while ((rc = qftp_capr_next(r, &fr, errbuf)) == 1) {
            input_chunk ch = {fr.dir,  fr.dir_known, fr.ts,       fr.ts_synth,
                              fr.data, fr.len,       fr.frame_no, 0};
            if (cb(user, &ch) != 0)
                break;
        }
        qftp_capr_close(r);
        return rc < 0 ? -1 : 0;
    }
    *kind = INPUT_LOG;
    if (f == stdin) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE,
                 "reading a log from standard input is not supported; "
                 "give a file name");
        return -1;
    }
    rewind(f);
    log_ctx c = {cb, user, 0, 0, o->progress && isatty(2), 0};
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
        c.total = (uint64_t)st.st_size;
    qftp_import_opts io;
    qftp_import_opts_init(&io);
    io.format = o->format;
    io.regex = o->regex;
    io.redact = o->redact;
    io.progress = on_progress;
    io.progress_user = &c;
    qftp_log_format used = QFTP_FMT_AUTO;
    int rc = qftp_log_import(f, &io, on_record, &c, &used, errbuf);
    if (c.progress && c.last_shown)
        fputs("\r\033[K", stderr);
    fclose(f);
    snprintf(what, what_cap, "log, %s", qftp_log_format_name(used));
    return rc < 0 ? -1 : 0;
}
