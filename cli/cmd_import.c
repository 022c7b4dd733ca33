/* cmd_import.c - `qftp import`: a terminal log into a qftp capture. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "qftptool/input.h"

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

static void import_options(tool_cmdline *cl, void *opts)
{
    import_opts *o = opts;
    const GOptionEntry main_entries[] = {
        {"write", 'w', 0, G_OPTION_ARG_FILENAME, &o->out,
         "the capture to write (pcap, exported PDU \"qftp\"); - writes it to standard output, "
         "e.g. into `wireshark -k -i -`",
         "OUT.pcap"},
        {"redact", 'r', 0, G_OPTION_ARG_NONE, &o->redact,
         "mask passwords and other secret parameters in the capture", NULL},
        {NULL}};
    tool_options(cl, NULL, NULL, NULL, main_entries);
    input_options(cl, &o->in);
}

static int import_check(tool_cmdline *cl, void *opts, int argc, char **argv)
{
    import_opts *o = opts;
    o->io = (input_opts){QFTP_FMT_AUTO, NULL, false, true, true};
    if (argc == 0)
        return tool_usage(cl, "expects an INPUT: the text log (- for standard input)");
    if (argc > 1)
        return tool_usage(cl, "expects one INPUT, not %d (the second: '%s')", argc, argv[1]);
    o->input = argv[0];
    if (!o->out || !o->out[0])
        return tool_usage(cl, "needs -w OUT.pcap, the capture to write (- for standard output)");
    o->io.redact = o->redact;
    return input_check(cl, &o->in, &o->io);
}

static int import_run(void *opts, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    import_opts *o = opts;
    const char *in = o->input, *out = o->out;
    char err[QFTP_ERRBUF_SIZE] = "";
    /* The input first: a capture (or an unreadable file) is refused before OUT exists. */
    qftp_import_info info;
    o->io.info = &info;
    input_src *src = input_open(in, &o->io, err);
    if (!src) {
        tool_error("%s; no capture written", err);
        return 2;
    }
    import_ctx x = {0};
    x.w = qftp_capw_open(out, "qftp", x.err);
    if (!x.w) {
        input_src_close(src);
        tool_error("%s", x.err);
        return 2;
    }
    char what[320];
    int rc = input_src_read(src, on_chunk, &x, what, sizeof what, err);
    if (rc < 0 || x.failed) {
        qftp_capw_close(x.w, false, x.err);
        tool_error("%s: %s; no capture written", in, x.failed ? x.err : err);
        return 2;
    }
    if (info.traffic == 0) {
        /* nothing in it is AT traffic: say what was tried rather than write an empty
         * capture (issue 11) */
        char msg[2048];
        qftp_import_no_traffic(&info, msg, sizeof msg);
        qftp_capw_close(x.w, false, x.err);
        tool_error("%s: %s; no capture written", in, msg);
        return 1;
    }
    uint64_t frames = qftp_capw_frames(x.w);
    if (qftp_capw_close(x.w, true, x.err) < 0) {
        tool_error("%s", x.err);
        return 2;
    }
    if (info.skipped)
        tool_note("%s: %llu line%s that are not AT traffic skipped (the first: line %llu)", in,
                  (unsigned long long)info.skipped, info.skipped == 1 ? "" : "s",
                  (unsigned long long)info.first_skipped);
    if (info.repaired)
        tool_note(
            "%s: %llu line%s repaired: what a paste added undone (^M, no-break "
            "and zero-width spaces, HTML's &quot;, broken lines, padding; the first: line %llu)",
            in, (unsigned long long)info.repaired, info.repaired == 1 ? "" : "s",
            (unsigned long long)info.first_repaired);
    if (isatty(2))
        tool_note("%s (%s) -> %s: %llu frames", in, what, out, (unsigned long long)frames);
    return 0;
}

static const tool_example import_examples[] = {
    {NULL, "qftp import customer.log -w customer.pcap",
     "a customer's terminal log as a capture for Wireshark"},
    {NULL, "qftp import --redact --format socat trace.log -w trace.pcap",
     "a socat trace, passwords masked"},
    {NULL, "qftp import modem.log -w - | wireshark -k -i -", "straight into Wireshark"},
    {NULL,
     "qftp import --regex '^(?<time>\\S+) \\| (?<dir>\\w+)\\s*\\| (?<data>.*)$' modem.log -w "
     "modem.pcap",
     "a layout of your own"},
    {NULL}};

static const tool_exit import_exits[] = {
    {0, "the capture was written"},
    {1, "nothing in the log is AT traffic: the message names the layouts tried and the first "
        "line each could not read; nothing is left at OUT.pcap"},
    {2, "usage error, or the log cannot be read or is not a log (a capture is refused): "
        "nothing is left at OUT.pcap"},
    {-1}};

const tool_command qftp_cmd_import = {
    .name = "import",
    .args = "INPUT",
    .summary = "turn a terminal log into a qftp capture for Wireshark",
    .description =
        "Reads a text log of a serial line (plain, socat -v, interceptty, timestamped with "
        "direction markers, a serial port monitor's hex dump, a table exported as CSV, JSON "
        "Lines, logfmt, a device's debug log, or a layout of your own given by --regex; - reads "
        "standard input) "
        "and writes it as a qftp capture: pcap with exported PDUs for Wireshark's qftp "
        "plugin, one frame per read or write, with its direction and time (synthesised and "
        "marked when the log has none).\n\n"
        "The capture appears at OUT.pcap only when the whole log was read: on any error "
        "nothing is left there.",
    .examples = import_examples,
    .exits = import_exits,
    .docs = "docs/import.md",
    .opts_size = sizeof(import_opts),
    .options = import_options,
    .check = import_check,
    .run = import_run,
};
