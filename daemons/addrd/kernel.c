/*
 * SPDX-License-Identifier: ISC
 *
 * kernel.c: every rtnetlink request homegw-addrd makes, and nothing else.
 * Dumps links, IPv4 addresses and IPv4 routes into a struct kstate, and
 * brings links up, adds and removes addresses and the default route
 * through libnl-route.  Addresses carry IFA_PROTO = ADDRD_PROTO and routes
 * rtm_protocol = ADDRD_PROTO, so ownership is visible in the kernel (and
 * in `ip addr` / `ip route` as "proto 104").  No policy and no logging
 * above debug: reconcile.c decides, addrd.c logs.
 *
 * libnl 3.7's rtnl_addr knows nothing of IFA_PROTO, so the address dump
 * is parsed here from the raw messages (with explicit lengths), and the
 * attribute is appended to the request libnl builds.  Dumped kernel data
 * is untrusted: short or malformed messages are counted and skipped.
 */
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "log.h"
#include "netlink.h"
#include "addrd.h"

static unsigned long	 malformed;

static int
parse_link(struct nl_msg *msg, void *arg)
{
	struct kstate		*ks = arg;
	struct nlmsghdr		*nlh = nlmsg_hdr(msg);
	struct nlattr		*tb[IFLA_MAX + 1];
	struct ifinfomsg	*ifi;
	struct ks_link		*l;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return (NL_SKIP);
	if (!nlmsg_valid_hdr(nlh, sizeof(*ifi)) ||
	    nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 ||
	    tb[IFLA_IFNAME] == NULL) {
		malformed++;
		return (NL_SKIP);
	}
	if (ks->nlinks >= KSTATE_LINKS_MAX) {
		ks->truncated = 1;
		return (NL_SKIP);
	}
	ifi = nlmsg_data(nlh);
	l = &ks->links[ks->nlinks];
	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	nla_strlcpy(l->name, tb[IFLA_IFNAME], sizeof(l->name));
	if (tb[IFLA_ADDRESS] != NULL &&
	    nla_len(tb[IFLA_ADDRESS]) == ADDR_MAC_LEN) {
		memcpy(l->mac, nla_data(tb[IFLA_ADDRESS]), ADDR_MAC_LEN);
		l->has_mac = 1;
	}
	ks->nlinks++;
	return (NL_OK);
}

static int
parse_addr(struct nl_msg *msg, void *arg)
{
	struct kstate		*ks = arg;
	struct nlmsghdr		*nlh = nlmsg_hdr(msg);
	struct nlattr		*tb[IFA_MAX + 1], *local;
	struct ifaddrmsg	*ifa;
	struct ks_addr		*a;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return (NL_SKIP);
	if (!nlmsg_valid_hdr(nlh, sizeof(*ifa)) ||
	    nlmsg_parse(nlh, sizeof(*ifa), tb, IFA_MAX, NULL) < 0) {
		malformed++;
		return (NL_SKIP);
	}
	ifa = nlmsg_data(nlh);
	if (ifa->ifa_family != AF_INET)
		return (NL_SKIP);
	/* IFA_LOCAL is the interface's own address; IFA_ADDRESS the peer. */
	local = tb[IFA_LOCAL] != NULL ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (local == NULL || nla_len(local) != 4 || ifa->ifa_prefixlen > 32) {
		malformed++;
		return (NL_SKIP);
	}
	if (ks->naddrs >= KSTATE_ADDRS_MAX) {
		ks->truncated = 1;
		return (NL_SKIP);
	}
	a = &ks->addrs[ks->naddrs];
	memset(a, 0, sizeof(*a));
	a->ifindex = (int)ifa->ifa_index;
	memcpy(&a->addr, nla_data(local), 4);
	a->plen = ifa->ifa_prefixlen;
	if (tb[IFA_PROTO] != NULL && nla_len(tb[IFA_PROTO]) >= 1)
		a->proto = nla_get_u8(tb[IFA_PROTO]);
	ks->naddrs++;
	return (NL_OK);
}

static int
parse_route(struct nl_msg *msg, void *arg)
{
	struct kstate		*ks = arg;
	struct nlmsghdr		*nlh = nlmsg_hdr(msg);
	struct nlattr		*tb[RTA_MAX + 1];
	struct rtmsg		*rtm;
	struct ks_route		*r;
	uint32_t		 table;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return (NL_SKIP);
	if (!nlmsg_valid_hdr(nlh, sizeof(*rtm)) ||
	    nlmsg_parse(nlh, sizeof(*rtm), tb, RTA_MAX, NULL) < 0) {
		malformed++;
		return (NL_SKIP);
	}
	rtm = nlmsg_data(nlh);
	if (rtm->rtm_family != AF_INET || rtm->rtm_type != RTN_UNICAST ||
	    rtm->rtm_dst_len > 32)
		return (NL_SKIP);
	table = rtm->rtm_table;
	if (tb[RTA_TABLE] != NULL && nla_len(tb[RTA_TABLE]) == 4)
		table = nla_get_u32(tb[RTA_TABLE]);
	if (table != RT_TABLE_MAIN ||
	    (rtm->rtm_dst_len != 0 && rtm->rtm_protocol != ADDRD_PROTO))
		return (NL_SKIP);
	if (ks->nroutes >= KSTATE_ROUTES_MAX) {
		ks->truncated = 1;
		return (NL_SKIP);
	}
	r = &ks->routes[ks->nroutes];
	memset(r, 0, sizeof(*r));
	r->plen = rtm->rtm_dst_len;
	r->proto = rtm->rtm_protocol;
	r->table = table;
	if (tb[RTA_DST] != NULL && nla_len(tb[RTA_DST]) == 4)
		memcpy(&r->dst, nla_data(tb[RTA_DST]), 4);
	if (tb[RTA_GATEWAY] != NULL && nla_len(tb[RTA_GATEWAY]) == 4)
		memcpy(&r->gw, nla_data(tb[RTA_GATEWAY]), 4);
	if (tb[RTA_OIF] != NULL && nla_len(tb[RTA_OIF]) == 4)
		r->oif = (int)nla_get_u32(tb[RTA_OIF]);
	if (tb[RTA_PRIORITY] != NULL && nla_len(tb[RTA_PRIORITY]) == 4)
		r->metric = nla_get_u32(tb[RTA_PRIORITY]);
	ks->nroutes++;
	return (NL_OK);
}

static int
dump_one(struct nl_sock *sk, int type, void *hdr, size_t hdrlen,
    nl_recvmsg_msg_cb_t fn, void *ks)
{
	struct nl_cb	*cb, *orig;
	int		 r;

	if ((r = nl_send_simple(sk, type, NLM_F_DUMP, hdr, hdrlen)) < 0)
		return (netlink_errno(r));
	orig = nl_socket_get_cb(sk);
	cb = nl_cb_clone(orig);
	nl_cb_put(orig);
	if (cb == NULL)
		return (-ENOMEM);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, fn, ks);
	r = nl_recvmsgs(sk, cb);
	nl_cb_put(cb);
	return (r < 0 ? netlink_errno(r) : 0);
}

struct neigh_dump {
	struct ks_neigh	*out;
	int		 max;
	int		 n;
	long		 hz;		/* clock_t ticks per second */
};

/*
 * One IPv4 neighbour with its cache times: the kernel gives them as
 * clock_t ticks ago (USER_HZ), turned into seconds here.
 */
static int
parse_neigh(struct nl_msg *msg, void *arg)
{
	struct neigh_dump	*nd = arg;
	struct nlmsghdr		*nlh = nlmsg_hdr(msg);
	struct nlattr		*tb[NDA_MAX + 1];
	struct ndmsg		*ndm;
	struct nda_cacheinfo	*ci;
	struct ks_neigh		*k;

	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return (NL_SKIP);
	if (!nlmsg_valid_hdr(nlh, sizeof(*ndm)) ||
	    nlmsg_parse(nlh, sizeof(*ndm), tb, NDA_MAX, NULL) < 0) {
		malformed++;
		return (NL_SKIP);
	}
	ndm = nlmsg_data(nlh);
	if (ndm->ndm_family != AF_INET || tb[NDA_DST] == NULL)
		return (NL_SKIP);
	if (nla_len(tb[NDA_DST]) != 4) {
		malformed++;
		return (NL_SKIP);
	}
	if (nd->n >= nd->max)
		return (NL_SKIP);
	k = &nd->out[nd->n];
	memset(k, 0, sizeof(*k));
	k->ifindex = ndm->ndm_ifindex;
	k->state = ndm->ndm_state;
	k->flags = ndm->ndm_flags;
	k->type = ndm->ndm_type;
	memcpy(&k->addr, nla_data(tb[NDA_DST]), 4);
	if (tb[NDA_LLADDR] != NULL && nla_len(tb[NDA_LLADDR]) == ADDR_MAC_LEN) {
		memcpy(k->mac, nla_data(tb[NDA_LLADDR]), ADDR_MAC_LEN);
		k->has_mac = 1;
	}
	k->confirmed_s = k->used_s = -1;
	if (tb[NDA_CACHEINFO] != NULL &&
	    nla_len(tb[NDA_CACHEINFO]) >= (int)sizeof(*ci)) {
		ci = nla_data(tb[NDA_CACHEINFO]);
		k->confirmed_s = (long)(ci->ndm_confirmed / nd->hz);
		k->used_s = (long)(ci->ndm_used / nd->hz);
	}
	nd->n++;
	return (NL_OK);
}

/*
 * Dump the IPv4 neighbour table of every interface into out (at most
 * max entries; the rest are left out).  The count, or -errno.
 */
int
kernel_neigh_dump(struct nl_sock *sk, struct ks_neigh *out, int max)
{
	struct ndmsg		 ndm = { .ndm_family = AF_INET };
	struct neigh_dump	 nd = { out, max, 0, sysconf(_SC_CLK_TCK) };
	int			 r;

	if (nd.hz <= 0)
		nd.hz = 100;
	if ((r = dump_one(sk, RTM_GETNEIGH, &ndm, sizeof(ndm), parse_neigh,
	    (void *)&nd)) < 0)
		return (r);
	return (nd.n);
}

/*
 * Dump links, IPv4 addresses and the IPv4 routes reconcile cares about
 * into ks.  A dump interrupted by a concurrent change is retried.
 * Returns 0 or -errno.
 */
int
kernel_dump(struct nl_sock *sk, struct kstate *ks)
{
	struct ifinfomsg	 ifi = { .ifi_family = AF_UNSPEC };
	struct ifaddrmsg	 ifa = { .ifa_family = AF_INET };
	struct rtmsg		 rtm = { .rtm_family = AF_INET };
	int			 tries, r = 0;

	for (tries = 0; tries < 3; tries++) {
		ks->nlinks = ks->naddrs = ks->nroutes = 0;
		ks->truncated = 0;
		if ((r = dump_one(sk, RTM_GETLINK, &ifi, sizeof(ifi),
		    parse_link, ks)) < 0 ||
		    (r = dump_one(sk, RTM_GETADDR, &ifa, sizeof(ifa),
		    parse_addr, ks)) < 0 ||
		    (r = dump_one(sk, RTM_GETROUTE, &rtm, sizeof(rtm),
		    parse_route, ks)) < 0) {
			log_debug("%s: dump failed (try %d): %s", __func__,
			    tries + 1, strerror(-r));
			continue;
		}
		break;
	}
	if (malformed > 0)
		log_debug("%s: %lu malformed messages so far", __func__,
		    malformed);
	return (r);
}

/* Malformed messages dropped from dumps so far. */
unsigned long
kernel_malformed(void)
{
	return (malformed);
}

static int
link_up(void *arg, const struct ks_link *l)
{
	struct nl_sock		*sk = arg;
	struct rtnl_link	*orig, *chg;
	int			 r;

	orig = rtnl_link_alloc();
	chg = rtnl_link_alloc();
	if (orig == NULL || chg == NULL) {
		rtnl_link_put(orig);
		rtnl_link_put(chg);
		return (-ENOMEM);
	}
	rtnl_link_set_ifindex(orig, l->ifindex);
	rtnl_link_set_name(orig, l->name);
	rtnl_link_set_flags(chg, IFF_UP);
	r = rtnl_link_change(sk, orig, chg, 0);
	rtnl_link_put(orig);
	rtnl_link_put(chg);
	log_debug("%s: %s: %d", __func__, l->name, r);
	return (r < 0 ? netlink_errno(r) : 0);
}

static struct rtnl_addr *
addr_build(int ifindex, struct in_addr in, int plen)
{
	struct rtnl_addr	*a;
	struct nl_addr		*local, *bcast;
	struct in_addr		 b;

	if ((a = rtnl_addr_alloc()) == NULL)
		return (NULL);
	if ((local = nl_addr_build(AF_INET, &in, sizeof(in))) == NULL) {
		rtnl_addr_put(a);
		return (NULL);
	}
	nl_addr_set_prefixlen(local, plen);
	rtnl_addr_set_family(a, AF_INET);
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_local(a, local);
	rtnl_addr_set_prefixlen(a, plen);
	nl_addr_put(local);
	/* As `ip addr add ... brd +` does; /31 and /32 have none. */
	if (plen < 31) {
		b.s_addr = in.s_addr | ~addr_mask4(plen);
		if ((bcast = nl_addr_build(AF_INET, &b, sizeof(b))) != NULL) {
			rtnl_addr_set_broadcast(a, bcast);
			nl_addr_put(bcast);
		}
	}
	return (a);
}

static int
addr_add(void *arg, int ifindex, struct in_addr in, int plen)
{
	struct nl_sock		*sk = arg;
	struct rtnl_addr	*a;
	struct nl_msg		*msg = NULL;
	int			 r;

	if ((a = addr_build(ifindex, in, plen)) == NULL)
		return (-ENOMEM);
	r = rtnl_addr_build_add_request(a, NLM_F_EXCL, &msg);
	rtnl_addr_put(a);
	if (r < 0)
		return (netlink_errno(r));
	if (nla_put_u8(msg, IFA_PROTO, ADDRD_PROTO) < 0) {
		nlmsg_free(msg);
		return (-ENOMEM);
	}
	r = nl_send_sync(sk, msg);	/* frees msg */
	log_debug("%s: %d %s/%d: %d", __func__, ifindex, inet_ntoa(in), plen,
	    r);
	return (r < 0 ? netlink_errno(r) : 0);
}

static int
addr_del(void *arg, const struct ks_addr *ka)
{
	struct nl_sock		*sk = arg;
	struct rtnl_addr	*a;
	struct nl_msg		*msg = NULL;
	int			 r;

	if ((a = addr_build(ka->ifindex, ka->addr, ka->plen)) == NULL)
		return (-ENOMEM);
	r = rtnl_addr_build_delete_request(a, 0, &msg);
	rtnl_addr_put(a);
	if (r < 0)
		return (netlink_errno(r));
	r = nl_send_sync(sk, msg);
	log_debug("%s: %d %s/%d: %d", __func__, ka->ifindex,
	    inet_ntoa(ka->addr), ka->plen, r);
	return (r < 0 ? netlink_errno(r) : 0);
}

static struct rtnl_route *
route_build(int oif, struct in_addr gw, uint32_t metric)
{
	struct rtnl_route	*rt;
	struct rtnl_nexthop	*nh;
	struct nl_addr		*dst, *via;
	struct in_addr		 any = { .s_addr = INADDR_ANY };

	if ((rt = rtnl_route_alloc()) == NULL)
		return (NULL);
	dst = nl_addr_build(AF_INET, &any, sizeof(any));
	via = nl_addr_build(AF_INET, &gw, sizeof(gw));
	nh = rtnl_route_nh_alloc();
	if (dst == NULL || via == NULL || nh == NULL) {
		nl_addr_put(dst);
		nl_addr_put(via);
		if (nh != NULL)
			rtnl_route_nh_free(nh);
		rtnl_route_put(rt);
		return (NULL);
	}
	nl_addr_set_prefixlen(dst, 0);
	rtnl_route_set_family(rt, AF_INET);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, ADDRD_PROTO);
	rtnl_route_set_scope(rt, RT_SCOPE_UNIVERSE);
	rtnl_route_set_type(rt, RTN_UNICAST);
	rtnl_route_set_priority(rt, metric);
	rtnl_route_set_dst(rt, dst);
	rtnl_route_nh_set_ifindex(nh, oif);
	rtnl_route_nh_set_gateway(nh, via);
	rtnl_route_add_nexthop(rt, nh);		/* rt owns nh now */
	nl_addr_put(dst);
	nl_addr_put(via);
	return (rt);
}

static int
route_add(void *arg, int oif, struct in_addr gw)
{
	struct nl_sock		*sk = arg;
	struct rtnl_route	*rt;
	int			 r;

	if ((rt = route_build(oif, gw, 0)) == NULL)
		return (-ENOMEM);
	r = rtnl_route_add(sk, rt, NLM_F_EXCL);
	rtnl_route_put(rt);
	log_debug("%s: default via %s dev %d: %d", __func__, inet_ntoa(gw),
	    oif, r);
	return (r < 0 ? netlink_errno(r) : 0);
}

static int
route_del(void *arg, const struct ks_route *kr)
{
	struct nl_sock		*sk = arg;
	struct rtnl_route	*rt;
	struct nl_addr		*dst;
	int			 r;

	if ((rt = route_build(kr->oif, kr->gw, kr->metric)) == NULL)
		return (-ENOMEM);
	if (kr->plen != 0) {
		if ((dst = nl_addr_build(AF_INET, &kr->dst,
		    sizeof(kr->dst))) == NULL) {
			rtnl_route_put(rt);
			return (-ENOMEM);
		}
		nl_addr_set_prefixlen(dst, kr->plen);
		rtnl_route_set_dst(rt, dst);
		nl_addr_put(dst);
	}
	r = rtnl_route_delete(sk, rt, 0);
	rtnl_route_put(rt);
	log_debug("%s: via %s dev %d: %d", __func__, inet_ntoa(kr->gw),
	    kr->oif, r);
	return (r < 0 ? netlink_errno(r) : 0);
}

/* The real kernel interface; the caller sets .arg to its request socket. */
const struct reconcile_ops kernel_ops_template = {
	link_up, addr_add, addr_del, route_add, route_del, NULL
};
