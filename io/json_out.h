/*
 * json_out.h - the JSON twins of the CSV results (summary.json, plan.json),
 * written with jansson FROM the CSV as it was written in this run, so a
 * column added to the CSV appears in the JSON without touching this file.
 *
 * Shape: {"generator": "natcap VERSION", "source": "summary.csv",
 *         "columns": [header names in order], "rows": [{column: value}...],
 *         ...extra members}
 * A cell becomes null when empty, a JSON number when every non-empty cell
 * of its column is a finite decimal number (an integer when written
 * without a point or exponent), else a string.  Name columns (scenario,
 * gateway, service, destination, ...) are always strings.
 */
#ifndef NATCAP_IO_JSON_OUT_H
#define NATCAP_IO_JSON_OUT_H

#include "outdir.h"

#include <jansson.h>

/* Read back csv_rel (finished in this transaction of od) and write json_rel
 * beside it.  `extra` (may be NULL) is an object whose members are added to
 * the top level; it is borrowed. */
nc_status json_out_from_csv(outdir *od, const char *csv_rel, const char *json_rel,
                            json_t *extra, nc_error *err);

/* Write the JSON value `v` (borrowed) to json_rel, indented, reals with 15
 * significant digits, and a final newline. */
nc_status json_out_write(outdir *od, const char *json_rel, const json_t *v, nc_error *err);

/* A cell as a JSON value with the rules above (`text` 0: number if it parses). */
json_t *json_out_cell(const char *s, int text);

#endif
