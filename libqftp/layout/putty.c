/* putty.c - a PuTTY session log (Session > Logging: "Printable output" or "All session
 * output"): the header PuTTY writes each time it opens the log,
 *
 *   =~=~=~=~=~=~=~=~=~=~=~= PuTTY log 2026.11.30 14:02:11 =~=~=~=~=~=~=~=~=~=~=~=
 *
 * then what the terminal received, as it came (the module's echo shows the commands).
 * The header is not traffic; its date and time are the base of the times, which the log
 * has none of: records get times synthesised from it, 1 ms apart (marked). The rest is
 * read as a plain log (the transcript).
 */
#include <glib.h>
#include <string.h>

#include "../logimport_int.h"

#define PUTTY_MARK "=~=~=~=~=~=~=~=~=~=~=~= PuTTY log "

/* The header's time, or false. */
static bool putty_header(const uint8_t *s, size_t n, log_stamp *st)
{
    size_t m = strlen(PUTTY_MARK);
    if (n < m + 19 || memcmp(s, PUTTY_MARK, m) != 0)
        return false;
    *st = LOG_NO_STAMP;
    return log_parse_time(s + m, n - m, st) > 0;
}

static bool putty_probe(const uint8_t *s, size_t n)
{
    log_stamp st;
    return putty_header(s, n, &st);
}

static int putty_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    size_t len = n;
    while (len && s[len - 1] == '\r')
        len--;
    log_stamp st;
    if (putty_header(s, len, &st)) {
        /* (re)opened log: the times go on from its date */
        if (!c->e.have_last || st.ts > c->e.last) {
            c->e.base = st.ts;
            c->e.have_base = true;
            c->e.have_last = false;
        }
        return 0;
    }
    return log_text_line(c, state, s, n, false, QFTP_DIR_RX, LOG_NO_STAMP, true);
}

static void putty_describe(const uint8_t *s, size_t n, char *out, size_t cap)
{
    size_t m = strlen(PUTTY_MARK);
    snprintf(out, cap,
             "PuTTY's header \"PuTTY log %.*s\": times synthesised from its date, 1 ms apart",
             n > m + 19 ? 19 : 0, (const char *)s + m);
}

const log_layout log_layout_putty = {
    .id = QFTP_FMT_PUTTY,
    .name = "putty",
    .probe = putty_probe,
    .share = 0,
    .state_size = sizeof(log_text_state),
    .open = log_text_open,
    .line = putty_line,
    .finish = log_text_finish,
    .cleanup = log_text_cleanup,
    .describe = putty_describe,
};
