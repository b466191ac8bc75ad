/*
 * overlay.c - observed series over the charts (see overlay.h).
 */
#include "overlay.h"

#include "../model/compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const obs_series_cmp *pick(const nc_scen_result *r, size_t g, int fails)
{
    const obs_compare *c = r->cmp;
    if (c == NULL || g >= c->ngw)
        return NULL;
    int i = fails ? c->gw[g].fails : c->gw[g].level;
    return i >= 0 ? &c->sc[i] : NULL;
}

/* per chart interval: a count over interval_s shown per sample_s */
static double scale(const nc_scen_result *r, const obs_series *s)
{
    return s->interval_s > 0 ? r->sc->sample_s / s->interval_s : 1;
}

double overlay_level_max(const nc_scen_result *r, size_t g)
{
    const obs_series_cmp *x = pick(r, g, 0);
    double m = 0;
    for (size_t k = 0; x != NULL && k < x->s->n; k++) {
        m = fmax(m, x->s->value[k]);
        if (x->s->metric == OBS_OPEN && !isnan(x->p95[k]))
            m = fmax(m, x->p95[k]);
    }
    return m;
}

double overlay_failures_max(const nc_scen_result *r, size_t g)
{
    const obs_series_cmp *x = pick(r, g, 1);
    double m = 0;
    for (size_t k = 0; x != NULL && k < x->s->n; k++)
        m = fmax(m, x->s->value[k] * scale(r, x->s));
    return m;
}

static void draw(chart *c, const chart_map *m, const obs_series_cmp *x, double f, int band)
{
    const obs_series *s = x->s;
    double *buf = malloc(4 * s->n * sizeof *buf);
    if (buf == NULL)
        return;
    double *xs = buf, *ys = buf + s->n, *lo = buf + 2 * s->n, *hi = buf + 3 * s->n;
    /* runs without gaps in the model's values, for the band */
    size_t n = 0;
    for (size_t k = 0; k <= s->n; k++) {
        if (k < s->n && (!band || !isnan(x->mean[k]))) {
            xs[n] = s->t0_s + (double)(k + 1) * s->interval_s;
            ys[n] = s->value[k] * f;
            lo[n] = x->p05[k];
            hi[n] = x->p95[k];
            n++;
            continue;
        }
        if (n > 0 && band)
            chart_band(c, m, xs, lo, hi, n, OVERLAY_BAND);
        if (n > 0)
            chart_polyline(c, m, xs, ys, n, 1.5, OVERLAY_COLOUR, 0);
        n = 0;
    }
    free(buf);
}

void overlay_level(chart *c, const chart_map *m, const nc_scen_result *r, size_t g)
{
    const obs_series_cmp *x = pick(r, g, 0);
    if (x != NULL)
        draw(c, m, x, 1.0, x->s->metric == OBS_OPEN);
}

void overlay_failures(chart *c, const chart_map *m, const nc_scen_result *r, size_t g)
{
    const obs_series_cmp *x = pick(r, g, 1);
    if (x != NULL)
        draw(c, m, x, scale(r, x->s), 0);
}

static const char *label(const nc_scen_result *r, int fails, char *buf, size_t len)
{
    const obs_compare *c = r->cmp;
    for (size_t g = 0; c != NULL && g < c->ngw; g++) {
        const obs_series_cmp *x = pick(r, g, fails);
        if (x == NULL)
            continue;
        const obs_series *s = x->s;
        snprintf(buf, len, "observed %s%s%s%s", obs_metric_names[s->metric],
                 s->source[0] ? ": " : "", s->source,
                 fails && fabs(s->interval_s - r->sc->sample_s) > 1e-9 ? " (per chart interval)" : "");
        return buf;
    }
    return NULL;
}

const char *overlay_level_label(const nc_scen_result *r, char *buf, size_t len)
{
    return label(r, 0, buf, len);
}

const char *overlay_failures_label(const nc_scen_result *r, char *buf, size_t len)
{
    return label(r, 1, buf, len);
}

/* "HH:MM" of t, or "none" */
static const char *hhmm(double t, char *buf, size_t len)
{
    if (isnan(t))
        snprintf(buf, len, "none");
    else
        chart_format_clock(floor(t), INFINITY, buf, len);
    return buf;
}

double overlay_report_block(chart *c, const nc_scen_result *r, double x, double y, double w)
{
    const obs_compare *cmp = r->cmp;
    double y0 = y;
    for (size_t g = 0; cmp != NULL && g < cmp->ngw; g++) {
        const obs_gw_cmp *gx = &cmp->gw[g];
        if (!gx->have)
            continue;
        char head[160], line[256], a[32], b[32];
        snprintf(head, sizeof head, "Model vs observed%s%s", r->sc->ngateways > 1 ? ": " : "",
                 r->sc->ngateways > 1 ? r->sc->gateways[g].name : "");
        chart_text(c, x, y, CHART_FS_PANEL, CHART_BOLD, CHART_INK, w, head);
        y += 15;
        y += chart_paragraph(c, x, y, w, CHART_FS_LABEL, CHART_BOLD,
                             gx->verdict == 2 ? CHART_GREEN : gx->verdict == 1 ? CHART_ORANGE
                                                                               : CHART_VERMILLION,
                             3, gx->verdict_text) + 3;
        if (gx->level >= 0) {
            snprintf(line, sizeof line, "peak %s: observed %.0f at %s, model %.0f at %s",
                     obs_metric_names[cmp->sc[gx->level].s->metric], gx->peak,
                     hhmm(gx->peak_t_s, a, sizeof a), isnan(gx->model_peak) ? 0 : gx->model_peak,
                     hhmm(gx->model_peak_t_s, b, sizeof b));
            y += chart_paragraph(c, x, y, w, CHART_FS_LABEL, 0, CHART_INK, 2, line) + 1;
        }
        if (gx->fails >= 0) {
            snprintf(line, sizeof line, "first failure: observed %s, model %s; failing minutes %.0f vs %.0f",
                     hhmm(gx->first_fail_t_s, a, sizeof a), hhmm(gx->model_first_fail_t_s, b, sizeof b),
                     gx->failing_minutes, gx->model_failing_minutes);
            y += chart_paragraph(c, x, y, w, CHART_FS_LABEL, 0, CHART_INK, 2, line) + 1;
        }
        snprintf(line, sizeof line, "observed_mape %s %%, observed_coverage %s %% of %zu points",
                 isnan(gx->mape) ? "-" : (snprintf(a, sizeof a, "%.1f", gx->mape), a),
                 isnan(gx->coverage) ? "-" : (snprintf(b, sizeof b, "%.0f", 100 * gx->coverage), b),
                 gx->compared);
        y += chart_paragraph(c, x, y, w, CHART_FS_LABEL, 0, CHART_INK, 2, line) + 8;
    }
    return y - y0;
}
