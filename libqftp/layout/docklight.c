/* docklight.c - a Docklight log file (plain text): one entry per transfer, a blank line
 * after each,
 *
 *   30.11.2026 11:02:15.311 [TX] - AT+QFTPPUT="report.csv","COM:",0<CR>
 *   30.11.2026 11:02:15.316 [RX] - AT+QFTPPUT="report.csv","COM:",0<CR><CR><LF>
 *
 * the date in the short form of the Windows locale (30.11.2026, 11/30/2026, 2026-11-30),
 * [TX] what Docklight sent (the host's side in Send/Receive mode), [RX] what it received,
 * control characters by name (<CR>, <LF>, <NUL>, <ESC> ...), or the bytes in hex when the
 * communication window shows HEX ("41 54 0D"). Every entry is exact bytes.
 */
#include <glib.h>
#include <string.h>

#include "../logimport_int.h"

/* "<date> <time> [TX] - ": where the bytes start, 0 if this is no entry. */
static size_t entry_head(const uint8_t *s, size_t n, log_stamp *st, qftp_dir *dir)
{
    *st = LOG_NO_STAMP;
    size_t t = log_parse_time(s, n, st);
    if (t == 0 || !st->dated || t + 8 > n || s[t] != ' ' || s[t + 1] != '[' || s[t + 4] != ']' ||
        memcmp(s + t + 5, " - ", 3) != 0)
        return 0;
    if (g_ascii_strncasecmp((const char *)s + t + 2, "TX", 2) == 0)
        *dir = QFTP_DIR_TX;
    else if (g_ascii_strncasecmp((const char *)s + t + 2, "RX", 2) == 0)
        *dir = QFTP_DIR_RX;
    else
        return 0;
    return t + 8;
}

static bool docklight_probe(const uint8_t *s, size_t n)
{
    log_stamp st;
    qftp_dir d;
    return entry_head(s, n, &st, &d) > 0;
}

static int docklight_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    log_text_state *p = state;
    while (n && s[n - 1] == '\r')
        n--;
    if (log_blank(s, n))
        return 0;
    log_stamp st;
    qftp_dir dir;
    size_t off = entry_head(s, n, &st, &dir);
    if (!off) {
        /* a comment or a note Docklight's user added between entries */
        log_skipped(c);
        return 0;
    }
    if (!log_hex_bytes(s + off, n - off, p->scratch)) {
        g_byte_array_set_size(p->scratch, 0);
        log_unescape(p->scratch, s + off, n - off, LOG_ESC_NAMES);
    }
    log_tline l = {p->scratch->data, p->scratch->len, true, true, dir, st,
                   LOG_EOL_NONE,     c->r.line_no};
    return log_transcript_line(c, p->t, &l);
}

static void docklight_describe(const uint8_t *s, size_t n, char *out, size_t cap)
{
    log_stamp st;
    qftp_dir d;
    size_t off = entry_head(s, n, &st, &d);
    snprintf(out, cap, "Docklight's entries \"%.*s\" ([TX] sent, [RX] received, <CR> <LF> by name)",
             (int)off, (const char *)s);
}

const log_layout log_layout_docklight = {
    .id = QFTP_FMT_DOCKLIGHT,
    .name = "docklight",
    .probe = docklight_probe,
    .share = 2,
    .state_size = sizeof(log_text_state),
    .open = log_text_open,
    .line = docklight_line,
    .finish = log_text_finish,
    .cleanup = log_text_cleanup,
    .describe = docklight_describe,
};
