/* json_out.c - see json_out.h. */
#include "json_out.h"

#include "csv_read.h"
#include "../model/version.h"

#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Columns that name things: strings even when a name looks like a number. */
static const char *const name_cols[] = {"scenario", "gateway", "service",  "destination",
                                        "binding_pool", "pool", "rng", "rule", "platform",
                                        "metric", "source", "description"};

static int is_name_col(const char *h)
{
    for (size_t i = 0; i < sizeof name_cols / sizeof name_cols[0]; i++)
        if (strcmp(h, name_cols[i]) == 0)
            return 1;
    return 0;
}

/* 1 and *v when s is a whole finite decimal number; *integral when it has
 * neither point nor exponent (and fits a json_int_t). */
static int parse_number(const char *s, double *v, int *integral, json_int_t *iv)
{
    if (s == NULL || *s == '\0')
        return 0;
    /* only what a CSV writer prints: [-]digits[.digits][e[+-]digits] */
    const char *p = s;
    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return 0;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(d))
        return 0;
    *v = d;
    *integral = strpbrk(s, ".eE") == NULL;
    if (*integral) {
        errno = 0;
        long long ll = strtoll(s, &end, 10);
        if (errno == ERANGE || *end != '\0')
            *integral = 0;
        else
            *iv = (json_int_t)ll;
    }
    return 1;
}

json_t *json_out_cell(const char *s, int text)
{
    if (s == NULL || *s == '\0')
        return json_null();
    double d;
    int integral;
    json_int_t iv = 0;
    if (!text && parse_number(s, &d, &integral, &iv))
        return integral ? json_integer(iv) : json_real(d);
    return json_string(s);
}

nc_status json_out_write(outdir *od, const char *json_rel, const json_t *v, nc_error *err)
{
    FILE *fp;
    nc_status st = outdir_begin(od, json_rel, &fp, err);
    if (st != NC_OK)
        return st;
    if (json_dumpf(v, fp, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) != 0)
        fputs("\n(json_dumpf failed)", fp);   /* caught below: not valid JSON, but never silent */
    fputc('\n', fp);
    return outdir_end(od, fp, err);
}

static nc_status oom(nc_error *err)
{
    return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
}

nc_status json_out_from_csv(outdir *od, const char *csv_rel, const char *json_rel,
                            json_t *extra, nc_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    nc_status st = outdir_read(od, csv_rel, &buf, &len, err);
    if (st != NC_OK)
        return st;
    csv_read_table t;
    st = csv_read_buffer(csv_rel, buf, len, 1, &t, err);
    free(buf);
    if (st != NC_OK)
        return st;
    /* a column is numeric when every non-empty cell parses as a number */
    int *text = calloc(t.ncols ? t.ncols : 1, sizeof *text);
    json_t *root = json_object(), *cols = json_array(), *rows = json_array();
    if (text == NULL || root == NULL || cols == NULL || rows == NULL) {
        free(text);
        json_decref(root);
        json_decref(cols);
        json_decref(rows);
        csv_read_free(&t);
        return oom(err);
    }
    for (size_t c = 0; c < t.ncols; c++) {
        const char *h = csv_read_header(&t, c);
        text[c] = is_name_col(h);
        for (size_t r = 0; r < t.nrows && !text[c]; r++) {
            const char *s = csv_read_cell(&t, r, c);
            double d;
            int integral;
            json_int_t iv;
            if (s != NULL && !parse_number(s, &d, &integral, &iv))
                text[c] = 1;
        }
        json_array_append_new(cols, json_string(h));
    }
    for (size_t r = 0; r < t.nrows; r++) {
        json_t *o = json_object();
        for (size_t c = 0; o != NULL && c < t.ncols; c++)
            json_object_set_new(o, csv_read_header(&t, c), json_out_cell(csv_read_cell(&t, r, c), text[c]));
        json_array_append_new(rows, o);
    }
    json_object_set_new(root, "generator", json_string("natcap " NATCAP_VERSION));
    json_object_set_new(root, "source", json_string(csv_rel));
    json_object_set_new(root, "columns", cols);
    json_object_set_new(root, "rows", rows);
    if (extra != NULL)
        json_object_update(root, extra);
    free(text);
    csv_read_free(&t);
    st = json_out_write(od, json_rel, root, err);
    json_decref(root);
    return st;
}
