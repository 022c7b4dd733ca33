/* fuzz_rules.c - the replay rules file and its application: masks on response lines and
 * on data (bytes that are not UTF-8 included), data sorting, rewrites and variables,
 * captures, ignored URCs, selectors, limits, secrets and their scrubbing.
 *
 * Input: the rules file, a NUL, the subject (a line and download data), a NUL, a command
 * line. A missing part is empty. */
#include <string.h>

#include "fuzz.h"
#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *end = data + size;
    const uint8_t *rules_end = memchr(data, 0, size);
    size_t rules_len = rules_end ? (size_t)(rules_end - data) : size;
    const uint8_t *subj = rules_end ? rules_end + 1 : end;
    const uint8_t *subj_end = memchr(subj, 0, (size_t)(end - subj));
    if (!subj_end)
        subj_end = end;
    size_t subj_len = (size_t)(subj_end - subj);
    const uint8_t *cmd = subj_end < end ? subj_end + 1 : end;
    char *subject = g_strndup((const char *)subj, subj_len);
    char *command = g_strndup((const char *)cmd, (gsize)(end - cmd));

    rp_rules *r = rp_rules_new();
    int fd;
    const char *path = fuzz_path(data, rules_len, &fd);
    char err[QFTP_ERRBUF_SIZE];
    if (path && rp_rules_load(r, path, err) == 0) {
        rp_rules_define(r, "pass=fuzz-pw", err);
        char *m = rp_rules_mask_line(r, "+QFTPGET", subject);
        g_free(m);
        m = rp_rules_mask_line(r, NULL, subject);
        g_free(m);
        for (int sort = 0; sort < 2; sort++) {
            bool masked;
            m = rp_rules_mask_data(r, subj, subj_len, sort, &masked);
            g_free(m);
        }
        char *undef = NULL;
        m = rp_rules_command(r, 3, command, &undef);
        if (m)
            rp_rules_note_sent(r, m);
        g_free(m);
        g_free(undef);
        rp_rules_capture(r, subject);
        rp_rules_ignored_urc(r, subject);
        for (int k = RP_RULE_MASK; k <= RP_RULE_MAX_TIME; k++) {
            rp_rules_has(r, (rp_rule_kind)k, 3, command);
            rp_rules_limit(r, (rp_rule_kind)k, 3, command);
        }
        m = rp_rules_scrub(r, subject);
        g_free(m);
        rp_scrubber *sc = rp_scrubber_new(r);
        size_t n;
        rp_scrubber_feed(sc, QFTP_DIR_RX, subj, subj_len / 2, &n);
        rp_scrubber_feed(sc, QFTP_DIR_RX, subj + subj_len / 2, subj_len - subj_len / 2, &n);
        rp_scrubber_flush(sc, QFTP_DIR_RX, &n);
        rp_scrubber_free(sc);
    }
    GArray *ranges = g_array_new(FALSE, FALSE, sizeof(guint));
    rp_steps_parse(command, ranges);
    g_array_free(ranges, TRUE);
    fuzz_path_done(fd);
    rp_rules_free(r);
    g_free(subject);
    g_free(command);
    return 0;
}
