/* plain.c - the plain layout: a pasted terminal session, no times, no direction markers.
 *
 * Every line goes to the transcript (layout/transcript.c) as it is: a line that starts
 * with AT is the host's, the rest the module's, the lines after CONNECT data of the side
 * the command implies, ended as the transcript decides. A line that spells its bytes
 * (\r\n, <CR><LF>, \x0d: a receive view copied out of HTerm and the like) is exactly
 * those bytes. A block quoted as an e-mail reply quotes it ("> OK") loses its quote marks. */

#include "../logimport_int.h"

typedef struct {
    log_text_state text;
    bool quoted; /* in a block quoted as e-mail quotes it */
} plain_state;

/* An e-mail quote's prefix: '>' (nested: "> > ", ">> "), each maybe with a space. */
static size_t quote_prefix(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == '>') {
        i++;
        if (i < n && s[i] == ' ')
            i++;
    }
    return i;
}

/* A log pasted into an e-mail reply: "> AT+QFTPOPEN=...", "> OK", ">". A quoted block
 * starts with a quoted line of AT traffic and ends at the next line that is not quoted
 * (the writer's own words); inside it the quote marks go, also on data lines. */
static int plain_line(log_ctx *c, void *state, uint8_t *s, size_t n)
{
    plain_state *p = state;
    size_t q = quote_prefix(s, n);
    if (q && !p->quoted && !log_transcript_in_data(p->text.t))
        p->quoted = log_traffic_line(s + q, n - q);
    else if (!q && !log_blank(s, n))
        p->quoted = false;
    if (p->quoted) {
        s += q;
        n -= q;
    }
    return log_text_line(c, &p->text, s, n, false, QFTP_DIR_RX, LOG_NO_STAMP, true);
}

static int plain_open(log_ctx *c, void *state)
{
    plain_state *p = state;
    return log_text_open(c, &p->text);
}

static int plain_finish(log_ctx *c, void *state)
{
    plain_state *p = state;
    return log_text_finish(c, &p->text);
}

static void plain_cleanup(void *state)
{
    plain_state *p = state;
    log_text_cleanup(&p->text);
}

/* No probe: plain is what a log is when no other layout takes it. */
const log_layout log_layout_plain = {
    .id = QFTP_FMT_PLAIN,
    .name = "plain",
    .state_size = sizeof(plain_state),
    .open = plain_open,
    .line = plain_line,
    .finish = plain_finish,
    .cleanup = plain_cleanup,
};
