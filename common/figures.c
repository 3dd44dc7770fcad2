/*
 * SPDX-License-Identifier: ISC
 *
 * figures.c: the figures shown in several places, defined once (see
 * figures.h).  webd's API and /metrics and homegwctl call these rather
 * than each computing its own, which is how the overview once said
 * 48.1 % where homegwctl status said 72 %.
 */
#include <sys/types.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "conf.h"
#include "figures.h"

/* One of dnsd's metrics rows; 0 when absent. */
static int
dns_metric(sqlite3_stmt *st, const char *name, int64_t *ret)
{
	int	 found = 0;

	sqlite3_reset(st);
	if (sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) != SQLITE_OK)
		return (0);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*ret = (int64_t)sqlite3_column_double(st, 0);
		found = 1;
	}
	return (found);
}

void
fig_dns_read(sqlite3 *live, struct fig_dns *f)
{
	sqlite3_stmt	*st;

	memset(f, 0, sizeof(*f));
	f->hit_ratio = -1;
	if (live == NULL || sqlite3_prepare_v2(live, "SELECT value FROM "
	    "metrics WHERE daemon = 'dnsd' AND name = ?1", -1, &st,
	    NULL) != SQLITE_OK)
		return;
	f->known = dns_metric(st, "queries", &f->queries) &&
	    dns_metric(st, "cache_hits", &f->cache_hits);
	/* A dnsd older than the misses row: every query was a lookup. */
	if (f->known && !dns_metric(st, "cache_misses", &f->cache_misses))
		f->cache_misses = f->queries - f->cache_hits;
	sqlite3_finalize(st);
	if (!f->known)
		return;
	if (f->cache_misses < 0)
		f->cache_misses = 0;
	f->lookups = f->cache_hits + f->cache_misses;
	if (f->lookups > 0)
		f->hit_ratio = (double)f->cache_hits / (double)f->lookups;
}

const char *
fig_percent(double ratio, char *buf, size_t len)
{
	if (ratio < 0)
		snprintf(buf, len, "\xe2\x80\x93");
	else
		snprintf(buf, len, "%.1f %%", ratio * 100.0);
	return (buf);
}

const char *
fig_address_text(const char *role, const char *address, int plen,
    const char *ifname, char *buf, size_t len)
{
	if (address == NULL)
		address = "?";
	if (role != NULL && strcmp(role, "route") == 0)
		snprintf(buf, len, "default via %s%s%s", address,
		    ifname != NULL && *ifname ? " on " : "",
		    ifname != NULL ? ifname : "");
	else
		snprintf(buf, len, "%s/%d%s%s", address, plen,
		    ifname != NULL && *ifname ? " on " : "",
		    ifname != NULL ? ifname : "");
	return (buf);
}

static const char *
ct_host_of(const struct hgw_conf *c, const char *address)
{
	struct in_addr	 a;
	struct hgw_host	*h;

	if (c == NULL || address == NULL || addr_parse_ip4(address, &a) < 0)
		return (NULL);
	h = conf_host_by_addr(c, a);
	return (h != NULL ? h->name : NULL);
}

void
fig_ct_extra(const struct hgw_conf *c, sqlite3_stmt *st, int64_t now,
    struct fig_ct_extra *x)
{
	const struct hgw_host *h;

	/* natd names the LAN hosts it knows; else the host table's name. */
	x->host = (const char *)sqlite3_column_text(st, FIG_CT_LAN_HOST);
	if (x->host == NULL)
		x->host = ct_host_of(c,
		    (const char *)sqlite3_column_text(st, FIG_CT_ORIG_SRC));
	if (x->host == NULL)
		x->host = ct_host_of(c,
		    (const char *)sqlite3_column_text(st, FIG_CT_REPLY_SRC));
	x->gateway = sqlite3_column_int(st, FIG_CT_GATEWAY) != 0;
	/* The gateway's own connections go by its name. */
	if (x->host == NULL && x->gateway && c->gateway.name[0] != '\0')
		x->host = c->gateway.name;
	x->rate = sqlite3_column_double(st, FIG_CT_RATE_ORIG) +
	    sqlite3_column_double(st, FIG_CT_RATE_REPLY);
	x->label = NULL;
	if (x->host != NULL && (h = conf_host_by_name(c, x->host)) != NULL &&
	    h->has_label)
		x->label = h->label;
	x->age = now - sqlite3_column_int64(st, FIG_CT_FIRST_SEEN);
	if (x->age < 0)
		x->age = 0;
	x->bytes = sqlite3_column_int64(st, FIG_CT_ORIG_BYTES) +
	    sqlite3_column_int64(st, FIG_CT_REPLY_BYTES);
}

int
fig_int(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	char		*end;
	long long	 v;

	if (s == NULL || !(isdigit((unsigned char)*s) ||
	    (*s == '-' && isdigit((unsigned char)s[1]))))
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return (-1);
	*ret = v;
	return (0);
}

int
fig_proto(const char *s, char *buf, size_t len)
{
	/* What natd writes (daemons/natd/publish.c proto_name()). */
	static const char *const names[] = { "tcp", "udp", "icmp", "icmpv6",
	    "sctp", "udplite", "gre", "igmp" };
	size_t	 i;
	int64_t	 n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i]) == 0) {
			snprintf(buf, len, "%s", names[i]);
			return (0);
		}
	if (fig_int(s, 0, 255, &n) < 0)
		return (-1);
	snprintf(buf, len, "%lld", (long long)n);
	return (0);
}

int
fig_tcp_state(const char *s, char *buf, size_t len)
{
	/* The kernel's names as natd writes them; "-" may stand for "_". */
	static const char *const names[] = { "NONE", "SYN_SENT", "SYN_RECV",
	    "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT",
	    "CLOSE", "SYN_SENT2", "UNKNOWN" };
	char	 t[16];
	size_t	 i;

	if (strlen(s) >= sizeof(t))
		return (-1);
	for (i = 0; s[i] != '\0'; i++)
		t[i] = s[i] == '-' ? '_' : s[i];
	t[i] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(t, names[i]) == 0) {
			snprintf(buf, len, "%s", names[i]);
			return (0);
		}
	return (-1);
}

static void
sql_address_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char	 buf[160];

	(void)argc;
	sqlite3_result_text(ctx, fig_address_text(
	    (const char *)sqlite3_value_text(argv[0]),
	    (const char *)sqlite3_value_text(argv[1]),
	    sqlite3_value_int(argv[2]),
	    (const char *)sqlite3_value_text(argv[3]), buf, sizeof(buf)), -1,
	    SQLITE_TRANSIENT);
}

int
fig_sql_register(sqlite3 *db)
{
	return (sqlite3_create_function(db, "fig_address_text", 4,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_address_text, NULL,
	    NULL) == SQLITE_OK ? 0 : -1);
}

static int
metric_value(sqlite3 *live, const char *name, double *ret)
{
	sqlite3_stmt	*st;
	int		 found = 0;

	if (sqlite3_prepare_v2(live, "SELECT value FROM metrics WHERE "
	    "daemon = 'natd' AND name = ?1", -1, &st, NULL) != SQLITE_OK)
		return (0);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*ret = sqlite3_column_double(st, 0);
		found = 1;
	}
	sqlite3_finalize(st);
	return (found);
}

int
fig_ct_catching_up(sqlite3 *live, long kernel_count)
{
	sqlite3_stmt	*st;
	double		 v, cap;
	long		 rows = -1, slack;

	if (metric_value(live, "resync_pending", &v) && v > 0)
		return (1);
	if (kernel_count < 0)
		return (0);
	if (sqlite3_prepare_v2(live, "SELECT count(*) FROM conntrack", -1,
	    &st, NULL) != SQLITE_OK)
		return (0);
	if (sqlite3_step(st) == SQLITE_ROW)
		rows = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rows < 0 || (metric_value(live, "flows_max", &cap) &&
	    (double)rows >= cap))
		return (0);
	/* New flows between two of natd's writes are not a burst. */
	slack = rows / 50 > 256 ? rows / 50 : 256;
	return (kernel_count > rows + slack);
}

long
fig_kernel_ct_count(void)
{
	FILE	*f;
	long	 v = -1;

	if ((f = fopen("/proc/sys/net/netfilter/nf_conntrack_count", "r")) ==
	    NULL)
		return (-1);
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return (v);
}
