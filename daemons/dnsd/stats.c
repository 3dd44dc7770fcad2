/*
 * SPDX-License-Identifier: ISC
 *
 * stats.c: dnsd's figures.  Counters live in memory (struct dnsd_stats)
 * and the query log in a fixed ring; both reach SQLite only through the
 * batched writers, never one transaction per query.  Every second the
 * counters, the upstreams and the ring's new queries go to live.db (tmpfs:
 * a row there costs no write to the SD card), where the readers find the
 * query log.  Every [dns] query_log_interval (10 minutes by default) the
 * rows live.db has that homegw.db does not go to homegw.db as one packed
 * batch (logpack.c), together with the per-minute dns_history rows kept in
 * memory meanwhile; at a clean stop the rest goes too, and at start
 * after a reboot dnsd puts the batches back into live.db.  So a crash of
 * dnsd loses at most the second in the ring, a power cut at most one
 * interval, a clean stop or reboot nothing; and the card sees one small
 * append every interval instead of an indexed table rewritten every few
 * seconds (docs/schema.md).  When queries outrun the ring between two
 * flushes, the oldest entries are overwritten and counted as lost.  Also
 * owns the per-client rate limiter, a fixed table of token buckets.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
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
#define HISTORY_S	60	/* one dns_history row per minute */
#define PRUNE_S		60	/* live.db's dns_log pruned this often */
/*
 * Rows per packed blob at most: bounds what packing takes in memory (a
 * flood of distinct names packs at about 30 bytes a row, plus its
 * dictionary) at a cost of a few KB of names repeated per blob.
 */
#define BATCH_ROWS	8192

/*
 * What the last flushes wrote; live_done() and persist_done() drop it
 * from memory only after the COMMIT, so a failed write is retried with
 * everything still there.
 */
static unsigned int	 flushed_log;	/* ring entries now in live.db */
static int64_t		 saved_upto;	/* newest id now in homegw.db */
static unsigned int	 saved_hist;	/* dns_history rows written */
static uint64_t		 saved_batches, saved_bytes;
static int64_t		 pruned_at;

static const char *const source_names[SRC_MAX] = {
	"cache", "local", "upstream", "stale", "error", "blocked"
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
	e->blocked_by = -1;
}

/* The list that blocked the query stats_log() just noted (block.c). */
void
stats_log_blocked_by(struct dnsd *dd, int slot)
{
	if (!dd->conf->dns.query_log || dd->qlog == NULL ||
	    dd->qlog_count == 0)
		return;
	dd->qlog[(dd->qlog_head + DNSD_LOG_RING - 1) % DNSD_LOG_RING].
	    blocked_by = (int16_t)slot;
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

/*
 * The ring's new queries into live.db's dns_log, numbered on from the
 * last row; once a minute the oldest rows beyond query_log_max or
 * retention_days go.
 */
static int
live_log(sqlite3 *db, struct dnsd *dd)
{
	const struct hgw_conf	*conf = dd->conf;
	sqlite3_stmt		*st;
	unsigned int		 i, n, start;
	int64_t			 now = state_now();
	char			 client[INET6_ADDRSTRLEN], name[DNS_NAME_STRLEN];
	char			 sql[128];

	flushed_log = 0;
	n = dd->qlog_count;
	if (n > 0) {
		/* OR REPLACE: numbering never stops on a stray row. */
		if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO dns_log (id, "
		    "time_ms, client, name, qtype, rcode, source, upstream, "
		    "latency_us, blocked_by) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", -1, &st,
		    NULL) != SQLITE_OK)
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
			sqlite3_bind_int64(st, 1, dd->qlog_next_id + i);
			sqlite3_bind_int64(st, 2, e->time_ms);
			sqlite3_bind_text(st, 3, client, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 4, name, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(st, 5, e->qtype);
			sqlite3_bind_int(st, 6, e->rcode);
			sqlite3_bind_text(st, 7, source_names[e->source], -1,
			    SQLITE_STATIC);
			if (e->upstream >= 0 &&
			    (unsigned int)e->upstream < dd->nupstreams)
				sqlite3_bind_text(st, 8,
				    dd->upstreams[e->upstream].name, -1,
				    SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, 8);
			sqlite3_bind_int64(st, 9, e->latency_us);
			if (e->source == SRC_BLOCKED && block_slot_name(dd,
			    e->blocked_by) != NULL)
				sqlite3_bind_text(st, 10, block_slot_name(dd,
				    e->blocked_by), -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, 10);
			if (sqlite3_step(st) != SQLITE_DONE) {
				sqlite3_finalize(st);
				return (-1);
			}
		}
		sqlite3_finalize(st);
		flushed_log = n;
	}
	if (now - pruned_at < PRUNE_S)
		return (0);
	/* Ids are consecutive: the cap is a range delete on the key. */
	if (conf->dns.query_log_max > 0) {
		snprintf(sql, sizeof(sql), "DELETE FROM dns_log WHERE id < %lld",
		    (long long)(dd->qlog_next_id + n -
		    conf->dns.query_log_max));
		if (state_exec(db, sql) < 0)
			return (-1);
	}
	if (state_prune(db, "dns_log", "time_ms",
	    (int64_t)conf->gateway.retention_days * 86400, 0) < 0)
		return (-1);
	pruned_at = now;
	return (0);
}

/* The next minute of dns_series, taken on in live_done(). */
static struct {
	int			 set;
	int64_t			 time;
	struct dnsd_stats	 base;
} series_next;

static void
live_done(void *arg)
{
	struct dnsd	*dd = arg;

	dd->qlog_count -= flushed_log < dd->qlog_count ? flushed_log :
	    dd->qlog_count;
	dd->qlog_next_id += flushed_log;
	flushed_log = 0;
	if (series_next.set) {
		dd->st_series = series_next.base;
		dd->series_time = series_next.time;
		series_next.set = 0;
	}
	names_done();
}

/*
 * The current minute's row of dns_series: what the counters grew by
 * since the minute began (since dnsd started, in its first minute).  At
 * a new minute the last one is written whole and rows older than a day
 * go; the new minute's base takes effect only once that transaction is
 * committed (live_done), so a failed write loses no count.
 */
static int
series_row(sqlite3 *db, int64_t time, const struct dnsd_stats *s,
    const struct dnsd_stats *b)
{
	char	 sql[384];

	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO dns_series (time, "
	    "queries, cache, misses, local, upstream, stale, failed, blocked) "
	    "VALUES (%lld, %llu, %llu, %llu, %llu, %llu, %llu, %llu, %llu)",
	    (long long)time,
	    (unsigned long long)(s->queries - b->queries),
	    (unsigned long long)(s->cache_hits - b->cache_hits),
	    (unsigned long long)(s->cache_misses - b->cache_misses),
	    (unsigned long long)(s->local - b->local),
	    (unsigned long long)(s->upstream_answers - b->upstream_answers),
	    (unsigned long long)(s->stale - b->stale),
	    (unsigned long long)(s->servfail - b->servfail),
	    (unsigned long long)(s->blocked - b->blocked));
	return (state_exec(db, sql));
}

static int
live_series(sqlite3 *db, struct dnsd *dd)
{
	int64_t	 now = state_now(), minute = now - now % 60;
	char	 sql[128];

	series_next.set = 0;
	if (dd->series_time == 0)
		dd->series_time = minute;
	if (dd->series_time == minute)
		return (series_row(db, minute, &dd->st, &dd->st_series));
	if (series_row(db, dd->series_time, &dd->st, &dd->st_series) < 0)
		return (-1);
	series_next.set = 1;
	series_next.time = minute;
	series_next.base = dd->st;
	snprintf(sql, sizeof(sql), "DELETE FROM dns_series WHERE time < %lld",
	    (long long)(minute - 86400));
	if (state_exec(db, sql) < 0)
		return (-1);
	return (series_row(db, minute, &dd->st, &dd->st));
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
	r |= metric(db, "query_log_batches", (double)dd->qlog_batches);
	r |= metric(db, "query_log_batch_bytes",
	    (double)dd->qlog_batch_bytes);
	r |= metric(db, "query_log_unsaved", (double)(dd->qlog_next_id - 1 -
	    dd->qlog_saved_id));
	if (r != 0 || block_publish(db, dd) < 0 || live_log(db, dd) < 0 ||
	    live_series(db, dd) < 0 || names_flush(db, dd) < 0)
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

/* Write one packed batch of consecutive rows. */
static int
batch_write(sqlite3 *db, struct logpack *p, int64_t first_id,
    int64_t first_ms)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (p->rows == 0)
		return (0);
	if (sqlite3_prepare_v2(db, "INSERT INTO dns_log_batch (first_id, "
	    "rows, time_first_ms, time_last_ms, data) VALUES (?1, ?2, ?3, ?4, "
	    "?5)", -1, &st, NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_int64(st, 1, first_id);
	sqlite3_bind_int64(st, 2, p->rows);
	sqlite3_bind_int64(st, 3, first_ms);
	sqlite3_bind_int64(st, 4, p->prev_ms);
	sqlite3_bind_blob(st, 5, p->buf, (int)p->len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return (-1);
	saved_upto = first_id + p->rows - 1;
	saved_batches++;
	saved_bytes += p->len;
	logpack_reset(p);
	return (0);
}

static size_t
col_text(sqlite3_stmt *st, int i, const char **s)
{
	*s = (const char *)sqlite3_column_text(st, i);
	return (*s != NULL ? (size_t)sqlite3_column_bytes(st, i) : 0);
}

/* live.db's rows newer than homegw.db's, packed into batches. */
static int
persist_log(sqlite3 *db, struct dnsd *dd)
{
	struct logpack	 p;
	struct logrow	 r;
	sqlite3_stmt	*st;
	int64_t		 id, first_id = 0, first_ms = 0, prev = 0;
	int		 rc, ret = -1;

	if (sqlite3_prepare_v2(dd->d->live, "SELECT id, time_ms, client, "
	    "name, qtype, rcode, source, upstream, latency_us, blocked_by "
	    "FROM dns_log WHERE id > ?1 ORDER BY id", -1, &st, NULL) !=
	    SQLITE_OK)
		return (-1);
	sqlite3_bind_int64(st, 1, dd->qlog_saved_id);
	logpack_init(&p);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		/* A batch holds consecutive ids only. */
		if (p.rows > 0 && (id != prev + 1 || p.rows >= BATCH_ROWS) &&
		    batch_write(db, &p, first_id, first_ms) < 0)
			goto out;
		if (p.rows == 0) {
			first_id = id;
			first_ms = sqlite3_column_int64(st, 1);
		}
		prev = id;
		memset(&r, 0, sizeof(r));
		r.time_ms = sqlite3_column_int64(st, 1);
		r.clientlen = col_text(st, 2, &r.client);
		r.namelen = col_text(st, 3, &r.name);
		r.qtype = sqlite3_column_int(st, 4);
		r.rcode = sqlite3_column_int(st, 5);
		r.sourcelen = col_text(st, 6, &r.source);
		r.upstreamlen = col_text(st, 7, &r.upstream);
		r.latency_us = sqlite3_column_int64(st, 8);
		r.blocked_bylen = col_text(st, 9, &r.blocked_by);
		if (r.client == NULL || r.name == NULL || r.source == NULL)
			continue;
		if (logpack_add(&p, &r) < 0)
			goto out;
	}
	if (rc == SQLITE_DONE && batch_write(db, &p, first_id, first_ms) == 0)
		ret = 0;
out:
	sqlite3_finalize(st);
	logpack_free(&p);
	return (ret);
}

static int
flush_persist(sqlite3 *db, void *arg)
{
	struct dnsd		*dd = arg;
	const struct hgw_conf	*conf = dd->conf;
	int64_t			 age = (int64_t)conf->gateway.retention_days *
				    86400;
	unsigned int		 i;
	char			 sql[256];

	saved_upto = dd->qlog_saved_id;
	saved_hist = 0;
	saved_batches = saved_bytes = 0;
	/* The old table's rows are in live.db now, and go out with these. */
	if (dd->qlog_legacy && state_exec(db, "DELETE FROM dns_log") < 0)
		return (-1);
	if (persist_log(db, dd) < 0)
		return (-1);
	for (i = 0; i < dd->nhist; i++) {
		const struct dnsd_hist *h = &dd->hist[i];

		snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO dns_history "
		    "(time, queries, cache_hits, upstream, servfail, blocked) "
		    "VALUES (%lld, %llu, %llu, %llu, %llu, %llu)",
		    (long long)h->time,
		    (unsigned long long)h->queries,
		    (unsigned long long)h->cache_hits,
		    (unsigned long long)h->upstream,
		    (unsigned long long)h->servfail,
		    (unsigned long long)h->blocked);
		if (state_exec(db, sql) < 0)
			return (-1);
	}
	saved_hist = dd->nhist;
	/* Batches wholly beyond the cap or the retention go. */
	if (conf->dns.query_log_max > 0) {
		snprintf(sql, sizeof(sql), "DELETE FROM dns_log_batch WHERE "
		    "first_id + rows <= %lld", (long long)(saved_upto + 1 -
		    conf->dns.query_log_max));
		if (state_exec(db, sql) < 0)
			return (-1);
	}
	if (state_prune(db, "dns_log_batch", "time_last_ms", age, 0) < 0 ||
	    state_prune(db, "dns_history", "time", age, 100000) < 0)
		return (-1);
	return (0);
}

static void
persist_done(void *arg)
{
	struct dnsd	*dd = arg;

	dd->qlog_saved_id = saved_upto;
	dd->qlog_legacy = 0;
#ifdef __GLIBC__
	/* Packing's buffers are freed; hand the pages back (rare: a batch). */
	(void)malloc_trim(0);
#endif
	dd->qlog_batches += saved_batches;
	dd->qlog_batch_bytes += saved_bytes;
	if (saved_hist > 0) {
		memmove(dd->hist, dd->hist + saved_hist,
		    (dd->nhist - saved_hist) * sizeof(*dd->hist));
		dd->nhist -= saved_hist;
	}
	saved_hist = 0;
}

/* Every minute: a dns_history row, kept until the next batch. */
static void
history_tick(struct dnsd *dd, int64_t now)
{
	struct dnsd_hist	*h;

	if (now - dd->hist_time < HISTORY_S)
		return;
	if (dd->nhist == DNSD_HIST_MAX) {
		memmove(dd->hist, dd->hist + 1,
		    (DNSD_HIST_MAX - 1) * sizeof(*dd->hist));
		dd->nhist--;
	}
	h = &dd->hist[dd->nhist++];
	h->time = dd->hist_time;
	h->queries = dd->st.queries - dd->st_hist.queries;
	h->cache_hits = dd->st.cache_hits - dd->st_hist.cache_hits;
	h->upstream = dd->st.upstream_answers - dd->st_hist.upstream_answers;
	h->servfail = dd->st.servfail - dd->st_hist.servfail;
	h->blocked = dd->st.blocked - dd->st_hist.blocked;
	dd->st_hist = dd->st;
	dd->hist_time = now;
}

/* Anything live.db or memory has that homegw.db has not? */
static int
persist_due(const struct dnsd *dd)
{
	return (dd->nhist > 0 || dd->qlog_legacy ||
	    dd->qlog_next_id - 1 > dd->qlog_saved_id);
}

/* Every second: live figures always, history and the log when due. */
static void
stats_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct dnsd	*dd = arg;

	history_tick(dd, state_now());
	upstream_say_all(dd);
	state_writer_dirty(dd->w_live);
	/* The writer's timer then fires one interval after the first mark. */
	if (persist_due(dd))
		state_writer_dirty(dd->w_persist);
}

static int64_t
scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return (-1);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (v);
}

struct load {
	sqlite3_stmt	*ins;
	int64_t		 id;		/* of the row being decoded */
	int64_t		 after;		/* rows up to this one are there */
	int64_t		 loaded;
};

static int
load_row(const struct logrow *r, void *arg)
{
	struct load	*l = arg;
	sqlite3_stmt	*st = l->ins;

	if (l->id++ <= l->after)
		return (0);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, l->id - 1);
	sqlite3_bind_int64(st, 2, r->time_ms);
	sqlite3_bind_text(st, 3, r->client, (int)r->clientlen,
	    SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->name, (int)r->namelen, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 5, r->qtype);
	sqlite3_bind_int(st, 6, r->rcode);
	sqlite3_bind_text(st, 7, r->source, (int)r->sourcelen,
	    SQLITE_TRANSIENT);
	if (r->upstream != NULL)
		sqlite3_bind_text(st, 8, r->upstream, (int)r->upstreamlen,
		    SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_int64(st, 9, r->latency_us);
	if (r->blocked_by != NULL)
		sqlite3_bind_text(st, 10, r->blocked_by, (int)r->blocked_bylen,
		    SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 10);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (-1);
	l->loaded++;
	return (0);
}

/*
 * At start: the batches live.db lacks (all of them after a reboot) back
 * into live.db, and an older homegw's dns_log rows after them; then the
 * numbering goes on from the newest row either file has.
 */
static int
load_log(struct dnsd *dd)
{
	sqlite3		*live = dd->d->live, *persist = dd->d->persist;
	sqlite3_stmt	*st = NULL;
	struct load	 l;
	int64_t		 legacy, live_max, cut;
	int		 rc, bad = 0, ret = -1;

	memset(&l, 0, sizeof(l));
	if ((dd->qlog_saved_id = scalar(persist, "SELECT coalesce(max("
	    "first_id + rows - 1), 0) FROM dns_log_batch")) < 0 ||
	    (live_max = scalar(live, "SELECT coalesce(max(id), 0) FROM "
	    "dns_log")) < 0 ||
	    (legacy = scalar(persist, "SELECT count(*) FROM dns_log")) < 0)
		return (-1);
	if (live_max >= dd->qlog_saved_id && legacy == 0) {
		dd->qlog_next_id = live_max + 1;
		return (0);
	}
	if (state_begin(live) < 0)
		return (-1);
	if (sqlite3_prepare_v2(live, "INSERT INTO dns_log (id, time_ms, "
	    "client, name, qtype, rcode, source, upstream, latency_us, "
	    "blocked_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", -1,
	    &l.ins, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(persist, "SELECT first_id, data, rows FROM "
	    "dns_log_batch WHERE first_id + rows - 1 > ?1 ORDER BY first_id",
	    -1, &st, NULL) != SQLITE_OK)
		goto out;
	/* Rows the cap would drop at once are not loaded at all. */
	cut = dd->conf->dns.query_log_max > 0 ? dd->qlog_saved_id -
	    (int64_t)dd->conf->dns.query_log_max : 0;
	if (cut < live_max)
		cut = live_max;
	sqlite3_bind_int64(st, 1, cut);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		l.id = sqlite3_column_int64(st, 0);
		l.after = cut;
		/* A blob cut short at a row's end decodes too few rows. */
		if (logpack_decode(sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), load_row, &l) != 0 ||
		    l.id != sqlite3_column_int64(st, 0) +
		    sqlite3_column_int64(st, 2))
			bad++;
		if (l.id - 1 > live_max)
			live_max = l.id - 1;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto out;
	if (bad > 0)
		log_warnx("query log: %d batch%s in homegw.db unreadable, "
		    "skipped", bad, bad > 1 ? "es" : "");
	if (live_max < dd->qlog_saved_id)
		live_max = dd->qlog_saved_id;
	if (legacy > 0) {
		/* Rows of an older homegw, in its table on the card. */
		if (sqlite3_prepare_v2(persist, "SELECT time_ms, client, name, "
		    "qtype, rcode, source, upstream, latency_us FROM dns_log "
		    "ORDER BY id", -1, &st, NULL) != SQLITE_OK)
			goto out;
		l.id = live_max + 1;
		l.after = live_max;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct logrow	 r;

			memset(&r, 0, sizeof(r));
			r.time_ms = sqlite3_column_int64(st, 0);
			r.clientlen = col_text(st, 1, &r.client);
			r.namelen = col_text(st, 2, &r.name);
			r.qtype = sqlite3_column_int(st, 3);
			r.rcode = sqlite3_column_int(st, 4);
			r.sourcelen = col_text(st, 5, &r.source);
			r.upstreamlen = col_text(st, 6, &r.upstream);
			r.latency_us = sqlite3_column_int64(st, 7);
			if (r.client == NULL || r.name == NULL ||
			    r.source == NULL)
				continue;
			if (load_row(&r, &l) < 0)
				goto out;
		}
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_DONE)
			goto out;
		live_max = l.id - 1;
		dd->qlog_legacy = 1;
	}
	if (state_commit(live) < 0)
		goto out;
	dd->qlog_next_id = live_max + 1;
	log_info("query log: %lld rows back in live.db from homegw.db",
	    (long long)l.loaded);
	ret = 0;
out:
	if (st != NULL)
		sqlite3_finalize(st);
	if (l.ins != NULL)
		sqlite3_finalize(l.ins);
	if (ret < 0)
		state_rollback(live);
	return (ret);
}

/*
 * dnsd's settings for its connections, at start and after a reopen.
 * dnsd writes small batches: a small page cache keeps it small.  A batch
 * is durable at its COMMIT (one sync every interval), so a power cut
 * loses at most one interval; freed pages are not zeroed, which would
 * write them once more.  Statement journals and sorts never go to
 * temporary files, which would be in /var/tmp: on a Pi, the SD card.
 */
static void
tune(sqlite3 *db, enum hgw_db which)
{
	state_exec(db, "PRAGMA cache_size = -256");
	state_exec(db, "PRAGMA temp_store = MEMORY");
	if (which == HGW_DB_PERSIST) {
		state_exec(db, "PRAGMA synchronous = FULL");
		state_exec(db, "PRAGMA secure_delete = OFF");
	}
}

/* Start the writers and the flush timer. */
int
stats_init(struct dnsd *dd)
{
	struct timeval	 tv = { LIVE_MS / 1000, 0 };

	if ((dd->qlog = calloc(DNSD_LOG_RING, sizeof(*dd->qlog))) == NULL ||
	    (dd->hist = calloc(DNSD_HIST_MAX, sizeof(*dd->hist))) == NULL)
		return (-1);
	if (names_init() < 0)
		log_warnx("names behind addresses: out of memory, not kept");
	tune(dd->d->live, HGW_DB_LIVE);
	tune(dd->d->persist, HGW_DB_PERSIST);
	if (load_log(dd) < 0) {
		log_warnx("query log: cannot read it back from homegw.db: %s",
		    sqlite3_errmsg(dd->d->persist));
		if (dd->qlog_saved_id < 0)
			dd->qlog_saved_id = 0;
		if (dd->qlog_next_id <= dd->qlog_saved_id)
			dd->qlog_next_id = dd->qlog_saved_id + 1;
	}
	dd->hist_time = state_now();
	dd->w_live = state_writer_new(dd->base, dd->d->live, LIVE_MS,
	    flush_live, dd);
	dd->w_persist = state_writer_new(dd->base, dd->d->persist,
	    dd->conf->dns.query_log_interval * 1000, flush_persist, dd);
	if (dd->w_live == NULL || dd->w_persist == NULL)
		return (-1);
	state_writer_on_commit(dd->w_live, live_done);
	state_writer_on_commit(dd->w_persist, persist_done);
	state_writer_name(dd->w_live, "DNS figures");
	state_writer_name(dd->w_persist, "the DNS query log and history");
	dd->ev_stats = event_new(dd->base, -1, EV_PERSIST, stats_cb, dd);
	if (dd->ev_stats == NULL || event_add(dd->ev_stats, &tv) == -1)
		return (-1);
	state_writer_dirty(dd->w_live);
	/* Move an older homegw's rows off the card at once. */
	if (dd->qlog_legacy) {
		state_writer_dirty(dd->w_persist);
		state_writer_now(dd->w_persist);
	}
	return (0);
}

/*
 * daemon.c reopened a database (deleted, replaced or damaged under us):
 * the connection gets dnsd's settings again, the writers follow it
 * (statements are prepared at each flush), and everything is written
 * again.  A new live.db gets the query log back from homegw.db's
 * batches (what came since the last batch went with the old file); a
 * new homegw.db has no batch yet, so the next one takes every row
 * live.db holds.
 */
void
stats_reopen(struct dnsd *dd, enum hgw_db which)
{
	if (which == HGW_DB_LIVE && dd->w_live != NULL) {
		tune(dd->d->live, HGW_DB_LIVE);
		state_writer_set_db(dd->w_live, dd->d->live);
		if (load_log(dd) < 0)
			log_warnx("query log: cannot read it back from "
			    "homegw.db into the new live.db: %s",
			    sqlite3_errmsg(dd->d->live));
		state_writer_dirty(dd->w_live);
	} else if (which == HGW_DB_PERSIST && dd->w_persist != NULL) {
		tune(dd->d->persist, HGW_DB_PERSIST);
		state_writer_set_db(dd->w_persist, dd->d->persist);
		if ((dd->qlog_saved_id = scalar(dd->d->persist, "SELECT "
		    "coalesce(max(first_id + rows - 1), 0) FROM "
		    "dns_log_batch")) < 0)
			dd->qlog_saved_id = 0;
		dd->qlog_legacy = 0;
		state_writer_dirty(dd->w_persist);
	}
}

/*
 * Final flush (may block) and free: the ring into live.db, then whatever
 * homegw.db lacks, so that a clean stop loses nothing.
 */
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
		history_tick(dd, dd->hist_time + HISTORY_S);
		if (persist_due(dd))
			state_writer_dirty(dd->w_persist);
		state_writer_flush(dd->w_persist);
		state_writer_free(dd->w_persist);
	}
	free(dd->qlog);
	free(dd->hist);
	names_free();
	dd->qlog = NULL;
	dd->hist = NULL;
	dd->ev_stats = NULL;
	dd->w_live = dd->w_persist = NULL;
}

/* Short status for the heartbeat row. */
const char *
stats_status(struct dnsd *dd)
{
	static char	 buf[192];
	uint64_t	 lookups = dd->st.cache_hits + dd->st.cache_misses;

	snprintf(buf, sizeof(buf), "%llu queries, %u cached, %.0f%% hits, %s",
	    (unsigned long long)dd->st.queries, cache_count(dd->cache),
	    lookups ? 100.0 * (double)dd->st.cache_hits / (double)lookups :
	    0.0, block_status(dd));
	return (buf);
}
