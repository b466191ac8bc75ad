/*
 * estimate.h - `natcap estimate`: the analytic first look, no simulation.
 *
 * For each gateway of a scenario: its pools (model/pools.h), the peak of the
 * unconstrained mean demand of its binding pool (the M(t)/G/infinity mean of
 * model/occupancy.h, as plan's analytic estimate: rows without pooling,
 * hold = handshake + latency + TIME_WAIT) and when it peaks, the capacity,
 * the instances without ports, and a verdict.  The binding pool is the
 * fullest pool; an instance without ports that has requests is a pool of
 * size 0 and binds before any other (its requests fail).
 *
 * Where it differs from the simulation (also in the README): rows with
 * pooling (pool_idle > 0) are not estimated; retries and SYN
 * retransmissions are not counted (nothing fails in the unconstrained
 * model); the mean hides the Poisson spread, so a demand close to capacity
 * (within a few sqrt(demand)) can still exhaust, or not.
 */
#ifndef NATCAP_MODEL_ESTIMATE_H
#define NATCAP_MODEL_ESTIMATE_H

#include "config.h"
#include "status.h"

#include <stddef.h>
#include <stdint.h>

typedef enum estimate_verdict {
    ESTIMATE_FITS = 0,       /* demand below the alert level of capacity */
    ESTIMATE_NEAR,           /* above the alert level, below capacity */
    ESTIMATE_EXHAUSTS,       /* mean demand above capacity, or instances without ports */
    ESTIMATE_NO_ESTIMATE     /* no row without pooling: nothing to estimate */
} estimate_verdict;

typedef struct estimate_row {
    size_t scenario, gateway;        /* indexes */
    char pool[2 * NC_NAME_MAX + 32]; /* binding pool, named as SPEC §5 binding_pool */
    uint64_t pools_total;
    uint64_t capacity;               /* of the binding pool (0 for an instance without ports) */
    double demand_peak;              /* mean mappings in use at the peak; NAN: no estimate */
    double peak_time_s;              /* since 00:00 of day 0 (the first of equal peaks); NAN:
                                        no estimate */
    int flat;                        /* the demand is the same all day (within 1e-6) */
    uint64_t instances_without_ports;
    char short_service[NC_NAME_MAX + 1];   /* the first service with such instances, or "" */
    uint64_t short_of_service;       /* its instances without ports */
    size_t rows_estimated, rows_pooled;    /* service rows of the gateway */
    estimate_verdict verdict;
} estimate_row;

#define ESTIMATE_ALERT_AT 0.8        /* "near" above this share of capacity (plan's default) */

/* One row per gateway of sc, into out[0..sc->ngateways) (scenario index si).
 * NC_EINPUT (latency fit) or NC_ENOMEM with err set. */
nc_status estimate_scenario(const nc_scenario *sc, size_t si, estimate_row *out, nc_error *err);

const char *estimate_verdict_name(estimate_verdict v);   /* "fits", "near", "exhausts", "n/a" */

#endif
