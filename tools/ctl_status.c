/*
 * SPDX-License-Identifier: ISC
 *
 * ctl_status.c: "homegwctl status", the health of the gateway at a
 * glance.  For each daemon it joins two kinds of evidence, because either
 * alone misleads: the daemons row in live.db (a daemon killed with -9
 * leaves its row behind) and the process itself (a hung daemon is alive
 * but stops writing heartbeats).  What needs attention comes first, from
 * common/alerts.c, the list the status page shows.  Reads live.db only;
 * changes nothing.
 */
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "alerts.h"
#include "state.h"
#include "units.h"
#include "ctl.h"

/* Rows of other names (a test, a future daemon) shown after these. */
#define STATUS_MAX_ROWS	32

struct status_row {
	char		 name[32];
	int		 has_row;
	int64_t		 pid;
	int64_t		 started;
	int64_t		 heartbeat;
	char		 version[32];
	char		 status[128];
	const char	*state;	/* running, stale, not running, disabled */
};

int	ctl_status(struct ctl *, int, char **);

static void
copy_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const char	*t = (const char *)sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", t != NULL ? t : "");
}

/*
 * Running: the process exists (EPERM means it exists but belongs to
 * another user) and its heartbeat is recent.  A live process with an old
 * heartbeat is stuck ("stale"); a row whose process is gone is a daemon
 * that died without clearing it ("not running"), unless the owner
 * disabled its unit: then it is "disabled", which is no fault.
 */
static const char *
status_state(const struct status_row *r, int64_t now)
{
	int	 alive;

	alive = r->has_row && r->pid > 0 && r->pid <= INT32_MAX &&
	    (kill((pid_t)r->pid, 0) == 0 || errno == EPERM);
	if (!alive)
		return (units_disabled(r->name) ? "disabled" : "not running");
	if (now - r->heartbeat > STATE_HEARTBEAT_STALE_S)
		return ("stale");
	return ("running");
}

static void
fmt_duration(char *buf, size_t len, int64_t s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", (long long)(s / 60),
		    (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%lldd%02lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
}

/* Fill rows[] from the daemons table; returns the count or -1. */
static int
status_load(sqlite3 *live, struct status_row *rows, size_t max)
{
	sqlite3_stmt	*st;
	size_t		 n, i;
	int		 rc;

	memset(rows, 0, max * sizeof(*rows));
	for (n = 0; n < STATE_NDAEMONS; n++)
		snprintf(rows[n].name, sizeof(rows[n].name), "%s",
		    state_daemons[n]);
	if (live == NULL)
		return ((int)n);
	if (sqlite3_prepare_v2(live, "SELECT name, pid, started, heartbeat, "
	    "version, status FROM daemons ORDER BY name", -1, &st, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "homegwctl: cannot read the daemons table: "
		    "%s\n", sqlite3_errmsg(live));
		return (-1);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (name == NULL)
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(rows[i].name, name) == 0)
				break;
		if (i == n) {
			if (n == max)
				continue;
			snprintf(rows[n].name, sizeof(rows[n].name), "%s",
			    name);
			n++;
		}
		rows[i].has_row = 1;
		rows[i].pid = sqlite3_column_int64(st, 1);
		rows[i].started = sqlite3_column_int64(st, 2);
		rows[i].heartbeat = sqlite3_column_int64(st, 3);
		copy_text(rows[i].version, sizeof(rows[i].version), st, 4);
		copy_text(rows[i].status, sizeof(rows[i].status), st, 5);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "homegwctl: cannot read the daemons table: "
		    "%s\n", sqlite3_errmsg(live));
		return (-1);
	}
	return ((int)n);
}

static void
status_print_text(struct status_row *rows, int n, int64_t now)
{
	char	 pid[24], up[24], hb[32];
	int	 i;

	printf("%-8s %-12s %-8s %-8s %-10s %s\n", "DAEMON", "STATE", "PID",
	    "UPTIME", "HEARTBEAT", "STATUS");
	for (i = 0; i < n; i++) {
		struct status_row *r = &rows[i];

		if (r->has_row) {
			snprintf(pid, sizeof(pid), "%lld", (long long)r->pid);
			fmt_duration(up, sizeof(up), now - r->heartbeat);
			snprintf(hb, sizeof(hb), "%s ago", up);
			fmt_duration(up, sizeof(up), now - r->started);
		} else {
			snprintf(pid, sizeof(pid), "-");
			snprintf(up, sizeof(up), "-");
			snprintf(hb, sizeof(hb), "-");
		}
		/* Uptime of a dead process means nothing. */
		if (strcmp(r->state, "not running") == 0 ||
		    strcmp(r->state, "disabled") == 0)
			snprintf(up, sizeof(up), "-");
		printf("%-8s %-12s %-8s %-8s %-10s %s\n", r->name, r->state,
		    pid, up, hb, r->status[0] != '\0' ? r->status : "-");
	}
}

static void
status_print_json(struct status_row *rows, int n, int64_t now)
{
	int	 i;

	printf("\"daemons\": [");
	for (i = 0; i < n; i++) {
		struct status_row *r = &rows[i];

		printf("%s\n  {\"name\": ", i ? "," : "");
		ctl_json_string(stdout, r->name);
		printf(", \"state\": ");
		ctl_json_string(stdout, r->state);
		if (!r->has_row) {
			printf(", \"pid\": null, \"started\": null, "
			    "\"uptime\": null, \"heartbeat\": null, "
			    "\"heartbeat_age\": null, \"version\": null, "
			    "\"status\": null}");
			continue;
		}
		printf(", \"pid\": %lld, \"started\": %lld, \"uptime\": ",
		    (long long)r->pid, (long long)r->started);
		if (strcmp(r->state, "not running") == 0 ||
		    strcmp(r->state, "disabled") == 0)
			printf("null");
		else
			printf("%lld", (long long)(now - r->started));
		printf(", \"heartbeat\": %lld, \"heartbeat_age\": %lld, "
		    "\"version\": ", (long long)r->heartbeat,
		    (long long)(now - r->heartbeat));
		ctl_json_string(stdout, r->version);
		printf(", \"status\": ");
		ctl_json_string(stdout, r->status);
		printf("}");
	}
	printf("%s]", n ? "\n" : "");
}

/* The gateway's own addresses, as addrd keeps them. */
static int
status_addresses(struct ctl *c, sqlite3 *live)
{
	sqlite3_stmt	*st;
	int		 r;

	if (live == NULL) {
		if (c->json)
			printf("\"addresses\": []");
		return (0);
	}
	/*
	 * addrd keeps its default route in the same table (role "route",
	 * the gateway in address, plen 0): say so rather than "x.x.x.x/0".
	 * People read local time; scripts get the epoch seconds in JSON.
	 */
	if (sqlite3_prepare_v2(live, c->json ? "SELECT role, ifname, "
	    "address || '/' || plen AS address, state, conflict_mac, "
	    "updated FROM addresses ORDER BY role" : "SELECT role, ifname, "
	    "CASE WHEN role = 'route' THEN 'default via ' || address "
	    "ELSE address || '/' || plen END AS address, state, conflict_mac, "
	    "datetime(updated, 'unixepoch', 'localtime') AS updated "
	    "FROM addresses ORDER BY role", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "homegwctl: cannot read the addresses table: "
		    "%s\n", sqlite3_errmsg(live));
		return (-1);
	}
	if (c->json) {
		printf("\"addresses\": ");
		r = ctl_print_query(c, st);
	} else {
		/* Only when addrd has published anything. */
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_finalize(st);
			return (0);
		}
		sqlite3_reset(st);
		printf("\naddresses:\n");
		r = ctl_print_query(c, st);
	}
	sqlite3_finalize(st);
	return (r < 0 ? -1 : 0);
}

struct alert_list {
	struct ctl	*c;
	int		 n;
};

/* What needs attention, first: as lines for people, an array in JSON. */
static void
status_alert(const char *level, const char *text, void *arg)
{
	struct alert_list *l = arg;

	if (l->c->json) {
		printf("%s{\"level\": ", l->n ? ",\n" : "\n");
		ctl_json_string(stdout, level);
		printf(", \"text\": ");
		ctl_json_string(stdout, text);
		printf("}");
	} else {
		if (l->n == 0)
			printf("attention:\n");
		printf("  %-5s %s\n", level, text);
	}
	l->n++;
}

/* homegwctl status: what needs attention, daemons, the gateway's addresses. */
int
ctl_status(struct ctl *c, int argc, char **argv)
{
	struct status_row	 rows[STATE_NDAEMONS + STATUS_MAX_ROWS];
	struct alert_list	 al;
	sqlite3			*live;
	int64_t			 now;
	int			 n, i, rv = CTL_OK;

	if (argc != 1) {
		fprintf(stderr, "usage: homegwctl status [--json]\n");
		return (CTL_USAGE);
	}
	/* NULL (after a message) when no daemon has ever run. */
	live = ctl_live(c);
	if ((n = status_load(live, rows,
	    sizeof(rows) / sizeof(rows[0]))) < 0)
		return (CTL_ERROR);
	now = state_now();
	for (i = 0; i < n; i++)
		rows[i].state = status_state(&rows[i], now);

	/* ctl_live() loaded the config: it says whether NAT rules are wanted. */
	al.c = c;
	al.n = 0;
	if (c->json)
		printf("{\"alerts\": [");
	alerts_collect(live, c->conf, NULL, now, status_alert, &al);
	if (c->json) {
		printf("%s],\n", al.n ? "\n" : "");
		status_print_json(rows, n, now);
		printf(",\n");
	} else {
		if (al.n)
			printf("\n");
		status_print_text(rows, n, now);
	}
	if (status_addresses(c, live) < 0)
		rv = CTL_ERROR;
	if (c->json)
		printf("}\n");
	return (rv);
}
