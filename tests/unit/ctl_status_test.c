/*
 * SPDX-License-Identifier: ISC
 *
 * ctl_status_test.c: "homegwctl status" end to end.  Writes a live.db
 * with state.c the way the daemons do (a running daemon, a hung one, one
 * killed without clearing its row, one that never ran, and the addresses
 * addrd publishes, natd's metric for rules not loaded), then runs the real
 * homegwctl binary on it and checks both the text and the --json output,
 * the alerts first.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "state.h"
#include "../tap.h"

static char	 tmpdir[64];
static char	 ctl[1024];
static char	 conf_path[256];

static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return (remove(path));
}

/* Run homegwctl with args; its stdout into out, exit status returned. */
static int
run_ctl(const char *args, char *out, size_t len)
{
	char	 cmd[2048];
	FILE	*p;
	size_t	 n;
	int	 st;

	snprintf(cmd, sizeof(cmd), "'%s' -c '%s' %s", ctl, conf_path, args);
	if ((p = popen(cmd, "r")) == NULL)
		return (-1);
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return (WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* The line of text output starting with name. */
static const char *
line_of(const char *out, const char *name)
{
	static char	 buf[512];
	const char	*p = out, *e;
	size_t		 n = strlen(name);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && p[n] == ' ') {
			e = strchr(p, '\n');
			snprintf(buf, sizeof(buf), "%.*s",
			    (int)(e != NULL ? e - p : (long)strlen(p)), p);
			return (buf);
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return ("");
}

int
main(void)
{
	const char	*t = getenv("TMPDIR"), *b = getenv("top_builddir");
	char		 run_dir[128], path[256], out[16384], want[256];
	sqlite3		*live;
	FILE		*f;
	pid_t		 dead;
	int		 pf_addrd, pf_arpd;
	int64_t		 now;
	const char	*p;
	long		 up;

	if (getenv("HOMEGWCTL") != NULL)
		snprintf(ctl, sizeof(ctl), "%s", getenv("HOMEGWCTL"));
	else
		snprintf(ctl, sizeof(ctl), "%s/tools/homegwctl",
		    b != NULL ? b : ".");
	snprintf(tmpdir, sizeof(tmpdir), "%s/ctl_status.XXXXXX",
	    t != NULL && strlen(t) < 32 ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	snprintf(run_dir, sizeof(run_dir), "%s/run", tmpdir);
	snprintf(conf_path, sizeof(conf_path), "%s/homegw.conf", tmpdir);
	if ((f = fopen(conf_path, "w")) == NULL) {
		perror(conf_path);
		return (1);
	}
	fprintf(f, "[gateway]\nstate_dir = %s/lib\nrun_dir = %s\n\n"
	    "[lan]\ninterface = br-lan\naddress = 192.168.50.1/24\n",
	    tmpdir, run_dir);
	fclose(f);

	/* No daemon has ever run: everything "not running", exit 0. */
	CHECK(run_ctl("status 2>/dev/null", out, sizeof(out)) == 0);
	CHECK(strstr(line_of(out, "addrd"), "not running") != NULL);
	CHECK(strstr(line_of(out, "webd"), "not running") != NULL);
	CHECK(run_ctl("--json status 2>/dev/null", out, sizeof(out)) == 0);
	CHECK(strstr(out, "\"name\": \"dnsd\", \"state\": \"not running\", "
	    "\"pid\": null") != NULL);
	CHECK(strstr(out, "\"addresses\": []") != NULL);
	/* No live.db at all: nothing to read alerts from. */
	CHECK(strstr(out, "{\"alerts\": [],") == out);

	/* A pid that surely exited: a reaped child's. */
	if ((dead = fork()) == 0)
		_exit(0);
	waitpid(dead, NULL, 0);

	mkdir(run_dir, 0770);
	/*
	 * addrd and arpd run (this process holds their pid files' locks);
	 * natd's and dnsd's rows name pids that are no homegw daemon.
	 */
	CHECK((pf_addrd = state_pidfile(run_dir, "addrd")) >= 0);
	CHECK((pf_arpd = state_pidfile(run_dir, "arpd")) >= 0);
	snprintf(path, sizeof(path), "%s/%s", run_dir, STATE_LIVE_FILE);
	CHECK(state_open(path, HGW_DB_LIVE, 0, &live) == 0);
	now = state_now();
	/* addrd: this process, fresh heartbeat, up two hours. */
	CHECK(state_heartbeat(live, "addrd", getpid(), now - 7300,
	    "lan 192.168.50.1/24 active") == 0);
	/* arpd: alive but its heartbeat is two minutes old. */
	CHECK(state_heartbeat(live, "arpd", getpid(), now - 600, "hung") ==
	    0);
	CHECK(state_exec(live, "UPDATE daemons SET heartbeat = heartbeat - 120 "
	    "WHERE name = 'arpd'") == 0);
	/* natd: killed -9, its row left behind: not running at once. */
	CHECK(state_heartbeat(live, "natd", dead, now - 50, "\"quoted\"") ==
	    0);
	/* Its last word, heartbeat still fresh: no rules loaded. */
	CHECK(state_metric_set(live, "natd", "rules_loaded", 0) == 0);
	CHECK(state_exec(live, "INSERT INTO addresses (role, ifname, address, "
	    "plen, state, updated) VALUES ('lan', 'br-lan', '192.168.50.1', "
	    "24, 'active', strftime('%s', 'now'))") == 0);
	CHECK(state_exec(live, "INSERT INTO addresses (role, ifname, address, "
	    "plen, state, updated) VALUES ('route', 'wan0', '203.0.113.1', "
	    "0, 'active', strftime('%s', 'now'))") == 0);

	CHECK(run_ctl("status", out, sizeof(out)) == 0);
	/* What needs attention comes first, then the table. */
	p = "attention:\n"
	    "  bad   homegw-arpd has not answered for 2 min: stopped or hung\n"
	    "  bad   homegw-natd is not running\n"
	    "  bad   homegw-dnsd is not running\n"
	    "  bad   homegw-webd is not running\n"
	    "  bad   The NAT rules are not loaded: LAN hosts cannot reach the "
	    "internet (see homegw-natd's log)\n\nDAEMON ";
	CHECK(strncmp(out, p, strlen(p)) == 0);
	printf("# %s\n", line_of(out, "DAEMON"));
	printf("# %s\n", line_of(out, "addrd"));
	CHECK(strstr(line_of(out, "addrd"), " running ") != NULL);
	CHECK(strstr(line_of(out, "addrd"), "2h01m") != NULL);
	CHECK(strstr(line_of(out, "addrd"), "lan 192.168.50.1/24 active") !=
	    NULL);
	snprintf(want, sizeof(want), " %ld ", (long)getpid());
	CHECK(strstr(line_of(out, "addrd"), want) != NULL);
	CHECK(strstr(line_of(out, "arpd"), " stale ") != NULL);
	CHECK(strstr(line_of(out, "natd"), " not running ") != NULL);
	CHECK(strstr(line_of(out, "dnsd"), " not running ") != NULL);
	CHECK(strstr(line_of(out, "lan"), "192.168.50.1/24") != NULL);
	CHECK(strstr(line_of(out, "lan"), "active") != NULL);
	CHECK(strstr(line_of(out, "route"), "default via 203.0.113.1") != NULL);
	CHECK(strstr(line_of(out, "route"), "/0") == NULL);

	CHECK(run_ctl("status --json", out, sizeof(out)) == 0);
	CHECK(strstr(out, "{\"alerts\": [\n{\"level\": \"bad\", \"text\": "
	    "\"homegw-arpd has not answered for 2 min: stopped or hung\"},\n"
	    "{\"level\": \"bad\", \"text\": \"homegw-natd is not running\"},\n"
	    "{\"level\": \"bad\", \"text\": \"homegw-dnsd is not running\"},\n"
	    "{\"level\": \"bad\", \"text\": \"homegw-webd is not running\"},\n"
	    "{\"level\": \"bad\", \"text\": \"The NAT rules are not loaded: "
	    "LAN hosts cannot reach the internet (see homegw-natd's log)\"}\n],"
	    "\n\"daemons\": [") == out);
	snprintf(want, sizeof(want), "\"name\": \"addrd\", \"state\": "
	    "\"running\", \"pid\": %ld", (long)getpid());
	CHECK(strstr(out, want) != NULL);
	CHECK(strstr(out, "\"name\": \"arpd\", \"state\": \"stale\"") != NULL);
	CHECK(strstr(out, "\"name\": \"natd\", \"state\": \"not running\"")
	    != NULL);
	/* The second may tick between writing and reading. */
	up = -1;
	if ((p = strstr(out, "\"name\": \"addrd\"")) != NULL &&
	    (p = strstr(p, "\"uptime\": ")) != NULL)
		up = strtol(p + strlen("\"uptime\": "), NULL, 10);
	CHECK(up >= 7300 && up <= 7305);
	CHECK(strstr(out, "\"status\": \"\\\"quoted\\\"\"") != NULL);
	/* The API's address row, with the words the overview shows. */
	CHECK(strstr(out, "\"address\": \"192.168.50.1\", \"plen\": 24")
	    != NULL);
	CHECK(strstr(out, "\"text\": \"192.168.50.1/24 on ") != NULL);

	/* No WAN, nothing to guard: no line, even with figures. */
	CHECK(state_metric_set(live, "natd", "wan_guard", 0) == 0);
	CHECK(run_ctl("status", out, sizeof(out)) == 0);
	CHECK(strstr(out, "WAN input") == NULL &&
	    strstr(out, "Nothing guards") == NULL);
	/* natd's input policy: one line, reasons by count, zeros left out. */
	if ((f = fopen(conf_path, "a")) != NULL) {
		fprintf(f, "\n[wan]\ninterface = wan0\n");
		fclose(f);
	}
	CHECK(state_metric_set(live, "natd", "wan_guard", 1) == 0);
	CHECK(state_metric_set(live, "natd", "wan_drop_policy", 1200) == 0);
	CHECK(state_metric_set(live, "natd", "wan_drop_lan_dst", 30) == 0);
	CHECK(state_metric_set(live, "natd", "wan_drop_spoofed_src", 4) == 0);
	CHECK(state_metric_set(live, "natd", "wan_drop_invalid", 0) == 0);
	CHECK(state_metric_set(live, "natd", "wan_drop_ping_limit", 0) == 0);
	CHECK(run_ctl("status", out, sizeof(out)) == 0);
	CHECK(strcmp(line_of(out, "WAN"), "WAN input: 1234 packets dropped "
	    "(policy 1200, LAN address 30, spoofed source 4)") == 0);
	CHECK(strstr(out, "Nothing guards") == NULL);
	CHECK(run_ctl("status --json", out, sizeof(out)) == 0);
	CHECK(strstr(out, "\"wan_input\": {\"dropped\": {\"policy\": 1200, "
	    "\"lan_dst\": 30, \"spoofed_src\": 4, \"invalid\": 0, "
	    "\"ping_limit\": 0}, \"total\": 1234, \"guarded\": true},\n"
	    "\"dns\": ") != NULL);
	/* With a WAN and [nat] rules = no, nothing guards it: an alert. */
	if ((f = fopen(conf_path, "a")) != NULL) {
		fprintf(f, "\n[nat]\nrules = no\n");
		fclose(f);
	}
	CHECK(state_metric_set(live, "natd", "wan_guard", 0) == 0);
	CHECK(run_ctl("status", out, sizeof(out)) == 0);
	CHECK(strstr(out, "  bad   Nothing guards the WAN side: [nat] rules = "
	    "no leaves the gateway's firewall to you") != NULL);
	CHECK(strncmp(line_of(out, "WAN"), "WAN input: not guarded", 22) ==
	    0);
	/* Rules asked for, but the policy did not load: an alert too. */
	if ((f = fopen(conf_path, "w")) != NULL) {
		fprintf(f, "[gateway]\nstate_dir = %s/lib\nrun_dir = %s\n\n"
		    "[lan]\ninterface = br-lan\naddress = 192.168.50.1/24\n\n"
		    "[wan]\ninterface = wan0\n", tmpdir, run_dir);
		fclose(f);
	}
	CHECK(run_ctl("status", out, sizeof(out)) == 0);
	CHECK(strstr(out, "  bad   Nothing guards the WAN side: the input "
	    "policy is not loaded (see homegw-natd's log)\n") != NULL);

	/*
	 * A live pid is not enough (pids are reused): a fresh row whose
	 * pid is not a homegw daemon is not running.
	 */
	CHECK(state_heartbeat(live, "dnsd", getpid(), now, "reused") == 0);
	CHECK(run_ctl("status", out, sizeof(out)) == 0);
	CHECK(strstr(line_of(out, "dnsd"), " not running ") != NULL);
	CHECK(strstr(out, "homegw-dnsd is not running") != NULL);
	CHECK(state_heartbeat_clear(live, "dnsd") == 0);
	/* live.db rebuilt: no row yet, but the pid file says it runs. */
	CHECK(state_heartbeat_clear(live, "addrd") == 0);
	CHECK(run_ctl("status", out, sizeof(out)) == 0);
	CHECK(strstr(line_of(out, "addrd"), " running ") != NULL);
	CHECK(strstr(out, "homegw-addrd is not running") == NULL);

	/* A clean stop clears the row, and the lock goes with the process. */
	close(pf_addrd);
	CHECK(run_ctl("status", out, sizeof(out)) == 0);
	CHECK(strstr(line_of(out, "addrd"), " not running ") != NULL);

	CHECK(run_ctl("status extra 2>/dev/null", out, sizeof(out)) == 2);

	/*
	 * A table longer than homegwctl prints says so on stderr (here
	 * read alone: stdout goes to /dev/null), and a shorter one does not.
	 */
	CHECK(state_exec(live, "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL "
	    "SELECT k + 1 FROM n WHERE k < 100001) INSERT INTO conntrack "
	    "(key, ct_id, family, proto, orig_src, orig_sport, orig_dst, "
	    "orig_dport, reply_src, reply_sport, reply_dst, reply_dport, "
	    "status, timeout, first_seen, last_seen) SELECT k, k, 4, 'udp', "
	    "'192.168.50.10', k % 65536, '203.0.113.1', 53, '203.0.113.1', "
	    "53, '203.0.113.2', k % 65536, 0, 30, 0, 0 FROM n") == 0);
	CHECK(run_ctl("nat --limit 100001 2>&1 >/dev/null", out,
	    sizeof(out)) == 0);
	CHECK(strstr(out, "only the first 100000 rows are shown") != NULL);
	CHECK(run_ctl("nat --limit 100000 2>&1 >/dev/null", out,
	    sizeof(out)) == 0);
	CHECK(out[0] == '\0');

	state_close(live);
	nftw(tmpdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	close(pf_arpd);
	return (tap_done());
}
