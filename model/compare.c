/*
 * compare.c - the model resampled to observations and scored (compare.h).
 */
#include "compare.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The replication's value of metric m with stat st over intervals [lo, hi),
 * from a pool's series (by_rep and in_use_by_rep of the gateway's fullest
 * pool or of a watched one). */
static double rep_value(const nc_rep_sample *by_rep, const uint32_t *in_use_by_rep, uint32_t ns,
                        uint32_t rep, uint32_t lo, uint32_t hi, obs_metric m, obs_stat st)
{
    const nc_rep_sample *z = &by_rep[(size_t)rep * ns];
    const uint32_t *end = &in_use_by_rep[(size_t)rep * ns];
    double v = 0;
    for (uint32_t k = lo; k < hi; k++) {
        double level = m == OBS_IN_USE ? end[k] : z[k].open;
        double top = m == OBS_IN_USE ? z[k].imax : z[k].omax;
        switch (m) {
        case OBS_IN_USE:
        case OBS_OPEN:
            if (st == OBS_MAX)
                v = k == lo || top > v ? top : v;
            else if (st == OBS_LAST)
                v = level;
            else
                v += level / (double)(hi - lo);
            break;
        case OBS_NEW_CONNECTIONS: v += z[k].attempts - z[k].alloc_failures; break;
        case OBS_ATTEMPTS: v += z[k].attempts; break;
        case OBS_ALLOC_FAILURES: v += z[k].alloc_failures; break;
        case OBS_REQUESTS: v += z[k].requests; break;
        case OBS_FAILED_REQUESTS: v += z[k].failed_requests; break;
        default: break;
        }
    }
    return v;
}

/* The simulated intervals inside observed point i: 0 when none. */
static int span(const nc_scen_result *r, const obs_series *s, size_t i, uint32_t *lo, uint32_t *hi)
{
    double ss = sim_to_s(r->sample_us);
    double a = s->t0_s + (double)i * s->interval_s, b = a + s->interval_s;
    if (a < -1e-9)
        return 0;
    double klo = ceil(a / ss - 1e-9), khi = floor(b / ss + 1e-9);
    if (khi > r->nsamples)
        return 0;   /* past the simulated period (a partial interval is not compared) */
    if (khi <= klo)
        return 0;
    *lo = (uint32_t)klo;
    *hi = (uint32_t)khi;
    return 1;
}

void obs_compare_destroy(obs_compare *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->sc[i].mean);
        free(c->sc[i].p05);
        free(c->sc[i].p95);
        free(c->sc[i].fail_rep_frac);
    }
    free(c->sc);
    free(c->gw);
    free(c);
}

static void score_gateway(const nc_scen_result *r, obs_compare *c, size_t g);

/* The watched pool series s names, NULL when the run did not record it. */
static const nc_pool_series *named_pool(const nc_scen_result *r, const obs_series *s)
{
    for (size_t w = 0; w < r->npool_series; w++)
        if (r->pools[w].ref.gw == s->gw && strcmp(r->pools[w].ref.name, s->pool) == 0)
            return &r->pools[w];
    return NULL;
}

obs_compare *obs_compare_build(const nc_scen_result *r, const nc_observed *o)
{
    obs_compare *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->obs = o;
    c->ngw = r->sc->ngateways;
    c->gw = calloc(c->ngw ? c->ngw : 1, sizeof *c->gw);
    c->sc = calloc(o->n ? o->n : 1, sizeof *c->sc);
    double *v = malloc((r->reps ? r->reps : 1) * sizeof *v);
    if (c->gw == NULL || c->sc == NULL || v == NULL) {
        free(v);
        obs_compare_destroy(c);
        return NULL;
    }
    for (size_t i = 0; i < o->n; i++) {
        const obs_series *s = &o->s[i];
        if (s->gw >= r->sc->ngateways)
            continue;
        obs_series_cmp *x = &c->sc[c->n++];
        x->s = s;
        x->mean = malloc(s->n * sizeof *x->mean);
        x->p05 = malloc(s->n * sizeof *x->p05);
        x->p95 = malloc(s->n * sizeof *x->p95);
        if (s->metric == OBS_ALLOC_FAILURES)
            x->fail_rep_frac = malloc(s->n * sizeof *x->fail_rep_frac);
        if (!x->mean || !x->p05 || !x->p95 || (s->metric == OBS_ALLOC_FAILURES && !x->fail_rep_frac)) {
            free(v);
            obs_compare_destroy(c);
            return NULL;
        }
        const nc_rep_sample *by_rep = r->gw[s->gw].by_rep;
        const uint32_t *in_use_by_rep = r->gw[s->gw].in_use_by_rep;
        if (s->pool[0] != '\0') {
            const nc_pool_series *ps = named_pool(r, s);
            by_rep = ps ? ps->by_rep : NULL;
            in_use_by_rep = ps ? ps->in_use_by_rep : NULL;
        }
        for (size_t k = 0; k < s->n; k++) {
            uint32_t lo, hi;
            if (!r->by_rep_kept || r->reps == 0 || by_rep == NULL || !span(r, s, k, &lo, &hi)) {
                x->mean[k] = x->p05[k] = x->p95[k] = NAN;
                if (x->fail_rep_frac)
                    x->fail_rep_frac[k] = NAN;
                continue;
            }
            double sum = 0;
            uint32_t failing = 0;
            for (uint32_t rep = 0; rep < r->reps; rep++) {
                v[rep] = rep_value(by_rep, in_use_by_rep, r->nsamples, rep, lo, hi, s->metric, s->stat);
                sum += v[rep];
                failing += v[rep] > 0;
            }
            gsl_sort(v, 1, r->reps);
            x->mean[k] = sum / r->reps;
            x->p05[k] = gsl_stats_quantile_from_sorted_data(v, 1, r->reps, 0.05);
            x->p95[k] = gsl_stats_quantile_from_sorted_data(v, 1, r->reps, 0.95);
            if (x->fail_rep_frac)
                x->fail_rep_frac[k] = (double)failing / r->reps;
        }
    }
    free(v);
    for (size_t g = 0; g < c->ngw; g++)
        score_gateway(r, c, g);
    return c;
}

/* Prefer the series of the binding pool ("" pool) over per-pool ones. */
static int pick(const obs_compare *c, size_t g, obs_metric m)
{
    int best = -1;
    for (size_t i = 0; i < c->n; i++) {
        const obs_series *s = c->sc[i].s;
        if (s->gw == g && s->metric == m && (best < 0 || (s->pool[0] == '\0' && c->sc[best].s->pool[0])))
            best = (int)i;
    }
    return best;
}

static void score_gateway(const nc_scen_result *r, obs_compare *c, size_t g)
{
    obs_gw_cmp *x = &c->gw[g];
    x->level = pick(c, g, OBS_IN_USE);
    if (x->level < 0)
        x->level = pick(c, g, OBS_OPEN);
    x->fails = pick(c, g, OBS_ALLOC_FAILURES);
    x->peak = x->peak_t_s = x->model_peak = x->model_peak_t_s = NAN;
    x->first_fail_t_s = x->model_first_fail_t_s = NAN;
    x->mape = x->coverage = NAN;
    x->verdict = -1;
    size_t inside = 0;
    for (size_t i = 0; i < c->n; i++) {
        const obs_series_cmp *sc = &c->sc[i];
        if (sc->s->gw != g)
            continue;
        x->have = 1;
        for (size_t k = 0; k < sc->s->n; k++) {
            x->points++;
            if (isnan(sc->mean[k]))
                continue;
            x->compared++;
            double ob = sc->s->value[k];
            inside += ob >= sc->p05[k] - 1e-9 && ob <= sc->p95[k] + 1e-9;
        }
    }
    if (!x->have)
        return;
    if (x->compared > 0)
        x->coverage = (double)inside / (double)x->compared;
    if (x->level >= 0) {
        const obs_series_cmp *sc = &c->sc[x->level];
        double err = 0;
        size_t n = 0;
        for (size_t k = 0; k < sc->s->n; k++) {
            double t = sc->s->t0_s + (double)k * sc->s->interval_s, ob = sc->s->value[k];
            if (isnan(x->peak) || ob > x->peak) {
                x->peak = ob;
                x->peak_t_s = t;
            }
            if (isnan(sc->mean[k]))
                continue;
            if (isnan(x->model_peak) || sc->mean[k] > x->model_peak) {
                x->model_peak = sc->mean[k];
                x->model_peak_t_s = t;
            }
            if (ob > 0) {
                err += fabs(sc->mean[k] - ob) / ob;
                n++;
            }
        }
        if (n > 0)
            x->mape = 100.0 * err / (double)n;
    }
    if (x->fails >= 0) {
        const obs_series_cmp *sc = &c->sc[x->fails];
        double iv = sc->s->interval_s;
        for (size_t k = 0; k < sc->s->n; k++) {
            double t = sc->s->t0_s + (double)k * iv, ob = sc->s->value[k];
            if (isnan(sc->mean[k]))
                continue;
            if (ob > 0 && isnan(x->first_fail_t_s))
                x->first_fail_t_s = t;
            if (ob > 0)
                x->failing_minutes += iv / 60.0;
            x->failures += ob;
            x->model_failures += sc->mean[k];
            x->model_failing_minutes += sc->fail_rep_frac[k] * iv / 60.0;
            if (sc->fail_rep_frac[k] >= 0.5 && isnan(x->model_first_fail_t_s))
                x->model_first_fail_t_s = t;
        }
    } else {
        const nc_gw_result *gx = &r->gw[g];
        if (gx->first_exhaustion != SIM_TIME_NONE)
            x->model_first_fail_t_s = sim_to_s(gx->first_exhaustion);
    }
    /* the verdict: level within 15 % (MAPE), peak within 10 %, first failure within
     * two observed intervals (or neither fails), failing minutes within 50 % */
    int checks = 0, good = 0;
    char why[200] = "";
    size_t wl = 0;
    if (!isnan(x->mape)) {
        checks++;
        if (x->mape <= 15)
            good++;
        else
            wl += (size_t)snprintf(why + wl, sizeof why - wl, "%slevel off by %.0f %%", wl ? ", " : "", x->mape);
    }
    if (!isnan(x->peak) && !isnan(x->model_peak) && x->peak > 0) {
        checks++;
        double d = 100.0 * (x->model_peak - x->peak) / x->peak;
        if (fabs(d) <= 10)
            good++;
        else if (wl < sizeof why)
            wl += (size_t)snprintf(why + wl, sizeof why - wl, "%speak %+.0f %%", wl ? ", " : "", d);
    }
    if (x->fails >= 0) {
        checks++;
        double iv = c->sc[x->fails].s->interval_s;
        int of = !isnan(x->first_fail_t_s), mf = !isnan(x->model_first_fail_t_s);
        if ((!of && !mf) || (of && mf && fabs(x->first_fail_t_s - x->model_first_fail_t_s) <= 2 * iv + 1e-9))
            good++;
        else if (wl < sizeof why)
            wl += (size_t)snprintf(why + wl, sizeof why - wl, "%s%s", wl ? ", " : "",
                                   of && mf ? "first failure at another time"
                                   : of ? "the model never fails" : "the model fails, the gateway did not");
        if (of || mf) {
            checks++;
            double a = x->failing_minutes, b = x->model_failing_minutes;
            if (fabs(a - b) <= 0.5 * fmax(a, b) + iv / 60.0)
                good++;
            else if (wl < sizeof why)
                wl += (size_t)snprintf(why + wl, sizeof why - wl, "%sfailing %.0f min, model %.0f",
                                       wl ? ", " : "", a, b);
        }
    }
    if (x->compared == 0) {
        snprintf(x->verdict_text, sizeof x->verdict_text,
                 "not comparable: no observed point falls on the simulated day's intervals");
        return;
    }
    if (checks == 0) {   /* counts only: coverage is all there is */
        snprintf(x->verdict_text, sizeof x->verdict_text,
                 "not comparable: no in_use, open or alloc_failures series to check the model against "
                 "(%zu of %zu observed points compared, %.0f %% inside the 5-95 %% band)",
                 x->compared, x->points, 100 * x->coverage);
        return;
    }
    x->verdict = good == checks ? 2 : good > 0 ? 1 : 0;
    if (x->verdict == 2)
        snprintf(x->verdict_text, sizeof x->verdict_text, "the model reproduces the observations "
                 "(%d of %d checks)", good, checks);
    else
        snprintf(x->verdict_text, sizeof x->verdict_text, "the model %s the observations (%d of %d "
                 "checks): %s", x->verdict == 1 ? "partly reproduces" : "does not reproduce", good,
                 checks, why);
}
