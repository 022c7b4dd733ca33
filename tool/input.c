/* input.c - reads a capture or a text log, whichever the input is, from a file or from
 * standard input. */
#include "qftptool/input.h"

#include <errno.h>
#include <glib.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qftptool/cmd.h"

#define HEAD 64 /* read ahead to tell a capture from a log */

/* ---- options -------------------------------------------------------------------------------- */

void input_options(struct tool_cmdline *cl, input_args *a)
{
    input_options_named(cl, a, "format");
}

void input_options_named(struct tool_cmdline *cl, input_args *a, const char *name)
{
    a->name = name;
    /* the choices, from the importer's own names: "auto|plain|...|regex" */
    static char formats[160];
    if (!formats[0]) {
        for (int i = 0; i <= QFTP_FMT_REGEX; i++) {
            if (i)
                g_strlcat(formats, "|", sizeof formats);
            g_strlcat(formats, qftp_log_format_name((qftp_log_format)i), sizeof formats);
        }
    }
    const GOptionEntry e[] = {
        {name, 0, 0, G_OPTION_ARG_FILENAME, &a->format,
         "the text log's layout (default auto: recognised from its first 64 KiB; a capture "
         "is always recognised)",
         formats},
        {"regex", 0, 0, G_OPTION_ARG_FILENAME, &a->regex,
         "a layout of your own: a regular expression with named groups time, dir and data "
         "(docs/import.md); implies the regex layout",
         "RE"},
        {NULL}};
    tool_options(cl, "input", "Text log options:", "Show the options for reading text logs", e);
}

int input_check(struct tool_cmdline *cl, const input_args *a, input_opts *o)
{
    char opt[48];
    g_snprintf(opt, sizeof opt, "--%s", a->name ? a->name : "format");
    if (a->format) {
        int f = qftp_log_format_from_name(a->format);
        if (f < 0)
            return tool_bad_choice(cl, opt, a->format);
        o->format = (qftp_log_format)f;
    }
    if (a->regex) {
        o->regex = a->regex;
        if (o->format == QFTP_FMT_AUTO)
            o->format = QFTP_FMT_REGEX;
    } else if (o->format == QFTP_FMT_REGEX) {
        return tool_usage(cl, "%s regex needs --regex RE", opt);
    }
    return 0;
}

struct input_src {
    FILE *f; /* from byte 0 */
    input_kind kind;
    input_opts o;
    uint64_t total; /* size for progress, 0 if unknown */
};

input_src *input_open(const char *path, const input_opts *o, char *errbuf)
{
    bool std = strcmp(path, "-") == 0;
    FILE *f = std ? stdin : fopen(path, "rb");
    if (f == NULL) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    if (!std) /* big reads: each read(2) of a large capture costs as much as its bytes */
        setvbuf(f, NULL, _IOFBF, 1 << 18);
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot read %s: it is a folder", path);
        fclose(f);
        return NULL;
    }
    input_src *in = calloc(1, sizeof *in);
    if (!in) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "out of memory");
        if (!std)
            fclose(f);
        return NULL;
    }
    in->o = *o;
    if (S_ISREG(st.st_mode))
        in->total = (uint64_t)st.st_size;
    uint8_t head[HEAD];
    size_t n = fread(head, 1, sizeof head, f);
    in->kind = qftp_capture_sniff(head, n) ? INPUT_CAPTURE : INPUT_LOG;
    if (in->kind == INPUT_CAPTURE && o->logs_only) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE,
                 "%s is already a capture, not a text log; read it with `qftp show %s` or "
                 "open it in Wireshark",
                 std ? "standard input" : path, path);
        if (!std)
            fclose(f);
        free(in);
        return NULL;
    }
    /* read again from byte 0: a file is sought back, a pipe replays the head */
    in->f = qftp_stream_put_back(f, head, n);
    if (!in->f) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot read %s: %s", path, strerror(errno));
        if (!std)
            fclose(f);
        free(in);
        return NULL;
    }
    return in;
}

input_kind input_src_kind(const input_src *in)
{
    return in->kind;
}

void input_src_close(input_src *in)
{
    if (!in)
        return;
    if (in->f != stdin)
        fclose(in->f);
    free(in);
}

/* ---- reading ------------------------------------------------------------------------------------
 */

typedef struct {
    input_cb cb;
    void *user;
    uint64_t n;
    uint64_t total; /* input size for progress, 0 if unknown */
    bool progress;
    uint64_t last_shown;
    const qftp_log_format *used; /* set by the importer before the first record */
    const qftp_import_info *info;
    char *what;
    size_t what_cap;
} log_ctx;

/* "log, NAME: why it was chosen" (qftp_import_info.why starts with the name). */
static void describe_log(char *what, size_t cap, qftp_log_format used, const qftp_import_info *info)
{
    const char *name = qftp_log_format_name(used);
    if (info && info->why[0] && strncmp(info->why, name, strlen(name)) == 0)
        snprintf(what, cap, "log, %s", info->why);
    else
        snprintf(what, cap, "log, %s", name);
}

static int on_record(void *user, const qftp_record *r)
{
    log_ctx *c = user;
    if (c->n == 0) /* the description is there for whoever streams the records */
        describe_log(c->what, c->what_cap, *c->used, c->info);
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

/* A frame's fields up to its number are a chunk's first ones, in the same places: copied
 * in one go (a few moves, where the fields one by one are a dozen). */
#define FRAME_AS_CHUNK offsetof(input_chunk, line)
#define SAME_PLACE(a, b) (offsetof(input_chunk, a) == offsetof(qftp_frame, b))
_Static_assert(SAME_PLACE(dir, dir) && SAME_PLACE(dir_known, dir_known) && SAME_PLACE(ts, ts) &&
                   SAME_PLACE(ts_synth, ts_synth) && SAME_PLACE(data, data) &&
                   SAME_PLACE(len, len) && SAME_PLACE(frame, frame_no) &&
                   offsetof(input_chunk, line) == offsetof(input_chunk, frame) + sizeof(uint64_t),
               "a capture's frame and an input chunk no longer share their first fields");
#undef SAME_PLACE

static int read_capture(input_src *in, input_cb cb, void *user, char *what, size_t what_cap,
                        char *errbuf)
{
    FILE *f = in->f;
    in->f = NULL;
    qftp_capture_reader *r = qftp_capr_fopen(f, errbuf); /* owns f from here */
    if (!r)
        return -1;
    snprintf(what, what_cap, "capture, link type %d", qftp_capr_linktype(r));
    qftp_frame fr;
    input_chunk ch = {0}; /* line: 0 */
    int rc;
    while ((rc = qftp_capr_next(r, &fr, errbuf)) == 1) {
        memcpy(&ch, &fr, FRAME_AS_CHUNK);
        if (cb(user, &ch) != 0)
            break;
    }
    qftp_capr_close(r);
    return rc < 0 ? -1 : 0;
}

static int read_log(input_src *in, input_cb cb, void *user, char *what, size_t what_cap,
                    char *errbuf)
{
    qftp_log_format used = QFTP_FMT_AUTO;
    qftp_import_info own;
    qftp_import_info *info = in->o.info ? in->o.info : &own;
    memset(info, 0, sizeof *info);
    log_ctx c = {cb, user,  0,    in->total, in->o.progress && isatty(2),
                 0,  &used, info, what,      what_cap};
    qftp_import_opts io;
    qftp_import_opts_init(&io);
    io.info = info;
    io.format = in->o.format;
    io.regex = in->o.regex;
    io.redact = in->o.redact;
    io.progress = on_progress;
    io.progress_user = &c;
    int rc = qftp_log_import(in->f, &io, on_record, &c, &used, errbuf);
    if (c.progress && c.last_shown)
        fputs("\r\033[K", stderr);
    describe_log(what, what_cap, used, info);
    return rc < 0 ? -1 : 0;
}

int input_src_read(input_src *in, input_cb cb, void *user, char *what, size_t what_cap,
                   char *errbuf)
{
    int rc = in->kind == INPUT_CAPTURE ? read_capture(in, cb, user, what, what_cap, errbuf)
                                       : read_log(in, cb, user, what, what_cap, errbuf);
    if (in->f && in->f != stdin)
        fclose(in->f);
    free(in);
    return rc;
}

int input_read(const char *path, const input_opts *o, input_cb cb, void *user, input_kind *kind,
               char *what, size_t what_cap, char *errbuf)
{
    input_src *in = input_open(path, o, errbuf);
    if (!in)
        return -1;
    *kind = in->kind;
    return input_src_read(in, cb, user, what, what_cap, errbuf);
}

bool input_is_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    uint8_t b[4096];
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    if (n == 0 || qftp_capture_sniff(b, n))
        return false;
    size_t text = 0;
    for (size_t i = 0; i < n; i++) {
        if (b[i] == 0)
            return false;
        if (b[i] >= 0x20 || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')
            text++;
    }
    return text * 100 >= n * 95;
}
