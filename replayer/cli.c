/* cli.c - what the command lines of `qftp replay` and `qftp record` share: the serial port
 * options of the module end. */
#include "cli.h"

void rp_serial_options(tool_cmdline *cl, rp_serial_args *a)
{
    const GOptionEntry serial[] = {
        {"baud", 0, 0, G_OPTION_ARG_FILENAME, &a->baud,
         "serial rate (default: keep the port's; ignored for a pty or tcp:)", "N"},
        {"flow", 0, 0, G_OPTION_ARG_FILENAME, &a->flow, "serial flow control (default none)",
         "none|rtscts|xonxoff"},
        {NULL}};
    tool_options(cl, "serial", "Serial port options:", "Show the serial port options", serial);
}

int rp_serial_check(tool_cmdline *cl, rp_serial_args *a)
{
    if (a->baud) {
        char *end;
        a->baud_v = strtol(a->baud, &end, 10);
        if (*end || end == a->baud || !rp_baud_valid(a->baud_v))
            return tool_usage(cl, "--baud %s: not a supported rate", a->baud);
    }
    if (a->flow) {
        int fl = rp_flow_from_name(a->flow);
        if (fl < 0)
            return tool_bad_choice(cl, "--flow", a->flow);
        a->flow_v = (rp_flow)fl;
    }
    return 0;
}
