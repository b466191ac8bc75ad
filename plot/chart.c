/*
 * chart.c - axis arithmetic and drawing primitives (see chart.h).
 *
 * The arithmetic is pure and cheap (a few dozen operations per axis).  The
 * drawing functions issue one cairo path per call; series of up to a few
 * thousand points (plot.c bins longer ones) are drawn as single paths, which
 * keeps the PDF and SVG files small.  Nothing here allocates except
 * chart_create; a cairo error sticks in the cairo_t and is checked by the
 * caller after the page is finished.
 */
#include "chart.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---- pure axis arithmetic ------------------------------------------------ */

double chart_nicenum(double x, int round)
{
    if (!(x > 0))
        return 1.0;
    double e = floor(log10(x));
    double f = x / pow(10.0, e);     /* 1 <= f < 10 */
    double nf;
    if (round)
        nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else
        nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nf * pow(10.0, e);
}

void chart_nice_ticks(double min, double max, int ntick, chart_ticks *out)
{
    if (ntick < 2)
        ntick = 2;
    if (!(max > min)) {   /* also catches NaN: log10 of a zero range is -inf */
        double u = min != 0 ? fabs(min) * 0.1 : 0.5;
        min -= u;
        max = min + 2 * u;
    }
    double range = chart_nicenum(max - min, 0);
    double d = chart_nicenum(range / (ntick - 1), 1);
    /* The epsilons keep 80000/20000 = 4.0000000001 from adding a tick. */
    double lo = floor(min / d + 1e-9) * d;
    double hi = ceil(max / d - 1e-9) * d;
    out->lo = lo;
    out->hi = hi;
    out->step = d;
    out->count = (int)lround((hi - lo) / d) + 1;
    double nf = -floor(log10(d));
    out->nfrac = nf > 0 ? (int)nf : 0;
}

void chart_value_ticks(double data_max, double must_include, int ntick, chart_ticks *out)
{
    double top = data_max > must_include ? data_max : must_include;
    if (!(top > 0))
        top = 1.0 / 1.05;   /* nothing to show: a 0..1 axis */
    chart_nice_ticks(0.0, top * 1.05, ntick, out);
    out->lo = 0.0;
}

double chart_tick_value(const chart_ticks *t, int i)
{
    double v = t->lo + i * t->step;
    if (fabs(v) < t->step * 1e-6)
        v = 0.0;
    return v;
}

static const int64_t clock_steps_s[] = {
    60, 300, 600, 900, 1800,                  /* 1, 5, 10, 15, 30 min */
    3600, 7200, 10800, 14400, 21600, 43200,   /* 1, 2, 3, 4, 6, 12 h */
    86400, 172800, 604800                     /* 1, 2, 7 days: very long runs only */
};

int64_t chart_clock_step_s(double span_s, int max_ticks)
{
    size_t n = sizeof clock_steps_s / sizeof clock_steps_s[0];
    if (max_ticks < 2)
        max_ticks = 2;
    for (size_t i = 0; i < n; i++) {
        double ticks = floor(span_s / (double)clock_steps_s[i] + 1e-9) + 1;
        if (ticks <= max_ticks)
            return clock_steps_s[i];
    }
    return clock_steps_s[n - 1];
}

void chart_format_clock(double t_s, double axis_end_s, char *buf, size_t len)
{
    long long s = t_s > 0 ? (long long)floor(t_s + 1e-6) : 0;
    long long day = s / 86400, rem = s % 86400;
    if (s == 86400 && axis_end_s <= 86400.5)
        snprintf(buf, len, "24:00");
    else if (day == 0)
        snprintf(buf, len, "%02lld:%02lld", rem / 3600, rem / 60 % 60);
    else
        snprintf(buf, len, "%lld+%02lld:%02lld", day, rem / 3600, rem / 60 % 60);
}

void chart_format_number(double v, int nfrac, char *buf, size_t len)
{
    if (nfrac < 0)
        nfrac = 0;
    if (nfrac > 9)
        nfrac = 9;
    if (fabs(v) < 0.5 * pow(10.0, -nfrac))
        v = 0.0;   /* no "-0" */
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", nfrac, fabs(v));
    size_t ndig = strcspn(tmp, ".");   /* digits before the point */
    char out[96];
    size_t o = 0;
    if (v < 0)
        out[o++] = '-';
    for (size_t i = 0; tmp[i] != '\0' && o + 2 < sizeof out; i++) {
        if (i > 0 && i < ndig && (ndig - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = tmp[i];
    }
    out[o] = '\0';
    snprintf(buf, len, "%s", out);
}

double chart_map_x(const chart_map *m, double v)
{
    double span = m->x1 - m->x0;
    if (span == 0)
        span = 1;
    return m->x + (v - m->x0) / span * m->w;
}

double chart_map_y(const chart_map *m, double v)
{
    double span = m->y1 - m->y0;
    if (span == 0)
        span = 1;
    return m->y + m->h - (v - m->y0) / span * m->h;
}

chart_rgba chart_series_colour(size_t i)
{
    switch (i % 6) {
    case 0: return CHART_BLUE;
    case 1: return CHART_VERMILLION;
    case 2: return CHART_GREEN;
    case 3: return CHART_ORANGE;
    case 4: return CHART_PURPLE;
    default: return CHART_SKY;
    }
}

/* ---- drawing context ------------------------------------------------------- */

struct chart {
    cairo_t *cr;                   /* borrowed */
    PangoLayout *layout;
    PangoFontDescription *font;
    int snap;
};

chart *chart_create(cairo_t *cr, int snap)
{
    chart *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->cr = cr;
    c->snap = snap;
    c->layout = pango_cairo_create_layout(cr);
    c->font = pango_font_description_from_string("DejaVu Sans");
    if (c->layout == NULL || c->font == NULL) {
        chart_destroy(c);
        return NULL;
    }
    /* Unhinted metrics: text measures the same at every scale, so PNG, PDF
     * and SVG get the same layout.  Grey antialiasing whatever fontconfig
     * says, so PNGs do not depend on the machine's subpixel settings. */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(pango_layout_get_context(c->layout), fo);
    cairo_font_options_destroy(fo);
    pango_layout_context_changed(c->layout);
    return c;
}

void chart_destroy(chart *c)
{
    if (c == NULL)
        return;
    if (c->layout != NULL)
        g_object_unref(c->layout);
    if (c->font != NULL)
        pango_font_description_free(c->font);
    free(c);
}

cairo_t *chart_cairo(chart *c) { return c->cr; }

static void set_source(cairo_t *cr, chart_rgba col)
{
    cairo_set_source_rgba(cr, col.r, col.g, col.b, col.a);
}

/* ---- text ------------------------------------------------------------------ */

static void prepare_text(chart *c, double size_pt, unsigned flags, double max_w, int max_lines,
                         const char *text)
{
    pango_font_description_set_absolute_size(c->font, size_pt * PANGO_SCALE);
    pango_font_description_set_weight(c->font,
                                      (flags & CHART_BOLD) ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(c->layout, c->font);
    pango_layout_set_single_paragraph_mode(c->layout, max_lines <= 1);
    pango_layout_set_wrap(c->layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_width(c->layout, max_w > 0 ? (int)(max_w * PANGO_SCALE) : -1);
    pango_layout_set_height(c->layout, max_lines > 1 ? -max_lines : -1);
    pango_layout_set_ellipsize(c->layout, max_w > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
    pango_layout_set_text(c->layout, text, -1);
}

static void layout_size(chart *c, double *w, double *h)
{
    PangoRectangle ink, logical;
    pango_layout_get_extents(c->layout, &ink, &logical);
    *w = (double)logical.width / PANGO_SCALE;
    *h = (double)logical.height / PANGO_SCALE;
}

void chart_text_size(chart *c, double size_pt, unsigned flags, const char *text, double *w,
                     double *h)
{
    prepare_text(c, size_pt, flags, 0, 1, text);
    layout_size(c, w, h);
}

static void show_at(chart *c, double x, double y, unsigned flags, chart_rgba col, double w,
                    double h)
{
    cairo_t *cr = c->cr;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    if (flags & CHART_VERTICAL)
        cairo_rotate(cr, -M_PI / 2);
    double dx = (flags & CHART_RIGHT) ? -w : (flags & CHART_CENTER) ? -w / 2 : 0;
    double dy = (flags & CHART_BOTTOM) ? -h : (flags & CHART_MIDDLE) ? -h / 2 : 0;
    cairo_move_to(cr, dx, dy);
    set_source(cr, col);
    pango_cairo_update_layout(cr, c->layout);
    pango_cairo_show_layout(cr, c->layout);
    cairo_restore(cr);
}

double chart_text(chart *c, double x, double y, double size_pt, unsigned flags, chart_rgba col,
                  double max_w, const char *text)
{
    if (text == NULL || text[0] == '\0')
        return 0;
    prepare_text(c, size_pt, flags, max_w, 1, text);
    double w, h;
    layout_size(c, &w, &h);
    show_at(c, x, y, flags, col, w, h);
    return w;
}

double chart_paragraph(chart *c, double x, double y, double w, double size_pt, unsigned flags,
                       chart_rgba col, int max_lines, const char *text)
{
    if (text == NULL || text[0] == '\0')
        return 0;
    prepare_text(c, size_pt, flags, w, max_lines < 2 ? 2 : max_lines, text);
    double tw, th;
    layout_size(c, &tw, &th);
    show_at(c, x, y, CHART_LEFT | CHART_TOP, col, tw, th);
    return th;
}

/* ---- lines and areas --------------------------------------------------------- */

/* On a raster surface, move a line coordinate (x when vertical, y when
 * horizontal) so that a line `*width` thick covers whole pixels, and round
 * the width itself to whole pixels. */
static double snap_coord(chart *c, double v, int vertical, double *width)
{
    if (!c->snap)
        return v;
    double px = vertical ? v : 0, py = vertical ? 0 : v;
    double wx = *width, wy = *width;
    cairo_user_to_device_distance(c->cr, &wx, &wy);
    double wdev = vertical ? fabs(wx) : fabs(wy);
    double npx = floor(wdev + 0.5);
    if (npx < 1)
        npx = 1;
    cairo_user_to_device(c->cr, &px, &py);
    double *d = vertical ? &px : &py;
    *d = fmod(npx, 2.0) == 1.0 ? floor(*d) + 0.5 : floor(*d + 0.5);
    cairo_device_to_user(c->cr, &px, &py);
    *width *= npx / wdev;
    return vertical ? px : py;
}

static void stroke_style(cairo_t *cr, double width, chart_rgba col, double dash_pt)
{
    cairo_set_line_width(cr, width);
    set_source(cr, col);
    if (dash_pt > 0) {
        double d[2] = {dash_pt, dash_pt * 0.6};
        cairo_set_dash(cr, d, 2, 0);
    } else {
        cairo_set_dash(cr, NULL, 0, 0);
    }
}

void chart_fill_rect(chart *c, double x, double y, double w, double h, chart_rgba col)
{
    cairo_t *cr = c->cr;
    cairo_save(cr);
    cairo_rectangle(cr, x, y, w, h);
    set_source(cr, col);
    cairo_fill(cr);
    cairo_restore(cr);
}

void chart_hline(chart *c, double x0, double x1, double y, double width, chart_rgba col,
                 double dash_pt)
{
    cairo_t *cr = c->cr;
    cairo_save(cr);
    y = snap_coord(c, y, 0, &width);
    stroke_style(cr, width, col, dash_pt);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x1, y);
    cairo_stroke(cr);
    cairo_restore(cr);
}

void chart_vline(chart *c, double x, double y0, double y1, double width, chart_rgba col,
                 double dash_pt)
{
    cairo_t *cr = c->cr;
    cairo_save(cr);
    x = snap_coord(c, x, 1, &width);
    stroke_style(cr, width, col, dash_pt);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_move_to(cr, x, y0);
    cairo_line_to(cr, x, y1);
    cairo_stroke(cr);
    cairo_restore(cr);
}

static void clip_to(cairo_t *cr, const chart_map *m)
{
    cairo_rectangle(cr, m->x, m->y, m->w, m->h);
    cairo_clip(cr);
}

void chart_polyline(chart *c, const chart_map *m, const double *xs, const double *ys, size_t n,
                    double width, chart_rgba col, double dash_pt)
{
    if (n == 0)
        return;
    cairo_t *cr = c->cr;
    cairo_save(cr);
    clip_to(cr, m);
    stroke_style(cr, width, col, dash_pt);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_move_to(cr, chart_map_x(m, xs[0]), chart_map_y(m, ys[0]));
    for (size_t i = 1; i < n; i++)
        cairo_line_to(cr, chart_map_x(m, xs[i]), chart_map_y(m, ys[i]));
    cairo_stroke(cr);
    cairo_restore(cr);
}

void chart_band(chart *c, const chart_map *m, const double *xs, const double *lo,
                const double *hi, size_t n, chart_rgba col)
{
    if (n == 0)
        return;
    cairo_t *cr = c->cr;
    cairo_save(cr);
    clip_to(cr, m);
    /* upper edge left to right, lower edge back: one closed polygon */
    cairo_move_to(cr, chart_map_x(m, xs[0]), chart_map_y(m, hi[0]));
    for (size_t i = 1; i < n; i++)
        cairo_line_to(cr, chart_map_x(m, xs[i]), chart_map_y(m, hi[i]));
    for (size_t i = n; i-- > 0;)
        cairo_line_to(cr, chart_map_x(m, xs[i]), chart_map_y(m, lo[i]));
    cairo_close_path(cr);
    set_source(cr, col);
    cairo_fill(cr);
    cairo_restore(cr);
}

void chart_vspan(chart *c, const chart_map *m, double x0, double x1, double min_w,
                 chart_rgba col)
{
    double a = chart_map_x(m, x0), b = chart_map_x(m, x1);
    if (b - a < min_w) {
        double mid = (a + b) / 2;
        a = mid - min_w / 2;
        b = mid + min_w / 2;
    }
    cairo_t *cr = c->cr;
    cairo_save(cr);
    clip_to(cr, m);
    cairo_rectangle(cr, a, m->y, b - a, m->h);
    set_source(cr, col);
    cairo_fill(cr);
    cairo_restore(cr);
}

/* ---- axes --------------------------------------------------------------------- */

static void value_label(double v, const chart_ticks *t, chart_value_fmt fmt, char *buf, size_t len)
{
    if (fmt == CHART_FMT_PERCENT) {
        char num[48];
        chart_format_number(v, t->nfrac, num, sizeof num);
        snprintf(buf, len, "%s %%", num);
    } else {
        chart_format_number(v, t->nfrac, buf, len);
    }
}

void chart_axes(chart *c, const chart_map *m, const chart_ticks *yt, chart_value_fmt yfmt,
                const char *x_title, const char *y_title)
{
    char buf[64];
    double right = m->x + m->w, bottom = m->y + m->h;
    double label_w = 0;

    for (int i = 0; i < yt->count; i++) {
        double v = chart_tick_value(yt, i);
        double y = chart_map_y(m, v);
        if (v > m->y0 && v <= m->y1)
            chart_hline(c, m->x, right, y, 0.5, CHART_GRID, 0);
        value_label(v, yt, yfmt, buf, sizeof buf);
        double w = chart_text(c, m->x - 5, y, CHART_FS_LABEL, CHART_RIGHT | CHART_MIDDLE,
                              CHART_INK, 0, buf);
        if (w > label_w)
            label_w = w;
    }

    /* As many clock ticks as fit with a label's width of space between. */
    double tw, th;
    chart_format_clock(m->x1, m->x1, buf, sizeof buf);
    chart_text_size(c, CHART_FS_LABEL, 0, buf, &tw, &th);
    int max_ticks = (int)(m->w / (tw * 1.6 + 6.0)) + 1;
    int64_t step = chart_clock_step_s(m->x1 - m->x0, max_ticks);
    long long first = (long long)ceil(m->x0 / (double)step - 1e-9);
    for (long long i = first;; i++) {
        double t = (double)(i * step);
        if (t > m->x1 + 1e-6)
            break;
        double x = chart_map_x(m, t);
        if (t > m->x0)
            chart_vline(c, x, m->y, bottom, 0.5, CHART_GRID, 0);
        chart_vline(c, x, bottom, bottom + 3, 0.8, CHART_MUTED, 0);
        chart_format_clock(t, m->x1, buf, sizeof buf);
        chart_text(c, x, bottom + 4, CHART_FS_LABEL, CHART_CENTER | CHART_TOP, CHART_INK, 0, buf);
    }

    if (x_title != NULL)
        chart_text(c, m->x + m->w / 2, bottom + 6 + th, CHART_FS_LABEL, CHART_CENTER | CHART_TOP,
                   CHART_MUTED, 0, x_title);
    /* A y title longer than the axis is left out rather than cut: the
     * panel header or caption says what is plotted. */
    double yw = 0, yh;
    if (y_title != NULL)
        chart_text_size(c, CHART_FS_LABEL, 0, y_title, &yw, &yh);
    if (y_title != NULL && yw <= m->h + 20)
        chart_text(c, m->x - label_w - 10, m->y + m->h / 2, CHART_FS_LABEL,
                   CHART_VERTICAL | CHART_CENTER | CHART_BOTTOM, CHART_MUTED, 0, y_title);
}

void chart_frame(chart *c, const chart_map *m)
{
    chart_hline(c, m->x, m->x + m->w, m->y + m->h, 0.8, CHART_MUTED, 0);
    chart_vline(c, m->x, m->y, m->y + m->h, 0.8, CHART_MUTED, 0);
}

/* ---- legends ------------------------------------------------------------------- */

#define SWATCH_W 18.0
#define LEGEND_ROW_H 12.0

static void draw_swatch(chart *c, double x, double ymid, const chart_legend_item *it)
{
    switch (it->kind) {
    case CHART_SW_AREA:
        chart_fill_rect(c, x + 2, ymid - 4, SWATCH_W - 4, 8, it->col);
        break;
    case CHART_SW_THIN:
        chart_hline(c, x, x + SWATCH_W, ymid, 0.7, it->col, 0);
        break;
    case CHART_SW_DASH:
        chart_hline(c, x, x + SWATCH_W, ymid, 1.4, it->col, 4);
        break;
    case CHART_SW_LINE:
        chart_hline(c, x, x + SWATCH_W, ymid, 2.0, it->col, 0);
        break;
    }
}

double chart_legend_row(chart *c, double x, double y, double w, const chart_legend_item *items,
                        size_t n, int draw)
{
    double cx = x, cy = y;
    for (size_t i = 0; i < n; i++) {
        double tw, th;
        chart_text_size(c, CHART_FS_LABEL, 0, items[i].label, &tw, &th);
        double iw = SWATCH_W + 4 + tw;
        if (cx > x && cx + iw > x + w) {
            cx = x;
            cy += LEGEND_ROW_H;
        }
        if (draw) {
            draw_swatch(c, cx, cy + LEGEND_ROW_H / 2, &items[i]);
            chart_text(c, cx + SWATCH_W + 4, cy + LEGEND_ROW_H / 2, CHART_FS_LABEL, CHART_MIDDLE,
                       CHART_INK, x + w - cx - SWATCH_W - 4, items[i].label);
        }
        cx += iw + 14;
    }
    return n > 0 ? cy - y + LEGEND_ROW_H : 0;
}

double chart_legend_column(chart *c, double x, double y, double w,
                           const chart_legend_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double ymid = y + (double)i * (LEGEND_ROW_H + 2) + LEGEND_ROW_H / 2;
        draw_swatch(c, x, ymid, &items[i]);
        chart_text(c, x + SWATCH_W + 4, ymid, CHART_FS_LABEL, CHART_MIDDLE, CHART_INK,
                   w - SWATCH_W - 4, items[i].label);
    }
    return (double)n * (LEGEND_ROW_H + 2);
}
