/* warn.c - see warn.h. */
#include "warn.h"

#include "../model/topology.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct list {
    size_t n, cap;
    char **s;
    int oom;
} list;

static void add(list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->s[i], s) == 0)
            return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **p = realloc(l->s, cap * sizeof *p);
        if (p == NULL) {
            l->oom = 1;
            return;
        }
        l->s = p;
        l->cap = cap;
    }
    if ((l->s[l->n] = strdup(s)) == NULL) {
        l->oom = 1;
        return;
    }
    l->n++;
}

static void list_free(list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->s[i]);
    free(l->s);
    memset(l, 0, sizeof *l);
}

/* The warnings of one scenario, without its name. */
static void scenario_warnings(const nc_scenario *sc, list *l)
{
    char buf[1024];
    for (size_t g = 0; g < sc->ngateways; g++) {
        const nc_gateway *gw = &sc->gateways[g];
        uint64_t range = nc_gateway_port_range(gw);
        if (gw->mapping == NC_MAPPING_PER_DESTINATION && gw->ports_per_instance == 0 &&
            gw->per_destination_limit > range) {
            snprintf(buf, sizeof buf,
                     "gateway '%s': per_destination_limit %u is above its %llu ports per IP "
                     "(port_min %u to port_max %u), so it never binds",
                     gw->name, gw->per_destination_limit, (unsigned long long)range,
                     gw->port_min, gw->port_max);
            add(l, buf);
        }
        nc_topology t;
        if (nc_topology_build(sc, g, &t) != NC_OK) {
            l->oom = 1;
            return;
        }
        nc_topology_portless_text(&t, sc, buf, sizeof buf);
        if (buf[0] != '\0')
            add(l, buf);
        nc_topology_free(&t);
    }
    for (size_t i = 0; i < sc->nservices; i++) {
        const nc_service *sv = &sc->services[i];
        const nc_gateway *gw = &sc->gateways[sv->gateway];
        const char *dest = sc->destinations[sv->destination].name;
        if (sv->pool_idle > 0 && sv->keepalive_s >= gw->idle_timeout_s) {
            snprintf(buf, sizeof buf,
                     "services.csv:%ld: service '%s' -> '%s': keepalive_s %g is not below "
                     "gateway '%s''s idle_timeout_s %g: the gateway drops idle connections "
                     "first, and reusing one fails (stale reuse)",
                     sv->line, sv->name, dest, sv->keepalive_s, gw->name, gw->idle_timeout_s);
            add(l, buf);
        }
        if (sv->pool_max > 0 && sv->pool_idle > sv->pool_max) {
            snprintf(buf, sizeof buf,
                     "services.csv:%ld: service '%s' -> '%s': pool_idle %u is above pool_max %u; "
                     "at most %u connections are kept",
                     sv->line, sv->name, dest, sv->pool_idle, sv->pool_max, sv->pool_max);
            add(l, buf);
        }
    }
}

nc_status nc_input_warnings(const nc_input *in, nc_warnings *out)
{
    memset(out, 0, sizeof *out);
    list all = {0}, res = {0};
    list *per = calloc(in->nscenarios ? in->nscenarios : 1, sizeof *per);
    if (per == NULL)
        return NC_ENOMEM;
    int oom = 0;
    for (size_t i = 0; i < in->nscenarios; i++) {
        scenario_warnings(&in->scenarios[i], &per[i]);
        oom |= per[i].oom;
        for (size_t j = 0; j < per[i].n; j++)
            add(&all, per[i].s[j]);
    }
    /* in order of first appearance: once when every scenario has it, else per scenario */
    for (size_t j = 0; j < all.n && !oom; j++) {
        size_t have = 0;
        for (size_t i = 0; i < in->nscenarios; i++)
            for (size_t k = 0; k < per[i].n; k++)
                have += strcmp(per[i].s[k], all.s[j]) == 0;
        if (have == in->nscenarios || in->nscenarios <= 1) {
            add(&res, all.s[j]);
            continue;
        }
        for (size_t i = 0; i < in->nscenarios; i++) {
            for (size_t k = 0; k < per[i].n; k++) {
                if (strcmp(per[i].s[k], all.s[j]) != 0)
                    continue;
                size_t len = strlen(all.s[j]) + NC_NAME_MAX + 64;
                char *m = malloc(len);
                if (m == NULL) {
                    oom = 1;
                    break;
                }
                /* a service row's warning in some scenarios only: the row's values
                 * differ by scenario, so name the scenario's line in scenarios.csv too */
                const nc_scenario *sc = &in->scenarios[i];
                if (sc->line > 0 && strncmp(all.s[j], "services.csv:", 13) == 0)
                    snprintf(m, len, "scenarios.csv:%ld: scenario '%s': %s", sc->line, sc->name,
                             all.s[j]);
                else
                    snprintf(m, len, "scenario '%s': %s", sc->name, all.s[j]);
                add(&res, m);
                free(m);
            }
        }
    }
    oom |= all.oom | res.oom;
    for (size_t i = 0; i < in->nscenarios; i++)
        list_free(&per[i]);
    free(per);
    list_free(&all);
    if (oom) {
        list_free(&res);
        return NC_ENOMEM;
    }
    out->n = res.n;
    out->msg = res.s;
    return NC_OK;
}

void nc_warnings_free(nc_warnings *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < w->n; i++)
        free(w->msg[i]);
    free(w->msg);
    memset(w, 0, sizeof *w);
}
