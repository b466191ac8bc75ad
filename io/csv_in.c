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
 * Names are looked up in sorted indexes (O(n log n) for big files); a
 * scenario costs O(its rows x input rows), capped by MAX_SCENARIO_WORK.
 */
#include "csv_in.h"

#include "../model/latency.h"

#include "csv_read.h"
#include "csv_value.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
#define MAX_COLS 14                    /* columns of the widest schema (services.csv) */
#define MAX_SCENARIO_WORK 4000000.0    /* scenario rows x input rows */
#define MAX_INTERVALS 1e7              /* duration_h * 3600 / sample_s */
#define MAX_SCALE 1e6                  /* rate_scale, instance_scale and their products */
#define MAX_INSTANCES 1000000000ull

enum { E_GW, E_DS, E_SV, E_PR, E_SC, E_N };

enum { GW_NAME, GW_PRESET, GW_NAT_IPS, GW_PORT_MIN, GW_PORT_MAX, GW_MAPPING, GW_PDL, GW_PPI,
       GW_TIME_WAIT, GW_IDLE, GW_NCOLS };
enum { DS_NAME, DS_ADDRESSES, DS_PORT, DS_DIST, DS_P50, DS_P99, DS_HANDSHAKE, DS_NCOLS };
enum { SV_NAME, SV_GATEWAY, SV_DEST, SV_INSTANCES, SV_RPS, SV_PROFILE, SV_POOL_MAX, SV_POOL_IDLE,
       SV_KEEPALIVE, SV_POOL_WAIT, SV_CONNECT, SV_SYN, SV_RETRIES, SV_BACKOFF, SV_NCOLS };
enum { PR_NAME, PR_TIME, PR_MULT, PR_NCOLS };
/* SC_DESC .. SC_SAMPLE are the scenario settings, given on at most one row. */
enum { SC_NAME, SC_DESC, SC_DURATION, SC_WARMUP, SC_REPL, SC_SEED, SC_SAMPLE, SC_RATE, SC_INST,
       SC_GW, SC_DS, SC_SV, SC_NCOLS };

static const char *const gw_cols[GW_NCOLS] = {
    "gateway", "preset", "nat_ips", "port_min", "port_max", "mapping", "per_destination_limit",
    "ports_per_instance", "time_wait_s", "idle_timeout_s"};
static const char *const ds_cols[DS_NCOLS] = {
    "destination", "addresses", "port", "latency_dist", "latency_p50_ms", "latency_p99_ms",
    "handshake_ms"};
static const char *const sv_cols[SV_NCOLS] = {
    "service", "gateway", "destination", "instances", "rps", "profile", "pool_max", "pool_idle",
    "keepalive_s", "pool_wait_timeout_s", "connect_timeout_s", "syn_retries", "retries",
    "retry_backoff_s"};
static const char *const pr_cols[PR_NCOLS] = {"profile", "time", "multiplier"};
static const char *const sc_cols[SC_NCOLS] = {
    "scenario", "description", "duration_h", "warmup_h", "replications", "seed", "sample_s",
    "rate_scale", "instance_scale", "gateway", "destination", "service"};

typedef struct schema {
    const char *file;
    const char *const *cols;
    size_t ncols;
    unsigned required_cols;   /* bit j: column j must be in the header */
    int required_file;
    size_t first_override;    /* for gateways, destinations, services: first column that
                                 scenarios.csv may override (the ones before are names) */
} schema;

static const schema schemas[E_N] = {
    {"gateways.csv", gw_cols, GW_NCOLS, 1u << GW_NAME, 1, GW_PRESET},
    {"destinations.csv", ds_cols, DS_NCOLS, 1u << DS_NAME | 1u << DS_P50, 1, DS_ADDRESSES},
    {"services.csv", sv_cols, SV_NCOLS,
     1u << SV_NAME | 1u << SV_DEST | 1u << SV_INSTANCES | 1u << SV_RPS, 1, SV_INSTANCES},
    {"profiles.csv", pr_cols, PR_NCOLS, 7u, 0, 0},
    {"scenarios.csv", sc_cols, SC_NCOLS, 1u << SC_NAME, 0, 0},
};

/* Value ranges; the upper bounds are sanity caps (see csv_in.h). */
static const csv_value_num R_SEC_GE0 = {0, 0, 1e9}, R_SEC_GT0 = {0, 1, 1e9};
static const csv_value_num R_MS_GE0 = {0, 0, 1e12}, R_MS_GT0 = {0, 1, 1e12};
static const csv_value_num R_RPS = {0, 0, 1e9}, R_MULT = {0, 0, 1e6};
static const csv_value_num R_RATE_SCALE = {0, 0, MAX_SCALE}, R_INST_SCALE = {0, 1, MAX_SCALE};
static const csv_value_num R_HOURS_GT0 = {0, 1, 8760}, R_HOURS_GE0 = {0, 0, 8760};
static const csv_value_int R_NAT_IPS = {1, 65535, 0}, R_PORT = {1, 65535, 1};
static const csv_value_int R_COUNT0 = {0, 1000000000, 0}, R_COUNT1 = {1, 1000000000, 0};
static const csv_value_int R_ADDRESSES = {1, 1000000, 0}, R_SYN = {0, 127, 0};
static const csv_value_int R_RETRIES = {0, 1000, 0}, R_REPL = {1, 1000000, 0};
static const csv_value_int R_SEED = {0, UINT64_MAX, 0};

static const char *const mapping_names[] = {"global", "per_destination"};
static const char *const dist_names[] = {"lognormal", "gamma", "weibull", "exponential",
                                         "constant"};

/* SPEC §2 "Presets". */
typedef struct preset {
    const char *name;
    uint32_t per_destination_limit, ports_per_instance;
    int ppi_by_backend;               /* azure_lb: ports_per_instance from backend size */
    double time_wait_s, idle_timeout_s;
    uint32_t port_min, port_max;
} preset;

static const preset presets[] = {
    {"aws", 55000, 0, 0, 60, 350, 1024, 65535},
    {"gcp", 64512, 64, 0, 120, 1200, 1024, 65535},
    {"azure", 50000, 0, 0, 65, 240, 1024, 65535},
    {"azure_lb", 64000, 0, 1, 240, 240, 1024, 65023},
    {"linux", 64512, 0, 0, 120, 432000, 1024, 65535},
};
static const char *const preset_names[] = {"aws", "gcp", "azure", "azure_lb", "linux"};
#define NPRESETS (sizeof presets / sizeof presets[0])

/* Azure Load Balancer default outbound ports per instance by backend pool size.
 * Azure's table stops at 1000 instances; beyond that we keep its last tier. */
static uint32_t azure_lb_ports(uint64_t backend)
{
    static const struct { uint64_t upto; uint32_t ports; } tiers[] = {
        {50, 1024}, {100, 512}, {200, 256}, {400, 128}, {800, 64}, {1000, 32}};
    for (size_t i = 0; i < sizeof tiers / sizeof tiers[0]; i++)
        if (backend <= tiers[i].upto)
            return tiers[i].ports;
    return 32;
}

typedef struct table {
    csv_read_table t;
    int map[MAX_COLS];      /* schema column -> table column, -1 when absent */
} table;

/* Sort key of a row: by name, then a, b, t, then row index (so "first" is stable). */
typedef struct key {
    const char *name;
    size_t a, b;
    double t;
    size_t idx;
} key;

typedef struct loader {
    nc_error *err;
    table tb[E_N];
    int over[3][MAX_COLS];  /* (E_GW/E_DS/E_SV, column) -> scenarios.csv column, -1 */
    const csv_in_file *mem; /* NULL: read the files from disk; else their bytes */
    key *gw_ix, *ds_ix, *sv_ix, *pr_ix;  /* sorted by name */
    key *sv_keys;           /* services rows by (service, gateway, destination) */
    size_t *sv_gw, *sv_ds;  /* each services row's gateway and destination index */
    nc_profile *profiles;   /* [0] = flat, then profiles.csv by first appearance */
    size_t nprofiles;
} loader;

/* Per scenario: which scenarios.csv row overrides each cell, and the scales. */
typedef struct overlay {
    uint32_t *cell[3];      /* [rows * ncols] for E_GW, E_DS, E_SV; NONE = not overridden */
    double *rate, *inst;    /* [services rows] products of the scales that apply */
    uint32_t *inst_row;     /* [services rows] last row with an instance_scale for it */
    double rate_all, inst_all;   /* products over rows without selectors */
} overlay;

static int key_cmp(const void *pa, const void *pb)
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
static const key *key_find(const key *ix, size_t n, const char *name)
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

static size_t nrows(const loader *L, int e)
{
    return L->tb[e].t.nrows;
}

static nc_status oom(const loader *L)
{
    return nc_error_set(L->err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
}

/* Cell (row, schema column) of file e as found in the file. */
static csv_value base_value(const loader *L, int e, size_t row, size_t col)
{
    const table *tb = &L->tb[e];
    csv_value v = {NULL, tb->t.path, schemas[e].cols[col], tb->t.row_line[row], 0};
    if (tb->map[col] >= 0)
        v.s = csv_read_cell(&tb->t, row, (size_t)tb->map[col]);
    return v;
}

/* Cell (row, table column) of scenarios.csv; tcol < 0: absent column `name`. */
static csv_value sc_value(const loader *L, size_t row, int tcol, const char *name)
{
    const csv_read_table *t = &L->tb[E_SC].t;
    csv_value v = {NULL, t->path, name, t->row_line[row], 1};
    if (tcol >= 0) {
        v.s = csv_read_cell(t, row, (size_t)tcol);
        v.col = csv_read_header(t, (size_t)tcol);
    }
    return v;
}

static csv_value sc_col(const loader *L, size_t row, size_t col)
{
    return sc_value(L, row, L->tb[E_SC].map[col], sc_cols[col]);
}

/* Name of row `row` of file e (validated in stage 2). */
static const char *row_name(const loader *L, int e, size_t row)
{
    return csv_read_cell(&L->tb[e].t, row, (size_t)L->tb[e].map[0]);
}

/* The cells of row `row` of file e (E_GW, E_DS, E_SV) with the overlay applied. */
static void view(const loader *L, const overlay *ov, int e, size_t row, csv_value *v)
{
    size_t n = schemas[e].ncols;
    for (size_t j = 0; j < n; j++) {
        uint32_t k = ov != NULL ? ov->cell[e][row * n + j] : NONE;
        v[j] = k == NONE ? base_value(L, e, row, j) : sc_value(L, k, L->over[e][j], NULL);
    }
}

/* When a must relate to b (port_max >= port_min): blame the cell from scenarios.csv,
 * else a given one, preferring a. */
static const csv_value *blame(const csv_value *a, const csv_value *b)
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

static nc_status unknown_column(const loader *L, int e, const char *name)
{
    const char *cands[64];
    size_t n = 0;
    char shown[80], hint[96] = "";
    for (size_t j = 0; j < schemas[e].ncols; j++)
        cands[n++] = schemas[e].cols[j];
    for (int oe = E_GW; e == E_SC && oe <= E_SV; oe++)
        for (size_t j = schemas[oe].first_override; j < schemas[oe].ncols; j++)
            cands[n++] = schemas[oe].cols[j];
    const char *near = csv_value_nearest(name, cands, n);
    if (near != NULL)
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
    return nc_error_set(L->err, NC_EINPUT, L->tb[e].t.path, L->tb[e].t.header_line, NULL,
                        "unknown column '%s'%s", csv_value_show(name, shown, sizeof shown), hint);
}

/* Map the header of file e onto its schema (and, for scenarios.csv, the overrides). */
static nc_status check_header(loader *L, int e)
{
    table *tb = &L->tb[e];
    const schema *sch = &schemas[e];
    const char *path = tb->t.path;
    long line = tb->t.header_line;
    for (size_t c = 0; c < tb->t.ncols; c++) {
        const char *name = csv_read_header(&tb->t, c);
        if (name[0] == '\0')
            return nc_error_set(L->err, NC_EINPUT, path, line, NULL,
                                "column %zu of the header has no name", c + 1);
        int j = find_col(name, sch->cols, 0, sch->ncols);
        int *slot = j >= 0 ? &tb->map[j] : NULL;
        for (int oe = E_GW; slot == NULL && e == E_SC && oe <= E_SV; oe++) {
            j = find_col(name, schemas[oe].cols, schemas[oe].first_override, schemas[oe].ncols);
            slot = j >= 0 ? &L->over[oe][j] : NULL;
        }
        if (slot == NULL)
            return unknown_column(L, e, name);
        if (*slot >= 0)
            return nc_error_set(L->err, NC_EINPUT, path, line, name,
                                "duplicate column (also column %d of the header)", *slot + 1);
        *slot = (int)c;
    }
    for (size_t j = 0; j < sch->ncols; j++)
        if ((sch->required_cols >> j & 1u) && tb->map[j] < 0)
            return nc_error_set(L->err, NC_EINPUT, path, line, sch->cols[j],
                                "required column is missing");
    return NC_OK;
}

static nc_status read_tables(loader *L, const char *dir)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    for (int e = 0; e < E_N; e++) {
        char path[1024];
        int n = len == 0 ? snprintf(path, sizeof path, "%s", schemas[e].file)
                         : snprintf(path, sizeof path, "%.*s%s%s", (int)len, dir,
                                    dir[len - 1] == '/' ? "" : "/", schemas[e].file);
        if (n < 0 || (size_t)n >= sizeof path)
            return nc_error_set(L->err, NC_EIO, NULL, 0, NULL, "input path too long: %s", dir);
        nc_status st = L->mem == NULL
                           ? csv_read_file(path, schemas[e].required_file, &L->tb[e].t, L->err)
                           : csv_read_buffer(path, L->mem[e].data, L->mem[e].len,
                                             schemas[e].required_file, &L->tb[e].t, L->err);
        if (st != NC_OK)
            return st;
        if (L->tb[e].t.header_line > 0 && (st = check_header(L, e)) != NC_OK)
            return st;
        if (schemas[e].required_file && L->tb[e].t.nrows == 0)
            return nc_error_set(L->err, NC_EINPUT, path, 0, NULL, "the file has no data rows");
    }
    return NC_OK;
}

/* ---- stage 2: names and references ---- */

/* The smallest row index that repeats the key of the entry before it (same name, a, b,
 * t), or SIZE_MAX.  keys are sorted. */
static size_t first_duplicate(const key *k, size_t n, size_t *orig)
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
static nc_status index_names(loader *L, int e, int unique, key **out)
{
    size_t n = nrows(L, e);
    key *k = calloc(n ? n : 1, sizeof *k);
    *out = k;
    if (k == NULL)
        return oom(L);
    for (size_t i = 0; i < n; i++) {
        char name[NC_NAME_MAX + 1];
        csv_value v = base_value(L, e, i, 0);
        nc_status st = csv_value_name(&v, 1, name, L->err);
        if (st != NC_OK)
            return st;
        k[i] = (key){v.s, 0, 0, 0, i};
    }
    qsort(k, n, sizeof *k, key_cmp);
    size_t orig = 0, dup = unique ? first_duplicate(k, n, &orig) : SIZE_MAX;
    if (dup == SIZE_MAX)
        return NC_OK;
    csv_value v = base_value(L, e, dup, 0);
    return csv_value_error(&v, L->err, "duplicate %s '%s' (first defined on line %ld)",
                           schemas[e].cols[0], v.s, L->tb[e].t.row_line[orig]);
}

/* A reference cell of file e naming a row of file target (through sorted index ix). */
static nc_status resolve_ref(const loader *L, const csv_value *v, int target, const key *ix,
                             size_t nix, size_t *out)
{
    char name[NC_NAME_MAX + 1];
    nc_status st = csv_value_name(v, 1, name, L->err);
    if (st != NC_OK)
        return st;
    const key *k = key_find(ix, nix, name);
    if (k == NULL)
        return csv_value_error(v, L->err, "%s '%s' is not defined in %s", schemas[target].cols[0],
                               name, schemas[target].file);
    *out = k->idx;
    return NC_OK;
}

static nc_status check_services(loader *L)
{
    size_t n = nrows(L, E_SV), ngw = nrows(L, E_GW);
    if (ngw > 1 && L->tb[E_SV].map[SV_GATEWAY] < 0)
        return nc_error_set(L->err, NC_EINPUT, L->tb[E_SV].t.path, L->tb[E_SV].t.header_line,
                            "gateway", "required column is missing (gateways.csv has %zu "
                            "gateways)", ngw);
    nc_status st = index_names(L, E_SV, 0, &L->sv_ix);
    L->sv_keys = calloc(n, sizeof *L->sv_keys);
    L->sv_gw = calloc(n, sizeof *L->sv_gw);
    L->sv_ds = calloc(n, sizeof *L->sv_ds);
    if (st != NC_OK)
        return st;
    if (L->sv_keys == NULL || L->sv_gw == NULL || L->sv_ds == NULL)
        return oom(L);
    for (size_t r = 0; r < n; r++) {
        csv_value gw = base_value(L, E_SV, r, SV_GATEWAY);
        csv_value ds = base_value(L, E_SV, r, SV_DEST);
        if (gw.s == NULL && ngw > 1)
            return csv_value_error(&gw, L->err, "missing value: required when gateways.csv has "
                                   "more than one gateway");
        if (gw.s != NULL && (st = resolve_ref(L, &gw, E_GW, L->gw_ix, ngw, &L->sv_gw[r])) != NC_OK)
            return st;
        if ((st = resolve_ref(L, &ds, E_DS, L->ds_ix, nrows(L, E_DS),
                                  &L->sv_ds[r])) != NC_OK)
            return st;
        L->sv_keys[r] = (key){row_name(L, E_SV, r), L->sv_gw[r], L->sv_ds[r], 0, r};
    }
    qsort(L->sv_keys, n, sizeof *L->sv_keys, key_cmp);
    size_t orig = 0, dup = first_duplicate(L->sv_keys, n, &orig);
    if (dup == SIZE_MAX)
        return NC_OK;
    csv_value v = base_value(L, E_SV, dup, SV_NAME);
    return csv_value_error(&v, L->err, "duplicate row: service '%s' already calls destination "
                           "'%s' through gateway '%s' on line %ld", v.s,
                           row_name(L, E_DS, L->sv_ds[dup]), row_name(L, E_GW, L->sv_gw[dup]),
                           L->tb[E_SV].t.row_line[orig]);
}

typedef struct group {
    size_t start, len, first;   /* run of sorted keys and its smallest row index */
} group;

static int group_cmp(const void *pa, const void *pb)
{
    const group *a = pa, *b = pb;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* Runs of equal names in sorted keys, in order of first appearance.  *out owned. */
static nc_status group_keys(const loader *L, const key *k, size_t n, group **out, size_t *ng)
{
    *ng = 0;
    *out = calloc(n ? n : 1, sizeof **out);
    if (*out == NULL)
        return oom(L);
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
        return oom(L);
    for (size_t i = 0; i < n; i++) {
        p->time_s[i] = k ? k[i].t : 0;
        p->multiplier[i] = k ? mult[k[i].idx] : 1;
    }
    return NC_OK;
}

/* profiles.csv into L->profiles (after the built-in flat) and the index L->pr_ix. */
static nc_status load_profiles(loader *L)
{
    size_t n = nrows(L, E_PR), ng = 0;
    key *k = calloc(n ? n : 1, sizeof *k);
    double *mult = calloc(n ? n : 1, sizeof *mult);
    group *g = NULL;
    nc_status st = k && mult ? NC_OK : oom(L);
    for (size_t i = 0; st == NC_OK && i < n; i++) {
        char name[NC_NAME_MAX + 1];
        csv_value vn = base_value(L, E_PR, i, PR_NAME);
        csv_value vt = base_value(L, E_PR, i, PR_TIME);
        csv_value vm = base_value(L, E_PR, i, PR_MULT);
        if ((st = csv_value_name(&vn, 1, name, L->err)) != NC_OK)
            break;
        if (strcmp(name, "flat") == 0) {
            st = csv_value_error(&vn, L->err, "profile 'flat' is built in and cannot be defined");
            break;
        }
        k[i] = (key){vn.s, 0, 0, 0, i};
        if ((st = csv_value_time(&vt, &k[i].t, L->err)) != NC_OK)
            break;
        st = csv_value_number(&vm, &R_MULT, 1, &mult[i], L->err);
    }
    if (st == NC_OK) {
        qsort(k, n, sizeof *k, key_cmp);
        size_t orig = 0, dup = first_duplicate(k, n, &orig);
        csv_value vt = dup != SIZE_MAX ? base_value(L, E_PR, dup, PR_TIME) : (csv_value){0};
        if (dup != SIZE_MAX)
            st = csv_value_error(&vt, L->err, "time %s given twice for profile '%s' (also on "
                                 "line %ld)", vt.s, row_name(L, E_PR, dup),
                                 L->tb[E_PR].t.row_line[orig]);
    }
    if (st == NC_OK)
        st = group_keys(L, k, n, &g, &ng);
    if (st == NC_OK) {
        L->profiles = calloc(ng + 1, sizeof *L->profiles);
        L->pr_ix = calloc(ng + 1, sizeof *L->pr_ix);
        st = L->profiles && L->pr_ix ? add_profile(L, "flat", NULL, NULL, 1) : oom(L);
    }
    for (size_t i = 0; st == NC_OK && i < ng; i++)
        st = add_profile(L, k[g[i].start].name, k + g[i].start, mult, g[i].len);
    for (size_t i = 0; st == NC_OK && i < L->nprofiles; i++)
        L->pr_ix[i] = (key){L->profiles[i].name, 0, 0, 0, i};
    if (st == NC_OK)
        qsort(L->pr_ix, L->nprofiles, sizeof *L->pr_ix, key_cmp);
    free(k);
    free(mult);
    free(g);
    return st;
}

/* Names and selectors of every scenarios.csv row. */
static nc_status check_scenario_rows(const loader *L)
{
    static const struct { int col, target; } sel[] = {
        {SC_SV, E_SV}, {SC_GW, E_GW}, {SC_DS, E_DS}};
    const key *ix[3] = {L->sv_ix, L->gw_ix, L->ds_ix};
    for (size_t r = 0; r < nrows(L, E_SC); r++) {
        char name[NC_NAME_MAX + 1];
        csv_value v = sc_col(L, r, SC_NAME);
        nc_status st = csv_value_name(&v, 1, name, L->err);
        for (size_t i = 0; st == NC_OK && i < 3; i++) {
            size_t idx;
            v = sc_col(L, r, (size_t)sel[i].col);
            if (v.s != NULL)
                st = resolve_ref(L, &v, sel[i].target, ix[i], nrows(L, sel[i].target), &idx);
        }
        if (st != NC_OK)
            return st;
    }
    return NC_OK;
}

/* ---- stage 3: values ---- */

static nc_status resolve_gateway(const csv_value *v, nc_gateway *g, int *ppi_auto, nc_error *err)
{
    int ip = -1, map = NC_MAPPING_GLOBAL;
    nc_status st = csv_value_keyword(&v[GW_PRESET], preset_names, NPRESETS, 0, &ip, err);
    if (st != NC_OK)
        return st;
    const preset *p = ip >= 0 ? &presets[ip] : NULL;
    memset(g, 0, sizeof *g);
    snprintf(g->name, sizeof g->name, "%s", v[GW_NAME].s);
    snprintf(g->preset, sizeof g->preset, "%s", p ? p->name : "");
    g->nat_ips = 1;
    g->port_min = p ? p->port_min : 1024;
    g->port_max = p ? p->port_max : 65535;
    g->time_wait_s = p ? p->time_wait_s : 120;
    g->idle_timeout_s = p ? p->idle_timeout_s : 350;
    g->ports_per_instance = p ? p->ports_per_instance : 0;
    map = p ? NC_MAPPING_PER_DESTINATION : NC_MAPPING_GLOBAL;
    if ((st = csv_value_u32(&v[GW_NAT_IPS], &R_NAT_IPS, 0, &g->nat_ips, err)) != NC_OK
        || (st = csv_value_u32(&v[GW_PORT_MIN], &R_PORT, 0, &g->port_min, err)) != NC_OK
        || (st = csv_value_u32(&v[GW_PORT_MAX], &R_PORT, 0, &g->port_max, err)) != NC_OK
        || (st = csv_value_keyword(&v[GW_MAPPING], mapping_names, 2, 0, &map, err)) != NC_OK
        || (st = csv_value_u32(&v[GW_PPI], &R_COUNT0, 0, &g->ports_per_instance, err)) != NC_OK
        || (st = csv_value_number(&v[GW_TIME_WAIT], &R_SEC_GE0, 0, &g->time_wait_s, err))
               != NC_OK
        || (st = csv_value_number(&v[GW_IDLE], &R_SEC_GT0, 0, &g->idle_timeout_s, err)) != NC_OK)
        return st;
    g->mapping = (nc_mapping)map;
    if (g->port_max < g->port_min)
        return csv_value_error(blame(&v[GW_PORT_MAX], &v[GW_PORT_MIN]), err,
                               "port_max (%u) must be >= port_min (%u)", g->port_max,
                               g->port_min);
    g->per_destination_limit = p ? p->per_destination_limit : g->port_max - g->port_min + 1;
    *ppi_auto = p && p->ppi_by_backend && v[GW_PPI].s == NULL;
    return csv_value_u32(&v[GW_PDL], &R_COUNT1, 0, &g->per_destination_limit, err);
}

static nc_status resolve_destination(const csv_value *v, nc_destination *d, nc_error *err)
{
    int dist = NC_LAT_LOGNORMAL;
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", v[DS_NAME].s);
    d->addresses = 1;
    d->port = 443;
    nc_status st;
    if ((st = csv_value_u32(&v[DS_ADDRESSES], &R_ADDRESSES, 0, &d->addresses, err)) != NC_OK
        || (st = csv_value_u32(&v[DS_PORT], &R_PORT, 0, &d->port, err)) != NC_OK
        || (st = csv_value_keyword(&v[DS_DIST], dist_names, 5, 0, &dist, err)) != NC_OK
        || (st = csv_value_number(&v[DS_P50], &R_MS_GT0, 1, &d->latency_p50_ms, err)) != NC_OK
        || (st = csv_value_number(&v[DS_HANDSHAKE], &R_MS_GE0, 0, &d->handshake_ms, err))
               != NC_OK)
        return st;
    d->latency_dist = (nc_latency_dist)dist;
    int p99_needed = dist != NC_LAT_EXPONENTIAL && dist != NC_LAT_CONSTANT;
    if (v[DS_P99].s == NULL && p99_needed && v[DS_DIST].override)
        return csv_value_error(&v[DS_DIST], err, "'%s' needs latency_p99_ms, which destination "
                               "'%s' does not give", dist_names[dist], d->name);
    if (v[DS_P99].s == NULL && p99_needed)
        return csv_value_error(&v[DS_P99], err, "missing value: required unless latency_dist "
                               "is exponential or constant");
    /* Given for exponential or constant too: checked the same way and kept (the model
     * fits those to the median only). */
    if ((st = csv_value_number(&v[DS_P99], &R_MS_GT0, 0, &d->latency_p99_ms, err)) != NC_OK)
        return st;
    if (v[DS_P99].s != NULL && d->latency_p99_ms <= d->latency_p50_ms)
        return csv_value_error(blame(&v[DS_P99], &v[DS_P50]), err,
                               "latency_p99_ms (%g) must be greater than latency_p50_ms (%g)",
                               d->latency_p99_ms, d->latency_p50_ms);
    /* The fit itself (e.g. a gamma cannot reach every p99/p50 ratio): fail
     * here, with the cell, rather than when the simulation starts. */
    latency_fit fit;
    nc_error fe = {0};
    if (latency_fit_make(d->latency_dist, d->latency_p50_ms, d->latency_p99_ms, &fit, &fe) != NC_OK)
        return csv_value_error(p99_needed ? blame(&v[DS_P99], &v[DS_DIST]) : &v[DS_P50], err, "%s",
                               fe.msg);
    return NC_OK;
}

static nc_status resolve_service(const loader *L, const overlay *ov, const csv_value *v,
                                 size_t row, nc_service *s)
{
    nc_error *err = L->err;
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", v[SV_NAME].s);
    s->gateway = L->sv_gw[row];
    s->destination = L->sv_ds[row];
    s->line = L->tb[E_SV].t.row_line[row];
    s->keepalive_s = 90;
    s->pool_wait_timeout_s = 30;
    s->connect_timeout_s = 10;
    s->syn_retries = 6;
    nc_status st;
    if (v[SV_PROFILE].s != NULL) {
        st = resolve_ref(L, &v[SV_PROFILE], E_PR, L->pr_ix, L->nprofiles, &s->profile);
        if (st != NC_OK)
            return st;
    }
    if ((st = csv_value_integer(&v[SV_INSTANCES], &R_COUNT1, 1, &s->instances, err)) != NC_OK
        || (st = csv_value_number(&v[SV_RPS], &R_RPS, 1, &s->rps, err)) != NC_OK
        || (st = csv_value_u32(&v[SV_POOL_MAX], &R_COUNT0, 0, &s->pool_max, err)) != NC_OK
        || (st = csv_value_u32(&v[SV_POOL_IDLE], &R_COUNT0, 0, &s->pool_idle, err)) != NC_OK
        || (st = csv_value_number(&v[SV_KEEPALIVE], &R_SEC_GT0, 0, &s->keepalive_s, err))
               != NC_OK
        || (st = csv_value_number(&v[SV_POOL_WAIT], &R_SEC_GT0, 0, &s->pool_wait_timeout_s,
                                  err)) != NC_OK
        || (st = csv_value_number(&v[SV_CONNECT], &R_SEC_GT0, 0, &s->connect_timeout_s, err))
               != NC_OK
        || (st = csv_value_u32(&v[SV_SYN], &R_SYN, 0, &s->syn_retries, err)) != NC_OK
        || (st = csv_value_u32(&v[SV_RETRIES], &R_RETRIES, 0, &s->retries, err)) != NC_OK
        || (st = csv_value_number(&v[SV_BACKOFF], &R_SEC_GE0, 0, &s->retry_backoff_s, err))
               != NC_OK)
        return st;
    if (ov == NULL)
        return NC_OK;
    s->rps *= ov->rate[row];
    /* rounded up; the epsilon keeps 10 x 1.1 = 11.000000000000002 at 11 */
    double inst = ceil((double)s->instances * ov->inst[row] - 1e-9);
    if (inst > (double)MAX_INSTANCES) {
        csv_value c = sc_col(L, ov->inst_row[row], SC_INST);
        return csv_value_error(&c, L->err, "instances of services.csv line %ld times "
                               "instance_scale exceed %llu", s->line, MAX_INSTANCES);
    }
    s->instances = inst < 1 ? 1 : (uint64_t)inst;
    return NC_OK;
}

/* ports_per_instance of azure_lb gateways without an explicit value, from the sum over
 * the distinct services behind each of the largest instances of their rows. */
static nc_status apply_backend_sizes(const loader *L, nc_scenario *sc, const int *ppi_auto)
{
    uint64_t *backend = calloc(sc->ngateways, sizeof *backend);
    if (backend == NULL)
        return oom(L);
    const key *k = L->sv_keys;   /* sorted by (service, gateway, ...) */
    for (size_t i = 0, max = 0; i < sc->nservices; i++) {
        uint64_t inst = sc->services[k[i].idx].instances;
        max = inst > max ? inst : max;
        int last = i + 1 == sc->nservices || k[i + 1].a != k[i].a
                   || strcmp(k[i + 1].name, k[i].name) != 0;
        if (last) {
            backend[k[i].a] += max;
            max = 0;
        }
    }
    for (size_t g = 0; g < sc->ngateways; g++)
        if (ppi_auto[g])
            sc->gateways[g].ports_per_instance = azure_lb_ports(backend[g]);
    free(backend);
    return NC_OK;
}

static nc_status copy_profiles(const loader *L, nc_scenario *sc)
{
    sc->profiles = calloc(L->nprofiles, sizeof *sc->profiles);
    if (sc->profiles == NULL)
        return oom(L);
    for (size_t i = 0; i < L->nprofiles; i++) {
        const nc_profile *p = &L->profiles[i];
        nc_profile *q = &sc->profiles[i];
        sc->nprofiles = i + 1;
        *q = *p;
        q->time_s = malloc(p->npoints * sizeof *q->time_s);
        q->multiplier = malloc(p->npoints * sizeof *q->multiplier);
        if (q->time_s == NULL || q->multiplier == NULL)
            return oom(L);
        memcpy(q->time_s, p->time_s, p->npoints * sizeof *q->time_s);
        memcpy(q->multiplier, p->multiplier, p->npoints * sizeof *q->multiplier);
    }
    return NC_OK;
}

/* Gateways, destinations, services and profiles of sc, through overlay ov (NULL: none).
 * On error sc keeps what was allocated; the caller frees it. */
static nc_status resolve(const loader *L, const overlay *ov, nc_scenario *sc)
{
    sc->ngateways = nrows(L, E_GW);
    sc->ndestinations = nrows(L, E_DS);
    sc->nservices = nrows(L, E_SV);
    sc->gateways = calloc(sc->ngateways, sizeof *sc->gateways);
    sc->destinations = calloc(sc->ndestinations, sizeof *sc->destinations);
    sc->services = calloc(sc->nservices, sizeof *sc->services);
    int *ppi_auto = calloc(sc->ngateways, sizeof *ppi_auto);
    nc_status st = sc->gateways && sc->destinations && sc->services && ppi_auto ? NC_OK : oom(L);
    csv_value v[MAX_COLS];
    for (size_t i = 0; st == NC_OK && i < sc->ngateways; i++) {
        view(L, ov, E_GW, i, v);
        st = resolve_gateway(v, &sc->gateways[i], &ppi_auto[i], L->err);
    }
    for (size_t i = 0; st == NC_OK && i < sc->ndestinations; i++) {
        view(L, ov, E_DS, i, v);
        st = resolve_destination(v, &sc->destinations[i], L->err);
    }
    for (size_t i = 0; st == NC_OK && i < sc->nservices; i++) {
        view(L, ov, E_SV, i, v);
        st = resolve_service(L, ov, v, i, &sc->services[i]);
    }
    if (st == NC_OK)
        st = apply_backend_sizes(L, sc, ppi_auto);
    if (st == NC_OK)
        st = copy_profiles(L, sc);
    free(ppi_auto);
    return st;
}

static nc_status default_settings(const loader *L, nc_scenario *sc, const char *name)
{
    snprintf(sc->name, sizeof sc->name, "%s", name);
    sc->duration_h = 24;
    sc->warmup_h = 1;
    sc->replications = 10;
    sc->seed = 1;
    sc->sample_s = 60;
    sc->rate_scale = 1;
    sc->instance_scale = 1;
    sc->description = strdup("");
    return sc->description ? NC_OK : oom(L);
}

/* The settings (description .. sample_s) of the scenario of rows[0..n), given on at most
 * one of them. */
static nc_status scenario_settings(const loader *L, const key *rows, size_t n, nc_scenario *sc)
{
    size_t srow = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = SC_DESC; j <= SC_SAMPLE; j++) {
            csv_value v = sc_col(L, rows[i].idx, j);
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
        v[j] = sc_col(L, srow, j);
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
    if (sc->duration_h * 3600 / sc->sample_s > MAX_INTERVALS)
        return csv_value_error(v[SC_SAMPLE].s ? &v[SC_SAMPLE] : &v[SC_DURATION], L->err,
                               "duration_h %g / sample_s %g gives more than %.0f intervals",
                               sc->duration_h, sc->sample_s, MAX_INTERVALS);
    if (v[SC_DESC].s == NULL)
        return NC_OK;
    free(sc->description);
    sc->description = strdup(v[SC_DESC].s);
    return sc->description ? NC_OK : oom(L);
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
    csv_value sv = sc_col(L, k, SC_SV), gw = sc_col(L, k, SC_GW), ds = sc_col(L, k, SC_DS);
    int nsel = (sv.s != NULL) + (gw.s != NULL) + (ds.s != NULL);
    size_t n[3] = {nrows(L, E_GW), nrows(L, E_DS), nrows(L, E_SV)};
    cnt[E_GW] = cnt[E_DS] = cnt[E_SV] = 0;
    memset(m[E_GW], nsel == 0, n[E_GW]);
    memset(m[E_DS], nsel == 0, n[E_DS]);
    for (size_t r = 0; r < n[E_SV]; r++) {
        int hit = (sv.s == NULL || strcmp(row_name(L, E_SV, r), sv.s) == 0)
                  && (gw.s == NULL || strcmp(row_name(L, E_GW, L->sv_gw[r]), gw.s) == 0)
                  && (ds.s == NULL || strcmp(row_name(L, E_DS, L->sv_ds[r]), ds.s) == 0);
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
        m[E_GW][key_find(L->gw_ix, n[E_GW], gw.s)->idx] = 1;
    if (ds.s != NULL)
        m[E_DS][key_find(L->ds_ix, n[E_DS], ds.s)->idx] = 1;
    for (int e = E_GW; e <= E_DS; e++)
        for (size_t r = 0; r < n[e]; r++)
            cnt[e] += (size_t)m[e][r];
    return NC_OK;
}

/* Multiply scale column col (SC_RATE / SC_INST) of row k into the matched services. */
static nc_status apply_scale(const loader *L, size_t k, int col, const char *msv, size_t cnt,
                             int nosel, overlay *ov)
{
    csv_value v = sc_col(L, k, (size_t)col);
    double x = 1;
    nc_status st = csv_value_number(&v, col == SC_RATE ? &R_RATE_SCALE : &R_INST_SCALE, 0, &x,
                                    L->err);
    if (st != NC_OK || v.s == NULL)
        return st;
    if (cnt == 0)
        return csv_value_error(&v, L->err, "the selectors of this row match no row of "
                               "services.csv");
    double *prod = col == SC_RATE ? ov->rate : ov->inst;
    for (size_t r = 0; r < nrows(L, E_SV); r++) {
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
    return NC_OK;
}

/* Record the overrides and scales of scenarios.csv row k in ov. */
static nc_status apply_row(const loader *L, size_t k, overlay *ov, char *m[3])
{
    size_t cnt[3];
    nc_status st = match_row(L, k, m, cnt);
    if (st != NC_OK)
        return st;
    for (int e = E_GW; e <= E_SV; e++) {
        size_t ncols = schemas[e].ncols;
        for (size_t j = 0; j < ncols; j++) {
            if (L->over[e][j] < 0)
                continue;
            csv_value v = sc_value(L, k, L->over[e][j], NULL);
            if (v.s == NULL)
                continue;
            if (cnt[e] == 0)
                return csv_value_error(&v, L->err, "the selectors of this row match no row "
                                       "of %s", schemas[e].file);
            for (size_t r = 0; r < nrows(L, e); r++)
                if (m[e][r])
                    ov->cell[e][r * ncols + j] = (uint32_t)k;
        }
    }
    int nosel = sc_col(L, k, SC_SV).s == NULL && sc_col(L, k, SC_GW).s == NULL
                && sc_col(L, k, SC_DS).s == NULL;
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
    nc_status st = default_settings(L, sc, rows[0].name);
    sc->line = L->tb[E_SC].t.row_line[rows[0].idx];
    if (st != NC_OK || (st = scenario_settings(L, rows, n, sc)) != NC_OK)
        return st;
    overlay ov = {.rate_all = 1, .inst_all = 1};
    char *m[3];
    size_t nsv = nrows(L, E_SV);
    for (int e = 0; e < 3; e++) {
        size_t cells = nrows(L, e) * schemas[e].ncols;
        ov.cell[e] = malloc(cells * sizeof *ov.cell[e]);
        m[e] = malloc(nrows(L, e));
        if (ov.cell[e] != NULL)
            memset(ov.cell[e], 0xFF, cells * sizeof *ov.cell[e]);   /* NONE */
    }
    ov.rate = malloc(nsv * sizeof *ov.rate);
    ov.inst = malloc(nsv * sizeof *ov.inst);
    ov.inst_row = malloc(nsv * sizeof *ov.inst_row);
    int ok = ov.rate && ov.inst && ov.inst_row;
    for (int e = 0; e < 3; e++)
        ok = ok && ov.cell[e] && m[e];
    st = ok ? NC_OK : oom(L);
    for (size_t r = 0; st == NC_OK && r < nsv; r++) {
        ov.rate[r] = ov.inst[r] = 1;
        ov.inst_row[r] = NONE;
    }
    for (size_t i = 0; st == NC_OK && i < n; i++)
        st = apply_row(L, rows[i].idx, &ov, m);
    if (st == NC_OK)
        st = resolve(L, &ov, sc);
    sc->rate_scale = ov.rate_all;
    sc->instance_scale = ov.inst_all;
    overlay_free(&ov, m);
    return st;
}

static nc_status build_scenarios(const loader *L, nc_input *in)
{
    const csv_read_table *t = &L->tb[E_SC].t;
    double work = (double)t->nrows * (double)(nrows(L, E_GW) + nrows(L, E_DS) + nrows(L, E_SV));
    if (work > MAX_SCENARIO_WORK)
        return nc_error_set(L->err, NC_EINPUT, t->path, 0, NULL, "too many rows: scenario rows "
                            "x input rows is more than %.0f", MAX_SCENARIO_WORK);
    size_t ng = 0;
    group *g = NULL;
    key *k = calloc(t->nrows, sizeof *k);
    nc_status st = k ? NC_OK : oom(L);
    for (size_t r = 0; st == NC_OK && r < t->nrows; r++)
        k[r] = (key){sc_col(L, r, SC_NAME).s, 0, 0, 0, r};
    if (st == NC_OK) {
        qsort(k, t->nrows, sizeof *k, key_cmp);
        st = group_keys(L, k, t->nrows, &g, &ng);
    }
    if (st == NC_OK) {
        in->scenarios = calloc(ng, sizeof *in->scenarios);
        st = in->scenarios ? NC_OK : oom(L);
    }
    for (size_t i = 0; st == NC_OK && i < ng; i++) {
        in->nscenarios = i + 1;
        st = build_scenario(L, k + g[i].start, g[i].len, &in->scenarios[i]);
    }
    free(k);
    free(g);
    return st;
}

static nc_status load(loader *L, const char *dir, nc_input *in)
{
    nc_status st;
    in->dir = strdup(dir);
    if (in->dir == NULL)
        return oom(L);
    if ((st = read_tables(L, dir)) != NC_OK
        || (st = index_names(L, E_GW, 1, &L->gw_ix)) != NC_OK
        || (st = index_names(L, E_DS, 1, &L->ds_ix)) != NC_OK
        || (st = load_profiles(L)) != NC_OK
        || (st = check_services(L)) != NC_OK
        || (st = check_scenario_rows(L)) != NC_OK)
        return st;
    in->ngateways = nrows(L, E_GW);
    in->ndestinations = nrows(L, E_DS);
    in->nservices = nrows(L, E_SV);
    in->nprofiles = L->nprofiles - 1;
    /* The files as they are, without overrides: the baseline, or a check only. */
    nc_scenario base = {0};
    if ((st = default_settings(L, &base, "baseline")) == NC_OK)
        st = resolve(L, NULL, &base);
    if (st != NC_OK || nrows(L, E_SC) > 0) {
        nc_scenario_free(&base);
        return st != NC_OK ? st : build_scenarios(L, in);
    }
    in->scenarios = malloc(sizeof *in->scenarios);
    if (in->scenarios == NULL) {
        nc_scenario_free(&base);
        return oom(L);
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
        return oom(&L);
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
