/* alert_rules.c - see alert_rules.h.  Formats and metric semantics are
 * cited in README.md ("Alert rules"). */
#include "alert_rules.h"

#include "json_out.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void safe_name(const char *s, char *buf, size_t len)
{
    size_t i = 0;
    for (; s[i] != '\0' && i + 1 < len; i++) {
        char c = s[i];
        int okc = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        buf[i] = okc && !(i == 0 && c == '.') ? c : '_';
    }
    buf[i] = '\0';
}

void alert_rules_file(const alert_gw_rules *gw, char *buf, size_t len)
{
    char name[NC_NAME_MAX + 1];
    safe_name(gw->gateway, name, sizeof name);
    switch (gw->platform) {
    case NC_PLATFORM_LINUX: snprintf(buf, len, "prometheus.rules.yml"); break;
    case NC_PLATFORM_AWS: snprintf(buf, len, "cloudwatch-%s.json", name); break;
    case NC_PLATFORM_GCP: snprintf(buf, len, "gcp-%s.json", name); break;
    default: snprintf(buf, len, "azure-%s.json", name); break;
    }
}

/* A YAML double-quoted scalar: a JSON string is one. */
static void yq(FILE *fp, const char *s)
{
    json_t *j = json_string(s);
    char *d = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    fputs(d ? d : "\"\"", fp);
    free(d);
    json_decref(j);
}

/* A Prometheus duration: whole seconds, else milliseconds. */
static void prom_duration(double s, char *buf, size_t len)
{
    if (fabs(s - round(s)) < 1e-9)
        snprintf(buf, len, "%.0fs", s);
    else
        snprintf(buf, len, "%.0fms", s * 1000);
}

static const char *summary_of(const alert_rule *r)
{
    return r->failing ? "NAT gateway is failing to allocate source ports"
                      : "NAT gateway source ports are running out";
}

/* The rule's PromQL for the gateway (selector instance="GW"). */
static void prom_expr(const alert_rule *r, const char *gw, char *buf, size_t len)
{
    json_t *j = json_string(gw);
    char *q = json_dumps(j, JSON_ENCODE_ANY);   /* "GW" with quotes escaped */
    char win[32];
    prom_duration(2 * r->period_s, win, sizeof win);
    if (r->failing)
        snprintf(buf, len,
                 "increase(node_nf_conntrack_stat_drop{instance=%s}[%s]) > 0 or "
                 "increase(node_nf_conntrack_stat_insert_failed{instance=%s}[%s]) > 0",
                 q ? q : "\"\"", win, q ? q : "\"\"", win);
    else
        snprintf(buf, len, "node_nf_conntrack_entries{instance=%s} >= %.0f", q ? q : "\"\"",
                 r->threshold);
    free(q);
    json_decref(j);
}

static const char *prom_alertname(const alert_rule *r)
{
    return r->failing ? "NatPortAllocationFailing" : "NatPortsNearExhaustion";
}

static nc_status write_prom_rules(outdir *od, const alert_gw_rules *gw, size_t n, nc_error *err)
{
    FILE *fp;
    nc_status st = outdir_begin(od, "alerts/prometheus.rules.yml", &fp, err);
    if (st != NC_OK)
        return st;
    fputs("# Written by natcap alerts: check with `promtool check rules prometheus.rules.yml`,\n"
          "# test with `promtool test rules prometheus.test.yml`.  The selector\n"
          "# instance=\"GATEWAY\" assumes node_exporter's instance label is the gateway's name:\n"
          "# change it to your NAT host's target.\n"
          "groups:\n", fp);
    for (size_t i = 0; i < n; i++) {
        if (gw[i].platform != NC_PLATFORM_LINUX)
            continue;
        fputs("  - name: ", fp);
        char gname[NC_NAME_MAX + 16];
        snprintf(gname, sizeof gname, "natcap-%s", gw[i].gateway);
        yq(fp, gname);
        fputs("\n    rules:\n", fp);
        for (int k = 0; k < 2; k++) {
            const alert_rule *r = &gw[i].rule[k];
            char expr[1024], dur[32];
            prom_expr(r, gw[i].gateway, expr, sizeof expr);
            prom_duration((double)(r->n - 1) * r->period_s, dur, sizeof dur);
            fprintf(fp, "      - alert: %s\n        expr: ", prom_alertname(r));
            yq(fp, expr);
            fprintf(fp, "\n        for: %s\n        labels:\n          severity: %s\n"
                        "          gateway: ", dur, r->failing ? "page" : "warning");
            yq(fp, gw[i].gateway);
            fputs("\n        annotations:\n          summary: ", fp);
            yq(fp, summary_of(r));
            fputs("\n          description: ", fp);
            yq(fp, r->how);
            fputc('\n', fp);
        }
    }
    return outdir_end(od, fp, err);
}

/* One series of the promtool test: index 0 (t = 0) missing, index k+1 the
 * datapoint of interval k; counters cumulate. */
static void prom_series(FILE *fp, const alert_gw_rules *g, alert_series s, int cumulate)
{
    const nc_scen_result *r = g->test_r;
    fputs(cumulate ? "'0" : "'_", fp);
    double sum = 0;
    for (uint32_t k = 0; k < r->nsamples; k++) {
        double v = alert_value(r, g->test_g, s, g->test_rep, k);
        sum += v;
        fprintf(fp, " %.0f", cumulate ? sum : v);
    }
    fputs("'", fp);
}

static void exp_alert(FILE *fp, const alert_gw_rules *g, const alert_rule *r, double t, int firing)
{
    char at[32];
    prom_duration(t, at, sizeof at);
    fprintf(fp, "      - eval_time: %s\n        alertname: %s\n        exp_alerts:", at,
            prom_alertname(r));
    if (!firing) {
        fputs(" []\n", fp);
        return;
    }
    fputs("\n          - exp_labels:\n              severity: ", fp);
    fputs(r->failing ? "page" : "warning", fp);
    fputs("\n              gateway: ", fp);
    yq(fp, g->gateway);
    fputs("\n              instance: ", fp);
    yq(fp, g->gateway);
    fputs("\n            exp_annotations:\n              summary: ", fp);
    yq(fp, summary_of(r));
    fputs("\n              description: ", fp);
    yq(fp, r->how);
    fputc('\n', fp);
}

static nc_status write_prom_test(outdir *od, const alert_gw_rules *gw, size_t n, nc_error *err)
{
    FILE *fp;
    nc_status st = outdir_begin(od, "alerts/prometheus.test.yml", &fp, err);
    if (st != NC_OK)
        return st;
    double period = 60;
    for (size_t i = 0; i < n; i++)
        if (gw[i].platform == NC_PLATFORM_LINUX)
            period = gw[i].rule[0].period_s;
    char dur[32];
    prom_duration(period, dur, sizeof dur);
    fprintf(fp, "# Written by natcap alerts: `promtool test rules prometheus.test.yml`.\n"
                "# Each test replays one simulated replication of a gateway and expects the\n"
                "# alerts at the times natcap computed for it (alerts.csv, report.md).\n"
                "rule_files:\n  - prometheus.rules.yml\nevaluation_interval: %s\ntests:\n", dur);
    for (size_t i = 0; i < n; i++) {
        const alert_gw_rules *g = &gw[i];
        if (g->platform != NC_PLATFORM_LINUX)
            continue;
        prom_duration(g->rule[0].period_s, dur, sizeof dur);
        fprintf(fp, "  # gateway %s: scenario %s, replication %u\n", g->gateway, g->test_r->sc->name,
                g->test_rep + 1);
        fprintf(fp, "  - interval: %s\n    input_series:\n", dur);
        char sel[NC_NAME_MAX + 64];
        json_t *j = json_string(g->gateway);
        char *q = json_dumps(j, JSON_ENCODE_ANY);
        static const char *const names[3] = {"node_nf_conntrack_entries", "node_nf_conntrack_stat_drop",
                                             "node_nf_conntrack_stat_insert_failed"};
        for (int s = 0; s < 3; s++) {
            snprintf(sel, sizeof sel, "%s{instance=%s}", names[s], q ? q : "\"\"");
            fputs("      - series: ", fp);
            yq(fp, sel);
            fputs("\n        values: ", fp);
            if (s == 1) {   /* a full table (drop) is not modelled: stays 0 */
                fprintf(fp, "'0+0x%u'", g->test_r->nsamples);
            } else {
                prom_series(fp, g, s == 0 ? ALERT_IN_USE : ALERT_FAILURES, s == 2);
            }
            fputc('\n', fp);
        }
        free(q);
        json_decref(j);
        fputs("    alert_rule_test:\n", fp);
        double end = sim_to_s(g->test_r->duration_us);
        for (int k = 0; k < 2; k++) {
            const alert_rule *r = &g->rule[k];
            double t = alert_fire_time(r, g->test_r, g->test_g, g->test_rep);
            if (isfinite(t)) {
                if (t - r->period_s >= 0)
                    exp_alert(fp, g, r, t - r->period_s, 0);
                exp_alert(fp, g, r, t, 1);
            } else {
                exp_alert(fp, g, r, floor(end / r->period_s) * r->period_s, 0);
            }
        }
    }
    return outdir_end(od, fp, err);
}

/* ---- CloudWatch ---------------------------------------------------------------------- */

static json_int_t cw_period(double s)
{
    if (s <= 10)
        return 10;
    if (s <= 30)
        return 30;
    return (json_int_t)(60 * ceil(s / 60 - 1e-9));
}

static json_t *cw_alarm(const alert_gw_rules *g, const alert_rule *r)
{
    char name[NC_NAME_MAX + 64], desc[2048];
    snprintf(name, sizeof name, "natcap-%s-%s", g->gateway, r->name);
    snprintf(desc, sizeof desc, "%s. %s", summary_of(r), r->how);
    if (strlen(desc) > 1024)   /* AlarmDescription: at most 1024 characters (ASCII here) */
        memcpy(desc + 1021, "...", 4);
    json_t *a = json_object();
    json_object_set_new(a, "AlarmName", json_string(name));
    json_object_set_new(a, "AlarmDescription", json_string(desc));
    json_object_set_new(a, "ActionsEnabled", json_true());
    json_object_set_new(a, "AlarmActions", json_array());
    json_object_set_new(a, "Namespace", json_string("AWS/NATGateway"));
    json_object_set_new(a, "MetricName", json_string(r->metric));
    json_t *dim = json_object();
    json_object_set_new(dim, "Name", json_string("NatGatewayId"));
    json_object_set_new(dim, "Value", json_string(g->gateway));
    json_t *dims = json_array();
    json_array_append_new(dims, dim);
    json_object_set_new(a, "Dimensions", dims);
    json_object_set_new(a, "Statistic", json_string(r->statistic));
    json_object_set_new(a, "Period", json_integer(cw_period(r->period_s)));
    json_object_set_new(a, "EvaluationPeriods", json_integer(r->n));
    json_object_set_new(a, "DatapointsToAlarm", json_integer(r->m));
    json_object_set_new(a, "Threshold", json_real(r->threshold));
    json_object_set_new(a, "ComparisonOperator",
                        json_string(r->strict ? "GreaterThanThreshold"
                                              : "GreaterThanOrEqualToThreshold"));
    json_object_set_new(a, "TreatMissingData", json_string("notBreaching"));
    json_object_set_new(a, "Unit", json_string("Count"));
    return a;
}

/* ---- Cloud Monitoring ---------------------------------------------------------------- */

static json_t *gcp_condition(const alert_gw_rules *g, const alert_rule *r)
{
    char filter[512], dur[32], per[32], name[NC_NAME_MAX + 64];
    if (r->dim_name != NULL)
        snprintf(filter, sizeof filter,
                 "metric.type=\"%s\" AND resource.type=\"gce_instance\" AND "
                 "metric.labels.%s=\"%s\"", r->metric, r->dim_name, r->dim_value);
    else
        snprintf(filter, sizeof filter, "metric.type=\"%s\" AND resource.type=\"gce_instance\"",
                 r->metric);
    snprintf(per, sizeof per, "%.0fs", r->period_s < 60 ? 60 : r->period_s);
    snprintf(dur, sizeof dur, "%.0fs", (double)(r->n - 1) * (r->period_s < 60 ? 60 : r->period_s));
    snprintf(name, sizeof name, "natcap %s %s: %s", g->gateway, r->name, summary_of(r));
    json_t *agg = json_object();
    json_object_set_new(agg, "alignmentPeriod", json_string(per));
    json_object_set_new(agg, "perSeriesAligner", json_string(r->statistic));
    json_t *aggs = json_array();
    json_array_append_new(aggs, agg);
    json_t *trig = json_object();
    json_object_set_new(trig, "count", json_integer(1));
    json_t *ct = json_object();
    json_object_set_new(ct, "filter", json_string(filter));
    json_object_set_new(ct, "aggregations", aggs);
    json_object_set_new(ct, "comparison", json_string(r->strict ? "COMPARISON_GT" : "COMPARISON_GE"));
    json_object_set_new(ct, "thresholdValue", json_real(r->threshold));
    json_object_set_new(ct, "duration", json_string(dur));
    json_object_set_new(ct, "trigger", trig);
    json_t *c = json_object();
    json_object_set_new(c, "displayName", json_string(name));
    json_object_set_new(c, "conditionThreshold", ct);
    return c;
}

static json_t *gcp_policy(const alert_gw_rules *g)
{
    char name[NC_NAME_MAX + 64], doc[3000];
    snprintf(name, sizeof name, "natcap %s: Cloud NAT source ports", g->gateway);
    snprintf(doc, sizeof doc,
             "Written by natcap alerts for gateway %s.\n\nLeading: %s\n\nFailing: %s\n\n"
             "Cloud NAT's VM metrics appear up to 165 s late; natcap's evaluation adds %.0f s.",
             g->gateway, g->rule[0].how, g->rule[1].how, g->rule[0].delay_s);
    json_t *d = json_object();
    json_object_set_new(d, "content", json_string(doc));
    json_object_set_new(d, "mimeType", json_string("text/markdown"));
    json_t *conds = json_array();
    for (int k = 0; k < 2; k++)
        json_array_append_new(conds, gcp_condition(g, &g->rule[k]));
    json_t *p = json_object();
    json_object_set_new(p, "displayName", json_string(name));
    json_object_set_new(p, "documentation", d);
    json_object_set_new(p, "combiner", json_string("OR"));
    json_object_set_new(p, "conditions", conds);
    json_object_set_new(p, "enabled", json_true());
    json_object_set_new(p, "severity", json_string("ERROR"));
    return p;
}

/* ---- Azure Monitor ---------------------------------------------------------------------- */

static const char *iso_minutes(double s)
{
    static const struct { double s; const char *iso; } set[] = {
        {60, "PT1M"}, {300, "PT5M"}, {900, "PT15M"}, {1800, "PT30M"}, {3600, "PT1H"},
        {21600, "PT6H"}, {43200, "PT12H"}, {86400, "P1D"}};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        if (s <= set[i].s + 1e-9)
            return set[i].iso;
    return "P1D";
}

static json_t *az_alert(const alert_gw_rules *g, const alert_rule *r)
{
    int lb = g->platform == NC_PLATFORM_AZURE_LB;
    char name[NC_NAME_MAX + 64], desc[2049];
    snprintf(name, sizeof name, "natcap-%s-%s", g->gateway, r->name);
    snprintf(desc, sizeof desc, "%s. %s%s", summary_of(r), r->how,
             lb && !r->failing ? " Static threshold in ports per backend instance: "
                                 "AllocatedSnatPorts is the ports_per_instance of the gateway." : "");
    json_t *crit = json_object();
    json_object_set_new(crit, "criterionType", json_string("StaticThresholdCriterion"));
    json_object_set_new(crit, "name", json_string(r->name));
    json_object_set_new(crit, "metricName", json_string(r->metric));
    json_object_set_new(crit, "metricNamespace",
                        json_string(lb ? "Microsoft.Network/loadBalancers" : "Microsoft.Network/natGateways"));
    json_object_set_new(crit, "operator", json_string(r->strict ? "GreaterThan" : "GreaterThanOrEqual"));
    json_object_set_new(crit, "threshold", json_real(r->threshold));
    json_object_set_new(crit, "timeAggregation", json_string(r->statistic));
    json_t *dims = json_array();
    if (r->dim_name != NULL) {
        json_t *d = json_object(), *vals = json_array();
        json_object_set_new(d, "name", json_string(r->dim_name));
        json_object_set_new(d, "operator", json_string("Include"));
        json_array_append_new(vals, json_string(r->dim_value));
        json_object_set_new(d, "values", vals);
        json_array_append_new(dims, d);
    }
    json_object_set_new(crit, "dimensions", dims);
    json_t *allof = json_array();
    json_array_append_new(allof, crit);
    json_t *criteria = json_object();
    json_object_set_new(criteria, "odata.type",
                        json_string("Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria"));
    json_object_set_new(criteria, "allOf", allof);
    json_t *scopes = json_array();
    json_array_append_new(scopes, json_string("[parameters('resourceId')]"));
    json_t *action = json_object();
    json_object_set_new(action, "actionGroupId", json_string("[parameters('actionGroupId')]"));
    json_t *actions = json_array();
    json_array_append_new(actions, action);
    json_t *pr = json_object();
    json_object_set_new(pr, "description", json_string(desc));
    json_object_set_new(pr, "severity", json_integer(r->failing ? 1 : 2));
    json_object_set_new(pr, "enabled", json_true());
    json_object_set_new(pr, "scopes", scopes);
    json_object_set_new(pr, "evaluationFrequency", json_string(iso_minutes(r->period_s)));
    json_object_set_new(pr, "windowSize", json_string(iso_minutes((double)r->n * r->period_s)));
    json_object_set_new(pr, "criteria", criteria);
    json_object_set_new(pr, "autoMitigate", json_true());
    json_object_set_new(pr, "actions", actions);
    json_t *res = json_object();
    json_object_set_new(res, "type", json_string("Microsoft.Insights/metricAlerts"));
    json_object_set_new(res, "apiVersion", json_string("2018-03-01"));
    json_object_set_new(res, "name", json_string(name));
    json_object_set_new(res, "location", json_string("global"));
    json_object_set_new(res, "properties", pr);
    return res;
}

static json_t *az_template(const alert_gw_rules *g)
{
    int lb = g->platform == NC_PLATFORM_AZURE_LB;
    json_t *t = json_object(), *params = json_object(), *p1 = json_object(), *p2 = json_object();
    json_object_set_new(t, "$schema",
                        json_string("https://schema.management.azure.com/schemas/2019-04-01/"
                                    "deploymentTemplate.json#"));
    json_object_set_new(t, "contentVersion", json_string("1.0.0.0"));
    json_object_set_new(p1, "type", json_string("string"));
    json_t *m1 = json_object();
    json_object_set_new(m1, "description",
                        json_string(lb ? "Resource ID of the load balancer (Microsoft.Network/loadBalancers)"
                                       : "Resource ID of the NAT gateway (Microsoft.Network/natGateways)"));
    json_object_set_new(p1, "metadata", m1);
    json_object_set_new(p2, "type", json_string("string"));
    json_t *m2 = json_object();
    json_object_set_new(m2, "description", json_string("Resource ID of the action group to notify"));
    json_object_set_new(p2, "metadata", m2);
    json_object_set_new(params, "resourceId", p1);
    json_object_set_new(params, "actionGroupId", p2);
    json_object_set_new(t, "parameters", params);
    json_t *res = json_array();
    for (int k = 0; k < 2; k++)
        json_array_append_new(res, az_alert(g, &g->rule[k]));
    json_object_set_new(t, "resources", res);
    return t;
}

nc_status alert_rules_write(outdir *od, const alert_gw_rules *gw, size_t n, nc_error *err)
{
    nc_status st = NC_OK;
    int linux_gws = 0;
    for (size_t i = 0; i < n && st == NC_OK; i++) {
        const alert_gw_rules *g = &gw[i];
        char file[NC_NAME_MAX + 32], rel[NC_NAME_MAX + 48];
        alert_rules_file(g, file, sizeof file);
        snprintf(rel, sizeof rel, "alerts/%s", file);
        json_t *doc = NULL;
        switch (g->platform) {
        case NC_PLATFORM_LINUX: linux_gws++; continue;
        case NC_PLATFORM_AWS:
            doc = json_array();
            json_array_append_new(doc, cw_alarm(g, &g->rule[0]));
            json_array_append_new(doc, cw_alarm(g, &g->rule[1]));
            break;
        case NC_PLATFORM_GCP: doc = gcp_policy(g); break;
        default: doc = az_template(g); break;
        }
        if (doc == NULL)
            return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        st = json_out_write(od, rel, doc, err);
        json_decref(doc);
    }
    if (st == NC_OK && linux_gws > 0)
        st = write_prom_rules(od, gw, n, err);
    if (st == NC_OK && linux_gws > 0)
        st = write_prom_test(od, gw, n, err);
    return st;
}
