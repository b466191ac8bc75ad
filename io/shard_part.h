/*
 * shard_part.h - the partial-result file ("part") a shard writes and the
 * merge reads: OUT/natcap-shard-K-of-N.bin, written through io/outdir
 * (temporary name, renamed when complete).
 *
 * All integers are little-endian, whatever the host; a string is a u16
 * length and its bytes.  The layout, in order:
 *
 *   magic "NATCAPSH", u32 format version (SHARD_FORMAT_VERSION)
 *   the header fields of SHARD_HEADER_FIELDS (io/shard_fields.h): natcap
 *       version, GSL generator, SHA-256 of the input files
 *       (shard_hash_inputs), batch id (shard_batch_id), -i as given, chart
 *       formats, -r and --seed (-1 when not given), K, N, U, unit range,
 *       the observed.csv options (--tz, --observed-day, --observed-fold)
 *   u32 scenarios, then per scenario SHARD_SCEN_FIELDS and, per pool it
 *       watched (the pools observed.csv named), SHARD_WATCH_FIELDS
 *   per scenario whose rep range is not empty, its nc_scen_result for those
 *       reps: per gateway SHARD_GW_TOTALS, then per replication
 *       SHARD_GW_PER_REP and SHARD_REP_SAMPLE of each interval, then
 *       SHARD_GW_SERIES; per service row
 *       SHARD_ROW_TOTALS and SHARD_ROW_SERIES; per watched pool, per
 *       replication SHARD_POOL_PER_REP and SHARD_REP_SAMPLE of each interval
 *   32 bytes SHA-256 of every byte before it (the checksum)
 *
 * Both the writer and the reader are generated from those field lists, so
 * they cannot disagree; a change to a list changes the format: bump
 * SHARD_FORMAT_VERSION.  Reading a part adds its integers into the results
 * (sums with +, maxima with max, minima with min, per-replication arrays
 * copied to their index), so the merged nc_scen_result is exactly the one a
 * single run builds, in any order.
 *
 * Library code: nothing is printed.  Errors name the part (err->file).
 */
#ifndef NATCAP_IO_SHARD_PART_H
#define NATCAP_IO_SHARD_PART_H

#include "../model/config.h"
#include "../model/status.h"
#include "../model/version.h"
#include "../model/result.h"

#include <stdint.h>
#include <stdio.h>

#define SHARD_FORMAT_VERSION 3u   /* 3: per-replication samples, observed.csv options, watched pools */
#define SHARD_INPUT_DIR_MAX 4095u   /* longest -i stored */

/* A pool whose series a part holds (nc_pool_ref). */
typedef struct shard_pool {
    uint32_t gw;
    uint64_t pool;
    char name[NC_POOL_NAME_MAX + 1];
} shard_pool;

/* What a part says about its batch and itself. */
typedef struct shard_scen {
    char name[NC_NAME_MAX + 1];
    uint64_t seed;
    uint32_t reps, nsamples, ngateways, nservices;
    uint32_t rep_lo, rep_hi;        /* replications of this scenario in the part */
    uint32_t nwatch;                /* pools watched in the run (nc_scenario.watch) */
    shard_pool *watch;              /* [nwatch], owned; NULL when none */
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
    int64_t obs_tz_s;               /* --tz, --observed-day ("" none), --observed-fold */
    char obs_day[16];
    uint32_t obs_fold;
    size_t nscen;
    shard_scen *scen;               /* owned when read; borrowed when written */
} shard_header;

/* Start the header of shard k of n of the batch in->scenarios (after -s,
 * -r and --seed): version, generator, the hash of input_dir's files, U and
 * the unit range.  The caller sets formats, replications, seed and the
 * observed.csv options (which change no simulated figure: they are kept for
 * the merge's comparison with observations, as --format for its charts); the
 * scenario table comes after the run (shard_header_scenarios).  NC_EIO
 * when an input file cannot be read, NC_EUSAGE when input_dir is longer
 * than SHARD_INPUT_DIR_MAX. */
nc_status shard_header_begin(shard_header *h, uint32_t k, uint32_t n, const nc_input *in,
                             const char *input_dir, const char *rng_name, nc_error *err);

/* The batch id of h: a SHA-256 of the inputs hash and every option that
 * changes results (the scenarios kept by -s with their replications, seeds
 * and sizes, -r, --seed, generator, natcap version). */
void shard_batch_id(const shard_header *h, uint8_t out[32]);

/* Fill h->scen (allocated, [n]) from the results of a shard run and its
 * unit range, with the pools each scenario watched; the caller sets every
 * other field.  NC_ENOMEM. */
nc_status shard_header_scenarios(shard_header *h, const nc_scen_result *const *rs, size_t n,
                                 nc_error *err);

void shard_header_free(shard_header *h);   /* frees scen; NULL ok */

/* The index in c->watch of the pool ref names (same gateway, pool and
 * name), or -1 when the part did not record it. */
long shard_scen_watched(const shard_scen *c, const nc_pool_ref *ref);

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
 * NC_EINPUT (err->file = name) for anything that is not a sound part of
 * this format version (a part of another version: saying which natcap
 * wrote it). */
nc_status shard_read_header(FILE *fp, const char *name, shard_header *h, nc_error *err);

/* Read the part in fp again (from offset 0) and merge its data into rs,
 * which hold h->nscen results created for the scenarios of h (same
 * replications, intervals, gateways and rows, else NC_EINPUT).  The series
 * of the pools a result watches (rs[i]->pools) come from the part's, which
 * must hold them (else NC_EINPUT: see shard_set_check_watch); pools the
 * part holds that a result does not watch are skipped.  Sets by_rep_kept
 * of each result the part has replications of. */
nc_status shard_read_data(FILE *fp, const char *name, const shard_header *h,
                          nc_scen_result *const *rs, size_t n, nc_error *err);

#endif
