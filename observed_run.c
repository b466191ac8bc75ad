/*
 * observed_run.c - which scenarios are held against observed.csv, and the
 * comparisons hung on their results (see commands.h).
 */
#include "commands.h"

#include "io/observed_in.h"
#include "model/compare.h"
#include "model/topology.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Whether scenario i is held against the observations: those whose observed
 * is yes when any is (`flagged`), else the first. */
static int held(int flagged, size_t i, int observed)
{
    return flagged ? observed : i == 0;
}

nc_status observed_watch(nc_scenario *scs, size_t n, const nc_observed *o, int keep, nc_error *err)
{
    if (o == NULL || o->n == 0)
        return NC_OK;
    int flagged = 0;
    for (size_t i = 0; i < n; i++)
        flagged |= scs[i].observed;
    for (size_t i = 0; i < n; i++) {
        if (!held(flagged, i, scs[i].observed))
            continue;
        nc_status st = observed_in_watch(o, &scs[i], err);
        if (st != NC_OK || !keep) {
            free(scs[i].watch);
            scs[i].watch = NULL;
            scs[i].nwatch = 0;
        }
        if (st != NC_OK)
            return st;
    }
    return NC_OK;
}

nc_status observed_attach(nc_scen_result *const *rs, size_t n, const nc_observed *o, nc_error *err)
{
    if (o == NULL || o->n == 0 || n == 0)
        return NC_OK;
    int flagged = 0;
    for (size_t i = 0; i < n; i++)
        flagged |= rs[i]->sc->observed;
    for (size_t i = 0; i < n; i++) {
        if (!held(flagged, i, rs[i]->sc->observed))
            continue;
        if (!rs[i]->by_rep_kept)
            continue;   /* no per-replication samples (never, from run or merge) */
        obs_compare *c = obs_compare_build(rs[i], o);
        if (c == NULL)
            return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        rs[i]->cmp = c;
    }
    return NC_OK;
}

void observed_detach(nc_scen_result *const *rs, size_t n)
{
    for (size_t i = 0; rs != NULL && i < n; i++) {
        if (rs[i] == NULL)
            continue;
        obs_compare_destroy((obs_compare *)(uintptr_t)rs[i]->cmp);
        rs[i]->cmp = NULL;
    }
}

void observed_warn_scope(const nc_scenario *scs, size_t n, const nc_observed *o)
{
    if (o == NULL || o->n == 0 || n == 0)
        return;
    int flagged = 0;
    size_t first = 0;
    for (size_t i = 0; i < n; i++)
        flagged |= scs[i].observed;
    while (first < n && !held(flagged, first, scs[first].observed))
        first++;
    if (first == n)
        return;
    const nc_scenario *sc = &scs[first];
    for (size_t i = 0; i < o->n; i++) {
        const obs_series *s = &o->s[i];
        if (s->pool[0] != '\0' || (s->metric != OBS_IN_USE && s->metric != OBS_OPEN) ||
            s->gw >= sc->ngateways)
            continue;
        int seen = 0;   /* once per gateway */
        for (size_t j = 0; j < i && !seen; j++)
            seen = o->s[j].gw == s->gw && o->s[j].pool[0] == '\0' &&
                   (o->s[j].metric == OBS_IN_USE || o->s[j].metric == OBS_OPEN);
        nc_topology t;
        if (seen || nc_topology_build(sc, s->gw, &t) != NC_OK)
            continue;
        if (t.pools > 1)
            fprintf(stderr,
                    "natcap: warning: %s: gateway '%s' has %llu pools: its %s series names no "
                    "pool, so it is compared with the fullest one (and its counts with the whole "
                    "gateway); a gateway-wide metric such as CloudWatch ActiveConnectionCount "
                    "counts every pool, a per-pool one should name its pool\n",
                    o->path ? o->path : "observed.csv", sc->gateways[s->gw].name,
                    (unsigned long long)t.pools, obs_metric_names[s->metric]);
        nc_topology_free(&t);
    }
}
