/* topology.c - see topology.h for the layout. */
#include "topology.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* First row of gateway g before i with the same service (and destination
 * when same_dest), or i. */
static size_t first_alike(const nc_scenario *sc, size_t i, int same_dest)
{
    const nc_service *a = &sc->services[i];
    for (size_t j = 0; j < i; j++) {
        const nc_service *b = &sc->services[j];
        if (b->gateway == a->gateway && strcmp(b->name, a->name) == 0 &&
            (!same_dest || b->destination == a->destination))
            return j;
    }
    return i;
}

uint64_t nc_topology_ips_needed(const nc_gateway *gw, uint64_t instances, uint64_t ppi)
{
    uint64_t range = nc_gateway_port_range(gw);
    if (ppi == 0 || range == 0)
        return 0;
    uint64_t need = (instances * ppi + range - 1) / range;
    return need ? need : 1;
}

uint64_t nc_topology_reservable(const nc_gateway *gw)
{
    uint64_t ppi = gw->ports_per_instance;
    return ppi ? (uint64_t)gw->nat_ips * nc_gateway_port_range(gw) / ppi : 0;
}

uint64_t nc_topology_ppi_allowed(const nc_gateway *gw, uint64_t nat_ips, uint64_t instances)
{
    if (instances == 0)
        return 0;
    uint64_t p = nat_ips * nc_gateway_port_range(gw) / instances;
    if (strcmp(gw->preset, "azure_lb") == 0) {
        p -= p % 8;
    } else if (strncmp(gw->preset, "gcp", 3) == 0 && p > 0) {
        /* Cloud NAT rounds minPortsPerVm up to a power of two: the
         * largest one that fits is what these IPs allow */
        uint64_t w = 1;
        while (w <= p / 2)
            w *= 2;
        p = w;
    }
    return p;
}

static void grouped_number(uint64_t v, char *buf, size_t len)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%llu", (unsigned long long)v);
    size_t n = strlen(raw), o = 0;
    for (size_t i = 0; i < n && o + 2 < len; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = raw[i];
    }
    buf[o] = '\0';
}

/* How many of row r's service's instances come at or past `reservable` in
 * the reservation order, and (first, when not NULL) the first of them,
 * 1-based within the service, 0 when none. */
static uint64_t portless_of(const nc_topo_row *r, uint64_t reservable, uint64_t *first)
{
    uint64_t end = r->ordinal + r->service_instances;
    uint64_t got = end <= reservable ? r->service_instances
                   : reservable > r->ordinal ? reservable - r->ordinal : 0;
    if (first != NULL)
        *first = got < r->service_instances ? got + 1 : 0;
    return r->service_instances - got;
}

nc_status nc_topology_build(const nc_scenario *sc, size_t g, nc_topology *out)
{
    memset(out, 0, sizeof *out);
    const nc_gateway *gw = &sc->gateways[g];
    out->gateway = g;
    out->per_destination = gw->mapping == NC_MAPPING_PER_DESTINATION;
    out->per_instance = gw->ports_per_instance > 0;
    out->capacity = nc_gateway_pool_capacity(gw);
    out->nrows = sc->nservices;
    out->portless_row = SIZE_MAX;
    out->rows = calloc(sc->nservices ? sc->nservices : 1, sizeof *out->rows);
    if (out->rows == NULL)
        return NC_ENOMEM;
    nc_topo_row *rw = out->rows;
    /* each service's instances: the most of its rows */
    for (size_t i = 0; i < sc->nservices; i++) {
        if (sc->services[i].gateway != g)
            continue;
        size_t f = first_alike(sc, i, 0);
        rw[i].on_gateway = 1;
        rw[i].first_of_service = f;
        rw[i].instances = sc->services[i].instances;
        if (sc->services[i].instances > rw[f].service_instances)
            rw[f].service_instances = sc->services[i].instances;
    }
    uint64_t ordinal = 0;
    for (size_t i = 0; i < sc->nservices; i++) {
        if (rw[i].on_gateway && rw[i].first_of_service == i) {
            rw[i].ordinal = ordinal;
            ordinal += rw[i].service_instances;
        }
    }
    out->instances = ordinal;
    out->reservable = gw->ports_per_instance ? nc_topology_reservable(gw) : ordinal;
    if (out->reservable > ordinal)
        out->reservable = ordinal;
    out->without_ports = ordinal - out->reservable;
    uint64_t next = 0;
    size_t first_row = SIZE_MAX;   /* of the gateway, when global and shared */
    for (size_t i = 0; i < sc->nservices; i++) {
        const nc_service *sv = &sc->services[i];
        nc_topo_row *r = &rw[i];
        r->group = SIZE_MAX;
        if (!r->on_gateway)
            continue;
        size_t fs = r->first_of_service;
        r->ordinal = rw[fs].ordinal;
        r->service_instances = rw[fs].service_instances;
        const nc_destination *de = &sc->destinations[sv->destination];
        uint32_t addrs = de->addresses ? de->addresses : 1;
        r->addresses = out->per_destination ? addrs : 1;
        if (!out->per_destination && !out->per_instance) {
            r->pool_base = 0;
            r->inst_stride = r->addr_stride = 0;
            if (next == 0) {
                first_row = i;
                next = 1;
            }
            r->group = first_row;
        } else if (!out->per_instance) {
            /* one pool per destination address: rows to the same destination share */
            size_t j;
            for (j = 0; j < i; j++)
                if (rw[j].on_gateway && sc->services[j].destination == sv->destination)
                    break;
            r->group = j;
            r->pool_base = j < i ? rw[j].pool_base : next;
            if (j == i)
                next += addrs;
            r->inst_stride = 0;
            r->addr_stride = 1;
        } else if (!out->per_destination) {
            r->group = fs;
            r->pool_base = fs < i ? rw[fs].pool_base : next;
            if (fs == i)
                next += r->service_instances;
            r->inst_stride = 1;
            r->addr_stride = 0;
        } else {
            size_t f = first_alike(sc, i, 1);
            r->group = f;
            r->pool_base = f < i ? rw[f].pool_base : next;
            if (f == i)
                next += r->service_instances * addrs;
            r->inst_stride = addrs;
            r->addr_stride = 1;
        }
    }
    out->pools = next ? next : 1;   /* a gateway without rows still has its pool */
    out->pools_with_ports = out->pools;
    if (out->per_instance) {
        /* pools of instances past the reservable ones have size 0 */
        uint64_t without = 0;
        for (size_t i = 0; i < sc->nservices; i++) {
            const nc_topo_row *r = &rw[i];
            if (!r->on_gateway)
                continue;
            int owner = out->per_destination ? first_alike(sc, i, 1) == i : r->first_of_service == i;
            if (!owner)
                continue;
            without += portless_of(r, out->reservable, NULL) * r->addresses;
        }
        out->pools_with_ports = out->pools - without;
        for (size_t i = 0; i < sc->nservices; i++) {
            const nc_topo_row *r = &rw[i];
            if (!r->on_gateway || r->first_of_service != i)
                continue;
            uint64_t lost = portless_of(r, out->reservable, NULL);
            if (lost == 0)
                continue;
            out->portless_services++;
            if (out->portless_row == SIZE_MAX) {
                out->portless_row = i;
                out->portless_in_service = lost;
            }
        }
        out->ips_for_all = nc_topology_ips_needed(gw, out->instances, gw->ports_per_instance);
        out->ppi_for_all = nc_topology_ppi_allowed(gw, gw->nat_ips, out->instances);
    }
    return NC_OK;
}

void nc_topology_free(nc_topology *t)
{
    if (t == NULL)
        return;
    free(t->rows);
    memset(t, 0, sizeof *t);
}

/* Instance (0-based) and address of pool p within row r's block; -1 when p
 * is not in it. */
static int decode(const nc_topology *t, const nc_topo_row *r, uint64_t p, uint64_t *inst,
                  uint64_t *addr)
{
    if (!r->on_gateway || p < r->pool_base)
        return -1;
    uint64_t off = p - r->pool_base;
    uint64_t per_inst = r->addr_stride ? r->addresses : 1;
    uint64_t block = (t->per_instance ? r->service_instances : 1) * per_inst;
    if (off >= block)
        return -1;
    *inst = t->per_instance ? off / per_inst : 0;
    *addr = r->addr_stride ? off % per_inst : 0;
    return 0;
}

size_t nc_topology_pool_row(const nc_topology *t, uint64_t p)
{
    for (size_t i = 0; i < t->nrows; i++) {
        uint64_t inst, addr;
        if (decode(t, &t->rows[i], p, &inst, &addr) == 0)
            return i;
    }
    return SIZE_MAX;
}

uint64_t nc_topology_pool_capacity(const nc_topology *t, uint64_t p)
{
    if (!t->per_instance)
        return t->capacity;
    size_t i = nc_topology_pool_row(t, p);
    if (i == SIZE_MAX)
        return t->capacity;
    uint64_t inst, addr;
    decode(t, &t->rows[i], p, &inst, &addr);
    return t->rows[i].ordinal + inst < t->reservable ? t->capacity : 0;
}

int nc_topology_row_uses(const nc_topology *t, size_t row, uint64_t p)
{
    uint64_t inst, addr;
    if (row >= t->nrows || decode(t, &t->rows[row], p, &inst, &addr) != 0)
        return 0;
    return inst < t->rows[row].instances;
}

uint64_t nc_topology_row_without_ports(const nc_topology *t, size_t row, uint64_t *first)
{
    *first = 0;
    if (row >= t->nrows || !t->rows[row].on_gateway || !t->per_instance)
        return 0;
    return portless_of(&t->rows[row], t->reservable, first);
}

size_t nc_topology_row_group(const nc_topology *t, size_t row)
{
    return row < t->nrows ? t->rows[row].group : SIZE_MAX;
}

uint64_t nc_topology_row_pools(const nc_topology *t, size_t row)
{
    const nc_topo_row *r = &t->rows[row];
    return (t->per_instance ? r->instances : 1) * (r->addr_stride ? r->addresses : 1);
}

void nc_topology_pool_name(const nc_topology *t, const nc_scenario *sc, uint64_t p, char *buf,
                           size_t len)
{
    size_t i = nc_topology_pool_row(t, p);
    if (i == SIZE_MAX || (!t->per_instance && !t->per_destination)) {
        snprintf(buf, len, "%s", sc->gateways[t->gateway].name);
        return;
    }
    uint64_t inst, addr;
    decode(t, &t->rows[i], p, &inst, &addr);
    const nc_service *sv = &sc->services[i];
    const char *dest = sc->destinations[sv->destination].name;
    if (!t->per_instance)
        snprintf(buf, len, "%s#%llu", dest, (unsigned long long)addr + 1);
    else if (!t->per_destination)
        snprintf(buf, len, "%s#%llu", sv->name, (unsigned long long)inst + 1);
    else
        snprintf(buf, len, "%s#%llu>%s#%llu", sv->name, (unsigned long long)inst + 1, dest,
                 (unsigned long long)addr + 1);
}

uint64_t nc_topology_row_pool(const nc_topology *t, size_t row, uint64_t inst, uint64_t addr)
{
    if (row >= t->nrows || !t->rows[row].on_gateway)
        return UINT64_MAX;
    const nc_topo_row *r = &t->rows[row];
    uint64_t ni = t->per_instance ? r->service_instances : 1, na = r->addr_stride ? r->addresses : 1;
    inst = inst < 1 ? 1 : inst > ni ? ni : inst;
    addr = addr < 1 ? 1 : addr > na ? na : addr;
    return r->pool_base + (inst - 1) * r->inst_stride + (addr - 1) * r->addr_stride;
}

/* s is `prefix#N` followed by more: N into *n, the rest returned; NULL if not. */
static const char *numbered(const char *s, const char *prefix, uint64_t *n)
{
    size_t len = strlen(prefix);
    if (strncmp(s, prefix, len) != 0 || s[len] != '#' || s[len + 1] < '0' || s[len + 1] > '9')
        return NULL;
    s += len + 1;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (UINT64_MAX - 9) / 10)
            return NULL;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *n = v;
    return s;
}

uint64_t nc_topology_pool_find(const nc_topology *t, const nc_scenario *sc, const char *name)
{
    if (!t->per_instance && !t->per_destination)
        return strcmp(name, sc->gateways[t->gateway].name) == 0 ? 0 : UINT64_MAX;
    for (size_t i = 0; i < t->nrows; i++) {
        const nc_topo_row *r = &t->rows[i];
        if (!r->on_gateway)
            continue;
        const nc_service *sv = &sc->services[i];
        uint64_t inst = 1, addr = 1;
        const char *rest = name;
        if (t->per_instance) {
            rest = numbered(rest, sv->name, &inst);
            if (rest == NULL || inst < 1 || inst > r->service_instances)
                continue;
            if (t->per_destination && *rest++ != '>')
                continue;
        }
        if (t->per_destination) {
            rest = numbered(rest, sc->destinations[sv->destination].name, &addr);
            if (rest == NULL || addr < 1 || addr > r->addresses)
                continue;
        }
        if (*rest != '\0')
            continue;
        /* the name as the layout spells it (no leading zeros, the service's first row) */
        uint64_t p = nc_topology_row_pool(t, i, inst, addr);
        char buf[NC_POOL_NAME_MAX + 1];
        nc_topology_pool_name(t, sc, p, buf, sizeof buf);
        if (strcmp(buf, name) == 0)
            return p;
    }
    return UINT64_MAX;
}

void nc_topology_portless_text(const nc_topology *t, const nc_scenario *sc, char *buf, size_t len)
{
    if (len > 0)
        buf[0] = '\0';
    if (t->without_ports == 0)
        return;
    const nc_gateway *gw = &sc->gateways[t->gateway];
    char n[32], all[32], got[32], svc[32];
    grouped_number(t->without_ports, n, sizeof n);
    grouped_number(t->instances, all, sizeof all);
    grouped_number(t->reservable, got, sizeof got);
    grouped_number(t->portless_in_service, svc, sizeof svc);
    const char *name = sc->services[t->portless_row].name;
    char who[160];
    if (t->portless_services > 1)
        snprintf(who, sizeof who, "%s of service '%s' and %zu more service%s", svc, name,
                 t->portless_services - 1, t->portless_services > 2 ? "s" : "");
    else
        snprintf(who, sizeof who, "of service '%s'", name);
    char fix[200];
    if (t->ppi_for_all > 0)
        snprintf(fix, sizeof fix, ", or ports_per_instance %llu with %u NAT IP%s",
                 (unsigned long long)t->ppi_for_all, gw->nat_ips, gw->nat_ips == 1 ? "" : "s");
    else
        fix[0] = '\0';
    snprintf(buf, len,
             "gateway '%s': %s of %s instances get no ports (%s), their requests fail: "
             "%u NAT IP%s reserve%s %u ports each for %s of them; %llu NAT IPs would reserve "
             "them for all%s",
             gw->name, n, all, who, gw->nat_ips, gw->nat_ips == 1 ? "" : "s",
             gw->nat_ips == 1 ? "s" : "", gw->ports_per_instance, got,
             (unsigned long long)t->ips_for_all, fix);
}
