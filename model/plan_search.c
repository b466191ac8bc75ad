/*
 * plan_search.c - the search engine of `natcap plan` (plan_impl.h): keys
 * and variants, the cache of evaluated points with their analytic
 * verdicts, the rounds of simulations and the line search.  The questions
 * (which knob, which start, which answer) are in plan.c.
 *
 * Sizes: a few searches per gateway, each ending after 2 to ~10 points, most
 * of them probes of PLAN_PROBE_REPS replication(s) or decided analytically;
 * a round runs every open search's next point in one batch_run, so the wall
 * time is about (rounds x the slowest point's replications / jobs) and the
 * CPU time what the searches simulate.
 */
#include "plan_impl.h"

#include "arrivals.h"
#include "batch.h"
#include "occupancy.h"
#include "port_map.h"
#include "topology.h"
#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Analytic verdicts: the occupancy of the fullest pool at the peak is
 * Poisson with mean m; a day's highest value sits ~3-5 standard deviations
 * above m (many pools, many replications), so "beyond doubt" is 8 above or
 * 6 below (plus a constant for small pools). */
#define AN_Z_UP 8.0
#define AN_Z_DOWN 6.0
/* Requests an instance must expect (at multiplier 1 over the measured
 * period) for "an instance without ports fails": P(none) = e^-50. */
#define AN_MIN_REQUESTS 50.0

double plan_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

nc_status plan_oom(nc_error *err)
{
    return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
}

/* ---- keys and variants -------------------------------------------------------- */

vkey plan_key_normal(const nc_scenario *sc, vkey k)
{
    if (k.gw >= 0) {
        const nc_gateway *gw = &sc->gateways[k.gw];
        if (k.ips == gw->nat_ips)
            k.ips = 0;
        if (k.tw_s >= 0 && k.tw_s == gw->time_wait_s)
            k.tw_s = -1;
        if (k.ppi == gw->ports_per_instance)
            k.ppi = 0;
        if (k.ips == 0 && k.tw_s < 0 && k.pool == 0 && k.ppi == 0)
            k.gw = -1;
    }
    if (k.gw < 0)
        k = (vkey){k.rate, -1, 0, -1, 0, 0};
    return k;
}

int plan_key_eq(const vkey *x, const vkey *y)
{
    return x->rate == y->rate && x->gw == y->gw && x->ips == y->ips && x->tw_s == y->tw_s &&
           x->pool == y->pool && x->ppi == y->ppi;
}

entry *plan_cache_find(const scen_state *ss, const vkey *k)
{
    for (size_t i = 0; i < ss->ncache; i++)
        if (plan_key_eq(&ss->cache[i].k, k))
            return &ss->cache[i];
    return NULL;
}

int plan_make_variant(const nc_scenario *src, const vkey *k, nc_scenario *dst)
{
    if (nc_scenario_copy(dst, src) != 0)
        return -1;
    for (size_t i = 0; i < dst->nservices; i++)
        dst->services[i].rps = src->services[i].rps * k->rate;
    if (k->gw < 0)
        return 0;
    nc_gateway *gw = &dst->gateways[k->gw];
    if (k->ips > 0)
        gw->nat_ips = k->ips;
    if (k->tw_s >= 0)
        gw->time_wait_s = k->tw_s;
    if (k->ppi > 0)
        gw->ports_per_instance = k->ppi;
    if (k->pool > 0) {
        for (size_t i = 0; i < dst->nservices; i++)
            if (dst->services[i].gateway == (size_t)k->gw && src->services[i].pool_idle == 0)
                dst->services[i].pool_idle = k->pool;
    }
    return 0;
}

uint64_t plan_instances(const nc_scenario *sc, size_t g, nc_error *err, nc_status *st)
{
    nc_topology t;
    *st = nc_topology_build(sc, g, &t);
    if (*st != NC_OK) {
        plan_oom(err);
        return 0;
    }
    uint64_t n = t.instances;
    nc_topology_free(&t);
    return n;
}

uint64_t plan_ips_to_reserve(const nc_gateway *gw, uint64_t instances, uint64_t ppi)
{
    uint64_t need = nc_topology_ips_needed(gw, instances, ppi);
    return need ? need : 1;
}

/* ---- the cache and the analytic verdicts ----------------------------------------- */

/* Fill the analytic verdicts of e for every gateway. */
static nc_status analyse(planner *pl, scen_state *ss, entry *e, nc_error *err)
{
    const nc_scenario *sc = ss->sc;
    const vkey *k = &e->k;
    double u = pl->o->target_utilization;
    for (size_t g = 0; g < sc->ngateways; g++) {
        outcome *o = &e->o[g];
        o->demand = NAN;
        o->an = 0;
        nc_gateway gw = sc->gateways[g];
        int mine = k->gw == (long)g;
        if (mine && k->ips > 0)
            gw.nat_ips = k->ips;
        if (mine && k->ppi > 0)
            gw.ports_per_instance = k->ppi;
        double cap = (double)nc_gateway_pool_capacity(&gw);
        o->capacity = (uint64_t)cap;
        int pooled = 0, busy = 1, rows = 0;
        for (size_t r = 0; r < sc->nservices; r++) {
            const nc_service *sv = &sc->services[r];
            if (sv->gateway != g)
                continue;
            rows++;
            pooled |= sv->pool_idle > 0 || (mine && k->pool > 0);
            busy &= sv->rps * k->rate * sc->duration_h * 3600.0 >= AN_MIN_REQUESTS;
        }
        if (rows == 0)
            continue;
        /* the reservation arithmetic: instances beyond it get no ports */
        if (gw.ports_per_instance > 0) {
            if (nc_topology_reservable(&gw) < ss->instances[g]) {
                if (busy)
                    o->an = AN_EXH | AN_MISS;
                continue;   /* else: left to the simulation */
            }
        }
        if (pooled)
            continue;
        double m;
        if (mine && k->tw_s >= 0) {
            nc_scenario var;
            if (plan_make_variant(sc, k, &var) != 0)
                return plan_oom(err);
            occupancy *oc = NULL;
            nc_status st = occupancy_create(&var, g, -1.0, &oc, err);
            m = st == NC_OK ? occupancy_peak(oc) : NAN;
            occupancy_destroy(oc);
            nc_scenario_free(&var);
            if (st != NC_OK)
                return st;
        } else {
            m = ss->analytic[g] * k->rate;
        }
        if (isnan(m))
            continue;
        o->demand = m;
        double up = m + AN_Z_UP * sqrt(m) + AN_Z_UP, lo = m - AN_Z_DOWN * sqrt(m) - AN_Z_DOWN;
        /* Linux's search refuses before the pool is full: free of
         * refusals for sure only well below it */
        double clear = gw.port_selection == NC_PORTS_LINUX_PROBE ? PM_SAFE_SHARE * cap : cap;
        if (up < clear)
            o->an |= AN_NOEXH;
        if (up <= u * cap && up < clear)
            o->an |= AN_MEETS;
        if (lo > cap)
            o->an |= AN_EXH | AN_MISS;
        else if (lo > u * cap)
            o->an |= AN_MISS;
    }
    return NC_OK;
}

entry *plan_cache_get(planner *pl, size_t scen, const vkey *k, nc_error *err)
{
    scen_state *ss = &pl->st[scen];
    entry *e = plan_cache_find(ss, k);
    if (e != NULL)
        return e;
    if (ss->ncache == ss->capcache) {
        size_t cap = ss->capcache ? 2 * ss->capcache : 16;
        entry *c = realloc(ss->cache, cap * sizeof *c);
        if (c == NULL) {
            plan_oom(err);
            return NULL;
        }
        ss->cache = c;
        ss->capcache = cap;
    }
    size_t ng = ss->sc->ngateways;
    outcome *o = calloc(ng ? ng : 1, sizeof *o);
    if (o == NULL) {
        plan_oom(err);
        return NULL;
    }
    e = &ss->cache[ss->ncache];
    *e = (entry){*k, 0, 0, o};
    if (analyse(pl, ss, e, err) != NC_OK) {
        free(o);
        return NULL;
    }
    ss->ncache++;
    return e;
}

/* A simulated peak so far below `limit` that no other replication reaches
 * it: replications differ by about the Poisson deviation sqrt(peak) of the
 * occupancy (much less, for the daily maximum), and the margin is AN_Z_UP
 * of them.  This decides pooled gateways, where the analytic occupancy
 * does not apply, from their probe. */
static int beyond_doubt_below(double peak, double limit)
{
    return peak + AN_Z_UP * sqrt(peak) + AN_Z_UP <= limit;
}

int plan_verdict(const entry *e, size_t g, int target, double u, uint32_t reps)
{
    const outcome *o = &e->o[g];
    if (o->an & (target ? AN_MISS | AN_EXH : AN_EXH))
        return V_FAIL;
    if (e->reps > 0 &&
        (o->fail_reps > 0 || (target && (double)o->peak_max > u * (double)o->capacity + 1e-9)))
        return V_FAIL;
    if (o->an & (target ? AN_MEETS : AN_NOEXH))
        return V_PASS;
    if (e->reps > 0 && beyond_doubt_below((double)o->peak_max,
                                          target ? u * (double)o->capacity : (double)o->capacity - 1))
        return V_PASS;
    if (e->reps >= reps)
        return V_PASS;
    return e->reps > 0 ? V_TENTATIVE : V_UNKNOWN;
}

void plan_request(entry *e, uint32_t reps)
{
    if (reps > e->reps && reps > e->want)
        e->want = reps;
}

/* ---- windows ------------------------------------------------------------------------
 *
 * The searches of a one-day scenario simulate only its busy part: from
 * WIN_MARGIN_S before the first time any of its profiles reaches `level` of
 * that profile's peak to the last such time plus the longest TIME_WAIT,
 * keep-alive and WIN_MARGIN_S, with the scenario's warm-up before it (the
 * profiles are shifted so that the window starts at 00:00; they are
 * periodic, so the warm-up sees the hours before the window).  Failures and
 * peaks come where the load is highest; outside the window every row's
 * rate is below `level` of its peak.  The baseline is always the whole
 * day.  Not used when the window would be most of the day (a flat or
 * two-peaked load, a multi-day scenario).
 *
 * The level follows the smallest pool that binds: a pool whose mean at the
 * peak is m has a standard deviation of about sqrt(m) (Poisson), so outside
 * a window at level L its mean is m (1 - L) lower, WIN_Z standard
 * deviations for L = 1 - WIN_Z / sqrt(m); the daily maximum never comes
 * from there.  Large pools (tens of thousands of ports) get a window of a
 * few hours around the peak, small ones (per-instance reservations) the
 * half of the day above half the peak. */
#define WIN_Z 8.0
#define WIN_LEVEL_MIN 0.5
#define WIN_LEVEL_MAX 0.95
#define WIN_MARGIN_S 900.0
#define WIN_MAX_SHARE 0.7
#define DAY_S 86400.0

double plan_window_level(double m)
{
    if (!(m > 0))
        return WIN_LEVEL_MIN;
    double l = 1.0 - WIN_Z / sqrt(m);
    return l < WIN_LEVEL_MIN ? WIN_LEVEL_MIN : l > WIN_LEVEL_MAX ? WIN_LEVEL_MAX : l;
}

void plan_window(scen_state *ss, double level)
{
    const nc_scenario *sc = ss->sc;
    ss->win_t0 = ss->win_s = 0;
    if (fabs(sc->duration_h - 24.0) > 1e-9 || sc->nservices == 0)
        return;
    double lo = INFINITY, hi = -INFINITY, hold = 0;
    for (size_t p = 0; p < sc->nprofiles; p++) {
        int used = 0;
        for (size_t r = 0; r < sc->nservices; r++) {
            if (sc->services[r].profile != p || sc->services[r].rps <= 0)
                continue;
            used = 1;
            const nc_gateway *gw = &sc->gateways[sc->services[r].gateway];
            double h = fmax(gw->time_wait_s,
                            sc->services[r].rst_close_fraction > 0 || gw->idle_reset
                                ? gw->rst_hold_s : 0) +
                       (sc->services[r].pool_idle > 0 ? sc->services[r].keepalive_s : 0);
            if (h > hold)
                hold = h;
        }
        if (!used)
            continue;
        const nc_profile *pr = &sc->profiles[p];
        if (pr->npoints < 2)
            return;   /* flat: busy all day */
        double top = 0;
        for (size_t i = 0; i < pr->npoints; i++)
            if (pr->multiplier[i] > top)
                top = pr->multiplier[i];
        for (double t = 0; t < DAY_S; t += 60) {
            if (arrivals_profile_at(pr, t) >= level * top - 1e-12) {
                if (t < lo)
                    lo = t;
                if (t + 60 > hi)
                    hi = t + 60;
            }
        }
    }
    if (!(lo < hi) || (lo < 60 && hi > DAY_S - 60))
        return;   /* busy across midnight: all day */
    lo -= WIN_MARGIN_S;
    hi += hold + WIN_MARGIN_S;
    if (lo < 0)
        lo = 0;
    if (hi > DAY_S)
        hi = DAY_S;
    if (hi - lo > WIN_MAX_SHARE * DAY_S)
        return;
    ss->win_t0 = lo;
    ss->win_s = hi - lo;
}

static int cmp_pt(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

/* Shift v's profiles so that the window starts at 00:00 and cut its
 * duration to the window.  0 on success. */
static int apply_window(const scen_state *ss, nc_scenario *v)
{
    if (ss->win_s <= 0)
        return 0;
    for (size_t p = 0; p < v->nprofiles; p++) {
        nc_profile *pr = &v->profiles[p];
        if (pr->npoints < 2)
            continue;
        size_t n = pr->npoints + 1;
        double *pt = malloc(2 * n * sizeof *pt);
        double *ts = malloc(n * sizeof *ts), *ms = malloc(n * sizeof *ms);
        if (pt == NULL || ts == NULL || ms == NULL) {
            free(pt);
            free(ts);
            free(ms);
            return -1;
        }
        pt[0] = 0;
        pt[1] = arrivals_profile_at(pr, ss->win_t0);
        for (size_t i = 0; i < pr->npoints; i++) {
            pt[2 * (i + 1)] = fmod(pr->time_s[i] - ss->win_t0 + 2 * DAY_S, DAY_S);
            pt[2 * (i + 1) + 1] = pr->multiplier[i];
        }
        qsort(pt, n, 2 * sizeof *pt, cmp_pt);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (m > 0 && pt[2 * i] <= ts[m - 1])
                continue;   /* a knot at the window's start, or 00:00 and 24:00 */
            ts[m] = pt[2 * i];
            ms[m++] = pt[2 * i + 1];
        }
        free(pt);
        free(pr->time_s);
        free(pr->multiplier);
        pr->time_s = ts;
        pr->multiplier = ms;
        pr->npoints = m;
    }
    v->duration_h = ss->win_s / 3600.0;
    return 0;
}

/* ---- rounds ------------------------------------------------------------------------ */

typedef struct round_ctx {
    planner *pl;
    double t_before;       /* batch wall seconds before this round */
} round_ctx;

static void on_batch_progress(void *ud, const batch_status *bs)
{
    round_ctx *rc = ud;
    planner *pl = rc->pl;
    if (pl->o->progress == NULL)
        return;
    plan_status st = {pl->round, pl->round + pl->future_rounds, pl->round_variants,
                      bs->units_done, bs->units_total, pl->res->simulations,
                      plan_now_s() - pl->t0, -1, 0};
    double done = pl->work_done + bs->work_done;
    double left = (bs->work_total - bs->work_done) + pl->future_work;
    st.eta_s = progress_eta(done, done + (left > 0 ? left : 0), rc->t_before + bs->elapsed_s);
    pl->o->progress(pl->o->ud, &st);
}

int plan_probe_work(scen_state *ss)
{
    nc_scenario v;
    if (nc_scenario_copy(&v, ss->sc) != 0)
        return -1;
    v.replications = 1;
    int rc = apply_window(ss, &v);
    ss->probe_work = rc == 0 ? progress_expected_requests(&v) : 0;
    nc_scenario_free(&v);
    return rc == 0 && ss->probe_work >= 0 ? 0 : -1;
}

typedef struct job {
    size_t scen;
    entry *e;
} job;

nc_status plan_run_round(planner *pl, size_t *nsim, nc_error *err)
{
    size_t nj = 0;
    for (size_t i = 0; i < pl->n; i++)
        for (size_t c = 0; c < pl->st[i].ncache; c++)
            nj += pl->st[i].cache[c].want > pl->st[i].cache[c].reps;
    *nsim = nj;
    if (nj == 0)
        return NC_OK;
    job *jobs = calloc(nj, sizeof *jobs);
    nc_scenario *vars = calloc(nj, sizeof *vars);
    nc_scen_result **rs = calloc(nj, sizeof *rs);
    uint32_t *lo = calloc(nj, sizeof *lo);
    nc_status st = NC_OK;
    size_t built = 0;
    if (jobs == NULL || vars == NULL || rs == NULL || lo == NULL)
        st = plan_oom(err);
    size_t j = 0;
    for (size_t i = 0; st == NC_OK && i < pl->n; i++)
        for (size_t c = 0; c < pl->st[i].ncache; c++)
            if (pl->st[i].cache[c].want > pl->st[i].cache[c].reps)
                jobs[j++] = (job){i, &pl->st[i].cache[c]};
    double work = 0;
    for (; st == NC_OK && built < nj; built++) {
        const job *jb = &jobs[built];
        int base = jb->e->k.rate == 1.0 && jb->e->k.gw < 0;
        if (plan_make_variant(pl->st[jb->scen].sc, &jb->e->k, &vars[built]) != 0 ||
            (!base && apply_window(&pl->st[jb->scen], &vars[built]) != 0)) {
            if (vars[built].services != NULL)
                built++;
            st = plan_oom(err);
            break;
        }
        vars[built].replications = jb->e->want;
        lo[built] = jb->e->reps;
        double w = progress_expected_requests(&vars[built]);
        if (w < 0) {
            built++;
            st = plan_oom(err);
            break;
        }
        work += w * (double)(jb->e->want - jb->e->reps);
    }
    if (st == NC_OK) {
        pl->round++;
        pl->round_variants = nj;
        round_ctx rc = {pl, pl->batch_s};
        batch_opts bo = {pl->o->jobs ? pl->o->jobs : 1, pl->o->rng, pl->o->stop,
                         pl->o->progress ? on_batch_progress : NULL, &rc, 0, 0, lo};
        double t = plan_now_s();
        st = batch_run(vars, nj, &bo, rs, err);
        pl->batch_s += plan_now_s() - t;
        if (pl->round == 1)
            pl->res->baseline_s = plan_now_s() - t;
        pl->work_done += work;
    }
    for (size_t i = 0; st == NC_OK && i < nj; i++) {
        entry *e = jobs[i].e;
        scen_state *ss = &pl->st[jobs[i].scen];
        plan_scenario *ps = &pl->res->scen[jobs[i].scen];
        const nc_scen_result *r = rs[i];
        for (size_t g = 0; g < ss->sc->ngateways; g++) {
            const nc_gw_result *x = &r->gw[g];
            outcome *o = &e->o[g];
            o->capacity = x->capacity;
            for (uint32_t rep = e->reps; rep < e->want; rep++) {
                o->fail_reps += x->first_fail_by_rep[rep] != SIM_TIME_NONE;
                if (x->peak_by_rep[rep] > o->peak_max)
                    o->peak_max = x->peak_by_rep[rep];
                o->peak_sum += x->peak_by_rep[rep];
                if (rep == 0) {
                    o->peak0 = x->peak_by_rep[0];
                    o->ff0 = x->first_fail_by_rep[0];
                }
            }
            o->alloc_failures += x->alloc_failures;
        }
        if (e->reps == 0) {
            ps->simulations++;
            pl->res->simulations++;
        }
        pl->res->replications += e->want - e->reps;
        if (pl->round == 1)
            pl->res->reps_baseline += e->want - e->reps;
        else if (e->reps == 0)
            pl->res->reps_probe += e->want;
        else
            pl->res->reps_confirm += e->want - e->reps;
        if (e->k.rate == 1.0 && e->k.gw < 0 && ps->base == NULL && e->reps == 0 &&
            e->want == ss->sc->replications) {
            ps->base = rs[i];   /* keep; point it at the caller's scenario */
            ps->base->sc = ss->sc;
            rs[i] = NULL;
        }
        e->reps = e->want;
        e->want = 0;
    }
    for (size_t i = 0; rs != NULL && i < nj; i++)
        nc_scen_result_destroy(rs[i]);
    for (size_t i = 0; vars != NULL && i < built; i++)
        nc_scenario_free(&vars[i]);
    free(rs);
    free(vars);
    free(lo);
    free(jobs);
    return st;
}

void plan_report_round(planner *pl)
{
    if (pl->round == 0)
        return;
    size_t queued = 0;
    double queued_work = 0;
    for (size_t i = 0; i < pl->n; i++)
        for (size_t c = 0; c < pl->st[i].ncache; c++) {
            const entry *e = &pl->st[i].cache[c];
            if (e->want > e->reps) {
                queued += e->want - e->reps;
                queued_work += (double)(e->want - e->reps) * e->k.rate * pl->st[i].probe_work;
            }
        }
    unsigned more = queued > 0 ? 1 + pl->future_rounds : 0;
    if (pl->round == 1)
        pl->res->work_est_round1 = pl->work_done + queued_work + pl->future_work;
    plan_status ps = {pl->round, pl->round + more, pl->round_variants, 0, 0,
                      pl->res->simulations, plan_now_s() - pl->t0, -1, 1};
    ps.eta_s = progress_eta(pl->work_done, pl->work_done + queued_work + pl->future_work,
                            pl->batch_s);
    if (pl->o->progress == NULL)
        return;
    pl->o->progress(pl->o->ud, &ps);
}

/* ---- the line search ------------------------------------------------------------------ */

static double tol_at(const search *s, double y)
{
    if (s->integer)
        return 1;
    double t = s->rel_tol * fabs(y);
    return t > s->abs_tol ? t : s->abs_tol;
}

double plan_line_next(const search *s)
{
    double lo = s->has_a ? s->a : -INFINITY, hi = s->has_b ? s->b : INFINITY;
    if (s->has_a && s->has_b && s->b - s->a <= tol_at(s, s->b))
        return NAN;
    if (s->has_a && s->a >= s->ymax)
        return NAN;
    if (s->has_b && s->b <= s->ymin)
        return NAN;
    if (s->guess > lo && s->guess < hi)
        return s->guess;
    double y;
    if (s->has_a && s->has_b) {
        /* Bracketed, but still near the guess: keep stepping out from it
         * (doubling) while that stays short of the midpoint, so a good
         * guess ends the search in two steps even when the other end of
         * the bracket (say the baseline at 1x) is far away. */
        double mid = 0.5 * (s->a + s->b);
        if (s->a >= s->guess) {
            double step = s->a - s->guess > tol_at(s, s->a) ? s->a - s->guess : tol_at(s, s->a);
            y = s->integer ? floor(s->a + step) : s->a + step;
            if (y < mid && y > s->a)
                return y;
        }
        if (s->b <= s->guess) {
            double step = s->guess - s->b > tol_at(s, s->b) ? s->guess - s->b : tol_at(s, s->b);
            y = s->integer ? ceil(s->b - step) : s->b - step;
            if (y > mid && y < s->b)
                return y;
        }
        y = mid;
        if (s->integer) {
            y = floor(y);
        } else if (s->b - s->a > 4 && s->abs_tol >= 1) {
            double r = floor(y + 0.5);   /* whole seconds while the bracket is wide */
            if (r > s->a && r < s->b)
                y = r;
        }
        return y;
    }
    if (s->has_a) {   /* all evaluated points pass: step up, doubling */
        double step = s->a - s->guess;
        if (step < tol_at(s, s->a))
            step = tol_at(s, s->a);
        y = s->a + step;
        if (s->integer)
            y = floor(y);
        return y < s->ymax ? y : s->ymax;
    }
    double step = s->guess - s->b;   /* all evaluated points fail: step down */
    if (step < tol_at(s, s->b))
        step = tol_at(s, s->b);
    y = s->b - step;
    if (s->integer)
        y = ceil(y);
    return y > s->ymin ? y : s->ymin;
}
