/*
 * explain.h - what the loader resolved and why, for `natcap validate`:
 * where each gateway value came from (a preset, the file, a default, the
 * azure_lb backend-size tier) and what each scenarios.csv row overrode
 * (column, value, selectors, the rows it touched).
 *
 * Filled by csv_in_load_all (io/csv_in.h) while it applies presets and
 * overlays; a few records per scenario row, so it costs nothing next to the
 * load.  Printed by io/validate_out.c.  Plain structs, owned by the caller.
 */
#ifndef NATCAP_IO_EXPLAIN_H
#define NATCAP_IO_EXPLAIN_H

#include "../model/config.h"

#include <stddef.h>
#include <stdint.h>

typedef enum csv_src {
    CSV_SRC_DEFAULT = 0,   /* natcap's default (SPEC §2) */
    CSV_SRC_PRESET,        /* the gateway's preset */
    CSV_SRC_EXPLICIT,      /* given in gateways.csv */
    CSV_SRC_BACKEND        /* azure_lb: the tier of the backend size */
} csv_src;

/* Columns of gateways.csv, in this order (the loader's schema order). */
enum { CSV_EX_GW_NAME, CSV_EX_GW_PRESET, CSV_EX_GW_NAT_IPS, CSV_EX_GW_PORT_MIN,
       CSV_EX_GW_PORT_MAX, CSV_EX_GW_MAPPING, CSV_EX_GW_PDL, CSV_EX_GW_PPI,
       CSV_EX_GW_TIME_WAIT, CSV_EX_GW_IDLE, CSV_EX_GW_RST_HOLD, CSV_EX_GW_IDLE_RESET,
       CSV_EX_GW_PORT_SELECTION, CSV_EX_GW_NCOLS };

typedef struct csv_explain_gw {
    unsigned char src[CSV_EX_GW_NCOLS];   /* csv_src of each column */
    uint64_t backend;                     /* azure_lb tier: the backend size it used */
} csv_explain_gw;

/* Which file a record is about: gateways.csv, destinations.csv, services.csv. */
enum { CSV_EX_GATEWAYS, CSV_EX_DESTINATIONS, CSV_EX_SERVICES };

typedef struct csv_explain_override {
    char scenario[NC_NAME_MAX + 1];
    long line;                /* of scenarios.csv */
    int file;                 /* CSV_EX_GATEWAYS .. CSV_EX_SERVICES */
    char column[32];          /* the column overridden, or rate_scale / instance_scale */
    char value[64];           /* as given */
    char selectors[224];      /* "destination=segment, service=web"; "" without */
    size_t nrows, total;      /* rows of the file it applied to, and the file's rows */
    size_t *rows;             /* [nrows] their indexes, owned */
} csv_explain_override;

typedef struct csv_explain {
    const char *const *gw_cols;   /* [CSV_EX_GW_NCOLS] names of gateways.csv's columns */
    int have_base;
    nc_scenario base;             /* the files without any override (owned) */
    csv_explain_gw *gw;           /* [base.ngateways], of base */
    size_t noverrides;
    csv_explain_override *ov;
    size_t cap;
} csv_explain;

void csv_explain_free(csv_explain *ex);   /* zeroes; NULL is a no-op */

/* Append a record (copied, rows included); 0, or -1 out of memory. */
int csv_explain_add(csv_explain *ex, const csv_explain_override *o, const size_t *rows);

/* The column that an override record changes in the resolved structs: rate_scale
 * changes rps, instance_scale instances, any other column itself. */
const char *csv_explain_target(const csv_explain_override *o);

/* Row `row` of file `file` of sc, column `column` (a column name of that file),
 * formatted as a value into buf; 0, or -1 for a column it does not know. */
int csv_explain_value(const nc_scenario *sc, int file, size_t row, const char *column,
                      char *buf, size_t len);

/* A short name of row `row` of `file`: the gateway, the destination, or
 * "service>destination" (with "@gateway" when sc has several). */
void csv_explain_row_name(const nc_scenario *sc, int file, size_t row, char *buf, size_t len);

#endif
