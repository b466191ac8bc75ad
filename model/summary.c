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
    out->peak_utilization = x->capacity ? out->peak_in_use / (double)x->capacity : 0.0;
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
    out->utilization_mean = x->capacity ? out->in_use_mean / (double)x->capacity : 0.0;
    out->attempts_mean = (double)x->attempts_sum[k] / reps;
    out->alloc_failures_mean = (double)x->alloc_failures_sum[k] / reps;
    out->failed_requests_mean = (double)x->failed_requests_sum[k] / reps;
    out->stale_reuses_mean = (double)x->stale_reuses_sum[k] / reps;
    out->requests_mean = (double)x->requests_sum[k] / reps;
    out->fail_rep_fraction = (double)x->fail_reps[k] / reps;
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
