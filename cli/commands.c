/* commands.c - the qftp program: its commands, in the order `qftp --help` lists them,
 * and what it says about itself. */
#include "commands.h"

static const tool_command *const qftp_commands[] = {
    &qftp_cmd_show,
    &qftp_cmd_report,
    &qftp_cmd_import,
#ifdef HAVE_QFTPREPLAY
    &qftp_cmd_replay,
    &qftp_cmd_record,
#endif
#ifdef HAVE_QFTPSIM
    &qftp_cmd_sim,
#endif
#ifdef HAVE_QFTPEXTCAP
    &qftp_cmd_extcap,
#endif
    NULL,
};

static const tool_example examples[] = {
    {"Support", "qftp show --redact customer.log",
     "read a customer's terminal log as a transcript, passwords masked"},
    {"Wireshark", "qftp import customer.log -w customer.pcap && wireshark customer.pcap",
     "turn the log into a capture and open it with the qftp plugin"},
    {"Firmware QA", "qftp replay golden/*.pcap --device /dev/ttyUSB2 --junit results.xml",
     "replay golden sessions against new firmware, JUnit XML for CI"},
    {"Simulator", "qftp sim --dialect bg96 --pty /tmp/bg96 --capture session.pcap",
     "a simulated BG96 on a pty, doing real FTP, its session recorded"},
    {NULL}};

static const tool_exit exits[] = {{0, "help or version printed"},
                                  {2, "usage error: no command, an unknown command or option"},
                                  {-1}};

const tool_program qftp_program = {
    .name = "qftp",
    .summary = "analyse the FTP AT commands of Quectel cellular modules",
    .description =
        "Quectel modules run an FTP client driven over a serial line with AT commands "
        "(AT+QFTPOPEN, AT+QFTPGET, ...), answered by result codes, URCs and binary data "
        "mode. qftp decodes captures and terminal logs of that traffic for both dialects, "
        "GSM (M95, M66, MC60) and BG96 (BG96, BG95, EC2x, EG9x), turns logs into captures "
        "for its Wireshark plugin, replays recorded sessions against a module and compares "
        "its answers, records sessions, and simulates a module.\n\n"
        "Wherever a command reads a log or a capture, - means standard input; where it "
        "writes a capture, -w - means standard output.",
    .commands = qftp_commands,
    .examples = examples,
    .exits = exits,
};
