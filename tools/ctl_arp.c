/*
 * SPDX-License-Identifier: ISC
 *
 * ctl_arp.c: homegwctl arp, arp events and arp history.  Reads arpd's
 * neighbours table (live.db), its station history and events (homegw.db)
 * and the host table; never writes to either database.  The neighbour
 * table joins rows from both databases, so it is assembled in a private
 * in-memory database and printed from there, which gives the table and
 * --json forms for free.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "addr.h"
#include "conf.h"
#include "figures.h"
#include "state.h"
#include "ctl.h"

#define ARP_EVENTS_DEFAULT	50
#define ARP_EVENTS_MAX		100000

int	ctl_arp(struct ctl *, int, char **);

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return (s != NULL ? s : "");
}

/* A name for the station: the host table by address, then by MAC. */
static void
host_name(struct ctl *c, sqlite3_stmt *st_hosts, const char *address,
    const char *mac, char *buf, size_t len)
{
	struct hgw_conf	*conf = ctl_conf(c);
	struct hgw_host	*h = NULL;
	struct in_addr	 a;
	uint8_t		 m[ADDR_MAC_LEN];

	buf[0] = '\0';
	if (st_hosts != NULL) {
		sqlite3_bind_text(st_hosts, 1, address, -1, SQLITE_STATIC);
		if (sqlite3_step(st_hosts) == SQLITE_ROW)
			snprintf(buf, len, "%s", col_text(st_hosts, 0));
		sqlite3_reset(st_hosts);
		if (buf[0] != '\0')
			return;
	}
	if (addr_parse_ip4(address, &a) == 0)
		h = conf_host_by_addr(conf, a);
	if (h == NULL && mac != NULL && addr_parse_mac(mac, m) == 0)
		h = conf_host_by_mac(conf, m);
	if (h != NULL)
		snprintf(buf, len, "%s", h->name);
}

static const char *
time_expr(struct ctl *c, const char *col)
{
	static char buf[128];

	if (c->json)
		snprintf(buf, sizeof(buf), "%s", col);
	else
		snprintf(buf, sizeof(buf),
		    "datetime(%s, 'unixepoch', 'localtime')", col);
	return (buf);
}

/* The owner's label of a host table name, or NULL. */
static const char *
host_label(struct ctl *c, const char *name)
{
	struct hgw_host	*h;

	if (name[0] == '\0' || (h = conf_host_by_name(ctl_conf(c), name)) ==
	    NULL || !h->has_label)
		return (NULL);
	return (h->label);
}

/*
 * When addrd last saw the neighbour active (the kernel's confirmation or
 * use, or natd's traffic); 0 when unknown.
 */
static int64_t
last_active(sqlite3_stmt *st_act, const char *ifname, const char *address)
{
	int64_t	 t = 0;

	if (st_act == NULL)
		return (0);
	sqlite3_bind_text(st_act, 1, ifname, -1, SQLITE_STATIC);
	sqlite3_bind_text(st_act, 2, address, -1, SQLITE_STATIC);
	if (sqlite3_step(st_act) == SQLITE_ROW)
		t = sqlite3_column_int64(st_act, 0);
	sqlite3_reset(st_act);
	return (t);
}

/*
 * The WAN side's neighbours from addrd, the upstream router (the default
 * route's gateway) named as such; into the in-memory table.
 */
static int
arp_upstream(struct ctl *c, sqlite3 *live, sqlite3_stmt *ins)
{
	sqlite3_stmt	*st;
	struct in_addr	 a;
	const char	*wan = ctl_conf(c)->wan.ifname;
	int		 r;

	if (wan[0] == '\0' || sqlite3_prepare_v2(live, "SELECT address, mac, "
	    "state, ifname, router, max(coalesce(active, 0), "
	    "coalesce(traffic, 0)) FROM neighbour_activity WHERE ifname = ?1 "
	    "ORDER BY router DESC, address", -1, &st, NULL) != SQLITE_OK)
		return (0);
	sqlite3_bind_text(st, 1, wan, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_bind_text(ins, 1, col_text(st, 0), -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 2, col_text(st, 1), -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 4, col_text(st, 2), -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 5, sqlite3_column_int(st, 4) ?
		    "upstream router" : "wan", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, col_text(st, 3), -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_int64(ins, 9, addr_parse_ip4(col_text(st, 0),
		    &a) == 0 ? (sqlite3_int64)ntohl(a.s_addr) : 0);
		sqlite3_bind_int64(ins, 11, sqlite3_column_int64(st, 5));
		r = sqlite3_step(ins);
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
		if (r != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(st);
	return (r == SQLITE_DONE ? 0 : -1);
}

/* The neighbour table with host names and first/last seen. */
static int
arp_table(struct ctl *c)
{
	sqlite3		*live, *persist, *mem = NULL;
	sqlite3_stmt	*st = NULL, *st_hosts = NULL, *st_seen = NULL;
	sqlite3_stmt	*ins = NULL, *out = NULL, *st_act = NULL;
	const char	*label;
	char		 name[CONF_NAME_MAX + 1], sql[640];
	int		 rv = CTL_ERROR, r;

	if ((live = ctl_live(c)) == NULL)
		return (CTL_ERROR);
	persist = ctl_persist(c);	/* history is optional */
	if (sqlite3_prepare_v2(live, "SELECT address, mac, state, ifname,"
	    " proxy, pinned FROM neighbours ORDER BY ifname, address", -1, &st,
	    NULL) != SQLITE_OK) {
		fprintf(stderr, "homegwctl: %s\n", sqlite3_errmsg(live));
		goto out;
	}
	(void)sqlite3_prepare_v2(live, "SELECT name FROM hosts WHERE"
	    " address = ?", -1, &st_hosts, NULL);
	(void)sqlite3_prepare_v2(live, "SELECT max(coalesce(active, 0),"
	    " coalesce(traffic, 0)) FROM neighbour_activity WHERE ifname = ?1"
	    " AND address = ?2", -1, &st_act, NULL);
	if (persist != NULL)
		(void)sqlite3_prepare_v2(persist, "SELECT min(first_seen),"
		    " max(last_seen) FROM stations WHERE address = ?1 AND"
		    " (?2 IS NULL OR mac = ?2)", -1, &st_seen, NULL);
	if (sqlite3_open(":memory:", &mem) != SQLITE_OK ||
	    sqlite3_exec(mem, "CREATE TABLE arp (address TEXT, mac TEXT,"
	    " host TEXT, state TEXT, flags TEXT, ifname TEXT,"
	    " first_seen INTEGER, last_seen INTEGER, sortkey INTEGER,"
	    " label TEXT, active INTEGER)", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(mem, "INSERT INTO arp VALUES (?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?)", -1, &ins, NULL) != SQLITE_OK) {
		fprintf(stderr, "homegwctl: in-memory table failed\n");
		goto out;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char	*address = col_text(st, 0);
		const char	*mac = (const char *)sqlite3_column_text(st, 1);
		struct in_addr	 a;
		char		 flags[32] = "";

		host_name(c, st_hosts, address, mac, name, sizeof(name));
		if (sqlite3_column_int(st, 4))
			snprintf(flags, sizeof(flags), "proxy");
		if (sqlite3_column_int(st, 5))
			snprintf(flags + strlen(flags), sizeof(flags) -
			    strlen(flags), "%spinned", flags[0] ? "," : "");
		sqlite3_bind_text(ins, 1, address, -1, SQLITE_TRANSIENT);
		if (mac != NULL)
			sqlite3_bind_text(ins, 2, mac, -1, SQLITE_TRANSIENT);
		if (name[0] != '\0')
			sqlite3_bind_text(ins, 3, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 4, col_text(st, 2), -1,
		    SQLITE_TRANSIENT);
		if (flags[0] != '\0')
			sqlite3_bind_text(ins, 5, flags, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 6, col_text(st, 3), -1,
		    SQLITE_TRANSIENT);
		if (st_seen != NULL) {
			sqlite3_bind_text(st_seen, 1, address, -1,
			    SQLITE_STATIC);
			if (mac != NULL)
				sqlite3_bind_text(st_seen, 2, mac, -1,
				    SQLITE_STATIC);
			else
				sqlite3_bind_null(st_seen, 2);
			if (sqlite3_step(st_seen) == SQLITE_ROW &&
			    sqlite3_column_type(st_seen, 0) != SQLITE_NULL) {
				sqlite3_bind_int64(ins, 7,
				    sqlite3_column_int64(st_seen, 0));
				sqlite3_bind_int64(ins, 8,
				    sqlite3_column_int64(st_seen, 1));
			}
			sqlite3_reset(st_seen);
		}
		sqlite3_bind_int64(ins, 9, addr_parse_ip4(address, &a) == 0 ?
		    (sqlite3_int64)ntohl(a.s_addr) : 0);
		if ((label = host_label(c, name)) != NULL)
			sqlite3_bind_text(ins, 10, label, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(ins, 11, last_active(st_act, col_text(st, 3),
		    address));
		if (sqlite3_step(ins) != SQLITE_DONE) {
			fprintf(stderr, "homegwctl: %s\n", sqlite3_errmsg(mem));
			goto out;
		}
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
	}
	if (r != SQLITE_DONE) {
		fprintf(stderr, "homegwctl: %s\n", sqlite3_errmsg(live));
		goto out;
	}
	if (arp_upstream(c, live, ins) < 0) {
		fprintf(stderr, "homegwctl: %s\n", sqlite3_errmsg(mem));
		goto out;
	}
	/* Last seen: real activity when addrd saw any, else the history. */
	snprintf(sql, sizeof(sql), "SELECT address, mac, host, label, state,"
	    " flags, ifname, %s AS first_seen,", time_expr(c, "first_seen"));
	snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql),
	    " %s AS last_seen FROM arp ORDER BY ifname, sortkey", time_expr(c,
	    "nullif(max(coalesce(active, 0), coalesce(last_seen, 0)), 0)"));
	if (sqlite3_prepare_v2(mem, sql, -1, &out, NULL) != SQLITE_OK) {
		fprintf(stderr, "homegwctl: %s\n", sqlite3_errmsg(mem));
		goto out;
	}
	if (ctl_print_query(c, out) >= 0)
		rv = CTL_OK;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(st_hosts);
	sqlite3_finalize(st_seen);
	sqlite3_finalize(st_act);
	sqlite3_finalize(ins);
	sqlite3_finalize(out);
	sqlite3_close(mem);
	return (rv);
}

/*
 * The latest station events, newest first: arpd's, and addrd's conflicts
 * over the gateway's own addresses, which are station events too.
 */
static int
arp_events(struct ctl *c, long limit)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		 sql[512];
	int		 r;

	if ((db = ctl_persist(c)) == NULL)
		return (CTL_ERROR);
	/* JSON rows are the API's (events), for scripts. */
	if (c->json)
		snprintf(sql, sizeof(sql), "SELECT " FIG_EVENT_COLUMNS
		    " FROM events WHERE daemon IN ('arpd', 'addrd')"
		    " ORDER BY id DESC LIMIT ?");
	else
		snprintf(sql, sizeof(sql), "SELECT %s AS time, daemon, kind,"
		    " address, mac_old, mac_new, detail FROM events"
		    " WHERE daemon IN ('arpd', 'addrd')"
		    " ORDER BY id DESC LIMIT ?", time_expr(c, "time"));
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "homegwctl: %s\n", sqlite3_errmsg(db));
		return (CTL_ERROR);
	}
	sqlite3_bind_int64(st, 1, limit);
	r = ctl_print_query(c, st);
	sqlite3_finalize(st);
	return (r < 0 ? CTL_ERROR : CTL_OK);
}

/* Every MAC an address had, or every address a MAC had. */
static int
arp_history(struct ctl *c, const char *what)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	struct in_addr	 a;
	uint8_t		 mac[ADDR_MAC_LEN];
	char		 key[ADDR_MAC_STRLEN > INET_ADDRSTRLEN ?
			    ADDR_MAC_STRLEN : INET_ADDRSTRLEN], sql[512];
	const char	*col;
	int		 r;

	/* Normalise, so "AA-BB-..." finds "aa:bb:...". */
	if (addr_parse_ip4(what, &a) == 0) {
		addr_fmt_ip4(a, key);
		col = "address";
	} else if (addr_parse_mac(what, mac) == 0) {
		addr_fmt_mac(mac, key);
		col = "mac";
	} else {
		fprintf(stderr, "homegwctl: \"%s\" is neither an IPv4 address "
		    "nor a MAC address\n", what);
		return (CTL_USAGE);
	}
	if ((db = ctl_persist(c)) == NULL)
		return (CTL_ERROR);
	snprintf(sql, sizeof(sql), "SELECT mac, address, ifname, %s AS"
	    " first_seen,", time_expr(c, "first_seen"));
	snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), " %s AS"
	    " last_seen FROM stations WHERE %s = ? ORDER BY last_seen DESC",
	    time_expr(c, "last_seen"), col);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "homegwctl: %s\n", sqlite3_errmsg(db));
		return (CTL_ERROR);
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	r = ctl_print_query(c, st);
	sqlite3_finalize(st);
	if (r == 0 && !c->json)
		fprintf(stderr, "homegwctl: no history for %s\n", key);
	return (r < 0 ? CTL_ERROR : CTL_OK);
}

static int
arp_usage(void)
{
	fprintf(stderr, "usage: homegwctl arp [events [-n count] | "
	    "history address|mac]\n");
	return (CTL_USAGE);
}

/*
 * --json: the rows of the API's neighbours (daemons/webd/api.c,
 * get_neighbours()), the same fields under the same names: the
 * neighbour's columns, "host" (the [host] with its address, else its
 * MAC), "known" (both match that [host]), "lan" (on the LAN interface)
 * and the station history's "first_seen" and "last_seen" of that very
 * address and MAC.  Keep the two alike: webd-api.test compares them.
 */
/* ", "key": N' or null when v is negative (unknown). */
static void
json_opt_int(const char *key, int64_t v)
{
	if (v >= 0)
		printf(", \"%s\": %lld", key, (long long)v);
	else
		printf(", \"%s\": null", key);
}

static int
arp_json(struct ctl *c)
{
	struct hgw_conf	*conf = ctl_conf(c);
	sqlite3		*live, *persist;
	sqlite3_stmt	*st, *seen = NULL, *act = NULL;
	struct hgw_host	*h;
	struct in_addr	 a;
	uint8_t		 mac[ADDR_MAC_LEN];
	const char	*addr, *m, *ifn;
	int64_t		 ac, tr;
	int		 i, n = 0, r, known, have_mac;
	static const char *const cols[] = { "address", "ifname", "mac",
	    "state", "proxy", "pinned", "updated" };

	if ((live = ctl_live(c)) == NULL)
		return (CTL_ERROR);
	persist = ctl_persist(c);
	if (sqlite3_prepare_v2(live, "SELECT address, ifname, mac, state, "
	    "proxy, pinned, updated FROM neighbours ORDER BY ifname, "
	    "length(address), address", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "homegwctl: %s\n", sqlite3_errmsg(live));
		return (CTL_ERROR);
	}
	if (persist != NULL)
		(void)sqlite3_prepare_v2(persist, "SELECT first_seen, "
		    "last_seen FROM stations WHERE mac = ?1 AND address = ?2",
		    -1, &seen, NULL);
	/* When the station was last active: the API's rule (addrd). */
	(void)sqlite3_prepare_v2(live, "SELECT active, traffic FROM "
	    "neighbour_activity WHERE ifname = ?1 AND address = ?2", -1, &act,
	    NULL);
	fputc('[', stdout);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		addr = (const char *)sqlite3_column_text(st, 0);
		ifn = (const char *)sqlite3_column_text(st, 1);
		m = (const char *)sqlite3_column_text(st, 2);
		fputs(n++ ? ",\n {" : "\n {", stdout);
		for (i = 0; i < 7; i++) {
			printf("%s\"%s\": ", i ? ", " : "", cols[i]);
			ctl_json_column(st, i);
		}
		h = NULL;
		known = 0;
		have_mac = m != NULL && addr_parse_mac(m, mac) == 0;
		if (addr != NULL && addr_parse_ip4(addr, &a) == 0)
			h = conf_host_by_addr(conf, a);
		if (h == NULL && have_mac)
			h = conf_host_by_mac(conf, mac);
		if (h != NULL && have_mac &&
		    memcmp(h->mac, mac, ADDR_MAC_LEN) == 0 &&
		    addr_parse_ip4(addr, &a) == 0 &&
		    h->addr.s_addr == a.s_addr)
			known = 1;
		fputs(", \"host\": ", stdout);
		if (h != NULL)
			ctl_json_string(stdout, h->name);
		else
			fputs("null", stdout);
		fputs(", \"label\": ", stdout);
		if (h != NULL && h->has_label)
			ctl_json_string(stdout, h->label);
		else
			fputs("null", stdout);
		printf(", \"known\": %s, \"lan\": %s", known ? "true" :
		    "false", ifn != NULL && strcmp(ifn, conf->lan.ifname) == 0 ?
		    "true" : "false");
		if (seen != NULL) {
			sqlite3_bind_text(seen, 1, m != NULL ? m : "", -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(seen, 2, addr != NULL ? addr : "", -1,
			    SQLITE_STATIC);
		}
		if (seen != NULL && sqlite3_step(seen) == SQLITE_ROW) {
			fputs(", \"first_seen\": ", stdout);
			ctl_json_column(seen, 0);
			fputs(", \"last_seen\": ", stdout);
			ctl_json_column(seen, 1);
		} else
			fputs(", \"first_seen\": null, \"last_seen\": null",
			    stdout);
		if (seen != NULL)
			sqlite3_reset(seen);
		ac = tr = -1;
		if (act != NULL) {
			sqlite3_bind_text(act, 1, ifn != NULL ? ifn : "", -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(act, 2, addr != NULL ? addr : "", -1,
			    SQLITE_STATIC);
			if (sqlite3_step(act) == SQLITE_ROW) {
				if (sqlite3_column_type(act, 0) != SQLITE_NULL)
					ac = sqlite3_column_int64(act, 0);
				if (sqlite3_column_type(act, 1) != SQLITE_NULL)
					tr = sqlite3_column_int64(act, 1);
			}
			sqlite3_reset(act);
		}
		json_opt_int("active", ac);
		json_opt_int("traffic", tr);
		json_opt_int("last_active", ac > tr ? ac : tr);
		fputc('}', stdout);
	}
	fputs(n ? "\n]\n" : "]\n", stdout);
	sqlite3_finalize(st);
	sqlite3_finalize(seen);
	sqlite3_finalize(act);
	return (r == SQLITE_DONE ? CTL_OK : CTL_ERROR);
}

/* homegwctl arp [events [-n count] | history address|mac] */
int
ctl_arp(struct ctl *c, int argc, char **argv)
{
	long	 limit = ARP_EVENTS_DEFAULT;
	char	*end;

	if (argc == 1 && c->json)
		return (arp_json(c));
	if (argc == 1)
		return (arp_table(c));
	if (strcmp(argv[1], "events") == 0) {
		if (argc == 4 && strcmp(argv[2], "-n") == 0) {
			limit = strtol(argv[3], &end, 10);
			if (*end != '\0' || limit < 1 || limit > ARP_EVENTS_MAX)
				return (arp_usage());
		} else if (argc != 2)
			return (arp_usage());
		return (arp_events(c, limit));
	}
	if (strcmp(argv[1], "history") == 0 && argc == 3)
		return (arp_history(c, argv[2]));
	return (arp_usage());
}
