/*
 * cmd_common.c - see cmd.h: what the commands share.
 */
#define _GNU_SOURCE
#include "cmd.h"
#include "commands.h"

#include "io/observed_out.h"
#include "io/warn.h"

#include "io/csv_out.h"
#include "io/json_out.h"
#include "model/run_size.h"
#include "plot/plot.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t cmd_stop_flag;
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    cmd_stop_flag = 1;
    stop_signal = sig;
    outdir_abort_signal_safe();
}

void cmd_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* Past a file size limit (ulimit -f) a write fails with EFBIG, reported as a
     * write error (74), instead of SIGXFSZ killing us with temporaries left. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGXFSZ, &sa, NULL);
}

int cmd_exit_code(nc_status st)
{
    switch (st) {
    case NC_OK: return 0;
    case NC_EINPUT: return EXIT_DATAERR;
    case NC_EIO: return EXIT_IOERR;
    case NC_ECREATE: return EXIT_CANTCREAT;
    case NC_EUSAGE: return EXIT_USAGE;
    case NC_EINTR: return stop_signal == SIGTERM ? 143 : 130;
    case NC_ENOMEM: return EXIT_SOFTWARE;
    }
    return EXIT_SOFTWARE;
}

int cmd_report(const nc_error *err)
{
    if (err->code == NC_EINTR) {
        cli_log_error("interrupted by %s; previous results left as they were",
                      stop_signal == SIGTERM ? "SIGTERM" : "SIGINT");
        return cmd_exit_code(NC_EINTR);
    }
    char buf[1200];
    nc_error_format(err, buf, sizeof buf);
    cli_log_error("%s", buf);
    return cmd_exit_code(err->code);
}

nc_observed cmd_observed;

int cmd_load(const cli *c, nc_input *in)
{
    return cmd_load_ex(c, in, NULL);
}

int cmd_load_ex(const cli *c, nc_input *in, struct csv_explain *ex)
{
    struct stat sb;
    if (stat(c->input, &sb) != 0) {
        if (errno == ENOENT) {
            cli_log_error("input directory '%s' not found%s", c->input,
                          cli_given(c, "input") ? "" : " (give the input directory with -i DIR; "
                                                         "`natcap init DIR` writes a first one)");
            return EXIT_DATAERR;
        }
        cli_log_error("input directory '%s': %s", c->input, strerror(errno));
        return EXIT_IOERR;
    }
    if (!S_ISDIR(sb.st_mode)) {
        cli_log_error("input path '%s' is not a directory (-i takes the directory that holds "
                      "gateways.csv)", c->input);
        return EXIT_DATAERR;
    }
    csv_in_errors *errs = malloc(sizeof *errs);
    if (errs == NULL) {
        cli_log_error("out of memory");
        return EXIT_SOFTWARE;
    }
    nc_status st = csv_in_load_all(c->input, NULL, in, errs, ex);
    int rc = -1;
    for (size_t i = 0; st != NC_OK && i < errs->n; i++) {
        int r = cmd_report(&errs->e[i]);
        rc = rc < 0 ? r : rc;
    }
    if (st != NC_OK && errs->truncated)
        cli_log_error("stopped after %d errors", CSV_IN_MAX_ERRORS);
    if (st != NC_OK && rc < 0) {
        cli_log_error("%s: cannot load the inputs", c->input);
        rc = cmd_exit_code(st);
    }
    free(errs);
    if (rc >= 0)
        return rc;
    /* observed.csv (SPEC §6), checked against the gateways just loaded */
    nc_error err = {0};
    nc_observed_free(&cmd_observed);
    observed_in_opts oo = c->obs;
    oo.errs = calloc(1, sizeof *oo.errs);
    if (oo.errs == NULL) {
        nc_input_free(in);
        cli_log_error("out of memory");
        return EXIT_SOFTWARE;
    }
    st = observed_in_load(c->input, in, &oo, &cmd_observed, &err);
    if (st != NC_OK) {
        for (size_t i = 0; i < oo.errs->n; i++) {
            int r = cmd_report(&oo.errs->e[i]);
            rc = rc < 0 ? r : rc;
        }
        if (oo.errs->n == 0)
            rc = cmd_report(&err);
        if (oo.errs->truncated)
            cli_log_error("stopped after %d errors", CSV_IN_MAX_ERRORS);
        nc_input_free(in);
    }
    free(oo.errs);
    return rc;
}

int cmd_select_scenarios(nc_input *in, const cli *c)
{
    for (size_t k = 0; k < c->nscenarios; k++) {
        size_t i;
        for (i = 0; i < in->nscenarios; i++)
            if (strcmp(in->scenarios[i].name, c->scenarios[k]) == 0)
                break;
        if (i < in->nscenarios)
            continue;
        const char **names = calloc(in->nscenarios + 1, sizeof *names);
        for (size_t j = 0; names != NULL && j < in->nscenarios; j++)
            names[j] = in->scenarios[j].name;
        const char *near = names ? cli_nearest(c->scenarios[k], names, in->nscenarios) : NULL;
        int rc;
        if (near != NULL)
            rc = cli_usage_error(c, "-s: no scenario named '%s' in scenarios.csv (did you mean "
                                    "'%s'?)", c->scenarios[k], near);
        else
            rc = cli_usage_error(c, "-s: no scenario named '%s' in scenarios.csv", c->scenarios[k]);
        free(names);
        return rc;
    }
    size_t kept = 0;
    for (size_t i = 0; i < in->nscenarios; i++) {
        int keep = c->nscenarios == 0;
        for (size_t k = 0; k < c->nscenarios && !keep; k++)
            keep = strcmp(in->scenarios[i].name, c->scenarios[k]) == 0;
        if (!keep) {
            nc_scenario_free(&in->scenarios[i]);
            continue;
        }
        in->scenarios[kept++] = in->scenarios[i];
    }
    in->nscenarios = kept;
    for (size_t i = 0; i < in->nscenarios; i++) {
        if (c->replications > 0)
            in->scenarios[i].replications = (uint32_t)c->replications;
        if (c->seed >= 0)
            in->scenarios[i].seed = (uint64_t)c->seed;
    }
    return -1;
}

const gsl_rng_type *cmd_rng_type(int *bad)
{
    const char *name = getenv("GSL_RNG_TYPE");
    *bad = 0;
    if (name == NULL || *name == '\0')
        return gsl_rng_taus2;
    for (const gsl_rng_type **t = gsl_rng_types_setup(); *t != NULL; t++)
        if (strcmp((*t)->name, name) == 0)
            return *t;
    *bad = 1;
    return NULL;
}

long long cmd_run_epoch(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (s != NULL && *s >= '0' && *s <= '9') {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno == 0 && *end == '\0' && v <= (unsigned long long)LLONG_MAX)
            return (long long)v;
    }
    return (long long)time(NULL);
}

int cmd_check_output(const char *path)
{
    outdir *od = NULL;
    nc_error err = {0};
    if (outdir_open(path, &od, &err) != NC_OK)
        return cmd_report(&err);
    outdir_close(od);
    return -1;
}

/* Refuse a batch too large to simulate, and announce a long one (issue 5):
 * the sizes and limits are model/run_size.h's. */
static int prerun_check(const cli *c, const nc_input *in)
{
    double total = 0, units = 0;
    for (size_t i = 0; i < in->nscenarios; i++) {
        const nc_scenario *sc = &in->scenarios[i];
        run_size sz;
        if (run_size_of(sc, &sz) != NC_OK) {
            cli_log_error("out of memory");
            return EXIT_SOFTWARE;
        }
        size_t dl = strlen(in->dir);
        char where[700] = "";
        if (sc->line > 0)
            snprintf(where, sizeof where, "%s%sscenarios.csv:%ld: ", in->dir,
                     dl > 0 && in->dir[dl - 1] == '/' ? "" : "/", sc->line);
        if (!(sz.requests <= RUN_SIZE_MAX_REQUESTS)) {
            cli_log_error("%sscenario '%s': about %.2g requests to simulate (%g h + %g h warm-up x "
                          "%u replications), more than natcap's limit of %.0g; lower duration_h, "
                          "replications, rps or rate_scale", where, sc->name, sz.requests,
                          sc->duration_h, sc->warmup_h, sc->replications, RUN_SIZE_MAX_REQUESTS);
            return EXIT_DATAERR;
        }
        if (sz.result_bytes > RUN_SIZE_MAX_RESULT_BYTES) {
            cli_log_error("%sscenario '%s': its per-interval results would take about %.0f GiB "
                          "(%.0f intervals x %u replications x %zu gateways), more than natcap's "
                          "limit of %.0f GiB; raise sample_s or lower replications", where,
                          sc->name, sz.result_bytes / (1024.0 * 1024 * 1024), sz.intervals,
                          sc->replications, sc->ngateways,
                          RUN_SIZE_MAX_RESULT_BYTES / (1024.0 * 1024 * 1024));
            return EXIT_DATAERR;
        }
        total += sz.requests;
        units += sc->replications;
    }
    double est_s = run_size_seconds(total, units, c->jobs);
    if (est_s > 10 && !c->quiet && isatty(STDERR_FILENO))
        fprintf(stderr, "natcap: about %.3g requests to simulate, estimated %.0f s\n", total,
                est_s);
    return -1;
}

void cmd_print_warnings(const nc_input *in)
{
    nc_warnings w;
    if (nc_input_warnings(in, &w) != NC_OK)
        return;
    for (size_t i = 0; i < w.n; i++)
        fprintf(stderr, "natcap: warning: %s\n", w.msg[i]);
    nc_warnings_free(&w);
}

int cmd_prepare(const cli *c, nc_input *in, const gsl_rng_type **T)
{
    if (T != NULL) {
        int bad;
        *T = cmd_rng_type(&bad);
        if (bad)
            return cli_usage_error(c, "GSL_RNG_TYPE: unknown generator '%s'",
                                   getenv("GSL_RNG_TYPE"));
    }
    int rc = cmd_load(c, in);
    if (rc >= 0)
        return rc;
    rc = cmd_select_scenarios(in, c);
    if (rc < 0)
        cmd_print_warnings(in);
    if (rc < 0)
        rc = prerun_check(c, in);
    nc_error err = {0};   /* observed.csv's pool names, before the output directory */
    if (rc < 0 && observed_watch(in->scenarios, in->nscenarios, &cmd_observed, 0, &err) != NC_OK)
        rc = cmd_report(&err);
    if (rc < 0)
        observed_warn_scope(in->scenarios, in->nscenarios, &cmd_observed);
    if (rc < 0)
        rc = cmd_check_output(c->output);
    if (rc >= 0) {
        nc_input_free(in);
        return rc;
    }
    cmd_install_signals();
    return -1;
}

nc_status cmd_write_outputs(const cli *c, const nc_scen_result *const *rs, size_t n,
                            nc_error *err)
{
    outdir *od = NULL;
    nc_status st = outdir_open(c->output, &od, err);
    if (st != NC_OK)
        return st;
    plot_opts po = {c->formats, c->input, cmd_run_epoch()};
    st = csv_out_summary(od, rs, n, err);
    if (st == NC_OK)
        st = json_out_from_csv(od, "summary.csv", "summary.json", NULL, err);
    for (size_t i = 0; i < n && st == NC_OK; i++) {
        st = csv_out_timeseries(od, rs[i], err);
        if (st == NC_OK)
            st = csv_out_services(od, rs[i], err);
        if (st == NC_OK)
            st = observed_out_csv(od, rs[i], err);
        if (st == NC_OK)
            st = plot_scenario(od, rs[i], &po, err);
        if (st == NC_OK && cmd_stop_flag)
            st = nc_error_set(err, NC_EINTR, NULL, 0, NULL, "interrupted");
    }
    if (st == NC_OK)
        st = plot_comparison(od, rs, n, &po, err);
    if (st == NC_OK)
        st = report_write(od, rs, n, &po, err);
    if (st == NC_OK && cmd_stop_flag)
        st = nc_error_set(err, NC_EINTR, NULL, 0, NULL, "interrupted");
    if (st == NC_OK)
        st = outdir_commit(od, err);
    if (st != NC_OK)
        outdir_abort(od);
    outdir_close(od);
    return st;
}

int cmd_any_exhausted(const nc_scen_result *const *rs, size_t n)
{
    int exhausted = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t g = 0; g < rs[i]->sc->ngateways; g++)
            exhausted |= rs[i]->gw[g].exhausted_reps > 0;
    return exhausted;
}
