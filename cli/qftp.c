/* qftp.c - the qftp command-line tool: dispatch to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "qftptool/tool.h"

static void usage(FILE *f)
{
    fputs("usage: qftp COMMAND [options]\n"
          "\n"
          "Analyse the FTP AT commands of Quectel modules (GSM M-series and BG96 family).\n"
          "\n"
          "commands:\n"
          "  show    decode a capture or a text log into a transcript (or --json)\n"
          "  import  turn a terminal log into a qftp capture for Wireshark\n",
          f);
#ifdef HAVE_QFTPSIM
    fputs("  sim     a simulated module on a pty or a TCP port, doing real FTP\n", f);
#endif
#ifdef HAVE_QFTPREPLAY
    fputs("  replay  replay captured sessions against a module and compare\n"
          "  record  relay between a host application and a module, recording both ways\n",
          f);
#endif
    fputs("\n"
          "`qftp COMMAND --help` describes each command; docs/ has the guides.\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "show") == 0)
        return cmd_show(argc - 1, argv + 1);
    if (strcmp(cmd, "import") == 0)
        return cmd_import(argc - 1, argv + 1);
#ifdef HAVE_QFTPSIM
    if (strcmp(cmd, "sim") == 0)
        return cmd_sim(argc - 1, argv + 1);
#endif
#ifdef HAVE_QFTPREPLAY
    if (strcmp(cmd, "replay") == 0)
        return cmd_replay(argc - 1, argv + 1);
    if (strcmp(cmd, "record") == 0)
        return cmd_record(argc - 1, argv + 1);
#endif
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("qftp %s\n", QFTP_VERSION);
        return 0;
    }
    return tool_usage_error(usage, "unknown command '%s'", cmd);
}
