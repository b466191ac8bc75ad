/*
 * sim.h - one replication of one scenario: the discrete-event model of
 * SPEC §3.
 *
 * A sim is built once per scenario and per worker thread (sim_create does
 * every fit and allocation that does not depend on the random stream) and
 * then runs replications one after another (sim_run resets its state and
 * reuses its memory).  sim_merge adds the replication's figures into the
 * scenario's nc_scen_result; the caller serialises merges.
 *
 * Memory grows with open connections, pending requests and pools (mappings
 * in TIME_WAIT sit in one FIFO ring per gateway), never with the number of
 * requests.
 */
#ifndef NATCAP_MODEL_SIM_H
#define NATCAP_MODEL_SIM_H

#include "config.h"
#include "status.h"
#include "clock.h"
#include "result.h"

#include <gsl/gsl_rng.h>
#include <signal.h>

typedef struct sim sim;

/* NC_EINPUT (err set) when the scenario cannot be simulated (latency fit,
 * too many pools); NC_ENOMEM. `sc` is borrowed and must outlive the sim. */
nc_status sim_create(const nc_scenario *sc, sim **out, nc_error *err);
void sim_destroy(sim *s);   /* NULL is a no-op */

/* Optional run-time control: a flag that stops the run early (returns
 * NC_EINTR) and places where the simulated clock and the requests arrived
 * so far (warm-up included) are published every 65,536 events (for the
 * progress line).  Any pointer may be NULL. */
typedef struct sim_ctl {
    const volatile sig_atomic_t *stop;
    volatile int64_t *clock_us;
    volatile uint64_t *requests;
} sim_ctl;

/* Run one replication with a generator of type T seeded with `seed`. */
nc_status sim_run(sim *s, const gsl_rng_type *T, unsigned long seed, const sim_ctl *ctl,
                  nc_error *err);

/* For the tests.  0 turns off the shortcut that settles certain SYN
 * failures without events (see drop_certain_failures in sim.c): every
 * retransmission is then an event, and those the shortcut would have
 * settled are marked.  sim_shortcut_check gives, for the last run, how many
 * were marked and (in *connected) how many of those got a mapping after all
 * (must be 0). */
void sim_set_shortcuts(sim *s, int on);
uint64_t sim_shortcut_check(const sim *s, uint64_t *connected);

/* For the tests: a trace of what happens to requests, in the order it
 * happens (not always by time: settled SYN failures are counted when they
 * are settled).  SIM_TR_SYN_*: a SYN (first or retransmitted, settled
 * without an event or not) asked the gateway for a mapping and got it or
 * not, measured period only.  SIM_TR_ARRIVAL: a request arrived;
 * SIM_TR_HOLD: a request starts using a connection (new or reused); these
 * two also in the warm-up.  The first `cap` records go to buf, *n counts
 * all of them; sim_run resets *n.  buf NULL turns it off (the default: then
 * it costs one predictable branch at each of those points). */
enum { SIM_TR_SYN_REFUSED, SIM_TR_SYN_OK, SIM_TR_ARRIVAL, SIM_TR_HOLD };
typedef struct sim_trace_rec {
    sim_time t;
    uint32_t row, kind;
} sim_trace_rec;
void sim_set_trace(sim *s, sim_trace_rec *buf, size_t cap, size_t *n);

/* Record, from the next run on, the series of the pools sc->watch names
 * (nc_scen_result.pools) besides the fullest pool's.  NC_ENOMEM; NC_EINPUT
 * when a pool is not in the gateway's layout. */
nc_status sim_watch_pools(sim *s, nc_error *err);

/* Add the last run's figures into res as replication number `rep`. */
void sim_merge(const sim *s, nc_scen_result *res, uint32_t rep);

#endif
