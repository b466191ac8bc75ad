/* figure_services.c - the services chart (see figure.h). */
#include "figure_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- services ---------------------------------------------------------------------- */

#define TOP_ROWS 8

static chart_rgba layer_colour(size_t i)
{
    static const unsigned hex[TOP_ROWS] = {0x0072B2, 0xE69F00, 0x009E73, 0xD55E00,
                                           0x56B4E9, 0xCC79A7, 0xF0E442, 0x555555};
    return i < TOP_ROWS ? CHART_RGB(hex[i], 1.0) : CHART_RGB(0xC8C8C8, 1.0);
}

/* Rows ordered by their highest mappings held, largest first (index order
 * on ties, so the chart is deterministic). */
static int cmp_peak_desc(const void *a, const void *b, const double *peak)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (peak[i] != peak[j])
        return peak[i] < peak[j] ? 1 : -1;
    return i < j ? -1 : i > j;
}

static void sort_rows(size_t *idx, size_t n, const double *peak)
{
    for (size_t i = 1; i < n; i++)   /* insertion sort: tens of rows */
        for (size_t j = i; j > 0 && cmp_peak_desc(&idx[j - 1], &idx[j], peak) > 0; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
}

/* The rows the services chart stacks: those that draw on the binding pool
 * of the fullest gateway, each as the mappings it holds in one of the pools
 * it spreads over (its total / their number), so the stack is that of one
 * pool and shares its capacity line.  use[row] and scale[row] (1 / pools)
 * for every row; *cap the pool's capacity.  -1 on ENOMEM. */
static int chart_rows(const nc_scen_result *r, unsigned char *use, double *scale, double *cap,
                      char *pool, size_t pool_len)
{
    size_t g = figure_fullest_gateway(r);
    memset(use, 0, r->sc->nservices);
    for (size_t i = 0; i < r->sc->nservices; i++)
        scale[i] = 1;
    *cap = 0;
    if (pool_len > 0)
        pool[0] = '\0';
    if (g >= r->sc->ngateways)
        return 0;
    nc_bottleneck b;
    if (nc_bottleneck_get(r, g, &b, NULL) != NC_OK)
        return -1;
    *cap = (double)r->gw[g].capacity;
    if (b.topo.pools > 1)
        snprintf(pool, pool_len, "%s", b.pool_name);
    for (size_t i = 0; i < r->sc->nservices; i++) {
        use[i] = b.row_uses[i];
        uint64_t n = nc_topology_row_pools(&b.topo, i);
        scale[i] = 1.0 / (double)(n ? n : 1);
    }
    nc_bottleneck_free(&b);
    return 0;
}

static double row_peak(const nc_scen_result *r, size_t row, double scale)
{
    double m = 0;
    for (uint32_t k = 0; k < r->nsamples; k++) {
        double v = (double)r->rows[row].in_use_sum[k] / (double)(r->reps ? r->reps : 1);
        if (v > m)
            m = v;
    }
    return m * scale;
}

chart_rgba figure_row_colour(const nc_scen_result *r, size_t row)
{
    size_t n = r->sc->nservices;
    if (row >= n)
        return layer_colour(TOP_ROWS);
    unsigned char *use = malloc(n);
    double *scale = malloc(n * sizeof *scale), cap;
    char pool[8];
    size_t rank = TOP_ROWS;
    if (use != NULL && scale != NULL && chart_rows(r, use, scale, &cap, pool, sizeof pool) == 0 &&
        use[row]) {
        double p = row_peak(r, row, scale[row]);
        rank = 0;
        for (size_t j = 0; j < n; j++) {
            if (!use[j])
                continue;
            double q = row_peak(r, j, scale[j]);
            if (q > p || (q == p && j < row))
                rank++;
        }
    }
    free(use);
    free(scale);
    return layer_colour(rank < TOP_ROWS ? rank : TOP_ROWS);
}

/* Mean mappings held by a row in bin i (per replication), times scale. */
static double row_value(const nc_scen_result *r, size_t row, size_t i, size_t bin, double scale)
{
    uint32_t k0 = (uint32_t)(i * bin);
    uint32_t k1 = k0 + (uint32_t)bin < r->nsamples ? k0 + (uint32_t)bin : r->nsamples;
    double sum = 0;
    for (uint32_t k = k0; k < k1; k++)
        sum += (double)r->rows[row].in_use_sum[k];
    return sum / (double)(k1 - k0) / (double)r->reps * scale;
}

typedef struct stack {
    size_t nrows, nlayers, n;   /* rows stacked, layers drawn, points */
    double cap;                 /* capacity of the pool they draw on */
    char pool[2 * NC_NAME_MAX + 48];   /* its name when the gateway has several, else "" */
    size_t *order;              /* rows by peak, largest first */
    double *peak;               /* per row, per replication */
    double *x;                  /* [n] */
    double *cum;                /* [(nlayers + 1) * n]: cumulative tops, layer 0 = zero */
} stack;

static void stack_free(stack *s)
{
    free(s->order);
    free(s->peak);
    free(s->x);
    free(s->cum);
}

static nc_status stack_load(const nc_scen_result *r, stack *s)
{
    memset(s, 0, sizeof *s);
    size_t nsv = r->sc->nservices;
    if (nsv == 0 || r->reps == 0 || r->nsamples == 0)
        return NC_OK;
    unsigned char *use = malloc(nsv);
    double *scale = malloc(nsv * sizeof *scale);
    if (use == NULL || scale == NULL ||
        chart_rows(r, use, scale, &s->cap, s->pool, sizeof s->pool) != 0) {
        free(use);
        free(scale);
        return NC_ENOMEM;
    }
    for (size_t i = 0; i < nsv; i++)
        s->nrows += use[i];
    size_t bin = fig_bin_width(r);
    s->n = ((size_t)r->nsamples + bin - 1) / bin;
    s->nlayers = s->nrows > TOP_ROWS ? TOP_ROWS + 1 : s->nrows;
    s->order = calloc(s->nrows, sizeof *s->order);
    s->peak = calloc(s->nrows, sizeof *s->peak);
    s->x = calloc(s->n, sizeof *s->x);
    s->cum = calloc((s->nlayers + 1) * s->n, sizeof *s->cum);
    if (s->nrows == 0 || !s->order || !s->peak || !s->x || !s->cum) {
        int empty = s->nrows == 0;
        stack_free(s);
        free(use);
        memset(s, 0, sizeof *s);
        free(scale);
        return empty ? NC_OK : NC_ENOMEM;
    }
    /* order[] holds row numbers, peak[] is indexed by row number */
    free(s->peak);
    s->peak = calloc(nsv, sizeof *s->peak);
    if (s->peak == NULL) {
        stack_free(s);
        free(use);
        free(scale);
        return NC_ENOMEM;
    }
    for (size_t row = 0, j = 0; row < nsv; row++) {
        if (!use[row])
            continue;
        s->order[j++] = row;
        s->peak[row] = row_peak(r, row, scale[row]);
    }
    sort_rows(s->order, s->nrows, s->peak);
    for (size_t i = 0; i < s->n; i++) {
        uint32_t klast = (uint32_t)((i + 1) * bin) < r->nsamples ? (uint32_t)((i + 1) * bin) - 1
                                                                  : r->nsamples - 1;
        s->x[i] = fig_interval_end_s(r, klast);
        for (size_t j = 0; j < s->nrows; j++) {
            size_t layer = j < TOP_ROWS ? j : TOP_ROWS;
            s->cum[(layer + 1) * s->n + i] += row_value(r, s->order[j], i, bin, scale[s->order[j]]);
        }
        for (size_t l = 1; l <= s->nlayers; l++)
            s->cum[l * s->n + i] += s->cum[(l - 1) * s->n + i];
    }
    free(use);
    free(scale);
    return NC_OK;
}

static void services_legend(chart *c, const nc_scen_result *r, const stack *s, double x,
                            double y, double w)
{
    chart_legend_item items[TOP_ROWS + 1];
    char labels[TOP_ROWS + 1][200];
    size_t n = 0;
    for (size_t l = s->nlayers; l-- > 0;) {   /* top of the stack first, as drawn */
        char num[32], name[160];
        if (l == TOP_ROWS) {
            snprintf(labels[n], sizeof labels[n], "other (%zu rows)", s->nrows - TOP_ROWS);
        } else {
            figure_row_label(r, s->order[l], name, sizeof name);
            chart_format_number(s->peak[s->order[l]], 0, num, sizeof num);
            snprintf(labels[n], sizeof labels[n], "%s \u00b7 peak %s", name, num);
        }
        items[n] = (chart_legend_item){CHART_SW_AREA, layer_colour(l), labels[n]};
        n++;
    }
    char head[256];
    if (s->pool[0] != '\0')
        snprintf(head, sizeof head, "service \u2192 destination (mean per pool)");
    else
        snprintf(head, sizeof head, "service \u2192 destination (mean)");
    chart_text(c, x, y, CHART_FS_LABEL, CHART_BOLD, CHART_INK, w, head);
    chart_legend_column(c, x, y + 16, w, items, n);
}

nc_status figure_services(chart *c, double w, double h, void *ctx)
{
    const figure_ctx *f = ctx;
    const nc_scen_result *r = f->r;
    char title[512];
    stack s;
    if (stack_load(r, &s) != NC_OK)
        return NC_ENOMEM;
    if (s.pool[0] != '\0')
        snprintf(title, sizeof title, "%s \u2014 mappings in use by service, rows of pool %s",
                 r->sc->name, s.pool);
    else
        snprintf(title, sizeof title, "%s \u2014 mappings in use by service", r->sc->name);
    double top = fig_draw_title(c, f, w, title, r->sc->description) + 6;
    double bottom = fig_draw_footer(c, f, w, h);

    double legend_w = (f->flags & FIG_NO_LEGEND) ? 0 : w < 600 ? w * 0.38 : LEGEND_COL_W;
    chart_map m;
    fig_stack_maps(top, bottom, LEFT, w - LEFT - (legend_w > 0 ? legend_w + 20 : RIGHT), 1, 0, &m);
    double total = s.n ? fig_series_max(s.cum + s.nlayers * s.n, s.n) : 0;
    int cap_line = s.cap > 0;
    chart_ticks yt;
    chart_value_ticks(total, s.cap, fig_value_ntick(m.h), &yt);
    m.x0 = 0;
    m.x1 = fig_duration_s(r);
    m.y0 = 0;
    m.y1 = yt.hi;
    if (f->maps != NULL)
        f->maps[0] = m;
    char ytitle[256];
    if (s.pool[0] != '\0')
        snprintf(ytitle, sizeof ytitle, "mappings in use per pool (rows of %s)", s.pool);
    else
        snprintf(ytitle, sizeof ytitle, "mappings in use");
    chart_axes(c, &m, &yt, CHART_FMT_COUNT, fig_x_title(m.x1), ytitle);
    for (size_t l = 0; l < s.nlayers; l++)
        chart_band(c, &m, s.x, s.cum + l * s.n, s.cum + (l + 1) * s.n, s.n, layer_colour(l));
    if (cap_line) {
        char buf[64], num[32];
        double cap = s.cap;
        chart_hline(c, m.x, m.x + m.w, chart_map_y(&m, cap), 1.6, CHART_VERMILLION, 6);
        chart_format_number(cap, 0, num, sizeof num);
        snprintf(buf, sizeof buf, "capacity %s", num);
        fig_boxed_label(c, m.x + m.w - 4, chart_map_y(&m, cap) - 1, CHART_RIGHT | CHART_BOTTOM | CHART_BOLD,
                    CHART_VERMILLION, buf);
    }
    if (s.nlayers == 0)
        chart_text(c, m.x + m.w / 2, m.y + m.h / 2, CHART_FS_PANEL, CHART_CENTER | CHART_MIDDLE,
                   CHART_MUTED, 0, "no service rows");
    chart_frame(c, &m);
    if (legend_w > 0)
        services_legend(c, r, &s, m.x + m.w + 20, m.y, legend_w);
    stack_free(&s);
    return NC_OK;
}
