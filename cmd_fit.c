/*
 * cmd_fit.c - `natcap fit` (SPEC §6): calibrate the compared scenario to
 * observed.csv and write a complete input directory that reproduces it.
 *
 * Per observed gateway, with the target series T = new_connections, else
 * attempts, else requests (counts per interval):
 *  1. Profile and rate.  The requests rate of the gateway's service rows
 *     becomes k * R0 * m(t): R0 their requests/s at multiplier 1 today, m a
 *     periodic piecewise-linear profile `fitted-GATEWAY` with --knots knots,
 *     peak 1.  Requests wanted per interval r_i = c_i / psi_i, where psi_i is
 *     the model's T per request in that interval (round 0: the day's ratio of
 *     the unfitted run); m and k come from the NNLS fit of r (model/fit.c).
 *  2. Rounds.  Simulate the fitted scenario, take psi_i from it (pooled rows:
 *     connections are not proportional to requests), refit; stop when the
 *     error sum |model_i - c_i| / sum c_i (plus that of the refused SYNs, weighted
 *     by their share) stops falling (or 12 rounds), keep
 *     the best round.
 *  3. --latency.  Little's law: the mean hold time is open / connection rate
 *     (open, else in_use minus the TIME_WAIT share rate * time_wait_s); the
 *     destinations behind the gateway get their latency_p50_ms and
 *     latency_p99_ms scaled by observed / model hold (shape kept), each round.
 * Everything runs through batch_run, so results are the same for any -j.
 */
#define _GNU_SOURCE
#include "commands.h"

#include "io/csv_in.h"
#include "io/csv_out.h"
#include "io/fit_out.h"
#include "io/observed_in.h"
#include "model/batch.h"
#include "model/compare.h"
#include "model/fit.h"
#include "model/summary.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUNDS 12

typedef struct fit_gw {
    size_t g;
    int target;                 /* index in the compare of T */
    obs_metric metric;
    double k;                   /* rate factor */
    double lat;                 /* latency factor */
    double *m;                  /* [K] multipliers */
    int rounds;
    double err_before, err_after;
    double hold_obs, hold_model_before, hold_model_after;
    int pooled;
} fit_gw;

typedef struct fit_run {
    const char *input, *output, *scenario;
    long long reps, seed;
    unsigned jobs;
    size_t knots;
    int latency, quiet;
    observed_in_opts obs;
} fit_run;

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

/* One batch of one scenario, compared with the observations. */
static nc_status simulate(const nc_scenario *sc, const fit_run *f, const nc_observed *o,
                          nc_scen_result **res, obs_compare **cmp, nc_error *err)
{
    batch_opts bo = {f->jobs, NULL, NULL, NULL, NULL, 0, 0, NULL};
    nc_status st = batch_run(sc, 1, &bo, res, err);
    if (st != NC_OK)
        return st;
    *cmp = obs_compare_build(*res, o);
    if (*cmp == NULL)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    return NC_OK;
}

static void drop(nc_scen_result **res, obs_compare **cmp)
{
    obs_compare_destroy(*cmp);
    nc_scen_result_destroy(*res);
    *cmp = NULL;
    *res = NULL;
}

/* error of the model's T against the observed one: sum |model - obs| / sum obs */
static double target_error(const obs_compare *c, int t)
{
    const obs_series_cmp *x = &c->sc[t];
    double num = 0, den = 0;
    for (size_t i = 0; i < x->s->n; i++) {
        if (isnan(x->mean[i]))
            continue;
        num += fabs(x->mean[i] - x->s->value[i]);
        den += x->s->value[i];
    }
    return den > 0 ? num / den : NAN;
}

static double total_obs(const obs_compare *c, int t)
{
    double s = 0;
    for (size_t i = 0; i < c->sc[t].s->n; i++)
        s += c->sc[t].s->value[i];
    return s;
}

static int rows_pooled(const nc_scenario *sc, size_t g)
{
    for (size_t i = 0; i < sc->nservices; i++)
        if (sc->services[i].gateway == g && (sc->services[i].pool_idle > 0 || sc->services[i].pool_max > 0))
            return 1;
    return 0;
}

/* requests/s of gateway g's rows at multiplier 1 in the unfitted scenario */
static double base_rate(const nc_scenario *sc, size_t g)
{
    double r = 0;
    for (size_t i = 0; i < sc->nservices; i++)
        if (sc->services[i].gateway == g)
            r += (double)sc->services[i].instances * sc->services[i].rps;
    return r;
}

/* The fitted scenario: base with gateway fits applied (profile appended). */
static nc_status apply(const nc_scenario *base, const fit_gw *fg, size_t nfg, size_t K,
                       nc_scenario *out, nc_error *err)
{
    if (nc_scenario_copy(out, base) != 0)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    for (size_t q = 0; q < nfg; q++) {
        const fit_gw *x = &fg[q];
        nc_profile *np = realloc(out->profiles, (out->nprofiles + 1) * sizeof *np);
        if (np == NULL)
            return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        out->profiles = np;
        nc_profile *p = &np[out->nprofiles];
        memset(p, 0, sizeof *p);
        snprintf(p->name, sizeof p->name, "fitted-%.50s", base->gateways[x->g].name);
        p->time_s = malloc((K + 1) * sizeof *p->time_s);
        p->multiplier = malloc((K + 1) * sizeof *p->multiplier);
        if (!p->time_s || !p->multiplier) {
            free(p->time_s);
            free(p->multiplier);
            return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        }
        for (size_t j = 0; j <= K; j++) {
            p->time_s[j] = 86400.0 * (double)j / (double)K;
            p->multiplier[j] = x->m[j % K];
        }
        p->npoints = K + 1;
        size_t pi = out->nprofiles++;
        for (size_t i = 0; i < out->nservices; i++) {
            nc_service *sv = &out->services[i];
            if (sv->gateway != x->g)
                continue;
            sv->profile = pi;
            sv->rps *= x->k;
        }
        for (size_t d = 0; d < out->ndestinations && x->lat != 1; d++) {
            int used = 0;
            for (size_t i = 0; i < out->nservices; i++)
                used |= out->services[i].gateway == x->g && out->services[i].destination == d;
            if (used) {
                out->destinations[d].latency_p50_ms *= x->lat;
                out->destinations[d].latency_p99_ms *= x->lat;
            }
        }
    }
    return NC_OK;
}

/* Requests wanted in each observed interval: the observed T over the model's T per
 * request there (from a compared run; day_ratio where the run has none).  In the
 * intervals where the gateway refused SYNs (observed alloc_failures > 0) new
 * connections are capped by the ports, not by the load, and a fit on them runs away
 * (more load, fewer connections per request, still more load): there the attempts,
 * T + alloc_failures, stand in, with the model's attempts per request. */
static void wanted(const nc_scen_result *r, const obs_compare *c, int t, int fails, size_t g,
                   double day_ratio, double *want, double *prev)
{
    const obs_series_cmp *x = &c->sc[t];
    const obs_series_cmp *fx = fails >= 0 ? &c->sc[fails] : NULL;
    const obs_series *s = x->s;
    double ss = r->sc->sample_s;
    for (size_t i = 0; i < s->n; i++) {
        double a = s->t0_s + (double)i * s->interval_s;
        double obs = s->value[i], mod = x->mean[i];
        if (fx != NULL && fx->s->interval_s == s->interval_s && s->metric == OBS_NEW_CONNECTIONS) {
            double fj = (a - fx->s->t0_s) / s->interval_s;
            if (fj >= 0 && fj < (double)fx->s->n && fabs(fj - round(fj)) < 1e-6) {
                size_t j = (size_t)llround(fj);
                if (fx->s->value[j] > 0 && !isnan(fx->mean[j]) && !isnan(mod)) {
                    obs += fx->s->value[j];
                    mod += fx->mean[j];
                }
            }
        }
        int failing = obs != s->value[i];
        double psi = day_ratio;
        if (!isnan(mod)) {
            uint32_t lo = (uint32_t)ceil(a / ss - 1e-9), hi = (uint32_t)floor((a + s->interval_s) / ss + 1e-9);
            double req = 0;
            for (uint32_t k = lo; k < hi && k < r->nsamples; k++)
                req += (double)r->gw[g].requests_sum[k] / r->reps;
            if (req > 0 && mod > 0)
                psi = mod / req;
        }
        want[i] = psi > 0 ? obs / psi : 0;
        /* attempts per request rise steeply with the load once SYNs are refused: the
         * plain update overshoots and oscillates, so those intervals move halfway (in
         * the log) from the last round's value */
        if (failing && prev[i] > 0 && want[i] > 0)
            want[i] = sqrt(want[i] * prev[i]);
        prev[i] = want[i];
    }
}

/* Little's law: mean hold time (s) = level / connection rate, over the compared points */
static double hold_time(const obs_compare *c, const obs_gw_cmp *gx, int t, int model, double tw_s)
{
    if (gx->level < 0)
        return NAN;
    const obs_series_cmp *L = &c->sc[gx->level], *T = &c->sc[t];
    double level = 0, rate = 0;
    size_t n = 0;
    for (size_t i = 0; i < L->s->n; i++) {
        double tl = L->s->t0_s + (double)i * L->s->interval_s;
        /* the T point covering tl */
        double fi = (tl - T->s->t0_s) / T->s->interval_s;
        if (fi < 0 || fi >= (double)T->s->n)
            continue;
        size_t j = (size_t)fi;
        double lv = model ? L->mean[i] : L->s->value[i];
        double tv = model ? T->mean[j] : T->s->value[j];
        if (isnan(lv) || isnan(tv) || isnan(L->mean[i]) || isnan(T->mean[j]))
            continue;
        double lam = tv / T->s->interval_s;
        if (L->s->metric == OBS_IN_USE)
            lv -= lam * tw_s;
        level += lv;
        rate += lam;
        n++;
    }
    return n > 0 && rate > 0 && level > 0 ? level / rate : NAN;
}

static void fit_usage(FILE *fp)
{
    fputs("Usage: natcap fit [-i DIR] [-o DIR] [-s NAME] [-r N] [--seed N] [-j N] [--knots N]\n"
          "                  [--latency] [--tz +-HH:MM] [--observed-day D | --observed-fold F] [-q]\n"
          "\n"
          "Calibrates the compared scenario to observed.csv (daily profile and rate, with\n"
          "--latency the hold time too) and writes a complete input directory (default\n"
          "fitted) with fit.csv and fit.md.\n",
          fp);
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
            if (f->latency)
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
            fprintf(fp, "| first failure | %s | %s | %s |\n", c4, c5, c6);
            if (b->fails >= 0)
                fprintf(fp, "| failing minutes | %.1f | %.1f | %.1f |\n", b->failing_minutes,
                        b->model_failing_minutes, a->model_failing_minutes);
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

/* ------------------------------------------------------------ the fit */

static nc_status fit_gateway_knots(const fit_run *f, fit_gw *x, const obs_series *s, const double *want,
                                   double R0)
{
    size_t n = s->n, K = f->knots;
    double *a = malloc(n * sizeof *a), *len = malloc(n * sizeof *len), *r = malloc(n * sizeof *r);
    double *u = malloc(K * sizeof *u);
    int rc = -1;
    if (a && len && r && u) {
        for (size_t i = 0; i < n; i++) {
            a[i] = s->t0_s + (double)i * s->interval_s;
            len[i] = s->interval_s;
            r[i] = want[i];
        }
        rc = fit_profile(a, len, r, n, K, u);
    }
    if (rc == 0) {
        double peak = 0;
        for (size_t j = 0; j < K; j++)
            peak = fmax(peak, u[j]);
        if (peak <= 0 || R0 <= 0) {
            rc = 1;
        } else {
            for (size_t j = 0; j < K; j++)
                x->m[j] = u[j] / peak;
            x->k = peak / R0;
        }
    }
    free(a);
    free(len);
    free(r);
    free(u);
    return rc == 0 ? NC_OK : rc < 0 ? NC_ENOMEM : NC_EINPUT;
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

    nc_scen_result *r0 = NULL, *r1 = NULL;
    obs_compare *c0 = NULL, *c1 = NULL;
    fit_gw *fg = calloc(sc0.ngateways + 1, sizeof *fg);
    size_t nfg = 0;
    nc_scenario best, cur;
    memset(&best, 0, sizeof best);
    memset(&cur, 0, sizeof cur);
    double *psi = NULL;
    st = fg ? simulate(&sc0, &f, &obs, &r0, &c0, &err) : nc_error_set(&err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    /* gateways to fit and their targets */
    for (size_t g = 0; st == NC_OK && g < sc0.ngateways; g++) {
        int t = -1;
        static const obs_metric order[] = {OBS_NEW_CONNECTIONS, OBS_ATTEMPTS, OBS_REQUESTS};
        for (size_t o = 0; o < 3 && t < 0; o++)
            for (size_t i = 0; i < c0->n && t < 0; i++)
                if (c0->sc[i].s->gw == g && c0->sc[i].s->metric == order[o] && c0->sc[i].s->pool[0] == '\0')
                    t = (int)i;
        if (t < 0)
            continue;
        fit_gw *x = &fg[nfg++];
        x->g = g;
        x->target = t;
        x->metric = c0->sc[t].s->metric;
        x->k = 1;
        x->lat = 1;
        x->pooled = rows_pooled(&sc0, g);
        x->m = calloc(f.knots, sizeof *x->m);
        if (x->m == NULL)
            st = nc_error_set(&err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        x->err_before = target_error(c0, t);
    }
    if (st == NC_OK && nfg == 0)
        st = nc_error_set(&err, NC_EINPUT, obs.path, 0, "metric",
                          "no new_connections, attempts or requests series of a gateway's binding pool "
                          "to fit the daily profile to");
    size_t maxn = 0;
    for (size_t i = 0; i < obs.n; i++)
        maxn = obs.s[i].n > maxn ? obs.s[i].n : maxn;
    psi = calloc(maxn + 1, sizeof *psi);
    double *prevw = calloc((maxn + 1) * (nfg + 1), sizeof *prevw);
    if (prevw == NULL && st == NC_OK)
        st = nc_error_set(&err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    if (psi == NULL && st == NC_OK)
        st = nc_error_set(&err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    /* rounds: psi from the last run, refit, simulate */
    const nc_scen_result *rprev = r0;
    const obs_compare *cprev = c0;
    double best_err = INFINITY;
    int rounds = 0, best_round = 0;
    double *best_m = calloc(nfg * f.knots + 1, sizeof *best_m), *best_k = calloc(nfg + 1, sizeof *best_k),
           *best_lat = calloc(nfg + 1, sizeof *best_lat), *best_hold = calloc(nfg + 1, sizeof *best_hold);
    if ((!best_m || !best_k || !best_lat || !best_hold) && st == NC_OK)
        st = nc_error_set(&err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    nc_scen_result *rk = NULL;
    obs_compare *ck = NULL;
    for (int round = 1; st == NC_OK && round <= MAX_ROUNDS; round++) {
        for (size_t q = 0; q < nfg && st == NC_OK; q++) {
            fit_gw *x = &fg[q];
            const obs_series *s = c0->sc[x->target].s;
            nc_gw_summary sum;
            nc_summarize_gateway(r0, x->g, &sum);
            double tot = x->metric == OBS_NEW_CONNECTIONS ? (double)sum.new_connections
                         : x->metric == OBS_ATTEMPTS ? (double)sum.attempts : (double)sum.requests;
            double day_ratio = sum.requests > 0 && tot > 0 ? tot / (double)sum.requests : 1;
            wanted(rprev, cprev, x->target, cprev->gw[x->g].fails, x->g, day_ratio, psi,
                   prevw + q * (maxn + 1));
            /* psi is per request at the current rate: the base rows' R0 stays fixed */
            st = fit_gateway_knots(&f, x, s, psi, base_rate(&sc0, x->g));
            if (st == NC_EINPUT)
                st = nc_error_set(&err, NC_EINPUT, obs.path, 0, "value",
                                  "the %s series of gateway %s is zero everywhere: nothing to fit",
                                  obs_metric_names[x->metric], s->gateway);
            else if (st != NC_OK)
                st = nc_error_set(&err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
            if (st == NC_OK && f.latency) {
                const obs_gw_cmp *gx = &cprev->gw[x->g];
                double tw = sc0.gateways[x->g].time_wait_s;
                double ho = hold_time(cprev, gx, x->target, 0, tw), hm = hold_time(cprev, gx, x->target, 1, tw);
                x->hold_obs = ho;
                if (round == 1)
                    x->hold_model_before = hm;
                if (!isnan(ho) && !isnan(hm) && hm > 0)
                    x->lat *= ho / hm;
            }
        }
        if (st != NC_OK)
            break;
        nc_scenario_free(&cur);
        st = apply(&sc0, fg, nfg, f.knots, &cur, &err);
        if (st != NC_OK)
            break;
        nc_scen_result *rn = NULL;
        obs_compare *cn = NULL;
        st = simulate(&cur, &f, &obs, &rn, &cn, &err);
        if (st != NC_OK)
            break;
        rounds = round;
        double e = 0;
        for (size_t q = 0; q < nfg; q++) {
            e += target_error(cn, fg[q].target);
            if (cn->gw[fg[q].g].fails >= 0)   /* the failing minutes' attempts too */
                e += target_error(cn, cn->gw[fg[q].g].fails) *
                     fmin(1.0, cn->gw[fg[q].g].failures / fmax(1.0, total_obs(cn, fg[q].target)));
        }
        if (getenv("NATCAP_FIT_DEBUG"))
            fprintf(stderr, "fit round %d: error %.5f\n", round, e);
        if (f.latency)
            for (size_t q = 0; q < nfg; q++) {
                const obs_gw_cmp *gx = &cn->gw[fg[q].g];
                if (!isnan(gx->mape))
                    e += gx->mape / 100;
            }
        if (rk != NULL)
            drop(&rk, &ck);
        rk = rn;
        ck = cn;
        rprev = rk;
        cprev = ck;
        if (e < best_err * 0.999) {
            best_err = e;
            best_round = round;
            for (size_t q = 0; q < nfg; q++) {
                memcpy(best_m + q * f.knots, fg[q].m, f.knots * sizeof *best_m);
                best_k[q] = fg[q].k;
                best_lat[q] = fg[q].lat;
                best_hold[q] = f.latency ? hold_time(cn, &cn->gw[fg[q].g], fg[q].target, 1,
                                                     sc0.gateways[fg[q].g].time_wait_s) : NAN;
            }
        } else {
            break;   /* the error stopped falling */
        }
    }
    if (rk != NULL)
        drop(&rk, &ck);
    if (st == NC_OK) {
        for (size_t q = 0; q < nfg; q++) {
            memcpy(fg[q].m, best_m + q * f.knots, f.knots * sizeof *best_m);
            fg[q].k = best_k[q];
            fg[q].lat = best_lat[q];
            fg[q].hold_model_after = best_hold[q];
            fg[q].rounds = rounds;
        }
        (void)best_round;
        st = apply(&sc0, fg, nfg, f.knots, &best, &err);
    }
    if (st == NC_OK)
        st = simulate(&best, &f, &obs, &r1, &c1, &err);
    for (size_t q = 0; st == NC_OK && q < nfg; q++)
        fg[q].err_after = target_error(c1, fg[q].target);
    if (st == NC_OK)
        st = write_dir(&f, &sc0, fg, nfg, c0, c1, &err);
    if (st == NC_OK && !f.quiet)
        for (size_t q = 0; q < nfg; q++)
            printf("natcap fit: gateway %s: profile fitted-%s (%zu knots), rps x %.4f%s, %d round%s; "
                   "%s error %.1f %% -> %.1f %%; observed_mape %.1f %% -> %.1f %%; wrote %s\n",
                   sc0.gateways[fg[q].g].name, sc0.gateways[fg[q].g].name, f.knots, fg[q].k,
                   f.latency ? "" : "", fg[q].rounds, fg[q].rounds == 1 ? "" : "s",
                   obs_metric_names[fg[q].metric], 100 * fg[q].err_before, 100 * fg[q].err_after,
                   c0->gw[fg[q].g].mape, c1->gw[fg[q].g].mape, f.output);
    rc = st == NC_OK ? 0 : fail(&err);
    free(best_m);
    free(best_k);
    free(best_lat);
    free(best_hold);
    free(psi);
    free(prevw);
    for (size_t q = 0; fg != NULL && q < nfg; q++)
        free(fg[q].m);
    free(fg);
    drop(&r0, &c0);
    drop(&r1, &c1);
    nc_scenario_free(&cur);
    nc_scenario_free(&best);
    nc_scenario_free(&sc0);
    nc_observed_free(&obs);
    nc_input_free(&in);
    return rc;
}
