/*
 * SPDX-License-Identifier: ISC
 *
 * trace.c: traces of one host (see trace.h).  Owns the traces rows a
 * starter inserts, the pruning of finished traces, the JSON shape of a
 * trace and of an event, and the daemons' recorder, which buffers events
 * and appends them to trace_events in batches.  Rows read back from
 * homegw.db were written by other programs: their text is escaped, and a
 * data column that is not an object is left out, never spliced in.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "addr.h"
#include "conf.h"
#include "log.h"
#include "state.h"
#include "trace.h"

/* Traces a recorder follows at once: more than may run, for the race. */
#define RECORDER_TRACES		(2 * TRACE_RUNNING_MAX)
/* Events a recorder holds while homegw.db is busy or failing. */
#define RECORDER_BUFFER		(8 * TRACE_BATCH_EVENTS)

/* JSON buffer. */

static int
buf_grow(struct trace_buf *b, size_t more)
{
	size_t	 cap;
	char	*s;

	if (b->failed)
		return (-1);
	if (b->len + more + 1 <= b->cap)
		return (0);
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	if ((s = realloc(b->s, cap)) == NULL) {
		b->failed = 1;
		return (-1);
	}
	b->s = s;
	b->cap = cap;
	return (0);
}

/* Append len bytes of s. */
void
trace_buf_add(struct trace_buf *b, const char *s, size_t len)
{
	if (buf_grow(b, len) < 0)
		return;
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

/* Append printf-formatted text. */
void
trace_buf_printf(struct trace_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	 small[256];
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		trace_buf_add(b, small, (size_t)n);
		return;
	}
	if (buf_grow(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Append s as a JSON string; control characters escaped, NULL is null. */
void
trace_buf_json_str(struct trace_buf *b, const char *s)
{
	const unsigned char *p;
	char		 esc[8];

	if (s == NULL) {
		trace_buf_add(b, "null", 4);
		return;
	}
	trace_buf_add(b, "\"", 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			trace_buf_add(b, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			trace_buf_add(b, esc, 6);
		} else
			trace_buf_add(b, (const char *)p, 1);
	}
	trace_buf_add(b, "\"", 1);
}

/* The text so far, or NULL after a failed allocation. */
const char *
trace_buf_str(struct trace_buf *b)
{
	if (b->failed)
		return (NULL);
	return (b->s != NULL ? b->s : "");
}

/* Empty the buffer, keeping its memory. */
void
trace_buf_reset(struct trace_buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

/* Free the buffer's memory. */
void
trace_buf_free(struct trace_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* Is the trace running at now_ms? */
int
trace_running(const struct trace_info *t, int64_t now_ms)
{
	return (t->until_ms > now_ms);
}

/* A trace's row as JSON. */
void
trace_info_json(struct trace_buf *b, const struct trace_info *t, int full,
    int64_t now_ms)
{
	trace_buf_printf(b, "{\"id\":%lld,\"host\":", (long long)t->id);
	trace_buf_json_str(b, t->host);
	trace_buf_add(b, ",\"name\":", 8);
	trace_buf_json_str(b, t->name[0] != '\0' ? t->name : NULL);
	trace_buf_add(b, ",\"mac\":", 7);
	trace_buf_json_str(b, t->mac[0] != '\0' ? t->mac : NULL);
	trace_buf_add(b, ",\"addrs\":", 9);
	trace_buf_json_str(b, t->addrs);
	trace_buf_printf(b, ",\"started_ms\":%lld,\"until_ms\":%lld",
	    (long long)t->started_ms, (long long)t->until_ms);
	if (full)
		trace_buf_printf(b, ",\"running\":%s,\"events\":%lld",
		    trace_running(t, now_ms) ? "true" : "false",
		    (long long)t->events);
	trace_buf_add(b, "}", 1);
}

/*
 * The inside of a JSON object's text: what lies between its outer
 * braces, trimmed; *ret_len 0 for "{}".  -1 when s is not "{...}".
 */
static int
object_inner(const char *s, const char **ret, size_t *ret_len)
{
	size_t	 len;

	if (s == NULL)
		return (-1);
	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len < 2 || s[0] != '{' || s[len - 1] != '}')
		return (-1);
	s++;
	len -= 2;
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	*ret = s;
	*ret_len = len;
	return (0);
}

/* One event as the API and homegwctl --json show it. */
void
trace_event_json(struct trace_buf *b, const struct trace_event *e)
{
	const char	*inner;
	size_t		 len;

	trace_buf_printf(b, "{\"id\":%lld,\"t\":%lld,\"daemon\":",
	    (long long)e->id, (long long)e->t_ms);
	trace_buf_json_str(b, e->daemon);
	trace_buf_add(b, ",\"layer\":", 9);
	trace_buf_json_str(b, e->layer);
	trace_buf_add(b, ",\"event\":", 9);
	trace_buf_json_str(b, e->event);
	trace_buf_add(b, ",\"flow\":", 8);
	trace_buf_json_str(b, e->flow);
	if (object_inner(e->data, &inner, &len) == 0 && len > 0) {
		trace_buf_add(b, ",", 1);
		trace_buf_add(b, inner, len);
	}
	trace_buf_add(b, "}", 1);
}

/* Starting, listing, reading. */

static void
copy(char *dst, size_t len, const unsigned char *src)
{
	snprintf(dst, len, "%s", src != NULL ? (const char *)src : "");
}

/* Append addr to the comma-separated list unless it is there already. */
static void
addrs_add(struct trace_info *t, const char *addr)
{
	const char	*p = t->addrs;
	size_t		 len = strlen(addr), have;
	int		 n = 0;

	while (*p != '\0') {
		have = strcspn(p, ",");
		if (have == len && strncmp(p, addr, len) == 0)
			return;
		n++;
		p += have;
		if (*p == ',')
			p++;
	}
	if (n >= TRACE_ADDRS_MAX)
		return;
	if (strlen(t->addrs) + len + 2 > sizeof(t->addrs))
		return;
	if (t->addrs[0] != '\0')
		strcat(t->addrs, ",");
	strcat(t->addrs, addr);
}

/* Neighbours in live.db by mac (addresses) or by address (its mac). */
static void
resolve_live(sqlite3 *live, struct trace_info *t, const char *addr)
{
	sqlite3_stmt	*st = NULL;
	const char	*sql;

	if (live == NULL)
		return;
	if (addr != NULL && t->mac[0] == '\0') {
		sql = "SELECT mac FROM neighbours WHERE address = ?1 AND "
		    "mac IS NOT NULL AND proxy = 0 LIMIT 1";
		if (sqlite3_prepare_v2(live, sql, -1, &st, NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_text(st, 1, addr, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			copy(t->mac, sizeof(t->mac), sqlite3_column_text(st,
			    0));
		sqlite3_finalize(st);
		st = NULL;
	}
	if (t->mac[0] == '\0')
		return;
	sql = "SELECT address FROM neighbours WHERE mac = ?1 AND proxy = 0 "
	    "ORDER BY address LIMIT 8";
	if (sqlite3_prepare_v2(live, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, t->mac, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (sqlite3_column_text(st, 0) != NULL)
			addrs_add(t, (const char *)sqlite3_column_text(st, 0));
out:
	sqlite3_finalize(st);
}

/* Resolve a host-table name, address or MAC to what a trace follows. */
int
trace_resolve(const struct hgw_conf *conf, sqlite3 *live, const char *host,
    struct trace_info *ret)
{
	struct trace_info t;
	struct hgw_host	*h = NULL;
	struct in_addr	 a4;
	struct in6_addr	 a6;
	uint8_t		 mac[ADDR_MAC_LEN];
	char		 buf[INET6_ADDRSTRLEN];
	const char	*asked_addr = NULL;

	if (host == NULL || *host == '\0' || strlen(host) >= sizeof(t.host))
		return (-EINVAL);
	memset(&t, 0, sizeof(t));
	snprintf(t.host, sizeof(t.host), "%s", host);
	if (inet_pton(AF_INET, host, &a4) == 1) {
		inet_ntop(AF_INET, &a4, buf, sizeof(buf));
		addrs_add(&t, buf);
		asked_addr = t.addrs;
		if (conf != NULL)
			h = conf_host_by_addr(conf, a4);
	} else if (inet_pton(AF_INET6, host, &a6) == 1) {
		inet_ntop(AF_INET6, &a6, buf, sizeof(buf));
		addrs_add(&t, buf);
	} else if (addr_parse_mac(host, mac) == 0) {
		addr_fmt_mac(mac, t.mac);
		if (conf != NULL)
			h = conf_host_by_mac(conf, mac);
	} else {
		if (strspn(host, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") != strlen(host))
			return (-EINVAL);
		if (conf == NULL || (h = conf_host_by_name(conf, host)) == NULL)
			return (-ENOENT);
	}
	if (h != NULL) {
		snprintf(t.name, sizeof(t.name), "%s", h->name);
		if (t.mac[0] == '\0')
			addr_fmt_mac(h->mac, t.mac);
		addrs_add(&t, addr_fmt_ip4(h->addr, buf));
	}
	resolve_live(live, &t, asked_addr != NULL ? buf : NULL);
	if (asked_addr != NULL && h == NULL)
		resolve_live(live, &t, NULL);
	if (t.addrs[0] == '\0')
		return (-ENOENT);
	*ret = t;
	return (0);
}

static void
row_info(sqlite3_stmt *st, struct trace_info *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	copy(t->host, sizeof(t->host), sqlite3_column_text(st, 1));
	copy(t->name, sizeof(t->name), sqlite3_column_text(st, 2));
	copy(t->mac, sizeof(t->mac), sqlite3_column_text(st, 3));
	copy(t->addrs, sizeof(t->addrs), sqlite3_column_text(st, 4));
	t->started_ms = sqlite3_column_int64(st, 5);
	t->until_ms = sqlite3_column_int64(st, 6);
	copy(t->by, sizeof(t->by), sqlite3_column_text(st, 7));
	t->events = sqlite3_column_int64(st, 8);
}

#define INFO_COLUMNS	"id, host, name, mac, addrs, started_ms, until_ms, " \
	"by, (SELECT count(*) FROM trace_events e WHERE e.trace = traces.id)"

/* Start a trace: prune, check the bound, insert. */
int
trace_start(sqlite3 *db, struct trace_info *t, int seconds, const char *by)
{
	sqlite3_stmt	*st = NULL;
	int64_t		 now = state_now_ms(), running;
	int		 r, rc;

	if (seconds < 0 || seconds > TRACE_SECONDS_MAX)
		return (-EINVAL);
	if (seconds == 0)
		seconds = TRACE_SECONDS_DEFAULT;
	(void)trace_prune(db, now, TRACE_KEEP_S, TRACE_KEEP_EVENTS);
	if ((r = state_begin(db)) < 0)
		return (r);
	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM traces WHERE "
	    "until_ms > ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, now);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		goto fail;
	running = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (running >= TRACE_RUNNING_MAX) {
		state_rollback(db);
		return (-EBUSY);
	}
	rc = sqlite3_prepare_v2(db, "INSERT INTO traces (host, name, mac, "
	    "addrs, started_ms, until_ms, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, t->host, -1, SQLITE_STATIC);
	if (t->name[0] != '\0')
		sqlite3_bind_text(st, 2, t->name, -1, SQLITE_STATIC);
	if (t->mac[0] != '\0')
		sqlite3_bind_text(st, 3, t->mac, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->addrs, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, now + (int64_t)seconds * 1000);
	sqlite3_bind_text(st, 7, by, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	t->id = sqlite3_last_insert_rowid(db);
	t->started_ms = now;
	t->until_ms = now + (int64_t)seconds * 1000;
	t->events = 0;
	snprintf(t->by, sizeof(t->by), "%s", by);
	return (state_commit(db));
fail:
	r = state_result(db, rc);
	sqlite3_finalize(st);
	state_rollback(db);
	return (r < 0 ? r : -EIO);
}

/* One trace by id. */
int
trace_get(sqlite3 *db, int64_t id, struct trace_info *ret)
{
	sqlite3_stmt	*st = NULL;
	int		 rc, r;

	rc = sqlite3_prepare_v2(db, "SELECT " INFO_COLUMNS " FROM traces "
	    "WHERE id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return (state_result(db, rc));
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row_info(st, ret);
		r = 0;
	} else if (rc == SQLITE_DONE)
		r = -ENOENT;
	else
		r = state_result(db, rc);
	sqlite3_finalize(st);
	return (r);
}

/* Every trace, newest first. */
int
trace_list(sqlite3 *db, int limit, int (*cb)(const struct trace_info *,
    void *), void *arg)
{
	struct trace_info t;
	sqlite3_stmt	*st = NULL;
	int		 rc, r = 0;

	rc = sqlite3_prepare_v2(db, "SELECT " INFO_COLUMNS " FROM traces "
	    "ORDER BY id DESC LIMIT ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return (state_result(db, rc));
	sqlite3_bind_int(st, 1, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_info(st, &t);
		if ((r = cb(&t, arg)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = state_result(db, rc);
	sqlite3_finalize(st);
	return (r);
}

/*
 * A trace's events after an id.  A connection's "new" that natd recorded
 * without dst_name (it opened before dnsd's once-a-second batch published
 * the name in live.db) gets the name from this trace's own DNS answer
 * that gave its LAN host that address, the latest one before it: the
 * lookup that led to the connection is in the trace itself.
 */
int
trace_events(sqlite3 *db, int64_t trace, int64_t after, int limit,
    int (*cb)(const struct trace_event *, void *), void *arg)
{
	struct trace_event e;
	sqlite3_stmt	*st = NULL;
	int		 rc, r = 0;

	/* (Rows are another daemon's: malformed JSON is left alone.) */
	rc = sqlite3_prepare_v2(db, "SELECT id, trace, t_ms, daemon, layer, "
	    "event, flow, CASE WHEN event = 'new' AND json_valid(data) AND "
	    "json_extract(data, '$.dst_name') IS NULL AND "
	    "json_extract(data, '$.orig_dst') IS NOT NULL THEN (SELECT "
	    "CASE WHEN n IS NULL THEN e.data ELSE json_set(e.data, "
	    "'$.dst_name', n) END FROM (SELECT (SELECT "
	    "json_extract(a.data, '$.name') FROM trace_events a, "
	    "json_each(CASE WHEN json_valid(a.data) THEN a.data ELSE '{}' "
	    "END, '$.answers') x WHERE a.trace = e.trace AND "
	    "a.layer = 'dns' AND a.event = 'answer' AND a.t_ms <= e.t_ms AND "
	    "json_extract(a.data, '$.client') = "
	    "json_extract(e.data, '$.orig_src') AND "
	    "x.value = json_extract(e.data, '$.orig_dst') "
	    "ORDER BY a.t_ms DESC, a.id DESC LIMIT 1) AS n)) "
	    "ELSE data END FROM trace_events e WHERE trace = ?1 AND "
	    "id > ?2 ORDER BY id LIMIT ?3", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return (state_result(db, rc));
	sqlite3_bind_int64(st, 1, trace);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int(st, 3, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		e.id = sqlite3_column_int64(st, 0);
		e.trace = sqlite3_column_int64(st, 1);
		e.t_ms = sqlite3_column_int64(st, 2);
		e.daemon = (const char *)sqlite3_column_text(st, 3);
		e.layer = (const char *)sqlite3_column_text(st, 4);
		e.event = (const char *)sqlite3_column_text(st, 5);
		e.flow = (const char *)sqlite3_column_text(st, 6);
		e.data = (const char *)sqlite3_column_text(st, 7);
		if (e.daemon == NULL || e.layer == NULL || e.event == NULL)
			continue;
		if ((r = cb(&e, arg)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = state_result(db, rc);
	sqlite3_finalize(st);
	return (r);
}

static int
exec_bind(sqlite3 *db, const char *sql, int64_t v, int *ret_changes)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return (state_result(db, rc));
	sqlite3_bind_int64(st, 1, v);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return (state_result(db, rc));
	if (ret_changes != NULL)
		*ret_changes = sqlite3_changes(db);
	return (0);
}

/*
 * Prune finished traces: by age, then by the events they hold.  A trace
 * counts as finished a minute after its end, so that no daemon still
 * holds a batch of its events.
 */
int
trace_prune(sqlite3 *db, int64_t now_ms, int64_t keep_s, int64_t keep_events)
{
	sqlite3_stmt	*st = NULL;
	int64_t		 total, oldest;
	int		 r, rc, gone = 0, n, i;

	if ((r = state_begin(db)) < 0)
		return (r);
	if ((r = exec_bind(db, "DELETE FROM trace_events WHERE trace IN "
	    "(SELECT id FROM traces WHERE until_ms < ?1)",
	    now_ms - keep_s * 1000, NULL)) < 0 ||
	    (r = exec_bind(db, "DELETE FROM traces WHERE until_ms < ?1",
	    now_ms - keep_s * 1000, &n)) < 0)
		goto fail;
	gone += n;
	/* A bounded number of rounds: each removes one trace. */
	for (i = 0; i < 64; i++) {
		rc = sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM "
		    "trace_events), (SELECT min(id) FROM traces WHERE "
		    "until_ms < ?1)", -1, &st, NULL);
		if (rc != SQLITE_OK || (sqlite3_bind_int64(st, 1,
		    now_ms - 60000), rc = sqlite3_step(st)) != SQLITE_ROW) {
			r = state_result(db, rc);
			goto fail;
		}
		total = sqlite3_column_int64(st, 0);
		oldest = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 :
		    sqlite3_column_int64(st, 1);
		sqlite3_finalize(st);
		st = NULL;
		if (total <= keep_events || oldest < 0)
			break;
		if ((r = exec_bind(db, "DELETE FROM trace_events WHERE "
		    "trace = ?1", oldest, NULL)) < 0 ||
		    (r = exec_bind(db, "DELETE FROM traces WHERE id = ?1",
		    oldest, NULL)) < 0)
			goto fail;
		gone++;
	}
	if ((r = state_commit(db)) < 0)
		return (r);
	return (gone);
fail:
	sqlite3_finalize(st);
	state_rollback(db);
	return (r < 0 ? r : -EIO);
}

/* The recorder. */

struct rtrace {
	int64_t		 id;
	int64_t		 until_ms;
	int		 has_mac;
	uint8_t		 mac[ADDR_MAC_LEN];
	struct trace_addr addrs[TRACE_ADDRS_MAX];
	int		 naddrs;
	uint64_t	 recorded;	/* by this daemon */
};

struct revent {
	int64_t		 trace;
	int64_t		 t_ms;
	char		 layer[8];
	char		 event[16];
	char		*flow;
	char		*data;
};

struct trace_recorder {
	struct event_base *base;
	sqlite3		*db;
	char		 daemon[16];
	void		(*changed_cb)(void *);
	void		*arg;
	struct event	*poll;
	int64_t		 cookie;	/* PRAGMA data_version */
	int		 loaded;
	struct rtrace	 traces[RECORDER_TRACES];
	int		 ntraces;
	struct state_writer *writer;
	sqlite3_stmt	*insert;
	struct revent	*buf;
	int		 nbuf;
	int		 inflight;	/* written by the flush in progress */
	uint64_t	 dropped;
	uint64_t	 written;
};

static void
parse_addrs(struct rtrace *t, const char *list)
{
	char		 one[INET6_ADDRSTRLEN];
	size_t		 len;

	while (list != NULL && *list != '\0' && t->naddrs < TRACE_ADDRS_MAX) {
		len = strcspn(list, ",");
		if (len < sizeof(one)) {
			memcpy(one, list, len);
			one[len] = '\0';
			if (inet_pton(AF_INET, one,
			    t->addrs[t->naddrs].addr) == 1)
				t->addrs[t->naddrs++].family = AF_INET;
			else if (inet_pton(AF_INET6, one,
			    t->addrs[t->naddrs].addr) == 1)
				t->addrs[t->naddrs++].family = AF_INET6;
		}
		list += len;
		if (*list == ',')
			list++;
	}
}

static int
same_set(const struct rtrace *a, int na, const struct rtrace *b, int nb)
{
	int	 i;

	if (na != nb)
		return (0);
	for (i = 0; i < na; i++)
		if (a[i].id != b[i].id || a[i].naddrs != b[i].naddrs ||
		    memcmp(a[i].addrs, b[i].addrs,
		    sizeof(a[i].addrs[0]) * (size_t)a[i].naddrs) != 0)
			return (0);
	return (1);
}

/* Read the running traces again; 1 when the set changed. */
static int
recorder_load(struct trace_recorder *r, int64_t now)
{
	struct rtrace	 next[RECORDER_TRACES], *t;
	sqlite3_stmt	*st = NULL;
	int		 n = 0, i, changed;
	const unsigned char *mac;

	if (sqlite3_prepare_v2(r->db, "SELECT id, until_ms, mac, addrs FROM "
	    "traces WHERE until_ms > ?1 ORDER BY id LIMIT ?2", -1, &st,
	    NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return (0);
	}
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, RECORDER_TRACES);
	while (n < RECORDER_TRACES && sqlite3_step(st) == SQLITE_ROW) {
		t = &next[n];
		memset(t, 0, sizeof(*t));
		t->id = sqlite3_column_int64(st, 0);
		t->until_ms = sqlite3_column_int64(st, 1);
		mac = sqlite3_column_text(st, 2);
		if (mac != NULL && addr_parse_mac((const char *)mac,
		    t->mac) == 0)
			t->has_mac = 1;
		parse_addrs(t, (const char *)sqlite3_column_text(st, 3));
		/* Carry this daemon's count on. */
		for (i = 0; i < r->ntraces; i++)
			if (r->traces[i].id == t->id)
				t->recorded = r->traces[i].recorded;
		n++;
	}
	sqlite3_finalize(st);
	changed = !same_set(r->traces, r->ntraces, next, n);
	memcpy(r->traces, next, sizeof(next[0]) * (size_t)n);
	r->ntraces = n;
	return (changed);
}

static void
poll_cb(evutil_socket_t fd, short events, void *arg)
{
	struct trace_recorder *r = arg;
	struct timeval	 tv = { TRACE_POLL_MS / 1000,
			    (TRACE_POLL_MS % 1000) * 1000 };
	int64_t		 now = state_now_ms();
	int		 i, changed = 0, c;

	(void)fd;
	(void)events;
	/* Traces that ended leave without a database read. */
	for (i = 0; i < r->ntraces; i++)
		if (r->traces[i].until_ms <= now) {
			memmove(&r->traces[i], &r->traces[i + 1],
			    sizeof(r->traces[0]) * (size_t)(r->ntraces - i - 1));
			r->ntraces--;
			i--;
			changed = 1;
		}
	c = state_changed(r->db, &r->cookie);
	if (c != 0 || !r->loaded) {
		r->loaded = 1;
		if (recorder_load(r, now))
			changed = 1;
	}
	if (changed && r->changed_cb != NULL)
		r->changed_cb(r->arg);
	evtimer_add(r->poll, &tv);
}

static int
flush_cb(sqlite3 *db, void *arg)
{
	struct trace_recorder *r = arg;
	struct revent	*e;
	int		 i, rc;

	if (r->insert == NULL && (r->insert = state_prepare(db,
	    "INSERT INTO trace_events (trace, t_ms, daemon, layer, event, "
	    "flow, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")) == NULL)
		return (state_result(db, sqlite3_errcode(db)));
	for (i = 0; i < r->nbuf; i++) {
		e = &r->buf[i];
		sqlite3_bind_int64(r->insert, 1, e->trace);
		sqlite3_bind_int64(r->insert, 2, e->t_ms);
		sqlite3_bind_text(r->insert, 3, r->daemon, -1, SQLITE_STATIC);
		sqlite3_bind_text(r->insert, 4, e->layer, -1, SQLITE_STATIC);
		sqlite3_bind_text(r->insert, 5, e->event, -1, SQLITE_STATIC);
		if (e->flow != NULL)
			sqlite3_bind_text(r->insert, 6, e->flow, -1,
			    SQLITE_STATIC);
		else
			sqlite3_bind_null(r->insert, 6);
		sqlite3_bind_text(r->insert, 7, e->data, -1, SQLITE_STATIC);
		rc = sqlite3_step(r->insert);
		sqlite3_reset(r->insert);
		sqlite3_clear_bindings(r->insert);
		if (rc != SQLITE_DONE)
			return (state_result(db, rc));
	}
	r->inflight = r->nbuf;
	return (0);
}

static void
committed_cb(void *arg)
{
	struct trace_recorder *r = arg;
	int		 i;

	for (i = 0; i < r->inflight; i++) {
		free(r->buf[i].flow);
		free(r->buf[i].data);
	}
	memmove(r->buf, r->buf + r->inflight,
	    sizeof(r->buf[0]) * (size_t)(r->nbuf - r->inflight));
	r->nbuf -= r->inflight;
	r->written += (uint64_t)r->inflight;
	r->inflight = 0;
}

/* A recorder for daemon, polling for traces once a second. */
struct trace_recorder *
trace_recorder_new(struct event_base *base, sqlite3 *db, const char *daemon,
    void (*changed_cb)(void *), void *arg)
{
	struct trace_recorder *r;
	struct timeval	 tv = { 0, 0 };

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return (NULL);
	r->base = base;
	r->db = db;
	snprintf(r->daemon, sizeof(r->daemon), "%s", daemon);
	r->changed_cb = changed_cb;
	r->arg = arg;
	if ((r->buf = calloc(RECORDER_BUFFER, sizeof(*r->buf))) == NULL ||
	    (r->poll = evtimer_new(base, poll_cb, r)) == NULL ||
	    (r->writer = state_writer_new(base, db, TRACE_BATCH_MS, flush_cb,
	    r)) == NULL) {
		trace_recorder_free(r);
		return (NULL);
	}
	state_writer_on_commit(r->writer, committed_cb);
	state_writer_name(r->writer, "the trace events");
	evtimer_add(r->poll, &tv);
	return (r);
}

/* After the daemon reopened homegw.db. */
void
trace_recorder_set_db(struct trace_recorder *r, sqlite3 *db)
{
	if (r == NULL)
		return;
	sqlite3_finalize(r->insert);
	r->insert = NULL;
	r->db = db;
	r->cookie = 0;
	r->loaded = 0;
	state_writer_set_db(r->writer, db);
}

/* Write what is buffered now. */
void
trace_recorder_flush(struct trace_recorder *r)
{
	if (r != NULL && r->nbuf > 0)
		(void)state_writer_flush(r->writer);
}

/* Free the recorder without flushing; NULL is fine. */
void
trace_recorder_free(struct trace_recorder *r)
{
	int	 i;

	if (r == NULL)
		return;
	if (r->poll != NULL)
		event_free(r->poll);
	state_writer_free(r->writer);
	sqlite3_finalize(r->insert);
	for (i = 0; r->buf != NULL && i < r->nbuf; i++) {
		free(r->buf[i].flow);
		free(r->buf[i].data);
	}
	free(r->buf);
	free(r);
}

/* Is a trace running? */
int
trace_recorder_active(const struct trace_recorder *r)
{
	return (r != NULL && r->ntraces > 0);
}

/* Traces following an address. */
int
trace_recorder_match(const struct trace_recorder *r, int family,
    const void *addr, int64_t *ids, int max)
{
	size_t		 len = family == AF_INET6 ? 16 : 4;
	int		 i, j, n = 0;

	if (r == NULL)
		return (0);
	for (i = 0; i < r->ntraces && n < max; i++)
		for (j = 0; j < r->traces[i].naddrs; j++)
			if (r->traces[i].addrs[j].family == family &&
			    memcmp(r->traces[i].addrs[j].addr, addr,
			    len) == 0) {
				ids[n++] = r->traces[i].id;
				break;
			}
	return (n);
}

/* Traces following a MAC. */
int
trace_recorder_match_mac(const struct trace_recorder *r,
    const uint8_t mac[ADDR_MAC_LEN], int64_t *ids, int max)
{
	int	 i, n = 0;

	if (r == NULL)
		return (0);
	for (i = 0; i < r->ntraces && n < max; i++)
		if (r->traces[i].has_mac &&
		    memcmp(r->traces[i].mac, mac, ADDR_MAC_LEN) == 0)
			ids[n++] = r->traces[i].id;
	return (n);
}

/* Every traced address, once. */
int
trace_recorder_addrs(const struct trace_recorder *r, struct trace_addr *out,
    int max)
{
	int	 i, j, k, n = 0;

	if (r == NULL)
		return (0);
	for (i = 0; i < r->ntraces; i++)
		for (j = 0; j < r->traces[i].naddrs; j++) {
			for (k = 0; k < n; k++)
				if (out[k].family ==
				    r->traces[i].addrs[j].family &&
				    memcmp(out[k].addr,
				    r->traces[i].addrs[j].addr, 16) == 0)
					break;
			if (k == n && n < max)
				out[n++] = r->traces[i].addrs[j];
		}
	return (n);
}

/* Buffer one event. */
void
trace_recorder_add(struct trace_recorder *r, int64_t trace, int64_t t_ms,
    const char *layer, const char *event, const char *flow, const char *data)
{
	struct revent	*e;
	struct rtrace	*t = NULL;
	int		 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ntraces; i++)
		if (r->traces[i].id == trace)
			t = &r->traces[i];
	if (t == NULL || t->recorded >= TRACE_EVENTS_MAX ||
	    r->nbuf >= RECORDER_BUFFER) {
		r->dropped++;
		return;
	}
	e = &r->buf[r->nbuf];
	memset(e, 0, sizeof(*e));
	e->trace = trace;
	e->t_ms = t_ms;
	snprintf(e->layer, sizeof(e->layer), "%s", layer);
	snprintf(e->event, sizeof(e->event), "%s", event);
	if ((flow != NULL && (e->flow = strdup(flow)) == NULL) ||
	    (e->data = strdup(data != NULL ? data : "{}")) == NULL) {
		free(e->flow);
		r->dropped++;
		return;
	}
	r->nbuf++;
	t->recorded++;
	if (r->nbuf - r->inflight >= TRACE_BATCH_EVENTS)
		(void)state_writer_now(r->writer);
	else
		state_writer_dirty(r->writer);
}

/* Events dropped (buffer full, trace full). */
uint64_t
trace_recorder_dropped(const struct trace_recorder *r)
{
	return (r != NULL ? r->dropped : 0);
}

/* Events written. */
uint64_t
trace_recorder_written(const struct trace_recorder *r)
{
	return (r != NULL ? r->written : 0);
}
