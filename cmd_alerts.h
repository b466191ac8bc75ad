/* cmd_alerts.h - `natcap alerts` (SPEC §7): simulate the batch with the
 * per-replication series, derive each gateway's leading and failing rules
 * (model/alert.h), evaluate them on every replication, and write the rule
 * files, alerts.csv, the run's outputs and the report with the alerts page
 * and runbook, as one output transaction. */
#ifndef NATCAP_CMD_ALERTS_H
#define NATCAP_CMD_ALERTS_H

#include "model/observed.h"
#include "model/config.h"
#include "model/status.h"
#include "plot/plot.h"

#include <gsl/gsl_rng.h>
#include <signal.h>

typedef struct alerts_opts {
    double alert_at, lead_minutes;
    int platform;                         /* -1: each gateway's preset */
    unsigned jobs;
    const gsl_rng_type *rng;
    const volatile sig_atomic_t *stop;
    const char *output;
    int quiet;                            /* no table on stdout */
    plot_opts plot;
    const nc_observed *observed;          /* observed.csv, or NULL: observed_fired_at */
} alerts_opts;

nc_status alerts_main(const nc_input *in, const alerts_opts *o, nc_error *err);

#endif
