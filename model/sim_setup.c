/*
 * sim_setup.c - building a sim for a scenario (see sim.h): the allocation
 * pools of every gateway, the rows' fixed parameters, the latency fits and
 * every array a replication reuses; resetting it between replications;
 * and freeing it.
 */
#include "sim_impl.h"

#include "topology.h"

/* Lay out the allocation pools of gateway g (model/topology.h) and point
 * its rows at them. */
static nc_status layout_gateway(sim *s, uint32_t g, nc_error *err)
{
    const nc_scenario *sc = s->sc;
    const nc_gateway *gw = &sc->gateways[g];
    nc_topology t;
    if (nc_topology_build(sc, g, &t) != NC_OK)
        return oom(err);
    uint64_t lo = s->npools, next = lo + t.pools;
    if (next > MAX_POOLS) {
        nc_topology_free(&t);
        return nc_error_set(err, NC_EINPUT, NULL, 0, NULL,
                            "gateway '%s' would need more than %u allocation pools "
                            "(instances x destination addresses): too large to simulate",
                            gw->name, MAX_POOLS);
    }
    for (uint32_t i = 0; i < s->nrows; i++) {
        const nc_topo_row *tr = &t.rows[i];
        if (!tr->on_gateway)
            continue;
        row *r = &s->rows[i];
        r->pool_base = (uint32_t)(lo + tr->pool_base);
        r->inst_stride = (uint32_t)tr->inst_stride;
        r->addr_stride = (uint32_t)tr->addr_stride;
    }
    nat_pool *p = realloc(s->pools, next * sizeof *p);
    if (p != NULL)
        s->pools = p;
    uint32_t *mark = realloc(s->pool_mark, next * sizeof *mark);
    if (mark != NULL)
        s->pool_mark = mark;
    if (p == NULL || mark == NULL) {
        nc_topology_free(&t);
        return oom(err);
    }
    uint64_t cap = t.capacity;
    for (uint64_t k = lo; k < next; k++)
        nat_pool_init(&p[k], (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap));
    if (t.without_ports > 0)
        for (uint64_t k = 0; k < t.pools; k++)
            if (nc_topology_pool_capacity(&t, k) == 0)
                p[lo + k].cap = 0;
    nc_topology_free(&t);
    s->gws[g].pool_lo = (uint32_t)lo;
    s->gws[g].pool_hi = (uint32_t)next;
    s->npools = (uint32_t)next;
    return NC_OK;
}

/* The bitmaps of the gateways that search for ports as Linux does. */
#define MAX_PORT_WORDS (UINT64_C(1) << 27)   /* 1 GiB */

static nc_status layout_port_maps(sim *s, nc_error *err)
{
    uint64_t words = 0;
    for (uint32_t g = 0; g < s->ngw; g++) {
        const nc_gateway *gw = &s->sc->gateways[g];
        gw_state *x = &s->gws[g];
        if (gw->port_selection != NC_PORTS_LINUX_PROBE || x->pool_hi == x->pool_lo)
            continue;
        x->probe_ips = gw->nat_ips;
        x->probe_range = s->pools[x->pool_lo].cap / gw->nat_ips;
        if (x->probe_range == 0)
            continue;
        words += (uint64_t)(x->pool_hi - x->pool_lo) * x->probe_ips * pm_words(x->probe_range);
        if (words > MAX_PORT_WORDS)
            return nc_error_set(err, NC_EINPUT, NULL, 0, NULL,
                                "gateway '%s' would need more than 1 GiB to track which of "
                                "its ports are taken (port_selection linux_probe: NAT IPs x "
                                "destination addresses x 8 KiB): too large to simulate",
                                gw->name);
        nat_ring_track_ports(&s->tw[g]);
        nat_ring_track_ports(&s->rst[g]);
    }
    if (words == 0)
        return NC_OK;
    s->pbits = calloc(words, sizeof *s->pbits);
    s->pword = calloc(s->npools, sizeof *s->pword);
    if (s->pbits == NULL || s->pword == NULL)
        return oom(err);
    s->nwords = words;
    size_t at = 0;
    for (uint32_t g = 0; g < s->ngw; g++)
        for (uint32_t p = s->gws[g].pool_lo; s->gws[g].probe_range && p < s->gws[g].pool_hi; p++) {
            s->pword[p] = at;
            at += (size_t)s->gws[g].probe_ips * pm_words(s->gws[g].probe_range);
        }
    return NC_OK;
}

nc_status sim_create(const nc_scenario *sc, sim **out, nc_error *err)
{
    sim *s = calloc(1, sizeof *s);
    if (s == NULL)
        return oom(err);
    s->sc = sc;
    s->nrows = (uint32_t)sc->nservices;
    s->ngw = (uint32_t)sc->ngateways;
    s->ndest = (uint32_t)sc->ndestinations;
    s->rows = calloc(s->nrows + 1, sizeof *s->rows);
    s->rr = calloc(s->nrows + 1, sizeof *s->rr);
    s->lat = calloc(s->ndest + 1, sizeof *s->lat);
    s->dest_addresses = calloc(s->ndest + 1, sizeof *s->dest_addresses);
    s->dest_rr = calloc(s->ndest + 1, sizeof *s->dest_rr);
    s->li = calloc(s->ndest + 1, sizeof *s->li);
    s->lbuf = calloc((size_t)(s->ndest + 1) * VAR_BLOCK, sizeof *s->lbuf);
    s->gws = calloc(s->ngw + 1, sizeof *s->gws);
    s->tw = calloc(s->ngw + 1, sizeof *s->tw);
    s->rst = calloc(s->ngw + 1, sizeof *s->rst);
    s->duration_us = sim_from_s(sc->duration_h * 3600.0);
    if (syn_timers_init(&s->st, s->nrows, s->duration_us) != 0 || !s->rows || !s->rr || !s->lat || !s->dest_addresses || !s->dest_rr || !s->gws || !s->tw || !s->rst) {
        sim_destroy(s);
        return oom(err);
    }
    nc_status st;
    for (uint32_t d = 0; d < s->ndest; d++) {
        const nc_destination *de = &sc->destinations[d];
        s->dest_addresses[d] = de->addresses ? de->addresses : 1;
        st = latency_fit_make(de->latency_dist, de->latency_p50_ms, de->latency_p99_ms, &s->lat[d], err);
        if (st != NC_OK) {
            char msg[sizeof err->msg];
            memcpy(msg, err->msg, sizeof msg);
            nc_error_set(err, st, NULL, 0, NULL, "destination '%s': %s", de->name, msg);
            sim_destroy(s);
            return st;
        }
    }
    uint64_t nip = 0;
    for (uint32_t i = 0; i < s->nrows; i++) {
        const nc_service *sv = &sc->services[i];
        const nc_gateway *gw = &sc->gateways[sv->gateway];
        row *r = &s->rows[i];
        r->gw = (uint32_t)sv->gateway;
        r->dest = (uint32_t)sv->destination;
        r->instances = sv->instances ? sv->instances : 1;
        r->pool_idle = sv->pool_idle;
        r->pool_max = sv->pool_max;
        r->retries = sv->retries;
        r->syn_retries = sv->syn_retries;
        r->keepalive_us = sim_from_s(sv->keepalive_s);
        r->rst_p = sv->rst_close_fraction;
        r->idle_timeout_us = sim_from_s(gw->idle_timeout_s);
        r->wait_timeout_us = sim_from_s(sv->pool_wait_timeout_s);
        r->connect_timeout_us = sim_from_s(sv->connect_timeout_s);
        r->connect_deadline_us = syn_connect_deadline(sv->syn_retries, sv->connect_timeout_s);
        r->backoff_us = sim_from_s(sv->retry_backoff_s);
        r->handshake_us = sim_from_s(sc->destinations[sv->destination].handshake_ms / 1000.0);
        r->ipool_base = NIL;
        if (sv->pool_idle > 0 || sv->pool_max > 0) {
            r->ipool_base = (uint32_t)nip;
            nip += r->instances;
            if (nip > MAX_IPOOLS) {
                sim_destroy(s);
                return nc_error_set(err, NC_EINPUT, NULL, 0, NULL,
                                    "more than %u instance connection pools: too large to simulate",
                                    MAX_IPOOLS);
            }
        }
        r->need_inst = r->ipool_base != NIL || gw->ports_per_instance > 0;
        double base = (double)r->instances * sv->rps;
        if (arrivals_init(&r->arr, &sc->profiles[sv->profile], base) != NC_OK) {
            sim_destroy(s);
            return oom(err);
        }
    }
    s->nipools = (uint32_t)nip;
    s->ipools = calloc(nip + 1, sizeof *s->ipools);
    if (s->ipools == NULL) {
        sim_destroy(s);
        return oom(err);
    }
    for (uint32_t i = 0; i < s->nrows; i++)
        for (uint64_t k = 0; s->rows[i].ipool_base != NIL && k < s->rows[i].instances; k++)
            s->ipools[s->rows[i].ipool_base + k].row = i;
    for (uint32_t g = 0; g < s->ngw; g++) {
        st = layout_gateway(s, g, err);
        if (st != NC_OK) {
            sim_destroy(s);
            return st;
        }
        nat_ring_init(&s->tw[g], sim_from_s(sc->gateways[g].time_wait_s),
                      s->gws[g].pool_hi - s->gws[g].pool_lo > 1);
        nat_ring_init(&s->rst[g], sim_from_s(sc->gateways[g].rst_hold_s), 0);
        s->gws[g].steady = s->tw[g].tw_us > 0;
    }
    if ((st = layout_port_maps(s, err)) != NC_OK) {
        sim_destroy(s);
        return st;
    }
    for (uint32_t i = 0; i < s->nrows; i++) {
        const row *r = &s->rows[i];
        int drops = r->pool_idle > 0 && r->idle_timeout_us < r->keepalive_us;
        if (r->rst_p > 0 || (drops && sc->gateways[r->gw].idle_reset))
            s->gws[r->gw].resets = 1;
        /* drops free a port at once, RSTs before TIME_WAIT ends */
        if (drops || s->gws[r->gw].resets)
            s->gws[r->gw].steady = 0;
    }
    s->arrival_heap = s->nrows <= ARRIVAL_HEAP_ROWS;
    s->sample_us = sim_from_s(sc->sample_s);
    if (s->sample_us < 1)
        s->sample_us = 1;
    s->duration_s = sim_to_s(s->duration_us);
    s->warmup_us = sim_from_s(sc->warmup_h * 3600.0);
    s->nsamples = (uint32_t)((s->duration_us + s->sample_us - 1) / s->sample_us);
    s->gs = calloc((size_t)s->ngw * s->nsamples + 1, sizeof *s->gs);
    s->row_held = calloc((size_t)s->nrows * s->nsamples + 1, sizeof *s->row_held);
    if (s->gs == NULL || s->row_held == NULL) {
        sim_destroy(s);
        return oom(err);
    }
    *out = s;
    return NC_OK;
}

void sim_destroy(sim *s)
{
    if (s == NULL)
        return;
    if (s->rows != NULL)
        for (uint32_t i = 0; i < s->nrows; i++)
            arrivals_free(&s->rows[i].arr);
    for (uint32_t g = 0; g < s->ngw; g++) {
        if (s->tw != NULL)
            nat_ring_free(&s->tw[g]);
        if (s->rst != NULL)
            nat_ring_free(&s->rst[g]);
    }
    syn_timers_free(&s->st);
    free(s->rows);
    free(s->rr);
    free(s->lat);
    free(s->dest_addresses);
    free(s->dest_rr);
    free(s->li);
    free(s->lbuf);
    sim_watch_free(s);
    free(s->pools);
    free(s->pool_mark);
    free(s->pbits);
    free(s->pword);
    free(s->ipools);
    free(s->gws);
    free(s->tw);
    free(s->rst);
    free(s->conns.v);
    free(s->reqs);
    free(s->gs);
    free(s->row_held);
    eq_free(&s->q);
    free(s->aq.h);
    if (s->rng != NULL)
        gsl_rng_free(s->rng);
    free(s);
}

/* Ready for a new replication: every count zero, every queue empty. */
void sim_reset(sim *s)
{
    memset(s->rr, 0, s->nrows * sizeof *s->rr);
    for (uint32_t p = 0; p < s->npools; p++)
        nat_pool_reset(&s->pools[p]);
    memset(s->pool_mark, 0, s->npools * sizeof *s->pool_mark);
    if (s->pbits != NULL)
        memset(s->pbits, 0, s->nwords * sizeof *s->pbits);
    for (uint32_t i = 0; i < s->nipools; i++)
        cp_reset(&s->ipools[i]);
    for (uint32_t g = 0; g < s->ngw; g++) {
        s->gws[g].imax = s->gws[g].peak = s->gws[g].omax = 0;
        s->gws[g].peak_epoch = 1;
        s->gws[g].first_fail = SIM_TIME_NONE;
        s->gws[g].portless = NIL;
        s->gws[g].peak_pool = s->gws[g].pool_lo;
        nat_ring_reset(&s->tw[g]);
        nat_ring_reset(&s->rst[g]);
    }
    memset(s->dest_rr, 0, s->ndest * sizeof *s->dest_rr);
    memset(s->gs, 0, (size_t)s->ngw * s->nsamples * sizeof *s->gs);
    memset(s->row_held, 0, (size_t)s->nrows * s->nsamples * sizeof *s->row_held);
    if (s->nwatch != 0)
        sim_watch_reset(s);
    cp_conns_reset(&s->conns);
    s->nreqs = 0;
    s->req_free = NIL;
    eq_reset(&s->q);
    s->aq.n = 0;
    s->too_many_reqs = 0;
    syn_timers_reset(&s->st);
    s->k = -1;
    s->oom = 0;
    s->xi = VAR_BLOCK;
    s->drop_lo = SIM_TIME_NONE;
    s->doomed = s->doomed_connected = 0;
    s->arrivals = 0;
    if (s->trace != NULL)
        *s->trace_n = 0;
    for (uint32_t d = 0; d < s->ndest; d++)
        s->li[d] = VAR_BLOCK;
}
