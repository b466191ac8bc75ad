/*
 * obs_import.h - native metric exports (JSON) to observed.csv rows (SPEC §6
 * `natcap import`).
 *
 * Formats, detected from the content (not the file name):
 *  - CloudWatch: `aws cloudwatch get-metric-data` output (MetricDataResults)
 *    and `get-metric-statistics` output (Label + Datapoints);
 *  - Prometheus: /api/v1/query_range response, matrix (an instant vector is refused);
 *  - Cloud Monitoring: projects.timeSeries.list response (timeSeries);
 *  - Azure Monitor: `az monitor metrics list` output / the REST body (value[].timeseries).
 * Native names map to natcap's metrics by the table in obs_import.c (also in
 * the README); a name not in the table needs a forced metric (--metric).
 * JSON is parsed with jansson.  Every error names the file and the JSON path
 * ("$.MetricDataResults[0].Values[3]") and leaves *out empty.
 */
#ifndef NATCAP_IO_OBS_IMPORT_H
#define NATCAP_IO_OBS_IMPORT_H

#include "../model/status.h"
#include "../model/observed.h"

#include <stdint.h>
#include <stdio.h>

typedef struct obs_row {
    int64_t t;                 /* start of the interval, Unix seconds (UTC) */
    obs_metric metric;
    obs_stat stat;
    double value;
    double interval_s;         /* 0: unknown (observed.csv defaults it) */
    char pool[2 * NC_NAME_MAX + 24];
    const char *source;        /* points into obs_rows.strings */
    uint32_t series;           /* index of the series it came from (for duplicates) */
    const char *where;         /* "FILE: $.path" of that series, in obs_rows.strings */
} obs_row;

typedef struct obs_rows {
    size_t n, cap;
    obs_row *row;
    size_t nstr;
    char **strings;            /* owned source texts */
    uint32_t nseries;
    const char *format;        /* format of the last file read, for messages */
} obs_rows;

typedef struct obs_import_opts {
    const char *gateway;       /* -g: gateway column, NULL: left blank */
    const char *metric;        /* --metric: natcap metric for every series, NULL: by the table */
    const char *pool;          /* --pool: pool column, NULL: blank (the binding pool) */
} obs_import_opts;

/* Parse one export held in data[0..len) (named `path` in messages) and
 * append its rows to *rows.  On error *rows is left as it was before. */
nc_status obs_import_buffer(const char *path, const char *data, size_t len,
                            const obs_import_opts *o, obs_rows *rows, nc_error *err);

/* Read `path` and obs_import_buffer it (NC_EIO when unreadable). */
nc_status obs_import_file(const char *path, const obs_import_opts *o, obs_rows *rows,
                          nc_error *err);

/* Sort the rows by series key (gateway, metric, pool) and time, and check
 * that no two series give the same (time, metric, pool). */
nc_status obs_import_finish(obs_rows *rows, const obs_import_opts *o, nc_error *err);

/* observed.csv text of the rows (header comment, header, rows). */
void obs_import_write(FILE *fp, const obs_rows *rows, const obs_import_opts *o);

void obs_rows_free(obs_rows *rows);

/* "YYYY-MM-DDTHH:MM[:SS[.fff]]" + "Z" | "±HH:MM" | "±HHMM" (or "+00:00" forms)
 * into Unix seconds (fractions truncated toward the interval start) and the
 * offset in seconds.  0 on success.  Shared with observed_in.c. */
int obs_parse_iso(const char *s, int64_t *unix_s, int *offset_s, int require_zone);

#endif
