/* logimport_int.h - the insides of the log importer (qftp/logimport.h), shared by its
 * files; not installed, not for front ends.
 *
 * A layout is a module of its own (libqftp/layout/NAME.c) behind a small table of
 * operations, the way libpcap reads each capture format (sf-pcap.c, sf-pcapng.c):
 * qftp_log_import reads the log line by line through one reader with a fixed cap and
 * hands every line to the chosen layout's `line` operation, which turns it into records
 * through the emitter. Adding a layout is adding its file, which defines
 * `const log_layout log_layout_NAME`, and one row to QFTP_LOG_FORMATS in
 * qftp/logimport.h (the row's place there is its place in auto-detection).
 */
#ifndef QFTP_LOGIMPORT_INT_H
#define QFTP_LOGIMPORT_INT_H

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "qftp/logimport.h"

#define LOG_ERR(c, ...) snprintf((c)->errbuf, QFTP_ERRBUF_SIZE, __VA_ARGS__)
#define LN(x) ((unsigned long long)(x))

#define LOG_RBUF (64u * 1024u)
#define LOG_REC_CAP (1u << 20) /* a longer record is handed on in pieces of this size */

/* ---- line reader (logread.c) ------------------------------------------------------------- */

typedef struct {
    FILE *in;
    uint8_t *buf; /* read buffer, LOG_RBUF bytes */
    size_t pos, end;
    bool eof;
    uint8_t *line; /* a line that crosses a read: copied here, grown up to the cap */
    size_t cap;
    bool had_lf; /* the current line ended with LF (false only for the last line) */
    uint64_t line_no;
    uint64_t consumed, next_progress;
    const qftp_import_opts *o;
    /* What Windows tools save: UTF-16 (Notepad's "Unicode", PowerShell's Out-File),
     * turned into UTF-8 as it is read; a log whose line ends are CRs alone (classic Mac
     * editors, terminals that save what they received) gets LFs in their place; one whose
     * line ends are LF CR has the CR taken with its LF. */
    int utf16;     /* 0, LOG_UTF16LE or LOG_UTF16BE */
    bool cr_eol;   /* CR is the line end */
    bool lf_cr;    /* LF CR is the line end (firmware that prints "\n\r") */
    bool split_cr; /* lf_cr: the last read ended with the LF of a pair */
    uint8_t *raw;  /* UTF-16: bytes read, not yet turned into UTF-8 */
    size_t raw_pos, raw_end;
    bool raw_eof;
} log_reader;

enum { LOG_UTF16LE = 1, LOG_UTF16BE = 2 };

/* After the first read into r->buf: a UTF-8 byte order mark is skipped; UTF-16 (by its
 * mark, or ASCII text with a NUL beside every character) is turned into UTF-8 from here
 * on; a buffer with CRs and no LF makes CR the line end. Returns -1 (errbuf) when out of
 * memory. */
int log_reader_start(log_reader *r, char *errbuf);

/* Counts n more bytes consumed and calls the progress callback now and then. */
void log_progress(log_reader *r, size_t n);
/* The next line without its LF (a CR before it is kept). Returns 1, 0 at the end, -1
 * (errbuf) for a read error or a line over QFTP_IMPORT_LINE_CAP; the over-long line is
 * not read further than the cap. *out points into the reader's buffers until the next
 * call. */
int log_next_line(log_reader *r, uint8_t **out, size_t *len, char *errbuf);

/* ---- times (logread.c) ------------------------------------------------------------------- */

typedef struct {
    qftp_ts ts;
    bool have;  /* the log gave a time */
    bool dated; /* with a date (or seconds since an origin): no midnight wrap */
    bool range; /* a time past what a qftp_ts holds (after 2262): log_emit refuses it */
} log_stamp;

#define LOG_NO_STAMP ((log_stamp){0, false, false, false})

/* Up to max decimal digits at s[i]: their count, the value in *v. */
size_t log_digits(const uint8_t *s, size_t n, size_t i, size_t max, int64_t *v);
/* Parses a time at s: "YYYY-MM-DD HH:MM:SS[.f]" ('/' for '-', 'T' for ' ', a 'Z' after),
 * "HH:MM:SS[.f]" (a time of day: day 1970-01-01; also after logcat's "MM-DD "), or seconds
 * "123.456". '.' or ',' before the fraction. Times are UTC. Returns the bytes used, 0 if
 * there is no time at s. */
size_t log_parse_time(const uint8_t *s, size_t n, log_stamp *out);
/* A time written as a number in any notation (1764496800.150, 1.2e-05): seconds since 1970
 * or since some origin, milliseconds, microseconds or nanoseconds since 1970 as its size
 * tells (CSV columns, JSON values). LOG_NO_STAMP if it is no such number. */
log_stamp log_number_stamp(const uint8_t *s, size_t n);

/* ---- records (logread.c) ----------------------------------------------------------------- */

typedef struct {
    qftp_record_cb cb;
    void *user;
    const qftp_import_opts *o;
    uint8_t *p; /* the record being built */
    size_t len, cap;
    bool oom;
    qftp_ts last;
    bool have_last;
    qftp_ts day_off; /* days added to times of day after midnight */
    qftp_ts base;    /* have_base: the time of records without one before the first that
                        has one (PuTTY's header, the first time further down the log) */
    bool have_base;
    bool data;          /* the record is data-mode bytes: not redacted */
    qftp_redactor *red; /* opts.redact: the stream's secrets, across records */
    log_stamp last_st;  /* of the last record handed on, for what the redactor holds */
    uint64_t last_line;
} log_emitter;

/* log_add where the bytes do not fit the buffer: it grows (or e->oom is set). */
void log_add_grow(log_emitter *e, const void *p, size_t n);
/* Appends bytes to the record being built (an allocation failure is reported by
 * log_emit). Inline: most bytes fit the buffer as it is. */
static inline void log_add(log_emitter *e, const void *p, size_t n)
{
    if (n && n <= e->cap - e->len) {
        memcpy(e->p + e->len, p, n);
        e->len += n;
    } else {
        log_add_grow(e, p, n);
    }
}
static inline void log_add1(log_emitter *e, uint8_t b)
{
    if (e->len < e->cap)
        e->p[e->len++] = b;
    else
        log_add_grow(e, &b, 1);
}
/* Hands the built record on (nothing if it is empty) and starts a new one. Times are
 * made monotonic: a time of day that falls back by more than 12 h passed midnight (a day
 * is added from there on); a smaller step back is held at the previous time. A missing
 * time is the previous + 1 ms (the base, else 0, at the start). Returns the callback's result, or
 * -1 (errbuf) when memory ran out. */
int log_emit(log_emitter *e, qftp_dir dir, log_stamp st, uint64_t line, char *errbuf);
/* At the end of the log: hands on what the redactor still holds. */
int log_emit_end(log_emitter *e);

/* ---- what a layout works with ------------------------------------------------------------- */

typedef struct {
    log_reader r;
    log_emitter e;
    const qftp_import_opts *o;
    char *errbuf;
    /* the head of the log (its first read) has a line of AT traffic: a line of binary
     * bytes later is line noise in a text log, not a file that is no log */
    bool head_traffic;
    /* most lines of the head end in spaces: a paste padded to a window's width
     * (a console's block selection); the padding goes from every line as it is read */
    bool padded;
    /* the head's lines carry their line numbers (number - line = number_base): they go
     * from every line as it is read; the head's first numbered_lines lines were done */
    bool numbered;
    int64_t number_base;
    uint64_t numbered_lines;
    /* the head's lines spell their bytes (2 in 3: "\r\nOK\r\n", <CR><LF>): a log of
     * reads and writes as they were; a line that spells none and is no whole command or
     * answer is a piece of a line (a read that ended inside one): log_piece */
    bool spelled;
    /* the head is a Markdown table: each row is read as tab-separated columns; the
     * head's first tabled_lines lines were in the buffer already */
    bool tabled, tabled_said;
    uint64_t tabled_lines;
    /* the whole log quoted as an e-mail reply quotes it ("> [10:00:00] AT...") and read
     * by a layout other than plain once unquoted: one level of quoting goes from every
     * line; the head's first quoted_lines lines were unquoted in the buffer already */
    bool quoted;
    uint64_t quoted_lines;
} log_ctx;

/* Only spaces, tabs and CRs. */
bool log_blank(const uint8_t *s, size_t n);
/* A line that is AT traffic: a command, a result code, a "+NAME:" line. */
bool log_traffic_line(const uint8_t *s, size_t n);
/* Whether some line of p is (log_traffic_line). */
bool log_has_traffic(const uint8_t *p, size_t n);
/* A record's text that gives its bytes in a programming language's notation: Node.js's
 * <Buffer 41 54 0d>, Python's b'AT\r' (also in bytearray(...) or bytes(...)), a list of
 * 0x41 0x54 (commas, [] or {} around it): the bytes into out; false if it is none. */
bool log_payload(const uint8_t *s, size_t n, GByteArray *out);
/* "0x41", "0x41 0x54 0x0D", "0x41,0x54", "[0x41, 0x54]", "{0x41, 0x54}": the bytes into
 * out; false if the text is not only that. */
bool log_hex0x_bytes(const uint8_t *s, size_t n, GByteArray *out);
/* "41 54 0D 0A" (a HEX view: Docklight, SSCOM; pairs parted by spaces or tabs, any after
 * the last): the bytes into out; false if it is not. */
bool log_hex_bytes(const uint8_t *s, size_t n, GByteArray *out);
/* Hex pairs as log_hex_bytes reads them, and after them, past two spaces or more, the same
 * bytes as characters (a monitor's hex view with its text column: "0D 0A 4F 4B  ..OK"),
 * which must agree with them (log_chars_agree). */
bool log_hex_chars(const uint8_t *s, size_t n, GByteArray *out);
/* The characters s[0..n) show the bytes b: every printable byte but the space appears,
 * in order (the others as '.', ' ' or anything); bytes with nothing printable: no letter
 * or digit. */
bool log_chars_agree(const uint8_t *b, size_t nb, const uint8_t *s, size_t n);
/* NUL bytes, or a line dominated by control bytes or by bytes that are not UTF-8: not
 * text. Latin-1 text and a lone Ctrl-Z pass. */
bool log_binary_line(const uint8_t *s, size_t n);
size_t log_skip_ws(const uint8_t *s, size_t n, size_t i);

/* ---- the transcript: what the line-based layouts share (layout/transcript.c) ------------- *
 *
 * A layout that reads a log line by line (plain, timestamped, putty, sscom, firmware, regex)
 * decodes each line into a log_tline and hands it to the transcript, which knows the AT
 * conversation: which side a line without a direction marker came from (AT... is the
 * host's), which command is under way, where data mode starts (CONNECT) and ends (the
 * completion URC whose count the data lines make with their line ends, "+++", an elision
 * line, the host's next command, the module's next lines after a URC), and how each line
 * becomes bytes ("<line>\r" for the host, "\r\n<line>\r\n" for the module, exact bytes as
 * they are). docs/import.md gives the rules. */

typedef enum { LOG_EOL_NONE = 0, LOG_EOL_LF, LOG_EOL_CRLF } log_eol;

typedef struct {
    const uint8_t *s; /* the line's text without its line end, or its exact bytes */
    size_t n;
    bool exact;     /* s are the bytes themselves (spelled with escapes, decoded) */
    bool dir_known; /* the log says the direction (a marker); else the transcript guesses */
    qftp_dir dir;
    log_stamp st;
    log_eol eol; /* text: the line's own end in the log (LOG_EOL_NONE: not telling, as in
                    a layout that writes one record per line) */
    uint64_t line_no;
    bool no_mark; /* text: s has no byte a note's mark starts with (log_text_line saw to it;
                     false: not known) */
} log_tline;

typedef struct log_transcript log_transcript;

log_transcript *log_transcript_new(void);
void log_transcript_free(log_transcript *t);
/* One line. Returns 0, or -1 (errbuf) / the record callback's non-zero value to stop. */
int log_transcript_line(log_ctx *c, log_transcript *t, const log_tline *l);
/* The end of the log: hands on what is held. */
int log_transcript_finish(log_ctx *c, log_transcript *t);
/* Whether data mode is under way (the next text lines may be file bytes). */
bool log_transcript_in_data(const log_transcript *t);

/* The state every line-based layout starts its own with (or is): its transcript and a
 * buffer for decoded bytes. log_text_open / _finish / _cleanup are its operations. */
typedef struct {
    log_transcript *t;
    GByteArray *scratch;
    GByteArray *shown; /* a line as a terminal shows it (log_text_line) */
    GByteArray *fixed; /* a line with its paste artifacts undone (log_text_line) */
} log_text_state;

int log_text_open(log_ctx *c, void *st);
int log_text_finish(log_ctx *c, void *st);
void log_text_cleanup(void *st);
/* A line of text (refused when binary outside data mode) through the transcript, with a
 * direction (dir_known) and a time; `own_eol` false when the line end is the logger's
 * (a record per line) rather than the log's bytes. */
int log_text_line(log_ctx *c, log_text_state *p, const uint8_t *s, size_t n, bool dir_known,
                  qftp_dir dir, log_stamp st, bool own_eol);
/* A layout's line as a log_tline: CRs before the LF dropped (the line end noted in
 * l->eol), spelled text decoded into `scratch` (then exact); a line the layout marks
 * with its side (`marked`) in a log that spells its bytes may be a piece (log_piece). */
void log_tline_text(log_tline *l, const log_ctx *c, const uint8_t *s, size_t n, bool marked,
                    GByteArray *scratch);
/* In a log that spells its bytes (log_ctx.spelled), a line that spells none and is no
 * whole command or answer: a piece of a line, its bytes as they are. */
bool log_piece(const log_ctx *c, const uint8_t *s, size_t n);
/* A line number before a line as an editor or a pager shows it when a log is copied out
 * of it: "  12 | ", "12: ", "    12\t" (cat -n), "0012 " (digits, then a bar, a colon, a
 * tab, or one space before the text; a number alone: a blank line's). Returns the bytes it
 * takes (0: none), its number, its separator ('|', ':', '\t', ' '; 0 for a blank line's),
 * and whether it looks like a gutter of its own (*gutter: a bar or a colon after it, or
 * padded to a width with spaces or zeros; a tool's request number is neither). */
size_t log_line_number(const uint8_t *s, size_t n, uint64_t *num, uint8_t *sep, bool *gutter);
/* A line of NUL bytes only (its CR LF aside): a file's padding. */
bool log_nul_line(const uint8_t *s, size_t n);

/* Whether a line spells its bytes (\r \n \xHH, <CR> <LF> also in [] or {}, the control
 * pictures ␍ ␊ ␤ in it). */
bool log_spelled(const uint8_t *s, size_t n);
/* Appends the bytes a spelled text stands for to out: with LOG_ESC_C \r \n \t \\ \" \'
 * \0 \a \b \e \f \v \xHH \ooo; with LOG_ESC_NAMES ASCII control names in angle, square or
 * curly brackets (<CR> [LF] {NUL} <ESC> <SUB> ..., any case) and Unicode's control
 * pictures (␍ ␊ ␀ ... ␡, ␤ for LF); anything else is literal. */
#define LOG_ESC_C 1u
#define LOG_ESC_NAMES 2u
void log_unescape(GByteArray *out, const uint8_t *s, size_t n, unsigned how);
/* Drops ANSI escape sequences (ESC [ ... letter) from s in place; returns the new length. */
size_t log_strip_ansi(uint8_t *s, size_t n);

/* ---- the table of operations ------------------------------------------------------------- */

typedef struct {
    qftp_log_format id;
    const char *name; /* --format NAME */
    /* Auto-detection: whether one non-blank line of the log's head (without its line end)
     * looks like this layout; NULL: the layout is only chosen by name. A line counts for
     * the first layout of QFTP_LOG_FORMATS whose probe takes it; the first layout whose
     * count reaches its share of the head's lines is chosen (share 0: one line is
     * enough, 2: half of them), plain when none does. */
    bool (*probe)(const uint8_t *s, size_t n);
    /* Whether a line the probe took heads a block (may be NULL): the non-blank lines after
     * it that no probe takes, up to the next line one does, count for this layout too. */
    bool (*heads)(const uint8_t *s, size_t n);
    unsigned share;
    /* Private state: state_size zeroed bytes handed to every operation. */
    size_t state_size;
    /* Before the first line (may be NULL). Returns 0, or -1 with errbuf filled. */
    int (*open)(log_ctx *c, void *st);
    /* One line without its LF (a CR before it is kept); c->r.line_no is its number and
     * c->r.had_lf whether it had an LF. Returns 0 to go on; -1 (errbuf) or the record
     * callback's non-zero value to stop. */
    int (*line)(log_ctx *c, void *st, uint8_t *s, size_t n);
    /* At the end of the log, when every line was taken (may be NULL): hands on what is
     * held. Same results as line. */
    int (*finish)(log_ctx *c, void *st);
    /* Always last, also when open failed (may be NULL). */
    void (*cleanup)(void *st);
    /* Words for a line this layout takes, for the first line of show ("a bracketed date
     * and time (TeraTerm, minicom) "[2026-11-30 10:00:01.123] ", no direction marker");
     * may be NULL (the name is used). */
    void (*describe)(const uint8_t *s, size_t n, char *out, size_t cap);
} log_layout;

/* A line that is not AT traffic was skipped (firmware, --regex): counted in the info. */
void log_skipped(log_ctx *c);
/* ---- named fields (layout/csv.c): CSV columns, JSON keys -------------------------------- */

typedef enum { COL_NONE, COL_TIME, COL_DATE, COL_DIR, COL_DATA } log_col_role;
/* What a field's name (lower case, without spaces and units) holds: the time ("time",
 * "timestamp", "ts", "start_time" ...), a date, the direction ("direction", "dir",
 * "source", "channel", "name" ...: *rank is its place in that list, lower is surer) or
 * the data ("data", "payload", "hex", "value" ...; then a message's words, "text",
 * "message", "msg", ranked LOG_RANK_MESSAGE on: the data only where no other data is). */
#define LOG_RANK_MESSAGE 50
log_col_role log_column_role(const char *name, int *rank);
/* A direction written in words: tx, send, sent, write, out, > ... for the host's side, rx,
 * recv, received, read, in, < ... for the module's, a side's name turning them round
 * (MODEM_TX is the module's, MCU_TX the host's; "Host" alone the host's). -1: none. */
int log_dir_words(const uint8_t *s, size_t n);

/* A direction marker at s (">>", "<<", "TX", "RX", "Send", "Recv", "-->", ..., optionally in
 * brackets) and its separator (':' and/or one space); timed: after a time, where a single
 * ">" or "<" is one too. Returns the bytes used, 0 if none (layout/timestamped.c). */
size_t log_marker(const uint8_t *s, size_t n, bool timed, qftp_dir *dir);

/* A line of a device's or a daemon's own log that carries AT traffic after its prefix
 * and a marker ("[DEBUG] modem: >> AT...", "[ttyUSB2/at] --> 'AT<CR>'"; the firmware
 * layout's rule, traffic_text required unless in_data): its tline, the bytes of a quoted
 * or spelled text in scratch. False if it is none (layout/firmware.c). */
bool log_fw_line(const log_ctx *c, uint8_t *b, size_t n, bool in_data, GByteArray *scratch,
                 log_tline *l);

/* A line whose paste artifacts were undone: counted in the info. */
void log_repaired(log_ctx *c);

#define X(ID, name) extern const log_layout log_layout_##name;
QFTP_LOG_FORMATS(X)
#undef X

#endif
