/*
 * observed_in.c - observed.csv into series on the simulated clock (see
 * observed_in.h).  Also the ISO 8601 parser shared with obs_import.c.
 */
#define _GNU_SOURCE
#include "observed_in.h"

#include "csv_read.h"
#include "csv_value.h"
#include "obs_import.h"

#include <ctype.h>
#include <stdarg.h>
#include <time.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ times */

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm) */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

int observed_parse_tz(const char *s, int *out_s)
{
    int h, m;
    if (strcmp(s, "Z") == 0) {
        *out_s = 0;
        return 0;
    }
    if ((s[0] != '+' && s[0] != '-') || digits(s + 1, 2, &h) != 0)
        return -1;
    const char *p = s + 3;
    if (*p == ':')
        p++;
    if (digits(p, 2, &m) != 0 || p[2] != '\0' || h > 14 || m > 59)
        return -1;
    *out_s = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return 0;
}

int obs_parse_iso(const char *s, int64_t *unix_s, int *offset_s, int require_zone)
{
    int y, mo, d, h, mi, sec = 0;
    if (strlen(s) < 16 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') || digits(s + 11, 2, &h) ||
        s[13] != ':' || digits(s + 14, 2, &mi))
        return -1;
    const char *p = s + 16;
    if (*p == ':') {
        if (digits(p + 1, 2, &sec))
            return -1;
        p += 3;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p))
                return -1;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    int off = 0;
    if (*p == '\0') {
        if (require_zone)
            return -1;
    } else if (observed_parse_tz(p, &off) != 0) {
        return -1;
    }
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
        mi > 59 || sec > 60)
        return -1;
    if (sec == 60)
        sec = 59;   /* a leap second reads as the second before */
    *unix_s = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    *offset_s = off;
    return 0;
}

static void format_day(int64_t day, char *buf, size_t len)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d", &tm);
}

/* ------------------------------------------------------------ loading */

enum { C_TIME, C_GATEWAY, C_METRIC, C_VALUE, C_INTERVAL, C_STAT, C_POOL, C_SOURCE, NCOLS };
static const char *const cols[NCOLS] = {"time", "gateway", "metric", "value", "interval_s",
                                        "stat", "pool", "source"};

typedef struct point {
    size_t row;          /* data row of the table */
    long line;
    size_t gw;
    int metric, stat;    /* stat -1: not given */
    const char *pool;    /* "" when blank */
    const char *source;
    double interval_s;   /* 0: not given */
    double value;
    int64_t t;           /* Unix s (dated) or s of the day */
    int64_t day;         /* days since the epoch of t + tz (dated) */
    double tod;          /* shifted time of day */
} point;

static int cmp_point(const void *a, const void *b)
{
    const point *x = a, *y = b;
    if (x->gw != y->gw)
        return x->gw < y->gw ? -1 : 1;
    if (x->metric != y->metric)
        return x->metric - y->metric;
    int c = strcmp(x->pool, y->pool);
    if (c)
        return c;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int same_series(const point *a, const point *b)
{
    return a->gw == b->gw && a->metric == b->metric && strcmp(a->pool, b->pool) == 0;
}

typedef struct L {
    csv_read_table t;
    int col[NCOLS];
    nc_error *err;
    csv_in_errors *errs;   /* NULL: stop at the first error */
} L;

/* After an input error in l->err: NC_OK to go on (kept in l->errs), else the
 * status to stop with (no collection, another error, or the limit). */
static nc_status keep(L *l, nc_status st)
{
    if (st != NC_EINPUT || l->errs == NULL)
        return st;
    if (l->errs->n == CSV_IN_MAX_ERRORS) {
        l->errs->truncated = 1;
        return NC_EINPUT;
    }
    l->errs->e[l->errs->n++] = *l->err;
    return NC_OK;
}

/* The end of a stage: NC_EINPUT (with the first error in l->err) when it kept any. */
static nc_status stage_end(L *l)
{
    if (l->errs == NULL || l->errs->n == 0)
        return NC_OK;
    *l->err = l->errs->e[0];
    return NC_EINPUT;
}

static csv_value cell(const L *l, size_t row, int c)
{
    csv_value v = {NULL, l->t.path, cols[c], l->t.row_line[row], 0};
    if (l->col[c] >= 0)
        v.s = csv_read_cell(&l->t, row, (size_t)l->col[c]);
    return v;
}

__attribute__((format(printf, 4, 5))) static nc_status at(const L *l, const point *p, int c,
                                                          const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    csv_value v = cell(l, p->row, c);
    return csv_value_error(&v, l->err, "%s", msg);
}

static nc_status oom(nc_error *err) { return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory"); }

static nc_status parse_row(L *l, const nc_gateway *gws, size_t ngw, const char *const *names,
                           size_t nn, const observed_in_opts *o, point *pts, size_t r, int *dated);

/* Parse every row into pts[] (with l->errs: every row, one error each). */
static nc_status parse_rows(L *l, const nc_gateway *gws, size_t ngw, const observed_in_opts *o,
                            point *pts, int *dated)
{
    const char *names[64];
    size_t nn = ngw < 64 ? ngw : 64;
    for (size_t g = 0; g < nn; g++)
        names[g] = gws[g].name;
    *dated = -1;
    for (size_t r = 0; r < l->t.nrows; r++) {
        nc_status st = parse_row(l, gws, ngw, names, nn, o, pts, r, dated);
        if (st != NC_OK && (st = keep(l, st)) != NC_OK)
            return st;
    }
    return stage_end(l);
}

static nc_status parse_row(L *l, const nc_gateway *gws, size_t ngw, const char *const *names,
                           size_t nn, const observed_in_opts *o, point *pts, size_t r, int *dated)
{
    nc_error *err = l->err;
    {
        point *p = &pts[r];
        memset(p, 0, sizeof *p);
        p->row = r;
        p->line = l->t.row_line[r];
        p->stat = -1;
        nc_status st;
        /* time */
        csv_value v = cell(l, r, C_TIME);
        char got[80];
        if (v.s == NULL)
            return csv_value_error(&v, err, "missing value: expected YYYY-MM-DDTHH:MM[:SS]Z (or "
                                   "with a +HH:MM offset) or a time of day HH:MM[:SS]");
        int64_t ts;
        int off, is_dated = strlen(v.s) > 10;
        if (is_dated) {
            if (obs_parse_iso(v.s, &ts, &off, 1) != 0)
                return csv_value_error(&v, err, "expected YYYY-MM-DDTHH:MM[:SS]Z or with a "
                                       "+HH:MM offset, got \"%s\"", csv_value_show(v.s, got, sizeof got));
            int64_t local = ts + o->tz_s;
            p->t = ts;
            p->day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
            p->tod = (double)(local - p->day * 86400);
        } else {
            double s;
            if ((st = csv_value_time(&v, &s, err)) != NC_OK)
                return st;
            if (s >= 86400)
                return csv_value_error(&v, err, "24:00 is the end of the day, not the start of an "
                                       "interval");
            double sh = fmod(s + o->tz_s + 86400.0, 86400.0);
            p->t = (int64_t)llround(s);
            p->tod = sh;
        }
        if (*dated >= 0 && *dated != is_dated)
            return csv_value_error(&v, err, "mixes dated times and times of day; use one form in "
                                   "the whole file");
        *dated = is_dated;
        /* gateway */
        v = cell(l, r, C_GATEWAY);
        if (v.s == NULL) {
            if (ngw != 1)
                return csv_value_error(&v, err, "missing value: there are %zu gateways; say which "
                                       "one was measured", ngw);
            p->gw = 0;
        } else {
            size_t g;
            for (g = 0; g < ngw && strcmp(gws[g].name, v.s) != 0; g++)
                ;
            if (g == ngw) {
                const char *near = csv_value_nearest(v.s, names, nn);
                char hint[100] = "";
                if (near)
                    snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
                return csv_value_error(&v, err, "no gateway named \"%s\" in gateways.csv%s",
                                       csv_value_show(v.s, got, sizeof got), hint);
            }
            p->gw = g;
        }
        v = cell(l, r, C_METRIC);
        if ((st = csv_value_keyword(&v, obs_metric_names, OBS_NMETRICS, 1, &p->metric, err)) != NC_OK)
            return st;
        static const csv_value_num R_VALUE = {0, 0, 1e15}, R_INT = {0, 1, 86400};
        v = cell(l, r, C_VALUE);
        if ((st = csv_value_number(&v, &R_VALUE, 1, &p->value, err)) != NC_OK)
            return st;
        v = cell(l, r, C_INTERVAL);
        if ((st = csv_value_number(&v, &R_INT, 0, &p->interval_s, err)) != NC_OK)
            return st;
        v = cell(l, r, C_STAT);
        if ((st = csv_value_keyword(&v, obs_stat_names, OBS_NSTATS, 0, &p->stat, err)) != NC_OK)
            return st;
        if (p->stat >= 0 && !obs_stat_fits((obs_metric)p->metric, (obs_stat)p->stat)) {
            if (obs_metric_is_gauge((obs_metric)p->metric))
                return csv_value_error(&v, err, "stat sum does not summarise a level like %s; use "
                                       "max, mean or last", obs_metric_names[p->metric]);
            return csv_value_error(&v, err, "stat %s does not summarise a count like %s; use sum "
                                   "(the count of each interval) or last (a cumulative counter)",
                                   obs_stat_names[p->stat], obs_metric_names[p->metric]);
        }
        v = cell(l, r, C_POOL);
        p->pool = v.s ? v.s : "";
        if (strlen(p->pool) >= sizeof ((obs_series *)0)->pool)
            return csv_value_error(&v, err, "pool name longer than %zu characters",
                                   sizeof ((obs_series *)0)->pool - 1);
        if (p->pool[0] != '\0' && (p->metric == OBS_REQUESTS || p->metric == OBS_FAILED_REQUESTS))
            return csv_value_error(&v, err, "%s are counted per gateway, not per pool: leave pool "
                                   "blank", obs_metric_names[p->metric]);
        v = cell(l, r, C_SOURCE);
        p->source = v.s ? v.s : "";
    }
    return NC_OK;
}

static int default_stat(int metric) { return obs_metric_is_gauge((obs_metric)metric) ? OBS_MAX : OBS_SUM; }

/* Check one series pts[a..b) (sorted by time) and append it to out. */
static nc_status build_series(L *l, point *pts, size_t a, size_t b, const nc_gateway *gws,
                              int dated, nc_observed *out)
{
    nc_error *err = l->err;
    point *p0 = &pts[a];
    int stat = p0->stat;
    double interval = p0->interval_s;
    const char *source = "";
    for (size_t i = a; i < b; i++) {
        point *p = &pts[i];
        if (i > a && p->t == pts[i - 1].t)
            return at(l, p, C_TIME, "duplicate: %s of this gateway and pool is also given on an "
                      "earlier line (%ld) at this time", obs_metric_names[p->metric], pts[i - 1].line);
        int s = p->stat < 0 ? default_stat(p->metric) : p->stat;
        if (stat < 0)
            stat = s;
        if (s != stat)
            return at(l, p, C_STAT, "stat %s differs from the series' %s (one stat per gateway, "
                      "metric and pool)", obs_stat_names[s], obs_stat_names[stat]);
        if (p->interval_s > 0 && interval > 0 && p->interval_s != interval)
            return at(l, p, C_INTERVAL, "interval_s differs within the series (%g, then %g)", interval, p->interval_s);
        if (interval <= 0)
            interval = p->interval_s;
        if (*source == '\0')
            source = p->source;
    }
    if (stat < 0)
        stat = default_stat(p0->metric);
    if (interval <= 0) {
        double best = 0;
        for (size_t i = a + 1; i < b; i++) {
            double d = (double)(pts[i].t - pts[i - 1].t);
            if (best == 0 || d < best)
                best = d;
        }
        interval = best > 0 ? best : 60;
    }
    /* no gap, on the grid */
    for (size_t i = a + 1; i < b; i++) {
        double d = (double)(pts[i].t - pts[i - 1].t);
        if (fabs(d - interval) > 1e-6) {
            /* times of the day that run past midnight: the series sorted
             * starts at 00:00, ends at the day's end, and its line after
             * the gap comes first in the file */
            if (!dated && pts[a].t == 0 && (double)pts[b - 1].t + interval >= 86400
                && pts[i].line < pts[i - 1].line)
                return at(l, &pts[a], C_TIME, "the series runs past midnight (00:00 on line %ld "
                          "comes after line %ld's %02d:%02d): a time of day is read as that time of "
                          "the one simulated day; give each point its date "
                          "(YYYY-MM-DDTHH:MM:SSZ) and pick a day with --observed-day, or keep "
                          "the series within one day", pts[a].line, pts[b - 1].line,
                          (int)(pts[b - 1].t / 3600), (int)(pts[b - 1].t / 60 % 60));
            char what[160];
            snprintf(what, sizeof what, "%.0f s after the previous point of this series (line %ld), "
                     "not one interval (%g s)", d, pts[i - 1].line, interval);
            return at(l, &pts[i], C_TIME, "%s%s: a gap inside a series is an error (trim the "
                      "series, or fill the gap)", d > interval ? "gap: " : "", what);
        }
    }
    int cumulative = stat == OBS_LAST && !obs_metric_is_gauge((obs_metric)p0->metric);
    for (size_t i = a + 1; cumulative && i < b; i++)
        if (pts[i].value < pts[i - 1].value) {
            char prev[64];
            snprintf(prev, sizeof prev, "%.17g on line %ld", pts[i - 1].value, pts[i - 1].line);
            return at(l, &pts[i], C_VALUE, "the cumulative counter decreases (from %s): a counter "
                      "reset? trim the series", prev);
        }
    size_t n = b - a - (size_t)cumulative;
    if (n == 0)
        return at(l, p0, C_VALUE, "a cumulative counter (stat last) needs two points or more");
    obs_series *ns = realloc(out->s, (out->n + 1) * sizeof *ns);
    if (ns == NULL)
        return oom(err);
    out->s = ns;
    obs_series *s = &ns[out->n];
    memset(s, 0, sizeof *s);
    snprintf(s->gateway, sizeof s->gateway, "%s", gws[p0->gw].name);
    s->gw = p0->gw;
    s->metric = (obs_metric)p0->metric;
    s->stat = cumulative ? OBS_SUM : (obs_stat)stat;
    snprintf(s->pool, sizeof s->pool, "%s", p0->pool);
    s->source = strdup(source);
    s->interval_s = interval;
    s->n = n;
    s->value = malloc(n * sizeof *s->value);
    s->line = malloc(n * sizeof *s->line);
    if (s->source == NULL || s->value == NULL || s->line == NULL) {
        free(s->source);
        free(s->value);
        free(s->line);
        return oom(err);
    }
    out->n++;
    size_t first = a + (size_t)cumulative;
    /* a row's time is the start of its interval, and a cumulative counter's
     * value (stat last) its reading at the interval's end: the increase from
     * the previous row's reading is the count of the row's own interval */
    s->t0_s = pts[first].tod;
    for (size_t i = 0; i < n; i++) {
        const point *p = &pts[first + i];
        s->value[i] = cumulative ? p->value - pts[first + i - 1].value : p->value;
        s->line[i] = p->line;
    }
    (void)dated;
    return NC_OK;
}

/* Fold dated series by time of day: one series per (gateway, metric, pool)
 * whose value at each time of day is the mean or max over the days seen. */
static nc_status fold_series(nc_observed *o, obs_fold how, nc_error *err)
{
    size_t kept = 0;
    for (size_t i = 0; i < o->n; i++) {
        obs_series *s = &o->s[i];
        if (s->value == NULL)
            continue;   /* merged already */
        double lo = s->t0_s, hi = s->t0_s + (double)s->n * s->interval_s;
        for (size_t j = i + 1; j < o->n; j++) {
            obs_series *x = &o->s[j];
            if (x->value == NULL || x->gw != s->gw || x->metric != s->metric ||
                strcmp(x->pool, s->pool) != 0)
                continue;
            if (x->interval_s != s->interval_s)
                return nc_error_set(err, NC_EINPUT, o->path, x->line[0], "interval_s",
                                    "days with different intervals cannot be folded");
            lo = fmin(lo, x->t0_s);
            hi = fmax(hi, x->t0_s + (double)x->n * x->interval_s);
        }
        size_t n = (size_t)llround((hi - lo) / s->interval_s);
        double *v = calloc(n + 1, sizeof *v), *cnt = calloc(n + 1, sizeof *cnt);
        long *ln = calloc(n + 1, sizeof *ln);
        if (v == NULL || cnt == NULL || ln == NULL) {
            free(v);
            free(cnt);
            free(ln);
            return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        }
        for (size_t j = i; j < o->n; j++) {
            obs_series *x = &o->s[j];
            if (x->value == NULL || x->gw != s->gw || x->metric != s->metric ||
                strcmp(x->pool, s->pool) != 0)
                continue;
            long off = lround((x->t0_s - lo) / s->interval_s);
            for (size_t q = 0; q < x->n; q++) {
                size_t idx = (size_t)(off + (long)q);
                if (idx >= n)
                    continue;
                if (how == OBS_FOLD_MAX)
                    v[idx] = cnt[idx] > 0 ? fmax(v[idx], x->value[q]) : x->value[q];
                else
                    v[idx] += x->value[q];
                cnt[idx] += 1;
                if (ln[idx] == 0)
                    ln[idx] = x->line[q];
            }
            if (j != i) {
                free(x->source);
                free(x->value);
                free(x->line);
                x->source = NULL;
                x->value = NULL;
                x->line = NULL;
            }
        }
        for (size_t q = 0; q < n; q++)
            if (cnt[q] == 0)
                return nc_error_set(err, NC_EINPUT, o->path, 0, "time",
                                    "folded %s series has a gap at %02d:%02d (no day has it)",
                                    obs_metric_names[s->metric],
                                    (int)((lo + (double)q * s->interval_s) / 3600),
                                    (int)fmod((lo + (double)q * s->interval_s) / 60, 60));
            else if (how == OBS_FOLD_MEAN)
                v[q] /= cnt[q];
        free(cnt);
        free(s->value);
        free(s->line);
        s->value = v;
        s->line = ln;
        s->t0_s = lo;
        s->n = n;
        if (i != kept) {
            o->s[kept] = *s;
            memset(s, 0, sizeof *s);
        }
        kept++;
    }
    for (size_t i = kept; i < o->n; i++) {
        free(o->s[i].source);
        free(o->s[i].value);
        free(o->s[i].line);
    }
    o->n = kept;
    return NC_OK;
}

nc_status observed_in_load_mem(const char *path, const void *data, size_t len,
                               const nc_gateway *gws, size_t ngw, const observed_in_opts *o,
                               nc_observed *out, nc_error *err)
{
    memset(out, 0, sizeof *out);
    L l;
    memset(&l, 0, sizeof l);
    l.err = err;
    l.errs = o->errs;
    nc_status st = csv_read_buffer(path, data, len, 0, &l.t, err);
    if (st != NC_OK)
        return st;
    if (!l.t.present || l.t.nrows == 0) {
        csv_read_free(&l.t);
        return NC_OK;
    }
    int misspelt[NCOLS] = {0};   /* a misspelling was taken for it: not also missing */
    for (int c = 0; c < NCOLS; c++)
        l.col[c] = -1;
    for (size_t c = 0; c < l.t.ncols; c++) {
        const char *h = csv_read_header(&l.t, c);
        int k;
        for (k = 0; k < NCOLS && strcmp(cols[k], h) != 0; k++)
            ;
        if (k == NCOLS) {
            const char *near = csv_value_nearest(h, cols, NCOLS);
            char hint[100] = "";
            if (near)
                snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
            for (int m = 0; near != NULL && m < NCOLS; m++)
                misspelt[m] |= cols[m] == near;
            char shown[80];
            st = nc_error_set(err, NC_EINPUT, l.t.path, l.t.header_line,
                              csv_value_show(h, shown, sizeof shown), "unknown column%s; "
                              "expected time, gateway, metric, value, interval_s, stat, pool, source",
                              hint);
            if ((st = keep(&l, st)) != NC_OK) {
                csv_read_free(&l.t);
                return st;
            }
            continue;
        }
        if (l.col[k] >= 0) {
            char shown[80];
            st = nc_error_set(err, NC_EINPUT, l.t.path, l.t.header_line,
                              csv_value_show(h, shown, sizeof shown), "column given twice");
            if ((st = keep(&l, st)) != NC_OK) {
                csv_read_free(&l.t);
                return st;
            }
            continue;
        }
        l.col[k] = (int)c;
    }
    static const int required[] = {C_TIME, C_METRIC, C_VALUE};
    for (size_t i = 0; i < 3; i++)
        if (l.col[required[i]] < 0 && !misspelt[required[i]]) {
            st = nc_error_set(err, NC_EINPUT, l.t.path, l.t.header_line, cols[required[i]],
                              "required column is missing");
            if ((st = keep(&l, st)) != NC_OK) {
                csv_read_free(&l.t);
                return st;
            }
        }
    if ((st = stage_end(&l)) != NC_OK) {   /* the rows would only repeat the header's errors */
        csv_read_free(&l.t);
        return st;
    }
    point *pts = calloc(l.t.nrows, sizeof *pts);
    if (pts == NULL) {
        csv_read_free(&l.t);
        return oom(err);
    }
    int dated = 0;
    st = parse_rows(&l, gws, ngw, o, pts, &dated);
    size_t n = l.t.nrows;
    /* days */
    if (st == NC_OK && dated) {
        int64_t d0 = pts[0].day;
        size_t other = SIZE_MAX;
        for (size_t i = 1; i < n && other == SIZE_MAX; i++)
            if (pts[i].day != d0)
                other = i;
        if (o->day != NULL) {
            int64_t want;
            int off;
            char iso[40];
            snprintf(iso, sizeof iso, "%.10sT00:00:00Z", o->day);
            if (strlen(o->day) != 10 || obs_parse_iso(iso, &want, &off, 1) != 0)
                st = nc_error_set(err, NC_EUSAGE, NULL, 0, NULL, "--observed-day: expected YYYY-MM-DD, got '%s'",
                                  o->day);
            size_t kept = 0;
            for (size_t i = 0; st == NC_OK && i < n; i++)
                if (pts[i].day == want / 86400)
                    pts[kept++] = pts[i];
            if (st == NC_OK && kept == 0)
                st = nc_error_set(err, NC_EINPUT, l.t.path, 0, "time", "no observation on %s "
                                  "(--observed-day)%s", o->day, o->tz_s ? " after the --tz shift" : "");
            n = kept;
        } else if (other != SIZE_MAX && o->fold == OBS_FOLD_NONE) {
            char a[16], b[16];
            format_day(d0, a, sizeof a);
            format_day(pts[other].day, b, sizeof b);
            csv_value v = cell(&l, pts[other].row, C_TIME);
            char tz[48] = "";
            if (o->tz_s != 0)
                snprintf(tz, sizeof tz, " on the simulated clock (after --tz %c%02d:%02d)",
                         o->tz_s < 0 ? '-' : '+', abs(o->tz_s) / 3600, abs(o->tz_s) % 3600 / 60);
            st = csv_value_error(&v, err, "the observations span several days%s (%s and %s); pick one "
                                 "with --observed-day YYYY-MM-DD or fold them with --observed-fold "
                                 "mean|max", tz, a, b);
        }
        if (st == NC_OK && n > 0)
            format_day(pts[0].day, out->day, sizeof out->day);
    } else if (st == NC_OK && (o->day != NULL || o->fold != OBS_FOLD_NONE)) {
        /* times of day: one day already; the options change nothing */
    }
    if (st == NC_OK) {
        qsort(pts, n, sizeof *pts, cmp_point);
        out->path = strdup(l.t.path);
        if (out->path == NULL)
            st = oom(err);
    }
    /* with a fold, each day is its own run of a series (then folded) */
    for (size_t a = 0; st == NC_OK && a < n;) {
        size_t b = a + 1;
        while (b < n && same_series(&pts[a], &pts[b]) &&
               (o->fold == OBS_FOLD_NONE || !dated || pts[b].day == pts[a].day ||
                pts[b].t == pts[b - 1].t))
            b++;
        st = build_series(&l, pts, a, b, gws, dated, out);
        if (st != NC_OK)   /* one error per series, then the next series */
            st = keep(&l, st);
        a = b;
    }
    if (st == NC_OK)
        st = stage_end(&l);
    if (st == NC_OK && dated && o->fold != OBS_FOLD_NONE) {
        st = fold_series(out, o->fold, err);
        out->folded = 1;
    }
    free(pts);
    csv_read_free(&l.t);
    if (st != NC_OK)
        nc_observed_free(out);
    return st;
}

nc_status observed_in_load(const char *dir, const nc_input *in, const observed_in_opts *o,
                           nc_observed *out, nc_error *err)
{
    memset(out, 0, sizeof *out);
    if (in->nscenarios == 0)
        return NC_OK;
    char path[4096];
    snprintf(path, sizeof path, "%s/observed.csv", dir);
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NC_OK;   /* optional */
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int bad = 0;
    while (buf != NULL && !bad) {
        if (n == cap) {
            char *nb = cap >= CSV_READ_MAX_BYTES ? NULL : realloc(buf, cap * 2);
            if (nb == NULL) {
                bad = 1;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0)
            break;
    }
    bad |= ferror(fp);
    fclose(fp);
    if (buf == NULL || bad) {
        free(buf);
        return nc_error_set(err, NC_EIO, path, 0, NULL, "cannot read (or larger than %u MiB)",
                            CSV_READ_MAX_BYTES >> 20);
    }
    const nc_scenario *sc = &in->scenarios[0];
    nc_status st = observed_in_load_mem(path, buf, n, sc->gateways, sc->ngateways, o, out, err);
    free(buf);
    return st;
}
