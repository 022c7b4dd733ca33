/* plain.c - the plain layout: a pasted terminal session, no times, no direction markers.
 *
 * Every line goes to the transcript (layout/transcript.c) as it is: a line that starts
 * with AT is the host's, the rest the module's, the lines after CONNECT data of the side
 * the command implies, ended as the transcript decides. A line that spells its bytes
 * (\r\n, <CR><LF>, \x0d: a receive view copied out of HTerm and the like) is exactly
 * those bytes. A block quoted as an e-mail reply quotes it ("> OK") loses its quote marks.
 * What the paste added goes too: a Markdown code fence around the log ("```", "~~~text"),
 * skipped and counted, the indentation of an indented block ("    AT..."), and line numbers
 * before every line ("  12 | ", "12: ", cat -n's
 * "    12<tab>"; grep -n's increasing numbers). The banners of VS Code's Serial Monitor
 * ("---- Opened the serial port COM4 ----") are skipped and counted, except what it sent:
 * "---- Sent utf8 encoded message: "AT" ----" is a host line, "---- Sent hex encoded
 * message: "41 54 0D" ----" those bytes. A long line that a window or a mail client
 * broke in two (at its width: "AT+QFTPOPEN=\"ftp.example.co" / "m\",21") is joined again:
 * a command or response line left inside a string, or a command line ending in ',', with
 * the next line when that is no AT traffic on its own and ends the string (or, after the
 * ',', starts the next parameter); counted as repaired. */

#include <string.h>

#include "../logimport_int.h"

typedef struct {
    log_text_state text;
    bool quoted;        /* in a block quoted as e-mail quotes it */
    size_t indent;      /* in an indented block: its indentation (spaces and tabs) */
    uint64_t gutter;    /* the last line number of a numbered paste, 0: none */
    uint8_t gutter_sep; /* its separator: '|', ':' or '\t' */
    bool text_seen;     /* a line other than a fence or a blank one was read */
    GByteArray *msg;    /* a message VS Code's Serial Monitor sent, unescaped */
    uint8_t prefix[64]; /* what every line of the head starts with ("COM3: "), 0: none */
    size_t prefix_len;
    GByteArray *wrap;    /* a line held: the first part of a line broken in two */
    uint64_t wrap_line;  /* its line number */
    unsigned wrap_joins; /* the lines joined to it */
} plain_state;

#define WRAP_JOINS_MAX 8  /* a line broken in more parts than this is left as it is */
#define WRAP_LEN_MAX 4096 /* nor one longer than this */

/* The double quotes of s that open or close a string (not \"). */
static size_t quotes(const uint8_t *s, size_t n)
{
    size_t k = 0;
    for (const uint8_t *q = s; (q = memchr(q, '"', (size_t)(s + n - q))) != NULL; q++)
        k += q == s || q[-1] != '\\';
    return k;
}

/* s without the CRs and spaces at its end. */
static size_t end_trimmed(const uint8_t *s, size_t n)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n;
}

/* Whether s may be the first part of a line broken in two: a command line or a response
 * line ("+QFTPPWD: 0,\"/a/b") inside a string at its end, or a command line ending in ','. */
static bool wrap_opens(const uint8_t *s, size_t n)
{
    if (!n || ((s[0] | 0x20) != 'a' && s[0] != '+'))
        return false; /* neither a command nor a response line: nothing to trim */
    n = end_trimmed(s, n);
    if (n >= 3 && (s[0] | 0x20) == 'a' && (s[1] | 0x20) == 't' && s[2] != '/')
        return quotes(s, n) % 2 == 1 || s[n - 1] == ','; /* a command line */
    /* a response line: its quotes first, the cheaper test */
    return n >= 3 && s[0] == '+' && quotes(s, n) % 2 == 1 && log_traffic_line(s, n);
}

/* Whether s continues the held line h: it is no AT traffic on its own, and it ends the
 * string h is in, or (after a ',') starts the next parameter with a quote or a digit. */
static bool wrap_continues(const uint8_t *h, size_t hn, const uint8_t *s, size_t n)
{
    size_t e = end_trimmed(s, n);
    if (!e || s[0] == ' ' || s[0] == '\t' || log_traffic_line(s, e))
        return false;
    hn = end_trimmed(h, hn);
    if (quotes(h, hn) % 2 == 1)
        return quotes(s, e) % 2 == 1;
    return (s[0] == '"' || g_ascii_isdigit(s[0])) && quotes(s, e) % 2 == 0;
}

/* The held line to the transcript, under its own line number. */
static int wrap_flush(log_ctx *c, plain_state *p)
{
    if (!p->wrap || !p->wrap->len)
        return 0;
    uint64_t line_no = c->r.line_no;
    c->r.line_no = p->wrap_line;
    int rc = log_text_line(c, &p->text, p->wrap->data, p->wrap->len, false, QFTP_DIR_RX,
                           LOG_NO_STAMP, true);
    c->r.line_no = line_no;
    g_byte_array_set_size(p->wrap, 0);
    return rc;
}

/* A line of text: held when it may go on in the next one, joined to the held one when it
 * does. */
static int plain_text(log_ctx *c, plain_state *p, const uint8_t *s, size_t n)
{
    bool data = log_transcript_in_data(p->text.t);
    if (p->wrap && p->wrap->len) {
        if (!data && wrap_continues(p->wrap->data, p->wrap->len, s, n)) {
            size_t hn = p->wrap->len;
            while (hn && p->wrap->data[hn - 1] == '\r')
                hn--;
            g_byte_array_set_size(p->wrap, (guint)hn);
            g_byte_array_append(p->wrap, s, (guint)n);
            log_repaired(c);
            if (wrap_opens(p->wrap->data, p->wrap->len) && ++p->wrap_joins < WRAP_JOINS_MAX &&
                p->wrap->len < WRAP_LEN_MAX)
                return 0;
            return wrap_flush(c, p);
        }
        int rc = wrap_flush(c, p);
        if (rc)
            return rc;
    }
    if (!data && n < WRAP_LEN_MAX && wrap_opens(s, n)) {
        if (!p->wrap)
            p->wrap = g_byte_array_new();
        g_byte_array_append(p->wrap, s, (guint)n);
        p->wrap_line = c->r.line_no;
        p->wrap_joins = 0;
        return 0;
    }
    return log_text_line(c, &p->text, s, n, false, QFTP_DIR_RX, LOG_NO_STAMP, true);
}

/* A Markdown code fence: "```" or "~~~" (three or more), maybe an info word ("```text"). */
static bool fence_line(const uint8_t *s, size_t n)
{
    size_t i = log_skip_ws(s, n, 0);
    if (n - i < 3 || (s[i] != '`' && s[i] != '~'))
        return false;
    uint8_t f = s[i];
    size_t k = 0;
    while (i < n && s[i] == f)
        i++, k++;
    if (k < 3)
        return false;
    while (i < n && (g_ascii_isalnum(s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '+'))
        i++;
    return log_blank(s + i, n - i);
}

/* A banner of VS Code's Serial Monitor, "---- ... ----". For what it sent, *msg and
 * *len give the message and *hex its form. */
static bool vscode_banner(const uint8_t *s, size_t n, size_t *msg, size_t *len, bool *hex)
{
    *len = 0;
    if (n < 10 || memcmp(s, "---- ", 5) != 0 || memcmp(s + n - 5, " ----", 5) != 0)
        return false;
    static const char sent[] = "---- Sent ";
    static const char enc[] = " encoded message: \"";
    if (n > sizeof sent && memcmp(s, sent, sizeof sent - 1) == 0) {
        size_t w = sizeof sent - 1, e = w;
        while (e < n && g_ascii_isalnum(s[e]))
            e++;
        if (n - e >= sizeof enc - 1 + 6 && memcmp(s + e, enc, sizeof enc - 1) == 0 &&
            s[n - 6] == '"') {
            *hex = e - w == 3 && g_ascii_strncasecmp((const char *)s + w, "hex", 3) == 0;
            *msg = e + sizeof enc - 1;
            *len = n - 6 - *msg;
        }
    }
    return true;
}

/* A line number before the line: "  12 | ", "12: ", "    12\t". Returns the bytes it
 * takes (0: none), its number and separator. */
static size_t gutter_at(const uint8_t *s, size_t n, uint64_t *num, uint8_t *sep)
{
    bool padded;
    if (!n || (s[0] != ' ' && !g_ascii_isdigit(s[0])))
        return 0; /* most lines: no call */
    size_t k = log_line_number(s, n, num, sep, &padded);
    return k && *num > 0 && (*sep == '\t' || *sep == '|' || *sep == ':') ? k : 0;
}

/* An e-mail quote's prefix: '>' (nested: "> > ", ">> "), each maybe with a space. */
static size_t quote_prefix(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == '>') {
        i++;
        if (i < n && s[i] == ' ')
            i++;
    }
    return i;
}

/* A log pasted into an e-mail reply: "> AT+QFTPOPEN=...", "> OK", ">". A quoted block
 * starts with a quoted line of AT traffic and ends at the next line that is not quoted
 * (the writer's own words); inside it the quote marks go, also on data lines. */
static int plain_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    plain_state *p = state;
    int rc;
    if (p->prefix_len && n >= p->prefix_len && memcmp(s, p->prefix, p->prefix_len) == 0) {
        size_t k = log_skip_ws(s, n, p->prefix_len);
        s += k;
        n -= k;
    }
    /* numbered lines: from a first line whose text is AT traffic (or blank), as long as
     * the numbers go up with the same separator */
    uint64_t num;
    uint8_t sep;
    size_t g = gutter_at(s, n, &num, &sep);
    if (g && p->gutter && sep == p->gutter_sep && num > p->gutter) {
        p->gutter = num;
    } else if (g && !p->gutter && !p->text_seen &&
               (log_traffic_line(s + g, n - g) || log_blank(s + g, n - g))) {
        p->gutter = num;
        p->gutter_sep = sep;
    } else {
        g = 0;
        p->gutter = 0;
    }
    s += g;
    n -= g;
    if (fence_line(s, n) && !log_transcript_in_data(p->text.t)) {
        log_skipped(c);
        return wrap_flush(c, p);
    }
    size_t msg, msg_len;
    bool hex;
    if (vscode_banner(s, n, &msg, &msg_len, &hex)) {
        if ((rc = wrap_flush(c, p)) != 0)
            return rc;
        if (!msg_len) {
            log_skipped(c);
            return 0;
        }
        if (hex && log_hex_bytes(s + msg, msg_len, p->text.scratch)) {
            log_tline l = {p->text.scratch->data, p->text.scratch->len, true,         true,
                           QFTP_DIR_TX,           LOG_NO_STAMP,         LOG_EOL_NONE, c->r.line_no};
            return log_transcript_line(c, p->text.t, &l);
        }
        /* the message as typed, maybe with escapes (\" \\ \r) */
        if (!p->msg)
            p->msg = g_byte_array_new();
        g_byte_array_set_size(p->msg, 0);
        log_unescape(p->msg, s + msg, msg_len, LOG_ESC_C);
        return log_text_line(c, &p->text, p->msg->data, p->msg->len, true, QFTP_DIR_TX,
                             LOG_NO_STAMP, false);
    }
    bool blank = log_blank(s, n);
    if (!blank)
        p->text_seen = true;
    size_t q = quote_prefix(s, n);
    if (q && !p->quoted && !log_transcript_in_data(p->text.t))
        p->quoted = log_traffic_line(s + q, n - q);
    else if (!q && !blank)
        p->quoted = false;
    if (p->quoted && q) {
        s += q;
        n -= q;
        blank = log_blank(s, n);
    }
    /* an indented block (a Markdown code block, a mail or a document that indents what
     * it quotes): from an indented line of AT traffic to the next line that is not
     * indented; inside it the indentation goes (at most the first line's) */
    size_t w = 0;
    while (w < n && (s[w] == ' ' || s[w] == '\t'))
        w++;
    if (w && !p->indent && w < n && !log_transcript_in_data(p->text.t) &&
        log_traffic_line(s + w, n - w))
        p->indent = w;
    else if (!w && !blank)
        p->indent = 0;
    if (p->indent) {
        size_t k = w < p->indent ? w : p->indent;
        s += k;
        n -= k;
    }
    return plain_text(c, p, s, n);
}

/* The next whole line of the head from *i (without its CRs); false at its end. */
static bool head_line(const uint8_t *h, size_t n, size_t *i, const uint8_t **s, size_t *len)
{
    const uint8_t *e = *i < n ? memchr(h + *i, '\n', n - *i) : NULL;
    if (!e)
        return false;
    *s = h + *i;
    *len = (size_t)(e - *s);
    *i += *len + 1;
    while (*len && (*s)[*len - 1] == '\r')
        (*len)--;
    return true;
}

/* A prefix every non-blank line of the head starts with, ending where a word ends (after a
 * space, ':', ']', '|' or '>'): a logger's port or tag ("COM3: ", "[modem] ") before a
 * log that is AT traffic without it. Not taken when the lines are AT traffic with it. */
static void common_prefix(log_ctx *c, plain_state *p)
{
    const uint8_t *h = c->r.buf + c->r.pos, *first = NULL, *s;
    size_t n = c->r.end - c->r.pos, plen = 0, len, i = 0;
    unsigned lines = 0, traffic_with = 0, traffic_without = 0;
    while (lines < 64 && head_line(h, n, &i, &s, &len)) {
        if (log_blank(s, len))
            continue;
        lines++;
        if (!first) {
            first = s;
            plen = len < sizeof p->prefix ? len : sizeof p->prefix;
        }
        size_t k = 0;
        while (k < plen && k < len && s[k] == first[k])
            k++;
        plen = k;
    }
    /* end the prefix where a word ends */
    while (plen && !strchr(" :]|>", first[plen - 1]))
        plen--;
    if (lines < 3 || plen < 2 || log_blank(first, plen) || first[0] == '>')
        return;
    for (i = 0; head_line(h, n, &i, &s, &len);) {
        if (len < plen)
            continue;
        traffic_with += log_traffic_line(s, len);
        size_t k = log_skip_ws(s, len, plen);
        traffic_without += log_traffic_line(s + k, len - k);
    }
    if (traffic_without && !traffic_with) {
        memcpy(p->prefix, first, plen);
        p->prefix_len = plen;
    }
}

static int plain_open(log_ctx *c, void *state)
{
    plain_state *p = state;
    common_prefix(c, p);
    return log_text_open(c, &p->text);
}

static int plain_finish(log_ctx *c, void *state)
{
    plain_state *p = state;
    int rc = wrap_flush(c, p);
    return rc ? rc : log_text_finish(c, &p->text);
}

static void plain_cleanup(void *state)
{
    plain_state *p = state;
    if (p->msg)
        g_byte_array_unref(p->msg);
    if (p->wrap)
        g_byte_array_unref(p->wrap);
    log_text_cleanup(&p->text);
}

/* No probe: plain is what a log is when no other layout takes it. */
const log_layout log_layout_plain = {
    .id = QFTP_FMT_PLAIN,
    .name = "plain",
    .state_size = sizeof(plain_state),
    .open = plain_open,
    .line = plain_line,
    .finish = plain_finish,
    .cleanup = plain_cleanup,
};
