/* test_options.c - the command lines of every qftp command, parsed as `qftp CMD ...` would
 * parse them (tool_parse: GOptionContext plus each command's checks), without running
 * anything. Table-driven: an argument vector, the status (0 parsed, 1 help, 2 usage
 * error), a piece of the message, and a check of the parsed values. */
#include <glib.h>
#include <string.h>

#include "cli.h"
#include "cmd_extcap.h"
#include "cmd_sim.h"
#include "commands.h"

typedef void (*check_fn)(const void *opts, const tool_parsed *p);

typedef struct {
    const tool_command *cmd;
    const char *args; /* split at spaces; "''" is an empty argument */
    int status;
    const char *says; /* in the error (status 2) or the help (status 1); NULL: nothing */
    check_fn check;
} opt_case;

/* ---- checks of parsed values ---------------------------------------------------------- */

static void show_plain(const void *o, const tool_parsed *p)
{
    const show_opts *s = o;
    g_assert_cmpstr(s->input, ==, "x.log");
    g_assert_false(s->json);
    g_assert_false(s->so.redact);
    g_assert_cmpint(s->so.dialect, ==, QFTP_DIALECT_UNKNOWN);
    g_assert_cmpint(s->io.format, ==, QFTP_FMT_AUTO);
    g_assert_false(s->io.logs_only);
    g_assert_cmpint(p->argc, ==, 1);
}

static void show_cluster(const void *o, const tool_parsed *p)
{
    (void)p;
    const show_opts *s = o;
    g_assert_true(s->json);
    g_assert_true(s->so.redact && s->io.redact);
}

static void show_gsm(const void *o, const tool_parsed *p)
{
    (void)p;
    g_assert_cmpint(((const show_opts *)o)->so.dialect, ==, QFTP_DIALECT_GSM);
}

static void show_bg96(const void *o, const tool_parsed *p)
{
    (void)p;
    g_assert_cmpint(((const show_opts *)o)->so.dialect, ==, QFTP_DIALECT_BG96);
}

static void show_rspt(const void *o, const tool_parsed *p)
{
    (void)p;
    g_assert_cmpint(((const show_opts *)o)->so.rsptimeout, ==, 1500 * QFTP_NS_PER_MS);
}

static void show_always(const void *o, const tool_parsed *p)
{
    (void)p;
    g_assert_true(((const show_opts *)o)->colour_always);
}

static void show_never(const void *o, const tool_parsed *p)
{
    (void)p;
    g_assert_true(((const show_opts *)o)->colour_never);
}

static void show_socat(const void *o, const tool_parsed *p)
{
    (void)p;
    g_assert_cmpint(((const show_opts *)o)->io.format, ==, QFTP_FMT_SOCAT);
}

static void show_regex(const void *o, const tool_parsed *p)
{
    (void)p;
    const show_opts *s = o;
    g_assert_cmpint(s->io.format, ==, QFTP_FMT_REGEX);
    g_assert_cmpstr(s->io.regex, ==, "^(?<data>.*)$");
}

static void show_stdin(const void *o, const tool_parsed *p)
{
    (void)p;
    g_assert_cmpstr(((const show_opts *)o)->input, ==, "-");
}

static void show_dashdash(const void *o, const tool_parsed *p)
{
    (void)p;
    g_assert_cmpstr(((const show_opts *)o)->input, ==, "-j");
    g_assert_false(((const show_opts *)o)->json);
}

static void import_ok(const void *o, const tool_parsed *p)
{
    (void)p;
    const import_opts *s = o;
    g_assert_cmpstr(s->input, ==, "x.log");
    g_assert_cmpstr(s->out, ==, "out.pcap");
    g_assert_true(s->io.logs_only); /* a capture is refused before OUT exists */
    g_assert_false(s->io.redact);
}

static void import_std(const void *o, const tool_parsed *p)
{
    (void)p;
    const import_opts *s = o;
    g_assert_cmpstr(s->input, ==, "-");
    g_assert_cmpstr(s->out, ==, "-");
    g_assert_true(s->io.redact);
    g_assert_cmpint(s->io.format, ==, QFTP_FMT_TIMESTAMPED);
}

static void replay_all(const void *o, const tool_parsed *p)
{
    (void)p;
    const rp_cmdline *r = o;
    g_assert_cmpint(r->n_captures, ==, 2);
    g_assert_cmpstr(r->captures[0], ==, "a.pcap");
    g_assert_cmpstr(r->captures[1], ==, "b.pcap");
    g_assert_cmpstr(r->device, ==, "tcp:127.0.0.1:4001");
    g_assert_cmpint(r->serial.baud_v, ==, 115200);
    g_assert_cmpint(r->serial.flow_v, ==, RP_FLOW_RTSCTS);
    g_assert_cmpfloat(r->scale_v, ==, 2.5);
    g_assert_nonnull(r->steps_v);
    g_assert_cmpuint(g_strv_length(r->rules), ==, 2);
    g_assert_cmpstr(r->rules[1], ==, "r2.rules");
    g_assert_cmpuint(g_strv_length(r->defines), ==, 2);
    g_assert_cmpstr(r->defines[1], ==, "b=2"); /* -Db=2: the value attached */
    g_assert_true(r->stop_on_fail);
    g_assert_true(r->tap && r->ignore_echo && r->verbose);
    g_assert_cmpstr(r->junit, ==, "j.xml");
    g_assert_nonnull(r->rules_v);
}

static void replay_defaults(const void *o, const tool_parsed *p)
{
    (void)p;
    const rp_cmdline *r = o;
    g_assert_cmpfloat(r->scale_v, ==, 1.0);
    g_assert_cmpint(r->serial.baud_v, ==, 0);
    g_assert_cmpint(r->serial.flow_v, ==, RP_FLOW_NONE);
    g_assert_null(r->steps_v);
    g_assert_false(r->stop_on_fail);
    g_assert_true(r->dry_run);
}

static void replay_keep_going(const void *o, const tool_parsed *p)
{
    (void)p;
    g_assert_false(((const rp_cmdline *)o)->stop_on_fail); /* the last one wins */
}

static void replay_secrets(const void *o, const tool_parsed *p)
{
    (void)p;
    const rp_cmdline *r = o;
    g_assert_cmpuint(g_strv_length(r->secrets), ==, 2);
    g_assert_cmpstr(r->secrets[1], ==, "user=qa");
    char *scrubbed = rp_rules_scrub(r->rules_v, "PASS hunter22");
    g_assert_cmpstr(scrubbed, ==, "PASS ****");
    g_free(scrubbed);
}

static void record_ok(const void *o, const tool_parsed *p)
{
    (void)p;
    const rec_cmdline *r = o;
    g_assert_cmpstr(r->device, ==, "/dev/null");
    g_assert_cmpstr(r->pty, ==, "/tmp/x.pty");
    g_assert_cmpstr(r->write, ==, "out.pcap");
    g_assert_cmpint(r->linger_ms, ==, 1000);
    g_assert_false(r->quiet);
}

static void record_more(const void *o, const tool_parsed *p)
{
    (void)p;
    const rec_cmdline *r = o;
    g_assert_cmpstr(r->listen, ==, "127.0.0.1:0");
    g_assert_cmpint(r->linger_ms, ==, 0);
    g_assert_true(r->quiet);
    g_assert_cmpint(r->serial.baud_v, ==, 9600);
    g_assert_cmpint(r->serial.flow_v, ==, RP_FLOW_XONXOFF);
    g_assert_cmpstr(r->write, ==, "-");
}

static void sim_ok(const void *o, const tool_parsed *p)
{
    (void)p;
    const sim_cmdline *s = o;
    g_assert_cmpint(s->dialect_v, ==, QFTP_DIALECT_GSM);
    g_assert_cmpstr(s->listen, ==, "127.0.0.1:0");
    g_assert_cmpuint(s->n_faults, ==, 0);
    g_assert_false(s->seeded);
    g_assert_cmpfloat(s->rsptimeout_v, ==, 0);
}

static void sim_faults(const void *o, const tool_parsed *p)
{
    (void)p;
    const sim_cmdline *s = o;
    g_assert_cmpint(s->dialect_v, ==, QFTP_DIALECT_BG96);
    g_assert_cmpuint(s->n_faults, ==, 2);
    g_assert_cmpint(s->faults_v[0].kind, ==, SIM_FAULT_DROP_URC);
    g_assert_cmpstr(s->faults_v[0].command, ==, "+QFTPOPEN");
    g_assert_cmpint(s->faults_v[1].kind, ==, SIM_FAULT_DELAY_URC);
    g_assert_cmpint(s->faults_v[1].arg, ==, 3000);
    g_assert_true(s->seeded);
    g_assert_cmpuint(s->seed_v, ==, 42);
    g_assert_cmpfloat(s->rsptimeout_v, ==, 5);
    g_assert_true(s->verbose);
}

/* ---- the table --------------------------------------------------------------------------------
 */

/* extcap: a capture's checked values, the defaults its --extcap-config shows */
static void extcap_relay_defaults(const void *o, const tool_parsed *p)
{
    (void)p;
    const xc_opts *x = o;
    g_assert_cmpstr(x->device_v, ==, "/dev/ttyUSB2");
    g_assert_cmpstr(x->baud_v, ==, "115200");
    g_assert_cmpstr(x->host_v, ==, "/tmp/ttyQFTP");
    g_assert_cmpint(x->fifo_fd, ==, -1); /* "f" is no fifo: nothing held */
}

static void extcap_relay_keep(const void *o, const tool_parsed *p)
{
    (void)p;
    const xc_opts *x = o;
    g_assert_null(x->baud_v);
    g_assert_cmpstr(x->host_v, ==, "tcp:127.0.0.1:5555");
    g_assert_cmpstr(x->device_v, ==, "tcp:10.0.0.5:3333");
}

static void extcap_sim_defaults(const void *o, const tool_parsed *p)
{
    (void)p;
    const xc_opts *x = o;
    g_assert_cmpstr(x->dialect_v, ==, "bg96");
    g_assert_cmpstr(x->host_v, ==, "/tmp/ttyQFTPsim");
}

#define EXTCAP &qftp_cmd_extcap
#define SHOW &qftp_cmd_show
#define IMPORT &qftp_cmd_import
#define REPLAY &qftp_cmd_replay
#define RECORD &qftp_cmd_record
#define SIM &qftp_cmd_sim

static const opt_case cases[] = {
    /* show */
    {SHOW, "x.log", 0, NULL, show_plain},
    {SHOW, "-jr x.log", 0, NULL, show_cluster},
    {SHOW, "x.log --json --redact", 0, NULL, show_cluster},
    {SHOW, "--dialect=gsm x.log", 0, NULL, show_gsm},
    {SHOW, "--dialect BG96 x.log", 0, NULL, show_bg96},
    {SHOW, "--dialect bg69 x.log", 2,
     "--dialect bg69: expected auto, gsm or bg96; did you mean bg96?", NULL},
    {SHOW, "--rsptimeout 1.5 x.log", 0, NULL, show_rspt},
    {SHOW, "--rsptimeout 0 x.log", 2, "--rsptimeout 0: expected seconds", NULL},
    {SHOW, "--rsptimeout 5s x.log", 2, "--rsptimeout 5s", NULL},
    {SHOW, "--color always x.log", 0, NULL, show_always},
    {SHOW, "--colour=never x.log", 0, NULL, show_never},
    {SHOW, "--color sometimes x.log", 2, "--color sometimes: expected auto, always or never", NULL},
    {SHOW, "--format socat x.log", 0, NULL, show_socat},
    {SHOW, "--format sokat x.log", 2, "did you mean socat?", NULL},
    {SHOW, "--regex ^(?<data>.*)$ x.log", 0, NULL, show_regex},
    {SHOW, "--format regex x.log", 2, "--format regex needs --regex RE", NULL},
    {SHOW, "", 2, "expects an INPUT", NULL},
    {SHOW, "a.log b.log", 2, "expects one INPUT, not 2", NULL},
    {SHOW, "-", 0, NULL, show_stdin},
    {SHOW, "-- -j", 0, NULL, show_dashdash},
    {SHOW, "--jsno x.log", 2, "unknown option --jsno; did you mean --json?", NULL},
    {SHOW, "--JSON x.log", 2, "did you mean --json?", NULL},
    {SHOW, "-json x.log", 2, "unknown option -json; did you mean --json?", NULL},
    {SHOW, "-jx x.log", 2, "unknown option -x (in -jx)", NULL},
    {SHOW, "--json=yes x.log", 2, "--json takes no value", NULL},
    {SHOW, "x.log --dialect", 2, "--dialect needs a value (auto|gsm|bg96)", NULL},
    {SHOW, "--help", 1, "  -j, --json ", NULL},
    {SHOW, "-h --bogus", 1, "Usage:\n  qftp show [OPTION...] INPUT\n", NULL},
    {SHOW, "--help-input", 1, "--regex=RE", NULL},
    {SHOW, "--help-all", 1, "Text log options:", NULL},
    {SHOW, "--help-nothing", 2, "unknown option --help-nothing", NULL},
    /* import */
    {IMPORT, "x.log -w out.pcap", 0, NULL, import_ok},
    {IMPORT, "x.log -wout.pcap", 0, NULL, import_ok},
    {IMPORT, "--write=out.pcap x.log", 0, NULL, import_ok},
    {IMPORT, "- -w - --redact --format timestamped", 0, NULL, import_std},
    {IMPORT, "x.log", 2, "needs -w OUT.pcap", NULL},
    {IMPORT, "x.log -w", 2, "-w needs a value (OUT.pcap)", NULL},
    {IMPORT, "-w out.pcap", 2, "expects an INPUT", NULL},
    {IMPORT, "x.log -w out.pcap --writ y", 2, "did you mean --write?", NULL},
    {IMPORT, "--help", 1, "-w, --write=OUT.pcap", NULL},
    /* replay */
    {REPLAY,
     "a.pcap --device tcp:127.0.0.1:4001 --baud 115200 --flow rtscts --steps 1-3,5 -D a=1 -Db=2 "
     "--rules r1.rules --rules r2.rules --timeout-scale 2.5 --stop-on-fail b.pcap --tap "
     "--ignore-echo --verbose --junit j.xml",
     0, NULL, replay_all},
    {REPLAY, "--dry-run a.pcap", 0, NULL, replay_defaults},
    {REPLAY, "a.pcap --dry-run --stop-on-fail --keep-going", 0, NULL, replay_keep_going},
    {REPLAY, "", 2, "no capture to replay", NULL},
    {REPLAY, "a.pcap", 2, "--device DEVICE is required (or --dry-run)", NULL},
    {REPLAY, "a.pcap --devcie tcp:h:1", 2, "unknown option --devcie; did you mean --device?", NULL},
    {REPLAY, "a.pcap --device 127.0.0.1:5555", 2,
     "--device 127.0.0.1:5555: no such device; for a TCP bridge write tcp:127.0.0.1:5555", NULL},
    {REPLAY, "a.pcap --device localhost:4001", 2, "write tcp:localhost:4001", NULL},
    {REPLAY, "a.pcap --device tcp:nohostport", 2, "expected tcp:HOST:PORT", NULL},
    {REPLAY, "a.pcap --device tcp:h:port", 2, "expected tcp:HOST:PORT", NULL},
    {REPLAY, "a.pcap --device /dev/null --baud 12345", 2, "--baud 12345: not a supported rate",
     NULL},
    {REPLAY, "a.pcap --device /dev/null --flow rts", 2,
     "--flow rts: expected none, rtscts or xonxoff; did you mean rtscts?", NULL},
    {REPLAY, "a.pcap --dry-run --steps 3-1", 2, "--steps 3-1", NULL},
    {REPLAY, "a.pcap --dry-run --timeout-scale 0", 2, "--timeout-scale 0", NULL},
    {REPLAY, "a.pcap --dry-run -D novalue", 2, "novalue", NULL},
    {REPLAY, "- - --dry-run", 2, "standard input (-) can be read once", NULL},
    {REPLAY, "a.pcap --dry-run --secret pw=hunter22 --secret=user=qa", 0, NULL, replay_secrets},
    {REPLAY, "a.pcap --dry-run --secret QFTP_TEST_NO_SUCH_VARIABLE", 2,
     "QFTP_TEST_NO_SUCH_VARIABLE", NULL},
    {REPLAY, "a.pcap --device /dev/null --update --steps 1", 2, "not with --steps", NULL},
    {REPLAY, "a.pcap --device /dev/null --update --record x.pcap", 2, "exclude each other", NULL},
    {REPLAY, "a.pcap --device /dev/null --record -", 0, NULL, NULL},
    {REPLAY, "a.pcap b.pcap --device /dev/null --record -", 2, "takes one capture, not 2", NULL},
    {REPLAY, "a.pcap --device /dev/null --record - --tap", 2,
     "--record - and --tap both write standard output", NULL},
    {REPLAY, "--help", 1, "--help-serial", NULL},
    {REPLAY, "--help-serial", 1, "--flow=none|rtscts|xonxoff", NULL},
    /* record */
    {RECORD, "--device /dev/null --pty /tmp/x.pty -w out.pcap", 0, NULL, record_ok},
    {RECORD,
     "--device=/dev/null --listen 127.0.0.1:0 --linger 0 -q --baud 9600 --flow xonxoff -w -", 0,
     NULL, record_more},
    {RECORD, "--device /dev/null --pty /tmp/x.pty", 2, "needs -w FILE", NULL},
    {RECORD, "--pty /tmp/x.pty -w o.pcap", 2, "needs --device DEVICE", NULL},
    {RECORD, "--device /dev/null --pty p --listen 127.0.0.1:0 -w o", 2, "exactly one host side",
     NULL},
    {RECORD, "--device /dev/null -w o", 2, "exactly one host side", NULL},
    {RECORD, "--device /dev/null --interactive -w -", 2, "not possible with --interactive", NULL},
    {RECORD, "--device /dev/null --pty p -w o --linger -5", 2, "--linger -5", NULL},
    {RECORD, "--device /dev/null --pty p -w o extra", 2, "unexpected argument 'extra'", NULL},
    {RECORD, "--device 10.0.0.7:4001 --pty p -w o", 2, "write tcp:10.0.0.7:4001", NULL},
    {RECORD, "--device /dev/null --pty p -w o --lisen x", 2, "did you mean --listen?", NULL},
    /* sim */
    {SIM, "--dialect gsm --listen 127.0.0.1:0", 0, NULL, sim_ok},
    {SIM,
     "--dialect=bg96 --pty /tmp/p --fault drop-urc:+QFTPOPEN --fault delay-urc:+QFTPGET:3000 "
     "--seed 42 --rsptimeout 5 --verbose",
     0, NULL, sim_faults},
    {SIM, "--listen 127.0.0.1:0", 2, "needs --dialect gsm|bg96", NULL},
    {SIM, "--dialect auto --listen 127.0.0.1:0", 2, "--dialect auto: expected gsm or bg96", NULL},
    {SIM, "--dialect bg69 --listen 127.0.0.1:0", 2, "did you mean bg96?", NULL},
    {SIM, "--dialect gsm", 2, "needs one of --pty PATH or --listen HOST:PORT", NULL},
    {SIM, "--dialect gsm --pty p --listen 127.0.0.1:0", 2, "needs one of --pty", NULL},
    {SIM, "--dialect gsm --pty p --fault nonsense", 2, "nonsense", NULL},
    {SIM, "--dialect gsm --pty p --seed -1", 2, "--seed -1: expected a number", NULL},
    {SIM, "--dialect gsm --pty p --rsptimeout 0", 2, "--rsptimeout 0", NULL},
    {SIM, "--dialect gsm --pty p stray", 2, "unexpected argument 'stray'", NULL},
    {SIM, "--help-module", 1, "--fault=SPEC", NULL},
    /* extcap */
    {EXTCAP, "--extcap-interfaces --extcap-version=4.0", 0, NULL, NULL},
    {EXTCAP, "--extcap-interface qftp-relay --capture --fifo f", 0, NULL, extcap_relay_defaults},
    {EXTCAP,
     "--extcap-interface qftp-relay --capture --fifo f --baud keep --device tcp:10.0.0.5:3333 "
     "--host tcp:127.0.0.1:5555",
     0, NULL, extcap_relay_keep},
    {EXTCAP, "--extcap-interface qftp-sim --capture --fifo f", 0, NULL, extcap_sim_defaults},
    {EXTCAP, "--extcap-interface qftp-sim --extcap-config --device x", 0, NULL, NULL},
    {EXTCAP, "--extcap-interface qftp-relay --capture --fifo f --baud 1234", 2, "--baud 1234",
     NULL},
    {EXTCAP, "--extcap-interface qftp-relay --capture --fifo f --host rel/p", 2, "absolute path",
     NULL},
    {EXTCAP, "--extcap-interface qftp-relay --capture --fifo f --dialect gsm", 2,
     "--dialect is not an option of qftp-relay", NULL},
    {EXTCAP, "--extcap-interface qftp-sim --capture --fifo f --dialect m95", 2,
     "expected bg96 or gsm", NULL},
    {EXTCAP, "--extcap-interface qftp-sim --capture --fifo f --fault bogus", 2, "--fault", NULL},
    {EXTCAP, "--extcap-interface qftp-sim --capture", 2, "--capture needs --fifo", NULL},
    {EXTCAP, "--extcap-interface qftp-sim --capture --fifo f --extcap-capture-filter port", 2,
     "capture filters do not apply", NULL},
    {EXTCAP, "--extcap-dlts --extcap-config --extcap-interface qftp-sim", 2, "needs one of", NULL},
    {EXTCAP, "--extcap-dlts --extcap-interface qftp-rely", 2, "did you mean qftp-relay?", NULL},
};

static char **split(const tool_command *c, const char *args, int *argc)
{
    GPtrArray *a = g_ptr_array_new();
    g_ptr_array_add(a, g_strdup(c->name));
    char **words = g_strsplit(args, " ", -1);
    for (char **w = words; *w; w++)
        if (**w)
            g_ptr_array_add(a, g_strcmp0(*w, "''") == 0 ? g_strdup("") : g_strdup(*w));
    g_strfreev(words);
    *argc = (int)a->len;
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

static void run_case(gconstpointer data)
{
    const opt_case *k = data;
    int argc;
    char **argv = split(k->cmd, k->args, &argc);
    tool_parsed p;
    tool_parse(k->cmd, argc, argv, &p);
    if (p.status != k->status)
        g_error("qftp %s %s: status %d, want %d; error: %s", k->cmd->name, k->args, p.status,
                k->status, p.error ? p.error : "(none)");
    if (k->status == 2) {
        /* one prefix, one short message, a pointer to --help */
        char *prefix = g_strdup_printf("qftp %s: ", k->cmd->name);
        g_assert_true(g_str_has_prefix(p.error, prefix));
        char **lines = g_strsplit(p.error, "\n", -1);
        g_assert_cmpuint(g_strv_length(lines), ==, 3); /* two lines and the last '\n' */
        char *pointer = g_strdup_printf("Try 'qftp %s --help' for more information.", k->cmd->name);
        g_assert_cmpstr(lines[1], ==, pointer);
        if (k->says && !strstr(lines[0], k->says))
            g_error("qftp %s %s: '%s' is not in the first line: %s", k->cmd->name, k->args, k->says,
                    p.error);
        g_free(pointer);
        g_strfreev(lines);
        g_free(prefix);
    } else if (k->status == 1) {
        g_assert_nonnull(p.help);
        if (k->says && !strstr(p.help, k->says))
            g_error("qftp %s %s: '%s' is not in the help:\n%s", k->cmd->name, k->args, k->says,
                    p.help);
    }
    if (k->check)
        k->check(p.opts, &p);
    tool_parsed_free(k->cmd, &p);
    g_strfreev(argv);
}

/* --help lists the main group and names the others; --help-all shows every group; no line
 * is wider than 80 columns unless it is one long option or an example. */
static void help_layout(gconstpointer data)
{
    const tool_command *c = data;
    char *argv_help[] = {(char *)c->name, "--help", NULL};
    char *argv_all[] = {(char *)c->name, "--help-all", NULL};
    tool_parsed h, a;
    tool_parse(c, 2, argv_help, &h);
    tool_parse(c, 2, argv_all, &a);
    g_assert_cmpint(h.status, ==, 1);
    g_assert_true(g_str_has_prefix(h.help, "Usage:\n  qftp "));
    g_assert_nonnull(strstr(h.help, "\nOptions:\n"));
    g_assert_nonnull(strstr(h.help, "\nExit status:\n  0 "));
    g_assert_nonnull(strstr(h.help, "\nExamples:\n"));
    g_assert_null(strstr(h.help, "\xe2\x80\xa6")); /* ASCII: no "…" */
    if (a.status == 1 && strstr(h.help, "--help-all")) {
        /* the command's own options come before the groups */
        const char *opts = strstr(a.help, "\nOptions:\n");
        const char *grp = strstr(a.help, " options:\n");
        g_assert_nonnull(opts);
        g_assert_true(!grp || opts < grp);
        g_assert_cmpuint(strlen(a.help), >, strlen(h.help));
    }
    char **lines = g_strsplit(a.help ? a.help : h.help, "\n", -1);
    for (char **l = lines; *l; l++)
        if (strlen(*l) > 79 && !g_str_has_prefix(*l, "    qftp ") && !g_str_has_prefix(*l, "  --"))
            g_error("qftp %s --help-all: line wider than 79 columns: %s", c->name, *l);
    g_strfreev(lines);
    tool_parsed_free(c, &h);
    tool_parsed_free(c, &a);
}

static void closest(void)
{
    static const char *const opts[] = {"device", "dialect", "baud", "record",
                                       "rules",  "replay",  NULL};
    static const struct {
        const char *typed, *want;
    } t[] = {
        {"devcie", "device"}, {"deivce", "device"}, {"dialcet", "dialect"}, {"DEVICE", "device"},
        {"rec", "record"},    {"bad", "baud"},      {"re", NULL},           {"xyzzy", NULL},
        {"", NULL},           {"recrod", "record"}, {"rule", "rules"},      {"d", NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++)
        g_assert_cmpstr(tool_closest(t[i].typed, opts), ==, t[i].want);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *name = g_strdup_printf("/options/%s/%02zu %s", cases[i].cmd->name, i, cases[i].args);
        for (char *p = name + 9; *p; p++)
            if (*p == '/')
                *p = '|';
        g_test_add_data_func(name, &cases[i], run_case);
        g_free(name);
    }
    const tool_command *const *c = qftp_program.commands;
    for (; *c; c++) {
        char *name = g_strdup_printf("/help/%s", (*c)->name);
        g_test_add_data_func(name, *c, help_layout);
        g_free(name);
    }
    g_test_add_func("/closest", closest);
    return g_test_run();
}
