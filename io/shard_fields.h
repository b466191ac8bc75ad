/*
 * shard_fields.h - the fields of a part (io/shard_part.h), in file order:
 * the one list from which shard_part.c generates both the writer and the
 * reader.  Included by shard_part.c only.
 *
 * Kinds: u32, u64, i64 (little-endian integers of 4, 8, 8 bytes), str (a
 * NUL-terminated char array, as a u16 length and its bytes), raw (a byte
 * array, as its sizeof bytes).  How a reader combines a value into the
 * merged result: SUM (+=), MAX, MIN; per-replication values are stored at
 * their replication's index (SET).  Every change here changes the file
 * format: bump SHARD_FORMAT_VERSION.
 */
#ifndef NATCAP_IO_SHARD_FIELDS_H
#define NATCAP_IO_SHARD_FIELDS_H

/* shard_header, after the magic and the format version: X(kind, field) */
#define SHARD_HEADER_FIELDS(X) \
    X(str, natcap_version)     \
    X(str, rng_name)           \
    X(raw, inputs_sha256)      \
    X(raw, batch_id)           \
    X(str, input_dir)          \
    X(u32, formats)            \
    X(i64, replications)       \
    X(i64, seed)               \
    X(u32, k)                  \
    X(u32, n)                  \
    X(u64, units)              \
    X(u64, unit_lo)            \
    X(u64, unit_hi)            \
    X(i64, obs_tz_s)           \
    X(str, obs_day)            \
    X(u32, obs_fold)

/* shard_scen, once per scenario after a u32 count: X(kind, field) */
#define SHARD_SCEN_FIELDS(X) \
    X(str, name)             \
    X(u64, seed)             \
    X(u32, reps)             \
    X(u32, nsamples)         \
    X(u32, ngateways)        \
    X(u32, nservices)        \
    X(u32, rep_lo)           \
    X(u32, rep_hi)           \
    X(u32, nwatch)

/* then, per pool the scenario watched (nc_scenario.watch: those observed.csv
 * names), its reference: X(kind, field) */
#define SHARD_WATCH_FIELDS(X)    \
    X(u32, gw)                   \
    X(u64, pool)                 \
    X(str, name)

/* nc_gw_result totals over the part's replications: X(kind, field, combine) */
#define SHARD_GW_TOTALS(X)               \
    X(u64, npools, MAX)                  \
    X(u64, requests, SUM)                \
    X(u64, attempts, SUM)                \
    X(u64, alloc_failures, SUM)          \
    X(u64, failed_requests, SUM)         \
    X(u64, new_connections, SUM)         \
    X(u64, reused, SUM)                  \
    X(u64, stale_reuses, SUM)            \
    X(u64, retries, SUM)                 \
    X(u64, pool_wait_timeouts, SUM)      \
    X(u64, peak_sum, SUM)                \
    X(u32, peak_max, MAX)                \
    X(u32, exhausted_reps, SUM)          \
    X(i64, first_exhaustion, MIN)        \
    X(u64, exhausted_us_sum, SUM)        \
    X(u64, pools_exhausted_sum, SUM)     \
    X(u64, pools_alert_sum, SUM)         \
    X(u64, util_peak_sum, SUM)           \
    X(u32, portless_reps, SUM)

/* nc_gw_result per-replication arrays, replication by replication (each
 * one's values of every field, then the next): X(kind, field, width), width
 * values per replication, 1 or ns (the intervals) */
#define SHARD_GW_PER_REP(X)              \
    X(u32, binding_by_rep, 1)            \
    X(u32, peak_by_rep, 1)               \
    X(i64, first_fail_by_rep, 1)         \
    X(u32, in_use_by_rep, ns)

/* then, still per replication, its nc_rep_sample of every interval
 * (nc_gw_result.by_rep, what the model vs observed comparison resamples):
 * X(kind, field) */
#define SHARD_REP_SAMPLE(X)              \
    X(u32, imax)                         \
    X(u32, open)                         \
    X(u32, omax)                         \
    X(u32, attempts)                     \
    X(u32, alloc_failures)               \
    X(u32, requests)                     \
    X(u32, failed_requests)

/* nc_gw_result per-interval series, each all intervals: X(kind, field, combine) */
#define SHARD_GW_SERIES(X)               \
    X(u32, in_use_max, MAX)              \
    X(u64, active_sum, SUM)              \
    X(u64, idle_sum, SUM)                \
    X(u64, time_wait_sum, SUM)           \
    X(u64, attempts_sum, SUM)            \
    X(u64, alloc_failures_sum, SUM)      \
    X(u64, failed_requests_sum, SUM)     \
    X(u64, stale_reuses_sum, SUM)        \
    X(u64, requests_sum, SUM)            \
    X(u32, fail_reps, SUM)               \
    X(u64, util_in_use_sum, SUM)

/* nc_row_result totals, then per-interval series: X(kind, field, combine) */
#define SHARD_ROW_TOTALS(X)              \
    X(u64, requests, SUM)                \
    X(u64, new_connections, SUM)         \
    X(u64, reused, SUM)                  \
    X(u64, failed_requests, SUM)         \
    X(u64, stale_reuses, SUM)            \
    X(u64, attempts, SUM)                \
    X(u64, alloc_failures, SUM)          \
    X(u64, retries, SUM)                 \
    X(u64, in_use_at_peak_sum, SUM)

#define SHARD_ROW_SERIES(X)              \
    X(u64, in_use_sum, SUM)

/* nc_pool_series of each watched pool (in the order of the scenario's watch
 * table), replication by replication: X(kind, field, width) as
 * SHARD_GW_PER_REP, then its SHARD_REP_SAMPLE of each interval */
#define SHARD_POOL_PER_REP(X)            \
    X(u32, in_use_by_rep, ns)

#endif
