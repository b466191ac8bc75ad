/*
 * alerts_out.h - what `natcap alerts` writes besides the rule files:
 * alerts.csv (SPEC §7), SCENARIO/alert_series.csv (the per-replication
 * series every rule was evaluated on, for checking it elsewhere), the
 * "Alerts" and "Runbook" sections of report.md, and the runbook's text
 * (shared with the report page, plot/alerts_page.c).
 */
#ifndef NATCAP_IO_ALERTS_OUT_H
#define NATCAP_IO_ALERTS_OUT_H

#include "../model/observed.h"
#include "../model/alert.h"
#include "alert_rules.h"
#include "csv_read.h"
#include "outdir.h"

#include <stdio.h>

typedef struct alerts_doc {
    const nc_scen_result *const *rs;   /* the batch, [n] */
    size_t n;
    const alert_gw_rules *gw;          /* the gateways by name, first appearance first, [ngw] */
    size_t ngw;
    const size_t *gw_index;            /* [i * ngw + j]: gateway j's index in scenario i, or (size_t)-1 */
    const alert_figures *fig;          /* [(i * ngw + j) * 2 + rule] */
    double alert_at, lead_minutes;
    const csv_read_table *plan;        /* plan.csv of an earlier natcap plan, or NULL */
    const nc_observed *observed;       /* observed.csv (SPEC §6), or NULL */
} alerts_doc;

nc_status alerts_csv_write(outdir *od, const alerts_doc *d, nc_error *err);
nc_status alerts_series_write(outdir *od, const nc_scen_result *r, nc_error *err);

/* The short table on stdout. */
void alerts_print(FILE *fp, const alerts_doc *d);

/* The report.md sections (a report_extra markdown callback; ud: alerts_doc). */
void alerts_markdown(FILE *fp, void *ud);

/* The runbook of gateway j, as lines of plain text. */
#define RUNBOOK_MAX 24
typedef struct runbook {
    char symptom[512];
    size_t nconfirm, nfix, nrules;
    char confirm[6][400];
    char fix[RUNBOOK_MAX][300];
    char rules[3][600];
} runbook;

void alerts_runbook(const alerts_doc *d, size_t j, runbook *out);

/* observed_fired_at of alerts.csv: when the rule would have fired on the
 * observed day (HH:MM:SS on the simulated clock, i.e. the time of day of
 * the observations after --tz), evaluated with alert_fire_on on the observed
 * series of the rule's metric for gateway j, resampled to the rule's
 * period (gauges: highest point in the period, counts: their sum).  Only
 * for the scenario the observations are compared with (scenarios.csv
 * observed = yes, else the first); "" without a matching series, and
 * "never" when the rule does not fire on it. */
void alerts_observed_fired_at(const alerts_doc *d, size_t i, size_t j, int rule, char *buf,
                              size_t len);

#endif
