/*
 * sim_impl.h - the state of a replication, shared by sim.c (the event
 * loop and its handlers), sim_setup.c (building, resetting and freeing
 * it), sim_merge.c (its figures into the result) and sim_check.c (the
 * runtime invariants).  Private to those files; everything else goes
 * through sim.h.
 */
#ifndef NATCAP_MODEL_SIM_IMPL_H
#define NATCAP_MODEL_SIM_IMPL_H

#include "sim.h"

#include "arrivals.h"
#include "conn_pool.h"
#include "event_queue.h"
#include "latency.h"
#include "nat_pool.h"
#include "port_map.h"
#include "syn_timers.h"

#include <gsl/gsl_randist.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Runtime invariants (sim_check.c): on with NATCAP_CHECKS (make debug,
 * make asan) unless NDEBUG; otherwise SIM_CHECK compiles to nothing. */
#if defined(NATCAP_CHECKS) && !defined(NDEBUG)
#define SIM_CHECKS 1
#include <assert.h>
#define SIM_CHECK(c) assert(c)
#else
#define SIM_CHECKS 0
#define SIM_CHECK(c) ((void)sizeof(c))
#endif

#define NIL UINT32_MAX
#define MAX_POOLS 50000000u
#define MAX_IPOOLS 50000000u
/* Requests in flight (connecting, waiting for a pooled connection, holding
 * one): 2^24 of 40 bytes is 640 MiB.  More means a queue that never drains
 * (e.g. pool_max far below the load with a huge pool_wait_timeout_s). */
#define MAX_REQS (1u << 24)
_Static_assert(MAX_POOLS <= EQ_MAX_IDX && MAX_IPOOLS <= EQ_MAX_IDX && MAX_REQS <= EQ_MAX_IDX,
               "pool, ipool and request indexes fit an event reference");

enum { EV_ARRIVAL, EV_DONE, EV_SYN, EV_CFAIL, EV_RETRY, EV_IPOOL, EV_FIFO };

#define VAR_BLOCK 256u

/* The handlers on every request's path, inlined into the event loop
 * whether or not GCC's size heuristics would (make bench: 10 % on (a)). */
#define HOT static inline __attribute__((always_inline))

/* Up to this many service rows the next arrival of each waits in a small
 * heap of its own (aq), replaced in place by the following one: cheaper
 * than a trip through the event queue.  With more rows the heap's
 * sift-down costs more than the queue's O(1) push (measured: 12 % faster
 * with the heap for 1 row, 3 % slower for 17, 9 % for 50). */
#define ARRIVAL_HEAP_ROWS 4u

/* pool_mark: the measured period's highest in use at an interval end (low
 * 31 bits) | POOL_FAILED once an allocation failed. */
#define POOL_FAILED 0x80000000u

typedef struct req {
    uint32_t row, inst, pool, conn;
    uint32_t next;       /* conn_pool wait queue link, free list link */
    uint32_t retries_left;
    sim_time start;      /* connection attempt start; wait deadline while waiting */
    uint32_t port;       /* its mapping's port, when its gateway knows ports (port_map.h) */
    uint8_t measured;
    uint8_t fresh;       /* holds a new connection: add the handshake */
} req;

/* Everything about a row that does not change during a run. */
typedef struct row {
    uint32_t gw, dest;
    uint32_t pool_base, inst_stride, addr_stride;
    uint32_t ipool_base;         /* NIL when the row has no ipools */
    uint64_t instances;
    int need_inst;
    uint32_t pool_idle, pool_max, retries, syn_retries;
    sim_time keepalive_us, idle_timeout_us, wait_timeout_us, connect_timeout_us, backoff_us;
    sim_time handshake_us;
    sim_time connect_deadline_us;   /* min(connect timeout, last retransmission's wait) */
    arrivals arr;
    double next_s;               /* its pending arrival, exactly (the queue has it in µs) */
    double rst_p;                /* rst_close_fraction: a close is an RST with this chance */
} row;

/* Per-row run state. */
typedef struct row_run {
    uint32_t held, snap_val, snap_epoch;
    uint64_t requests, new_connections, reused, failed, stale, attempts, afail, retries;
} row_run;

typedef struct gw_state {
    uint32_t pool_lo, pool_hi;
    int steady;                  /* ports come free only at TIME_WAIT expiries (no
                                    immediate releases): see drop_certain_failures */
    int resets;                  /* some closes are RSTs: its rst ring is in use */
    uint32_t probe_range;        /* linux_probe: ports per NAT IP of each pool (the
                                    search's range, port_map.h); 0: counted ports */
    uint32_t probe_ips;          /* linux_probe: NAT IPs of each pool */
    uint32_t imax;               /* highest in use inside the current interval */
    uint32_t omax;               /* highest open (active + idle) of a pool inside it */
    uint32_t peak;               /* highest in the measured period */
    uint32_t peak_epoch;
    uint32_t imax_pool;          /* the pool that reached imax */
    uint32_t peak_pool;          /* the pool that reached peak */
    uint32_t portless;           /* lowest pool of size 0 that refused a measured SYN; NIL */
    sim_time first_fail;
} gw_state;

/* One interval of one gateway, for one replication. */
typedef struct gw_sample {
    uint32_t in_use, imax, active, idle, tw;
    uint32_t attempts, afail, freq, stale, requests;
    uint32_t portless;           /* SYNs refused by pools of size 0 (instances without ports) */
    uint32_t omax;
} gw_sample;

/* One interval of one watched pool (sim_watch.c), for one replication. */
typedef struct watch_sample {
    uint32_t in_use, imax, open, omax, attempts, afail;
} watch_sample;

struct sim {
    const nc_scenario *sc;
    uint32_t nrows, ngw, ndest;
    row *rows;
    row_run *rr;
    latency_fit *lat;            /* per destination */
    uint32_t *dest_addresses, *dest_rr;
    nat_pool *pools;
    uint32_t *pool_mark;         /* per pool, see POOL_FAILED */
    uint64_t *pbits;             /* the taken ports of linux_probe pools (port_map.h): */
    size_t *pword;               /* [pool]: where its bitmap starts in pbits, one block of
                                    pm_words(probe_range) per NAT IP; a mapping's port is
                                    its bit in the pool's bitmap */
    size_t nwords;               /* of pbits */
    uint32_t npools;
    conn_pool *ipools;
    uint32_t nipools;
    gw_state *gws;
    nat_tw_ring *tw;             /* per gateway */
    nat_tw_ring *rst;            /* per gateway: mappings held after an RST (nat_pool.h) */
    cp_conns conns;
    req *reqs;
    uint32_t nreqs, req_cap, req_free;
    event_queue q;
    arrival_heap aq;             /* the next arrival of each row, when arrival_heap */
    int arrival_heap;            /* few rows: their arrivals in aq, else in q */
    gsl_rng *rng;
    const gsl_rng_type *rng_type;
    /* measurement */
    uint32_t nsamples;
    sim_time sample_us, duration_us, warmup_us;
    double duration_s;
    uint64_t arrivals;           /* requests simulated, warm-up included */
    int32_t k;                   /* current interval, -1 in the warm-up */
    gw_sample *gs;               /* [gw * nsamples + k] */
    uint32_t *row_held;          /* [row * nsamples + k] */
    int oom;
    syn_timers st;               /* see EV_FIFO */
    int too_many_reqs;           /* oom was set because of MAX_REQS */
    int no_shortcuts;            /* sim_set_shortcuts(s, 0) */
    uint64_t doomed, doomed_connected;   /* without shortcuts: see sim_shortcut_check */
    sim_trace_rec *trace;        /* sim_set_trace: NULL (off) but in tests */
    size_t trace_cap, *trace_n;
    sim_time drop_lo;            /* count_refused: interval drop_k starts here */
    uint32_t drop_k;
    unsigned xi;                 /* next unused draw in xbuf (see exp1) */
    double xbuf[VAR_BLOCK];
    uint32_t *li;                /* per destination: next unused draw in its block of lbuf */
    sim_time *lbuf;              /* [dest * VAR_BLOCK + i]: latencies, µs */
    uint32_t nwatch;             /* pools watched (sc->watch, sim_watch.c); 0: the hooks
                                    below cost one predictable branch each */
    uint32_t *watch;             /* [nwatch]: their index in pools */
    watch_sample *ws;            /* [w * nsamples + k] */
};

/* The watched pools' series (sim_watch.c): a mapping taken from pool p, or
 * refused by it (counted in interval drop_k); entering the measured period;
 * the end of interval k; a new run; adding the run into res; freeing. */
void sim_watch_acquire(sim *s, uint32_t p);
void sim_watch_refused(sim *s, uint32_t p);
void sim_watch_start(sim *s);
void sim_watch_sample(sim *s, uint32_t k);
void sim_watch_reset(sim *s);
void sim_watch_merge(const sim *s, nc_scen_result *res, uint32_t rep);
void sim_watch_free(sim *s);
/* sim_setup.c: ready for a new replication. */
void sim_reset(sim *s);

/* Every invariant of sim_check.c at an interval end (a no-op unless SIM_CHECKS). */
void sim_check_invariants(const sim *s);

static inline nc_status oom(nc_error *err)
{
    return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
}

#endif
