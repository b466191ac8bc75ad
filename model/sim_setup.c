/*
 * sim_setup.c - building a sim for a scenario (see sim.h): the allocation
 * pools of every gateway, the rows' fixed parameters, the latency fits and
 * every array a replication reuses; and freeing it.
 */
#include "sim_impl.h"

/* Index of the first row of gateway g before `i` with the same service name
 * (and the same destination when same_dest), or i itself. */
static uint32_t first_alike(const nc_scenario *sc, uint32_t i, int same_dest)
{
    const nc_service *a = &sc->services[i];
    for (uint32_t j = 0; j < i; j++) {
        const nc_service *b = &sc->services[j];
        if (b->gateway == a->gateway && strcmp(b->name, a->name) == 0 &&
            (!same_dest || b->destination == a->destination))
            return j;
    }
    return i;
}

/* Lay out the allocation pools of gateway g and point its rows at them. */
static nc_status layout_gateway(sim *s, uint32_t g, nc_error *err)
{
    const nc_scenario *sc = s->sc;
    const nc_gateway *gw = &sc->gateways[g];
    uint64_t cap = nc_gateway_pool_capacity(gw);
    uint32_t ppi = gw->ports_per_instance;
    int per_dest = gw->mapping == NC_MAPPING_PER_DESTINATION;
    uint64_t reservable = ppi ? (uint64_t)gw->nat_ips * nc_gateway_port_range(gw) / ppi : 0;
    uint64_t lo = s->npools, next = lo;
    /* service ordinal base: where this service's instances start in the
     * gateway's reservation order (ppi only) */
    uint64_t inst_ordinal = 0;
    uint64_t *ord = calloc(s->nrows ? s->nrows : 1, sizeof *ord);
    uint64_t *svc_inst = calloc(s->nrows ? s->nrows : 1, sizeof *svc_inst);
    if (ord == NULL || svc_inst == NULL) {
        free(ord);
        free(svc_inst);
        return oom(err);
    }
    for (uint32_t i = 0; i < s->nrows; i++) {
        if (sc->services[i].gateway != g)
            continue;
        uint32_t f = first_alike(sc, i, 0);
        if (sc->services[i].instances > svc_inst[f])
            svc_inst[f] = sc->services[i].instances;
    }
    for (uint32_t i = 0; i < s->nrows; i++) {
        if (sc->services[i].gateway == g && first_alike(sc, i, 0) == i) {
            ord[i] = inst_ordinal;
            inst_ordinal += svc_inst[i];
        }
    }
    for (uint32_t i = 0; i < s->nrows; i++) {
        const nc_service *sv = &sc->services[i];
        row *r = &s->rows[i];
        if (sv->gateway != g)
            continue;
        uint32_t addrs = s->dest_addresses[sv->destination];
        uint32_t f_svc = first_alike(sc, i, 0);
        if (!per_dest && !ppi) {
            r->pool_base = (uint32_t)lo;
            r->inst_stride = r->addr_stride = 0;
            if (next == lo)
                next = lo + 1;
        } else if (per_dest && !ppi) {
            /* one pool per destination address; rows to the same destination share */
            uint32_t j;
            for (j = 0; j < i; j++)
                if (sc->services[j].gateway == g && sc->services[j].destination == sv->destination)
                    break;
            r->pool_base = j < i ? s->rows[j].pool_base : (uint32_t)next;
            if (j == i)
                next += addrs;
            r->inst_stride = 0;
            r->addr_stride = 1;
        } else if (!per_dest) {
            r->pool_base = f_svc < i ? s->rows[f_svc].pool_base : (uint32_t)next;
            if (f_svc == i)
                next += svc_inst[i];
            r->inst_stride = 1;
            r->addr_stride = 0;
        } else {
            uint32_t f = first_alike(sc, i, 1);
            r->pool_base = f < i ? s->rows[f].pool_base : (uint32_t)next;
            if (f == i)
                next += svc_inst[f_svc] * addrs;
            r->inst_stride = addrs;
            r->addr_stride = 1;
        }
        if (next > MAX_POOLS) {
            free(ord);
            free(svc_inst);
            return nc_error_set(err, NC_EINPUT, NULL, 0, NULL,
                                "gateway '%s' would need more than %u allocation pools "
                                "(instances x destination addresses): too large to simulate",
                                gw->name, MAX_POOLS);
        }
    }
    if (next == lo)
        next = lo + 1;   /* a gateway without rows still has its pool */
    pool *p = realloc(s->pools, next * sizeof *p);
    if (p == NULL) {
        free(ord);
        free(svc_inst);
        return oom(err);
    }
    s->pools = p;
    for (uint64_t k = lo; k < next; k++)
        p[k] = (pool){(uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap), 0, 0, 0, 0, 0, 0};
    if (ppi) {
        /* capacities by instance ordinal: the first `reservable` instances get ppi ports */
        for (uint32_t i = 0; i < s->nrows; i++) {
            const nc_service *sv = &sc->services[i];
            if (sv->gateway != g)
                continue;
            row *r = &s->rows[i];
            uint32_t f_svc = first_alike(sc, i, 0);
            uint32_t addrs = per_dest ? s->dest_addresses[sv->destination] : 1;
            for (uint64_t inst = 0; inst < svc_inst[f_svc]; inst++) {
                uint32_t c = ord[f_svc] + inst < reservable ? ppi : 0;
                for (uint32_t a = 0; a < addrs; a++)
                    p[r->pool_base + inst * r->inst_stride + a * r->addr_stride].cap = c;
            }
        }
    }
    free(ord);
    free(svc_inst);
    s->gws[g].pool_lo = (uint32_t)lo;
    s->gws[g].pool_hi = (uint32_t)next;
    s->npools = (uint32_t)next;
    return NC_OK;
}

static sim_time connect_deadline(const nc_service *sv)
{
    /* retransmission n goes out at 2^n - 1 s; after the last one the client
     * waits as long again: 2^(n+1) - 1 s in all (127 s for 6, as Linux). */
    double last = sv->syn_retries >= 40 ? 1e12 : ldexp(1.0, (int)sv->syn_retries + 1) - 1.0;
    double d = sv->connect_timeout_s < last ? sv->connect_timeout_s : last;
    return sim_from_s(d);
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
    s->nfifos = SYN_FIFOS + 2 * s->nrows;
    s->fifos = calloc(s->nfifos, sizeof *s->fifos);
    if (!s->li || !s->lbuf || !s->fifos || !s->rows || !s->rr || !s->lat || !s->dest_addresses || !s->dest_rr || !s->gws || !s->tw) {
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
        r->idle_timeout_us = sim_from_s(gw->idle_timeout_s);
        r->wait_timeout_us = sim_from_s(sv->pool_wait_timeout_s);
        r->connect_timeout_us = sim_from_s(sv->connect_timeout_s);
        r->connect_deadline_us = connect_deadline(sv);
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
        s->tw[g].tw_us = sim_from_s(sc->gateways[g].time_wait_s);
        s->gws[g].steady = s->tw[g].tw_us > 0;
        s->gws[g].linked = s->gws[g].pool_hi - s->gws[g].pool_lo > 1;
    }
    for (uint32_t i = 0; i < s->nrows; i++) {
        const row *r = &s->rows[i];
        if (r->pool_idle > 0 && r->idle_timeout_us < r->keepalive_us)
            s->gws[r->gw].steady = 0;   /* the gateway drops idle mappings at once */
    }
    s->arrival_heap = s->nrows <= ARRIVAL_HEAP_ROWS;
    s->sample_us = sim_from_s(sc->sample_s);
    if (s->sample_us < 1)
        s->sample_us = 1;
    s->duration_us = sim_from_s(sc->duration_h * 3600.0);
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
    if (s->tw != NULL)
        for (uint32_t g = 0; g < s->ngw; g++)
            free(s->tw[g].buf), free(s->tw[g].next_t);
    if (s->fifos != NULL)
        for (uint32_t f = 0; f < s->nfifos; f++)
            free(s->fifos[f].buf);
    free(s->fifos);
    free(s->rows);
    free(s->rr);
    free(s->lat);
    free(s->dest_addresses);
    free(s->dest_rr);
    free(s->li);
    free(s->lbuf);
    free(s->pools);
    free(s->ipools);
    free(s->gws);
    free(s->tw);
    free(s->conns);
    free(s->reqs);
    free(s->gs);
    free(s->row_held);
    eq_free(&s->q);
    free(s->aq.h);
    if (s->rng != NULL)
        gsl_rng_free(s->rng);
    free(s);
}
