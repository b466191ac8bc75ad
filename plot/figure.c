/*
 * figure.c - the charts' frame and data series, the occupancy and the
 * comparison charts (see figure.h); the failures and services charts are in
 * figure_failures.c and figure_services.c (shared pieces: figure_impl.h).
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
#include "figure_impl.h"

#include "overlay.h"
#include "../model/version.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

double fig_duration_s(const nc_scen_result *r) { return sim_to_s(r->duration_us); }

/* Axis title: multi-day axes explain their "D+HH:MM" labels. */
const char *fig_x_title(double axis_end_s)
{
    return axis_end_s > 86400.5 ? "time (HH:MM; D+HH:MM = D days after the first 00:00)"
                                : "time of day (HH:MM)";
}

int fig_value_ntick(double h) { return h < 120 ? 4 : h < 220 ? 6 : 8; }

/* Text over a white box, so a label stays readable over grid and data. */
void fig_boxed_label(chart *c, double x, double y, unsigned flags, chart_rgba col,
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



size_t fig_bin_width(const nc_scen_result *r)
{
    size_t b = ((size_t)r->nsamples + MAX_POINTS - 1) / MAX_POINTS;
    return b ? b : 1;
}

double fig_interval_end_s(const nc_scen_result *r, uint32_t k)
{
    sim_time e = (sim_time)(k + 1) * r->sample_us;
    return sim_to_s(e < r->duration_us ? e : r->duration_us);
}

void fig_series_free(series *s)
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
    s->requests[i] += st->requests_mean;
    if (first || st->in_use_p05 < s->p05[i])
        s->p05[i] = st->in_use_p05;
    if (first || st->in_use_p95 > s->p95[i])
        s->p95[i] = st->in_use_p95;
    if (first || st->in_use_max > s->max[i])
        s->max[i] = st->in_use_max;
}

nc_status fig_series_load(const nc_scen_result *r, size_t g, series *s)
{
    memset(s, 0, sizeof *s);
    if (r->reps == 0 || r->nsamples == 0)
        return NC_OK;   /* nothing measured: empty axes */
    size_t bin = fig_bin_width(r);
    size_t n = ((size_t)r->nsamples + bin - 1) / bin;
    s->buf = calloc(SERIES_COLS * n, sizeof(double));
    double *scratch = malloc(r->reps * sizeof(double));
    if (s->buf == NULL || scratch == NULL) {
        free(scratch);
        fig_series_free(s);
        return NC_ENOMEM;
    }
    s->n = n;
    double **cols[SERIES_COLS] = {&s->x,        &s->mean,     &s->p05,   &s->p95,     &s->max,
                                  &s->syn_fail, &s->req_fail, &s->stale, &s->util_pct,
                                  &s->fail_pct, &s->requests};
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
        s->fail_pct[i] = s->requests[i] > 0 ? 100.0 * s->req_fail[i] / s->requests[i] : 0.0;
        s->mean[i] /= cnt;
        s->syn_fail[i] /= cnt;
        s->req_fail[i] /= cnt;
        s->stale[i] /= cnt;
        s->util_pct[i] /= cnt;
        s->x[i] = fig_interval_end_s(r, k1 - 1);
    }
    free(scratch);
    return NC_OK;
}

double fig_series_max(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] > m)
            m = v[i];
    return m;
}

/* ---- frame: title, footer, panel layout -------------------------------------------- */

/* Title and subtitle; returns the y below them. */
double fig_draw_title(chart *c, const figure_ctx *f, double w, const char *title,
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
double fig_draw_footer(chart *c, const figure_ctx *f, double w, double h)
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


/* Plot areas of n panels stacked between top and bottom. */
void fig_stack_maps(double top, double bottom, double x, double w, size_t n, int heads,
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
void fig_panel_head(chart *c, const chart_map *m, const char *name, const char *details)
{
    double x = m->x, y = m->y - PANEL_HEAD + 2;
    if (name != NULL)
        x += chart_text(c, x, y, CHART_FS_PANEL, CHART_BOLD, CHART_INK, 0, name) + 8;
    chart_text(c, x, y + 1, CHART_FS_LABEL, 0, CHART_MUTED, m->x + m->w - x, details);
}

/* The gateway's allocation-pool figures for a panel header. */
static void occupancy_details(const nc_scen_result *r, const nc_bottleneck *b, char *buf,
                              size_t len)
{
    const nc_gw_summary s = b->sum;
    char cap[32], peak[32], first[32], miss[32];
    chart_format_number((double)s.capacity, 0, cap, sizeof cap);
    chart_format_number(s.peak_in_use, 0, peak, sizeof peak);
    size_t o;
    if (b->topo.pools > 1)
        o = (size_t)snprintf(buf, len, "binding pool %s of %llu \u00b7 capacity %s per pool",
                             b->pool_name, (unsigned long long)b->topo.pools, cap);
    else
        o = (size_t)snprintf(buf, len, "capacity %s", cap);
    if (o >= len)
        return;
    if (b->topo.without_ports > 0) {
        chart_format_number((double)b->topo.without_ports, 0, miss, sizeof miss);
        o += (size_t)snprintf(buf + o, len - o, " \u00b7 %s instances without ports (100 %%)",
                              miss);
        if (o >= len)
            return;
    }
    o += (size_t)snprintf(buf + o, len - o, " \u00b7 peak %s (%.0f %%)", peak,
                          100.0 * s.peak_utilization);
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
        chart_vspan(c, m, sim_to_s((sim_time)k0 * r->sample_us), fig_interval_end_s(r, k - 1), 1.5,
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
        fig_boxed_label(c, right - 4, y80 - 1, CHART_RIGHT | CHART_BOTTOM, CHART_MUTED, buf);

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
        fig_boxed_label(c, left_side ? x - 4 : x + 4, ycap - 1,
                    (left_side ? CHART_RIGHT : CHART_LEFT) | CHART_BOTTOM | CHART_BOLD,
                    CHART_VERMILLION, lab);
        if (lx0 + lw + 8 > cap_x - cw)
            cap_x = lx0 > m->x + cw + 12 ? m->x + 4 + cw : cap_x;
    }
    fig_boxed_label(c, cap_x, ycap - 1, CHART_RIGHT | CHART_BOTTOM | CHART_BOLD, CHART_VERMILLION,
                buf);
}

/* The binding pool's unconstrained demand, drawn only where it is above
 * the capacity (each such stretch from crossing to crossing), labelled at
 * its peak.  1 when something was drawn. */
static int demand_line(chart *c, const chart_map *m, const nc_scen_result *r,
                       const nc_bottleneck *b)
{
    double cap = (double)r->gw[b->topo.gateway].capacity;
    if (b->demand == NULL || !(b->demand_peak > cap) || r->nsamples == 0)
        return 0;
    size_t step = fig_bin_width(r), n = ((size_t)r->nsamples + step - 1) / step;
    double *x = malloc((n + 2) * sizeof *x), *y = malloc((n + 2) * sizeof *y);
    if (x == NULL || y == NULL) {
        free(x);
        free(y);
        return 0;
    }
    double px = 0, py = -1, prev_x = 0, prev_y = 0;
    size_t np = 0;
    for (size_t i = 0; i <= n; i++) {
        int in = 0;
        double xi = 0, yi = 0;
        if (i < n) {
            uint32_t k = (uint32_t)(i * step);
            xi = fig_interval_end_s(r, k);
            yi = b->demand[k];
            in = yi > cap;
        }
        if (in && np == 0 && i > 0 && prev_y < cap) {   /* from the crossing */
            x[np] = prev_x + (xi - prev_x) * (cap - prev_y) / (yi - prev_y);
            y[np++] = cap;
        }
        if (in) {
            x[np] = xi;
            y[np++] = yi;
            if (yi > py) {
                px = xi;
                py = yi;
            }
        } else if (np > 0) {
            if (i < n) {   /* to the crossing */
                x[np] = prev_x + (xi - prev_x) * (prev_y - cap) / (prev_y - yi);
                y[np++] = cap;
            }
            chart_polyline(c, m, x, y, np, 1.8, CHART_PURPLE, 0);
            np = 0;
        }
        prev_x = xi;
        prev_y = yi;
    }
    free(x);
    free(y);
    char num[32], lab[96];
    chart_format_number(b->demand_peak, 0, num, sizeof num);
    snprintf(lab, sizeof lab, "demand %s (if it never ran out)", num);
    double lw, lh, xl = chart_map_x(m, px);
    chart_text_size(c, CHART_FS_LABEL, CHART_BOLD, lab, &lw, &lh);
    int right = xl + lw / 2 + 2 > m->x + m->w, left = xl - lw / 2 - 2 < m->x;
    fig_boxed_label(c, right ? m->x + m->w - 2 : left ? m->x + 2 : xl, chart_map_y(m, py) - 2,
                (right ? CHART_RIGHT : left ? CHART_LEFT : CHART_CENTER) | CHART_BOTTOM | CHART_BOLD,
                CHART_PURPLE, lab);
    return 1;
}

static nc_status occupancy_panel(chart *c, const figure_ctx *f, size_t g, const chart_map *area,
                                 int last, chart_map *out)
{
    const nc_scen_result *r = f->r;
    series s;
    if (fig_series_load(r, g, &s) != NC_OK)
        return NC_ENOMEM;
    nc_bottleneck b;
    if (nc_bottleneck_get(r, g, &b, NULL) != NC_OK) {
        fig_series_free(&s);
        return NC_ENOMEM;
    }
    chart_map m = *area;
    chart_ticks yt;
    double top = fig_series_max(s.max, s.n);
    if (fig_series_max(s.p95, s.n) > top)
        top = fig_series_max(s.p95, s.n);
    if (b.demand != NULL && b.demand_peak > (double)r->gw[g].capacity)
        top = b.demand_peak * 1.06;   /* room for its label */
    top = fmax(top, overlay_level_max(r, g));
    chart_value_ticks(top, (double)r->gw[g].capacity, fig_value_ntick(m.h), &yt);
    m.x0 = 0;
    m.x1 = fig_duration_s(r);
    m.y0 = 0;
    m.y1 = yt.hi;
    if (out != NULL)
        *out = m;

    char details[768];
    occupancy_details(r, &b, details, sizeof details);
    fig_panel_head(c, &m, r->sc->ngateways > 1 ? r->sc->gateways[g].name : NULL, details);
    chart_axes(c, &m, &yt, CHART_FMT_COUNT, last ? fig_x_title(m.x1) : NULL,
               "mappings in use (fullest pool)");
    shade_failures(c, &m, r, g);
    chart_band(c, &m, s.x, s.p05, s.p95, s.n, BAND);
    chart_polyline(c, &m, s.x, s.max, s.n, 0.6, MAXLINE, 0);
    chart_polyline(c, &m, s.x, s.mean, s.n, 1.8, CHART_BLUE, 0);
    overlay_level(c, &m, r, g);
    occupancy_marks(c, &m, r, g);
    demand_line(c, &m, r, &b);
    if (b.portless[0] != '\0') {   /* in words, inside the plot, under the capacity line */
        double pw = m.w * 0.62, tw, th;
        chart_text_size(c, CHART_FS_LABEL, CHART_BOLD, b.portless, &tw, &th);
        double lines = ceil(tw / (pw * 0.92));
        double ph = th * (lines < 4 ? lines : 4);
        double py = chart_map_y(&m, (double)r->gw[g].capacity) + 6;
        if (py + ph > m.y + m.h - 4)
            goto done;   /* no room in a small panel: the report says it beside */
        chart_fill_rect(c, m.x + 4, py - 2, pw + 8, ph + 4, CHART_RGB(0xFFFFFF, 0.88));
        chart_paragraph(c, m.x + 8, py, pw, CHART_FS_LABEL, CHART_BOLD, CHART_VERMILLION, 4,
                        b.portless);
    }
done:
    chart_frame(c, &m);
    nc_bottleneck_free(&b);
    fig_series_free(&s);
    return NC_OK;
}

/* Subtitle of the occupancy chart: the description, then the binding pool
 * of the fullest gateway. */
static void occupancy_subtitle(const nc_scen_result *r, char *buf, size_t len)
{
    size_t g = figure_fullest_gateway(r);
    nc_bottleneck b;
    const char *d = r->sc->description;
    if (g >= r->sc->ngateways || nc_bottleneck_get(r, g, &b, NULL) != NC_OK) {
        snprintf(buf, len, "%s", d);
        return;
    }
    char words[96], dem[48] = "";
    nc_severity_words(&b.sum, words, sizeof words);
    if (!isnan(b.demand_peak)) {
        char num[32];
        chart_format_number(b.demand_peak, 0, num, sizeof num);
        snprintf(dem, sizeof dem, ", demand %s", num);
    }
    char cap[32];
    chart_format_number((double)b.sum.capacity, 0, cap, sizeof cap);
    snprintf(buf, len, "%s \u00b7 binding pool %s%s%s (capacity %s%s)%s%s", words, b.pool_name,
             r->sc->ngateways > 1 ? " of " : "", r->sc->ngateways > 1 ? r->sc->gateways[g].name : "",
             cap, dem, d[0] ? " \u2014 " : "", d);
    nc_bottleneck_free(&b);
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
    char sub[1024];
    occupancy_subtitle(r, sub, sizeof sub);
    double top = fig_draw_title(c, f, w, title, sub);
    double bottom = fig_draw_footer(c, f, w, h);

    snprintf(mean, sizeof mean, "mean of %u replications", r->reps);
    snprintf(band, sizeof band, "5\u201395 %% of replications");
    chart_legend_item items[] = {
        {CHART_SW_LINE, CHART_BLUE, mean},
        {CHART_SW_AREA, BAND, band},
        {CHART_SW_THIN, MAXLINE, "highest inside the interval"},
        {CHART_SW_DASH, CHART_VERMILLION, "capacity"},
        {CHART_SW_DASH, CHART_ORANGE, "80 % alert"},
        {CHART_SW_AREA, SHADE, "interval with failed SYNs"},
        {CHART_SW_LINE, CHART_PURPLE, "demand above capacity (unconstrained)"},
        {CHART_SW_LINE, OVERLAY_COLOUR, NULL},
    };
    size_t nitems = 6;   /* the demand line's item only when a panel draws it */
    for (size_t g = 0; g < ng && g < FIGURE_MAX_PANELS && nitems == 6; g++) {
        nc_bottleneck b;
        if (nc_bottleneck_get(r, g, &b, NULL) == NC_OK) {
            if (b.demand != NULL && b.demand_peak > (double)r->gw[g].capacity)
                nitems = 7;
            nc_bottleneck_free(&b);
        }
    }
    char obs[256];
    const char *obs_label = overlay_level_label(r, obs, sizeof obs);
    if (obs_label != NULL) {   /* the observed series' item follows */
        items[nitems].kind = CHART_SW_LINE;
        items[nitems].col = OVERLAY_COLOUR;
        items[nitems].label = obs_label;
        nitems++;
    }
    top += chart_legend_row(c, LEFT, top, w - LEFT - RIGHT, items, nitems, 1) + 4;

    chart_map areas[FIGURE_MAX_PANELS];
    size_t np = ng < FIGURE_MAX_PANELS ? ng : FIGURE_MAX_PANELS;
    if (np == 0)
        return NC_OK;
    fig_stack_maps(top, bottom, LEFT, w - LEFT - RIGHT, np, 1, areas);
    for (size_t g = 0; g < np; g++) {
        nc_status st = occupancy_panel(c, f, g, &areas[g], g + 1 == np,
                                       f->maps != NULL ? &f->maps[g] : NULL);
        if (st != NC_OK)
            return st;
    }
    return NC_OK;
}

/* ---- comparison -------------------------------------------------------------------- */

nc_status figure_comparison(chart *c, double w, double h, void *ctx)
{
    const figure_ctx *f = ctx;
    double top = fig_draw_title(c, f, w, "All scenarios \u2014 mean utilisation of the fullest pool",
                            "mappings in use / pool capacity, mean across replications") + 6;
    double bottom = fig_draw_footer(c, f, w, h);
    double legend_w = w < 600 ? w * 0.34 : LEGEND_COL_W;
    chart_map m;
    fig_stack_maps(top, bottom, LEFT, w - LEFT - legend_w - 20, 1, 0, &m);

    double xmax = 0, ymax = 0;
    for (size_t i = 0; i < f->n; i++) {
        const nc_scen_result *r = f->rs[i];
        if (fig_duration_s(r) > xmax)
            xmax = fig_duration_s(r);
        for (size_t g = 0; g < r->sc->ngateways; g++) {
            nc_gw_summary s;
            nc_summarize_gateway(r, g, &s);
            if (100.0 * s.peak_utilization > ymax)
                ymax = 100.0 * s.peak_utilization;   /* >= every mean: an upper bound */
        }
    }
    chart_ticks yt;
    chart_value_ticks(ymax, 100.0, fig_value_ntick(m.h), &yt);
    m.x0 = 0;
    m.x1 = xmax > 0 ? xmax : 86400;
    m.y0 = 0;
    m.y1 = yt.hi;
    if (f->maps != NULL)
        f->maps[0] = m;
    chart_axes(c, &m, &yt, CHART_FMT_PERCENT, fig_x_title(m.x1), "mean utilisation");
    double y100 = chart_map_y(&m, 100.0);
    chart_hline(c, m.x, m.x + m.w, y100, 1.4, CHART_BLACK, 6);
    fig_boxed_label(c, m.x + m.w - 4, y100 - 1, CHART_RIGHT | CHART_BOTTOM | CHART_BOLD, CHART_INK,
                "100 % = pool full");

    double ly = m.y + 16;
    chart_text(c, m.x + m.w + 20, m.y, CHART_FS_LABEL, CHART_BOLD, CHART_INK, legend_w,
               "scenario (peak utilisation)");
    size_t line = 0;
    for (size_t i = 0; i < f->n; i++) {
        const nc_scen_result *r = f->rs[i];
        for (size_t g = 0; g < r->sc->ngateways; g++, line++) {
            series s;
            if (fig_series_load(r, g, &s) != NC_OK)
                return NC_ENOMEM;
            chart_rgba col = chart_series_colour(line);
            double dash = (line / 6) % 2 ? 5 : 0;   /* second round of colours: dashed */
            chart_polyline(c, &m, s.x, s.util_pct, s.n, 1.6, col, dash);
            fig_series_free(&s);

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
