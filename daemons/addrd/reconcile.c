/*
 * SPDX-License-Identifier: ISC
 *
 * reconcile.c: the policy of homegw-addrd.  Compares what the config
 * wants (struct want) with a snapshot of the kernel (struct kstate) and
 * asks struct reconcile_ops for the changes that close the gap: bring the
 * wanted links up, remove addresses and routes of ours that are no longer
 * wanted, add wanted addresses that are missing (only once RFC 5227
 * probing has claimed them, where the want says so) and the default
 * route.  Pure: no I/O, no logging, no clock; the caller logs from the
 * result.  It never touches an address or route that does not carry our
 * protocol marker (ADDRD_PROTO).
 */
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/rtnetlink.h>

#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "addrd.h"

#define COPY_NAME(dst, src)	snprintf((dst), sizeof(dst), "%s", (src))

/* Build the wanted state from a config. */
void
reconcile_want_from_conf(const struct hgw_conf *conf, struct want *w)
{
	struct want_addr	*wa;

	memset(w, 0, sizeof(*w));
	if (conf->lan.ifname[0] != '\0') {
		COPY_NAME(w->link[ROLE_LAN], conf->lan.ifname);
		if (conf->lan.addr.s_addr != INADDR_ANY) {
			wa = &w->addr[ROLE_LAN];
			wa->set = 1;
			COPY_NAME(wa->ifname, conf->lan.ifname);
			wa->addr = conf->lan.addr;
			wa->plen = conf->lan.plen;
			wa->probe = 1;
		}
	}
	if (conf->wan.ifname[0] != '\0') {
		COPY_NAME(w->link[ROLE_WAN], conf->wan.ifname);
		if (conf->wan.has_addr) {
			wa = &w->addr[ROLE_WAN];
			wa->set = 1;
			COPY_NAME(wa->ifname, conf->wan.ifname);
			wa->addr = conf->wan.addr;
			wa->plen = conf->wan.plen;
		}
		if (conf->wan.has_gateway) {
			w->has_route = 1;
			COPY_NAME(w->route_ifname, conf->wan.ifname);
			w->route_gw = conf->wan.gateway;
		}
	}
}

/* Non-zero when two wanted addresses are the same (reload diff). */
int
reconcile_want_equal(const struct want_addr *a, const struct want_addr *b)
{
	if (a->set != b->set)
		return (0);
	if (!a->set)
		return (1);
	return (strcmp(a->ifname, b->ifname) == 0 &&
	    a->addr.s_addr == b->addr.s_addr && a->plen == b->plen &&
	    a->probe == b->probe);
}

/* The link called name in the snapshot, or NULL. */
const struct ks_link *
reconcile_link_by_name(const struct kstate *ks, const char *name)
{
	int	 i;

	if (name[0] == '\0')
		return (NULL);
	for (i = 0; i < ks->nlinks; i++)
		if (strcmp(ks->links[i].name, name) == 0)
			return (&ks->links[i]);
	return (NULL);
}

/* The link with this index in the snapshot, or NULL. */
const struct ks_link *
reconcile_link_by_index(const struct kstate *ks, int ifindex)
{
	int	 i;

	for (i = 0; i < ks->nlinks; i++)
		if (ks->links[i].ifindex == ifindex)
			return (&ks->links[i]);
	return (NULL);
}

static int
wanted_addr(const struct want *w, const struct kstate *ks,
    const struct ks_addr *a)
{
	const struct ks_link	*l;
	int			 r;

	for (r = 0; r < ROLE_MAX; r++) {
		if (!w->addr[r].set)
			continue;
		if ((l = reconcile_link_by_name(ks, w->addr[r].ifname)) == NULL)
			continue;
		if (l->ifindex == a->ifindex &&
		    w->addr[r].addr.s_addr == a->addr.s_addr &&
		    w->addr[r].plen == a->plen)
			return (1);
	}
	return (0);
}

static int
wanted_route(const struct want *w, const struct kstate *ks,
    const struct ks_route *rt)
{
	const struct ks_link	*l;

	if (!w->has_route)
		return (0);
	if ((l = reconcile_link_by_name(ks, w->route_ifname)) == NULL)
		return (0);
	return (rt->plen == 0 && rt->table == RT_TABLE_MAIN &&
	    rt->oif == l->ifindex && rt->gw.s_addr == w->route_gw.s_addr &&
	    rt->metric == 0);
}

static void
links_up(const struct want *w, const struct kstate *ks,
    const struct reconcile_ops *ops, struct reconcile_result *res,
    int up[ROLE_MAX])
{
	const struct ks_link	*l;
	int			 r, k, dup;

	for (r = 0; r < ROLE_MAX; r++) {
		up[r] = 0;
		if ((l = reconcile_link_by_name(ks, w->link[r])) == NULL)
			continue;
		if (l->flags & IFF_UP) {
			up[r] = 1;
			continue;
		}
		/* LAN and WAN on one interface: one request is enough. */
		for (dup = 0, k = 0; k < r; k++)
			if (strcmp(w->link[k], w->link[r]) == 0)
				dup = 1;
		if (dup) {
			up[r] = up[0];
			res->link_err[r] = res->link_err[0];
			continue;
		}
		res->link_err[r] = ops->link_up(ops->arg, l);
		up[r] = res->link_err[r] == 0;
	}
}

static void
remove_stale(const struct want *w, const struct kstate *ks,
    const struct reconcile_ops *ops, struct reconcile_result *res)
{
	int	 i, rv;

	for (i = 0; i < ks->naddrs; i++) {
		if (ks->addrs[i].proto != ADDRD_PROTO ||
		    wanted_addr(w, ks, &ks->addrs[i]))
			continue;
		res->removed++;
		if ((rv = ops->addr_del(ops->arg, &ks->addrs[i])) < 0)
			res->remove_err = rv;
	}
	for (i = 0; i < ks->nroutes; i++) {
		if (ks->routes[i].proto != ADDRD_PROTO ||
		    wanted_route(w, ks, &ks->routes[i]))
			continue;
		res->removed++;
		if ((rv = ops->route_del(ops->arg, &ks->routes[i])) < 0)
			res->remove_err = rv;
	}
}

static void
apply_addr(const struct want *w, const struct kstate *ks, int role,
    int claimed, const struct reconcile_ops *ops,
    struct reconcile_result *res)
{
	const struct want_addr	*wa = &w->addr[role];
	const struct ks_link	*l;
	const struct ks_addr	*a;
	int			 i;

	if (!wa->set) {
		res->addr[role] = ADDR_UNSET;
		return;
	}
	if ((l = reconcile_link_by_name(ks, wa->ifname)) == NULL) {
		res->addr[role] = ADDR_NO_LINK;
		return;
	}
	res->addr_ifindex[role] = l->ifindex;
	for (i = 0; i < ks->naddrs; i++) {
		a = &ks->addrs[i];
		if (a->addr.s_addr != wa->addr.s_addr)
			continue;
		if (a->ifindex == l->ifindex && a->plen == wa->plen) {
			res->addr[role] = a->proto == ADDRD_PROTO ?
			    ADDR_PRESENT : ADDR_FOREIGN;
			return;
		}
	}
	for (i = 0; i < ks->naddrs; i++) {
		a = &ks->addrs[i];
		if (a->addr.s_addr != wa->addr.s_addr)
			continue;
		/* Ours and unwanted: remove_stale() just took it away. */
		if (a->proto == ADDRD_PROTO)
			continue;
		res->addr[role] = ADDR_ELSEWHERE;
		res->elsewhere_ifindex[role] = a->ifindex;
		res->elsewhere_plen[role] = a->plen;
		return;
	}
	if (wa->probe && !claimed) {
		res->addr[role] = ADDR_NEED_PROBE;
		return;
	}
	res->addr_err[role] = ops->addr_add(ops->arg, l->ifindex, wa->addr,
	    wa->plen);
	res->addr[role] = res->addr_err[role] == 0 ? ADDR_ADDED : ADDR_FAILED;
}

static int
on_link(const struct want *w, const struct kstate *ks,
    const struct reconcile_result *res, int ifindex)
{
	int	 i, r;

	for (r = 0; r < ROLE_MAX; r++)
		if (res->addr[r] == ADDR_ADDED &&
		    res->addr_ifindex[r] == ifindex &&
		    addr_in_prefix4(w->route_gw, w->addr[r].addr,
		    w->addr[r].plen))
			return (1);
	for (i = 0; i < ks->naddrs; i++)
		if (ks->addrs[i].ifindex == ifindex &&
		    addr_in_prefix4(w->route_gw, ks->addrs[i].addr,
		    ks->addrs[i].plen) &&
		    (ks->addrs[i].proto != ADDRD_PROTO ||
		    wanted_addr(w, ks, &ks->addrs[i])))
			return (1);
	return (0);
}

static void
apply_route(const struct want *w, const struct kstate *ks, int link_up,
    const struct reconcile_ops *ops, struct reconcile_result *res)
{
	const struct ks_link	*l;
	const struct ks_route	*rt;
	int			 i;

	if (!w->has_route) {
		res->route = ROUTE_UNSET;
		return;
	}
	if ((l = reconcile_link_by_name(ks, w->route_ifname)) == NULL ||
	    !link_up) {
		res->route = ROUTE_NO_LINK;
		return;
	}
	for (i = 0; i < ks->nroutes; i++) {
		rt = &ks->routes[i];
		if (rt->proto == ADDRD_PROTO && wanted_route(w, ks, rt)) {
			res->route = ROUTE_PRESENT;
			return;
		}
	}
	for (i = 0; i < ks->nroutes; i++) {
		rt = &ks->routes[i];
		if (rt->proto != ADDRD_PROTO && rt->plen == 0 &&
		    rt->table == RT_TABLE_MAIN && rt->metric == 0) {
			res->route = ROUTE_FOREIGN;
			return;
		}
	}
	if (!on_link(w, ks, res, l->ifindex)) {
		res->route = ROUTE_NO_ADDR;
		return;
	}
	res->route_err = ops->route_add(ops->arg, l->ifindex, w->route_gw);
	res->route = res->route_err == 0 ? ROUTE_ADDED : ROUTE_FAILED;
}

/*
 * One pass: links up, stale removed, missing added.  claimed[role] says
 * that ACD has claimed the address (or that it was ours already), so it
 * may be added without probing.
 */
void
reconcile_run(const struct want *w, const struct kstate *ks,
    const int claimed[ROLE_MAX], const struct reconcile_ops *ops,
    struct reconcile_result *res)
{
	int	 up[ROLE_MAX], r, route_role;

	memset(res, 0, sizeof(*res));
	links_up(w, ks, ops, res, up);
	remove_stale(w, ks, ops, res);
	for (r = 0; r < ROLE_MAX; r++)
		apply_addr(w, ks, r, claimed[r], ops, res);
	route_role = ROLE_WAN;
	for (r = 0; r < ROLE_MAX; r++)
		if (strcmp(w->link[r], w->route_ifname) == 0)
			route_role = r;
	apply_route(w, ks, up[route_role], ops, res);
}
