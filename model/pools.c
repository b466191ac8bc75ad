/* pools.c - see pools.h. */
#include "pools.h"

#include <string.h>

/* The first row of the same service (name and gateway) as row i. */
static size_t first_of_service(const nc_scenario *sc, size_t i)
{
    const nc_service *a = &sc->services[i];
    for (size_t j = 0; j < i; j++)
        if (sc->services[j].gateway == a->gateway && strcmp(sc->services[j].name, a->name) == 0)
            return j;
    return i;
}

uint64_t nc_pools_service_instances(const nc_scenario *sc, size_t row)
{
    const nc_service *a = &sc->services[row];
    uint64_t n = 0;
    for (size_t j = 0; j < sc->nservices; j++) {
        const nc_service *b = &sc->services[j];
        if (b->gateway == a->gateway && strcmp(b->name, a->name) == 0 && b->instances > n)
            n = b->instances;
    }
    return n;
}

/* Reservation order: instances of the services of gateway g before row f's service. */
static uint64_t ordinal_of(const nc_scenario *sc, size_t f)
{
    uint64_t ord = 0;
    for (size_t j = 0; j < f; j++)
        if (sc->services[j].gateway == sc->services[f].gateway && first_of_service(sc, j) == j)
            ord += nc_pools_service_instances(sc, j);
    return ord;
}

static uint64_t reservable(const nc_gateway *gw)
{
    return gw->ports_per_instance
               ? (uint64_t)gw->nat_ips * nc_gateway_port_range(gw) / gw->ports_per_instance
               : 0;
}

uint64_t nc_pools_service_short(const nc_scenario *sc, size_t row, uint64_t *first)
{
    const nc_gateway *gw = &sc->gateways[sc->services[row].gateway];
    *first = 0;
    if (gw->ports_per_instance == 0)
        return 0;
    size_t f = first_of_service(sc, row);
    uint64_t ord = ordinal_of(sc, f), n = nc_pools_service_instances(sc, f), res = reservable(gw);
    if (ord + n <= res)
        return 0;
    uint64_t got = res > ord ? res - ord : 0;
    *first = got + 1;
    return n - got;
}

void nc_pools_of(const nc_scenario *sc, size_t g, nc_pools *out)
{
    const nc_gateway *gw = &sc->gateways[g];
    int per_dest = gw->mapping == NC_MAPPING_PER_DESTINATION;
    uint32_t ppi = gw->ports_per_instance;
    memset(out, 0, sizeof *out);
    out->capacity = nc_gateway_pool_capacity(gw);
    out->reservable = reservable(gw);
    out->first_short = SIZE_MAX;
    for (size_t i = 0; i < sc->nservices; i++) {
        const nc_service *sv = &sc->services[i];
        if (sv->gateway != g)
            continue;
        uint64_t addrs = sc->destinations[sv->destination].addresses;
        size_t f = first_of_service(sc, i);
        uint64_t inst = nc_pools_service_instances(sc, i);
        int new_dest = 1, new_pair = 1;   /* first row of its destination / (service, dest) */
        for (size_t j = 0; j < i; j++) {
            const nc_service *b = &sc->services[j];
            if (b->gateway != g || b->destination != sv->destination)
                continue;
            new_dest = 0;
            if (strcmp(b->name, sv->name) == 0)
                new_pair = 0;
        }
        if (f == i) {
            out->services++;
            out->instances += inst;
        }
        if (!per_dest && !ppi)
            out->pools = 1;
        else if (per_dest && !ppi)
            out->pools += new_dest ? addrs : 0;
        else if (!per_dest)
            out->pools += f == i ? inst : 0;
        else
            out->pools += new_pair ? inst * addrs : 0;
        uint64_t first;
        if (f == i && out->first_short == SIZE_MAX && ppi) {
            uint64_t sh = nc_pools_service_short(sc, i, &first);
            if (sh > 0) {
                out->first_short = i;
                out->first_short_inst = first;
                out->short_of_service = sh;
            }
        }
    }
    if (out->pools == 0)
        out->pools = 1;   /* a gateway without rows still has its pool */
    if (ppi && out->instances > out->reservable)
        out->without_ports = out->instances - out->reservable;
}
