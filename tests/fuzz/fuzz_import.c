/* fuzz_import.c - the log importer in every layout, --regex and --redact included.
 *
 * Input: one byte (low 4 bits: the layout, AUTO for values past the last; bit 4: redact;
 * bit 5: the regex is taken from the input, up to a NUL, else one of the documented
 * examples), then the log. The records go on into a session, as `qftp show` does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "qftp/logimport.h"
#include "qftp/session.h"

static const char *const regexes[] = {
    "^(?<time>\\S+) \\| (?<dir>\\w+)\\s*\\| (?<data>.*)$",
    "^\\[(?<time>[^]]+)\\] (?<dir>TX|RX): (?<data>.*)$",
    "^(?<dir>[<>]) (?<data>.*)$",
};

static int on_record(void *user, const qftp_record *rec)
{
    qftp_session_feed(user, rec->dir, rec->data, rec->len, rec->ts, rec->line_no);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t opt = data[0];
    data++, size--;
    qftp_import_opts o;
    qftp_import_opts_init(&o);
    unsigned f = opt & 15;
    o.format = f < QFTP_FMT_REGEX + 1 ? (qftp_log_format)f : QFTP_FMT_AUTO;
    o.redact = (opt & 16) != 0;
    char *re = NULL;
    if (o.format == QFTP_FMT_REGEX) {
        const uint8_t *nul = (opt & 32) ? memchr(data, 0, size) : NULL;
        if (nul) {
            re = strndup((const char *)data, (size_t)(nul - data));
            size -= (size_t)(nul - data) + 1;
            data = nul + 1;
        } else {
            re = strdup(regexes[(opt >> 6) % 3]);
        }
        o.regex = re;
    }
    FILE *in = fmemopen((void *)data, size ? size : 1, "rb");
    if (!in || !size) {
        if (in)
            fclose(in);
        free(re);
        return 0;
    }
    qftp_session_opts so;
    qftp_session_opts_init(&so);
    so.redact = o.redact;
    char err[QFTP_ERRBUF_SIZE];
    qftp_session *s = qftp_session_new(&so, err);
    qftp_log_format used;
    qftp_log_import(in, &o, on_record, s, &used, err);
    qftp_session_finish(s, INT64_MAX / 2);
    qftp_session_free(s);
    fclose(in);
    free(re);
    return 0;
}
