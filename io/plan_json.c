/* plan_json.c - see plan_json.h.  Field meanings are in README.md ("plan.json"). */
#include "plan_json.h"

#include "../model/platform.h"
#include "csv_out.h"
#include "json_out.h"

#include <math.h>
#include <stdlib.h>

static json_t *num_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

/* PLAN_NONE / PLAN_NA as null, with the reason beside it. */
static json_t *count_or_null(long v) { return v >= 0 ? json_integer(v) : json_null(); }

static json_t *recommend(const plan_scenario *ps, size_t g, const plan_opts *o)
{
    const nc_gateway *gw = &ps->sc->gateways[g];
    const plan_gw *a = &ps->gw[g];
    nc_platform pf = nc_platform_of(gw);
    json_t *r = json_object();
    json_object_set_new(r, "scenario", json_string(ps->sc->name));
    json_object_set_new(r, "gateway", json_string(gw->name));
    json_object_set_new(r, "platform", json_string(nc_platform_name(pf)));
    json_object_set_new(r, "headroom_rate_scale", num_or_null(a->headroom_rate_scale));
    json_object_set_new(r, "headroom_capped", json_boolean(a->headroom_capped));

    json_t *ips = json_object();
    json_object_set_new(ips, "current", json_integer(gw->nat_ips));
    json_object_set_new(ips, "needed", count_or_null(a->min_nat_ips));
    json_object_set_new(ips, "needed_at_growth", count_or_null(a->min_nat_ips_at_growth));
    json_object_set_new(ips, "growth", json_real(o->growth));
    json_object_set_new(ips, "change", json_boolean(a->min_nat_ips_at_growth > (long)gw->nat_ips));
    json_object_set_new(ips, "setting", json_string(nc_platform_nat_ip_setting(pf)));
    json_object_set_new(r, "nat_ips", ips);

    json_t *pool = json_object();
    json_object_set_new(pool, "applies", json_boolean(a->pool_idle_needed != PLAN_NA));
    json_object_set_new(pool, "pool_idle_needed", count_or_null(a->pool_idle_needed));
    json_object_set_new(pool, "change", json_boolean(a->pool_idle_needed > 0));
    json_object_set_new(pool, "setting", json_string("client connection pool: idle connections kept "
                                                     "per instance and destination"));
    json_object_set_new(r, "pooling", pool);

    /* Ports per instance: not searched by plan; from the baseline peak of
     * the fullest instance, grown and kept under the target utilisation. */
    json_t *ppi = json_object();
    const char *ps_set = nc_platform_ports_setting(pf);
    json_object_set_new(ppi, "current", gw->ports_per_instance ? json_integer(gw->ports_per_instance)
                                                               : json_null());
    if (gw->ports_per_instance > 0) {
        double need = ceil((double)a->peak_in_use_max * o->growth / o->target_utilization);
        if (pf == NC_PLATFORM_GCP) {   /* Cloud NAT: a power of two */
            double p2 = 1;
            while (p2 < need)
                p2 *= 2;
            need = p2;
        }
        json_object_set_new(ppi, "needed", json_integer((json_int_t)need));
        /* an exhausted pool's peak is its capacity: the real need is larger */
        json_object_set_new(ppi, "lower_bound", json_boolean(a->exhausted_replications > 0));
        json_object_set_new(ppi, "change", json_boolean(need > gw->ports_per_instance));
    }
    json_object_set_new(ppi, "setting", ps_set ? json_string(ps_set) : json_null());
    json_object_set_new(r, "ports_per_instance", ppi);

    json_t *tw = json_object();
    const char *tw_set = nc_platform_time_wait_setting(pf);
    json_object_set_new(tw, "current_s", json_real(gw->time_wait_s));
    json_object_set_new(tw, "configurable", json_boolean(tw_set != NULL));
    json_object_set_new(tw, "setting", tw_set ? json_string(tw_set) : json_null());
    json_object_set_new(tw, "needed_s", tw_set ? num_or_null(a->time_wait_s_needed) : json_null());
    json_object_set_new(tw, "change", json_boolean(tw_set != NULL && isfinite(a->time_wait_s_needed) &&
                                                   a->time_wait_s_needed < gw->time_wait_s));
    json_object_set_new(r, "time_wait", tw);

    json_t *al = json_object();
    json_object_set_new(al, "alert_at", json_real(o->alert_at));
    json_object_set_new(al, "lead_minutes", num_or_null(a->alert_lead_minutes));
    json_object_set_new(al, "threshold_for_lead", num_or_null(a->alert_threshold_for_lead));
    json_object_set_new(r, "alert", al);
    return r;
}

nc_status plan_json_write(outdir *od, const plan_result *p, nc_error *err)
{
    const nc_scen_result **rs = malloc((p->n ? p->n : 1) * sizeof *rs);
    if (rs == NULL)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    for (size_t i = 0; i < p->n; i++)
        rs[i] = p->scen[i].base;
    nc_status st = csv_out_summary(od, rs, p->n, err);
    free(rs);
    if (st == NC_OK)
        st = json_out_from_csv(od, "summary.csv", "summary.json", NULL, err);
    if (st != NC_OK)
        return st;
    json_t *extra = json_object(), *recs = json_array();
    for (size_t i = 0; i < p->n; i++)
        for (size_t g = 0; g < p->scen[i].sc->ngateways; g++)
            json_array_append_new(recs, recommend(&p->scen[i], g, &p->opts));
    json_object_set_new(extra, "recommendations", recs);
    st = json_out_from_csv(od, "plan.csv", "plan.json", extra, err);
    json_decref(extra);
    return st;
}
