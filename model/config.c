/* config.c - lifetime helpers for the resolved scenario structs. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

void nc_scenario_free(nc_scenario *sc)
{
    if (sc == NULL)
        return;
    free(sc->description);
    for (size_t i = 0; i < sc->nprofiles; i++) {
        free(sc->profiles[i].time_s);
        free(sc->profiles[i].multiplier);
    }
    free(sc->profiles);
    free(sc->gateways);
    free(sc->destinations);
    free(sc->services);
    free(sc->watch);
    memset(sc, 0, sizeof *sc);
}

void nc_input_free(nc_input *in)
{
    if (in == NULL)
        return;
    for (size_t i = 0; i < in->nscenarios; i++)
        nc_scenario_free(&in->scenarios[i]);
    free(in->scenarios);
    free(in->dir);
    memset(in, 0, sizeof *in);
}

static void *dup_array(const void *src, size_t n, size_t size)
{
    void *p = malloc(n ? n * size : 1);
    if (p != NULL && n > 0)
        memcpy(p, src, n * size);
    return p;
}

int nc_scenario_copy(nc_scenario *dst, const nc_scenario *src)
{
    *dst = *src;
    dst->description = NULL;
    dst->gateways = NULL;
    dst->destinations = NULL;
    dst->services = NULL;
    dst->profiles = NULL;
    dst->nprofiles = 0;
    dst->watch = NULL;
    dst->description = strdup(src->description ? src->description : "");
    dst->gateways = dup_array(src->gateways, src->ngateways, sizeof *src->gateways);
    dst->destinations = dup_array(src->destinations, src->ndestinations, sizeof *src->destinations);
    dst->services = dup_array(src->services, src->nservices, sizeof *src->services);
    dst->profiles = calloc(src->nprofiles ? src->nprofiles : 1, sizeof *src->profiles);
    if (src->nwatch > 0)
        dst->watch = dup_array(src->watch, src->nwatch, sizeof *src->watch);
    if (!dst->description || !dst->gateways || !dst->destinations || !dst->services || !dst->profiles ||
        (src->nwatch > 0 && !dst->watch)) {
        nc_scenario_free(dst);
        return -1;
    }
    for (size_t i = 0; i < src->nprofiles; i++) {
        const nc_profile *p = &src->profiles[i];
        nc_profile *q = &dst->profiles[i];
        dst->nprofiles = i + 1;
        *q = *p;
        q->time_s = dup_array(p->time_s, p->npoints, sizeof *p->time_s);
        q->multiplier = dup_array(p->multiplier, p->npoints, sizeof *p->multiplier);
        if (!q->time_s || !q->multiplier) {
            nc_scenario_free(dst);
            return -1;
        }
    }
    return 0;
}

uint64_t nc_gateway_port_range(const nc_gateway *g) { return (uint64_t)g->port_max - g->port_min + 1; }

uint64_t nc_gateway_pool_capacity(const nc_gateway *g)
{
    if (g->ports_per_instance > 0)
        return g->ports_per_instance;
    uint64_t range = nc_gateway_port_range(g);
    if (g->mapping == NC_MAPPING_PER_DESTINATION && g->per_destination_limit < range)
        range = g->per_destination_limit;
    return (uint64_t)g->nat_ips * range;
}
