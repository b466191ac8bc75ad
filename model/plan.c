/*
 * plan.c - `natcap plan` (see plan.h for the questions and the searches).
 *
 * Structure.  A variant of a scenario is a small key (rate multiplier of
 * every row; for one gateway: nat_ips, time_wait_s or pool_idle of its rows
 * without pooling), normalised so that a knob set to its given value counts
 * as unchanged.  Each scenario keeps a cache of evaluated variants with, per
 * gateway, the four integers a search needs (failing replications, highest
 * peak, sum of peaks, capacity).  A search never keeps its own bracket: it
 * reads it from the cache each round (largest passing and smallest failing
 * point of its knob), so an evaluation made for one search (the baseline,
 * another gateway's headroom probe, the growth point) serves every other
 * search it informs, and a search cannot propose a point already cached.
 *
 * Sizes: a few searches per gateway, each ending after 2 to ~10
 * evaluations; a round runs every open search's next variant in one
 * batch_run, so the wall time is (rounds x the slowest variant's
 * replications / jobs), and the CPU time is what the searches evaluate.
 */
#include "plan.h"

#include "batch.h"
#include "occupancy.h"
#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Peaks: the daily maximum of a Poisson-like occupancy of mean m sits about
 * PEAK_Z standard deviations above m across a handful of replications; only
 * used for first guesses, never for answers. */
#define PEAK_Z 3.0

typedef struct vkey {
    double rate;        /* multiplier of every row's rps */
    long gw;            /* gateway whose knob is changed; -1: none */
    uint32_t ips;       /* 0: as given */
    double tw_s;        /* < 0: as given */
    uint32_t pool;      /* pool_idle of the gateway's rows without pooling; 0: as given */
} vkey;

typedef struct outcome {
    uint32_t exhausted, peak_max, reps;
    uint64_t peak_sum, capacity, alloc_failures;
} outcome;

typedef struct entry {
    vkey k;
    outcome *o;         /* [ngateways] */
} entry;

enum { S_HEADROOM, S_IPS, S_IPS_GROWTH, S_POOL, S_TW, S_KINDS };

typedef struct search {
    int kind;
    size_t g;
    int done;
    /* line searches: y = dir * knob, passing for y <= boundary */
    double dir;
    int integer;
    double ymin, ymax, guess;
    double rel_tol, abs_tol;
    int has_a, has_b;
    double a, b;        /* largest passing y below b; smallest failing y */
} search;

typedef struct scen_state {
    const nc_scenario *sc;
    entry *cache;
    size_t ncache, capcache;
    search *s;          /* [ngateways * S_KINDS] */
    double *analytic;   /* [ngateways]: peak of m(t) as given */
    double *analytic_tw0;   /* [ngateways]: with TIME_WAIT 0 */
} scen_state;

typedef struct planner {
    const plan_opts *o;
    size_t n;
    scen_state *st;
    plan_result *res;
    double t0;
    unsigned round;
    size_t round_variants;
} planner;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static nc_status oom(nc_error *err)
{
    return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
}

void plan_opts_default(plan_opts *o)
{
    memset(o, 0, sizeof *o);
    o->target_utilization = 0.8;
    o->growth = 1.5;
    o->alert_at = 0.8;
    o->lead_minutes = 15;
    o->jobs = 1;
}

/* ---- variants and the cache ----------------------------------------------- */

static vkey key_normal(const nc_scenario *sc, vkey k)
{
    if (k.gw >= 0) {
        const nc_gateway *gw = &sc->gateways[k.gw];
        if (k.ips == gw->nat_ips)
            k.ips = 0;
        if (k.tw_s >= 0 && k.tw_s == gw->time_wait_s)
            k.tw_s = -1;
        if (k.ips == 0 && k.tw_s < 0 && k.pool == 0)
            k.gw = -1;
    }
    if (k.gw < 0) {
        k.gw = -1;
        k.ips = 0;
        k.tw_s = -1;
        k.pool = 0;
    }
    return k;
}

static int key_eq(const vkey *x, const vkey *y)
{
    return x->rate == y->rate && x->gw == y->gw && x->ips == y->ips && x->tw_s == y->tw_s &&
           x->pool == y->pool;
}

static const outcome *cache_find(const scen_state *ss, const vkey *k)
{
    for (size_t i = 0; i < ss->ncache; i++)
        if (key_eq(&ss->cache[i].k, k))
            return ss->cache[i].o;
    return NULL;
}

static nc_status cache_add(scen_state *ss, const vkey *k, const nc_scen_result *r, nc_error *err)
{
    if (ss->ncache == ss->capcache) {
        size_t cap = ss->capcache ? 2 * ss->capcache : 16;
        entry *e = realloc(ss->cache, cap * sizeof *e);
        if (e == NULL)
            return oom(err);
        ss->cache = e;
        ss->capcache = cap;
    }
    size_t ng = ss->sc->ngateways;
    outcome *o = calloc(ng ? ng : 1, sizeof *o);
    if (o == NULL)
        return oom(err);
    for (size_t g = 0; g < ng; g++) {
        const nc_gw_result *x = &r->gw[g];
        o[g] = (outcome){x->exhausted_reps, x->peak_max, r->reps, x->peak_sum, x->capacity,
                         x->alloc_failures};
    }
    ss->cache[ss->ncache++] = (entry){*k, o};
    return NC_OK;
}

/* Copy src with the variant applied.  0 on success. */
static int make_variant(const nc_scenario *src, const vkey *k, nc_scenario *dst)
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
    if (k->pool > 0) {
        for (size_t i = 0; i < dst->nservices; i++)
            if (dst->services[i].gateway == (size_t)k->gw && src->services[i].pool_idle == 0)
                dst->services[i].pool_idle = k->pool;
    }
    return 0;
}

static int meets(const outcome *o, double u)
{
    return o->exhausted == 0 && (double)o->peak_max <= u * (double)o->capacity + 1e-9;
}

/* ---- the searches ---------------------------------------------------------- */

/* The knob value of entry e for search s, or NAN when e does not inform s. */
static double knob_of(const scen_state *ss, const search *s, const vkey *k, double growth)
{
    const nc_gateway *gw = &ss->sc->gateways[s->g];
    int plain = k->gw < 0;
    int mine = k->gw == (long)s->g;
    switch (s->kind) {
    case S_HEADROOM:
        return plain ? k->rate : NAN;
    case S_IPS:
    case S_IPS_GROWTH:
        if (k->rate != (s->kind == S_IPS ? 1.0 : growth))
            return NAN;
        if (plain)
            return gw->nat_ips;
        return mine && k->tw_s < 0 && k->pool == 0 ? (double)k->ips : NAN;
    case S_TW:
        if (k->rate != 1.0)
            return NAN;
        if (plain)
            return gw->time_wait_s;
        return mine && k->ips == 0 && k->pool == 0 ? k->tw_s : NAN;
    case S_POOL:
        if (k->rate != 1.0)
            return NAN;
        if (plain)
            return 0;
        return mine && k->ips == 0 && k->tw_s < 0 ? (double)k->pool : NAN;
    }
    return NAN;
}

static int passes(const search *s, const outcome *o, double u)
{
    if (s->kind == S_HEADROOM)
        return o->exhausted == 0;
    return meets(o, u);
}

/* Read the bracket of a line search from the cache. */
static void observe(const scen_state *ss, search *s, const plan_opts *po)
{
    s->has_a = s->has_b = 0;
    for (size_t i = 0; i < ss->ncache; i++) {
        double x = knob_of(ss, s, &ss->cache[i].k, po->growth);
        if (isnan(x) || passes(s, &ss->cache[i].o[s->g], po->target_utilization))
            continue;
        double y = s->dir * x;
        if (!s->has_b || y < s->b) {
            s->b = y;
            s->has_b = 1;
        }
    }
    for (size_t i = 0; i < ss->ncache; i++) {
        double x = knob_of(ss, s, &ss->cache[i].k, po->growth);
        if (isnan(x) || !passes(s, &ss->cache[i].o[s->g], po->target_utilization))
            continue;
        double y = s->dir * x;
        if ((s->has_b && y >= s->b) || (s->has_a && y <= s->a))
            continue;
        s->a = y;
        s->has_a = 1;
    }
}

static double tol_at(const search *s, double y)
{
    if (s->integer)
        return 1;
    double t = s->rel_tol * fabs(y);
    return t > s->abs_tol ? t : s->abs_tol;
}

/* Next y to evaluate, or NAN when the search is over. */
static double line_next(const search *s)
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

static vkey key_for(const search *s, double x, double growth)
{
    vkey k = {1.0, (long)s->g, 0, -1, 0};
    switch (s->kind) {
    case S_HEADROOM:
        k.rate = x;
        k.gw = -1;
        break;
    case S_IPS_GROWTH:
        k.rate = growth;
        /* fall through */
    case S_IPS:
        k.ips = (uint32_t)x;
        break;
    case S_TW:
        k.tw_s = x;
        break;
    case S_POOL:
        k.pool = (uint32_t)x;
        break;
    }
    return k;
}

/* The pool scan: 1, 2, 4, ... in order.  Returns the next pool_idle to
 * evaluate, or 0 when done (answer in *answer). */
static uint32_t pool_next(const scen_state *ss, const search *s, const plan_opts *po, long *answer)
{
    const outcome *prev = NULL;
    for (uint32_t p = 1; p <= PLAN_MAX_POOL_IDLE; p *= 2) {
        vkey k = key_normal(ss->sc, key_for(s, p, po->growth));
        const outcome *o = cache_find(ss, &k);
        if (o == NULL)
            return p;
        if (meets(&o[s->g], po->target_utilization)) {
            *answer = p;
            return 0;
        }
        /* Doubling changed nothing (same peaks and failed allocations to the
         * SYN): pool_idle is no longer what binds. */
        if (prev != NULL && prev->exhausted == o[s->g].exhausted &&
            prev->peak_max == o[s->g].peak_max && prev->peak_sum == o[s->g].peak_sum &&
            prev->alloc_failures == o[s->g].alloc_failures)
            break;
        prev = &o[s->g];
    }
    *answer = PLAN_NONE;
    return 0;
}

/* m + z sqrt(m) = peak, solved for m >= 0. */
static double mean_for_peak(double peak)
{
    if (!(peak > 0))
        return 0;
    double r = 0.5 * (-PEAK_Z + sqrt(PEAK_Z * PEAK_Z + 4 * peak));
    return r * r;
}

static double peak_for_mean(double m) { return m + PEAK_Z * sqrt(m > 0 ? m : 0); }


/* IPs that reserve ports_per_instance for every instance of the gateway's
 * services (the sim reserves by service, each with its most instances). */
static uint64_t ips_to_reserve_all(const nc_scenario *sc, size_t g)
{
    const nc_gateway *gw = &sc->gateways[g];
    uint64_t total = 0;
    for (size_t i = 0; i < sc->nservices; i++) {
        const nc_service *a = &sc->services[i];
        if (a->gateway != g)
            continue;
        int first = 1;
        uint64_t most = a->instances;
        for (size_t j = 0; j < sc->nservices; j++) {
            const nc_service *b = &sc->services[j];
            if (b->gateway != g || strcmp(a->name, b->name) != 0)
                continue;
            if (j < i)
                first = 0;
            if (b->instances > most)
                most = b->instances;
        }
        if (first)
            total += most;
    }
    uint64_t need = (total * gw->ports_per_instance + nc_gateway_port_range(gw) - 1) / nc_gateway_port_range(gw);
    return need ? need : 1;
}

/* Mean occupancy at the peak at load 1: from the baseline when it did not
 * fail (its peak is then a real measurement), else the analytic estimate. */
static double base_mean(const scen_state *ss, const plan_scenario *ps, size_t g)
{
    const nc_gw_result *x = &ps->base->gw[g];
    if (x->exhausted_reps == 0)
        return mean_for_peak(x->peak_max);
    double m = ss->analytic[g];
    if (!isnan(m) && m > 0)
        return m;
    return x->peak_max;   /* a lower bound: the search steps up from it */
}

static double clampd(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

static void init_searches(scen_state *ss, const plan_scenario *ps, const plan_opts *po)
{
    const nc_scenario *sc = ss->sc;
    double u = po->target_utilization;
    for (size_t g = 0; g < sc->ngateways; g++) {
        const nc_gateway *gw = &sc->gateways[g];
        const nc_gw_result *x = &ps->base->gw[g];
        double cap = (double)x->capacity;
        double m1 = base_mean(ss, ps, g);
        search *s = &ss->s[g * S_KINDS];

        search *h = &s[S_HEADROOM];
        *h = (search){.kind = S_HEADROOM, .g = g, .dir = 1, .ymin = 0, .ymax = PLAN_MAX_RATE_SCALE,
                      .rel_tol = 0.01, .abs_tol = 1e-4};
        h->guess = m1 > 0 ? mean_for_peak(cap) / m1 : PLAN_MAX_RATE_SCALE;
        h->guess = clampd(h->guess, 0.001, PLAN_MAX_RATE_SCALE);

        uint64_t per_ip = nc_gateway_port_range(gw);
        if (gw->mapping == NC_MAPPING_PER_DESTINATION && gw->per_destination_limit < per_ip)
            per_ip = gw->per_destination_limit;
        double nmax = PLAN_MAX_NAT_IPS;
        if (gw->ports_per_instance > 0)
            nmax = (double)ips_to_reserve_all(sc, g);
        for (int kind = S_IPS; kind <= S_IPS_GROWTH; kind++) {
            double load = kind == S_IPS ? 1.0 : po->growth;
            double need = peak_for_mean(load * m1) / (u * (double)per_ip);
            double guess = gw->ports_per_instance > 0 ? nmax : ceil(need - 1e-9);
            if (gw->ports_per_instance == 0 && guess * 2 > nmax)
                nmax = guess * 2 < 65535 ? guess * 2 : 65535;
            guess = clampd(guess, 1, nmax);
            s[kind] = (search){.kind = kind, .g = g, .dir = -1, .integer = 1, .ymin = -nmax,
                               .ymax = -1, .guess = -guess};
        }

        search *p = &s[S_POOL];
        *p = (search){.kind = S_POOL, .g = g};
        int unpooled = 0;
        for (size_t r = 0; r < sc->nservices; r++)
            unpooled |= sc->services[r].gateway == g && sc->services[r].pool_idle == 0;
        p->done = !unpooled || (x->exhausted_reps == 0 && (double)x->peak_max <= u * cap + 1e-9);
        search *t = &s[S_TW];
        *t = (search){.kind = S_TW, .g = g, .dir = 1, .ymin = 0, .ymax = gw->time_wait_s,
                      .rel_tol = 0.01, .abs_tol = 1.0};
        double a0 = ss->analytic_tw0[g], a1 = ss->analytic[g];
        double target = mean_for_peak(u * cap);
        t->guess = 0.5 * gw->time_wait_s;
        if (!isnan(a0) && !isnan(a1) && a1 > a0)
            t->guess = floor((target - a0) / (a1 - a0) * gw->time_wait_s);
        t->guess = clampd(t->guess, 0, gw->time_wait_s);
    }
}

/* ---- rounds ------------------------------------------------------------------- */

typedef struct pending {
    size_t scen;
    vkey k;
} pending;

static void default_progress(const plan_status *st)
{
    int width = 20, fill = st->units_total ? (int)((double)width * (double)st->units_done /
                                                   (double)st->units_total)
                                           : 0;
    char bar[32];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r\033[Kplan: round %u [%s] %zu/%zu replications of %zu variant%s, "
                    "%zu simulated before, elapsed %.0fs",
            st->round, bar, st->units_done, st->units_total, st->variants,
            st->variants == 1 ? "" : "s", st->simulations, st->elapsed_s);
    fflush(stderr);
}

static void on_batch_progress(void *ud, const batch_status *bs)
{
    planner *pl = ud;
    plan_status st = {pl->round, pl->round_variants, bs->units_done, bs->units_total,
                      pl->res->simulations, now_s() - pl->t0};
    if (pl->o->progress != NULL)
        pl->o->progress(pl->o->ud, &st);
    else
        default_progress(&st);
}

/* Simulate every pending variant in one batch and cache the outcomes.
 * Variants of the baseline key also keep their full result as the
 * scenario's baseline. */
static nc_status run_round(planner *pl, const pending *pv, size_t np, nc_error *err)
{
    nc_scenario *vars = calloc(np ? np : 1, sizeof *vars);
    nc_scen_result **rs = calloc(np ? np : 1, sizeof *rs);
    nc_status st = NC_OK;
    size_t built = 0;
    if (vars == NULL || rs == NULL)
        st = oom(err);
    for (; st == NC_OK && built < np; built++) {
        if (make_variant(pl->st[pv[built].scen].sc, &pv[built].k, &vars[built]) != 0)
            st = oom(err);
    }
    if (st == NC_OK) {
        pl->round++;
        pl->round_variants = np;
        int show = !pl->o->quiet;
        batch_opts bo = {pl->o->jobs ? pl->o->jobs : 1, pl->o->rng, pl->o->stop,
                         show ? on_batch_progress : NULL, pl, 0, 0};
        st = batch_run(vars, np, &bo, rs, err);
    }
    for (size_t i = 0; st == NC_OK && i < np; i++) {
        scen_state *ss = &pl->st[pv[i].scen];
        plan_scenario *ps = &pl->res->scen[pv[i].scen];
        st = cache_add(ss, &pv[i].k, rs[i], err);
        ps->simulations++;
        pl->res->simulations++;
        pl->res->replications += rs[i]->reps;
        if (st == NC_OK && pv[i].k.rate == 1.0 && pv[i].k.gw < 0 && ps->base == NULL) {
            ps->base = rs[i];   /* keep; point it at the caller's scenario */
            ps->base->sc = ss->sc;
            rs[i] = NULL;
        }
    }
    for (size_t i = 0; rs != NULL && i < np; i++)
        nc_scen_result_destroy(rs[i]);
    for (size_t i = 0; vars != NULL && i < built; i++)
        nc_scenario_free(&vars[i]);
    free(rs);
    free(vars);
    return st;
}

static int pending_has(const pending *pv, size_t np, size_t scen, const vkey *k)
{
    for (size_t i = 0; i < np; i++)
        if (pv[i].scen == scen && key_eq(&pv[i].k, k))
            return 1;
    return 0;
}

/* Collect the next proposal of every open search; close finished ones. */
static size_t propose(planner *pl, pending *pv)
{
    size_t np = 0;
    for (size_t i = 0; i < pl->n; i++) {
        scen_state *ss = &pl->st[i];
        for (size_t j = 0; j < ss->sc->ngateways * S_KINDS; j++) {
            search *s = &ss->s[j];
            if (s->done)
                continue;
            vkey k;
            if (s->kind == S_POOL) {
                long ans;
                uint32_t p = pool_next(ss, s, pl->o, &ans);
                if (p == 0) {
                    s->done = 1;
                    continue;
                }
                k = key_for(s, p, pl->o->growth);
            } else {
                observe(ss, s, pl->o);
                double y = line_next(s);
                if (isnan(y)) {
                    s->done = 1;
                    continue;
                }
                k = key_for(s, s->dir * y, pl->o->growth);
            }
            k = key_normal(ss->sc, k);
            if (cache_find(ss, &k) != NULL) {   /* cannot happen; never loop on it */
                s->done = 1;
                continue;
            }
            if (!pending_has(pv, np, i, &k))
                pv[np++] = (pending){i, k};
        }
    }
    return np;
}

/* ---- answers -------------------------------------------------------------------- */

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
        lead[nfail++] = isfinite(fire[j]) ? (f_s - fire[j]) / 60.0 : -INFINITY;
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
        if (isfinite(ml))
            out->alert_lead_minutes = ml;
        double pct = floor(100.0 * thr + 1e-9) / 100.0;
        if (pct > 0)
            out->alert_threshold_for_lead = pct;
    }
    free(fire);
    free(lead);
}

static double line_answer(const search *s) { return s->has_a ? s->dir * s->a : NAN; }

static nc_status finish_scenario(planner *pl, size_t i, nc_error *err)
{
    scen_state *ss = &pl->st[i];
    plan_scenario *ps = &pl->res->scen[i];
    const nc_scenario *sc = ss->sc;
    const plan_opts *po = pl->o;
    for (size_t g = 0; g < sc->ngateways; g++) {
        plan_gw *a = &ps->gw[g];
        search *s = &ss->s[g * S_KINDS];
        nc_gw_summary sum;
        nc_summarize_gateway(ps->base, g, &sum);
        a->capacity = sum.capacity;
        a->peak_in_use = sum.peak_in_use;
        a->peak_in_use_max = sum.peak_in_use_max;
        a->peak_utilization = sum.peak_utilization;
        a->exhausted_replications = sum.exhausted_replications;
        a->first_exhaustion = sum.first_exhaustion;

        observe(ss, &s[S_HEADROOM], po);
        a->headroom_rate_scale = line_answer(&s[S_HEADROOM]);
        if (isnan(a->headroom_rate_scale))
            a->headroom_rate_scale = 0;
        a->headroom_capped = a->headroom_rate_scale >= PLAN_MAX_RATE_SCALE;
        for (int kind = S_IPS; kind <= S_IPS_GROWTH; kind++) {
            observe(ss, &s[kind], po);
            double n = line_answer(&s[kind]);
            long v = isnan(n) ? PLAN_NONE : (long)n;
            if (kind == S_IPS)
                a->min_nat_ips = v;
            else
                a->min_nat_ips_at_growth = v;
        }
        observe(ss, &s[S_TW], po);
        a->time_wait_s_needed = line_answer(&s[S_TW]);
        int unpooled = 0;
        for (size_t r = 0; r < sc->nservices; r++)
            unpooled |= sc->services[r].gateway == g && sc->services[r].pool_idle == 0;
        if (!unpooled) {
            a->pool_idle_needed = PLAN_NA;
        } else if (meets(&cache_find(ss, &(vkey){1.0, -1, 0, -1, 0})[g], po->target_utilization)) {
            a->pool_idle_needed = 0;
        } else {
            long ans = PLAN_NONE;
            pool_next(ss, &s[S_POOL], po, &ans);
            a->pool_idle_needed = ans;
        }
        plan_alert(ps->base, g, po->alert_at, po->lead_minutes, a);
        a->analytic_peak_in_use = ss->analytic[g];
    }
    /* the rate-multiplier points, ascending, for the headroom chart */
    size_t ng = sc->ngateways;
    for (size_t e = 0; e < ss->ncache; e++)
        ps->npoints += ss->cache[e].k.gw < 0;
    ps->points = calloc(ps->npoints ? ps->npoints : 1, sizeof *ps->points);
    if (ps->points == NULL)
        return oom(err);
    size_t n = 0;
    for (size_t e = 0; e < ss->ncache; e++) {
        const entry *en = &ss->cache[e];
        if (en->k.gw >= 0)
            continue;
        size_t at = n++;
        while (at > 0 && ps->points[at - 1].rate_scale > en->k.rate) {
            ps->points[at] = ps->points[at - 1];
            at--;
        }
        plan_point *pt = &ps->points[at];
        pt->rate_scale = en->k.rate;
        pt->peak_utilization = calloc(ng ? ng : 1, sizeof *pt->peak_utilization);
        pt->exhausted_reps = calloc(ng ? ng : 1, sizeof *pt->exhausted_reps);
        if (pt->peak_utilization == NULL || pt->exhausted_reps == NULL)
            return oom(err);
        for (size_t g = 0; g < ng; g++) {
            const outcome *o = &en->o[g];
            pt->peak_utilization[g] = o->capacity && o->reps
                                          ? (double)o->peak_sum / o->reps / (double)o->capacity
                                          : 0;
            pt->exhausted_reps[g] = o->exhausted;
        }
    }
    return NC_OK;
}

/* ---- plan_run ----------------------------------------------------------------------- */

static nc_status analytic_peaks(scen_state *ss, nc_error *err)
{
    const nc_scenario *sc = ss->sc;
    for (size_t g = 0; g < sc->ngateways; g++) {
        for (int pass = 0; pass < 2; pass++) {
            occupancy *oc = NULL;
            nc_status st = occupancy_create(sc, g, pass ? 0.0 : -1.0, &oc, err);
            if (st != NC_OK)
                return st;
            (pass ? ss->analytic_tw0 : ss->analytic)[g] = occupancy_peak(oc);
            occupancy_destroy(oc);
        }
    }
    return NC_OK;
}

static void planner_free(planner *pl)
{
    for (size_t i = 0; pl->st != NULL && i < pl->n; i++) {
        scen_state *ss = &pl->st[i];
        for (size_t e = 0; e < ss->ncache; e++)
            free(ss->cache[e].o);
        free(ss->cache);
        free(ss->s);
        free(ss->analytic);
        free(ss->analytic_tw0);
    }
    free(pl->st);
}

static nc_status plan_solve(planner *pl, nc_error *err)
{
    plan_result *res = pl->res;
    size_t maxp = 0;
    for (size_t i = 0; i < pl->n; i++) {
        scen_state *ss = &pl->st[i];
        size_t ng = ss->sc->ngateways;
        ss->s = calloc(ng * S_KINDS + 1, sizeof *ss->s);
        ss->analytic = calloc(ng + 1, sizeof *ss->analytic);
        ss->analytic_tw0 = calloc(ng + 1, sizeof *ss->analytic_tw0);
        res->scen[i].gw = calloc(ng + 1, sizeof *res->scen[i].gw);
        if (!ss->s || !ss->analytic || !ss->analytic_tw0 || !res->scen[i].gw)
            return oom(err);
        nc_status st = analytic_peaks(ss, err);
        if (st != NC_OK)
            return st;
        maxp += ng * S_KINDS + 1;
    }
    pending *pv = calloc(maxp + 1, sizeof *pv);
    if (pv == NULL)
        return oom(err);
    /* round 1: every scenario as given */
    for (size_t i = 0; i < pl->n; i++)
        pv[i] = (pending){i, {1.0, -1, 0, -1, 0}};
    nc_status st = run_round(pl, pv, pl->n, err);
    for (size_t i = 0; st == NC_OK && i < pl->n; i++)
        init_searches(&pl->st[i], &res->scen[i], pl->o);
    while (st == NC_OK) {
        size_t np = propose(pl, pv);
        if (np == 0)
            break;
        st = run_round(pl, pv, np, err);
    }
    free(pv);
    for (size_t i = 0; st == NC_OK && i < pl->n; i++)
        st = finish_scenario(pl, i, err);
    return st;
}

nc_status plan_run(const nc_scenario *scenarios, size_t n, const plan_opts *o, plan_result **out,
                   nc_error *err)
{
    planner pl;
    memset(&pl, 0, sizeof pl);
    pl.o = o;
    pl.n = n;
    pl.t0 = now_s();
    plan_result *res = calloc(1, sizeof *res);
    if (res != NULL)
        res->scen = calloc(n + 1, sizeof *res->scen);
    pl.st = calloc(n + 1, sizeof *pl.st);
    if (res == NULL || res->scen == NULL || pl.st == NULL) {
        plan_result_destroy(res);
        free(pl.st);
        return oom(err);
    }
    res->opts = *o;
    res->n = n;
    pl.res = res;
    for (size_t i = 0; i < n; i++) {
        pl.st[i].sc = &scenarios[i];
        res->scen[i].sc = &scenarios[i];
    }
    nc_status st = plan_solve(&pl, err);
    if (!o->quiet && o->progress == NULL && pl.round > 0) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    res->rounds = pl.round;
    res->elapsed_s = now_s() - pl.t0;
    planner_free(&pl);
    if (st != NC_OK) {
        plan_result_destroy(res);
        return st;
    }
    *out = res;
    return NC_OK;
}

void plan_result_destroy(plan_result *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; p->scen != NULL && i < p->n; i++) {
        plan_scenario *ps = &p->scen[i];
        nc_scen_result_destroy(ps->base);
        free(ps->gw);
        for (size_t k = 0; ps->points != NULL && k < ps->npoints; k++) {
            free(ps->points[k].peak_utilization);
            free(ps->points[k].exhausted_reps);
        }
        free(ps->points);
    }
    free(p->scen);
    free(p);
}

/* ---- the stdout table ------------------------------------------------------------- */

static void fmt_long(long v, char *buf, size_t len)
{
    if (v == PLAN_NA)
        snprintf(buf, len, "n/a");
    else if (v == PLAN_NONE)
        snprintf(buf, len, "none");
    else
        snprintf(buf, len, "%ld", v);
}

static void fmt_num(double v, double scale, const char *unit, char *buf, size_t len)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.0f%s", v * scale, unit);
}

void plan_print(FILE *fp, const plan_result *p)
{
    if (p == NULL)
        return;
    const plan_opts *o = &p->opts;
    fprintf(fp, "%-16s %-12s %6s %9s %5s %6s %6s %6s %7s %8s %9s %9s\n", "scenario", "gateway",
            "peak%", "headroom", "IPs", "needs", "at", "pool", "TW_s", "alert", "alert", "analytic");
    char gcol[16];
    snprintf(gcol, sizeof gcol, "x%g", o->growth);
    char acol[16], tcol[16];
    snprintf(acol, sizeof acol, "lead@%.0f%%", 100 * o->alert_at);
    snprintf(tcol, sizeof tcol, "for%.0fmin", o->lead_minutes);
    fprintf(fp, "%-16s %-12s %6s %9s %5s %6s %6s %6s %7s %8s %9s %9s\n", "", "", "", "", "now",
            "IPs", gcol, "idle", "needed", acol, tcol, "peak");
    for (size_t i = 0; i < p->n; i++) {
        const plan_scenario *ps = &p->scen[i];
        for (size_t g = 0; g < ps->sc->ngateways; g++) {
            const plan_gw *a = &ps->gw[g];
            char hr[16], n1[16], n2[16], pool[16], tw[16], lead[16], thr[16], an[24];
            snprintf(hr, sizeof hr, "%s%.3g", a->headroom_capped ? ">=" : "",
                     a->headroom_rate_scale);
            fmt_long(a->min_nat_ips, n1, sizeof n1);
            fmt_long(a->min_nat_ips_at_growth, n2, sizeof n2);
            fmt_long(a->pool_idle_needed, pool, sizeof pool);
            fmt_num(a->time_wait_s_needed, 1, "", tw, sizeof tw);
            if (isnan(a->alert_lead_minutes))
                snprintf(lead, sizeof lead, "-");
            else
                snprintf(lead, sizeof lead, "%.1fmin", a->alert_lead_minutes);
            fmt_num(a->alert_threshold_for_lead, 100, "%", thr, sizeof thr);
            fmt_num(a->analytic_peak_in_use, 1, "", an, sizeof an);
            fprintf(fp, "%-16.16s %-12.12s %5.0f%% %9s %5u %6s %6s %6s %7s %8s %9s %9s\n",
                    ps->sc->name, ps->sc->gateways[g].name, 100 * a->peak_utilization, hr,
                    ps->sc->gateways[g].nat_ips, n1, n2, pool, tw, lead, thr, an);
        }
    }
    fprintf(fp, "plan: %zu simulations (%llu replications) in %u rounds, %.1f s; target %.0f %%, "
                "growth x%g, alert at %.0f %%, lead %g min\n",
            p->simulations, (unsigned long long)p->replications, p->rounds, p->elapsed_s,
            100 * o->target_utilization, o->growth, 100 * o->alert_at, o->lead_minutes);
}
