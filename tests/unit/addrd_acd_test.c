/*
 * SPDX-License-Identifier: ISC
 *
 * addrd_acd_test.c: addrd's kernel.c and acd.c against the real kernel,
 * in a private network namespace (unshare(CLONE_NEWNET)), so nothing
 * outside it changes.  A veth pair a0/b0: kernel.c brings a0 up, adds and
 * removes an address and a default route and must find its protocol mark
 * in the dumps; acd.c runs on a0 with short timers while a packet socket
 * on b0 plays the other hosts: it watches the probes and announcements
 * and answers, claims, echoes and sends garbage.  Skipped when a
 * namespace cannot be created (not root).
 */
#include <sys/socket.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "log.h"
#include "netlink.h"
#include "addrd.h"
#include "../tap.h"

/* The address wait_path() asks for: 10.0.0.251. */
#define PATH_TPA	0x0a0000fbU

static const struct acd_timing fast = {
	.probe_wait = 20, .probe_num = 3, .probe_min = 20, .probe_max = 40,
	.announce_wait = 60, .announce_num = 2, .announce_interval = 30,
	.max_conflicts = 10, .rate_limit_interval = 1000,
	.defend_interval = 5000, .retry_interval = 100,
};

struct peer {
	int		 fd;
	int		 ifindex;
	uint8_t		 mac[ADDR_MAC_LEN];
	struct in_addr	 watch;		/* the address acd works on */
	int		 probes;	/* seen with spa 0, tpa watch */
	int		 announces;	/* spa = tpa = watch */
	int		 bad_probe;	/* a probe not as RFC 5227 2.1.1 says */
	int		 answer;	/* reply to the next probe */
	int		 frames;	/* wait_path()'s frames that arrived */
};

static struct event_base *base;
static struct peer	 peer;
static int		 claimed, conflicts, conflict_probing;
static uint8_t		 conflict_mac[ADDR_MAC_LEN];
static uint8_t		 a_mac[ADDR_MAC_LEN];

static void
arp_build(uint8_t *p, int op, const uint8_t *sha, struct in_addr spa,
    struct in_addr tpa)
{
	memset(p, 0, 28);
	p[1] = ARPHRD_ETHER;
	p[2] = 0x08;
	p[4] = 6;
	p[5] = 4;
	p[7] = op;
	memcpy(p + 8, sha, 6);
	memcpy(p + 14, &spa, 4);
	memcpy(p + 24, &tpa, 4);
}

static void
peer_send(const uint8_t *pkt, size_t len)
{
	struct sockaddr_ll	 sll;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETHERTYPE_ARP);
	sll.sll_ifindex = peer.ifindex;
	sll.sll_halen = 6;
	memset(sll.sll_addr, 0xff, 6);
	if (sendto(peer.fd, pkt, len, 0, (struct sockaddr *)&sll,
	    sizeof(sll)) != (ssize_t)len)
		TAP_NOTE("peer sendto: %s", strerror(errno));
}

static void
peer_arp(int op, const uint8_t *sha, struct in_addr spa, struct in_addr tpa)
{
	uint8_t	 p[28];

	arp_build(p, op, sha, spa, tpa);
	peer_send(p, sizeof(p));
}

static void
peer_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct sockaddr_ll	 sll;
	socklen_t		 slen = sizeof(sll);
	uint8_t			 p[128];
	struct in_addr		 spa, tpa, zero = { 0 };
	ssize_t			 n;

	(void)ev;
	(void)arg;
	while ((n = recvfrom(fd, p, sizeof(p), 0, (struct sockaddr *)&sll,
	    &slen)) > 0) {
		slen = sizeof(sll);
		if (sll.sll_pkttype == PACKET_OUTGOING || n < 28)
			continue;
		memcpy(&spa, p + 14, 4);
		memcpy(&tpa, p + 24, 4);
		if (tpa.s_addr == htonl(PATH_TPA)) {
			peer.frames++;
			continue;
		}
		if (tpa.s_addr != peer.watch.s_addr)
			continue;
		if (spa.s_addr == INADDR_ANY) {
			peer.probes++;
			if (p[7] != ARPOP_REQUEST ||
			    memcmp(p + 8, a_mac, 6) != 0 ||
			    memcmp(p + 18, "\0\0\0\0\0\0", 6) != 0 ||
			    sll.sll_pkttype != PACKET_BROADCAST)
				peer.bad_probe++;
			if (peer.answer) {
				peer.answer = 0;
				peer_arp(ARPOP_REPLY, peer.mac, peer.watch,
				    zero);
			}
		} else if (spa.s_addr == peer.watch.s_addr)
			peer.announces++;
	}
}

static void
claimed_cb(struct acd *acd, void *arg)
{
	(void)acd;
	(void)arg;
	claimed++;
	event_base_loopbreak(base);
}

static void
conflict_cb(struct acd *acd, const uint8_t mac[ADDR_MAC_LEN], int probing,
    void *arg)
{
	(void)acd;
	(void)arg;
	conflicts++;
	conflict_probing = probing;
	memcpy(conflict_mac, mac, ADDR_MAC_LEN);
	event_base_loopbreak(base);
}

/* Run the loop for ms milliseconds, or until a callback breaks it. */
static void
run_ms(unsigned int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

/*
 * Run until *v reaches want, bounded by ms: the checks never depend on
 * how fast a loaded machine is.
 */
static int
wait_int(const int *v, int want, unsigned int ms)
{
	unsigned int	 t;

	for (t = 0; *v < want && t < ms; t += 20)
		run_ms(20);
	return (*v >= want);
}

static int
wait_ulong(const unsigned long *v, unsigned long want, unsigned int ms)
{
	unsigned int	 t;

	for (t = 0; *v < want && t < ms; t += 20)
		run_ms(20);
	return (*v >= want);
}

/*
 * A veth pair drops frames until the kernel's link watcher has started
 * both ends' queues, which can take up to a second after "up" on a busy
 * machine, and the probes follow "up" within milliseconds.  So wait until
 * a frame crosses each way: a0 to the peer on b0, and b0 to a socket on
 * a0.  The frames ask for PATH_TPA, which nothing else uses.
 */
static int
wait_path(int ai)
{
	struct sockaddr_ll	 sll;
	struct in_addr		 spa = { 0 }, tpa = { htonl(PATH_TPA) };
	uint8_t			 p[28], q[128];
	int			 fd, t, back = 0;
	ssize_t			 n;

	if ((fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK,
	    htons(ETHERTYPE_ARP))) == -1)
		return (0);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETHERTYPE_ARP);
	sll.sll_ifindex = ai;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		close(fd);
		return (0);
	}
	sll.sll_halen = 6;
	memset(sll.sll_addr, 0xff, 6);
	arp_build(p, ARPOP_REQUEST, a_mac, spa, tpa);
	for (t = 0; (peer.frames == 0 || !back) && t < 5000; t += 50) {
		(void)sendto(fd, p, sizeof(p), 0, (struct sockaddr *)&sll,
		    sizeof(sll));
		peer_arp(ARPOP_REQUEST, peer.mac, spa, tpa);
		run_ms(50);
		while ((n = recv(fd, q, sizeof(q), 0)) >= 28)
			if (memcmp(q + 24, &tpa, 4) == 0 &&
			    memcmp(q + 8, peer.mac, 6) == 0)
				back = 1;
	}
	close(fd);
	return (peer.frames > 0 && back);
}

static void
reset_peer(const char *addr)
{
	inet_pton(AF_INET, addr, &peer.watch);
	peer.probes = peer.announces = peer.bad_probe = peer.answer = 0;
	claimed = conflicts = conflict_probing = 0;
}

static const struct ks_link *
find_link(struct nl_sock *req, struct kstate *ks, const char *name)
{
	if (kernel_dump(req, ks) < 0)
		return (NULL);
	return (reconcile_link_by_name(ks, name));
}

static int
has_addr(const struct kstate *ks, int ifindex, const char *a, int plen,
    int proto)
{
	struct in_addr	 in;
	int		 i;

	inet_pton(AF_INET, a, &in);
	for (i = 0; i < ks->naddrs; i++)
		if (ks->addrs[i].ifindex == ifindex &&
		    ks->addrs[i].addr.s_addr == in.s_addr &&
		    ks->addrs[i].plen == plen && ks->addrs[i].proto == proto)
			return (1);
	return (0);
}

static int
has_own_route(const struct kstate *ks, int oif, const char *gw)
{
	struct in_addr	 in;
	int		 i;

	inet_pton(AF_INET, gw, &in);
	for (i = 0; i < ks->nroutes; i++)
		if (ks->routes[i].oif == oif && ks->routes[i].plen == 0 &&
		    ks->routes[i].gw.s_addr == in.s_addr &&
		    ks->routes[i].proto == ADDRD_PROTO &&
		    ks->routes[i].table == RT_TABLE_MAIN)
			return (1);
	return (0);
}

static void
test_kernel(struct nl_sock *req, struct kstate *ks, int *ret_a)
{
	struct reconcile_ops	 ops = kernel_ops_template;
	const struct ks_link	*a, *b;
	struct ks_addr		 ka;
	struct ks_route		 kr;
	struct in_addr		 in, gw;
	int			 ai, bi;

	ops.arg = req;
	CHECK((a = find_link(req, ks, "a0")) != NULL);
	CHECK((b = find_link(req, ks, "b0")) != NULL);
	if (a == NULL || b == NULL)
		return;
	ai = a->ifindex;
	bi = b->ifindex;
	CHECK(a->has_mac && !(a->flags & IFF_UP));
	memcpy(a_mac, a->mac, 6);
	memcpy(peer.mac, b->mac, 6);
	peer.ifindex = bi;
	CHECK(ops.link_up(req, a) == 0);
	CHECK(ops.link_up(req, b) == 0);
	a = find_link(req, ks, "a0");
	CHECK(a != NULL && (a->flags & IFF_UP));

	inet_pton(AF_INET, "10.0.0.1", &in);
	CHECK(ops.addr_add(req, ai, in, 24) == 0);
	CHECK(ops.addr_add(req, ai, in, 24) == -EEXIST);
	find_link(req, ks, "a0");
	CHECK_MSG(has_addr(ks, ai, "10.0.0.1", 24, ADDRD_PROTO),
	    "the dump shows our address with IFA_PROTO 104");
	inet_pton(AF_INET, "10.0.0.254", &gw);
	CHECK(ops.route_add(req, ai, gw) == 0);
	find_link(req, ks, "a0");
	CHECK_MSG(has_own_route(ks, ai, "10.0.0.254"),
	    "the dump shows our default route with protocol 104");

	memset(&kr, 0, sizeof(kr));
	kr.oif = ai;
	kr.gw = gw;
	kr.table = RT_TABLE_MAIN;
	CHECK(ops.route_del(req, &kr) == 0);
	memset(&ka, 0, sizeof(ka));
	ka.ifindex = ai;
	ka.addr = in;
	ka.plen = 24;
	CHECK(ops.addr_del(req, &ka) == 0);
	find_link(req, ks, "a0");
	CHECK(!has_addr(ks, ai, "10.0.0.1", 24, ADDRD_PROTO));
	CHECK(!has_own_route(ks, ai, "10.0.0.254"));
	*ret_a = ai;
}

static void
test_acd(int ai)
{
	struct acd_cb	 cb = { claimed_cb, conflict_cb, NULL };
	struct acd	*acd;
	struct in_addr	 addr, zero = { 0 };
	unsigned long	 sent;
	uint8_t		 junk[10] = { 0 };
	int		 n;

	CHECK((acd = acd_new(base, &fast, &cb)) != NULL);
	if (acd == NULL)
		return;

	CHECK_MSG(wait_path(ai), "frames cross the veth pair both ways");

	/* Nobody there: three probes, claimed, two announcements. */
	reset_peer("10.0.0.1");
	addr = peer.watch;
	CHECK(acd_start(acd, ai, "a0", a_mac, addr, 0) == 0);
	CHECK(acd_state(acd) == ACD_PROBING);
	CHECK(wait_int(&claimed, 1, 10000));
	CHECK_MSG(peer.probes == 3, "three probes before the claim");
	CHECK_MSG(peer.bad_probe == 0,
	    "probes: request, sender IP 0, our MAC, broadcast");
	CHECK(peer.announces == 0);
	CHECK_MSG(wait_int(&peer.announces, 2, 5000),
	    "two announcements after the claim");
	run_ms(100);
	CHECK(peer.announces == 2);
	CHECK(acd_state(acd) == ACD_DEFENDING);
	CHECK(conflicts == 0);

	/* Our own MAC echoed back: never a conflict. */
	peer_arp(ARPOP_REQUEST, a_mac, addr, addr);
	CHECK(wait_ulong(&acd_counters(acd)->own_echo, 1, 5000));
	CHECK_MSG(conflicts == 0, "an echo of our own announcement is ignored");
	/* Garbage is counted and dropped. */
	peer_send(junk, sizeof(junk));
	CHECK(wait_ulong(&acd_counters(acd)->malformed, 1, 5000));
	CHECK(conflicts == 0);

	/* Another host claims it: reported, defended once per interval. */
	sent = acd_counters(acd)->sent;
	peer_arp(ARPOP_REQUEST, peer.mac, addr, addr);
	CHECK(wait_int(&conflicts, 1, 5000) && conflict_probing == 0);
	CHECK(memcmp(conflict_mac, peer.mac, 6) == 0);
	CHECK_MSG(acd_counters(acd)->sent == sent + 1,
	    "defended with one announcement");
	peer_arp(ARPOP_REPLY, peer.mac, addr, zero);
	CHECK(wait_int(&conflicts, 2, 5000));
	CHECK_MSG(acd_counters(acd)->sent == sent + 1,
	    "no second defence within DEFEND_INTERVAL");
	CHECK(acd_state(acd) == ACD_DEFENDING);

	/* A host that answers the probe: conflict, not claimed, retried. */
	reset_peer("10.0.0.2");
	peer.answer = 1;
	CHECK(acd_start(acd, ai, "a0", a_mac, peer.watch, 0) == 0);
	CHECK(wait_int(&conflicts, 1, 5000) && conflict_probing == 1);
	CHECK(memcmp(conflict_mac, peer.mac, 6) == 0);
	CHECK(claimed == 0 && acd_state(acd) == ACD_CONFLICT);
	n = peer.probes;
	CHECK_MSG(wait_int(&claimed, 1, 10000),
	    "claimed once nobody answers any more");
	CHECK_MSG(peer.probes == n + 3, "probed again, three times");

	/* A simultaneous probe from another host is a conflict too. */
	reset_peer("10.0.0.3");
	CHECK(acd_start(acd, ai, "a0", a_mac, peer.watch, 0) == 0);
	peer_arp(ARPOP_REQUEST, peer.mac, zero, peer.watch);
	CHECK(wait_int(&conflicts, 1, 5000) && conflict_probing == 1);
	CHECK(acd_state(acd) == ACD_CONFLICT);

	/* Already ours (restart): announce at once, no probe. */
	reset_peer("10.0.0.4");
	CHECK(acd_start(acd, ai, "a0", a_mac, peer.watch, 1) == 0);
	CHECK(wait_int(&peer.announces, 2, 5000));
	CHECK(peer.probes == 0 && claimed == 0);
	CHECK(acd_state(acd) == ACD_DEFENDING);
	acd_announce(acd);
	CHECK_MSG(wait_int(&peer.announces, 4, 5000),
	    "announced again after a restore");

	acd_stop(acd);
	CHECK(acd_state(acd) == ACD_IDLE);
	acd_free(acd);
}

int
main(void)
{
	struct nl_sock		*req;
	struct kstate		*ks;
	struct rtnl_link	*l, *peer_link;
	struct sockaddr_ll	 sll;
	struct event		*ev;
	int			 ai = 0;

	log_init(1, 0);
	if (unshare(CLONE_NEWNET) == -1) {
		printf("1..0 # SKIP cannot create a network namespace: %s\n",
		    strerror(errno));
		return (0);
	}
	if ((req = netlink_request_sock(NETLINK_ROUTE)) == NULL ||
	    (ks = calloc(1, sizeof(*ks))) == NULL ||
	    (base = event_base_new()) == NULL) {
		printf("1..0 # SKIP setup: %s\n", strerror(errno));
		return (0);
	}
	l = rtnl_link_veth_alloc();
	rtnl_link_set_name(l, "a0");
	peer_link = rtnl_link_veth_get_peer(l);	/* a new reference */
	rtnl_link_set_name(peer_link, "b0");
	rtnl_link_put(peer_link);
	CHECK(rtnl_link_add(req, l, NLM_F_CREATE | NLM_F_EXCL) == 0);
	rtnl_link_veth_release(l);

	test_kernel(req, ks, &ai);
	if (ai == 0)
		return (tap_done());

	peer.fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK,
	    htons(ETHERTYPE_ARP));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETHERTYPE_ARP);
	sll.sll_ifindex = peer.ifindex;
	CHECK(peer.fd != -1 &&
	    bind(peer.fd, (struct sockaddr *)&sll, sizeof(sll)) == 0);
	ev = event_new(base, peer.fd, EV_READ | EV_PERSIST, peer_read_cb,
	    NULL);
	event_add(ev, NULL);

	test_acd(ai);

	event_free(ev);
	close(peer.fd);
	event_base_free(base);
	free(ks);
	nl_socket_free(req);
	return (tap_done());
}
