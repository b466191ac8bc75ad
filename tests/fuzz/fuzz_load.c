/*
 * fuzz_load.c - libFuzzer target for the input loader (issue 5, item 1).
 *
 * One fuzz input is split at every 0x1E byte (ASCII "record separator") into
 * up to five files, in the order gateways.csv, destinations.csv,
 * services.csv, profiles.csv, scenarios.csv.  A part that is the single byte
 * 0x15 is an absent file, as are the files past the last part; an empty part
 * is an empty file.  They are loaded from memory with
 * csv_in_load_mem, so the whole loader runs - csv_read (libcsv, BOM, UTF-8,
 * line numbers), csv_value (numbers, integers, names, times, keywords) and
 * csv_in (headers, references, presets, scenarios, selectors, scales, the
 * latency fits of model/latency.c) - without
 * touching the file system.  The first part is also fed straight to each
 * value parser.
 *
 * Besides the sanitizers' crashes, leaks and hangs, the target aborts when a
 * property the rest of natcap relies on is broken:
 *  - on error: the status is NC_EINPUT (or NC_ENOMEM), the message names a
 *    file of the input set, the output struct is zeroed, and the formatted
 *    message is one line of printable text (no control bytes);
 *  - on success: every resolved number is finite and inside its documented
 *    range, profiles are ascending within the day, and the expected number
 *    of requests of every service row (arrivals_integral) is finite.
 *
 * Built by `make fuzz` with clang -fsanitize=fuzzer,address,undefined;
 * tests/fuzz/replay.c turns it into a plain program that replays a corpus.
 */
#include "../../io/csv_in.h"
#include "../../io/csv_value.h"
#include "../../io/explain.h"
#include "../../model/arrivals.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NFILES 5
#define SEP 0x1E
#define ABSENT 0x15

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_load: property broken: %s: %s\n", what, detail ? detail : "");
    abort();
}

static void check(int ok, const char *what, const char *detail)
{
    if (!ok)
        fail(what, detail);
}

static void check_error(nc_status st, const nc_error *err, const nc_input *in)
{
    char buf[1200];
    check(st == NC_EINPUT || st == NC_ENOMEM, "status is not NC_EINPUT", err->msg);
    check(err->code == st, "err.code differs from the status", err->msg);
    check(st != NC_EINPUT || strncmp(err->file, "fuzz/", 5) == 0, "error names no input file",
          err->msg);
    check(err->line >= 0, "negative line", err->msg);
    check(err->msg[0] != '\0', "empty message", err->file);
    check(in->scenarios == NULL && in->dir == NULL && in->nscenarios == 0,
          "output not zeroed on error", err->msg);
    nc_error_format(err, buf, sizeof buf);
    for (const unsigned char *p = (const unsigned char *)buf; *p; p++)
        check(*p >= 0x20 && *p != 0x7F, "control byte in the message", buf);
}

static int finite_in(double x, double lo, double hi)
{
    return isfinite(x) && x >= lo && x <= hi;
}

/* > 0 (any positive double: values below the simulator's microsecond are rounded
 * there, and 6e-305 s is a valid, if odd, input) and <= hi */
static int positive(double x, double hi)
{
    return isfinite(x) && x > 0 && x <= hi;
}

static void check_scenario(const nc_scenario *sc)
{
    check(sc->description != NULL, "description is NULL", sc->name);
    check(csv_value_is_name(sc->name), "scenario name", sc->name);
    check(positive(sc->duration_h, 8760), "duration_h", sc->name);
    check(finite_in(sc->warmup_h, 0, 8760), "warmup_h", sc->name);
    check(positive(sc->sample_s, 1e9), "sample_s", sc->name);
    check(sc->duration_h * 3600 / sc->sample_s <= 1e7, "intervals", sc->name);
    check(sc->replications >= 1 && sc->replications <= 1000000, "replications", sc->name);
    check(finite_in(sc->rate_scale, 0, 1e6) && positive(sc->instance_scale, 1e6),
          "scales", sc->name);
    check(sc->nprofiles >= 1 && strcmp(sc->profiles[0].name, "flat") == 0, "flat profile",
          sc->name);
    for (size_t i = 0; i < sc->ngateways; i++) {
        const nc_gateway *g = &sc->gateways[i];
        check(csv_value_is_name(g->name), "gateway name", g->name);
        check(g->nat_ips >= 1 && g->nat_ips <= 65535, "nat_ips", g->name);
        check(g->port_min >= 1 && g->port_min <= g->port_max && g->port_max <= 65535, "ports",
              g->name);
        check(g->per_destination_limit >= 1, "per_destination_limit", g->name);
        check(finite_in(g->time_wait_s, 0, 1e9) && positive(g->idle_timeout_s, 1e9),
              "gateway timers", g->name);
        check(nc_gateway_pool_capacity(g) >= 1, "pool capacity", g->name);
    }
    for (size_t i = 0; i < sc->ndestinations; i++) {
        const nc_destination *d = &sc->destinations[i];
        check(csv_value_is_name(d->name), "destination name", d->name);
        check(d->addresses >= 1 && d->port >= 1 && d->port <= 65535, "addresses/port", d->name);
        check(positive(d->latency_p50_ms, 1e12), "latency_p50_ms", d->name);
        check(finite_in(d->latency_p99_ms, 0, 1e12)
                  && (d->latency_p99_ms == 0 || d->latency_p99_ms > d->latency_p50_ms),
              "latency_p99_ms", d->name);
        check(finite_in(d->handshake_ms, 0, 1e12), "handshake_ms", d->name);
    }
    for (size_t i = 0; i < sc->nprofiles; i++) {
        const nc_profile *p = &sc->profiles[i];
        check(p->npoints >= 1, "profile without points", p->name);
        for (size_t k = 0; k < p->npoints; k++) {
            check(finite_in(p->time_s[k], 0, 86400), "profile time", p->name);
            check(k == 0 || p->time_s[k] > p->time_s[k - 1], "profile not ascending", p->name);
            check(finite_in(p->multiplier[k], 0, 1e6), "profile multiplier", p->name);
        }
    }
    for (size_t i = 0; i < sc->nservices; i++) {
        const nc_service *s = &sc->services[i];
        check(csv_value_is_name(s->name), "service name", s->name);
        check(s->gateway < sc->ngateways && s->destination < sc->ndestinations
                  && s->profile < sc->nprofiles, "dangling index", s->name);
        check(s->instances >= 1 && s->instances <= 1000000000ull, "instances", s->name);
        check(finite_in(s->rps, 0, 1e9 * 1e6), "rps", s->name);
        check(positive(s->keepalive_s, 1e9) && positive(s->pool_wait_timeout_s, 1e9)
                  && positive(s->connect_timeout_s, 1e9)
                  && finite_in(s->retry_backoff_s, 0, 1e9), "service timers", s->name);
        check(s->syn_retries <= 127 && s->retries <= 1000, "retries", s->name);
        check(s->line >= 1, "service line", s->name);
        arrivals a;
        double rate = (double)s->instances * s->rps;
        if (arrivals_init(&a, &sc->profiles[s->profile], rate) != NC_OK)
            continue;   /* out of memory */
        double t0 = -sc->warmup_h * 3600, t1 = sc->duration_h * 3600;
        double n = arrivals_integral(&a, t0, t1);
        check(isfinite(a.day_area) && a.day_area >= 0, "arrivals day_area", s->name);
        check(isfinite(n) && n >= 0, "arrivals_integral", s->name);
        arrivals_free(&a);
    }
}

/* The first part straight into each value parser (a cell is NUL-free text). */
static void fuzz_values(const uint8_t *data, size_t size)
{
    char cell[256];
    size_t n = size < sizeof cell - 1 ? size : sizeof cell - 1;
    memcpy(cell, data, n);
    cell[n] = '\0';
    static const char *const kw[] = {"global", "per_destination"};
    static const csv_value_num rn = {0, 1, 1e12};
    static const csv_value_int ri = {1, 65535, 1};
    csv_value v = {cell, "fuzz/x.csv", "x", 1, 0};
    nc_error err;
    double d = -1, t = -1;
    uint64_t u = 0;
    int k = -1;
    char name[NC_NAME_MAX + 1];
    if (csv_value_number(&v, &rn, 1, &d, &err) == NC_OK)
        check(d > 0 && d <= 1e12, "csv_value_number out of range", cell);
    if (csv_value_integer(&v, &ri, 1, &u, &err) == NC_OK)
        check(u >= 1 && u <= 65535, "csv_value_integer out of range", cell);
    if (csv_value_time(&v, &t, &err) == NC_OK)
        check(t >= 0 && t <= 86400, "csv_value_time out of range", cell);
    if (csv_value_name(&v, 1, name, &err) == NC_OK)
        check(csv_value_is_name(name), "csv_value_name accepted a bad name", cell);
    if (csv_value_keyword(&v, kw, 2, 1, &k, &err) == NC_OK)
        check(k == 0 || k == 1, "csv_value_keyword index", cell);
    char shown[64];
    csv_value_show(cell, shown, sizeof shown);
    check(strlen(shown) < sizeof shown, "csv_value_show overflow", cell);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    csv_in_file files[NFILES];
    size_t start = 0, nf = 0;
    gsl_set_error_handler_off();   /* as main() does: the latency fits check statuses */
    memset(files, 0, sizeof files);   /* data NULL: absent */
    for (size_t i = 0; i <= size && nf < NFILES; i++) {
        if (i < size && data[i] != SEP)
            continue;
        /* a non-NULL pointer even for an empty part (an empty file) */
        files[nf].data = size > 0 ? (const void *)(data + start) : (const void *)"";
        files[nf].len = i - start;
        if (files[nf].len == 1 && data[start] == ABSENT)
            files[nf].data = NULL;
        nf++;
        start = i + 1;
    }
    fuzz_values(data, nf > 0 ? files[0].len : 0);

    nc_input in;
    nc_error err;
    memset(&err, 0, sizeof err);
    nc_status st = csv_in_load_mem("fuzz", files, &in, &err);
    /* the same with every error and validate's records: the same status, the same
     * first error, every error well formed */
    static csv_in_errors errs;
    csv_explain ex;
    nc_input in2;
    nc_status st2 = csv_in_load_all("fuzz", files, &in2, &errs, &ex);
    check(st2 == st, "csv_in_load_all status differs", NULL);
    check(st == NC_OK || (errs.n >= 1 && errs.n <= CSV_IN_MAX_ERRORS
                          && strcmp(errs.e[0].msg, err.msg) == 0), "first error differs", err.msg);
    for (size_t i = 0; st2 != NC_OK && i < errs.n; i++)
        check_error(st2, &errs.e[i], &in2);
    check(st2 != NC_OK || ex.have_base, "no explained base", NULL);
    for (size_t i = 0; st2 == NC_OK && i < ex.noverrides; i++)
        check(ex.ov[i].nrows <= ex.ov[i].total, "override touches more rows than exist", NULL);
    csv_explain_free(&ex);
    nc_input_free(&in2);
    if (st != NC_OK) {
        check_error(st, &err, &in);
        return 0;
    }
    check(in.nscenarios >= 1 && in.dir != NULL, "no scenario loaded", NULL);
    for (size_t i = 0; i < in.nscenarios; i++)
        check_scenario(&in.scenarios[i]);
    nc_input_free(&in);
    return 0;
}
