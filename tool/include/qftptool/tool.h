/* qftptool/tool.h - the tool layer of the qftp tool: a library every command links
 * (cli/, replayer/, simulator/), so nothing outside cli/ reaches into cli/.
 *   qftptool/cmd.h    a command's registration, option parsing, help, errors
 *   qftptool/input.h  a capture or a text log, from a file or standard input
 *   qftptool/json.h   the streaming JSON writer of the --json outputs
 */
#ifndef QFTPTOOL_TOOL_H
#define QFTPTOOL_TOOL_H

#include "qftptool/cmd.h"

#ifndef QFTP_VERSION
#error "QFTP_VERSION comes from the build (CMake project version)"
#endif

#endif
