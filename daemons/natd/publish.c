/*
 * SPDX-License-Identifier: ISC
 *
 * publish.c: natd's writes to SQLite.  Owns the conntrack table of live.db
 * (the mirror, written about once a second in one transaction through a
 * state_writer), natd's metrics rows, and the traffic_history table of
 * homegw.db (per LAN host totals, one row per host per history interval,
 * written rarely to spare the SD card).  It never talks to the kernel.
 *
 * Rates: every flow row carries its current rates (mirror.c measures
 * them); host_rates_now holds each LAN host's sums, rewritten only when
 * one changed; host_rates keeps each host's average over every 10 s step
 * of the last hour.  A step's average is the bytes counted between the
 * two full samples (dumps) that close it and its predecessor, over the
 * time between them, so a dump a little early or late shifts the step
 * by a fraction of a second but never makes it wrong.  All of it goes in
 * the live.db transaction natd writes anyway.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "state.h"
#include "natd.h"

#define LIVE_FLUSH_MS		1000
#define PERSIST_FLUSH_MS	5000
/* History rows waiting for their transaction. */
#define HISTORY_PENDING_MAX	4096
/* Rows kept in traffic_history at most. */
#define HISTORY_ROWS_MAX	500000
/* host_rates: the step, how long it is kept, and its bounds. */
#define RATE_STEP		10
#define RATE_KEEP		3600
#define RATE_STEP_HOSTS		256	/* rows per step at most */
#define RATE_PENDING_MAX	4096

struct rate_row {
	int64_t		 time;
	struct in_addr	 host;
	double		 out, in;
};

struct history_row {
	int64_t		 time;
	char		 host[INET_ADDRSTRLEN];
	uint64_t	 bytes_out, bytes_in, packets;
	unsigned int	 connections;
};

struct publish {
	struct hgw_daemon	*d;
	struct mirror		*m;
	struct state_writer	*live_w;
	struct state_writer	*persist_w;
	sqlite3_stmt		*upsert, *update, *del, *clear;
	sqlite3_stmt		*hist;
	struct natd_stats	 stats;
	struct history_row	*pending;
	unsigned int		 npending;
	unsigned int		 nsent;		/* of pending, in the last txn */
	int64_t			 interval_start;
	int64_t			 last_prune;
	uint64_t		 history_dropped;
	/* Rates (see above). */
	sqlite3_stmt		*rate_ins, *rate_prune;
	sqlite3_stmt		*now_clear, *now_ins;
	struct rate_row		*rates;
	unsigned int		 nrates, nrates_sent;
	int			 now_sent;	/* host_rates_now written */
	int64_t			 step;		/* the open step, 0: none */
	int64_t			 step_ms;	/* its first sample */
	uint64_t		 rates_dropped;
};

static const char *
proto_name(uint8_t p, char *buf, size_t len)
{
	switch (p) {
	case IPPROTO_TCP:
		return ("tcp");
	case IPPROTO_UDP:
		return ("udp");
	case IPPROTO_ICMP:
		return ("icmp");
	case IPPROTO_ICMPV6:
		return ("icmpv6");
	case IPPROTO_SCTP:
		return ("sctp");
	case IPPROTO_UDPLITE:
		return ("udplite");
	case IPPROTO_GRE:
		return ("gre");
	case IPPROTO_IGMP:
		return ("igmp");
	default:
		snprintf(buf, len, "%u", p);
		return (buf);
	}
}

static const char *
tcp_state_name(uint8_t s)
{
	static const char *const names[] = {
		"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
		"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
	};

	if (s < sizeof(names) / sizeof(names[0]))
		return (names[s]);
	return ("UNKNOWN");
}

/*
 * An IPv4 address as text into buf[INET_ADDRSTRLEN], by hand: glibc's
 * inet_ntop() goes through sprintf(), and five of them per row showed in
 * natd's profile.
 */
static const char *
ip4_text(const uint8_t *a, char *buf)
{
	char	*p = buf;
	int	 k, v;

	for (k = 0; k < 4; k++) {
		v = a[k];
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = k < 3 ? '.' : '\0';
	}
	return (buf);
}

static const char *
tuple_addr(const struct flow_tuple *t, const uint8_t *a, char *buf,
    size_t len)
{
	if (t->family == AF_INET && len >= INET_ADDRSTRLEN)
		return (ip4_text(a, buf));
	if (inet_ntop(t->family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return (buf);
}

static int
step(sqlite3_stmt *s)
{
	int	 r = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return (r == SQLITE_DONE ? 0 : -EIO);
}

/*
 * What a dump can change in a flow, bound to seven parameters in a row
 * from first on: tcp_state, status, timeout, then the four counters.
 */
static void
bind_changing(sqlite3_stmt *s, int first, const struct flow_info *i)
{
	if (i->has_tcp_state)
		sqlite3_bind_text(s, first, tcp_state_name(i->tcp_state), -1,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(s, first);
	sqlite3_bind_int64(s, first + 1, i->status);
	sqlite3_bind_int64(s, first + 2, i->timeout);
	sqlite3_bind_int64(s, first + 3, (sqlite3_int64)i->orig_packets);
	sqlite3_bind_int64(s, first + 4, (sqlite3_int64)i->orig_bytes);
	sqlite3_bind_int64(s, first + 5, (sqlite3_int64)i->reply_packets);
	sqlite3_bind_int64(s, first + 6, (sqlite3_int64)i->reply_bytes);
}

static int
write_flow(struct publish *p, const struct flow *f)
{
	struct flow_info fi;
	const struct flow_info *i = &fi;
	const struct hgw_host *h;
	sqlite3_stmt	*s = p->upsert;
	/* Each its own buffer, bound without a copy until the step. */
	char		 os[INET6_ADDRSTRLEN], od[INET6_ADDRSTRLEN];
	char		 rs[INET6_ADDRSTRLEN], rd[INET6_ADDRSTRLEN];
	char		 lan[INET_ADDRSTRLEN], pb[8];
	struct in_addr	 la;

	flow_info_of(f, &fi);
	sqlite3_bind_int64(s, 1, f->key);
	sqlite3_bind_int64(s, 2, i->id);
	sqlite3_bind_text(s, 3, proto_name(i->proto, pb, sizeof(pb)), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 4, tuple_addr(&i->orig, i->orig.src, os,
	    sizeof(os)), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, i->orig.sport);
	sqlite3_bind_text(s, 6, tuple_addr(&i->orig, i->orig.dst, od,
	    sizeof(od)), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 7, i->orig.dport);
	sqlite3_bind_int(s, 23, i->orig.family == AF_INET6 ? 6 : 4);
	sqlite3_bind_text(s, 8, tuple_addr(&i->reply, i->reply.src, rs,
	    sizeof(rs)), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 9, i->reply.sport);
	sqlite3_bind_text(s, 10, tuple_addr(&i->reply, i->reply.dst, rd,
	    sizeof(rd)), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 11, i->reply.dport);
	bind_changing(s, 12, i);
	la = mirror_flow_lan_addr(p->m, i);
	if (la.s_addr != 0) {
		sqlite3_bind_text(s, 19, ip4_text((const uint8_t *)&la, lan),
		    -1, SQLITE_STATIC);
		if ((h = conf_host_by_addr(p->d->conf, la)) != NULL)
			sqlite3_bind_text(s, 20, h->name, -1,
			    SQLITE_TRANSIENT);
	}
	sqlite3_bind_int64(s, 21, f->first_seen);
	sqlite3_bind_int64(s, 22, f->last_seen);
	sqlite3_bind_double(s, 24, f->rate_orig);
	sqlite3_bind_double(s, 25, f->rate_reply);
	sqlite3_bind_int(s, 26, f->gateway);
	/* step() resets and clears the bindings before the buffers go. */
	return (step(s));
}

/*
 * A flow whose row is there: only what a dump can change, the write of
 * every busy flow every second.  A REPLACE would delete the row and
 * insert all of it again; this rewrites the record in place.  -ENOENT
 * if the row is missing after all, for the caller to insert it.
 */
static int
update_flow(struct publish *p, const struct flow *f)
{
	struct flow_info i;
	sqlite3_stmt	*s = p->update;
	int		 r;

	flow_info_of(f, &i);
	bind_changing(s, 1, &i);
	sqlite3_bind_int64(s, 8, f->last_seen);
	sqlite3_bind_int64(s, 9, f->key);
	sqlite3_bind_double(s, 10, f->rate_orig);
	sqlite3_bind_double(s, 11, f->rate_reply);
	sqlite3_bind_int(s, 12, f->gateway);
	if ((r = step(s)) < 0)
		return (r);
	return (sqlite3_changes(sqlite3_db_handle(s)) == 1 ? 0 : -ENOENT);
}

static void
set_metrics(struct publish *p, sqlite3 *db)
{
	const struct natd_stats *s = &p->stats;
	const char	*n = p->d->name;
	struct {
		const char	*name;
		double		 v;
	} mv[] = {
		{ "conntrack_count", (double)s->ct_count },
		{ "conntrack_max", (double)s->ct_max },
		{ "flows", (double)p->m->nflows },
		{ "flows_max", (double)p->m->max_flows },
		/* The slabs the flows live in, spare included (mirror.c). */
		{ "flow_bytes", (double)mirror_flow_bytes(p->m) },
		{ "flows_created", (double)p->m->created },
		{ "flows_destroyed", (double)p->m->destroyed },
		{ "flows_swept", (double)p->m->swept },
		{ "flows_refused", (double)p->m->full },
		{ "events", (double)s->events },
		{ "overruns", (double)s->overruns },
		{ "resyncs", (double)s->resyncs },
		{ "resync_pending", (double)s->resync_pending },
		{ "malformed", (double)s->malformed },
		{ "flow_offload", (double)s->offload },
		{ "new_by_events", (double)s->follow_new },
		{ "dump_ms", (double)s->dump_ms },
		{ "rules_loaded", (double)s->rules_loaded },
		{ "rules_restored", (double)s->rules_restored },
		{ "ip_forward", (double)s->ip_forward },
		{ "forward_restored", (double)s->forward_restored },
		{ "history_dropped", (double)p->history_dropped },
		{ "trace_running", (double)s->tracing },
		{ "trace_messages", (double)s->trace_messages },
		{ "trace_events", (double)s->trace_recorded },
		{ "trace_dropped", (double)s->trace_dropped },
		{ "trace_overruns", (double)s->trace_overruns },
		{ "rates_dropped", (double)p->rates_dropped },
	};
	size_t	 i;
	char	 name[64];

	for (i = 0; i < sizeof(mv) / sizeof(mv[0]); i++)
		if (mv[i].v >= 0)
			(void)state_metric_set(db, n, mv[i].name, mv[i].v);
	/* The input policy: 1 while it guards the WAN side, and its drops. */
	(void)state_metric_set(db, n, "wan_guard", s->wan_guard);
	for (i = 0; i < RULES_NDROP; i++) {
		snprintf(name, sizeof(name), "wan_drop_%s",
		    rules_drop_reasons[i]);
		(void)state_metric_set(db, n, name, (double)s->wan_drop[i]);
	}
	(void)state_metric_set(db, n, "lan_drop_policy", (double)s->lan_drop);
	/* Forwarded traffic dropped: homegw_nat_dropped_packets_total. */
	(void)state_metric_set(db, n, "nat_drop_unsolicited",
	    (double)s->nat_drop);
}

/* The closed steps' rows, and the hosts' current rates when they moved. */
static int
write_rates(struct publish *p)
{
	struct mirror	*m = p->m;
	struct mirror_host *h;
	struct rate_row	*r;
	char		 a[INET_ADDRSTRLEN];
	unsigned int	 i;

	for (i = 0; i < p->nrates; i++) {
		r = &p->rates[i];
		sqlite3_bind_int64(p->rate_ins, 1, r->time);
		sqlite3_bind_text(p->rate_ins, 2, inet_ntop(AF_INET, &r->host,
		    a, sizeof(a)), -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(p->rate_ins, 3, r->out);
		sqlite3_bind_double(p->rate_ins, 4, r->in);
		if (step(p->rate_ins) < 0)
			return (-EIO);
	}
	p->nrates_sent = p->nrates;
	if (p->nrates > 0) {
		sqlite3_bind_int64(p->rate_prune, 1, state_now() - RATE_KEEP);
		if (step(p->rate_prune) < 0)
			return (-EIO);
	}
	p->now_sent = 0;
	if (!mirror_host_rates(m) && !m->rewrite)
		return (0);
	if (step(p->now_clear) < 0)
		return (-EIO);
	for (i = 0; i < m->max_hosts; i++) {
		h = &m->hosts[i];
		if (!h->used || (h->connections == 0 && h->rate_out == 0 &&
		    h->rate_in == 0))
			continue;
		sqlite3_bind_text(p->now_ins, 1, inet_ntop(AF_INET, &h->addr,
		    a, sizeof(a)), -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(p->now_ins, 2, h->rate_out);
		sqlite3_bind_double(p->now_ins, 3, h->rate_in);
		sqlite3_bind_int64(p->now_ins, 4, h->connections);
		sqlite3_bind_int64(p->now_ins, 5, state_now());
		if (step(p->now_ins) < 0)
			return (-EIO);
	}
	p->now_sent = 1;
	return (0);
}

/*
 * The live.db transaction: the rows of dead flows go, new and changed
 * flows are written.  The marks are cleared once the commit succeeded
 * (live_committed); a failed flush keeps them for the retry.
 */
static int
live_flush_cb(sqlite3 *db, void *arg)
{
	struct publish	*p = arg;
	struct mirror	*m = p->m;
	struct flow	*f;
	unsigned int	 b;
	unsigned int	 i;
	int		 all, r;

	all = m->rewrite;
	if (all) {
		if (step(p->clear) < 0)
			return (-EIO);
	} else {
		for (i = 0; i < m->ndead; i++) {
			sqlite3_bind_int64(p->del, 1, m->dead[i]);
			if (step(p->del) < 0)
				return (-EIO);
		}
	}
	MIRROR_FOREACH(m, b, f) {
		if (!all && !f->dirty)
			continue;
		if (!all && f->written && (r = update_flow(p, f)) != -ENOENT) {
			if (r < 0)
				return (-EIO);
			continue;
		}
		if (write_flow(p, f) < 0)
			return (-EIO);
	}
	if (write_rates(p) < 0)
		return (-EIO);
	set_metrics(p, db);
	return (0);
}

static void
live_committed(void *arg)
{
	struct publish	*p = arg;
	struct mirror_host *h;
	unsigned int	 i;

	mirror_flushed(p->m);
	memmove(p->rates, p->rates + p->nrates_sent,
	    (p->nrates - p->nrates_sent) * sizeof(*p->rates));
	p->nrates -= p->nrates_sent;
	p->nrates_sent = 0;
	if (!p->now_sent)
		return;
	for (i = 0; i < p->m->max_hosts; i++) {
		h = &p->m->hosts[i];
		h->wrote_out = h->rate_out;
		h->wrote_in = h->rate_in;
		h->wrote_flows = h->connections;
	}
	p->now_sent = 0;
}

/* The rows of the last transaction are in: forget them. */
static void
persist_committed(void *arg)
{
	struct publish	*p = arg;

	memmove(p->pending, p->pending + p->nsent,
	    (p->npending - p->nsent) * sizeof(*p->pending));
	p->npending -= p->nsent;
	p->nsent = 0;
}

static int
persist_flush_cb(sqlite3 *db, void *arg)
{
	struct publish	*p = arg;
	struct history_row *h;
	unsigned int	 i;
	int64_t		 now = state_now();
	uint32_t	 days = p->d->conf->gateway.retention_days;

	for (i = 0; i < p->npending; i++) {
		h = &p->pending[i];
		sqlite3_bind_int64(p->hist, 1, h->time);
		sqlite3_bind_text(p->hist, 2, h->host, -1, SQLITE_STATIC);
		sqlite3_bind_int64(p->hist, 3, (sqlite3_int64)h->bytes_out);
		sqlite3_bind_int64(p->hist, 4, (sqlite3_int64)h->bytes_in);
		sqlite3_bind_int64(p->hist, 5, (sqlite3_int64)h->packets);
		sqlite3_bind_int64(p->hist, 6, h->connections);
		if (step(p->hist) < 0)
			return (-EIO);
	}
	p->nsent = p->npending;
	if (now - p->last_prune > 3600) {
		p->last_prune = now;
		(void)state_prune(db, "traffic_history", "time",
		    days ? (int64_t)days * 86400 : 0, HISTORY_ROWS_MAX);
	}
	return (0);
}

/* Prepare the statements on one database (again, after a reopen). */
static int
prepare(struct publish *p, enum hgw_db which)
{
	struct hgw_daemon *d = p->d;

	if (which == HGW_DB_PERSIST) {
		sqlite3_finalize(p->hist);
		p->hist = state_prepare(d->persist, "INSERT OR REPLACE INTO "
		    "traffic_history (time, host, bytes_out, bytes_in, "
		    "packets, connections) VALUES (?, ?, ?, ?, ?, ?)");
		if (p->hist == NULL) {
			log_warnx("cannot prepare natd's statements: %s",
			    sqlite3_errmsg(d->persist));
			return (-1);
		}
		return (0);
	}
	sqlite3_finalize(p->upsert);
	sqlite3_finalize(p->update);
	sqlite3_finalize(p->del);
	sqlite3_finalize(p->clear);
	sqlite3_finalize(p->rate_ins);
	sqlite3_finalize(p->rate_prune);
	sqlite3_finalize(p->now_clear);
	sqlite3_finalize(p->now_ins);
	p->upsert = state_prepare(d->live, "INSERT OR REPLACE INTO conntrack "
	    "(key, ct_id, proto, orig_src, orig_sport, orig_dst, orig_dport, "
	    "reply_src, reply_sport, reply_dst, reply_dport, "
	    "tcp_state, status, timeout, orig_packets, orig_bytes, "
	    "reply_packets, reply_bytes, lan_addr, lan_host, first_seen, "
	    "last_seen, family, rate_orig, rate_reply, gateway) VALUES (?1, "
	    "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
	    "?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)");
	p->update = state_prepare(d->live, "UPDATE conntrack SET "
	    "tcp_state = ?1, status = ?2, timeout = ?3, orig_packets = ?4, "
	    "orig_bytes = ?5, reply_packets = ?6, reply_bytes = ?7, "
	    "last_seen = ?8, rate_orig = ?10, rate_reply = ?11, "
	    "gateway = ?12 WHERE key = ?9");
	p->del = state_prepare(d->live, "DELETE FROM conntrack WHERE key = ?1");
	p->clear = state_prepare(d->live, "DELETE FROM conntrack");
	p->rate_ins = state_prepare(d->live, "INSERT OR REPLACE INTO "
	    "host_rates (time, host, rate_out, rate_in) VALUES (?1, ?2, ?3, "
	    "?4)");
	p->rate_prune = state_prepare(d->live, "DELETE FROM host_rates "
	    "WHERE time < ?1");
	p->now_clear = state_prepare(d->live, "DELETE FROM host_rates_now");
	p->now_ins = state_prepare(d->live, "INSERT INTO host_rates_now "
	    "(host, rate_out, rate_in, flows, updated) VALUES (?1, ?2, ?3, "
	    "?4, ?5)");
	if (p->upsert == NULL || p->update == NULL || p->del == NULL ||
	    p->clear == NULL || p->rate_ins == NULL || p->rate_prune == NULL ||
	    p->now_clear == NULL || p->now_ins == NULL) {
		log_warnx("cannot prepare natd's statements: %s",
		    sqlite3_errmsg(d->live));
		return (-1);
	}
	return (0);
}

/* Prepare the statements and the two batched writers. */
struct publish *
publish_new(struct hgw_daemon *d, struct mirror *m)
{
	struct publish	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return (NULL);
	p->d = d;
	p->m = m;
	p->stats.ct_count = p->stats.ct_max = -1;
	if ((p->pending = calloc(HISTORY_PENDING_MAX,
	    sizeof(*p->pending))) == NULL ||
	    (p->rates = calloc(RATE_PENDING_MAX, sizeof(*p->rates))) == NULL)
		goto fail;
	if (prepare(p, HGW_DB_LIVE) < 0 || prepare(p, HGW_DB_PERSIST) < 0)
		goto fail;
	p->live_w = state_writer_new(d->base, d->live, LIVE_FLUSH_MS,
	    live_flush_cb, p);
	p->persist_w = state_writer_new(d->base, d->persist, PERSIST_FLUSH_MS,
	    persist_flush_cb, p);
	if (p->live_w == NULL || p->persist_w == NULL)
		goto fail;
	state_writer_on_commit(p->live_w, live_committed);
	state_writer_on_commit(p->persist_w, persist_committed);
	state_writer_name(p->live_w, "the conntrack mirror");
	state_writer_name(p->persist_w, "the traffic history");
	/* A restart starts from the kernel's picture, not the old rows. */
	p->m->rewrite = 1;
	p->interval_start = state_now();
	p->last_prune = 0;
	return (p);
fail:
	publish_free(p);
	return (NULL);
}

/* Free; NULL is fine. */
void
publish_free(struct publish *p)
{
	if (p == NULL)
		return;
	state_writer_free(p->live_w);
	state_writer_free(p->persist_w);
	sqlite3_finalize(p->upsert);
	sqlite3_finalize(p->update);
	sqlite3_finalize(p->del);
	sqlite3_finalize(p->clear);
	sqlite3_finalize(p->hist);
	sqlite3_finalize(p->rate_ins);
	sqlite3_finalize(p->rate_prune);
	sqlite3_finalize(p->now_clear);
	sqlite3_finalize(p->now_ins);
	free(p->pending);
	free(p->rates);
	free(p);
}

/* Write at the next tick. */
void
publish_dirty(struct publish *p)
{
	state_writer_dirty(p->live_w);
}

/*
 * Write now.  A failure keeps everything in memory, marked dirty, for the
 * writer's next tick.
 */
void
publish_now(struct publish *p)
{
	state_writer_dirty(p->live_w);
	(void)state_writer_now(p->live_w);
}

/* Keep the figures for the metrics rows. */
void
publish_set_stats(struct publish *p, const struct natd_stats *s)
{
	p->stats = *s;
	state_writer_dirty(p->live_w);
}

static void
history_add(struct publish *p, int64_t t, const char *host, uint64_t out,
    uint64_t in, uint64_t pkts, unsigned int conns)
{
	struct history_row *h;

	if (p->npending >= HISTORY_PENDING_MAX) {
		p->history_dropped++;
		return;
	}
	h = &p->pending[p->npending++];
	h->time = t;
	snprintf(h->host, sizeof(h->host), "%s", host);
	h->bytes_out = out;
	h->bytes_in = in;
	h->packets = pkts;
	h->connections = conns;
}

/* Close the current history interval: one row per host and a total. */
void
publish_history(struct publish *p)
{
	struct mirror	*m = p->m;
	struct mirror_host *h;
	char		 a[INET_ADDRSTRLEN];
	uint64_t	 out = 0, in = 0, pkts = 0;
	unsigned int	 i;

	for (i = 0; i < m->max_hosts; i++) {
		h = &m->hosts[i];
		if (!h->used)
			continue;
		if (h->bytes_out == 0 && h->bytes_in == 0 &&
		    h->connections == 0)
			continue;
		inet_ntop(AF_INET, &h->addr, a, sizeof(a));
		history_add(p, p->interval_start, a, h->bytes_out,
		    h->bytes_in, h->packets, h->connections);
		out += h->bytes_out;
		in += h->bytes_in;
		pkts += h->packets;
	}
	/*
	 * The whole LAN's row counts the connections the kernel tracks at
	 * the interval's end: the figure the overview shows above its
	 * chart (conntrack_count), not only the mirrored LAN flows.
	 */
	history_add(p, p->interval_start, "*", out, in, pkts,
	    p->stats.ct_count >= 0 && (unsigned long)p->stats.ct_count >
	    m->nflows ? (unsigned int)p->stats.ct_count : m->nflows);
	mirror_history_reset(m);
	p->interval_start = state_now();
	state_writer_dirty(p->persist_w);
}

static void
rate_add(struct publish *p, int64_t t, struct in_addr host, double out,
    double in)
{
	struct rate_row	*r;

	if (p->nrates >= RATE_PENDING_MAX) {
		p->rates_dropped++;
		return;
	}
	r = &p->rates[p->nrates++];
	r->time = t;
	r->host = host;
	r->out = out;
	r->in = in;
}

/*
 * Close the open 10 s step once the wall clock is past it.  Steps that
 * went by without a sample (natd stopped, or dumps 10 s apart on a big
 * table) get the same average, bounded by the hour kept.  A clock set
 * back, or the first sample, opens a step and writes nothing.
 */
void
publish_rates(struct publish *p, int64_t mono_ms, int64_t now)
{
	struct mirror	*m = p->m;
	struct mirror_host *h;
	int64_t		 step = now - now % RATE_STEP, t;
	double		 secs;
	unsigned int	 i, nhosts;

	if (p->step != 0 && step == p->step)
		return;
	if (p->step != 0 && step > p->step &&
	    (secs = (double)(mono_ms - p->step_ms) / 1000) >= 1) {
		t = p->step;
		if (t < step - RATE_KEEP)
			t = step - RATE_KEEP;
		for (; t < step; t += RATE_STEP) {
			nhosts = 0;
			for (i = 0; i < m->max_hosts &&
			    nhosts < RATE_STEP_HOSTS; i++) {
				h = &m->hosts[i];
				if (!h->used || (h->step_out == 0 &&
				    h->step_in == 0))
					continue;
				rate_add(p, t, h->addr, (double)h->step_out /
				    secs, (double)h->step_in / secs);
				nhosts++;
			}
		}
		state_writer_dirty(p->live_w);
	}
	mirror_step_reset(m);
	p->step = step;
	p->step_ms = mono_ms;
}

/* The final flush: both databases, now. */
void
publish_flush(struct publish *p)
{
	state_writer_dirty(p->live_w);
	if (state_writer_flush(p->live_w) < 0)
		log_warnx("final write of the conntrack mirror failed");
	if (p->npending > 0) {
		state_writer_dirty(p->persist_w);
		if (state_writer_flush(p->persist_w) < 0)
			log_warnx("final write of the traffic history failed");
	}
}

/*
 * daemon.c reopened a database: move the statements and the writer to
 * the new handle.  A new live.db gets the whole mirror and the metrics;
 * a new homegw.db gets the history rows still waiting.
 */
void
publish_reopen(struct publish *p, enum hgw_db which)
{
	/* The old handle is closed after this: never keep it. */
	state_writer_set_db(which == HGW_DB_LIVE ? p->live_w : p->persist_w,
	    which == HGW_DB_LIVE ? p->d->live : p->d->persist);
	if (prepare(p, which) < 0)
		return;
	if (which == HGW_DB_PERSIST) {
		p->nsent = 0;
		if (p->npending > 0)
			state_writer_dirty(p->persist_w);
		return;
	}
	p->m->rewrite = 1;
	publish_now(p);
}
