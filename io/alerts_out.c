/* alerts_out.c - see alerts_out.h.  Columns are described in README.md. */
#include "alerts_out.h"

#include "../model/summary.h"
#include "csv_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void put_num(FILE *fp, double v, int decimals)
{
    if (isfinite(v))
        fprintf(fp, ",%.*f", decimals, v);
    else
        fputc(',', fp);
}

/* The observed metric a rule's simulated series stands for. */
static obs_metric obs_metric_of(alert_series s)
{
    switch (s) {
    case ALERT_IN_USE:
    case ALERT_IN_USE_MAX: return OBS_IN_USE;
    case ALERT_OPEN: return OBS_OPEN;
    case ALERT_FAILURES: return OBS_ALLOC_FAILURES;
    case ALERT_NEW: return OBS_NEW_CONNECTIONS;
    case ALERT_ATTEMPTS: return OBS_ATTEMPTS;
    }
    return OBS_IN_USE;
}

/* Is scenario i the one observations are compared with (SPEC §6)? */
static int compared(const alerts_doc *d, size_t i)
{
    int any = 0;
    for (size_t k = 0; k < d->n; k++)
        any |= d->rs[k]->sc->observed;
    return any ? d->rs[i]->sc->observed : i == 0;
}

void alerts_observed_fired_at(const alerts_doc *d, size_t i, size_t j, int rule, char *buf,
                              size_t len)
{
    if (len > 0)
        buf[0] = '\0';
    const nc_observed *o = d->observed;
    if (o == NULL || o->n == 0 || !compared(d, i))
        return;
    const alert_rule *r = &d->gw[j].rule[rule];
    obs_metric want = obs_metric_of(r->series);
    const obs_series *s = NULL;   /* the gateway's series of that metric; the binding pool's first */
    for (size_t k = 0; k < o->n; k++) {
        const obs_series *x = &o->s[k];
        if (x->metric != want || strcmp(x->gateway, d->gw[j].gateway) != 0 || x->n == 0)
            continue;
        if (s == NULL || (s->pool[0] != '\0' && x->pool[0] == '\0'))
            s = x;
    }
    if (s == NULL || !(r->period_s > 0))
        return;
    double end_s = s->t0_s + s->interval_s * (double)s->n;
    size_t n = (size_t)ceil(end_s / r->period_s - 1e-9);
    double *x = calloc(n + 1, sizeof *x);
    if (x == NULL)
        return;
    int gauge = obs_metric_is_gauge(want);
    for (size_t k = 0; k < s->n; k++) {   /* each point into the period it starts in */
        double t = s->t0_s + s->interval_s * (double)k;
        if (t < 0)
            continue;
        size_t b = (size_t)floor(t / r->period_s + 1e-9);
        if (b >= n)
            continue;
        x[b] = gauge ? fmax(x[b], s->value[k]) : x[b] + s->value[k];
    }
    double fired = alert_fire_on(r, x, n, end_s);
    free(x);
    if (!isfinite(fired)) {
        snprintf(buf, len, "never");
        return;
    }
    nc_format_clock(sim_from_s(fired), buf, len);
}

nc_status alerts_csv_write(outdir *od, const alerts_doc *d, nc_error *err)
{
    FILE *fp;
    nc_status st = outdir_begin(od, "alerts.csv", &fp, err);
    if (st != NC_OK)
        return st;
    fputs("scenario,gateway,rule,platform,metric,threshold,window_s,detected_replications,"
          "failing_replications,lead_p05_minutes,lead_median_minutes,false_alarm_replications,"
          "observed_fired_at,replications,datapoints_to_alarm,evaluation_periods,period_s,"
          "delay_s,comparison,median_fired_at,file,dimension\n",
          fp);
    for (size_t i = 0; i < d->n; i++) {
        for (size_t j = 0; j < d->ngw; j++) {
            if (d->gw_index[i * d->ngw + j] == (size_t)-1)
                continue;
            const alert_gw_rules *g = &d->gw[j];
            for (int k = 0; k < 2; k++) {
                const alert_rule *r = &g->rule[k];
                const alert_figures *f = &d->fig[(i * d->ngw + j) * 2 + k];
                char obs[64], file[NC_NAME_MAX + 32], fired[32] = "";
                alerts_observed_fired_at(d, i, j, k, obs, sizeof obs);
                alert_rules_file(g, file, sizeof file);
                if (isfinite(f->median_fired_s))
                    nc_format_clock(sim_from_s(f->median_fired_s), fired, sizeof fired);
                csv_out_field(fp, d->rs[i]->sc->name);
                fputc(',', fp);
                csv_out_field(fp, g->gateway);
                fprintf(fp, ",%s,%s,", r->name, nc_platform_name(g->platform));
                csv_out_field(fp, r->metric);
                fprintf(fp, ",%.0f,%.0f,%u,%u", r->threshold, (double)r->n * r->period_s, f->detected,
                        f->failing);
                put_num(fp, f->lead_p05, 2);
                put_num(fp, f->lead_median, 2);
                fprintf(fp, ",%u,", f->false_alarms);
                csv_out_field(fp, obs);
                fprintf(fp, ",%u,%u,%u,%g,%g,%s,%s,", f->replications, r->m, r->n, r->period_s,
                        r->delay_s, r->strict ? ">" : ">=", fired);
                csv_out_field(fp, file);
                fputc(',', fp);
                if (r->dim_name != NULL) {
                    char dim[128];
                    snprintf(dim, sizeof dim, "%s=%s", r->dim_name, r->dim_value);
                    csv_out_field(fp, dim);
                }
                fputc('\n', fp);
            }
        }
    }
    return outdir_end(od, fp, err);
}

nc_status alerts_series_write(outdir *od, const nc_scen_result *r, nc_error *err)
{
    char rel[NC_NAME_MAX + 32];
    snprintf(rel, sizeof rel, "%s/alert_series.csv", r->sc->name);
    FILE *fp;
    nc_status st = outdir_begin(od, rel, &fp, err);
    if (st != NC_OK)
        return st;
    fputs("gateway,replication,k,t_end_s,in_use,in_use_max,open,attempts,alloc_failures,"
          "first_failure_s\n", fp);
    double end = sim_to_s(r->duration_us);
    for (size_t g = 0; g < r->sc->ngateways; g++) {
        for (uint32_t j = 0; j < r->reps; j++) {
            sim_time f = r->gw[g].first_fail_by_rep[j];
            char ff[40] = "";
            if (f != SIM_TIME_NONE)
                snprintf(ff, sizeof ff, "%.6f", sim_to_s(f));
            for (uint32_t k = 0; k < r->nsamples; k++) {
                double t = (double)(k + 1) * sim_to_s(r->sample_us);
                csv_out_field(fp, r->sc->gateways[g].name);
                fprintf(fp, ",%u,%u,%.6g,%.0f,%.0f,%.0f,%.0f,%.0f,%s\n", j + 1, k, t < end ? t : end,
                        alert_value(r, g, ALERT_IN_USE, j, k), alert_value(r, g, ALERT_IN_USE_MAX, j, k),
                        alert_value(r, g, ALERT_OPEN, j, k),
                        alert_value(r, g, ALERT_ATTEMPTS, j, k),
                        alert_value(r, g, ALERT_FAILURES, j, k), ff);
            }
        }
    }
    return outdir_end(od, fp, err);
}

void alerts_print(FILE *fp, const alerts_doc *d)
{
    fprintf(fp, "%-20s %-14s %-8s %-9s %-44s %10s %9s %13s %6s\n", "scenario", "gateway", "rule",
            "platform", "metric", "threshold", "detected", "lead p05/med", "false");
    for (size_t i = 0; i < d->n; i++)
        for (size_t j = 0; j < d->ngw; j++) {
            if (d->gw_index[i * d->ngw + j] == (size_t)-1)
                continue;
            for (int k = 0; k < 2; k++) {
                const alert_rule *r = &d->gw[j].rule[k];
                const alert_figures *f = &d->fig[(i * d->ngw + j) * 2 + k];
                char det[32], lead[40];
                snprintf(det, sizeof det, "%u/%u", f->detected, f->failing);
                if (isfinite(f->lead_median))
                    snprintf(lead, sizeof lead, "%.1f/%.1f", f->lead_p05, f->lead_median);
                else
                    snprintf(lead, sizeof lead, "-");
                fprintf(fp, "%-20.20s %-14.14s %-8s %-9s %-44.44s %s%9.0f %9s %13s %6u\n",
                        d->rs[i]->sc->name, d->gw[j].gateway, r->name,
                        nc_platform_name(d->gw[j].platform), r->metric, r->strict ? "> " : ">=",
                        r->threshold, det, lead, f->false_alarms);
            }
        }
}

/* ---- runbook ---------------------------------------------------------------------- */

static const char *plan_cell(const csv_read_table *t, const char *scenario, const char *gateway,
                             const char *col)
{
    if (t == NULL)
        return NULL;
    size_t cs = SIZE_MAX, cg = SIZE_MAX, cc = SIZE_MAX;
    for (size_t c = 0; c < t->ncols; c++) {
        const char *h = csv_read_header(t, c);
        if (strcmp(h, "scenario") == 0)
            cs = c;
        else if (strcmp(h, "gateway") == 0)
            cg = c;
        if (strcmp(h, col) == 0)
            cc = c;
    }
    if (cs == SIZE_MAX || cg == SIZE_MAX || cc == SIZE_MAX)
        return NULL;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *s = csv_read_cell(t, r, cs), *g = csv_read_cell(t, r, cg);
        if (s && g && strcmp(s, scenario) == 0 && strcmp(g, gateway) == 0)
            return csv_read_cell(t, r, cc);
    }
    return NULL;
}

static void confirm_lines(const alert_gw_rules *g, runbook *rb)
{
    const char *n = g->gateway;
    size_t k = 0;
    switch (g->platform) {
    case NC_PLATFORM_AWS:
        snprintf(rb->confirm[k++], sizeof rb->confirm[0],
                 "aws cloudwatch get-metric-statistics --namespace AWS/NATGateway --metric-name "
                 "ErrorPortAllocation --dimensions Name=NatGatewayId,Value=%s --statistics Sum "
                 "--period 60 --start-time START --end-time END  (> 0: no source port)", n);
        snprintf(rb->confirm[k++], sizeof rb->confirm[0],
                 "the same with --metric-name ActiveConnectionCount --statistics Maximum: open "
                 "connections against the alert threshold; ConnectionAttemptCount above "
                 "ConnectionEstablishedCount means SYNs unanswered");
        snprintf(rb->confirm[k++], sizeof rb->confirm[0],
                 "VPC Flow Logs of the NAT gateway's interface: top destinations by new flows "
                 "(which client opens a connection per request)");
        break;
    case NC_PLATFORM_GCP:
        snprintf(rb->confirm[k++], sizeof rb->confirm[0],
                 "Metrics Explorer: compute.googleapis.com/nat/dropped_sent_packets_count with "
                 "reason OUT_OF_RESOURCES > 0 (drops for lack of ports; ENDPOINT_INDEPENDENCE_CONFLICT "
                 "is a different cause)");
        snprintf(rb->confirm[k++], sizeof rb->confirm[0],
                 "gcloud logging read 'resource.type=\"nat_gateway\" AND "
                 "jsonPayload.allocation_status=\"DROPPED\"' --limit 20  (NAT logging on)");
        snprintf(rb->confirm[k++], sizeof rb->confirm[0],
                 "gcloud compute routers get-nat-mapping-info ROUTER --region REGION: ports per "
                 "VM; compute.googleapis.com/nat/port_usage against them");
        break;
    case NC_PLATFORM_AZURE:
        snprintf(rb->confirm[k++], sizeof rb->confirm[0],
                 "az monitor metrics list --resource NAT_GATEWAY_ID --metric SNATConnectionCount "
                 "--filter \"ConnectionState eq 'Failed'\" --aggregation Total --interval PT1M  "
                 "(> 0: SNAT failures)");
        snprintf(rb->confirm[k++], sizeof rb->confirm[0],
                 "az monitor metrics list --resource NAT_GATEWAY_ID --metric TotalConnectionCount "
                 "--aggregation Total --interval PT1M: active SNAT connections against the threshold");
        break;
    case NC_PLATFORM_AZURE_LB:
        snprintf(rb->confirm[k++], sizeof rb->confirm[0],
                 "az monitor metrics list --resource LOAD_BALANCER_ID --metric UsedSnatPorts "
                 "AllocatedSnatPorts --filter \"BackendIPAddress eq '*'\" --aggregation Average "
                 "--interval PT1M: the backend whose used ports reach its allocation");
        snprintf(rb->confirm[k++], sizeof rb->confirm[0],
                 "az monitor metrics list --resource LOAD_BALANCER_ID --metric SnatConnectionCount "
                 "--filter \"ConnectionState eq 'Failed'\" --aggregation Total  (> 0: SNAT failures)");
        break;
    default:
        snprintf(rb->confirm[k++], sizeof rb->confirm[0],
                 "conntrack -S on the NAT host: insert_failed (no free source port for the "
                 "tuple) and drop (table full) rising per CPU");
        snprintf(rb->confirm[k++], sizeof rb->confirm[0],
                 "conntrack -C against sysctl net.netfilter.nf_conntrack_max; conntrack -L -p tcp "
                 "--state TIME_WAIT | wc -l for the mappings held after close");
        snprintf(rb->confirm[k++], sizeof rb->confirm[0],
                 "PromQL: node_nf_conntrack_entries{instance=\"%s\"} and "
                 "increase(node_nf_conntrack_stat_insert_failed{instance=\"%s\"}[5m])", n, n);
        break;
    }
    rb->nconfirm = k;
}

void alerts_runbook(const alerts_doc *d, size_t j, runbook *rb)
{
    memset(rb, 0, sizeof *rb);
    const alert_gw_rules *g = &d->gw[j];
    /* the first scenario (in batch order) where this gateway fails */
    const nc_scen_result *fr = NULL;
    size_t fg = 0;
    for (size_t i = 0; i < d->n && fr == NULL; i++) {
        size_t gi = d->gw_index[i * d->ngw + j];
        if (gi != (size_t)-1 && d->rs[i]->gw[gi].exhausted_reps > 0) {
            fr = d->rs[i];
            fg = gi;
        }
    }
    if (fr != NULL) {
        char at[32];
        nc_format_clock(fr->gw[fg].first_exhaustion, at, sizeof at);
        nc_gw_summary s;
        nc_summarize_gateway(fr, fg, &s);
        snprintf(rb->symptom, sizeof rb->symptom,
                 "Outbound connections through %s fail or time out (connect timeouts, resets, "
                 "5xx from the callers) while the destinations are healthy; retries make it "
                 "worse. Simulated in scenario %s from %s, %.2f %% of requests failed.",
                 g->gateway, fr->sc->name, at, s.failed_request_pct);
    } else {
        snprintf(rb->symptom, sizeof rb->symptom,
                 "Outbound connections through %s fail or time out (connect timeouts, resets, "
                 "5xx from the callers) while the destinations are healthy. No simulated "
                 "scenario failed.", g->gateway);
    }
    confirm_lines(g, rb);
    /* fixes: plan.csv's answers for the first scenario with the gateway, then the
     * simulated scenarios ranked by the headroom they leave */
    size_t i0 = SIZE_MAX;
    for (size_t i = 0; i < d->n && i0 == SIZE_MAX; i++)
        if (d->gw_index[i * d->ngw + j] != (size_t)-1)
            i0 = i;
    size_t nf = 0;
    if (i0 != SIZE_MAX && d->plan != NULL) {
        const nc_scenario *sc = d->rs[i0]->sc;
        const nc_gateway *gw = &sc->gateways[d->gw_index[i0 * d->ngw + j]];
        const char *ips = plan_cell(d->plan, sc->name, g->gateway, "min_nat_ips");
        const char *pool = plan_cell(d->plan, sc->name, g->gateway, "pool_idle_needed");
        const char *tw = plan_cell(d->plan, sc->name, g->gateway, "time_wait_s_needed");
        const char *hr = plan_cell(d->plan, sc->name, g->gateway, "headroom_rate_scale");
        if (hr)
            snprintf(rb->fix[nf++], sizeof rb->fix[0],
                     "plan (scenario %s): headroom today %sx the traffic before a failure; each "
                     "fix below meets plan's target on its own:", sc->name, hr);
        if (ips && atol(ips) > (long)gw->nat_ips)
            snprintf(rb->fix[nf++], sizeof rb->fix[0], "NAT IPs %u \u2192 %s (%s)", gw->nat_ips, ips,
                     nc_platform_nat_ip_setting(g->platform));
        if (pool && atol(pool) > 0)
            snprintf(rb->fix[nf++], sizeof rb->fix[0],
                     "client connection pooling: keep %s idle connection(s) per instance and API",
                     pool);
        if (tw && nc_platform_time_wait_setting(g->platform) && atof(tw) < gw->time_wait_s)
            snprintf(rb->fix[nf++], sizeof rb->fix[0], "TIME_WAIT %g s \u2192 %s s (%s)", gw->time_wait_s,
                     tw, nc_platform_time_wait_setting(g->platform));
    }
    /* the batch's scenarios, most headroom first */
    size_t order[RUNBOOK_MAX];
    double head[RUNBOOK_MAX];
    size_t no = 0;
    for (size_t i = 0; i < d->n && no < RUNBOOK_MAX; i++) {
        size_t gi = d->gw_index[i * d->ngw + j];
        if (gi == (size_t)-1)
            continue;
        nc_gw_summary s;
        nc_summarize_gateway(d->rs[i], gi, &s);
        double h = d->rs[i]->gw[gi].exhausted_reps > 0 ? -1 : 1 - s.peak_utilization;
        size_t at = no++;
        while (at > 0 && head[at - 1] < h) {
            head[at] = head[at - 1];
            order[at] = order[at - 1];
            at--;
        }
        head[at] = h;
        order[at] = i;
    }
    for (size_t o = 0; o < no && nf < RUNBOOK_MAX; o++) {
        const nc_scen_result *r = d->rs[order[o]];
        size_t gi = d->gw_index[order[o] * d->ngw + j];
        nc_gw_summary s;
        nc_summarize_gateway(r, gi, &s);
        const char *desc = r->sc->description && *r->sc->description ? r->sc->description : "";
        if (r->gw[gi].exhausted_reps > 0)
            snprintf(rb->fix[nf++], sizeof rb->fix[0],
                     "scenario %s: still fails (%u of %u replications) %s%s%s", r->sc->name,
                     r->gw[gi].exhausted_reps, r->reps, *desc ? "- " : "", desc, "");
        else
            snprintf(rb->fix[nf++], sizeof rb->fix[0],
                     "scenario %s: peak %.0f %% of the ports, headroom %.0f %% %s%s", r->sc->name,
                     100 * s.peak_utilization, 100 * (1 - s.peak_utilization), *desc ? "- " : "",
                     desc);
    }
    rb->nfix = nf;
    char file[NC_NAME_MAX + 32];
    alert_rules_file(g, file, sizeof file);
    for (int k = 0; k < 2; k++) {
        const alert_rule *r = &g->rule[k];
        snprintf(rb->rules[k], sizeof rb->rules[0],
                 "%s (%s): %s (%s) %s %.0f in %u of %u datapoints of %g s%s", r->name, file, r->metric,
                 r->statistic, r->strict ? ">" : ">=", r->threshold, r->m, r->n, r->period_s,
                 r->delay_s > 0 ? " (metric delay included in the evaluation)" : "");
    }
    rb->nrules = 2;
}

/* ---- report.md ------------------------------------------------------------------------- */

static void md_text(FILE *fp, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '*' || *s == '_' || *s == '`' || *s == '[' || *s == ']' ||
            *s == '\\' || *s == '<' || *s == '>')
            fputc('\\', fp);
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, fp);
    }
}

void alerts_markdown(FILE *fp, void *ud)
{
    const alerts_doc *d = ud;
    fprintf(fp, "## Alerts\n\n"
                "Written by `natcap alerts` (port-level alert at %.0f %%, lead %g min) into "
                "[alerts/](alerts/); every rule evaluated with its own semantics on every "
                "simulated replication ([alerts.csv](alerts.csv)).\n\n",
            100 * d->alert_at, d->lead_minutes);
    fputs("| scenario | gateway | rule | metric | threshold | detected | lead p05 / median (min) "
          "| false alarms |\n| --- | --- | --- | --- | ---: | ---: | ---: | ---: |\n", fp);
    for (size_t i = 0; i < d->n; i++)
        for (size_t j = 0; j < d->ngw; j++) {
            if (d->gw_index[i * d->ngw + j] == (size_t)-1)
                continue;
            for (int k = 0; k < 2; k++) {
                const alert_rule *r = &d->gw[j].rule[k];
                const alert_figures *f = &d->fig[(i * d->ngw + j) * 2 + k];
                fputs("| ", fp);
                md_text(fp, d->rs[i]->sc->name);
                fputs(" | ", fp);
                md_text(fp, d->gw[j].gateway);
                fprintf(fp, " | %s | ", r->name);
                md_text(fp, r->metric);
                fprintf(fp, " | %s %.0f | %u of %u | ", r->strict ? ">" : "\u2265", r->threshold,
                        f->detected, f->failing);
                if (isfinite(f->lead_median))
                    fprintf(fp, "%.1f / %.1f", f->lead_p05, f->lead_median);
                else
                    fputs("-", fp);
                fprintf(fp, " | %u of %u |\n", f->false_alarms, f->replications - f->failing);
            }
        }
    fputs("\nDetected: failing replications in which the rule fired; lead: minutes from the "
          "firing to the first failed allocation (negative: after it); false alarms: "
          "replications without a failure in which it fired.\n\n## Runbook\n\n", fp);
    for (size_t j = 0; j < d->ngw; j++) {
        runbook rb;
        alerts_runbook(d, j, &rb);
        fputs("### Gateway ", fp);
        md_text(fp, d->gw[j].gateway);
        fprintf(fp, " (%s)\n\n**Symptom.** ", nc_platform_name(d->gw[j].platform));
        md_text(fp, rb.symptom);
        fputs("\n\n**Confirm.**\n\n", fp);
        for (size_t k = 0; k < rb.nconfirm; k++)
        {
            fputs("- ", fp);
            md_text(fp, rb.confirm[k]);
            fputc('\n', fp);
        }
        fputs("\n**Fixes**, ranked", fp);
        fputs(d->plan ? " (plan.csv of `natcap plan` in this directory, then the simulated "
                        "scenarios by the headroom they leave):\n\n"
                      : " by the headroom each simulated scenario leaves (run `natcap plan -o` "
                        "into this directory first to add plan's answers):\n\n", fp);
        for (size_t k = 0; k < rb.nfix; k++) {
            fprintf(fp, "%zu. ", k + 1);
            md_text(fp, rb.fix[k]);
            fputc('\n', fp);
        }
        fputs("\n**Alert rules written.**\n\n", fp);
        for (size_t k = 0; k < rb.nrules; k++) {
            fputs("- ", fp);
            md_text(fp, rb.rules[k]);
            fputs(". ", fp);
            md_text(fp, d->gw[j].rule[k].how);
            fputc('\n', fp);
        }
        fputc('\n', fp);
    }
}
