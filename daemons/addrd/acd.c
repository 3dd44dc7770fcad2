/*
 * SPDX-License-Identifier: ISC
 *
 * acd.c: IPv4 address conflict detection (RFC 5227) for one address on
 * one interface.  Owns an AF_PACKET ARP socket and its libevent timers:
 * probes (ARP requests with sender IP 0.0.0.0), then tells the caller the
 * address may be claimed, announces it, and defends it for as long as it
 * runs.  A gateway is a statically configured router, so it takes RFC 5227
 * section 2.4 option (c): it never gives its address up; each conflict is
 * reported and answered with one announcement per DEFEND_INTERVAL.  Never
 * touches addresses: the caller adds them.  ARP input is untrusted and
 * parsed with explicit lengths; malformed frames are counted and dropped.
 */
#include <sys/socket.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <linux/if_packet.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "addrd.h"

#define ARP_LEN		28	/* Ethernet/IPv4 ARP payload */

/* The RFC 5227 section 1.1 constants. */
const struct acd_timing acd_rfc_timing = {
	.probe_wait = 1000,
	.probe_num = 3,
	.probe_min = 1000,
	.probe_max = 2000,
	.announce_wait = 2000,
	.announce_num = 2,
	.announce_interval = 2000,
	.max_conflicts = 10,
	.rate_limit_interval = 60000,
	.defend_interval = 10000,
	.retry_interval = 10000,
};

struct acd {
	struct event_base	*base;
	struct acd_timing	 t;
	struct acd_cb		 cb;
	enum acd_state		 state;
	int			 ifindex;
	char			 ifname[IF_NAMESIZE];
	uint8_t			 mac[ADDR_MAC_LEN];
	struct in_addr		 addr;
	int			 fd;
	struct event		*ev_read;
	struct event		*ev_timer;
	unsigned int		 nsent;		/* in this phase */
	unsigned int		 nconflicts;	/* while probing */
	int64_t			 last_defend;	/* ms, monotonic: last defence */
	struct acd_counters	 ctr;
};

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
timer_ms(struct acd *acd, unsigned int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(acd->ev_timer, &tv);
}

static unsigned int
between(unsigned int lo, unsigned int hi)
{
	if (hi <= lo)
		return (lo);
	return (lo + arc4random_uniform(hi - lo + 1));
}

static int
send_arp(struct acd *acd, struct in_addr spa, struct in_addr tpa)
{
	struct sockaddr_ll	 sll;
	uint8_t			 pkt[ARP_LEN];

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0;			/* htype Ethernet */
	pkt[1] = ARPHRD_ETHER;
	pkt[2] = ETHERTYPE_IP >> 8;	/* ptype IPv4 */
	pkt[3] = ETHERTYPE_IP & 0xff;
	pkt[4] = ADDR_MAC_LEN;
	pkt[5] = 4;
	pkt[6] = 0;
	pkt[7] = ARPOP_REQUEST;
	memcpy(pkt + 8, acd->mac, ADDR_MAC_LEN);
	memcpy(pkt + 14, &spa, 4);
	/* tha stays zero (RFC 5227 2.1.1) */
	memcpy(pkt + 24, &tpa, 4);

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETHERTYPE_ARP);
	sll.sll_ifindex = acd->ifindex;
	sll.sll_halen = ADDR_MAC_LEN;
	memset(sll.sll_addr, 0xff, ADDR_MAC_LEN);
	if (sendto(acd->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sll,
	    sizeof(sll)) != (ssize_t)sizeof(pkt)) {
		log_debug("%s: %s: %s", __func__, acd->ifname,
		    strerror(errno));
		return (-errno);
	}
	acd->ctr.sent++;
	return (0);
}

static void
send_probe(struct acd *acd)
{
	struct in_addr	 zero = { .s_addr = INADDR_ANY };

	send_arp(acd, zero, acd->addr);
}

static void
send_announce(struct acd *acd)
{
	send_arp(acd, acd->addr, acd->addr);
}

static void
start_probing(struct acd *acd)
{
	acd->state = ACD_PROBING;
	acd->nsent = 0;
	timer_ms(acd, between(0, acd->t.probe_wait));
}

static void
start_announcing(struct acd *acd)
{
	acd->state = ACD_ANNOUNCING;
	acd->nsent = 0;
	timer_ms(acd, 0);
}

static void
timer_cb(int fd, short ev, void *arg)
{
	struct acd	*acd = arg;

	(void)fd;
	(void)ev;
	switch (acd->state) {
	case ACD_PROBING:
		if (acd->nsent < acd->t.probe_num) {
			send_probe(acd);
			acd->nsent++;
			timer_ms(acd, acd->nsent < acd->t.probe_num ?
			    between(acd->t.probe_min, acd->t.probe_max) :
			    acd->t.announce_wait);
			break;
		}
		/* Nobody answered: the address is ours to take. */
		acd->nconflicts = 0;
		acd->state = ACD_ANNOUNCING;
		acd->nsent = 0;
		if (acd->cb.claimed != NULL)
			acd->cb.claimed(acd, acd->cb.arg);
		if (acd->state != ACD_ANNOUNCING)
			break;		/* stopped by the callback */
		timer_ms(acd, 0);
		break;
	case ACD_ANNOUNCING:
		send_announce(acd);
		if (++acd->nsent < acd->t.announce_num)
			timer_ms(acd, acd->t.announce_interval);
		else
			acd->state = ACD_DEFENDING;
		break;
	case ACD_CONFLICT:
		start_probing(acd);
		break;
	case ACD_IDLE:
	case ACD_DEFENDING:
		break;
	}
}

static void
conflict(struct acd *acd, const uint8_t *sha)
{
	int64_t	 now;

	acd->ctr.conflicts++;
	if (acd->state == ACD_PROBING) {
		acd->nconflicts++;
		acd->state = ACD_CONFLICT;
		/* RFC 5227 2.1.1: rate-limit after MAX_CONFLICTS. */
		timer_ms(acd, acd->nconflicts >= acd->t.max_conflicts ?
		    acd->t.rate_limit_interval : acd->t.retry_interval);
		if (acd->cb.conflict != NULL)
			acd->cb.conflict(acd, sha, 1, acd->cb.arg);
		return;
	}
	/* Announcing or defending: option (c), defend indefinitely. */
	now = now_ms();
	if (now - acd->last_defend >= (int64_t)acd->t.defend_interval) {
		send_announce(acd);
		acd->last_defend = now;
	}
	if (acd->cb.conflict != NULL)
		acd->cb.conflict(acd, sha, 0, acd->cb.arg);
}

static void
read_cb(int fd, short ev, void *arg)
{
	struct acd		*acd = arg;
	struct sockaddr_ll	 sll;
	socklen_t		 slen;
	uint8_t			 pkt[256];
	struct in_addr		 spa, tpa;
	uint16_t		 op;
	ssize_t			 n;
	int			 budget;

	(void)ev;
	for (budget = 0; budget < 64; budget++) {
		slen = sizeof(sll);
		n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sll,
		    &slen);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_debug("%s: %s: %s", __func__, acd->ifname,
				    strerror(errno));
			return;
		}
		acd->ctr.rx++;
		/* Our own frames, looped back to packet sockets. */
		if (sll.sll_pkttype == PACKET_OUTGOING) {
			acd->ctr.own_echo++;
			continue;
		}
		if (n < ARP_LEN || pkt[0] != 0 || pkt[1] != ARPHRD_ETHER ||
		    pkt[2] != (ETHERTYPE_IP >> 8) ||
		    pkt[3] != (ETHERTYPE_IP & 0xff) ||
		    pkt[4] != ADDR_MAC_LEN || pkt[5] != 4) {
			acd->ctr.malformed++;
			continue;
		}
		op = (uint16_t)(pkt[6] << 8 | pkt[7]);
		if (op != ARPOP_REQUEST && op != ARPOP_REPLY) {
			acd->ctr.malformed++;
			continue;
		}
		/* Echoed by a hub or access point (systemd#12145). */
		if (memcmp(pkt + 8, acd->mac, ADDR_MAC_LEN) == 0) {
			acd->ctr.own_echo++;
			continue;
		}
		memcpy(&spa, pkt + 14, 4);
		memcpy(&tpa, pkt + 24, 4);
		switch (acd->state) {
		case ACD_PROBING:
			/* 2.1.1: a sender using it, or a rival probe. */
			if (spa.s_addr == acd->addr.s_addr ||
			    (op == ARPOP_REQUEST &&
			    spa.s_addr == INADDR_ANY &&
			    tpa.s_addr == acd->addr.s_addr))
				conflict(acd, pkt + 8);
			break;
		case ACD_ANNOUNCING:
		case ACD_DEFENDING:
			/* 2.4: any sender claiming our address. */
			if (spa.s_addr == acd->addr.s_addr)
				conflict(acd, pkt + 8);
			break;
		case ACD_IDLE:
		case ACD_CONFLICT:
			break;
		}
		if (acd->fd == -1)
			return;		/* stopped by a callback */
	}
}

/* A detector with its timing and callbacks, idle until acd_start(). */
struct acd *
acd_new(struct event_base *base, const struct acd_timing *t,
    const struct acd_cb *cb)
{
	struct acd	*acd;

	if ((acd = calloc(1, sizeof(*acd))) == NULL)
		return (NULL);
	acd->base = base;
	acd->t = *t;
	acd->cb = *cb;
	acd->fd = -1;
	if ((acd->ev_timer = evtimer_new(base, timer_cb, acd)) == NULL) {
		free(acd);
		return (NULL);
	}
	return (acd);
}

/*
 * Start on an interface: probe for addr, or, when the address is already
 * ours (claimed != 0), announce and defend at once.  Returns 0, or -errno
 * when the packet socket cannot be opened (-EPERM: no CAP_NET_RAW).
 */
int
acd_start(struct acd *acd, int ifindex, const char *ifname,
    const uint8_t mac[ADDR_MAC_LEN], struct in_addr addr, int claimed)
{
	struct sockaddr_ll	 sll;
	int			 fd, e;

	acd_stop(acd);
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    htons(ETHERTYPE_ARP));
	if (fd == -1)
		return (-errno);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETHERTYPE_ARP);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		e = errno;
		close(fd);
		return (-e);
	}
	acd->ev_read = event_new(acd->base, fd, EV_READ | EV_PERSIST,
	    read_cb, acd);
	if (acd->ev_read == NULL || event_add(acd->ev_read, NULL) == -1) {
		if (acd->ev_read != NULL)
			event_free(acd->ev_read);
		acd->ev_read = NULL;
		close(fd);
		return (-ENOMEM);
	}
	acd->fd = fd;
	acd->ifindex = ifindex;
	snprintf(acd->ifname, sizeof(acd->ifname), "%s", ifname);
	memcpy(acd->mac, mac, ADDR_MAC_LEN);
	acd->addr = addr;
	acd->nconflicts = 0;
	/* The first conflict may be defended at once. */
	acd->last_defend = now_ms() - acd->t.defend_interval;
	if (claimed)
		start_announcing(acd);
	else
		start_probing(acd);
	return (0);
}

/* Stop: close the socket, cancel the timers, back to idle. */
void
acd_stop(struct acd *acd)
{
	if (acd == NULL)
		return;
	evtimer_del(acd->ev_timer);
	if (acd->ev_read != NULL) {
		event_free(acd->ev_read);
		acd->ev_read = NULL;
	}
	if (acd->fd != -1) {
		close(acd->fd);
		acd->fd = -1;
	}
	acd->state = ACD_IDLE;
}

/* Announce again (the address was restored after a removal). */
void
acd_announce(struct acd *acd)
{
	if (acd->state == ACD_DEFENDING || acd->state == ACD_ANNOUNCING)
		start_announcing(acd);
}

/* The current state. */
enum acd_state
acd_state(const struct acd *acd)
{
	return (acd->state);
}

/* The interface it runs on (0 when idle). */
int
acd_ifindex(const struct acd *acd)
{
	return (acd->state == ACD_IDLE ? 0 : acd->ifindex);
}

/* The MAC it sends with. */
const uint8_t *
acd_mac(const struct acd *acd)
{
	return (acd->mac);
}

/* The address it watches. */
struct in_addr
acd_addr(const struct acd *acd)
{
	return (acd->addr);
}

/* Packet counters. */
const struct acd_counters *
acd_counters(const struct acd *acd)
{
	return (&acd->ctr);
}

/* A state's name as published in the addresses table. */
const char *
acd_state_name(enum acd_state s)
{
	switch (s) {
	case ACD_IDLE:
		return ("idle");
	case ACD_PROBING:
		return ("probing");
	case ACD_ANNOUNCING:
		return ("announcing");
	case ACD_DEFENDING:
		return ("defending");
	case ACD_CONFLICT:
		return ("conflict");
	}
	return ("unknown");
}

/* Stop and free; NULL is fine. */
void
acd_free(struct acd *acd)
{
	if (acd == NULL)
		return;
	acd_stop(acd);
	event_free(acd->ev_timer);
	free(acd);
}
