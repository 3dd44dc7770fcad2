/*
 * SPDX-License-Identifier: ISC
 *
 * proxy.c: proxy ARP for the [arp] proxy addresses and ranges.  Owns the
 * expanded, sorted proxy set and its reconciliation with the kernel's
 * proxy (pneigh) table on the LAN interface.  The kernel answers for a
 * proxy entry only when the target's route leaves through another
 * interface, and it sends no netlink event when proxy entries come or go,
 * so arpd owns every proxy entry on the LAN interface: it dumps them
 * (RTM_GETNEIGH with NTF_PROXY), adds what is missing and removes what is
 * not configured.  For a proxied address whose route is the LAN itself,
 * wire.c answers from userspace; proxy_answer_here() decides which.
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf.h"
#include "log.h"
#include "state.h"
#include "arpd.h"

#define ROUTE_RECHECK_MS	2000
#define PROXY_DUMP_MAX		4096

static int
cmp_addr(const void *x, const void *y)
{
	uint32_t a = ntohl(((const struct proxy_addr *)x)->addr.s_addr);
	uint32_t b = ntohl(((const struct proxy_addr *)y)->addr.s_addr);

	return (a < b ? -1 : a > b);
}

/* Expand the configured ranges into the sorted proxy set. */
int
proxy_load(struct arpd *a)
{
	struct proxy_addr	*set;
	size_t			 n = 0, i, kept;
	unsigned int		 k;
	uint64_t		 first, last, v;

	if ((set = calloc(ARPD_PROXY_MAX, sizeof(*set))) == NULL)
		return (-ENOMEM);
	for (k = 0; k < a->conf->arp.nproxy; k++) {
		const struct hgw_prefix4 *p = &a->conf->arp.proxy[k];

		first = ntohl(p->addr.s_addr & addr_mask4(p->plen));
		last = first + (1ULL << (32 - p->plen)) - 1;
		for (v = first; v <= last; v++) {
			if (n >= ARPD_PROXY_MAX) {
				log_warnx("more than %d proxy addresses, "
				    "ignoring the rest", ARPD_PROXY_MAX);
				goto done;
			}
			set[n].addr.s_addr = htonl((uint32_t)v);
			n++;
		}
	}
done:
	qsort(set, n, sizeof(*set), cmp_addr);
	/* Drop duplicates from overlapping ranges. */
	for (i = 0, kept = 0; i < n; i++)
		if (kept == 0 ||
		    set[i].addr.s_addr != set[kept - 1].addr.s_addr)
			set[kept++] = set[i];
	free(a->proxies);
	a->proxies = set;
	a->nproxies = kept;
	return (0);
}

/* The proxy entry for an address, or NULL. */
struct proxy_addr *
proxy_find(struct arpd *a, struct in_addr addr)
{
	struct proxy_addr key;

	if (a->nproxies == 0)
		return (NULL);
	key.addr = addr;
	return (bsearch(&key, a->proxies, a->nproxies, sizeof(key), cmp_addr));
}

/*
 * Should userspace answer for p?  Only when the route to it is the LAN
 * interface: otherwise the kernel's proxy entry answers.  The route is
 * looked up again after ROUTE_RECHECK_MS, so a route added or removed
 * later switches the responder within seconds.
 */
int
proxy_answer_here(struct arpd *a, struct proxy_addr *p)
{
	int64_t	 now = state_now_ms();
	int	 oif = 0;

	if (p->checked_ms == 0 || now - p->checked_ms >= ROUTE_RECHECK_MS) {
		if (kernel_route_oif(a->nl, p->addr, &oif) < 0)
			oif = 0;
		p->oif = oif;
		p->checked_ms = now;
	}
	return (p->oif == a->ifindex);
}

struct dump {
	struct in_addr	*addrs;
	size_t		 n;
	int		 ifindex;
};

static void
dump_cb(const struct kernel_neigh *k, void *arg)
{
	struct dump *d = arg;

	if (k->ifindex != d->ifindex || d->n >= PROXY_DUMP_MAX)
		return;
	d->addrs[d->n++] = k->addr;
}

/* Make the kernel's proxy entries on the LAN interface our set exactly. */
void
proxy_reconcile(struct arpd *a)
{
	struct dump	 d = { NULL, 0, a->ifindex };
	char		 buf[INET_ADDRSTRLEN];
	size_t		 i, j;
	int		 r, added = 0, removed = 0, found;

	if ((d.addrs = calloc(PROXY_DUMP_MAX, sizeof(*d.addrs))) == NULL)
		return;
	if ((r = kernel_neigh_dump(a->nl, 1, dump_cb, &d)) < 0) {
		log_warnx("proxy table dump failed (%s), will retry",
		    strerror(-r));
		a->kernel_errors++;
		goto out;
	}
	for (i = 0; i < a->nproxies; i++) {
		a->proxies[i].checked_ms = 0;	/* recheck routes too */
		for (j = 0, found = 0; j < d.n && !found; j++)
			found = d.addrs[j].s_addr == a->proxies[i].addr.s_addr;
		if (found)
			continue;
		if ((r = kernel_proxy_add(a->nl, a->ifindex,
		    a->proxies[i].addr)) < 0) {
			log_warnx("cannot add proxy entry %s: %s, will retry",
			    addr_fmt_ip4(a->proxies[i].addr, buf),
			    strerror(-r));
			a->kernel_errors++;
		} else
			added++;
	}
	for (j = 0; j < d.n; j++) {
		if (proxy_find(a, d.addrs[j]) != NULL)
			continue;
		if ((r = kernel_proxy_del(a->nl, a->ifindex, d.addrs[j])) < 0) {
			log_warnx("cannot remove proxy entry %s: %s",
			    addr_fmt_ip4(d.addrs[j], buf), strerror(-r));
			a->kernel_errors++;
		} else
			removed++;
	}
	if (added > 0 || removed > 0) {
		log_info("proxy entries on \"%s\": %d added, %d removed",
		    a->ifname, added, removed);
		publish_live_dirty(a);
	}
out:
	free(d.addrs);
}

/* Remove every proxy entry we own (at stop) and free the set. */
void
proxy_clear(struct arpd *a)
{
	size_t	 i;

	for (i = 0; i < a->nproxies; i++)
		(void)kernel_proxy_del(a->nl, a->ifindex, a->proxies[i].addr);
	free(a->proxies);
	a->proxies = NULL;
	a->nproxies = 0;
}
