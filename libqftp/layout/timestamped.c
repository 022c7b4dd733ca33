/* timestamped.c - the timestamped layout: one record per line with an optional time and
 * a direction marker, "[2024-05-01 10:00:01.123] >> AT..." / "<<", "TX:" / "RX:",
 * "Send" / "Recv" (docs/import.md).
 */
#include <glib.h>
#include <string.h>

#include "../logimport_int.h"

/* A direction word at s (">>", "<<", "TX", "RX", "Send", "Recv", ..., optionally in
 * brackets) and its separator (':' and/or one space). Returns the bytes used, 0 if none. */
static size_t parse_marker(const uint8_t *s, size_t n, qftp_dir *dir)
{
    static const struct {
        const char *w;
        qftp_dir d;
    } words[] = {{">>", QFTP_DIR_TX},   {"<<", QFTP_DIR_RX},       {"TX", QFTP_DIR_TX},
                 {"RX", QFTP_DIR_RX},   {"Sent", QFTP_DIR_TX},     {"Send", QFTP_DIR_TX},
                 {"Rcvd", QFTP_DIR_RX}, {"Received", QFTP_DIR_RX}, {"Receive", QFTP_DIR_RX},
                 {"Recv", QFTP_DIR_RX}};
    size_t i0 = n > 0 && s[0] == '[' ? 1 : 0;
    for (size_t k = 0; k < G_N_ELEMENTS(words); k++) {
        size_t m = strlen(words[k].w), i = i0 + m;
        if (n < i || g_ascii_strncasecmp((const char *)s + i0, words[k].w, m) != 0)
            continue;
        bool arrow = words[k].w[0] == '>' || words[k].w[0] == '<';
        if (i0) {
            if (i >= n || s[i] != ']')
                continue;
            i++;
        }
        if (i < n && s[i] == ':')
            i++;
        else if (!arrow && !i0 && i < n && s[i] != ' ' && s[i] != '\t')
            continue; /* "Sending..." is no marker */
        if (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        *dir = words[k].d;
        return i;
    }
    return 0;
}

/* The time and the marker of a timestamped line; *off gets where the bytes start.
 * false when there is no marker. */
static bool stamped_head(const uint8_t *s, size_t n, log_stamp *st, qftp_dir *dir, size_t *off)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    *st = LOG_NO_STAMP;
    bool br = i < n && s[i] == '[';
    size_t t = log_parse_time(s + i + br, n - i - br, st);
    if (t && (!br || (i + 1 + t < n && s[i + 1 + t] == ']'))) {
        i += t + 2 * br;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
    } else {
        *st = LOG_NO_STAMP;
    }
    size_t m = parse_marker(s + i, n - i, dir);
    *off = i + m;
    return m > 0;
}

static bool timestamped_probe(const uint8_t *s, size_t n)
{
    log_stamp st;
    qftp_dir d;
    size_t off;
    return stamped_head(s, n, &st, &d, &off);
}

static int timestamped_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    (void)state;
    if (log_blank(s, n))
        return 0;
    if (log_binary_line(s, n)) {
        LOG_ERR(c, "line %llu: binary data, not a text log", LN(c->r.line_no));
        return -1;
    }
    log_stamp st;
    qftp_dir dir;
    size_t off;
    if (!stamped_head(s, n, &st, &dir, &off)) {
        LOG_ERR(c, "line %llu: no direction marker (>> << TX: RX: Send Recv) after the time",
                LN(c->r.line_no));
        return -1;
    }
    return log_line_record(c, dir, s + off, n - off, st, c->r.line_no);
}

const log_layout log_layout_timestamped = {
    .id = QFTP_FMT_TIMESTAMPED,
    .name = "timestamped",
    .probe = timestamped_probe,
    .share = 2,
    .line = timestamped_line,
};
