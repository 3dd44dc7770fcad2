/*
 * SPDX-License-Identifier: ISC
 *
 * alerts.c: the alerts of alerts.h, from live.db's daemons, metrics,
 * addresses and dns_upstreams tables.  Reads only; every query is
 * finalized at once, so no read transaction is left open.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alerts.h"
#include "conf.h"
#include "state.h"
#include "units.h"

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

void
alerts_collect(sqlite3 *db, const struct hgw_conf *conf, const char *self,
    int64_t now, alerts_cb cb, void *arg)
{
	int64_t		 hb;
	double		 count, max, ups, down;
	size_t		 i;
	int		 natd_up, dnsd_up;

	if (db == NULL)
		return;
	/*
	 * Every gateway runs all five: no row is a daemon that never started
	 * or stopped (a clean stop clears its row), say after a start-up
	 * failure that systemd keeps retrying.
	 */
	for (i = 0; i < STATE_NDAEMONS; i++) {
		if (self != NULL && strcmp(state_daemons[i], self) == 0)
			continue;
		if ((hb = heartbeat(db, state_daemons[i])) < 0) {
			/* The owner's choice (systemctl disable), no fault. */
			if (units_disabled(state_daemons[i]))
				continue;
			say(cb, arg, "bad", "homegw-%s is not running",
			    state_daemons[i]);
			continue;
		}
		if (now - hb <= ALERTS_SILENT_S)
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
	if ((count = metric(db, "natd", "conntrack_count")) < 0)
		count = metric(db, "natd", "flows");
	if ((max = metric(db, "natd", "conntrack_max")) <= 0)
		max = metric(db, "natd", "flows_max");
	if (natd_up && count >= 0 && max > 0 && count >= max * 0.9)
		say(cb, arg, "warn", "The connection table is %.0f%% full: "
		    "when it is full, new connections are dropped",
		    count / max * 100);
}
