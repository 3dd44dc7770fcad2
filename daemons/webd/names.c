/*
 * SPDX-License-Identifier: ISC
 *
 * names.c: the name behind a flow's destination, for the conntrack rows
 * of the API.  dnsd keeps, per client, the addresses its answers carried
 * (live.db dns_names); a flow's name is the one its LAN host looked up
 * that led to the flow's destination, and a flow to one of the gateway's
 * own addresses is named after the gateway.  Looked up by primary key
 * for the rows of one page only, never for the whole table.  Reads only.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "addr.h"
#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "webd.h"

/*
 * The name for a flow from client (its LAN address) to dst, in buf, or
 * NULL when there is none.  The gateway's own addresses come first: the
 * gateway answers for its name itself, and a stale row must not rename it.
 */
const char *
names_dst(struct webd *w, const char *client, const char *dst, char *buf,
    size_t len)
{
	const struct hgw_conf *conf = w->d->conf;
	sqlite3_stmt	*st;
	const char	*gw = conf->gateway.name;
	const unsigned char *t;
	const char	*r = NULL;
	char		 a[ADDR_STRLEN];

	if (dst == NULL || len == 0)
		return (NULL);
	/* The configured addresses, even before addrd has published them. */
	if (*gw != '\0' && (strcmp(dst, addr_fmt_ip4(conf->lan.addr, a)) == 0 ||
	    (conf->wan.has_addr &&
	    strcmp(dst, addr_fmt_ip4(conf->wan.addr, a)) == 0))) {
		snprintf(buf, len, "%s", gw);
		return (buf);
	}
	if (w->live == NULL)
		return (NULL);
	if (sqlite3_prepare_v2(w->live, "SELECT ?3 FROM addresses WHERE "
	    "address = ?2 AND ?3 != '' UNION ALL SELECT name FROM dns_names "
	    "WHERE client = ?1 AND address = ?2 LIMIT 1", -1, &st, NULL) !=
	    SQLITE_OK) {
		log_debug("%s: %s", __func__, sqlite3_errmsg(w->live));
		return (NULL);
	}
	if (client != NULL)
		sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, dst, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, gw, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (t = sqlite3_column_text(st, 0)) != NULL) {
		snprintf(buf, len, "%s", (const char *)t);
		r = buf;
	}
	sqlite3_finalize(st);
	return (r);
}
