/* qftp/tables.h - the command, response and code tables of both dialects, and the
 * splitting of a command line into commands and parameters.
 *
 * Every table here is generated from one definition (libqftp/tables.def, an
 * X-macro list). The dissector's value_strings, `qftp show`, the replayer and the
 * simulator all read these tables; nothing else defines a command or a code.
 * All returned pointers are to static, read-only data.
 */
#ifndef QFTP_TABLES_H
#define QFTP_TABLES_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- forms and types ------------------------------------------------------ */

typedef enum {
    QFTP_TYPE_EXEC = 0,  /* AT+CMD          */
    QFTP_TYPE_TEST = 1,  /* AT+CMD=?        */
    QFTP_TYPE_READ = 2,  /* AT+CMD?         */
    QFTP_TYPE_WRITE = 3, /* AT+CMD=<params> */
} qftp_cmd_type;

/* "execute" "test" "read" "write" (the JSON contract's words) */
const char *qftp_cmd_type_name(qftp_cmd_type t);

#define QFTP_FORM_BIT(t) (1u << (t))
#define QFTP_FORM_EXEC QFTP_FORM_BIT(QFTP_TYPE_EXEC)
#define QFTP_FORM_TEST QFTP_FORM_BIT(QFTP_TYPE_TEST)
#define QFTP_FORM_READ QFTP_FORM_BIT(QFTP_TYPE_READ)
#define QFTP_FORM_WRITE QFTP_FORM_BIT(QFTP_TYPE_WRITE)

/* ---- code tables ---------------------------------------------------------- */

typedef struct {
    int code;
    const char *text; /* lower-case words, e.g. "requested action not taken" */
} qftp_code;

typedef enum {
    QFTP_CODES_GSM_FTP,   /* GSM manual chapter 3: -1 .. -553 (+QFTPxxx:<err>, +QFTPERROR) */
    QFTP_CODES_BG96_FTP,  /* BG96 manual chapter 5: 0, 601 .. 631 */
    QFTP_CODES_FTP_REPLY, /* RFC 959 reply codes 1xx-5xx (BG96 chapter 6 and more) */
    QFTP_CODES_CME,       /* +CME ERROR codes these modules use (3GPP 27.007 + Quectel) */
    QFTP_CODES__COUNT
} qftp_code_table;

/* The whole table, sorted by code ascending; *n gets its length. */
const qftp_code *qftp_codes(qftp_code_table t, size_t *n);
/* Text of one code, or NULL if the table does not have it. */
const char *qftp_code_text(qftp_code_table t, int code);
/* Code of a +CME ERROR text form ("file already exist" -> 407), case-insensitive and
 * tolerant of "exist"/"existed"; -1 when unknown. */
int qftp_cme_code_from_text(const char *text, size_t len);

/* Words for a completion-URC result, for people:
 *  BG96 (627, 550) -> "requested action not taken - FTP 550: requested action not taken:
 *  file unavailable"; (0, 0) -> "success"; (627, 150) decodes 150 as a positive reply.
 *  GSM  (-421, *) -> "the FTP server can't support service".
 * err/pe outside every table give "error <n>". Writes at most cap bytes (NUL included);
 * returns buf. */
char *qftp_describe_result(int64_t err, int64_t protocol_error, bool have_pe, char *buf,
                           size_t cap);

/* ---- FTP service state (QFTPSTAT) ------------------------------------------ */

typedef enum {
    QFTP_STATE_IDLE = 0, /* GSM IDLE: no FTP service (also the initial state) */
    QFTP_STATE_OPENING,  /* GSM OPENING / BG96 0 */
    QFTP_STATE_OPENED,   /* GSM OPENED  / BG96 1 (open and idle) */
    QFTP_STATE_WORKING,  /* GSM WORKING (commands to the server before a transfer) */
    QFTP_STATE_TRANSFER, /* GSM TRANSFER / BG96 2 */
    QFTP_STATE_CLOSING,  /* GSM CLOSING / BG96 3 */
    QFTP_STATE_CLOSED,   /* GSM CLOSED  / BG96 4 */
    QFTP_STATE__COUNT
} qftp_ftp_state;

const char *qftp_state_name(qftp_ftp_state s); /* "IDLE" "OPENING" ... (GSM words) */
/* The state as the dialect reports it in +QFTPSTAT: GSM word, BG96 number as text
 * ("1"); NULL if the dialect has no such state (BG96 has no IDLE/WORKING). */
const char *qftp_state_wire(qftp_ftp_state s, qftp_dialect d);
/* Parses a reported state: GSM word (any case) or BG96 number. -1 if unknown. */
int qftp_state_from_wire(const char *s, size_t len);

/* ---- command definitions ---------------------------------------------------- */

typedef enum {
    QFTP_PT_INT,    /* decimal integer (quoted numbers are accepted: device-quirks.md) */
    QFTP_PT_STRING, /* quoted string */
    QFTP_PT_RAW,    /* anything (e.g. hex 0xffff, unquoted token) */
} qftp_param_type;

typedef struct {
    int64_t value;
    const char *text;
} qftp_value_name;

typedef struct {
    const char *name;        /* filter-friendly snake_case, same across dialects for the same
                                meaning: "hostname" "port" "file_name" "local_name" ... */
    const char *manual_name; /* as the manual writes it, e.g. "<hostName>" */
    qftp_param_type type;
    int64_t min, max; /* INT range, inclusive; min > max means unchecked */
    int maxlen;       /* STRING: maximum bytes (manual); 0 = unchecked */
    const char *def;  /* default as text, NULL if none */
    bool optional;
    const qftp_value_name *values; /* named values, NULL-text terminated; or NULL */
    const char *desc;              /* one line */
    bool secret; /* a credential (tables.def type SECRET): qftp/redact.h hides its value */
} qftp_param_def;

typedef enum {
    QFTP_RES_NONE = 0,   /* no +NAME result line */
    QFTP_RES_GSM_SIGNED, /* GSM "+NAME:<n>": n >= 0 is a value, n < 0 an error code */
    QFTP_RES_ERR_PE,     /* BG96 "+NAME: <err>,<protocol_error>" */
    QFTP_RES_ERR_VALUE,  /* BG96 "+NAME: 0,<value>" or "+NAME: <err>,<protocol_error>" */
    QFTP_RES_STATE,      /* QFTPSTAT: GSM word / BG96 "0,<n>" */
    QFTP_RES_FIELDS,     /* plain fields (e.g. read-back "+QFTPCFG: \"filetype\",0") */
} qftp_result_shape;

typedef enum {
    QFTP_DATA_NONE = 0,
    QFTP_DATA_UPLOAD,   /* after CONNECT the host sends bytes (PUT to COM:, QFUPL) */
    QFTP_DATA_DOWNLOAD, /* after CONNECT the module sends bytes (GET/LIST/NLST/MLSD, QFDWL, QFREAD)
                         */
} qftp_data_kind;

typedef struct {
    const char *name;             /* "+QFTPOPEN", "+QIACT", "E", "&D", "O", "I" (upper case) */
    qftp_dialect dialect;         /* GSM, BG96, or UNKNOWN = the same in both */
    const char *key;              /* keyed variant: BG96 QFTPCFG "account" (unquoted), GSM
                                     QFTPCFG "1".."4"; NULL for the base row */
    unsigned forms;               /* QFTP_FORM_* supported */
    const qftp_param_def *params; /* write-form parameters, in order (key param first) */
    size_t n_params;
    const char *summary; /* manual title, e.g. "Open an FTP service to the given FTP server" */
    const char *section; /* manual section, e.g. "2.2.1" ("" for commands outside the manuals) */
    const char *test_response; /* exact test-form information text from the manual, lines
                                  separated by "\n", NULL if it answers just OK */
    qftp_result_shape result;  /* shape of the +NAME line carrying the outcome */
    const char *value_name;    /* what a success value means: "transferlen" "file_size"... */
    unsigned urc_forms;        /* forms whose outcome arrives as a URC after OK/CONNECT */
    qftp_data_kind data;       /* data mode after CONNECT (only when the local side is COM:) */
    bool ftp;                  /* belongs to the FTP service (busy rules, state, 603) */
    const char *alt_final;     /* a final result word of its own, e.g. GSM AT+QIDEACT "DEACT OK" */
} qftp_cmd_def;

/* All rows, in definition order. */
const qftp_cmd_def *qftp_cmd_defs(size_t *n);

/* Looks up a command by upper-case name. With a dialect, its own row wins over a
 * common (UNKNOWN) row; with dialect UNKNOWN the first row of that name is returned
 * (GSM before BG96). For keyed commands pass the first parameter's unquoted text as
 * `key` to get the keyed variant (NULL or an unknown key gives the base row).
 * NULL when the name is in no table (decode generically). */
const qftp_cmd_def *qftp_cmd_find(const char *name, qftp_dialect d, const char *key);

/* Which dialect a command name exists in: GSM, BG96, UNKNOWN if in both, -1 if neither. */
int qftp_cmd_dialect(const char *name);

/* ---- command-line splitting -------------------------------------------------- */

typedef struct {
    const char *p; /* points into the caller's line */
    size_t len;
} qftp_span;

#define QFTP_MAX_PARAMS 16
#define QFTP_MAX_SUBCMDS 16

typedef struct {
    qftp_span text; /* the command as written, without "AT" and without ';' */
    char name[32];  /* upper case: "+QFTPOPEN", "E", "&D", "S0", "I", "O", "D" */
    qftp_cmd_type type;
    qftp_span params[QFTP_MAX_PARAMS]; /* raw, trimmed of spaces, quotes kept */
    size_t n_params;
    bool too_many_params; /* more than QFTP_MAX_PARAMS; the rest are not split */
} qftp_subcmd;

/* Splits a command line ("AT+QFTPSTAT;+QFTPLEN", "ATE0V1", "at+qftpopen=\"h\",21",
 * trailing ';' allowed) into its commands. Returns the number of commands (>= 0),
 * or -1 (errbuf filled) when the line does not start with AT. A line with more than
 * `max` commands keeps the first `max`; the rest are reported through *truncated.
 * "AT" alone (or "AT;") is a command too: it gives one command with name "" and type
 * QFTP_TYPE_EXEC (qftp_cmd_find("", ...) finds its row). */
int qftp_cmdline_parse(const char *line, size_t len, qftp_subcmd *out, size_t max, bool *truncated,
                       char *errbuf);

/* Copies a parameter without its quotes (and with \" unescaped) into out (cap bytes,
 * NUL-terminated). Returns the unquoted length (may exceed cap-1: then out is cut). */
size_t qftp_param_unquote(qftp_span v, char *out, size_t cap);
/* Integer value of a parameter, quoted or not ("21" or "\"21\""). false if not an int. */
bool qftp_param_int(qftp_span v, int64_t *out);
bool qftp_param_is_quoted(qftp_span v);

/* Checks parameters against a definition. Calls `problem` once per finding with a
 * sentence such as "port 70000 outside 1-65535" or "file_name longer than 255 bytes
 * (300)", and returns the number of findings. */
typedef void (*qftp_problem_cb)(void *user, int param_index, const char *text);
int qftp_check_params(const qftp_cmd_def *def, const qftp_subcmd *cmd, qftp_problem_cb problem,
                      void *user);

/* ---- response lines ----------------------------------------------------------- */

typedef struct {
    char name[32];                     /* "+QFTPGET" (upper case); "" if not "+NAME:" */
    qftp_span fields[QFTP_MAX_PARAMS]; /* raw fields after the colon, trimmed */
    size_t n_fields;
    bool space_after_colon; /* GSM omits it (device-quirks.md) */
} qftp_resp;

/* Splits "+QFTPGET: 0,1000" into name and fields. false if the line is not of the
 * "+NAME:" / "+NAME: ..." form. */
bool qftp_resp_parse(const char *line, size_t len, qftp_resp *out);

#ifdef __cplusplus
}
#endif
#endif
