/* tool.c - the tool layer's usage-error path. */
#include "qftptool/tool.h"

#include <stdarg.h>

int tool_usage_error(void (*usage)(FILE *), const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("qftp: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (usage)
        usage(stderr);
    return 2;
}
