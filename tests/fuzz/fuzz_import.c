/*
 * fuzz_import.c - libFuzzer target for the observed-metrics parsers: the
 * JSON importers of io/obs_import*.c (CloudWatch, Prometheus, Cloud
 * Monitoring, Azure Monitor, through jansson) and the observed.csv loader of
 * io/observed_in.c.
 *
 * The first byte picks the target and options: bit 0 observed.csv (else a
 * JSON export), bit 1 --metric open, bit 2 --pool, bit 3 --observed-fold
 * mean, bit 4 --tz +02:00, bit 5 two gateways; the rest is the file.  Each
 * JSON input is imported twice into one row set (so the second append and its
 * rollback on error run too), then finished and written to a memory stream.
 *
 * Properties checked besides the sanitizers' crashes, leaks and hangs:
 *  - on error the status is NC_EINPUT (or NC_ENOMEM), the message names the
 *    file, is one line of printable text, and the row set is as it was;
 *  - on success every value is finite and >= 0, intervals >= 0, series are
 *    within one day on the simulated clock with finite values.
 * Built by `make fuzz` (fuzz-import); replayed by `make fuzz-replay`.
 */
#include "../../io/obs_import.h"
#include "../../io/observed_in.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what, const char *detail)
{
    if (!ok) {
        fprintf(stderr, "fuzz_import: property broken: %s: %s\n", what, detail ? detail : "");
        abort();
    }
}

static void check_error(nc_status st, const nc_error *err, const char *file)
{
    char buf[1200];
    check(st == NC_EINPUT || st == NC_ENOMEM, "status is not NC_EINPUT", err->msg);
    if (st != NC_EINPUT)
        return;
    nc_error_format(err, buf, sizeof buf);
    check(err->file[0] == '\0' || strcmp(err->file, file) == 0, "message names another file", buf);
    for (const unsigned char *p = (const unsigned char *)buf; *p; p++)
        check(*p >= 0x20 || *p == '\t', "control byte in the message", buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    if (mode & 1) {
        nc_gateway gws[2];
        memset(gws, 0, sizeof gws);
        strcpy(gws[0].name, "egress");
        strcpy(gws[1].name, "edge-2");
        static csv_in_errors errs;   /* every error (mode & 64), else the first */
        memset(&errs, 0, sizeof errs);
        observed_in_opts o = {(mode & 16) ? 7200 : 0, NULL,
                              (mode & 8) ? OBS_FOLD_MEAN : OBS_FOLD_NONE,
                              (mode & 64) ? &errs : NULL};
        nc_observed ob;
        nc_error err = {0};
        nc_status st = observed_in_load_mem("in/observed.csv", body, len, gws, (mode & 32) ? 2 : 1,
                                            &o, &ob, &err);
        if (st != NC_OK) {
            check_error(st, &err, "in/observed.csv");
            check(ob.n == 0 && ob.s == NULL, "observed not empty after an error", err.msg);
            return 0;
        }
        for (size_t i = 0; i < ob.n; i++) {
            const obs_series *s = &ob.s[i];
            check(s->n > 0 && s->interval_s > 0 && isfinite(s->t0_s), "bad series", s->gateway);
            check(s->t0_s >= -86400 && s->t0_s < 2 * 86400, "series off the day", s->gateway);
            for (size_t k = 0; k < s->n; k++)
                check(isfinite(s->value[k]) && s->value[k] >= 0, "bad value", s->gateway);
        }
        nc_observed_free(&ob);
        return 0;
    }
    obs_import_opts o = {"egress", (mode & 2) ? "open" : NULL, (mode & 4) ? "api#1" : NULL};
    obs_rows rows;
    memset(&rows, 0, sizeof rows);
    for (int pass = 0; pass < 2; pass++) {
        size_t n0 = rows.n, s0 = rows.nstr;
        nc_error err = {0};
        nc_status st = obs_import_buffer("x.json", body, len, &o, &rows, &err);
        if (st != NC_OK) {
            check_error(st, &err, "x.json");
            check(rows.n == n0 && rows.nstr == s0, "rows not rolled back", err.msg);
            break;
        }
        for (size_t i = 0; i < rows.n; i++)
            check(isfinite(rows.row[i].value) && rows.row[i].value >= 0 &&
                  rows.row[i].interval_s >= 0 && rows.row[i].metric < OBS_NMETRICS,
                  "bad row", rows.row[i].source);
    }
    nc_error err = {0};
    if (rows.n > 0 && obs_import_finish(&rows, &o, &err) == NC_OK) {
        char *buf = NULL;
        size_t blen = 0;
        FILE *fp = open_memstream(&buf, &blen);
        if (fp != NULL) {
            obs_import_write(fp, &rows, &o);
            fclose(fp);
        }
        free(buf);
    }
    obs_rows_free(&rows);
    return 0;
}
