/*
 * fit_out.c - copy or rewrite input files for `natcap fit` (see fit_out.h).
 */
#include "fit_out.h"

#include "csv_out.h"
#include "csv_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

nc_status fit_out_copy(outdir *od, const char *dir, const char *name, nc_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *in = fopen(path, "rb");
    if (in == NULL)
        return errno == ENOENT ? NC_OK : nc_error_set(err, NC_EIO, path, 0, NULL, "cannot read: %s", strerror(errno));
    FILE *fp;
    nc_status st = outdir_begin(od, name, &fp, err);
    if (st != NC_OK) {
        fclose(in);
        return st;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, fp);
    int bad = ferror(in);
    fclose(in);
    if (bad) {
        outdir_end(od, fp, err);
        return nc_error_set(err, NC_EIO, path, 0, NULL, "cannot read");
    }
    return outdir_end(od, fp, err);
}

nc_status fit_out_rewrite(outdir *od, const char *dir, const char *name, const char *comment,
                          const char *add_col, fit_cell_fn fn, void *ud, const char *extra,
                          const char *header_if_missing, nc_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    csv_read_table t;
    nc_status st = csv_read_file(path, 0, &t, err);
    if (st != NC_OK)
        return st;
    FILE *fp;
    st = outdir_begin(od, name, &fp, err);
    if (st != NC_OK) {
        csv_read_free(&t);
        return st;
    }
    if (comment != NULL)
        fputs(comment, fp);
    if (!t.present || t.ncols == 0) {
        fputs(header_if_missing, fp);
    } else {
        int add = add_col != NULL;
        for (size_t c = 0; add && c < t.ncols; c++)
            add &= strcmp(csv_read_header(&t, c), add_col) != 0;
        for (size_t c = 0; c < t.ncols; c++) {
            if (c)
                fputc(',', fp);
            csv_out_field(fp, csv_read_header(&t, c));
        }
        if (add) {
            fputc(',', fp);
            csv_out_field(fp, add_col);
        }
        fputc('\n', fp);
        for (size_t r = 0; r < t.nrows; r++) {
            for (size_t c = 0; c < t.ncols + (size_t)add; c++) {
                const char *col = c < t.ncols ? csv_read_header(&t, c) : add_col;
                const char *cell = c < t.ncols ? csv_read_cell(&t, r, c) : NULL;
                char buf[256];
                const char *nv = fn != NULL ? fn(ud, r, t.row_line[r], col, cell, buf, sizeof buf) : NULL;
                if (c)
                    fputc(',', fp);
                csv_out_field(fp, nv != NULL ? nv : cell != NULL ? cell : "");
            }
            fputc('\n', fp);
        }
    }
    if (extra != NULL)
        fputs(extra, fp);
    csv_read_free(&t);
    return outdir_end(od, fp, err);
}
