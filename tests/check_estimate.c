/*
 * check_estimate.c - `natcap estimate` (model/estimate.h, model/pools.h)
 * against hand arithmetic and against the simulation far from capacity.
 *
 * Expected values are derived here, not read from natcap:
 *  - flat load: Little's law, mean mappings in use = lambda x E[hold],
 *    hold = latency + TIME_WAIT (constant latency: E[hold] exact);
 *  - a linear ramp lambda(t) = a + b t with a constant hold H: the M(t)/G/inf
 *    mean is the integral of lambda over [t - H, t] = H x lambda(t - H/2),
 *    peaking at the end of the ramp;
 *  - reservations: floor(nat_ips x ports per IP / ports_per_instance)
 *    instances get ports, the rest none; pools named as SPEC §5.
 * The simulation's mean in use is compared within NSD standard errors of a
 * Poisson count (its variance = its mean).
 */
#include "../model/batch.h"
#include "../model/estimate.h"
#include "../model/pools.h"
#include "fixture.h"

#include <check.h>
#include <gsl/gsl_errno.h>
#include <math.h>

Suite *estimate_suite(void);

#define NSD 4.5

static nc_scen_result *run(fx *f)
{
    gsl_set_error_handler_off();
    nc_scen_result *r = NULL;
    nc_error err = {0};
    batch_opts o = {.jobs = 2};
    nc_status st = batch_run(&f->sc, 1, &o, &r, &err);
    ck_assert_msg(st == NC_OK, "batch_run: %s", err.msg);
    return r;
}

static estimate_row estimate(const fx *f)
{
    estimate_row r;
    nc_error err = {0};
    ck_assert_int_eq(estimate_scenario(&f->sc, 0, &r, &err), NC_OK);
    return r;
}

/* Mean over replications of the simulated in use at the end of intervals [k0, k1). */
static double sim_mean(const nc_scen_result *r, uint32_t k0, uint32_t k1)
{
    double s = 0;
    for (uint32_t rep = 0; rep < r->reps; rep++)
        for (uint32_t k = k0; k < k1; k++)
            s += r->gw[0].in_use_by_rep[rep * r->nsamples + k];
    return s / ((double)r->reps * (k1 - k0));
}

START_TEST(flat_littles_law)
{
    fx f;
    fx_init(&f);                      /* constant 100 ms, TIME_WAIT 60 s, global pool */
    fx_add_row(&f, "web", 0, 0, 2, 50);   /* lambda = 100/s */
    double expect = 100 * (0.1 + 60);     /* 6010 */
    estimate_row e = estimate(&f);
    ck_assert_msg(fabs(e.demand_peak - expect) < 1e-6 * expect, "estimate %g, Little %g",
                  e.demand_peak, expect);
    ck_assert_uint_eq(e.capacity, 64512);
    ck_assert_uint_eq(e.pools_total, 1);
    ck_assert_str_eq(e.pool, "gw");
    ck_assert_int_eq(e.verdict, ESTIMATE_FITS);
    nc_scen_result *r = run(&f);
    /* from the third minute on (the warm-up already fills it; margin anyway) */
    double m = sim_mean(r, 2, r->nsamples);
    double se = sqrt(expect / r->reps);   /* adjacent intervals are correlated: no sqrt(k) */
    ck_assert_msg(fabs(m - expect) < NSD * se, "simulated %g, estimate %g (se %g)", m, expect,
                  se);
    nc_scen_result_destroy(r);
}
END_TEST

START_TEST(ramp_peak_at_end)
{
    fx f;
    fx_init(&f);
    double t[2] = {0, 7200}, mult[2] = {0.2, 2.0};
    size_t p = fx_add_profile(&f, "ramp", 2, t, mult);
    nc_service *s = fx_add_row(&f, "web", 0, 0, 1, 100);
    s->profile = p;
    double h = 60.1, b = 100 * 1.8 / 7200;
    /* m(t) = H x lambda(t - H/2), lambda(u) = 100 x 0.2 + b u */
    double expect = h * (100 * 0.2 + b * (7200 - h / 2));
    estimate_row e = estimate(&f);
    ck_assert_msg(fabs(e.demand_peak - expect) < 1e-3 * expect, "estimate %g, ramp %g",
                  e.demand_peak, expect);
    ck_assert_msg(fabs(e.peak_time_s - 7200) < 1e-6, "peak at %g s, expected 7200",
                  e.peak_time_s);
    nc_scen_result *r = run(&f);
    /* the last 10 intervals, each against its own m((k + 1) x 60) */
    double sim = 0, ana = 0;
    for (uint32_t k = r->nsamples - 10; k < r->nsamples; k++) {
        double tk = (k + 1) * 60.0;
        ana += h * (100 * 0.2 + b * (tk - h / 2)) / 10;
    }
    sim = sim_mean(r, r->nsamples - 10, r->nsamples);
    double se = sqrt(ana / r->reps);
    ck_assert_msg(fabs(sim - ana) < NSD * se, "simulated %g, analytic %g (se %g)", sim, ana, se);
    nc_scen_result_destroy(r);
}
END_TEST

START_TEST(per_destination_pool)
{
    fx f;
    fx_init(&f);
    f.gw[0].mapping = NC_MAPPING_PER_DESTINATION;
    f.gw[0].per_destination_limit = 55000;
    f.de[0].addresses = 2;
    fx_add_row(&f, "web", 0, 0, 4, 100);    /* 400/s over 2 addresses */
    estimate_row e = estimate(&f);
    ck_assert_str_eq(e.pool, "api#1");
    ck_assert_uint_eq(e.capacity, 55000);
    ck_assert_uint_eq(e.pools_total, 2);
    ck_assert_msg(fabs(e.demand_peak - 200 * 60.1) < 1e-6 * 200 * 60.1, "demand %g",
                  e.demand_peak);
    /* every row pooled: nothing estimated, and which of the two pools binds is
     * not known (a global gateway's only pool is still named) */
    f.sv[0].pool_idle = 4;
    e = estimate(&f);
    ck_assert_str_eq(e.pool, "");
    ck_assert_uint_eq(e.rows_estimated, 0);
    f.gw[0].mapping = NC_MAPPING_GLOBAL;
    e = estimate(&f);
    ck_assert_str_eq(e.pool, "gw");
}
END_TEST

START_TEST(instances_without_ports)
{
    fx f;
    fx_init(&f);
    f.gw[0].ports_per_instance = 64;   /* 64512 / 64 = 1008 instances get ports */
    fx_add_row(&f, "web", 0, 0, 1000, 0.01);
    fx_add_row(&f, "batch", 0, 0, 500, 0.01);
    nc_pools pl;
    nc_pools_of(&f.sc, 0, &pl);
    ck_assert_uint_eq(pl.reservable, 1008);
    ck_assert_uint_eq(pl.instances, 1500);
    ck_assert_uint_eq(pl.without_ports, 492);
    ck_assert_uint_eq(pl.pools, 1500);
    ck_assert_uint_eq(pl.first_short, 1);
    ck_assert_uint_eq(pl.first_short_inst, 9);   /* batch's instances 1..8 got ports */
    estimate_row e = estimate(&f);
    ck_assert_str_eq(e.pool, "batch#9");
    ck_assert_uint_eq(e.capacity, 0);
    ck_assert_uint_eq(e.instances_without_ports, 492);
    ck_assert_int_eq(e.verdict, ESTIMATE_EXHAUSTS);
    /* per instance: 0.01/s x 60.1 s */
    ck_assert_msg(fabs(e.demand_peak - 0.601) < 1e-6, "demand %g", e.demand_peak);
}
END_TEST

Suite *estimate_suite(void)
{
    Suite *s = suite_create("estimate");
    TCase *tc = tcase_create("estimate");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, flat_littles_law);
    tcase_add_test(tc, ramp_peak_at_end);
    tcase_add_test(tc, per_destination_pool);
    tcase_add_test(tc, instances_without_ports);
    suite_add_tcase(s, tc);
    return s;
}
