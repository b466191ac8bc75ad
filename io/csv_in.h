/*
 * csv_in.h - load an input directory (SPEC §2) into resolved scenarios.
 *
 * Reads gateways.csv, destinations.csv, services.csv (required), profiles.csv
 * and scenarios.csv (optional), checks every header and value, and resolves,
 * per scenario, presets, defaults, overrides, selectors and scales into the
 * plain structs of model/config.h.  Values given in scenarios.csv go through
 * the same parser and checks as the cells they override, so an error in one
 * names scenarios.csv, its line and its column.
 *
 * Decisions where SPEC is silent (also in the README):
 *  - Every cell is trimmed of spaces and tabs, quoted or not; a cell that is
 *    empty after trimming is blank (= not given).  A row whose cells are all
 *    blank is skipped like a blank line.
 *  - An optional file with a header but no data rows counts as absent: no
 *    profiles, or the one scenario "baseline".  A file that is there but
 *    empty, or holds only comments and blank lines, is an error ("no header
 *    row") naming that file.
 *  - latency_p99_ms, when given, must exceed latency_p50_ms for every
 *    distribution; it is kept even for exponential and constant.
 *  - azure_lb's ports_per_instance: backend size = sum over the distinct
 *    services behind the gateway of their instances (after instance_scale;
 *    the largest of a service's rows); beyond 1000 instances the last tier,
 *    32 ports, applies.  A gateway with no services gets 1024.
 *  - A scenario row with two or more selectors must match a services.csv row;
 *    any override or scale on a row must apply to at least one row of its
 *    file (so no value is silently ignored).
 *  - nc_scenario.rate_scale / instance_scale hold the product of the values
 *    given on the scenario's rows without selectors (the factor applied to
 *    every service row); per-row factors are already in rps / instances.
 *  - Limits that keep the model sane: names <= 64 chars; nat_ips, ports and
 *    per-IP counts <= 65535; instances, pool sizes, per_destination_limit and
 *    ports_per_instance <= 1e9; syn_retries <= 127; retries <= 1000;
 *    addresses <= 1e6; replications <= 1e6; durations <= 1e9 s (latencies
 *    <= 1e12 ms); rps <= 1e9; multipliers and scales <= 1e6 (also their
 *    products); duration_h and warmup_h <= 8760; at most 1e7 sample
 *    intervals; scenario rows x input rows <= 4e6; files <= 64 MiB.
 */
#ifndef NATCAP_IO_CSV_IN_H
#define NATCAP_IO_CSV_IN_H

#include "../model/config.h"
#include "../model/status.h"

/* Load and validate every CSV of SPEC §2 in `dir`; resolve presets, defaults and each
 * scenario's overrides, selectors and scales into out->scenarios. On error fills err
 * (code NC_EINPUT for bad data, NC_EIO for unreadable file) and leaves *out zeroed.
 * On success the caller owns *out and frees it with nc_input_free(). */
nc_status csv_in_load(const char *dir, nc_input *out, nc_error *err);

/* The bytes of one input file for csv_in_load_mem: data == NULL means the file
 * is absent; len 0 with data != NULL is an empty file.  Borrowed. */
typedef struct csv_in_file {
    const void *data;
    size_t len;
} csv_in_file;

/* csv_in_load from memory (the fuzzer, tests): files[0..5) are gateways.csv,
 * destinations.csv, services.csv, profiles.csv and scenarios.csv, in that order;
 * `dir` only names them in messages.  files == NULL reads `dir` from disk. */
nc_status csv_in_load_mem(const char *dir, const csv_in_file *files, nc_input *out,
                          nc_error *err);

/* Every input error of one load, up to CSV_IN_MAX_ERRORS, in file order (the files
 * in the order of csv_in_file, then by line; within a line, as found).  The loader
 * goes on after an error wherever the rest can still be read: every header name of
 * every file is checked; every row of a file is checked (one error per row); every
 * scenario is built.  It stops at the end of a stage that had errors (headers;
 * names; references; values), since what follows would repeat them, and at once on a
 * file it cannot read as CSV, a missing required file or the error limit. */
#define CSV_IN_MAX_ERRORS 20
typedef struct csv_in_errors {
    size_t n;
    int truncated;                    /* more errors than CSV_IN_MAX_ERRORS: stopped */
    nc_error e[CSV_IN_MAX_ERRORS];
} csv_in_errors;

struct csv_explain;

/* csv_in_load_mem with every error in *errs (required; zeroed first) and, when ex is
 * not NULL, the provenance of the values and what each scenario row overrode (see
 * io/explain.h; freed with csv_explain_free, also on error).  err of csv_in_load is
 * errs->e[0]. */
nc_status csv_in_load_all(const char *dir, const csv_in_file *files, nc_input *out,
                          csv_in_errors *errs, struct csv_explain *ex);

#endif
