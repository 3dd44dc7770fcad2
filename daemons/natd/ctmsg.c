/*
 * SPDX-License-Identifier: ISC
 *
 * ctmsg.c: the conntrack netlink message parser.  Turns one ctnetlink
 * message (a NEW/DELETE event or a dump entry) into struct flow_info.
 * Our own, over libnl's attribute helpers (which allocate nothing),
 * rather than nfnlmsg_ct_parse(): that builds a libnl object with an
 * address object per address, and its allocations were the larger part
 * of parsing a dump of a big table.  Kernel input is untrusted: every
 * attribute's length is checked before it is read, and a message missing
 * what a flow needs is refused.  Pure: no sockets, no logging, so it is
 * unit-tested and fuzzed with built messages.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <endian.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "natd.h"

/*
 * The flow's start from CTA_TIMESTAMP (nanoseconds, wall clock), present
 * when nf_conntrack_timestamp is on; 0 when absent.
 */
static int64_t
get_start(struct nlmsghdr *nlh)
{
	struct nlattr	*ts, *start;

	if ((ts = nlmsg_find_attr(nlh, sizeof(struct nfgenmsg),
	    CTA_TIMESTAMP)) == NULL)
		return (0);
	if ((start = nla_find(nla_data(ts), nla_len(ts),
	    CTA_TIMESTAMP_START)) == NULL || nla_len(start) != 8)
		return (0);
	return ((int64_t)(be64toh(nla_get_u64(start)) / 1000000000ULL));
}

static struct nlattr *
attr(struct nlattr **tb, int type, int minlen)
{
	if (tb[type] == NULL || nla_len(tb[type]) < minlen)
		return (NULL);
	return (tb[type]);
}

static int
parse_tuple(struct nlattr *nest, int family, struct flow_tuple *t,
    uint8_t *ret_proto)
{
	struct nlattr	*tb[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1];
	struct nlattr	*pr[CTA_PROTO_MAX + 1], *a;
	int		 alen = family == AF_INET6 ? 16 : 4;
	int		 src = family == AF_INET6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC;
	int		 dst = family == AF_INET6 ? CTA_IP_V6_DST : CTA_IP_V4_DST;

	memset(t, 0, sizeof(*t));
	t->family = family;
	if (nla_parse_nested(tb, CTA_TUPLE_MAX, nest, NULL) < 0 ||
	    attr(tb, CTA_TUPLE_IP, 0) == NULL ||
	    attr(tb, CTA_TUPLE_PROTO, 0) == NULL ||
	    nla_parse_nested(ip, CTA_IP_MAX, tb[CTA_TUPLE_IP], NULL) < 0 ||
	    nla_parse_nested(pr, CTA_PROTO_MAX, tb[CTA_TUPLE_PROTO],
	    NULL) < 0)
		return (-1);
	if (attr(ip, src, alen) == NULL || attr(ip, dst, alen) == NULL)
		return (-1);
	if ((a = attr(pr, CTA_PROTO_NUM, 1)) == NULL)
		return (-1);
	*ret_proto = nla_get_u8(a);
	memcpy(t->src, nla_data(ip[src]), (size_t)alen);
	memcpy(t->dst, nla_data(ip[dst]), (size_t)alen);
	if ((a = attr(pr, CTA_PROTO_SRC_PORT, 2)) != NULL)
		t->sport = ntohs(nla_get_u16(a));
	if ((a = attr(pr, CTA_PROTO_DST_PORT, 2)) != NULL)
		t->dport = ntohs(nla_get_u16(a));
	/* ICMP: the id stands for the port, type and code for the other. */
	if ((a = attr(pr, CTA_PROTO_ICMP_ID, 2)) != NULL ||
	    (a = attr(pr, CTA_PROTO_ICMPV6_ID, 2)) != NULL)
		t->sport = ntohs(nla_get_u16(a));
	if ((a = attr(pr, CTA_PROTO_ICMP_TYPE, 1)) != NULL ||
	    (a = attr(pr, CTA_PROTO_ICMPV6_TYPE, 1)) != NULL)
		t->dport = (uint16_t)(nla_get_u8(a) << 8);
	if ((a = attr(pr, CTA_PROTO_ICMP_CODE, 1)) != NULL ||
	    (a = attr(pr, CTA_PROTO_ICMPV6_CODE, 1)) != NULL)
		t->dport |= nla_get_u8(a);
	return (0);
}

static void
parse_counters(struct nlattr *nest, uint64_t *packets, uint64_t *bytes)
{
	struct nlattr	*tb[CTA_COUNTERS_MAX + 1], *a;

	if (nest == NULL ||
	    nla_parse_nested(tb, CTA_COUNTERS_MAX, nest, NULL) < 0)
		return;
	if ((a = attr(tb, CTA_COUNTERS_PACKETS, 8)) != NULL)
		*packets = be64toh(nla_get_u64(a));
	if ((a = attr(tb, CTA_COUNTERS_BYTES, 8)) != NULL)
		*bytes = be64toh(nla_get_u64(a));
}

/* Parse one conntrack message (event or dump); 0, or -1 if malformed. */
int
ctmsg_parse(struct nlmsghdr *nlh, struct flow_info *i)
{
	struct nlattr	*tb[CTA_MAX + 1], *p[CTA_PROTOINFO_MAX + 1];
	struct nlattr	*tcp[CTA_PROTOINFO_TCP_MAX + 1], *a;
	struct nfgenmsg	*nfg;
	int		 family;
	uint8_t		 rproto;

	if (!nlmsg_valid_hdr(nlh, sizeof(*nfg)) ||
	    nlmsg_parse(nlh, sizeof(*nfg), tb, CTA_MAX, NULL) < 0)
		return (-1);
	nfg = nlmsg_data(nlh);
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
	i->id = ntohl(nla_get_u32(a));
	if ((a = attr(tb, CTA_STATUS, 4)) != NULL)
		i->status = ntohl(nla_get_u32(a));
	if ((a = attr(tb, CTA_TIMEOUT, 4)) != NULL)
		i->timeout = ntohl(nla_get_u32(a));
	if ((a = attr(tb, CTA_PROTOINFO, 0)) != NULL &&
	    nla_parse_nested(p, CTA_PROTOINFO_MAX, a, NULL) == 0 &&
	    (a = attr(p, CTA_PROTOINFO_TCP, 0)) != NULL &&
	    nla_parse_nested(tcp, CTA_PROTOINFO_TCP_MAX, a, NULL) == 0 &&
	    (a = attr(tcp, CTA_PROTOINFO_TCP_STATE, 1)) != NULL) {
		i->has_tcp_state = 1;
		i->tcp_state = nla_get_u8(a);
	}
	parse_counters(tb[CTA_COUNTERS_ORIG], &i->orig_packets,
	    &i->orig_bytes);
	parse_counters(tb[CTA_COUNTERS_REPLY], &i->reply_packets,
	    &i->reply_bytes);
	i->start = get_start(nlh);
	return (0);
}

