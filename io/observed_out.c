/*
 * observed_out.c - model vs observed outputs (see observed_out.h).
 */
#include "observed_out.h"

#include "../model/compare.h"
#include "../model/summary.h"
#include "csv_out.h"

#include <math.h>
#include <string.h>

static void clock_s(double t, char *buf, size_t len)
{
    if (isnan(t))
        buf[0] = '\0';
    else
        nc_format_clock(sim_from_s(t), buf, len);
}

/* ",v" with `decimals` digits, or "," when NAN */
static void num(FILE *fp, int decimals, double v)
{
    fputc(',', fp);
    if (!isnan(v))
        fprintf(fp, "%.*f", decimals, v);
}

nc_status observed_out_csv(outdir *od, const nc_scen_result *r, nc_error *err)
{
    const obs_compare *c = r->cmp;
    if (c == NULL)
        return NC_OK;
    char rel[NC_NAME_MAX + 64];
    snprintf(rel, sizeof rel, "%s/observed.csv", r->sc->name);
    FILE *fp;
    nc_status st = outdir_begin(od, rel, &fp, err);
    if (st != NC_OK)
        return st;
    fputs("time,t_s,gateway,pool,metric,observed,model_mean,model_p05,model_p95,stat,interval_s,"
          "source\n", fp);
    for (size_t i = 0; i < c->n; i++) {
        const obs_series_cmp *x = &c->sc[i];
        const obs_series *s = x->s;
        for (size_t k = 0; k < s->n; k++) {
            double t = s->t0_s + (double)k * s->interval_s;
            char clock[32];
            clock_s(t, clock, sizeof clock);
            fprintf(fp, "%s,%.0f,", clock, t);
            csv_out_field(fp, s->gateway);
            fputc(',', fp);
            csv_out_field(fp, s->pool);
            fprintf(fp, ",%s,%.17g", obs_metric_names[s->metric], s->value[k]);
            num(fp, 3, x->mean[k]);
            num(fp, 3, x->p05[k]);
            num(fp, 3, x->p95[k]);
            fprintf(fp, ",%s,%g,", obs_stat_names[s->stat], s->interval_s);
            csv_out_field(fp, s->source);
            fputc('\n', fp);
        }
    }
    return outdir_end(od, fp, err);
}

void observed_out_summary_cells(FILE *fp, const nc_scen_result *r, size_t g)
{
    const obs_compare *c = r->cmp;
    if (c == NULL || g >= c->ngw || !c->gw[g].have) {
        fputs(",,,,,,", fp);
        return;
    }
    const obs_gw_cmp *x = &c->gw[g];
    char a[32], b[32];
    clock_s(x->peak_t_s, a, sizeof a);
    clock_s(x->first_fail_t_s, b, sizeof b);
    num(fp, 0, x->peak);
    fprintf(fp, ",%s,%s", a, b);
    num(fp, 1, x->fails >= 0 ? x->failing_minutes : NAN);
    num(fp, 2, x->mape);
    num(fp, 4, x->coverage);
}

static const char *cell_clock(double t, char *buf, size_t len)
{
    clock_s(t, buf, len);
    if (buf[0] == '\0')
        snprintf(buf, len, "none");
    return buf;
}

void observed_out_markdown(FILE *fp, const nc_scen_result *const *rs, size_t n)
{
    int any = 0;
    for (size_t i = 0; i < n; i++)
        any |= rs[i]->cmp != NULL;
    if (!any)
        return;
    fputs("\n## Model vs observed\n\n", fp);
    for (size_t i = 0; i < n; i++) {
        const obs_compare *c = rs[i]->cmp;
        if (c == NULL)
            continue;
        for (size_t g = 0; g < c->ngw; g++) {
            const obs_gw_cmp *x = &c->gw[g];
            if (!x->have)
                continue;
            const char *src = x->level >= 0 ? c->sc[x->level].s->source : "";
            fprintf(fp, "Scenario `%s`, gateway `%s`%s%s%s: **%s**.\n\n", rs[i]->sc->name,
                    rs[i]->sc->gateways[g].name, *src ? " against " : "", src, "",
                    x->verdict_text);
            char a[32], b[32];
            fputs("| figure | observed | model |\n| --- | ---: | ---: |\n", fp);
            if (x->level >= 0) {
                const obs_series *s = c->sc[x->level].s;
                fprintf(fp, "| peak %s (%s) | %.0f at %s | %.0f at %s |\n", obs_metric_names[s->metric],
                        obs_stat_names[s->stat], x->peak, cell_clock(x->peak_t_s, a, sizeof a),
                        isnan(x->model_peak) ? 0 : x->model_peak,
                        cell_clock(x->model_peak_t_s, b, sizeof b));
            }
            if (x->fails >= 0) {
                fprintf(fp, "| first failure | %s | %s |\n", cell_clock(x->first_fail_t_s, a, sizeof a),
                        cell_clock(x->model_first_fail_t_s, b, sizeof b));
                fprintf(fp, "| failing minutes | %.1f | %.1f |\n", x->failing_minutes,
                        x->model_failing_minutes);
                fprintf(fp, "| total failures (SYNs refused) | %.0f | %.0f |\n", x->failures,
                        x->model_failures);
            }
            if (!isnan(x->mape))
                fprintf(fp, "| observed_mape (level series) | | %.1f %% |\n", x->mape);
            if (!isnan(x->coverage))
                fprintf(fp, "| observed_coverage (points inside the 5-95 %% band) | | %.0f %% of %zu |\n",
                        100 * x->coverage, x->compared);
            fputc('\n', fp);
        }
    }
}
