/* csv_in_refs.c - stage 2 of the loader: names, duplicates and references;
 * see csv_in.h and csv_in_impl.h. */
#include "csv_in_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- stage 2: names and references ---- */

/* The smallest row index that repeats the key of the entry before it (same name, a, b,
 * t), or SIZE_MAX.  keys are sorted. */
size_t cin_first_duplicate(const key *k, size_t n, size_t *orig)
{
    size_t dup = SIZE_MAX;
    for (size_t i = 1, start = 0; i < n; i++) {
        if (strcmp(k[i].name, k[i - 1].name) != 0 || k[i].a != k[i - 1].a
            || k[i].b != k[i - 1].b || k[i].t != k[i - 1].t) {
            start = i;
            continue;
        }
        if (k[i].idx < dup) {
            dup = k[i].idx;
            *orig = k[start].idx;
        }
    }
    return dup;
}

/* Check the name column of every row of file e; a sorted index into *out. */
nc_status cin_index_names(loader *L, int e, int unique, key **out)
{
    size_t n = cin_nrows(L, e);
    key *k = calloc(n ? n : 1, sizeof *k);
    *out = k;
    if (k == NULL)
        return cin_oom(L);
    size_t before = L->errs->n;
    nc_status st = NC_OK;
    for (size_t i = 0; st == NC_OK && i < n; i++) {
        char name[NC_NAME_MAX + 1];
        csv_value v = cin_base_value(L, e, i, 0);
        k[i] = (key){v.s != NULL ? v.s : "", 0, 0, 0, i};
        st = cin_keep(L, csv_value_name(&v, 1, name, L->err));
    }
    qsort(k, n, sizeof *k, cin_key_cmp);
    if (st != NC_OK || !unique || L->errs->n > before)
        return st;
    /* every repeated name, each against its first definition */
    for (size_t i = 1, start = 0; st == NC_OK && i < n; i++) {
        if (strcmp(k[i].name, k[start].name) != 0) {
            start = i;
            continue;
        }
        csv_value v = cin_base_value(L, e, k[i].idx, 0);
        st = cin_keep(L, csv_value_error(&v, L->err, "duplicate %s '%s' (first defined on "
                                         "line %ld)", cin_schemas[e].cols[0], v.s,
                                         L->tb[e].t.row_line[k[start].idx]));
    }
    return st;
}

/* A reference cell of file e naming a row of file target (through sorted index ix). */
nc_status cin_resolve_ref(const loader *L, const csv_value *v, int target, const key *ix,
                             size_t nix, size_t *out)
{
    char name[NC_NAME_MAX + 1];
    nc_status st = csv_value_name(v, 1, name, L->err);
    if (st != NC_OK)
        return st;
    const key *k = cin_key_find(ix, nix, name);
    if (k == NULL) {
        /* a typo of a defined name gets it suggested */
        const char **names = malloc((nix ? nix : 1) * sizeof *names);
        const char *near = NULL;
        if (names != NULL) {
            for (size_t i = 0; i < nix; i++)
                names[i] = ix[i].name;
            near = csv_value_nearest(name, names, nix);
        }
        st = csv_value_error(v, L->err, "%s '%s' is not defined in %s%s%s%s",
                             cin_schemas[target].cols[0], name, cin_schemas[target].file,
                             near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        free(names);
        return st;
    }
    *out = k->idx;
    return NC_OK;
}

nc_status cin_check_services(loader *L)
{
    size_t n = cin_nrows(L, E_SV), ngw = cin_nrows(L, E_GW);
    if (ngw > 1 && L->tb[E_SV].map[SV_GATEWAY] < 0)
        return nc_error_set(L->err, NC_EINPUT, L->tb[E_SV].t.path, L->tb[E_SV].t.header_line,
                            "gateway", "required column is missing (gateways.csv has %zu "
                            "gateways)", ngw);
    nc_status st = cin_index_names(L, E_SV, 0, &L->sv_ix);
    L->sv_keys = calloc(n, sizeof *L->sv_keys);
    L->sv_gw = calloc(n, sizeof *L->sv_gw);
    L->sv_ds = calloc(n, sizeof *L->sv_ds);
    if (st != NC_OK)
        return st;
    if (L->sv_keys == NULL || L->sv_gw == NULL || L->sv_ds == NULL)
        return cin_oom(L);
    size_t before = L->errs->n;
    for (size_t r = 0; st == NC_OK && r < n; r++) {   /* one error per row */
        csv_value gw = cin_base_value(L, E_SV, r, SV_GATEWAY);
        csv_value ds = cin_base_value(L, E_SV, r, SV_DEST);
        L->sv_keys[r] = (key){cin_row_name(L, E_SV, r), 0, 0, 0, r};
        if (gw.s == NULL && ngw > 1)
            st = csv_value_error(&gw, L->err, "missing value: required when gateways.csv has "
                                 "more than one gateway");
        else if (gw.s != NULL)
            st = cin_resolve_ref(L, &gw, E_GW, L->gw_ix, ngw, &L->sv_gw[r]);
        if (st == NC_OK)
            st = cin_resolve_ref(L, &ds, E_DS, L->ds_ix, cin_nrows(L, E_DS), &L->sv_ds[r]);
        st = cin_keep(L, st);
        L->sv_keys[r] = (key){cin_row_name(L, E_SV, r), L->sv_gw[r], L->sv_ds[r], 0, r};
    }
    if (st != NC_OK || L->errs->n > before)
        return st;
    qsort(L->sv_keys, n, sizeof *L->sv_keys, cin_key_cmp);
    size_t orig = 0, dup = cin_first_duplicate(L->sv_keys, n, &orig);
    if (dup == SIZE_MAX)
        return NC_OK;
    csv_value v = cin_base_value(L, E_SV, dup, SV_NAME);
    return csv_value_error(&v, L->err, "duplicate row: service '%s' already calls destination "
                           "'%s' through gateway '%s' on line %ld", v.s,
                           cin_row_name(L, E_DS, L->sv_ds[dup]), cin_row_name(L, E_GW, L->sv_gw[dup]),
                           L->tb[E_SV].t.row_line[orig]);
}

static int group_cmp(const void *pa, const void *pb)
{
    const group *a = pa, *b = pb;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* Runs of equal names in sorted keys, in order of first appearance.  *out owned. */
nc_status cin_group_keys(const loader *L, const key *k, size_t n, group **out, size_t *ng)
{
    *ng = 0;
    *out = calloc(n ? n : 1, sizeof **out);
    if (*out == NULL)
        return cin_oom(L);
    for (size_t i = 0; i < n; i++) {
        group *g = *ng > 0 ? &(*out)[*ng - 1] : NULL;
        if (g != NULL && strcmp(k[i].name, k[g->start].name) == 0) {
            g->len++;
            g->first = k[i].idx < g->first ? k[i].idx : g->first;
            continue;
        }
        (*out)[(*ng)++] = (group){i, 1, k[i].idx};
    }
    qsort(*out, *ng, sizeof **out, group_cmp);
    return NC_OK;
}

static nc_status add_profile(loader *L, const char *name, const key *k, const double *mult,
                             size_t n)
{
    nc_profile *p = &L->profiles[L->nprofiles++];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->npoints = n;
    p->time_s = calloc(n, sizeof *p->time_s);
    p->multiplier = calloc(n, sizeof *p->multiplier);
    if (p->time_s == NULL || p->multiplier == NULL)
        return cin_oom(L);
    for (size_t i = 0; i < n; i++) {
        p->time_s[i] = k ? k[i].t : 0;
        p->multiplier[i] = k ? mult[k[i].idx] : 1;
    }
    return NC_OK;
}

/* profiles.csv into L->profiles (after the built-in flat) and the index L->pr_ix. */
nc_status cin_load_profiles(loader *L)
{
    size_t n = cin_nrows(L, E_PR), ng = 0;
    key *k = calloc(n ? n : 1, sizeof *k);
    double *mult = calloc(n ? n : 1, sizeof *mult);
    group *g = NULL;
    nc_status st = k && mult ? NC_OK : cin_oom(L);
    size_t before = L->errs->n;
    for (size_t i = 0; st == NC_OK && i < n; i++) {   /* one error per row */
        char name[NC_NAME_MAX + 1];
        csv_value vn = cin_base_value(L, E_PR, i, PR_NAME);
        csv_value vt = cin_base_value(L, E_PR, i, PR_TIME);
        csv_value vm = cin_base_value(L, E_PR, i, PR_MULT);
        k[i] = (key){vn.s != NULL ? vn.s : "", 0, 0, 0, i};
        st = csv_value_name(&vn, 1, name, L->err);
        if (st == NC_OK && strcmp(name, "flat") == 0)
            st = csv_value_error(&vn, L->err, "profile 'flat' is built in and cannot be defined");
        if (st == NC_OK)
            st = csv_value_time(&vt, &k[i].t, L->err);
        if (st == NC_OK)
            st = csv_value_number(&vm, &R_MULT, 1, &mult[i], L->err);
        st = cin_keep(L, st);
    }
    if (st == NC_OK && L->errs->n > before) {
        free(k);
        free(mult);
        return NC_OK;   /* the stage ends with the errors kept */
    }
    if (st == NC_OK) {
        qsort(k, n, sizeof *k, cin_key_cmp);
        size_t orig = 0, dup = cin_first_duplicate(k, n, &orig);
        csv_value vt = dup != SIZE_MAX ? cin_base_value(L, E_PR, dup, PR_TIME) : (csv_value){0};
        if (dup != SIZE_MAX)
            st = csv_value_error(&vt, L->err, "time %s given twice for profile '%s' (also on "
                                 "line %ld)", vt.s, cin_row_name(L, E_PR, dup),
                                 L->tb[E_PR].t.row_line[orig]);
    }
    if (st == NC_OK)
        st = cin_group_keys(L, k, n, &g, &ng);
    if (st == NC_OK) {
        L->profiles = calloc(ng + 1, sizeof *L->profiles);
        L->pr_ix = calloc(ng + 1, sizeof *L->pr_ix);
        st = L->profiles && L->pr_ix ? add_profile(L, "flat", NULL, NULL, 1) : cin_oom(L);
    }
    for (size_t i = 0; st == NC_OK && i < ng; i++)
        st = add_profile(L, k[g[i].start].name, k + g[i].start, mult, g[i].len);
    for (size_t i = 0; st == NC_OK && i < L->nprofiles; i++)
        L->pr_ix[i] = (key){L->profiles[i].name, 0, 0, 0, i};
    if (st == NC_OK)
        qsort(L->pr_ix, L->nprofiles, sizeof *L->pr_ix, cin_key_cmp);
    free(k);
    free(mult);
    free(g);
    return st;
}

/* Names and selectors of every scenarios.csv row. */
nc_status cin_check_scenario_rows(const loader *L)
{
    static const struct { int col, target; } sel[] = {
        {SC_SV, E_SV}, {SC_GW, E_GW}, {SC_DS, E_DS}};
    const key *ix[3] = {L->sv_ix, L->gw_ix, L->ds_ix};
    for (size_t r = 0; r < cin_nrows(L, E_SC); r++) {
        char name[NC_NAME_MAX + 1];
        csv_value v = cin_sc_col(L, r, SC_NAME);
        nc_status st = csv_value_name(&v, 1, name, L->err);
        for (size_t i = 0; st == NC_OK && i < 3; i++) {
            size_t idx;
            v = cin_sc_col(L, r, (size_t)sel[i].col);
            if (v.s != NULL)
                st = cin_resolve_ref(L, &v, sel[i].target, ix[i], cin_nrows(L, sel[i].target), &idx);
        }
        if ((st = cin_keep(L, st)) != NC_OK)
            return st;
    }
    return NC_OK;
}
