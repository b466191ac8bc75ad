/*
 * check_chart.c - plot/chart: tick and clock-step choice, label formats and
 * data-to-pixel mapping (pure), and rendering checks on image surfaces:
 * status, size, the capacity line's colour where it should be, and shading
 * exactly where allocations failed.  No golden images: they would break on
 * every cairo, pango or font update.
 */
#include "../model/result.h"
#include "../plot/canvas.h"
#include "../plot/chart.h"
#include "../plot/figure.h"
#include "fixture.h"

#include <check.h>
#include <math.h>
#include <string.h>

/* ---- a hand-built result: one or two gateways, a few service rows ------------ */

typedef struct fixture {
    fx x;                 /* the scenario (fixture.h) */
    nc_scen_result *r;
} fixture;

/* 2 h at 60 s intervals (120 intervals), 4 replications; gateway 0 has a
 * single pool of 10,000 mappings and holds ~1,000 of them all the time.
 * fail_from..fail_to (interval indexes, inclusive) get failed allocations
 * when fail_to >= fail_from. */
static void fixture_init(fixture *f, size_t ngw, int fail_from, int fail_to)
{
    fx_init(&f->x);
    nc_scenario *sc = &f->x.sc;
    snprintf(sc->name, sizeof sc->name, "fx");
    sc->description = (char *)"a test scenario";
    sc->warmup_h = 0;
    sc->seed = 7;
    f->x.gw[1] = f->x.gw[0];
    for (size_t g = 0; g < 2; g++) {
        nc_gateway *gw = &f->x.gw[g];
        snprintf(gw->name, sizeof gw->name, "gw%zu", g);
        gw->port_min = 1;
        gw->port_max = 10000;
        gw->per_destination_limit = 10000;
        gw->time_wait_s = 120;
    }
    sc->ngateways = ngw;
    sc->nprofiles = 0;   /* no profile: no analytic estimate on the charts */
    for (size_t i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "svc%zu", i);
        fx_add_row(&f->x, name, i % ngw, 0, 1, 0);
    }

    nc_scen_result *r = nc_scen_result_create(sc, 4);
    ck_assert_ptr_nonnull(r);
    snprintf(r->rng_name, sizeof r->rng_name, "mt19937");
    for (size_t g = 0; g < ngw; g++) {
        nc_gw_result *x = &r->gw[g];
        for (uint32_t rep = 0; rep < r->reps; rep++) {
            for (uint32_t k = 0; k < r->nsamples; k++)
                x->in_use_by_rep[(size_t)rep * r->nsamples + k] = 1000 + rep * 10;
            x->peak_by_rep[rep] = 1000 + rep * 10;
            x->peak_sum += 1000 + rep * 10;
        }
        x->peak_max = 1030;
        for (uint32_t k = 0; k < r->nsamples; k++) {
            x->in_use_max[k] = 1100;
            x->requests_sum[k] = 400;
        }
        x->requests = 400 * (uint64_t)r->nsamples;
    }
    for (size_t i = 0; i < 3; i++)
        for (uint32_t k = 0; k < r->nsamples; k++)
            r->rows[i].in_use_sum[k] = 4 * (300 + 100 * i);
    if (fail_to >= fail_from) {
        nc_gw_result *x = &r->gw[0];
        for (int k = fail_from; k <= fail_to; k++) {
            x->fail_reps[k] = 2;
            x->alloc_failures_sum[k] = 50;
            x->failed_requests_sum[k] = 5;
        }
        x->first_exhaustion = (sim_time)fail_from * r->sample_us + 5 * SIM_US_PER_S;
        x->exhausted_reps = 2;
        x->alloc_failures = 50 * (uint64_t)(fail_to - fail_from + 1);
        x->exhausted_us_sum = (uint64_t)(60 * 2 * (fail_to - fail_from + 1)) * UINT64_C(1000000);
    }
    f->r = r;
}

static void fixture_free(fixture *f) { nc_scen_result_destroy(f->r); }

/* ---- pure arithmetic ---------------------------------------------------------- */

START_TEST(test_nicenum)
{
    ck_assert_double_eq_tol(chart_nicenum(67737, 0), 100000, 1e-6);
    ck_assert_double_eq_tol(chart_nicenum(25000, 1), 20000, 1e-6);
    ck_assert_double_eq_tol(chart_nicenum(1.49, 1), 1, 1e-12);
    ck_assert_double_eq_tol(chart_nicenum(1.5, 1), 2, 1e-12);
    ck_assert_double_eq_tol(chart_nicenum(6.9, 1), 5, 1e-12);
    ck_assert_double_eq_tol(chart_nicenum(7, 1), 10, 1e-12);
    ck_assert_double_eq_tol(chart_nicenum(2, 0), 2, 1e-12);
    ck_assert_double_eq_tol(chart_nicenum(2.1, 0), 5, 1e-12);
    ck_assert_double_eq_tol(chart_nicenum(0.03, 0), 0.05, 1e-12);
}
END_TEST

START_TEST(test_nice_ticks)
{
    chart_ticks t;
    chart_nice_ticks(0, 67737.6, 5, &t);   /* the prototype's 0..80000 by 20000 */
    ck_assert_double_eq_tol(t.lo, 0, 1e-9);
    ck_assert_double_eq_tol(t.hi, 80000, 1e-9);
    ck_assert_double_eq_tol(t.step, 20000, 1e-9);
    ck_assert_int_eq(t.count, 5);
    ck_assert_int_eq(t.nfrac, 0);

    chart_nice_ticks(0, 0.315, 6, &t);
    ck_assert_double_eq_tol(t.step, 0.1, 1e-12);
    ck_assert_int_eq(t.nfrac, 1);

    chart_nice_ticks(5, 5, 6, &t);          /* degenerate: no log10(0) */
    ck_assert(t.lo <= 5 && t.hi >= 5 && t.count >= 2);

    chart_nice_ticks(-1, 1, 11, &t);        /* tick 5 is exactly 0, not -2e-17 */
    ck_assert(chart_tick_value(&t, 5) == 0.0);
    ck_assert(!signbit(chart_tick_value(&t, 5)));
}
END_TEST

START_TEST(test_value_ticks_include_capacity)
{
    chart_ticks t;
    chart_value_ticks(60000, 64512, 8, &t);
    ck_assert(t.lo == 0.0);
    ck_assert(t.hi >= 64512 * 1.05 - 1e-6);
    ck_assert_double_eq_tol(t.hi, 70000, 1e-9);
    ck_assert_double_eq_tol(t.step, 10000, 1e-9);

    chart_value_ticks(70000, 64512, 8, &t);  /* data above capacity wins */
    ck_assert(t.hi >= 70000);

    chart_value_ticks(0, 0, 6, &t);          /* nothing at all: 0..1 */
    ck_assert(t.lo == 0.0);
    ck_assert_double_eq_tol(t.hi, 1, 1e-12);

    /* every tick lies on the step grid, the last one is hi */
    chart_value_ticks(123456, 129024, 8, &t);
    ck_assert_double_eq_tol(chart_tick_value(&t, t.count - 1), t.hi, 1e-6);
}
END_TEST

START_TEST(test_clock_step)
{
    ck_assert_int_eq(chart_clock_step_s(86400, 13), 7200);    /* 13 ticks: 00:00..24:00 by 2 h */
    ck_assert_int_eq(chart_clock_step_s(86400, 12), 10800);
    ck_assert_int_eq(chart_clock_step_s(86400, 9), 10800);
    ck_assert_int_eq(chart_clock_step_s(86400, 8), 14400);
    ck_assert_int_eq(chart_clock_step_s(86400, 25), 3600);
    ck_assert_int_eq(chart_clock_step_s(86400, 3), 43200);
    ck_assert_int_eq(chart_clock_step_s(3600, 13), 300);
    ck_assert_int_eq(chart_clock_step_s(3600, 7), 600);
    ck_assert_int_eq(chart_clock_step_s(3600, 5), 900);
    ck_assert_int_eq(chart_clock_step_s(600, 11), 60);
    ck_assert_int_eq(chart_clock_step_s(129600, 10), 14400);  /* 36 h */
    ck_assert_int_eq(chart_clock_step_s(129600, 9), 21600);
    ck_assert_int_eq(chart_clock_step_s(30 * 86400.0, 10), 604800);
}
END_TEST

START_TEST(test_format_clock)
{
    char b[32];
    chart_format_clock(0, 86400, b, sizeof b);
    ck_assert_str_eq(b, "00:00");
    chart_format_clock(10 * 3600 + 16 * 60 + 59, 86400, b, sizeof b);
    ck_assert_str_eq(b, "10:16");
    chart_format_clock(86400, 86400, b, sizeof b);
    ck_assert_str_eq(b, "24:00");
    chart_format_clock(86400, 129600, b, sizeof b);
    ck_assert_str_eq(b, "1+00:00");
    chart_format_clock(86400 + 5400, 129600, b, sizeof b);
    ck_assert_str_eq(b, "1+01:30");
    chart_format_clock(2 * 86400 + 3600, 3 * 86400, b, sizeof b);
    ck_assert_str_eq(b, "2+01:00");
    chart_format_clock(-3, 86400, b, sizeof b);
    ck_assert_str_eq(b, "00:00");
}
END_TEST

START_TEST(test_format_number)
{
    char b[48];
    chart_format_number(64512, 0, b, sizeof b);
    ck_assert_str_eq(b, "64,512");
    chart_format_number(60000, 0, b, sizeof b);
    ck_assert_str_eq(b, "60,000");
    chart_format_number(999, 0, b, sizeof b);
    ck_assert_str_eq(b, "999");
    chart_format_number(1000, 0, b, sizeof b);
    ck_assert_str_eq(b, "1,000");
    chart_format_number(1234567.891, 2, b, sizeof b);
    ck_assert_str_eq(b, "1,234,567.89");
    chart_format_number(-1500, 0, b, sizeof b);
    ck_assert_str_eq(b, "-1,500");
    chart_format_number(-0.0001, 1, b, sizeof b);
    ck_assert_str_eq(b, "0.0");
    chart_format_number(0.25, 2, b, sizeof b);
    ck_assert_str_eq(b, "0.25");
}
END_TEST

START_TEST(test_map)
{
    chart_map m = {.x = 100, .y = 50, .w = 600, .h = 300, .x0 = 0, .x1 = 86400, .y0 = 0,
                   .y1 = 80000};
    ck_assert_double_eq_tol(chart_map_x(&m, 0), 100, 1e-9);
    ck_assert_double_eq_tol(chart_map_x(&m, 43200), 400, 1e-9);
    ck_assert_double_eq_tol(chart_map_x(&m, 86400), 700, 1e-9);
    ck_assert_double_eq_tol(chart_map_y(&m, 0), 350, 1e-9);       /* bottom */
    ck_assert_double_eq_tol(chart_map_y(&m, 80000), 50, 1e-9);    /* top */
    ck_assert_double_eq_tol(chart_map_y(&m, 20000), 275, 1e-9);
    chart_map z = {.w = 10, .h = 10};                               /* empty ranges */
    ck_assert(isfinite(chart_map_x(&z, 1)) && isfinite(chart_map_y(&z, 1)));
}
END_TEST

/* ---- rendering ---------------------------------------------------------------- */

typedef struct px {
    int r, g, b;
} px;

static px pixel(cairo_surface_t *s, int x, int y)
{
    const unsigned char *d = cairo_image_surface_get_data(s);
    uint32_t v;
    memcpy(&v, d + (size_t)y * (size_t)cairo_image_surface_get_stride(s) + 4 * (size_t)x, 4);
    return (px){(int)(v >> 16 & 0xff), (int)(v >> 8 & 0xff), (int)(v & 0xff)};
}

/* Okabe-Ito vermillion (213, 94, 0), allowing for antialiasing. */
static int is_vermillion(px p) { return p.r > 170 && p.g > 50 && p.g < 140 && p.b < 80; }

/* The failure shading: a translucent vermillion over white or grid grey. */
static int is_shaded(px p) { return p.r - p.b > 20 && p.g > 150; }

static int dev(double pt) { return (int)floor(pt * CANVAS_PNG_SCALE); }

static cairo_surface_t *render(canvas_draw_fn fn, figure_ctx *fc, double w, double h)
{
    cairo_surface_t *s = NULL;
    nc_error err;
    ck_assert_int_eq(canvas_render_image(w, h, fn, fc, &s, &err), NC_OK);
    ck_assert_int_eq(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    return s;
}

START_TEST(test_occupancy_size_and_capacity_line)
{
    fixture f;
    fixture_init(&f, 1, 1, 0);
    plot_opts o = {PLOT_PNG, "inputs", 0};
    chart_map maps[1];
    figure_ctx fc = {.r = f.r, .o = &o, .flags = FIG_STANDALONE, .maps = maps};
    cairo_surface_t *s = render(figure_occupancy, &fc, FIGURE_W, figure_panels_height(f.r));
    ck_assert_int_eq(cairo_image_surface_get_width(s), 1600);
    ck_assert_int_eq(cairo_image_surface_get_height(s), 900);

    /* Along the capacity row, the dashed line shows vermillion over a good
     * part of the width; one row above the axis range it does not. */
    int y = dev(chart_map_y(&maps[0], 10000));
    int x0 = dev(maps[0].x) + 2, x1 = dev(maps[0].x + maps[0].w) - 2, hits = 0, hits_below = 0;
    for (int x = x0; x < x1; x++) {
        hits += is_vermillion(pixel(s, x, y)) || is_vermillion(pixel(s, x, y + 1));
        hits_below += is_vermillion(pixel(s, x, dev(chart_map_y(&maps[0], 5000))));
    }
    ck_assert_int_gt(hits, (x1 - x0) / 3);
    ck_assert_int_eq(hits_below, 0);
    ck_assert(maps[0].y1 >= 10000 && maps[0].y0 == 0);
    cairo_surface_destroy(s);
    fixture_free(&f);
}
END_TEST

/* Columns of the plot (left 70 %, away from the labels) shaded at 90 % of
 * capacity, a height that only shading reaches in this fixture. */
static void shaded_columns(int fail_from, int fail_to)
{
    fixture f;
    fixture_init(&f, 1, fail_from, fail_to);
    plot_opts o = {PLOT_PNG, "inputs", 0};
    chart_map m[1];
    figure_ctx fc = {.r = f.r, .o = &o, .flags = FIG_STANDALONE, .maps = m};
    cairo_surface_t *s = render(figure_occupancy, &fc, FIGURE_W, FIGURE_H);
    int y = dev(chart_map_y(&m[0], 9000));
    double t0 = fail_from * 60.0, t1 = (fail_to + 1) * 60.0;
    int xa = dev(chart_map_x(&m[0], t0)), xb = dev(chart_map_x(&m[0], t1));
    int x0 = dev(m[0].x) + 3, x1 = dev(m[0].x + m[0].w * 0.7);
    int shaded = 0;
    for (int x = x0; x < x1; x++) {
        int sh = is_shaded(pixel(s, x, y));
        shaded += sh;
        if (fail_to < fail_from)
            ck_assert_msg(!sh, "x=%d shaded without failures", x);
        else if (x < xa - 2 || x > xb + 2)
            ck_assert_msg(!sh, "x=%d shaded outside %d..%d", x, xa, xb);
        else if (x > xa + 2 && x < xb - 2)
            ck_assert_msg(sh, "x=%d not shaded inside %d..%d", x, xa, xb);
    }
    if (fail_to >= fail_from)
        ck_assert_int_gt(shaded, 0);
    cairo_surface_destroy(s);
    fixture_free(&f);
}

START_TEST(test_shading_only_with_failures)
{
    shaded_columns(1, 0);      /* none */
    shaded_columns(30, 44);    /* 00:30 to 00:45 */
    shaded_columns(10, 10);    /* one interval: still visible */
}
END_TEST

START_TEST(test_every_figure_renders)
{
    fixture f;
    fixture_init(&f, 2, 20, 25);
    plot_opts o = {PLOT_PNG, "inputs", 0};
    chart_map maps[2];
    figure_ctx fc = {.r = f.r, .o = &o, .flags = FIG_STANDALONE, .maps = maps};
    double h = figure_panels_height(f.r);
    ck_assert(h * CANVAS_PNG_SCALE >= 900);
    canvas_draw_fn fns[] = {figure_occupancy, figure_failures, figure_services};
    for (size_t i = 0; i < 3; i++) {
        cairo_surface_t *s = render(fns[i], &fc, FIGURE_W, i < 2 ? h : FIGURE_H);
        ck_assert_int_eq(cairo_image_surface_get_width(s), 1600);
        cairo_surface_destroy(s);
    }
    ck_assert(maps[0].y + maps[0].h < maps[1].y);   /* stacked: gateway 0 above gateway 1 */

    const nc_scen_result *rs[2] = {f.r, f.r};
    figure_ctx cc = {.rs = rs, .n = 2, .o = &o, .flags = FIG_STANDALONE, .maps = maps};
    cairo_surface_t *s = render(figure_comparison, &cc, FIGURE_W, figure_comparison_height(rs, 2));
    ck_assert(maps[0].y1 >= 100);                   /* the 100 % line is on the chart */
    cairo_surface_destroy(s);
    fixture_free(&f);
}
END_TEST

START_TEST(test_empty_result_renders)
{
    fixture f;
    fixture_init(&f, 1, 1, 0);
    f.r->reps = 0;   /* nothing measured: axes only, no crash */
    plot_opts o = {PLOT_PNG, "inputs", 0};
    figure_ctx fc = {.r = f.r, .o = &o, .flags = FIG_STANDALONE};
    cairo_surface_t *s = render(figure_occupancy, &fc, FIGURE_W, FIGURE_H);
    cairo_surface_destroy(s);
    f.r->reps = 4;
    fixture_free(&f);
}
END_TEST

Suite *chart_suite(void);

Suite *chart_suite(void)
{
    Suite *s = suite_create("chart");
    TCase *pure = tcase_create("axes and mapping");
    tcase_add_test(pure, test_nicenum);
    tcase_add_test(pure, test_nice_ticks);
    tcase_add_test(pure, test_value_ticks_include_capacity);
    tcase_add_test(pure, test_clock_step);
    tcase_add_test(pure, test_format_clock);
    tcase_add_test(pure, test_format_number);
    tcase_add_test(pure, test_map);
    suite_add_tcase(s, pure);
    TCase *draw = tcase_create("rendering");
    tcase_set_timeout(draw, 30);
    tcase_add_test(draw, test_occupancy_size_and_capacity_line);
    tcase_add_test(draw, test_shading_only_with_failures);
    tcase_add_test(draw, test_every_figure_renders);
    tcase_add_test(draw, test_empty_result_renders);
    suite_add_tcase(s, draw);
    return s;
}
