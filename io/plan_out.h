/* plan_out.h - the text of `natcap plan`: plan.csv, plan.md, the table on
 * stdout and the progress on stderr.  The headroom charts and the report
 * with its plan page are plot/plan_plot.h. */
#ifndef NATCAP_IO_PLAN_OUT_H
#define NATCAP_IO_PLAN_OUT_H

#include "../model/plan.h"
#include "outdir.h"

#include <stdio.h>

nc_status plan_out_csv(outdir *od, const plan_result *p, nc_error *err);

typedef struct plan_md_opts {
    const char *input_dir;       /* as given, for the header */
    const char *date;            /* of the run, for the header */
    const char *chart_ext;       /* extension of the headroom charts; NULL: none */
} plan_md_opts;

nc_status plan_out_md(outdir *od, const plan_result *p, const plan_md_opts *o, nc_error *err);

/* The table on stdout (the notes below each gateway's row). */
void plan_out_table(FILE *fp, const plan_result *p);

/* Progress (a plan_opts.progress callback, ud a plan_progress): on a
 * terminal a redrawn bar with the estimated time left, else one line per
 * round; nothing when quiet. */
typedef struct plan_progress {
    int tty, quiet;
    int drawn;
} plan_progress;

void plan_progress_report(void *ud, const plan_status *st);
void plan_progress_end(plan_progress *pp);   /* clears the bar */

#endif
