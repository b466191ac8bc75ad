/*
 * estimate_out.h - `natcap estimate`'s output: a table and one verdict line
 * per scenario and gateway on stdout, and estimate.csv (one row per scenario
 * and gateway; columns in the README).
 */
#ifndef NATCAP_IO_ESTIMATE_OUT_H
#define NATCAP_IO_ESTIMATE_OUT_H

#include "../model/config.h"
#include "../model/estimate.h"
#include "outdir.h"

#include <stdio.h>

void estimate_print(FILE *fp, const nc_input *in, const estimate_row *rows, size_t n);

/* estimate.csv into od (committed by the caller). */
nc_status estimate_write(outdir *od, const nc_input *in, const estimate_row *rows, size_t n,
                         nc_error *err);

/* The verdict sentence of one row, e.g. "demand 65,583 at 20:30 against 55,000 in
 * segment#1: exhausts". */
void estimate_sentence(const nc_input *in, const estimate_row *r, char *buf, size_t len);

#endif
