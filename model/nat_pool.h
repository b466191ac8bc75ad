/*
 * nat_pool.h - a NAT gateway's allocation pools and its TIME_WAIT ring:
 * how many mappings each pool has in use, and when those in TIME_WAIT come
 * free.
 *
 * Only counts matter, not which port (SPEC §2 "Allocation pools"), so a
 * pool is four counters: in_use = active + idle + TIME_WAIT.  A mapping
 * goes free -> active (nat_acquire), active <-> idle (nat_park,
 * nat_reuse), active or idle -> TIME_WAIT (nat_close_active,
 * nat_close_idle), idle -> free when the gateway drops it for idleness
 * (nat_drop_idle), TIME_WAIT -> free at its expiry (nat_expire_one).
 *
 * time_wait_s is constant per gateway, so TIME_WAIT expiries come in the
 * order the mappings entered it: one FIFO ring per gateway holds them,
 * oldest first, and no event is needed for any of them.  The caller applies
 * them lazily: before anything looks at the gateway's pools (an allocation,
 * a sample) it releases every entry due by then, so the counts it sees are
 * exactly those of an event per expiry.  Each entry carries an `owner` (the
 * caller's: a service row) handed back at its expiry.
 *
 * When the gateway has several pools (`linked`), each pool also knows when
 * its own oldest entry expires (tw_first_t), through a second array beside
 * the ring: next_t[i] is when entry i's pool's following entry expires, set
 * when that entry comes.  nat_next_release reads it in O(1).
 *
 * Memory: the ring doubles when full and never shrinks; 16 bytes per
 * mapping in TIME_WAIT (24 when linked, 4 more when it keeps ports).  Every operation is O(1) but the
 * growth.  Checked against a list of individual mappings in
 * tests/check_sim_parts.c (nat_pool_matches_reference).
 */
#ifndef NATCAP_MODEL_NAT_POOL_H
#define NATCAP_MODEL_NAT_POOL_H

#include "clock.h"

#include <stdint.h>
#include <stdlib.h>

/* On every new connection's path: inlined whatever GCC's size heuristics
 * say (in sim.c: 3 % on make bench (a)); the ring's growth never is. */
#define NAT_HOT static inline __attribute__((always_inline))
#define NAT_COLD static __attribute__((noinline, cold, unused))
/* The ring is read at its head and written at its tail, each a stream far
 * from the other (a ring of 60,000 mappings is 1 MB): the line that many
 * entries ahead is fetched in advance (make bench (a) 2-3 %). */
#define NAT_AHEAD 16u

typedef struct nat_pool {
    uint32_t cap, in_use, active, idle;   /* TIME_WAIT = in_use - active - idle */
    uint32_t tw_last;            /* linked: ring sequence number of its newest TIME_WAIT entry */
    uint32_t rst;                /* of its TIME_WAIT, those held after an RST (in the
                                    gateway's second ring, nat_rst_hold) */
    sim_time tw_first_t;         /* linked: when its oldest TIME_WAIT entry expires (if any) */
} nat_pool;

typedef struct nat_tw_entry {
    sim_time t;                  /* when the mapping is free again */
    uint32_t pool, owner;
} nat_tw_entry;

typedef struct nat_tw_ring {
    nat_tw_entry *buf;           /* entry with sequence number i at buf[i & (cap - 1)] */
    sim_time *next_t;            /* linked only, see above */
    uint32_t *port;              /* nat_ring_track_ports only: each entry's port */
    uint32_t head, n, cap;       /* head: sequence number of the oldest; cap a power of two */
    int linked;                  /* several pools share the ring */
    int ports;                   /* keeps `port` (nat_ring_track_ports) */
    sim_time tw_us;              /* the gateway's time_wait_s; <= 0: mappings are free at once */
} nat_tw_ring;

/* What nat_close_active and nat_close_idle did with the mapping. */
enum { NAT_TIME_WAIT = 0, NAT_FREED = 1, NAT_ENOMEM = -1 };

static inline uint32_t nat_pool_tw(const nat_pool *pl) { return pl->in_use - pl->active - pl->idle; }
static inline uint32_t nat_pool_open(const nat_pool *pl) { return pl->active + pl->idle; }

static inline void nat_pool_init(nat_pool *pl, uint32_t cap)
{
    *pl = (nat_pool){.cap = cap};
}

static inline void nat_pool_reset(nat_pool *pl)
{
    pl->in_use = pl->active = pl->idle = pl->rst = 0;
}

/* A ring for a gateway with time_wait `tw_us`, several pools when `linked`
 * (no memory yet). */
static inline void nat_ring_init(nat_tw_ring *w, sim_time tw_us, int linked)
{
    *w = (nat_tw_ring){.tw_us = tw_us, .linked = linked};
}

static inline void nat_ring_reset(nat_tw_ring *w) { w->head = w->n = 0; }

static inline void nat_ring_free(nat_tw_ring *w)
{
    free(w->buf);
    free(w->next_t);
    free(w->port);
    w->buf = NULL;
    w->next_t = NULL;
    w->port = NULL;
    w->cap = w->n = w->head = 0;
}

/* The ring also keeps which port each entry holds (a gateway that knows
 * its ports, model/port_map.h): set by the caller after each push, read
 * before each expiry.  Before the first push. */
static inline void nat_ring_track_ports(nat_tw_ring *w) { w->ports = 1; }

static inline void nat_ring_set_newest_port(nat_tw_ring *w, uint32_t port)
{
    w->port[(w->head + w->n - 1) & (w->cap - 1)] = port;
}

/* The oldest entry's port (w->n > 0). */
static inline uint32_t nat_ring_oldest_port(const nat_tw_ring *w)
{
    return w->port[w->head & (w->cap - 1)];
}

/* The i-th oldest entry (i < w->n). */
static inline const nat_tw_entry *nat_ring_at(const nat_tw_ring *w, uint32_t i)
{
    return &w->buf[(w->head + i) & (w->cap - 1)];
}

/* Take a mapping from pool pl: 1, or 0 when it is full (nothing changes).
 * Release the expiries due first (nat_expire_one). */
NAT_HOT int nat_acquire(nat_pool *pl)
{
    if (pl->in_use >= pl->cap)
        return 0;
    pl->in_use++;
    pl->active++;
    return 1;
}

/* The connection of an active mapping goes idle in its client's pool. */
static inline void nat_park(nat_pool *pl)
{
    pl->active--;
    pl->idle++;
}

/* An idle mapping's connection is used again. */
static inline void nat_reuse(nat_pool *pl)
{
    pl->idle--;
    pl->active++;
}

/* The gateway drops an idle mapping for idleness: free at once. */
static inline void nat_drop_idle(nat_pool *pl)
{
    pl->idle--;
    pl->in_use--;
}

/* Release the oldest entry of the ring if it expires at or before t
 * (strictly before when `strict`: a sample at t sees the state just before
 * the events of t): 1 and its owner in *owner, else 0. */
NAT_HOT int nat_expire_one(nat_tw_ring *w, nat_pool *pools, sim_time t, int strict,
                                 uint32_t *owner)
{
    if (w->n == 0)
        return 0;
    uint32_t i = w->head & (w->cap - 1);
    const nat_tw_entry *e = &w->buf[i];
    if (e->t > t || (strict && e->t == t))
        return 0;
    nat_pool *pl = &pools[e->pool];
    pl->in_use--;
    if (w->next_t != NULL)   /* (meaningless once the pool has none left) */
        pl->tw_first_t = w->next_t[i];
    *owner = e->owner;
    __builtin_prefetch(&w->buf[(w->head + NAT_AHEAD) & (w->cap - 1)]);
    w->head++;
    w->n--;
    return 1;
}

/* When pool p has a port free again at the earliest, if nothing but
 * TIME_WAIT expiries frees ports: its oldest TIME_WAIT entry's time;
 * SIM_TIME_NONE when it has none. */
static inline sim_time nat_next_release(const nat_tw_ring *w, const nat_pool *pools, uint32_t p)
{
    const nat_pool *pl = &pools[p];
    if (nat_pool_tw(pl) - pl->rst == 0)
        return SIM_TIME_NONE;
    if (!w->linked)   /* the gateway's only pool: the ring's head is its */
        return w->buf[w->head & (w->cap - 1)].t;
    return pl->tw_first_t;
}

/* Double the ring (and next_t when linked): 0, or -1 with the ring intact
 * when memory runs out.  Entries keep their sequence numbers. */
NAT_COLD int nat_ring_grow(nat_tw_ring *w)
{
    uint32_t cap = w->cap ? w->cap * 2 : 1024;
    nat_tw_entry *b = malloc((size_t)cap * sizeof *b);
    sim_time *nt = w->linked ? malloc((size_t)cap * sizeof *nt) : NULL;
    uint32_t *pt = w->ports ? malloc((size_t)cap * sizeof *pt) : NULL;
    if (b == NULL || (w->linked && nt == NULL) || (w->ports && pt == NULL)) {
        free(b);
        free(nt);
        free(pt);
        return -1;
    }
    for (uint32_t i = 0; i < w->n; i++) {
        uint32_t seq = w->head + i;
        b[seq & (cap - 1)] = w->buf[seq & (w->cap - 1)];
        if (nt != NULL)
            nt[seq & (cap - 1)] = w->next_t[seq & (w->cap - 1)];
        if (pt != NULL)
            pt[seq & (cap - 1)] = w->port[seq & (w->cap - 1)];
    }
    free(w->buf);
    free(w->next_t);
    free(w->port);
    w->buf = b;
    w->next_t = nt;
    w->port = pt;
    w->cap = cap;
    return 0;
}

/* A mapping of pool p, just taken out of active or idle, enters TIME_WAIT
 * at t for the gateway's time (or is free at once without one). */
NAT_HOT int nat_to_time_wait(nat_tw_ring *w, nat_pool *pools, uint32_t p, uint32_t owner,
                                   sim_time t)
{
    if (w->tw_us <= 0) {
        pools[p].in_use--;
        return NAT_FREED;
    }
    if (w->n == w->cap && nat_ring_grow(w) != 0)
        return NAT_ENOMEM;
    uint32_t seq = w->head + w->n;
    w->buf[seq & (w->cap - 1)] = (nat_tw_entry){t + w->tw_us, p, owner};
    __builtin_prefetch(&w->buf[(seq + NAT_AHEAD) & (w->cap - 1)], 1);
    w->n++;
    if (w->next_t == NULL)
        return NAT_TIME_WAIT;
    nat_pool *pl = &pools[p];
    if (nat_pool_tw(pl) - pl->rst > 1)
        w->next_t[pl->tw_last & (w->cap - 1)] = t + w->tw_us;
    else
        pl->tw_first_t = t + w->tw_us;
    pl->tw_last = seq;
    return NAT_TIME_WAIT;
}

/* An active (nat_close_active) or idle (nat_close_idle) mapping of pool p
 * is closed at t: NAT_TIME_WAIT, NAT_FREED (no TIME_WAIT: the owner no
 * longer holds it), or NAT_ENOMEM (the ring could not grow; the run is
 * lost). */
NAT_HOT int nat_close_active(nat_tw_ring *w, nat_pool *pools, uint32_t p, uint32_t owner,
                                   sim_time t)
{
    pools[p].active--;
    return nat_to_time_wait(w, pools, p, owner, t);
}

static inline int nat_close_idle(nat_tw_ring *w, nat_pool *pools, uint32_t p, uint32_t owner,
                                 sim_time t)
{
    pools[p].idle--;
    return nat_to_time_wait(w, pools, p, owner, t);
}

/* Closes by RST: a gateway holds a port closed by an RST for rst_hold_s,
 * not for its TIME_WAIT.  That hold is constant per gateway too, so those
 * mappings wait in a second ring of the gateway (unlinked: tw_us =
 * rst_hold_s), counted in their pool's TIME_WAIT and in its `rst`. */

/* A mapping of pool p, just taken out of active or idle, is closed by an
 * RST at t: held in rst ring w (NAT_TIME_WAIT), or free at once (NAT_FREED)
 * without a hold; NAT_ENOMEM as nat_close_active. */
static inline int nat_rst_hold(nat_tw_ring *w, nat_pool *pools, uint32_t p, uint32_t owner,
                               sim_time t)
{
    int st = nat_to_time_wait(w, pools, p, owner, t);
    if (st == NAT_TIME_WAIT)
        pools[p].rst++;
    return st;
}

/* nat_expire_one for the rst ring w. */
static inline int nat_expire_rst(nat_tw_ring *w, nat_pool *pools, sim_time t, int strict,
                                 uint32_t *owner)
{
    if (w->n == 0)
        return 0;
    uint32_t p = w->buf[w->head & (w->cap - 1)].pool;
    if (!nat_expire_one(w, pools, t, strict, owner))
        return 0;
    pools[p].rst--;
    return 1;
}

#endif
