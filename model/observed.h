/*
 * observed.h - the gateway's own measurements (SPEC §6), as the model sees
 * them: series of one metric of one gateway (and pool), each a run of
 * equally spaced intervals on the simulated clock.
 *
 * io/observed_in.c builds them from observed.csv (time zones, --observed-day
 * and --observed-fold, cumulative counters already resolved); model/compare.c
 * resamples the simulated replications to each series' interval and
 * statistic and scores the model against them.
 */
#ifndef NATCAP_MODEL_OBSERVED_H
#define NATCAP_MODEL_OBSERVED_H

#include "config.h"

#include <stddef.h>

typedef enum obs_metric {
    OBS_IN_USE = 0,        /* mappings in use: active + idle + TIME_WAIT */
    OBS_OPEN,              /* open connections: active + idle */
    OBS_NEW_CONNECTIONS,   /* connections that got a mapping, per interval */
    OBS_ATTEMPTS,          /* SYNs that asked for a mapping, per interval */
    OBS_ALLOC_FAILURES,    /* SYNs that got none, per interval */
    OBS_REQUESTS,
    OBS_FAILED_REQUESTS,
    OBS_NMETRICS
} obs_metric;

typedef enum obs_stat { OBS_MAX = 0, OBS_MEAN, OBS_LAST, OBS_SUM, OBS_NSTATS } obs_stat;

extern const char *const obs_metric_names[OBS_NMETRICS];
extern const char *const obs_stat_names[OBS_NSTATS];

/* A gauge (in_use, open) or a count per interval (the rest). */
static inline int obs_metric_is_gauge(obs_metric m) { return m == OBS_IN_USE || m == OBS_OPEN; }
/* The stats that summarise metric m in observed.csv: max, mean or last for a
 * level, sum or last (a cumulative counter) for a count. */
static inline int obs_stat_fits(obs_metric m, obs_stat s)
{
    return obs_metric_is_gauge(m) ? s != OBS_SUM : s == OBS_SUM || s == OBS_LAST;
}

typedef struct obs_series {
    char gateway[NC_NAME_MAX + 1];
    size_t gw;                 /* index into the input's gateways (same order in every scenario) */
    obs_metric metric;
    obs_stat stat;             /* counts are always OBS_SUM here (cumulative ones differenced) */
    char pool[NC_POOL_NAME_MAX + 1];  /* "" = the gateway's binding (fullest) pool */
    char *source;              /* owned, "" when not given */
    double t0_s;               /* start of the first interval on the simulated clock */
    double interval_s;         /* > 0 */
    size_t n;
    double *value;             /* [n], >= 0 */
    long *line;                /* [n] line in observed.csv of each point (0 when folded) */
} obs_series;

typedef struct nc_observed {
    char *path;                /* observed.csv as named in messages; NULL when absent */
    size_t n;
    obs_series *s;
    char day[16];              /* the day observed (YYYY-MM-DD), or "" for time-of-day data */
    int folded;                /* days folded by --observed-fold */
} nc_observed;

void nc_observed_free(nc_observed *o);   /* NULL ok; zeroes */

#endif
