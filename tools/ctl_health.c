/*
 * SPDX-License-Identifier: ISC
 *
 * ctl_health.c: the gateway's own health in "homegwctl status": load,
 * CPU, memory, temperature, Raspberry Pi throttling, uptime, state_dir's
 * free space and the bytes written to its device, and each interface's
 * link and counters, as addrd samples them into live.db (health,
 * thermal, interfaces).  A figure the hardware does not report is left
 * out of the text and null in JSON.  Reads only.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "conf.h"
#include "ctl.h"

/* 1536 -> "1.5 KiB": binary units, as free(1) and df -h print them. */
static const char *
fmt_bytes(char *buf, size_t len, double v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int	 i = 0;

	while (v >= 1024.0 && i < 4) {
		v /= 1024.0;
		i++;
	}
	snprintf(buf, len, i == 0 ? "%.0f %s" : "%.1f %s", v, unit[i]);
	return (buf);
}

static const char *
fmt_bits(char *buf, size_t len, double v)
{
	static const char *const unit[] = { "bit/s", "kbit/s", "Mbit/s",
	    "Gbit/s" };
	int	 i = 0;

	while (v >= 1000.0 && i < 3) {
		v /= 1000.0;
		i++;
	}
	snprintf(buf, len, i == 0 ? "%.0f %s" : "%.1f %s", v, unit[i]);
	return (buf);
}

static int
has(sqlite3_stmt *st, int col)
{
	return (sqlite3_column_type(st, col) != SQLITE_NULL);
}

/* The current row as one JSON object, NULL columns as null. */
static void
json_object_row(sqlite3_stmt *st)
{
	int	 i, n = sqlite3_column_count(st);

	printf("{");
	for (i = 0; i < n; i++) {
		printf("%s", i ? ", " : "");
		ctl_json_string(stdout, sqlite3_column_name(st, i));
		printf(": ");
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_NULL:
			printf("null");
			break;
		case SQLITE_INTEGER:
			printf("%lld", (long long)sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			printf("%.17g", sqlite3_column_double(st, i));
			break;
		default:
			ctl_json_string(stdout,
			    (const char *)sqlite3_column_text(st, i));
			break;
		}
	}
	printf("}");
}

static void
health_text(struct ctl *c, sqlite3_stmt *st)
{
	char		 a[32], b[32], dur[64];
	const char	*dir = c->conf != NULL ? c->conf->gateway.state_dir :
	    "state_dir";
	int64_t		 up;

	printf("\nhealth:\n");
	if (has(st, 1)) {
		up = sqlite3_column_int64(st, 1);
		if (up >= 86400)
			snprintf(dur, sizeof(dur), "%lld d %lld h",
			    (long long)(up / 86400),
			    (long long)(up % 86400 / 3600));
		else
			snprintf(dur, sizeof(dur), "%lld h %lld min",
			    (long long)(up / 3600),
			    (long long)(up % 3600 / 60));
		printf("  up %s", dur);
	}
	if (has(st, 2))
		printf("%sload %.2f %.2f %.2f", has(st, 1) ? ", " : "  ",
		    sqlite3_column_double(st, 2), sqlite3_column_double(st, 3),
		    sqlite3_column_double(st, 4));
	if (has(st, 6))
		printf(" (%d CPU%s", sqlite3_column_int(st, 6),
		    sqlite3_column_int(st, 6) == 1 ? "" : "s");
	if (has(st, 5))
		printf("%s%.0f %% busy", has(st, 6) ? ", " : " (",
		    sqlite3_column_double(st, 5));
	if (has(st, 5) || has(st, 6))
		printf(")");
	printf("\n");
	if (has(st, 7) && has(st, 8) && sqlite3_column_int64(st, 7) > 0)
		printf("  memory %s available of %s (%.0f %% used)\n",
		    fmt_bytes(a, sizeof(a), sqlite3_column_double(st, 8)),
		    fmt_bytes(b, sizeof(b), sqlite3_column_double(st, 7)),
		    100.0 - 100.0 * sqlite3_column_double(st, 8) /
		    sqlite3_column_double(st, 7));
	if (has(st, 9))
		printf("  temperature %.1f °C (%s)\n",
		    sqlite3_column_double(st, 9), has(st, 10) ?
		    (const char *)sqlite3_column_text(st, 10) : "sensor");
	else
		printf("  temperature not reported by this hardware\n");
	if (has(st, 11)) {
		const char *t = (const char *)sqlite3_column_text(st, 12);

		printf("  throttling: %s (firmware flags 0x%llx)\n",
		    t != NULL && t[0] != '\0' ? t : "none",
		    (unsigned long long)sqlite3_column_int64(st, 11));
	}
	if (has(st, 13) && has(st, 14))
		printf("  %s: %s free of %s\n", dir,
		    fmt_bytes(a, sizeof(a), sqlite3_column_double(st, 14)),
		    fmt_bytes(b, sizeof(b), sqlite3_column_double(st, 13)));
	if (has(st, 15) && has(st, 17))
		printf("  written to %s: %s per hour (%s since boot)\n",
		    (const char *)sqlite3_column_text(st, 15),
		    fmt_bytes(a, sizeof(a), sqlite3_column_double(st, 17)),
		    fmt_bytes(b, sizeof(b), sqlite3_column_double(st, 16)));
	else
		printf("  written to its device: unknown (no block device: "
		    "tmpfs, overlay or network)\n");
}

static void
ifaces_text(sqlite3_stmt *st)
{
	char		 rx[32], tx[32], rr[32], tr[32];
	const char	*role, *addrs;
	int		 n = 0;

	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n++ == 0)
			printf("\ninterfaces:\n");
		role = (const char *)sqlite3_column_text(st, 1);
		addrs = (const char *)sqlite3_column_text(st, 7);
		printf("  %-12s %-4s %-8s", sqlite3_column_text(st, 0),
		    role != NULL ? role : "", sqlite3_column_text(st, 2));
		if (has(st, 3))
			printf(" %s", sqlite3_column_int(st, 3) ?
			    "carrier" : "no-carrier");
		if (has(st, 4))
			printf(" %d Mbit/s", sqlite3_column_int(st, 4));
		printf("%s%s\n", addrs != NULL ? " " : "",
		    addrs != NULL ? addrs : "");
		if (!has(st, 8))
			continue;
		printf("    rx %s tx %s, errors %lld/%lld, drops %lld/%lld",
		    fmt_bytes(rx, sizeof(rx), sqlite3_column_double(st, 8)),
		    fmt_bytes(tx, sizeof(tx), sqlite3_column_double(st, 9)),
		    (long long)sqlite3_column_int64(st, 12),
		    (long long)sqlite3_column_int64(st, 13),
		    (long long)sqlite3_column_int64(st, 14),
		    (long long)sqlite3_column_int64(st, 15));
		if (has(st, 16))
			printf(", now %s in %s out",
			    fmt_bits(rr, sizeof(rr), sqlite3_column_double(st,
			    16)), fmt_bits(tr, sizeof(tr),
			    sqlite3_column_double(st, 17)));
		printf("\n");
	}
}

/*
 * The health part of "homegwctl status".  In JSON it prints the members
 * ,"health": {...} or null, "thermal": [...], "interfaces": [...]
 * (the same fields as GET /api/v1/health).  0, or -1 on a query error.
 */
int
ctl_status_health(struct ctl *c, sqlite3 *live)
{
	sqlite3_stmt	*st = NULL;
	int		 r = 0, found;

	if (live == NULL || sqlite3_prepare_v2(live, "SELECT updated, "
	    "uptime_s, load1, load5, load15, cpu_busy_pct, cpus, mem_total, "
	    "mem_available, temp_c, temp_sensor, throttled, throttled_text, "
	    "disk_total, disk_free, disk_device, disk_written, "
	    "disk_written_hour FROM health WHERE id = 1", -1, &st,
	    NULL) != SQLITE_OK) {
		/* An addrd older than the health tables: nothing to show. */
		if (c->json)
			printf(",\n\"health\": null, \"thermal\": [], "
			    "\"interfaces\": []");
		return (0);
	}
	found = sqlite3_step(st) == SQLITE_ROW;
	if (c->json) {
		printf(",\n\"health\": ");
		if (found)
			json_object_row(st);
		else
			printf("null");
	} else if (found)
		health_text(c, st);
	sqlite3_finalize(st);

	if (c->json) {
		printf(",\n\"thermal\": ");
		if (sqlite3_prepare_v2(live, "SELECT zone, type, celsius FROM "
		    "thermal ORDER BY zone", -1, &st, NULL) == SQLITE_OK) {
			r = ctl_print_query(c, st) < 0 ? -1 : 0;
			sqlite3_finalize(st);
		} else
			printf("[]");
	}
	if (sqlite3_prepare_v2(live, "SELECT name, role, operstate, carrier, "
	    "speed_mbps, mtu, mac, addresses, rx_bytes, tx_bytes, rx_packets, "
	    "tx_packets, rx_errors, tx_errors, rx_dropped, tx_dropped, rx_bps, "
	    "tx_bps, updated FROM interfaces ORDER BY role IS NULL, role, name",
	    -1, &st, NULL) != SQLITE_OK) {
		if (c->json)
			printf(",\n\"interfaces\": []");
		return (r);
	}
	if (c->json) {
		printf(",\n\"interfaces\": ");
		if (ctl_print_query(c, st) < 0)
			r = -1;
	} else
		ifaces_text(st);
	sqlite3_finalize(st);
	return (r);
}
