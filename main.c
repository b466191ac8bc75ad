/*
 * main.c - natcap's command line: parse argv, wire io -> model -> io/plot,
 * choose the exit status (SPEC §1).  Nothing else lives here.
 */
#define _GNU_SOURCE
#include "commands.h"
#include "io/csv_in.h"
#include "io/csv_out.h"
#include "io/estimate_out.h"
#include "io/explain.h"
#include "io/observed_in.h"
#include "io/observed_out.h"
#include "io/outdir.h"
#include "io/plan_out.h"
#include "io/validate_out.h"
#include "io/shard.h"
#include "model/arrivals.h"
#include "model/batch.h"
#include "model/plan.h"
#include "model/summary.h"
#include "plot/plot.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <gsl/gsl_errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

static nc_observed observed;   /* observed.csv of the input directory (SPEC §6) */
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
          "                       [--shard K/N | --shards N]\n"
          "       natcap merge    -o DIR [-i DIR] [--format LIST] [--fail-on-exhaustion] [-q]\n"
          "                       PART...\n"
          "       natcap plan     [-i DIR] [-o DIR] [-s NAME]... [--target-utilization U]\n"
          "                       [--growth G] [--alert-at A] [--lead-minutes M]\n"
          "                       [-r N] [--seed N] [-j N] [-q]\n"
          "       natcap validate [-i DIR] [-v]\n"
          "       natcap estimate [-i DIR] [-o DIR] [-s NAME]... [-q]\n"
          "       natcap import   [-g GATEWAY] [--metric NAME] [--pool NAME] [-o FILE] FILE...\n"
          "       natcap fit      [-i DIR] [-o DIR] [-s NAME] [-r N] [--seed N] [-j N] [--knots N]\n"
          "                       [--latency] [--tz +-HH:MM] [--observed-day D | --observed-fold F] [-q]\n"
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
          "  -v, --verbose            validate: every resolved value and overridden row\n"
          "      --shard K/N          run only shard K (0..N-1) of the batch's scenario x\n"
          "                           replication units; write OUT/natcap-shard-K-of-N.bin\n"
          "      --shards N           N shards, K from JOB_COMPLETION_INDEX (Kubernetes) or\n"
          "                           SLURM_ARRAY_TASK_ID; Slurm arrays need neither option\n"
          "  merge PART...            combine every shard's part (files, or directories\n"
          "                           holding them) into the outputs of a single run\n"
          "      --target-utilization U, --growth G, --alert-at A, --lead-minutes M\n"
          "                           plan targets (defaults 0.8, 1.5, 0.8, 15)\n"
          "      --tz ±HH:MM          shift observed.csv times to the simulated clock\n"
          "      --observed-day D     compare only the observations of day D (YYYY-MM-DD)\n"
          "      --observed-fold F    fold several days of observations by time of day: mean|max\n"
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
    int verbose;                 /* validate -v */
    plan_opts plan;
    int input_set, formats_set;  /* -i / --format given (merge defaults to the parts') */
    uint32_t shard_k, shard_n;   /* --shard K/N; shard_n 0: not given */
    uint32_t shards;             /* --shards N; 0: not given */
    observed_in_opts obs;        /* --tz, --observed-day, --observed-fold */
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

enum { OPT_SEED = 256, OPT_FORMAT, OPT_FAIL, OPT_TARGET, OPT_GROWTH, OPT_ALERT, OPT_LEAD,
       OPT_SHARD, OPT_SHARDS, OPT_TZ, OPT_OBS_DAY, OPT_OBS_FOLD };

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
        {"verbose", no_argument, NULL, 'v'},
        {"target-utilization", required_argument, NULL, OPT_TARGET},
        {"growth", required_argument, NULL, OPT_GROWTH},
        {"alert-at", required_argument, NULL, OPT_ALERT},
        {"lead-minutes", required_argument, NULL, OPT_LEAD},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"shards", required_argument, NULL, OPT_SHARDS},
        {"tz", required_argument, NULL, OPT_TZ},
        {"observed-day", required_argument, NULL, OPT_OBS_DAY},
        {"observed-fold", required_argument, NULL, OPT_OBS_FOLD},
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
    /* merge takes PART... operands, so options may follow them there */
    int merge = c->cmd != NULL && strcmp(c->cmd, "merge") == 0;
    const char *optstring = merge ? "i:o:s:r:j:qvhV" : "+i:o:s:r:j:qvhV";
    while ((ch = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
        switch (ch) {
        case 'i':
            c->input = optarg;
            c->input_set = 1;
            break;
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
            c->formats_set = 1;
            break;
        case OPT_SHARD: {
            nc_error e = {0};
            if (shard_parse(optarg, &c->shard_k, &c->shard_n, &e) != NC_OK)
                return bad_usage("%s", e.msg);
            break;
        }
        case OPT_SHARDS:
            if (parse_u64(optarg, SHARD_MAX, &u) != 0 || u == 0)
                return bad_usage("--shards: expected an integer from 1 to %u, got '%s'", SHARD_MAX,
                                 optarg);
            c->shards = (uint32_t)u;
            break;
        case OPT_TZ:
            if (observed_parse_tz(optarg, &c->obs.tz_s) != 0)
                return bad_usage("--tz: expected +HH:MM or -HH:MM, got '%s'", optarg);
            break;
        case OPT_OBS_DAY:
            if (strlen(optarg) != 10 || optarg[4] != '-' || optarg[7] != '-')
                return bad_usage("--observed-day: expected YYYY-MM-DD, got '%s'", optarg);
            c->obs.day = optarg;
            break;
        case OPT_OBS_FOLD:
            if (strcmp(optarg, "mean") == 0)
                c->obs.fold = OBS_FOLD_MEAN;
            else if (strcmp(optarg, "max") == 0)
                c->obs.fold = OBS_FOLD_MAX;
            else
                return bad_usage("--observed-fold: expected mean or max, got '%s'", optarg);
            break;
        case OPT_FAIL: c->fail_on_exhaustion = 1; break;
        case 'q': c->quiet = 1; break;
        case 'v': c->verbose = 1; break;
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

/* Load the inputs; on error print every error found (io/csv_in.h) and return the
 * exit code of the first.  ex: what validate explains, or NULL. */
static int load_ex(const cli *c, nc_input *in, csv_explain *ex)
{
    csv_in_errors *errs = malloc(sizeof *errs);
    if (errs == NULL) {
        nc_log_error("out of memory");
        return EXIT_SOFTWARE;
    }
    nc_status st = csv_in_load_all(c->input, NULL, in, errs, ex);
    int rc = -1;
    for (size_t i = 0; st != NC_OK && i < errs->n; i++) {
        int r = report(&errs->e[i]);
        rc = rc < 0 ? r : rc;
    }
    if (st != NC_OK && errs->truncated)
        nc_log_error("stopped after %d errors", CSV_IN_MAX_ERRORS);
    free(errs);
    if (st != NC_OK)
        return rc;
    /* observed.csv (SPEC §6), checked against the gateways just loaded */
    if (c->obs.day != NULL && c->obs.fold != OBS_FOLD_NONE) {
        nc_input_free(in);
        return bad_usage("give --observed-day or --observed-fold, not both");
    }
    nc_error err = {0};
    nc_observed_free(&observed);
    if (observed_in_load(c->input, in, &c->obs, &observed, &err) != NC_OK) {
        nc_input_free(in);
        return report(&err);
    }
    return rc;
}

static int load(const cli *c, nc_input *in)
{
    return load_ex(c, in, NULL);
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
    /* Past a file size limit (ulimit -f) a write fails with EFBIG, reported as a
     * write error (74), instead of SIGXFSZ killing us with temporaries left. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGXFSZ, &sa, NULL);
}

/* Refuse a batch too large to simulate, and announce a long one (issue 5): a
 * scenario's expected requests are its arrival rates integrated over warm-up
 * and day (arrivals_integral) times its replications; its per-interval results
 * take about 4 bytes per replication and 80 more per gateway and interval. */
#define MAX_SCENARIO_REQUESTS 1e12
#define MAX_RESULT_BYTES (8.0 * 1024 * 1024 * 1024)
#define NS_PER_REQUEST 150.0      /* make bench: ~100-170 ns per request on one core (more in exhaustion) */

static int prerun_check(const cli *c, const nc_input *in)
{
    double total = 0, units = 0;
    for (size_t i = 0; i < in->nscenarios; i++) {
        const nc_scenario *sc = &in->scenarios[i];
        double per_rep = 0;
        for (size_t k = 0; k < sc->nservices; k++) {
            const nc_service *s = &sc->services[k];
            arrivals a;
            if (arrivals_init(&a, &sc->profiles[s->profile], (double)s->instances * s->rps)
                != NC_OK) {
                nc_log_error("out of memory");
                return EXIT_SOFTWARE;
            }
            per_rep += arrivals_integral(&a, -sc->warmup_h * 3600, sc->duration_h * 3600);
            arrivals_free(&a);
        }
        double reqs = per_rep * sc->replications;
        double nint = ceil(sc->duration_h * 3600 / sc->sample_s);
        double bytes = (double)sc->ngateways * nint * (4.0 * sc->replications + 80)
                       + (double)sc->nservices * nint * 8;
        size_t dl = strlen(in->dir);
        char where[700] = "";
        if (sc->line > 0)
            snprintf(where, sizeof where, "%s%sscenarios.csv:%ld: ", in->dir,
                     dl > 0 && in->dir[dl - 1] == '/' ? "" : "/", sc->line);
        if (!(reqs <= MAX_SCENARIO_REQUESTS)) {
            nc_log_error("%sscenario '%s': about %.2g requests to simulate (%g h + %g h warm-up x "
                         "%u replications), more than natcap's limit of %.0g; lower duration_h, "
                         "replications, rps or rate_scale", where, sc->name, reqs, sc->duration_h,
                         sc->warmup_h, sc->replications, MAX_SCENARIO_REQUESTS);
            return EXIT_DATAERR;
        }
        if (bytes > MAX_RESULT_BYTES) {
            nc_log_error("%sscenario '%s': its per-interval results would take about %.0f GiB "
                         "(%.0f intervals x %u replications x %zu gateways), more than natcap's "
                         "limit of %.0f GiB; raise sample_s or lower replications", where,
                         sc->name, bytes / (1024.0 * 1024 * 1024), nint, sc->replications,
                         sc->ngateways, MAX_RESULT_BYTES / (1024.0 * 1024 * 1024));
            return EXIT_DATAERR;
        }
        total += reqs;
        units += sc->replications;
    }
    double cores = units < (double)c->jobs ? units : (double)c->jobs;
    double est_s = total * NS_PER_REQUEST * 1e-9 / (cores >= 1 ? cores : 1);
    if (est_s > 10 && !c->quiet && isatty(STDERR_FILENO))
        fprintf(stderr, "natcap: about %.3g requests to simulate, estimated %.0f s\n", total,
                est_s);
    return -1;
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
            st = observed_out_csv(od, rs[i], err);
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
    csv_explain ex;
    int rc = load_ex(c, &in, &ex);
    if (rc >= 0) {
        csv_explain_free(&ex);
        return rc;
    }
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
    validate_print(stdout, &in, &ex, c->verbose);
    csv_explain_free(&ex);
    if (observed.n > 0) {
        size_t points = 0;
        for (size_t i = 0; i < observed.n; i++)
            points += observed.s[i].n;
        printf("  observed.csv: %zu series, %zu points%s%s%s\n", observed.n, points,
               observed.day[0] ? " on " : "", observed.day, observed.folded ? " (folded)" : "");
    }
    nc_input_free(&in);
    return 0;
}

/* natcap estimate: the analytic first look (model/estimate.h), no simulation. */
static int cmd_estimate(const cli *c)
{
    nc_input in = {0};
    int rc = load(c, &in);
    if (rc < 0)
        rc = select_scenarios(&in, c);
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
    return st == NC_OK ? 0 : report(&err);
}

/* ------------------------------------------------------------ shards (io/shard.h) */

/* --shard K/N, else the shard the environment names (Slurm array task,
 * Kubernetes completion index with --shards N).  h->n stays 0 when the run
 * is not sharded.  -1 to go on, else the exit code. */
static int pick_shard(const cli *c, shard_header *h)
{
    if (c->shard_n > 0 && c->shards > 0)
        return bad_usage("give --shard K/N or --shards N, not both");
    if (c->shard_n > 0) {
        h->k = c->shard_k;
        h->n = c->shard_n;
        return -1;
    }
    nc_error err = {0};
    const char *source = NULL;
    if (shard_from_env(c->shards, &h->k, &h->n, &source, &err) != NC_OK)
        return bad_usage("%s", err.msg);
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

/* Everything before a simulation: the generator GSL_RNG_TYPE names (when T
 * is not NULL), the inputs, -s / -r / --seed and the pre-run limits; then
 * the signal handlers.  -1 when ready, else the exit code (in is freed). */
static int prepare(const cli *c, nc_input *in, const gsl_rng_type **T)
{
    if (T != NULL) {
        int bad;
        *T = rng_type(&bad);
        if (bad)
            return bad_usage("GSL_RNG_TYPE: unknown generator '%s'", getenv("GSL_RNG_TYPE"));
    }
    int rc = load(c, in);
    if (rc >= 0)
        return rc;
    rc = select_scenarios(in, c);
    if (rc < 0)
        rc = prerun_check(c, in);
    if (rc >= 0) {
        nc_input_free(in);
        return rc;
    }
    install_signals();
    return -1;
}

static int cmd_run(const cli *c)
{
    int bad;
    const gsl_rng_type *T = rng_type(&bad);
    if (bad)
        return bad_usage("GSL_RNG_TYPE: unknown generator '%s'", getenv("GSL_RNG_TYPE"));
    shard_header sh;
    memset(&sh, 0, sizeof sh);
    int rc = pick_shard(c, &sh);
    if (rc >= 0)
        return rc;
    nc_input in = {0};
    rc = prepare(c, &in, NULL);
    if (rc >= 0)
        return rc;
    nc_scen_result **rs = calloc(in.nscenarios + 1, sizeof *rs);
    if (rs == NULL) {
        nc_input_free(&in);
        nc_log_error("out of memory");
        return EXIT_SOFTWARE;
    }
    progress pg = {&in, !c->quiet && isatty(STDERR_FILENO), 0};
    batch_opts bo = {c->jobs, T, &stop_flag, draw_progress, &pg, 0, 0};
    nc_error err = {0};
    nc_status st = sh.n > 0 ? begin_part(c, &in, T, &sh, &bo, &err) : NC_OK;
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    if (st == NC_OK)
        st = batch_run(in.scenarios, in.nscenarios, &bo, rs, &err);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    clear_progress(&pg);
    if (st == NC_OK && getenv("NATCAP_STATS") != NULL)
        print_stats(rs, in.nscenarios,
                    (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9);
    if (st == NC_OK && sh.n > 0)
        st = write_part(c, &sh, rs, in.nscenarios, &err);
    else if (st == NC_OK)
        st = observed_attach(rs, in.nscenarios, &observed, &err);
    if (st == NC_OK && sh.n == 0)
        st = write_outputs(c, (const nc_scen_result *const *)rs, in.nscenarios, &err);
    shard_header_free(&sh);
    if (st != NC_OK) {
        rc = report(&err);
    } else {
        rc = 0;
        if (!c->quiet && sh.n == 0)
            csv_out_table(stdout, (const nc_scen_result *const *)rs, in.nscenarios);
        int exhausted = 0;
        for (size_t i = 0; i < in.nscenarios; i++)
            for (size_t g = 0; g < in.scenarios[i].ngateways; g++)
                exhausted |= rs[i]->gw[g].exhausted_reps > 0;
        if (exhausted && c->fail_on_exhaustion)
            rc = EXIT_EXHAUSTED;
    }
    observed_detach(rs, in.nscenarios);
    for (size_t i = 0; i < in.nscenarios; i++)
        nc_scen_result_destroy(rs[i]);
    free(rs);
    nc_input_free(&in);
    return rc;
}

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
        st = write_outputs(m, (const nc_scen_result *const *)rs, n, &err);
    int rc = st != NC_OK ? report(&err) : 0;
    if (st == NC_OK && !m->quiet)
        csv_out_table(stdout, (const nc_scen_result *const *)rs, n);
    int exhausted = 0;
    for (size_t i = 0; i < n && st == NC_OK; i++)
        for (size_t g = 0; g < in->scenarios[i].ngateways; g++)
            exhausted |= rs[i]->gw[g].exhausted_reps > 0;
    if (exhausted && m->fail_on_exhaustion)
        rc = EXIT_EXHAUSTED;
    for (size_t i = 0; rs != NULL && i < n; i++)
        nc_scen_result_destroy(rs[i]);
    free(rs);
    return rc;
}

/* natcap merge: check the parts, load their inputs again with their -s,
 * -r and --seed, add them up and write what `natcap run` writes. */
static int cmd_merge(const cli *c, char **parts, size_t nparts)
{
    if (c->nscenarios > 0 || c->replications >= 0 || c->seed >= 0 || c->shard_n > 0 || c->shards > 0)
        return bad_usage("merge: -s, -r, --seed and the shard come from the parts");
    if (nparts == 0)
        return bad_usage("merge: no part given (natcap merge -o DIR PART...)");
    nc_error err = {0};
    shard_set *set = NULL;
    if (shard_set_open((const char *const *)parts, nparts, &set, &err) != NC_OK)
        return report(&err);
    const shard_header *h = shard_set_header(set);
    const char **names = calloc(h->nscen, sizeof *names);
    if (names == NULL) {
        shard_set_destroy(set);
        nc_log_error("out of memory");
        return EXIT_SOFTWARE;
    }
    for (size_t i = 0; i < h->nscen; i++)
        names[i] = h->scen[i].name;
    cli m = *c;
    m.input = c->input_set ? c->input : h->input_dir;
    m.formats = c->formats_set ? c->formats : h->formats;
    m.scenarios = names;
    m.nscenarios = h->nscen;
    m.replications = h->replications;
    m.seed = h->seed;
    nc_input in = {0};
    int rc = load(&m, &in);
    if (rc >= 0 && !c->input_set)
        nc_log_error("the parts were run with -i %s; give merge -i DIR if the inputs are elsewhere",
                     h->input_dir);
    if (rc < 0 && shard_set_check_inputs(set, m.input, &in, &err) != NC_OK)
        rc = report(&err);
    if (rc < 0)
        rc = select_scenarios(&in, &m);
    if (rc < 0) {
        install_signals();
        m.input = h->input_dir;   /* footers name the -i the shards ran with */
        rc = merge_write(&m, set, &in);
    }
    nc_input_free(&in);
    free(names);
    shard_set_destroy(set);
    return rc;
}

static int cmd_plan(const cli *c)
{
    const gsl_rng_type *T;
    nc_input in = {0};
    int rc = prepare(c, &in, &T);
    if (rc >= 0)
        return rc;
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
        if (st == NC_OK)   /* report.{pdf,md} of the baseline, with the plan page */
            st = plan_write_report(od, pr, &plo, &err);
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
    if (strcmp(cmd, "import") == 0)
        return cmd_import(argc - 1, argv + 1);
    if (strcmp(cmd, "fit") == 0)
        return cmd_fit(argc - 1, argv + 1);
    c.cmd = cmd;
    int merge = strcmp(cmd, "merge") == 0;
    int rc = parse_args(argc - 1, argv + 1, &c);
    if (rc < 0 && optind < argc - 1 && !merge)
        rc = bad_usage("unexpected argument '%s'", argv[optind + 1]);
    if (rc < 0) {
        if (strcmp(cmd, "run") == 0)
            rc = cmd_run(&c);
        else if (merge)
            rc = cmd_merge(&c, argv + 1 + optind, (size_t)(argc - 1 - optind));
        else if (strcmp(cmd, "validate") == 0)
            rc = cmd_validate(&c);
        else if (strcmp(cmd, "plan") == 0)
            rc = cmd_plan(&c);
        else if (strcmp(cmd, "estimate") == 0)
            rc = cmd_estimate(&c);
        else
            rc = bad_usage("unknown command '%s'", cmd);
    }
    free(c.scenarios);
    nc_observed_free(&observed);
    /* The summary table or counts could not be written (stdout on a full disk,
     * /dev/full, a closed pipe's EPIPE): a write error, not success. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        nc_log_error("cannot write standard output: %s", strerror(errno ? errno : EIO));
        if (rc == 0 || rc == EXIT_EXHAUSTED)
            rc = EXIT_IOERR;
    }
    return rc;
}
