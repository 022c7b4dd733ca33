/* cmd_extcap.c - `qftp extcap`: qftp as capture interfaces of Wireshark, through its
 * extcap protocol (Wireshark's doc/extcap.adoc and the developer's guide, "Adding
 * Capture Interfaces And Log Sources Using Extcap"; docs/wireshark.md, "Live capture").
 *
 * Wireshark runs the program once per question:
 *   --extcap-interfaces --extcap-version=X.Y       an extcap line, then the interfaces
 *   --extcap-interface IF --extcap-dlts            the link type: 252, a qftp capture
 *   --extcap-interface IF --extcap-config          the options of the interface's dialog
 *   --extcap-interface IF --extcap-capture-filter F   nothing printed: F is valid
 *   --extcap-interface IF --capture --fifo PATH [OPTIONS]   the capture itself
 *
 * Nothing is captured here. The relay is `qftp record` and the simulator `qftp sim`, run
 * in this process through their own registrations (tool_parse, then run) with
 * Wireshark's fifo as their capture: the same code, options and checks as on the
 * command line, every read recorded as it passes and flushed at once.
 *
 * What Wireshark does with the process, measured with 4.0, 4.4 and 4.6 (an extcap that
 * logs what it is given, tests/e2e/test_extcap_capture.py):
 *  - whatever it writes on stderr is shown as "Error by/from extcap pipe: ..." when the
 *    capture ends, whatever the exit status: stderr carries errors and nothing else;
 *    stdout is read and thrown away;
 *  - it stops a capture with SIGTERM, and its reader may leave the fifo first: a broken
 *    pipe (EPIPE) is a normal end as well (pipe_end_stops);
 *  - 4.0's dumpcap waits in open() for the fifo's writer, so an extcap that fails
 *    before opening the fifo leaves tshark hanging for good: the fifo is opened first,
 *    before anything can fail, and held until the end (xc_opts.fifo_fd);
 *  - without a stored configuration tshark passes each arg's {default=}, but not the
 *    default of a selector: the defaults below are also the program's own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qftp/capture.h"
#include "qftp/common.h"
#include "cmd_extcap.h"
#include "cmd_sim.h"
#include "device.h"
#include "sim.h"

#define EXIT_USAGE 2

/* ---- the interfaces and their options ------------------------------------------------- */

/* One option of an interface's dialog: an `arg` sentence of --extcap-config. */
typedef struct {
    const char *call;    /* "--device": also its preference, extcap.<if>.device */
    const char *display; /* the label */
    const char *type;    /* string, selector, ... (doc/extcap.adoc) */
    const char *def;     /* default value; NULL: none */
    const char *tooltip;
    const char *group; /* the dialog's tab */
    bool required;
    /* selector values ("value" sentences) and a string option's validation */
    void (*values)(GString *out, int number);
    char *(*validation)(void); /* g_free'd; NULL: none */
} xc_arg;

struct xc_iface {
    const char *name;    /* --extcap-interface */
    const char *display; /* the interface list */
    const xc_arg *args;  /* ends with {NULL} */
    int (*capture)(xc_opts *o);
};

#define DEFAULT_DEVICE "/dev/ttyUSB2" /* the AT port of a BG96 on USB (interface 2) */
#define DEFAULT_BAUD "115200"         /* both manuals' default UART rate */
#define DEFAULT_RELAY_HOST "/tmp/ttyQFTP"
#define DEFAULT_SIM_HOST "/tmp/ttyQFTPsim"
#define DEFAULT_DIALECT "bg96"
#define BAUD_KEEP "keep"

static void value(GString *out, int arg, const char *v, const char *display, bool def)
{
    g_string_append_printf(out, "value {arg=%d}{value=%s}{display=%s}{default=%s}\n", arg, v,
                           display, def ? "true" : "false");
}

static void baud_values(GString *out, int arg)
{
    value(out, arg, BAUD_KEEP, "as the port is set", false);
    for (size_t i = 0; rp_baud_at(i); i++) {
        char v[24];
        snprintf(v, sizeof v, "%ld", rp_baud_at(i));
        value(out, arg, v, v, strcmp(v, DEFAULT_BAUD) == 0);
    }
}

static void flow_values(GString *out, int arg)
{
    value(out, arg, "none", "none", true);
    value(out, arg, "rtscts", "RTS/CTS (hardware)", false);
    value(out, arg, "xonxoff", "XON/XOFF (takes 0x11 and 0x13 out of binary data)", false);
}

static void dialect_values(GString *out, int arg)
{
    value(out, arg, qftp_dialect_name(QFTP_DIALECT_BG96),
          "BG96 family (BG96, BG95, EC2x, EG9x): BG96 FTP(S) AT Commands Manual V1.0",
          strcmp(qftp_dialect_name(QFTP_DIALECT_BG96), DEFAULT_DIALECT) == 0);
    value(out, arg, qftp_dialect_name(QFTP_DIALECT_GSM),
          "GSM M-series (M95, M66, MC60): GSM FTP AT Commands V1.1",
          strcmp(qftp_dialect_name(QFTP_DIALECT_GSM), DEFAULT_DIALECT) == 0);
}

/* Qt's QRegularExpression, unanchored unless told: every pattern is ^...$. The extcap
 * grammar ends a value at "}" followed by "{", a blank or the end: none of these has one. */
static char *endpoint_validation(void)
{
    return g_strdup("^(/.+|tcp:.+:[0-9]+)$");
}

/* The fault kinds of the simulator's own table. */
static char *fault_kinds(const char *sep)
{
    GString *s = g_string_new(NULL);
    for (int k = 0; k < SIM_FAULT__COUNT; k++)
        g_string_append_printf(s, "%s%s", k ? sep : "", sim_fault_name((sim_fault_kind)k));
    return g_string_free(s, FALSE);
}

static char *fault_validation(void)
{
    char *kinds = fault_kinds("|");
    char *re = g_strdup_printf("^(%s)(:.*)?$", kinds);
    g_free(kinds);
    return re;
}

static const xc_arg relay_args[] = {
    {"--device", "Module's AT port", "string", DEFAULT_DEVICE,
     "The module's AT port: a serial port (/dev/ttyUSB2, /dev/serial/by-id/...), a pty, or "
     "tcp:HOST:PORT for a serial-over-TCP bridge (ser2net, qftp sim --listen)",
     "Module", true, NULL, endpoint_validation},
    {"--baud", "Baud rate", "selector", NULL,
     "The serial port's rate (a pty or tcp: ignores it; a module's USB ports take any)", "Module",
     false, baud_values, NULL},
    {"--flow", "Flow control", "selector", NULL,
     "Serial flow control; binary data mode wants none or RTS/CTS", "Module", false, flow_values,
     NULL},
    {"--host", "Host side", "string", DEFAULT_RELAY_HOST,
     "Where the host application connects instead of the module: a path, made a symbolic "
     "link to a new pty, or tcp:HOST:PORT to listen on (one client at a time)",
     "Host", true, NULL, endpoint_validation},
    {NULL}};

static const xc_arg sim_args[] = {
    {"--dialect", "Dialect", "selector", NULL,
     "Which module the simulator plays, and which manual's commands it answers", "Module", false,
     dialect_values, NULL},
    {"--fault", "Fault", "string", NULL,
     "Optional: a firmware regression to emulate, KIND[:COMMAND[:ARG]], e.g. "
     "drop-urc:+QFTPGET or delay-urc:+QFTPOPEN:3000 (docs/simulator.md, Faults)",
     "Module", false, NULL, fault_validation},
    {"--revision", "Firmware revision", "string", NULL,
     "Optional: what ATI, AT+GMR and AT+CGMR answer (default BG96MAR02A07M1G or M95FAR02A08)",
     "Module", false, NULL, NULL},
    {"--host", "Host side", "string", DEFAULT_SIM_HOST,
     "Where a terminal or the host application talks to the simulated module: a path, made a "
     "symbolic link to a new pty, or tcp:HOST:PORT to listen on",
     "Host", true, NULL, endpoint_validation},
    {NULL}};

static int capture_relay(xc_opts *o);
static int capture_sim(xc_opts *o);

static const xc_iface ifaces[] = {
    {"qftp-relay", "qftp relay: a Quectel module's AT port", relay_args, capture_relay},
    {"qftp-sim", "qftp simulator: a Quectel BG96 or GSM module", sim_args, capture_sim},
};
#define N_IFACES (sizeof ifaces / sizeof ifaces[0])

static const xc_iface *find_iface(const char *name)
{
    for (size_t i = 0; i < N_IFACES; i++)
        if (strcmp(ifaces[i].name, name) == 0)
            return &ifaces[i];
    return NULL;
}

static bool iface_has(const xc_iface *ifc, const char *call)
{
    for (const xc_arg *a = ifc->args; a->call; a++)
        if (strcmp(a->call, call) == 0)
            return true;
    return false;
}

/* ---- the answers ------------------------------------------------------------------------- */

/* The help link of the extcap line: the guide, where it is installed or in the tree. */
static char *help_url(void)
{
    const char *const where[] = {QFTP_EXTCAP_DOCDIR "/wireshark.md",
                                 "/usr/share/doc/qftp/wireshark.md",
                                 QFTP_EXTCAP_SRCDIR "/docs/wireshark.md"};
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++)
        if (access(where[i], R_OK) == 0)
            return g_strdup_printf("file://%s", where[i]);
    return NULL;
}

static void print_extcap_line(GString *out)
{
    char *help = help_url();
    g_string_append_printf(out, "extcap {version=%s}{display=qftp: Quectel FTP AT commands}",
                           QFTP_VERSION);
    if (help)
        g_string_append_printf(out, "{help=%s}", help);
    g_string_append_c(out, '\n');
    g_free(help);
}

static void print_interfaces(GString *out)
{
    print_extcap_line(out);
    for (size_t i = 0; i < N_IFACES; i++)
        g_string_append_printf(out, "interface {value=%s}{display=%s}\n", ifaces[i].name,
                               ifaces[i].display);
}

static void print_dlts(GString *out)
{
    g_string_append_printf(out,
                           "dlt {number=%d}{name=WIRESHARK_UPPER_PDU}{display=qftp capture: the "
                           "module's serial bytes for the qftp dissector}\n",
                           QFTP_LINKTYPE_UPPER_PDU);
}

static void print_config(GString *out, const xc_iface *ifc)
{
    int n = 0;
    for (const xc_arg *a = ifc->args; a->call; a++, n++) {
        g_string_append_printf(out, "arg {number=%d}{call=%s}{display=%s}{type=%s}", n, a->call,
                               a->display, a->type);
        if (a->def)
            g_string_append_printf(out, "{default=%s}", a->def);
        g_string_append_printf(out, "{tooltip=%s}", a->tooltip);
        if (a->validation) {
            char *re = a->validation();
            g_string_append_printf(out, "{validation=%s}", re);
            g_free(re);
        }
        g_string_append_printf(out, "{required=%s}{group=%s}\n", a->required ? "true" : "false",
                               a->group);
    }
    n = 0;
    for (const xc_arg *a = ifc->args; a->call; a++, n++)
        if (a->values)
            a->values(out, n);
}

/* ---- the capture ------------------------------------------------------------------------ */

/* The host side of --host for `qftp record` and `qftp sim`: --pty PATH or --listen HOST:PORT. */
static void host_args(GPtrArray *v, const char *host)
{
    if (strncmp(host, "tcp:", 4) == 0) {
        g_ptr_array_add(v, "--listen");
        g_ptr_array_add(v, (char *)host + 4);
    } else {
        g_ptr_array_add(v, "--pty");
        g_ptr_array_add(v, (char *)host);
    }
}

/* Parses argv as the command `c` would and runs it with pipe_end_stops set by `mark`. */
static int run_part(const tool_command *c, GPtrArray *v, void (*mark)(void *opts))
{
    tool_parsed p;
    tool_parse(c, (int)v->len, (char **)v->pdata, &p);
    int rc;
    if (p.status != 0) {
        /* checked before; a part's own check has the last word */
        fputs(p.status == 1 ? "" : p.error, stderr);
        rc = EXIT_USAGE;
    } else {
        mark(p.opts);
        rc = c->run(p.opts, p.argc, p.argv);
    }
    tool_parsed_free(c, &p);
    return rc;
}

static void mark_record(void *opts)
{
    ((rec_cmdline *)opts)->pipe_end_stops = true;
}

static void mark_sim(void *opts)
{
    ((sim_cmdline *)opts)->pipe_end_stops = true;
}

static int capture_relay(xc_opts *o)
{
    GPtrArray *v = g_ptr_array_new();
    g_ptr_array_add(v, "record");
    g_ptr_array_add(v, "--device");
    g_ptr_array_add(v, (char *)o->device_v);
    host_args(v, o->host_v);
    if (o->baud_v) {
        g_ptr_array_add(v, "--baud");
        g_ptr_array_add(v, (char *)o->baud_v);
    }
    if (o->serial.flow) {
        g_ptr_array_add(v, "--flow");
        g_ptr_array_add(v, o->serial.flow);
    }
    g_ptr_array_add(v, "--write");
    g_ptr_array_add(v, o->fifo);
    g_ptr_array_add(v, "--quiet"); /* notes on stderr would read as errors in Wireshark */
    g_ptr_array_add(v, NULL);
    v->len--;
    int rc = run_part(&qftp_cmd_record, v, mark_record);
    g_ptr_array_free(v, TRUE);
    return rc;
}

static int capture_sim(xc_opts *o)
{
    GPtrArray *v = g_ptr_array_new();
    g_ptr_array_add(v, "sim");
    g_ptr_array_add(v, "--dialect");
    g_ptr_array_add(v, (char *)o->dialect_v);
    host_args(v, o->host_v);
    if (o->fault) {
        g_ptr_array_add(v, "--fault");
        g_ptr_array_add(v, o->fault);
    }
    if (o->revision) {
        g_ptr_array_add(v, "--revision");
        g_ptr_array_add(v, o->revision);
    }
    g_ptr_array_add(v, "--capture");
    g_ptr_array_add(v, o->fifo);
    g_ptr_array_add(v, NULL);
    v->len--;
    int rc = run_part(&qftp_cmd_sim, v, mark_sim);
    g_ptr_array_free(v, TRUE);
    return rc;
}

/* ---- the command -------------------------------------------------------------------------- */

static void xc_options(tool_cmdline *cl, void *opts)
{
    xc_opts *o = opts;
    o->fifo_fd = -1;
    const GOptionEntry proto[] = {
        {"extcap-interfaces", 0, 0, G_OPTION_ARG_NONE, &o->list,
         "list the interfaces (qftp-relay, qftp-sim) after an extcap line", NULL},
        {"extcap-version", 0, 0, G_OPTION_ARG_FILENAME, &o->ws_version,
         "the calling Wireshark's version (--extcap-version=4.0); alone: print the extcap "
         "line",
         "X.Y"},
        {"extcap-interface", 0, 0, G_OPTION_ARG_FILENAME, &o->iface,
         "the interface the other options are about", "qftp-relay|qftp-sim"},
        {"extcap-dlts", 0, 0, G_OPTION_ARG_NONE, &o->dlts,
         "print the interface's link type (252, a qftp capture)", NULL},
        {"extcap-config", 0, 0, G_OPTION_ARG_NONE, &o->config,
         "print the interface's options for Wireshark's dialog", NULL},
        {"capture", 0, 0, G_OPTION_ARG_NONE, &o->capture,
         "capture on the interface into --fifo until SIGTERM or until the fifo's reader "
         "goes away",
         NULL},
        {"fifo", 0, 0, G_OPTION_ARG_FILENAME, &o->fifo,
         "where the capture goes: Wireshark's fifo (or a file)", "PATH"},
        {"extcap-capture-filter", 0, 0, G_OPTION_ARG_FILENAME, &o->filter,
         "a capture filter: none applies to a serial byte stream (alone: say so, for "
         "Wireshark's filter field)",
         "FILTER"},
        {"extcap-control-in", 0, 0, G_OPTION_ARG_FILENAME, &o->control_in,
         "toolbar control pipe (accepted; the interfaces have no toolbar)", "PATH"},
        {"extcap-control-out", 0, 0, G_OPTION_ARG_FILENAME, &o->control_out,
         "toolbar control pipe (accepted; the interfaces have no toolbar)", "PATH"},
        {"extcap-reload-option", 0, 0, G_OPTION_ARG_FILENAME, &o->reload,
         "values of a reloadable option (none is: prints nothing)", "OPTION"},
        {"extcap-cleanup-postkill", 0, 0, G_OPTION_ARG_NONE, &o->cleanup,
         "after Wireshark killed a capture: nothing is left to clean (the simulator runs in "
         "the capture's process; a pty link left behind is replaced by the next capture)",
         NULL},
        {NULL}};
    tool_options(cl, NULL, NULL, NULL, proto);
    const GOptionEntry relay[] = {
        {"device", 0, 0, G_OPTION_ARG_FILENAME, &o->device,
         "the module: a serial port, a pty, or tcp:HOST:PORT (default " DEFAULT_DEVICE ")",
         "DEVICE"},
        {"host", 0, 0, G_OPTION_ARG_FILENAME, &o->host,
         "the host side: PATH (a pty linked there) or tcp:HOST:PORT (listen); default "
         "" DEFAULT_RELAY_HOST " (qftp-relay), " DEFAULT_SIM_HOST " (qftp-sim)",
         "PATH|tcp:HOST:PORT"},
        {NULL}};
    tool_options(cl, "relay",
                 "Interface qftp-relay (also --host):", "Show the options of interface qftp-relay",
                 relay);
    rp_serial_options(cl, &o->serial);
    const GOptionEntry sim[] = {{"dialect", 0, 0, G_OPTION_ARG_FILENAME, &o->dialect,
                                 "the simulated module (default " DEFAULT_DIALECT ")", "bg96|gsm"},
                                {"fault", 0, 0, G_OPTION_ARG_FILENAME, &o->fault,
                                 "a firmware regression to emulate, as qftp sim --fault", "SPEC"},
                                {"revision", 0, 0, G_OPTION_ARG_FILENAME, &o->revision,
                                 "firmware revision answered to ATI, AT+GMR and AT+CGMR", "TEXT"},
                                {NULL}};
    tool_options(cl, "sim",
                 "Interface qftp-sim (also --host):", "Show the options of interface qftp-sim",
                 sim);
}

/* Wireshark's fifo, opened before anything else can fail (see the top of the file): an
 * open of a fifo waits for its reader, which Wireshark's dumpcap is. */
static void hold_fifo(xc_opts *o)
{
    struct stat st;
    if (o->fifo && stat(o->fifo, &st) == 0 && S_ISFIFO(st.st_mode))
        o->fifo_fd = open(o->fifo, O_WRONLY | O_CLOEXEC);
}

/* The options an interface does not have, if given. */
static int foreign_options(tool_cmdline *cl, const xc_opts *o)
{
    const struct {
        const char *call;
        const void *given;
    } given[] = {{"--device", o->device},    {"--baud", o->serial.baud},
                 {"--flow", o->serial.flow}, {"--dialect", o->dialect},
                 {"--fault", o->fault},      {"--revision", o->revision}};
    for (size_t i = 0; i < sizeof given / sizeof given[0]; i++)
        if (given[i].given && !iface_has(o->ifc, given[i].call))
            return tool_usage(cl, "%s is not an option of %s", given[i].call, o->ifc->name);
    return 0;
}

static int check_endpoint(tool_cmdline *cl, const char *option, const char *v)
{
    if (strncmp(v, "tcp:", 4) == 0)
        return tool_check_device(cl, option, v);
    if (v[0] != '/')
        return tool_usage(cl, "%s %s: expected an absolute path or tcp:HOST:PORT", option, v);
    return 0;
}

static int check_relay(tool_cmdline *cl, xc_opts *o)
{
    o->device_v = o->device ? o->device : DEFAULT_DEVICE;
    o->host_v = o->host ? o->host : DEFAULT_RELAY_HOST;
    o->baud_v = o->serial.baud ? o->serial.baud : DEFAULT_BAUD;
    if (strcmp(o->baud_v, BAUD_KEEP) == 0)
        o->baud_v = NULL;
    if (check_endpoint(cl, "--device", o->device_v) != 0 ||
        check_endpoint(cl, "--host", o->host_v) != 0)
        return EXIT_USAGE;
    rp_serial_args s = {.baud = (char *)o->baud_v, .flow = o->serial.flow};
    return rp_serial_check(cl, &s);
}

static int check_sim(tool_cmdline *cl, xc_opts *o)
{
    o->dialect_v = o->dialect ? o->dialect : DEFAULT_DIALECT;
    o->host_v = o->host ? o->host : DEFAULT_SIM_HOST;
    int d = qftp_dialect_from_name(o->dialect_v);
    if (d != QFTP_DIALECT_GSM && d != QFTP_DIALECT_BG96)
        return tool_bad_choice(cl, "--dialect", o->dialect_v);
    if (o->fault) {
        sim_fault f;
        char err[QFTP_ERRBUF_SIZE];
        if (sim_fault_parse(o->fault, &f, err) != 0)
            return tool_usage(cl, "--fault %s", err);
    }
    return check_endpoint(cl, "--host", o->host_v);
}

static int xc_check(tool_cmdline *cl, void *opts, int argc, char **argv)
{
    xc_opts *o = opts;
    if (o->capture)
        hold_fifo(o);
    if (argc > 0)
        return tool_usage(cl, "unexpected argument '%s' (extcap takes options only)", argv[0]);
    bool verify = o->filter && !o->capture;
    int modes = (o->list != 0) + (o->dlts != 0) + (o->config != 0) + (o->capture != 0) +
                (verify ? 1 : 0) + (o->reload != NULL) + (o->cleanup != 0);
    if (modes == 0 && o->ws_version)
        return 0; /* the extcap line alone */
    if (modes != 1)
        return tool_usage(cl, "needs one of --extcap-interfaces, --extcap-dlts, --extcap-config, "
                              "--capture, --extcap-capture-filter (Wireshark runs qftp extcap "
                              "with exactly one of them)");
    if (o->list || o->cleanup)
        return 0;
    if (!o->iface)
        return tool_usage(cl, "needs --extcap-interface qftp-relay|qftp-sim");
    o->ifc = find_iface(o->iface);
    if (!o->ifc)
        return tool_bad_choice(cl, "--extcap-interface", o->iface);
    if (!o->capture)
        return 0; /* Wireshark may pass stored options along: they are not checked here */
    if (!o->fifo)
        return tool_usage(cl, "--capture needs --fifo PATH");
    if (o->filter && o->filter[0])
        return tool_usage(cl,
                          "--extcap-capture-filter %s: capture filters do not apply to a "
                          "serial byte stream; use a display filter (qftp)",
                          o->filter);
    if (foreign_options(cl, o) != 0)
        return EXIT_USAGE;
    return o->ifc == find_iface("qftp-relay") ? check_relay(cl, o) : check_sim(cl, o);
}

static int xc_run(void *opts, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    xc_opts *o = opts;
    if (o->capture)
        return o->ifc->capture(o);
    GString *out = g_string_new(NULL);
    if (o->list)
        print_interfaces(out);
    else if (o->dlts)
        print_dlts(out);
    else if (o->config)
        print_config(out, o->ifc);
    else if (o->filter) /* Wireshark's filter field: no output, a valid filter */
        g_string_append(out, o->filter[0] ? "capture filters do not apply to a serial byte "
                                            "stream; use a display filter (qftp)\n"
                                          : "");
    else if (!o->reload && !o->cleanup) /* --extcap-version alone */
        print_extcap_line(out);
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
    return fflush(stdout) == 0 ? 0 : 1;
}

static void xc_done(void *opts)
{
    xc_opts *o = opts;
    /* Our end of the fifo goes last: whatever ended the capture, Wireshark's reader sees
     * the end of the stream now (4.0: no hang after an error). */
    if (o->fifo_fd >= 0)
        close(o->fifo_fd);
    o->fifo_fd = -1;
}

static const tool_example xc_examples[] = {
    {NULL, "tshark -i qftp-relay -o extcap.qftp_relay.device:/dev/ttyUSB2",
     "decode a module's AT port live, the host application on /tmp/ttyQFTP"},
    {NULL, "tshark -i qftp-sim -o extcap.qftp_sim.host:tcp:127.0.0.1:5555",
     "a simulated BG96 on a TCP port, its session decoded live"},
    {NULL, "qftp extcap --extcap-interface qftp-relay --extcap-config",
     "what Wireshark's options dialog of the relay shows"},
    {NULL}};

static const tool_exit xc_exits[] = {
    {0, "the answer was printed, or Wireshark ended the capture (SIGTERM, or its fifo closed)"},
    {1, "the capture could not be written, or the simulator's event loop failed"},
    {2, "usage error (an unknown interface, a bad option value, a capture filter), or the "
        "host side or the capture cannot be set up"},
    {3, "the relay's device cannot be opened, or went away during the capture"},
    {-1}};

const tool_command qftp_cmd_extcap = {
    .name = "extcap",
    .args = NULL,
    .summary = "capture interfaces for Wireshark: the relay and the simulator, decoded live",
    .description =
        "Wireshark runs this command (installed as qftp-extcap in its extcap folder) to "
        "list two capture interfaces and to capture on them: qftp-relay, the relay of qftp "
        "record between a host application and a module, and qftp-sim, the simulator of qftp "
        "sim. Their options are set in Wireshark's interface options (the gear beside the "
        "interface) or with tshark -o extcap.qftp_relay.NAME:VALUE, and Wireshark keeps them. "
        "Every read is a frame with its direction and time, in Wireshark as it passes.\n\n"
        "Errors (a device that cannot be opened, a pty link that cannot be made) go to "
        "standard error, which Wireshark shows when the capture ends; nothing else does.",
    .examples = xc_examples,
    .exits = xc_exits,
    .docs = "docs/wireshark.md",
    .opts_size = sizeof(xc_opts),
    .options = xc_options,
    .check = xc_check,
    .run = xc_run,
    .done = xc_done,
};
