/*
 * bottleneck.h - what is full and why (SPEC §5): the pool of a gateway
 * that bound, its name, the unconstrained demand on it, how many pools
 * there are and how many filled, and the instances left without ports.
 *
 * Built from a batch result (the simulated figures) and the scenario's
 * layout (model/topology.h); the demand is the analytic M(t)/G/infinity
 * mean of the binding pool's rows (model/occupancy.h), the estimate
 * `natcap plan` uses, so it shows what the pool would have held had it
 * never run out.  Cost: the occupancy of one pool group, a few ms.
 */
#ifndef NATCAP_MODEL_BOTTLENECK_H
#define NATCAP_MODEL_BOTTLENECK_H

#include "result.h"
#include "summary.h"
#include "topology.h"

typedef struct nc_bottleneck {
    nc_gw_summary sum;
    nc_topology topo;
    uint64_t pool;               /* binding pool, within the gateway */
    char pool_name[2 * NC_NAME_MAX + 48];
    int pool_has_ports;          /* 0: an instance without ports */
    size_t pool_row;             /* first service row that draws on it; SIZE_MAX */
    double demand_peak;          /* NAN when no row without pooling draws on it */
    double *demand;              /* [nsamples]: m(t) at each interval's end; NULL when NAN */
    unsigned char *row_uses;     /* [nservices]: the row draws on the binding pool */
    size_t rows_using;
    char portless[640];          /* nc_topology_portless_text, "" */
} nc_bottleneck;

/* NC_ENOMEM or NC_EINPUT (latency fit) with err set. */
nc_status nc_bottleneck_get(const nc_scen_result *r, size_t g, nc_bottleneck *out, nc_error *err);
void nc_bottleneck_free(nc_bottleneck *b);   /* NULL is a no-op */

#endif
