/*
 * SPDX-License-Identifier: ISC
 *
 * atrace.c: arpd's part of a trace (common/trace.h).  While a trace of a
 * host runs, every ARP request and reply on the LAN that the host sends,
 * or that asks for or answers it, is recorded from the packet socket,
 * outgoing frames included, with who answered: the gateway for its own
 * address, the gateway as proxy for another, or a host.  With no trace
 * running this costs one comparison per frame.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "addr.h"
#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "trace.h"
#include "arpd.h"

#define ATRACE_MATCH	(2 * TRACE_RUNNING_MAX)

static int
add_ids(int64_t *ids, int n, const int64_t *more, int nmore)
{
	int	 i, j;

	for (i = 0; i < nmore; i++) {
		for (j = 0; j < n; j++)
			if (ids[j] == more[i])
				break;
		if (j == n && n < ATRACE_MATCH)
			ids[n++] = more[i];
	}
	return (n);
}

/*
 * When the frame read last from fd went through the interface: the
 * kernel's stamp (on since the trace started, see changed_cb), so that
 * steps recorded by different daemons fall in their true order; the
 * time now when there is none.
 */
static int64_t
frame_time(int fd)
{
	struct timeval	 tv;

	if (fd >= 0 && ioctl(fd, SIOCGSTAMP, &tv) == 0)
		return ((int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000);
	return (state_now_ms());
}

/* A frame read from fd: record it if it concerns a traced host. */
void
atrace_frame(struct arpd *a, int fd, const uint8_t *buf, size_t len)
{
	struct arp_frame f;
	struct trace_buf b = { 0 };
	int64_t		 ids[ATRACE_MATCH], m[ATRACE_MATCH], t;
	char		 sip[INET_ADDRSTRLEN], tip[INET_ADDRSTRLEN];
	char		 smac[ADDR_MAC_STRLEN], tmac[ADDR_MAC_STRLEN];
	const char	*by, *data;
	int		 n = 0, k, r;

	if (!trace_recorder_active(a->trace) ||
	    packet_parse(buf, len, &f) < 0)
		return;
	/* The host as sender (by MAC or address) or as target. */
	k = trace_recorder_match_mac(a->trace, f.sha, m, ATRACE_MATCH);
	n = add_ids(ids, n, m, k);
	k = trace_recorder_match(a->trace, AF_INET, &f.spa, m, ATRACE_MATCH);
	n = add_ids(ids, n, m, k);
	k = trace_recorder_match(a->trace, AF_INET, &f.tpa, m, ATRACE_MATCH);
	n = add_ids(ids, n, m, k);
	if (f.op == ARP_OP_REPLY) {
		k = trace_recorder_match_mac(a->trace, f.tha, m, ATRACE_MATCH);
		n = add_ids(ids, n, m, k);
	}
	if (n == 0)
		return;
	addr_fmt_ip4(f.spa, sip);
	addr_fmt_ip4(f.tpa, tip);
	addr_fmt_mac(f.sha, smac);
	addr_fmt_mac(f.tha, tmac);
	trace_buf_add(&b, "{\"ifname\":", 10);
	trace_buf_json_str(&b, a->ifname);
	trace_buf_printf(&b, ",\"sender_ip\":\"%s\",\"sender_mac\":\"%s\","
	    "\"target_ip\":\"%s\"", sip, smac, tip);
	if (f.op == ARP_OP_REPLY) {
		if (memcmp(f.sha, a->mac, ADDR_MAC_LEN) != 0)
			by = "host";
		else if (f.spa.s_addr == a->conf->lan.addr.s_addr)
			by = "gateway";
		else
			by = "proxy";
		trace_buf_printf(&b, ",\"target_mac\":\"%s\",\"by\":\"%s\"",
		    tmac, by);
	}
	trace_buf_add(&b, "}", 1);
	t = frame_time(fd);
	if ((data = trace_buf_str(&b)) != NULL)
		for (r = 0; r < n; r++)
			trace_recorder_add(a->trace, ids[r], t,
			    "arp", f.op == ARP_OP_REPLY ? "reply" : "request",
			    NULL, data);
	trace_buf_free(&b);
}

static void
out_read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct arpd	*a = arg;
	uint8_t		 buf[2048];
	ssize_t		 n;
	int		 i;

	(void)events;
	wire_drain(a);
	for (i = 0; i < 64; i++) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) <= 0)
			break;
		atrace_frame(a, fd, buf, (size_t)n);
	}
}

static void
out_close(struct arpd *a)
{
	if (a->ev_out != NULL)
		event_free(a->ev_out);
	a->ev_out = NULL;
	if (a->out_fd >= 0)
		close(a->out_fd);
	a->out_fd = -1;
}

/* A trace started or ended: watch outgoing ARP only while one runs. */
static void
changed_cb(void *arg)
{
	struct arpd	*a = arg;
	int		 fd;

	if (!trace_recorder_active(a->trace)) {
		out_close(a);
		return;
	}
	if (a->out_fd >= 0)
		return;
	if ((fd = packet_open_outgoing(a->ifindex)) < 0) {
		log_warnx("cannot watch the gateway's own ARP replies for a "
		    "trace: %s", strerror(-fd));
		return;
	}
	/*
	 * Stamps for frame_time(): the first SIOCGSTAMP turns them on for
	 * the socket (and answers ENOENT).  Not SO_TIMESTAMP: with it the
	 * kernel hands stamps only as control messages and SIOCGSTAMP
	 * would keep answering the time of the call.
	 */
	(void)frame_time(fd);
	(void)frame_time(a->pkt_fd);
	a->out_fd = fd;
	a->ev_out = event_new(a->d->base, fd, EV_READ | EV_PERSIST,
	    out_read_cb, a);
	if (a->ev_out == NULL || event_add(a->ev_out, NULL) == -1)
		out_close(a);
}

/* Follow traces: poll homegw.db for them. */
int
atrace_start(struct arpd *a)
{
	a->out_fd = -1;
	a->trace = trace_recorder_new(a->d->base, a->d->persist, "arpd",
	    changed_cb, a);
	return (a->trace == NULL ? -1 : 0);
}

/* After daemon.c reopened homegw.db. */
void
atrace_reopen(struct arpd *a, enum hgw_db which)
{
	if (which == HGW_DB_PERSIST)
		trace_recorder_set_db(a->trace, a->d->persist);
}

/* Write what is buffered (the final flush). */
void
atrace_flush(struct arpd *a)
{
	trace_recorder_flush(a->trace);
}

/* Stop following traces. */
void
atrace_stop(struct arpd *a)
{
	out_close(a);
	trace_recorder_free(a->trace);
	a->trace = NULL;
}
