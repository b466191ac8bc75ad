/*
 * shard.h - one batch split over several processes or machines, and put
 * back together exactly.  The pieces, one noun each:
 *
 *   shard_select.h  which units a shard runs: the partition, --shard K/N,
 *                   Slurm / Kubernetes environment variables
 *   shard_hash.h    SHA-256 of the input files and the running digest
 *   shard_part.h    the partial-result file: header, data, checksum
 *                   (its fields listed once, in shard_fields.h)
 *   shard_merge.h   the set of parts given to a merge, checked and added up
 *
 * cmd_run.c writes a part with --shard; cmd_merge.c is `natcap merge`.
 */
#ifndef NATCAP_IO_SHARD_H
#define NATCAP_IO_SHARD_H

#include "shard_hash.h"
#include "shard_merge.h"
#include "shard_part.h"
#include "shard_select.h"

#endif
