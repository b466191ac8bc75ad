/*
 * progress.h - the progress bar of a batch on stderr (run; reusable by any
 * command that calls batch_run): a bar, the scenario and replication
 * running, the simulated clock, elapsed time and the ETA.
 *
 * What the bar shows comes from model/progress.h (fraction and ETA from
 * the batch's counters); this file only draws it.
 */
#ifndef NATCAP_PROGRESS_H
#define NATCAP_PROGRESS_H

#include "model/batch.h"
#include "model/config.h"
#include "model/summary.h"

#include <stddef.h>

typedef struct progress {
    const nc_scenario *sc;
    size_t nsc;
    int enabled;
    int drawn;
} progress;

/* enabled 0: progress_draw does nothing (quiet, or stderr not a terminal). */
void progress_init(progress *p, const nc_scenario *sc, size_t nsc, int enabled);

/* A batch_opts.progress callback (ud is the progress). */
void progress_draw(void *ud, const batch_status *st);

/* Erase the line, if one was drawn. */
void progress_clear(progress *p);

#endif
