/*
 * SPDX-License-Identifier: ISC
 *
 * query.c: SQL for the conntrack view, built from what the client asked
 * for.  Filters only ever become bound parameters, and sort keys are
 * looked up in a fixed table, so no client text reaches the SQL itself.
 * The table has no index (to spare natd's hot path; the filters match
 * several columns at once anyway), so a filter scans the capped table
 * once and SQLite keeps only the requested page while sorting (LIMIT
 * turns the sort into a top-N), which stays quick for tens of thousands
 * of flows.  Pure string work: no SQLite calls besides binding, no
 * logging.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "webd.h"

static const struct {
	const char	*key;
	const char	*expr;
} sorts[] = {
	{ "bytes", "(orig_bytes + reply_bytes)" },
	{ "packets", "(orig_packets + reply_packets)" },
	{ "first_seen", "first_seen" },
	{ "age", "(0 - first_seen)" },	/* older is more */
	{ "last_seen", "last_seen" },
	{ "src", "orig_src" },
	{ "dst", "orig_dst" },
	{ "sport", "orig_sport" },
	{ "dport", "orig_dport" },
	{ "nat", "reply_dst" },
	{ "proto", "proto" },
	{ "state", "tcp_state" },
	{ "host", "lan_host" },
	{ "timeout", QUERY_CT_TIMEOUT },
	{ "orig_bytes", "orig_bytes" },
	{ "reply_bytes", "reply_bytes" },
	{ "rate", "(rate_orig + rate_reply)" },
	{ "rate_orig", "rate_orig" },
	{ "rate_reply", "rate_reply" },
};

/*
 * The gateway filter: "no" (or "hide") leaves the gateway's own
 * connections out, "only" (or "yes") shows nothing else, "all" (or
 * "any", or no argument) shows both.
 */
int
query_gateway_arg(const char *s)
{
	if (s == NULL || *s == '\0' || strcasecmp(s, "all") == 0 ||
	    strcasecmp(s, "any") == 0)
		return (QUERY_GW_ANY);
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "hide") == 0 ||
	    strcmp(s, "0") == 0)
		return (QUERY_GW_HIDE);
	if (strcasecmp(s, "only") == 0 || strcasecmp(s, "yes") == 0 ||
	    strcmp(s, "1") == 0)
		return (QUERY_GW_ONLY);
	return (-1);
}

/* The SQL expression for a sort key, or NULL when it is not one we know. */
const char *
query_sort_expr(const char *key)
{
	size_t	 i;

	if (key == NULL || *key == '\0')
		key = "bytes";
	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
		if (strcmp(sorts[i].key, key) == 0)
			return (sorts[i].expr);
	return (NULL);
}

static int
add(char *buf, size_t len, size_t *pos, const char *s)
{
	size_t	 n = strlen(s);

	if (*pos + n >= len)
		return (-1);
	memcpy(buf + *pos, s, n + 1);
	*pos += n;
	return (0);
}

/*
 * Build "SELECT ... WHERE ... ORDER BY ... LIMIT ? OFFSET ?" (or the
 * matching count(*) when count is set) into buf.  Returns 0, or -1 when
 * the sort key is unknown or buf is too small.  query_ct_bind() binds the
 * parameters in the same order.
 */
int
query_ct_sql(const struct ct_filter *f, int count, char *buf, size_t len)
{
	const char	*sort;
	size_t		 pos = 0;
	int		 where = 0, r = 0;

	if ((sort = query_sort_expr(f->sort)) == NULL)
		return (-1);
	buf[0] = '\0';
	if (count)
		r |= add(buf, len, &pos, "SELECT count(*) FROM conntrack");
	else
		r |= add(buf, len, &pos, "SELECT " QUERY_CT_COLUMNS
		    " FROM conntrack");
#define COND(s) do {							\
	r |= add(buf, len, &pos, where++ ? " AND " : " WHERE ");	\
	r |= add(buf, len, &pos, (s));					\
} while (0)
	if (f->host != NULL && *f->host != '\0')
		COND("(lan_addr = ?1 OR orig_src = ?1 OR orig_dst = ?1 OR "
		    "reply_src = ?1 OR reply_dst = ?1 OR lan_host = ?2)");
	if (f->proto != NULL && *f->proto != '\0')
		COND("proto = ?3");
	if (f->state != NULL && *f->state != '\0')
		COND("tcp_state = ?4 COLLATE NOCASE");
	if (f->port >= 0)
		COND("(orig_sport = ?5 OR orig_dport = ?5 OR reply_sport = ?5 "
		    "OR reply_dport = ?5)");
	if (f->q != NULL && *f->q != '\0')
		COND("(orig_src LIKE ?6 ESCAPE '\\' OR orig_dst LIKE ?6 "
		    "ESCAPE '\\' OR reply_src LIKE ?6 ESCAPE '\\' OR "
		    "reply_dst LIKE ?6 ESCAPE '\\' OR lan_host LIKE ?6 "
		    "ESCAPE '\\' OR proto LIKE ?6 ESCAPE '\\' OR "
		    "tcp_state LIKE ?6 ESCAPE '\\' OR "
		    "CAST(orig_dport AS TEXT) = ?7)");
	/*
	 * The matching (client, address) pairs are collected once and each
	 * flow probes them: no per-row lookup in dns_names.
	 */
	if (f->name != NULL && *f->name != '\0')
		COND("((coalesce(lan_addr, orig_src), orig_dst) IN (SELECT "
		    "client, address FROM dns_names WHERE name LIKE ?14 "
		    "ESCAPE '\\') OR (?15 LIKE ?14 ESCAPE '\\' AND orig_dst IN "
		    "(SELECT address FROM addresses UNION ALL "
		    "VALUES (?16), (?17))))");
	if (f->gateway == QUERY_GW_HIDE || f->gateway == QUERY_GW_ONLY)
		COND("gateway = ?10");
#undef COND
	if (!count) {
		r |= add(buf, len, &pos, " ORDER BY ");
		r |= add(buf, len, &pos, sort);
		r |= add(buf, len, &pos, f->desc ? " DESC" : " ASC");
		/* A total order, so paging never repeats or skips a row. */
		r |= add(buf, len, &pos, f->desc ? ", rowid DESC" :
		    ", rowid ASC");
		r |= add(buf, len, &pos, " LIMIT ?8 OFFSET ?9");
	}
	return (r ? -1 : 0);
}

/*
 * "%text%" for LIKE with the wildcards in text escaped, into buf.
 * Returns 0, or -1 when it does not fit.
 */
int
query_like_pattern(const char *text, char *buf, size_t len)
{
	size_t	 o = 0;

	if (len < 3)
		return (-1);
	buf[o++] = '%';
	for (; *text != '\0'; text++) {
		if (o + 4 > len)
			return (-1);
		if (*text == '%' || *text == '_' || *text == '\\')
			buf[o++] = '\\';
		buf[o++] = *text;
	}
	buf[o++] = '%';
	buf[o] = '\0';
	return (0);
}

/* Bind a filter's values to a statement built by query_ct_sql(). */
int
query_ct_bind(sqlite3_stmt *st, const struct ct_filter *f, const char *host_name,
    int count)
{
	char	 pat[300];
	int	 r = SQLITE_OK;

	if (f->host != NULL && *f->host != '\0') {
		r |= sqlite3_bind_text(st, 1, f->host, -1, SQLITE_TRANSIENT);
		r |= sqlite3_bind_text(st, 2, host_name != NULL ? host_name :
		    f->host, -1, SQLITE_TRANSIENT);
	}
	if (f->proto != NULL && *f->proto != '\0')
		r |= sqlite3_bind_text(st, 3, f->proto, -1, SQLITE_TRANSIENT);
	if (f->state != NULL && *f->state != '\0')
		r |= sqlite3_bind_text(st, 4, f->state, -1, SQLITE_TRANSIENT);
	if (f->port >= 0)
		r |= sqlite3_bind_int(st, 5, f->port);
	if (f->q != NULL && *f->q != '\0') {
		if (query_like_pattern(f->q, pat, sizeof(pat)) < 0)
			return (-1);
		r |= sqlite3_bind_text(st, 6, pat, -1, SQLITE_TRANSIENT);
		r |= sqlite3_bind_text(st, 7, f->q, -1, SQLITE_TRANSIENT);
	}
	if (f->name != NULL && *f->name != '\0') {
		if (query_like_pattern(f->name, pat, sizeof(pat)) < 0)
			return (-1);
		r |= sqlite3_bind_text(st, 14, pat, -1, SQLITE_TRANSIENT);
		r |= sqlite3_bind_text(st, 15, f->gw_name != NULL ?
		    f->gw_name : "", -1, SQLITE_TRANSIENT);
		r |= sqlite3_bind_text(st, 16, f->gw_addr[0], -1,
		    SQLITE_TRANSIENT);
		r |= sqlite3_bind_text(st, 17, f->gw_addr[1], -1,
		    SQLITE_TRANSIENT);
	}
	if (f->gateway == QUERY_GW_HIDE || f->gateway == QUERY_GW_ONLY)
		r |= sqlite3_bind_int(st, 10, f->gateway == QUERY_GW_ONLY);
	if (!count) {
		r |= sqlite3_bind_int64(st, 8, f->limit);
		r |= sqlite3_bind_int64(st, 9, f->offset);
	}
	return (r == SQLITE_OK ? 0 : -1);
}

/* A bounded integer from a query argument. */
int64_t
query_arg_int(const char *s, int64_t def, int64_t min, int64_t max)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0')
		return (def);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		return (def);
	if (v < min)
		return (min);
	if (v > max)
		return (max);
	return (v);
}
