/* jsonl.c - JSON Lines: one JSON object per line, as firmware, gateways and log shippers
 * write the traffic they see, e.g.
 *
 *   {"ts":"2026-11-30T10:00:00.123Z","dir":"tx","data":"AT+QFTPCWD=\"/\"\r"}
 *   {"time":1764496800.150,"direction":"rx","message":"OK"}
 *
 * The keys are found by their names as CSV columns are (layout/csv.c, log_column_role):
 * a time (a string any timestamped log may hold, or a number: Unix seconds, or
 * milliseconds, microseconds, nanoseconds by its size), a direction (its words, as
 * log_dir_words reads them) and the data (a string). Data with a CR or LF in it (\r, \n
 * in the JSON) is the bytes themselves (and so is every data string of a log whose head's
 * data strings mostly hold their line ends: a logger of raw reads, whose chunk without
 * one is part of a line), so is an array of byte values ([65, 84, 13]), and
 * hex ("41 54 0D", "41540D") under a key named hex or when the head's data is hex; else
 * it is one line of its side, as a marked line of the timestamped layout. A document of
 * objects (an array, pretty-printed or on one line) is read object by object. Keys are looked for
 * at the object's top level; a line that is not an object, or has no data, is skipped and counted.
 */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "../logimport_int.h"

#define JSON_OBJECT_CAP (1u << 20) /* an object spread over lines, at most (docs/limits.md) */

typedef struct {
    log_text_state text; /* first: the shared operations take the state as this */
    GByteArray *data, *scratch;
    bool hex;        /* the head's data strings are bytes in hex ("41 54 0D", "41540D") */
    bool raw;        /* the head's data strings hold their line ends: every one is bytes as read
                        (a chunk without CR or LF is part of a line, not a line) */
    bool logfmt;     /* the records are logfmt's pairs, not JSON */
    bool data_keyed; /* the head's records have data other than a message: a record
                        whose only data is a message is the logger's own event */
    bool marked;     /* three in four of the head's records without a direction field
                        start their data with a marker ("--> AT...", "RX: OK") */
    bool fw;         /* as marked, the records' data being a daemon's or a device's own
                        log lines ("[ttyUSB2/at] --> 'AT<CR>'": journalctl -o json) */
    bool directed;   /* three in four of the head's records say their direction: one that
                        does not is the logger's own event */
    /* a JSON document whose objects spread over lines (an array, pretty-printed): the
     * object being gathered, its depth of nesting, where a string is open in it */
    GByteArray *obj;
    unsigned depth;
    bool in_str, esc;
} jsonl_state;

/* "41 54 0D" or "41540D": the bytes into out; false if the text is not only hex pairs. */
static bool hex_text(const uint8_t *s, size_t n, GByteArray *out)
{
    if (log_hex_bytes(s, n, out))
        return true;
    if (n < 2 || n % 2)
        return false;
    g_byte_array_set_size(out, 0);
    for (size_t i = 0; i < n; i += 2) {
        if (!g_ascii_isxdigit(s[i]) || !g_ascii_isxdigit(s[i + 1]))
            return false;
        uint8_t b = (uint8_t)(g_ascii_xdigit_value(s[i]) << 4 | g_ascii_xdigit_value(s[i + 1]));
        g_byte_array_append(out, &b, 1);
    }
    return true;
}

/* Where a JSON value that starts at s[i] ends (a string, a number, a literal, or an object
 * or array skipped with what it holds); 0 if it is none. */
static size_t value_end(const uint8_t *s, size_t n, size_t i)
{
    if (i >= n)
        return 0;
    if (s[i] == '"') {
        for (size_t j = i + 1; j < n; j++) {
            if (s[j] == '\\')
                j++;
            else if (s[j] == '"')
                return j + 1;
        }
        return 0;
    }
    if (s[i] == '{' || s[i] == '[') {
        unsigned depth = 0;
        for (size_t j = i; j < n; j++) {
            if (s[j] == '"') {
                size_t e = value_end(s, n, j);
                if (!e)
                    return 0;
                j = e - 1;
            } else if (s[j] == '{' || s[j] == '[') {
                if (++depth > 64)
                    return 0;
            } else if (s[j] == '}' || s[j] == ']') {
                if (--depth == 0)
                    return j + 1;
            }
        }
        return 0;
    }
    size_t j = i;
    while (j < n && (g_ascii_isalnum(s[j]) || s[j] == '-' || s[j] == '+' || s[j] == '.'))
        j++;
    return j > i ? j : 0;
}

/* An array of byte values ([65, 84, 13]) into out; false if it holds anything else. */
static bool byte_array(const uint8_t *s, size_t n, GByteArray *out)
{
    g_byte_array_set_size(out, 0);
    size_t i = log_skip_ws(s, n, 1); /* after '[' */
    while (i < n && s[i] != ']') {
        int64_t v;
        size_t k = log_digits(s, n, i, 3, &v);
        if (!k || v > 255)
            return false;
        uint8_t b = (uint8_t)v;
        g_byte_array_append(out, &b, 1);
        i = log_skip_ws(s, n, i + k);
        if (i < n && s[i] == ',')
            i = log_skip_ws(s, n, i + 1);
        else if (i < n && s[i] != ']')
            return false;
    }
    return i < n && out->len > 0;
}

/* A JSON string's text (without its quotes) decoded into out (\uXXXX as UTF-8). */
static void json_unescape(const uint8_t *s, size_t n, GByteArray *out)
{
    g_byte_array_set_size(out, 0);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c != '\\' || i + 1 >= n) {
            g_byte_array_append(out, &c, 1);
            continue;
        }
        c = s[++i];
        switch (c) {
        case 'n':
            c = '\n';
            break;
        case 'r':
            c = '\r';
            break;
        case 't':
            c = '\t';
            break;
        case 'b':
            c = '\b';
            break;
        case 'f':
            c = '\f';
            break;
        case 'u': {
            gunichar u = 0;
            size_t k = 0;
            while (k < 4 && i + 1 + k < n && g_ascii_isxdigit(s[i + 1 + k]))
                u = u * 16 + (gunichar)g_ascii_xdigit_value(s[i + 1 + k]), k++;
            i += k;
            if (u >= 0xd800 && u < 0xdc00 && i + 6 < n && s[i + 1] == '\\' && s[i + 2] == 'u') {
                gunichar lo = 0;
                size_t m = 0;
                while (m < 4 && g_ascii_isxdigit(s[i + 3 + m]))
                    lo = lo * 16 + (gunichar)g_ascii_xdigit_value(s[i + 3 + m]), m++;
                if (m == 4 && lo >= 0xdc00 && lo < 0xe000) {
                    u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                    i += 6;
                }
            }
            char buf[8];
            gint len = g_unichar_to_utf8(u, buf);
            g_byte_array_append(out, (const uint8_t *)buf, (guint)len);
            continue;
        }
        default:
            break; /* \" \\ \/ and anything else: the character */
        }
        g_byte_array_append(out, &c, 1);
    }
}

/* The fields of a record that name a time, a direction, the data and, beside other data,
 * a message (its words may say the direction): where each value is (a string's inside). */
enum { F_TIME, F_DIR, F_DATA, F_WORDS, F__COUNT };

typedef struct {
    size_t off[F__COUNT], len[F__COUNT];
    bool str[F__COUNT], have[F__COUNT];
    int dir_rank, data_rank;
    bool hex;
    bool go; /* logfmt: strings are quoted as Go quotes them (\xHH, \a, \v) */
} json_fields;

static int slot_of(log_col_role r)
{
    return r == COL_TIME || r == COL_DATE ? F_TIME
           : r == COL_DIR                 ? F_DIR
           : r == COL_DATA                ? F_DATA
                                          : -1;
}

static void set_field(json_fields *f, int slot, size_t off, size_t len, bool str)
{
    f->have[slot] = true;
    f->off[slot] = off;
    f->len[slot] = len;
    f->str[slot] = str;
}

/* A field found by its name's role (value at off, len): kept when it is the first of its
 * role or a surer direction or data; a message that is not the data keeps its words. */
static void take_field(json_fields *f, int slot, int rank, const char *name, size_t off, size_t len,
                       bool str)
{
    if (slot == F_DATA) {
        bool better = !f->have[F_DATA] || rank < f->data_rank;
        size_t o = better ? f->off[F_DATA] : off, l = better ? f->len[F_DATA] : len;
        bool was = better ? f->have[F_DATA] && f->str[F_DATA] : str;
        int r = better ? f->data_rank : rank;
        if (was && r >= LOG_RANK_MESSAGE && !f->have[F_WORDS])
            set_field(f, F_WORDS, o, l, true);
        if (better) {
            set_field(f, F_DATA, off, len, str);
            f->data_rank = rank;
            f->hex = !strcmp(name, "hex");
        }
        return;
    }
    if (!f->have[slot] || (slot == F_DIR && rank < f->dir_rank)) {
        set_field(f, slot, off, len, str);
        if (slot == F_DIR)
            f->dir_rank = rank;
    }
}

static void fields_init(json_fields *f)
{
    memset(f, 0, sizeof *f);
    f->dir_rank = f->data_rank = 99;
}

/* A key's name as log_column_role takes it: lower case, without spaces and '-'. */
static int key_slot(const uint8_t *k, size_t kl, char *name, size_t cap, int *rank)
{
    size_t m = 0;
    for (size_t i = 0; i < kl && m + 1 < cap; i++)
        if (k[i] != ' ' && k[i] != '-')
            name[m++] = (char)g_ascii_tolower(k[i]);
    name[m] = '\0';
    *rank = 99;
    return kl < cap ? slot_of(log_column_role(name, rank)) : -1;
}

/* The top-level keys of the object on the line that name a time, a direction and data.
 * False if the line is no object. */
static bool parse_object(const uint8_t *s, size_t n, json_fields *f)
{
    fields_init(f);
    size_t i = log_skip_ws(s, n, 0);
    if (i >= n || s[i] != '{')
        return false;
    i = log_skip_ws(s, n, i + 1);
    if (i < n && s[i] == '}')
        return true;
    for (;;) {
        if (i >= n || s[i] != '"')
            return false;
        size_t ke = value_end(s, n, i);
        if (!ke)
            return false;
        char name[40];
        int rank;
        int slot = key_slot(s + i + 1, ke - i - 2, name, sizeof name, &rank);
        i = log_skip_ws(s, n, ke);
        if (i >= n || s[i] != ':')
            return false;
        i = log_skip_ws(s, n, i + 1);
        size_t ve = value_end(s, n, i);
        if (!ve)
            return false;
        bool str = s[i] == '"';
        if (slot >= 0 && (str || (slot == F_TIME && s[i] != '{' && s[i] != '[') ||
                          (slot == F_DATA && s[i] == '[')))
            take_field(f, slot, rank, name, str ? i + 1 : i, str ? ve - i - 2 : ve - i, str);
        i = log_skip_ws(s, n, ve);
        if (i < n && s[i] == ',') {
            i = log_skip_ws(s, n, i + 1);
            continue;
        }
        return i < n && s[i] == '}';
    }
}

/* A logfmt line (Go's and others' structured loggers): key=value pairs parted by spaces,
 * a value quoted when it holds a space, '=' or '"' (time=2026-11-30T10:00:00Z level=debug
 * msg="at tx" data="AT+QFTPCWD=\"/\"\r"). False unless the whole line is two such pairs
 * or more. */
static bool parse_pairs(const uint8_t *s, size_t n, json_fields *f)
{
    fields_init(f);
    f->go = true;
    unsigned pairs = 0;
    size_t i = log_skip_ws(s, n, 0);
    while (i < n) {
        size_t k = i;
        if (!g_ascii_isalpha(s[k]) && s[k] != '_' && s[k] != '@')
            return false;
        while (i < n && (g_ascii_isalnum(s[i]) || strchr("_.-@", s[i])))
            i++;
        if (i >= n || s[i] != '=' || i - k > 32)
            return false;
        size_t kl = i - k, v = ++i;
        bool str = v < n && s[v] == '"';
        if (str) {
            for (i = v + 1; i < n && s[i] != '"'; i++)
                if (s[i] == '\\')
                    i++;
            if (i >= n)
                return false;
            i++;
        } else {
            while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '"')
                i++;
        }
        if (i < n && s[i] != ' ' && s[i] != '\t')
            return false;
        char name[40];
        int rank;
        int slot = key_slot(s + k, kl, name, sizeof name, &rank);
        if (slot >= 0 && i > v)
            take_field(f, slot, rank, name, str ? v + 1 : v, str ? i - v - 2 : i - v, true);
        pairs++;
        i = log_skip_ws(s, n, i);
    }
    return pairs >= 2;
}

/* A line of a pretty-printed JSON document: brackets alone ("[", "{", "},", "}]") or one
 * member ("\"dir\": \"tx\",", "\"meta\": {"). */
static bool pretty_line(const uint8_t *s, size_t n)
{
    size_t i = log_skip_ws(s, n, 0);
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    if (n > i && s[n - 1] == ',')
        n--;
    if (i == n)
        return false;
    if (s[i] != '"') {
        for (size_t k = i; k < n; k++)
            if (!strchr("[]{},", s[k]))
                return false;
        return true;
    }
    size_t ke = value_end(s, n, i);
    size_t c = ke ? log_skip_ws(s, n, ke) : n;
    if (c >= n || s[c] != ':')
        return false;
    size_t v = log_skip_ws(s, n, c + 1);
    if (v + 1 == n && (s[v] == '{' || s[v] == '['))
        return true; /* a nested object or array opens */
    return v < n && value_end(s, n, v) == n;
}

/* A field's string value decoded into out. */
static void field_text(const json_fields *f, int slot, const uint8_t *s, GByteArray *out)
{
    if (f->go) {
        g_byte_array_set_size(out, 0);
        log_unescape(out, s + f->off[slot], f->len[slot], LOG_ESC_C);
    } else {
        json_unescape(s + f->off[slot], f->len[slot], out);
    }
}

/* The direction a record gives: its direction field's words, else those of a message
 * beside its data; -1: none. */
static int record_dir(const json_fields *f, const uint8_t *s, GByteArray *scratch)
{
    int slot = f->have[F_DIR] && f->str[F_DIR] ? F_DIR : f->have[F_WORDS] ? F_WORDS : -1;
    if (slot < 0)
        return -1;
    field_text(f, slot, s, scratch);
    int dir = scratch->len ? log_dir_words(scratch->data, scratch->len) : -1;
    if (dir < 0 && slot == F_DIR && f->have[F_WORDS])
        return record_dir(&(json_fields){.off = {[F_WORDS] = f->off[F_WORDS]},
                                         .len = {[F_WORDS] = f->len[F_WORDS]},
                                         .have = {[F_WORDS] = true},
                                         .go = f->go},
                          s, scratch);
    return dir;
}

/* A record with data and a time or a direction. */
static bool is_record(const json_fields *f)
{
    return f->have[F_DATA] && (f->have[F_TIME] || f->have[F_DIR] || f->have[F_WORDS]);
}

static bool record_object(const uint8_t *s, size_t n)
{
    json_fields f;
    return parse_object(s, n, &f) && is_record(&f);
}

static bool jsonl_probe(const uint8_t *s, size_t n)
{
    if (record_object(s, n) || pretty_line(s, n))
        return true;
    /* a whole document on one line, an array of objects: its first is a record */
    size_t i = log_skip_ws(s, n, 0);
    if (i >= n || s[i] != '[')
        return false;
    size_t j = log_skip_ws(s, n, i + 1), e = j < n && s[j] == '{' ? value_end(s, n, j) : 0;
    return e && record_object(s + j, e - j);
}

static bool logfmt_probe(const uint8_t *s, size_t n)
{
    json_fields f;
    return parse_pairs(s, n, &f) && is_record(&f);
}

/* What the records of the log's head say of the whole (the first 200 with data). */
static int records_open(log_ctx *c, jsonl_state *p, bool logfmt)
{
    p->logfmt = logfmt;
    p->data = g_byte_array_new();
    p->scratch = g_byte_array_new();
    p->obj = g_byte_array_new();
    const uint8_t *h = c->r.buf + c->r.pos;
    size_t n = c->r.end - c->r.pos;
    unsigned objects = 0, hex = 0, eol = 0, data = 0, dirs = 0, marks = 0, fw = 0;
    log_tline l;
    for (size_t i = 0; i < n && objects < 200;) {
        const uint8_t *e = memchr(h + i, '\n', n - i);
        if (!e)
            break;
        json_fields f;
        size_t len = (size_t)(e - (h + i));
        while (len && h[i + len - 1] == '\r')
            len--;
        if ((logfmt ? parse_pairs(h + i, len, &f) : parse_object(h + i, len, &f)) &&
            f.have[F_DATA] && f.str[F_DATA]) {
            objects++;
            data += f.data_rank < LOG_RANK_MESSAGE;
            bool dir = record_dir(&f, h + i, p->scratch) >= 0;
            field_text(&f, F_DATA, h + i, p->data);
            qftp_dir d;
            dirs += dir;
            if (!dir && log_marker(p->data->data, p->data->len, true, &d) > 0)
                marks++;
            else if (!dir && log_fw_line(c, p->data->data, p->data->len, true, p->scratch, &l))
                fw++;
            hex += p->data->len >= 4 && hex_text(p->data->data, p->data->len, p->scratch);
            eol += p->data->len && (memchr(p->data->data, '\r', p->data->len) != NULL ||
                                    memchr(p->data->data, '\n', p->data->len) != NULL);
        }
        i = (size_t)(e - h) + 1;
    }
    /* data strings that are hex in four of five records, two bytes or more ("41540D0A";
     * text such as "OK" or "+QFTPSTAT: 0,1" never is) */
    p->hex = objects && hex * 5 >= objects * 4;
    p->raw = objects >= 2 && eol * 2 >= objects;
    p->data_keyed = data > 0;
    p->marked = marks >= 2 && marks * 4 >= (objects - dirs) * 3;
    p->fw = !p->marked && fw >= 2 && (fw + marks) * 4 >= (objects - dirs) * 3;
    p->directed = objects >= 2 && (dirs + marks + fw) * 4 >= objects * 3;
    return log_text_open(c, &p->text);
}

static int jsonl_open(log_ctx *c, void *state)
{
    return records_open(c, state, false);
}

static int logfmt_open(log_ctx *c, void *state)
{
    return records_open(c, state, true);
}

static int json_object(log_ctx *c, jsonl_state *p, const uint8_t *s, size_t n,
                       const json_fields *parsed);

/* A line of a document whose objects spread over lines: gathers each top-level object
 * (in an array or not) and reads it when its braces close. */
static int gather(log_ctx *c, jsonl_state *p, const uint8_t *s, size_t n)
{
    bool stray = false;
    if (p->depth)
        g_byte_array_append(p->obj, (const guint8 *)" ", 1); /* the line end, as space */
    for (size_t i = 0; i < n; i++) {
        uint8_t b = s[i];
        if (!p->depth) {
            if (b == '{') {
                g_byte_array_set_size(p->obj, 0);
                p->depth = 1;
                p->in_str = p->esc = false;
                g_byte_array_append(p->obj, &b, 1);
            } else if (!strchr("[], \t\r", b)) {
                stray = true;
            }
            continue;
        }
        g_byte_array_append(p->obj, &b, 1);
        if (p->in_str) {
            if (p->esc)
                p->esc = false;
            else if (b == '\\')
                p->esc = true;
            else if (b == '"')
                p->in_str = false;
        } else if (b == '"') {
            p->in_str = true;
        } else if (b == '{' || b == '[') {
            p->depth++;
        } else if ((b == '}' || b == ']') && --p->depth == 0) {
            int rc = json_object(c, p, p->obj->data, p->obj->len, NULL);
            g_byte_array_set_size(p->obj, 0);
            if (rc)
                return rc;
        }
        if (p->obj->len > JSON_OBJECT_CAP) {
            LOG_ERR(c, "line %llu: a JSON object longer than %u bytes: not a log of records",
                    LN(c->r.line_no), JSON_OBJECT_CAP);
            return -1;
        }
    }
    if (stray)
        log_skipped(c); /* words outside any object */
    return 0;
}

static int jsonl_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    jsonl_state *p = state;
    while (n && s[n - 1] == '\r')
        n--;
    if (log_blank(s, n))
        return 0;
    json_fields f;
    if (p->logfmt) {
        if (parse_pairs(s, n, &f))
            return json_object(c, p, s, n, &f);
        log_skipped(c);
        return 0;
    }
    if (!p->depth && parse_object(s, n, &f))
        return json_object(c, p, s, n, &f);
    return gather(c, p, s, n);
}

/* One record (its fields, or NULL: a JSON object parsed here): traffic when it holds
 * data. */
static int json_object(log_ctx *c, jsonl_state *p, const uint8_t *s, size_t n,
                       const json_fields *parsed)
{
    json_fields f;
    if (parsed)
        f = *parsed;
    if ((!parsed && !parse_object(s, n, &f)) || !f.have[F_DATA] ||
        (p->data_keyed && f.data_rank >= LOG_RANK_MESSAGE)) {
        log_skipped(c); /* not a record (the shipper's own line), or one without data */
        return 0;
    }
    log_stamp st = LOG_NO_STAMP;
    if (f.have[F_TIME]) {
        if (f.str[F_TIME]) {
            field_text(&f, F_TIME, s, p->scratch);
            size_t t = p->scratch->len ? log_parse_time(p->scratch->data, p->scratch->len, &st) : 0;
            if (!t || t != p->scratch->len)
                st = p->scratch->len ? log_number_stamp(p->scratch->data, p->scratch->len)
                                     : LOG_NO_STAMP;
        } else {
            st = log_number_stamp(s + f.off[F_TIME], f.len[F_TIME]);
        }
    }
    bool exact = false;
    if (!f.str[F_DATA]) {
        /* the bytes as numbers: [65, 84, 13] */
        if (!byte_array(s + f.off[F_DATA], f.len[F_DATA], p->data)) {
            log_skipped(c);
            return 0;
        }
        exact = true;
    } else {
        field_text(&f, F_DATA, s, p->data);
    }
    int dir = record_dir(&f, s, p->scratch);
    qftp_dir marker;
    size_t m = dir < 0 && p->marked && f.str[F_DATA]
                   ? log_marker(p->data->data, p->data->len, true, &marker)
                   : 0;
    if (m) {
        g_byte_array_remove_range(p->data, 0, (guint)m); /* "--> AT...": its side */
        dir = (int)marker;
    }
    if (dir < 0 && p->fw && f.str[F_DATA]) {
        /* a daemon's line in the record: its traffic the firmware layout's way */
        log_tline l;
        if (!log_fw_line(c, p->data->data, p->data->len, log_transcript_in_data(p->text.t),
                         p->text.scratch, &l)) {
            log_skipped(c);
            return 0;
        }
        if (st.have || !l.st.have)
            l.st = st; /* the record's time, where it has one */
        return log_transcript_line(c, p->text.t, &l);
    }
    if (dir < 0 && p->directed) {
        log_skipped(c); /* the logger's own event among records that say their side */
        return 0;
    }
    if (!p->data->len) {
        log_skipped(c);
        return 0;
    }
    if (!exact && (f.hex || p->hex) && hex_text(p->data->data, p->data->len, p->scratch)) {
        g_byte_array_set_size(p->data, 0);
        g_byte_array_append(p->data, p->scratch->data, p->scratch->len);
        exact = true;
    } else if (!exact) {
        exact = p->raw || memchr(p->data->data, '\r', p->data->len) ||
                memchr(p->data->data, '\n', p->data->len);
    }
    if (exact) {
        log_tline l = {
            p->data->data, p->data->len, true, dir >= 0, dir >= 0 ? (qftp_dir)dir : QFTP_DIR_RX, st,
            LOG_EOL_NONE,  c->r.line_no};
        return log_transcript_line(c, p->text.t, &l);
    }
    return log_text_line(c, &p->text, p->data->data, p->data->len, dir >= 0,
                         dir >= 0 ? (qftp_dir)dir : QFTP_DIR_RX, st, false);
}

static void jsonl_cleanup(void *state)
{
    jsonl_state *p = state;
    if (p->data)
        g_byte_array_free(p->data, TRUE);
    if (p->scratch)
        g_byte_array_free(p->scratch, TRUE);
    if (p->obj)
        g_byte_array_free(p->obj, TRUE);
    log_text_cleanup(&p->text);
}

static int jsonl_finish(log_ctx *c, void *state)
{
    jsonl_state *p = state;
    if (p->depth)
        log_skipped(c); /* an object the file ends inside */
    return log_text_finish(c, &p->text);
}

static void jsonl_describe(const uint8_t *s, size_t n, char *out, size_t cap)
{
    size_t m = n > 60 ? 60 : n;
    json_fields f;
    if (parse_object(s, n, &f))
        snprintf(out, cap,
                 "a JSON object per line \"%.*s\" (time, direction and data by their keys)", (int)m,
                 (const char *)s);
    else if (!pretty_line(s, n))
        snprintf(out, cap,
                 "a JSON array of objects \"%.*s\" (time, direction and data by their keys)",
                 (int)m, (const char *)s);
    else
        snprintf(out, cap,
                 "a JSON document whose objects spread over lines, starting \"%.*s\" (time, "
                 "direction and data by their keys)",
                 (int)m, (const char *)s);
}

const log_layout log_layout_jsonl = {
    .id = QFTP_FMT_JSONL,
    .name = "jsonl",
    .probe = jsonl_probe,
    .share = 2,
    .state_size = sizeof(jsonl_state),
    .open = jsonl_open,
    .line = jsonl_line,
    .finish = jsonl_finish,
    .cleanup = jsonl_cleanup,
    .describe = jsonl_describe,
};

static void logfmt_describe(const uint8_t *s, size_t n, char *out, size_t cap)
{
    snprintf(out, cap,
             "key=value pairs per line (logfmt) \"%.*s\" (time, direction and data by "
             "their keys)",
             (int)(n > 60 ? 60 : n), (const char *)s);
}

const log_layout log_layout_logfmt = {
    .id = QFTP_FMT_LOGFMT,
    .name = "logfmt",
    .probe = logfmt_probe,
    .share = 2,
    .state_size = sizeof(jsonl_state),
    .open = logfmt_open,
    .line = jsonl_line,
    .finish = jsonl_finish,
    .cleanup = jsonl_cleanup,
    .describe = logfmt_describe,
};
