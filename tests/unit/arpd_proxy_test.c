/*
 * SPDX-License-Identifier: ISC
 *
 * arpd_proxy_test.c: the proxy set and its reconciliation, without the
 * kernel.  kernel.c is replaced by a recording fake (a proxy table and a
 * routing answer per address), so the test asserts which proxy entries
 * arpd adds and removes and when it answers from userspace.  The real
 * kernel paths run in tests/integration/arpd-proxy.test.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf.h"
#include "state.h"
#include "arpd.h"
#include "tap.h"

#define LAN_IF	3
#define DMZ_IF	7

/* The fake kernel. */
static struct kernel_neigh ktable[64];
static int	nk;
static int	adds, dels, route_calls;
static int64_t	now_ms = 1000;

static struct in_addr
ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return (a);
}

static int
ktable_has(int ifindex, const char *s)
{
	int i;

	for (i = 0; i < nk; i++)
		if (ktable[i].ifindex == ifindex &&
		    ktable[i].addr.s_addr == ip(s).s_addr)
			return (1);
	return (0);
}

int
kernel_neigh_dump(struct nl_sock *sk, int proxy,
    void (*cb)(const struct kernel_neigh *, void *), void *arg)
{
	int i;

	for (i = 0; i < nk; i++)
		cb(&ktable[i], arg);
	return (0);
}

int
kernel_proxy_add(struct nl_sock *sk, int ifindex, struct in_addr a)
{
	if (nk == 64)
		return (-ENOSPC);
	memset(&ktable[nk], 0, sizeof(ktable[nk]));
	ktable[nk].family = AF_INET;
	ktable[nk].ifindex = ifindex;
	ktable[nk].addr = a;
	ktable[nk].flags = 0x08;
	nk++;
	adds++;
	return (0);
}

int
kernel_proxy_del(struct nl_sock *sk, int ifindex, struct in_addr a)
{
	int i;

	for (i = 0; i < nk; i++)
		if (ktable[i].ifindex == ifindex &&
		    ktable[i].addr.s_addr == a.s_addr) {
			ktable[i] = ktable[--nk];
			dels++;
			return (0);
		}
	return (-ENOENT);
}

/* .200-.203 route out of the LAN, .204-.207 out of dmz, .99 nowhere. */
int
kernel_route_oif(struct nl_sock *sk, struct in_addr a, int *ret)
{
	uint32_t last = ntohl(a.s_addr) & 0xff;

	route_calls++;
	if (last == 99)
		return (-ENETUNREACH);
	*ret = last >= 204 ? DMZ_IF : LAN_IF;
	return (0);
}

int64_t
state_now_ms(void)
{
	return (now_ms);
}

void
publish_live_dirty(struct arpd *a)
{
}

static void
set_proxy(struct hgw_conf *conf, const char *const *prefixes, int n)
{
	int i;

	conf->arp.nproxy = 0;
	for (i = 0; i < n; i++) {
		char buf[32], *slash;

		strcpy(buf, prefixes[i]);
		slash = strchr(buf, '/');
		*slash = '\0';
		conf->arp.proxy[i].addr = ip(buf);
		conf->arp.proxy[i].plen = atoi(slash + 1);
		conf->arp.nproxy++;
	}
}

int
main(void)
{
	static const char *const ranges[] = {
		"192.168.1.200/29", "192.168.1.204/32", "192.168.1.99/32"
	};
	static const char *const big[] = { "10.0.0.0/16" };
	static struct hgw_conf conf;
	struct arpd	*a;
	struct proxy_addr *p;
	size_t		 i;

	a = calloc(1, sizeof(*a));
	a->conf = &conf;
	a->ifindex = LAN_IF;
	snprintf(a->ifname, sizeof(a->ifname), "br-lan");

	/* Expansion: a /29 and an overlapping /32, sorted and unique. */
	set_proxy(&conf, ranges, 3);
	CHECK(proxy_load(a) == 0);
	CHECK(a->nproxies == 9);
	for (i = 1; i < a->nproxies; i++)
		CHECK_MSG(ntohl(a->proxies[i - 1].addr.s_addr) <
		    ntohl(a->proxies[i].addr.s_addr), "sorted and unique");
	CHECK(proxy_find(a, ip("192.168.1.200")) != NULL);
	CHECK(proxy_find(a, ip("192.168.1.207")) != NULL);
	CHECK(proxy_find(a, ip("192.168.1.99")) != NULL);
	CHECK(proxy_find(a, ip("192.168.1.208")) == NULL);
	CHECK(proxy_find(a, ip("192.168.1.199")) == NULL);

	/*
	 * Reconcile: the kernel has one of ours, a stray on the LAN and an
	 * entry on another interface, which is not ours to touch.
	 */
	kernel_proxy_add(NULL, LAN_IF, ip("192.168.1.200"));
	kernel_proxy_add(NULL, LAN_IF, ip("192.168.1.100"));
	kernel_proxy_add(NULL, DMZ_IF, ip("192.168.1.50"));
	adds = dels = 0;
	proxy_reconcile(a);
	CHECK(adds == 8);
	CHECK(dels == 1);
	CHECK(!ktable_has(LAN_IF, "192.168.1.100"));
	CHECK(ktable_has(DMZ_IF, "192.168.1.50"));
	for (i = 0; i < a->nproxies; i++) {
		char buf[INET_ADDRSTRLEN];

		CHECK_MSG(ktable_has(LAN_IF, addr_fmt_ip4(a->proxies[i].addr,
		    buf)), "every proxied address has a kernel entry");
	}
	/* Nothing to do the second time. */
	adds = dels = 0;
	proxy_reconcile(a);
	CHECK(adds == 0 && dels == 0);

	/* Who answers: userspace only where the route is the LAN. */
	route_calls = 0;
	p = proxy_find(a, ip("192.168.1.201"));
	CHECK(proxy_answer_here(a, p) == 1);
	p = proxy_find(a, ip("192.168.1.205"));
	CHECK(proxy_answer_here(a, p) == 0);
	p = proxy_find(a, ip("192.168.1.99"));
	CHECK(proxy_answer_here(a, p) == 0);	/* no route: stay quiet */
	CHECK(route_calls == 3);
	/* The route is cached for a while, then looked up again. */
	p = proxy_find(a, ip("192.168.1.201"));
	CHECK(proxy_answer_here(a, p) == 1 && route_calls == 3);
	now_ms += 2500;
	CHECK(proxy_answer_here(a, p) == 1 && route_calls == 4);

	/* A smaller set: reconcile removes what is no longer configured. */
	set_proxy(&conf, ranges + 1, 1);
	CHECK(proxy_load(a) == 0 && a->nproxies == 1);
	adds = dels = 0;
	proxy_reconcile(a);
	CHECK(adds == 0 && dels == 8);
	CHECK(ktable_has(LAN_IF, "192.168.1.204"));

	/* A huge range is capped. */
	set_proxy(&conf, big, 1);
	CHECK(proxy_load(a) == 0 && a->nproxies == ARPD_PROXY_MAX);

	/* Clearing removes our entries from the kernel. */
	set_proxy(&conf, ranges + 1, 1);
	proxy_load(a);
	dels = 0;
	proxy_clear(a);
	CHECK(dels == 1 && a->nproxies == 0 && a->proxies == NULL);
	CHECK(ktable_has(DMZ_IF, "192.168.1.50"));
	free(a);
	return (tap_done());
}
