/* bottleneck.c - see bottleneck.h. */
#include "bottleneck.h"

#include "occupancy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void nc_bottleneck_free(nc_bottleneck *b)
{
    if (b == NULL)
        return;
    nc_topology_free(&b->topo);
    free(b->demand);
    free(b->row_uses);
    memset(b, 0, sizeof *b);
}

/* The analytic demand of the pools of service row `row`: its peak and its
 * value at each interval's end (*demand owned, NULL with a NAN peak when
 * there is no estimate).  NC_ENOMEM only. */
static nc_status demand_of(const nc_scen_result *r, size_t row, double *peak, double **demand)
{
    const nc_scenario *sc = r->sc;
    size_t g = sc->services[row].gateway;
    *peak = NAN;
    *demand = NULL;
    for (size_t i = 0; i < sc->nservices; i++)
        if (sc->services[i].gateway == g && (sc->services[i].profile >= sc->nprofiles ||
                                             sc->profiles[sc->services[i].profile].npoints == 0))
            return NC_OK;   /* a scenario built by hand without its profile: no estimate */
    occupancy *o = NULL;
    nc_status st = occupancy_create_group(sc, row, &o, NULL);
    if (st == NC_EINPUT)
        return NC_OK;   /* a latency that cannot be fitted: no estimate (a run refuses it first) */
    if (st != NC_OK)
        return st;
    if (occupancy_rows(o) > 0) {
        double *d = calloc(r->nsamples ? r->nsamples : 1, sizeof *d);
        if (d == NULL) {
            occupancy_destroy(o);
            return NC_ENOMEM;
        }
        for (uint32_t k = 0; k < r->nsamples; k++) {
            sim_time e = (sim_time)(k + 1) * r->sample_us;
            d[k] = occupancy_at(o, sim_to_s(e < r->duration_us ? e : r->duration_us));
        }
        *peak = occupancy_peak(o);
        *demand = d;
    }
    occupancy_destroy(o);
    return NC_OK;
}

nc_status nc_bottleneck_get(const nc_scen_result *r, size_t g, nc_bottleneck *out, nc_error *err)
{
    memset(out, 0, sizeof *out);
    const nc_scenario *sc = r->sc;
    nc_summarize_gateway(r, g, &out->sum);
    out->demand_peak = NAN;
    out->pool_row = SIZE_MAX;
    if (nc_topology_build(sc, g, &out->topo) != NC_OK)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    const nc_topology *t = &out->topo;
    out->pool = out->sum.binding_pool < t->pools ? out->sum.binding_pool : 0;
    nc_topology_pool_name(t, sc, out->pool, out->pool_name, sizeof out->pool_name);
    out->pool_has_ports = nc_topology_pool_capacity(t, out->pool) > 0;
    out->pool_row = nc_topology_pool_row(t, out->pool);
    nc_topology_portless_text(t, sc, out->portless, sizeof out->portless);
    out->row_uses = calloc(sc->nservices ? sc->nservices : 1, 1);
    if (out->row_uses == NULL) {
        nc_bottleneck_free(out);
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    for (size_t i = 0; i < sc->nservices; i++) {
        out->row_uses[i] = (unsigned char)nc_topology_row_uses(t, i, out->pool);
        out->rows_using += out->row_uses[i];
    }
    if (out->pool_row == SIZE_MAX)
        return NC_OK;
    nc_gw_result *x = &r->gw[g];   /* (the result is const; its cache is not) */
    if (!x->demand_cached || x->demand_row != out->pool_row) {
        free(x->demand);
        x->demand = NULL;
        x->demand_cached = 0;
        nc_status st = demand_of(r, out->pool_row, &x->demand_peak, &x->demand);
        if (st != NC_OK) {
            nc_bottleneck_free(out);
            return nc_error_set(err, st, NULL, 0, NULL, "out of memory");
        }
        x->demand_cached = 1;
        x->demand_row = out->pool_row;
    }
    out->demand_peak = x->demand_peak;
    if (x->demand != NULL) {
        out->demand = malloc((r->nsamples ? r->nsamples : 1) * sizeof *out->demand);
        if (out->demand == NULL) {
            nc_bottleneck_free(out);
            return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        }
        memcpy(out->demand, x->demand, r->nsamples * sizeof *out->demand);
    }
    return NC_OK;
}
