/*
 * check_sim.c - unit tests of the model's parts: latency fits, the arrival
 * process, the event queue (against qsort), replication seeds, and the
 * batch's independence of -j.
 */
#define _POSIX_C_SOURCE 200809L
#include "../model/arrivals.h"
#include "../model/batch.h"
#include "../model/event_queue.h"
#include "../model/latency.h"
#include "../model/sim.h"
#include "fixture.h"

#include <check.h>

Suite *sim_suite(void);
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <math.h>

/* ------------------------------------------------------------ latency */

static const nc_latency_dist fitted[] = {NC_LAT_LOGNORMAL, NC_LAT_GAMMA, NC_LAT_WEIBULL};

START_TEST(fit_hits_both_quantiles)
{
    gsl_set_error_handler_off();
    const double cases[][2] = {{100, 300}, {20, 900}, {250, 270}, {1, 50}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        latency_fit f;
        nc_error err = {0};
        ck_assert_int_eq(latency_fit_make(fitted[_i], cases[c][0], cases[c][1], &f, &err), NC_OK);
        ck_assert_double_eq_tol(latency_quantile(&f, 0.5), cases[c][0] / 1000, cases[c][0] * 1e-8);
        ck_assert_double_eq_tol(latency_quantile(&f, 0.99), cases[c][1] / 1000, cases[c][1] * 1e-8);
    }
}
END_TEST

/* The sample mean of 200,000 draws is within 5 standard errors of the
 * fitted distribution's mean, and the sample median near p50. */
START_TEST(sampling_matches_fit)
{
    gsl_set_error_handler_off();
    const nc_latency_dist all[] = {NC_LAT_LOGNORMAL, NC_LAT_GAMMA, NC_LAT_WEIBULL, NC_LAT_EXPONENTIAL,
                                   NC_LAT_CONSTANT};
    latency_fit f;
    nc_error err = {0};
    ck_assert_int_eq(latency_fit_make(all[_i], 100, 400, &f, &err), NC_OK);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 7);
    const int n = 200000;
    double sum = 0, sum2 = 0;
    int below = 0;
    for (int i = 0; i < n; i++) {
        double x = latency_sample(&f, r);
        sum += x;
        sum2 += x * x;
        below += x <= 0.1;
    }
    gsl_rng_free(r);
    double mean = sum / n, sd = sqrt(fmax(sum2 / n - mean * mean, 0));
    ck_assert_double_eq_tol(mean, f.mean_s, 5 * sd / sqrt(n) + 1e-12);
    if (all[_i] != NC_LAT_CONSTANT) /* P(X <= p50) = 0.5: binomial sd 0.0011 */
        ck_assert_double_eq_tol((double)below / n, 0.5, 0.006);
}
END_TEST

START_TEST(fit_rejects_bad_quantiles)
{
    latency_fit f;
    nc_error err = {0};
    ck_assert_int_eq(latency_fit_make(NC_LAT_LOGNORMAL, 100, 100, &f, &err), NC_EINPUT);
    ck_assert_int_eq(latency_fit_make(NC_LAT_GAMMA, 100, 50, &f, &err), NC_EINPUT);
    ck_assert_int_eq(latency_fit_make(NC_LAT_EXPONENTIAL, 0, 0, &f, &err), NC_EINPUT);
    ck_assert_int_eq(latency_fit_make(NC_LAT_EXPONENTIAL, 100, 0, &f, &err), NC_OK);
    ck_assert_double_eq_tol(f.mean_s, 0.1 / log(2.0), 1e-12);
}
END_TEST

/* ----------------------------------------------------------- arrivals */

static nc_profile make_profile(size_t n, double *t, double *m)
{
    nc_profile p;
    memset(&p, 0, sizeof p);
    p.npoints = n;
    p.time_s = t;
    p.multiplier = m;
    return p;
}

START_TEST(profile_rate_is_linear_and_periodic)
{
    double t[] = {6 * 3600.0, 12 * 3600.0, 18 * 3600.0};
    double m[] = {1, 3, 1};
    nc_profile p = make_profile(3, t, m);
    arrivals a;
    ck_assert_int_eq(arrivals_init(&a, &p, 10), NC_OK);
    ck_assert_double_eq_tol(arrivals_rate(&a, 9 * 3600.0), 20, 1e-9);
    ck_assert_double_eq_tol(arrivals_rate(&a, 12 * 3600.0), 30, 1e-9);
    /* 18:00 -> 06:00 next day is flat at 1 (wrap), also before 06:00 */
    ck_assert_double_eq_tol(arrivals_rate(&a, 0), 10, 1e-9);
    ck_assert_double_eq_tol(arrivals_rate(&a, -3600.0), 10, 1e-9);
    ck_assert_double_eq_tol(arrivals_rate(&a, 86400.0 + 9 * 3600.0), 20, 1e-9);
    /* integral over a day: 12 h at 10 + two 6 h ramps averaging 20 */
    ck_assert_double_eq_tol(arrivals_integral(&a, 0, 86400), 10 * 43200.0 + 20 * 43200.0, 1e-3);
    ck_assert_double_eq_tol(a.day_area, 10 * 43200.0 + 20 * 43200.0, 1e-3);
    arrivals_free(&a);
}
END_TEST

/* Counts of the non-homogeneous Poisson process in windows are Poisson with
 * the integrated rate as mean: check the mean count in each window over
 * many days against the integral within 5 standard errors.  Case 0: 1-hour
 * windows of a day of slow ramps, 20 days; case 1: 1-minute windows of a
 * steep ramp from 0 up to 10/s and back to 0 within the first hour (the
 * rate is 0 where a ramp starts: the inversion must follow the slope). */
START_TEST(nhpp_counts_match_integral)
{
    double t0[] = {0, 8 * 3600.0, 12 * 3600.0, 20 * 3600.0}, m0[] = {0.2, 0.2, 2.0, 0.5};
    double t1[] = {0, 1800, 3600}, m1[] = {0, 10, 0};
    nc_profile p = _i == 0 ? make_profile(4, t0, m0) : make_profile(3, t1, m1);
    const int days = _i == 0 ? 20 : 10, nwin = _i == 0 ? 24 : 60;
    const double win = _i == 0 ? 3600 : 60;
    arrivals a;
    ck_assert_int_eq(arrivals_init(&a, &p, 1.0), NC_OK);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 3);
    double count[60] = {0};
    double x = -3600;
    for (;;) {
        x = arrivals_next(&a, x, -log(gsl_rng_uniform_pos(r)));
        if (x >= days * 86400.0)
            break;
        int w = x >= 0 ? (int)(fmod(x, 86400.0) / win) : nwin;
        if (w < nwin)
            count[w]++;
    }
    for (int h = 0; h < nwin; h++) {
        double mu = days * arrivals_integral(&a, h * win, (h + 1) * win);
        ck_assert_msg(fabs(count[h] - mu) <= 5 * sqrt(mu) + 1, "window %d: %g arrivals, expected %g", h,
                      count[h], mu);
    }
    gsl_rng_free(r);
    arrivals_free(&a);
}
END_TEST

START_TEST(zero_rate_never_arrives)
{
    double t[] = {0};
    double m[] = {0};
    nc_profile p = make_profile(1, t, m);
    arrivals a;
    ck_assert_int_eq(arrivals_init(&a, &p, 5), NC_OK);
    ck_assert(isinf(arrivals_next(&a, 0, 1.0)));
    arrivals_free(&a);
}
END_TEST

/* -------------------------------------------------------- event queue */

typedef struct pushed_key {
    sim_time t;
    uint32_t seq, ref;
} pushed_key;

/* Index of the earliest pending key by (time, push order), linear. */
static size_t ref_min(const pushed_key *v, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i].t < v[best].t || (v[i].t == v[best].t && v[i].seq < v[best].seq))
            best = i;
    return best;
}

/* Random interleavings of push, peek (eq_next with a limit) and pop give the
 * order of a linear scan by (time, push order): delays from 0 to ~10 days
 * reach every level of the radix queue, many land on the same microsecond,
 * times start in the warm-up (negative), and the limit of eq_next sometimes
 * falls before, at or after the earliest event. */
START_TEST(queue_matches_reference)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, (unsigned long)_i + 1);
    event_queue q = {0};
    eq_reset(&q);
    enum { N = 20000 };
    pushed_key *pending = malloc(N * sizeof *pending);
    size_t np = 0, npend = 0, no = 0;
    uint32_t seq = 0;
    sim_time now = -(sim_time)3600 * 1000000;
    while (np < N || npend > 0) {
        double u = gsl_rng_uniform(r);
        if (np < N && (npend == 0 || u < 0.55)) {
            int scale = (int)gsl_rng_uniform_int(r, 40);   /* delays up to 2^40 µs */
            sim_time d = gsl_rng_uniform(r) < 0.2 ? 0 : (sim_time)gsl_rng_uniform_int(r, 1ul << (scale / 2)) << (scale / 2);
            pending[npend++] = (pushed_key){now + d, seq++, (uint32_t)np};
            ck_assert_int_eq(eq_push(&q, now + d, (uint32_t)np), 0);
            np++;
            continue;
        }
        size_t m = ref_min(pending, npend);
        sim_time limit = u < 0.7 ? pending[m].t + (sim_time)gsl_rng_uniform_int(r, 3) - 1 : SIM_TIME_NONE;
        if (limit < now)
            limit = now;
        sim_time next = eq_next(&q, limit);
        if (pending[m].t <= limit) {
            ck_assert_int_eq(next, pending[m].t);
        } else {
            ck_assert_int_gt(next, limit);   /* the caller handles something else first */
            now = limit;
            continue;
        }
        sim_time t;
        uint32_t ref;
        ck_assert_int_eq(eq_pop(&q, &t, &ref), 1);
        ck_assert_int_eq(t, pending[m].t);
        ck_assert_uint_eq(ref, pending[m].ref);
        pending[m] = pending[--npend];
        now = t;
        no++;
    }
    ck_assert_uint_eq(no, N);
    ck_assert_uint_eq(q.n, 0);
    sim_time t;
    uint32_t ref;
    ck_assert_int_eq(eq_pop(&q, &t, &ref), 0);
    ck_assert_int_eq(eq_next(&q, 0), SIM_TIME_NONE);
    free(pending);
    eq_free(&q);
    gsl_rng_free(r);
}
END_TEST

/* The arrival heap gives rows in (time, row) order under replace-top. */
START_TEST(arrival_heap_order)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 7);
    enum { ROWS = 37, N = 20000 };
    arrival_heap a = {0};
    sim_time due[ROWS];
    for (uint32_t i = 0; i < ROWS; i++) {
        due[i] = (sim_time)gsl_rng_uniform_int(r, 100);
        ck_assert_int_eq(ah_push(&a, due[i], i), 0);
    }
    for (int k = 0; k < N; k++) {
        uint32_t best = 0;
        for (uint32_t i = 1; i < ROWS; i++)
            if (due[i] < due[best])
                best = i;   /* the lowest row among equal times */
        ck_assert_int_eq(ah_top_time(&a), due[best]);
        ck_assert_uint_eq(a.h[0].row, best);
        due[best] += (sim_time)gsl_rng_uniform_int(r, 30);
        ah_replace_top(&a, due[best]);
    }
    for (uint32_t i = 0; i < ROWS; i++)
        ah_pop(&a);
    ck_assert_int_eq(ah_top_time(&a), SIM_TIME_NONE);
    free(a.h);
    gsl_rng_free(r);
}
END_TEST

/* ------------------------------------------------ settled SYN failures */

/* Settling a retransmission without its event is sound: with the shortcut
 * off, every retransmission is an event, those it would have settled are
 * marked, and none of them gets a mapping.  Through exhaustion with
 * retransmissions and retries, on a gateway with one pool and on one with a
 * pool per destination (whose pools track their own TIME_WAIT expiries),
 * with rows that share a pool, and with a pool full of long requests.  The
 * loop index picks the layout. */
START_TEST(settled_failures_are_certain)
{
    gsl_set_error_handler_off();
    fx f;
    fx_init(&f);
    f.sc.duration_h = 0.5;
    f.sc.warmup_h = 0.05;
    f.sc.sample_s = 30;
    nc_gateway *g = &f.gw[0];
    g->time_wait_s = 20;
    if (_i == 0) {
        g->port_max = 1024 + 1999;   /* one pool of 2000 */
    } else if (_i == 2) {
        /* one pool of 200 held by long requests, 50 ms TIME_WAIT: often
         * full with nothing in TIME_WAIT (a port then comes free 50 ms
         * after now at best) */
        g->port_max = 1024 + 199;
        g->time_wait_s = 0.05;
    } else {
        g->mapping = NC_MAPPING_PER_DESTINATION;
        g->per_destination_limit = 300;
        fx_add_destination(&f, "api2", f.de[0].addresses);
    }
    f.de[0].latency_dist = NC_LAT_LOGNORMAL;
    f.de[0].latency_p50_ms = _i == 2 ? 15000 : 80;
    f.de[0].latency_p99_ms = _i == 2 ? 40000 : 900;
    const double t[3] = {0, 900, 1800}, m[3] = {0.6, 1.4, 0.6};
    size_t prof = fx_add_profile(&f, "peak", 3, t, m);
    nc_service *a = fx_add_row(&f, "a", 0, 0, 10, _i == 0 ? 9 : 1.2);
    a->profile = prof;
    a->retries = 2;
    a->retry_backoff_s = 1;
    nc_service *b = fx_add_row(&f, "b", 0, _i == 0 ? 0 : 1, 5, _i == 0 ? 2 : 2.4);
    b->profile = prof;
    b->connect_timeout_s = 20;
    b->syn_retries = 3;
    b->retries = 1;
    nc_service *c = fx_add_row(&f, "c", 0, 0, 4, 0.5);   /* shares a's pool */
    c->retries = 0;
    nc_error err = {0};
    sim *s = NULL;
    ck_assert_int_eq(sim_create(&f.sc, &s, &err), NC_OK);
    sim_set_shortcuts(s, 0);
    nc_scen_result *res = nc_scen_result_create(&f.sc, 3);
    ck_assert_ptr_nonnull(res);
    uint64_t doomed = 0, connected = 0;
    for (uint32_t r = 0; r < 3; r++) {
        ck_assert_int_eq(sim_run(s, gsl_rng_taus2, 1000 + r, NULL, &err), NC_OK);
        sim_merge(s, res, r);
        uint64_t c_r;
        doomed += sim_shortcut_check(s, &c_r);
        connected += c_r;
    }
    const nc_gw_result *gr = &res->gw[0];
    ck_assert_uint_gt(gr->alloc_failures, gr->attempts / 10);   /* a storm indeed */
    ck_assert_uint_gt(gr->retries, 0);
    ck_assert_uint_gt(doomed, gr->alloc_failures / 4);   /* the shortcut has work */
    ck_assert_uint_eq(connected, 0);
    nc_scen_result_destroy(res);
    sim_destroy(s);
}
END_TEST

/* -------------------------------------------------------------- seeds */

START_TEST(seeds_are_distinct_and_not_shifted)
{
    enum { R = 5000 };
    unsigned long *a = malloc(R * sizeof *a), *b = malloc(R * sizeof *b);
    batch_rep_seeds(1, R, a);
    batch_rep_seeds(2, R, b);
    /* counted, then one assertion: 12.5 million passing ck_asserts cost a system
     * call each (Check's mark point), over a minute on a loaded machine */
    long equal = 0;
    for (int i = 0; i < R; i++)
        for (int j = i + 1; j < R; j++)
            equal += a[i] == a[j];
    ck_assert_int_eq(equal, 0);
    /* seed + i would make replication i+1 of seed 1 equal replication i of seed 2 */
    int same = 0;
    for (int i = 0; i + 1 < R; i++)
        same += a[i + 1] == b[i];
    ck_assert_int_eq(same, 0);
    /* nor any symmetric mix: (1, rep 2) == (2, rep 1) */
    for (int i = 0; i < 50; i++)
        for (int j = 0; j < 50; j++)
            ck_assert_uint_ne(a[i], b[j]);
    unsigned long again[3];
    batch_rep_seeds(1, 3, again);
    ck_assert_uint_eq(again[0], a[0]);
    ck_assert_uint_eq(again[2], a[2]);
    free(a);
    free(b);
}
END_TEST

/* ------------------------------------------------------- determinism */

static int results_equal(const nc_scen_result *x, const nc_scen_result *y)
{
    const nc_scenario *sc = x->sc;
    size_t n = x->nsamples;
    for (size_t g = 0; g < sc->ngateways; g++) {
        const nc_gw_result *a = &x->gw[g], *b = &y->gw[g];
        if (a->requests != b->requests || a->attempts != b->attempts ||
            a->alloc_failures != b->alloc_failures || a->peak_sum != b->peak_sum ||
            a->first_exhaustion != b->first_exhaustion || a->exhausted_us_sum != b->exhausted_us_sum)
            return 0;
        if (memcmp(a->in_use_by_rep, b->in_use_by_rep, x->reps * n * sizeof *a->in_use_by_rep) ||
            memcmp(a->in_use_max, b->in_use_max, n * sizeof *a->in_use_max) ||
            memcmp(a->time_wait_sum, b->time_wait_sum, n * sizeof *a->time_wait_sum) ||
            memcmp(a->failed_requests_sum, b->failed_requests_sum, n * sizeof(uint64_t)))
            return 0;
    }
    for (size_t i = 0; i < sc->nservices; i++)
        if (x->rows[i].in_use_at_peak_sum != y->rows[i].in_use_at_peak_sum ||
            memcmp(x->rows[i].in_use_sum, y->rows[i].in_use_sum, n * sizeof(uint64_t)))
            return 0;
    return 1;
}

START_TEST(jobs_do_not_change_results)
{
    gsl_set_error_handler_off();
    fx f;
    fx_init(&f);
    f.sc.replications = 6;
    f.sc.duration_h = 0.5;
    f.gw[0].port_max = 1024 + 400 - 1;
    f.gw[0].time_wait_s = 20;
    f.de[0].latency_dist = NC_LAT_LOGNORMAL;
    f.de[0].latency_p99_ms = 900;
    nc_service *s = fx_add_row(&f, "a", 0, 0, 10, 2.2);
    s->pool_idle = 2;
    s->pool_max = 3;
    fx_add_row(&f, "b", 0, 0, 5, 5.0)->retries = 1;
    nc_scen_result *r1 = NULL, *r2 = NULL;
    nc_error err = {0};
    batch_opts o1 = {.jobs = 1}, o2 = {.jobs = 2};
    ck_assert_int_eq(batch_run(&f.sc, 1, &o1, &r1, &err), NC_OK);
    ck_assert_int_eq(batch_run(&f.sc, 1, &o2, &r2, &err), NC_OK);
    ck_assert(r1->gw[0].alloc_failures > 0);   /* the case exercises failures */
    ck_assert(results_equal(r1, r2));
    nc_scen_result_destroy(r1);
    nc_scen_result_destroy(r2);
}
END_TEST

Suite *sim_suite(void)
{
    Suite *s = suite_create("sim");
    TCase *tc = tcase_create("latency");
    tcase_add_loop_test(tc, fit_hits_both_quantiles, 0, 3);
    tcase_add_loop_test(tc, sampling_matches_fit, 0, 5);
    tcase_add_test(tc, fit_rejects_bad_quantiles);
    suite_add_tcase(s, tc);
    tc = tcase_create("arrivals");
    tcase_add_test(tc, profile_rate_is_linear_and_periodic);
    tcase_add_loop_test(tc, nhpp_counts_match_integral, 0, 2);
    tcase_add_test(tc, zero_rate_never_arrives);
    suite_add_tcase(s, tc);
    tc = tcase_create("event_queue");
    tcase_add_loop_test(tc, queue_matches_reference, 0, 3);
    tcase_add_test(tc, arrival_heap_order);
    suite_add_tcase(s, tc);
    tc = tcase_create("shortcuts");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, settled_failures_are_certain, 0, 3);
    suite_add_tcase(s, tc);
    tc = tcase_create("batch");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, seeds_are_distinct_and_not_shifted);
    tcase_add_test(tc, jobs_do_not_change_results);
    suite_add_tcase(s, tc);
    return s;
}
