/*
 * SPDX-License-Identifier: ISC
 *
 * alerts.c: the alerts of alerts.h, from live.db's daemons, metrics,
 * addresses and dns_upstreams tables.  Reads only; every query is
 * finalized at once, so no read transaction is left open.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "conf.h"
#include "state.h"
#include "units.h"

static void	logins(const struct hgw_conf *, int64_t, alerts_cb, void *);

/* One number from a query with up to two text parameters; def if none. */
static double
number(sqlite3 *db, const char *sql, const char *p1, const char *p2,
    double def)
{
	sqlite3_stmt	*st;
	double		 v = def;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return (def);
	if (p1 != NULL)
		sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
	if (p2 != NULL)
		sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return (v);
}

/* A daemon's last heartbeat, or -1 when it never wrote one. */
static int64_t
heartbeat(sqlite3 *db, const char *name)
{
	return ((int64_t)number(db, "SELECT heartbeat FROM daemons WHERE "
	    "name = ?1", name, NULL, -1));
}

/* A daemon's pid in its row, or 0. */
static int64_t
row_pid(sqlite3 *db, const char *name)
{
	return ((int64_t)number(db, "SELECT pid FROM daemons WHERE "
	    "name = ?1", name, NULL, 0));
}

/* A metric of a daemon, or -1 when it never wrote it. */
static double
metric(sqlite3 *db, const char *daemon, const char *name)
{
	return (number(db, "SELECT value FROM metrics WHERE daemon = ?1 AND "
	    "name = ?2", daemon, name, -1));
}

static void
say(alerts_cb cb, void *arg, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
say(alerts_cb cb, void *arg, const char *level, const char *fmt, ...)
{
	char	 text[256];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	cb(level, text, arg);
}

static void	storage_alerts(sqlite3 *, const struct hgw_conf *,
		    const char *, int64_t, alerts_cb, void *);
static void	nat_mirror_alert(sqlite3 *, alerts_cb, void *);

static void
addresses(sqlite3 *db, alerts_cb cb, void *arg)
{
	sqlite3_stmt	*st;
	const char	*role, *addr, *mac, *detail, *which;

	if (sqlite3_prepare_v2(db, "SELECT role, address, conflict_mac, "
	    "detail, state = 'conflict' FROM addresses WHERE state IN "
	    "('conflict', 'error') ORDER BY role LIMIT 16", -1, &st,
	    NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if ((role = (const char *)sqlite3_column_text(st, 0)) == NULL ||
		    (addr = (const char *)sqlite3_column_text(st, 1)) == NULL)
			continue;
		mac = (const char *)sqlite3_column_text(st, 2);
		detail = (const char *)sqlite3_column_text(st, 3);
		if (detail == NULL || *detail == '\0')
			detail = "see homegw-addrd's log";
		which = strcmp(role, "lan") == 0 ? "LAN" : "WAN";
		if (strcmp(role, "route") == 0)
			say(cb, arg, "bad", "The default route via %s could "
			    "not be set: %s", addr, detail);
		else if (sqlite3_column_int(st, 4))
			say(cb, arg, "bad", "Address conflict: the %s address "
			    "%s is also used by %s", which, addr,
			    mac != NULL ? mac : "another station");
		else
			say(cb, arg, "bad", "The %s address %s could not be "
			    "set: %s", which, addr, detail);
	}
	sqlite3_finalize(st);
}

/*
 * natd's input policy is what keeps the page, the resolver and anything
 * else on the gateway away from the WAN side: say so when it is off,
 * whether the owner turned it off or the kernel refused it.  A gateway
 * without a WAN interface has nothing to guard.
 */
static void
wan_guard(sqlite3 *db, const struct hgw_conf *conf, int64_t now,
    alerts_cb cb, void *arg)
{
	int64_t	 hb = heartbeat(db, "natd");

	if (hb < 0 || now - hb > ALERTS_SILENT_S)
		return;
	if (conf != NULL && conf->wan.ifname[0] == '\0')
		return;
	if (conf != NULL && !conf->nat.rules)
		say(cb, arg, "bad", "Nothing guards the WAN side: [nat] rules "
		    "= no leaves the gateway's firewall to you, and the page "
		    "and the resolver may be reachable from the internet");
	else if (metric(db, "natd", "wan_guard") == 0)
		say(cb, arg, "bad", "Nothing guards the WAN side: the input "
		    "policy is not loaded (see homegw-natd's log)");
}

void
alerts_collect(sqlite3 *db, const struct hgw_conf *conf, const char *self,
    int64_t now, alerts_cb cb, void *arg)
{
	int64_t		 hb;
	double		 count, max, ups, down;
	size_t		 i;
	int		 natd_up, dnsd_up;
	char		 run_dir[PATH_MAX];

	if (db == NULL)
		return;
	/* The pid files are beside live.db. */
	state_db_dir(db, run_dir, sizeof(run_dir));
	/*
	 * Every gateway runs all five: no row is a daemon that never started
	 * or stopped (a clean stop clears its row), say after a start-up
	 * failure that systemd keeps retrying.
	 */
	for (i = 0; i < STATE_NDAEMONS; i++) {
		if (self != NULL && strcmp(state_daemons[i], self) == 0)
			continue;
		hb = heartbeat(db, state_daemons[i]);
		/*
		 * The shared rule: a daemon alive by its pid file is running
		 * even while its row is missing (live.db just rebuilt).
		 */
		if (strcmp(state_daemon_state(run_dir, state_daemons[i],
		    hb >= 0, row_pid(db, state_daemons[i]), hb, now),
		    "not running") == 0) {
			/* The owner's choice (systemctl disable), no fault. */
			if (units_disabled(state_daemons[i]))
				continue;
			say(cb, arg, "bad", "homegw-%s is not running",
			    state_daemons[i]);
			continue;
		}
		if (hb < 0 || now - hb <= ALERTS_SILENT_S)
			continue;
		say(cb, arg, "bad", "homegw-%s has not answered for %lld min: "
		    "stopped or hung", state_daemons[i],
		    (long long)((now - hb) / 60));
	}
	hb = heartbeat(db, "natd");
	natd_up = hb >= 0 && now - hb <= ALERTS_SILENT_S;
	if (natd_up && (conf == NULL || conf->nat.rules) &&
	    metric(db, "natd", "rules_loaded") == 0)
		say(cb, arg, "bad", "The NAT rules are not loaded: LAN hosts "
		    "cannot reach the internet (see homegw-natd's log)");
	if (natd_up && metric(db, "natd", "ip_forward") == 0)
		say(cb, arg, "bad", "IPv4 forwarding is off: LAN hosts cannot "
		    "reach the internet (set net.ipv4.ip_forward = 1)");
	addresses(db, cb, arg);
	hb = heartbeat(db, "dnsd");
	dnsd_up = hb >= 0 && now - hb <= ALERTS_SILENT_S;
	ups = number(db, "SELECT count(*) FROM dns_upstreams", NULL, NULL, 0);
	down = number(db, "SELECT count(*) FROM dns_upstreams WHERE state = "
	    "'down'", NULL, NULL, 0);
	if (dnsd_up && ups > 0 && down == ups)
		say(cb, arg, "bad", "%s DNS upstream%s down: names outside "
		    "the LAN do not resolve", ups == 1 ? "The" : "Every",
		    ups == 1 ? " is" : "s are");
	storage_alerts(db, conf, run_dir, now, cb, arg);
	/* Bad, so before the warnings. */
	wan_guard(db, conf, now, cb, arg);
	/*
	 * The kernel's table only: natd's own mirror filling up is another
	 * matter (nat_mirror_alert()), nothing is dropped for it.
	 */
	count = metric(db, "natd", "conntrack_count");
	max = metric(db, "natd", "conntrack_max");
	if (natd_up && count >= 0 && max > 0 && count >= max * 0.9)
		say(cb, arg, "warn", "The connection table is %.0f%% full: "
		    "when it is full, new connections are dropped",
		    count / max * 100);
	logins(conf, now, cb, arg);
	if (natd_up)
		nat_mirror_alert(db, cb, arg);
}

/* 38346 as "38,346": counts people read. */
static const char *
thousands(double v, char *buf, size_t len)
{
	char		 digits[32];
	size_t		 n, i, o = 0;

	snprintf(digits, sizeof(digits), "%.0f", v < 0 ? 0 : v);
	n = strlen(digits);
	for (i = 0; i < n && o + 2 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return (buf);
}

/*
 * Storage faults, from the metrics every daemon writes with its
 * heartbeat (common/daemon.c): db_error_live / db_error_persist hold
 * the errno of a write failing now, db_reset when a damaged homegw.db
 * was moved aside.  live.db holds them, so a full or damaged homegw.db
 * is shown all the same.  Rows of a daemon that stopped writing them
 * are old news and not shown.
 */
static void
storage_alerts(sqlite3 *db, const struct hgw_conf *conf, const char *run_dir,
    int64_t now, alerts_cb cb, void *arg)
{
	sqlite3_stmt	*st;
	const char	*name, *who, *dir;
	char		 cause[PATH_MAX + 64], aside[PATH_MAX + 32], when[32];
	enum hgw_db	 which;
	double		 reset;
	time_t		 t;
	struct tm	 tm;

	if (sqlite3_prepare_v2(db, "SELECT name, CAST(value AS INTEGER), "
	    "group_concat(daemon, ', ') FROM metrics WHERE name IN "
	    "('db_error_live', 'db_error_persist') AND value > 0 AND "
	    "updated >= ?1 GROUP BY name, CAST(value AS INTEGER) "
	    "ORDER BY name DESC LIMIT 8", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, now - ALERTS_SILENT_S);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if ((name = (const char *)sqlite3_column_text(st,
			    0)) == NULL || (who = (const char *)
			    sqlite3_column_text(st, 2)) == NULL)
				continue;
			which = strcmp(name, "db_error_live") == 0 ?
			    HGW_DB_LIVE : HGW_DB_PERSIST;
			dir = which == HGW_DB_LIVE ? run_dir : conf != NULL ?
			    conf->gateway.state_dir : NULL;
			state_fault_text(which, dir, sqlite3_column_int(st, 1),
			    cause, sizeof(cause));
			say(cb, arg, "bad", "%s: writes fail (%s); %s",
			    cause, who, which == HGW_DB_LIVE ? "the page and "
			    "homegwctl may show old figures" : "history is "
			    "kept in memory and written once it works again");
		}
		sqlite3_finalize(st);
	}
	reset = number(db, "SELECT max(value) FROM metrics WHERE name = "
	    "'db_reset' AND value > 0", NULL, NULL, 0);
	if (reset > 0 && now - (int64_t)reset <= 86400) {
		t = (time_t)reset;
		if (localtime_r(&t, &tm) == NULL ||
		    strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm) == 0)
			snprintf(when, sizeof(when), "%lld", (long long)t);
		if (conf != NULL) {
			snprintf(aside, sizeof(aside), "%s/%s.corrupt-%lld",
			    conf->gateway.state_dir, STATE_PERSIST_FILE,
			    (long long)t);
			/* The owner deleting the old file clears it. */
			if (access(aside, F_OK) == -1 && errno == ENOENT)
				return;
		} else
			snprintf(aside, sizeof(aside), "%s.corrupt-%lld",
			    STATE_PERSIST_FILE, (long long)t);
		say(cb, arg, "warn", "homegw.db was damaged and replaced by a "
		    "new one at %s: history before that is kept in %s", when,
		    aside);
	}
}

/*
 * natd's mirror at [nat] max_flows: the kernel still tracks and NATs
 * every connection, but the page and homegwctl nat show only part of
 * them.  How many are missing: the kernel's count less the mirror's.
 */
static void
nat_mirror_alert(sqlite3 *db, alerts_cb cb, void *arg)
{
	double	 flows, max, count;
	char	 a[32], b[32];

	flows = metric(db, "natd", "flows");
	max = metric(db, "natd", "flows_max");
	if (flows < 0 || max <= 0 || flows < max)
		return;
	count = metric(db, "natd", "conntrack_count");
	if (count > flows)
		say(cb, arg, "warn", "The NAT mirror is full: %s connections "
		    "not shown (max_flows %.0f)", thousands(count - flows, a,
		    sizeof(a)), max);
	else
		say(cb, arg, "warn", "The NAT mirror is full: %s connections "
		    "refused so far are not shown (max_flows %.0f)",
		    thousands(metric(db, "natd", "flows_refused"), b,
		    sizeof(b)), max);
}

/*
 * Failed logins to the status page in the last hour, from webd's events
 * in homegw.db, and the address most of them came from (into top, ""
 * when none).  -1 when homegw.db cannot be read.
 */
int
alerts_failed_logins(const struct hgw_conf *conf, int64_t now, char *top,
    size_t len)
{
	sqlite3_stmt	*st;
	sqlite3		*db;
	char		 path[PATH_MAX];
	int		 n = -1;

	top[0] = '\0';
	if (conf == NULL || conf_persist_db(conf, path, sizeof(path)) < 0)
		return (-1);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);	/* a handle comes back even then */
		return (-1);
	}
	sqlite3_busy_timeout(db, 1000);
	if (sqlite3_prepare_v2(db, "SELECT count(*), (SELECT address FROM "
	    "events WHERE kind = 'login_failed' AND time >= ?1 GROUP BY "
	    "address ORDER BY count(*) DESC, max(time) DESC LIMIT 1) FROM "
	    "events WHERE kind = 'login_failed' AND time >= ?1", -1, &st,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, now - 3600);
		if (sqlite3_step(st) == SQLITE_ROW) {
			n = sqlite3_column_int(st, 0);
			if (sqlite3_column_type(st, 1) == SQLITE_TEXT)
				snprintf(top, len, "%s",
				    (const char *)sqlite3_column_text(st, 1));
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return (n);
}

/* Someone guessing the status page's password. */
static void
logins(const struct hgw_conf *conf, int64_t now, alerts_cb cb, void *arg)
{
	char	 top[64];
	int	 n;

	if ((n = alerts_failed_logins(conf, now, top, sizeof(top))) <
	    ALERTS_LOGINS_FAILED)
		return;
	say(cb, arg, "warn", "%d failed logins in the last hour, most from "
	    "%s", n, top[0] != '\0' ? top : "an unknown address");
}
