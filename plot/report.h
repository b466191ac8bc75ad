/*
 * report.h - report.pdf and report.md (report_write is declared in plot.h);
 * the helpers below are what the summary table of both is made of, exposed
 * for the tests.
 *
 * report.pdf is A4 landscape, one cairo PDF surface: page 1 has the run's
 * provenance, a table of every scenario and gateway with a verdict, and the
 * comparison chart; then one page per scenario with its three charts (drawn
 * as vectors by the same figure functions as the chart files), its figures
 * and the service rows holding the most ports at the peak.  So the PDF has
 * 1 + n pages.  report.md has the same table in Markdown with relative links
 * to the chart files.
 *
 * report_write_ex adds an extra page (e.g. the plan page of `natcap plan`)
 * as page 2, between the summary page and the scenario pages: 2 + n pages.
 */
#ifndef NATCAP_PLOT_REPORT_H
#define NATCAP_PLOT_REPORT_H

#include "../model/summary.h"
#include "chart.h"
#include "plot.h"

#include <stddef.h>
#include <stdio.h>

/* A4 landscape, in points. */
#define REPORT_PAGE_W 841.89
#define REPORT_PAGE_H 595.28

typedef enum report_severity {
    REPORT_OK = 0,          /* peak below 80 % of capacity */
    REPORT_TIGHT = 1,       /* no failure, but less than 20 % headroom */
    REPORT_EXHAUSTED = 2    /* at least one failed allocation */
} report_severity;

/* "exhausts at 10:16" (" in 3 of 10 replications" when not in all of them),
 * "tight, 12 % headroom" or "OK, 38 % headroom". */
report_severity report_verdict(const nc_gw_summary *s, uint32_t reps, char *buf, size_t len);

/* One row of the summary table, formatted for people. */
typedef struct report_row {
    char scenario[NC_NAME_MAX + 1];
    char gateway[NC_NAME_MAX + 1];
    char capacity[32];        /* "64,512" */
    char peak[32];            /* mean of the replications' peaks, "62,118" */
    char utilization[16];     /* "96 %" */
    char first_failure[32];   /* "10:16:23" or "-" */
    char failing[32];         /* failing minutes per replication, "42" or "0" */
    char failed_pct[32];      /* "0.17 %" */
    char verdict[96 + 2 * NC_NAME_MAX + 48];   /* "exhausts at 10:16 in payments#1" */
    report_severity severity;
    nc_severity grade;        /* README "Severity" */
    char grade_name[16];      /* "ok", "near", "minor", "MAJOR", "OUTAGE" */
    char binding_pool[2 * NC_NAME_MAX + 48];
} report_row;

void report_row_fill(const nc_scen_result *r, size_t g, report_row *out);

/* An extra page of report.pdf and an optional section of report.md.
 * draw gets the content box of the page (inside the margins, above the
 * footer, which report.c draws) and must not call cairo_show_page; the
 * cairo state is saved and restored around it.  markdown (may be NULL)
 * writes a section of report.md after the summary table and the comparison
 * chart.  ud is passed to both. */
typedef struct report_extra {
    nc_status (*draw)(chart *c, double x, double y, double w, double h, void *ud);
    void (*markdown)(FILE *fp, void *ud);
    void *ud;
} report_extra;

/* report_write with an extra page; extra may be NULL (then it is
 * report_write). */
nc_status report_write_ex(outdir *od, const nc_scen_result *const *rs, size_t n,
                          const plot_opts *o, const report_extra *extra, nc_error *err);

/* Draw the whole report on c (pages of REPORT_PAGE_W x REPORT_PAGE_H);
 * ctx is a report_ctx.  Has the canvas_draw_fn signature. */
typedef struct report_ctx {
    const nc_scen_result *const *rs;
    size_t n;
    const plot_opts *o;
    const report_extra *extra;   /* NULL: none */
} report_ctx;

nc_status report_draw(chart *c, double w, double h, void *ctx);

#endif
