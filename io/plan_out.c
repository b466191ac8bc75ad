/* plan_out.c - placeholder until the planner lands. */
#include "plan_out.h"

nc_status plan_write(outdir *od, const plan_result *p, const plot_opts *o, nc_error *err)
{
    (void)od;
    (void)p;
    (void)o;
    return nc_error_set(err, NC_EUSAGE, NULL, 0, NULL, "plan is not available in this build");
}
