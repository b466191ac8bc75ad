/*
 * check_report.c - plot/plot and plot/report end to end on hand-built
 * results: the files exist, PNGs have the promised size, PNG/SVG (and PDF
 * with a fixed epoch) are byte-identical across runs, report.pdf has
 * 1 + scenarios pages (2 + scenarios with an extra page), report.md has the
 * table and the chart links, and the verdicts read as documented.
 */
#include "../io/outdir.h"
#include "../model/result.h"
#include "../model/summary.h"
#include "../plot/plot.h"
#include "../plot/report.h"
#include "fixture.h"
#include "helpers.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fixture {
    fx x;                 /* the scenario (fixture.h) */
    nc_scen_result *r;
    char desc[64];
} fixture;

/* One day at 5 min (288 intervals), 3 replications, ngw gateways of 1,000
 * mappings, 10 service rows (no profile: no analytic estimates); gateway 0
 * fills up at 10:15-10:40 when full. */
static void fixture_init(fixture *f, const char *name, size_t ngw, int full)
{
    fx_init(&f->x);
    nc_scenario *sc = &f->x.sc;
    snprintf(f->desc, sizeof f->desc, "description of %s | with a pipe", name);
    snprintf(sc->name, sizeof sc->name, "%s", name);
    sc->description = f->desc;
    sc->duration_h = 24;
    sc->warmup_h = 0;
    sc->replications = 3;
    sc->sample_s = 300;
    sc->nprofiles = 0;
    nc_gateway *gw0 = &f->x.gw[0];
    gw0->port_min = 1001;
    gw0->port_max = 2000;
    gw0->per_destination_limit = 1000;
    for (size_t g = 0; g < ngw; g++) {
        f->x.gw[g] = *gw0;
        snprintf(f->x.gw[g].name, sizeof f->x.gw[g].name, "egress%zu", g);
    }
    sc->ngateways = ngw;
    snprintf(f->x.de[0].name, sizeof f->x.de[0].name, "dest0");
    fx_add_destination(&f->x, "dest1", 1);
    for (size_t i = 0; i < 10; i++) {
        char sv[16];
        snprintf(sv, sizeof sv, "svc%zu", i);
        fx_add_row(&f->x, sv, i % ngw, i % 2, 0, 0);
    }

    nc_scen_result *r = nc_scen_result_create(sc, 3);
    ck_assert_ptr_nonnull(r);
    snprintf(r->rng_name, sizeof r->rng_name, "taus2");
    for (size_t g = 0; g < ngw; g++) {
        nc_gw_result *x = &r->gw[g];
        uint32_t peak = full && g == 0 ? 1000 : 620;
        for (uint32_t rep = 0; rep < 3; rep++) {
            for (uint32_t k = 0; k < r->nsamples; k++) {
                uint32_t v = k >= 120 && k < 130 ? peak : 300 + k;
                x->in_use_by_rep[(size_t)rep * r->nsamples + k] = v < peak ? v : peak;
            }
            x->peak_by_rep[rep] = peak;
            x->peak_sum += peak;
        }
        x->peak_max = peak;
        for (uint32_t k = 0; k < r->nsamples; k++)
            x->in_use_max[k] = x->in_use_by_rep[k];
        x->requests = 100000;
    }
    if (full) {
        nc_gw_result *x = &r->gw[0];
        for (uint32_t k = 123; k < 128; k++) {
            x->fail_reps[k] = 3;
            x->alloc_failures_sum[k] = 90;
            x->failed_requests_sum[k] = 9;
        }
        x->first_exhaustion = (sim_time)(10 * 3600 + 16 * 60 + 23) * SIM_US_PER_S;
        x->exhausted_reps = 3;
        x->failed_requests = 45;
        x->alloc_failures = 450;
        x->exhausted_us_sum = 3 * 25 * 60 * UINT64_C(1000000);
    }
    for (size_t i = 0; i < 10; i++) {
        for (uint32_t k = 0; k < r->nsamples; k++)
            r->rows[i].in_use_sum[k] = 3 * (10 + 5 * i);
        r->rows[i].in_use_at_peak_sum = 3 * (10 + 5 * i);
    }
    f->r = r;
}

/* strstr for binary data (a PDF has NUL bytes in its streams). */
static int contains(const char *buf, size_t len, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = 0; i + nl <= len; i++)
        if (memcmp(buf + i, needle, nl) == 0)
            return 1;
    return 0;
}

/* rm -r of a test output directory (two levels at most). */
static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) != 0)
            rm_tree(path);
    }
    closedir(d);
    rmdir(dir);
}

static char tmpdirs[2][64];

/* Every output of a run of two scenarios into a fresh directory. */
static void run_all(const char *dir, nc_scen_result *const *rs, size_t n, unsigned formats)
{
    outdir *od;
    nc_error err;
    plot_opts o = {formats, "inputs", 1764000000LL};
    ck_assert_int_eq(outdir_open(dir, &od, &err), NC_OK);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(plot_scenario(od, rs[i], &o, &err), NC_OK);
    ck_assert_int_eq(plot_comparison(od, (const nc_scen_result *const *)rs, n, &o, &err), NC_OK);
    ck_assert_int_eq(report_write(od, (const nc_scen_result *const *)rs, n, &o, &err), NC_OK);
    ck_assert_int_eq(outdir_commit(od, &err), NC_OK);
    outdir_close(od);
}

static void same_file(const char *rel)
{
    char a[128], b[128];
    size_t la, lb;
    snprintf(a, sizeof a, "%s/%s", tmpdirs[0], rel);
    snprintf(b, sizeof b, "%s/%s", tmpdirs[1], rel);
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    ck_assert_msg(x != NULL && y != NULL, "%s missing", rel);
    ck_assert_msg(la == lb && memcmp(x, y, la) == 0, "%s differs between runs", rel);
    free(x);
    free(y);
}

START_TEST(test_files_pages_and_reproducibility)
{
    static fixture f[2];
    fixture_init(&f[0], "baseline", 1, 1);
    fixture_init(&f[1], "split", 2, 0);
    nc_scen_result *rs[2] = {f[0].r, f[1].r};
    for (int i = 0; i < 2; i++) {
        snprintf(tmpdirs[i], sizeof tmpdirs[i], "/tmp/natcap-check-report-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdirs[i]));
        run_all(tmpdirs[i], rs, 2, PLOT_PNG | PLOT_PDF | PLOT_SVG);
    }

    const char *charts[] = {"baseline/occupancy", "baseline/failures", "baseline/services",
                            "split/occupancy",    "split/failures",    "split/services",
                            "comparison"};
    const char *ext[] = {"png", "svg", "pdf"};
    for (size_t i = 0; i < sizeof charts / sizeof charts[0]; i++)
        for (size_t e = 0; e < 3; e++) {
            char rel[96];
            snprintf(rel, sizeof rel, "%s.%s", charts[i], ext[e]);
            same_file(rel);
        }
    same_file("report.pdf");

    /* PNG: signature and IHDR width x height (big-endian at 16 and 20) */
    char path[128];
    size_t len;
    snprintf(path, sizeof path, "%s/baseline/occupancy.png", tmpdirs[0]);
    unsigned char *png = (unsigned char *)slurp(path, &len);
    ck_assert_ptr_nonnull(png);
    ck_assert(len > 24 && memcmp(png, "\x89PNG", 4) == 0);
    unsigned w = (unsigned)png[16] << 24 | (unsigned)png[17] << 16 | (unsigned)png[18] << 8 | png[19];
    unsigned h = (unsigned)png[20] << 24 | (unsigned)png[21] << 16 | (unsigned)png[22] << 8 | png[23];
    ck_assert_uint_ge(w, 1600);
    ck_assert_uint_ge(h, 900);
    free(png);

    snprintf(path, sizeof path, "%s/report.pdf", tmpdirs[0]);
    char *pdf = slurp(path, &len);
    ck_assert_ptr_nonnull(pdf);
    ck_assert_int_eq(pdf_pages(pdf, len), 1 + 2);
    ck_assert(contains(pdf, len, "20251124160000"));   /* the run's date, not now */
    free(pdf);
    snprintf(path, sizeof path, "%s/comparison.pdf", tmpdirs[0]);
    ck_assert_int_eq(pdf_file_pages(path), 1);

    snprintf(path, sizeof path, "%s/report.md", tmpdirs[0]);
    char *md = slurp(path, &len);
    ck_assert_ptr_nonnull(md);
    ck_assert_ptr_nonnull(strstr(md, "| scenario | gateway | capacity |"));
    ck_assert_ptr_nonnull(strstr(md, "| baseline | egress0 | 1,000 |"));
    ck_assert_ptr_nonnull(strstr(md, "**exhausts at 10:16**"));
    ck_assert_ptr_nonnull(strstr(md, "| split | egress1 |"));
    ck_assert_ptr_nonnull(strstr(md, "![occupancy](baseline/occupancy.png)"));
    ck_assert_ptr_nonnull(strstr(md, "![comparison](comparison.png)"));
    ck_assert_ptr_nonnull(strstr(md, "\\| with a pipe"));
    free(md);

    for (int i = 0; i < 2; i++) {
        nc_scen_result_destroy(f[i].r);
        rm_tree(tmpdirs[i]);
    }
}
END_TEST

START_TEST(test_report_only_pdf_links)
{
    static fixture f;
    fixture_init(&f, "solo", 1, 0);
    nc_scen_result *rs[1] = {f.r};
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/natcap-check-report-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    run_all(dir, rs, 1, PLOT_PDF);   /* report.* are written whatever --format says */
    char path[128];
    size_t len;
    snprintf(path, sizeof path, "%s/solo/occupancy.png", dir);
    ck_assert_int_ne(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/report.pdf", dir);
    ck_assert_int_eq(pdf_file_pages(path), 2);
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *md = slurp(path, &len);
    ck_assert_ptr_nonnull(strstr(md, "(solo/occupancy.pdf)"));
    ck_assert_ptr_nonnull(strstr(md, "OK, 38 % headroom"));
    free(md);
    nc_scen_result_destroy(f.r);
    rm_tree(dir);
}
END_TEST

/* report_write_ex: the extra page is page 2, inside the margins; its
 * Markdown section comes after the comparison chart, before the scenarios. */
typedef struct extra_ud {
    int calls;
    double x, y, w, h;
} extra_ud;

static nc_status extra_draw(chart *c, double x, double y, double w, double h, void *ud)
{
    extra_ud *e = ud;
    e->calls++;
    e->x = x;
    e->y = y;
    e->w = w;
    e->h = h;
    chart_text(c, x, y, 16, CHART_BOLD, CHART_INK, 0, "extra page");
    return NC_OK;
}

static void extra_md(FILE *fp, void *ud)
{
    (void)ud;
    fputs("## Extra section\n\n", fp);
}

START_TEST(test_report_extra_page)
{
    static fixture f[2];
    fixture_init(&f[0], "baseline", 1, 1);
    fixture_init(&f[1], "split", 2, 0);
    const nc_scen_result *rs[2] = {f[0].r, f[1].r};
    char dir[64], path[128];
    snprintf(dir, sizeof dir, "/tmp/natcap-check-report-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    extra_ud e = {0};
    report_extra extra = {extra_draw, extra_md, &e};
    plot_opts o = {PLOT_PNG, "inputs", 1764000000LL};
    outdir *od;
    nc_error err;
    ck_assert_int_eq(outdir_open(dir, &od, &err), NC_OK);
    ck_assert_int_eq(report_write_ex(od, rs, 2, &o, &extra, &err), NC_OK);
    ck_assert_int_eq(outdir_commit(od, &err), NC_OK);
    outdir_close(od);
    ck_assert_int_eq(e.calls, 1);
    ck_assert(e.x > 0 && e.y > 0 && e.x + e.w < REPORT_PAGE_W && e.y + e.h < REPORT_PAGE_H);

    size_t len;
    snprintf(path, sizeof path, "%s/report.pdf", dir);
    ck_assert_int_eq(pdf_file_pages(path), 2 + 2);
    snprintf(path, sizeof path, "%s/report.md", dir);
    char *md = slurp(path, &len);
    ck_assert_ptr_nonnull(md);
    char *sec = strstr(md, "## Extra section"), *cmp = strstr(md, "](comparison.png)"),
         *first = strstr(md, "## baseline");
    ck_assert(sec != NULL && cmp != NULL && first != NULL);
    ck_assert(cmp < sec && sec < first);
    free(md);

    /* a report_extra without draw adds no page */
    report_extra md_only = {NULL, extra_md, NULL};
    ck_assert_int_eq(outdir_open(dir, &od, &err), NC_OK);
    ck_assert_int_eq(report_write_ex(od, rs, 2, &o, &md_only, &err), NC_OK);
    ck_assert_int_eq(outdir_commit(od, &err), NC_OK);
    outdir_close(od);
    snprintf(path, sizeof path, "%s/report.pdf", dir);
    ck_assert_int_eq(pdf_file_pages(path), 1 + 2);

    for (int i = 0; i < 2; i++)
        nc_scen_result_destroy(f[i].r);
    rm_tree(dir);
}
END_TEST

START_TEST(test_verdicts)
{
    nc_gw_summary s = {0};
    char b[96];
    s.first_exhaustion = SIM_TIME_NONE;
    s.peak_utilization = 0.62;
    ck_assert_int_eq(report_verdict(&s, 10, b, sizeof b), REPORT_OK);
    ck_assert_str_eq(b, "OK, 38 % headroom");
    s.peak_utilization = 0.88;
    ck_assert_int_eq(report_verdict(&s, 10, b, sizeof b), REPORT_TIGHT);
    ck_assert_str_eq(b, "tight, 12 % headroom");
    s.first_exhaustion = (sim_time)(10 * 3600 + 16 * 60 + 59) * SIM_US_PER_S;
    s.exhausted_replications = 10;
    ck_assert_int_eq(report_verdict(&s, 10, b, sizeof b), REPORT_EXHAUSTED);
    ck_assert_str_eq(b, "exhausts at 10:16");
    s.exhausted_replications = 3;
    report_verdict(&s, 10, b, sizeof b);
    ck_assert_str_eq(b, "exhausts at 10:16 (3/10 reps)");
    s.first_exhaustion = (sim_time)(86400 + 120) * SIM_US_PER_S;
    report_verdict(&s, 3, b, sizeof b);
    ck_assert_str_eq(b, "exhausts at 1+00:02");
}
END_TEST

Suite *report_suite(void);

Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *files = tcase_create("files");
    tcase_set_timeout(files, 60);
    tcase_add_test(files, test_files_pages_and_reproducibility);
    tcase_add_test(files, test_report_only_pdf_links);
    tcase_add_test(files, test_report_extra_page);
    suite_add_tcase(s, files);
    TCase *text = tcase_create("verdicts");
    tcase_add_test(text, test_verdicts);
    suite_add_tcase(s, text);
    return s;
}
