/*
 * SPDX-License-Identifier: ISC
 *
 * tlsfp.h: the SHA-256 fingerprint of a PEM certificate, as browsers and
 * phones show it ("AB:CD:..."), for webd's log and homegwctl status.
 * webd keeps its CA in <state_dir>/tls/ca.crt.
 */
#ifndef HGW_TLSFP_H
#define HGW_TLSFP_H

#include <stddef.h>

/* 32 bytes as 2 hex digits each, 31 colons, NUL. */
#define TLSFP_LEN	96

/*
 * Read the first certificate of the PEM file at path and write its
 * SHA-256 fingerprint into buf (at least TLSFP_LEN bytes).  Returns 0,
 * or -1 when the file is missing or holds no certificate.
 */
int	tls_fingerprint_file(const char *path, char *buf, size_t len);

#endif /* HGW_TLSFP_H */
