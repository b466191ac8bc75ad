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

#include <locale.h>
#include <stdlib.h>
#include <string.h>

static nc_status load(loader *L, const char *dir, nc_input *in)
{
    nc_status st;
    in->dir = strdup(dir);
    if (in->dir == NULL)
        return cin_oom(L);
    if ((st = cin_read_tables(L, dir)) != NC_OK
        || (st = cin_index_names(L, E_GW, 1, &L->gw_ix)) != NC_OK
        || (st = cin_index_names(L, E_DS, 1, &L->ds_ix)) != NC_OK
        || (st = cin_load_profiles(L)) != NC_OK
        || (st = cin_check_services(L)) != NC_OK
        || (st = cin_check_scenario_rows(L)) != NC_OK)
        return st;
    in->ngateways = cin_nrows(L, E_GW);
    in->ndestinations = cin_nrows(L, E_DS);
    in->nservices = cin_nrows(L, E_SV);
    in->nprofiles = L->nprofiles - 1;
    /* The files as they are, without overrides: the baseline, or a check only. */
    nc_scenario base = {0};
    if ((st = cin_default_settings(L, &base, "baseline")) == NC_OK)
        st = cin_resolve(L, NULL, &base);
    if (st != NC_OK || cin_nrows(L, E_SC) > 0) {
        nc_scenario_free(&base);
        return st != NC_OK ? st : cin_build_scenarios(L, in);
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

nc_status csv_in_load(const char *dir, nc_input *out, nc_error *err)
{
    return csv_in_load_mem(dir, NULL, out, err);
}

nc_status csv_in_load_mem(const char *dir, const csv_in_file *files, nc_input *out,
                          nc_error *err)
{
    nc_error scratch;
    loader L;
    memset(out, 0, sizeof *out);
    memset(&L, 0, sizeof L);
    L.mem = files;
    memset(L.over, 0xFF, sizeof L.over);   /* -1 */
    for (int e = 0; e < E_N; e++)
        memset(L.tb[e].map, 0xFF, sizeof L.tb[e].map);
    L.err = err != NULL ? err : &scratch;
    /* strtod under "C" whatever LC_NUMERIC says, for this thread only */
    locale_t c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (c_locale == (locale_t)0)
        return cin_oom(&L);
    locale_t old = uselocale(c_locale);
    nc_input in = {0};
    nc_status st = load(&L, dir, &in);
    uselocale(old);
    freelocale(c_locale);
    loader_free(&L);
    if (st != NC_OK) {
        nc_input_free(&in);
        return st;
    }
    *out = in;
    return NC_OK;
}
