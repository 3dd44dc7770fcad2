#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# bench/sdcard/ftl-like.py: a stand-in for Pi-hole FTL's query database,
# for bench/sdcard/run (Pi-hole is not packaged for Debian).  It is not
# FTL: it stores queries the way FTL's documentation and sources describe
# it, so that the card sees the same kind of writes.  Queries go into an
# in-memory SQLite database; every 60 s (FTL's default database interval)
# the disk database is ATTACHed and the rows added since the last copy go
# across in one INSERT ... SELECT, then it is DETACHed.  The disk database
# is in WAL mode with synchronous=NORMAL, keeps domains, clients and
# upstreams in linking tables of their own and indexes the query table by
# time, as FTL does; nothing is pruned (FTL keeps 91 days by default).
#
# usage: ftl-like.py prefill DB QUERIES N    N rows of the mix, last hour
#        ftl-like.py run DB QUERIES QPS SECONDS
import sqlite3
import sys
import time

INTERVAL = 60

SCHEMA = """
CREATE TABLE IF NOT EXISTS query_storage (
  id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL,
  type INTEGER NOT NULL, status INTEGER NOT NULL, domain INTEGER NOT NULL,
  client INTEGER NOT NULL, forward INTEGER, additional_info INTEGER,
  reply_type INTEGER, reply_time REAL, dnssec INTEGER, list_id INTEGER,
  ede INTEGER);
CREATE INDEX IF NOT EXISTS idx_queries_timestamps
  ON query_storage (timestamp);
CREATE TABLE IF NOT EXISTS domain_by_id (id INTEGER PRIMARY KEY,
  domain TEXT NOT NULL, UNIQUE (domain));
CREATE TABLE IF NOT EXISTS client_by_id (id INTEGER PRIMARY KEY,
  ip TEXT NOT NULL, name TEXT, UNIQUE (ip, name));
CREATE TABLE IF NOT EXISTS forward_by_id (id INTEGER PRIMARY KEY,
  forward TEXT NOT NULL, UNIQUE (forward));
"""


def load(path):
    mix = []
    with open(path) as f:
        for line in f:
            name, qtype = line.split()
            mix.append((name, 1 if qtype == "A" else 28))
    return mix


def open_disk(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(SCHEMA)
    return db


def memory_db():
    mem = sqlite3.connect(":memory:", isolation_level=None)
    mem.executescript(SCHEMA)
    return mem


def add(db, ts, name, qtype, client):
    # FTL resolves the strings to ids in its linking tables.
    db.execute("INSERT OR IGNORE INTO domain_by_id (domain) VALUES (?)",
               (name,))
    db.execute("INSERT OR IGNORE INTO client_by_id (ip, name) VALUES "
               "(?, '')", (client,))
    db.execute("INSERT INTO query_storage (timestamp, type, status, domain, "
               "client, forward, reply_type, reply_time, dnssec) SELECT ?, "
               "?, 3, (SELECT id FROM domain_by_id WHERE domain = ?), "
               "(SELECT id FROM client_by_id WHERE ip = ?), NULL, 4, "
               "0.00004, 0", (ts, qtype, name, client))


def prefill(path, mixpath, n):
    mix = load(mixpath)
    db = open_disk(path)
    now = time.time()
    db.execute("BEGIN")
    for i in range(n):
        name, qtype = mix[i % len(mix)]
        add(db, now - (n - i) * 0.036, name, qtype, "192.168.50.1%d" % (i % 2))
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def run(path, mixpath, qps, seconds):
    mix = load(mixpath)
    open_disk(path).close()
    mem = memory_db()
    last = 0
    copied = 0
    i = 0
    start = time.time()
    next_copy = start + INTERVAL
    while time.time() - start < seconds:
        t0 = time.time()
        mem.execute("BEGIN")
        for _ in range(qps):
            name, qtype = mix[i % len(mix)]
            add(mem, t0, name, qtype, "192.168.50.1%d" % (i % 2))
            i += 1
        mem.execute("COMMIT")
        if t0 >= next_copy:
            mem.execute("ATTACH ? AS disk", (path,))
            mem.execute("BEGIN")
            mem.execute("INSERT OR IGNORE INTO disk.domain_by_id (domain) "
                        "SELECT domain FROM main.domain_by_id")
            mem.execute("INSERT OR IGNORE INTO disk.client_by_id (ip, name) "
                        "SELECT ip, name FROM main.client_by_id")
            mem.execute("INSERT INTO disk.query_storage (timestamp, type, "
                        "status, domain, client, forward, reply_type, "
                        "reply_time, dnssec) SELECT q.timestamp, q.type, "
                        "q.status, (SELECT d.id FROM disk.domain_by_id d, "
                        "main.domain_by_id m WHERE m.id = q.domain AND "
                        "d.domain = m.domain), (SELECT c.id FROM "
                        "disk.client_by_id c, main.client_by_id m WHERE "
                        "m.id = q.client AND c.ip = m.ip), q.forward, "
                        "q.reply_type, q.reply_time, q.dnssec FROM "
                        "main.query_storage q WHERE q.id > ?", (last,))
            last = mem.execute("SELECT max(id) FROM main.query_storage"
                               ).fetchone()[0]
            mem.execute("COMMIT")
            mem.execute("DETACH disk")
            copied += 1
            next_copy += INTERVAL
            # FTL keeps a 24 h window in memory; an hour is plenty here.
            mem.execute("DELETE FROM query_storage WHERE timestamp < ?",
                        (t0 - 3600,))
        time.sleep(max(0.0, 1.0 - (time.time() - t0)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "prefill":
        prefill(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 6 and sys.argv[1] == "run":
        sys.exit(run(sys.argv[2], sys.argv[3], int(sys.argv[4]),
                     int(sys.argv[5])))
    else:
        sys.exit("usage: ftl-like.py prefill DB QUERIES N | "
                 "run DB QUERIES QPS SECONDS")
