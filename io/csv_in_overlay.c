/* csv_in_overlay.c - scenarios.csv: each scenario's settings, selectors, overrides
 * and scales; see csv_in.h and csv_in_impl.h. */
#include "csv_in_impl.h"
#include "explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The settings (description .. sample_s) of the scenario of rows[0..n), given on at most
 * one of them. */
static nc_status scenario_settings(const loader *L, const key *rows, size_t n, nc_scenario *sc)
{
    size_t srow = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = SC_DESC; j <= SC_OBSERVED; j++) {
            csv_value v = cin_sc_col(L, rows[i].idx, j);
            if (v.s == NULL)
                continue;
            if (srow != SIZE_MAX)
                return csv_value_error(&v, L->err, "the settings of scenario '%s' are already "
                                       "given on line %ld: give them on one row", sc->name,
                                       L->tb[E_SC].t.row_line[srow]);
            srow = rows[i].idx;
            break;
        }
    }
    if (srow == SIZE_MAX)
        return NC_OK;
    csv_value v[SC_NCOLS];
    for (size_t j = 0; j < SC_NCOLS; j++)
        v[j] = cin_sc_col(L, srow, j);
    uint64_t repl = sc->replications;
    nc_status st;
    if ((st = csv_value_number(&v[SC_DURATION], &R_HOURS_GT0, 0, &sc->duration_h, L->err))
            != NC_OK
        || (st = csv_value_number(&v[SC_WARMUP], &R_HOURS_GE0, 0, &sc->warmup_h, L->err))
               != NC_OK
        || (st = csv_value_integer(&v[SC_REPL], &R_REPL, 0, &repl, L->err)) != NC_OK
        || (st = csv_value_integer(&v[SC_SEED], &R_SEED, 0, &sc->seed, L->err)) != NC_OK
        || (st = csv_value_number(&v[SC_SAMPLE], &R_SEC_GT0, 0, &sc->sample_s, L->err)) != NC_OK)
        return st;
    sc->replications = (uint32_t)repl;
    static const char *const yes_no[] = {"no", "yes"};
    if ((st = csv_value_keyword(&v[SC_OBSERVED], yes_no, 2, 0, &sc->observed, L->err)) != NC_OK)
        return st;
    if (sc->duration_h * 3600 / sc->sample_s > MAX_INTERVALS)
        return csv_value_error(v[SC_SAMPLE].s ? &v[SC_SAMPLE] : &v[SC_DURATION], L->err,
                               "duration_h %g / sample_s %g gives more than %.0f intervals",
                               sc->duration_h, sc->sample_s, MAX_INTERVALS);
    if (v[SC_DESC].s == NULL)
        return NC_OK;
    free(sc->description);
    sc->description = strdup(v[SC_DESC].s);
    return sc->description ? NC_OK : cin_oom(L);
}

/* A combination of selectors that matches no services.csv row: blame the last one. */
static nc_status no_match(const loader *L, const csv_value *sv, const csv_value *gw,
                          const csv_value *ds)
{
    const csv_value *sel[3] = {sv, gw, ds}, *last = NULL;
    char what[256] = "";
    size_t len = 0;
    for (int i = 0; i < 3; i++) {
        if (sel[i]->s == NULL)
            continue;
        if (len < sizeof what)
            len += (size_t)snprintf(what + len, sizeof what - len, "%s%s '%s'",
                                    last ? " and " : "", sel[i]->col, sel[i]->s);
        last = sel[i];
    }
    return csv_value_error(last, L->err, "no row of services.csv has %s", what);
}

/* Mark in m[E_GW/E_DS/E_SV] the rows that scenarios.csv row k applies to; counts in cnt. */
static nc_status match_row(const loader *L, size_t k, char *m[3], size_t cnt[3])
{
    csv_value sv = cin_sc_col(L, k, SC_SV), gw = cin_sc_col(L, k, SC_GW), ds = cin_sc_col(L, k, SC_DS);
    int nsel = (sv.s != NULL) + (gw.s != NULL) + (ds.s != NULL);
    size_t n[3] = {cin_nrows(L, E_GW), cin_nrows(L, E_DS), cin_nrows(L, E_SV)};
    cnt[E_GW] = cnt[E_DS] = cnt[E_SV] = 0;
    memset(m[E_GW], nsel == 0, n[E_GW]);
    memset(m[E_DS], nsel == 0, n[E_DS]);
    for (size_t r = 0; r < n[E_SV]; r++) {
        int hit = (sv.s == NULL || strcmp(cin_row_name(L, E_SV, r), sv.s) == 0)
                  && (gw.s == NULL || strcmp(cin_row_name(L, E_GW, L->sv_gw[r]), gw.s) == 0)
                  && (ds.s == NULL || strcmp(cin_row_name(L, E_DS, L->sv_ds[r]), ds.s) == 0);
        m[E_SV][r] = (char)hit;
        cnt[E_SV] += (size_t)hit;
        if (hit && gw.s == NULL)
            m[E_GW][L->sv_gw[r]] = 1;
        if (hit && ds.s == NULL)
            m[E_DS][L->sv_ds[r]] = 1;
    }
    if (nsel >= 2 && cnt[E_SV] == 0)
        return no_match(L, &sv, &gw, &ds);
    if (gw.s != NULL)
        m[E_GW][cin_key_find(L->gw_ix, n[E_GW], gw.s)->idx] = 1;
    if (ds.s != NULL)
        m[E_DS][cin_key_find(L->ds_ix, n[E_DS], ds.s)->idx] = 1;
    for (int e = E_GW; e <= E_DS; e++)
        for (size_t r = 0; r < n[e]; r++)
            cnt[e] += (size_t)m[e][r];
    return NC_OK;
}

/* validate's record (io/explain.h) of column `col` = v of row k, applied to the rows
 * m[0..n) of file e. */
static nc_status explain_row(const loader *L, size_t k, int e, const char *col,
                             const csv_value *v, const char *m, size_t cnt)
{
    if (L->ex == NULL)
        return NC_OK;
    csv_explain_override o;
    memset(&o, 0, sizeof o);
    snprintf(o.scenario, sizeof o.scenario, "%s", cin_sc_col(L, k, SC_NAME).s);
    o.line = L->tb[E_SC].t.row_line[k];
    o.file = e;
    snprintf(o.column, sizeof o.column, "%s", col);
    snprintf(o.value, sizeof o.value, "%s", v->s);
    static const int sel[] = {SC_SV, SC_GW, SC_DS};
    size_t len = 0;
    for (int i = 0; i < 3; i++) {
        csv_value s = cin_sc_col(L, k, (size_t)sel[i]);
        if (s.s != NULL && len < sizeof o.selectors)
            len += (size_t)snprintf(o.selectors + len, sizeof o.selectors - len, "%s%s=%s",
                                    len ? ", " : "", cin_sc_cols[sel[i]], s.s);
    }
    o.total = cin_nrows(L, e);
    o.nrows = cnt;
    size_t *rows = malloc((cnt ? cnt : 1) * sizeof *rows);
    if (rows == NULL)
        return cin_oom(L);
    for (size_t r = 0, i = 0; r < o.total && i < cnt; r++)
        if (m[r])
            rows[i++] = r;
    int bad = csv_explain_add(L->ex, &o, rows);
    free(rows);
    return bad ? cin_oom(L) : NC_OK;
}

/* Multiply scale column col (SC_RATE / SC_INST) of row k into the matched services. */
static nc_status apply_scale(const loader *L, size_t k, int col, const char *msv, size_t cnt,
                             int nosel, overlay *ov)
{
    csv_value v = cin_sc_col(L, k, (size_t)col);
    double x = 1;
    nc_status st = csv_value_number(&v, col == SC_RATE ? &R_RATE_SCALE : &R_INST_SCALE, 0, &x,
                                    L->err);
    if (st != NC_OK || v.s == NULL)
        return st;
    if (cnt == 0)
        return csv_value_error(&v, L->err, "the selectors of this row match no row of "
                               "services.csv");
    double *prod = col == SC_RATE ? ov->rate : ov->inst;
    for (size_t r = 0; r < cin_nrows(L, E_SV); r++) {
        if (!msv[r])
            continue;
        prod[r] *= x;
        if (col == SC_INST)
            ov->inst_row[r] = (uint32_t)k;
        if (prod[r] > MAX_SCALE)
            return csv_value_error(&v, L->err, "the %s of the rows that apply to services.csv "
                                   "line %ld multiply to more than %.0f", v.col,
                                   L->tb[E_SV].t.row_line[r], MAX_SCALE);
    }
    if (nosel)
        *(col == SC_RATE ? &ov->rate_all : &ov->inst_all) *= x;
    return explain_row(L, k, E_SV, cin_sc_cols[col], &v, msv, cnt);
}

/* Record the overrides and scales of scenarios.csv row k in ov. */
static nc_status apply_row(const loader *L, size_t k, overlay *ov, char *m[3])
{
    size_t cnt[3];
    nc_status st = match_row(L, k, m, cnt);
    if (st != NC_OK)
        return st;
    for (int e = E_GW; e <= E_SV; e++) {
        size_t ncols = cin_schemas[e].ncols;
        for (size_t j = 0; j < ncols; j++) {
            if (L->over[e][j] < 0)
                continue;
            csv_value v = cin_sc_value(L, k, L->over[e][j], NULL);
            if (v.s == NULL)
                continue;
            if (cnt[e] == 0)
                return csv_value_error(&v, L->err, "the selectors of this row match no row "
                                       "of %s", cin_schemas[e].file);
            for (size_t r = 0; r < cin_nrows(L, e); r++)
                if (m[e][r])
                    ov->cell[e][r * ncols + j] = (uint32_t)k;
            if ((st = explain_row(L, k, e, cin_schemas[e].cols[j], &v, m[e], cnt[e])) != NC_OK)
                return st;
        }
    }
    int nosel = cin_sc_col(L, k, SC_SV).s == NULL && cin_sc_col(L, k, SC_GW).s == NULL
                && cin_sc_col(L, k, SC_DS).s == NULL;
    if ((st = apply_scale(L, k, SC_RATE, m[E_SV], cnt[E_SV], nosel, ov)) != NC_OK)
        return st;
    return apply_scale(L, k, SC_INST, m[E_SV], cnt[E_SV], nosel, ov);
}

static void overlay_free(overlay *ov, char *m[3])
{
    for (int e = 0; e < 3; e++) {
        free(ov->cell[e]);
        free(m[e]);
    }
    free(ov->rate);
    free(ov->inst);
    free(ov->inst_row);
}

/* One scenario from its scenarios.csv rows (keys sorted by row index). */
static nc_status build_scenario(const loader *L, const key *rows, size_t n, nc_scenario *sc)
{
    nc_status st = cin_default_settings(L, sc, rows[0].name);
    sc->line = L->tb[E_SC].t.row_line[rows[0].idx];
    size_t before = L->errs->n;
    if (st != NC_OK || (st = cin_keep(L, scenario_settings(L, rows, n, sc))) != NC_OK)
        return st;
    overlay ov = {.rate_all = 1, .inst_all = 1};
    char *m[3];
    size_t nsv = cin_nrows(L, E_SV);
    for (int e = 0; e < 3; e++) {
        size_t cells = cin_nrows(L, e) * cin_schemas[e].ncols;
        ov.cell[e] = malloc(cells * sizeof *ov.cell[e]);
        m[e] = malloc(cin_nrows(L, e));
        if (ov.cell[e] != NULL)
            memset(ov.cell[e], 0xFF, cells * sizeof *ov.cell[e]);   /* NONE */
    }
    ov.rate = malloc(nsv * sizeof *ov.rate);
    ov.inst = malloc(nsv * sizeof *ov.inst);
    ov.inst_row = malloc(nsv * sizeof *ov.inst_row);
    int ok = ov.rate && ov.inst && ov.inst_row;
    for (int e = 0; e < 3; e++)
        ok = ok && ov.cell[e] && m[e];
    st = ok ? NC_OK : cin_oom(L);
    for (size_t r = 0; st == NC_OK && r < nsv; r++) {
        ov.rate[r] = ov.inst[r] = 1;
        ov.inst_row[r] = NONE;
    }
    for (size_t i = 0; st == NC_OK && i < n; i++)   /* one error per row */
        st = cin_keep(L, apply_row(L, rows[i].idx, &ov, m));
    if (st == NC_OK && L->errs->n > before)
        st = NC_EINPUT;   /* resolving would repeat them */
    if (st == NC_OK)
        st = cin_resolve(L, &ov, sc);
    sc->rate_scale = ov.rate_all;
    sc->instance_scale = ov.inst_all;
    overlay_free(&ov, m);
    return st;
}

nc_status cin_build_scenarios(const loader *L, nc_input *in)
{
    const csv_read_table *t = &L->tb[E_SC].t;
    double work = (double)t->nrows * (double)(cin_nrows(L, E_GW) + cin_nrows(L, E_DS) + cin_nrows(L, E_SV));
    if (work > MAX_SCENARIO_WORK)
        return nc_error_set(L->err, NC_EINPUT, t->path, 0, NULL, "too many rows: scenario rows "
                            "x input rows is more than %.0f", MAX_SCENARIO_WORK);
    size_t ng = 0;
    group *g = NULL;
    key *k = calloc(t->nrows, sizeof *k);
    nc_status st = k ? NC_OK : cin_oom(L);
    for (size_t r = 0; st == NC_OK && r < t->nrows; r++)
        k[r] = (key){cin_sc_col(L, r, SC_NAME).s, 0, 0, 0, r};
    if (st == NC_OK) {
        qsort(k, t->nrows, sizeof *k, cin_key_cmp);
        st = cin_group_keys(L, k, t->nrows, &g, &ng);
    }
    if (st == NC_OK) {
        in->scenarios = calloc(ng, sizeof *in->scenarios);
        st = in->scenarios ? NC_OK : cin_oom(L);
    }
    for (size_t i = 0; st == NC_OK && i < ng; i++) {
        in->nscenarios = i + 1;
        /* an error in one scenario does not stop the next */
        st = cin_keep(L, build_scenario(L, k + g[i].start, g[i].len, &in->scenarios[i]));
    }
    free(k);
    free(g);
    return st;
}
