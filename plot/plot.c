/*
 * plot.c - the chart files of a run (see plot.h): each figure of figure.c
 * drawn once per format named by --format and written through outdir.
 */
#include "plot.h"

#include "canvas.h"
#include "figure.h"

#include <stdio.h>

static const struct {
    unsigned bit;
    canvas_format f;
} formats[] = {{PLOT_PNG, CANVAS_PNG}, {PLOT_PDF, CANVAS_PDF}, {PLOT_SVG, CANVAS_SVG}};

/* `base` is the path without extension ("baseline/occupancy"). */
static nc_status write_formats(outdir *od, const char *base, const char *title, double w,
                               double h, canvas_draw_fn fn, figure_ctx *fc, nc_error *err)
{
    canvas_meta meta = {title, fc->o->run_epoch};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (!(fc->o->formats & formats[i].bit))
            continue;
        char path[512];
        int n = snprintf(path, sizeof path, "%s.%s", base, canvas_ext(formats[i].f));
        if (n < 0 || (size_t)n >= sizeof path)
            return nc_error_set(err, NC_ECREATE, base, 0, NULL, "output path too long");
        nc_status st = canvas_write(od, path, formats[i].f, w, h, &meta, fn, fc, err);
        if (st != NC_OK)
            return st;
    }
    return NC_OK;
}

nc_status plot_scenario(outdir *od, const nc_scen_result *r, const plot_opts *o, nc_error *err)
{
    static const struct {
        const char *name;
        canvas_draw_fn fn;
        int panels;      /* one panel per gateway: taller with several */
    } charts[] = {
        {"occupancy", figure_occupancy, 1},
        {"failures", figure_failures, 1},
        {"services", figure_services, 0},
    };
    figure_ctx fc = {.r = r, .o = o, .flags = FIG_STANDALONE};
    for (size_t i = 0; i < sizeof charts / sizeof charts[0]; i++) {
        char base[256], title[256];
        snprintf(base, sizeof base, "%s/%s", r->sc->name, charts[i].name);
        snprintf(title, sizeof title, "natcap: %s, %s", r->sc->name, charts[i].name);
        double h = charts[i].panels ? figure_panels_height(r) : FIGURE_H;
        nc_status st = write_formats(od, base, title, FIGURE_W, h, charts[i].fn, &fc, err);
        if (st != NC_OK)
            return st;
    }
    return NC_OK;
}

nc_status plot_comparison(outdir *od, const nc_scen_result *const *rs, size_t n,
                          const plot_opts *o, nc_error *err)
{
    figure_ctx fc = {.rs = rs, .n = n, .o = o, .flags = FIG_STANDALONE};
    return write_formats(od, "comparison", "natcap: comparison of scenarios", FIGURE_W,
                         figure_comparison_height(rs, n), figure_comparison, &fc, err);
}
