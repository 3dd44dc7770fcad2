/*
 * SPDX-License-Identifier: ISC
 *
 * api_rates.c: who is using the bandwidth now.  Answers GET top (LAN
 * hosts by their current rate, each with its last hour at natd's 10 s
 * step for a sparkline) and the "rates" member of host/KEY, from the
 * live.db tables natd keeps: host_rates_now (the sums of each host's
 * flow rates) and host_rates (the 10 s averages).  Reads only; bounded:
 * at most TOP_MAX hosts and RATES_STEPS points each.
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "addr.h"
#include "conf.h"
#include "daemon.h"
#include "webd.h"

#define RATES_STEP	10		/* natd's step, seconds */
#define RATES_KEEP	3600		/* what natd keeps */
#define RATES_STEPS	(RATES_KEEP / RATES_STEP)
#define TOP_DEFAULT	10
#define TOP_MAX		100

static sqlite3_stmt *
prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;

	if (db == NULL || sqlite3_prepare_v2(db, sql, -1, &st, NULL) !=
	    SQLITE_OK)
		return (NULL);
	return (st);
}

/* The first step shown: the hour before the step now is in. */
static int64_t
series_since(int64_t now)
{
	return (now - now % RATES_STEP - RATES_KEEP + RATES_STEP);
}

/*
 * "series": [[time, rate_out, rate_in], ...] oldest first, one per 10 s
 * step that had traffic; a step without a row had none.
 */
static void
series(struct webd *w, struct json *j, const char *address, int64_t now)
{
	sqlite3_stmt	*st;

	json_key(j, "series");
	json_array_open(j);
	st = prepare(w->live, "SELECT time, rate_out, rate_in FROM host_rates "
	    "WHERE host = ?1 AND time >= ?2 ORDER BY time LIMIT ?3");
	if (st != NULL) {
		sqlite3_bind_text(st, 1, address, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, series_since(now));
		sqlite3_bind_int(st, 3, RATES_STEPS);
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_array_open(j);
			json_int(j, sqlite3_column_int64(st, 0));
			json_double(j, sqlite3_column_double(st, 1));
			json_double(j, sqlite3_column_double(st, 2));
			json_array_close(j);
		}
		sqlite3_finalize(st);
	}
	json_array_close(j);
}

/*
 * GET top?limit=N: the LAN hosts with traffic or open connections, the
 * busiest first, and the totals of them all.  Rates in bytes/s; "out" is
 * what the LAN host sends.
 */
void
api_rates_top(struct api_request *ar, struct api_response *res)
{
	struct webd	*w = ar->w;
	struct json	*j = &res->json;
	const char	*arg = ar->arg(ar, "limit"), *address;
	sqlite3_stmt	*st;
	char		*end;
	long		 limit = TOP_DEFAULT;
	double		 out, in;

	if (arg != NULL) {
		errno = 0;
		limit = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || errno != 0 || limit < 1 ||
		    limit > TOP_MAX) {
			api_error(res, 400, "limit must be 1 to 100");
			return;
		}
	}
	json_object_open(j);
	json_kint(j, "now", ar->now);
	json_kint(j, "step", RATES_STEP);
	json_kint(j, "since", series_since(ar->now));
	out = in = 0;
	st = prepare(w->live, "SELECT total(rate_out), total(rate_in) FROM "
	    "host_rates_now");
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		out = sqlite3_column_double(st, 0);
		in = sqlite3_column_double(st, 1);
	}
	sqlite3_finalize(st);
	json_kdouble(j, "rate_out", out);
	json_kdouble(j, "rate_in", in);
	json_kdouble(j, "rate", out + in);
	json_key(j, "rows");
	json_array_open(j);
	st = prepare(w->live, "SELECT host, rate_out, rate_in, flows, updated "
	    "FROM host_rates_now ORDER BY rate_out + rate_in DESC, flows DESC, "
	    "host LIMIT ?1");
	if (st != NULL) {
		sqlite3_bind_int64(st, 1, limit);
		while (sqlite3_step(st) == SQLITE_ROW) {
			address = (const char *)sqlite3_column_text(st, 0);
			json_object_open(j);
			json_kstring(j, "address", address);
			json_kstring(j, "host", host_name_of(w, address));
			json_kdouble(j, "rate_out",
			    sqlite3_column_double(st, 1));
			json_kdouble(j, "rate_in",
			    sqlite3_column_double(st, 2));
			json_kdouble(j, "rate", sqlite3_column_double(st, 1) +
			    sqlite3_column_double(st, 2));
			json_kint(j, "flows", sqlite3_column_int64(st, 3));
			json_kint(j, "updated", sqlite3_column_int64(st, 4));
			series(w, j, address, ar->now);
			json_object_close(j);
		}
		sqlite3_finalize(st);
	}
	json_array_close(j);
	json_object_close(j);
}

/*
 * host/KEY's "rates": {"rate_out", "rate_in", "rate", "flows", "step",
 * "since", "series"}; rates 0 when the host has no open flow.
 */
void
api_rates_host(struct webd *w, struct json *j, const char *address,
    int64_t now)
{
	sqlite3_stmt	*st;
	double		 out = 0, in = 0;
	int64_t		 flows = 0;

	json_key(j, "rates");
	if (address == NULL || *address == '\0') {
		json_null(j);
		return;
	}
	st = prepare(w->live, "SELECT rate_out, rate_in, flows FROM "
	    "host_rates_now WHERE host = ?1");
	if (st != NULL) {
		sqlite3_bind_text(st, 1, address, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW) {
			out = sqlite3_column_double(st, 0);
			in = sqlite3_column_double(st, 1);
			flows = sqlite3_column_int64(st, 2);
		}
		sqlite3_finalize(st);
	}
	json_object_open(j);
	json_kdouble(j, "rate_out", out);
	json_kdouble(j, "rate_in", in);
	json_kdouble(j, "rate", out + in);
	json_kint(j, "flows", flows);
	json_kint(j, "step", RATES_STEP);
	json_kint(j, "since", series_since(now));
	series(w, j, address, now);
	json_object_close(j);
}
