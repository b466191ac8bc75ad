/*
 * observed_run.c - which scenarios are held against observed.csv, and the
 * comparisons hung on their results (see commands.h).
 */
#include "commands.h"

#include "io/observed_in.h"
#include "model/compare.h"

#include <stdint.h>
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
