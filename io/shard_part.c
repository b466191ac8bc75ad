/*
 * shard_part.c - see shard_part.h.
 *
 * The part is written and read through a small buffered writer/reader that
 * feeds every payload byte to a SHA-256 (io/shard_hash), so the trailing
 * checksum covers the whole file.  The fields themselves are not written
 * here one by one: put_* and get_* below are generated from the lists of
 * io/shard_fields.h.  A merge reads each part twice: once for the header
 * and the checksum (nothing is trusted before the whole file checked out),
 * once to add its data into the results; the checksum is verified again at
 * the end of the second read, so a part replaced in between fails the merge.
 *
 * Sizes: a part holds, per gateway, (reps in the part x intervals) x 8 u32
 * (the in-use series and the samples) plus eleven u64/u32 per interval -
 * about 120 KiB per gateway and scenario for a day at 60 s intervals, plus
 * 45 KiB per replication in the part, and as much per replication and pool
 * watched for observed.csv (nc_scen_result.pools).  Nothing is
 * allocated from sizes read in a part except the scenario table and its
 * watched pools (both capped).
 */
#define _GNU_SOURCE
#include "shard_part.h"

#include "observed_in.h"
#include "outdir.h"
#include "shard_fields.h"
#include "shard_hash.h"
#include "shard_select.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char magic[8] = {'N', 'A', 'T', 'C', 'A', 'P', 'S', 'H'};

#define MAX_SCEN 1000000u
#define MAX_REPS 1000000u
#define MAX_SAMPLES 10000000u
#define MAX_WATCH 100000u

/* ---------------------------------------------------------------- header */

nc_status shard_header_begin(shard_header *h, uint32_t k, uint32_t n, const nc_input *in,
                             const char *input_dir, const char *rng_name, nc_error *err)
{
    if (strlen(input_dir) > SHARD_INPUT_DIR_MAX)
        return nc_error_set(err, NC_EUSAGE, NULL, 0, NULL,
                            "-i: a sharded run stores the input path; at most %u bytes",
                            SHARD_INPUT_DIR_MAX);
    nc_status st = shard_hash_inputs(input_dir, h->inputs_sha256, err);
    if (st != NC_OK)
        return st;
    snprintf(h->natcap_version, sizeof h->natcap_version, "%s", NATCAP_VERSION);
    snprintf(h->rng_name, sizeof h->rng_name, "%s", rng_name);
    snprintf(h->input_dir, sizeof h->input_dir, "%s", input_dir);
    h->k = k;
    h->n = n;
    h->units = 0;
    for (size_t i = 0; i < in->nscenarios; i++)
        h->units += in->scenarios[i].replications;
    shard_range(k, n, h->units, &h->unit_lo, &h->unit_hi);
    return NC_OK;
}

void shard_batch_id(const shard_header *h, uint8_t out[32])
{
    shard_sha s;
    shard_sha_init(&s);
    shard_sha_str(&s, "natcap batch v1");
    shard_sha_str(&s, h->natcap_version);
    shard_sha_str(&s, h->rng_name);
    shard_sha_update(&s, h->inputs_sha256, 32);
    shard_sha_u64(&s, (uint64_t)h->replications);
    shard_sha_u64(&s, (uint64_t)h->seed);
    shard_sha_u64(&s, h->units);
    shard_sha_u64(&s, h->nscen);
    for (size_t i = 0; i < h->nscen; i++) {
        const shard_scen *c = &h->scen[i];
        shard_sha_str(&s, c->name);
        shard_sha_u64(&s, c->seed);
        shard_sha_u64(&s, c->reps);
        shard_sha_u64(&s, c->nsamples);
        shard_sha_u64(&s, c->ngateways);
        shard_sha_u64(&s, c->nservices);
    }
    shard_sha_final(&s, out);
}

nc_status shard_header_scenarios(shard_header *h, const nc_scen_result *const *rs, size_t n,
                                 nc_error *err)
{
    shard_scen *sc = calloc(n ? n : 1, sizeof *sc);
    if (sc == NULL)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    uint64_t base = 0;
    for (size_t i = 0; i < n; i++) {
        const nc_scen_result *r = rs[i];
        shard_scen *c = &sc[i];
        snprintf(c->name, sizeof c->name, "%s", r->sc->name);
        c->seed = r->sc->seed;
        c->reps = r->reps;
        c->nsamples = r->nsamples;
        c->ngateways = (uint32_t)r->sc->ngateways;
        c->nservices = (uint32_t)r->sc->nservices;
        uint64_t a = h->unit_lo > base ? h->unit_lo - base : 0;
        uint64_t b = h->unit_hi > base ? h->unit_hi - base : 0;
        c->rep_lo = (uint32_t)(a < r->reps ? a : r->reps);
        c->rep_hi = (uint32_t)(b < r->reps ? b : r->reps);
        if (c->rep_hi < c->rep_lo)
            c->rep_hi = c->rep_lo;
        base += r->reps;
        c->nwatch = (uint32_t)r->npool_series;
        c->watch = c->nwatch > 0 ? calloc(c->nwatch, sizeof *c->watch) : NULL;
        if (c->nwatch > 0 && c->watch == NULL) {
            h->scen = sc;
            h->nscen = n;
            shard_header_free(h);
            return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        }
        for (uint32_t w = 0; w < c->nwatch; w++) {
            const nc_pool_ref *ref = &r->pools[w].ref;
            c->watch[w].gw = (uint32_t)ref->gw;
            c->watch[w].pool = ref->pool;
            snprintf(c->watch[w].name, sizeof c->watch[w].name, "%s", ref->name);
        }
    }
    h->scen = sc;
    h->nscen = n;
    return NC_OK;
}

void shard_header_free(shard_header *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; h->scen != NULL && i < h->nscen; i++)
        free(h->scen[i].watch);
    free(h->scen);
    h->scen = NULL;
    h->nscen = 0;
}

static int same_pool(const shard_pool *p, const nc_pool_ref *ref)
{
    return p->gw == ref->gw && p->pool == ref->pool && strcmp(p->name, ref->name) == 0;
}

long shard_scen_watched(const shard_scen *c, const nc_pool_ref *ref)
{
    for (uint32_t w = 0; w < c->nwatch; w++)
        if (same_pool(&c->watch[w], ref))
            return (long)w;
    return -1;
}

void shard_file_name(uint32_t k, uint32_t n, char *buf, size_t len)
{
    snprintf(buf, len, "natcap-shard-%" PRIu32 "-of-%" PRIu32 ".bin", k, n);
}

/* ---------------------------------------------------------------- writer */

typedef struct wr {
    FILE *fp;
    shard_sha sha;
    uint8_t buf[65536];
    size_t n;
    int bad;
} wr;

static void wr_flush(wr *w)
{
    if (w->n == 0)
        return;
    shard_sha_update(&w->sha, w->buf, w->n);
    if (!w->bad && fwrite(w->buf, 1, w->n, w->fp) != w->n)
        w->bad = 1;
    w->n = 0;
}

static void put_bytes(wr *w, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        if (w->n == sizeof w->buf)
            wr_flush(w);
        size_t take = sizeof w->buf - w->n < n ? sizeof w->buf - w->n : n;
        memcpy(w->buf + w->n, b, take);
        w->n += take;
        b += take;
        n -= take;
    }
}

static void put_le(wr *w, uint64_t v, int bytes)
{
    uint8_t b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    put_bytes(w, b, (size_t)bytes);
}

static void put_u32(wr *w, uint32_t v) { put_le(w, v, 4); }
static void put_u64(wr *w, uint64_t v) { put_le(w, v, 8); }
static void put_i64(wr *w, int64_t v) { put_le(w, (uint64_t)v, 8); }

static void put_str(wr *w, const char *s)
{
    size_t n = strlen(s);
    if (n > 0xffff)
        n = 0xffff;
    put_le(w, n, 2);
    put_bytes(w, s, n);
}

/* One field of each kind (shard_fields.h); `d` is the field itself. */
#define PUT_u32(w, d) put_u32(w, d)
#define PUT_u64(w, d) put_u64(w, d)
#define PUT_i64(w, d) put_i64(w, d)
#define PUT_str(w, d) put_str(w, d)
#define PUT_raw(w, d) put_bytes(w, d, sizeof(d))

#define PUT_HEADER(kind, f) PUT_##kind(w, h->f);
#define PUT_SCEN(kind, f) PUT_##kind(w, c->f);
#define PUT_WATCH(kind, f) PUT_##kind(w, p->f);
#define PUT_TOTAL(kind, f, combine) PUT_##kind(w, x->f);
#define PUT_PER_REP(kind, f, width)                                                        \
    for (size_t i = (size_t)rep * (width); i < (size_t)(rep + 1) * (width); i++)           \
        PUT_##kind(w, x->f[i]);
#define PUT_SAMPLE(kind, f) PUT_##kind(w, z->f);
#define PUT_SERIES(kind, f, combine) \
    for (size_t j = 0; j < ns; j++)  \
        PUT_##kind(w, x->f[j]);

static void put_header(wr *w, const shard_header *h)
{
    put_bytes(w, magic, sizeof magic);
    put_u32(w, SHARD_FORMAT_VERSION);
    SHARD_HEADER_FIELDS(PUT_HEADER)
    put_u32(w, (uint32_t)h->nscen);
    for (size_t i = 0; i < h->nscen; i++) {
        const shard_scen *c = &h->scen[i];
        SHARD_SCEN_FIELDS(PUT_SCEN)
        for (uint32_t j = 0; j < c->nwatch; j++) {
            const shard_pool *p = &c->watch[j];
            SHARD_WATCH_FIELDS(PUT_WATCH)
        }
    }
}

static void put_gw(wr *w, const nc_gw_result *x, uint32_t ns, uint32_t ra, uint32_t rb)
{
    SHARD_GW_TOTALS(PUT_TOTAL)
    for (uint32_t rep = ra; rep < rb; rep++) {
        SHARD_GW_PER_REP(PUT_PER_REP)
        for (size_t k = (size_t)rep * ns; k < (size_t)(rep + 1) * ns; k++) {
            const nc_rep_sample *z = &x->by_rep[k];
            SHARD_REP_SAMPLE(PUT_SAMPLE)
        }
    }
    SHARD_GW_SERIES(PUT_SERIES)
}

static void put_row(wr *w, const nc_row_result *x, uint32_t ns)
{
    SHARD_ROW_TOTALS(PUT_TOTAL)
    SHARD_ROW_SERIES(PUT_SERIES)
}

static void put_pool(wr *w, const nc_pool_series *x, uint32_t ns, uint32_t ra, uint32_t rb)
{
    for (uint32_t rep = ra; rep < rb; rep++) {
        SHARD_POOL_PER_REP(PUT_PER_REP)
        for (size_t k = (size_t)rep * ns; k < (size_t)(rep + 1) * ns; k++) {
            const nc_rep_sample *z = &x->by_rep[k];
            SHARD_REP_SAMPLE(PUT_SAMPLE)
        }
    }
}

nc_status shard_write(FILE *fp, const char *name, shard_header *h,
                      const nc_scen_result *const *rs, size_t n, nc_error *err)
{
    if (n != h->nscen)
        return nc_error_set(err, NC_EINPUT, name, 0, NULL, "part header does not match results");
    shard_batch_id(h, h->batch_id);
    wr *w = calloc(1, sizeof *w);
    if (w == NULL)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    w->fp = fp;
    shard_sha_init(&w->sha);
    put_header(w, h);
    for (size_t i = 0; i < n; i++) {
        const shard_scen *c = &h->scen[i];
        const nc_scen_result *r = rs[i];
        if (c->rep_hi <= c->rep_lo)
            continue;
        for (uint32_t g = 0; g < c->ngateways; g++)
            put_gw(w, &r->gw[g], r->nsamples, c->rep_lo, c->rep_hi);
        for (uint32_t k = 0; k < c->nservices; k++)
            put_row(w, &r->rows[k], r->nsamples);
        for (uint32_t p = 0; p < c->nwatch; p++)
            put_pool(w, &r->pools[p], r->nsamples, c->rep_lo, c->rep_hi);
    }
    wr_flush(w);
    uint8_t sum[32];
    shard_sha_final(&w->sha, sum);
    if (!w->bad && fwrite(sum, 1, sizeof sum, fp) != sizeof sum)
        w->bad = 1;
    int bad = w->bad || ferror(fp);
    free(w);
    if (bad)
        return nc_error_set(err, NC_EIO, name, 0, NULL, "cannot write: %s", strerror(errno));
    return NC_OK;
}

nc_status shard_write_part(const char *output, shard_header *h,
                           const nc_scen_result *const *rs, size_t n, nc_error *err)
{
    char name[64];
    shard_file_name(h->k, h->n, name, sizeof name);
    outdir *od = NULL;
    nc_status st = outdir_open(output, &od, err);
    if (st != NC_OK)
        return st;
    FILE *fp = NULL;
    st = outdir_begin(od, name, &fp, err);
    if (st == NC_OK) {
        st = shard_write(fp, name, h, rs, n, err);
        nc_status st2 = outdir_end(od, fp, err);
        if (st == NC_OK)
            st = st2;
    }
    if (st == NC_OK)
        st = outdir_commit(od, err);
    outdir_close(od);   /* removes the temporary when not committed */
    return st;
}

/* ---------------------------------------------------------------- reader */

typedef struct rd {
    FILE *fp;
    const char *name;
    shard_sha sha;
    uint64_t left;        /* payload bytes (before the checksum) not yet buffered */
    uint8_t buf[65536];
    size_t pos, len;
    int bad;              /* 1: truncated or unreadable */
} rd;

static nc_status rd_open(rd *r, FILE *fp, const char *name, nc_error *err)
{
    memset(r, 0, sizeof *r);
    r->fp = fp;
    r->name = name;
    shard_sha_init(&r->sha);
    if (fseeko(fp, 0, SEEK_END) != 0)
        return nc_error_set(err, NC_EIO, name, 0, NULL, "cannot read: %s", strerror(errno));
    off_t size = ftello(fp);
    if (size < 0 || fseeko(fp, 0, SEEK_SET) != 0)
        return nc_error_set(err, NC_EIO, name, 0, NULL, "cannot read: %s", strerror(errno));
    if (size < (off_t)(sizeof magic + 32))
        return nc_error_set(err, NC_EINPUT, name, 0, NULL, "not a natcap shard part (too short)");
    r->left = (uint64_t)size - 32;
    return NC_OK;
}

static void rd_fill(rd *r)
{
    size_t want = r->left < sizeof r->buf ? (size_t)r->left : sizeof r->buf;
    if (want == 0) {
        r->bad = 1;
        return;
    }
    size_t got = fread(r->buf, 1, want, r->fp);
    if (got != want)
        r->bad = 1;
    shard_sha_update(&r->sha, r->buf, got);
    r->left -= got;
    r->pos = 0;
    r->len = got;
}

static void get_bytes(rd *r, void *p, size_t n)
{
    uint8_t *b = p;
    while (n > 0 && !r->bad) {
        if (r->pos == r->len)
            rd_fill(r);
        if (r->bad)
            break;
        size_t take = r->len - r->pos < n ? r->len - r->pos : n;
        memcpy(b, r->buf + r->pos, take);
        r->pos += take;
        b += take;
        n -= take;
    }
    if (n > 0)
        memset(b, 0, n);
}

static uint64_t get_le(rd *r, int bytes)
{
    uint8_t b[8];
    get_bytes(r, b, (size_t)bytes);
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static uint32_t get_u32(rd *r) { return (uint32_t)get_le(r, 4); }
static uint64_t get_u64(rd *r) { return get_le(r, 8); }
static int64_t get_i64(rd *r) { return (int64_t)get_le(r, 8); }

/* A string into buf[cap]; too long marks the reader bad. */
static void get_str(rd *r, char *buf, size_t cap)
{
    size_t n = (size_t)get_le(r, 2);
    if (n >= cap) {
        r->bad = 2;
        buf[0] = '\0';
        return;
    }
    get_bytes(r, buf, n);
    buf[n] = '\0';
}

/* Hash what is left of the payload and compare with the trailing checksum.
 * at_end: every payload byte must have been consumed (a data read). */
static nc_status rd_finish(rd *r, int at_end, nc_error *err)
{
    if (r->bad || (at_end && (r->pos != r->len || r->left != 0)))
        return nc_error_set(err, NC_EINPUT, r->name, 0, NULL,
                            "damaged natcap shard part (its size does not match its contents)");
    while (r->left > 0 && !r->bad)
        rd_fill(r);
    uint8_t want[32], got[32];
    shard_sha_final(&r->sha, want);
    if (r->bad || fread(got, 1, sizeof got, r->fp) != sizeof got)
        return nc_error_set(err, NC_EIO, r->name, 0, NULL, "cannot read the part");
    if (memcmp(want, got, sizeof want) != 0)
        return nc_error_set(err, NC_EINPUT, r->name, 0, NULL,
                            "damaged natcap shard part (checksum mismatch)");
    return NC_OK;
}

/* The C type of each kind, and how a value read is combined into `d`. */
typedef uint32_t kind_u32;
typedef uint64_t kind_u64;
typedef int64_t kind_i64;
#define COMBINE_SUM(d, v) (d) += (v)
#define COMBINE_MAX(d, v) if ((v) > (d)) (d) = (v)
#define COMBINE_MIN(d, v) if ((v) < (d)) (d) = (v)
#define GET_u32(r, d) (d) = get_u32(r)
#define GET_u64(r, d) (d) = get_u64(r)
#define GET_i64(r, d) (d) = get_i64(r)
#define GET_str(r, d) get_str(r, d, sizeof(d))
#define GET_raw(r, d) get_bytes(r, d, sizeof(d))

#define GET_HEADER(kind, f) GET_##kind(r, h->f);
#define GET_SCEN(kind, f) GET_##kind(r, c->f);
#define GET_WATCH(kind, f) GET_##kind(r, p->f);
#define GET_TOTAL(kind, f, combine)     \
    {                                   \
        kind_##kind v = get_##kind(r);  \
        COMBINE_##combine(x->f, v);     \
    }
#define GET_PER_REP(kind, f, width)                                                        \
    for (size_t i = (size_t)rep * (width); i < (size_t)(rep + 1) * (width); i++)           \
        GET_##kind(r, x->f[i]);
#define GET_SAMPLE(kind, f) GET_##kind(r, z->f);
#define GET_SERIES(kind, f, combine)       \
    for (size_t j = 0; j < ns; j++) {      \
        kind_##kind v = get_##kind(r);     \
        COMBINE_##combine(x->f[j], v);     \
    }

static nc_status get_header(rd *r, shard_header *h, nc_error *err)
{
    memset(h, 0, sizeof *h);
    char m[sizeof magic];
    get_bytes(r, m, sizeof m);
    if (r->bad || memcmp(m, magic, sizeof m) != 0)
        return nc_error_set(err, NC_EINPUT, r->name, 0, NULL, "not a natcap shard part");
    uint32_t version = get_u32(r);
    if (version != SHARD_FORMAT_VERSION) {
        /* every format so far starts with the version of natcap that wrote it */
        char by[sizeof h->natcap_version];
        get_str(r, by, sizeof by);
        int named = !r->bad && by[0] != '\0';
        return nc_error_set(err, NC_EINPUT, r->name, 0, NULL,
                            "a shard part of format %u%s%s; this natcap (%s) reads format %u "
                            "only: run the shards again with the natcap that merges",
                            version, named ? ", written by natcap " : "", named ? by : "",
                            NATCAP_VERSION, SHARD_FORMAT_VERSION);
    }
    SHARD_HEADER_FIELDS(GET_HEADER)
    uint32_t nscen = get_u32(r);
    if (r->bad || nscen == 0 || nscen > MAX_SCEN)
        return nc_error_set(err, NC_EINPUT, r->name, 0, NULL, "damaged natcap shard part (header)");
    h->scen = calloc(nscen, sizeof *h->scen);
    if (h->scen == NULL)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    h->nscen = nscen;
    uint64_t units = 0;
    for (size_t i = 0; i < nscen && !r->bad; i++) {
        shard_scen *c = &h->scen[i];
        SHARD_SCEN_FIELDS(GET_SCEN)
        if (c->reps == 0 || c->reps > MAX_REPS || c->nsamples > MAX_SAMPLES ||
            c->rep_lo > c->rep_hi || c->rep_hi > c->reps || c->nwatch > MAX_WATCH)
            r->bad = 2;
        units += c->reps;
        if (r->bad || c->nwatch == 0) {
            c->nwatch = 0;   /* nothing allocated */
            continue;
        }
        c->watch = calloc(c->nwatch, sizeof *c->watch);
        if (c->watch == NULL) {
            shard_header_free(h);
            return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
        }
        for (uint32_t j = 0; j < c->nwatch && !r->bad; j++) {
            shard_pool *p = &c->watch[j];
            SHARD_WATCH_FIELDS(GET_WATCH)
            if (p->gw >= c->ngateways)
                r->bad = 2;
        }
    }
    if (r->bad || h->n == 0 || h->n > SHARD_MAX || h->k >= h->n || h->units != units ||
        h->unit_lo > h->unit_hi || h->unit_hi > h->units || h->obs_fold > OBS_FOLD_MAX ||
        h->obs_tz_s < -86400 || h->obs_tz_s > 86400) {
        shard_header_free(h);
        return nc_error_set(err, NC_EINPUT, r->name, 0, NULL, "damaged natcap shard part (header)");
    }
    return NC_OK;
}

nc_status shard_read_header(FILE *fp, const char *name, shard_header *h, nc_error *err)
{
    rd *r = malloc(sizeof *r);
    if (r == NULL)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    nc_status st = rd_open(r, fp, name, err);
    if (st == NC_OK)
        st = get_header(r, h, err);
    if (st == NC_OK)
        st = rd_finish(r, 0, err);
    uint8_t id[32];
    if (st == NC_OK) {
        shard_batch_id(h, id);
        if (memcmp(id, h->batch_id, sizeof id) != 0)
            st = nc_error_set(err, NC_EINPUT, name, 0, NULL,
                              "damaged natcap shard part (batch id does not match its header)");
    }
    if (st != NC_OK)
        shard_header_free(h);
    shard_sha_free(&r->sha);
    free(r);
    return st;
}

static void get_gw(rd *r, nc_gw_result *x, uint32_t ns, uint32_t ra, uint32_t rb)
{
    SHARD_GW_TOTALS(GET_TOTAL)
    for (uint32_t rep = ra; rep < rb; rep++) {
        SHARD_GW_PER_REP(GET_PER_REP)
        for (size_t k = (size_t)rep * ns; k < (size_t)(rep + 1) * ns; k++) {
            nc_rep_sample *z = &x->by_rep[k];
            SHARD_REP_SAMPLE(GET_SAMPLE)
        }
    }
    SHARD_GW_SERIES(GET_SERIES)
}

static void get_row(rd *r, nc_row_result *x, uint32_t ns)
{
    SHARD_ROW_TOTALS(GET_TOTAL)
    SHARD_ROW_SERIES(GET_SERIES)
}

/* A watched pool's series into x, or read past it when x is NULL (a pool
 * the part holds that the merge does not watch). */
#define GET_POOL_PER_REP(kind, f, width)                                                   \
    for (size_t i = (size_t)rep * (width); i < (size_t)(rep + 1) * (width); i++) {         \
        kind_##kind v = get_##kind(r);                                                     \
        if (x != NULL)                                                                     \
            x->f[i] = v;                                                                   \
    }

static void get_pool(rd *r, nc_pool_series *x, uint32_t ns, uint32_t ra, uint32_t rb)
{
    nc_rep_sample skip;
    for (uint32_t rep = ra; rep < rb; rep++) {
        SHARD_POOL_PER_REP(GET_POOL_PER_REP)
        for (size_t k = (size_t)rep * ns; k < (size_t)(rep + 1) * ns; k++) {
            nc_rep_sample *z = x != NULL ? &x->by_rep[k] : &skip;
            SHARD_REP_SAMPLE(GET_SAMPLE)
        }
    }
}

/* The part's scenario c fits result r (created for the same scenario). */
static int scen_fits(const shard_scen *c, const nc_scen_result *r)
{
    return strcmp(c->name, r->sc->name) == 0 && c->seed == r->sc->seed && c->reps == r->reps &&
           c->nsamples == r->nsamples && c->ngateways == r->sc->ngateways &&
           c->nservices == r->sc->nservices;
}

/* The series of r that the part's pool p fills, NULL when r does not watch it. */
static nc_pool_series *pool_of(nc_scen_result *r, const shard_pool *p)
{
    for (size_t w = 0; w < r->npool_series; w++)
        if (same_pool(p, &r->pools[w].ref))
            return &r->pools[w];
    return NULL;
}

nc_status shard_read_data(FILE *fp, const char *name, const shard_header *h,
                          nc_scen_result *const *rs, size_t n, nc_error *err)
{
    if (n != h->nscen)
        return nc_error_set(err, NC_EINPUT, name, 0, NULL,
                            "the part has %zu scenarios, the inputs %zu", h->nscen, n);
    for (size_t i = 0; i < n; i++) {
        if (!scen_fits(&h->scen[i], rs[i]))
            return nc_error_set(err, NC_EINPUT, name, 0, NULL,
                                "scenario '%s' of the part does not match scenario '%s' of "
                                "the inputs",
                                h->scen[i].name, rs[i]->sc->name);
        for (size_t w = 0; h->scen[i].rep_hi > h->scen[i].rep_lo && w < rs[i]->npool_series; w++)
            if (shard_scen_watched(&h->scen[i], &rs[i]->pools[w].ref) < 0)
                return nc_error_set(err, NC_EINPUT, name, 0, NULL,
                                    "the part holds no series of pool \"%s\" (scenario '%s')",
                                    rs[i]->pools[w].ref.name, rs[i]->sc->name);
    }
    rd *r = malloc(sizeof *r);
    if (r == NULL)
        return nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory");
    shard_header again;
    nc_status st = rd_open(r, fp, name, err);
    if (st == NC_OK)
        st = get_header(r, &again, err);
    if (st == NC_OK) {
        int same = memcmp(again.batch_id, h->batch_id, 32) == 0 && again.k == h->k &&
                   again.unit_lo == h->unit_lo && again.unit_hi == h->unit_hi;
        shard_header_free(&again);
        if (!same)
            st = nc_error_set(err, NC_EINPUT, name, 0, NULL, "the part changed during the merge");
    }
    for (size_t i = 0; i < n && st == NC_OK && !r->bad; i++) {
        const shard_scen *c = &h->scen[i];
        if (c->rep_hi <= c->rep_lo)
            continue;
        for (uint32_t g = 0; g < c->ngateways; g++)
            get_gw(r, &rs[i]->gw[g], c->nsamples, c->rep_lo, c->rep_hi);
        for (uint32_t k = 0; k < c->nservices; k++)
            get_row(r, &rs[i]->rows[k], c->nsamples);
        for (uint32_t p = 0; p < c->nwatch; p++)
            get_pool(r, pool_of(rs[i], &c->watch[p]), c->nsamples, c->rep_lo, c->rep_hi);
        rs[i]->by_rep_kept = 1;   /* the part carries the per-replication samples */
    }
    if (st == NC_OK)
        st = rd_finish(r, 1, err);
    shard_sha_free(&r->sha);
    free(r);
    return st;
}
