/* man.c - the man pages qftp(1) and qftp-CMD(1), written at build time by the built tool
 * (`qftp --generate-man DIR`) from the same registrations as --help: the option tables,
 * the descriptions, examples and exit statuses. A command that registers gets its page. */
#include <errno.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "cmdline.h"

/* Text for roff: backslashes and minus signs escaped, no line starting with a control
 * character. Lines of `text` stay lines (roff fills them). */
static void roff(GString *o, const char *text)
{
    bool bol = o->len == 0 || o->str[o->len - 1] == '\n';
    for (const char *p = text; *p; p++) {
        if (bol && (*p == '.' || *p == '\''))
            g_string_append(o, "\\&");
        bol = false;
        switch (*p) {
        case '\\':
            g_string_append(o, "\\e");
            break;
        case '-':
            g_string_append(o, "\\-");
            break;
        case '\n':
            g_string_append_c(o, '\n');
            bol = true;
            break;
        default:
            g_string_append_c(o, *p);
        }
    }
}

/* The description markup (paragraphs; lines starting with two spaces verbatim). */
static void roff_paragraphs(GString *o, const char *text)
{
    char **paras = g_strsplit(text, "\n\n", -1);
    for (char **p = paras; *p; p++) {
        if (!**p)
            continue;
        g_string_append(o, ".PP\n");
        char **lines = g_strsplit(*p, "\n", -1);
        bool in_nf = false;
        for (char **l = lines; *l; l++) {
            bool verbatim = strncmp(*l, "  ", 2) == 0;
            if (verbatim && !in_nf)
                g_string_append(o, ".RS 2\n.nf\n");
            if (!verbatim && in_nf)
                g_string_append(o, ".fi\n.RE\n");
            in_nf = verbatim;
            roff(o, verbatim ? *l + 2 : *l);
            g_string_append_c(o, '\n');
        }
        if (in_nf)
            g_string_append(o, ".fi\n.RE\n");
        g_strfreev(lines);
    }
    g_strfreev(paras);
}

static void roff_entry(GString *o, const GOptionEntry *e)
{
    g_string_append(o, ".TP\n");
    if (e->short_name)
        g_string_append_printf(o, "\\fB\\-%c\\fR, ", e->short_name);
    g_string_append(o, "\\fB");
    roff(o, "--");
    roff(o, e->long_name);
    g_string_append(o, "\\fR");
    if (tool_entry_takes_value(e)) {
        g_string_append(o, "=\\fI");
        /* a long list of choices may break after each '|' (\: is a break point) */
        char **alts = g_strsplit(e->arg_description ? e->arg_description : "VALUE", "|", -1);
        for (char **a = alts; *a; a++) {
            if (a != alts)
                g_string_append(o, "|\\:");
            roff(o, *a);
        }
        g_strfreev(alts);
        g_string_append(o, "\\fR");
    }
    g_string_append_c(o, '\n');
    if (e->description) {
        char *one = g_strdup(e->description);
        for (char *p = one; *p; p++)
            if (*p == '\n')
                *p = ' ';
        GString *first = g_string_new(one);
        g_free(one);
        if (first->len)
            first->str[0] = g_ascii_toupper(first->str[0]);
        roff(o, first->str);
        g_string_append_c(o, '\n');
        g_string_free(first, TRUE);
    }
}

static void roff_options(GString *o, tool_cmdline *cl)
{
    /* left-adjusted: a long list of choices cannot be spread over a justified line */
    g_string_append(o, ".SH OPTIONS\n.ad l\n");
    for (guint i = 0; i < cl->groups->len; i++) {
        const tool_group *g = g_ptr_array_index(cl->groups, i);
        if (g->name) {
            GString *t = g_string_new(g->title ? g->title : g->name);
            if (t->len && t->str[t->len - 1] == ':')
                g_string_truncate(t, t->len - 1);
            g_string_append(o, ".SS \"");
            roff(o, t->str);
            g_string_append(o, "\"\n");
            g_string_free(t, TRUE);
        }
        for (size_t k = 0; k < g->n; k++)
            if (!(g->entries[k].flags & G_OPTION_FLAG_HIDDEN))
                roff_entry(o, &g->entries[k]);
    }
    g_string_append(o, ".SS \"Help options\"\n");
    GOptionEntry help[] = {{"help", 'h', 0, G_OPTION_ARG_NONE, NULL,
                            cl->groups->len > 1 ? "show the command's own options and the "
                                                  "groups' help options"
                                                : "show the help",
                            NULL},
                           {"help-all", 0, 0, G_OPTION_ARG_NONE, NULL, "show all options", NULL}};
    roff_entry(o, &help[0]);
    if (cl->groups->len > 1)
        roff_entry(o, &help[1]);
    for (guint i = 0; i < cl->groups->len; i++) {
        const tool_group *g = g_ptr_array_index(cl->groups, i);
        if (!g->name)
            continue;
        char *name = g_strdup_printf("help-%s", g->name);
        GOptionEntry e = {name, 0, 0, G_OPTION_ARG_NONE, NULL, g->help, NULL};
        roff_entry(o, &e);
        g_free(name);
    }
    g_string_append(o, ".ad\n");
}

static void roff_examples(GString *o, const tool_example *ex, bool who)
{
    if (!ex || !ex->cmdline)
        return;
    g_string_append(o, ".SH EXAMPLES\n");
    for (; ex->cmdline; ex++) {
        g_string_append(o, ".PP\n");
        if (who && ex->who) {
            g_string_append(o, "\\fB");
            roff(o, ex->who);
            g_string_append(o, "\\fR: ");
        }
        GString *w = g_string_new(ex->what);
        if (!who && w->len)
            w->str[0] = g_ascii_toupper(w->str[0]);
        g_string_append(w, ":");
        roff(o, w->str);
        g_string_free(w, TRUE);
        g_string_append(o, "\n.PP\n.RS 4\n.nf\n");
        roff(o, ex->cmdline);
        g_string_append(o, "\n.fi\n.RE\n");
    }
}

static void roff_exits(GString *o, const tool_exit *x)
{
    g_string_append(o, ".SH \"EXIT STATUS\"\n");
    for (; x && x->status >= 0; x++) {
        g_string_append_printf(o, ".TP\n.B %d\n", x->status);
        GString *m = g_string_new(x->meaning);
        if (m->len)
            m->str[0] = g_ascii_toupper(m->str[0]);
        g_string_append_c(m, '.');
        roff(o, m->str);
        g_string_free(m, TRUE);
        g_string_append_c(o, '\n');
    }
}

static void roff_header(GString *o, const char *page, const char *summary)
{
    char *up = g_ascii_strup(page, -1);
    g_string_append(o, ".\\\" Generated by `qftp --generate-man` from the tool's option tables;\n"
                       ".\\\" edit the command's registration, not this file.\n");
    g_string_append_printf(o, ".TH \"%s\" 1 \"\" \"qftp %s\" \"qftp manual\"\n", up, QFTP_VERSION);
    g_free(up);
    g_string_append(o, ".SH NAME\n");
    roff(o, page);
    g_string_append(o, " \\- ");
    roff(o, summary);
    g_string_append_c(o, '\n');
}

static void roff_see_also(GString *o, const tool_program *p, const char *self, const char *docs)
{
    g_string_append(o, ".SH \"SEE ALSO\"\n");
    bool first = true;
    if (strcmp(self, "qftp") != 0) {
        g_string_append(o, ".BR qftp (1)");
        first = false;
    }
    for (size_t i = 0; p->commands[i]; i++) {
        char *page = g_strdup_printf("qftp-%s", p->commands[i]->name);
        if (strcmp(page, self) != 0) {
            g_string_append_printf(o, "%s.BR ", first ? "" : ",\n");
            roff(o, page);
            g_string_append(o, " (1)");
            first = false;
        }
        g_free(page);
    }
    g_string_append(o, "\n.PP\n");
    roff(o, docs ? "The guide " : "The guides ");
    g_string_append(o, "\\fI");
    roff(o, docs ? docs : "docs/");
    g_string_append(o, "\\fR");
    roff(o, " in the qftp sources.\n");
}

static int write_page(const char *dir, const char *page, GString *text, GString *err)
{
    char *path = g_strdup_printf("%s/%s.1", dir, page);
    GError *e = NULL;
    int rc = 0;
    if (!g_file_set_contents(path, text->str, (gssize)text->len, &e)) {
        g_string_assign(err, e->message);
        g_error_free(e);
        rc = -1;
    }
    g_free(path);
    return rc;
}

static int command_page(const tool_program *p, const tool_command *c, const char *dir, GString *err)
{
    void *opts = g_malloc0(c->opts_size ? c->opts_size : 1);
    tool_cmdline *cl = tool_cmdline_new(p, c);
    c->options(cl, opts);
    char *page = g_strdup_printf("qftp-%s", c->name);
    GString *o = g_string_new(NULL);
    roff_header(o, page, c->summary);
    g_string_append(o, ".SH SYNOPSIS\n.B qftp ");
    roff(o, c->name);
    g_string_append(o, "\n[\\fIOPTION\\fR...]");
    if (c->args) {
        g_string_append(o, " \\fI");
        roff(o, c->args);
        g_string_append(o, "\\fR");
    }
    g_string_append(o, "\n.SH DESCRIPTION\n");
    GString *first = g_string_new(c->summary);
    if (first->len)
        first->str[0] = g_ascii_toupper(first->str[0]);
    g_string_append_c(first, '.');
    roff_paragraphs(o, first->str);
    g_string_free(first, TRUE);
    if (c->description)
        roff_paragraphs(o, c->description);
    roff_options(o, cl);
    roff_examples(o, c->examples, false);
    roff_exits(o, c->exits);
    roff_see_also(o, p, page, c->docs);
    int rc = write_page(dir, page, o, err);
    g_string_free(o, TRUE);
    g_free(page);
    if (c->done)
        c->done(opts);
    tool_cmdline_free(cl);
    g_free(opts);
    return rc;
}

static int program_page(const tool_program *p, const char *dir, GString *err)
{
    GString *o = g_string_new(NULL);
    roff_header(o, "qftp", p->summary);
    g_string_append(o, ".SH SYNOPSIS\n.B qftp\n\\fICOMMAND\\fR [\\fIOPTION\\fR...] "
                       "[\\fIARG\\fR...]\n.br\n.B qftp help\n\\fICOMMAND\\fR\n.br\n"
                       ".B qftp\n\\fB\\-\\-help\\fR | \\fB\\-V\\fR\n");
    g_string_append(o, ".SH DESCRIPTION\n");
    GString *first = g_string_new(p->summary);
    if (first->len)
        first->str[0] = g_ascii_toupper(first->str[0]);
    g_string_append_c(first, '.');
    roff_paragraphs(o, first->str);
    g_string_free(first, TRUE);
    if (p->description)
        roff_paragraphs(o, p->description);
    g_string_append(o, ".SH COMMANDS\n");
    for (size_t i = 0; p->commands[i]; i++) {
        g_string_append(o, ".TP\n\\fBqftp ");
        roff(o, p->commands[i]->name);
        g_string_append(o, "\\fR (see \\fBqftp\\-");
        roff(o, p->commands[i]->name);
        g_string_append(o, "\\fR(1))\n");
        GString *s = g_string_new(p->commands[i]->summary);
        if (s->len)
            s->str[0] = g_ascii_toupper(s->str[0]);
        g_string_append_c(s, '.');
        roff(o, s->str);
        g_string_free(s, TRUE);
        g_string_append_c(o, '\n');
    }
    g_string_append(o, ".TP\n\\fBqftp help\\fR \\fICOMMAND\\fR\nPrint the help of a command, "
                       "the same as \\fBqftp\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR.\n");
    g_string_append(o, ".SH OPTIONS\n.TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nShow the commands "
                       "and these options.\n.TP\n\\fB\\-V\\fR, \\fB\\-\\-version\\fR\nPrint the "
                       "version and exit.\n");
    roff_examples(o, p->examples, true);
    roff_exits(o, p->exits);
    roff_see_also(o, p, "qftp", NULL);
    int rc = write_page(dir, "qftp", o, err);
    g_string_free(o, TRUE);
    return rc;
}

int tool_gen_man(const tool_program *p, const char *dir, GString *err)
{
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_string_printf(err, "cannot create %s: %s", dir, g_strerror(errno));
        return -1;
    }
    if (program_page(p, dir, err) != 0)
        return -1;
    for (size_t i = 0; p->commands[i]; i++)
        if (command_page(p, p->commands[i], dir, err) != 0)
            return -1;
    return 0;
}
