/*
 * fit_rounds.h - the fitting rounds of `natcap fit` (SPEC §6): the compared
 * scenario simulated, rescaled and simulated again until it reproduces the
 * observations.  cmd_fit.c handles the command's options and writes what
 * this finds.
 *
 * Per observed gateway, with the target series T = new_connections, else
 * attempts, else requests (counts per interval):
 *  1. Profile and rate.  The requests rate of the gateway's service rows
 *     becomes k * R0 * m(t): R0 their requests/s at multiplier 1 today, m a
 *     periodic piecewise-linear profile `fitted-GATEWAY` with --knots knots,
 *     peak 1.  Requests wanted per interval r_i = c_i / psi_i, where psi_i is
 *     the model's T per request in that interval (round 0: the day's ratio of
 *     the unfitted run); m and k come from the NNLS fit of r (model/fit.c).
 *  2. Rounds.  Simulate the fitted scenario, take psi_i from it (pooled rows:
 *     connections are not proportional to requests), refit; stop when the
 *     error sum |model_i - c_i| / sum c_i (plus that of the refused SYNs, weighted
 *     by their share) stops falling (or 12 rounds), keep
 *     the best round.
 *  3. --latency.  Little's law: the mean hold time is open / connection rate
 *     (open, else in_use minus the TIME_WAIT share rate * time_wait_s); the
 *     destinations behind the gateway get their latency_p50_ms and
 *     latency_p99_ms scaled by observed / model hold (shape kept), each round.
 *     A gateway whose hold time cannot be inferred (no open or in_use series,
 *     or in_use not above the TIME_WAIT share) keeps its latency (hold_why
 *     says why); when that is every gateway, the fit fails.
 * Everything runs through batch_run, so results are the same for any -j.
 */
#ifndef NATCAP_FIT_ROUNDS_H
#define NATCAP_FIT_ROUNDS_H

#include "io/observed_in.h"
#include "model/compare.h"
#include "model/config.h"
#include "model/status.h"

#include <stddef.h>

/* The command's options (cmd_fit.c parses them). */
typedef struct fit_run {
    const char *input, *output, *scenario;
    long long reps, seed;
    unsigned jobs;
    size_t knots;
    int latency, quiet;
    observed_in_opts obs;
} fit_run;

/* What the fit found for one gateway. */
typedef struct fit_gw {
    size_t g;
    int target;                 /* index in the compare of T */
    obs_metric metric;
    double k;                   /* rate factor */
    double lat;                 /* latency factor */
    double *m;                  /* [K] multipliers */
    int rounds;
    double err_before, err_after;
    double hold_obs, hold_model_before, hold_model_after;
    char hold_why[200];         /* --latency: why the hold time cannot be inferred
                                   (latency then left unchanged); "" when it can */
    int pooled;
} fit_gw;

/* The fit of one scenario: its gateways' fits and the model before (the
 * scenario as given: r0 borrows it) and after (the best round, `best`),
 * compared with the observations.  Owns everything but the scenario given;
 * fit_calibration_free releases it. */
typedef struct fit_calibration {
    fit_gw *fg;
    size_t nfg;
    nc_scenario best;           /* the fitted scenario r1 ran */
    nc_scen_result *r0, *r1;
    obs_compare *c0, *c1;
} fit_calibration;

/* Fit sc0 (replications and seed already set) to o.  NC_EINPUT (err set)
 * when no gateway has a series to fit to, it has no point on the simulated
 * day or it is zero everywhere, or with --latency when no gateway's hold
 * time can be inferred. */
nc_status fit_calibrate(const fit_run *f, const nc_scenario *sc0, const nc_observed *o,
                        fit_calibration *out, nc_error *err);
void fit_calibration_free(fit_calibration *c);   /* zeroes it */

#endif
