/*
 * SPDX-License-Identifier: ISC
 *
 * arpd_packet_test.c: ARP frame parsing and building.  Table-driven: a
 * valid request, then the same frame cut short or with each field of
 * the fixed header wrong, each of which must be refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "arpd.h"
#include "tap.h"

/* who-has 192.168.50.1 tell 192.168.50.10, from 02:00:00:00:50:10. */
static const uint8_t request[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* eth dst */
	0x02, 0x00, 0x00, 0x00, 0x50, 0x10,	/* eth src */
	0x08, 0x06,				/* ARP */
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04,	/* htype ptype hlen plen */
	0x00, 0x01,				/* request */
	0x02, 0x00, 0x00, 0x00, 0x50, 0x10,	/* sha */
	192, 168, 50, 10,			/* spa */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* tha */
	192, 168, 50, 1,			/* tpa */
};

static const struct {
	const char	*what;
	size_t		 offset;	/* byte to change, or SIZE_MAX */
	uint8_t		 value;
	size_t		 len;		/* bytes of the frame to use */
} bad[] = {
	{ "empty", SIZE_MAX, 0, 0 },
	{ "ethernet header only", SIZE_MAX, 0, 14 },
	{ "short fixed header", SIZE_MAX, 0, 20 },
	{ "no target address", SIZE_MAX, 0, 38 },
	{ "one byte short", SIZE_MAX, 0, 41 },
	{ "not ARP ethertype", 13, 0x00, 42 },
	{ "htype not ethernet", 15, 0x06, 42 },
	{ "ptype not IPv4", 16, 0x86, 42 },
	{ "hlen 8", 18, 8, 42 },
	{ "plen 16", 19, 16, 42 },
	{ "op 0", 21, 0, 42 },
	{ "op 3 (RARP)", 21, 3, 42 },
};

int
main(void)
{
	struct arp_frame f, r;
	uint8_t		 buf[64], frame[64];
	struct in_addr	 a;
	size_t		 i;
	int		 n;

	CHECK(packet_parse(request, sizeof(request), &f) == 0);
	CHECK(f.op == ARP_OP_REQUEST);
	CHECK(f.spa.s_addr == htonl(0xc0a8320a));
	CHECK(f.tpa.s_addr == htonl(0xc0a83201));
	CHECK(f.sha[5] == 0x10 && f.eth_src[5] == 0x10 && f.eth_dst[0] == 0xff);

	/* Ethernet padding to 60 bytes is fine. */
	memset(frame, 0, sizeof(frame));
	memcpy(frame, request, sizeof(request));
	CHECK(packet_parse(frame, 60, &r) == 0 && r.op == ARP_OP_REQUEST);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(frame, request, sizeof(request));
		if (bad[i].offset != SIZE_MAX)
			frame[bad[i].offset] = bad[i].value;
		memset(&r, 0xaa, sizeof(r));
		n = packet_parse(frame, bad[i].len, &r);
		CHECK_MSG(n == -EINVAL, bad[i].what);
		/* Output untouched on failure. */
		CHECK_MSG(r.op == 0xaaaa, bad[i].what);
	}
	CHECK(packet_parse(NULL, 42, &r) == -EINVAL);

	/* The reply: 192.168.50.78 is at 02:00:00:00:50:01, to the asker. */
	{
		static const uint8_t gw[6] = { 2, 0, 0, 0, 0x50, 0x01 };

		inet_pton(AF_INET, "192.168.50.78", &a);
		CHECK(packet_build_reply(buf, 41, &f, gw, a) == -ENOSPC);
		n = packet_build_reply(buf, sizeof(buf), &f, gw, a);
		CHECK(n == ARP_FRAME_LEN);
		CHECK(packet_parse(buf, (size_t)n, &r) == 0);
		CHECK(r.op == ARP_OP_REPLY);
		CHECK(memcmp(r.eth_dst, f.sha, 6) == 0);
		CHECK(memcmp(r.eth_src, gw, 6) == 0);
		CHECK(memcmp(r.sha, gw, 6) == 0);
		CHECK(r.spa.s_addr == a.s_addr);
		CHECK(memcmp(r.tha, f.sha, 6) == 0);
		CHECK(r.tpa.s_addr == f.spa.s_addr);
	}
	return (tap_done());
}
