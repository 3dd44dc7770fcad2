/*
 * SPDX-License-Identifier: ISC
 *
 * state.h: the shared SQLite state.  Two databases:
 *   live.db    (run_dir, tmpfs): rebuilt from the kernel after a reboot;
 *   homegw.db  (state_dir, SD card): what must survive.
 * Every table has exactly one writing daemon, named beside its CREATE TABLE
 * in schema.c; the events table is the one exception (each daemon appends
 * its own rows), and so is the daemons table (each writes its own row).
 * Writes are batched: a daemon keeps hot state in memory and flushes it in
 * one transaction on a timer (struct state_writer), never one transaction
 * per packet.  Functions return 0 or a negative errno-style code; SQLite
 * errors map to -EIO (-EBUSY when the database stayed locked).
 */
#ifndef HGW_STATE_H
#define HGW_STATE_H

#include <stdint.h>
#include <sys/types.h>

#include <sqlite3.h>

struct event_base;
struct hgw_conf;

enum hgw_db {
	HGW_DB_LIVE,		/* live.db */
	HGW_DB_PERSIST,		/* homegw.db */
	HGW_DB_MAX
};

#define STATE_BUSY_TIMEOUT_MS	2000

/*
 * Open (creating if needed) the database at path as which, in WAL mode with
 * busy_timeout, foreign keys on, and migrate its schema to the current
 * version.  readonly opens an existing file for reading only (no
 * migration; fails with -ENOENT when missing, -EPROTO when the schema is
 * newer or older than this program knows).  On success *ret is the handle;
 * close it with state_close().
 */
int	state_open(const char *path, enum hgw_db which, int readonly,
	    sqlite3 **ret);
/* Both databases for a config (creates run_dir/state_dir if missing). */
int	state_open_conf(const struct hgw_conf *, int readonly,
	    sqlite3 **ret_live, sqlite3 **ret_persist);
/* Checkpoint and close; NULL is fine. */
void	state_close(sqlite3 *);

/* Schema version this program writes, per database. */
int	state_schema_version(enum hgw_db);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int	state_begin(sqlite3 *);
int	state_commit(sqlite3 *);
void	state_rollback(sqlite3 *);

/* Run SQL without results (several statements allowed). */
int	state_exec(sqlite3 *, const char *sql);
/*
 * Prepare a statement once (persistent).  Returns NULL on error with the
 * reason available from sqlite3_errmsg().
 */
sqlite3_stmt *state_prepare(sqlite3 *, const char *sql);

/*
 * Readers: returns 1 when another connection committed since the last call
 * (PRAGMA data_version changed), 0 when not, negative on error.  *cookie
 * starts at 0.
 */
int	state_changed(sqlite3 *, int64_t *cookie);

/* Current time in seconds and in milliseconds since the epoch. */
int64_t	state_now(void);
int64_t	state_now_ms(void);

/*
 * The batched writer.  flush_cb runs inside BEGIN IMMEDIATE ... COMMIT on
 * a timer every interval_ms while the writer is marked dirty, and once more
 * from state_writer_flush() (the final flush at stop).  flush_cb returns 0
 * to commit or negative to roll back.  A failed or busy commit keeps the
 * writer dirty, so the next tick retries with everything still in memory;
 * consecutive failures are counted (state_writer_failures()) for the
 * daemon to report.
 */
struct state_writer;
typedef int (*state_flush_cb)(sqlite3 *, void *arg);

struct state_writer *state_writer_new(struct event_base *, sqlite3 *,
	    unsigned int interval_ms, state_flush_cb, void *arg);
void	state_writer_dirty(struct state_writer *);
/* Flush now, synchronously (may block on SQLite). */
int	state_writer_flush(struct state_writer *);
unsigned int state_writer_failures(const struct state_writer *);
void	state_writer_free(struct state_writer *);

/*
 * The daemons table in live.db: each daemon upserts its own row with its
 * pid, start time, heartbeat time and a short status text.
 */
int	state_heartbeat(sqlite3 *live, const char *daemon, pid_t pid,
	    int64_t started, const char *status);
/* Remove a daemon's row at a clean stop. */
int	state_heartbeat_clear(sqlite3 *live, const char *daemon);

/* Upsert a metric (metrics table in live.db): one owner per (daemon, name). */
int	state_metric_set(sqlite3 *live, const char *daemon, const char *name,
	    double value);

/*
 * Append an event to homegw.db's events table.  kind is a short token
 * ("conflict", "new_station", ...); address, mac_old, mac_new and detail
 * may be NULL.
 */
int	state_event_add(sqlite3 *persist, const char *daemon,
	    const char *kind, const char *address, const char *mac_old,
	    const char *mac_new, const char *detail);

/*
 * Enforce retention on tables owned by daemon: delete rows older than
 * max_age_s and keep at most max_rows (oldest go first).  Only for tables
 * with a time column; callers pass their own table names.
 */
int	state_prune(sqlite3 *, const char *table, const char *time_column,
	    int64_t max_age_s, int64_t max_rows);

#endif /* HGW_STATE_H */
