/*
 * summary.h - the figures of summary.csv and timeseries.csv, computed once
 * from an nc_scen_result so that the CSV writer, the stdout table, the
 * charts and the reports all show the same numbers.
 */
#ifndef NATCAP_MODEL_SUMMARY_H
#define NATCAP_MODEL_SUMMARY_H

#include "result.h"

/* Severity of a gateway's day, from its failed requests and failing
 * minutes (README "Severity"):
 *   ok      no failed allocation, peak utilisation < 80 %
 *   near    no failed allocation, peak >= 80 %
 *   minor   failed allocations; < 0.1 % of requests failed and < 60 failing min
 *   major   < 10 % of requests failed (and not minor)
 *   outage  >= 10 % of requests failed */
typedef enum nc_severity {
    NC_SEV_OK = 0,
    NC_SEV_NEAR,
    NC_SEV_MINOR,
    NC_SEV_MAJOR,
    NC_SEV_OUTAGE
} nc_severity;

#define NC_ALERT_LEVEL 0.8         /* the utilisation alert level of charts and grades */
#define NC_SEV_MINOR_PCT 0.1
#define NC_SEV_MINOR_MIN 60.0
#define NC_SEV_OUTAGE_PCT 10.0

nc_severity nc_severity_grade(double peak_utilization, uint64_t alloc_failures,
                              uint64_t failed_requests, double failed_request_pct,
                              double exhausted_minutes);
const char *nc_severity_name(nc_severity s);     /* "ok", "near", ... */

typedef struct nc_gw_summary {
    uint64_t capacity;
    double peak_in_use;            /* mean over reps of each rep's peak */
    uint32_t peak_in_use_max;
    double peak_utilization;       /* peak_in_use / capacity (0 when capacity 0) */
    uint32_t exhausted_replications;
    sim_time first_exhaustion;     /* SIM_TIME_NONE if none */
    double exhausted_minutes;      /* mean over reps */
    uint64_t requests, attempts, alloc_failures, failed_requests, new_connections, stale_reuses;
    double failed_request_pct;     /* 100 * failed / requests (0 when no requests) */
    double reuse_pct;              /* 100 * reused / requests */
    uint32_t binding_pool;         /* pool that bound in most reps (lowest on ties), within
                                      the gateway as model/topology.h numbers them */
    double pools_exhausted;        /* mean over reps of pools with a failed allocation */
    double pools_alert;            /* mean over reps of pools at >= 80 % (see result.h) */
    nc_severity severity;
} nc_gw_summary;

void nc_summarize_gateway(const nc_scen_result *r, size_t g, nc_gw_summary *out);

/* A few words a reader takes in at a glance: "ok", "near capacity",
 * "minor: 0.0030 % of requests failed", "OUTAGE: 17 % of requests failed". */
void nc_severity_words(const nc_gw_summary *s, char *buf, size_t len);

/* Per interval k of gateway g. */
typedef struct nc_interval_stats {
    double in_use_mean, in_use_p05, in_use_p50, in_use_p95;
    uint32_t in_use_max;
    double active_mean, idle_mean, time_wait_mean, utilization_mean;
    double attempts_mean, alloc_failures_mean, failed_requests_mean, stale_reuses_mean, requests_mean;
    double fail_rep_fraction;      /* share of reps with a failed allocation in k */
    double failed_request_pct;     /* 100 * failed requests / requests in k (0 without requests) */
} nc_interval_stats;

/* `scratch` must hold r->reps doubles. */
void nc_interval_stats_get(const nc_scen_result *r, size_t g, uint32_t k, double *scratch,
                           nc_interval_stats *out);

/* "HH:MM:SS", or "D+HH:MM:SS" past the first day; t in whole seconds >= 0. */
void nc_format_clock(sim_time t, char *buf, size_t len);

#endif
