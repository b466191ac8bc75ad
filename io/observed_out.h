/*
 * observed_out.h - model vs observed outputs (SPEC §6): SCENARIO/observed.csv,
 * the observed_* cells of summary.csv, and the report's Markdown table.
 */
#ifndef NATCAP_IO_OBSERVED_OUT_H
#define NATCAP_IO_OBSERVED_OUT_H

#include "../model/result.h"
#include "outdir.h"

#include <stdio.h>

/* SCENARIO/observed.csv when r->cmp is set; nothing otherwise. */
nc_status observed_out_csv(outdir *od, const nc_scen_result *r, nc_error *err);

/* The header names appended to summary.csv's header (with a leading comma). */
#define OBSERVED_OUT_SUMMARY_HEADER \
    ",observed_peak,observed_peak_time,observed_first_failure,observed_failing_minutes," \
    "observed_mape,observed_coverage"

/* The matching cells of gateway g (with a leading comma; empty without observations). */
void observed_out_summary_cells(FILE *fp, const nc_scen_result *r, size_t g);

/* "## Model vs observed" section of report.md for the compared scenarios. */
void observed_out_markdown(FILE *fp, const nc_scen_result *const *rs, size_t n);

#endif
