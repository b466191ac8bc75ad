/*
 * plot.h - the charts and reports of a run (SPEC section 4).
 *
 * Every chart is drawn by one renderer in points (plot/figure.h) onto PNG,
 * PDF or SVG surfaces (plot/canvas.h), with text set by pango in DejaVu
 * Sans, and written through the output-directory transaction: a file is
 * complete or absent.  The numbers come from model/summary.h, so charts,
 * CSV files and the stdout table agree.
 *
 * Not thread-safe with respect to one outdir (outdir is single-writer); the
 * functions themselves keep no global state.  Library code: nothing is
 * printed; failures return NC_ENOMEM, NC_EIO or NC_ECREATE with err filled.
 */
#ifndef NATCAP_PLOT_PLOT_H
#define NATCAP_PLOT_PLOT_H

#include "../io/outdir.h"
#include "../model/status.h"
#include "../model/result.h"

#include <stddef.h>

enum { PLOT_PNG = 1, PLOT_PDF = 2, PLOT_SVG = 4 };

typedef struct plot_opts {
    unsigned formats;          /* PLOT_* bits, from --format */
    const char *input_dir;     /* for footers and the report */
    long long run_epoch;       /* seconds since 1970: the run's date (SOURCE_DATE_EPOCH or now) */
} plot_opts;

/* SCENARIO/occupancy.*, SCENARIO/failures.*, SCENARIO/services.* in every
 * format of o->formats (none when it is 0).  r and o are borrowed. */
nc_status plot_scenario(outdir *od, const nc_scen_result *r, const plot_opts *o, nc_error *err);

/* comparison.*: the mean utilisation of every scenario (one line per
 * scenario and gateway when a scenario has several).  n may be 0. */
nc_status plot_comparison(outdir *od, const nc_scen_result *const *rs, size_t n,
                          const plot_opts *o, nc_error *err);

/* report.pdf and report.md (always both, whatever --format says); defined in
 * plot/report.c.  report.md links the charts in the first of PNG, SVG, PDF
 * that o->formats includes. */
nc_status report_write(outdir *od, const nc_scen_result *const *rs, size_t n,
                       const plot_opts *o, nc_error *err);

#endif
