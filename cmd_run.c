/*
 * cmd_run.c - `natcap run`: simulate every selected scenario and write the
 * outputs, or, with --shard/--shards, one shard's part (io/shard.h).
 */
#define _GNU_SOURCE
#include "cmd.h"
#include "commands.h"
#include "progress.h"

#include "io/csv_out.h"
#include "io/shard.h"
#include "model/batch.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* --shard K/N, else the shard the environment names (Slurm array task,
 * Kubernetes completion index with --shards N).  h->n stays 0 when the run
 * is not sharded.  -1 to go on, else the exit code. */
static int pick_shard(const cli *c, shard_header *h)
{
    if (c->shard_n > 0 && c->shards > 0)
        return cli_usage_error(c, "give --shard K/N or --shards N, not both");
    if (c->shard_n > 0) {
        h->k = c->shard_k;
        h->n = c->shard_n;
        return -1;
    }
    nc_error err = {0};
    const char *source = NULL;
    if (shard_from_env(c->shards, &h->k, &h->n, &source, &err) != NC_OK)
        return cli_usage_error(c, "%s", err.msg);
    if (source != NULL)
        fprintf(stderr, "natcap: shard %u/%u (from %s)\n", h->k, h->n, source);
    return -1;
}

/* Fill the part's header before the run and restrict the batch to the
 * shard's units. */
static nc_status begin_part(const cli *c, const nc_input *in, const gsl_rng_type *T,
                            shard_header *h, batch_opts *bo, nc_error *err)
{
    nc_status st = shard_header_begin(h, h->k, h->n, in, c->input, T->name, err);
    if (st != NC_OK)
        return st;
    h->formats = c->formats;
    h->replications = c->replications;
    h->seed = c->seed;
    h->obs_tz_s = c->obs.tz_s;   /* for the merge's comparison with observed.csv */
    snprintf(h->obs_day, sizeof h->obs_day, "%s", c->obs.day != NULL ? c->obs.day : "");
    h->obs_fold = (uint32_t)c->obs.fold;
    bo->unit_lo = h->unit_lo;
    bo->unit_hi = h->unit_hi;
    if (h->unit_lo == h->unit_hi)   /* empty shard; (0, 0) would mean "all" */
        bo->unit_lo = bo->unit_hi = h->units;
    return NC_OK;
}

/* A shard writes its part and nothing else into the output directory. */
static nc_status write_part(const cli *c, shard_header *h, nc_scen_result *const *rs, size_t n,
                            nc_error *err)
{
    nc_status st = shard_header_scenarios(h, (const nc_scen_result *const *)rs, n, err);
    if (st == NC_OK)
        st = shard_write_part(c->output, h, (const nc_scen_result *const *)rs, n, err);
    if (st == NC_OK && !c->quiet) {
        char name[64];
        shard_file_name(h->k, h->n, name, sizeof name);
        fprintf(stderr, "natcap: shard %u/%u: units [%llu, %llu) of %llu written to %s/%s\n",
                h->k, h->n, (unsigned long long)h->unit_lo, (unsigned long long)h->unit_hi,
                (unsigned long long)h->units, c->output, name);
    }
    return st;
}

/* NATCAP_STATS=1: one line for the benchmark (make bench) on stderr. */
static void print_stats(nc_scen_result *const *rs, size_t n, double wall_s)
{
    unsigned long long requests = 0, simulated = 0, attempts = 0;
    for (size_t i = 0; i < n; i++) {
        simulated += rs[i]->simulated;
        for (size_t g = 0; g < rs[i]->sc->ngateways; g++) {
            requests += rs[i]->gw[g].requests;
            attempts += rs[i]->gw[g].attempts;
        }
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    fprintf(stderr,
            "natcap-stats: requests=%llu simulated=%llu attempts=%llu wall_s=%.3f cpu_s=%.3f "
            "maxrss_kb=%ld\n",
            requests, simulated, attempts, wall_s, cpu_s, ru.ru_maxrss);
}

int cmd_run(const cli *c, char **operands, size_t noperands)
{
    (void)operands;
    (void)noperands;
    int bad;
    const gsl_rng_type *T = cmd_rng_type(&bad);
    if (bad)
        return cli_usage_error(c, "GSL_RNG_TYPE: unknown generator '%s'", getenv("GSL_RNG_TYPE"));
    shard_header sh;
    memset(&sh, 0, sizeof sh);
    int rc = pick_shard(c, &sh);
    if (rc >= 0)
        return rc;
    nc_input in = {0};
    rc = cmd_prepare(c, &in, NULL);
    if (rc >= 0)
        return rc;
    nc_scen_result **rs = calloc(in.nscenarios + 1, sizeof *rs);
    if (rs == NULL) {
        nc_input_free(&in);
        cli_log_error("out of memory");
        return EXIT_SOFTWARE;
    }
    progress pg;
    progress_init(&pg, in.scenarios, in.nscenarios, !c->quiet && isatty(STDERR_FILENO));
    batch_opts bo = {c->jobs, T, &cmd_stop_flag, progress_draw, &pg, 0, 0, NULL};
    nc_error err = {0};
    /* the pools observed.csv names are recorded by every run; a shard's part
     * carries their series to the merge, which compares */
    nc_status st = sh.n > 0 ? begin_part(c, &in, T, &sh, &bo, &err) : NC_OK;
    if (st == NC_OK)
        st = observed_watch(in.scenarios, in.nscenarios, &cmd_observed, 1, &err);
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    if (st == NC_OK)
        st = batch_run(in.scenarios, in.nscenarios, &bo, rs, &err);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    progress_clear(&pg);
    if (st == NC_OK && getenv("NATCAP_STATS") != NULL)
        print_stats(rs, in.nscenarios,
                    (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9);
    if (st == NC_OK && sh.n > 0)
        st = write_part(c, &sh, rs, in.nscenarios, &err);
    else if (st == NC_OK)
        st = observed_attach(rs, in.nscenarios, &cmd_observed, &err);
    if (st == NC_OK && sh.n == 0)
        st = cmd_write_outputs(c, (const nc_scen_result *const *)rs, in.nscenarios, &err);
    shard_header_free(&sh);
    if (st != NC_OK) {
        rc = cmd_report(&err);
    } else {
        rc = 0;
        if (!c->quiet && sh.n == 0)
            csv_out_table(stdout, (const nc_scen_result *const *)rs, in.nscenarios);
        if (c->fail_on_exhaustion &&
            cmd_any_exhausted((const nc_scen_result *const *)rs, in.nscenarios))
            rc = EXIT_EXHAUSTED;
    }
    observed_detach(rs, in.nscenarios);
    for (size_t i = 0; i < in.nscenarios; i++)
        nc_scen_result_destroy(rs[i]);
    free(rs);
    nc_input_free(&in);
    return rc;
}
