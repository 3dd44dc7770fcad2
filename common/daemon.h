/*
 * SPDX-License-Identifier: ISC
 *
 * daemon.h: the life of a homegw daemon, shared by all of them.  Owns the
 * command line (-c -f -n -v -h -V), loading the config, signal events
 * (TERM/INT: stop; HUP: reload; PIPE: ignored), sd_notify over
 * $NOTIFY_SOCKET, the watchdog and heartbeat timers, and dropping
 * privileges.  A daemon's main() reads like this:
 *
 *	struct hgw_daemon d = { .name = "dnsd", .usage = USAGE, ... };
 *	daemon_init(&d, argc, argv);      parse, load config, -n exits here
 *	... open sockets, netlink, databases (daemon_open_state) ...
 *	daemon_drop_privileges(&d, caps, ncaps);
 *	... enumerate kernel state ...
 *	daemon_start(&d);                 signals, timers, READY=1
 *	event_base_dispatch(d.base);
 *	daemon_stop(&d);                  STOPPING=1, final flush (d.flush)
 *	... free the daemon's own objects in reverse order ...
 *	daemon_free(&d);                  databases, config, event base
 */
#ifndef HGW_DAEMON_H
#define HGW_DAEMON_H

#include <stdint.h>
#include <sqlite3.h>

#include "state.h"

struct event;
struct event_base;
struct hgw_conf;

struct hgw_daemon {
	/* Set by the daemon before daemon_init(). */
	const char	*name;		/* "dnsd": log prefix, heartbeat row */
	const char	*usage;		/* "[-fhnvV] [-c file]", as in the man page */
	/*
	 * Reload: called from the SIGHUP event with a new, valid config.
	 * Apply the differences and return 0: daemon.c then frees the old
	 * config and d->conf points at the new one.  Return -1 to refuse
	 * it (daemon.c frees the new config and keeps the old).
	 */
	int		(*reload)(struct hgw_daemon *, struct hgw_conf *newconf);
	/* Final flush at stop; may block on SQLite.  May be NULL. */
	void		(*flush)(struct hgw_daemon *);
	/* Short status text for the heartbeat row; may be NULL. */
	const char	*(*status)(struct hgw_daemon *);
	void		*arg;		/* the daemon's own context */
	/*
	 * A database was reopened under the daemon (live.db deleted or
	 * replaced, homegw.db moved aside after damage): d->live or
	 * d->persist is the new handle.  Finalize the statements prepared
	 * on the old one, prepare them again, point the writers at the new
	 * handle (state_writer_set_db) and mark every row to be written
	 * again.  The old handle is closed after the call.  May be NULL.
	 */
	void		(*reopen)(struct hgw_daemon *, enum hgw_db which);
	/*
	 * Set by the one daemon that checks homegw.db with PRAGMA
	 * quick_check at start and every DAEMON_CHECK_S (addrd).
	 */
	int		 check_db;

	/* Filled in by daemon_init(). */
	struct event_base *base;
	struct hgw_conf	*conf;
	const char	*conf_path;
	int		 foreground;
	int		 verbose;
	int64_t		 started;	/* seconds since the epoch */
	sqlite3		*live;		/* set by daemon_open_state() */
	sqlite3		*persist;

	/* Private to daemon.c. */
	struct event	*ev_sigterm, *ev_sigint, *ev_sighup, *ev_sigpipe;
	struct event	*ev_heartbeat;
	uint64_t	 watchdog_usec;
	int		 stopping;
	int		 pidfd;		/* the locked pid file, or -1 */
	int64_t		 next_check;	/* next quick_check */
	int64_t		 db_reset;	/* homegw.db moved aside, or 0 */
	struct state_fault hb_fault;	/* heartbeat and metrics rows */
	struct state_fault reopen_fault[HGW_DB_MAX];
};

/* quick_check of homegw.db, by the daemon with check_db set. */
#define DAEMON_CHECK_S		3600
/* How long the alert about a damaged homegw.db stays. */
#define DAEMON_RESET_ALERT_S	86400

/*
 * Parse the command line, set up logging, create the event base and load
 * the config.  Exits with 78 (EX_CONFIG, after printing every config
 * error) if the config is invalid, and with 0 after "-n" once the config
 * is checked.
 */
void	daemon_init(struct hgw_daemon *, int argc, char **argv);
/* Open live.db and homegw.db for d->conf; fatal on failure. */
void	daemon_open_state(struct hgw_daemon *);
/*
 * When running as root, switch to the configured user (d->conf->gateway.user)
 * keeping only the listed capabilities (CAP_NET_ADMIN, ...) in the
 * permitted, effective and ambient sets, then set PR_SET_NO_NEW_PRIVS.
 * Not root: check that the needed capabilities are effective and fail
 * with a message naming any that are missing.  Returns 0, or -1 after
 * logging why.
 */
int	daemon_drop_privileges(struct hgw_daemon *, const int *caps, int ncaps);
/* Add signal events and timers, write the heartbeat, send READY=1. */
void	daemon_start(struct hgw_daemon *);
/* Leave the loop (from any callback). */
void	daemon_exit(struct hgw_daemon *);
/*
 * After the loop: STOPPING=1, the final flush (d->flush), heartbeat row
 * removed, signal and timer events freed.  The databases stay open so the
 * daemon can free its writers; daemon_free() closes them.
 */
void	daemon_stop(struct hgw_daemon *);
/* Close the databases, free the config and the event base. */
void	daemon_free(struct hgw_daemon *);
/* Send a raw sd_notify message ("READY=1\nSTATUS=..."); no-op without systemd. */
int	daemon_notify(const char *msg);
/*
 * A configuration error found at start: log one line naming the cause and
 * the fix, and exit 78 (EX_CONFIG), which the units exempt from restarts.
 */
void	daemon_fatal_config(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/*
 * Write the heartbeat row now (also done on a timer), with the metrics
 * every daemon publishes about its storage: db_write_failures,
 * db_error_live and db_error_persist (the errno of a persisting write
 * failure, 0 when none) and db_reset (when this daemon moved a damaged
 * homegw.db aside, for a day).
 */
void	daemon_heartbeat(struct hgw_daemon *);
/*
 * Notice a database deleted, replaced or damaged under us and reopen it
 * (calling d->reopen); run from the heartbeat timer, every few seconds.
 */
void	daemon_check_state(struct hgw_daemon *);

#endif /* HGW_DAEMON_H */
