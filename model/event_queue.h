/*
 * event_queue.h - the pending events of one replication: a 4-ary min-heap
 * in one contiguous array of 16-byte entries.
 *
 * Order is total: (time, seq), seq being a counter that increases with every
 * push, so events at the same microsecond run in the order they were
 * scheduled and a replication is a pure function of its seed.  A 4-ary heap
 * halves the depth of a binary one and keeps a node's children in one cache
 * line.  The heap only holds what is not FIFO: request completions, SYN
 * retransmissions, the next arrival of each service row and one head-of-FIFO
 * event per TIME_WAIT ring and per connection pool; it stays small (active
 * connections, not mappings), so push and pop are a few dozen ns.
 * The array grows by doubling and never shrinks; no allocation per event.
 */
#ifndef NATCAP_MODEL_EVENT_QUEUE_H
#define NATCAP_MODEL_EVENT_QUEUE_H

#include "nc.h"

#include <stdint.h>
#include <stdlib.h>

/* An event's key packs (time, seq) into one integer, so every comparison in
 * the heap is a single unsigned compare: bits 63..16 hold the time in µs
 * plus EQ_BIAS (so warm-up times, which are negative, stay positive), bits
 * 15..0 the low bits of the push counter.  Ties at one microsecond thus run
 * in push order unless 65,536 pushes separate them; either way the order is
 * a pure function of the pushes, which is what determinism needs.  Range:
 * warm-up up to 2^45 µs (1.1 years) before 0, times up to 7.8 years after. */
#define EQ_BIAS (INT64_C(1) << 45)
#define EQ_TIME_MAX ((INT64_C(1) << 48) - EQ_BIAS - 1)

typedef struct eq_entry {
    uint64_t key;
    uint32_t ref;          /* low 4 bits: kind; the rest: index of the subject */
    uint32_t unused;
} eq_entry;

_Static_assert(sizeof(eq_entry) == 16, "eq_entry is 16 bytes: four per cache line");

typedef struct event_queue {
    eq_entry *h;
    size_t n, cap;
    uint32_t seq;
} event_queue;

#define EQ_KIND_BITS 4u
#define EQ_REF(kind, idx) (((uint32_t)(idx) << EQ_KIND_BITS) | (uint32_t)(kind))
#define EQ_KIND(ref) ((ref) & ((1u << EQ_KIND_BITS) - 1))
#define EQ_IDX(ref) ((ref) >> EQ_KIND_BITS)
#define EQ_MAX_IDX ((1u << (32 - EQ_KIND_BITS)) - 1)

static inline sim_time eq_time(const eq_entry *e) { return (sim_time)(e->key >> 16) - EQ_BIAS; }

static inline void eq_reset(event_queue *q)
{
    q->n = 0;
    q->seq = 0;
}

static inline void eq_free(event_queue *q)
{
    free(q->h);
    q->h = NULL;
    q->n = q->cap = 0;
}

/* 0 on success, -1 when the array cannot grow.  -EQ_BIAS <= t <= EQ_TIME_MAX. */
static inline int eq_push(event_queue *q, sim_time t, uint32_t ref)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 1024;
        eq_entry *h = realloc(q->h, cap * sizeof *h);
        if (h == NULL)
            return -1;
        q->h = h;
        q->cap = cap;
    }
    uint64_t key = ((uint64_t)(t + EQ_BIAS) << 16) | (q->seq++ & 0xffffu);
    size_t i = q->n++;
    eq_entry *h = q->h;
    while (i > 0) {
        size_t parent = (i - 1) >> 2;
        if (key >= h[parent].key)
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i].key = key;
    h[i].ref = ref;
    return 0;
}

static inline const eq_entry *eq_top(const event_queue *q) { return q->n ? &q->h[0] : NULL; }

/* Put `last` at the root's place and sift it down (shared by pop and
 * replace_top). */
static inline void eq_sift_root(event_queue *q, eq_entry last)
{
    eq_entry *h = q->h;
    size_t n = q->n, i = 0;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c + 3 < n) {
            /* full set of four children: branch-free minimum */
            size_t a = h[c + 1].key < h[c].key ? c + 1 : c;
            size_t b = h[c + 3].key < h[c + 2].key ? c + 3 : c + 2;
            size_t best = h[b].key < h[a].key ? b : a;
            if (h[best].key >= last.key)
                break;
            h[i] = h[best];
            i = best;
            continue;
        }
        if (c >= n)
            break;
        size_t best = c;
        for (size_t k = c + 1; k < n; k++)
            if (h[k].key < h[best].key)
                best = k;
        if (h[best].key >= last.key)
            break;
        h[i] = h[best];
        i = best;
        break;
    }
    if (n > 0)
        h[i] = last;
}

static inline eq_entry eq_pop(event_queue *q)
{
    eq_entry top = q->h[0];
    q->n--;
    eq_sift_root(q, q->h[q->n]);
    return top;
}

/* Remove the root and insert (t, ref) in one sift-down: the common case of
 * an event that schedules one successor.  t must not be earlier than the
 * root's time. */
static inline void eq_replace_top(event_queue *q, sim_time t, uint32_t ref)
{
    eq_entry e = {((uint64_t)(t + EQ_BIAS) << 16) | (q->seq++ & 0xffffu), ref, 0};
    eq_sift_root(q, e);
}

#endif
