/* explain.c - see explain.h. */
#include "explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void csv_explain_free(csv_explain *ex)
{
    if (ex == NULL)
        return;
    if (ex->have_base)
        nc_scenario_free(&ex->base);
    free(ex->gw);
    for (size_t i = 0; i < ex->noverrides; i++)
        free(ex->ov[i].rows);
    free(ex->ov);
    memset(ex, 0, sizeof *ex);
}

int csv_explain_add(csv_explain *ex, const csv_explain_override *o, const size_t *rows)
{
    if (ex->noverrides == ex->cap) {
        size_t cap = ex->cap ? 2 * ex->cap : 16;
        csv_explain_override *p = realloc(ex->ov, cap * sizeof *p);
        if (p == NULL)
            return -1;
        ex->ov = p;
        ex->cap = cap;
    }
    csv_explain_override *d = &ex->ov[ex->noverrides];
    *d = *o;
    d->rows = malloc((o->nrows ? o->nrows : 1) * sizeof *d->rows);
    if (d->rows == NULL)
        return -1;
    if (o->nrows > 0)
        memcpy(d->rows, rows, o->nrows * sizeof *rows);
    ex->noverrides++;
    return 0;
}

const char *csv_explain_target(const csv_explain_override *o)
{
    if (strcmp(o->column, "rate_scale") == 0)
        return "rps";
    if (strcmp(o->column, "instance_scale") == 0)
        return "instances";
    return o->column;
}

static const char *const mapping_names[] = {"global", "per_destination"};
static const char *const dist_names[] = {"lognormal", "gamma", "weibull", "exponential",
                                         "constant"};

#define IS(name) (strcmp(column, name) == 0)

static int gw_value(const nc_gateway *g, const char *column, char *buf, size_t len)
{
    if (IS("preset"))
        snprintf(buf, len, "%s", g->preset[0] ? g->preset : "(none)");
    else if (IS("nat_ips"))
        snprintf(buf, len, "%u", g->nat_ips);
    else if (IS("port_min"))
        snprintf(buf, len, "%u", g->port_min);
    else if (IS("port_max"))
        snprintf(buf, len, "%u", g->port_max);
    else if (IS("mapping"))
        snprintf(buf, len, "%s", mapping_names[g->mapping == NC_MAPPING_PER_DESTINATION]);
    else if (IS("per_destination_limit"))
        snprintf(buf, len, "%u", g->per_destination_limit);
    else if (IS("ports_per_instance"))
        snprintf(buf, len, "%u", g->ports_per_instance);
    else if (IS("time_wait_s"))
        snprintf(buf, len, "%g", g->time_wait_s);
    else if (IS("idle_timeout_s"))
        snprintf(buf, len, "%g", g->idle_timeout_s);
    else if (IS("rst_hold_s"))
        snprintf(buf, len, "%g", g->rst_hold_s);
    else if (IS("idle_reset"))
        snprintf(buf, len, "%s", g->idle_reset ? "yes" : "no");
    else if (IS("port_selection"))
        snprintf(buf, len, "%s", g->port_selection == NC_PORTS_LINUX_PROBE ? "linux_probe"
                                                                           : "counter");
    else
        return -1;
    return 0;
}

static int ds_value(const nc_destination *d, const char *column, char *buf, size_t len)
{
    if (IS("addresses"))
        snprintf(buf, len, "%u", d->addresses);
    else if (IS("port"))
        snprintf(buf, len, "%u", d->port);
    else if (IS("latency_dist"))
        snprintf(buf, len, "%s", dist_names[d->latency_dist]);
    else if (IS("latency_p50_ms"))
        snprintf(buf, len, "%g", d->latency_p50_ms);
    else if (IS("latency_p99_ms"))
        snprintf(buf, len, "%g", d->latency_p99_ms);
    else if (IS("handshake_ms"))
        snprintf(buf, len, "%g", d->handshake_ms);
    else
        return -1;
    return 0;
}

static int sv_value(const nc_scenario *sc, const nc_service *s, const char *column, char *buf,
                    size_t len)
{
    if (IS("instances"))
        snprintf(buf, len, "%llu", (unsigned long long)s->instances);
    else if (IS("rps"))
        snprintf(buf, len, "%g", s->rps);
    else if (IS("profile"))
        snprintf(buf, len, "%s", s->profile < sc->nprofiles ? sc->profiles[s->profile].name : "?");
    else if (IS("pool_max"))
        snprintf(buf, len, "%u", s->pool_max);
    else if (IS("pool_idle"))
        snprintf(buf, len, "%u", s->pool_idle);
    else if (IS("keepalive_s"))
        snprintf(buf, len, "%g", s->keepalive_s);
    else if (IS("pool_wait_timeout_s"))
        snprintf(buf, len, "%g", s->pool_wait_timeout_s);
    else if (IS("connect_timeout_s"))
        snprintf(buf, len, "%g", s->connect_timeout_s);
    else if (IS("syn_retries"))
        snprintf(buf, len, "%u", s->syn_retries);
    else if (IS("retries"))
        snprintf(buf, len, "%u", s->retries);
    else if (IS("retry_backoff_s"))
        snprintf(buf, len, "%g", s->retry_backoff_s);
    else if (IS("rst_close_fraction"))
        snprintf(buf, len, "%g", s->rst_close_fraction);
    else
        return -1;
    return 0;
}

int csv_explain_value(const nc_scenario *sc, int file, size_t row, const char *column,
                      char *buf, size_t len)
{
    buf[0] = '\0';
    switch (file) {
    case CSV_EX_GATEWAYS:
        return row < sc->ngateways ? gw_value(&sc->gateways[row], column, buf, len) : -1;
    case CSV_EX_DESTINATIONS:
        return row < sc->ndestinations ? ds_value(&sc->destinations[row], column, buf, len) : -1;
    case CSV_EX_SERVICES:
        return row < sc->nservices ? sv_value(sc, &sc->services[row], column, buf, len) : -1;
    }
    return -1;
}

void csv_explain_row_name(const nc_scenario *sc, int file, size_t row, char *buf, size_t len)
{
    buf[0] = '\0';
    if (file == CSV_EX_GATEWAYS && row < sc->ngateways) {
        snprintf(buf, len, "%s", sc->gateways[row].name);
    } else if (file == CSV_EX_DESTINATIONS && row < sc->ndestinations) {
        snprintf(buf, len, "%s", sc->destinations[row].name);
    } else if (file == CSV_EX_SERVICES && row < sc->nservices) {
        const nc_service *s = &sc->services[row];
        if (sc->ngateways > 1)
            snprintf(buf, len, "%s>%s@%s", s->name, sc->destinations[s->destination].name,
                     sc->gateways[s->gateway].name);
        else
            snprintf(buf, len, "%s>%s", s->name, sc->destinations[s->destination].name);
    }
}
