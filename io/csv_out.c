/* csv_out.c - see csv_out.h.  Column definitions are in README.md. */
#include "csv_out.h"

#include "../model/bottleneck.h"
#include "../model/summary.h"
#include "observed_out.h"

#include <math.h>

#include <csv.h>
#include <stdlib.h>
#include <string.h>

void csv_out_field(FILE *fp, const char *s)
{
    size_t n = strlen(s);
    if (strpbrk(s, ",\"\r\n") == NULL && (n == 0 || (s[0] != ' ' && s[n - 1] != ' '))) {
        fputs(s, fp);
        return;
    }
    csv_fwrite(fp, s, n);
}

static nc_status finish(outdir *od, FILE *fp, nc_error *err) { return outdir_end(od, fp, err); }

static void clock_or_empty(sim_time t, char *buf, size_t len)
{
    if (t == SIM_TIME_NONE)
        buf[0] = '\0';
    else
        nc_format_clock(t, buf, len);
}

nc_status csv_out_summary(outdir *od, const nc_scen_result *const *rs, size_t n, nc_error *err)
{
    FILE *fp;
    nc_status st = outdir_begin(od, "summary.csv", &fp, err);
    if (st != NC_OK)
        return st;
    fputs("scenario,gateway,replications,capacity,peak_in_use,peak_in_use_max,peak_utilization,"
          "exhausted_replications,first_exhaustion,exhausted_minutes,requests,attempts,"
          "alloc_failures,failed_requests,failed_request_pct,new_connections,reuse_pct,"
          "stale_reuses,pools,retries,seed,rng,binding_pool,pools_total,pools_exhausted,"
          "pools_over_alert,instances_without_ports,demand_peak,severity" OBSERVED_OUT_SUMMARY_HEADER "\n",
          fp);
    for (size_t i = 0; i < n; i++) {
        const nc_scen_result *r = rs[i];
        for (size_t g = 0; g < r->sc->ngateways; g++) {
            nc_bottleneck b;
            st = nc_bottleneck_get(r, g, &b, err);
            if (st != NC_OK) {
                outdir_end(od, fp, NULL);
                return st;
            }
            const nc_gw_summary s = b.sum;
            char first[32];
            clock_or_empty(s.first_exhaustion, first, sizeof first);
            csv_out_field(fp, r->sc->name);
            fputc(',', fp);
            csv_out_field(fp, r->sc->gateways[g].name);
            fprintf(fp,
                    ",%u,%llu,%.1f,%u,%.4f,%u,%s,%.1f,%llu,%llu,%llu,%llu,%.4f,%llu,%.2f,%llu,%llu,%llu,"
                    "%llu,%s",
                    r->reps, (unsigned long long)s.capacity, s.peak_in_use, s.peak_in_use_max,
                    s.peak_utilization, s.exhausted_replications, first, s.exhausted_minutes,
                    (unsigned long long)s.requests, (unsigned long long)s.attempts,
                    (unsigned long long)s.alloc_failures, (unsigned long long)s.failed_requests,
                    s.failed_request_pct, (unsigned long long)s.new_connections, s.reuse_pct,
                    (unsigned long long)s.stale_reuses, (unsigned long long)r->gw[g].npools,
                    (unsigned long long)r->gw[g].retries, (unsigned long long)r->sc->seed,
                    r->rng_name);
            fputc(',', fp);
            csv_out_field(fp, b.pool_name);
            fprintf(fp, ",%llu,%.2f,%.2f,%llu,", (unsigned long long)b.topo.pools,
                    s.pools_exhausted, s.pools_alert, (unsigned long long)b.topo.without_ports);
            if (!isnan(b.demand_peak))
                fprintf(fp, "%.1f", b.demand_peak);
            fprintf(fp, ",%s", nc_severity_name(s.severity));
            observed_out_summary_cells(fp, r, g);
            fputc('\n', fp);
            nc_bottleneck_free(&b);
        }
    }
    return finish(od, fp, err);
}

static nc_status begin_in(outdir *od, const nc_scen_result *r, const char *file, FILE **fp,
                          nc_error *err)
{
    char rel[NC_NAME_MAX + 64];
    snprintf(rel, sizeof rel, "%s/%s", r->sc->name, file);
    return outdir_begin(od, rel, fp, err);
}

nc_status csv_out_timeseries(outdir *od, const nc_scen_result *r, nc_error *err)
{
    FILE *fp;
    nc_status st = begin_in(od, r, "timeseries.csv", &fp, err);
    if (st != NC_OK)
        return st;
    double *scratch = malloc((r->reps ? r->reps : 1) * sizeof *scratch);
    if (scratch == NULL) {
        fclose(fp);
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    fputs("time,t_s,gateway,in_use_mean,in_use_p05,in_use_p50,in_use_p95,in_use_max,active_mean,"
          "idle_mean,time_wait_mean,utilization_mean,alloc_failures_mean,failed_requests_mean,"
          "attempts_mean,requests_mean,stale_reuses_mean,failing_replications,failed_request_pct,"
          "new_connections_mean,open_mean\n",
          fp);
    for (uint32_t k = 0; k < r->nsamples; k++) {
        sim_time t = (sim_time)k * r->sample_us;
        char clock[32];
        nc_format_clock(t, clock, sizeof clock);
        for (size_t g = 0; g < r->sc->ngateways; g++) {
            nc_interval_stats x;
            nc_interval_stats_get(r, g, k, scratch, &x);
            fprintf(fp, "%s,%.0f,", clock, sim_to_s(t));
            csv_out_field(fp, r->sc->gateways[g].name);
            /* new connections = attempts that got a mapping; open = active + idle */
            double reps = r->reps ? (double)r->reps : 1.0;
            double newc = (double)(r->gw[g].attempts_sum[k] - r->gw[g].alloc_failures_sum[k]) / reps;
            fprintf(fp, ",%.2f,%.1f,%.1f,%.1f,%u,%.2f,%.2f,%.2f,%.5f,%.3f,%.3f,%.3f,%.3f,%.3f,%u,%.4f,%.3f,%.2f\n",
                    x.in_use_mean, x.in_use_p05, x.in_use_p50, x.in_use_p95, x.in_use_max,
                    x.active_mean, x.idle_mean, x.time_wait_mean, x.utilization_mean,
                    x.alloc_failures_mean, x.failed_requests_mean, x.attempts_mean,
                    x.requests_mean, x.stale_reuses_mean, r->gw[g].fail_reps[k],
                    x.failed_request_pct, newc, x.active_mean + x.idle_mean);
        }
    }
    free(scratch);
    return finish(od, fp, err);
}

nc_status csv_out_services(outdir *od, const nc_scen_result *r, nc_error *err)
{
    FILE *fp;
    nc_status st = begin_in(od, r, "services.csv", &fp, err);
    if (st != NC_OK)
        return st;
    fputs("service,gateway,destination,instances,requests,new_connections,reuse_pct,"
          "in_use_at_peak,failed_requests,failed_request_pct,attempts,alloc_failures,"
          "stale_reuses,retries\n",
          fp);
    double reps = r->reps ? (double)r->reps : 1.0;
    for (size_t i = 0; i < r->sc->nservices; i++) {
        const nc_service *sv = &r->sc->services[i];
        const nc_row_result *x = &r->rows[i];
        csv_out_field(fp, sv->name);
        fputc(',', fp);
        csv_out_field(fp, r->sc->gateways[sv->gateway].name);
        fputc(',', fp);
        csv_out_field(fp, r->sc->destinations[sv->destination].name);
        double reuse = x->requests ? 100.0 * (double)x->reused / (double)x->requests : 0.0;
        double fpct = x->requests ? 100.0 * (double)x->failed_requests / (double)x->requests : 0.0;
        fprintf(fp, ",%llu,%llu,%llu,%.2f,%.1f,%llu,%.4f,%llu,%llu,%llu,%llu\n",
                (unsigned long long)sv->instances, (unsigned long long)x->requests,
                (unsigned long long)x->new_connections, reuse, (double)x->in_use_at_peak_sum / reps,
                (unsigned long long)x->failed_requests, fpct, (unsigned long long)x->attempts,
                (unsigned long long)x->alloc_failures, (unsigned long long)x->stale_reuses,
                (unsigned long long)x->retries);
    }
    return finish(od, fp, err);
}

void csv_out_table(FILE *fp, const nc_scen_result *const *rs, size_t n)
{
    fprintf(fp, "%-24s %-16s %9s %9s %7s %8s %9s %9s  %-20s %s\n", "scenario", "gateway",
            "capacity", "peak", "util", "first", "fail-min", "failed%", "binding pool",
            "severity");
    char notes[8][800];
    size_t nnotes = 0, more = 0;
    for (size_t i = 0; i < n; i++) {
        const nc_scen_result *r = rs[i];
        for (size_t g = 0; g < r->sc->ngateways; g++) {
            nc_bottleneck b;
            if (nc_bottleneck_get(r, g, &b, NULL) != NC_OK)
                continue;
            const nc_gw_summary s = b.sum;
            char first[32], words[96];
            if (s.first_exhaustion == SIM_TIME_NONE)
                snprintf(first, sizeof first, "-");
            else
                nc_format_clock(s.first_exhaustion, first, sizeof first);
            nc_severity_words(&s, words, sizeof words);
            char pct[24];   /* never 0.000 % beside failures */
            if (s.failed_request_pct > 0 && s.failed_request_pct < 0.0005)
                snprintf(pct, sizeof pct, "<0.001%%");
            else
                snprintf(pct, sizeof pct, "%.3f%%", s.failed_request_pct);
            fprintf(fp, "%-24s %-16s %9llu %9.0f %6.1f%% %8s %9.1f %9s  %-20s %s\n",
                    r->sc->name, r->sc->gateways[g].name, (unsigned long long)s.capacity,
                    s.peak_in_use, 100.0 * s.peak_utilization, first, s.exhausted_minutes, pct,
                    b.pool_name, words);
            if (b.portless[0] != '\0') {
                if (nnotes < sizeof notes / sizeof notes[0])
                    snprintf(notes[nnotes++], sizeof notes[0], "%s: %s", r->sc->name, b.portless);
                else
                    more++;
            }
            nc_bottleneck_free(&b);
        }
    }
    for (size_t i = 0; i < nnotes; i++)
        fprintf(fp, "  %s\n", notes[i]);
    if (more > 0)
        fprintf(fp, "  (and %zu more gateway%s with instances without ports: see summary.csv)\n",
                more, more == 1 ? "" : "s");
}
