/* csv_in_values.c - stage 3 of the loader: the values of one scenario, with presets
 * and defaults; see csv_in.h and csv_in_impl.h. */
#include "csv_in_impl.h"

#include "../model/latency.h"
#include "../model/topology.h"
#include "explain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert((int)GW_NCOLS == (int)CSV_EX_GW_NCOLS, "io/explain.h names the columns of gateways.csv");

static const char *const mapping_names[] = {"global", "per_destination"};
static const char *const dist_names[] = {"lognormal", "gamma", "weibull", "exponential",
                                         "constant"};

/* SPEC §2 "Presets". */
typedef struct preset {
    const char *name;
    uint32_t per_destination_limit, ports_per_instance;
    int ppi_by_backend;               /* azure_lb: ports_per_instance from backend size */
    double time_wait_s, idle_timeout_s;
    uint32_t port_min, port_max;
    double rst_hold_s;                /* README "Closes by RST" has the sources */
    int idle_reset;
    int port_selection;               /* nc_port_selection */
} preset;

static const preset presets[] = {
    {"aws", 55000, 0, 0, 60, 350, 1024, 65535, 60, 1, NC_PORTS_COUNTER},
    {"gcp", 64512, 64, 0, 120, 1200, 1024, 65535, 30, 0, NC_PORTS_COUNTER},
    {"azure", 50000, 0, 0, 65, 240, 1024, 65535, 16, 0, NC_PORTS_COUNTER},
    {"azure_lb", 64000, 0, 1, 240, 240, 1024, 65023, 15, 0, NC_PORTS_COUNTER},
    {"linux", 64512, 0, 0, 120, 432000, 1024, 65535, 10, 0, NC_PORTS_LINUX_PROBE},
};
static const char *const preset_names[] = {"aws", "gcp", "azure", "azure_lb", "linux"};
#define NPRESETS (sizeof presets / sizeof presets[0])

/* Azure Load Balancer default outbound ports per instance by backend pool size.
 * Azure's table stops at 1000 instances; beyond that we keep its last tier. */
static uint32_t azure_lb_ports(uint64_t backend)
{
    static const struct { uint64_t upto; uint32_t ports; } tiers[] = {
        {50, 1024}, {100, 512}, {200, 256}, {400, 128}, {800, 64}, {1000, 32}};
    for (size_t i = 0; i < sizeof tiers / sizeof tiers[0]; i++)
        if (backend <= tiers[i].upto)
            return tiers[i].ports;
    return 32;
}

/* ---- stage 3: values ---- */

/* src (NULL: not wanted): where each column's value came from (csv_src). */
static nc_status resolve_gateway(const csv_value *v, nc_gateway *g, int *ppi_auto,
                                 unsigned char *src, nc_error *err)
{
    int ip = -1, map = NC_MAPPING_GLOBAL;
    nc_status st = csv_value_keyword(&v[GW_PRESET], preset_names, NPRESETS, 0, &ip, err);
    if (st != NC_OK)
        return st;
    const preset *p = ip >= 0 ? &presets[ip] : NULL;
    memset(g, 0, sizeof *g);
    snprintf(g->name, sizeof g->name, "%s", v[GW_NAME].s);
    snprintf(g->preset, sizeof g->preset, "%s", p ? p->name : "");
    g->nat_ips = 1;
    g->port_min = p ? p->port_min : 1024;
    g->port_max = p ? p->port_max : 65535;
    g->time_wait_s = p ? p->time_wait_s : 120;
    g->idle_timeout_s = p ? p->idle_timeout_s : 350;
    g->ports_per_instance = p ? p->ports_per_instance : 0;
    g->idle_reset = p ? p->idle_reset : 0;
    map = p ? NC_MAPPING_PER_DESTINATION : NC_MAPPING_GLOBAL;
    if ((st = csv_value_u32(&v[GW_NAT_IPS], &R_NAT_IPS, 0, &g->nat_ips, err)) != NC_OK
        || (st = csv_value_u32(&v[GW_PORT_MIN], &R_PORT, 0, &g->port_min, err)) != NC_OK
        || (st = csv_value_u32(&v[GW_PORT_MAX], &R_PORT, 0, &g->port_max, err)) != NC_OK
        || (st = csv_value_keyword(&v[GW_MAPPING], mapping_names, 2, 0, &map, err)) != NC_OK
        || (st = csv_value_u32(&v[GW_PPI], &R_COUNT0, 0, &g->ports_per_instance, err)) != NC_OK
        || (st = csv_value_number(&v[GW_TIME_WAIT], &R_SEC_GE0, 0, &g->time_wait_s, err))
               != NC_OK
        || (st = csv_value_number(&v[GW_IDLE], &R_SEC_GT0, 0, &g->idle_timeout_s, err)) != NC_OK)
        return st;
    /* without a preset an RST frees the port after Linux conntrack's CLOSE
     * (10 s), never later than a FIN close */
    g->rst_hold_s = p ? p->rst_hold_s : fmin(10, g->time_wait_s);
    static const char *const yes_no[] = {"no", "yes"};
    static const char *const selections[] = {"counter", "linux_probe"};
    int sel = p ? p->port_selection : NC_PORTS_COUNTER;
    if ((st = csv_value_number(&v[GW_RST_HOLD], &R_SEC_GE0, 0, &g->rst_hold_s, err)) != NC_OK
        || (st = csv_value_keyword(&v[GW_IDLE_RESET], yes_no, 2, 0, &g->idle_reset, err))
               != NC_OK
        || (st = csv_value_keyword(&v[GW_PORT_SELECTION], selections, 2, 0, &sel, err))
               != NC_OK)
        return st;
    g->port_selection = (nc_port_selection)sel;
    g->mapping = (nc_mapping)map;
    if (g->port_max < g->port_min)
        return csv_value_error(cin_blame(&v[GW_PORT_MAX], &v[GW_PORT_MIN]), err,
                               "port_max (%u) must be >= port_min (%u)", g->port_max,
                               g->port_min);
    g->per_destination_limit = p ? p->per_destination_limit : g->port_max - g->port_min + 1;
    *ppi_auto = p && p->ppi_by_backend && v[GW_PPI].s == NULL;
    if (g->port_selection == NC_PORTS_LINUX_PROBE && (*ppi_auto || g->ports_per_instance > 0))
        return csv_value_error(cin_blame(&v[GW_PORT_SELECTION], &v[GW_PPI]), err,
                               "port_selection linux_probe searches a shared pool; it cannot be "
                               "combined with ports_per_instance (%u): set one of them",
                               g->ports_per_instance);
    for (int j = 0; src != NULL && j < GW_NCOLS; j++) {   /* for validate (io/explain.h) */
        int by_preset = p != NULL && j != GW_NAT_IPS && j != GW_PRESET && j != GW_NAME;
        src[j] = (unsigned char)(v[j].s != NULL ? CSV_SRC_EXPLICIT
                                 : j == GW_PPI && *ppi_auto ? CSV_SRC_BACKEND
                                 : by_preset ? CSV_SRC_PRESET : CSV_SRC_DEFAULT);
    }
    return csv_value_u32(&v[GW_PDL], &R_COUNT1, 0, &g->per_destination_limit, err);
}

static nc_status resolve_destination(const csv_value *v, nc_destination *d, nc_error *err)
{
    int dist = NC_LAT_LOGNORMAL;
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", v[DS_NAME].s);
    d->addresses = 1;
    d->port = 443;
    nc_status st;
    if ((st = csv_value_u32(&v[DS_ADDRESSES], &R_ADDRESSES, 0, &d->addresses, err)) != NC_OK
        || (st = csv_value_u32(&v[DS_PORT], &R_PORT, 0, &d->port, err)) != NC_OK
        || (st = csv_value_keyword(&v[DS_DIST], dist_names, 5, 0, &dist, err)) != NC_OK
        || (st = csv_value_number(&v[DS_P50], &R_MS_GT0, 1, &d->latency_p50_ms, err)) != NC_OK
        || (st = csv_value_number(&v[DS_HANDSHAKE], &R_MS_GE0, 0, &d->handshake_ms, err))
               != NC_OK)
        return st;
    d->latency_dist = (nc_latency_dist)dist;
    int p99_needed = dist != NC_LAT_EXPONENTIAL && dist != NC_LAT_CONSTANT;
    if (v[DS_P99].s == NULL && p99_needed && v[DS_DIST].override)
        return csv_value_error(&v[DS_DIST], err, "'%s' needs latency_p99_ms, which destination "
                               "'%s' does not give", dist_names[dist], d->name);
    if (v[DS_P99].s == NULL && p99_needed)
        return csv_value_error(&v[DS_P99], err, "missing value: required unless latency_dist "
                               "is exponential or constant");
    /* Given for exponential or constant too: checked the same way and kept (the model
     * fits those to the median only). */
    if ((st = csv_value_number(&v[DS_P99], &R_MS_GT0, 0, &d->latency_p99_ms, err)) != NC_OK)
        return st;
    if (v[DS_P99].s != NULL && d->latency_p99_ms <= d->latency_p50_ms)
        return csv_value_error(cin_blame(&v[DS_P99], &v[DS_P50]), err,
                               "latency_p99_ms (%g) must be greater than latency_p50_ms (%g)",
                               d->latency_p99_ms, d->latency_p50_ms);
    /* The fit itself (e.g. a gamma cannot reach every p99/p50 ratio): fail
     * here, with the cell, rather than when the simulation starts. */
    latency_fit fit;
    nc_error fe = {0};
    if (latency_fit_make(d->latency_dist, d->latency_p50_ms, d->latency_p99_ms, &fit, &fe) != NC_OK)
        return csv_value_error(p99_needed ? cin_blame(&v[DS_P99], &v[DS_DIST]) : &v[DS_P50], err, "%s",
                               fe.msg);
    return NC_OK;
}

static nc_status resolve_service(const loader *L, const overlay *ov, const csv_value *v,
                                 size_t row, nc_service *s)
{
    nc_error *err = L->err;
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", v[SV_NAME].s);
    s->gateway = L->sv_gw[row];
    s->destination = L->sv_ds[row];
    s->line = L->tb[E_SV].t.row_line[row];
    s->keepalive_s = 90;
    s->pool_wait_timeout_s = 30;
    s->connect_timeout_s = 10;
    s->syn_retries = 6;
    nc_status st;
    if (v[SV_PROFILE].s != NULL) {
        st = cin_resolve_ref(L, &v[SV_PROFILE], E_PR, L->pr_ix, L->nprofiles, &s->profile);
        if (st != NC_OK)
            return st;
    }
    if ((st = csv_value_integer(&v[SV_INSTANCES], &R_COUNT1, 1, &s->instances, err)) != NC_OK
        || (st = csv_value_number(&v[SV_RPS], &R_RPS, 1, &s->rps, err)) != NC_OK
        || (st = csv_value_u32(&v[SV_POOL_MAX], &R_COUNT0, 0, &s->pool_max, err)) != NC_OK
        || (st = csv_value_u32(&v[SV_POOL_IDLE], &R_COUNT0, 0, &s->pool_idle, err)) != NC_OK
        || (st = csv_value_number(&v[SV_KEEPALIVE], &R_SEC_GT0, 0, &s->keepalive_s, err))
               != NC_OK
        || (st = csv_value_number(&v[SV_POOL_WAIT], &R_SEC_GT0, 0, &s->pool_wait_timeout_s,
                                  err)) != NC_OK
        || (st = csv_value_number(&v[SV_CONNECT], &R_SEC_GT0, 0, &s->connect_timeout_s, err))
               != NC_OK
        || (st = csv_value_u32(&v[SV_SYN], &R_SYN, 0, &s->syn_retries, err)) != NC_OK
        || (st = csv_value_u32(&v[SV_RETRIES], &R_RETRIES, 0, &s->retries, err)) != NC_OK
        || (st = csv_value_number(&v[SV_BACKOFF], &R_SEC_GE0, 0, &s->retry_backoff_s, err))
               != NC_OK
        || (st = csv_value_number(&v[SV_RST], &R_FRACTION, 0, &s->rst_close_fraction, err))
               != NC_OK)
        return st;
    if (ov == NULL)
        return NC_OK;
    s->rps *= ov->rate[row];
    /* rounded up; the epsilon keeps 10 x 1.1 = 11.000000000000002 at 11 */
    double inst = ceil((double)s->instances * ov->inst[row] - 1e-9);
    if (inst > (double)MAX_INSTANCES) {
        csv_value c = cin_sc_col(L, ov->inst_row[row], SC_INST);
        return csv_value_error(&c, L->err, "instances of services.csv line %ld times "
                               "instance_scale exceed %llu", s->line, MAX_INSTANCES);
    }
    s->instances = inst < 1 ? 1 : (uint64_t)inst;
    return NC_OK;
}

/* ports_per_instance of azure_lb gateways without an explicit value, from the
 * instances behind the gateway (model/topology.h: the sum over its services of
 * the largest instances of their rows). */
static nc_status apply_backend_sizes(const loader *L, nc_scenario *sc, const int *ppi_auto,
                                     int explain_base)
{
    for (size_t g = 0; g < sc->ngateways; g++) {
        if (!ppi_auto[g])
            continue;
        nc_topology t;
        if (nc_topology_build(sc, g, &t) != NC_OK)
            return cin_oom(L);
        uint64_t backend = t.instances;
        nc_topology_free(&t);
        sc->gateways[g].ports_per_instance = azure_lb_ports(backend);
        if (explain_base && L->ex->gw != NULL)
            L->ex->gw[g].backend = backend;
    }
    return NC_OK;
}

static nc_status copy_profiles(const loader *L, nc_scenario *sc)
{
    sc->profiles = calloc(L->nprofiles, sizeof *sc->profiles);
    if (sc->profiles == NULL)
        return cin_oom(L);
    for (size_t i = 0; i < L->nprofiles; i++) {
        const nc_profile *p = &L->profiles[i];
        nc_profile *q = &sc->profiles[i];
        sc->nprofiles = i + 1;
        *q = *p;
        q->time_s = malloc(p->npoints * sizeof *q->time_s);
        q->multiplier = malloc(p->npoints * sizeof *q->multiplier);
        if (q->time_s == NULL || q->multiplier == NULL)
            return cin_oom(L);
        memcpy(q->time_s, p->time_s, p->npoints * sizeof *q->time_s);
        memcpy(q->multiplier, p->multiplier, p->npoints * sizeof *q->multiplier);
    }
    return NC_OK;
}

/* Gateways, destinations, services and profiles of sc, through overlay ov (NULL: none).
 * On error sc keeps what was allocated; the caller frees it. */
nc_status cin_resolve(const loader *L, const overlay *ov, nc_scenario *sc)
{
    sc->ngateways = cin_nrows(L, E_GW);
    sc->ndestinations = cin_nrows(L, E_DS);
    sc->nservices = cin_nrows(L, E_SV);
    sc->gateways = calloc(sc->ngateways, sizeof *sc->gateways);
    sc->destinations = calloc(sc->ndestinations, sizeof *sc->destinations);
    sc->services = calloc(sc->nservices, sizeof *sc->services);
    int *ppi_auto = calloc(sc->ngateways, sizeof *ppi_auto);
    nc_status st = sc->gateways && sc->destinations && sc->services && ppi_auto ? NC_OK : cin_oom(L);
    csv_value v[MAX_COLS];
    size_t before = L->errs->n;
    /* one error per row: the next row is checked all the same */
    for (size_t i = 0; st == NC_OK && i < sc->ngateways; i++) {
        cin_view(L, ov, E_GW, i, v);
        unsigned char *src = ov == NULL && L->ex != NULL && L->ex->gw != NULL
                                 ? L->ex->gw[i].src : NULL;
        st = cin_keep(L, resolve_gateway(v, &sc->gateways[i], &ppi_auto[i], src, L->err));
    }
    for (size_t i = 0; st == NC_OK && i < sc->ndestinations; i++) {
        cin_view(L, ov, E_DS, i, v);
        st = cin_keep(L, resolve_destination(v, &sc->destinations[i], L->err));
    }
    for (size_t i = 0; st == NC_OK && i < sc->nservices; i++) {
        cin_view(L, ov, E_SV, i, v);
        st = cin_keep(L, resolve_service(L, ov, v, i, &sc->services[i]));
    }
    if (st == NC_OK && L->errs->n > before)
        st = NC_EINPUT;
    if (st == NC_OK)
        st = apply_backend_sizes(L, sc, ppi_auto, ov == NULL && L->ex != NULL);
    if (st == NC_OK)
        st = copy_profiles(L, sc);
    free(ppi_auto);
    return st;
}

nc_status cin_default_settings(const loader *L, nc_scenario *sc, const char *name)
{
    snprintf(sc->name, sizeof sc->name, "%s", name);
    sc->duration_h = 24;
    sc->warmup_h = 1;
    sc->replications = 10;
    sc->seed = 1;
    sc->sample_s = 60;
    sc->rate_scale = 1;
    sc->instance_scale = 1;
    sc->description = strdup("");
    return sc->description ? NC_OK : cin_oom(L);
}
