/*
 * SPDX-License-Identifier: ISC
 *
 * mirror.c: the in-memory mirror of the LAN interface's IPv4 neighbour
 * table.  Owns the dump-then-subscribe cycle (RTNLGRP_NEIGH events, a
 * mark-and-sweep resync after overruns), pinned entries (kept permanent,
 * put back when someone removes or changes them) and priming the kernel
 * from the station history at start.  Every observation of a MAC on an
 * address, from the kernel or from the wire, passes through
 * mirror_observe() into the watch.  Kernel changes go through kernel.c.
 */
#include <sys/queue.h>
#include <sys/time.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "addr.h"
#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "netlink.h"
#include "state.h"
#include "arpd.h"

/* States in which the kernel's MAC for an address is current. */
#define NUD_VALID_MAC	(NUD_REACHABLE | NUD_STALE | NUD_DELAY | \
			    NUD_PROBE | NUD_PERMANENT | NUD_NOARP)

/* The hash bucket of an address. */
struct neigh_list *
mirror_bucket(struct arpd *a, struct in_addr addr)
{
	uint32_t h = ntohl(addr.s_addr);

	h ^= h >> 16;
	h *= 0x45d9f3bU;
	h ^= h >> 16;
	return (&a->neighs[h % ARPD_NEIGH_BUCKETS]);
}

/* Find the mirrored entry for an address. */
struct neigh *
mirror_find(struct arpd *a, struct in_addr addr)
{
	struct neigh *n;

	LIST_FOREACH(n, mirror_bucket(a, addr), entry)
		if (n->addr.s_addr == addr.s_addr)
			return (n);
	return (NULL);
}

static void
neigh_remove(struct arpd *a, struct neigh *n)
{
	LIST_REMOVE(n, entry);
	free(n);
	a->nneighs--;
}

/* Is addr pinned by a [host] section with pin_arp = yes? */
int
mirror_is_pinned(struct arpd *a, struct in_addr addr)
{
	struct hgw_host *h;

	if ((h = conf_host_by_addr(a->conf, addr)) == NULL)
		return (0);
	return (h->pin_arp);
}

/* Feed one sighting of mac on addr to the watch; publish its events. */
void
mirror_observe(struct arpd *a, struct in_addr addr,
    const uint8_t mac[ADDR_MAC_LEN], int gratuitous)
{
	struct watch_obs	 o;
	struct watch_event	 ev[WATCH_KIND_MAX];
	uint64_t		 before = watch_seq(a->watch);
	int			 i, n;

	/* Our own MAC answers for proxied addresses: not a station. */
	if (memcmp(mac, a->mac, ADDR_MAC_LEN) == 0)
		return;
	memset(&o, 0, sizeof(o));
	o.now = state_now();
	o.addr = addr;
	memcpy(o.mac, mac, ADDR_MAC_LEN);
	o.gratuitous = gratuitous;
	n = watch_observe(a->watch, &o, ev, WATCH_KIND_MAX);
	/*
	 * Priming from the kernel after the history was lost: what the
	 * kernel knows now is not news.
	 */
	for (i = 0; i < n && !a->quiet; i++)
		publish_event(a, &ev[i]);
	if (n > 0 || watch_seq(a->watch) != before)
		publish_persist_dirty(a);
}

/*
 * Entries the kernel makes without ARP for multicast and broadcast
 * addresses (NOARP, e.g. 224.0.0.22 once the gateway speaks IGMP) and
 * multicast MACs are no stations: not mirrored, counted or listed.
 */
static int
not_station(const struct kernel_neigh *k)
{
	uint32_t	 a = ntohl(k->addr.s_addr);

	return ((k->state & NUD_NOARP) || IN_MULTICAST(a) ||
	    a == INADDR_BROADCAST || (k->has_mac && (k->mac[0] & 1)));
}

/*
 * Apply one kernel neighbour (from an event or a dump) to the mirror.
 * Returns the entry, or NULL when it was deleted or is not ours.
 */
static struct neigh *
apply(struct arpd *a, const struct kernel_neigh *k)
{
	struct neigh	*n;
	int		 changed = 0;

	if (k->ifindex != a->ifindex || (k->flags & NTF_PROXY))
		return (NULL);
	n = mirror_find(a, k->addr);
	if (k->deleted || k->state == NUD_NONE || not_station(k)) {
		if (n != NULL) {
			neigh_remove(a, n);
			publish_live_dirty(a);
		}
		if (mirror_is_pinned(a, k->addr))
			mirror_pins_schedule(a);
		return (NULL);
	}
	if (n == NULL) {
		if (a->nneighs >= ARPD_NEIGH_MAX) {
			char buf[INET_ADDRSTRLEN];

			log_debug("%s: neighbour mirror full, %s not kept",
			    __func__, addr_fmt_ip4(k->addr, buf));
			return (NULL);
		}
		if ((n = calloc(1, sizeof(*n))) == NULL)
			return (NULL);
		n->addr = k->addr;
		LIST_INSERT_HEAD(mirror_bucket(a, n->addr), n, entry);
		a->nneighs++;
		changed = 1;
	}
	if (n->state != k->state || n->has_mac != k->has_mac ||
	    (k->has_mac && memcmp(n->mac, k->mac, ADDR_MAC_LEN) != 0))
		changed = 1;
	/* A primed entry stays "primed" until the kernel learns something. */
	if (n->primed && (k->state != NUD_STALE || !k->has_mac ||
	    memcmp(n->mac, k->mac, ADDR_MAC_LEN) != 0))
		n->primed = 0;
	n->state = k->state;
	n->has_mac = k->has_mac;
	if (k->has_mac)
		memcpy(n->mac, k->mac, ADDR_MAC_LEN);
	n->gen = a->gen;
	if (changed) {
		n->updated = state_now();
		publish_live_dirty(a);
		if (!n->primed && n->has_mac && (n->state & NUD_VALID_MAC) &&
		    n->state != NUD_PERMANENT)
			mirror_observe(a, n->addr, n->mac, 0);
	}
	if (mirror_is_pinned(a, k->addr)) {
		struct hgw_host *h = conf_host_by_addr(a->conf, k->addr);

		if (n->state != NUD_PERMANENT || !n->has_mac ||
		    memcmp(n->mac, h->mac, ADDR_MAC_LEN) != 0)
			mirror_pins_schedule(a);
	}
	return (n);
}

/*
 * A link event about the LAN interface: its index, or its name (a new
 * interface of that name has a new index).  The ports of a bridge and
 * every other link say nothing to arpd, and need no request to the
 * kernel.
 */
static int
link_is_ours(const struct arpd *a, struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifi;
	struct nlattr	*name;

	if (!nlmsg_valid_hdr(nlh, sizeof(*ifi)))
		return (0);
	ifi = nlmsg_data(nlh);
	if (ifi->ifi_index == a->ifindex)
		return (1);
	name = nlmsg_find_attr(nlh, sizeof(*ifi), IFLA_IFNAME);
	return (name != NULL && nla_len(name) > 0 &&
	    strncmp(nla_data(name), a->ifname, (size_t)nla_len(name)) == 0);
}

static int
event_cb(struct nl_msg *msg, void *arg)
{
	struct arpd		*a = arg;
	struct kernel_neigh	 k;
	struct nlmsghdr		*nlh = nlmsg_hdr(msg);

	if (nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK) {
		if (link_is_ours(a, nlh))
			arpd_link_changed(a);
		return (NL_OK);
	}
	if (kernel_neigh_parse(msg, &k) == 0)
		apply(a, &k);
	return (NL_OK);
}

static void
dump_cb(const struct kernel_neigh *k, void *arg)
{
	apply(arg, k);
}

/*
 * Resync: dump the whole table, mark what is there and sweep what is not.
 * Runs at start and whenever the event socket overran.
 */
void
mirror_resync(struct arpd *a)
{
	struct neigh	*n, *next;
	int		 i, r;

	a->gen++;
	a->resyncs++;
	if ((r = kernel_neigh_dump(a->nl, 0, dump_cb, a)) < 0) {
		log_warnx("neighbour dump failed (%s), keeping the mirror "
		    "as it is", strerror(-r));
		a->kernel_errors++;
		return;
	}
	for (i = 0; i < ARPD_NEIGH_BUCKETS; i++) {
		for (n = LIST_FIRST(&a->neighs[i]); n != NULL; n = next) {
			next = LIST_NEXT(n, entry);
			if (n->gen != a->gen) {
				neigh_remove(a, n);
				publish_live_dirty(a);
			}
		}
	}
	mirror_pins_reconcile(a);
	proxy_reconcile(a);
}

static void
resync_cb(void *arg)
{
	struct arpd *a = arg;

	log_debug("%s: neighbour events lost, resyncing", __func__);
	mirror_resync(a);
}

/* Put every pinned entry back in place if it is missing or different. */
void
mirror_pins_reconcile(struct arpd *a)
{
	struct hgw_host	*h;
	struct neigh	*n;
	char		 buf[INET_ADDRSTRLEN];
	int		 r;

	TAILQ_FOREACH(h, &a->conf->hosts, entry) {
		if (!h->pin_arp)
			continue;
		n = mirror_find(a, h->addr);
		if (n != NULL && n->state == NUD_PERMANENT && n->has_mac &&
		    memcmp(n->mac, h->mac, ADDR_MAC_LEN) == 0)
			continue;
		if ((r = kernel_neigh_set(a->nl, a->ifindex, h->addr, h->mac,
		    NUD_PERMANENT)) < 0) {
			log_warnx("cannot pin %s (host \"%s\"): %s, will retry",
			    addr_fmt_ip4(h->addr, buf), h->name, strerror(-r));
			a->kernel_errors++;
			continue;
		}
		if (a->running) {
			log_info("pinned entry %s (host \"%s\") restored",
			    addr_fmt_ip4(h->addr, buf), h->name);
			a->pin_restores++;
		}
	}
}

static void
pins_cb(evutil_socket_t fd, short events, void *arg)
{
	mirror_pins_reconcile(arg);
}

/*
 * Schedule a pin reconcile shortly, so that the burst of events a delete
 * produces (NEWNEIGH failed, then DELNEIGH) is handled once.
 */
void
mirror_pins_schedule(struct arpd *a)
{
	struct timeval tv = { 0, 100 * 1000 };

	if (a->ev_pins != NULL && !evtimer_pending(a->ev_pins, NULL))
		evtimer_add(a->ev_pins, &tv);
}

struct prime_arg {
	struct arpd	*a;
	int		 n;
};

static void
prime_one(struct in_addr addr, const uint8_t *mac, int64_t last_seen,
    void *arg)
{
	struct prime_arg	*pa = arg;
	struct arpd		*a = pa->a;
	struct neigh		*n;
	char			 buf[INET_ADDRSTRLEN];
	int			 r;

	if (pa->n >= ARPD_PRIME_MAX)
		return;
	if (!addr_in_prefix4(addr, a->conf->lan.addr, a->conf->lan.plen) ||
	    addr.s_addr == a->conf->lan.addr.s_addr ||
	    mirror_find(a, addr) != NULL || mirror_is_pinned(a, addr) ||
	    proxy_find(a, addr) != NULL)
		return;
	if ((r = kernel_neigh_set(a->nl, a->ifindex, addr, mac,
	    NUD_STALE)) < 0) {
		log_debug("%s: %s: %s", __func__, addr_fmt_ip4(addr, buf),
		    strerror(-r));
		return;
	}
	if (a->nneighs < ARPD_NEIGH_MAX &&
	    (n = calloc(1, sizeof(*n))) != NULL) {
		n->addr = addr;
		n->has_mac = 1;
		memcpy(n->mac, mac, ADDR_MAC_LEN);
		n->state = NUD_STALE;
		n->primed = 1;
		n->gen = a->gen;
		n->updated = state_now();
		LIST_INSERT_HEAD(mirror_bucket(a, addr), n, entry);
		a->nneighs++;
	}
	pa->n++;
}

/*
 * Prime the kernel table from history: a stale entry for each recently
 * seen LAN address the kernel does not know yet, so that the first packet
 * to it after a reboot needs no resolution (the kernel still confirms a
 * stale entry before trusting it for long).
 */
void
mirror_prime(struct arpd *a)
{
	struct prime_arg pa = { a, 0 };

	watch_foreach_address(a->watch, prime_one, &pa);
	if (pa.n > 0) {
		log_info("primed %d neighbour entries from station history",
		    pa.n);
		publish_live_dirty(a);
	}
}

/* Rebuild the reserved-address list from the host table and apply it. */
void
mirror_set_reservations(struct arpd *a)
{
	struct watch_reservation *res = NULL;
	struct watch_config	 wc;
	struct hgw_host		*h;
	size_t			 n = 0;

	if (a->conf->nhosts > 0 &&
	    (res = calloc(a->conf->nhosts, sizeof(*res))) == NULL)
		fatal("calloc");
	TAILQ_FOREACH(h, &a->conf->hosts, entry) {
		if (n >= a->conf->nhosts)
			break;
		res[n].addr = h->addr;
		memcpy(res[n].mac, h->mac, ADDR_MAC_LEN);
		n++;
	}
	memset(&wc, 0, sizeof(wc));
	wc.lan_net = a->conf->lan.addr;
	wc.lan_plen = a->conf->lan.plen;
	wc.reserved = res;
	wc.nreserved = n;
	wc.max_stations = a->conf->arp.max_stations;
	wc.storm_threshold = a->conf->arp.storm_threshold;
	wc.flip_flop_window = ARPD_FLIPFLOP_WINDOW;
	wc.repeat_interval = ARPD_REPEAT_INTERVAL;
	if (a->watch == NULL) {
		if ((a->watch = watch_new(&wc)) == NULL)
			fatal("watch_new");
	} else
		watch_set_config(a->watch, &wc);
	free(a->reserved);
	a->reserved = res;
	a->nreserved = n;
}

/* Subscribe to neighbour events, then dump the table. */
int
mirror_start(struct arpd *a)
{
	/* Links too: the LAN interface may be deleted and created again. */
	static const int groups[] = { RTNLGRP_NEIGH, RTNLGRP_LINK };
	int		 i;

	for (i = 0; i < ARPD_NEIGH_BUCKETS; i++)
		LIST_INIT(&a->neighs[i]);
	if ((a->ev_pins = evtimer_new(a->d->base, pins_cb, a)) == NULL)
		return (-ENOMEM);
	/* Subscribe first, so nothing falls between the dump and events. */
	a->nlw = netlink_watch_new(a->d->base, NETLINK_ROUTE, groups, 2,
	    NETLINK_WATCH_RCVBUF, event_cb, resync_cb, 1000, a);
	if (a->nlw == NULL)
		return (-errno);
	mirror_resync(a);
	return (0);
}

/* Free the mirror and its netlink watch. */
void
mirror_stop(struct arpd *a)
{
	struct neigh	*n;
	int		 i;

	netlink_watch_free(a->nlw);
	a->nlw = NULL;
	if (a->ev_pins != NULL)
		event_free(a->ev_pins);
	a->ev_pins = NULL;
	for (i = 0; i < ARPD_NEIGH_BUCKETS; i++)
		while ((n = LIST_FIRST(&a->neighs[i])) != NULL)
			neigh_remove(a, n);
}
