/*
 * check_sim_parts.c - the simulator's state machines (model/nat_pool.h,
 * model/syn_timers.h, model/conn_pool.h), each run on random programs
 * (random sequences of operations at random, non-decreasing times) side by
 * side with a brute-force reference written without the module's tricks:
 *   nat_pool    a list of individual mappings, each with its state and,
 *               in TIME_WAIT, its own expiry time;
 *   syn_timers  one event per SYN, timeout and retry in a linear-scan
 *               queue, the schedule summed wait by wait (1 s, 2 s, 4 s ...);
 *   conn_pool   explicit arrays of idle connections and waiters.
 * Every count, every answer and every list is compared after each step.
 */
#define _POSIX_C_SOURCE 200809L
#include "../model/conn_pool.h"
#include "../model/event_queue.h"
#include "../model/nat_pool.h"
#include "../model/port_map.h"
#include "../model/syn_timers.h"

#include "kernel_probe.h"

#include <check.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

Suite *sim_parts_suite(void);

static sim_time rnd_time(gsl_rng *r, sim_time hi)
{
    return (sim_time)gsl_rng_uniform_int(r, (unsigned long)hi);
}

/* ------------------------------------------------------------ nat_pool */

enum { M_ACTIVE, M_IDLE, M_TW };

typedef struct ref_mapping {
    uint32_t pool, owner, state;
    sim_time expiry;             /* M_TW */
    uint64_t seq;                /* M_TW: order of entering it */
} ref_mapping;

typedef struct nat_ref {
    ref_mapping *m;
    size_t n;
    uint64_t seq;
} nat_ref;

static size_t ref_count(const nat_ref *x, uint32_t p, int state)
{
    size_t c = 0;
    for (size_t i = 0; i < x->n; i++)
        c += x->m[i].pool == p && (state < 0 || x->m[i].state == (uint32_t)state);
    return c;
}

/* A random mapping of pool p in `state`: its index, or -1. */
static long ref_pick(const nat_ref *x, gsl_rng *r, uint32_t p, uint32_t state)
{
    size_t c = ref_count(x, p, (int)state);
    if (c == 0)
        return -1;
    size_t k = gsl_rng_uniform_int(r, c);
    for (size_t i = 0; i < x->n; i++)
        if (x->m[i].pool == p && x->m[i].state == state && k-- == 0)
            return (long)i;
    return -1;
}

static void ref_remove(nat_ref *x, size_t i) { x->m[i] = x->m[--x->n]; }

/* The reference's next expiry due by t (strictly before when strict): the
 * earliest by (expiry, order of entering TIME_WAIT); its index or -1. */
static long ref_due(const nat_ref *x, sim_time t, int strict)
{
    long best = -1;
    for (size_t i = 0; i < x->n; i++) {
        const ref_mapping *m = &x->m[i];
        if (m->state != M_TW || m->expiry > t || (strict && m->expiry == t))
            continue;
        if (best < 0 || m->expiry < x->m[best].expiry ||
            (m->expiry == x->m[best].expiry && m->seq < x->m[best].seq))
            best = (long)i;
    }
    return best;
}

static sim_time ref_next_release(const nat_ref *x, uint32_t p)
{
    sim_time t = SIM_TIME_NONE;
    for (size_t i = 0; i < x->n; i++)
        if (x->m[i].pool == p && x->m[i].state == M_TW && x->m[i].expiry < t)
            t = x->m[i].expiry;
    return t;
}

/* Release what is due in both and compare who is released, in order. */
static void expire_both(nat_tw_ring *w, nat_pool *pools, nat_ref *x, sim_time t, int strict)
{
    for (;;) {
        uint32_t owner = UINT32_MAX;
        int got = nat_expire_one(w, pools, t, strict, &owner);
        long i = ref_due(x, t, strict);
        ck_assert_int_eq(got, i >= 0);
        if (!got)
            return;
        ck_assert_uint_eq(owner, x->m[i].owner);
        ref_remove(x, (size_t)i);
    }
}

/* Random programs of acquire, park, reuse, drop, close and expiry on one
 * gateway: loop 0 one pool (the ring's head is the pool's), 1-3 several
 * (linked: each pool's oldest entry tracked beside the ring), 3 without
 * TIME_WAIT.  Times advance by up to half the TIME_WAIT and sometimes land
 * exactly on an expiry (strict and not). */
START_TEST(nat_pool_matches_reference)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 100 + (unsigned long)_i);
    enum { STEPS = 60000, MAXP = 4 };
    uint32_t np = _i == 0 ? 1 : (uint32_t)_i + 1;
    sim_time tw = _i == 3 ? 0 : 120 * SIM_US_PER_S;
    nat_pool pools[MAXP];
    for (uint32_t p = 0; p < np; p++)
        nat_pool_init(&pools[p], (uint32_t)gsl_rng_uniform_int(r, 700));   /* some 0 */
    pools[0].cap = 600;
    for (uint32_t p = 0; _i == 2 && p < np; p++)
        pools[p].cap = 1500;   /* more in TIME_WAIT than the ring's first 1024 */
    nat_tw_ring w;
    nat_ring_init(&w, tw, np > 1);
    nat_ref x = {calloc(MAXP * 1600, sizeof(ref_mapping)), 0, 0};
    size_t most = 0;   /* in TIME_WAIT at once */
    sim_time now = -3600 * SIM_US_PER_S;
    for (int step = 0; step < STEPS; step++) {
        /* loop 2, second half: time slows down, TIME_WAIT fills the ring
         * past its size, which has wrapped by then */
        int fill = _i == 2 && step > STEPS / 2;
        double u = gsl_rng_uniform(r);
        if (u < 0.05) {   /* time goes on, sometimes to an expiry exactly */
            long due = ref_due(&x, SIM_TIME_NONE - 1, 0);
            if (due >= 0 && !fill && gsl_rng_uniform(r) < 0.5 && x.m[due].expiry > now)
                now = x.m[due].expiry;
            else
                now += rnd_time(r, fill ? SIM_US_PER_S / 10 : 60 * SIM_US_PER_S);
            int strict = gsl_rng_uniform(r) < 0.3;   /* a sample at now */
            expire_both(&w, pools, &x, now, strict);
        }
        uint32_t p = (uint32_t)gsl_rng_uniform_int(r, np);
        u = gsl_rng_uniform(r);
        long i;
        if (u < 0.35) {
            expire_both(&w, pools, &x, now, 0);
            int room = ref_count(&x, p, -1) < pools[p].cap;
            ck_assert_int_eq(nat_acquire(&pools[p]), room);
            if (room)
                x.m[x.n++] = (ref_mapping){.pool = p, .owner = (uint32_t)gsl_rng_uniform_int(r, 6),
                                            .state = M_ACTIVE};
        } else if (u < 0.45) {
            if ((i = ref_pick(&x, r, p, M_ACTIVE)) >= 0) {
                nat_park(&pools[p]);
                x.m[i].state = M_IDLE;
            }
        } else if (u < 0.52) {
            if ((i = ref_pick(&x, r, p, M_IDLE)) >= 0) {
                nat_reuse(&pools[p]);
                x.m[i].state = M_ACTIVE;
            }
        } else if (u < 0.56) {
            if ((i = ref_pick(&x, r, p, M_IDLE)) >= 0) {
                nat_drop_idle(&pools[p]);
                ref_remove(&x, (size_t)i);
            }
        } else if (u < 0.95) {
            int idle = u >= 0.85;
            if ((i = ref_pick(&x, r, p, idle ? M_IDLE : M_ACTIVE)) >= 0) {
                int st = idle ? nat_close_idle(&w, pools, p, x.m[i].owner, now)
                              : nat_close_active(&w, pools, p, x.m[i].owner, now);
                if (tw <= 0) {
                    ck_assert_int_eq(st, NAT_FREED);
                    ref_remove(&x, (size_t)i);
                } else {
                    ck_assert_int_eq(st, NAT_TIME_WAIT);
                    x.m[i].state = M_TW;
                    x.m[i].expiry = now + tw;
                    x.m[i].seq = x.seq++;
                }
            }
        } else {
            ck_assert_int_eq(nat_next_release(&w, pools, p), ref_next_release(&x, p));
        }
        size_t cnt[MAXP][3] = {{0}}, ntw = 0;   /* [pool][state], in one pass */
        for (size_t j = 0; j < x.n; j++) {
            cnt[x.m[j].pool][x.m[j].state]++;
            ntw += x.m[j].state == M_TW;
        }
        most = ntw > most ? ntw : most;
        for (uint32_t k = 0; k < np; k++) {
            const nat_pool *pl = &pools[k];
            ck_assert_msg(pl->active == cnt[k][M_ACTIVE] && pl->idle == cnt[k][M_IDLE] &&
                              nat_pool_tw(pl) == cnt[k][M_TW],
                          "step %d, pool %u: active %u, idle %u, TIME_WAIT %u; reference %zu, %zu, %zu",
                          step, k, pl->active, pl->idle, nat_pool_tw(pl), cnt[k][M_ACTIVE], cnt[k][M_IDLE],
                          cnt[k][M_TW]);
        }
    }
    if (tw > 0)
        ck_assert_uint_gt(x.seq, 5000);   /* the ring wrapped */
    if (_i == 2)
        ck_assert_uint_gt(most, 1024);   /* and grew */
    nat_ring_free(&w);
    free(x.m);
    gsl_rng_free(r);
}
END_TEST

/* ---------------------------------------------------------- syn_timers */

/* What happened to a request, in the order it happened. */
enum { L_SYN, L_OK, L_TIMEOUT, L_FAIL, L_RETRY };

typedef struct log_rec {
    sim_time t;
    uint32_t q, what, n, attempt;
    size_t seq;                  /* order of logging */
} log_rec;

typedef struct syn_row {
    uint32_t syn_retries, retries;
    double connect_timeout_s;
    sim_time backoff_us;
    int cfail_event;             /* the timeout is an event of its own (rows with ipools) */
} syn_row;

typedef struct syn_req {
    uint32_t row, attempt, retries_left;
    sim_time start;
} syn_req;

typedef struct syn_world {
    const syn_row *rows;
    syn_req *reqs;
    log_rec *log;
    size_t nlog;
    sim_time end;
} syn_world;

/* Whether SYN n of request q's attempt gets a mapping: fixed per (q,
 * attempt, n), so that both sides see the same gateway whatever their
 * order of events. */
static int syn_ok(uint32_t q, uint32_t attempt, uint32_t n)
{
    uint64_t h = ((uint64_t)q * 2654435761u) ^ ((uint64_t)attempt << 40) ^ ((uint64_t)n << 52);
    h ^= h >> 29;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    h ^= h >> 32;
    return h % 100 < 15;
}

static void log_add(syn_world *w, sim_time t, uint32_t q, uint32_t what, uint32_t n)
{
    w->log[w->nlog] = (log_rec){t, q, what, n, w->reqs[q].attempt, w->nlog};
    w->nlog++;
}

/* The module's side: a small engine around event_queue.h with the timer
 * families' heads in it, as sim.c does. */
enum { K_START, K_FIFO };

static void st_queue(event_queue *q, syn_timers *st, uint32_t f, syn_entry e)
{
    int x = syn_push(st, f, e);
    ck_assert_int_ge(x, 0);
    if (x > 0)
        ck_assert_int_eq(eq_push(q, e.t, EQ_REF(K_FIFO, f)), 0);
}

static void st_timeout(syn_world *w, event_queue *eq, syn_timers *st, uint32_t q, sim_time at)
{
    syn_req *rq = &w->reqs[q];
    if (at >= w->end)
        return;
    log_add(w, at, q, L_TIMEOUT, 0);
    if (rq->retries_left == 0) {
        log_add(w, at, q, L_FAIL, 0);
        return;
    }
    rq->retries_left--;
    st_queue(eq, st, syn_retry_family(st, rq->row),
             (syn_entry){.t = syn_retry_at(at, w->rows[rq->row].backoff_us), .ref = q});
}

static void st_syn(syn_world *w, event_queue *eq, syn_timers *st, uint32_t q, uint32_t n, sim_time t)
{
    syn_req *rq = &w->reqs[q];
    const syn_row *rw = &w->rows[rq->row];
    log_add(w, t, q, L_SYN, n);
    if (syn_ok(q, rq->attempt, n)) {
        log_add(w, t, q, L_OK, n);
        return;
    }
    sim_time at;
    sim_time start = syn_attempt_start(t, n);
    ck_assert_int_eq(start, rq->start);
    uint32_t next = syn_after_drop(start, n, rw->syn_retries,
                                   syn_connect_deadline(rw->syn_retries, rw->connect_timeout_s), &at);
    if (next > 0)
        st_queue(eq, st, next, (syn_entry){.t = at, .ref = q, .row = rq->row});
    else if (rw->cfail_event)
        st_queue(eq, st, syn_cfail_family(st, rq->row), (syn_entry){.t = at, .ref = q});
    else
        st_timeout(w, eq, st, q, at);
}

static void run_module(syn_world *w, uint32_t nreq, uint32_t nrows, const sim_time *start)
{
    event_queue *eq = calloc(1, sizeof *eq);
    eq_reset(eq);
    syn_timers st;
    ck_assert_int_eq(syn_timers_init(&st, nrows, w->end), 0);
    for (uint32_t q = 0; q < nreq; q++)
        if (start[q] < w->end)
            ck_assert_int_eq(eq_push(eq, start[q], EQ_REF(K_START, q)), 0);
    sim_time t, last = INT64_MIN;
    uint32_t ref;
    while (eq_pop(eq, &t, &ref) == 1) {
        ck_assert_int_ge(t, last);   /* queue order */
        last = t;
        uint32_t idx = EQ_IDX(ref);
        if (EQ_KIND(ref) == K_START) {
            w->reqs[idx].start = t;
            st_syn(w, eq, &st, idx, 0, t);
            continue;
        }
        syn_entry e = syn_pop(&st, idx);
        ck_assert_int_eq(e.t, t);
        if (idx < SYN_FIFOS) {
            st_syn(w, eq, &st, e.ref, idx, t);
        } else if (idx < SYN_FIFOS + nrows) {
            st_timeout(w, eq, &st, e.ref, t);
        } else {
            log_add(w, t, e.ref, L_RETRY, 0);
            w->reqs[e.ref].attempt++;
            w->reqs[e.ref].start = t;
            st_syn(w, eq, &st, e.ref, 0, t);
        }
        sim_time next;
        if (syn_requeue(&st, idx, &next))
            ck_assert_int_eq(eq_push(eq, next, EQ_REF(K_FIFO, idx)), 0);
    }
    syn_timers_free(&st);
    eq_free(eq);
    free(eq);
}

/* The reference: every SYN, timeout and retry an event of its own in a
 * list scanned for the earliest. */
typedef struct ref_ev {
    sim_time t;
    uint64_t seq;
    uint32_t q, what, n;
} ref_ev;

typedef struct ref_queue {
    ref_ev *v;
    size_t n;
    uint64_t seq;
    sim_time end;
} ref_queue;

static void ref_push(ref_queue *x, sim_time t, uint32_t q, uint32_t what, uint32_t n)
{
    if (t < x->end)
        x->v[x->n++] = (ref_ev){t, x->seq++, q, what, n};
}

/* Request q's attempt began at `start`; SYN n was dropped: what comes next. */
static void ref_after_drop(ref_queue *x, const syn_row *rw, uint32_t q, sim_time start, uint32_t n)
{
    sim_time last = 0, wait = SIM_US_PER_S;
    for (uint32_t k = 0; k <= rw->syn_retries && k < 40; k++) {
        last += wait;   /* after SYN k the client waits 1, 2, 4 ... s */
        wait *= 2;
    }
    sim_time limit = sim_from_s(rw->connect_timeout_s);
    sim_time deadline = start + (last < limit ? last : limit);
    sim_time t = start;
    wait = SIM_US_PER_S;
    for (uint32_t k = 0; k <= n; k++) {
        t += wait;
        wait *= 2;
    }
    if (n + 1 <= rw->syn_retries && t < deadline)
        ref_push(x, t, q, L_SYN, n + 1);
    else
        ref_push(x, deadline, q, L_TIMEOUT, 0);
}

static void run_reference(syn_world *w, uint32_t nreq, const sim_time *start)
{
    ref_queue x = {calloc(nreq * 4 + 16, sizeof(ref_ev)), 0, 0, w->end};
    for (uint32_t q = 0; q < nreq; q++)
        ref_push(&x, start[q], q, L_RETRY, 0);   /* (the first attempt: not logged) */
    while (x.n > 0) {
        size_t b = 0;
        for (size_t i = 1; i < x.n; i++)
            if (x.v[i].t < x.v[b].t || (x.v[i].t == x.v[b].t && x.v[i].seq < x.v[b].seq))
                b = i;
        ref_ev e = x.v[b];
        x.v[b] = x.v[--x.n];
        syn_req *rq = &w->reqs[e.q];
        const syn_row *rw = &w->rows[rq->row];
        uint32_t n = e.n;
        if (e.what == L_TIMEOUT) {
            log_add(w, e.t, e.q, L_TIMEOUT, 0);
            if (rq->retries_left == 0) {
                log_add(w, e.t, e.q, L_FAIL, 0);
                continue;
            }
            rq->retries_left--;
            ref_push(&x, e.t + rw->backoff_us, e.q, L_RETRY, 1);
            continue;
        }
        if (e.what == L_RETRY) {
            if (e.n == 1) {
                log_add(w, e.t, e.q, L_RETRY, 0);
                rq->attempt++;
            }
            rq->start = e.t;
            n = 0;
        }
        log_add(w, e.t, e.q, L_SYN, n);
        if (syn_ok(e.q, rq->attempt, n))
            log_add(w, e.t, e.q, L_OK, n);
        else
            ref_after_drop(&x, rw, e.q, rq->start, n);
    }
    free(x.v);
}

static int by_request(const void *a, const void *b)
{
    const log_rec *x = a, *y = b;
    if (x->q != y->q)
        return x->q < y->q ? -1 : 1;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Random requests (a steepening burst, whose families grow while their
 * heads move, then a trickle) on rows with different retransmission counts,
 * connect timeouts (fractions of a second, below and above the last
 * retransmission's wait), retries and backoffs, some with the timeout as
 * an event of its own; the gateway refuses 85 % of SYNs.  Each request's
 * story (SYNs with their number, connection, timeouts, retries, failure,
 * each with its time) is the same as with one event per SYN. */
START_TEST(syn_timers_match_reference)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 200 + (unsigned long)_i);
    enum { NREQ = 4000, NROWS = 6 };
    syn_row rows[NROWS];
    for (uint32_t i = 0; i < NROWS; i++) {
        rows[i].syn_retries = (uint32_t)gsl_rng_uniform_int(r, 8);
        rows[i].retries = (uint32_t)gsl_rng_uniform_int(r, 3);
        rows[i].connect_timeout_s = gsl_rng_uniform(r) < 0.5 ? 0.5 + gsl_rng_uniform(r) * 140 : 1e6;
        rows[i].backoff_us = rnd_time(r, 5 * SIM_US_PER_S);
        rows[i].cfail_event = i % 2;
    }
    rows[0].syn_retries = 45;   /* beyond the retransmission families */
    rows[0].connect_timeout_s = 400.25;
    rows[1].syn_retries = 6;   /* retransmission 3 would go out at the deadline: it does not */
    rows[1].connect_timeout_s = 7.0;
    sim_time *start = malloc(NREQ * sizeof *start);
    syn_req *reqs = calloc(NREQ, sizeof *reqs);
    log_rec *la = malloc(NREQ * 200 * sizeof *la), *lb = malloc(NREQ * 200 * sizeof *lb);
    for (uint32_t q = 0; q < NREQ; q++)
        start[q] = q < 3 * NREQ / 4 ? sim_from_s(3 * sqrt(gsl_rng_uniform(r)))   /* a ramp */
                                    : rnd_time(r, 1000 * SIM_US_PER_S);
    uint32_t row_of[NREQ];
    for (uint32_t q = 0; q < NREQ; q++)
        row_of[q] = (uint32_t)gsl_rng_uniform_int(r, NROWS);
    syn_world w = {rows, reqs, la, 0, 900 * SIM_US_PER_S};
    for (uint32_t q = 0; q < NREQ; q++)
        reqs[q] = (syn_req){row_of[q], 0, rows[row_of[q]].retries, 0};
    run_module(&w, NREQ, NROWS, start);
    size_t na = w.nlog;
    w.log = lb;
    w.nlog = 0;
    for (uint32_t q = 0; q < NREQ; q++)
        reqs[q] = (syn_req){row_of[q], 0, rows[row_of[q]].retries, 0};
    run_reference(&w, NREQ, start);
    size_t nb = w.nlog;
    ck_assert_uint_eq(na, nb);
    ck_assert_uint_gt(na, 5 * NREQ);
    /* per request in order of time, then of logging: at the same time a
     * request's records follow each other causally on both sides */
    qsort(la, na, sizeof *la, by_request);
    qsort(lb, nb, sizeof *lb, by_request);
    for (size_t i = 0; i < na; i++) {
        ck_assert_uint_eq(la[i].q, lb[i].q);
        ck_assert_int_eq(la[i].t, lb[i].t);
        ck_assert_uint_eq(la[i].what, lb[i].what);
        ck_assert_uint_eq(la[i].n, lb[i].n);
        ck_assert_uint_eq(la[i].attempt, lb[i].attempt);
    }
    free(la);
    free(lb);
    free(reqs);
    free(start);
    gsl_rng_free(r);
}
END_TEST

/* ------------------------------------------------------------ conn_pool */

typedef struct waiter {
    uint32_t next;
    uint32_t busy;
    sim_time deadline;
} waiter;

typedef struct ref_idle {
    uint32_t c, mapped;
    sim_time since;
} ref_idle;

typedef struct ref_cpool {
    ref_idle idle[64];
    uint32_t nidle, open;
    uint32_t wait[64];
    uint32_t nwait;
    uint32_t used[64];           /* connections in use */
    uint32_t nused;
} ref_cpool;

static void ref_idle_del(ref_cpool *x, uint32_t i)
{
    for (uint32_t k = i + 1; k < x->nidle; k++)
        x->idle[k - 1] = x->idle[k];
    x->nidle--;
}

/* The module's lists walked against the reference's arrays: NULL, or
 * what differs.  (Plain comparisons: a Check assertion per field and step
 * costs a write to Check's pipe.) */
static const char *cp_differs(const conn_pool *p, const cp_conns *c, cp_waiters wt, const ref_cpool *x)
{
    if (p->nidle != x->nidle || p->open != x->open)
        return "nidle or open";
    uint32_t i = p->idle_head, k = 0, prev = CP_NIL, first_mapped = CP_NIL;
    for (; i != CP_NIL; prev = i, i = c->v[i].next, k++) {
        if (k >= x->nidle || i != x->idle[k].c || c->v[i].prev != prev)
            return "idle list";
        if (c->v[i].mapped != x->idle[k].mapped || c->v[i].since != x->idle[k].since)
            return "idle connection";
        if (first_mapped == CP_NIL && x->idle[k].mapped)
            first_mapped = i;
    }
    if (k != x->nidle || p->idle_tail != prev)
        return "idle list length or tail";
    if (p->first_mapped != first_mapped)
        return "first_mapped";
    k = 0;
    for (uint32_t q = p->wait_head; q != CP_NIL; q = *cp_next_of(wt, q), k++)
        if (k >= x->nwait || q != x->wait[k])
            return "wait queue";
    if (k != x->nwait || (k > 0 && p->wait_tail != x->wait[k - 1]))
        return "wait queue length or tail";
    return NULL;
}

/* Random programs on three pools sharing one connection slab: open,
 * park, reuse of the newest, the client's keepalive and the gateway's idle
 * timeout ageing out the oldest, close, waiters queueing, served and timing
 * out, the next timer, arming and firing. */
START_TEST(conn_pool_matches_reference)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 300 + (unsigned long)_i);
    enum { NP = 3, STEPS = 50000, NW = 96 };
    conn_pool pools[NP];
    ref_cpool ref[NP];
    sim_time timer[NP];
    cp_conns conns = {NULL, 0, 0, CP_NIL};
    waiter wv[NW] = {{0}};
    cp_waiters wt = {(char *)&wv[0].next, (char *)&wv[0].deadline, sizeof wv[0]};
    for (uint32_t p = 0; p < NP; p++) {
        pools[p].row = p;
        cp_reset(&pools[p]);
        ref[p] = (ref_cpool){.nidle = 0};
        timer[p] = SIM_TIME_NONE;
    }
    sim_time now = 0;
    const sim_time ka = 90 * SIM_US_PER_S, it = 60 * SIM_US_PER_S;
    for (int step = 0; step < STEPS; step++) {
        uint32_t p = (uint32_t)gsl_rng_uniform_int(r, NP);
        conn_pool *pl = &pools[p];
        ref_cpool *x = &ref[p];
        now += gsl_rng_uniform(r) < 0.3 ? rnd_time(r, 20 * SIM_US_PER_S) : 0;
        double u = gsl_rng_uniform(r);
        uint32_t c;
        if (u < 0.15) {   /* a new connection opens and is used */
            if (x->nused < 40) {
                c = cp_conn_alloc(&conns);
                ck_assert_uint_ne(c, CP_NIL);
                for (uint32_t k = 0; k < NP; k++) {
                    for (uint32_t j = 0; j < ref[k].nused; j++)
                        ck_assert_uint_ne(ref[k].used[j], c);
                    for (uint32_t j = 0; j < ref[k].nidle; j++)
                        ck_assert_uint_ne(ref[k].idle[j].c, c);
                }
                conns.v[c].pool = p;
                pl->open++;
                x->open++;
                x->used[x->nused++] = c;
            }
        } else if (u < 0.35) {   /* one in use goes idle */
            if (x->nused > 0 && x->nidle < 60) {
                uint32_t j = (uint32_t)gsl_rng_uniform_int(r, x->nused);
                c = x->used[j];
                x->used[j] = x->used[--x->nused];
                cp_park(pl, &conns, c, now);
                x->idle[x->nidle++] = (ref_idle){c, 1, now};
            }
        } else if (u < 0.45) {   /* a request takes the newest idle one */
            c = cp_take_newest(pl, &conns);
            if (x->nidle == 0) {
                ck_assert_uint_eq(c, CP_NIL);
            } else {
                ref_idle e = x->idle[x->nidle - 1];
                ck_assert_uint_eq(c, e.c);
                x->nidle--;
                if (e.mapped) {
                    x->used[x->nused++] = c;
                } else {   /* stale: closed */
                    cp_conn_release(&conns, c);
                    pl->open--;
                    x->open--;
                }
            }
        } else if (u < 0.5) {   /* the client's keepalive */
            while ((c = cp_take_expired(pl, &conns, now, ka)) != CP_NIL) {
                ck_assert_uint_gt(x->nidle, 0);
                ck_assert_uint_eq(c, x->idle[0].c);
                ck_assert_int_le(x->idle[0].since + ka, now);
                ref_idle_del(x, 0);
                cp_conn_release(&conns, c);
                pl->open--;
                x->open--;
            }
            ck_assert(x->nidle == 0 || x->idle[0].since + ka > now);
        } else if (u < 0.55) {   /* the gateway's idle timeout */
            uint32_t k = 0;
            while (k < x->nidle && !x->idle[k].mapped)
                k++;
            while ((c = cp_unmap_expired(pl, &conns, now, it)) != CP_NIL) {
                ck_assert_uint_lt(k, x->nidle);
                ck_assert_uint_eq(c, x->idle[k].c);
                ck_assert_int_le(x->idle[k].since + it, now);
                x->idle[k++].mapped = 0;
            }
            ck_assert(k == x->nidle || x->idle[k].since + it > now);
        } else if (u < 0.62) {   /* one in use closes */
            if (x->nused > 0) {
                uint32_t j = (uint32_t)gsl_rng_uniform_int(r, x->nused);
                cp_conn_release(&conns, x->used[j]);
                x->used[j] = x->used[--x->nused];
                pl->open--;
                x->open--;
            }
        } else if (u < 0.75) {   /* a request waits */
            uint32_t q = (uint32_t)gsl_rng_uniform_int(r, NW);
            if (!wv[q].busy && x->nwait < 60) {
                wv[q].busy = 1;
                cp_wait_push(pl, wt, q, now + rnd_time(r, 30 * SIM_US_PER_S));
                x->wait[x->nwait++] = q;
            }
        } else if (u < 0.82) {   /* the oldest waiter is served */
            uint32_t q = cp_wait_pop(pl, wt);
            ck_assert_uint_eq(q, x->nwait ? x->wait[0] : CP_NIL);
            if (q != CP_NIL) {
                wv[q].busy = 0;
                for (uint32_t k = 1; k < x->nwait; k++)
                    x->wait[k - 1] = x->wait[k];
                x->nwait--;
            }
        } else if (u < 0.87) {   /* waiters time out (deadlines in push order: not sorted) */
            uint32_t q;
            while ((q = cp_wait_pop_expired(pl, wt, now)) != CP_NIL) {
                ck_assert_uint_eq(q, x->wait[0]);
                ck_assert_int_le(wv[q].deadline, now);
                wv[q].busy = 0;
                for (uint32_t k = 1; k < x->nwait; k++)
                    x->wait[k - 1] = x->wait[k];
                x->nwait--;
            }
            ck_assert(x->nwait == 0 || wv[x->wait[0]].deadline > now);
        } else if (u < 0.94) {   /* the next timer */
            int unmaps = gsl_rng_uniform(r) < 0.5;
            sim_time want = SIM_TIME_NONE;
            for (uint32_t k = 0; k < x->nidle; k++)
                if (unmaps && x->idle[k].mapped) {
                    want = x->idle[k].since + it;
                    break;
                }
            if (x->nidle > 0 && x->idle[0].since + ka < want)
                want = x->idle[0].since + ka;
            if (x->nwait > 0 && wv[x->wait[0]].deadline < want)
                want = wv[x->wait[0]].deadline;
            ck_assert_int_eq(cp_next_due(pl, &conns, wt, ka, it, unmaps), want);
        } else if (u < 0.97) {   /* arm */
            sim_time at = now + rnd_time(r, 50 * SIM_US_PER_S);
            int sched = timer[p] == SIM_TIME_NONE || at < timer[p];
            ck_assert_int_eq(cp_arm(pl, at), sched);
            if (sched)
                timer[p] = at;
        } else {   /* a timer fires: the current one or a superseded one */
            sim_time at = gsl_rng_uniform(r) < 0.5 ? timer[p] : now;
            int cur = at == timer[p];
            ck_assert_int_eq(cp_fire(pl, at), cur);
            if (cur)
                timer[p] = SIM_TIME_NONE;
        }
        for (uint32_t k = 0; k < NP; k++) {
            const char *d = cp_differs(&pools[k], &conns, wt, &ref[k]);
            ck_assert_msg(d == NULL, "step %d, pool %u: %s", step, k, d);
        }
    }
    free(conns.v);
    gsl_rng_free(r);
}
END_TEST

/* port_map.h's word-at-a-time search against the kernel's loop port by
 * port (kernel_probe.h), from the same random numbers, on random
 * occupancy: every answer the same port.  Ranges below, at and above the
 * 128 attempts; 100 and 65535, where the 16-bit offset's wrap skips ports;
 * the whole Linux range.  Occupancy from empty to full. */
static const unsigned probe_ranges[] = {1, 7, 100, 128, 129, 1000, 4096, 64512, 65535};

START_TEST(port_probe_matches_kernel_loop)
{
    unsigned range = probe_ranges[_i];
    static const double fill[] = {0, 0.5, 0.9, 0.99, 0.997, 0.999, 1};
    gsl_rng *occ = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng *a = gsl_rng_alloc(gsl_rng_mt19937), *b = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(occ, 7 + range);
    unsigned char *taken = malloc(range);
    uint64_t *bits = calloc(pm_words(range), sizeof *bits);
    ck_assert_ptr_nonnull(taken);
    ck_assert_ptr_nonnull(bits);
    uint64_t refused_half = 0, refused_full = 0, trials_full = 0;
    for (size_t f = 0; f < sizeof fill / sizeof fill[0]; f++) {
        for (int round = 0; round < 20; round++) {
            memset(bits, 0, pm_words(range) * sizeof *bits);
            for (unsigned i = 0; i < range; i++) {
                taken[i] = gsl_rng_uniform(occ) < fill[f];
                if (taken[i])
                    pm_take(bits, i);
                ck_assert_int_eq(pm_taken(bits, i), taken[i]);
            }
            unsigned long seed = gsl_rng_get(occ);
            gsl_rng_set(a, seed);
            gsl_rng_set(b, seed);
            for (int k = 0; k < 200; k++) {
                int32_t got = pm_probe(bits, range, a);
                long want = kernel_port_search(taken, range, b);
                ck_assert_msg(got == want, "range %u fill %.3f: port %d, the kernel's loop %ld",
                              range, fill[f], got, want);
                if (fill[f] == 0.5)
                    refused_half += got < 0;
                if (fill[f] == 1) {
                    refused_full += got < 0;
                    trials_full++;
                }
            }
        }
    }
    /* far from full every search of a large pool finds a port (2^-128 of
     * failing); a full pool refuses all */
    if (range >= 1000)
        ck_assert_uint_eq(refused_half, 0);
    ck_assert_uint_eq(refused_full, trials_full);
    free(taken);
    free(bits);
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(occ);
}
END_TEST

Suite *sim_parts_suite(void)
{
    Suite *s = suite_create("sim_parts");
    TCase *tc = tcase_create("nat_pool");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, nat_pool_matches_reference, 0, 4);
    tcase_add_loop_test(tc, port_probe_matches_kernel_loop, 0,
                        (int)(sizeof probe_ranges / sizeof probe_ranges[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("syn_timers");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, syn_timers_match_reference, 0, 3);
    suite_add_tcase(s, tc);
    tc = tcase_create("conn_pool");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, conn_pool_matches_reference, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}
