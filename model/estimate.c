/* estimate.c - see estimate.h. */
#include "estimate.h"

#include "occupancy.h"
#include "pools.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *estimate_verdict_name(estimate_verdict v)
{
    switch (v) {
    case ESTIMATE_FITS: return "fits";
    case ESTIMATE_NEAR: return "near";
    case ESTIMATE_EXHAUSTS: return "exhausts";
    case ESTIMATE_NO_ESTIMATE: return "n/a";
    }
    return "n/a";
}

/* SPEC §5 name of the pool of row `row` at instance `inst` (1-based), address 1. */
static void pool_name(const nc_scenario *sc, const nc_gateway *gw, size_t row, uint64_t inst,
                      char *buf, size_t len)
{
    const nc_service *sv = &sc->services[row];
    const char *dest = sc->destinations[sv->destination].name;
    int per_dest = gw->mapping == NC_MAPPING_PER_DESTINATION;
    if (gw->ports_per_instance == 0 && !per_dest)
        snprintf(buf, len, "%s", gw->name);
    else if (gw->ports_per_instance == 0)
        snprintf(buf, len, "%s#1", dest);
    else if (!per_dest)
        snprintf(buf, len, "%s#%llu", sv->name, (unsigned long long)inst);
    else
        snprintf(buf, len, "%s#%llu>%s#1", sv->name, (unsigned long long)inst, dest);
}

static void estimate_gateway(const nc_scenario *sc, size_t g, const occupancy *oc,
                             estimate_row *r)
{
    const nc_gateway *gw = &sc->gateways[g];
    nc_pools pl;
    nc_pools_of(sc, g, &pl);
    r->pools_total = pl.pools;
    r->capacity = pl.capacity;
    r->instances_without_ports = pl.without_ports;
    r->rows_estimated = occupancy_rows(oc);
    for (size_t i = 0; i < sc->nservices; i++)
        r->rows_pooled += sc->services[i].gateway == g && sc->services[i].pool_idle > 0;
    r->demand_peak = occupancy_peak(oc);
    r->peak_time_s = occupancy_peak_time(oc);
    size_t fr = occupancy_fullest_row(oc);
    if (fr != SIZE_MAX)
        pool_name(sc, gw, fr, 1, r->pool, sizeof r->pool);
    else if (pl.pools <= 1)
        snprintf(r->pool, sizeof r->pool, "%s", gw->name);   /* its only pool */
    else
        r->pool[0] = '\0';   /* several pools, none estimated: which binds is not known */
    /* an instance without ports and with requests: a pool of size 0, full at once */
    for (size_t i = 0; i < sc->nservices && pl.without_ports > 0; i++) {
        const nc_service *sv = &sc->services[i];
        uint64_t first = 0;
        if (sv->gateway != g || nc_pools_service_short(sc, i, &first) == 0)
            continue;
        if (r->short_service[0] == '\0') {
            snprintf(r->short_service, sizeof r->short_service, "%s", sv->name);
            r->short_of_service = nc_pools_service_short(sc, i, &first);
        }
        if (sv->rps <= 0)
            continue;
        double t, d = occupancy_row_peak(oc, i, &t);
        pool_name(sc, gw, i, first, r->pool, sizeof r->pool);
        r->capacity = 0;
        r->demand_peak = d;
        r->peak_time_s = t;
        r->verdict = ESTIMATE_EXHAUSTS;
        return;
    }
    if (r->rows_estimated > 0 && !isnan(r->demand_peak)) {
        double lo = r->demand_peak, dur = sc->duration_h * 3600;
        for (int k = 0; k <= 96; k++) {
            double m = occupancy_at(oc, dur * k / 96);
            lo = m < lo ? m : lo;
        }
        r->flat = r->demand_peak - lo <= 1e-6 * r->demand_peak;
    }
    if (r->rows_estimated == 0 || isnan(r->demand_peak))
        r->verdict = ESTIMATE_NO_ESTIMATE;
    else if (r->demand_peak > (double)r->capacity)
        r->verdict = ESTIMATE_EXHAUSTS;
    else if (r->demand_peak > ESTIMATE_ALERT_AT * (double)r->capacity)
        r->verdict = ESTIMATE_NEAR;
    else
        r->verdict = ESTIMATE_FITS;
}

nc_status estimate_scenario(const nc_scenario *sc, size_t si, estimate_row *out, nc_error *err)
{
    for (size_t g = 0; g < sc->ngateways; g++) {
        estimate_row *r = &out[g];
        memset(r, 0, sizeof *r);
        r->scenario = si;
        r->gateway = g;
        occupancy *oc = NULL;
        nc_status st = occupancy_create(sc, g, -1.0, &oc, err);
        if (st != NC_OK)
            return st;
        estimate_gateway(sc, g, oc, r);
        occupancy_destroy(oc);
    }
    return NC_OK;
}
