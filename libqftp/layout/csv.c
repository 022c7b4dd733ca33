/* csv.c - a table exported as CSV: a header row that names the columns, then one row per
 * line or per byte of the serial traffic, e.g.
 *
 *   time,direction,data                           a logger's or a spreadsheet's export:
 *   10:00:00.123,TX,"AT+QFTPCWD=""/"""             one line per row
 *   10:00:00.150,RX,OK
 *
 *   name,type,start_time,duration,data             a logic analyser's serial decoder
 *   MCU_TX,data,1.204518,8.68e-05,A                (Saleae Logic 2's table export):
 *   MCU_TX,data,1.204605,8.68e-05,T                one byte per row, the channel's name
 *   MCU_TX,data,1.204692,8.68e-05,\r               says which wire it was on
 *
 * The separator is the header's: ',', ';' or a tab; fields may be quoted ("" is a quote).
 * Columns are found by their names (any case, a unit such as " [s]" ignored):
 *   time       time, timestamp, start_time, date (a date and a time column are joined)
 *   direction  direction, dir, source, src, from, sender, request, function, operation,
 *              port, channel, name, type (the surest when several are)
 *   data       data, payload, hex, bytes, raw, ascii, line, content, string, value; else
 *              text, message, msg (a message is the data when no other column is)
 * A direction column's value is read by its words: tx, send, sent, write, written, out
 * for the host's side, rx, recv, receive(d), read, in for the module's; a side's name
 * turns them round (MODEM_TX, BG96 TX, DCE TX are the module's bytes, MCU_TX, HOST TX,
 * DTE TX the host's). Channels named otherwise: the one whose bytes start with "AT" in
 * the log's head is the host's. Data cells: "0x41" (one or more) and, in a column named
 * hex, "41 54 0D" are bytes; \r \n \xHH <CR> <LF> are spelled bytes; otherwise text.
 *
 * When most data cells of the head are one byte each, the table is a byte stream: the
 * bytes of one channel are joined into one record until the channel changes or 5 ms pass
 * between two bytes (a pause of the writer: at 9600 baud a byte takes about 1 ms). Else
 * every row is one line of its side, read like the timestamped layout's marked lines (a
 * row of spelled bytes: those bytes, a record of its own).
 * Rows before the header, repeated headers and rows without a data cell are skipped and
 * counted.
 */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "../logimport_int.h"

enum { CSV_MAX_COLS = 256, CSV_MAX_CHANNELS = 16, CSV_CHANNEL_NAME = 48 };

typedef struct {
    log_text_state text; /* first: the shared operations take the state as this */
    bool header;         /* the header row was read */
    uint8_t sep;
    int col_time, col_date, col_dir, col_data;
    size_t cols;  /* the header's columns */
    int dir_rank; /* the direction column's place in the list of names (lower is better) */
    bool data_hex;
    bool bytes; /* a byte stream: one byte per row */
    struct {
        char name[CSV_CHANNEL_NAME];
        int dir; /* -1: not known, else a qftp_dir */
    } ch[CSV_MAX_CHANNELS];
    size_t n_ch;
    /* the bytes of a channel not yet handed on */
    GByteArray *pend;
    int pend_ch; /* -1: none */
    int pend_dir;
    log_stamp pend_st, last_st;
    uint64_t pend_line;
    GByteArray *cell, *joined;
    const log_ctx *c; /* for log_piece */
} csv_state;

/* ---- fields ------------------------------------------------------------------------------ */

typedef struct {
    size_t off[CSV_MAX_COLS], len[CSV_MAX_COLS];
    size_t end[CSV_MAX_COLS]; /* where the field's raw text ends, its quotes included */
    bool quoted[CSV_MAX_COLS];
    size_t n;
} csv_fields;

/* Splits a row at sep (quotes respected; a quote left open runs to the end of the line).
 * Offsets point into s; a quoted field's bounds exclude its quotes (its doubled quotes
 * stay: csv_cell undoes them). Returns false when the row has more than CSV_MAX_COLS. */
static bool split_row(const uint8_t *s, size_t n, uint8_t sep, csv_fields *f)
{
    f->n = 0;
    size_t i = 0;
    for (;;) {
        if (f->n == CSV_MAX_COLS)
            return false;
        size_t k = f->n++;
        size_t sp = i;
        while (sp < n && s[sp] == ' ')
            sp++;
        if (sp < n && s[sp] == '"')
            i = sp; /* spaces before a quoted field are not its text */
        f->quoted[k] = i < n && s[i] == '"';
        if (f->quoted[k]) {
            size_t j = ++i;
            while (j < n && !(s[j] == '"' && (j + 1 >= n || s[j + 1] != '"')))
                j += s[j] == '"' ? 2 : 1;
            f->off[k] = i;
            f->len[k] = j - i;
            i = j < n ? j + 1 : n;
            while (i < n && s[i] != sep)
                i++; /* what follows the closing quote up to the separator is dropped */
            f->end[k] = i;
            while (f->end[k] > j && (s[f->end[k] - 1] == ' ' || s[f->end[k] - 1] == '\r'))
                f->end[k]--;
        } else {
            size_t j = i;
            while (j < n && s[j] != sep)
                j++;
            /* spaces around the text are the writer's, unless they are all of it (the
             * space character of a byte stream) */
            size_t a = i, b = j;
            while (a < b && s[a] == ' ')
                a++;
            while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\r'))
                b--;
            if (a == b && j > i && s[i] == ' ')
                a = i, b = i + 1;
            f->off[k] = a;
            f->len[k] = b - a;
            f->end[k] = b;
            i = j;
        }
        if (i >= n)
            return true;
        i++; /* the separator */
    }
}

/* A row with more fields than the header has columns, its data cell not quoted: the
 * separators from there on are the data's own (a writer that does not quote leaves
 * "+QFTPOPEN: 0,0" and "+QFTPPWD: 0,"/"" as they are), so those fields are one. */
static void merge_data(int col_data, size_t cols, csv_fields *f)
{
    if (col_data < 0 || !cols || f->n <= cols || (size_t)col_data >= f->n || f->quoted[col_data])
        return;
    size_t d = (size_t)col_data, extra = f->n - cols;
    f->len[d] = f->end[d + extra] - f->off[d];
    f->end[d] = f->end[d + extra];
    for (size_t k = d + 1; k + extra < f->n; k++) {
        f->off[k] = f->off[k + extra];
        f->len[k] = f->len[k + extra];
        f->end[k] = f->end[k + extra];
        f->quoted[k] = f->quoted[k + extra];
    }
    f->n = cols;
}

/* Field k of the row as its text (doubled quotes undone) into out. */
static void csv_cell(const uint8_t *s, const csv_fields *f, size_t k, GByteArray *out)
{
    g_byte_array_set_size(out, 0);
    const uint8_t *p = s + f->off[k];
    for (size_t i = 0; i < f->len[k]; i++) {
        g_byte_array_append(out, p + i, 1);
        if (f->quoted[k] && p[i] == '"' && i + 1 < f->len[k] && p[i + 1] == '"')
            i++;
    }
}

/* ---- the header ---------------------------------------------------------------------------- */

/* A column's name in lower case without quotes, spaces and a unit ("Time [s]" -> "time"). */
static size_t norm_name(const uint8_t *s, size_t n, char *out, size_t cap)
{
    size_t m = 0;
    for (size_t i = 0; i < n && m + 1 < cap; i++) {
        uint8_t c = s[i];
        if (c == '[' || c == '(')
            break;
        if (c == '"' || c == ' ' || c == '\t' || c == '\r')
            continue;
        out[m++] = (char)g_ascii_tolower(c);
    }
    out[m] = '\0';
    return m;
}

/* surest first: a monitor's request column (IRP_MJ_WRITE, IRP_MJ_READ) before the port's */
static const char *const dir_names[] = {"direction", "dir",  "tx/rx",   "rx/tx",   "source",
                                        "src",       "from", "sender",  "request", "function",
                                        "operation", "port", "channel", "name",    "type"};
/* Data's names, surest first; then a message's (LOG_RANK_MESSAGE on), which is the data
 * only when no other data is beside it ("msg":"at tx" beside "data":"AT..." says the
 * direction). */
static const char *const data_names[] = {"data",
                                         "payload",
                                         "hex",
                                         "bytes",
                                         "raw",
                                         "ascii",
                                         "line",
                                         "content",
                                         "string",
                                         "value",
                                         "decodedprotocolresult"};
static const char *const message_names[] = {"text", "message", "msg"};

log_col_role log_column_role(const char *name, int *rank)
{
    if (!strcmp(name, "time") || !strcmp(name, "timestamp") || !strcmp(name, "start_time") ||
        !strcmp(name, "ts") || !strcmp(name, "@timestamp") || !strcmp(name, "starttime") ||
        !strcmp(name, "datetime") || !strcmp(name, "date/time") || !strcmp(name, "time_s") ||
        !strcmp(name, "__realtime_timestamp")) /* journald's (journalctl -o json) */
        return COL_TIME;
    if (!strcmp(name, "date"))
        return COL_DATE;
    for (size_t k = 0; k < G_N_ELEMENTS(dir_names); k++)
        if (!strcmp(name, dir_names[k])) {
            *rank = (int)k;
            return COL_DIR;
        }
    for (size_t k = 0; k < G_N_ELEMENTS(data_names); k++)
        if (!strcmp(name, data_names[k])) {
            *rank = (int)k;
            return COL_DATA;
        }
    for (size_t k = 0; k < G_N_ELEMENTS(message_names); k++)
        if (!strcmp(name, message_names[k])) {
            *rank = LOG_RANK_MESSAGE + (int)k;
            return COL_DATA;
        }
    return COL_NONE;
}

/* A column's name is words: letters, digits, spaces and _ - . / # % [ ] ( ); quoted, its
 * closing quote ends the field (a JSON object's "key":"value" is no header). */
static bool name_chars(const uint8_t *s, size_t n, const csv_fields *f, size_t k)
{
    const uint8_t *p = s + f->off[k];
    for (size_t i = 0; i < f->len[k]; i++)
        if (!g_ascii_isalnum(p[i]) && !strchr(" _-./#%[]()", p[i]))
            return false;
    if (f->quoted[k]) {
        size_t e = f->off[k] + f->len[k] + 1; /* after the closing quote */
        while (e < n && s[e] == ' ')
            e++;
        if (e < n && s[e] != ',' && s[e] != ';' && s[e] != '\t')
            return false;
    }
    return true;
}

typedef struct {
    uint8_t sep;
    int time, date, dir, data, dir_rank, data_rank;
    bool hex;
    size_t cols; /* the header's columns */
} csv_header;

/* Whether the line is a header: its separator gives at least two fields, all of them short
 * names (none is AT traffic), one names the data and one the time or the direction. */
static bool parse_header(const uint8_t *s, size_t n, csv_header *h)
{
    static const uint8_t seps[] = {',', ';', '\t'};
    if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
        s += 3, n -= 3;
    for (size_t q = 0; q < G_N_ELEMENTS(seps); q++) {
        if (!memchr(s, seps[q], n))
            continue;
        csv_fields f;
        if (!split_row(s, n, seps[q], &f) || f.n < 2)
            continue;
        *h = (csv_header){seps[q], -1, -1, -1, -1, 99, 99, false, f.n};
        bool ok = true;
        for (size_t k = 0; k < f.n && ok; k++) {
            char name[40];
            if (f.len[k] > 32 || !name_chars(s, n, &f, k)) {
                ok = false;
                break;
            }
            norm_name(s + f.off[k], f.len[k], name, sizeof name);
            int rank = 99;
            switch (log_column_role(name, &rank)) {
            case COL_TIME:
                if (h->time < 0)
                    h->time = (int)k;
                break;
            case COL_DATE:
                if (h->date < 0)
                    h->date = (int)k;
                break;
            case COL_DIR:
                if (rank < h->dir_rank)
                    h->dir = (int)k, h->dir_rank = rank;
                break;
            case COL_DATA:
                if (rank < h->data_rank) {
                    h->data = (int)k, h->data_rank = rank;
                    h->hex = !strcmp(name, "hex");
                }
                break;
            case COL_NONE:
                break;
            }
        }
        if (!ok || h->data < 0)
            continue;
        if (h->time < 0 && h->date >= 0)
            h->time = h->date, h->date = -1; /* a "date" column that is the whole time */
        if (h->time >= 0 || h->dir >= 0)
            return true;
    }
    return false;
}

static bool csv_probe(const uint8_t *s, size_t n)
{
    csv_header h;
    return parse_header(s, n, &h);
}

/* ---- directions ---------------------------------------------------------------------------- */

static bool word_in(const char *w, const char *const *list, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!strcmp(w, list[k]))
            return true;
    return false;
}

/* A direction by its words (logimport_int.h). */
int log_dir_words(const uint8_t *s, size_t n)
{
    static const char *const tx[] = {"tx",  "send",   "sent",     "write",       "written",
                                     "out", "output", "transmit", "transmitted", ">",
                                     ">>",  "->",     "-->"};
    static const char *const rx[] = {"rx",    "recv", "receive", "received", "read", "in",
                                     "input", "rcvd", "<",       "<<",       "<-",   "<--"};
    static const char *const host[] = {"host", "mcu", "dte", "cpu", "pc", "app", "master"};
    static const char *const module[] = {"module", "modem",   "dce",  "bg96", "bg95",
                                         "m95",    "m66",     "mc60", "ec21", "ec25",
                                         "eg91",   "quectel", "gsm",  "lte",  "slave"};
    int d = -1, side = -1;
    char w[24];
    size_t i = 0;
    while (i < n) {
        /* a word: letters and digits ('_', '-' and spaces part them: MCU_TX), or a run of
         * arrow characters */
        size_t m = 0;
        bool arrow = s[i] == '<' || s[i] == '>' || s[i] == '-';
        while (i < n && m + 1 < sizeof w &&
               (arrow ? (s[i] == '<' || s[i] == '>' || s[i] == '-') : g_ascii_isalnum(s[i]))) {
            w[m++] = (char)g_ascii_tolower(s[i]);
            i++;
        }
        w[m] = '\0';
        if (!m) {
            i++;
            continue;
        }
        if (word_in(w, tx, G_N_ELEMENTS(tx)))
            d = QFTP_DIR_TX;
        else if (word_in(w, rx, G_N_ELEMENTS(rx)))
            d = QFTP_DIR_RX;
        else if (word_in(w, host, G_N_ELEMENTS(host)))
            side = QFTP_DIR_TX;
        else if (word_in(w, module, G_N_ELEMENTS(module)))
            side = QFTP_DIR_RX;
    }
    if (d < 0)
        return side; /* "Host", "Modem": whose bytes they are */
    if (side == QFTP_DIR_RX)
        return d == QFTP_DIR_TX ? QFTP_DIR_RX : QFTP_DIR_TX; /* the module's TX wire */
    return d;
}

/* The channel of a direction cell (added when new); -1 when the table is full. */
static int channel_of(csv_state *p, const uint8_t *s, size_t n)
{
    if (!n)
        s = (const uint8_t *)""; /* an empty cell: a GByteArray's data may be NULL */
    if (n >= CSV_CHANNEL_NAME)
        n = CSV_CHANNEL_NAME - 1;
    for (size_t k = 0; k < p->n_ch; k++)
        if (strlen(p->ch[k].name) == n && memcmp(p->ch[k].name, s, n) == 0)
            return (int)k;
    if (p->n_ch == CSV_MAX_CHANNELS)
        return -1;
    size_t k = p->n_ch++;
    memcpy(p->ch[k].name, s, n);
    p->ch[k].name[n] = '\0';
    p->ch[k].dir = log_dir_words(s, n);
    return (int)k;
}

/* ---- cells --------------------------------------------------------------------------------- */

/* A data cell as bytes, when it spells them: 0x.., hex in a hex column, escapes; in a byte
 * stream, any cell (a character as it is, 'A' in quotes too). */
static bool cell_bytes(csv_state *p, const uint8_t *s, size_t n, GByteArray *out)
{
    if (log_hex0x_bytes(s, n, out))
        return true;
    if (p->data_hex && log_hex_bytes(s, n, out))
        return true;
    if (log_spelled(s, n) || log_piece(p->c, s, n) || (p->bytes && n >= 2 && s[0] == '\\')) {
        g_byte_array_set_size(out, 0);
        log_unescape(out, s, n, LOG_ESC_C | LOG_ESC_NAMES);
        return true;
    }
    if (p->bytes) {
        g_byte_array_set_size(out, 0);
        if (n == 3 && s[0] == '\'' && s[2] == '\'')
            s++, n = 1;
        else if (n == 0)
            return false;
        g_byte_array_append(out, s, (guint)n);
        return true;
    }
    return false;
}

/* One byte's worth: "A", "'A'", "0x41", "\r", "<CR>", " ". */
static bool single_byte_cell(const uint8_t *s, size_t n)
{
    if (n == 1 || (n == 3 && s[0] == '\'' && s[2] == '\''))
        return true;
    if (n == 4 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return true;
    if (n == 2 && s[0] == '\\')
        return true;
    if (n == 4 && s[0] == '\\' && s[1] == 'x')
        return true;
    return n == 4 && s[0] == '<' && s[3] == '>';
}

/* The time of a row: its time cell (and date cell), or seconds as a number (1.2e-05). */
static log_stamp row_time(csv_state *p, const uint8_t *s, const csv_fields *f)
{
    log_stamp st = LOG_NO_STAMP;
    if (p->col_time < 0 || (size_t)p->col_time >= f->n)
        return st;
    GByteArray *j = p->joined;
    g_byte_array_set_size(j, 0);
    if (p->col_date >= 0 && (size_t)p->col_date < f->n) {
        csv_cell(s, f, (size_t)p->col_date, p->cell);
        g_byte_array_append(j, p->cell->data, p->cell->len);
        g_byte_array_append(j, (const uint8_t *)" ", 1);
    }
    csv_cell(s, f, (size_t)p->col_time, p->cell);
    g_byte_array_append(j, p->cell->data, p->cell->len);
    if (!j->len)
        return st;
    size_t t = log_parse_time(j->data, j->len, &st);
    if (t && t == j->len)
        return st;
    /* a number in any notation (a logic analyser's 1.2045e+00, Unix milliseconds) */
    return log_number_stamp(j->data, j->len);
}

/* ---- rows ---------------------------------------------------------------------------------- */

static int flush(log_ctx *c, csv_state *p)
{
    if (p->pend_ch < 0 || !p->pend->len) {
        p->pend_ch = -1;
        return 0;
    }
    log_tline l = {p->pend->data,
                   p->pend->len,
                   true,
                   p->pend_dir >= 0,
                   p->pend_dir >= 0 ? (qftp_dir)p->pend_dir : QFTP_DIR_RX,
                   p->pend_st,
                   LOG_EOL_NONE,
                   p->pend_line};
    int rc = log_transcript_line(c, p->text.t, &l);
    g_byte_array_set_size(p->pend, 0);
    p->pend_ch = -1;
    return rc;
}

/* The head's rows: whether most data cells are one byte (a byte stream), and which
 * channel is the host's when the names do not say (its bytes start with "AT"). */
static void look_ahead(log_ctx *c, csv_state *p)
{
    const uint8_t *h = c->r.buf + c->r.pos;
    size_t n = c->r.end - c->r.pos;
    bool header = false;
    csv_header hd;
    unsigned rows = 0, single = 0, hex = 0;
    char first[CSV_MAX_CHANNELS][2] = {{0}};
    size_t first_n[CSV_MAX_CHANNELS] = {0};
    for (size_t i = 0; i < n && rows < 200;) {
        const uint8_t *e = memchr(h + i, '\n', n - i);
        size_t len = e ? (size_t)(e - (h + i)) : n - i;
        const uint8_t *s = h + i;
        i += len + 1;
        if (!e)
            break; /* a line cut by the head's end */
        while (len && s[len - 1] == '\r')
            len--; /* CR LF: the line ends of a Windows tool's export */
        if (!header) {
            if (parse_header(s, len, &hd)) {
                header = true;
                p->sep = hd.sep;
                p->col_time = hd.time;
                p->col_date = hd.date;
                p->col_dir = hd.dir;
                p->col_data = hd.data;
                p->data_hex = hd.hex;
                p->cols = hd.cols;
            }
            continue;
        }
        csv_fields f;
        if (!split_row(s, len, p->sep, &f))
            continue;
        merge_data(p->col_data, p->cols, &f);
        if ((size_t)p->col_data >= f.n)
            continue;
        rows++;
        int k = -1;
        if (p->col_dir >= 0 && (size_t)p->col_dir < f.n) {
            csv_cell(s, &f, (size_t)p->col_dir, p->cell);
            k = channel_of(p, p->cell->data, p->cell->len);
        }
        csv_cell(s, &f, (size_t)p->col_data, p->cell);
        const uint8_t *d = p->cell->data;
        size_t dn = p->cell->len;
        if (single_byte_cell(d, dn))
            single++;
        if (dn >= 5 && log_hex_bytes(d, dn, p->joined)) {
            hex++; /* "41 54 0D": bytes in hex, two or more (the channel starts with them) */
            d = p->joined->data;
            dn = p->joined->len;
        } else if (k >= 0 && log_hex0x_bytes(d, dn, p->joined)) {
            d = p->joined->data; /* "0x41": the byte it names */
            dn = p->joined->len;
        }
        for (size_t b = 0; k >= 0 && b < dn && first_n[k] < 2; b++) {
            if (d[b] == '\'' || d[b] == ' ')
                continue;
            first[k][first_n[k]++] = (char)g_ascii_toupper(d[b]);
        }
    }
    p->bytes = rows >= 4 && single * 5 >= rows * 4;
    /* a data column of hex bytes whatever its name (a monitor's "Data" beside its "ASCII") */
    if (rows >= 2 && hex * 5 >= rows * 4)
        p->data_hex = true;
    /* channels the names do not place: the one that starts with AT is the host's */
    int host = -1, unknown = 0;
    for (size_t k = 0; k < p->n_ch; k++)
        if (p->ch[k].dir < 0) {
            unknown++;
            if (first_n[k] == 2 && first[k][0] == 'A' && first[k][1] == 'T')
                host = host == -1 ? (int)k : -2;
        }
    if (unknown && host >= 0)
        for (size_t k = 0; k < p->n_ch; k++)
            if (p->ch[k].dir < 0)
                p->ch[k].dir = (int)k == host ? QFTP_DIR_TX : QFTP_DIR_RX;
}

static int csv_open(log_ctx *c, void *state)
{
    csv_state *p = state;
    p->c = c;
    p->pend = g_byte_array_new();
    p->cell = g_byte_array_new();
    p->joined = g_byte_array_new();
    p->pend_ch = -1;
    p->col_time = p->col_date = p->col_dir = p->col_data = -1;
    look_ahead(c, p);
    return log_text_open(c, &p->text);
}

static int csv_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    csv_state *p = state;
    int rc;
    while (n && s[n - 1] == '\r')
        n--;
    if (log_blank(s, n))
        return 0;
    csv_header hd;
    if (parse_header(s, n, &hd)) {
        /* the header (or the header again, where two exports were joined) */
        if (p->header && hd.sep == p->sep && hd.data == p->col_data)
            log_skipped(c);
        p->header = true;
        return 0;
    }
    csv_fields f;
    bool split = p->header && split_row(s, n, p->sep, &f);
    if (split)
        merge_data(p->col_data, p->cols, &f);
    if (!split || p->col_data < 0 || (size_t)p->col_data >= f.n) {
        log_skipped(c); /* a title before the header, a row cut short */
        return 0;
    }
    log_stamp st = row_time(p, s, &f);
    int ch = -1, dir = -1;
    if (p->col_dir >= 0 && (size_t)p->col_dir < f.n) {
        csv_cell(s, &f, (size_t)p->col_dir, p->cell);
        ch = channel_of(p, p->cell->data, p->cell->len);
        if (ch >= 0)
            dir = p->ch[ch].dir;
    }
    csv_cell(s, &f, (size_t)p->col_data, p->cell);
    GByteArray *cell = p->cell;
    if (!cell->len) {
        log_skipped(c);
        return 0;
    }
    GByteArray *bytes = p->text.scratch;
    if (cell_bytes(p, cell->data, cell->len, bytes)) {
        /* bytes: joined with the channel's bytes just before (a pause ends a record) */
        bool gap = st.have && p->last_st.have && st.ts - p->last_st.ts > 5 * QFTP_NS_PER_MS;
        if (p->pend_ch >= 0 &&
            (p->pend_ch != (ch < 0 ? CSV_MAX_CHANNELS : ch) || gap || p->pend->len >= 4096))
            if ((rc = flush(c, p)) != 0)
                return rc;
        if (p->pend_ch < 0) {
            p->pend_ch = ch < 0 ? CSV_MAX_CHANNELS : ch;
            p->pend_dir = dir;
            p->pend_st = st;
            p->pend_line = c->r.line_no;
        }
        g_byte_array_append(p->pend, bytes->data, bytes->len);
        p->last_st = st;
        /* a table of a line per row: the row's bytes are a record of their own, at its time */
        return p->bytes ? 0 : flush(c, p);
    }
    if ((rc = flush(c, p)) != 0)
        return rc;
    p->last_st = st;
    /* a line of its side: the row ends it, not the data */
    GByteArray *copy = p->joined;
    g_byte_array_set_size(copy, 0);
    g_byte_array_append(copy, cell->data, cell->len);
    return log_text_line(c, &p->text, copy->data, copy->len, dir >= 0,
                         dir >= 0 ? (qftp_dir)dir : QFTP_DIR_RX, st, false);
}

static int csv_finish(log_ctx *c, void *state)
{
    csv_state *p = state;
    int rc = flush(c, p);
    return rc ? rc : log_text_finish(c, &p->text);
}

static void csv_cleanup(void *state)
{
    csv_state *p = state;
    if (p->pend)
        g_byte_array_free(p->pend, TRUE);
    if (p->cell)
        g_byte_array_free(p->cell, TRUE);
    if (p->joined)
        g_byte_array_free(p->joined, TRUE);
    log_text_cleanup(&p->text);
}

static void csv_describe(const uint8_t *s, size_t n, char *out, size_t cap)
{
    csv_header h;
    const char *sep = "comma";
    if (parse_header(s, n, &h))
        sep = h.sep == ';' ? "semicolon" : h.sep == '\t' ? "tab" : "comma";
    size_t m = n > 60 ? 60 : n;
    snprintf(out, cap, "a table with the header \"%.*s\" (%s-separated)", (int)m, (const char *)s,
             sep);
}

const log_layout log_layout_csv = {
    .id = QFTP_FMT_CSV,
    .name = "csv",
    .probe = csv_probe,
    .share = 0,
    .state_size = sizeof(csv_state),
    .open = csv_open,
    .line = csv_line,
    .finish = csv_finish,
    .cleanup = csv_cleanup,
    .describe = csv_describe,
};
