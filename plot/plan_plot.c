/*
 * plan_plot.c - the charts and pages of `natcap plan` (see plan_plot.h):
 *   SCENARIO/headroom.{png,pdf,svg}  peak utilisation against the rate
 *                             multiplier at every point the searches simulated
 *   report.{pdf,md}           the report of `natcap run` from the baseline
 *                             batches, with a plan page (page 2)
 * and plan_write, which writes these with plan.csv and plan.md (io/plan_out.h).
 * The chart is drawn with plot/chart.h primitives, in points, once per
 * format, through plot/canvas.h.
 */
#include "plan_plot.h"

#include "../io/plan_out.h"
#include "../model/version.h"
#include "canvas.h"
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---- SCENARIO/headroom.* ------------------------------------------------------------ */

#define FIG_W 800.0
#define FIG_H 450.0
#define MARGIN 16.0
#define LEFT 64.0
#define RIGHT 22.0

typedef struct hr_ctx {
    const plan_scenario *ps;
    const plan_opts *po;
    const plot_opts *o;
} hr_ctx;

static void marker(chart *c, double x, double y, int fail, chart_rgba col)
{
    cairo_t *cr = chart_cairo(c);
    cairo_save(cr);
    cairo_new_path(cr);
    if (fail) {   /* a filled square in vermillion: this multiplier failed */
        cairo_rectangle(cr, x - 3.5, y - 3.5, 7, 7);
        cairo_set_source_rgba(cr, 0.835, 0.369, 0.0, 1.0);
        cairo_fill(cr);
    } else {
        cairo_arc(cr, x, y, 3.5, 0, 2 * M_PI);
        cairo_set_source_rgba(cr, 1, 1, 1, 1);
        cairo_fill_preserve(cr);
        cairo_set_line_width(cr, 1.5);
        cairo_set_source_rgba(cr, col.r, col.g, col.b, col.a);
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

static nc_status draw_headroom(chart *c, double w, double h, void *vctx)
{
    const hr_ctx *x = vctx;
    const plan_scenario *ps = x->ps;
    const nc_scenario *sc = ps->sc;
    size_t ng = sc->ngateways;
    char buf[512];

    snprintf(buf, sizeof buf, "%s \u2014 headroom: peak utilisation against the rate multiplier",
             sc->name);
    chart_text(c, MARGIN, 10, CHART_FS_TITLE, CHART_BOLD, CHART_INK, w - 2 * MARGIN, buf);
    double top = 30;
    size_t o = 0;
    for (size_t g = 0; g < ng && o < sizeof buf; g++) {
        const plan_gw *a = &ps->gw[g];
        if (isnan(a->headroom_rate_scale))
            o += (size_t)snprintf(buf + o, sizeof buf - o,
                                  "%s%s: fails at any load (instances without ports)",
                                  g ? "; " : "", sc->gateways[g].name);
        else if (a->headroom_capped)
            o += (size_t)snprintf(buf + o, sizeof buf - o,
                                  "%s%s: no failed allocation even at %g\u00d7 (the search limit)",
                                  g ? "; " : "", sc->gateways[g].name, a->headroom_rate_scale);
        else
            o += (size_t)snprintf(buf + o, sizeof buf - o,
                                  "%s%s: no failed allocation up to %.2f\u00d7 today\u2019s rates",
                                  g ? "; " : "", sc->gateways[g].name, a->headroom_rate_scale);
    }
    chart_text(c, MARGIN, top, CHART_FS_SUBTITLE, 0, CHART_MUTED, w - 2 * MARGIN, buf);
    top += 19;

    char ulabel[64];
    snprintf(ulabel, sizeof ulabel, "target %.0f %%", 100 * x->po->target_utilization);
    chart_legend_item items[8 + 4];
    size_t ni = 0;
    for (size_t g = 0; g < ng && g < 8; g++)
        items[ni++] = (chart_legend_item){CHART_SW_LINE, chart_series_colour(g),
                                          sc->gateways[g].name};
    items[ni++] = (chart_legend_item){CHART_SW_AREA, CHART_VERMILLION, "a replication failed"};
    items[ni++] = (chart_legend_item){CHART_SW_DASH, CHART_ORANGE, ulabel};
    items[ni++] = (chart_legend_item){CHART_SW_THIN, CHART_VERMILLION, "capacity (100 %)"};
    top += chart_legend_row(c, LEFT, top, w - LEFT - RIGHT, items, ni, 1) + 6;

    snprintf(buf, sizeof buf, "natcap %s \u00b7 seed %llu \u00b7 points probed with %u "
                              "replication, answers with all %u \u00b7 same seeds at every point "
                              "\u00b7 input %s",
             NATCAP_VERSION, (unsigned long long)sc->seed, PLAN_PROBE_REPS, ps->base->reps,
             x->o->input_dir ? x->o->input_dir : "?");
    chart_text(c, MARGIN, h - 6, CHART_FS_SMALL, CHART_BOTTOM, CHART_MUTED, w - 2 * MARGIN, buf);
    double bottom = h - 20 - 30;   /* footer, x labels and title */

    /* x from a little below the lowest point to a little above the highest,
     * 1x always included: the points of a bisection sit close together */
    double xmin = 1, xmax = 1, ymax = 1.0;
    for (size_t k = 0; k < ps->npoints; k++) {
        if (ps->points[k].rate_scale > xmax)
            xmax = ps->points[k].rate_scale;
        if (ps->points[k].rate_scale < xmin)
            xmin = ps->points[k].rate_scale;
        for (size_t g = 0; g < ng; g++)
            if (ps->points[k].peak_utilization[g] > ymax)
                ymax = ps->points[k].peak_utilization[g];
    }
    chart_ticks xt, yt;
    double pad = 0.05 * (xmax - xmin) + 0.01 * xmax;
    chart_nice_ticks(xmin - pad > 0 ? xmin - pad : 0, xmax + pad, 8, &xt);
    /* percent axis in steps of 20 (50 past 200 %): 100 % is always a tick */
    double ystep = ymax > 2.0 ? 50 : 20;
    yt.lo = 0;
    yt.step = ystep;
    yt.hi = ystep * ceil((100 * ymax + 5) / ystep);
    yt.count = (int)lround(yt.hi / ystep) + 1;
    yt.nfrac = 0;
    chart_map m = {LEFT, top, w - LEFT - RIGHT, bottom - top, xt.lo, xt.hi, 0, yt.hi};

    /* grid and axes: value axis in percent, x axis in multiples of today's rate */
    for (int i = 0; i < yt.count; i++) {
        double v = chart_tick_value(&yt, i), yy = chart_map_y(&m, v);
        if (v > 0)
            chart_hline(c, m.x, m.x + m.w, yy, 0.5, CHART_GRID, 0);
        snprintf(buf, sizeof buf, "%.0f %%", v);
        chart_text(c, m.x - 5, yy, CHART_FS_LABEL, CHART_RIGHT | CHART_MIDDLE, CHART_INK, 0, buf);
    }
    for (int i = 0; i < xt.count; i++) {
        double v = chart_tick_value(&xt, i), xx = chart_map_x(&m, v);
        if (v > xt.lo)
            chart_vline(c, xx, m.y, m.y + m.h, 0.5, CHART_GRID, 0);
        chart_vline(c, xx, m.y + m.h, m.y + m.h + 3, 0.8, CHART_MUTED, 0);
        snprintf(buf, sizeof buf, "%.*f\u00d7", xt.nfrac, v);
        chart_text(c, xx, m.y + m.h + 4, CHART_FS_LABEL, CHART_CENTER | CHART_TOP, CHART_INK, 0,
                   buf);
    }
    chart_text(c, m.x + m.w / 2, m.y + m.h + 18, CHART_FS_LABEL, CHART_CENTER | CHART_TOP,
               CHART_MUTED, 0, "multiplier of every request rate (1\u00d7 = the scenario as given)");
    chart_text(c, MARGIN - 4, m.y + m.h / 2, CHART_FS_LABEL,
               CHART_VERTICAL | CHART_CENTER | CHART_TOP, CHART_MUTED, 0,
               "peak utilisation of the fullest pool (mean of replications)");

    chart_hline(c, m.x, m.x + m.w, chart_map_y(&m, 100.0 * x->po->target_utilization), 1.2,
                CHART_ORANGE, 4);
    chart_hline(c, m.x, m.x + m.w, chart_map_y(&m, 100.0), 1.2, CHART_VERMILLION, 0);
    chart_vline(c, chart_map_x(&m, 1.0), m.y, m.y + m.h, 0.8, CHART_MUTED, 2);

    double xs[256], ys[256];
    for (size_t g = 0; g < ng; g++) {
        size_t n = 0;
        for (size_t k = 0; k < ps->npoints && n < 256; k++, n++) {
            xs[n] = ps->points[k].rate_scale;
            ys[n] = 100.0 * ps->points[k].peak_utilization[g];
        }
        chart_rgba col = chart_series_colour(g);
        chart_polyline(c, &m, xs, ys, n, 1.2, col, 0);
        const plan_gw *a = &ps->gw[g];
        if (!isnan(a->headroom_rate_scale))
            chart_vline(c, chart_map_x(&m, a->headroom_rate_scale), m.y, m.y + m.h, 1.0, col, 1.5);
        for (size_t k = 0; k < n; k++)
            marker(c, chart_map_x(&m, xs[k]), chart_map_y(&m, ys[k]),
                   ps->points[k].exhausted_reps[g] > 0, col);
    }
    chart_frame(c, &m);
    return NC_OK;
}

static nc_status write_headroom(outdir *od, const plan_scenario *ps, const plan_opts *po,
                                const plot_opts *o, nc_error *err)
{
    static const struct {
        unsigned bit;
        canvas_format f;
    } formats[] = {{PLOT_PNG, CANVAS_PNG}, {PLOT_PDF, CANVAS_PDF}, {PLOT_SVG, CANVAS_SVG}};
    hr_ctx ctx = {ps, po, o};
    char title[256];
    snprintf(title, sizeof title, "natcap: %s, headroom", ps->sc->name);
    canvas_meta meta = {title, o->run_epoch};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (!(o->formats & formats[i].bit))
            continue;
        char path[NC_NAME_MAX + 32];
        snprintf(path, sizeof path, "%s/headroom.%s", ps->sc->name, canvas_ext(formats[i].f));
        nc_status st = canvas_write(od, path, formats[i].f, FIG_W, FIG_H, &meta, draw_headroom,
                                    &ctx, err);
        if (st != NC_OK)
            return st;
    }
    return NC_OK;
}

/* ---- the plan page of report.pdf ---------------------------------------------------- */

#define PG_ROW 15.0
#define PG_TIGHT CHART_RGB(0xA86400, 1.0)   /* dark orange, readable as text */
#define PG_GOOD CHART_RGB(0x007A57, 1.0)

static const struct pg_col {
    const char *head, *sub;
    double w;
    int right;
} pg_cols[] = {
    {"scenario", "", 100, 0},
    {"gateway", "", 74, 0},
    {"capacity", "ports, fullest pool", 76, 1},
    {"peak in use", "mean of reps, util.", 88, 1},
    {"headroom", "\u00d7 every rate", 62, 1},
    {"NAT IPs", "now \u2192 for U", 62, 1},
    {"IPs at G", "for U", 50, 1},
    {"pool_idle", "for U", 60, 1},
    {"TIME_WAIT", "now \u2192 for U", 76, 1},
    {"alert lead", "alert at A", 60, 1},
    {"analytic peak", "no port limit", 0, 1},
};
enum { PG_NCOLS = sizeof pg_cols / sizeof pg_cols[0] };

static void pg_long(long v, const char *none, char *buf, size_t len)
{
    if (v == PLAN_NA)
        snprintf(buf, len, "n/a");
    else if (v == PLAN_NONE)
        snprintf(buf, len, "%s", none);
    else
        snprintf(buf, len, "%ld", v);
}

static void pg_line(chart *c, double x0, double w0, double y, const char *const cell[PG_NCOLS],
                    const chart_rgba col[PG_NCOLS], const unsigned flags[PG_NCOLS], double size)
{
    double x = x0;
    for (size_t i = 0; i < PG_NCOLS; i++) {
        double w = pg_cols[i].w > 0 ? pg_cols[i].w : x0 + w0 - x;
        double tx = pg_cols[i].right ? x + w - 6 : x + 4;
        chart_text(c, tx, y + PG_ROW / 2, size,
                   flags[i] | CHART_MIDDLE | (pg_cols[i].right ? CHART_RIGHT : 0), col[i], w - 8,
                   cell[i]);
        x += w;
    }
}

static void pg_row(chart *c, double x0, double w0, double y, const plan_scenario *ps, size_t g,
                   const plan_opts *o)
{
    const nc_gateway *gw = &ps->sc->gateways[g];
    const plan_gw *a = &ps->gw[g];
    char cap[32], peak[48], num[32], hr[32], ips[48], ipg[32], pool[32], tw[48], lead[32],
        an[32];
    chart_format_number((double)a->capacity, 0, cap, sizeof cap);
    chart_format_number(a->peak_in_use, 0, num, sizeof num);
    snprintf(peak, sizeof peak, "%s (%.0f %%)", num, 100 * a->peak_utilization);
    if (isnan(a->headroom_rate_scale))
        snprintf(hr, sizeof hr, "n/a");
    else if (a->headroom_capped)
        snprintf(hr, sizeof hr, "\u2265 %g\u00d7", a->headroom_rate_scale);
    else
        snprintf(hr, sizeof hr, "%.2f\u00d7", a->headroom_rate_scale);
    pg_long(a->min_nat_ips, "> limit", num, sizeof num);
    snprintf(ips, sizeof ips, "%u \u2192 %s", gw->nat_ips, num);
    pg_long(a->min_nat_ips_at_growth, "> limit", ipg, sizeof ipg);
    if (a->pool_idle_needed == 0)
        snprintf(pool, sizeof pool, "not needed");
    else
        pg_long(a->pool_idle_needed, "none \u2264 1024", pool, sizeof pool);
    if (a->time_wait_na)
        snprintf(tw, sizeof tw, "n/a");
    else if (isnan(a->time_wait_s_needed))
        snprintf(tw, sizeof tw, "none");
    else
        snprintf(tw, sizeof tw, "%g \u2192 %.0f s", gw->time_wait_s, a->time_wait_s_needed);
    if (a->exhausted_replications == 0)
        snprintf(lead, sizeof lead, "no failure");
    else if (isnan(a->alert_lead_minutes))
        snprintf(lead, sizeof lead, "too late");
    else
        snprintf(lead, sizeof lead, "%.0f min", a->alert_lead_minutes);
    if (isnan(a->analytic_peak_in_use))
        snprintf(an, sizeof an, "n/a");
    else
        chart_format_number(a->analytic_peak_in_use, 0, an, sizeof an);

    const char *cell[PG_NCOLS] = {ps->sc->name, gw->name, cap, peak, hr, ips, ipg, pool, tw,
                                  lead, an};
    chart_rgba col[PG_NCOLS];
    unsigned flags[PG_NCOLS] = {0};
    for (size_t i = 0; i < PG_NCOLS; i++)
        col[i] = CHART_INK;
    /* headroom: below 1 fails today, below G fails after the growth */
    if (isnan(a->headroom_rate_scale) || a->headroom_rate_scale < 1) {
        col[4] = CHART_VERMILLION;
        flags[4] = CHART_BOLD;
    } else if (a->headroom_rate_scale < o->growth) {
        col[4] = PG_TIGHT;
        flags[4] = CHART_BOLD;
    } else {
        col[4] = PG_GOOD;
    }
    if (a->exhausted_replications > 0) {
        col[3] = CHART_VERMILLION;
        flags[3] = CHART_BOLD;
    }
    pg_line(c, x0, w0, y, cell, col, flags, CHART_FS_LABEL);
}

/* The scenario whose headroom chart goes on the page: the first with a
 * failed allocation, else the one with the least headroom (gateways that
 * fail at any load have no headroom to chart); NULL if none. */
static const plan_scenario *pg_chart_scenario(const plan_result *p)
{
    const plan_scenario *best = NULL;
    double least = INFINITY;
    for (size_t i = 0; i < p->n; i++)
        for (size_t g = 0; g < p->scen[i].sc->ngateways; g++) {
            if (isnan(p->scen[i].gw[g].headroom_rate_scale))
                continue;   /* fails at any load: nothing to chart */
            if (p->scen[i].gw[g].exhausted_replications > 0)
                return &p->scen[i];
            if (p->scen[i].gw[g].headroom_rate_scale < least) {
                least = p->scen[i].gw[g].headroom_rate_scale;
                best = &p->scen[i];
            }
        }
    return best != NULL && best->npoints > 0 ? best : NULL;
}

nc_status plan_page_draw(chart *c, double x0, double y0, double w, double h, void *ud)
{
    const plan_page *pg = ud;
    const plan_result *p = pg->p;
    const plan_opts *o = &p->opts;
    const double bottom = y0 + h - 6;
    char buf[512];
    double y = y0;
    chart_text(c, x0, y, 16, CHART_BOLD, CHART_INK, 0, "Capacity plan");
    y += 22;
    snprintf(buf, sizeof buf,
             "natcap plan: %zu variants of the scenarios simulated (%llu replications), each "
             "with the scenario\u2019s own seeds, so every answer is reproducible. Each answer "
             "changes one knob of one gateway, everything else as given; details in plan.md, "
             "every row in plan.csv.",
             p->simulations, (unsigned long long)p->replications);
    y += chart_paragraph(c, x0, y, w, CHART_FS_SUBTITLE, 0, CHART_MUTED, 2, buf);
    y += 6;
    /* the targets, two by two: key in bold, meaning beside it */
    char key[4][32];
    snprintf(key[0], sizeof key[0], "U = %.0f %%", 100 * o->target_utilization);
    snprintf(key[1], sizeof key[1], "G = %g\u00d7", o->growth);
    snprintf(key[2], sizeof key[2], "A = %.0f %%", 100 * o->alert_at);
    snprintf(key[3], sizeof key[3], "M = %g min", o->lead_minutes);
    static const char *const meaning[4] = {
        "target: highest peak of any replication \u2264 U \u00d7 capacity, no failed allocation",
        "growth of every request rate",
        "alert threshold on mappings in use \u00f7 capacity",
        "wanted alert lead before the first failure",
    };
    for (int k = 0; k < 4; k++) {
        double kx = x0 + (k % 2 ? w * 0.6 : 0), ky = y + (k / 2) * 12;
        double kw = chart_text(c, kx, ky, CHART_FS_LABEL, CHART_BOLD, CHART_INK, 0, key[k]);
        chart_text(c, kx + kw + 6, ky, CHART_FS_LABEL, 0, CHART_INK,
                   (k % 2 ? w * 0.4 : w * 0.6 - 10) - kw - 6, meaning[k]);
    }
    y += 24;
    y += 10;

    /* two-line header */
    const char *head[PG_NCOLS], *sub[PG_NCOLS];
    chart_rgba hcol[PG_NCOLS], scol[PG_NCOLS];
    unsigned hfl[PG_NCOLS], sfl[PG_NCOLS];
    for (size_t i = 0; i < PG_NCOLS; i++) {
        head[i] = pg_cols[i].head;
        sub[i] = pg_cols[i].sub;
        hcol[i] = CHART_INK;
        scol[i] = CHART_MUTED;
        hfl[i] = CHART_BOLD;
        sfl[i] = 0;
    }
    pg_line(c, x0, w, y, head, hcol, hfl, CHART_FS_LABEL);
    y += PG_ROW - 3;
    pg_line(c, x0, w, y, sub, scol, sfl, CHART_FS_SMALL);
    y += PG_ROW;
    chart_hline(c, x0, x0 + w, y, 0.8, CHART_MUTED, 0);

    const plan_scenario *cs = pg_chart_scenario(p);
    const double chart_min = 240;
    size_t total = 0;
    for (size_t i = 0; i < p->n; i++)
        total += p->scen[i].sc->ngateways;
    double room = (cs != NULL ? bottom - chart_min - 16 : bottom) - y - PG_ROW;
    size_t max_rows = room > 0 ? (size_t)(room / PG_ROW) : 0;
    if (cs != NULL && max_rows < 3 && total > max_rows) {   /* the table comes first */
        cs = NULL;
        room = bottom - y - PG_ROW;
        max_rows = room > 0 ? (size_t)(room / PG_ROW) : 0;
    }
    size_t shown = 0;
    for (size_t i = 0; i < p->n; i++)
        for (size_t g = 0; g < p->scen[i].sc->ngateways && shown < max_rows; g++, shown++) {
            if (shown % 2 == 1)
                chart_fill_rect(c, x0, y, w, PG_ROW, CHART_RGB(0xF4F4F4, 1));
            pg_row(c, x0, w, y, &p->scen[i], g, o);
            y += PG_ROW;
        }
    chart_hline(c, x0, x0 + w, y, 0.8, CHART_MUTED, 0);
    if (shown < total) {
        snprintf(buf, sizeof buf, "\u2026 and %zu more rows: see plan.csv", total - shown);
        chart_text(c, x0 + 4, y + 3, CHART_FS_LABEL, 0, CHART_MUTED, 0, buf);
        y += PG_ROW;
    }
    y += 4;
    y += chart_paragraph(c, x0, y, w, CHART_FS_SMALL, 0, CHART_MUTED, 2,
               "headroom: vermillion below 1\u00d7 (fails today), orange below G \u00b7 "
               "for U: the value that meets the target \u00b7 alert lead: median minutes from "
               "the A alert to the first failed allocation \u00b7 analytic: expected peak "
               "without a port limit, rows without pooling");
    y += 12;

    if (cs == NULL || bottom - y < 120)
        return NC_OK;
    hr_ctx hx = {cs, o, pg->o};
    cairo_t *cr = chart_cairo(c);
    cairo_save(cr);
    cairo_translate(cr, x0 - MARGIN, y);
    nc_status st = draw_headroom(c, w + MARGIN, bottom - y, &hx);
    cairo_restore(cr);
    return st;
}

void plan_page_markdown(FILE *fp, void *ud)
{
    const plan_page *pg = ud;
    const plan_opts *o = &pg->p->opts;
    fprintf(fp, "## Capacity plan\n\n"
                "Written by `natcap plan` (target %.0f %%, growth %g\u00d7, alert at %.0f %%, "
                "lead %g min): the answers are in [plan.md](plan.md) and [plan.csv](plan.csv), "
                "and on page 2 of report.pdf.\n\n",
            100 * o->target_utilization, o->growth, 100 * o->alert_at, o->lead_minutes);
}

nc_status plan_write_report(outdir *od, const plan_result *p, const plot_opts *o, nc_error *err)
{
    const nc_scen_result **rs = malloc((p->n ? p->n : 1) * sizeof *rs);
    if (rs == NULL)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < p->n; i++)
        rs[i] = p->scen[i].base;
    plan_page pg = {p, o};
    report_extra extra = {plan_page_draw, plan_page_markdown, &pg};
    nc_status st = NC_OK;
    for (size_t i = 0; st == NC_OK && i < p->n; i++)   /* the charts report.md links */
        st = plot_scenario(od, rs[i], o, err);
    if (st == NC_OK)
        st = plot_comparison(od, rs, p->n, o, err);
    if (st == NC_OK)
        st = report_write_ex(od, rs, p->n, o, &extra, err);
    free(rs);
    return st;
}

nc_status plan_write(outdir *od, const plan_result *p, const plot_opts *o, nc_error *err)
{
    char date[64];
    canvas_format_epoch_human(o->run_epoch, date, sizeof date);
    const char *ext = (o->formats & PLOT_PNG)   ? "png"
                      : (o->formats & PLOT_SVG) ? "svg"
                      : (o->formats & PLOT_PDF) ? "pdf"
                                                : NULL;
    plan_md_opts mo = {o->input_dir ? o->input_dir : "?", date, ext};
    nc_status st = plan_out_csv(od, p, err);
    if (st == NC_OK)
        st = plan_out_md(od, p, &mo, err);
    for (size_t i = 0; st == NC_OK && i < p->n; i++)
        st = write_headroom(od, &p->scen[i], &p->opts, o, err);
    return st;
}
