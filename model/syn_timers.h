/*
 * syn_timers.h - the timers of connection attempts: SYN retransmissions,
 * connect deadlines and application retries, as FIFO families; and the
 * retransmission schedule.
 *
 * The schedule (SPEC §3, Linux's): SYN n of an attempt (n = 0 the first)
 * goes out 2^n - 1 s after the first, so 1, 3, 7, 15 ... s; after the last
 * (syn_retries) the client waits as long again, so the attempt times out
 * 2^(syn_retries + 1) - 1 s after it began, or at connect_timeout_s if that
 * comes first (syn_connect_deadline).  A retransmission that would go out
 * at or after the deadline is not sent.  An application retry starts
 * retry_backoff_s after the attempt timed out (syn_retry_at).
 *
 * Timers whose delay is the same for every request they serve come due in
 * the order they were set: retransmission n of any request, a row's connect
 * deadline, a row's retry backoff.  Each such family is a FIFO ring of
 * which only the head needs to be in the event queue (`pending`), so a
 * connection storm (tens of thousands of requests retransmitting SYNs)
 * keeps the queue small.  Family ids: 1 .. SYN_FIFOS - 1 retransmission n;
 * then the deadlines of row r (syn_cfail_family); then its retries
 * (syn_retry_family).  Entries at or after the end of the run are dropped.
 *
 * Memory: a ring doubles when full and never shrinks, 24 bytes per pending
 * timer; O(1) per operation but the growth.  Checked against one event per
 * SYN in tests/check_sim_parts.c (syn_timers_match_reference).
 */
#ifndef NATCAP_MODEL_SYN_TIMERS_H
#define NATCAP_MODEL_SYN_TIMERS_H

#include "clock.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Retransmission families 1 .. SYN_FIFOS - 1: syn_retries above 38 never
 * retransmit again before a year-long deadline. */
#define SYN_FIFOS 40u

/* When SYN n of an attempt that began at `start` goes out. */
static inline sim_time syn_send_time(sim_time start, uint32_t n)
{
    return start + (((sim_time)1 << n) - 1) * SIM_US_PER_S;
}

/* When an attempt of SYN n, sent at t, began. */
static inline sim_time syn_attempt_start(sim_time t, uint32_t n)
{
    return t - (((sim_time)1 << n) - 1) * SIM_US_PER_S;
}

/* How long after it began an attempt times out: the wait after the last
 * retransmission, or connect_timeout_s when that is sooner. */
static inline sim_time syn_connect_deadline(uint32_t syn_retries, double connect_timeout_s)
{
    double last = syn_retries >= SYN_FIFOS ? 1e12 : ldexp(1.0, (int)syn_retries + 1) - 1.0;
    return sim_from_s(connect_timeout_s < last ? connect_timeout_s : last);
}

/* SYN n of an attempt that began at `start` was dropped: the number of the
 * next retransmission, sent at *at; or 0 when there is none before the
 * deadline (`deadline_us` after start), at which the attempt then times
 * out (*at). */
static inline uint32_t syn_after_drop(sim_time start, uint32_t n, uint32_t syn_retries,
                                      sim_time deadline_us, sim_time *at)
{
    n++;
    sim_time deadline = start + deadline_us;
    sim_time next = n <= syn_retries && n < SYN_FIFOS ? syn_send_time(start, n) : SIM_TIME_NONE;
    *at = next < deadline ? next : deadline;
    return next < deadline ? n : 0;
}

/* When the retry of an attempt that timed out at `at` starts. */
static inline sim_time syn_retry_at(sim_time at, sim_time backoff_us)
{
    return at + backoff_us;
}

typedef struct syn_entry {
    sim_time t;
    uint32_t ref;        /* the caller's: what is due (an event reference) */
    uint32_t pool, row;  /* retransmissions: the request's, so that a dropped SYN (most of
                            them, in a storm) does not touch the request at all */
    uint32_t doomed;     /* the caller's mark (see drop_certain_failures in sim.c) */
} syn_entry;

typedef struct syn_fifo {
    syn_entry *buf;
    uint32_t head, n, cap;   /* cap is a power of two */
    int pending;             /* its head is in the event queue */
} syn_fifo;

typedef struct syn_timers {
    syn_fifo *f;             /* nfifos = SYN_FIFOS + 2 * nrows */
    uint32_t nfifos, nrows;
    sim_time end_us;         /* entries at or after it are dropped */
} syn_timers;

static inline uint32_t syn_cfail_family(const syn_timers *st, uint32_t row)
{
    (void)st;
    return SYN_FIFOS + row;
}

static inline uint32_t syn_retry_family(const syn_timers *st, uint32_t row)
{
    return SYN_FIFOS + st->nrows + row;
}

/* 0, or -1 when memory runs out. */
static inline int syn_timers_init(syn_timers *st, uint32_t nrows, sim_time end_us)
{
    st->nrows = nrows;
    st->nfifos = SYN_FIFOS + 2 * nrows;
    st->end_us = end_us;
    st->f = calloc(st->nfifos, sizeof *st->f);
    return st->f != NULL ? 0 : -1;
}

static inline void syn_timers_reset(syn_timers *st)
{
    for (uint32_t i = 0; i < st->nfifos; i++) {
        st->f[i].head = st->f[i].n = 0;
        st->f[i].pending = 0;
    }
}

static inline void syn_timers_free(syn_timers *st)
{
    if (st->f != NULL)
        for (uint32_t i = 0; i < st->nfifos; i++)
            free(st->f[i].buf);
    free(st->f);
    st->f = NULL;
}

/* Double a family's ring: 0, or -1 (the ring intact) when memory runs
 * out.  Rare: out of line. */
static __attribute__((noinline, cold, unused)) int syn_grow(syn_fifo *x)
{
    uint32_t cap = x->cap ? x->cap * 2 : 256;
    syn_entry *b = malloc((size_t)cap * sizeof *b);
    if (b == NULL)
        return -1;
    for (uint32_t i = 0; i < x->n; i++)
        b[i] = x->buf[(x->head + i) & (x->cap - 1)];
    free(x->buf);
    x->buf = b;
    x->head = 0;
    x->cap = cap;
    return 0;
}

/* Append e (due at e.t, not earlier than the family's last entry) to
 * family id: 1 when the family's head must now be queued (at e.t, as an
 * event for family id), 0 when not (or e.t is past the end), -1 when
 * memory runs out. */
static inline int syn_push(syn_timers *st, uint32_t id, syn_entry e)
{
    if (e.t >= st->end_us)
        return 0;
    syn_fifo *x = &st->f[id];
    if (x->n == x->cap && syn_grow(x) != 0)
        return -1;
    x->buf[(x->head + x->n) & (x->cap - 1)] = e;
    x->n++;
    if (x->pending)
        return 0;
    x->pending = 1;
    return 1;
}

/* The i-th entry of family id from its head (i < n). */
static inline syn_entry *syn_at(syn_timers *st, uint32_t id, uint32_t i)
{
    syn_fifo *x = &st->f[id];
    return &x->buf[(x->head + i) & (x->cap - 1)];
}

static inline uint32_t syn_count(const syn_timers *st, uint32_t id) { return st->f[id].n; }

/* Remove the head of family id (not empty) and return it. */
static inline syn_entry syn_pop(syn_timers *st, uint32_t id)
{
    syn_fifo *x = &st->f[id];
    syn_entry e = x->buf[x->head];
    x->head = (x->head + 1) & (x->cap - 1);
    x->n--;
    return e;
}

/* After the family's queued head ran: 1 and the new head's time in *t
 * when it must be queued, else 0 (the family is idle until its next push). */
static inline int syn_requeue(syn_timers *st, uint32_t id, sim_time *t)
{
    syn_fifo *x = &st->f[id];
    x->pending = x->n > 0;
    if (x->pending)
        *t = x->buf[x->head].t;
    return x->pending;
}

#endif
