/* hexdump.c - a serial port monitor's hex dump: the bytes of each read and write in hex,
 * in blocks under a line that says which way they went, e.g.
 *
 *   [30/11/2026 10:00:00] Written data (COM3)                   Serial Port Monitor style:
 *       41 54 2b 51 46 54 50 53 54 41 54 0d               AT+QFTPSTAT.
 *   [30/11/2026 10:00:00] Read data (COM3)                      hex, then the characters
 *       0d 0a 4f 4b 0d 0a                                 ..OK..
 *
 *   30/11/2026@10:00:01.102::Packet[00000002l]>>Serial [1] [[COM5]] Received 6 bytes.
 *   0D|0A|4F|4B|0D|0A| | | | | | | | | | || . . O K . .         SerialTool's traffic log
 *
 *   12  0.00001234  app.exe  IRP_MJ_WRITE  Serial0  SUCCESS  Length 3: 41 54 0D
 *                                                               Portmon with "Show Hex"
 *   TX 10:00:00.250
 *   00000000  41 54 0d                                          |AT.|     hexdump -C, xxd
 *
 *   000001: Write Request (DOWN), 30.11.2026 10:00:00.100 +0.000     HHD's Request View:
 *   Buffer size: 0x3 bytes                                          the request's fields,
 *    41 54 0D                                          AT.          then its data
 *
 *   2026-11-30 10:00:00.123456: /dev/ttyUSB2                   a sniffer of two ports
 *   41 54 0D                                         AT.          (jpnevulator): a time
 *                                                                   and the port
 *
 * A block's head is a line with a direction word that is not hex itself: written / write
 * / sent / send / tx / transmit(ted) for the host's bytes, read / received / receive /
 * recv / rx for the module's (IRP_MJ_WRITE and IRP_MJ_READ as the driver names them). It
 * may carry a time of day or a date and time (bare seconds are not taken: in Portmon
 * they are the request's duration) and the bytes themselves after a colon. A line that
 * is only a time gives the next head its time. A head may name a port instead (a time,
 * then /dev/..., COMn or a tty's name and nothing else): of two ports, the one whose first
 * bytes start with AT or A/ is the host's, the other the module's; a third is skipped. Hex lines:
 * an optional offset (4-8 hex digits and ':' or two spaces), bytes as two hex digits (or xxd's
 * groups of 2-8 digits, an optional 0x), separated by a space, a comma or '|', then optionally the
 * same bytes as characters, which must agree with them. The head of another request (IRP_MJ_...,
 * IOCTL_... without a direction) ends a block; other lines (STATUS_SUCCESS, separators,
 * the tool's notes) are skipped. The bytes are exact: no line end is added.
 */
#include <glib.h>
#include <string.h>

#include "../logimport_int.h"

/* ---- hex lines ---------------------------------------------------------------------------- */

static int xval(uint8_t c)
{
    return g_ascii_isxdigit(c) ? g_ascii_xdigit_value((char)c) : -1;
}

/* Hex digits at s[i]: their count (0x before them skipped into *at). */
static size_t xrun(const uint8_t *s, size_t n, size_t i, size_t *at)
{
    if (i + 2 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') && xval(s[i + 2]) >= 0)
        i += 2;
    *at = i;
    size_t k = 0;
    while (i + k < n && xval(s[i + k]) >= 0)
        k++;
    return k;
}

/* One line of a hex dump: its bytes into out (replacing what is there), false if the line
 * is not one. *offset: it began with an offset column; *chars: the bytes were shown again
 * as characters after the hex. */
static bool hex_line(const uint8_t *s, size_t n, GByteArray *out, bool *offset, bool *chars)
{
    size_t i = log_skip_ws(s, n, 0), at;
    *offset = false;
    *chars = false;
    g_byte_array_set_size(out, 0);
    /* an offset: 4-8 digits and ':' ("0010:", xxd's "00000010:"), or 6-8 and two spaces
     * (hexdump -C) */
    size_t k = xrun(s, n, i, &at);
    if (k >= 4 && k <= 8 && at + k < n &&
        (s[at + k] == ':' ||
         (k >= 6 && at + k + 1 < n && s[at + k] == ' ' && s[at + k + 1] == ' '))) {
        *offset = true;
        i = log_skip_ws(s, n, at + k + (s[at + k] == ':'));
    }
    size_t group = 0; /* digits per token: 2, or xxd's 4 */
    size_t tokens = 0;
    bool bar = false; /* '|' separates the tokens (SerialTool) */
    while (i < n) {
        k = xrun(s, n, i, &at);
        if (k < 2 || k % 2 || k > 8 || (group && k != group && !(k < group && tokens)))
            break;
        if (at + k < n && s[at + k] != ' ' && s[at + k] != '|' && s[at + k] != ',' &&
            s[at + k] != '\t')
            break; /* "0Dh", "41x": not a token */
        if (!group)
            group = k;
        for (size_t d = 0; d < k; d += 2) {
            uint8_t b = (uint8_t)(xval(s[at + d]) << 4 | xval(s[at + d + 1]));
            g_byte_array_append(out, &b, 1);
        }
        tokens++;
        i = at + k;
        if (i >= n)
            break;
        /* the separator: one space, ", ", '|'; hexdump -C's double space after 8 bytes */
        if (s[i] == '|') {
            bar = true;
            i++;
            if (i < n && (s[i] == ' ' || s[i] == '|'))
                break; /* empty slots, or "||" before the characters */
        } else if (s[i] == ',') {
            i++;
            if (i < n && s[i] == ' ')
                i++;
        } else if (s[i] == ' ' && i + 1 < n && s[i + 1] != ' ') {
            i++;
        } else if (s[i] == ' ' && i + 2 < n && s[i + 1] == ' ' && s[i + 2] != ' ' &&
                   out->len == 8 && *offset) {
            i += 2;
        } else {
            break;
        }
    }
    if (!out->len)
        return false;
    /* the rest: nothing, or the characters (SerialTool's empty slots and "||" first) */
    while (i < n && (s[i] == ' ' || s[i] == '\t' || (bar && s[i] == '|')))
        i++;
    if (i < n && s[i] == '|' && n - i >= 2 && s[n - 1] == '|')
        i++, n--; /* hexdump -C's |...| */
    if (i == n)
        return true;
    *chars = log_chars_agree(out->data, out->len, s + i, n - i);
    return *chars;
}

/* ---- heads ------------------------------------------------------------------------------- */

static bool word_at(const uint8_t *s, size_t n, size_t i, const char *w, size_t *end)
{
    size_t m = strlen(w);
    if (i + m > n || g_ascii_strncasecmp((const char *)s + i, w, m) != 0)
        return false;
    if ((i > 0 && g_ascii_isalnum(s[i - 1])) || (i + m < n && g_ascii_isalnum(s[i + m])))
        return false;
    *end = i + m;
    return true;
}

/* The first direction word of a line: 1 host -> module, 2 module -> host, 0 none; it
 * lies in [*start, *end). A line naming another driver request (IRP_MJ_..., IOCTL_...) has none. */
static int direction_of(const uint8_t *s, size_t n, size_t *start, size_t *end, bool *request)
{
    static const struct {
        const char *w;
        int dir;
    } words[] = {
        {"IRP_MJ_WRITE", 1}, {"IRP_MJ_READ", 2}, {"written", 1},     {"write", 1},    {"sent", 1},
        {"send", 1},         {"tx", 1},          {"transmitted", 1}, {"transmit", 1}, {"read", 2},
        {"received", 2},     {"receive", 2},     {"recv", 2},        {"rx", 2},
    };
    *request = false;
    for (size_t i = 0; i < n; i++) {
        if (i + 7 <= n && (memcmp(s + i, "IRP_MJ_", 7) == 0 || memcmp(s + i, "IOCTL_", 6) == 0))
            *request = true;
        for (size_t k = 0; k < G_N_ELEMENTS(words); k++)
            if (word_at(s, n, i, words[k].w, end)) {
                *start = i;
                if (*request && strncmp(words[k].w, "IRP_MJ_", 7) != 0)
                    return 0; /* IOCTL_SERIAL_..._WRITE...: not data */
                return words[k].dir;
            }
    }
    return 0;
}

/* A time of day or a date and time in the line (in brackets or not), not bare seconds. */
static log_stamp stamp_in(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && g_ascii_isdigit(s[i - 1]))
            continue;
        if (!g_ascii_isdigit(s[i]))
            continue;
        log_stamp st = LOG_NO_STAMP;
        size_t k = log_parse_time(s + i, n - i, &st);
        if (k && st.have && memchr(s + i, ':', k) != NULL)
            return st;
    }
    return LOG_NO_STAMP;
}

/* A time of day or a date and time at the line's start, in brackets or not (not bare
 * seconds): where it ends, its ']' included; 0 if there is none. */
static size_t lead_time(const uint8_t *s, size_t n, log_stamp *st)
{
    size_t i = log_skip_ws(s, n, 0);
    bool br = i < n && s[i] == '[';
    i += br;
    *st = LOG_NO_STAMP;
    size_t k = log_parse_time(s + i, n - i, st);
    if (!k || !st->have || !memchr(s + i, ':', k))
        return 0;
    i += k;
    if (br && (i >= n || s[i++] != ']'))
        return 0;
    return i;
}

/* A line that is a time and nothing else ("[23/10/2008 10:38:33]"). */
static bool time_only(const uint8_t *s, size_t n, log_stamp *st)
{
    size_t i = lead_time(s, n, st);
    return i && log_skip_ws(s, n, i) == n;
}

/* A head that names the port instead of a direction (a sniffer of two ports, jpnevulator:
 * "2026-11-30 10:00:00.123456: /dev/ttyUSB2"): a time, an optional ':', then one word that
 * names a port (/dev/..., COMn, a tty). Its name in [*at, *at + *len). */
static bool port_head(const uint8_t *s, size_t n, log_stamp *st, size_t *at, size_t *len)
{
    size_t i = lead_time(s, n, st);
    if (!i)
        return false;
    if (i < n && s[i] == ':')
        i++;
    size_t w = log_skip_ws(s, n, i), e = w;
    while (e < n && s[e] != ' ' && s[e] != '\t')
        e++;
    if (e == w || e - w > 63 || log_skip_ws(s, n, e) != n || w == i)
        return false;
    bool port =
        s[w] == '/' || (e - w >= 4 && g_ascii_strncasecmp((const char *)s + w, "COM", 3) == 0 &&
                        g_ascii_isdigit(s[w + 3]));
    for (size_t j = w; j + 3 <= e && !port; j++)
        port = g_ascii_strncasecmp((const char *)s + j, "tty", 3) == 0;
    *at = w;
    *len = e - w;
    return port;
}

/* ---- the layout ------------------------------------------------------------------------- */

typedef struct {
    log_text_state text;
    int dir; /* of the block under way: 0 none */
    log_stamp st, pending;
    GByteArray *bytes;
    bool had_head;        /* a block's head was read */
    GByteArray *stream;   /* a dump without heads: bytes up to their next LF */
    uint64_t stream_line; /* where they started */
    /* heads that name two ports (port_head): each port's side, 0 until its first bytes
     * decide it (the host's start with AT or A/); the other port is the other side */
    struct {
        char name[64];
        int dir;
    } ports[2];
    int port; /* the port of the block under way, -1 none */
} hexdump_state;

static bool hexdump_probe(const uint8_t *s, size_t n)
{
    GByteArray *b = g_byte_array_new();
    bool off, chars;
    /* hex with an offset column or with the characters after it: hex alone could be a
     * file of hex text in another layout's log */
    bool hex = hex_line(s, n, b, &off, &chars) && b->len >= 4 && (off || chars);
    g_byte_array_unref(b);
    log_stamp st;
    size_t at, len;
    if (hex || port_head(s, n, &st, &at, &len))
        return true;
    /* a head that names its bytes ("Written data", "Received 6 bytes", "Length 3:", "Write
     * Request") or a
     * driver request; not a direction word alone ("[10:00:00.140] RX:" heads a block of
     * text in other loggers too): such heads are read, but the hex lines decide */
    size_t start, end;
    bool req;
    if (!direction_of(s, n, &start, &end, &req))
        return false;
    if (req)
        return true;
    for (size_t i = end; i < n; i++) {
        size_t e;
        if (word_at(s, n, i, "data", &e) || word_at(s, n, i, "bytes", &e) ||
            word_at(s, n, i, "byte", &e) || word_at(s, n, i, "length", &e) ||
            word_at(s, n, i, "request", &e))
            return true;
    }
    return false;
}

static int hexdump_open(log_ctx *c, void *state)
{
    hexdump_state *p = state;
    p->bytes = g_byte_array_new();
    p->stream = g_byte_array_new();
    p->port = -1;
    return log_text_open(c, &p->text);
}

static void hexdump_cleanup(void *state)
{
    hexdump_state *p = state;
    if (p->bytes)
        g_byte_array_unref(p->bytes);
    if (p->stream)
        g_byte_array_unref(p->stream);
    log_text_cleanup(&p->text);
}

/* A dump without heads (a terminal's hex display of what it received: RealTerm, CoolTerm,
 * SSCOM's hex view saved without its stamps): the module's bytes, a record per line of
 * them (up to each LF, or 4096 bytes). */
static int stream_out(log_ctx *c, hexdump_state *p, size_t len)
{
    log_tline l = {p->stream->data, len,          true,         true,
                   QFTP_DIR_RX,     LOG_NO_STAMP, LOG_EOL_NONE, p->stream_line};
    int rc = log_transcript_line(c, p->text.t, &l);
    g_byte_array_remove_range(p->stream, 0, (guint)len);
    p->stream_line = c->r.line_no;
    return rc;
}

static int stream_bytes(log_ctx *c, hexdump_state *p)
{
    if (!p->stream->len)
        p->stream_line = c->r.line_no;
    g_byte_array_append(p->stream, p->bytes->data, p->bytes->len);
    int rc = 0;
    for (;;) {
        const uint8_t *lf = memchr(p->stream->data, '\n', p->stream->len);
        size_t len = lf ? (size_t)(lf - p->stream->data) + 1 : p->stream->len >= 4096 ? 4096 : 0;
        if (!len || rc)
            return rc;
        rc = stream_out(c, p, len);
    }
}

static int hexdump_finish(log_ctx *c, void *state)
{
    hexdump_state *p = state;
    int rc = p->stream->len ? stream_out(c, p, p->stream->len) : 0;
    return rc ? rc : log_text_finish(c, &p->text);
}

static int emit_bytes(log_ctx *c, hexdump_state *p)
{
    log_tline l = {
        p->bytes->data, p->bytes->len, true,        true, p->dir == 1 ? QFTP_DIR_TX : QFTP_DIR_RX,
        p->st,          LOG_EOL_NONE,  c->r.line_no};
    return log_transcript_line(c, p->text.t, &l);
}

static int hexdump_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    hexdump_state *p = state;
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (log_blank(s, n))
        return 0;
    bool off, chars;
    if (p->dir && hex_line(s, n, p->bytes, &off, &chars)) {
        if (p->dir < 0) {
            /* a port's first bytes: the host's start with a command */
            const uint8_t *b = p->bytes->data;
            bool host = p->bytes->len >= 2 && (b[0] == 'A' || b[0] == 'a') &&
                        (b[1] == 'T' || b[1] == 't' || b[1] == '/');
            p->dir = host ? 1 : 2;
            p->ports[p->port].dir = p->dir;
            if (p->ports[!p->port].name[0] && !p->ports[!p->port].dir)
                p->ports[!p->port].dir = 3 - p->dir;
        }
        return emit_bytes(c, p);
    }
    if (!p->had_head && hex_line(s, n, p->bytes, &off, &chars))
        return stream_bytes(c, p);
    log_stamp st;
    size_t at, len;
    if (port_head(s, n, &st, &at, &len)) {
        int k = 0;
        while (k < 2 && p->ports[k].name[0] &&
               (strlen(p->ports[k].name) != len || memcmp(p->ports[k].name, s + at, len) != 0))
            k++;
        if (k == 2) {
            p->dir = 0; /* a third port: not one of the two sides */
            log_skipped(c);
            return 0;
        }
        if (!p->ports[k].name[0]) {
            memcpy(p->ports[k].name, s + at, len);
            p->ports[k].name[len] = '\0';
            if (p->ports[!k].dir)
                p->ports[k].dir = 3 - p->ports[!k].dir;
        }
        p->port = k;
        p->dir = p->ports[k].dir ? p->ports[k].dir : -1;
        p->had_head = true;
        p->st = st;
        p->pending = LOG_NO_STAMP;
        return 0;
    }
    if (time_only(s, n, &st)) {
        p->pending = st;
        p->dir = 0;
        return 0;
    }
    size_t start, end;
    bool req;
    int dir = direction_of(s, n, &start, &end, &req);
    if (dir) {
        if (p->stream->len) {
            int rc = stream_out(c, p, p->stream->len);
            if (rc)
                return rc;
        }
        p->dir = dir;
        p->had_head = true;
        p->st = stamp_in(s, n);
        if (!p->st.have)
            p->st = p->pending;
        p->pending = LOG_NO_STAMP;
        /* the bytes on the head itself, after a colon ("Length 3: 41 54 0D") */
        for (size_t i = end; i < n; i++)
            if (s[i] == ':' && hex_line(s + i + 1, n - i - 1, p->bytes, &off, &chars))
                return emit_bytes(c, p);
        return 0;
    }
    if (req)
        p->dir = 0; /* another request's head: what follows is not data */
    size_t t = log_skip_ws(s, n, 0);
    if (p->dir > 0 && !req && log_spelled(s + t, n - t)) {
        /* a monitor's text view under the head: the bytes spelled ("AT\r", "\r\nOK\r\n") */
        g_byte_array_set_size(p->bytes, 0);
        log_unescape(p->bytes, s + t, n - t, LOG_ESC_C | LOG_ESC_NAMES);
        return emit_bytes(c, p);
    }
    if (p->dir > 0 && !req && log_traffic_line(s + t, n - t))
        return log_text_line(c, &p->text, s + t, n - t, true,
                             p->dir == 1 ? QFTP_DIR_TX : QFTP_DIR_RX, p->st, false);
    log_skipped(c);
    return 0;
}

static void hexdump_describe(const uint8_t *s, size_t n, char *out, size_t cap)
{
    GByteArray *b = g_byte_array_new();
    bool off, chars;
    bool hex = hex_line(s, n, b, &off, &chars);
    g_byte_array_unref(b);
    log_stamp st;
    size_t at, len;
    bool ports = port_head(s, n, &st, &at, &len);
    if (n > 60)
        n = 60;
    snprintf(out, cap, "a serial port monitor's hex dump: %s \"%.*s\" (%s)",
             hex ? "bytes in hex" : "blocks headed", (int)n, (const char *)s,
             ports ? "each block under a line with its time and one of two ports"
                   : "each block under a line that says written/sent/TX or read/received/RX");
}

const log_layout log_layout_hexdump = {
    .id = QFTP_FMT_HEXDUMP,
    .name = "hexdump",
    .probe = hexdump_probe,
    .share = 3,
    .state_size = sizeof(hexdump_state),
    .open = hexdump_open,
    .line = hexdump_line,
    .finish = hexdump_finish,
    .cleanup = hexdump_cleanup,
    .describe = hexdump_describe,
};
