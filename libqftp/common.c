/* common.c - names for the shared enums of qftp/common.h. */
#include <string.h>
#include <strings.h>

#include "qftp/common.h"

const char *qftp_dir_name(qftp_dir dir)
{
    return dir == QFTP_DIR_TX ? "host->module" : "module->host";
}

const char *qftp_dialect_name(qftp_dialect d)
{
    switch (d) {
    case QFTP_DIALECT_GSM:
        return "gsm";
    case QFTP_DIALECT_BG96:
        return "bg96";
    default:
        return NULL;
    }
}

int qftp_dialect_from_name(const char *name)
{
    if (name == NULL)
        return -1;
    if (strcasecmp(name, "gsm") == 0)
        return QFTP_DIALECT_GSM;
    if (strcasecmp(name, "bg96") == 0)
        return QFTP_DIALECT_BG96;
    if (strcasecmp(name, "auto") == 0 || strcasecmp(name, "unknown") == 0)
        return QFTP_DIALECT_UNKNOWN;
    return -1;
}

const char *qftp_severity_name(qftp_severity s)
{
    static const char *const names[] = {"info", "note", "warn", "error"};
    return (unsigned)s < 4 ? names[s] : "?";
}
