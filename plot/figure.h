/*
 * figure.h - the natcap charts as drawing functions.
 *
 * Each figure_* function draws a whole chart into the box (0, 0)-(w, h) of a
 * chart context, in points, whatever the surface: plot.c calls them on a
 * surface of their own per file, report.c on a region of a PDF page, the
 * tests on an image.  They have the canvas_draw_fn signature; ctx is a
 * figure_ctx.  Fonts are fixed in points, so a smaller box gives a denser
 * chart, not smaller text: boxes below about 250 x 180 pt get crowded.
 */
#ifndef NATCAP_PLOT_FIGURE_H
#define NATCAP_PLOT_FIGURE_H

#include "../model/result.h"
#include "../model/summary.h"
#include "chart.h"
#include "plot.h"

/* Size of a standalone chart: PNG 1600 x 900 px at CANVAS_PNG_SCALE. */
#define FIGURE_W 800.0
#define FIGURE_H 450.0

enum {
    FIG_TITLE = 1,    /* scenario / gateway / description title lines */
    FIG_FOOTER = 2,   /* provenance footer: version, seed, generator, input */
    FIG_NO_LEGEND = 4, /* services: no legend column (the report's table is its legend) */
    FIG_STANDALONE = FIG_TITLE | FIG_FOOTER
};

typedef struct figure_ctx {
    const nc_scen_result *r;                 /* scenario figures */
    const nc_scen_result *const *rs;         /* comparison: all scenarios */
    size_t n;
    const plot_opts *o;                      /* input_dir for the footer */
    unsigned flags;                          /* FIG_* */
    /* Optional out (tests): the plot area of each gateway panel, at least
     * r->sc->ngateways entries (1 for services and comparison). */
    chart_map *maps;
} figure_ctx;

nc_status figure_occupancy(chart *c, double w, double h, void *ctx);
nc_status figure_failures(chart *c, double w, double h, void *ctx);
nc_status figure_services(chart *c, double w, double h, void *ctx);
nc_status figure_comparison(chart *c, double w, double h, void *ctx);

/* Standalone heights: taller when there are several gateway panels or many
 * comparison lines. */
double figure_panels_height(const nc_scen_result *r);
double figure_comparison_height(const nc_scen_result *const *rs, size_t n);

/* Index of the gateway with the highest peak utilisation (the first on
 * ties); 0 when there is none. */
size_t figure_fullest_gateway(const nc_scen_result *r);

/* Colour of service row `row` in the services chart (grey when it is in
 * "other"); false when the scenario has no such row. */
chart_rgba figure_row_colour(const nc_scen_result *r, size_t row);

/* "HH:MM" / "D+HH:MM" of a model time (µs), truncated to the minute. */
void figure_format_hhmm(sim_time t, char *buf, size_t len);

/* "60 s", "1 min", "15 min", "2 h": an interval length for axis titles. */
void figure_format_span(double s, char *buf, size_t len);

/* "service → destination" (with " @ gateway" when the scenario has several). */
void figure_row_label(const nc_scen_result *r, size_t row, char *buf, size_t len);

#endif
