/*
 * pools.h - the allocation pools of a gateway and its instances without
 * ports (SPEC §2 "Allocation pools", §5), computed from the resolved
 * scenario alone, as model/sim_setup.c lays them out:
 *   - a service is the rows of one name behind one gateway; its instances
 *     are the largest `instances` of its rows;
 *   - with ports_per_instance N > 0 the gateway reserves N ports for each
 *     instance, services in the order of their first row, instances in
 *     order, while its ports last: floor(nat_ips x ports per IP / N)
 *     instances get them, the rest get none (a pool of size 0).
 * Used by `natcap estimate` and validate; the figures are those of the
 * fuller topology query, model/topology.h, which pools.c summarises.
 */
#ifndef NATCAP_MODEL_POOLS_H
#define NATCAP_MODEL_POOLS_H

#include "config.h"

#include <stddef.h>
#include <stdint.h>

typedef struct nc_pools {
    uint64_t pools;            /* allocation pools of the gateway (>= 1) */
    uint64_t capacity;         /* mappings in a pool that has ports */
    uint64_t instances;        /* instances of the services behind the gateway */
    uint64_t reservable;       /* ports_per_instance > 0: instances its ports can reserve */
    uint64_t without_ports;    /* instances that get none */
    size_t services;           /* services behind the gateway */
    size_t first_short;        /* first services row of the first service with an instance
                                  without ports; SIZE_MAX when none */
    uint64_t first_short_inst; /* its first instance without ports, 1-based */
    uint64_t short_of_service; /* how many of that service's instances have none */
} nc_pools;

void nc_pools_of(const nc_scenario *sc, size_t g, nc_pools *out);

/* Of the service of row `row`: how many instances get no ports (0 when the gateway
 * shares its ports), and the first of them (1-based) in *first. */
uint64_t nc_pools_service_short(const nc_scenario *sc, size_t row, uint64_t *first);

#endif
