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

typedef struct eq_entry {
    sim_time t;
    uint32_t seq;
    uint32_t ref;          /* low 4 bits: kind; the rest: index of the subject */
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

static inline int eq_less(const eq_entry *a, const eq_entry *b)
{
    /* seq wraps after 2^32 pushes; only ties at the same microsecond consult it */
    return a->t < b->t || (a->t == b->t && (int32_t)(a->seq - b->seq) < 0);
}

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

/* 0 on success, -1 when the array cannot grow. */
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
    eq_entry e = {t, q->seq++, ref};
    size_t i = q->n++;
    while (i > 0) {
        size_t parent = (i - 1) >> 2;
        if (!eq_less(&e, &q->h[parent]))
            break;
        q->h[i] = q->h[parent];
        i = parent;
    }
    q->h[i] = e;
    return 0;
}

static inline const eq_entry *eq_top(const event_queue *q) { return q->n ? &q->h[0] : NULL; }

static inline eq_entry eq_pop(event_queue *q)
{
    eq_entry top = q->h[0];
    eq_entry last = q->h[--q->n];
    size_t n = q->n, i = 0;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n)
            break;
        size_t best = c;
        size_t end = c + 4 < n ? c + 4 : n;
        for (size_t k = c + 1; k < end; k++)
            if (eq_less(&q->h[k], &q->h[best]))
                best = k;
        if (!eq_less(&q->h[best], &last))
            break;
        q->h[i] = q->h[best];
        i = best;
    }
    if (n > 0)
        q->h[i] = last;
    return top;
}

#endif
