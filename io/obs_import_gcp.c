/* obs_import_gcp.c - natcap import of Cloud Monitoring projects.timeSeries.list
 * responses.  See obs_import.h and obs_import_impl.h. */
#include "obs_import_impl.h"

#include <stdio.h>
#include <string.h>

nc_status oi_gcp(ctx *c, const json_t *root)
{
    const json_t *tsl = json_object_get(root, "timeSeries");
    nc_status st = oi_want(c, tsl, JSON_ARRAY, "$.timeSeries");
    for (size_t i = 0; st == NC_OK && i < json_array_size(tsl); i++) {
        char p[64], p1[128], p2[160];
        snprintf(p, sizeof p, "$.timeSeries[%zu]", i);
        const json_t *s = json_array_get(tsl, i);
        if ((st = oi_want(c, s, JSON_OBJECT, p)) != NC_OK)
            return st;
        const json_t *m = json_object_get(s, "metric");
        if ((st = oi_want(c, m, JSON_OBJECT, oi_sub(p1, sizeof p1, p, "metric", 0))) != NC_OK)
            return st;
        const json_t *type = json_object_get(m, "type");
        if ((st = oi_want(c, type, JSON_STRING, oi_sub(p2, sizeof p2, p1, "type", 0))) != NC_OK)
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
        if ((st = oi_resolve(c, P_GCP, native, p2, &metric, &stat)) != NC_OK)
            return st;
        const json_t *kind = json_object_get(s, "metricKind");
        const char *k = json_is_string(kind) ? json_string_value(kind) : "";
        int cumulative = strcmp(k, "CUMULATIVE") == 0, delta = strcmp(k, "DELTA") == 0;
        /* a level is a GAUGE; a count a DELTA (summed) or CUMULATIVE (differenced) */
        int gauge = obs_metric_is_gauge((obs_metric)metric);
        if (*k != '\0' && gauge != (strcmp(k, "GAUGE") == 0)) {
            char agg[60];
            snprintf(agg, sizeof agg, "metricKind %.20s", k);
            return oi_refuse_stat(c, oi_sub(p1, sizeof p1, p, "metricKind", 0), agg, metric,
                                  "a GAUGE (no aligner)",
                                  "a DELTA (no aligner, or ALIGN_DELTA; not ALIGN_RATE)");
        }
        if (cumulative)
            stat = OBS_LAST;
        else if (delta)
            stat = OBS_SUM;
        char src[200];
        snprintf(src, sizeof src, "Cloud Monitoring nat/%.100s%s", native,
                 strcmp(native, "dropped_sent_packets_count") == 0 && c->o->metric == NULL
                     ? " OUT_OF_RESOURCES" : "");
        const char *source = oi_keep_str(c, src);
        if (source == NULL)
            return nc_error_set(c->err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        const json_t *pts = json_object_get(s, "points");
        if ((st = oi_want(c, pts, JSON_ARRAY, oi_sub(p1, sizeof p1, p, "points", 0))) != NC_OK)
            return st;
        uint32_t series = oi_begin_series(c, p);
        size_t from = c->rows->n;
        int gauge_points = 0;
        for (size_t j = 0; j < json_array_size(pts); j++) {
            char q[160], q1[200], q2[240];
            snprintf(q, sizeof q, "%s[%zu]", p1, j);
            const json_t *pt = json_array_get(pts, j);
            if ((st = oi_want(c, pt, JSON_OBJECT, q)) != NC_OK)
                return st;
            const json_t *iv = json_object_get(pt, "interval");
            st = oi_want(c, iv, JSON_OBJECT, oi_sub(q1, sizeof q1, q, "interval", 0));
            if (st != NC_OK)
                return st;
            obs_row x = {0};
            int64_t t1;
            if ((st = oi_timestamp(c, json_object_get(iv, "endTime"), oi_sub(q2, sizeof q2, q1, "endTime", 0),
                                &t1)) != NC_OK)
                return st;
            const json_t *sj = json_object_get(iv, "startTime");
            int64_t t0 = t1;
            if (sj != NULL &&
                (st = oi_timestamp(c, sj, oi_sub(q2, sizeof q2, q1, "startTime", 0), &t0)) != NC_OK)
                return st;
            if (t0 > t1)
                return oi_fail(c, q1, "startTime is after endTime");
            if (delta && t1 > t0) {
                x.t = t0;
                x.interval_s = (double)(t1 - t0);
            } else {
                x.t = t1;   /* a gauge read at the end of its interval: shifted below */
                gauge_points = 1;
            }
            const json_t *v = json_object_get(pt, "value");
            if ((st = oi_want(c, v, JSON_OBJECT, oi_sub(q1, sizeof q1, q, "value", 0))) != NC_OK)
                return st;
            const json_t *iv64 = json_object_get(v, "int64Value"), *dv = json_object_get(v, "doubleValue");
            if (iv64 != NULL)
                st = oi_number(c, iv64, 1, oi_sub(q2, sizeof q2, q1, "int64Value", 0), &x.value);
            else if (dv != NULL)
                st = oi_number(c, dv, 1, oi_sub(q2, sizeof q2, q1, "doubleValue", 0), &x.value);
            else
                st = oi_fail(c, q1, "expected int64Value or doubleValue");
            if (st != NC_OK)
                return st;
            if ((st = oi_add_point(c, &x, metric, stat, source, series)) != NC_OK)
                return st;
        }
        if (gauge_points) {
            double step = c->rows->n > from ? oi_spacing(c->rows->row + from, c->rows->n - from)
                                            : 0;
            for (size_t k2 = from; k2 < c->rows->n && step > 0; k2++)
                if (c->rows->row[k2].interval_s <= 0)
                    c->rows->row[k2].t -= (int64_t)step;
        }
        oi_end_series(c, from, 0);
    }
    return st;
}
