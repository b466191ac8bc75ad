/*
 * check_alert.c - the alert rules of model/alert.c: the M-of-N firing rule
 * against a brute-force evaluator on random series, hand-worked firing
 * times, and a threshold derived by hand on a synthetic ramp.
 */
#include "../model/alert.h"
#include "fixture.h"

#include <check.h>
#include <gsl/gsl_rng.h>
#include <math.h>

/* Brute force: at every datapoint, count the breaches of the window again. */
static double brute_fire(const alert_rule *r, const double *x, size_t n, double end_s)
{
    for (size_t k = 0; k < n; k++) {
        unsigned hits = 0;
        for (size_t i = 0; i < r->n; i++) {
            if (i > k)
                break;
            double v = x[k - i];
            hits += r->strict ? v > r->threshold : v >= r->threshold;
        }
        if (hits >= r->m) {
            double t = (double)(k + 1) * r->period_s;
            return (t < end_s ? t : end_s) + r->delay_s;
        }
    }
    return INFINITY;
}

START_TEST(test_fire_matches_brute_force)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(g, 42);
    double x[200];
    for (int trial = 0; trial < 3000; trial++) {
        alert_rule r;
        alert_rule_init(&r, (nc_platform)(trial % NC_PLATFORM_COUNT), trial % 7 == 0, 60);
        r.n = 1 + (unsigned)gsl_rng_uniform_int(g, 6);
        r.m = 1 + (unsigned)gsl_rng_uniform_int(g, r.n);
        r.threshold = (double)gsl_rng_uniform_int(g, 10);
        r.delay_s = trial % 3 == 0 ? 180 : 0;
        size_t n = 1 + gsl_rng_uniform_int(g, 200);
        for (size_t k = 0; k < n; k++)
            x[k] = (double)gsl_rng_uniform_int(g, 12);
        double end = (double)n * 60 - 30;   /* a shorter last interval */
        double a = alert_fire_on(&r, x, n, end), b = brute_fire(&r, x, n, end);
        ck_assert_msg(a == b, "trial %d: m %u n %u thr %g: %g vs %g", trial, r.m, r.n, r.threshold, a, b);
    }
    gsl_rng_free(g);
}
END_TEST

START_TEST(test_fire_by_hand)
{
    alert_rule r;
    alert_rule_init(&r, NC_PLATFORM_AWS, 0, 60);   /* 2 of 3, >= */
    ck_assert_uint_eq(r.m, 2);
    ck_assert_uint_eq(r.n, 3);
    r.threshold = 5;
    const double a[] = {5, 0, 0, 5, 0, 5};         /* 5 at k = 3 and 5: 2 of 3 at k = 5 */
    ck_assert_double_eq(alert_fire_on(&r, a, 6, 1e9), 360);
    const double b[] = {5, 0, 0, 5, 0, 0, 5};      /* never 2 within 3 */
    ck_assert(isinf(alert_fire_on(&r, b, 7, 1e9)));
    alert_rule_init(&r, NC_PLATFORM_GCP, 1, 60);   /* > 0, one datapoint, 180 s late */
    const double c[] = {0, 0, 3};
    ck_assert_double_eq(alert_fire_on(&r, c, 3, 1e9), 180 + 180);
    alert_rule_init(&r, NC_PLATFORM_LINUX, 0, 60); /* for: one interval = 2 in a row */
    r.threshold = 10;
    const double d[] = {10, 9, 10, 10};
    ck_assert_double_eq(alert_fire_on(&r, d, 4, 1e9), 240);
}
END_TEST

/* in_use = 2k in interval k of a 100-port pool, first failure at 50.5 min.
 * A = 0.8: reached at k = 40, value 80.  Lead 15 min: deadline 3030 - 900 =
 * 2130 s; datapoints due by then: k <= 34 (stamped 2100 s); with 2 in a row
 * the best is min(x[33], x[34]) = 66.  Threshold 66; it fires at k = 34,
 * 2100 s, 15.5 min ahead. */
START_TEST(test_derive_by_hand)
{
    fx f;
    fx_init(&f);
    f.sc.duration_h = 1;
    f.sc.replications = 1;
    f.gw[0].port_min = 1;
    f.gw[0].port_max = 100;
    f.gw[0].per_destination_limit = 100;
    nc_scen_result *res = nc_scen_result_create(&f.sc, 1);
    ck_assert_ptr_nonnull(res);
    ck_assert_uint_eq(res->gw[0].capacity, 100);
    for (uint32_t k = 0; k < res->nsamples; k++)
        res->gw[0].in_use_by_rep[k] = 2 * k;
    res->gw[0].first_fail_by_rep[0] = sim_from_s(3030);
    const nc_scen_result *rs[1] = {res};
    size_t gi[1] = {0};
    alert_gw_batch b = {rs, gi, 1};
    alert_rule r;
    alert_rule_init(&r, NC_PLATFORM_LINUX, 0, 60);
    alert_derive(&r, &b, 0.8, 15);
    ck_assert_double_eq(r.threshold, 66);
    ck_assert_double_eq(alert_fire_time(&r, res, 0, 0), 2100);
    alert_figures fg;
    alert_evaluate(&r, res, 0, &fg);
    ck_assert_uint_eq(fg.detected, 1);
    ck_assert_uint_eq(fg.failing, 1);
    ck_assert_double_eq_tol(fg.lead_median, 15.5, 1e-9);
    /* no lead wanted: the port-level value, 80 */
    alert_rule_init(&r, NC_PLATFORM_LINUX, 0, 60);
    alert_derive(&r, &b, 0.8, 0);
    ck_assert_double_eq(r.threshold, 80);
    nc_scen_result_destroy(res);
}
END_TEST

START_TEST(test_quantiles)
{
    double x[] = {4, 1, 3, 2, 5};
    double p05, med;
    alert_quantiles(x, 5, &p05, &med);
    ck_assert_double_eq_tol(p05, 1.2, 1e-12);   /* 1 + 0.05 x 4 x (2 - 1) */
    ck_assert_double_eq_tol(med, 3, 1e-12);
    alert_quantiles(x, 0, &p05, &med);
    ck_assert(isnan(p05) && isnan(med));
}
END_TEST

Suite *alert_suite(void);

Suite *alert_suite(void)
{
    Suite *s = suite_create("alert");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, test_fire_matches_brute_force);
    tcase_add_test(tc, test_fire_by_hand);
    tcase_add_test(tc, test_derive_by_hand);
    tcase_add_test(tc, test_quantiles);
    suite_add_tcase(s, tc);
    return s;
}
