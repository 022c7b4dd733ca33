/* cmdline.h - inside the tool layer: a command's declared options, shared by the parser
 * (cmd.c), the help formatter (help.c), the man page (man.c) and the completion
 * (complete.c). Not installed: commands see only qftptool/cmd.h. */
#ifndef QFTPTOOL_CMDLINE_H
#define QFTPTOOL_CMDLINE_H

#include "qftptool/cmd.h"

typedef struct {
    char *name;            /* NULL: the main group */
    char *title;           /* "Device options:" */
    char *help;            /* "Show device options" */
    GOptionEntry *entries; /* a copy, n + 1 with the terminator */
    size_t n;
    GOptionGroup *group; /* owned by the context */
} tool_group;

struct tool_cmdline {
    const tool_command *cmd;  /* NULL: the program itself */
    const tool_program *prog; /* may be NULL (a command parsed alone) */
    char *name;               /* "qftp show" */
    GOptionContext *ctx;
    GPtrArray *groups; /* of tool_group *, in declaration order */
    GString *msg;      /* the usage error */
    GArray *strings;   /* the string options' slots and their values before parsing */
};

tool_cmdline *tool_cmdline_new(const tool_program *p, const tool_command *c);
void tool_cmdline_free(tool_cmdline *cl);

/* Does the entry take a value? */
gboolean tool_entry_takes_value(const GOptionEntry *e);
/* Is this arg_description a list of choices ("a|b|c")? */
gboolean tool_arg_is_choice(const char *arg_description);

/* The help text: which = NULL --help, "all" --help-all, else --help-GROUP. Returned
 * text is g_free'd by the caller. */
char *tool_help_text(tool_cmdline *cl, const char *which);
/* Fills `text` (paragraphs separated by blank lines; lines that start with two spaces
 * are kept as they are) into `out`, every line indented by `indent`, to `width`. */
void tool_fill(GString *out, const char *text, int indent, int width);

/* The generators (man.c, complete.c): 0, or -1 with a message in err. */
int tool_gen_man(const tool_program *p, const char *dir, GString *err);
int tool_gen_bash(const tool_program *p, FILE *f);
void tool_gen_exit_md(const tool_program *p, FILE *f);

#endif
