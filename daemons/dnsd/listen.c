/*
 * SPDX-License-Identifier: ISC
 *
 * listen.c: the sockets clients talk to.  UDP is read and answered in
 * batches (recvmmsg/sendmmsg), so a busy resolver pays one system call
 * per batch instead of two per query; TCP takes pipelined queries (RFC
 * 7766), answers them as they complete, and bounds both the clients and
 * the queries each may have in flight.  listen_query() is the one
 * decision point every query passes: rate limit, parse, local names,
 * cache, then upstream.  Never blocks, never allocates for a cache hit.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "conf.h"
#include "log.h"
#include "dnswire.h"
#include "dnsd.h"

#define UDP_OUT_CAP	1536	/* >= DNS_EDNS_SIZE + an OPT record */
/*
 * A query is a header, one name and at most an OPT record: even padded
 * (RFC 8467) it stays far below this.  Larger datagrams arrive cut
 * (MSG_TRUNC) and are dropped as malformed.  Each buffer of the batch is
 * touched by every busy batch, so their size is resident memory.
 */
#define UDP_IN_CAP	2048

/*
 * Write an empty answer with the given rcode for a parsed query; an
 * extended rcode (BADVERS) puts its upper bits in the OPT record.
 */
size_t
listen_error(const struct dns_query *q, unsigned int rcode, uint8_t *out,
    size_t cap)
{
	struct dns_wr	 w;
	struct dns_header h;

	dns_wr_init(&w, out, cap);
	memset(&h, 0, sizeof(h));
	h.id = q->hdr.id;
	h.flags = DNS_F_QR | DNS_F_RA | (q->hdr.flags & (DNS_F_OPCODE |
	    DNS_F_RD | DNS_F_CD)) | (rcode & DNS_F_RCODE);
	h.qdcount = 1;
	h.arcount = q->edns.present ? 1 : 0;
	if (dns_put_header(&w, &h) < 0 ||
	    dns_put_bytes(&w, q->qname, q->qnamelen) < 0 ||
	    dns_put_u16(&w, q->qtype) < 0 || dns_put_u16(&w, q->qclass) < 0)
		return (0);
	if (q->edns.present && dns_put_opt_ext(&w, DNS_EDNS_SIZE,
	    q->edns.flags, rcode, 0, NULL, 0) < 0)
		return (0);
	return (w.pos);
}

/*
 * A query that could not be parsed but whose header could: FORMERR with
 * the header alone (RFC 1035 4.1.1), as there is no question we could
 * trust.  The exception is a query without a question that carries a
 * COOKIE: that is a client asking for our server cookie (RFC 7873 5.4),
 * answered NOERROR with the client's cookie and ours.
 */
static size_t
listen_formerr(struct dnsd *dd, const struct dnsd_req *req, int parsed,
    uint8_t *out, size_t cap)
{
	const struct dns_query *q = &req->q;
	struct dns_wr	 w;
	struct dns_header h;
	uint8_t		 cookie[DNS_COOKIE_CLIENT + 16];
	int		 answer = parsed == -ENODATA && q->edns.present &&
			    q->edns.cookie_len >= DNS_COOKIE_CLIENT;

	dns_wr_init(&w, out, cap);
	memset(&h, 0, sizeof(h));
	h.id = q->hdr.id;
	h.flags = DNS_F_QR | DNS_F_RA | (q->hdr.flags & (DNS_F_OPCODE |
	    DNS_F_RD | DNS_F_CD)) | (answer ? 0 : DNS_R_FORMERR);
	h.arcount = answer ? 1 : 0;
	if (dns_put_header(&w, &h) < 0)
		return (0);
	if (answer) {
		memcpy(cookie, req->pkt + q->edns.cookie_off,
		    DNS_COOKIE_CLIENT);
		cookie_server(cookie, &req->from, (uint32_t)(dd->wall_ms /
		    1000), cookie + DNS_COOKIE_CLIENT);
		if (dns_put_opt_ext(&w, DNS_EDNS_SIZE, q->edns.flags, 0,
		    DNS_OPT_COOKIE, cookie, sizeof(cookie)) < 0)
			return (0);
	}
	return (w.pos);
}

/*
 * Handle one client query: returns the length of an immediate answer in
 * out, or 0 when there is none now (dropped, or forwarded: the answer
 * comes later through listen_send()).
 */
int
listen_query(struct dnsd *dd, struct dnsd_req *req, uint8_t *out,
    size_t cap)
{
	const struct hgw_conf	*conf = dd->conf;
	struct dns_query	*q = &req->q;
	struct cache_entry	*e;
	size_t			 n;
	int			 r;

	dd->st.queries++;
	if (conf->dns.rate_limit > 0 && stats_ratelimit(dd, &req->from)) {
		dd->st.ratelimited++;
		return (0);
	}
	if ((r = dns_query_parse(req->pkt, req->len, q)) != 0 ||
	    (q->hdr.flags & DNS_F_QR)) {
		dd->st.dropped_malformed++;
		/* Never answer an answer, nor what has no header. */
		if (req->len < DNS_HDR_LEN || (q->hdr.flags & DNS_F_QR))
			return (0);
		return ((int)listen_formerr(dd, req, r, out, cap));
	}
	req->start_us = dd->now_us;
	if (req->tcp != NULL)
		req->limit = DNS_MSG_MAX;
	else if (q->edns.present)
		req->limit = q->edns.udp_size < DNS_UDP_MIN ? DNS_UDP_MIN :
		    q->edns.udp_size > DNS_EDNS_SIZE ? DNS_EDNS_SIZE :
		    q->edns.udp_size;
	else
		req->limit = DNS_UDP_MIN;
	req->keylen = cache_key(q, req->key, &req->hash);
	if ((q->hdr.flags & DNS_F_OPCODE) != 0) {
		n = listen_error(q, DNS_R_NOTIMP, out, cap);
		goto done_local;
	}
	/* RFC 6891 6.1.3: only version 0 is understood. */
	if (q->edns.present && q->edns.version != 0) {
		n = listen_error(q, DNS_R_BADVERS, out, cap);
		goto done_local;
	}
	/* Our upstreams and local zones are IN only, as unbound's are. */
	if (q->qclass != DNS_C_IN) {
		n = listen_error(q, DNS_R_REFUSED, out, cap);
		goto done_local;
	}
	if (q->qtype == DNS_T_ANY) {
		n = local_any(q, out, cap);
		goto done_local;
	}
	if (q->qtype == DNS_T_AXFR || q->qtype == 251 /* IXFR */) {
		n = listen_error(q, DNS_R_REFUSED, out, cap);
		goto done_local;
	}
	if ((n = local_answer(dd, req, out, cap)) > 0)
		goto done_local;
	if ((n = block_query(dd, req, out, cap)) > 0)
		return ((int)n);

	e = cache_lookup(dd->cache, req->key, req->keylen, req->hash,
	    dd->now_s, 0);
	if (e != NULL) {
		dd->st.cache_hits++;
		n = cache_write_entry(e, dd->now_s, q, req->limit, out, cap);
		if (n > 0 && (out[2] & (DNS_F_TC >> 8)))
			dd->st.truncated++;
		if (e->rcode == DNS_R_NXDOMAIN)
			dd->st.nxdomain++;
		/*
		 * Refresh popular names in their last tenth of life (the
		 * last second for short TTLs), so they never expire.
		 */
		if (conf->dns.prefetch && !e->prefetching && e->hits >= 2 &&
		    e->expires - dd->now_s <= (e->ttl >= 10 ?
		    (int64_t)e->ttl / 10 : 1)) {
			e->prefetching = 1;
			upstream_prefetch(dd, req);
		}
		stats_log(dd, &req->from, req->key, q->qnamelen, q->qtype,
		    e->rcode, SRC_CACHE, -1, 0);
		names_note(dd, &req->from, out, n);
		dtrace_answer(dd, &req->from, req->tcp != NULL, out, n,
		    SRC_CACHE, -1, 0);
		return ((int)n);
	}
	dd->st.cache_misses++;
	if (upstream_query(dd, req) == 0)
		return (0);
	dd->st.overload++;
	dd->st.servfail++;
	n = listen_error(q, DNS_R_SERVFAIL, out, cap);
	stats_log(dd, &req->from, req->key, q->qnamelen, q->qtype,
	    DNS_R_SERVFAIL, SRC_ERROR, -1, 0);
	dtrace_answer(dd, &req->from, req->tcp != NULL, out, n, SRC_ERROR,
	    -1, 0);
	return ((int)n);
done_local:
	dd->st.local++;
	if (n > 0) {
		stats_log(dd, &req->from, req->key, q->qnamelen, q->qtype,
		    out[3] & DNS_F_RCODE, SRC_LOCAL, -1, 0);
		names_note(dd, &req->from, out, n);
		dtrace_answer(dd, &req->from, req->tcp != NULL, out, n,
		    SRC_LOCAL, -1, 0);
	}
	return ((int)n);
}

/* Send an answer to a client, over UDP from l or on its TCP connection. */
void
listen_send(struct dnsd *dd, struct dnsd_listener *l, struct dnsd_tcp *t,
    const struct sockaddr_storage *to, socklen_t tolen, const uint8_t *buf,
    size_t len)
{
	uint8_t	 lenb[2];

	if (t != NULL) {
		if (t->closed || t->bev == NULL)
			return;
		lenb[0] = (uint8_t)(len >> 8);
		lenb[1] = (uint8_t)(len & 0xff);
		bufferevent_write(t->bev, lenb, 2);
		bufferevent_write(t->bev, buf, len);
		return;
	}
	if (l != NULL && sendto(l->udp_fd, buf, len, MSG_DONTWAIT,
	    (const struct sockaddr *)to, tolen) == -1)
		log_debug("%s: sendto: %s", __func__, strerror(errno));
}

/* One recvmmsg batch: answer what can be answered now, in one sendmmsg. */
static int
udp_batch(struct dnsd_listener *l, int fd)
{
	static struct mmsghdr	 in[DNSD_UDP_BATCH], outm[DNSD_UDP_BATCH];
	static struct iovec	 iov[DNSD_UDP_BATCH], oiov[DNSD_UDP_BATCH];
	static struct sockaddr_storage from[DNSD_UDP_BATCH];
	static uint8_t		 bufs[DNSD_UDP_BATCH][UDP_IN_CAP];
	static uint8_t		 obufs[DNSD_UDP_BATCH][UDP_OUT_CAP];
	static struct dnsd_req	 req;
	struct dnsd		*dd = l->dnsd;
	int			 i, n, k = 0, sent, r;

	for (i = 0; i < DNSD_UDP_BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		memset(&in[i].msg_hdr, 0, sizeof(in[i].msg_hdr));
		in[i].msg_hdr.msg_iov = &iov[i];
		in[i].msg_hdr.msg_iovlen = 1;
		in[i].msg_hdr.msg_name = &from[i];
		in[i].msg_hdr.msg_namelen = sizeof(from[i]);
	}
	n = recvmmsg(fd, in, DNSD_UDP_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return (0);
	dnsd_clock(dd);
	for (i = 0; i < n; i++) {
		req.pkt = bufs[i];
		req.len = in[i].msg_len;
		/* A datagram larger than our buffer was cut: oversize. */
		if (in[i].msg_hdr.msg_flags & MSG_TRUNC) {
			dd->st.queries++;
			dd->st.dropped_malformed++;
			continue;
		}
		req.l = l;
		req.tcp = NULL;
		memcpy(&req.from, &from[i], in[i].msg_hdr.msg_namelen);
		req.fromlen = in[i].msg_hdr.msg_namelen;
		dd->st.udp++;
		r = listen_query(dd, &req, obufs[k], UDP_OUT_CAP);
		if (r <= 0)
			continue;
		oiov[k].iov_base = obufs[k];
		oiov[k].iov_len = (size_t)r;
		memset(&outm[k].msg_hdr, 0, sizeof(outm[k].msg_hdr));
		outm[k].msg_hdr.msg_iov = &oiov[k];
		outm[k].msg_hdr.msg_iovlen = 1;
		outm[k].msg_hdr.msg_name = &from[i];
		outm[k].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
		k++;
	}
	for (sent = 0; sent < k; ) {
		r = sendmmsg(fd, outm + sent, (unsigned int)(k - sent),
		    MSG_DONTWAIT);
		if (r <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			/* Socket buffer full or a dead peer: skip one. */
			sent++;
			continue;
		}
		sent += r;
	}
	return (n);
}

/*
 * The UDP socket is readable.  Under load a full batch means more is
 * waiting: take a few more batches before going back to epoll, but not
 * so many that TCP clients and upstream replies wait.
 */
static void
udp_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	int	 i;

	for (i = 0; i < 4; i++)
		if (udp_batch(arg, fd) < DNSD_UDP_BATCH)
			break;
}

static void
tcp_close(struct dnsd_tcp *t)
{
	struct dnsd	*dd = t->dnsd;

	if (t->closed)
		return;
	t->closed = 1;
	bufferevent_free(t->bev);
	t->bev = NULL;
	TAILQ_REMOVE(&dd->tcps, t, entry);
	dd->ntcp--;
	if (t->inflight == 0)
		free(t);
}

/*
 * May we read another query from this client?  Not while it has too many
 * in flight, and not while more than DNSD_TCP_OUT_MAX bytes of answers
 * wait for it to read: a client pipelining queries without reading the
 * answers would otherwise grow its output buffer without bound.
 */
static int
tcp_may_read(struct dnsd_tcp *t)
{
	return (t->inflight < DNSD_TCP_INFLIGHT &&
	    evbuffer_get_length(bufferevent_get_output(t->bev)) <=
	    DNSD_TCP_OUT_MAX);
}

/* Take queries again if reading was paused and may go on now. */
static void
tcp_resume(struct dnsd_tcp *t)
{
	if (!(bufferevent_get_enabled(t->bev) & EV_READ) && tcp_may_read(t)) {
		bufferevent_enable(t->bev, EV_READ);
		bufferevent_trigger(t->bev, EV_READ, BEV_TRIG_DEFER_CALLBACKS);
	}
}

/* A TCP query was answered or abandoned: free or resume the connection. */
void
listen_tcp_done(struct dnsd_tcp *t)
{
	if (t->inflight > 0)
		t->inflight--;
	if (t->closed) {
		if (t->inflight == 0)
			free(t);
		return;
	}
	tcp_resume(t);
}

/* Part of a query is in: its whole must follow within DNSD_TCP_FRAME_S. */
static void
tcp_partial(struct dnsd_tcp *t, struct evbuffer *in)
{
	if (evbuffer_get_length(in) > 0 && t->frame_us == 0)
		t->frame_us = t->dnsd->now_us;
}

static void
tcp_read_cb(struct bufferevent *bev, void *arg)
{
	static uint8_t		 out[DNS_MSG_MAX + DNS_OPT_LEN];
	static struct dnsd_req	 req;
	struct dnsd_tcp		*t = arg;
	struct dnsd		*dd = t->dnsd;
	struct evbuffer		*in = bufferevent_get_input(bev);
	uint8_t			 lenb[2], *p;
	size_t			 len;
	int			 n;

	dnsd_clock(dd);
	for (;;) {
		if (!tcp_may_read(t)) {
			bufferevent_disable(bev, EV_READ);
			return;
		}
		if (evbuffer_copyout(in, lenb, 2) != 2) {
			tcp_partial(t, in);
			return;
		}
		len = (size_t)(lenb[0] << 8 | lenb[1]);
		if (len < DNS_HDR_LEN) {
			dd->st.queries++;
			dd->st.dropped_malformed++;
			tcp_close(t);
			return;
		}
		if (evbuffer_get_length(in) < 2 + len) {
			tcp_partial(t, in);
			return;
		}
		t->last_us = dd->now_us;
		t->frame_us = 0;
		if ((p = evbuffer_pullup(in, (ssize_t)(2 + len))) == NULL) {
			tcp_close(t);
			return;
		}
		req.pkt = p + 2;
		req.len = len;
		req.l = NULL;
		req.tcp = t;
		memcpy(&req.from, &t->peer, t->peerlen);
		req.fromlen = t->peerlen;
		dd->st.tcp++;
		n = listen_query(dd, &req, out, sizeof(out));
		evbuffer_drain(in, 2 + len);
		if (n > 0) {
			lenb[0] = (uint8_t)(n >> 8);
			lenb[1] = (uint8_t)(n & 0xff);
			bufferevent_write(bev, lenb, 2);
			bufferevent_write(bev, out, (size_t)n);
		}
	}
}

/* The client read its answers down to nothing: resume if paused. */
static void
tcp_write_cb(struct bufferevent *bev, void *arg)
{
	tcp_resume(arg);
}

static void
tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	tcp_close(arg);
}

static int
same_client(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return (0);
	if (a->ss_family == AF_INET)
		return (memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)(const void *)b)->sin_addr,
		    4) == 0);
	if (a->ss_family == AF_INET6)
		return (memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr,
		    16) == 0);
	return (0);
}

/*
 * The connection to give up for a newcomer: the one that has gone
 * longest without sending a whole query (idle, or dripping one byte at a
 * time), preferring one with nothing in flight.  With client set, only
 * among that client's connections.  Counts that client's connections.
 */
static struct dnsd_tcp *
tcp_victim(struct dnsd *dd, const struct sockaddr *client,
    unsigned int *nclient)
{
	struct dnsd_tcp	*t, *v = NULL;

	*nclient = 0;
	TAILQ_FOREACH(t, &dd->tcps, entry) {
		if (client != NULL) {
			if (!same_client(&t->peer, client))
				continue;
			(*nclient)++;
		}
		if (v == NULL || (t->inflight == 0 && v->inflight > 0) ||
		    ((t->inflight == 0) == (v->inflight == 0) &&
		    t->last_us < v->last_us))
			v = t;
	}
	return (v);
}

/*
 * Once a second: close connections that began a query more than
 * DNSD_TCP_FRAME_S ago and have not finished it (the idle timeout alone
 * would let a client keep a slot for good by sending a byte now and
 * then).  Connections we stopped reading are not theirs to blame.
 */
static void
tcp_sweep_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct dnsd	*dd = arg;
	struct dnsd_tcp	*t, *next;

	dnsd_clock(dd);
	for (t = TAILQ_FIRST(&dd->tcps); t != NULL; t = next) {
		next = TAILQ_NEXT(t, entry);
		if (t->frame_us != 0 &&
		    dd->now_us - t->frame_us > DNSD_TCP_FRAME_S * 1000000LL &&
		    (bufferevent_get_enabled(t->bev) & EV_READ)) {
			log_debug("%s: TCP client too slow to send a query",
			    __func__);
			tcp_close(t);
		}
	}
}

static void
tcp_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct dnsd_listener	*l = arg;
	struct dnsd		*dd = l->dnsd;
	struct dnsd_tcp		*t, *v;
	struct timeval		 tv = { DNSD_TCP_IDLE_S, 0 };
	unsigned int		 n;

	dnsd_clock(dd);
	/*
	 * Make room rather than turn the newcomer away: a client at its own
	 * limit gives up its idlest connection, and when every slot is taken
	 * the idlest of all goes.
	 */
	if ((v = tcp_victim(dd, sa, &n)) != NULL && n >= DNSD_TCP_PER_CLIENT)
		tcp_close(v);
	if (dd->ntcp >= DNSD_TCP_MAX &&
	    (v = tcp_victim(dd, NULL, &n)) != NULL) {
		dd->st.overload++;
		tcp_close(v);
	}
	if (dd->ntcp >= DNSD_TCP_MAX || (t = calloc(1, sizeof(*t))) == NULL) {
		dd->st.overload++;
		close(fd);
		return;
	}
	t->dnsd = dd;
	t->last_us = dd->now_us;
	memcpy(&t->peer, sa, (size_t)salen);
	t->peerlen = (socklen_t)salen;
	t->bev = bufferevent_socket_new(dd->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (t->bev == NULL) {
		close(fd);
		free(t);
		return;
	}
	TAILQ_INSERT_TAIL(&dd->tcps, t, entry);
	dd->ntcp++;
	bufferevent_setcb(t->bev, tcp_read_cb, tcp_write_cb, tcp_event_cb,
	    t);
	bufferevent_set_timeouts(t->bev, &tv, &tv);
	bufferevent_enable(t->bev, EV_READ | EV_WRITE);
}

static int
sock_open(const struct hgw_endpoint *ep, int type)
{
	int	 fd, on = 1, sz = 4 << 20;

	fd = socket(ep->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return (-1);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* The LAN address may not be configured yet (addrd applies it). */
	if (ep->ss.ss_family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &on, sizeof(on));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (type == SOCK_DGRAM &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(fd, (const struct sockaddr *)&ep->ss, ep->len) == -1 ||
	    (type == SOCK_STREAM && listen(fd, 128) == -1)) {
		int	 saved = errno;

		close(fd);
		errno = saved;
		return (-1);
	}
	return (fd);
}

/* Open UDP and TCP sockets on every [dns] listen address. */
int
listen_open(struct dnsd *dd)
{
	const struct hgw_conf	*conf = dd->conf;
	struct dnsd_listener	*l;
	char			 buf[ADDR_STRLEN];
	unsigned int		 i;
	struct timeval		 sweep = { 1, 0 };

	TAILQ_INIT(&dd->tcps);
	if ((dd->ev_tcp_sweep = event_new(dd->base, -1, EV_PERSIST,
	    tcp_sweep_cb, dd)) == NULL ||
	    event_add(dd->ev_tcp_sweep, &sweep) == -1) {
		log_warnx("cannot add the TCP timer");
		return (-1);
	}
	for (i = 0; i < conf->dns.nlisten && i < 16; i++) {
		l = &dd->listeners[i];
		l->dnsd = dd;
		l->ep = conf->dns.listen[i];
		addr_fmt_endpoint(&l->ep, buf, sizeof(buf));
		if ((l->udp_fd = sock_open(&l->ep, SOCK_DGRAM)) == -1) {
			log_warn("cannot listen on udp %s", buf);
			return (-1);
		}
		if ((l->tcp_fd = sock_open(&l->ep, SOCK_STREAM)) == -1) {
			log_warn("cannot listen on tcp %s", buf);
			close(l->udp_fd);
			return (-1);
		}
		dd->nlisteners++;
		l->ev_udp = event_new(dd->base, l->udp_fd, EV_READ | EV_PERSIST,
		    udp_read_cb, l);
		l->tcp = evconnlistener_new(dd->base, tcp_accept_cb, l,
		    LEV_OPT_CLOSE_ON_FREE, -1, l->tcp_fd);
		if (l->ev_udp == NULL || l->tcp == NULL ||
		    event_add(l->ev_udp, NULL) == -1) {
			log_warnx("cannot add events for %s", buf);
			return (-1);
		}
		log_info("listening on %s (udp, tcp)", buf);
	}
	return (0);
}

/* Close every listener and TCP client. */
void
listen_close(struct dnsd *dd)
{
	struct dnsd_tcp	*t;
	unsigned int	 i;

	while ((t = TAILQ_FIRST(&dd->tcps)) != NULL)
		tcp_close(t);
	if (dd->ev_tcp_sweep != NULL) {
		event_free(dd->ev_tcp_sweep);
		dd->ev_tcp_sweep = NULL;
	}
	for (i = 0; i < dd->nlisteners; i++) {
		struct dnsd_listener *l = &dd->listeners[i];

		if (l->ev_udp != NULL)
			event_free(l->ev_udp);
		if (l->tcp != NULL)
			evconnlistener_free(l->tcp);
		else if (l->tcp_fd != -1)
			close(l->tcp_fd);
		close(l->udp_fd);
	}
	dd->nlisteners = 0;
}
