/*
 * plan_impl.h - what the two halves of `natcap plan` share: the search
 * engine (plan_search.c: variants, the cache of evaluated points, the
 * analytic verdicts, the rounds of simulations, the line search) and the
 * questions (plan.c: which knob each question turns, where it starts, how
 * its answer is read).  Internal to model/plan*.c.
 *
 * A variant of a scenario is a small key (rate multiplier of every row; for
 * one gateway: nat_ips, time_wait_s, ports_per_instance or pool_idle of its
 * rows without pooling), normalised so that a knob set to its given value
 * counts as unchanged.  Each scenario keeps a cache of evaluated variants
 * with, per gateway, the figures a search needs, summed over the
 * replications simulated so far (always 0..reps-1), and the analytic
 * verdicts.  A search never keeps its own bracket: it reads it from the
 * cache each round, so a point evaluated for one search serves every other
 * search it informs, and a search cannot propose a point already known.
 */
#ifndef NATCAP_MODEL_PLAN_IMPL_H
#define NATCAP_MODEL_PLAN_IMPL_H

#include "plan.h"
#include "plan_knobs.h"

typedef struct vkey {
    double rate;        /* multiplier of every row's rps */
    long gw;            /* gateway whose knob is changed; -1: none */
    uint32_t ips;       /* 0: as given */
    double tw_s;        /* < 0: as given */
    uint32_t pool;      /* pool_idle of the gateway's rows without pooling; 0: as given */
    uint32_t ppi;       /* ports_per_instance; 0: as given */
} vkey;

/* Analytic verdicts (beyond doubt; see plan.h). */
enum { AN_NOEXH = 1, AN_MEETS = 2, AN_EXH = 4, AN_MISS = 8 };

typedef struct outcome {
    uint64_t capacity;
    uint32_t fail_reps, peak_max;   /* over the replications simulated */
    uint64_t peak_sum, alloc_failures;
    uint32_t peak0;                 /* replication 0 */
    sim_time ff0;
    unsigned an;                    /* AN_* */
    double demand;                  /* analytic mean of the fullest pool at the peak; NAN */
} outcome;

typedef struct entry {
    vkey k;
    uint32_t reps;      /* replications simulated (0: decided or not yet run) */
    uint32_t want;      /* replications asked for this round (0: none) */
    outcome *o;         /* [ngateways] */
} entry;

enum { S_HEADROOM, S_IPS, S_IPS_GROWTH, S_POOL, S_TW, S_PPI, S_KINDS };

/* Verdict of a point for a criterion. */
enum { V_UNKNOWN, V_FAIL, V_TENTATIVE, V_PASS };

typedef struct search {
    int kind;
    size_t g;
    int done;
    int target;         /* criterion: 1 meets the target, 0 no failed allocation */
    /* line searches: y = dir * knob, passing for y <= boundary */
    double dir;
    int integer;
    double ymin, ymax, guess;
    double rel_tol, abs_tol;
    int has_a, has_b;
    double a, b;        /* largest passing y below b; smallest failing y */
    int a_tentative;    /* a passed its probe only */
} search;

typedef struct scen_state {
    const nc_scenario *sc;
    entry *cache;
    size_t ncache, capcache;
    search *s;                  /* [ngateways * S_KINDS] */
    double *analytic;           /* [ngateways]: peak of m(t) as given */
    double *analytic_tw0;       /* [ngateways]: with TIME_WAIT 0 */
    const plan_knobs **knobs;   /* [ngateways] */
    uint64_t *instances;        /* [ngateways]: instances behind the gateway */
    double win_t0, win_s;       /* busy window of the day simulated by the searches; 0: all day */
    double probe_work;          /* expected requests of one replication in that window */
} scen_state;

typedef struct planner {
    const plan_opts *o;
    size_t n;
    scen_state *st;
    plan_result *res;
    double t0;
    unsigned round;
    size_t round_variants;
    double batch_s;             /* wall seconds spent in batch_run */
    /* Work in expected simulated requests (model/progress.h), for the ETA */
    double work_done;           /* of the rounds finished */
    double future_work;         /* estimate of the rounds after the next one */
    unsigned future_rounds;     /* estimate of rounds after the next one */
} planner;

/* ---- plan_search.c ---------------------------------------------------------- */
nc_status plan_oom(nc_error *err);
double plan_now_s(void);
vkey plan_key_normal(const nc_scenario *sc, vkey k);
int plan_key_eq(const vkey *x, const vkey *y);
entry *plan_cache_find(const scen_state *ss, const vkey *k);
/* The entry of k (created with its analytic verdicts when new); NULL: ENOMEM. */
entry *plan_cache_get(planner *pl, size_t scen, const vkey *k, nc_error *err);
int plan_verdict(const entry *e, size_t g, int target, double u, uint32_t reps);
/* Ask for k to be simulated up to `reps` replications in the next round. */
void plan_request(entry *e, uint32_t reps);
/* Simulate every entry with want > reps, in one batch; 0 entries: NC_OK. */
nc_status plan_run_round(planner *pl, size_t *nsim, nc_error *err);
/* The progress line that closes a round, once the next round's points are
 * known (round_done set). */
void plan_report_round(planner *pl);
/* Copy src with the variant applied.  0 on success. */
int plan_make_variant(const nc_scenario *src, const vkey *k, nc_scenario *dst);
/* The busy window of a one-day scenario at `level` of each profile's peak,
 * and the level for a fullest pool of mean m at the peak (plan_search.c,
 * "windows"). */
void plan_window(scen_state *ss, double level);
/* ss->probe_work for the window set; 0 on success. */
int plan_probe_work(scen_state *ss);
double plan_window_level(double m);
/* The line search's next y, or NAN when bracketed to its tolerance. */
double plan_line_next(const search *s);
/* Instances behind gateway g (model/topology.h: each service counted
 * once), and the IPs that reserve `ppi` ports for each (at least 1).
 * plan_instances sets *st (NC_ENOMEM, with err). */
uint64_t plan_instances(const nc_scenario *sc, size_t g, nc_error *err, nc_status *st);
uint64_t plan_ips_to_reserve(const nc_gateway *gw, uint64_t instances, uint64_t ppi);

/* ---- plan.c (the questions) ------------------------------------------------- */
/* m + z sqrt(m) = peak, solved for m >= 0 (first guesses only). */
double plan_mean_for_peak(double peak);
/* The searches of a scenario, once its baseline is simulated. */
void plan_init_searches(scen_state *ss, const plan_scenario *ps, const plan_opts *po);
/* Read every answer of scenario i from the cache. */
nc_status plan_finish_scenario(planner *pl, size_t i, nc_error *err);
/* Queue the next point of every open search (closing finished ones) and
 * estimate what is left; returns the entries asked for. */
nc_status plan_propose(planner *pl, size_t *asked, nc_error *err);

#endif
