/*
 * alert_rules.h - the rule files of `natcap alerts` in each platform's own
 * format, into OUTPUT/alerts/ (SPEC §7):
 *   prometheus.rules.yml   every linux gateway's two rules (a group each)
 *   prometheus.test.yml    their promtool unit test: one simulated
 *                          replication's series, with the alerts expected
 *                          at the times natcap computed (alert.h)
 *   cloudwatch-GW.json     a JSON array of two put-metric-alarm inputs
 *   gcp-GW.json            a Cloud Monitoring AlertPolicy, two conditions
 *   azure-GW.json          an ARM template with two
 *                          Microsoft.Insights/metricAlerts resources
 */
#ifndef NATCAP_IO_ALERT_RULES_H
#define NATCAP_IO_ALERT_RULES_H

#include "../model/alert.h"
#include "outdir.h"

/* One gateway's rules and the replication the promtool test replays. */
typedef struct alert_gw_rules {
    const char *gateway;
    nc_platform platform;
    alert_rule rule[2];              /* leading, failing */
    const nc_scen_result *test_r;    /* the replication for prometheus.test.yml */
    size_t test_g;
    uint32_t test_rep;
    uint64_t capacity;               /* of the pool, in the first scenario */
} alert_gw_rules;

nc_status alert_rules_write(outdir *od, const alert_gw_rules *gw, size_t n, nc_error *err);

/* The rule file name of a gateway ("cloudwatch-GW.json", "prometheus.rules.yml"...). */
void alert_rules_file(const alert_gw_rules *gw, char *buf, size_t len);

#endif
