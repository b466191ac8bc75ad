/*
 * check_csv_in.c - tests of io/csv_in (and csv_read, csv_value under it).
 *
 * "good inputs" load tests/data/ok_minimal and tests/data/ok_full (every
 * feature: presets, profiles, scenarios with selectors and scales, BOM,
 * CRLF, comments, quoted and multi-line fields) and compare fields.
 * "bad input" is table driven: each case writes a small input directory
 * (a valid base set with one or two files replaced or removed) into a
 * mkdtemp directory and asserts the status, file, line, column and a part
 * of the message.  Run from the repository root (paths are relative).
 */
#include "../io/csv_in.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NO_FILE ((const char *)1)   /* content meaning: remove the file */

typedef struct file_spec {
    const char *name;      /* e.g. "services.csv"; NULL = unused */
    const char *content;   /* NO_FILE removes it from the base set */
    size_t len;            /* 0: strlen(content); set for contents with NUL bytes */
} file_spec;

/* The valid base set that cases modify. */
static const file_spec base_files[] = {
    {"gateways.csv", "gateway\ngw\n", 0},
    {"destinations.csv", "destination,latency_p50_ms,latency_p99_ms\napi,20,200\ndb,5,50\n", 0},
    {"services.csv", "service,destination,instances,rps\nweb,api,4,10\n", 0},
};

static const char *const all_files[] = {"gateways.csv", "destinations.csv", "services.csv",
                                        "profiles.csv", "scenarios.csv"};

static void write_file(const char *dir, const file_spec *f)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, f->name);
    if (f->content == NO_FILE) {
        unlink(path);
        return;
    }
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    size_t len = f->len ? f->len : strlen(f->content);
    ck_assert_uint_eq(fwrite(f->content, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
}

/* A fresh directory with the base set, then `extra` applied.  Path into dir. */
static void make_dir(char dir[64], const file_spec *extra, size_t nextra)
{
    snprintf(dir, 64, "/tmp/natcap-csvin-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (size_t i = 0; i < sizeof base_files / sizeof base_files[0]; i++)
        write_file(dir, &base_files[i]);
    for (size_t i = 0; i < nextra; i++)
        if (extra[i].name != NULL)
            write_file(dir, &extra[i]);
}

static void remove_dir(const char *dir)
{
    char path[512];
    for (size_t i = 0; i < sizeof all_files / sizeof all_files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, all_files[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* Load base set + extra into *in; returns the status, error in *err. */
static nc_status load_with(const file_spec *extra, size_t nextra, nc_input *in, nc_error *err)
{
    char dir[64];
    make_dir(dir, extra, nextra);
    memset(err, 0, sizeof *err);
    nc_status st = csv_in_load(dir, in, err);
    remove_dir(dir);
    return st;
}

/* ---- bad input ---- */

typedef struct bad_case {
    file_spec f[3];        /* replaced files (the second and third optional) */
    const char *efile;     /* file named by the error; NULL = f[0].name */
    long line;
    const char *column;    /* "" = none */
    const char *msg;       /* substring of the message */
} bad_case;

#define SV_HDR "service,destination,instances,rps\n"
#define F(name, content) {{name, content, 0}}
#define F2(n1, c1, n2, c2) {{n1, c1, 0}, {n2, c2, 0}}
#define F3(n1, c1, n2, c2, n3, c3) {{n1, c1, 0}, {n2, c2, 0}, {n3, c3, 0}}

static const bad_case bad_cases[] = {
    /* wrong type, NaN/inf/overflow/junk */
    {F("services.csv", SV_HDR "web,api,4,fast\n"), NULL, 2, "rps",
     "expected a number >= 0, got \"fast\""},
    {F("services.csv", SV_HDR "web,api,4,nan\n"), NULL, 2, "rps", "expected a number >= 0"},
    {F("services.csv", SV_HDR "web,api,4,inf\n"), NULL, 2, "rps", "expected a number >= 0"},
    {F("services.csv", SV_HDR "web,api,4,-Infinity\n"), NULL, 2, "rps", "expected a number"},
    {F("services.csv", SV_HDR "web,api,4,0x10\n"), NULL, 2, "rps", "expected a number"},
    {F("services.csv", SV_HDR "web,api,4,1e999\n"), NULL, 2, "rps", "out of range"},
    {F("services.csv", SV_HDR "web,api,4,10x\n"), NULL, 2, "rps", "got \"10x\""},
    {F("services.csv", SV_HDR "web,api,4,\"1,5\"\n"), NULL, 2, "rps", "decimal point"},
    {F("services.csv", SV_HDR "web,api,1.5,10\n"), NULL, 2, "instances",
     "expected an integer >= 1, got \"1.5\""},
    {F("services.csv", SV_HDR "web,api,-1,10\n"), NULL, 2, "instances", "integer >= 1"},
    {F("services.csv", SV_HDR "web,api,0,10\n"), NULL, 2, "instances", "integer >= 1"},
    {F("services.csv", SV_HDR "web,api,99999999999999999999999,10\n"), NULL, 2, "instances",
     "from 1 to 1000000000"},
    /* out of range */
    {F("services.csv", SV_HDR "web,api,4,-0.5\n"), NULL, 2, "rps", "expected a number >= 0"},
    {F("destinations.csv", "destination,port,latency_p50_ms,latency_p99_ms\napi,70000,20,200\n"),
     NULL, 2, "port", "from 1 to 65535, got \"70000\""},
    {F("gateways.csv", "gateway,nat_ips\ngw,0\n"), NULL, 2, "nat_ips", "integer >= 1"},
    {F("gateways.csv", "gateway,nat_ips\ngw,70000\n"), NULL, 2, "nat_ips", "from 1 to 65535"},
    {F("gateways.csv", "gateway,idle_timeout_s\ngw,0\n"), NULL, 2, "idle_timeout_s",
     "expected a number > 0"},
    {F("services.csv", "service,destination,instances,rps,syn_retries\nweb,api,4,1,200\n"), NULL,
     2, "syn_retries", "from 0 to 127"},
    /* header: unknown (with suggestion), duplicate, missing, unnamed */
    {F("services.csv", "service,destination,instances,rsp\nweb,api,4,10\n"), NULL, 1, "",
     "unknown column 'rsp' (did you mean 'rps'?)"},
    {F("gateways.csv", "gateway,ports_per_vm\ngw,4\n"), NULL, 1, "",
     "unknown column 'ports_per_vm'"},
    {F("services.csv", "service,destination,instances,rps,rps\nweb,api,4,10,1\n"), NULL, 1, "rps",
     "duplicate column"},
    {F("services.csv", "service,destination,instances\nweb,api,4\n"), NULL, 1, "rps",
     "required column is missing"},
    {F("services.csv", "service,,instances,rps\nweb,api,4,1\n"), NULL, 1, "", "has no name"},
    {F2("gateways.csv", "gateway\ngw\ngw2\n", "services.csv", SV_HDR "web,api,4,10\n"),
     "services.csv", 1, "gateway", "required column is missing"},
    /* missing value */
    {F("services.csv", SV_HDR "web,api,,10\n"), NULL, 2, "instances", "missing value"},
    {F("destinations.csv", "destination,latency_p50_ms\napi,20\n"), NULL, 2, "latency_p99_ms",
     "required unless latency_dist is exponential or constant"},
    {F2("gateways.csv", "gateway\ngw\ngw2\n", "services.csv",
        "service,gateway,destination,instances,rps\nweb,,api,4,10\n"),
     "services.csv", 2, "gateway", "more than one gateway"},
    /* duplicate names */
    {F("gateways.csv", "gateway\ngw\nx\ngw\n"), NULL, 4, "gateway",
     "duplicate gateway 'gw' (first defined on line 2)"},
    {F("destinations.csv", "destination,latency_p50_ms,latency_p99_ms\napi,1,2\napi,1,2\n"), NULL,
     3, "destination", "duplicate destination 'api'"},
    {F("services.csv", SV_HDR "web,api,4,10\nweb,db,1,1\nweb,api,2,2\n"), NULL, 4, "service",
     "duplicate row"},
    {F("profiles.csv", "profile,time,multiplier\np,08:00,1\np,8:00,2\n"), NULL, 3, "time",
     "given twice"},
    {F("profiles.csv", "profile,time,multiplier\nflat,08:00,1\n"), NULL, 2, "profile",
     "built in"},
    /* dangling references */
    {F("services.csv", SV_HDR "web,nope,4,10\n"), NULL, 2, "destination",
     "destination 'nope' is not defined in destinations.csv"},
    {F("services.csv", "service,gateway,destination,instances,rps\nweb,gw9,api,4,10\n"), NULL, 2,
     "gateway", "gateway 'gw9' is not defined in gateways.csv"},
    {F("services.csv", "service,destination,instances,rps,profile\nweb,api,4,10,peak\n"), NULL, 2,
     "profile", "profile 'peak' is not defined in profiles.csv"},
    /* times */
    {F("profiles.csv", "profile,time,multiplier\np,25:00,1\n"), NULL, 2, "time",
     "expected a time HH:MM or HH:MM:SS"},
    {F("profiles.csv", "profile,time,multiplier\np,24:00:01,1\n"), NULL, 2, "time", "24:00"},
    {F("profiles.csv", "profile,time,multiplier\np,8:5,1\n"), NULL, 2, "time", "got \"8:5\""},
    {F("profiles.csv", "profile,time,multiplier\np,noon,1\n"), NULL, 2, "time", "got \"noon\""},
    /* CSV syntax */
    {F("services.csv", SV_HDR "web,\"api,4,10\n"), NULL, 2, "destination", "unterminated"},
    {F("services.csv", SV_HDR "web,ap\"i,4,10\n"), NULL, 2, "destination", "misplaced quote"},
    {F("services.csv", SV_HDR "web,\"api\"x,4,10\n"), NULL, 2, "destination", "misplaced quote"},
    /* found by fuzzing: a control byte in a header name, shown as '?' in the message */
    {F("services.csv", "service,dest\x01ination,instances,rps\nweb,\"api,4,10\n"), NULL, 2,
     "dest?ination", "unterminated"},
    {F("services.csv", SV_HDR "web,api,4\n"), NULL, 2, "", "3 fields but the header"},
    {F("services.csv", SV_HDR "web,api,4,1,\n"), NULL, 2, "", "5 fields but the header"},
    {F("gateways.csv", ""), NULL, 0, "", "file is empty"},
    {F("gateways.csv", "# only a comment\n\n"), NULL, 0, "", "file is empty"},
    {F("services.csv", SV_HDR), NULL, 0, "", "no data rows"},
    {F("services.csv", NO_FILE), NULL, 0, "", "required file is missing"},
    /* bytes */
    {{{"services.csv", SV_HDR "web,a\0pi,4,10\n", sizeof SV_HDR + 13}}, NULL, 2,
     "destination", "NUL byte"},
    {F("services.csv", SV_HDR "web,\xEF\xBB\xBF" "api,4,10\n"), NULL, 2, "destination",
     "byte-order mark"},
    {F("services.csv", "\xEF\xBB\xBF\xEF\xBB\xBF" SV_HDR "web,api,4,10\n"), NULL, 1, "",
     "byte-order mark"},
    {F("services.csv", SV_HDR "w\xC3" "b,api,4,10\n"), NULL, 2, "service", "not valid UTF-8"},
    {F("services.csv", SV_HDR "w\xC0\xAF,api,4,10\n"), NULL, 2, "service", "not valid UTF-8"},
    {F("services.csv", SV_HDR "# caf\xE9\n"), NULL, 2, "", "not valid UTF-8"},
    /* names */
    {F("services.csv", SV_HDR "web app,api,4,10\n"), NULL, 2, "service", "expected a name"},
    {F("services.csv", SV_HDR ".web,api,4,10\n"), NULL, 2, "service", "expected a name"},
    {F("services.csv", SV_HDR "caf\xC3\xA9,api,4,10\n"), NULL, 2, "service", "expected a name"},
    {F("gateways.csv", "gateway\n"
                       "a123456789b123456789c123456789d123456789e123456789f123456789g1234\n"),
     NULL, 2, "gateway", "longer than 64"},
    /* keywords */
    {F("gateways.csv", "gateway,preset\ngw,aws2\n"), NULL, 2, "preset",
     "expected one of aws, gcp, azure, azure_lb, linux or blank, got \"aws2\" (did you mean "
     "'aws'?)"},
    {F("gateways.csv", "gateway,mapping\ngw,perdest\n"), NULL, 2, "mapping",
     "expected one of global, per_destination"},
    {F("destinations.csv", "destination,latency_dist,latency_p50_ms,latency_p99_ms\n"
                           "api,normal,1,2\n"), NULL, 2, "latency_dist", "lognormal"},
    /* cross-field */
    {F("destinations.csv", "destination,latency_p50_ms,latency_p99_ms\napi,20,20\n"), NULL, 2,
     "latency_p99_ms", "must be greater than latency_p50_ms"},
    {F("destinations.csv", "destination,latency_dist,latency_p50_ms,latency_p99_ms\n"
                           "api,exponential,20,10\n"), NULL, 2, "latency_p99_ms", "greater"},
    {F("gateways.csv", "gateway,port_min,port_max\ngw,2000,1000\n"), NULL, 2, "port_max",
     "port_max (1000) must be >= port_min (2000)"},
    {F("gateways.csv", "gateway,preset,port_min\ngw,azure_lb,65100\n"), NULL, 2, "port_min",
     "must be >= port_min (65100)"},
    /* scenarios.csv */
    {F("scenarios.csv", "scenario,service\ns,nope\n"), NULL, 2, "service",
     "service 'nope' is not defined in services.csv"},
    {F("scenarios.csv", "scenario,service,destination\ns,web,db\n"), NULL, 2, "destination",
     "no row of services.csv has service 'web' and destination 'db'"},
    {F("scenarios.csv", "scenario,seed,rps\ns,1,\ns,,2\ns,2,\n"), NULL, 4, "seed",
     "already given on line 2"},
    {F("scenarios.csv", "scenario,rps\ns,fast\n"), NULL, 2, "rps",
     "expected a number >= 0, got \"fast\""},
    {F("scenarios.csv", "scenario,latency_p50_ms\ns,500\n"), NULL, 2, "latency_p50_ms",
     "must be greater"},
    {F("scenarios.csv", "scenario,port_min\ns,70000\n"), NULL, 2, "port_min", "1 to 65535"},
    {F("scenarios.csv", "scenario,nat_ip\ns,2\n"), NULL, 1, "",
     "unknown column 'nat_ip' (did you mean 'nat_ips'?)"},
    {F("scenarios.csv", "scenario,replications\ns,0\n"), NULL, 2, "replications", ">= 1"},
    {F("scenarios.csv", "scenario,replications\ns,1000001\n"), NULL, 2, "replications",
     "from 1 to 1000000"},
    {F("scenarios.csv", "scenario,seed\ns,18446744073709551616\n"), NULL, 2, "seed",
     "from 0 to 18446744073709551615"},
    {F("scenarios.csv", "scenario,sample_s\ns,0.001\n"), NULL, 2, "sample_s", "intervals"},
    {F("scenarios.csv", "scenario,instance_scale\ns,0\n"), NULL, 2, "instance_scale", "> 0"},
    {F("scenarios.csv", "scenario,rate_scale\ns,1000\ns,1001\n"), NULL, 3, "rate_scale",
     "multiply to more than"},
    {F("scenarios.csv", "scenario,preset\ns,gcq\n"), NULL, 2, "preset", "did you mean 'gcp'?"},
    {F("scenarios.csv", "scenario,seed\n,1\n"), NULL, 2, "scenario", "missing value"},
    {F("scenarios.csv", "scenario,description,seed\ns,\"two\nlines\",x\n"), NULL, 2, "seed",
     "integer >= 0"},
    {F3("gateways.csv", "gateway\ngw\nspare\n", "services.csv",
        "service,gateway,destination,instances,rps\nweb,gw,api,4,10\n", "scenarios.csv",
        "scenario,gateway,rps\ns,spare,5\n"), "scenarios.csv", 2, "rps",
     "match no row of services.csv"},
    /* comments, blank lines and CRLF keep physical line numbers */
    {F("services.csv", "# c, with \"quotes\r\n\r\n" SV_HDR "\r\n   \r\nweb,api,4,x\r\n"), NULL,
     6, "rps", "got \"x\""},
};

START_TEST(test_bad_input)
{
    const bad_case *c = &bad_cases[_i];
    nc_input in;
    nc_error err;
    nc_status st = load_with(c->f, 3, &in, &err);
    ck_assert_msg(st == NC_EINPUT, "case %d: status %d, msg %s", _i, st, err.msg);
    const char *efile = c->efile ? c->efile : c->f[0].name;
    size_t fl = strlen(err.file), el = strlen(efile);
    ck_assert_msg(fl > el && strcmp(err.file + fl - el, efile) == 0 && err.file[fl - el - 1] == '/',
                  "case %d: file %s, expected %s", _i, err.file, efile);
    ck_assert_msg(err.line == c->line, "case %d: line %ld, expected %ld (%s)", _i, err.line,
                  c->line, err.msg);
    ck_assert_msg(strcmp(err.column, c->column) == 0, "case %d: column '%s', expected '%s' (%s)",
                  _i, err.column, c->column, err.msg);
    ck_assert_msg(strstr(err.msg, c->msg) != NULL, "case %d: message '%s' lacks '%s'", _i,
                  err.msg, c->msg);
    ck_assert_ptr_null(in.scenarios);
    ck_assert_ptr_null(in.dir);
}
END_TEST

/* The exact line main.c prints (SPEC §2 example). */
START_TEST(test_message_shape)
{
    static const file_spec f[] = {
        {"services.csv", SV_HDR "web,api,4,10\nweb,db,1,1\n\n# x\n\nweb2,api,4,1\nweb3,api,fast,1\n"
                                "x,api,1,1\n", 0}};
    char dir[64], buf[1200], want[256];
    make_dir(dir, f, 1);
    strcat(dir, "/");   /* a trailing '/' is not repeated in the file name */
    nc_input in;
    nc_error err;
    ck_assert_int_eq(csv_in_load(dir, &in, &err), NC_EINPUT);
    dir[strlen(dir) - 1] = '\0';
    remove_dir(dir);
    nc_error_format(&err, buf, sizeof buf);
    snprintf(want, sizeof want,
             "%s/services.csv:8: column 'instances': expected an integer >= 1, got \"fast\"", dir);
    ck_assert_str_eq(buf, want);
}
END_TEST

/* A file that exists but cannot be read (a directory here, so it works as root too). */
START_TEST(test_unreadable_is_eio)
{
    static const file_spec gone[] = {{"services.csv", NO_FILE, 0}};
    char dir[64], path[128];
    make_dir(dir, gone, 1);
    snprintf(path, sizeof path, "%s/services.csv", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    nc_input in;
    nc_error err;
    ck_assert_int_eq(csv_in_load(dir, &in, &err), NC_EIO);
    ck_assert_str_eq(err.file, path);
    rmdir(path);
    remove_dir(dir);
}
END_TEST

/* ---- good input ---- */

static const nc_gateway *gw_named(const nc_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->ngateways; i++)
        if (strcmp(sc->gateways[i].name, name) == 0)
            return &sc->gateways[i];
    ck_abort_msg("no gateway %s", name);
    return NULL;
}

static const nc_scenario *sc_named(const nc_input *in, const char *name)
{
    for (size_t i = 0; i < in->nscenarios; i++)
        if (strcmp(in->scenarios[i].name, name) == 0)
            return &in->scenarios[i];
    ck_abort_msg("no scenario %s", name);
    return NULL;
}

START_TEST(test_minimal_defaults)
{
    nc_input in;
    nc_error err;
    ck_assert_int_eq(csv_in_load("tests/data/ok_minimal", &in, &err), NC_OK);
    ck_assert_str_eq(in.dir, "tests/data/ok_minimal");
    ck_assert_uint_eq(in.ngateways, 1);
    ck_assert_uint_eq(in.ndestinations, 1);
    ck_assert_uint_eq(in.nservices, 1);
    ck_assert_uint_eq(in.nprofiles, 0);
    ck_assert_uint_eq(in.nscenarios, 1);
    const nc_scenario *sc = &in.scenarios[0];
    ck_assert_str_eq(sc->name, "baseline");
    ck_assert_str_eq(sc->description, "");
    ck_assert_double_eq(sc->duration_h, 24);
    ck_assert_double_eq(sc->warmup_h, 1);
    ck_assert_uint_eq(sc->replications, 10);
    ck_assert_uint_eq(sc->seed, 1);
    ck_assert_double_eq(sc->sample_s, 60);
    ck_assert_double_eq(sc->rate_scale, 1);
    ck_assert_double_eq(sc->instance_scale, 1);
    const nc_gateway *g = &sc->gateways[0];
    ck_assert_str_eq(g->preset, "");
    ck_assert_uint_eq(g->nat_ips, 1);
    ck_assert_uint_eq(g->port_min, 1024);
    ck_assert_uint_eq(g->port_max, 65535);
    ck_assert_int_eq(g->mapping, NC_MAPPING_GLOBAL);
    ck_assert_uint_eq(g->per_destination_limit, 64512);
    ck_assert_uint_eq(g->ports_per_instance, 0);
    ck_assert_double_eq(g->time_wait_s, 120);
    ck_assert_double_eq(g->idle_timeout_s, 350);
    const nc_destination *d = &sc->destinations[0];
    ck_assert_uint_eq(d->addresses, 1);
    ck_assert_uint_eq(d->port, 443);
    ck_assert_int_eq(d->latency_dist, NC_LAT_LOGNORMAL);
    ck_assert_double_eq(d->latency_p50_ms, 20);
    ck_assert_double_eq(d->latency_p99_ms, 200);
    ck_assert_double_eq(d->handshake_ms, 0);
    const nc_service *s = &sc->services[0];
    ck_assert_uint_eq(s->instances, 4);
    ck_assert_double_eq(s->rps, 10);
    ck_assert_uint_eq(s->profile, 0);
    ck_assert_uint_eq(s->pool_max, 0);
    ck_assert_uint_eq(s->pool_idle, 0);
    ck_assert_double_eq(s->keepalive_s, 90);
    ck_assert_double_eq(s->pool_wait_timeout_s, 30);
    ck_assert_double_eq(s->connect_timeout_s, 10);
    ck_assert_uint_eq(s->syn_retries, 6);
    ck_assert_uint_eq(s->retries, 0);
    ck_assert_double_eq(s->retry_backoff_s, 0);
    ck_assert_int_eq(s->line, 2);
    ck_assert_uint_eq(sc->nprofiles, 1);
    ck_assert_str_eq(sc->profiles[0].name, "flat");
    ck_assert_uint_eq(sc->profiles[0].npoints, 1);
    ck_assert_double_eq(sc->profiles[0].time_s[0], 0);
    ck_assert_double_eq(sc->profiles[0].multiplier[0], 1);
    nc_input_free(&in);
}
END_TEST

/* SPEC §2 preset table: mapping, limit, ports/instance, TIME_WAIT, idle, port range. */
START_TEST(test_full_presets)
{
    static const struct {
        const char *gw, *preset;
        uint32_t pdl, ppi;
        double tw, idle;
        uint32_t pmin, pmax, ips;
    } want[] = {
        {"aws-nat", "aws", 55000, 0, 60, 350, 1024, 65535, 2},
        {"gcp-nat", "gcp", 64512, 64, 30, 1200, 1024, 65535, 1},   /* time_wait_s explicit */
        {"azure-nat", "azure", 50000, 0, 65, 240, 1024, 65535, 1},
        {"lb", "azure_lb", 64000, 512, 240, 240, 1024, 65023, 1},  /* 65 backend instances */
        {"lb-fixed", "azure_lb", 64000, 256, 240, 240, 1024, 65023, 1},   /* explicit */
        {"box", "linux", 64512, 0, 120, 432000, 1024, 65535, 1},
    };
    nc_input in;
    nc_error err;
    ck_assert_msg(csv_in_load("tests/data/ok_full", &in, &err) == NC_OK, "%s", err.msg);
    const nc_scenario *sc = sc_named(&in, "baseline");
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const nc_gateway *g = gw_named(sc, want[i].gw);
        ck_assert_str_eq(g->preset, want[i].preset);
        ck_assert_int_eq(g->mapping, NC_MAPPING_PER_DESTINATION);
        ck_assert_uint_eq(g->per_destination_limit, want[i].pdl);
        ck_assert_uint_eq(g->ports_per_instance, want[i].ppi);
        ck_assert_double_eq(g->time_wait_s, want[i].tw);
        ck_assert_double_eq(g->idle_timeout_s, want[i].idle);
        ck_assert_uint_eq(g->port_min, want[i].pmin);
        ck_assert_uint_eq(g->port_max, want[i].pmax);
        ck_assert_uint_eq(g->nat_ips, want[i].ips);
    }
    /* explicit columns beat the preset */
    const nc_gateway *t = gw_named(sc, "tuned");
    ck_assert_int_eq(t->mapping, NC_MAPPING_GLOBAL);
    ck_assert_uint_eq(t->port_min, 2048);
    ck_assert_uint_eq(t->port_max, 65535);
    ck_assert_uint_eq(t->per_destination_limit, 1000);
    ck_assert_double_eq(t->time_wait_s, 90);
    ck_assert_double_eq(t->idle_timeout_s, 600);
    /* no preset: limit defaults to the port range */
    const nc_gateway *p = gw_named(sc, "plain");
    ck_assert_uint_eq(p->per_destination_limit, 10000);
    ck_assert_int_eq(p->mapping, NC_MAPPING_PER_DESTINATION);
    nc_input_free(&in);
}
END_TEST

START_TEST(test_full_files)
{
    nc_input in;
    nc_error err;
    ck_assert_msg(csv_in_load("tests/data/ok_full/", &in, &err) == NC_OK, "%s", err.msg);
    ck_assert_uint_eq(in.ngateways, 8);
    ck_assert_uint_eq(in.ndestinations, 5);
    ck_assert_uint_eq(in.nservices, 7);
    ck_assert_uint_eq(in.nprofiles, 2);
    ck_assert_uint_eq(in.nscenarios, 4);
    static const char *const order[] = {"baseline", "growth", "fix-checkout", "slow"};
    for (size_t i = 0; i < 4; i++)
        ck_assert_str_eq(in.scenarios[i].name, order[i]);
    const nc_scenario *sc = &in.scenarios[0];
    ck_assert_str_eq(sc->description, "The day as it is, \"today\"");
    /* destinations: trimmed "  1  ", blank handshake, quoted name, p99 optional */
    ck_assert_uint_eq(sc->destinations[1].addresses, 1);
    ck_assert_uint_eq(sc->destinations[1].port, 8443);
    ck_assert_int_eq(sc->destinations[1].latency_dist, NC_LAT_GAMMA);
    ck_assert_str_eq(sc->destinations[2].name, "ledger");
    ck_assert_int_eq(sc->destinations[3].latency_dist, NC_LAT_CONSTANT);
    ck_assert_double_eq(sc->destinations[3].latency_p99_ms, 0);
    ck_assert_int_eq(sc->destinations[4].latency_dist, NC_LAT_EXPONENTIAL);
    ck_assert_double_eq(sc->destinations[4].latency_p99_ms, 50);
    /* services: references, every column, line numbers */
    const nc_service *cart = &sc->services[4];
    ck_assert_str_eq(cart->name, "cart");
    ck_assert_str_eq(sc->gateways[cart->gateway].name, "lb");
    ck_assert_str_eq(sc->destinations[cart->destination].name, "ledger");
    ck_assert_str_eq(sc->profiles[cart->profile].name, "night");
    ck_assert_uint_eq(cart->pool_max, 16);
    ck_assert_uint_eq(cart->pool_idle, 4);
    ck_assert_double_eq(cart->keepalive_s, 60);
    ck_assert_double_eq(cart->pool_wait_timeout_s, 10);
    ck_assert_double_eq(cart->connect_timeout_s, 5);
    ck_assert_uint_eq(cart->syn_retries, 3);
    ck_assert_uint_eq(cart->retries, 2);
    ck_assert_double_eq(cart->retry_backoff_s, 0.5);
    ck_assert_int_eq(cart->line, 6);
    /* profiles: flat first, then by first appearance, points sorted by time */
    ck_assert_uint_eq(sc->nprofiles, 3);
    ck_assert_str_eq(sc->profiles[0].name, "flat");
    const nc_profile *daily = &sc->profiles[1];
    ck_assert_str_eq(daily->name, "daily");
    ck_assert_uint_eq(daily->npoints, 4);
    static const double t[] = {0, 32400, 64800, 86400}, m[] = {0.2, 1, 2.5, 0.2};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_double_eq(daily->time_s[i], t[i]);
        ck_assert_double_eq(daily->multiplier[i], m[i]);
    }
    ck_assert_double_eq(sc->profiles[2].time_s[0], 22 * 3600 + 30);
    /* growth: settings from the (two-line) first row */
    const nc_scenario *g = sc_named(&in, "growth");
    ck_assert_str_eq(g->description, "Twice the traffic,\nover two lines");
    ck_assert_double_eq(g->duration_h, 12);
    ck_assert_uint_eq(g->replications, 3);
    ck_assert_uint_eq(g->seed, 42);
    ck_assert_double_eq(g->sample_s, 30);
    ck_assert_double_eq(g->rate_scale, 2);
    const nc_scenario *f = sc_named(&in, "fix-checkout");
    ck_assert_uint_eq(f->seed, UINT64_MAX);
    nc_input_free(&in);
}
END_TEST

START_TEST(test_full_selectors_and_scales)
{
    nc_input in;
    nc_error err;
    ck_assert_msg(csv_in_load("tests/data/ok_full", &in, &err) == NC_OK, "%s", err.msg);
    const nc_scenario *base = sc_named(&in, "baseline");
    /* growth: rate x2 everywhere, checkout also x1.5 rate and x1.5 instances (rounded up) */
    const nc_scenario *g = sc_named(&in, "growth");
    static const double rps[] = {15, 60, 3, 3, 4, 200, 100};
    static const uint64_t inst[] = {15, 15, 45, 60, 25, 3, 2};
    for (size_t i = 0; i < 7; i++) {
        ck_assert_double_eq_tol(g->services[i].rps, rps[i], 1e-9);
        ck_assert_uint_eq(g->services[i].instances, inst[i]);
    }
    ck_assert_uint_eq(gw_named(g, "lb")->ports_per_instance, 512);   /* 60 + 25 = 85 */
    /* fix-checkout: pool_idle 8 on the checkout rows only, nat_ips 3 on aws-nat only */
    const nc_scenario *f = sc_named(&in, "fix-checkout");
    for (size_t i = 0; i < 7; i++) {
        int checkout = strcmp(f->services[i].name, "checkout") == 0;
        ck_assert_uint_eq(f->services[i].pool_idle, checkout ? 8 : base->services[i].pool_idle);
    }
    ck_assert_uint_eq(gw_named(f, "aws-nat")->nat_ips, 3);
    ck_assert_uint_eq(gw_named(f, "lb")->nat_ips, 1);
    ck_assert_uint_eq(gw_named(base, "aws-nat")->nat_ips, 2);
    /* slow: payments p50 120; cart via lb back to flat; plain gateway gets preset aws,
     * but its explicit port range and mapping stay */
    const nc_scenario *s = sc_named(&in, "slow");
    ck_assert_double_eq(s->destinations[0].latency_p50_ms, 120);
    ck_assert_double_eq(s->destinations[1].latency_p50_ms, 15);
    ck_assert_uint_eq(s->services[4].profile, 0);
    ck_assert_uint_eq(s->services[0].profile, 1);
    const nc_gateway *p = gw_named(s, "plain");
    ck_assert_str_eq(p->preset, "aws");
    ck_assert_uint_eq(p->port_min, 20000);
    ck_assert_uint_eq(p->port_max, 29999);
    ck_assert_uint_eq(p->per_destination_limit, 55000);
    ck_assert_double_eq(p->time_wait_s, 60);
    nc_input_free(&in);
}
END_TEST

/* azure_lb ports_per_instance by backend size, at each tier boundary. */
START_TEST(test_azure_lb_tiers)
{
    static const struct { unsigned instances, ports; } tiers[] = {
        {1, 1024}, {50, 1024}, {51, 512}, {100, 512}, {101, 256}, {200, 256}, {201, 128},
        {400, 128}, {401, 64}, {800, 64}, {801, 32}, {1000, 32}, {1001, 32}, {100000, 32}};
    char svc[256];
    /* two services of instances/2 and the rest; one of them has two rows (max counts) */
    unsigned n = tiers[_i].instances, a = n / 2, b = n - a;
    snprintf(svc, sizeof svc, SV_HDR "web,api,%u,1\nweb,db,%u,1\n", b, b > 1 ? b - 1 : 1);
    if (a > 0)
        snprintf(svc + strlen(svc), sizeof svc - strlen(svc), "job,api,%u,1\n", a);
    file_spec f[] = {{"gateways.csv", "gateway,preset\nlb,azure_lb\n", 0},
                     {"services.csv", svc, 0}};
    nc_input in;
    nc_error err;
    ck_assert_msg(load_with(f, 2, &in, &err) == NC_OK, "%s", err.msg);
    ck_assert_uint_eq(in.scenarios[0].gateways[0].ports_per_instance, tiers[_i].ports);
    nc_input_free(&in);
}
END_TEST

/* instance_scale is applied after the tiers' backend size, per scenario */
START_TEST(test_azure_lb_after_scale)
{
    file_spec f[] = {{"gateways.csv", "gateway,preset\nlb,azure_lb\n", 0},
                     {"scenarios.csv", "scenario,instance_scale\nnow,\nbig,60\n", 0}};
    nc_input in;
    nc_error err;
    ck_assert_msg(load_with(f, 2, &in, &err) == NC_OK, "%s", err.msg);
    ck_assert_uint_eq(in.scenarios[0].gateways[0].ports_per_instance, 1024);   /* 4 */
    ck_assert_uint_eq(in.scenarios[1].gateways[0].ports_per_instance, 128);    /* 240 */
    ck_assert_uint_eq(in.scenarios[1].services[0].instances, 240);
    nc_input_free(&in);
}
END_TEST

START_TEST(test_scale_rounding)
{
    static const struct { const char *scale; uint64_t want; } c[] = {
        {"1.1", 11}, {"1.15", 12}, {"0.5", 5}, {"0.01", 1}, {"0.0000001", 1}, {"3", 30}};
    char sc[128];
    snprintf(sc, sizeof sc, "scenario,instance_scale\ns,%s\n", c[_i].scale);
    file_spec f[] = {{"services.csv", SV_HDR "web,api,10,1\n", 0}, {"scenarios.csv", sc, 0}};
    nc_input in;
    nc_error err;
    ck_assert_msg(load_with(f, 2, &in, &err) == NC_OK, "%s", err.msg);
    ck_assert_uint_eq(in.scenarios[0].services[0].instances, c[_i].want);
    nc_input_free(&in);
}
END_TEST

/* Several matching rows: scales multiply, the later override wins. */
START_TEST(test_scales_multiply_later_wins)
{
    file_spec f[] = {
        {"services.csv", SV_HDR "web,api,10,2\nweb,db,3,2\njob,api,1,1\n", 0},
        {"scenarios.csv", "scenario,service,destination,rate_scale,instance_scale,rps,pool_max\n"
                          "s,,,2,1.5,,\n"
                          "s,web,,3,2,,5\n"
                          "s,web,db,,,7,9\n"
                          "s,,api,,,,6\n", 0}};
    nc_input in;
    nc_error err;
    ck_assert_msg(load_with(f, 2, &in, &err) == NC_OK, "%s", err.msg);
    const nc_scenario *s = &in.scenarios[0];
    ck_assert_double_eq(s->rate_scale, 2);
    ck_assert_double_eq(s->instance_scale, 1.5);
    ck_assert_double_eq_tol(s->services[0].rps, 12, 1e-9);      /* 2 x 2 x 3 */
    ck_assert_uint_eq(s->services[0].instances, 30);            /* 10 x 1.5 x 2 */
    ck_assert_uint_eq(s->services[0].pool_max, 6);              /* later row wins */
    ck_assert_double_eq_tol(s->services[1].rps, 42, 1e-9);      /* 7 x 2 x 3 */
    ck_assert_uint_eq(s->services[1].instances, 9);             /* 3 x 3 */
    ck_assert_uint_eq(s->services[1].pool_max, 9);
    ck_assert_double_eq_tol(s->services[2].rps, 2, 1e-9);
    ck_assert_uint_eq(s->services[2].instances, 2);             /* ceil(1.5) */
    ck_assert_uint_eq(s->services[2].pool_max, 6);
    nc_input_free(&in);
}
END_TEST

/* A selector on services only also reaches the gateway/destination they use. */
START_TEST(test_selector_reaches_used_rows)
{
    file_spec f[] = {
        {"gateways.csv", "gateway\ngw\nother\n", 0},
        {"services.csv", "service,gateway,destination,instances,rps\nweb,gw,api,1,1\n"
                         "job,other,db,1,1\n", 0}};
    file_spec f3 = {"scenarios.csv", "scenario,service,nat_ips,handshake_ms\ns,job,4,7\n", 0};
    file_spec all[] = {f[0], f[1], f3};
    nc_input in;
    nc_error err;
    ck_assert_msg(load_with(all, 3, &in, &err) == NC_OK, "%s", err.msg);
    const nc_scenario *s = &in.scenarios[0];
    ck_assert_uint_eq(s->gateways[0].nat_ips, 1);
    ck_assert_uint_eq(s->gateways[1].nat_ips, 4);
    ck_assert_double_eq(s->destinations[0].handshake_ms, 0);
    ck_assert_double_eq(s->destinations[1].handshake_ms, 7);
    nc_input_free(&in);
}
END_TEST

/* Optional files header-only: as if absent.  Overrides of a column that is not
 * in the input files at all. */
START_TEST(test_good_variants)
{
    file_spec f[] = {{"profiles.csv", "profile,time,multiplier\n", 0}, {"scenarios.csv", "# none yet\nscenario\n", 0}};
    nc_input in;
    nc_error err;
    ck_assert_msg(load_with(f, 2, &in, &err) == NC_OK, "%s", err.msg);
    ck_assert_uint_eq(in.nscenarios, 1);
    ck_assert_str_eq(in.scenarios[0].name, "baseline");
    ck_assert_uint_eq(in.nprofiles, 0);
    nc_input_free(&in);

    file_spec g[] = {{"scenarios.csv", "scenario,destination,latency_dist\ns,api,gamma\n"
                                       "s,db,exponential\n,,\n", 0}};
    ck_assert_msg(load_with(g, 1, &in, &err) == NC_OK, "%s", err.msg);
    ck_assert_int_eq(in.scenarios[0].destinations[0].latency_dist, NC_LAT_GAMMA);
    ck_assert_int_eq(in.scenarios[0].destinations[1].latency_dist, NC_LAT_EXPONENTIAL);
    nc_input_free(&in);

    /* a gateway selector naming an unused gateway: allowed, changes that gateway */
    file_spec h[] = {{"gateways.csv", "gateway\ngw\nspare\n", 0},
                     {"services.csv", "service,gateway,destination,instances,rps\n"
                                      "web,gw,api,1,1\n", 0},
                     {"scenarios.csv", "scenario,gateway,nat_ips\ns,spare,5\n", 0}};
    ck_assert_msg(load_with(h, 3, &in, &err) == NC_OK, "%s", err.msg);
    ck_assert_uint_eq(in.scenarios[0].gateways[1].nat_ips, 5);
    ck_assert_uint_eq(in.scenarios[0].gateways[0].nat_ips, 1);
    nc_input_free(&in);
}
END_TEST

/* Any prefix of a valid file must load or fail cleanly (no crash, no leak). */
START_TEST(test_truncations)
{
    static const char full[] = "scenario,description,seed,service\r\n"
                               "s,\"a \"\"b\"\", c\",3,web\r\n# c\r\nt,,4,\r\n";
    char buf[sizeof full];
    for (size_t n = 0; n < sizeof full - 1; n++) {
        memcpy(buf, full, n);
        buf[n] = '\0';
        file_spec f[] = {{"scenarios.csv", buf, 0}};
        nc_input in;
        nc_error err;
        nc_status st = load_with(f, 1, &in, &err);
        ck_assert(st == NC_OK || st == NC_EINPUT);
        nc_input_free(&in);
    }
}
END_TEST

Suite *csv_in_suite(void);

Suite *csv_in_suite(void)
{
    Suite *s = suite_create("csv_in");
    TCase *good = tcase_create("good inputs");
    tcase_add_test(good, test_minimal_defaults);
    tcase_add_test(good, test_full_presets);
    tcase_add_test(good, test_full_files);
    tcase_add_test(good, test_full_selectors_and_scales);
    tcase_add_loop_test(good, test_azure_lb_tiers, 0, 14);
    tcase_add_test(good, test_azure_lb_after_scale);
    tcase_add_loop_test(good, test_scale_rounding, 0, 6);
    tcase_add_test(good, test_scales_multiply_later_wins);
    tcase_add_test(good, test_selector_reaches_used_rows);
    tcase_add_test(good, test_good_variants);
    suite_add_tcase(s, good);
    TCase *bad = tcase_create("bad input");
    tcase_add_loop_test(bad, test_bad_input, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
    tcase_add_test(bad, test_message_shape);
    tcase_add_test(bad, test_unreadable_is_eio);
    tcase_add_test(bad, test_truncations);
    tcase_set_timeout(bad, 30);
    suite_add_tcase(s, bad);
    return s;
}
