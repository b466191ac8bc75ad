/* obs_import_prometheus.c - natcap import of Prometheus query_range responses
 * (an instant vector is refused: it has no step).  See obs_import.h and
 * obs_import_impl.h. */
#include "obs_import_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

/* What a series' name says its samples are: a counter (`_total`, node_exporter's
 * cumulative node_nf_conntrack_stat_* gauges) is a count read cumulatively
 * (last); the CloudWatch exporter's `_sum` a count per step, its `_maximum` /
 * `_average` a level; any other name (or an expression) keeps the table's or
 * --metric's stat.  A name that cannot be `metric` is refused. */
static nc_status name_stat(ctx *c, const char *native, const char *path, int metric, obs_stat *stat)
{
    int gauge = obs_metric_is_gauge((obs_metric)metric);
    const char *agg = NULL;
    if (ends_with(native, "_total") || strncmp(native, "node_nf_conntrack_stat_", 23) == 0) {
        *stat = OBS_LAST;
        agg = gauge ? "a counter (cumulative)" : NULL;
    } else if (ends_with(native, "_sum")) {
        *stat = OBS_SUM;
        agg = gauge ? "a per-step _sum" : NULL;
    } else if (ends_with(native, "_maximum") || ends_with(native, "_average")) {
        *stat = ends_with(native, "_maximum") ? OBS_MAX : OBS_MEAN;
        agg = gauge ? NULL : "a per-step _maximum / _average";
    } else if (ends_with(native, "_minimum") || ends_with(native, "_sample_count")) {
        agg = "a per-step _minimum / _sample_count";
    }
    if (agg == NULL)
        return NC_OK;
    return oi_refuse_stat(c, path, agg, metric, "a gauge or the exporter's _maximum / _average",
                          "a counter (_total) or the exporter's _sum");
}

nc_status oi_prometheus(ctx *c, const json_t *root)
{
    const json_t *status = json_object_get(root, "status");
    if (json_is_string(status) && strcmp(json_string_value(status), "success") != 0)
        return oi_fail(c, "$.status", "query failed: status \"%.40s\" (%.120s)", json_string_value(status),
                    json_is_string(json_object_get(root, "error"))
                        ? json_string_value(json_object_get(root, "error")) : "no error text");
    const json_t *data = json_object_get(root, "data");
    nc_status st = oi_want(c, data, JSON_OBJECT, "$.data");
    if (st != NC_OK)
        return st;
    const json_t *rt = json_object_get(data, "resultType");
    if ((st = oi_want(c, rt, JSON_STRING, "$.data.resultType")) != NC_OK)
        return st;
    if (strcmp(json_string_value(rt), "vector") == 0)
        return oi_fail(c, "$.data.resultType", "an instant vector (/api/v1/query) has one sample "
                       "per series and no step; use query_range with step= the interval");
    if (strcmp(json_string_value(rt), "matrix") != 0)
        return oi_fail(c, "$.data.resultType", "expected \"matrix\" (a query_range result), got \"%.40s\"",
                    json_string_value(rt));
    const json_t *result = json_object_get(data, "result");
    if ((st = oi_want(c, result, JSON_ARRAY, "$.data.result")) != NC_OK)
        return st;
    for (size_t i = 0; i < json_array_size(result); i++) {
        char p[64], p1[96], p2[128];
        snprintf(p, sizeof p, "$.data.result[%zu]", i);
        const json_t *s = json_array_get(result, i);
        if ((st = oi_want(c, s, JSON_OBJECT, p)) != NC_OK)
            return st;
        const json_t *labels = json_object_get(s, "metric");
        if ((st = oi_want(c, labels, JSON_OBJECT, oi_sub(p1, sizeof p1, p, "metric", 0))) != NC_OK)
            return st;
        const json_t *name = json_object_get(labels, "__name__");
        const char *native = json_is_string(name) ? json_string_value(name) : "";
        if (*native == '\0' && c->o->metric == NULL)
            return oi_fail(c, p1, "the series has no __name__ (a rate()/increase() or other expression "
                        "result); give --metric");
        int metric;
        obs_stat stat;
        if ((st = oi_resolve(c, P_PROM, native, oi_sub(p2, sizeof p2, p1, "__name__", 0), &metric, &stat)) != NC_OK ||
            (st = name_stat(c, native, p2, metric, &stat)) != NC_OK)
            return st;
        char src[200];
        snprintf(src, sizeof src, "Prometheus %.120s", *native ? native : "query");
        const char *source = oi_keep_str(c, src);
        if (source == NULL)
            return nc_error_set(c->err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        const json_t *vals = json_object_get(s, "values");
        st = oi_want(c, vals, JSON_ARRAY, oi_sub(p1, sizeof p1, p, "values", 0));
        uint32_t series = oi_begin_series(c, p);
        size_t from = c->rows->n;
        for (size_t k = 0; st == NC_OK && k < json_array_size(vals); k++) {
            char q[160], q0[170], q1[170];
            snprintf(q, sizeof q, "%s[%zu]", p1, k);
            const json_t *pair = json_array_get(vals, k);
            if (!json_is_array(pair) || json_array_size(pair) != 2) {
                st = oi_fail(c, q, "expected a [time, \"value\"] pair");
                break;
            }
            snprintf(q0, sizeof q0, "%s[0]", q);
            snprintf(q1, sizeof q1, "%s[1]", q);
            obs_row x = {0};
            const json_t *tj = json_array_get(pair, 0);
            double t;
            if (!json_is_number(tj) || !((t = json_number_value(tj)) >= 0 && t < 1e11)) {
                st = oi_fail(c, q0, "expected a Unix time in seconds");
                break;
            }
            x.t = (int64_t)floor(t);
            if ((st = oi_number(c, json_array_get(pair, 1), 1, q1, &x.value)) != NC_OK)
                break;
            st = oi_add_point(c, &x, metric, stat, source, series);
        }
        if (st != NC_OK)
            return st;
        /* a sample at t covers the step before it */
        double step = c->rows->n > from ? oi_spacing(c->rows->row + from, c->rows->n - from) : 0;
        for (size_t k = from; k < c->rows->n && step > 0; k++)
            c->rows->row[k].t -= (int64_t)step;
        oi_end_series(c, from, step);
    }
    return NC_OK;
}
