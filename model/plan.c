/* plan.c - placeholder until the planner lands: reports that plan is not available. */
#include "plan.h"

#include <stdlib.h>

struct plan_result {
    int unused;
};

void plan_opts_default(plan_opts *o)
{
    o->target_utilization = 0.8;
    o->growth = 1.5;
    o->alert_at = 0.8;
    o->lead_minutes = 15;
    o->jobs = 1;
    o->rng = NULL;
    o->stop = NULL;
    o->quiet = 0;
}

nc_status plan_run(const nc_scenario *scenarios, size_t n, const plan_opts *o, plan_result **out,
                   nc_error *err)
{
    (void)scenarios;
    (void)n;
    (void)o;
    *out = NULL;
    return nc_error_set(err, NC_EUSAGE, NULL, 0, NULL, "plan is not available in this build");
}

void plan_result_destroy(plan_result *p) { free(p); }

void plan_print(FILE *fp, const plan_result *p)
{
    (void)fp;
    (void)p;
}
