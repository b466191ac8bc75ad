/*
 * fit.h - the daily profile fit of `natcap fit` (SPEC §6): a periodic
 * piecewise-linear rate with K equally spaced knots over the day, fitted by
 * non-negative least squares to counts observed per interval.
 *
 * Basis: hat functions phi_j (1 at knot j = j * 86400 / K, 0 at its
 * neighbours, periodic).  The expected count of interval [a, a + len) is
 * sum_j u_j * integral of phi_j over it (exact: the integrand is linear
 * between knots), so u_j is the rate (per second) at knot j.  Solved by
 * Lawson-Hanson NNLS, each passive-set subproblem through the normal
 * equations (GSL BLAS and Cholesky; SVD when singular).  Knots that no observed interval touches take the
 * value of the nearest knot that one does.
 */
#ifndef NATCAP_MODEL_FIT_H
#define NATCAP_MODEL_FIT_H

#include <stddef.h>

/* u[K] from n intervals (start a[i] s of the day, length len[i] s, count c[i]).
 * 0 on success, -1 on ENOMEM or no usable interval. */
int fit_profile(const double *a, const double *len, const double *c, size_t n, size_t K, double *u);

/* integral over [a, a + len) of the periodic piecewise-linear function with
 * knot values u[K] (the design of fit_profile, for tests and rescaling). */
double fit_profile_integral(const double *u, size_t K, double a, double len);

#endif
