/* latency.c - see latency.h for the fits. */
#include "latency.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>

static double gamma_ratio(double log_k, void *param)
{
    double k = exp(log_k);
    double target = *(const double *)param;
    double q99 = gsl_cdf_gamma_Pinv(0.99, k, 1.0);
    double q50 = gsl_cdf_gamma_Pinv(0.50, k, 1.0);
    return log(q99) - log(q50) - log(target);
}

static nc_status fit_gamma(double p50, double p99, latency_fit *out, nc_error *err)
{
    double ratio = p99 / p50;
    /* Shapes outside [e^-2, e^9] make GSL 2.7's quantile return NaN; the
     * ratios they span, about 1.026 .. 490, cover real latencies. */
    double lo = -2.0, hi = 9.0;
    gsl_function fn = {gamma_ratio, &ratio};
    double flo = gamma_ratio(lo, &ratio), fhi = gamma_ratio(hi, &ratio);
    if (!(flo > 0) || !(fhi < 0))
        return nc_error_set(err, NC_EINPUT, NULL, 0, NULL,
                            "p99/p50 = %g cannot be fitted by a gamma distribution", ratio);
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (s == NULL)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    gsl_root_fsolver_set(s, &fn, lo, hi);
    double root = 0;
    int status = GSL_CONTINUE;
    for (int i = 0; i < 200 && status == GSL_CONTINUE; i++) {
        if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS)
            break;
        root = gsl_root_fsolver_root(s);
        status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                        1e-12, 1e-12);
    }
    gsl_root_fsolver_free(s);
    if (status != GSL_SUCCESS)
        return nc_error_set(err, NC_EINPUT, NULL, 0, NULL, "gamma fit did not converge");
    out->a = exp(root);
    out->b = p50 / gsl_cdf_gamma_Pinv(0.5, out->a, 1.0);
    out->mean_s = out->a * out->b;
    return NC_OK;
}

nc_status latency_fit_make(nc_latency_dist dist, double p50_ms, double p99_ms, latency_fit *out,
                           nc_error *err)
{
    double p50 = p50_ms / 1000.0, p99 = p99_ms / 1000.0;
    out->dist = dist;
    out->a = out->b = 0;
    if (!(p50 > 0) || !isfinite(p50))
        return nc_error_set(err, NC_EINPUT, NULL, 0, NULL, "latency_p50_ms must be > 0");
    int needs_p99 = dist == NC_LAT_LOGNORMAL || dist == NC_LAT_GAMMA || dist == NC_LAT_WEIBULL;
    if (needs_p99 && !(p99 > p50 && isfinite(p99)))
        return nc_error_set(err, NC_EINPUT, NULL, 0, NULL, "latency_p99_ms must be > latency_p50_ms");
    switch (dist) {
    case NC_LAT_LOGNORMAL:
        out->a = log(p50);
        out->b = log(p99 / p50) / gsl_cdf_ugaussian_Pinv(0.99);
        out->mean_s = exp(out->a + out->b * out->b / 2);
        return NC_OK;
    case NC_LAT_WEIBULL: {
        double k = log(log(100.0) / log(2.0)) / log(p99 / p50);
        out->a = k;
        out->b = p50 / pow(log(2.0), 1.0 / k);
        out->mean_s = out->b * gsl_sf_gamma(1.0 + 1.0 / k);
        if (!isfinite(out->mean_s))
            return nc_error_set(err, NC_EINPUT, NULL, 0, NULL,
                                "p99/p50 = %g is too wide for a weibull fit", p99 / p50);
        return NC_OK;
    }
    case NC_LAT_GAMMA:
        return fit_gamma(p50, p99, out, err);
    case NC_LAT_EXPONENTIAL:
        out->a = p50 / M_LN2;
        out->mean_s = out->a;
        return NC_OK;
    case NC_LAT_CONSTANT:
        out->a = p50;
        out->mean_s = p50;
        return NC_OK;
    }
    return nc_error_set(err, NC_EINPUT, NULL, 0, NULL, "unknown latency distribution");
}

double latency_sample(const latency_fit *f, const gsl_rng *r)
{
    switch (f->dist) {
    case NC_LAT_LOGNORMAL:
        return exp(f->a + f->b * gsl_ran_gaussian_ziggurat(r, 1.0));
    case NC_LAT_GAMMA:
        return gsl_ran_gamma(r, f->a, f->b);
    case NC_LAT_WEIBULL:
        return gsl_ran_weibull(r, f->b, f->a);   /* GSL: (scale, shape) */
    case NC_LAT_EXPONENTIAL:
        return gsl_ran_exponential(r, f->a);
    case NC_LAT_CONSTANT:
        return f->a;
    }
    return 0;
}

double latency_quantile(const latency_fit *f, double p)
{
    switch (f->dist) {
    case NC_LAT_LOGNORMAL: return gsl_cdf_lognormal_Pinv(p, f->a, f->b);
    case NC_LAT_GAMMA: return gsl_cdf_gamma_Pinv(p, f->a, f->b);
    case NC_LAT_WEIBULL: return gsl_cdf_weibull_Pinv(p, f->b, f->a);
    case NC_LAT_EXPONENTIAL: return gsl_cdf_exponential_Pinv(p, f->a);
    case NC_LAT_CONSTANT: return f->a;
    }
    return 0;
}
