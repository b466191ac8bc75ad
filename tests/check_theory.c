/*
 * check_theory.c - the model against queueing theory, not against itself.
 *
 * Statistical tolerances: each test runs R independent replications and
 * compares the mean of a per-replication estimate with the exact value,
 * allowing 4.5 standard errors of that mean (sd across replications /
 * sqrt(R)) plus a small bias allowance stated per test.  With normal
 * estimates a correct model fails one such check in about 150,000; a
 * wrong model is off by many standard errors.  The seeds are fixed, so
 * a run is reproducible.
 */
#define _POSIX_C_SOURCE 200809L
#include "../model/batch.h"
#include "../model/latency.h"
#include "../model/sim.h"
#include "../model/summary.h"
#include "fixture.h"
#include "kernel_probe.h"

#include <check.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>

Suite *theory_suite(void);

#define NSD 4.5

/* Erlang's loss formula B(c, A), by the stable recursion. */
static double erlang_b(unsigned c, double a)
{
    double b = 1;
    for (unsigned k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

/* Every per-interval series of every gateway sums to its total, and the
 * rows' totals to the gateways' (each result of run() is checked). */
static void check_conservation(const nc_scen_result *r)
{
    for (size_t g = 0; g < r->sc->ngateways; g++) {
        const nc_gw_result *x = &r->gw[g];
        uint64_t a = 0, af = 0, fr = 0, st = 0, rq = 0;
        for (uint32_t k = 0; k < r->nsamples; k++) {
            a += x->attempts_sum[k];
            af += x->alloc_failures_sum[k];
            fr += x->failed_requests_sum[k];
            st += x->stale_reuses_sum[k];
            rq += x->requests_sum[k];
        }
        ck_assert_uint_eq(a, x->attempts);
        ck_assert_uint_eq(af, x->alloc_failures);
        ck_assert_uint_eq(fr, x->failed_requests);
        ck_assert_uint_eq(st, x->stale_reuses);
        ck_assert_uint_eq(rq, x->requests);
        uint64_t ra = 0, raf = 0, rfr = 0, rst = 0, rrq = 0;
        for (size_t i = 0; i < r->sc->nservices; i++) {
            if (r->sc->services[i].gateway != g)
                continue;
            ra += r->rows[i].attempts;
            raf += r->rows[i].alloc_failures;
            rfr += r->rows[i].failed_requests;
            rst += r->rows[i].stale_reuses;
            rrq += r->rows[i].requests;
        }
        ck_assert_uint_eq(ra, x->attempts);
        ck_assert_uint_eq(raf, x->alloc_failures);
        ck_assert_uint_eq(rfr, x->failed_requests);
        ck_assert_uint_eq(rst, x->stale_reuses);
        ck_assert_uint_eq(rrq, x->requests);
    }
}

static nc_scen_result *run(fx *f, unsigned jobs)
{
    gsl_set_error_handler_off();
    nc_scen_result *r = NULL;
    nc_error err = {0};
    batch_opts o = {.jobs = jobs};
    nc_status st = batch_run(&f->sc, 1, &o, &r, &err);
    ck_assert_msg(st == NC_OK, "batch_run: %s", err.msg);
    check_conservation(r);
    return r;
}

static double mean_hold_s(const fx *f, size_t d, double tw_s)
{
    latency_fit lf;
    nc_error err = {0};
    const nc_destination *de = &f->de[d];
    ck_assert_int_eq(latency_fit_make(de->latency_dist, de->latency_p50_ms, de->latency_p99_ms, &lf, &err),
                     NC_OK);
    return lf.mean_s + de->handshake_ms / 1000 + tw_s;
}

/* Mean and standard error over replications of the time-average mappings
 * in use of gateway 0. */
static void in_use_by_rep(const nc_scen_result *r, double *mean, double *se)
{
    double sum = 0, sum2 = 0;
    for (uint32_t k = 0; k < r->reps; k++) {
        double avg = 0;
        for (uint32_t i = 0; i < r->nsamples; i++)
            avg += r->gw[0].in_use_by_rep[(size_t)k * r->nsamples + i];
        avg /= r->nsamples;
        sum += avg;
        sum2 += avg * avg;
    }
    *mean = sum / r->reps;
    *se = sqrt(fmax((sum2 - sum * sum / r->reps) / (r->reps - 1), 0) / r->reps);
}

/* Per-replication blocking fractions of rows [lo, hi) of a result: run the
 * scenario one replication at a time so each gives its own estimate. */
static void blocking_by_rep_rows(fx *f, size_t lo, size_t hi, double *mean, double *se)
{
    uint32_t reps = f->sc.replications;
    double sum = 0, sum2 = 0;
    uint64_t seed = f->sc.seed;
    f->sc.replications = 1;
    for (uint32_t k = 0; k < reps; k++) {
        f->sc.seed = seed * 1000 + k;
        nc_scen_result *r = run(f, 1);
        uint64_t fail = 0, att = 0;
        for (size_t i = lo; i < hi; i++) {
            fail += r->rows[i].alloc_failures;
            att += r->rows[i].attempts;
        }
        double b = (double)fail / (double)att;
        sum += b;
        sum2 += b * b;
        nc_scen_result_destroy(r);
    }
    f->sc.replications = reps;
    f->sc.seed = seed;
    *mean = sum / reps;
    double var = (sum2 - sum * sum / reps) / (reps - 1);
    *se = sqrt(fmax(var, 0) / reps);
}

static void blocking_by_rep(fx *f, size_t row, double *mean, double *se)
{
    blocking_by_rep_rows(f, row, row + 1, mean, se);
}

/* A loss system: c ports, Poisson attempts, holding time = latency + TIME_WAIT,
 * no SYN retransmission and no retry, so a dropped SYN is a lost call.  The
 * blocking probability is Erlang-B whatever the holding-time distribution
 * (insensitivity of M/G/c/c). */
static const struct {
    nc_latency_dist dist;
    unsigned c;
    double a;
} erlang_cases[] = {
    {NC_LAT_LOGNORMAL, 30, 25}, {NC_LAT_GAMMA, 30, 25},  {NC_LAT_WEIBULL, 30, 25},
    {NC_LAT_CONSTANT, 30, 25},  {NC_LAT_LOGNORMAL, 100, 80}, {NC_LAT_WEIBULL, 60, 70},
    {NC_LAT_GAMMA, 10, 4},      {NC_LAT_CONSTANT, 100, 80},
};

START_TEST(blocking_is_erlang_b)
{
    fx f;
    fx_init(&f);
    unsigned c = erlang_cases[_i].c;
    double a = erlang_cases[_i].a;
    f.sc.replications = 8;
    f.sc.duration_h = 1;
    f.sc.warmup_h = 0.1;
    f.gw[0].port_max = f.gw[0].port_min + c - 1;
    f.gw[0].time_wait_s = 2;
    f.de[0].latency_dist = erlang_cases[_i].dist;
    f.de[0].latency_p50_ms = 1000;
    f.de[0].latency_p99_ms = 6000;
    double hold = mean_hold_s(&f, 0, 2);
    nc_service *s = fx_add_row(&f, "svc", 0, 0, 4, a / hold / 4);
    s->syn_retries = 0;
    double mean, se;
    blocking_by_rep(&f, 0, &mean, &se);
    double b = erlang_b(c, a);
    ck_assert_msg(fabs(mean - b) <= NSD * se + 0.002 * b, "c=%u A=%g: blocking %.5f ± %.5f, Erlang-B %.5f",
                  c, a, mean, se, b);
}
END_TEST

/* The same loss system fed by 6 service rows (two services, three
 * destinations, one pool): their arrivals then go through the event queue
 * rather than the small arrival heap (more than 4 rows), and the superposed
 * Poisson streams are one Poisson stream of the summed rate: Erlang-B. */
START_TEST(blocking_is_erlang_b_many_rows)
{
    fx f;
    fx_init(&f);
    const unsigned c = 40;
    const double a = 35;
    f.sc.replications = 8;
    f.sc.duration_h = 1;
    f.sc.warmup_h = 0.1;
    f.gw[0].port_max = f.gw[0].port_min + c - 1;
    f.gw[0].time_wait_s = 2;
    f.de[0].latency_dist = NC_LAT_LOGNORMAL;
    f.de[0].latency_p50_ms = 1000;
    f.de[0].latency_p99_ms = 6000;
    f.de[1] = f.de[2] = f.de[0];
    snprintf(f.de[1].name, sizeof f.de[1].name, "api1");
    snprintf(f.de[2].name, sizeof f.de[2].name, "api2");
    f.sc.ndestinations = 3;
    double hold = mean_hold_s(&f, 0, 2);
    for (size_t i = 0; i < 6; i++) {
        nc_service *s = fx_add_row(&f, i < 3 ? "svc" : "other", 0, i % 3, 2, a / hold / 6 / 2);
        s->syn_retries = 0;
    }
    double mean, se;
    blocking_by_rep_rows(&f, 0, 6, &mean, &se);
    double b = erlang_b(c, a);
    ck_assert_msg(fabs(mean - b) <= NSD * se + 0.002 * b, "6 rows, c=%u A=%g: blocking %.5f ± %.5f, Erlang-B %.5f",
                  c, a, mean, se, b);
}
END_TEST

/* With more ports than ever used, mean mappings in use = lambda * E[hold]
 * (Little's law; M/G/inf).  The time average over a replication's samples
 * has standard error about sqrt(m * 2 E[H] / T); we use the spread across
 * replications instead of that formula. */
START_TEST(unlimited_ports_little)
{
    fx f;
    fx_init(&f);
    f.sc.replications = 6;
    f.sc.duration_h = 1;
    f.sc.warmup_h = 0.1;
    f.sc.sample_s = 10;
    f.gw[0].time_wait_s = 30;
    f.de[0].latency_dist = NC_LAT_LOGNORMAL;
    f.de[0].latency_p50_ms = 200;
    f.de[0].latency_p99_ms = 2000;
    f.de[0].handshake_ms = 50;
    fx_add_row(&f, "svc", 0, 0, 20, 2.5);
    nc_scen_result *r = run(&f, 2);
    double lambda = 50, m = lambda * mean_hold_s(&f, 0, 30);
    double sum = 0, sum2 = 0;
    for (uint32_t k = 0; k < r->reps; k++) {
        double avg = 0;
        for (uint32_t i = 0; i < r->nsamples; i++)
            avg += r->gw[0].in_use_by_rep[(size_t)k * r->nsamples + i];
        avg /= r->nsamples;
        sum += avg;
        sum2 += avg * avg;
    }
    double mean = sum / r->reps;
    double se = sqrt(fmax((sum2 - sum * sum / r->reps) / (r->reps - 1), 0) / r->reps);
    ck_assert_uint_eq(r->gw[0].alloc_failures, 0);
    ck_assert_msg(fabs(mean - m) <= NSD * se + 0.002 * m, "mean in use %.2f ± %.2f, lambda*E[H] = %.2f",
                  mean, se, m);
    nc_scen_result_destroy(r);
}
END_TEST

/* Closes by RST: a share f of the connections is held rst_hold_s after it
 * closes instead of TIME_WAIT, so by Little's law the mean in use is
 * lambda * (E[latency] + handshake + f * rst_hold + (1 - f) * time_wait).
 * Each f against its own formula: with f = 0 nothing changes, with f = 1
 * TIME_WAIT no longer counts. */
static const double rst_fractions[] = {0.0, 0.3, 1.0};

START_TEST(rst_close_little)
{
    double frac = rst_fractions[_i];
    fx f;
    fx_init(&f);
    f.sc.replications = 6;
    f.sc.duration_h = 1;
    f.sc.warmup_h = 0.1;
    f.sc.sample_s = 10;
    f.gw[0].time_wait_s = 60;
    f.gw[0].rst_hold_s = 7;
    f.de[0].latency_dist = NC_LAT_LOGNORMAL;
    f.de[0].latency_p50_ms = 200;
    f.de[0].latency_p99_ms = 2000;
    f.de[0].handshake_ms = 50;
    fx_add_row(&f, "svc", 0, 0, 20, 2.5)->rst_close_fraction = frac;
    nc_scen_result *r = run(&f, 2);
    double lambda = 50, m = lambda * mean_hold_s(&f, 0, frac * 7 + (1 - frac) * 60);
    double mean, se;
    in_use_by_rep(r, &mean, &se);
    ck_assert_uint_eq(r->gw[0].alloc_failures, 0);
    ck_assert_msg(fabs(mean - m) <= NSD * se + 0.002 * m,
                  "f %.1f: mean in use %.2f ± %.2f, Little's law %.2f", frac, mean, se, m);
    nc_scen_result_destroy(r);
}
END_TEST

/* Linux's port search, simulated apart from natcap: one pool of n ports,
 * Poisson arrivals at rate lambda, each mapping held `hold` seconds (so
 * they come free in the order they were taken), the kernel's loop port by
 * port (kernel_probe.h), no retransmission.  The refused share of the
 * arrivals after `warm` seconds, per batch of `batch_s` seconds: mean and
 * standard error in *mean, *se. */
static void reference_probe_refusals(unsigned n, double lambda, double hold, double warm,
                                     double batch_s, unsigned batches, unsigned long seed,
                                     double *mean, double *se)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, seed);
    unsigned char *taken = calloc(n, 1);
    double *due = malloc(n * sizeof *due);
    unsigned *port = malloc(n * sizeof *port);
    ck_assert(taken != NULL && due != NULL && port != NULL);
    unsigned head = 0, len = 0;
    double t = 0, sum = 0, sum2 = 0;
    for (unsigned b = 0; b <= batches; b++) {   /* batch 0: the warm-up */
        double end = warm + b * batch_s;
        uint64_t arrivals = 0, refused = 0;
        for (;;) {
            t += gsl_ran_exponential(g, 1 / lambda);
            if (t >= end)
                break;
            for (; len > 0 && due[head] <= t; len--, head = (head + 1) % n)
                taken[port[head]] = 0;
            long p = kernel_port_search(taken, n, g);
            arrivals++;
            if (p < 0) {
                refused++;
                continue;
            }
            taken[p] = 1;
            unsigned tail = (head + len++) % n;
            due[tail] = t + hold;
            port[tail] = (unsigned)p;
        }
        t = end;   /* (memoryless: the next arrival is drawn afresh) */
        if (b == 0)
            continue;
        double x = (double)refused / (double)arrivals;
        sum += x;
        sum2 += x * x;
    }
    *mean = sum / batches;
    *se = sqrt(fmax((sum2 - sum * sum / batches) / (batches - 1), 0) / batches);
    free(taken);
    free(due);
    free(port);
    gsl_rng_free(g);
}

/* port_selection linux_probe against that reference: 4096 ports, constant
 * hold 10.01 s, offered load 0.95 and 0.97 of the pool (the counter model
 * refuses almost nothing there; the search, which must find a free port
 * among 248 looked at, much more), and 0.6, where neither refuses. */
static const double probe_loads[] = {0.95, 0.97, 0.6};

START_TEST(linux_probe_matches_reference)
{
    double load = probe_loads[_i], hold = 10.01;
    unsigned n = 4096;
    double lambda = load * n / hold, got[2], got_se[2];
    for (int probe = 0; probe < 2; probe++) {
        fx f;
        fx_init(&f);
        f.sc.replications = 6;
        f.sc.duration_h = 0.5;
        f.sc.warmup_h = 0.05;
        f.gw[0].port_min = 10000;
        f.gw[0].port_max = 10000 + n - 1;
        f.gw[0].time_wait_s = 10;
        f.gw[0].port_selection = probe ? NC_PORTS_LINUX_PROBE : NC_PORTS_COUNTER;
        f.de[0].latency_dist = NC_LAT_CONSTANT;
        f.de[0].latency_p50_ms = 10;
        nc_service *sv = fx_add_row(&f, "svc", 0, 0, 10, lambda / 10);
        sv->syn_retries = 0;
        blocking_by_rep_rows(&f, 0, 1, &got[probe], &got_se[probe]);
    }
    double want, want_se;
    reference_probe_refusals(n, lambda, hold, 180, 600, 12, 11 + (unsigned long)_i, &want,
                             &want_se);
    double tol = NSD * sqrt(got_se[1] * got_se[1] + want_se * want_se) + 0.03 * want;
    ck_assert_msg(fabs(got[1] - want) <= tol,
                  "load %.2f: linux_probe refuses %.5f ± %.5f, the reference %.5f ± %.5f",
                  load, got[1], got_se[1], want, want_se);
    if (load < 0.9) {   /* far from full: as the counter model, nothing refused */
        ck_assert_msg(got[1] == 0 && got[0] == 0, "load %.2f: refused %g (probe), %g (counter)",
                      load, got[1], got[0]);
    } else {   /* near full: the search refuses where the counter model hardly does */
        ck_assert_msg(got[1] > 10 * got[0] && got[1] > 0.001,
                      "load %.2f: linux_probe %.5f, counter %.5f", load, got[1], got[0]);
    }
}
END_TEST

/* A gateway that resets idle connections (idle_reset) holds a dropped
 * mapping rst_hold_s R, one that only drops them frees it at once.  Rare
 * requests per instance (rate l_i, one pooled connection each, keep-alive
 * far above the idle timeout I): every request leaves its connection idle,
 * and the gateway drops it when no request comes within I, with chance
 * exp(-l_i I) (memoryless arrivals).  Drops come at lambda exp(-l_i I) a
 * second, so by Little's law the reset gateway has lambda exp(-l_i I) R more
 * mappings in use.  Without RST draws both runs share their random stream,
 * so the difference is nearly exact. */
START_TEST(idle_reset_holds_dropped_mappings)
{
    double mean[2], se[2], li = 0.001, idle = 5, hold = 20;
    for (int reset = 0; reset < 2; reset++) {
        fx f;
        fx_init(&f);
        f.sc.replications = 2;
        f.sc.duration_h = 1;
        f.sc.warmup_h = 0.2;
        f.sc.sample_s = 10;
        f.gw[0].time_wait_s = 60;
        f.gw[0].idle_timeout_s = idle;
        f.gw[0].rst_hold_s = hold;
        f.gw[0].idle_reset = reset;
        f.de[0].latency_dist = NC_LAT_CONSTANT;
        f.de[0].latency_p50_ms = 100;
        nc_service *sv = fx_add_row(&f, "svc", 0, 0, 10000, li);
        sv->pool_idle = 1;
        sv->pool_max = 1;
        sv->keepalive_s = 10000;
        nc_scen_result *r = run(&f, 2);
        in_use_by_rep(r, &mean[reset], &se[reset]);
        nc_scen_result_destroy(r);
    }
    double want = 10000 * li * exp(-li * idle) * hold, got = mean[1] - mean[0];
    ck_assert_msg(fabs(got - want) <= 0.02 * want + NSD * se[1],
                  "reset adds %.2f in use (%.2f -> %.2f), expected %.2f", got, mean[0], mean[1], want);
}
END_TEST

/* A step in load: the rate jumps from l1 to l2 at T (over one second).
 * With a constant holding time H, the expected occupancy of M(t)/D/inf is
 * l1*H before T, then rises linearly by (l2-l1) per second for H seconds:
 * m(T+u) = l1*H + (l2-l1)*(u - 0.5) for 1 <= u <= H.  At a fixed instant the
 * occupancy is Poisson, so the mean over R replications has sd sqrt(m/R). */
START_TEST(step_response)
{
    fx f;
    fx_init(&f);
    f.sc.replications = 12;
    f.sc.duration_h = 1.5;
    f.sc.warmup_h = 0.2;
    f.sc.sample_s = 20;
    f.gw[0].time_wait_s = 50;
    f.de[0].latency_dist = NC_LAT_CONSTANT;
    f.de[0].latency_p50_ms = 10000;   /* H = 60 s */
    /* 1 until 01:00, 3 from 01:00:01 to 02:00, then 1 again (also in the
     * warm-up, which is the end of the previous day) */
    double t2[] = {0, 3600, 3601, 7200, 7201};
    double m2[] = {1, 1, 3, 3, 1};
    size_t p = fx_add_profile(&f, "step", 5, t2, m2);
    nc_service *s = fx_add_row(&f, "svc", 0, 0, 10, 1.0);   /* l1 = 10/s, l2 = 30/s */
    s->profile = p;
    nc_scen_result *r = run(&f, 2);
    const double l1 = 10, l2 = 30, H = 60;
    for (uint32_t k = 0; k < r->nsamples; k++) {
        double t_end = (double)(k + 1) * 20;   /* samples are at interval ends */
        double u = t_end - 3600;
        double m = u <= 0 ? l1 * H : u >= H + 1 ? l2 * H : l1 * H + (l2 - l1) * (u - 0.5);
        double sum = 0;
        for (uint32_t j = 0; j < r->reps; j++)
            sum += r->gw[0].in_use_by_rep[(size_t)j * r->nsamples + k];
        double mean = sum / r->reps;
        ck_assert_msg(fabs(mean - m) <= NSD * sqrt(m / r->reps) + 1, "t=%gs: mean %.1f expected %.1f",
                      t_end, mean, m);
    }
    nc_scen_result_destroy(r);
}
END_TEST

/* per_destination pools: each destination address has its own pool, so
 * two destinations through one gateway block independently, each by
 * Erlang-B of its own load; the same load through a global pool of the
 * same size blocks by Erlang-B of the summed load. */
START_TEST(per_destination_vs_global)
{
    fx f;
    fx_init(&f);
    f.sc.replications = 8;
    f.sc.duration_h = 1;
    f.sc.warmup_h = 0.1;
    const unsigned c = 30;
    f.gw[0].port_max = f.gw[0].port_min + c - 1;
    f.gw[0].time_wait_s = 2;
    f.gw[0].mapping = NC_MAPPING_PER_DESTINATION;
    f.gw[0].per_destination_limit = c;
    fx_add_destination(&f, "api2", f.de[0].addresses);
    double hold = mean_hold_s(&f, 0, 2);   /* constant 0.1 s + 2 s */
    fx_add_row(&f, "a", 0, 0, 1, 25 / hold)->syn_retries = 0;
    fx_add_row(&f, "b", 0, 1, 1, 12 / hold)->syn_retries = 0;
    double mean, se;
    blocking_by_rep(&f, 0, &mean, &se);
    ck_assert_msg(fabs(mean - erlang_b(c, 25)) <= NSD * se + 1e-3, "per-dest a: %.5f vs %.5f", mean,
                  erlang_b(c, 25));
    blocking_by_rep(&f, 1, &mean, &se);
    ck_assert_msg(fabs(mean - erlang_b(c, 12)) <= NSD * se + 1e-4, "per-dest b: %.6f vs %.6f", mean,
                  erlang_b(c, 12));
    f.gw[0].mapping = NC_MAPPING_GLOBAL;
    blocking_by_rep(&f, 1, &mean, &se);
    ck_assert_msg(fabs(mean - erlang_b(c, 37)) <= NSD * se + 2e-3, "global: %.5f vs %.5f", mean,
                  erlang_b(c, 37));
}
END_TEST

/* Which requests share an allocation pool, by layout.  Unlimited-looking
 * pools (no failures), so each pool's occupancy is M/G/inf-like with mean
 * m = its share of lambda x E[hold]; the gateway reports its fullest pool,
 * whose time-average sits a little above m (about m + 0.6 sqrt(m) for two
 * pools) and far below the 2m that a wrong layout piling two shares into
 * one pool would give, and far above the m/2 of splitting a share over two.
 *   0  per_destination, two services to one destination of 2 addresses:
 *      the services share the destination's pools, addresses in turn: m each
 *   1  ports_per_instance, global: a pool per instance, instances at random
 *   2  ports_per_instance x per_destination, 2 instances x 2 addresses */
START_TEST(pool_layouts_split_the_load)
{
    fx f;
    fx_init(&f);
    f.sc.replications = 4;
    f.sc.duration_h = 1;
    f.sc.warmup_h = 0.1;
    f.gw[0].time_wait_s = 20;
    const double m = 40, hold = 20.1;   /* 100 ms latency + TIME_WAIT */
    f.de[0].addresses = 2;
    if (_i == 0) {
        f.gw[0].mapping = NC_MAPPING_PER_DESTINATION;
        fx_add_row(&f, "a", 0, 0, 4, m / hold / 4);
        fx_add_row(&f, "b", 0, 0, 2, m / hold / 2);   /* 2m in all over 2 addresses */
    } else if (_i == 1) {
        f.de[0].addresses = 1;
        f.gw[0].ports_per_instance = 1000;
        fx_add_row(&f, "a", 0, 0, 2, m / hold);       /* 2m over 2 instances */
    } else {
        f.gw[0].mapping = NC_MAPPING_PER_DESTINATION;
        f.gw[0].ports_per_instance = 1000;
        fx_add_row(&f, "a", 0, 0, 2, 2 * m / hold);   /* 4m over 2 instances x 2 addresses */
    }
    nc_scen_result *r = run(&f, 2);
    double mean, se;
    in_use_by_rep(r, &mean, &se);
    ck_assert_uint_eq(r->gw[0].alloc_failures, 0);
    ck_assert_msg(mean > m - NSD * se - 1 && mean < m + 2 * sqrt(m),
                  "layout %d: fullest pool's mean in use %.1f ± %.1f, each pool's mean %.0f", _i, mean, se, m);
    nc_scen_result_destroy(r);
}
END_TEST

/* SYN retransmissions and retries, exactly: a row whose instance got no
 * reserved ports (ports_per_instance, and another service took the only
 * reservation) fails every SYN.  With syn_retries 6 and connect_timeout 10 s
 * a try sends SYNs at 0, 1, 3 and 7 s and fails at 10 s; with 2 retries a
 * request makes 3 tries = 12 SYNs and fails.  With connect_timeout 200 s
 * all 7 SYNs go (0..63 s) and the try fails at 127 s. */
START_TEST(syn_retransmission_and_retries)
{
    fx f;
    fx_init(&f);
    f.sc.replications = 2;
    f.sc.duration_h = 1;
    f.sc.warmup_h = 0;
    f.gw[0].ports_per_instance = 100;
    f.gw[0].port_max = f.gw[0].port_min + 100 - 1;   /* room for one instance */
    fx_add_row(&f, "owner", 0, 0, 1, 0.0);
    nc_service *s = fx_add_row(&f, "starved", 0, 0, 1, 0.5);
    s->retries = 2;
    s->retry_backoff_s = 1;
    nc_scen_result *r = run(&f, 1);
    const nc_row_result *x = &r->rows[1];
    /* requests arriving in the last ~33 s have not finished all tries */
    double late = 0.5 * 33 * 2;
    ck_assert_uint_eq(x->new_connections, 0);
    ck_assert_uint_eq(x->attempts, x->alloc_failures);
    ck_assert_msg(fabs((double)x->attempts - 12.0 * (double)x->requests) <= 12 * (late + 5 * sqrt(late)),
                  "attempts %llu for %llu requests", (unsigned long long)x->attempts,
                  (unsigned long long)x->requests);
    ck_assert_msg((double)x->failed_requests >= (double)x->requests - late - 5 * sqrt(late) &&
                      x->failed_requests <= x->requests,
                  "failed %llu of %llu", (unsigned long long)x->failed_requests,
                  (unsigned long long)x->requests);
    /* each failed request spent both retries; one still trying when the run
     * ends has spent at most two */
    ck_assert_uint_ge(x->retries, 2 * x->failed_requests);
    ck_assert_uint_le(x->retries - 2 * x->failed_requests, 2 * (x->requests - x->failed_requests));
    ck_assert_int_eq(r->gw[0].first_exhaustion != SIM_TIME_NONE, 1);
    nc_scen_result_destroy(r);

    /* 7 SYNs per try when the connect timeout allows all of them */
    s->retries = 0;
    s->connect_timeout_s = 200;
    r = run(&f, 1);
    x = &r->rows[1];
    late = 0.5 * 127 * 2;
    ck_assert_msg(fabs((double)x->attempts - 7.0 * (double)x->requests) <= 7 * (late + 5 * sqrt(late)),
                  "attempts %llu for %llu requests", (unsigned long long)x->attempts,
                  (unsigned long long)x->requests);
    nc_scen_result_destroy(r);
}
END_TEST

/* The handshake is part of the hold: with no TIME_WAIT, 10 ms latency and a
 * 1 s handshake, a new connection holds its mapping 1.01 s, so mappings in
 * use average lambda * 1.01 (Little's law); without the handshake it would
 * be lambda * 0.01. */
START_TEST(handshake_dominates_hold)
{
    fx f;
    fx_init(&f);
    f.sc.replications = 6;
    f.sc.duration_h = 0.5;
    f.sc.warmup_h = 0.05;
    f.sc.sample_s = 10;
    f.gw[0].time_wait_s = 0;
    f.de[0].latency_p50_ms = 10;
    f.de[0].handshake_ms = 1000;
    fx_add_row(&f, "svc", 0, 0, 10, 5);   /* lambda = 50/s */
    nc_scen_result *r = run(&f, 2);
    double m = 50 * 1.01, mean, se;
    in_use_by_rep(r, &mean, &se);
    ck_assert_uint_eq(r->gw[0].alloc_failures, 0);
    ck_assert_msg(fabs(mean - m) <= NSD * se + 0.002 * m, "mean in use %.2f ± %.2f, lambda*1.01 s = %.2f",
                  mean, se, m);
    nc_scen_result_destroy(r);
}
END_TEST

/* pool_max 1, the connection kept (pool_idle 1, long keepalive and gateway
 * idle timeout), waits never time out, constant latency D = 1 s, Poisson
 * arrivals at 0.5/s: requests queue FIFO for the one connection, an M/D/1
 * queue at rho = 0.5.  Pollaczek-Khinchine: mean wait Wq = rho D / (2 (1 -
 * rho)) = 0.5 s; and P(no wait) = 1 - rho.  The waits come from the model's
 * trace (arrival and start of hold of each request, paired in order: one
 * server, FIFO), averaged over the requests arriving after the warm-up. */
START_TEST(pool_max_1_is_md1)
{
    gsl_set_error_handler_off();
    fx f;
    fx_init(&f);
    f.sc.duration_h = 2;
    f.sc.warmup_h = 0.25;
    f.gw[0].idle_timeout_s = 1e6;
    f.de[0].latency_p50_ms = 1000;
    nc_service *sv = fx_add_row(&f, "svc", 0, 0, 1, 0.5);
    sv->pool_idle = 1;
    sv->pool_max = 1;
    sv->pool_wait_timeout_s = 1e6;
    sv->keepalive_s = 1e6;
    const double rho = 0.5, D = 1, wq = rho * D / (2 * (1 - rho));
    enum { R = 10, CAP = 1 << 15 };
    static sim_trace_rec tr[CAP];
    static sim_time arr[CAP], hold[CAP];
    size_t n = 0;
    nc_error err = {0};
    sim *s = NULL;
    ck_assert_int_eq(sim_create(&f.sc, &s, &err), NC_OK);
    sim_set_trace(s, tr, CAP, &n);
    nc_scen_result *res = nc_scen_result_create(&f.sc, R);
    double sw = 0, sw2 = 0, sp = 0, sp2 = 0;
    for (uint32_t k = 0; k < R; k++) {
        ck_assert_int_eq(sim_run(s, gsl_rng_taus2, 500 + k, NULL, &err), NC_OK);
        sim_merge(s, res, k);
        ck_assert_uint_le(n, CAP);
        size_t na = 0, nh = 0;
        for (size_t i = 0; i < n; i++) {
            if (tr[i].kind == SIM_TR_ARRIVAL)
                arr[na++] = tr[i].t;
            else if (tr[i].kind == SIM_TR_HOLD)
                hold[nh++] = tr[i].t;
        }
        ck_assert_uint_le(nh, na);
        ck_assert_uint_le(na - nh, 20);   /* queued when the run ends */
        double w = 0, zero = 0, m = 0;
        for (size_t i = 0; i < nh; i++) {
            ck_assert(hold[i] >= arr[i]);
            if (i > 0)
                ck_assert(hold[i] >= hold[i - 1] + SIM_US_PER_S);   /* one at a time, D each */
            if (arr[i] < 0)
                continue;
            w += sim_to_s(hold[i] - arr[i]);
            zero += hold[i] == arr[i];
            m++;
        }
        w /= m;
        zero /= m;
        sw += w, sw2 += w * w;
        sp += zero, sp2 += zero * zero;
    }
    double mw = sw / R, sew = sqrt(fmax((sw2 - sw * sw / R) / (R - 1), 0) / R);
    double mp = sp / R, sep = sqrt(fmax((sp2 - sp * sp / R) / (R - 1), 0) / R);
    ck_assert_msg(fabs(mw - wq) <= NSD * sew + 0.005, "mean wait %.4f ± %.4f s, P-K %.4f s", mw, sew, wq);
    ck_assert_msg(fabs(mp - (1 - rho)) <= NSD * sep + 0.002, "P(no wait) %.4f ± %.4f, 1 - rho = %.4f", mp,
                  sep, 1 - rho);
    const nc_row_result *x = &res->rows[0];
    ck_assert_uint_eq(x->failed_requests, 0);
    ck_assert_uint_le(x->new_connections, R);   /* one per replication, then reused */
    ck_assert_uint_eq(res->gw[0].peak_max, 1);
    nc_scen_result_destroy(res);
    sim_destroy(s);
}
END_TEST

/* Per-replication fraction of requests of row 0 that failed. */
static void failed_by_rep(fx *f, double *mean, double *se)
{
    uint32_t reps = f->sc.replications;
    double sum = 0, sum2 = 0;
    uint64_t seed = f->sc.seed;
    f->sc.replications = 1;
    for (uint32_t k = 0; k < reps; k++) {
        f->sc.seed = seed * 1000 + k;
        nc_scen_result *r = run(f, 1);
        double b = (double)r->rows[0].failed_requests / (double)r->rows[0].requests;
        sum += b;
        sum2 += b * b;
        nc_scen_result_destroy(r);
    }
    f->sc.replications = reps;
    f->sc.seed = seed;
    *mean = sum / reps;
    *se = sqrt(fmax((sum2 - sum * sum / reps) / (reps - 1), 0) / reps);
}

/* pool_max c with a 1 us pool_wait_timeout_s: a request that finds all c
 * connections of its instance busy fails (a connection freed within that
 * microsecond is negligible), so the instance's connection pool is an
 * M/G/c/c loss system and the share of failed requests is Erlang-B(c, A),
 * A = lambda x how long a request keeps its slot.  A slot is busy only
 * while a request uses it: with pool_idle = c the connection then stays
 * open and idle (no handshake but the first), so the slot time is the
 * latency (lognormal; Erlang-B is insensitive to its shape); with
 * pool_idle 0 every request opens a new connection, the slot time is
 * handshake + latency, and the mapping's TIME_WAIT afterwards is the
 * gateway's, not the client pool's (ports are plentiful here). */
START_TEST(pool_max_is_erlang_b)
{
    fx f;
    fx_init(&f);
    f.sc.replications = 8;
    f.sc.duration_h = 1;
    f.sc.warmup_h = 0.1;
    f.gw[0].idle_timeout_s = 1e6;
    const unsigned c = 10;
    double slot_s;
    nc_service *sv;
    if (_i == 0) {
        f.de[0].latency_dist = NC_LAT_LOGNORMAL;
        f.de[0].latency_p50_ms = 500;
        f.de[0].latency_p99_ms = 3000;
        slot_s = mean_hold_s(&f, 0, 0);
        sv = fx_add_row(&f, "svc", 0, 0, 1, 7 / slot_s);
        sv->pool_idle = c;
        sv->keepalive_s = 1e6;
    } else {
        f.de[0].latency_p50_ms = 1000;
        f.de[0].handshake_ms = 500;
        slot_s = 1.5;
        sv = fx_add_row(&f, "svc", 0, 0, 1, 7 / slot_s);
    }
    sv->pool_max = c;
    sv->pool_wait_timeout_s = 1e-6;
    double mean, se, b = erlang_b(c, 7);
    failed_by_rep(&f, &mean, &se);
    ck_assert_msg(fabs(mean - b) <= NSD * se + 0.002 * b, "pool_idle %u: failed %.5f ± %.5f, Erlang-B %.5f",
                  sv->pool_idle, mean, se, b);
}
END_TEST

/* Stale reuse: one idle connection per instance, requests every Exp(100 s)
 * per instance, gateway idle timeout 60 s < keepalive 1000 s.  A request
 * finds its connection dropped by the gateway when the gap since the last
 * request exceeds 60 s: probability exp(-0.6) = 0.549 (gaps over 1000 s,
 * where keepalive closes it first, have probability e^-10). */
START_TEST(stale_reuse_probability)
{
    fx f;
    fx_init(&f);
    f.sc.replications = 4;
    f.sc.duration_h = 2;
    f.sc.warmup_h = 0.5;
    f.gw[0].idle_timeout_s = 60;
    f.de[0].latency_p50_ms = 10;
    nc_service *s = fx_add_row(&f, "svc", 0, 0, 200, 0.01);
    s->pool_idle = 1;
    s->keepalive_s = 1000;
    nc_scen_result *r = run(&f, 2);
    const nc_row_result *x = &r->rows[0];
    double p = (double)x->stale_reuses / (double)x->requests;
    double n = (double)x->requests;
    /* the first request of an instance has no connection; at 200 instances that is < 0.5 % */
    ck_assert_msg(fabs(p - exp(-0.6)) <= NSD * sqrt(0.25 / n) + 0.01, "stale %.4f, expected %.4f", p,
                  exp(-0.6));
    ck_assert_uint_eq(x->failed_requests, 0);
    nc_scen_result_destroy(r);
}
END_TEST

/* Keepalive: one idle connection kept per instance for keepalive_s = 5 s,
 * requests every Exp(10 s) per instance, 1 ms latency, gateway idle timeout
 * 350 s.  A request reuses the connection when the previous one finished
 * less than 5 s before it arrived: probability 1 - exp(-0.5) = 0.3935
 * (the 1 ms holds shift this by about 1e-4). */
START_TEST(keepalive_reuse_probability)
{
    fx f;
    fx_init(&f);
    f.sc.replications = 2;
    f.sc.duration_h = 1;
    f.sc.warmup_h = 0.1;
    f.de[0].latency_p50_ms = 1;
    nc_service *s = fx_add_row(&f, "svc", 0, 0, 100, 0.1);
    s->pool_idle = 1;
    s->keepalive_s = 5;
    nc_scen_result *r = run(&f, 2);
    const nc_row_result *x = &r->rows[0];
    double n = (double)x->requests, p = (double)x->reused / n, want = 1 - exp(-0.5);
    ck_assert_msg(fabs(p - want) <= NSD * sqrt(0.25 / n) + 0.003, "reused %.4f, expected %.4f", p, want);
    ck_assert_uint_eq(x->reused + x->new_connections, x->requests);
    ck_assert_uint_eq(x->stale_reuses, 0);
    nc_scen_result_destroy(r);
}
END_TEST

Suite *theory_suite(void)
{
    Suite *s = suite_create("theory");
    TCase *tc = tcase_create("erlang");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, blocking_is_erlang_b_many_rows);
    tcase_add_loop_test(tc, blocking_is_erlang_b, 0, (int)(sizeof erlang_cases / sizeof erlang_cases[0]));
    tcase_add_test(tc, per_destination_vs_global);
    tcase_add_loop_test(tc, pool_layouts_split_the_load, 0, 3);
    suite_add_tcase(s, tc);
    tc = tcase_create("occupancy");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, unlimited_ports_little);
    tcase_add_loop_test(tc, rst_close_little, 0, (int)(sizeof rst_fractions / sizeof rst_fractions[0]));
    tcase_add_test(tc, step_response);
    tcase_add_loop_test(tc, linux_probe_matches_reference, 0,
                        (int)(sizeof probe_loads / sizeof probe_loads[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("connections");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, syn_retransmission_and_retries);
    tcase_add_test(tc, pool_max_1_is_md1);
    tcase_add_loop_test(tc, pool_max_is_erlang_b, 0, 2);
    tcase_add_test(tc, handshake_dominates_hold);
    tcase_add_test(tc, stale_reuse_probability);
    tcase_add_test(tc, idle_reset_holds_dropped_mappings);
    tcase_add_test(tc, keepalive_reuse_probability);
    suite_add_tcase(s, tc);
    return s;
}
