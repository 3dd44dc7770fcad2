/*
 * SPDX-License-Identifier: ISC
 *
 * upstream.c: forwarding.  Owns the upstream table (order, health,
 * backoff, conditional forwarding), the questions in flight, and the
 * rules that keep forged replies out (the DNSpooq lessons): each try goes
 * out on a fresh connected UDP socket bound to a random port with a
 * random ID from getrandom(2), the question's letters in a random case
 * (0x20) and a DNS cookie (RFC 7873); a reply counts only when it comes
 * from that exact address and port, carries that ID, repeats our
 * question byte for byte and, from a server that uses cookies, our
 * cookie; anything else is counted and ignored while the real reply may
 * still come.  A try's socket stays open after a retry went out, until
 * the question's deadline, and retries follow each server's measured
 * round trips.  One question (name, type, class, DO, CD) is in flight at
 * most once: later clients wait on it.  A truncated reply is retried over
 * TCP.  When every upstream fails the waiters get a stale answer (RFC
 * 8767) or SERVFAIL.
 */
#include <sys/types.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "conf.h"
#include "log.h"
#include "dnswire.h"
#include "dnsd.h"

#define BACKOFF_MIN_MS	1000
#define BACKOFF_MAX_MS	60000
#define FAILS_DOWN	3	/* consecutive failures before "down" */
#define RTO_MIN_MS	100	/* retry no sooner, however fast the server */
#define CAPS_MISS_MAX	3	/* wrong-case replies in a row: no 0x20 */
#define COOKIE_FORGET_S	600	/* no cookie from it this long: it stopped */
/* Our query: header, name, type, class, OPT with a full COOKIE. */
#define QUERY_MAX	(DNS_HDR_LEN + DNS_NAME_MAX + 4 + DNS_OPT_LEN + 4 + \
			    DNS_COOKIE_MAX)

static uint8_t	 rnd_pool[512];
static size_t	 rnd_left;

static void	 send_next(struct pending *);
static void	 fail(struct pending *);

/*
 * Refill the pool.  A request above 256 bytes may be cut short or fail
 * with EINTR when a signal arrives (libevent's signal handler, a SIGHUP),
 * so read until the pool is full; only a real error is fatal.
 */
static void
rnd_fill(void)
{
	size_t	 got = 0;
	ssize_t	 r;

	while (got < sizeof(rnd_pool)) {
		r = getrandom(rnd_pool + got, sizeof(rnd_pool) - got, 0);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			fatal("getrandom");
		}
		got += (size_t)r;
	}
	rnd_left = sizeof(rnd_pool);
}

/* Random bytes from getrandom(2), drawn in blocks. */
static void
rnd_bytes(void *out, size_t n)
{
	uint8_t	*o = out;

	while (n > 0) {
		if (rnd_left == 0)
			rnd_fill();
		*o++ = rnd_pool[--rnd_left];
		n--;
	}
}

static uint16_t
rnd_u16(void)
{
	uint16_t	 v;

	rnd_bytes(&v, sizeof(v));
	return (v);
}

static int
ep_equal(const struct hgw_endpoint *a, const struct hgw_endpoint *b)
{
	return (a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0);
}

/* Build the table from a config, keeping the figures of known servers. */
static void
table_build(struct dnsd *dd, const struct hgw_conf *conf)
{
	struct upstream	 old[32];
	unsigned int	 nold = dd->nupstreams, i, j, n = 0;

	memcpy(old, dd->upstreams, sizeof(old));
	memset(dd->upstreams, 0, sizeof(dd->upstreams));
	for (i = 0; i < conf->dns.nupstream && n < 32; i++, n++) {
		dd->upstreams[n].ep = conf->dns.upstream[i];
		dd->upstreams[n].zone = -1;
	}
	for (i = 0; i < conf->dns.nzones && n < 32; i++, n++) {
		dd->upstreams[n].ep = conf->dns.zones[i].upstream;
		dd->upstreams[n].zone = (int)i;
	}
	for (i = 0; i < n; i++) {
		struct upstream	*u = &dd->upstreams[i];

		u->position = (int)i;
		u->backoff_ms = BACKOFF_MIN_MS;
		rnd_bytes(u->ccookie, sizeof(u->ccookie));
		for (j = 0; j < nold; j++)
			if (ep_equal(&old[j].ep, &u->ep) &&
			    old[j].zone == u->zone) {
				*u = old[j];
				u->position = (int)i;
				break;
			}
		addr_fmt_endpoint(&u->ep, u->name, sizeof(u->name));
	}
	dd->nupstreams = n;
	dd->generation++;
}

/* Set up forwarding. */
int
upstream_init(struct dnsd *dd)
{
	TAILQ_INIT(&dd->pendings);
	dd->ptable_size = 4096;
	if ((dd->ptable = calloc(dd->ptable_size, sizeof(*dd->ptable))) ==
	    NULL)
		return (-1);
	table_build(dd, dd->conf);
	return (0);
}

/* Take the upstream list of a new config; questions in flight go on. */
void
upstream_reload(struct dnsd *dd, const struct hgw_conf *conf)
{
	table_build(dd, conf);
}

static void
slot_close(struct utry *t)
{
	if (t->ev != NULL) {
		event_free(t->ev);
		t->ev = NULL;
	}
	if (t->fd != -1) {
		close(t->fd);
		t->fd = -1;
	}
	if (t->p->cur == t)
		t->p->cur = NULL;
}

static int
slots_open(const struct pending *p)
{
	int	 i, n = 0;

	for (i = 0; i < DNSD_UDP_LIVE; i++)
		n += p->udp[i].fd != -1;
	return (n);
}

/* Close every try: the question is answered, or goes to TCP. */
static void
try_close(struct pending *p)
{
	int	 i;

	if (p->ev_timer != NULL)
		evtimer_del(p->ev_timer);
	for (i = 0; i < DNSD_UDP_LIVE; i++)
		slot_close(&p->udp[i]);
	if (p->bev != NULL) {
		bufferevent_free(p->bev);
		p->bev = NULL;
	}
}

/*
 * A try failed for good (an error reply, ICMP, a broken TCP stream):
 * close it; if it was the newest, try the next upstream now, else the
 * newest goes on.  Once nothing is left to try and no socket is open,
 * there is nothing to wait for.
 */
static void
try_failed(struct pending *p, struct utry *t)
{
	int	 newest = t == NULL || t == p->cur;

	if (t != NULL)
		slot_close(t);
	else if (p->bev != NULL) {
		bufferevent_free(p->bev);
		p->bev = NULL;
	}
	if (p->exhausted) {
		if (slots_open(p) == 0 && p->bev == NULL)
			fail(p);
		return;
	}
	if (newest) {
		evtimer_del(p->ev_timer);
		send_next(p);
	}
}

static void
pending_free(struct pending *p)
{
	struct dnsd	*dd = p->dnsd;
	struct pending	**pp;
	struct waiter	*w;

	try_close(p);
	if (p->ev_timer != NULL)
		event_free(p->ev_timer);
	for (pp = &dd->ptable[p->hash & (dd->ptable_size - 1)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == p) {
			*pp = p->hnext;
			break;
		}
	TAILQ_REMOVE(&dd->pendings, p, entry);
	dd->npending--;
	while ((w = TAILQ_FIRST(&p->waiters)) != NULL) {
		TAILQ_REMOVE(&p->waiters, w, entry);
		if (w->tcp != NULL)
			listen_tcp_done(w->tcp);
		free(w);
	}
	free(p->tcpbuf);
	free(p);
}

/* Drop everything in flight (at stop). */
void
upstream_free(struct dnsd *dd)
{
	struct pending	*p;

	while ((p = TAILQ_FIRST(&dd->pendings)) != NULL)
		pending_free(p);
	free(dd->ptable);
	dd->ptable = NULL;
}

static struct upstream *
cur_upstream(struct pending *p)
{
	if (p->generation != p->dnsd->generation || p->up < 0 ||
	    (unsigned int)p->up >= p->dnsd->nupstreams)
		return (NULL);
	return (&p->dnsd->upstreams[p->up]);
}

/*
 * An upstream going down or up is logged at once, and then at most once
 * a minute: an upstream that drops part of its answers (rate limiting a
 * flood of names) went down and up 10,000 times in four minutes, a
 * journal line each.  Changes held back are counted, and the state at
 * the end of the minute is logged with their count.
 */
#define SAY_EVERY_MS	60000

static void
upstream_say(struct dnsd *dd, struct upstream *u)
{
	int64_t		 now = dd->now_us / 1000;
	char		 more[64] = "";

	if (u->unsaid == 0 || (u->said_ms != 0 &&
	    now - u->said_ms < SAY_EVERY_MS))
		return;
	if (u->unsaid > 1)
		snprintf(more, sizeof(more), " (%u changes in the last "
		    "minute)", u->unsaid);
	if (u->down)
		log_warnx("upstream %s not answering, marked down%s",
		    u->name, more);
	else if (u->said_down)
		log_info("upstream %s answers again%s", u->name, more);
	else
		log_info("upstream %s answering, after going down and up%s",
		    u->name, more);
	u->said_down = u->down;
	u->said_ms = now != 0 ? now : 1;
	u->unsaid = 0;
}

void
upstream_say_all(struct dnsd *dd)
{
	unsigned int	 i;

	for (i = 0; i < dd->nupstreams; i++)
		upstream_say(dd, &dd->upstreams[i]);
}

static void
health_fail(struct dnsd *dd, struct upstream *u)
{
	if (u == NULL)
		return;
	u->fails++;
	if (u->fails >= FAILS_DOWN) {
		if (!u->down) {
			u->down = 1;
			u->unsaid++;
			upstream_say(dd, u);
		} else if (u->backoff_ms < BACKOFF_MAX_MS)
			u->backoff_ms *= 2;
		u->retry_at_ms = dd->now_us / 1000 + u->backoff_ms;
	}
}

/*
 * The retry timer of an upstream, as unbound's infrastructure cache and
 * TCP (RFC 6298) keep it: smoothed RTT plus four times its mean
 * deviation, between RTO_MIN_MS and timeout_ms.  A sample is never
 * ambiguous: each try has its own socket and ID, so a reply tells which
 * send it answers.  An upstream not measured yet gets timeout_ms.
 */
static unsigned int
rto_ms(const struct dnsd *dd, const struct upstream *u)
{
	unsigned int	 max = dd->conf->dns.timeout_ms ?
			    dd->conf->dns.timeout_ms : 1000;
	unsigned int	 min = RTO_MIN_MS < max ? RTO_MIN_MS : max;

	if (u == NULL || u->rto_ms == 0)
		return (max);
	return (u->rto_ms < min ? min : u->rto_ms > max ? max : u->rto_ms);
}

static void
rtt_sample(struct dnsd *dd, struct upstream *u, int64_t rtt_us)
{
	uint32_t	 r, d;

	if (rtt_us <= 0)
		rtt_us = 1;
	r = rtt_us > 60000000 ? 60000000 : (uint32_t)rtt_us;
	if (u->srtt_us == 0) {
		u->srtt_us = r;
		u->rttvar_us = r / 2;
	} else {
		d = u->srtt_us > r ? u->srtt_us - r : r - u->srtt_us;
		u->rttvar_us = u->rttvar_us - u->rttvar_us / 4 + d / 4;
		u->srtt_us = u->srtt_us - u->srtt_us / 8 + r / 8;
	}
	u->rto_ms = (u->srtt_us + 4 * u->rttvar_us + 999) / 1000;
	u->rto_ms = rto_ms(dd, u);
}

/* A try timed out: back off, as TCP does, up to the bound. */
static void
rtt_timeout(struct dnsd *dd, struct upstream *u)
{
	if (u == NULL)
		return;
	u->rto_ms = rto_ms(dd, u) * 2;
	u->rto_ms = rto_ms(dd, u);
}

static void
health_ok(struct dnsd *dd, struct upstream *u, int64_t rtt_us)
{
	double	 ms = (double)rtt_us / 1000.0;
	int	 i;

	if (u->down) {
		u->down = 0;
		u->unsaid++;
		upstream_say(dd, u);
	}
	u->fails = 0;
	u->backoff_ms = BACKOFF_MIN_MS;
	u->answers++;
	u->latency_ms = u->latency_ms == 0 ? ms : u->latency_ms * 0.875 +
	    ms * 0.125;
	u->latency_sum_s += ms / 1000.0;
	for (i = 0; i < DNSD_LATENCY_BUCKETS; i++)
		if (ms <= dnsd_latency_le_ms[i])
			u->latency_le[i]++;
	u->last_ok = dd->wall_ms / 1000;
	rtt_sample(dd, u, rtt_us);
}

/* Which conditional-forwarding zone a name (lower case) falls in, or -1. */
static int
zone_for(const struct dnsd *dd, const uint8_t *name, size_t len)
{
	uint8_t		 z[DNS_NAME_MAX];
	unsigned int	 i;
	int		 n, best = -1, bestlen = 0;

	for (i = 0; i < dd->conf->dns.nzones; i++) {
		if ((n = dns_name_from_str(dd->conf->dns.zones[i].domain,
		    z)) < 0)
			continue;
		if (dns_name_under(name, len, z, (size_t)n) && n > bestlen) {
			best = (int)i;
			bestlen = n;
		}
	}
	return (best);
}

/* Answer one waiter from a wire answer and log it. */
static void
answer_waiter(struct dnsd *dd, struct pending *p, struct waiter *w,
    const uint8_t *wire, size_t len, const uint16_t *ttl_off,
    unsigned int nttl, int64_t elapsed, int stale, enum dnsd_source src)
{
	static uint8_t	 out[DNS_MSG_MAX];
	size_t		 n;
	unsigned int	 rcode = wire[3] & DNS_F_RCODE;

	n = cache_write(wire, len, ttl_off, nttl, elapsed, stale, w->id,
	    w->flags, w->qname, w->qnamelen, &w->edns, w->limit, out,
	    sizeof(out));
	if (n == 0)
		return;
	if (out[2] & (DNS_F_TC >> 8))
		dd->st.truncated++;
	if (rcode == DNS_R_SERVFAIL)
		dd->st.servfail++;
	else if (rcode == DNS_R_NXDOMAIN)
		dd->st.nxdomain++;
	listen_send(dd, w->l, w->tcp, &w->from, w->fromlen, out, n);
	stats_log(dd, &w->from, p->key, w->qnamelen, p->qtype, rcode, src,
	    src == SRC_UPSTREAM ? p->up : -1, dd->now_us - w->start_us);
	names_note(dd, &w->from, out, n);
	dtrace_answer(dd, &w->from, w->tcp != NULL, out, n, src,
	    src == SRC_UPSTREAM ? p->up : -1, dd->now_us - w->start_us);
}

/* Answer every waiter with an empty message of the given rcode. */
static void
answer_error(struct dnsd *dd, struct pending *p, unsigned int rcode)
{
	uint8_t		 wire[DNS_HDR_LEN + DNS_NAME_MAX + 4];
	size_t		 qlen = p->keylen - 5;
	struct waiter	*w;

	memset(wire, 0, DNS_HDR_LEN);
	wire[2] = (DNS_F_QR | DNS_F_RA) >> 8;
	wire[3] = (DNS_F_RA & 0xff) | (rcode & DNS_F_RCODE);
	wire[5] = 1;
	memcpy(wire + DNS_HDR_LEN, p->key, qlen + 4);
	TAILQ_FOREACH(w, &p->waiters, entry)
		answer_waiter(dd, p, w, wire, DNS_HDR_LEN + qlen + 4, NULL, 0,
		    0, 0, SRC_ERROR);
}

/* Let every waiter go: answered already, or not to be answered. */
static void
waiters_drop(struct pending *p)
{
	struct waiter	*w;

	while ((w = TAILQ_FIRST(&p->waiters)) != NULL) {
		TAILQ_REMOVE(&p->waiters, w, entry);
		if (w->tcp != NULL)
			listen_tcp_done(w->tcp);
		free(w);
	}
	p->nwaiters = 0;
}

/*
 * Answer the waiters from an expired copy (RFC 8767) if there is one and
 * let them go.  Returns whether there was one.
 */
static int
serve_stale(struct pending *p)
{
	struct dnsd		*dd = p->dnsd;
	struct cache_entry	*e;
	struct waiter		*w;

	if (!dd->conf->dns.serve_stale || TAILQ_EMPTY(&p->waiters))
		return (0);
	e = cache_lookup(dd->cache, p->key, p->keylen, p->hash, dd->now_s, 1);
	if (e == NULL)
		return (0);
	TAILQ_FOREACH(w, &p->waiters, entry) {
		dd->st.stale++;
		answer_waiter(dd, p, w, CACHE_WIRE(e), e->len,
		    CACHE_TTL_OFF(e), e->nttl, dd->now_s - e->inserted,
		    dd->now_s >= e->expires, SRC_STALE);
	}
	waiters_drop(p);
	return (1);
}

/*
 * Every upstream failed, or the deadline passed: a stale answer if we
 * have one, else SERVFAIL; REFUSED when every upstream refused.
 */
static void
fail(struct pending *p)
{
	struct dnsd		*dd = p->dnsd;

	/* Every upstream refused: say so (what unbound passes on too). */
	if (p->refused && !p->failed)
		answer_error(dd, p, DNS_R_REFUSED);
	else if (!serve_stale(p))
		answer_error(dd, p, DNS_R_SERVFAIL);
	pending_free(p);
}

/*
 * Nothing is left to try, but earlier tries may still be answered: wait
 * for them until the deadline.  Waiters that can have a stale answer get
 * it now, as they would have before; a late reply still refreshes the
 * cache.
 */
static void
exhausted(struct pending *p)
{
	struct dnsd	*dd = p->dnsd;
	int64_t		 left = p->deadline_us - dd->now_us;
	struct timeval	 tv;

	if (p->exhausted)
		return;
	if (left <= 0 || (slots_open(p) == 0 && p->bev == NULL) ||
	    (p->refused && !p->failed)) {
		fail(p);
		return;
	}
	p->exhausted = 1;
	serve_stale(p);
	tv.tv_sec = (time_t)(left / 1000000);
	tv.tv_usec = (suseconds_t)(left % 1000000);
	evtimer_add(p->ev_timer, &tv);
}

/*
 * A refusal is not cached, so a LAN client asking for a rebinding name
 * in a loop would write a warning per query: log at most one a minute,
 * with how many were refused meanwhile (all count in rebind_blocked).
 */
static void
log_rebind(struct dnsd *dd, const struct pending *p, const struct upstream *u)
{
	static int64_t	 last_s;
	static uint64_t	 quiet;
	static int	 logged;
	char		 name[DNS_NAME_STRLEN];

	if (logged && dd->now_s - last_s < 60) {
		quiet++;
		return;
	}
	dns_name_to_str(p->key, p->keylen - 5, name, sizeof(name));
	if (quiet > 0)
		log_warnx("refused \"%s\" from %s: points at a private "
		    "address (rebinding); %llu more refused since the last "
		    "report", name, u != NULL ? u->name : "?",
		    (unsigned long long)quiet);
	else
		log_warnx("refused \"%s\" from %s: points at a private "
		    "address (rebinding)", name, u != NULL ? u->name : "?");
	logged = 1;
	last_s = dd->now_s;
	quiet = 0;
}

/*
 * A reply passed the matching checks: cache it and answer the waiters.
 * t is the UDP try it answers (NULL: the TCP try); p->up and p->sent_us
 * name that try.
 */
static void
accept_reply(struct pending *p, struct utry *t, const uint8_t *buf,
    size_t len)
{
	static struct dns_msg	 m;
	static struct cache_msg	 cm;
	struct dnsd		*dd = p->dnsd;
	struct upstream		*u = cur_upstream(p);
	struct cache_policy	 pol;
	struct waiter		*w;
	unsigned int		 rcode;

	if (dns_msg_parse(buf, len, &m) != 0 || m.hdr.qdcount != 1) {
		p->failed = 1;
		dd->st.upstream_malformed++;
		if (u != NULL)
			u->errors++;
		try_failed(p, t);
		return;
	}
	if ((m.hdr.flags & DNS_F_TC) && t != NULL) {
		/* Both ways: our client may retry over TCP, and so do we. */
		p->tries--;
		p->tried &= ~(1U << p->up);
		try_close(p);
		p->exhausted = 0;
		p->tcp_next = 1;
		send_next(p);
		return;
	}
	rcode = m.hdr.flags & DNS_F_RCODE;
	if (rcode != DNS_R_NOERROR && rcode != DNS_R_NXDOMAIN) {
		if (rcode == DNS_R_REFUSED)
			p->refused = 1;
		else
			p->failed = 1;
		if (u != NULL)
			u->errors++;
		try_failed(p, t);
		return;
	}
	if (u != NULL)
		health_ok(dd, u, dd->now_us - p->sent_us);
	dd->st.upstream_answers++;
	memset(&pol, 0, sizeof(pol));
	pol.min_ttl = dd->conf->dns.min_ttl;
	pol.max_ttl = dd->conf->dns.max_ttl;
	pol.negative_ttl = dd->conf->dns.negative_ttl;
	pol.lan_addr = dd->conf->lan.addr;
	pol.lan_plen = dd->conf->lan.plen;
	/* Conditional zones may point at the LAN on purpose. */
	pol.rebind_protection = dd->conf->dns.rebind_protection &&
	    (u == NULL || u->zone < 0);
	if (cache_build(&m, &pol, &cm) != 0) {
		p->failed = 1;
		dd->st.upstream_malformed++;
		try_failed(p, t);
		return;
	}
	if (cm.rebind) {
		dd->st.rebind_blocked++;
		log_rebind(dd, p, u);
		answer_error(dd, p, DNS_R_REFUSED);
		pending_free(p);
		return;
	}
	if (cm.cacheable)
		cache_insert(dd->cache, p->key, p->keylen, p->hash, &cm,
		    dd->now_s);
	TAILQ_FOREACH(w, &p->waiters, entry)
		answer_waiter(dd, p, w, cm.wire, cm.len, cm.ttl_off, cm.nttl,
		    0, 0, SRC_UPSTREAM);
	pending_free(p);
}

#define MATCH_NO	0
#define MATCH_EXACT	1
#define MATCH_CASE	2	/* the name spelt otherwise (0x20) */

/*
 * Does a reply belong to a try (ID id, name spelt qname)?  The socket is
 * connected, so the kernel already matched the source address and port;
 * check the ID, the QR bit and the question, byte for byte.
 */
static int
reply_matches(const struct pending *p, uint16_t id, const uint8_t *qname,
    const uint8_t *buf, size_t len)
{
	size_t	 nlen = p->keylen - 5;

	if (len < DNS_HDR_LEN + nlen + 4)
		return (MATCH_NO);
	if ((buf[0] << 8 | buf[1]) != id || !(buf[2] & 0x80))
		return (MATCH_NO);
	if (buf[4] != 0 || buf[5] != 1)
		return (MATCH_NO);
	if (memcmp(buf + DNS_HDR_LEN + nlen, p->query + DNS_HDR_LEN + nlen,
	    4) != 0)
		return (MATCH_NO);
	if (memcmp(buf + DNS_HDR_LEN, qname, nlen) == 0)
		return (MATCH_EXACT);
	return (dns_name_equal(buf + DNS_HDR_LEN, nlen, qname, nlen) ?
	    MATCH_CASE : MATCH_NO);
}

/*
 * The cookie of a reply (RFC 7873 5.3): one that carries a COOKIE must
 * start with our client cookie, and its server cookie is kept for the
 * next query; once a server has sent us cookies, a reply without one is
 * not from it, unless no reply with one has come for COOKIE_FORGET_S (the
 * server was replaced or reconfigured) and this one passed every other
 * check, the case of the name included (may_forget): a forger would have
 * to guess all of port, ID and case.  Returns 0 for a reply to drop.
 */
static int
cookie_check(struct dnsd *dd, struct upstream *u, const uint8_t *buf,
    size_t len, int may_forget)
{
	static struct dns_msg	 m;
	size_t			 n;

	if (u == NULL)
		return (1);
	if (dns_msg_parse(buf, len, &m) != 0)
		return (1);	/* accept_reply() deals with it */
	if (!m.edns.present || m.edns.cookie_len == 0) {
		if (!u->cookies)
			return (1);
		if (!may_forget || dd->now_s - u->cookie_s < COOKIE_FORGET_S)
			return (0);
		log_warnx("upstream %s has sent no DNS cookie for %d s: "
		    "replies without one are accepted again", u->name,
		    COOKIE_FORGET_S);
		u->cookies = 0;
		u->scookielen = 0;
		return (1);
	}
	if (m.edns.cookie_len < 16 || memcmp(buf + m.edns.cookie_off,
	    u->ccookie, DNS_COOKIE_CLIENT) != 0)
		return (0);
	n = m.edns.cookie_len - DNS_COOKIE_CLIENT;
	memcpy(u->scookie, buf + m.edns.cookie_off + DNS_COOKIE_CLIENT, n);
	u->scookielen = (uint8_t)n;
	if (!u->cookies)
		log_info("upstream %s answers with DNS cookies: replies "
		    "without them are refused from now on", u->name);
	u->cookies = 1;
	u->cookie_s = dd->now_s;
	return (1);
}

/*
 * A reply carrying our ID spelt the name otherwise.  Either a forgery
 * that guessed the ID, or a server that does not keep case: after
 * CAPS_MISS_MAX in a row with no reply spelt right in between, take the
 * latter and stop randomising case toward it.
 */
static void
caps_miss(struct dnsd *dd, struct upstream *u)
{
	dd->st.dropped_unwanted++;
	if (u == NULL || u->no_caps)
		return;
	if (++u->caps_miss >= CAPS_MISS_MAX) {
		u->no_caps = 1;
		log_warnx("upstream %s does not keep the case of questions: "
		    "no 0x20 randomisation toward it", u->name);
	}
}

static void
udp_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	static uint8_t	 buf[DNS_MSG_MAX];
	struct utry	*t = arg;
	struct pending	*p = t->p;
	struct dnsd	*dd = p->dnsd;
	struct upstream	*u;
	struct sockaddr_storage ss;
	socklen_t	 sslen;
	ssize_t		 n;
	int		 i, match;

	dnsd_clock(dd);
	for (i = 0; i < 8; i++) {
		sslen = sizeof(ss);
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&ss, &sslen);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			/* ICMP unreachable: the upstream is not there. */
			p->failed = 1;
			p->up = t->generation == dd->generation ? t->up : -1;
			health_fail(dd, cur_upstream(p));
			try_failed(p, t);
			return;
		}
		if ((match = reply_matches(p, t->id, t->qname, buf,
		    (size_t)n)) == MATCH_NO) {
			dd->st.dropped_unwanted++;
			continue;
		}
		u = t->generation == dd->generation &&
		    (unsigned int)t->up < dd->nupstreams ?
		    &dd->upstreams[t->up] : NULL;
		if (!cookie_check(dd, u, buf, (size_t)n,
		    match == MATCH_EXACT && (u == NULL || !u->no_caps))) {
			dd->st.dropped_unwanted++;
			continue;
		}
		if (match == MATCH_CASE) {
			caps_miss(dd, u);
			if (u != NULL && u->no_caps) {
				/* Ask again, this time as it can answer. */
				try_failed(p, t);
				return;
			}
			continue;
		}
		if (u != NULL)
			u->caps_miss = 0;
		/* The upstream of this try, unless a reload renumbered. */
		p->up = u != NULL ? t->up : -1;
		p->sent_us = t->sent_us;
		accept_reply(p, t, buf, (size_t)n);
		return;
	}
}

/*
 * The newest try timed out: try the next upstream, leaving this try's
 * socket open for a late reply.  Once nothing was left to try, this is
 * the deadline.
 */
static void
timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct pending	*p = arg;
	struct upstream	*u;

	dnsd_clock(p->dnsd);
	if (p->exhausted) {
		fail(p);
		return;
	}
	p->failed = 1;
	/* A reply to an older try may have pointed p->up elsewhere. */
	if (p->cur != NULL)
		p->up = p->cur->generation == p->dnsd->generation ?
		    p->cur->up : -1;
	if ((u = cur_upstream(p)) != NULL) {
		u->timeouts++;
		log_debug("%s: upstream %s timed out", __func__, u->name);
	}
	health_fail(p->dnsd, u);
	rtt_timeout(p->dnsd, u);
	p->cur = NULL;
	send_next(p);
}

static void
tcp_read_cb(struct bufferevent *bev, void *arg)
{
	struct pending	*p = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	uint8_t		 lenb[2];
	size_t		 len;

	dnsd_clock(p->dnsd);
	if (evbuffer_copyout(in, lenb, 2) != 2)
		return;
	len = (size_t)(lenb[0] << 8 | lenb[1]);
	if (evbuffer_get_length(in) < 2 + len)
		return;
	if (p->tcpbuf == NULL && (p->tcpbuf = malloc(DNS_MSG_MAX)) == NULL) {
		try_failed(p, NULL);
		return;
	}
	evbuffer_drain(in, 2);
	evbuffer_remove(in, p->tcpbuf, len);
	if (reply_matches(p, p->id, p->query + DNS_HDR_LEN, p->tcpbuf,
	    len) != MATCH_EXACT || !cookie_check(p->dnsd, cur_upstream(p),
	    p->tcpbuf, len, 0)) {
		p->dnsd->st.dropped_unwanted++;
		try_failed(p, NULL);
		return;
	}
	accept_reply(p, NULL, p->tcpbuf, len);
}

static void
tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct pending	*p = arg;

	if (what & BEV_EVENT_CONNECTED)
		return;
	dnsd_clock(p->dnsd);
	p->failed = 1;
	health_fail(p->dnsd, cur_upstream(p));
	try_failed(p, NULL);
}

/* Open a connected UDP socket on a random local port. */
static int
udp_socket(const struct hgw_endpoint *ep)
{
	struct sockaddr_storage	 local;
	int			 fd, i;

	fd = socket(ep->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		return (-1);
	for (i = 0; i < 16; i++) {
		uint16_t	 port = 1024 + rnd_u16() % (65536 - 1024);

		memset(&local, 0, sizeof(local));
		local.ss_family = ep->ss.ss_family;
		if (local.ss_family == AF_INET)
			((struct sockaddr_in *)&local)->sin_port = htons(port);
		else
			((struct sockaddr_in6 *)&local)->sin6_port =
			    htons(port);
		if (bind(fd, (struct sockaddr *)&local,
		    local.ss_family == AF_INET ?
		    sizeof(struct sockaddr_in) :
		    sizeof(struct sockaddr_in6)) == 0)
			break;
		if (errno != EADDRINUSE) {
			close(fd);
			return (-1);
		}
	}
	if (i == 16 || connect(fd, (const struct sockaddr *)&ep->ss,
	    ep->len) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Pick the next upstream for a question, or -1. */
static int
pick(struct pending *p)
{
	struct dnsd	*dd = p->dnsd;
	int64_t		 now_ms = dd->now_us / 1000, soonest = INT64_MAX;
	int		 zone = zone_for(dd, p->key, p->keylen - 5);
	int		 i, best = -1, ncand = 0, first = -1;

	if (p->generation != dd->generation) {
		p->generation = dd->generation;
		p->tried = 0;
	}
	for (i = 0; i < (int)dd->nupstreams; i++) {
		struct upstream	*u = &dd->upstreams[i];

		if (u->zone != zone)
			continue;
		ncand++;
		if (first == -1)
			first = i;
		if (p->tried & (1U << i))
			continue;
		if (u->down && now_ms < u->retry_at_ms) {
			if (u->retry_at_ms < soonest && p->tries == 0) {
				soonest = u->retry_at_ms;
				best = i;
			}
			continue;
		}
		return (i);
	}
	/* Every one down: still try the one due soonest, once. */
	if (best != -1)
		return (best);
	/* A single upstream gets one retry. */
	if (ncand == 1 && p->tries < 2)
		return (first);
	return (-1);
}

/*
 * The query of one try into out: our ID; with caps, each letter of the
 * name in a random case (0x20: the reply must spell it the same, which a
 * forger who guessed port and ID must guess too, one bit per letter);
 * and a COOKIE option with our client cookie for this server and the
 * server cookie it last gave us (RFC 7873 5.1).  Returns the length.
 */
static size_t
try_query(const struct pending *p, const struct upstream *u, int caps,
    uint8_t *out)
{
	size_t		 len = p->querylen, nlen = p->keylen - 5, pos, i;
	size_t		 olen = 4 + DNS_COOKIE_CLIENT + u->scookielen;
	uint8_t		 bits[DNS_NAME_MAX / 8 + 1], *name = out + DNS_HDR_LEN;
	unsigned int	 b = 0;

	memcpy(out, p->query, len);
	if (caps) {
		rnd_bytes(bits, sizeof(bits));
		for (pos = 0; pos < nlen && name[pos] != 0;
		    pos += 1 + (size_t)name[pos])
			for (i = pos + 1; i <= pos + name[pos]; i++)
				if (name[i] >= 'a' && name[i] <= 'z') {
					if (bits[b / 8] & (1 << (b % 8)))
						name[i] -= 'a' - 'A';
					b++;
				}
	}
	/* The OPT record ends the query: fill in its RDATA. */
	out[len - 2] = (uint8_t)(olen >> 8);
	out[len - 1] = (uint8_t)(olen & 0xff);
	out[len++] = 0;
	out[len++] = DNS_OPT_COOKIE;
	out[len++] = 0;
	out[len++] = (uint8_t)(olen - 4);
	memcpy(out + len, u->ccookie, DNS_COOKIE_CLIENT);
	len += DNS_COOKIE_CLIENT;
	memcpy(out + len, u->scookie, u->scookielen);
	return (len + u->scookielen);
}

/* A free slot for a new UDP try; the oldest try makes room if need be. */
static struct utry *
slot_get(struct pending *p)
{
	struct utry	*t, *oldest = NULL;
	int		 i;

	for (i = 0; i < DNSD_UDP_LIVE; i++) {
		t = &p->udp[i];
		if (t->fd == -1)
			return (t);
		if (oldest == NULL || t->sent_us < oldest->sent_us)
			oldest = t;
	}
	slot_close(oldest);
	return (oldest);
}

/* Send the question to the next upstream, or wait for what was sent. */
static void
send_next(struct pending *p)
{
	static uint8_t	 qbuf[QUERY_MAX];
	struct dnsd	*dd = p->dnsd;
	struct upstream	*u;
	struct utry	*t;
	struct timeval	 tv;
	int64_t		 ms, left;
	size_t		 qlen;
	int		 i, use_tcp = p->tcp_next;

	p->tcp_next = 0;
	left = p->deadline_us - dd->now_us;
	if (left <= 0) {
		fail(p);
		return;
	}
	/*
	 * The TCP retry goes to the upstream that truncated, unless a reload
	 * rebuilt the table since: p->up may then name another server or
	 * an empty slot, so pick again.
	 */
	if (use_tcp && cur_upstream(p) != NULL)
		i = p->up;
	else if ((i = pick(p)) < 0) {
		exhausted(p);
		return;
	}
	if (p->tries >= 2 * dd->nupstreams + 2) {
		exhausted(p);
		return;
	}
	u = &dd->upstreams[i];
	p->up = i;
	p->tried |= 1U << i;
	p->tries++;
	p->id = rnd_u16();
	p->query[0] = p->id >> 8;
	p->query[1] = p->id & 0xff;
	qlen = try_query(p, u, !use_tcp && !u->no_caps, qbuf);
	ms = rto_ms(dd, u);
	if (ms * 1000 > left)
		ms = (left + 999) / 1000;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	p->sent_us = dd->now_us;
	u->queries++;
	dd->st.forwarded++;
	if (use_tcp) {
		uint8_t	 lenb[2];

		lenb[0] = (uint8_t)(qlen >> 8);
		lenb[1] = (uint8_t)(qlen & 0xff);
		p->bev = bufferevent_socket_new(dd->base, -1,
		    BEV_OPT_CLOSE_ON_FREE);
		if (p->bev == NULL)
			goto failed;
		bufferevent_setcb(p->bev, tcp_read_cb, NULL, tcp_event_cb, p);
		tv.tv_sec *= 2;
		tv.tv_usec *= 2;
		if (tv.tv_usec >= 1000000) {
			tv.tv_sec++;
			tv.tv_usec -= 1000000;
		}
		bufferevent_set_timeouts(p->bev, &tv, &tv);
		if (bufferevent_socket_connect(p->bev,
		    (struct sockaddr *)&u->ep.ss, (int)u->ep.len) == -1)
			goto failed;
		bufferevent_write(p->bev, lenb, 2);
		bufferevent_write(p->bev, qbuf, qlen);
		bufferevent_enable(p->bev, EV_READ | EV_WRITE);
		return;
	}
	t = slot_get(p);
	t->id = p->id;
	t->up = i;
	t->generation = dd->generation;
	t->sent_us = dd->now_us;
	memcpy(t->qname, qbuf + DNS_HDR_LEN, p->keylen - 5);
	if ((t->fd = udp_socket(&u->ep)) == -1)
		goto failed;
	p->cur = t;
	if (send(t->fd, qbuf, qlen, 0) == -1 && errno != EAGAIN)
		goto failed;
	t->ev = event_new(dd->base, t->fd, EV_READ | EV_PERSIST, udp_read_cb,
	    t);
	if (t->ev == NULL || event_add(t->ev, NULL) == -1)
		goto failed;
	evtimer_add(p->ev_timer, &tv);
	return;
failed:
	p->failed = 1;
	log_warn("upstream %s: cannot send", u->name);
	health_fail(dd, u);
	if (p->bev != NULL) {
		bufferevent_free(p->bev);
		p->bev = NULL;
	}
	if (p->cur != NULL)
		slot_close(p->cur);
	/* The next pick skips this one; the tries bound ends the loop. */
	send_next(p);
}

static struct pending *
pending_find(struct dnsd *dd, const uint8_t *key, size_t keylen,
    uint32_t hash)
{
	struct pending	*p;

	for (p = dd->ptable[hash & (dd->ptable_size - 1)]; p != NULL;
	    p = p->hnext)
		if (p->hash == hash && p->keylen == keylen &&
		    memcmp(p->key, key, keylen) == 0)
			return (p);
	return (NULL);
}

static struct pending *
pending_new(struct dnsd *dd, const struct dnsd_req *req)
{
	struct pending	*p;
	struct dns_wr	 w;
	struct dns_header h;
	const struct dns_query *q = &req->q;
	int		 i;

	if (dd->npending >= DNSD_PENDING_MAX)
		return (NULL);
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return (NULL);
	p->dnsd = dd;
	for (i = 0; i < DNSD_UDP_LIVE; i++) {
		p->udp[i].p = p;
		p->udp[i].fd = -1;
	}
	p->up = -1;
	p->deadline_us = dd->now_us + (int64_t)(dd->conf->dns.deadline_ms ?
	    dd->conf->dns.deadline_ms : 5000) * 1000;
	p->generation = dd->generation;
	TAILQ_INIT(&p->waiters);
	memcpy(p->key, req->key, req->keylen);
	p->keylen = req->keylen;
	p->hash = req->hash;
	p->qtype = q->qtype;
	p->qclass = q->qclass;
	/* Our query: the name in lower case, RD, the client's CD and DO. */
	dns_wr_init(&w, p->query, sizeof(p->query));
	memset(&h, 0, sizeof(h));
	h.flags = DNS_F_RD | (q->hdr.flags & DNS_F_CD);
	h.qdcount = 1;
	h.arcount = 1;
	if (dns_put_header(&w, &h) < 0 ||
	    dns_put_bytes(&w, p->key, q->qnamelen) < 0 ||
	    dns_put_u16(&w, q->qtype) < 0 || dns_put_u16(&w, q->qclass) < 0 ||
	    dns_put_opt(&w, DNS_EDNS_SIZE, q->edns.flags & DNS_EDNS_DO) < 0) {
		free(p);
		return (NULL);
	}
	p->querylen = w.pos;
	if ((p->ev_timer = evtimer_new(dd->base, timeout_cb, p)) == NULL) {
		free(p);
		return (NULL);
	}
	p->hnext = dd->ptable[p->hash & (dd->ptable_size - 1)];
	dd->ptable[p->hash & (dd->ptable_size - 1)] = p;
	TAILQ_INSERT_TAIL(&dd->pendings, p, entry);
	dd->npending++;
	return (p);
}

/*
 * Forward a client query, or join an identical one in flight.  Returns
 * 0 when the client will be answered later, -1 when it cannot be (too
 * many in flight: the caller answers SERVFAIL).
 */
int
upstream_query(struct dnsd *dd, struct dnsd_req *req)
{
	struct pending	*p;
	struct waiter	*w;
	int		 fresh = 0;

	if ((p = pending_find(dd, req->key, req->keylen, req->hash)) != NULL) {
		if (p->nwaiters >= DNSD_WAITERS_MAX)
			return (-1);
		dd->st.deduplicated++;
	} else {
		if ((p = pending_new(dd, req)) == NULL)
			return (-1);
		fresh = 1;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		if (fresh)
			pending_free(p);
		return (-1);
	}
	w->l = req->l;
	w->tcp = req->tcp;
	memcpy(&w->from, &req->from, req->fromlen);
	w->fromlen = req->fromlen;
	w->id = req->q.hdr.id;
	w->flags = req->q.hdr.flags;
	w->edns = req->q.edns;
	w->limit = req->limit;
	memcpy(w->qname, req->q.qname, req->q.qnamelen);
	w->qnamelen = (uint8_t)req->q.qnamelen;
	w->start_us = req->start_us;
	if (w->tcp != NULL)
		w->tcp->inflight++;
	TAILQ_INSERT_TAIL(&p->waiters, w, entry);
	p->nwaiters++;
	if (fresh)
		send_next(p);
	else if (p->exhausted)
		serve_stale(p);		/* as those before it were served */
	return (0);
}

/* Refresh a popular answer before it expires; nobody waits on it. */
void
upstream_prefetch(struct dnsd *dd, const struct dnsd_req *req)
{
	struct pending	*p;

	if (pending_find(dd, req->key, req->keylen, req->hash) != NULL)
		return;
	if ((p = pending_new(dd, req)) == NULL)
		return;
	p->prefetch = 1;
	dd->st.prefetch++;
	send_next(p);
}
