/*
 * cmd_estimate.c - `natcap estimate`: the analytic first look
 * (model/estimate.h), no simulation; estimate.csv and a table.
 */
#include "cmd.h"

#include "io/estimate_out.h"

#include <stdlib.h>

int cmd_estimate(const cli *c, char **operands, size_t noperands)
{
    (void)operands;
    (void)noperands;
    nc_input in = {0};
    int rc = cmd_load(c, &in);
    if (rc < 0)
        rc = cmd_select_scenarios(&in, c);
    if (rc >= 0) {
        nc_input_free(&in);
        return rc;
    }
    size_t n = 0;
    for (size_t i = 0; i < in.nscenarios; i++)
        n += in.scenarios[i].ngateways;
    estimate_row *rows = calloc(n ? n : 1, sizeof *rows);
    nc_error err = {0};
    nc_status st = rows ? NC_OK : nc_error_set(&err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0, k = 0; st == NC_OK && i < in.nscenarios; k += in.scenarios[i].ngateways, i++)
        st = estimate_scenario(&in.scenarios[i], i, rows + k, &err);
    outdir *od = NULL;
    if (st == NC_OK)
        st = outdir_open(c->output, &od, &err);
    if (st == NC_OK) {
        st = estimate_write(od, &in, rows, n, &err);
        if (st == NC_OK)
            st = outdir_commit(od, &err);
        outdir_close(od);
    }
    if (st == NC_OK && !c->quiet)
        estimate_print(stdout, &in, rows, n);
    free(rows);
    nc_input_free(&in);
    return st == NC_OK ? 0 : cmd_report(&err);
}
