/*
 * cmd_validate.c - `natcap validate`: load and check the inputs, print what
 * was found and how it resolved (io/validate_out.h), simulate nothing.
 */
#include "cmd.h"
#include "commands.h"

#include "io/explain.h"
#include "io/validate_out.h"

#include <string.h>

int cmd_validate(const cli *c, char **operands, size_t noperands)
{
    (void)operands;
    (void)noperands;
    nc_input in = {0};
    csv_explain ex;
    memset(&ex, 0, sizeof ex);   /* freed below even when the load never began */
    int rc = cmd_load_ex(c, &in, &ex);
    if (rc >= 0) {
        csv_explain_free(&ex);
        return rc;
    }
    cmd_print_warnings(&in);
    size_t nall = in.nscenarios;
    rc = cmd_select_scenarios(&in, c);
    nc_error err = {0};
    if (rc < 0 && observed_watch(in.scenarios, in.nscenarios, &cmd_observed, 0, &err) != NC_OK)
        rc = cmd_report(&err);
    if (rc < 0)
        observed_warn_scope(in.scenarios, in.nscenarios, &cmd_observed);
    if (rc >= 0) {
        csv_explain_free(&ex);
        nc_input_free(&in);
        return rc;
    }
    if (!c->quiet) {   /* -q: only errors and warnings (stderr) */
        printf("%s: %zu gateway%s, %zu destination%s, %zu service row%s, %zu profile%s, %zu scenario%s\n",
               c->input, in.ngateways, in.ngateways == 1 ? "" : "s", in.ndestinations,
               in.ndestinations == 1 ? "" : "s", in.nservices, in.nservices == 1 ? "" : "s",
               in.nprofiles, in.nprofiles == 1 ? "" : "s", nall, nall == 1 ? "" : "s");
        for (size_t i = 0; i < in.nscenarios; i++) {
            const nc_scenario *sc = &in.scenarios[i];
            printf("  scenario %-24s %zu gateway%s, %zu service row%s, %u replication%s, seed %llu, %g h + %g h warm-up\n",
                   sc->name, sc->ngateways, sc->ngateways == 1 ? "" : "s", sc->nservices,
                   sc->nservices == 1 ? "" : "s", sc->replications, sc->replications == 1 ? "" : "s",
                   (unsigned long long)sc->seed, sc->duration_h, sc->warmup_h);
        }
        validate_print(stdout, &in, &ex, c->verbose);
        if (cmd_observed.n > 0) {
            size_t points = 0;
            for (size_t i = 0; i < cmd_observed.n; i++)
                points += cmd_observed.s[i].n;
            printf("  observed.csv: %zu series, %zu points%s%s%s\n", cmd_observed.n, points,
                   cmd_observed.day[0] ? " on " : "", cmd_observed.day,
                   cmd_observed.folded ? " (folded)" : "");
        }
    }
    csv_explain_free(&ex);
    nc_input_free(&in);
    return 0;
}
