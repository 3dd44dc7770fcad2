/*
 * SPDX-License-Identifier: ISC
 *
 * webd_query_test.c: the conntrack view's SQL (webd/query.c), run for
 * real against an in-memory database with the schema of live.db: each
 * filter, sort key and page gives the rows a plain scan says it should,
 * unknown sort keys are refused and LIKE wildcards in the search text
 * are taken literally.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "../tap.h"
#include "schema.h"
#include "../../daemons/webd/webd.h"

static sqlite3	*db;

static void
setup(void)
{
	char	 sql[1024];
	int	 i;

	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	for (i = 0; i < schema_live_count; i++)
		CHECK(sqlite3_exec(db, schema_live[i], NULL, NULL, NULL) ==
		    SQLITE_OK);
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (i = 0; i < 300; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO conntrack (ct_id, "
		    "family, proto, orig_src, orig_sport, orig_dst, orig_dport, "
		    "reply_src, reply_sport, reply_dst, reply_dport, tcp_state, "
		    "status, timeout, orig_packets, orig_bytes, reply_packets, "
		    "reply_bytes, lan_host, first_seen, last_seen) VALUES (%d, 4, "
		    "'%s', '192.168.1.%d', %d, '%s', %d, '%s', %d, "
		    "'203.0.113.2', %d, %s, 0, 60, %d, %d, %d, %d, %s, %d, %d)",
		    i, i % 3 == 0 ? "udp" : "tcp", 10 + i % 5, 40000 + i,
		    i % 7 == 0 ? "198.51.100.1" : "203.0.113.1",
		    i % 2 ? 443 : 80, i % 7 == 0 ? "198.51.100.1" :
		    "203.0.113.1", i % 2 ? 443 : 80, 20000 + i,
		    i % 3 == 0 ? "NULL" : i % 2 ? "'ESTABLISHED'" :
		    "'TIME_WAIT'", i, i * 10, i, (300 - i) * 7,
		    i % 5 == 0 ? "'nas'" : "NULL", 1000 + i, 2000 + i);
		CHECK_MSG(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK,
		    "insert fixture row");
	}
	CHECK(sqlite3_exec(db, "INSERT INTO conntrack (ct_id, family, proto, "
	    "orig_src, orig_sport, orig_dst, orig_dport, reply_src, reply_sport,"
	    " reply_dst, reply_dport, status, timeout, first_seen, last_seen) "
	    "VALUES (999, 4, 'tcp', '100%_x', 1, '1.1.1.1', 1, '1.1.1.1', 1, "
	    "'2.2.2.2', 1, 0, 0, 0, 0)", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}

/* Run the filter; return total and fill ids (ct_id of each row). */
static int64_t
run(const struct ct_filter *f, int *ids, int *nids)
{
	sqlite3_stmt	*st;
	char		 sql[2048];
	int64_t		 total = -1;

	*nids = 0;
	if (query_ct_sql(f, 1, sql, sizeof(sql)) < 0)
		return (-2);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		TAP_NOTE("%s: %s", sql, sqlite3_errmsg(db));
		return (-3);
	}
	if (query_ct_bind(st, f, NULL, 1) == 0 &&
	    sqlite3_step(st) == SQLITE_ROW)
		total = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (query_ct_sql(f, 0, sql, sizeof(sql)) < 0)
		return (-2);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		TAP_NOTE("%s: %s", sql, sqlite3_errmsg(db));
		return (-3);
	}
	if (query_ct_bind(st, f, NULL, 0) == 0)
		while (sqlite3_step(st) == SQLITE_ROW)
			ids[(*nids)++] = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return (total);
}

static int64_t
count(const char *where)
{
	sqlite3_stmt	*st;
	char		 sql[512];
	int64_t		 n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM conntrack WHERE %s",
	    where);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (n);
}

static struct ct_filter
base(void)
{
	struct ct_filter	 f;

	memset(&f, 0, sizeof(f));
	f.port = -1;
	f.desc = 1;
	f.limit = 500;
	return (f);
}

/*
 * The name filter: flows whose (LAN host, destination) pair dnsd named,
 * matched on a part of the name in any case, and flows to the gateway's
 * addresses under the gateway's name.
 */
static void
names(void)
{
	struct ct_filter	 f;
	int			 ids[600], n, i, found = 0;

	/* Every migration ran at the start: one of them made dns_names. */
	for (i = 0; i < schema_live_count; i++)
		if (strstr(schema_live[i], "CREATE TABLE dns_names") != NULL)
			found = 1;
	CHECK_MSG(found, "a migration creates dns_names");
	CHECK(sqlite3_exec(db, "INSERT INTO dns_names VALUES "
	    "('192.168.1.10', '203.0.113.1', 'www.example.test', 0), "
	    "('192.168.1.11', '198.51.100.1', 'cdn.example.net', 0), "
	    "('192.168.1.12', '9.9.9.9', 'www.example.test', 0)",
	    NULL, NULL, NULL) == SQLITE_OK);
	f = base();
	f.name = "EXAMPLE.test";
	f.gw_name = "gw";
	CHECK(run(&f, ids, &n) == count("orig_src = '192.168.1.10' AND "
	    "orig_dst = '203.0.113.1'") && n > 0);
	f.name = "example";
	CHECK(run(&f, ids, &n) == count("(orig_src = '192.168.1.10' AND "
	    "orig_dst = '203.0.113.1') OR (orig_src = '192.168.1.11' AND "
	    "orig_dst = '198.51.100.1')"));
	f.name = "nosuch";
	CHECK(run(&f, ids, &n) == 0 && n == 0);
	f.name = "%";
	CHECK_MSG(run(&f, ids, &n) == 0, "a wildcard in the name is literal");
	/* The gateway's addresses: configured, or published by addrd. */
	f.name = "gw";
	snprintf(f.gw_addr[0], sizeof(f.gw_addr[0]), "1.1.1.1");
	CHECK(run(&f, ids, &n) == 1 && ids[0] == 999);
	f.gw_addr[0][0] = '\0';
	CHECK(run(&f, ids, &n) == 0);
	CHECK(sqlite3_exec(db, "INSERT INTO addresses (role, ifname, "
	    "address, plen, state, updated) VALUES ('lan', 'br0', '1.1.1.1', "
	    "24, 'active', 0)", NULL, NULL, NULL) == SQLITE_OK);
	CHECK(run(&f, ids, &n) == 1 && ids[0] == 999);
	f.name = "example";
	f.host = "192.168.1.11";
	CHECK(run(&f, ids, &n) == count("orig_src = '192.168.1.11' AND "
	    "orig_dst = '198.51.100.1'"));
}

int
main(void)
{
	struct ct_filter	 f;
	int			 ids[600], n, i, sorted;
	char			 pat[64], sql[2048];

	setup();

	f = base();
	CHECK(run(&f, ids, &n) == 301);
	CHECK(n == 301);
	/* Default sort: bytes descending (orig + reply). */
	CHECK(ids[0] == 299);		/* 299 * 10 + 1 * 7 is the most */

	f = base();
	f.host = "192.168.1.12";
	CHECK(run(&f, ids, &n) == count("orig_src = '192.168.1.12'"));
	f.host = "198.51.100.1";
	CHECK(run(&f, ids, &n) == count("orig_dst = '198.51.100.1'"));

	f = base();
	f.proto = "udp";
	CHECK(run(&f, ids, &n) == count("proto = 'udp'"));

	f = base();
	f.state = "established";	/* case does not matter */
	CHECK(run(&f, ids, &n) == count("tcp_state = 'ESTABLISHED'"));

	f = base();
	f.port = 443;
	CHECK(run(&f, ids, &n) == count("orig_dport = 443"));
	f.port = 40007;
	CHECK(run(&f, ids, &n) == 1 && n == 1 && ids[0] == 7);

	f = base();
	f.q = "198.51";
	CHECK(run(&f, ids, &n) == count("orig_dst LIKE '%198.51%'"));
	f.q = "nas";
	CHECK(run(&f, ids, &n) == count("lan_host = 'nas'"));
	f.q = "%";			/* literal, not a wildcard */
	CHECK(run(&f, ids, &n) == 1 && ids[0] == 999);
	f.q = "%_";
	CHECK(run(&f, ids, &n) == 1);
	f.q = "_";			/* TIME_WAIT and the odd address */
	CHECK(run(&f, ids, &n) == count("tcp_state = 'TIME_WAIT'") + 1);

	/* Combined filters. */
	f = base();
	f.host = "192.168.1.10";
	f.proto = "tcp";
	f.port = 80;
	CHECK(run(&f, ids, &n) == count("orig_src = '192.168.1.10' AND "
	    "proto = 'tcp' AND orig_dport = 80"));

	/* Sort by first_seen ascending; paging never repeats a row. */
	f = base();
	f.sort = "first_seen";
	f.desc = 0;
	f.limit = 50;
	f.offset = 100;
	CHECK(run(&f, ids, &n) == 301 && n == 50);
	sorted = 1;
	for (i = 1; i < n; i++)
		if (ids[i] <= ids[i - 1])
			sorted = 0;
	CHECK(sorted);
	CHECK(ids[0] == 99);		/* 999 has first_seen 0: first */

	f = base();
	f.sort = "src";
	f.desc = 0;
	CHECK(run(&f, ids, &n) == 301);
	f.sort = "bogus";
	CHECK(query_ct_sql(&f, 0, sql, sizeof(sql)) == -1);
	f.sort = "bytes; DROP TABLE conntrack";
	CHECK(query_ct_sql(&f, 0, sql, sizeof(sql)) == -1);
	CHECK(query_sort_expr(NULL) != NULL);
	CHECK(query_sort_expr("age") != NULL);

	/*
	 * The timeout shown is the time left now: natd stores the time left
	 * at last_seen and does not rewrite a flow that did not change.
	 */
	CHECK(sqlite3_exec(db, "UPDATE conntrack SET timeout = 120, "
	    "last_seen = CAST(strftime('%s', 'now') AS INTEGER) - 100 "
	    "WHERE ct_id = 1; UPDATE conntrack SET timeout = 120, last_seen = "
	    "CAST(strftime('%s', 'now') AS INTEGER) - 500 WHERE ct_id = 2",
	    NULL, NULL, NULL) == SQLITE_OK);
	{
		sqlite3_stmt	*st;
		int64_t		 left[3] = { -1, -1, -1 };

		f = base();
		f.sort = "age";
		f.desc = 0;
		CHECK(query_ct_sql(&f, 0, sql, sizeof(sql)) == 0);
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
		    query_ct_bind(st, &f, NULL, 0) == 0) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				int id = sqlite3_column_int(st, 0);

				/* Column 13 is timeout in QUERY_CT_COLUMNS. */
				if (id >= 1 && id <= 2)
					left[id] = sqlite3_column_int64(st, 13);
			}
			sqlite3_finalize(st);
		}
		CHECK_MSG(left[1] >= 18 && left[1] <= 20,
		    "timeout counts down from last_seen");
		CHECK_MSG(left[2] == 0, "an overdue timeout shows as 0");
		f.sort = "timeout";
		CHECK(run(&f, ids, &n) == 301);
	}

	/*
	 * [rates] Sorting by the current rate, and the gateway filter: the
	 * gateway's own connections left out, alone, or with the rest.
	 */
	CHECK(sqlite3_exec(db, "UPDATE conntrack SET rate_orig = ct_id * 2, "
	    "rate_reply = 1000 - ct_id WHERE ct_id < 300; UPDATE conntrack "
	    "SET gateway = 1 WHERE ct_id % 10 = 3", NULL, NULL, NULL) ==
	    SQLITE_OK);
	f = base();
	f.sort = "rate";
	CHECK(run(&f, ids, &n) == 301 && ids[0] == 299);
	f.sort = "rate_reply";
	CHECK(run(&f, ids, &n) == 301 && ids[0] == 0);
	f.sort = "age";
	/* Oldest first. */
	CHECK(run(&f, ids, &n) == 301 && ids[0] == 999);
	f = base();
	f.gateway = QUERY_GW_ONLY;
	CHECK(run(&f, ids, &n) == count("gateway = 1") && n == 30);
	f.gateway = QUERY_GW_HIDE;
	CHECK(run(&f, ids, &n) == count("gateway = 0") && n == 271);
	for (i = 0, sorted = 1; i < n; i++)
		if (ids[i] % 10 == 3)
			sorted = 0;
	CHECK_MSG(sorted, "no gateway row when they are hidden");
	f.gateway = QUERY_GW_ANY;
	CHECK(run(&f, ids, &n) == 301);
	CHECK(query_gateway_arg(NULL) == QUERY_GW_ANY &&
	    query_gateway_arg("all") == QUERY_GW_ANY &&
	    query_gateway_arg("NO") == QUERY_GW_HIDE &&
	    query_gateway_arg("only") == QUERY_GW_ONLY &&
	    query_gateway_arg("maybe") == -1 &&
	    query_gateway_arg("no; DROP") == -1);

	/* Too small a buffer is an error, not a truncated query. */
	f = base();
	f.q = "x";
	CHECK(query_ct_sql(&f, 0, sql, 40) == -1);

	CHECK(query_like_pattern("a%b_c\\", pat, sizeof(pat)) == 0);
	CHECK_STREQ(pat, "%a\\%b\\_c\\\\%");
	CHECK(query_like_pattern("toolong", pat, 6) == -1);

	/* Arguments: bounded, and a default for anything malformed. */
	CHECK(query_arg_int(NULL, 50, 1, 500) == 50);
	CHECK(query_arg_int("", 50, 1, 500) == 50);
	CHECK(query_arg_int("20", 50, 1, 500) == 20);
	CHECK(query_arg_int("100000", 50, 1, 500) == 500);
	CHECK(query_arg_int("0", 50, 1, 500) == 1);
	CHECK(query_arg_int("-5", 50, 0, 500) == 0);
	CHECK(query_arg_int("12abc", 50, 1, 500) == 50);
	CHECK(query_arg_int("99999999999999999999999", 7, 0, 9) == 7);
	CHECK(query_arg_int(" 5", 50, 1, 500) == 5);

	names();

	sqlite3_close(db);
	return (tap_done());
}
