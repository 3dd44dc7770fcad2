/*
 * SPDX-License-Identifier: ISC
 *
 * metrics.c: GET /metrics, the gateway's figures in the Prometheus text
 * format (0.0.4).  Names start with homegw_, are in base units (seconds),
 * counters end in _total, and labels only take values from a bounded set:
 * a daemon, an upstream from the config, a reason or kind the daemons
 * define.  Never a client, a domain or a flow: each would make a series
 * per value, which the Prometheus maintainers advise against.
 *
 * The figures come from what the daemons already publish: live.db's
 * metrics, daemons and dns_upstreams tables and, for events by kind, one
 * GROUP BY over homegw.db's events.  Nothing here reads a row per flow,
 * so a scrape costs the same with 50,000 flows as with none (see
 * bench/webd-metrics.sh).
 */
#include <sys/types.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "alerts.h"
#include "daemon.h"
#include "conf.h"
#include "log.h"
#include "state.h"
#include "webd.h"

#define METRICS_MAX	(1024 * 1024)
#define SERIES_MAX	256	/* per family with a label */

struct mbuf {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	int	 error;
};

static void
mb_printf(struct mbuf *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
mb_printf(struct mbuf *m, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 cap;
	char	*nb;
	int	 n;

	if (m->error)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(m->buf + m->len, m->cap - m->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			m->error = 1;
			return;
		}
		if ((size_t)n < m->cap - m->len) {
			m->len += (size_t)n;
			return;
		}
		cap = m->cap * 2 + (size_t)n;
		if (cap > METRICS_MAX || (nb = realloc(m->buf, cap)) == NULL) {
			m->error = 1;
			return;
		}
		m->buf = nb;
		m->cap = cap;
	}
}

/* A label value: backslash, double quote and newline escaped. */
static void
mb_label(struct mbuf *m, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			mb_printf(m, "\\\\");
		else if (*s == '"')
			mb_printf(m, "\\\"");
		else if (*s == '\n')
			mb_printf(m, "\\n");
		else
			mb_printf(m, "%c", *s);
	}
}

static void
family(struct mbuf *m, const char *name, const char *type, const char *help)
{
	mb_printf(m, "# HELP homegw_%s %s\n# TYPE homegw_%s %s\n", name, help,
	    name, type);
}

/* One sample; label may be NULL. */
static void
sample(struct mbuf *m, const char *name, const char *label,
    const char *value, double v)
{
	mb_printf(m, "homegw_%s", name);
	if (label != NULL) {
		mb_printf(m, "{%s=\"", label);
		mb_label(m, value);
		mb_printf(m, "\"}");
	}
	mb_printf(m, " %.17g\n", v);
}

/* One row of live.db's metrics table. */
struct mrow {
	char	 daemon[16];
	char	 name[160];
	double	 value;
};

struct mrows {
	struct mrow	*r;
	size_t		 n;
};

static int
mrows_load(sqlite3 *db, struct mrows *rows)
{
	sqlite3_stmt	*st;
	const char	*d, *n;
	void		*nr;
	size_t		 cap = 0;

	rows->r = NULL;
	rows->n = 0;
	if (db == NULL || sqlite3_prepare_v2(db, "SELECT daemon, name, value "
	    "FROM metrics ORDER BY daemon, name", -1, &st, NULL) != SQLITE_OK)
		return (-1);
	while (sqlite3_step(st) == SQLITE_ROW) {
		d = (const char *)sqlite3_column_text(st, 0);
		n = (const char *)sqlite3_column_text(st, 1);
		if (d == NULL || n == NULL)
			continue;
		if (rows->n == cap) {
			cap = cap ? cap * 2 : 256;
			if (cap > 8192 || (nr = reallocarray(rows->r, cap,
			    sizeof(*rows->r))) == NULL)
				break;
			rows->r = nr;
		}
		snprintf(rows->r[rows->n].daemon, sizeof(rows->r[0].daemon),
		    "%s", d);
		snprintf(rows->r[rows->n].name, sizeof(rows->r[0].name), "%s",
		    n);
		rows->r[rows->n++].value = sqlite3_column_double(st, 2);
	}
	sqlite3_finalize(st);
	return (0);
}

static const struct mrow *
mrow_find(const struct mrows *rows, const char *daemon, const char *name)
{
	size_t	 i;

	for (i = 0; i < rows->n; i++)
		if (strcmp(rows->r[i].daemon, daemon) == 0 &&
		    strcmp(rows->r[i].name, name) == 0)
			return (&rows->r[i]);
	return (NULL);
}

/* A family with one unlabelled sample, when the daemon published it. */
static void
single(struct mbuf *m, const struct mrows *rows, const char *daemon,
    const char *src, const char *name, const char *type, const char *help)
{
	const struct mrow	*r;

	if ((r = mrow_find(rows, daemon, src)) == NULL)
		return;
	family(m, name, type, help);
	sample(m, name, NULL, NULL, r->value);
}

/* A family from every row of daemon whose name starts with prefix. */
static void
by_prefix(struct mbuf *m, const struct mrows *rows, const char *daemon,
    const char *prefix, const char *name, const char *label,
    const char *type, const char *help)
{
	size_t	 i, plen = strlen(prefix);
	int	 any = 0;

	for (i = 0; i < rows->n; i++) {
		if ((daemon != NULL && strcmp(rows->r[i].daemon, daemon) != 0) ||
		    strncmp(rows->r[i].name, prefix, plen) != 0 ||
		    rows->r[i].name[plen] == '\0')
			continue;
		if (!any)
			family(m, name, type, help);
		any = 1;
		sample(m, name, label, rows->r[i].name + plen,
		    rows->r[i].value);
	}
}

static void
daemons(struct mbuf *m, struct webd *w, int64_t now)
{
	sqlite3_stmt	*st = NULL;
	int64_t		 hb[STATE_NDAEMONS], started[STATE_NDAEMONS];
	const char	*name;
	size_t		 i;

	for (i = 0; i < STATE_NDAEMONS; i++)
		hb[i] = started[i] = -1;
	if (w->live != NULL && sqlite3_prepare_v2(w->live, "SELECT name, "
	    "heartbeat, started FROM daemons", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			if ((name = (const char *)sqlite3_column_text(st, 0)) ==
			    NULL)
				continue;
			for (i = 0; i < STATE_NDAEMONS; i++)
				if (strcmp(name, state_daemons[i]) == 0) {
					hb[i] = sqlite3_column_int64(st, 1);
					started[i] = sqlite3_column_int64(st,
					    2);
				}
		}
		sqlite3_finalize(st);
	}
	family(m, "daemon_up", "gauge", "1 when the daemon runs and its "
	    "heartbeat is recent, else 0.");
	for (i = 0; i < STATE_NDAEMONS; i++)
		sample(m, "daemon_up", "daemon", state_daemons[i],
		    strcmp(state_daemons[i], "webd") == 0 || (hb[i] >= 0 &&
		    now - hb[i] <= ALERTS_SILENT_S) ? 1 : 0);
	family(m, "daemon_heartbeat_age_seconds", "gauge", "Seconds since "
	    "the daemon last wrote its heartbeat.");
	for (i = 0; i < STATE_NDAEMONS; i++)
		if (hb[i] >= 0)
			sample(m, "daemon_heartbeat_age_seconds", "daemon",
			    state_daemons[i], (double)(now > hb[i] ?
			    now - hb[i] : 0));
	family(m, "daemon_start_time_seconds", "gauge", "When the daemon "
	    "started, in seconds since the epoch.");
	for (i = 0; i < STATE_NDAEMONS; i++)
		if (started[i] >= 0)
			sample(m, "daemon_start_time_seconds", "daemon",
			    state_daemons[i], (double)started[i]);
}

struct bucket {
	double	 le;
	double	 count;
};

static int
bucket_cmp(const void *a, const void *b)
{
	const struct bucket	*x = a, *y = b;

	return (x->le < y->le ? -1 : x->le > y->le);
}

/* One upstream's histogram; count is its answers (the +Inf bucket). */
static void
latency(struct mbuf *m, const struct mrows *rows, const char *up,
    double count)
{
	struct bucket		 b[32];
	const struct mrow	*r;
	const char		*bar;
	char			 name[160], *end;
	size_t			 i, n = 0, plen = strlen("upstream_latency_le_");

	for (i = 0; i < rows->n && n < 32; i++) {
		r = &rows->r[i];
		if (strcmp(r->daemon, "dnsd") != 0 ||
		    strncmp(r->name, "upstream_latency_le_", plen) != 0 ||
		    (bar = strchr(r->name, '|')) == NULL ||
		    strcmp(bar + 1, up) != 0)
			continue;
		b[n].le = strtod(r->name + plen, &end);
		if (end != bar || b[n].le <= 0)
			continue;
		b[n++].count = r->value;
	}
	qsort(b, n, sizeof(b[0]), bucket_cmp);
	for (i = 0; i < n; i++) {
		mb_printf(m, "homegw_dns_upstream_latency_seconds_bucket"
		    "{upstream=\"");
		mb_label(m, up);
		mb_printf(m, "\",le=\"%g\"} %.17g\n", b[i].le / 1000.0,
		    b[i].count);
	}
	mb_printf(m, "homegw_dns_upstream_latency_seconds_bucket{upstream=\"");
	mb_label(m, up);
	mb_printf(m, "\",le=\"+Inf\"} %.17g\n", count);
	snprintf(name, sizeof(name), "upstream_latency_sum|%s", up);
	r = mrow_find(rows, "dnsd", name);
	mb_printf(m, "homegw_dns_upstream_latency_seconds_sum{upstream=\"");
	mb_label(m, up);
	mb_printf(m, "\"} %.17g\n", r != NULL ? r->value : 0);
	mb_printf(m, "homegw_dns_upstream_latency_seconds_count{upstream=\"");
	mb_label(m, up);
	mb_printf(m, "\"} %.17g\n", count);
}

static void
upstreams(struct mbuf *m, struct webd *w, const struct mrows *rows)
{
	static const struct {
		const char	*col, *name, *type, *help;
	} cols[] = {
		{ "state = 'up'", "dns_upstream_up", "gauge",
		    "1 when the upstream answers, else 0." },
		{ "queries", "dns_upstream_queries_total", "counter",
		    "Queries sent to the upstream." },
		{ "answers", "dns_upstream_answers_total", "counter",
		    "Answers received from the upstream." },
		{ "timeouts", "dns_upstream_timeouts_total", "counter",
		    "Queries to the upstream that timed out." },
	};
	sqlite3_stmt	*st;
	const char	*up;
	char		 sql[160];
	size_t		 i, k;
	int		 any;

	for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
		snprintf(sql, sizeof(sql), "SELECT address, %s FROM "
		    "dns_upstreams ORDER BY position", cols[k].col);
		if (w->live == NULL || sqlite3_prepare_v2(w->live, sql, -1, &st,
		    NULL) != SQLITE_OK)
			return;
		any = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			if ((up = (const char *)sqlite3_column_text(st, 0)) ==
			    NULL)
				continue;
			if (!any)
				family(m, cols[k].name, cols[k].type,
				    cols[k].help);
			any = 1;
			sample(m, cols[k].name, "upstream", up,
			    sqlite3_column_double(st, 1));
		}
		sqlite3_finalize(st);
	}

	/*
	 * dnsd's rows "upstream_latency_le_<ms>|<upstream>", _sum and
	 * _count: each upstream's buckets, sorted by bound.
	 */
	any = 0;
	for (i = 0; i < rows->n; i++) {
		if (strcmp(rows->r[i].daemon, "dnsd") != 0 ||
		    strncmp(rows->r[i].name, "upstream_latency_count|", 23) != 0)
			continue;
		up = rows->r[i].name + 23;
		if (!any)
			family(m, "dns_upstream_latency_seconds", "histogram",
			    "Time an upstream took to answer.");
		any = 1;
		latency(m, rows, up, rows->r[i].value);
	}
}

/* Events kept in homegw.db, by daemon and kind: one GROUP BY. */
static void
events(struct mbuf *m, struct webd *w)
{
	sqlite3_stmt	*st;
	const char	*d, *k;
	int		 any = 0, n = 0;

	if (w->persist == NULL || sqlite3_prepare_v2(w->persist, "SELECT "
	    "daemon, kind, count(*) FROM events GROUP BY daemon, kind "
	    "ORDER BY daemon, kind LIMIT 256", -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW && n++ < SERIES_MAX) {
		d = (const char *)sqlite3_column_text(st, 0);
		k = (const char *)sqlite3_column_text(st, 1);
		if (d == NULL || k == NULL)
			continue;
		if (!any)
			family(m, "events", "gauge", "Events kept in the "
			    "history (homegw.db, within retention_days), by "
			    "daemon and kind.");
		any = 1;
		mb_printf(m, "homegw_events{daemon=\"");
		mb_label(m, d);
		mb_printf(m, "\",kind=\"");
		mb_label(m, k);
		mb_printf(m, "\"} %d\n", sqlite3_column_int(st, 2));
	}
	sqlite3_finalize(st);
}

/*
 * addrd's health tables under node_exporter's names, prefixed homegw_
 * so they never clash with a real node_exporter on the same Pi.  A
 * figure the hardware does not report is no sample at all.
 */
static void
health_single(struct mbuf *m, sqlite3_stmt *st, int col, const char *name,
    const char *help, double scale)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return;
	family(m, name, "gauge", help);
	sample(m, name, NULL, NULL, sqlite3_column_double(st, col) * scale);
}

static void
health_metrics(struct mbuf *m, struct webd *w)
{
	static const struct {
		const char	*name, *type, *help;
	} net[] = {
		{ "node_network_receive_bytes_total", "counter",
		    "Bytes received, by interface." },
		{ "node_network_transmit_bytes_total", "counter",
		    "Bytes sent, by interface." },
		{ "node_network_receive_packets_total", "counter",
		    "Packets received, by interface." },
		{ "node_network_transmit_packets_total", "counter",
		    "Packets sent, by interface." },
		{ "node_network_receive_errs_total", "counter",
		    "Receive errors, by interface." },
		{ "node_network_transmit_errs_total", "counter",
		    "Transmit errors, by interface." },
		{ "node_network_receive_drop_total", "counter",
		    "Received packets dropped, by interface." },
		{ "node_network_transmit_drop_total", "counter",
		    "Packets dropped on sending, by interface." },
	};
	static const char *const flag[] = {
		"under_voltage", "frequency_capped", "throttled",
		"soft_temp_limit"
	};
	sqlite3_stmt	*st;
	const char	*dev;
	size_t		 i;
	int		 b;

	if (w->live == NULL || sqlite3_prepare_v2(w->live, "SELECT load1, "
	    "load5, load15, uptime_s, cpu_busy_pct, mem_total, mem_available, "
	    "throttled, disk_total, disk_free, disk_device, disk_written "
	    "FROM health WHERE id = 1", -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW) {
		health_single(m, st, 0, "node_load1", "1m load average.", 1);
		health_single(m, st, 1, "node_load5", "5m load average.", 1);
		health_single(m, st, 2, "node_load15", "15m load average.", 1);
		health_single(m, st, 3, "node_uptime_seconds",
		    "Seconds since the system booted.", 1);
		health_single(m, st, 4, "node_cpu_busy_ratio",
		    "Share of CPU time not idle over addrd's last sample step.",
		    0.01);
		health_single(m, st, 5, "node_memory_mem_total_bytes",
		    "Memory, from /proc/meminfo.", 1);
		health_single(m, st, 6, "node_memory_mem_available_bytes",
		    "Memory available for starting new work.", 1);
		health_single(m, st, 8, "node_filesystem_size_bytes",
		    "Size of state_dir's file system.", 1);
		health_single(m, st, 9, "node_filesystem_avail_bytes",
		    "Space in state_dir's file system available to homegw.",
		    1);
		dev = (const char *)sqlite3_column_text(st, 10);
		if (dev != NULL && sqlite3_column_type(st, 11) !=
		    SQLITE_NULL) {
			family(m, "node_disk_written_bytes_total", "counter",
			    "Bytes written to state_dir's block device since "
			    "boot.");
			sample(m, "node_disk_written_bytes_total", "device",
			    dev, sqlite3_column_double(st, 11));
		}
		if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
			/* Bits 0-3 now, bits 16-19 since boot. */
			family(m, "node_rpi_throttled", "gauge",
			    "Raspberry Pi firmware flags: 1 when set now.");
			for (b = 0; b < 4; b++)
				sample(m, "node_rpi_throttled", "flag", flag[b],
				    (sqlite3_column_int64(st, 7) >> b) & 1);
			family(m, "node_rpi_throttled_since_boot", "gauge",
			    "Raspberry Pi firmware flags: 1 when set since "
			    "boot.");
			for (b = 0; b < 4; b++)
				sample(m, "node_rpi_throttled_since_boot",
				    "flag", flag[b],
				    (sqlite3_column_int64(st, 7) >> (16 + b)) &
				    1);
		}
	}
	sqlite3_finalize(st);

	if (sqlite3_prepare_v2(w->live, "SELECT zone, type, celsius FROM "
	    "thermal ORDER BY zone LIMIT 16", -1, &st, NULL) == SQLITE_OK) {
		for (i = 0; sqlite3_step(st) == SQLITE_ROW; i++) {
			if (i == 0)
				family(m, "node_thermal_zone_temp", "gauge",
				    "Zone temperature in Celsius.");
			mb_printf(m, "homegw_node_thermal_zone_temp{zone=\"");
			mb_label(m, (const char *)sqlite3_column_text(st, 0));
			mb_printf(m, "\",type=\"");
			mb_label(m, (const char *)sqlite3_column_text(st, 1));
			mb_printf(m, "\"} %.17g\n", sqlite3_column_double(st, 2));
		}
		sqlite3_finalize(st);
	}

	for (i = 0; i < sizeof(net) / sizeof(net[0]); i++) {
		if (sqlite3_prepare_v2(w->live, "SELECT name, rx_bytes, "
		    "tx_bytes, rx_packets, tx_packets, rx_errors, tx_errors, "
		    "rx_dropped, tx_dropped FROM interfaces WHERE rx_bytes IS "
		    "NOT NULL ORDER BY name LIMIT 64", -1, &st, NULL) !=
		    SQLITE_OK)
			return;
		family(m, net[i].name, net[i].type, net[i].help);
		while (sqlite3_step(st) == SQLITE_ROW)
			sample(m, net[i].name, "device",
			    (const char *)sqlite3_column_text(st, 0),
			    sqlite3_column_double(st, 1 + (int)i));
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(w->live, "SELECT name, operstate = 'up', "
	    "carrier, speed_mbps FROM interfaces ORDER BY name LIMIT 64", -1,
	    &st, NULL) != SQLITE_OK)
		return;
	family(m, "node_network_up", "gauge",
	    "1 when the interface's operational state is up.");
	while (sqlite3_step(st) == SQLITE_ROW)
		sample(m, "node_network_up", "device",
		    (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_double(st, 1));
	sqlite3_reset(st);
	family(m, "node_network_speed_bytes", "gauge",
	    "Link speed in bytes per second, where the driver reports it.");
	while (sqlite3_step(st) == SQLITE_ROW)
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			sample(m, "node_network_speed_bytes", "device",
			    (const char *)sqlite3_column_text(st, 0),
			    sqlite3_column_double(st, 3) * 125000.0);
	sqlite3_finalize(st);
}

/*
 * The whole page, malloc'ed, its length in *ret_len; NULL when out of
 * memory.
 */
char *
metrics_text(struct webd *w, int64_t now, size_t *ret_len)
{
	struct mbuf	 m = { NULL, 0, 0, 0 };
	struct mrows	 rows;
	const struct auth *a = &w->auth;
	const struct mrow *r;
	struct fig_dns	 fd;
	size_t		 i;

	if ((m.buf = malloc(16384)) == NULL)
		return (NULL);
	m.cap = 16384;
	api_db_refresh(w, now);
	(void)mrows_load(w->live, &rows);

	family(&m, "build_info", "gauge", "The homegw version; always 1.");
	mb_printf(&m, "homegw_build_info{version=\"");
	mb_label(&m, HGW_VERSION);
	mb_printf(&m, "\"} 1\n");
	daemons(&m, w, now);

	/* natd */
	single(&m, &rows, "natd", "conntrack_count", "conntrack_entries",
	    "gauge", "Entries in the kernel's connection tracking table.");
	single(&m, &rows, "natd", "conntrack_max", "conntrack_entries_limit",
	    "gauge", "Size of the kernel's connection tracking table.");
	single(&m, &rows, "natd", "flows", "mirrored_flows", "gauge",
	    "Flows natd mirrors into live.db.");
	single(&m, &rows, "natd", "flows_max", "mirrored_flows_limit",
	    "gauge", "Most flows natd mirrors ([nat] max_flows).");
	single(&m, &rows, "natd", "flows_refused",
	    "mirrored_flows_refused_total", "counter",
	    "Flows not mirrored because the mirror was full.");
	by_prefix(&m, &rows, "natd", "nat_drop_", "nat_dropped_packets_total",
	    "reason", "counter", "Packets natd's rules dropped, by reason.");
	by_prefix(&m, &rows, "natd", "wan_drop_",
	    "wan_input_dropped_packets_total", "reason", "counter",
	    "Packets from the WAN side to the gateway itself dropped, by "
	    "reason.");
	single(&m, &rows, "natd", "wan_guard", "wan_guard", "gauge",
	    "1 when natd's input policy guards the WAN side, else 0.");
	single(&m, &rows, "natd", "rules_loaded", "nat_rules_loaded", "gauge",
	    "1 when natd's nftables table is loaded, else 0.");

	/* dnsd */
	if (mrow_find(&rows, "dnsd", "queries_udp") != NULL) {
		family(&m, "dns_queries_total", "counter",
		    "DNS queries received, by transport.");
		sample(&m, "dns_queries_total", "proto", "udp",
		    mrow_find(&rows, "dnsd", "queries_udp")->value);
		if ((r = mrow_find(&rows, "dnsd", "queries_tcp")) != NULL)
			sample(&m, "dns_queries_total", "proto", "tcp",
			    r->value);
	}
	single(&m, &rows, "dnsd", "cache_hits", "dns_cache_hits_total",
	    "counter", "Queries answered from the cache.");
	single(&m, &rows, "dnsd", "cache_misses", "dns_cache_misses_total",
	    "counter", "Queries the cache could not answer.");
	single(&m, &rows, "dnsd", "servfail", "dns_servfail_responses_total",
	    "counter", "SERVFAIL answers sent to clients.");
	single(&m, &rows, "dnsd", "nxdomain", "dns_nxdomain_responses_total",
	    "counter", "NXDOMAIN answers sent to clients.");
	single(&m, &rows, "dnsd", "cache_entries", "dns_cache_entries",
	    "gauge", "Entries in the DNS cache.");
	/* The ratio the overview and homegwctl status show (figures.c). */
	fig_dns_read(w->live, &fd);
	if (fd.known && fd.hit_ratio >= 0) {
		family(&m, "dns_cache_hit_ratio", "gauge",
		    "Share of the queries for names outside the LAN answered "
		    "from the cache: hits / (hits + misses).");
		sample(&m, "dns_cache_hit_ratio", NULL, NULL, fd.hit_ratio);
	}
	/* Blocking (issue 15): list and group names come from the config. */
	single(&m, &rows, "dnsd", "block_blocked", "dns_blocked_total",
	    "counter", "Queries answered from a blocklist.");
	by_prefix(&m, &rows, "dnsd", "block_list_",
	    "dns_blocked_by_list_total", "list", "counter",
	    "Queries blocked, by the list that blocked them (own: the "
	    "owner's entries).");
	by_prefix(&m, &rows, "dnsd", "block_group_",
	    "dns_blocked_by_group_total", "group", "counter",
	    "Queries blocked, by the client's groups the list applied to.");
	single(&m, &rows, "dnsd", "block_index_ready",
	    "dns_blocklist_ready", "gauge",
	    "1 once the blocklists are indexed and blocking, else 0.");
	single(&m, &rows, "dnsd", "block_index_entries",
	    "dns_blocklist_entries", "gauge",
	    "Entries in the blocklist index.");
	single(&m, &rows, "dnsd", "block_index_bytes",
	    "dns_blocklist_index_bytes", "gauge",
	    "Memory of the blocklist index.");
	single(&m, &rows, "dnsd", "block_paused_until",
	    "dns_blocking_paused_until_timestamp_seconds", "gauge",
	    "When paused blocking resumes; 0 when not paused.");
	upstreams(&m, w, &rows);

	/* arpd */
	single(&m, &rows, "arpd", "stations", "arp_stations", "gauge",
	    "Stations (MAC, address pairs) arpd keeps track of.");
	single(&m, &rows, "arpd", "neighbours", "arp_neighbours", "gauge",
	    "Entries in the kernel's neighbour (ARP) table.");
	single(&m, &rows, "arpd", "events", "arp_events_total", "counter",
	    "Events arpd raised (new stations, changed MACs, ...).");
	events(&m, w);

	/* webd itself */
	family(&m, "web_logins_total", "counter",
	    "Login attempts, by result.");
	sample(&m, "web_logins_total", "result", "ok", (double)a->logins_ok);
	sample(&m, "web_logins_total", "result", "failed",
	    (double)a->logins_failed);
	sample(&m, "web_logins_total", "result", "throttled",
	    (double)a->logins_limited);
	family(&m, "web_requests_total", "counter", "HTTP requests served.");
	sample(&m, "web_requests_total", NULL, NULL, (double)w->requests);
	family(&m, "web_connections", "gauge", "Open HTTP connections.");
	sample(&m, "web_connections", NULL, NULL, (double)w->nconns);
	family(&m, "web_slow_clients_closed_total", "counter",
	    "Connections closed for not sending a request in time.");
	sample(&m, "web_slow_clients_closed_total", NULL, NULL,
	    (double)w->slow_closed);
	if (w->tls.expires > 0) {
		family(&m, "web_certificate_expiry_timestamp_seconds", "gauge",
		    "When the served certificate expires.");
		sample(&m, "web_certificate_expiry_timestamp_seconds", NULL,
		    NULL, (double)w->tls.expires);
	}

	/* addrd's samples of the gateway's own health. */
	health_metrics(&m, w);

	/* Every daemon's write failures, webd's own included (daemon.c). */
	family(&m, "db_write_failures_total", "counter",
	    "Failed write transactions to live.db or homegw.db, by daemon.");
	for (i = 0; i < rows.n; i++)
		if (strcmp(rows.r[i].name, "db_write_failures") == 0)
			sample(&m, "db_write_failures_total", "daemon",
			    rows.r[i].daemon, rows.r[i].value);

	free(rows.r);
	if (m.error) {
		free(m.buf);
		return (NULL);
	}
	*ret_len = m.len;
	return (m.buf);
}
