/*
 * cmd_fit.c - `natcap fit` (SPEC §6): calibrate the compared scenario to
 * observed.csv and write a complete input directory that reproduces it.
 * The options, the choice of scenario, and what is written (the fitted
 * input files, fit.csv, fit.md); the fitting rounds are in fit_rounds.c.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "commands.h"
#include "fit_rounds.h"

#include "io/csv_in.h"
#include "io/csv_out.h"
#include "io/fit_out.h"
#include "io/observed_in.h"
#include "model/batch.h"
#include "model/compare.h"
#include "model/summary.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


static int fit_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fit_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("natcap: fit: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'natcap fit --help' for more information.\n", stderr);
    return 64;
}

static int fail(const nc_error *err)
{
    char buf[1200];
    nc_error_format(err, buf, sizeof buf);
    fprintf(stderr, "natcap: %s\n", buf);
    switch (err->code) {
    case NC_EINPUT: return 65;
    case NC_EIO: return 74;
    case NC_ECREATE: return 73;
    case NC_EUSAGE: return 64;
    default: return 70;
    }
}


static void fit_usage(FILE *fp)
{
    cli_help(fp, "fit");
}

static void pct_or_na(double v, char *buf, size_t len)
{
    if (isnan(v))
        snprintf(buf, len, "n/a");
    else
        snprintf(buf, len, "%.1f %%", v);
}

/* 1 when directories a and b are the same one (device and inode: any spelling,
 * symlinks included); 0 when not or when either does not exist */
static int same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int parse(int argc, char **argv, fit_run *f)
{
    static const struct option lo[] = {
        {"input", required_argument, NULL, 'i'}, {"output", required_argument, NULL, 'o'},
        {"scenario", required_argument, NULL, 's'}, {"replications", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 1}, {"jobs", required_argument, NULL, 'j'},
        {"knots", required_argument, NULL, 2}, {"latency", no_argument, NULL, 3},
        {"tz", required_argument, NULL, 4}, {"observed-day", required_argument, NULL, 5},
        {"observed-fold", required_argument, NULL, 6}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    f->input = "inputs";
    f->output = "fitted";
    f->reps = f->seed = -1;
    f->jobs = batch_cpus();
    f->knots = 48;
    opterr = 0;
    optind = 1;
    int ch;
    char *end;
    while ((ch = getopt_long(argc, argv, "i:o:s:r:j:qh", lo, NULL)) != -1) {
        errno = 0;
        switch (ch) {
        case 'i': f->input = optarg; break;
        case 'o': f->output = optarg; break;
        case 's':
            if (f->scenario != NULL)
                return fit_usage_error("-s: fit calibrates one scenario");
            f->scenario = optarg;
            break;
        case 'r':
            f->reps = strtoll(optarg, &end, 10);
            if (*end || errno || f->reps < 1 || f->reps > 1000000)
                return fit_usage_error("-r: expected an integer from 1 to 1000000, got '%s'", optarg);
            break;
        case 1:
            f->seed = strtoll(optarg, &end, 10);
            if (*end || errno || f->seed < 0 || *optarg == '-')
                return fit_usage_error("--seed: expected an integer >= 0, got '%s'", optarg);
            break;
        case 'j': {
            long j = strtol(optarg, &end, 10);
            if (*end || errno || j < 1 || j > 1024)
                return fit_usage_error("-j: expected an integer from 1 to 1024, got '%s'", optarg);
            f->jobs = (unsigned)j;
            break;
        }
        case 2: {
            long k = strtol(optarg, &end, 10);
            if (*end || errno || k < 2 || k > 1440)
                return fit_usage_error("--knots: expected an integer from 2 to 1440, got '%s'", optarg);
            f->knots = (size_t)k;
            break;
        }
        case 3: f->latency = 1; break;
        case 4:
            if (observed_parse_tz(optarg, &f->obs.tz_s) != 0)
                return fit_usage_error("--tz: expected +HH:MM or -HH:MM, got '%s'", optarg);
            break;
        case 5: f->obs.day = optarg; break;
        case 6:
            if (strcmp(optarg, "mean") == 0)
                f->obs.fold = OBS_FOLD_MEAN;
            else if (strcmp(optarg, "max") == 0)
                f->obs.fold = OBS_FOLD_MAX;
            else
                return fit_usage_error("--observed-fold: expected mean or max, got '%s'", optarg);
            break;
        case 'q': f->quiet = 1; break;
        case 'h': fit_usage(stdout); exit(0);
        default: return fit_usage_error("bad option or missing value: %s", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return fit_usage_error("unexpected argument '%s'", argv[optind]);
    if (f->obs.day != NULL && f->obs.fold != OBS_FOLD_NONE)
        return fit_usage_error("give --observed-day or --observed-fold, not both");
    if (same_dir(f->input, f->output))
        return fit_usage_error("-o %s is the input directory %s: fit would replace its own inputs; "
                               "give another -o", f->output, f->input);
    return -1;
}

/* ------------------------------------------------------------ writing */

typedef struct rw {
    const nc_scenario *sc;      /* compared (unfitted) */
    const fit_gw *fg;
    size_t nfg;
} rw;

static const fit_gw *row_fit(const rw *w, long line)
{
    for (size_t i = 0; i < w->sc->nservices; i++)
        if (w->sc->services[i].line == line)
            for (size_t q = 0; q < w->nfg; q++)
                if (w->fg[q].g == w->sc->services[i].gateway)
                    return &w->fg[q];
    return NULL;
}

static const char *services_cell(void *ud, size_t row, long line, const char *col, const char *cell,
                                 char *buf, size_t len)
{
    (void)row;
    const rw *w = ud;
    const fit_gw *x = row_fit(w, line);
    if (x == NULL)
        return NULL;
    if (strcmp(col, "profile") == 0) {
        snprintf(buf, len, "fitted-%s", w->sc->gateways[x->g].name);
        return buf;
    }
    if (strcmp(col, "rps") == 0 && cell != NULL) {
        snprintf(buf, len, "%.9g", strtod(cell, NULL) * x->k);
        return buf;
    }
    return NULL;
}

static const char *destinations_cell(void *ud, size_t row, long line, const char *col,
                                     const char *cell, char *buf, size_t len)
{
    (void)line;
    const rw *w = ud;
    if (cell == NULL || (strcmp(col, "latency_p50_ms") != 0 && strcmp(col, "latency_p99_ms") != 0))
        return NULL;
    /* destinations.csv rows are the scenario's destinations, in order */
    if (row >= w->sc->ndestinations)
        return NULL;
    for (size_t q = 0; q < w->nfg; q++) {
        if (w->fg[q].lat == 1)
            continue;
        for (size_t i = 0; i < w->sc->nservices; i++)
            if (w->sc->services[i].gateway == w->fg[q].g && w->sc->services[i].destination == row) {
                snprintf(buf, len, "%.9g", strtod(cell, NULL) * w->fg[q].lat);
                return buf;
            }
    }
    return NULL;
}

static void clock_or(double t, char *buf, size_t len)
{
    if (isnan(t))
        snprintf(buf, len, "none");
    else
        nc_format_clock(sim_from_s(t), buf, len);
}

static nc_status write_dir(const fit_run *f, const nc_scenario *sc, const fit_gw *fg, size_t nfg,
                           const obs_compare *before, const obs_compare *after, nc_error *err)
{
    outdir *od = NULL;
    nc_status st = outdir_open(f->output, &od, err);
    if (st != NC_OK)
        return st;
    rw w = {sc, fg, nfg};
    char comment[1024];
    size_t cl = (size_t)snprintf(comment, sizeof comment,
                                 "# services.csv - written by natcap fit from %s/services.csv:", f->input);
    for (size_t q = 0; q < nfg && cl < sizeof comment; q++)
        cl += (size_t)snprintf(comment + cl, sizeof comment - cl,
                               " rows behind %s use profile fitted-%s with rps x %.4g;",
                               sc->gateways[fg[q].g].name, sc->gateways[fg[q].g].name, fg[q].k);
    if (cl < sizeof comment)
        snprintf(comment + cl, sizeof comment - cl, "\n");
    st = fit_out_copy(od, f->input, "gateways.csv", err);
    if (st == NC_OK)
        st = fit_out_copy(od, f->input, "scenarios.csv", err);
    if (st == NC_OK)
        st = fit_out_copy(od, f->input, "observed.csv", err);
    if (st == NC_OK)
        st = fit_out_rewrite(od, f->input, "services.csv", comment, "profile", services_cell, &w,
                             NULL, "", err);
    int lat = 0;
    for (size_t q = 0; q < nfg; q++)
        lat |= fg[q].lat != 1;
    if (st == NC_OK && lat)
        st = fit_out_rewrite(od, f->input, "destinations.csv",
                             "# destinations.csv - written by natcap fit --latency: latencies of the "
                             "destinations behind fitted gateways scaled (shape kept)\n",
                             NULL, destinations_cell, &w, NULL, "", err);
    else if (st == NC_OK)
        st = fit_out_copy(od, f->input, "destinations.csv", err);
    /* profiles.csv: the old rows and the fitted ones */
    char *extra = NULL;
    size_t elen = 0;
    FILE *mem = open_memstream(&extra, &elen);
    if (mem == NULL && st == NC_OK)
        st = nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    for (size_t q = 0; mem != NULL && q < nfg; q++)
        for (size_t j = 0; j <= f->knots; j++) {
            char clock[32];
            double t = 86400.0 * (double)j / (double)f->knots;
            int h = (int)(t / 3600), mi = (int)fmod(t / 60, 60), s = (int)fmod(t, 60);
            snprintf(clock, sizeof clock, "%02d:%02d:%02d", h, mi, s);
            fprintf(mem, "fitted-%s,%s,%.6f\n", sc->gateways[fg[q].g].name, clock, fg[q].m[j % f->knots]);
        }
    if (mem != NULL)
        fclose(mem);
    if (st == NC_OK)
        st = fit_out_rewrite(od, f->input, "profiles.csv",
                             "# profiles.csv - written by natcap fit: fitted-GATEWAY profiles added\n",
                             NULL, NULL, NULL, extra, "profile,time,multiplier\n", err);
    free(extra);
    /* fit.csv */
    FILE *fp;
    if (st == NC_OK)
        st = outdir_begin(od, "fit.csv", &fp, err);
    if (st == NC_OK) {
        fputs("time,t_s,gateway,pool,metric,observed,model_before,model_after\n", fp);
        for (size_t i = 0; i < before->n; i++) {
            const obs_series *s = before->sc[i].s;
            for (size_t k = 0; k < s->n; k++) {
                double t = s->t0_s + (double)k * s->interval_s;
                char clock[32];
                nc_format_clock(sim_from_s(t >= 0 ? t : 0), clock, sizeof clock);
                fprintf(fp, "%s,%.0f,", clock, t);
                csv_out_field(fp, s->gateway);
                fputc(',', fp);
                csv_out_field(fp, s->pool);
                fprintf(fp, ",%s,%.17g,", obs_metric_names[s->metric], s->value[k]);
                if (!isnan(before->sc[i].mean[k]))
                    fprintf(fp, "%.3f", before->sc[i].mean[k]);
                fputc(',', fp);
                if (!isnan(after->sc[i].mean[k]))
                    fprintf(fp, "%.3f", after->sc[i].mean[k]);
                fputc('\n', fp);
            }
        }
        st = outdir_end(od, fp, err);
    }
    /* fit.md */
    if (st == NC_OK)
        st = outdir_begin(od, "fit.md", &fp, err);
    if (st == NC_OK) {
        fprintf(fp, "# natcap fit\n\nScenario `%s` of `%s` fitted to `%s` (%zu knots per day, %u "
                "replications, seed %llu).\n\n", sc->name, f->input,
                before->obs->path ? before->obs->path : "observed.csv", f->knots, sc->replications,
                (unsigned long long)sc->seed);
        for (size_t q = 0; q < nfg; q++) {
            const fit_gw *x = &fg[q];
            const obs_gw_cmp *b = &before->gw[x->g], *a = &after->gw[x->g];
            fprintf(fp, "## Gateway `%s`\n\n", sc->gateways[x->g].name);
            fprintf(fp, "- fitted on `%s` per interval; service rows behind it now use profile "
                    "`fitted-%s` and their `rps` x %.4f%s\n", obs_metric_names[x->metric],
                    sc->gateways[x->g].name, x->k, x->pooled ? " (pooled rows: iterated)" : "");
            fprintf(fp, "- rounds (simulate, compare, rescale): %d; error of `%s` (sum |model - "
                    "observed| / sum observed): %.1f %% before, %.1f %% after\n", x->rounds,
                    obs_metric_names[x->metric], 100 * x->err_before, 100 * x->err_after);
            if (f->latency && x->hold_why[0] != '\0')
                fprintf(fp, "- hold time by Little's law: cannot be inferred from `%s` (%s); "
                        "destinations' latency left unchanged\n",
                        before->obs->path ? before->obs->path : "observed.csv", x->hold_why);
            else if (f->latency)
                fprintf(fp, "- hold time by Little's law: observed %.2f s, model %.2f s before, "
                        "%.2f s after; destinations' latency x %.4f\n", x->hold_obs,
                        x->hold_model_before, x->hold_model_after, x->lat);
            char c1[32], c2[32], c3[32], c4[32], c5[32], c6[32];
            clock_or(b->peak_t_s, c1, sizeof c1);
            clock_or(b->model_peak_t_s, c2, sizeof c2);
            clock_or(a->model_peak_t_s, c3, sizeof c3);
            fprintf(fp, "\n| figure | observed | model before | model after |\n| --- | ---: | ---: | ---: |\n");
            if (!isnan(b->mape))
                fprintf(fp, "| observed_mape | | %.1f %% | %.1f %% |\n", b->mape, a->mape);
            if (b->level >= 0)
                fprintf(fp, "| peak %s | %.0f at %s | %.0f at %s | %.0f at %s |\n",
                        obs_metric_names[before->sc[b->level].s->metric], b->peak, c1,
                        b->model_peak, c2, a->model_peak, c3);
            clock_or(b->first_fail_t_s, c4, sizeof c4);
            clock_or(b->model_first_fail_t_s, c5, sizeof c5);
            clock_or(a->model_first_fail_t_s, c6, sizeof c6);
            if (b->fails >= 0) {   /* without an observed failures series, as run's report */
                fprintf(fp, "| first failure | %s | %s | %s |\n", c4, c5, c6);
                fprintf(fp, "| failing minutes | %.1f | %.1f | %.1f |\n", b->failing_minutes,
                        b->model_failing_minutes, a->model_failing_minutes);
            }
            if (!isnan(b->coverage))
                fprintf(fp, "| observed_coverage | | %.0f %% | %.0f %% |\n", 100 * b->coverage,
                        100 * a->coverage);
            fprintf(fp, "\nVerdict after the fit: %s.\n\n", a->verdict_text);
        }
        fprintf(fp, "The other scenarios of scenarios.csv are kept with their overrides: they are "
                "now what-ifs on the fitted day.  Run `natcap run -i %s`.\n", f->output);
        st = outdir_end(od, fp, err);
    }
    if (st == NC_OK)
        st = outdir_commit(od, err);
    if (st != NC_OK)
        outdir_abort(od);
    outdir_close(od);
    return st;
}

int cmd_fit(int argc, char **argv)
{
    fit_run f;
    memset(&f, 0, sizeof f);
    int rc = parse(argc, argv, &f);
    if (rc >= 0)
        return rc;
    nc_error err = {0};
    nc_input in = {0};
    nc_observed obs = {0};
    nc_status st = csv_in_load(f.input, &in, &err);
    if (st == NC_OK)
        st = observed_in_load(f.input, &in, &f.obs, &obs, &err);
    if (st != NC_OK) {
        nc_input_free(&in);
        return fail(&err);
    }
    if (obs.n == 0) {
        nc_input_free(&in);
        fprintf(stderr, "natcap: %s/observed.csv: missing or empty: nothing to fit to\n", f.input);
        return 65;
    }
    const nc_scenario *base = NULL;
    for (size_t i = 0; i < in.nscenarios && base == NULL; i++)
        if (f.scenario ? strcmp(in.scenarios[i].name, f.scenario) == 0 : in.scenarios[i].observed)
            base = &in.scenarios[i];
    if (base == NULL && f.scenario != NULL) {
        nc_input_free(&in);
        nc_observed_free(&obs);
        return fit_usage_error("-s: no scenario named '%s' in scenarios.csv", f.scenario);
    }
    if (base == NULL)
        base = &in.scenarios[0];
    nc_scenario sc0;
    if (nc_scenario_copy(&sc0, base) != 0) {
        nc_input_free(&in);
        nc_observed_free(&obs);
        return 70;
    }
    if (f.reps > 0)
        sc0.replications = (uint32_t)f.reps;
    if (f.seed >= 0)
        sc0.seed = (uint64_t)f.seed;

    fit_calibration fc;
    memset(&fc, 0, sizeof fc);
    st = observed_in_watch(&obs, &sc0, &err);   /* the pools observed.csv names */
    if (st == NC_OK)
        st = fit_calibrate(&f, &sc0, &obs, &fc, &err);
    fit_gw *fg = fc.fg;
    size_t nfg = fc.nfg;
    const obs_compare *c0 = fc.c0, *c1 = fc.c1;
    if (st == NC_OK)
        st = write_dir(&f, &sc0, fg, nfg, c0, c1, &err);
    for (size_t q = 0; st == NC_OK && f.latency && q < nfg; q++)
        if (fg[q].hold_why[0] != '\0')
            fprintf(stderr, "natcap: warning: %s: gateway %s: --latency: the hold time cannot be "
                    "inferred (%s); its destinations' latency is left unchanged\n",
                    obs.path ? obs.path : "observed.csv", sc0.gateways[fg[q].g].name, fg[q].hold_why);
    if (st == NC_OK && !f.quiet)
        for (size_t q = 0; q < nfg; q++) {
            char lat[48] = "", m0[16], m1[16];
            if (f.latency)
                snprintf(lat, sizeof lat, fg[q].hold_why[0] ? ", latency unchanged" : ", latency x %.4f",
                         fg[q].lat);
            pct_or_na(c0->gw[fg[q].g].mape, m0, sizeof m0);
            pct_or_na(c1->gw[fg[q].g].mape, m1, sizeof m1);
            printf("natcap fit: gateway %s: profile fitted-%s (%zu knots), rps x %.4f%s, %d round%s; "
                   "%s error %.1f %% -> %.1f %%; observed_mape %s -> %s; wrote %s\n",
                   sc0.gateways[fg[q].g].name, sc0.gateways[fg[q].g].name, f.knots, fg[q].k, lat,
                   fg[q].rounds, fg[q].rounds == 1 ? "" : "s", obs_metric_names[fg[q].metric],
                   100 * fg[q].err_before, 100 * fg[q].err_after, m0, m1, f.output);
        }
    rc = st == NC_OK ? 0 : fail(&err);
    fit_calibration_free(&fc);
    nc_scenario_free(&sc0);
    nc_observed_free(&obs);
    nc_input_free(&in);
    return rc;
}
