/* arrivals.c - see arrivals.h. */
#include "arrivals.h"

#include <stdlib.h>

#define DAY_S 86400.0

/* Multiplier of the profile at time of day t (linear between points,
 * periodic: from the last point back to the first across midnight). */
double arrivals_profile_at(const nc_profile *p, double t)
{
    size_t n = p->npoints;
    if (n == 1)
        return p->multiplier[0];
    if (t < p->time_s[0] || t >= p->time_s[n - 1]) {
        double t0 = p->time_s[n - 1], t1 = p->time_s[0] + DAY_S;
        double m0 = p->multiplier[n - 1], m1 = p->multiplier[0];
        double x = t < p->time_s[0] ? t + DAY_S : t;
        if (t1 - t0 <= 0)
            return m0;
        return m0 + (m1 - m0) * (x - t0) / (t1 - t0);
    }
    size_t i = 0;
    while (i + 1 < n && p->time_s[i + 1] <= t)
        i++;
    double t0 = p->time_s[i], t1 = p->time_s[i + 1];
    if (t1 - t0 <= 0)
        return p->multiplier[i + 1];
    return p->multiplier[i] + (p->multiplier[i + 1] - p->multiplier[i]) * (t - t0) / (t1 - t0);
}

nc_status arrivals_init(arrivals *a, const nc_profile *p, double base)
{
    /* Breakpoints: 0, each profile point inside (0, 86400), 86400. */
    size_t cap = p->npoints + 2;
    double *bp = malloc(cap * sizeof *bp);
    a->seg = malloc(cap * sizeof *a->seg);
    if (bp == NULL || a->seg == NULL) {
        free(bp);
        free(a->seg);
        a->seg = NULL;
        return NC_ENOMEM;
    }
    size_t nb = 0;
    bp[nb++] = 0;
    for (size_t i = 0; i < p->npoints; i++)
        if (p->time_s[i] > bp[nb - 1] && p->time_s[i] < DAY_S)
            bp[nb++] = p->time_s[i];
    bp[nb++] = DAY_S;
    a->nseg = 0;
    a->day_area = 0;
    for (size_t i = 0; i + 1 < nb; i++) {
        arr_seg *s = &a->seg[a->nseg++];
        s->start_s = bp[i];
        s->end_s = bp[i + 1];
        /* The profile is linear inside [bp_i, bp_i+1] (every profile point
         * and midnight are breakpoints), so its start value and its
         * midpoint give the segment exactly. */
        double m0 = arrivals_profile_at(p, bp[i]);
        double mid = arrivals_profile_at(p, 0.5 * (bp[i] + bp[i + 1]));
        double m1 = 2 * mid - m0;
        if (m1 < 0)
            m1 = 0;
        double len = s->end_s - s->start_s;
        s->rate0 = base * m0;
        s->slope = base * (m1 - m0) / len;
        a->day_area += len * (s->rate0 + 0.5 * s->slope * len);
    }
    free(bp);
    a->day = 0;
    a->j = 0;
    return NC_OK;
}

void arrivals_free(arrivals *a)
{
    free(a->seg);
    a->seg = NULL;
    a->nseg = 0;
}

static size_t seg_of(const arrivals *a, double tod)
{
    size_t lo = 0, hi = a->nseg;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (a->seg[mid].start_s <= tod)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

double arrivals_rate(const arrivals *a, double t)
{
    double day = floor(t / DAY_S);
    double tod = t - day * DAY_S;
    const arr_seg *s = &a->seg[seg_of(a, tod)];
    double r = s->rate0 + s->slope * (tod - s->start_s);
    return r > 0 ? r : 0;
}

/* Area of segment s between times of day u0 <= u1 inside it. */
static double seg_area(const arr_seg *s, double u0, double u1)
{
    double r0 = s->rate0 + s->slope * (u0 - s->start_s);
    double d = u1 - u0;
    return d * (r0 + 0.5 * s->slope * d);
}

double arrivals_integral(const arrivals *a, double t0, double t1)
{
    double total = 0;
    while (t0 < t1) {
        double day = floor(t0 / DAY_S);
        double tod = t0 - day * DAY_S;
        const arr_seg *s = &a->seg[seg_of(a, tod)];
        double end = day * DAY_S + s->end_s;
        if (end > t1)
            end = t1;
        if (end <= t0)   /* rounding at a boundary */
            end = nextafter(t0, INFINITY);
        total += seg_area(s, tod, tod + (end - t0));
        t0 = end;
    }
    return total;
}

double arrivals_next(arrivals *a, double x, double e)
{
    if (!(a->day_area > 0))
        return INFINITY;
    if (a->nseg == 1 && a->seg[0].slope == 0)   /* constant rate: plain Poisson */
        return x + e / a->seg[0].rate0;
    /* Place the cursor on x (it only moves forward, so this is O(1)
     * amortised); whole days are skipped in one step. */
    double u0 = x - (double)a->day * DAY_S;
    if (u0 < a->seg[a->j].start_s || u0 >= a->seg[a->j].end_s) {
        double day = floor(x / DAY_S);
        a->day = (long)day;
        a->j = seg_of(a, x - day * DAY_S);
    }
    if (e > a->day_area) {
        double days = floor(e / a->day_area);
        e -= days * a->day_area;
        x += days * DAY_S;
        a->day += (long)days;
    }
    for (;;) {
        const arr_seg *s = &a->seg[a->j];
        double base = (double)a->day * DAY_S;
        double u = x - base;
        if (u < s->start_s)
            u = s->start_s;
        double r = s->rate0 + s->slope * (u - s->start_s);
        if (r < 0)
            r = 0;
        double len = s->end_s - u;
        double area = len * (r + 0.5 * s->slope * len);
        if (e <= area && area > 0) {
            double disc = r * r + 2.0 * s->slope * e;
            if (disc < 0)
                disc = 0;
            double denom = r + sqrt(disc);
            double d = denom > 0 ? 2.0 * e / denom : len;
            if (d > len)
                d = len;
            return base + u + d;
        }
        if (area > 0)
            e -= area;
        x = base + s->end_s;
        if (++a->j == a->nseg) {
            a->j = 0;
            a->day++;
        }
    }
}
