/* plan_plot.h - the files of `natcap plan`: plan.csv and plan.md (through
 * io/plan_out.h), SCENARIO/headroom.{png,pdf,svg} and the report with its
 * plan page. */
#ifndef NATCAP_PLOT_PLAN_PLOT_H
#define NATCAP_PLOT_PLAN_PLOT_H

#include "../io/outdir.h"
#include "../model/plan.h"
#include "chart.h"
#include "plot.h"

#include <stdio.h>

nc_status plan_write(outdir *od, const plan_result *p, const plot_opts *o, nc_error *err);

/* SCENARIO/{occupancy,failures,services}.*, comparison.* and report.{pdf,md}
 * of the baseline batches (the same as `natcap run` with the same seeds and
 * replications), with the plan page as page 2 of report.pdf and a plan
 * section in report.md. */
nc_status plan_write_report(outdir *od, const plan_result *p, const plot_opts *o, nc_error *err);

/* The plan page (a report_extra: ud is a plan_page): targets, one table row
 * per scenario and gateway, and the headroom chart of the first scenario
 * with a failed allocation (else the one with the least headroom). */
typedef struct plan_page {
    const plan_result *p;
    const plot_opts *o;
} plan_page;

nc_status plan_page_draw(chart *c, double x, double y, double w, double h, void *ud);
void plan_page_markdown(FILE *fp, void *ud);

#endif
