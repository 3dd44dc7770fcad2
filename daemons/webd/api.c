/*
 * SPDX-License-Identifier: ISC
 *
 * api.c: the JSON endpoints under /api/v1/ (see docs/api.md).  Owns the
 * read-only handles on live.db and homegw.db and every query the page
 * makes (the only write is webd's own heartbeat row, see below).  A
 * database that does not exist yet (its daemons never ran), a table with
 * no rows, or a query that fails all give empty answers, never an error
 * page: the status page must work with any daemon absent.
 * Every list is bounded (LIMIT), and the conntrack view is filtered,
 * sorted and paged in SQL (query.c), so no answer ever ships a whole
 * table.  Read transactions are a single statement each, so webd never
 * holds the WAL back from a checkpoint.
 */
#include <sys/types.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "addr.h"
#include "alerts.h"
#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "state.h"
#include "webd.h"

#define DB_RETRY_S	2	/* how often to look for a missing database */
#define HEARTBEAT_STALE	60	/* seconds without heartbeat: stale */
#define ROWS_MAX	1000	/* any other list */
#define FREE_SHOWN	64	/* free addresses listed */


static sqlite3 *
open_ro(struct webd *w, enum hgw_db which)
{
	char	 path[PATH_MAX];
	sqlite3	*db;
	int	 r;

	if (which == HGW_DB_LIVE)
		r = conf_live_db(w->d->conf, path, sizeof(path));
	else
		r = conf_persist_db(w->d->conf, path, sizeof(path));
	if (r < 0)
		return (NULL);
	if ((r = state_open(path, which, 1, &db)) < 0) {
		log_debug("%s: %s: %s", __func__, path, strerror(-r));
		return (NULL);
	}
	/*
	 * SQLite's default page cache is 2 MB per connection, and the pages
	 * a conntrack listing touches filled it: webd grew by 3 MB in its
	 * first minutes and stayed there (issue 18).  Both files are in the
	 * kernel's page cache anyway (live.db is on tmpfs), so a page read
	 * again costs a copy, not a disk read: 256 KiB each is plenty.
	 */
	(void)state_exec(db, "PRAGMA cache_size = -256");
	/*
	 * A sort or GROUP BY larger than the cache spills to a temporary
	 * file, in /var/tmp: on the SD card.  Keep them in memory; the
	 * indexes see to it that they stay small (docs/schema.md).
	 */
	(void)state_exec(db, "PRAGMA temp_store = MEMORY");
	log_info("reading %s", path);
	return (db);
}

/*
 * The one write webd makes: its own row in the daemons table (every
 * daemon keeps one, so "homegwctl status" and the page see webd too),
 * through daemon.c's heartbeat timer on d->live.  Opened only once
 * live.db exists, so webd never creates the databases; every query the
 * API runs goes through the read-only handles.
 */
static void
open_heartbeat(struct webd *w)
{
	char	 path[PATH_MAX];
	int	 r;

	if (conf_live_db(w->d->conf, path, sizeof(path)) < 0)
		return;
	if ((r = state_open(path, HGW_DB_LIVE, 0, &w->d->live)) < 0) {
		log_debug("%s: %s: %s", __func__, path, strerror(-r));
		w->d->live = NULL;
		return;
	}
	daemon_heartbeat(w->d);
}

/*
 * webd's other writes: its own events (logins) in homegw.db's events
 * table, which every daemon appends to.  One transaction per login is
 * fine for the SD card: the login limits bound how many there can be.
 * Opened only once homegw.db exists, like the heartbeat.
 */
void
api_event(struct webd *w, const char *kind, const char *address)
{
	char	 path[PATH_MAX];
	int	 r;

	if (w->d->persist == NULL) {
		if (conf_persist_db(w->d->conf, path, sizeof(path)) < 0 ||
		    access(path, F_OK) == -1)
			return;
		if ((r = state_open(path, HGW_DB_PERSIST, 0,
		    &w->d->persist)) < 0) {
			(void)state_fault_note(&w->ev_fault, NULL, r);
			w->d->persist = NULL;
			return;
		}
	}
	(void)state_fault_note(&w->ev_fault, w->d->persist,
	    state_event_add(w->d->persist, "webd", kind, address, NULL, NULL,
	    NULL));
}

/* webd's figures, for alerts, homegwctl and /metrics of other tools. */
void
api_publish(struct webd *w)
{
	const struct auth	*a = &w->auth;
	sqlite3			*db = w->d->live;
	struct {
		const char	*name;
		double		 v;
	} mv[] = {
		{ "logins_ok", (double)a->logins_ok },
		{ "logins_failed", (double)a->logins_failed },
		{ "logins_throttled", (double)a->logins_limited },
		{ "requests", (double)w->requests },
		{ "slow_clients_closed", (double)w->slow_closed },
		{ "connections", (double)w->nconns },
	};
	size_t			 i;
	int			 r;

	if (db == NULL)
		return;
	if ((r = state_begin(db)) < 0) {
		(void)state_fault_note(&w->pub_fault, db, r);
		return;
	}
	for (i = 0; i < sizeof(mv) / sizeof(mv[0]); i++)
		if ((r = state_metric_set(db, "webd", mv[i].name,
		    mv[i].v)) < 0)
			break;
	if (r >= 0)
		r = state_commit(db);
	if (r < 0)
		state_rollback(db);
	(void)state_fault_note(&w->pub_fault, db, r);
}

/* Open whichever database is missing, at most every DB_RETRY_S seconds. */
void
api_db_refresh(struct webd *w, int64_t now)
{
	/*
	 * A file deleted or replaced under a read-only handle would show
	 * its old contents for ever: look at the path again.
	 */
	if (w->live != NULL && state_db_changed(w->live)) {
		state_close(w->live);
		w->live = NULL;
		w->db_retry = 0;
	}
	if (w->persist != NULL && state_db_changed(w->persist)) {
		state_close(w->persist);
		w->persist = NULL;
		w->db_retry = 0;
	}
	if ((w->live != NULL && w->persist != NULL) || now < w->db_retry)
		return;
	w->db_retry = now + DB_RETRY_S;
	if (w->live == NULL)
		w->live = open_ro(w, HGW_DB_LIVE);
	if (w->persist == NULL)
		w->persist = open_ro(w, HGW_DB_PERSIST);
	if (w->live != NULL && w->d->live == NULL)
		open_heartbeat(w);
}

/* Close both handles. */
void
api_db_close(struct webd *w)
{
	state_close(w->live);
	state_close(w->persist);
	w->live = w->persist = NULL;
	w->db_retry = 0;
}

/*
 * Prepare sql on db and bind the arguments described by fmt: 's' text,
 * 'i' int64.  NULL when db is absent or the statement fails (a table a
 * newer schema added, a locked database): the caller shows nothing.
 */
static sqlite3_stmt *
prep(sqlite3 *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt	*st;
	va_list		 ap;
	int		 i, r = SQLITE_OK;

	if (db == NULL)
		return (NULL);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_debug("%s: %s: %s", __func__, sqlite3_errmsg(db), sql);
		return (NULL);
	}
	va_start(ap, fmt);
	for (i = 0; fmt[i] != '\0' && r == SQLITE_OK; i++) {
		if (fmt[i] == 's')
			r = sqlite3_bind_text(st, i + 1, va_arg(ap, const char *),
			    -1, SQLITE_TRANSIENT);
		else
			r = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
	}
	va_end(ap);
	if (r != SQLITE_OK) {
		sqlite3_finalize(st);
		return (NULL);
	}
	return (st);
}

/* Every row of st as objects in an array (at most max), then finalize. */
static int
rows(struct json *j, sqlite3_stmt *st, int max)
{
	int	 n = 0;

	json_array_open(j);
	if (st != NULL) {
		while (n < max && sqlite3_step(st) == SQLITE_ROW) {
			json_row(j, st);
			n++;
		}
		sqlite3_finalize(st);
	}
	json_array_close(j);
	return (n);
}

/* A single integer from a query; def when there is none. */
static int64_t
scalar(sqlite3_stmt *st, int64_t def)
{
	int64_t	 v = def;

	if (st == NULL)
		return (def);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (v);
}

/*
 * An error answer, {"error": msg, "status": N}: every error body carries
 * its status (docs/api.md).  Written before anything else of the answer.
 */
/* The [host] label of an IPv4 address's host; NULL if none. */
static const char *
host_label_of_addr(struct webd *w, const char *address)
{
	struct in_addr	 a;
	struct hgw_host	*h;

	if (address == NULL || addr_parse_ip4(address, &a) < 0 ||
	    (h = conf_host_by_addr(w->d->conf, a)) == NULL || !h->has_label)
		return (NULL);
	return (h->label);
}

void
api_error(struct api_response *res, unsigned int status, const char *fmt,
    ...)
{
	struct json	*j = &res->json;
	char		 msg[256];
	va_list		 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	res->status = status;
	json_object_open(j);
	json_kstring(j, "error", msg);
	json_kint(j, "status", status);
	json_object_close(j);
}

/*
 * An integer argument: def when absent, else a decimal integer in
 * [min, max]; anything else answers 400 and returns -1.  With cap, a
 * value above max is taken as max (a page size asked too large).
 */
static int
arg_int(struct api_request *ar, struct api_response *res, const char *name,
    int64_t def, int64_t min, int64_t max, int cap, int64_t *ret)
{
	const char	*s = ar->arg(ar, name);
	int64_t		 v;

	if (s == NULL || *s == '\0') {
		*ret = def;
		return (0);
	}
	if (cap && fig_int(s, min, INT64_MAX, &v) == 0) {
		*ret = v > max ? max : v;
		return (0);
	}
	if (fig_int(s, min, max, &v) == 0) {
		*ret = v;
		return (0);
	}
	if (cap)
		api_error(res, 400, "%s must be an integer of at least %lld",
		    name, (long long)min);
	else
		api_error(res, 400, "%s must be an integer from %lld to %lld",
		    name, (long long)min, (long long)max);
	return (-1);
}

/* A metric's value into *ret; 0 when the daemon never wrote it. */
static int
metric(struct webd *w, const char *daemon, const char *name, double *ret)
{
	sqlite3_stmt	*st;
	int		 found = 0;

	st = prep(w->live, "SELECT value FROM metrics WHERE daemon = ?1 AND "
	    "name = ?2", "ss", daemon, name);
	if (st == NULL)
		return (0);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*ret = sqlite3_column_double(st, 0);
		found = 1;
	}
	sqlite3_finalize(st);
	return (found);
}

/* The first metric that exists among names (NULL-terminated list). */
static int
metric_any(struct webd *w, const char *daemon, const char *const *names,
    double *ret)
{
	for (; *names != NULL; names++)
		if (metric(w, daemon, *names, ret))
			return (1);
	return (0);
}

static const char *const m_ct_count[] = { "conntrack_count", "flows", NULL };
static const char *const m_ct_max[] = { "conntrack_max", "flows_max", NULL };

/*
 * dnsd's counters and the hit ratio as figures.c defines it (the same
 * figure homegwctl status and /metrics give), or nulls.
 */
static void
dns_hit_ratio(struct webd *w, struct json *j)
{
	struct fig_dns	 f;

	fig_dns_read(w->live, &f);
	if (!f.known) {
		json_knull(j, "queries");
		json_knull(j, "cache_hits");
		json_knull(j, "cache_misses");
		json_knull(j, "lookups");
		json_knull(j, "hit_ratio");
	} else {
		json_kint(j, "queries", f.queries);
		json_kint(j, "cache_hits", f.cache_hits);
		json_kint(j, "cache_misses", f.cache_misses);
		json_kint(j, "lookups", f.lookups);
		if (f.hit_ratio >= 0)
			json_kdouble(j, "hit_ratio", f.hit_ratio);
		else
			json_knull(j, "hit_ratio");
	}
	json_kstring(j, "hit_ratio_means", FIG_DNS_HIT_WORDS);
}

static struct hgw_host *host_by_name(struct webd *, const char *);
static void ct_catching_up(struct webd *, struct json *);

const char *
host_name_of(struct webd *w, const char *address)
{
	struct in_addr	 a;
	struct hgw_host	*h;

	if (address == NULL || addr_parse_ip4(address, &a) < 0)
		return (NULL);
	h = conf_host_by_addr(w->d->conf, a);
	return (h != NULL ? h->name : NULL);
}

static void
metrics_object(struct json *j, struct webd *w)
{
	sqlite3_stmt	*st;
	char		 cur[32] = "";
	const char	*d;
	int		 open = 0;

	json_key(j, "metrics");
	json_object_open(j);
	st = prep(w->live, "SELECT daemon, name, value, updated FROM metrics "
	    "ORDER BY daemon, name LIMIT 1000", "");
	while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		d = (const char *)sqlite3_column_text(st, 0);
		if (d == NULL)
			continue;
		if (!open || strcmp(cur, d) != 0) {
			if (open)
				json_object_close(j);
			snprintf(cur, sizeof(cur), "%s", d);
			json_key(j, cur);
			json_object_open(j);
			open = 1;
		}
		json_key(j, (const char *)sqlite3_column_text(st, 1));
		json_column(j, st, 2);
	}
	if (open)
		json_object_close(j);
	if (st != NULL)
		sqlite3_finalize(st);
	json_object_close(j);
}

static void
daemon_row(struct json *j, struct webd *w, const char *name)
{
	sqlite3_stmt	*st;
	int64_t		 hb = 0, started, pid = 0;
	const char	*state;
	int		 found = 0;

	json_object_open(j);
	json_kstring(j, "name", name);
	if (strcmp(name, "webd") == 0) {
		/* We are the one answering, and we never write live.db. */
		json_kint(j, "pid", getpid());
		json_kint(j, "started", w->d->started);
		json_kint(j, "uptime", state_now() - w->d->started);
		json_kint(j, "heartbeat", state_now());
		json_kstring(j, "version", HGW_VERSION);
		json_kbool(j, "running", 1);
		json_kbool(j, "stale", 0);
		json_object_close(j);
		return;
	}
	st = prep(w->live, "SELECT pid, started, heartbeat, version, status "
	    "FROM daemons WHERE name = ?1", "s", name);
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		started = sqlite3_column_int64(st, 1);
		hb = sqlite3_column_int64(st, 2);
		json_kint(j, "pid", sqlite3_column_int64(st, 0));
		json_kint(j, "started", started);
		json_kint(j, "uptime", state_now() - started);
		json_kint(j, "heartbeat", hb);
		json_key(j, "version");
		json_column(j, st, 3);
		json_key(j, "status");
		json_column(j, st, 4);
		pid = sqlite3_column_int64(st, 0);
	}
	if (st != NULL)
		sqlite3_finalize(st);
	/* The shared rule of state_daemon_state() (homegwctl(8)). */
	state = state_daemon_state(w->d->conf->gateway.run_dir, name, found,
	    pid, hb, state_now());
	json_kbool(j, "running", strcmp(state, "not running") != 0);
	json_kbool(j, "stale", strcmp(state, "stale") == 0);
	json_object_close(j);
}

/* One alert as a JSON object: {"level": "bad", "text": "..."}. */
static void
alert_json(const char *level, const char *text, void *arg)
{
	struct json	*j = arg;

	json_object_open(j);
	json_kstring(j, "level", level);
	json_kstring(j, "text", text);
	json_object_close(j);
}

/*
 * Failed logins to this page in the last hour and the address most came
 * from ("failed_logins_top", null when none): the overview shows them
 * even below the alert's threshold.
 */
static void
failed_logins(struct json *j, struct webd *w, int64_t now)
{
	sqlite3_stmt	*st;

	st = prep(w->persist, "SELECT count(*), (SELECT address FROM events "
	    "WHERE kind = 'login_failed' AND time >= ?1 GROUP BY address "
	    "ORDER BY count(*) DESC, max(time) DESC LIMIT 1) FROM events "
	    "WHERE kind = 'login_failed' AND time >= ?1", "i", now - 3600);
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		json_kint(j, "failed_logins_1h", sqlite3_column_int64(st, 0));
		json_key(j, "failed_logins_top");
		json_column(j, st, 1);
	} else {
		json_kint(j, "failed_logins_1h", 0);
		json_knull(j, "failed_logins_top");
	}
	if (st != NULL)
		sqlite3_finalize(st);
}

/*
 * natd's input policy: whether it guards the WAN side (null when natd
 * never said) and its drops by reason, from the metrics rows.
 */
static void
wan_input_json(struct webd *w, struct json *j)
{
	sqlite3_stmt	*st;
	const char	*name;
	double		 v, total = 0, guard = -1;

	st = prep(w->live, "SELECT name, value FROM metrics WHERE daemon = "
	    "'natd' AND (name = 'wan_guard' OR name LIKE 'wan\\_drop\\_%' "
	    "ESCAPE '\\') ORDER BY name LIMIT 32", "");
	json_key(j, "wan_input");
	json_object_open(j);
	json_key(j, "dropped");
	json_object_open(j);
	while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		if ((name = (const char *)sqlite3_column_text(st, 0)) == NULL)
			continue;
		v = sqlite3_column_double(st, 1);
		if (strcmp(name, "wan_guard") == 0) {
			guard = v;
			continue;
		}
		total += v;
		json_kint(j, name + strlen("wan_drop_"), (int64_t)v);
	}
	if (st != NULL)
		sqlite3_finalize(st);
	json_object_close(j);
	json_kint(j, "total", (int64_t)total);
	if (guard < 0)
		json_knull(j, "guarded");
	else
		json_kbool(j, "guarded", guard > 0);
	json_object_close(j);
}

/*
 * addrd's addresses table, each row with "text", the words figures.c
 * gives it ("default via 203.0.113.1 on wan0" for the route), as
 * homegwctl status prints it.
 */
static void
addresses_json(struct webd *w, struct json *j)
{
	sqlite3_stmt	*st;
	char		 text[160];
	int		 i;

	json_key(j, "addresses");
	json_array_open(j);
	st = prep(w->live, "SELECT role, ifname, address, plen, state, "
	    "conflict_mac, updated FROM addresses ORDER BY role LIMIT 16", "");
	while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		json_object_open(j);
		for (i = 0; i < sqlite3_column_count(st); i++) {
			json_key(j, sqlite3_column_name(st, i));
			json_column(j, st, i);
		}
		json_kstring(j, "text", fig_address_text(
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 2),
		    sqlite3_column_int(st, 3),
		    (const char *)sqlite3_column_text(st, 1), text,
		    sizeof(text)));
		json_object_close(j);
	}
	if (st != NULL)
		sqlite3_finalize(st);
	json_array_close(j);
}

/* GET status: the overview. */
static void
get_status(struct api_request *ar, struct json *j)
{
	struct webd		*w = ar->w;
	const struct hgw_conf	*c = w->d->conf;
	double			 count, max;
	int64_t			 rows_ct;
	char			 a[INET_ADDRSTRLEN];
	size_t			 i;

	json_object_open(j);
	json_kint(j, "now", ar->now);
	json_key(j, "gateway");
	json_object_open(j);
	json_kstring(j, "name", c->gateway.name);
	json_kstring(j, "domain", c->gateway.domain);
	json_kstring(j, "version", HGW_VERSION);
	json_kbool(j, "live_db", w->live != NULL);
	json_kbool(j, "persist_db", w->persist != NULL);
	json_object_close(j);

	json_key(j, "daemons");
	json_array_open(j);
	for (i = 0; i < STATE_NDAEMONS; i++)
		daemon_row(j, w, state_daemons[i]);
	json_array_close(j);
	/* What needs attention, in words, shown above everything else. */
	json_key(j, "alerts");
	json_array_open(j);
	alerts_collect(w->live, c, "webd", state_now(), alert_json, j);
	json_array_close(j);

	/* What the config asks for, and what addrd reports. */
	json_key(j, "configured");
	json_object_open(j);
	json_key(j, "lan");
	json_object_open(j);
	json_kstring(j, "interface", c->lan.ifname);
	json_kstring(j, "address", addr_fmt_ip4(c->lan.addr, a));
	json_kint(j, "plen", c->lan.plen);
	json_object_close(j);
	json_key(j, "wan");
	json_object_open(j);
	json_kstring(j, "interface", c->wan.ifname);
	if (c->wan.has_addr) {
		json_kstring(j, "address", addr_fmt_ip4(c->wan.addr, a));
		json_kint(j, "plen", c->wan.plen);
	}
	if (c->wan.has_gateway)
		json_kstring(j, "gateway", addr_fmt_ip4(c->wan.gateway, a));
	json_object_close(j);
	json_object_close(j);
	addresses_json(w, j);

	rows_ct = scalar(prep(w->live, "SELECT count(*) FROM conntrack", ""), 0);
	json_key(j, "conntrack");
	json_object_open(j);
	json_kint(j, "rows", rows_ct);
	if (metric_any(w, "natd", m_ct_count, &count))
		json_kint(j, "count", (int64_t)count);
	else
		json_kint(j, "count", rows_ct);
	if (metric_any(w, "natd", m_ct_max, &max) && max > 0)
		json_kint(j, "max", (int64_t)max);
	else
		json_knull(j, "max");
	ct_catching_up(w, j);
	json_object_close(j);

	wan_input_json(w, j);

	json_key(j, "dns");
	json_object_open(j);
	dns_hit_ratio(w, j);
	json_object_close(j);

	json_key(j, "counts");
	json_object_open(j);
	json_kint(j, "hosts", c->nhosts);
	json_kint(j, "neighbours", scalar(prep(w->live,
	    "SELECT count(*) FROM neighbours", ""), 0));
	json_kint(j, "stations", scalar(prep(w->persist,
	    "SELECT count(*) FROM stations", ""), 0));
	json_kint(j, "events_24h", scalar(prep(w->persist,
	    "SELECT count(*) FROM events WHERE time >= ?1", "i",
	    ar->now - 86400), 0));
	json_kint(j, "dns_log", scalar(prep(w->live,
	    "SELECT count(*) FROM dns_log", ""), 0));
	json_kint(j, "forwards", c->nforwards);
	failed_logins(j, w, ar->now);
	json_object_close(j);
	metrics_object(j, w);
	json_object_close(j);
}

/* Non-zero when a is in use: the gateway, a host, a proxy range. */
static int
addr_taken(const struct hgw_conf *c, struct in_addr a)
{
	unsigned int	 i;

	if (a.s_addr == c->lan.addr.s_addr)
		return (1);
	if (conf_host_by_addr(c, a) != NULL)
		return (1);
	for (i = 0; i < c->arp.nproxy; i++)
		if (addr_in_prefix4(a, c->arp.proxy[i].addr,
		    c->arp.proxy[i].plen))
			return (1);
	return (0);
}

#define SEEN_MAX	4096

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x < y ? -1 : x > y);
}

/*
 * The LAN addresses arpd sees in use (host order, sorted), at most
 * SEEN_MAX; returns how many.
 */
static size_t
addrs_seen(struct webd *w, uint32_t *out)
{
	sqlite3_stmt	*st;
	struct in_addr	 a;
	const char	*s;
	size_t		 n = 0;

	st = prep(w->live, "SELECT address FROM neighbours WHERE mac IS NOT "
	    "NULL AND lower(state) NOT IN ('failed', 'incomplete') LIMIT ?1",
	    "i", (int64_t)SEEN_MAX);
	while (st != NULL && n < SEEN_MAX && sqlite3_step(st) == SQLITE_ROW) {
		s = (const char *)sqlite3_column_text(st, 0);
		if (s != NULL && addr_parse_ip4(s, &a) == 0)
			out[n++] = ntohl(a.s_addr);
	}
	if (st != NULL)
		sqlite3_finalize(st);
	qsort(out, n, sizeof(*out), cmp_u32);
	return (n);
}

/* GET hosts: the static host table, its live state and free addresses. */
static void
get_hosts(struct api_request *ar, struct json *j)
{
	struct webd		*w = ar->w;
	const struct hgw_conf	*c = w->d->conf;
	struct hgw_host		*h;
	sqlite3_stmt		*st;
	struct in_addr		 a;
	uint32_t		 net, first, last, i;
	char			 s[INET_ADDRSTRLEN], mac[ADDR_MAC_STRLEN];
	char			 next[INET_ADDRSTRLEN] = "", snippet[256];
	uint32_t		*seen;
	size_t			 nseen;
	int64_t			 nfree = 0;
	int			 shown = 0;

	json_object_open(j);
	json_key(j, "lan");
	json_object_open(j);
	json_kstring(j, "interface", c->lan.ifname);
	json_kstring(j, "address", addr_fmt_ip4(c->lan.addr, s));
	json_kint(j, "plen", c->lan.plen);
	json_object_close(j);

	json_key(j, "hosts");
	json_array_open(j);
	TAILQ_FOREACH(h, &c->hosts, entry) {
		json_object_open(j);
		json_kstring(j, "name", h->name);
		json_kstring(j, "label", h->has_label ? h->label : NULL);
		json_kstring(j, "address", addr_fmt_ip4(h->addr, s));
		json_kstring(j, "mac", addr_fmt_mac(h->mac, mac));
		json_kbool(j, "pin_arp", h->pin_arp);
		st = prep(w->live, "SELECT mac, state, updated FROM neighbours "
		    "WHERE address = ?1 ORDER BY updated DESC LIMIT 1", "s", s);
		if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
			json_key(j, "seen_mac");
			json_column(j, st, 0);
			json_key(j, "state");
			json_column(j, st, 1);
			json_key(j, "updated");
			json_column(j, st, 2);
			json_kbool(j, "mac_mismatch",
			    sqlite3_column_text(st, 0) != NULL &&
			    strcasecmp((const char *)sqlite3_column_text(st, 0),
			    mac) != 0);
		} else {
			/* The same keys whatever arpd saw (one shape). */
			json_knull(j, "seen_mac");
			json_knull(j, "state");
			json_knull(j, "updated");
			json_kbool(j, "mac_mismatch", 0);
		}
		if (st != NULL)
			sqlite3_finalize(st);
		json_object_close(j);
	}
	json_array_close(j);

	/* Free addresses in the LAN prefix (capped at a /16's worth). */
	if ((seen = calloc(SEEN_MAX, sizeof(*seen))) == NULL) {
		j->error = 1;	/* answered as a 500 */
		return;
	}
	nseen = addrs_seen(w, seen);
	json_key(j, "free");
	json_array_open(j);
	if (c->lan.plen >= 16 && c->lan.plen <= 30) {
		net = ntohl(c->lan.addr.s_addr) & ntohl(addr_mask4(c->lan.plen));
		first = net + 1;
		last = net + (uint32_t)((1ULL << (32 - c->lan.plen)) - 2);
		for (i = first; i <= last; i++) {
			a.s_addr = htonl(i);
			if (addr_taken(c, a) || bsearch(&i, seen, nseen,
			    sizeof(*seen), cmp_u32) != NULL)
				continue;
			addr_fmt_ip4(a, s);
			if (next[0] == '\0')
				snprintf(next, sizeof(next), "%s", s);
			if (shown < FREE_SHOWN) {
				json_string(j, s);
				shown++;
			}
			nfree++;
		}
	}
	json_array_close(j);
	free(seen);
	json_kint(j, "free_count", nfree);
	if (next[0] != '\0') {
		json_kstring(j, "next_free", next);
		snprintf(snippet, sizeof(snippet), "[host device%s]\n"
		    "# the device's MAC address\n"
		    "mac = 00:00:00:00:00:00\n"
		    "address = %s\n", strrchr(next, '.') + 1, next);
		json_kstring(j, "snippet", snippet);
	} else {
		json_knull(j, "next_free");
		json_knull(j, "snippet");
	}
	json_object_close(j);
}

static void
station_times(struct json *j, struct webd *w, const char *mac,
    const char *address)
{
	sqlite3_stmt	*st;

	st = prep(w->persist, "SELECT first_seen, last_seen FROM stations "
	    "WHERE mac = ?1 AND address = ?2", "ss", mac ? mac : "",
	    address ? address : "");
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		json_key(j, "first_seen");
		json_column(j, st, 0);
		json_key(j, "last_seen");
		json_column(j, st, 1);
	} else {
		json_knull(j, "first_seen");
		json_knull(j, "last_seen");
	}
	if (st != NULL)
		sqlite3_finalize(st);
}

/*
 * When a neighbour was last active, from addrd's neighbour_activity:
 * "active" the kernel's last confirmation or use of the entry,
 * "traffic" the last traffic natd saw for the address, "last_active"
 * the newer of the two (null when neither is known).
 */
static void
neigh_activity(struct json *j, struct webd *w, const char *ifname,
    const char *address)
{
	sqlite3_stmt	*st;
	int64_t		 a = -1, t = -1;

	st = prep(w->live, "SELECT active, traffic FROM neighbour_activity "
	    "WHERE ifname = ?1 AND address = ?2", "ss", ifname ? ifname : "",
	    address ? address : "");
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			a = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			t = sqlite3_column_int64(st, 1);
	}
	if (st != NULL)
		sqlite3_finalize(st);
	if (a >= 0)
		json_kint(j, "active", a);
	else
		json_knull(j, "active");
	if (t >= 0)
		json_kint(j, "traffic", t);
	else
		json_knull(j, "traffic");
	if (a >= 0 || t >= 0)
		json_kint(j, "last_active", a > t ? a : t);
	else
		json_knull(j, "last_active");
}

/*
 * The WAN side's neighbours (addrd's neighbour_activity): the upstream
 * router (the default route's gateway) first, with its MAC.
 */
static void
upstream_neighbours(struct json *j, struct webd *w)
{
	const char	*wan = w->d->conf->wan.ifname;

	json_key(j, "upstream");
	rows(j, prep(w->live, "SELECT address, ifname, mac, state, "
	    "router, active, traffic, CASE WHEN active IS NULL THEN traffic "
	    "WHEN traffic IS NULL OR active > traffic THEN active "
	    "ELSE traffic END AS last_active, updated FROM neighbour_activity "
	    "WHERE ifname = ?1 ORDER BY router DESC, address LIMIT ?2", "si",
	    wan, (int64_t)64), 64);
}

/* GET neighbours: the ARP mirror with names and station history. */
static void
get_neighbours(struct api_request *ar, struct json *j)
{
	struct webd	*w = ar->w;
	sqlite3_stmt	*st;
	struct hgw_host	*h;
	struct in_addr	 a;
	uint8_t		 mac[ADDR_MAC_LEN];
	const char	*addr, *m, *ifn;
	int		 n = 0, known, have_mac;

	json_object_open(j);
	json_key(j, "neighbours");
	json_array_open(j);
	st = prep(w->live, "SELECT address, ifname, mac, state, proxy, pinned, "
	    "updated FROM neighbours ORDER BY ifname, length(address), address "
	    "LIMIT ?1", "i", (int64_t)ROWS_MAX);
	while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		addr = (const char *)sqlite3_column_text(st, 0);
		m = (const char *)sqlite3_column_text(st, 2);
		json_object_open(j);
		json_key(j, "address");
		json_column(j, st, 0);
		json_key(j, "ifname");
		json_column(j, st, 1);
		json_key(j, "mac");
		json_column(j, st, 2);
		json_key(j, "state");
		json_column(j, st, 3);
		json_key(j, "proxy");
		json_column(j, st, 4);
		json_key(j, "pinned");
		json_column(j, st, 5);
		json_key(j, "updated");
		json_column(j, st, 6);
		h = NULL;
		known = 0;
		have_mac = m != NULL && addr_parse_mac(m, mac) == 0;
		if (addr != NULL && addr_parse_ip4(addr, &a) == 0)
			h = conf_host_by_addr(w->d->conf, a);
		if (h == NULL && have_mac)
			h = conf_host_by_mac(w->d->conf, mac);
		if (h != NULL && have_mac &&
		    memcmp(h->mac, mac, ADDR_MAC_LEN) == 0 &&
		    addr_parse_ip4(addr, &a) == 0 &&
		    h->addr.s_addr == a.s_addr)
			known = 1;
		json_kstring(j, "host", h != NULL ? h->name : NULL);
		json_kstring(j, "label", h != NULL && h->has_label ?
		    h->label : NULL);
		json_kbool(j, "known", known);
		ifn = (const char *)sqlite3_column_text(st, 1);
		json_kbool(j, "lan", ifn != NULL &&
		    strcmp(ifn, w->d->conf->lan.ifname) == 0);
		station_times(j, w, m, addr);
		neigh_activity(j, w, ifn, addr);
		json_object_close(j);
		n++;
	}
	if (st != NULL)
		sqlite3_finalize(st);
	json_array_close(j);
	json_kint(j, "count", n);
	upstream_neighbours(j, w);
	json_object_close(j);
}

/* GET events?since=ID&limit=N&kind=K: newest first, with a cursor. */
static void
get_events(struct api_request *ar, struct api_response *res)
{
	struct webd	*w = ar->w;
	struct json	*j = &res->json;
	int64_t		 since, limit, cursor;
	const char	*kind = ar->arg(ar, "kind");

	if (arg_int(ar, res, "since", 0, 0, INT64_MAX, 0, &since) < 0 ||
	    arg_int(ar, res, "limit", 100, 1, ROWS_MAX, 1, &limit) < 0)
		return;
	json_object_open(j);
	json_key(j, "events");
	rows(j, prep(w->persist, "SELECT " FIG_EVENT_COLUMNS " FROM events "
	    "WHERE id > ?1 AND "
	    "(?2 = '' OR kind = ?2) ORDER BY id DESC LIMIT ?3", "isi", since,
	    kind != NULL ? kind : "", limit), (int)limit);
	cursor = scalar(prep(w->persist, "SELECT max(id) FROM events", ""), 0);
	json_kint(j, "cursor", cursor > since ? cursor : since);
	json_object_close(j);
}

static void
ct_row(struct json *j, struct webd *w, sqlite3_stmt *st, int64_t now)
{
	struct fig_ct_extra x;
	char		 dst_name[NAMES_DST_MAX];
	const char	*name;
	int		 i, n = sqlite3_column_count(st);

	json_object_open(j);
	for (i = 0; i < n; i++) {
		name = sqlite3_column_name(st, i);
		/* natd's gateway flag: a boolean, with the extras below. */
		if (i == FIG_CT_GATEWAY)
			continue;
		json_key(j, name);
		json_column(j, st, i);
	}
	/* The same extras as homegwctl --json nat (figures.c). */
	fig_ct_extra(w->d->conf, st, now, &x);
	json_kbool(j, "gateway", x.gateway);
	json_kdouble(j, "rate", x.rate);
	json_kstring(j, "host", x.host);
	json_kstring(j, "label", x.label);
	json_kint(j, "age", x.age);
	json_kint(j, "bytes", x.bytes);
	/* [journey] the name the LAN host looked up for this destination. */
	json_kstring(j, "dst_name", names_dst(w,
	    sqlite3_column_type(st, FIG_CT_LAN_ADDR) == SQLITE_NULL ?
	    (const char *)sqlite3_column_text(st, FIG_CT_ORIG_SRC) :
	    (const char *)sqlite3_column_text(st, FIG_CT_LAN_ADDR),
	    (const char *)sqlite3_column_text(st, FIG_CT_ORIG_DST),
	    dst_name, sizeof(dst_name)));
	json_object_close(j);
}

/*
 * natd lost conntrack events in a burst and has not read the kernel's
 * table again yet, or reads a burst in: the rows may be short of the
 * kernel's count for a second or two.  "catching_up" says so, and the
 * page with it, rather than showing a short table without a word.
 * webd reads the kernel's count itself: natd may be busy with the dump.
 */
static void
ct_catching_up(struct webd *w, struct json *j)
{
	json_kbool(j, "catching_up", fig_ct_catching_up(w->live,
	    fig_kernel_ct_count()));
}

/*
 * natd's mirror at [nat] max_flows holds only part of the kernel's table:
 * "incomplete" says so, "mirror_max" is the cap and "not_shown" how many
 * connections the kernel tracks beyond the rows (null when unknown).
 */
static void
ct_incomplete(struct webd *w, struct json *j)
{
	double	 flows, cap, count;
	int	 full;

	full = metric(w, "natd", "flows", &flows) &&
	    metric(w, "natd", "flows_max", &cap) && cap > 0 && flows >= cap;
	json_kbool(j, "incomplete", full);
	if (metric(w, "natd", "flows_max", &cap))
		json_kint(j, "mirror_max", (int64_t)cap);
	else
		json_knull(j, "mirror_max");
	if (full && metric(w, "natd", "conntrack_count", &count) &&
	    count > flows)
		json_kint(j, "not_shown", (int64_t)(count - flows));
	else
		json_knull(j, "not_shown");
	ct_catching_up(w, j);
}

/*
 * GET conntrack?host=&proto=&port=&state=&q=&sort=&order=&limit=&offset=
 * One page of flows and the total that match the filter.
 */
static void
get_conntrack(struct api_request *ar, struct api_response *res)
{
	struct webd	*w = ar->w;
	struct json	*j = &res->json;
	struct ct_filter f;
	struct in_addr	 a;
	struct hgw_host	*h;
	sqlite3_stmt	*st;
	struct in6_addr	 a6;
	char		 sql[2048], haddr[INET6_ADDRSTRLEN];
	char		 proto[16], state[16], sort[24];
	const char	*order, *host_name = NULL;
	double		 max;
	int64_t		 total = 0, port;
	size_t		 i;
	int		 n = 0;

	memset(&f, 0, sizeof(f));
	f.host = ar->arg(ar, "host");
	f.proto = ar->arg(ar, "proto");
	f.state = ar->arg(ar, "state");
	f.q = ar->arg(ar, "q");
	f.sort = ar->arg(ar, "sort");
	order = ar->arg(ar, "order");
	if (arg_int(ar, res, "port", -1, 0, 65535, 0, &port) < 0 ||
	    arg_int(ar, res, "limit", 50, 1, QUERY_LIMIT_MAX, 1,
	    &f.limit) < 0 ||
	    arg_int(ar, res, "offset", 0, 0, INT32_MAX, 0, &f.offset) < 0)
		return;
	f.port = (int)port;
	/* [journey] ?name=: the destination's name, part of it, any case. */
	f.name = ar->arg(ar, "name");
	f.gw_name = w->d->conf->gateway.name;
	addr_fmt_ip4(w->d->conf->lan.addr, f.gw_addr[0]);
	if (w->d->conf->wan.has_addr)
		addr_fmt_ip4(w->d->conf->wan.addr, f.gw_addr[1]);
	if ((f.gateway = query_gateway_arg(ar->arg(ar, "gateway"))) < 0) {
		api_error(res, 400, "gateway must be all, no or only");
		return;
	}
	if ((f.q != NULL && strlen(f.q) > 128) ||
	    (f.host != NULL && strlen(f.host) > 128) ||
	    (f.name != NULL && strlen(f.name) > 253)) {
		api_error(res, 400, "filter too long");
		return;
	}
	/* Enumerations in any case, as natd stores them; others are 400. */
	if (f.proto != NULL && *f.proto != '\0') {
		if (fig_proto(f.proto, proto, sizeof(proto)) < 0) {
			api_error(res, 400, "unknown proto (tcp, udp, icmp, "
			    "icmpv6, sctp, udplite, gre, igmp or a number)");
			return;
		}
		f.proto = proto;
	}
	if (f.state != NULL && *f.state != '\0') {
		if (fig_tcp_state(f.state, state, sizeof(state)) < 0) {
			api_error(res, 400, "unknown state (a TCP state such "
			    "as ESTABLISHED or TIME_WAIT)");
			return;
		}
		f.state = state;
	}
	if (f.sort != NULL && *f.sort != '\0') {
		for (i = 0; f.sort[i] != '\0' && i < sizeof(sort) - 1; i++)
			sort[i] = (char)tolower((unsigned char)f.sort[i]);
		sort[i] = '\0';
		f.sort = sort;
	}
	if (query_sort_expr(f.sort) == NULL) {
		api_error(res, 400, "unknown sort key");
		return;
	}
	if (order != NULL && *order != '\0' && strcasecmp(order, "asc") != 0 &&
	    strcasecmp(order, "desc") != 0) {
		api_error(res, 400, "order must be asc or desc");
		return;
	}
	f.desc = order == NULL || strcasecmp(order, "asc") != 0;
	/* A host name filters on its address as well. */
	if (f.host != NULL && *f.host != '\0') {
		if (addr_parse_ip4(f.host, &a) < 0 &&
		    (h = host_by_name(w, f.host)) != NULL) {
			host_name = h->name;
			f.host = addr_fmt_ip4(h->addr, haddr);
		} else if (inet_pton(AF_INET6, f.host, &a6) == 1 &&
		    inet_ntop(AF_INET6, &a6, haddr, sizeof(haddr)) != NULL)
			f.host = haddr;
		else
			host_name = host_name_of(w, f.host);
	}

	json_object_open(j);
	if (query_ct_sql(&f, 1, sql, sizeof(sql)) == 0 &&
	    (st = prep(w->live, sql, "")) != NULL) {
		if (query_ct_bind(st, &f, host_name, 1) == 0 &&
		    sqlite3_step(st) == SQLITE_ROW)
			total = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	json_kint(j, "total", total);
	json_kint(j, "offset", f.offset);
	json_kint(j, "limit", f.limit);
	json_kstring(j, "sort", f.sort != NULL && *f.sort ? f.sort : "bytes");
	json_kstring(j, "order", f.desc ? "desc" : "asc");
	json_kint(j, "table_rows", scalar(prep(w->live,
	    "SELECT count(*) FROM conntrack", ""), 0));
	json_kint(j, "gateway_rows", scalar(prep(w->live,
	    "SELECT count(*) FROM conntrack WHERE gateway = 1", ""), 0));
	json_kstring(j, "gateway_name", w->d->conf->gateway.name);
	if (metric_any(w, "natd", m_ct_max, &max) && max > 0)
		json_kint(j, "max", (int64_t)max);
	else
		json_knull(j, "max");
	ct_incomplete(w, j);
	json_key(j, "rows");
	json_array_open(j);
	if (query_ct_sql(&f, 0, sql, sizeof(sql)) == 0 &&
	    (st = prep(w->live, sql, "")) != NULL) {
		if (query_ct_bind(st, &f, host_name, 0) == 0)
			while (sqlite3_step(st) == SQLITE_ROW) {
				ct_row(j, w, st, ar->now);
				n++;
			}
		sqlite3_finalize(st);
	}
	json_array_close(j);
	json_kint(j, "count", n);
	json_object_close(j);
}

/* GET dns: counters, upstreams, top clients and names. */
static void
get_dns(struct api_request *ar, struct api_response *res)
{
	struct webd	*w = ar->w;
	struct json	*j = &res->json;
	sqlite3_stmt	*st;
	int64_t		 since, window;
	const char	*client;

	if (arg_int(ar, res, "window", 86400, 60, 30 * 86400, 0,
	    &window) < 0)
		return;
	since = (ar->now - window) * 1000;
	json_object_open(j);
	json_kint(j, "window", window);
	dns_hit_ratio(w, j);
	json_key(j, "counters");
	json_object_open(j);
	st = prep(w->live, "SELECT name, value FROM metrics WHERE daemon = "
	    "'dnsd' ORDER BY name LIMIT 200", "");
	while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		json_key(j, (const char *)sqlite3_column_text(st, 0));
		json_column(j, st, 1);
	}
	if (st != NULL)
		sqlite3_finalize(st);
	json_object_close(j);
	json_key(j, "upstreams");
	rows(j, prep(w->live, "SELECT address, position, state, queries, "
	    "answers, timeouts, latency_ms, last_ok, updated FROM dns_upstreams "
	    "ORDER BY position LIMIT 64", ""), 64);

	json_key(j, "top_clients");
	json_array_open(j);
	st = prep(w->live, "SELECT client, count(*) AS queries FROM dns_log "
	    "WHERE time_ms >= ?1 GROUP BY client ORDER BY queries DESC, client "
	    "LIMIT 10", "i", since);
	while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		client = (const char *)sqlite3_column_text(st, 0);
		json_object_open(j);
		json_kstring(j, "client", client);
		json_kstring(j, "host", host_name_of(w, client));
		json_kstring(j, "label", host_label_of_addr(w, client));
		json_kint(j, "queries", sqlite3_column_int64(st, 1));
		json_object_close(j);
	}
	if (st != NULL)
		sqlite3_finalize(st);
	json_array_close(j);
	json_key(j, "top_names");
	rows(j, prep(w->live, "SELECT name, count(*) AS queries FROM dns_log "
	    "WHERE time_ms >= ?1 GROUP BY name ORDER BY queries DESC, name "
	    "LIMIT 10", "i", since), 10);
	json_key(j, "sources");
	rows(j, prep(w->live, "SELECT source, count(*) AS queries FROM "
	    "dns_log WHERE time_ms >= ?1 GROUP BY source ORDER BY queries DESC "
	    "LIMIT 10", "i", since), 10);
	json_object_close(j);
}

/*
 * GET dns/log?since=ID&client=&name=&source=&limit=: the query log,
 * newest first; cursor is the highest id, for the next poll's since.
 */
static void
get_dns_log(struct api_request *ar, struct api_response *res)
{
	struct webd	*w = ar->w;
	struct json	*j = &res->json;
	struct hgw_host	*h;
	const char	*client = ar->arg(ar, "client");
	const char	*name = ar->arg(ar, "name");
	const char	*source = ar->arg(ar, "source");
	char		 pat[2100], s[INET_ADDRSTRLEN];
	int64_t		 since, limit, cursor;

	if (arg_int(ar, res, "since", 0, 0, INT64_MAX, 0, &since) < 0 ||
	    arg_int(ar, res, "limit", 100, 1, ROWS_MAX, 1, &limit) < 0)
		return;
	/*
	 * pat holds any name dnsd logs (at most 1004 characters with its
	 * escapes), each character escaped; a longer filter matches no name,
	 * and so does the empty pattern (a logged name is never empty).
	 */
	if (name == NULL)
		snprintf(pat, sizeof(pat), "%%");
	else if (query_like_pattern(name, pat, sizeof(pat)) < 0)
		pat[0] = '\0';
	json_object_open(j);
	json_key(j, "rows");
	rows(j, prep(w->live, "SELECT " FIG_DNS_LOG_COLUMNS " FROM dns_log "
	    "WHERE id > ?1 AND "
	    "(?2 = '' OR client = ?2) AND name LIKE ?3 ESCAPE '\\' AND "
	    "(?4 = '' OR source = ?4) ORDER BY id DESC LIMIT ?5", "isssi",
	    since, client != NULL ? client : "", pat,
	    source != NULL ? source : "", limit), (int)limit);
	cursor = scalar(prep(w->live, "SELECT max(id) FROM dns_log", ""), 0);
	json_kint(j, "cursor", cursor > since ? cursor : since);
	/* Client addresses to names, for the page. */
	json_key(j, "hosts");
	json_object_open(j);
	TAILQ_FOREACH(h, &w->d->conf->hosts, entry)
		json_kstring(j, addr_fmt_ip4(h->addr, s), h->name);
	json_object_close(j);
	/* The owner's labels by address, for the hosts that have one. */
	json_key(j, "labels");
	json_object_open(j);
	TAILQ_FOREACH(h, &w->d->conf->hosts, entry)
		if (h->has_label)
			json_kstring(j, addr_fmt_ip4(h->addr, s), h->label);
	json_object_close(j);
	json_object_close(j);
}

/*
 * GET dns/series?since=T: dnsd's answers per minute (dns_series), oldest
 * first, the last 24 hours by default; the current minute's row is still
 * growing.
 */
static void
get_dns_series(struct api_request *ar, struct api_response *res)
{
	struct json	*j = &res->json;
	int64_t		 since;

	if (arg_int(ar, res, "since", ar->now - 86400, 0, INT64_MAX, 0,
	    &since) < 0)
		return;
	json_object_open(j);
	json_kint(j, "since", since);
	json_kint(j, "step", 60);
	json_key(j, "rows");
	rows(j, prep(ar->w->live, "SELECT time, queries, cache, misses, "
	    "local, upstream, stale, failed, blocked FROM dns_series WHERE "
	    "time >= ?1 "
	    "ORDER BY time LIMIT 1500", "i", since), 1500);
	json_object_close(j);
}

/* GET history/traffic?host=*&since=: traffic per interval, newest first. */
static void
get_history(struct api_request *ar, struct api_response *res, int dns)
{
	struct webd	*w = ar->w;
	struct json	*j = &res->json;
	const char	*host = ar->arg(ar, "host");
	int64_t		 since;

	if (arg_int(ar, res, "since", ar->now - 86400, 0, INT64_MAX, 0,
	    &since) < 0)
		return;
	json_object_open(j);
	json_kint(j, "since", since);
	/*
	 * Each row counts what happened from its time to the next row's:
	 * the interval says how long, so a chart can plot a rate at the
	 * end of its interval from the first row on.
	 */
	json_kint(j, "interval", dns ? 60 : w->d->conf->nat.history_interval ?
	    (int64_t)w->d->conf->nat.history_interval : 300);
	json_key(j, "rows");
	if (dns)
		rows(j, prep(w->persist, "SELECT time, queries, cache_hits, "
		    "upstream, servfail FROM dns_history WHERE time >= ?1 "
		    "ORDER BY time DESC LIMIT ?2", "ii", since,
		    (int64_t)ROWS_MAX), ROWS_MAX);
	else
		rows(j, prep(w->persist, "SELECT time, bytes_out, bytes_in, "
		    "packets, connections FROM traffic_history WHERE host = ?1 "
		    "AND time >= ?2 ORDER BY time DESC LIMIT ?3", "sii",
		    host != NULL && *host != '\0' ? host : "*", since,
		    (int64_t)ROWS_MAX), ROWS_MAX);
	json_object_close(j);
}

/*
 * The [host] a name stands for: its name in any case, or its FQDN under
 * [gateway] domain ("lan1.home.arpa", a final dot allowed).
 */
static struct hgw_host *
host_by_name(struct webd *w, const char *key)
{
	const char	*domain = w->d->conf->gateway.domain;
	char		 name[256];
	size_t		 n = strlen(key), dl = strlen(domain);

	if (n >= sizeof(name))
		return (NULL);
	memcpy(name, key, n + 1);
	if (n > 1 && name[n - 1] == '.')
		name[--n] = '\0';
	if (dl > 0 && n > dl + 1 && name[n - dl - 1] == '.' &&
	    strcasecmp(name + n - dl, domain) == 0)
		name[n - dl - 1] = '\0';
	return (conf_host_by_name(w->d->conf, name));
}

/*
 * What a host KEY names: a [host] by name or FQDN, an IPv4 or IPv6
 * address, or a MAC (either separator, any case).  Fills the address
 * and MAC known from the host table or the key; -1 when it is none.
 */
static int
host_key(struct webd *w, const char *key, struct hgw_host **hp,
    char *address, size_t alen, char *macs)
{
	struct hgw_host	*h;
	struct in_addr	 a;
	struct in6_addr	 a6;
	uint8_t		 mac[ADDR_MAC_LEN];

	*hp = NULL;
	address[0] = macs[0] = '\0';
	if ((h = host_by_name(w, key)) != NULL) {
		addr_fmt_ip4(h->addr, address);
		addr_fmt_mac(h->mac, macs);
	} else if (addr_parse_ip4(key, &a) == 0) {
		addr_fmt_ip4(a, address);
		if ((h = conf_host_by_addr(w->d->conf, a)) != NULL)
			addr_fmt_mac(h->mac, macs);
	} else if (inet_pton(AF_INET6, key, &a6) == 1) {
		/* natd and dnsd write the canonical form. */
		if (inet_ntop(AF_INET6, &a6, address, alen) == NULL)
			return (-1);
	} else if (addr_parse_mac(key, mac) == 0) {
		addr_fmt_mac(mac, macs);
		if ((h = conf_host_by_mac(w->d->conf, mac)) != NULL)
			addr_fmt_ip4(h->addr, address);
	} else
		return (-1);
	*hp = h;
	return (0);
}

/*
 * GET host/KEY: one device's journey; KEY is a name, an FQDN under
 * [gateway] domain, an IPv4 or IPv6 address or a MAC.
 */
static void
get_host(struct api_request *ar, struct api_response *res, const char *key)
{
	struct webd	*w = ar->w;
	struct json	*j = &res->json;
	struct hgw_host	*h = NULL;
	char		 address[INET6_ADDRSTRLEN], macs[ADDR_MAC_STRLEN];
	sqlite3_stmt	*st;

	if (strlen(key) > 255) {
		api_error(res, 400, "host too long");
		return;
	}
	if (host_key(w, key, &h, address, sizeof(address), macs) < 0) {
		api_error(res, 404, "no such host");
		return;
	}
	/* An address outside the host table: its MAC from ARP. */
	if (macs[0] == '\0' && address[0] != '\0') {
		st = prep(w->live, "SELECT mac FROM neighbours WHERE address = ?1 "
		    "AND mac IS NOT NULL ORDER BY updated DESC LIMIT 1", "s",
		    address);
		if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
			snprintf(macs, sizeof(macs), "%s",
			    (const char *)sqlite3_column_text(st, 0));
		if (st != NULL)
			sqlite3_finalize(st);
	}
	if (address[0] == '\0' && macs[0] != '\0') {
		st = prep(w->live, "SELECT address FROM neighbours WHERE mac = ?1 "
		    "ORDER BY updated DESC LIMIT 1", "s", macs);
		if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
			snprintf(address, sizeof(address), "%s",
			    (const char *)sqlite3_column_text(st, 0));
		if (st != NULL)
			sqlite3_finalize(st);
	}

	json_object_open(j);
	json_kstring(j, "key", key);
	json_kstring(j, "name", h != NULL ? h->name : NULL);
	json_kstring(j, "label", h != NULL && h->has_label ? h->label : NULL);
	json_kstring(j, "address", address[0] ? address : NULL);
	json_kstring(j, "mac", macs[0] ? macs : NULL);
	if (h != NULL) {
		json_key(j, "host");
		json_object_open(j);
		json_kstring(j, "name", h->name);
		json_kstring(j, "label", h->has_label ? h->label : NULL);
		json_kstring(j, "address", addr_fmt_ip4(h->addr, address));
		json_kstring(j, "mac", addr_fmt_mac(h->mac, macs));
		json_kbool(j, "pin_arp", h->pin_arp);
		json_object_close(j);
	} else
		json_knull(j, "host");
	json_key(j, "neighbours");
	rows(j, prep(w->live, "SELECT address, ifname, mac, state, proxy, "
	    "pinned, updated FROM neighbours WHERE address = ?1 OR mac = ?2 "
	    "LIMIT 16", "ss", address, macs), 16);
	json_key(j, "stations");
	rows(j, prep(w->persist, "SELECT mac, address, ifname, first_seen, "
	    "last_seen FROM stations WHERE address = ?1 OR mac = ?2 "
	    "ORDER BY last_seen DESC LIMIT 64", "ss", address, macs), 64);
	json_key(j, "events");
	rows(j, prep(w->persist, "SELECT " FIG_EVENT_COLUMNS " FROM events "
	    "WHERE address = ?1 OR "
	    "(?2 != '' AND (mac_old = ?2 OR mac_new = ?2)) ORDER BY id DESC "
	    "LIMIT 100", "ss", address, macs), 100);
	json_key(j, "dns");
	rows(j, prep(w->live, "SELECT id, time_ms, name, qtype, rcode, "
	    "source, latency_us FROM dns_log WHERE client = ?1 ORDER BY id DESC "
	    "LIMIT 100", "s", address), 100);
	json_kint(j, "connection_count", scalar(prep(w->live,
	    "SELECT count(*) FROM conntrack WHERE lan_addr = ?1 OR "
	    "orig_src = ?1 OR reply_src = ?1", "s", address), 0));
	json_key(j, "connections");
	json_array_open(j);
	st = prep(w->live, "SELECT " QUERY_CT_COLUMNS " FROM conntrack WHERE "
	    "lan_addr = ?1 OR orig_src = ?1 OR reply_src = ?1 ORDER BY "
	    "last_seen DESC, rowid DESC LIMIT 200", "s", address);
	while (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		ct_row(j, w, st, ar->now);
	if (st != NULL)
		sqlite3_finalize(st);
	json_array_close(j);
	json_kint(j, "traffic_interval", w->d->conf->nat.history_interval ?
	    (int64_t)w->d->conf->nat.history_interval : 300);
	json_key(j, "traffic");
	rows(j, prep(w->persist, "SELECT time, bytes_out, bytes_in, packets, "
	    "connections FROM traffic_history WHERE host = ?1 AND time >= ?2 "
	    "ORDER BY time DESC LIMIT 288", "si", address, ar->now - 86400),
	    288);
	api_rates_host(w, j, address, ar->now);
	json_object_close(j);
}

/* Route a GET under /api/v1/. */
void
api_get(struct api_request *ar, struct api_response *res)
{
	struct json	*j = &res->json;
	const char	*p = ar->path;

	api_db_refresh(ar->w, ar->now);
	res->status = 200;
	if (strcmp(p, "status") == 0)
		get_status(ar, j);
	else if (strcmp(p, "hosts") == 0)
		get_hosts(ar, j);
	else if (strcmp(p, "neighbours") == 0)
		get_neighbours(ar, j);
	else if (strcmp(p, "events") == 0)
		get_events(ar, res);
	else if (strcmp(p, "conntrack") == 0)
		get_conntrack(ar, res);
	else if (strcmp(p, "dns") == 0)
		get_dns(ar, res);
	else if (strcmp(p, "dns/log") == 0)
		get_dns_log(ar, res);
	else if (strcmp(p, "dns/series") == 0)
		get_dns_series(ar, res);
	else if (strcmp(p, "history/traffic") == 0)
		get_history(ar, res, 0);
	else if (strcmp(p, "history/dns") == 0)
		get_history(ar, res, 1);
	else if (strcmp(p, "health") == 0)
		api_health(ar, j);
	else if (strcmp(p, "top") == 0)
		api_rates_top(ar, res);
	else if (strncmp(p, "host/", 5) == 0 && p[5] != '\0')
		get_host(ar, res, p + 5);
	else if (strcmp(p, "traces") == 0)
		api_trace_list(ar, res);
	else if (strncmp(p, "trace/", 6) == 0)
		api_trace_get(ar, res, p + 6);
	else if (strcmp(p, "block") == 0)
		api_block_get(ar, res);
	else
		api_error(res, 404, "no such endpoint");
}

/* Route a POST (CSRF checked by http.c); -1 when no endpoint takes it. */
int
api_post(struct api_request *ar, struct api_response *res)
{
	api_db_refresh(ar->w, ar->now);
	res->status = 200;
	if (strncmp(ar->path, "block/", 6) == 0)
		return (api_block_post(ar, res));
	if (strcmp(ar->path, "trace") == 0) {
		api_trace_post(ar, res, ar->body, ar->body_len,
		    ar->content_type);
		return (0);
	}
	return (-1);
}
