/*
 * SPDX-License-Identifier: ISC
 *
 * daemon.c: the life of a homegw daemon.  Owns option parsing, loading and
 * reloading the config, signal events, sd_notify, the watchdog and
 * heartbeat timers, and dropping privileges.  It knows nothing about what
 * a daemon does: the daemon hands in reload, flush and status callbacks.
 * This is the one common/ module that logs above debug, because it is the
 * daemon's own voice for these decisions (config errors, reload result).
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <linux/capability.h>
#include <errno.h>
#include <grp.h>
#include <malloc.h>
#include <stddef.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "state.h"

#define HEARTBEAT_INTERVAL_S	5

static void
usage(const struct hgw_daemon *d)
{
	fprintf(stderr, "usage: homegw-%s %s\n", d->name,
	    d->usage != NULL ? d->usage : "[-fhnvV] [-c file]");
	exit(1);
}

static void
print_conf_errors(const char *path, const char *errors)
{
	const char	*p, *nl;

	if (errors == NULL) {
		log_warn("%s", path);
		return;
	}
	/* One log line per error, so syslog keeps them apart. */
	for (p = errors; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL) {
			log_warnx("%s", p);
			break;
		}
		log_warnx("%.*s", (int)(nl - p), p);
	}
}

/*
 * glibc's malloc raises its mmap threshold each time a big block is
 * freed, up to 32 MB: after libnftables' 640 KiB buffers, or a flood's
 * batches, every later big allocation came from the heap, and a heap
 * gives back only what is free at its top.  natd's heap was 2.4 MB at a
 * home load, and the five daemons held 1.4 MB more than with a fixed
 * threshold (issue 18).  Blocks of 64 KiB and more get mappings of their
 * own, returned when freed, and the heap is trimmed once 128 KiB are
 * free at its top.  A few more mmap calls a minute are the cost.
 */
static void
malloc_setup(void)
{
	(void)mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	(void)mallopt(M_TRIM_THRESHOLD, 128 * 1024);
}

/* Parse options, start logging, load the config, create the event base. */
void
daemon_init(struct hgw_daemon *d, int argc, char **argv)
{
	char	*errors = NULL;
	int	 ch, checkonly = 0;

	malloc_setup();
	d->conf_path = HGW_CONF_PATH;
	log_procinit(d->name);
	log_init(1, LOG_DAEMON);
	while ((ch = getopt(argc, argv, "c:fhnvV")) != -1) {
		switch (ch) {
		case 'c':
			d->conf_path = optarg;
			break;
		case 'f':
			d->foreground = 1;
			break;
		case 'n':
			checkonly = 1;
			break;
		case 'v':
			d->verbose++;
			break;
		case 'V':
			printf("homegw-%s %s\n", d->name, HGW_VERSION);
			exit(0);
		default:
			usage(d);
		}
	}
	if (optind != argc)
		usage(d);
	log_setverbose(d->verbose);

	if ((d->conf = conf_load(d->conf_path, &errors)) == NULL) {
		/* EX_CONFIG: the unit's RestartPreventExitStatus= stops here. */
		if (errors == NULL)
			daemon_fatal_config("cannot read %s: %s (it must exist "
			    "and be readable by the daemons' group: 0640 "
			    "root:homegw)", d->conf_path, strerror(errno));
		print_conf_errors(d->conf_path, errors);
		free(errors);
		daemon_fatal_config("%s is invalid: fix the lines above, check "
		    "with \"homegwctl check-config\", then restart", d->conf_path);
	}
	if (checkonly) {
		if (d->verbose)
			conf_print(stdout, d->conf);
		fprintf(stderr, "configuration OK\n");
		conf_free(d->conf);
		exit(0);
	}

	/*
	 * Under systemd, stderr goes to the journal as well, but syslog keeps
	 * the priority; in the foreground stderr is the place.
	 */
	if (!d->foreground && getenv("HGW_LOG_STDERR") == NULL)
		log_init(0, LOG_DAEMON);
	if ((d->base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	log_libevent();
	d->started = state_now();
}

/*
 * Under root, hand the run and state directories to the user the daemon
 * will run as, the way systemd's RuntimeDirectory= and StateDirectory= do,
 * so that daemons started by hand (the lab, the demo) can share the
 * databases after dropping privileges.
 */
static void
own_dir(const char *dir, uid_t uid, gid_t gid)
{
	static const char *const files[] = { "live.db", "live.db-wal",
	    "live.db-shm", "live.db.lock", "homegw.db", "homegw.db-wal",
	    "homegw.db-shm", "homegw.db.lock" };
	char	 path[PATH_MAX];
	size_t	 i;

	if (mkdir(dir, 0770) == -1 && errno != EEXIST) {
		log_warn("cannot create \"%s\"", dir);
		return;
	}
	if (chown(dir, uid, gid) == -1 || chmod(dir, 0770) == -1)
		log_warn("cannot hand \"%s\" to the daemon user", dir);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (chown(path, uid, gid) == -1 && errno != ENOENT)
			log_warn("chown \"%s\"", path);
		else if (chmod(path, 0660) == -1 && errno != ENOENT)
			log_warn("chmod \"%s\"", path);
	}
}

/* A damaged homegw.db was moved aside: say so, remember it for a day. */
static void
note_reset(struct hgw_daemon *d, const char *path, const char *aside)
{
	const char	*t;

	log_warnx("%s was damaged: moved to %s, starting a new one "
	    "(station history, events and traffic history start empty)",
	    path, aside);
	if ((t = strrchr(aside, '-')) != NULL)
		d->db_reset = strtoll(t + 1, NULL, 10);
	if (d->db_reset <= 0)
		d->db_reset = state_now();
}

/* The event in the new homegw.db, so that the reset outlives live.db. */
static void
reset_event(struct hgw_daemon *d)
{
	char	 path[PATH_MAX], aside[PATH_MAX], detail[PATH_MAX + 64];

	if (d->persist == NULL || d->db_reset <= 0 ||
	    conf_persist_db(d->conf, path, sizeof(path)) < 0 ||
	    state_aside_name(path, d->db_reset, aside, sizeof(aside)) < 0)
		return;
	snprintf(detail, sizeof(detail), "homegw.db was damaged and moved "
	    "to %s; a new one was started", aside);
	(void)state_event_add(d->persist, d->name, "db_reset", NULL, NULL,
	    NULL, detail);
}

/*
 * A damaged database (an SD card's bad day) must not keep the gateway
 * down: put it aside, say where, and let a new one take its place.
 * Returns how many files were moved.
 */
static int
recover_state(struct hgw_daemon *d)
{
	char	 path[PATH_MAX], aside[PATH_MAX];
	int	 moved = 0, r;

	conf_live_db(d->conf, path, sizeof(path));
	if ((r = state_recover(path, HGW_DB_LIVE, aside, sizeof(aside))) > 0) {
		log_warnx("%s was damaged: moved to %s, starting a new one",
		    path, aside);
		moved++;
	}
	if (snprintf(path, sizeof(path), "%s/%s", d->conf->gateway.state_dir,
	    STATE_PERSIST_FILE) >= (int)sizeof(path))
		return (moved);
	if ((r = state_recover(path, HGW_DB_PERSIST, aside,
	    sizeof(aside))) > 0) {
		note_reset(d, path, aside);
		moved++;
	} else if (r < 0)
		log_warnx("cannot check %s: %s", path, strerror(-r));
	return (moved);
}

/* Open live.db and homegw.db; fatal on failure. */
void
daemon_open_state(struct hgw_daemon *d)
{
	struct passwd	*pw;
	char		 path[PATH_MAX];
	int		 r;

	/* Group-writable files: every daemon shares the databases. */
	umask(0007);
	if (geteuid() == 0 && (pw = getpwnam(d->conf->gateway.user)) != NULL) {
		own_dir(d->conf->gateway.run_dir, pw->pw_uid, pw->pw_gid);
		own_dir(d->conf->gateway.state_dir, pw->pw_uid, pw->pw_gid);
	}
	if ((r = state_open_conf(d->conf, 0, &d->live, &d->persist)) ==
	    -EUCLEAN && recover_state(d) > 0)
		r = state_open_conf(d->conf, 0, &d->live, &d->persist);
	if (r < 0) {
		conf_live_db(d->conf, path, sizeof(path));
		/*
		 * Read-only or forbidden is the sandbox or the file system,
		 * not a passing fault: restarting cannot help, so say what
		 * would, once, and stop (exit 78, no restart loop).
		 */
		if (r == -EROFS || r == -EACCES || r == -EPERM)
			daemon_fatal_config("cannot open the state databases "
			    "(%s, %s/homegw.db): %s: the directories of "
			    "[gateway] run_dir and state_dir must be writable "
			    "by user %s; under systemd run \"systemctl "
			    "daemon-reload\" after changing them, so that "
			    "the units may write there", path,
			    d->conf->gateway.state_dir, strerror(-r),
			    d->conf->gateway.user);
		fatalx("cannot open the state databases (%s, %s/homegw.db): %s",
		    path, d->conf->gateway.state_dir, strerror(-r));
	}
	/*
	 * Damaged pages do not stop a file from opening: the checking
	 * daemon reads all of it once now (a tenth of a second for a
	 * 36 MB file here, about a second on a Pi's SD card).
	 */
	if (d->check_db && state_quick_check(d->persist) == -EUCLEAN) {
		state_close(d->persist);
		d->persist = NULL;
		if (recover_state(d) > 0 &&
		    (r = state_open_conf(d->conf, 0, NULL, &d->persist)) < 0)
			fatalx("cannot open a new %s/homegw.db: %s",
			    d->conf->gateway.state_dir, strerror(-r));
		if (d->persist == NULL)
			fatalx("%s/homegw.db is damaged and could not be "
			    "moved aside", d->conf->gateway.state_dir);
	}
	d->next_check = state_now() + DAEMON_CHECK_S;
	reset_event(d);
	state_fault_init(&d->hb_fault, HGW_DB_LIVE, "heartbeat and metrics");
	state_fault_init(&d->reopen_fault[HGW_DB_LIVE], HGW_DB_LIVE,
	    "a new live.db");
	state_fault_init(&d->reopen_fault[HGW_DB_PERSIST], HGW_DB_PERSIST,
	    "a new homegw.db");
	if (geteuid() == 0 && (pw = getpwnam(d->conf->gateway.user)) != NULL) {
		/* The files now exist (or got their -wal/-shm): own them. */
		own_dir(d->conf->gateway.run_dir, pw->pw_uid, pw->pw_gid);
		own_dir(d->conf->gateway.state_dir, pw->pw_uid, pw->pw_gid);
	}
}

static const char *
cap_name(int cap)
{
	switch (cap) {
	case CAP_NET_ADMIN:
		return ("CAP_NET_ADMIN");
	case CAP_NET_RAW:
		return ("CAP_NET_RAW");
	case CAP_NET_BIND_SERVICE:
		return ("CAP_NET_BIND_SERVICE");
	case CAP_NET_BROADCAST:
		return ("CAP_NET_BROADCAST");
	default:
		return ("a capability");
	}
}

static int
caps_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };

	return ((int)syscall(SYS_capget, &hdr, data));
}

static int
caps_set(const int *caps, int ncaps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];
	int	 i;

	memset(data, 0, sizeof(data));
	for (i = 0; i < ncaps; i++) {
		data[caps[i] / 32].effective |= 1U << (caps[i] % 32);
		data[caps[i] / 32].permitted |= 1U << (caps[i] % 32);
		data[caps[i] / 32].inheritable |= 1U << (caps[i] % 32);
	}
	return ((int)syscall(SYS_capset, &hdr, data));
}

/*
 * Drop to the configured user keeping only caps (networkd's
 * drop_privileges shape), or check the caps we were given.
 */
int
daemon_drop_privileges(struct hgw_daemon *d, const int *caps, int ncaps)
{
	struct __user_cap_data_struct data[2];
	struct passwd	*pw;
	int		 i, missing = 0;

	if (geteuid() != 0)
		goto check;

	if ((pw = getpwnam(d->conf->gateway.user)) == NULL) {
		log_warnx("user \"%s\" does not exist: create it (useradd "
		    "--system --user-group homegw) or set [gateway] user",
		    d->conf->gateway.user);
		return (-1);
	}
	if (pw->pw_uid == 0) {
		log_info("[gateway] user is root: keeping full privileges");
		return (0);
	}
	/* Keep the permitted set across setuid so we can pick from it. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1 ||
	    setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		log_warn("cannot switch to user \"%s\"", pw->pw_name);
		return (-1);
	}
	if (caps_set(caps, ncaps) == -1) {
		log_warn("cannot keep capabilities");
		return (-1);
	}
	for (i = 0; i < ncaps; i++) {
		/*
		 * Ambient too, so that helper programs we might exec keep
		 * them; harmless when we exec nothing.
		 */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, caps[i], 0,
		    0) == -1)
			log_debug("%s: ambient %s: %s", __func__,
			    cap_name(caps[i]), strerror(errno));
	}
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("prctl");
		return (-1);
	}
#if defined(__SANITIZE_ADDRESS__)
	/*
	 * Changing uid clears the dumpable flag, and LeakSanitizer cannot
	 * stop a non-dumpable process to scan it at exit.  Only sanitizer
	 * (test) builds turn it back on.
	 */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
#endif
	log_debug("%s: running as %s", __func__, pw->pw_name);

check:
	if (caps_get(data) == -1) {
		log_warn("capget");
		return (-1);
	}
	for (i = 0; i < ncaps; i++) {
		if ((data[caps[i] / 32].effective & (1U << (caps[i] % 32))) ==
		    0) {
			log_warnx("missing capability %s: run as root, or "
			    "under systemd with AmbientCapabilities=%s",
			    cap_name(caps[i]), cap_name(caps[i]));
			missing++;
		}
	}
	return (missing ? -1 : 0);
}

/*
 * A configuration error at start: one line that names the cause and the
 * fix, then exit 78 (EX_CONFIG).  The units carry
 * RestartPreventExitStatus=78, so systemd stops there instead of
 * restarting a daemon that cannot start until someone edits the file.
 */
void
daemon_fatal_config(const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s", msg);
	daemon_notify("STATUS=configuration error, not restarting");
	exit(EX_CONFIG);
}

/* Send a message to systemd's notify socket, if there is one. */
int
daemon_notify(const char *msg)
{
	struct sockaddr_un	 sun;
	const char		*path;
	socklen_t		 len;
	int			 fd, r;

	if ((path = getenv("NOTIFY_SOCKET")) == NULL || *path == '\0')
		return (0);
	if ((*path != '/' && *path != '@') || strlen(path) >= sizeof(sun.sun_path))
		return (-EINVAL);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return (-errno);
	r = (int)sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len);
	if (r == -1)
		r = -errno;
	close(fd);
	return (r < 0 ? r : 0);
}

/* The rows every daemon keeps about its storage (see daemon.h). */
static int
storage_metrics(struct hgw_daemon *d)
{
	int	 r;

	if ((r = state_metric_set(d->live, d->name, "db_write_failures",
	    (double)state_fault_total())) < 0 ||
	    (r = state_metric_set(d->live, d->name, "db_error_live",
	    state_fault_current(HGW_DB_LIVE))) < 0 ||
	    (r = state_metric_set(d->live, d->name, "db_error_persist",
	    state_fault_current(HGW_DB_PERSIST))) < 0)
		return (r);
	if (d->db_reset > 0 && state_now() - d->db_reset > DAEMON_RESET_ALERT_S)
		d->db_reset = 0;
	return (state_metric_set(d->live, d->name, "db_reset",
	    (double)d->db_reset));
}

/* Write the heartbeat row and the storage metrics, in one transaction. */
void
daemon_heartbeat(struct hgw_daemon *d)
{
	const char	*status = d->status != NULL ? d->status(d) : "running";
	int		 r;

	if (d->live == NULL)
		return;
	/* One attempt (one busy timeout), like the plain write it was. */
	if ((r = state_exec(d->live, "BEGIN IMMEDIATE")) < 0)
		goto out;
	if ((r = state_heartbeat(d->live, d->name, getpid(), d->started,
	    status)) < 0 || (r = storage_metrics(d)) < 0) {
		state_rollback(d->live);
		goto out;
	}
	r = state_commit(d->live);
 out:
	(void)state_fault_note(&d->hb_fault, d->live, r);
}

/* A damaged file moved aside while running: only homegw.db's is news. */
static void
moved_aside(struct hgw_daemon *d, enum hgw_db which, const char *path,
    const char *aside)
{
	if (which == HGW_DB_PERSIST)
		note_reset(d, path, aside);
	else
		log_warnx("%s was damaged: moved to %s, starting a new one",
		    path, aside);
}

/*
 * Open which again at its path: a new file when it was deleted, the
 * other file when it was replaced, after moving it aside when damaged
 * (state_recover() takes a lock, so one daemon moves it and the others
 * find the new file good).  The old handle stays until the daemon has
 * moved its statements.
 */
static int
reopen_db(struct hgw_daemon *d, enum hgw_db which, int damaged)
{
	char	 path[PATH_MAX], aside[PATH_MAX];
	sqlite3	**slot = which == HGW_DB_LIVE ? &d->live : &d->persist;
	sqlite3	*old = *slot, *db = NULL;
	int64_t	 reset = d->db_reset;
	int	 r;

	if ((which == HGW_DB_LIVE ? conf_live_db(d->conf, path,
	    sizeof(path)) : conf_persist_db(d->conf, path, sizeof(path))) < 0)
		return (-ENAMETOOLONG);
	if (damaged && state_recover(path, which, aside, sizeof(aside)) > 0)
		moved_aside(d, which, path, aside);
	if ((r = state_reopen(path, which, &db)) == -EUCLEAN &&
	    state_recover(path, which, aside, sizeof(aside)) > 0) {
		moved_aside(d, which, path, aside);
		r = state_reopen(path, which, &db);
	}
	if (r < 0)
		return (state_fault_note(&d->reopen_fault[which], old, r));
	(void)state_fault_note(&d->reopen_fault[which], db, 0);
	*slot = db;
	if (d->reopen != NULL)
		d->reopen(d, which);
	state_close(old);
	log_warnx("%s was %s: opened %s, every row is written again", path,
	    damaged ? "damaged" : "removed or replaced",
	    damaged ? "a new one" : "the file now there");
	if (which == HGW_DB_PERSIST && d->db_reset != reset)
		reset_event(d);
	if (which == HGW_DB_LIVE)
		daemon_heartbeat(d);
	return (0);
}

/* Deleted, replaced or damaged under us: reopen. */
void
daemon_check_state(struct hgw_daemon *d)
{
	int	 c;

	if (d->live != NULL && (c = state_db_changed(d->live)) != 0)
		(void)reopen_db(d, HGW_DB_LIVE, c == 2);
	if (d->persist == NULL)
		return;
	if (d->check_db && state_now() >= d->next_check) {
		d->next_check = state_now() + DAEMON_CHECK_S;
		(void)state_quick_check(d->persist);
	}
	if ((c = state_db_changed(d->persist)) != 0)
		(void)reopen_db(d, HGW_DB_PERSIST, c == 2);
}

static void
heartbeat_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct hgw_daemon	*d = arg;

	daemon_check_state(d);
	daemon_heartbeat(d);
	/*
	 * The watchdog is fed from the same timer: if the loop is stuck, no
	 * heartbeat and no WATCHDOG=1, and systemd restarts us.
	 */
	if (d->watchdog_usec != 0)
		daemon_notify("WATCHDOG=1");
}

/* Leave the loop. */
void
daemon_exit(struct hgw_daemon *d)
{
	d->stopping = 1;
	event_base_loopexit(d->base, NULL);
}

/*
 * The signal callbacks are libevent signal events: they run in the loop,
 * not in signal context, so they may call ordinary functions.
 */
static void
sigterm_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct hgw_daemon	*d = arg;

	log_info("received %s, stopping", sig == SIGINT ? "SIGINT" :
	    "SIGTERM");
	daemon_exit(d);
}

static void
sighup_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct hgw_daemon	*d = arg;
	struct hgw_conf		*newconf;
	char			*errors = NULL;

	daemon_notify("RELOADING=1");
	/* A reload also asks the checking daemon to look at homegw.db. */
	d->next_check = 0;
	if ((newconf = conf_load(d->conf_path, &errors)) == NULL) {
		print_conf_errors(d->conf_path, errors);
		log_warnx("reload failed: %s is invalid, keeping the running "
		    "configuration", d->conf_path);
		free(errors);
		daemon_notify("READY=1");
		return;
	}
	if (d->reload != NULL && d->reload(d, newconf) == -1) {
		log_warnx("reload refused, keeping the running configuration");
		conf_free(newconf);
		daemon_notify("READY=1");
		return;
	}
	conf_free(d->conf);
	d->conf = newconf;
	log_info("configuration reloaded from %s", d->conf_path);
	daemon_notify("READY=1");
}

static void
sigpipe_cb(evutil_socket_t sig, short ev, void *arg)
{
}

/* Signals, timers, heartbeat, READY=1. */
void
daemon_start(struct hgw_daemon *d)
{
	struct timeval	 tv = { HEARTBEAT_INTERVAL_S, 0 };
	const char	*wd;

	d->ev_sigterm = evsignal_new(d->base, SIGTERM, sigterm_cb, d);
	d->ev_sigint = evsignal_new(d->base, SIGINT, sigterm_cb, d);
	d->ev_sighup = evsignal_new(d->base, SIGHUP, sighup_cb, d);
	d->ev_sigpipe = evsignal_new(d->base, SIGPIPE, sigpipe_cb, d);
	if (d->ev_sigterm == NULL || d->ev_sigint == NULL ||
	    d->ev_sighup == NULL || d->ev_sigpipe == NULL ||
	    evsignal_add(d->ev_sigterm, NULL) == -1 ||
	    evsignal_add(d->ev_sigint, NULL) == -1 ||
	    evsignal_add(d->ev_sighup, NULL) == -1 ||
	    evsignal_add(d->ev_sigpipe, NULL) == -1)
		fatalx("cannot install signal events");

	/* Feed the watchdog at least twice per WatchdogSec. */
	if ((wd = getenv("WATCHDOG_USEC")) != NULL) {
		d->watchdog_usec = strtoull(wd, NULL, 10);
		if (d->watchdog_usec != 0 &&
		    d->watchdog_usec / 2 < (uint64_t)tv.tv_sec * 1000000) {
			tv.tv_sec = (time_t)(d->watchdog_usec / 2000000);
			tv.tv_usec = (suseconds_t)(d->watchdog_usec / 2 % 1000000);
		}
	}
	/*
	 * The pid file's lock tells homegwctl and webd that we run even
	 * while our row is missing (live.db just rebuilt).
	 */
	if ((d->pidfd = state_pidfile(d->conf->gateway.run_dir, d->name)) < 0)
		log_warnx("cannot write %s/%s.pid: %s",
		    d->conf->gateway.run_dir, d->name, strerror(-d->pidfd));
	d->ev_heartbeat = event_new(d->base, -1, EV_PERSIST, heartbeat_cb, d);
	if (d->ev_heartbeat == NULL || event_add(d->ev_heartbeat, &tv) == -1)
		fatalx("cannot add the heartbeat timer");
	daemon_heartbeat(d);
	daemon_notify("READY=1\nSTATUS=running");
	log_info("started (homegw %s)", HGW_VERSION);
}

/* STOPPING=1, final flush, heartbeat row removed, events freed. */
void
daemon_stop(struct hgw_daemon *d)
{
	daemon_notify("STOPPING=1");
	if (d->flush != NULL)
		d->flush(d);
	if (d->live != NULL)
		state_heartbeat_clear(d->live, d->name);
	if (d->ev_heartbeat != NULL)
		event_free(d->ev_heartbeat);
	if (d->ev_sigterm != NULL)
		event_free(d->ev_sigterm);
	if (d->ev_sigint != NULL)
		event_free(d->ev_sigint);
	if (d->ev_sighup != NULL)
		event_free(d->ev_sighup);
	if (d->ev_sigpipe != NULL)
		event_free(d->ev_sigpipe);
	d->ev_heartbeat = d->ev_sigterm = d->ev_sigint = NULL;
	d->ev_sighup = d->ev_sigpipe = NULL;
	log_info("stopped");
}

/* Close the databases, free the config and the event base. */
void
daemon_free(struct hgw_daemon *d)
{
	state_close(d->live);
	state_close(d->persist);
	d->live = d->persist = NULL;
	state_fault_done(&d->hb_fault);
	state_fault_done(&d->reopen_fault[HGW_DB_LIVE]);
	state_fault_done(&d->reopen_fault[HGW_DB_PERSIST]);
	if (d->pidfd > 0)
		close(d->pidfd);
	d->pidfd = -1;
	conf_free(d->conf);
	d->conf = NULL;
	if (d->base != NULL)
		event_base_free(d->base);
	d->base = NULL;
}
