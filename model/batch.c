/* batch.c - see batch.h. */
#define _GNU_SOURCE
#include "batch.h"

#include "progress.h"
#include "sim.h"

#include <pthread.h>
#include <stdio.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t splitmix64(uint64_t x)
{
    x += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

/* A set of nonzero values (open addressing, linear probing; 0 marks an
 * empty slot): the current seeds of the replications before j. */
typedef struct seed_set {
    unsigned long *slot;
    size_t mask;
} seed_set;

static size_t seed_slot(const seed_set *set, unsigned long v)
{
    size_t i = (size_t)(splitmix64(v) & set->mask);
    while (set->slot[i] != 0 && set->slot[i] != v)
        i = (i + 1) & set->mask;
    return i;
}

void batch_rep_seeds(uint64_t seed, uint32_t reps, unsigned long *seeds)
{
    /* Not a symmetric mix such as hash(seed) ^ hash(j), which would make
     * (seed 1, rep 2) equal (seed 2, rep 1). */
    uint64_t base = splitmix64(seed ^ UINT64_C(0x6A09E667F3BCC909));
    for (uint32_t j = 0; j < reps; j++) {
        uint64_t h = splitmix64(base + (uint64_t)(j + 1) * UINT64_C(0xD1B54A32D192ED03));
        seeds[j] = (unsigned long)((h >> 32) ^ (h & 0xffffffffu));
        if (seeds[j] == 0)
            seeds[j] = 1;   /* GSL maps 0 to the generator's default seed */
    }
    /* Resolve the rare collisions deterministically: in each round, a
     * replication whose seed equals the current seed of an earlier one is
     * re-hashed once; rounds repeat until every seed is unique.  A set of
     * the earlier seeds makes a round O(reps) (comparing every pair took
     * hours for a million replications). */
    size_t cap = 16;
    while (cap < 2 * (size_t)reps)
        cap *= 2;
    seed_set set = {malloc(cap * sizeof *set.slot), cap - 1};
    if (set.slot == NULL)
        return;
    for (int round = 0; round < 64; round++) {
        memset(set.slot, 0, cap * sizeof *set.slot);
        int dup = 0;
        for (uint32_t j = 0; j < reps; j++) {
            size_t i = seed_slot(&set, seeds[j]);
            if (set.slot[i] == seeds[j]) {
                dup = 1;
                uint64_t h = splitmix64(seeds[j] + UINT64_C(0x632BE59BD9B4E019) * (j + 1));
                seeds[j] = (unsigned long)((h >> 32) ^ (h & 0xffffffffu)) | 1u;
                i = seed_slot(&set, seeds[j]);
            }
            set.slot[i] = seeds[j];
        }
        if (!dup)
            break;
    }
    free(set.slot);
}

unsigned batch_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0)
            return (unsigned)n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1u;
}

/* What a worker publishes about the unit it runs (read by the progress
 * poll without the lock: a torn or stale value only moves the bar). */
typedef struct slot {
    volatile int64_t clock_us;
    volatile uint64_t requests;
    size_t scen;
    int busy;                    /* under the lock */
} slot;

typedef struct shared {
    const nc_scenario *sc;
    size_t nsc;
    nc_scen_result **out;
    unsigned long **seeds;       /* per scenario */
    const gsl_rng_type *T;
    const volatile sig_atomic_t *stop;
    uint64_t next, hi;           /* next unit to take, end */
    uint64_t *unit_base;         /* first unit of scenario i */
    const uint32_t *rep_lo;      /* NULL or first replication of scenario i */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    size_t done, running;
    size_t last_scenario;
    slot *slots;                 /* one per worker */
    unsigned nslots, next_slot;  /* under the lock */
    size_t last_slot;            /* of the unit started last */
    double *expect;              /* expected requests of a replication, per scenario */
    double work_done;            /* of the finished units */
    nc_status status;
    nc_error err;
    volatile sig_atomic_t abort_flag;
} shared;

static void unit_decode(const shared *sh, uint64_t u, size_t *scen, uint32_t *rep)
{
    size_t i = 0;
    while (i + 1 < sh->nsc && sh->unit_base[i + 1] <= u)
        i++;
    *scen = i;
    *rep = (uint32_t)(u - sh->unit_base[i]) + (sh->rep_lo ? sh->rep_lo[i] : 0);
}

static void *worker(void *arg)
{
    shared *sh = arg;
    sim *s = NULL;
    size_t s_scen = SIZE_MAX;
    pthread_mutex_lock(&sh->lock);
    slot *me = &sh->slots[sh->next_slot];
    size_t my_slot = sh->next_slot++;
    pthread_mutex_unlock(&sh->lock);
    sim_ctl ctl = {&sh->abort_flag, &me->clock_us, &me->requests};
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        if (sh->next >= sh->hi || sh->status != NC_OK || (sh->stop && *sh->stop)) {
            pthread_mutex_unlock(&sh->lock);
            break;
        }
        uint64_t u = sh->next++;
        size_t scen;
        uint32_t rep;
        unit_decode(sh, u, &scen, &rep);
        sh->last_scenario = scen;
        sh->last_slot = my_slot;
        me->clock_us = 0;
        me->requests = 0;
        me->scen = scen;
        me->busy = 1;
        pthread_mutex_unlock(&sh->lock);

        nc_error err = {0};
        nc_status st = NC_OK;
        if (scen != s_scen) {
            sim_destroy(s);
            s = NULL;
            s_scen = scen;
            st = sim_create(&sh->sc[scen], &s, &err);
            if (st == NC_OK && sh->sc[scen].nwatch > 0)
                st = sim_watch_pools(s, &err);
        }
        if (st == NC_OK)
            st = sim_run(s, sh->T, sh->seeds[scen][rep], &ctl, &err);
        pthread_mutex_lock(&sh->lock);
        me->busy = 0;
        if (st == NC_OK) {
            sim_merge(s, sh->out[scen], rep);
            sh->done++;
            sh->work_done += sh->expect[scen];
        } else if (sh->status == NC_OK) {
            sh->status = st;
            sh->err = err;
            sh->abort_flag = 1;
        }
        pthread_cond_signal(&sh->cond);
        pthread_mutex_unlock(&sh->lock);
        if (st != NC_OK)
            break;
    }
    sim_destroy(s);
    pthread_mutex_lock(&sh->lock);
    sh->running--;
    pthread_cond_signal(&sh->cond);
    pthread_mutex_unlock(&sh->lock);
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

nc_status batch_run(const nc_scenario *scenarios, size_t n, const batch_opts *o,
                    nc_scen_result **out, nc_error *err)
{
    shared sh;
    memset(&sh, 0, sizeof sh);
    sh.sc = scenarios;
    sh.nsc = n;
    sh.out = out;
    sh.T = o->rng ? o->rng : gsl_rng_taus2;
    sh.stop = o->stop;
    sh.rep_lo = o->rep_lo;
    sh.seeds = calloc(n + 1, sizeof *sh.seeds);
    sh.unit_base = calloc(n + 1, sizeof *sh.unit_base);
    sh.expect = calloc(n + 1, sizeof *sh.expect);
    nc_status st = NC_OK;
    if (sh.seeds == NULL || sh.unit_base == NULL || sh.expect == NULL)
        st = nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    uint64_t total = 0;
    for (size_t i = 0; i < n && st == NC_OK; i++) {
        out[i] = nc_scen_result_create(&scenarios[i], scenarios[i].replications);
        sh.seeds[i] = malloc(scenarios[i].replications * sizeof **sh.seeds);
        if (out[i] == NULL || sh.seeds[i] == NULL) {
            st = nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
            break;
        }
        snprintf(out[i]->rng_name, sizeof out[i]->rng_name, "%s", sh.T->name);
        batch_rep_seeds(scenarios[i].seed, scenarios[i].replications, sh.seeds[i]);
        sh.unit_base[i] = total;
        uint32_t lo = o->rep_lo ? o->rep_lo[i] : 0;
        total += lo < scenarios[i].replications ? scenarios[i].replications - lo : 0;
        sh.expect[i] = progress_expected_requests(&scenarios[i]);
        if (!(sh.expect[i] > 0))
            sh.expect[i] = 1;   /* out of memory or no load: count the unit as one request */
    }
    if (st == NC_OK) {
        sh.next = o->unit_lo;
        sh.hi = (o->unit_hi == 0 && o->unit_lo == 0) ? total : o->unit_hi;
        if (sh.hi > total)
            sh.hi = total;
        pthread_mutex_init(&sh.lock, NULL);
        pthread_cond_init(&sh.cond, NULL);
        unsigned jobs = o->jobs ? o->jobs : 1;
        if (jobs > sh.hi - sh.next && sh.hi > sh.next)
            jobs = (unsigned)(sh.hi - sh.next);
        pthread_t *tid = calloc(jobs, sizeof *tid);
        sh.slots = calloc(jobs, sizeof *sh.slots);
        sh.nslots = jobs;
        if (sh.slots == NULL) {
            free(tid);
            tid = NULL;
        }
        double work_total = 0;
        for (uint64_t u = sh.next; u < sh.hi; u++) {
            size_t sc_i;
            uint32_t rep;
            unit_decode(&sh, u, &sc_i, &rep);
            work_total += sh.expect[sc_i];
        }
        double t0 = now_s();
        unsigned started = 0;
        pthread_mutex_lock(&sh.lock);
        for (unsigned j = 0; tid != NULL && j < jobs; j++) {
            if (pthread_create(&tid[j], NULL, worker, &sh) != 0)
                break;
            started++;
            sh.running++;
        }
        if (started == 0 && sh.hi > sh.next) {
            sh.status = nc_error_set(&sh.err, NC_ENOMEM, NULL, 0, NULL, "cannot start worker threads");
        }
        while (sh.running > 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 250000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&sh.cond, &sh.lock, &ts);
            if (sh.stop && *sh.stop)
                sh.abort_flag = 1;
            if (o->progress) {
                double work = sh.work_done;
                for (unsigned j = 0; j < sh.nslots; j++)
                    if (sh.slots[j].busy) {
                        double r = (double)sh.slots[j].requests, e = sh.expect[sh.slots[j].scen];
                        work += r < e ? r : e;
                    }
                batch_status bs = {sh.done, sh.hi - (o->unit_lo), sh.last_scenario, 0,
                                   sh.slots[sh.last_slot].clock_us, now_s() - t0, work,
                                   work_total};
                size_t sc_i;
                uint32_t rep;
                unit_decode(&sh, sh.next > 0 ? sh.next - 1 : 0, &sc_i, &rep);
                bs.reps_done = rep;
                pthread_mutex_unlock(&sh.lock);
                o->progress(o->ud, &bs);
                pthread_mutex_lock(&sh.lock);
            }
        }
        pthread_mutex_unlock(&sh.lock);
        for (unsigned j = 0; j < started; j++)
            pthread_join(tid[j], NULL);
        free(tid);
        free(sh.slots);
        pthread_mutex_destroy(&sh.lock);
        pthread_cond_destroy(&sh.cond);
        if (sh.status != NC_OK) {
            st = sh.status;
            if (err)
                *err = sh.err;
        } else if (sh.stop && *sh.stop) {
            st = nc_error_set(err, NC_EINTR, NULL, 0, NULL, "interrupted");
        }
    }
    for (size_t i = 0; i < n && sh.seeds; i++)
        free(sh.seeds[i]);
    free(sh.seeds);
    free(sh.unit_base);
    free(sh.expect);
    if (st != NC_OK) {
        for (size_t i = 0; i < n; i++) {
            nc_scen_result_destroy(out[i]);
            out[i] = NULL;
        }
    }
    return st;
}
