/* redact.c - credentials out of AT command lines (qftp/redact.h). */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "qftp/redact.h"

static size_t find_ci(const uint8_t *s, size_t n, size_t from, const char *pat)
{
    size_t m = strlen(pat);
    for (size_t i = from; i + m <= n; i++)
        if (g_ascii_strncasecmp((const char *)s + i, pat, m) == 0)
            return i;
    return SIZE_MAX;
}

/* Bounds of parameter `want` (0-based) of the list at p: [*a, *b) trimmed of spaces.
 * A parameter ends at ',' outside quotes, or at ';', CR, LF or the end. */
static bool param_bounds(const uint8_t *p, size_t n, int want, size_t *a, size_t *b)
{
    int field = 0;
    bool q = false;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        bool end = i == n || p[i] == '\r' || p[i] == '\n' || (!q && (p[i] == ',' || p[i] == ';'));
        if (i < n && p[i] == '"')
            q = !q;
        if (!end)
            continue;
        if (field == want) {
            size_t x = start, y = i;
            while (x < y && (p[x] == ' ' || p[x] == '\t'))
                x++;
            while (y > x && (p[y - 1] == ' ' || p[y - 1] == '\t'))
                y--;
            *a = x;
            *b = y;
            return true;
        }
        if (i == n || p[i] != ',')
            return false;
        field++;
        start = i + 1;
    }
    return false;
}

/* Stars parameter `want`: the text between its quotes, or the whole unquoted value. */
static size_t star_param(uint8_t *p, size_t n, int want)
{
    size_t a, b;
    if (!param_bounds(p, n, want, &a, &b))
        return 0;
    if (b > a && p[a] == '"') {
        a++;
        if (b > a && p[b - 1] == '"')
            b--;
    }
    memset(p + a, '*', b - a);
    return b - a;
}

size_t qftp_redact_line(uint8_t *line, size_t len)
{
    size_t replaced = 0;
    for (size_t at = 0; (at = find_ci(line, len, at, "+QFTPPASS=")) != SIZE_MAX;) {
        at += 10;
        replaced += star_param(line + at, len - at, 0);
    }
    for (size_t at = 0; (at = find_ci(line, len, at, "+QFTPCFG=")) != SIZE_MAX;) {
        at += 9;
        uint8_t *p = line + at;
        size_t a, b;
        if (!param_bounds(p, len - at, 0, &a, &b))
            continue;
        if (b - a >= 2 && p[a] == '"' && p[b - 1] == '"') {
            a++;
            b--;
        }
        if (b - a == 7 && g_ascii_strncasecmp((const char *)p + a, "account", 7) == 0)
            replaced += star_param(p, len - at, 2);
    }
    return replaced;
}
