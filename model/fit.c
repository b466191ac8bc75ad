/*
 * fit.c - NNLS fit of a periodic piecewise-linear daily rate (see fit.h).
 */
#include "fit.h"

#include <gsl/gsl_multifit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400.0

/* integral of hat j over [x0, x1] within one day (0 <= x0 <= x1 <= DAY), by
 * the trapezoid rule between breakpoints (exact for a linear integrand) */
static double hat_value(size_t j, size_t K, double t)
{
    double h = DAY / (double)K, tj = (double)j * h;
    double d = fabs(t - tj);
    d = fmin(d, DAY - d);   /* periodic */
    return d >= h ? 0 : 1 - d / h;
}

static double hat_integral(size_t j, size_t K, double x0, double x1)
{
    double h = DAY / (double)K, sum = 0, prev = x0;
    size_t b = (size_t)floor(x0 / h) + 1;
    for (;; b++) {
        double x = fmin((double)b * h, x1);
        if (x > prev)
            sum += 0.5 * (x - prev) * (hat_value(j, K, prev) + hat_value(j, K, x));
        prev = x;
        if (x >= x1)
            break;
    }
    return sum;
}

/* over [a, a + len), wrapped into the day */
static double design(size_t j, size_t K, double a, double len)
{
    double s = 0;
    a = fmod(a, DAY);
    if (a < 0)
        a += DAY;
    while (len > 1e-12) {
        double e = fmin(a + len, DAY);
        s += hat_integral(j, K, a, e);
        len -= e - a;
        a = 0;
    }
    return s;
}

double fit_profile_integral(const double *u, size_t K, double a, double len)
{
    double s = 0;
    for (size_t j = 0; j < K; j++)
        if (u[j] != 0)
            s += u[j] * design(j, K, a, len);
    return s;
}

/* least squares on the columns in P (passive set); z gets the solution (0 elsewhere) */
static int solve_passive(const gsl_matrix *A, const gsl_vector *c, const int *P, size_t K, double *z)
{
    size_t m = 0;
    for (size_t j = 0; j < K; j++)
        m += P[j] != 0;
    memset(z, 0, K * sizeof *z);
    if (m == 0)
        return 0;
    size_t n = A->size1;
    gsl_matrix *X = gsl_matrix_alloc(n, m), *cov = gsl_matrix_alloc(m, m);
    gsl_vector *y = gsl_vector_alloc(m);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, m);
    if (!X || !cov || !y || !w) {
        gsl_matrix_free(X);
        gsl_matrix_free(cov);
        gsl_vector_free(y);
        if (w)
            gsl_multifit_linear_free(w);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0, q = 0; j < K; j++)
            if (P[j])
                gsl_matrix_set(X, i, q++, gsl_matrix_get(A, i, j));
    double chisq;
    size_t rank;
    /* SVD-based: tolerates columns with few observations */
    gsl_multifit_linear_tsvd(X, c, 1e-12, y, cov, &chisq, &rank, w);
    for (size_t j = 0, q = 0; j < K; j++)
        if (P[j])
            z[j] = gsl_vector_get(y, q++);
    gsl_matrix_free(X);
    gsl_matrix_free(cov);
    gsl_vector_free(y);
    gsl_multifit_linear_free(w);
    return 0;
}

int fit_profile(const double *a, const double *len, const double *c, size_t n, size_t K, double *u)
{
    if (n == 0 || K < 2)
        return -1;
    gsl_matrix *A = gsl_matrix_alloc(n, K);
    gsl_vector *cv = gsl_vector_alloc(n);
    double *z = malloc(K * sizeof *z), *wv = malloc(K * sizeof *wv), *colsum = calloc(K, sizeof *colsum);
    int *P = calloc(K, sizeof *P);
    double *res = malloc(n * sizeof *res);
    int rc = -1;
    if (!A || !cv || !z || !wv || !colsum || !P || !res)
        goto out;
    for (size_t i = 0; i < n; i++) {
        gsl_vector_set(cv, i, c[i]);
        for (size_t j = 0; j < K; j++) {
            double d = design(j, K, a[i], len[i]);
            gsl_matrix_set(A, i, j, d);
            colsum[j] += d;
        }
    }
    /* Lawson-Hanson */
    memset(u, 0, K * sizeof *u);
    for (int outer = 0; outer < 3 * (int)K; outer++) {
        /* w = A^T (c - A u) */
        double best = 0;
        size_t jb = K;
        for (size_t i = 0; i < n; i++) {
            double r = c[i];
            for (size_t q = 0; q < K; q++)
                r -= gsl_matrix_get(A, i, q) * u[q];
            res[i] = r;
        }
        for (size_t j = 0; j < K; j++) {
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += gsl_matrix_get(A, i, j) * res[i];
            wv[j] = s;
            if (!P[j] && colsum[j] > 0 && s > best) {
                best = s;
                jb = j;
            }
        }
        if (jb == K || best <= 1e-10 * (1 + fabs(best)))
            break;
        P[jb] = 1;
        for (int inner = 0; inner < 3 * (int)K; inner++) {
            if (solve_passive(A, cv, P, K, z) != 0)
                goto out;
            double alpha = 1;
            int neg = 0;
            for (size_t j = 0; j < K; j++)
                if (P[j] && z[j] <= 0) {
                    neg = 1;
                    double d = u[j] - z[j];
                    if (d > 0 && u[j] / d < alpha)
                        alpha = u[j] / d;
                }
            if (!neg) {
                memcpy(u, z, K * sizeof *u);
                break;
            }
            for (size_t j = 0; j < K; j++) {
                u[j] += alpha * (z[j] - u[j]);
                if (P[j] && u[j] <= 1e-12) {
                    P[j] = 0;
                    u[j] = 0;
                }
            }
        }
    }
    /* knots no interval touches: the nearest knot that one does */
    size_t have = 0;
    for (size_t j = 0; j < K; j++)
        have += colsum[j] > 0;
    if (have == 0)
        goto out;
    for (size_t j = 0; j < K; j++) {
        if (colsum[j] > 0)
            continue;
        for (size_t d = 1; d <= K / 2; d++) {
            size_t l = (j + K - d) % K, r = (j + d) % K;
            if (colsum[l] > 0) {
                u[j] = u[l];
                break;
            }
            if (colsum[r] > 0) {
                u[j] = u[r];
                break;
            }
        }
    }
    rc = 0;
out:
    gsl_matrix_free(A);
    gsl_vector_free(cv);
    free(z);
    free(wv);
    free(colsum);
    free(P);
    free(res);
    return rc;
}
