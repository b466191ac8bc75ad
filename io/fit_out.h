/*
 * fit_out.h - the input directory `natcap fit` writes: input files copied
 * byte for byte, or rewritten cell by cell (libcsv quoting) with some cells
 * replaced.
 */
#ifndef NATCAP_IO_FIT_OUT_H
#define NATCAP_IO_FIT_OUT_H

#include "../model/status.h"
#include "outdir.h"

/* The new text of data row `row` (first physical line `line`) in column
 * `col` whose old cell is `cell` (NULL when blank or when col is the added
 * column): NULL keeps it.  The returned string is copied at once. */
typedef const char *(*fit_cell_fn)(void *ud, size_t row, long line, const char *col,
                                   const char *cell, char *buf, size_t len);

/* DIR/NAME to the output NAME unchanged (nothing when it does not exist). */
nc_status fit_out_copy(outdir *od, const char *dir, const char *name, nc_error *err);

/* DIR/NAME rewritten: `comment` lines first (each starting with "# "), the
 * header (plus add_col when not NULL and absent), every data row through fn;
 * then `extra` appended verbatim (rows in the same columns, may be NULL).
 * A missing file is written from `header_if_missing` + extra. */
nc_status fit_out_rewrite(outdir *od, const char *dir, const char *name, const char *comment,
                          const char *add_col, fit_cell_fn fn, void *ud, const char *extra,
                          const char *header_if_missing, nc_error *err);

#endif
