/* alerts_page.h - the "Alerts and runbook" page of report.pdf written by
 * `natcap alerts` (a report_extra draw callback; ud is an alerts_doc). */
#ifndef NATCAP_PLOT_ALERTS_PAGE_H
#define NATCAP_PLOT_ALERTS_PAGE_H

#include "../io/alerts_out.h"
#include "chart.h"

nc_status alerts_page_draw(chart *c, double x, double y, double w, double h, void *ud);

#endif
