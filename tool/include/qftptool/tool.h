/* qftptool/tool.h - what the commands of the qftp tool share: the one usage-error path.
 * The tool layer (this library: option handling, JSON writer, input opening) is linked
 * by cli/, replayer/ and simulator/; nothing outside cli/ reaches into cli/. */
#ifndef QFTPTOOL_TOOL_H
#define QFTPTOOL_TOOL_H

#include <stdio.h>

#ifndef QFTP_VERSION
#error "QFTP_VERSION comes from the build (CMake project version)"
#endif

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
