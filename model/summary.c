/* summary.c - see summary.h.  Percentiles across replications are GSL's
 * type-7 quantiles (linear interpolation at f*(n-1) of the sorted values). */
#include "summary.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdio.h>

void nc_summarize_gateway(const nc_scen_result *r, size_t g, nc_gw_summary *out)
{
    const nc_gw_result *x = &r->gw[g];
    double reps = r->reps ? (double)r->reps : 1.0;
    out->capacity = x->capacity;
    out->peak_in_use = (double)x->peak_sum / reps;
    out->peak_in_use_max = x->peak_max;
    /* (util_peak_sum >= peak_sum from a simulation; results built by hand may leave it 0) */
    uint64_t up = x->util_peak_sum > x->peak_sum ? x->util_peak_sum : x->peak_sum;
    out->peak_utilization = x->capacity ? (double)up / reps / (double)x->capacity
                                        : x->portless_reps > 0 ? 1.0 : 0.0;
    out->exhausted_replications = x->exhausted_reps;
    out->first_exhaustion = x->first_exhaustion;
    out->exhausted_minutes = (double)x->exhausted_us_sum / 1e6 / reps / 60.0;
    out->requests = x->requests;
    out->attempts = x->attempts;
    out->alloc_failures = x->alloc_failures;
    out->failed_requests = x->failed_requests;
    out->new_connections = x->new_connections;
    out->stale_reuses = x->stale_reuses;
    out->failed_request_pct = x->requests ? 100.0 * (double)x->failed_requests / (double)x->requests : 0.0;
    out->reuse_pct = x->requests ? 100.0 * (double)x->reused / (double)x->requests : 0.0;
    out->pools_exhausted = (double)x->pools_exhausted_sum / reps;
    out->pools_alert = (double)x->pools_alert_sum / reps;
    /* the pool that bound in most replications, the lowest on ties (O(reps^2): tens) */
    uint32_t best = 0, best_n = 0;
    for (uint32_t i = 0; i < r->reps; i++) {
        uint32_t p = x->binding_by_rep[i], n = 0;
        for (uint32_t j = 0; j < r->reps; j++)
            n += x->binding_by_rep[j] == p;
        if (n > best_n || (n == best_n && p < best)) {
            best = p;
            best_n = n;
        }
    }
    out->binding_pool = best;
    out->severity = nc_severity_grade(out->peak_utilization, out->alloc_failures,
                                      out->failed_requests, out->failed_request_pct,
                                      out->exhausted_minutes);
}

nc_severity nc_severity_grade(double peak_utilization, uint64_t alloc_failures,
                              uint64_t failed_requests, double failed_request_pct,
                              double exhausted_minutes)
{
    if (alloc_failures == 0 && failed_requests == 0)
        return peak_utilization >= NC_ALERT_LEVEL ? NC_SEV_NEAR : NC_SEV_OK;
    if (failed_request_pct >= NC_SEV_OUTAGE_PCT)
        return NC_SEV_OUTAGE;
    if (failed_request_pct < NC_SEV_MINOR_PCT && exhausted_minutes < NC_SEV_MINOR_MIN)
        return NC_SEV_MINOR;
    return NC_SEV_MAJOR;
}

const char *nc_severity_name(nc_severity s)
{
    static const char *const names[] = {"ok", "near", "minor", "major", "outage"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

/* A share with the digits that tell it apart: 17 %, 2.4 %, 0.003 %. */
static void share(double pct, char *buf, size_t len)
{
    if (pct >= 10 || pct == 0)
        snprintf(buf, len, "%.0f %%", pct);
    else if (pct >= 1)
        snprintf(buf, len, "%.1f %%", pct);
    else if (pct >= 0.01)
        snprintf(buf, len, "%.2f %%", pct);
    else if (pct >= 0.0001)
        snprintf(buf, len, "%.2g %%", pct);
    else
        snprintf(buf, len, "< 0.0001 %%");
}

void nc_severity_words(const nc_gw_summary *s, char *buf, size_t len)
{
    char pct[32];
    share(s->failed_request_pct, pct, sizeof pct);
    switch (s->severity) {
    case NC_SEV_OK: snprintf(buf, len, "ok"); break;
    case NC_SEV_NEAR: snprintf(buf, len, "near capacity (no failures)"); break;
    case NC_SEV_MINOR:
        if (s->failed_requests == 0)
            snprintf(buf, len, "minor: SYNs dropped, no request failed");
        else
            snprintf(buf, len, "minor: %s of requests failed", pct);
        break;
    case NC_SEV_MAJOR: snprintf(buf, len, "MAJOR: %s of requests failed", pct); break;
    case NC_SEV_OUTAGE: snprintf(buf, len, "OUTAGE: %s of requests failed", pct); break;
    }
}

void nc_interval_stats_get(const nc_scen_result *r, size_t g, uint32_t k, double *scratch,
                           nc_interval_stats *out)
{
    const nc_gw_result *x = &r->gw[g];
    double reps = r->reps ? (double)r->reps : 1.0;
    double sum = 0;
    for (uint32_t i = 0; i < r->reps; i++) {
        scratch[i] = x->in_use_by_rep[(size_t)i * r->nsamples + k];
        sum += scratch[i];
    }
    gsl_sort(scratch, 1, r->reps);
    out->in_use_mean = sum / reps;
    out->in_use_p05 = gsl_stats_quantile_from_sorted_data(scratch, 1, r->reps, 0.05);
    out->in_use_p50 = gsl_stats_quantile_from_sorted_data(scratch, 1, r->reps, 0.50);
    out->in_use_p95 = gsl_stats_quantile_from_sorted_data(scratch, 1, r->reps, 0.95);
    out->in_use_max = x->in_use_max[k];
    out->active_mean = (double)x->active_sum[k] / reps;
    out->idle_mean = (double)x->idle_sum[k] / reps;
    out->time_wait_mean = (double)x->time_wait_sum[k] / reps;
    double used = (double)x->util_in_use_sum[k] > sum ? (double)x->util_in_use_sum[k] : sum;
    out->utilization_mean = x->capacity ? used / reps / (double)x->capacity : 0.0;
    out->attempts_mean = (double)x->attempts_sum[k] / reps;
    out->alloc_failures_mean = (double)x->alloc_failures_sum[k] / reps;
    out->failed_requests_mean = (double)x->failed_requests_sum[k] / reps;
    out->stale_reuses_mean = (double)x->stale_reuses_sum[k] / reps;
    out->requests_mean = (double)x->requests_sum[k] / reps;
    out->fail_rep_fraction = (double)x->fail_reps[k] / reps;
    out->failed_request_pct = x->requests_sum[k] ? 100.0 * (double)x->failed_requests_sum[k] /
                                                       (double)x->requests_sum[k]
                                                 : 0.0;
}

void nc_format_clock(sim_time t, char *buf, size_t len)
{
    if (t < 0)
        t = 0;
    long long s = (long long)(t / SIM_US_PER_S);
    long long day = s / 86400;
    s %= 86400;
    if (day > 0)
        snprintf(buf, len, "%lld+%02lld:%02lld:%02lld", day, s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, len, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
}
