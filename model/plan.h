/*
 * plan.h - `natcap plan`: capacity answers from many runs of the model
 * (issue 4): headroom, NAT IPs needed, pooling needed, TIME_WAIT needed,
 * alert lead time, and the analytic infinite-port occupancy beside the
 * simulated peak.
 */
#ifndef NATCAP_MODEL_PLAN_H
#define NATCAP_MODEL_PLAN_H

#include "config.h"
#include "nc.h"
#include "result.h"

#include <gsl/gsl_rng.h>
#include <signal.h>
#include <stdio.h>

typedef struct plan_opts {
    double target_utilization;   /* U, default 0.8 */
    double growth;               /* G, default 1.5 */
    double alert_at;             /* A, default 0.8 */
    double lead_minutes;         /* M, default 15 */
    unsigned jobs;
    const gsl_rng_type *rng;
    const volatile sig_atomic_t *stop;
    int quiet;                   /* no progress line */
} plan_opts;

void plan_opts_default(plan_opts *o);

typedef struct plan_result plan_result;

/* Answer every question for every scenario and gateway. */
nc_status plan_run(const nc_scenario *scenarios, size_t n, const plan_opts *o, plan_result **out,
                   nc_error *err);
void plan_result_destroy(plan_result *p);   /* NULL is a no-op */

/* The table on stdout. */
void plan_print(FILE *fp, const plan_result *p);

#endif
