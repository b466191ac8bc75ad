/*
 * plan_alert.c - the alert figures of `natcap plan` (plan.h, plan_alert):
 * an alert "mappings in use / capacity of the fullest pool >= A", read like
 * a monitoring gauge at the end of every sample interval, against the
 * first failed allocation of each replication.  A lead is counted only when
 * the alert fires strictly before the failure; otherwise that replication
 * gives no lead (never a negative one).
 */
#include "plan.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n) (sorted in place); -inf/+inf entries count as values. */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    if (n % 2)
        return v[n / 2];
    double a = v[n / 2 - 1], b = v[n / 2];
    if (isinf(a) || isinf(b))
        return a == b ? a : isinf(a) ? a : b;
    return 0.5 * (a + b);
}

void plan_alert(const nc_scen_result *r, size_t g, double alert_at, double lead_minutes,
                plan_gw *out)
{
    const nc_gw_result *x = &r->gw[g];
    uint32_t ns = r->nsamples, reps = r->reps;
    double cap = (double)x->capacity;
    double *fire = calloc(reps ? reps : 1, sizeof *fire);
    double *lead = calloc(reps ? reps : 1, sizeof *lead);
    out->alert_lead_minutes = NAN;
    out->alert_threshold_for_lead = NAN;
    out->alert_fired_at = SIM_TIME_NONE;
    out->alert_fired_reps = 0;
    if (fire == NULL || lead == NULL || cap <= 0 || reps == 0) {
        free(fire);
        free(lead);
        return;
    }
    size_t nfail = 0;
    double thr = INFINITY;
    for (uint32_t j = 0; j < reps; j++) {
        const uint32_t *v = &x->in_use_by_rep[(size_t)j * ns];
        fire[j] = INFINITY;
        for (uint32_t k = 0; k < ns; k++) {
            if ((double)v[k] >= alert_at * cap - 1e-9) {
                sim_time e = (sim_time)(k + 1) * r->sample_us;
                fire[j] = sim_to_s(e < r->duration_us ? e : r->duration_us);
                break;
            }
        }
        out->alert_fired_reps += isfinite(fire[j]);
        sim_time f = x->first_fail_by_rep[j];
        if (f == SIM_TIME_NONE)
            continue;
        double f_s = sim_to_s(f);
        /* an alert that fires at or after the first failure gives no lead */
        lead[nfail++] = isfinite(fire[j]) && fire[j] < f_s ? (f_s - fire[j]) / 60.0 : -INFINITY;
        /* the highest level the gauge reached by f - M minutes */
        double best = -1, deadline = f_s - lead_minutes * 60.0;
        for (uint32_t k = 0; k < ns; k++) {
            sim_time e = (sim_time)(k + 1) * r->sample_us;
            double t = sim_to_s(e < r->duration_us ? e : r->duration_us);
            if (t > deadline + 1e-9)
                break;
            if (v[k] / cap > best)
                best = v[k] / cap;
        }
        if (best < thr)
            thr = best;
    }
    double mf = median(fire, reps);
    if (isfinite(mf))
        out->alert_fired_at = sim_from_s(mf);
    if (nfail > 0) {
        double ml = median(lead, nfail);
        if (isfinite(ml) && ml > 0)
            out->alert_lead_minutes = ml;
        double pct = floor(100.0 * thr + 1e-9) / 100.0;
        if (pct > 0)
            out->alert_threshold_for_lead = pct;
    }
    free(fire);
    free(lead);
}

