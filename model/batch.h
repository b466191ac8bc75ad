/*
 * batch.h - scenarios x replications on worker threads.
 *
 * The batch is a list of units (scenario i, replication j) in that order.
 * Workers take the next unit, run it with its own generator and merge it
 * into the scenario's result.  Merging is integer addition, max and min
 * (result.h), so results do not depend on -j or on which thread ran what.
 *
 * Each replication's generator is seeded with batch_rep_seed(seed, j): a
 * splitmix64 hash of (scenario seed, replication index) folded to 32 bits
 * (GSL's fast generators take 32-bit seeds), re-hashed in the rare case that
 * two replications of one scenario would share a seed.  Not seed + j, which
 * would make replication 1 of seed 1 equal replication 0 of seed 2.
 */
#ifndef NATCAP_MODEL_BATCH_H
#define NATCAP_MODEL_BATCH_H

#include "config.h"
#include "status.h"
#include "clock.h"
#include "result.h"

#include <gsl/gsl_rng.h>
#include <signal.h>

typedef struct batch_status {
    size_t units_done, units_total;
    size_t scenario;             /* index of the scenario most recently started */
    uint32_t reps_done;          /* of that scenario */
    sim_time clock_us;           /* simulated clock of that replication */
    double elapsed_s;
    /* Work in expected simulated requests (model/progress.h): the units done
     * count whole, running ones by the requests they have simulated so far.
     * progress_fraction(work_done, work_total) and progress_eta(...) read it. */
    double work_done, work_total;
} batch_status;

typedef struct batch_opts {
    unsigned jobs;                               /* >= 1 */
    const gsl_rng_type *rng;                     /* NULL: gsl_rng_taus2 */
    const volatile sig_atomic_t *stop;           /* may be NULL */
    /* called on the calling thread about 4 times a second; may be NULL */
    void (*progress)(void *ud, const batch_status *st);
    void *ud;
    /* run only units [unit_lo, unit_hi) of the batch (both 0: all) */
    uint64_t unit_lo, unit_hi;
    /* NULL, or per scenario the first replication to run: scenario i runs
     * replications [rep_lo[i], replications) only, with the seeds they have
     * in the whole batch (natcap plan extends a probe of a few replications
     * to the full count without running the first ones again) */
    const uint32_t *rep_lo;
} batch_opts;

/* Run every replication of scenarios[0..n) and fill out[0..n) with new
 * results (the caller destroys them).  NC_EINTR when stopped. */
nc_status batch_run(const nc_scenario *scenarios, size_t n, const batch_opts *o,
                    nc_scen_result **out, nc_error *err);

/* The 32-bit generator seed of replication `rep` of a scenario, collisions
 * among the scenario's first `reps` replications resolved. `seeds` gets
 * reps entries. */
void batch_rep_seeds(uint64_t seed, uint32_t reps, unsigned long *seeds);

/* Number of online CPUs (sched_getaffinity, else sysconf), at least 1. */
unsigned batch_cpus(void);

#endif
