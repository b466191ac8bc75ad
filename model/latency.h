/*
 * latency.h - the time a request holds its connection, fitted to the
 * destination's median and 99th percentile (SPEC §2 destinations.csv).
 *
 *   lognormal    ln X ~ N(mu, sigma): mu = ln p50, sigma = ln(p99/p50) / z99
 *                (closed form; z99 = Phi^-1(0.99) = 2.3263).
 *   weibull      F(x) = 1 - exp(-(x/scale)^k): the quantile ratio
 *                p99/p50 = (ln 100 / ln 2)^(1/k) gives k in closed form, then
 *                scale = p50 / (ln 2)^(1/k).  The fit is checked against
 *                gsl_cdf_weibull_Pinv.
 *   gamma        shape k solves Q(0.99; k) / Q(0.5; k) = p99/p50 (Brent root
 *                finding on ln k with GSL's gamma quantile function; the ratio
 *                falls monotonically from infinity to 1 as k grows), then
 *                scale = p50 / Q(0.5; k, 1).
 *   exponential  mean = p50 / ln 2 (p99 is not used).
 *   constant     always p50.
 *
 * All times in seconds.  Sampling draws from a gsl_rng; lognormal and gamma
 * use GSL's ziggurat Gaussian.
 */
#ifndef NATCAP_MODEL_LATENCY_H
#define NATCAP_MODEL_LATENCY_H

#include "config.h"
#include "status.h"

#include <gsl/gsl_rng.h>

typedef struct latency_fit {
    nc_latency_dist dist;
    double a, b;          /* lognormal: mu, sigma; gamma: shape, scale; weibull: shape, scale;
                             exponential: mean, -; constant: value, - */
    double mean_s;        /* E[X], for the analytic checks and plan */
} latency_fit;

/* Fit from milliseconds (p99 ignored for exponential and constant).
 * NC_EINPUT (with err->msg set) when the quantiles cannot be fitted. */
nc_status latency_fit_make(nc_latency_dist dist, double p50_ms, double p99_ms, latency_fit *out,
                           nc_error *err);

/* One draw, seconds. */
double latency_sample(const latency_fit *f, const gsl_rng *r);

/* The fitted distribution's quantile function, seconds (0 < p < 1). */
double latency_quantile(const latency_fit *f, double p);


#endif
