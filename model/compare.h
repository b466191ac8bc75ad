/*
 * compare.h - the model against observations (SPEC §6): every observed
 * point next to the simulated counterpart resampled to the point's interval
 * and statistic, and the figures of summary.csv and the report's "model vs
 * observed" table.
 *
 * Resampling, per replication, over the simulated intervals (sample_s) that
 * lie inside the observed interval:
 *   in_use / open, stat max   the highest level reached inside (not the end value)
 *                  stat mean  the mean of the end-of-interval levels
 *                  stat last  the level at the end
 *   counts                    the sum (alloc_failures and attempts count SYNs,
 *                             retransmissions included; new_connections the
 *                             attempts that got a mapping)
 * then the mean and the 5th / 95th percentiles across replications.  The
 * series is that of the gateway's fullest pool, as everywhere in natcap's
 * results, unless the observed one names a pool: then it is that pool's own
 * (nc_scen_result.pools, recorded because the scenario watches it; no model
 * value when the run did not record it).  An observed interval shorter than sample_s, not aligned with
 * it or outside the simulated day has no model value (and is left out of
 * the scores).
 */
#ifndef NATCAP_MODEL_COMPARE_H
#define NATCAP_MODEL_COMPARE_H

#include "observed.h"
#include "result.h"

typedef struct obs_series_cmp {
    const obs_series *s;       /* borrowed */
    double *mean, *p05, *p95;  /* [s->n]; NAN where the model has no value */
    double *fail_rep_frac;     /* [s->n] for alloc_failures: share of reps with > 0, else NULL */
} obs_series_cmp;

typedef struct obs_gw_cmp {
    int have;                  /* any observed series of this gateway */
    int level;                 /* index in cmp->sc of the in_use (else open) series, -1 none */
    int fails;                 /* index of the alloc_failures series, -1 none */
    double peak, peak_t_s;     /* observed, on the level series (NAN without one) */
    double model_peak, model_peak_t_s;   /* peak of model_mean on the same points */
    double first_fail_t_s;     /* observed first interval with failures; NAN none */
    double model_first_fail_t_s;   /* first interval in which half the replications or more
                                      fail (the median replication's first failure: what one
                                      observed day is compared with); without an observed
                                      failures series, the earliest of any replication */
    double failing_minutes, model_failing_minutes;   /* model: mean over replications */
    double failures, model_failures;                 /* totals over the compared points (model: mean) */
    double mape;               /* %, model_mean vs observed level series where observed > 0; NAN */
    double coverage;           /* share of observed points (all metrics) inside [p05, p95]; NAN */
    size_t points, compared;   /* observed points of the gateway; with a model value */
    int verdict;               /* 2 reproduces, 1 partly, 0 does not, -1 not comparable */
    char verdict_text[240];
} obs_gw_cmp;

typedef struct obs_compare {
    const nc_observed *obs;    /* borrowed */
    size_t n;
    obs_series_cmp *sc;        /* [n]: the series of the scenario's gateways */
    size_t ngw;
    obs_gw_cmp *gw;            /* [scenario's gateways] */
} obs_compare;

/* NULL on ENOMEM.  r must have by_rep_kept (a run, or a merge of shard
 * parts, which carry the per-replication samples). */
obs_compare *obs_compare_build(const nc_scen_result *r, const nc_observed *o);
void obs_compare_destroy(obs_compare *c);

#endif
