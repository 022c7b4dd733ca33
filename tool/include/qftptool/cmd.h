/* qftptool/cmd.h - a command of the qftp tool, registered once.
 *
 * A command is one `tool_command`: its name, its options (GLib GOptionEntry tables, in
 * groups), a description, examples and its exit statuses. Everything users see about
 * the command comes from that one registration: the parsing (GLib's GOptionContext),
 * `qftp CMD --help` / `--help-all` / `--help-GROUP` and `qftp help CMD`, the error
 * messages (one prefix, the closest real option named), the man page qftp-CMD(1), the
 * bash completion and the exit-status table of docs/cli.md.
 *
 * Conventions the generated help, man page and completion rely on:
 * - Every option that takes a value is G_OPTION_ARG_FILENAME (a `char *`, the bytes as
 *   given) or G_OPTION_ARG_FILENAME_ARRAY (repeatable, a NULL-terminated `char **`);
 *   flags are G_OPTION_ARG_NONE into a `gboolean` (not `bool`: GLib writes an int).
 *   The command converts and checks values in its `check` step.
 * - arg_description says what the value is: "a|b|c" lists the choices (completed,
 *   and named in the error for a bad value); FILE, PATH and names ending in ".pcap"
 *   complete file names, DIR folders, DEVICE serial devices and tcp:; anything else
 *   (N, SECONDS, HOST:PORT, ...) completes nothing.
 * - A description may hold '\n' for a forced line break; lines are wrapped to the
 *   terminal's 80 columns in --help and filled in the man page.
 * - The strings GLib allocates for options are freed by the tool layer after `done`:
 *   `check` must not replace them (it may read them and fill fields of its own).
 */
#ifndef QFTPTOOL_CMD_H
#define QFTPTOOL_CMD_H

#include <glib.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

typedef struct tool_cmdline tool_cmdline;

typedef struct {
    const char *who;     /* program examples: the user ("Support", "Firmware QA", ...) */
    const char *cmdline; /* a complete command line, "qftp show customer.log" */
    const char *what;    /* what it does, one sentence */
} tool_example;

typedef struct {
    int status; /* -1 ends the table */
    const char *meaning;
} tool_exit;

typedef struct tool_command {
    const char *name;             /* "show": `qftp show`, qftp-show(1) */
    const char *args;             /* the positional arguments for the usage line; NULL: none */
    const char *summary;          /* one line, no full stop: the command list and NAME */
    const char *description;      /* paragraphs separated by blank lines */
    const tool_example *examples; /* ends with {NULL}; who unused */
    const tool_exit *exits;       /* ends with {-1} */
    const char *docs;             /* the guide, "docs/show.md" */
    size_t opts_size;             /* the command's options struct, zeroed before `options` */
    /* Sets defaults in opts and declares the option groups (tool_options). Called for
     * parsing, and also for help, man page and completion (then nothing else runs). */
    void (*options)(tool_cmdline *cl, void *opts);
    /* After parsing: checks and converts the values, takes the positional arguments.
     * Returns 0, or the status of tool_usage(). NULL: no positional argument allowed. */
    int (*check)(tool_cmdline *cl, void *opts, int argc, char **argv);
    /* Does the work; returns the exit status. */
    int (*run)(void *opts, int argc, char **argv);
    /* Frees what `check` or `run` left in opts; may be NULL. */
    void (*done)(void *opts);
} tool_command;

typedef struct {
    const char *name;                    /* "qftp" */
    const char *summary;                 /* one line */
    const char *description;             /* paragraphs */
    const tool_command *const *commands; /* NULL-terminated, in the order --help lists them */
    const tool_example *examples;        /* one per kind of user, ends with {NULL} */
    const tool_exit *exits;              /* of the program itself (no command run) */
} tool_program;

/* ---- inside a command's `options` and `check` ----------------------------------------- */

/* Declares a group of options. group NULL: the main group (shown by --help); otherwise
 * GROUP is shown by --help-GROUP and --help-all, under `title` ("Device options:"), and
 * `help` describes --help-GROUP ("Show device options"). entries ends with {NULL}; it
 * is copied (the arg_data pointers are kept). */
void tool_options(tool_cmdline *cl, const char *group, const char *title, const char *help,
                  const GOptionEntry *entries);

/* A usage error: keeps the message (the caller prints "qftp CMD: MESSAGE" and a
 * pointer to --help) and returns 2. */
int tool_usage(tool_cmdline *cl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* For a value the command could not use, of an option whose arg_description lists
 * choices: "--dialect xyz: expected auto, gsm or bg96" and the closest choice, if one is
 * close. Returns 2. */
int tool_bad_choice(tool_cmdline *cl, const char *option, const char *value);

/* Checks a DEVICE value (a serial port, a pty, or tcp:HOST:PORT) for the usual slips:
 * "tcp:" without HOST:PORT, and HOST:PORT without "tcp:" when no such file exists (the
 * message then names the value with tcp:). Returns 0, or 2 after tool_usage(). */
int tool_check_device(tool_cmdline *cl, const char *option, const char *spec);

/* The command being run ("show"), for messages; "" before one is. */
const char *tool_command_name(void);

/* Prints "qftp CMD: MESSAGE" on stderr (the one prefix for every error of a command). */
void tool_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void tool_verror(const char *fmt, va_list ap);
/* The same prefix for a note that is not an error ("... -> out.pcap: 12 frames"). */
void tool_note(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* A stream onto file descriptor fd that writes what it is given safe for a terminal:
 * text, line ends, tabs and valid UTF-8 as they are, every other byte (escape sequences
 * from a hostile log, C1 controls, bytes that are no UTF-8) as \xHH; the tool's own codes
 * that `keep` names too. NULL when it cannot be made (then write to the plain stream). */
#define TOOL_KEEP_SGR 1u      /* colours: ESC [ ... m */
#define TOOL_KEEP_PROGRESS 2u /* a progress line: CR, ESC [ K */
FILE *tool_safe_stream(int fd, unsigned keep, bool line_buffered);

/* ---- the program ------------------------------------------------------------------------- */

/* The whole tool: qftp --help / -V / help CMD / CMD ARGS..., and the hidden generators
 * (--generate-man DIR, --generate-completion bash, --generate-exit-status). Returns the
 * exit status. */
int tool_main(const tool_program *p, int argc, char **argv);

/* ---- parsing alone (unit tests) -------------------------------------------------------- */

typedef struct {
    int status; /* 0 parsed; 1 help requested (text in `help`); 2 usage error (`error`) */
    void *opts; /* the command's options struct, filled and checked */
    int argc;   /* positional arguments */
    char **argv;
    char *help;  /* what --help would print */
    char *error; /* what would go to stderr: "qftp CMD: MESSAGE\nTry ...\n" */
    tool_cmdline *cl;
} tool_parsed;

/* Parses argv (argv[0] is the command's name) as `qftp CMD ARGS...` would, without
 * running the command or printing anything. tool_parsed_free() afterwards. */
void tool_parse(const tool_command *c, int argc, char **argv, tool_parsed *out);
void tool_parsed_free(const tool_command *c, tool_parsed *p);

/* The closest of `candidates` (NULL-terminated) to `typed`: an unambiguous prefix, or
 * within a small edit distance (a transposition counts one). NULL when none is close. */
const char *tool_closest(const char *typed, const char *const *candidates);

#endif
