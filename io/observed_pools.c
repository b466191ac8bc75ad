/*
 * observed_pools.c - the pool column of observed.csv against a scenario's
 * pool layout (see observed_in.h, observed_in_watch).
 *
 * A name must be spelled as summary.csv's binding_pool spells it
 * (nc_topology_pool_name).  The suggestion for a name that is not one is
 * the nearest, by edit distance, of one candidate per service row: the
 * row's pool with the instance and address numbers of the name given,
 * clamped to the row's block (so "api#9" of a service with 4 instances
 * suggests "api#4", and "apl#2" suggests "api#2"; on a global gateway the
 * one pool, named as the gateway).
 */
#include "observed_in.h"

#include "../model/topology.h"
#include "csv_value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The numbers after the first and second '#' of s (1 when absent). */
static void numbers(const char *s, uint64_t *a, uint64_t *b)
{
    *a = *b = 1;
    const char *h = strchr(s, '#');
    if (h != NULL) {
        *a = strtoull(h + 1, NULL, 10);
        h = strchr(h + 1, '#');
        if (h != NULL)
            *b = strtoull(h + 1, NULL, 10);
    }
}

/* The nearest pool name to `name` on the gateway of t, into buf; 0 when none is close. */
static int nearest(const nc_topology *t, const nc_scenario *sc, const char *name, char *buf,
                   size_t len)
{
    uint64_t a, b;
    numbers(name, &a, &b);
    uint64_t inst = t->per_instance ? a : 1, addr = t->per_instance ? b : a;
    char (*cand)[NC_POOL_NAME_MAX + 1] = calloc(t->nrows + 1, sizeof *cand);
    const char **ptr = calloc(t->nrows + 1, sizeof *ptr);
    size_t n = 0;
    if (cand == NULL || ptr == NULL) {
        free(cand);
        free(ptr);
        return 0;
    }
    for (size_t i = 0; i < t->nrows; i++) {
        uint64_t p = nc_topology_row_pool(t, i, inst, addr);
        if (p == UINT64_MAX)
            continue;
        nc_topology_pool_name(t, sc, p, cand[n], sizeof cand[n]);
        ptr[n] = cand[n];
        n++;
    }
    const char *near = csv_value_nearest(name, ptr, n);
    if (near != NULL)
        snprintf(buf, len, "%s", near);
    free(cand);
    free(ptr);
    return near != NULL;
}

nc_status observed_in_watch(const nc_observed *o, nc_scenario *sc, nc_error *err)
{
    free(sc->watch);
    sc->watch = NULL;
    sc->nwatch = 0;
    for (size_t i = 0; i < o->n; i++) {
        const obs_series *s = &o->s[i];
        if (s->pool[0] == '\0' || s->gw >= sc->ngateways)
            continue;
        size_t w;
        for (w = 0; w < sc->nwatch; w++)
            if (sc->watch[w].gw == s->gw && strcmp(sc->watch[w].name, s->pool) == 0)
                break;
        if (w < sc->nwatch)
            continue;   /* another metric of a pool already watched */
        nc_topology t;
        if (nc_topology_build(sc, s->gw, &t) != NC_OK)
            return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        uint64_t p = nc_topology_pool_find(&t, sc, s->pool);
        if (p == UINT64_MAX) {
            char near[NC_POOL_NAME_MAX + 1], hint[NC_POOL_NAME_MAX + 40] = "", got[80];
            if (nearest(&t, sc, s->pool, near, sizeof near))
                snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
            nc_topology_free(&t);
            return nc_error_set(err, NC_EINPUT, o->path, s->n > 0 ? s->line[0] : 0, "pool",
                                "gateway '%s' has no pool named \"%s\" in scenario '%s' (pools "
                                "are named as in summary.csv's binding_pool)%s", s->gateway,
                                csv_value_show(s->pool, got, sizeof got), sc->name, hint);
        }
        nc_topology_free(&t);
        nc_pool_ref *nw = realloc(sc->watch, (sc->nwatch + 1) * sizeof *nw);
        if (nw == NULL)
            return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        sc->watch = nw;
        nc_pool_ref *r = &nw[sc->nwatch++];
        memset(r, 0, sizeof *r);
        r->gw = s->gw;
        r->pool = p;
        snprintf(r->name, sizeof r->name, "%s", s->pool);
    }
    return NC_OK;
}
