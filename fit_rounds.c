/*
 * fit_rounds.c - the fitting rounds of `natcap fit` (see fit_rounds.h).
 */
#include "fit_rounds.h"

#include "model/batch.h"
#include "model/fit.h"
#include "model/summary.h"
#include "model/topology.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUNDS 12

/* One batch of one scenario, compared with the observations. */
static nc_status simulate(const nc_scenario *sc, const fit_run *f, const nc_observed *o,
                          nc_scen_result **res, obs_compare **cmp, nc_error *err)
{
    batch_opts bo = {f->jobs, NULL, NULL, NULL, NULL, 0, 0, NULL};
    nc_status st = batch_run(sc, 1, &bo, res, err);
    if (st != NC_OK)
        return st;
    *cmp = obs_compare_build(*res, o);
    if (*cmp == NULL)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    return NC_OK;
}

static void drop(nc_scen_result **res, obs_compare **cmp)
{
    obs_compare_destroy(*cmp);
    nc_scen_result_destroy(*res);
    *cmp = NULL;
    *res = NULL;
}

/* error of the model's T against the observed one: sum |model - obs| / sum obs */
static double target_error(const obs_compare *c, int t)
{
    const obs_series_cmp *x = &c->sc[t];
    double num = 0, den = 0;
    for (size_t i = 0; i < x->s->n; i++) {
        if (isnan(x->mean[i]))
            continue;
        num += fabs(x->mean[i] - x->s->value[i]);
        den += x->s->value[i];
    }
    return den > 0 ? num / den : NAN;
}

static double total_obs(const obs_compare *c, int t)
{
    double s = 0;
    for (size_t i = 0; i < c->sc[t].s->n; i++)
        s += c->sc[t].s->value[i];
    return s;
}

static int rows_pooled(const nc_scenario *sc, size_t g)
{
    for (size_t i = 0; i < sc->nservices; i++)
        if (sc->services[i].gateway == g && (sc->services[i].pool_idle > 0 || sc->services[i].pool_max > 0))
            return 1;
    return 0;
}

/* requests/s of gateway g's rows at multiplier 1 in the unfitted scenario */
static double base_rate(const nc_scenario *sc, size_t g)
{
    double r = 0;
    for (size_t i = 0; i < sc->nservices; i++)
        if (sc->services[i].gateway == g)
            r += (double)sc->services[i].instances * sc->services[i].rps;
    return r;
}

/* The fitted scenario: base with gateway fits applied (profile appended). */
static nc_status apply(const nc_scenario *base, const fit_gw *fg, size_t nfg, size_t K,
                       nc_scenario *out, nc_error *err)
{
    if (nc_scenario_copy(out, base) != 0)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    for (size_t q = 0; q < nfg; q++) {
        const fit_gw *x = &fg[q];
        nc_profile *np = realloc(out->profiles, (out->nprofiles + 1) * sizeof *np);
        if (np == NULL)
            return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        out->profiles = np;
        nc_profile *p = &np[out->nprofiles];
        memset(p, 0, sizeof *p);
        snprintf(p->name, sizeof p->name, "fitted-%.50s", base->gateways[x->g].name);
        p->time_s = malloc((K + 1) * sizeof *p->time_s);
        p->multiplier = malloc((K + 1) * sizeof *p->multiplier);
        if (!p->time_s || !p->multiplier) {
            free(p->time_s);
            free(p->multiplier);
            return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        }
        for (size_t j = 0; j <= K; j++) {
            p->time_s[j] = 86400.0 * (double)j / (double)K;
            p->multiplier[j] = x->m[j % K];
        }
        p->npoints = K + 1;
        size_t pi = out->nprofiles++;
        for (size_t i = 0; i < out->nservices; i++) {
            nc_service *sv = &out->services[i];
            if (sv->gateway != x->g)
                continue;
            sv->profile = pi;
            sv->rps *= x->k;
        }
        for (size_t d = 0; d < out->ndestinations && x->lat != 1; d++) {
            int used = 0;
            for (size_t i = 0; i < out->nservices; i++)
                used |= out->services[i].gateway == x->g && out->services[i].destination == d;
            if (used) {
                out->destinations[d].latency_p50_ms *= x->lat;
                out->destinations[d].latency_p99_ms *= x->lat;
            }
        }
    }
    return NC_OK;
}

/* Requests wanted in each observed interval: the observed T over the model's T per
 * request there (from a compared run; day_ratio where the run has none).  In the
 * intervals where the gateway refused SYNs (observed alloc_failures > 0) new
 * connections are capped by the ports, not by the load, and a fit on them runs away
 * (more load, fewer connections per request, still more load): there the attempts,
 * T + alloc_failures, stand in, with the model's attempts per request. */
static void wanted(const nc_scen_result *r, const obs_compare *c, int t, int fails, size_t g,
                   double day_ratio, double *want, double *prev)
{
    const obs_series_cmp *x = &c->sc[t];
    const obs_series_cmp *fx = fails >= 0 ? &c->sc[fails] : NULL;
    const obs_series *s = x->s;
    double ss = r->sc->sample_s;
    for (size_t i = 0; i < s->n; i++) {
        double a = s->t0_s + (double)i * s->interval_s;
        double obs = s->value[i], mod = x->mean[i];
        if (fx != NULL && fx->s->interval_s == s->interval_s && s->metric == OBS_NEW_CONNECTIONS) {
            double fj = (a - fx->s->t0_s) / s->interval_s;
            if (fj >= 0 && fj < (double)fx->s->n && fabs(fj - round(fj)) < 1e-6) {
                size_t j = (size_t)llround(fj);
                if (fx->s->value[j] > 0 && !isnan(fx->mean[j]) && !isnan(mod)) {
                    obs += fx->s->value[j];
                    mod += fx->mean[j];
                }
            }
        }
        int failing = obs != s->value[i];
        double psi = day_ratio;
        if (!isnan(mod)) {
            uint32_t lo = (uint32_t)ceil(a / ss - 1e-9), hi = (uint32_t)floor((a + s->interval_s) / ss + 1e-9);
            double req = 0;
            for (uint32_t k = lo; k < hi && k < r->nsamples; k++)
                req += (double)r->gw[g].requests_sum[k] / r->reps;
            if (req > 0 && mod > 0)
                psi = mod / req;
        }
        want[i] = psi > 0 ? obs / psi : 0;
        /* attempts per request rise steeply with the load once SYNs are refused: the
         * plain update overshoots and oscillates, so those intervals move halfway (in
         * the log) from the last round's value */
        if (failing && prev[i] > 0 && want[i] > 0)
            want[i] = sqrt(want[i] * prev[i]);
        prev[i] = want[i];
    }
}

/* The level series Little's law reads for gateway g: the binding pool's open
 * (no TIME_WAIT in it), else its in_use; -1 none. */
static int hold_level(const obs_compare *c, size_t g)
{
    static const obs_metric order[] = {OBS_OPEN, OBS_IN_USE};
    for (size_t oi = 0; oi < 2; oi++)
        for (size_t i = 0; i < c->n; i++)
            if (c->sc[i].s->gw == g && c->sc[i].s->metric == order[oi] && c->sc[i].s->pool[0] == '\0')
                return (int)i;
    return -1;
}

/* Little's law: mean hold time (s) = level / connection rate, over the compared
 * points of level series lv (in_use less the TIME_WAIT share rate * tw_s); NAN
 * when there is none or the level is not positive. */
/* The model's mappings in use on the whole of gateway g (its rows' held
 * mappings at interval ends, mean over replications), averaged over the
 * simulated intervals inside [a, b) seconds; NAN when there are none. */
static double gw_in_use(const nc_scen_result *r, size_t g, double a, double b)
{
    double ss = sim_to_s(r->sample_us);
    double klo = ceil(a / ss - 1e-9), khi = floor(b / ss + 1e-9);
    if (klo < 0 || khi > (double)r->nsamples || khi <= klo || r->reps == 0)
        return NAN;
    double sum = 0;
    for (size_t i = 0; i < r->sc->nservices; i++)
        if (r->sc->services[i].gateway == g)
            for (uint32_t k = (uint32_t)klo; k < (uint32_t)khi; k++)
                sum += (double)r->rows[i].in_use_sum[k];
    return sum / (double)r->reps / (khi - klo);
}

/* Whether the model's side of Little's law for level series lv must be read
 * on the whole gateway: an unnamed level is the fullest pool's, while the
 * counts are the whole gateway's, so on a gateway with several pools the two
 * would not match (r NULL: never). */
static int whole_gateway(const obs_compare *c, const nc_scen_result *r, int lv)
{
    if (r == NULL || lv < 0 || c->sc[lv].s->pool[0] != '\0')
        return 0;
    nc_topology t;
    if (nc_topology_build(r->sc, c->sc[lv].s->gw, &t) != NC_OK)
        return 0;
    int several = t.pools > 1;
    nc_topology_free(&t);
    return several;
}

/* r: the run c compares (for the model's side on gateways with several pools) */
static double hold_time(const obs_compare *c, const nc_scen_result *r, int lv, int t, int model,
                        double tw_s)
{
    if (lv < 0)
        return NAN;
    const obs_series_cmp *L = &c->sc[lv], *T = &c->sc[t];
    int whole = model && whole_gateway(c, r, lv);
    double level = 0, rate = 0;
    size_t n = 0;
    for (size_t i = 0; i < L->s->n; i++) {
        double tl = L->s->t0_s + (double)i * L->s->interval_s;
        /* the T point covering tl */
        double fi = (tl - T->s->t0_s) / T->s->interval_s;
        if (fi < 0 || fi >= (double)T->s->n)
            continue;
        size_t j = (size_t)fi;
        double v = model ? L->mean[i] : L->s->value[i];
        double tv = model ? T->mean[j] : T->s->value[j];
        if (isnan(v) || isnan(tv) || isnan(L->mean[i]) || isnan(T->mean[j]))
            continue;
        double lam = tv / T->s->interval_s;
        if (whole)   /* in use on the whole gateway, less its TIME_WAIT share */
            v = gw_in_use(r, L->s->gw, tl, tl + L->s->interval_s) - lam * tw_s;
        else if (L->s->metric == OBS_IN_USE)
            v -= lam * tw_s;
        if (isnan(v))
            continue;
        level += v;
        rate += lam;
        n++;
    }
    return n > 0 && rate > 0 && level > 0 ? level / rate : NAN;
}

/* --latency: can gateway x's hold time be inferred from the unfitted run c0?
 * Sets x->hold_why when not. */
static void hold_check(const obs_compare *c0, const nc_scen_result *r0, fit_gw *x, double tw_s)
{
    int lv = hold_level(c0, x->g);
    x->hold_why[0] = '\0';
    if (lv < 0)
        snprintf(x->hold_why, sizeof x->hold_why,
                 "no open or in_use series of its binding pool");
    else if (isnan(hold_time(c0, r0, lv, x->target, 0, tw_s)) && c0->sc[lv].s->metric == OBS_IN_USE)
        snprintf(x->hold_why, sizeof x->hold_why,
                 "observed in_use is not above its TIME_WAIT share (new connections/s x time_wait_s, "
                 "here %g s) on the simulated day: give open", tw_s);
    else if (isnan(hold_time(c0, r0, lv, x->target, 0, tw_s)))
        snprintf(x->hold_why, sizeof x->hold_why, "observed open is zero on the simulated day");
    else if (isnan(hold_time(c0, r0, lv, x->target, 1, tw_s)))
        snprintf(x->hold_why, sizeof x->hold_why,
                 "the model's %s is not above its TIME_WAIT share (new connections/s x time_wait_s, here %g s)",
                 obs_metric_names[c0->sc[lv].s->metric], tw_s);
}

static nc_status fit_gateway_knots(const fit_run *f, fit_gw *x, const obs_series *s, const double *want,
                                   double R0)
{
    size_t n = s->n, K = f->knots;
    double *a = malloc(n * sizeof *a), *len = malloc(n * sizeof *len), *r = malloc(n * sizeof *r);
    double *u = malloc(K * sizeof *u);
    int rc = -1;
    if (a && len && r && u) {
        for (size_t i = 0; i < n; i++) {
            a[i] = s->t0_s + (double)i * s->interval_s;
            len[i] = s->interval_s;
            r[i] = want[i];
        }
        rc = fit_profile(a, len, r, n, K, u);
    }
    if (rc == 0) {
        double peak = 0;
        for (size_t j = 0; j < K; j++)
            peak = fmax(peak, u[j]);
        if (peak <= 0 || R0 <= 0) {
            rc = 1;
        } else {
            for (size_t j = 0; j < K; j++)
                x->m[j] = u[j] / peak;
            x->k = peak / R0;
        }
    }
    free(a);
    free(len);
    free(r);
    free(u);
    return rc == 0 ? NC_OK : rc < 0 ? NC_ENOMEM : NC_EINPUT;
}

nc_status fit_calibrate(const fit_run *f, const nc_scenario *sc0, const nc_observed *o,
                        fit_calibration *out, nc_error *err)
{
    memset(out, 0, sizeof *out);
    nc_status st;
    nc_scen_result *r0 = NULL, *r1 = NULL;
    obs_compare *c0 = NULL, *c1 = NULL;
    fit_gw *fg = calloc(sc0->ngateways + 1, sizeof *fg);
    size_t nfg = 0;
    nc_scenario cur;
    memset(&cur, 0, sizeof cur);
    double *psi = NULL;
    st = fg ? simulate(sc0, f, o, &r0, &c0, err) : nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    /* gateways to fit and their targets */
    for (size_t g = 0; st == NC_OK && g < sc0->ngateways; g++) {
        int t = -1;
        static const obs_metric order[] = {OBS_NEW_CONNECTIONS, OBS_ATTEMPTS, OBS_REQUESTS};
        for (size_t oi = 0; oi < 3 && t < 0; oi++)
            for (size_t i = 0; i < c0->n && t < 0; i++)
                if (c0->sc[i].s->gw == g && c0->sc[i].s->metric == order[oi] && c0->sc[i].s->pool[0] == '\0')
                    t = (int)i;
        if (t < 0)
            continue;
        fit_gw *x = &fg[nfg++];
        x->g = g;
        x->target = t;
        x->metric = c0->sc[t].s->metric;
        x->k = 1;
        x->lat = 1;
        x->pooled = rows_pooled(sc0, g);
        x->m = calloc(f->knots, sizeof *x->m);
        if (x->m == NULL)
            st = nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        x->err_before = target_error(c0, t);
    }
    if (st == NC_OK && nfg == 0)
        st = nc_error_set(err, NC_EINPUT, o->path, 0, "metric",
                          "no new_connections, attempts or requests series of a gateway's binding pool "
                          "to fit the daily profile to");
    /* a target with no point on the simulated day has nothing to fit to */
    for (size_t q = 0; st == NC_OK && q < nfg; q++) {
        const obs_series_cmp *x = &c0->sc[fg[q].target];
        size_t on = 0;
        for (size_t i = 0; i < x->s->n; i++)
            on += !isnan(x->mean[i]);
        if (on == 0) {
            char a[32], b[32], d[32];
            nc_format_clock(sim_from_s(x->s->t0_s), a, sizeof a);
            nc_format_clock(sim_from_s(x->s->t0_s + (double)x->s->n * x->s->interval_s), b, sizeof b);
            nc_format_clock(sim_from_s(sc0->duration_h * 3600), d, sizeof d);
            st = nc_error_set(err, NC_EINPUT, o->path, x->s->line[0], "time",
                              "gateway %s: no point of its %s series (%s to %s) falls on the simulated "
                              "day (00:00:00 to %s, %g s intervals): nothing to fit to (check the "
                              "times, --tz, --observed-day and duration_h)", x->s->gateway,
                              obs_metric_names[x->s->metric], a, b, d, r0->sc->sample_s);
        }
    }
    /* --latency: a hold time to fit, for one gateway at least */
    if (st == NC_OK && f->latency) {
        size_t usable = 0;
        for (size_t q = 0; q < nfg; q++) {
            hold_check(c0, r0, &fg[q], sc0->gateways[fg[q].g].time_wait_s);
            usable += fg[q].hold_why[0] == '\0';
        }
        if (usable == 0)
            st = nc_error_set(err, NC_EINPUT, o->path, 0, "metric",
                              "--latency: the hold time cannot be inferred (gateway %s: %s)",
                              sc0->gateways[fg[0].g].name, fg[0].hold_why);
    }
    size_t maxn = 0;
    for (size_t i = 0; i < o->n; i++)
        maxn = o->s[i].n > maxn ? o->s[i].n : maxn;
    psi = calloc(maxn + 1, sizeof *psi);
    double *prevw = calloc((maxn + 1) * (nfg + 1), sizeof *prevw);
    if (prevw == NULL && st == NC_OK)
        st = nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    if (psi == NULL && st == NC_OK)
        st = nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    /* rounds: psi from the last run, refit, simulate */
    const nc_scen_result *rprev = r0;
    const obs_compare *cprev = c0;
    double best_err = INFINITY;
    int rounds = 0, best_round = 0;
    double *best_m = calloc(nfg * f->knots + 1, sizeof *best_m), *best_k = calloc(nfg + 1, sizeof *best_k),
           *best_lat = calloc(nfg + 1, sizeof *best_lat), *best_hold = calloc(nfg + 1, sizeof *best_hold);
    if ((!best_m || !best_k || !best_lat || !best_hold) && st == NC_OK)
        st = nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    nc_scen_result *rk = NULL;
    obs_compare *ck = NULL;
    for (int round = 1; st == NC_OK && round <= MAX_ROUNDS; round++) {
        for (size_t q = 0; q < nfg && st == NC_OK; q++) {
            fit_gw *x = &fg[q];
            const obs_series *s = c0->sc[x->target].s;
            nc_gw_summary sum;
            nc_summarize_gateway(r0, x->g, &sum);
            double tot = x->metric == OBS_NEW_CONNECTIONS ? (double)sum.new_connections
                         : x->metric == OBS_ATTEMPTS ? (double)sum.attempts : (double)sum.requests;
            double day_ratio = sum.requests > 0 && tot > 0 ? tot / (double)sum.requests : 1;
            wanted(rprev, cprev, x->target, cprev->gw[x->g].fails, x->g, day_ratio, psi,
                   prevw + q * (maxn + 1));
            /* psi is per request at the current rate: the base rows' R0 stays fixed */
            st = fit_gateway_knots(f, x, s, psi, base_rate(sc0, x->g));
            if (st == NC_EINPUT)
                st = nc_error_set(err, NC_EINPUT, o->path, 0, "value",
                                  "the %s series of gateway %s is zero everywhere: nothing to fit",
                                  obs_metric_names[x->metric], s->gateway);
            else if (st != NC_OK)
                st = nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
            if (st == NC_OK && f->latency && x->hold_why[0] == '\0') {
                int lv = hold_level(cprev, x->g);
                double tw = sc0->gateways[x->g].time_wait_s;
                double ho = hold_time(cprev, rprev, lv, x->target, 0, tw),
                       hm = hold_time(cprev, rprev, lv, x->target, 1, tw);
                x->hold_obs = ho;
                if (round == 1)
                    x->hold_model_before = hm;
                if (!isnan(ho) && !isnan(hm) && hm > 0)
                    x->lat *= ho / hm;
            }
        }
        if (st != NC_OK)
            break;
        nc_scenario_free(&cur);
        st = apply(sc0, fg, nfg, f->knots, &cur, err);
        if (st != NC_OK)
            break;
        nc_scen_result *rn = NULL;
        obs_compare *cn = NULL;
        st = simulate(&cur, f, o, &rn, &cn, err);
        if (st != NC_OK)
            break;
        rounds = round;
        double e = 0;
        for (size_t q = 0; q < nfg; q++) {
            e += target_error(cn, fg[q].target);
            if (cn->gw[fg[q].g].fails >= 0)   /* the failing minutes' attempts too */
                e += target_error(cn, cn->gw[fg[q].g].fails) *
                     fmin(1.0, cn->gw[fg[q].g].failures / fmax(1.0, total_obs(cn, fg[q].target)));
        }
        if (getenv("NATCAP_FIT_DEBUG"))
            fprintf(stderr, "fit round %d: error %.5f\n", round, e);
        if (f->latency)
            for (size_t q = 0; q < nfg; q++) {
                const obs_gw_cmp *gx = &cn->gw[fg[q].g];
                if (!isnan(gx->mape))
                    e += gx->mape / 100;
            }
        if (rk != NULL)
            drop(&rk, &ck);
        rk = rn;
        ck = cn;
        rprev = rk;
        cprev = ck;
        if (e < best_err * 0.999) {
            best_err = e;
            best_round = round;
            for (size_t q = 0; q < nfg; q++) {
                memcpy(best_m + q * f->knots, fg[q].m, f->knots * sizeof *best_m);
                best_k[q] = fg[q].k;
                best_lat[q] = fg[q].lat;
                best_hold[q] = f->latency ? hold_time(cn, rn, hold_level(cn, fg[q].g), fg[q].target, 1,
                                                     sc0->gateways[fg[q].g].time_wait_s) : NAN;
            }
        } else {
            break;   /* the error stopped falling */
        }
    }
    if (rk != NULL)
        drop(&rk, &ck);
    if (st == NC_OK) {
        for (size_t q = 0; q < nfg; q++) {
            memcpy(fg[q].m, best_m + q * f->knots, f->knots * sizeof *best_m);
            fg[q].k = best_k[q];
            fg[q].lat = best_lat[q];
            fg[q].hold_model_after = best_hold[q];
            fg[q].rounds = rounds;
        }
        (void)best_round;
        st = apply(sc0, fg, nfg, f->knots, &out->best, err);
    }
    if (st == NC_OK)
        st = simulate(&out->best, f, o, &r1, &c1, err);
    for (size_t q = 0; st == NC_OK && q < nfg; q++)
        fg[q].err_after = target_error(c1, fg[q].target);
    out->fg = fg;
    out->nfg = nfg;
    out->r0 = r0;
    out->c0 = c0;
    out->r1 = r1;
    out->c1 = c1;
    free(best_m);
    free(best_k);
    free(best_lat);
    free(best_hold);
    free(psi);
    free(prevw);
    nc_scenario_free(&cur);
    return st;
}

void fit_calibration_free(fit_calibration *c)
{
    for (size_t q = 0; c->fg != NULL && q < c->nfg; q++)
        free(c->fg[q].m);
    free(c->fg);
    drop(&c->r0, &c->c0);
    drop(&c->r1, &c->c1);
    nc_scenario_free(&c->best);
    memset(c, 0, sizeof *c);
}
