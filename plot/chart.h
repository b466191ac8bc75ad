/*
 * chart.h - the building blocks of every natcap chart: axis arithmetic
 * (pure functions, unit-tested) and a few cairo + pangocairo drawing
 * primitives.
 *
 * Units.  Everything is designed in points (1/72 inch), the native unit of
 * the PDF and SVG surfaces; a PNG surface is given its resolution through
 * cairo_scale() before drawing, so the same code draws every format.  Text
 * goes through pango with the font pinned to "DejaVu Sans" at an absolute
 * size in points, with hinted metrics off so that text measures the same on
 * every surface (a chart laid out for PNG is laid out identically in PDF).
 *
 * Time axes are in seconds from 00:00 of day 0 (doubles: the model's
 * microseconds converted once); value axes start at 0.
 */
#ifndef NATCAP_PLOT_CHART_H
#define NATCAP_PLOT_CHART_H

#include <cairo.h>
#include <stddef.h>
#include <stdint.h>

/* ---- pure axis arithmetic ------------------------------------------------ */

/* A "loose" linear axis after Heckbert (Graphics Gems, 1990): both ends are
 * multiples of step, ticks are lo + i*step for i in [0, count). */
typedef struct chart_ticks {
    double lo, hi;
    double step;        /* 1, 2 or 5 x 10^k */
    int count;          /* number of ticks, lo and hi included */
    int nfrac;          /* digits after the decimal point the labels need */
} chart_ticks;

/* Heckbert's nice number near x > 0: 1, 2, 5 or 10 times a power of ten.
 * round != 0 picks the nearest (cuts at 1.5, 3, 7), else the one >= x. */
double chart_nicenum(double x, int round);

/* Ticks covering [min, max] with about `ntick` (>= 2) ticks.  min == max is
 * widened to a unit around the value. */
void chart_nice_ticks(double min, double max, int ntick, chart_ticks *out);

/* Value axis of counts: from 0 to 5 % above max(data_max, must_include), so
 * the capacity line is always inside the chart.  An all-zero series gets 0..1. */
void chart_value_ticks(double data_max, double must_include, int ntick, chart_ticks *out);

/* Tick i, computed as lo + i*step (no accumulated drift), with values within
 * a millionth of a step of zero snapped to 0 so "-0" is never printed. */
double chart_tick_value(const chart_ticks *t, int i);

/* Clock-time tick step in seconds: the smallest of 1, 5, 10, 15, 30 min,
 * 1, 2, 3, 4, 6, 12 h (then 1, 2, 7 days for very long runs) that puts at
 * most `max_ticks` ticks on [0, span_s], counting the one at 0. */
int64_t chart_clock_step_s(double span_s, int max_ticks);

/* Axis label of a time t_s >= 0: "HH:MM"; past the first day "D+HH:MM" (the
 * form timeseries.csv uses), except that the end of a one-day axis
 * (t == 86400 when axis_end_s <= 86400) reads "24:00".  Seconds are
 * truncated, as on a clock. */
void chart_format_clock(double t_s, double axis_end_s, char *buf, size_t len);

/* v rounded to nfrac decimals with thousands separated by commas:
 * 64512 -> "64,512", 0.25 with nfrac 2 -> "0.25".  Never "-0". */
void chart_format_number(double v, int nfrac, char *buf, size_t len);

/* Data -> user-space mapping of one plot area.  (x, y) is the top-left corner
 * of the area, w and h its size; [x0, x1] and [y0, y1] the data ranges.
 * y grows upwards in data and downwards on the page. */
typedef struct chart_map {
    double x, y, w, h;
    double x0, x1, y0, y1;
} chart_map;

double chart_map_x(const chart_map *m, double v);
double chart_map_y(const chart_map *m, double v);

/* ---- colours: Okabe & Ito, "Color Universal Design" (2008) --------------- */

typedef struct chart_rgba {
    double r, g, b, a;
} chart_rgba;

#define CHART_RGB(hex, alpha)                                                                      \
    ((chart_rgba){((hex) >> 16 & 0xff) / 255.0, ((hex) >> 8 & 0xff) / 255.0, ((hex)&0xff) / 255.0, \
                  (alpha)})
#define CHART_BLACK CHART_RGB(0x000000, 1.0)
#define CHART_ORANGE CHART_RGB(0xE69F00, 1.0)
#define CHART_SKY CHART_RGB(0x56B4E9, 1.0)
#define CHART_GREEN CHART_RGB(0x009E73, 1.0)
#define CHART_YELLOW CHART_RGB(0xF0E442, 1.0)
#define CHART_BLUE CHART_RGB(0x0072B2, 1.0)
#define CHART_VERMILLION CHART_RGB(0xD55E00, 1.0)
#define CHART_PURPLE CHART_RGB(0xCC79A7, 1.0)
/* neutrals for text, axes and grid */
#define CHART_INK CHART_RGB(0x222222, 1.0)
#define CHART_MUTED CHART_RGB(0x666666, 1.0)
#define CHART_GRID CHART_RGB(0xE3E3E3, 1.0)

/* The i-th colour for data series that must be told apart (lines, stacked
 * areas): the Okabe-Ito colours without yellow (unreadable as a thin line
 * on white) and without black (kept for reference lines); cycles after 6. */
chart_rgba chart_series_colour(size_t i);

/* ---- drawing --------------------------------------------------------------- */

/* A drawing context: a borrowed cairo_t plus a pango layout.  snap != 0
 * (raster output) places thin horizontal and vertical lines on pixel
 * boundaries so that they come out crisp. */
typedef struct chart chart;

chart *chart_create(cairo_t *cr, int snap);   /* NULL on ENOMEM */
void chart_destroy(chart *c);                 /* NULL is a no-op */
cairo_t *chart_cairo(chart *c);

/* Text placement flags: horizontal and vertical anchor, weight, rotation. */
enum {
    CHART_LEFT = 0, CHART_CENTER = 1, CHART_RIGHT = 2,   /* anchor x */
    CHART_TOP = 0, CHART_MIDDLE = 4, CHART_BOTTOM = 8,   /* anchor y */
    CHART_BOLD = 16,
    CHART_VERTICAL = 32   /* rotated 90 degrees counter-clockwise, for y titles */
};

/* Draw one line of UTF-8 text anchored at (x, y); max_w > 0 ellipsizes it at
 * the end to that width.  Returns the drawn width. */
double chart_text(chart *c, double x, double y, double size_pt, unsigned flags, chart_rgba col,
                  double max_w, const char *text);

/* Width and height the text would take (no ellipsizing). */
void chart_text_size(chart *c, double size_pt, unsigned flags, const char *text, double *w,
                     double *h);

/* Text wrapped at word boundaries into width w, top-left at (x, y), at most
 * max_lines lines (the last one ellipsized).  Returns the height used. */
double chart_paragraph(chart *c, double x, double y, double w, double size_pt, unsigned flags,
                       chart_rgba col, int max_lines, const char *text);

void chart_fill_rect(chart *c, double x, double y, double w, double h, chart_rgba col);

/* Horizontal / vertical line in user space; dash_pt > 0 makes it dashed. */
void chart_hline(chart *c, double x0, double x1, double y, double width, chart_rgba col,
                 double dash_pt);
void chart_vline(chart *c, double x, double y0, double y1, double width, chart_rgba col,
                 double dash_pt);

/* Line through the data points (xs[i], ys[i]), clipped to the plot area;
 * dash_pt > 0 makes it dashed. */
void chart_polyline(chart *c, const chart_map *m, const double *xs, const double *ys, size_t n,
                    double width, chart_rgba col, double dash_pt);

/* Filled area between lo[i] and hi[i] over xs[i] (a percentile band, or one
 * layer of a stacked area), clipped to the plot area. */
void chart_band(chart *c, const chart_map *m, const double *xs, const double *lo,
                const double *hi, size_t n, chart_rgba col);

/* Shade the data-x span [x0, x1] over the whole height of the plot area; at
 * least min_w points wide so that one short interval stays visible. */
void chart_vspan(chart *c, const chart_map *m, double x0, double x1, double min_w,
                 chart_rgba col);

/* How value-axis labels are written. */
typedef enum chart_value_fmt {
    CHART_FMT_COUNT,     /* "60,000" */
    CHART_FMT_PERCENT    /* "80 %" */
} chart_value_fmt;

/* Grid, axis lines, tick labels and axis titles of a plot area whose x axis
 * is clock time over [m->x0, m->x1] seconds.  x_title may be NULL (no title,
 * e.g. on upper panels of a stack); a y title longer than the axis is left
 * out.  Drawn first: data goes on top. */
void chart_axes(chart *c, const chart_map *m, const chart_ticks *yt, chart_value_fmt yfmt,
                const char *x_title, const char *y_title);

/* Frame drawn last, over the data, so the plot edges stay clean. */
void chart_frame(chart *c, const chart_map *m);

/* One legend entry: a swatch and its label. */
typedef enum chart_swatch {
    CHART_SW_LINE, CHART_SW_THIN, CHART_SW_DASH, CHART_SW_AREA
} chart_swatch;

typedef struct chart_legend_item {
    chart_swatch kind;
    chart_rgba col;
    const char *label;
} chart_legend_item;

/* Entries left to right from (x, y), wrapping into further rows within
 * width w.  Returns the height used.  draw == 0 only measures. */
double chart_legend_row(chart *c, double x, double y, double w, const chart_legend_item *items,
                        size_t n, int draw);

/* Entries top to bottom in a column of width w (labels ellipsized). */
double chart_legend_column(chart *c, double x, double y, double w,
                           const chart_legend_item *items, size_t n);

/* Standard text sizes, in points. */
#define CHART_FS_TITLE 14.0
#define CHART_FS_SUBTITLE 9.5
#define CHART_FS_PANEL 10.0
#define CHART_FS_LABEL 8.0
#define CHART_FS_SMALL 7.0

#endif
