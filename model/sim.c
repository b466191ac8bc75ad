/*
 * sim.c - the discrete-event model of SPEC §3 (see sim.h).
 *
 * Objects, all in flat arrays indexed by uint32_t:
 *   pool    a gateway allocation pool (SPEC §2 "Allocation pools"): only
 *           counts matter, not which port, so a pool is four counters.
 *   ipool   one instance's connection pool to one destination (service
 *           row x instance); exists only for rows with pool_idle or pool_max.
 *   conn    a pooled connection (rows with pool_idle > 0).
 *   req     a request in flight: connecting, waiting or holding a connection.
 *
 * Event kinds and what they need:
 *   ARRIVAL  next request of a row (one pending per row)
 *   DONE     a request finished with its connection
 *   SYN      a SYN retransmission asks the gateway again
 *   CFAIL    the connection attempt timed out (connect_timeout_s or after
 *            the last retransmission's wait); rows without connection
 *            pools settle this at their last dropped SYN instead (see
 *            connect_failed)
 *   RETRY    an application retry after retry_backoff_s
 *   IPOOL    head of an ipool's idle list or wait queue is due
 *
 * FIFO tricks: time_wait_s is constant per gateway, so TIME_WAIT expiries
 * come in the order they were entered: a ring per gateway, applied lazily
 * (tw_ring), no events at all.  keepalive_s, the gateway's idle timeout and
 * pool_wait_timeout_s are constant per row, and idle connections are reused
 * last-in-first-out (as Go's and most HTTP clients' pools do), so the oldest
 * idle connection and the oldest waiter are always at the heads of their
 * lists: one timer per ipool, re-armed lazily, instead of a timer per
 * connection.
 *
 * Measurement runs on [0, duration); events of the warm-up change the state
 * but are not counted.  A request counts where it arrived: only requests
 * arriving in the measured period count as requests and as failures.
 */
#include "sim_impl.h"

/* ------------------------------------------------------------ plumbing */

/* Events at or after the end of the run would never run: not queued. */
static inline void push(sim *s, sim_time t, unsigned kind, uint32_t idx)
{
    if (t >= s->duration_us)
        return;
    if (eq_push(&s->q, t, EQ_REF(kind, idx)) != 0)
        s->oom = 1;
}

/* Schedule e (at e.t) through FIFO family f: not earlier than the
 * family's last entry. */
static void push_fifo(sim *s, uint32_t f, fifo_entry e)
{
    if (e.t >= s->duration_us)
        return;
    fifo *x = &s->fifos[f];
    if (x->n == x->cap) {
        uint32_t cap = x->cap ? x->cap * 2 : 256;
        fifo_entry *b = malloc((size_t)cap * sizeof *b);
        if (b == NULL) {
            s->oom = 1;
            return;
        }
        for (uint32_t i = 0; i < x->n; i++)
            b[i] = x->buf[(x->head + i) & (x->cap - 1)];
        free(x->buf);
        x->buf = b;
        x->head = 0;
        x->cap = cap;
    }
    x->buf[(x->head + x->n) & (x->cap - 1)] = e;
    x->n++;
    if (!x->pending) {
        x->pending = 1;
        push(s, e.t, EV_FIFO, f);
    }
}

/* Double a slab of `size`-byte objects (requests, connections): the new
 * slab, or NULL (the old one intact) when memory runs out. */
static void *slab_grow(void *slab, uint32_t *cap, size_t size)
{
    uint32_t n = *cap ? *cap * 2 : 1024;
    void *p = realloc(slab, (size_t)n * size);
    if (p != NULL)
        *cap = n;
    return p;
}

static uint32_t req_alloc(sim *s)
{
    if (s->req_free != NIL) {
        uint32_t i = s->req_free;
        s->req_free = s->reqs[i].next;
        return i;
    }
    if (s->nreqs == s->req_cap) {
        if (s->req_cap >= MAX_REQS) {
            s->oom = 1;
            s->too_many_reqs = 1;
            return NIL;
        }
        req *r = slab_grow(s->reqs, &s->req_cap, sizeof *s->reqs);
        if (r == NULL) {
            s->oom = 1;
            return NIL;
        }
        s->reqs = r;
    }
    return s->nreqs++;
}

static inline void req_release(sim *s, uint32_t i)
{
    s->reqs[i].next = s->req_free;
    s->req_free = i;
}

static uint32_t conn_alloc(sim *s)
{
    if (s->conn_free != NIL) {
        uint32_t i = s->conn_free;
        s->conn_free = s->conns[i].next;
        return i;
    }
    if (s->nconns == s->conn_cap) {
        conn *c = slab_grow(s->conns, &s->conn_cap, sizeof *s->conns);
        if (c == NULL) {
            s->oom = 1;
            return NIL;
        }
        s->conns = c;
    }
    return s->nconns++;
}

static inline void conn_release(sim *s, uint32_t i)
{
    s->conns[i].next = s->conn_free;
    s->conn_free = i;
}

/* Change the mappings a row holds.  Copy-on-write snapshot: the first change
 * after its gateway reached a new peak saves the value it had at the peak. */
static inline void held_add(sim *s, uint32_t r, uint32_t g, int delta)
{
    row_run *x = &s->rr[r];
    uint32_t e = s->gws[g].peak_epoch;   /* g: row r's gateway */
    if (x->snap_epoch != e) {
        x->snap_val = x->held;
        x->snap_epoch = e;
    }
    SIM_CHECK((int64_t)x->held + delta >= 0);
    x->held = (uint32_t)((int64_t)x->held + delta);
}

static inline gw_sample *cur_sample(sim *s, uint32_t g)
{
    return &s->gs[(size_t)g * s->nsamples + (uint32_t)s->k];
}

/* Release the TIME_WAIT mappings of gateway g that expire before `t`
 * (strictly before when `strict`: a sample at t sees the state just before
 * the events of t). */
static inline void expire_tw(sim *s, uint32_t g, sim_time t, int strict)
{
    tw_ring *w = &s->tw[g];
    while (w->n > 0) {
        const tw_entry *e = &w->buf[w->head & (w->cap - 1)];
        if (e->t > t || (strict && e->t == t))
            break;
        pool *pl = &s->pools[e->pool];
        pl->in_use--;
        if (w->next_t != NULL)   /* (meaningless once the pool has none left) */
            pl->tw_first_t = w->next_t[w->head & (w->cap - 1)];
        held_add(s, e->row, g, -1);
        w->head++;
        w->n--;
    }
}

/* When pool p (of gateway g) has a port free again, at the earliest, if
 * nothing else than TIME_WAIT expiries frees ports: its oldest TIME_WAIT
 * entry; SIM_TIME_NONE when it has none. */
static inline sim_time next_release(const sim *s, uint32_t p, uint32_t g)
{
    const pool *pl = &s->pools[p];
    if (pl->in_use - pl->active - pl->idle == 0)
        return SIM_TIME_NONE;
    if (!s->gws[g].linked) {   /* the gateway's only pool: the ring's head is its */
        const tw_ring *w = &s->tw[g];
        return w->buf[w->head & (w->cap - 1)].t;
    }
    return pl->tw_first_t;
}

/* sim_set_trace: record what happened at t to a request of row rw. */
static inline void trace(sim *s, sim_time t, uint32_t rw, uint32_t kind)
{
    if (__builtin_expect(s->trace == NULL, 1))
        return;
    size_t i = (*s->trace_n)++;
    if (i < s->trace_cap)
        s->trace[i] = (sim_trace_rec){t, rw, kind};
}

/* An attempt of row rw (gateway g) refused at time a, now or later (see
 * drop_certain_failures): counted in the interval of a. */
static inline void count_refused(sim *s, uint32_t rw, uint32_t p, uint32_t g, sim_time a)
{
    if (a < 0)
        return;   /* warm-up: not measured */
    pool *pl = &s->pools[p];
    pl->mark |= POOL_FAILED;
    trace(s, a, rw, SIM_TR_SYN_REFUSED);
    row_run *x = &s->rr[rw];
    x->attempts++;
    x->afail++;
    if (a < s->drop_lo || a >= s->drop_lo + s->sample_us) {   /* (a division is dear) */
        s->drop_k = (uint32_t)(a / s->sample_us);
        s->drop_lo = (sim_time)s->drop_k * s->sample_us;
    }
    gw_sample *y = &s->gs[(size_t)g * s->nsamples + s->drop_k];
    y->attempts++;
    y->afail++;
    if (__builtin_expect(s->nwatch != 0, 0))
        sim_watch_refused(s, p);
    if (a < s->gws[g].first_fail)
        s->gws[g].first_fail = a;
    if (__builtin_expect(pl->cap == 0, 0)) {   /* an instance without ports */
        y->portless++;
        if (p < s->gws[g].portless || s->gws[g].portless == NIL)
            s->gws[g].portless = p;
    }
}

/* Try to take a mapping from pool p for row r at time t. */
HOT int acquire(sim *s, uint32_t p, uint32_t r, sim_time t)
{
    pool *pl = &s->pools[p];
    uint32_t g = s->rows[r].gw;
    row_run *x = &s->rr[r];
    expire_tw(s, g, t, 0);
    if (pl->in_use >= pl->cap) {
        count_refused(s, r, p, g, t);
        return 0;
    }
    if (s->k >= 0) {
        x->attempts++;
        x->new_connections++;
        cur_sample(s, g)->attempts++;
        trace(s, t, r, SIM_TR_SYN_OK);
    }
    pl->in_use++;
    pl->active++;
    held_add(s, r, g, 1);
    gw_state *gs = &s->gws[g];
    if (pl->active + pl->idle > gs->omax)
        gs->omax = pl->active + pl->idle;
    if (pl->in_use > gs->imax) {
        gs->imax = pl->in_use;
        if (s->k >= 0 && gs->imax > gs->peak) {
            gs->peak = gs->imax;
            gs->peak_pool = p;
            gs->peak_epoch++;
        }
    }
    if (__builtin_expect(s->nwatch != 0, 0))
        sim_watch_acquire(s, p);
    return 1;
}

/* Double a TIME_WAIT ring (and its next_t when `linked`): 0, or -1 with
 * the ring intact when memory runs out.  Entries keep their sequence
 * numbers. */
static int tw_grow(tw_ring *w, int linked)
{
    uint32_t cap = w->cap ? w->cap * 2 : 1024;
    tw_entry *b = malloc((size_t)cap * sizeof *b);
    sim_time *nt = linked ? malloc((size_t)cap * sizeof *nt) : NULL;
    if (b == NULL || (linked && nt == NULL)) {
        free(b);
        free(nt);
        return -1;
    }
    for (uint32_t i = 0; i < w->n; i++) {
        uint32_t seq = w->head + i;
        b[seq & (cap - 1)] = w->buf[seq & (w->cap - 1)];
        if (nt != NULL)
            nt[seq & (cap - 1)] = w->next_t[seq & (w->cap - 1)];
    }
    free(w->buf);
    free(w->next_t);
    w->buf = b;
    w->next_t = nt;
    w->cap = cap;
    return 0;
}

/* A mapping leaves the connection: into TIME_WAIT for the gateway's time. */
HOT void to_time_wait(sim *s, uint32_t p, uint32_t r, sim_time t)
{
    uint32_t g = s->rows[r].gw;
    tw_ring *w = &s->tw[g];
    if (w->tw_us <= 0) {
        s->pools[p].in_use--;
        held_add(s, r, g, -1);
        return;
    }
    if (w->n == w->cap && tw_grow(w, s->gws[g].linked) != 0) {
        s->oom = 1;
        return;
    }
    uint32_t seq = w->head + w->n;
    w->buf[seq & (w->cap - 1)] = (tw_entry){t + w->tw_us, p, r};
    w->n++;
    if (w->next_t == NULL)
        return;
    pool *pl = &s->pools[p];   /* the caller took the mapping out of active or idle */
    if (pl->in_use - pl->active - pl->idle > 1)
        w->next_t[pl->tw_last & (w->cap - 1)] = t + w->tw_us;
    else
        pl->tw_first_t = t + w->tw_us;
    pl->tw_last = seq;
}

static void fail_request(sim *s, uint32_t q)
{
    req *rq = &s->reqs[q];
    if (rq->measured) {
        s->rr[rq->row].failed++;
        if (s->k >= 0)
            cur_sample(s, s->rows[rq->row].gw)->freq++;
    }
    req_release(s, q);
}

static inline ipool *ipool_of(sim *s, const req *rq)
{
    return &s->ipools[s->rows[rq->row].ipool_base + rq->inst];
}

static void arm_ipool(sim *s, uint32_t ip, sim_time at)
{
    ipool *p = &s->ipools[ip];
    if (p->timer_at != SIM_TIME_NONE && p->timer_at <= at)
        return;
    p->timer_at = at;
    push(s, at, EV_IPOOL, ip);
}

HOT void start_request(sim *s, uint32_t q, sim_time t);
HOT void on_syn(sim *s, uint32_t q, sim_time t);

/* Variates in blocks: the Exp(1) draws of the arrivals and each
 * destination's latencies are drawn VAR_BLOCK at a time into a buffer, in
 * a tight loop the CPU pipelines (the same draws one at a time between
 * events cost half as much again).  Exp(1) is -ln U with U uniform on
 * (0, 1): the same law as gsl_ran_exponential (which takes log1p(-U)), and
 * glibc's log is about twice as fast as its log1p.  The stream of draws
 * stays a pure function of the seed and the events. */
static void refill_exp(sim *s)
{
    for (unsigned i = 0; i < VAR_BLOCK; i++)
        s->xbuf[i] = -log(gsl_rng_uniform_pos(s->rng));
    s->xi = 0;
}

static void refill_latency(sim *s, uint32_t d)
{
    const latency_fit *f = &s->lat[d];
    sim_time *b = &s->lbuf[(size_t)d * VAR_BLOCK];
    if (f->dist == NC_LAT_LOGNORMAL) {
        /* GSL's ziggurat normals first, then the exponentials in a loop
         * of their own: two short loops pipeline better than one that
         * alternates them */
        double z[VAR_BLOCK];
        for (unsigned i = 0; i < VAR_BLOCK; i++)
            z[i] = gsl_ran_gaussian_ziggurat(s->rng, 1.0);
        for (unsigned i = 0; i < VAR_BLOCK; i++)
            b[i] = sim_from_s(exp(f->a + f->b * z[i]));
    } else {
        for (unsigned i = 0; i < VAR_BLOCK; i++)
            b[i] = sim_from_s(latency_sample(f, s->rng));
    }
    s->li[d] = 0;
}

static inline double exp1(sim *s)
{
    if (__builtin_expect(s->xi == VAR_BLOCK, 0))
        refill_exp(s);
    return s->xbuf[s->xi++];
}

/* How long a request to destination d holds its connection, µs. */
static inline sim_time latency_draw(sim *s, uint32_t d)
{
    if (__builtin_expect(s->li[d] == VAR_BLOCK, 0))
        refill_latency(s, d);
    return s->lbuf[(size_t)d * VAR_BLOCK + s->li[d]++];
}

/* Begin a new connection for request q: first SYN now. */
HOT void open_new(sim *s, uint32_t q, sim_time t)
{
    req *rq = &s->reqs[q];
    const row *r = &s->rows[rq->row];
    uint32_t d = r->dest;
    /* addresses in turn (no division: this runs for every new connection) */
    uint32_t a = s->dest_rr[d];
    rq->addr = a;
    s->dest_rr[d] = a + 1 == s->dest_addresses[d] ? 0 : a + 1;
    rq->pool = r->pool_base + rq->inst * r->inst_stride + rq->addr * r->addr_stride;
    rq->start = t;
    rq->conn = NIL;
    on_syn(s, q, t);
}

/* A connection slot of the ipool was freed: the head waiter opens a new one. */
static void slot_freed(sim *s, uint32_t ip, sim_time t)
{
    ipool *p = &s->ipools[ip];
    if (p->wait_head == NIL)
        return;
    uint32_t q = p->wait_head;
    p->wait_head = s->reqs[q].next;
    if (p->wait_head == NIL)
        p->wait_tail = NIL;
    p->open++;
    open_new(s, q, t);
}

/* The request holds its connection for a latency draw (plus handshake). */
HOT void hold(sim *s, uint32_t q, sim_time t, int fresh)
{
    req *rq = &s->reqs[q];
    const row *r = &s->rows[rq->row];
    trace(s, t, rq->row, SIM_TR_HOLD);
    sim_time d = latency_draw(s, r->dest);
    if (fresh)
        d += r->handshake_us;
    push(s, t + d, EV_DONE, q);
}

/* The connection attempt of request q times out at `at` (now or later):
 * the retry is queued for at + backoff, or the failure is counted in the
 * interval of `at`.  A row without connection pools has nothing else to do
 * at `at`, so its last dropped SYN calls this at once instead of queueing
 * an EV_CFAIL: one event less per timed-out attempt. */
static void connect_failed(sim *s, uint32_t q, sim_time at)
{
    req *rq = &s->reqs[q];
    const row *r = &s->rows[rq->row];
    if (at >= s->duration_us) {
        req_release(s, q);   /* the run ends first */
        return;
    }
    if (rq->retries_left > 0) {
        rq->retries_left--;
        if (rq->measured)
            s->rr[rq->row].retries++;
        push_fifo(s, SYN_FIFOS + s->nrows + rq->row,
                  (fifo_entry){at + r->backoff_us, EQ_REF(EV_RETRY, q), 0, 0, 0});
        return;
    }
    if (rq->measured) {
        s->rr[rq->row].failed++;
        if (at >= 0)
            s->gs[(size_t)r->gw * s->nsamples + (size_t)(at / s->sample_us)].freq++;
    }
    req_release(s, q);
}

/* Request q got a mapping from its pool at t: a new connection. */
HOT void connected(sim *s, uint32_t q, sim_time t)
{
    req *rq = &s->reqs[q];
    if (s->rows[rq->row].pool_idle > 0) {
        uint32_t c = conn_alloc(s);
        if (c == NIL)
            return;
        s->conns[c] = (conn){rq->pool, NIL, NIL, 1, t};
        rq->conn = c;
    }
    hold(s, q, t, 1);
}

/* SYN n (0: the first) of request q's attempt, which began at `start`
 * from pool p of row rw, was dropped: retransmit at start + 2^(n+1) - 1 s
 * while the connect deadline allows, else the attempt times out then. */
static void syn_dropped(sim *s, uint32_t q, uint32_t p, uint32_t rw, sim_time start, uint32_t n)
{
    const row *r = &s->rows[rw];
    n++;
    sim_time deadline = start + r->connect_deadline_us;
    sim_time next = n <= r->syn_retries && n < SYN_FIFOS
                        ? start + (((sim_time)1 << n) - 1) * SIM_US_PER_S
                        : SIM_TIME_NONE;
    if (next < deadline)
        push_fifo(s, n, (fifo_entry){next, EQ_REF(EV_SYN, q), p, rw, 0});
    else if (r->ipool_base != NIL)
        push_fifo(s, SYN_FIFOS + rw, (fifo_entry){deadline, EQ_REF(EV_CFAIL, q), 0, 0, 0});
    else
        connect_failed(s, q, deadline);
}

/* The first SYN of request q's attempt (rq->start = t). */
HOT void on_syn(sim *s, uint32_t q, sim_time t)
{
    req *rq = &s->reqs[q];
    if (acquire(s, rq->pool, rq->row, t))
        connected(s, q, t);
    else
        syn_dropped(s, q, rq->pool, rq->row, t, 0);
}

/* Retransmission family n has just had its head at t.  Its next entries are
 * settled now, without events, while their outcome is already certain: the
 * pool is full now and no port of it can come free before the entry's time.
 * On a `steady` gateway ports come free only when TIME_WAIT ends, so the
 * pool stays full until its oldest TIME_WAIT entry expires (or, with none,
 * at least time_wait_s from now).  In a connection storm most
 * retransmissions are such: each costs a count and a move to the next
 * family instead of a trip through the event queue.  The figures are those
 * of the events: counts go to each attempt's own time, and family n + 1,
 * fed only by family n, stays in order. */
static void drop_certain_failures(sim *s, uint32_t n, sim_time t)
{
    fifo *x = &s->fifos[n];
    for (uint32_t i = 0; i < x->n;) {
        fifo_entry *e = &x->buf[(x->head + i) & (x->cap - 1)];
        uint32_t g = s->rows[e->row].gw;
        if (!s->gws[g].steady)
            return;
        expire_tw(s, g, t, 0);
        const pool *pl = &s->pools[e->pool];
        if (pl->in_use < pl->cap)
            return;
        sim_time free_at = next_release(s, e->pool, g);
        if (free_at == SIM_TIME_NONE)
            free_at = t + s->tw[g].tw_us;
        if (free_at <= e->t)
            return;
        if (s->no_shortcuts) {   /* only mark it: its event must then fail */
            s->doomed += !e->doomed;
            e->doomed = 1;
            i++;
            continue;
        }
        fifo_entry d = *e;
        x->head = (x->head + 1) & (x->cap - 1);
        x->n--;
        count_refused(s, d.row, d.pool, g, d.t);
        syn_dropped(s, EQ_IDX(d.ref), d.pool, d.row, d.t - (((sim_time)1 << n) - 1) * SIM_US_PER_S, n);
    }
}

/* Retransmission n of a SYN (an entry of FIFO family n) is due at t. */
static void on_retransmit(sim *s, const fifo_entry *e, uint32_t n, sim_time t)
{
    uint32_t q = EQ_IDX(e->ref);
    if (acquire(s, e->pool, e->row, t)) {
        s->doomed_connected += e->doomed;
        connected(s, q, t);
    }
    else
        syn_dropped(s, q, e->pool, e->row, t - (((sim_time)1 << n) - 1) * SIM_US_PER_S, n);
}

static void on_cfail(sim *s, uint32_t q, sim_time t)
{
    const row *r = &s->rows[s->reqs[q].row];
    uint32_t ip = r->ipool_base + s->reqs[q].inst;   /* only rows with ipools get here */
    s->ipools[ip].open--;
    slot_freed(s, ip, t);
    connect_failed(s, q, t);
}

HOT void on_done(sim *s, uint32_t q, sim_time t)
{
    req *rq = &s->reqs[q];
    uint32_t rw = rq->row;
    const row *r = &s->rows[rw];
    uint32_t p = rq->pool;
    if (r->pool_idle == 0) {
        s->pools[p].active--;
        to_time_wait(s, p, rw, t);
        if (r->ipool_base != NIL) {
            uint32_t ip = r->ipool_base + rq->inst;
            s->ipools[ip].open--;
            slot_freed(s, ip, t);
        }
        req_release(s, q);
        return;
    }
    uint32_t ip = r->ipool_base + rq->inst;
    ipool *pl = &s->ipools[ip];
    uint32_t c = rq->conn;
    req_release(s, q);
    if (pl->wait_head != NIL) {
        /* hand the connection to the next waiting request */
        uint32_t w = pl->wait_head;
        pl->wait_head = s->reqs[w].next;
        if (pl->wait_head == NIL)
            pl->wait_tail = NIL;
        s->reqs[w].conn = c;
        s->reqs[w].pool = s->conns[c].pool;
        if (s->reqs[w].measured)
            s->rr[rw].reused++;
        hold(s, w, t, 0);
        return;
    }
    if (pl->nidle < r->pool_idle) {
        conn *cn = &s->conns[c];
        s->pools[cn->pool].active--;
        s->pools[cn->pool].idle++;
        cn->since = t;
        cn->mapped = 1;
        cn->next = NIL;
        cn->prev = pl->idle_tail;
        if (pl->idle_tail != NIL)
            s->conns[pl->idle_tail].next = c;
        else
            pl->idle_head = c;
        pl->idle_tail = c;
        if (pl->first_mapped == NIL)
            pl->first_mapped = c;
        pl->nidle++;
        sim_time due = r->keepalive_us;
        if (r->idle_timeout_us < due)
            due = r->idle_timeout_us;
        arm_ipool(s, ip, t + due);
        return;
    }
    s->pools[p].active--;
    to_time_wait(s, p, rw, t);
    conn_release(s, c);
    pl->open--;
    slot_freed(s, ip, t);
}

/* Unlink conn c from ipool pl's idle list. */
static void idle_unlink(sim *s, ipool *pl, uint32_t c)
{
    conn *cn = &s->conns[c];
    if (pl->first_mapped == c)
        pl->first_mapped = cn->next;
    if (cn->prev != NIL)
        s->conns[cn->prev].next = cn->next;
    else
        pl->idle_head = cn->next;
    if (cn->next != NIL)
        s->conns[cn->next].prev = cn->prev;
    else
        pl->idle_tail = cn->prev;
    pl->nidle--;
}

static void on_ipool(sim *s, uint32_t ip, sim_time t)
{
    ipool *pl = &s->ipools[ip];
    if (pl->timer_at != t)
        return;   /* superseded by an earlier arming */
    pl->timer_at = SIM_TIME_NONE;
    uint32_t rw = pl->row;
    const row *r = &s->rows[rw];
    while (pl->wait_head != NIL && s->reqs[pl->wait_head].start <= t) {
        uint32_t q = pl->wait_head;
        pl->wait_head = s->reqs[q].next;
        if (pl->wait_head == NIL)
            pl->wait_tail = NIL;
        fail_request(s, q);
    }
    sim_time next = SIM_TIME_NONE;
    {
        while (pl->idle_head != NIL && s->conns[pl->idle_head].since + r->keepalive_us <= t) {
            uint32_t c = pl->idle_head;
            conn *cn = &s->conns[c];
            idle_unlink(s, pl, c);
            if (cn->mapped) {
                s->pools[cn->pool].idle--;
                to_time_wait(s, cn->pool, rw, t);
            }
            conn_release(s, c);
            pl->open--;
        }
        if (r->idle_timeout_us < r->keepalive_us) {
            while (pl->first_mapped != NIL &&
                   s->conns[pl->first_mapped].since + r->idle_timeout_us <= t) {
                conn *cn = &s->conns[pl->first_mapped];
                cn->mapped = 0;
                s->pools[cn->pool].idle--;
                s->pools[cn->pool].in_use--;
                held_add(s, rw, r->gw, -1);
                pl->first_mapped = cn->next;
            }
            if (pl->first_mapped != NIL)
                next = s->conns[pl->first_mapped].since + r->idle_timeout_us;
        }
        if (pl->idle_head != NIL && s->conns[pl->idle_head].since + r->keepalive_us < next)
            next = s->conns[pl->idle_head].since + r->keepalive_us;
    }
    if (pl->wait_head != NIL && s->reqs[pl->wait_head].start < next)
        next = s->reqs[pl->wait_head].start;
    if (next != SIM_TIME_NONE)
        arm_ipool(s, ip, next);
}

HOT void start_request(sim *s, uint32_t q, sim_time t)
{
    req *rq = &s->reqs[q];
    const row *r = &s->rows[rq->row];
    if (r->ipool_base == NIL) {
        open_new(s, q, t);
        return;
    }
    uint32_t ip = r->ipool_base + rq->inst;
    ipool *pl = &s->ipools[ip];
    if (pl->idle_tail != NIL) {
        uint32_t c = pl->idle_tail;
        conn *cn = &s->conns[c];
        idle_unlink(s, pl, c);
        if (cn->mapped) {
            s->pools[cn->pool].idle--;
            s->pools[cn->pool].active++;
            rq->conn = c;
            rq->pool = cn->pool;
            if (rq->measured)
                s->rr[rq->row].reused++;
            hold(s, q, t, 0);
            return;
        }
        /* the gateway dropped this mapping: the request fails on it and
         * goes again on a new connection, without spending a retry */
        if (rq->measured) {   /* in total and in its interval alike */
            s->rr[rq->row].stale++;
            cur_sample(s, r->gw)->stale++;
        }
        conn_release(s, c);
        open_new(s, q, t);   /* the slot of the closed connection is reused */
        return;
    }
    if (r->pool_max == 0 || pl->open < r->pool_max) {
        pl->open++;
        open_new(s, q, t);
        return;
    }
    rq->start = t + r->wait_timeout_us;   /* deadline while waiting */
    rq->next = NIL;
    if (pl->wait_tail != NIL)
        s->reqs[pl->wait_tail].next = q;
    else
        pl->wait_head = q;
    pl->wait_tail = q;
    arm_ipool(s, ip, rq->start);
}

HOT void on_arrival(sim *s, uint32_t rw, sim_time t)
{
    row *r = &s->rows[rw];
    double next = arrivals_next(&r->arr, r->next_s, exp1(s));
    r->next_s = next;
    /* this arrival is the top of the arrival heap: replace it by the next */
    sim_time tn = sim_from_s(next) > t ? sim_from_s(next) : t;
    if (!s->arrival_heap) {
        if (next < s->duration_s)
            push(s, tn, EV_ARRIVAL, rw);
    } else if (next < s->duration_s && tn < s->duration_us) {
        ah_replace_top(&s->aq, tn);
    } else {
        ah_pop(&s->aq);
    }
    s->arrivals++;
    uint32_t q = req_alloc(s);
    if (q == NIL)
        return;
    req *rq = &s->reqs[q];
    rq->row = rw;
    rq->inst = r->need_inst ? (uint32_t)gsl_rng_uniform_int(s->rng, r->instances) : 0;
    rq->retries_left = r->retries;
    rq->measured = s->k >= 0;
    rq->conn = NIL;
    trace(s, t, rw, SIM_TR_ARRIVAL);
    if (rq->measured) {
        s->rr[rw].requests++;
        cur_sample(s, r->gw)->requests++;
    }
    start_request(s, q, t);
}

/* -------------------------------------------------------- measurement */

/* End of interval k: record the state of every gateway's fullest pool. */
static void record_sample(sim *s, sim_time boundary)
{
    uint32_t k = (uint32_t)s->k;
    for (uint32_t g = 0; g < s->ngw; g++) {
        gw_state *gs = &s->gws[g];
        expire_tw(s, g, boundary, 1);
        const pool *best = &s->pools[gs->pool_lo];
        for (uint32_t p = gs->pool_lo; p < gs->pool_hi; p++) {
            pool *pl = &s->pools[p];
            if (pl->in_use > best->in_use)
                best = pl;
            if (pl->in_use > (pl->mark & ~POOL_FAILED))
                pl->mark = (pl->mark & POOL_FAILED) | pl->in_use;
        }
        gw_sample *x = &s->gs[(size_t)g * s->nsamples + k];
        x->in_use = best->in_use;
        x->active = best->active;
        x->idle = best->idle;
        x->tw = best->in_use - best->active - best->idle;
        x->imax = gs->imax;
        gs->imax = best->in_use;   /* the next interval starts at this level */
        x->omax = gs->omax;
        gs->omax = best->active + best->idle;
    }
    if (s->nwatch != 0)
        sim_watch_sample(s, k);
    for (uint32_t i = 0; i < s->nrows; i++)
        s->row_held[(size_t)i * s->nsamples + k] = s->rr[i].held;
    if (SIM_CHECKS)
        sim_check_invariants(s);
}

/* Entering the measured period at t = 0. */
static void start_measuring(sim *s)
{
    s->k = 0;
    for (uint32_t g = 0; g < s->ngw; g++) {
        gw_state *gs = &s->gws[g];
        expire_tw(s, g, 0, 1);
        uint32_t m = 0, mp = gs->pool_lo;
        for (uint32_t p = gs->pool_lo; p < gs->pool_hi; p++) {
            if (s->pools[p].in_use > m) {
                m = s->pools[p].in_use;
                mp = p;
            }
        }
        gs->imax = m;
        gs->peak = m;
        gs->peak_pool = mp;
        gs->omax = 0;
        for (uint32_t p = gs->pool_lo; p < gs->pool_hi; p++)
            if (s->pools[p].active + s->pools[p].idle > gs->omax)
                gs->omax = s->pools[p].active + s->pools[p].idle;
        gs->peak_epoch++;
    }
    if (s->nwatch != 0)
        sim_watch_start(s);
}

static void reset(sim *s)
{
    memset(s->rr, 0, s->nrows * sizeof *s->rr);
    for (uint32_t p = 0; p < s->npools; p++)
        s->pools[p].in_use = s->pools[p].active = s->pools[p].idle = s->pools[p].mark = 0;
    for (uint32_t i = 0; i < s->nipools; i++)
        s->ipools[i] = (ipool){s->ipools[i].row, 0, 0, NIL, NIL, NIL, NIL, NIL, SIM_TIME_NONE};
    for (uint32_t g = 0; g < s->ngw; g++) {
        s->gws[g].imax = s->gws[g].peak = s->gws[g].omax = 0;
        s->gws[g].peak_epoch = 1;
        s->gws[g].first_fail = SIM_TIME_NONE;
        s->gws[g].portless = NIL;
        s->gws[g].peak_pool = s->gws[g].pool_lo;
        s->tw[g].head = s->tw[g].n = 0;
    }
    memset(s->dest_rr, 0, s->ndest * sizeof *s->dest_rr);
    memset(s->gs, 0, (size_t)s->ngw * s->nsamples * sizeof *s->gs);
    memset(s->row_held, 0, (size_t)s->nrows * s->nsamples * sizeof *s->row_held);
    if (s->nwatch != 0)
        sim_watch_reset(s);
    s->nconns = 0;
    s->conn_free = NIL;
    s->nreqs = 0;
    s->req_free = NIL;
    eq_reset(&s->q);
    s->aq.n = 0;
    s->too_many_reqs = 0;
    for (uint32_t f = 0; f < s->nfifos; f++) {
        s->fifos[f].head = s->fifos[f].n = 0;
        s->fifos[f].pending = 0;
    }
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

static void dispatch(sim *s, uint32_t ref, sim_time t)
{
    uint32_t idx = EQ_IDX(ref);
    switch (EQ_KIND(ref)) {
    case EV_ARRIVAL: on_arrival(s, idx, t); break;
    case EV_DONE: on_done(s, idx, t); break;
    case EV_CFAIL: on_cfail(s, idx, t); break;
    case EV_RETRY: start_request(s, idx, t); break;
    case EV_IPOOL: on_ipool(s, idx, t); break;
    case EV_FIFO: {
        /* the family's head is due: run it, then queue the next head */
        fifo *x = &s->fifos[idx];
        fifo_entry e = x->buf[x->head];
        x->head = (x->head + 1) & (x->cap - 1);
        x->n--;
        if (EQ_KIND(e.ref) == EV_SYN) {
            on_retransmit(s, &e, idx, t);   /* family idx is retransmission idx */
            drop_certain_failures(s, idx, t);
        } else {
            dispatch(s, e.ref, t);   /* (never pushes into its own family) */
        }
        x->pending = x->n > 0;
        if (x->pending)
            push(s, x->buf[x->head].t, EV_FIFO, idx);
        break;
    }
    default: break;
    }
}

nc_status sim_run(sim *s, const gsl_rng_type *T, unsigned long seed, const sim_ctl *ctl,
                  nc_error *err)
{
    if (s->rng == NULL || s->rng_type != T) {
        if (s->rng != NULL)
            gsl_rng_free(s->rng);
        s->rng = gsl_rng_alloc(T);
        s->rng_type = T;
        if (s->rng == NULL)
            return oom(err);
    }
    gsl_rng_set(s->rng, seed);
    reset(s);
    sim_time t0 = -s->warmup_us;
    for (uint32_t i = 0; i < s->nrows; i++) {
        row *r = &s->rows[i];
        r->arr.day = LONG_MIN;   /* force the cursor to be placed */
        double next = arrivals_next(&r->arr, sim_to_s(t0), exp1(s));
        r->next_s = next;
        if (next < s->duration_s && sim_from_s(next) < s->duration_us &&
            (s->arrival_heap ? ah_push(&s->aq, sim_from_s(next), i)
                             : eq_push(&s->q, sim_from_s(next), EQ_REF(EV_ARRIVAL, i))) != 0)
            return oom(err);
    }
    if (s->oom)
        return oom(err);
    sim_time end = s->duration_us;
    sim_time boundary = 0;       /* next time at which something is recorded */
    sim_time last = t0;          /* SIM_CHECK: time never goes back */
    uint64_t events = 0;
    for (;;) {
        /* the earlier of the next arrival and the queue's next event; at
         * the same microsecond the queue (what follows earlier requests)
         * goes first */
        sim_time ta = ah_top_time(&s->aq), t = eq_next(&s->q, ta);
        uint32_t ref = 0;
        int got = 1;
        if (__builtin_expect(t == EQ_ERROR, 0))
            return oom(err);
        if (ta < t) {
            t = ta;
            ref = EQ_REF(EV_ARRIVAL, s->aq.h[0].row);
        } else if (t != SIM_TIME_NONE) {
            if (eq_pop(&s->q, &t, &ref) < 0)
                return oom(err);
        } else {
            got = 0;
        }
        while (s->k < (int32_t)s->nsamples && (got == 0 || t >= boundary)) {
            if (s->k < 0) {
                start_measuring(s);
            } else {
                record_sample(s, boundary);
                s->k++;
            }
            boundary = (sim_time)(s->k + 1) * s->sample_us;
            if (boundary > end)
                boundary = end;
        }
        if (got == 0)
            break;
        SIM_CHECK(t >= last);
        last = t;
        dispatch(s, ref, t);
        if (__builtin_expect(s->oom, 0)) {
            if (s->too_many_reqs)
                return nc_error_set(err, NC_EINPUT, NULL, 0, NULL,
                                    "scenario '%s': more than %u requests in flight at %.0f s "
                                    "(waiting for pooled connections or connecting): too large to "
                                    "simulate; raise pool_max or lower pool_wait_timeout_s",
                                    s->sc->name, MAX_REQS, sim_to_s(t));
            return oom(err);
        }
        if (__builtin_expect((++events & 0xffff) == 0, 0) && ctl != NULL) {
            if (ctl->clock_us != NULL)
                *ctl->clock_us = t;
            if (ctl->requests != NULL)
                *ctl->requests = s->arrivals;
            if (ctl->stop != NULL && *ctl->stop)
                return nc_error_set(err, NC_EINTR, NULL, 0, NULL, "interrupted");
        }
    }
    return NC_OK;
}
void sim_set_shortcuts(sim *s, int on) { s->no_shortcuts = !on; }

void sim_set_trace(sim *s, sim_trace_rec *buf, size_t cap, size_t *n)
{
    s->trace = buf;
    s->trace_cap = cap;
    s->trace_n = n;
    if (buf != NULL)
        *n = 0;
}

uint64_t sim_shortcut_check(const sim *s, uint64_t *connected)
{
    *connected = s->doomed_connected;
    return s->doomed;
}

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
            const pool *pl = &s->pools[p];
            uint64_t hi = pl->mark & ~POOL_FAILED;
            x->npools += pl->cap > 0;
            exhausted += (pl->mark & POOL_FAILED) != 0;
            /* at or over the alert level (80 %) at an interval end, or an
             * instance without ports that had requests (100 %) */
            alert += pl->cap > 0 ? 5 * hi >= 4 * (uint64_t)pl->cap : (pl->mark & POOL_FAILED) != 0;
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
