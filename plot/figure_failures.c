/* figure_failures.c - the failures chart (see figure.h). */
#include "figure_impl.h"

#include "overlay.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- failures ---------------------------------------------------------------------- */

static nc_status failures_panel(chart *c, const figure_ctx *f, size_t g, const chart_map *area,
                                int last, chart_map *out)
{
    const nc_scen_result *r = f->r;
    series s;
    if (fig_series_load(r, g, &s) != NC_OK)
        return NC_ENOMEM;
    /* counts above, the share of requests failed in a panel of its own below */
    chart_map m = *area, mp = *area;
    int split = area->h >= 110;   /* else too small for two panels: the header gives the day's share */
    if (split) {
        m.h = area->h * 0.52;
        mp.y = m.y + m.h + PANEL_TICKS + 8;
        mp.h = area->y + area->h - mp.y;
    }
    chart_ticks yt;
    double top = fig_series_max(s.syn_fail, s.n);
    if (fig_series_max(s.req_fail, s.n) > top)
        top = fig_series_max(s.req_fail, s.n);
    if (fig_series_max(s.stale, s.n) > top)
        top = fig_series_max(s.stale, s.n);
    top = fmax(top, overlay_failures_max(r, g));
    chart_value_ticks(top, 0, fig_value_ntick(m.h), &yt);
    m.x0 = 0;
    m.x1 = fig_duration_s(r);
    m.y0 = 0;
    m.y1 = yt.hi;
    if (out != NULL)
        *out = m;

    nc_gw_summary sum;
    nc_summarize_gateway(r, g, &sum);
    double reps = r->reps ? (double)r->reps : 1;
    char a[32], b[32], d[32], details[256], ytitle[96], span[32];
    chart_format_number((double)sum.alloc_failures / reps, 0, a, sizeof a);
    chart_format_number((double)sum.failed_requests / reps, 0, b, sizeof b);
    chart_format_number((double)sum.stale_reuses / reps, 0, d, sizeof d);
    snprintf(details, sizeof details,
             "per replication: %s failed SYNs \u00b7 %s failed requests (%.2f %% of requests) "
             "\u00b7 %s stale reuses",
             a, b, sum.failed_request_pct, d);
    fig_panel_head(c, &m, r->sc->ngateways > 1 ? r->sc->gateways[g].name : NULL, details);
    figure_format_span(r->sc->sample_s, span, sizeof span);
    snprintf(ytitle, sizeof ytitle, "per %s interval (mean of %u reps)", span, r->reps);
    chart_axes(c, &m, &yt, CHART_FMT_COUNT, split || !last ? NULL : fig_x_title(m.x1), ytitle);
    if (top <= 0) {
        chart_text(c, m.x + m.w / 2, m.y + m.h / 2, CHART_FS_PANEL, CHART_CENTER | CHART_MIDDLE,
                   CHART_MUTED, 0, "no failed SYNs, failed requests or stale reuses");
    } else {
        chart_polyline(c, &m, s.x, s.syn_fail, s.n, 1.4, CHART_VERMILLION, 0);
        chart_polyline(c, &m, s.x, s.req_fail, s.n, 1.4, CHART_BLUE, 0);
        chart_polyline(c, &m, s.x, s.stale, s.n, 1.4, CHART_GREEN, 0);
    }
    overlay_failures(c, &m, r, g);
    chart_frame(c, &m);
    if (!split) {
        fig_series_free(&s);
        return NC_OK;
    }

    chart_ticks pt;
    double ptop = fig_series_max(s.fail_pct, s.n);
    chart_value_ticks(ptop > 0 ? ptop : 1.0, 0, fig_value_ntick(mp.h) > 4 ? 4 : fig_value_ntick(mp.h), &pt);
    mp.x0 = 0;
    mp.x1 = m.x1;
    mp.y0 = 0;
    mp.y1 = pt.hi;
    chart_axes(c, &mp, &pt, CHART_FMT_PERCENT, last ? fig_x_title(mp.x1) : NULL,
               mp.h > 50 ? "requests failed" : "failed");
    chart_polyline(c, &mp, s.x, s.fail_pct, s.n, 1.6, CHART_BLUE, 0);
    if (ptop > 0) {
        char lab[160];
        size_t kmax = 0;
        for (size_t i = 0; i < s.n; i++)
            if (s.fail_pct[i] > s.fail_pct[kmax])
                kmax = i;
        char clock[32], end[32];
        /* points sit at their interval's end; timeseries.csv names its start */
        chart_format_clock(s.x[kmax] - r->sc->sample_s, mp.x1, clock, sizeof clock);
        chart_format_clock(s.x[kmax], mp.x1, end, sizeof end);
        snprintf(lab, sizeof lab, "share of requests failed per interval \u00b7 highest %.3g %% "
                 "(%s\u2013%s)", s.fail_pct[kmax], clock, end);
        if (mp.h > 50)
            fig_boxed_label(c, mp.x + 4, mp.y + 2, CHART_LEFT | CHART_TOP, CHART_INK, lab);
    } else if (mp.h > 50) {
        fig_boxed_label(c, mp.x + 4, mp.y + 2, CHART_LEFT | CHART_TOP, CHART_MUTED,
                    "share of requests failed per interval: none failed");
    }
    chart_frame(c, &mp);
    fig_series_free(&s);
    return NC_OK;
}

nc_status figure_failures(chart *c, double w, double h, void *ctx)
{
    const figure_ctx *f = ctx;
    const nc_scen_result *r = f->r;
    size_t ng = r->sc->ngateways;
    char title[256];
    if (ng == 1)
        snprintf(title, sizeof title, "%s \u2014 gateway %s: failures", r->sc->name,
                 r->sc->gateways[0].name);
    else
        snprintf(title, sizeof title, "%s \u2014 failures per gateway", r->sc->name);
    double top = fig_draw_title(c, f, w, title, r->sc->description);
    double bottom = fig_draw_footer(c, f, w, h);
    chart_legend_item items[] = {
        {CHART_SW_LINE, CHART_VERMILLION, "failed SYNs (no mapping free)"},
        {CHART_SW_LINE, CHART_BLUE, "failed requests"},
        {CHART_SW_LINE, CHART_GREEN, "stale reuses"},
        {CHART_SW_LINE, OVERLAY_COLOUR, NULL},
    };
    char obs[256];
    items[3].label = overlay_failures_label(r, obs, sizeof obs);
    top += chart_legend_row(c, LEFT, top, w - LEFT - RIGHT, items, items[3].label ? 4 : 3, 1) + 4;
    chart_map areas[FIGURE_MAX_PANELS];
    size_t np = ng < FIGURE_MAX_PANELS ? ng : FIGURE_MAX_PANELS;
    if (np == 0)
        return NC_OK;
    fig_stack_maps(top, bottom, LEFT, w - LEFT - RIGHT, np, 1, areas);
    for (size_t g = 0; g < np; g++) {
        nc_status st = failures_panel(c, f, g, &areas[g], g + 1 == np,
                                      f->maps != NULL ? &f->maps[g] : NULL);
        if (st != NC_OK)
            return st;
    }
    return NC_OK;
}
