/*
 * SPDX-License-Identifier: ISC
 *
 * cookie_test.c: dnsd's DNS cookies against the published vectors:
 * SipHash-2-4 (the reference paper's 64-bit vectors) and the IPv4 server
 * cookie of RFC 9018 appendix A.1.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dnsd.h"
#include "../tap.h"

static void
hex(const char *s, uint8_t *out)
{
	unsigned int	 v;

	for (; s[0] != '\0' && s[1] != '\0'; s += 2) {
		sscanf(s, "%2x", &v);
		*out++ = (uint8_t)v;
	}
}

int
main(void)
{
	uint8_t		 key[16], in[64], client[8], out[16], want[16];
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	int		 i;

	/* SipHash-2-4, key 00..0f, messages 00..n-1. */
	for (i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 64; i++)
		in[i] = (uint8_t)i;
	CHECK(cookie_siphash(key, in, 0) == 0x726fdb47dd0e0e31ULL);
	CHECK(cookie_siphash(key, in, 1) == 0x74f839c593dc67fdULL);
	CHECK(cookie_siphash(key, in, 15) == 0xa129ca6149be45e5ULL);

	/* RFC 9018 A.1: IPv4, a first query. */
	memset(&ss, 0, sizeof(ss));
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, "198.51.100.100", &sin->sin_addr);
	hex("2464c4abcf10c957", client);
	hex("e5e973e5a6b2a43f48e7dc849e37bfcf", key);
	cookie_make(key, client, &ss, 1559731985, out);
	hex("010000005cf79f111f8130c3eee29480", want);
	CHECK_MSG(memcmp(out, want, 16) == 0, "RFC 9018 A.1 server cookie");

	/* Another address, another cookie; the same, the same cookie. */
	memset(&ss, 0, sizeof(ss));
	sin6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", &sin6->sin6_addr);
	cookie_make(key, client, &ss, 1559731985, out);
	CHECK(memcmp(out, want, 8) == 0 && memcmp(out, want, 16) != 0);
	cookie_make(key, client, &ss, 1559731985, want);
	CHECK(memcmp(out, want, 16) == 0);
	return (tap_done());
}
