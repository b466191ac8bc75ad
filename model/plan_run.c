/*
 * plan_run.c - the driver of `natcap plan` (plan.h): the analytic peaks and
 * the search window of each scenario, round 1 (every scenario as given),
 * then rounds of the searches' points until none is open, then the answers.
 * The questions are plan.c, the engine plan_search.c.
 */
#include "plan_impl.h"

#include "occupancy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void plan_opts_default(plan_opts *o)
{
    memset(o, 0, sizeof *o);
    o->target_utilization = 0.8;
    o->growth = 1.5;
    o->alert_at = 0.8;
    o->lead_minutes = 15;
    o->max_scale = PLAN_MAX_SCALE_DEFAULT;
    o->jobs = 1;
}

/* ---- plan_run ------------------------------------------------------------------------------- */

static nc_status analytic_peaks(scen_state *ss, nc_error *err)
{
    const nc_scenario *sc = ss->sc;
    for (size_t g = 0; g < sc->ngateways; g++) {
        ss->knobs[g] = plan_knobs_of(&sc->gateways[g]);
        nc_status st;
        ss->instances[g] = plan_instances(sc, g, err, &st);
        if (st != NC_OK)
            return st;
        for (int pass = 0; pass < 2; pass++) {
            occupancy *oc = NULL;
            st = occupancy_create(sc, g, pass ? 0.0 : -1.0, &oc, err);
            if (st != NC_OK)
                return st;
            (pass ? ss->analytic_tw0 : ss->analytic)[g] = occupancy_peak(oc);
            occupancy_destroy(oc);
        }
    }
    return NC_OK;
}

/* The searches' window, at the level of the smallest fullest-pool mean at
 * the peak over the gateways that carry load: analytic, else from the
 * baseline's peaks (base NULL: before the baseline, analytic only).  0 on
 * success. */
static int set_window(scen_state *ss, const plan_scenario *ps)
{
    double m = INFINITY;
    for (size_t g = 0; g < ss->sc->ngateways; g++) {
        double mg = ss->analytic[g];
        if ((isnan(mg) || !(mg > 0)) && ps->base != NULL) {
            const nc_gw_result *x = &ps->base->gw[g];
            mg = x->exhausted_reps == 0 ? plan_mean_for_peak(x->peak_max) : x->peak_max;
        }
        if (mg > 0 && mg < m)
            m = mg;
    }
    plan_window(ss, plan_window_level(isinf(m) ? 0 : m));
    return plan_probe_work(ss);
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
        free(ss->knobs);
        free(ss->instances);
    }
    free(pl->st);
}

static nc_status plan_solve(planner *pl, nc_error *err)
{
    plan_result *res = pl->res;
    for (size_t i = 0; i < pl->n; i++) {
        scen_state *ss = &pl->st[i];
        size_t ng = ss->sc->ngateways;
        ss->s = calloc(ng * S_KINDS + 1, sizeof *ss->s);
        ss->analytic = calloc(ng + 1, sizeof *ss->analytic);
        ss->analytic_tw0 = calloc(ng + 1, sizeof *ss->analytic_tw0);
        ss->knobs = calloc(ng + 1, sizeof *ss->knobs);
        ss->instances = calloc(ng + 1, sizeof *ss->instances);
        res->scen[i].gw = calloc(ng + 1, sizeof *res->scen[i].gw);
        if (!ss->s || !ss->analytic || !ss->analytic_tw0 || !ss->knobs || !ss->instances ||
            !res->scen[i].gw)
            return plan_oom(err);
        nc_status st = analytic_peaks(ss, err);
        if (st != NC_OK)
            return st;
    }
    /* round 1: every scenario as given, with all its replications */
    nc_status st = NC_OK;
    for (size_t i = 0; st == NC_OK && i < pl->n; i++) {
        entry *e = plan_cache_get(pl, i, &(vkey){1.0, -1, 0, -1, 0, 0}, err);
        if (e == NULL)
            return NC_ENOMEM;
        plan_request(e, pl->st[i].sc->replications);
    }
    /* before the searches exist: about three rounds of probes and a
     * confirmation per scenario and gateway, in a window guessed from the
     * analytic peaks */
    pl->future_rounds = 3;
    for (size_t i = 0; i < pl->n; i++) {
        if (set_window(&pl->st[i], &res->scen[i]) != 0)
            return plan_oom(err);
        pl->future_work += (double)pl->st[i].sc->ngateways * (3 + pl->st[i].sc->replications) *
                           pl->st[i].probe_work;
    }
    size_t nsim = 0;
    st = plan_run_round(pl, &nsim, err);
    for (size_t i = 0; st == NC_OK && i < pl->n; i++) {
        if (set_window(&pl->st[i], &res->scen[i]) != 0)
            return plan_oom(err);
        plan_init_searches(&pl->st[i], &res->scen[i], pl->o);
    }
    while (st == NC_OK) {
        size_t asked = 0;
        st = plan_propose(pl, &asked, err);
        if (st == NC_OK)
            plan_report_round(pl);
        if (st != NC_OK || asked == 0)
            break;
        st = plan_run_round(pl, &nsim, err);
    }
    for (size_t i = 0; st == NC_OK && i < pl->n; i++)
        st = plan_finish_scenario(pl, i, err);
    return st;
}

nc_status plan_run(const nc_scenario *scenarios, size_t n, const plan_opts *o, plan_result **out,
                   nc_error *err)
{
    planner pl;
    memset(&pl, 0, sizeof pl);
    pl.o = o;
    pl.n = n;
    pl.t0 = plan_now_s();
    plan_result *res = calloc(1, sizeof *res);
    if (res != NULL)
        res->scen = calloc(n + 1, sizeof *res->scen);
    pl.st = calloc(n + 1, sizeof *pl.st);
    if (res == NULL || res->scen == NULL || pl.st == NULL) {
        plan_result_destroy(res);
        free(pl.st);
        return plan_oom(err);
    }
    res->opts = *o;
    res->n = n;
    pl.res = res;
    for (size_t i = 0; i < n; i++) {
        pl.st[i].sc = &scenarios[i];
        res->scen[i].sc = &scenarios[i];
    }
    nc_status st = plan_solve(&pl, err);
    res->rounds = pl.round;
    res->work_total = pl.work_done;
    res->elapsed_s = plan_now_s() - pl.t0;
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
