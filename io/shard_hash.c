/*
 * shard_hash.c - see shard_hash.h.
 */
#include "shard_hash.h"

#include <glib.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void shard_sha_init(shard_sha *s)
{
    s->g = g_checksum_new(G_CHECKSUM_SHA256);
    s->len = 0;
}

void shard_sha_update(shard_sha *s, const void *data, size_t n)
{
    /* g_checksum_update takes a signed length: feed huge buffers in pieces */
    const unsigned char *p = data;
    while (n > 0) {
        size_t take = n < ((size_t)1 << 30) ? n : (size_t)1 << 30;
        g_checksum_update(s->g, p, (gssize)take);
        p += take;
        n -= take;
        s->len += take;
    }
}

void shard_sha_final(shard_sha *s, uint8_t out[32])
{
    gsize len = 32;
    g_checksum_get_digest(s->g, out, &len);
    shard_sha_free(s);
}

void shard_sha_free(shard_sha *s)
{
    if (s->g != NULL)
        g_checksum_free(s->g);
    s->g = NULL;
}

void shard_sha_u64(shard_sha *s, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    shard_sha_update(s, b, 8);
}

void shard_sha_str(shard_sha *s, const char *str)
{
    size_t n = strlen(str);
    shard_sha_u64(s, n);
    shard_sha_update(s, str, n);
}

void shard_hash_hex(const uint8_t *digest, char *buf)
{
    for (int i = 0; i < 6; i++)
        snprintf(buf + 2 * i, 3, "%02x", digest[i]);
}

static const char *const input_files[5] = {"gateways.csv", "destinations.csv", "services.csv",
                                           "profiles.csv", "scenarios.csv"};

static nc_status hash_file(shard_sha *s, const char *path, const char *name, nc_error *err)
{
    shard_sha_str(s, name);
    FILE *fp = fopen(path, "rb");
    if (fp == NULL && errno == ENOENT) {
        shard_sha_u64(s, 0);   /* absent */
        return NC_OK;
    }
    if (fp == NULL)
        return nc_error_set(err, NC_EIO, path, 0, NULL, "cannot read: %s", strerror(errno));
    /* Hash into a second digest, then fold in its length and value, so
     * that the length need not be known before reading. */
    shard_sha f;
    shard_sha_init(&f);
    uint8_t buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
        shard_sha_update(&f, buf, got);
    int bad = ferror(fp);
    fclose(fp);
    uint8_t d[32];
    shard_sha_final(&f, d);
    if (bad)
        return nc_error_set(err, NC_EIO, path, 0, NULL, "cannot read");
    shard_sha_u64(s, 1);   /* present */
    shard_sha_u64(s, f.len);
    shard_sha_update(s, d, sizeof d);
    return NC_OK;
}

nc_status shard_hash_inputs(const char *dir, uint8_t out[32], nc_error *err)
{
    shard_sha s;
    shard_sha_init(&s);
    shard_sha_str(&s, "natcap inputs v1");
    size_t len = strlen(dir) + 32;   /* "/" + the longest name + NUL */
    char *path = malloc(len);
    nc_status st = path == NULL ? nc_error_set(err, NC_ENOMEM, NULL, 0, NULL, "out of memory")
                                : NC_OK;
    for (size_t i = 0; i < 5 && st == NC_OK; i++) {
        snprintf(path, len, "%s/%s", dir, input_files[i]);
        st = hash_file(&s, path, input_files[i], err);
    }
    free(path);
    shard_sha_final(&s, out);   /* always: the digest owns resources */
    return st;
}
