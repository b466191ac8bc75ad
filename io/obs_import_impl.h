/*
 * obs_import_impl.h - what the parts of natcap import share (not a public
 * interface; see obs_import.h): the platforms, the context of one file, the
 * JSON helpers and the series writer of obs_import.c, and the parser of each
 * native format (obs_import_cloudwatch.c, obs_import_prometheus.c,
 * obs_import_gcp.c, obs_import_azure.c), which obs_import.c picks by content.
 *
 * Every helper that fails sets c->err (file and JSON path) and returns its
 * status; the entry point rolls the rows back to where the file began.
 */
#ifndef NATCAP_IO_OBS_IMPORT_IMPL_H
#define NATCAP_IO_OBS_IMPORT_IMPL_H

#include "obs_import.h"

#include <jansson.h>

typedef enum plat { P_CW, P_PROM, P_GCP, P_AZ } plat;

typedef struct ctx {
    const char *file;
    const obs_import_opts *o;
    obs_rows *rows;
    nc_error *err;
    size_t n0;            /* rows before this file (rolled back on error) */
    size_t nstr0;
    uint32_t nseries0;
    const char *where;    /* of the series being read */
} ctx;

/* NC_EINPUT with "PATH: MESSAGE" (control bytes shown as '?'). */
nc_status oi_fail(ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "an object", "a number", ... ("nothing" for NULL), for messages. */
const char *oi_jtype(const json_t *j);
/* path + ".key" (key not NULL) or "[idx]" into buf; returns buf. */
const char *oi_sub(char *buf, size_t len, const char *path, const char *key, long idx);
/* j is there and of type t (object, array or string). */
nc_status oi_want(ctx *c, const json_t *j, json_type t, const char *path);
/* A copy of s owned by the rows (printable); NULL when out of memory. */
const char *oi_keep_str(ctx *c, const char *s);
/* A JSON number >= 0, or (as_string) a string holding one (Prometheus, GCP int64). */
nc_status oi_number(ctx *c, const json_t *j, int as_string, const char *path, double *out);
/* An ISO 8601 string with a zone into Unix seconds. */
nc_status oi_timestamp(ctx *c, const json_t *j, const char *path, int64_t *out);
/* The metric and default stat of a native name of platform p (or --metric);
 * refused and unknown names fail. */
nc_status oi_resolve(ctx *c, plat p, const char *native, const char *path, int *metric,
                     obs_stat *stat);
/* Refuse a series whose native statistic `agg` (as the platform names it:
 * "aggregation total", "statistic Maximum") does not summarise `metric`:
 * "... does not summarise a level like open; export ... instead", the
 * platform's sound choice for a level (level_ok) or a count (count_ok). */
nc_status oi_refuse_stat(ctx *c, const char *path, const char *agg, int metric,
                         const char *level_ok, const char *count_ok);
/* The smallest step between the sorted times of n rows (0 for one point). */
double oi_spacing(const obs_row *r, size_t n);
/* The series writer: begin_series returns the index of a series found at
 * `path` (the points added after carry it); end_series gives the rows added
 * since index `from` their interval (interval_s, else the series' spacing)
 * when they have none. */
uint32_t oi_begin_series(ctx *c, const char *path);
void oi_end_series(ctx *c, size_t from, double interval_s);
/* Append point x (its time and value set) to series `series`: its metric,
 * stat and source, where the series came from, and its pool from --pool. */
nc_status oi_add_point(ctx *c, obs_row *x, int metric, obs_stat stat, const char *source,
                       uint32_t series);

/* The formats: root is the whole export, a JSON object. */
nc_status oi_cloudwatch(ctx *c, const json_t *root);     /* get-metric-data */
nc_status oi_cw_statistics(ctx *c, const json_t *root);  /* get-metric-statistics */
nc_status oi_prometheus(ctx *c, const json_t *root);
nc_status oi_gcp(ctx *c, const json_t *root);
nc_status oi_azure(ctx *c, const json_t *root);

#endif
