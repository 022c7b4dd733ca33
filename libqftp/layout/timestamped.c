/* timestamped.c - the timestamped layout: a time before each line, and maybe a direction
 * marker after it (docs/import.md).
 *
 *   [2026-11-30 10:00:01.123] AT+QFTPOPEN=...     TeraTerm 4.96+, minicom (extended)
 *   [Sun Nov 30 10:00:01.123 2026] OK             TeraTerm before 4.96
 *   [0 00:00:01.123] OK                           TeraTerm, elapsed time
 *   [03:47:14.949] AT+QIACT=1                     tio --timestamp
 *   10:41:02.117 -> RDY                           Arduino IDE serial monitor
 *   [2026-11-30_09:12:40:118]AT+QFTPCLOSE         Quectel QCOM "Show Time"
 *   1764500101,OK                                 RealTerm capture, Unix timestamps
 *   [2024-05-01 10:00:01.123] >> AT... / << OK    loggers with a direction marker
 *   10:00:03,520 RX: +QFTPOPEN: 0,0               (>> << TX RX Send Sent Recv Received)
 *   [2026/11/30 10:00:00.123] → AT...             arrows: → ← -> <- --> <--
 *   【10:00:00.123】发送：AT...                    Chinese serial assistants (发送 接收)
 *
 * Lines with a marker are records of that side, one per line. Lines without one are read
 * as a plain log with its times: AT... is the host's, the rest the module's, the lines
 * after CONNECT are data whose line ends the completion URC's count decides (the
 * transcript). A line without a time (a tool that stamps only lines with text) goes on
 * with a synthesised time. */
#include <glib.h>
#include <string.h>

#include "../logimport_int.h"

/* A direction marker (logimport_int.h). */
size_t log_marker(const uint8_t *s, size_t n, bool timed, qftp_dir *dir)
{
    static const struct {
        const char *w;
        qftp_dir d;
    } words[] = {{">>", QFTP_DIR_TX},
                 {"<<", QFTP_DIR_RX},
                 {"TX", QFTP_DIR_TX},
                 {"RX", QFTP_DIR_RX},
                 {"Sent", QFTP_DIR_TX},
                 {"Send", QFTP_DIR_TX},
                 {"Rcvd", QFTP_DIR_RX},
                 {"Received", QFTP_DIR_RX},
                 {"Receive", QFTP_DIR_RX},
                 {"Recv", QFTP_DIR_RX},
                 {"Rev", QFTP_DIR_RX}, /* Chinese tools' short "received" */
                 {"Sending", QFTP_DIR_TX},
                 /* AT testers' and serial libraries' words for the two sides */
                 {"Command", QFTP_DIR_TX},
                 {"Cmd", QFTP_DIR_TX},
                 {"Request", QFTP_DIR_TX},
                 {"Req", QFTP_DIR_TX},
                 {"Write", QFTP_DIR_TX},
                 {"Response", QFTP_DIR_RX},
                 {"Resp", QFTP_DIR_RX},
                 {"Rsp", QFTP_DIR_RX},
                 {"Reply", QFTP_DIR_RX},
                 {"Answer", QFTP_DIR_RX},
                 {"Read", QFTP_DIR_RX},
                 /* arrows away from the terminal and towards it */
                 {"-->", QFTP_DIR_TX},
                 {"<--", QFTP_DIR_RX},
                 {"->", QFTP_DIR_TX},
                 {"<-", QFTP_DIR_RX},
                 {"\xe2\x86\x92", QFTP_DIR_TX}, /* → */
                 {"\xe2\x86\x90", QFTP_DIR_RX}, /* ← */
                 /* Chinese serial assistants: 发送 (send), 接收 (receive) */
                 {"\xe5\x8f\x91\xe9\x80\x81", QFTP_DIR_TX},
                 {"\xe6\x8e\xa5\xe6\x94\xb6", QFTP_DIR_RX},
                 /* PlatformIO's monitor: "> " sent, "< " received, after a time only
                  * (an e-mail's quoting is "> " too) and with text after it (a lone
                  * "> " is the module's prompt) */
                 {">", QFTP_DIR_TX},
                 {"<", QFTP_DIR_RX}};
    /* who sent it, in a column of its own ("| host  | AT..."): a word, then '|' or ':' */
    static const struct {
        const char *w;
        qftp_dir d;
    } sides[] = {{"host", QFTP_DIR_TX},  {"dte", QFTP_DIR_TX},    {"mcu", QFTP_DIR_TX},
                 {"modem", QFTP_DIR_RX}, {"module", QFTP_DIR_RX}, {"dce", QFTP_DIR_RX},
                 {"device", QFTP_DIR_RX}};
    for (size_t k = 0; k < G_N_ELEMENTS(sides); k++) {
        /* the first byte before the call (the words are lower case): most lines start
         * with none of them */
        if (n == 0 || g_ascii_tolower((char)s[0]) != sides[k].w[0])
            continue;
        size_t m = strlen(sides[k].w);
        if (n <= m || g_ascii_strncasecmp((const char *)s, sides[k].w, m) != 0)
            continue;
        size_t i = log_skip_ws(s, n, m);
        if (i < n && (s[i] == '|' || s[i] == ':')) {
            *dir = sides[k].d;
            return i + (s[i] == ':');
        }
    }
    /* in brackets: "[TX]", or full-width ones as Chinese tools write them ("【发送】",
     * "［RX］") */
    static const char *const open[] = {"[", "\xe3\x80\x90", "\xef\xbc\xbb"}, *const close[] = {
                                                                                 "]",
                                                                                 "\xe3\x80\x91",
                                                                                 "\xef\xbc\xbd"};
    size_t i0 = 0, b = 0;
    for (size_t k = 0; k < G_N_ELEMENTS(open) && !i0; k++)
        if (n >= strlen(open[k]) && memcmp(s, open[k], strlen(open[k])) == 0)
            i0 = strlen(open[k]), b = k;
    for (size_t k = 0; k < G_N_ELEMENTS(words); k++) {
        if (i0 >= n || g_ascii_tolower((char)s[i0]) != g_ascii_tolower(words[k].w[0]))
            continue; /* the first byte before the call, as above */
        size_t m = strlen(words[k].w), i = i0 + m;
        if (n < i || g_ascii_strncasecmp((const char *)s + i0, words[k].w, m) != 0)
            continue;
        if (m == 1 && (!timed || i0 || i + 1 >= n || s[i] != ' ' || s[i + 1] == ' '))
            continue;
        /* arrows and words of other scripts need no separator */
        bool arrow = !g_ascii_isalpha(words[k].w[0]);
        if (i0) {
            size_t cl = strlen(close[b]);
            if (n - i < cl || memcmp(s + i, close[b], cl) != 0)
                continue;
            i += cl;
        }
        size_t sp = i;
        while (sp < n && sp - i < 8 && (s[sp] == ' ' || s[sp] == '\t'))
            sp++;
        if (sp > i && sp < n && s[sp] == ':')
            i = sp; /* "TX : ", "Send  : ": spaces before the colon (aligned columns) */
        if (i < n && (s[i] == ':' || (timed && (s[i] == ';' || s[i] == ','))))
            i++; /* ';' and ',': the columns of a table without a header, after a time */
        else if (!arrow && i < n && s[i] == '>')
            i++; /* "TX> ", "RX> ": a word made a prompt */
        else if (n - i >= 3 && memcmp(s + i, "\xef\xbc\x9a", 3) == 0)
            i += 3; /* the full-width colon '：' */
        else if (!arrow && !i0 && i < n && s[i] != ' ' && s[i] != '\t')
            continue; /* "Sending..." is no marker */
        if (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        *dir = words[k].d;
        return i;
    }
    return 0;
}

typedef enum {
    TS_NONE,
    TS_BRACKET, /* "[time] " */
    TS_ARDUINO, /* "HH:MM:SS.mmm -> " */
    TS_UNIX,    /* "1764500101," */
    TS_BARE,    /* "time " */
} ts_shape;

/* A second number in the brackets after the time, "[12.345678 0.001234]": grabserial's
 * time since the previous line. Returns its bytes with the spaces before it (0: none). */
static size_t delta_after(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    size_t d = i;
    while (i < n && g_ascii_isdigit(s[i]))
        i++;
    if (i == d || i == n || s[i] != '.' || d == 0)
        return 0;
    size_t f = ++i;
    while (i < n && g_ascii_isdigit(s[i]))
        i++;
    return i > f && i < n && s[i] == ']' ? i : 0;
}

/* The time at the start of a line and what follows it: "[<time>]", "<time> -> ",
 * "<seconds>," or "<time>" and a space (or ": "). Returns where the rest starts (0: no time). */
static size_t time_prefix(const uint8_t *s, size_t n, log_stamp *st, ts_shape *shape)
{
    size_t i = log_skip_ws(s, n, 0);
    *st = LOG_NO_STAMP;
    *shape = TS_NONE;
    if (n - i >= 3 && memcmp(s + i, "\xe3\x80\x90", 3) == 0) {
        /* "【time】", as Chinese serial assistants write it */
        size_t t = log_parse_time(s + i + 3, n - i - 3, st);
        if (t == 0 || n - (i + 3 + t) < 3 || memcmp(s + i + 3 + t, "\xe3\x80\x91", 3) != 0) {
            *st = LOG_NO_STAMP;
            return 0;
        }
        *shape = TS_BRACKET;
        return log_skip_ws(s, n, i + 6 + t);
    }
    if (i < n && (s[i] == '[' || s[i] == '(' || s[i] == '<')) {
        /* "[time]", or "(time)" as YAT and other terminals write it, or "<time>" */
        uint8_t close = s[i] == '[' ? ']' : s[i] == '(' ? ')' : '>';
        i = log_skip_ws(s, n, i + 1) - 1; /* "[   12.345678]": the kernel's, dmesg's */
        size_t t = log_parse_time(s + i + 1, n - i - 1, st);
        if (t > 0 && close == ']')
            t += delta_after(s + i + 1 + t, n - i - 1 - t);
        if (t == 0 || i + 1 + t >= n || s[i + 1 + t] != close) {
            *st = LOG_NO_STAMP;
            return 0;
        }
        *shape = TS_BRACKET;
        size_t j = i + 2 + t;
        if (j < n && s[j] == ':' && (j + 1 == n || s[j + 1] == ' ' || s[j + 1] == '\t'))
            j++; /* "[10:00:00.123]: " */
        return log_skip_ws(s, n, j);
    }
    size_t t = log_parse_time(s + i, n - i, st);
    if (t == 0) {
        *st = LOG_NO_STAMP;
        return 0;
    }
    i += t;
    if (n - i >= 4 && memcmp(s + i, " -> ", 4) == 0) {
        *shape = TS_ARDUINO;
        return i + 4;
    }
    if (i < n && s[i] == ',' && t >= 9 && t <= 11) {
        *shape = TS_UNIX;
        return i + 1;
    }
    if (i == n || s[i] == ' ' || s[i] == '\t') {
        *shape = TS_BARE;
        return log_skip_ws(s, n, i);
    }
    if (n - i >= 2 && s[i] == ':' && (s[i + 1] == ' ' || s[i + 1] == '\t')) {
        *shape = TS_BARE; /* "10:00:00.123: " (Termite and loggers that end the time so) */
        return log_skip_ws(s, n, i + 1);
    }
    if (n - i >= 2 && (s[i] == ';' || s[i] == ',') && !g_ascii_isdigit(s[i + 1])) {
        *shape = TS_BARE; /* "10:00:00.123;TX;AT": a table without a header */
        return log_skip_ws(s, n, i + 1);
    }
    *st = LOG_NO_STAMP;
    return 0;
}

/* Column separators of loggers that draw their lines as a table: "| " or "- ". */
static size_t skip_column(const uint8_t *s, size_t n, size_t i)
{
    while (i + 1 < n && (s[i] == '|' || s[i] == '-') && (s[i + 1] == ' ' || s[i + 1] == '\t'))
        i = log_skip_ws(s, n, i + 1);
    return i;
}

/* The time and the marker of a line; *off gets where the text starts. */
static bool stamped_head(const uint8_t *s, size_t n, log_stamp *st, ts_shape *shape, bool *marked,
                         qftp_dir *dir, size_t *off)
{
    size_t i = time_prefix(s, n, st, shape);
    {
        size_t j = *shape != TS_NONE ? skip_column(s, n, i) : i;
        size_t m = log_marker(s + j, n - j, *shape != TS_NONE, dir);
        /* after the Arduino IDE's time the sketch's own words: a marker with its ':'
         * ("Sending: AT..."), not a module line that starts like one */
        if (m && (*shape != TS_ARDUINO || memchr(s + j, ':', m))) {
            *marked = true;
            *off = skip_column(s, n, log_skip_ws(s, n, j + m));
            log_stamp mst;
            ts_shape msh;
            size_t t = *shape == TS_NONE ? time_prefix(s + *off, n - *off, &mst, &msh) : 0;
            if (t && msh != TS_UNIX) {
                /* the direction first, then the time: "RX 10:00:00.150 OK" */
                *st = mst;
                *shape = msh;
                *off = skip_column(s, n, *off + t);
            }
            return true;
        }
    }
    *marked = false;
    *off = *shape != TS_NONE ? skip_column(s, n, i) : i; /* "10:00:00.123 | AT..." */
    return *shape != TS_NONE;
}

static bool timestamped_probe(const uint8_t *s, size_t n)
{
    log_stamp st;
    ts_shape shape;
    qftp_dir d;
    size_t off;
    bool marked;
    return stamped_head(s, n, &st, &shape, &marked, &d, &off);
}

typedef struct {
    log_text_state text; /* first: the shared operations take the state as this */
    /* a block: a stamped head that only says the direction ("[...]# RECV ASCII>",
     * "[10:00:00.140]RX:"), the lines after it without a time are that side's */
    bool block, block_hex;
    qftp_dir block_dir;
    log_stamp block_st;
    bool hex_view; /* the marked lines give their bytes in hex ("TX: 41 54 0D") */
} ts_state;

static int timestamped_open(log_ctx *c, void *state)
{
    /* lines without a time before the first one that has it (a tool that starts stamping
     * later, as minicom when its timestamps are turned on) get that first time */
    const uint8_t *h = c->r.buf + c->r.pos;
    size_t n = c->r.end - c->r.pos;
    for (size_t i = 0; i < n && !c->e.have_base;) {
        const uint8_t *e = memchr(h + i, '\n', n - i);
        size_t len = e ? (size_t)(e - (h + i)) : n - i;
        log_stamp st;
        ts_shape shape;
        if (time_prefix(h + i, len, &st, &shape) && st.have) {
            c->e.base = st.ts;
            c->e.have_base = true;
        }
        i += len + 1;
    }
    ts_state *p = state;
    int rc = log_text_open(c, state);
    /* a monitor's hex view: four in five of the head's marked lines are hex pairs only */
    unsigned marked_lines = 0, hex_lines = 0;
    for (size_t i = 0; i < n && marked_lines < 200;) {
        const uint8_t *e = memchr(h + i, '\n', n - i);
        size_t len = e ? (size_t)(e - (h + i)) : n - i;
        const uint8_t *l = h + i;
        i += len + 1;
        while (len && (l[len - 1] == '\r' || l[len - 1] == ' '))
            len--;
        log_stamp st;
        ts_shape shape;
        qftp_dir d;
        size_t off;
        bool marked;
        if (!stamped_head(l, len, &st, &shape, &marked, &d, &off) || !marked ||
            log_blank(l + off, len - off))
            continue;
        marked_lines++;
        hex_lines += len - off >= 5 && log_hex_chars(l + off, len - off, p->text.scratch);
    }
    p->hex_view = marked_lines >= 2 && hex_lines * 5 >= marked_lines * 4;
    return rc;
}

/* A head's rest that is the direction only: "# SEND ASCII>", "# RECV HEX>", "RX:", "<<"
 * (what log_marker took, then nothing but the form and punctuation). */
static bool head_only(const uint8_t *s, size_t n, qftp_dir *dir, bool *hex)
{
    size_t i = log_skip_ws(s, n, 0);
    if (i < n && s[i] == '#')
        i = log_skip_ws(s, n, i + 1);
    static const struct {
        const char *w;
        qftp_dir d;
    } words[] = {{"SEND", QFTP_DIR_TX},
                 {"SENT", QFTP_DIR_TX},
                 {"RECV", QFTP_DIR_RX},
                 {"RECEIVE", QFTP_DIR_RX},
                 {"RECEIVED", QFTP_DIR_RX}};
    size_t m = 0;
    for (size_t k = 0; k < G_N_ELEMENTS(words) && !m; k++) {
        size_t l = strlen(words[k].w);
        if (n - i >= l && g_ascii_strncasecmp((const char *)s + i, words[k].w, l) == 0 &&
            (i + l == n || !g_ascii_isalpha(s[i + l]))) {
            m = l;
            *dir = words[k].d;
        }
    }
    if (!m)
        return false;
    i = log_skip_ws(s, n, i + m);
    *hex = false;
    if (n - i >= 3 && g_ascii_strncasecmp((const char *)s + i, "HEX", 3) == 0)
        *hex = true, i += 3;
    else if (n - i >= 5 && g_ascii_strncasecmp((const char *)s + i, "ASCII", 5) == 0)
        i += 5;
    while (i < n && (s[i] == '>' || s[i] == ':' || s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    return i == n;
}

/* A stamped line that heads a block: the direction only, or a marker with nothing after it. */
static bool block_head(const uint8_t *s, size_t n, ts_shape shape, bool marked, size_t off,
                       qftp_dir *dir, bool *hex)
{
    if (shape == TS_NONE)
        return false;
    qftp_dir bd = *dir;
    *hex = false;
    if (head_only(s + off, n - off, &bd, hex)) {
        if (!marked || *hex)
            *dir = bd;
        return true;
    }
    return marked && log_blank(s + off, n - off);
}

static bool timestamped_heads(const uint8_t *s, size_t n)
{
    log_stamp st;
    ts_shape shape;
    qftp_dir d = QFTP_DIR_RX;
    size_t off;
    bool marked, hex;
    stamped_head(s, n, &st, &shape, &marked, &d, &off);
    return block_head(s, n, shape, marked, off, &d, &hex);
}

static int timestamped_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    ts_state *p = state;
    log_stamp st;
    ts_shape shape;
    qftp_dir dir = QFTP_DIR_RX;
    size_t off;
    bool marked;
    stamped_head(s, n, &st, &shape, &marked, &dir, &off);
    if (shape != TS_NONE) {
        bool hex;
        p->block = block_head(s, n, shape, marked, off, &dir, &hex);
        if (p->block) {
            p->block_hex = hex;
            p->block_dir = dir;
            p->block_st = st;
            return 0;
        }
    } else if (p->block) {
        /* a line of the block: a line break of the window, not of the bytes (as SSCOM's) */
        if (p->block_hex && log_hex_bytes(s, n, p->text.scratch)) {
            log_tline l = {p->text.scratch->data, p->text.scratch->len, true,         true,
                           p->block_dir,          p->block_st,          LOG_EOL_NONE, c->r.line_no};
            return log_transcript_line(c, p->text.t, &l);
        }
        return log_text_line(c, &p->text, s, n, true, p->block_dir, p->block_st, false);
    }
    /* with a marker, a record per line: its line end is the logger's; its bytes may be
     * written as a program writes bytes (<Buffer 41 54 0d>, b'AT\r', 0x41 0x54) */
    if (marked &&
        ((p->hex_view && n - off >= 2 && log_hex_chars(s + off, n - off, p->text.scratch)) ||
         log_payload(s + off, n - off, p->text.scratch))) {
        log_tline l = {p->text.scratch->data, p->text.scratch->len, true, true, dir, st,
                       LOG_EOL_NONE,          c->r.line_no};
        return log_transcript_line(c, p->text.t, &l);
    }
    return log_text_line(c, &p->text, s + off, n - off, marked, dir, st, !marked);
}

/* Words for the first line of show: which tool writes this time, and whether the lines
 * say their direction. */
static void timestamped_describe(const uint8_t *s, size_t n, char *out, size_t cap)
{
    log_stamp st;
    ts_shape shape;
    qftp_dir d;
    size_t off;
    bool marked;
    if (!stamped_head(s, n, &st, &shape, &marked, &d, &off)) {
        snprintf(out, cap, "time before each line");
        return;
    }
    size_t i = log_skip_ws(s, n, 0);
    const char *tool = "";
    log_stamp first;
    ts_shape first_shape;
    if (shape != TS_NONE && !time_prefix(s, n, &first, &first_shape))
        tool = "a direction, then a time";
    else if (shape == TS_ARDUINO)
        tool = "the Arduino IDE serial monitor's time";
    else if (shape == TS_UNIX)
        tool = "RealTerm's Unix time";
    else if (shape == TS_BRACKET && n - i > 11 && s[i + 11] == '_')
        tool = "QCOM's time";
    else if (shape == TS_BRACKET && n - i > 4 && g_ascii_isalpha(s[i + 1]))
        tool = "TeraTerm's time (before 4.96)";
    else if (shape == TS_BRACKET && st.dated && n - i > 20 && s[i + 5] == '-' && s[i + 11] == ' ')
        tool = "a bracketed date and time (TeraTerm, minicom)";
    else if (shape == TS_BRACKET && s[i] == 0xe3)
        tool = "a time in 【】 (Chinese serial assistants)";
    else if (shape == TS_BRACKET && !st.dated)
        tool = "a bracketed time of day (tio)";
    else if (shape == TS_BRACKET)
        tool = "a bracketed time";
    else if (shape != TS_NONE)
        tool = "a time";
    size_t pre = off > 40 ? 40 : off;
    bool hex;
    bool head = block_head(s, n, shape, marked, off, &d, &hex);
    snprintf(out, cap, "%s%s\"%.*s\"%s", tool, tool[0] ? " " : "", (int)pre, (const char *)s,
             head     ? " heading a block of one side's lines"
             : marked ? " and a direction marker"
                      : ", no direction marker (read like a plain log with its times)");
}

const log_layout log_layout_timestamped = {
    .id = QFTP_FMT_TIMESTAMPED,
    .name = "timestamped",
    .probe = timestamped_probe,
    .heads = timestamped_heads,
    .share = 2,
    .state_size = sizeof(ts_state),
    .open = timestamped_open,
    .line = timestamped_line,
    .finish = log_text_finish,
    .cleanup = log_text_cleanup,
    .describe = timestamped_describe,
};
