/*
 * SPDX-License-Identifier: ISC
 *
 * cookie.c: DNS cookies (RFC 7873).  Our server cookie for clients is the
 * interoperable form of RFC 9018: version 1, three reserved bytes, a
 * 32-bit timestamp, and SipHash-2-4 of the client cookie, those eight
 * bytes and the client's address under a secret drawn at start, so any
 * cookie we hand out can be checked again without state.
 */
#include <sys/types.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <string.h>

#include "log.h"
#include "dnsd.h"

static uint8_t	 secret[16];
static int	 have_secret;

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

static uint64_t
le64(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return (v);
}

/* SipHash-2-4 (Aumasson and Bernstein), 64-bit output. */
uint64_t
cookie_siphash(const uint8_t key[16], const uint8_t *in, size_t len)
{
	uint64_t	 k0 = le64(key), k1 = le64(key + 8), m, b;
	uint64_t	 v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t	 v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t	 v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t	 v3 = 0x7465646279746573ULL ^ k1;
	size_t		 i, left = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		m = le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	b = (uint64_t)len << 56;
	while (left > 0) {
		left--;
		b |= (uint64_t)in[i + left] << (8 * left);
	}
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return (v0 ^ v1 ^ v2 ^ v3);
}

/*
 * A server cookie (RFC 9018 4) for a client cookie and address under a
 * secret at time now, into out (16 bytes).
 */
void
cookie_make(const uint8_t secret_key[16], const uint8_t *client,
    const struct sockaddr_storage *from, uint32_t now, uint8_t *out)
{
	uint8_t		 in[DNS_COOKIE_CLIENT + 8 + 16];
	size_t		 n = DNS_COOKIE_CLIENT;
	uint64_t	 h;
	int		 i;

	memcpy(in, client, DNS_COOKIE_CLIENT);
	out[0] = 1;
	out[1] = out[2] = out[3] = 0;
	out[4] = (uint8_t)(now >> 24);
	out[5] = (uint8_t)(now >> 16);
	out[6] = (uint8_t)(now >> 8);
	out[7] = (uint8_t)now;
	memcpy(in + n, out, 8);
	n += 8;
	if (from->ss_family == AF_INET) {
		memcpy(in + n, &((const struct sockaddr_in *)from)->sin_addr,
		    4);
		n += 4;
	} else if (from->ss_family == AF_INET6) {
		memcpy(in + n,
		    &((const struct sockaddr_in6 *)from)->sin6_addr, 16);
		n += 16;
	}
	h = cookie_siphash(secret_key, in, n);
	for (i = 0; i < 8; i++)
		out[8 + i] = (uint8_t)(h >> (8 * i));
}

/* Our server cookie for a client, under a secret drawn at first use. */
void
cookie_server(const uint8_t *client, const struct sockaddr_storage *from,
    uint32_t now, uint8_t *out)
{
	if (!have_secret) {
		if (getrandom(secret, sizeof(secret), 0) !=
		    (ssize_t)sizeof(secret))
			fatal("getrandom");
		have_secret = 1;
	}
	cookie_make(secret, client, from, now, out);
}
