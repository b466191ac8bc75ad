/* csv_in_schema.c - column schemas, cell access and stage 1 (files and headers) of
 * the loader; see csv_in.h and csv_in_impl.h. */
#include "csv_in_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const gw_cols[GW_NCOLS] = {
    "gateway", "preset", "nat_ips", "port_min", "port_max", "mapping", "per_destination_limit",
    "ports_per_instance", "time_wait_s", "idle_timeout_s", "rst_hold_s", "idle_reset",
    "port_selection"};
static const char *const ds_cols[DS_NCOLS] = {
    "destination", "addresses", "port", "latency_dist", "latency_p50_ms", "latency_p99_ms",
    "handshake_ms"};
static const char *const sv_cols[SV_NCOLS] = {
    "service", "gateway", "destination", "instances", "rps", "profile", "pool_max", "pool_idle",
    "keepalive_s", "pool_wait_timeout_s", "connect_timeout_s", "syn_retries", "retries",
    "retry_backoff_s", "rst_close_fraction"};
static const char *const pr_cols[PR_NCOLS] = {"profile", "time", "multiplier"};
const char *const cin_sc_cols[SC_NCOLS] = {
    "scenario", "description", "duration_h", "warmup_h", "replications", "seed", "sample_s",
    "observed", "rate_scale", "instance_scale", "gateway", "destination", "service"};


const schema cin_schemas[E_N] = {
    {"gateways.csv", gw_cols, GW_NCOLS, 1u << GW_NAME, 1, GW_PRESET},
    {"destinations.csv", ds_cols, DS_NCOLS, 1u << DS_NAME | 1u << DS_P50, 1, DS_ADDRESSES},
    {"services.csv", sv_cols, SV_NCOLS,
     1u << SV_NAME | 1u << SV_DEST | 1u << SV_INSTANCES | 1u << SV_RPS, 1, SV_INSTANCES},
    {"profiles.csv", pr_cols, PR_NCOLS, 7u, 0, 0},
    {"scenarios.csv", cin_sc_cols, SC_NCOLS, 1u << SC_NAME, 0, 0},
};

int cin_key_cmp(const void *pa, const void *pb)
{
    const key *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    if (c != 0)
        return c;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    if (a->b != b->b)
        return a->b < b->b ? -1 : 1;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* First entry named `name` in a sorted index, NULL if none. */
const key *cin_key_find(const key *ix, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strcmp(ix[lo].name, name) == 0 ? &ix[lo] : NULL;
}

size_t cin_nrows(const loader *L, int e)
{
    return L->tb[e].t.nrows;
}

nc_status cin_oom(const loader *L)
{
    return nc_error_set(L->err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
}

/* Cell (row, schema column) of file e as found in the file. */
csv_value cin_base_value(const loader *L, int e, size_t row, size_t col)
{
    const table *tb = &L->tb[e];
    csv_value v = {NULL, tb->t.path, cin_schemas[e].cols[col], tb->t.row_line[row], 0};
    if (tb->map[col] >= 0)
        v.s = csv_read_cell(&tb->t, row, (size_t)tb->map[col]);
    return v;
}

/* Cell (row, table column) of scenarios.csv; tcol < 0: absent column `name`. */
csv_value cin_sc_value(const loader *L, size_t row, int tcol, const char *name)
{
    const csv_read_table *t = &L->tb[E_SC].t;
    csv_value v = {NULL, t->path, name, t->row_line[row], 1};
    if (tcol >= 0) {
        v.s = csv_read_cell(t, row, (size_t)tcol);
        v.col = csv_read_header(t, (size_t)tcol);
    }
    return v;
}

csv_value cin_sc_col(const loader *L, size_t row, size_t col)
{
    return cin_sc_value(L, row, L->tb[E_SC].map[col], cin_sc_cols[col]);
}

/* Name of row `row` of file e (validated in stage 2). */
const char *cin_row_name(const loader *L, int e, size_t row)
{
    return csv_read_cell(&L->tb[e].t, row, (size_t)L->tb[e].map[0]);
}

/* The cells of row `row` of file e (E_GW, E_DS, E_SV) with the overlay applied. */
void cin_view(const loader *L, const overlay *ov, int e, size_t row, csv_value *v)
{
    size_t n = cin_schemas[e].ncols;
    for (size_t j = 0; j < n; j++) {
        uint32_t k = ov != NULL ? ov->cell[e][row * n + j] : NONE;
        v[j] = k == NONE ? cin_base_value(L, e, row, j) : cin_sc_value(L, k, L->over[e][j], NULL);
    }
}

/* When a must relate to b (port_max >= port_min): blame the cell from scenarios.csv,
 * else a given one, preferring a. */
const csv_value *cin_blame(const csv_value *a, const csv_value *b)
{
    if (a->s != NULL && (a->override || !b->override))
        return a;
    return b->s != NULL ? b : a;
}

/* ---- stage 1: files and headers ---- */

static int find_col(const char *name, const char *const *cols, size_t from, size_t n)
{
    for (size_t j = from; j < n; j++)
        if (strcmp(name, cols[j]) == 0)
            return (int)j;
    return -1;
}

/* The schema column of file e that `name` is a plausible typo of, -1 if none. */
static nc_status unknown_column(const loader *L, int e, const char *name, int *near_col)
{
    const char *cands[64];
    size_t n = 0;
    char shown[80], hint[96] = "";
    for (size_t j = 0; j < cin_schemas[e].ncols; j++)
        cands[n++] = cin_schemas[e].cols[j];
    for (int oe = E_GW; e == E_SC && oe <= E_SV; oe++)
        for (size_t j = cin_schemas[oe].first_override; j < cin_schemas[oe].ncols; j++)
            cands[n++] = cin_schemas[oe].cols[j];
    const char *near = csv_value_nearest(name, cands, n);
    *near_col = -1;
    if (near != NULL) {
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
        *near_col = find_col(near, cin_schemas[e].cols, 0, cin_schemas[e].ncols);
    }
    return nc_error_set(L->err, NC_EINPUT, L->tb[e].t.path, L->tb[e].t.header_line, NULL,
                        "unknown column '%s'%s", csv_value_show(name, shown, sizeof shown), hint);
}

/* Map the header of file e onto its schema (and, for scenarios.csv, the overrides).
 * Every name is checked; each bad one is kept (cin_keep).  A required column that an
 * unknown name was taken for ("did you mean") is not reported missing as well. */
static nc_status check_header(loader *L, int e)
{
    table *tb = &L->tb[e];
    const schema *sch = &cin_schemas[e];
    const char *path = tb->t.path;
    long line = tb->t.header_line;
    unsigned suggested = 0;
    nc_status st = NC_OK;
    for (size_t c = 0; st == NC_OK && c < tb->t.ncols; c++) {
        const char *name = csv_read_header(&tb->t, c);
        if (name[0] == '\0') {
            st = cin_keep(L, nc_error_set(L->err, NC_EINPUT, path, line, NULL,
                                          "column %zu of the header has no name", c + 1));
            continue;
        }
        int j = find_col(name, sch->cols, 0, sch->ncols);
        int *slot = j >= 0 ? &tb->map[j] : NULL;
        for (int oe = E_GW; slot == NULL && e == E_SC && oe <= E_SV; oe++) {
            j = find_col(name, cin_schemas[oe].cols, cin_schemas[oe].first_override,
                         cin_schemas[oe].ncols);
            slot = j >= 0 ? &L->over[oe][j] : NULL;
        }
        if (slot == NULL) {
            int near = -1;
            st = cin_keep(L, unknown_column(L, e, name, &near));
            if (near >= 0)
                suggested |= 1u << near;
            continue;
        }
        if (*slot >= 0) {
            st = cin_keep(L, nc_error_set(L->err, NC_EINPUT, path, line, name,
                                          "duplicate column (also column %d of the header)",
                                          *slot + 1));
            continue;
        }
        *slot = (int)c;
    }
    for (size_t j = 0; st == NC_OK && j < sch->ncols; j++)
        if ((sch->required_cols >> j & 1u) && tb->map[j] < 0 && !(suggested >> j & 1u))
            st = cin_keep(L, nc_error_set(L->err, NC_EINPUT, path, line, sch->cols[j],
                                          "required column is missing"));
    return st;
}

nc_status cin_read_tables(loader *L, const char *dir)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    for (int e = 0; e < E_N; e++) {
        char path[1024];
        int n = len == 0 ? snprintf(path, sizeof path, "%s", cin_schemas[e].file)
                         : snprintf(path, sizeof path, "%.*s%s%s", (int)len, dir,
                                    dir[len - 1] == '/' ? "" : "/", cin_schemas[e].file);
        if (n < 0 || (size_t)n >= sizeof path)
            return nc_error_set(L->err, NC_EIO, NULL, 0, NULL, "input path too long: %s", dir);
        nc_status st = L->mem == NULL
                           ? csv_read_file(path, cin_schemas[e].required_file, &L->tb[e].t, L->err)
                           : csv_read_buffer(path, L->mem[e].data, L->mem[e].len,
                                             cin_schemas[e].required_file, &L->tb[e].t, L->err);
        if (st != NC_OK)
            return st;   /* not CSV, a broken quote, a missing file: the rest is noise */
        if (L->tb[e].t.header_line > 0 && (st = check_header(L, e)) != NC_OK)
            return st;
        if (cin_schemas[e].required_file && L->tb[e].t.nrows == 0
            && (st = cin_keep(L, nc_error_set(L->err, NC_EINPUT, path, 0, NULL,
                                              "the file has no data rows"))) != NC_OK)
            return st;
    }
    return NC_OK;
}
