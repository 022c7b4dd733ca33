/* plain.c - the plain layout: a pasted terminal session, no times, no direction markers.
 *
 * Every line goes to the transcript (layout/transcript.c) as it is: a line that starts
 * with AT is the host's, the rest the module's, the lines after CONNECT data of the side
 * the command implies, ended as the transcript decides. A line that spells its bytes
 * (\r\n, <CR><LF>, \x0d: a receive view copied out of HTerm and the like) is exactly
 * those bytes. */

#include "../logimport_int.h"

static int plain_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    return log_text_line(c, state, s, n, false, QFTP_DIR_RX, LOG_NO_STAMP, true);
}

/* No probe: plain is what a log is when no other layout takes it. */
const log_layout log_layout_plain = {
    .id = QFTP_FMT_PLAIN,
    .name = "plain",
    .state_size = sizeof(log_text_state),
    .open = log_text_open,
    .line = plain_line,
    .finish = log_text_finish,
    .cleanup = log_text_cleanup,
};
