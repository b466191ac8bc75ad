/*
 * csv_in.c - see csv_in.h.
 *
 * Three stages:
 *  1. read the five files into tables of raw cells (csv_read.c) and map
 *     their headers onto the column schemas below;
 *  2. check names and references once: duplicate names, each services row's
 *     gateway and destination, profiles, the scenario rows' names/selectors;
 *  3. resolve values, first without overrides (so an error in an input file
 *     is reported even when every scenario overrides that cell), then once
 *     per scenario through an overlay that records, for each (row, column)
 *     of gateways, destinations and services, the scenarios.csv row whose
 *     value replaces it.  resolve_*() see only csv_value cells that carry
 *     their own file and line, so overrides are checked and blamed exactly
 *     like the cells they replace.
 * The stages live in csv_in_schema.c, csv_in_refs.c, csv_in_values.c and
 * csv_in_overlay.c (csv_in_impl.h).
 * Names are looked up in sorted indexes (O(n log n) for big files); a
 * scenario costs O(its rows x input rows), capped by MAX_SCENARIO_WORK.
 */
#include "csv_in_impl.h"
#include "explain.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

nc_status cin_keep(const loader *L, nc_status st)
{
    if (st != NC_EINPUT)
        return st;
    csv_in_errors *es = L->errs;
    const nc_error *e = L->err;
    for (size_t i = 0; i < es->n; i++)   /* one override applied to many rows: once */
        if (es->e[i].line == e->line && strcmp(es->e[i].file, e->file) == 0
            && strcmp(es->e[i].column, e->column) == 0 && strcmp(es->e[i].msg, e->msg) == 0)
            return NC_OK;
    if (es->n == CSV_IN_MAX_ERRORS) {
        es->truncated = 1;
        return NC_EINPUT;
    }
    es->e[es->n++] = *e;
    return NC_OK;
}

/* The stage ends; NC_EINPUT when it (or one before) kept an error. */
static nc_status stage_end(const loader *L, nc_status st)
{
    if (st != NC_OK)
        return st;
    return L->errs->n > 0 ? NC_EINPUT : NC_OK;
}

static nc_status load(loader *L, const char *dir, nc_input *in)
{
    nc_status st;
    in->dir = strdup(dir);
    if (in->dir == NULL)
        return cin_oom(L);
    if ((st = stage_end(L, cin_read_tables(L, dir))) != NC_OK)
        return st;
    /* names of gateways, destinations and profiles: independent of each other */
    st = cin_index_names(L, E_GW, 1, &L->gw_ix);
    if (st == NC_OK)
        st = cin_index_names(L, E_DS, 1, &L->ds_ix);
    if (st == NC_OK)
        st = cin_load_profiles(L);
    if ((st = stage_end(L, st)) != NC_OK)
        return st;
    /* references: services rows and scenario rows */
    st = cin_check_services(L);
    if (st == NC_OK)
        st = cin_check_scenario_rows(L);
    if ((st = stage_end(L, st)) != NC_OK)
        return st;
    in->ngateways = cin_nrows(L, E_GW);
    in->ndestinations = cin_nrows(L, E_DS);
    in->nservices = cin_nrows(L, E_SV);
    in->nprofiles = L->nprofiles - 1;
    if (L->ex != NULL) {
        L->ex->gw_cols = cin_schemas[E_GW].cols;
        L->ex->gw = calloc(in->ngateways ? in->ngateways : 1, sizeof *L->ex->gw);
        if (L->ex->gw == NULL)
            return cin_oom(L);
    }
    /* The files as they are, without overrides: the baseline, or a check only. */
    nc_scenario base = {0};
    if ((st = cin_default_settings(L, &base, "baseline")) == NC_OK)
        st = stage_end(L, cin_resolve(L, NULL, &base));
    if (st == NC_OK && L->ex != NULL) {
        if (nc_scenario_copy(&L->ex->base, &base) != 0) {
            nc_scenario_free(&base);
            return cin_oom(L);
        }
        L->ex->have_base = 1;
    }
    if (st != NC_OK || cin_nrows(L, E_SC) > 0) {
        nc_scenario_free(&base);
        return st != NC_OK ? st : stage_end(L, cin_build_scenarios(L, in));
    }
    in->scenarios = malloc(sizeof *in->scenarios);
    if (in->scenarios == NULL) {
        nc_scenario_free(&base);
        return cin_oom(L);
    }
    in->scenarios[0] = base;
    in->nscenarios = 1;
    return NC_OK;
}

static void loader_free(loader *L)
{
    for (int e = 0; e < E_N; e++)
        csv_read_free(&L->tb[e].t);
    free(L->gw_ix);
    free(L->ds_ix);
    free(L->sv_ix);
    free(L->pr_ix);
    free(L->sv_keys);
    free(L->sv_gw);
    free(L->sv_ds);
    for (size_t i = 0; i < L->nprofiles; i++) {
        free(L->profiles[i].time_s);
        free(L->profiles[i].multiplier);
    }
    free(L->profiles);
}

/* Rank of an error's file in the order of the input files (unknown last). */
static int file_rank(const char *const paths[E_N], const nc_error *e)
{
    for (int i = 0; i < E_N; i++)
        if (paths[i] != NULL && strcmp(paths[i], e->file) == 0)
            return i;
    return E_N;
}

/* Stable insertion sort by (file, line): the list is short. */
static void sort_errors(const loader *L, csv_in_errors *es)
{
    const char *paths[E_N];
    for (int i = 0; i < E_N; i++)
        paths[i] = L->tb[i].t.path;
    for (size_t i = 1; i < es->n; i++) {
        nc_error x = es->e[i];
        int rx = file_rank(paths, &x);
        size_t j = i;
        while (j > 0) {
            const nc_error *y = &es->e[j - 1];
            int ry = file_rank(paths, y);
            if (ry < rx || (ry == rx && y->line <= x.line))
                break;
            es->e[j] = *y;
            j--;
        }
        es->e[j] = x;
    }
}

nc_status csv_in_load(const char *dir, nc_input *out, nc_error *err)
{
    return csv_in_load_mem(dir, NULL, out, err);
}

nc_status csv_in_load_mem(const char *dir, const csv_in_file *files, nc_input *out,
                          nc_error *err)
{
    csv_in_errors *es = malloc(sizeof *es);
    if (es == NULL) {
        memset(out, 0, sizeof *out);
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    nc_status st = csv_in_load_all(dir, files, out, es, NULL);
    if (st != NC_OK && err != NULL)
        *err = es->e[0];
    free(es);
    return st;
}

nc_status csv_in_load_all(const char *dir, const csv_in_file *files, nc_input *out,
                          csv_in_errors *errs, struct csv_explain *ex)
{
    nc_error cur;
    loader L;
    memset(out, 0, sizeof *out);
    memset(errs, 0, sizeof *errs);
    memset(&cur, 0, sizeof cur);
    memset(&L, 0, sizeof L);
    if (ex != NULL)
        memset(ex, 0, sizeof *ex);
    L.ex = ex;
    L.mem = files;
    memset(L.over, 0xFF, sizeof L.over);   /* -1 */
    for (int e = 0; e < E_N; e++)
        memset(L.tb[e].map, 0xFF, sizeof L.tb[e].map);
    L.err = &cur;
    L.errs = errs;
    /* strtod under "C" whatever LC_NUMERIC says, for this thread only */
    locale_t c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    nc_input in = {0};
    nc_status st;
    if (c_locale == (locale_t)0) {
        st = cin_oom(&L);
    } else {
        locale_t old = uselocale(c_locale);
        st = load(&L, dir, &in);
        uselocale(old);
        freelocale(c_locale);
    }
    if (st != NC_OK && (st != NC_EINPUT || errs->n == 0)) {
        /* a stop that was not kept (memory, I/O, an unreadable file): last */
        errs->n = errs->n < CSV_IN_MAX_ERRORS ? errs->n : CSV_IN_MAX_ERRORS - 1;
        errs->e[errs->n++] = cur;
    } else if (st == NC_EINPUT && !errs->truncated) {
        cin_keep(&L, st);   /* the error that stopped, unless kept already */
    }
    if (st == NC_EINPUT)
        sort_errors(&L, errs);
    loader_free(&L);
    if (st != NC_OK) {
        nc_input_free(&in);
        return st;
    }
    *out = in;
    return NC_OK;
}
