/*
 * fixture.h - build nc_scenario values in tests without CSV files.
 * fx_init gives one gateway "gw" (global, 1 IP, ports 1024-65535, TIME_WAIT
 * 60 s), one destination "api" (constant 100 ms) and no service rows;
 * tests then adjust fields and add rows with fx_add_row.
 */
#ifndef NATCAP_TESTS_FIXTURE_H
#define NATCAP_TESTS_FIXTURE_H

#include "../model/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FX_MAX 16

typedef struct fx {
    nc_scenario sc;
    nc_gateway gw[FX_MAX];
    nc_destination de[FX_MAX];
    nc_service sv[FX_MAX];
    nc_profile pr[FX_MAX];
    double pt[FX_MAX][8], pm[FX_MAX][8];
} fx;

static inline void fx_init(fx *f)
{
    memset(f, 0, sizeof *f);
    nc_scenario *sc = &f->sc;
    snprintf(sc->name, sizeof sc->name, "test");
    sc->description = (char *)"";
    sc->duration_h = 2;
    sc->warmup_h = 0.5;
    sc->replications = 4;
    sc->seed = 1;
    sc->sample_s = 60;
    sc->rate_scale = sc->instance_scale = 1;
    sc->gateways = f->gw;
    sc->destinations = f->de;
    sc->services = f->sv;
    sc->profiles = f->pr;
    sc->ngateways = sc->ndestinations = sc->nprofiles = 1;
    nc_gateway *g = &f->gw[0];
    snprintf(g->name, sizeof g->name, "gw");
    g->nat_ips = 1;
    g->port_min = 1024;
    g->port_max = 65535;
    g->mapping = NC_MAPPING_GLOBAL;
    g->per_destination_limit = 64512;
    g->time_wait_s = 60;
    g->idle_timeout_s = 350;
    nc_destination *d = &f->de[0];
    snprintf(d->name, sizeof d->name, "api");
    d->addresses = 1;
    d->port = 443;
    d->latency_dist = NC_LAT_CONSTANT;
    d->latency_p50_ms = 100;
    nc_profile *p = &f->pr[0];
    snprintf(p->name, sizeof p->name, "flat");
    p->npoints = 1;
    p->time_s = f->pt[0];
    p->multiplier = f->pm[0];
    f->pm[0][0] = 1;
}

/* Add a service row calling destination d through gateway g at `rps` per instance. */
static inline nc_service *fx_add_row(fx *f, const char *name, size_t g, size_t d, uint64_t instances,
                                     double rps)
{
    nc_service *s = &f->sv[f->sc.nservices++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->gateway = g;
    s->destination = d;
    s->profile = 0;
    s->instances = instances;
    s->rps = rps;
    s->keepalive_s = 90;
    s->pool_wait_timeout_s = 30;
    s->connect_timeout_s = 10;
    s->syn_retries = 6;
    return s;
}

/* Add a destination named `name` with `addresses` addresses, otherwise a copy
 * of destination 0 as it is now; returns its index. */
static inline size_t fx_add_destination(fx *f, const char *name, uint32_t addresses)
{
    size_t i = f->sc.ndestinations++;
    f->de[i] = f->de[0];
    snprintf(f->de[i].name, sizeof f->de[i].name, "%s", name);
    f->de[i].addresses = addresses;
    return i;
}

/* Add a profile from n (time_s, multiplier) points; returns its index. */
static inline size_t fx_add_profile(fx *f, const char *name, size_t n, const double *t, const double *m)
{
    size_t i = f->sc.nprofiles++;
    nc_profile *p = &f->pr[i];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->npoints = n;
    p->time_s = f->pt[i];
    p->multiplier = f->pm[i];
    memcpy(f->pt[i], t, n * sizeof *t);
    memcpy(f->pm[i], m, n * sizeof *m);
    return i;
}

#endif
