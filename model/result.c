/* result.c - allocation of the per-scenario result arrays (see result.h). */
#include "result.h"

#include <math.h>
#include <stdlib.h>

static void gw_free(nc_gw_result *g)
{
    free(g->peak_by_rep);
    free(g->first_fail_by_rep);
    free(g->in_use_by_rep);
    free(g->in_use_max);
    free(g->active_sum);
    free(g->idle_sum);
    free(g->time_wait_sum);
    free(g->attempts_sum);
    free(g->alloc_failures_sum);
    free(g->failed_requests_sum);
    free(g->stale_reuses_sum);
    free(g->requests_sum);
    free(g->fail_reps);
    free(g->util_in_use_sum);
    free(g->binding_by_rep);
    free(g->by_rep);
    free(g->demand);
}

void nc_scen_result_destroy(nc_scen_result *r)
{
    if (r == NULL)
        return;
    if (r->gw != NULL)
        for (size_t g = 0; g < r->sc->ngateways; g++)
            gw_free(&r->gw[g]);
    if (r->rows != NULL)
        for (size_t i = 0; i < r->sc->nservices; i++)
            free(r->rows[i].in_use_sum);
    for (size_t w = 0; r->pools != NULL && w < r->npool_series; w++) {
        free(r->pools[w].in_use_by_rep);
        free(r->pools[w].by_rep);
    }
    free(r->pools);
    free(r->gw);
    free(r->rows);
    free(r);
}

nc_scen_result *nc_scen_result_create(const nc_scenario *sc, uint32_t reps)
{
    nc_scen_result *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->sc = sc;
    r->reps = reps;
    r->sample_us = sim_from_s(sc->sample_s);
    if (r->sample_us < 1)
        r->sample_us = 1;
    r->duration_us = sim_from_s(sc->duration_h * 3600.0);
    r->nsamples = (uint32_t)((r->duration_us + r->sample_us - 1) / r->sample_us);
    size_t n = r->nsamples ? r->nsamples : 1;
    r->gw = calloc(sc->ngateways ? sc->ngateways : 1, sizeof *r->gw);
    r->rows = calloc(sc->nservices ? sc->nservices : 1, sizeof *r->rows);
    if (r->gw == NULL || r->rows == NULL) {
        nc_scen_result_destroy(r);
        return NULL;
    }
    for (size_t g = 0; g < sc->ngateways; g++) {
        nc_gw_result *x = &r->gw[g];
        x->first_exhaustion = SIM_TIME_NONE;
        x->capacity = nc_gateway_pool_capacity(&sc->gateways[g]);
        x->peak_by_rep = calloc(reps, sizeof *x->peak_by_rep);
        x->first_fail_by_rep = malloc(reps * sizeof *x->first_fail_by_rep);
        x->in_use_by_rep = calloc((size_t)reps * n, sizeof *x->in_use_by_rep);
        x->in_use_max = calloc(n, sizeof *x->in_use_max);
        x->active_sum = calloc(n, sizeof(uint64_t));
        x->idle_sum = calloc(n, sizeof(uint64_t));
        x->time_wait_sum = calloc(n, sizeof(uint64_t));
        x->attempts_sum = calloc(n, sizeof(uint64_t));
        x->alloc_failures_sum = calloc(n, sizeof(uint64_t));
        x->failed_requests_sum = calloc(n, sizeof(uint64_t));
        x->stale_reuses_sum = calloc(n, sizeof(uint64_t));
        x->requests_sum = calloc(n, sizeof(uint64_t));
        x->fail_reps = calloc(n, sizeof(uint32_t));
        x->util_in_use_sum = calloc(n, sizeof(uint64_t));
        x->binding_by_rep = calloc(reps ? reps : 1, sizeof(uint32_t));
        x->by_rep = calloc((size_t)reps * n, sizeof *x->by_rep);
        if (!x->util_in_use_sum || !x->binding_by_rep || !x->peak_by_rep || !x->first_fail_by_rep || !x->in_use_by_rep || !x->in_use_max ||
            !x->active_sum || !x->idle_sum || !x->time_wait_sum || !x->attempts_sum ||
            !x->alloc_failures_sum || !x->failed_requests_sum || !x->stale_reuses_sum ||
            !x->requests_sum || !x->fail_reps || !x->by_rep) {
            nc_scen_result_destroy(r);
            return NULL;
        }
        for (uint32_t k = 0; k < reps; k++)
            x->first_fail_by_rep[k] = SIM_TIME_NONE;
    }
    for (size_t i = 0; i < sc->nservices; i++) {
        r->rows[i].in_use_sum = calloc(n, sizeof(uint64_t));
        if (r->rows[i].in_use_sum == NULL) {
            nc_scen_result_destroy(r);
            return NULL;
        }
    }
    if (sc->nwatch > 0) {
        r->pools = calloc(sc->nwatch, sizeof *r->pools);
        if (r->pools == NULL) {
            nc_scen_result_destroy(r);
            return NULL;
        }
        r->npool_series = sc->nwatch;
        for (size_t w = 0; w < sc->nwatch; w++) {
            nc_pool_series *p = &r->pools[w];
            p->ref = sc->watch[w];
            p->in_use_by_rep = calloc((size_t)reps * n, sizeof *p->in_use_by_rep);
            p->by_rep = calloc((size_t)reps * n, sizeof *p->by_rep);
            if (p->in_use_by_rep == NULL || p->by_rep == NULL) {
                nc_scen_result_destroy(r);
                return NULL;
            }
        }
    }
    return r;
}

double nc_scen_result_interval_s(const nc_scen_result *r, uint32_t k)
{
    sim_time start = (sim_time)k * r->sample_us;
    sim_time end = start + r->sample_us;
    if (end > r->duration_us)
        end = r->duration_us;
    return sim_to_s(end - start);
}
