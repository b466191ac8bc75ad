/*
 * shard_select.c - see shard_select.h.
 */
#include "shard_select.h"

#include <stdlib.h>
#include <string.h>

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
