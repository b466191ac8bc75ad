/* occupancy.c - see occupancy.h for the model and the pools. */
#include "occupancy.h"

#include "arrivals.h"
#include "latency.h"
#include "topology.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define QUAD_POINTS 32      /* quantile midpoints for the curvature term */
#define MAX_GRID 20000      /* samples of the measured period */

typedef struct orow {
    arrivals arr;           /* rate of new connections (requests) of the row */
    double c_s;             /* handshake + TIME_WAIT */
    double mean_l_s;        /* E[latency] */
    double lq[QUAD_POINTS]; /* latency quantiles at (j + 0.5) / QUAD_POINTS */
    double weight;          /* share of one pool */
    size_t group;           /* index of the first row of its pool group */
    size_t service;         /* its index in sc->services */
} orow;

struct occupancy {
    size_t nrows;
    orow *rows;
    size_t fullest;         /* group of the fullest pool */
    double peak;
    double peak_t;          /* when the fullest pool peaks */
    double *gpeak, *gtime;  /* [nrows] peak of each row's group, and when */
};

static double row_mean(const orow *r, double t)
{
    double u = t - r->c_s;
    double m = arrivals_integral(&r->arr, u, t) + arrivals_rate(&r->arr, u) * r->mean_l_s;
    /* curvature term: zero for a flat profile, tiny unless latencies are
     * long against the profile's segments */
    double corr = 0, lam_u = arrivals_rate(&r->arr, u);
    for (int j = 0; j < QUAD_POINTS; j++) {
        double l = r->lq[j];
        if (l > 0)
            corr += arrivals_integral(&r->arr, u - l, u) - lam_u * l;
    }
    return m + corr / QUAD_POINTS;
}

static double group_mean(const occupancy *o, size_t group, double t)
{
    double m = 0;
    for (size_t i = 0; i < o->nrows; i++)
        if (o->rows[i].group == group)
            m += o->rows[i].weight * row_mean(&o->rows[i], t);
    return m;
}

void occupancy_destroy(occupancy *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->nrows; i++)
        arrivals_free(&o->rows[i].arr);
    free(o->rows);
    free(o->gpeak);
    free(o->gtime);
    free(o);
}

static nc_status add_row(const nc_scenario *sc, const nc_topology *t, size_t i, double tw_s,
                         orow *r, nc_error *err)
{
    const nc_topo_row *tr = &t->rows[i];
    const nc_service *sv = &sc->services[i];
    const nc_destination *de = &sc->destinations[sv->destination];
    latency_fit fit;
    nc_status st = latency_fit_make(de->latency_dist, de->latency_p50_ms, de->latency_p99_ms, &fit,
                                    err);
    if (st != NC_OK)
        return st;
    /* a share f of the closes is an RST, held rst_hold_s instead of TIME_WAIT */
    double f = sv->rst_close_fraction;
    r->c_s = de->handshake_ms / 1000.0 + f * sc->gateways[sv->gateway].rst_hold_s + (1 - f) * tw_s;
    r->mean_l_s = fit.mean_s;
    for (int j = 0; j < QUAD_POINTS; j++)
        r->lq[j] = latency_quantile(&fit, (j + 0.5) / QUAD_POINTS);
    r->weight = 1.0;   /* its share of one of its pools */
    if (t->per_destination)
        r->weight /= tr->addresses;
    if (t->per_instance)
        r->weight /= (double)(tr->instances ? tr->instances : 1);
    r->group = tr->group;
    r->service = i;
    if (arrivals_init(&r->arr, &sc->profiles[sv->profile], (double)sv->instances * sv->rps) != NC_OK)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    return NC_OK;
}

/* Rows of gateway g without pooling; only those that share the pools of
 * row `only` (model/topology.h's groups) unless it is SIZE_MAX. */
static nc_status create(const nc_scenario *sc, size_t g, double time_wait_s, size_t only,
                        occupancy **out, nc_error *err)
{
    const nc_gateway *gw = &sc->gateways[g];
    double tw_s = time_wait_s >= 0 ? time_wait_s : gw->time_wait_s;
    nc_topology topo;
    if (nc_topology_build(sc, g, &topo) != NC_OK)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    size_t group = only != SIZE_MAX ? nc_topology_row_group(&topo, only) : SIZE_MAX;
    occupancy *o = calloc(1, sizeof *o);
    if (o != NULL)
        o->rows = calloc(sc->nservices ? sc->nservices : 1, sizeof *o->rows);
    if (o == NULL || o->rows == NULL) {
        occupancy_destroy(o);
        nc_topology_free(&topo);
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    for (size_t i = 0; i < sc->nservices; i++) {
        if (!topo.rows[i].on_gateway || sc->services[i].pool_idle > 0)
            continue;
        if (only != SIZE_MAX && topo.rows[i].group != group)
            continue;
        nc_status st = add_row(sc, &topo, i, tw_s, &o->rows[o->nrows], err);
        if (st != NC_OK) {
            occupancy_destroy(o);
            nc_topology_free(&topo);
            return st;
        }
        o->nrows++;
    }
    nc_topology_free(&topo);
    o->peak = o->nrows ? 0.0 : NAN;
    double dur_s = sc->duration_h * 3600.0;
    double step = sc->sample_s < 30 ? sc->sample_s : 30;
    if (dur_s / step > MAX_GRID)
        step = dur_s / MAX_GRID;
    /* Each row's m(t) once per grid point, added into its group's series;
     * groups are numbered by their first row. */
    size_t nt = (size_t)ceil(dur_s / step - 1e-9) + 1;
    double *sum = calloc(o->nrows ? o->nrows * nt : 1, sizeof *sum);
    o->gpeak = calloc(o->nrows ? o->nrows : 1, sizeof *o->gpeak);
    o->gtime = calloc(o->nrows ? o->nrows : 1, sizeof *o->gtime);
    if (sum == NULL || o->gpeak == NULL || o->gtime == NULL) {
        free(sum);
        occupancy_destroy(o);
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    for (size_t i = 0; i < o->nrows; i++) {
        size_t slot = i;
        for (size_t j = 0; j < i; j++) {
            if (o->rows[j].group == o->rows[i].group) {
                slot = j;
                break;
            }
        }
        for (size_t k = 0; k < nt; k++) {
            double t = k + 1 < nt ? (double)k * step : dur_s;
            sum[slot * nt + k] += o->rows[i].weight * row_mean(&o->rows[i], t);
        }
    }
    for (size_t i = 0; i < o->nrows; i++) {
        for (size_t k = 0; k < nt; k++) {
            double t = k + 1 < nt ? (double)k * step : dur_s;
            if (sum[i * nt + k] > o->peak || (i == 0 && k == 0)) {
                o->peak = sum[i * nt + k];
                o->peak_t = t;
                o->fullest = o->rows[i].group;
            }
            if (sum[i * nt + k] > o->gpeak[i] || k == 0) {
                o->gpeak[i] = sum[i * nt + k];
                o->gtime[i] = t;
            }
        }
    }
    /* every row reads its group's peak (the sums sit in the group's first slot) */
    for (size_t i = 0; i < o->nrows; i++) {
        for (size_t j = 0; j < i; j++) {
            if (o->rows[j].group == o->rows[i].group) {
                o->gpeak[i] = o->gpeak[j];
                o->gtime[i] = o->gtime[j];
                break;
            }
        }
    }
    free(sum);
    *out = o;
    return NC_OK;
}

nc_status occupancy_create(const nc_scenario *sc, size_t g, double time_wait_s, occupancy **out,
                           nc_error *err)
{
    return create(sc, g, time_wait_s, SIZE_MAX, out, err);
}

nc_status occupancy_create_group(const nc_scenario *sc, size_t row, occupancy **out,
                                 nc_error *err)
{
    return create(sc, sc->services[row].gateway, -1, row, out, err);
}

size_t occupancy_rows(const occupancy *o) { return o->nrows; }

double occupancy_peak(const occupancy *o) { return o->peak; }

double occupancy_at(const occupancy *o, double t_s)
{
    return o->nrows ? group_mean(o, o->fullest, t_s) : 0.0;
}

double occupancy_peak_time(const occupancy *o) { return o->nrows ? o->peak_t : NAN; }

size_t occupancy_fullest_row(const occupancy *o) { return o->nrows ? o->fullest : SIZE_MAX; }

double occupancy_row_peak(const occupancy *o, size_t service, double *t_s)
{
    for (size_t i = 0; i < o->nrows; i++) {
        if (o->rows[i].service == service) {
            if (t_s != NULL)
                *t_s = o->gtime[i];
            return o->gpeak[i];
        }
    }
    if (t_s != NULL)
        *t_s = NAN;
    return NAN;
}
