/*
 * alert.h - alert rules derived from the model and evaluated on it
 * (`natcap alerts`, SPEC §7).  Pure: no I/O.
 *
 * A rule reads one platform metric, one datapoint per sample interval
 * (stamped at the end of the interval, like a 60 s CloudWatch period or a
 * Prometheus scrape), and fires when at least m of the last n datapoints
 * breach the threshold (Prometheus `for:` of (n-1) intervals is m = n;
 * CloudWatch DatapointsToAlarm m of EvaluationPeriods n; a Cloud Monitoring
 * duration of (n-1) periods is m = n; an Azure window of n minutes with a
 * single aggregate is m = 1), delay_s after that datapoint (Cloud NAT's
 * metrics appear minutes late).  Breach: value >= threshold (leading
 * rules), value > threshold (failing rules: "> 0").
 *
 * Each platform metric is computed from its simulated counterpart:
 *   ALERT_IN_USE       mappings in use at the end of the interval (a gauge
 *                      read at one instant: conntrack entries, UsedSnatPorts)
 *   ALERT_IN_USE_MAX   the highest mappings in use inside the interval
 *                      (Cloud NAT port_usage aligned with ALIGN_MAX)
 *   ALERT_OPEN         open connections, active + idle, no TIME_WAIT, at the
 *                      end of the interval (ActiveConnectionCount Maximum,
 *                      TotalConnectionCount: a lower bound of a Maximum)
 *   ALERT_FAILURES     SYNs that got no mapping in the interval
 *   ALERT_NEW          connections that got a mapping in the interval
 *   ALERT_ATTEMPTS     SYNs that asked for a mapping in the interval
 * all of the gateway's fullest pool.
 *
 * When the ports are held mostly after close (TIME_WAIT), an open-connection
 * count does not rise with them: if open connections were below a quarter
 * of the mappings in use when those first reached the alert level, the
 * leading rule of aws / azure reads the new-connection rate instead
 * (ConnectionEstablishedCount; SNATConnectionCount Attempted), which fills
 * the ports at rate x hold time (Little's law).
 */
#ifndef NATCAP_MODEL_ALERT_H
#define NATCAP_MODEL_ALERT_H

#include "platform.h"
#include "result.h"

#include <stddef.h>

typedef enum alert_series {
    ALERT_IN_USE,
    ALERT_IN_USE_MAX,
    ALERT_OPEN,
    ALERT_FAILURES,
    ALERT_NEW,                  /* connections that got a mapping in the interval */
    ALERT_ATTEMPTS              /* SYNs that asked for one */
} alert_series;

typedef struct alert_rule {
    nc_platform platform;
    int failing;                /* 0: the leading rule, 1: the failing rule */
    const char *name;           /* "leading" | "failing" */
    const char *metric;         /* the platform's own metric name */
    const char *statistic;      /* how the platform aggregates a datapoint */
    alert_series series;
    const char *dim_name, *dim_value;   /* a dimension / label filter, or NULL */
    int strict;                 /* 1: breach when > threshold, 0: when >= */
    double threshold;           /* in the metric's own units */
    double period_s;            /* datapoint period (the scenario's sample_s) */
    unsigned m, n;              /* fires when >= m of the last n datapoints breach */
    double delay_s;             /* the metric's publication delay */
    char how[1024];             /* how the threshold was derived (rule description) */
} alert_rule;

/* The platform's two rules, threshold not yet set. */
void alert_rule_init(alert_rule *r, nc_platform p, int failing, double period_s);

/* The gateway's series value of datapoint k of replication rep (needs the
 * result's by_rep series for everything but ALERT_IN_USE). */
double alert_value(const nc_scen_result *r, size_t g, alert_series s, uint32_t rep, uint32_t k);

/* When the rule first fires on the datapoints x[0..n) (datapoint k stamped
 * min((k+1) x period_s, end_s)), in seconds from the start, delay included;
 * INFINITY when it never fires.  Also for observed series. */
double alert_fire_on(const alert_rule *r, const double *x, size_t n, double end_s);

/* The same on replication rep of gateway g of r. */
double alert_fire_time(const alert_rule *rule, const nc_scen_result *r, size_t g, uint32_t rep);

/* One gateway's results: rs[i] and gw[i] (the gateway's index in rs[i]'s
 * scenario, or (size_t)-1 when absent), i < n. */
typedef struct alert_gw_batch {
    const nc_scen_result *const *rs;
    const size_t *gw;
    size_t n;
} alert_gw_batch;

/* Set a leading rule's threshold: the metric's value when mappings in use
 * first reach alert_at x capacity, lowest over the replications of the
 * first scenario with the gateway (else of any scenario), lowered so that
 * the rule fires >= lead_minutes before the first failure of every failing
 * replication of every scenario that can be led (failures within the first
 * minutes cannot).  Failing rules get 0.  Writes the derivation to r->how. */
void alert_derive(alert_rule *r, const alert_gw_batch *b, double alert_at, double lead_minutes);

/* The rule on every replication of one scenario's gateway. */
typedef struct alert_figures {
    uint32_t replications;
    uint32_t failing;           /* replications with >= 1 failed allocation */
    uint32_t detected;          /* failing replications in which the rule fired */
    uint32_t false_alarms;      /* replications without failures in which it fired */
    double lead_p05, lead_median;   /* minutes, over detected replications; NAN if none */
    double median_fired_s;      /* median first firing over replications that fired; NAN */
} alert_figures;

void alert_evaluate(const alert_rule *rule, const nc_scen_result *r, size_t g, alert_figures *out);

/* The 5th percentile and median of x[0..n) (sorted in place) as
 * alerts.csv reports them: linear interpolation between order statistics
 * (GSL's gsl_stats_quantile_from_sorted_data). */
void alert_quantiles(double *x, size_t n, double *p05, double *median);

#endif
