/* regex.c - any layout, through a Perl-compatible regex (--regex) with the named group
 * `data` and optionally `time` and `dir`; never auto-detected. A line that does not match
 * is not traffic: it is skipped and counted. Without `dir`, the lines are read like a
 * plain log (AT... is the host's); the data group goes through the transcript either way.
 */
#include <glib.h>
#include <string.h>

#include "../logimport_int.h"

typedef struct {
    log_text_state text;
    GRegex *re;
    bool has_time, has_dir;
} regex_state;

static bool host_word(const uint8_t *s, size_t n)
{
    static const char *const host[] = {">",     ">>",  "->", "tx",        "send",
                                       "sent",  "out", "h",  "host",      "w",
                                       "write", "dte", "te", "to module", "to modem"};
    for (size_t k = 0; k < G_N_ELEMENTS(host); k++)
        if (n == strlen(host[k]) && g_ascii_strncasecmp((const char *)s, host[k], n) == 0)
            return true;
    return false;
}

static int regex_open(log_ctx *c, void *state)
{
    regex_state *rs = state;
    if (!c->o->regex) {
        LOG_ERR(c, "the regex format needs a regular expression (--regex)");
        return -1;
    }
    GError *gerr = NULL;
    rs->re = g_regex_new(c->o->regex, G_REGEX_RAW | G_REGEX_OPTIMIZE, 0, &gerr);
    if (!rs->re) {
        LOG_ERR(c, "--regex: %s", gerr->message);
        g_error_free(gerr);
        return -1;
    }
    if (g_regex_get_string_number(rs->re, "data") < 0) {
        LOG_ERR(c, "--regex needs the named group (?<data>...); (?<time>...) and (?<dir>...) are "
                   "optional");
        return -1;
    }
    rs->has_time = g_regex_get_string_number(rs->re, "time") >= 0;
    rs->has_dir = g_regex_get_string_number(rs->re, "dir") >= 0;
    return log_text_open(c, &rs->text);
}

static int regex_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    regex_state *rs = state;
    if (n && s[n - 1] == '\r')
        n--;
    if (log_blank(s, n))
        return 0;
    GMatchInfo *mi = NULL;
    if (!g_regex_match_full(rs->re, (const gchar *)s, (gssize)n, 0, 0, &mi, NULL)) {
        g_match_info_free(mi);
        log_skipped(c);
        return 0;
    }
    int a, b;
    log_stamp st = LOG_NO_STAMP;
    if (rs->has_time && g_match_info_fetch_named_pos(mi, "time", &a, &b) && b > a) {
        if (log_parse_time(s + a, (size_t)(b - a), &st) == 0) {
            LOG_ERR(c, "line %llu: the time \"%.*s\" is not a date and time", LN(c->r.line_no),
                    b - a > 40 ? 40 : b - a, (const char *)s + a);
            g_match_info_free(mi);
            return -1;
        }
    }
    bool dir_known = false;
    qftp_dir dir = QFTP_DIR_RX;
    if (rs->has_dir && g_match_info_fetch_named_pos(mi, "dir", &a, &b) && a >= 0) {
        dir_known = true;
        dir = host_word(s + a, (size_t)(b - a)) ? QFTP_DIR_TX : QFTP_DIR_RX;
    }
    if (!g_match_info_fetch_named_pos(mi, "data", &a, &b) || a < 0)
        a = b = 0;
    g_match_info_free(mi);
    return log_text_line(c, &rs->text, s + a, (size_t)(b - a), dir_known, dir, st, !dir_known);
}

static void regex_cleanup(void *state)
{
    regex_state *rs = state;
    if (rs->re)
        g_regex_unref(rs->re);
    log_text_cleanup(&rs->text);
}

const log_layout log_layout_regex = {
    .id = QFTP_FMT_REGEX,
    .name = "regex",
    .state_size = sizeof(regex_state),
    .open = regex_open,
    .line = regex_line,
    .finish = log_text_finish,
    .cleanup = regex_cleanup,
};
