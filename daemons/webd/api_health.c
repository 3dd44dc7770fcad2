/*
 * SPDX-License-Identifier: ISC
 *
 * api_health.c: GET /api/v1/health, the gateway's own health as addrd
 * samples it into live.db (the health, thermal, interfaces and
 * iface_history tables; docs/api.md).  Read-only, bounded like every
 * other answer; a missing table (an older addrd) gives nulls and empty
 * lists, never an error.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "webd.h"

#define HEALTH_IFACES_ROWS	64
#define HEALTH_HISTORY_ROWS	400	/* an hour at 10 s, and some */

static sqlite3_stmt *
health_prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;

	if (db == NULL)
		return (NULL);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_debug("%s: %s", __func__, sqlite3_errmsg(db));
		return (NULL);
	}
	return (st);
}

static void
health_rows(struct json *j, sqlite3_stmt *st, int max)
{
	int	 n = 0;

	json_array_open(j);
	while (st != NULL && n < max && sqlite3_step(st) == SQLITE_ROW) {
		json_row(j, st);
		n++;
	}
	sqlite3_finalize(st);
	json_array_close(j);
}

/*
 * {"health": {...} or null, "thermal": [...], "interfaces": [...],
 *  "wan": {"name", "history": [{"time","rx_bps","tx_bps"}]} or null}
 */
void
api_health(struct api_request *ar, struct json *j)
{
	sqlite3		*db = ar->w->live;
	sqlite3_stmt	*st;
	char		 wan[64] = "";

	json_object_open(j);
	json_key(j, "health");
	st = health_prep(db, "SELECT updated, uptime_s, load1, load5, load15, "
	    "cpu_busy_pct, cpus, mem_total, mem_available, temp_c, "
	    "temp_sensor, throttled, throttled_text, disk_total, disk_free, "
	    "disk_device, disk_written, disk_written_hour FROM health "
	    "WHERE id = 1");
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		json_row(j, st);
	else
		json_null(j);
	sqlite3_finalize(st);

	json_key(j, "thermal");
	health_rows(j, health_prep(db, "SELECT zone, type, celsius FROM "
	    "thermal ORDER BY zone"), HEALTH_IFACES_ROWS);

	json_key(j, "interfaces");
	health_rows(j, health_prep(db, "SELECT name, role, operstate, carrier, "
	    "speed_mbps, mtu, mac, addresses, rx_bytes, tx_bytes, rx_packets, "
	    "tx_packets, rx_errors, tx_errors, rx_dropped, tx_dropped, rx_bps, "
	    "tx_bps, updated FROM interfaces ORDER BY role IS NULL, role, "
	    "name"), HEALTH_IFACES_ROWS);

	st = health_prep(db, "SELECT name FROM interfaces WHERE role = 'wan'");
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL)
		snprintf(wan, sizeof(wan), "%s",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	json_key(j, "wan");
	if (wan[0] == '\0')
		json_null(j);
	else {
		json_object_open(j);
		json_kstring(j, "name", wan);
		json_key(j, "history");
		st = health_prep(db, "SELECT time, rx_bps, tx_bps FROM "
		    "iface_history WHERE name = ?1 AND time >= ?2 "
		    "ORDER BY time");
		if (st != NULL) {
			sqlite3_bind_text(st, 1, wan, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(st, 2, ar->now - 3600);
		}
		health_rows(j, st, HEALTH_HISTORY_ROWS);
		json_object_close(j);
	}
	json_object_close(j);
}
