/*
 * run_size.h - how big a batch is before it runs: the requests a scenario
 * will simulate, the memory its per-interval results take, and about how
 * long the whole batch will take.  The commands refuse a scenario above the
 * limits below and announce a long batch (cmd_prepare).
 *
 * A scenario's expected requests are one replication's (its arrival rates
 * integrated over warm-up and day, progress_expected_requests) times its
 * replications; its per-interval results take about 4 bytes per replication
 * and 80 more per gateway and interval, and 8 per service row and interval.
 */
#ifndef NATCAP_MODEL_RUN_SIZE_H
#define NATCAP_MODEL_RUN_SIZE_H

#include "config.h"
#include "status.h"

#define RUN_SIZE_MAX_REQUESTS 1e12                     /* per scenario, all replications */
#define RUN_SIZE_MAX_RESULT_BYTES (8.0 * 1024 * 1024 * 1024)
#define RUN_SIZE_NS_PER_REQUEST 150.0  /* make bench: ~100-170 ns per request on one core (more in exhaustion) */

typedef struct run_size {
    double requests;      /* expected simulated requests, warm-up and all replications */
    double intervals;     /* sample intervals of the day: ceil(duration / sample_s) */
    double result_bytes;  /* the per-interval results in memory */
} run_size;

/* The size of scenario sc.  NC_ENOMEM when out of memory. */
nc_status run_size_of(const nc_scenario *sc, run_size *out);

/* Seconds a batch of `requests` in `replications` units of work takes on
 * `jobs` threads (never more threads than units, at least one). */
double run_size_seconds(double requests, double replications, unsigned jobs);

#endif
