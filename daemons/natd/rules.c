/*
 * SPDX-License-Identifier: ISC
 *
 * rules.c: the nftables ruleset, generated from the config.  Owns the text
 * of table inet homegw and the map from each line of it back to the config
 * item that produced it, so that a batch the kernel rejects can be reported
 * as "homegw.conf:23: [forward web]: ...".  Pure: no I/O, no kernel, no
 * logging; kernel.c loads what this file writes.
 *
 * The text replaces the table in one transaction: "table" creates it when
 * missing, "delete table" removes it, and the full definition follows, all
 * in one batch, so the kernel either swaps the old rules for the new ones
 * or keeps the old ones whole.  nft 1.0.6 wants a newline (or ';') between
 * closing braces, so every statement gets a line of its own.
 */
#include <sys/types.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf.h"
#include "natd.h"

/* Most ports one forward may map one to one (a map element each). */
#define RULES_RANGE_MAX		1024

static void __attribute__((format(printf, 3, 4)))
emit(struct rules *r, const char *item, const char *fmt, ...)
{
	va_list	 ap;
	char	*line = NULL, **items;
	size_t	 need;
	int	 n, cap;
	char	*text;

	if (r->failed)
		return;
	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		goto fail;
	need = r->len + (size_t)n + 2;
	if (need > r->cap) {
		size_t ncap = r->cap ? r->cap : 1024;

		while (ncap < need)
			ncap *= 2;
		if ((text = realloc(r->text, ncap)) == NULL)
			goto fail;
		r->text = text;
		r->cap = ncap;
	}
	memcpy(r->text + r->len, line, (size_t)n);
	r->len += (size_t)n;
	r->text[r->len++] = '\n';
	r->text[r->len] = '\0';
	free(line);
	line = NULL;

	r->nlines++;
	if (r->nlines >= r->cap_lines) {
		cap = r->cap_lines ? r->cap_lines * 2 : 64;
		if ((items = reallocarray(r->items, (size_t)cap,
		    sizeof(*items))) == NULL)
			goto fail;
		memset(items + r->cap_lines, 0,
		    (size_t)(cap - r->cap_lines) * sizeof(*items));
		r->items = items;
		r->cap_lines = cap;
	}
	if (item != NULL && (r->items[r->nlines] = strdup(item)) == NULL)
		goto fail;
	return;
fail:
	free(line);
	r->failed = 1;
}

static const char *
ip4(struct in_addr a, char *buf)
{
	return (addr_fmt_ip4(a, buf));
}

/* "tcp dport 80", "udp dport 53-55", "meta l4proto { tcp, udp } th dport 1" */
static void
port_match(const struct hgw_forward *f, char *buf, size_t len)
{
	const char	*p;
	char		 ports[16];

	if (f->wan_port_end > f->wan_port)
		snprintf(ports, sizeof(ports), "%u-%u", f->wan_port,
		    f->wan_port_end);
	else
		snprintf(ports, sizeof(ports), "%u", f->wan_port);
	switch (f->proto) {
	case CONF_PROTO_TCP:
		p = "tcp dport";
		break;
	case CONF_PROTO_UDP:
		p = "udp dport";
		break;
	default:
		p = "meta l4proto { tcp, udp } th dport";
		break;
	}
	snprintf(buf, len, "%s %s", p, ports);
}

/*
 * The DNAT statement.  One port, or a range kept as it is: a plain
 * address:port.  A range moved to other ports: a map, one element per
 * port, because nft 1.0.6 has no "shift the port by n".
 */
static char *
dnat_stmt(const struct hgw_forward *f)
{
	char		 to[INET_ADDRSTRLEN], *s = NULL, *el;
	const char	*l4;
	size_t		 len, off;
	unsigned int	 p, n;

	ip4(f->to_addr, to);
	if (f->to_port == 0 || (f->wan_port_end > f->wan_port &&
	    f->to_port == f->wan_port)) {
		if (asprintf(&s, "dnat ip to %s", to) < 0)
			return (NULL);
		return (s);
	}
	if (f->wan_port_end <= f->wan_port) {
		if (asprintf(&s, "dnat ip to %s:%u", to, f->to_port) < 0)
			return (NULL);
		return (s);
	}
	l4 = f->proto == CONF_PROTO_TCP ? "tcp" :
	    f->proto == CONF_PROTO_UDP ? "udp" : "th";
	n = (unsigned int)f->wan_port_end - f->wan_port + 1;
	len = 64 + (size_t)n * 40;
	if ((s = malloc(len)) == NULL)
		return (NULL);
	off = (size_t)snprintf(s, len, "dnat ip to %s dport map { ", l4);
	for (p = 0; p < n; p++) {
		el = s + off;
		off += (size_t)snprintf(el, len - off, "%s%u : %s . %u",
		    p ? ", " : "", f->wan_port + p, to, f->to_port + p);
	}
	snprintf(s + off, len - off, " }");
	return (s);
}

/* Check the forwards: in the LAN, no clashing ports, bounded ranges. */
int
rules_check(const struct hgw_conf *conf, char **ret_errors)
{
	const struct hgw_forward *f, *g;
	char		 a[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN];
	char		*errs = NULL, *tmp;
	int		 n = 0;
	struct in_addr	 lan;

#define ERR(...) do {							\
	char *m_ = NULL;						\
	if (asprintf(&m_, __VA_ARGS__) >= 0) {				\
		if (asprintf(&tmp, "%s%s\n", errs ? errs : "", m_) >= 0) { \
			free(errs);					\
			errs = tmp;					\
		}							\
		free(m_);						\
	}								\
	n++;								\
} while (0)

	lan.s_addr = conf->lan.addr.s_addr & addr_mask4(conf->lan.plen);
	ip4(lan, net);
	TAILQ_FOREACH(f, &conf->forwards, entry) {
		ip4(f->to_addr, a);
		if (conf->lan.plen == 0 || !addr_in_prefix4(f->to_addr,
		    conf->lan.addr, conf->lan.plen))
			ERR("%s:%d: [forward %s]: destination %s is outside "
			    "the LAN %s/%d", conf->path ? conf->path : "config",
			    f->line, f->name, a, net, conf->lan.plen);
		else if (f->to_addr.s_addr == conf->lan.addr.s_addr ||
		    f->to_addr.s_addr == lan.s_addr ||
		    (f->to_addr.s_addr | addr_mask4(conf->lan.plen)) ==
		    0xffffffffU)
			ERR("%s:%d: [forward %s]: destination %s is not a LAN "
			    "host address", conf->path ? conf->path : "config",
			    f->line, f->name, a);
		if (f->wan_port_end > f->wan_port &&
		    f->wan_port_end - f->wan_port >= RULES_RANGE_MAX &&
		    f->to_port != 0 && f->to_port != f->wan_port)
			ERR("%s:%d: [forward %s]: a moved port range holds at "
			    "most %d ports", conf->path ? conf->path :
			    "config", f->line, f->name, RULES_RANGE_MAX);
		if (f->to_port != 0 && f->wan_port_end > f->wan_port &&
		    (unsigned int)f->to_port + (f->wan_port_end -
		    f->wan_port) > 65535)
			ERR("%s:%d: [forward %s]: destination ports run past "
			    "65535", conf->path ? conf->path : "config",
			    f->line, f->name);
		for (g = TAILQ_NEXT(f, entry); g != NULL;
		    g = TAILQ_NEXT(g, entry)) {
			if ((f->proto & g->proto) == 0 ||
			    g->wan_port > f->wan_port_end ||
			    f->wan_port > g->wan_port_end)
				continue;
			ERR("%s:%d: [forward %s]: WAN port %u overlaps "
			    "[forward %s] at line %d",
			    conf->path ? conf->path : "config", g->line,
			    g->name, g->wan_port, f->name, f->line);
		}
	}
#undef ERR
	if (n == 0)
		return (0);
	if (ret_errors != NULL)
		*ret_errors = errs;
	else
		free(errs);
	return (-EINVAL);
}

static void
forward_rules(struct rules *r, const struct hgw_conf *conf,
    const struct hgw_forward *f, const char *item, int hairpin)
{
	char	 ports[64], lan[INET_ADDRSTRLEN], wan[INET_ADDRSTRLEN];
	char	*dnat, daddr[80];

	if ((dnat = dnat_stmt(f)) == NULL) {
		r->failed = 1;
		return;
	}
	port_match(f, ports, sizeof(ports));
	ip4(conf->lan.addr, lan);
	/*
	 * Without a static WAN address, "an address of ours that is not the
	 * LAN one" stands for it, so a dynamic WAN address works too.
	 */
	if (conf->wan.has_addr)
		snprintf(daddr, sizeof(daddr), "ip daddr %s",
		    ip4(conf->wan.addr, wan));
	else
		snprintf(daddr, sizeof(daddr), "fib daddr type local "
		    "ip daddr != %s", lan);
	/*
	 * The port before the address: it fails for nearly every new
	 * connection, and the dynamic address test is a route lookup.
	 */
	emit(r, item, "\t\tiifname \"%s\" %s %s %s comment \"forward %s\"",
	    conf->wan.ifname, ports, daddr, dnat, f->name);
	if (hairpin)
		emit(r, item, "\t\tiifname \"%s\" %s %s %s comment "
		    "\"forward %s hairpin\"", conf->lan.ifname, ports, daddr,
		    dnat, f->name);
	free(dnat);
}

static void
forward_accept(struct rules *r, const struct hgw_conf *conf,
    const struct hgw_forward *f, const char *item)
{
	char		 to[INET_ADDRSTRLEN], ports[48];
	const char	*l4;
	unsigned int	 first, last;

	l4 = f->proto == CONF_PROTO_TCP ? "tcp dport" :
	    f->proto == CONF_PROTO_UDP ? "udp dport" :
	    "meta l4proto { tcp, udp } th dport";
	first = f->to_port ? f->to_port : f->wan_port;
	last = first + (f->wan_port_end > f->wan_port ?
	    f->wan_port_end - f->wan_port : 0);
	if (last > first)
		snprintf(ports, sizeof(ports), "%u-%u", first, last);
	else
		snprintf(ports, sizeof(ports), "%u", first);
	emit(r, item, "\t\tiifname \"%s\" ip daddr %s %s %s ct status dnat "
	    "accept comment \"forward %s\"", conf->wan.ifname,
	    ip4(f->to_addr, to), l4, ports, f->name);
}

/* The reasons of the WAN input drops; each a named counter wan_drop_<r>. */
const char *const rules_drop_reasons[RULES_NDROP] = {
	"policy", "lan_dst", "spoofed_src", "invalid", "ping_limit"
};

/*
 * "tcp dport { 22, 8000-8010 } accept" for one protocol of a service
 * list; nothing when the list has none of that protocol.
 */
static void
services_accept(struct rules *r, const struct hgw_service *sv, unsigned int n,
    enum conf_proto proto, const char *item)
{
	char		 set[CONF_LIST_MAX * 12 + 8];
	size_t		 off = 0;
	unsigned int	 i;
	int		 k = 0;

	for (i = 0; i < n && i < CONF_LIST_MAX; i++) {
		if (sv[i].proto != proto)
			continue;
		if (sv[i].last != sv[i].first)
			off += (size_t)snprintf(set + off, sizeof(set) - off,
			    "%s%u-%u", k ? ", " : "", sv[i].first, sv[i].last);
		else
			off += (size_t)snprintf(set + off, sizeof(set) - off,
			    "%s%u", k ? ", " : "", sv[i].first);
		k++;
	}
	if (k > 0)
		emit(r, item, "\t\t%s dport { %s } accept",
		    proto == CONF_PROTO_TCP ? "tcp" : "udp", set);
}

/*
 * The input policy: what reaches the gateway itself.  Only traffic for
 * the gateway passes the input hook, so none of this costs the forwarding
 * path anything.  The checks that catch spoofing come before the
 * conntrack accept, so that a forged packet cannot ride on a connection
 * of a LAN host; neighbour discovery comes before the reverse-path check
 * because duplicate address detection sends from "::", which has no
 * route.
 */
static void
input_rules(struct rules *r, const struct hgw_conf *conf, const char *net)
{
	const char	*cf = conf->path ? conf->path : "config";
	const char	*wan = conf->wan.ifname, *lanif = conf->lan.ifname;
	char		 wan_item[PATH_MAX + 64], ping_item[PATH_MAX + 64];
	char		 lan_item[PATH_MAX + 64];
	int		 haswan = wan[0] != '\0', i;
	int		 lanrestrict = conf->firewall.nlan_allow !=
			    CONF_SERVICES_ALL;
	unsigned int	 rate = conf->firewall.wan_ping_rate;

	snprintf(wan_item, sizeof(wan_item), "%s: [firewall] wan_allow", cf);
	snprintf(ping_item, sizeof(ping_item), "%s: [firewall] wan_ping", cf);
	snprintf(lan_item, sizeof(lan_item), "%s: [firewall] lan_allow", cf);
	if (!haswan && !lanrestrict)
		return;
	if (haswan)
		for (i = 0; i < RULES_NDROP; i++) {
			emit(r, NULL, "\tcounter wan_drop_%s {",
			    rules_drop_reasons[i]);
			emit(r, NULL, "\t}");
			emit(r, NULL, "%s", "");
		}
	if (haswan) {
		/* The forward chain's drop (rules_build()). */
		emit(r, NULL, "\tcounter nat_drop_unsolicited {");
		emit(r, NULL, "\t}");
		emit(r, NULL, "%s", "");
	}
	if (lanrestrict) {
		emit(r, NULL, "\tcounter lan_drop_policy {");
		emit(r, NULL, "\t}");
		emit(r, NULL, "%s", "");
	}
	emit(r, NULL, "\tchain input {");
	emit(r, NULL, "\t\ttype filter hook input priority filter; "
	    "policy accept;");
	if (haswan)
		emit(r, NULL, "\t\tiifname \"%s\" jump wan_input", wan);
	if (lanrestrict)
		emit(r, lan_item, "\t\tiifname \"%s\" jump lan_input", lanif);
	emit(r, NULL, "\t}");
	emit(r, NULL, "%s", "");

	if (haswan) {
		emit(r, NULL, "\tchain wan_input {");
		emit(r, NULL, "\t\tip saddr %s/%d counter name "
		    "\"wan_drop_spoofed_src\" drop", net, conf->lan.plen);
		/* The LAN broadcast address too: it is no "local" address. */
		emit(r, NULL, "\t\tip daddr %s/%d counter name "
		    "\"wan_drop_lan_dst\" drop", net, conf->lan.plen);
		/* Linux takes any local address on any interface. */
		emit(r, NULL, "\t\tfib daddr . iif type != local "
		    "fib daddr type local counter name \"wan_drop_lan_dst\" "
		    "drop");
		emit(r, NULL, "\t\ticmpv6 type { nd-router-solicit, "
		    "nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert "
		    "} ip6 hoplimit 255 accept");
		emit(r, NULL, "\t\tfib saddr . iif oif missing counter name "
		    "\"wan_drop_spoofed_src\" drop");
		/*
		 * Before the conntrack accept: conntrack takes every echo
		 * request after the first of one ping run as established.
		 */
		if (conf->firewall.wan_ping) {
			emit(r, ping_item, "\t\ticmp type echo-request limit "
			    "rate %u/second burst %u packets accept", rate,
			    rate * 2);
			emit(r, ping_item, "\t\ticmpv6 type echo-request limit "
			    "rate %u/second burst %u packets accept", rate,
			    rate * 2);
			emit(r, ping_item, "\t\ticmp type echo-request counter "
			    "name \"wan_drop_ping_limit\" drop");
			emit(r, ping_item, "\t\ticmpv6 type echo-request "
			    "counter name \"wan_drop_ping_limit\" drop");
		}
		emit(r, NULL, "\t\tct state established,related accept");
		emit(r, NULL, "\t\ticmp type { destination-unreachable, "
		    "time-exceeded, parameter-problem } accept");
		emit(r, NULL, "\t\ticmpv6 type { destination-unreachable, "
		    "packet-too-big, time-exceeded, parameter-problem } "
		    "accept");
		emit(r, NULL, "\t\ticmpv6 type { mld-listener-query, "
		    "mld-listener-report, mld-listener-done, "
		    "mld2-listener-report } ip6 saddr fe80::/10 accept");
		emit(r, NULL, "\t\tct state invalid counter name "
		    "\"wan_drop_invalid\" drop");
		services_accept(r, conf->firewall.wan_allow,
		    conf->firewall.nwan_allow, CONF_PROTO_TCP, wan_item);
		services_accept(r, conf->firewall.wan_allow,
		    conf->firewall.nwan_allow, CONF_PROTO_UDP, wan_item);
		emit(r, NULL, "\t\tcounter name \"wan_drop_policy\" drop");
		emit(r, NULL, "\t}");
		emit(r, NULL, "%s", "");
	}
	if (lanrestrict) {
		emit(r, NULL, "\tchain lan_input {");
		emit(r, NULL, "\t\tct state established,related accept");
		/* Ping, errors and IPv6 neighbour discovery. */
		emit(r, NULL, "\t\tmeta l4proto { icmp, ipv6-icmp } accept");
		services_accept(r, conf->firewall.lan_allow,
		    conf->firewall.nlan_allow, CONF_PROTO_TCP, lan_item);
		services_accept(r, conf->firewall.lan_allow,
		    conf->firewall.nlan_allow, CONF_PROTO_UDP, lan_item);
		emit(r, NULL, "\t\tcounter name \"lan_drop_policy\" drop");
		emit(r, NULL, "\t}");
		emit(r, NULL, "%s", "");
	}
}

static int
lan_allows(const struct hgw_conf *conf, enum conf_proto proto, uint16_t port)
{
	unsigned int	 i;

	if (conf->firewall.nlan_allow == CONF_SERVICES_ALL)
		return (1);
	for (i = 0; i < conf->firewall.nlan_allow && i < CONF_LIST_MAX; i++)
		if (conf->firewall.lan_allow[i].proto == proto &&
		    conf->firewall.lan_allow[i].first <= port &&
		    port <= conf->firewall.lan_allow[i].last)
			return (1);
	return (0);
}

/*
 * The ports of the gateway's own services that [firewall] lan_allow
 * leaves out, one sentence a line, or NULL when none (or no memory).  Not
 * an error: the owner may mean it, but rarely does.
 */
char *
rules_lan_warnings(const struct hgw_conf *conf)
{
	static const struct {
		enum conf_proto	 proto;
		int		 web;	/* [web] listen, else [dns] listen */
		const char	*what;
	} need[] = {
		{ CONF_PROTO_UDP, 0, "the DNS resolver ([dns] listen)" },
		{ CONF_PROTO_TCP, 0, "the DNS resolver ([dns] listen)" },
		{ CONF_PROTO_TCP, 1, "the status page ([web] listen)" },
	};
	const struct hgw_endpoint *eps;
	char		*out = NULL, *tmp;
	unsigned int	 i, n;
	uint16_t	 port;
	size_t		 k;

	for (k = 0; k < sizeof(need) / sizeof(need[0]); k++) {
		eps = need[k].web ? conf->web.listen : conf->dns.listen;
		n = need[k].web ? conf->web.nlisten : conf->dns.nlisten;
		for (i = 0; i < n && i < CONF_LIST_MAX; i++) {
			port = addr_endpoint_port(&eps[i]);
			if (lan_allows(conf, need[k].proto, port))
				continue;
			if (asprintf(&tmp, "%s[firewall] lan_allow leaves out "
			    "%s/%u, %s: LAN hosts cannot reach it\n",
			    out != NULL ? out : "", need[k].proto ==
			    CONF_PROTO_UDP ? "udp" : "tcp", port,
			    need[k].what) < 0)
				return (out);
			free(out);
			out = tmp;
			break;	/* one line per service */
		}
	}
	return (out);
}

/* Generate the ruleset for conf; offload adds the flowtable. */
int
rules_build(const struct hgw_conf *conf, int offload, struct rules *r)
{
	const struct hgw_forward *f;
	const char	*cf = conf->path ? conf->path : "config";
	const char	*wan = conf->wan.ifname, *lanif = conf->lan.ifname;
	char		 item[PATH_MAX + 128], net[INET_ADDRSTRLEN];
	char		 nat_item[PATH_MAX + 64], off_item[PATH_MAX + 64];
	char		 hp_item[PATH_MAX + 64], wan_item[PATH_MAX + 64];
	char		 lan_item[PATH_MAX + 64];
	struct in_addr	 lan;
	int		 haswan = wan[0] != '\0';

	memset(r, 0, sizeof(*r));
	snprintf(nat_item, sizeof(nat_item), "%s: [nat] masquerade", cf);
	snprintf(off_item, sizeof(off_item), "%s: [nat] flow_offload", cf);
	snprintf(hp_item, sizeof(hp_item), "%s: [nat] hairpin", cf);
	snprintf(wan_item, sizeof(wan_item), "%s: [wan] interface \"%s\"",
	    cf, wan);
	snprintf(lan_item, sizeof(lan_item), "%s: [lan] interface \"%s\"",
	    cf, lanif);
	lan.s_addr = conf->lan.addr.s_addr & addr_mask4(conf->lan.plen);
	ip4(lan, net);

	emit(r, NULL, "# homegw-natd: generated from %s; do not edit", cf);
	emit(r, NULL, "table inet %s", NATD_TABLE);
	emit(r, NULL, "delete table inet %s", NATD_TABLE);
	emit(r, NULL, "table inet %s {", NATD_TABLE);
	if (offload && haswan) {
		emit(r, off_item, "\tflowtable ft {");
		emit(r, off_item, "\t\thook ingress priority filter");
		emit(r, off_item, "\t\tdevices = { \"%s\", \"%s\" }", lanif,
		    wan);
		/* Offloaded packets skip the hooks: count them here. */
		emit(r, off_item, "\t\tcounter");
		emit(r, off_item, "\t}");
		emit(r, NULL, "%s", "");
	}

	input_rules(r, conf, net);

	/* No forwards, no chain: an empty one still runs for each new flow. */
	if (haswan && !TAILQ_EMPTY(&conf->forwards)) {
		emit(r, NULL, "\tchain prerouting {");
		emit(r, NULL, "\t\ttype nat hook prerouting priority dstnat; "
		    "policy accept;");
		TAILQ_FOREACH(f, &conf->forwards, entry) {
			snprintf(item, sizeof(item), "%s:%d: [forward %s]",
			    cf, f->line, f->name);
			forward_rules(r, conf, f, item, conf->nat.hairpin);
		}
		emit(r, NULL, "\t}");
		emit(r, NULL, "%s", "");
	}

	emit(r, NULL, "\tchain postrouting {");
	emit(r, NULL, "\t\ttype nat hook postrouting priority srcnat; "
	    "policy accept;");
	if (haswan && conf->nat.masquerade)
		emit(r, nat_item, "\t\tmeta nfproto ipv4 oifname \"%s\" "
		    "masquerade", wan);
	/*
	 * Hairpin: the LAN host that answers must send its replies back
	 * through us, not straight to its LAN neighbour, or the neighbour
	 * sees an answer from an address it never asked.
	 */
	if (haswan && conf->nat.hairpin && !TAILQ_EMPTY(&conf->forwards))
		emit(r, hp_item, "\t\toifname \"%s\" ip saddr %s/%d "
		    "ct status dnat masquerade", lanif, net, conf->lan.plen);
	emit(r, NULL, "\t}");
	emit(r, NULL, "%s", "");

	emit(r, NULL, "\tchain forward {");
	emit(r, NULL, "\t\ttype filter hook forward priority filter; "
	    "policy accept;");
	if (offload && haswan)
		emit(r, off_item, "\t\tmeta l4proto { tcp, udp } "
		    "flow add @ft");
	emit(r, NULL, "\t\tct state established,related accept");
	if (haswan) {
		emit(r, lan_item, "\t\tiifname \"%s\" oifname \"%s\" accept",
		    lanif, wan);
		TAILQ_FOREACH(f, &conf->forwards, entry) {
			snprintf(item, sizeof(item), "%s:%d: [forward %s]",
			    cf, f->line, f->name);
			forward_accept(r, conf, f, item);
		}
		/*
		 * Neither a reply nor a port forward: unsolicited, counted
		 * by name for the metrics (only dropped packets pay).
		 */
		emit(r, wan_item, "\t\tiifname \"%s\" counter name "
		    "\"nat_drop_unsolicited\" drop", wan);
	}
	emit(r, NULL, "\t}");
	emit(r, NULL, "}");
	if (r->failed) {
		rules_free(r);
		return (-ENOMEM);
	}
	return (0);
}

/* Remove our table and nothing else; no error when it is absent. */
const char *
rules_flush_text(void)
{
	return ("table inet " NATD_TABLE "\ndelete table inet " NATD_TABLE
	    "\n");
}

/*
 * One batch that creates a table of our own holding a flowtable and
 * deletes it again: the kernel refuses the whole batch when it has no
 * flowtable support, and leaves nothing behind when it has.
 */
const char *
rules_probe_text(void)
{
	return ("table inet " NATD_TABLE "_probe {\n"
	    "\tflowtable ft {\n"
	    "\t\thook ingress priority filter\n"
	    "\t\tdevices = { \"lo\" }\n"
	    "\t\tcounter\n"
	    "\t}\n"
	    "}\n"
	    "delete table inet " NATD_TABLE "_probe\n");
}

/* The config item for a line, or NULL. */
const char *
rules_item(const struct rules *r, int line)
{
	if (line < 1 || line > r->nlines || r->items == NULL)
		return (NULL);
	return (r->items[line]);
}

/* Name the config item in nft's error text. */
char *
rules_explain(const struct rules *r, const char *file, const char *err)
{
	const char	*p, *item, *msg;
	char		*out = NULL, *end;
	size_t		 flen;
	long		 line;

	if (err == NULL)
		err = "";
	flen = file != NULL ? strlen(file) : 0;
	/* nft writes "FILE:LINE:COL-COL: Error: what". */
	for (p = err; flen > 0 && (p = strstr(p, file)) != NULL; p += flen) {
		if (p[flen] != ':')
			continue;
		line = strtol(p + flen + 1, &end, 10);
		if (end == p + flen + 1 || *end != ':')
			continue;
		msg = strstr(end, "Error: ");
		msg = msg != NULL ? msg + 7 : end + 1;
		item = rules_item(r, (int)line);
		if (asprintf(&out, "%s: %.*s", item != NULL ? item :
		    "generated ruleset", (int)strcspn(msg, "\n"), msg) < 0)
			return (NULL);
		return (out);
	}
	if (asprintf(&out, "%.*s", (int)strcspn(err, "\n"), err) < 0)
		return (NULL);
	return (out);
}

/*
 * nft lists each as "counter NAME {", then "packets N bytes M" and "}".
 * Untrusted in the sense that another program may have put anything in
 * our table: names not ours are skipped, numbers are checked.
 */
int
rules_counters_parse(const char *text, uint64_t wan[RULES_NDROP],
    uint64_t *lan, uint64_t *nat)
{
	const char	*p, *name, *end, *pk;
	char		*num_end;
	unsigned long long v;
	size_t		 len;
	int		 i, found = 0;
	uint64_t	*dst;

	memset(wan, 0, RULES_NDROP * sizeof(wan[0]));
	*lan = 0;
	*nat = 0;
	for (p = text; p != NULL && (p = strstr(p, "counter ")) != NULL;
	    p = end) {
		name = p + 8;
		len = strcspn(name, " {\n");
		end = name + len;
		dst = NULL;
		if (len == 15 && strncmp(name, "lan_drop_policy", len) == 0)
			dst = lan;
		if (len == 20 &&
		    strncmp(name, "nat_drop_unsolicited", len) == 0)
			dst = nat;
		for (i = 0; dst == NULL && i < RULES_NDROP; i++)
			if (len == 9 + strlen(rules_drop_reasons[i]) &&
			    strncmp(name, "wan_drop_", 9) == 0 &&
			    strncmp(name + 9, rules_drop_reasons[i],
			    len - 9) == 0)
				dst = &wan[i];
		if (dst == NULL || *end != ' ' ||
		    (pk = strstr(end, "packets ")) == NULL ||
		    memchr(end, '}', (size_t)(pk - end)) != NULL)
			continue;
		errno = 0;
		v = strtoull(pk + 8, &num_end, 10);
		if (errno != 0 || num_end == pk + 8)
			continue;
		*dst = (uint64_t)v;
		found++;
		end = num_end;
	}
	return (found);
}

/* Free the text and the line map. */
void
rules_free(struct rules *r)
{
	int	 i;

	if (r == NULL)
		return;
	if (r->items != NULL)
		for (i = 0; i < r->cap_lines; i++)
			free(r->items[i]);
	free(r->items);
	free(r->text);
	memset(r, 0, sizeof(*r));
}
