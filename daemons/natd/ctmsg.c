/*
 * SPDX-License-Identifier: ISC
 *
 * ctmsg.c: the conntrack netlink message parser.  Turns one ctnetlink
 * message (a NEW/DELETE event or a dump entry) into struct flow_info.
 * Our own, down to the attribute walk: nfnlmsg_ct_parse() builds a libnl
 * object with an address object per address, and libnl's nla_parse()
 * calls (through the PLT, per attribute) were still a tenth of natd's
 * time parsing the dump that runs every second.  A walk fills a table
 * with the attributes of one nest and nothing more.  Kernel input is
 * untrusted: every attribute's length is checked before it is read, and
 * a message missing what a flow needs is refused.  Pure: no sockets, no
 * logging, so it is unit-tested and fuzzed with built messages.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <endian.h>
#include <stdint.h>
#include <string.h>

#include "natd.h"

/*
 * The attributes in data[0..len) into tb[0..max]; the last of a type wins,
 * types above max are skipped.  -1 if one claims more than is there.
 */
static int
walk(const void *data, size_t len, const struct nlattr **tb, int max)
{
	const struct nlattr *a;
	size_t		 alen, step;

	memset(tb, 0, (size_t)(max + 1) * sizeof(*tb));
	while (len >= NLA_HDRLEN) {
		a = data;
		alen = a->nla_len;
		if (alen < NLA_HDRLEN || alen > len)
			return (-1);
		if ((a->nla_type & NLA_TYPE_MASK) <= max)
			tb[a->nla_type & NLA_TYPE_MASK] = a;
		if ((step = NLA_ALIGN(alen)) >= len)
			break;
		data = (const uint8_t *)data + step;
		len -= step;
	}
	return (0);
}

static const void *
payload(const struct nlattr *a)
{
	return ((const uint8_t *)a + NLA_HDRLEN);
}

static size_t
payload_len(const struct nlattr *a)
{
	return (a->nla_len - NLA_HDRLEN);
}

/* Walk the attributes nested in a. */
static int
walk_nested(const struct nlattr *a, const struct nlattr **tb, int max)
{
	return (walk(payload(a), payload_len(a), tb, max));
}

/* tb[type] if present with at least minlen bytes of payload. */
static const struct nlattr *
attr(const struct nlattr **tb, int type, size_t minlen)
{
	if (tb[type] == NULL || payload_len(tb[type]) < minlen)
		return (NULL);
	return (tb[type]);
}

static uint8_t
get_u8(const struct nlattr *a)
{
	return (*(const uint8_t *)payload(a));
}

/* Network order, as ctnetlink sends everything but the nest headers. */
static uint16_t
get_be16(const struct nlattr *a)
{
	uint16_t	 v;

	memcpy(&v, payload(a), sizeof(v));
	return (ntohs(v));
}

static uint32_t
get_be32(const struct nlattr *a)
{
	uint32_t	 v;

	memcpy(&v, payload(a), sizeof(v));
	return (ntohl(v));
}

static uint64_t
get_be64(const struct nlattr *a)
{
	uint64_t	 v;

	memcpy(&v, payload(a), sizeof(v));
	return (be64toh(v));
}

/*
 * The flow's start from CTA_TIMESTAMP (nanoseconds, wall clock), present
 * when nf_conntrack_timestamp is on; 0 when absent.
 */
static int64_t
get_start(const struct nlattr *ts)
{
	const struct nlattr *tb[CTA_TIMESTAMP_MAX + 1], *a;

	if (ts == NULL || walk_nested(ts, tb, CTA_TIMESTAMP_MAX) < 0 ||
	    (a = tb[CTA_TIMESTAMP_START]) == NULL || payload_len(a) != 8)
		return (0);
	return ((int64_t)(get_be64(a) / 1000000000ULL));
}

static int
parse_tuple(const struct nlattr *nest, int family, struct flow_tuple *t,
    uint8_t *ret_proto)
{
	const struct nlattr *tb[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1];
	const struct nlattr *pr[CTA_PROTO_MAX + 1], *a;
	size_t		 alen = family == AF_INET6 ? 16 : 4;
	int		 src = family == AF_INET6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC;
	int		 dst = family == AF_INET6 ? CTA_IP_V6_DST : CTA_IP_V4_DST;

	memset(t, 0, sizeof(*t));
	t->family = family;
	if (walk_nested(nest, tb, CTA_TUPLE_MAX) < 0 ||
	    attr(tb, CTA_TUPLE_IP, 0) == NULL ||
	    attr(tb, CTA_TUPLE_PROTO, 0) == NULL ||
	    walk_nested(tb[CTA_TUPLE_IP], ip, CTA_IP_MAX) < 0 ||
	    walk_nested(tb[CTA_TUPLE_PROTO], pr, CTA_PROTO_MAX) < 0)
		return (-1);
	if (attr(ip, src, alen) == NULL || attr(ip, dst, alen) == NULL)
		return (-1);
	if ((a = attr(pr, CTA_PROTO_NUM, 1)) == NULL)
		return (-1);
	*ret_proto = get_u8(a);
	memcpy(t->src, payload(ip[src]), alen);
	memcpy(t->dst, payload(ip[dst]), alen);
	if ((a = attr(pr, CTA_PROTO_SRC_PORT, 2)) != NULL)
		t->sport = get_be16(a);
	if ((a = attr(pr, CTA_PROTO_DST_PORT, 2)) != NULL)
		t->dport = get_be16(a);
	/* ICMP: the id stands for the port, type and code for the other. */
	if ((a = attr(pr, CTA_PROTO_ICMP_ID, 2)) != NULL ||
	    (a = attr(pr, CTA_PROTO_ICMPV6_ID, 2)) != NULL)
		t->sport = get_be16(a);
	if ((a = attr(pr, CTA_PROTO_ICMP_TYPE, 1)) != NULL ||
	    (a = attr(pr, CTA_PROTO_ICMPV6_TYPE, 1)) != NULL)
		t->dport = (uint16_t)(get_u8(a) << 8);
	if ((a = attr(pr, CTA_PROTO_ICMP_CODE, 1)) != NULL ||
	    (a = attr(pr, CTA_PROTO_ICMPV6_CODE, 1)) != NULL)
		t->dport |= get_u8(a);
	return (0);
}

static void
parse_counters(const struct nlattr *nest, uint64_t *packets,
    uint64_t *bytes)
{
	const struct nlattr *tb[CTA_COUNTERS_MAX + 1], *a;

	if (nest == NULL || walk_nested(nest, tb, CTA_COUNTERS_MAX) < 0)
		return;
	if ((a = attr(tb, CTA_COUNTERS_PACKETS, 8)) != NULL)
		*packets = get_be64(a);
	if ((a = attr(tb, CTA_COUNTERS_BYTES, 8)) != NULL)
		*bytes = get_be64(a);
}

/* Parse one conntrack message (event or dump); 0, or -1 if malformed. */
int
ctmsg_parse(struct nlmsghdr *nlh, struct flow_info *i)
{
	const struct nlattr *tb[CTA_MAX + 1], *p[CTA_PROTOINFO_MAX + 1];
	const struct nlattr *tcp[CTA_PROTOINFO_TCP_MAX + 1], *a;
	const struct nfgenmsg *nfg;
	size_t		 hdr = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*nfg));
	int		 family;
	uint8_t		 rproto;

	if (nlh->nlmsg_len < hdr ||
	    walk((const uint8_t *)nlh + hdr, nlh->nlmsg_len - hdr, tb,
	    CTA_MAX) < 0)
		return (-1);
	nfg = NLMSG_DATA(nlh);
	family = nfg->nfgen_family;
	if (family != AF_INET && family != AF_INET6)
		return (-1);
	memset(i, 0, sizeof(*i));
	if (attr(tb, CTA_TUPLE_ORIG, 0) == NULL ||
	    attr(tb, CTA_TUPLE_REPLY, 0) == NULL ||
	    (a = attr(tb, CTA_ID, 4)) == NULL ||
	    parse_tuple(tb[CTA_TUPLE_ORIG], family, &i->orig, &i->proto) < 0 ||
	    parse_tuple(tb[CTA_TUPLE_REPLY], family, &i->reply, &rproto) < 0)
		return (-1);
	i->id = get_be32(a);
	if ((a = attr(tb, CTA_STATUS, 4)) != NULL)
		i->status = get_be32(a);
	if ((a = attr(tb, CTA_TIMEOUT, 4)) != NULL)
		i->timeout = get_be32(a);
	if ((a = attr(tb, CTA_PROTOINFO, 0)) != NULL &&
	    walk_nested(a, p, CTA_PROTOINFO_MAX) == 0 &&
	    (a = attr(p, CTA_PROTOINFO_TCP, 0)) != NULL &&
	    walk_nested(a, tcp, CTA_PROTOINFO_TCP_MAX) == 0 &&
	    (a = attr(tcp, CTA_PROTOINFO_TCP_STATE, 1)) != NULL) {
		i->has_tcp_state = 1;
		i->tcp_state = get_u8(a);
	}
	parse_counters(tb[CTA_COUNTERS_ORIG], &i->orig_packets,
	    &i->orig_bytes);
	parse_counters(tb[CTA_COUNTERS_REPLY], &i->reply_packets,
	    &i->reply_bytes);
	i->start = get_start(tb[CTA_TIMESTAMP]);
	return (0);
}
