/* report.c - what `qftp replay` tells: the human report, JUnit XML, TAP 13, JSON and
 * LAVA test cases, all from the same results (replay.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "qftptool/json.h"
#include "replay.h"

#define DIFF_MAX_ITEMS 2000

const char *rp_status_name(rp_status s)
{
    static const char *const names[] = {"not run", "pass", "FAIL", "ERROR", "optional"};
    return names[s];
}

/* ---- diff ---------------------------------------------------------------------------- */

char *rp_diff(GPtrArray *e, GPtrArray *a)
{
    guint n = e->len, m = a->len;
    bool equal = n == m;
    for (guint i = 0; equal && i < n; i++)
        equal = strcmp(g_ptr_array_index(e, i), g_ptr_array_index(a, i)) == 0;
    if (equal)
        return NULL;
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "--- expected\n+++ actual\n@@ -1,%u +1,%u @@\n", n, m);
    if (n > DIFF_MAX_ITEMS || m > DIFF_MAX_ITEMS) {
        for (guint i = 0; i < n && i < 20; i++)
            g_string_append_printf(out, "-%s\n", (char *)g_ptr_array_index(e, i));
        for (guint i = 0; i < m && i < 20; i++)
            g_string_append_printf(out, "+%s\n", (char *)g_ptr_array_index(a, i));
        g_string_append(out, " (lists too long to align; first 20 lines of each)\n");
        return g_string_free(out, FALSE);
    }
    /* longest common subsequence, then walk it */
    guint *L = g_new0(guint, (gsize)(n + 1) * (m + 1));
#define AT(i, j) L[(gsize)(i) * (m + 1) + (j)]
    for (gint i = (gint)n - 1; i >= 0; i--)
        for (gint j = (gint)m - 1; j >= 0; j--)
            AT(i, j) = strcmp(g_ptr_array_index(e, i), g_ptr_array_index(a, j)) == 0
                           ? AT(i + 1, j + 1) + 1
                           : MAX(AT(i + 1, j), AT(i, j + 1));
    guint i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && strcmp(g_ptr_array_index(e, i), g_ptr_array_index(a, j)) == 0) {
            g_string_append_printf(out, " %s\n", (char *)g_ptr_array_index(e, i));
            i++, j++;
        } else if (i < n && (j >= m || AT(i + 1, j) >= AT(i, j + 1))) {
            g_string_append_printf(out, "-%s\n", (char *)g_ptr_array_index(e, i));
            i++;
        } else {
            g_string_append_printf(out, "+%s\n", (char *)g_ptr_array_index(a, j));
            j++;
        }
    }
#undef AT
    g_free(L);
    return g_string_free(out, FALSE);
}

char *rp_case_name(const rp_result *r)
{
    GString *s = g_string_new(NULL);
    if (r->number)
        g_string_append_printf(s, "%03u-", r->number);
    for (const char *p = r->command ? r->command : ""; *p && s->len < 80; p++)
        g_string_append_c(s, g_ascii_isalnum(*p) || strchr("+-_.=,", *p) ? *p : '_');
    return g_string_free(s, FALSE);
}

typedef struct {
    unsigned total, pass, fail, error, skipped;
} counts;

static void count_one(counts *c, rp_status s)
{
    c->total++;
    if (s == RP_ST_PASS)
        c->pass++;
    else if (s == RP_ST_FAIL)
        c->fail++;
    else if (s == RP_ST_ERROR)
        c->error++;
    else
        c->skipped++;
}

/* The steps of a capture plus the unsolicited comparison when it ran. */
static counts count(const rp_capture_result *cr)
{
    counts c = {0};
    for (size_t i = 0; i < cr->n_steps; i++)
        count_one(&c, cr->steps[i].status);
    if (cr->unsolicited.command)
        count_one(&c, cr->unsolicited.status);
    return c;
}

static bool device_case(const rp_capture_result *cr)
{
    if (!cr->transport_error)
        return false;
    for (size_t i = 0; i < cr->n_steps; i++)
        if (cr->steps[i].status == RP_ST_ERROR)
            return false;
    return true;
}

/* ---- human ----------------------------------------------------------------------------- */

static void human_step(FILE *f, const rp_result *s)
{
    if (s->number)
        fprintf(f, "  step %u %s: %s", s->number, rp_status_name(s->status),
                s->command ? s->command : "");
    else
        fprintf(f, "  %s %s", s->command ? s->command : "", rp_status_name(s->status));
    if (s->message)
        fprintf(f, "  - %s", s->message);
    fputc('\n', f);
    if (s->number && s->actual_ns >= 0)
        fprintf(f, "    time: recorded %.3f s, now %.3f s, timeout %.1f s\n",
                (double)s->recorded_ns / 1e9, (double)s->actual_ns / 1e9,
                (double)s->timeout_ns / 1e9);
    else if (s->number && s->elapsed_ns >= 0)
        fprintf(
            f,
            "    time: recorded %.3f s, now %.3f s without all of the outcome%s, timeout %.1f s\n",
            (double)s->recorded_ns / 1e9, (double)s->elapsed_ns / 1e9,
            s->timed_out ? " (timed out)" : "", (double)s->timeout_ns / 1e9);
    const char *blocks[2] = {s->diff, s->data_window};
    for (int b = 0; b < 2; b++) {
        if (!blocks[b])
            continue;
        char **lines = g_strsplit(blocks[b], "\n", -1);
        for (size_t i = 0; lines[i]; i++)
            if (lines[i][0])
                fprintf(f, "    %s\n", lines[i]);
        g_strfreev(lines);
    }
}

/* The real time of a step: to its outcome, else to the end of its wait. */
static double step_seconds(const rp_result *s)
{
    if (s->actual_ns > 0)
        return (double)s->actual_ns / 1e9;
    return s->elapsed_ns > 0 ? (double)s->elapsed_ns / 1e9 : 0.0;
}

void rp_report_human(FILE *f, const rp_capture_result *cr, size_t n, bool color)
{
    (void)color;
    counts all = {0};
    for (size_t c = 0; c < n; c++) {
        counts k = count(&cr[c]);
        fprintf(f, "%s: %u checks: %u passed, %u failed, %u errors, %u skipped (%.1f s)\n",
                cr[c].capture, k.total, k.pass, k.fail, k.error, k.skipped, cr[c].seconds);
        for (size_t i = 0; i < cr[c].n_steps; i++)
            if (cr[c].steps[i].status == RP_ST_FAIL || cr[c].steps[i].status == RP_ST_ERROR ||
                cr[c].steps[i].status == RP_ST_OPTIONAL)
                human_step(f, &cr[c].steps[i]);
        if (cr[c].unsolicited.status == RP_ST_FAIL)
            human_step(f, &cr[c].unsolicited);
        if (cr[c].transport_error) {
            size_t ran = 0;
            for (size_t i = 0; i < cr[c].n_steps; i++)
                ran += cr[c].steps[i].status != RP_ST_NOT_RUN;
            fprintf(f, "  device error: %s (%zu of %zu steps ran)\n", cr[c].transport_message, ran,
                    cr[c].n_steps);
        }
        if (cr[c].recording)
            fprintf(f, "  recording: %s\n", cr[c].recording);
        all.total += k.total, all.pass += k.pass, all.fail += k.fail, all.error += k.error,
            all.skipped += k.skipped;
    }
    if (n > 1)
        fprintf(f, "total: %zu captures, %u checks: %u passed, %u failed, %u errors, %u skipped\n",
                n, all.total, all.pass, all.fail, all.error, all.skipped);
}

/* ---- JUnit ----------------------------------------------------------------------------- */

/* Text as XML 1.0 character data: the five specials as entities; valid UTF-8 as it is; a
 * byte that is not, as the character of its Latin-1 value; control characters (which
 * XML 1.0 cannot carry at all) as '?'. */
static void xml_text(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p >= 0x80) {
            gunichar c = g_utf8_get_char_validated((const gchar *)p, -1);
            if (c != (gunichar)-1 && c != (gunichar)-2) {
                const char *next = g_utf8_next_char((const char *)p);
                fwrite(p, 1, (size_t)(next - (const char *)p), f);
                p = (const unsigned char *)next - 1;
            } else {
                fprintf(f, "&#x%X;", *p);
            }
            continue;
        }
        switch (*p) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            /* XML 1.0 allows no other control characters */
            fputc(*p < 0x20 && *p != '\n' && *p != '\t' ? '?' : *p == 0x7f ? '?' : *p, f);
        }
    }
}

static void junit_case(FILE *f, const char *classname, const rp_result *s)
{
    /* the step number (order, and two equal commands stay two cases), then the command
     * exactly as sent */
    fputs("    <testcase name=\"", f);
    if (s->number)
        fprintf(f, "%03u-", s->number);
    xml_text(f, s->command ? s->command : "");
    fputs("\" classname=\"", f);
    xml_text(f, classname);
    fprintf(f, "\" time=\"%.6f\"", step_seconds(s));
    if (s->status == RP_ST_PASS) {
        fputs("/>\n", f);
        return;
    }
    fputs(">\n", f);
    const char *tag = s->status == RP_ST_FAIL    ? "failure"
                      : s->status == RP_ST_ERROR ? "error"
                                                 : "skipped";
    const char *type =
        s->status == RP_ST_FAIL ? "mismatch"
        : s->status == RP_ST_ERROR
            ? (s->message && strncmp(s->message, "timeout", 7) == 0 ? "timeout" : "transport")
            : "skipped";
    fprintf(f, "      <%s message=\"", tag);
    xml_text(f, s->message                   ? s->message
                : s->status == RP_ST_NOT_RUN ? "not run"
                                             : "optional step differed");
    if (s->status == RP_ST_NOT_RUN || s->status == RP_ST_OPTIONAL) {
        fputs("\"/>\n", f);
    } else {
        fprintf(f, "\" type=\"%s\">", type);
        xml_text(f, s->diff);
        if (s->data_window) {
            fputc('\n', f);
            xml_text(f, s->data_window);
        }
        fprintf(f, "</%s>\n", tag);
    }
    fputs("    </testcase>\n", f);
}

int rp_report_junit(const char *path, const rp_capture_result *cr, size_t n, char *errbuf)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot write %s", path);
        return -1;
    }
    counts all = {0};
    double secs = 0;
    for (size_t c = 0; c < n; c++) {
        counts k = count(&cr[c]);
        if (device_case(&cr[c]))
            k.total++, k.error++;
        all.total += k.total, all.fail += k.fail, all.error += k.error, all.skipped += k.skipped;
        secs += cr[c].seconds;
    }
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    time_t now = time(NULL);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", gmtime(&now));
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f,
            "<testsuites name=\"qftp replay\" tests=\"%u\" failures=\"%u\" errors=\"%u\" "
            "skipped=\"%u\" time=\"%.3f\">\n",
            all.total, all.fail, all.error, all.skipped, secs);
    for (size_t c = 0; c < n; c++) {
        counts k = count(&cr[c]);
        bool dev = device_case(&cr[c]);
        if (dev)
            k.total++, k.error++;
        char *base = g_path_get_basename(cr[c].capture);
        fprintf(f, "  <testsuite name=\"");
        xml_text(f, cr[c].capture);
        fprintf(f,
                "\" id=\"%zu\" package=\"qftp.replay\" tests=\"%u\" failures=\"%u\" errors=\"%u\" "
                "skipped=\"%u\" time=\"%.3f\" timestamp=\"%s\" hostname=\"",
                c, k.total, k.fail, k.error, k.skipped, cr[c].seconds, stamp);
        xml_text(f, host);
        fputs("\">\n", f);
        for (size_t i = 0; i < cr[c].n_steps; i++)
            junit_case(f, base, &cr[c].steps[i]);
        if (cr[c].unsolicited.command)
            junit_case(f, base, &cr[c].unsolicited);
        if (dev) {
            fputs("    <testcase name=\"device\" classname=\"", f);
            xml_text(f, base);
            fputs("\" time=\"0\">\n      <error message=\"", f);
            xml_text(f, cr[c].transport_message);
            fputs("\" type=\"transport\"/>\n    </testcase>\n", f);
        }
        if (cr[c].transport_error) {
            fputs("    <system-err>", f);
            xml_text(f, cr[c].transport_message);
            fputs("</system-err>\n", f);
        }
        fputs("  </testsuite>\n", f);
        g_free(base);
    }
    fputs("</testsuites>\n", f);
    if (fclose(f) != 0) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot write %s", path);
        return -1;
    }
    return 0;
}

/* ---- TAP 13 ------------------------------------------------------------------------------ */

static void yaml_block(FILE *f, const char *key, const char *text)
{
    fprintf(f, "  %s: |\n", key);
    char **lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i]; i++)
        if (lines[i][0])
            fprintf(f, "    %s\n", lines[i]);
    g_strfreev(lines);
}

void rp_report_tap(FILE *f, const rp_capture_result *cr, size_t n)
{
    unsigned total = 0;
    for (size_t c = 0; c < n; c++)
        total += count(&cr[c]).total + (device_case(&cr[c]) ? 1 : 0);
    fprintf(f, "TAP version 13\n1..%u\n", total);
    unsigned k = 0;
    for (size_t c = 0; c < n; c++) {
        char *base = g_path_get_basename(cr[c].capture);
        for (size_t i = 0; i <= cr[c].n_steps; i++) {
            const rp_result *s = i < cr[c].n_steps ? &cr[c].steps[i] : &cr[c].unsolicited;
            if (!s->command)
                continue;
            char *name = rp_case_name(s);
            bool ok = s->status == RP_ST_PASS || s->status == RP_ST_NOT_RUN ||
                      s->status == RP_ST_OPTIONAL;
            fprintf(f, "%s %u - %s %s", ok ? "ok" : "not ok", ++k, base, name);
            if (s->status == RP_ST_NOT_RUN)
                fputs(" # SKIP not run", f);
            else if (s->status == RP_ST_OPTIONAL)
                fputs(" # SKIP optional step differed", f);
            fputc('\n', f);
            if (!ok) {
                fputs("  ---\n", f);
                fprintf(f, "  severity: %s\n", s->status == RP_ST_FAIL ? "fail" : "error");
                fputs("  message: '", f);
                for (const char *p = s->message ? s->message : ""; *p; p++)
                    fputs(*p == '\'' ? "''" : (char[]){*p, 0}, f);
                fputs("'\n", f);
                if (s->diff)
                    yaml_block(f, "diff", s->diff);
                if (s->data_window)
                    yaml_block(f, "data", s->data_window);
                fputs("  ...\n", f);
            }
            g_free(name);
        }
        if (device_case(&cr[c])) {
            fprintf(f, "not ok %u - %s device\n  ---\n  severity: error\n  message: '", ++k, base);
            for (const char *p = cr[c].transport_message; *p; p++)
                fputs(*p == '\'' ? "''" : (char[]){*p, 0}, f);
            fputs("'\n  ...\n", f);
        }
        g_free(base);
    }
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void json_secs(json_w *w, const char *key, int64_t ns)
{
    json_key(w, key);
    if (ns < 0)
        json_null(w);
    else
        json_num(w, (double)ns / 1e9, 6);
}

static void json_list(json_w *w, const char *key, GPtrArray *a)
{
    json_key(w, key);
    json_begin_arr(w);
    for (guint i = 0; a && i < a->len; i++)
        json_str(w, g_ptr_array_index(a, i));
    json_end_arr(w);
}

static void json_result(json_w *w, const rp_result *s)
{
    json_begin_obj(w);
    json_key(w, "step");
    json_int(w, s->number);
    json_key(w, "command");
    json_str(w, s->command);
    json_key(w, "status");
    json_str(w, s->status == RP_ST_PASS       ? "pass"
                : s->status == RP_ST_FAIL     ? "fail"
                : s->status == RP_ST_ERROR    ? "error"
                : s->status == RP_ST_OPTIONAL ? "optional"
                                              : "not_run");
    json_key(w, "message");
    json_str(w, s->message);
    json_secs(w, "recorded_s", s->number ? s->recorded_ns : -1);
    json_secs(w, "actual_s", s->actual_ns);
    json_secs(w, "elapsed_s", s->number ? s->elapsed_ns : -1);
    json_key(w, "timed_out");
    json_bool(w, s->timed_out);
    json_secs(w, "timeout_s", s->number ? s->timeout_ns : -1);
    json_key(w, "overhead_ns");
    if (s->overhead_ns < 0)
        json_null(w);
    else
        json_int(w, s->overhead_ns);
    json_list(w, "expected", s->expected);
    json_list(w, "actual", s->actual);
    json_key(w, "diff");
    json_str(w, s->diff);
    json_key(w, "data_window");
    json_str(w, s->data_window);
    GArray *notes[2] = {s->urc_missing, s->urc_extra};
    static const char *const keys[2] = {"missing", "extra"};
    for (int k = 0; k < 2 && !s->number; k++) {
        json_key(w, keys[k]);
        json_begin_arr(w);
        for (guint i = 0; notes[k] && i < notes[k]->len; i++) {
            const rp_urc_note *n = &g_array_index(notes[k], rp_urc_note, i);
            json_begin_obj(w);
            json_key(w, "line");
            json_str(w, n->line);
            json_key(w, "t_s");
            json_num(w, n->t, 6);
            json_key(w, "step");
            json_int(w, n->step);
            json_key(w, "command");
            json_str(w, n->command);
            json_end_obj(w);
        }
        json_end_arr(w);
    }
    json_end_obj(w);
}

int rp_report_json(const char *path, const rp_capture_result *cr, size_t n, char *errbuf)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot write %s", path);
        return -1;
    }
    json_w w;
    json_init(&w, f, true);
    json_begin_obj(&w);
    json_key(&w, "captures");
    json_begin_arr(&w);
    counts all = {0};
    for (size_t c = 0; c < n; c++) {
        counts k = count(&cr[c]);
        all.total += k.total, all.pass += k.pass, all.fail += k.fail, all.error += k.error,
            all.skipped += k.skipped;
        json_begin_obj(&w);
        json_key(&w, "capture");
        json_str(&w, cr[c].capture);
        json_key(&w, "device");
        json_str(&w, cr[c].device);
        json_key(&w, "result");
        json_str(&w, cr[c].transport_error ? "error" : (k.fail || k.error) ? "fail" : "pass");
        json_key(&w, "seconds");
        json_num(&w, cr[c].seconds, 3);
        json_key(&w, "transport_error");
        json_str(&w, cr[c].transport_error ? cr[c].transport_message : NULL);
        json_key(&w, "recording");
        json_str(&w, cr[c].recording);
        json_key(&w, "steps");
        json_begin_arr(&w);
        for (size_t i = 0; i < cr[c].n_steps; i++)
            json_result(&w, &cr[c].steps[i]);
        json_end_arr(&w);
        json_key(&w, "unsolicited");
        if (cr[c].unsolicited.command)
            json_result(&w, &cr[c].unsolicited);
        else
            json_null(&w);
        json_end_obj(&w);
    }
    json_end_arr(&w);
    json_key(&w, "summary");
    json_begin_obj(&w);
    json_key(&w, "checks");
    json_int(&w, all.total);
    json_key(&w, "passed");
    json_int(&w, all.pass);
    json_key(&w, "failed");
    json_int(&w, all.fail);
    json_key(&w, "errors");
    json_int(&w, all.error);
    json_key(&w, "skipped");
    json_int(&w, all.skipped);
    json_end_obj(&w);
    json_end_obj(&w);
    json_end(&w);
    if (f != stdout && fclose(f) != 0) {
        snprintf(errbuf, QFTP_ERRBUF_SIZE, "cannot write %s", path);
        return -1;
    }
    return 0;
}

/* ---- LAVA ------------------------------------------------------------------------------- */

/* One LAVA result: printed, or through the lava-test-case helper of a LAVA test shell. */
static void lava_case(FILE *f, bool call, const char *name, const char *result)
{
    if (!call) {
        fprintf(f, "lava-test-case %s --result %s\n", name, result);
        return;
    }
    char *argv[] = {"lava-test-case", (char *)name, "--result", (char *)result, NULL};
    GError *e = NULL;
    if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, &e)) {
        fprintf(stderr, "qftp replay: lava-test-case: %s\n", e->message);
        g_error_free(e);
    }
}

void rp_report_lava(FILE *f, const rp_capture_result *cr, size_t n, bool call)
{
    for (size_t c = 0; c < n; c++) {
        char *base = g_path_get_basename(cr[c].capture);
        for (size_t i = 0; i <= cr[c].n_steps; i++) {
            const rp_result *s = i < cr[c].n_steps ? &cr[c].steps[i] : &cr[c].unsolicited;
            if (!s->command)
                continue;
            char *name = rp_case_name(s);
            char *full = g_strdup_printf("%s-%s", base, name);
            /* a real dispatcher reads TEST_CASE_ID=<name> and drops a name holding '='
             * ("Ignoring malformed parameter for signal", lava-run 2023.01) */
            g_strdelimit(full, "=", '_');
            lava_case(f, call, full,
                      s->status == RP_ST_PASS                                     ? "pass"
                      : s->status == RP_ST_NOT_RUN || s->status == RP_ST_OPTIONAL ? "skip"
                                                                                  : "fail");
            g_free(full);
            g_free(name);
        }
        if (device_case(&cr[c])) {
            char *full = g_strdup_printf("%s-device", base);
            lava_case(f, call, full, "fail");
            g_free(full);
        }
        g_free(base);
    }
}
