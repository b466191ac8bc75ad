/*
 * plan_out.c - the text of `natcap plan` (see plan_out.h): plan.csv, plan.md,
 * the table on stdout and the progress on stderr.  (The headroom charts,
 * the plan page and the report are plot/plan_plot.c.)
 * Numbers use fixed formats so that identical plans give identical bytes;
 * an answer that does not exist is an empty CSV field and "-" (or a short
 * word) in Markdown; a question that does not apply is "n/a" with its
 * reason in the notes.
 */
#include "plan_out.h"

#include "../model/summary.h"
#include "csv_out.h"
#include "../model/version.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- plan.csv ------------------------------------------------------------------ */

static void put_num(FILE *fp, double v, int decimals)
{
    fputc(',', fp);
    if (!isnan(v))
        fprintf(fp, "%.*f", decimals, v);
}

static void put_long(FILE *fp, long v)
{
    fputc(',', fp);
    if (v >= 0)
        fprintf(fp, "%ld", v);
}

static void put_clock(FILE *fp, sim_time t)
{
    fputc(',', fp);
    if (t != SIM_TIME_NONE) {
        char buf[32];
        nc_format_clock(t, buf, sizeof buf);
        fputs(buf, fp);
    }
}

nc_status plan_out_csv(outdir *od, const plan_result *p, nc_error *err)
{
    FILE *fp;
    nc_status st = outdir_begin(od, "plan.csv", &fp, err);
    if (st != NC_OK)
        return st;
    fputs("scenario,gateway,capacity,peak_in_use,peak_utilization,headroom_rate_scale,"
          "min_nat_ips,min_nat_ips_at_growth,pool_idle_needed,time_wait_s_needed,"
          "alert_lead_minutes,alert_threshold_for_lead,analytic_peak_in_use,"
          "nat_ips,time_wait_s,peak_in_use_max,exhausted_replications,first_exhaustion,"
          "headroom_capped,alert_fired_at,alert_fired_replications,replications,seed,"
          "target_utilization,growth,alert_at,lead_minutes,ports_per_instance,"
          "ports_per_instance_needed,nat_ips_for_ports,ports_per_instance_max_now,instances,"
          "instances_without_ports,platform,notes\n",
          fp);
    const plan_opts *o = &p->opts;
    for (size_t i = 0; i < p->n; i++) {
        const plan_scenario *ps = &p->scen[i];
        const nc_scenario *sc = ps->sc;
        for (size_t g = 0; g < sc->ngateways; g++) {
            const plan_gw *a = &ps->gw[g];
            csv_out_field(fp, sc->name);
            fputc(',', fp);
            csv_out_field(fp, sc->gateways[g].name);
            fprintf(fp, ",%llu,%.1f,%.4f", (unsigned long long)a->capacity, a->peak_in_use,
                    a->peak_utilization);
            put_num(fp, a->headroom_rate_scale, 4);
            put_long(fp, a->min_nat_ips);
            put_long(fp, a->min_nat_ips_at_growth);
            put_long(fp, a->pool_idle_needed);
            put_num(fp, a->time_wait_s_needed, 1);
            put_num(fp, a->alert_lead_minutes, 1);
            put_num(fp, a->alert_threshold_for_lead, 2);
            put_num(fp, a->analytic_peak_in_use, 1);
            fprintf(fp, ",%u,%g,%u,%u", sc->gateways[g].nat_ips, sc->gateways[g].time_wait_s,
                    a->peak_in_use_max, a->exhausted_replications);
            put_clock(fp, a->first_exhaustion);
            fprintf(fp, ",%d", a->headroom_capped);
            put_clock(fp, a->alert_fired_at);
            fprintf(fp, ",%u,%u,%llu,%g,%g,%g,%g,%u", a->alert_fired_reps, ps->base->reps,
                    (unsigned long long)sc->seed, o->target_utilization, o->growth, o->alert_at,
                    o->lead_minutes, sc->gateways[g].ports_per_instance);
            put_long(fp, a->ports_per_instance_needed);
            put_long(fp, a->nat_ips_for_ports);
            put_long(fp, a->ports_per_instance_max_now);
            fprintf(fp, ",%llu,%llu,", (unsigned long long)a->instances,
                    (unsigned long long)a->instances_without_ports);
            csv_out_field(fp, sc->gateways[g].preset[0] ? sc->gateways[g].preset : "custom");
            fputc(',', fp);
            csv_out_field(fp, a->notes);
            fputc('\n', fp);
        }
    }
    return outdir_end(od, fp, err);
}

/* ---- plan.md ------------------------------------------------------------------------ */

static void md_text(FILE *fp, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '*' || *s == '_' || *s == '`' || *s == '[' || *s == ']' ||
            *s == '\\')
            fputc('\\', fp);
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, fp);
    }
}

static void md_long(FILE *fp, long v, const char *none)
{
    if (v == PLAN_NA)
        fputs("n/a", fp);
    else if (v == PLAN_NONE)
        fputs(none, fp);
    else
        fprintf(fp, "%ld", v);
}

static void md_gateway(FILE *fp, const plan_scenario *ps, size_t g, const plan_opts *o)
{
    const nc_scenario *sc = ps->sc;
    const nc_gateway *gw = &sc->gateways[g];
    const plan_gw *a = &ps->gw[g];
    char clock[32];
    fputs("| ", fp);
    md_text(fp, sc->name);
    fputs(" | ", fp);
    md_text(fp, gw->name);
    fprintf(fp, " | %.0f %% | ", 100 * a->peak_utilization);
    if (isnan(a->headroom_rate_scale))
        fputs("n/a", fp);
    else if (a->headroom_capped)
        fprintf(fp, "\u2265 %g\u00d7", a->headroom_rate_scale);
    else
        fprintf(fp, "%.2f\u00d7", a->headroom_rate_scale);
    fprintf(fp, " | %u \u2192 ", gw->nat_ips);
    md_long(fp, a->min_nat_ips, "> limit");
    fputs(" | ", fp);
    md_long(fp, a->min_nat_ips_at_growth, "> limit");
    fputs(" | ", fp);
    if (a->pool_idle_needed == 0)
        fputs("none needed", fp);
    else
        md_long(fp, a->pool_idle_needed, "none \u2264 1024");
    fputs(" | ", fp);
    if (a->time_wait_na)
        fputs("n/a", fp);
    else if (isnan(a->time_wait_s_needed))
        fputs("none", fp);
    else
        fprintf(fp, "%g s \u2192 %.0f s", gw->time_wait_s, a->time_wait_s_needed);
    fputs(" | ", fp);
    if (a->alert_fired_at == SIM_TIME_NONE) {
        fputs("never", fp);
    } else {
        nc_format_clock(a->alert_fired_at, clock, sizeof clock);
        fputs(clock, fp);
    }
    fputs(" | ", fp);
    if (a->exhausted_replications == 0)
        fputs("no failure", fp);
    else if (isnan(a->alert_lead_minutes))
        fputs("fires too late", fp);
    else
        fprintf(fp, "%.0f min", a->alert_lead_minutes);
    fputs(" | ", fp);
    if (a->exhausted_replications == 0)
        fputs("-", fp);
    else if (isnan(a->alert_threshold_for_lead))
        fputs("none", fp);
    else
        fprintf(fp, "%.0f %%", 100 * a->alert_threshold_for_lead);
    fprintf(fp, " | %.0f | ", a->peak_in_use);
    if (isnan(a->analytic_peak_in_use))
        fputs("n/a", fp);
    else
        fprintf(fp, "%.0f", a->analytic_peak_in_use);
    fputs(" | ", fp);
    if (a->ports_per_instance_needed == PLAN_NA) {
        fputs("n/a", fp);
    } else {
        fprintf(fp, "%u \u2192 ", gw->ports_per_instance);
        md_long(fp, a->ports_per_instance_needed, "none");
        if (a->nat_ips_for_ports > 0)
            fprintf(fp, " (%ld IPs)", a->nat_ips_for_ports);
    }
    fputs(" | ", fp);
    md_text(fp, a->notes[0] ? a->notes : "-");
    fputs(" |\n", fp);
    (void)o;
}

nc_status plan_out_md(outdir *od, const plan_result *p, const plan_md_opts *po, nc_error *err)
{
    FILE *fp;
    nc_status st = outdir_begin(od, "plan.md", &fp, err);
    if (st != NC_OK)
        return st;
    const plan_opts *o = &p->opts;
    const char *date = po->date ? po->date : "";
    fprintf(fp, "# natcap plan\n\n");
    fprintf(fp, "natcap %s, %s, input `%s`. Target: peak utilisation \u2264 %.0f %% and no "
                "failed allocation in any replication; growth %g\u00d7; alert at %.0f %%, "
                "wanted lead %g min. %zu variants simulated (%llu replications).\n\n",
            NATCAP_VERSION, date, po->input_dir ? po->input_dir : "?",
            100 * o->target_utilization, o->growth, 100 * o->alert_at, o->lead_minutes,
            p->simulations, (unsigned long long)p->replications);
    fprintf(fp, "| scenario | gateway | peak | headroom | NAT IPs (now \u2192 needed) | "
                "IPs at %g\u00d7 | pool_idle needed | TIME_WAIT needed | %.0f %% alert fires | "
                "alert lead | alert for %g min lead | peak in use (sim) | analytic | ports per instance "
                "(now \u2192 needed) | notes |\n",
            o->growth, 100 * o->alert_at, o->lead_minutes);
    fputs("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| ---: | --- |\n",
          fp);
    const char *ext = po->chart_ext;
    for (size_t i = 0; i < p->n; i++)
        for (size_t g = 0; g < p->scen[i].sc->ngateways; g++)
            md_gateway(fp, &p->scen[i], g, o);
    fputs("\n## How to read it\n\n"
          "- **headroom**: the largest multiplier of every request rate at which no replication "
          "has a failed allocation, by bisection to 1 % with the scenario's seeds at every step. "
          "Below 1\u00d7 the gateway already fails today; \u2265 means no failure up to the "
          "largest multiplier searched (--max-scale); n/a: it fails at any load (instances "
          "without ports).\n"
          "- **NAT IPs needed**: the fewest public IPs for which the highest peak of any "
          "replication stays at or below the target and nothing fails, at today's load and at "
          "the growth factor; only this gateway's IPs change, up to the platform's limit. With "
          "ports reserved per instance, IPs do not change a pool's size: it is the fewest IPs "
          "that reserve the ports of every instance with no failed allocation.\n"
          "- **ports per instance needed**: the fewest ports per instance (in the steps the "
          "platform accepts) that meet the target, with the NAT IPs that reserve them for every "
          "instance.\n"
          "- **n/a**: the platform has no such setting, or the question does not apply; the "
          "notes say why.\n"
          "- **pool_idle needed**: the smallest of 1, 2, 4, 8, \u2026 idle pooled connections "
          "per instance and destination, set on every row of the gateway without pooling, that "
          "meets the target with the IPs as given.\n"
          "- **TIME_WAIT needed**: the largest TIME_WAIT (at most the one given) that meets the "
          "target with everything else as given, to 1 s or 1 %.\n"
          "- **alert**: an alert on the gauge \u2018mappings in use / capacity\u2019 of the "
          "fullest pool, read at the end of every sample interval: when it first fires "
          "(median over replications), how long before the first failed allocation (median "
          "over the replications that fail), and the highest threshold that fires at least "
          "the wanted lead before the first failure in every failing replication.\n"
          "- **analytic**: the peak of the expected mappings in use without a port limit, "
          "m(t) = \u222b \u03bb(s) P(H > t \u2212 s) ds with H = handshake + latency + "
          "TIME_WAIT, for rows without pooling only (pooled rows are left out). It ignores "
          "retries and pooling; the simulated peak is the highest of a random path, so it sits "
          "a few standard deviations (\u221am) above m when ports are plentiful, and at the "
          "capacity when they run out.\n\n",
          fp);
    fputs("## Headroom charts\n\n", fp);
    for (size_t i = 0; i < p->n; i++) {
        const char *name = p->scen[i].sc->name;
        if (ext == NULL)
            break;
        fputs("![", fp);
        md_text(fp, name);
        fprintf(fp, " headroom](%s/headroom.%s)\n\n", name, ext);
    }
    return outdir_end(od, fp, err);
}


/* ---- the table on stdout --------------------------------------------------------- */

static void fmt_long(long v, char *buf, size_t len)
{
    if (v == PLAN_NA)
        snprintf(buf, len, "n/a");
    else if (v == PLAN_NONE)
        snprintf(buf, len, "none");
    else
        snprintf(buf, len, "%ld", v);
}

static void fmt_num(double v, double scale, const char *unit, char *buf, size_t len)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.0f%s", v * scale, unit);
}

void plan_out_table(FILE *fp, const plan_result *p)
{
    if (p == NULL)
        return;
    const plan_opts *o = &p->opts;
    fprintf(fp, "%-16s %-12s %6s %9s %5s %6s %6s %6s %7s %8s %9s %9s\n", "scenario", "gateway",
            "peak%", "headroom", "IPs", "needs", "at", "pool", "TW_s", "alert", "alert", "analytic");
    char gcol[16];
    snprintf(gcol, sizeof gcol, "x%g", o->growth);
    char acol[16], tcol[16];
    snprintf(acol, sizeof acol, "lead@%.0f%%", 100 * o->alert_at);
    snprintf(tcol, sizeof tcol, "for%.0fmin", o->lead_minutes);
    fprintf(fp, "%-16s %-12s %6s %9s %5s %6s %6s %6s %7s %8s %9s %9s\n", "", "", "", "", "now",
            "IPs", gcol, "idle", "needed", acol, tcol, "peak");
    for (size_t i = 0; i < p->n; i++) {
        const plan_scenario *ps = &p->scen[i];
        for (size_t g = 0; g < ps->sc->ngateways; g++) {
            const plan_gw *a = &ps->gw[g];
            char hr[16], n1[16], n2[16], pool[16], tw[16], lead[16], thr[16], an[24];
            if (isnan(a->headroom_rate_scale))
                snprintf(hr, sizeof hr, "n/a");
            else
                snprintf(hr, sizeof hr, "%s%.3g", a->headroom_capped ? ">=" : "",
                         a->headroom_rate_scale);
            fmt_long(a->min_nat_ips, n1, sizeof n1);
            fmt_long(a->min_nat_ips_at_growth, n2, sizeof n2);
            fmt_long(a->pool_idle_needed, pool, sizeof pool);
            if (a->time_wait_na)
                snprintf(tw, sizeof tw, "n/a");
            else
                fmt_num(a->time_wait_s_needed, 1, "", tw, sizeof tw);
            if (isnan(a->alert_lead_minutes))
                snprintf(lead, sizeof lead, "-");
            else
                snprintf(lead, sizeof lead, "%.1fmin", a->alert_lead_minutes);
            fmt_num(a->alert_threshold_for_lead, 100, "%", thr, sizeof thr);
            fmt_num(a->analytic_peak_in_use, 1, "", an, sizeof an);
            fprintf(fp, "%-16.16s %-12.12s %5.0f%% %9s %5u %6s %6s %6s %7s %8s %9s %9s\n",
                    ps->sc->name, ps->sc->gateways[g].name, 100 * a->peak_utilization, hr,
                    ps->sc->gateways[g].nat_ips, n1, n2, pool, tw, lead, thr, an);
            if (a->ports_per_instance_needed != PLAN_NA) {
                char need[16];
                fmt_long(a->ports_per_instance_needed, need, sizeof need);
                fprintf(fp, "  ports_per_instance %u -> %s", ps->sc->gateways[g].ports_per_instance,
                        need);
                if (a->nat_ips_for_ports > 0)
                    fprintf(fp, " (with %ld NAT IPs)", a->nat_ips_for_ports);
                fputc('\n', fp);
            }
            /* the notes, one per line: they are joined by "; ", which a note
             * may also hold inside parentheses */
            const char *s = a->notes;
            while (*s) {
                size_t len = 0;
                int depth = 0;
                for (; s[len] != '\0'; len++) {
                    depth += (s[len] == '(') - (s[len] == ')');
                    if (depth <= 0 && s[len] == ';' && s[len + 1] == ' ')
                        break;
                }
                fprintf(fp, "  %.*s\n", (int)len, s);
                s += len;
                if (*s)
                    s += 2;
            }
        }
    }
    fprintf(fp, "plan: %zu simulations (%llu replications, %llu points decided analytically) in "
                "%u rounds, %.1f s; target %.0f %%, growth x%g, alert at %.0f %%, lead %g min\n",
            p->simulations, (unsigned long long)p->replications, (unsigned long long)p->decided,
            p->rounds, p->elapsed_s, 100 * o->target_utilization, o->growth, 100 * o->alert_at,
            o->lead_minutes);
    fprintf(fp, "plan: replications: %llu of the scenarios as given (%.1f s), %llu probes, %llu "
                "confirmations\n",
            (unsigned long long)p->reps_baseline, p->baseline_s,
            (unsigned long long)p->reps_probe, (unsigned long long)p->reps_confirm);
}

/* ---- progress on stderr ------------------------------------------------------------ */

void plan_progress_report(void *ud, const plan_status *st)
{
    plan_progress *pp = ud;
    if (pp->quiet)
        return;
    char eta[32];
    if (st->eta_s >= 0)
        snprintf(eta, sizeof eta, "about %.0f s left", st->eta_s);
    else
        snprintf(eta, sizeof eta, "time left unknown");
    if (!pp->tty) {   /* one line per round */
        if (st->round_done)
            fprintf(stderr, "plan: round %u/%u, %zu simulations done, %.0f s, %s\n", st->round,
                    st->rounds_est, st->simulations, st->elapsed_s, eta);
        return;
    }
    if (st->round_done)
        return;   /* the bar already shows the round */
    int width = 20, fill = st->units_total ? (int)((double)width * (double)st->units_done /
                                                   (double)st->units_total)
                                           : 0;
    char bar[32];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r\033[Kplan: round %u/~%u [%s] %zu/%zu replications of %zu variant%s, "
                    "%.0f s, %s",
            st->round, st->rounds_est, bar, st->units_done, st->units_total, st->variants,
            st->variants == 1 ? "" : "s", st->elapsed_s, eta);
    pp->drawn = 1;
    fflush(stderr);
}

void plan_progress_end(plan_progress *pp)
{
    if (pp->tty && pp->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    pp->drawn = 0;
}
