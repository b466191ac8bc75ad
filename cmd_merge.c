/*
 * cmd_merge.c - `natcap merge PART...`: add up the parts of a sharded run
 * (io/shard.h) and write the outputs a single `natcap run` would have,
 * the comparison with observed.csv included.
 */
#include "cmd.h"
#include "commands.h"

#include "io/csv_out.h"
#include "io/shard.h"

#include <stdlib.h>
#include <string.h>

/* Merge the parts into rs (fresh results of in's scenarios) and write the
 * outputs of a single run; 0, 3 or the exit code of the error. */
static int merge_write(const cli *m, const shard_set *set, const nc_input *in)
{
    size_t n = in->nscenarios;
    nc_scen_result **rs = calloc(n + 1, sizeof *rs);
    nc_error err = {0};
    nc_status st = rs == NULL ? nc_error_set(&err, NC_ENOMEM, NULL, 0, NULL, "out of memory") : NC_OK;
    for (size_t i = 0; i < n && st == NC_OK; i++) {
        rs[i] = nc_scen_result_create(&in->scenarios[i], in->scenarios[i].replications);
        if (rs[i] == NULL)
            st = nc_error_set(&err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    if (st == NC_OK)
        st = shard_set_merge(set, rs, n, &err);
    if (st == NC_OK)
        st = observed_attach(rs, n, &cmd_observed, &err);
    if (st == NC_OK)
        st = cmd_write_outputs(m, (const nc_scen_result *const *)rs, n, &err);
    int rc = st != NC_OK ? cmd_report(&err) : 0;
    if (st == NC_OK && !m->quiet)
        csv_out_table(stdout, (const nc_scen_result *const *)rs, n);
    if (st == NC_OK && m->fail_on_exhaustion &&
        cmd_any_exhausted((const nc_scen_result *const *)rs, n))
        rc = EXIT_EXHAUSTED;
    observed_detach(rs, n);
    for (size_t i = 0; rs != NULL && i < n; i++)
        nc_scen_result_destroy(rs[i]);
    free(rs);
    return rc;
}

/* natcap merge: check the parts, load their inputs again with their -s,
 * -r and --seed, add them up and write what `natcap run` writes. */
int cmd_merge(const cli *c, char **parts, size_t nparts)
{
    if (nparts == 0)
        return cli_usage_error(c, "no part given (natcap merge -o DIR PART...)");
    nc_error err = {0};
    shard_set *set = NULL;
    if (shard_set_open((const char *const *)parts, nparts, &set, &err) != NC_OK)
        return cmd_report(&err);
    const shard_header *h = shard_set_header(set);
    const char **names = calloc(h->nscen, sizeof *names);
    if (names == NULL) {
        shard_set_destroy(set);
        cli_log_error("out of memory");
        return EXIT_SOFTWARE;
    }
    for (size_t i = 0; i < h->nscen; i++)
        names[i] = h->scen[i].name;
    cli m = *c;
    int input_set = cli_given(c, "input");
    m.input = input_set ? c->input : h->input_dir;
    m.formats = cli_given(c, "format") ? c->formats : h->formats;
    m.scenarios = names;
    m.nscenarios = h->nscen;
    m.replications = h->replications;
    m.seed = h->seed;
    /* observed.csv is read as the shards were told to, unless merge says otherwise */
    if (!cli_given(c, "tz"))
        m.obs.tz_s = (int)h->obs_tz_s;
    if (!cli_given(c, "observed-day") && !cli_given(c, "observed-fold")) {
        m.obs.day = h->obs_day[0] != '\0' ? h->obs_day : NULL;
        m.obs.fold = (obs_fold)h->obs_fold;
    }
    nc_input in = {0};
    int rc = cmd_load(&m, &in);
    if (rc >= 0 && !input_set)
        cli_log_error("the parts were run with -i %s; give merge -i DIR if the inputs are elsewhere",
                      h->input_dir);
    if (rc < 0 && shard_set_check_inputs(set, m.input, &in, &err) != NC_OK)
        rc = cmd_report(&err);
    if (rc < 0)
        rc = cmd_select_scenarios(&in, &m);
    /* the pools observed.csv names, watched as `run` watches them, before the
     * results are created; the parts must hold their series */
    if (rc < 0 && (observed_watch(in.scenarios, in.nscenarios, &cmd_observed, 1, &err) != NC_OK ||
                   shard_set_check_watch(set, &in, &cmd_observed, &err) != NC_OK))
        rc = cmd_report(&err);
    if (rc < 0)
        rc = cmd_check_output(m.output);
    if (rc < 0) {
        cmd_install_signals();
        m.input = h->input_dir;   /* footers name the -i the shards ran with */
        rc = merge_write(&m, set, &in);
    }
    nc_input_free(&in);
    free(names);
    shard_set_destroy(set);
    return rc;
}
