/*
 * fit.c - NNLS fit of a periodic piecewise-linear daily rate (see fit.h).
 */
#include "fit.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
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

/* Least squares on the columns in P (the passive set) through the normal
 * equations: G = A^T A and b = A^T c are precomputed, so a solve is O(m^3) on
 * the m passive columns (Cholesky; a pseudo-inverse by SVD if G_PP is singular).
 * z gets the solution, 0 outside P. */
static int solve_passive(const gsl_matrix *G, const gsl_vector *bv, const int *P, size_t K, double *z)
{
    size_t m = 0;
    for (size_t j = 0; j < K; j++)
        m += P[j] != 0;
    memset(z, 0, K * sizeof *z);
    if (m == 0)
        return 0;
    gsl_matrix *X = gsl_matrix_alloc(m, m), *V = gsl_matrix_alloc(m, m);
    gsl_vector *y = gsl_vector_alloc(m), *x = gsl_vector_alloc(m), *S = gsl_vector_alloc(m),
               *work = gsl_vector_alloc(m);
    int rc = -1;
    if (!X || !V || !y || !x || !S || !work)
        goto out;
    for (size_t j = 0, p = 0; j < K; j++) {
        if (!P[j])
            continue;
        gsl_vector_set(y, p, gsl_vector_get(bv, j));
        for (size_t i = 0, q = 0; i < K; i++)
            if (P[i])
                gsl_matrix_set(X, p, q++, gsl_matrix_get(G, j, i));
        p++;
    }
    gsl_matrix *C = gsl_matrix_alloc(m, m);
    if (C == NULL)
        goto out;
    gsl_matrix_memcpy(C, X);
    if (gsl_linalg_cholesky_decomp1(C) == GSL_SUCCESS) {
        gsl_linalg_cholesky_solve(C, y, x);
    } else {
        gsl_linalg_SV_decomp(X, V, S, work);
        double smax = gsl_vector_get(S, 0);
        for (size_t i = 0; i < m; i++)   /* drop the null space */
            if (gsl_vector_get(S, i) < 1e-12 * smax)
                gsl_vector_set(S, i, 0);
        gsl_linalg_SV_solve(X, V, S, y, x);
    }
    gsl_matrix_free(C);
    for (size_t j = 0, p = 0; j < K; j++)
        if (P[j])
            z[j] = gsl_vector_get(x, p++);
    rc = 0;
out:
    gsl_matrix_free(X);
    gsl_matrix_free(V);
    gsl_vector_free(y);
    gsl_vector_free(x);
    gsl_vector_free(S);
    gsl_vector_free(work);
    return rc;
}

int fit_profile(const double *a, const double *len, const double *c, size_t n, size_t K, double *u)
{
    if (n == 0 || K < 2)
        return -1;
    gsl_matrix *A = gsl_matrix_alloc(n, K), *G = gsl_matrix_alloc(K, K);
    gsl_vector *cv = gsl_vector_alloc(n), *bv = gsl_vector_alloc(K);
    double *z = malloc(K * sizeof *z), *wv = malloc(K * sizeof *wv), *colsum = calloc(K, sizeof *colsum);
    int *P = calloc(K, sizeof *P);
    double *res = malloc(n * sizeof *res);
    int rc = -1;
    if (!A || !G || !cv || !bv || !z || !wv || !colsum || !P || !res)
        goto out;
    for (size_t i = 0; i < n; i++) {
        gsl_vector_set(cv, i, c[i]);
        for (size_t j = 0; j < K; j++) {
            double d = design(j, K, a[i], len[i]);
            gsl_matrix_set(A, i, j, d);
            colsum[j] += d;
        }
    }
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, A, A, 0.0, G);
    gsl_blas_dgemv(CblasTrans, 1.0, A, cv, 0.0, bv);
    /* Lawson-Hanson */
    memset(u, 0, K * sizeof *u);
    for (int outer = 0; outer < 3 * (int)K; outer++) {
        /* w = A^T (c - A u) */
        double best = 0;
        size_t jb = K;
        for (size_t j = 0; j < K; j++) {   /* w = A^T c - G u */
            double s = gsl_vector_get(bv, j);
            for (size_t q = 0; q < K; q++)
                s -= gsl_matrix_get(G, j, q) * u[q];
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
            if (solve_passive(G, bv, P, K, z) != 0)
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
    gsl_matrix_free(G);
    gsl_vector_free(cv);
    gsl_vector_free(bv);
    free(z);
    free(wv);
    free(colsum);
    free(P);
    free(res);
    return rc;
}
