/*
 * canvas.c - surfaces for PNG, PDF and SVG, written through outdir (see
 * canvas.h).  One surface per file; the drawing function runs once per
 * format, which is cheaper than recording and replaying for charts of a
 * few thousand points.
 */
#include "canvas.h"
#include "../model/version.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *canvas_ext(canvas_format f)
{
    switch (f) {
    case CANVAS_PNG: return "png";
    case CANVAS_PDF: return "pdf";
    case CANVAS_SVG: return "svg";
    }
    return "bin";
}

void canvas_format_epoch_iso(long long epoch, char *buf, size_t len)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, len, "1970-01-01T00:00:00Z");
}

void canvas_format_epoch_human(long long epoch, char *buf, size_t len)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
        snprintf(buf, len, "1970-01-01 00:00 UTC");
}

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int len)
{
    FILE *fp = closure;
    return fwrite(data, 1, len, fp) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* SVG goes to memory first: see svg_normalize. */
typedef struct membuf {
    unsigned char *data;
    size_t len, cap;
} membuf;

static cairo_status_t mem_write_cb(void *closure, const unsigned char *data, unsigned int len)
{
    membuf *b = closure;
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + len)
            cap *= 2;
        unsigned char *p = realloc(b->data, cap);
        if (p == NULL)
            return CAIRO_STATUS_NO_MEMORY;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return CAIRO_STATUS_SUCCESS;
}

/* cairo 1.16 names the SVG's top group after the surface's process-wide
 * serial number ("surface607"), which depends on how many surfaces the
 * process made before: charts would differ between --format png,svg and
 * --format svg, or with the order threads finish in.  Nothing refers to
 * that id, so it is renamed "surface1" before the file is written. */
static void svg_write_normalized(const membuf *b, FILE *fp)
{
    static const char key[] = "<g id=\"surface";
    size_t kl = sizeof key - 1, at = b->len;
    for (size_t i = 0; i + kl <= b->len; i++)
        if (memcmp(b->data + i, key, kl) == 0) {
            at = i + kl;
            break;
        }
    if (at == b->len) {
        fwrite(b->data, 1, b->len, fp);
        return;
    }
    size_t end = at;
    while (end < b->len && b->data[end] >= '0' && b->data[end] <= '9')
        end++;
    fwrite(b->data, 1, at, fp);
    fputc('1', fp);
    fwrite(b->data + end, 1, b->len - end, fp);
}

static nc_status cairo_failure(cairo_status_t cs, const char *what, nc_error *err)
{
    nc_status st = cs == CAIRO_STATUS_NO_MEMORY ? NC_ENOMEM : NC_EIO;
    return nc_error_set(err, st, what, 0, NULL, "cannot draw chart: %s",
                        cairo_status_to_string(cs));
}

/* Paint white, scale points to device units, run the drawing function. */
static nc_status draw_on(cairo_surface_t *s, double scale, double w_pt, double h_pt,
                         canvas_draw_fn fn, void *ctx, const char *what, nc_error *err)
{
    cairo_t *cr = cairo_create(s);
    cairo_status_t cs = cairo_status(cr);
    if (cs != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(cr);
        return cairo_failure(cs, what, err);
    }
    cairo_scale(cr, scale, scale);
    cairo_rectangle(cr, 0, 0, w_pt, h_pt);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill(cr);
    chart *c = chart_create(cr, scale != 1.0);
    nc_status st = NC_OK;
    if (c == NULL)
        st = nc_error_set(err, NC_ENOMEM, what, 0, NULL, "out of memory");
    else
        st = fn(c, w_pt, h_pt, ctx);
    if (c != NULL && st != NC_OK)
        nc_error_set(err, st, what, 0, NULL, "cannot draw chart: %s", nc_status_str(st));
    chart_destroy(c);
    cs = cairo_status(cr);
    cairo_destroy(cr);
    if (st == NC_OK && cs != CAIRO_STATUS_SUCCESS)
        st = cairo_failure(cs, what, err);
    return st;
}

static cairo_surface_t *image_surface(double w_pt, double h_pt)
{
    int w = (int)ceil(w_pt * CANVAS_PNG_SCALE - 1e-6);
    int h = (int)ceil(h_pt * CANVAS_PNG_SCALE - 1e-6);
    /* RGB24: opaque charts, smaller PNGs without an alpha channel */
    return cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
}

nc_status canvas_render_image(double w_pt, double h_pt, canvas_draw_fn fn, void *ctx,
                              cairo_surface_t **out, nc_error *err)
{
    cairo_surface_t *s = image_surface(w_pt, h_pt);
    cairo_status_t cs = cairo_surface_status(s);
    if (cs != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return cairo_failure(cs, "image", err);
    }
    nc_status st = draw_on(s, CANVAS_PNG_SCALE, w_pt, h_pt, fn, ctx, "image", err);
    if (st != NC_OK) {
        cairo_surface_destroy(s);
        return st;
    }
    cairo_surface_flush(s);
    *out = s;
    return NC_OK;
}

static cairo_surface_t *vector_surface(canvas_format f, FILE *fp, membuf *mem, double w_pt,
                                       double h_pt, const canvas_meta *meta)
{
    if (f == CANVAS_SVG) {
        cairo_surface_t *s = cairo_svg_surface_create_for_stream(mem_write_cb, mem, w_pt, h_pt);
        cairo_svg_surface_restrict_to_version(s, CAIRO_SVG_VERSION_1_1);
        return s;
    }
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_cb, fp, w_pt, h_pt);
    if (meta == NULL)
        return s;
    char date[32];
    canvas_format_epoch_iso(meta->epoch, date, sizeof date);
    /* Without these cairo 1.16 stamps the current time: never reproducible. */
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, date);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "natcap " NATCAP_VERSION);
    if (meta->title != NULL)
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, meta->title);
    return s;
}

nc_status canvas_write(outdir *od, const char *relpath, canvas_format f, double w_pt,
                       double h_pt, const canvas_meta *meta, canvas_draw_fn fn, void *ctx,
                       nc_error *err)
{
    FILE *fp;
    nc_status st = outdir_begin(od, relpath, &fp, err);
    if (st != NC_OK)
        return st;

    membuf mem = {NULL, 0, 0};
    cairo_surface_t *s = f == CANVAS_PNG ? image_surface(w_pt, h_pt)
                                         : vector_surface(f, fp, &mem, w_pt, h_pt, meta);
    cairo_status_t cs = cairo_surface_status(s);
    if (cs != CAIRO_STATUS_SUCCESS)
        st = cairo_failure(cs, relpath, err);
    if (st == NC_OK)
        st = draw_on(s, f == CANVAS_PNG ? CANVAS_PNG_SCALE : 1.0, w_pt, h_pt, fn, ctx, relpath,
                     err);
    if (st == NC_OK && f == CANVAS_PNG) {
        cs = cairo_surface_write_to_png_stream(s, write_cb, fp);
        if (cs != CAIRO_STATUS_SUCCESS)
            st = cairo_failure(cs, relpath, err);
    }
    /* PDF and SVG are written out by finish; only then is the status final. */
    cairo_surface_finish(s);
    cs = cairo_surface_status(s);
    if (st == NC_OK && cs != CAIRO_STATUS_SUCCESS)
        st = cairo_failure(cs, relpath, err);
    cairo_surface_destroy(s);
    if (st == NC_OK && f == CANVAS_SVG)
        svg_write_normalized(&mem, fp);   /* write errors: outdir_end sees ferror */
    free(mem.data);

    /* Always hand the FILE back: outdir owns it.  A rendering failure is
     * reported in preference to the (then irrelevant) close status. */
    nc_error end_err;
    nc_status end = outdir_end(od, fp, st == NC_OK ? err : &end_err);
    if (st == NC_EIO && end == NC_EIO && err != NULL)
        *err = end_err;   /* cairo saw the write fail; outdir knows the path and errno */
    return st != NC_OK ? st : end;
}
