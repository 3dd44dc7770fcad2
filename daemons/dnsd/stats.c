/*
 * SPDX-License-Identifier: ISC
 *
 * stats.c: dnsd's figures.  Counters live in memory (struct dnsd_stats)
 * and the query log in a fixed ring; both reach SQLite only through the
 * batched writers: live.db (metrics, dns_upstreams) about once a second,
 * homegw.db (dns_log, dns_history) every few seconds, never one
 * transaction per query.  When queries outrun the ring between two
 * flushes, the oldest entries are overwritten and counted as lost.  Also
 * owns the per-client rate limiter, a fixed table of token buckets.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "state.h"
#include "dnswire.h"
#include "dnsd.h"

#define LIVE_MS		1000
#define PERSIST_MS	5000
#define HISTORY_S	60	/* one dns_history row per minute */
#define LOG_PER_FLUSH	DNSD_LOG_RING

/*
 * What the last flush_persist() wrote; persist_done() drops it from
 * memory only after the COMMIT, so a failed write is retried with
 * everything still there.
 */
static unsigned int	 flushed_log;
static int64_t		 flushed_hist;

static const char *const source_names[SRC_MAX] = {
	"cache", "local", "upstream", "stale", "error"
};

/* Remember one answered query for the log. */
void
stats_log(struct dnsd *dd, const struct sockaddr_storage *client,
    const uint8_t *qname, size_t qnamelen, uint16_t qtype,
    unsigned int rcode, enum dnsd_source src, int upstream,
    int64_t latency_us)
{
	struct qlog	*e;

	if (!dd->conf->dns.query_log || dd->qlog == NULL)
		return;
	e = &dd->qlog[dd->qlog_head];
	dd->qlog_head = (dd->qlog_head + 1) % DNSD_LOG_RING;
	if (dd->qlog_count < DNSD_LOG_RING)
		dd->qlog_count++;
	else
		dd->qlog_lost++;
	e->time_ms = dd->wall_ms;
	e->family = (uint8_t)client->ss_family;
	if (client->ss_family == AF_INET)
		memcpy(e->addr, &((const struct sockaddr_in *)client)->sin_addr,
		    4);
	else if (client->ss_family == AF_INET6)
		memcpy(e->addr,
		    &((const struct sockaddr_in6 *)client)->sin6_addr, 16);
	memcpy(e->qname, qname, qnamelen);
	e->qnamelen = (uint8_t)qnamelen;
	e->qtype = qtype;
	e->rcode = (uint8_t)rcode;
	e->source = (uint8_t)src;
	e->upstream = (int16_t)upstream;
	e->latency_us = latency_us < 0 ? 0 : latency_us > UINT32_MAX ?
	    UINT32_MAX : (uint32_t)latency_us;
}

/*
 * Per-client rate limit: conf rate_limit queries a second with a burst of
 * twice that.  Clients share slots by hash, so the table never grows; a
 * collision only makes two clients share one bucket.  Returns 1 when the
 * query must be dropped.
 */
int
stats_ratelimit(struct dnsd *dd, const struct sockaddr_storage *ss)
{
	struct rate_slot *s;
	uint32_t	 h = 2166136261u, rate = dd->conf->dns.rate_limit;
	const uint8_t	*p;
	size_t		 n, i;
	int64_t		 now = dd->now_us / 1000, add;

	if (ss->ss_family == AF_INET) {
		p = (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
		n = 4;
	} else {
		p = (const uint8_t *)
		    &((const struct sockaddr_in6 *)ss)->sin6_addr;
		n = 16;
	}
	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	s = &dd->rate[h % DNSD_RATE_SLOTS];
	if (s->addr != h || s->last_ms == 0) {
		s->addr = h;
		s->tokens = rate * 2000;
		s->last_ms = now;
	}
	add = (now - s->last_ms) * rate;	/* milli-queries */
	if (add > 0) {
		s->tokens = (uint32_t)((int64_t)s->tokens + add >
		    (int64_t)rate * 2000 ? rate * 2000 : s->tokens + add);
		s->last_ms = now;
	}
	if (s->tokens < 1000)
		return (1);
	s->tokens -= 1000;
	return (0);
}

static void
client_str(const struct qlog *e, char *buf, size_t len)
{
	if (e->family != AF_INET && e->family != AF_INET6)
		snprintf(buf, len, "?");
	else
		inet_ntop(e->family, e->addr, buf, (socklen_t)len);
}

const double dnsd_latency_le_ms[DNSD_LATENCY_BUCKETS] = {
	1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500
};

static int
metric(sqlite3 *db, const char *name, double v)
{
	return (state_metric_set(db, "dnsd", name, v));
}

/*
 * An upstream's latency histogram as metrics rows named
 * "upstream_latency_le_<ms>|<upstream>", "..._sum|..." and "..._count|...",
 * for webd's /metrics (Prometheus buckets are cumulative, and so are
 * these).
 */
static int
latency_publish(sqlite3 *db, const struct upstream *u, const char *name)
{
	char	 m[128 + ADDR_STRLEN + CONF_DOMAIN_MAX];
	int	 i, r = 0;

	for (i = 0; i < DNSD_LATENCY_BUCKETS; i++) {
		snprintf(m, sizeof(m), "upstream_latency_le_%g|%s",
		    dnsd_latency_le_ms[i], name);
		r |= metric(db, m, (double)u->latency_le[i]);
	}
	snprintf(m, sizeof(m), "upstream_latency_sum|%s", name);
	r |= metric(db, m, u->latency_sum_s);
	snprintf(m, sizeof(m), "upstream_latency_count|%s", name);
	r |= metric(db, m, (double)u->answers);
	return (r != 0 ? -1 : 0);
}

static int
flush_live(sqlite3 *db, void *arg)
{
	struct dnsd		*dd = arg;
	const struct dnsd_stats	*s = &dd->st;
	sqlite3_stmt		*st;
	unsigned int		 i;
	int			 r = 0;

	r |= metric(db, "queries", (double)s->queries);
	r |= metric(db, "queries_udp", (double)s->udp);
	r |= metric(db, "queries_tcp", (double)s->tcp);
	r |= metric(db, "cache_hits", (double)s->cache_hits);
	r |= metric(db, "cache_misses", (double)s->cache_misses);
	r |= metric(db, "local", (double)s->local);
	r |= metric(db, "forwarded", (double)s->forwarded);
	r |= metric(db, "upstream_answers", (double)s->upstream_answers);
	r |= metric(db, "servfail", (double)s->servfail);
	r |= metric(db, "nxdomain", (double)s->nxdomain);
	r |= metric(db, "stale", (double)s->stale);
	r |= metric(db, "prefetch", (double)s->prefetch);
	r |= metric(db, "dropped_malformed", (double)s->dropped_malformed);
	r |= metric(db, "dropped_unwanted", (double)s->dropped_unwanted);
	r |= metric(db, "upstream_malformed", (double)s->upstream_malformed);
	r |= metric(db, "ratelimited", (double)s->ratelimited);
	r |= metric(db, "rebind_blocked", (double)s->rebind_blocked);
	r |= metric(db, "truncated", (double)s->truncated);
	r |= metric(db, "overload", (double)s->overload);
	r |= metric(db, "deduplicated", (double)s->deduplicated);
	r |= metric(db, "cache_entries", (double)cache_count(dd->cache));
	r |= metric(db, "cache_bytes", (double)cache_bytes(dd->cache));
	r |= metric(db, "cache_evictions",
	    (double)cache_evictions(dd->cache));
	r |= metric(db, "in_flight", (double)dd->npending);
	r |= metric(db, "tcp_clients", (double)dd->ntcp);
	r |= metric(db, "query_log_lost", (double)dd->qlog_lost);
	if (r != 0)
		return (-1);
	if (state_exec(db, "DELETE FROM dns_upstreams") < 0)
		return (-1);
	if (sqlite3_prepare_v2(db, "INSERT INTO dns_upstreams (address, "
	    "position, state, queries, answers, timeouts, latency_ms, "
	    "last_ok, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	    -1, &st, NULL) != SQLITE_OK)
		return (-1);
	for (i = 0; i < dd->nupstreams; i++) {
		const struct upstream *u = &dd->upstreams[i];
		char	 name[ADDR_STRLEN + CONF_DOMAIN_MAX + 4];

		if (u->zone >= 0)
			snprintf(name, sizeof(name), "%s (%s)", u->name,
			    dd->conf->dns.zones[u->zone].domain);
		else
			snprintf(name, sizeof(name), "%s", u->name);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 2, u->position);
		sqlite3_bind_text(st, 3, u->down ? "down" : u->answers > 0 ?
		    "up" : "unknown", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)u->queries);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)u->answers);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)u->timeouts);
		if (u->answers > 0)
			sqlite3_bind_double(st, 7, u->latency_ms);
		else
			sqlite3_bind_null(st, 7);
		if (u->last_ok > 0)
			sqlite3_bind_int64(st, 8, u->last_ok);
		else
			sqlite3_bind_null(st, 8);
		sqlite3_bind_int64(st, 9, state_now());
		if (sqlite3_step(st) != SQLITE_DONE ||
		    latency_publish(db, u, name) < 0) {
			sqlite3_finalize(st);
			return (-1);
		}
	}
	sqlite3_finalize(st);
	return (0);
}

static int
flush_persist(sqlite3 *db, void *arg)
{
	struct dnsd		*dd = arg;
	const struct hgw_conf	*conf = dd->conf;
	sqlite3_stmt		*st;
	unsigned int		 i, n, start;
	int64_t			 now = state_now();
	char			 client[INET6_ADDRSTRLEN], name[DNS_NAME_STRLEN];

	flushed_log = 0;
	flushed_hist = 0;
	n = dd->qlog_count < LOG_PER_FLUSH ? dd->qlog_count : LOG_PER_FLUSH;
	if (n > 0) {
		if (sqlite3_prepare_v2(db, "INSERT INTO dns_log (time_ms, "
		    "client, name, qtype, rcode, source, upstream, "
		    "latency_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		    -1, &st, NULL) != SQLITE_OK)
			return (-1);
		start = (dd->qlog_head + DNSD_LOG_RING - dd->qlog_count) %
		    DNSD_LOG_RING;
		for (i = 0; i < n; i++) {
			const struct qlog *e =
			    &dd->qlog[(start + i) % DNSD_LOG_RING];

			client_str(e, client, sizeof(client));
			if (dns_name_to_str(e->qname, e->qnamelen, name,
			    sizeof(name)) < 0)
				snprintf(name, sizeof(name), "?");
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, e->time_ms);
			sqlite3_bind_text(st, 2, client, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(st, 4, e->qtype);
			sqlite3_bind_int(st, 5, e->rcode);
			sqlite3_bind_text(st, 6, source_names[e->source], -1,
			    SQLITE_STATIC);
			if (e->upstream >= 0 &&
			    (unsigned int)e->upstream < dd->nupstreams)
				sqlite3_bind_text(st, 7,
				    dd->upstreams[e->upstream].name, -1,
				    SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, 7);
			sqlite3_bind_int64(st, 8, e->latency_us);
			if (sqlite3_step(st) != SQLITE_DONE) {
				sqlite3_finalize(st);
				return (-1);
			}
		}
		sqlite3_finalize(st);
		flushed_log = n;
	}
	if (now - dd->hist_time >= HISTORY_S) {
		char	 sql[256];

		snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO dns_history "
		    "(time, queries, cache_hits, upstream, servfail) VALUES "
		    "(%lld, %llu, %llu, %llu, %llu)",
		    (long long)(dd->hist_time ? dd->hist_time : now),
		    (unsigned long long)(dd->st.queries - dd->st_hist.queries),
		    (unsigned long long)(dd->st.cache_hits -
		    dd->st_hist.cache_hits),
		    (unsigned long long)(dd->st.upstream_answers -
		    dd->st_hist.upstream_answers),
		    (unsigned long long)(dd->st.servfail -
		    dd->st_hist.servfail));
		/*
		 * Pruning deletes through an index: once a minute is enough,
		 * the log overshoots its cap by at most a minute of rows.
		 */
		if (state_exec(db, sql) < 0 ||
		    state_prune(db, "dns_log", "time_ms",
		    (int64_t)conf->gateway.retention_days * 86400,
		    conf->dns.query_log_max) < 0 ||
		    state_prune(db, "dns_history", "time",
		    (int64_t)conf->gateway.retention_days * 86400, 100000) < 0)
			return (-1);
		flushed_hist = now;
	}
	return (0);
}

static void
persist_done(void *arg)
{
	struct dnsd	*dd = arg;

	dd->qlog_count -= flushed_log < dd->qlog_count ? flushed_log :
	    dd->qlog_count;
	flushed_log = 0;
	if (flushed_hist != 0) {
		dd->st_hist = dd->st;
		dd->hist_time = flushed_hist;
		flushed_hist = 0;
	}
}

/* Every second: live figures always, the log and history when due. */
static void
stats_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct dnsd	*dd = arg;

	state_writer_dirty(dd->w_live);
	if (dd->qlog_count > 0 || state_now() - dd->hist_time >= HISTORY_S)
		state_writer_dirty(dd->w_persist);
}

/* Start the writers and the flush timer. */
int
stats_init(struct dnsd *dd)
{
	struct timeval	 tv = { LIVE_MS / 1000, 0 };

	if ((dd->qlog = calloc(DNSD_LOG_RING, sizeof(*dd->qlog))) == NULL)
		return (-1);
	/* dnsd writes small batches: a small page cache keeps it small. */
	state_exec(dd->d->live, "PRAGMA cache_size = -256");
	state_exec(dd->d->persist, "PRAGMA cache_size = -256");
	dd->hist_time = state_now();
	dd->w_live = state_writer_new(dd->base, dd->d->live, LIVE_MS,
	    flush_live, dd);
	dd->w_persist = state_writer_new(dd->base, dd->d->persist, PERSIST_MS,
	    flush_persist, dd);
	if (dd->w_live == NULL || dd->w_persist == NULL)
		return (-1);
	state_writer_on_commit(dd->w_persist, persist_done);
	state_writer_name(dd->w_live, "DNS figures");
	state_writer_name(dd->w_persist, "the DNS query log and history");
	dd->ev_stats = event_new(dd->base, -1, EV_PERSIST, stats_cb, dd);
	if (dd->ev_stats == NULL || event_add(dd->ev_stats, &tv) == -1)
		return (-1);
	state_writer_dirty(dd->w_live);
	return (0);
}

/*
 * daemon.c reopened a database: the writers follow (statements are
 * prepared at each flush), and everything is written again.
 */
void
stats_reopen(struct dnsd *dd, enum hgw_db which)
{
	if (which == HGW_DB_LIVE && dd->w_live != NULL) {
		state_exec(dd->d->live, "PRAGMA cache_size = -256");
		state_writer_set_db(dd->w_live, dd->d->live);
		state_writer_dirty(dd->w_live);
	} else if (which == HGW_DB_PERSIST && dd->w_persist != NULL) {
		state_exec(dd->d->persist, "PRAGMA cache_size = -256");
		state_writer_set_db(dd->w_persist, dd->d->persist);
		state_writer_dirty(dd->w_persist);
	}
}

/* Final flush (may block) and free. */
void
stats_free(struct dnsd *dd)
{
	if (dd->ev_stats != NULL)
		event_free(dd->ev_stats);
	if (dd->w_live != NULL) {
		state_writer_dirty(dd->w_live);
		state_writer_flush(dd->w_live);
		state_writer_free(dd->w_live);
	}
	if (dd->w_persist != NULL) {
		if (dd->qlog_count > 0)
			state_writer_dirty(dd->w_persist);
		state_writer_flush(dd->w_persist);
		state_writer_free(dd->w_persist);
	}
	free(dd->qlog);
	dd->qlog = NULL;
	dd->ev_stats = NULL;
	dd->w_live = dd->w_persist = NULL;
}

/* Short status for the heartbeat row. */
const char *
stats_status(struct dnsd *dd)
{
	static char	 buf[128];
	uint64_t	 lookups = dd->st.cache_hits + dd->st.cache_misses;

	snprintf(buf, sizeof(buf), "%llu queries, %u cached, %.0f%% hits",
	    (unsigned long long)dd->st.queries, cache_count(dd->cache),
	    lookups ? 100.0 * (double)dd->st.cache_hits / (double)lookups :
	    0.0);
	return (buf);
}
