/*
 * SPDX-License-Identifier: ISC
 *
 * api_block.c: the Blocking page's endpoints.  GET block gathers the
 * lists (as dnsd loaded them, from live.db's blocklists table, and as
 * "homegwctl block update" last fetched them, from their .meta files),
 * the owner's own entries, the pause, and what was blocked (the query
 * log's rows with source "blocked", the per-interval DNS figures).  The
 * POSTs (pause, resume, own entries) write the files of blockfile.h
 * atomically, the one place webd writes outside its own tables; dnsd
 * notices them within about a second.  CSRF is checked by http.c
 * before any POST gets here.
 */
#include <sys/stat.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include "blockfile.h"
#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "webd.h"

#define BLOCK_TOP	10		/* top names and clients */
#define BLOCK_HISTORY	1000		/* points of the share over time */

static sqlite3_stmt *
block_prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;

	if (db == NULL)
		return (NULL);
	/* A table or column of a newer schema may be missing: show none. */
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_debug("%s: %s: %s", __func__, sqlite3_errmsg(db), sql);
		return (NULL);
	}
	return (st);
}

/* A dnsd metric, or -1 when dnsd never wrote it. */
static int64_t
block_metric(struct webd *w, const char *name)
{
	sqlite3_stmt	*st;
	int64_t		 v = -1;

	if ((st = block_prep(w->live, "SELECT CAST(value AS INTEGER) FROM "
	    "metrics WHERE daemon = 'dnsd' AND name = ?1")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (v);
}

static void
pause_json(struct json *j, const struct hgw_conf *conf, int64_t now)
{
	int64_t	 until;

	if (blockfile_pause_get(conf, now, &until) < 0)
		until = 0;
	json_kint(j, "paused_until", until);
	json_kint(j, "remaining", until > now ? until - now : 0);
}

static void
own_cb(void *arg, enum blockfile_kind kind, const char *name)
{
	struct json	*j = arg;

	json_object_open(j);
	json_kstring(j, "kind", kind == BLOCKFILE_ALLOW ? "allow" : "deny");
	json_kstring(j, "name", name);
	json_object_close(j);
}

static void
own_json(struct json *j, const struct hgw_conf *conf)
{
	unsigned int	 i;

	json_key(j, "own");
	json_array_open(j);
	(void)blockfile_own_each(conf, own_cb, j);
	json_array_close(j);
	/* The config's entries: shown, but edited in the file only. */
	json_key(j, "config_allow");
	json_array_open(j);
	for (i = 0; i < conf->dns.nblock_allow; i++)
		json_string(j, conf->dns.block_allow[i]);
	json_array_close(j);
	json_key(j, "config_deny");
	json_array_open(j);
	for (i = 0; i < conf->dns.nblock_deny; i++)
		json_string(j, conf->dns.block_deny[i]);
	json_array_close(j);
}

static void
lists_json(struct json *j, struct webd *w)
{
	const struct hgw_conf	*conf = w->d->conf;
	struct hgw_blocklist	*bl;
	struct blockfile_meta	 m;
	struct stat		 sb;
	sqlite3_stmt		*st;
	char			 path[PATH_MAX], err[1024];
	const char		*derr;
	unsigned int		 i;
	int			 url, have;

	st = block_prep(w->live, "SELECT entries, skipped, loaded, error "
	    "FROM blocklists WHERE name = ?1");
	json_key(j, "lists");
	json_array_open(j);
	TAILQ_FOREACH(bl, &conf->blocklists, entry) {
		url = conf_source_is_url(bl->source);
		memset(&m, 0, sizeof(m));
		if (url && blockfile_list_path(conf, bl->name, ".meta", path,
		    sizeof(path)) == 0)
			(void)blockfile_meta_read(path, &m);
		have = 0;
		derr = NULL;
		if (st != NULL) {
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, bl->name, -1, SQLITE_STATIC);
			have = sqlite3_step(st) == SQLITE_ROW;
		}
		json_object_open(j);
		json_kstring(j, "name", bl->name);
		json_kstring(j, "source", bl->source);
		json_kbool(j, "url", url);
		json_kbool(j, "enabled", bl->enabled);
		json_key(j, "groups");
		json_array_open(j);
		for (i = 0; i < bl->ngroups; i++)
			json_string(j, bl->groups[i]);
		json_array_close(j);
		/* Entries: what dnsd loaded; else what the download had. */
		if (have) {
			json_kint(j, "entries", sqlite3_column_int64(st, 0));
			json_kint(j, "skipped", sqlite3_column_int64(st, 1));
			json_kint(j, "loaded", sqlite3_column_int64(st, 2));
			derr = (const char *)sqlite3_column_text(st, 3);
		} else {
			if (url && m.fetched > 0)
				json_kint(j, "entries", m.entries);
			else
				json_knull(j, "entries");
			json_knull(j, "skipped");
			json_knull(j, "loaded");
		}
		if (url) {
			json_kint(j, "updated", m.fetched);
			json_kint(j, "checked", m.checked);
		} else {
			json_kint(j, "updated", stat(bl->source, &sb) == 0 ?
			    (int64_t)sb.st_mtime : 0);
			json_knull(j, "checked");
		}
		err[0] = '\0';
		if (m.error[0] != '\0')
			snprintf(err, sizeof(err), "%s", m.error);
		if (derr != NULL && *derr != '\0')
			snprintf(err + strlen(err), sizeof(err) - strlen(err),
			    "%s%s", err[0] != '\0' ? "; " : "", derr);
		if (err[0] != '\0')
			json_kstring(j, "error", err);
		else
			json_knull(j, "error");
		json_object_close(j);
	}
	json_array_close(j);
	sqlite3_finalize(st);
}

/* What was blocked in the window: top names, top clients, by list. */
static void
blocked_json(struct json *j, struct webd *w, int64_t since_ms)
{
	sqlite3_stmt	*st;
	const char	*client, *host;

	json_key(j, "top_names");
	json_array_open(j);
	if ((st = block_prep(w->live, "SELECT name, count(*) FROM dns_log "
	    "WHERE source = 'blocked' AND time_ms >= ?1 GROUP BY name "
	    "ORDER BY 2 DESC, name LIMIT ?2")) != NULL) {
		sqlite3_bind_int64(st, 1, since_ms);
		sqlite3_bind_int(st, 2, BLOCK_TOP);
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_object_open(j);
			json_kstring(j, "name",
			    (const char *)sqlite3_column_text(st, 0));
			json_kint(j, "queries", sqlite3_column_int64(st, 1));
			json_object_close(j);
		}
		sqlite3_finalize(st);
	}
	json_array_close(j);

	json_key(j, "top_clients");
	json_array_open(j);
	if ((st = block_prep(w->live, "SELECT client, count(*) FROM dns_log "
	    "WHERE source = 'blocked' AND time_ms >= ?1 GROUP BY client "
	    "ORDER BY 2 DESC, client LIMIT ?2")) != NULL) {
		sqlite3_bind_int64(st, 1, since_ms);
		sqlite3_bind_int(st, 2, BLOCK_TOP);
		while (sqlite3_step(st) == SQLITE_ROW) {
			struct in_addr	 a;
			struct hgw_host	*h = NULL;

			client = (const char *)sqlite3_column_text(st, 0);
			if (client != NULL &&
			    addr_parse_ip4(client, &a) == 0)
				h = conf_host_by_addr(w->d->conf, a);
			host = h != NULL ? h->name : NULL;
			json_object_open(j);
			json_kstring(j, "client", client);
			json_kstring(j, "host", host);
			json_kint(j, "queries", sqlite3_column_int64(st, 1));
			json_object_close(j);
		}
		sqlite3_finalize(st);
	}
	json_array_close(j);

	/* blocked_by arrives with dnsd's blocking; older logs lack it. */
	json_key(j, "by_list");
	json_array_open(j);
	if ((st = block_prep(w->live, "SELECT blocked_by, count(*) FROM "
	    "dns_log WHERE source = 'blocked' AND time_ms >= ?1 GROUP BY "
	    "blocked_by ORDER BY 2 DESC LIMIT 64")) != NULL) {
		sqlite3_bind_int64(st, 1, since_ms);
		while (sqlite3_step(st) == SQLITE_ROW) {
			json_object_open(j);
			json_kstring(j, "list",
			    (const char *)sqlite3_column_text(st, 0));
			json_kint(j, "queries", sqlite3_column_int64(st, 1));
			json_object_close(j);
		}
		sqlite3_finalize(st);
	}
	json_array_close(j);

	json_key(j, "logged");
	json_object_open(j);
	if ((st = block_prep(w->live, "SELECT count(*), "
	    "coalesce(sum(source = 'blocked'), 0) FROM dns_log WHERE "
	    "time_ms >= ?1")) != NULL) {
		sqlite3_bind_int64(st, 1, since_ms);
		if (sqlite3_step(st) == SQLITE_ROW) {
			json_kint(j, "queries", sqlite3_column_int64(st, 0));
			json_kint(j, "blocked", sqlite3_column_int64(st, 1));
		}
		sqlite3_finalize(st);
	}
	json_object_close(j);
}

/*
 * The blocked share over time: dnsd's per-interval figures in homegw.db
 * when they carry a blocked count, else the recent query log in
 * ten-minute steps (which covers only what the log still holds).
 */
static void
history_json(struct json *j, struct webd *w, int64_t since)
{
	sqlite3_stmt	*st;
	const char	*from = "dns_history";
	int		 n = 0;

	st = block_prep(w->persist, "SELECT time, queries, blocked FROM "
	    "dns_history WHERE time >= ?1 ORDER BY time LIMIT ?2");
	if (st == NULL) {
		from = "query_log";
		st = block_prep(w->live, "SELECT (time_ms / 600000) * 600, "
		    "count(*), coalesce(sum(source = 'blocked'), 0) FROM "
		    "dns_log WHERE time_ms >= ?1 * 1000 GROUP BY 1 ORDER BY 1 "
		    "LIMIT ?2");
	}
	json_kstring(j, "history_source", st != NULL ? from : NULL);
	json_key(j, "history");
	json_array_open(j);
	if (st != NULL) {
		sqlite3_bind_int64(st, 1, since);
		sqlite3_bind_int(st, 2, BLOCK_HISTORY);
		while (n++ < BLOCK_HISTORY && sqlite3_step(st) == SQLITE_ROW) {
			json_object_open(j);
			json_kint(j, "time", sqlite3_column_int64(st, 0));
			json_kint(j, "queries", sqlite3_column_int64(st, 1));
			json_kint(j, "blocked", sqlite3_column_int64(st, 2));
			json_object_close(j);
		}
		sqlite3_finalize(st);
	}
	json_array_close(j);
}

/* GET /api/v1/block?window=SECONDS */
void
api_block_get(struct api_request *ar, struct api_response *res)
{
	struct webd		*w = ar->w;
	const struct hgw_conf	*conf = w->d->conf;
	struct json		*j = &res->json;
	int64_t			 window, v;

	window = query_arg_int(ar->arg(ar, "window"), 86400, 60, 30 * 86400);
	json_object_open(j);
	pause_json(j, conf, ar->now);
	json_kint(j, "window", window);
	json_key(j, "index");
	json_object_open(j);
	if ((v = block_metric(w, "block_index_ready")) >= 0)
		json_kbool(j, "ready", v != 0);
	else
		json_knull(j, "ready");
	if ((v = block_metric(w, "block_index_entries")) >= 0)
		json_kint(j, "entries", v);
	else
		json_knull(j, "entries");
	if ((v = block_metric(w, "block_blocked")) >= 0)
		json_kint(j, "blocked", v);
	else
		json_knull(j, "blocked");
	json_object_close(j);
	lists_json(j, w);
	own_json(j, conf);
	blocked_json(j, w, (ar->now - window) * 1000);
	history_json(j, w, ar->now - window);
	json_object_close(j);
}

static void
block_error(struct api_response *res, unsigned int status, const char *msg)
{
	/* Whatever was written already goes: the error is the answer. */
	json_free(&res->json);
	json_init(&res->json, 4096);
	api_error(res, status, "%s", msg);
}

/* A string member of the JSON body; "" when the body has none. */
static int
body_string(struct api_request *ar, const char *key, char *buf, size_t len)
{
	buf[0] = '\0';
	if (ar->body == NULL || ar->body_len == 0)
		return (0);
	if (json_get_string(ar->body, ar->body_len, key, buf, len) < 0) {
		buf[0] = '\0';
		/* Present but not a string, or not an object at all. */
		return (strstr(ar->body, key) != NULL ||
		    ar->body[strspn(ar->body, " \t\r\n")] != '{' ? -1 : 0);
	}
	return (0);
}

/* POST block/pause {"duration": "5m"} (5 minutes when absent). */
static void
post_pause(struct api_request *ar, struct api_response *res)
{
	const struct hgw_conf	*conf = ar->w->d->conf;
	char			 dur[32];
	int64_t			 secs = 300;
	int			 r;

	if (body_string(ar, "duration", dur, sizeof(dur)) < 0 ||
	    (dur[0] != '\0' && blockfile_duration(dur, &secs) < 0)) {
		block_error(res, 400, "expected {\"duration\": \"30s\"}, "
		    "\"5m\", \"1h\" or \"1d\" (at most 7d)");
		return;
	}
	if ((r = blockfile_pause_set(conf, ar->now + secs)) < 0) {
		log_warnx("cannot pause blocking: %s/%s: %s",
		    conf->gateway.run_dir, BLOCKFILE_PAUSE, strerror(-r));
		block_error(res, 500, "cannot write the pause file");
		return;
	}
	log_info("blocking paused for %lld s from the page",
	    (long long)secs);
	json_object_open(&res->json);
	pause_json(&res->json, conf, ar->now);
	json_object_close(&res->json);
}

/* POST block/resume */
static void
post_resume(struct api_request *ar, struct api_response *res)
{
	const struct hgw_conf	*conf = ar->w->d->conf;
	int			 r;

	if ((r = blockfile_pause_set(conf, 0)) < 0) {
		log_warnx("cannot resume blocking: %s/%s: %s",
		    conf->gateway.run_dir, BLOCKFILE_PAUSE, strerror(-r));
		block_error(res, 500, "cannot write the pause file");
		return;
	}
	log_info("blocking resumed from the page");
	json_object_open(&res->json);
	pause_json(&res->json, conf, ar->now);
	json_object_close(&res->json);
}

/* POST block/own {"action": "allow"|"deny"|"remove", "name": "..."} */
static void
post_own(struct api_request *ar, struct api_response *res)
{
	const struct hgw_conf	*conf = ar->w->d->conf;
	enum blockfile_kind	 kind = BLOCKFILE_DENY;
	char			 action[16], in[BLOCKFILE_NAME_MAX + 8];
	char			 name[BLOCKFILE_NAME_MAX + 1];
	int			 remove = 0, changed = 0, r;

	if (body_string(ar, "action", action, sizeof(action)) < 0 ||
	    body_string(ar, "name", in, sizeof(in)) < 0 ||
	    (strcmp(action, "allow") != 0 && strcmp(action, "deny") != 0 &&
	    strcmp(action, "remove") != 0)) {
		block_error(res, 400, "expected {\"action\": \"allow\", "
		    "\"deny\" or \"remove\", \"name\": \"a domain\"}");
		return;
	}
	if (blockfile_name(in, name, sizeof(name)) < 0) {
		block_error(res, 400, "expected a domain name such as "
		    "ads.example.com");
		return;
	}
	if (strcmp(action, "allow") == 0)
		kind = BLOCKFILE_ALLOW;
	else if (strcmp(action, "remove") == 0)
		remove = 1;
	r = blockfile_own_edit(conf, name, kind, remove, &changed);
	if (r == -ENOENT) {
		block_error(res, 404, "not among the own entries");
		return;
	}
	if (r == -EFBIG) {
		block_error(res, 413, "the own list is full");
		return;
	}
	if (r < 0) {
		log_warnx("cannot change %s/%s: %s", conf->gateway.state_dir,
		    BLOCKFILE_OWN, strerror(-r));
		block_error(res, 500, "cannot write the own list");
		return;
	}
	if (changed)
		log_info("own blocking entry from the page: %s \"%s\"",
		    action, name);
	json_object_open(&res->json);
	json_kbool(&res->json, "changed", changed);
	own_json(&res->json, conf);
	json_object_close(&res->json);
}

/* POST /api/v1/block/...: 0 when the path is ours, -1 otherwise. */
int
api_block_post(struct api_request *ar, struct api_response *res)
{
	const char	*p = ar->path;

	if (strcmp(p, "block/pause") == 0)
		post_pause(ar, res);
	else if (strcmp(p, "block/resume") == 0)
		post_resume(ar, res);
	else if (strcmp(p, "block/own") == 0)
		post_own(ar, res);
	else
		return (-1);
	return (0);
}
