/*
 * shard.h - one batch split over several processes or machines: the
 * partition, the partial-result file each shard writes, and the merge.
 *
 * Partition.  The batch is the list of units (scenario i, replication j) in
 * that order (model/batch.h), U units in all.  Unit u goes to shard
 * floor(u*N/U), so shard K of N (0 <= K < N) runs the contiguous units
 * [ceil(K*U/N), ceil((K+1)*U/N)).  Shards differ in size by at most one
 * unit; when N > U some shards are empty (and still write a part).  Each
 * replication's generator is seeded from (scenario seed, j) only, so a
 * shard computes exactly the replications a single run would.
 * U*N must stay below 2^64 (U <= 1e6 replications x scenarios, N <= 1e6).
 *
 * Partial-result file ("part"): OUT/natcap-shard-K-of-N.bin, written through
 * io/outdir (temporary name, renamed when complete).  All integers are
 * little-endian, whatever the host; a string is a u16 length and its bytes.
 *
 *   magic "NATCAPSH", u32 format version (SHARD_FORMAT_VERSION)
 *   str natcap version, str GSL generator name
 *   32 bytes SHA-256 of the input files (shard_hash_inputs)
 *   32 bytes batch id: SHA-256 of the above plus every option that changes
 *            results (the scenarios kept by -s with their replications and
 *            seeds, -r, --seed, generator, natcap version)
 *   str -i as given, u32 chart formats (PLOT_* bits of --format)
 *   i64 -r, i64 --seed (-1 when not given)
 *   u32 K, u32 N, u64 U, u64 first unit, u64 end unit
 *   u32 scenarios, then per scenario: str name, u64 seed, u32 replications,
 *       u32 intervals, u32 gateways, u32 service rows, u32 first rep, u32 end rep
 *   per scenario whose rep range is not empty, its nc_scen_result for those
 *   reps: per gateway npools, the totals, peak_max, exhausted_reps,
 *   first_exhaustion, exhausted_us_sum, per rep (peak, first failure, the
 *   in-use series), then the per-interval sums, maxima and counts; per
 *   service row its totals and per-interval sums (order: shard.c, put_gw)
 *   32 bytes SHA-256 of every byte before it (the checksum)
 *
 * Merging adds the parts' integers (sums with +, maxima with max, minima
 * with min, per-replication arrays copied to their index), so the merged
 * nc_scen_result is exactly the one a single run builds, in any order.
 * The merge does not store the resolved scenarios: it loads the input
 * directory again (the -i stored in the parts, or one given to merge),
 * checks that its files hash to the stored value, and applies the stored
 * -s/-r/--seed, then renders through the same writers as `natcap run`.
 *
 * Library code: nothing is printed.  Errors name the part (err->file).
 */
#ifndef NATCAP_IO_SHARD_H
#define NATCAP_IO_SHARD_H

#include "../model/status.h"
#include "../model/version.h"
#include "../model/config.h"
#include "../model/result.h"

#include <stdint.h>
#include <stdio.h>

#define SHARD_FORMAT_VERSION 2u
#define SHARD_MAX 1000000u          /* largest N accepted */
#define SHARD_INPUT_DIR_MAX 4095u   /* longest -i stored */

/* ---------------------------------------------------------------- partition */

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

/* ---------------------------------------------------------------- the part */

/* SHA-256 of the five input files of `dir` (gateways, destinations,
 * services, profiles, scenarios .csv; each as name, present flag, length,
 * bytes).  NC_EIO when one exists but cannot be read. */
nc_status shard_hash_inputs(const char *dir, uint8_t out[32], nc_error *err);

/* What a part says about its batch and itself. */
typedef struct shard_scen {
    char name[NC_NAME_MAX + 1];
    uint64_t seed;
    uint32_t reps, nsamples, ngateways, nservices;
    uint32_t rep_lo, rep_hi;        /* replications of this scenario in the part */
} shard_scen;

typedef struct shard_header {
    char natcap_version[32];
    char rng_name[32];
    uint8_t inputs_sha256[32];
    uint8_t batch_id[32];           /* filled by shard_write / shard_read_header */
    char input_dir[SHARD_INPUT_DIR_MAX + 1];
    uint32_t formats;
    int64_t replications, seed;     /* -r, --seed; -1 when not given */
    uint32_t k, n;
    uint64_t units, unit_lo, unit_hi;
    size_t nscen;
    shard_scen *scen;               /* owned when read; borrowed when written */
} shard_header;

/* Start the header of shard k of n of the batch in->scenarios (after -s,
 * -r and --seed): version, generator, the hash of input_dir's files, U and
 * the unit range.  The caller sets formats, replications and seed; the
 * scenario table comes after the run (shard_header_scenarios).  NC_EIO
 * when an input file cannot be read, NC_EUSAGE when input_dir is longer
 * than SHARD_INPUT_DIR_MAX. */
nc_status shard_header_begin(shard_header *h, uint32_t k, uint32_t n, const nc_input *in,
                             const char *input_dir, const char *rng_name, nc_error *err);

/* The batch id of h (inputs hash + options), as stored in parts. */
void shard_batch_id(const shard_header *h, uint8_t out[32]);

/* Fill h->scen (allocated, [n]) from the results of a shard run and its
 * unit range; the caller sets every other field.  NC_ENOMEM. */
nc_status shard_header_scenarios(shard_header *h, const nc_scen_result *const *rs, size_t n,
                                 nc_error *err);

void shard_header_free(shard_header *h);   /* frees scen; NULL ok */

/* "natcap-shard-K-of-N.bin" */
void shard_file_name(uint32_t k, uint32_t n, char *buf, size_t len);

/* Serialize h and the units [h->unit_lo, h->unit_hi) of rs[0..n) (n ==
 * h->nscen) to fp, which must be at offset 0.  Sets h->batch_id.
 * NC_EIO on a write error (name used in messages). */
nc_status shard_write(FILE *fp, const char *name, shard_header *h,
                      const nc_scen_result *const *rs, size_t n, nc_error *err);

/* shard_write into OUTPUT/natcap-shard-K-of-N.bin through io/outdir. */
nc_status shard_write_part(const char *output, shard_header *h,
                           const nc_scen_result *const *rs, size_t n, nc_error *err);

/* Read the header of the part in fp (at offset 0, seekable) and verify its
 * format, checksum and batch id.  On success the caller frees *h.
 * NC_EINPUT (err->file = name) for anything that is not a sound part. */
nc_status shard_read_header(FILE *fp, const char *name, shard_header *h, nc_error *err);

/* Read the part in fp again (from offset 0) and merge its data into rs,
 * which hold h->nscen results created for the scenarios of h (same
 * replications, intervals, gateways and rows, else NC_EINPUT). */
nc_status shard_read_data(FILE *fp, const char *name, const shard_header *h,
                          nc_scen_result *const *rs, size_t n, nc_error *err);

/* ---------------------------------------------------------------- the merge */

typedef struct shard_set shard_set;

/* Read every part named by args: a part file, or a directory, which
 * contributes each natcap-shard-*-of-*.bin in it.  Checks that all belong
 * to one batch (same format, version, generator, inputs and options, same N
 * and U), that each has the unit range of its K, and that every K of 0..N-1
 * is there exactly once.  NC_EINPUT naming the part (or the missing shard);
 * NC_EIO when a part cannot be read. */
nc_status shard_set_open(const char *const *args, size_t nargs, shard_set **out,
                         nc_error *err);
void shard_set_destroy(shard_set *s);   /* NULL ok */

/* The header of shard 0 (every part agrees on the batch). Borrowed. */
const shard_header *shard_set_header(const shard_set *s);

/* Check the inputs loaded again for the merge: `dir`'s files hash to the
 * parts' value and in->scenarios are the parts' scenarios (names,
 * replications, seeds, sizes).  NC_EINPUT naming dir. */
nc_status shard_set_check_inputs(const shard_set *s, const char *dir, const nc_input *in,
                                 nc_error *err);

/* Merge every part into rs[0..n): fresh results of in->scenarios
 * (nc_scen_result_create with each scenario's replications).  Sets
 * rng_name. */
nc_status shard_set_merge(const shard_set *s, nc_scen_result *const *rs, size_t n,
                          nc_error *err);

#endif
