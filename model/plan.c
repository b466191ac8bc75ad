/*
 * plan.c - the questions of `natcap plan` (plan.h): which knob each search
 * turns, within which limits (the platform's, plan_knobs.h), where it
 * starts, and how its answer and notes are read from the cache.  The
 * engine (cache, analytic verdicts, rounds, line search) is plan_search.c,
 * the driver (windows, rounds until done) plan_run.c.
 */
#include "plan_impl.h"

#include "summary.h"
#include "topology.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Peaks: the daily maximum of a Poisson-like occupancy of mean m sits about
 * PEAK_Z standard deviations above m across a handful of replications; only
 * used for first guesses, never for answers. */
#define PEAK_Z 3.0

double plan_mean_for_peak(double peak)
{
    if (!(peak > 0))
        return 0;
    double r = 0.5 * (-PEAK_Z + sqrt(PEAK_Z * PEAK_Z + 4 * peak));
    return r * r;
}

static double peak_for_mean(double m) { return m + PEAK_Z * sqrt(m > 0 ? m : 0); }

static double clampd(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

/* ---- ports per instance as a search index ------------------------------------------ */

static double ppi_index(const plan_knobs *kn, uint32_t v)
{
    for (uint64_t i = 0;; i++) {
        uint32_t w = plan_knobs_ppi_nth(kn, i, 65536);
        if (w == 0 || w > v)
            return NAN;
        if (w == v)
            return (double)i;
        if (!kn->ppi_pow2) {   /* arithmetic: jump */
            uint32_t step = kn->ppi_step > 1 ? kn->ppi_step : 1;
            if ((v - w) % step != 0)
                return NAN;
            return (double)(i + (v - w) / step);
        }
    }
}

/* ---- which points inform which search ------------------------------------------------ */

/* The knob value of key k for search s, or NAN when k does not inform s. */
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
        return mine && k->tw_s < 0 && k->pool == 0 && k->ppi == 0 ? (double)k->ips : NAN;
    case S_TW:
        if (k->rate != 1.0)
            return NAN;
        if (plain)
            return gw->time_wait_s;
        return mine && k->ips == 0 && k->pool == 0 && k->ppi == 0 ? k->tw_s : NAN;
    case S_POOL:
        if (k->rate != 1.0)
            return NAN;
        if (plain)
            return 0;
        return mine && k->ips == 0 && k->tw_s < 0 && k->ppi == 0 ? (double)k->pool : NAN;
    case S_PPI: {
        if (k->rate != 1.0 || !(plain || (mine && k->tw_s < 0 && k->pool == 0)))
            return NAN;
        uint32_t ppi = plain || k->ppi == 0 ? gw->ports_per_instance : k->ppi;
        uint32_t ips = plain || k->ips == 0 ? gw->nat_ips : k->ips;
        if (ips != plan_ips_to_reserve(gw, ss->instances[s->g], ppi))
            return NAN;
        return ppi_index(ss->knobs[s->g], ppi);
    }
    }
    return NAN;
}

static vkey key_for(const scen_state *ss, const search *s, double x, double growth)
{
    vkey k = {1.0, (long)s->g, 0, -1, 0, 0};
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
    case S_PPI: {
        const nc_gateway *gw = &ss->sc->gateways[s->g];
        k.ppi = plan_knobs_ppi_nth(ss->knobs[s->g], (uint64_t)x, 65536);
        k.ips = (uint32_t)plan_ips_to_reserve(gw, ss->instances[s->g], k.ppi);
        break;
    }
    }
    return plan_key_normal(ss->sc, k);
}

/* Read the bracket of a line search from the cache. */
static void observe(const scen_state *ss, search *s, const plan_opts *po)
{
    s->has_a = s->has_b = 0;
    s->a_tentative = 0;
    uint32_t reps = ss->sc->replications;
    for (size_t i = 0; i < ss->ncache; i++) {
        const entry *e = &ss->cache[i];
        double x = knob_of(ss, s, &e->k, po->growth);
        if (isnan(x))
            continue;
        int v = plan_verdict(e, s->g, s->target, po->target_utilization, reps);
        double y = s->dir * x;
        if (v == V_FAIL && (!s->has_b || y < s->b)) {
            s->b = y;
            s->has_b = 1;
        }
    }
    for (size_t i = 0; i < ss->ncache; i++) {
        const entry *e = &ss->cache[i];
        double x = knob_of(ss, s, &e->k, po->growth);
        if (isnan(x))
            continue;
        int v = plan_verdict(e, s->g, s->target, po->target_utilization, reps);
        if (v != V_PASS && v != V_TENTATIVE)
            continue;
        double y = s->dir * x;
        if ((s->has_b && y >= s->b) || (s->has_a && y <= s->a))
            continue;
        s->a = y;
        s->has_a = 1;
        s->a_tentative = v == V_TENTATIVE;
    }
}

static double line_answer(const search *s)
{
    return s->has_a && !s->a_tentative ? s->dir * s->a : NAN;
}

/* The pool scan: 1, 2, 4, ... in order.  Returns the next pool_idle to
 * evaluate (with *reps the replications it needs), or 0 when done (answer
 * in *answer). */
static uint32_t pool_next(const scen_state *ss, const search *s, const plan_opts *po,
                          uint32_t *reps, long *answer)
{
    uint32_t full = ss->sc->replications;
    const entry *prev = NULL;
    for (uint32_t p = 1; p <= PLAN_MAX_POOL_IDLE; p *= 2) {
        vkey k = key_for(ss, s, p, po->growth);
        const entry *e = plan_cache_find(ss, &k);
        int v = e ? plan_verdict(e, s->g, 1, po->target_utilization, full) : V_UNKNOWN;
        if (v == V_UNKNOWN) {
            *reps = PLAN_PROBE_REPS < full ? PLAN_PROBE_REPS : full;
            return p;
        }
        if (v == V_TENTATIVE) {
            *reps = full;
            return p;
        }
        if (v == V_PASS) {
            *answer = p;
            return 0;
        }
        /* Doubling changed nothing (same peak and first failure in the
         * first replication, same failed allocations): pool_idle is no
         * longer what binds. */
        const outcome *o = &e->o[s->g];
        if (prev != NULL && prev->o[s->g].peak0 == o->peak0 && prev->o[s->g].ff0 == o->ff0 &&
            prev->reps == e->reps && prev->o[s->g].alloc_failures == o->alloc_failures)
            break;
        prev = e;
    }
    *answer = PLAN_NONE;
    return 0;
}

/* ---- starting points -------------------------------------------------------------------- */

/* Mean occupancy at the peak at load 1: from the baseline when it did not
 * fail (its peak is then a real measurement), else the analytic estimate. */
static double base_mean(const scen_state *ss, const plan_scenario *ps, size_t g)
{
    const nc_gw_result *x = &ps->base->gw[g];
    if (x->exhausted_reps == 0)
        return plan_mean_for_peak(x->peak_max);
    double m = ss->analytic[g];
    if (!isnan(m) && m > 0)
        return m;
    return x->peak_max;   /* a lower bound: the search steps up from it */
}

static int has_unpooled(const nc_scenario *sc, size_t g)
{
    for (size_t r = 0; r < sc->nservices; r++)
        if (sc->services[r].gateway == g && sc->services[r].pool_idle == 0)
            return 1;
    return 0;
}

void plan_init_searches(scen_state *ss, const plan_scenario *ps, const plan_opts *po)
{
    const nc_scenario *sc = ss->sc;
    double u = po->target_utilization;
    for (size_t g = 0; g < sc->ngateways; g++) {
        const nc_gateway *gw = &sc->gateways[g];
        const plan_knobs *kn = ss->knobs[g];
        const nc_gw_result *x = &ps->base->gw[g];
        double cap = (double)x->capacity;
        double m1 = base_mean(ss, ps, g);
        uint64_t inst = ss->instances[g];
        search *s = &ss->s[g * S_KINDS];
        int per_inst = gw->ports_per_instance > 0;
        uint64_t reservable = nc_topology_reservable(gw);
        int starved = per_inst && reservable < inst;

        search *h = &s[S_HEADROOM];
        *h = (search){.kind = S_HEADROOM, .g = g, .dir = 1, .ymin = 0, .ymax = po->max_scale,
                      .rel_tol = 0.01, .abs_tol = 1e-4};
        h->guess = m1 > 0 ? plan_mean_for_peak(cap) / m1 : po->max_scale;
        h->guess = clampd(h->guess, 0.001, po->max_scale);
        h->done = starved;   /* fails at any load: n/a */

        uint64_t per_ip = nc_gateway_port_range(gw);
        if (gw->mapping == NC_MAPPING_PER_DESTINATION && gw->per_destination_limit < per_ip)
            per_ip = gw->per_destination_limit;
        double nmax = kn->max_nat_ips > gw->nat_ips ? kn->max_nat_ips : gw->nat_ips;
        for (int kind = S_IPS; kind <= S_IPS_GROWTH; kind++) {
            double load = kind == S_IPS ? 1.0 : po->growth;
            double hi = nmax, guess;
            if (per_inst) {   /* the reservation for every instance, no more */
                hi = (double)plan_ips_to_reserve(gw, inst, gw->ports_per_instance);
                if (hi > nmax)
                    hi = nmax;
                guess = hi;
            } else {
                guess = ceil(peak_for_mean(load * m1) / (u * (double)per_ip) - 1e-9);
            }
            guess = clampd(guess, 1, hi);
            s[kind] = (search){.kind = kind, .g = g, .target = !per_inst, .dir = -1, .integer = 1,
                               .ymin = -hi, .ymax = -1, .guess = -guess};
        }

        search *p = &s[S_POOL];
        *p = (search){.kind = S_POOL, .g = g, .target = 1};
        p->done = !has_unpooled(sc, g) ||
                  (x->exhausted_reps == 0 && (double)x->peak_max <= u * cap + 1e-9);

        search *t = &s[S_TW];
        *t = (search){.kind = S_TW, .g = g, .target = 1, .dir = 1, .ymin = 0,
                      .ymax = gw->time_wait_s, .rel_tol = 0.01, .abs_tol = 1.0};
        double a0 = ss->analytic_tw0[g], a1 = ss->analytic[g];
        double target = plan_mean_for_peak(u * cap);
        t->guess = 0.5 * gw->time_wait_s;
        if (!isnan(a0) && !isnan(a1) && a1 > a0)
            t->guess = floor((target - a0) / (a1 - a0) * gw->time_wait_s);
        t->guess = clampd(t->guess, 0, gw->time_wait_s);
        t->done = !kn->time_wait;

        search *q = &s[S_PPI];
        *q = (search){.kind = S_PPI, .g = g, .target = 1, .dir = -1, .integer = 1};
        q->done = !per_inst || !kn->ports_per_instance || inst == 0;
        if (!q->done) {
            /* accepted values up to one IP's ports whose reservation the
             * platform's IP limit allows */
            double imax = -1;
            for (uint64_t i = 0;; i++) {
                uint32_t v = plan_knobs_ppi_nth(kn, i, (uint32_t)nc_gateway_port_range(gw));
                if (v == 0 || plan_ips_to_reserve(gw, inst, v) > kn->max_nat_ips)
                    break;
                imax = (double)i;
            }
            q->done = imax < 0;
            double m = ss->analytic[g];
            uint32_t want = plan_knobs_ppi_ceil(kn, (uint64_t)ceil(
                                                        peak_for_mean(isnan(m) ? x->peak_max : m) / u));
            double gi = want ? ppi_index(kn, want) : imax;
            if (isnan(gi))
                gi = imax;
            q->ymin = -imax;
            q->ymax = 0;
            q->guess = -clampd(gi, 0, imax);
        }
    }
}

/* ---- proposing points ---------------------------------------------------------------------- */

/* Queue the next point of search s (points decided analytically are added
 * to the cache and the search moves on). */
static nc_status step(planner *pl, size_t i, search *s, size_t *asked, nc_error *err)
{
    scen_state *ss = &pl->st[i];
    const plan_opts *po = pl->o;
    uint32_t full = ss->sc->replications;
    uint32_t probe = PLAN_PROBE_REPS < full ? PLAN_PROBE_REPS : full;
    for (int iter = 0; iter < 256; iter++) {
        vkey k;
        uint32_t reps;
        if (s->kind == S_POOL) {
            long ans;
            uint32_t p = pool_next(ss, s, po, &reps, &ans);
            if (p == 0) {
                s->done = 1;
                return NC_OK;
            }
            k = key_for(ss, s, p, po->growth);
        } else {
            observe(ss, s, po);
            double y = plan_line_next(s);
            if (isnan(y)) {
                if (!(s->has_a && s->a_tentative)) {
                    s->done = 1;
                    return NC_OK;
                }
                y = s->a;   /* the answer passed its probe: confirm it */
                reps = full;
            } else {
                reps = probe;
            }
            k = key_for(ss, s, s->dir * y, po->growth);
        }
        entry *e = plan_cache_get(pl, i, &k, err);
        if (e == NULL)
            return NC_ENOMEM;
        int v = plan_verdict(e, s->g, s->target, po->target_utilization, full);
        if (v == V_FAIL || v == V_PASS) {
            if (e->reps == 0)
                pl->res->decided++;
            continue;   /* decided: read the bracket again */
        }
        if (e->reps >= reps) {   /* cannot happen; never loop on it */
            s->done = 1;
            return NC_OK;
        }
        if (e->want == 0)
            (*asked)++;
        plan_request(e, reps);
        return NC_OK;
    }
    s->done = 1;
    return NC_OK;
}

/* Rough count of the rounds and the work (expected requests) a search
 * still needs, beyond the point it just queued: bisection steps to its
 * tolerance, each a probe, and the confirmation of its answer once both
 * ends are known (far points are decided by a probe, or analytically, and
 * need none). */
static void remaining(const scen_state *ss, const search *s, unsigned *rounds, double *probe_work,
                      double *confirm_work)
{
    uint32_t full = ss->sc->replications;
    double probes = 2, confirm = 1, next = plan_line_next(s);
    unsigned r = 1;
    if (s->kind == S_POOL) {
        confirm = 0.5;
    } else if (isnan(next)) {
        probes = 0;
        confirm = s->has_a && s->a_tentative;
    } else if (!s->has_b && next >= s->ymax) {
        probes = confirm = 0;   /* the end of its range just queued: passes there, or brackets */
    } else if (!(s->has_a && s->has_b)) {
        /* stepping out from its guess, by doubling steps, then bisecting:
         * about twice log2(error / tolerance) points, the guess's error
         * being about 1/sqrt(m) of it (the Poisson spread of the fullest
         * pool, mean m at the peak) */
        double m = ss->analytic[s->g], y = fabs(s->guess);
        double tol = s->integer ? 1 : s->rel_tol * y > s->abs_tol ? s->rel_tol * y : s->abs_tol;
        double err = m > 1 ? y / sqrt(m) : 0;
        probes = 1 + (err > tol ? 2 * log2(err / tol) : 0);
        r = (unsigned)ceil(probes);
    } else {
        double w = s->b - s->a, tol = s->integer ? 1 : s->rel_tol * fabs(s->b);
        if (tol < s->abs_tol && !s->integer)
            tol = s->abs_tol;
        while (w > tol && r < 20) {
            w /= 2;
            r++;
        }
        probes = r;
        confirm = 1;
    }
    if (*rounds < r + 1)
        *rounds = r + 1;
    *probe_work += probes * ss->probe_work;
    *confirm_work += confirm * (full - PLAN_PROBE_REPS) * ss->probe_work;
}

/* A round of fewer than PLAN_MIN_ROUND_REPS replications leaves threads
 * idle (the late rounds of a bisection probe one point): its probes get
 * more replications, up to the scenario's count.  A failure in any of them
 * is as final as in the first, and a pass needs fewer to confirm.  The rule
 * reads the round, never -j, so the plan stays the same for any -j. */
static void widen_small_round(planner *pl)
{
    size_t queued = 0;
    for (size_t i = 0; i < pl->n; i++)
        for (size_t c = 0; c < pl->st[i].ncache; c++) {
            const entry *e = &pl->st[i].cache[c];
            queued += e->want > e->reps ? e->want - e->reps : 0;
        }
    for (int more = 1; queued > 0 && queued < PLAN_MIN_ROUND_REPS && more;) {
        more = 0;
        for (size_t i = 0; i < pl->n && queued < PLAN_MIN_ROUND_REPS; i++)
            for (size_t c = 0; c < pl->st[i].ncache && queued < PLAN_MIN_ROUND_REPS; c++) {
                entry *e = &pl->st[i].cache[c];
                if (e->want > e->reps && e->want < pl->st[i].sc->replications) {
                    e->want++;
                    queued++;
                    more = 1;
                }
            }
    }
}

nc_status plan_propose(planner *pl, size_t *asked, nc_error *err)
{
    *asked = 0;
    unsigned rounds = 0;
    size_t open = 0;
    double probe_work = 0, confirm_work = 0;
    for (size_t i = 0; i < pl->n; i++) {
        scen_state *ss = &pl->st[i];
        for (size_t j = 0; j < ss->sc->ngateways * S_KINDS; j++) {
            search *s = &ss->s[j];
            if (s->done)
                continue;
            nc_status st = step(pl, i, s, asked, err);
            if (st != NC_OK)
                return st;
            if (!s->done) {
                remaining(ss, s, &rounds, &probe_work, &confirm_work);
                open++;
            }
        }
    }
    pl->future_rounds = rounds > 0 ? rounds - 1 : 0;
    /* with fewer open searches than PLAN_MIN_ROUND_REPS, their probes will
     * be widened (widen_small_round) */
    double per_probe = PLAN_PROBE_REPS;
    if (open > 0 && open * PLAN_PROBE_REPS < PLAN_MIN_ROUND_REPS)
        per_probe = (double)PLAN_MIN_ROUND_REPS / (double)open;
    pl->future_work = probe_work * per_probe + confirm_work;
    widen_small_round(pl);
    return NC_OK;
}

/* ---- answers ----------------------------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static void note(plan_gw *a, const char *fmt, ...)
{
    size_t len = strlen(a->notes);
    if (len + 3 >= sizeof a->notes)
        return;
    if (len > 0) {
        memcpy(a->notes + len, "; ", 3);
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->notes + len, sizeof a->notes - len, fmt, ap);
    va_end(ap);
}

/* The IP answers and their notes. */
static void answer_ips(scen_state *ss, size_t g, const plan_opts *po, plan_gw *a)
{
    const nc_gateway *gw = &ss->sc->gateways[g];
    const plan_knobs *kn = ss->knobs[g];
    search *s = &ss->s[g * S_KINDS];
    for (int kind = S_IPS; kind <= S_IPS_GROWTH; kind++) {
        observe(ss, &s[kind], po);
        double n = line_answer(&s[kind]);
        long v = isnan(n) ? PLAN_NONE : (long)n;
        if (kind == S_IPS)
            a->min_nat_ips = v;
        else
            a->min_nat_ips_at_growth = v;
    }
    if (gw->ports_per_instance > 0) {
        uint64_t need = plan_ips_to_reserve(gw, a->instances, gw->ports_per_instance);
        if (need > kn->max_nat_ips)
            note(a, "min_nat_ips: reserving %u ports for each of %llu instances needs %llu NAT "
                    "IPs, more than the %u this platform allows",
                 gw->ports_per_instance, (unsigned long long)a->instances,
                 (unsigned long long)need, kn->max_nat_ips);
        else if (a->min_nat_ips == PLAN_NONE)
            note(a, "min_nat_ips: %llu NAT IP%s reserve%s %u ports for every instance, but "
                    "allocations still fail: the ports per instance are too few (see "
                    "ports_per_instance_needed)",
                 (unsigned long long)need, need == 1 ? "" : "s", need == 1 ? "s" : "",
                 gw->ports_per_instance);
    } else if (a->min_nat_ips == PLAN_NONE || a->min_nat_ips_at_growth == PLAN_NONE) {
        note(a, "min_nat_ips%s: none up to %u (%s)",
             a->min_nat_ips == PLAN_NONE ? "" : "_at_growth", kn->max_nat_ips, kn->nat_ips_limit);
    }
    if (kn->default_nat_ips > 0 && a->min_nat_ips > (long)kn->default_nat_ips)
        note(a, "min_nat_ips: more than %u IPs needs a quota increase", kn->default_nat_ips);
}

/* Ports per instance: the answer and the binding pair. */
static void answer_ppi(scen_state *ss, size_t g, const plan_opts *po, plan_gw *a)
{
    const nc_gateway *gw = &ss->sc->gateways[g];
    const plan_knobs *kn = ss->knobs[g];
    search *s = &ss->s[g * S_KINDS + S_PPI];
    a->ports_per_instance_needed = a->nat_ips_for_ports = a->ports_per_instance_max_now = PLAN_NA;
    if (gw->ports_per_instance == 0)
        return;
    uint64_t range = nc_gateway_port_range(gw);
    uint64_t most = a->instances ? (uint64_t)gw->nat_ips * range / a->instances : range;
    if (most > range)
        most = range;
    uint32_t most_ok = kn->ports_per_instance ? plan_knobs_ppi_floor(kn, most) : (uint32_t)most;
    a->ports_per_instance_max_now = most_ok;
    uint64_t need = plan_ips_to_reserve(gw, a->instances, gw->ports_per_instance);
    char step[96] = "";
    if (most_ok != most)
        snprintf(step, sizeof step, " (%u in the steps %s accepts)", most_ok, kn->platform);
    note(a, "ports_per_instance %u needs %llu NAT IP%s for %llu instances, and with %u IP%s the "
            "most is %llu ports each%s",
         gw->ports_per_instance, (unsigned long long)need, need == 1 ? "" : "s",
         (unsigned long long)a->instances, gw->nat_ips, gw->nat_ips == 1 ? "" : "s",
         (unsigned long long)most, step);
    if (a->instances_without_ports > 0)
        note(a, "%llu of %llu instances get no ports: no TIME_WAIT or pooling fixes that, only "
                "more NAT IPs or fewer ports per instance",
             (unsigned long long)a->instances_without_ports, (unsigned long long)a->instances);
    if (!kn->ports_per_instance) {
        note(a, "ports_per_instance_needed: n/a (%s)", kn->ppi_na ? kn->ppi_na : "not a setting");
        return;
    }
    observe(ss, s, po);
    double idx = line_answer(s);
    if (isnan(idx)) {
        a->ports_per_instance_needed = PLAN_NONE;
        a->nat_ips_for_ports = PLAN_NONE;
        note(a, "ports_per_instance_needed: none meets the target within this platform's "
                "limits");
        return;
    }
    uint32_t v = plan_knobs_ppi_nth(kn, (uint64_t)idx, 65536);
    a->ports_per_instance_needed = v;
    a->nat_ips_for_ports = (long)plan_ips_to_reserve(gw, a->instances, v);
}

nc_status plan_finish_scenario(planner *pl, size_t i, nc_error *err)
{
    scen_state *ss = &pl->st[i];
    plan_scenario *ps = &pl->res->scen[i];
    const nc_scenario *sc = ss->sc;
    const plan_opts *po = pl->o;
    for (size_t g = 0; g < sc->ngateways; g++) {
        plan_gw *a = &ps->gw[g];
        const nc_gateway *gw = &sc->gateways[g];
        const plan_knobs *kn = ss->knobs[g];
        search *s = &ss->s[g * S_KINDS];
        nc_gw_summary sum;
        nc_summarize_gateway(ps->base, g, &sum);
        a->capacity = sum.capacity;
        a->peak_in_use = sum.peak_in_use;
        a->peak_in_use_max = sum.peak_in_use_max;
        a->peak_utilization = sum.peak_utilization;
        a->exhausted_replications = sum.exhausted_replications;
        a->first_exhaustion = sum.first_exhaustion;
        a->instances = ss->instances[g];
        a->instances_without_ports = 0;
        if (gw->ports_per_instance > 0) {
            uint64_t res = nc_topology_reservable(gw);
            a->instances_without_ports = res < a->instances ? a->instances - res : 0;
        }

        if (gw->ports_per_instance > 0 && a->instances_without_ports > 0 &&
            (ps->base->gw[g].exhausted_reps > 0)) {
            a->headroom_rate_scale = NAN;
            a->headroom_capped = 0;
            note(a, "headroom: n/a, fails at any load: %llu of %llu instances get no ports",
                 (unsigned long long)a->instances_without_ports, (unsigned long long)a->instances);
        } else {
            observe(ss, &s[S_HEADROOM], po);
            a->headroom_rate_scale = line_answer(&s[S_HEADROOM]);
            if (isnan(a->headroom_rate_scale))
                a->headroom_rate_scale = 0;
            a->headroom_capped = a->headroom_rate_scale >= po->max_scale;
        }
        answer_ips(ss, g, po, a);
        if (kn->time_wait) {
            observe(ss, &s[S_TW], po);
            a->time_wait_s_needed = line_answer(&s[S_TW]);
            a->time_wait_na = 0;
        } else {
            a->time_wait_s_needed = NAN;
            a->time_wait_na = 1;
            note(a, "time_wait_s_needed: n/a (%s)", kn->time_wait_na);
        }
        if (!has_unpooled(sc, g)) {
            a->pool_idle_needed = PLAN_NA;
        } else if (plan_verdict(plan_cache_find(ss, &(vkey){1.0, -1, 0, -1, 0, 0}), g, 1,
                                po->target_utilization, sc->replications) == V_PASS) {
            a->pool_idle_needed = 0;
        } else {
            long ans = PLAN_NONE;
            uint32_t reps;
            pool_next(ss, &s[S_POOL], po, &reps, &ans);
            a->pool_idle_needed = ans;
        }
        answer_ppi(ss, g, po, a);
        if (kn->idle_timeout && kn->idle_max_s < 1e8)
            note(a, "idle timeout: settable (%.0f-%.0f s) but not searched: in this model it "
                    "frees only idle pooled connections, so keep keepalive_s below it",
                 kn->idle_min_s, kn->idle_max_s);
        plan_alert(ps->base, g, po->alert_at, po->lead_minutes, a);
        a->analytic_peak_in_use = ss->analytic[g];
    }
    /* the simulated rate-multiplier points, ascending, for the headroom chart */
    size_t ng = sc->ngateways;
    for (size_t e = 0; e < ss->ncache; e++)
        ps->npoints += ss->cache[e].k.gw < 0 && ss->cache[e].reps > 0;
    ps->points = calloc(ps->npoints ? ps->npoints : 1, sizeof *ps->points);
    if (ps->points == NULL)
        return plan_oom(err);
    size_t n = 0;
    for (size_t e = 0; e < ss->ncache; e++) {
        const entry *en = &ss->cache[e];
        if (en->k.gw >= 0 || en->reps == 0)
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
            return plan_oom(err);
        for (size_t g = 0; g < ng; g++) {
            const outcome *o = &en->o[g];
            pt->peak_utilization[g] =
                o->capacity ? (double)o->peak_sum / en->reps / (double)o->capacity : 0;
            pt->exhausted_reps[g] = o->fail_reps;
        }
    }
    return NC_OK;
}
