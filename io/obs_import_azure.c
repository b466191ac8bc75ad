/* obs_import_azure.c - natcap import of Azure Monitor metrics (az monitor metrics
 * list, the REST body).  See obs_import.h and obs_import_impl.h. */
#include "obs_import_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

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

nc_status oi_azure(ctx *c, const json_t *root)
{
    const json_t *vals = json_object_get(root, "value");
    nc_status st = oi_want(c, vals, JSON_ARRAY, "$.value");
    double grain = iso_duration(json_string_value(json_object_get(root, "interval")));
    for (size_t i = 0; st == NC_OK && i < json_array_size(vals); i++) {
        char p[64], p1[128], p2[160];
        snprintf(p, sizeof p, "$.value[%zu]", i);
        const json_t *mt = json_array_get(vals, i);
        if ((st = oi_want(c, mt, JSON_OBJECT, p)) != NC_OK)
            return st;
        const json_t *nm = json_object_get(json_object_get(mt, "name"), "value");
        if ((st = oi_want(c, nm, JSON_STRING, "$.value[].name.value")) != NC_OK)
            return oi_fail(c, oi_sub(p1, sizeof p1, p, "name.value", 0),
                           "missing (the metric's name)");
        const char *native = json_string_value(nm);
        const json_t *tsl = json_object_get(mt, "timeseries");
        if ((st = oi_want(c, tsl, JSON_ARRAY, oi_sub(p1, sizeof p1, p, "timeseries", 0))) != NC_OK)
            return st;
        for (size_t j = 0; j < json_array_size(tsl); j++) {
            char q[160], q1[200];
            snprintf(q, sizeof q, "%s[%zu]", p1, j);
            const json_t *ts = json_array_get(tsl, j);
            if ((st = oi_want(c, ts, JSON_OBJECT, q)) != NC_OK)
                return st;
            int metric;
            obs_stat stat;
            if ((st = oi_resolve(c, P_AZ, native, oi_sub(p2, sizeof p2, p, "name.value", 0), &metric, &stat)) != NC_OK)
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
                    return oi_fail(c, q, "SNATConnectionCount without a ConnectionState dimension "
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
            if ((st = oi_want(c, data, JSON_ARRAY, oi_sub(q1, sizeof q1, q, "data", 0))) != NC_OK)
                return st;
            /* a count per interval is a Total; a level its Maximum or Average */
            static const char *const keys[] = {"total", "average", "maximum", "minimum", "count"};
            static const int kst[] = {OBS_SUM, OBS_MEAN, OBS_MAX, -1, -1};
            const char *key = NULL;
            int kst_total_level = 0;
            /* the first point with data says which aggregation was asked for */
            for (size_t k = 0; k < json_array_size(data) && key == NULL; k++) {
                const json_t *d = json_array_get(data, k);
                int best = -1, seen = -1;
                for (int a = 0; a < 5; a++)
                    if (json_is_number(json_object_get(d, keys[a]))) {
                        if (seen < 0)
                            seen = a;
                        if (kst[a] >= 0 && obs_stat_fits((obs_metric)metric, (obs_stat)kst[a]) &&
                            (best < 0 || kst[a] == (int)stat))
                            best = a;
                    }
                /* TotalConnectionCount's default aggregation is Total: at a PT1M
                 * grain, with one emission a minute, that is the minute's level */
                if (best < 0 && seen == 0 && obs_metric_is_gauge((obs_metric)metric) &&
                    strcasecmp(native, "TotalConnectionCount") == 0 && fabs(grain - 60) < 1e-9)
                {
                    best = 0;
                    kst_total_level = 1;
                }
                if (best >= 0) {
                    key = keys[best];
                    stat = kst_total_level ? OBS_MEAN : (obs_stat)kst[best];
                } else if (seen >= 0) {
                    char r[260], agg[40];
                    snprintf(r, sizeof r, "%s[%zu].%s", q1, k, keys[seen]);
                    snprintf(agg, sizeof agg, "aggregation %s", keys[seen]);
                    return oi_refuse_stat(c, r, agg, metric, "--aggregation Maximum or Average",
                                          "--aggregation Total");
                }
            }
            char src[200];
            snprintf(src, sizeof src, "Azure Monitor %.80s%s%.20s (%s)", native, state ? " " : "",
                     state ? state : "", key ? key : "no data");
            const char *source = oi_keep_str(c, src);
            if (source == NULL)
                return nc_error_set(c->err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
            uint32_t series = oi_begin_series(c, q);
            size_t from = c->rows->n;
            for (size_t k = 0; key != NULL && k < json_array_size(data); k++) {
                char r[240], r1[260];
                snprintf(r, sizeof r, "%s[%zu]", q1, k);
                const json_t *d = json_array_get(data, k);
                if ((st = oi_want(c, d, JSON_OBJECT, r)) != NC_OK)
                    return st;
                const json_t *v = json_object_get(d, key);
                if (v == NULL || json_is_null(v))
                    continue;   /* no data in that interval */
                obs_row x = {0};
                if ((st = oi_timestamp(c, json_object_get(d, "timeStamp"), oi_sub(r1, sizeof r1, r, "timeStamp", 0),
                                    &x.t)) != NC_OK ||
                    (st = oi_number(c, v, 0, oi_sub(r1, sizeof r1, r, key, 0), &x.value)) != NC_OK)
                    return st;
                if ((st = oi_add_point(c, &x, metric, stat, source, series)) != NC_OK)
                    return st;
            }
            oi_end_series(c, from, grain);
        }
    }
    return st;
}
