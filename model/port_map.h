/*
 * port_map.h - which ports of a pool are taken, and Linux's search for a
 * free one (gateways.csv port_selection linux_probe).
 *
 * A pool of `range` ports is a bitmap, bit i set while port i (port_min + i)
 * is mapped.  The search is nf_nat_l4proto_unique_tuple() of the kernel's
 * net/netfilter/nf_nat_core.c, with --random-fully semantics (a random
 * start, never the client's own source port):
 *
 *     u16 off = get_random_u16();
 *     attempts = min(range, 128);
 *   another_round:
 *     for (i = 0; i < attempts; i++, off++)
 *         if port (off % range) is free: take it
 *     if (attempts >= range || attempts < 16) refuse;
 *     attempts /= 2; off = get_random_u16(); goto another_round;
 *
 * so at most 128 + 64 + 32 + 16 + 8 = 248 ports are looked at, in five runs
 * of consecutive ports from random starts, and a nearly full pool refuses
 * while some of its ports are free.  `off` is 16 bits wide and wraps from
 * 65535 to 0, as in the kernel.  Each run is read a 64-bit word at a time;
 * tests/check_sim_parts.c holds the loop above, port by port, and checks
 * that both pick the same port from the same random numbers.
 *
 * Memory: range / 8 bytes per pool, rounded up to 8.
 */
#ifndef NATCAP_MODEL_PORT_MAP_H
#define NATCAP_MODEL_PORT_MAP_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

#define PM_MAX_ATTEMPTS 128u      /* NF_NAT_MAX_ATTEMPTS */

/* Below this share of a pool in use the search refuses nothing in
 * practice: none in 1.1e7 searches at a load of 0.80, 5e-5 at 0.85 and
 * 1e-3 at 0.90 (README "Port selection: Linux's search").  What a planner
 * may decide without simulating; above it, only a simulation tells. */
#define PM_SAFE_SHARE 0.75

/* 64-bit words of a pool of `range` ports. */
static inline uint32_t pm_words(uint32_t range) { return (range + 63u) / 64u; }

static inline int pm_taken(const uint64_t *b, uint32_t i) { return (int)(b[i >> 6] >> (i & 63u) & 1u); }
static inline void pm_take(uint64_t *b, uint32_t i) { b[i >> 6] |= UINT64_C(1) << (i & 63u); }
static inline void pm_free(uint64_t *b, uint32_t i) { b[i >> 6] &= ~(UINT64_C(1) << (i & 63u)); }

/* The first free port in [lo, hi), or -1. */
static inline int32_t pm_first_free(const uint64_t *b, uint32_t lo, uint32_t hi)
{
    while (lo < hi) {
        uint64_t w = ~b[lo >> 6] >> (lo & 63u);
        if (w != 0) {
            uint32_t i = lo + (uint32_t)__builtin_ctzll(w);
            return i < hi ? (int32_t)i : -1;
        }
        lo = (lo | 63u) + 1u;
    }
    return -1;
}

/* The port the kernel's search takes from pool b of `range` (>= 1) ports,
 * drawing its random starts from rng; -1 when it refuses.  The caller
 * takes the port (pm_take). */
static inline int32_t pm_probe(const uint64_t *b, uint32_t range, gsl_rng *rng)
{
    uint32_t attempts = range < PM_MAX_ATTEMPTS ? range : PM_MAX_ATTEMPTS;
    for (;;) {
        uint32_t off = (uint32_t)gsl_rng_uniform_int(rng, 65536);   /* get_random_u16() */
        for (uint32_t left = attempts; left > 0;) {
            /* ports off % range on, consecutive until the index or off wraps
             * (either way to port 0) */
            uint32_t i = off % range, run = left;
            if (run > range - i)
                run = range - i;
            if (run > 65536u - off)
                run = 65536u - off;
            int32_t f = pm_first_free(b, i, i + run);
            if (f >= 0)
                return f;
            left -= run;
            off = (off + run) & 0xffffu;
        }
        if (attempts >= range || attempts < 16)
            return -1;
        attempts /= 2;
    }
}

#endif
