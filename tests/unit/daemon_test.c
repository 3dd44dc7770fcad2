/*
 * SPDX-License-Identifier: ISC
 *
 * daemon_test.c: the daemon lifecycle in common/daemon.c: sd_notify
 * messages reach $NOTIFY_SOCKET (path and abstract), SIGHUP reloads a
 * valid file and keeps the running config when the new file is invalid,
 * SIGTERM leaves the loop, the heartbeat row appears and disappears, and
 * (as root) privileges drop to the homegw user with only the requested
 * capabilities.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "state.h"
#include "../tap.h"

static char	 dir[] = "/tmp/hgw-daemon-test.XXXXXX";
static char	 conf_path[256];
static int	 reloads;

static void
write_conf(const char *lan_addr, int broken)
{
	FILE	*f = fopen(conf_path, "w");

	if (f == NULL)
		return;
	fprintf(f, "[gateway]\nrun_dir = %s/run\nstate_dir = %s/state\n"
	    "[lan]\ninterface = lo\naddress = %s\n", dir, dir, lan_addr);
	if (broken)
		fprintf(f, "[dns]\ncache_size = lots\nbogus_key = 1\n");
	fclose(f);
}

static int
sock_at(const char *name, struct sockaddr_un *sun, socklen_t *len)
{
	int	 fd;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	strncpy(sun->sun_path, name, sizeof(sun->sun_path) - 1);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(name));
	if (name[0] == '@')
		sun->sun_path[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1)
		return (-1);
	if (bind(fd, (struct sockaddr *)sun, *len) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

static void
test_notify(void)
{
	struct sockaddr_un sun;
	socklen_t	 len;
	char		 path[300], buf[64];
	ssize_t		 n;
	int		 fd;

	unsetenv("NOTIFY_SOCKET");
	CHECK_MSG(daemon_notify("READY=1") == 0, "no NOTIFY_SOCKET: no-op");

	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = sock_at(path, &sun, &len);
	CHECK(fd != -1);
	setenv("NOTIFY_SOCKET", path, 1);
	CHECK(daemon_notify("READY=1") == 0);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_STREQ(buf, "READY=1");
	close(fd);

	snprintf(path, sizeof(path), "@hgw-daemon-test-%d", (int)getpid());
	fd = sock_at(path, &sun, &len);
	CHECK(fd != -1);
	setenv("NOTIFY_SOCKET", path, 1);
	CHECK(daemon_notify("STOPPING=1") == 0);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_STREQ(buf, "STOPPING=1");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

static int
reload_cb(struct hgw_daemon *d, struct hgw_conf *newconf)
{
	reloads++;
	return (0);
}

static void
step_cb(evutil_socket_t fd, short ev, void *arg)
{
	static int	 step;
	struct hgw_daemon *d = arg;
	char		 buf[INET_ADDRSTRLEN];

	switch (step++) {
	case 0:
		/* An invalid file: the running config must stay. */
		write_conf("192.168.77.1/24", 1);
		raise(SIGHUP);
		break;
	case 1:
		CHECK_MSG(reloads == 0, "invalid file: reload callback not run");
		CHECK_STREQ(addr_fmt_ip4(d->conf->lan.addr, buf), "192.168.77.1");
		write_conf("192.168.78.1/24", 0);
		raise(SIGHUP);
		break;
	case 2:
		CHECK_MSG(reloads == 1, "valid file: reload callback run");
		CHECK_STREQ(addr_fmt_ip4(d->conf->lan.addr, buf), "192.168.78.1");
		raise(SIGTERM);
		break;
	default:
		break;
	}
}

static int
count_heartbeats(sqlite3 *db)
{
	sqlite3_stmt	*st;
	int		 n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM daemons WHERE "
	    "name = 'testd'", -1, &st, NULL) != SQLITE_OK)
		return (-1);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return (n);
}

static void
test_lifecycle(void)
{
	struct hgw_daemon d = { .name = "testd", .reload = reload_cb };
	struct timeval	 tv = { 0, 100000 };
	struct event	*step;
	char		 a0[] = "testd", a1[] = "-f", a2[] = "-c";
	char		*argv[] = { a0, a1, a2, conf_path, NULL };
	char		 path[300];
	sqlite3		*db;

	write_conf("192.168.77.1/24", 0);
	optind = 1;
	daemon_init(&d, 4, argv);
	CHECK(d.base != NULL && d.conf != NULL);
	daemon_open_state(&d);
	CHECK(d.live != NULL && d.persist != NULL);
	daemon_start(&d);
	CHECK_MSG(count_heartbeats(d.live) == 1, "heartbeat row written");
	step = event_new(d.base, -1, EV_PERSIST, step_cb, &d);
	event_add(step, &tv);
	event_base_dispatch(d.base);
	CHECK_MSG(d.stopping, "SIGTERM left the loop");
	event_free(step);
	daemon_stop(&d);
	CHECK_MSG(count_heartbeats(d.live) == 0, "heartbeat row cleared");
	daemon_free(&d);

	snprintf(path, sizeof(path), "%s/run/live.db", dir);
	CHECK(state_open(path, HGW_DB_LIVE, 1, &db) == 0);
	state_close(db);
}

static int
effective_caps(uint64_t *ret)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) == -1)
		return (-1);
	*ret = (uint64_t)data[1].effective << 32 | data[0].effective;
	return (0);
}

static void
test_privileges(void)
{
	struct hgw_daemon d = { .name = "testd" };
	struct passwd	*pw;
	pid_t		 pid;
	int		 status, caps[] = { CAP_NET_RAW };
	int		 more[] = { CAP_NET_ADMIN };

	if (geteuid() != 0 || (pw = getpwnam("homegw")) == NULL) {
		printf("ok %d - privilege drop # SKIP needs root and the "
		    "homegw user\n", ++tap_count);
		return;
	}
	d.conf = conf_default();
	strcpy(d.conf->gateway.user, "homegw");
	fflush(stdout);
	if ((pid = fork()) == 0) {
		uint64_t eff = 0;
		int bad = 0;

		if (daemon_drop_privileges(&d, caps, 1) != 0)
			bad |= 1;
		if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid)
			bad |= 2;
		if (effective_caps(&eff) == -1 ||
		    eff != (1ULL << CAP_NET_RAW))
			bad |= 4;
		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
			bad |= 8;
		/* Asking for a capability we no longer hold must fail. */
		if (daemon_drop_privileges(&d, more, 1) != -1)
			bad |= 16;
		_exit(bad);
	}
	waitpid(pid, &status, 0);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "dropped to homegw with only CAP_NET_RAW and no_new_privs");
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		TAP_NOTE("child status bits %d", WEXITSTATUS(status));
	conf_free(d.conf);
}

int
main(void)
{
	char	 cmd[300];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	snprintf(conf_path, sizeof(conf_path), "%s/homegw.conf", dir);
	test_notify();
	test_lifecycle();
	test_privileges();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		TAP_NOTE("could not remove %s", dir);
	return (tap_done());
}
