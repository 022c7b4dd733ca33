/* report_html.c - `qftp report` as one HTML page: the verdict, the failures with their
 * context, a timeline as inline SVG, statistics and the transcript folded in <details>.
 * Everything is in the page (styles inline, no script, no font, no image fetched): it works
 * as a file attached to a ticket and opened offline. */
#include <string.h>

#include "report.h"

/* ---- escaping ----------------------------------------------------------------------------------
 */

/* Text for element content and attribute values. Bytes that are not UTF-8 and characters
 * XML does not allow (control characters, U+FFFE, U+FFFF) become U+FFFD: the SVG must be
 * well-formed XML, and the page must show what a log holds whatever its bytes. */
static void esc(FILE *f, const char *s)
{
    if (!s)
        return;
    for (const char *p = s; *p;) {
        gunichar c = g_utf8_get_char_validated(p, -1);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            fputs("\xEF\xBF\xBD", f);
            p++;
            continue;
        }
        const char *next = g_utf8_next_char(p);
        if (c == '&')
            fputs("&amp;", f);
        else if (c == '<')
            fputs("&lt;", f);
        else if (c == '>')
            fputs("&gt;", f);
        else if (c == '"')
            fputs("&quot;", f);
        else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0xFFFE || c == 0xFFFF)
            fputs("\xEF\xBF\xBD", f);
        else
            fwrite(p, 1, (size_t)(next - p), f);
        p = next;
    }
}

/* ---- blocks -----------------------------------------------------------------------------------
 */

static const char *cls_name(rl_cls c)
{
    static const char *const names[] = {"cmd",     "ok",    "err",  "info",    "data",
                                        "payload", "note",  "warn", "verdict", "ctx",
                                        "ctxbad",  "unsol", "gap"};
    return (unsigned)c < G_N_ELEMENTS(names) ? names[c] : "x";
}

static void block_html(report *r, FILE *f, const rep_block *b, bool with_id)
{
    if (b->index && with_id)
        fprintf(f, "<div class=\"blk k-%s\" id=\"t%u\">\n", qftp_fail_kind_name(b->kind), b->index);
    else
        fprintf(f, "<div class=\"blk k-%s\">\n", b->index ? qftp_fail_kind_name(b->kind) : "line");
    for (guint i = 0; i < b->lines->len; i++) {
        const rep_line *l = g_ptr_array_index(b->lines, i);
        char t[48];
        rep_time(r, l->ts, t, sizeof t);
        fprintf(f, "<div class=\"l c-%s\"><span class=\"t\">", cls_name(l->cls));
        esc(f, t);
        fputs("</span><span class=\"x\">", f);
        esc(f, l->text);
        fputs("</span>", f);
        if (l->aside) {
            fputs("<span class=\"a\">", f);
            esc(f, l->aside);
            fputs("</span>", f);
        }
        fputs("</div>\n", f);
    }
    fputs("</div>\n", f);
}

void rep_write_block_html(report *r, FILE *f, const rep_block *b)
{
    block_html(r, f, b, true);
}

/* ---- the page's parts ---------------------------------------------------------------------------
 */

static const char style[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;"
    "max-width:1200px;padding:0 1.2em 3em;color:#1d2329;background:#fff}"
    "h1{font-size:1.45em;margin:1em 0 .2em}h2{font-size:1.2em;margin:1.6em 0 .5em;"
    "border-bottom:1px solid #d6dbe0;padding-bottom:.2em}h3{font-size:1.02em;margin:1.2em 0 .3em}"
    "code,.tr{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace}"
    ".meta{color:#56606b;margin:.2em 0}"
    ".verdict{border-radius:6px;padding:.6em 1em;margin:1em 0}"
    ".verdict.bad{background:#fdecec;border:1px solid #e7a3a3}"
    ".verdict.good{background:#e9f6ec;border:1px solid #9fd0aa}"
    ".verdict h2{border:0;margin:.2em 0 .4em;font-size:1.25em}"
    ".verdict ol{margin:.2em 0;padding-left:1.5em}.verdict li{margin:.35em 0}"
    ".verdict li.recovered{color:#56606b}.head{font-weight:600}.head a{color:inherit;"
    "text-decoration:none}.head a:hover{text-decoration:underline}"
    ".chain{margin:.2em 0 .2em;padding-left:1.2em;font-weight:400}"
    ".chain li{margin:.1em 0}.chain .during{color:#8a1c1c}.chain .after{color:#56606b}"
    ".failure{border-left:4px solid #d23b3b;padding:.1em 0 .1em .9em;margin:1.2em 0}"
    ".failure.recovered{border-left-color:#e0a21e}"
    ".tr{font-size:12.5px;background:#f7f8fa;border:1px solid #e3e6ea;border-radius:4px;"
    "padding:.4em .6em;overflow-x:auto}"
    ".blk{margin:.15em 0 .45em}.l{white-space:pre-wrap;word-break:break-all}"
    ".l .t{display:inline-block;min-width:9.5em;color:#7a838c}"
    ".l .a{color:#6b747d;margin-left:1.2em}.l .a::before{content:'\\2014  '}"
    ".c-cmd .x{color:#0b5cab;font-weight:600}.c-ok .x{color:#1e7b34}.c-err .x{color:#c02626;"
    "font-weight:600}.c-info .x,.c-note .x{color:#56606b}.c-payload .x{color:#3d4650;"
    "background:#eef1f4}.c-data .x{color:#6a4fb3}.c-warn .x{color:#a15c00}"
    ".c-verdict .x{color:#c02626;font-weight:600}.c-ctx .x{color:#3b6b8f}"
    ".c-ctxbad .x{color:#b45309;font-weight:600}.c-unsol .x{color:#56606b}"
    ".c-gap{background:repeating-linear-gradient(45deg,#fff6db,#fff6db 6px,#fdecc0 6px,"
    "#fdecc0 12px);color:#7a5200;font-weight:600;padding:.1em .3em}"
    ".k-failed,.k-refused,.k-incomplete,.k-no-outcome{background:#fff5f5}"
    "table{border-collapse:collapse;margin:.5em 0}th,td{padding:.25em .7em;"
    "border-bottom:1px solid #e3e6ea;text-align:right}th:first-child,td:first-child{"
    "text-align:left}th{background:#f1f3f5}td.bad{color:#c02626;font-weight:600}"
    "details>summary{cursor:pointer;font-weight:600;margin:.4em 0}"
    ".tl{width:100%;height:auto;border:1px solid #e3e6ea;border-radius:4px;background:#fff}"
    ".legend span{display:inline-block;margin-right:1.2em}.sw{display:inline-block;width:.9em;"
    "height:.9em;vertical-align:-.1em;margin-right:.3em;border-radius:2px}"
    "footer{margin-top:3em;color:#7a838c;font-size:.85em}";

static void page_head(report *r)
{
    FILE *f = r->out;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"qftp report\">\n<title>qftp report: ",
          f);
    esc(f, r->path);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>qftp report: <code>",
            style);
    esc(f, r->path);
    fputs("</code></h1>\n<p class=\"meta\">", f);
    char meta[512];
    rep_meta(r, meta, sizeof meta);
    esc(f, meta);
    fputs("</p>\n", f);
    if (r->read_error[0]) {
        fputs("<p class=\"meta\"><strong>The input is damaged:</strong> ", f);
        esc(f, r->read_error);
        fputs("; reported up to there.</p>\n", f);
    }
    fputs("</header>\n", f);
}

static void chain_html(report *r, const qftp_failure *fl)
{
    FILE *f = r->out;
    char buf[1024];
    if (!fl->v.n_links && !fl->recovered_by)
        return;
    fputs("<ul class=\"chain\">\n", f);
    for (size_t k = 0; k < fl->v.n_links; k++) {
        const qftp_link *l = &fl->v.links[k];
        qftp_link_sentence(r->v, &fl->v, l, buf, sizeof buf);
        fprintf(f, "<li class=\"%s\">", qftp_link_when_name(l->when));
        esc(f, buf);
        if (l->ref && l->ref != fl->v.index)
            fprintf(f, " <a href=\"#t%u\">#%u</a>", l->ref, l->ref);
        fputs("</li>\n", f);
    }
    if (fl->recovered_by)
        fprintf(f,
                "<li class=\"after\">Recovered: <a href=\"#t%u\">#%u</a> did the same with "
                "success.</li>\n",
                fl->recovered_by, fl->recovered_by);
    fputs("</ul>\n", f);
}

static void verdict_html(report *r)
{
    FILE *f = r->out;
    qftp_verdict_counts c;
    qftp_verdict_counts_get(r->v, &c);
    char title[256], buf[1024];
    rep_verdict_title(r, title, sizeof title);
    fprintf(f, "<section id=\"verdict\" class=\"verdict %s\">\n<h2>Verdict: ",
            c.failed ? "bad" : "good");
    esc(f, title);
    fputs("</h2>\n", f);
    const qftp_failure *list[REP_VERDICT_MAX];
    size_t more, n = rep_verdict_order(r, list, REP_VERDICT_MAX, &more);
    if (n)
        fputs("<ol>\n", f);
    for (size_t i = 0; i < n; i++) {
        const qftp_failure *fl = list[i];
        qftp_failure_headline(r->v, fl, buf, sizeof buf);
        fprintf(f, "<li class=\"%s\"><p class=\"head\"><a href=\"#f%u\">",
                fl->recovered_by ? "recovered" : "open", fl->v.index);
        esc(f, buf);
        fputs("</a></p>\n", f);
        chain_html(r, fl);
        fputs("</li>\n", f);
    }
    if (n)
        fputs("</ol>\n", f);
    if (more) {
        rep_codes_words(r, 5, buf, sizeof buf);
        fprintf(f,
                "<p>... and %zu more failures, each under <a href=\"#failures\">Failures in "
                "context</a>. By code: ",
                more);
        esc(f, buf);
        fputs(".</p>\n", f);
    }
    if (c.dropped)
        fprintf(f, "<p>%zu more failures are counted but not described.</p>\n", c.dropped);
    if (c.unfinished)
        fprintf(f,
                "<p>%zu command%s without an outcome: the log ends (or holds no answer) "
                "first.</p>\n",
                c.unfinished, c.unfinished == 1 ? "" : "s");
    if (c.gaps_over_rsptimeout)
        fprintf(f, "<p>%zu silence%s longer than rsptimeout.</p>\n", c.gaps_over_rsptimeout,
                c.gaps_over_rsptimeout == 1 ? "" : "s");
    fputs("</section>\n", f);
}

static void failures_html(report *r)
{
    FILE *f = r->out;
    size_t n = qftp_verdict_failure_count(r->v);
    if (n == 0)
        return;
    fputs("<section id=\"failures\">\n<h2>Failures in context</h2>\n", f);
    char buf[1024];
    for (size_t i = 0; i < n; i++) {
        const qftp_failure *fl = qftp_verdict_failure(r->v, i);
        fprintf(f, "<article class=\"failure%s\" id=\"f%u\">\n<h3>#%u ",
                fl->recovered_by ? " recovered" : "", fl->v.index, fl->v.index);
        esc(f, fl->v.operation);
        fputs("</h3>\n<p>", f);
        esc(f, qftp_failure_headline(r->v, fl, buf, sizeof buf));
        fputs("</p>\n", f);
        chain_html(r, fl);
        fputs("<div class=\"tr\">\n", f);
        const rep_block *blocks[QFTP_LINKS_MAX + 1];
        size_t nb = rep_failure_blocks(r, fl, blocks, G_N_ELEMENTS(blocks));
        for (size_t k = 0; k < nb; k++)
            block_html(r, f, blocks[k], false);
        fputs("</div>\n</article>\n", f);
    }
    fputs("</section>\n", f);
}

/* ---- the timeline (SVG)
 * --------------------------------------------------------------------------- */

#define SVG_W 1000.0
#define SVG_LEFT 112.0
#define SVG_RIGHT 16.0
#define SVG_TOP 30.0
#define LANE_H 24.0
#define GAP_W 26.0
#define GAPS_MAX 60

typedef struct {
    qftp_ts from, to; /* a silence drawn narrow */
} tl_gap;

typedef struct {
    qftp_ts t0, t1;
    double k; /* px per ns in the active parts */
    tl_gap gaps[GAPS_MAX];
    size_t n_gaps;
} tl_scale;

static double tx(const tl_scale *s, qftp_ts t)
{
    double x = SVG_LEFT;
    qftp_ts at = s->t0;
    for (size_t i = 0; i < s->n_gaps; i++) {
        const tl_gap *g = &s->gaps[i];
        if (t <= g->from)
            return x + (double)(t - at) * s->k;
        x += (double)(g->from - at) * s->k;
        if (t < g->to)
            return x + GAP_W * (double)(t - g->from) / (double)(g->to - g->from);
        x += GAP_W;
        at = g->to;
    }
    return x + (double)(t - at) * s->k;
}

static void svg_text(FILE *f, double x, double y, const char *anchor, const char *cls,
                     const char *text)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", x, y, anchor, cls);
    esc(f, text);
    fputs("</text>\n", f);
}

static const char *kind_fill(qftp_fail_kind k)
{
    switch (k) {
    case QFTP_FAIL_NONE:
        return "#3a9a4a";
    case QFTP_FAIL_INCOMPLETE:
        return "#e08a1e";
    case QFTP_FAIL_UNFINISHED:
        return "#a2a9b0";
    default:
        return "#d23b3b";
    }
}

static const char *level_stroke(qftp_context_level l)
{
    return l == QFTP_CONTEXT_FATAL ? "#c02626" : l == QFTP_CONTEXT_CONCERN ? "#d97706" : "#6b8fb0";
}

/* A step for about 8 ticks over `span` ns: 1, 2, 5 times a power of ten (seconds),
 * or minutes and hours. */
static qftp_ts tick_step(qftp_ts span)
{
    static const int64_t steps_ms[] = {
        1,      2,      5,       10,      20,      50,       100,      200,     500,
        1000,   2000,   5000,    10000,   15000,   30000,    60000,    120000,  300000,
        600000, 900000, 1800000, 3600000, 7200000, 21600000, 43200000, 86400000};
    for (size_t i = 0; i < G_N_ELEMENTS(steps_ms); i++)
        if (span / (steps_ms[i] * QFTP_NS_PER_MS) <= 8)
            return steps_ms[i] * QFTP_NS_PER_MS;
    return 86400000 * QFTP_NS_PER_MS * (span / (86400000 * QFTP_NS_PER_MS * 8) + 1);
}

static void tick_label(report *r, qftp_ts t, qftp_ts step, char *buf, size_t cap)
{
    if (qftp_verdict_dated(r->v)) {
        char full[48];
        qftp_verdict_iso_time(r->v, t, full, sizeof full);
        /* HH:MM:SS, with the fraction when the step is below a second */
        int keep = step < QFTP_NS_PER_SEC ? 23 : 19;
        snprintf(buf, cap, "%.*s", keep - 11, full + 11);
    } else {
        double s = (double)(t - qftp_verdict_t0(r->v)) / 1e9;
        snprintf(buf, cap, step < QFTP_NS_PER_SEC ? "+%.3f s" : "+%.0f s", s);
    }
}

/* The lanes: one per command, in the order first seen; when there are more than
 * REP_LANES_MAX, those that failed, moved data or took the most time keep theirs and the
 * rest share "other". lane[i] is command i's lane; names[] the lanes' names. */
static size_t lanes_of(const report *r, unsigned *lane, const char **names)
{
    size_t n = r->cmd_order->len;
    bool *own = g_new0(bool, n ? n : 1);
    if (n <= REP_LANES_MAX) {
        for (size_t i = 0; i < n; i++)
            own[i] = true;
    } else {
        for (size_t k = 0; k < REP_LANES_MAX - 1; k++) {
            double best = -1;
            size_t pick = 0;
            for (size_t i = 0; i < n; i++) {
                const rep_cmd *c = g_ptr_array_index(r->cmd_order, i);
                double score = (c->failed ? 1e12 : 0) + (c->transfers ? 1e9 : 0) + c->span;
                if (!own[i] && score > best) {
                    best = score;
                    pick = i;
                }
            }
            own[pick] = true;
        }
    }
    size_t lanes = 0;
    for (size_t i = 0; i < n; i++)
        if (own[i]) {
            lane[i] = (unsigned)lanes;
            names[lanes++] = ((const rep_cmd *)g_ptr_array_index(r->cmd_order, i))->command;
        }
    if (lanes < n) {
        for (size_t i = 0; i < n; i++)
            if (!own[i])
                lane[i] = (unsigned)lanes;
        names[lanes++] = "other";
    }
    g_free(own);
    return lanes;
}

static void timeline_svg(report *r)
{
    FILE *f = r->out;
    GArray *bars = r->bars;
    unsigned *lane = g_new0(unsigned, r->cmd_order->len + 1);
    const char *names[REP_LANES_MAX + 1];
    size_t lanes = lanes_of(r, lane, names);
    if (bars->len == 0 && r->marks->len == 0) {
        fputs("<p>No commands to draw.</p>\n", f);
        g_free(lane);
        return;
    }
    tl_scale s = {0};
    s.t0 = r->t_first;
    s.t1 = r->t_last;
    for (guint i = 0; i < bars->len; i++) {
        const rep_bar *b = &g_array_index(bars, rep_bar, i);
        s.t0 = MIN(s.t0, b->t0);
        s.t1 = MAX(s.t1, b->t1);
    }
    bool real = qftp_verdict_times_real(r->v);
    size_t ng = real ? qftp_verdict_gap_count(r->v) : 0;
    qftp_ts active = s.t1 - s.t0;
    if (ng <= GAPS_MAX)
        for (size_t i = 0; i < ng; i++) {
            const qftp_gap *g = qftp_verdict_gap(r->v, i);
            if (g->from < s.t0 || g->to > s.t1 || (s.n_gaps && g->from < s.gaps[s.n_gaps - 1].to))
                continue;
            s.gaps[s.n_gaps++] = (tl_gap){g->from, g->to};
            active -= g->to - g->from;
        }
    double plot = SVG_W - SVG_LEFT - SVG_RIGHT - GAP_W * (double)s.n_gaps;
    s.k = active > 0 ? plot / (double)active : 0.0;
    double ctx_y = SVG_TOP + LANE_H * (double)lanes;
    double height = ctx_y + LANE_H + 8;

    fprintf(f,
            "<svg class=\"tl\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
            "width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"timeline of the "
            "commands\">\n",
            SVG_W, height, SVG_W, height);
    fputs("<title>Timeline: each command from its sending to its outcome</title>\n"
          "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
          "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff6db\"/>"
          "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#f0c96a\" stroke-width=\"3\"/>"
          "</pattern></defs>\n"
          "<style>text{font-family:sans-serif;font-size:11px;fill:#39424b}"
          ".lane{font-size:11.5px;font-family:monospace}.tick{fill:#6b747d;font-size:10px}"
          ".lbl{font-size:9.5px;fill:#1d2329}.ctx{font-size:9.5px}</style>\n",
          f);
    /* lanes */
    for (size_t i = 0; i <= lanes; i++) {
        double y = SVG_TOP + LANE_H * (double)i;
        fprintf(f, "<rect x=\"0\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" fill=\"%s\"/>\n", y,
                SVG_W, LANE_H, i % 2 ? "#f7f8fa" : "#ffffff");
        const char *name = i < lanes ? names[i] : "module, network";
        svg_text(f, SVG_LEFT - 6, y + LANE_H / 2 + 4, "end", "lane", name);
    }
    /* axis and ticks */
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#9aa3ab\"/>\n",
            SVG_LEFT, SVG_TOP - 1, SVG_W - SVG_RIGHT, SVG_TOP - 1);
    if (active > 0) {
        qftp_ts step = tick_step(active);
        qftp_ts first = (s.t0 / step + (s.t0 % step != 0)) * step;
        int drawn = 0;
        double last_x = -100;
        for (qftp_ts t = first; t <= s.t1 && drawn < 200; t += step) {
            bool in_gap = false;
            for (size_t i = 0; i < s.n_gaps && !in_gap; i++)
                in_gap = t > s.gaps[i].from && t < s.gaps[i].to;
            if (in_gap)
                continue;
            double x = tx(&s, t);
            if (x - last_x < 60)
                continue;
            char lab[32];
            tick_label(r, t, step, lab, sizeof lab);
            fprintf(f,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e6ea\"/>\n",
                    x, SVG_TOP - 4, x, ctx_y + LANE_H);
            svg_text(f, x, SVG_TOP - 8, "middle", "tick", lab);
            last_x = x;
            drawn++;
        }
    } else if (!real) {
        svg_text(f, SVG_LEFT, SVG_TOP - 8, "start", "tick",
                 "the log has no times: the picture shows the order only");
    }
    /* silences drawn narrow */
    for (size_t i = 0; i < s.n_gaps; i++) {
        double x0 = tx(&s, s.gaps[i].from);
        char dur[32];
        qftp_duration_words(s.gaps[i].to - s.gaps[i].from, dur, sizeof dur);
        fprintf(f,
                "<g><title>%s without traffic</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                "height=\"%.1f\" fill=\"url(#hatch)\"/>",
                dur, x0, SVG_TOP, GAP_W, ctx_y + LANE_H - SVG_TOP);
        fprintf(f,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"lbl\" "
                "transform=\"rotate(-90 %.1f %.1f)\">",
                x0 + GAP_W / 2 + 3, SVG_TOP + (ctx_y - SVG_TOP) / 2, x0 + GAP_W / 2 + 3,
                SVG_TOP + (ctx_y - SVG_TOP) / 2);
        esc(f, dur);
        fputs("</text></g>\n", f);
    }
    /* bars */
    for (guint i = 0; i < bars->len; i++) {
        const rep_bar *b = &g_array_index(bars, rep_bar, i);
        double x0 = tx(&s, b->t0), x1 = tx(&s, b->t1);
        if (x1 - x0 < 2)
            x1 = x0 + 2;
        double y = SVG_TOP + LANE_H * lane[b->cmd] + 5;
        double h = LANE_H - 10;
        fputs("<g><title>", f);
        esc(f, b->title);
        fputs("</title>", f);
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"2\" fill=\"%s\"/>",
                x0, y, x1 - x0, h, kind_fill(b->kind));
        if (b->bytes >= 0 && b->data_t1 > b->data_t0) {
            /* the data mode, as a band inside the bar, with its bytes and throughput */
            double d0 = tx(&s, b->data_t0), d1 = tx(&s, b->data_t1);
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"4\" fill=\"#1d2329\" "
                    "fill-opacity=\"0.45\"/>",
                    d0, y + h - 4, MAX(d1 - d0, 1.0));
        }
        if (b->bytes >= 0) {
            char lab[64], rate[32];
            if (real && b->data_t1 > b->data_t0)
                snprintf(lab, sizeof lab, "%" G_GINT64_FORMAT " B %s, %s", b->bytes,
                         b->dir == QFTP_DIR_TX ? "up" : "down",
                         rep_rate(b->bytes, b->data_t1 - b->data_t0, rate, sizeof rate));
            else
                snprintf(lab, sizeof lab, "%" G_GINT64_FORMAT " B %s", b->bytes,
                         b->dir == QFTP_DIR_TX ? "up" : "down");
            double w = (double)strlen(lab) * 5.4;
            if (x1 - x0 > w + 4)
                svg_text(f, (x0 + x1) / 2, y + h / 2 + 1, "middle", "lbl", lab);
            else if (x1 + w + 4 < SVG_W - SVG_RIGHT)
                svg_text(f, x1 + 3, y + h / 2 + 3, "start", "lbl", lab);
        }
        if (b->t_fail != QFTP_TS_NONE) {
            double xf = tx(&s, b->t_fail);
            fprintf(f,
                    "<path d=\"M%.1f %.1fl8 8m0 -8l-8 8\" stroke=\"#8a0f0f\" stroke-width=\"2.2\" "
                    "fill=\"none\"/>",
                    xf - 4, y + h / 2 - 4);
        }
        fputs("</g>\n", f);
    }
    /* context lines: a line across the picture and a short label in the bottom lane */
    double last_lx = -100;
    for (guint i = 0; i < r->marks->len; i++) {
        const rep_mark *m = &g_array_index(r->marks, rep_mark, i);
        double x = tx(&s, m->ts);
        const char *stroke = level_stroke(m->level);
        fputs("<g><title>", f);
        esc(f, m->line);
        fputs(": ", f);
        esc(f, m->words);
        fprintf(f,
                "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-dasharray=\"3 2\"/><circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>",
                x, SVG_TOP, x, ctx_y + LANE_H / 2, stroke, x, ctx_y + LANE_H / 2, stroke);
        if (x - last_lx > 130) {
            char lab[28];
            snprintf(lab, sizeof lab, "%.24s", m->line);
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ctx\" fill=\"%s\">", x + 6,
                    ctx_y + LANE_H / 2 + 3, stroke);
            esc(f, lab);
            fputs("</text>", f);
            last_lx = x;
        }
        fputs("</g>\n", f);
    }
    fputs("</svg>\n", f);
    g_free(lane);
}

static void timeline_html(report *r)
{
    FILE *f = r->out;
    fputs("<section id=\"timeline\">\n<h2>Timeline</h2>\n", f);
    timeline_svg(r);
    fputs("<p class=\"legend\"><span><i class=\"sw\" style=\"background:#3a9a4a\"></i>succeeded"
          "</span><span><i class=\"sw\" style=\"background:#d23b3b\"></i>failed (&#215; where)"
          "</span><span><i class=\"sw\" style=\"background:#e08a1e\"></i>incomplete transfer"
          "</span><span><i class=\"sw\" style=\"background:#a2a9b0\"></i>no outcome in the log"
          "</span><span><i class=\"sw\" "
          "style=\"background:repeating-linear-gradient(45deg,#fff6db,#fff6db 3px,#f0c96a "
          "3px,#f0c96a 5px)\"></i>silence "
          "(drawn narrow)</span><span>dark band: data mode, with bytes and throughput</span>"
          "<span>dashed lines: the module's and the network's lines</span></p>\n",
          f);
    if (r->bars_dropped)
        fprintf(f, "<p>%zu succeeded commands after the first %d are not drawn.</p>\n",
                r->bars_dropped, REP_BARS_MAX);
    if (r->failed_bars_dropped)
        fprintf(f, "<p>%zu failed commands after the first %d commands drawn are not drawn.</p>\n",
                r->failed_bars_dropped, REP_BARS_MAX + REP_FAILED_BARS_MAX);
    fputs("</section>\n", f);
}

static void stats_html(report *r)
{
    FILE *f = r->out;
    fputs("<section id=\"stats\">\n<h2>Statistics</h2>\n<table>\n<thead><tr><th>command</th>"
          "<th>ok</th><th>failed</th><th>no outcome</th><th>p50</th><th>p90</th><th>p99</th>"
          "<th>max</th></tr></thead>\n<tbody>\n",
          f);
    for (guint i = 0; i < r->cmd_order->len; i++) {
        rep_cmd *c = g_ptr_array_index(r->cmd_order, i);
        char p[4][24];
        rep_secs(rep_percentile(c, 50), "&#8211;", p[0], sizeof p[0]);
        rep_secs(rep_percentile(c, 90), "&#8211;", p[1], sizeof p[1]);
        rep_secs(rep_percentile(c, 99), "&#8211;", p[2], sizeof p[2]);
        rep_secs(rep_percentile(c, 100), "&#8211;", p[3], sizeof p[3]);
        fputs(c->others ? "<tr><td>" : "<tr><td><code>AT", f);
        esc(f, c->command);
        fprintf(f,
                "%s</td><td>%zu</td><td%s>%zu</td><td>%zu</td><td>%s</td><td>%s</td>"
                "<td>%s</td><td>%s</td></tr>\n",
                c->others ? "" : "</code>", c->ok, c->failed ? " class=\"bad\"" : "", c->failed,
                c->unfinished, p[0], p[1], p[2], p[3]);
    }
    fputs("</tbody>\n</table>\n", f);
    if (r->cmd_order->len &&
        ((const rep_cmd *)g_ptr_array_index(r->cmd_order, r->cmd_order->len - 1))->others)
        fprintf(f, "<p>(others): the commands after the first %d named, together.</p>\n",
                REP_CMDS_MAX - 1);
    fprintf(f,
            "<p>Response time: from the command to its outcome (the completion URC where one "
            "comes, else the final result)%s. Bytes: %llu host &#8594; module (%llu of them "
            "upload data), %llu module &#8594; host (%llu of them download data).</p>\n",
            qftp_verdict_times_real(r->v) ? "" : "; the log has no times, so none is given",
            (unsigned long long)r->bytes[0], (unsigned long long)r->payload[0],
            (unsigned long long)r->bytes[1], (unsigned long long)r->payload[1]);
    GArray *codes = rep_codes(r);
    if (codes->len)
        fputs("<h3>Failures by code</h3>\n<ul>\n", f);
    for (guint i = 0; i < codes->len && i < REP_CODES_LISTED; i++) {
        const rep_code *k = &g_array_index(codes, rep_code, i);
        fprintf(f, "<li>%zu &#215; ", k->n);
        esc(f, k->key);
        fputs("</li>\n", f);
    }
    char rest[160];
    if (rep_codes_rest(r, codes, REP_CODES_LISTED, rest, sizeof rest)[0])
        fprintf(f, "<li>and %s</li>\n", rest);
    if (codes->len)
        fputs("</ul>\n", f);
    g_array_free(codes, TRUE);
    size_t ng = qftp_verdict_gap_count(r->v);
    if (ng) {
        qftp_verdict_counts c;
        qftp_verdict_counts_get(r->v, &c);
        fprintf(f,
                "<h3>Silences</h3>\n<p>%zu longer than the threshold, %zu of them longer than "
                "rsptimeout.</p>\n<ul>\n",
                c.gaps, c.gaps_over_rsptimeout);
        char a[48], b[48], d[32];
        for (size_t i = 0; i < ng; i++) {
            const qftp_gap *g = qftp_verdict_gap(r->v, i);
            qftp_verdict_time(r->v, g->from, a, sizeof a);
            qftp_verdict_time(r->v, g->to, b, sizeof b);
            fprintf(f, "<li>%s from %s to %s%s</li>\n",
                    qftp_duration_words(g->to - g->from, d, sizeof d), a, b,
                    g->over_rsptimeout ? " <strong>(over rsptimeout)</strong>" : "");
        }
        fputs("</ul>\n", f);
    }
    fputs("</section>\n", f);
}

static void transcript_html(report *r)
{
    FILE *f = r->out;
    fprintf(f,
            "<section id=\"transcript\">\n<h2>Transcript</h2>\n<details>\n<summary>All %zu "
            "command%s with their answers, the module's other lines and the silences</summary>\n"
            "<div class=\"tr\">\n",
            r->n_txn, r->n_txn == 1 ? "" : "s");
    fflush(f);
    if (r->transcript) {
        fflush(r->transcript);
        rewind(r->transcript);
        char buf[65536];
        size_t k;
        while ((k = fread(buf, 1, sizeof buf, r->transcript)) > 0)
            fwrite(buf, 1, k, f);
    }
    fputs("</div>\n</details>\n</section>\n", f);
}

void report_write_html(report *r)
{
    page_head(r);
    verdict_html(r);
    failures_html(r);
    timeline_html(r);
    stats_html(r);
    transcript_html(r);
    fprintf(r->out,
            "<footer>Made by qftp report %s. The page needs no network.</footer>\n"
            "</body>\n</html>\n",
            QFTP_VERSION);
}
