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
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "alerts.h"
#include "conf.h"
#include "figures.h"
#include "state.h"
#include "tlsfp.h"
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
 * The shared rule (state_daemon_state(), documented in homegwctl(8)),
 * and "disabled" for a daemon not running because the owner disabled
 * its unit, which is no fault.
 */
static const char *
status_state(const struct status_row *r, const char *run_dir, int64_t now)
{
	const char	*st;

	st = state_daemon_state(run_dir, r->name, r->has_row, r->pid,
	    r->heartbeat, now);
	if (strcmp(st, "not running") == 0 && units_disabled(r->name))
		return ("disabled");
	return (st);
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
	 * the gateway in address, plen 0): "text" says it in words as the
	 * overview does (figures.c).  The JSON row is the API's.  People
	 * read local time; scripts get the epoch seconds in JSON.
	 */
	if (fig_sql_register(live) < 0 || sqlite3_prepare_v2(live, c->json ?
	    "SELECT role, ifname, address, plen, state, conflict_mac, "
	    "updated, fig_address_text(role, address, plen, ifname) AS text "
	    "FROM addresses ORDER BY role" : "SELECT role, "
	    "fig_address_text(role, address, plen, ifname) AS address, "
	    "state, conflict_mac, "
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

/*
 * dnsd's hit ratio as the overview and the DNS page show it (figures.c):
 * "DNS: 72.0 % answered from the cache (13 of 18 lookups; 27 queries)".
 */
static void
status_dns(struct ctl *c, sqlite3 *live)
{
	struct fig_dns	 f;
	char		 pct[32];

	fig_dns_read(live, &f);
	if (c->json) {
		if (!f.known) {
			printf("\"dns\": {\"queries\": null, \"cache_hits\": "
			    "null, \"cache_misses\": null, \"lookups\": null, "
			    "\"hit_ratio\": null, \"hit_ratio_means\": ");
		} else {
			printf("\"dns\": {\"queries\": %lld, \"cache_hits\": "
			    "%lld, \"cache_misses\": %lld, \"lookups\": %lld, "
			    "\"hit_ratio\": ", (long long)f.queries,
			    (long long)f.cache_hits, (long long)f.cache_misses,
			    (long long)f.lookups);
			/* As webd writes a double, so both say the same. */
			if (f.hit_ratio >= 0)
				printf("%.6g", f.hit_ratio);
			else
				printf("null");
			printf(", \"hit_ratio_means\": ");
		}
		ctl_json_string(stdout, FIG_DNS_HIT_WORDS);
		printf("},\n");
		return;
	}
	if (!f.known)
		return;
	if (f.hit_ratio < 0)
		printf("\nDNS: no lookups yet; %lld queries\n",
		    (long long)f.queries);
	else
		printf("\nDNS: %s answered from the cache (%lld of %lld "
		    "lookups for names outside the LAN; %lld queries)\n",
		    fig_percent(f.hit_ratio, pct, sizeof(pct)),
		    (long long)f.cache_hits, (long long)f.lookups,
		    (long long)f.queries);
}

/* What the drop reasons of natd's input policy are called in a sentence. */
static const char *
reason_label(const char *reason, char *buf, size_t len)
{
	static const struct {
		const char	*reason, *label;
	} labels[] = {
		{ "policy", "policy" },
		{ "lan_dst", "LAN address" },
		{ "spoofed_src", "spoofed source" },
		{ "invalid", "invalid" },
		{ "ping_limit", "ping limit" },
	};
	size_t	 i;
	char	*p;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(reason, labels[i].reason) == 0)
			return (labels[i].label);
	snprintf(buf, len, "%s", reason);
	for (p = buf; *p != '\0'; p++)
		if (*p == '_')
			*p = ' ';
	return (buf);
}

/*
 * "WAN input: 1234 packets dropped (policy 1200, LAN address 30, spoofed
 * source 4)", from natd's metrics rows; nothing while natd never wrote
 * them.  Whether anything guards the WAN side at all is an alert.
 */
static int
status_wan_input(struct ctl *c, sqlite3 *live)
{
	sqlite3_stmt	*st;
	char		 reasons[512], buf[64];
	const char	*name;
	double		 v, total = 0, guard = -1;
	size_t		 off = 0;
	int		 n = 0, rc;

	/* Without a WAN interface there is no WAN side to guard. */
	if (c->conf != NULL && c->conf->wan.ifname[0] == '\0')
		return (0);
	if (live == NULL || sqlite3_prepare_v2(live, "SELECT name, value "
	    "FROM metrics WHERE daemon = 'natd' AND (name = 'wan_guard' OR "
	    "name LIKE 'wan\\_drop\\_%' ESCAPE '\\') ORDER BY value DESC, name",
	    -1, &st, NULL) != SQLITE_OK)
		return (0);
	reasons[0] = '\0';
	if (c->json)
		printf("\"wan_input\": {\"dropped\": {");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((name = (const char *)sqlite3_column_text(st, 0)) == NULL)
			continue;
		v = sqlite3_column_double(st, 1);
		if (strcmp(name, "wan_guard") == 0) {
			guard = v;
			continue;
		}
		name += strlen("wan_drop_");
		total += v;
		if (c->json) {
			printf("%s", n ? ", " : "");
			ctl_json_string(stdout, name);
			printf(": %.0f", v);
		} else if (v > 0 && off < sizeof(reasons))
			off += (size_t)snprintf(reasons + off,
			    sizeof(reasons) - off, "%s%s %.0f", off ? ", " : "",
			    reason_label(name, buf, sizeof(buf)), v);
		n++;
	}
	sqlite3_finalize(st);
	if (c->json) {
		printf("}, \"total\": %.0f, \"guarded\": %s},\n", total,
		    guard < 0 ? "null" : guard > 0 ? "true" : "false");
		return (0);
	}
	if (n == 0 && guard < 0)
		return (0);
	if (guard == 0)
		printf("\nWAN input: not guarded by homegw's input policy; "
		    "%.0f packets dropped before\n", total);
	else if (off > 0)
		printf("\nWAN input: %.0f packets dropped (%s)\n", total,
		    reasons);
	else
		printf("\nWAN input: closed, no packets dropped\n");
	return (rc == SQLITE_DONE ? 0 : -1);
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

/*
 * The status page's side: the CA's fingerprint (to compare with what a
 * phone shows before trusting it) and failed logins in the last hour.
 */
static void
status_web(struct ctl *c, int64_t now)
{
	char	 path[PATH_MAX + 16], fp[TLSFP_LEN], top[64];
	int	 n, has_fp;

	snprintf(path, sizeof(path), "%s/tls/ca.crt",
	    c->conf != NULL ? c->conf->gateway.state_dir : "/var/lib/homegw");
	has_fp = tls_fingerprint_file(path, fp, sizeof(fp)) == 0;
	n = alerts_failed_logins(c->conf, now, top, sizeof(top));
	if (c->json) {
		printf(",\n\"web\": {\"ca_fingerprint_sha256\": ");
		if (has_fp)
			ctl_json_string(stdout, fp);
		else
			printf("null");
		printf(", \"failed_logins_1h\": ");
		if (n >= 0)
			printf("%d", n);
		else
			printf("null");
		printf(", \"failed_logins_top\": ");
		if (top[0] != '\0')
			ctl_json_string(stdout, top);
		else
			printf("null");
		printf("}");
		return;
	}
	printf("\nweb:\n");
	if (has_fp)
		printf("  CA fingerprint (SHA-256) %s\n", fp);
	else
		printf("  no local CA yet (%s)\n", path);
	if (n > 0)
		printf("  %d failed login%s in the last hour, most from %s\n",
		    n, n == 1 ? "" : "s", top);
	else if (n == 0)
		printf("  no failed logins in the last hour\n");
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
		rows[i].state = status_state(&rows[i], c->conf != NULL ?
		    c->conf->gateway.run_dir : NULL, now);

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
	if (status_wan_input(c, live) < 0)
		rv = CTL_ERROR;
	status_dns(c, live);
	if (status_addresses(c, live) < 0)
		rv = CTL_ERROR;
	if (ctl_status_health(c, live) < 0)
		rv = CTL_ERROR;
	status_web(c, now);
	if (c->json)
		printf("}\n");
	return (rv);
}
