/*
 * SPDX-License-Identifier: ISC
 *
 * ctl_nat.c: homegwctl nat, the conntrack mirror and natd's ruleset from a
 * shell.  Lists flows from live.db with filters and sorting, the busiest
 * LAN hosts, and talks to natd over its control socket for what only natd
 * may do (list, remove or load table inet homegw).  Reads the databases,
 * never writes them.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "addr.h"
#include "conf.h"
#include "ctl.h"
#include "figures.h"
#include "state.h"

#define NAT_SOCKET	"natd.sock"
#define NAT_RULES_FILE	"nat-rules.nft"
#define NAT_REPLY_MAX	(1024 * 1024)

int	ctl_nat(struct ctl *, int, char **);

static int
nat_usage(void)
{
	fprintf(stderr, "usage: homegwctl nat [--host name|address] "
	    "[--proto tcp|udp|icmp|...] [--port n] [--state tcp-state]\n"
	    "           [--name pattern]\n"
	    "           [--sort bytes|packets|age|host|state|proto|port|rate] "
	    "[--gateway all|no|only] [--limit n]\n"
	    "       homegwctl nat top [--sort bytes|rate] [--limit n]\n"
	    "       homegwctl nat rules | flush-rules | load-rules\n");
	return (CTL_USAGE);
}

/*
 * Send one request line to natd and print its reply.  Returns 0 when the
 * reply starts with anything but "error", 1 on an error reply, -1 when
 * natd does not answer.
 */
static int
nat_request(struct ctl *c, const char *cmd, FILE *out)
{
	struct sockaddr_un	 sun;
	const struct hgw_conf	*conf = ctl_conf(c);
	char			 buf[4096];
	ssize_t			 n;
	size_t			 total = 0;
	int			 fd, first = 1, error = 0;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s",
	    conf->gateway.run_dir, NAT_SOCKET) >= sizeof(sun.sun_path))
		return (-1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd) ||
	    write(fd, "\n", 1) != 1) {
		close(fd);
		return (-1);
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0 &&
	    total < NAT_REPLY_MAX) {
		if (first && strncmp(buf, "error", 5) == 0)
			error = 1;
		first = 0;
		fwrite(buf, 1, (size_t)n, error ? stderr : out);
		total += (size_t)n;
	}
	close(fd);
	if (first)
		return (-1);	/* closed without a word */
	return (error);
}

static int
nat_rules(struct ctl *c)
{
	const struct hgw_conf *conf = ctl_conf(c);
	char		 path[PATH_MAX], buf[4096];
	FILE		*f;
	size_t		 n;

	if (nat_request(c, "rules", stdout) == 0)
		return (CTL_OK);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s",
	    conf->gateway.run_dir, NAT_RULES_FILE) >= sizeof(path) ||
	    (f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "homegwctl: natd is not running and has left "
		    "no ruleset (%s)\n", path);
		return (CTL_ERROR);
	}
	fprintf(stderr, "homegwctl: natd is not running; the last ruleset "
	    "it loaded (%s):\n", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return (CTL_OK);
}

static int
nat_control(struct ctl *c, const char *cmd)
{
	switch (nat_request(c, cmd, stdout)) {
	case 0:
		return (CTL_OK);
	case 1:
		return (CTL_ERROR);
	default:
		fprintf(stderr, "homegwctl: natd is not running (no answer on "
		    "%s/%s); only natd changes its table\n",
		    ctl_conf(c)->gateway.run_dir, NAT_SOCKET);
		return (CTL_ERROR);
	}
}

static int
parse_uint(const char *s, unsigned int max, unsigned int *ret)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v > max)
		return (-1);
	*ret = (unsigned int)v;
	return (0);
}

static int
nat_top(struct ctl *c, int argc, char **argv)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	unsigned int	 limit = 10;
	int		 i, r, by_rate = 0;
	char		 sql[2048];

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			if (parse_uint(argv[++i], 100000, &limit) < 0)
				return (nat_usage());
		} else if (strcmp(argv[i], "--sort") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "rate") == 0)
				by_rate = 1;
			else if (strcmp(argv[i], "bytes") != 0)
				return (nat_usage());
		} else
			return (nat_usage());
	}
	if ((db = ctl_live(c)) == NULL)
		return (CTL_ERROR);
	/*
	 * Outgoing bytes: the original direction when the host started it.
	 * The current rates (bytes/s) are natd's sums of the host's flow
	 * rates, in host_rates_now.
	 */
	snprintf(sql, sizeof(sql), "SELECT c.address, c.host, c.label, "
	    "c.connections, "
	    "c.bytes_out, c.bytes_in, c.packets, "
	    "CAST(round(coalesce(r.rate_out, 0)) AS INTEGER) AS rate_out, "
	    "CAST(round(coalesce(r.rate_in, 0)) AS INTEGER) AS rate_in "
	    "FROM (SELECT lan_addr AS address, "
	    "max(lan_host) AS host, max((SELECT label FROM hosts WHERE "
	    "hosts.name = lan_host)) AS label, count(*) AS connections, "
	    "sum(CASE WHEN orig_src = lan_addr THEN orig_bytes "
	    "ELSE reply_bytes END) AS bytes_out, "
	    "sum(CASE WHEN orig_src = lan_addr THEN reply_bytes "
	    "ELSE orig_bytes END) AS bytes_in, "
	    "sum(orig_packets + reply_packets) AS packets "
	    "FROM conntrack WHERE lan_addr IS NOT NULL GROUP BY lan_addr) c "
	    "LEFT JOIN host_rates_now r ON r.host = c.address "
	    "ORDER BY %s c.bytes_out + c.bytes_in DESC, c.connections DESC "
	    "LIMIT ?1", by_rate ? "coalesce(r.rate_out + r.rate_in, 0) DESC, " :
	    "");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "homegwctl: %s\n", sqlite3_errmsg(db));
		return (CTL_ERROR);
	}
	sqlite3_bind_int(st, 1, (int)limit);
	r = ctl_print_query(c, st);
	sqlite3_finalize(st);
	return (r < 0 ? CTL_ERROR : CTL_OK);
}

/*
 * Ports mean something for these protocols only; ICMP's "ports" are its
 * id and type, which the NAT column must not compare.
 */
#define PORTS	"proto IN ('tcp', 'udp', 'sctp', 'udplite')"
#define P(col)	"CASE WHEN " PORTS " THEN ':' || " col " ELSE '' END"

/*
 * The gateway's own addresses (addrd's table, and the config's even
 * before addrd has published them), whose flows are named as the
 * gateway: ?8 and ?9.
 */
#define NAT_WITH "WITH gw(address) AS (SELECT address FROM addresses " \
	"UNION ALL VALUES (?8), (?9)) "

/*
 * The filters of a listing; ?1 host, ?2 proto, ?3 port, ?4 state, ?6
 * the destination's name as a LIKE pattern (the names dnsd answered to
 * that client, or the gateway's name ?7 for its own addresses).
 */
#define NAT_WHERE "FROM conntrack WHERE " \
	"(?1 IS NULL OR lan_host = ?1 COLLATE NOCASE OR lan_addr = ?1 OR " \
	"orig_src = ?1 OR orig_dst = ?1 OR reply_src = ?1) " \
	"AND (?2 IS NULL OR proto = ?2) " \
	"AND (?3 IS NULL OR orig_sport = ?3 OR orig_dport = ?3 OR " \
	"reply_sport = ?3 OR reply_dport = ?3) " \
	"AND (?4 IS NULL OR tcp_state = ?4) " \
	"AND (?6 IS NULL OR (coalesce(lan_addr, orig_src), orig_dst) IN " \
	"(SELECT client, address FROM dns_names WHERE name LIKE ?6 " \
	"ESCAPE '\\') OR (?7 LIKE ?6 ESCAPE '\\' AND orig_dst IN " \
	"(SELECT address FROM gw))) " \
	"AND (?10 IS NULL OR gateway = ?10) "

/* The destination's name, for a row of conntrack (or of the page). */
#define NAT_DST_NAME(client, dst) "coalesce((SELECT ?7 FROM gw WHERE " \
	"address = " dst " AND ?7 != ''), (SELECT name FROM dns_names " \
	"WHERE client = " client " AND address = " dst ")) AS dst_name"

/*
 * "%part%" for LIKE, the wildcards in part escaped: --name matches any
 * name that contains part, in any case.
 */
static int
name_pattern(const char *part, char *buf, size_t len)
{
	size_t	 o = 0;

	if (strlen(part) > 253)
		return (-1);
	buf[o++] = '%';
	for (; *part != '\0' && o + 4 < len; part++) {
		if (*part == '%' || *part == '_' || *part == '\\')
			buf[o++] = '\\';
		buf[o++] = *part;
	}
	buf[o++] = '%';
	buf[o] = '\0';
	return (0);
}

struct nat_filter {
	const char	*host, *proto, *state;
	const char	*name;		/* the LIKE pattern, or NULL */
	int		 port;		/* -1: any */
	int		 gateway;	/* -1: any; 0 not, 1 only its own */
	unsigned int	 limit;
};

static void
nat_bind(struct ctl *c, sqlite3_stmt *st, const struct nat_filter *f)
{
	const struct hgw_conf *conf = ctl_conf(c);
	char		 a[ADDR_STRLEN];

	if (f->host != NULL)
		sqlite3_bind_text(st, 1, f->host, -1, SQLITE_STATIC);
	if (f->proto != NULL)
		sqlite3_bind_text(st, 2, f->proto, -1, SQLITE_STATIC);
	if (f->port >= 0)
		sqlite3_bind_int(st, 3, f->port);
	if (f->state != NULL)
		sqlite3_bind_text(st, 4, f->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, f->limit);
	if (f->name != NULL)
		sqlite3_bind_text(st, 6, f->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, conf->gateway.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, addr_fmt_ip4(conf->lan.addr, a), -1,
	    SQLITE_TRANSIENT);
	if (conf->wan.has_addr)
		sqlite3_bind_text(st, 9, addr_fmt_ip4(conf->wan.addr, a), -1,
		    SQLITE_TRANSIENT);
	if (f->gateway >= 0)
		sqlite3_bind_int(st, 10, f->gateway);
}

/*
 * --json: the API's conntrack row (figures.h), every live.db column under
 * its own name with "host", "age" and "bytes", so a script reads both
 * alike.  Other fields of the row are added here and in webd's ct_row().
 */
static int
nat_json(struct ctl *c, sqlite3 *db, const char *order,
    const struct nat_filter *f)
{
	struct fig_ct_extra x;
	sqlite3_stmt	*st;
	char		 sql[4096];
	int64_t		 now = state_now();
	int		 i, n, rows = 0, r;

	/* FIG_CT_COLUMNS holds a strftime('%s'): an argument, not format. */
	snprintf(sql, sizeof(sql), NAT_WITH "SELECT %s, "
	    NAT_DST_NAME("coalesce(lan_addr, orig_src)", "orig_dst") " "
	    NAT_WHERE "ORDER BY %s LIMIT ?5", FIG_CT_COLUMNS, order);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "homegwctl: %s\n", sqlite3_errmsg(db));
		return (CTL_ERROR);
	}
	nat_bind(c, st, f);
	n = sqlite3_column_count(st);
	fputc('[', stdout);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		fputs(rows++ ? ",\n {" : "\n {", stdout);
		for (i = 0; i < n; i++) {
			/* natd's gateway flag: a boolean, as the API has it. */
			if (i == FIG_CT_GATEWAY)
				continue;
			ctl_json_string(stdout, sqlite3_column_name(st, i));
			fputs(": ", stdout);
			ctl_json_column(st, i);
			fputs(", ", stdout);
		}
		fig_ct_extra(ctl_conf(c), st, now, &x);
		printf("\"gateway\": %s, \"rate\": %.6g, ", x.gateway ? "true" :
		    "false", x.rate);
		fputs("\"host\": ", stdout);
		if (x.host != NULL)
			ctl_json_string(stdout, x.host);
		else
			fputs("null", stdout);
		fputs(", \"label\": ", stdout);
		if (x.label != NULL)
			ctl_json_string(stdout, x.label);
		else
			fputs("null", stdout);
		printf(", \"age\": %lld, \"bytes\": %lld}", (long long)x.age,
		    (long long)x.bytes);
	}
	fputs(rows ? "\n]\n" : "]\n", stdout);
	sqlite3_finalize(st);
	return (r == SQLITE_DONE ? CTL_OK : CTL_ERROR);
}

static int
nat_list(struct ctl *c, int argc, char **argv)
{
	static const struct {
		const char	*name;
		const char	*order;
	} sorts[] = {
		{ "bytes", "orig_bytes + reply_bytes DESC" },
		{ "packets", "orig_packets + reply_packets DESC" },
		{ "age", "first_seen ASC" },
		{ "host", "lan_host IS NULL, lan_host, lan_addr" },
		{ "state", "tcp_state IS NULL, tcp_state" },
		{ "proto", "proto" },
		{ "port", "orig_dport" },
		{ "rate", "rate_orig + rate_reply DESC" },
	};
	const char	*host = NULL, *proto = NULL, *state = NULL;
	const char	*name = NULL;
	char		 pat[600];
	struct nat_filter f;
	int		 gateway = -1;
	const char	*order = sorts[0].order;
	unsigned int	 port = 0, limit = 200;
	int		 i, r, has_port = 0;
	size_t		 k;
	char		 sql[4096], pbuf[16], sbuf[16];
	sqlite3		*db;
	sqlite3_stmt	*st;

	for (i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			return (nat_usage());
		if (strcmp(argv[i], "--host") == 0)
			host = argv[++i];
		else if (strcmp(argv[i], "--proto") == 0)
			proto = argv[++i];
		else if (strcmp(argv[i], "--state") == 0)
			state = argv[++i];
		else if (strcmp(argv[i], "--name") == 0) {
			name = argv[++i];
			if (name_pattern(name, pat, sizeof(pat)) < 0) {
				fprintf(stderr, "homegwctl: --name: \"%s\" is "
				    "too long for a name\n", name);
				return (CTL_USAGE);
			}
		}
		else if (strcmp(argv[i], "--port") == 0) {
			if (parse_uint(argv[++i], 65535, &port) < 0)
				return (nat_usage());
			has_port = 1;
		} else if (strcmp(argv[i], "--limit") == 0) {
			if (parse_uint(argv[++i], 10000000, &limit) < 0)
				return (nat_usage());
		} else if (strcmp(argv[i], "--gateway") == 0) {
			i++;
			if (strcmp(argv[i], "all") == 0)
				gateway = -1;
			else if (strcmp(argv[i], "no") == 0)
				gateway = 0;
			else if (strcmp(argv[i], "only") == 0)
				gateway = 1;
			else
				return (nat_usage());
		} else if (strcmp(argv[i], "--sort") == 0) {
			i++;
			for (k = 0; k < sizeof(sorts) / sizeof(sorts[0]); k++)
				if (strcmp(argv[i], sorts[k].name) == 0)
					break;
			if (k == sizeof(sorts) / sizeof(sorts[0]))
				return (nat_usage());
			order = sorts[k].order;
		} else
			return (nat_usage());
	}
	/* The same names and values as the API's filters, in any case. */
	if (proto != NULL) {
		if (fig_proto(proto, pbuf, sizeof(pbuf)) < 0) {
			fprintf(stderr, "homegwctl: unknown protocol %s\n",
			    proto);
			return (nat_usage());
		}
		proto = pbuf;
	}
	if (state != NULL) {
		if (fig_tcp_state(state, sbuf, sizeof(sbuf)) < 0) {
			fprintf(stderr, "homegwctl: unknown TCP state %s\n",
			    state);
			return (nat_usage());
		}
		state = sbuf;
	}
	if ((db = ctl_live(c)) == NULL)
		return (CTL_ERROR);
	f.host = host;
	f.proto = proto;
	f.state = state;
	f.name = name != NULL ? pat : NULL;
	f.port = has_port ? (int)port : -1;
	f.gateway = gateway;
	f.limit = limit;
	if (c->json)
		return (nat_json(c, db, order, &f));
	/*
	 * The NAT column: the address and port the flow wears outside for
	 * a masqueraded flow, or the LAN host it was forwarded to.  The
	 * page is chosen first and materialised, so the destination's name
	 * (dns_names, by its primary key) is looked up for its rows only.
	 */
	snprintf(sql, sizeof(sql), NAT_WITH ", page AS MATERIALIZED (SELECT "
	    "proto, "
	    "orig_src || " P("orig_sport") " AS source, "
	    "orig_dst || " P("orig_dport") " AS destination, "
	    "coalesce(lan_addr, orig_src) AS ct_client, orig_dst AS ct_dst, "
	    "CASE WHEN reply_dst != orig_src OR (" PORTS " AND "
	    "reply_dport != orig_sport) "
	    "THEN 'snat ' || reply_dst || " P("reply_dport") " "
	    "WHEN reply_src != orig_dst OR (" PORTS " AND "
	    "reply_sport != orig_dport) "
	    "THEN 'dnat ' || reply_src || " P("reply_sport") " "
	    "ELSE '' END AS nat, "
	    "coalesce(tcp_state, '') AS state, "
	    "orig_bytes AS bytes_orig, reply_bytes AS bytes_reply, "
	    "orig_packets + reply_packets AS packets, "
	    "max(0, timeout - (strftime('%%s', 'now') - last_seen)) "
	    "AS timeout, "
	    "coalesce(lan_host, lan_addr, '') AS host, "
	    "(SELECT label FROM hosts WHERE hosts.name = lan_host) AS label, "
	    "max(0, strftime('%%s', 'now') - first_seen) AS age, "
	    "CAST(round(rate_orig) AS INTEGER) AS rate_orig, "
	    "CAST(round(rate_reply) AS INTEGER) AS rate_reply, "
	    "CAST(round(rate_orig + rate_reply) AS INTEGER) AS rate, "
	    "gateway "
	    NAT_WHERE "ORDER BY %s LIMIT ?5) "
	    "SELECT proto, source, destination, "
	    NAT_DST_NAME("ct_client", "ct_dst") ", "
	    "nat, state, bytes_orig, bytes_reply, packets, timeout, host, "
	    "label, age, rate_orig, rate_reply, rate, gateway FROM page", order);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "homegwctl: %s\n", sqlite3_errmsg(db));
		return (CTL_ERROR);
	}
	nat_bind(c, st, &f);
	r = ctl_print_query(c, st);
	sqlite3_finalize(st);
	return (r < 0 ? CTL_ERROR : CTL_OK);
}

/* homegwctl nat [filters] | top | rules | flush-rules | load-rules */
int
ctl_nat(struct ctl *c, int argc, char **argv)
{
	if (argc >= 2 && argv[1][0] != '-') {
		if (strcmp(argv[1], "top") == 0)
			return (nat_top(c, argc - 1, argv + 1));
		if (argc != 2)
			return (nat_usage());
		if (strcmp(argv[1], "rules") == 0)
			return (nat_rules(c));
		if (strcmp(argv[1], "flush-rules") == 0)
			return (nat_control(c, "flush-rules"));
		if (strcmp(argv[1], "load-rules") == 0)
			return (nat_control(c, "load-rules"));
		return (nat_usage());
	}
	return (nat_list(c, argc, argv));
}
