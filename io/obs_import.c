/*
 * obs_import.c - native metric exports to observed.csv rows (see obs_import.h):
 * the name table, the JSON helpers and the series writer every format uses,
 * format detection, and the rows' sorting, duplicate check and writing.  Each
 * format's parser is its own file, obs_import_FORMAT.c (obs_import_impl.h).
 *
 * Native names and what they become (the README has the same table, with
 * what each metric counts and leaves out):
 *
 *   platform          native name                         natcap metric    stat (default)
 *   CloudWatch        ActiveConnectionCount               open             max
 *                     ConnectionEstablishedCount          new_connections  sum
 *                     ConnectionAttemptCount              attempts         sum
 *                     ErrorPortAllocation                 alloc_failures   sum
 *   Prometheus        node_nf_conntrack_entries           in_use           last
 *                     node_nf_conntrack_stat_drop         alloc_failures   last (a cumulative counter)
 *                     aws_natgateway_*  (CloudWatch exporter names, _maximum / _sum)
 *   Cloud Monitoring  nat/open_connections                open             last
 *                     nat/new_connections_count           new_connections  sum (DELTA)
 *                     nat/dropped_sent_packets_count      alloc_failures   sum (reason OUT_OF_RESOURCES only)
 *                     nat/port_usage                      in_use           max (per pool)
 *   Azure Monitor     TotalConnectionCount                open             by aggregation
 *                     SNATConnectionCount / SnatConnectionCount
 *                         ConnectionState Attempted       attempts
 *                         ConnectionState Successful      new_connections
 *                         ConnectionState Failed          alloc_failures
 *                     UsedSnatPorts                       in_use           by aggregation (per pool)
 *
 * Capacity metrics (GCP allocated_ports, Azure AllocatedSnatPorts) are refused
 * with a reason: they count ports reserved, not used.
 *
 * The stat comes from the export where it says it: the CloudWatch Label or Id
 * ("... Maximum"), the get-metric-statistics key, the Azure aggregation key,
 * the Cloud Monitoring metricKind, a Prometheus name's suffix; else the table's
 * default.  One that does not summarise the metric (observed.csv's rule: a
 * level max / mean / last, a count sum / last) is refused, saying which
 * statistic to export instead; oi_add_point checks it again.  Times are the
 * start of each interval: CloudWatch and Azure timestamps already are; a
 * Prometheus sample at t (a value at t, or an increase over the step before t)
 * covers (t - step, t]; a Cloud Monitoring DELTA point covers startTime-endTime,
 * a GAUGE point is read at endTime, the end of its interval.
 */
#define _GNU_SOURCE
#include "obs_import_impl.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ------------------------------------------------------------ the table */

typedef struct name_map {
    plat p;
    const char *native;     /* exact (case-insensitive for Azure) */
    int metric;             /* obs_metric, or -1: refused (capacity) */
    obs_stat stat;          /* default */
    const char *why;        /* for refused names */
} name_map;

static const name_map map[] = {
    {P_CW, "ActiveConnectionCount", OBS_OPEN, OBS_MAX, NULL},
    {P_CW, "ConnectionEstablishedCount", OBS_NEW_CONNECTIONS, OBS_SUM, NULL},
    {P_CW, "ConnectionAttemptCount", OBS_ATTEMPTS, OBS_SUM, NULL},
    {P_CW, "ErrorPortAllocation", OBS_ALLOC_FAILURES, OBS_SUM, NULL},
    {P_PROM, "node_nf_conntrack_entries", OBS_IN_USE, OBS_LAST, NULL},
    {P_PROM, "node_nf_conntrack_stat_drop", OBS_ALLOC_FAILURES, OBS_LAST, NULL},
    {P_PROM, "aws_natgateway_active_connection_count_maximum", OBS_OPEN, OBS_MAX, NULL},
    {P_PROM, "aws_natgateway_connection_established_count_sum", OBS_NEW_CONNECTIONS, OBS_SUM, NULL},
    {P_PROM, "aws_natgateway_connection_attempt_count_sum", OBS_ATTEMPTS, OBS_SUM, NULL},
    {P_PROM, "aws_natgateway_error_port_allocation_sum", OBS_ALLOC_FAILURES, OBS_SUM, NULL},
    {P_GCP, "open_connections", OBS_OPEN, OBS_LAST, NULL},
    {P_GCP, "new_connections_count", OBS_NEW_CONNECTIONS, OBS_SUM, NULL},
    {P_GCP, "dropped_sent_packets_count", OBS_ALLOC_FAILURES, OBS_SUM, NULL},
    {P_GCP, "port_usage", OBS_IN_USE, OBS_MAX, NULL},
    {P_GCP, "allocated_ports", -1, OBS_MAX,
     "counts the ports allocated to a VM (a capacity, not ports in use)"},
    {P_AZ, "TotalConnectionCount", OBS_OPEN, OBS_MAX, NULL},
    {P_AZ, "SNATConnectionCount", OBS_ATTEMPTS, OBS_SUM, NULL},   /* by ConnectionState */
    {P_AZ, "UsedSnatPorts", OBS_IN_USE, OBS_MAX, NULL},
    {P_AZ, "AllocatedSnatPorts", -1, OBS_MAX,
     "counts the SNAT ports allocated to a backend (a capacity, not ports in use)"},
};

static const char *const plat_name[] = {"CloudWatch", "Prometheus", "Cloud Monitoring",
                                        "Azure Monitor"};

static const name_map *lookup(plat p, const char *native)
{
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (map[i].p == p && (p == P_AZ ? strcasecmp(map[i].native, native) == 0
                                        : strcmp(map[i].native, native) == 0))
            return &map[i];
    return NULL;
}
/* ------------------------------------------------------------ context */

/* Control bytes from the export (in names, texts, jansson's messages) shown as '?'. */
static void printable(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

nc_status oi_fail(ctx *c, const char *path, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printable(msg);
    return nc_error_set(c->err, NC_EINPUT, c->file, 0, NULL, "%s: %s", path, msg);
}

const char *oi_jtype(const json_t *j)
{
    if (j == NULL)
        return "nothing";
    switch (json_typeof(j)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

/* path + ".key" or "[i]" into buf */
const char *oi_sub(char *buf, size_t len, const char *path, const char *key, long idx)
{
    if (key != NULL)
        snprintf(buf, len, "%s.%s", path, key);
    else
        snprintf(buf, len, "%s[%ld]", path, idx);
    return buf;
}

nc_status oi_want(ctx *c, const json_t *j, json_type t, const char *path)
{
    if (j == NULL)
        return oi_fail(c, path, "missing");
    if (json_typeof(j) != t) {
        const char *w = t == JSON_OBJECT ? "an object" : t == JSON_ARRAY ? "an array" : "a string";
        return oi_fail(c, path, "expected %s, got %s", w, oi_jtype(j));
    }
    return NC_OK;
}

const char *oi_keep_str(ctx *c, const char *s)
{
    obs_rows *r = c->rows;
    char **ns = realloc(r->strings, (r->nstr + 1) * sizeof *ns);
    if (ns == NULL)
        return NULL;
    r->strings = ns;
    ns[r->nstr] = strdup(s);
    if (ns[r->nstr] == NULL)
        return NULL;
    printable(ns[r->nstr]);
    return ns[r->nstr++];
}

static nc_status add_row(ctx *c, const obs_row *x)
{
    obs_rows *r = c->rows;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        obs_row *nr = realloc(r->row, cap * sizeof *nr);
        if (nr == NULL)
            return nc_error_set(c->err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        r->row = nr;
        r->cap = cap;
    }
    r->row[r->n++] = *x;
    return NC_OK;
}

/* A JSON number, or (as_string) a string holding one (Prometheus, GCP int64). */
nc_status oi_number(ctx *c, const json_t *j, int as_string, const char *path, double *out)
{
    double v;
    if (json_is_number(j)) {
        v = json_number_value(j);
    } else if (as_string && json_is_string(j)) {
        const char *s = json_string_value(j);
        char *end;
        errno = 0;
        v = strtod(s, &end);
        if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) || strpbrk(s, "xXnN") != NULL)
            return oi_fail(c, path, "expected a number, got \"%.40s\"", s);
    } else {
        return oi_fail(c, path, "expected a number, got %s", oi_jtype(j));
    }
    if (!(v >= 0) || !isfinite(v))
        return oi_fail(c, path, "expected a number >= 0, got %g", v);
    *out = v;
    return NC_OK;
}

nc_status oi_timestamp(ctx *c, const json_t *j, const char *path, int64_t *out)
{
    if (!json_is_string(j))
        return oi_fail(c, path, "expected an ISO 8601 time, got %s", oi_jtype(j));
    int off;
    if (obs_parse_iso(json_string_value(j), out, &off, 1) != 0)
        return oi_fail(c, path, "expected an ISO 8601 time with a zone (2026-11-30T12:00:00Z), got \"%.40s\"",
                    json_string_value(j));
    return NC_OK;
}

/* The metric of a native name (or --metric); refused and unknown names fail. */
nc_status oi_resolve(ctx *c, plat p, const char *native, const char *path, int *metric,
                         obs_stat *stat)
{
    const name_map *m = lookup(p, native);
    if (c->o->metric != NULL) {
        int k = -1;
        for (int i = 0; i < OBS_NMETRICS; i++)
            if (strcmp(obs_metric_names[i], c->o->metric) == 0)
                k = i;
        *metric = k;
        *stat = m != NULL && m->metric == k ? m->stat
                : !obs_metric_is_gauge((obs_metric)k) ? OBS_SUM
                : p == P_PROM ? OBS_LAST : OBS_MAX;   /* a Prometheus sample is a reading */
        return NC_OK;
    }
    if (m == NULL)
        return oi_fail(c, path, "%s metric '%.80s' is not in natcap's table; give --metric "
                    "in_use|open|new_connections|attempts|alloc_failures|requests|failed_requests",
                    plat_name[p], native);
    if (m->metric < 0)
        return oi_fail(c, path, "%s metric '%s' %s; it cannot be compared with the model "
                    "(give --metric to import it anyway)", plat_name[p], native, m->why);
    *metric = m->metric;
    *stat = m->stat;
    return NC_OK;
}

nc_status oi_refuse_stat(ctx *c, const char *path, const char *agg, int metric,
                         const char *level_ok, const char *count_ok)
{
    int gauge = obs_metric_is_gauge((obs_metric)metric);
    return oi_fail(c, path, "%s does not summarise %s like %s; export %s instead", agg,
                   gauge ? "a level" : "a count", obs_metric_names[metric], gauge ? level_ok : count_ok);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The spacing of a series: the smallest step between its sorted times (0 for one point). */
double oi_spacing(const obs_row *r, size_t n)
{
    if (n < 2)
        return 0;
    int64_t *t = malloc(n * sizeof *t);
    if (t == NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        t[i] = r[i].t;
    qsort(t, n, sizeof *t, cmp_i64);
    int64_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (t[i] > t[i - 1] && (best == 0 || t[i] - t[i - 1] < best))
            best = t[i] - t[i - 1];
    free(t);
    return (double)best;
}

/* Begin a series found at `path`: returns its index; rows added after get it
 * (and where it came from, for the duplicate check). */
uint32_t oi_begin_series(ctx *c, const char *path)
{
    char buf[700];
    snprintf(buf, sizeof buf, "%s: %s", c->file, path);
    c->where = oi_keep_str(c, buf);
    return c->rows->nseries++;
}

/* After a series' rows were added from index `from`: default its interval. */
void oi_end_series(ctx *c, size_t from, double interval_s)
{
    size_t n = c->rows->n - from;
    if (n == 0)
        return;
    obs_row *r = c->rows->row + from;
    if (interval_s <= 0)
        interval_s = oi_spacing(r, n);
    for (size_t i = 0; i < n; i++)
        if (r[i].interval_s <= 0)
            r[i].interval_s = interval_s;
}

static void fill_pool(ctx *c, obs_row *x)
{
    snprintf(x->pool, sizeof x->pool, "%s", c->o->pool ? c->o->pool : "");
}

nc_status oi_add_point(ctx *c, obs_row *x, int metric, obs_stat stat, const char *source,
                       uint32_t series)
{
    if (!obs_stat_fits((obs_metric)metric, stat)) {   /* each format refuses these first */
        const char *w = c->where != NULL ? c->where + strlen(c->file) + 2 : "$";
        return oi_fail(c, w, "stat %s does not summarise %s", obs_stat_names[stat],
                       obs_metric_names[metric]);
    }
    x->metric = (obs_metric)metric;
    x->stat = stat;
    x->source = source;
    x->series = series;
    x->where = c->where;
    fill_pool(c, x);
    return add_row(c, x);
}
/* ------------------------------------------------------------ entry points */

static void rollback(ctx *c)
{
    obs_rows *r = c->rows;
    r->n = c->n0;
    while (r->nstr > c->nstr0)
        free(r->strings[--r->nstr]);
    r->nseries = c->nseries0;
}

nc_status obs_import_buffer(const char *path, const char *data, size_t len,
                            const obs_import_opts *o, obs_rows *rows, nc_error *err)
{
    ctx c = {path, o, rows, err, rows->n, rows->nstr, rows->nseries, NULL};
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        printable(je.text);
        return nc_error_set(err, NC_EINPUT, path, je.line > 0 ? je.line : 0, NULL,
                            "column %d: not valid JSON: %s", je.column, je.text);
    }
    nc_status st;
    if (!json_is_object(root))
        st = oi_fail(&c, "$", "expected a JSON object (an export of CloudWatch, Prometheus, Cloud "
                  "Monitoring or Azure Monitor), got %s", oi_jtype(root));
    else if (json_object_get(root, "MetricDataResults") != NULL) {
        rows->format = "CloudWatch";
        st = oi_cloudwatch(&c, root);
    } else if (json_object_get(root, "Datapoints") != NULL) {
        rows->format = "CloudWatch";
        st = oi_cw_statistics(&c, root);
    } else if (json_is_string(json_object_get(root, "status"))) {
        rows->format = "Prometheus";
        st = oi_prometheus(&c, root);
    } else if (json_object_get(root, "timeSeries") != NULL) {
        rows->format = "Cloud Monitoring";
        st = oi_gcp(&c, root);
    } else if (json_is_array(json_object_get(root, "value"))) {
        rows->format = "Azure Monitor";
        st = oi_azure(&c, root);
    } else if (json_object_size(root) == 0) {
        st = oi_fail(&c, "$", "empty object: no series (an empty page of timeSeries.list?)");
    } else {
        st = oi_fail(&c, "$", "not a known export: expected MetricDataResults (aws cloudwatch "
                  "get-metric-data), data.result (Prometheus query_range), timeSeries (Cloud "
                  "Monitoring) or value[].timeseries (az monitor metrics list)");
    }
    json_decref(root);
    if (st != NC_OK)
        rollback(&c);
    return st;
}

nc_status obs_import_file(const char *path, const obs_import_opts *o, obs_rows *rows, nc_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return nc_error_set(err, NC_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        if (n == cap) {
            if (cap >= (256u << 20)) {
                free(buf);
                fclose(fp);
                return nc_error_set(err, NC_EINPUT, path, 0, NULL, "larger than 256 MiB");
            }
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0)
            break;
    }
    int bad = buf == NULL || ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return nc_error_set(err, buf == NULL ? NC_ENOMEM : NC_EIO, path, 0, NULL, "cannot read");
    }
    nc_status st = obs_import_buffer(path, buf, n, o, rows, err);
    free(buf);
    return st;
}

static int cmp_row(const void *a, const void *b)
{
    const obs_row *x = a, *y = b;
    if (x->metric != y->metric)
        return (int)x->metric - (int)y->metric;
    int c = strcmp(x->pool, y->pool);
    if (c != 0)
        return c;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->series > y->series) - (x->series < y->series);
}

nc_status obs_import_finish(obs_rows *rows, const obs_import_opts *o, nc_error *err)
{
    (void)o;
    if (rows->n == 0)
        return nc_error_set(err, NC_EINPUT, NULL, 0, NULL,
                            "no data points in the exports (empty series, or only series natcap skips)");
    qsort(rows->row, rows->n, sizeof *rows->row, cmp_row);
    for (size_t i = 1; i < rows->n; i++) {
        const obs_row *a = &rows->row[i - 1], *b = &rows->row[i];
        if (a->metric == b->metric && strcmp(a->pool, b->pool) == 0 && a->t == b->t) {
            char when[32];
            time_t tt = (time_t)b->t;
            struct tm tm;
            gmtime_r(&tt, &tm);
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
            return nc_error_set(err, NC_EINPUT, NULL, 0, NULL,
                                "%s: %s at %s %s %s; select one series in the query, or "
                                "import each with its own -g / --pool",
                                b->where ? b->where : "?", obs_metric_names[b->metric], when,
                                a->series == b->series ? "given twice in the series"
                                                       : "already given by the series at",
                                a->series == b->series ? "" : (a->where ? a->where : "?"));
        }
    }
    return NC_OK;
}

static void csv_field(FILE *fp, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL && *s != '#') {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

void obs_import_write(FILE *fp, const obs_rows *rows, const obs_import_opts *o)
{
    fprintf(fp, "# observed.csv - written by natcap import from %s export(s)\n",
            rows->format ? rows->format : "metric");
    fputs("time,gateway,metric,value,interval_s,stat,pool,source\n", fp);
    for (size_t i = 0; i < rows->n; i++) {
        const obs_row *r = &rows->row[i];
        char when[32];
        time_t tt = (time_t)r->t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        fprintf(fp, "%s,", when);
        csv_field(fp, o->gateway ? o->gateway : "");
        fprintf(fp, ",%s,%.17g,", obs_metric_names[r->metric], r->value);
        if (r->interval_s > 0)
            fprintf(fp, "%.17g", r->interval_s);
        fprintf(fp, ",%s,", obs_stat_names[r->stat]);
        csv_field(fp, r->pool);
        fputc(',', fp);
        csv_field(fp, r->source ? r->source : "");
        fputc('\n', fp);
    }
}

void obs_rows_free(obs_rows *rows)
{
    if (rows == NULL)
        return;
    free(rows->row);
    for (size_t i = 0; i < rows->nstr; i++)
        free(rows->strings[i]);
    free(rows->strings);
    memset(rows, 0, sizeof *rows);
}
