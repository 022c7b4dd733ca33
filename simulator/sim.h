/* sim.h - the module simulator's parts: the simulated module (module.c), its local
 * storage (ufs.c), fault injection (fault.c) and the front end (cmd_sim.c).
 *
 * The module is an object with no I/O of its own: the front end feeds it the host's
 * bytes, takes the bytes it wants to send, lets it run its timers and its libcurl
 * multi handle, and moves bytes between it and a pty or a TCP client. One module per
 * process; every buffer has a cap (SIM_OUT_HIGH, SIM_UP_CAP).
 */
#ifndef QFTP_SIM_H
#define QFTP_SIM_H

#include "curl_load.h"

#include "qftp/common.h"
#include "qftp/tables.h"

/* ---- faults (fault.c) --------------------------------------------------------------- */

typedef enum {
    SIM_FAULT_DELAY_URC = 0, /* delay the completion URC by arg ms (default 5000) */
    SIM_FAULT_DROP_URC,      /* never send the completion URC */
    SIM_FAULT_ERROR_CODE,    /* a failure reports error code arg instead of its own */
    SIM_FAULT_ANSWER_ERROR,  /* answer ERROR and do nothing */
    SIM_FAULT_NO_SPACE,      /* "+NAME:value" without the space after the colon */
    SIM_FAULT_SWAP_OK_URC,   /* the completion URC comes before the OK */
    SIM_FAULT_TRUNCATE,      /* only arg bytes of the data pass; the count stays the full one */
    SIM_FAULT_STALL,         /* the transfer stops for good after arg bytes */
    SIM_FAULT_DISCONNECT,    /* the serial link drops at the command, or after arg bytes */
    SIM_FAULT_EXTRA_URC,     /* an unsolicited line (text) after the command's final result */
    SIM_FAULT__COUNT
} sim_fault_kind;

typedef struct {
    sim_fault_kind kind;
    char command[32]; /* "+QFTPGET" (upper case) or "" for every command */
    int64_t arg;      /* -1: not given */
    char text[128];   /* extra-urc: the line */
} sim_fault;

const char *sim_fault_name(sim_fault_kind k);
/* Parses "KIND[:COMMAND[:ARG]]" (extra-urc: ARG is the line's text, colons and all).
 * Returns 0, or -1 with errbuf filled. */
int sim_fault_parse(const char *spec, sim_fault *out, char *errbuf);
/* The first fault of this kind that applies to the command, or NULL. */
const sim_fault *sim_fault_find(const sim_fault *f, size_t n, sim_fault_kind kind,
                                const char *command);

/* ---- local storage (ufs.c) ----------------------------------------------------------- */

typedef enum { SIM_AREA_UFS = 0, SIM_AREA_RAM, SIM_AREA_SD } sim_area;

/* Builds the host path of a stored file: <dir>/<name>, <dir>/RAM/<name>, <dir>/SD/<name>.
 * Returns false when the name is not a plain file name (empty, '/', "..", too long). */
bool sim_ufs_path(const char *dir, sim_area area, const char *name, char *out, size_t cap);
/* Parses "UFS=2M,RAM=100k,SD=1G" (k, M, G: powers of 1024) into sizes[3]. -1 + errbuf. */
int sim_storage_parse(const char *spec, int64_t sizes[3], char *errbuf);

/* Splits a BG96 local name ("UFS:a", "RAM:a", "a") into area and name. */
void sim_ufs_split_bg96(const char *local, sim_area *area, const char **name);
/* The Quectel FILE checksum: XOR of the data as big-endian 16-bit words. */
unsigned sim_ufs_checksum_update(unsigned cs, uint64_t *pos, const uint8_t *b, size_t n);

/* ---- the module (module.c) ------------------------------------------------------------- */

#define SIM_OUT_HIGH (256 * 1024) /* output bytes above which downloads pause */
#define SIM_UP_CAP (64 * 1024)    /* upload bytes held between the host and the server */
/* Output the host has not taken yet above which the module reads no more host bytes (a
 * host that writes without reading); half of it: host reads of at most SIM_SLOW_READ. */
#define SIM_BACKLOG_CAP (1024 * 1024)
#define SIM_SLOW_READ 256

/* The storage areas' sizes when --storage does not say: about what the modules have
 * (docs/simulator.md "Storage"). */
#define SIM_BG96_UFS_SIZE (14 * 1024 * 1024)
#define SIM_BG96_RAM_SIZE (2 * 1024 * 1024)
#define SIM_GSM_UFS_SIZE (160 * 1024)
#define SIM_GSM_RAM_SIZE (100 * 1024) /* GSM 2.2.8: a RAM file gets 102400 bytes */
#define SIM_SD_SIZE (1024LL * 1024 * 1024)

typedef void (*sim_log_fn)(void *user, const char *line);

typedef struct {
    qftp_dialect dialect;
    const char *ufs_dir;     /* existing folder backing the storage */
    const char *revision;    /* firmware revision (ATI, AT+GMR, AT+CGMR); NULL: default */
    qftp_ts rsptimeout;      /* 0: the dialect's default (90 s) */
    qftp_ts guard_time;      /* "+++" guard; 0: 1 s */
    qftp_ts close_delay;     /* how long AT+QFTPCLOSE takes; 0: 100 ms */
    int64_t storage[3];      /* bytes each sim_area holds; 0: the dialect's default */
    const sim_fault *faults; /* not copied; must outlive the module */
    size_t n_faults;
    sim_log_fn log; /* state transitions and notes, one line each; may be NULL */
    void *log_user;
} sim_opts;

typedef struct sim_module sim_module;

sim_module *sim_module_new(const sim_opts *o, char *errbuf);
void sim_module_free(sim_module *m);
/* A new host: abort transfers, close the FTP service, forget settings (power cycle). */
void sim_module_reset(sim_module *m);

/* How many host bytes the module takes now (0 while an upload is waiting for the server
 * or stalled). */
size_t sim_module_rx_room(const sim_module *m);
/* Host bytes read at monotonic time now. */
void sim_module_input(sim_module *m, const uint8_t *b, size_t n, qftp_ts now);
/* Bytes the module wants to send now: *p and the count (0 if none). */
size_t sim_module_pending(const sim_module *m, const uint8_t **p);
void sim_module_consumed(sim_module *m, size_t n);

/* Runs timers, libcurl and the guard/inactivity clocks up to now. */
void sim_module_run(sim_module *m, qftp_ts now);
/* Monotonic time of the next timer, or QFTP_TS_NONE. */
qftp_ts sim_module_next_timer(const sim_module *m);
CURLM *sim_module_multi(const sim_module *m);
/* True once when a disconnect fault fired (the front end drops the link and resets). */
bool sim_module_take_disconnect(sim_module *m);

qftp_ts sim_now_mono(void);
qftp_ts sim_now_real(void);

#endif
