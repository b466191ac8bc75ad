/* plan_out.h - plan.csv, plan.md and SCENARIO/headroom.{png,pdf} of `natcap plan`. */
#ifndef NATCAP_IO_PLAN_OUT_H
#define NATCAP_IO_PLAN_OUT_H

#include "../model/plan.h"
#include "../plot/plot.h"
#include "outdir.h"

nc_status plan_write(outdir *od, const plan_result *p, const plot_opts *o, nc_error *err);

#endif
