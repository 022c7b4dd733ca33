/* cmd.c - commands of the qftp tool: parsing through GLib's GOptionContext, the one
 * error path, suggestions, `qftp help CMD`, and the program's own options.
 *
 * Before GLib sees the arguments, one pass over them (scan()) finds what GLib would only
 * report as "Unknown option": an unknown or mistyped option (answered with the closest
 * real one), a value missing at the end or given to a flag, a help request. It also
 * separates the positional arguments ("-" among them: standard input) and splits a
 * short option's attached value ("-DNAME=V", "-wout.pcap"), which GLib does not take.
 * GLib then parses the options alone.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "qftptool/tool.h"

static const char *g_current = "";

const char *tool_command_name(void)
{
    return g_current;
}

void tool_verror(const char *fmt, va_list ap)
{
    fprintf(stderr, "qftp%s%s: ", g_current[0] ? " " : "", g_current);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void tool_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tool_verror(fmt, ap);
    va_end(ap);
}

void tool_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tool_verror(fmt, ap);
    va_end(ap);
}

/* ---- declared options ------------------------------------------------------------------- */

tool_cmdline *tool_cmdline_new(const tool_program *p, const tool_command *c)
{
    tool_cmdline *cl = g_new0(tool_cmdline, 1);
    cl->cmd = c;
    cl->prog = p;
    cl->name = c ? g_strdup_printf("qftp %s", c->name) : g_strdup("qftp");
    cl->ctx = g_option_context_new(NULL);
    cl->groups = g_ptr_array_new();
    cl->msg = g_string_new(NULL);
    return cl;
}

void tool_cmdline_free(tool_cmdline *cl)
{
    if (!cl)
        return;
    for (guint i = 0; i < cl->groups->len; i++) {
        tool_group *g = g_ptr_array_index(cl->groups, i);
        g_free(g->name);
        g_free(g->title);
        g_free(g->help);
        g_free(g->entries);
        g_free(g);
    }
    g_ptr_array_free(cl->groups, TRUE);
    g_option_context_free(cl->ctx);
    g_string_free(cl->msg, TRUE);
    g_free(cl->name);
    g_free(cl);
}

void tool_options(tool_cmdline *cl, const char *group, const char *title, const char *help,
                  const GOptionEntry *entries)
{
    tool_group *g = g_new0(tool_group, 1);
    while (entries[g->n].long_name)
        g->n++;
    g->entries = g_memdup2(entries, (g->n + 1) * sizeof *entries);
    g->name = g_strdup(group);
    g->title = g_strdup(title);
    g->help = g_strdup(help);
    if (group) {
        g->group = g_option_group_new(group, title, help, NULL, NULL);
        g_option_group_add_entries(g->group, entries);
        g_option_context_add_group(cl->ctx, g->group);
    } else {
        g_option_context_add_main_entries(cl->ctx, entries, NULL);
    }
    g_ptr_array_add(cl->groups, g);
}

gboolean tool_entry_takes_value(const GOptionEntry *e)
{
    if (e->arg == G_OPTION_ARG_NONE)
        return FALSE;
    if (e->arg == G_OPTION_ARG_CALLBACK && (e->flags & G_OPTION_FLAG_NO_ARG))
        return FALSE;
    return TRUE;
}

gboolean tool_arg_is_choice(const char *a)
{
    return a && strchr(a, '|') && !strchr(a, ' ') && !strchr(a, '[');
}

static const GOptionEntry *find_long(const tool_cmdline *cl, const char *name, size_t len)
{
    for (guint i = 0; i < cl->groups->len; i++) {
        const tool_group *g = g_ptr_array_index(cl->groups, i);
        for (size_t k = 0; k < g->n; k++)
            if (strlen(g->entries[k].long_name) == len &&
                strncmp(g->entries[k].long_name, name, len) == 0)
                return &g->entries[k];
    }
    return NULL;
}

static const GOptionEntry *find_short(const tool_cmdline *cl, char c)
{
    for (guint i = 0; i < cl->groups->len; i++) {
        const tool_group *g = g_ptr_array_index(cl->groups, i);
        for (size_t k = 0; k < g->n; k++)
            if (g->entries[k].short_name == c)
                return &g->entries[k];
    }
    return NULL;
}

static const tool_group *find_group(const tool_cmdline *cl, const char *name, size_t len)
{
    for (guint i = 0; i < cl->groups->len; i++) {
        const tool_group *g = g_ptr_array_index(cl->groups, i);
        if (g->name && strlen(g->name) == len && strncmp(g->name, name, len) == 0)
            return g;
    }
    return NULL;
}

/* Every long option a user may type, help ones included ("--" not included). */
static GPtrArray *long_names(const tool_cmdline *cl)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(a, g_strdup("help"));
    if (cl->groups->len > 1)
        g_ptr_array_add(a, g_strdup("help-all"));
    for (guint i = 0; i < cl->groups->len; i++) {
        const tool_group *g = g_ptr_array_index(cl->groups, i);
        if (g->name)
            g_ptr_array_add(a, g_strdup_printf("help-%s", g->name));
        for (size_t k = 0; k < g->n; k++)
            if (!(g->entries[k].flags & G_OPTION_FLAG_HIDDEN))
                g_ptr_array_add(a, g_strdup(g->entries[k].long_name));
    }
    g_ptr_array_add(a, NULL);
    return a;
}

/* ---- suggestions -------------------------------------------------------------------------- */

/* Edit distance with adjacent transpositions (optimal string alignment), ASCII case
 * folded: "devcie" is 1 from "device". */
static size_t distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return (size_t)-1;
    size_t d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            bool same = g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 1]);
            size_t v = d[i - 1][j - 1] + (same ? 0 : 1);
            v = MIN(v, d[i - 1][j] + 1);
            v = MIN(v, d[i][j - 1] + 1);
            if (i > 1 && j > 1 && g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 2]) &&
                g_ascii_tolower(a[i - 2]) == g_ascii_tolower(b[j - 1]))
                v = MIN(v, d[i - 2][j - 2] + 1);
            d[i][j] = v;
        }
    return d[n][m];
}

const char *tool_closest(const char *typed, const char *const *candidates)
{
    size_t len = strlen(typed);
    if (len == 0)
        return NULL;
    const char *prefix = NULL;
    int prefixes = 0;
    for (size_t i = 0; candidates[i]; i++)
        if (g_ascii_strncasecmp(candidates[i], typed, len) == 0) {
            prefix = candidates[i];
            prefixes++;
        }
    if (prefixes == 1)
        return prefix;
    size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; candidates[i]; i++) {
        size_t d = distance(typed, candidates[i]);
        if (d < best_d && d < strlen(candidates[i])) {
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}

int tool_usage(tool_cmdline *cl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_string_truncate(cl->msg, 0);
    g_string_append_vprintf(cl->msg, fmt, ap);
    va_end(ap);
    return 2;
}

int tool_bad_choice(tool_cmdline *cl, const char *option, const char *value)
{
    const char *name = option + strspn(option, "-");
    const GOptionEntry *e = find_long(cl, name, strlen(name));
    if (!e || !tool_arg_is_choice(e->arg_description))
        return tool_usage(cl, "%s %s: not a value it takes", option, value);
    char **choices = g_strsplit(e->arg_description, "|", -1);
    guint n = g_strv_length(choices);
    GString *list = g_string_new(NULL);
    for (guint i = 0; i < n; i++)
        g_string_append_printf(list, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", choices[i]);
    const char *near = tool_closest(value, (const char *const *)choices);
    if (near)
        tool_usage(cl, "%s %s: expected %s; did you mean %s?", option, value, list->str, near);
    else
        tool_usage(cl, "%s %s: expected %s", option, value, list->str);
    g_string_free(list, TRUE);
    g_strfreev(choices);
    return 2;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!g_ascii_isdigit(*s))
            return false;
    return true;
}

int tool_check_device(tool_cmdline *cl, const char *option, const char *spec)
{
    if (!spec[0])
        return tool_usage(cl, "%s: empty; expected a serial port, a pty or tcp:HOST:PORT", option);
    if (strncmp(spec, "tcp:", 4) == 0) {
        const char *colon = strrchr(spec + 4, ':');
        if (!colon || colon == spec + 4 || !all_digits(colon + 1))
            return tool_usage(cl, "%s %s: expected tcp:HOST:PORT", option, spec);
        return 0;
    }
    struct stat st;
    const char *colon = strrchr(spec, ':');
    if (stat(spec, &st) != 0 && colon && colon != spec && all_digits(colon + 1) &&
        !strchr(spec, '/'))
        return tool_usage(cl, "%s %s: no such device; for a TCP bridge write tcp:%s", option, spec,
                          spec);
    return 0;
}

/* ---- the pass before GLib ---------------------------------------------------------------- */

typedef struct {
    GPtrArray *opts;  /* argv for GLib: [0] the name, then options and their values */
    GPtrArray *pos;   /* positional arguments */
    const char *help; /* NULL none; "" --help; "all"; a group name */
    char *help_owned;
} scan_result;

static void scan_free(scan_result *s)
{
    g_ptr_array_free(s->opts, TRUE);
    g_ptr_array_free(s->pos, TRUE);
    g_free(s->help_owned);
}

static int unknown_long(tool_cmdline *cl, const char *arg, size_t len)
{
    char *name = g_strndup(arg, len);
    GPtrArray *names = long_names(cl);
    const char *near = tool_closest(name, (const char *const *)names->pdata);
    if (near)
        tool_usage(cl, "unknown option --%s; did you mean --%s?", name, near);
    else
        tool_usage(cl, "unknown option --%s", name);
    g_ptr_array_free(names, TRUE);
    g_free(name);
    return 2;
}

static const char *value_name(const GOptionEntry *e)
{
    return e->arg_description ? e->arg_description : "a value";
}

/* Walks argv[1..]. stop_at_positional: the program's own options end at the command. */
static int scan(tool_cmdline *cl, int argc, char **argv, bool stop_at_positional, scan_result *s)
{
    s->opts = g_ptr_array_new_with_free_func(g_free);
    s->pos = g_ptr_array_new_with_free_func(g_free);
    s->help = NULL;
    s->help_owned = NULL;
    g_ptr_array_add(s->opts, g_strdup(cl->name));
    bool ended = false;
    bool failed = false; /* the first mistake is kept; the rest is scanned for a help request */
#define FAIL(call)                                                                                 \
    do {                                                                                           \
        if (!failed)                                                                               \
            (void)(call);                                                                          \
        failed = true;                                                                             \
    } while (0)
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (ended || a[0] != '-' || a[1] == '\0') {
            g_ptr_array_add(s->pos, g_strdup(a));
            if (stop_at_positional) {
                for (i++; i < argc; i++)
                    g_ptr_array_add(s->pos, g_strdup(argv[i]));
                break;
            }
            continue;
        }
        if (strcmp(a, "--") == 0) {
            ended = true;
            if (stop_at_positional) {
                /* "qftp -- show": the command follows */
                stop_at_positional = false;
            }
            continue;
        }
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            if ((len == 4 && strncmp(name, "help", 4) == 0) ||
                (len == 8 && strncmp(name, "help-all", 8) == 0 && cl->groups->len > 1)) {
                if (!s->help || !s->help[0])
                    s->help = len == 4 ? "" : "all";
                continue;
            }
            if (len > 5 && strncmp(name, "help-", 5) == 0 && find_group(cl, name + 5, len - 5)) {
                g_free(s->help_owned);
                s->help = s->help_owned = g_strndup(name + 5, len - 5);
                continue;
            }
            const GOptionEntry *e = find_long(cl, name, len);
            if (!e) {
                FAIL(unknown_long(cl, name, len));
                continue;
            }
            if (!tool_entry_takes_value(e)) {
                if (eq) {
                    FAIL(tool_usage(cl, "--%s takes no value (given '%s')", e->long_name, eq + 1));
                    continue;
                }
                g_ptr_array_add(s->opts, g_strdup_printf("--%s", e->long_name));
            } else if (eq) {
                g_ptr_array_add(s->opts, g_strdup_printf("--%s", e->long_name));
                g_ptr_array_add(s->opts, g_strdup(eq + 1));
            } else if (i + 1 < argc) {
                g_ptr_array_add(s->opts, g_strdup_printf("--%s", e->long_name));
                g_ptr_array_add(s->opts, g_strdup(argv[++i]));
            } else {
                FAIL(tool_usage(cl, "--%s needs a value (%s)", e->long_name, value_name(e)));
            }
            continue;
        }
        /* one or more short options: -jr, -w FILE, -wFILE, -DNAME=V */
        for (const char *p = a + 1; *p; p++) {
            const GOptionEntry *e = find_short(cl, *p);
            if (!e && (*p == 'h' || *p == '?')) {
                if (!s->help)
                    s->help = "";
                continue;
            }
            if (!e) {
                /* "-json", "-devcie": a long option with one dash? */
                const char *rest = a + 1;
                if (strlen(rest) > 2) {
                    const char *eq = strchr(rest, '=');
                    char *name = g_strndup(rest, eq ? (size_t)(eq - rest) : strlen(rest));
                    GPtrArray *names = long_names(cl);
                    const char *near = tool_closest(name, (const char *const *)names->pdata);
                    if (near)
                        FAIL(tool_usage(cl, "unknown option %s; did you mean --%s?", a, near));
                    g_ptr_array_free(names, TRUE);
                    g_free(name);
                    if (near)
                        break;
                }
                FAIL(tool_usage(cl, "unknown option -%c%s%s%s", *p, p == rest ? "" : " (in ",
                                p == rest ? "" : a, p == rest ? "" : ")"));
                break;
            }
            g_ptr_array_add(s->opts, g_strdup_printf("-%c", *p));
            if (!tool_entry_takes_value(e))
                continue;
            if (p[1]) {
                g_ptr_array_add(s->opts, g_strdup(p + 1));
            } else if (i + 1 < argc) {
                g_ptr_array_add(s->opts, g_strdup(argv[++i]));
            } else {
                FAIL(tool_usage(cl, "-%c needs a value (%s)", *p, value_name(e)));
            }
            break;
        }
    }
    g_ptr_array_add(s->opts, NULL);
    if (s->help) /* a help request wins over a mistake beside it */
        failed = false;
    return failed ? 2 : 0;
#undef FAIL
}

/* ---- string values: freed after the command ------------------------------------------ */

typedef struct {
    gpointer *slot;
    gpointer before;
    GOptionArg arg;
} str_slot;

static GArray *snapshot(const tool_cmdline *cl)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(str_slot));
    for (guint i = 0; i < cl->groups->len; i++) {
        const tool_group *g = g_ptr_array_index(cl->groups, i);
        for (size_t k = 0; k < g->n; k++) {
            const GOptionEntry *e = &g->entries[k];
            if (e->arg == G_OPTION_ARG_FILENAME || e->arg == G_OPTION_ARG_STRING ||
                e->arg == G_OPTION_ARG_FILENAME_ARRAY || e->arg == G_OPTION_ARG_STRING_ARRAY) {
                str_slot s = {e->arg_data, *(gpointer *)e->arg_data, e->arg};
                bool seen = false;
                for (guint j = 0; j < a->len; j++)
                    seen |= g_array_index(a, str_slot, j).slot == s.slot;
                if (!seen)
                    g_array_append_val(a, s);
            }
        }
    }
    return a;
}

static void free_strings(GArray *a)
{
    for (guint j = 0; a && j < a->len; j++) {
        str_slot *s = &g_array_index(a, str_slot, j);
        if (*s->slot == s->before)
            continue;
        if (s->arg == G_OPTION_ARG_FILENAME_ARRAY || s->arg == G_OPTION_ARG_STRING_ARRAY)
            g_strfreev(*s->slot);
        else
            g_free(*s->slot);
        *s->slot = s->before;
    }
    if (a)
        g_array_free(a, TRUE);
}

/* GLib removes what it parsed from the array it is given: a shallow copy, so the strings
 * stay with `opts`. */
static gboolean glib_parse(tool_cmdline *cl, GPtrArray *opts, GError **err)
{
    int n = (int)opts->len - 1;
    char **v = g_memdup2(opts->pdata, opts->len * sizeof(char *));
    char **keep = v;
    gboolean ok = g_option_context_parse(cl->ctx, &n, &v, err);
    g_free(keep);
    return ok;
}

/* ---- parsing ------------------------------------------------------------------------------ */

static char *usage_error_text(const tool_cmdline *cl)
{
    return g_strdup_printf("%s: %s\nTry '%s --help' for more information.\n", cl->name,
                           cl->msg->str, cl->name);
}

void tool_parse(const tool_command *c, int argc, char **argv, tool_parsed *out)
{
    memset(out, 0, sizeof *out);
    out->opts = g_malloc0(c->opts_size ? c->opts_size : 1);
    tool_cmdline *cl = out->cl = tool_cmdline_new(NULL, c);
    c->options(cl, out->opts);
    cl->strings = snapshot(cl);
    scan_result s;
    if (scan(cl, argc, argv, false, &s) != 0) {
        out->status = 2;
        out->error = usage_error_text(cl);
        scan_free(&s);
        return;
    }
    if (s.help) {
        out->status = 1;
        out->help = tool_help_text(cl, s.help[0] ? s.help : NULL);
        scan_free(&s);
        return;
    }
    GError *err = NULL;
    if (!glib_parse(cl, s.opts, &err)) {
        /* scan() lets through only what GLib takes: this is a value GLib refused */
        tool_usage(cl, "%s", err->message);
        g_error_free(err);
        out->status = 2;
        out->error = usage_error_text(cl);
        scan_free(&s);
        return;
    }
    out->argc = (int)s.pos->len;
    g_ptr_array_add(s.pos, NULL);
    out->argv = (char **)g_ptr_array_free(s.pos, FALSE);
    s.pos = g_ptr_array_new();
    scan_free(&s);
    int rc = 0;
    if (c->check)
        rc = c->check(cl, out->opts, out->argc, out->argv);
    else if (out->argc > 0)
        rc = tool_usage(cl, "unexpected argument '%s' (%s takes options only)", out->argv[0],
                        cl->name);
    if (rc != 0) {
        out->status = rc;
        out->error = usage_error_text(cl);
    }
}

void tool_parsed_free(const tool_command *c, tool_parsed *p)
{
    if (c->done && p->opts)
        c->done(p->opts);
    if (p->cl)
        free_strings(p->cl->strings);
    g_strfreev(p->argv);
    g_free(p->help);
    g_free(p->error);
    g_free(p->opts);
    tool_cmdline_free(p->cl);
    memset(p, 0, sizeof *p);
}

static int run_command(const tool_command *c, int argc, char **argv)
{
    g_current = c->name;
    tool_parsed p;
    tool_parse(c, argc, argv, &p);
    int rc;
    if (p.status == 1) {
        fputs(p.help, stdout);
        rc = fflush(stdout) == 0 ? 0 : 1;
    } else if (p.status != 0) {
        fputs(p.error, stderr);
        rc = p.status;
    } else {
        rc = c->run(p.opts, p.argc, p.argv);
    }
    tool_parsed_free(c, &p);
    return rc;
}

/* ---- the program ---------------------------------------------------------------------------- */

typedef struct {
    gboolean version;
    char *man_dir;
    char *completion;
    gboolean exit_md;
} prog_opts;

static void prog_options(tool_cmdline *cl, prog_opts *o)
{
    const GOptionEntry entries[] = {
        {"version", 'V', 0, G_OPTION_ARG_NONE, &o->version, "Print the version and exit", NULL},
        {"generate-man", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &o->man_dir,
         "Write the man pages into DIR (build step)", "DIR"},
        {"generate-completion", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &o->completion,
         "Print the completion script for SHELL (bash)", "SHELL"},
        {"generate-exit-status", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &o->exit_md,
         "Print the exit-status table of docs/cli.md", NULL},
        {NULL}};
    tool_options(cl, NULL, NULL, NULL, entries);
}

static const tool_command *find_command(const tool_program *p, const char *name)
{
    for (size_t i = 0; p->commands[i]; i++)
        if (strcmp(p->commands[i]->name, name) == 0)
            return p->commands[i];
    return NULL;
}

static int unknown_command(const tool_program *p, const char *name)
{
    GPtrArray *names = g_ptr_array_new();
    for (size_t i = 0; p->commands[i]; i++)
        g_ptr_array_add(names, (gpointer)p->commands[i]->name);
    g_ptr_array_add(names, "help");
    g_ptr_array_add(names, NULL);
    const char *near = tool_closest(name, (const char *const *)names->pdata);
    struct stat st;
    if (near)
        fprintf(stderr, "qftp: unknown command '%s'; did you mean '%s'?\n", name, near);
    else if (stat(name, &st) == 0 && S_ISREG(st.st_mode))
        fprintf(stderr, "qftp: unknown command '%s'; to decode that file: qftp show %s\n", name,
                name);
    else
        fprintf(stderr, "qftp: unknown command '%s'\n", name);
    fputs("Try 'qftp --help' for the list of commands.\n", stderr);
    g_ptr_array_free(names, TRUE);
    return 2;
}

int tool_main(const tool_program *p, int argc, char **argv)
{
    /* the streams a command may replace with safe ones, closed at the end (below) */
    FILE *orig_out = stdout, *orig_err = stderr;
    /* messages quote lines of the input: made safe for the terminal (tool_safe_stream) */
    FILE *safe_err = tool_safe_stream(2, TOOL_KEEP_PROGRESS, true);
    if (safe_err)
        stderr = safe_err;
    tool_cmdline *cl = tool_cmdline_new(p, NULL);
    prog_opts o = {0};
    prog_options(cl, &o);
    cl->strings = snapshot(cl);
    scan_result s;
    int rc = 0;
    if (scan(cl, argc, argv, true, &s) != 0) {
        fprintf(stderr, "qftp: %s\nTry 'qftp --help' for more information.\n", cl->msg->str);
        rc = 2;
        goto out;
    }
    if (s.help) {
        char *h = tool_help_text(cl, NULL);
        fputs(h, stdout);
        g_free(h);
        goto out;
    }
    GError *err = NULL;
    if (!glib_parse(cl, s.opts, &err)) {
        fprintf(stderr, "qftp: %s\n", err->message);
        g_error_free(err);
        rc = 2;
        goto out;
    }
    if (o.version) {
        printf("qftp %s\n", QFTP_VERSION);
        goto out;
    }
    if (o.man_dir || o.completion || o.exit_md) {
        if (o.man_dir) {
            GString *e = g_string_new(NULL);
            if (tool_gen_man(p, o.man_dir, e) != 0) {
                fprintf(stderr, "qftp: --generate-man: %s\n", e->str);
                rc = 1;
            }
            g_string_free(e, TRUE);
        }
        if (o.completion) {
            if (strcmp(o.completion, "bash") != 0) {
                fprintf(stderr, "qftp: --generate-completion %s: expected bash\n", o.completion);
                rc = 2;
            } else {
                tool_gen_bash(p, stdout);
            }
        }
        if (o.exit_md)
            tool_gen_exit_md(p, stdout);
        if (fflush(stdout) != 0 && rc == 0)
            rc = 1;
        goto out;
    }
    if (s.pos->len == 0) {
        fputs("qftp: no command given\nUsage: qftp COMMAND [OPTION...] [ARG...]\nCommands:",
              stderr);
        for (size_t i = 0; p->commands[i]; i++)
            fprintf(stderr, " %s,", p->commands[i]->name);
        fputs(" help\nTry 'qftp --help' for more information.\n", stderr);
        rc = 2;
        goto out;
    }
    const char *name = g_ptr_array_index(s.pos, 0);
    int cargc = (int)s.pos->len;
    char **cargv = (char **)s.pos->pdata;
    if (strcmp(name, "help") == 0) {
        if (cargc == 1) {
            char *h = tool_help_text(cl, NULL);
            fputs(h, stdout);
            g_free(h);
            goto out;
        }
        const tool_command *c = find_command(p, cargv[1]);
        if (!c) {
            rc = unknown_command(p, cargv[1]);
            goto out;
        }
        char *hargv[] = {cargv[1], "--help", NULL};
        rc = run_command(c, 2, hargv);
        goto out;
    }
    const tool_command *c = find_command(p, name);
    rc = c ? run_command(c, cargc, cargv) : unknown_command(p, name);
out:
    scan_free(&s);
    free_strings(cl->strings);
    tool_cmdline_free(cl);
    /* A safe stream is closed, not only flushed as exit() would: its close writes what it
     * still holds (a character the output ends inside, as \xHH) and frees it. */
    if (stdout != orig_out) {
        FILE *f = stdout;
        stdout = orig_out;
        fclose(f);
    }
    if (stderr != orig_err) {
        FILE *f = stderr;
        stderr = orig_err;
        fclose(f);
    }
    return rc;
}
