/*
 * cmd_plan.c - `natcap plan`: what fixes the exhaustion (model/plan.h),
 * written as plan.csv, plan.md and the report's plan page (io/plan_out.h).
 */
#include "cmd.h"

#include "io/plan_json.h"
#include "io/plan_out.h"

#include <math.h>
#include "plot/plan_plot.h"
#include "plot/plot.h"

#include <unistd.h>

/* A scenario's baseline ran out of ports (what `run --fail-on-exhaustion` tests). */
static int baseline_exhausted(const plan_result *pr)
{
    for (size_t i = 0; i < pr->n; i++) {
        const nc_scen_result *b = pr->scen[i].base;
        if (b != NULL && cmd_any_exhausted(&b, 1))
            return 1;
    }
    return 0;
}

/* --fail-below-headroom H: a gateway's headroom (the largest traffic
 * multiplier without a failed allocation) below H, or none (it fails at any
 * load); each one named on stderr. */
static int headroom_below(const plan_result *pr, double h)
{
    int below = 0;
    for (size_t i = 0; i < pr->n; i++) {
        const plan_scenario *ps = &pr->scen[i];
        for (size_t g = 0; g < ps->sc->ngateways; g++) {
            double x = ps->gw[g].headroom_rate_scale;
            if (isnan(x))
                cli_log_error("headroom gate: scenario %s, gateway %s: no headroom, it fails at "
                              "any load (instances without ports), below %gx",
                              ps->sc->name, ps->sc->gateways[g].name, h);
            else if (x < h)
                cli_log_error("headroom gate: scenario %s, gateway %s: headroom %.2fx is below %gx",
                              ps->sc->name, ps->sc->gateways[g].name, x, h);
            below |= isnan(x) || x < h;
        }
    }
    return below;
}

int cmd_plan(const cli *c, char **operands, size_t noperands)
{
    (void)operands;
    (void)noperands;
    const gsl_rng_type *T;
    nc_input in = {0};
    int rc = cmd_prepare(c, &in, &T);
    if (rc >= 0)
        return rc;
    plan_opts po = c->plan;
    /* the gate asks whether the headroom reaches H: search at least that far */
    if (c->fail_below_headroom > po.max_scale)
        po.max_scale = c->fail_below_headroom;
    po.jobs = c->jobs;
    po.rng = T;
    po.stop = &cmd_stop_flag;
    plan_progress pp = {isatty(STDERR_FILENO), c->quiet, 0};
    po.progress = plan_progress_report;
    po.ud = &pp;
    nc_error err = {0};
    outdir *od = NULL;
    plan_result *pr = NULL;
    nc_status st = plan_run(in.scenarios, in.nscenarios, &po, &pr, &err);
    plan_progress_end(&pp);
    if (st == NC_OK)
        st = outdir_open(c->output, &od, &err);
    if (st == NC_OK) {
        plot_opts plo = {c->formats, c->input, cmd_run_epoch()};
        st = plan_write(od, pr, &plo, &err);
        if (st == NC_OK)
            st = plan_json_write(od, pr, &err);
        if (st == NC_OK)   /* report.{pdf,md} of the baseline, with the plan page */
            st = plan_write_report(od, pr, &plo, &err);
        if (st == NC_OK && cmd_stop_flag)
            st = nc_error_set(&err, NC_EINTR, NULL, 0, NULL, "interrupted");
        if (st == NC_OK)
            st = outdir_commit(od, &err);
        outdir_close(od);
    }
    if (st == NC_OK && !c->quiet)
        plan_out_table(stdout, pr);
    /* --fail-on-exhaustion: exit 3 when a scenario's baseline ran out of ports. */
    rc = st == NC_OK ? 0 : cmd_report(&err);
    if (st == NC_OK && c->fail_on_exhaustion && baseline_exhausted(pr))
        rc = EXIT_EXHAUSTED;
    if (st == NC_OK && !isnan(c->fail_below_headroom) && headroom_below(pr, c->fail_below_headroom))
        rc = EXIT_EXHAUSTED;
    plan_result_destroy(pr);
    nc_input_free(&in);
    return rc;
}
