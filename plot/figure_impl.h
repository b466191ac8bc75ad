/*
 * figure_impl.h - what the chart files of plot/ share (figure.c: frame,
 * data series, occupancy, comparison; figure_failures.c; figure_services.c).
 * Private to them; everything else goes through figure.h.
 */
#ifndef NATCAP_PLOT_FIGURE_IMPL_H
#define NATCAP_PLOT_FIGURE_IMPL_H

#include "figure.h"

#include "../model/bottleneck.h"

#define MAX_POINTS 2000
#define MARGIN 16.0       /* page edge to title and footer */
#define LEFT 78.0         /* page edge to plot: room for "1,000,000" and the y title */
#define RIGHT 22.0        /* room for the last x label, "24:00", centred on the edge */
#define LEGEND_COL_W 230.0
#define PANEL_HEAD 16.0   /* panel header line above the plot */
#define PANEL_TICKS 16.0  /* x tick labels below the plot */
#define PANEL_GAP 10.0
#define X_TITLE 14.0
/* More panels than this would be unreadable, and the PNG would pass cairo's
 * 32,767-pixel limit: charts show the first FIGURE_MAX_PANELS gateways
 * (timeseries.csv has them all). */
#define FIGURE_MAX_PANELS 40

/* Per-interval figures of one gateway, binned to at most MAX_POINTS points. */
typedef struct series {
    size_t n;                       /* points (bins of intervals) */
    double *x;                      /* end of the bin, seconds */
    double *mean, *p05, *p95, *max; /* mappings in use in the fullest pool */
    double *syn_fail, *req_fail, *stale;
    double *util_pct;
    double *fail_pct;               /* failed requests / requests in the bin, % */
    double *requests;               /* requests in the bin (mean per rep), for fail_pct */
    double *buf;
} series;

enum { SERIES_COLS = 11 };

nc_status fig_series_load(const nc_scen_result *r, size_t g, series *s);
void fig_series_free(series *s);
double fig_series_max(const double *v, size_t n);
size_t fig_bin_width(const nc_scen_result *r);
double fig_interval_end_s(const nc_scen_result *r, uint32_t k);
double fig_duration_s(const nc_scen_result *r);
const char *fig_x_title(double axis_end_s);
int fig_value_ntick(double h);
void fig_boxed_label(chart *c, double x, double y, unsigned flags, chart_rgba col,
                     const char *text);
double fig_draw_title(chart *c, const figure_ctx *f, double w, const char *title,
                      const char *subtitle);
double fig_draw_footer(chart *c, const figure_ctx *f, double w, double h);
void fig_stack_maps(double top, double bottom, double x, double w, size_t n, int heads,
                    chart_map *out);
void fig_panel_head(chart *c, const chart_map *m, const char *name, const char *details);

#endif
