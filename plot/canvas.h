/*
 * canvas.h - one drawing routine, three file formats.
 *
 * A chart is a function that draws on a chart context in points; canvas
 * creates the cairo surface for a format (PNG image, PDF or SVG stream),
 * runs the function, and writes the result through the output-directory
 * transaction (io/outdir.h), so a file is complete or absent.
 *
 * Reproducibility: PNG and SVG are byte-identical for identical input.  PDF
 * is too, because its creation date is set from the caller's epoch instead of
 * the clock (cairo 1.16 ignores SOURCE_DATE_EPOCH).
 */
#ifndef NATCAP_PLOT_CANVAS_H
#define NATCAP_PLOT_CANVAS_H

#include "../io/outdir.h"
#include "../model/status.h"
#include "chart.h"

/* PNG pixels per point: an 800 x 450 pt chart becomes 1600 x 900 px. */
#define CANVAS_PNG_SCALE 2.0

/* Draws one chart (or, on a PDF, several pages: call cairo_show_page
 * between pages, not after the last) in the box (0, 0)-(w_pt, h_pt). */
typedef nc_status (*canvas_draw_fn)(chart *c, double w_pt, double h_pt, void *ctx);

typedef enum canvas_format { CANVAS_PNG, CANVAS_PDF, CANVAS_SVG } canvas_format;

typedef struct canvas_meta {
    const char *title;     /* PDF title; may be NULL */
    long long epoch;       /* PDF creation date, seconds since 1970 (UTC) */
} canvas_meta;

/* File-name extension of a format, without the dot. */
const char *canvas_ext(canvas_format f);

/* Draw with fn into a new file `relpath` of od.  NC_ENOMEM, or NC_EIO when
 * cairo or the file fails; the detail goes to err.  On failure the
 * temporary file may still exist: the caller aborts the output directory. */
nc_status canvas_write(outdir *od, const char *relpath, canvas_format f, double w_pt,
                       double h_pt, const canvas_meta *meta, canvas_draw_fn fn, void *ctx,
                       nc_error *err);

/* Draw with fn onto a new white image surface of CANVAS_PNG_SCALE pixels per
 * point (for tests).  The caller destroys *out; check its status. */
nc_status canvas_render_image(double w_pt, double h_pt, canvas_draw_fn fn, void *ctx,
                              cairo_surface_t **out, nc_error *err);

/* ISO 8601 UTC "YYYY-MM-DDTHH:MM:SSZ" of an epoch (for PDF metadata) and
 * "YYYY-MM-DD HH:MM UTC" (for people). */
void canvas_format_epoch_iso(long long epoch, char *buf, size_t len);
void canvas_format_epoch_human(long long epoch, char *buf, size_t len);

#endif
