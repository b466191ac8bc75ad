/*
 * result.h - what a batch of replications of one scenario produced.
 *
 * Every per-replication figure is an integer (counts of mappings, events,
 * intervals), and replications are combined by integer addition, max and
 * min, which do not depend on the order in which worker threads finish: this
 * is what makes every output byte-identical for any -j.  Means are computed
 * only when rendering (sum / replications).
 *
 * "Pool" below is always the gateway's fullest allocation pool (SPEC §3):
 * at each instant, the pool of the gateway with the most mappings in use
 * (all pools of a gateway have the same capacity, except those of instances
 * left without ports, which have none: a request to one is refused, and the
 * utilisation figures count such an instance as a pool 100 % used).
 */
#ifndef NATCAP_MODEL_RESULT_H
#define NATCAP_MODEL_RESULT_H

#include "config.h"
#include "clock.h"

#include <stdint.h>

/* Per gateway: totals over replications plus per-interval series. */
typedef struct nc_gw_result {
    uint64_t capacity;            /* mappings in one pool of this gateway */
    uint64_t npools;              /* pools with capacity > 0 */

    /* totals over all replications (measured period only, t >= 0) */
    uint64_t requests;            /* requests that arrived (not counting retries) */
    uint64_t attempts;            /* SYNs (first or retransmitted) that asked for a mapping */
    uint64_t alloc_failures;      /* SYNs that got no mapping */
    uint64_t failed_requests;     /* requests that finally failed (any reason) */
    uint64_t new_connections;     /* connections that got a mapping */
    uint64_t reused;              /* requests served on an already open connection */
    uint64_t stale_reuses;        /* requests that hit a connection the gateway had dropped */
    uint64_t retries;             /* application retries started */
    uint64_t pool_wait_timeouts;  /* requests failed waiting for a pooled connection */

    uint64_t peak_sum;            /* sum over reps of each rep's peak in use */
    uint32_t peak_max;            /* highest of any rep */
    uint32_t exhausted_reps;      /* reps with >= 1 failed allocation */
    sim_time first_exhaustion;    /* earliest failed allocation of any rep; SIM_TIME_NONE */
    uint64_t exhausted_us_sum;    /* sum over reps of length of intervals with failures, µs (integer: exact in any order) */

    /* which pools bound (SPEC §5), summed over reps */
    uint64_t pools_exhausted_sum; /* pools with >= 1 failed allocation */
    uint64_t pools_alert_sum;     /* pools at >= 80 % at an interval end, or without ports
                                     and asked for one */
    uint64_t util_peak_sum;       /* each rep's peak, as capacity when an instance without
                                     ports had requests (it is 100 % used) */
    uint32_t portless_reps;       /* reps in which an instance without ports had requests */

    /* per replication (index = replication number), length nc_scen_result.reps */
    uint32_t *binding_by_rep;     /* pool (within the gateway, model/topology.h) that bound:
                                     the lowest one without ports that was asked, else the
                                     one that reached the rep's peak */
    uint32_t *peak_by_rep;
    sim_time *first_fail_by_rep;  /* SIM_TIME_NONE when none */

    /* series: index k = interval k, length nc_scen_result.nsamples */
    uint32_t *in_use_by_rep;      /* [rep * nsamples + k]: pool in use at the end of interval k */
    uint32_t *in_use_max;         /* highest in use inside interval k, any rep */
    uint64_t *active_sum;         /* pool's active mappings at end of k, summed over reps */
    uint64_t *idle_sum;
    uint64_t *time_wait_sum;
    uint64_t *attempts_sum;       /* per interval, summed over reps */
    uint64_t *alloc_failures_sum;
    uint64_t *failed_requests_sum;
    uint64_t *stale_reuses_sum;
    uint64_t *requests_sum;
    uint32_t *fail_reps;          /* reps with >= 1 failed allocation in interval k */
    uint64_t *util_in_use_sum;    /* in use at the end of k, as capacity in a rep in which an
                                     instance without ports was asked in k; summed over reps */

    /* per replication and interval, to resample the model to observations
     * (model/compare.c): [rep * nsamples + k]; by_rep_kept says whether they
     * were filled (by a run, or from shard parts, which carry them) */
    struct nc_rep_sample *by_rep;

    /* the binding pool's analytic demand, computed by the first
     * nc_bottleneck_get (model/bottleneck.c) for pool row demand_row and
     * read by the next ones: the charts and reports ask for it per row */
    int demand_cached;
    size_t demand_row;
    double demand_peak;           /* NAN: no estimate */
    double *demand;               /* [nsamples], NULL when demand_peak is NAN */
} nc_gw_result;

/* One interval of one replication, fullest pool (see nc_gw_result.by_rep). */
typedef struct nc_rep_sample {
    uint32_t imax;                /* highest mappings in use inside the interval */
    uint32_t open;                /* open connections (active + idle) at its end */
    uint32_t omax;                /* highest open connections inside it */
    uint32_t attempts, alloc_failures, requests, failed_requests;
} nc_rep_sample;

/* The series of one pool the scenario watches (nc_scenario.watch, in that
 * order), per replication and interval [rep * nsamples + k], as by_rep is
 * for the fullest pool; requests and failed_requests stay 0 (requests are
 * not per pool). */
typedef struct nc_pool_series {
    nc_pool_ref ref;
    uint32_t *in_use_by_rep;      /* in use at the end of interval k */
    struct nc_rep_sample *by_rep;
} nc_pool_series;

/* Per service row of services.csv. */
typedef struct nc_row_result {
    uint64_t requests, new_connections, reused, failed_requests;
    uint64_t stale_reuses, attempts, alloc_failures, retries;
    uint64_t in_use_at_peak_sum;  /* mappings held by the row when its gateway peaked, summed over reps */
    uint64_t *in_use_sum;         /* per interval: mappings held by the row at the end, summed over reps */
} nc_row_result;

typedef struct nc_scen_result {
    const nc_scenario *sc;        /* borrowed */
    uint32_t reps;                /* replications run */
    uint32_t nsamples;            /* measured intervals: ceil(duration / sample_s) */
    sim_time sample_us;
    sim_time duration_us;
    char rng_name[32];            /* GSL generator used */
    nc_gw_result *gw;             /* [sc->ngateways] */
    nc_row_result *rows;          /* [sc->nservices] */
    size_t npool_series;          /* = sc->nwatch */
    nc_pool_series *pools;        /* [npool_series]: the watched pools; NULL when none */
    uint64_t simulated;           /* requests simulated, warm-up included (for NATCAP_STATS
                                     and make bench; not kept in shard part files) */
    int by_rep_kept;              /* nc_gw_result.by_rep filled (sim_merge, shard_read_data) */
    const struct obs_compare *cmp; /* model vs observed (model/compare.h), NULL when not compared */
} nc_scen_result;

/* Allocate zeroed series for `reps` replications.  NULL on ENOMEM. */
nc_scen_result *nc_scen_result_create(const nc_scenario *sc, uint32_t reps);
void nc_scen_result_destroy(nc_scen_result *r);   /* NULL is a no-op */

/* Length of interval k in seconds (the last one may be shorter). */
double nc_scen_result_interval_s(const nc_scen_result *r, uint32_t k);

#endif
