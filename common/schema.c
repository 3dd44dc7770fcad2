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
	 * [fig] 3 -> 4: the DNS page's queries over time, one row a minute
	 * for the last 24 hours, from dnsd's counters (the query log may
	 * hold fewer rows than a day's queries).  Owner: dnsd; the current
	 * minute's row grows as it goes.  failed: SERVFAIL answers;
	 * blocked: answers the blocklists made.
	 */
	"CREATE TABLE dns_series ("
	"  time INTEGER PRIMARY KEY,"	/* start of the minute */
	"  queries INTEGER NOT NULL,"
	"  cache INTEGER NOT NULL,"
	"  misses INTEGER NOT NULL,"	/* cache misses: hit ratio */
	"  local INTEGER NOT NULL,"
	"  upstream INTEGER NOT NULL,"
	"  stale INTEGER NOT NULL,"
	"  failed INTEGER NOT NULL,"
	"  blocked INTEGER NOT NULL DEFAULT 0"
	");",
	/*
	 * [health] The gateway's own health and its interfaces, sampled
	 * by addrd every 10 s, and the owner's friendly name of a host.
	 * Owner of every table and column here: addrd.  health has one
	 * row (id 1); a figure the hardware does not report is NULL.
	 * iface_history keeps each interface's rates at the sample step
	 * for the last hour (the overview's live WAN chart).
	 */
	"ALTER TABLE hosts ADD COLUMN label TEXT;"
	"CREATE TABLE health ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  updated INTEGER NOT NULL,"
	"  uptime_s REAL,"
	"  load1 REAL,"
	"  load5 REAL,"
	"  load15 REAL,"
	"  cpu_busy_pct REAL,"		/* over the last sample step */
	"  cpus INTEGER,"
	"  mem_total INTEGER,"		/* bytes */
	"  mem_available INTEGER,"
	"  temp_c REAL,"		/* the hottest thermal zone */
	"  temp_sensor TEXT,"		/* its type, "cpu-thermal" */
	"  throttled INTEGER,"		/* Raspberry Pi firmware bits */
	"  throttled_text TEXT,"	/* the bits in words, "" = none */
	"  disk_total INTEGER,"		/* state_dir's file system, bytes */
	"  disk_free INTEGER,"
	"  disk_device TEXT,"		/* its block device, NULL unknown */
	"  disk_written INTEGER,"	/* bytes since boot on that device */
	"  disk_written_hour INTEGER"	/* bytes per hour, recent rate */
	");"
	"CREATE TABLE thermal ("
	"  zone TEXT PRIMARY KEY,"
	"  type TEXT NOT NULL,"
	"  celsius REAL NOT NULL,"
	"  updated INTEGER NOT NULL"
	");"
	"CREATE TABLE interfaces ("
	"  name TEXT PRIMARY KEY,"
	"  role TEXT,"			/* lan, wan or NULL */
	"  operstate TEXT NOT NULL,"	/* up, down, dormant, unknown ... */
	"  carrier INTEGER,"		/* NULL when the kernel won't say */
	"  speed_mbps INTEGER,"		/* NULL for virtual links */
	"  mtu INTEGER,"
	"  mac TEXT,"
	"  addresses TEXT,"		/* "a/plen" separated by ", " */
	"  rx_bytes INTEGER,"
	"  tx_bytes INTEGER,"
	"  rx_packets INTEGER,"
	"  tx_packets INTEGER,"
	"  rx_errors INTEGER,"
	"  tx_errors INTEGER,"
	"  rx_dropped INTEGER,"
	"  tx_dropped INTEGER,"
	"  rx_bps REAL,"		/* bit/s over the last sample step */
	"  tx_bps REAL,"
	"  updated INTEGER NOT NULL"
	");"
	/*
	 * Every interface's IPv4 neighbours (unicast, with a MAC) and
	 * when each was last active: the newer of the kernel's confirmed
	 * and used times (NDA_CACHEINFO) in active, the last traffic
	 * natd saw for the address in traffic.  router: the default
	 * route's gateway (on the WAN side: the upstream router).
	 */
	"CREATE TABLE neighbour_activity ("
	"  ifname TEXT NOT NULL,"
	"  address TEXT NOT NULL,"
	"  mac TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  router INTEGER NOT NULL DEFAULT 0,"
	"  active INTEGER,"
	"  traffic INTEGER,"
	"  updated INTEGER NOT NULL,"
	"  PRIMARY KEY (ifname, address)"
	");"
	"CREATE TABLE iface_history ("
	"  name TEXT NOT NULL,"
	"  time INTEGER NOT NULL,"	/* end of the sample step */
	"  rx_bps REAL NOT NULL,"
	"  tx_bps REAL NOT NULL,"
	"  PRIMARY KEY (name, time)"
	");",
	/*
	 * [journey] the names behind addresses.  Owner: dnsd.  For each
	 * client, every address its answers carried (A and AAAA, through
	 * CNAME chains) and the name the client asked for; the newest
	 * answer wins.  expires is when the answer's TTL ran out: dnsd
	 * keeps a row an hour past it, so a long connection keeps its name,
	 * and at most 20,000 rows, evicting the oldest expiry
	 * first (dns_names_expires).  Readers look rows up by the primary
	 * key, one flow at a time.
	 */
	"CREATE TABLE dns_names ("
	"  client TEXT NOT NULL,"
	"  address TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  PRIMARY KEY (client, address)"
	") WITHOUT ROWID;"
	"CREATE INDEX dns_names_expires ON dns_names(expires);",
	/*
	 * [rates] Owner: natd.  Current rates: each flow's bytes per second
	 * each way over natd's last two samples of its counters (0 until it
	 * has two), and whether the flow is the gateway's own (from or to
	 * one of its addresses, not translated).  host_rates_now holds each
	 * LAN host's sum of its flows' rates; host_rates the same per host
	 * as an average over each 10 s step of the last hour (no row for a
	 * step without traffic), for the sparklines and the host page.
	 */
	"ALTER TABLE conntrack ADD COLUMN rate_orig REAL NOT NULL DEFAULT 0;"
	"ALTER TABLE conntrack ADD COLUMN rate_reply REAL NOT NULL DEFAULT 0;"
	"ALTER TABLE conntrack ADD COLUMN gateway INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE host_rates_now ("
	"  host TEXT PRIMARY KEY,"		/* LAN address */
	"  rate_out REAL NOT NULL,"		/* bytes/s, LAN -> WAN */
	"  rate_in REAL NOT NULL,"
	"  flows INTEGER NOT NULL,"		/* open now */
	"  updated INTEGER NOT NULL"
	");"
	"CREATE TABLE host_rates ("
	"  time INTEGER NOT NULL,"		/* start of the 10 s step */
	"  host TEXT NOT NULL,"			/* LAN address */
	"  rate_out REAL NOT NULL,"		/* bytes/s, average */
	"  rate_in REAL NOT NULL,"
	"  PRIMARY KEY (host, time)"
	") WITHOUT ROWID;"
	"CREATE INDEX host_rates_time ON host_rates(time);",
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
	 * [trace] Traces of one host and what each daemon saw of it.
	 * Owner of traces: the starter (homegwctl or webd) inserts a row;
	 * whoever starts a trace also prunes finished ones (common/trace.c).
	 * Owner of trace_events: arpd, dnsd and natd, each appending its
	 * own rows while a trace of that host runs (until_ms in the
	 * future).  data is a JSON object of the event's fields.
	 */
	"CREATE TABLE traces ("
	"  id INTEGER PRIMARY KEY,"
	"  host TEXT NOT NULL,"		/* as asked */
	"  name TEXT,"			/* host table name, if any */
	"  mac TEXT,"
	"  addrs TEXT NOT NULL,"	/* comma-separated IPv4 and IPv6 */
	"  started_ms INTEGER NOT NULL,"
	"  until_ms INTEGER NOT NULL,"
	"  by TEXT NOT NULL"		/* homegwctl or webd */
	");"
	"CREATE INDEX traces_until ON traces(until_ms);"
	"CREATE TABLE trace_events ("
	"  id INTEGER PRIMARY KEY,"
	"  trace INTEGER NOT NULL,"
	"  t_ms INTEGER NOT NULL,"
	"  daemon TEXT NOT NULL,"
	"  layer TEXT NOT NULL,"	/* arp dns tcp udp icmp */
	"  event TEXT NOT NULL,"
	"  flow TEXT,"			/* one connection's key */
	"  data TEXT NOT NULL"		/* JSON object of the fields */
	");"
	"CREATE INDEX trace_events_trace ON trace_events(trace, id);",
	/*
	 * [block] (issue 15), owner dnsd: queries answered from a blocklist
	 * in each minute.
	 */
	"ALTER TABLE dns_history ADD COLUMN blocked INTEGER NOT NULL "
	"DEFAULT 0;",
};
const int schema_persist_count =
    sizeof(schema_persist) / sizeof(schema_persist[0]);
