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
 * errors map to -EIO (-EBUSY when the database stayed locked, -ENOMEM,
 * -EROFS, -EACCES, -ENOSPC for SQLITE_FULL, -EUCLEAN for a damaged file,
 * or the system's errno where SQLite names one, as for an I/O error on a
 * full tmpfs).
 *
 * Sharing: every connection, readers included, needs write access to the
 * -shm file beside a database in WAL mode, so all homegw programs run in
 * one group with UMask=0007; state_open() creates a new database file with
 * mode 0660 (less the umask) and SQLite gives -wal and -shm the same mode.
 * Readers keep their transactions short (step, then reset or finalize at
 * once): a read transaction left open stops checkpoints from resetting the
 * WAL, which then grows.  See docs/schema.md.
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

/* File names inside run_dir and state_dir. */
#define STATE_LIVE_FILE		"live.db"
#define STATE_PERSIST_FILE	"homegw.db"

/*
 * Daemons write their heartbeat row every STATE_HEARTBEAT_S seconds;
 * readers call a row older than STATE_HEARTBEAT_STALE_S stale.
 */
#define STATE_HEARTBEAT_S	5
#define STATE_HEARTBEAT_STALE_S	(3 * STATE_HEARTBEAT_S)

/* The daemons every gateway runs, in the order status lists show them. */
#define STATE_NDAEMONS		5
extern const char *const state_daemons[STATE_NDAEMONS];

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
/*
 * The same with an explicit migration list instead of schema.c's (the
 * tests use it to build older versions of a database).
 */
int	state_open_schema(const char *path, enum hgw_db which, int readonly,
	    const char *const *migrations, int count, sqlite3 **ret);
/*
 * A database that fails to open with -EUCLEAN is damaged.  state_recover()
 * renames it (and its -wal, -shm) to path.corrupt-<time>, written into
 * aside, so that the next state_open() starts a new one: 1 when it moved
 * the file, 0 when the file at path is good (another process recovered it
 * first), negative on error.
 */
int	state_recover(const char *path, enum hgw_db which, char *aside,
	    size_t len);
/*
 * Both databases for a config: run_dir/live.db and state_dir/homegw.db.
 * Unless readonly, creates run_dir and state_dir (mode 0770, parents
 * 0755) when missing.  Either ret pointer may be NULL to open only the
 * other database.  On failure nothing stays open.
 */
int	state_open_conf(const struct hgw_conf *, int readonly,
	    sqlite3 **ret_live, sqlite3 **ret_persist);
/*
 * Checkpoint and close; NULL is fine.  Statements still prepared on the
 * handle stay valid until their owners finalize them (sqlite3_close_v2);
 * the connection is released with the last one.
 */
void	state_close(sqlite3 *);

/* Schema version this program writes, per database. */
int	state_schema_version(enum hgw_db);

/*
 * BEGIN IMMEDIATE (a few attempts, each waiting up to the busy timeout,
 * then -EBUSY) / COMMIT (rolls back when it fails, so the connection is
 * never left inside a transaction) / ROLLBACK (no-op outside one).
 */
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
 * daemon to report.  The timer only runs while dirty; a tick makes one
 * BEGIN IMMEDIATE attempt (the loop blocks at most one busy timeout).
 * Every so many flushes the writer tries a non-blocking
 * wal_checkpoint(TRUNCATE) so the WAL cannot grow without bound.
 * state_writer_free() does not flush.
 */
struct state_writer;
typedef int (*state_flush_cb)(sqlite3 *, void *arg);

struct state_writer *state_writer_new(struct event_base *, sqlite3 *,
	    unsigned int interval_ms, state_flush_cb, void *arg);
/*
 * Optional: done runs (with the writer's arg) right after each successful
 * COMMIT, so a daemon can drop from memory what flush_cb wrote only once
 * it is safely in the database (a queue of new rows, say); a failed flush
 * leaves everything in memory for the retry.
 */
void	state_writer_on_commit(struct state_writer *,
	    void (*done)(void *arg));
void	state_writer_dirty(struct state_writer *);
/* Flush now, synchronously (may block on SQLite). */
int	state_writer_flush(struct state_writer *);
/* Flush now with a tick's single attempt; the timer retries a failure. */
int	state_writer_now(struct state_writer *);
unsigned int state_writer_failures(const struct state_writer *);
/*
 * For the daemon's log, so that a write that keeps failing is never
 * silent: returns 1 once when the consecutive failures reach
 * STATE_WRITER_REPORT_AFTER, then -1 once at the first call after a
 * success, else 0.  Call it from a timer.
 */
#define STATE_WRITER_REPORT_AFTER	5
int	state_writer_report(struct state_writer *);
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
 * max_age_s and keep at most max_rows (oldest go first); 0 disables
 * either limit.  Only for tables with a time column; a column whose name
 * ends in _ms holds milliseconds.  table and time_column must be plain
 * identifiers (-EINVAL otherwise): they are spliced into the SQL.  Runs
 * in its own transaction unless one is open.
 */
int	state_prune(sqlite3 *, const char *table, const char *time_column,
	    int64_t max_age_s, int64_t max_rows);

/*
 * The same for one daemon's rows of the shared events table, which
 * state_prune() cannot tell apart: delete daemon's events older than
 * max_age_s and keep its max_rows newest; 0 disables either limit.
 * Other daemons' rows are never touched.  Runs in its own transaction
 * unless one is open.
 */
int	state_prune_events(sqlite3 *, const char *daemon, int64_t max_age_s,
	    int64_t max_rows);

/*
 * Storage faults seen: one shared path for every failed write.
 *
 * A struct state_fault stands for one kind of write a daemon makes (each
 * batched writer has its own; daemon.c has one for the heartbeat).
 * state_fault_note() is called with the result of every attempt: the
 * first failure is logged at warning level at once (a busy database only
 * after STATE_WRITER_REPORT_AFTER attempts in a row, since busy is
 * normal for a moment), then at most every STATE_FAULT_REPEAT_S while
 * it persists, with the count, and the first success after that logs
 * "recovered after N failures".  The cause is said in words
 * (state_fault_text()).  A failure that was logged is a persisting one:
 * state_fault_current() tells the daemon, which publishes it in live.db
 * for the alert (metrics db_error_live / db_error_persist).
 */
#define STATE_FAULT_REPEAT_S	600

struct state_fault {
	enum hgw_db		 which;
	const char		*what;		/* "the query log", or NULL */
	unsigned int		 failures;	/* consecutive */
	int			 err;		/* of the last failure */
	int			 logged;	/* failing, and said so */
	int64_t			 since;		/* first of these failures */
	int64_t			 last_log;
	struct state_fault	*next;		/* every fault of the process */
};

/* Set up (and register) a fault record; what may be NULL. */
void	state_fault_init(struct state_fault *, enum hgw_db which,
	    const char *what);
/* Unregister; the record may then be freed. */
void	state_fault_done(struct state_fault *);
/*
 * Note the result r (0 or a negative errno) of one write attempt on db
 * (db names the file in the log; may be NULL).  Returns r.
 */
int	state_fault_note(struct state_fault *, sqlite3 *db, int r);
/*
 * The cause in words: "homegw.db: no space left on /var/lib/homegw".
 * dir may be NULL or empty (then not named).
 */
void	state_fault_text(enum hgw_db which, const char *dir, int err,
	    char *buf, size_t len);
/*
 * Is a write to which failing persistently in this process?  Returns
 * the errno (positive) of the longest-failing writer, 0 when none.
 */
int	state_fault_current(enum hgw_db which);
/* Failed write attempts to either database since the process started. */
uint64_t state_fault_total(void);
/* Name a batched writer in the log ("the query log"); optional. */
void	state_writer_name(struct state_writer *, const char *what);
/* Point a writer at a reopened database (see state_db_changed()). */
void	state_writer_set_db(struct state_writer *, sqlite3 *);

/*
 * The file behind a connection.  state_db_changed() returns 1 when the
 * path no longer names the file the connection has open (deleted, or
 * replaced: st_dev/st_ino differ from those at open), 2 when a statement
 * on it met SQLITE_CORRUPT or SQLITE_NOTADB, 0 when neither; the daemon
 * then reopens it (daemon.c).  state_quick_check() runs PRAGMA
 * quick_check: 0 good, -EUCLEAN damaged, other negative on error.
 */
int	state_db_changed(sqlite3 *);
/*
 * Open path again after state_db_changed(): like state_open(), but the
 * -wal and -shm beside a file no other process has adopted yet (see
 * state.c) are the old file's and are removed first.
 */
int	state_reopen(const char *path, enum hgw_db which, sqlite3 **ret);
int	state_quick_check(sqlite3 *);
/*
 * For a module's own statements: the negative errno for SQLite result rc
 * on db, noting SQLITE_CORRUPT / SQLITE_NOTADB for state_db_changed().
 */
int	state_result(sqlite3 *, int rc);
/* Was the file damaged when moved aside at time t: its name. */
int	state_aside_name(const char *path, int64_t t, char *buf,
	    size_t len);

/*
 * Is daemon name running?  Its pid file in run_dir
 * (<run_dir>/<name>.pid), locked by the daemon for as long as it runs,
 * answers even when its row in live.db is missing (live.db rebuilt) or
 * its pid was reused: 1 running, 0 not, -1 cannot tell (no pid file).
 * *pid gets the pid written in the file, when there is one.
 */
int	state_daemon_alive(const char *run_dir, const char *name,
	    int64_t *pid);
/*
 * The one rule for "is this daemon running", shared by homegwctl status,
 * the page and the alerts: "running", "stale" (alive, but its heartbeat
 * is older than STATE_HEARTBEAT_STALE_S: hung) or "not running".  Alive
 * means its pid file in run_dir is locked; without a pid file, that its
 * row's pid exists and /proc/PID/comm names homegw-<name> (a pid alone
 * may have been reused).  An alive daemon without a row (live.db just
 * rebuilt) is running: it writes its row within STATE_HEARTBEAT_S.
 */
const char *state_daemon_state(const char *run_dir, const char *name,
	    int has_row, int64_t pid, int64_t heartbeat, int64_t now);
/* The directory of a connection's file, into buf ("" when unknown). */
void	state_db_dir(sqlite3 *, char *buf, size_t len);
/* Create and lock this daemon's pid file; returns the fd or -errno. */
int	state_pidfile(const char *run_dir, const char *name);

#endif /* HGW_STATE_H */
