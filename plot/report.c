/*
 * report.c - report.pdf and report.md (see report.h).
 *
 * The PDF is drawn on one cairo PDF surface, page by page, with the same
 * figure functions as the chart files, translated into boxes of the page:
 * the charts stay vectors.  Page geometry is fixed (A4 landscape, 30 pt
 * margins); long tables are cut to what fits, with a note pointing to
 * summary.csv / services.csv, which always have every row.
 */
#include "report.h"
#include "../io/observed_out.h"
#include "../model/version.h"
#include "overlay.h"

#include "canvas.h"
#include "figure.h"

#include "../model/bottleneck.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define M 30.0               /* page margin */
#define ROW_H 15.0           /* table row */
#define OK_GREEN CHART_RGB(0x007A57, 1.0)   /* Okabe-Ito bluish green, darkened for text */
#define TIGHT_ORANGE CHART_RGB(0xA86400, 1.0)

/* ---- figures shared by the PDF and the Markdown -------------------------------------- */

report_severity report_verdict(const nc_gw_summary *s, uint32_t reps, char *buf, size_t len)
{
    if (s->first_exhaustion != SIM_TIME_NONE) {
        char t[32];
        figure_format_hhmm(s->first_exhaustion, t, sizeof t);
        if (s->exhausted_replications < reps)
            snprintf(buf, len, "exhausts at %s (%u/%u reps)", t, s->exhausted_replications, reps);
        else
            snprintf(buf, len, "exhausts at %s", t);
        return REPORT_EXHAUSTED;
    }
    long used = lround(100.0 * s->peak_utilization);
    long headroom = used < 100 ? 100 - used : 0;
    if (s->peak_utilization >= 0.8) {
        snprintf(buf, len, "tight, %ld %% headroom", headroom);
        return REPORT_TIGHT;
    }
    snprintf(buf, len, "OK, %ld %% headroom", headroom);
    return REPORT_OK;
}

static void format_minutes(double min, char *buf, size_t len)
{
    if (min <= 0)
        snprintf(buf, len, "0");
    else if (min < 10)
        snprintf(buf, len, "%.1f", min);
    else
        chart_format_number(min, 0, buf, len);
}

/* Two significant digits below 0.01 %, so 0.003 % and 17 % never look alike. */
static void format_pct(double pct, char *buf, size_t len)
{
    if (pct <= 0)
        snprintf(buf, len, "0 %%");
    else if (pct < 0.0001)
        snprintf(buf, len, "<0.0001 %%");
    else if (pct < 0.01)
        snprintf(buf, len, "%.2g %%", pct);
    else
        snprintf(buf, len, "%.2f %%", pct);
}

void report_row_fill(const nc_scen_result *r, size_t g, report_row *out)
{
    nc_gw_summary s;
    nc_summarize_gateway(r, g, &s);
    memset(out, 0, sizeof *out);
    snprintf(out->scenario, sizeof out->scenario, "%s", r->sc->name);
    snprintf(out->gateway, sizeof out->gateway, "%s", r->sc->gateways[g].name);
    chart_format_number((double)s.capacity, 0, out->capacity, sizeof out->capacity);
    chart_format_number(s.peak_in_use, 0, out->peak, sizeof out->peak);
    snprintf(out->utilization, sizeof out->utilization, "%.0f %%", 100.0 * s.peak_utilization);
    if (s.first_exhaustion == SIM_TIME_NONE)
        snprintf(out->first_failure, sizeof out->first_failure, "-");
    else
        nc_format_clock(s.first_exhaustion, out->first_failure, sizeof out->first_failure);
    format_minutes(s.exhausted_minutes, out->failing, sizeof out->failing);
    format_pct(s.failed_request_pct, out->failed_pct, sizeof out->failed_pct);
    out->severity = report_verdict(&s, r->reps, out->verdict, sizeof out->verdict);
    out->grade = s.severity;
    snprintf(out->grade_name, sizeof out->grade_name, "%s", nc_severity_name(s.severity));
    if (s.severity >= NC_SEV_MAJOR)   /* capitals: they must not read like "minor" */
        for (char *p = out->grade_name; *p; p++)
            *p = (char)(*p - 'a' + 'A');
    nc_bottleneck b;
    if (nc_bottleneck_get(r, g, &b, NULL) != NC_OK)
        return;
    snprintf(out->binding_pool, sizeof out->binding_pool, "%s", b.pool_name);
    if (b.topo.pools > 1 && (s.first_exhaustion != SIM_TIME_NONE || s.peak_utilization >= 0.8)) {
        size_t o = strlen(out->verdict);
        snprintf(out->verdict + o, sizeof out->verdict - o, " in %s", b.pool_name);
    }
    nc_bottleneck_free(&b);
}

static chart_rgba severity_colour(report_severity sv)
{
    return sv == REPORT_EXHAUSTED ? CHART_VERMILLION : sv == REPORT_TIGHT ? TIGHT_ORANGE : OK_GREEN;
}

/* ---- PDF: page furniture and the summary table ----------------------------------------- */

static void page_footer(chart *c, const report_ctx *x, int page, int pages)
{
    char date[48], buf[512], num[32];
    canvas_format_epoch_human(x->o->run_epoch, date, sizeof date);
    snprintf(buf, sizeof buf, "natcap %s \u00b7 input %s \u00b7 run %s", NATCAP_VERSION,
             x->o->input_dir ? x->o->input_dir : "?", date);
    double y = REPORT_PAGE_H - M + 12;
    chart_hline(c, M, REPORT_PAGE_W - M, y - 4, 0.5, CHART_GRID, 0);
    chart_text(c, M, y, CHART_FS_SMALL, 0, CHART_MUTED, REPORT_PAGE_W - 2 * M - 80, buf);
    snprintf(num, sizeof num, "page %d of %d", page, pages);
    chart_text(c, REPORT_PAGE_W - M, y, CHART_FS_SMALL, CHART_RIGHT, CHART_MUTED, 0, num);
}

static const struct table_col {
    const char *head;
    double w;
    int right;
} cols[] = {
    {"scenario", 110, 0},     {"gateway", 84, 0},       {"capacity", 60, 1},
    {"peak in use", 66, 1},   {"peak util.", 56, 1},    {"first failure", 72, 1},
    {"failing min", 62, 1},   {"failed req.", 62, 1},   {"severity", 54, 0},
    {"verdict", 0, 0},
};
enum { NCOLS = sizeof cols / sizeof cols[0] };

static void table_line(chart *c, double y, const char *const cell[NCOLS], unsigned flags,
                       chart_rgba last_col)
{
    double x = M, width = REPORT_PAGE_W - 2 * M;
    for (size_t i = 0; i < NCOLS; i++) {
        double w = cols[i].w > 0 ? cols[i].w : M + width - x;
        double tx = cols[i].right ? x + w - 8 : x + 4;
        chart_text(c, tx, y + ROW_H / 2, CHART_FS_LABEL,
                   flags | CHART_MIDDLE | (cols[i].right ? CHART_RIGHT : 0),
                   i + 1 == NCOLS ? last_col : CHART_INK, w - 10, cell[i]);
        x += w;
    }
}

/* The table of every scenario and gateway, at most max_rows body rows.
 * Returns the y below it. */
static double summary_table(chart *c, const report_ctx *x, double y, size_t max_rows)
{
    const char *head[NCOLS];
    for (size_t i = 0; i < NCOLS; i++)
        head[i] = cols[i].head;
    table_line(c, y, head, CHART_BOLD, CHART_INK);
    y += ROW_H;
    chart_hline(c, M, REPORT_PAGE_W - M, y, 0.8, CHART_MUTED, 0);
    size_t shown = 0, total = 0;
    for (size_t i = 0; i < x->n; i++) {
        for (size_t g = 0; g < x->rs[i]->sc->ngateways; g++, total++) {
            if (shown >= max_rows)
                continue;
            report_row rr;
            report_row_fill(x->rs[i], g, &rr);
            if (shown % 2 == 1)
                chart_fill_rect(c, M, y, REPORT_PAGE_W - 2 * M, ROW_H, CHART_RGB(0xF4F4F4, 1));
            const char *cell[NCOLS] = {rr.scenario,     rr.gateway,       rr.capacity,
                                       rr.peak,         rr.utilization,   rr.first_failure,
                                       rr.failing,      rr.failed_pct,    rr.grade_name,
                                       rr.verdict};
            table_line(c, y, cell, rr.severity != REPORT_OK ? CHART_BOLD : 0,
                       severity_colour(rr.severity));
            y += ROW_H;
            shown++;
        }
    }
    chart_hline(c, M, REPORT_PAGE_W - M, y, 0.8, CHART_MUTED, 0);
    if (shown < total) {
        char note[128];
        snprintf(note, sizeof note, "\u2026 and %zu more rows: see summary.csv", total - shown);
        chart_text(c, M + 4, y + 3, CHART_FS_LABEL, 0, CHART_MUTED, 0, note);
        y += ROW_H;
    }
    return y;
}

/* One sentence for the whole run: how many gateways ran out of ports. */
static void headline(const report_ctx *x, char *buf, size_t len, report_severity *worst)
{
    size_t total = 0, bad = 0;
    double lowest_headroom = 100;
    *worst = REPORT_OK;
    size_t bad_scenarios = 0, worst_g = 0;
    const nc_scen_result *worst_at = NULL;
    nc_gw_summary worst_s;
    memset(&worst_s, 0, sizeof worst_s);
    for (size_t i = 0; i < x->n; i++) {
        int scenario_bad = 0;
        for (size_t g = 0; g < x->rs[i]->sc->ngateways; g++, total++) {
            nc_gw_summary s;
            nc_summarize_gateway(x->rs[i], g, &s);
            if (s.first_exhaustion != SIM_TIME_NONE) {
                bad++;
                scenario_bad = 1;
            }
            if (100 - 100 * s.peak_utilization < lowest_headroom)
                lowest_headroom = 100 - 100 * s.peak_utilization;
            char v[96];
            report_severity sv = report_verdict(&s, x->rs[i]->reps, v, sizeof v);
            if (sv > *worst)
                *worst = sv;
            if (worst_at == NULL || s.severity > worst_s.severity ||
                (s.severity == worst_s.severity && s.failed_request_pct > worst_s.failed_request_pct)) {
                worst_at = x->rs[i];
                worst_g = g;
                worst_s = s;
            }
        }
        bad_scenarios += scenario_bad;
    }
    if (bad > 0 && worst_at != NULL) {
        char words[96];
        nc_severity_words(&worst_s, words, sizeof words);
        snprintf(buf, len, "%zu of %zu scenario%s ran out of source ports; the worst, %s / %s: %s.",
                 bad_scenarios, x->n, x->n == 1 ? "" : "s", worst_at->sc->name,
                 worst_at->sc->gateways[worst_g].name, words);
    } else if (bad > 0)
        snprintf(buf, len, "%zu of %zu scenario%s ran out of source ports.", bad_scenarios, x->n,
                 x->n == 1 ? "" : "s");
    else if (total > 0)
        snprintf(buf, len, "No gateway ran out of source ports in any scenario; the least headroom "
                 "left is %.0f %%.",
                 lowest_headroom > 0 ? lowest_headroom : 0);
    else
        snprintf(buf, len, "No scenario was run.");
}

static nc_status draw_in_box(chart *c, canvas_draw_fn fn, figure_ctx *fc, double x, double y,
                             double w, double h)
{
    cairo_t *cr = chart_cairo(c);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    nc_status st = fn(c, w, h, fc);
    cairo_restore(cr);
    return st;
}

static nc_status summary_page(chart *c, const report_ctx *x)
{
    char buf[512], date[48], line[512];
    report_severity worst;
    double y = M;
    chart_text(c, M, y, 18, CHART_BOLD, CHART_INK, 0, "natcap \u2014 NAT source-port capacity report");
    y += 28;
    canvas_format_epoch_human(x->o->run_epoch, date, sizeof date);
    snprintf(buf, sizeof buf, "input %s \u00b7 run %s \u00b7 natcap %s \u00b7 %zu scenario%s",
             x->o->input_dir ? x->o->input_dir : "?", date, NATCAP_VERSION, x->n,
             x->n == 1 ? "" : "s");
    chart_text(c, M, y, CHART_FS_SUBTITLE, 0, CHART_MUTED, REPORT_PAGE_W - 2 * M, buf);
    y += 18;
    headline(x, line, sizeof line, &worst);
    chart_text(c, M, y, 11, CHART_BOLD, severity_colour(worst), 0, line);
    y += 22;

    /* The comparison chart keeps at least 230 pt; the table gets the rest. */
    double chart_top_min = REPORT_PAGE_H - M - 16 - 230;
    size_t max_rows = (size_t)((chart_top_min - y - 2 * ROW_H) / ROW_H);
    y = summary_table(c, x, y, max_rows) + 14;

    chart_text(c, M, y, CHART_FS_PANEL, CHART_BOLD, CHART_INK, 0,
               "Mean utilisation of the fullest pool over the day");
    y += 14;
    figure_ctx fc = {.rs = x->rs, .n = x->n, .o = x->o, .flags = 0};
    return draw_in_box(c, figure_comparison, &fc, M - 16, y, REPORT_PAGE_W - 2 * M + 16,
                       REPORT_PAGE_H - M - 10 - y);
}

/* ---- PDF: one page per scenario ------------------------------------------------------------- */

static double key_value(chart *c, double x, double y, double w, const char *key, const char *val,
                        chart_rgba col, unsigned flags)
{
    chart_text(c, x, y, CHART_FS_LABEL, 0, CHART_MUTED, 0, key);
    chart_text(c, x + 74, y, CHART_FS_LABEL, flags, col, w - 74, val);
    return y + 11.5;
}

static double gateway_figures(chart *c, const nc_scen_result *r, size_t g, double x, double y,
                              double w)
{
    nc_gw_summary s;
    nc_summarize_gateway(r, g, &s);
    report_row rr;
    report_row_fill(r, g, &rr);
    double reps = r->reps ? (double)r->reps : 1;
    char buf[160], a[32], b[32];
    const nc_gateway *gw = &r->sc->gateways[g];

    snprintf(buf, sizeof buf, "gateway %s", gw->name);
    chart_text(c, x, y, CHART_FS_PANEL, CHART_BOLD, CHART_INK, w, buf);
    y += 15;
    char words[96];
    nc_severity_words(&s, words, sizeof words);
    y = key_value(c, x, y, w, "severity", words, severity_colour(rr.severity), CHART_BOLD);
    y = key_value(c, x, y, w, "verdict", rr.verdict, severity_colour(rr.severity), CHART_BOLD);
    snprintf(buf, sizeof buf, "%s per pool%s%s", rr.capacity, gw->preset[0] ? " \u00b7 preset " : "",
             gw->preset);
    y = key_value(c, x, y, w, "capacity", buf, CHART_INK, 0);
    nc_bottleneck bn;
    if (nc_bottleneck_get(r, g, &bn, NULL) == NC_OK) {
        y = key_value(c, x, y, w, "binding pool", bn.pool_name, CHART_INK, CHART_BOLD);
        if (!isnan(bn.demand_peak)) {
            chart_format_number(bn.demand_peak, 0, a, sizeof a);
            snprintf(buf, sizeof buf, "%s unconstrained (%.0f %% of capacity)", a,
                     s.capacity ? 100.0 * bn.demand_peak / (double)s.capacity : 0.0);
            y = key_value(c, x, y, w, "demand", buf, CHART_INK, 0);
        }
        if (bn.topo.pools > 1) {
            /* how utilisation is spread over the pools */
            chart_format_number((double)bn.topo.pools, 0, a, sizeof a);
            snprintf(buf, sizeof buf, "%s: %.4g over 80 %%, %.4g ran out", a, s.pools_alert,
                     s.pools_exhausted);
            y = key_value(c, x, y, w, "pools", buf, CHART_INK, 0);
        }
        if (bn.portless[0] != '\0')
            y += chart_paragraph(c, x, y, w, CHART_FS_LABEL, CHART_BOLD, CHART_VERMILLION, 4,
                                 bn.portless) + 2;
        nc_bottleneck_free(&bn);
    }
    chart_format_number((double)s.peak_in_use_max, 0, a, sizeof a);
    snprintf(buf, sizeof buf, "%s (%s), highest %s", rr.peak, rr.utilization, a);
    y = key_value(c, x, y, w, "peak in use", buf, CHART_INK, 0);
    if (s.first_exhaustion != SIM_TIME_NONE)
        snprintf(buf, sizeof buf, "%s \u00b7 %u of %u reps", rr.first_failure,
                 s.exhausted_replications, r->reps);
    else
        snprintf(buf, sizeof buf, "none");
    y = key_value(c, x, y, w, "first failure", buf, CHART_INK, 0);
    snprintf(buf, sizeof buf, "%s min / rep", rr.failing);
    y = key_value(c, x, y, w, "failing", buf, CHART_INK, 0);
    chart_format_number((double)s.requests / reps, 0, a, sizeof a);
    snprintf(buf, sizeof buf, "%s / rep \u00b7 %.0f %% reused", a, s.reuse_pct);
    y = key_value(c, x, y, w, "requests", buf, CHART_INK, 0);
    chart_format_number((double)s.failed_requests / reps, 0, a, sizeof a);
    snprintf(buf, sizeof buf, "%s / rep (%s)", a, rr.failed_pct);
    y = key_value(c, x, y, w, "failed requests", buf, CHART_INK, 0);
    chart_format_number((double)s.alloc_failures / reps, 0, a, sizeof a);
    snprintf(buf, sizeof buf, "%s / rep", a);
    y = key_value(c, x, y, w, "failed SYNs", buf, CHART_INK, 0);
    chart_format_number((double)s.stale_reuses / reps, 0, b, sizeof b);
    snprintf(buf, sizeof buf, "%s / rep", b);
    y = key_value(c, x, y, w, "stale reuses", buf, CHART_INK, 0);
    return y + 8;
}

/* The rows that draw on their gateway's binding pool, by the mappings each
 * held in one of its pools when the gateway peaked (its total over the
 * pools it spreads over, divided by their number), largest first.  On a
 * gateway with one pool that is every row and its whole share.  *val gets
 * the per-pool mean per replication of each row (indexed by row). */
static nc_status rows_by_port_share(const nc_scen_result *r, size_t **out, size_t *nout,
                                    double **val_out)
{
    size_t n = r->sc->nservices;
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    double *val = calloc(n ? n : 1, sizeof *val);
    if (idx == NULL || val == NULL) {
        free(idx);
        free(val);
        return NC_ENOMEM;
    }
    double reps = r->reps ? (double)r->reps : 1;
    size_t m = 0;
    for (size_t g = 0; g < r->sc->ngateways; g++) {
        nc_bottleneck b;
        if (nc_bottleneck_get(r, g, &b, NULL) != NC_OK) {
            free(idx);
            free(val);
            return NC_ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            if (r->sc->services[i].gateway != g || !b.row_uses[i])
                continue;
            uint64_t pools = nc_topology_row_pools(&b.topo, i);
            val[i] = (double)r->rows[i].in_use_at_peak_sum / reps / (double)(pools ? pools : 1);
            idx[m++] = i;
        }
        nc_bottleneck_free(&b);
    }
    for (size_t i = 1; i < m; i++)   /* insertion sort, stable: tens of rows */
        for (size_t j = i; j > 0 && val[idx[j]] > val[idx[j - 1]]; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    *out = idx;
    *nout = m;
    *val_out = val;
    return NC_OK;
}

/* Whether some gateway of the scenario has more than one pool. */
static int many_pools(const nc_scen_result *r)
{
    for (size_t g = 0; g < r->sc->ngateways; g++)
        if (r->gw[g].npools > 1 || r->sc->gateways[g].mapping == NC_MAPPING_PER_DESTINATION ||
            r->sc->gateways[g].ports_per_instance > 0)
            return 1;
    return 0;
}

static nc_status top_rows_table(chart *c, const nc_scen_result *r, double x, double y, double w,
                                double bottom)
{
    size_t *idx, n;
    double *val;
    if (rows_by_port_share(r, &idx, &n, &val) != NC_OK)
        return NC_ENOMEM;
    chart_text(c, x, y, CHART_FS_PANEL, CHART_BOLD, CHART_INK, w, "Rows holding the most ports");
    y += 14;
    chart_text(c, x, y, CHART_FS_SMALL, 0, CHART_MUTED, w,
               many_pools(r) ? "rows of the binding pool: mean mappings held per pool at the "
                               "gateway's peak"
                             : "mean mappings held at the gateway's peak");
    y += 13;
    size_t shown = 0;
    for (size_t i = 0; i < n && y + 12 < bottom; i++, shown++) {
        size_t row = idx[i];
        char label[200], num[32];
        figure_row_label(r, row, label, sizeof label);
        chart_format_number(val[row], val[row] < 10 && val[row] > 0 ? 1 : 0, num, sizeof num);
        chart_fill_rect(c, x, y + 2, 9, 8, figure_row_colour(r, row));
        chart_text(c, x + w, y, CHART_FS_LABEL, CHART_RIGHT, CHART_INK, 0, num);
        chart_text(c, x + 14, y, CHART_FS_LABEL, 0, CHART_INK, w - 14 - 50, label);
        y += 12;
    }
    if (shown < n) {
        char note[96];
        snprintf(note, sizeof note, "\u2026 %zu more in services.csv", n - shown);
        chart_text(c, x + 14, y, CHART_FS_SMALL, 0, CHART_MUTED, 0, note);
    }
    free(idx);
    free(val);
    return NC_OK;
}

static nc_status scenario_page(chart *c, const report_ctx *x, const nc_scen_result *r)
{
    const double left_w = 530, right_x = M + left_w + 22, right_w = REPORT_PAGE_W - M - right_x;
    const double bottom = REPORT_PAGE_H - M - 6;
    char title[128];
    double y = M;
    snprintf(title, sizeof title, "Scenario %s", r->sc->name);
    chart_text(c, M, y, 16, CHART_BOLD, CHART_INK, 0, title);
    y += 22;
    y += chart_paragraph(c, M, y, REPORT_PAGE_W - 2 * M, CHART_FS_SUBTITLE, 0, CHART_MUTED, 2,
                         r->sc->description);
    y += 8;

    figure_ctx fc = {.r = r, .o = x->o, .flags = 0};
    double occ_h = (bottom - y) * 0.56;
    chart_text(c, M, y, CHART_FS_PANEL, CHART_BOLD, CHART_INK, 0,
               "Mappings in use in the fullest pool");
    nc_status st = draw_in_box(c, figure_occupancy, &fc, M - 16, y + 10, left_w + 16, occ_h - 10);
    double y2 = y + occ_h + 6, half = (left_w - 10) / 2, h2 = bottom - y2;
    if (st == NC_OK) {
        chart_text(c, M, y2, CHART_FS_PANEL, CHART_BOLD, CHART_INK, 0, "Failures per interval");
        st = draw_in_box(c, figure_failures, &fc, M - 16, y2 + 10, half + 16, h2 - 10);
    }
    if (st == NC_OK) {
        fc.flags = FIG_NO_LEGEND;
        chart_text(c, M + half + 10, y2, CHART_FS_PANEL, CHART_BOLD, CHART_INK, 0,
                   "Mappings in use by service row");
        st = draw_in_box(c, figure_services, &fc, M + half + 10 - 16, y2 + 10, half + 16, h2 - 10);
    }
    if (st != NC_OK)
        return st;

    double ry = y;
    for (size_t g = 0; g < r->sc->ngateways && ry + 60 < bottom; g++)
        ry = gateway_figures(c, r, g, right_x, ry, right_w);
    if (r->cmp != NULL && ry + 80 < bottom)
        ry += overlay_report_block(c, r, right_x, ry, right_w);
    chart_hline(c, right_x, right_x + right_w, ry - 2, 0.5, CHART_GRID, 0);
    return top_rows_table(c, r, right_x, ry + 6, right_w, bottom);
}

nc_status report_draw(chart *c, double w, double h, void *ctx)
{
    (void)w;
    (void)h;
    const report_ctx *x = ctx;
    cairo_t *cr = chart_cairo(c);
    int extra = x->extra != NULL && x->extra->draw != NULL;
    int pages = (int)x->n + 1 + extra;
    nc_status st = summary_page(c, x);
    page_footer(c, x, 1, pages);
    if (st == NC_OK && extra) {
        cairo_show_page(cr);
        cairo_save(cr);
        st = x->extra->draw(c, M, M, REPORT_PAGE_W - 2 * M, REPORT_PAGE_H - 2 * M, x->extra->ud);
        cairo_restore(cr);
        page_footer(c, x, 2, pages);
    }
    for (size_t i = 0; st == NC_OK && i < x->n; i++) {
        if (outdir_interrupted())
            return NC_EINTR;   /* the writer's error path reports it */
        cairo_show_page(cr);
        st = scenario_page(c, x, x->rs[i]);
        page_footer(c, x, (int)i + 2 + extra, pages);
    }
    return st;
}

/* ---- Markdown ---------------------------------------------------------------------------------- */

/* Text for a table cell or paragraph: pipes escaped, line breaks flattened. */
static void md_text(FILE *fp, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`' || *s == '<' || *s == '[')
            fputc('\\', fp);
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, fp);
    }
}

/* Chart link in the best format written: PNG or SVG as an image, PDF as a link. */
static void md_chart(FILE *fp, const plot_opts *o, const char *dir, const char *name)
{
    const char *sep = dir[0] ? "/" : "";
    if (o->formats & PLOT_PNG)
        fprintf(fp, "![%s](%s%s%s.png)\n\n", name, dir, sep, name);
    else if (o->formats & PLOT_SVG)
        fprintf(fp, "![%s](%s%s%s.svg)\n\n", name, dir, sep, name);
    else if (o->formats & PLOT_PDF)
        fprintf(fp, "[%s chart (PDF)](%s%s%s.pdf)\n\n", name, dir, sep, name);
}

static void md_summary(FILE *fp, const report_ctx *x)
{
    fprintf(fp, "| scenario | gateway | capacity | peak in use | peak utilisation | first failure "
                "| failing min | failed requests | severity | binding pool | verdict |\n"
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |\n");
    for (size_t i = 0; i < x->n; i++)
        for (size_t g = 0; g < x->rs[i]->sc->ngateways; g++) {
            report_row rr;
            report_row_fill(x->rs[i], g, &rr);
            const char *em = rr.severity == REPORT_EXHAUSTED ? "**" : "";
            fprintf(fp, "| %s | %s | %s | %s | %s | %s | %s | %s | %s%s%s | ", rr.scenario,
                    rr.gateway, rr.capacity, rr.peak, rr.utilization, rr.first_failure,
                    rr.failing, rr.failed_pct, em, rr.grade_name, em);
            md_text(fp, rr.binding_pool);
            fprintf(fp, " | %s%s%s |\n", em, rr.verdict, em);
        }
    fputc('\n', fp);
}

static nc_status md_scenario(FILE *fp, const report_ctx *x, const nc_scen_result *r)
{
    fprintf(fp, "## %s\n\n", r->sc->name);
    if (r->sc->description[0] != '\0') {
        md_text(fp, r->sc->description);
        fprintf(fp, "\n\n");
    }
    md_chart(fp, x->o, r->sc->name, "occupancy");
    md_chart(fp, x->o, r->sc->name, "failures");
    md_chart(fp, x->o, r->sc->name, "services");
    for (size_t g = 0; g < r->sc->ngateways; g++) {
        nc_bottleneck b;
        if (nc_bottleneck_get(r, g, &b, NULL) != NC_OK)
            return NC_ENOMEM;
        char words[96], num[32], cap[32];
        nc_severity_words(&b.sum, words, sizeof words);
        chart_format_number((double)b.sum.capacity, 0, cap, sizeof cap);
        fprintf(fp, "- gateway %s: **%s**; binding pool `%s` (capacity %s)", r->sc->gateways[g].name,
                words, b.pool_name, cap);
        if (!isnan(b.demand_peak)) {
            chart_format_number(b.demand_peak, 0, num, sizeof num);
            fprintf(fp, ", unconstrained demand %s at its peak", num);
        }
        if (b.topo.pools > 1) {
            chart_format_number((double)b.topo.pools, 0, num, sizeof num);
            fprintf(fp, "; %s pools, %.4g over 80 %% and %.4g ran out (mean per replication)", num,
                    b.sum.pools_alert, b.sum.pools_exhausted);
        }
        fprintf(fp, ".\n");
        if (b.portless[0] != '\0') {
            fprintf(fp, "- **");
            md_text(fp, b.portless);
            fprintf(fp, "**\n");
        }
        nc_bottleneck_free(&b);
    }
    fputc('\n', fp);
    size_t *idx, nb;
    double *val;
    if (rows_by_port_share(r, &idx, &nb, &val) != NC_OK)
        return NC_ENOMEM;
    size_t n = nb < 10 ? nb : 10;
    fprintf(fp, "Service rows holding the most ports when their gateway peaked (mean over "
                "%u replication%s%s):\n\n"
                "| service | destination | gateway | mappings at peak |\n"
                "| --- | --- | --- | ---: |\n",
            r->reps, r->reps == 1 ? "" : "s", many_pools(r) ? "; rows of the binding pool, per pool" : "");
    for (size_t i = 0; i < n; i++) {
        const nc_service *sv = &r->sc->services[idx[i]];
        char num[32];
        chart_format_number(val[idx[i]], val[idx[i]] < 10 && val[idx[i]] > 0 ? 1 : 0, num, sizeof num);
        fprintf(fp, "| %s | %s | %s | %s |\n", sv->name, r->sc->destinations[sv->destination].name,
                r->sc->gateways[sv->gateway].name, num);
    }
    fputc('\n', fp);
    free(idx);
    free(val);
    return NC_OK;
}

static nc_status write_markdown(outdir *od, const report_ctx *x, nc_error *err)
{
    FILE *fp;
    nc_status st = outdir_begin(od, "report.md", &fp, err);
    if (st != NC_OK)
        return st;
    char date[48], line[512];
    report_severity worst;
    canvas_format_epoch_human(x->o->run_epoch, date, sizeof date);
    headline(x, line, sizeof line, &worst);
    fprintf(fp, "# natcap report\n\n%s\n\n- input: `%s`\n- run: %s\n- natcap %s\n\n", line,
            x->o->input_dir ? x->o->input_dir : "?", date, NATCAP_VERSION);
    md_summary(fp, x);
    md_chart(fp, x->o, "", "comparison");
    observed_out_markdown(fp, x->rs, x->n);
    if (x->extra != NULL && x->extra->markdown != NULL)
        x->extra->markdown(fp, x->extra->ud);
    for (size_t i = 0; i < x->n && st == NC_OK; i++)
        st = md_scenario(fp, x, x->rs[i]);
    nc_error end_err;
    nc_status end = outdir_end(od, fp, st == NC_OK ? err : &end_err);
    if (st != NC_OK)
        return nc_error_set(err, st, "report.md", 0, NULL, "%s", nc_status_str(st));
    return end;
}

nc_status report_write(outdir *od, const nc_scen_result *const *rs, size_t n,
                       const plot_opts *o, nc_error *err)
{
    return report_write_ex(od, rs, n, o, NULL, err);
}

nc_status report_write_ex(outdir *od, const nc_scen_result *const *rs, size_t n,
                          const plot_opts *o, const report_extra *extra, nc_error *err)
{
    report_ctx x = {rs, n, o, extra};
    canvas_meta meta = {"natcap report", o->run_epoch};
    nc_status st = canvas_write(od, "report.pdf", CANVAS_PDF, REPORT_PAGE_W, REPORT_PAGE_H, &meta,
                                report_draw, &x, err);
    if (st != NC_OK)
        return st;
    return write_markdown(od, &x, err);
}
