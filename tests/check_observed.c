/*
 * check_observed.c - observed metrics (SPEC §6): observed.csv loading and
 * its errors (file:line:column), the model resampled to an observation's
 * interval and statistic (hand-built replications), the observed series on
 * the occupancy chart (pixels of its colour along it), and the NNLS profile
 * fit (exact recovery of a piecewise-linear rate from noise-free counts).
 * Expected values are worked out by hand in the comments.
 */
#include "../io/observed_in.h"
#include "../model/compare.h"
#include "../model/fit.h"
#include "../model/result.h"
#include "../plot/canvas.h"
#include "../plot/chart.h"
#include "../plot/figure.h"
#include "../plot/overlay.h"
#include "fixture.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static nc_gateway gws[2];

static void gw_init(void)
{
    memset(gws, 0, sizeof gws);
    strcpy(gws[0].name, "egress");
    strcpy(gws[1].name, "edge");
}

/* load text as observed.csv against one (or two) gateways */
static nc_status load(const char *text, size_t ngw, observed_in_opts *o, nc_observed *out, nc_error *err)
{
    gw_init();
    observed_in_opts def = {0, NULL, OBS_FOLD_NONE, NULL};
    memset(err, 0, sizeof *err);
    return observed_in_load_mem("in/observed.csv", text, strlen(text), gws, ngw, o ? o : &def, out, err);
}

static void expect_error(const char *text, long line, const char *col, const char *needle)
{
    nc_observed o;
    nc_error e;
    nc_status st = load(text, 1, NULL, &o, &e);
    ck_assert_msg(st == NC_EINPUT, "accepted: %s", text);
    ck_assert_int_eq(e.line, line);
    ck_assert_str_eq(e.column, col);
    ck_assert_msg(strstr(e.msg, needle) != NULL, "message '%s' lacks '%s'", e.msg, needle);
    ck_assert_uint_eq(o.n, 0);
}

START_TEST(test_load_defaults_and_times)
{
    nc_observed o;
    nc_error e;
    /* interval from the spacing (120 s), stat defaults: max for in_use, sum for counts */
    const char *t = "time,metric,value\n"
                    "2026-11-30T10:00:00Z,in_use,5\n2026-11-30T10:02:00Z,in_use,7\n"
                    "2026-11-30T11:00+01:00,alloc_failures,2\n";
    ck_assert_int_eq(load(t, 1, NULL, &o, &e), NC_OK);
    ck_assert_uint_eq(o.n, 2);
    const obs_series *a = &o.s[0], *b = &o.s[1];
    ck_assert_int_eq(a->metric, OBS_IN_USE);
    ck_assert_int_eq(a->stat, OBS_MAX);
    ck_assert_double_eq(a->interval_s, 120);
    ck_assert_double_eq(a->t0_s, 36000);
    ck_assert_uint_eq(a->n, 2);
    ck_assert_int_eq(b->metric, OBS_ALLOC_FAILURES);
    ck_assert_double_eq(b->t0_s, 36000);   /* 11:00+01:00 = 10:00Z */
    ck_assert_double_eq(b->interval_s, 60);
    ck_assert_str_eq(o.day, "2026-11-30");
    nc_observed_free(&o);
    /* --tz +02:00: 10:00Z reads 12:00 on the simulated clock */
    observed_in_opts tz = {7200, NULL, OBS_FOLD_NONE, NULL};
    ck_assert_int_eq(load(t, 1, &tz, &o, &e), NC_OK);
    ck_assert_double_eq(o.s[0].t0_s, 43200);
    nc_observed_free(&o);
    /* times of day */
    ck_assert_int_eq(load("time,metric,value,interval_s\n00:01,open,3,60\n00:02,open,4,60\n", 1, NULL, &o, &e), NC_OK);
    ck_assert_double_eq(o.s[0].t0_s, 60);
    nc_observed_free(&o);
}
END_TEST

START_TEST(test_load_cumulative_and_fold)
{
    nc_observed o;
    nc_error e;
    /* a counter read at the end of each row's minute (a row's time is its interval's
     * start, SPEC §6): readings 10, 13, 13, 20 at 10:01, 10:02, 10:03, 10:04 -> counts
     * 3, 0, 7 over the minutes starting 10:01, 10:02, 10:03 */
    const char *t = "time,metric,value,stat\n"
                    "2026-11-30T10:00Z,attempts,10,last\n2026-11-30T10:01Z,attempts,13,last\n"
                    "2026-11-30T10:02Z,attempts,13,last\n2026-11-30T10:03Z,attempts,20,last\n";
    ck_assert_int_eq(load(t, 1, NULL, &o, &e), NC_OK);
    ck_assert_uint_eq(o.s[0].n, 3);
    ck_assert_double_eq(o.s[0].t0_s, 36060);
    ck_assert_double_eq(o.s[0].value[0], 3);
    ck_assert_double_eq(o.s[0].value[1], 0);
    ck_assert_double_eq(o.s[0].value[2], 7);
    ck_assert_int_eq(o.s[0].stat, OBS_SUM);
    nc_observed_free(&o);
    /* two days folded: mean (4+8)/2 = 6, max 8 */
    const char *d = "time,metric,value\n2026-11-30T10:00Z,open,4\n2026-12-01T10:00Z,open,8\n";
    observed_in_opts mean = {0, NULL, OBS_FOLD_MEAN, NULL}, mx = {0, NULL, OBS_FOLD_MAX, NULL},
                     day = {0, "2026-12-01", OBS_FOLD_NONE, NULL};
    ck_assert_int_eq(load(d, 1, &mean, &o, &e), NC_OK);
    ck_assert_uint_eq(o.n, 1);
    ck_assert_double_eq(o.s[0].value[0], 6);
    nc_observed_free(&o);
    ck_assert_int_eq(load(d, 1, &mx, &o, &e), NC_OK);
    ck_assert_double_eq(o.s[0].value[0], 8);
    nc_observed_free(&o);
    ck_assert_int_eq(load(d, 1, &day, &o, &e), NC_OK);
    ck_assert_double_eq(o.s[0].value[0], 8);
    ck_assert_str_eq(o.day, "2026-12-01");
    nc_observed_free(&o);
}
END_TEST

START_TEST(test_load_errors)
{
    expect_error("time,metric,value\n2026-11-30T10:00Z,open,4\n2026-12-01T10:00Z,open,8\n", 3, "time",
                 "span several days");
    expect_error("time,metric,value,stat\n2026-11-30T10:00Z,attempts,10,last\n"
                 "2026-11-30T10:01Z,attempts,9,last\n", 3, "value", "decreases");
    expect_error("time,metric,value\n10:00,open,1\n10:01,open,2\n10:01,open,3\n", 4, "time", "duplicate");
    expect_error("time,metric,value,interval_s\n10:00,open,1,60\n10:01,open,2,60\n10:05,open,3,60\n",
                 4, "time", "gap");
    expect_error("time,metric,value\n10:00,open,-1\n", 2, "value", ">= 0");
    expect_error("time,metric,value\n10:00,ports,1\n", 2, "metric", "expected one of");
    expect_error("time,gateway,metric,value\n10:00,egres,open,1\n", 2, "gateway", "did you mean 'egress'");
    expect_error("time,metric,value,colour\n10:00,open,1,red\n", 1, "colour", "unknown column");
    expect_error("time,metric,value\n2026-11-30 10:00,open,1\n", 2, "time", "expected YYYY-MM-DD");
    expect_error("time,metric,value\n10:00,open,1\n2026-11-30T10:01Z,open,1\n", 3, "time", "mixes");
    expect_error("time,metric,value,stat\n10:00,open,1,sum\n", 2, "stat", "does not summarise");
    /* a count takes sum or last only (SPEC §6): max and mean are not silently summed */
    expect_error("time,metric,value,stat\n10:00,new_connections,1,sum\n10:01,attempts,6,max\n", 3,
                 "stat", "stat max does not summarise a count like attempts; use sum");
    expect_error("time,metric,value,stat\n10:00,alloc_failures,6,mean\n", 2, "stat",
                 "stat mean does not summarise a count like alloc_failures; use sum");
    expect_error("time,metric,value,stat\n10:00,failed_requests,6,max\n", 2, "stat", "(a cumulative counter)");
    /* two gateways: the gateway column is required */
    nc_observed o;
    nc_error e;
    ck_assert_int_eq(load("time,metric,value\n10:00,open,1\n", 2, NULL, &o, &e), NC_EINPUT);
    ck_assert_str_eq(e.column, "gateway");
}
END_TEST

/* ---- a hand-built result with replications ------------------------------- */

/* 2 h at 60 s, 4 replications; in rep `rep`, interval k: end level 1000 + rep,
 * highest inside 1100 + rep, open = end level - 100 (max + 50), attempts 10 + rep,
 * 1 failure in rep 3 from interval 60 on.  Gateway "egress" of 10,000 mappings,
 * one service row; the result is the caller's to destroy. */
static nc_scen_result *result_init(fx *f)
{
    fx_init(f);
    snprintf(f->sc.name, sizeof f->sc.name, "fx");
    snprintf(f->gw[0].name, sizeof f->gw[0].name, "egress");
    f->gw[0].port_min = 1;
    f->gw[0].port_max = 10000;
    f->gw[0].per_destination_limit = 10000;
    f->gw[0].time_wait_s = 120;
    f->sc.duration_h = 2;
    f->sc.replications = 4;
    fx_add_row(f, "svc", 0, 0, 1, 0);
    nc_scen_result *r = nc_scen_result_create(&f->sc, 4);
    ck_assert_ptr_nonnull(r);
    r->by_rep_kept = 1;
    nc_gw_result *x = &r->gw[0];
    x->capacity = 10000;
    for (uint32_t rep = 0; rep < 4; rep++)
        for (uint32_t k = 0; k < r->nsamples; k++) {
            size_t i = (size_t)rep * r->nsamples + k;
            x->in_use_by_rep[i] = 1000 + rep + (k % 2);   /* odd intervals end one higher */
            x->in_use_max[k] = 1103;
            nc_rep_sample *z = &x->by_rep[i];
            z->imax = 1100 + rep;
            z->open = 900 + rep;
            z->omax = 950 + rep;
            z->attempts = 10 + rep;
            z->alloc_failures = rep == 3 && k >= 60 ? 1 : 0;
            x->active_sum[k] += 900 + rep;
        }
    return r;
}

START_TEST(test_resample)
{
    fx f;
    nc_scen_result *r = result_init(&f);
    nc_observed o;
    nc_error e;
    /* 2-minute observations from 00:10: max = highest inside (1100 + rep, mean 1101.5),
     * last = end of the 2nd minute (odd: 1001 + rep, mean 1002.5), mean = (1000 + 1001)/2 + rep
     * (mean 1002), attempts sum = 2 * (10 + rep) (mean 23), failures in rep 3 only (2 per
     * 2 minutes from 01:00) */
    const char *t = "time,metric,value,stat,interval_s\n"
                    "00:10,in_use,1100,max,120\n00:12,in_use,1200,max,120\n"
                    "00:10,open,1000,last,120\n"
                    "00:10,attempts,23,sum,120\n"
                    "01:00,alloc_failures,2,sum,120\n00:58,alloc_failures,0,sum,120\n"
                    "01:58,new_connections,5,sum,120\n";
    ck_assert_int_eq(load(t, 1, NULL, &o, &e), NC_OK);
    obs_compare *c = obs_compare_build(r, &o);
    ck_assert_ptr_nonnull(c);
    for (size_t i = 0; i < c->n; i++) {
        const obs_series_cmp *x = &c->sc[i];
        switch (x->s->metric) {
        case OBS_IN_USE:
            ck_assert_double_eq_tol(x->mean[0], 1101.5, 1e-9);
            /* type-7 quantiles of 1100..1103: 1100 + 0.15, 1100 + 2.85 */
            ck_assert_double_eq_tol(x->p05[0], 1100.15, 1e-9);
            ck_assert_double_eq_tol(x->p95[0], 1102.85, 1e-9);
            break;
        case OBS_OPEN: ck_assert_double_eq_tol(x->mean[0], 901.5, 1e-9); break;
        case OBS_ATTEMPTS: ck_assert_double_eq_tol(x->mean[0], 23, 1e-9); break;
        case OBS_ALLOC_FAILURES:
            ck_assert_double_eq_tol(x->mean[0], 0, 1e-9);     /* 00:58 */
            ck_assert_double_eq_tol(x->mean[1], 0.5, 1e-9);   /* 01:00: 2 in one rep of 4 */
            ck_assert_double_eq_tol(x->fail_rep_frac[1], 0.25, 1e-9);
            break;
        case OBS_NEW_CONNECTIONS:
            /* 01:58 to 02:00: inside; attempts - failures = 2 * 11.5 - 0.5 */
            ck_assert_double_eq_tol(x->mean[0], 22.5, 1e-9);
            break;
        default: break;
        }
    }
    /* the gateway's scores: level = in_use; peak 1200 at 00:12; mape = mean of
     * |1101.5 - 1100| / 1100 and |1101.5 - 1200| / 1200 */
    const obs_gw_cmp *g = &c->gw[0];
    ck_assert_double_eq(g->peak, 1200);
    ck_assert_double_eq(g->peak_t_s, 720);
    ck_assert_double_eq_tol(g->mape, 100 * (1.5 / 1100 + 98.5 / 1200) / 2, 1e-9);
    ck_assert_double_eq(g->first_fail_t_s, 3600);
    ck_assert(isnan(g->model_first_fail_t_s));   /* one replication of 4 fails: not the median */
    obs_compare_destroy(c);
    nc_observed_free(&o);
    nc_scen_result_destroy(r);
}
END_TEST

/* ---- overlay pixels ---------------------------------------------------------- */

typedef struct px { int r, g, b; } px;
static px pixel(cairo_surface_t *s, int x, int y)
{
    const unsigned char *d = cairo_image_surface_get_data(s);
    uint32_t v;
    memcpy(&v, d + (size_t)y * (size_t)cairo_image_surface_get_stride(s) + 4 * (size_t)x, 4);
    return (px){(int)(v >> 16 & 0xff), (int)(v >> 8 & 0xff), (int)(v & 0xff)};
}
static int is_black(px p) { return p.r < 70 && p.g < 70 && p.b < 70; }
static int dev(double pt) { return (int)floor(pt * CANVAS_PNG_SCALE); }

START_TEST(test_overlay_pixels)
{
    fx f;
    nc_scen_result *r = result_init(&f);
    nc_observed o;
    nc_error e;
    /* an observed level of 5000 from 00:30 to 01:30, far above the model's ~1000 */
    char t[8192] = "time,metric,value,source\n";
    for (int k = 30; k < 90; k++)
        snprintf(t + strlen(t), sizeof t - strlen(t), "%02d:%02d,in_use,5000,test series\n", k / 60, k % 60);
    ck_assert_int_eq(load(t, 1, NULL, &o, &e), NC_OK);
    obs_compare *c = obs_compare_build(r, &o);
    ck_assert_ptr_nonnull(c);
    for (int pass = 0; pass < 2; pass++) {
        r->cmp = pass ? c : NULL;
        plot_opts po = {PLOT_PNG, "in", 0};
        chart_map m[1];
        figure_ctx fc = {.r = r, .o = &po, .flags = FIG_STANDALONE, .maps = m};
        cairo_surface_t *s = NULL;
        ck_assert_int_eq(canvas_render_image(FIGURE_W, FIGURE_H, figure_occupancy, &fc, &s, &e), NC_OK);
        int y = dev(chart_map_y(&m[0], 5000));
        /* points are drawn at the end of each interval: 00:31 .. 01:30 */
        int xa = dev(chart_map_x(&m[0], 31 * 60.0)), xb = dev(chart_map_x(&m[0], 90 * 60.0));
        int on = 0, off = 0;
        for (int x = xa + 3; x < xb - 3; x++)
            on += is_black(pixel(s, x, y)) || is_black(pixel(s, x, y + 1)) || is_black(pixel(s, x, y - 1));
        for (int x = dev(m[0].x) + 3; x < xa - 6; x++)
            off += is_black(pixel(s, x, y)) || is_black(pixel(s, x, y + 1));
        if (pass) {
            ck_assert_int_ge(on, (xb - xa - 6) * 9 / 10);
            ck_assert_int_eq(off, 0);
            ck_assert(m[0].y1 >= 5000);
        } else {
            ck_assert_int_eq(on, 0);
        }
        cairo_surface_destroy(s);
    }
    char lab[128];
    ck_assert_str_eq(overlay_level_label(r, lab, sizeof lab), "observed in_use: test series");
    r->cmp = NULL;
    obs_compare_destroy(c);
    nc_observed_free(&o);
    nc_scen_result_destroy(r);
}
END_TEST

/* ---- profile fit ------------------------------------------------------------- */

START_TEST(test_fit_exact)
{
    /* 24 knots (hourly): knot values 2 + sin; the counts of every minute are the exact
     * integrals of that piecewise-linear rate, so NNLS must return the knots */
    size_t K = 24, n = 1440;
    double u[24], truth[24], a[1440], len[1440], c[1440];
    for (size_t j = 0; j < K; j++)
        truth[j] = 2 + sin((double)j);
    for (size_t i = 0; i < n; i++) {
        a[i] = 60.0 * (double)i;
        len[i] = 60;
        c[i] = fit_profile_integral(truth, K, a[i], len[i]);
    }
    ck_assert_int_eq(fit_profile(a, len, c, n, K, u), 0);
    for (size_t j = 0; j < K; j++)
        ck_assert_double_eq_tol(u[j], truth[j], 1e-6);
    /* a rate of 1/s over a whole minute counts 60 */
    double one[24];
    for (size_t j = 0; j < K; j++)
        one[j] = 1;
    ck_assert_double_eq_tol(fit_profile_integral(one, K, 86370, 60), 60, 1e-9);   /* wraps midnight */
    /* negative-looking data: the fit stays >= 0 */
    for (size_t i = 0; i < n; i++)
        c[i] = i < 720 ? 0 : 120;
    ck_assert_int_eq(fit_profile(a, len, c, n, K, u), 0);
    for (size_t j = 0; j < K; j++)
        ck_assert(u[j] >= 0);
}
END_TEST

Suite *observed_suite(void);
Suite *observed_suite(void)
{
    Suite *s = suite_create("observed");
    TCase *tc = tcase_create("observed");
    tcase_add_test(tc, test_load_defaults_and_times);
    tcase_add_test(tc, test_load_cumulative_and_fold);
    tcase_add_test(tc, test_load_errors);
    tcase_add_test(tc, test_resample);
    tcase_add_test(tc, test_overlay_pixels);
    tcase_add_test(tc, test_fit_exact);
    suite_add_tcase(s, tc);
    return s;
}
