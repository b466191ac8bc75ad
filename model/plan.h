/*
 * plan.h - `natcap plan`: capacity answers from many runs of the model:
 * headroom, NAT IPs needed, pooling needed, TIME_WAIT needed, ports per
 * instance needed, alert lead time, and the analytic infinite-port
 * occupancy beside the simulated peak.  Only the knobs that the gateway's
 * platform lets a user change are searched (model/plan_knobs.h); the other
 * questions are answered "n/a" with the reason in plan_gw.notes.
 *
 * How (model/plan_search.c: the engine; model/plan.c: the questions).
 * Every question is a search over one knob of a copy of the scenario
 * (nc_scenario_copy): the rate multiplier of every row, one gateway's
 * nat_ips, time_wait_s or ports_per_instance, or pool_idle of that
 * gateway's rows without pooling.  Each point is evaluated with the
 * scenario's own seeds (common random numbers), so an answer is a pure
 * function of the inputs, the seeds and the replication count, whatever -j
 * is.  Three things keep it cheap:
 *   - the analytic occupancy (model/occupancy.h) decides a point without
 *     simulating it when the gateway has no pooled row and the verdict is
 *     beyond doubt (the mean demand of the fullest pool 8 standard
 *     deviations below the limit, or 6 above it), and the reservation
 *     arithmetic decides per-instance layouts that leave instances without
 *     ports;
 *   - a point is first probed with PLAN_PROBE_REPS replication(s) (more
 *     when a round has fewer than PLAN_MIN_ROUND_REPS); a failed
 *     allocation there is final (replication 0 is the same in every
 *     count), and so is a peak far below the limit (8 standard deviations
 *     of the occupancy: this decides pooled gateways); any other pass is
 *     confirmed with the remaining replications only once it is the
 *     search's answer (batch_opts.rep_lo: the probe is not run again);
 *   - the searches of a one-day scenario simulate only its busy hours,
 *     the narrower the larger its smallest binding pool (plan_search.c,
 *     "windows");
 *   - the searches of every scenario run in rounds, each round's points in
 *     one batch_run on o->jobs threads, and every point is cached and seen
 *     by every search it informs.
 *
 * "Meets the target" (min_nat_ips, pool_idle_needed, time_wait_s_needed,
 * ports_per_instance_needed): no replication has a failed allocation on the
 * gateway and the highest peak of any replication is <= U x capacity of its
 * fullest pool.  On per-instance layouts NAT IPs do not change a pool's
 * size, so min_nat_ips is the fewest IPs that reserve ports_per_instance
 * for every instance with no failed allocation.
 *
 * Searches start from the analytic estimate or the baseline's peak, step
 * outwards by doubling steps until the answer is bracketed, then bisect.
 *   headroom_rate_scale  largest multiplier without a failed allocation in
 *                        any replication, to 1 % (relative), searched in
 *                        [0, max_scale]; capped above ("at least").
 *   min_nat_ips          integer search in [1, the platform's limit].
 *   pool_idle_needed     1, 2, 4, ... PLAN_MAX_POOL_IDLE in order.
 *   time_wait_s_needed   in [0, time_wait_s as given], to 1 s or 1 %.
 *   ports_per_instance_needed  the platform's accepted values in order
 *                        (gcp powers of two, azure_lb multiples of 8), each
 *                        with the IPs that reserve it for every instance.
 * Searches assume the answer is monotone in the knob; the model is
 * stochastic, so close to a boundary it may not be, and the answer is then
 * one deterministic boundary point among possibly several.
 */
#ifndef NATCAP_MODEL_PLAN_H
#define NATCAP_MODEL_PLAN_H

#include "config.h"
#include "status.h"
#include "clock.h"
#include "result.h"

#include <gsl/gsl_rng.h>
#include <signal.h>

#define PLAN_MAX_SCALE_DEFAULT 2.0
#define PLAN_MAX_POOL_IDLE 1024u
#define PLAN_PROBE_REPS 1u
#define PLAN_MIN_ROUND_REPS 2u
#define PLAN_NOTES_MAX 640

/* Progress of a plan (reported about 4 times a second from the calling
 * thread, and once more at the end of every round with round_done set). */
typedef struct plan_status {
    unsigned round;              /* 1-based search round */
    unsigned rounds_est;         /* estimated rounds in all (>= round) */
    size_t variants;             /* variants simulated in this round */
    size_t units_done, units_total;   /* replications of this round */
    size_t simulations;          /* variants simulated before this round */
    double elapsed_s;            /* since plan_run started */
    double eta_s;                /* estimated seconds left; < 0: unknown */
    int round_done;              /* this report closes the round */
} plan_status;

typedef struct plan_opts {
    double target_utilization;   /* U, default 0.8 */
    double growth;               /* G, default 1.5 */
    double alert_at;             /* A, default 0.8 */
    double lead_minutes;         /* M, default 15 */
    double max_scale;            /* headroom searched up to this (default 2) */
    unsigned jobs;
    const gsl_rng_type *rng;
    const volatile sig_atomic_t *stop;
    /* Progress: NULL for none (io/plan_out.h draws it on stderr). */
    void (*progress)(void *ud, const plan_status *st);
    void *ud;
} plan_opts;

void plan_opts_default(plan_opts *o);

/* Special values of the integer answers. */
enum {
    PLAN_NONE = -1,   /* searched: nothing in the range meets the target */
    PLAN_NA = -2      /* the question does not apply (reason in plan_gw.notes) */
};

/* One evaluated variant of the rate-multiplier search (headroom chart). */
typedef struct plan_point {
    double rate_scale;
    double *peak_utilization;    /* [ngateways]: mean of the reps' peaks / capacity */
    uint32_t *exhausted_reps;    /* [ngateways] */
} plan_point;

/* The answers for one gateway of one scenario.  NAN = no answer (empty in
 * plan.csv). */
typedef struct plan_gw {
    /* baseline (the scenario as given) */
    uint64_t capacity;
    double peak_in_use;          /* mean over reps of each rep's peak */
    uint32_t peak_in_use_max;
    double peak_utilization;
    uint32_t exhausted_replications;
    sim_time first_exhaustion;   /* SIM_TIME_NONE if none */

    double headroom_rate_scale;  /* NAN: n/a (fails at any load: notes) */
    int headroom_capped;         /* no failure even at max_scale */
    long min_nat_ips;            /* PLAN_NONE when none up to the limit */
    long min_nat_ips_at_growth;
    long pool_idle_needed;       /* 0: already meets the target; PLAN_NONE; PLAN_NA */
    double time_wait_s_needed;   /* NAN: none down to 0 meets the target, or n/a */
    int time_wait_na;            /* the platform has no TIME_WAIT setting */
    /* per-instance layouts (ports_per_instance > 0), else PLAN_NA */
    long ports_per_instance_needed;   /* PLAN_NONE: none within one IP's ports */
    long nat_ips_for_ports;      /* IPs that reserve ports_per_instance_needed for all */
    long ports_per_instance_max_now;  /* the most each instance can get with the IPs as given */
    uint64_t instances;          /* instances behind the gateway */
    uint64_t instances_without_ports;
    char notes[PLAN_NOTES_MAX];  /* n/a reasons and the binding pair, "; "-separated */
    double alert_lead_minutes;   /* median over failing reps; NAN if nothing fails or the alert never fires first */
    double alert_threshold_for_lead;  /* NAN: no threshold gives the lead in every failing rep */
    sim_time alert_fired_at;     /* median first firing of the A alert over all reps; SIM_TIME_NONE */
    uint32_t alert_fired_reps;   /* reps in which the A alert fired */
    double analytic_peak_in_use; /* NAN: no row without pooling */
} plan_gw;

typedef struct plan_scenario {
    const nc_scenario *sc;       /* borrowed: must outlive the plan_result */
    nc_scen_result *base;        /* owned: the baseline batch */
    plan_gw *gw;                 /* [sc->ngateways] */
    plan_point *points;          /* rate-multiplier evaluations, ascending */
    size_t npoints;
    size_t simulations;          /* variants simulated for this scenario, baseline included */
} plan_scenario;

struct plan_result {
    plan_opts opts;              /* as given (progress pointers not to be called) */
    size_t n;
    plan_scenario *scen;         /* [n] */
    size_t simulations;          /* variants simulated in all */
    uint64_t replications;       /* replications simulated in all */
    unsigned rounds;
    uint64_t decided;            /* points decided analytically, not simulated */
    /* replications by purpose: the scenarios as given (round 1), probes of
     * search points, confirmations of answers */
    uint64_t reps_baseline, reps_probe, reps_confirm;
    /* work in expected simulated requests (model/progress.h): in all, and
     * as estimated when round 1 ended (what the ETA is built on) */
    double work_total, work_est_round1;
    double baseline_s;           /* wall time of round 1 (not written to files) */
    double elapsed_s;            /* wall time of plan_run (not written to files) */
};
typedef struct plan_result plan_result;

/* Answer every question for every scenario and gateway.  NC_EINTR when
 * o->stop was raised; NC_EINPUT when a variant cannot be simulated. */
nc_status plan_run(const nc_scenario *scenarios, size_t n, const plan_opts *o, plan_result **out,
                   nc_error *err);
void plan_result_destroy(plan_result *p);   /* NULL is a no-op */

/* ---- pieces, exposed for the tests ----------------------------------------- */

/* Alert figures of gateway g from a batch result (sampled at the end of
 * each interval, like a monitoring gauge): fills alert_lead_minutes,
 * alert_threshold_for_lead, alert_fired_at and alert_fired_reps of out. */
void plan_alert(const nc_scen_result *r, size_t g, double alert_at, double lead_minutes,
                plan_gw *out);

#endif
