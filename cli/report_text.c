/* report_text.c - `qftp report` as text (the terminal's default) and as Markdown (to paste
 * into a ticket: the verdict, the failures and a table, no whole transcript). */
#include <string.h>

#include "report.h"

/* ---- colour (text on a terminal) ----------------------------------------------------------- */

static const char *col(const report *r, const char *code)
{
    return r->colour ? code : "";
}
#define C_RESET col(r, "\033[0m")
#define C_BOLD col(r, "\033[1m")
#define C_DIM col(r, "\033[2m")
#define C_RED col(r, "\033[31m")
#define C_GREEN col(r, "\033[32m")
#define C_YELLOW col(r, "\033[33m")
#define C_CYAN col(r, "\033[36m")
#define C_REV col(r, "\033[7m")

static const char *cls_colour(const report *r, rl_cls c)
{
    switch (c) {
    case RL_CMD:
        return C_CYAN;
    case RL_OK:
        return C_GREEN;
    case RL_ERR:
    case RL_VERDICT:
    case RL_CTX_BAD:
        return C_RED;
    case RL_WARN:
    case RL_GAP:
        return C_YELLOW;
    case RL_INFO:
    case RL_NOTE:
    case RL_CTX:
    case RL_UNSOL:
    case RL_PAYLOAD:
        return C_DIM;
    default:
        return "";
    }
}

/* One block: "TIME  TEXT  ASIDE" per line. In Markdown the block goes in a code fence
 * written by the caller, without colour. */
void rep_write_block_text(report *r, FILE *f, const rep_block *b, bool md)
{
    bool colour = r->colour && !md;
    for (guint i = 0; i < b->lines->len; i++) {
        const rep_line *l = g_ptr_array_index(b->lines, i);
        char t[48];
        rep_time(r, l->ts, t, sizeof t);
        if (l->cls == RL_GAP) {
            fprintf(f, "%s%s%s\n", colour ? cls_colour(r, l->cls) : "", l->text,
                    colour ? C_RESET : "");
            continue;
        }
        fprintf(f, "%-13s %s%s%s", t, colour ? cls_colour(r, l->cls) : "", l->text,
                colour ? C_RESET : "");
        if (l->aside)
            fprintf(f, "  %s(%s)%s", colour ? C_DIM : "", l->aside, colour ? C_RESET : "");
        fputc('\n', f);
    }
}

static void copy_transcript(report *r)
{
    if (!r->transcript)
        return;
    fflush(r->transcript);
    rewind(r->transcript);
    char buf[65536];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, r->transcript)) > 0)
        fwrite(buf, 1, k, r->out);
}

/* ---- sections -------------------------------------------------------------------------------- */

static void header(report *r, bool md)
{
    FILE *f = r->out;
    char meta[512];
    rep_meta(r, meta, sizeof meta);
    if (md)
        fprintf(f, "## qftp report: `%s`\n\n*%s", r->path, meta);
    else
        fprintf(f, "%sqftp report: %s%s\n  %s", C_BOLD, r->path, C_RESET, meta);
    if (md)
        fprintf(f, "*\n");
    else
        fputc('\n', f);
    if (r->read_error[0] && md)
        fprintf(f, "\n**The input is damaged**: %s; reported up to there.\n", r->read_error);
    else if (r->read_error[0])
        fprintf(f, "  %sthe input is damaged: %s; reported up to there%s\n", C_RED, r->read_error,
                C_RESET);
}

/* The verdict: each failure that matters (not a follow-up), the ones not recovered first. */
static void verdict(report *r, bool md)
{
    FILE *f = r->out;
    char title[256], buf[1024];
    rep_verdict_title(r, title, sizeof title);
    qftp_verdict_counts c;
    qftp_verdict_counts_get(r->v, &c);
    if (md)
        fprintf(f, "\n### Verdict: %s\n\n", title);
    else
        fprintf(f, "\n%s%sVERDICT: %s%s\n", C_BOLD, c.failed ? C_RED : C_GREEN, title, C_RESET);
    const qftp_failure *list[REP_VERDICT_MAX];
    size_t more, n = rep_verdict_order(r, list, REP_VERDICT_MAX, &more);
    for (size_t i = 0; i < n; i++) {
        const qftp_failure *fl = list[i];
        qftp_failure_headline(r->v, fl, buf, sizeof buf);
        if (md)
            fprintf(f, "%zu. **%s**\n", i + 1, buf);
        else
            fprintf(f, "  %s%zu. %s%s\n", fl->recovered_by ? "" : C_BOLD, i + 1, buf, C_RESET);
        for (size_t k = 0; k < fl->v.n_links; k++) {
            qftp_link_sentence(r->v, &fl->v, &fl->v.links[k], buf, sizeof buf);
            fprintf(f, md ? "   - %s\n" : "     - %s\n", buf);
        }
        if (fl->recovered_by && md)
            fprintf(f, "   - Recovered: #%u did the same with success.\n", fl->recovered_by);
        else if (fl->recovered_by)
            fprintf(f, "     %s- Recovered: #%u did the same with success.%s\n", C_GREEN,
                    fl->recovered_by, C_RESET);
    }
    if (more) {
        rep_codes_words(r, 5, buf, sizeof buf);
        fprintf(f,
                md ? "\n... and %zu more failures, each under Failures in context. By code: %s.\n"
                   : "  ... and %zu more failures, each under FAILURES IN CONTEXT. By code: %s.\n",
                more, buf);
    }
    if (c.dropped)
        fprintf(f,
                md ? "\n%zu more failures are counted but not described.\n"
                   : "  %zu more failures are counted but not described.\n",
                c.dropped);
    if (c.unfinished)
        fprintf(f,
                md ? "\n%zu command%s without an outcome: the log ends (or holds no answer) "
                     "first.\n"
                   : "  %zu command%s without an outcome: the log ends (or holds no answer) "
                     "first.\n",
                c.unfinished, c.unfinished == 1 ? "" : "s");
    if (c.gaps_over_rsptimeout)
        fprintf(f,
                md ? "\n%zu silence%s longer than rsptimeout.\n"
                   : "  %zu silence%s longer than rsptimeout.\n",
                c.gaps_over_rsptimeout, c.gaps_over_rsptimeout == 1 ? "" : "s");
}

/* Each failure with the blocks it refers to and its own. */
static void failures(report *r, bool md)
{
    FILE *f = r->out;
    size_t n = qftp_verdict_failure_count(r->v);
    if (n == 0)
        return;
    fprintf(f, md ? "\n### Failures in context\n" : "\n%sFAILURES IN CONTEXT%s\n", md ? "" : C_BOLD,
            md ? "" : C_RESET);
    char buf[1024];
    for (size_t i = 0; i < n; i++) {
        const qftp_failure *fl = qftp_verdict_failure(r->v, i);
        qftp_failure_headline(r->v, fl, buf, sizeof buf);
        if (md)
            fprintf(f, "\n#### #%u %s\n\n%s\n\n```text\n", fl->v.index, fl->v.operation, buf);
        else
            fprintf(f, "\n%s== #%u %s ==%s\n%s\n", C_BOLD, fl->v.index, fl->v.operation, C_RESET,
                    buf);
        const rep_block *blocks[QFTP_LINKS_MAX + 1];
        size_t nb = rep_failure_blocks(r, fl, blocks, G_N_ELEMENTS(blocks));
        for (size_t k = 0; k < nb; k++)
            rep_write_block_text(r, f, blocks[k], md);
        if (md)
            fprintf(f, "```\n");
    }
}

static void statistics(report *r, bool md)
{
    FILE *f = r->out;
    bool times = qftp_verdict_times_real(r->v);
    if (md)
        fprintf(f, "\n### Commands\n\n| command | ok | failed | no outcome | p50 | p90 | p99 | max "
                   "|\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    else
        fprintf(f, "\n%sSTATISTICS%s%s\n  %-14s %6s %6s %10s %9s %9s %9s %9s\n", C_BOLD, C_RESET,
                times ? " (response time: from the command to its outcome)" : "", "command", "ok",
                "failed", "no outcome", "p50", "p90", "p99", "max");
    for (guint i = 0; i < r->cmd_order->len; i++) {
        rep_cmd *c = g_ptr_array_index(r->cmd_order, i);
        char p50[16], p90[16], p99[16], mx[16];
        rep_secs(rep_percentile(c, 50), "-", p50, sizeof p50);
        rep_secs(rep_percentile(c, 90), "-", p90, sizeof p90);
        rep_secs(rep_percentile(c, 99), "-", p99, sizeof p99);
        rep_secs(rep_percentile(c, 100), "-", mx, sizeof mx);
        if (md)
            fprintf(f, "| %s%s%s | %zu | %zu | %zu | %s | %s | %s | %s |\n", c->others ? "" : "`AT",
                    c->command, c->others ? "" : "`", c->ok, c->failed, c->unfinished, p50, p90,
                    p99, mx);
        else
            fprintf(f, "  %-14s %6zu %s%6zu%s %10zu %9s %9s %9s %9s\n", c->command, c->ok,
                    c->failed ? C_RED : "", c->failed, c->failed ? C_RESET : "", c->unfinished, p50,
                    p90, p99, mx);
    }
    if (r->cmd_order->len &&
        ((const rep_cmd *)g_ptr_array_index(r->cmd_order, r->cmd_order->len - 1))->others)
        fprintf(f,
                md ? "\n(others): the commands after the first %d named, together\n"
                   : "  (others): the commands after the first %d named, together\n",
                REP_CMDS_MAX - 1);
    fprintf(f,
            md ? "\n**Bytes**: %llu host -> module (%llu of them upload data), %llu module -> "
                 "host (%llu of them download data)\n"
               : "  bytes: %llu host -> module (%llu of them upload data), %llu module -> host "
                 "(%llu of them download data)\n",
            (unsigned long long)r->bytes[0], (unsigned long long)r->payload[0],
            (unsigned long long)r->bytes[1], (unsigned long long)r->payload[1]);
    GArray *codes = rep_codes(r);
    if (codes->len)
        fprintf(f, md ? "\n**Failures by code**:\n\n" : "  failures by code:\n");
    for (guint i = 0; i < codes->len && i < REP_CODES_LISTED; i++) {
        const rep_code *k = &g_array_index(codes, rep_code, i);
        fprintf(f, md ? "- %zu x %s\n" : "    %3zu x %s\n", k->n, k->key);
    }
    char rest[160];
    if (rep_codes_rest(r, codes, REP_CODES_LISTED, rest, sizeof rest)[0])
        fprintf(f, md ? "- and %s\n" : "    and %s\n", rest);
    g_array_free(codes, TRUE);
    qftp_verdict_counts c;
    qftp_verdict_counts_get(r->v, &c);
    if (c.gaps) {
        fprintf(f,
                md ? "\n**Silences** over the threshold: %zu (%zu over rsptimeout)\n"
                   : "  silences over the threshold: %zu (%zu over rsptimeout)\n",
                c.gaps, c.gaps_over_rsptimeout);
        char a[48], b[48], d[32];
        for (size_t i = 0; i < qftp_verdict_gap_count(r->v); i++) {
            const qftp_gap *g = qftp_verdict_gap(r->v, i);
            qftp_verdict_time(r->v, g->from, a, sizeof a);
            qftp_verdict_time(r->v, g->to, b, sizeof b);
            fprintf(f, md ? "- %s from %s to %s%s\n" : "    %s from %s to %s%s\n",
                    qftp_duration_words(g->to - g->from, d, sizeof d), a, b,
                    g->over_rsptimeout ? " (over rsptimeout)" : "");
        }
    }
}

void report_write_text(report *r, bool md)
{
    header(r, md);
    verdict(r, md);
    failures(r, md);
    statistics(r, md);
    if (!md) {
        fprintf(r->out, "\n%sTRANSCRIPT%s\n", C_BOLD, C_RESET);
        fflush(r->out);
        copy_transcript(r);
    } else {
        fprintf(r->out, "\n*Made by qftp report; `qftp report -o report.html` gives the whole "
                        "transcript and a timeline.*\n");
    }
}
