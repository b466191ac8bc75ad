/*
 * figure.c - occupancy, failures, services and comparison charts (see
 * figure.h).
 *
 * Layout: optional title block, a legend row (or a legend column on the
 * right for charts with many series), one panel per gateway stacked
 * vertically, the x-axis title, optional provenance footer.  Margins are
 * fixed in points, so charts of the same size line up.
 *
 * Data: every value comes from nc_interval_stats_get / nc_summarize_gateway
 * and is plotted at the end of its interval.  Runs longer than MAX_POINTS
 * intervals are binned (mean of means, min of p05, max of p95 and of the
 * in-interval maximum), so a week at 1 s keeps the envelope but not 600,000
 * path points; shading of failed intervals always uses the raw intervals.
 * Cost: O(nsamples * reps log reps) per gateway, for the percentiles.
 */
#include "figure.h"

#include "overlay.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_POINTS 2000
#define MARGIN 16.0       /* page edge to title and footer */
#define LEFT 78.0         /* page edge to plot: room for "1,000,000" and the y title */
#define RIGHT 22.0        /* room for the last x label, "24:00", centred on the edge */
#define LEGEND_COL_W 230.0
#define SHADE CHART_RGB(0xD55E00, 0.18)
#define BAND CHART_RGB(0x56B4E9, 0.40)
#define MAXLINE CHART_RGB(0x555555, 0.85)

/* ---- small helpers ----------------------------------------------------------------- */

void figure_format_hhmm(sim_time t, char *buf, size_t len)
{
    double s = floor(sim_to_s(t));
    chart_format_clock(s, INFINITY, buf, len);
}

void figure_format_span(double s, char *buf, size_t len)
{
    if (s >= 3600 && fmod(s, 3600) == 0)
        snprintf(buf, len, "%g h", s / 3600);
    else if (s >= 60 && fmod(s, 60) == 0)
        snprintf(buf, len, "%g min", s / 60);
    else
        snprintf(buf, len, "%g s", s);
}

void figure_row_label(const nc_scen_result *r, size_t row, char *buf, size_t len)
{
    const nc_scenario *sc = r->sc;
    const nc_service *sv = &sc->services[row];
    const char *dest = sv->destination < sc->ndestinations ? sc->destinations[sv->destination].name
                                                           : "?";
    if (sc->ngateways > 1 && sv->gateway < sc->ngateways)
        snprintf(buf, len, "%s \u2192 %s @ %s", sv->name, dest, sc->gateways[sv->gateway].name);
    else
        snprintf(buf, len, "%s \u2192 %s", sv->name, dest);
}

size_t figure_fullest_gateway(const nc_scen_result *r)
{
    size_t best = 0;
    double best_u = -1;
    for (size_t g = 0; g < r->sc->ngateways; g++) {
        nc_gw_summary s;
        nc_summarize_gateway(r, g, &s);
        if (s.peak_utilization > best_u) {
            best_u = s.peak_utilization;
            best = g;
        }
    }
    return best;
}

static double duration_s(const nc_scen_result *r) { return sim_to_s(r->duration_us); }

/* Axis title: multi-day axes explain their "D+HH:MM" labels. */
static const char *x_title(double axis_end_s)
{
    return axis_end_s > 86400.5 ? "time (HH:MM; D+HH:MM = D days after the first 00:00)"
                                : "time of day (HH:MM)";
}

static int value_ntick(double h) { return h < 120 ? 4 : h < 220 ? 6 : 8; }

/* Text over a white box, so a label stays readable over grid and data. */
static void boxed_label(chart *c, double x, double y, unsigned flags, chart_rgba col,
                        const char *text)
{
    double w, h;
    chart_text_size(c, CHART_FS_LABEL, flags, text, &w, &h);
    double bx = (flags & CHART_RIGHT) ? x - w : (flags & CHART_CENTER) ? x - w / 2 : x;
    double by = (flags & CHART_BOTTOM) ? y - h : (flags & CHART_MIDDLE) ? y - h / 2 : y;
    chart_fill_rect(c, bx - 2, by, w + 4, h, CHART_RGB(0xFFFFFF, 0.85));
    chart_text(c, x, y, CHART_FS_LABEL, flags, col, 0, text);
}

/* ---- data ------------------------------------------------------------------------ */

typedef struct series {
    size_t n;                       /* points (bins of intervals) */
    double *x;                      /* end of the bin, seconds */
    double *mean, *p05, *p95, *max; /* mappings in use in the fullest pool */
    double *syn_fail, *req_fail, *stale;
    double *util_pct;
    double *buf;
} series;

enum { SERIES_COLS = 9 };

static size_t bin_width(const nc_scen_result *r)
{
    size_t b = ((size_t)r->nsamples + MAX_POINTS - 1) / MAX_POINTS;
    return b ? b : 1;
}

static double interval_end_s(const nc_scen_result *r, uint32_t k)
{
    sim_time e = (sim_time)(k + 1) * r->sample_us;
    return sim_to_s(e < r->duration_us ? e : r->duration_us);
}

static void series_free(series *s)
{
    free(s->buf);
    memset(s, 0, sizeof *s);
}

static void bin_add(series *s, size_t i, const nc_interval_stats *st, int first)
{
    s->mean[i] += st->in_use_mean;
    s->syn_fail[i] += st->alloc_failures_mean;
    s->req_fail[i] += st->failed_requests_mean;
    s->stale[i] += st->stale_reuses_mean;
    s->util_pct[i] += 100.0 * st->utilization_mean;
    if (first || st->in_use_p05 < s->p05[i])
        s->p05[i] = st->in_use_p05;
    if (first || st->in_use_p95 > s->p95[i])
        s->p95[i] = st->in_use_p95;
    if (first || st->in_use_max > s->max[i])
        s->max[i] = st->in_use_max;
}

static nc_status series_load(const nc_scen_result *r, size_t g, series *s)
{
    memset(s, 0, sizeof *s);
    if (r->reps == 0 || r->nsamples == 0)
        return NC_OK;   /* nothing measured: empty axes */
    size_t bin = bin_width(r);
    size_t n = ((size_t)r->nsamples + bin - 1) / bin;
    s->buf = calloc(SERIES_COLS * n, sizeof(double));
    double *scratch = malloc(r->reps * sizeof(double));
    if (s->buf == NULL || scratch == NULL) {
        free(scratch);
        series_free(s);
        return NC_ENOMEM;
    }
    s->n = n;
    double **cols[SERIES_COLS] = {&s->x,        &s->mean,     &s->p05,   &s->p95,     &s->max,
                                  &s->syn_fail, &s->req_fail, &s->stale, &s->util_pct};
    for (size_t j = 0; j < SERIES_COLS; j++)
        *cols[j] = s->buf + j * n;
    for (size_t i = 0; i < n; i++) {
        uint32_t k0 = (uint32_t)(i * bin);
        uint32_t k1 = k0 + (uint32_t)bin < r->nsamples ? k0 + (uint32_t)bin : r->nsamples;
        for (uint32_t k = k0; k < k1; k++) {
            nc_interval_stats st;
            nc_interval_stats_get(r, g, k, scratch, &st);
            bin_add(s, i, &st, k == k0);
        }
        double cnt = (double)(k1 - k0);
        s->mean[i] /= cnt;
        s->syn_fail[i] /= cnt;
        s->req_fail[i] /= cnt;
        s->stale[i] /= cnt;
        s->util_pct[i] /= cnt;
        s->x[i] = interval_end_s(r, k1 - 1);
    }
    free(scratch);
    return NC_OK;
}

static double series_max(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] > m)
            m = v[i];
    return m;
}

/* ---- frame: title, footer, panel layout -------------------------------------------- */

/* Title and subtitle; returns the y below them. */
static double draw_title(chart *c, const figure_ctx *f, double w, const char *title,
                         const char *subtitle)
{
    if (!(f->flags & FIG_TITLE))
        return 6;
    double y = 10;
    chart_text(c, MARGIN, y, CHART_FS_TITLE, CHART_BOLD, CHART_INK, w - 2 * MARGIN, title);
    y += 20;
    if (subtitle != NULL && subtitle[0] != '\0') {
        chart_text(c, MARGIN, y, CHART_FS_SUBTITLE, 0, CHART_MUTED, w - 2 * MARGIN, subtitle);
        y += 15;
    }
    return y + 4;
}

/* Provenance line; returns the y above it. */
static double draw_footer(chart *c, const figure_ctx *f, double w, double h)
{
    if (!(f->flags & FIG_FOOTER))
        return h - 4;
    char buf[1024];
    const char *in = f->o != NULL && f->o->input_dir != NULL ? f->o->input_dir : "?";
    if (f->r != NULL) {
        char span[32];
        figure_format_span(f->r->sc->sample_s, span, sizeof span);
        snprintf(buf, sizeof buf,
                 "natcap %s \u00b7 seed %llu \u00b7 generator %s \u00b7 %u replications \u00b7 "
                 "%s intervals \u00b7 input %s",
                 NATCAP_VERSION, (unsigned long long)f->r->sc->seed,
                 f->r->rng_name[0] ? f->r->rng_name : "?", f->r->reps, span, in);
    } else {
        size_t o = (size_t)snprintf(buf, sizeof buf, "natcap %s \u00b7 input %s \u00b7 ",
                                    NATCAP_VERSION, in);
        for (size_t i = 0; i < f->n && o < sizeof buf; i++)
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s: seed %llu, %u reps",
                                  i ? "; " : "", f->rs[i]->sc->name,
                                  (unsigned long long)f->rs[i]->sc->seed, f->rs[i]->reps);
    }
    chart_text(c, MARGIN, h - 6, CHART_FS_SMALL, CHART_BOTTOM, CHART_MUTED, w - 2 * MARGIN, buf);
    return h - 20;
}

#define PANEL_HEAD 16.0   /* panel header line above the plot */
#define PANEL_TICKS 16.0  /* x tick labels below the plot */
#define PANEL_GAP 10.0
#define X_TITLE 14.0

/* Plot areas of n panels stacked between top and bottom. */
static void stack_maps(double top, double bottom, double x, double w, size_t n, int heads,
                       chart_map *out)
{
    double head = heads ? PANEL_HEAD : 0;
    double ph = (bottom - top - X_TITLE - PANEL_GAP * (double)(n - 1)) / (double)n;
    for (size_t i = 0; i < n; i++) {
        chart_map *m = &out[i];
        memset(m, 0, sizeof *m);
        m->x = x;
        m->y = top + (double)i * (ph + PANEL_GAP) + head;
        m->w = w;
        m->h = ph - head - PANEL_TICKS;
        if (m->h < 10)
            m->h = 10;
    }
}

/* More panels than this would be unreadable, and the PNG would pass cairo's
 * 32,767-pixel limit: charts show the first FIGURE_MAX_PANELS gateways
 * (timeseries.csv has them all). */
#define FIGURE_MAX_PANELS 40

double figure_panels_height(const nc_scen_result *r)
{
    size_t n = r->sc->ngateways ? r->sc->ngateways : 1;
    if (n > FIGURE_MAX_PANELS)
        n = FIGURE_MAX_PANELS;
    return n == 1 ? FIGURE_H : 130.0 + 300.0 * (double)n;
}

double figure_comparison_height(const nc_scen_result *const *rs, size_t n)
{
    size_t lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += rs[i]->sc->ngateways;
    double h = 140.0 + 14.0 * (double)lines;
    return h > FIGURE_H ? h : FIGURE_H;
}

/* Header line of a gateway panel: bold name (when several), muted details. */
static void panel_head(chart *c, const chart_map *m, const char *name, const char *details)
{
    double x = m->x, y = m->y - PANEL_HEAD + 2;
    if (name != NULL)
        x += chart_text(c, x, y, CHART_FS_PANEL, CHART_BOLD, CHART_INK, 0, name) + 8;
    chart_text(c, x, y + 1, CHART_FS_LABEL, 0, CHART_MUTED, m->x + m->w - x, details);
}

/* The gateway's allocation-pool figures for a panel header. */
static void occupancy_details(const nc_scen_result *r, size_t g, char *buf, size_t len)
{
    nc_gw_summary s;
    nc_summarize_gateway(r, g, &s);
    char cap[32], peak[32], first[32];
    chart_format_number((double)s.capacity, 0, cap, sizeof cap);
    chart_format_number(s.peak_in_use, 0, peak, sizeof peak);
    size_t o = (size_t)snprintf(buf, len, "capacity %s per pool \u00b7 peak %s (%.0f %%)", cap,
                                peak, 100.0 * s.peak_utilization);
    if (o >= len)
        return;
    if (s.first_exhaustion == SIM_TIME_NONE) {
        snprintf(buf + o, len - o, " \u00b7 no failed SYNs");
        return;
    }
    nc_format_clock(s.first_exhaustion, first, sizeof first);
    snprintf(buf + o, len - o,
             " \u00b7 first failed SYN %s \u00b7 failing %.0f min per replication "
             "(%u of %u replications)",
             first, s.exhausted_minutes, s.exhausted_replications, r->reps);
}

/* ---- occupancy --------------------------------------------------------------------- */

/* Shade each run of consecutive intervals with failed allocations. */
static void shade_failures(chart *c, const chart_map *m, const nc_scen_result *r, size_t g)
{
    const uint32_t *fail = r->gw[g].fail_reps;
    for (uint32_t k = 0; k < r->nsamples;) {
        if (fail[k] == 0) {
            k++;
            continue;
        }
        uint32_t k0 = k;
        while (k < r->nsamples && fail[k] > 0)
            k++;
        chart_vspan(c, m, sim_to_s((sim_time)k0 * r->sample_us), interval_end_s(r, k - 1), 1.5,
                    SHADE);
    }
}

/* Capacity and 80 % lines with their labels, and the first failure marked;
 * all labels sit between the capacity line and the top of the plot, the one
 * strip the data never enters. */
static void occupancy_marks(chart *c, const chart_map *m, const nc_scen_result *r, size_t g)
{
    char buf[96], num[32];
    double cap = (double)r->gw[g].capacity, right = m->x + m->w;
    double ycap = chart_map_y(m, cap), y80 = chart_map_y(m, 0.8 * cap);

    chart_hline(c, m->x, right, y80, 1.0, CHART_ORANGE, 5);
    chart_format_number(0.8 * cap, 0, num, sizeof num);
    snprintf(buf, sizeof buf, "80 %% alert %s", num);
    double lw80, lh80;
    chart_text_size(c, CHART_FS_LABEL, 0, buf, &lw80, &lh80);
    if (y80 - ycap > 2 * lh80)   /* else it would cover the capacity label */
        boxed_label(c, right - 4, y80 - 1, CHART_RIGHT | CHART_BOTTOM, CHART_MUTED, buf);

    chart_hline(c, m->x, right, ycap, 1.6, CHART_VERMILLION, 6);
    chart_format_number(cap, 0, num, sizeof num);
    snprintf(buf, sizeof buf, "capacity %s", num);
    double cw, ch;
    chart_text_size(c, CHART_FS_LABEL, CHART_BOLD, buf, &cw, &ch);
    double cap_x = right - 4;   /* right end, unless the failure label needs it */

    sim_time fe = r->gw[g].first_exhaustion;
    if (fe != SIM_TIME_NONE) {
        char clock[32], lab[64];
        double x = chart_map_x(m, sim_to_s(fe));
        chart_vline(c, x, m->y, m->y + m->h, 1.0, CHART_VERMILLION, 2);
        nc_format_clock(fe, clock, sizeof clock);
        snprintf(lab, sizeof lab, "first failed SYN %s", clock);
        double lw, lh;
        chart_text_size(c, CHART_FS_LABEL, CHART_BOLD, lab, &lw, &lh);
        int left_side = x + 4 + lw > right;
        double lx0 = left_side ? x - 4 - lw : x + 4;
        boxed_label(c, left_side ? x - 4 : x + 4, ycap - 1,
                    (left_side ? CHART_RIGHT : CHART_LEFT) | CHART_BOTTOM | CHART_BOLD,
                    CHART_VERMILLION, lab);
        if (lx0 + lw + 8 > cap_x - cw)
            cap_x = lx0 > m->x + cw + 12 ? m->x + 4 + cw : cap_x;
    }
    boxed_label(c, cap_x, ycap - 1, CHART_RIGHT | CHART_BOTTOM | CHART_BOLD, CHART_VERMILLION,
                buf);
}

static nc_status occupancy_panel(chart *c, const figure_ctx *f, size_t g, const chart_map *area,
                                 int last, chart_map *out)
{
    const nc_scen_result *r = f->r;
    series s;
    if (series_load(r, g, &s) != NC_OK)
        return NC_ENOMEM;
    chart_map m = *area;
    chart_ticks yt;
    double top = series_max(s.max, s.n);
    if (series_max(s.p95, s.n) > top)
        top = series_max(s.p95, s.n);
    top = fmax(top, overlay_level_max(r, g));
    chart_value_ticks(top, (double)r->gw[g].capacity, value_ntick(m.h), &yt);
    m.x0 = 0;
    m.x1 = duration_s(r);
    m.y0 = 0;
    m.y1 = yt.hi;
    if (out != NULL)
        *out = m;

    char details[512];
    occupancy_details(r, g, details, sizeof details);
    panel_head(c, &m, r->sc->ngateways > 1 ? r->sc->gateways[g].name : NULL, details);
    chart_axes(c, &m, &yt, CHART_FMT_COUNT, last ? x_title(m.x1) : NULL,
               "mappings in use (fullest pool)");
    shade_failures(c, &m, r, g);
    chart_band(c, &m, s.x, s.p05, s.p95, s.n, BAND);
    chart_polyline(c, &m, s.x, s.max, s.n, 0.6, MAXLINE, 0);
    chart_polyline(c, &m, s.x, s.mean, s.n, 1.8, CHART_BLUE, 0);
    overlay_level(c, &m, r, g);
    occupancy_marks(c, &m, r, g);
    chart_frame(c, &m);
    series_free(&s);
    return NC_OK;
}

nc_status figure_occupancy(chart *c, double w, double h, void *ctx)
{
    const figure_ctx *f = ctx;
    const nc_scen_result *r = f->r;
    size_t ng = r->sc->ngateways;
    char title[256], band[64], mean[64];
    if (ng == 1)
        snprintf(title, sizeof title, "%s \u2014 gateway %s: mappings in use", r->sc->name,
                 r->sc->gateways[0].name);
    else
        snprintf(title, sizeof title, "%s \u2014 mappings in use per gateway", r->sc->name);
    double top = draw_title(c, f, w, title, r->sc->description);
    double bottom = draw_footer(c, f, w, h);

    snprintf(mean, sizeof mean, "mean of %u replications", r->reps);
    snprintf(band, sizeof band, "5\u201395 %% of replications");
    chart_legend_item items[] = {
        {CHART_SW_LINE, CHART_BLUE, mean},
        {CHART_SW_AREA, BAND, band},
        {CHART_SW_THIN, MAXLINE, "highest inside the interval"},
        {CHART_SW_DASH, CHART_VERMILLION, "capacity"},
        {CHART_SW_DASH, CHART_ORANGE, "80 % alert"},
        {CHART_SW_AREA, SHADE, "interval with failed SYNs"},
        {CHART_SW_LINE, OVERLAY_COLOUR, NULL},
    };
    char obs[256];
    size_t nitems = sizeof items / sizeof items[0];
    items[nitems - 1].label = overlay_level_label(r, obs, sizeof obs);
    if (items[nitems - 1].label == NULL)
        nitems--;
    top += chart_legend_row(c, LEFT, top, w - LEFT - RIGHT, items, nitems, 1) + 4;

    chart_map areas[FIGURE_MAX_PANELS];
    size_t np = ng < FIGURE_MAX_PANELS ? ng : FIGURE_MAX_PANELS;
    if (np == 0)
        return NC_OK;
    stack_maps(top, bottom, LEFT, w - LEFT - RIGHT, np, 1, areas);
    for (size_t g = 0; g < np; g++) {
        nc_status st = occupancy_panel(c, f, g, &areas[g], g + 1 == np,
                                       f->maps != NULL ? &f->maps[g] : NULL);
        if (st != NC_OK)
            return st;
    }
    return NC_OK;
}

/* ---- failures ---------------------------------------------------------------------- */

static nc_status failures_panel(chart *c, const figure_ctx *f, size_t g, const chart_map *area,
                                int last, chart_map *out)
{
    const nc_scen_result *r = f->r;
    series s;
    if (series_load(r, g, &s) != NC_OK)
        return NC_ENOMEM;
    chart_map m = *area;
    chart_ticks yt;
    double top = series_max(s.syn_fail, s.n);
    if (series_max(s.req_fail, s.n) > top)
        top = series_max(s.req_fail, s.n);
    if (series_max(s.stale, s.n) > top)
        top = series_max(s.stale, s.n);
    top = fmax(top, overlay_failures_max(r, g));
    chart_value_ticks(top, 0, value_ntick(m.h), &yt);
    m.x0 = 0;
    m.x1 = duration_s(r);
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
    panel_head(c, &m, r->sc->ngateways > 1 ? r->sc->gateways[g].name : NULL, details);
    figure_format_span(r->sc->sample_s, span, sizeof span);
    snprintf(ytitle, sizeof ytitle, "per %s interval (mean of %u reps)", span, r->reps);
    chart_axes(c, &m, &yt, CHART_FMT_COUNT, last ? x_title(m.x1) : NULL, ytitle);
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
    series_free(&s);
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
    double top = draw_title(c, f, w, title, r->sc->description);
    double bottom = draw_footer(c, f, w, h);
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
    stack_maps(top, bottom, LEFT, w - LEFT - RIGHT, np, 1, areas);
    for (size_t g = 0; g < np; g++) {
        nc_status st = failures_panel(c, f, g, &areas[g], g + 1 == np,
                                      f->maps != NULL ? &f->maps[g] : NULL);
        if (st != NC_OK)
            return st;
    }
    return NC_OK;
}

/* ---- services ---------------------------------------------------------------------- */

#define TOP_ROWS 8

static chart_rgba layer_colour(size_t i)
{
    static const unsigned hex[TOP_ROWS] = {0x0072B2, 0xE69F00, 0x009E73, 0xD55E00,
                                           0x56B4E9, 0xCC79A7, 0xF0E442, 0x555555};
    return i < TOP_ROWS ? CHART_RGB(hex[i], 1.0) : CHART_RGB(0xC8C8C8, 1.0);
}

/* Rows ordered by their highest mappings held, largest first (index order
 * on ties, so the chart is deterministic). */
static int cmp_peak_desc(const void *a, const void *b, const double *peak)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (peak[i] != peak[j])
        return peak[i] < peak[j] ? 1 : -1;
    return i < j ? -1 : i > j;
}

static void sort_rows(size_t *idx, size_t n, const double *peak)
{
    for (size_t i = 1; i < n; i++)   /* insertion sort: tens of rows */
        for (size_t j = i; j > 0 && cmp_peak_desc(&idx[j - 1], &idx[j], peak) > 0; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
}

static double row_peak(const nc_scen_result *r, size_t row)
{
    double m = 0;
    for (uint32_t k = 0; k < r->nsamples; k++) {
        double v = (double)r->rows[row].in_use_sum[k] / (double)(r->reps ? r->reps : 1);
        if (v > m)
            m = v;
    }
    return m;
}

chart_rgba figure_row_colour(const nc_scen_result *r, size_t row)
{
    if (row >= r->sc->nservices)
        return layer_colour(TOP_ROWS);
    double p = row_peak(r, row);
    size_t rank = 0;
    for (size_t j = 0; j < r->sc->nservices; j++) {
        double q = row_peak(r, j);
        if (q > p || (q == p && j < row))
            rank++;
    }
    return layer_colour(rank < TOP_ROWS ? rank : TOP_ROWS);
}

/* Mean mappings held by a row in bin i (per replication). */
static double row_value(const nc_scen_result *r, size_t row, size_t i, size_t bin)
{
    uint32_t k0 = (uint32_t)(i * bin);
    uint32_t k1 = k0 + (uint32_t)bin < r->nsamples ? k0 + (uint32_t)bin : r->nsamples;
    double sum = 0;
    for (uint32_t k = k0; k < k1; k++)
        sum += (double)r->rows[row].in_use_sum[k];
    return sum / (double)(k1 - k0) / (double)r->reps;
}

typedef struct stack {
    size_t nrows, nlayers, n;   /* service rows, layers drawn, points */
    size_t *order;              /* rows by peak, largest first */
    double *peak;               /* per row, per replication */
    double *x;                  /* [n] */
    double *cum;                /* [(nlayers + 1) * n]: cumulative tops, layer 0 = zero */
} stack;

static void stack_free(stack *s)
{
    free(s->order);
    free(s->peak);
    free(s->x);
    free(s->cum);
}

static nc_status stack_load(const nc_scen_result *r, stack *s)
{
    memset(s, 0, sizeof *s);
    s->nrows = r->sc->nservices;
    if (s->nrows == 0 || r->reps == 0 || r->nsamples == 0)
        return NC_OK;
    size_t bin = bin_width(r);
    s->n = ((size_t)r->nsamples + bin - 1) / bin;
    s->nlayers = s->nrows > TOP_ROWS ? TOP_ROWS + 1 : s->nrows;
    s->order = calloc(s->nrows, sizeof *s->order);
    s->peak = calloc(s->nrows, sizeof *s->peak);
    s->x = calloc(s->n, sizeof *s->x);
    s->cum = calloc((s->nlayers + 1) * s->n, sizeof *s->cum);
    if (!s->order || !s->peak || !s->x || !s->cum) {
        stack_free(s);
        return NC_ENOMEM;
    }
    for (size_t row = 0; row < s->nrows; row++) {
        s->order[row] = row;
        s->peak[row] = row_peak(r, row);
    }
    sort_rows(s->order, s->nrows, s->peak);
    for (size_t i = 0; i < s->n; i++) {
        uint32_t klast = (uint32_t)((i + 1) * bin) < r->nsamples ? (uint32_t)((i + 1) * bin) - 1
                                                                  : r->nsamples - 1;
        s->x[i] = interval_end_s(r, klast);
        for (size_t j = 0; j < s->nrows; j++) {
            size_t layer = j < TOP_ROWS ? j : TOP_ROWS;
            s->cum[(layer + 1) * s->n + i] += row_value(r, s->order[j], i, bin);
        }
        for (size_t l = 1; l <= s->nlayers; l++)
            s->cum[l * s->n + i] += s->cum[(l - 1) * s->n + i];
    }
    return NC_OK;
}

/* The stack total is the fullest pool's occupancy only when the gateway has
 * a single pool (global mapping, ports shared); only then draw capacity. */
static int single_pool(const nc_scenario *sc)
{
    return sc->ngateways == 1 && sc->gateways[0].mapping == NC_MAPPING_GLOBAL &&
           sc->gateways[0].ports_per_instance == 0;
}

static void services_legend(chart *c, const nc_scen_result *r, const stack *s, double x,
                            double y, double w)
{
    chart_legend_item items[TOP_ROWS + 1];
    char labels[TOP_ROWS + 1][200];
    size_t n = 0;
    for (size_t l = s->nlayers; l-- > 0;) {   /* top of the stack first, as drawn */
        char num[32], name[160];
        if (l == TOP_ROWS) {
            snprintf(labels[n], sizeof labels[n], "other (%zu rows)", s->nrows - TOP_ROWS);
        } else {
            figure_row_label(r, s->order[l], name, sizeof name);
            chart_format_number(s->peak[s->order[l]], 0, num, sizeof num);
            snprintf(labels[n], sizeof labels[n], "%s \u00b7 peak %s", name, num);
        }
        items[n] = (chart_legend_item){CHART_SW_AREA, layer_colour(l), labels[n]};
        n++;
    }
    chart_text(c, x, y, CHART_FS_LABEL, CHART_BOLD, CHART_INK, w,
               "service \u2192 destination (mean)");
    chart_legend_column(c, x, y + 16, w, items, n);
}

nc_status figure_services(chart *c, double w, double h, void *ctx)
{
    const figure_ctx *f = ctx;
    const nc_scen_result *r = f->r;
    char title[256];
    snprintf(title, sizeof title, "%s \u2014 mappings in use by service", r->sc->name);
    double top = draw_title(c, f, w, title, r->sc->description) + 6;
    double bottom = draw_footer(c, f, w, h);
    stack s;
    if (stack_load(r, &s) != NC_OK)
        return NC_ENOMEM;

    double legend_w = (f->flags & FIG_NO_LEGEND) ? 0 : w < 600 ? w * 0.38 : LEGEND_COL_W;
    chart_map m;
    stack_maps(top, bottom, LEFT, w - LEFT - (legend_w > 0 ? legend_w + 20 : RIGHT), 1, 0, &m);
    double total = s.n ? series_max(s.cum + s.nlayers * s.n, s.n) : 0;
    int cap_line = single_pool(r->sc);
    chart_ticks yt;
    chart_value_ticks(total, cap_line ? (double)r->gw[0].capacity : 0, value_ntick(m.h), &yt);
    m.x0 = 0;
    m.x1 = duration_s(r);
    m.y0 = 0;
    m.y1 = yt.hi;
    if (f->maps != NULL)
        f->maps[0] = m;
    chart_axes(c, &m, &yt, CHART_FMT_COUNT, x_title(m.x1),
               cap_line ? "mappings in use" : "mappings in use (all pools)");
    for (size_t l = 0; l < s.nlayers; l++)
        chart_band(c, &m, s.x, s.cum + l * s.n, s.cum + (l + 1) * s.n, s.n, layer_colour(l));
    if (cap_line) {
        char buf[64], num[32];
        double cap = (double)r->gw[0].capacity;
        chart_hline(c, m.x, m.x + m.w, chart_map_y(&m, cap), 1.6, CHART_VERMILLION, 6);
        chart_format_number(cap, 0, num, sizeof num);
        snprintf(buf, sizeof buf, "capacity %s", num);
        boxed_label(c, m.x + m.w - 4, chart_map_y(&m, cap) - 1, CHART_RIGHT | CHART_BOTTOM | CHART_BOLD,
                    CHART_VERMILLION, buf);
    }
    if (s.nlayers == 0)
        chart_text(c, m.x + m.w / 2, m.y + m.h / 2, CHART_FS_PANEL, CHART_CENTER | CHART_MIDDLE,
                   CHART_MUTED, 0, "no service rows");
    chart_frame(c, &m);
    if (legend_w > 0)
        services_legend(c, r, &s, m.x + m.w + 20, m.y, legend_w);
    stack_free(&s);
    return NC_OK;
}

/* ---- comparison -------------------------------------------------------------------- */

nc_status figure_comparison(chart *c, double w, double h, void *ctx)
{
    const figure_ctx *f = ctx;
    double top = draw_title(c, f, w, "All scenarios \u2014 mean utilisation of the fullest pool",
                            "mappings in use / pool capacity, mean across replications") + 6;
    double bottom = draw_footer(c, f, w, h);
    double legend_w = w < 600 ? w * 0.34 : LEGEND_COL_W;
    chart_map m;
    stack_maps(top, bottom, LEFT, w - LEFT - legend_w - 20, 1, 0, &m);

    double xmax = 0, ymax = 0;
    for (size_t i = 0; i < f->n; i++) {
        const nc_scen_result *r = f->rs[i];
        if (duration_s(r) > xmax)
            xmax = duration_s(r);
        for (size_t g = 0; g < r->sc->ngateways; g++) {
            nc_gw_summary s;
            nc_summarize_gateway(r, g, &s);
            if (100.0 * s.peak_utilization > ymax)
                ymax = 100.0 * s.peak_utilization;   /* >= every mean: an upper bound */
        }
    }
    chart_ticks yt;
    chart_value_ticks(ymax, 100.0, value_ntick(m.h), &yt);
    m.x0 = 0;
    m.x1 = xmax > 0 ? xmax : 86400;
    m.y0 = 0;
    m.y1 = yt.hi;
    if (f->maps != NULL)
        f->maps[0] = m;
    chart_axes(c, &m, &yt, CHART_FMT_PERCENT, x_title(m.x1), "mean utilisation");
    double y100 = chart_map_y(&m, 100.0);
    chart_hline(c, m.x, m.x + m.w, y100, 1.4, CHART_BLACK, 6);
    boxed_label(c, m.x + m.w - 4, y100 - 1, CHART_RIGHT | CHART_BOTTOM | CHART_BOLD, CHART_INK,
                "100 % = pool full");

    double ly = m.y + 16;
    chart_text(c, m.x + m.w + 20, m.y, CHART_FS_LABEL, CHART_BOLD, CHART_INK, legend_w,
               "scenario (peak utilisation)");
    size_t line = 0;
    for (size_t i = 0; i < f->n; i++) {
        const nc_scen_result *r = f->rs[i];
        for (size_t g = 0; g < r->sc->ngateways; g++, line++) {
            series s;
            if (series_load(r, g, &s) != NC_OK)
                return NC_ENOMEM;
            chart_rgba col = chart_series_colour(line);
            double dash = (line / 6) % 2 ? 5 : 0;   /* second round of colours: dashed */
            chart_polyline(c, &m, s.x, s.util_pct, s.n, 1.6, col, dash);
            series_free(&s);

            nc_gw_summary sum;
            nc_summarize_gateway(r, g, &sum);
            char label[200];
            if (r->sc->ngateways > 1)
                snprintf(label, sizeof label, "%s / %s (%.0f %%)", r->sc->name,
                         r->sc->gateways[g].name, 100.0 * sum.peak_utilization);
            else
                snprintf(label, sizeof label, "%s (%.0f %%)", r->sc->name,
                         100.0 * sum.peak_utilization);
            chart_legend_item it = {dash > 0 ? CHART_SW_DASH : CHART_SW_LINE, col, label};
            if (ly + 14 < bottom)
                ly += chart_legend_column(c, m.x + m.w + 20, ly, legend_w, &it, 1);
        }
    }
    chart_frame(c, &m);
    return NC_OK;
}
