/*
 * SPDX-License-Identifier: ISC
 *
 * ctl_dns.c: "homegwctl dns", what homegw-dnsd is doing: its counters
 * and upstream health (live.db, written by dnsd about once a second),
 * the recent query log (live.db too: dnsd keeps it there and only packed
 * batches on the card) and the per-minute history (homegw.db).  Reads
 * only; changes nothing.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "addr.h"
#include "conf.h"
#include "figures.h"
#include "ctl.h"

int	ctl_dns(struct ctl *, int, char **);

static int
run(struct ctl *c, sqlite3 *db, const char *sql, const char *a1, int n)
{
	sqlite3_stmt	*st;
	int		 r;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "homegwctl: %s\n", sqlite3_errmsg(db));
		return (-1);
	}
	if (a1 != NULL)
		sqlite3_bind_text(st, 1, a1, -1, SQLITE_TRANSIENT);
	if (n > 0)
		sqlite3_bind_int(st, 2, n);
	r = ctl_print_query(c, st);
	sqlite3_finalize(st);
	return (r);
}

static int
dns_summary(struct ctl *c)
{
	sqlite3	*live;

	if ((live = ctl_live(c)) == NULL)
		return (CTL_ERROR);
	if (c->json)
		printf("{\"counters\": ");
	else
		printf("counters:\n");
	if (run(c, live, "SELECT name, CAST(value AS INTEGER) AS value FROM "
	    "metrics WHERE daemon = 'dnsd' AND name NOT LIKE "
	    "'upstream_latency%' ORDER BY name", NULL, 0) < 0)
		return (CTL_ERROR);
	if (c->json)
		printf(", \"upstreams\": ");
	else
		printf("\nupstreams:\n");
	if (run(c, live, "SELECT position, address, state, queries, answers, "
	    "timeouts, printf('%.1f', latency_ms) AS latency_ms, "
	    "datetime(last_ok, 'unixepoch', 'localtime') AS last_ok "
	    "FROM dns_upstreams ORDER BY position", NULL, 0) < 0)
		return (CTL_ERROR);
	if (c->json)
		printf("}\n");
	return (CTL_OK);
}

/*
 * host(client) and label(client) in SQL: the host table's name of a
 * client's address and the owner's label for it, NULL when the address
 * is not in the table.  The page shows the same for each log row.
 */
static const struct hgw_host *
sql_host_of(sqlite3_context *cx, sqlite3_value *v)
{
	const char	*s = (const char *)sqlite3_value_text(v);
	struct in_addr	 a;

	if (s == NULL || addr_parse_ip4(s, &a) < 0)
		return (NULL);
	return (conf_host_by_addr(ctl_conf(sqlite3_user_data(cx)), a));
}

static void
sql_host(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const struct hgw_host *h = sql_host_of(cx, argv[0]);

	(void)argc;
	if (h == NULL)
		sqlite3_result_null(cx);
	else
		sqlite3_result_text(cx, h->name, -1, SQLITE_TRANSIENT);
}

static void
sql_label(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const struct hgw_host *h = sql_host_of(cx, argv[0]);

	(void)argc;
	if (h == NULL || !h->has_label)
		sqlite3_result_null(cx);
	else
		sqlite3_result_text(cx, h->label, -1, SQLITE_TRANSIENT);
}

static int
dns_log(struct ctl *c, int argc, char **argv)
{
	sqlite3		*live;
	const char	*filter = NULL;
	char		*end;
	long		 n = 50;
	int		 i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			errno = 0;
			n = strtol(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0' || n < 1 || n > 100000) {
				fprintf(stderr, "homegwctl: dns log -n: "
				    "expected 1..100000, got \"%s\"\n", argv[i]);
				return (CTL_USAGE);
			}
		} else if (argv[i][0] != '-' && filter == NULL)
			filter = argv[i];
		else {
			fprintf(stderr, "usage: homegwctl dns log [-n count] "
			    "[client|name]\n");
			return (CTL_USAGE);
		}
	}
	/* The query log is read from live.db (docs/schema.md). */
	if ((live = ctl_live(c)) == NULL)
		return (CTL_ERROR);
	/*
	 * Newest first; a filter matches a client address or a name part.
	 * JSON rows are the API's (dns/log), for scripts; the table is
	 * for people.
	 */
	if (c->json) {
		if (run(c, live, "SELECT " FIG_DNS_LOG_COLUMNS " FROM dns_log "
		    "WHERE ?1 IS NULL OR client = ?1 OR instr(name, lower(?1)) "
		    "> 0 ORDER BY id DESC LIMIT ?2", filter, (int)n) < 0)
			return (CTL_ERROR);
		return (CTL_OK);
	}
	if (sqlite3_create_function(live, "host", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, c, sql_host, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(live, "label", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, c, sql_label, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "homegwctl: %s\n", sqlite3_errmsg(live));
		return (CTL_ERROR);
	}
	if (run(c, live, "SELECT strftime('%Y-%m-%d %H:%M:%f', "
	    "time_ms / 1000.0, 'unixepoch', 'localtime') AS time, client, "
	    "host(client) AS host, label(client) AS label, "
	    "name, CASE qtype WHEN 1 THEN 'A' WHEN 28 THEN 'AAAA' "
	    "WHEN 5 THEN 'CNAME' WHEN 12 THEN 'PTR' WHEN 15 THEN 'MX' "
	    "WHEN 16 THEN 'TXT' WHEN 33 THEN 'SRV' WHEN 65 THEN 'HTTPS' "
	    "WHEN 255 THEN 'ANY' ELSE 'TYPE' || qtype END AS type, "
	    "CASE rcode WHEN 0 THEN 'NOERROR' WHEN 2 THEN 'SERVFAIL' "
	    "WHEN 3 THEN 'NXDOMAIN' WHEN 5 THEN 'REFUSED' "
	    "ELSE 'RCODE' || rcode END AS rcode, source, upstream, "
	    "latency_us, blocked_by FROM dns_log WHERE ?1 IS NULL OR "
	    "client = ?1 OR "
	    "instr(name, lower(?1)) > 0 ORDER BY id DESC LIMIT ?2",
	    filter, (int)n) < 0)
		return (CTL_ERROR);
	return (CTL_OK);
}

static int
dns_history(struct ctl *c)
{
	sqlite3	*persist;

	if ((persist = ctl_persist(c)) == NULL)
		return (CTL_ERROR);
	if (run(c, persist, "SELECT datetime(time, 'unixepoch', 'localtime') "
	    "AS time, queries, cache_hits, upstream, servfail, blocked FROM "
	    "dns_history ORDER BY time DESC LIMIT 60", NULL, 0) < 0)
		return (CTL_ERROR);
	return (CTL_OK);
}

/* homegwctl dns [log [-n count] [client|name] | history] */
int
ctl_dns(struct ctl *c, int argc, char **argv)
{
	if (argc == 1)
		return (dns_summary(c));
	if (strcmp(argv[1], "log") == 0)
		return (dns_log(c, argc - 1, argv + 1));
	if (strcmp(argv[1], "history") == 0 && argc == 2)
		return (dns_history(c));
	fprintf(stderr, "usage: homegwctl dns [log [-n count] [client|name] | "
	    "history]\n");
	return (CTL_USAGE);
}
