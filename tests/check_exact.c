/*
 * check_exact.c - exact timing: every SYN of a few requests that never get
 * a mapping, to the microsecond, against the schedule written out by hand
 * (SPEC §3: first SYN at the request's start, retransmissions 1, 2, 4 … s
 * apart, i.e. at +1, +3, +7, +15 … s, while connect_timeout_s allows; the
 * try fails at connect_timeout_s or when the last retransmission's wait
 * ends; a retry starts retry_backoff_s later).  Also the counts per
 * interval and in total that those arrivals, SYNs and failures must give.
 *
 * The SYN times come from the model's test hook (sim_set_trace).  The
 * requests' start times are not known beforehand (Poisson arrivals): the
 * earliest SYN not yet explained starts a request, whose whole schedule
 * must then be there, exactly.
 */
#define _POSIX_C_SOURCE 200809L
#include "../model/result.h"
#include "../model/sim.h"
#include "fixture.h"

#include <check.h>
#include <gsl/gsl_errno.h>
#include <math.h>

Suite *exact_suite(void);

static const struct {
    double timeout_s;      /* connect_timeout_s */
    unsigned syn_retries, retries;
    double backoff_s;
    unsigned syns_per_try; /* written out by hand */
    double try_s;          /* when a try fails, from its start */
} cases[] = {
    {8, 6, 0, 0, 4, 8},          /* 0 1 3 7 | 8 */
    {10, 6, 0, 0, 4, 10},        /* 0 1 3 7 | 10 */
    {2.5, 6, 0, 0, 2, 2.5},      /* 0 1 | 2.5 */
    {64, 6, 0, 0, 7, 64},        /* 0 1 3 7 15 31 63 | 64 */
    {200, 6, 0, 0, 7, 127},      /* 0 … 63 | 127: the last one's wait */
    {7, 6, 0, 0, 3, 7},          /* 0 1 3 | 7 (none exactly at the timeout) */
    {30, 2, 0, 0, 3, 7},         /* 0 1 3 | 7 */
    {16, 0, 0, 0, 1, 1},         /* 0 | 1 */
    {8, 6, 2, 1.5, 4, 8},        /* tries at 0, 9.5, 19 */
    {2.5, 6, 3, 0.25, 2, 2.5},   /* tries at 0, 2.75, 5.5, 8.25 */
    {10, 1, 1, 5, 2, 3},         /* 0 1 | 3, retry at 8: 8 9 | 11 */
    {64, 6, 1, 0, 7, 64},        /* tries at 0 and 64 */
};

#define CAP 4096

static int by_time(const void *a, const void *b)
{
    sim_time x = ((const sim_trace_rec *)a)->t, y = ((const sim_trace_rec *)b)->t;
    return (x > y) - (x < y);
}

/* Index of an unused SYN at exactly t in the sorted trace, or -1. */
static long find_syn(const sim_trace_rec *v, const char *used, size_t n, sim_time t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t m = (lo + hi) / 2;
        if (v[m].t < t)
            lo = m + 1;
        else
            hi = m;
    }
    for (; lo < n && v[lo].t == t; lo++)
        if (!used[lo])
            return (long)lo;
    return -1;
}

START_TEST(syn_schedule_is_exact)
{
    gsl_set_error_handler_off();
    fx f;
    fx_init(&f);
    f.sc.duration_h = 1;
    f.sc.warmup_h = 0;
    f.sc.sample_s = 60;
    /* a full pool for row 1: ports_per_instance reserves the gateway's only
     * block for "owner" (no traffic), so every SYN of "starved" is refused */
    f.gw[0].ports_per_instance = 100;
    f.gw[0].port_max = f.gw[0].port_min + 100 - 1;
    fx_add_row(&f, "owner", 0, 0, 1, 0.0);
    nc_service *sv = fx_add_row(&f, "starved", 0, 0, 1, 1.0 / 240);
    sv->connect_timeout_s = cases[_i].timeout_s;
    sv->syn_retries = cases[_i].syn_retries;
    sv->retries = cases[_i].retries;
    sv->retry_backoff_s = cases[_i].backoff_s;
    const sim_time D = (sim_time)(3600 * SIM_US_PER_S), S = 60 * SIM_US_PER_S;
    const sim_time T = (sim_time)llround(cases[_i].try_s * SIM_US_PER_S);
    const sim_time B = (sim_time)llround(cases[_i].backoff_s * SIM_US_PER_S);
    const unsigned R = cases[_i].retries, npt = cases[_i].syns_per_try;

    nc_error err = {0};
    sim *s = NULL;
    ck_assert_int_eq(sim_create(&f.sc, &s, &err), NC_OK);
    static sim_trace_rec all[CAP], v[CAP];
    static char used[CAP];
    size_t nall = 0, n = 0;
    sim_set_trace(s, all, CAP, &nall);
    nc_scen_result *res = nc_scen_result_create(&f.sc, 1);
    ck_assert_ptr_nonnull(res);
    for (int shortcuts = 1; shortcuts >= 0; shortcuts--) {   /* settled or as events */
        for (unsigned seed = 1; seed <= 3; seed++) {
            sim_set_shortcuts(s, shortcuts);
            ck_assert_int_eq(sim_run(s, gsl_rng_taus2, seed, NULL, &err), NC_OK);
            ck_assert_uint_le(nall, CAP);
            n = 0;
            uint64_t arrivals = 0, req[60] = {0};
            for (size_t i = 0; i < nall; i++) {
                if (all[i].kind == SIM_TR_ARRIVAL) {
                    arrivals++;
                    req[all[i].t / S]++;
                } else
                    v[n++] = all[i];
            }
            nc_scen_result_destroy(res);
            res = nc_scen_result_create(&f.sc, 1);
            sim_merge(s, res, 0);
            qsort(v, n, sizeof *v, by_time);
            memset(used, 0, n);
            uint64_t att[60] = {0}, fail[60] = {0};
            uint64_t starts = 0, retries = 0, failed = 0, expected = 0;
            for (size_t i = 0; i < n; i++) {
                ck_assert_int_eq(v[i].row, 1);
                ck_assert_int_eq(v[i].kind, SIM_TR_SYN_REFUSED);
                att[v[i].t / S]++;
                if (used[i])
                    continue;
                /* v[i] is the first SYN of a new request: all of its SYNs */
                sim_time a = v[i].t;
                starts++;
                for (unsigned j = 0; j <= R; j++) {
                    sim_time st = a + (sim_time)j * (T + B);
                    for (unsigned k = 0; k < npt; k++) {
                        sim_time t = st + (((sim_time)1 << k) - 1) * SIM_US_PER_S;
                        if (t >= D)
                            break;
                        long at = find_syn(v, used, n, t);
                        ck_assert_msg(at >= 0, "timeout %g s: request at %lld us: no SYN %u of try %u at %lld us",
                                      cases[_i].timeout_s, (long long)a, k, j, (long long)t);
                        used[at] = 1;
                        expected++;
                    }
                    if (st + T >= D)
                        break;
                    if (j < R) {
                        retries++;
                        if (st + T + B >= D)
                            break;
                    } else {
                        failed++;
                        fail[(st + T) / S]++;
                    }
                }
            }
            ck_assert_uint_eq(expected, n);   /* no SYN but those */
            const nc_row_result *x = &res->rows[1];
            ck_assert_uint_gt(starts, 3);
            ck_assert_uint_eq(x->requests, starts);
            ck_assert_uint_eq(arrivals, starts);
            ck_assert_uint_eq(x->attempts, n);
            ck_assert_uint_eq(x->alloc_failures, n);
            ck_assert_uint_eq(x->new_connections, 0);
            ck_assert_uint_eq(x->retries, retries);
            ck_assert_uint_eq(x->failed_requests, failed);
            const nc_gw_result *g = &res->gw[0];
            ck_assert_uint_eq(g->attempts, n);
            ck_assert_uint_eq(g->failed_requests, failed);
            for (uint32_t k = 0; k < res->nsamples; k++) {
                ck_assert_uint_eq(g->attempts_sum[k], att[k]);
                ck_assert_uint_eq(g->alloc_failures_sum[k], att[k]);
                ck_assert_uint_eq(g->failed_requests_sum[k], fail[k]);
                ck_assert_uint_eq(g->requests_sum[k], req[k]);
            }
        }
    }
    nc_scen_result_destroy(res);
    sim_destroy(s);
}
END_TEST

Suite *exact_suite(void)
{
    Suite *s = suite_create("exact");
    TCase *tc = tcase_create("syn");
    tcase_add_loop_test(tc, syn_schedule_is_exact, 0, (int)(sizeof cases / sizeof cases[0]));
    suite_add_tcase(s, tc);
    return s;
}
