/*
 * shard_hash.h - the SHA-256 digests of sharded runs: the hash of the input
 * files that every part records (so that a merge refuses parts of other
 * inputs), and the running digest behind a part's batch id and trailing
 * checksum (io/shard_part.h).
 *
 * Not for secrets: the digests guard against accidents (a foreign, damaged
 * or truncated part, inputs edited since the shards ran), not against
 * someone forging a part.
 *
 *     shard_sha s;
 *     shard_sha_init(&s);
 *     shard_sha_update(&s, data, len);   (any number of times)
 *     shard_sha_final(&s, digest);       (32 bytes; s is spent)
 *
 * The digest is GLib's GChecksum (G_CHECKSUM_SHA256; GLib comes with pango,
 * so no crypto library is linked for one hash).  A shard_sha that is given
 * up before shard_sha_final is freed with shard_sha_free.
 */
#ifndef NATCAP_IO_SHARD_HASH_H
#define NATCAP_IO_SHARD_HASH_H

#include "../model/status.h"

#include <stddef.h>
#include <stdint.h>

typedef struct shard_sha {
    void *g;               /* the GChecksum; NULL once final or freed */
    uint64_t len;          /* bytes hashed so far */
} shard_sha;

void shard_sha_init(shard_sha *s);   /* GLib aborts when out of memory */
void shard_sha_update(shard_sha *s, const void *data, size_t n);
void shard_sha_final(shard_sha *s, uint8_t out[32]);   /* frees; s->len still valid */
void shard_sha_free(shard_sha *s);   /* after final, or never initialised (g NULL): no-op */

/* v as 8 little-endian bytes; a string as its u64 length and bytes. */
void shard_sha_u64(shard_sha *s, uint64_t v);
void shard_sha_str(shard_sha *s, const char *str);

/* SHA-256 of the five input files of `dir` (gateways, destinations,
 * services, profiles, scenarios .csv; each as name, present flag, length,
 * and the digest of its bytes).  NC_EIO when one exists but cannot be read. */
nc_status shard_hash_inputs(const char *dir, uint8_t out[32], nc_error *err);

/* The first 6 bytes of a digest as 12 hex digits (buf >= 13), for messages. */
void shard_hash_hex(const uint8_t *digest, char *buf);

#endif
