/* estimate_out.c - see estimate_out.h. */
#include "estimate_out.h"

#include "csv_out.h"

#include "../model/summary.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* x rounded, with thousands separators: 65,583. */
static void grouped(double x, char *buf, size_t len)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", x < 0 ? 0 : x);
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n && o + 2 < len; i++) {
        buf[o++] = digits[i];
        if ((n - i - 1) % 3 == 0 && i + 1 < n)
            buf[o++] = ',';
    }
    buf[o] = '\0';
}

/* HH:MM of a time of the simulated day (D+HH:MM past the first day). */
static void clock_hm(double t_s, char *buf, size_t len)
{
    if (isnan(t_s)) {
        snprintf(buf, len, "-");
        return;
    }
    long m = (long)floor(t_s / 60.0 + 1e-9);
    long d = m / 1440;
    m %= 1440;
    if (d > 0)
        snprintf(buf, len, "%ld+%02ld:%02ld", d, m / 60, m % 60);
    else
        snprintf(buf, len, "%02ld:%02ld", m / 60, m % 60);
}

void estimate_sentence(const nc_input *in, const estimate_row *r, char *buf, size_t len)
{
    const nc_scenario *sc = &in->scenarios[r->scenario];
    char dem[32], cap[32], at[32];
    grouped(r->demand_peak, dem, sizeof dem);
    grouped((double)r->capacity, cap, sizeof cap);
    clock_hm(r->peak_time_s, at, sizeof at);
    if (r->verdict == ESTIMATE_NO_ESTIMATE) {
        snprintf(buf, len, "no estimate: every row of gateway %s pools its connections "
                 "(simulate it with natcap run)", sc->gateways[r->gateway].name);
        return;
    }
    if (r->capacity == 0 && r->instances_without_ports > 0) {
        snprintf(buf, len, "demand %.2f %s%s against 0 in %s (an instance without ports): "
                 "exhausts", r->demand_peak, r->flat ? "all day" : "at ", r->flat ? "" : at,
                 r->pool);
        return;
    }
    char when[48];
    snprintf(when, sizeof when, r->flat ? "all day" : "at %s", at);
    snprintf(buf, len, "demand %s %s against %s in %s: %s", dem, when, cap, r->pool,
             estimate_verdict_name(r->verdict));
}

void estimate_print(FILE *fp, const nc_input *in, const estimate_row *rows, size_t n)
{
    fprintf(fp, "%-20s %-16s %-28s %10s %12s %8s %8s %8s  %s\n", "scenario", "gateway",
            "binding pool", "capacity", "demand peak", "at", "util", "no ports", "verdict");
    for (size_t i = 0; i < n; i++) {
        const estimate_row *r = &rows[i];
        const nc_scenario *sc = &in->scenarios[r->scenario];
        char cap[32], dem[32], at[32], util[32];
        grouped((double)r->capacity, cap, sizeof cap);
        if (isnan(r->demand_peak))
            snprintf(dem, sizeof dem, "-");
        else if (r->demand_peak < 100)
            snprintf(dem, sizeof dem, "%.2f", r->demand_peak);
        else
            grouped(r->demand_peak, dem, sizeof dem);
        clock_hm(r->peak_time_s, at, sizeof at);
        if (r->flat)
            snprintf(at, sizeof at, "all day");
        if (r->capacity > 0 && !isnan(r->demand_peak))
            snprintf(util, sizeof util, "%.1f%%", 100.0 * r->demand_peak / (double)r->capacity);
        else
            snprintf(util, sizeof util, "-");
        fprintf(fp, "%-20.64s %-16.64s %-28.160s %10s %12s %8s %8s %8llu  %s\n", sc->name,
                sc->gateways[r->gateway].name, r->pool, cap, dem, at, util,
                (unsigned long long)r->instances_without_ports, estimate_verdict_name(r->verdict));
    }
    fputc('\n', fp);
    for (size_t i = 0; i < n; i++) {
        const estimate_row *r = &rows[i];
        const nc_scenario *sc = &in->scenarios[r->scenario];
        char line[512];
        estimate_sentence(in, r, line, sizeof line);
        fprintf(fp, "%s/%s: %s\n", sc->name, sc->gateways[r->gateway].name, line);
        if (r->instances_without_ports > 0) {
            const nc_gateway *gw = &sc->gateways[r->gateway];
            fprintf(fp, "  %llu instance%s without ports (%llu of service %s first): %u NAT "
                    "IP%s reserve %u ports for %llu instance%s\n",
                    (unsigned long long)r->instances_without_ports,
                    r->instances_without_ports == 1 ? "" : "s",
                    (unsigned long long)r->short_of_service, r->short_service, gw->nat_ips,
                    gw->nat_ips == 1 ? "" : "s", gw->ports_per_instance,
                    (unsigned long long)((uint64_t)gw->nat_ips * nc_gateway_port_range(gw)
                                         / gw->ports_per_instance),
                    (uint64_t)gw->nat_ips * nc_gateway_port_range(gw) / gw->ports_per_instance
                            == 1 ? "" : "s");
        }
        if (r->rows_pooled > 0)
            fprintf(fp, "  %zu row%s with pooling not estimated\n", r->rows_pooled,
                    r->rows_pooled == 1 ? "" : "s");
    }
}

nc_status estimate_write(outdir *od, const nc_input *in, const estimate_row *rows, size_t n,
                         nc_error *err)
{
    FILE *fp;
    nc_status st = outdir_begin(od, "estimate.csv", &fp, err);
    if (st != NC_OK)
        return st;
    fputs("scenario,gateway,binding_pool,pools_total,capacity,demand_peak,demand_peak_time,"
          "demand_utilization,instances_without_ports,rows_estimated,rows_pooled,verdict\n", fp);
    for (size_t i = 0; i < n; i++) {
        const estimate_row *r = &rows[i];
        const nc_scenario *sc = &in->scenarios[r->scenario];
        csv_out_field(fp, sc->name);
        fputc(',', fp);
        csv_out_field(fp, sc->gateways[r->gateway].name);
        fputc(',', fp);
        csv_out_field(fp, r->pool);
        fprintf(fp, ",%llu,%llu,", (unsigned long long)r->pools_total,
                (unsigned long long)r->capacity);
        if (!isnan(r->demand_peak)) {
            char t[32];
            nc_format_clock(sim_from_s(r->peak_time_s), t, sizeof t);
            fprintf(fp, "%.3f,%s,", r->demand_peak, t);
            if (r->capacity > 0)
                fprintf(fp, "%.6f", r->demand_peak / (double)r->capacity);
        } else {
            fputs(",,", fp);
        }
        fprintf(fp, ",%llu,%zu,%zu,%s\n", (unsigned long long)r->instances_without_ports,
                r->rows_estimated, r->rows_pooled, estimate_verdict_name(r->verdict));
    }
    return outdir_end(od, fp, err);
}
