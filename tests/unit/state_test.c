/*
 * SPDX-License-Identifier: ISC
 *
 * state_test.c: tests of state.c against real SQLite files in a private
 * temporary directory: open and migrate, refusing newer schemas, the
 * batched writer on a real event loop (including a locked database),
 * readers beside a writer in another process, a writer killed with
 * SIGKILL in the middle of its batches, and retention.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "conf.h"
#include "schema.h"
#include "state.h"
#include "../tap.h"

static char	 tmpdir[64];

static const char *
tmp_path(const char *name)
{
	static char	 buf[4][256];
	static int	 n;

	n = (n + 1) % 4;
	snprintf(buf[n], sizeof(buf[n]), "%s/%s", tmpdir, name);
	return (buf[n]);
}

/* The first column of the first row of sql, as an integer (-1 on error). */
static int64_t
query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		TAP_NOTE("prepare %s: %s", sql, sqlite3_errmsg(db));
		return (-1);
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (v);
}

/* The first column of the first row of sql, as text (static buffer). */
static const char *
query_text(sqlite3 *db, const char *sql)
{
	static char	 buf[256];
	sqlite3_stmt	*st;
	const char	*t;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return ("(prepare failed)");
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (t = (const char *)sqlite3_column_text(st, 0)) != NULL)
		snprintf(buf, sizeof(buf), "%s", t);
	sqlite3_finalize(st);
	return (buf);
}

static int
table_exists(sqlite3 *db, const char *name)
{
	char	 sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name = '%s'", name);
	return (query_int(db, sql) == 1);
}

/* How many CREATE TABLE statements a migration list holds. */
static int
count_creates(const char *const *m, int n)
{
	const char	*p;
	int		 i, c = 0;

	for (i = 0; i < n; i++)
		for (p = m[i]; (p = strstr(p, "CREATE TABLE")) != NULL; p++)
			c++;
	return (c);
}

static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return (remove(path));
}

/* Open and migrate both real schemas; every table is there. */
static void
test_open_real(void)
{
	static const char *live_tables[] = { "daemons", "metrics", "hosts",
	    "addresses", "neighbours", "conntrack", "dns_upstreams" };
	static const char *persist_tables[] = { "events", "stations",
	    "dns_log", "dns_history", "traffic_history" };
	const char	*path;
	sqlite3		*db;
	struct stat	 sb;
	mode_t		 mask;
	size_t		 i;

	path = tmp_path("live.db");
	CHECK(state_open(path, HGW_DB_LIVE, 0, &db) == 0);
	CHECK(query_int(db, "PRAGMA user_version") == schema_live_count);
	CHECK(state_schema_version(HGW_DB_LIVE) == schema_live_count);
	CHECK_STREQ(query_text(db, "PRAGMA journal_mode"), "wal");
	CHECK(query_int(db, "PRAGMA synchronous") == 0);	/* OFF */
	CHECK(query_int(db, "PRAGMA foreign_keys") == 1);
	CHECK(query_int(db, "PRAGMA busy_timeout") == STATE_BUSY_TIMEOUT_MS);
	CHECK(query_int(db, "PRAGMA journal_size_limit") > 0);
	for (i = 0; i < sizeof(live_tables) / sizeof(live_tables[0]); i++)
		CHECK_MSG(table_exists(db, live_tables[i]), live_tables[i]);
	CHECK(query_int(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name NOT LIKE 'sqlite_%'") ==
	    count_creates(schema_live, schema_live_count));
	state_close(db);

	/* A new file is 0660 less the umask, for the shared group. */
	mask = umask(0);
	umask(mask);
	CHECK(stat(path, &sb) == 0 &&
	    (sb.st_mode & 0777) == (0660 & ~mask));

	/* Reopening a current database changes nothing. */
	CHECK(state_open(path, HGW_DB_LIVE, 0, &db) == 0);
	CHECK(query_int(db, "PRAGMA user_version") == schema_live_count);
	state_close(db);

	path = tmp_path("homegw.db");
	CHECK(state_open(path, HGW_DB_PERSIST, 0, &db) == 0);
	CHECK(query_int(db, "PRAGMA user_version") == schema_persist_count);
	CHECK(query_int(db, "PRAGMA synchronous") == 1);	/* NORMAL */
	for (i = 0; i < sizeof(persist_tables) / sizeof(persist_tables[0]);
	    i++)
		CHECK_MSG(table_exists(db, persist_tables[i]),
		    persist_tables[i]);
	CHECK(query_int(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name NOT LIKE 'sqlite_%'") ==
	    count_creates(schema_persist, schema_persist_count));
	state_close(db);

	/* An existing empty version-0 database is migrated too. */
	path = tmp_path("empty.db");
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "PRAGMA user_version = 0", NULL, NULL, NULL)
	    == SQLITE_OK);
	sqlite3_close(db);
	CHECK(state_open(path, HGW_DB_PERSIST, 0, &db) == 0);
	CHECK(table_exists(db, "events"));
	state_close(db);
}

/*
 * Daemons starting at once on a new file: every one opens it, and the
 * schema is applied exactly once (a second run would fail on CREATE
 * TABLE of an existing table).
 */
#define RACE_PROCS	6

static void
test_open_race(void)
{
	char		 path[256];
	pid_t		 pids[RACE_PROCS];
	sqlite3		*db;
	char		 go = 'g';
	int		 barrier[2], i, ok = 0, status = 0, r;

	/* Our own copy: tmp_path() reuses its buffers. */
	snprintf(path, sizeof(path), "%s", tmp_path("race.db"));
	if (pipe(barrier) == -1) {
		CHECK(0);
		return;
	}
	fflush(stdout);
	for (i = 0; i < RACE_PROCS; i++) {
		if ((pids[i] = fork()) == 0) {
			close(barrier[1]);
			/* Wait until every sibling exists, then go. */
			if (read(barrier[0], &go, 1) != 0)
				_exit(9);
			if ((r = state_open(path, HGW_DB_LIVE, 0, &db)) != 0)
				_exit(-r);
			if (state_heartbeat(db, "racer", getpid(), 0, NULL)
			    != 0)
				_exit(2);
			state_close(db);
			_exit(0);
		}
	}
	close(barrier[0]);
	close(barrier[1]);	/* EOF releases every child at once */
	for (i = 0; i < RACE_PROCS; i++) {
		if (pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ok++;
		else
			TAP_NOTE("opener %d: status 0x%x", i, status);
	}
	CHECK(ok == RACE_PROCS);
	/* No private build file is left behind. */
	for (i = 0, r = 0; i < RACE_PROCS; i++) {
		char	 tmp[64];

		snprintf(tmp, sizeof(tmp), "race.db.new.%ld", (long)pids[i]);
		if (access(tmp_path(tmp), F_OK) == 0)
			r++;
	}
	CHECK(r == 0);
	CHECK(state_open(path, HGW_DB_LIVE, 1, &db) == 0);
	CHECK(query_int(db, "PRAGMA user_version") == schema_live_count);
	CHECK(query_int(db, "SELECT count(*) FROM daemons") == 1);
	state_close(db);
}

/* A three-step migration list for the multi-step tests. */
static const char *const test_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT NOT NULL);",
	/* 1 -> 2 */
	"ALTER TABLE a ADD COLUMN y INTEGER NOT NULL DEFAULT 7;"
	"CREATE TABLE b (z TEXT);",
	/* 2 -> 3 */
	"CREATE INDEX a_y ON a(y);"
	"INSERT INTO b (z) SELECT x FROM a;",
};

static const char *const bad_migrations[] = {
	"CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT NOT NULL);",
	"ALTER TABLE a ADD COLUMN y INTEGER NOT NULL DEFAULT 7;"
	"CREATE TABLE b (z TEXT);",
	"CREATE INDEX a_y ON a(y); THIS IS NOT SQL;",
};

/* An older database is migrated step by step and keeps its data. */
static void
test_migrate(void)
{
	const char	*path = tmp_path("mig.db");
	sqlite3		*db;

	CHECK(state_open_schema(path, HGW_DB_PERSIST, 0, test_migrations, 1,
	    &db) == 0);
	CHECK(query_int(db, "PRAGMA user_version") == 1);
	CHECK(state_exec(db, "INSERT INTO a (x) VALUES ('one'), ('two')")
	    == 0);
	state_close(db);

	/* A failing step rolls the whole upgrade back. */
	CHECK(state_open_schema(path, HGW_DB_PERSIST, 0, bad_migrations, 3,
	    &db) == -EIO);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(query_int(db, "PRAGMA user_version") == 1);
	CHECK(!table_exists(db, "b"));
	CHECK(query_int(db, "SELECT count(*) FROM a") == 2);
	sqlite3_close(db);

	/* A reader refuses the older version without touching it. */
	CHECK(state_open_schema(path, HGW_DB_PERSIST, 1, test_migrations, 3,
	    &db) == -EPROTO);

	CHECK(state_open_schema(path, HGW_DB_PERSIST, 0, test_migrations, 3,
	    &db) == 0);
	CHECK(query_int(db, "PRAGMA user_version") == 3);
	CHECK(query_int(db, "SELECT count(*) FROM a") == 2);
	CHECK(query_int(db, "SELECT sum(y) FROM a") == 14);
	CHECK(query_int(db, "SELECT count(*) FROM b") == 2);
	CHECK(query_int(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'index' AND name = 'a_y'") == 1);
	state_close(db);

	/* Now readers accept it. */
	CHECK(state_open_schema(path, HGW_DB_PERSIST, 1, test_migrations, 3,
	    &db) == 0);
	CHECK(query_int(db, "SELECT count(*) FROM b") == 2);
	/* ...and cannot write. */
	CHECK(state_exec(db, "INSERT INTO b (z) VALUES ('w')") < 0);
	state_close(db);
}

/* A schema newer than the code is refused, read-write and read-only. */
static void
test_newer(void)
{
	const char	*path = tmp_path("newer.db");
	sqlite3		*db;
	char		 sql[64];

	CHECK(state_open(path, HGW_DB_LIVE, 0, &db) == 0);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    schema_live_count + 1);
	CHECK(state_exec(db, sql) == 0);
	state_close(db);
	db = NULL;
	CHECK(state_open(path, HGW_DB_LIVE, 0, &db) == -EPROTO);
	CHECK(db == NULL);
	CHECK(state_open(path, HGW_DB_LIVE, 1, &db) == -EPROTO);
	CHECK(state_open(tmp_path("missing.db"), HGW_DB_LIVE, 1, &db) ==
	    -ENOENT);
	CHECK(access(tmp_path("missing.db"), F_OK) == -1);
	/* The version is left alone. */
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(query_int(db, "PRAGMA user_version") == schema_live_count + 1);
	sqlite3_close(db);
}

/* state_open_conf() makes the directories and opens both files. */
static void
test_open_conf(void)
{
	struct hgw_conf	 conf;
	sqlite3		*live = NULL, *persist = NULL;
	struct stat	 sb;

	memset(&conf, 0, sizeof(conf));
	snprintf(conf.gateway.run_dir, sizeof(conf.gateway.run_dir),
	    "%s/run/homegw", tmpdir);
	snprintf(conf.gateway.state_dir, sizeof(conf.gateway.state_dir),
	    "%s/lib/homegw", tmpdir);
	/* Read-only creates nothing. */
	CHECK(state_open_conf(&conf, 1, &live, &persist) == -ENOENT);
	CHECK(live == NULL && persist == NULL);
	CHECK(state_open_conf(&conf, 0, &live, &persist) == 0);
	CHECK(live != NULL && persist != NULL);
	CHECK(table_exists(live, "conntrack"));
	CHECK(table_exists(persist, "dns_log"));
	CHECK(stat(conf.gateway.run_dir, &sb) == 0 &&
	    (sb.st_mode & 0777) == 0770);
	CHECK(stat(conf.gateway.state_dir, &sb) == 0 &&
	    (sb.st_mode & 0777) == 0770);
	state_close(live);
	state_close(persist);
	live = persist = NULL;
	CHECK(state_open_conf(&conf, 1, &live, NULL) == 0);
	CHECK(live != NULL);
	state_close(live);
}

/*
 * A module may finalize its statements after the handle is closed: the
 * connection lives on until then, and closes for real after.
 */
static void
test_close_order(void)
{
	char		 path[256], wal[300];
	sqlite3		*db;
	sqlite3_stmt	*st;

	snprintf(path, sizeof(path), "%s", tmp_path("close.db"));
	snprintf(wal, sizeof(wal), "%s-wal", path);
	CHECK(state_open(path, HGW_DB_LIVE, 0, &db) == 0);
	st = state_prepare(db, "SELECT count(*) FROM daemons");
	CHECK(st != NULL);
	CHECK(access(wal, F_OK) == 0);
	state_close(db);
	/* Still usable until finalized. */
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK(sqlite3_column_int(st, 0) == 0);
	sqlite3_finalize(st);
	/* The last connection went away: SQLite removed the WAL. */
	CHECK(access(wal, F_OK) == -1);
}

/* Heartbeat, metrics and events. */
static void
test_rows(void)
{
	sqlite3		*live, *persist;

	CHECK(state_open(tmp_path("rows-live.db"), HGW_DB_LIVE, 0, &live) ==
	    0);
	CHECK(state_open(tmp_path("rows.db"), HGW_DB_PERSIST, 0, &persist) ==
	    0);
	CHECK(state_heartbeat(live, "dnsd", 123, 1000, "starting") == 0);
	CHECK(state_heartbeat(live, "dnsd", 124, 1001, "ok") == 0);
	CHECK(state_heartbeat(live, "natd", 200, 1000, NULL) == 0);
	CHECK(query_int(live, "SELECT count(*) FROM daemons") == 2);
	CHECK(query_int(live, "SELECT pid FROM daemons WHERE name = 'dnsd'")
	    == 124);
	CHECK_STREQ(query_text(live, "SELECT status FROM daemons "
	    "WHERE name = 'dnsd'"), "ok");
	CHECK(query_int(live, "SELECT abs(heartbeat - strftime('%s','now')) "
	    "< 60 FROM daemons WHERE name = 'dnsd'") == 1);
	CHECK(state_heartbeat_clear(live, "dnsd") == 0);
	CHECK(query_int(live, "SELECT count(*) FROM daemons") == 1);

	CHECK(state_metric_set(live, "dnsd", "queries", 1) == 0);
	CHECK(state_metric_set(live, "dnsd", "queries", 42.5) == 0);
	CHECK(state_metric_set(live, "arpd", "queries", 3) == 0);
	CHECK(query_int(live, "SELECT count(*) FROM metrics") == 2);
	CHECK(query_int(live, "SELECT value * 2 FROM metrics WHERE "
	    "daemon = 'dnsd' AND name = 'queries'") == 85);

	CHECK(state_event_add(persist, "arpd", "conflict", "192.168.1.10",
	    "02:00:00:00:00:01", "02:00:00:00:00:02", "it's \"quoted\"") == 0);
	CHECK(state_event_add(persist, "addrd", "probe", NULL, NULL, NULL,
	    NULL) == 0);
	CHECK(state_event_add(persist, NULL, "x", NULL, NULL, NULL, NULL) ==
	    -EINVAL);
	CHECK(query_int(persist, "SELECT count(*) FROM events") == 2);
	CHECK_STREQ(query_text(persist, "SELECT detail FROM events WHERE "
	    "kind = 'conflict'"), "it's \"quoted\"");
	CHECK(query_int(persist, "SELECT count(*) FROM events WHERE "
	    "address IS NULL AND daemon = 'addrd'") == 1);
	state_close(live);
	state_close(persist);
}

/*
 * The batched writer.  Rows queue in memory; flush_cb writes every row
 * not yet committed and the commit hook advances the committed mark, so
 * a failed flush loses nothing and a retry duplicates nothing (the
 * primary key would make a duplicate fail the flush).
 */
#define QUEUE_MAX	4096

struct queue {
	int		 rows[QUEUE_MAX];
	int		 n;		/* queued */
	int		 committed;	/* rows[0 .. committed) are stored */
	int		 calls;		/* flush_cb runs */
	int		 commits;
	int		 fail_next;	/* make the next flush_cb fail */
	int		 last_batch;	/* rows written by the last flush_cb */
};

static int
queue_flush_cb(sqlite3 *db, void *arg)
{
	struct queue	*q = arg;
	sqlite3_stmt	*st;
	int		 i, rc = SQLITE_DONE;

	q->calls++;
	if (sqlite3_prepare_v2(db, "INSERT INTO a (id, x) VALUES (?1, 'q')",
	    -1, &st, NULL) != SQLITE_OK)
		return (-EIO);
	for (i = q->committed; i < q->n; i++) {
		sqlite3_bind_int(st, 1, q->rows[i]);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			break;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return (-EIO);
	q->last_batch = q->n - q->committed;
	if (q->fail_next) {
		q->fail_next = 0;
		return (-EIO);
	}
	return (0);
}

static void
queue_done_cb(void *arg)
{
	struct queue	*q = arg;

	q->committed += q->last_batch;
	q->commits++;
}

static void
queue_add(struct queue *q, struct state_writer *w, int n)
{
	while (n-- > 0 && q->n < QUEUE_MAX) {
		q->rows[q->n] = q->n + 1;
		q->n++;
		state_writer_dirty(w);
	}
}

struct busy_ctx {
	sqlite3			*other;	/* holds the write lock */
	struct state_writer	*w;
	int			 released;
	unsigned int		 failures_seen;
	int64_t			 rows_while_locked;
};

/* Release the lock once the writer has failed twice on it. */
static void
release_cb(int fd, short ev, void *arg)
{
	struct busy_ctx	*b = arg;

	if (b->released || state_writer_failures(b->w) < 2)
		return;
	b->failures_seen = state_writer_failures(b->w);
	b->rows_while_locked = query_int(b->other, "SELECT count(*) FROM a");
	(void)state_exec(b->other, "COMMIT");
	b->released = 1;
}

static void
run_loop(struct event_base *base, int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

/* Run the loop until *committed reaches want, at most about 20 s. */
static void
run_until(struct event_base *base, const int *committed, int want)
{
	int	 i;

	for (i = 0; i < 400 && *committed < want; i++)
		run_loop(base, 50);
}

static void
test_writer(void)
{
	const char		*path = tmp_path("writer.db");
	struct event_base	*base;
	struct state_writer	*w;
	struct queue		*q;
	struct busy_ctx		 b;
	struct event		*ev;
	struct timeval		 tv;
	sqlite3			*db, *other;
	struct stat		 sb;
	int			 i, fails;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return;
	base = event_base_new();
	CHECK(state_open_schema(path, HGW_DB_LIVE, 0, test_migrations, 1,
	    &db) == 0);
	CHECK(state_open_schema(path, HGW_DB_LIVE, 0, test_migrations, 1,
	    &other) == 0);
	w = state_writer_new(base, db, 50, queue_flush_cb, q);
	CHECK(w != NULL);
	state_writer_on_commit(w, queue_done_cb);

	/* Many changes, one transaction, on the timer. */
	queue_add(q, w, 1000);
	CHECK(query_int(other, "SELECT count(*) FROM a") == 0);
	run_until(base, &q->committed, 1000);
	CHECK(q->calls == 1);
	CHECK(q->commits == 1);
	CHECK(q->committed == 1000);
	CHECK(query_int(other, "SELECT count(*) FROM a") == 1000);
	CHECK(state_writer_failures(w) == 0);

	/* Nothing dirty: the timer stays quiet. */
	run_loop(base, 150);
	CHECK(q->calls == 1);

	/* A failing flush_cb rolls back and the next tick retries. */
	q->fail_next = 1;
	queue_add(q, w, 10);
	run_until(base, &q->committed, 1010);
	CHECK(q->calls == 3);
	CHECK(q->commits == 2);
	CHECK(q->committed == 1010);
	CHECK(query_int(other, "SELECT count(*) FROM a") == 1010);

	/*
	 * Busy: another connection holds the write lock over several ticks.
	 * A short busy timeout keeps the test quick; the writer's behaviour
	 * is the same with the real one.
	 */
	sqlite3_busy_timeout(db, 20);
	CHECK(state_begin(other) == 0);
	CHECK(state_exec(other, "INSERT INTO a (id, x) VALUES (100000, 'o')")
	    == 0);
	/* state_begin() gives up with -EBUSY while the lock is held. */
	CHECK(state_begin(db) == -EBUSY);
	memset(&b, 0, sizeof(b));
	b.other = other;
	b.w = w;
	ev = event_new(base, -1, EV_PERSIST, release_cb, &b);
	tv.tv_sec = 0;
	tv.tv_usec = 20 * 1000;
	evtimer_add(ev, &tv);
	queue_add(q, w, 500);
	run_until(base, &q->committed, 1510);
	CHECK(b.released);
	CHECK(b.failures_seen >= 2);
	CHECK(b.rows_while_locked == 1011);	/* the writer got nowhere */
	CHECK(state_writer_failures(w) == 0);
	CHECK(q->committed == 1510);
	CHECK(query_int(other, "SELECT count(*) FROM a") == 1511);
	CHECK(query_int(other, "SELECT count(*) FROM a WHERE id <= 1510")
	    == 1510);
	event_free(ev);
	sqlite3_busy_timeout(db, STATE_BUSY_TIMEOUT_MS);

	/* The final flush writes what is pending without the loop. */
	queue_add(q, w, 5);
	CHECK(state_writer_flush(w) == 0);
	CHECK(q->committed == 1515);
	CHECK(state_writer_flush(w) == 0);	/* nothing to do */
	CHECK(query_int(other, "SELECT count(*) FROM a WHERE id <= 1515")
	    == 1515);

	/*
	 * Many small flushes: the periodic TRUNCATE checkpoint keeps the
	 * WAL small (without it 130 transactions leave hundreds of pages).
	 */
	for (i = 0, fails = 0; i < 130; i++) {
		queue_add(q, w, 1);
		if (state_writer_flush(w) != 0)
			fails++;
	}
	CHECK(fails == 0);
	CHECK(q->committed == 1645);
	CHECK(stat(tmp_path("writer.db-wal"), &sb) == 0);
	TAP_NOTE("wal after 130 flushes: %lld bytes", (long long)sb.st_size);
	CHECK(sb.st_size < 256 * 1024);

	/*
	 * state_writer_now(): one attempt now; a failure leaves the rows
	 * in memory and the timer armed, so the next tick writes them.
	 */
	q->fail_next = 1;
	queue_add(q, w, 1);
	CHECK(state_writer_now(w) < 0 && q->committed == 1645);
	run_until(base, &q->committed, 1646);
	CHECK(q->committed == 1646);
	queue_add(q, w, 1);
	CHECK(state_writer_now(w) == 0 && q->committed == 1647);

	/* A write that keeps failing is reported once, and its recovery. */
	CHECK(state_writer_report(w) == 0);
	for (i = 0; i < STATE_WRITER_REPORT_AFTER; i++) {
		CHECK(state_writer_report(w) == 0);
		q->fail_next = 1;
		queue_add(q, w, 1);
		CHECK(state_writer_flush(w) < 0);
	}
	CHECK(state_writer_failures(w) == STATE_WRITER_REPORT_AFTER);
	CHECK(state_writer_report(w) == 1);
	CHECK(state_writer_report(w) == 0);
	q->fail_next = 1;
	CHECK(state_writer_flush(w) < 0);
	CHECK(state_writer_report(w) == 0);	/* said already */
	CHECK(state_writer_flush(w) == 0);
	CHECK(state_writer_report(w) == -1);
	CHECK(state_writer_report(w) == 0);

	state_writer_free(w);
	state_close(other);
	state_close(db);
	event_base_free(base);
	free(q);
}

/*
 * A reader beside a writer in another process: every read transaction
 * sees whole batches only, its snapshot does not move under it, and
 * state_changed() notices the writer's commits.
 */
#define RW_BATCHES	300
#define RW_BATCH	10

static void
test_reader_writer(void)
{
	const char	*path = tmp_path("rw.db");
	sqlite3		*db, *rd;
	int64_t		 cookie = 0, own = 0, n, n2;
	int		 changes = 0, partial = 0, moved = 0, reads = 0;
	int		 status, done = 0, i, j;
	pid_t		 pid;

	CHECK(state_open_schema(path, HGW_DB_LIVE, 0, test_migrations, 3,
	    &db) == 0);
	CHECK(state_open_schema(path, HGW_DB_LIVE, 1, test_migrations, 3,
	    &rd) == 0);
	CHECK(state_changed(rd, &cookie) == 1);	/* first call */
	CHECK(state_changed(rd, &cookie) == 0);
	/* A connection's own commits are not "changes" to it. */
	CHECK(state_changed(db, &own) == 1);
	CHECK(state_exec(db, "INSERT INTO b (z) VALUES ('own')") == 0);
	CHECK(state_changed(db, &own) == 0);
	CHECK(state_changed(rd, &cookie) == 1);
	CHECK(state_exec(db, "DELETE FROM b") == 0);
	state_close(db);

	fflush(stdout);
	if ((pid = fork()) == -1) {
		CHECK(pid != -1);
		return;
	}
	if (pid == 0) {
		/* The writer opens its own connection after fork(). */
		if (state_open_schema(path, HGW_DB_LIVE, 0, test_migrations,
		    3, &db) != 0)
			_exit(2);
		for (i = 0; i < RW_BATCHES; i++) {
			if (state_begin(db) != 0)
				_exit(3);
			for (j = 0; j < RW_BATCH; j++)
				if (state_exec(db, "INSERT INTO b (z) "
				    "VALUES ('row')") != 0)
					_exit(4);
			if (state_commit(db) != 0)
				_exit(5);
		}
		state_close(db);
		_exit(0);
	}

	while (!done) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			done = 1;
		if (state_changed(rd, &cookie) == 1)
			changes++;
		/* One read transaction: two reads of the same snapshot. */
		if (state_exec(rd, "BEGIN") != 0)
			break;
		n = query_int(rd, "SELECT count(*) FROM b");
		n2 = query_int(rd, "SELECT count(*) FROM b");
		state_exec(rd, "COMMIT");
		reads++;
		if (n < 0 || n % RW_BATCH != 0)
			partial++;
		if (n != n2)
			moved++;
	}
	CHECK(done && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	TAP_NOTE("%d reads, %d changes seen", reads, changes);
	CHECK(partial == 0);
	CHECK(moved == 0);
	CHECK(changes >= 1);
	CHECK(query_int(rd, "SELECT count(*) FROM b") ==
	    RW_BATCHES * RW_BATCH);
	state_close(rd);
}

/*
 * kill -9 of a writer in the middle of its batches: the child commits
 * batches in a loop and reports each committed batch number on a pipe;
 * the parent kills it at a random point, then the database must pass
 * integrity_check and hold every reported batch whole, and no batch in
 * part.
 */
#define KILL_ROUNDS	6
#define KILL_BATCH	50

static void
test_kill9(void)
{
	static const char *const kill_schema[] = {
		"CREATE TABLE k (batch INTEGER NOT NULL, seq INTEGER NOT NULL,"
		" pad TEXT NOT NULL, PRIMARY KEY (batch, seq));",
	};
	const char	*path = tmp_path("kill.db");
	sqlite3		*db;
	sqlite3_stmt	*st;
	int		 round, fds[2], status, target, reported, last;
	int		 i, batch, bad = 0, missing = 0, partial = 0;
	int		 every_batch_whole = 1;
	pid_t		 pid;

	srandom((unsigned int)(time(NULL) ^ getpid()));
	for (round = 0; round < KILL_ROUNDS; round++) {
		if (pipe(fds) == -1) {
			CHECK(0);
			return;
		}
		fflush(stdout);
		if ((pid = fork()) == -1) {
			CHECK(pid != -1);
			return;
		}
		if (pid == 0) {
			close(fds[0]);
			if (state_open_schema(path, HGW_DB_PERSIST, 0,
			    kill_schema, 1, &db) != 0)
				_exit(2);
			batch = (int)query_int(db,
			    "SELECT coalesce(max(batch), 0) FROM k");
			st = state_prepare(db, "INSERT INTO k (batch, seq, "
			    "pad) VALUES (?1, ?2, hex(randomblob(64)))");
			if (st == NULL)
				_exit(3);
			for (;;) {
				batch++;
				if (state_begin(db) != 0)
					_exit(4);
				for (i = 0; i < KILL_BATCH; i++) {
					sqlite3_bind_int(st, 1, batch);
					sqlite3_bind_int(st, 2, i);
					if (sqlite3_step(st) != SQLITE_DONE)
						_exit(5);
					sqlite3_reset(st);
				}
				if (state_commit(db) != 0)
					_exit(6);
				if (write(fds[1], &batch, sizeof(batch)) !=
				    sizeof(batch))
					_exit(7);
			}
		}
		close(fds[1]);
		/* Kill after a random number of reported batches. */
		target = 1 + (int)(random() % 40);
		reported = 0;
		last = 0;
		while (reported < target &&
		    read(fds[0], &batch, sizeof(batch)) == sizeof(batch)) {
			reported++;
			last = batch;
		}
		kill(pid, SIGKILL);
		/* Batches reported before the kill landed are committed. */
		while (read(fds[0], &batch, sizeof(batch)) == sizeof(batch))
			last = batch;
		close(fds[0]);
		waitpid(pid, &status, 0);
		CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		    "writer died of SIGKILL, not of an error");

		CHECK(state_open_schema(path, HGW_DB_PERSIST, 0, kill_schema,
		    1, &db) == 0);
		CHECK_STREQ(query_text(db, "PRAGMA integrity_check"), "ok");
		st = state_prepare(db, "SELECT count(*) FROM k WHERE "
		    "batch = ?1");
		for (batch = 1; batch <= last; batch++) {
			sqlite3_bind_int(st, 1, batch);
			if (sqlite3_step(st) != SQLITE_ROW ||
			    sqlite3_column_int(st, 0) != KILL_BATCH)
				missing++;
			sqlite3_reset(st);
		}
		sqlite3_finalize(st);
		partial += (int)query_int(db, "SELECT count(*) FROM (SELECT "
		    "batch FROM k GROUP BY batch HAVING count(*) != 50)");
		if (query_int(db, "SELECT max(batch) FROM k") < last)
			bad++;
		TAP_NOTE("round %d: killed after %d reports, last batch %d, "
		    "%lld in the database", round, reported, last,
		    (long long)query_int(db, "SELECT max(batch) FROM k"));
		state_close(db);
	}
	if (missing || partial || bad)
		every_batch_whole = 0;
	CHECK(missing == 0);
	CHECK(partial == 0);
	CHECK(bad == 0);
	CHECK(every_batch_whole);
}

/* Retention: age and row caps, and identifier checks. */
static void
test_prune(void)
{
	sqlite3		*db;
	char		 sql[256];
	int64_t		 now = state_now(), now_ms = state_now_ms();
	int		 i;

	CHECK(state_open(tmp_path("prune.db"), HGW_DB_PERSIST, 0, &db) == 0);
	CHECK(state_begin(db) == 0);
	for (i = 0; i < 100; i++) {
		/* Row i is i hours old. */
		snprintf(sql, sizeof(sql), "INSERT INTO events (time, daemon, "
		    "kind) VALUES (%lld, 'arpd', 'e%d')",
		    (long long)(now - i * 3600), i);
		state_exec(db, sql);
		snprintf(sql, sizeof(sql), "INSERT INTO dns_log (time_ms, "
		    "client, name, qtype, rcode, source, latency_us) VALUES "
		    "(%lld, '192.168.1.10', 'x.test', 1, 0, 'cache', 10)",
		    (long long)(now_ms - (int64_t)i * 60000));
		state_exec(db, sql);
	}
	CHECK(state_commit(db) == 0);

	/* Older than 50 hours goes: rows 0..49 stay (row 50 is 50 h old). */
	CHECK(state_prune(db, "events", "time", 50 * 3600 - 1, 0) == 0);
	CHECK(query_int(db, "SELECT count(*) FROM events") == 50);
	CHECK(query_int(db, "SELECT max(strftime('%s','now') - time) "
	    "FROM events") < 50 * 3600);
	/* Cap: the 10 newest stay. */
	CHECK(state_prune(db, "events", "time", 0, 10) == 0);
	CHECK(query_int(db, "SELECT count(*) FROM events") == 10);
	CHECK(query_int(db, "SELECT count(*) FROM events WHERE kind IN "
	    "('e0','e1','e2','e3','e4','e5','e6','e7','e8','e9')") == 10);
	/* Within the caps: nothing more goes. */
	CHECK(state_prune(db, "events", "time", 365 * 86400, 10) == 0);
	CHECK(query_int(db, "SELECT count(*) FROM events") == 10);

	/* A _ms column is compared in milliseconds: 30 minutes keeps 30. */
	CHECK(state_prune(db, "dns_log", "time_ms", 30 * 60 - 1, 0) == 0);
	CHECK(query_int(db, "SELECT count(*) FROM dns_log") == 30);
	CHECK(state_prune(db, "dns_log", "time_ms", 0, 7) == 0);
	CHECK(query_int(db, "SELECT count(*) FROM dns_log") == 7);

	/* Inside a caller's transaction it joins that transaction. */
	CHECK(state_begin(db) == 0);
	CHECK(state_prune(db, "dns_log", "time_ms", 0, 2) == 0);
	state_rollback(db);
	CHECK(query_int(db, "SELECT count(*) FROM dns_log") == 7);

	/* Names are spliced into SQL: anything but an identifier fails. */
	CHECK(state_prune(db, "events; DROP TABLE stations", "time", 1, 1) ==
	    -EINVAL);
	CHECK(state_prune(db, "events", "time) OR (1", 1, 1) == -EINVAL);
	CHECK(state_prune(db, "1events", "time", 1, 1) == -EINVAL);
	CHECK(state_prune(db, "", "time", 1, 1) == -EINVAL);
	CHECK(state_prune(db, NULL, "time", 1, 1) == -EINVAL);
	CHECK(state_prune(db, "no_such_table", "time", 1, 1) == -EIO);
	CHECK(table_exists(db, "stations"));
	CHECK(query_int(db, "SELECT count(*) FROM events") == 10);
	CHECK(sqlite3_get_autocommit(db));	/* nothing left open */
	state_close(db);
}

/* One daemon's events: age and row caps, never another daemon's rows. */
static void
test_prune_events(void)
{
	sqlite3		*db;
	char		 sql[256];
	int64_t		 now = state_now();
	int		 i;

	CHECK(state_open(tmp_path("prune_events.db"), HGW_DB_PERSIST, 0,
	    &db) == 0);
	CHECK(state_begin(db) == 0);
	for (i = 0; i < 100; i++) {
		/* Row i of each daemon is i hours old. */
		snprintf(sql, sizeof(sql), "INSERT INTO events (time, daemon, "
		    "kind) VALUES (%lld, 'addrd', 'a%d'), (%lld, 'dnsd', "
		    "'d%d')", (long long)(now - i * 3600), i,
		    (long long)(now - i * 3600), i);
		state_exec(db, sql);
	}
	CHECK(state_commit(db) == 0);

	/* Older than 50 hours goes, addrd's rows only. */
	CHECK(state_prune_events(db, "addrd", 50 * 3600 - 1, 0) == 0);
	CHECK(query_int(db, "SELECT count(*) FROM events WHERE "
	    "daemon = 'addrd'") == 50);
	CHECK(query_int(db, "SELECT count(*) FROM events WHERE "
	    "daemon = 'dnsd'") == 100);
	/* Cap: addrd's 10 newest stay, dnsd's rows all stay. */
	CHECK(state_prune_events(db, "addrd", 0, 10) == 0);
	CHECK(query_int(db, "SELECT count(*) FROM events WHERE "
	    "daemon = 'addrd'") == 10);
	CHECK(query_int(db, "SELECT count(*) FROM events WHERE "
	    "daemon = 'addrd' AND kind IN ('a0','a1','a2','a3','a4','a5',"
	    "'a6','a7','a8','a9')") == 10);
	CHECK(query_int(db, "SELECT count(*) FROM events WHERE "
	    "daemon = 'dnsd'") == 100);
	/* Within the caps, or fewer rows than the cap: nothing goes. */
	CHECK(state_prune_events(db, "addrd", 365 * 86400, 10) == 0);
	CHECK(state_prune_events(db, "addrd", 0, 1000) == 0);
	CHECK(query_int(db, "SELECT count(*) FROM events WHERE "
	    "daemon = 'addrd'") == 10);
	/* Inside a caller's transaction it joins that transaction. */
	CHECK(state_begin(db) == 0);
	CHECK(state_prune_events(db, "dnsd", 0, 1) == 0);
	state_rollback(db);
	CHECK(query_int(db, "SELECT count(*) FROM events WHERE "
	    "daemon = 'dnsd'") == 100);
	CHECK(state_prune_events(db, NULL, 0, 1) == -EINVAL);
	CHECK(sqlite3_get_autocommit(db));	/* nothing left open */
	state_close(db);
}

/*
 * A damaged database: state_open() says so (-EUCLEAN), state_recover()
 * moves it aside with its contents, and the next open starts a new one;
 * on a good file state_recover() moves nothing.
 */
static void
test_recover(void)
{
	const char	*path = tmp_path("damaged.db");
	char		 aside[PATH_MAX], buf[64];
	sqlite3		*db = NULL;
	FILE		*f;
	int		 i;

	CHECK((f = fopen(path, "w")) != NULL);
	for (i = 0; f != NULL && i < 256; i++)
		fputs("not a database, not at all, just words on a card\n", f);
	if (f != NULL)
		fclose(f);
	CHECK(state_open(path, HGW_DB_PERSIST, 0, &db) == -EUCLEAN);
	CHECK(state_recover(path, HGW_DB_PERSIST, aside, sizeof(aside)) == 1);
	CHECK(strncmp(aside, path, strlen(path)) == 0 &&
	    strstr(aside, ".corrupt-") != NULL);
	CHECK((f = fopen(aside, "r")) != NULL);
	CHECK(f != NULL && fgets(buf, sizeof(buf), f) != NULL &&
	    strncmp(buf, "not a database", 14) == 0);
	if (f != NULL)
		fclose(f);
	CHECK(state_open(path, HGW_DB_PERSIST, 0, &db) == 0);
	CHECK(query_int(db, "SELECT count(*) FROM events") == 0);
	state_close(db);
	CHECK(state_recover(path, HGW_DB_PERSIST, aside, sizeof(aside)) == 0);
	CHECK(access(path, F_OK) == 0);
}

/*
 * The log lines state.c writes while fn runs, captured from stderr into
 * buf (log.c writes to stderr in the foreground).
 */
static void
capture_start(int *saved, const char *file)
{
	int	 fd;

	fflush(stderr);
	*saved = dup(2);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
}

static void
capture_end(int saved, const char *file, char *buf, size_t len)
{
	FILE	*f;
	size_t	 n = 0;

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	buf[0] = '\0';
	if ((f = fopen(file, "r")) != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

static int
count_of(const char *hay, const char *needle)
{
	int	 n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return (n);
}

/* Errors in words, the way the log and the alerts say them. */
static void
test_fault_text(void)
{
	char	 buf[256];

	state_fault_text(HGW_DB_PERSIST, "/var/lib/homegw", -ENOSPC, buf,
	    sizeof(buf));
	CHECK_STREQ(buf, "homegw.db: no space left on /var/lib/homegw");
	state_fault_text(HGW_DB_LIVE, "/run/homegw", ENOSPC, buf,
	    sizeof(buf));
	CHECK_STREQ(buf, "live.db: no space left on /run/homegw");
	state_fault_text(HGW_DB_PERSIST, "/var/lib/homegw", -EROFS, buf,
	    sizeof(buf));
	CHECK_STREQ(buf, "homegw.db: read-only (/var/lib/homegw)");
	state_fault_text(HGW_DB_PERSIST, "/var/lib/homegw", -EACCES, buf,
	    sizeof(buf));
	CHECK_STREQ(buf, "homegw.db: permission denied (/var/lib/homegw)");
	state_fault_text(HGW_DB_PERSIST, NULL, -EUCLEAN, buf, sizeof(buf));
	CHECK_STREQ(buf, "homegw.db: damaged");
	state_fault_text(HGW_DB_PERSIST, "", -ENOSPC, buf, sizeof(buf));
	CHECK_STREQ(buf, "homegw.db: no space left");
}

/*
 * The shared path: one warning at the first failure, not one per write;
 * a reminder with the count at most every STATE_FAULT_REPEAT_S; one line
 * at recovery.  Busy is news only after a streak.
 */
static void
test_fault_log(void)
{
	struct state_fault	 f;
	char			 out[8192];
	const char		*file = tmp_path("fault.log");
	int			 saved, i;

	state_fault_init(&f, HGW_DB_PERSIST, "the query log");
	capture_start(&saved, file);
	for (i = 0; i < 100; i++)
		(void)state_fault_note(&f, NULL, -ENOSPC);
	capture_end(saved, file, out, sizeof(out));
	CHECK(count_of(out, "homegw.db: no space left") == 1);
	CHECK(strstr(out, "(the query log) failed") != NULL);
	CHECK(state_fault_current(HGW_DB_PERSIST) == ENOSPC);
	CHECK(state_fault_current(HGW_DB_LIVE) == 0);
	CHECK(state_fault_total() >= 100);

	/* Ten minutes later, still failing: one reminder with the count. */
	f.last_log -= STATE_FAULT_REPEAT_S;
	capture_start(&saved, file);
	for (i = 0; i < 10; i++)
		(void)state_fault_note(&f, NULL, -ENOSPC);
	(void)state_fault_note(&f, NULL, 0);
	(void)state_fault_note(&f, NULL, 0);
	capture_end(saved, file, out, sizeof(out));
	CHECK(count_of(out, "still fails: 101 failures") == 1);
	CHECK(count_of(out, "no space left") == 1);
	CHECK(count_of(out, "recovered after 110 failures") == 1);
	CHECK(state_fault_current(HGW_DB_PERSIST) == 0);

	/* Busy for a moment is normal; a busy streak is not. */
	capture_start(&saved, file);
	for (i = 0; i < STATE_WRITER_REPORT_AFTER - 1; i++)
		(void)state_fault_note(&f, NULL, -EBUSY);
	(void)state_fault_note(&f, NULL, 0);
	capture_end(saved, file, out, sizeof(out));
	CHECK(out[0] == '\0');
	capture_start(&saved, file);
	for (i = 0; i < STATE_WRITER_REPORT_AFTER; i++)
		(void)state_fault_note(&f, NULL, -EBUSY);
	capture_end(saved, file, out, sizeof(out));
	CHECK(count_of(out, "locked by another process") == 1);
	(void)state_fault_note(&f, NULL, 0);
	state_fault_done(&f);
	CHECK(state_fault_current(HGW_DB_PERSIST) == 0);
}

static int
grow_cb(sqlite3 *db, void *arg)
{
	(void)arg;
	return (state_exec(db, "INSERT INTO events (time, daemon, kind, "
	    "detail) VALUES (1, 'test', 'x', zeroblob(8192))"));
}

/*
 * A real SQLITE_FULL through a batched writer (max_page_count stands for
 * the full disk): logged once as "no space left", named by the writer,
 * recovered when there is room again.
 */
static void
test_writer_full(void)
{
	struct event_base	*base;
	struct state_writer	*w;
	sqlite3			*db;
	char			 out[8192], sql[64];
	const char		*file = tmp_path("full.log");
	int64_t			 pages;
	int			 saved, i, r = 0;

	CHECK((base = event_base_new()) != NULL);
	CHECK(state_open(tmp_path("full.db"), HGW_DB_PERSIST, 0, &db) == 0);
	CHECK((w = state_writer_new(base, db, 1000, grow_cb, NULL)) != NULL);
	state_writer_name(w, "the test rows");
	pages = query_int(db, "PRAGMA page_count");
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
	    (long long)pages);
	CHECK(state_exec(db, sql) == 0);
	capture_start(&saved, file);
	for (i = 0; i < 20; i++) {
		state_writer_dirty(w);
		r = state_writer_flush(w);
	}
	capture_end(saved, file, out, sizeof(out));
	TAP_NOTE("%s", out);
	CHECK(r == -ENOSPC);
	CHECK(count_of(out, "homegw.db: no space left on ") == 1);
	CHECK(count_of(out, tmpdir) >= 1);
	CHECK(strstr(out, "(the test rows)") != NULL);
	CHECK(state_fault_current(HGW_DB_PERSIST) == ENOSPC);
	CHECK(state_writer_failures(w) == 20);
	CHECK(state_exec(db, "PRAGMA max_page_count = 1000000") == 0);
	capture_start(&saved, file);
	state_writer_dirty(w);
	r = state_writer_flush(w);
	capture_end(saved, file, out, sizeof(out));
	CHECK(r == 0);
	CHECK(count_of(out, "recovered after 20 failures") == 1);
	CHECK(state_fault_current(HGW_DB_PERSIST) == 0);
	CHECK(query_int(db, "SELECT count(*) FROM events") == 1);
	state_writer_free(w);
	state_close(db);
	event_base_free(base);
}

/*
 * The file behind a connection: deleted, or replaced by another file,
 * is seen by its identity (st_dev/st_ino), not by any error: SQLite
 * goes on writing the unlinked inode without complaint.
 */
static void
test_identity(void)
{
	const char	*path = tmp_path("ident.db"), *other = tmp_path("o.db");
	sqlite3		*db, *db2, *db3;

	CHECK(state_open(path, HGW_DB_LIVE, 0, &db) == 0);
	CHECK(state_db_changed(db) == 0);
	CHECK(unlink(path) == 0);
	CHECK(state_db_changed(db) == 1);
	CHECK(state_heartbeat(db, "natd", 1, 1, "still writes") == 0);
	CHECK(state_open(path, HGW_DB_LIVE, 0, &db2) == 0);
	CHECK(state_db_changed(db) == 1);
	CHECK(state_db_changed(db2) == 0);
	CHECK(query_int(db2, "SELECT count(*) FROM daemons") == 0);
	/* Replaced: another database renamed over the path. */
	CHECK(state_open(other, HGW_DB_LIVE, 0, &db3) == 0);
	CHECK(rename(other, path) == 0);
	CHECK(state_db_changed(db2) == 1);
	CHECK(state_db_changed(db3) == 1);
	state_close(db);
	state_close(db2);
	state_close(db3);
}

/* Overwrite pages 2.. of a database with garbage (not the header). */
static void
smash(const char *path, int pages)
{
	char	 junk[4096];
	int	 fd, i;

	memset(junk, 0xa5, sizeof(junk));
	if ((fd = open(path, O_WRONLY)) == -1)
		return;
	for (i = 1; i <= pages; i++)
		(void)pwrite(fd, junk, sizeof(junk), (off_t)i * 4096);
	close(fd);
}

/*
 * Damaged pages do not stop a file from opening: quick_check finds them,
 * a statement meeting them marks the connection damaged, and
 * state_recover() moves such a file aside with its time in the name.
 */
static void
test_damage(void)
{
	const char	*path = tmp_path("dmg.db");
	char		 aside[512], want[512];
	sqlite3		*db;
	int64_t		 before;
	int		 r, i;

	CHECK(state_open(path, HGW_DB_PERSIST, 0, &db) == 0);
	for (i = 0; i < 200; i++)
		CHECK(state_event_add(db, "test", "x", "192.0.2.1", NULL, NULL,
		    "a detail long enough to fill a few pages of the table")
		    == 0);
	CHECK(state_quick_check(db) == 0);
	state_close(db);
	smash(path, 4);
	CHECK(state_open(path, HGW_DB_PERSIST, 0, &db) == 0);
	CHECK(state_db_changed(db) == 0);
	r = (int)query_int(db, "SELECT count(*) FROM events WHERE detail "
	    "LIKE '%x%'");
	(void)state_exec(db, "DELETE FROM events");
	TAP_NOTE("read of the damaged table: %d", r);
	CHECK(state_quick_check(db) == -EUCLEAN);
	CHECK(state_db_changed(db) == 2);
	state_close(db);
	before = state_now();
	CHECK(state_recover(path, HGW_DB_PERSIST, aside, sizeof(aside)) == 1);
	CHECK(access(aside, F_OK) == 0);
	CHECK(state_aside_name(path, before, want, sizeof(want)) == 0);
	CHECK(strncmp(aside, want, strlen(path) + strlen(".corrupt-")) == 0);
	CHECK(strtoll(aside + strlen(path) + strlen(".corrupt-"), NULL, 10)
	    >= before);
	CHECK(state_open(path, HGW_DB_PERSIST, 0, &db) == 0);
	CHECK(state_quick_check(db) == 0);
	CHECK(query_int(db, "SELECT count(*) FROM events") == 0);
	state_close(db);
}

/* The pid file's lock is the proof of life, not the pid. */
static void
test_pidfile(void)
{
	int64_t	 pid;
	pid_t	 child;
	int	 fd, st;

	CHECK(state_daemon_alive(tmpdir, "natd", &pid) == -1);
	CHECK((fd = state_pidfile(tmpdir, "natd")) >= 0);
	CHECK(state_pidfile(tmpdir, "natd") == -EEXIST);
	/* Another process sees the lock held. */
	if ((child = fork()) == 0)
		_exit(state_daemon_alive(tmpdir, "natd", &pid) == 1 &&
		    pid == getppid() ? 0 : 1);
	CHECK(child > 0 && waitpid(child, &st, 0) == child &&
	    WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fd);
	CHECK(state_daemon_alive(tmpdir, "natd", &pid) == 0);
	CHECK(strcmp(state_daemon_state(tmpdir, "natd", 1, getpid(),
	    state_now(), state_now()), "not running") == 0);
	/* No pid file: a pid alone is not enough, its name must match. */
	CHECK(strcmp(state_daemon_state(tmpdir, "dnsd", 1, getpid(),
	    state_now(), state_now()), "not running") == 0);
}

int
main(void)
{
	const char	*t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/state_test.XXXXXX",
	    t != NULL && strlen(t) < 32 ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	test_open_real();
	test_open_race();
	test_migrate();
	test_newer();
	test_open_conf();
	test_recover();
	test_rows();
	test_close_order();
	test_writer();
	test_reader_writer();
	test_kill9();
	test_prune();
	test_prune_events();
	test_fault_text();
	test_fault_log();
	test_writer_full();
	test_identity();
	test_damage();
	test_pidfile();
	nftw(tmpdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return (tap_done());
}
