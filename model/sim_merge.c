/*
 * sim_merge.c - a replication's figures added into its scenario's result
 * (see sim_merge in sim.h): per interval, per gateway, per pool and per
 * row, from the counts sim.c kept during the run.
 */
#include "sim_impl.h"

void sim_merge(const sim *s, nc_scen_result *res, uint32_t rep)
{
    res->simulated += s->arrivals;
    res->by_rep_kept = 1;
    uint32_t ns = s->nsamples;
    for (uint32_t g = 0; g < s->ngw; g++) {
        nc_gw_result *x = &res->gw[g];
        const gw_state *gs = &s->gws[g];
        int any_fail = 0;
        for (uint32_t k = 0; k < ns; k++) {
            const gw_sample *y = &s->gs[(size_t)g * ns + k];
            x->in_use_by_rep[(size_t)rep * ns + k] = y->in_use;
            if (y->imax > x->in_use_max[k])
                x->in_use_max[k] = y->imax;
            x->active_sum[k] += y->active;
            x->idle_sum[k] += y->idle;
            x->time_wait_sum[k] += y->tw;
            x->attempts_sum[k] += y->attempts;
            x->alloc_failures_sum[k] += y->afail;
            x->failed_requests_sum[k] += y->freq;
            x->stale_reuses_sum[k] += y->stale;
            x->requests_sum[k] += y->requests;
            x->util_in_use_sum[k] += y->portless > 0 && y->in_use < x->capacity ? x->capacity : y->in_use;
            nc_rep_sample *z = &x->by_rep[(size_t)rep * ns + k];
            z->imax = y->imax;
            z->open = y->active + y->idle;
            z->omax = y->omax > z->open ? y->omax : z->open;
            z->attempts = y->attempts;
            z->alloc_failures = y->afail;
            z->requests = y->requests;
            z->failed_requests = y->freq;
            if (y->afail > 0) {
                x->fail_reps[k]++;
                x->exhausted_us_sum += (uint64_t)(sim_from_s(nc_scen_result_interval_s(res, k)));
                any_fail = 1;
            }
        }
        x->peak_by_rep[rep] = gs->peak;
        x->peak_sum += gs->peak;
        if (gs->peak > x->peak_max)
            x->peak_max = gs->peak;
        x->first_fail_by_rep[rep] = gs->first_fail;
        if (gs->first_fail < x->first_exhaustion)
            x->first_exhaustion = gs->first_fail;
        if (any_fail)
            x->exhausted_reps++;
        x->npools = 0;
        uint64_t exhausted = 0, alert = 0;
        for (uint32_t p = gs->pool_lo; p < gs->pool_hi; p++) {
            const nat_pool *pl = &s->pools[p];
            uint32_t mark = s->pool_mark[p];
            uint64_t hi = mark & ~POOL_FAILED;
            x->npools += pl->cap > 0;
            exhausted += (mark & POOL_FAILED) != 0;
            /* at or over the alert level (80 %) at an interval end, or an
             * instance without ports that had requests (100 %) */
            alert += pl->cap > 0 ? 5 * hi >= 4 * (uint64_t)pl->cap : (mark & POOL_FAILED) != 0;
        }
        x->pools_exhausted_sum += exhausted;
        x->pools_alert_sum += alert;
        uint64_t util_peak = gs->peak;
        if (gs->portless != NIL) {
            x->portless_reps++;
            if (util_peak < x->capacity)
                util_peak = x->capacity;
        }
        x->util_peak_sum += util_peak;
        x->binding_by_rep[rep] = (gs->portless != NIL ? gs->portless : gs->peak_pool) - gs->pool_lo;
    }
    if (s->nwatch != 0)
        sim_watch_merge(s, res, rep);
    for (uint32_t i = 0; i < s->nrows; i++) {
        const row_run *rr = &s->rr[i];
        nc_row_result *y = &res->rows[i];
        nc_gw_result *x = &res->gw[s->rows[i].gw];
        y->requests += rr->requests;
        y->new_connections += rr->new_connections;
        y->reused += rr->reused;
        y->failed_requests += rr->failed;
        y->stale_reuses += rr->stale;
        y->attempts += rr->attempts;
        y->alloc_failures += rr->afail;
        y->retries += rr->retries;
        uint32_t at_peak = rr->snap_epoch == s->gws[s->rows[i].gw].peak_epoch ? rr->snap_val : rr->held;
        y->in_use_at_peak_sum += at_peak;
        for (uint32_t k = 0; k < ns; k++)
            y->in_use_sum[k] += s->row_held[(size_t)i * ns + k];
        x->requests += rr->requests;
        x->attempts += rr->attempts;
        x->alloc_failures += rr->afail;
        x->failed_requests += rr->failed;
        x->new_connections += rr->new_connections;
        x->reused += rr->reused;
        x->stale_reuses += rr->stale;
        x->retries += rr->retries;
    }
}
