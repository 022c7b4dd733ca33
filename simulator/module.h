/* module.h - the insides of the simulated module (sim.h's sim_module), shared by the files
 * it is made of; not for the front end:
 *   module.c   the AT engine: output to the host, results and URCs, pending timed actions,
 *              command dispatch, life cycle and the public sim_module_* functions
 *   ftp.c      the FTP service through libcurl: server paths, transfers, data mode,
 *              completions, error codes
 *   storage.c  local storage and its commands (AT+QFUPL, AT+QFDWL, AT+QFLST, ...)
 *   bg96.c     the BG96 FTP commands (BG96 manual chapter 2)
 *   gsm.c      the GSM FTP commands (GSM manual chapter 2)
 *   general.c  the commands around FTP (V.250, SIM, registration, PDP context)
 */
#ifndef QFTP_SIM_MODULE_H
#define QFTP_SIM_MODULE_H

#include <stdio.h>

#include "qftp/parser.h"
#include "sim.h"

#define DEFAULT_RSPTIMEOUT (90 * QFTP_NS_PER_SEC) /* BG96 2.1 <timeout> default */
#define DEFAULT_CLOSE_DELAY (100 * QFTP_NS_PER_MS)
#define MAX_PEND 32
#define PATH_CAP 1024
#define NAME_CAP 320

/* Results of a command handler: >= 0 is a +CME ERROR code. */
#define RES_OK (-1)
#define RES_ERROR (-2)
#define RES_DONE (-3) /* the handler answered (or will answer) by itself; the line stops here */

typedef enum { DM_COMMAND = 0, DM_UPLOAD, DM_DOWNLOAD } dm_state;

typedef enum {
    OP_NONE = 0,
    OP_OPEN,
    OP_CWD, /* BG96 AT+QFTPCWD, GSM AT+QFTPPATH */
    OP_QUOTE,
    OP_SIZE,
    OP_MDTM,
    OP_GET,
    OP_PUT,
    OP_LIST,
    OP_NLST,
    OP_MLSD,
} op_kind;

typedef enum { PEND_TEXT = 0, PEND_CLOSE_DONE, PEND_UPLOAD_DEADLINE } pend_action;

typedef struct {
    qftp_ts due;
    pend_action action;
    char *text;
    size_t len;
} pend_item;

/* The FTP operation under way (at most one). */
typedef struct {
    op_kind kind;
    char name[24]; /* "+QFTPGET": the completion URC's name */
    CURL *easy;
    struct curl_slist *quote;
    struct curl_slist *prequote; /* "TYPE A" of an ASCII upload */
    bool ascii_up;               /* ASCII upload: each LF goes out as CRLF (ftp.c) */
    bool lf_pending;             /* the LF of a CRLF did not fit the last read */
    bool to_com;                 /* data through the serial port */
    FILE *local;                 /* UFS file (upload source or download target) */
    int64_t limit;               /* bytes to move at most (uploadlen / UFS size); -1 none */
    int64_t bytes;               /* payload bytes moved */
    int64_t passed; /* bytes that reached the host (downloads) or the server (uploads) */
    int64_t room;   /* download to storage: bytes its area can still take; -1 for others */
    bool full;      /* the storage filled up: the manual's storage-full error */
    bool connected; /* CONNECT sent */
    bool write_paused, read_paused;
    bool up_eof;
    bool up_timeout; /* data mode ended by inactivity: 609 (device-quirks.md) */
    bool stalled;    /* stall fault fired: the op never finishes for the host */
    char reply[256]; /* last FTP reply line */
    char target[PATH_CAP];
    const sim_fault *f_truncate, *f_stall, *f_disconnect;
} ftp_op;

struct sim_module {
    sim_opts o;
    qftp_parser *tx;
    qftp_ts now;

    /* output to the host */
    uint8_t *out;
    size_t out_len, out_head, out_cap;
    char *held; /* text held while the module is in download data mode */
    size_t held_len, held_cap;
    bool info_open; /* an information response is being written */
    bool ok_held;   /* swap-ok-urc: the OK waits for the URC */
    pend_item pend[MAX_PEND];
    size_t n_pend;
    bool disconnect;

    /* V.250 and friends */
    bool echo;
    int cmee;
    int ifc[2];
    char last_line[1024];
    size_t last_line_len;
    char cur_cmd[32]; /* the command being answered (for faults) */

    /* context */
    bool ctx_active[17];
    char apn[17][64];
    int fgcnt;

    /* FTP configuration */
    char user[256], pass[256];
    int filetype, transmode, contextid, ssltype, sslctxid, data_address;
    qftp_ts rsptimeout;
    int64_t resume;          /* GSM <type> 3 */
    char localpos[NAME_CAP]; /* GSM <type> 4 */

    /* FTP service */
    qftp_ftp_state state;
    char host[256];
    int port;
    char cwd[PATH_CAP];
    bool stuck; /* after 615 every FTP command gets 603 until AT+QFTPCLOSE */
    int64_t last_len;
    CURLM *multi;
    ftp_op op;

    /* data mode */
    dm_state dm;
    uint8_t up[SIM_UP_CAP + 8]; /* host -> server bytes (ring) */
    size_t up_head, up_len;

    /* AT+QFUPL / AT+QFOPEN */
    FILE *qfupl;
    int64_t qfupl_left, qfupl_total;
    int64_t qfupl_room;   /* bytes the area can still take */
    int64_t storage_used; /* sim_storage_free's sum */
    bool qfupl_full;
    unsigned qfupl_cs;
    uint64_t qfupl_pos;
    FILE *handles[8];
};

/* ---- module.c: helpers, output, results ------------------------------------------------- */

void sim_logf(sim_module *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool sim_is_gsm(const sim_module *m);
const sim_fault *sim_fault_for(const sim_module *m, sim_fault_kind k, const char *cmd);
/* The single setters of the FTP service state and of the serial data mode. */
void sim_set_state(sim_module *m, qftp_ftp_state s);
void sim_set_dm(sim_module *m, dm_state d);

void sim_out_raw(sim_module *m, const void *b, size_t n);
void sim_out_text(sim_module *m, const char *s, size_t n);
void sim_out_str(sim_module *m, const char *s);
void sim_leave_download(sim_module *m);
/* A "+++" during a download is waiting for its guard time: no file bytes go out. */
bool sim_escape_pending(const sim_module *m);
const char *sim_sep(const sim_module *m, const char *name);
void sim_info(sim_module *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sim_info_named(sim_module *m, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sim_final_word(sim_module *m, const char *word);
void sim_final_cme(sim_module *m, int code);
void sim_pend_add(sim_module *m, qftp_ts due, pend_action a, const char *text, size_t len);
void sim_urc(sim_module *m, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sim_bg96_result(sim_module *m, const char *name, int err, int64_t v);
void sim_gsm_result(sim_module *m, const char *name, int64_t n);

bool sim_pstr(const qftp_subcmd *c, size_t i, char *out, size_t cap);
bool sim_pint(const qftp_subcmd *c, size_t i, int64_t *v);
const char *sim_stored_name(const qftp_subcmd *c, size_t i, char *buf, size_t cap, sim_area *area);

/* ---- ftp.c ---------------------------------------------------------------------------------- */

void sim_resolve(const sim_module *m, const char *name, char *out, size_t cap);
void sim_make_url(sim_module *m, const char *abs, bool dir, char *out, size_t cap);
void sim_disconnect_fault(sim_module *m, const char *why);
long sim_timeout_ms(const sim_module *m);
CURL *sim_easy_new(sim_module *m, const char *url);
void sim_op_free(sim_module *m);
bool sim_op_start(sim_module *m, CURL *e);
void sim_op_begin(sim_module *m, op_kind kind, const char *name);
void sim_upload_data(sim_module *m, const uint8_t *b, size_t n);
void sim_upload_end(sim_module *m, qftp_data_end_reason why);
void sim_stop_ftp_service(sim_module *m);
void sim_curl_work(sim_module *m);
bool sim_session_open(const sim_module *m);
int sim_start_quote(sim_module *m, op_kind kind, const char *name, const char *c1, const char *c2);
int sim_start_open(sim_module *m, const char *name);
int sim_start_transfer(sim_module *m, op_kind kind, const char *abs, int64_t startpos, int64_t len);

/* ---- storage.c ------------------------------------------------------------------------------ */

FILE *sim_ufs_open(sim_module *m, sim_area area, const char *name, const char *mode);
int64_t sim_file_size(FILE *f);
void sim_qfupl_end(sim_module *m, qftp_data_end_reason why);
int sim_cmd_qfupl(sim_module *m, const qftp_subcmd *c);
/* Bytes the area can still take: its size (--storage) less what its files hold. */
int64_t sim_storage_free(sim_module *m, sim_area area);
int sim_cmd_qfdwl(sim_module *m, const qftp_subcmd *c);
int sim_cmd_qflst(sim_module *m, const qftp_subcmd *c);
int sim_cmd_qfdel(sim_module *m, const qftp_subcmd *c);
int sim_cmd_qfopen(sim_module *m, const qftp_subcmd *c);
int sim_cmd_qfread(sim_module *m, const qftp_subcmd *c);
int sim_cmd_qfclose(sim_module *m, const qftp_subcmd *c);

/* ---- bg96.c, gsm.c, general.c: command handlers (RES_* or a +CME ERROR code) ---------------- */

int sim_bg96_ftp(sim_module *m, const qftp_cmd_def *def, const qftp_subcmd *c);
int sim_gsm_ftp(sim_module *m, const qftp_cmd_def *def, const qftp_subcmd *c);
int sim_cmd_context(sim_module *m, const qftp_cmd_def *def, const qftp_subcmd *c);
int sim_cmd_basic(sim_module *m, const qftp_cmd_def *def, const qftp_subcmd *c);

#endif
