/*
 * shard.c - see shard.h.
 *
 * The part is written and read through a small buffered writer/reader that
 * feeds every payload byte to a SHA-256 (FIPS 180-4, a plain implementation
 * io/sha256: no crypto library is linked), so the trailing checksum covers the
 * whole file.  A merge reads each part twice: once for the header and the
 * checksum (nothing is trusted before the whole file checked out), once to
 * add its data into the results; the checksum is verified again at the end
 * of the second read, so a part replaced in between fails the merge.
 *
 * Sizes: a part holds, per gateway, (reps in the part x intervals) u32 plus
 * ten u64/u32 per interval - about 100 KiB per gateway and scenario for a
 * day at 60 s intervals and a handful of replications.  Nothing is
 * allocated from sizes read in a part except the scenario table (capped).
 */
#define _GNU_SOURCE
#include "shard.h"

#include "outdir.h"
#include "sha256.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char magic[8] = {'N', 'A', 'T', 'C', 'A', 'P', 'S', 'H'};

#define MAX_SCEN 1000000u
#define MAX_REPS 1000000u
#define MAX_SAMPLES 10000000u

static void hex8(const uint8_t *h, char *buf)
{
    for (int i = 0; i < 6; i++)
        snprintf(buf + 2 * i, 3, "%02x", h[i]);
}

/* ---------------------------------------------------------------- partition */

void shard_range(uint64_t k, uint64_t n, uint64_t units, uint64_t *lo, uint64_t *hi)
{
    /* ceil(k*U/N): the first u with floor(u*N/U) >= k */
    *lo = (k * units + n - 1) / n;
    *hi = ((k + 1) * units + n - 1) / n;
}

uint64_t shard_of_unit(uint64_t u, uint64_t n, uint64_t units)
{
    return u * n / units;
}

static int parse_u32(const char *s, size_t len, uint32_t max, uint32_t *out)
{
    if (len == 0 || len > 10)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > max)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

nc_status shard_parse(const char *s, uint32_t *k, uint32_t *n, nc_error *err)
{
    const char *slash = strchr(s, '/');
    uint32_t kk, nn;
    if (slash == NULL || parse_u32(s, (size_t)(slash - s), UINT32_MAX, &kk) != 0 ||
        parse_u32(slash + 1, strlen(slash + 1), SHARD_MAX, &nn) != 0 || nn == 0)
        return nc_error_set(err, NC_EUSAGE, NULL, 0, NULL,
                            "--shard: expected K/N with 0 <= K < N <= %u, got '%s'", SHARD_MAX, s);
    if (kk >= nn)
        return nc_error_set(err, NC_EUSAGE, NULL, 0, NULL,
                            "--shard: K must be below N (shards are numbered 0 to N-1), "
                            "got '%s'",
                            s);
    *k = kk;
    *n = nn;
    return NC_OK;
}

static nc_status env_u32(const char *name, uint32_t *out, int *present, nc_error *err)
{
    const char *v = getenv(name);
    *present = v != NULL && *v != '\0';
    if (!*present)
        return NC_OK;
    if (parse_u32(v, strlen(v), UINT32_MAX, out) != 0)
        return nc_error_set(err, NC_EUSAGE, NULL, 0, NULL, "%s: expected an integer >= 0, got '%s'",
                            name, v);
    return NC_OK;
}

nc_status shard_from_env(uint32_t shards, uint32_t *k, uint32_t *n, const char **source,
                         nc_error *err)
{
    uint32_t id, count = 0, min = 0, step = 1, index;
    int has_id, has_count, has_min, has_step, has_index;
    *source = NULL;
    nc_status st = env_u32("SLURM_ARRAY_TASK_ID", &id, &has_id, err);
    if (st == NC_OK)
        st = env_u32("SLURM_ARRAY_TASK_STEP", &step, &has_step, err);
    if (st == NC_OK)
        st = env_u32("SLURM_ARRAY_TASK_COUNT", &count, &has_count, err);
    if (st == NC_OK)
        st = env_u32("SLURM_ARRAY_TASK_MIN", &min, &has_min, err);
    if (st == NC_OK)
        st = env_u32("JOB_COMPLETION_INDEX", &index, &has_index, err);
    if (st != NC_OK)
        return st;
    if (has_id && shards > 0) {
        /* N given: any subset of tasks may run, e.g. a rerun --array=3,7 */
        if (id >= shards)
            return nc_error_set(err, NC_EUSAGE, NULL, 0, NULL,
                                "SLURM_ARRAY_TASK_ID %u is not a shard of %u (--shards); array "
                                "indexes are the shards 0 to %u",
                                id, shards, shards - 1);
        *k = id;
        *n = shards;
        *source = "SLURM_ARRAY_TASK_ID";
        return NC_OK;
    }
    if (has_id) {
        /* N from SLURM_ARRAY_TASK_COUNT: only for the whole array 0..N-1,
         * so that a rerun of some tasks cannot quietly renumber shards */
        if (!has_count || count == 0 || count > SHARD_MAX || (has_min && min != 0) ||
            (has_step && step != 1) || id >= count)
            return nc_error_set(err, NC_EUSAGE, NULL, 0, NULL,
                                "SLURM_ARRAY_TASK_ID %u: the number of shards is taken from "
                                "SLURM_ARRAY_TASK_COUNT only for an array 0-N without a step "
                                "(here count %u, min %u, step %u); give --shards N",
                                id, count, min, step);
        *k = id;
        *n = count;
        *source = "SLURM_ARRAY_TASK_ID";
        return NC_OK;
    }
    if (shards == 0)
        return NC_OK;
    if (!has_index)
        return nc_error_set(err, NC_EUSAGE, NULL, 0, NULL,
                            "--shards N needs JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID in the "
                            "environment; use --shard K/N otherwise");
    if (index >= shards)
        return nc_error_set(err, NC_EUSAGE, NULL, 0, NULL,
                            "JOB_COMPLETION_INDEX %u is not a shard of %u (--shards)", index,
                            shards);
    *k = index;
    *n = shards;
    *source = "JOB_COMPLETION_INDEX";
    return NC_OK;
}

/* ---------------------------------------------------------------- input hash */

static const char *const input_files[5] = {"gateways.csv", "destinations.csv", "services.csv",
                                           "profiles.csv", "scenarios.csv"};

static void sha_u64(sha256_ctx *s, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    sha256_update(s, b, 8);
}

static void sha_str(sha256_ctx *s, const char *str)
{
    size_t n = strlen(str);
    sha_u64(s, n);
    sha256_update(s, str, n);
}

static nc_status hash_file(sha256_ctx *s, const char *path, const char *name, nc_error *err)
{
    sha_str(s, name);
    FILE *fp = fopen(path, "rb");
    if (fp == NULL && errno == ENOENT) {
        sha_u64(s, 0);   /* absent */
        return NC_OK;
    }
    if (fp == NULL)
        return nc_error_set(err, NC_EIO, path, 0, NULL, "cannot read: %s", strerror(errno));
    /* Hash into a second context, then fold in its length and digest, so
     * that the length need not be known before reading. */
    sha256_ctx f;
    sha256_init(&f);
    uint8_t buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
        sha256_update(&f, buf, got);
    int bad = ferror(fp);
    fclose(fp);
    if (bad)
        return nc_error_set(err, NC_EIO, path, 0, NULL, "cannot read");
    uint64_t len = f.len;
    uint8_t d[32];
    sha256_final(&f, d);
    sha_u64(s, 1);   /* present */
    sha_u64(s, len);
    sha256_update(s, d, sizeof d);
    return NC_OK;
}

nc_status shard_hash_inputs(const char *dir, uint8_t out[32], nc_error *err)
{
    sha256_ctx s;
    sha256_init(&s);
    sha_str(&s, "natcap inputs v1");
    for (size_t i = 0; i < 5; i++) {
        char path[SHARD_INPUT_DIR_MAX + 64];
        snprintf(path, sizeof path, "%s/%s", dir, input_files[i]);
        nc_status st = hash_file(&s, path, input_files[i], err);
        if (st != NC_OK)
            return st;
    }
    sha256_final(&s, out);
    return NC_OK;
}

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
    sha256_ctx s;
    sha256_init(&s);
    sha_str(&s, "natcap batch v1");
    sha_str(&s, h->natcap_version);
    sha_str(&s, h->rng_name);
    sha256_update(&s, h->inputs_sha256, 32);
    sha_u64(&s, (uint64_t)h->replications);
    sha_u64(&s, (uint64_t)h->seed);
    sha_u64(&s, h->units);
    sha_u64(&s, h->nscen);
    for (size_t i = 0; i < h->nscen; i++) {
        const shard_scen *c = &h->scen[i];
        sha_str(&s, c->name);
        sha_u64(&s, c->seed);
        sha_u64(&s, c->reps);
        sha_u64(&s, c->nsamples);
        sha_u64(&s, c->ngateways);
        sha_u64(&s, c->nservices);
    }
    sha256_final(&s, out);
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
    }
    h->scen = sc;
    h->nscen = n;
    return NC_OK;
}

void shard_header_free(shard_header *h)
{
    if (h == NULL)
        return;
    free(h->scen);
    h->scen = NULL;
    h->nscen = 0;
}

void shard_file_name(uint32_t k, uint32_t n, char *buf, size_t len)
{
    snprintf(buf, len, "natcap-shard-%" PRIu32 "-of-%" PRIu32 ".bin", k, n);
}

/* ---------------------------------------------------------------- writer */

typedef struct wr {
    FILE *fp;
    sha256_ctx sha;
    uint8_t buf[65536];
    size_t n;
    int bad;
} wr;

static void wr_flush(wr *w)
{
    if (w->n == 0)
        return;
    sha256_update(&w->sha, w->buf, w->n);
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

static void put_u64s(wr *w, const uint64_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_u64(w, a[i]);
}

static void put_u32s(wr *w, const uint32_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_u32(w, a[i]);
}

static void put_header(wr *w, const shard_header *h)
{
    put_bytes(w, magic, sizeof magic);
    put_u32(w, SHARD_FORMAT_VERSION);
    put_str(w, h->natcap_version);
    put_str(w, h->rng_name);
    put_bytes(w, h->inputs_sha256, 32);
    put_bytes(w, h->batch_id, 32);
    put_str(w, h->input_dir);
    put_u32(w, h->formats);
    put_i64(w, h->replications);
    put_i64(w, h->seed);
    put_u32(w, h->k);
    put_u32(w, h->n);
    put_u64(w, h->units);
    put_u64(w, h->unit_lo);
    put_u64(w, h->unit_hi);
    put_u32(w, (uint32_t)h->nscen);
    for (size_t i = 0; i < h->nscen; i++) {
        const shard_scen *c = &h->scen[i];
        put_str(w, c->name);
        put_u64(w, c->seed);
        put_u32(w, c->reps);
        put_u32(w, c->nsamples);
        put_u32(w, c->ngateways);
        put_u32(w, c->nservices);
        put_u32(w, c->rep_lo);
        put_u32(w, c->rep_hi);
    }
}

/* The order of the fields here is the file format: get_gw mirrors it. */
static void put_gw(wr *w, const nc_gw_result *x, uint32_t ns, uint32_t ra, uint32_t rb)
{
    put_u64(w, x->npools);
    put_u64(w, x->requests);
    put_u64(w, x->attempts);
    put_u64(w, x->alloc_failures);
    put_u64(w, x->failed_requests);
    put_u64(w, x->new_connections);
    put_u64(w, x->reused);
    put_u64(w, x->stale_reuses);
    put_u64(w, x->retries);
    put_u64(w, x->pool_wait_timeouts);
    put_u64(w, x->peak_sum);
    put_u32(w, x->peak_max);
    put_u32(w, x->exhausted_reps);
    put_i64(w, x->first_exhaustion);
    put_u64(w, x->exhausted_us_sum);
    put_u64(w, x->pools_exhausted_sum);
    put_u64(w, x->pools_alert_sum);
    put_u64(w, x->util_peak_sum);
    put_u32(w, x->portless_reps);
    for (uint32_t r = ra; r < rb; r++) {
        put_u32(w, x->binding_by_rep[r]);
        put_u32(w, x->peak_by_rep[r]);
        put_i64(w, x->first_fail_by_rep[r]);
        put_u32s(w, x->in_use_by_rep + (size_t)r * ns, ns);
    }
    put_u32s(w, x->in_use_max, ns);
    put_u64s(w, x->active_sum, ns);
    put_u64s(w, x->idle_sum, ns);
    put_u64s(w, x->time_wait_sum, ns);
    put_u64s(w, x->attempts_sum, ns);
    put_u64s(w, x->alloc_failures_sum, ns);
    put_u64s(w, x->failed_requests_sum, ns);
    put_u64s(w, x->stale_reuses_sum, ns);
    put_u64s(w, x->requests_sum, ns);
    put_u32s(w, x->fail_reps, ns);
    put_u64s(w, x->util_in_use_sum, ns);
}

static void put_row(wr *w, const nc_row_result *y, uint32_t ns)
{
    put_u64(w, y->requests);
    put_u64(w, y->new_connections);
    put_u64(w, y->reused);
    put_u64(w, y->failed_requests);
    put_u64(w, y->stale_reuses);
    put_u64(w, y->attempts);
    put_u64(w, y->alloc_failures);
    put_u64(w, y->retries);
    put_u64(w, y->in_use_at_peak_sum);
    put_u64s(w, y->in_use_sum, ns);
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
    sha256_init(&w->sha);
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
    }
    wr_flush(w);
    uint8_t sum[32];
    sha256_final(&w->sha, sum);
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
    sha256_ctx sha;
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
    sha256_init(&r->sha);
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
    sha256_update(&r->sha, r->buf, got);
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
    sha256_final(&r->sha, want);
    if (r->bad || fread(got, 1, sizeof got, r->fp) != sizeof got)
        return nc_error_set(err, NC_EIO, r->name, 0, NULL, "cannot read the part");
    if (memcmp(want, got, sizeof want) != 0)
        return nc_error_set(err, NC_EINPUT, r->name, 0, NULL,
                            "damaged natcap shard part (checksum mismatch)");
    return NC_OK;
}

static nc_status get_header(rd *r, shard_header *h, nc_error *err)
{
    memset(h, 0, sizeof *h);
    char m[sizeof magic];
    get_bytes(r, m, sizeof m);
    if (r->bad || memcmp(m, magic, sizeof m) != 0)
        return nc_error_set(err, NC_EINPUT, r->name, 0, NULL, "not a natcap shard part");
    uint32_t version = get_u32(r);
    if (version != SHARD_FORMAT_VERSION)
        return nc_error_set(err, NC_EINPUT, r->name, 0, NULL,
                            "shard part format %u; this natcap reads format %u", version,
                            SHARD_FORMAT_VERSION);
    get_str(r, h->natcap_version, sizeof h->natcap_version);
    get_str(r, h->rng_name, sizeof h->rng_name);
    get_bytes(r, h->inputs_sha256, 32);
    get_bytes(r, h->batch_id, 32);
    get_str(r, h->input_dir, sizeof h->input_dir);
    h->formats = get_u32(r);
    h->replications = get_i64(r);
    h->seed = get_i64(r);
    h->k = get_u32(r);
    h->n = get_u32(r);
    h->units = get_u64(r);
    h->unit_lo = get_u64(r);
    h->unit_hi = get_u64(r);
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
        get_str(r, c->name, sizeof c->name);
        c->seed = get_u64(r);
        c->reps = get_u32(r);
        c->nsamples = get_u32(r);
        c->ngateways = get_u32(r);
        c->nservices = get_u32(r);
        c->rep_lo = get_u32(r);
        c->rep_hi = get_u32(r);
        if (c->reps == 0 || c->reps > MAX_REPS || c->nsamples > MAX_SAMPLES ||
            c->rep_lo > c->rep_hi || c->rep_hi > c->reps)
            r->bad = 2;
        units += c->reps;
    }
    if (r->bad || h->n == 0 || h->n > SHARD_MAX || h->k >= h->n || h->units != units ||
        h->unit_lo > h->unit_hi || h->unit_hi > h->units) {
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
    free(r);
    return st;
}

static void add_u64s(rd *r, uint64_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] += get_u64(r);
}

static void get_gw(rd *r, nc_gw_result *x, uint32_t ns, uint32_t ra, uint32_t rb)
{
    uint64_t npools = get_u64(r);
    if (npools > x->npools)
        x->npools = npools;   /* the same in every replication */
    x->requests += get_u64(r);
    x->attempts += get_u64(r);
    x->alloc_failures += get_u64(r);
    x->failed_requests += get_u64(r);
    x->new_connections += get_u64(r);
    x->reused += get_u64(r);
    x->stale_reuses += get_u64(r);
    x->retries += get_u64(r);
    x->pool_wait_timeouts += get_u64(r);
    x->peak_sum += get_u64(r);
    uint32_t peak_max = get_u32(r);
    if (peak_max > x->peak_max)
        x->peak_max = peak_max;
    x->exhausted_reps += get_u32(r);
    int64_t first = get_i64(r);
    if (first < x->first_exhaustion)
        x->first_exhaustion = first;
    x->exhausted_us_sum += get_u64(r);
    x->pools_exhausted_sum += get_u64(r);
    x->pools_alert_sum += get_u64(r);
    x->util_peak_sum += get_u64(r);
    x->portless_reps += get_u32(r);
    for (uint32_t k = ra; k < rb; k++) {
        x->binding_by_rep[k] = get_u32(r);
        x->peak_by_rep[k] = get_u32(r);
        x->first_fail_by_rep[k] = get_i64(r);
        uint32_t *row = x->in_use_by_rep + (size_t)k * ns;
        for (uint32_t j = 0; j < ns; j++)
            row[j] = get_u32(r);
    }
    for (uint32_t j = 0; j < ns; j++) {
        uint32_t v = get_u32(r);
        if (v > x->in_use_max[j])
            x->in_use_max[j] = v;
    }
    add_u64s(r, x->active_sum, ns);
    add_u64s(r, x->idle_sum, ns);
    add_u64s(r, x->time_wait_sum, ns);
    add_u64s(r, x->attempts_sum, ns);
    add_u64s(r, x->alloc_failures_sum, ns);
    add_u64s(r, x->failed_requests_sum, ns);
    add_u64s(r, x->stale_reuses_sum, ns);
    add_u64s(r, x->requests_sum, ns);
    for (uint32_t j = 0; j < ns; j++)
        x->fail_reps[j] += get_u32(r);
    add_u64s(r, x->util_in_use_sum, ns);
}

static void get_row(rd *r, nc_row_result *y, uint32_t ns)
{
    y->requests += get_u64(r);
    y->new_connections += get_u64(r);
    y->reused += get_u64(r);
    y->failed_requests += get_u64(r);
    y->stale_reuses += get_u64(r);
    y->attempts += get_u64(r);
    y->alloc_failures += get_u64(r);
    y->retries += get_u64(r);
    y->in_use_at_peak_sum += get_u64(r);
    add_u64s(r, y->in_use_sum, ns);
}

/* The part's scenario c fits result r (created for the same scenario). */
static int scen_fits(const shard_scen *c, const nc_scen_result *r)
{
    return strcmp(c->name, r->sc->name) == 0 && c->seed == r->sc->seed && c->reps == r->reps &&
           c->nsamples == r->nsamples && c->ngateways == r->sc->ngateways &&
           c->nservices == r->sc->nservices;
}

nc_status shard_read_data(FILE *fp, const char *name, const shard_header *h,
                          nc_scen_result *const *rs, size_t n, nc_error *err)
{
    if (n != h->nscen)
        return nc_error_set(err, NC_EINPUT, name, 0, NULL,
                            "the part has %zu scenarios, the inputs %zu", h->nscen, n);
    for (size_t i = 0; i < n; i++)
        if (!scen_fits(&h->scen[i], rs[i]))
            return nc_error_set(err, NC_EINPUT, name, 0, NULL,
                                "scenario '%s' of the part does not match scenario '%s' of "
                                "the inputs",
                                h->scen[i].name, rs[i]->sc->name);
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
    }
    if (st == NC_OK)
        st = rd_finish(r, 1, err);
    free(r);
    return st;
}

/* ---------------------------------------------------------------- the set */

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
        hex8(a->inputs_sha256, x);
        hex8(b->inputs_sha256, y);
        return nc_error_set(err, NC_EINPUT, p->path, 0, NULL,
                            "a different batch: other input files than %s (inputs hash "
                            "%s..., not %s...)",
                            q->path, x, y);
    }
    char x[40], y[40];
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
        hex8(h, x);
        hex8(p->h.inputs_sha256, y);
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
