/* plan_json.h - what `natcap plan` writes for configuration management:
 * summary.csv and summary.json of the baseline batches, and plan.json (every
 * figure of plan.csv, see json_out.h, plus "recommendations": one object
 * per scenario and gateway with the settings to change). */
#ifndef NATCAP_IO_PLAN_JSON_H
#define NATCAP_IO_PLAN_JSON_H

#include "../model/plan.h"
#include "outdir.h"

/* plan.csv must have been written in this transaction already. */
nc_status plan_json_write(outdir *od, const plan_result *p, nc_error *err);

#endif
