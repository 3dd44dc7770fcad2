/*
 * SPDX-License-Identifier: ISC
 *
 * state.c: opening, migrating and writing the two SQLite databases.  Owns
 * the connection settings (WAL, busy timeout, synchronous, foreign keys),
 * the schema migration by PRAGMA user_version, the batched writer timer
 * and the few rows every daemon writes the same way (heartbeat, metrics,
 * events, retention).  It never decides what a daemon stores.  It logs
 * above debug in one place only, the shared write-failure path
 * (state_fault_note(), which every batched writer goes through), so that
 * a failing write is said the same way, once, by every daemon; elsewhere
 * callers get a negative errno and log once.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "conf.h"
#include "log.h"
#include "schema.h"
#include "state.h"

#ifndef HGW_VERSION
#define HGW_VERSION	"unknown"
#endif

/* BEGIN IMMEDIATE attempts in state_begin(), each after a busy_timeout. */
#define STATE_BEGIN_TRIES	3
/* Largest -wal file kept after a checkpoint resets it. */
#define STATE_JOURNAL_LIMIT	(4 * 1024 * 1024)
/* Each writing connection's SQLite page cache, KiB (see state_open). */
#define STATE_CACHE_KIB		256
/* A writer tries a TRUNCATE checkpoint every this many flushes. */
#define STATE_CHECKPOINT_FLUSHES 64
/* Longest table or column name state_prune() accepts. */
#define STATE_IDENT_MAX		64

const char *const state_daemons[STATE_NDAEMONS] = {
	"addrd", "arpd", "natd", "dnsd", "webd"
};

struct state_writer {
	struct event_base	*base;
	sqlite3			*db;
	struct event		*timer;
	struct timeval		 interval;
	state_flush_cb		 cb;
	void			(*done)(void *);
	void			*arg;
	int			 dirty;
	unsigned int		 failures;	/* consecutive */
	unsigned int		 flushes;	/* successful, since new */
	int			 reported;	/* failing, said so */
	struct state_fault	 fault;		/* the shared failure path */
};

static void	conn_damaged(sqlite3 *);
static void	conn_register(sqlite3 *, enum hgw_db);
static void	conn_unregister(sqlite3 *);
static enum hgw_db conn_which(sqlite3 *);

/* Map an SQLite result code to a negative errno. */
static int
state_errno(sqlite3 *db, int rc)
{
	int	 e;

	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return (0);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return (-EBUSY);
	case SQLITE_NOMEM:
		return (-ENOMEM);
	case SQLITE_READONLY:
		return (-EROFS);
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return (-EACCES);
	case SQLITE_CANTOPEN:
		e = db != NULL ? sqlite3_system_errno(db) : 0;
		return (e > 0 ? -e : -EACCES);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		conn_damaged(db);
		return (-EUCLEAN);	/* damaged: see state_recover() */
	case SQLITE_FULL:
		return (-ENOSPC);
	case SQLITE_IOERR:
		/*
		 * A full tmpfs shows as an I/O error while growing -shm or
		 * -wal: the system's errno says what really happened.
		 */
		e = db != NULL ? sqlite3_system_errno(db) : 0;
		return (e > 0 ? -e : -EIO);
	default:
		return (-EIO);
	}
}

/* Current time in seconds since the epoch. */
int64_t
state_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec);
}

/* Current time in milliseconds since the epoch. */
int64_t
state_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Run SQL without results. */
int
state_exec(sqlite3 *db, const char *sql)
{
	char	*msg = NULL;
	int	 rc;

	rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_debug("%s: %s: %s", __func__, sql,
		    msg != NULL ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return (state_errno(db, rc));
	}
	return (0);
}

/* Prepare a persistent statement. */
sqlite3_stmt *
state_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL);
	if (rc != SQLITE_OK) {
		log_debug("%s: %s: %s", __func__, sql, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return (NULL);
	}
	return (st);
}

/* Read one integer PRAGMA (user_version, data_version). */
static int
pragma_int(sqlite3 *db, const char *sql, int64_t *ret)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return (state_errno(db, rc));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		log_debug("%s: %s: %s", __func__, sql, sqlite3_errstr(rc));
		return (state_errno(db, rc));
	}
	return (0);
}

static int
begin_tries(sqlite3 *db, int tries)
{
	int	 r = -EBUSY, i;

	for (i = 0; i < tries; i++) {
		r = state_exec(db, "BEGIN IMMEDIATE");
		if (r != -EBUSY)
			break;
		log_debug("%s: database busy (try %d of %d)", __func__,
		    i + 1, tries);
	}
	return (r);
}

/* Start a write transaction, retrying while another writer holds it. */
int
state_begin(sqlite3 *db)
{
	return (begin_tries(db, STATE_BEGIN_TRIES));
}

/* Commit; on failure the transaction is rolled back. */
int
state_commit(sqlite3 *db)
{
	int	 r;

	if ((r = state_exec(db, "COMMIT")) < 0)
		state_rollback(db);
	return (r);
}

/* Roll back the open transaction, if any. */
void
state_rollback(sqlite3 *db)
{
	if (db != NULL && !sqlite3_get_autocommit(db))
		(void)state_exec(db, "ROLLBACK");
}

/* Schema version this program writes. */
int
state_schema_version(enum hgw_db which)
{
	return (which == HGW_DB_LIVE ? schema_live_count :
	    schema_persist_count);
}

/*
 * Apply migrations [user_version, count) in one BEGIN IMMEDIATE
 * transaction.  Reading user_version inside the transaction makes two
 * daemons starting at once safe: the second sees the first's result.
 */
static int
migrate(sqlite3 *db, const char *const *migrations, int count)
{
	int64_t	 version;
	char	 sql[64];
	int	 r, i;

	if ((r = state_begin(db)) < 0)
		return (r);
	if ((r = pragma_int(db, "PRAGMA user_version", &version)) < 0)
		goto fail;
	if (version > count) {
		log_debug("%s: schema version %lld is newer than %d",
		    __func__, (long long)version, count);
		r = -EPROTO;
		goto fail;
	}
	if (version == count) {
		state_rollback(db);
		return (0);
	}
	for (i = (int)version; i < count; i++) {
		log_debug("%s: migration %d -> %d", __func__, i, i + 1);
		if ((r = state_exec(db, migrations[i])) < 0)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", count);
	if ((r = state_exec(db, sql)) < 0)
		goto fail;
	return (state_commit(db));
 fail:
	state_rollback(db);
	return (r);
}

/*
 * Create a missing database file ourselves so it gets mode 0660 (minus
 * the umask): SQLite creates files 0644 and gives the -wal and -shm files
 * the database's own mode, and every reader needs write access to -shm.
 * No connection can hold the file yet, so closing our descriptor cannot
 * drop anybody's POSIX locks.
 */
static int
create_file(const char *path)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0660);
	if (fd == -1)
		return (errno == EEXIST ? 0 : -errno);
	close(fd);
	return (0);
}

/*
 * Once per process, before SQLite initializes itself: every homegw
 * program is one thread with its own connections, so SQLite's global
 * mutexes and its allocation statistics are pure cost (a fifth of
 * natd's inserts).  Too late (something opened a database first), the
 * defaults stay, which is only slower.
 */
static void
configure_sqlite(void)
{
	static int	 done;

	if (done)
		return;
	done = 1;
	(void)sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/*
 * Open one connection, set it up and, unless readonly, switch the file to
 * WAL and migrate it.
 */
static int
open_conn(const char *path, enum hgw_db which, int readonly,
    const char *const *migrations, int count, sqlite3 **ret)
{
	sqlite3		*db = NULL;
	int64_t		 version;
	char		 sql[64];
	int		 flags, rc, r;

	configure_sqlite();
	flags = readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	flags |= SQLITE_OPEN_NOMUTEX;
	rc = sqlite3_open_v2(path, &db, flags, NULL);
	if (rc != SQLITE_OK) {
		r = state_errno(db, rc);
		log_debug("%s: %s: %s", __func__, path,
		    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto fail;
	}
	if ((rc = sqlite3_busy_timeout(db, STATE_BUSY_TIMEOUT_MS)) !=
	    SQLITE_OK) {
		r = state_errno(db, rc);
		goto fail;
	}
	if ((r = state_exec(db, "PRAGMA foreign_keys = ON")) < 0)
		goto fail;

	if (readonly) {
		/*
		 * No migration: a reader only checks that it understands
		 * what the writers made.  Reading the version also proves
		 * the file is a database we can read (WAL needs -shm).
		 */
		if ((r = pragma_int(db, "PRAGMA user_version", &version)) < 0)
			goto fail;
		if (version != count) {
			log_debug("%s: %s: schema version %lld, expected %d",
			    __func__, path, (long long)version, count);
			r = -EPROTO;
			goto fail;
		}
		conn_register(db, which);
		*ret = db;
		return (0);
	}

	/* journal_mode is persistent in the file; the rest per connection. */
	if ((r = state_exec(db, "PRAGMA journal_mode = WAL")) < 0)
		goto fail;
	if ((r = state_exec(db, which == HGW_DB_LIVE ?
	    "PRAGMA synchronous = OFF" : "PRAGMA synchronous = NORMAL")) < 0)
		goto fail;
	/*
	 * SQLite's own page cache (2 MB by default) copies pages the kernel
	 * caches anyway: live.db is on tmpfs, homegw.db is read back from
	 * the page cache.  natd's filled up writing a flood's rows and was
	 * a fifth of the gateway's memory (issue 18); a transaction bigger
	 * than the cache spills to the WAL, which costs nothing on tmpfs and
	 * only happens for homegw.db's rare big batches.
	 */
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d",
	    STATE_CACHE_KIB);
	if ((r = state_exec(db, sql)) < 0)
		goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit = %d",
	    STATE_JOURNAL_LIMIT);
	if ((r = state_exec(db, sql)) < 0)
		goto fail;
	if ((r = migrate(db, migrations, count)) < 0)
		goto fail;
	conn_register(db, which);
	*ret = db;
	return (0);
 fail:
	sqlite3_close(db);
	return (r);
}

/*
 * A new database is built under a private name, switched to WAL and
 * migrated there, then linked into place.  Daemons starting at once thus
 * never see a half-made file: switching a fresh rollback-journal file to
 * WAL while another process migrates it can deadlock on the file locks,
 * and SQLite then answers SQLITE_BUSY at once instead of waiting.  link()
 * fails if another daemon won the race, and its file is as good as ours.
 */
static int
create_db(const char *path, enum hgw_db which,
    const char *const *migrations, int count)
{
	char		 tmp[PATH_MAX];
	sqlite3		*db;
	int		 n, r;

	n = snprintf(tmp, sizeof(tmp), "%s.new.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return (-ENAMETOOLONG);
	(void)unlink(tmp);	/* left by a crash of an earlier pid */
	if ((r = create_file(tmp)) < 0)
		return (r);
	if ((r = open_conn(tmp, which, 0, migrations, count, &db)) < 0)
		goto out;
	/* The last connection checkpoints and removes -wal and -shm. */
	conn_unregister(db);
	if (sqlite3_close(db) != SQLITE_OK) {
		r = -EIO;
		goto out;
	}
	if (link(tmp, path) == -1 && errno != EEXIST) {
		/* No hard links on this file system: rename instead. */
		if (errno != EPERM && errno != ENOTSUP && errno != EXDEV) {
			r = -errno;
			goto out;
		}
		if (access(path, F_OK) == -1 && rename(tmp, path) == -1) {
			r = -errno;
			goto out;
		}
	}
 out:
	(void)unlink(tmp);
	return (r);
}

/*
 * Which file at a path the daemons use is written in path.lock (the
 * lock of state_recover() too), "dev ino", by every writer that opens
 * it.  It tells a daemon reopening a file that changed under it whether
 * the -wal and -shm beside it belong to the file now at the path
 * (another daemon adopted it first) or to the file that was deleted or
 * replaced: those must go before the new file is opened, or SQLite
 * would read the old file's WAL as the new one's.
 */
static int	 lock_fd = -1;	/* path.lock held by this process */
static int	 reopening;	/* state_reopen(): drop orphans */

static int
lock_take(const char *path, int *fd)
{
	char	 lock[PATH_MAX];
	int	 n;

	*fd = -1;
	if (lock_fd != -1)
		return (0);	/* state_recover() holds it already */
	n = snprintf(lock, sizeof(lock), "%s.lock", path);
	if (n < 0 || (size_t)n >= sizeof(lock))
		return (-ENAMETOOLONG);
	if ((*fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0660)) == -1) {
		/*
		 * A lock file we may not write (left by root): open without
		 * it, as before there was one, rather than not at all.
		 */
		if (errno == EACCES || errno == EPERM || errno == EROFS) {
			log_debug("%s: %s: %s", __func__, lock,
			    strerror(errno));
			return (0);
		}
		return (-errno);
	}
	if (flock(*fd, LOCK_EX) == -1) {
		n = -errno;
		close(*fd);
		*fd = -1;
		return (n);
	}
	lock_fd = *fd;
	return (0);
}

static void
lock_drop(int fd)
{
	if (fd == -1)
		return;
	lock_fd = -1;
	close(fd);
}

/* Is the file at path the one last adopted (recorded in the lock)? */
static int
adopted(const struct stat *sb)
{
	char			 buf[64];
	unsigned long long	 dev, ino;
	ssize_t			 n;

	if (lock_fd == -1 || (n = pread(lock_fd, buf, sizeof(buf) - 1,
	    0)) <= 0)
		return (0);
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &dev, &ino) != 2)
		return (0);
	return (dev == (unsigned long long)sb->st_dev &&
	    ino == (unsigned long long)sb->st_ino);
}

static void
adopt(const char *path)
{
	struct stat	 sb;
	char		 buf[64];
	int		 n;

	if (lock_fd == -1 || stat(path, &sb) == -1)
		return;
	n = snprintf(buf, sizeof(buf), "%llu %llu\n",
	    (unsigned long long)sb.st_dev, (unsigned long long)sb.st_ino);
	if (ftruncate(lock_fd, 0) == -1 ||
	    pwrite(lock_fd, buf, (size_t)n, 0) != n)
		log_debug("%s: %s.lock: %s", __func__, path, strerror(errno));
}

/* The -wal and -shm of a file no longer at path. */
static void
drop_orphans(const char *path)
{
	static const char *const sfx[] = { "-wal", "-shm" };
	char	 buf[PATH_MAX];
	size_t	 i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if (snprintf(buf, sizeof(buf), "%s%s", path, sfx[i]) <
		    (int)sizeof(buf) && unlink(buf) == 0)
			log_debug("%s: removed %s", __func__, buf);
}

/* Open a database with an explicit migration list (for the tests). */
int
state_open_schema(const char *path, enum hgw_db which, int readonly,
    const char *const *migrations, int count, sqlite3 **ret)
{
	struct timespec	 ts;
	struct stat	 sb;
	int		 r, i, fd = -1;

	if (!readonly && (r = lock_take(path, &fd)) < 0)
		return (r);
	if (stat(path, &sb) == -1) {
		if (errno != ENOENT || readonly) {
			r = -errno;
			goto out;
		}
		/* A -wal without its database belongs to no one. */
		drop_orphans(path);
		if ((r = create_db(path, which, migrations, count)) < 0)
			goto out;
	} else if (!readonly && reopening && !adopted(&sb))
		drop_orphans(path);
	/*
	 * Even so, an older or empty file being switched to WAL by another
	 * process can answer SQLITE_BUSY without waiting: try again a few
	 * times after a short, varied pause (this is start-up, not the
	 * loop).
	 */
	for (i = 0;; i++) {
		r = open_conn(path, which, readonly, migrations, count, ret);
		if (r != -EBUSY || i == STATE_BEGIN_TRIES)
			break;
		log_debug("%s: %s busy, retrying", __func__, path);
		ts.tv_sec = 0;
		ts.tv_nsec = (50 + (long)(getpid() % 50) * (i + 1)) * 1000000L;
		nanosleep(&ts, NULL);
	}
	if (r == 0 && !readonly)
		adopt(path);
 out:
	lock_drop(fd);
	return (r);
}

/* Open again a database that changed under a running daemon. */
int
state_reopen(const char *path, enum hgw_db which, sqlite3 **ret)
{
	int	 r;

	reopening = 1;
	r = state_open(path, which, 0, ret);
	reopening = 0;
	return (r);
}

/* Open and migrate one database. */
int
state_open(const char *path, enum hgw_db which, int readonly, sqlite3 **ret)
{
	if (which == HGW_DB_LIVE)
		return (state_open_schema(path, which, readonly, schema_live,
		    schema_live_count, ret));
	return (state_open_schema(path, which, readonly, schema_persist,
	    schema_persist_count, ret));
}

/* Create a directory and its missing parents; the last one gets mode. */
static int
make_dir(const char *dir, mode_t mode)
{
	char	 buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return (-ENAMETOOLONG);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return (-errno);
		*p = '/';
	}
	if (mkdir(buf, mode) == -1) {
		if (errno == EEXIST)
			return (0);
		return (-errno);
	}
	/* mkdir() applies the umask; the group must keep its access. */
	if (chmod(buf, mode) == -1)
		return (-errno);
	return (0);
}

static int
db_path(char *buf, size_t len, const char *dir, const char *file)
{
	int	 n;

	if (dir[0] == '\0')
		return (-EINVAL);
	n = snprintf(buf, len, "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= len)
		return (-ENAMETOOLONG);
	return (0);
}

/*
 * Put a damaged database aside so that a new one can take its place.
 * Daemons starting at once may all find the damage: the lock makes one
 * of them move the file, and the others find the new one good (or
 * missing, and create it).  The damaged file and its -wal and -shm keep
 * their contents under path.corrupt-<time>, for the user to look at or
 * recover from.
 */
int
state_recover(const char *path, enum hgw_db which, char *aside,
    size_t len)
{
	static const char *const sfx[] = { "-wal", "-shm" };
	char		 lock[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
	sqlite3		*db = NULL;
	size_t		 i;
	int		 fd, n, r;

	n = snprintf(lock, sizeof(lock), "%s.lock", path);
	if (n < 0 || (size_t)n >= sizeof(lock))
		return (-ENAMETOOLONG);
	if (lock_fd != -1)
		return (-EDEADLK);
	if ((r = lock_take(path, &fd)) < 0)
		return (r);
	/*
	 * A file that opens may still have damaged pages (found by a
	 * statement or by quick_check): look at all of it before moving.
	 */
	if ((r = state_open(path, which, 0, &db)) == 0)
		r = state_quick_check(db);
	state_close(db);
	if (r != -EUCLEAN) {
		r = r < 0 ? r : 0;
		goto out;
	}
	if ((r = state_aside_name(path, state_now(), aside, len)) < 0)
		goto out;
	if (rename(path, aside) == -1) {
		r = -errno;
		goto out;
	}
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		if (snprintf(from, sizeof(from), "%s%s", path, sfx[i]) >=
		    (int)sizeof(from) || snprintf(to, sizeof(to), "%s%s",
		    aside, sfx[i]) >= (int)sizeof(to))
			continue;
		(void)rename(from, to);
	}
	/* The new file is made at once, under the lock, and adopted. */
	if ((r = state_open(path, which, 0, &db)) == 0) {
		state_close(db);
		r = 1;
	}
 out:
	lock_drop(fd);		/* and the lock with it */
	return (r);
}

/* Open both databases of a config. */
int
state_open_conf(const struct hgw_conf *conf, int readonly,
    sqlite3 **ret_live, sqlite3 **ret_persist)
{
	char		 path[PATH_MAX];
	sqlite3		*live = NULL, *persist = NULL;
	int		 r;

	if (ret_live != NULL) {
		if (!readonly &&
		    (r = make_dir(conf->gateway.run_dir, 0770)) < 0)
			goto fail;
		if ((r = db_path(path, sizeof(path), conf->gateway.run_dir,
		    STATE_LIVE_FILE)) < 0)
			goto fail;
		if ((r = state_open(path, HGW_DB_LIVE, readonly, &live)) < 0)
			goto fail;
	}
	if (ret_persist != NULL) {
		if (!readonly &&
		    (r = make_dir(conf->gateway.state_dir, 0770)) < 0)
			goto fail;
		if ((r = db_path(path, sizeof(path), conf->gateway.state_dir,
		    STATE_PERSIST_FILE)) < 0)
			goto fail;
		if ((r = state_open(path, HGW_DB_PERSIST, readonly,
		    &persist)) < 0)
			goto fail;
	}
	if (ret_live != NULL)
		*ret_live = live;
	if (ret_persist != NULL)
		*ret_persist = persist;
	return (0);
 fail:
	log_debug("%s: %s", __func__, strerror(-r));
	state_close(live);
	return (r);
}

/* Checkpoint and close. */
void
state_close(sqlite3 *db)
{
	int	 moved, one = 1;

	if (db == NULL)
		return;
	moved = state_db_changed(db) != 0;
	conn_unregister(db);
	state_rollback(db);
	/*
	 * The last connection to close deletes -wal and -shm by name: for
	 * a file deleted, replaced or moved aside, those names are now the
	 * new file's.  Persistent WAL keeps SQLite from touching them.
	 */
	if (moved)
		(void)sqlite3_file_control(db, "main",
		    SQLITE_FCNTL_PERSIST_WAL, &one);
	else if (!sqlite3_db_readonly(db, "main"))
		(void)sqlite3_wal_checkpoint_v2(db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	/*
	 * The statements belong to the modules, which may finalize them
	 * before or after this: close_v2 keeps the connection as a zombie
	 * until the last one is finalized, so either order is safe.
	 */
	if (sqlite3_close_v2(db) != SQLITE_OK)
		log_debug("%s: %s", __func__, sqlite3_errmsg(db));
}

/* Has another connection committed since the last call? */
int
state_changed(sqlite3 *db, int64_t *cookie)
{
	int64_t	 v;
	int	 r;

	if ((r = pragma_int(db, "PRAGMA data_version", &v)) < 0)
		return (r);
	if (v == *cookie)
		return (0);
	*cookie = v;
	return (1);
}

/*
 * A checkpoint that may reset the WAL to empty, never waiting: with
 * busy_timeout set, TRUNCATE would block the loop until every reader
 * let go, so the handler is off for this one call.  If readers are
 * active it checkpoints what it can and the next attempt does the rest.
 */
static void
writer_checkpoint(struct state_writer *w)
{
	int	 rc, nlog = 0, nckpt = 0;

	sqlite3_busy_timeout(w->db, 0);
	rc = sqlite3_wal_checkpoint_v2(w->db, NULL,
	    SQLITE_CHECKPOINT_TRUNCATE, &nlog, &nckpt);
	sqlite3_busy_timeout(w->db, STATE_BUSY_TIMEOUT_MS);
	log_debug("%s: rc %d, wal %d frames, %d checkpointed", __func__, rc,
	    nlog, nckpt);
}

/*
 * The code of the statement that failed inside a flush, which the
 * callbacks report only as -EIO: read it before the rollback resets it.
 */
static int
writer_cause(struct state_writer *w, int r)
{
	int	 e;

	if (r != -EIO)
		return (r);
	e = state_errno(w->db, sqlite3_extended_errcode(w->db));
	return (e < 0 ? e : r);
}

static int
writer_run(struct state_writer *w, int tries)
{
	int	 r;

	if (!w->dirty)
		return (0);
	if ((r = begin_tries(w->db, tries)) < 0)
		goto fail;
	/* The callback may mark the writer dirty again: keep that. */
	w->dirty = 0;
	if ((r = w->cb(w->db, w->arg)) < 0) {
		r = writer_cause(w, r);
		state_rollback(w->db);
		w->dirty = 1;
		goto fail;
	}
	if ((r = state_commit(w->db)) < 0) {
		w->dirty = 1;
		goto fail;
	}
	w->failures = 0;
	(void)state_fault_note(&w->fault, w->db, 0);
	if (w->done != NULL)
		w->done(w->arg);
	if (++w->flushes % STATE_CHECKPOINT_FLUSHES == 0)
		writer_checkpoint(w);
	return (0);
 fail:
	w->failures++;
	log_debug("%s: flush failed (%u in a row): %s", __func__, w->failures,
	    strerror(-r));
	return (state_fault_note(&w->fault, w->db, r));
}

static void
writer_timer_cb(int fd, short events, void *arg)
{
	struct state_writer	*w = arg;

	/*
	 * One BEGIN IMMEDIATE attempt: the loop must not wait several busy
	 * timeouts, and the next tick retries with the data still held.
	 */
	(void)writer_run(w, 1);
	if (w->dirty && !evtimer_pending(w->timer, NULL))
		evtimer_add(w->timer, &w->interval);
}

/* A batched writer flushing through cb every interval_ms while dirty. */
struct state_writer *
state_writer_new(struct event_base *base, sqlite3 *db,
    unsigned int interval_ms, state_flush_cb cb, void *arg)
{
	struct state_writer	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return (NULL);
	w->base = base;
	w->db = db;
	w->cb = cb;
	w->arg = arg;
	w->interval.tv_sec = interval_ms / 1000;
	w->interval.tv_usec = (interval_ms % 1000) * 1000;
	if ((w->timer = evtimer_new(base, writer_timer_cb, w)) == NULL) {
		free(w);
		return (NULL);
	}
	state_fault_init(&w->fault, conn_which(db), NULL);
	return (w);
}

/* Set the callback run after each successful commit. */
void
state_writer_on_commit(struct state_writer *w, void (*done)(void *))
{
	w->done = done;
}

/* Note that there is something to flush; the timer is armed if idle. */
void
state_writer_dirty(struct state_writer *w)
{
	w->dirty = 1;
	if (!evtimer_pending(w->timer, NULL))
		evtimer_add(w->timer, &w->interval);
}

/* Flush now if dirty, waiting for the lock like state_begin(). */
int
state_writer_flush(struct state_writer *w)
{
	return (writer_run(w, STATE_BEGIN_TRIES));
}

/*
 * Flush now if dirty, with the one BEGIN IMMEDIATE attempt of a tick: for
 * a daemon that knows when its data is worth writing (natd after a dump).
 * A failure leaves the data, and the timer armed, for the next tick.
 */
int
state_writer_now(struct state_writer *w)
{
	int	 r;

	r = writer_run(w, 1);
	if (w->dirty && !evtimer_pending(w->timer, NULL))
		evtimer_add(w->timer, &w->interval);
	return (r);
}

/* Consecutive failed flushes (0 after a success). */
unsigned int
state_writer_failures(const struct state_writer *w)
{
	return (w->failures);
}

/* 1: failing long enough to say so; -1: works again after that; else 0. */
int
state_writer_report(struct state_writer *w)
{
	if (!w->reported && w->failures >= STATE_WRITER_REPORT_AFTER) {
		w->reported = 1;
		return (1);
	}
	if (w->reported && w->failures == 0) {
		w->reported = 0;
		return (-1);
	}
	return (0);
}

/* Free a writer without flushing; NULL is fine. */
void
state_writer_free(struct state_writer *w)
{
	if (w == NULL)
		return;
	state_fault_done(&w->fault);
	event_free(w->timer);
	free(w);
}

static int
step_done(sqlite3 *db, sqlite3_stmt *st)
{
	int	 rc;

	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		log_debug("%s: %s", __func__, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return (rc == SQLITE_DONE ? 0 : state_errno(db, rc));
}

static int
prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	int	 rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, st, NULL)) != SQLITE_OK) {
		log_debug("%s: %s: %s", __func__, sql, sqlite3_errmsg(db));
		return (state_errno(db, rc));
	}
	return (0);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Upsert this daemon's row in the daemons table. */
int
state_heartbeat(sqlite3 *live, const char *daemon, pid_t pid,
    int64_t started, const char *status)
{
	sqlite3_stmt	*st;
	int		 r;

	if ((r = prepare(live, "INSERT INTO daemons (name, pid, started, "
	    "heartbeat, version, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT (name) DO UPDATE SET pid = excluded.pid, "
	    "started = excluded.started, heartbeat = excluded.heartbeat, "
	    "version = excluded.version, status = excluded.status",
	    &st)) < 0)
		return (r);
	bind_text(st, 1, daemon);
	sqlite3_bind_int64(st, 2, pid);
	sqlite3_bind_int64(st, 3, started);
	sqlite3_bind_int64(st, 4, state_now());
	bind_text(st, 5, HGW_VERSION);
	bind_text(st, 6, status);
	return (step_done(live, st));
}

/* Delete this daemon's row from the daemons table. */
int
state_heartbeat_clear(sqlite3 *live, const char *daemon)
{
	sqlite3_stmt	*st;
	int		 r;

	if ((r = prepare(live, "DELETE FROM daemons WHERE name = ?1",
	    &st)) < 0)
		return (r);
	bind_text(st, 1, daemon);
	return (step_done(live, st));
}

/* Upsert one metric. */
int
state_metric_set(sqlite3 *live, const char *daemon, const char *name,
    double value)
{
	sqlite3_stmt	*st;
	int		 r;

	if ((r = prepare(live, "INSERT INTO metrics (daemon, name, value, "
	    "updated) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (daemon, name) "
	    "DO UPDATE SET value = excluded.value, "
	    "updated = excluded.updated", &st)) < 0)
		return (r);
	bind_text(st, 1, daemon);
	bind_text(st, 2, name);
	sqlite3_bind_double(st, 3, value);
	sqlite3_bind_int64(st, 4, state_now());
	return (step_done(live, st));
}

/* Append one event. */
int
state_event_add(sqlite3 *persist, const char *daemon, const char *kind,
    const char *address, const char *mac_old, const char *mac_new,
    const char *detail)
{
	sqlite3_stmt	*st;
	int		 r;

	if (daemon == NULL || kind == NULL)
		return (-EINVAL);
	if ((r = prepare(persist, "INSERT INTO events (time, daemon, kind, "
	    "address, mac_old, mac_new, detail) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7)", &st)) < 0)
		return (r);
	sqlite3_bind_int64(st, 1, state_now());
	bind_text(st, 2, daemon);
	bind_text(st, 3, kind);
	bind_text(st, 4, address);
	bind_text(st, 5, mac_old);
	bind_text(st, 6, mac_new);
	bind_text(st, 7, detail);
	return (step_done(persist, st));
}

/* Is s a plain SQL identifier (spliced into SQL text, never quoted)? */
static int
is_ident(const char *s)
{
	size_t	 i;

	if (s == NULL || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return (0);
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= STATE_IDENT_MAX)
			return (0);
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return (0);
	}
	return (1);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t	 n = strlen(s), m = strlen(suffix);

	return (n >= m && strcmp(s + n - m, suffix) == 0);
}

/*
 * The pruning functions run inside the caller's transaction when there is
 * one, else in one of their own: own_begin() opens it when needed and
 * own_end() commits it, or rolls it back when r says the work failed.
 */
static int
own_begin(sqlite3 *db, int *own)
{
	*own = sqlite3_get_autocommit(db);
	return (*own ? state_begin(db) : 0);
}

static int
own_end(sqlite3 *db, int own, int r)
{
	if (!own)
		return (r);
	if (r < 0) {
		state_rollback(db);
		return (r);
	}
	return (state_commit(db));
}

/* Delete rows too old, then the oldest beyond max_rows. */
int
state_prune(sqlite3 *db, const char *table, const char *time_column,
    int64_t max_age_s, int64_t max_rows)
{
	char		 sql[256];
	sqlite3_stmt	*st;
	int64_t		 cutoff;
	int		 own, r = 0;

	if (!is_ident(table) || !is_ident(time_column))
		return (-EINVAL);
	if ((r = own_begin(db, &own)) < 0)
		return (r);
	if (max_age_s > 0) {
		/* Columns named *_ms hold milliseconds (see schema.c). */
		if (ends_with(time_column, "_ms"))
			cutoff = state_now_ms() - max_age_s * 1000;
		else
			cutoff = state_now() - max_age_s;
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s < ?1",
		    table, time_column);
		if ((r = prepare(db, sql, &st)) < 0)
			goto out;
		sqlite3_bind_int64(st, 1, cutoff);
		if ((r = step_done(db, st)) < 0)
			goto out;
	}
	if (max_rows > 0) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE rowid IN "
		    "(SELECT rowid FROM %s ORDER BY %s DESC, rowid DESC "
		    "LIMIT -1 OFFSET ?1)", table, table, time_column);
		if ((r = prepare(db, sql, &st)) < 0)
			goto out;
		sqlite3_bind_int64(st, 1, max_rows);
		if ((r = step_done(db, st)) < 0)
			goto out;
	}
 out:
	return (own_end(db, own, r));
}

/* Delete one daemon's events too old, then its oldest beyond max_rows. */
int
state_prune_events(sqlite3 *db, const char *daemon, int64_t max_age_s,
    int64_t max_rows)
{
	sqlite3_stmt	*st;
	int		 own, r = 0;

	if (daemon == NULL)
		return (-EINVAL);
	if ((r = own_begin(db, &own)) < 0)
		return (r);
	if (max_age_s > 0) {
		if ((r = prepare(db, "DELETE FROM events WHERE daemon = ?1 AND "
		    "time < ?2", &st)) < 0)
			goto out;
		bind_text(st, 1, daemon);
		sqlite3_bind_int64(st, 2, state_now() - max_age_s);
		if ((r = step_done(db, st)) < 0)
			goto out;
	}
	if (max_rows > 0) {
		if ((r = prepare(db, "DELETE FROM events WHERE id IN "
		    "(SELECT id FROM events WHERE daemon = ?1 "
		    "ORDER BY time DESC, id DESC LIMIT -1 OFFSET ?2)",
		    &st)) < 0)
			goto out;
		bind_text(st, 1, daemon);
		sqlite3_bind_int64(st, 2, max_rows);
		if ((r = step_done(db, st)) < 0)
			goto out;
	}
 out:
	return (own_end(db, own, r));
}

/*
 * The connections this process opened through state_open(), with the
 * identity of their file at open time: a daemon holds at most a few, so
 * a small table will do.  A connection missing from it (opened by other
 * means, or beyond the table) is simply never reported as changed.
 */
#define STATE_CONNS_MAX		16

struct state_conn {
	sqlite3		*db;
	enum hgw_db	 which;
	dev_t		 dev;
	ino_t		 ino;
	int		 damaged;
};

static struct state_conn	 conns[STATE_CONNS_MAX];
static struct state_fault	*faults;
static uint64_t			 fault_total;

static struct state_conn *
conn_find(sqlite3 *db)
{
	size_t	 i;

	if (db == NULL)
		return (NULL);
	for (i = 0; i < STATE_CONNS_MAX; i++)
		if (conns[i].db == db)
			return (&conns[i]);
	return (NULL);
}

static void
conn_register(sqlite3 *db, enum hgw_db which)
{
	struct state_conn	*c;
	struct stat		 sb;
	const char		*path;
	size_t			 i;

	for (i = 0; i < STATE_CONNS_MAX; i++)
		if (conns[i].db == NULL)
			break;
	if (i == STATE_CONNS_MAX)
		return;
	c = &conns[i];
	memset(c, 0, sizeof(*c));
	c->db = db;
	c->which = which;
	path = sqlite3_db_filename(db, "main");
	if (path != NULL && stat(path, &sb) == 0) {
		c->dev = sb.st_dev;
		c->ino = sb.st_ino;
	}
}

static void
conn_unregister(sqlite3 *db)
{
	struct state_conn	*c;

	if ((c = conn_find(db)) != NULL)
		memset(c, 0, sizeof(*c));
}

static void
conn_damaged(sqlite3 *db)
{
	struct state_conn	*c;

	if ((c = conn_find(db)) != NULL)
		c->damaged = 1;
}

static enum hgw_db
conn_which(sqlite3 *db)
{
	struct state_conn	*c;
	const char		*path;
	size_t			 n, m = strlen(STATE_LIVE_FILE);

	if ((c = conn_find(db)) != NULL)
		return (c->which);
	path = db != NULL ? sqlite3_db_filename(db, "main") : NULL;
	if (path != NULL && (n = strlen(path)) >= m &&
	    strcmp(path + n - m, STATE_LIVE_FILE) == 0)
		return (HGW_DB_LIVE);
	return (HGW_DB_PERSIST);
}

/* Deleted or replaced under us (1), or found damaged (2)? */
int
state_db_changed(sqlite3 *db)
{
	struct state_conn	*c;
	struct stat		 sb;
	const char		*path;

	if ((c = conn_find(db)) == NULL)
		return (0);
	if (c->damaged)
		return (2);
	if ((path = sqlite3_db_filename(db, "main")) == NULL || *path == '\0')
		return (0);
	if (stat(path, &sb) == -1)
		return (errno == ENOENT ? 1 : 0);
	return (sb.st_dev != c->dev || sb.st_ino != c->ino);
}

/* PRAGMA quick_check: 0 when "ok". */
int
state_quick_check(sqlite3 *db)
{
	sqlite3_stmt	*st;
	const char	*t;
	int		 rc, r = 0;

	if ((rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st,
	    NULL)) != SQLITE_OK)
		return (state_errno(db, rc));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(st, 0);
		if (t == NULL || strcmp(t, "ok") != 0) {
			log_debug("%s: %s", __func__, t != NULL ? t : "?");
			r = -EUCLEAN;
			conn_damaged(db);
		}
	} else
		r = state_errno(db, rc);
	sqlite3_finalize(st);
	return (r);
}

/* The name a damaged file gets when moved aside at time t. */
int
state_aside_name(const char *path, int64_t t, char *buf, size_t len)
{
	int	 n;

	n = snprintf(buf, len, "%s.corrupt-%lld", path, (long long)t);
	return (n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0);
}

/* The directory of a database file, for the words. */
void
state_db_dir(sqlite3 *db, char *buf, size_t len)
{
	const char	*path, *slash;

	buf[0] = '\0';
	if (db == NULL || (path = sqlite3_db_filename(db, "main")) == NULL ||
	    (slash = strrchr(path, '/')) == NULL)
		return;
	snprintf(buf, len, "%.*s", (int)(slash - path), path);
	if (buf[0] == '\0')
		snprintf(buf, len, "/");
}

/* "homegw.db: no space left on /var/lib/homegw" */
void
state_fault_text(enum hgw_db which, const char *dir, int err, char *buf,
    size_t len)
{
	const char	*file = which == HGW_DB_LIVE ? STATE_LIVE_FILE :
	    STATE_PERSIST_FILE;
	int		 named = dir != NULL && *dir != '\0';

	if (err < 0)
		err = -err;
	switch (err) {
	case ENOSPC:
	case EDQUOT:
		if (named)
			snprintf(buf, len, "%s: no space left on %s", file,
			    dir);
		else
			snprintf(buf, len, "%s: no space left", file);
		break;
	case EROFS:
		snprintf(buf, len, "%s: read-only%s%s%s", file,
		    named ? " (" : "", named ? dir : "", named ? ")" : "");
		break;
	case EACCES:
	case EPERM:
		snprintf(buf, len, "%s: permission denied%s%s%s", file,
		    named ? " (" : "", named ? dir : "", named ? ")" : "");
		break;
	case EUCLEAN:
		snprintf(buf, len, "%s: damaged", file);
		break;
	case EBUSY:
		snprintf(buf, len, "%s: locked by another process", file);
		break;
	case ENOMEM:
		snprintf(buf, len, "%s: out of memory", file);
		break;
	case EIO:
		snprintf(buf, len, "%s: input/output error%s%s (failing "
		    "storage?)", file, named ? " on " : "", named ? dir : "");
		break;
	default:
		snprintf(buf, len, "%s: %s", file, strerror(err));
		break;
	}
}

/* Set up a fault record and add it to the process's list. */
void
state_fault_init(struct state_fault *f, enum hgw_db which, const char *what)
{
	memset(f, 0, sizeof(*f));
	f->which = which;
	f->what = what;
	f->next = faults;
	faults = f;
}

/* Take a fault record off the list. */
void
state_fault_done(struct state_fault *f)
{
	struct state_fault	**pp;

	for (pp = &faults; *pp != NULL; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
}

/* The shared path: every write attempt's result, logged rate-limited. */
int
state_fault_note(struct state_fault *f, sqlite3 *db, int r)
{
	char		 cause[PATH_MAX + 64], dir[PATH_MAX], what[96];
	int64_t		 now = state_now();

	what[0] = '\0';
	if (f->what != NULL)
		snprintf(what, sizeof(what), " (%s)", f->what);
	if (r >= 0) {
		if (f->logged)
			log_warnx("%s: writing%s works again: recovered after "
			    "%u failures in %lld s",
			    f->which == HGW_DB_LIVE ? STATE_LIVE_FILE :
			    STATE_PERSIST_FILE, what, f->failures,
			    (long long)(now - f->since));
		f->failures = 0;
		f->logged = 0;
		f->err = 0;
		return (r);
	}
	fault_total++;
	if (f->failures++ == 0)
		f->since = now;
	f->err = -r;
	/* Busy for a moment is normal: only a busy streak is news. */
	if (!f->logged && r == -EBUSY &&
	    f->failures < STATE_WRITER_REPORT_AFTER)
		return (r);
	if (f->logged && now - f->last_log < STATE_FAULT_REPEAT_S)
		return (r);
	state_db_dir(db, dir, sizeof(dir));
	state_fault_text(f->which, dir, r, cause, sizeof(cause));
	if (!f->logged)
		log_warnx("%s: writing%s failed; the data stays in memory and "
		    "the write is retried", cause, what);
	else
		log_warnx("%s: writing%s still fails: %u failures in %lld s",
		    cause, what, f->failures, (long long)(now - f->since));
	f->logged = 1;
	f->last_log = now;
	return (r);
}

/* The errno of the longest persisting failure on which, or 0. */
int
state_fault_current(enum hgw_db which)
{
	struct state_fault	*f, *worst = NULL;

	for (f = faults; f != NULL; f = f->next)
		if (f->which == which && f->logged &&
		    (worst == NULL || f->since < worst->since))
			worst = f;
	return (worst != NULL ? worst->err : 0);
}

uint64_t
state_fault_total(void)
{
	return (fault_total);
}

void
state_writer_name(struct state_writer *w, const char *what)
{
	w->fault.what = what;
}

void
state_writer_set_db(struct state_writer *w, sqlite3 *db)
{
	w->db = db;
	w->fault.which = conn_which(db);
}

static int
pidfile_path(char *buf, size_t len, const char *run_dir, const char *name)
{
	int	 n;

	if (run_dir == NULL || *run_dir == '\0')
		return (-EINVAL);
	n = snprintf(buf, len, "%s/%s.pid", run_dir, name);
	return (n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0);
}

/*
 * The lock, not the pid, is the proof: a pid can be reused, a lock dies
 * with its process.  The file is 0660 like the databases, so any member
 * of the group can test the lock with a shared one.
 */
int
state_pidfile(const char *run_dir, const char *name)
{
	char	 path[PATH_MAX], buf[32];
	int	 fd, n, r;

	if ((r = pidfile_path(path, sizeof(path), run_dir, name)) < 0)
		return (r);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660)) == -1)
		return (-errno);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		r = errno == EWOULDBLOCK ? -EEXIST : -errno;
		close(fd);
		return (r);
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)n, 0) != n) {
		r = -errno;
		close(fd);
		return (r);
	}
	return (fd);
}

int
state_daemon_alive(const char *run_dir, const char *name, int64_t *pid)
{
	char	 path[PATH_MAX], buf[32];
	ssize_t	 n;
	int	 fd, r;

	if (pid != NULL)
		*pid = 0;
	if (pidfile_path(path, sizeof(path), run_dir, name) < 0)
		return (-1);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) > 0 && pid != NULL) {
		buf[n] = '\0';
		*pid = strtoll(buf, NULL, 10);
	}
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		r = 0;		/* nobody holds it: the daemon is gone */
		(void)flock(fd, LOCK_UN);
	} else
		r = errno == EWOULDBLOCK ? 1 : -1;
	close(fd);
	return (r);
}

/* Does /proc/PID/comm name homegw-<name>? */
static int
comm_is(int64_t pid, const char *name)
{
	char	 path[64], want[64], buf[64];
	ssize_t	 n;
	int	 fd;

	if (pid <= 0 || pid > INT32_MAX)
		return (0);
	snprintf(path, sizeof(path), "/proc/%lld/comm", (long long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return (0);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	/* The kernel keeps 15 characters of a command's name. */
	snprintf(want, sizeof(want), "homegw-%s", name);
	want[15] = '\0';
	return (strcmp(buf, want) == 0);
}

const char *
state_daemon_state(const char *run_dir, const char *name, int has_row,
    int64_t pid, int64_t heartbeat, int64_t now)
{
	int	 alive;

	if ((alive = state_daemon_alive(run_dir, name, NULL)) < 0)
		alive = has_row && comm_is(pid, name);
	if (!alive)
		return ("not running");
	if (has_row && now - heartbeat > STATE_HEARTBEAT_STALE_S)
		return ("stale");
	return ("running");
}

int
state_result(sqlite3 *db, int rc)
{
	return (state_errno(db, rc));
}
