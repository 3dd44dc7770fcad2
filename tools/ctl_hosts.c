/*
 * SPDX-License-Identifier: ISC
 *
 * ctl_hosts.c: "homegwctl hosts", the address plan of a static network.
 *   hosts            the host table and the gateway's own addresses with
 *                    their state (probing, active, conflict and with whom),
 *                    as addrd published them in live.db;
 *   hosts --free     the free addresses of the LAN prefix, as ranges;
 *   hosts suggest    the next free address and a [host] section to paste
 *                    into homegw.conf.
 * "Free" means: inside the [lan] prefix, not the network or broadcast
 * address, not the gateway, not a [host], not in an [arp] proxy range and
 * not seen on the LAN by arpd (the neighbours table, when there is one).
 * Reads the config and live.db only; changes nothing.
 */
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "conf.h"
#include "state.h"
#include "ctl.h"

/* Addresses taken from live.db at most (neighbours seen by arpd). */
#define HOSTS_SEEN_MAX		65536

struct span {
	uint32_t	 first, last;	/* host order, inclusive */
};

struct spans {
	struct span	*v;
	size_t		 n, cap;
};

int	ctl_hosts(struct ctl *, int, char **);

static int
spans_add(struct spans *s, uint32_t first, uint32_t last)
{
	struct span	*v;
	size_t		 cap;

	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 64;
		if ((v = reallocarray(s->v, cap, sizeof(*v))) == NULL)
			return (-ENOMEM);
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].first = first;
	s->v[s->n].last = last;
	s->n++;
	return (0);
}

static int
span_cmp(const void *a, const void *b)
{
	const struct span	*x = a, *y = b;

	if (x->first != y->first)
		return (x->first < y->first ? -1 : 1);
	return (0);
}

/* Live.db without the "does not exist yet" message: it is optional here. */
static sqlite3 *
live_if_any(struct ctl *c)
{
	char		 path[PATH_MAX];
	struct stat	 sb;

	conf_live_db(ctl_conf(c), path, sizeof(path));
	if (stat(path, &sb) == -1)
		return (NULL);
	return (ctl_live(c));
}

/*
 * The used addresses of the LAN prefix as sorted, merged spans.  The
 * network and broadcast addresses count as used (except in a /31 or /32).
 */
static int
used_spans(struct ctl *c, struct spans *s, uint32_t *ret_lo,
    uint32_t *ret_hi)
{
	struct hgw_conf	*conf = ctl_conf(c);
	struct hgw_host	*h;
	sqlite3		*live;
	sqlite3_stmt	*st;
	struct in_addr	 a;
	uint32_t	 net, mask, lo, hi, p0, p1;
	size_t		 i, k;
	int		 n = 0, err = 0;
	unsigned int	 j;

	mask = ntohl(addr_mask4(conf->lan.plen));
	net = ntohl(conf->lan.addr.s_addr) & mask;
	lo = net;
	hi = net | ~mask;
	if (conf->lan.plen <= 30) {
		err |= spans_add(s, lo, lo);
		err |= spans_add(s, hi, hi);
	}
	err |= spans_add(s, ntohl(conf->lan.addr.s_addr),
	    ntohl(conf->lan.addr.s_addr));
	TAILQ_FOREACH(h, &conf->hosts, entry)
		err |= spans_add(s, ntohl(h->addr.s_addr),
		    ntohl(h->addr.s_addr));
	for (j = 0; j < conf->arp.nproxy; j++) {
		mask = ntohl(addr_mask4(conf->arp.proxy[j].plen));
		p0 = ntohl(conf->arp.proxy[j].addr.s_addr) & mask;
		p1 = p0 | ~mask;
		err |= spans_add(s, p0, p1);
	}
	if ((live = live_if_any(c)) != NULL &&
	    sqlite3_prepare_v2(live, "SELECT address FROM neighbours "
	    "WHERE mac IS NOT NULL", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW && n++ < HOSTS_SEEN_MAX) {
			const char *t = (const char *)sqlite3_column_text(st, 0);

			if (t != NULL && addr_parse_ip4(t, &a) == 0)
				err |= spans_add(s, ntohl(a.s_addr),
				    ntohl(a.s_addr));
		}
		sqlite3_finalize(st);
	}

	if (err)
		return (-ENOMEM);
	/* Clip to the prefix, sort, merge. */
	for (i = 0, k = 0; i < s->n; i++) {
		if (s->v[i].last < lo || s->v[i].first > hi)
			continue;
		if (s->v[i].first < lo)
			s->v[i].first = lo;
		if (s->v[i].last > hi)
			s->v[i].last = hi;
		s->v[k++] = s->v[i];
	}
	s->n = k;
	qsort(s->v, s->n, sizeof(*s->v), span_cmp);
	for (i = 0, k = 0; i < s->n; i++) {
		if (k > 0 && (uint64_t)s->v[i].first <=
		    (uint64_t)s->v[k - 1].last + 1) {
			if (s->v[i].last > s->v[k - 1].last)
				s->v[k - 1].last = s->v[i].last;
			continue;
		}
		s->v[k++] = s->v[i];
	}
	s->n = k;
	*ret_lo = lo;
	*ret_hi = hi;
	return (0);
}

/* The complement of the used spans within [lo, hi]. */
static int
free_spans(struct ctl *c, struct spans *out)
{
	struct spans	 used = { NULL, 0, 0 };
	uint64_t	 next;
	uint32_t	 lo, hi;
	size_t		 i;
	int		 err = 0;

	if (used_spans(c, &used, &lo, &hi) < 0) {
		free(used.v);
		return (-ENOMEM);
	}
	next = lo;
	for (i = 0; i < used.n; i++) {
		if (used.v[i].first > next)
			err |= spans_add(out, (uint32_t)next,
			    used.v[i].first - 1);
		next = (uint64_t)used.v[i].last + 1;
	}
	if (next <= hi)
		err |= spans_add(out, (uint32_t)next, hi);
	free(used.v);
	return (err ? -ENOMEM : 0);
}

static void
fmt_host(uint32_t h, char *buf)
{
	struct in_addr	 a = { .s_addr = htonl(h) };

	addr_fmt_ip4(a, buf);
}

/* Print the free spans through an in-memory table: text or --json. */
static int
hosts_free(struct ctl *c)
{
	struct spans	 fr = { NULL, 0, 0 };
	sqlite3		*mem = NULL;
	sqlite3_stmt	*st = NULL;
	char		 a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	uint64_t	 total = 0;
	size_t		 i;
	int		 rv = CTL_ERROR;

	if (free_spans(c, &fr) < 0 ||
	    sqlite3_open(":memory:", &mem) != SQLITE_OK ||
	    sqlite3_exec(mem, "CREATE TABLE f (first TEXT, last TEXT, "
	    "count INTEGER)", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(mem, "INSERT INTO f VALUES (?1, ?2, ?3)", -1,
	    &st, NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < fr.n; i++) {
		fmt_host(fr.v[i].first, a);
		fmt_host(fr.v[i].last, b);
		sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3,
		    (int64_t)fr.v[i].last - fr.v[i].first + 1);
		total += (uint64_t)fr.v[i].last - fr.v[i].first + 1;
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(mem, "SELECT first, last, count FROM f "
	    "ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (ctl_print_query(c, st) < 0)
		goto out;
	if (!c->json)
		printf("%llu free in %s/%d\n", (unsigned long long)total,
		    addr_fmt_ip4(ctl_conf(c)->lan.addr, a),
		    ctl_conf(c)->lan.plen);
	rv = CTL_OK;
out:
	if (rv != CTL_OK)
		fprintf(stderr, "homegwctl: hosts --free: %s\n",
		    mem != NULL ? sqlite3_errmsg(mem) : strerror(ENOMEM));
	sqlite3_finalize(st);
	sqlite3_close(mem);
	free(fr.v);
	return (rv);
}

/* A MAC seen on the LAN by arpd that no [host] has, into mac; 0 if found. */
static int
unknown_mac(struct ctl *c, uint8_t mac[ADDR_MAC_LEN])
{
	sqlite3		*live;
	sqlite3_stmt	*st;
	uint8_t		 m[ADDR_MAC_LEN];
	int		 found = -1;

	if ((live = live_if_any(c)) == NULL ||
	    sqlite3_prepare_v2(live, "SELECT mac FROM neighbours WHERE "
	    "mac IS NOT NULL AND proxy = 0 AND ifname = ?1 ORDER BY updated "
	    "DESC LIMIT 1000", -1, &st, NULL) != SQLITE_OK)
		return (-1);
	sqlite3_bind_text(st, 1, ctl_conf(c)->lan.ifname, -1, SQLITE_STATIC);
	while (found == -1 && sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (t == NULL || addr_parse_mac(t, m) < 0 ||
		    addr_mac_is_special(m) ||
		    conf_host_by_mac(ctl_conf(c), m) != NULL)
			continue;
		memcpy(mac, m, ADDR_MAC_LEN);
		found = 0;
	}
	sqlite3_finalize(st);
	return (found);
}

static int
valid_name(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > CONF_NAME_MAX || s[0] == '-' || s[n - 1] == '-')
		return (0);
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return (0);
	return (1);
}

/* "hosts suggest [name [mac]]": next free address and a [host] section. */
static int
hosts_suggest(struct ctl *c, int argc, char **argv)
{
	struct hgw_conf	*conf = ctl_conf(c);
	struct hgw_host	*h;
	struct spans	 fr = { NULL, 0, 0 };
	char		 name[CONF_NAME_MAX + 1], ip[INET_ADDRSTRLEN];
	char		 lanip[INET_ADDRSTRLEN], macs[ADDR_MAC_STRLEN];
	char		 snippet[512];
	uint8_t		 mac[ADDR_MAC_LEN];
	int		 have_mac = 0, k;

	if (argc > 3) {
		fprintf(stderr, "usage: homegwctl hosts suggest [name [mac]]\n");
		return (CTL_USAGE);
	}
	if (argc >= 2) {
		if (!valid_name(argv[1])) {
			fprintf(stderr, "homegwctl: \"%s\" is not a host name "
			    "(letters, digits and '-', up to %d)\n", argv[1],
			    CONF_NAME_MAX);
			return (CTL_ERROR);
		}
		if ((h = conf_host_by_name(conf, argv[1])) != NULL) {
			fprintf(stderr, "homegwctl: [host %s] already exists "
			    "(%s line %d)\n", argv[1], conf->path, h->line);
			return (CTL_ERROR);
		}
		snprintf(name, sizeof(name), "%s", argv[1]);
	} else {
		snprintf(name, sizeof(name), "newhost");
		for (k = 2; conf_host_by_name(conf, name) != NULL && k < 1000;
		    k++)
			snprintf(name, sizeof(name), "newhost%d", k);
	}
	if (argc == 3) {
		if (addr_parse_mac(argv[2], mac) < 0 ||
		    addr_mac_is_special(mac)) {
			fprintf(stderr, "homegwctl: \"%s\" is not a host's MAC "
			    "address\n", argv[2]);
			return (CTL_ERROR);
		}
		if ((h = conf_host_by_mac(conf, mac)) != NULL) {
			fprintf(stderr, "homegwctl: %s is [host %s] already "
			    "(%s line %d)\n", argv[2], h->name, conf->path,
			    h->line);
			return (CTL_ERROR);
		}
		have_mac = 1;
	} else if (unknown_mac(c, mac) == 0)
		have_mac = 1;

	if (free_spans(c, &fr) < 0) {
		fprintf(stderr, "homegwctl: %s\n", strerror(ENOMEM));
		return (CTL_ERROR);
	}
	if (fr.n == 0) {
		fprintf(stderr, "homegwctl: no free address left in %s/%d\n",
		    addr_fmt_ip4(conf->lan.addr, ip), conf->lan.plen);
		free(fr.v);
		return (CTL_ERROR);
	}
	fmt_host(fr.v[0].first, ip);
	free(fr.v);
	snprintf(snippet, sizeof(snippet), "[host %s]\nmac = %s%s\n"
	    "address = %s\n", name, have_mac ? addr_fmt_mac(mac, macs) :
	    "xx:xx:xx:xx:xx:xx", have_mac ? "" :
	    "\t# the host's MAC address (ip link on the host)", ip);
	if (c->json) {
		printf("{\"address\": ");
		ctl_json_string(stdout, ip);
		printf(", \"name\": ");
		ctl_json_string(stdout, name);
		printf(", \"mac\": ");
		if (have_mac)
			ctl_json_string(stdout, macs);
		else
			printf("null");
		printf(", \"snippet\": ");
		ctl_json_string(stdout, snippet);
		printf("}\n");
		return (CTL_OK);
	}
	printf("# next free address in %s/%d: %s; add this to %s and run "
	    "homegwctl check-config\n%s", addr_fmt_ip4(conf->lan.addr,
	    lanip), conf->lan.plen, ip, conf->path, snippet);
	return (CTL_OK);
}

/*
 * The host table with the gateway's own addresses, ordered by address.
 * A host's state comes from arpd's neighbours table when arpd runs.
 */
static int
hosts_table(struct ctl *c)
{
	sqlite3		*live;
	sqlite3_stmt	*st;
	int		 r;

	if ((live = ctl_live(c)) == NULL)
		return (CTL_ERROR);
	if (sqlite3_prepare_v2(live,
	    "SELECT name, address, mac, pin_arp, state, note, label FROM ("
	    " SELECT ?1 || ' (' || role || ')' AS name, NULL AS label,"
	    "  address || '/' || plen AS address, mac, '-' AS pin_arp,"
	    "  state, CASE WHEN conflict_mac IS NOT NULL THEN"
	    "  'conflict with ' || conflict_mac ||"
	    "  COALESCE(': ' || detail, '') ELSE detail END AS note, seq"
	    " FROM addresses WHERE role IN ('lan', 'wan')"
	    " UNION ALL"
	    " SELECT h.name, h.label, h.address, h.mac,"
	    "  CASE h.pin_arp WHEN 0 THEN 'no' ELSE 'yes' END,"
	    "  COALESCE(n.state, '-'),"
	    "  CASE WHEN n.mac IS NOT NULL AND n.mac != h.mac THEN"
	    "  'seen with MAC ' || n.mac END, h.seq"
	    " FROM hosts h LEFT JOIN neighbours n ON n.address = h.address"
	    "  AND n.proxy = 0"
	    ") ORDER BY seq, name", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "homegwctl: hosts: %s\n",
		    sqlite3_errmsg(live));
		return (CTL_ERROR);
	}
	sqlite3_bind_text(st, 1, ctl_conf(c)->gateway.name, -1,
	    SQLITE_STATIC);
	r = ctl_print_query(c, st);
	sqlite3_finalize(st);
	if (r < 0) {
		fprintf(stderr, "homegwctl: hosts: %s\n",
		    sqlite3_errmsg(live));
		return (CTL_ERROR);
	}
	return (CTL_OK);
}

/*
 * --json: the rows of the API's hosts (daemons/webd/api.c get_hosts()),
 * the same fields under the same names: the [host] ("name", "address",
 * "mac", "pin_arp") and what arpd last saw at its address ("seen_mac",
 * "state", "updated", "mac_mismatch").  Keep the two alike:
 * webd-api.test compares them.
 */
static int
hosts_json(struct ctl *c)
{
	struct hgw_conf	*conf = ctl_conf(c);
	struct hgw_host	*h;
	sqlite3		*live;
	sqlite3_stmt	*st = NULL;
	char		 a[INET_ADDRSTRLEN], m[ADDR_MAC_STRLEN];
	const char	*seen;
	int		 n = 0;

	live = ctl_live(c);	/* the host table is the config's */
	if (live != NULL)
		(void)sqlite3_prepare_v2(live, "SELECT mac, state, updated "
		    "FROM neighbours WHERE address = ?1 ORDER BY updated DESC "
		    "LIMIT 1", -1, &st, NULL);
	fputc('[', stdout);
	TAILQ_FOREACH(h, &conf->hosts, entry) {
		addr_fmt_ip4(h->addr, a);
		addr_fmt_mac(h->mac, m);
		fputs(n++ ? ",\n {\"name\": " : "\n {\"name\": ", stdout);
		ctl_json_string(stdout, h->name);
		fputs(", \"label\": ", stdout);
		if (h->has_label)
			ctl_json_string(stdout, h->label);
		else
			fputs("null", stdout);
		printf(", \"address\": \"%s\", \"mac\": \"%s\", "
		    "\"pin_arp\": %s", a, m, h->pin_arp ? "true" : "false");
		if (st != NULL)
			sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
		if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
			seen = (const char *)sqlite3_column_text(st, 0);
			fputs(", \"seen_mac\": ", stdout);
			ctl_json_column(st, 0);
			fputs(", \"state\": ", stdout);
			ctl_json_column(st, 1);
			fputs(", \"updated\": ", stdout);
			ctl_json_column(st, 2);
			printf(", \"mac_mismatch\": %s}", seen != NULL &&
			    strcasecmp(seen, m) != 0 ? "true" : "false");
		} else
			fputs(", \"seen_mac\": null, \"state\": null, "
			    "\"updated\": null, \"mac_mismatch\": false}",
			    stdout);
		if (st != NULL)
			sqlite3_reset(st);
	}
	fputs(n ? "\n]\n" : "]\n", stdout);
	sqlite3_finalize(st);
	return (CTL_OK);
}

/* "hosts", "hosts --free", "hosts suggest [name [mac]]". */
int
ctl_hosts(struct ctl *c, int argc, char **argv)
{
	if (argc == 1 && c->json)
		return (hosts_json(c));
	if (argc == 1)
		return (hosts_table(c));
	if (argc == 2 && strcmp(argv[1], "--free") == 0)
		return (hosts_free(c));
	if (strcmp(argv[1], "suggest") == 0)
		return (hosts_suggest(c, argc - 1, argv + 1));
	fprintf(stderr, "usage: homegwctl hosts [--free | suggest [name "
	    "[mac]]]\n");
	return (CTL_USAGE);
}
