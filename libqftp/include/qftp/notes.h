/* qftp/notes.h - the kinds of note the session raises, defined once.
 *
 * Every note has a kind (qftp_note.kind). A kind belongs to one expert entry (the
 * Wireshark expert field it is reported under: its filter name, group, severity and
 * summary); several kinds may share one entry. The kind's message format and its
 * severity come from these tables, so front ends recognise a note by its kind, never
 * by its text. Beside the command tables (qftp/tables.h), which they complement.
 */
#ifndef QFTP_NOTES_H
#define QFTP_NOTES_H

#include <inttypes.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Wireshark's expert groups (epan/proto.h PI_*), as the core names them. */
typedef enum {
    QFTP_EG_COMMENTS = 0, /* PI_COMMENTS_GROUP */
    QFTP_EG_PROTOCOL,     /* PI_PROTOCOL */
    QFTP_EG_SEQUENCE,     /* PI_SEQUENCE */
    QFTP_EG_RESPONSE_CODE,
    QFTP_EG_SECURITY,
    QFTP_EG_MALFORMED,
    QFTP_EG_UNDECODED,
} qftp_expert_group;

/* The expert entries: X(ID, name, severity, group, item, summary).
 * name: the filter name after "qftp.expert."; item: raised by a front end at the item
 * it concerns (the final result, the URC, the parameter, the line) rather than as a note
 * of the frame. summary: what Wireshark's Expert Info groups the entry under, so each
 * says what it is about (no group called just "Note"). */
#define QFTP_EXPERTS(X)                                                                            \
    X(ERROR_RESULT, "error_result", WARN, RESPONSE_CODE, true, "Error result")                     \
    X(ERROR_URC, "error_urc", WARN, RESPONSE_CODE, true, "Error in the completion URC")            \
    X(UNKNOWN_CMD, "unknown_cmd", NOTE, UNDECODED, true, "Unknown command")                        \
    X(PARAM_RANGE, "param_range", WARN, PROTOCOL, true, "Parameter outside its range or length")   \
    X(BUSY, "busy", WARN, SEQUENCE, false, "Command sent while the FTP service is busy")           \
    X(NO_RESULT, "no_result", ERROR, SEQUENCE, false,                                              \
      "No final result or completion URC by the end of the capture")                               \
    X(GUARD_TIME, "guard_time", WARN, PROTOCOL, false, "+++ without its guard time")               \
    X(LENGTH_MISMATCH, "length_mismatch", WARN, PROTOCOL, false, "Length mismatch")                \
    X(SLOW, "slow", WARN, SEQUENCE, false, "Response slower than rsptimeout")                      \
    X(CLEARTEXT, "cleartext", NOTE, SECURITY, false, "Credentials in clear")                       \
    X(UNSOLICITED, "unsolicited", WARN, SEQUENCE, false, "Result with no command waiting")         \
    X(OVERFLOW, "overflow", WARN, MALFORMED, true, "Line longer than the parser's cap")            \
    X(LOG_TRIMMED, "log_trimmed", NOTE, SEQUENCE, false,                                           \
      "The log leaves out bytes or lines (trimmed, elided or lost)")                               \
    X(CONTEXT, "context", NOTE, COMMENTS, false,                                                   \
      "The module, SIM, network or PDP context in words")                                          \
    X(CONTEXT_INFO, "context_info", INFO, COMMENTS, false,                                         \
      "The module, SIM, network or PDP context as reported")                                       \
    X(CONTEXT_CONCERN, "context_concern", WARN, SEQUENCE, false,                                   \
      "Module, SIM, network or PDP context not ready while a command was under way")               \
    X(CONTEXT_LOST, "context_lost", ERROR, SEQUENCE, false,                                        \
      "A restart, power-down or PDP deactivation ended what was under way")                        \
    X(MODULE_SIDE, "module_side", INFO, COMMENTS, false,                                           \
      "Module's side only: command inferred from its completion URC")                              \
    X(DIALECT, "dialect", INFO, COMMENTS, false, "Dialect detected")                               \
    X(DIALECT_UNKNOWN, "dialect_unknown", NOTE, PROTOCOL, false,                                   \
      "Dialect not known from the input")                                                          \
    X(ECHO_ONLY, "echo_only", INFO, COMMENTS, false, "Command known from the module's echo only")  \
    X(STATE, "state", INFO, COMMENTS, false, "FTP service state other than the traffic implied")   \
    X(HOST_TEXT, "host_text", NOTE, PROTOCOL, false, "Host line that is not an AT command")        \
    X(LIMITS, "limits", WARN, MALFORMED, false, "Command line beyond the decoder's limits")        \
    X(UNTERMINATED, "unterminated", WARN, SEQUENCE, false, "Command line without its terminator")  \
    X(ORDER, "order", NOTE, SEQUENCE, false, "Result or data mode out of the usual order")         \
    X(DATA_END, "data_end", WARN, SEQUENCE, false, "Data mode ended other than the manual says")   \
    X(ESCAPE, "escape", NOTE, SEQUENCE, false, "+++ outside a transfer, or aborting one")

typedef enum {
#define X(ID, name, sev, group, item, summary) QFTP_EXPERT_##ID,
    QFTP_EXPERTS(X)
#undef X
        QFTP_EXPERT__COUNT
} qftp_expert_id;

/* The note kinds: X(ID, expert, format). The severity is the expert entry's; format is
 * the printf format of the note's text (its arguments are the session's business). */
#define QFTP_NOTE_KINDS(X)                                                                         \
    /* a command and its parameters */                                                             \
    X(PARAM, PARAM_RANGE, "%s")                                                                    \
    X(TOO_MANY_PARAMS, LIMITS, "more than %d parameters")                                          \
    X(TOO_MANY_COMMANDS, LIMITS, "command line with more than %d commands: %s")                    \
    X(UNTERMINATED, UNTERMINATED,                                                                  \
      "command line without a terminator at the end of the input: not executed")                   \
    X(ECHO_ONLY, ECHO_ONLY, "command known from the module's echo only")                           \
    X(HOST_TEXT, HOST_TEXT, "host sent a line that is not an AT command: %.*s")                    \
    X(BUSY, BUSY, "sent while the FTP service is busy with %s (#%u): expect +CME ERROR: 603")      \
    X(PASSWORD_IN_CLEAR, CLEARTEXT, "FTP password sent in clear on the serial line%s")             \
    X(PLAIN_FTP, CLEARTEXT, "plain FTP: user name and password cross the network unencrypted%s")   \
    /* results */                                                                                  \
    X(ERROR_RESULT, ERROR_RESULT, "ERROR: wrong format, or the command is not allowed now")        \
    X(CME_ERROR, ERROR_RESULT, "%s: %s")                                                           \
    X(CME_ERROR_TEXT, ERROR_RESULT, "%s")                                                          \
    X(OTHER_FINAL, ERROR_RESULT, "%s")                                                             \
    X(ERROR_URC, ERROR_URC, "%s")                                                                  \
    X(OUTCOME_BEFORE_FINAL, ORDER,                                                                 \
      "completion URC with no final result before it (OK missing from the log?)")                  \
    X(NO_FINAL, NO_RESULT, "no final result (%s)")                                                 \
    X(NO_URC, NO_RESULT, "no %s URC by the end of the input")                                      \
    X(URC_GIVEN_UP, NO_RESULT, "no %s URC within the next %d commands: given up")                  \
    X(SLOW_CONNECT, SLOW, "CONNECT %.1f s after the command, later than rsptimeout (%.0f s)")      \
    X(SLOW_OUTCOME, SLOW, "outcome %.1f s after %s, later than rsptimeout (%.0f s)")               \
    X(STATE_DIFFERS, STATE, "module reports %s; the traffic so far implied %s")                    \
    X(DIALECT, DIALECT, "dialect %s detected from %s")                                             \
    X(DIALECT_UNKNOWN, DIALECT_UNKNOWN,                                                            \
      "dialect unknown: nothing in the input tells GSM (M95, M66, MC60) from BG96 (BG96, BG95, "   \
      "EC2x, EG9x)%s; %s would decide it, or --dialect")                                           \
    /* data mode */                                                                                \
    X(CONNECT_UNEXPECTED, ORDER, "CONNECT for a command without a known data mode")                \
    X(LENGTH_URC, LENGTH_MISMATCH,                                                                 \
      "length mismatch: %s %" PRId64 " bytes in data mode, the URC says %" PRId64)                 \
    X(LENGTH_CONNECT, LENGTH_MISMATCH,                                                             \
      "length mismatch: CONNECT %" PRId64 " but %" PRId64 " bytes")                                \
    X(LENGTH_UPLOADLEN, LENGTH_MISMATCH,                                                           \
      "length mismatch: %s %" PRId64 " but %" PRId64 " bytes sent")                                \
    X(DATA_INACTIVITY, DATA_END,                                                                   \
      "data mode ended by inactivity: the module stopped waiting for data")                        \
    X(DATA_OPEN_AT_END, NO_RESULT, "data mode still open at the end of the input")                 \
    X(DATA_TRIMMED, LOG_TRIMMED,                                                                   \
      "the log holds %" PRId64 " of the %" PRId64 " bytes the URC reports: trimmed or lost%s")     \
    X(DATA_TRIMMED_ERROR, LOG_TRIMMED,                                                             \
      "data mode ended at the completion URC after %" PRId64 " bytes%s")                           \
    X(DATA_ENDED_BY_COMMAND, LOG_TRIMMED,                                                          \
      "data mode taken to have ended before the host's next command (%s): the log shows no end "   \
      "of the %s after %" PRId64 " bytes (trimmed or lost)")                                       \
    X(ESCAPE_GUARD, GUARD_TIME,                                                                    \
      "+++ without its guard time (1 s of silence before and after, the three '+' within 1 s: "    \
      "BG96 manual 1.2)")                                                                          \
    X(DOWNLOAD_ABORTED, ESCAPE, "download aborted by +++: no completion URC follows")              \
    X(ESCAPE_OUTSIDE, ESCAPE, "+++ outside data mode")                                             \
    /* what belongs to no command */                                                               \
    X(ORPHAN_FINAL, UNSOLICITED, "final result %.*s with no command waiting for it")               \
    X(ORPHAN_CONNECT, UNSOLICITED, "CONNECT with no command waiting for it")                       \
    X(ORPHAN_URC, UNSOLICITED, "%s: URC with no command waiting for it")                           \
    /* a log of the module's side only */                                                          \
    X(MODULE_SIDE_ONLY, MODULE_SIDE,                                                               \
      "the input holds the module's side only: commands are inferred from their completion URCs "  \
      "where the URC names one command (marked inferred); other answers stay unlinked")            \
    X(MODULE_SIDE_AFTER_ECHO_OFF, MODULE_SIDE,                                                     \
      "echo is off (ATE0) and no command follows in the input: from there it holds the module's "  \
      "side only; commands are inferred from their completion URCs (marked inferred)")             \
    X(INFERRED, MODULE_SIDE,                                                                       \
      "inferred from the module's %s: no host line of this command is in the input")               \
    /* the module, its SIM, the network and the PDP context (qftp/context.h) */                    \
    X(CONTEXT_INFO, CONTEXT_INFO, "%s: %s (%s)")                                                   \
    X(CONTEXT, CONTEXT, "%s: %s (%s)")                                                             \
    X(CONTEXT_CONCERN, CONTEXT_CONCERN, "%s while this command was under way: %s (%s)")            \
    X(CONTEXT_LOST, CONTEXT_LOST, "%s while this command was under way: %s; %s (%s)")              \
    X(OVERFLOW, OVERFLOW,                                                                          \
      "%s line of %" PRId64 " bytes is longer than the %zu-byte cap: skipped to its end")          \
    /* a command flooded with lines (QFTP_TXN_INFO_CAP) */                                         \
    X(INFO_OVER, LIMITS,                                                                           \
      "more than %d information responses to one command: the rest are counted, not kept")

typedef enum {
#define X(ID, expert, format) QFTP_NOTE_##ID,
    QFTP_NOTE_KINDS(X)
#undef X
        QFTP_NOTE__COUNT
} qftp_note_kind;

typedef struct {
    qftp_expert_id id;
    const char *name; /* "busy": the filter name qftp.expert.busy */
    qftp_severity severity;
    qftp_expert_group group;
    bool item;           /* raised at its item, not as a note of the frame */
    const char *summary; /* "Command sent while the FTP service is busy" */
} qftp_expert_def;

typedef struct {
    qftp_note_kind kind;
    const char *name;      /* "BUSY" */
    qftp_expert_id expert; /* its severity is the kind's */
    const char *format;    /* printf format of the note's text */
} qftp_note_def;

/* The whole tables (static, read-only), in the order above; *n gets their length. */
const qftp_expert_def *qftp_expert_defs(size_t *n);
const qftp_note_def *qftp_note_defs(size_t *n);
/* One row, or NULL for a value outside the table. */
const qftp_expert_def *qftp_expert_def_of(qftp_expert_id id);
const qftp_note_def *qftp_note_def_of(qftp_note_kind kind);
/* The kind's severity (its expert entry's). */
qftp_severity qftp_note_severity(qftp_note_kind kind);

#ifdef __cplusplus
}
#endif
#endif
