/*
 * conn_pool.h - one client instance's connection pool to one destination
 * (a service row x instance, for rows with pool_idle or pool_max): its
 * idle connections and the requests waiting for a connection.
 *
 * Idle connections form a doubly linked list, oldest at the head, and are
 * reused last-in-first-out (newest, at the tail), as Go's and most HTTP
 * clients' pools do.  keepalive_s and the gateway's idle timeout are
 * constant per row, so the oldest idle connection is always the next to
 * age out: the client closes it keepalive_s after it went idle
 * (cp_take_expired), the gateway drops its mapping idle_timeout_s after
 * (cp_unmap_expired; first_mapped is the oldest idle connection still
 * mapped, the ones before it are not).  Waiting requests (the pool is at
 * pool_max) form a FIFO with one deadline each, pool_wait_timeout_s after
 * they began waiting: also in order.  So one timer per pool, re-armed
 * lazily (timer_at), stands for every connection's and waiter's timer.
 *
 * Connections live in one slab (cp_conns) with a free list.  Waiters are
 * the caller's requests: the queue links through two of their fields
 * (cp_waiters).  Every operation is O(1).  Checked against explicit lists
 * in tests/check_sim_parts.c (conn_pool_matches_reference).
 */
#ifndef NATCAP_MODEL_CONN_POOL_H
#define NATCAP_MODEL_CONN_POOL_H

#include "clock.h"

#include <stdint.h>
#include <stdlib.h>

#define CP_NIL UINT32_MAX

typedef struct cp_conn {
    uint32_t pool, prev, next;   /* pool: the caller's (its NAT allocation pool) */
    uint32_t mapped;             /* 0 once the gateway dropped it for idleness */
    uint32_t port;               /* the caller's (its mapping's port) */
    sim_time since;              /* idle since */
} cp_conn;

typedef struct cp_conns {
    cp_conn *v;
    uint32_t n, cap, free;       /* v[0..n) used or on the free list (linked by next) */
} cp_conns;

typedef struct conn_pool {
    uint32_t row;                /* the service row it belongs to */
    uint32_t open, nidle;        /* connections open (idle, in use or connecting); idle */
    uint32_t idle_head, idle_tail, first_mapped;
    uint32_t wait_head, wait_tail;
    sim_time timer_at;           /* its pending timer, SIM_TIME_NONE if none */
} conn_pool;

/* The waiting requests' link and deadline fields: request i's at
 * next + i * stride and deadline + i * stride (the caller's array). */
typedef struct cp_waiters {
    char *next, *deadline;
    size_t stride;
} cp_waiters;

static inline uint32_t *cp_next_of(cp_waiters w, uint32_t i)
{
    return (uint32_t *)(void *)(w.next + (size_t)i * w.stride);
}

static inline sim_time *cp_deadline_of(cp_waiters w, uint32_t i)
{
    return (sim_time *)(void *)(w.deadline + (size_t)i * w.stride);
}

static inline void cp_reset(conn_pool *p)
{
    *p = (conn_pool){p->row, 0, 0, CP_NIL, CP_NIL, CP_NIL, CP_NIL, CP_NIL, SIM_TIME_NONE};
}

static inline void cp_conns_reset(cp_conns *c)
{
    c->n = 0;
    c->free = CP_NIL;
}

/* A new connection: its index, or CP_NIL when memory runs out. */
static inline uint32_t cp_conn_alloc(cp_conns *c)
{
    if (c->free != CP_NIL) {
        uint32_t i = c->free;
        c->free = c->v[i].next;
        return i;
    }
    if (c->n == c->cap) {
        uint32_t cap = c->cap ? c->cap * 2 : 1024;
        cp_conn *v = realloc(c->v, (size_t)cap * sizeof *v);
        if (v == NULL)
            return CP_NIL;
        c->v = v;
        c->cap = cap;
    }
    return c->n++;
}

static inline void cp_conn_release(cp_conns *c, uint32_t i)
{
    c->v[i].next = c->free;
    c->free = i;
}

/* Arm the pool's timer for `at`: 1 when the caller must schedule it (no
 * earlier one is pending), 0 when an earlier one will re-arm it. */
static inline int cp_arm(conn_pool *p, sim_time at)
{
    if (p->timer_at != SIM_TIME_NONE && p->timer_at <= at)
        return 0;
    p->timer_at = at;
    return 1;
}

/* The timer scheduled for t is due: 1 when it is the pool's current one
 * (then disarmed), 0 when an earlier arming superseded it. */
static inline int cp_fire(conn_pool *p, sim_time t)
{
    if (p->timer_at != t)
        return 0;
    p->timer_at = SIM_TIME_NONE;
    return 1;
}

/* Connection i (mapped, just used) goes idle at t, the newest. */
static inline void cp_park(conn_pool *p, cp_conns *c, uint32_t i, sim_time t)
{
    cp_conn *cn = &c->v[i];
    cn->since = t;
    cn->mapped = 1;
    cn->next = CP_NIL;
    cn->prev = p->idle_tail;
    if (p->idle_tail != CP_NIL)
        c->v[p->idle_tail].next = i;
    else
        p->idle_head = i;
    p->idle_tail = i;
    if (p->first_mapped == CP_NIL)
        p->first_mapped = i;
    p->nidle++;
}

static inline void cp_unlink(conn_pool *p, cp_conns *c, uint32_t i)
{
    cp_conn *cn = &c->v[i];
    if (p->first_mapped == i)
        p->first_mapped = cn->next;
    if (cn->prev != CP_NIL)
        c->v[cn->prev].next = cn->next;
    else
        p->idle_head = cn->next;
    if (cn->next != CP_NIL)
        c->v[cn->next].prev = cn->prev;
    else
        p->idle_tail = cn->prev;
    p->nidle--;
}

/* Take the newest idle connection out of the list (for reuse): its
 * index, CP_NIL when there is none.  It may no longer be mapped. */
static inline uint32_t cp_take_newest(conn_pool *p, cp_conns *c)
{
    uint32_t i = p->idle_tail;
    if (i != CP_NIL)
        cp_unlink(p, c, i);
    return i;
}

/* Take the oldest idle connection out if it has been idle for keepalive_us
 * by t (the client closes it): its index, else CP_NIL. */
static inline uint32_t cp_take_expired(conn_pool *p, cp_conns *c, sim_time t, sim_time keepalive_us)
{
    uint32_t i = p->idle_head;
    if (i == CP_NIL || c->v[i].since + keepalive_us > t)
        return CP_NIL;
    cp_unlink(p, c, i);
    return i;
}

/* The oldest idle connection still mapped, if idle for idle_timeout_us by
 * t, loses its mapping (it stays idle, stale): its index, else CP_NIL. */
static inline uint32_t cp_unmap_expired(conn_pool *p, cp_conns *c, sim_time t, sim_time idle_timeout_us)
{
    uint32_t i = p->first_mapped;
    if (i == CP_NIL || c->v[i].since + idle_timeout_us > t)
        return CP_NIL;
    c->v[i].mapped = 0;
    p->first_mapped = c->v[i].next;
    return i;
}

/* Request q waits for a connection until `deadline`, the newest waiter. */
static inline void cp_wait_push(conn_pool *p, cp_waiters w, uint32_t q, sim_time deadline)
{
    *cp_deadline_of(w, q) = deadline;
    *cp_next_of(w, q) = CP_NIL;
    if (p->wait_tail != CP_NIL)
        *cp_next_of(w, p->wait_tail) = q;
    else
        p->wait_head = q;
    p->wait_tail = q;
}

/* The oldest waiter out of the queue: its index, CP_NIL when none waits. */
static inline uint32_t cp_wait_pop(conn_pool *p, cp_waiters w)
{
    uint32_t q = p->wait_head;
    if (q == CP_NIL)
        return CP_NIL;
    p->wait_head = *cp_next_of(w, q);
    if (p->wait_head == CP_NIL)
        p->wait_tail = CP_NIL;
    return q;
}

/* The oldest waiter out of the queue if its deadline is at or before t. */
static inline uint32_t cp_wait_pop_expired(conn_pool *p, cp_waiters w, sim_time t)
{
    if (p->wait_head == CP_NIL || *cp_deadline_of(w, p->wait_head) > t)
        return CP_NIL;
    return cp_wait_pop(p, w);
}

/* When the pool's timer must next fire: the oldest idle connection's
 * keepalive end, the oldest mapped one's idle timeout (only when that
 * comes first: `unmaps`), the oldest waiter's deadline; SIM_TIME_NONE
 * when nothing is pending. */
static inline sim_time cp_next_due(const conn_pool *p, const cp_conns *c, cp_waiters w,
                                   sim_time keepalive_us, sim_time idle_timeout_us, int unmaps)
{
    sim_time next = SIM_TIME_NONE;
    if (unmaps && p->first_mapped != CP_NIL)
        next = c->v[p->first_mapped].since + idle_timeout_us;
    if (p->idle_head != CP_NIL && c->v[p->idle_head].since + keepalive_us < next)
        next = c->v[p->idle_head].since + keepalive_us;
    if (p->wait_head != CP_NIL && *cp_deadline_of(w, p->wait_head) < next)
        next = *cp_deadline_of(w, p->wait_head);
    return next;
}

#endif
