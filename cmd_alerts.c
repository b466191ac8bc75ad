/* cmd_alerts.c - see cmd_alerts.h. */
#include "cmd_alerts.h"

#include "cmd.h"

#include "io/alert_rules.h"
#include "io/alerts_out.h"
#include "io/csv_out.h"
#include "io/csv_read.h"
#include "io/json_out.h"
#include "model/alert.h"
#include "model/batch.h"
#include "plot/alerts_page.h"
#include "plot/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static nc_status oom(nc_error *err) { return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory"); }

/* The gateways by name in order of first appearance; gw_index[i * ngw + j]. */
static nc_status collect_gateways(nc_scen_result *const *rs, size_t n, alert_gw_rules **out,
                                  size_t *ngw, size_t **index, nc_error *err)
{
    size_t cap = 0;
    for (size_t i = 0; i < n; i++)
        cap += rs[i]->sc->ngateways;
    alert_gw_rules *gw = calloc(cap ? cap : 1, sizeof *gw);
    size_t m = 0;
    if (gw == NULL)
        return oom(err);
    for (size_t i = 0; i < n; i++)
        for (size_t g = 0; g < rs[i]->sc->ngateways; g++) {
            const char *name = rs[i]->sc->gateways[g].name;
            size_t j;
            for (j = 0; j < m && strcmp(gw[j].gateway, name) != 0; j++)
                ;
            if (j == m) {
                gw[m].gateway = name;
                gw[m].capacity = rs[i]->gw[g].capacity;
                m++;
            }
        }
    size_t *ix = malloc((n * m > 0 ? n * m : 1) * sizeof *ix);
    if (ix == NULL) {
        free(gw);
        return oom(err);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++) {
            ix[i * m + j] = (size_t)-1;
            for (size_t g = 0; g < rs[i]->sc->ngateways; g++)
                if (strcmp(rs[i]->sc->gateways[g].name, gw[j].gateway) == 0)
                    ix[i * m + j] = g;
        }
    *out = gw;
    *ngw = m;
    *index = ix;
    return NC_OK;
}

/* plan.csv of an earlier `natcap plan` into the same directory, if any. */
static csv_read_table *read_plan(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/plan.csv", dir);
    csv_read_table *t = calloc(1, sizeof *t);
    nc_error e = {0};
    if (t == NULL || csv_read_file(path, 0, t, &e) != NC_OK || !t->present) {
        if (t != NULL)
            csv_read_free(t);
        free(t);
        return NULL;
    }
    return t;
}

static nc_status write_all(outdir *od, const alerts_doc *d, const alerts_opts *o,
                           const alert_gw_rules *gw, size_t ngw, nc_error *err)
{
    const nc_scen_result *const *rs = d->rs;
    nc_status st = alert_rules_write(od, gw, ngw, err);
    if (st == NC_OK)
        st = alerts_csv_write(od, d, err);
    if (st == NC_OK)
        st = json_out_from_csv(od, "alerts.csv", "alerts.json", NULL, err);
    if (st == NC_OK)
        st = csv_out_summary(od, rs, d->n, err);
    if (st == NC_OK)
        st = json_out_from_csv(od, "summary.csv", "summary.json", NULL, err);
    for (size_t i = 0; i < d->n && st == NC_OK; i++) {
        st = csv_out_timeseries(od, rs[i], err);
        if (st == NC_OK)
            st = csv_out_services(od, rs[i], err);
        if (st == NC_OK)
            st = alerts_series_write(od, rs[i], err);
        if (st == NC_OK)
            st = plot_scenario(od, rs[i], &o->plot, err);
        if (st == NC_OK && o->stop && *o->stop)
            st = nc_error_set(err, NC_EINTR, NULL, 0, NULL, "interrupted");
    }
    if (st == NC_OK)
        st = plot_comparison(od, rs, d->n, &o->plot, err);
    report_extra extra = {alerts_page_draw, alerts_markdown, (void *)(uintptr_t)d};
    if (st == NC_OK)
        st = report_write_ex(od, rs, d->n, &o->plot, &extra, err);
    return st;
}

nc_status alerts_main(const nc_input *in, const alerts_opts *o, nc_error *err)
{
    size_t n = in->nscenarios;
    nc_scen_result **rs = calloc(n + 1, sizeof *rs);
    if (rs == NULL)
        return oom(err);
    batch_opts bo = {o->jobs, o->rng, o->stop, NULL, NULL, 0, 0, NULL};
    nc_status st = batch_run(in->scenarios, n, &bo, rs, err);
    alert_gw_rules *gw = NULL;
    size_t ngw = 0, *ix = NULL;
    alert_figures *fig = NULL;
    csv_read_table *plan = NULL;
    if (st == NC_OK)
        st = collect_gateways(rs, n, &gw, &ngw, &ix, err);
    if (st == NC_OK && (fig = calloc(n * ngw * 2 + 1, sizeof *fig)) == NULL)
        st = oom(err);
    size_t *gwi = ngw ? malloc(n * sizeof *gwi) : NULL;
    if (st == NC_OK && ngw > 0 && gwi == NULL)
        st = oom(err);
    for (size_t j = 0; j < ngw && st == NC_OK; j++) {
        alert_gw_rules *g = &gw[j];
        size_t i0 = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
            gwi[i] = ix[i * ngw + j];
            if (gwi[i] != (size_t)-1 && i0 == SIZE_MAX)
                i0 = i;
        }
        const nc_gateway *cfg = &in->scenarios[i0].gateways[gwi[i0]];
        g->platform = o->platform >= 0 ? (nc_platform)o->platform : nc_platform_of(cfg);
        alert_gw_batch b = {(const nc_scen_result *const *)rs, gwi, n};
        for (int k = 0; k < 2; k++) {
            alert_rule_init(&g->rule[k], g->platform, k, in->scenarios[i0].sample_s);
            alert_derive(&g->rule[k], &b, o->alert_at, o->lead_minutes);
        }
        /* the promtool test replays the first failing replication, else the first one */
        g->test_r = rs[i0];
        g->test_g = gwi[i0];
        g->test_rep = 0;
        int found = 0;
        for (size_t i = 0; i < n && !found; i++) {
            if (gwi[i] == (size_t)-1)
                continue;
            for (uint32_t r = 0; r < rs[i]->reps && !found; r++)
                if (rs[i]->gw[gwi[i]].first_fail_by_rep[r] != SIM_TIME_NONE) {
                    g->test_r = rs[i];
                    g->test_g = gwi[i];
                    g->test_rep = r;
                    found = 1;
                }
        }
        for (size_t i = 0; i < n; i++)
            if (gwi[i] != (size_t)-1)
                for (int k = 0; k < 2; k++)
                    alert_evaluate(&g->rule[k], rs[i], gwi[i], &fig[(i * ngw + j) * 2 + k]);
    }
    if (st == NC_OK) {
        plan = read_plan(o->output);
        alerts_doc d = {(const nc_scen_result *const *)rs, n, gw, ngw, ix, fig,
                        o->alert_at, o->lead_minutes, plan, o->observed};
        outdir *od = NULL;
        st = outdir_open(o->output, &od, err);
        if (st == NC_OK) {
            st = write_all(od, &d, o, gw, ngw, err);
            if (st == NC_OK)
                st = outdir_commit(od, err);
            outdir_close(od);
        }
        if (st == NC_OK && !o->quiet)
            alerts_print(stdout, &d);
    }
    if (plan != NULL)
        csv_read_free(plan);
    free(plan);
    free(gwi);
    free(fig);
    free(ix);
    free(gw);
    for (size_t i = 0; i < n; i++)
        nc_scen_result_destroy(rs[i]);
    free(rs);
    return st;
}

/* natcap alerts: the command (cli.c's table). */
int cmd_alerts(const cli *c, char **operands, size_t noperands)
{
    (void)operands;
    (void)noperands;
    const gsl_rng_type *T;
    nc_input in = {0};
    int rc = cmd_prepare(c, &in, &T);
    if (rc >= 0)
        return rc;
    alerts_opts ao = {c->plan.alert_at, c->plan.lead_minutes, c->platform, c->jobs, T, &cmd_stop_flag,
                      c->output, c->quiet, {c->formats, c->input, cmd_run_epoch()},
                      &cmd_observed};
    nc_error err = {0};
    nc_status st = alerts_main(&in, &ao, &err);
    nc_input_free(&in);
    return st == NC_OK ? 0 : cmd_report(&err);
}
