/*
 * topology.h - how one gateway's ports are laid out (SPEC §2 "Allocation
 * pools"): which pools exist, which service rows draw on which, how many
 * instances are behind it, and, with ports_per_instance, which instances
 * get their reservation and which are left without ports.
 *
 * Pools are numbered within the gateway from 0, in the order the
 * simulation lays them out (sim_setup.c uses this layout):
 *   global, shared           one pool, 0
 *   per_destination, shared  per destination (in the order of its first
 *                            row), one pool per address
 *   ports_per_instance       per service (order of its first row), one pool
 *                            per instance; with per_destination per service
 *                            and destination, instance-major then address
 * Instances are reserved their ports in service order (services in the
 * order of their first row, instances 1..N): the first
 *   floor(nat_ips x (port_max - port_min + 1) / ports_per_instance)
 * get them, the rest get pools of size 0.  A service's instances are the
 * most of any of its rows on this gateway.
 *
 * Pure arithmetic on the resolved scenario: no simulation.  O(rows^2) to
 * build (tens of rows).
 */
#ifndef NATCAP_MODEL_TOPOLOGY_H
#define NATCAP_MODEL_TOPOLOGY_H

#include "config.h"
#include "status.h"

#include <stddef.h>
#include <stdint.h>

/* Where one service row's pools are. */
typedef struct nc_topo_row {
    int on_gateway;               /* the row is behind this gateway */
    uint64_t pool_base;           /* first pool of its block (within the gateway) */
    uint64_t inst_stride;         /* pools between instance i and i+1 (0: shared) */
    uint64_t addr_stride;         /* pools between address k and k+1 (0: one pool) */
    uint64_t ordinal;             /* its service's first instance in the reservation order */
    uint64_t service_instances;   /* its service's instances behind the gateway */
    uint64_t instances;           /* the row's own (it draws on the first of them) */
    uint32_t addresses;           /* addresses its pools are split by (1 unless per_destination) */
    size_t first_of_service;      /* first row of the same service on this gateway */
    size_t group;                 /* first row on this gateway whose pools are its pools */
} nc_topo_row;

typedef struct nc_topology {
    size_t gateway;
    int per_destination, per_instance;
    uint64_t capacity;            /* size of a pool that has ports */
    uint64_t pools;               /* every pool, those of size 0 included */
    uint64_t pools_with_ports;
    uint64_t instances;           /* behind the gateway */
    uint64_t reservable;          /* instances the gateway can reserve ports for (all when shared) */
    uint64_t without_ports;       /* instances - reservable when per instance, else 0 */
    size_t portless_row;          /* first row of the first service with instances without
                                     ports; SIZE_MAX when none */
    uint64_t portless_in_service; /* of that service */
    size_t portless_services;     /* services with instances without ports */
    uint64_t ips_for_all;         /* NAT IPs that reserve ports_per_instance for every instance */
    uint64_t ppi_for_all;         /* the most ports_per_instance these IPs give every instance
                                     (azure_lb: a multiple of 8); 0 when not even 1 (or 8) */
    size_t nrows;                 /* = sc->nservices */
    nc_topo_row *rows;            /* [nrows], owned */
} nc_topology;

/* NC_ENOMEM, else NC_OK.  `sc` is read during the call only. */
nc_status nc_topology_build(const nc_scenario *sc, size_t g, nc_topology *out);
void nc_topology_free(nc_topology *t);   /* zeroes it; NULL is a no-op */

/* NAT IPs that reserve `ppi` ports for each of `instances` instances:
 * ceil(instances x ppi / ports per IP).  0 when ppi is 0. */
uint64_t nc_topology_ips_needed(const nc_gateway *gw, uint64_t instances, uint64_t ppi);
/* Instances the gateway reserves ports_per_instance for: floor(nat_ips x
 * ports per IP / ports_per_instance); 0 when ports are shared. */
uint64_t nc_topology_reservable(const nc_gateway *gw);
/* The most ports per instance `nat_ips` IPs reserve for every one of
 * `instances`: floor(nat_ips x ports per IP / instances), rounded down to a
 * multiple of 8 on azure_lb (its manual allocation takes multiples of 8),
 * to a power of two on gcp (Cloud NAT rounds minPortsPerVm up to one). */
uint64_t nc_topology_ppi_allowed(const nc_gateway *gw, uint64_t nat_ips, uint64_t instances);

/* Of the service of row `row`: how many of its instances get no ports (0
 * when the gateway shares its ports or the row is behind another), and the
 * first of them (1-based within the service) in *first, 0 when none. */
uint64_t nc_topology_row_without_ports(const nc_topology *t, size_t row, uint64_t *first);

/* Size of pool p (0 for an instance without ports). */
uint64_t nc_topology_pool_capacity(const nc_topology *t, uint64_t p);

/* Whether service row `row` draws on pool p. */
int nc_topology_row_uses(const nc_topology *t, size_t row, uint64_t p);

/* Pools row `row` spreads its connections over (its instances x addresses;
 * 1 for a shared global pool). */
uint64_t nc_topology_row_pools(const nc_topology *t, size_t row);

/* The rows of one pool: the first row of gateway t's rows whose block of
 * pools is row `row`'s (the same pools: every row of the gateway when it is
 * global and shared, the rows to one destination per_destination, the rows
 * of one service (and destination) per instance).  Rows share a pool iff
 * they have the same group.  SIZE_MAX for a row behind another gateway. */
size_t nc_topology_row_group(const nc_topology *t, size_t row);

/* A row that draws on pool p, SIZE_MAX when none (a pool of no row). */
size_t nc_topology_pool_row(const nc_topology *t, uint64_t p);

/* The name of pool p, as in summary.csv's binding_pool (SPEC §5):
 * "GATEWAY", "DESTINATION#K", "SERVICE#I" or "SERVICE#I>DESTINATION#K". */
void nc_topology_pool_name(const nc_topology *t, const nc_scenario *sc, uint64_t p, char *buf,
                           size_t len);

/* The pool named `name` exactly as nc_topology_pool_name spells it;
 * UINT64_MAX when the gateway has no such pool.  O(rows). */
uint64_t nc_topology_pool_find(const nc_topology *t, const nc_scenario *sc, const char *name);

/* Pool `inst` (1-based; 1 when not per instance) x address `addr` (1-based;
 * 1 when not per destination) of row `row`'s block, clamped to the block;
 * UINT64_MAX when the row is not behind the gateway. */
uint64_t nc_topology_row_pool(const nc_topology *t, size_t row, uint64_t inst, uint64_t addr);

/* One sentence about the instances without ports, e.g. "492 of 1,500
 * instances get no ports (492 of service 'api'): 1 NAT IP reserves 64
 * ports for 1,008; 2 NAT IPs would reserve them for all, or
 * ports_per_instance 42 with 1 IP".  "" when every instance has its ports. */
void nc_topology_portless_text(const nc_topology *t, const nc_scenario *sc, char *buf, size_t len);

#endif
