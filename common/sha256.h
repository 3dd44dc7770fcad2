/*
 * SPDX-License-Identifier: ISC
 *
 * sha256.h: SHA-256 (FIPS 180-4) of a buffer, for certificate
 * fingerprints.  Pure functions: no I/O, no allocation.
 */
#ifndef HGW_SHA256_H
#define HGW_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32
/* "AB:CD:...", 32 pairs and 31 colons, plus NUL. */
#define SHA256_FPR_LEN	(SHA256_LEN * 3)

/* The digest of len bytes at data, into out. */
void	sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);
/* The digest formatted as upper-case hex pairs joined by colons. */
char	*sha256_fmt(const uint8_t d[SHA256_LEN], char *buf, size_t len);

#endif /* HGW_SHA256_H */
