/* alert.c - see alert.h.  The metric names and semantics are cited in
 * README.md ("Alert rules"). */
#include "alert.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One row per platform and kind: metric, statistic, series, m, n, delay. */
typedef struct rule_def {
    const char *metric, *statistic;
    alert_series series;
    unsigned m, n;
    double delay_s;
} rule_def;

/* Cloud NAT VM metrics are visible up to 165 s late: the next whole minute. */
#define GCP_DELAY_S 180.0

static const rule_def defs[NC_PLATFORM_COUNT][2] = {
    [NC_PLATFORM_LINUX] = {{"node_nf_conntrack_entries", "gauge, scraped every period", ALERT_IN_USE, 2, 2, 0},
                           {"node_nf_conntrack_stat_drop+insert_failed", "increase() of the counters",
                            ALERT_FAILURES, 1, 1, 0}},
    [NC_PLATFORM_AWS] = {{"ActiveConnectionCount", "Maximum", ALERT_OPEN, 2, 3, 0},
                         {"ErrorPortAllocation", "Sum", ALERT_FAILURES, 1, 1, 0}},
    [NC_PLATFORM_GCP] = {{"compute.googleapis.com/nat/port_usage", "ALIGN_MAX", ALERT_IN_USE_MAX, 2, 2,
                          GCP_DELAY_S},
                         {"compute.googleapis.com/nat/dropped_sent_packets_count", "ALIGN_SUM",
                          ALERT_FAILURES, 1, 1, GCP_DELAY_S}},
    [NC_PLATFORM_AZURE] = {{"TotalConnectionCount", "Total", ALERT_OPEN, 1, 1, 0},
                           {"SNATConnectionCount", "Total", ALERT_FAILURES, 1, 5, 0}},
    [NC_PLATFORM_AZURE_LB] = {{"UsedSnatPorts", "Average", ALERT_IN_USE, 1, 1, 0},
                              {"SnatConnectionCount", "Total", ALERT_FAILURES, 1, 5, 0}},
};

void alert_rule_init(alert_rule *r, nc_platform p, int failing, double period_s)
{
    memset(r, 0, sizeof *r);
    const rule_def *d = &defs[p < NC_PLATFORM_COUNT ? p : NC_PLATFORM_LINUX][failing ? 1 : 0];
    r->platform = p;
    r->failing = failing != 0;
    r->name = failing ? "failing" : "leading";
    r->metric = d->metric;
    r->statistic = d->statistic;
    r->series = d->series;
    r->strict = failing != 0;
    r->threshold = 0;
    r->period_s = period_s;
    r->m = d->m;
    r->n = d->n;
    r->delay_s = d->delay_s;
    if (failing && p == NC_PLATFORM_GCP) {
        r->dim_name = "reason";
        r->dim_value = "OUT_OF_RESOURCES";
    } else if (failing && (p == NC_PLATFORM_AZURE || p == NC_PLATFORM_AZURE_LB)) {
        r->dim_name = "ConnectionState";
        r->dim_value = "Failed";
    } else if (!failing && p == NC_PLATFORM_AZURE_LB) {
        r->dim_name = "BackendIPAddress";
        r->dim_value = "*";
    }
}

/* The rate metric that replaces an open-connection count (see alert.h). */
static void use_rate_metric(alert_rule *r)
{
    if (r->platform == NC_PLATFORM_AWS) {
        r->metric = "ConnectionEstablishedCount";
        r->statistic = "Sum";
        r->series = ALERT_NEW;
    } else {
        r->metric = "SNATConnectionCount";
        r->statistic = "Total";
        r->series = ALERT_ATTEMPTS;
        r->dim_name = "ConnectionState";
        r->dim_value = "Attempted";
    }
}

double alert_value(const nc_scen_result *r, size_t g, alert_series s, uint32_t rep, uint32_t k)
{
    const nc_gw_result *x = &r->gw[g];
    size_t at = (size_t)rep * r->nsamples + k;
    if (s == ALERT_IN_USE)
        return x->in_use_by_rep[at];
    if (x->by_rep == NULL)
        return NAN;
    const nc_rep_sample *y = &x->by_rep[at];
    switch (s) {
    case ALERT_IN_USE_MAX: return y->imax;
    case ALERT_OPEN: return y->open;
    case ALERT_FAILURES: return y->alloc_failures;
    case ALERT_NEW: return (double)y->attempts - y->alloc_failures;
    case ALERT_ATTEMPTS: return y->attempts;
    default: return NAN;
    }
}

static double stamp(double period_s, size_t k, double end_s)
{
    double t = (double)(k + 1) * period_s;
    return t < end_s ? t : end_s;
}

static int breach(const alert_rule *r, double v)
{
    return r->strict ? v > r->threshold : v >= r->threshold;
}

double alert_fire_on(const alert_rule *r, const double *x, size_t n, double end_s)
{
    unsigned win = r->n ? r->n : 1, need = r->m ? r->m : 1, count = 0;
    for (size_t k = 0; k < n; k++) {
        count += (unsigned)breach(r, x[k]);
        if (k >= win)
            count -= (unsigned)breach(r, x[k - win]);
        if (count >= need)
            return stamp(r->period_s, k, end_s) + r->delay_s;
    }
    return INFINITY;
}

/* The replication's datapoints; NULL on ENOMEM. */
static double *series_of(const nc_scen_result *r, size_t g, alert_series s, uint32_t rep)
{
    double *x = malloc((r->nsamples ? r->nsamples : 1) * sizeof *x);
    for (uint32_t k = 0; x != NULL && k < r->nsamples; k++)
        x[k] = alert_value(r, g, s, rep, k);
    return x;
}

double alert_fire_time(const alert_rule *rule, const nc_scen_result *r, size_t g, uint32_t rep)
{
    double *x = series_of(r, g, rule->series, rep);
    if (x == NULL)
        return NAN;
    double t = alert_fire_on(rule, x, r->nsamples, sim_to_s(r->duration_us));
    free(x);
    return t;
}

/* The highest threshold (>= breach) with which the rule fires by
 * `deadline_s` on x: the largest, over datapoints k due in time, of the m-th
 * largest value of the window ending at k.  -1 when no datapoint is due. */
static double highest_in_time(const alert_rule *r, const double *x, size_t n, double end_s,
                              double deadline_s)
{
    unsigned win = r->n ? r->n : 1, need = r->m ? r->m : 1;
    double best = -1, w[64];
    for (size_t k = 0; k < n; k++) {
        if (stamp(r->period_s, k, end_s) + r->delay_s > deadline_s + 1e-9)
            break;
        size_t lo = k + 1 >= win ? k + 1 - win : 0, len = k + 1 - lo;
        if (len < need || len > 64)
            continue;
        memcpy(w, x + lo, len * sizeof *w);
        gsl_sort(w, 1, len);
        double v = w[len - need];   /* the need-th largest */
        if (v > best)
            best = v;
    }
    return best;
}

void alert_derive(alert_rule *r, const alert_gw_batch *b, double alert_at, double lead_minutes)
{
    if (r->failing) {
        r->threshold = 0;
        snprintf(r->how, sizeof r->how,
                 "Any allocation failure: %s (%s) > 0 in %u of the last %u %.0f s datapoints. "
                 "Simulated counterpart: SYNs that got no source port.",
                 r->metric, r->statistic, r->m, r->n, r->period_s);
        return;
    }
    /* 1. the port-level alert, in the metric's units */
    double t_a = INFINITY, level = NAN, in_use_a = INFINITY;
    uint32_t crossed = 0, reps_a = 0;
    const char *scen_a = NULL;
    char switched[400] = "";
again:
    t_a = INFINITY;
    level = NAN;
    in_use_a = INFINITY;
    crossed = 0;
    reps_a = 0;
    scen_a = NULL;
    for (int pass = 0; pass < 2 && crossed == 0; pass++) {
        for (size_t i = 0; i < b->n; i++) {
            if (b->gw[i] == (size_t)-1)
                continue;
            const nc_scen_result *x = b->rs[i];
            size_t g = b->gw[i];
            double cap = (double)x->gw[g].capacity;
            if (isnan(level))
                level = alert_at * cap;
            for (uint32_t j = 0; j < x->reps; j++) {
                reps_a++;
                for (uint32_t k = 0; k < x->nsamples; k++) {
                    if ((double)x->gw[g].in_use_by_rep[(size_t)j * x->nsamples + k] >=
                        alert_at * cap - 1e-9) {
                        double v = alert_value(x, g, r->series, j, k);
                        if (v < t_a) {
                            t_a = v;
                            in_use_a = x->gw[g].in_use_by_rep[(size_t)j * x->nsamples + k];
                        }
                        crossed++;
                        break;
                    }
                }
            }
            if (pass == 0) {
                scen_a = x->sc->name;
                break;   /* the first scenario with the gateway */
            }
        }
        if (crossed == 0)
            reps_a = 0;
    }
    if (crossed > 0 && r->series == ALERT_OPEN && t_a < 0.25 * in_use_a) {
        snprintf(switched, sizeof switched,
                 "%s (%s) would not lead: open connections were %.0f when %.0f mappings were in "
                 "use, the rest held after close (TIME_WAIT), which it does not count; so the rule "
                 "reads %s, new connections per period, which fill the ports at rate x hold time. ",
                 r->metric, r->statistic, t_a, in_use_a, r->platform == NC_PLATFORM_AWS
                                                          ? "ConnectionEstablishedCount (Sum)"
                                                          : "SNATConnectionCount Attempted (Total)");
        use_rate_metric(r);
        goto again;
    }
    char part1[400];
    const char *unit = r->series == ALERT_OPEN       ? "open connections"
                       : r->series == ALERT_NEW      ? "new connections per period"
                       : r->series == ALERT_ATTEMPTS ? "connection attempts per period"
                                                     : "mappings in use";
    if (crossed > 0) {
        snprintf(part1, sizeof part1,
                 "Port-level alert at %.0f %% of the pool's %.0f ports = %.0f mappings in use; "
                 "%s (%s; simulated counterpart: %s) when mappings first reached it: lowest over "
                 "%u replication%s%s%s = %.0f.",
                 100 * alert_at, isnan(level) ? 0 : level / alert_at, level, r->metric,
                 r->statistic, unit, crossed, crossed == 1 ? "" : "s", scen_a ? " of " : "",
                 scen_a ? scen_a : "", t_a);
    } else {
        t_a = isnan(level) ? 1 : ceil(level - 1e-9);
        snprintf(part1, sizeof part1,
                 "Port-level alert at %.0f %% of the pool's %.0f ports = %.0f; no simulated "
                 "replication reached it, so the threshold is that level itself.",
                 100 * alert_at, isnan(level) ? 0 : level / alert_at, t_a);
    }
    /* 2. the lead: fire >= M minutes before every failing replication's first failure */
    double t_lead = INFINITY;
    uint32_t failing = 0, unledable = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (b->gw[i] == (size_t)-1)
            continue;
        const nc_scen_result *x = b->rs[i];
        size_t g = b->gw[i];
        for (uint32_t j = 0; j < x->reps; j++) {
            sim_time f = x->gw[g].first_fail_by_rep[j];
            if (f == SIM_TIME_NONE)
                continue;
            failing++;
            double *v = series_of(x, g, r->series, j);
            if (v == NULL)
                continue;
            double h = highest_in_time(r, v, x->nsamples, sim_to_s(x->duration_us),
                                       sim_to_s(f) - 60.0 * lead_minutes);
            free(v);
            if (h < 1)
                unledable++;
            else if (h < t_lead)
                t_lead = h;
        }
    }
    double t = t_a;
    if (t_lead < t)
        t = t_lead;
    t = floor(t + 1e-9);
    if (t < 1)
        t = 1;
    r->threshold = t;
    char part2[400] = "";
    if (failing > 0 && isfinite(t_lead))
        snprintf(part2, sizeof part2,
                 " Highest value with which the rule (>= in %u of %u datapoints%s) still fires "
                 "%g min before the first failure of each of the %u failing replication%s that can "
                 "be led: %.0f%s.",
                 r->m, r->n, r->delay_s > 0 ? ", metric delay included" : "", lead_minutes,
                 failing - unledable, failing - unledable == 1 ? "" : "s", t_lead,
                 unledable ? " (failures too early to lead left out)" : "");
    else if (failing > 0)
        snprintf(part2, sizeof part2, " None of the %u failing replications can be led by %g min.",
                 failing, lead_minutes);
    else
        snprintf(part2, sizeof part2, " No simulated replication failed.");
    int len = snprintf(r->how, sizeof r->how, "%s%s%s Threshold: the lower, %.0f.%s", switched, part1, part2, t,
             r->series == ALERT_OPEN
                 ? " Counts open connections (active + idle), not ports held in TIME_WAIT; "
                   "whether the platform counts closed connections still holding a port is not "
                   "documented."
                 : "");
    if (len >= (int)sizeof r->how)   /* cut short: still readable, never past the buffer */
        r->how[sizeof r->how - 1] = '\0';
}

void alert_quantiles(double *x, size_t n, double *p05, double *median)
{
    if (n == 0) {
        *p05 = *median = NAN;
        return;
    }
    gsl_sort(x, 1, n);
    *p05 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.05);
    *median = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.5);
}

void alert_evaluate(const alert_rule *rule, const nc_scen_result *r, size_t g, alert_figures *out)
{
    memset(out, 0, sizeof *out);
    out->replications = r->reps;
    double *lead = malloc((r->reps ? r->reps : 1) * sizeof *lead);
    double *fired = malloc((r->reps ? r->reps : 1) * sizeof *fired);
    size_t nl = 0, nf = 0;
    for (uint32_t j = 0; lead != NULL && fired != NULL && j < r->reps; j++) {
        double t = alert_fire_time(rule, r, g, j);
        sim_time f = r->gw[g].first_fail_by_rep[j];
        if (isfinite(t))
            fired[nf++] = t;
        if (f != SIM_TIME_NONE) {
            out->failing++;
            if (isfinite(t)) {
                out->detected++;
                lead[nl++] = (sim_to_s(f) - t) / 60.0;
            }
        } else if (isfinite(t)) {
            out->false_alarms++;
        }
    }
    alert_quantiles(lead, nl, &out->lead_p05, &out->lead_median);
    double dummy;
    alert_quantiles(fired, nf, &dummy, &out->median_fired_s);
    free(lead);
    free(fired);
}
