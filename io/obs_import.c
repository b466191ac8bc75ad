/*
 * obs_import.c - native metric exports to observed.csv rows (see obs_import.h).
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
 * the Cloud Monitoring metricKind; else the table's default.  Times are the
 * start of each interval: CloudWatch and Azure timestamps already are; a
 * Prometheus sample at t (a value at t, or an increase over the step before t)
 * covers (t - step, t]; a Cloud Monitoring DELTA point covers startTime-endTime,
 * a GAUGE point is read at endTime, the end of its interval.
 */
#define _GNU_SOURCE
#include "obs_import.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ------------------------------------------------------------ the table */

typedef enum plat { P_CW, P_PROM, P_GCP, P_AZ } plat;

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

/* Control bytes from the export (in names, texts, jansson's messages) shown as '?'. */
static void printable(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

__attribute__((format(printf, 3, 4))) static nc_status fail(ctx *c, const char *path,
                                                            const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printable(msg);
    return nc_error_set(c->err, NC_EINPUT, c->file, 0, NULL, "%s: %s", path, msg);
}

static const char *jtype(const json_t *j)
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
static const char *sub(char *buf, size_t len, const char *path, const char *key, long idx)
{
    if (key != NULL)
        snprintf(buf, len, "%s.%s", path, key);
    else
        snprintf(buf, len, "%s[%ld]", path, idx);
    return buf;
}

static nc_status want(ctx *c, const json_t *j, json_type t, const char *path)
{
    if (j == NULL)
        return fail(c, path, "missing");
    if (json_typeof(j) != t) {
        const char *w = t == JSON_OBJECT ? "an object" : t == JSON_ARRAY ? "an array" : "a string";
        return fail(c, path, "expected %s, got %s", w, jtype(j));
    }
    return NC_OK;
}

static const char *keep_str(ctx *c, const char *s)
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
static nc_status number(ctx *c, const json_t *j, int as_string, const char *path, double *out)
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
            return fail(c, path, "expected a number, got \"%.40s\"", s);
    } else {
        return fail(c, path, "expected a number, got %s", jtype(j));
    }
    if (!(v >= 0) || !isfinite(v))
        return fail(c, path, "expected a number >= 0, got %g", v);
    *out = v;
    return NC_OK;
}

static nc_status timestamp(ctx *c, const json_t *j, const char *path, int64_t *out)
{
    if (!json_is_string(j))
        return fail(c, path, "expected an ISO 8601 time, got %s", jtype(j));
    int off;
    if (obs_parse_iso(json_string_value(j), out, &off, 1) != 0)
        return fail(c, path, "expected an ISO 8601 time with a zone (2026-11-30T12:00:00Z), got \"%.40s\"",
                    json_string_value(j));
    return NC_OK;
}

/* The metric of a native name (or --metric); refused and unknown names fail. */
static nc_status resolve(ctx *c, plat p, const char *native, const char *path, int *metric,
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
        return fail(c, path, "%s metric '%.80s' is not in natcap's table; give --metric "
                    "in_use|open|new_connections|attempts|alloc_failures|requests|failed_requests",
                    plat_name[p], native);
    if (m->metric < 0)
        return fail(c, path, "%s metric '%s' %s; it cannot be compared with the model "
                    "(give --metric to import it anyway)", plat_name[p], native, m->why);
    *metric = m->metric;
    *stat = m->stat;
    return NC_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The spacing of a series: the smallest step between its sorted times (0 for one point). */
static double spacing(const obs_row *r, size_t n)
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

static uint32_t begin_series(ctx *c, const char *path)
{
    char buf[700];
    snprintf(buf, sizeof buf, "%s: %s", c->file, path);
    c->where = keep_str(c, buf);
    return c->rows->nseries++;
}

/* After a series' rows were added from index `from`: default its interval. */
static void end_series(ctx *c, size_t from, double interval_s)
{
    size_t n = c->rows->n - from;
    if (n == 0)
        return;
    obs_row *r = c->rows->row + from;
    if (interval_s <= 0)
        interval_s = spacing(r, n);
    for (size_t i = 0; i < n; i++)
        if (r[i].interval_s <= 0)
            r[i].interval_s = interval_s;
}

static void fill_pool(ctx *c, obs_row *x)
{
    snprintf(x->pool, sizeof x->pool, "%s", c->o->pool ? c->o->pool : "");
}

/* Stat words in a CloudWatch Label or Id: -1 none, -2 one natcap cannot compare. */
static int stat_word(const char *s)
{
    static const struct { const char *w; int st; } words[] = {
        {"Maximum", OBS_MAX}, {"Average", OBS_MEAN}, {"Sum", OBS_SUM},
        {"Minimum", -2}, {"SampleCount", -2},
    };
    if (s == NULL)
        return -1;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcasestr(s, words[i].w) != NULL)
            return words[i].st;
    return -1;
}

/* ------------------------------------------------------------ CloudWatch */

static nc_status cw_result(ctx *c, const json_t *res, const char *path)
{
    char p1[256], p2[256];
    nc_status st = want(c, res, JSON_OBJECT, path);
    if (st != NC_OK)
        return st;
    const json_t *status = json_object_get(res, "StatusCode");
    if (status != NULL && (!json_is_string(status) || strcmp(json_string_value(status), "Complete") != 0))
        return fail(c, sub(p1, sizeof p1, path, "StatusCode", 0),
                    "StatusCode is %s%.40s%s, not Complete (partial or failed query: fetch the "
                    "remaining pages with NextToken, or narrow the time range)",
                    json_is_string(status) ? "\"" : "",
                    json_is_string(status) ? json_string_value(status) : jtype(status),
                    json_is_string(status) ? "\"" : "");
    const json_t *label = json_object_get(res, "Label"), *id = json_object_get(res, "Id");
    const char *lab = json_is_string(label) ? json_string_value(label) : NULL;
    const char *ids = json_is_string(id) ? json_string_value(id) : NULL;
    if (lab == NULL && ids == NULL)
        return fail(c, path, "neither Label nor Id names the metric");
    /* the metric name: the Label's first word (CloudWatch's default label is the metric name) */
    char native[128];
    snprintf(native, sizeof native, "%s", lab != NULL ? lab : ids);
    native[strcspn(native, " ")] = '\0';
    int metric;
    obs_stat stat;
    st = resolve(c, P_CW, native, sub(p1, sizeof p1, path, lab ? "Label" : "Id", 0), &metric, &stat);
    if (st != NC_OK)
        return st;
    int sw = stat_word(lab);
    if (sw == -1)
        sw = stat_word(ids);
    if (sw == -2)
        return fail(c, sub(p1, sizeof p1, path, lab ? "Label" : "Id", 0),
                    "statistic Minimum / SampleCount cannot be compared; query Maximum, Average or Sum");
    if (sw >= 0)
        stat = (obs_stat)sw;
    const json_t *ts = json_object_get(res, "Timestamps"), *vs = json_object_get(res, "Values");
    if ((st = want(c, ts, JSON_ARRAY, sub(p1, sizeof p1, path, "Timestamps", 0))) != NC_OK ||
        (st = want(c, vs, JSON_ARRAY, sub(p2, sizeof p2, path, "Values", 0))) != NC_OK)
        return st;
    if (json_array_size(ts) != json_array_size(vs))
        return fail(c, path, "Timestamps has %zu entries but Values has %zu", json_array_size(ts),
                    json_array_size(vs));
    char src[200];
    snprintf(src, sizeof src, "CloudWatch %s (%s)", native,
             stat == OBS_MAX ? "Maximum" : stat == OBS_MEAN ? "Average" : stat == OBS_SUM ? "Sum" : "Last");
    const char *source = keep_str(c, src);
    if (source == NULL)
        return nc_error_set(c->err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    uint32_t series = begin_series(c, path);
    size_t from = c->rows->n;
    for (size_t i = 0; i < json_array_size(ts); i++) {
        obs_row x = {0};
        char pt[256], pv[256];
        snprintf(pt, sizeof pt, "%s.Timestamps[%zu]", path, i);
        snprintf(pv, sizeof pv, "%s.Values[%zu]", path, i);
        if ((st = timestamp(c, json_array_get(ts, i), pt, &x.t)) != NC_OK ||
            (st = number(c, json_array_get(vs, i), 0, pv, &x.value)) != NC_OK)
            return st;
        x.metric = (obs_metric)metric;
        x.stat = stat;
        x.source = source;
        x.series = series;
        x.where = c->where;
        fill_pool(c, &x);
        if ((st = add_row(c, &x)) != NC_OK)
            return st;
    }
    end_series(c, from, 0);
    return NC_OK;
}

static nc_status cloudwatch(ctx *c, const json_t *root)
{
    const json_t *res = json_object_get(root, "MetricDataResults");
    nc_status st = want(c, res, JSON_ARRAY, "$.MetricDataResults");
    for (size_t i = 0; st == NC_OK && i < json_array_size(res); i++) {
        char p[64];
        snprintf(p, sizeof p, "$.MetricDataResults[%zu]", i);
        st = cw_result(c, json_array_get(res, i), p);
    }
    return st;
}

/* get-metric-statistics: {"Label": NAME, "Datapoints": [{"Timestamp", "Maximum"|...}]} */
static nc_status cw_statistics(ctx *c, const json_t *root)
{
    const json_t *label = json_object_get(root, "Label"), *dps = json_object_get(root, "Datapoints");
    nc_status st = want(c, label, JSON_STRING, "$.Label");
    if (st == NC_OK)
        st = want(c, dps, JSON_ARRAY, "$.Datapoints");
    int metric;
    obs_stat stat;
    if (st == NC_OK)
        st = resolve(c, P_CW, json_string_value(label), "$.Label", &metric, &stat);
    if (st != NC_OK)
        return st;
    static const char *const keys[] = {"Maximum", "Average", "Sum"};
    static const obs_stat kst[] = {OBS_MAX, OBS_MEAN, OBS_SUM};
    const char *key = NULL;
    obs_stat kstat = stat;
    const json_t *first = json_array_get(dps, 0);
    for (int pass = 0; pass < 2 && key == NULL && first != NULL; pass++)
        for (int k = 0; k < 3 && key == NULL; k++)
            if (json_object_get(first, keys[k]) != NULL && (pass == 1 || kst[k] == stat)) {
                key = keys[k];
                kstat = kst[k];
            }
    if (first != NULL && key == NULL)
        return fail(c, "$.Datapoints[0]", "no Maximum, Average or Sum statistic");
    char src[200];
    snprintf(src, sizeof src, "CloudWatch %.80s (%s)", json_string_value(label), key ? key : "");
    const char *source = keep_str(c, src);
    if (source == NULL)
        return nc_error_set(c->err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    uint32_t series = begin_series(c, "$.Datapoints");
    size_t from = c->rows->n;
    for (size_t i = 0; i < json_array_size(dps); i++) {
        char p[64], p1[96];
        snprintf(p, sizeof p, "$.Datapoints[%zu]", i);
        const json_t *d = json_array_get(dps, i);
        obs_row x = {0};
        if ((st = want(c, d, JSON_OBJECT, p)) != NC_OK ||
            (st = timestamp(c, json_object_get(d, "Timestamp"), sub(p1, sizeof p1, p, "Timestamp", 0),
                            &x.t)) != NC_OK)
            return st;
        const json_t *v = json_object_get(d, key);
        if (v == NULL)
            return fail(c, sub(p1, sizeof p1, p, key, 0), "missing");
        if ((st = number(c, v, 0, p1, &x.value)) != NC_OK)
            return st;
        x.metric = (obs_metric)metric;
        x.stat = kstat;
        x.source = source;
        x.series = series;
        x.where = c->where;
        fill_pool(c, &x);
        if ((st = add_row(c, &x)) != NC_OK)
            return st;
    }
    end_series(c, from, 0);
    return NC_OK;
}

/* ------------------------------------------------------------ Prometheus */

static nc_status prometheus(ctx *c, const json_t *root)
{
    const json_t *status = json_object_get(root, "status");
    if (json_is_string(status) && strcmp(json_string_value(status), "success") != 0)
        return fail(c, "$.status", "query failed: status \"%.40s\" (%.120s)", json_string_value(status),
                    json_is_string(json_object_get(root, "error"))
                        ? json_string_value(json_object_get(root, "error")) : "no error text");
    const json_t *data = json_object_get(root, "data");
    nc_status st = want(c, data, JSON_OBJECT, "$.data");
    if (st != NC_OK)
        return st;
    const json_t *rt = json_object_get(data, "resultType");
    if ((st = want(c, rt, JSON_STRING, "$.data.resultType")) != NC_OK)
        return st;
    int matrix = strcmp(json_string_value(rt), "matrix") == 0;
    if (!matrix && strcmp(json_string_value(rt), "vector") != 0)
        return fail(c, "$.data.resultType", "expected \"matrix\" (a query_range result), got \"%.40s\"",
                    json_string_value(rt));
    const json_t *result = json_object_get(data, "result");
    if ((st = want(c, result, JSON_ARRAY, "$.data.result")) != NC_OK)
        return st;
    for (size_t i = 0; i < json_array_size(result); i++) {
        char p[64], p1[96], p2[128];
        snprintf(p, sizeof p, "$.data.result[%zu]", i);
        const json_t *s = json_array_get(result, i);
        if ((st = want(c, s, JSON_OBJECT, p)) != NC_OK)
            return st;
        const json_t *labels = json_object_get(s, "metric");
        if ((st = want(c, labels, JSON_OBJECT, sub(p1, sizeof p1, p, "metric", 0))) != NC_OK)
            return st;
        const json_t *name = json_object_get(labels, "__name__");
        const char *native = json_is_string(name) ? json_string_value(name) : "";
        if (*native == '\0' && c->o->metric == NULL)
            return fail(c, p1, "the series has no __name__ (a rate()/increase() or other expression "
                        "result); give --metric");
        int metric;
        obs_stat stat;
        if ((st = resolve(c, P_PROM, native, sub(p2, sizeof p2, p1, "__name__", 0), &metric, &stat)) != NC_OK)
            return st;
        char src[200];
        snprintf(src, sizeof src, "Prometheus %.120s", *native ? native : "query");
        const char *source = keep_str(c, src);
        if (source == NULL)
            return nc_error_set(c->err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        json_t *vals = json_object_get(s, matrix ? "values" : "value");
        json_t *one = NULL;
        if (!matrix && json_is_array(vals)) {
            one = json_array();
            json_array_append(one, vals);
            vals = one;
        }
        st = want(c, vals, JSON_ARRAY, sub(p1, sizeof p1, p, matrix ? "values" : "value", 0));
        uint32_t series = begin_series(c, p);
        size_t from = c->rows->n;
        for (size_t k = 0; st == NC_OK && k < json_array_size(vals); k++) {
            char q[160], q0[170], q1[170];
            snprintf(q, sizeof q, "%s[%zu]", p1, k);
            const json_t *pair = json_array_get(vals, k);
            if (!json_is_array(pair) || json_array_size(pair) != 2) {
                st = fail(c, q, "expected a [time, \"value\"] pair");
                break;
            }
            snprintf(q0, sizeof q0, "%s[0]", q);
            snprintf(q1, sizeof q1, "%s[1]", q);
            obs_row x = {0};
            const json_t *tj = json_array_get(pair, 0);
            double t;
            if (!json_is_number(tj) || !((t = json_number_value(tj)) >= 0 && t < 1e11)) {
                st = fail(c, q0, "expected a Unix time in seconds");
                break;
            }
            x.t = (int64_t)floor(t);
            if ((st = number(c, json_array_get(pair, 1), 1, q1, &x.value)) != NC_OK)
                break;
            x.metric = (obs_metric)metric;
            x.stat = stat;
            x.source = source;
            x.series = series;
        x.where = c->where;
            fill_pool(c, &x);
            st = add_row(c, &x);
        }
        json_decref(one);
        if (st != NC_OK)
            return st;
        /* a sample at t covers the step before it */
        double step = c->rows->n > from ? spacing(c->rows->row + from, c->rows->n - from) : 0;
        for (size_t k = from; k < c->rows->n && step > 0; k++)
            c->rows->row[k].t -= (int64_t)step;
        end_series(c, from, step);
    }
    return NC_OK;
}

/* ------------------------------------------------------------ Cloud Monitoring */

static nc_status gcp(ctx *c, const json_t *root)
{
    const json_t *tsl = json_object_get(root, "timeSeries");
    nc_status st = want(c, tsl, JSON_ARRAY, "$.timeSeries");
    for (size_t i = 0; st == NC_OK && i < json_array_size(tsl); i++) {
        char p[64], p1[128], p2[160];
        snprintf(p, sizeof p, "$.timeSeries[%zu]", i);
        const json_t *s = json_array_get(tsl, i);
        if ((st = want(c, s, JSON_OBJECT, p)) != NC_OK)
            return st;
        const json_t *m = json_object_get(s, "metric");
        if ((st = want(c, m, JSON_OBJECT, sub(p1, sizeof p1, p, "metric", 0))) != NC_OK)
            return st;
        const json_t *type = json_object_get(m, "type");
        if ((st = want(c, type, JSON_STRING, sub(p2, sizeof p2, p1, "type", 0))) != NC_OK)
            return st;
        const char *full = json_string_value(type);
        const char *slash = strrchr(full, '/');
        const char *native = slash ? slash + 1 : full;
        /* only the OUT_OF_RESOURCES drops are port exhaustion */
        if (strcmp(native, "dropped_sent_packets_count") == 0 && c->o->metric == NULL) {
            const json_t *reason = json_object_get(json_object_get(m, "labels"), "reason");
            if (!json_is_string(reason) || strcmp(json_string_value(reason), "OUT_OF_RESOURCES") != 0)
                continue;
        }
        int metric;
        obs_stat stat;
        if ((st = resolve(c, P_GCP, native, p2, &metric, &stat)) != NC_OK)
            return st;
        const json_t *kind = json_object_get(s, "metricKind");
        const char *k = json_is_string(kind) ? json_string_value(kind) : "";
        int cumulative = strcmp(k, "CUMULATIVE") == 0, delta = strcmp(k, "DELTA") == 0;
        if (cumulative)
            stat = OBS_LAST;
        else if (delta)
            stat = OBS_SUM;
        char src[200];
        snprintf(src, sizeof src, "Cloud Monitoring nat/%.100s%s", native,
                 strcmp(native, "dropped_sent_packets_count") == 0 && c->o->metric == NULL
                     ? " OUT_OF_RESOURCES" : "");
        const char *source = keep_str(c, src);
        if (source == NULL)
            return nc_error_set(c->err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        const json_t *pts = json_object_get(s, "points");
        if ((st = want(c, pts, JSON_ARRAY, sub(p1, sizeof p1, p, "points", 0))) != NC_OK)
            return st;
        uint32_t series = begin_series(c, p);
        size_t from = c->rows->n;
        int gauge_points = 0;
        for (size_t j = 0; j < json_array_size(pts); j++) {
            char q[160], q1[200], q2[240];
            snprintf(q, sizeof q, "%s[%zu]", p1, j);
            const json_t *pt = json_array_get(pts, j);
            if ((st = want(c, pt, JSON_OBJECT, q)) != NC_OK)
                return st;
            const json_t *iv = json_object_get(pt, "interval");
            if ((st = want(c, iv, JSON_OBJECT, sub(q1, sizeof q1, q, "interval", 0))) != NC_OK)
                return st;
            obs_row x = {0};
            int64_t t1;
            if ((st = timestamp(c, json_object_get(iv, "endTime"), sub(q2, sizeof q2, q1, "endTime", 0),
                                &t1)) != NC_OK)
                return st;
            const json_t *sj = json_object_get(iv, "startTime");
            int64_t t0 = t1;
            if (sj != NULL &&
                (st = timestamp(c, sj, sub(q2, sizeof q2, q1, "startTime", 0), &t0)) != NC_OK)
                return st;
            if (t0 > t1)
                return fail(c, q1, "startTime is after endTime");
            if (delta && t1 > t0) {
                x.t = t0;
                x.interval_s = (double)(t1 - t0);
            } else {
                x.t = t1;   /* a gauge read at the end of its interval: shifted below */
                gauge_points = 1;
            }
            const json_t *v = json_object_get(pt, "value");
            if ((st = want(c, v, JSON_OBJECT, sub(q1, sizeof q1, q, "value", 0))) != NC_OK)
                return st;
            const json_t *iv64 = json_object_get(v, "int64Value"), *dv = json_object_get(v, "doubleValue");
            if (iv64 != NULL)
                st = number(c, iv64, 1, sub(q2, sizeof q2, q1, "int64Value", 0), &x.value);
            else if (dv != NULL)
                st = number(c, dv, 1, sub(q2, sizeof q2, q1, "doubleValue", 0), &x.value);
            else
                st = fail(c, q1, "expected int64Value or doubleValue");
            if (st != NC_OK)
                return st;
            x.metric = (obs_metric)metric;
            x.stat = stat;
            x.source = source;
            x.series = series;
        x.where = c->where;
            fill_pool(c, &x);
            if ((st = add_row(c, &x)) != NC_OK)
                return st;
        }
        if (gauge_points) {
            double step = c->rows->n > from ? spacing(c->rows->row + from, c->rows->n - from) : 0;
            for (size_t k2 = from; k2 < c->rows->n && step > 0; k2++)
                if (c->rows->row[k2].interval_s <= 0)
                    c->rows->row[k2].t -= (int64_t)step;
        }
        end_series(c, from, 0);
    }
    return st;
}

/* ------------------------------------------------------------ Azure Monitor */

/* "PT1M", "PT5M", "PT1H", "PT30S", "P1D" into seconds; 0 when not one. */
static double iso_duration(const char *s)
{
    double total = 0;
    int in_time = 0;
    if (s == NULL || *s++ != 'P')
        return 0;
    while (*s) {
        if (*s == 'T') {
            in_time = 1;
            s++;
            continue;
        }
        char *end;
        double v = strtod(s, &end);
        if (end == s)
            return 0;
        switch (*end) {
        case 'D': total += v * 86400; break;
        case 'H': total += v * 3600; break;
        case 'M': total += in_time ? v * 60 : 0; break;
        case 'S': total += v; break;
        default: return 0;
        }
        s = end + 1;
    }
    return total;
}

static nc_status azure(ctx *c, const json_t *root)
{
    const json_t *vals = json_object_get(root, "value");
    nc_status st = want(c, vals, JSON_ARRAY, "$.value");
    double grain = iso_duration(json_string_value(json_object_get(root, "interval")));
    for (size_t i = 0; st == NC_OK && i < json_array_size(vals); i++) {
        char p[64], p1[128], p2[160];
        snprintf(p, sizeof p, "$.value[%zu]", i);
        const json_t *mt = json_array_get(vals, i);
        if ((st = want(c, mt, JSON_OBJECT, p)) != NC_OK)
            return st;
        const json_t *nm = json_object_get(json_object_get(mt, "name"), "value");
        if ((st = want(c, nm, JSON_STRING, "$.value[].name.value")) != NC_OK)
            return fail(c, sub(p1, sizeof p1, p, "name.value", 0), "missing (the metric's name)");
        const char *native = json_string_value(nm);
        const json_t *tsl = json_object_get(mt, "timeseries");
        if ((st = want(c, tsl, JSON_ARRAY, sub(p1, sizeof p1, p, "timeseries", 0))) != NC_OK)
            return st;
        for (size_t j = 0; j < json_array_size(tsl); j++) {
            char q[160], q1[200];
            snprintf(q, sizeof q, "%s[%zu]", p1, j);
            const json_t *ts = json_array_get(tsl, j);
            if ((st = want(c, ts, JSON_OBJECT, q)) != NC_OK)
                return st;
            int metric;
            obs_stat stat;
            if ((st = resolve(c, P_AZ, native, sub(p2, sizeof p2, p, "name.value", 0), &metric, &stat)) != NC_OK)
                return st;
            /* SNAT connection counts are split by ConnectionState */
            const char *state = NULL;
            const json_t *md = json_object_get(ts, "metadatavalues");
            for (size_t k = 0; json_is_array(md) && k < json_array_size(md); k++) {
                const json_t *e = json_array_get(md, k);
                const json_t *dn = json_object_get(json_object_get(e, "name"), "value");
                if (json_is_string(dn) && strcasecmp(json_string_value(dn), "connectionstate") == 0 &&
                    json_is_string(json_object_get(e, "value")))
                    state = json_string_value(json_object_get(e, "value"));
            }
            if (strcasecmp(native, "SNATConnectionCount") == 0 && c->o->metric == NULL) {
                if (state == NULL)
                    return fail(c, q, "SNATConnectionCount without a ConnectionState dimension "
                                "(split it: --filter \"ConnectionState eq '*'\")");
                if (strcasecmp(state, "Attempted") == 0)
                    metric = OBS_ATTEMPTS;
                else if (strcasecmp(state, "Successful") == 0)
                    metric = OBS_NEW_CONNECTIONS;
                else if (strcasecmp(state, "Failed") == 0)
                    metric = OBS_ALLOC_FAILURES;
                else
                    continue;   /* Pending: no counterpart */
            }
            const json_t *data = json_object_get(ts, "data");
            if ((st = want(c, data, JSON_ARRAY, sub(q1, sizeof q1, q, "data", 0))) != NC_OK)
                return st;
            static const char *const keys[] = {"total", "average", "maximum"};
            static const obs_stat kst[] = {OBS_SUM, OBS_MEAN, OBS_MAX};
            const char *key = NULL;
            /* the first point with data says which aggregation was asked for */
            for (size_t k = 0; k < json_array_size(data) && key == NULL; k++) {
                const json_t *d = json_array_get(data, k);
                int best = -1;
                for (int a = 0; a < 3; a++)
                    if (json_is_number(json_object_get(d, keys[a])) &&
                        (best < 0 || kst[a] == stat ||
                         (obs_metric_is_gauge((obs_metric)metric) && kst[a] == OBS_MAX)))
                        best = a;
                if (best >= 0) {
                    key = keys[best];
                    stat = kst[best];
                }
                if (key == NULL && (json_object_get(d, "minimum") || json_object_get(d, "count")))
                    return fail(c, sub(q1, sizeof q1, q, "data", 0),
                                "aggregation minimum / count cannot be compared; ask for "
                                "--aggregation Total, Average or Maximum");
            }
            char src[200];
            snprintf(src, sizeof src, "Azure Monitor %.80s%s%.20s (%s)", native, state ? " " : "",
                     state ? state : "", key ? key : "no data");
            const char *source = keep_str(c, src);
            if (source == NULL)
                return nc_error_set(c->err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
            uint32_t series = begin_series(c, q);
            size_t from = c->rows->n;
            for (size_t k = 0; key != NULL && k < json_array_size(data); k++) {
                char r[240], r1[260];
                snprintf(r, sizeof r, "%s[%zu]", q1, k);
                const json_t *d = json_array_get(data, k);
                if ((st = want(c, d, JSON_OBJECT, r)) != NC_OK)
                    return st;
                const json_t *v = json_object_get(d, key);
                if (v == NULL || json_is_null(v))
                    continue;   /* no data in that interval */
                obs_row x = {0};
                if ((st = timestamp(c, json_object_get(d, "timeStamp"), sub(r1, sizeof r1, r, "timeStamp", 0),
                                    &x.t)) != NC_OK ||
                    (st = number(c, v, 0, sub(r1, sizeof r1, r, key, 0), &x.value)) != NC_OK)
                    return st;
                x.metric = (obs_metric)metric;
                x.stat = stat;
                x.source = source;
                x.series = series;
        x.where = c->where;
                fill_pool(c, &x);
                if ((st = add_row(c, &x)) != NC_OK)
                    return st;
            }
            end_series(c, from, grain);
        }
    }
    return st;
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
        st = fail(&c, "$", "expected a JSON object (an export of CloudWatch, Prometheus, Cloud "
                  "Monitoring or Azure Monitor), got %s", jtype(root));
    else if (json_object_get(root, "MetricDataResults") != NULL) {
        rows->format = "CloudWatch";
        st = cloudwatch(&c, root);
    } else if (json_object_get(root, "Datapoints") != NULL) {
        rows->format = "CloudWatch";
        st = cw_statistics(&c, root);
    } else if (json_is_string(json_object_get(root, "status"))) {
        rows->format = "Prometheus";
        st = prometheus(&c, root);
    } else if (json_object_get(root, "timeSeries") != NULL) {
        rows->format = "Cloud Monitoring";
        st = gcp(&c, root);
    } else if (json_is_array(json_object_get(root, "value"))) {
        rows->format = "Azure Monitor";
        st = azure(&c, root);
    } else if (json_object_size(root) == 0) {
        st = fail(&c, "$", "empty object: no series (an empty page of timeSeries.list?)");
    } else {
        st = fail(&c, "$", "not a known export: expected MetricDataResults (aws cloudwatch "
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
