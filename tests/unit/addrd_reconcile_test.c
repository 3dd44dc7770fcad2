/*
 * SPDX-License-Identifier: ISC
 *
 * addrd_reconcile_test.c: the addrd reconcile diff against a recording
 * fake of the kernel interface.  Each case builds a kernel snapshot and a
 * wanted state, runs one pass and compares the requests made, in order,
 * with the expected text, plus the statuses reported.
 */
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "addrd.h"
#include "../tap.h"

struct fake {
	char	 log[2048];
	char	 fail_op[32];	/* first word of the op to fail */
	int	 fail_err;
};

static void
fake_record(struct fake *f, const char *op, const char *text)
{
	size_t	 len = strlen(f->log);

	snprintf(f->log + len, sizeof(f->log) - len, "%s%s %s",
	    len ? "; " : "", op, text);
}

static int
fake_result(struct fake *f, const char *op)
{
	return (strcmp(f->fail_op, op) == 0 ? f->fail_err : 0);
}

static int
fake_link_up(void *arg, const struct ks_link *l)
{
	fake_record(arg, "up", l->name);
	return (fake_result(arg, "up"));
}

static int
fake_addr_add(void *arg, int ifindex, struct in_addr a, int plen)
{
	char	 buf[64];

	snprintf(buf, sizeof(buf), "%d %s/%d", ifindex, inet_ntoa(a), plen);
	fake_record(arg, "add", buf);
	return (fake_result(arg, "add"));
}

static int
fake_addr_del(void *arg, const struct ks_addr *a)
{
	char	 buf[64];

	snprintf(buf, sizeof(buf), "%d %s/%d", a->ifindex, inet_ntoa(a->addr),
	    a->plen);
	fake_record(arg, "del", buf);
	return (fake_result(arg, "del"));
}

static int
fake_route_add(void *arg, int oif, struct in_addr gw)
{
	char	 buf[64];

	snprintf(buf, sizeof(buf), "default via %s dev %d", inet_ntoa(gw),
	    oif);
	fake_record(arg, "route-add", buf);
	return (fake_result(arg, "route-add"));
}

static int
fake_route_del(void *arg, const struct ks_route *rt)
{
	char	 buf[64];

	snprintf(buf, sizeof(buf), "default via %s dev %d", inet_ntoa(rt->gw),
	    rt->oif);
	fake_record(arg, "route-del", buf);
	return (fake_result(arg, "route-del"));
}

static struct fake	 fk;
static const struct reconcile_ops fake_ops = {
	fake_link_up, fake_addr_add, fake_addr_del, fake_route_add,
	fake_route_del, &fk
};

static struct in_addr
ip(const char *s)
{
	struct in_addr	 a;

	inet_pton(AF_INET, s, &a);
	return (a);
}

static void
ks_link(struct kstate *ks, int ifindex, const char *name, int up)
{
	struct ks_link	*l = &ks->links[ks->nlinks++];

	memset(l, 0, sizeof(*l));
	l->ifindex = ifindex;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->flags = up ? IFF_UP : 0;
}

static void
ks_addr(struct kstate *ks, int ifindex, const char *a, int plen, int proto)
{
	struct ks_addr	*x = &ks->addrs[ks->naddrs++];

	x->ifindex = ifindex;
	x->addr = ip(a);
	x->plen = plen;
	x->proto = proto;
}

static void
ks_route(struct kstate *ks, int oif, const char *gw, int proto, int metric)
{
	struct ks_route	*r = &ks->routes[ks->nroutes++];

	memset(r, 0, sizeof(*r));
	r->oif = oif;
	r->gw = ip(gw);
	r->proto = proto;
	r->table = RT_TABLE_MAIN;
	r->metric = metric;
}

/* The lab's config: br-lan 192.168.50.1/24, wan0 203.0.113.2/24 via .1. */
static void
lab_want(struct want *w)
{
	static struct hgw_conf	 c;

	memset(&c, 0, sizeof(c));
	snprintf(c.lan.ifname, sizeof(c.lan.ifname), "br-lan");
	c.lan.addr = ip("192.168.50.1");
	c.lan.plen = 24;
	snprintf(c.wan.ifname, sizeof(c.wan.ifname), "wan0");
	c.wan.has_addr = 1;
	c.wan.addr = ip("203.0.113.2");
	c.wan.plen = 24;
	c.wan.has_gateway = 1;
	c.wan.gateway = ip("203.0.113.1");
	reconcile_want_from_conf(&c, w);
}

static struct kstate		 ks;
static struct reconcile_result	 res;

static void
run(const struct want *w, int lan_claimed)
{
	int	 claimed[ROLE_MAX] = { lan_claimed, 0 };

	reconcile_run(w, &ks, claimed, &fake_ops, &res);
}

static void
reset(void)
{
	memset(&ks, 0, sizeof(ks));
	memset(&fk, 0, sizeof(fk));
}

int
main(void)
{
	struct want	 w, w2;

	lab_want(&w);
	CHECK(w.addr[ROLE_LAN].set && w.addr[ROLE_LAN].probe);
	CHECK(w.addr[ROLE_WAN].set && !w.addr[ROLE_WAN].probe);
	CHECK(w.has_route && strcmp(w.route_ifname, "wan0") == 0);
	CHECK_STREQ(w.link[ROLE_LAN], "br-lan");

	/* First start: links down, nothing there, LAN not yet probed. */
	reset();
	ks_link(&ks, 1, "lo", 1);
	ks_link(&ks, 2, "br-lan", 0);
	ks_link(&ks, 3, "wan0", 0);
	run(&w, 0);
	CHECK_STREQ(fk.log, "up br-lan; up wan0; add 3 203.0.113.2/24; "
	    "route-add default via 203.0.113.1 dev 3");
	CHECK(res.addr[ROLE_LAN] == ADDR_NEED_PROBE);
	CHECK(res.addr[ROLE_WAN] == ADDR_ADDED);
	CHECK(res.route == ROUTE_ADDED);

	/* Probing done: the LAN address goes on. */
	reset();
	ks_link(&ks, 2, "br-lan", 1);
	ks_link(&ks, 3, "wan0", 1);
	ks_addr(&ks, 3, "203.0.113.2", 24, ADDRD_PROTO);
	ks_route(&ks, 3, "203.0.113.1", ADDRD_PROTO, 0);
	run(&w, 1);
	CHECK_STREQ(fk.log, "add 2 192.168.50.1/24");
	CHECK(res.addr[ROLE_LAN] == ADDR_ADDED);
	CHECK(res.addr[ROLE_WAN] == ADDR_PRESENT);
	CHECK(res.route == ROUTE_PRESENT);

	/* Everything in place: no request at all. */
	ks_addr(&ks, 2, "192.168.50.1", 24, ADDRD_PROTO);
	memset(&fk, 0, sizeof(fk));
	run(&w, 1);
	CHECK_STREQ(fk.log, "");
	CHECK(res.addr[ROLE_LAN] == ADDR_PRESENT && res.removed == 0);

	/* Someone else's addresses and routes are never touched. */
	ks_addr(&ks, 2, "10.9.9.9", 8, 0);
	ks_addr(&ks, 3, "198.51.100.7", 24, 0);
	ks_route(&ks, 3, "203.0.113.254", 0, 100);
	memset(&fk, 0, sizeof(fk));
	run(&w, 1);
	CHECK_STREQ(fk.log, "");

	/* Reload with a changed LAN address: old one out, new one probed. */
	lab_want(&w2);
	w2.addr[ROLE_LAN].addr = ip("192.168.50.2");
	CHECK(!reconcile_want_equal(&w.addr[ROLE_LAN], &w2.addr[ROLE_LAN]));
	CHECK(reconcile_want_equal(&w.addr[ROLE_WAN], &w2.addr[ROLE_WAN]));
	memset(&fk, 0, sizeof(fk));
	run(&w2, 0);
	CHECK_STREQ(fk.log, "del 2 192.168.50.1/24");
	CHECK(res.addr[ROLE_LAN] == ADDR_NEED_PROBE);
	CHECK(res.removed == 1);
	memset(&fk, 0, sizeof(fk));
	run(&w2, 1);
	CHECK_STREQ(fk.log, "del 2 192.168.50.1/24; add 2 192.168.50.2/24");

	/* A changed prefix length on the same address. */
	reset();
	ks_link(&ks, 2, "br-lan", 1);
	ks_addr(&ks, 2, "192.168.50.1", 16, ADDRD_PROTO);
	lab_want(&w2);
	w2.addr[ROLE_WAN].set = 0;
	w2.has_route = 0;
	run(&w2, 1);
	CHECK_STREQ(fk.log, "del 2 192.168.50.1/16; add 2 192.168.50.1/24");

	/* The address on another interface: reported, not added. */
	reset();
	ks_link(&ks, 2, "br-lan", 1);
	ks_link(&ks, 3, "wan0", 1);
	ks_link(&ks, 4, "eth9", 1);
	ks_addr(&ks, 4, "192.168.50.1", 24, 0);
	ks_addr(&ks, 3, "203.0.113.2", 24, ADDRD_PROTO);
	ks_route(&ks, 3, "203.0.113.1", ADDRD_PROTO, 0);
	run(&w, 1);
	CHECK_STREQ(fk.log, "");
	CHECK(res.addr[ROLE_LAN] == ADDR_ELSEWHERE);
	CHECK(res.elsewhere_ifindex[ROLE_LAN] == 4);

	/* Our own address on a wrong interface (moved config): moved. */
	reset();
	ks_link(&ks, 2, "br-lan", 1);
	ks_link(&ks, 4, "eth9", 1);
	ks_addr(&ks, 4, "192.168.50.1", 24, ADDRD_PROTO);
	run(&w2, 1);
	CHECK_STREQ(fk.log, "del 4 192.168.50.1/24; add 2 192.168.50.1/24");

	/* Present but added by someone else: left alone, reported. */
	reset();
	ks_link(&ks, 2, "br-lan", 1);
	ks_addr(&ks, 2, "192.168.50.1", 24, 0);
	run(&w2, 0);
	CHECK_STREQ(fk.log, "");
	CHECK(res.addr[ROLE_LAN] == ADDR_FOREIGN);

	/* Interfaces missing: wait, touch nothing. */
	reset();
	ks_link(&ks, 1, "lo", 1);
	run(&w, 1);
	CHECK_STREQ(fk.log, "");
	CHECK(res.addr[ROLE_LAN] == ADDR_NO_LINK);
	CHECK(res.addr[ROLE_WAN] == ADDR_NO_LINK);
	CHECK(res.route == ROUTE_NO_LINK);

	/* A foreign default route with metric 0 blocks ours. */
	reset();
	ks_link(&ks, 3, "wan0", 1);
	ks_addr(&ks, 3, "203.0.113.2", 24, ADDRD_PROTO);
	ks_route(&ks, 3, "203.0.113.1", 3, 0);
	run(&w, 1);
	CHECK_STREQ(fk.log, "");
	CHECK(res.route == ROUTE_FOREIGN);

	/* A changed gateway: old route of ours out, new one in. */
	reset();
	ks_link(&ks, 3, "wan0", 1);
	ks_addr(&ks, 3, "203.0.113.2", 24, ADDRD_PROTO);
	ks_route(&ks, 3, "203.0.113.9", ADDRD_PROTO, 0);
	run(&w, 1);
	CHECK_STREQ(fk.log, "route-del default via 203.0.113.9 dev 3; "
	    "route-add default via 203.0.113.1 dev 3");

	/* No address covering the gateway yet: the route waits. */
	reset();
	ks_link(&ks, 3, "wan0", 1);
	fk.fail_op[0] = '\0';
	snprintf(fk.fail_op, sizeof(fk.fail_op), "add");
	fk.fail_err = -EPERM;
	run(&w, 1);
	CHECK_STREQ(fk.log, "add 3 203.0.113.2/24");
	CHECK(res.addr[ROLE_WAN] == ADDR_FAILED);
	CHECK(res.addr_err[ROLE_WAN] == -EPERM);
	CHECK(res.route == ROUTE_NO_ADDR);

	/* A link that fails to come up: no route on it. */
	reset();
	ks_link(&ks, 3, "wan0", 0);
	ks_addr(&ks, 3, "203.0.113.2", 24, ADDRD_PROTO);
	snprintf(fk.fail_op, sizeof(fk.fail_op), "up");
	fk.fail_err = -EPERM;
	run(&w, 1);
	CHECK_STREQ(fk.log, "up wan0");
	CHECK(res.link_err[ROLE_WAN] == -EPERM);
	CHECK(res.route == ROUTE_NO_LINK);

	/* No [wan] at all: only the LAN side. */
	reset();
	ks_link(&ks, 2, "br-lan", 1);
	ks_route(&ks, 2, "192.168.50.254", 0, 0);
	memset(&w2, 0, sizeof(w2));
	w2.addr[ROLE_LAN] = w.addr[ROLE_LAN];
	memcpy(w2.link[ROLE_LAN], w.link[ROLE_LAN], IF_NAMESIZE);
	run(&w2, 1);
	CHECK_STREQ(fk.log, "add 2 192.168.50.1/24");
	CHECK(res.addr[ROLE_WAN] == ADDR_UNSET && res.route == ROUTE_UNSET);

	return (tap_done());
}
