/*
 * event_queue.h - the pending events of one replication: a hierarchical
 * timing wheel used as a radix heap.
 *
 * A discrete-event simulation only ever schedules at or after the time of
 * the event it is handling, so the queue is monotone: no key pushed is
 * smaller than the current one (`cur`).  That allows a radix structure
 * (Ahuja, Mehlhorn, Orlin and Tarjan, JACM 1990; Varghese and Lauck's
 * hierarchical timing wheels, SOSP 1987) instead of comparisons between
 * random keys, whose mispredicted branches dominated the 4-ary heap this
 * replaced.  Key bits above EQ_SHIFT are split into 6-bit digits; an entry
 * sits at level l, slot d when the highest digit in which it differs from
 * cur is digit l and its own digit there is d (level 0: only the lowest
 * digit differs, if any).  Push: one xor, one count-leading-zeros, one
 * append.  When level 0 is empty, the lowest non-empty slot of the lowest
 * non-empty level (bit masks) is cascaded: its base becomes cur and its
 * entries move to lower levels.  An entry only ever moves down, a couple of
 * times for what this model schedules (retransmissions, completions).
 * A level-0 slot spans 2^EQ_SHIFT = 64 µs and holds a few entries; pop
 * scans it for the earliest.
 *
 * Order is total and a pure function of the pushes: by time, then events
 * at the same microsecond in the order they were pushed (slots are appended
 * to and cascaded in order, equal keys always share a slot, and the scan
 * takes the first of equal keys).
 *
 * eq_next() peeks with a limit: it cascades only as far as the limit, so
 * the caller may handle something else up to the limit (the next arrival)
 * and still push at or after it.
 *
 * Keys are times in µs plus EQ_BIAS, so warm-up times (negative) stay
 * non-negative: up to 2^45 µs (1.1 years) before 0 and after it, which
 * covers the 8,760-hour limit of duration_h and warmup_h.
 * Slot arrays grow by doubling and never shrink; no allocation per event.
 */
#ifndef NATCAP_MODEL_EVENT_QUEUE_H
#define NATCAP_MODEL_EVENT_QUEUE_H

#include "clock.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EQ_BIAS (INT64_C(1) << 45)
#define EQ_TIME_MAX (EQ_BIAS - 1)
#define EQ_SHIFT 6u                            /* a level-0 slot spans 2^6 = 64 µs */
#define EQ_DIGIT 6u                            /* bits per level */
#define EQ_SLOTS (1u << EQ_DIGIT)              /* slots per level: one 64-bit mask */
#define EQ_LEVELS 8u                           /* 8 x 6 = 48 bits >= keys < 2^47 */

typedef struct eq_entry {
    uint64_t key;                /* time + EQ_BIAS */
    uint32_t ref;                /* low 4 bits: kind; the rest: index of the subject */
    uint32_t unused;
} eq_entry;

_Static_assert(sizeof(eq_entry) == 16, "eq_entry is 16 bytes: four per cache line");

typedef struct eq_slot {
    eq_entry *v;
    uint32_t head, n, cap;       /* entries v[head..n) */
    uint32_t unused;
} eq_slot;

typedef struct event_queue {
    uint64_t mask[EQ_LEVELS];    /* bit d of level l: slot (l, d) is not empty */
    uint64_t cur;                /* no pending key is below it */
    uint64_t floor;              /* nor below this one, while level 0 is empty */
    size_t n;                    /* events pending */
    eq_slot slot[EQ_LEVELS][EQ_SLOTS];
} event_queue;

#define EQ_KIND_BITS 4u
#define EQ_REF(kind, idx) (((uint32_t)(idx) << EQ_KIND_BITS) | (uint32_t)(kind))
#define EQ_KIND(ref) ((ref) & ((1u << EQ_KIND_BITS) - 1))
#define EQ_IDX(ref) ((ref) >> EQ_KIND_BITS)
#define EQ_MAX_IDX ((1u << (32 - EQ_KIND_BITS)) - 1)

static inline sim_time eq_key_time(uint64_t key) { return (sim_time)key - EQ_BIAS; }

/* Empty the queue (keeping its memory); the next key may be anything >= 0. */
static inline void eq_reset(event_queue *q)
{
    for (unsigned l = 0; l < EQ_LEVELS; l++) {
        q->mask[l] = 0;
        for (unsigned d = 0; d < EQ_SLOTS; d++)
            q->slot[l][d].head = q->slot[l][d].n = 0;
    }
    q->cur = q->floor = 0;
    q->n = 0;
}

static inline void eq_free(event_queue *q)
{
    for (unsigned l = 0; l < EQ_LEVELS; l++)
        for (unsigned d = 0; d < EQ_SLOTS; d++) {
            free(q->slot[l][d].v);
            q->slot[l][d] = (eq_slot){NULL, 0, 0, 0, 0};
        }
    eq_reset(q);
}

/* Where key goes relative to cur: the highest digit in which they differ
 * (level 0 when they differ in the lowest digit only, or not at all), and
 * key's digit there. */
static inline eq_slot *eq_slot_of(event_queue *q, uint64_t key, unsigned *level, unsigned *digit)
{
    uint64_t x = (key ^ q->cur) >> EQ_SHIFT;
    unsigned l = x < EQ_SLOTS ? 0u : (63u - (unsigned)__builtin_clzll(x)) / EQ_DIGIT;
    unsigned d = (unsigned)(key >> (EQ_SHIFT + l * EQ_DIGIT)) & (EQ_SLOTS - 1);
    *level = l;
    *digit = d;
    return &q->slot[l][d];
}

/* Append to a slot: 0, or -1 when its array cannot grow. */
static inline int eq_append(eq_slot *b, eq_entry e)
{
    if (__builtin_expect(b->n == b->cap, 0)) {
        if (b->head > 0) {   /* only level-0 slots have a head: slide down */
            memmove(b->v, b->v + b->head, (size_t)(b->n - b->head) * sizeof *b->v);
            b->n -= b->head;
            b->head = 0;
        } else {
            uint32_t cap = b->cap ? b->cap * 2 : 16;
            eq_entry *v = realloc(b->v, (size_t)cap * sizeof *v);
            if (v == NULL)
                return -1;
            b->v = v;
            b->cap = cap;
        }
    }
    b->v[b->n++] = e;
    return 0;
}

/* Schedule ref at t: 0 on success, -1 when memory runs out.  t must not be
 * earlier than the last event popped (a time in the past is taken as that
 * event's time: it runs after what is already due then) and must be at
 * most EQ_TIME_MAX. */
static inline int eq_push(event_queue *q, sim_time t, uint32_t ref)
{
    uint64_t key = (uint64_t)(t + EQ_BIAS);
    if (__builtin_expect(key < q->cur, 0))
        key = q->cur;
    unsigned l, d;
    eq_slot *b = eq_slot_of(q, key, &l, &d);
    if (eq_append(b, (eq_entry){key, ref, 0}) != 0)
        return -1;
    q->mask[l] |= (uint64_t)1 << d;
    q->n++;
    if (key < q->floor)
        q->floor = key;
    return 0;
}

/* Index of the earliest entry of a level-0 slot (the first pushed among
 * equal times).  Its entries share their time to within 2^EQ_SHIFT µs,
 * and there are few: a scan. */
static inline uint32_t eq_slot_min(const eq_slot *b)
{
    uint32_t best = b->head;
    for (uint32_t i = b->head + 1; i < b->n; i++)
        if (b->v[i].key < b->v[best].key)
            best = i;
    return best;
}

/* Cascade the lowest non-empty slot of the lowest non-empty level above
 * 0: its keys share every digit above it with cur, so the slot's base
 * becomes cur and its entries spread over lower levels.  Only when that
 * base is at most `limit` (a key): pushes must never come below cur, and
 * the caller is about to handle something at or after `limit`.  Returns 1
 * when it cascaded, 0 when there was nothing (low enough) to cascade, -1
 * when memory ran out (the queue is then unusable). */
static inline int eq_cascade(event_queue *q, uint64_t limit)
{
    unsigned l = 1;
    while (l < EQ_LEVELS && q->mask[l] == 0)
        l++;
    if (l == EQ_LEVELS)
        return 0;
    unsigned d = (unsigned)__builtin_ctzll(q->mask[l]);
    unsigned shift = EQ_SHIFT + l * EQ_DIGIT;
    uint64_t above = shift + EQ_DIGIT >= 64 ? 0 : ~(((uint64_t)1 << (shift + EQ_DIGIT)) - 1);
    uint64_t base = (q->cur & above) | ((uint64_t)d << shift);
    if (base > limit) {
        q->floor = base;   /* until a push below it, eq_next need not look again */
        return 0;
    }
    q->cur = base;
    q->mask[l] &= ~((uint64_t)1 << d);
    eq_slot *src = &q->slot[l][d];
    uint32_t n = src->n;
    src->n = 0;
    for (uint32_t j = 0; j < n; j++) {
        unsigned ll, dd;
        eq_slot *b = eq_slot_of(q, src->v[j].key, &ll, &dd);
        if (eq_append(b, src->v[j]) != 0)
            return -1;
        q->mask[ll] |= (uint64_t)1 << dd;
    }
    return 1;
}

/* The time of the earliest event if it is at most `limit`; otherwise a
 * time after `limit` (SIM_TIME_NONE when the queue is empty).  Nothing is
 * taken, and pushes at or after min(that time, limit) remain valid.
 * EQ_ERROR when memory ran out. */
#define EQ_ERROR INT64_MIN
static inline sim_time eq_next(event_queue *q, sim_time limit)
{
    uint64_t lim = limit >= EQ_TIME_MAX ? UINT64_MAX : (uint64_t)(limit + EQ_BIAS);
    if (q->mask[0] == 0 && q->floor > lim)
        return q->n == 0 ? SIM_TIME_NONE : limit + 1;
    while (__builtin_expect(q->mask[0] == 0, 0)) {
        int c = eq_cascade(q, lim);
        if (c < 0)
            return EQ_ERROR;
        if (c == 0) {
            if (q->n == 0)
                return SIM_TIME_NONE;
            return limit + 1;   /* everything pending is after limit */
        }
    }
    const eq_slot *b = &q->slot[0][__builtin_ctzll(q->mask[0])];
    return eq_key_time(b->v[eq_slot_min(b)].key);
}

/* Take the earliest event: 1 with *t and *ref set, 0 when the queue is
 * empty, -1 when memory ran out (the queue is then unusable). */
static inline int eq_pop(event_queue *q, sim_time *t, uint32_t *ref)
{
    while (__builtin_expect(q->mask[0] == 0, 0)) {
        int c = eq_cascade(q, UINT64_MAX);
        if (c <= 0)
            return c;
    }
    unsigned d = (unsigned)__builtin_ctzll(q->mask[0]);
    eq_slot *b = &q->slot[0][d];
    uint32_t i = eq_slot_min(b);
    eq_entry e = b->v[i];
    if (i == b->head)
        b->head++;
    else   /* keep the others in push order */
        memmove(&b->v[i], &b->v[i + 1], (size_t)(b->n - i - 1) * sizeof *b->v), b->n--;
    q->cur = e.key;
    *t = eq_key_time(e.key);
    *ref = e.ref;
    if (b->head == b->n) {
        b->head = b->n = 0;
        q->mask[0] &= ~((uint64_t)1 << d);
    }
    q->n--;
    return 1;
}

/* ------------------------------------------------------------------
 * The next arrival of each service row: a 4-ary min-heap ordered by (time,
 * row), one entry per row.  Arrivals stay out of the radix queue because
 * each row always has exactly one pending, which an arrival replaces by the
 * next: a replace-top in a heap of a few entries is cheaper than a push, a
 * cascade and a pop.
 */
typedef struct ah_entry {
    uint64_t key;                /* time + EQ_BIAS */
    uint32_t row, unused;
} ah_entry;

typedef struct arrival_heap {
    ah_entry *h;
    size_t n, cap;
} arrival_heap;

static inline int ah_less(const ah_entry *a, const ah_entry *b)
{
    return a->key < b->key || (a->key == b->key && a->row < b->row);
}

static inline void ah_sift_down(arrival_heap *a, size_t i, ah_entry e)
{
    ah_entry *h = a->h;
    size_t n = a->n;
    for (;;) {
        size_t c = 4 * i + 1, best = c;
        if (c >= n)
            break;
        size_t end = c + 4 < n ? c + 4 : n;
        for (size_t k = c + 1; k < end; k++)
            if (ah_less(&h[k], &h[best]))
                best = k;
        if (!ah_less(&h[best], &e))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

/* 0, or -1 when memory runs out. */
static inline int ah_push(arrival_heap *a, sim_time t, uint32_t row)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        ah_entry *h = realloc(a->h, cap * sizeof *h);
        if (h == NULL)
            return -1;
        a->h = h;
        a->cap = cap;
    }
    ah_entry e = {(uint64_t)(t + EQ_BIAS), row, 0};
    size_t i = a->n++;
    while (i > 0 && ah_less(&e, &a->h[(i - 1) / 4])) {
        a->h[i] = a->h[(i - 1) / 4];
        i = (i - 1) / 4;
    }
    a->h[i] = e;
    return 0;
}

/* Time of the earliest arrival, SIM_TIME_NONE when there is none. */
static inline sim_time ah_top_time(const arrival_heap *a)
{
    return a->n ? eq_key_time(a->h[0].key) : SIM_TIME_NONE;
}

/* The earliest arrival's row is next due at t (>= its time). */
static inline void ah_replace_top(arrival_heap *a, sim_time t)
{
    ah_sift_down(a, 0, (ah_entry){(uint64_t)(t + EQ_BIAS), a->h[0].row, 0});
}

static inline void ah_pop(arrival_heap *a)
{
    if (--a->n > 0)
        ah_sift_down(a, 0, a->h[a->n]);
}

#endif
