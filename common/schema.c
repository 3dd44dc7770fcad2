/*
 * SPDX-License-Identifier: ISC
 *
 * schema.c: every table of the shared state, with its one owning daemon.
 * Times are seconds since the epoch (INTEGER) unless the column name ends
 * in _ms.  Addresses are text in their usual notation, MACs lower-case
 * "aa:bb:cc:dd:ee:ff".  Never edit a migration that has shipped: append a
 * new one.  Until the first release, migration 1 may still change.
 */
#include "schema.h"

/* live.db: on tmpfs, rebuilt from the kernel after a reboot. */
const char *const schema_live[] = {
	/* 0 -> 1 */
	/* Owner: every daemon, its own row only. */
	"CREATE TABLE daemons ("
	"  name TEXT PRIMARY KEY,"
	"  pid INTEGER NOT NULL,"
	"  started INTEGER NOT NULL,"
	"  heartbeat INTEGER NOT NULL,"
	"  version TEXT,"
	"  status TEXT"
	");"
	/* Owner: every daemon, rows whose daemon column is its own name. */
	"CREATE TABLE metrics ("
	"  daemon TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  value REAL NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  PRIMARY KEY (daemon, name)"
	");"
	/* Owner: addrd.  The static host table from the config. */
	"CREATE TABLE hosts ("
	"  name TEXT PRIMARY KEY,"
	"  mac TEXT NOT NULL,"
	"  address TEXT NOT NULL UNIQUE,"
	"  pin_arp INTEGER NOT NULL DEFAULT 0,"
	"  seq INTEGER NOT NULL DEFAULT 0"	/* address as a number: order */
	");"
	/* Owner: addrd.  The gateway's own addresses and their state. */
	"CREATE TABLE addresses ("
	"  role TEXT PRIMARY KEY,"		/* lan, wan, route */
	"  ifname TEXT NOT NULL,"
	"  address TEXT NOT NULL,"
	"  plen INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"	/* waiting, probing, active, conflict, */
	"  conflict_mac TEXT,"		/* error, foreign */
	"  mac TEXT,"			/* the interface's own MAC */
	"  detail TEXT,"		/* why waiting/error, in words */
	"  seq INTEGER NOT NULL DEFAULT 0,"	/* address as a number */
	"  updated INTEGER NOT NULL"
	");"
	/* Owner: arpd.  Mirror of the kernel neighbour table (IPv4). */
	"CREATE TABLE neighbours ("
	"  address TEXT NOT NULL,"
	"  ifname TEXT NOT NULL,"
	"  mac TEXT,"
	"  state TEXT NOT NULL,"	/* reachable, stale, permanent, ... */
	"  proxy INTEGER NOT NULL DEFAULT 0,"	/* answered by us */
	"  pinned INTEGER NOT NULL DEFAULT 0,"
	"  updated INTEGER NOT NULL,"
	"  PRIMARY KEY (ifname, address)"
	");"
	"CREATE INDEX neighbours_mac ON neighbours(mac);"
	/* Owner: natd.  Mirror of the kernel conntrack table. */
	"CREATE TABLE conntrack ("
	"  key INTEGER PRIMARY KEY,"		/* natd's number for the flow */
	"  ct_id INTEGER NOT NULL,"		/* kernel id, may be reused */
	"  family INTEGER NOT NULL,"		/* 4 or 6 */
	"  proto TEXT NOT NULL,"		/* tcp, udp, icmp, ... */
	"  orig_src TEXT NOT NULL,"
	"  orig_sport INTEGER NOT NULL,"
	"  orig_dst TEXT NOT NULL,"
	"  orig_dport INTEGER NOT NULL,"
	"  reply_src TEXT NOT NULL,"
	"  reply_sport INTEGER NOT NULL,"
	"  reply_dst TEXT NOT NULL,"
	"  reply_dport INTEGER NOT NULL,"
	"  tcp_state TEXT,"			/* NULL unless tcp */
	"  status INTEGER NOT NULL,"		/* IPS_* bits */
	"  timeout INTEGER NOT NULL,"		/* seconds left at last_seen */
	"  orig_packets INTEGER NOT NULL DEFAULT 0,"
	"  orig_bytes INTEGER NOT NULL DEFAULT 0,"
	"  reply_packets INTEGER NOT NULL DEFAULT 0,"
	"  reply_bytes INTEGER NOT NULL DEFAULT 0,"
	"  lan_addr TEXT,"			/* the LAN side, if any */
	"  lan_host TEXT,"			/* host table name, if any */
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL"
	");"
	/* Its index conntrack_lan is dropped again by migration 2. */
	"CREATE INDEX conntrack_lan ON conntrack(lan_addr);"
	/* Owner: dnsd.  Health and figures of each upstream. */
	"CREATE TABLE dns_upstreams ("
	"  address TEXT PRIMARY KEY,"		/* "9.9.9.9:53" */
	"  position INTEGER NOT NULL,"		/* order in the config */
	"  state TEXT NOT NULL,"		/* up, down, unknown */
	"  queries INTEGER NOT NULL DEFAULT 0,"
	"  answers INTEGER NOT NULL DEFAULT 0,"
	"  timeouts INTEGER NOT NULL DEFAULT 0,"
	"  latency_ms REAL,"			/* moving average */
	"  last_ok INTEGER,"
	"  updated INTEGER NOT NULL"
	");",
	/*
	 * 1 -> 2: no index on conntrack.  Every reader's filter ORs
	 * lan_addr with unindexed columns, so SQLite scanned the table
	 * anyway, while natd paid for conntrack_lan on each new flow (a
	 * third of an insert).
	 */
	"DROP INDEX IF EXISTS conntrack_lan;",
	/*
	 * 2 -> 3: the query log lives here, on tmpfs, where a row costs no
	 * SD-card write; homegw.db keeps it packed (dns_log_batch).  Owner:
	 * dnsd.  id numbers queries in order across restarts and reboots
	 * (dnsd carries it on from homegw.db), so a reader's cursor stays
	 * good.  Indexes serve the readers: a client's recent queries
	 * (host page), the time windows and the pruning, and the DNS
	 * page's top names and sources, which without a covering index
	 * would sort the whole window in a temporary file.
	 */
	"CREATE TABLE dns_log ("
	"  id INTEGER PRIMARY KEY,"
	"  time_ms INTEGER NOT NULL,"
	"  client TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  qtype INTEGER NOT NULL,"
	"  rcode INTEGER NOT NULL,"
	"  source TEXT NOT NULL,"	/* cache, local, upstream, stale, error */
	"  upstream TEXT,"
	"  latency_us INTEGER NOT NULL"
	");"
	"CREATE INDEX dns_log_time ON dns_log(time_ms);"
	"CREATE INDEX dns_log_client ON dns_log(client);"
	"CREATE INDEX dns_log_name ON dns_log(name, time_ms);"
	"CREATE INDEX dns_log_source ON dns_log(source, time_ms);",
	/*
	 * [block] (issue 15), owner dnsd: which list blocked a query ("own"
	 * for the owner's entries; NULL when not blocked; source is then
	 * "blocked"), and each blocklist as dnsd last loaded it.
	 */
	"ALTER TABLE dns_log ADD COLUMN blocked_by TEXT;"
	"CREATE TABLE blocklists ("
	"  name TEXT PRIMARY KEY,"
	"  source TEXT,"		/* path or URL; own: its file */
	"  enabled INTEGER,"
	"  groups TEXT,"		/* comma-separated; "" = every group */
	"  entries INTEGER,"		/* after duplicates went */
	"  skipped INTEGER,"		/* lines not used */
	"  loaded INTEGER,"		/* epoch seconds */
	"  error TEXT"
	");",
};
const int schema_live_count = sizeof(schema_live) / sizeof(schema_live[0]);

/* homegw.db: on the SD card, written rarely and in batches. */
const char *const schema_persist[] = {
	/* 0 -> 1 */
	/* Owner: every daemon appends its own events; only it prunes them. */
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time INTEGER NOT NULL,"
	"  daemon TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"		/* conflict, new_station, changed_mac, */
	"  address TEXT,"		/* flip_flop, bogon, reserved, storm ... */
	"  mac_old TEXT,"
	"  mac_new TEXT,"
	"  detail TEXT"
	");"
	"CREATE INDEX events_time ON events(time);"
	"CREATE INDEX events_address ON events(address);"
	/* Owner: arpd.  Station history: one row per (mac, address) pair. */
	"CREATE TABLE stations ("
	"  mac TEXT NOT NULL,"
	"  address TEXT NOT NULL,"
	"  ifname TEXT NOT NULL,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  PRIMARY KEY (mac, address)"
	");"
	"CREATE INDEX stations_address ON stations(address);"
	"CREATE INDEX stations_last ON stations(last_seen);"
	/* Owner: dnsd.  The bounded query log. */
	"CREATE TABLE dns_log ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time_ms INTEGER NOT NULL,"
	"  client TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  qtype INTEGER NOT NULL,"
	"  rcode INTEGER NOT NULL,"
	"  source TEXT NOT NULL,"	/* cache, local, upstream, stale, error */
	"  upstream TEXT,"
	"  latency_us INTEGER NOT NULL"
	");"
	"CREATE INDEX dns_log_time ON dns_log(time_ms);"
	"CREATE INDEX dns_log_client ON dns_log(client);"
	"CREATE INDEX dns_log_name ON dns_log(name);"
	/* Owner: dnsd.  Counters per interval, for the charts. */
	"CREATE TABLE dns_history ("
	"  time INTEGER PRIMARY KEY,"	/* start of the interval */
	"  queries INTEGER NOT NULL,"
	"  cache_hits INTEGER NOT NULL,"
	"  upstream INTEGER NOT NULL,"
	"  servfail INTEGER NOT NULL"
	");"
	/* Owner: natd.  Traffic per LAN host per interval; host '*' = total. */
	"CREATE TABLE traffic_history ("
	"  time INTEGER NOT NULL,"	/* start of the interval */
	"  host TEXT NOT NULL,"		/* LAN address, or '*' */
	"  bytes_out INTEGER NOT NULL,"	/* LAN -> WAN */
	"  bytes_in INTEGER NOT NULL,"
	"  packets INTEGER NOT NULL,"
	"  connections INTEGER NOT NULL,"	/* open at the end */
	"  PRIMARY KEY (time, host)"
	");"
	"CREATE INDEX traffic_history_host ON traffic_history(host, time);",
	/*
	 * 1 -> 2: the query log's rows moved to live.db; here it is kept
	 * as batches, each a blob of consecutive rows packed by dnsd
	 * (daemons/dnsd/logpack.c), written every [dns] query_log_interval.
	 * Owner: dnsd.  Rows of the old dns_log are moved into live.db and
	 * out of this file by dnsd at its first start.
	 */
	"CREATE TABLE dns_log_batch ("
	"  id INTEGER PRIMARY KEY,"
	"  first_id INTEGER NOT NULL,"	/* live.db dns_log id of row 0 */
	"  rows INTEGER NOT NULL,"
	"  time_first_ms INTEGER NOT NULL,"
	"  time_last_ms INTEGER NOT NULL,"
	"  data BLOB NOT NULL"
	");",
	/*
	 * [block] (issue 15), owner dnsd: queries answered from a blocklist
	 * in each minute.
	 */
	"ALTER TABLE dns_history ADD COLUMN blocked INTEGER NOT NULL "
	"DEFAULT 0;",
};
const int schema_persist_count =
    sizeof(schema_persist) / sizeof(schema_persist[0]);
