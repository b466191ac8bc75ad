/* pools.c - see pools.h: a summary of model/topology.h's layout. */
#include "pools.h"

#include "topology.h"

#include <string.h>

uint64_t nc_pools_service_short(const nc_scenario *sc, size_t row, uint64_t *first)
{
    const nc_gateway *gw = &sc->gateways[sc->services[row].gateway];
    *first = 0;
    nc_topology t;
    if (gw->ports_per_instance == 0 || nc_topology_build(sc, sc->services[row].gateway, &t) != NC_OK)
        return 0;
    uint64_t n = nc_topology_row_without_ports(&t, row, first);
    nc_topology_free(&t);
    return n;
}

void nc_pools_of(const nc_scenario *sc, size_t g, nc_pools *out)
{
    const nc_gateway *gw = &sc->gateways[g];
    memset(out, 0, sizeof *out);
    out->capacity = nc_gateway_pool_capacity(gw);
    out->reservable = nc_topology_reservable(gw);
    out->first_short = SIZE_MAX;
    out->pools = 1;
    nc_topology t;
    if (nc_topology_build(sc, g, &t) != NC_OK)
        return;   /* out of memory: the gateway's figures without its rows */
    out->pools = t.pools;
    out->instances = t.instances;
    out->without_ports = t.without_ports;
    for (size_t i = 0; i < t.nrows; i++)
        out->services += t.rows[i].on_gateway && t.rows[i].first_of_service == i;
    if (t.portless_row != SIZE_MAX) {
        out->first_short = t.portless_row;
        out->short_of_service = nc_topology_row_without_ports(&t, t.portless_row,
                                                              &out->first_short_inst);
    }
    nc_topology_free(&t);
}
