/*
 * observed_in.h - load and check observed.csv (SPEC §6) into series on the
 * simulated clock (model/observed.h).
 *
 * Rules (errors are NC_EINPUT with file, line and column):
 *  - columns time, gateway, metric, value, interval_s, stat, pool, source;
 *    unknown columns are errors, as in every input file;
 *  - time: YYYY-MM-DDTHH:MM[:SS]Z or with a ±HH:MM offset, or a time of day
 *    HH:MM[:SS]; one form in the whole file.  The simulated clock is the time
 *    of day in UTC shifted by --tz.  Dated rows spanning several days need
 *    --observed-day (keep one) or --observed-fold mean|max (fold by time of
 *    day, after each day's counters were differenced);
 *  - a series is (gateway, metric, pool); its points must be one interval
 *    apart (no gap) with one stat and one interval_s; a (time, gateway,
 *    metric, pool) given twice, a negative value, an unknown gateway or
 *    metric are errors;
 *  - stat for in_use / open: max (default), mean or last; for the counts:
 *    sum (default, the count in the interval; max and mean read the same at
 *    the metrics' one-minute grain) or last, a cumulative counter read at
 *    the end of each interval, which must not decrease: it is differenced
 *    into counts per interval (its first point only anchors the next).
 */
#ifndef NATCAP_IO_OBSERVED_IN_H
#define NATCAP_IO_OBSERVED_IN_H

#include "../model/config.h"
#include "../model/status.h"
#include "../model/observed.h"
#include "csv_in.h"

typedef enum { OBS_FOLD_NONE = 0, OBS_FOLD_MEAN, OBS_FOLD_MAX } obs_fold;

typedef struct observed_in_opts {
    int tz_s;                  /* --tz, seconds east of UTC */
    const char *day;           /* --observed-day YYYY-MM-DD, NULL */
    obs_fold fold;             /* --observed-fold */
    /* NULL: stop at the first error.  Else every error, up to
     * CSV_IN_MAX_ERRORS, as the other input files report them: every header
     * name, every row (one error each), every series; the load stops at the
     * end of a stage that had errors.  err is then the first of them. */
    csv_in_errors *errs;
} observed_in_opts;

/* Load DIR/observed.csv (absent: NC_OK with out->n == 0 and out->path NULL)
 * against the gateways of in->scenarios[0]. */
nc_status observed_in_load(const char *dir, const nc_input *in, const observed_in_opts *o,
                           nc_observed *out, nc_error *err);

/* The same from memory (tests, the fuzzer); data == NULL: absent. */
nc_status observed_in_load_mem(const char *path, const void *data, size_t len,
                               const nc_gateway *gws, size_t ngw, const observed_in_opts *o,
                               nc_observed *out, nc_error *err);

/* The pools o's series name (its pool column), looked up in scenario sc's
 * layout (model/topology.h) and set as sc->watch, each pool once, so that a
 * run records their own series (io/observed_pools.c).  NC_EINPUT naming
 * observed.csv, the series' first line and column 'pool' when a name is no
 * pool of that gateway in sc (with "did you mean" when one is close);
 * NC_ENOMEM. */
nc_status observed_in_watch(const nc_observed *o, nc_scenario *sc, nc_error *err);

/* "+HH:MM" / "-HH:MM" / "Z" into seconds; 0 on success (for --tz). */
int observed_parse_tz(const char *s, int *out_s);

#endif
