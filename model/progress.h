/*
 * progress.h - how far a batch is and when it will end, from its counters.
 *
 * Work is counted in simulated requests: a replication's expected requests
 * are its arrival rates integrated over warm-up and day (arrivals.h), and a
 * running replication publishes how many it has simulated so far (sim_ctl),
 * so the fraction advances inside a replication, not only when one ends.
 * The ETA divides the work left by the rate measured since the start
 * (work done / elapsed): a long-run average, steady once a few per cent are
 * done, that a slow or fast stretch moves only in proportion to its length.
 *
 * Pure functions, no clock: the caller passes the elapsed time.
 */
#ifndef NATCAP_MODEL_PROGRESS_H
#define NATCAP_MODEL_PROGRESS_H

#include "config.h"

/* No ETA before this share of the work is done, or before this many
 * seconds have passed (thread start-up and the first sim_create would
 * dominate the rate). */
#define PROGRESS_MIN_FRACTION 0.01
#define PROGRESS_MIN_SECONDS 1.0

/* The fraction of the work done, in [0, 1] (0 when total is 0), and in
 * *eta_s the seconds left at the measured rate, or -1 when not known yet
 * (see above).  done above total counts as total. */
double progress_fraction(double done, double total);
double progress_eta(double done, double total, double elapsed_s);

/* A replication's expected simulated requests (warm-up included): the sum
 * over the scenario's service rows of instances x rps integrated over the
 * profile from -warmup_h to duration_h.  -1 when out of memory. */
double progress_expected_requests(const nc_scenario *sc);

#endif
