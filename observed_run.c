/*
 * observed_run.c - which scenarios are held against observed.csv, and the
 * comparisons hung on their results (see commands.h).
 */
#include "commands.h"

#include "model/compare.h"

#include <stdint.h>

nc_status observed_attach(nc_scen_result *const *rs, size_t n, const nc_observed *o, nc_error *err)
{
    if (o == NULL || o->n == 0 || n == 0)
        return NC_OK;
    int flagged = 0;
    for (size_t i = 0; i < n; i++)
        flagged |= rs[i]->sc->observed;
    for (size_t i = 0; i < n; i++) {
        if (flagged ? !rs[i]->sc->observed : i > 0)
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
