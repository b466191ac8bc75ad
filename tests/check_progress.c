/*
 * check_progress.c - the progress bar's arithmetic (model/progress.h) and
 * the counter a running replication publishes (sim_ctl.requests).
 * and the size of a run before it starts (model/run_size.h).
 * Expected values by hand: a flat profile's expected requests are
 * instances x rps x (warm-up + day) seconds.
 */
#include "../model/batch.h"
#include "../model/progress.h"
#include "../model/run_size.h"
#include "../model/sim.h"
#include "fixture.h"

#include <check.h>
#include <math.h>

START_TEST(fraction_clamps)
{
    ck_assert_double_eq(progress_fraction(0, 100), 0);
    ck_assert_double_eq_tol(progress_fraction(25, 100), 0.25, 1e-12);
    ck_assert_double_eq(progress_fraction(150, 100), 1);
    ck_assert_double_eq(progress_fraction(5, 0), 0);
    ck_assert_double_eq(progress_fraction(-3, 10), 0);
}
END_TEST

START_TEST(eta_from_measured_rate)
{
    /* 25 % done in 10 s: 75 % left at 2.5 %/s is 30 s */
    ck_assert_double_eq_tol(progress_eta(25, 100, 10), 30, 1e-9);
    /* 10 % in 6 s: 54 s left */
    ck_assert_double_eq_tol(progress_eta(1e6, 1e7, 6), 54, 1e-9);
    /* done: nothing left */
    ck_assert_double_eq(progress_eta(100, 100, 10), 0);
    /* too early: below 1 % of the work, or under a second */
    ck_assert_double_eq(progress_eta(0.5, 100, 10), -1);
    ck_assert_double_eq(progress_eta(50, 100, 0.5), -1);
    ck_assert_double_eq(progress_eta(0, 0, 10), -1);
}
END_TEST

/* A steady rate gives the same end time whatever the point of the run:
 * elapsed + ETA is constant (the ETA does not grow as the run goes on). */
START_TEST(eta_steady_at_steady_rate)
{
    double total = 26e6, rate = 1e6;   /* requests, requests per second */
    for (double f = 0.1; f < 1; f += 0.05) {
        double elapsed = f * total / rate;
        ck_assert_double_eq_tol((elapsed + progress_eta(f * total, total, elapsed)),
                                total / rate, 1e-6);
    }
}
END_TEST

START_TEST(expected_requests_by_hand)
{
    fx f;
    fx_init(&f);   /* 2 h + 0.5 h warm-up, flat profile */
    fx_add_row(&f, "a", 0, 0, 10, 3);
    fx_add_row(&f, "b", 0, 0, 4, 0.5);
    /* (10 x 3 + 4 x 0.5) x 2.5 h x 3600 s */
    ck_assert_double_eq_tol(progress_expected_requests(&f.sc), 32.0 * 9000, 1e-6);
}
END_TEST

/* Requests over all replications; intervals rounded up; results
 * gateways x intervals x (4 x reps + 80) + rows x intervals x 8 bytes. */
START_TEST(run_size_by_hand)
{
    fx f;
    fx_init(&f);   /* 2 h + 0.5 h warm-up, 4 replications, 60 s samples, 1 gateway */
    fx_add_row(&f, "a", 0, 0, 10, 3);
    fx_add_row(&f, "b", 0, 0, 4, 0.5);
    run_size z;
    ck_assert_int_eq(run_size_of(&f.sc, &z), NC_OK);
    ck_assert_double_eq_tol(z.requests, 4 * 32.0 * 9000, 1e-6);   /* 1,152,000 */
    ck_assert_double_eq(z.intervals, 120);
    ck_assert_double_eq(z.result_bytes, 120 * 96 + 2 * 120 * 8);  /* 13,440 */

    f.sc.duration_h = 0.5;   /* 1800 s / 7 s = 257.1: 258 intervals */
    f.sc.sample_s = 7;
    f.sc.ngateways = 2;
    ck_assert_int_eq(run_size_of(&f.sc, &z), NC_OK);
    ck_assert_double_eq_tol(z.requests, 4 * 32.0 * 3600, 1e-6);   /* 460,800 */
    ck_assert_double_eq(z.intervals, 258);
    ck_assert_double_eq(z.result_bytes, 2 * 258 * 96 + 2 * 258 * 8);   /* 53,664 */
}
END_TEST

/* 150 ns per request, on min(jobs, units) threads, at least one. */
START_TEST(run_seconds_by_hand)
{
    ck_assert_double_eq_tol(run_size_seconds(1e9, 8, 2), 75, 1e-9);
    ck_assert_double_eq_tol(run_size_seconds(1e9, 1, 4), 150, 1e-9);
    ck_assert_double_eq_tol(run_size_seconds(1e9, 3, 4), 50, 1e-9);
    ck_assert_double_eq_tol(run_size_seconds(1e9, 0, 0), 150, 1e-9);
}
END_TEST

/* The replication publishes its arrivals as it goes: after the run the last
 * published count is no more than the arrivals and close to them, and the
 * arrivals match the expected count within 5 standard deviations. */
START_TEST(sim_publishes_requests)
{
    fx f;
    fx_init(&f);
    fx_add_row(&f, "a", 0, 0, 10, 20);   /* 200 rps x 9000 s = 1.8 M requests */
    sim *s = NULL;
    nc_error err = {0};
    ck_assert_int_eq(sim_create(&f.sc, &s, &err), NC_OK);
    volatile int64_t clock = -1;
    volatile uint64_t requests = 0;
    sim_ctl ctl = {NULL, &clock, &requests};
    ck_assert_int_eq(sim_run(s, gsl_rng_taus2, 7, &ctl, &err), NC_OK);
    nc_scen_result *res = nc_scen_result_create(&f.sc, 1);
    sim_merge(s, res, 0);
    double expect = progress_expected_requests(&f.sc);
    ck_assert_uint_gt(requests, 0);
    ck_assert_uint_le(requests, res->simulated);
    ck_assert_double_ge((double)requests, 0.9 * expect);
    ck_assert_double_le(fabs((double)res->simulated - expect), 5 * sqrt(expect));
    ck_assert_int_gt(clock, 0);
    nc_scen_result_destroy(res);
    sim_destroy(s);
}
END_TEST

/* -r 1000000 is allowed: its seeds must come at once (comparing every pair
 * took hours, before any progress could be drawn), all distinct, and the
 * first ones those of a small batch. */
static int cmp_ul(const void *a, const void *b)
{
    unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
    return (x > y) - (x < y);
}

START_TEST(million_seeds_distinct)
{
    enum { R = 1000000 };
    unsigned long *a = malloc(R * sizeof *a), few[4];
    ck_assert_ptr_nonnull(a);
    batch_rep_seeds(4, R, a);
    batch_rep_seeds(4, 4, few);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(few[i], a[i]);
    qsort(a, R, sizeof *a, cmp_ul);
    int dup = 0;
    for (int i = 1; i < R; i++)
        dup += a[i] == a[i - 1];
    ck_assert_int_eq(dup, 0);
    free(a);
}
END_TEST

Suite *progress_suite(void);

Suite *progress_suite(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("estimate");
    tcase_add_test(tc, fraction_clamps);
    tcase_add_test(tc, eta_from_measured_rate);
    tcase_add_test(tc, eta_steady_at_steady_rate);
    tcase_add_test(tc, expected_requests_by_hand);
    tcase_add_test(tc, run_size_by_hand);
    tcase_add_test(tc, run_seconds_by_hand);
    suite_add_tcase(s, tc);
    tc = tcase_create("counters");
    tcase_set_timeout(tc, 60);   /* ~0.5 s of CPU; a shared machine may stretch it */
    tcase_add_test(tc, sim_publishes_requests);
    tcase_add_test(tc, million_seeds_distinct);
    suite_add_tcase(s, tc);
    return s;
}
