/* cmd_sim.h - the command line of `qftp sim`: its options as given and as checked
 * (tests/unit/test_options.c), and its registration. */
#ifndef QFTP_SIM_CMD_SIM_H
#define QFTP_SIM_CMD_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "qftptool/cmd.h"
#include "sim.h"

#define SIM_MAX_FAULTS 32

typedef struct {
    /* as given */
    char *dialect, *pty, *listen, *capture, *ufs, *seed, *revision, *rsptimeout, *storage;
    char **faults;
    gboolean verbose;
    /* checked */
    qftp_dialect dialect_v;
    sim_fault faults_v[SIM_MAX_FAULTS];
    size_t n_faults;
    bool seeded;
    uint64_t seed_v;
    double rsptimeout_v;  /* seconds, 0 = the module's default */
    int64_t storage_v[3]; /* bytes per sim_area, 0 = the dialect's default */
    /* set by a caller, not an option: `qftp extcap` streams the capture to Wireshark's
     * fifo, whose reader going away (EPIPE) ends the simulator quietly with status 0 */
    bool pipe_end_stops;
} sim_cmdline;

extern const tool_command qftp_cmd_sim;

#endif
