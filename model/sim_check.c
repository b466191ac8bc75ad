/*
 * sim_check.c - the model's runtime invariants (see SIM_CHECK in
 * sim_impl.h): on in debug and sanitizer builds (make debug, make asan
 * define NATCAP_CHECKS), compiled out of the normal and release builds.
 *
 * At each interval end, after the TIME_WAIT expiries due by then:
 *   - no count went below zero (an unsigned wrap shows as a count above the
 *     pool's capacity or as more active + idle than in use);
 *   - per pool, in_use = active + idle + TIME_WAIT, with TIME_WAIT counted
 *     from the gateway's ring entry by entry, and idle counted from the
 *     connection pools' idle lists (connections the gateway still maps);
 *   - per gateway, the mappings its rows hold add up to its pools' in_use;
 *   - per connection pool, its idle list is as long as nidle, no longer
 *     than open, and open respects pool_max.
 *   - on a gateway that knows its ports (linux_probe), each pool's bitmap
 *     has as many ports taken as the pool has in use, and every TIME_WAIT
 *     or RST entry's port is one of them.
 * The event loop checks that time never goes back.
 */
#include "sim_impl.h"

void sim_check_invariants(const sim *s)
{
#if !SIM_CHECKS
    (void)s;
#else
    uint32_t *tw = calloc(s->npools + 1, sizeof *tw);
    uint32_t *idle = calloc(s->npools + 1, sizeof *idle);
    if (tw == NULL || idle == NULL) {   /* a check, not a result: skip it */
        free(tw);
        free(idle);
        return;
    }
    for (uint32_t g = 0; g < s->ngw; g++) {
        const nat_tw_ring *w = &s->tw[g];
        SIM_CHECK(w->n <= w->cap);
        for (uint32_t i = 0; i < w->n; i++) {
            const nat_tw_entry *e = nat_ring_at(w, i);
            SIM_CHECK(e->pool >= s->gws[g].pool_lo && e->pool < s->gws[g].pool_hi);
            if (i > 0)   /* one TIME_WAIT per gateway: expiries in order */
                SIM_CHECK(nat_ring_at(w, i - 1)->t <= e->t);
            tw[e->pool]++;
        }
        uint32_t rst = 0;
        for (uint32_t i = 0; i < s->rst[g].n; i++) {   /* held after an RST: in order too */
            const nat_tw_entry *e = nat_ring_at(&s->rst[g], i);
            SIM_CHECK(e->pool >= s->gws[g].pool_lo && e->pool < s->gws[g].pool_hi);
            if (i > 0)
                SIM_CHECK(nat_ring_at(&s->rst[g], i - 1)->t <= e->t);
            tw[e->pool]++;
            rst++;
        }
        uint64_t counted = 0;
        for (uint32_t p = s->gws[g].pool_lo; p < s->gws[g].pool_hi; p++)
            counted += s->pools[p].rst;
        SIM_CHECK(counted == rst);
        SIM_CHECK(s->gws[g].resets || rst == 0);
        const gw_state *x = &s->gws[g];
        if (x->probe_range == 0)
            continue;
        size_t words = (size_t)x->probe_ips * pm_words(x->probe_range);
        for (uint32_t p = x->pool_lo; p < x->pool_hi; p++) {
            uint64_t taken = 0;
            for (size_t k = 0; k < words; k++)
                taken += (uint64_t)__builtin_popcountll(s->pbits[s->pword[p] + k]);
            SIM_CHECK(taken == s->pools[p].in_use);
        }
        for (int k = 0; k < 2; k++) {
            const nat_tw_ring *r = k ? &s->rst[g] : &s->tw[g];
            for (uint32_t i = 0; i < r->n; i++) {
                uint32_t port = r->port[(r->head + i) & (r->cap - 1)];
                SIM_CHECK(port < words * 64);
                SIM_CHECK(pm_taken(s->pbits + s->pword[nat_ring_at(r, i)->pool], port));
            }
        }
    }
    for (uint32_t ip = 0; ip < s->nipools; ip++) {
        const conn_pool *p = &s->ipools[ip];
        const row *r = &s->rows[p->row];
        uint32_t n = 0;
        for (uint32_t c = p->idle_head; c != NIL; c = s->conns.v[c].next) {
            n++;
            SIM_CHECK(n <= p->nidle);
            if (s->conns.v[c].mapped)
                idle[s->conns.v[c].pool]++;
        }
        SIM_CHECK(n == p->nidle);
        SIM_CHECK(p->nidle <= p->open);
        SIM_CHECK(r->pool_max == 0 || p->open <= r->pool_max);
    }
    for (uint32_t g = 0; g < s->ngw; g++) {
        const gw_state *gs = &s->gws[g];
        uint64_t in_use = 0, held = 0;
        for (uint32_t p = gs->pool_lo; p < gs->pool_hi; p++) {
            const nat_pool *pl = &s->pools[p];
            SIM_CHECK(pl->in_use <= pl->cap);
            SIM_CHECK((uint64_t)pl->active + pl->idle <= pl->in_use);
            SIM_CHECK(pl->idle == idle[p]);
            SIM_CHECK(pl->in_use == pl->active + pl->idle + tw[p]);
            in_use += pl->in_use;
        }
        for (uint32_t i = 0; i < s->nrows; i++)
            if (s->rows[i].gw == g)
                held += s->rr[i].held;
        SIM_CHECK(held == in_use);
    }
    free(tw);
    free(idle);
#endif
}
