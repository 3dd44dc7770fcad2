/*
 * SPDX-License-Identifier: ISC
 *
 * wire.c: the daemon's side of the ARP socket.  Reads frames from the
 * AF_PACKET socket that packet.c opened, drops and counts malformed ones,
 * feeds every sender (MAC, address) to the watch, and answers requests
 * for proxied addresses on the LAN segment itself, which the kernel's
 * proxy ARP cannot do.  Frames we sent ourselves are ignored.
 */
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "addr.h"
#include "daemon.h"
#include "log.h"
#include "arpd.h"

#define WIRE_BUDGET	64	/* frames per wakeup */

static void
answer(struct arpd *a, const struct arp_frame *f)
{
	struct proxy_addr	*p;
	uint8_t			 buf[64];
	char			 ip[INET_ADDRSTRLEN];
	int			 len, r;

	/* Gratuitous ARPs and a host asking about itself need no answer. */
	if (f->op != ARP_OP_REQUEST || f->spa.s_addr == f->tpa.s_addr)
		return;
	if ((p = proxy_find(a, f->tpa)) == NULL || !proxy_answer_here(a, p))
		return;
	if ((len = packet_build_reply(buf, sizeof(buf), f, a->mac,
	    f->tpa)) < 0)
		return;
	if ((r = packet_send(a->pkt_fd, a->ifindex, buf, (size_t)len)) < 0) {
		log_debug("%s: reply for %s: %s", __func__,
		    addr_fmt_ip4(f->tpa, ip), strerror(-r));
		return;
	}
	a->proxy_replies++;
	publish_live_dirty(a);
}

static void
read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct arpd		*a = arg;
	struct sockaddr_ll	 sll;
	socklen_t		 slen;
	struct arp_frame	 f;
	uint8_t			 buf[2048];
	ssize_t			 n;
	int			 i;

	for (i = 0; i < WIRE_BUDGET; i++) {
		slen = sizeof(sll);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&sll,
		    &slen);
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn("arp socket read failed, continuing");
			break;
		}
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		atrace_frame(a, fd, buf, (size_t)n);
		a->frames++;
		if (packet_parse(buf, (size_t)n, &f) < 0) {
			a->malformed++;
			log_debug("%s: malformed ARP frame (%zd bytes) dropped",
			    __func__, n);
			publish_live_dirty(a);
			continue;
		}
		if (f.spa.s_addr != INADDR_ANY)
			mirror_observe(a, f.spa, f.sha,
			    f.spa.s_addr == f.tpa.s_addr);
		answer(a, &f);
	}
}

/*
 * Read what waits on the ARP socket now: before a trace records the
 * gateway's replies (another socket), the requests they answer.
 */
void
wire_drain(struct arpd *a)
{
	if (a->pkt_fd >= 0)
		read_cb(a->pkt_fd, EV_READ, a);
}

/* Watch the ARP socket from the event loop. */
int
wire_start(struct arpd *a)
{
	a->ev_pkt = event_new(a->d->base, a->pkt_fd, EV_READ | EV_PERSIST,
	    read_cb, a);
	if (a->ev_pkt == NULL || event_add(a->ev_pkt, NULL) == -1)
		return (-ENOMEM);
	return (0);
}

/* Stop watching and close the ARP socket. */
void
wire_stop(struct arpd *a)
{
	if (a->ev_pkt != NULL)
		event_free(a->ev_pkt);
	a->ev_pkt = NULL;
	if (a->pkt_fd != -1)
		close(a->pkt_fd);
	a->pkt_fd = -1;
}
