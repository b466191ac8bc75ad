/* alerts_page.c - see alerts_page.h.  One page: the rules' figures as a
 * table, then the runbook of each gateway, as far as the page goes (every
 * row is in alerts.csv, every word of the runbook in report.md). */
#include "alerts_page.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define ROW 11.0

static const struct { const char *head; double frac; } cols[] = {
    {"scenario", 0.13}, {"gateway", 0.10}, {"rule", 0.06}, {"metric", 0.27},
    {"threshold", 0.08}, {"detected", 0.08}, {"lead p05 / median", 0.12}, {"false alarms", 0.16},
};
#define NCOLS (sizeof cols / sizeof cols[0])

static void row(chart *c, double x, double w, double y, const char *const cell[NCOLS], unsigned fl,
                chart_rgba col)
{
    for (size_t i = 0; i < NCOLS; i++) {
        chart_text(c, x, y, CHART_FS_SMALL, fl, col, w * cols[i].frac - 4, cell[i]);
        x += w * cols[i].frac;
    }
}

nc_status alerts_page_draw(chart *c, double x0, double y0, double w, double h, void *ud)
{
    const alerts_doc *d = ud;
    const double bottom = y0 + h - 4;
    char buf[1200];
    double y = y0;
    chart_text(c, x0, y, 16, CHART_BOLD, CHART_INK, 0, "Alerts and runbook");
    y += 22;
    snprintf(buf, sizeof buf,
             "natcap alerts: a leading rule per gateway (a threshold on the platform's metric, "
             "derived from the port-level alert at %.0f %% and lowered to fire %g min before the "
             "first failure of every failing replication) and a failing rule (any allocation "
             "failure), each evaluated with its own period, statistic, datapoints and delay on "
             "every simulated replication. Rule files in alerts/, every figure in alerts.csv, "
             "the derivations and the full runbook in report.md.",
             100 * d->alert_at, d->lead_minutes);
    y += chart_paragraph(c, x0, y, w, CHART_FS_SUBTITLE, 0, CHART_MUTED, 3, buf) + 6;
    const char *head[NCOLS];
    for (size_t i = 0; i < NCOLS; i++)
        head[i] = cols[i].head;
    row(c, x0, w, y, head, CHART_BOLD, CHART_INK);
    y += ROW;
    chart_hline(c, x0, x0 + w, y - 2, 0.5, CHART_GRID, 0);
    size_t shown = 0, total = 0;
    double table_end = y0 + h * 0.45;
    for (size_t i = 0; i < d->n; i++)
        for (size_t j = 0; j < d->ngw; j++) {
            if (d->gw_index[i * d->ngw + j] == (size_t)-1)
                continue;
            for (int k = 0; k < 2; k++) {
                total++;
                if (y + ROW > table_end)
                    continue;
                const alert_rule *r = &d->gw[j].rule[k];
                const alert_figures *f = &d->fig[(i * d->ngw + j) * 2 + k];
                char thr[40], det[32], lead[48], fa[32];
                snprintf(thr, sizeof thr, "%s %.0f", r->strict ? ">" : "\u2265", r->threshold);
                snprintf(det, sizeof det, "%u of %u", f->detected, f->failing);
                if (isfinite(f->lead_median))
                    snprintf(lead, sizeof lead, "%.1f / %.1f min", f->lead_p05, f->lead_median);
                else
                    snprintf(lead, sizeof lead, "-");
                snprintf(fa, sizeof fa, "%u of %u", f->false_alarms, f->replications - f->failing);
                const char *cell[NCOLS] = {d->rs[i]->sc->name, d->gw[j].gateway, r->name, r->metric,
                                           thr, det, lead, fa};
                int bad = f->failing > 0 && f->detected < f->failing;
                row(c, x0, w, y, cell, 0, bad ? CHART_VERMILLION : CHART_INK);
                y += ROW;
                shown++;
            }
        }
    if (shown < total) {
        snprintf(buf, sizeof buf, "\u2026 and %zu more rows: see alerts.csv", total - shown);
        chart_text(c, x0, y, CHART_FS_SMALL, 0, CHART_MUTED, 0, buf);
        y += ROW;
    }
    y += 8;
    for (size_t j = 0; j < d->ngw && y + 40 < bottom; j++) {
        runbook rb;
        alerts_runbook(d, j, &rb);
        snprintf(buf, sizeof buf, "Runbook: gateway %s (%s)", d->gw[j].gateway,
                 nc_platform_name(d->gw[j].platform));
        chart_text(c, x0, y, CHART_FS_PANEL, CHART_BOLD, CHART_INK, w, buf);
        y += 14;
        snprintf(buf, sizeof buf, "Symptom: %s", rb.symptom);
        y += chart_paragraph(c, x0, y, w, CHART_FS_SMALL, 0, CHART_INK, 2, buf) + 2;
        for (size_t k = 0; k < rb.nconfirm && y + ROW < bottom; k++) {
            snprintf(buf, sizeof buf, "Confirm: %s", rb.confirm[k]);
            y += chart_paragraph(c, x0, y, w, CHART_FS_SMALL, 0, CHART_INK, 2, buf) + 1;
        }
        for (size_t k = 0; k < rb.nfix && k < 6 && y + ROW < bottom; k++) {
            snprintf(buf, sizeof buf, "Fix %zu: %s", k + 1, rb.fix[k]);
            y += chart_paragraph(c, x0, y, w, CHART_FS_SMALL, 0, CHART_INK, 1, buf) + 1;
        }
        for (size_t k = 0; k < rb.nrules && y + ROW < bottom; k++) {
            snprintf(buf, sizeof buf, "Rule: %s", rb.rules[k]);
            y += chart_paragraph(c, x0, y, w, CHART_FS_SMALL, 0, CHART_INK, 1, buf) + 1;
        }
        y += 8;
    }
    return NC_OK;
}
