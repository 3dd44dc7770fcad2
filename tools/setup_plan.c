/*
 * SPDX-License-Identifier: ISC
 *
 * setup_plan.c: the decisions of "homegwctl setup" and the parsers of what
 * it reads from the system, as pure functions of their input: which
 * interface is the WAN and which the LAN, which LAN prefix overlaps
 * nothing, which sockets hold a port and address homegw needs, which
 * nftables tables or iptables rules already do NAT, whether ifupdown or
 * dhcpcd has a claim on an interface.  No I/O here, so tests feed it
 * text and tables.
 */
#include <sys/types.h>
#include <arpa/inet.h>
#include <net/if_arp.h>
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "setup.h"

/* Container and VM bridges: never a home's LAN. */
static const char *const virtual_prefixes[] = {
	"docker", "virbr", "lxcbr", "lxdbr", "cni", "podman", "vnet",
	"flannel", "cali", "weave", "tailscale", "zt",
};

/* The interface named name, or NULL. */
struct setup_iface *
plan_iface(struct setup_net *net, const char *name)
{
	int	 i;

	for (i = 0; i < net->nifs; i++)
		if (strcmp(net->ifs[i].name, name) == 0)
			return (&net->ifs[i]);
	return (NULL);
}

/* Add an IPv4 route; a default route marks its interface. */
int
plan_route_add(struct setup_net *net, const char *ifname, struct in_addr dst,
    int plen, uint32_t metric)
{
	struct setup_route	*r;
	struct setup_iface	*ifp;

	if (plen == 0) {
		if ((ifp = plan_iface(net, ifname)) == NULL)
			return (0);
		if (!ifp->default_route || metric < ifp->default_metric) {
			ifp->default_route = 1;
			ifp->default_metric = metric;
		}
		return (0);
	}
	if (net->nroutes == SETUP_ROUTE_MAX)
		return (-1);
	r = &net->routes[net->nroutes++];
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
	r->dst.s_addr = dst.s_addr & addr_mask4(plen);
	r->plen = plen;
	r->metric = metric;
	return (0);
}

static int
mask_len(uint32_t mask_net)
{
	uint32_t	 m = ntohl(mask_net);
	int		 n = 0;

	while (m & 0x80000000u) {
		n++;
		m <<= 1;
	}
	return (m == 0 ? n : -1);
}

/*
 * The next line of text at *p into line, without its newline, and *p
 * past it; a line longer than the buffer is skipped (none of the files
 * read here has one).  0 at the end of the text.
 */
static int
next_line(const char **p, char *line, size_t len)
{
	const char	*eol;
	size_t		 n;

	while (**p != '\0') {
		if ((eol = strchr(*p, '\n')) == NULL)
			eol = *p + strlen(*p);
		n = (size_t)(eol - *p);
		*p = *eol != '\0' ? eol + 1 : eol;
		if (n >= len)
			continue;
		memcpy(line, eol - n, n);
		line[n] = '\0';
		return (1);
	}
	return (0);
}

/*
 * /proc/net/route: the main table's IPv4 routes, one a line after a
 * header.  The kernel prints each address as the 32-bit value in memory
 * (network order) formatted in hex, so storing the parsed value back
 * into s_addr gives the address on any byte order.
 */
int
plan_parse_routes(struct setup_net *net, const char *text)
{
	const char	*p = text;
	char		 line[512], ifname[IF_NAMESIZE + 1];
	unsigned long	 dst, gw, flags, metric, mask;
	struct in_addr	 a;
	int		 n = 0, plen;

	while (next_line(&p, line, sizeof(line))) {
		if (sscanf(line, "%16s %lx %lx %lx %*d %*d %lu %lx", ifname,
		    &dst, &gw, &flags, &metric, &mask) != 6)
			continue;	/* the header, or garbage */
		if ((flags & 0x1) == 0 || (plen = mask_len((uint32_t)mask)) < 0)
			continue;	/* not RTF_UP, or a broken mask */
		a.s_addr = (in_addr_t)dst;
		if (plan_route_add(net, ifname, a, plen, (uint32_t)metric) < 0)
			break;
		n++;
	}
	return (n);
}

/* The WAN proposal: the interface of the best IPv4 default route, or -1. */
int
plan_pick_wan(const struct setup_net *net)
{
	int	 i, best = -1;

	for (i = 0; i < net->nifs; i++) {
		if (!net->ifs[i].default_route)
			continue;
		if (best < 0 ||
		    net->ifs[i].default_metric < net->ifs[best].default_metric)
			best = i;
	}
	return (best);
}

/*
 * Why an interface is not proposed as the LAN (1, with the reason in
 * why), or 0 when it may be.  A bridge's port is never the LAN (its
 * bridge is); wireless is left to the owner to name, because a Pi's
 * Wi-Fi is usually how it reaches the internet or a console, not a LAN
 * to route for.
 */
int
plan_lan_unfit(const struct setup_iface *ifp, char *why, size_t len)
{
	size_t	 i;

	if (ifp->loopback) {
		snprintf(why, len, "loopback");
		return (1);
	}
	if (ifp->master[0] != '\0') {
		snprintf(why, len, "a port of %s (use %s itself)", ifp->master,
		    ifp->master);
		return (1);
	}
	if (ifp->wireless) {
		snprintf(why, len, "wireless (name it with --lan to use it)");
		return (1);
	}
	if (!ifp->physical && !ifp->bridge && !ifp->carrier) {
		snprintf(why, len, "virtual, without a link");
		return (1);
	}
	if (ifp->type != ARPHRD_ETHER) {
		snprintf(why, len, "not an Ethernet-like interface");
		return (1);
	}
	for (i = 0; i < sizeof(virtual_prefixes) /
	    sizeof(virtual_prefixes[0]); i++) {
		if (strncmp(ifp->name, virtual_prefixes[i],
		    strlen(virtual_prefixes[i])) == 0) {
			snprintf(why, len, "a container or VM network");
			return (1);
		}
	}
	return (0);
}

/*
 * The LAN proposal: a fit interface other than the WAN, preferring one
 * with carrier, then a bridge (made for the LAN on purpose), then one
 * with a device behind it; the first in the list on a tie.  -1 if none.
 */
int
plan_pick_lan(const struct setup_net *net, int wan)
{
	char	 why[128];
	int	 i, score, best = -1, best_score = -1;

	for (i = 0; i < net->nifs; i++) {
		const struct setup_iface *ifp = &net->ifs[i];

		if (i == wan || plan_lan_unfit(ifp, why, sizeof(why)))
			continue;
		score = (ifp->carrier ? 4 : 0) + (ifp->bridge ? 2 : 0) +
		    (ifp->physical ? 1 : 0);
		if (score > best_score) {
			best = i;
			best_score = score;
		}
	}
	return (best);
}

static int
prefixes_overlap(struct in_addr a, int alen, struct in_addr b, int blen)
{
	int	 plen = alen < blen ? alen : blen;

	return ((a.s_addr & addr_mask4(plen)) == (b.s_addr & addr_mask4(plen)));
}

/*
 * Does addr/plen overlap an address or a route anywhere on the machine
 * other than on the LAN interface itself (whose addresses setup is about
 * to replace)?  1 with what it overlaps in why, else 0.  The default
 * route overlaps everything and is not counted.
 */
int
plan_overlap(const struct setup_net *net, const char *lan,
    struct in_addr addr, int plen, char *why, size_t len)
{
	char	 a[INET_ADDRSTRLEN];
	int	 i, k;

	for (i = 0; i < net->nifs; i++) {
		const struct setup_iface *ifp = &net->ifs[i];

		if (lan != NULL && strcmp(ifp->name, lan) == 0)
			continue;
		if (ifp->loopback)
			continue;
		for (k = 0; k < ifp->naddr4; k++) {
			if (!prefixes_overlap(addr, plen, ifp->addr4[k].addr,
			    ifp->addr4[k].plen))
				continue;
			snprintf(why, len, "address %s/%d on %s",
			    addr_fmt_ip4(ifp->addr4[k].addr, a),
			    ifp->addr4[k].plen, ifp->name);
			return (1);
		}
	}
	for (i = 0; i < net->nroutes; i++) {
		const struct setup_route *r = &net->routes[i];

		if (lan != NULL && strcmp(r->ifname, lan) == 0)
			continue;
		if (r->plen == 0 || strcmp(r->ifname, "lo") == 0)
			continue;
		if (!prefixes_overlap(addr, plen, r->dst, r->plen))
			continue;
		snprintf(why, len, "the route to %s/%d through %s",
		    addr_fmt_ip4(r->dst, a), r->plen, r->ifname);
		return (1);
	}
	return (0);
}

/*
 * Can addr/plen be the gateway's LAN address?  0, or -1 with the reason:
 * a host address (not the prefix's first or last) in a prefix of 8 to 30
 * bits, outside loopback, link-local, multicast and 0.0.0.0/8.
 */
int
plan_check_lan_address(struct in_addr addr, int plen, char *why, size_t len)
{
	uint32_t	 a = ntohl(addr.s_addr), host;

	if (plen < 8 || plen > 30) {
		snprintf(why, len, "a LAN prefix must be /8 to /30, not /%d",
		    plen);
		return (-1);
	}
	if ((a >> 24) == 0 || (a >> 24) == 127 || (a >> 16) == 0xa9fe ||
	    (a >> 28) >= 0xe) {
		snprintf(why, len, "it is a loopback, link-local, multicast "
		    "or reserved address; use a private one such as "
		    "192.168.10.1/24");
		return (-1);
	}
	host = a & ~ntohl(addr_mask4(plen));
	if (host == 0 || host == ~ntohl(addr_mask4(plen))) {
		snprintf(why, len, "it is the prefix's network or broadcast "
		    "address, not a host address (such as the .1)");
		return (-1);
	}
	return (0);
}

/*
 * The LAN prefix proposal.  The LAN interface's own private address when
 * it has one that overlaps nothing (its hosts already use it); otherwise
 * the first 192.168.X.1/24 that overlaps nothing, trying X = 10, 20, ...
 * 250 first (home routers mostly use 0, 1, 2, 100 and 178), then the
 * other values.  0, or -1 when every one is taken.
 */
int
plan_propose_prefix(const struct setup_net *net, const char *lan,
    struct in_addr *ret_addr, int *ret_plen)
{
	const struct setup_iface *ifp = NULL;
	struct in_addr	 a;
	char		 why[128];
	uint32_t	 h;
	int		 i, x, pass;

	for (i = 0; lan != NULL && i < net->nifs; i++)
		if (strcmp(net->ifs[i].name, lan) == 0)
			ifp = &net->ifs[i];
	for (i = 0; ifp != NULL && i < ifp->naddr4; i++) {
		h = ntohl(ifp->addr4[i].addr.s_addr);
		if ((h >> 24) != 10 && (h >> 20) != 0xac1 &&
		    (h >> 16) != 0xc0a8)
			continue;	/* not RFC 1918 */
		if (plan_check_lan_address(ifp->addr4[i].addr,
		    ifp->addr4[i].plen, why, sizeof(why)) < 0 ||
		    plan_overlap(net, lan, ifp->addr4[i].addr,
		    ifp->addr4[i].plen, why, sizeof(why)))
			continue;
		*ret_addr = ifp->addr4[i].addr;
		*ret_plen = ifp->addr4[i].plen;
		return (0);
	}
	for (pass = 0; pass < 2; pass++) {
		for (x = pass ? 2 : 10; x < 255; x += pass ? 1 : 10) {
			if (pass && x % 10 == 0)
				continue;
			a.s_addr = htonl(0xc0a80001u | (uint32_t)x << 8);
			if (plan_overlap(net, lan, a, 24, why, sizeof(why)))
				continue;
			*ret_addr = a;
			*ret_plen = 24;
			return (0);
		}
	}
	return (-1);
}

/*
 * The local address of a /proc/net line: the kernel prints each 32-bit
 * word as it lies in memory, in hex, so each word parsed and stored back
 * gives the bytes in network order on any byte order.
 */
static int
parse_sock_addr(const char *hex, size_t len, struct setup_sock *sk)
{
	char		 word[9];
	uint32_t	 v;
	size_t		 i;

	if (len != 8 && len != 32)
		return (-1);
	sk->family = len == 8 ? AF_INET : AF_INET6;
	for (i = 0; i < len / 8; i++) {
		memcpy(word, hex + 8 * i, 8);
		word[8] = '\0';
		if (strspn(word, "0123456789abcdefABCDEF") != 8)
			return (-1);
		v = (uint32_t)strtoul(word, NULL, 16);
		memcpy(sk->addr + 4 * i, &v, 4);
	}
	return (0);
}

/*
 * /proc/net/{tcp,udp,tcp6,udp6}: the sockets bound to the local port,
 * listening ones only for TCP (state 0A), with their local address.
 * Returns how many were stored in socks (at most max, one per inode).
 */
int
plan_port_sockets(const char *text, int tcp, uint16_t port,
    struct setup_sock *socks, int max)
{
	const char	*p = text;
	char		 line[512], addr[40];
	unsigned int	 lport, st;
	unsigned long	 inode;
	int		 n = 0, k;

	while (next_line(&p, line, sizeof(line))) {
		if (sscanf(line, " %*[0-9]: %39[0-9A-Fa-f]:%x %*s %x %*s %*s "
		    "%*s %*u %*u %lu", addr, &lport, &st, &inode) != 4)
			continue;
		if (lport != port || inode == 0 || (tcp && st != 0x0a))
			continue;
		for (k = 0; k < n; k++)
			if (socks[k].inode == inode)
				break;
		if (k < n || n == max)
			continue;
		memset(&socks[n], 0, sizeof(socks[n]));
		socks[n].inode = inode;
		if (parse_sock_addr(addr, strlen(addr), &socks[n]) == 0)
			n++;
	}
	return (n);
}

/* The socket's address as text ("127.0.0.53", "::"). */
const char *
plan_sock_addr(const struct setup_sock *sk, char *buf, size_t len)
{
	if (inet_ntop(sk->family, sk->addr, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return (buf);
}

/*
 * Would a socket bound to sk's address (on the port of ep) stop a homegw
 * daemon from listening on ep, or take its queries?  Yes when either is
 * a wildcard (an IPv6 wildcard takes IPv4 too, unless V6ONLY, which the
 * file does not say), or both are the same address (an IPv4-mapped IPv6
 * one included).
 */
int
plan_sock_clashes(const struct setup_sock *sk, const struct hgw_endpoint *ep)
{
	static const uint8_t	 zero[16], mapped[12] = { [10] = 0xff,
				    [11] = 0xff };
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	const uint8_t			*a;
	int				 alen;

	alen = sk->family == AF_INET ? 4 : 16;
	if (memcmp(sk->addr, zero, (size_t)alen) == 0)
		return (1);
	if (ep->ss.ss_family == AF_INET) {
		sin = (const struct sockaddr_in *)&ep->ss;
		a = (const uint8_t *)&sin->sin_addr;
		if (memcmp(a, zero, 4) == 0)
			return (sk->family == AF_INET);
		if (sk->family == AF_INET)
			return (memcmp(sk->addr, a, 4) == 0);
		return (memcmp(sk->addr, mapped, 12) == 0 &&
		    memcmp(sk->addr + 12, a, 4) == 0);
	}
	sin6 = (const struct sockaddr_in6 *)&ep->ss;
	a = (const uint8_t *)&sin6->sin6_addr;
	if (memcmp(a, zero, 16) == 0)
		return (1);
	return (sk->family == AF_INET6 && memcmp(sk->addr, a, 16) == 0);
}

/* Does line hold word as a whole token, ignoring case? */
static int
has_token(const char *line, const char *word)
{
	size_t		 n = strlen(word);
	const char	*p;

	for (p = line; (p = strcasestr(p, word)) != NULL; p += n) {
		if (p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		if (isalnum((unsigned char)p[n]) || p[n] == '_')
			continue;
		return (1);
	}
	return (0);
}

/*
 * Blank out a rule's comment "..." (which may say anything); other
 * quoted text stays, since iptables-nft writes xt target "MASQUERADE".
 */
static void
strip_comment(char *line)
{
	char	*p = line, *q;

	while ((p = strstr(p, "comment \"")) != NULL) {
		for (q = p + 9; *q != '\0' && *q != '"'; q++)
			*q = ' ';
		p = q;
	}
}

/*
 * "nft list ruleset": the tables ("ip nat", "inet fw4") other than homegw's
 * own that masquerade or SNAT, iptables-nft's translations included.
 * Returns how many names were stored in tables.
 */
int
plan_nft_nat_tables(const char *text, char tables[][128], int max)
{
	const char	*p = text, *c;
	char		 line[1024], fam[32], name[64], cur[128] = "";
	int		 depth = 0, n = 0, found = 0, k;

	while (next_line(&p, line, sizeof(line))) {
		if (depth == 0 &&
		    sscanf(line, " table %31s %63s {", fam, name) == 2) {
			snprintf(cur, sizeof(cur), "%s %s", fam, name);
			found = strcmp(cur, "inet homegw") == 0;
		} else if (depth > 0 && !found && (strip_comment(line),
		    has_token(line, "masquerade") || has_token(line, "snat"))) {
			for (k = 0; k < n; k++)
				if (strcmp(tables[k], cur) == 0)
					break;
			if (k == n && n < max)
				snprintf(tables[n++], 128, "%s", cur);
			found = 1;	/* once per table */
		}
		for (c = line; *c != '\0'; c++) {
			if (*c == '"')	/* skip quoted text */
				while (c[1] != '\0' && *++c != '"')
					;
			else if (*c == '{')
				depth++;
			else if (*c == '}' && depth > 0)
				depth--;
		}
	}
	return (n);
}

/* "iptables-save -t nat": the rules that masquerade or SNAT. */
int
plan_iptables_nat_rules(const char *text, char rules[][256], int max)
{
	const char	*p = text, *eol;
	size_t		 len;
	int		 n = 0;

	for (; *p != '\0' && n < max; p = *eol != '\0' ? eol + 1 : eol) {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		len = (size_t)(eol - p);
		if (len < 4 || len >= 256 || strncmp(p, "-A ", 3) != 0)
			continue;
		snprintf(rules[n], 256, "%.*s", (int)len, p);
		if (strstr(rules[n], "-j MASQUERADE") != NULL ||
		    strstr(rules[n], "-j SNAT") != NULL)
			n++;
	}
	return (n);
}

/* Split line into at most max white-space separated words, in place. */
static int
split_words(char *line, char **w, int max)
{
	char	*save = NULL, *t;
	int	 n = 0;

	for (t = strtok_r(line, " \t\r", &save); t != NULL && n < max;
	    t = strtok_r(NULL, " \t\r", &save)) {
		if (*t == '#')
			break;
		w[n++] = t;
	}
	return (n);
}

/*
 * /etc/network/interfaces: the line of the stanza that configures ifname
 * ("iface IF inet dhcp|static|..."; "manual" only raises the link and does
 * not fight) or of an "auto"/"allow-*" line naming it; 0 if none.
 */
int
plan_ifupdown_stanza(const char *text, const char *ifname)
{
	const char	*p = text, *eol;
	char		 line[1024], *w[32];
	int		 lineno = 0, first = 0, n, k;

	for (; *p != '\0'; p = *eol != '\0' ? eol + 1 : eol) {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		lineno++;
		if ((size_t)(eol - p) >= sizeof(line))
			continue;
		memcpy(line, p, (size_t)(eol - p));
		line[eol - p] = '\0';
		if ((n = split_words(line, w, 32)) < 2)
			continue;
		if (strcmp(w[0], "iface") == 0 && strcmp(w[1], ifname) == 0) {
			if (n >= 4 && strcmp(w[3], "manual") == 0)
				continue;
			return (lineno);
		}
		if (first == 0 && (strcmp(w[0], "auto") == 0 ||
		    strncmp(w[0], "allow-", 6) == 0))
			for (k = 1; k < n; k++)
				if (strcmp(w[k], ifname) == 0)
					first = lineno;
	}
	return (first);
}

/*
 * dhcpcd.conf: 1 when dhcpcd leaves ifname alone (denyinterfaces matches
 * it, or allowinterfaces exists and does not), else 0.
 */
int
plan_dhcpcd_denies(const char *text, const char *ifname)
{
	const char	*p = text;
	char		 line[1024], *w[32];
	int		 n, k, allow_seen = 0, allowed = 0;

	while (next_line(&p, line, sizeof(line))) {
		if ((n = split_words(line, w, 32)) < 2)
			continue;
		if (strcmp(w[0], "denyinterfaces") == 0) {
			for (k = 1; k < n; k++)
				if (fnmatch(w[k], ifname, 0) == 0)
					return (1);
		} else if (strcmp(w[0], "allowinterfaces") == 0) {
			allow_seen = 1;
			for (k = 1; k < n; k++)
				if (fnmatch(w[k], ifname, 0) == 0)
					allowed = 1;
		}
	}
	return (allow_seen && !allowed);
}

/* A dnsmasq config: 1 when it serves DHCP (a dhcp-range line). */
int
plan_dnsmasq_dhcp(const char *text)
{
	const char	*p = text;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t");
		if (strncmp(p, "dhcp-range", 10) == 0)
			return (1);
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return (0);
}

/*
 * resolv.conf: its nameservers other than loopback ones (a local stub or
 * homegw itself), comma-separated into out.  Returns how many.
 */
int
plan_resolv_nameservers(const char *text, char *out, size_t len)
{
	const char	*p = text;
	char		 line[512], *w[4];
	struct in_addr	 a4;
	struct in6_addr	 a6;
	size_t		 used = 0;
	int		 n = 0;

	out[0] = '\0';
	while (next_line(&p, line, sizeof(line))) {
		if (split_words(line, w, 4) < 2 ||
		    strcmp(w[0], "nameserver") != 0)
			continue;
		if (inet_pton(AF_INET, w[1], &a4) == 1) {
			if ((ntohl(a4.s_addr) >> 24) == 127)
				continue;
		} else if (inet_pton(AF_INET6, w[1], &a6) == 1) {
			if (IN6_IS_ADDR_LOOPBACK(&a6) ||
			    IN6_IS_ADDR_LINKLOCAL(&a6))
				continue;	/* needs a scope: not usable */
		} else
			continue;
		if (used + strlen(w[1]) + 3 >= len)
			break;
		used += (size_t)snprintf(out + used, len - used, "%s%s",
		    n ? ", " : "", w[1]);
		n++;
	}
	return (n);
}
