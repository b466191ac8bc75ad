/*
 * shard_merge.c - see shard_merge.h.
 */
#define _GNU_SOURCE
#include "shard_merge.h"

#include "observed_in.h"
#include "shard_hash.h"
#include "shard_select.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct part {
    char *path;
    shard_header h;
} part;

struct shard_set {
    part *parts;
    size_t n, cap;
};

void shard_set_destroy(shard_set *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->parts[i].path);
        shard_header_free(&s->parts[i].h);
    }
    free(s->parts);
    free(s);
}

static nc_status add_part(shard_set *s, const char *path, nc_error *err)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        part *p = realloc(s->parts, cap * sizeof *p);
        if (p == NULL)
            return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        s->parts = p;
        s->cap = cap;
    }
    part *p = &s->parts[s->n];
    memset(p, 0, sizeof *p);
    p->path = strdup(path);
    if (p->path == NULL)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        nc_status st = nc_error_set(err, errno == ENOENT ? NC_EINPUT : NC_EIO, path, 0, NULL,
                                    "cannot read the part: %s", strerror(errno));
        free(p->path);
        return st;
    }
    nc_status st = shard_read_header(fp, path, &p->h, err);
    fclose(fp);
    if (st != NC_OK) {
        free(p->path);
        return st;
    }
    s->n++;
    return NC_OK;
}

/* "natcap-shard-K-of-N.bin" exactly as shard_file_name writes it. */
static int is_part_name(const char *name)
{
    unsigned k, n;
    char back[64];
    if (sscanf(name, "natcap-shard-%u-of-%u.bin", &k, &n) != 2)
        return 0;
    shard_file_name(k, n, back, sizeof back);
    return strcmp(back, name) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static nc_status add_dir(shard_set *s, const char *dir, nc_error *err)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return nc_error_set(err, NC_EIO, dir, 0, NULL, "cannot read the directory: %s",
                            strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    nc_status st = NC_OK;
    struct dirent *e;
    while (st == NC_OK && (e = readdir(d)) != NULL) {
        if (!is_part_name(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nn = realloc(names, cap * sizeof *nn);
            if (nn == NULL) {
                st = nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
                break;
            }
            names = nn;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (names[n] == NULL) {
            st = nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
            break;
        }
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (st == NC_OK && n == 0)
        st = nc_error_set(err, NC_EINPUT, dir, 0, NULL,
                          "no natcap-shard-K-of-N.bin part in this directory");
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && st == NC_OK; i++)
        st = add_part(s, names[i], err);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}

/* "--seed 5" or "no --seed" */
static void fmt_opt(const char *opt, int64_t v, char *buf, size_t len)
{
    if (v < 0)
        snprintf(buf, len, "no %s", opt);
    else
        snprintf(buf, len, "%s %" PRId64, opt, v);
}

/* The observed.csv options a part ran with, as on the command line. */
static void obs_opts(const shard_header *h, char *buf, size_t len)
{
    long m = (long)(h->obs_tz_s < 0 ? -h->obs_tz_s : h->obs_tz_s) / 60;
    int n = snprintf(buf, len, "--tz %c%02ld:%02ld", h->obs_tz_s < 0 ? '-' : '+', m / 60, m % 60);
    if (n < 0 || (size_t)n >= len)
        return;
    if (h->obs_day[0] != '\0')
        snprintf(buf + n, len - (size_t)n, " --observed-day %.10s", h->obs_day);
    else if (h->obs_fold != 0)
        snprintf(buf + n, len - (size_t)n, " --observed-fold %s",
                 h->obs_fold == OBS_FOLD_MAX ? "max" : "mean");
}

/* Why part p does not belong with reference part q (both already sound). */
static nc_status mismatch(const part *p, const part *q, nc_error *err)
{
    const shard_header *a = &p->h, *b = &q->h;
    if (strcmp(a->natcap_version, b->natcap_version) != 0)
        return nc_error_set(err, NC_EINPUT, p->path, 0, NULL,
                            "written by natcap %s, but %s by natcap %s", a->natcap_version,
                            q->path, b->natcap_version);
    if (strcmp(a->rng_name, b->rng_name) != 0)
        return nc_error_set(err, NC_EINPUT, p->path, 0, NULL,
                            "generator %s, but %s used %s (GSL_RNG_TYPE)", a->rng_name, q->path,
                            b->rng_name);
    if (memcmp(a->inputs_sha256, b->inputs_sha256, 32) != 0) {
        char x[16], y[16];
        shard_hash_hex(a->inputs_sha256, x);
        shard_hash_hex(b->inputs_sha256, y);
        return nc_error_set(err, NC_EINPUT, p->path, 0, NULL,
                            "a different batch: other input files than %s (inputs hash "
                            "%s..., not %s...)",
                            q->path, x, y);
    }
    char x[48], y[48];
    if (a->seed != b->seed || a->replications != b->replications) {
        const char *opt = a->seed != b->seed ? "--seed" : "-r";
        fmt_opt(opt, a->seed != b->seed ? a->seed : a->replications, x, sizeof x);
        fmt_opt(opt, a->seed != b->seed ? b->seed : b->replications, y, sizeof y);
        return nc_error_set(err, NC_EINPUT, p->path, 0, NULL,
                            "a different batch: run with %s, but %s with %s", x, q->path, y);
    }
    if (memcmp(a->batch_id, b->batch_id, 32) != 0)
        return nc_error_set(err, NC_EINPUT, p->path, 0, NULL,
                            "a different batch than %s (other scenarios selected with -s)",
                            q->path);
    if (a->obs_tz_s != b->obs_tz_s || strcmp(a->obs_day, b->obs_day) != 0
        || a->obs_fold != b->obs_fold) {
        obs_opts(a, x, sizeof x);
        obs_opts(b, y, sizeof y);
        return nc_error_set(err, NC_EINPUT, p->path, 0, NULL,
                            "a different batch: observed.csv read with %s, but %s with %s", x,
                            q->path, y);
    }
    if (a->n != b->n)
        return nc_error_set(err, NC_EINPUT, p->path, 0, NULL,
                            "shard %u/%u, but %s is shard %u/%u: parts of different splits",
                            a->k, a->n, q->path, b->k, b->n);
    return NC_OK;
}

static int cmp_part(const void *x, const void *y)
{
    const part *a = x, *b = y;
    return (a->h.k > b->h.k) - (a->h.k < b->h.k);
}

static nc_status check_set(shard_set *s, nc_error *err)
{
    for (size_t i = 0; i < s->n; i++) {
        const part *p = &s->parts[i];
        nc_status st = i > 0 ? mismatch(p, &s->parts[0], err) : NC_OK;
        if (st != NC_OK)
            return st;
        uint64_t lo, hi;
        shard_range(p->h.k, p->h.n, p->h.units, &lo, &hi);
        if (p->h.unit_lo != lo || p->h.unit_hi != hi)
            return nc_error_set(err, NC_EINPUT, p->path, 0, NULL,
                                "holds units [%" PRIu64 ", %" PRIu64 "), but shard %u/%u is "
                                "[%" PRIu64 ", %" PRIu64 ")",
                                p->h.unit_lo, p->h.unit_hi, p->h.k, p->h.n, lo, hi);
    }
    /* Sort by K (stable enough: equal K is an error anyway) and find
     * duplicates and gaps. */
    qsort(s->parts, s->n, sizeof *s->parts, cmp_part);
    for (size_t i = 1; i < s->n; i++)
        if (s->parts[i].h.k == s->parts[i - 1].h.k)
            return nc_error_set(err, NC_EINPUT, s->parts[i].path, 0, NULL,
                                "shard %u/%u given twice (also %s)", s->parts[i].h.k,
                                s->parts[i].h.n, s->parts[i - 1].path);
    uint32_t n = s->parts[0].h.n;
    for (uint32_t k = 0, i = 0; k < n; k++, i++) {
        if (i < s->n && s->parts[i].h.k == k)
            continue;
        char name[64];
        uint64_t lo, hi;
        shard_file_name(k, n, name, sizeof name);
        shard_range(k, n, s->parts[0].h.units, &lo, &hi);
        return nc_error_set(err, NC_EINPUT, NULL, 0, NULL,
                            "missing part %s: shard %u/%u (units [%" PRIu64 ", %" PRIu64
                            ") of %" PRIu64 ") was not given; %zu of %u parts found",
                            name, k, n, lo, hi, s->parts[0].h.units, s->n, n);
    }
    return NC_OK;
}

nc_status shard_set_open(const char *const *args, size_t nargs, shard_set **out, nc_error *err)
{
    if (nargs == 0)
        return nc_error_set(err, NC_EUSAGE, NULL, 0, NULL, "merge: no part given");
    shard_set *s = calloc(1, sizeof *s);
    if (s == NULL)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    nc_status st = NC_OK;
    for (size_t i = 0; i < nargs && st == NC_OK; i++) {
        struct stat sb;
        if (stat(args[i], &sb) == 0 && S_ISDIR(sb.st_mode))
            st = add_dir(s, args[i], err);
        else
            st = add_part(s, args[i], err);
    }
    if (st == NC_OK)
        st = check_set(s, err);
    if (st != NC_OK) {
        shard_set_destroy(s);
        return st;
    }
    *out = s;
    return NC_OK;
}

const shard_header *shard_set_header(const shard_set *s)
{
    return &s->parts[0].h;
}

nc_status shard_set_check_inputs(const shard_set *s, const char *dir, const nc_input *in,
                                 nc_error *err)
{
    const part *p = &s->parts[0];
    uint8_t h[32];
    nc_status st = shard_hash_inputs(dir, h, err);
    if (st != NC_OK)
        return st;
    if (memcmp(h, p->h.inputs_sha256, 32) != 0) {
        char x[16], y[16];
        shard_hash_hex(h, x);
        shard_hash_hex(p->h.inputs_sha256, y);
        return nc_error_set(err, NC_EINPUT, dir, 0, NULL,
                            "the input files are not those the shards ran on (inputs hash %s..., "
                            "%s says %s...)",
                            x, p->path, y);
    }
    for (size_t i = 0; i < p->h.nscen; i++) {
        size_t j = 0;
        while (j < in->nscenarios && strcmp(in->scenarios[j].name, p->h.scen[i].name) != 0)
            j++;
        if (j == in->nscenarios)
            return nc_error_set(err, NC_EINPUT, dir, 0, NULL, "no scenario '%s' (in %s)",
                                p->h.scen[i].name, p->path);
    }
    return NC_OK;
}

/* The line of the first observation of pool ref in o (0 when none). */
static long pool_line(const nc_observed *o, const nc_pool_ref *ref)
{
    for (size_t i = 0; o != NULL && i < o->n; i++)
        if (o->s[i].gw == ref->gw && strcmp(o->s[i].pool, ref->name) == 0)
            return o->s[i].n > 0 ? o->s[i].line[0] : 0;
    return 0;
}

nc_status shard_set_check_watch(const shard_set *s, const nc_input *in, const nc_observed *o,
                                nc_error *err)
{
    for (size_t k = 0; k < s->n; k++) {
        const part *p = &s->parts[k];
        for (size_t i = 0; i < p->h.nscen && i < in->nscenarios; i++) {
            const shard_scen *c = &p->h.scen[i];
            const nc_scenario *sc = &in->scenarios[i];
            if (c->rep_hi <= c->rep_lo)
                continue;   /* no replication of the scenario in this part */
            for (size_t w = 0; w < sc->nwatch; w++) {
                const nc_pool_ref *ref = &sc->watch[w];
                if (shard_scen_watched(c, ref) >= 0)
                    continue;
                return nc_error_set(err, NC_EINPUT, o != NULL ? o->path : NULL,
                                    pool_line(o, ref), "pool",
                                    "pool \"%s\" of gateway '%s' (scenario '%s') was not "
                                    "recorded by the shards (%s): observed.csv did not name it "
                                    "when they ran; run the shards again with this observed.csv",
                                    ref->name, sc->gateways[ref->gw].name, sc->name, p->path);
            }
        }
    }
    return NC_OK;
}

nc_status shard_set_merge(const shard_set *s, nc_scen_result *const *rs, size_t n, nc_error *err)
{
    for (size_t i = 0; i < n; i++)
        snprintf(rs[i]->rng_name, sizeof rs[i]->rng_name, "%s", s->parts[0].h.rng_name);
    for (size_t i = 0; i < s->n; i++) {
        const part *p = &s->parts[i];
        FILE *fp = fopen(p->path, "rb");
        if (fp == NULL)
            return nc_error_set(err, NC_EIO, p->path, 0, NULL, "cannot read the part: %s",
                                strerror(errno));
        nc_status st = shard_read_data(fp, p->path, &p->h, rs, n, err);
        fclose(fp);
        if (st != NC_OK)
            return st;
    }
    return NC_OK;
}
