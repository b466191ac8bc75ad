/*
 * main.c - natcap's command line: parse argv, wire io -> model -> io/plot,
 * choose the exit status (SPEC §1).  Nothing else lives here.
 */
#define _GNU_SOURCE
#include "io/csv_in.h"
#include "io/csv_out.h"
#include "io/outdir.h"
#include "io/plan_out.h"
#include "model/batch.h"
#include "model/plan.h"
#include "model/summary.h"
#include "plot/plot.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <gsl/gsl_errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    EXIT_EXHAUSTED = 3,
    EXIT_USAGE = 64,
    EXIT_DATAERR = 65,
    EXIT_CANTCREAT = 73,
    EXIT_IOERR = 74,
    EXIT_SOFTWARE = 70
};

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_flag = 1;
    stop_signal = sig;
    outdir_abort_signal_safe();
}

__attribute__((format(printf, 1, 2))) static void nc_log_error(const char *fmt, ...)
{
    va_list ap;
    fputs("natcap: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int exit_code(nc_status st)
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

static int report(const nc_error *err)
{
    if (err->code == NC_EINTR) {
        nc_log_error("interrupted by %s; previous results left as they were",
                     stop_signal == SIGTERM ? "SIGTERM" : "SIGINT");
        return exit_code(NC_EINTR);
    }
    char buf[1200];
    nc_error_format(err, buf, sizeof buf);
    nc_log_error("%s", buf);
    return exit_code(err->code);
}

static void usage(FILE *fp)
{
    fputs("Usage: natcap run      [-i DIR] [-o DIR] [-s NAME]... [-r N] [--seed N] [-j N]\n"
          "                       [--format png,pdf,svg] [--fail-on-exhaustion] [-q]\n"
          "       natcap plan     [-i DIR] [-o DIR] [-s NAME]... [--target-utilization U]\n"
          "                       [--growth G] [--alert-at A] [--lead-minutes M]\n"
          "                       [-r N] [--seed N] [-j N] [-q]\n"
          "       natcap validate [-i DIR]\n"
          "       natcap --help | --version\n"
          "\n"
          "Simulates a day of connections through NAT gateways and reports when and why\n"
          "they run out of source ports.\n"
          "\n"
          "  -i, --input DIR          input directory (default: inputs)\n"
          "  -o, --output DIR         output directory, created if missing (default: outputs)\n"
          "  -s, --scenario NAME      run only this scenario; repeatable (default: all)\n"
          "  -r, --replications N     override every scenario's replications\n"
          "      --seed N             override every scenario's seed\n"
          "  -j, --jobs N             worker threads (default: online CPUs)\n"
          "      --format LIST        chart formats, comma separated: png,pdf,svg (default: png,pdf)\n"
          "      --fail-on-exhaustion exit 3 if any scenario ran out of ports\n"
          "  -q, --quiet              no progress or summary\n"
          "      --target-utilization U, --growth G, --alert-at A, --lead-minutes M\n"
          "                           plan targets (defaults 0.8, 1.5, 0.8, 15)\n"
          "  -h, --help               show this help\n"
          "  -V, --version            show the version\n"
          "\n"
          "Environment: GSL_RNG_TYPE selects the generator (default taus2);\n"
          "SOURCE_DATE_EPOCH fixes the report date.\n"
          "Exit status: 0 ok, 3 exhaustion with --fail-on-exhaustion, 64 usage, 65 bad input,\n"
          "73 cannot create output, 74 read/write error, 130/143 interrupted.\n",
          fp);
}

typedef struct cli {
    const char *cmd;
    const char *input, *output;
    const char **scenarios;
    size_t nscenarios;
    long long replications;     /* -1: from scenarios.csv */
    long long seed;             /* -1: from scenarios.csv */
    unsigned jobs;
    unsigned formats;
    int fail_on_exhaustion, quiet;
    plan_opts plan;
} cli;

static int parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
    if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

static int parse_formats(const char *s, unsigned *out)
{
    unsigned f = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "png") == 0)
            f |= PLOT_PNG;
        else if (strcmp(tok, "pdf") == 0)
            f |= PLOT_PDF;
        else if (strcmp(tok, "svg") == 0)
            f |= PLOT_SVG;
        else
            return -1;
    }
    if (f == 0)
        return -1;
    *out = f;
    return 0;
}

__attribute__((format(printf, 1, 2))) static int bad_usage(const char *fmt, ...)
{
    va_list ap;
    fputs("natcap: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'natcap --help' for more information.\n", stderr);
    return EXIT_USAGE;
}

enum { OPT_SEED = 256, OPT_FORMAT, OPT_FAIL, OPT_TARGET, OPT_GROWTH, OPT_ALERT, OPT_LEAD };

static int parse_args(int argc, char **argv, cli *c)
{
    static const struct option longopts[] = {
        {"input", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},
        {"scenario", required_argument, NULL, 's'},
        {"replications", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, OPT_SEED},
        {"jobs", required_argument, NULL, 'j'},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"fail-on-exhaustion", no_argument, NULL, OPT_FAIL},
        {"quiet", no_argument, NULL, 'q'},
        {"target-utilization", required_argument, NULL, OPT_TARGET},
        {"growth", required_argument, NULL, OPT_GROWTH},
        {"alert-at", required_argument, NULL, OPT_ALERT},
        {"lead-minutes", required_argument, NULL, OPT_LEAD},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    c->input = "inputs";
    c->output = "outputs";
    c->replications = -1;
    c->seed = -1;
    c->jobs = batch_cpus();
    c->formats = PLOT_PNG | PLOT_PDF;
    plan_opts_default(&c->plan);
    c->scenarios = calloc((size_t)argc + 1, sizeof *c->scenarios);
    if (c->scenarios == NULL)
        return EXIT_SOFTWARE;
    opterr = 0;
    optind = 1;
    int ch;
    unsigned long long u;
    while ((ch = getopt_long(argc, argv, "+i:o:s:r:j:qhV", longopts, NULL)) != -1) {
        switch (ch) {
        case 'i': c->input = optarg; break;
        case 'o': c->output = optarg; break;
        case 's': c->scenarios[c->nscenarios++] = optarg; break;
        case 'r':
            if (parse_u64(optarg, 1000000, &u) != 0 || u == 0)
                return bad_usage("-r/--replications: expected an integer from 1 to 1000000, got '%s'", optarg);
            c->replications = (long long)u;
            break;
        case OPT_SEED:
            if (parse_u64(optarg, (unsigned long long)LLONG_MAX, &u) != 0)
                return bad_usage("--seed: expected an integer >= 0, got '%s'", optarg);
            c->seed = (long long)u;
            break;
        case 'j':
            if (parse_u64(optarg, 1024, &u) != 0 || u == 0)
                return bad_usage("-j/--jobs: expected an integer from 1 to 1024, got '%s'", optarg);
            c->jobs = (unsigned)u;
            break;
        case OPT_FORMAT:
            if (parse_formats(optarg, &c->formats) != 0)
                return bad_usage("--format: expected a comma-separated list of png, pdf, svg, got '%s'",
                                 optarg);
            break;
        case OPT_FAIL: c->fail_on_exhaustion = 1; break;
        case 'q': c->quiet = 1; break;
        case OPT_TARGET:
            if (parse_double(optarg, 0.01, 1.0, &c->plan.target_utilization) != 0)
                return bad_usage("--target-utilization: expected a number in (0, 1], got '%s'", optarg);
            break;
        case OPT_GROWTH:
            if (parse_double(optarg, 0.01, 1000.0, &c->plan.growth) != 0)
                return bad_usage("--growth: expected a number > 0, got '%s'", optarg);
            break;
        case OPT_ALERT:
            if (parse_double(optarg, 0.01, 1.0, &c->plan.alert_at) != 0)
                return bad_usage("--alert-at: expected a number in (0, 1], got '%s'", optarg);
            break;
        case OPT_LEAD:
            if (parse_double(optarg, 0.0, 100000.0, &c->plan.lead_minutes) != 0)
                return bad_usage("--lead-minutes: expected a number >= 0, got '%s'", optarg);
            break;
        case 'h': usage(stdout); exit(0);
        case 'V':
            printf("natcap %s\n", NATCAP_VERSION);
            exit(0);
        default:
            if (optopt != 0 && optopt < 256)
                return bad_usage("bad option or missing value: -%c", optopt);
            return bad_usage("bad option or missing value: %s", argv[optind - 1]);
        }
    }
    return -1;
}

/* Keep only the scenarios named with -s (in the order of scenarios.csv) and
 * apply -r and --seed. */
static int select_scenarios(nc_input *in, const cli *c)
{
    for (size_t k = 0; k < c->nscenarios; k++) {
        size_t i;
        for (i = 0; i < in->nscenarios; i++)
            if (strcmp(in->scenarios[i].name, c->scenarios[k]) == 0)
                break;
        if (i == in->nscenarios)
            return bad_usage("-s: no scenario named '%s' in scenarios.csv", c->scenarios[k]);
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

static int load(const cli *c, nc_input *in)
{
    nc_error err = {0};
    nc_status st = csv_in_load(c->input, in, &err);
    if (st != NC_OK)
        return report(&err);
    return -1;
}

static const gsl_rng_type *rng_type(int *bad)
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

/* ---------------------------------------------------------------- progress */

typedef struct progress {
    const nc_input *in;
    int enabled;
    int drawn;
} progress;

static void draw_progress(void *ud, const batch_status *st)
{
    progress *p = ud;
    if (!p->enabled)
        return;
    const nc_scenario *sc = &p->in->scenarios[st->scenario];
    char clock[32];
    nc_format_clock(st->clock_us > 0 ? st->clock_us : 0, clock, sizeof clock);
    double frac = st->units_total ? (double)st->units_done / (double)st->units_total : 0;
    char eta[32] = "--:--";
    if (st->units_done > 0 && frac < 1) {
        double left = st->elapsed_s * (1 - frac) / frac;
        snprintf(eta, sizeof eta, "%d:%02d", (int)left / 60, (int)left % 60);
    }
    int width = 24, fill = (int)(frac * width);
    char bar[32];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r\033[K[%s] %3.0f%% scenario %zu/%zu %.24s rep %u/%u clock %s elapsed %.0fs ETA %s",
            bar, 100 * frac, st->scenario + 1, p->in->nscenarios, sc->name,
            st->reps_done + 1 > sc->replications ? sc->replications : st->reps_done + 1,
            sc->replications, clock, st->elapsed_s, eta);
    fflush(stderr);
    p->drawn = 1;
}

static void clear_progress(progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

static long long run_epoch(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    unsigned long long v;
    if (s != NULL && parse_u64(s, (unsigned long long)LLONG_MAX, &v) == 0)
        return (long long)v;
    return (long long)time(NULL);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Write every result file into the output directory, then commit. */
static nc_status write_outputs(const cli *c, const nc_scen_result *const *rs, size_t n, nc_error *err)
{
    outdir *od = NULL;
    nc_status st = outdir_open(c->output, &od, err);
    if (st != NC_OK)
        return st;
    plot_opts po = {c->formats, c->input, run_epoch()};
    st = csv_out_summary(od, rs, n, err);
    for (size_t i = 0; i < n && st == NC_OK; i++) {
        st = csv_out_timeseries(od, rs[i], err);
        if (st == NC_OK)
            st = csv_out_services(od, rs[i], err);
        if (st == NC_OK)
            st = plot_scenario(od, rs[i], &po, err);
        if (st == NC_OK && stop_flag)
            st = nc_error_set(err, NC_EINTR, NULL, 0, NULL, "interrupted");
    }
    if (st == NC_OK)
        st = plot_comparison(od, rs, n, &po, err);
    if (st == NC_OK)
        st = report_write(od, rs, n, &po, err);
    if (st == NC_OK && stop_flag)
        st = nc_error_set(err, NC_EINTR, NULL, 0, NULL, "interrupted");
    if (st == NC_OK)
        st = outdir_commit(od, err);
    if (st != NC_OK)
        outdir_abort(od);
    outdir_close(od);
    return st;
}

static int cmd_validate(const cli *c)
{
    nc_input in = {0};
    int rc = load(c, &in);
    if (rc >= 0)
        return rc;
    printf("%s: %zu gateway%s, %zu destination%s, %zu service row%s, %zu profile%s, %zu scenario%s\n",
           c->input, in.ngateways, in.ngateways == 1 ? "" : "s", in.ndestinations,
           in.ndestinations == 1 ? "" : "s", in.nservices, in.nservices == 1 ? "" : "s",
           in.nprofiles, in.nprofiles == 1 ? "" : "s", in.nscenarios, in.nscenarios == 1 ? "" : "s");
    for (size_t i = 0; i < in.nscenarios; i++) {
        const nc_scenario *sc = &in.scenarios[i];
        printf("  scenario %-24s %zu gateway%s, %zu service row%s, %u replication%s, seed %llu, %g h + %g h warm-up\n",
               sc->name, sc->ngateways, sc->ngateways == 1 ? "" : "s", sc->nservices,
               sc->nservices == 1 ? "" : "s", sc->replications, sc->replications == 1 ? "" : "s",
               (unsigned long long)sc->seed, sc->duration_h, sc->warmup_h);
    }
    nc_input_free(&in);
    return 0;
}

static int cmd_run(const cli *c)
{
    int bad;
    const gsl_rng_type *T = rng_type(&bad);
    if (bad)
        return bad_usage("GSL_RNG_TYPE: unknown generator '%s'", getenv("GSL_RNG_TYPE"));
    nc_input in = {0};
    int rc = load(c, &in);
    if (rc >= 0)
        return rc;
    rc = select_scenarios(&in, c);
    if (rc >= 0) {
        nc_input_free(&in);
        return rc;
    }
    install_signals();
    nc_scen_result **rs = calloc(in.nscenarios + 1, sizeof *rs);
    if (rs == NULL) {
        nc_input_free(&in);
        nc_log_error("out of memory");
        return EXIT_SOFTWARE;
    }
    progress pg = {&in, !c->quiet && isatty(STDERR_FILENO), 0};
    batch_opts bo = {c->jobs, T, &stop_flag, draw_progress, &pg, 0, 0};
    nc_error err = {0};
    nc_status st = batch_run(in.scenarios, in.nscenarios, &bo, rs, &err);
    clear_progress(&pg);
    if (st == NC_OK)
        st = write_outputs(c, (const nc_scen_result *const *)rs, in.nscenarios, &err);
    if (st != NC_OK) {
        rc = report(&err);
    } else {
        rc = 0;
        if (!c->quiet)
            csv_out_table(stdout, (const nc_scen_result *const *)rs, in.nscenarios);
        int exhausted = 0;
        for (size_t i = 0; i < in.nscenarios; i++)
            for (size_t g = 0; g < in.scenarios[i].ngateways; g++)
                exhausted |= rs[i]->gw[g].exhausted_reps > 0;
        if (exhausted && c->fail_on_exhaustion)
            rc = EXIT_EXHAUSTED;
    }
    for (size_t i = 0; i < in.nscenarios; i++)
        nc_scen_result_destroy(rs[i]);
    free(rs);
    nc_input_free(&in);
    return rc;
}

static int cmd_plan(const cli *c)
{
    int bad;
    const gsl_rng_type *T = rng_type(&bad);
    if (bad)
        return bad_usage("GSL_RNG_TYPE: unknown generator '%s'", getenv("GSL_RNG_TYPE"));
    nc_input in = {0};
    int rc = load(c, &in);
    if (rc >= 0)
        return rc;
    rc = select_scenarios(&in, c);
    if (rc >= 0) {
        nc_input_free(&in);
        return rc;
    }
    install_signals();
    plan_opts po = c->plan;
    po.jobs = c->jobs;
    po.rng = T;
    po.stop = &stop_flag;
    po.quiet = c->quiet || !isatty(STDERR_FILENO);
    nc_error err = {0};
    outdir *od = NULL;
    plan_result *pr = NULL;
    nc_status st = plan_run(in.scenarios, in.nscenarios, &po, &pr, &err);
    if (st == NC_OK)
        st = outdir_open(c->output, &od, &err);
    if (st == NC_OK) {
        plot_opts plo = {c->formats, c->input, run_epoch()};
        st = plan_write(od, pr, &plo, &err);
        if (st == NC_OK && stop_flag)
            st = nc_error_set(&err, NC_EINTR, NULL, 0, NULL, "interrupted");
        if (st == NC_OK)
            st = outdir_commit(od, &err);
        outdir_close(od);
    }
    if (st == NC_OK && !c->quiet)
        plan_print(stdout, pr);
    plan_result_destroy(pr);
    nc_input_free(&in);
    return st == NC_OK ? 0 : report(&err);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    cli c;
    memset(&c, 0, sizeof c);
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("natcap %s\n", NATCAP_VERSION);
        return 0;
    }
    int rc = parse_args(argc - 1, argv + 1, &c);
    if (rc < 0 && optind < argc - 1)
        rc = bad_usage("unexpected argument '%s'", argv[optind + 1]);
    if (rc < 0) {
        if (strcmp(cmd, "run") == 0)
            rc = cmd_run(&c);
        else if (strcmp(cmd, "validate") == 0)
            rc = cmd_validate(&c);
        else if (strcmp(cmd, "plan") == 0)
            rc = cmd_plan(&c);
        else
            rc = bad_usage("unknown command '%s'", cmd);
    }
    free(c.scenarios);
    return rc;
}
