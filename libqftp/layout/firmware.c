/* firmware.c - a device's own debug log: the application logs each AT line it writes and
 * reads through its logger, with the logger's per-line prefix, amid everything else it
 * logs (docs/import.md):
 *
 *   [DEBUG] modem: >> AT+QFTPOPEN="ftp.example.com",21\r\n       a logger, "\r\n" as text
 *   D (5210) modem: << \r\n+QFTPCWD: 0,0\r\n                     ESP-IDF (ms since boot)
 *   [00:00:01.203,950] <dbg> modem_chat: modem_chat_script_next: sending: AT+QFTPCFG=...
 *   [00:00:01.231,011] <dbg> modem_chat: modem_chat_log_received_command: OK   (Zephyr)
 *   00:00:12.345 modem.c:214 TX "AT+QFTPCFG=\"account\",\"fw\",\"pa55\"\x0d"  (printf)
 *   [DBG ][CELL]: AT TX (25): AT+QFTPCFG="contextid",1             Mbed OS (a byte count)
 *   0000012000 [ncp.at] TRACE: > AT+QFTPOPEN="ftp.example.com",21  Particle (ms since boot)
 *   >>> uart.write(b'AT+QFTPSTAT\r')   then   b'\r\n+QFTPSTAT: 0,1\r\n'     a Python prompt
 *   10:00:00.100123 write(3, "AT+QFTPSTAT\r", 12) = 12                         strace
 *
 * A line is AT traffic when, after its prefix, a direction marker comes (">>" "<<" "-->"
 * "<--" "TX" "RX" "sending:" "received:" ..., a single ">" or "<" before AT traffic, or a function
 * name of the logger that says it: "..._received_command:", "..._send:"); what follows it is the
 * traffic: a quoted C string, a Python bytes literal (b'AT\r', pyserial scripts), a quoted line
 * with control names ('AT+CSQ<CR>', ModemManager), text that spells its bytes (\r \n \xHH <CR>
 * <LF>), or a plain line. Every other line is the firmware's own and is skipped and counted, never
 * taken for a URC. ANSI colours are dropped. Times: a time at the start ("[00:00:01.203,950]",
 * "12:00:01.123") or ESP-IDF's "(5210)" milliseconds since boot.
 */
#define _GNU_SOURCE /* memmem */
#include <glib.h>
#include <string.h>

#include "../logimport_int.h"

typedef struct {
    const char *w;
    qftp_dir d;
    bool word; /* a word: needs a boundary before it and ':', ' ' or '"' after it */
} marker;

static const marker markers[] = {
    {">>", QFTP_DIR_TX, false},
    {"<<", QFTP_DIR_RX, false},
    {"-->", QFTP_DIR_TX, false},
    {"<--", QFTP_DIR_RX, false},
    {"=>", QFTP_DIR_TX, false},
    {"<=", QFTP_DIR_RX, false},
    {"AT>", QFTP_DIR_TX, false},
    {"AT<", QFTP_DIR_RX, false},
    {"TX", QFTP_DIR_TX, true},
    {"RX", QFTP_DIR_RX, true},
    {"sending", QFTP_DIR_TX, true},
    {"send", QFTP_DIR_TX, true},
    {"sent", QFTP_DIR_TX, true},
    {"write", QFTP_DIR_TX, true},
    {"cmd", QFTP_DIR_TX, true},
    {"received", QFTP_DIR_RX, true},
    {"recv", QFTP_DIR_RX, true},
    {"rcvd", QFTP_DIR_RX, true},
    {"read", QFTP_DIR_RX, true},
    {"rsp", QFTP_DIR_RX, true},
    {"resp", QFTP_DIR_RX, true},
    {"response", QFTP_DIR_RX, true},
    {"urc", QFTP_DIR_RX, true},
    /* a port's logger: "ttyUSB2 > AT...", "ttyUSB2 < OK" (only before AT traffic: the '>'
     * of Zephyr's "<dbg>" is none) */
    {">", QFTP_DIR_TX, false},
    {"<", QFTP_DIR_RX, false},
};

static bool traffic_text(const uint8_t *s, size_t n);

static bool word_char(uint8_t c)
{
    return g_ascii_isalnum(c) || c == '_';
}

/* A logger's function name that says the direction ("modem_chat_log_received_command:",
 * "uart_send:"): a word ending in ':' with a direction word as one of its '_' parts. */
static bool function_marker(const uint8_t *s, size_t n, size_t i, size_t *end, qftp_dir *dir)
{
    size_t j = i;
    while (j < n && word_char(s[j]))
        j++;
    if (j == i || j >= n || s[j] != ':' || memchr(s + i, '_', j - i) == NULL)
        return false;
    static const struct {
        const char *w;
        qftp_dir d;
    } parts[] = {{"received", QFTP_DIR_RX}, {"recv", QFTP_DIR_RX},  {"rx", QFTP_DIR_RX},
                 {"read", QFTP_DIR_RX},     {"send", QFTP_DIR_TX},  {"sent", QFTP_DIR_TX},
                 {"tx", QFTP_DIR_TX},       {"write", QFTP_DIR_TX}, {"transmit", QFTP_DIR_TX}};
    for (size_t a = i; a < j;) {
        size_t b = a;
        while (b < j && s[b] != '_')
            b++;
        for (size_t k = 0; k < G_N_ELEMENTS(parts); k++)
            if (b - a == strlen(parts[k].w) &&
                g_ascii_strncasecmp((const char *)s + a, parts[k].w, b - a) == 0) {
                *dir = parts[k].d;
                *end = log_skip_ws(s, n, j + 1);
                return true;
            }
        a = b + 1;
    }
    return false;
}

/* The first marker at or after `from`: *at where it starts, *end where the traffic starts. */
static bool find_marker(const uint8_t *s, size_t n, size_t from, size_t *at, size_t *end,
                        qftp_dir *dir, bool *func)
{
    for (size_t i = from; i < n; i++) {
        bool boundary = i == 0 || !word_char(s[i - 1]);
        if (boundary && word_char(s[i]) && function_marker(s, n, i, end, dir)) {
            *at = i;
            *func = true;
            return true;
        }
        for (size_t k = 0; k < G_N_ELEMENTS(markers); k++) {
            const marker *m = &markers[k];
            size_t len = strlen(m->w);
            if (n - i < len || g_ascii_strncasecmp((const char *)s + i, m->w, len) != 0)
                continue;
            size_t j = i + len;
            if (m->word) {
                if (!boundary || (j < n && s[j] != ':' && s[j] != ' ' && s[j] != '"'))
                    continue;
            } else if (j < n && s[j] != ' ' && s[j] != ':' && s[j] != '"' && s[j] != '\t') {
                continue;
            }
            if (m->word) {
                /* a byte count after the word: "AT TX (25): AT+..." (Mbed OS's ATHandler) */
                size_t c = log_skip_ws(s, n, j);
                if (c < n && s[c] == '(') {
                    size_t d = log_skip_ws(s, n, c + 1), e = d;
                    while (e < n && g_ascii_isdigit(s[e]))
                        e++;
                    e = log_skip_ws(s, n, e);
                    if (e > d && e < n && s[e] == ')')
                        j = e + 1;
                }
            }
            size_t colon = log_skip_ws(s, n, j); /* "TX : ": aligned before the colon */
            if (colon < n && s[colon] == ':' && colon - j <= 8)
                j = colon + 1;
            j = log_skip_ws(s, n, j);
            if (len == 1 &&
                (i == 0 || (s[i - 1] != ' ' && s[i - 1] != '\t') || !traffic_text(s + j, n - j)))
                continue; /* a '>' alone, between spaces, before AT traffic */
            *at = i;
            *end = j;
            *dir = m->d;
            *func = false;
            return true;
        }
    }
    return false;
}

/* What AT traffic starts with: a command, a +NAME, a result or URC word, a quoted string
 * or spelled bytes. */
static bool traffic_text(const uint8_t *s, size_t n)
{
    if (n == 0)
        return false;
    if (s[0] == '"' || s[0] == '\'' || log_spelled(s, n))
        return true;
    if (n >= 2 && s[0] == 'b' && (s[1] == '\'' || s[1] == '"'))
        return true; /* a Python bytes literal (pyserial scripts log b'AT...\r') */
    if ((n >= 8 && memcmp(s, "<Buffer ", 8) == 0) ||
        (n >= 10 && memcmp(s, "bytearray(", 10) == 0) || (n >= 6 && memcmp(s, "bytes(", 6) == 0) ||
        (n >= 3 && s[0] == '0' && s[1] == 'x') ||
        (n >= 4 && (s[0] == '[' || s[0] == '{') && s[1] == '0' && s[2] == 'x'))
        return true; /* bytes as Node.js, Python's bytearray or a list of 0x.. write them */
    if (n >= 2 && (s[0] | 0x20) == 'a' && (s[1] | 0x20) == 't')
        return !(n >= 4 && s[2] == ' ' && g_ascii_isalpha(s[3])); /* "at once" is words */
    if (n >= 3 && s[0] == '+' && g_ascii_isupper(s[1]))
        return true;
    /* result codes and the URCs that have no "+NAME:" (V.250 5.7; the modules' start and
     * power-down lines, GSM's "Call Ready" and "SMS Ready") */
    static const char *const words[] = {
        "OK",          "ERROR",         "CONNECT",      "RDY",
        "NO CARRIER",  "RING",          "BUSY",         "NO ANSWER",
        "NO DIALTONE", "POWERED DOWN",  "APP RDY",      "Call Ready",
        "SMS Ready",   "UNDER_VOLTAGE", "OVER_VOLTAGE", "NORMAL POWER DOWN"};
    for (size_t k = 0; k < G_N_ELEMENTS(words); k++) {
        size_t m = strlen(words[k]);
        if (n >= m && memcmp(s, words[k], m) == 0 && (n == m || !word_char(s[m])))
            return true;
    }
    return false;
}

/* The time at the start: "[time]", "time " or ESP-IDF's "L (ms) " / "L (HH:MM:SS.mmm) ".
 * Returns where the rest starts (0 if no time). */
static size_t fw_time(const uint8_t *s, size_t n, log_stamp *st)
{
    *st = LOG_NO_STAMP;
    size_t i = log_skip_ws(s, n, 0);
    if (i < n && s[i] == '[') {
        i = log_skip_ws(s, n, i + 1) - 1; /* "[   12.345678]": the kernel's, dmesg's */
        size_t t = log_parse_time(s + i + 1, n - i - 1, st);
        if (t && i + 1 + t < n && s[i + 1 + t] == ']')
            return i + 2 + t;
        *st = LOG_NO_STAMP;
        return 0;
    }
    if (i + 4 < n && g_ascii_isupper(s[i]) && s[i + 1] == ' ' && s[i + 2] == '(') {
        const uint8_t *close = memchr(s + i + 3, ')', n - i - 3);
        int64_t ms;
        size_t k = close ? (size_t)(close - s) : 0;
        if (k && log_digits(s, n, i + 3, 20, &ms) == k - i - 3) {
            st->ts = ms * QFTP_NS_PER_MS; /* ESP-IDF: milliseconds since boot */
            st->have = st->dated = true;
            return k + 1;
        }
        if (k && log_parse_time(s + i + 3, k - i - 3, st) == k - i - 3)
            return k + 1;
        *st = LOG_NO_STAMP;
        return 0;
    }
    size_t t = log_parse_time(s + i, n - i, st);
    if (t && n - i - t >= 4 && memcmp(s + i + t, " -> ", 4) == 0)
        return i + t + 4; /* the Arduino IDE's "HH:MM:SS.mmm -> ": a terminal's, no logger's */
    if (t && (i + t == n || s[i + t] == ' ' || s[i + t] == '\t'))
        return i + t;
    *st = LOG_NO_STAMP;
    return 0;
}

/* A traffic line: its direction, time and where the traffic starts. A marker right after
 * the time (or at the start) is the timestamped layout's; a firmware line has its
 * logger's prefix (a level, a tag, a source position) before it. */
static bool fw_head(const uint8_t *s, size_t n, log_stamp *st, qftp_dir *dir, size_t *off,
                    bool *func)
{
    size_t t = fw_time(s, n, st);
    size_t at, end;
    size_t from = log_skip_ws(s, n, t);
    if (!find_marker(s, n, from, &at, &end, dir, func) || at == from)
        return false;
    /* no time at the start: one inside the prefix is the line's, in brackets or a word of
     * its own with a ':' in it (J-Link RTT's terminal number before it: "00> [00:00:01.210]
     * <debug> modem: TX: "; a table's sequence number: "12    10:00:00.123    TX    ") */
    for (size_t i = 0; i < at && !st->have; i++) {
        bool br = s[i] == '[';
        if (!br && !(g_ascii_isdigit(s[i]) && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t')))
            continue;
        size_t b = i + br, k = log_parse_time(s + b, at - b, st);
        bool ok = k && (br ? b + k < at && s[b + k] == ']'
                           : memchr(s + b, ':', k) && b + k < at &&
                                 (s[b + k] == ' ' || s[b + k] == '\t'));
        if (!ok)
            *st = LOG_NO_STAMP;
    }
    *off = end;
    return true;
}

/* A Python prompt's session (MicroPython on a board, pyserial in the interpreter):
 * ">>> uart.write(b'AT\r')" writes the host's bytes; a line that is a bytes literal alone
 * (b'\r\nOK\r\n', what a read returned, as the prompt prints it) holds the module's.
 * The literal is [*off, *end). */
static bool repl_line(const uint8_t *s, size_t n, qftp_dir *dir, size_t *off, size_t *end)
{
    size_t i = log_skip_ws(s, n, 0);
    if (n - i >= 4 && memcmp(s + i, ">>> ", 4) == 0) {
        for (size_t j = i + 4; j + 9 <= n; j++) {
            if (memcmp(s + j, "write(b", 7) != 0 || (s[j + 7] != '\'' && s[j + 7] != '"') ||
                s[n - 1] != ')' || s[n - 2] != s[j + 7])
                continue;
            *dir = QFTP_DIR_TX;
            *off = j + 6;
            *end = n - 1;
            return true;
        }
        return false;
    }
    if (n - i >= 3 && s[i] == 'b' && (s[i + 1] == '\'' || s[i + 1] == '"') &&
        s[n - 1] == s[i + 1]) {
        *dir = QFTP_DIR_RX;
        *off = i;
        *end = n;
        return true;
    }
    return false;
}

/* A system call as strace shows it (-t/-tt/-r times and -f's "[pid N] " before it):
 * write(3, "AT+QFTPSTAT\r", 12) = 12 wrote the host's bytes, read(3, "\r\nOK\r\n", 1024) = 6
 * read the module's. The string literal (with its quotes) is [*off, *end), *fd the file
 * descriptor. A call that failed or moved no byte is none. */
static bool strace_line(const uint8_t *s, size_t n, qftp_dir *dir, size_t *off, size_t *end,
                        int64_t *fd)
{
    static const struct {
        const char *w;
        qftp_dir d;
    } calls[] = {{"write(", QFTP_DIR_TX}, {"read(", QFTP_DIR_RX}};
    static const struct {
        const char *w;
        qftp_dir d;
    } resumed[] = {{"<... write resumed>", QFTP_DIR_TX}, {"<... read resumed>", QFTP_DIR_RX}};
    /* most lines hold neither "write(" nor "read(" nor "resumed>": found by their '(' and
     * '>' first */
    bool call = false;
    for (const uint8_t *a = s; !call && (a = memchr(a, '(', (size_t)(s + n - a))) != NULL; a++)
        call = (a - s >= 5 && memcmp(a - 5, "write", 5) == 0) ||
               (a - s >= 4 && memcmp(a - 4, "read", 4) == 0);
    if (!call && !memmem(s, n, " resumed>", 9))
        return false;
    for (size_t k = 0; k < G_N_ELEMENTS(calls) * 2; k++) {
        /* a call, or the rest of one strace -f printed apart ("<... read resumed>"): its
         * descriptor is then the one the traffic goes through (*fd -2) */
        bool rest = k >= G_N_ELEMENTS(calls);
        const char *w = rest ? resumed[k - 2].w : calls[k].w;
        size_t m = strlen(w);
        for (const uint8_t *at = s; (at = memmem(at, (size_t)(s + n - at), w, m)) != NULL; at++) {
            size_t i = (size_t)(at - s);
            if (i + m >= n || (i > 0 && word_char(s[i - 1])))
                continue;
            size_t j = i + m, d = 0, q;
            if (rest) {
                *fd = -2;
                q = log_skip_ws(s, n, j);
                if (q >= n || s[q] != '"')
                    return false;
            } else {
                d = log_digits(s, n, j, 9, fd);
                if (!d || j + d + 3 >= n || s[j + d] != ',' || s[j + d + 1] != ' ' ||
                    s[j + d + 2] != '"')
                    return false;
                q = j + d + 2;
            }
            size_t e = q + 1;
            while (e < n && s[e] != '"')
                e += s[e] == '\\' ? 2 : 1;
            if (e >= n)
                return false;
            /* after the string: "..." when strace cut it (-s), then ", N) = M", M > 0 */
            const uint8_t *eq = memchr(s + e, '=', n - e);
            int64_t got;
            if (!eq || log_digits(s, n, log_skip_ws(s, n, (size_t)(eq - s) + 1), 12, &got) == 0 ||
                got <= 0)
                return false;
            *dir = rest ? resumed[k - 2].d : calls[k].d;
            *off = q;
            *end = e + 1;
            return true;
        }
    }
    return false;
}

/* Whether the string literal s[off..end) of a strace line carries AT traffic (scratch:
 * room to decode it). */
static bool strace_traffic(const uint8_t *s, size_t off, size_t end, GByteArray *scratch)
{
    g_byte_array_set_size(scratch, 0);
    log_unescape(scratch, s + off + 1, end - off - 2, LOG_ESC_C);
    return log_has_traffic(scratch->data, scratch->len);
}

/* A head line without its colours (detection looks at a copy): whether it is traffic, and
 * where the traffic starts in buf. */
static bool probe_copy(const uint8_t *s, size_t n, uint8_t buf[512], size_t *len, size_t *off)
{
    if (n > 512)
        n = 512;
    memcpy(buf, s, n);
    *len = log_strip_ansi(buf, n);
    log_stamp st;
    qftp_dir d;
    bool func;
    *off = 0;
    if (fw_head(buf, *len, &st, &d, off, &func) && traffic_text(buf + *off, *len - *off))
        return true;
    size_t end;
    int64_t fd;
    if (strace_line(buf, *len, &d, off, &end, &fd))
        return traffic_text(buf + *off + 1, end - *off - 1);
    return repl_line(buf, *len, &d, off, &end) && end - *off > 3;
}

static bool firmware_probe(const uint8_t *s, size_t n)
{
    uint8_t buf[512];
    size_t len, off;
    return probe_copy(s, n, buf, &len, &off);
}

typedef struct {
    log_text_state text;
    GByteArray *line;
    int64_t fd; /* strace: the descriptor the first command was written to; -1 none yet */
} fw_state;

static int firmware_open(log_ctx *c, void *state)
{
    fw_state *p = state;
    p->line = g_byte_array_new();
    p->fd = -1;
    int rc = log_text_open(c, &p->text);
    /* strace: the serial port's descriptor is the first one AT traffic goes through in the
     * head, so what the module said before the first command counts too */
    const uint8_t *h = c->r.buf + c->r.pos;
    size_t n = c->r.end - c->r.pos;
    for (size_t i = 0; i < n && p->fd < 0;) {
        const uint8_t *e = memchr(h + i, '\n', n - i);
        if (!e)
            break;
        size_t len = (size_t)(e - (h + i)), off, end;
        qftp_dir dir;
        int64_t fd;
        if (strace_line(h + i, len, &dir, &off, &end, &fd) && fd >= 0 &&
            strace_traffic(h + i, off, end, p->text.scratch))
            p->fd = fd;
        i = (size_t)(e - h) + 1;
    }
    return rc;
}

/* Zephyr's modem_chat logs a matched response as its match and its arguments joined by
 * spaces ("+QFTPOPEN:  0 0"): the commas are put back ("+QFTPOPEN: 0,0"). */
static size_t rejoin_arguments(uint8_t *s, size_t n)
{
    const uint8_t *colon = memchr(s, ':', n);
    if (!colon || s[0] != '+' || (size_t)(colon - s) + 2 >= n || colon[1] != ' ' || colon[2] != ' ')
        return n;
    size_t o = (size_t)(colon - s) + 2, i = o + 1;
    for (; i < n; i++)
        s[o++] = s[i] == ' ' ? ',' : s[i];
    return o;
}

/* The traffic of a line once its side, time and where the traffic is are known: a C
 * string literal, a Python bytes literal (b'...'), a quoted line as ModemManager logs it
 * ('AT+CSQ<CR>'), bytes as a program prints them or spelled text are the bytes they stand
 * for (into scratch, exact); else the text (a function's arguments rejoined). */
static void fw_tline(const log_ctx *c, uint8_t *text, size_t tn, qftp_dir dir, log_stamp st,
                     bool func, GByteArray *scratch, log_tline *l)
{
    *l = (log_tline){0};
    l->dir_known = true;
    l->dir = dir;
    l->st = st;
    l->line_no = c->r.line_no;
    l->eol = LOG_EOL_NONE;
    size_t q = tn >= 3 && text[0] == 'b' && (text[1] == '\'' || text[1] == '"') ? 1 : 0;
    if (tn >= q + 2 && (text[q] == '"' || text[q] == '\'') && text[tn - 1] == text[q]) {
        g_byte_array_set_size(scratch, 0);
        log_unescape(scratch, text + q + 1, tn - q - 2,
                     LOG_ESC_C | (text[q] == '\'' ? LOG_ESC_NAMES : 0));
        l->exact = true;
    } else if (log_payload(text, tn, scratch)) {
        l->exact = true; /* <Buffer 41 54 0d>, bytearray(b'AT\r'), 0x41 0x54 0x0d */
    } else if (log_spelled(text, tn) || log_piece(c, text, tn)) {
        g_byte_array_set_size(scratch, 0);
        log_unescape(scratch, text, tn, LOG_ESC_C | LOG_ESC_NAMES);
        l->exact = true;
    }
    if (l->exact) {
        l->s = scratch->data;
        l->n = scratch->len;
    } else {
        if (func && dir == QFTP_DIR_RX)
            tn = rejoin_arguments(text, tn);
        l->s = text;
        l->n = tn;
    }
}

bool log_fw_line(const log_ctx *c, uint8_t *b, size_t n, bool in_data, GByteArray *scratch,
                 log_tline *l)
{
    log_stamp st;
    qftp_dir dir;
    size_t off;
    bool func = false;
    if (!fw_head(b, n, &st, &dir, &off, &func) || (!in_data && !traffic_text(b + off, n - off)))
        return false;
    fw_tline(c, b + off, n - off, dir, st, func, scratch, l);
    return true;
}

static int firmware_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    fw_state *p = state;
    g_byte_array_set_size(p->line, 0);
    g_byte_array_append(p->line, s, (guint)n);
    uint8_t *b = p->line->data;
    size_t len = log_strip_ansi(b, n);
    while (len && b[len - 1] == '\r')
        len--;
    if (log_blank(b, len))
        return 0;
    log_stamp st;
    qftp_dir dir;
    size_t off, end = len;
    bool func = false;
    int64_t fd;
    if (strace_line(b, len, &dir, &off, &end, &fd)) {
        /* the serial port's descriptor: the first one AT traffic goes through; the
         * program's other files are not traffic */
        if (p->fd < 0 && fd >= 0 && strace_traffic(b, off, end, p->text.scratch))
            p->fd = fd;
        if (fd != p->fd && !(fd == -2 && p->fd >= 0)) {
            log_skipped(c);
            return 0;
        }
        size_t t = 0; /* strace -f: "[pid N] " before the time */
        if (len > 5 && memcmp(b, "[pid ", 5) == 0) {
            const uint8_t *close = memchr(b, ']', len);
            t = close ? log_skip_ws(b, len, (size_t)(close - b) + 1) : 0;
        }
        fw_time(b + t, len - t, &st);
    } else if (repl_line(b, len, &dir, &off, &end)) {
        st = LOG_NO_STAMP;
    } else if (!fw_head(b, len, &st, &dir, &off, &func) ||
               (!log_transcript_in_data(p->text.t) && !traffic_text(b + off, len - off))) {
        log_skipped(c);
        return 0;
    }
    log_tline l;
    fw_tline(c, b + off, end - off, dir, st, func, p->text.scratch, &l);
    return log_transcript_line(c, p->text.t, &l);
}

static void firmware_cleanup(void *state)
{
    fw_state *p = state;
    log_text_cleanup(&p->text);
    if (p->line)
        g_byte_array_free(p->line, TRUE);
}

static void firmware_describe(const uint8_t *s, size_t n, char *out, size_t cap)
{
    uint8_t buf[512];
    size_t len, off, end;
    qftp_dir d;
    probe_copy(s, n, buf, &len, &off);
    int64_t fd;
    if (strace_line(buf, len, &d, &off, &end, &fd)) {
        snprintf(out, cap,
                 "strace's write() and read() calls on the serial port (\"%.*s\"); the other "
                 "lines are skipped",
                 (int)(len > 60 ? 60 : len), (const char *)buf);
        return;
    }
    if (repl_line(buf, len, &d, &off, &end)) {
        snprintf(out, cap,
                 "a Python prompt's session: what write() wrote, what reads returned (\"%.*s\"); "
                 "its other lines are skipped",
                 (int)(len > 60 ? 60 : len), (const char *)buf);
        return;
    }
    snprintf(out, cap,
             "AT traffic after a per-line prefix \"%.*s\"; the firmware's other lines are skipped",
             (int)(off > 60 ? 60 : off), (const char *)buf);
}

const log_layout log_layout_firmware = {
    .id = QFTP_FMT_FIRMWARE,
    .name = "firmware",
    .probe = firmware_probe,
    .share = 0,
    .state_size = sizeof(fw_state),
    .open = firmware_open,
    .line = firmware_line,
    .finish = log_text_finish,
    .cleanup = firmware_cleanup,
    .describe = firmware_describe,
};
