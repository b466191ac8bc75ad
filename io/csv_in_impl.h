/*
 * csv_in_impl.h - the loader's private parts, shared by its files:
 *   csv_in.c          entry points, the order of the stages
 *   csv_in_schema.c   column schemas, cell access, stage 1: files and headers
 *   csv_in_refs.c     stage 2: names and references
 *   csv_in_values.c   stage 3: values, presets and defaults of one scenario
 *   csv_in_overlay.c  scenarios.csv: settings, selectors, overrides, scales
 * Not for use outside io/csv_in*.c.
 */
#ifndef NATCAP_IO_CSV_IN_IMPL_H
#define NATCAP_IO_CSV_IN_IMPL_H

#include "csv_in.h"
#include "csv_read.h"
#include "csv_value.h"

#include <stddef.h>
#include <stdint.h>

#define NONE UINT32_MAX
#define MAX_COLS 15                    /* columns of the widest schema (services.csv) */
#define MAX_SCENARIO_WORK 4000000.0    /* scenario rows x input rows */
#define MAX_INTERVALS 1e7              /* duration_h * 3600 / sample_s */
#define MAX_SCALE 1e6                  /* rate_scale, instance_scale and their products */
#define MAX_INSTANCES 1000000000ull

enum { E_GW, E_DS, E_SV, E_PR, E_SC, E_N };

enum { GW_NAME, GW_PRESET, GW_NAT_IPS, GW_PORT_MIN, GW_PORT_MAX, GW_MAPPING, GW_PDL, GW_PPI,
       GW_TIME_WAIT, GW_IDLE, GW_RST_HOLD, GW_IDLE_RESET, GW_PORT_SELECTION, GW_NCOLS };
enum { DS_NAME, DS_ADDRESSES, DS_PORT, DS_DIST, DS_P50, DS_P99, DS_HANDSHAKE, DS_NCOLS };
enum { SV_NAME, SV_GATEWAY, SV_DEST, SV_INSTANCES, SV_RPS, SV_PROFILE, SV_POOL_MAX, SV_POOL_IDLE,
       SV_KEEPALIVE, SV_POOL_WAIT, SV_CONNECT, SV_SYN, SV_RETRIES, SV_BACKOFF, SV_RST,
       SV_NCOLS };
enum { PR_NAME, PR_TIME, PR_MULT, PR_NCOLS };
/* SC_DESC .. SC_OBSERVED are the scenario settings, given on at most one row. */
enum { SC_NAME, SC_DESC, SC_DURATION, SC_WARMUP, SC_REPL, SC_SEED, SC_SAMPLE, SC_OBSERVED,
       SC_RATE, SC_INST,
       SC_GW, SC_DS, SC_SV, SC_NCOLS };

typedef struct schema {
    const char *file;
    const char *const *cols;
    size_t ncols;
    unsigned required_cols;   /* bit j: column j must be in the header */
    int required_file;
    size_t first_override;    /* for gateways, destinations, services: first column that
                                 scenarios.csv may override (the ones before are names) */
} schema;

/* Value ranges; the upper bounds are sanity caps (see csv_in.h). */
static const csv_value_num R_SEC_GE0 = {0, 0, 1e9}, R_SEC_GT0 = {0, 1, 1e9};
static const csv_value_num R_FRACTION = {0, 0, 1};
static const csv_value_num R_MS_GE0 = {0, 0, 1e12}, R_MS_GT0 = {0, 1, 1e12};
static const csv_value_num R_RPS = {0, 0, 1e9}, R_MULT = {0, 0, 1e6};
static const csv_value_num R_RATE_SCALE = {0, 0, MAX_SCALE}, R_INST_SCALE = {0, 1, MAX_SCALE};
static const csv_value_num R_HOURS_GT0 = {0, 1, 8760}, R_HOURS_GE0 = {0, 0, 8760};
static const csv_value_int R_NAT_IPS = {1, 65535, 0}, R_PORT = {1, 65535, 1};
static const csv_value_int R_COUNT0 = {0, 1000000000, 0}, R_COUNT1 = {1, 1000000000, 0};
static const csv_value_int R_ADDRESSES = {1, 1000000, 0}, R_SYN = {0, 127, 0};
static const csv_value_int R_RETRIES = {0, 1000, 0}, R_REPL = {1, 1000000, 0};
static const csv_value_int R_SEED = {0, UINT64_MAX, 0};

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
    nc_error *err;          /* where the stages write the error at hand */
    csv_in_errors *errs;    /* every error kept so far (cin_keep) */
    struct csv_explain *ex; /* NULL, or what validate explains (io/explain.h) */
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

typedef struct group {
    size_t start, len, first;   /* run of sorted keys and its smallest row index */
} group;


extern const schema cin_schemas[E_N];
extern const char *const cin_sc_cols[SC_NCOLS];

/* csv_in.c: an input error st (in *L->err) is added to L->errs and the caller goes
 * on (NC_OK), unless the list is full already (NC_EINPUT, truncated: stop); an
 * error equal to one kept is dropped (NC_OK); any other status is
 * returned as it is (stop). */
nc_status cin_keep(const loader *L, nc_status st);

/* csv_in_schema.c: sorted name indexes, cell access, stage 1 (files and headers) */
int cin_key_cmp(const void *pa, const void *pb);
const key *cin_key_find(const key *ix, size_t n, const char *name);
size_t cin_nrows(const loader *L, int e);
nc_status cin_oom(const loader *L);
csv_value cin_base_value(const loader *L, int e, size_t row, size_t col);
csv_value cin_sc_value(const loader *L, size_t row, int tcol, const char *name);
csv_value cin_sc_col(const loader *L, size_t row, size_t col);
const char *cin_row_name(const loader *L, int e, size_t row);
void cin_view(const loader *L, const overlay *ov, int e, size_t row, csv_value *v);
const csv_value *cin_blame(const csv_value *a, const csv_value *b);
nc_status cin_read_tables(loader *L, const char *dir);

/* csv_in_refs.c: stage 2 (names and references) */
size_t cin_first_duplicate(const key *k, size_t n, size_t *orig);
nc_status cin_index_names(loader *L, int e, int unique, key **out);
nc_status cin_resolve_ref(const loader *L, const csv_value *v, int target, const key *ix,
                          size_t nix, size_t *out);
nc_status cin_check_services(loader *L);
nc_status cin_group_keys(const loader *L, const key *k, size_t n, group **out, size_t *ng);
nc_status cin_load_profiles(loader *L);
nc_status cin_check_scenario_rows(const loader *L);

/* csv_in_values.c: stage 3 (values, presets, defaults) */
nc_status cin_resolve(const loader *L, const overlay *ov, nc_scenario *sc);
nc_status cin_default_settings(const loader *L, nc_scenario *sc, const char *name);

/* csv_in_overlay.c: scenarios (settings, selectors, overrides, scales) */
nc_status cin_build_scenarios(const loader *L, nc_input *in);

#endif
