/*
 * SPDX-License-Identifier: ISC
 *
 * engine.c: the moving parts of homegw-addrd tied together.  Every link,
 * IPv4 address or IPv4 route event from the kernel (and an overrun
 * resync) schedules one deferred pass: dump the kernel (kernel.c),
 * reconcile it with the config (reconcile.c), run conflict detection for
 * the LAN address (acd.c), log what changed in words a user can act on,
 * and publish the addresses' state (publish.c).  There is no polling
 * loop: with nothing changing in the kernel, addrd sleeps.
 *
 * A LAN address is "claimed" once ACD found nobody else using it, or when
 * addrd finds its own address (IFA_PROTO marker) already on the interface
 * at start (a restart, even after kill -9).  A claimed address that goes
 * missing is put back at once without probing again; a changed address
 * (reload) or a re-created interface has to be probed anew.
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
#include <time.h>

#include <event2/event.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "netlink.h"
#include "state.h"
#include "addrd.h"

/* Least time between two logged/recorded conflicts with the same MAC. */
#define CONFLICT_REPORT_MS	60000
/*
 * Conflicts logged and recorded per CONFLICT_REPORT_MS whatever the MAC:
 * ARP claiming our address from ever new (spoofed) MACs must not become a
 * log line and a database commit per frame.  The rest are counted.
 */
#define CONFLICT_REPORTS_MAX	5
/* How often the counters go to the metrics table (not a kernel poll). */
#define METRICS_INTERVAL_S	10
/* How often addrd's old conflict events are pruned. */
#define PRUNE_INTERVAL_S	3600

struct engine {
	struct hgw_daemon	*d;
	struct nl_sock		*req;
	struct netlink_watch	*watch;
	struct event		*ev_apply;
	struct event		*ev_metrics;
	struct event		*ev_prune;
	struct kstate		*ks;
	struct want		 want;
	struct reconcile_ops	 ops;
	int			 claimed[ROLE_MAX];
	int			 added_once[ROLE_MAX];
	struct acd		*acd;		/* the LAN address */
	struct acd_timing	 timing;
	int			 acd_err;	/* last acd_start() failure */
	unsigned int		 lan_flags;	/* at the last pass */
	int			 have_result;
	struct reconcile_result	 last;
	int			 dump_err;
	int			 truncated_logged;
	/* The last conflict seen on the LAN address. */
	int			 has_conflict;
	int			 conflict_probing;
	uint8_t			 conflict_mac[ADDR_MAC_LEN];
	int64_t			 conflict_reported;	/* ms */
	int64_t			 report_window;		/* ms, its start */
	unsigned int		 reports;		/* in this window */
	unsigned long		 reports_suppressed;	/* in this window */
	unsigned long		 conflicts_suppressed;	/* in total */
	unsigned long		 passes;
	char			 status[128];
	struct publish		*pub;
	struct health		*health;
};

static const char *const role_name[ROLE_MAX] = { "lan", "wan" };
static const char *const role_section[ROLE_MAX] = { "[lan]", "[wan]" };

static int64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* A hint for the permission errors the kernel gives without a capability. */
static const char *
cap_hint(int err, const char *cap)
{
	static char	 buf[160];

	if (err != -EPERM && err != -EACCES)
		return ("");
	snprintf(buf, sizeof(buf), ": homegw-addrd needs %s (run it as root, "
	    "or under systemd with AmbientCapabilities=%s)", cap, cap);
	return (buf);
}

static const char *
ifname_of(const struct engine *e, int ifindex, char *buf)
{
	const struct ks_link	*l;

	if ((l = reconcile_link_by_index(e->ks, ifindex)) != NULL)
		return (l->name);
	snprintf(buf, IF_NAMESIZE, "#%d", ifindex);
	return (buf);
}

static void	publish_state(struct engine *, const struct reconcile_result *);

static void
schedule(struct engine *e)
{
	event_active(e->ev_apply, EV_TIMEOUT, 0);
}

static int
msg_cb(struct nl_msg *msg, void *arg)
{
	struct engine	*e = arg;
	struct nlmsghdr	*nlh = nlmsg_hdr(msg);

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
	case RTM_NEWADDR:
	case RTM_DELADDR:
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		schedule(e);
		break;
	default:
		break;
	}
	return (NL_OK);
}

static void
resync_cb(void *arg)
{
	struct engine	*e = arg;

	log_debug("%s: netlink overrun, full pass", __func__);
	schedule(e);
}

static void
metrics_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct engine			*e = arg;
	const struct acd_counters	*c = acd_counters(e->acd);
	struct pub_metric		 m[] = {
		{ "passes", (double)e->passes },
		{ "netlink_overruns",
		    (double)netlink_watch_overruns(e->watch) },
		{ "netlink_malformed", (double)kernel_malformed() },
		{ "arp_rx", (double)c->rx },
		{ "arp_malformed", (double)c->malformed },
		{ "arp_own_echo", (double)c->own_echo },
		{ "arp_sent", (double)c->sent },
		{ "conflicts", (double)c->conflicts },
		{ "conflicts_suppressed", (double)e->conflicts_suppressed },
	};

	(void)fd;
	(void)ev;
	publish_metrics(e->pub, m, (int)(sizeof(m) / sizeof(m[0])));
	publish_check(e->pub);
}

static void
prune_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct engine	*e = arg;

	(void)fd;
	(void)ev;
	publish_prune(e->pub);
}

static void
apply_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	engine_apply(arg);
}

/* ACD: nobody answered our probes. */
static void
acd_claimed_cb(struct acd *acd, void *arg)
{
	struct engine	*e = arg;
	char		 ip[INET_ADDRSTRLEN];

	(void)acd;
	log_info("%s: no other host uses %s, claiming it",
	    e->want.addr[ROLE_LAN].ifname,
	    addr_fmt_ip4(e->want.addr[ROLE_LAN].addr, ip));
	e->claimed[ROLE_LAN] = 1;
	e->has_conflict = 0;
	engine_apply(e);
}

/* ACD: another host uses our LAN address. */
static void
acd_conflict_cb(struct acd *acd, const uint8_t mac[ADDR_MAC_LEN],
    int probing, void *arg)
{
	struct engine		*e = arg;
	const struct want_addr	*wa = &e->want.addr[ROLE_LAN];
	char			 ip[INET_ADDRSTRLEN], m[ADDR_MAC_STRLEN];
	char			 detail[160];
	int64_t			 now = mono_ms();
	int			 same;

	(void)acd;
	same = e->has_conflict && memcmp(e->conflict_mac, mac,
	    ADDR_MAC_LEN) == 0 && e->conflict_probing == probing;
	e->has_conflict = 1;
	e->conflict_probing = probing;
	memcpy(e->conflict_mac, mac, ADDR_MAC_LEN);
	if (!same || now - e->conflict_reported >= CONFLICT_REPORT_MS) {
		if (now - e->report_window >= CONFLICT_REPORT_MS) {
			if (e->reports_suppressed > 0)
				log_warnx("%lu more address conflicts on %s "
				    "were not reported", e->reports_suppressed,
				    wa->ifname);
			e->report_window = now;
			e->reports = 0;
			e->reports_suppressed = 0;
		}
		if (e->reports >= CONFLICT_REPORTS_MAX) {
			e->reports_suppressed++;
			e->conflicts_suppressed++;
			goto out;
		}
		e->reports++;
		e->conflict_reported = now;
		addr_fmt_ip4(wa->addr, ip);
		addr_fmt_mac(mac, m);
		if (probing) {
			snprintf(detail, sizeof(detail), "%s: %s answered "
			    "the probe for %s; not claiming it", wa->ifname,
			    m, ip);
			log_warnx("address conflict: %s on %s is already used "
			    "by %s; not claiming it, probing again in %u s "
			    "(find that host and change its address, or "
			    "change [lan] address)", ip, wa->ifname, m,
			    e->timing.retry_interval / 1000);
		} else {
			snprintf(detail, sizeof(detail), "%s: %s claims "
			    "%s too; defending it", wa->ifname, m, ip);
			log_warnx("address conflict: %s also claims %s on %s; "
			    "defending it (find that host and change its "
			    "address)", m, ip, wa->ifname);
		}
		publish_event_conflict(e->pub, wa->addr, mac, detail);
	}
 out:
	/* No dump here: a flood of conflicting ARP must stay cheap. */
	if (e->have_result)
		publish_state(e, &e->last);
}

/* Create the engine: sockets, watch, ACD, publisher.  Fatal on failure. */
struct engine *
engine_new(struct hgw_daemon *d, const struct acd_timing *t)
{
	static const int groups[] = {
		RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_ROUTE
	};
	struct acd_cb	 cb = { acd_claimed_cb, acd_conflict_cb, NULL };
	struct timeval	 metrics_tv = { METRICS_INTERVAL_S, 0 };
	struct timeval	 prune_tv = { PRUNE_INTERVAL_S, 0 };
	struct engine	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->ks = calloc(1, sizeof(*e->ks))) == NULL)
		fatal("engine_new");
	e->d = d;
	e->timing = *t;
	reconcile_want_from_conf(d->conf, &e->want);
	if ((e->req = netlink_request_sock(NETLINK_ROUTE)) == NULL)
		fatal("cannot open a netlink socket");
	e->ops = kernel_ops_template;
	e->ops.arg = e->req;
	e->watch = netlink_watch_new(d->base, NETLINK_ROUTE, groups,
	    (int)(sizeof(groups) / sizeof(groups[0])), NETLINK_WATCH_RCVBUF,
	    msg_cb, resync_cb, 1000, e);
	if (e->watch == NULL)
		fatal("cannot watch links, addresses and routes over netlink");
	if ((e->ev_apply = event_new(d->base, -1, 0, apply_cb, e)) == NULL ||
	    (e->ev_metrics = event_new(d->base, -1, EV_PERSIST, metrics_cb,
	    e)) == NULL || event_add(e->ev_metrics, &metrics_tv) == -1 ||
	    (e->ev_prune = event_new(d->base, -1, EV_PERSIST, prune_cb,
	    e)) == NULL || event_add(e->ev_prune, &prune_tv) == -1)
		fatal("event_new");
	cb.arg = e;
	if ((e->acd = acd_new(d->base, t, &cb)) == NULL)
		fatal("acd_new");
	if ((e->pub = publish_new(d)) == NULL)
		fatal("publish_new");
	publish_hosts(e->pub, d->conf);
	publish_prune(e->pub);
	/* Health is a sideline: without it addrd still does its job. */
	if ((e->health = health_new(d, e->req)) == NULL)
		log_warnx("system health not sampled: out of memory");
	return (e);
}

/* kill -9 and restart: our own address with the same config is claimed. */
static void
find_own(struct engine *e)
{
	const struct want_addr	*wa;
	const struct ks_link	*l;
	int			 r, i;

	for (r = 0; r < ROLE_MAX; r++) {
		wa = &e->want.addr[r];
		if (!wa->set || e->claimed[r] ||
		    (l = reconcile_link_by_name(e->ks, wa->ifname)) == NULL)
			continue;
		for (i = 0; i < e->ks->naddrs; i++)
			if (e->ks->addrs[i].ifindex == l->ifindex &&
			    e->ks->addrs[i].addr.s_addr == wa->addr.s_addr &&
			    e->ks->addrs[i].plen == wa->plen &&
			    e->ks->addrs[i].proto == ADDRD_PROTO) {
				log_debug("%s: %s already ours", __func__,
				    role_name[r]);
				e->claimed[r] = 1;
			}
	}
}

static void
run_acd(struct engine *e, const struct reconcile_result *res)
{
	const struct want_addr	*wa = &e->want.addr[ROLE_LAN];
	const struct ks_link	*l;
	enum addr_status	 st = res->addr[ROLE_LAN];
	char			 ip[INET_ADDRSTRLEN];
	int			 r, claimed;

	if (!wa->set || !wa->probe)
		return;
	l = reconcile_link_by_name(e->ks, wa->ifname);
	/*
	 * A bridge without a fixed address takes a port's MAC, so the
	 * interface's MAC may change under us: keep ACD's in step, or our
	 * own frames would look like another host's.
	 */
	if (l != NULL && l->has_mac && acd_state(e->acd) != ACD_IDLE &&
	    acd_ifindex(e->acd) == l->ifindex &&
	    memcmp(acd_mac(e->acd), l->mac, ADDR_MAC_LEN) != 0) {
		log_debug("%s: %s changed its MAC", __func__, l->name);
		claimed = acd_state(e->acd) == ACD_DEFENDING ||
		    acd_state(e->acd) == ACD_ANNOUNCING;
		if (acd_start(e->acd, l->ifindex, l->name, l->mac, wa->addr,
		    claimed) < 0)
			acd_stop(e->acd);
	}
	if (l == NULL || (acd_state(e->acd) != ACD_IDLE &&
	    acd_ifindex(e->acd) != l->ifindex)) {
		/* Gone, or re-created: a new link is probed again. */
		if (acd_state(e->acd) != ACD_IDLE || e->claimed[ROLE_LAN])
			log_debug("%s: %s gone, ACD reset", __func__,
			    wa->ifname);
		acd_stop(e->acd);
		e->claimed[ROLE_LAN] = 0;
		e->added_once[ROLE_LAN] = 0;
		e->acd_err = 0;
		if (l == NULL)
			return;
	}
	if (acd_state(e->acd) == ACD_IDLE) {
		if (st == ADDR_NEED_PROBE)
			claimed = 0;
		else if (st == ADDR_PRESENT || st == ADDR_ADDED ||
		    st == ADDR_FOREIGN)
			claimed = 1;	/* announce and defend */
		else
			return;
		if (!(l->flags & IFF_UP) && !claimed)
			return;		/* probes need the link up */
		if (!l->has_mac)
			r = -EOPNOTSUPP;
		else
			r = acd_start(e->acd, l->ifindex, l->name, l->mac,
			    wa->addr, claimed);
		if (r < 0) {
			if (r != e->acd_err)
				log_warnx("cannot run address conflict "
				    "detection for %s on %s: %s%s; adding it "
				    "without probing", addr_fmt_ip4(wa->addr,
				    ip), l->name, strerror(-r),
				    cap_hint(r, "CAP_NET_RAW"));
			e->acd_err = r;
			if (!e->claimed[ROLE_LAN]) {
				e->claimed[ROLE_LAN] = 1;
				schedule(e);
			}
			return;
		}
		e->acd_err = 0;
		if (!claimed)
			log_info("%s: probing for %s before claiming it "
			    "(RFC 5227)", l->name, addr_fmt_ip4(wa->addr, ip));
	} else if (st == ADDR_ADDED ||
	    ((l->flags & IFF_RUNNING) && !(e->lan_flags & IFF_RUNNING)))
		acd_announce(e->acd);	/* restored, or the carrier is back */
}

static void
log_addr(struct engine *e, int r, const struct reconcile_result *res)
{
	const struct want_addr	*wa = &e->want.addr[r];
	const struct reconcile_result *old = e->have_result ? &e->last : NULL;
	char			 ip[INET_ADDRSTRLEN], n[IF_NAMESIZE];
	enum addr_status	 st = res->addr[r];

	addr_fmt_ip4(wa->addr, ip);
	if (res->link_err[r] < 0 && (old == NULL ||
	    old->link_err[r] != res->link_err[r]))
		log_warnx("cannot bring %s up: %s%s", e->want.link[r],
		    strerror(-res->link_err[r]),
		    cap_hint(res->link_err[r], "CAP_NET_ADMIN"));
	if (st == ADDR_ADDED) {
		if (e->added_once[r])
			log_info("%s: restored %s/%d (it had been removed)",
			    wa->ifname, ip, wa->plen);
		else
			log_info("%s: added %s/%d", wa->ifname, ip, wa->plen);
		e->added_once[r] = 1;
		return;
	}
	if (old != NULL && (old->addr[r] == st ||
	    (old->addr[r] == ADDR_ADDED && st == ADDR_PRESENT)) &&
	    old->addr_err[r] == res->addr_err[r] &&
	    old->elsewhere_ifindex[r] == res->elsewhere_ifindex[r])
		return;
	switch (st) {
	case ADDR_NO_LINK:
		log_warnx("interface \"%s\" does not exist: waiting for it "
		    "to appear (or fix %s interface in %s)", wa->ifname,
		    role_section[r], e->d->conf_path);
		break;
	case ADDR_PRESENT:
		e->added_once[r] = 1;
		log_info("%s: %s/%d in place", wa->ifname, ip, wa->plen);
		break;
	case ADDR_FOREIGN:
		log_info("%s: %s/%d is there but was not added by addrd: "
		    "leaving it alone", wa->ifname, ip, wa->plen);
		break;
	case ADDR_ELSEWHERE:
		log_warnx("%s is already on %s (/%d): not adding it to %s; "
		    "remove it there (ip addr del %s/%d dev %s) or change "
		    "%s address", ip, ifname_of(e, res->elsewhere_ifindex[r],
		    n), res->elsewhere_plen[r], wa->ifname, ip,
		    res->elsewhere_plen[r], ifname_of(e,
		    res->elsewhere_ifindex[r], n), role_section[r]);
		break;
	case ADDR_FAILED:
		log_warnx("cannot add %s/%d to %s: %s%s", ip, wa->plen,
		    wa->ifname, strerror(-res->addr_err[r]),
		    cap_hint(res->addr_err[r], "CAP_NET_ADMIN"));
		break;
	default:
		break;
	}
}

static void
log_route(struct engine *e, const struct reconcile_result *res)
{
	const struct reconcile_result *old = e->have_result ? &e->last : NULL;
	char			 gw[INET_ADDRSTRLEN];

	addr_fmt_ip4(e->want.route_gw, gw);
	if (res->route == ROUTE_ADDED) {
		log_info("%s: added default route via %s",
		    e->want.route_ifname, gw);
		return;
	}
	if (old != NULL && old->route == res->route &&
	    old->route_err == res->route_err)
		return;
	switch (res->route) {
	case ROUTE_FOREIGN:
		log_warnx("a default route not added by addrd is in place: "
		    "leaving it; delete it (ip route del default) to let "
		    "addrd route via %s", gw);
		break;
	case ROUTE_FAILED:
		log_warnx("cannot add the default route via %s on %s: %s%s",
		    gw, e->want.route_ifname, strerror(-res->route_err),
		    cap_hint(res->route_err, "CAP_NET_ADMIN"));
		break;
	case ROUTE_NO_ADDR:
		log_debug("%s: %s not on-link yet", __func__, gw);
		break;
	default:
		break;
	}
}

static void
pub_one(struct engine *e, struct pub_addr *p, int r,
    const struct reconcile_result *res)
{
	const struct want_addr	*wa = &e->want.addr[r];
	const struct ks_link	*l;
	char			 n[IF_NAMESIZE];
	enum acd_state		 as = acd_state(e->acd);

	memset(p, 0, sizeof(*p));
	snprintf(p->role, sizeof(p->role), "%s", role_name[r]);
	snprintf(p->ifname, sizeof(p->ifname), "%s", wa->ifname);
	p->addr = wa->addr;
	p->plen = wa->plen;
	if ((l = reconcile_link_by_name(e->ks, wa->ifname)) != NULL &&
	    l->has_mac) {
		p->has_mac = 1;
		memcpy(p->mac, l->mac, ADDR_MAC_LEN);
	}
	if (r == ROLE_LAN && e->has_conflict) {
		p->has_conflict = 1;
		memcpy(p->conflict_mac, e->conflict_mac, ADDR_MAC_LEN);
	}
	switch (res->addr[r]) {
	case ADDR_NO_LINK:
		p->state = "waiting";
		snprintf(p->detail, sizeof(p->detail),
		    "interface %s does not exist", wa->ifname);
		break;
	case ADDR_NEED_PROBE:
		if (wa->probe && as == ACD_CONFLICT) {
			p->state = "conflict";
			snprintf(p->detail, sizeof(p->detail),
			    "used by another host; probing again");
		} else if (wa->probe && as == ACD_PROBING)
			p->state = "probing";
		else {
			p->state = "waiting";
			snprintf(p->detail, sizeof(p->detail),
			    "waiting for %s to come up", wa->ifname);
		}
		break;
	case ADDR_PRESENT:
	case ADDR_ADDED:
		p->state = "active";
		if (p->has_conflict)
			snprintf(p->detail, sizeof(p->detail),
			    "defended against a conflicting host");
		else if (r == ROLE_LAN && e->acd_err < 0)
			snprintf(p->detail, sizeof(p->detail),
			    "no conflict detection: %s", strerror(-e->acd_err));
		break;
	case ADDR_FOREIGN:
		p->state = "foreign";
		snprintf(p->detail, sizeof(p->detail),
		    "present, not added by addrd");
		break;
	case ADDR_ELSEWHERE:
		p->state = "error";
		snprintf(p->detail, sizeof(p->detail), "already on %s",
		    ifname_of(e, res->elsewhere_ifindex[r], n));
		break;
	case ADDR_FAILED:
		p->state = "error";
		snprintf(p->detail, sizeof(p->detail), "%s%s",
		    strerror(-res->addr_err[r]),
		    res->addr_err[r] == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		break;
	case ADDR_UNSET:
		p->state = "waiting";
		break;
	}
}

static void
publish_state(struct engine *e, const struct reconcile_result *res)
{
	struct pub_addr	 p[ROLE_MAX + 1];
	char		 status[sizeof(e->status)];
	int		 n = 0, r;

	memset(p, 0, sizeof(p));
	for (r = 0; r < ROLE_MAX; r++)
		if (e->want.addr[r].set)
			pub_one(e, &p[n++], r, res);
	if (e->want.has_route) {
		snprintf(p[n].role, sizeof(p[n].role), "route");
		snprintf(p[n].ifname, sizeof(p[n].ifname), "%s",
		    e->want.route_ifname);
		p[n].addr = e->want.route_gw;
		switch (res->route) {
		case ROUTE_PRESENT:
		case ROUTE_ADDED:
			p[n].state = "active";
			break;
		case ROUTE_FOREIGN:
			p[n].state = "foreign";
			snprintf(p[n].detail, sizeof(p[n].detail),
			    "another default route is in place");
			break;
		case ROUTE_FAILED:
			p[n].state = "error";
			snprintf(p[n].detail, sizeof(p[n].detail), "%s",
			    strerror(-res->route_err));
			break;
		default:
			p[n].state = "waiting";
			snprintf(p[n].detail, sizeof(p[n].detail),
			    "waiting for %s and its address",
			    e->want.route_ifname);
			break;
		}
		n++;
	}
	publish_addrs(e->pub, p, n);
	snprintf(status, sizeof(status), "lan %s", n > 0 &&
	    e->want.addr[ROLE_LAN].set ? p[0].state : "unset");
	if (strcmp(status, e->status) != 0) {
		/* The heartbeat row carries it: update it now, not later. */
		memcpy(e->status, status, sizeof(status));
		daemon_heartbeat(e->d);
	}
}

/* One pass: dump, reconcile, ACD, log, publish. */
void
engine_apply(struct engine *e)
{
	struct reconcile_result	 res;
	const struct ks_link	*l;
	int			 r;

	e->passes++;
	if ((r = kernel_dump(e->req, e->ks)) < 0) {
		if (r != e->dump_err)
			log_warnx("cannot read the kernel's interfaces: %s; "
			    "trying again on the next change", strerror(-r));
		e->dump_err = r;
		netlink_watch_resync(e->watch);
		return;
	}
	e->dump_err = 0;
	if (e->ks->truncated && !e->truncated_logged) {
		log_warnx("more links, addresses or routes than addrd keeps "
		    "track of (%d/%d/%d); some are ignored",
		    KSTATE_LINKS_MAX, KSTATE_ADDRS_MAX, KSTATE_ROUTES_MAX);
		e->truncated_logged = 1;
	}
	find_own(e);
	reconcile_run(&e->want, e->ks, e->claimed, &e->ops, &res);
	if (res.removed > 0 && (res.remove_err == 0 || !e->have_result ||
	    e->last.removed != res.removed ||
	    e->last.remove_err != res.remove_err))
		log_info("removed %d address(es) or route(s) that addrd had "
		    "added for an earlier configuration%s%s", res.removed,
		    res.remove_err < 0 ? "; some failed: " : "",
		    res.remove_err < 0 ? strerror(-res.remove_err) : "");
	for (r = 0; r < ROLE_MAX; r++)
		if (e->want.addr[r].set)
			log_addr(e, r, &res);
	if (e->want.has_route)
		log_route(e, &res);
	run_acd(e, &res);
	l = reconcile_link_by_name(e->ks, e->want.link[ROLE_LAN]);
	e->lan_flags = l != NULL ? l->flags : 0;
	publish_state(e, &res);
	e->last = res;
	e->have_result = 1;
}

/* SIGHUP with a valid config: diff, then one pass.  Returns 0. */
int
engine_reload(struct engine *e, struct hgw_conf *newconf)
{
	struct want	 w;
	char		 a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	int		 r, changed = 0;

	reconcile_want_from_conf(newconf, &w);
	for (r = 0; r < ROLE_MAX; r++) {
		if (reconcile_want_equal(&e->want.addr[r], &w.addr[r]) &&
		    strcmp(e->want.link[r], w.link[r]) == 0)
			continue;
		changed++;
		log_info("%s: %s %s/%d on %s -> %s/%d on %s", role_name[r],
		    "address changed:",
		    addr_fmt_ip4(e->want.addr[r].addr, a),
		    e->want.addr[r].plen, e->want.addr[r].ifname[0] ?
		    e->want.addr[r].ifname : "-",
		    addr_fmt_ip4(w.addr[r].addr, b), w.addr[r].plen,
		    w.addr[r].ifname[0] ? w.addr[r].ifname : "-");
		e->claimed[r] = 0;
		e->added_once[r] = 0;
		if (r == ROLE_LAN) {
			acd_stop(e->acd);
			e->has_conflict = 0;
		}
	}
	if (e->want.has_route != w.has_route ||
	    e->want.route_gw.s_addr != w.route_gw.s_addr ||
	    strcmp(e->want.route_ifname, w.route_ifname) != 0) {
		changed++;
		log_info("default route changed");
	}
	if (!changed)
		log_info("addresses and routes unchanged");
	e->want = w;
	e->have_result = 0;
	publish_hosts(e->pub, newconf);
	schedule(e);
	return (0);
}

/* Final flush at stop. */
void
engine_flush(struct engine *e)
{
	int	 r;

	metrics_cb(-1, 0, e);
	if ((r = publish_flush(e->pub)) < 0)
		log_warnx("final write of live.db failed: %s", strerror(-r));
}

/* Short status for the heartbeat row. */
const char *
engine_status(struct engine *e)
{
	return (e->status[0] != '\0' ? e->status : "starting");
}

/*
 * Free everything.  Addresses and routes stay on the interfaces: a
 * gateway keeps routing while addrd restarts.
 */
void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	health_free(e->health);
	publish_free(e->pub);
	acd_free(e->acd);
	if (e->ev_apply != NULL)
		event_free(e->ev_apply);
	if (e->ev_metrics != NULL)
		event_free(e->ev_metrics);
	if (e->ev_prune != NULL)
		event_free(e->ev_prune);
	netlink_watch_free(e->watch);
	if (e->req != NULL)
		nl_socket_free(e->req);
	free(e->ks);
	free(e);
}

/* daemon.c reopened a database under us. */
void
engine_reopen(struct hgw_daemon *d, enum hgw_db which)
{
	struct engine	*e = d->arg;

	if (e != NULL && e->pub != NULL)
		publish_reopen(e->pub, which);
	if (e != NULL && which == HGW_DB_LIVE)
		health_reopen(e->health);
}
