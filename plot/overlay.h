/*
 * overlay.h - observed series drawn over the occupancy and failures charts
 * (SPEC §6), from the scenario's model-vs-observed comparison (r->cmp).
 */
#ifndef NATCAP_PLOT_OVERLAY_H
#define NATCAP_PLOT_OVERLAY_H

#include "../model/result.h"
#include "chart.h"

#define OVERLAY_COLOUR CHART_BLACK
#define OVERLAY_BAND CHART_RGB(0xCC79A7, 0.30)

/* Highest value the overlay draws on panel g (0 when none): for the y axis. */
double overlay_level_max(const nc_scen_result *r, size_t g);
double overlay_failures_max(const nc_scen_result *r, size_t g);

/* The observed in_use (else open) series of gateway g, at the end of each
 * observed interval; for open, also the model's resampled 5-95 % band. */
void overlay_level(chart *c, const chart_map *m, const nc_scen_result *r, size_t g);
/* The observed alloc_failures, per sample_s interval of the chart. */
void overlay_failures(chart *c, const chart_map *m, const nc_scen_result *r, size_t g);

/* Legend label of the level / failures overlay of the scenario ("observed:
 * SOURCE"), NULL when there is none. */
const char *overlay_level_label(const nc_scen_result *r, char *buf, size_t len);
const char *overlay_failures_label(const nc_scen_result *r, char *buf, size_t len);

/* The scenario's "model vs observed" lines for the report page, from (x, y)
 * in width w; returns the height used (0 without observations). */
double overlay_report_block(chart *c, const nc_scen_result *r, double x, double y, double w);

#endif
