/* help.c - `--help`, `--help-all`, `--help-GROUP` and `qftp --help`: GLib's
 * g_option_context_get_help() over the declared options, then laid out for an 80-column
 * terminal (descriptions wrapped under their column, the command's own options before
 * the groups, ASCII only). */
#include <stdbool.h>
#include <string.h>

#include "cmdline.h"

#define WIDTH 79

/* Appends `text` after `head` (already `col` wide), wrapped to WIDTH with continuation
 * lines indented to `col`. */
static void hang(GString *out, const char *head, const char *text, size_t col)
{
    size_t start = out->len;
    g_string_append(out, head);
    while (out->len - start < col)
        g_string_append_c(out, ' ');
    size_t line_start = start;
    bool first = true;
    char **words = g_strsplit(text, " ", -1);
    for (char **w = words; *w; w++) {
        if (!**w)
            continue;
        size_t len = strlen(*w);
        size_t cur = out->len - line_start;
        if (!first && cur + 1 + len > WIDTH) {
            g_string_append_c(out, '\n');
            line_start = out->len;
            for (size_t i = 0; i < col; i++)
                g_string_append_c(out, ' ');
            first = true;
        }
        if (!first)
            g_string_append_c(out, ' ');
        g_string_append(out, *w);
        first = false;
    }
    g_strfreev(words);
    g_string_append_c(out, '\n');
}

void tool_fill(GString *out, const char *text, int indent, int width)
{
    char **paras = g_strsplit(text, "\n\n", -1);
    char pad[64];
    int ind = MIN(indent, (int)sizeof pad - 1);
    memset(pad, ' ', (size_t)ind);
    pad[ind] = '\0';
    for (char **p = paras; *p; p++) {
        if (!**p)
            continue;
        if (p != paras)
            g_string_append_c(out, '\n');
        char **lines = g_strsplit(*p, "\n", -1);
        GString *run = g_string_new(NULL);
        for (char **l = lines;; l++) {
            bool verbatim = *l && strncmp(*l, "  ", 2) == 0;
            if ((!*l || verbatim) && run->len) {
                (void)width;
                hang(out, pad, run->str, (size_t)ind);
                g_string_truncate(run, 0);
            }
            if (!*l)
                break;
            if (verbatim) {
                g_string_append_printf(out, "%s%s\n", pad, *l);
            } else {
                if (run->len)
                    g_string_append_c(run, ' ');
                g_string_append(run, *l);
            }
        }
        g_string_free(run, TRUE);
        g_strfreev(lines);
    }
    g_strfreev(paras);
}

/* ---- what GLib prints before and after the options ----------------------------------------- */

static void command_summary(GString *s, const tool_command *c)
{
    GString *first = g_string_new(c->summary);
    if (first->len)
        first->str[0] = g_ascii_toupper(first->str[0]);
    g_string_append_c(first, '.');
    tool_fill(s, first->str, 0, WIDTH);
    g_string_free(first, TRUE);
    if (c->description && c->description[0]) {
        g_string_append_c(s, '\n');
        tool_fill(s, c->description, 0, WIDTH);
    }
}

static void exits(GString *s, const tool_exit *x)
{
    g_string_append(s, "Exit status:\n");
    for (; x && x->status >= 0; x++) {
        char head[16];
        snprintf(head, sizeof head, "  %d", x->status);
        hang(s, head, x->meaning, 6);
    }
}

static void command_epilogue(GString *s, const tool_command *c)
{
    if (c->examples && c->examples[0].cmdline) {
        g_string_append(s, "Examples:\n");
        for (const tool_example *e = c->examples; e->cmdline; e++) {
            char *what = g_strdup_printf("%s:", e->what);
            what[0] = g_ascii_toupper(what[0]);
            hang(s, "  ", what, 2);
            g_free(what);
            g_string_append_printf(s, "    %s\n", e->cmdline);
        }
        g_string_append_c(s, '\n');
    }
    exits(s, c->exits);
    g_string_append_printf(s, "\nSee also: `man qftp-%s`%s%s.\n", c->name, c->docs ? ", " : "",
                           c->docs ? c->docs : "");
}

static void program_summary(GString *s, const tool_program *p)
{
    GString *first = g_string_new(p->summary);
    if (first->len)
        first->str[0] = g_ascii_toupper(first->str[0]);
    g_string_append_c(first, '.');
    tool_fill(s, first->str, 0, WIDTH);
    g_string_free(first, TRUE);
    if (p->description) {
        g_string_append_c(s, '\n');
        tool_fill(s, p->description, 0, WIDTH);
    }
    g_string_append(s, "\nCommands:\n");
    size_t w = 4;
    for (size_t i = 0; p->commands[i]; i++)
        w = MAX(w, strlen(p->commands[i]->name));
    for (size_t i = 0; p->commands[i]; i++) {
        char head[64];
        snprintf(head, sizeof head, "  %s", p->commands[i]->name);
        hang(s, head, p->commands[i]->summary, w + 5);
    }
    char head[64];
    snprintf(head, sizeof head, "  %s", "help");
    hang(s, head, "print the help of a command (the same as COMMAND --help)", w + 5);
}

static void program_epilogue(GString *s, const tool_program *p)
{
    g_string_append(s, "Examples:\n");
    for (const tool_example *e = p->examples; e && e->cmdline; e++) {
        char *line = g_strdup_printf("%s: %s:", e->who, e->what);
        hang(s, "  ", line, 2);
        g_free(line);
        g_string_append_printf(s, "    %s\n", e->cmdline);
    }
    g_string_append_c(s, '\n');
    exits(s, p->exits);
    g_string_append(s, "\n");
    tool_fill(s,
              "`qftp help COMMAND` or `qftp COMMAND --help` describes a command, `man "
              "qftp-COMMAND` too; docs/ in the sources has the guides.",
              0, WIDTH);
}

/* ---- GLib's text, laid out ----------------------------------------------------------------- */

static void replace_all(GString *s, const char *from, const char *to)
{
    g_string_replace(s, from, to, 0);
}

#define COL_MAX 32 /* descriptions start at most here; a longer option gets its own line */

/* Option lines are "  -x, --name=ARG   description". GLib pads every option to the
 * longest of all groups; here descriptions start after the longest option shown (at
 * most COL_MAX), wrapped under that column, with a capital letter. The lines GLib
 * printed at column 0 for a '\n' in a description are its continuation. */
static GString *wrap_options(const char *text)
{
    char **lines = g_strsplit(text, "\n", -1);
    size_t widest = 0;
    for (char **l = lines; *l; l++)
        if (strncmp(*l, "  -", 3) == 0) {
            const char *gap = strstr(*l + 2, "  ");
            size_t w = gap ? (size_t)(gap - *l) : strlen(*l);
            if (w + 2 <= COL_MAX)
                widest = MAX(widest, w);
        }
    size_t col = widest ? widest + 2 : COL_MAX;
    GString *out = g_string_new(NULL);
    bool in_option = false;
    for (char **l = lines; *l; l++) {
        const char *L = *l;
        if (strncmp(L, "  -", 3) == 0) {
            const char *gap = strstr(L + 2, "  ");
            in_option = true;
            if (!gap) {
                g_string_append_printf(out, "%s\n", L);
                continue;
            }
            const char *d = gap;
            while (*d == ' ')
                d++;
            char *head = g_strndup(L, (gsize)(gap - L));
            char *desc = g_strdup(d);
            desc[0] = g_ascii_toupper(desc[0]);
            if (strlen(head) + 2 > col) {
                g_string_append_printf(out, "%s\n", head);
                hang(out, "", desc, col);
            } else {
                hang(out, head, desc, col);
            }
            g_free(head);
            g_free(desc);
        } else if (in_option && L[0] && L[0] != ' ') {
            hang(out, "", L, col);
        } else {
            in_option = false;
            g_string_append_printf(out, "%s\n", L);
        }
    }
    g_strfreev(lines);
    /* g_strsplit gave a last empty line for the final '\n' */
    if (out->len && out->str[out->len - 1] == '\n')
        g_string_truncate(out, out->len - 1);
    return out;
}

/* GLib lists the groups before the main options: the command's own options go first. */
static void main_options_first(GString *s)
{
    char **blocks = g_strsplit(s->str, "\n\n", -1);
    int help = -1, opts = -1;
    for (int i = 0; blocks[i]; i++) {
        if (g_str_has_prefix(blocks[i], "Help Options:"))
            help = i;
        else if (g_str_has_prefix(blocks[i], "Options:") && opts < 0)
            opts = i;
    }
    if (help >= 0 && opts > help + 1) {
        char *o = blocks[opts];
        memmove(&blocks[help + 2], &blocks[help + 1], sizeof(char *) * (size_t)(opts - help - 1));
        blocks[help + 1] = o;
        char *joined = g_strjoinv("\n\n", blocks);
        g_string_assign(s, joined);
        g_free(joined);
    }
    g_strfreev(blocks);
}

char *tool_help_text(tool_cmdline *cl, const char *which)
{
    GString *summary = g_string_new(NULL), *epilogue = g_string_new(NULL);
    if (cl->cmd) {
        command_summary(summary, cl->cmd);
        command_epilogue(epilogue, cl->cmd);
    } else if (cl->prog) {
        program_summary(summary, cl->prog);
        program_epilogue(epilogue, cl->prog);
    }
    /* GLib adds its own line end after each */
    if (summary->len && summary->str[summary->len - 1] == '\n')
        g_string_truncate(summary, summary->len - 1);
    if (epilogue->len && epilogue->str[epilogue->len - 1] == '\n')
        g_string_truncate(epilogue, epilogue->len - 1);
    g_option_context_set_summary(cl->ctx, summary->str);
    g_option_context_set_description(cl->ctx, epilogue->str);
    g_string_free(summary, TRUE);
    g_string_free(epilogue, TRUE);

    GOptionGroup *group = NULL;
    if (which && strcmp(which, "all") != 0)
        for (guint i = 0; i < cl->groups->len; i++) {
            tool_group *g = g_ptr_array_index(cl->groups, i);
            if (g->name && strcmp(g->name, which) == 0)
                group = g->group;
        }
    char *raw = g_option_context_get_help(cl->ctx, which == NULL, group);

    /* GLib's usage block names g_get_prgname(): ours names the command. */
    const char *body = strstr(raw, "\n\n");
    GString *s = g_string_new(NULL);
    const char *args = cl->cmd ? cl->cmd->args : "COMMAND [ARG...]";
    g_string_append_printf(s, "Usage:\n  %s [OPTION...]%s%s", cl->name, args ? " " : "",
                           args ? args : "");
    g_string_append(s, body ? body : "\n");
    g_free(raw);
    replace_all(s, "Application Options:", "Options:");
    GString *w = wrap_options(s->str);
    g_string_free(s, TRUE);
    main_options_first(w);
    if (w->len == 0 || w->str[w->len - 1] != '\n')
        g_string_append_c(w, '\n');
    return g_string_free(w, FALSE);
}
