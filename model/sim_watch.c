/*
 * sim_watch.c - the series of the pools a scenario watches (nc_scenario.watch:
 * those observed.csv names), recorded beside the fullest pool's.
 *
 * Per watched pool and interval: mappings in use and open connections at the
 * interval's end, the highest of each inside it, and the SYNs it was asked
 * for and refused.  In use and open rise only when a mapping is taken
 * (acquire), so the highest inside an interval is the level it started at
 * (the previous end, or the level at t = 0) or one reached at an acquire.
 * sim.c calls these hooks only when nwatch > 0: without watched pools a run
 * costs one predictable branch per acquire and per refused SYN, and no memory.
 */
#include "sim_impl.h"

static inline uint32_t umax(uint32_t a, uint32_t b) { return a > b ? a : b; }

nc_status sim_watch_pools(sim *s, nc_error *err)
{
    const nc_scenario *sc = s->sc;
    sim_watch_free(s);
    if (sc->nwatch == 0)
        return NC_OK;
    s->watch = malloc(sc->nwatch * sizeof *s->watch);
    s->ws = calloc(sc->nwatch * (size_t)(s->nsamples ? s->nsamples : 1), sizeof *s->ws);
    if (s->watch == NULL || s->ws == NULL) {
        sim_watch_free(s);
        return oom(err);
    }
    for (size_t w = 0; w < sc->nwatch; w++) {
        const nc_pool_ref *r = &sc->watch[w];
        const gw_state *gs = r->gw < s->ngw ? &s->gws[r->gw] : NULL;
        if (gs == NULL || r->pool >= (uint64_t)(gs->pool_hi - gs->pool_lo)) {
            sim_watch_free(s);
            return nc_error_set(err, NC_EINPUT, NULL, 0, NULL, "pool '%s' is not in the gateway's "
                                "layout", r->name);
        }
        s->watch[w] = gs->pool_lo + (uint32_t)r->pool;
    }
    s->nwatch = (uint32_t)sc->nwatch;
    return NC_OK;
}

void sim_watch_free(sim *s)
{
    free(s->watch);
    free(s->ws);
    s->watch = NULL;
    s->ws = NULL;
    s->nwatch = 0;
}

void sim_watch_reset(sim *s)
{
    memset(s->ws, 0, (size_t)s->nwatch * s->nsamples * sizeof *s->ws);
}

void sim_watch_acquire(sim *s, uint32_t p)
{
    if (s->k < 0)
        return;   /* warm-up: not measured */
    for (uint32_t w = 0; w < s->nwatch; w++) {
        if (s->watch[w] != p)
            continue;
        const nat_pool *pl = &s->pools[p];
        watch_sample *x = &s->ws[(size_t)w * s->nsamples + (uint32_t)s->k];
        x->attempts++;
        x->imax = umax(x->imax, pl->in_use);
        x->omax = umax(x->omax, pl->active + pl->idle);
    }
}

void sim_watch_refused(sim *s, uint32_t p)
{
    for (uint32_t w = 0; w < s->nwatch; w++) {
        if (s->watch[w] != p)
            continue;
        watch_sample *x = &s->ws[(size_t)w * s->nsamples + s->drop_k];
        x->attempts++;
        x->afail++;
    }
}

/* The level of every watched pool now as the start of interval k. */
static void start_levels(sim *s, uint32_t k)
{
    for (uint32_t w = 0; w < s->nwatch; w++) {
        const nat_pool *pl = &s->pools[s->watch[w]];
        watch_sample *x = &s->ws[(size_t)w * s->nsamples + k];
        x->imax = umax(x->imax, pl->in_use);
        x->omax = umax(x->omax, pl->active + pl->idle);
    }
}

void sim_watch_start(sim *s)
{
    if (s->nsamples > 0)
        start_levels(s, 0);
}

void sim_watch_sample(sim *s, uint32_t k)
{
    for (uint32_t w = 0; w < s->nwatch; w++) {
        const nat_pool *pl = &s->pools[s->watch[w]];
        watch_sample *x = &s->ws[(size_t)w * s->nsamples + k];
        x->in_use = pl->in_use;
        x->open = pl->active + pl->idle;
    }
    if (k + 1 < s->nsamples)
        start_levels(s, k + 1);
}

void sim_watch_merge(const sim *s, nc_scen_result *res, uint32_t rep)
{
    uint32_t ns = s->nsamples;
    for (uint32_t w = 0; w < s->nwatch && w < res->npool_series; w++) {
        nc_pool_series *x = &res->pools[w];
        for (uint32_t k = 0; k < ns; k++) {
            const watch_sample *y = &s->ws[(size_t)w * ns + k];
            size_t i = (size_t)rep * ns + k;
            x->in_use_by_rep[i] = y->in_use;
            x->by_rep[i] = (nc_rep_sample){umax(y->imax, y->in_use), y->open,
                                           umax(y->omax, y->open), y->attempts, y->afail, 0, 0};
        }
    }
}
