/*
 * SPDX-License-Identifier: ISC
 *
 * natd_ctmsg_test.c: the conntrack message parser with messages built
 * here the way the kernel builds them (ctnetlink attributes): TCP with
 * state, counters and timestamp, ICMP, IPv6; messages missing what a flow
 * needs are refused; and a few thousand truncated or corrupted copies,
 * each in a buffer of exactly its length, must be refused or parsed
 * without reading past the end (the sanitizer build catches that).
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "natd.h"
#include "../tap.h"

enum { NO_ID = 1, NO_REPLY = 2, SHORT_ADDR = 4, ICMP = 8, V6 = 16 };

static void
put_tuple(struct nl_msg *m, int type, int family, const char *src,
    const char *dst, uint16_t sport, uint16_t dport, uint8_t proto,
    int flags)
{
	struct nlattr	*t, *ip, *pr;
	uint8_t		 a[16];

	t = nla_nest_start(m, type | NLA_F_NESTED);
	ip = nla_nest_start(m, CTA_TUPLE_IP | NLA_F_NESTED);
	inet_pton(family, src, a);
	nla_put(m, family == AF_INET6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC,
	    (flags & SHORT_ADDR) ? 2 : family == AF_INET6 ? 16 : 4, a);
	inet_pton(family, dst, a);
	nla_put(m, family == AF_INET6 ? CTA_IP_V6_DST : CTA_IP_V4_DST,
	    family == AF_INET6 ? 16 : 4, a);
	nla_nest_end(m, ip);
	pr = nla_nest_start(m, CTA_TUPLE_PROTO | NLA_F_NESTED);
	nla_put_u8(m, CTA_PROTO_NUM, proto);
	if (proto == IPPROTO_ICMP) {
		nla_put_u16(m, CTA_PROTO_ICMP_ID, htons(sport));
		nla_put_u8(m, CTA_PROTO_ICMP_TYPE, (uint8_t)(dport >> 8));
		nla_put_u8(m, CTA_PROTO_ICMP_CODE, (uint8_t)dport);
	} else {
		nla_put_u16(m, CTA_PROTO_SRC_PORT, htons(sport));
		nla_put_u16(m, CTA_PROTO_DST_PORT, htons(dport));
	}
	nla_nest_end(m, pr);
	nla_nest_end(m, t);
}

static void
put_counters(struct nl_msg *m, int type, uint64_t packets, uint64_t bytes)
{
	struct nlattr	*c = nla_nest_start(m, type | NLA_F_NESTED);

	nla_put_u64(m, CTA_COUNTERS_PACKETS, htobe64(packets));
	nla_put_u64(m, CTA_COUNTERS_BYTES, htobe64(bytes));
	nla_nest_end(m, c);
}

static struct nl_msg *
build(int flags)
{
	struct nfgenmsg	 nfg = { .version = NFNETLINK_V0 };
	struct nl_msg	*m;
	struct nlattr	*pi, *tcp, *ts;
	int		 fam = (flags & V6) ? AF_INET6 : AF_INET;
	uint8_t		 proto = (flags & ICMP) ? IPPROTO_ICMP : IPPROTO_TCP;
	const char	*lan = (flags & V6) ? "fd00::10" : "192.168.50.10";
	const char	*wan = (flags & V6) ? "2001:db8::1" : "203.0.113.1";
	const char	*gw = (flags & V6) ? "fd00::10" : "203.0.113.2";

	nfg.nfgen_family = (uint8_t)fam;
	m = nlmsg_alloc_simple(NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW,
	    NLM_F_CREATE | NLM_F_EXCL);
	nlmsg_append(m, &nfg, sizeof(nfg), NLMSG_ALIGNTO);
	put_tuple(m, CTA_TUPLE_ORIG, fam, lan, wan, 40000,
	    (flags & ICMP) ? 8 << 8 : 80, proto, flags);
	if (!(flags & NO_REPLY))
		put_tuple(m, CTA_TUPLE_REPLY, fam, wan, gw,
		    (flags & ICMP) ? 40000 : 80, (flags & ICMP) ? 0 : 40001,
		    proto, 0);
	nla_put_u32(m, CTA_STATUS, htonl(0x18e));
	nla_put_u32(m, CTA_TIMEOUT, htonl(431999));
	if (!(flags & ICMP)) {
		pi = nla_nest_start(m, CTA_PROTOINFO | NLA_F_NESTED);
		tcp = nla_nest_start(m, CTA_PROTOINFO_TCP | NLA_F_NESTED);
		nla_put_u8(m, CTA_PROTOINFO_TCP_STATE, 3);
		nla_nest_end(m, tcp);
		nla_nest_end(m, pi);
	}
	put_counters(m, CTA_COUNTERS_ORIG, 7, 1234);
	put_counters(m, CTA_COUNTERS_REPLY, 9, 56789);
	if (!(flags & NO_ID))
		nla_put_u32(m, CTA_ID, htonl(0xdeadbeef));
	ts = nla_nest_start(m, CTA_TIMESTAMP | NLA_F_NESTED);
	nla_put_u64(m, CTA_TIMESTAMP_START, htobe64(1700000000123456789ULL));
	nla_nest_end(m, ts);
	return (m);
}

static int
parse(int flags, struct flow_info *i)
{
	struct nl_msg	*m = build(flags);
	int		 r = ctmsg_parse(nlmsg_hdr(m), i);

	nlmsg_free(m);
	return (r);
}

static void
test_tcp(void)
{
	struct flow_info i;
	char		 a[INET6_ADDRSTRLEN];

	CHECK(parse(0, &i) == 0);
	CHECK(i.id == 0xdeadbeef && i.proto == IPPROTO_TCP);
	CHECK(i.orig.family == AF_INET && i.orig.sport == 40000 &&
	    i.orig.dport == 80);
	CHECK_STREQ(inet_ntop(AF_INET, i.orig.src, a, sizeof(a)),
	    "192.168.50.10");
	CHECK_STREQ(inet_ntop(AF_INET, i.reply.dst, a, sizeof(a)),
	    "203.0.113.2");
	CHECK(i.reply.sport == 80 && i.reply.dport == 40001);
	CHECK(i.has_tcp_state && i.tcp_state == 3);
	CHECK(i.status == 0x18e && i.timeout == 431999);
	CHECK(i.orig_packets == 7 && i.orig_bytes == 1234);
	CHECK(i.reply_packets == 9 && i.reply_bytes == 56789);
	CHECK(i.start == 1700000000);
}

static void
test_icmp_v6(void)
{
	struct flow_info i;
	char		 a[INET6_ADDRSTRLEN];

	CHECK(parse(ICMP, &i) == 0);
	CHECK(i.proto == IPPROTO_ICMP && !i.has_tcp_state);
	CHECK(i.orig.sport == 40000 && i.orig.dport == 8 << 8);
	CHECK(parse(V6, &i) == 0);
	CHECK(i.orig.family == AF_INET6);
	CHECK_STREQ(inet_ntop(AF_INET6, i.orig.dst, a, sizeof(a)),
	    "2001:db8::1");
}

static void
test_refused(void)
{
	struct flow_info i;

	CHECK(parse(NO_ID, &i) == -1);
	CHECK(parse(NO_REPLY, &i) == -1);
	CHECK(parse(SHORT_ADDR, &i) == -1);
}

/*
 * Truncations and corruptions, each copied into a buffer of exactly its
 * length with nlmsg_len set to it, as libnl hands messages over.
 */
static void
test_fuzz(void)
{
	struct nl_msg	*m = build(0);
	struct nlmsghdr	*h = nlmsg_hdr(m), *c;
	struct flow_info i;
	size_t		 len = h->nlmsg_len, l, k;
	unsigned int	 seed = 1, n, ok = 0, bad = 0;

	for (n = 0; n < 20000; n++) {
		l = n < len ? n : (size_t)(rand_r(&seed) % (len + 1));
		if (l < sizeof(*h))
			l = sizeof(*h);
		if ((c = malloc(l)) == NULL)
			break;
		memcpy(c, h, l);
		c->nlmsg_len = (uint32_t)l;
		/* Past the plain truncations: flip a few bytes as well. */
		if (n >= len && l > sizeof(*h))
			for (k = 0; k < 1 + (size_t)(rand_r(&seed) % 4); k++)
				((uint8_t *)c)[sizeof(*h) + (size_t)rand_r(&seed) %
				    (l - sizeof(*h))] ^=
				    (uint8_t)(1 + rand_r(&seed) % 255);
		if (ctmsg_parse(c, &i) == 0)
			ok++;
		else
			bad++;
		free(c);
	}
	TAP_NOTE("%u parsed, %u refused", ok, bad);
	CHECK_MSG(ok + bad == 20000, "20000 damaged messages without a crash");
	nlmsg_free(m);
}

int
main(void)
{
	test_tcp();
	test_icmp_v6();
	test_refused();
	test_fuzz();
	return (tap_done());
}
