/*
 * csv_out.h - the result CSV files of SPEC §4: summary.csv,
 * SCENARIO/timeseries.csv and SCENARIO/services.csv, plus the summary
 * table printed on stdout.  Names are written with libcsv's csv_fwrite
 * (quoted when needed), numbers with fixed formats, so files are
 * byte-identical for identical results.
 */
#ifndef NATCAP_IO_CSV_OUT_H
#define NATCAP_IO_CSV_OUT_H

#include "../model/result.h"
#include "outdir.h"

#include <stdio.h>

nc_status csv_out_summary(outdir *od, const nc_scen_result *const *rs, size_t n, nc_error *err);
nc_status csv_out_timeseries(outdir *od, const nc_scen_result *r, nc_error *err);
nc_status csv_out_services(outdir *od, const nc_scen_result *r, nc_error *err);

/* The short table of `natcap run` on stdout. */
void csv_out_table(FILE *fp, const nc_scen_result *const *rs, size_t n);

/* Write `s` as one CSV field: bare when it needs no quoting, else quoted. */
void csv_out_field(FILE *fp, const char *s);

#endif
