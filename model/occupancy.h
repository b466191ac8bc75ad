/*
 * occupancy.h - the analytic mean occupancy of a gateway's fullest pool in
 * the infinite-port model (issue 4, `analytic_peak_in_use`).
 *
 * Without a port limit, the new connections of a service row without
 * pooling form a Poisson process of rate lambda(t) (its requests; no
 * retries, since nothing fails), and each holds its mapping for
 *     H = handshake + latency + TIME_WAIT.
 * That is an M_t/G/infinity queue: the mappings in use at time t are Poisson
 * distributed with mean
 *     m(t) = integral of lambda(s) * P(H > t - s) ds
 *          = E_L[ Lambda(t) - Lambda(t - c - L) ],    c = handshake + TIME_WAIT,
 * where Lambda is the cumulative rate (arrivals_integral).  We evaluate it as
 *     Lambda(t) - Lambda(t - c) + lambda(t - c) * E[L] + corr(t),
 * with E[L] the fitted mean in closed form, so a flat profile gives exactly
 * lambda * E[H]; corr(t) = E_L[Lambda(u) - Lambda(u - L) - lambda(u) * L]
 * (u = t - c) is the curvature term of the profile, zero on a flat one and
 * O(slope * E[L^2]) otherwise, taken by a 32-point quantile midpoint rule.
 *
 * Which pool (SPEC §2 "Allocation pools"; the groups of rows that share
 * pools are model/topology.h's): only rows without pooling (pool_idle = 0)
 * count, each weighted by its share of one pool:
 *   global, shared           one pool: every row of the gateway, weight 1
 *   per_destination, shared  one pool per destination address: rows to the
 *                            same destination, weight 1/addresses (new
 *                            connections go to the addresses in turn)
 *   ports_per_instance       one pool per instance (and per destination
 *                            address with per_destination): the rows of one
 *                            service (and destination), weight 1/instances
 *                            (1/(instances x addresses)); the busiest
 *                            instance is the one every row of the service
 *                            reaches, so the weights of the rows add up.
 * The fullest pool is the group with the highest peak over the measured
 * period [0, duration), sampled every min(sample_s, 30 s).
 *
 * Cost: O(rows x samples x 34) calls of arrivals_integral at create time, a
 * few milliseconds for a day and twenty rows.
 */
#ifndef NATCAP_MODEL_OCCUPANCY_H
#define NATCAP_MODEL_OCCUPANCY_H

#include "config.h"
#include "status.h"

typedef struct occupancy occupancy;

/* Build the model of gateway g of sc (borrowed only during the call) with
 * the gateway's TIME_WAIT replaced by time_wait_s when it is >= 0.
 * NC_EINPUT (latency fit) or NC_ENOMEM with err set. */
nc_status occupancy_create(const nc_scenario *sc, size_t g, double time_wait_s, occupancy **out,
                           nc_error *err);
void occupancy_destroy(occupancy *o);   /* NULL is a no-op */

/* The same for one pool only: the pool group of service row `row` (the
 * rows that share its pool, as above), whatever its occupancy against the
 * others (the unconstrained demand of a named pool, SPEC §5 demand_peak). */
nc_status occupancy_create_group(const nc_scenario *sc, size_t row, occupancy **out,
                                 nc_error *err);

/* Number of rows without pooling that the model covers (0: no estimate). */
size_t occupancy_rows(const occupancy *o);

/* Peak of m(t) in the fullest pool over the measured period; NAN when the
 * gateway has no row without pooling. */
double occupancy_peak(const occupancy *o);

/* m(t) of the fullest pool at time t (seconds since 00:00 of day 0);
 * 0 when the gateway has no row without pooling. */
double occupancy_at(const occupancy *o, double t_s);

/* Time (s since 00:00 of day 0) at which the fullest pool peaks; NAN without rows. */
double occupancy_peak_time(const occupancy *o);

/* Index in sc->services of the first row of the fullest pool's group (its pool
 * is named after that row); SIZE_MAX without rows. */
size_t occupancy_fullest_row(const occupancy *o);

/* Peak of m(t) in the pool of service row `service` (one of its pools when there
 * are several alike: all are equally loaded), and when (*t_s, may be NULL);
 * NAN when the row is not covered (pooled, or of another gateway). */
double occupancy_row_peak(const occupancy *o, size_t service, double *t_s);

#endif
