/*
 * sha256.h - SHA-256 (FIPS 180-4) for the checksums and identities of
 * shard parts (io/shard.h).  Not for secrets: there is no constant-time
 * care, and the digests only guard against accidents (a foreign, damaged or
 * truncated part), not against someone forging a part.
 *
 *     sha256_ctx c;
 *     sha256_init(&c);
 *     sha256_update(&c, data, len);   (any number of times)
 *     sha256_final(&c, digest);       (32 bytes; c is spent)
 */
#ifndef NATCAP_IO_SHA256_H
#define NATCAP_IO_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
    uint32_t h[8];
    uint64_t len;          /* bytes hashed so far */
    uint8_t buf[64];       /* a partial block */
    size_t nbuf;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
void sha256_final(sha256_ctx *c, uint8_t out[32]);

#endif
