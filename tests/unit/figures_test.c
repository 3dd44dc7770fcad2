/*
 * SPDX-License-Identifier: ISC
 *
 * figures_test.c: the figures defined once (common/figures.c): the DNS
 * hit ratio from dnsd's metrics rows (hits over hits plus misses, not
 * over every query), the route in words, and the argument checks the
 * API and homegwctl share (integers with nothing around them, protocol
 * and TCP state names in any case).
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "figures.h"
#include "schema.h"
#include "../tap.h"

int
main(void)
{
	struct fig_dns	 f;
	sqlite3		*db;
	char		 buf[64];
	int64_t		 v = 0;

	/* No database, no rows: nothing known, no ratio. */
	fig_dns_read(NULL, &f);
	CHECK(!f.known && f.hit_ratio < 0);
	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, schema_live[0], NULL, NULL, NULL) == SQLITE_OK);
	fig_dns_read(db, &f);
	CHECK(!f.known);
	CHECK(sqlite3_exec(db, "INSERT INTO metrics VALUES ('dnsd', "
	    "'queries', 27, 0), ('dnsd', 'cache_hits', 13, 0), ('dnsd', "
	    "'cache_misses', 5, 0), ('dnsd', 'local', 9, 0)", NULL, NULL,
	    NULL) == SQLITE_OK);
	fig_dns_read(db, &f);
	CHECK(f.known && f.queries == 27 && f.cache_hits == 13 &&
	    f.cache_misses == 5 && f.lookups == 18);
	CHECK(f.hit_ratio > 0.7222 && f.hit_ratio < 0.7223);
	CHECK_STREQ(fig_percent(f.hit_ratio, buf, sizeof(buf)), "72.2 %");
	CHECK_STREQ(fig_percent(-1, buf, sizeof(buf)), "\xe2\x80\x93");
	/* An older dnsd without the misses row: every query a lookup. */
	CHECK(sqlite3_exec(db, "DELETE FROM metrics WHERE name = "
	    "'cache_misses'", NULL, NULL, NULL) == SQLITE_OK);
	fig_dns_read(db, &f);
	CHECK(f.known && f.cache_misses == 14 && f.lookups == 27);
	/* Queries but no lookups yet: no ratio rather than 0 %. */
	CHECK(sqlite3_exec(db, "UPDATE metrics SET value = 0 WHERE name = "
	    "'cache_hits'; INSERT INTO metrics VALUES ('dnsd', "
	    "'cache_misses', 0, 0)", NULL, NULL, NULL) == SQLITE_OK);
	fig_dns_read(db, &f);
	CHECK(f.known && f.lookups == 0 && f.hit_ratio < 0);
	sqlite3_close(db);

	CHECK_STREQ(fig_address_text("route", "203.0.113.1", 0, "wan0", buf,
	    sizeof(buf)), "default via 203.0.113.1 on wan0");
	CHECK_STREQ(fig_address_text("lan", "192.168.1.1", 24, "lan0", buf,
	    sizeof(buf)), "192.168.1.1/24 on lan0");
	CHECK_STREQ(fig_address_text("wan", "203.0.113.2", 24, NULL, buf,
	    sizeof(buf)), "203.0.113.2/24");

	CHECK(fig_int("443", 0, 65535, &v) == 0 && v == 443);
	CHECK(fig_int("0", 0, 65535, &v) == 0 && v == 0);
	CHECK(fig_int("65536", 0, 65535, &v) < 0);
	CHECK(fig_int("70000", 0, 65535, &v) < 0);
	CHECK(fig_int("abc", 0, 65535, &v) < 0);
	CHECK(fig_int("-5", 1, 500, &v) < 0);
	CHECK(fig_int("-10", 0, 100, &v) < 0);
	CHECK(fig_int(" 5", 0, 100, &v) < 0);
	CHECK(fig_int("5 ", 0, 100, &v) < 0);
	CHECK(fig_int("+5", 0, 100, &v) < 0);
	CHECK(fig_int("1.5", 0, 100, &v) < 0);
	CHECK(fig_int("", 0, 100, &v) < 0);
	CHECK(fig_int("99999999999999999999", 0, INT64_MAX, &v) < 0);
	CHECK(fig_int("-3", -10, 10, &v) == 0 && v == -3);

	CHECK(fig_proto("TCP", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "tcp") == 0);
	CHECK(fig_proto("IcmpV6", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "icmpv6") == 0);
	CHECK(fig_proto("47", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "47") == 0);
	CHECK(fig_proto("256", buf, sizeof(buf)) < 0);
	CHECK(fig_proto("tcp'--", buf, sizeof(buf)) < 0);
	CHECK(fig_proto("", buf, sizeof(buf)) < 0);
	CHECK(fig_tcp_state("established", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "ESTABLISHED") == 0);
	CHECK(fig_tcp_state("time-wait", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "TIME_WAIT") == 0);
	CHECK(fig_tcp_state("bogus", buf, sizeof(buf)) < 0);
	CHECK(fig_tcp_state("ESTABLISHED_AND_MORE_THAN_FITS", buf,
	    sizeof(buf)) < 0);
	return (tap_done());
}
