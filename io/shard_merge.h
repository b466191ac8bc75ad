/*
 * shard_merge.h - the set of parts a merge is given: found, checked to be
 * one complete batch, and added up into the results of a single run.
 *
 * The merge does not store the resolved scenarios: it loads the input
 * directory again (the -i stored in the parts, or one given to merge),
 * checks that its files hash to the stored value, and applies the stored
 * -s/-r/--seed, then renders through the same writers as `natcap run`
 * (cmd_merge.c).
 *
 * Library code: nothing is printed.  Errors name the part (err->file).
 */
#ifndef NATCAP_IO_SHARD_MERGE_H
#define NATCAP_IO_SHARD_MERGE_H

#include "shard_part.h"

#include "../model/observed.h"

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

/* Check that the parts hold the series of every pool in->scenarios watch
 * (set from o, the observed.csv read for the merge, as `run` sets them:
 * observed_watch): observed.csv is not part of the inputs hash and may name
 * pools the shards were not asked to record.  NC_EINPUT naming o's file,
 * the line of the pool's first observation and the part. */
nc_status shard_set_check_watch(const shard_set *s, const nc_input *in, const nc_observed *o,
                                nc_error *err);

/* Merge every part into rs[0..n): fresh results of in->scenarios
 * (nc_scen_result_create with each scenario's replications).  Sets
 * rng_name. */
nc_status shard_set_merge(const shard_set *s, nc_scen_result *const *rs, size_t n,
                          nc_error *err);

#endif
