/*
 * observed.c - names of the observed metrics and statistics (observed.h).
 */
#include "observed.h"

#include <stdlib.h>
#include <string.h>

const char *const obs_metric_names[OBS_NMETRICS] = {
    "in_use", "open", "new_connections", "attempts", "alloc_failures", "requests", "failed_requests",
};

const char *const obs_stat_names[OBS_NSTATS] = {"max", "mean", "last", "sum"};

void nc_observed_free(nc_observed *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->n; i++) {
        free(o->s[i].source);
        free(o->s[i].value);
        free(o->s[i].line);
    }
    free(o->s);
    free(o->path);
    memset(o, 0, sizeof *o);
}
