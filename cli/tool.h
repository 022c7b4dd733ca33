/* tool.h - what the subcommands of the qftp tool share. */
#ifndef QFTP_CLI_TOOL_H
#define QFTP_CLI_TOOL_H

#include <stdio.h>

#define QFTP_VERSION "0.1.0"

/* Prints "qftp: <message>" and the usage to stderr; returns 2 (usage error). */
int tool_usage_error(void (*usage)(FILE *), const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

int cmd_show(int argc, char **argv);
int cmd_import(int argc, char **argv);
/* Provided by the parts when they are built (see CMakeLists.txt). */
int cmd_sim(int argc, char **argv);    /* simulator/ */
int cmd_replay(int argc, char **argv); /* replayer/ */
int cmd_record(int argc, char **argv); /* replayer/ */

#endif
