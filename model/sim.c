/*
 * sim.c - the discrete-event model of SPEC §3 (see sim.h).
 *
 * What happens to a request is told here (dispatch); the state machines it
 * drives are header-inline modules, each checked against a brute-force
 * reference (tests/check_sim_parts.c):
 *   nat_pool.h    a gateway's allocation pools (SPEC §2 "Allocation pools":
 *                 four counters each) and its TIME_WAIT ring;
 *   syn_timers.h  the retransmission schedule and the FIFO families of
 *                 retransmission, connect-deadline and retry timers;
 *   conn_pool.h   one instance's connection pool to one destination (rows
 *                 with pool_idle or pool_max, here "ipool"): idle
 *                 connections and waiting requests.
 * What is measured is counted here too, through the count_* functions:
 * the modules count nothing.  Objects are in flat arrays indexed by
 * uint32_t; a req is a request in flight: connecting, waiting or holding a
 * connection.
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
 * come in the order they were entered: a ring per gateway, applied lazily,
 * no events at all (nat_pool.h).  Retransmission n, a row's connect
 * deadline and its retry backoff are constant delays: a FIFO family each,
 * only its head in the event queue (syn_timers.h).  keepalive_s, the
 * gateway's idle timeout and pool_wait_timeout_s are constant per row: one
 * timer per ipool, re-armed lazily, instead of a timer per connection
 * (conn_pool.h).
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

/* Schedule e (at e.t) through timer family f (syn_timers.h): not earlier
 * than the family's last entry.  Inlined: passed on the stack, e stalled
 * its reload (make bench (c') 3 %). */
HOT void push_fifo(sim *s, uint32_t f, syn_entry e)
{
    int st = syn_push(&s->st, f, e);
    if (st < 0)
        s->oom = 1;
    else if (st > 0)
        push(s, e.t, EV_FIFO, f);
}

static uint32_t req_alloc(sim *s)
{
    if (s->req_free != NIL) {
        uint32_t i = s->req_free;
        s->req_free = s->reqs[i].next;
        return i;
    }
    if (s->nreqs == s->req_cap) {
        uint32_t cap = s->req_cap ? s->req_cap * 2 : 1024;
        req *r = cap > MAX_REQS ? NULL : realloc(s->reqs, (size_t)cap * sizeof *r);
        if (r == NULL) {
            s->oom = 1;
            s->too_many_reqs = cap > MAX_REQS;
            return NIL;
        }
        s->reqs = r;
        s->req_cap = cap;
    }
    return s->nreqs++;
}

static inline void req_release(sim *s, uint32_t i)
{
    s->reqs[i].next = s->req_free;
    s->req_free = i;
}

/* The requests waiting in connection pools: linked through next, with
 * their deadline in start (conn_pool.h). */
static inline cp_waiters waiters(sim *s)
{
    return (cp_waiters){(char *)&s->reqs->next, (char *)&s->reqs->start, sizeof *s->reqs};
}

/* ------------------------------------------------------------ counting */

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

/* ------------------------------------------------------------ ports */

/* Gateways with port_selection linux_probe know which port each mapping
 * holds (port_map.h); the others only count.  On those a mapping's port
 * goes with it: request, connection, TIME_WAIT or RST ring entry. */

static inline uint64_t *port_bits(sim *s, uint32_t p) { return s->pbits + s->pword[p]; }

/* Take a port of pool p (probing gateway x) for request q by Linux's
 * search: 1, or 0 when the search finds none.  A full pool refuses
 * without a draw, as the settled failures of drop_certain_failures do. */
static int probe_acquire(sim *s, uint32_t q, uint32_t p, const gw_state *x)
{
    nat_pool *pl = &s->pools[p];
    if (pl->in_use >= pl->cap)
        return 0;
    /* the NAT IP: the kernel hashes the client's and the destination's
     * addresses; over many clients, one at random */
    uint32_t ip = x->probe_ips > 1 ? (uint32_t)gsl_rng_uniform_int(s->rng, x->probe_ips) : 0;
    uint32_t base = ip * pm_words(x->probe_range);
    uint64_t *b = port_bits(s, p) + base;
    int32_t f = pm_probe(b, x->probe_range, s->rng);
    if (f < 0)
        return 0;
    pm_take(b, (uint32_t)f);
    s->reqs[q].port = base * 64u + (uint32_t)f;
    return nat_acquire(pl);
}

/* A mapping of pool p holding `port` left active or idle as `st` says
 * (nat_to_time_wait's answer for ring w). */
static inline void port_released(sim *s, uint32_t g, nat_tw_ring *w, uint32_t p, uint32_t port,
                                 int st)
{
    if (__builtin_expect(s->gws[g].probe_range == 0, 1))
        return;
    if (st == NAT_TIME_WAIT)
        nat_ring_set_newest_port(w, port);
    else if (st == NAT_FREED)
        pm_free(port_bits(s, p), port);
}

/* expire_tw of a gateway that knows its ports. */
static void expire_ports(sim *s, uint32_t g, sim_time t, int strict)
{
    uint32_t r;
    for (nat_tw_ring *w = &s->tw[g]; w->n > 0;) {
        uint32_t port = nat_ring_oldest_port(w), p = nat_ring_at(w, 0)->pool;
        if (!nat_expire_one(w, s->pools, t, strict, &r))
            break;
        pm_free(port_bits(s, p), port);
        held_add(s, r, g, -1);
    }
    for (nat_tw_ring *w = &s->rst[g]; w->n > 0;) {
        uint32_t port = nat_ring_oldest_port(w), p = nat_ring_at(w, 0)->pool;
        if (!nat_expire_rst(w, s->pools, t, strict, &r))
            break;
        pm_free(port_bits(s, p), port);
        held_add(s, r, g, -1);
    }
}

/* Release the TIME_WAIT mappings of gateway g that expire before `t`
 * (strictly before when `strict`: a sample at t sees the state just before
 * the events of t). */
HOT void expire_tw(sim *s, uint32_t g, sim_time t, int strict)
{
    uint32_t r;
    if (__builtin_expect(s->gws[g].probe_range != 0, 0)) {
        expire_ports(s, g, t, strict);
        return;
    }
    while (nat_expire_one(&s->tw[g], s->pools, t, strict, &r))
        held_add(s, r, g, -1);
    if (__builtin_expect(s->gws[g].resets, 0))
        while (nat_expire_rst(&s->rst[g], s->pools, t, strict, &r))
            held_add(s, r, g, -1);
}

/* Row r (gateway g) closed a mapping: nat_close_active/idle said `st`. */
static inline void closed(sim *s, int st, uint32_t r, uint32_t g)
{
    if (st == NAT_FREED)
        held_add(s, r, g, -1);
    else if (__builtin_expect(st == NAT_ENOMEM, 0))
        s->oom = 1;
}

/* Row rw (row r) closes an active (or, with `idle`, an idle) mapping of
 * pool p at t: by an RST with chance r->rst_p (one uniform draw,
 * only for rows that have the chance), else with a FIN into TIME_WAIT. */
static inline int rst_close(sim *s, const row *r)
{
    return __builtin_expect(r->rst_p > 0, 0) && gsl_rng_uniform(s->rng) < r->rst_p;
}

HOT void close_mapping(sim *s, const row *r, uint32_t p, uint32_t port, uint32_t rw, sim_time t,
                       int idle)
{
    if (idle)
        s->pools[p].idle--;
    else
        s->pools[p].active--;
    int rst = rst_close(s, r);
    nat_tw_ring *w = rst ? &s->rst[r->gw] : &s->tw[r->gw];
    int st = rst ? nat_rst_hold(w, s->pools, p, rw, t) : nat_to_time_wait(w, s->pools, p, rw, t);
    port_released(s, r->gw, w, p, port, st);
    closed(s, st, rw, r->gw);
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
    s->pool_mark[p] |= POOL_FAILED;
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
    if (__builtin_expect(s->pools[p].cap == 0, 0)) {   /* an instance without ports */
        y->portless++;
        if (p < s->gws[g].portless || s->gws[g].portless == NIL)
            s->gws[g].portless = p;
    }
}

/* Row r's attempt at t got a mapping of pool p (gateway g). */
HOT void count_acquired(sim *s, uint32_t p, uint32_t r, uint32_t g, sim_time t)
{
    const nat_pool *pl = &s->pools[p];
    if (s->k >= 0) {
        row_run *x = &s->rr[r];
        x->attempts++;
        x->new_connections++;
        cur_sample(s, g)->attempts++;
        trace(s, t, r, SIM_TR_SYN_OK);
    }
    held_add(s, r, g, 1);
    gw_state *gs = &s->gws[g];
    if (nat_pool_open(pl) > gs->omax)
        gs->omax = nat_pool_open(pl);
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
}

/* A request fails: counted where it arrived, in the interval of `at`. */
static inline void count_failed(sim *s, const req *rq, sim_time at)
{
    if (!rq->measured)
        return;
    s->rr[rq->row].failed++;
    if (at >= 0)
        s->gs[(size_t)s->rows[rq->row].gw * s->nsamples + (size_t)(at / s->sample_us)].freq++;
}

/* A measured request of row rw holds a reused connection (stale: it found
 * the mapping of its idle connection dropped). */
static inline void count_reused(sim *s, const req *rq, uint32_t rw, int stale)
{
    if (!rq->measured)
        return;
    if (!stale) {
        s->rr[rw].reused++;
        return;
    }
    s->rr[rw].stale++;   /* in total and in its interval alike */
    cur_sample(s, s->rows[rw].gw)->stale++;
}

/* ------------------------------------------------------------ variates */

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

/* ------------------------------------------------------------ handlers */

HOT void start_request(sim *s, uint32_t q, sim_time t);
HOT void on_syn(sim *s, uint32_t q, sim_time t);

static void arm_ipool(sim *s, uint32_t ip, sim_time at)
{
    if (cp_arm(&s->ipools[ip], at))
        push(s, at, EV_IPOOL, ip);
}

/* Try to take a mapping from pool p for request q of row r at time t. */
HOT int acquire(sim *s, uint32_t q, uint32_t p, uint32_t r, sim_time t)
{
    uint32_t g = s->rows[r].gw;
    expire_tw(s, g, t, 0);
    if (__builtin_expect(s->gws[g].probe_range != 0, 0) ? !probe_acquire(s, q, p, &s->gws[g])
                                                        : !nat_acquire(&s->pools[p])) {
        count_refused(s, r, p, g, t);
        return 0;
    }
    count_acquired(s, p, r, g, t);
    return 1;
}

/* Begin a new connection for request q: first SYN now. */
HOT void open_new(sim *s, uint32_t q, sim_time t)
{
    req *rq = &s->reqs[q];
    const row *r = &s->rows[rq->row];
    uint32_t d = r->dest;
    /* addresses in turn (no division: this runs for every new connection) */
    uint32_t a = s->dest_rr[d];
    s->dest_rr[d] = a + 1 == s->dest_addresses[d] ? 0 : a + 1;
    rq->pool = r->pool_base + rq->inst * r->inst_stride + a * r->addr_stride;
    rq->start = t;
    rq->conn = NIL;
    on_syn(s, q, t);
}

/* A connection of the ipool closed (or never opened): its slot goes to
 * the head waiter, which opens a new one. */
static void slot_freed(sim *s, uint32_t ip, sim_time t)
{
    conn_pool *p = &s->ipools[ip];
    p->open--;
    uint32_t q = cp_wait_pop(p, waiters(s));
    if (q == NIL)
        return;
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
 * the retry is queued for after the backoff, or the failure is counted in
 * the interval of `at`.  A row without connection pools has nothing else
 * to do at `at`, so its last dropped SYN calls this at once instead of
 * queueing an EV_CFAIL: one event less per timed-out attempt. */
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
        push_fifo(s, syn_retry_family(&s->st, rq->row),
                  (syn_entry){.t = syn_retry_at(at, r->backoff_us), .ref = EQ_REF(EV_RETRY, q)});
        return;
    }
    count_failed(s, rq, at);
    req_release(s, q);
}

/* Request q got a mapping from its pool at t: a new connection. */
HOT void connected(sim *s, uint32_t q, sim_time t)
{
    req *rq = &s->reqs[q];
    if (s->rows[rq->row].pool_idle > 0) {
        uint32_t c = cp_conn_alloc(&s->conns);
        if (c == NIL) {
            s->oom = 1;
            return;
        }
        s->conns.v[c] = (cp_conn){.pool = rq->pool, .prev = NIL, .next = NIL, .mapped = 1,
                                  .port = rq->port, .since = t};
        rq->conn = c;
    }
    hold(s, q, t, 1);
}

/* SYN n (0: the first) of request q's attempt, which began at `start`
 * from pool p of row rw, was dropped: the next retransmission while the
 * connect deadline allows, else the attempt times out then. */
static void syn_dropped(sim *s, uint32_t q, uint32_t p, uint32_t rw, sim_time start, uint32_t n)
{
    const row *r = &s->rows[rw];
    sim_time at;
    n = syn_after_drop(start, n, r->syn_retries, r->connect_deadline_us, &at);
    if (n > 0)
        push_fifo(s, n, (syn_entry){at, EQ_REF(EV_SYN, q), p, rw, 0});
    else if (r->ipool_base != NIL)
        push_fifo(s, syn_cfail_family(&s->st, rw), (syn_entry){.t = at, .ref = EQ_REF(EV_CFAIL, q)});
    else
        connect_failed(s, q, at);
}

/* The first SYN of request q's attempt (rq->start = t). */
HOT void on_syn(sim *s, uint32_t q, sim_time t)
{
    req *rq = &s->reqs[q];
    if (acquire(s, q, rq->pool, rq->row, t))
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
    for (uint32_t i = 0; i < syn_count(&s->st, n);) {
        syn_entry *e = syn_at(&s->st, n, i);
        uint32_t g = s->rows[e->row].gw;
        if (!s->gws[g].steady)
            return;
        expire_tw(s, g, t, 0);
        const nat_pool *pl = &s->pools[e->pool];
        if (pl->in_use < pl->cap)
            return;
        sim_time free_at = nat_next_release(&s->tw[g], s->pools, e->pool);
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
        syn_entry d = syn_pop(&s->st, n);
        count_refused(s, d.row, d.pool, g, d.t);
        syn_dropped(s, EQ_IDX(d.ref), d.pool, d.row, syn_attempt_start(d.t, n), n);
    }
}

/* Retransmission n of a SYN (an entry of timer family n) is due at t. */
static void on_retransmit(sim *s, const syn_entry *e, uint32_t n, sim_time t)
{
    uint32_t q = EQ_IDX(e->ref);
    if (acquire(s, q, e->pool, e->row, t)) {
        s->doomed_connected += e->doomed;
        connected(s, q, t);
    } else {
        syn_dropped(s, q, e->pool, e->row, syn_attempt_start(t, n), n);
    }
}

static void on_cfail(sim *s, uint32_t q, sim_time t)
{
    const row *r = &s->rows[s->reqs[q].row];
    slot_freed(s, r->ipool_base + s->reqs[q].inst, t);   /* only rows with ipools get here */
    connect_failed(s, q, t);
}

HOT void on_done(sim *s, uint32_t q, sim_time t)
{
    req *rq = &s->reqs[q];
    uint32_t rw = rq->row;
    const row *r = &s->rows[rw];
    uint32_t p = rq->pool, port = rq->port;
    if (r->pool_idle == 0) {
        close_mapping(s, r, p, port, rw, t, 0);
        if (r->ipool_base != NIL)
            slot_freed(s, r->ipool_base + rq->inst, t);
        req_release(s, q);
        return;
    }
    uint32_t ip = r->ipool_base + rq->inst;
    conn_pool *pl = &s->ipools[ip];
    uint32_t c = rq->conn;
    req_release(s, q);
    uint32_t w = cp_wait_pop(pl, waiters(s));
    if (w != NIL) {
        /* hand the connection to the next waiting request */
        s->reqs[w].conn = c;
        s->reqs[w].pool = s->conns.v[c].pool;
        s->reqs[w].port = s->conns.v[c].port;
        count_reused(s, &s->reqs[w], rw, 0);
        hold(s, w, t, 0);
        return;
    }
    if (pl->nidle < r->pool_idle) {
        nat_park(&s->pools[s->conns.v[c].pool]);
        cp_park(pl, &s->conns, c, t);
        sim_time due = r->keepalive_us;
        if (r->idle_timeout_us < due)
            due = r->idle_timeout_us;
        arm_ipool(s, ip, t + due);
        return;
    }
    close_mapping(s, r, p, port, rw, t, 0);
    cp_conn_release(&s->conns, c);
    slot_freed(s, ip, t);
}

static void on_ipool(sim *s, uint32_t ip, sim_time t)
{
    conn_pool *pl = &s->ipools[ip];
    if (!cp_fire(pl, t))
        return;   /* superseded by an earlier arming */
    uint32_t rw = pl->row;
    const row *r = &s->rows[rw];
    uint32_t q, c;
    while ((q = cp_wait_pop_expired(pl, waiters(s), t)) != NIL) {
        count_failed(s, &s->reqs[q], t);
        req_release(s, q);
    }
    while ((c = cp_take_expired(pl, &s->conns, t, r->keepalive_us)) != NIL) {
        if (s->conns.v[c].mapped)
            close_mapping(s, r, s->conns.v[c].pool, s->conns.v[c].port, rw, t, 1);
        cp_conn_release(&s->conns, c);
        pl->open--;
    }
    int unmaps = r->idle_timeout_us < r->keepalive_us;
    while (unmaps && (c = cp_unmap_expired(pl, &s->conns, t, r->idle_timeout_us)) != NIL) {
        uint32_t p = s->conns.v[c].pool, port = s->conns.v[c].port;
        if (s->sc->gateways[r->gw].idle_reset) {   /* reset: the port held rst_hold_s */
            s->pools[p].idle--;
            int st = nat_rst_hold(&s->rst[r->gw], s->pools, p, rw, t);
            port_released(s, r->gw, &s->rst[r->gw], p, port, st);
            closed(s, st, rw, r->gw);
        } else {
            nat_drop_idle(&s->pools[p]);
            port_released(s, r->gw, NULL, p, port, NAT_FREED);
            held_add(s, rw, r->gw, -1);
        }
    }
    sim_time next = cp_next_due(pl, &s->conns, waiters(s), r->keepalive_us, r->idle_timeout_us, unmaps);
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
    conn_pool *pl = &s->ipools[ip];
    uint32_t c = cp_take_newest(pl, &s->conns);
    if (c != NIL) {
        const cp_conn *cn = &s->conns.v[c];
        if (cn->mapped) {
            nat_reuse(&s->pools[cn->pool]);
            rq->conn = c;
            rq->pool = cn->pool;
            rq->port = cn->port;
            count_reused(s, rq, rq->row, 0);
            hold(s, q, t, 0);
            return;
        }
        /* the gateway dropped this mapping: the request fails on it and
         * goes again on a new connection, without spending a retry */
        count_reused(s, rq, rq->row, 1);
        cp_conn_release(&s->conns, c);
        open_new(s, q, t);   /* the slot of the closed connection is reused */
        return;
    }
    if (r->pool_max == 0 || pl->open < r->pool_max) {
        pl->open++;
        open_new(s, q, t);
        return;
    }
    cp_wait_push(pl, waiters(s), q, t + r->wait_timeout_us);
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
        const nat_pool *best = &s->pools[gs->pool_lo];
        for (uint32_t p = gs->pool_lo; p < gs->pool_hi; p++) {
            const nat_pool *pl = &s->pools[p];
            uint32_t *mark = &s->pool_mark[p];
            if (pl->in_use > best->in_use)
                best = pl;
            if (pl->in_use > (*mark & ~POOL_FAILED))
                *mark = (*mark & POOL_FAILED) | pl->in_use;
        }
        gw_sample *x = &s->gs[(size_t)g * s->nsamples + k];
        x->in_use = best->in_use;
        x->active = best->active;
        x->idle = best->idle;
        x->tw = nat_pool_tw(best);
        x->imax = gs->imax;
        gs->imax = best->in_use;   /* the next interval starts at this level */
        x->omax = gs->omax;
        gs->omax = nat_pool_open(best);
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
            if (nat_pool_open(&s->pools[p]) > gs->omax)
                gs->omax = nat_pool_open(&s->pools[p]);
        gs->peak_epoch++;
    }
    if (s->nwatch != 0)
        sim_watch_start(s);
}

/* The head of timer family f is due: run it, then queue the next head. */
static void on_fifo(sim *s, uint32_t f, sim_time t)
{
    syn_entry e = syn_pop(&s->st, f);
    uint32_t q = EQ_IDX(e.ref);
    switch (EQ_KIND(e.ref)) {
    case EV_SYN:
        on_retransmit(s, &e, f, t);   /* family f is retransmission f */
        drop_certain_failures(s, f, t);
        break;
    case EV_CFAIL: on_cfail(s, q, t); break;
    case EV_RETRY: start_request(s, q, t); break;
    default: break;
    }
    sim_time next;   /* (no handler pushes into its own family) */
    if (syn_requeue(&s->st, f, &next))
        push(s, next, EV_FIFO, f);
}

/* Inlined into the event loop; what comes through a family goes through
 * on_fifo. */
HOT void dispatch(sim *s, uint32_t ref, sim_time t)
{
    uint32_t idx = EQ_IDX(ref);
    switch (EQ_KIND(ref)) {
    case EV_ARRIVAL: on_arrival(s, idx, t); break;
    case EV_DONE: on_done(s, idx, t); break;
    case EV_IPOOL: on_ipool(s, idx, t); break;
    case EV_FIFO: on_fifo(s, idx, t); break;
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
    sim_reset(s);
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
