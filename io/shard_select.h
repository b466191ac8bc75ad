/*
 * shard_select.h - which units of a batch a shard runs: the partition,
 * --shard K/N, and the shard named by a Slurm array task or a Kubernetes
 * Indexed Job.
 *
 * The batch is the list of units (scenario i, replication j) in that order
 * (model/batch.h), U units in all.  Unit u goes to shard floor(u*N/U), so
 * shard K of N (0 <= K < N) runs the contiguous units
 * [ceil(K*U/N), ceil((K+1)*U/N)).  Shards differ in size by at most one
 * unit; when N > U some shards are empty (and still write a part).  Each
 * replication's generator is seeded from (scenario seed, j) only, so a
 * shard computes exactly the replications a single run would.
 * U*N must stay below 2^64 (U <= 1e6 replications x scenarios, N <= 1e6).
 */
#ifndef NATCAP_IO_SHARD_SELECT_H
#define NATCAP_IO_SHARD_SELECT_H

#include "../model/status.h"

#include <stdint.h>

#define SHARD_MAX 1000000u          /* largest N accepted */

/* Units [*lo, *hi) of shard k of n over `units` units.  k < n, n >= 1. */
void shard_range(uint64_t k, uint64_t n, uint64_t units, uint64_t *lo, uint64_t *hi);

/* The shard (0..n-1) that runs unit u < units. */
uint64_t shard_of_unit(uint64_t u, uint64_t n, uint64_t units);

/* Parse "K/N" (0 <= K < N <= SHARD_MAX).  NC_EUSAGE with a message. */
nc_status shard_parse(const char *s, uint32_t *k, uint32_t *n, nc_error *err);

/* The shard taken from the environment when --shard is absent:
 *  - SLURM_ARRAY_TASK_ID of `shards` (--shards N, when > 0): any task
 *    subset, e.g. a rerun with --array=3,7;
 *  - else SLURM_ARRAY_TASK_ID of SLURM_ARRAY_TASK_COUNT, only for a whole
 *    array 0..N-1 (SLURM_ARRAY_TASK_MIN 0, no SLURM_ARRAY_TASK_STEP > 1);
 *  - else JOB_COMPLETION_INDEX (Kubernetes Indexed Job) of `shards` > 0.
 * *source gets the variable used, or NULL when none applies (*k, *n
 * untouched).  NC_EUSAGE when a variable is set but unusable, or shards > 0
 * and none is set. */
nc_status shard_from_env(uint32_t shards, uint32_t *k, uint32_t *n, const char **source,
                         nc_error *err);

#endif
