/*
 * SPDX-License-Identifier: ISC
 *
 * arpd.c: homegw-arpd's main(): options, set-up order, reload and shutdown,
 * and nothing else.  The mirror is in mirror.c, the watch in watch.c, the
 * ARP socket in packet.c and wire.c, proxy ARP in proxy.c, the kernel
 * calls in kernel.c and the database writes in publish.c.
 */
#include <sys/time.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "addr.h"
#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "netlink.h"
#include "state.h"
#include "arpd.h"

#define USAGE	"[-fhnvV] [-c file]"

static struct arpd arpd;

/*
 * The LAN interface was deleted and created again (a bridge restarted by
 * the network configuration): the ARP socket is bound to the old index,
 * and neighbours, proxies and pins live on the new one.
 */
static void
link_reopen(struct arpd *a, int ifindex, const uint8_t *mac)
{
	int	 fd, r;

	if ((fd = packet_open(ifindex)) < 0) {
		log_warnx("\"%s\" is back, but its ARP socket cannot be opened "
		    "(%s); trying again at the next link change or in %d s",
		    a->ifname, strerror(-fd), ARPD_RECONCILE_S);
		return;
	}
	wire_stop(a);
	a->pkt_fd = fd;
	a->ifindex = ifindex;
	memcpy(a->mac, mac, ADDR_MAC_LEN);
	if (wire_start(a) < 0)
		log_warnx("cannot watch the new ARP socket on \"%s\"",
		    a->ifname);
	if ((r = kernel_proxy_delay_zero(a->nl, ifindex)) < 0)
		log_warnx("cannot set proxy_delay=0 on \"%s\" (%s)", a->ifname,
		    strerror(-r));
	log_info("\"%s\" was created again (index %d): watching it", a->ifname,
	    ifindex);
	mirror_resync(a);
	publish_live_dirty(a);
}

/*
 * A bridge without a fixed address takes a port's MAC, so the LAN MAC
 * may change under us: follow it, or our own frames would count as a
 * station's and userspace proxy replies would name a stale MAC.  The
 * interface may also go away and come back with a new index.
 */
static void
link_refresh(struct arpd *a)
{
	uint8_t	 mac[ADDR_MAC_LEN];
	char	 o[ADDR_MAC_STRLEN], n[ADDR_MAC_STRLEN];
	int	 ifindex, r;

	if ((r = kernel_link_get(a->nl, a->ifname, &ifindex, mac)) < 0) {
		if (!a->link_gone)
			log_warnx("LAN interface \"%s\" is gone (%s): waiting "
			    "for it", a->ifname, strerror(-r));
		a->link_gone = 1;
		return;
	}
	a->link_gone = 0;
	if (ifindex != a->ifindex) {
		link_reopen(a, ifindex, mac);
		return;
	}
	if (memcmp(mac, a->mac, ADDR_MAC_LEN) == 0)
		return;
	log_info("\"%s\" changed its MAC from %s to %s", a->ifname,
	    addr_fmt_mac(a->mac, o), addr_fmt_mac(mac, n));
	memcpy(a->mac, mac, ADDR_MAC_LEN);
	publish_live_dirty(a);
}

/* A link event, from mirror.c's netlink watch. */
void
arpd_link_changed(struct arpd *a)
{
	if (a->running)
		link_refresh(a);
}

/*
 * Periodic work: the LAN MAC, proxy and pin reconcile (no events come for
 * proxies), and a word in the log if the database writes keep failing.
 */
static void
reconcile_cb(evutil_socket_t fd, short events, void *arg)
{
	struct arpd *a = arg;

	link_refresh(a);
	proxy_reconcile(a);
	mirror_pins_reconcile(a);
	publish_check(a);
}

static void
prune_cb(evutil_socket_t fd, short events, void *arg)
{
	publish_prune(arg);
}

/* SIGHUP with a valid new config: apply what changed. */
static int
arpd_reload(struct hgw_daemon *d, struct hgw_conf *newconf)
{
	struct arpd *a = d->arg;

	if (strcmp(newconf->lan.ifname, a->ifname) != 0) {
		log_warnx("the LAN interface changed from \"%s\" to \"%s\": "
		    "restart homegw-arpd to apply it", a->ifname,
		    newconf->lan.ifname);
		return (-1);
	}
	a->conf = newconf;
	if (proxy_load(a) < 0) {
		/* daemon.c frees newconf: point back at the running one. */
		a->conf = d->conf;
		log_warnx("out of memory loading the proxy set");
		return (-1);
	}
	mirror_set_reservations(a);
	link_refresh(a);
	proxy_reconcile(a);
	mirror_pins_reconcile(a);
	publish_live_dirty(a);
	return (0);
}

static void
arpd_flush(struct hgw_daemon *d)
{
	publish_flush(d->arg);
	atrace_flush(d->arg);
}

static const char *
arpd_status(struct hgw_daemon *d)
{
	struct arpd *a = d->arg;

	snprintf(a->status, sizeof(a->status),
	    "%u neighbours, %zu stations, %zu proxied, %lu malformed",
	    a->nneighs, watch_count(a->watch), a->nproxies, a->malformed);
	return (a->status);
}

/* Set up, run the loop until SIGTERM, then shut down. */
/* daemon.c reopened a database. */
static void
arpd_reopen(struct hgw_daemon *d, enum hgw_db which)
{
	publish_reopen(d->arg, which);
	atrace_reopen(d->arg, which);
}

int
main(int argc, char *argv[])
{
	static const int caps[] = { CAP_NET_ADMIN, CAP_NET_RAW };
	struct hgw_daemon	 d = {
		.name = "arpd",
		.usage = USAGE,
		.reload = arpd_reload,
		.flush = arpd_flush,
		.reopen = arpd_reopen,
		.status = arpd_status,
		.arg = &arpd,
	};
	struct arpd		*a = &arpd;
	struct timeval		 tv_reconcile = { ARPD_RECONCILE_S, 0 };
	struct timeval		 tv_prune = { ARPD_PRUNE_S, 0 };
	int			 r;

	daemon_init(&d, argc, argv);
	a->d = &d;
	a->conf = d.conf;
	a->pkt_fd = -1;
	if ((size_t)snprintf(a->ifname, sizeof(a->ifname), "%s",
	    d.conf->lan.ifname) >= sizeof(a->ifname) || a->ifname[0] == '\0')
		daemon_fatal_config("%s: no usable [lan] interface: set [lan] "
		    "interface, or run \"homegwctl setup\"", d.conf_path);

	daemon_open_state(&d);
	if ((a->nl = netlink_request_sock(NETLINK_ROUTE)) == NULL)
		fatal("netlink socket");
	if ((r = kernel_link_get(a->nl, a->ifname, &a->ifindex, a->mac)) < 0)
		fatalx("LAN interface \"%s\": %s", a->ifname, strerror(-r));
	/* Raw sockets need CAP_NET_RAW: open it before dropping privileges. */
	if ((a->pkt_fd = packet_open(a->ifindex)) < 0)
		fatalx("ARP socket on \"%s\": %s", a->ifname,
		    strerror(-a->pkt_fd));
	if (daemon_drop_privileges(&d, caps, sizeof(caps) / sizeof(caps[0]))
	    == -1)
		exit(1);

	mirror_set_reservations(a);
	if (publish_start(a) < 0)
		fatalx("cannot prepare the database writes");
	publish_prune(a);
	if ((r = publish_load_history(a)) < 0) {
		log_warnx("station history unreadable (%s): learning the "
		    "stations the kernel knows without announcing them",
		    strerror(-r));
		a->quiet = 1;
	} else if (r == 0 && publish_recent_reset(a)) {
		log_warnx("homegw.db was started anew: learning the stations "
		    "the kernel knows without announcing them");
		a->quiet = 1;
	}
	if (proxy_load(a) < 0)
		fatalx("out of memory loading the proxy set");
	if ((r = kernel_proxy_delay_zero(a->nl, a->ifindex)) < 0)
		log_warnx("cannot set proxy_delay=0 on \"%s\" (%s), proxy "
		    "replies from the kernel may be delayed", a->ifname,
		    strerror(-r));

	/* Enumerate: dump the table (and reconcile pins and proxies). */
	if (mirror_start(a) < 0)
		fatal("neighbour events");
	a->quiet = 0;
	if (d.conf->arp.prime)
		mirror_prime(a);
	if (atrace_start(a) < 0)
		fatalx("cannot follow traces");
	if (wire_start(a) < 0)
		fatalx("cannot watch the ARP socket");

	a->ev_reconcile = event_new(d.base, -1, EV_PERSIST, reconcile_cb, a);
	a->ev_prune = event_new(d.base, -1, EV_PERSIST, prune_cb, a);
	if (a->ev_reconcile == NULL || a->ev_prune == NULL ||
	    event_add(a->ev_reconcile, &tv_reconcile) == -1 ||
	    event_add(a->ev_prune, &tv_prune) == -1)
		fatalx("cannot add timers");
	publish_live_dirty(a);
	a->running = 1;
	log_info("watching \"%s\" (%u neighbours, %zu stations, %zu proxied)",
	    a->ifname, a->nneighs, watch_count(a->watch), a->nproxies);

	daemon_start(&d);
	event_base_dispatch(d.base);
	daemon_stop(&d);

	event_free(a->ev_prune);
	event_free(a->ev_reconcile);
	wire_stop(a);
	atrace_stop(a);
	proxy_clear(a);
	mirror_stop(a);
	publish_stop(a);
	watch_free(a->watch);
	free(a->reserved);
	nl_socket_free(a->nl);
	daemon_free(&d);
	return (0);
}
