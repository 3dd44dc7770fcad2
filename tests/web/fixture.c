/*
 * SPDX-License-Identifier: ISC
 *
 * fixture.c: fill live.db and homegw.db with a known, deterministic
 * picture of a busy gateway for the webd tests: daemons (one stale),
 * metrics, addresses, neighbours, NFLOWS conntrack rows, stations, events,
 * a DNS query log and history for the charts.  The databases are created
 * and migrated by state_open(), so the fixture always has the schema the
 * daemons write.
 *
 * usage: webd-fixture run_dir state_dir [nflows]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "state.h"

static uint32_t seed = 12345;

static uint32_t
rnd(uint32_t n)
{
	seed = seed * 1103515245 + 12345;
	return ((seed >> 8) % n);
}

static void
exec(sqlite3 *db, const char *sql)
{
	char	*err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "webd-fixture: %s: %s\n", err, sql);
		exit(1);
	}
}

static sqlite3_stmt *
prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "webd-fixture: %s: %s\n", sqlite3_errmsg(db),
		    sql);
		exit(1);
	}
	return (st);
}

static void
step(sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE) {
		fprintf(stderr, "webd-fixture: insert failed\n");
		exit(1);
	}
	sqlite3_reset(st);
}

static void
fill_live(sqlite3 *db, int64_t now, int nflows)
{
	static const char *const protos[] = { "tcp", "tcp", "tcp", "udp",
	    "udp", "icmp" };
	static const char *const states[] = { "ESTABLISHED", "ESTABLISHED",
	    "TIME_WAIT", "SYN_SENT", "FIN_WAIT", "CLOSE_WAIT", "CLOSE" };
	static const int ports[] = { 80, 443, 443, 53, 22, 5201, 8080, 123 };
	sqlite3_stmt	*st;
	char		 sql[4096], src[32], dst[32];
	int		 i, p, sport, dport;
	int64_t		 ob, rb, op, rp, first;

	exec(db, "BEGIN");
	snprintf(sql, sizeof(sql),
	    "INSERT INTO daemons VALUES ('addrd', 101, %lld, %lld, '0.1.0', 'ok');"
	    "INSERT INTO daemons VALUES ('arpd', 102, %lld, %lld, '0.1.0', 'ok');"
	    "INSERT INTO daemons VALUES ('natd', 103, %lld, %lld, '0.1.0', 'ok');"
	    "INSERT INTO daemons VALUES ('dnsd', 104, %lld, %lld, '0.1.0', 'ok');",
	    (long long)now - 7200, (long long)now - 2,
	    (long long)now - 7200, (long long)now - 3,
	    (long long)now - 7200, (long long)now - 900,
	    (long long)now - 3600, (long long)now - 1);
	exec(db, sql);
	snprintf(sql, sizeof(sql),
	    "INSERT INTO metrics VALUES ('natd', 'conntrack_count', %d, %lld);"
	    "INSERT INTO metrics VALUES ('natd', 'conntrack_max', 262144, %lld);"
	    "INSERT INTO metrics VALUES ('dnsd', 'queries', 1000, %lld);"
	    "INSERT INTO metrics VALUES ('dnsd', 'cache_hits', 750, %lld);"
	    "INSERT INTO metrics VALUES ('dnsd', 'upstream_queries', 250, %lld);",
	    nflows, (long long)now, (long long)now, (long long)now,
	    (long long)now, (long long)now);
	exec(db, sql);
	/* natd's input policy: loaded, with drops by reason. */
	snprintf(sql, sizeof(sql),
	    "INSERT INTO metrics VALUES ('natd', 'wan_guard', 1, %lld);"
	    "INSERT INTO metrics VALUES ('natd', 'wan_drop_policy', 1200, %lld);"
	    "INSERT INTO metrics VALUES ('natd', 'wan_drop_lan_dst', 30, %lld);"
	    "INSERT INTO metrics VALUES ('natd', 'wan_drop_spoofed_src', 4, "
	    "%lld);",
	    (long long)now, (long long)now, (long long)now, (long long)now);
	exec(db, sql);
	snprintf(sql, sizeof(sql),
	    "INSERT INTO addresses (role, ifname, address, plen, state, "
	    "conflict_mac, updated) VALUES ('lan', 'br-lan', '192.168.50.1', "
	    "24, 'active', NULL, %lld);"
	    "INSERT INTO addresses (role, ifname, address, plen, state, "
	    "conflict_mac, updated) VALUES ('wan', 'wan0', '203.0.113.2', 24, "
	    "'active', NULL, %lld);"
	    "INSERT INTO hosts (name, mac, address, pin_arp) VALUES ('lan1', "
	    "'02:00:00:00:50:10', '192.168.50.10', 0);"
	    "INSERT INTO hosts (name, mac, address, pin_arp) VALUES ('lan2', "
	    "'02:00:00:00:50:11', '192.168.50.11', 1);"
	    "INSERT INTO neighbours VALUES ('192.168.50.10', 'br-lan', "
	    "'02:00:00:00:50:10', 'reachable', 0, 0, %lld);"
	    "INSERT INTO neighbours VALUES ('192.168.50.11', 'br-lan', "
	    "'02:00:00:00:50:11', 'stale', 0, 1, %lld);"
	    "INSERT INTO neighbours VALUES ('192.168.50.77', 'br-lan', "
	    "'02:00:00:00:50:77', 'reachable', 0, 0, %lld);"
	    "INSERT INTO neighbours VALUES ('203.0.113.1', 'wan0', "
	    "'02:00:00:00:71:01', 'reachable', 0, 0, %lld);"
	    "INSERT INTO dns_upstreams VALUES ('203.0.113.1:53', 0, 'up', 250, "
	    "248, 2, 3.5, %lld, %lld);",
	    (long long)now, (long long)now, (long long)now, (long long)now,
	    (long long)now, (long long)now, (long long)now, (long long)now);
	exec(db, sql);

	/*
	 * addrd's 10 s samples of the WAN interface, the last ten minutes:
	 * the overview's live WAN chart (GET health).
	 */
	snprintf(sql, sizeof(sql),
	    "INSERT INTO interfaces (name, role, operstate, carrier, "
	    "speed_mbps, mtu, mac, addresses, rx_bytes, tx_bytes, rx_bps, "
	    "tx_bps, updated) VALUES ('wan0', 'wan', 'up', 1, 1000, 1500, "
	    "'02:00:00:00:71:02', '203.0.113.2/24', 123456789, 23456789, "
	    "18000000, 2000000, %lld);"
	    "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k "
	    "WHERE i < 59) INSERT INTO iface_history SELECT 'wan0', "
	    "%lld - 10 * i, 15000000 + 100000 * (i %% 7), "
	    "1500000 + 50000 * (i %% 5) FROM k;",
	    (long long)now, (long long)now);
	exec(db, sql);

	st = prepare(db, "INSERT INTO conntrack (ct_id, family, proto, "
	    "orig_src, orig_sport, orig_dst, orig_dport, reply_src, "
	    "reply_sport, reply_dst, reply_dport, tcp_state, status, timeout, "
	    "orig_packets, orig_bytes, reply_packets, reply_bytes, lan_host, "
	    "first_seen, last_seen, lan_addr) VALUES (?1, 4, ?2, ?3, ?4, ?5, "
	    "?6, ?5, ?6, '203.0.113.2', ?7, ?8, 14, ?9, ?10, ?11, ?12, ?13, "
	    "?14, ?15, ?16, ?3)");
	for (i = 0; i < nflows; i++) {
		p = (int)rnd(sizeof(protos) / sizeof(protos[0]));
		if (i % 50 == 0)
			snprintf(src, sizeof(src), "192.168.50.10");
		else if (i % 50 == 1)
			snprintf(src, sizeof(src), "192.168.50.11");
		else
			snprintf(src, sizeof(src), "192.168.50.%u",
			    20 + rnd(80));
		snprintf(dst, sizeof(dst), "%s.%u", rnd(2) ? "203.0.113" :
		    "198.51.100", 1 + rnd(250));
		sport = 1024 + (int)rnd(60000);
		dport = strcmp(protos[p], "icmp") == 0 ? 0 :
		    ports[rnd(sizeof(ports) / sizeof(ports[0]))];
		ob = rnd(1000000);
		rb = rnd(50000000);
		op = 1 + ob / 1000;
		rp = 1 + rb / 1400;
		first = now - rnd(86400);
		sqlite3_bind_int(st, 1, 100000 + i);
		sqlite3_bind_text(st, 2, protos[p], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, src, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 4, sport);
		sqlite3_bind_text(st, 5, dst, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 6, dport);
		sqlite3_bind_int(st, 7, 20000 + (i % 40000));
		if (strcmp(protos[p], "tcp") == 0)
			sqlite3_bind_text(st, 8, states[rnd(sizeof(states) /
			    sizeof(states[0]))], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 8);
		sqlite3_bind_int(st, 9, (int)rnd(432000));
		sqlite3_bind_int64(st, 10, op);
		sqlite3_bind_int64(st, 11, ob);
		sqlite3_bind_int64(st, 12, rp);
		sqlite3_bind_int64(st, 13, rb);
		if (strcmp(src, "192.168.50.10") == 0)
			sqlite3_bind_text(st, 14, "lan1", -1, SQLITE_STATIC);
		else if (strcmp(src, "192.168.50.11") == 0)
			sqlite3_bind_text(st, 14, "lan2", -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 14);
		sqlite3_bind_int64(st, 15, first);
		sqlite3_bind_int64(st, 16, now - rnd(60));
		step(st);
	}
	sqlite3_finalize(st);
	exec(db, "COMMIT");
}

static void
fill_persist(sqlite3 *db, sqlite3 *live, int64_t now)
{
	static const char *const names[] = { "www.example.test",
	    "mail.example.test", "ntp.example.test", "api.example.test",
	    "cdn.example.test", "lan1.home.arpa", "<script>.example.test" };
	static const char *const sources[] = { "cache", "cache", "cache",
	    "upstream", "local" };
	sqlite3_stmt	*st;
	char		 sql[4096], client[32];
	int		 i;
	int64_t		 t;

	exec(db, "BEGIN");
	snprintf(sql, sizeof(sql),
	    "INSERT INTO stations VALUES ('02:00:00:00:50:10', "
	    "'192.168.50.10', 'br-lan', %lld, %lld);"
	    "INSERT INTO stations VALUES ('02:00:00:00:50:11', "
	    "'192.168.50.11', 'br-lan', %lld, %lld);"
	    "INSERT INTO stations VALUES ('02:00:00:00:50:77', "
	    "'192.168.50.77', 'br-lan', %lld, %lld);"
	    "INSERT INTO stations VALUES ('02:00:00:00:50:99', "
	    "'192.168.50.10', 'br-lan', %lld, %lld);",
	    (long long)now - 86400 * 3, (long long)now,
	    (long long)now - 86400, (long long)now - 60,
	    (long long)now - 600, (long long)now,
	    (long long)now - 86400 * 2, (long long)now - 86400 * 2 + 30);
	exec(db, sql);
	st = prepare(db, "INSERT INTO events (time, daemon, kind, address, "
	    "mac_old, mac_new, detail) VALUES (?1, 'arpd', ?2, ?3, ?4, ?5, ?6)");
	for (i = 0; i < 40; i++) {
		sqlite3_bind_int64(st, 1, now - (40 - i) * 300);
		sqlite3_bind_text(st, 2, i % 4 == 0 ? "changed_mac" :
		    i % 4 == 1 ? "new_station" : i % 4 == 2 ? "flip_flop" :
		    "conflict", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, i % 2 ? "192.168.50.77" :
		    "192.168.50.10", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, "02:00:00:00:50:99", -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 5, "02:00:00:00:50:10", -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 6, "fixture event", -1, SQLITE_STATIC);
		step(st);
	}
	sqlite3_finalize(st);

	/* The query log is in live.db (dnsd keeps only batches on disk). */
	exec(live, "BEGIN");
	st = prepare(live, "INSERT INTO dns_log (time_ms, client, name, qtype, "
	    "rcode, source, upstream, latency_us) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8)");
	for (i = 0; i < 2000; i++) {
		snprintf(client, sizeof(client), "192.168.50.%d",
		    i % 3 == 0 ? 10 : i % 3 == 1 ? 11 : 77);
		sqlite3_bind_int64(st, 1, (now - 3600) * 1000 + i * 1500);
		sqlite3_bind_text(st, 2, client, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, names[rnd(7)], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, i % 5 == 0 ? 28 : 1);
		sqlite3_bind_int(st, 5, i % 17 == 0 ? 3 : 0);
		sqlite3_bind_text(st, 6, sources[rnd(5)], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, "203.0.113.1:53", -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 8, (int)rnd(40000));
		step(st);
	}
	sqlite3_finalize(st);
	exec(live, "COMMIT");

	/* dnsd's answers per minute for the last 6 hours (dns_series). */
	exec(live, "BEGIN");
	st = prepare(live, "INSERT INTO dns_series VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8, 0)");
	for (i = 0; i < 360; i++) {
		int	 c = 5 + (int)rnd(30), l = (int)rnd(5);
		int	 u = (int)rnd(15), f = (int)rnd(2);

		sqlite3_bind_int64(st, 1, now - now % 60 - (359 - i) * 60);
		sqlite3_bind_int(st, 2, c + l + u + f);
		sqlite3_bind_int(st, 3, c);
		sqlite3_bind_int(st, 4, u + f);
		sqlite3_bind_int(st, 5, l);
		sqlite3_bind_int(st, 6, u);
		sqlite3_bind_int(st, 7, 0);
		sqlite3_bind_int(st, 8, f);
		step(st);
	}
	sqlite3_finalize(st);
	exec(live, "COMMIT");

	/* Named columns: later schemas add some (blocked, issue 15). */
	st = prepare(db, "INSERT INTO dns_history (time, queries, cache_hits, "
	    "upstream, servfail) VALUES (?1, ?2, ?3, ?4, ?5)");
	for (i = 0; i < 288; i++) {
		t = now - now % 300 - (287 - i) * 300;
		sqlite3_bind_int64(st, 1, t);
		sqlite3_bind_int(st, 2, 100 + (int)rnd(400));
		sqlite3_bind_int(st, 3, 60 + (int)rnd(40));
		sqlite3_bind_int(st, 4, 20 + (int)rnd(40));
		sqlite3_bind_int(st, 5, (int)rnd(3));
		step(st);
	}
	sqlite3_finalize(st);
	/* Some of them blocked, where the schema counts that. */
	(void)sqlite3_exec(db, "UPDATE dns_history SET blocked = queries / 8",
	    NULL, NULL, NULL);
	st = prepare(db, "INSERT INTO traffic_history VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6)");
	for (i = 0; i < 288; i++) {
		t = now - now % 300 - (287 - i) * 300;
		sqlite3_bind_int64(st, 1, t);
		sqlite3_bind_text(st, 2, "*", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, 1000000 + rnd(20000000));
		sqlite3_bind_int64(st, 4, 5000000 + rnd(200000000));
		sqlite3_bind_int64(st, 5, 10000 + rnd(100000));
		sqlite3_bind_int(st, 6, 200 + (int)rnd(800));
		step(st);
		sqlite3_bind_text(st, 2, "192.168.50.10", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, rnd(2000000));
		sqlite3_bind_int64(st, 4, rnd(20000000));
		sqlite3_bind_int64(st, 5, rnd(10000));
		sqlite3_bind_int(st, 6, (int)rnd(50));
		step(st);
	}
	sqlite3_finalize(st);
	exec(db, "COMMIT");
}

int
main(int argc, char *argv[])
{
	char	 path[4096];
	sqlite3	*live, *persist;
	int64_t	 now = state_now();
	int	 nflows = 50000, r;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: webd-fixture run_dir state_dir "
		    "[nflows]\n");
		return (2);
	}
	if (argc == 4)
		nflows = atoi(argv[3]);
	log_init(1, 0);
	snprintf(path, sizeof(path), "%s/live.db", argv[1]);
	if ((r = state_open(path, HGW_DB_LIVE, 0, &live)) < 0) {
		fprintf(stderr, "webd-fixture: %s: %s\n", path, strerror(-r));
		return (1);
	}
	snprintf(path, sizeof(path), "%s/homegw.db", argv[2]);
	if ((r = state_open(path, HGW_DB_PERSIST, 0, &persist)) < 0) {
		fprintf(stderr, "webd-fixture: %s: %s\n", path, strerror(-r));
		return (1);
	}
	fill_live(live, now, nflows);
	fill_persist(persist, live, now);
	state_close(live);
	state_close(persist);
	return (0);
}
