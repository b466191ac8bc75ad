/* obs_import_cloudwatch.c - natcap import of CloudWatch exports: get-metric-data
 * (MetricDataResults) and get-metric-statistics (Label, Datapoints).  See
 * obs_import.h and obs_import_impl.h. */
#define _GNU_SOURCE
#include "obs_import_impl.h"

#include <stdio.h>
#include <string.h>

/* CloudWatch's statistics and what each becomes (-1: nothing natcap compares). */
static const char *const stat_words[] = {"Maximum", "Average", "Sum", "Minimum", "SampleCount"};
static const int stat_of[] = {OBS_MAX, OBS_MEAN, OBS_SUM, -1, -1};
enum { NWORDS = sizeof stat_words / sizeof *stat_words };

/* The statistic named in a CloudWatch Label or Id: its index, -1 none. */
static int stat_word(const char *s)
{
    for (int i = 0; s != NULL && i < NWORDS; i++)
        if (strcasestr(s, stat_words[i]) != NULL)
            return i;
    return -1;
}

/* A level is queried as Maximum or Average, a count as Sum. */
static nc_status refuse(ctx *c, const char *path, int word, int metric)
{
    char agg[40];
    snprintf(agg, sizeof agg, "statistic %s", stat_words[word]);
    return oi_refuse_stat(c, path, agg, metric, "the statistic Maximum or Average",
                          "the statistic Sum");
}
/* ------------------------------------------------------------ CloudWatch */

static nc_status cw_result(ctx *c, const json_t *res, const char *path)
{
    char p1[256], p2[256];
    nc_status st = oi_want(c, res, JSON_OBJECT, path);
    if (st != NC_OK)
        return st;
    const json_t *status = json_object_get(res, "StatusCode");
    if (status != NULL && (!json_is_string(status) || strcmp(json_string_value(status), "Complete") != 0))
        return oi_fail(c, oi_sub(p1, sizeof p1, path, "StatusCode", 0),
                    "StatusCode is %s%.40s%s, not Complete (partial or failed query: fetch the "
                    "remaining pages with NextToken, or narrow the time range)",
                    json_is_string(status) ? "\"" : "",
                    json_is_string(status) ? json_string_value(status) : oi_jtype(status),
                    json_is_string(status) ? "\"" : "");
    const json_t *label = json_object_get(res, "Label"), *id = json_object_get(res, "Id");
    const char *lab = json_is_string(label) ? json_string_value(label) : NULL;
    const char *ids = json_is_string(id) ? json_string_value(id) : NULL;
    if (lab == NULL && ids == NULL)
        return oi_fail(c, path, "neither Label nor Id names the metric");
    /* the metric name: the Label's first word (CloudWatch's default label is the metric name) */
    char native[128];
    snprintf(native, sizeof native, "%s", lab != NULL ? lab : ids);
    native[strcspn(native, " ")] = '\0';
    int metric;
    obs_stat stat;
    st = oi_resolve(c, P_CW, native, oi_sub(p1, sizeof p1, path, lab ? "Label" : "Id", 0), &metric, &stat);
    if (st != NC_OK)
        return st;
    int sw = stat_word(lab);
    const char *in = "Label";
    if (sw == -1) {
        sw = stat_word(ids);
        in = "Id";
    }
    if (sw >= 0 && (stat_of[sw] < 0 || !obs_stat_fits((obs_metric)metric, (obs_stat)stat_of[sw])))
        return refuse(c, oi_sub(p1, sizeof p1, path, in, 0), sw, metric);
    if (sw >= 0)
        stat = (obs_stat)stat_of[sw];
    const json_t *ts = json_object_get(res, "Timestamps"), *vs = json_object_get(res, "Values");
    if ((st = oi_want(c, ts, JSON_ARRAY, oi_sub(p1, sizeof p1, path, "Timestamps", 0))) != NC_OK ||
        (st = oi_want(c, vs, JSON_ARRAY, oi_sub(p2, sizeof p2, path, "Values", 0))) != NC_OK)
        return st;
    if (json_array_size(ts) != json_array_size(vs))
        return oi_fail(c, path, "Timestamps has %zu entries but Values has %zu",
                       json_array_size(ts), json_array_size(vs));
    char src[200];
    snprintf(src, sizeof src, "CloudWatch %s (%s)", native,
             stat == OBS_MAX ? "Maximum" : stat == OBS_MEAN ? "Average" : stat == OBS_SUM ? "Sum" : "Last");
    const char *source = oi_keep_str(c, src);
    if (source == NULL)
        return nc_error_set(c->err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    uint32_t series = oi_begin_series(c, path);
    size_t from = c->rows->n;
    for (size_t i = 0; i < json_array_size(ts); i++) {
        obs_row x = {0};
        char pt[256], pv[256];
        snprintf(pt, sizeof pt, "%s.Timestamps[%zu]", path, i);
        snprintf(pv, sizeof pv, "%s.Values[%zu]", path, i);
        if ((st = oi_timestamp(c, json_array_get(ts, i), pt, &x.t)) != NC_OK ||
            (st = oi_number(c, json_array_get(vs, i), 0, pv, &x.value)) != NC_OK)
            return st;
        if ((st = oi_add_point(c, &x, metric, stat, source, series)) != NC_OK)
            return st;
    }
    oi_end_series(c, from, 0);
    return NC_OK;
}

nc_status oi_cloudwatch(ctx *c, const json_t *root)
{
    const json_t *res = json_object_get(root, "MetricDataResults");
    nc_status st = oi_want(c, res, JSON_ARRAY, "$.MetricDataResults");
    for (size_t i = 0; st == NC_OK && i < json_array_size(res); i++) {
        char p[64];
        snprintf(p, sizeof p, "$.MetricDataResults[%zu]", i);
        st = cw_result(c, json_array_get(res, i), p);
    }
    return st;
}

/* get-metric-statistics: {"Label": NAME, "Datapoints": [{"Timestamp", "Maximum"|...}]} */
nc_status oi_cw_statistics(ctx *c, const json_t *root)
{
    const json_t *label = json_object_get(root, "Label"), *dps = json_object_get(root, "Datapoints");
    nc_status st = oi_want(c, label, JSON_STRING, "$.Label");
    if (st == NC_OK)
        st = oi_want(c, dps, JSON_ARRAY, "$.Datapoints");
    int metric;
    obs_stat stat;
    if (st == NC_OK)
        st = oi_resolve(c, P_CW, json_string_value(label), "$.Label", &metric, &stat);
    if (st != NC_OK)
        return st;
    const char *key = NULL;
    obs_stat kstat = stat;
    const json_t *first = json_array_get(dps, 0);
    int seen = -1;
    /* the statistic of the metric's default first, then any other that summarises it */
    for (int pass = 0; pass < 2 && key == NULL && first != NULL; pass++)
        for (int k = 0; k < NWORDS && key == NULL; k++) {
            if (json_object_get(first, stat_words[k]) == NULL)
                continue;
            if (seen < 0)
                seen = k;
            if (stat_of[k] >= 0 && obs_stat_fits((obs_metric)metric, (obs_stat)stat_of[k]) &&
                (pass == 1 || stat_of[k] == (int)stat)) {
                key = stat_words[k];
                kstat = (obs_stat)stat_of[k];
            }
        }
    if (first != NULL && key == NULL && seen >= 0) {
        char p[64];
        snprintf(p, sizeof p, "$.Datapoints[0].%s", stat_words[seen]);
        return refuse(c, p, seen, metric);
    }
    if (first != NULL && key == NULL)
        return oi_fail(c, "$.Datapoints[0]", "no Maximum, Average or Sum statistic");
    char src[200];
    snprintf(src, sizeof src, "CloudWatch %.80s (%s)", json_string_value(label), key ? key : "");
    const char *source = oi_keep_str(c, src);
    if (source == NULL)
        return nc_error_set(c->err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    uint32_t series = oi_begin_series(c, "$.Datapoints");
    size_t from = c->rows->n;
    for (size_t i = 0; i < json_array_size(dps); i++) {
        char p[64], p1[96];
        snprintf(p, sizeof p, "$.Datapoints[%zu]", i);
        const json_t *d = json_array_get(dps, i);
        obs_row x = {0};
        if ((st = oi_want(c, d, JSON_OBJECT, p)) != NC_OK ||
            (st = oi_timestamp(c, json_object_get(d, "Timestamp"), oi_sub(p1, sizeof p1, p, "Timestamp", 0),
                            &x.t)) != NC_OK)
            return st;
        const json_t *v = json_object_get(d, key);
        if (v == NULL)
            return oi_fail(c, oi_sub(p1, sizeof p1, p, key, 0), "missing");
        if ((st = oi_number(c, v, 0, p1, &x.value)) != NC_OK)
            return st;
        if ((st = oi_add_point(c, &x, metric, kstat, source, series)) != NC_OK)
            return st;
    }
    oi_end_series(c, from, 0);
    return NC_OK;
}
