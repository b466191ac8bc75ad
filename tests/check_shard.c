/*
 * check_shard.c - io/shard: the partition of units into shards, --shard
 * parsing, the shard taken from Slurm / Kubernetes environment variables,
 * the part's serialize -> deserialize round trip, and the exact merge:
 * two scenarios run whole and as 3 shards (one straddling both scenarios)
 * give equal results field by field.  Damaged parts are refused.  The
 * SHA-256 natcap hashes with (io/shard_hash: GLib's GChecksum) against the
 * FIPS 180-4 examples (csrc.nist.gov "SHA256.pdf" and "SHA2_Additional.pdf").
 */
#include "../io/observed_in.h"
#include "../io/shard.h"
#include "../model/batch.h"
#include "fixture.h"

#include <check.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- SHA-256 */

static void expect_digest(const char *hex, const void *data, size_t n, size_t repeat)
{
    shard_sha c;
    uint8_t d[32];
    char got[65];
    shard_sha_init(&c);
    for (size_t i = 0; i < repeat; i++)
        shard_sha_update(&c, data, n);
    ck_assert_uint_eq(c.len, n * repeat);
    shard_sha_final(&c, d);
    ck_assert_ptr_null(c.g);
    shard_sha_free(&c);   /* after final: a no-op */
    for (int i = 0; i < 32; i++)
        snprintf(got + 2 * i, 3, "%02x", d[i]);
    ck_assert_str_eq(got, hex);
}

START_TEST(sha256_known_answers)
{
    expect_digest("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "", 0, 1);
    expect_digest("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abc", 3, 1);
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";   /* 448 bits */
    expect_digest("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", two,
                  strlen(two), 1);
    /* one million 'a', fed 1000 bytes at a time (crosses block boundaries) */
    char a[1000];
    memset(a, 'a', sizeof a);
    expect_digest("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", a, sizeof a,
                  1000);
}
END_TEST

/* ---------------------------------------------------------------- partition */

START_TEST(partition_covers_units_once)
{
    static const uint64_t units[] = {1, 2, 3, 7, 8, 10, 100, 1000003};
    static const uint64_t shards[] = {1, 2, 3, 4, 7, 10, 64};
    for (size_t a = 0; a < sizeof units / sizeof *units; a++) {
        for (size_t b = 0; b < sizeof shards / sizeof *shards; b++) {
            uint64_t U = units[a], N = shards[b], next = 0;
            for (uint64_t k = 0; k < N; k++) {
                uint64_t lo, hi;
                shard_range(k, N, U, &lo, &hi);
                ck_assert_uint_eq(lo, next);            /* contiguous, in order */
                ck_assert_uint_ge(hi, lo);
                ck_assert_uint_le(hi - lo, U / N + 1);  /* balanced */
                ck_assert_uint_ge(hi - lo, U / N);
                if (U <= 1000)
                    for (uint64_t u = lo; u < hi; u++)
                        ck_assert_uint_eq(shard_of_unit(u, N, U), k);
                next = hi;
            }
            ck_assert_uint_eq(next, U);                 /* all units */
        }
    }
}
END_TEST

START_TEST(partition_examples)
{
    uint64_t lo, hi;
    shard_range(2, 4, 8, &lo, &hi);      /* 8 units, 4 shards: 2 each */
    ck_assert_uint_eq(lo, 4);
    ck_assert_uint_eq(hi, 6);
    shard_range(0, 3, 10, &lo, &hi);     /* 10 units, 3 shards: 4, 3, 3 */
    ck_assert_uint_eq(hi - lo, 4);
    shard_range(1, 3, 10, &lo, &hi);
    ck_assert_uint_eq(lo, 4);
    ck_assert_uint_eq(hi, 7);
    shard_range(1, 4, 2, &lo, &hi);      /* 2 units, 4 shards: shard 1 empty */
    ck_assert_uint_eq(lo, hi);
    ck_assert_uint_eq(shard_of_unit(0, 4, 2), 0);
    ck_assert_uint_eq(shard_of_unit(1, 4, 2), 2);
}
END_TEST

START_TEST(parse_k_of_n)
{
    uint32_t k = 99, n = 99;
    nc_error err = {0};
    ck_assert_int_eq(shard_parse("0/1", &k, &n, &err), NC_OK);
    ck_assert_uint_eq(k, 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(shard_parse("3/4", &k, &n, &err), NC_OK);
    ck_assert_uint_eq(k, 3);
    ck_assert_uint_eq(n, 4);
    static const char *const bad[] = {"4/4", "1/0", "0/0", "x", "1", "/4", "1/", "-1/4", "1/4x",
                                      " 1/4", "1/+4", "1/1000001", "99999999999/4"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(shard_parse(bad[i], &k, &n, &err) == NC_EUSAGE, "accepted '%s'", bad[i]);
    ck_assert_uint_eq(k, 3);   /* untouched on error */
}
END_TEST

static void clear_env(void)
{
    unsetenv("SLURM_ARRAY_TASK_ID");
    unsetenv("SLURM_ARRAY_TASK_COUNT");
    unsetenv("SLURM_ARRAY_TASK_MIN");
    unsetenv("SLURM_ARRAY_TASK_STEP");
    unsetenv("JOB_COMPLETION_INDEX");
}

START_TEST(environment_selects_shard)
{
    uint32_t k = 77, n = 77;
    const char *src = "x";
    nc_error err = {0};
    clear_env();
    ck_assert_int_eq(shard_from_env(0, &k, &n, &src, &err), NC_OK);
    ck_assert_ptr_null(src);
    ck_assert_uint_eq(k, 77);

    setenv("SLURM_ARRAY_TASK_ID", "5", 1);
    setenv("SLURM_ARRAY_TASK_COUNT", "8", 1);
    ck_assert_int_eq(shard_from_env(0, &k, &n, &src, &err), NC_OK);
    ck_assert_str_eq(src, "SLURM_ARRAY_TASK_ID");
    ck_assert_uint_eq(k, 5);
    ck_assert_uint_eq(n, 8);

    setenv("SLURM_ARRAY_TASK_MIN", "1", 1);   /* --array=1-8: not shards 0..7 */
    setenv("SLURM_ARRAY_TASK_ID", "8", 1);
    ck_assert_int_eq(shard_from_env(0, &k, &n, &src, &err), NC_EUSAGE);
    setenv("SLURM_ARRAY_TASK_MIN", "0", 1);
    ck_assert_int_eq(shard_from_env(0, &k, &n, &src, &err), NC_EUSAGE);   /* 8 of 8 */
    setenv("SLURM_ARRAY_TASK_ID", "2", 1);
    setenv("SLURM_ARRAY_TASK_STEP", "2", 1);   /* --array=0-14:2 */
    ck_assert_int_eq(shard_from_env(0, &k, &n, &src, &err), NC_EUSAGE);
    setenv("SLURM_ARRAY_TASK_STEP", "1", 1);
    ck_assert_int_eq(shard_from_env(0, &k, &n, &src, &err), NC_OK);
    ck_assert_uint_eq(k, 2);

    /* a rerun of task 7 alone (--array=7) with --shards 8 */
    setenv("SLURM_ARRAY_TASK_ID", "7", 1);
    setenv("SLURM_ARRAY_TASK_MIN", "7", 1);
    setenv("SLURM_ARRAY_TASK_COUNT", "1", 1);
    ck_assert_int_eq(shard_from_env(0, &k, &n, &src, &err), NC_EUSAGE);
    ck_assert_int_eq(shard_from_env(8, &k, &n, &src, &err), NC_OK);
    ck_assert_uint_eq(k, 7);
    ck_assert_uint_eq(n, 8);
    ck_assert_int_eq(shard_from_env(7, &k, &n, &src, &err), NC_EUSAGE);   /* 7 of 7 */

    clear_env();
    setenv("SLURM_ARRAY_TASK_ID", "2", 1);                               /* no count */
    ck_assert_int_eq(shard_from_env(0, &k, &n, &src, &err), NC_EUSAGE);
    ck_assert_int_eq(shard_from_env(3, &k, &n, &src, &err), NC_OK);      /* --shards 3 */
    ck_assert_uint_eq(k, 2);
    ck_assert_uint_eq(n, 3);
    setenv("SLURM_ARRAY_TASK_ID", "two", 1);
    ck_assert_int_eq(shard_from_env(3, &k, &n, &src, &err), NC_EUSAGE);

    clear_env();
    ck_assert_int_eq(shard_from_env(4, &k, &n, &src, &err), NC_EUSAGE);   /* --shards, no index */
    setenv("JOB_COMPLETION_INDEX", "3", 1);
    ck_assert_int_eq(shard_from_env(0, &k, &n, &src, &err), NC_OK);       /* needs --shards */
    ck_assert_ptr_null(src);
    ck_assert_int_eq(shard_from_env(4, &k, &n, &src, &err), NC_OK);
    ck_assert_str_eq(src, "JOB_COMPLETION_INDEX");
    ck_assert_uint_eq(k, 3);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(shard_from_env(3, &k, &n, &src, &err), NC_EUSAGE);   /* 3 of 3 */
    clear_env();
}
END_TEST

/* ---------------------------------------------------------------- round trip */

typedef struct two {
    fx a, b;
    nc_scenario sc[2];
} two;

/* Two small scenarios, 5 and 3 replications, that exhaust their pools. */
static void two_init(two *t)
{
    fx *fs[2] = {&t->a, &t->b};
    for (int i = 0; i < 2; i++) {
        fx *f = fs[i];
        fx_init(f);
        snprintf(f->sc.name, sizeof f->sc.name, "scen%d", i);
        f->sc.replications = i == 0 ? 5 : 3;
        f->sc.seed = (uint64_t)(7 + i);
        f->sc.duration_h = 0.25;
        f->sc.warmup_h = 0.05;
        f->gw[0].port_max = 1024 + 300 - 1;
        f->gw[0].time_wait_s = 20;
        f->de[0].latency_dist = NC_LAT_LOGNORMAL;
        f->de[0].latency_p99_ms = 900;
        fx_add_row(f, "a", 0, 0, 10, 2.0 + i)->pool_idle = 2;
        fx_add_row(f, "b", 0, 0, 5, 4.0)->retries = 1;
        t->sc[i] = f->sc;
    }
}

static void expect_equal(const nc_scen_result *x, const nc_scen_result *y)
{
    ck_assert_int_eq(x->by_rep_kept, 1);
    ck_assert_int_eq(y->by_rep_kept, 1);
    ck_assert_uint_eq(x->reps, y->reps);
    ck_assert_uint_eq(x->nsamples, y->nsamples);
    ck_assert_str_eq(x->rng_name, y->rng_name);
    size_t ns = x->nsamples, nr = x->reps;
    for (size_t g = 0; g < x->sc->ngateways; g++) {
        const nc_gw_result *a = &x->gw[g], *b = &y->gw[g];
        ck_assert_uint_eq(a->capacity, b->capacity);
        ck_assert_uint_eq(a->npools, b->npools);
        ck_assert_uint_eq(a->requests, b->requests);
        ck_assert_uint_eq(a->attempts, b->attempts);
        ck_assert_uint_eq(a->alloc_failures, b->alloc_failures);
        ck_assert_uint_eq(a->failed_requests, b->failed_requests);
        ck_assert_uint_eq(a->new_connections, b->new_connections);
        ck_assert_uint_eq(a->reused, b->reused);
        ck_assert_uint_eq(a->stale_reuses, b->stale_reuses);
        ck_assert_uint_eq(a->retries, b->retries);
        ck_assert_uint_eq(a->pool_wait_timeouts, b->pool_wait_timeouts);
        ck_assert_uint_eq(a->peak_sum, b->peak_sum);
        ck_assert_uint_eq(a->peak_max, b->peak_max);
        ck_assert_uint_eq(a->exhausted_reps, b->exhausted_reps);
        ck_assert_int_eq(a->first_exhaustion, b->first_exhaustion);
        ck_assert_uint_eq(a->exhausted_us_sum, b->exhausted_us_sum);
        ck_assert_uint_eq(a->pools_exhausted_sum, b->pools_exhausted_sum);
        ck_assert_uint_eq(a->pools_alert_sum, b->pools_alert_sum);
        ck_assert_uint_eq(a->util_peak_sum, b->util_peak_sum);
        ck_assert_uint_eq(a->portless_reps, b->portless_reps);
        ck_assert_mem_eq(a->binding_by_rep, b->binding_by_rep, nr * sizeof(uint32_t));
        /* the per-replication samples the comparison with observations uses */
        ck_assert_mem_eq(a->by_rep, b->by_rep, nr * ns * sizeof *a->by_rep);
        ck_assert_mem_eq(a->peak_by_rep, b->peak_by_rep, nr * sizeof *a->peak_by_rep);
        ck_assert_mem_eq(a->first_fail_by_rep, b->first_fail_by_rep, nr * sizeof(sim_time));
        ck_assert_mem_eq(a->in_use_by_rep, b->in_use_by_rep, nr * ns * sizeof(uint32_t));
        ck_assert_mem_eq(a->in_use_max, b->in_use_max, ns * sizeof(uint32_t));
        ck_assert_mem_eq(a->active_sum, b->active_sum, ns * sizeof(uint64_t));
        ck_assert_mem_eq(a->idle_sum, b->idle_sum, ns * sizeof(uint64_t));
        ck_assert_mem_eq(a->time_wait_sum, b->time_wait_sum, ns * sizeof(uint64_t));
        ck_assert_mem_eq(a->attempts_sum, b->attempts_sum, ns * sizeof(uint64_t));
        ck_assert_mem_eq(a->alloc_failures_sum, b->alloc_failures_sum, ns * sizeof(uint64_t));
        ck_assert_mem_eq(a->failed_requests_sum, b->failed_requests_sum, ns * sizeof(uint64_t));
        ck_assert_mem_eq(a->stale_reuses_sum, b->stale_reuses_sum, ns * sizeof(uint64_t));
        ck_assert_mem_eq(a->requests_sum, b->requests_sum, ns * sizeof(uint64_t));
        ck_assert_mem_eq(a->fail_reps, b->fail_reps, ns * sizeof(uint32_t));
        ck_assert_mem_eq(a->util_in_use_sum, b->util_in_use_sum, ns * sizeof(uint64_t));
    }
    for (size_t i = 0; i < x->sc->nservices; i++) {
        const nc_row_result *a = &x->rows[i], *b = &y->rows[i];
        ck_assert_uint_eq(a->requests, b->requests);
        ck_assert_uint_eq(a->new_connections, b->new_connections);
        ck_assert_uint_eq(a->reused, b->reused);
        ck_assert_uint_eq(a->failed_requests, b->failed_requests);
        ck_assert_uint_eq(a->stale_reuses, b->stale_reuses);
        ck_assert_uint_eq(a->attempts, b->attempts);
        ck_assert_uint_eq(a->alloc_failures, b->alloc_failures);
        ck_assert_uint_eq(a->retries, b->retries);
        ck_assert_uint_eq(a->in_use_at_peak_sum, b->in_use_at_peak_sum);
        ck_assert_mem_eq(a->in_use_sum, b->in_use_sum, ns * sizeof(uint64_t));
    }
}

/* Run shard k of n of t's batch and serialize it into a temporary file. */
static FILE *write_shard(const two *t, uint32_t k, uint32_t n)
{
    shard_header h;
    memset(&h, 0, sizeof h);
    snprintf(h.natcap_version, sizeof h.natcap_version, "%s", NATCAP_VERSION);
    snprintf(h.rng_name, sizeof h.rng_name, "%s", gsl_rng_taus2->name);
    memset(h.inputs_sha256, 0xab, sizeof h.inputs_sha256);
    snprintf(h.input_dir, sizeof h.input_dir, "some/inputs");
    h.formats = 5;
    h.replications = -1;
    h.seed = -1;
    h.obs_tz_s = -5400;   /* --tz -01:30; then --observed-day or --observed-fold */
    snprintf(h.obs_day, sizeof h.obs_day, "%s", k % 2 ? "" : "2026-11-30");
    h.obs_fold = k % 2 ? OBS_FOLD_MEAN : OBS_FOLD_NONE;
    h.k = k;
    h.n = n;
    h.units = t->sc[0].replications + t->sc[1].replications;
    shard_range(k, n, h.units, &h.unit_lo, &h.unit_hi);
    nc_scen_result *rs[2] = {NULL, NULL};
    nc_error err = {0};
    batch_opts o = {.jobs = 2, .unit_lo = h.unit_lo, .unit_hi = h.unit_hi};
    ck_assert_int_eq(batch_run(t->sc, 2, &o, rs, &err), NC_OK);
    ck_assert_int_eq(shard_header_scenarios(&h, (const nc_scen_result *const *)rs, 2, &err), NC_OK);
    FILE *fp = tmpfile();
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(shard_write(fp, "tmp", &h, (const nc_scen_result *const *)rs, 2, &err), NC_OK);
    rewind(fp);
    shard_header_free(&h);
    nc_scen_result_destroy(rs[0]);
    nc_scen_result_destroy(rs[1]);
    return fp;
}

START_TEST(shards_merge_to_the_whole)
{
    gsl_set_error_handler_off();
    two t;
    two_init(&t);
    nc_scen_result *whole[2] = {NULL, NULL}, *merged[2];
    nc_error err = {0};
    batch_opts o = {.jobs = 1};
    ck_assert_int_eq(batch_run(t.sc, 2, &o, whole, &err), NC_OK);
    ck_assert(whole[1]->gw[0].alloc_failures > 0);   /* failures are exercised */
    for (int i = 0; i < 2; i++) {
        merged[i] = nc_scen_result_create(&t.sc[i], t.sc[i].replications);
        snprintf(merged[i]->rng_name, sizeof merged[i]->rng_name, "%s", gsl_rng_taus2->name);
    }
    /* 8 units in 3 shards: [0,3) [3,6) [6,8); shard 1 straddles both
     * scenarios.  Merge them in reverse order. */
    for (uint32_t k = 3; k-- > 0;) {
        FILE *fp = write_shard(&t, k, 3);
        shard_header h;
        ck_assert_int_eq(shard_read_header(fp, "tmp", &h, &err), NC_OK);
        ck_assert_str_eq(h.natcap_version, NATCAP_VERSION);
        ck_assert_str_eq(h.rng_name, "taus2");
        ck_assert_str_eq(h.input_dir, "some/inputs");
        ck_assert_uint_eq(h.formats, 5);
        ck_assert_int_eq(h.replications, -1);
        ck_assert_int_eq(h.seed, -1);
        ck_assert_int_eq(h.obs_tz_s, -5400);
        ck_assert_str_eq(h.obs_day, k % 2 ? "" : "2026-11-30");
        ck_assert_uint_eq(h.obs_fold, k % 2 ? OBS_FOLD_MEAN : OBS_FOLD_NONE);
        ck_assert_uint_eq(h.k, k);
        ck_assert_uint_eq(h.n, 3);
        ck_assert_uint_eq(h.units, 8);
        ck_assert_uint_eq(h.nscen, 2);
        ck_assert_str_eq(h.scen[1].name, "scen1");
        ck_assert_uint_eq(h.scen[0].reps, 5);
        if (k == 1) {   /* units [3, 6): reps 3-4 of scen0, 0 of scen1 */
            ck_assert_uint_eq(h.scen[0].rep_lo, 3);
            ck_assert_uint_eq(h.scen[0].rep_hi, 5);
            ck_assert_uint_eq(h.scen[1].rep_lo, 0);
            ck_assert_uint_eq(h.scen[1].rep_hi, 1);
        }
        rewind(fp);
        ck_assert_int_eq(shard_read_data(fp, "tmp", &h, merged, 2, &err), NC_OK);
        shard_header_free(&h);
        fclose(fp);
    }
    expect_equal(whole[0], merged[0]);
    expect_equal(whole[1], merged[1]);
    for (int i = 0; i < 2; i++) {
        nc_scen_result_destroy(whole[i]);
        nc_scen_result_destroy(merged[i]);
    }
}
END_TEST

/* The series of the pools a scenario watches (observed.csv's pool column)
 * travel in the parts: the scenario table names them, the merged series are
 * the whole run's, and a result watching a pool a part did not record is
 * refused rather than left at zero. */
START_TEST(watched_pools_travel_in_parts)
{
    gsl_set_error_handler_off();
    two t;
    two_init(&t);
    static nc_pool_ref watch[1];
    watch[0] = (nc_pool_ref){.gw = 0, .pool = 0, .name = "b#1"};
    t.sc[0].watch = watch;   /* scen0 only */
    t.sc[0].nwatch = 1;
    nc_scen_result *whole[2] = {NULL, NULL}, *merged[2];
    nc_error err = {0};
    batch_opts o = {.jobs = 1};
    ck_assert_int_eq(batch_run(t.sc, 2, &o, whole, &err), NC_OK);
    ck_assert_uint_eq(whole[0]->npool_series, 1);
    uint64_t seen = 0;
    for (size_t i = 0; i < (size_t)whole[0]->reps * whole[0]->nsamples; i++)
        seen += whole[0]->pools[0].in_use_by_rep[i] + whole[0]->pools[0].by_rep[i].attempts;
    ck_assert(seen > 0);   /* the series are not all zero */
    for (int i = 0; i < 2; i++)
        merged[i] = nc_scen_result_create(&t.sc[i], t.sc[i].replications);
    for (uint32_t k = 0; k < 3; k++) {
        FILE *fp = write_shard(&t, k, 3);
        shard_header h;
        ck_assert_int_eq(shard_read_header(fp, "tmp", &h, &err), NC_OK);
        ck_assert_uint_eq(h.scen[0].nwatch, 1);
        ck_assert_uint_eq(h.scen[0].watch[0].gw, 0);
        ck_assert_uint_eq(h.scen[0].watch[0].pool, 0);
        ck_assert_str_eq(h.scen[0].watch[0].name, "b#1");
        ck_assert_uint_eq(h.scen[1].nwatch, 0);
        ck_assert_int_eq(shard_scen_watched(&h.scen[0], &watch[0]), 0);
        ck_assert_int_eq(shard_scen_watched(&h.scen[1], &watch[0]), -1);
        rewind(fp);
        ck_assert_int_eq(shard_read_data(fp, "tmp", &h, merged, 2, &err), NC_OK);
        if (k == 2) {   /* units [5, 8): scen1 only, which the part has no pools of */
            t.sc[1].watch = watch;
            t.sc[1].nwatch = 1;
            nc_scen_result *other[2] = {merged[0], nc_scen_result_create(&t.sc[1], 3)};
            rewind(fp);
            memset(&err, 0, sizeof err);
            ck_assert_int_eq(shard_read_data(fp, "tmp.bin", &h, other, 2, &err), NC_EINPUT);
            ck_assert_str_eq(err.file, "tmp.bin");
            ck_assert_ptr_nonnull(strstr(err.msg, "no series of pool \"b#1\" (scenario 'scen1')"));
            nc_scen_result_destroy(other[1]);
            t.sc[1].watch = NULL;
            t.sc[1].nwatch = 0;
        }
        shard_header_free(&h);
        fclose(fp);
    }
    size_t n = (size_t)whole[0]->reps * whole[0]->nsamples;
    ck_assert_mem_eq(whole[0]->pools[0].in_use_by_rep, merged[0]->pools[0].in_use_by_rep,
                     n * sizeof(uint32_t));
    ck_assert_mem_eq(whole[0]->pools[0].by_rep, merged[0]->pools[0].by_rep,
                     n * sizeof(nc_rep_sample));
    for (int i = 0; i < 2; i++) {
        nc_scen_result_destroy(whole[i]);
        nc_scen_result_destroy(merged[i]);
    }
}
END_TEST

/* Copy fp into a new temporary file with byte `at` xored (or cut at `at`). */
static FILE *damaged(FILE *fp, long at, int cut)
{
    FILE *out = tmpfile();
    ck_assert_ptr_nonnull(out);
    rewind(fp);
    int ch;
    for (long i = 0; (ch = fgetc(fp)) != EOF; i++) {
        if (cut && i == at)
            break;
        fputc(i == at ? ch ^ 0x20 : ch, out);
    }
    rewind(out);
    return out;
}

START_TEST(damaged_parts_are_refused)
{
    gsl_set_error_handler_off();
    two t;
    two_init(&t);
    FILE *fp = write_shard(&t, 0, 2);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    const long at[] = {0, 9, 20, 100, size / 2, size - 40, size - 1};
    nc_error err = {0};
    shard_header h;
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        for (int cut = 0; cut < 2; cut++) {
            FILE *bad = damaged(fp, at[i], cut);
            memset(&err, 0, sizeof err);
            ck_assert_msg(shard_read_header(bad, "bad.bin", &h, &err) == NC_EINPUT,
                          "byte %ld (%s) accepted", at[i], cut ? "cut" : "flipped");
            ck_assert_str_eq(err.file, "bad.bin");
            ck_assert_ptr_null(h.scen);
            fclose(bad);
        }
    }
    FILE *good = damaged(fp, size, 0);
    ck_assert_int_eq(shard_read_header(good, "good.bin", &h, &err), NC_OK);
    shard_header_free(&h);
    fclose(good);
    fclose(fp);
}
END_TEST

/* A part of another format version (here the version field patched to 2,
 * the format before the per-replication samples) is refused by its version,
 * naming the file and the natcap that wrote it, before its checksum. */
START_TEST(other_format_version_is_refused)
{
    gsl_set_error_handler_off();
    two t;
    two_init(&t);
    FILE *fp = write_shard(&t, 1, 2);
    FILE *old = damaged(fp, 8, 0);   /* copy; byte 8 (version, LE) then set to 2 */
    fseek(old, 8, SEEK_SET);
    fputc(2, old);
    rewind(old);
    nc_error err = {0};
    shard_header h;
    ck_assert_int_eq(shard_read_header(old, "old.bin", &h, &err), NC_EINPUT);
    ck_assert_str_eq(err.file, "old.bin");
    ck_assert_msg(strstr(err.msg, "format 2, written by natcap " NATCAP_VERSION) != NULL &&
                      strstr(err.msg, "reads format 3") != NULL,
                  "message: %s", err.msg);
    ck_assert_ptr_null(h.scen);
    fclose(old);
    fclose(fp);
}
END_TEST

START_TEST(input_hash_sees_every_file)
{
    char dir[] = "/tmp/check_shard.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    uint8_t h0[32], h1[32], h2[32], h3[32];
    nc_error err = {0};
    ck_assert_int_eq(shard_hash_inputs(dir, h0, &err), NC_OK);   /* none there */
    snprintf(path, sizeof path, "%s/profiles.csv", dir);
    FILE *fp = fopen(path, "w");
    fclose(fp);
    ck_assert_int_eq(shard_hash_inputs(dir, h1, &err), NC_OK);   /* empty != absent */
    ck_assert(memcmp(h0, h1, 32) != 0);
    fp = fopen(path, "w");
    fputs("profile,time,multiplier\n", fp);
    fclose(fp);
    ck_assert_int_eq(shard_hash_inputs(dir, h2, &err), NC_OK);
    ck_assert(memcmp(h1, h2, 32) != 0);
    ck_assert_int_eq(shard_hash_inputs(dir, h3, &err), NC_OK);   /* stable */
    ck_assert(memcmp(h2, h3, 32) == 0);
    unlink(path);
    rmdir(dir);
}
END_TEST

Suite *shard_suite(void);

Suite *shard_suite(void)
{
    Suite *s = suite_create("shard");
    TCase *tc = tcase_create("sha256");
    tcase_add_test(tc, sha256_known_answers);
    suite_add_tcase(s, tc);
    tc = tcase_create("partition");
    tcase_add_test(tc, partition_covers_units_once);
    tcase_add_test(tc, partition_examples);
    tcase_add_test(tc, parse_k_of_n);
    tcase_add_test(tc, environment_selects_shard);
    suite_add_tcase(s, tc);
    tc = tcase_create("part file");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, shards_merge_to_the_whole);
    tcase_add_test(tc, watched_pools_travel_in_parts);
    tcase_add_test(tc, damaged_parts_are_refused);
    tcase_add_test(tc, other_format_version_is_refused);
    tcase_add_test(tc, input_hash_sees_every_file);
    suite_add_tcase(s, tc);
    return s;
}
