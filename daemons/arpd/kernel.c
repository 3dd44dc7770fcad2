/*
 * SPDX-License-Identifier: ISC
 *
 * kernel.c: arpd's only door to the kernel's neighbour and routing
 * tables.  Every neighbour dump, change and route lookup arpd makes goes
 * through a function here, on the plain request socket; policy lives in
 * mirror.c and proxy.c.  Messages from the kernel are parsed with their
 * lengths checked and anything that is not IPv4 is refused.
 */
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <errno.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/addr.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "log.h"
#include "netlink.h"
#include "arpd.h"

/* Parse an RTM_NEWNEIGH/RTM_DELNEIGH message into k. */
int
kernel_neigh_parse(struct nl_msg *msg, struct kernel_neigh *ret)
{
	struct nlmsghdr		*nlh = nlmsg_hdr(msg);
	struct ndmsg		*ndm;
	struct rtnl_neigh	*n = NULL;
	struct nl_addr		*dst, *ll;
	struct kernel_neigh	 k;
	int			 r = -EINVAL;

	if (nlh->nlmsg_type != RTM_NEWNEIGH && nlh->nlmsg_type != RTM_DELNEIGH)
		return (-ENOENT);
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ndm)))
		return (-EINVAL);
	ndm = nlmsg_data(nlh);
	/* Bridge FDB entries (AF_BRIDGE) share RTNLGRP_NEIGH: skip early. */
	if (ndm->ndm_family != AF_INET)
		return (-ENOENT);
	if (rtnl_neigh_parse(nlh, &n) < 0)
		return (-EINVAL);
	memset(&k, 0, sizeof(k));
	k.family = AF_INET;
	k.deleted = nlh->nlmsg_type == RTM_DELNEIGH;
	k.ifindex = rtnl_neigh_get_ifindex(n);
	k.state = rtnl_neigh_get_state(n);
	k.flags = (int)rtnl_neigh_get_flags(n);
	if ((dst = rtnl_neigh_get_dst(n)) == NULL ||
	    nl_addr_get_family(dst) != AF_INET ||
	    nl_addr_get_len(dst) != sizeof(k.addr))
		goto out;
	memcpy(&k.addr, nl_addr_get_binary_addr(dst), sizeof(k.addr));
	if ((ll = rtnl_neigh_get_lladdr(n)) != NULL &&
	    nl_addr_get_len(ll) == ADDR_MAC_LEN) {
		memcpy(k.mac, nl_addr_get_binary_addr(ll), ADDR_MAC_LEN);
		k.has_mac = 1;
	}
	if (k.state < 0)
		k.state = 0;
	*ret = k;
	r = 0;
out:
	rtnl_neigh_put(n);
	return (r);
}

struct dump_arg {
	void	(*cb)(const struct kernel_neigh *, void *);
	void	*arg;
	int	 proxy;
};

static int
dump_valid_cb(struct nl_msg *msg, void *arg)
{
	struct dump_arg		*da = arg;
	struct kernel_neigh	 k;

	if (kernel_neigh_parse(msg, &k) == 0) {
		/* A proxy dump marks its entries; a normal one has none. */
		if (da->proxy)
			k.flags |= NTF_PROXY;
		da->cb(&k, da->arg);
	}
	return (NL_OK);
}

/*
 * Dump the IPv4 neighbour table, or the proxy (pneigh) table when proxy
 * is set.  rtnl_neigh_alloc_cache() never lists proxy entries; the kernel
 * returns them only for a dump request whose ndmsg has NTF_PROXY.
 */
int
kernel_neigh_dump(struct nl_sock *sk, int proxy,
    void (*cb)(const struct kernel_neigh *, void *), void *arg)
{
	struct ndmsg	 ndm;
	struct dump_arg	 da = { cb, arg, proxy };
	struct nl_cb	*nlcb;
	int		 r;

	memset(&ndm, 0, sizeof(ndm));
	ndm.ndm_family = AF_INET;
	if (proxy)
		ndm.ndm_flags = NTF_PROXY;
	if ((r = nl_send_simple(sk, RTM_GETNEIGH, NLM_F_DUMP, &ndm,
	    sizeof(ndm))) < 0)
		return (netlink_errno(r));
	if ((nlcb = nl_cb_alloc(NL_CB_DEFAULT)) == NULL)
		return (-ENOMEM);
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, dump_valid_cb, &da);
	r = nl_recvmsgs(sk, nlcb);
	nl_cb_put(nlcb);
	return (r < 0 ? netlink_errno(r) : 0);
}

static struct rtnl_neigh *
neigh_new(int ifindex, struct in_addr a)
{
	struct rtnl_neigh	*n;
	struct nl_addr		*dst;

	if ((n = rtnl_neigh_alloc()) == NULL)
		return (NULL);
	if ((dst = nl_addr_build(AF_INET, &a, sizeof(a))) == NULL) {
		rtnl_neigh_put(n);
		return (NULL);
	}
	rtnl_neigh_set_family(n, AF_INET);
	rtnl_neigh_set_ifindex(n, ifindex);
	rtnl_neigh_set_dst(n, dst);
	nl_addr_put(dst);
	return (n);
}

/* Add or replace a neighbour entry with a MAC and a NUD state. */
int
kernel_neigh_set(struct nl_sock *sk, int ifindex, struct in_addr a,
    const uint8_t mac[ADDR_MAC_LEN], int state)
{
	struct rtnl_neigh	*n;
	struct nl_addr		*ll;
	int			 r;

	if ((n = neigh_new(ifindex, a)) == NULL)
		return (-ENOMEM);
	if ((ll = nl_addr_build(AF_LLC, mac, ADDR_MAC_LEN)) == NULL) {
		rtnl_neigh_put(n);
		return (-ENOMEM);
	}
	rtnl_neigh_set_lladdr(n, ll);
	nl_addr_put(ll);
	rtnl_neigh_set_state(n, state);
	r = rtnl_neigh_add(sk, n, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_neigh_put(n);
	return (r < 0 ? netlink_errno(r) : 0);
}

/* Add a proxy entry (the same as "ip neigh add proxy ADDR dev IF"). */
int
kernel_proxy_add(struct nl_sock *sk, int ifindex, struct in_addr a)
{
	struct rtnl_neigh	*n;
	int			 r;

	if ((n = neigh_new(ifindex, a)) == NULL)
		return (-ENOMEM);
	rtnl_neigh_set_flags(n, NTF_PROXY);
	r = rtnl_neigh_add(sk, n, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_neigh_put(n);
	return (r < 0 ? netlink_errno(r) : 0);
}

/* Delete a proxy entry; it takes NTF_PROXY on the request. */
int
kernel_proxy_del(struct nl_sock *sk, int ifindex, struct in_addr a)
{
	struct rtnl_neigh	*n;
	int			 r;

	if ((n = neigh_new(ifindex, a)) == NULL)
		return (-ENOMEM);
	rtnl_neigh_set_flags(n, NTF_PROXY);
	r = rtnl_neigh_delete(sk, n, 0);
	rtnl_neigh_put(n);
	return (r < 0 ? netlink_errno(r) : 0);
}

/*
 * proxy_delay defaults to 80 jiffies, a random wait of up to 0.8 s before
 * the kernel answers for a proxy entry.  Setting it through the
 * neighbour-table parameters (RTM_SETNEIGHTBL for "arp_cache", with the
 * interface's index) needs only CAP_NET_ADMIN, not a writable /proc/sys.
 */
int
kernel_proxy_delay_zero(struct nl_sock *sk, int ifindex)
{
	struct ndtmsg	 ndtm;
	struct nl_msg	*msg;
	struct nlattr	*parms;
	int		 r;

	if ((msg = nlmsg_alloc_simple(RTM_SETNEIGHTBL, 0)) == NULL)
		return (-ENOMEM);
	memset(&ndtm, 0, sizeof(ndtm));
	ndtm.ndtm_family = AF_INET;
	if (nlmsg_append(msg, &ndtm, sizeof(ndtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, NDTA_NAME, "arp_cache") < 0 ||
	    (parms = nla_nest_start(msg, NDTA_PARMS)) == NULL ||
	    nla_put_u32(msg, NDTPA_IFINDEX, (uint32_t)ifindex) < 0 ||
	    nla_put_u64(msg, NDTPA_PROXY_DELAY, 0) < 0) {
		nlmsg_free(msg);
		return (-ENOMEM);
	}
	nla_nest_end(msg, parms);
	r = nl_send_sync(sk, msg);	/* frees msg */
	return (r < 0 ? netlink_errno(r) : 0);
}

/* Ask the kernel which interface a packet to a would leave through. */
int
kernel_route_oif(struct nl_sock *sk, struct in_addr a, int *ret_ifindex)
{
	struct nl_addr		*dst;
	struct rtnl_route	*route = NULL;
	struct rtnl_nexthop	*nh;
	int			 r;

	if ((dst = nl_addr_build(AF_INET, &a, sizeof(a))) == NULL)
		return (-ENOMEM);
	r = rtnl_route_lookup(sk, dst, &route);
	nl_addr_put(dst);
	if (r < 0)
		return (netlink_errno(r));
	if (rtnl_route_get_nnexthops(route) < 1 ||
	    (nh = rtnl_route_nexthop_n(route, 0)) == NULL) {
		rtnl_route_put(route);
		return (-ENOENT);
	}
	*ret_ifindex = rtnl_route_nh_get_ifindex(nh);
	rtnl_route_put(route);
	return (0);
}

/* Index and hardware address of the interface called ifname. */
int
kernel_link_get(struct nl_sock *sk, const char *ifname, int *ret_ifindex,
    uint8_t ret_mac[ADDR_MAC_LEN])
{
	struct rtnl_link	*link = NULL;
	struct nl_addr		*ll;
	int			 r;

	if ((r = rtnl_link_get_kernel(sk, 0, ifname, &link)) < 0)
		return (netlink_errno(r));
	if ((ll = rtnl_link_get_addr(link)) == NULL ||
	    nl_addr_get_len(ll) != ADDR_MAC_LEN) {
		rtnl_link_put(link);
		return (-EPROTO);
	}
	*ret_ifindex = rtnl_link_get_ifindex(link);
	memcpy(ret_mac, nl_addr_get_binary_addr(ll), ADDR_MAC_LEN);
	rtnl_link_put(link);
	return (0);
}
