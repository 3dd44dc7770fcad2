/*
 * SPDX-License-Identifier: ISC
 *
 * conf.c: the homegw.conf parser, validator and printer.  The only module
 * that knows the file format.  Every key is one row of keys[] (section,
 * name, type, where it lives, default, range), so the parser, the
 * defaults, the canonical printer and the documentation test all follow
 * the same table.  The file is untrusted input: lines and values are
 * bounded, every byte is checked, errors are collected rather than
 * first-only and reported as "file:line: expected X, got "Y"".  Never
 * touches a running config and never logs.
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "conf.h"

#ifndef HGW_WEB_DIR
#define HGW_WEB_DIR	"/usr/local/share/homegw/web"
#endif

#define CONF_LINE_MAX	4096		/* bytes in a line, newline included */
#define CONF_VALUE_MAX	2048		/* bytes in a value */
#define CONF_FILE_MAX	(1024 * 1024)	/* bytes in a file */
#define CONF_ERRORS_MAX	50		/* errors listed; the rest counted */
#define CONF_HOSTS_MAX	1024
#define CONF_FORWARDS_MAX 256
#define CONF_GOT_MAX	64		/* bytes of input quoted in an error */
#define CONF_WHAT_MAX	256

#define NOFIELD		((size_t)-1)
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

enum conf_sec {
	SEC_NONE,			/* before the first header */
	SEC_GATEWAY,
	SEC_LAN,
	SEC_WAN,
	SEC_HOST,
	SEC_DNS,
	SEC_NAT,
	SEC_FORWARD,
	SEC_ARP,
	SEC_WEB,
	SEC_FIREWALL,
	SEC_BLOCKLIST,
	SEC_BAD,			/* an invalid header: skip its keys */
	SEC_MAX
};

/* Section names, in the order conf_print() writes them. */
static const struct {
	const char	*name;
	int		 named;		/* "[host NAME]" */
} sections[SEC_MAX] = {
	[SEC_GATEWAY] = { "gateway", 0 },
	[SEC_LAN] = { "lan", 0 },
	[SEC_WAN] = { "wan", 0 },
	[SEC_HOST] = { "host", 1 },
	[SEC_DNS] = { "dns", 0 },
	[SEC_NAT] = { "nat", 0 },
	[SEC_FORWARD] = { "forward", 1 },
	[SEC_ARP] = { "arp", 0 },
	[SEC_WEB] = { "web", 0 },
	[SEC_FIREWALL] = { "firewall", 0 },
	[SEC_BLOCKLIST] = { "blocklist", 1 },
};

enum conf_type {
	KT_BOOL,	/* int: yes/no/true/false/on/off/1/0 */
	KT_UINT,	/* unsigned int in [min, max] */
	KT_LABEL,	/* char[CONF_NAME_MAX + 1]: one DNS label */
	KT_DOMAIN,	/* char[CONF_DOMAIN_MAX + 1] */
	KT_PATH,	/* char[PATH_MAX]: absolute path */
	KT_USER,	/* char[32]: a user name */
	KT_IFNAME,	/* char[IF_NAMESIZE] */
	KT_PREFIX,	/* in_addr at off, int plen at aux, plen in [min, max] */
	KT_IP4,		/* in_addr */
	KT_MAC,		/* uint8_t[ADDR_MAC_LEN], unicast */
	KT_ENDPOINTS,	/* hgw_endpoint[CONF_LIST_MAX], count at aux,
			   default port in min */
	KT_PREFIXES,	/* hgw_prefix4[CONF_LIST_MAX], count at aux */
	KT_ZONES,	/* hgw_dns_zone[CONF_LIST_MAX], count at aux */
	KT_PROTO,	/* enum conf_proto */
	KT_PORTS,	/* uint16_t first at off, last at aux */
	KT_TO,		/* in_addr at off, uint16_t port at aux (0: wan_port) */
	KT_HASH,	/* char[256]: crypt(3) hash or empty */
	KT_TOKEN,	/* char[CONF_TOKEN_MAX + 1]: a secret, or empty */
	KT_TEXT,	/* char[CONF_HOST_LABEL_MAX + 1]: UTF-8, no controls */
	KT_SERVICES,	/* hgw_service[CONF_LIST_MAX], count at aux;
			   min 1: "all" allowed (CONF_SERVICES_ALL) */
	KT_GROUPS,	/* char[CONF_LIST_MAX][CONF_NAME_MAX + 1], count at aux */
	KT_DOMAINS,	/* char[CONF_LIST_MAX][CONF_DOMAIN_MAX + 1], count at
			   aux: domains, each may start with "*." */
	KT_SOURCE,	/* char[CONF_SOURCE_MAX + 1]: a path or http(s) URL */
	KT_BLOCK_REPLY	/* enum conf_block_reply */
};

#define K_REQUIRED	0x01	/* must be set in its section */
#define K_NONEMPTY	0x02	/* a list that may not be empty */

/* One key of the file: everything the parser and printer need. */
struct conf_key {
	enum conf_sec	 sec;
	const char	*name;
	enum conf_type	 type;
	size_t		 off;	/* field in the section's object */
	size_t		 aux;	/* count, plen or second field */
	size_t		 has;	/* int set to 1 when given, or NOFIELD */
	const char	*def;	/* default as text; NULL: none or computed */
	unsigned long	 min, max;
	int		 flags;
};

#define G(f)	offsetof(struct hgw_conf, f)
#define H(f)	offsetof(struct hgw_host, f)
#define F(f)	offsetof(struct hgw_forward, f)
#define B(f)	offsetof(struct hgw_blocklist, f)
#define NF	NOFIELD
/* Row shapes for the common types. */
#define KBOOL(s, n, f, d)		{ s, n, KT_BOOL, f, NF, NF, d, 0, 0, 0 }
#define KUINT(s, n, f, d, lo, hi)	{ s, n, KT_UINT, f, NF, NF, d, lo, hi, 0 }
#define KSTR(s, n, t, f, d, fl)		{ s, n, t, f, NF, NF, d, 0, 0, fl }

/*
 * The keys.  Adding a key is one line here plus the struct field, the
 * example in etc/homegw.conf and the entry in homegw.conf.5 (a test
 * checks the last two).  Rows of one section are printed in this order.
 */
static const struct conf_key keys[] = {
	KSTR(SEC_GATEWAY, "name", KT_LABEL, G(gateway.name), "gw", 0),
	KSTR(SEC_GATEWAY, "domain", KT_DOMAIN, G(gateway.domain), "home.arpa", 0),
	KSTR(SEC_GATEWAY, "state_dir", KT_PATH, G(gateway.state_dir), "/var/lib/homegw", 0),
	KSTR(SEC_GATEWAY, "run_dir", KT_PATH, G(gateway.run_dir), "/run/homegw", 0),
	KSTR(SEC_GATEWAY, "user", KT_USER, G(gateway.user), "homegw", 0),
	KUINT(SEC_GATEWAY, "retention_days", G(gateway.retention_days), "30", 1, 3650),
	KSTR(SEC_LAN, "interface", KT_IFNAME, G(lan.ifname), NULL, K_REQUIRED),
	{ SEC_LAN, "address", KT_PREFIX, G(lan.addr), G(lan.plen), NF,
	    NULL, 8, 30, K_REQUIRED },
	KSTR(SEC_WAN, "interface", KT_IFNAME, G(wan.ifname), NULL, K_REQUIRED),
	{ SEC_WAN, "address", KT_PREFIX, G(wan.addr), G(wan.plen), G(wan.has_addr),
	    NULL, 1, 32, 0 },
	{ SEC_WAN, "gateway", KT_IP4, G(wan.gateway), NF, G(wan.has_gateway),
	    NULL, 0, 0, 0 },
	KSTR(SEC_HOST, "mac", KT_MAC, H(mac), NULL, K_REQUIRED),
	KSTR(SEC_HOST, "address", KT_IP4, H(addr), NULL, K_REQUIRED),
	KBOOL(SEC_HOST, "pin_arp", H(pin_arp), "no"),
	{ SEC_HOST, "label", KT_TEXT, H(label), NF, H(has_label), NULL, 0, 0, 0 },
	{ SEC_HOST, "groups", KT_GROUPS, H(groups), H(ngroups), NF,
	    "default", 0, 0, 0 },
	KBOOL(SEC_HOST, "block", H(block), "yes"),
	{ SEC_DNS, "listen", KT_ENDPOINTS, G(dns.listen), G(dns.nlisten), NF,
	    NULL, 53, 0, K_NONEMPTY },
	{ SEC_DNS, "upstream", KT_ENDPOINTS, G(dns.upstream), G(dns.nupstream), NF,
	    "", 53, 0, 0 },
	{ SEC_DNS, "conditional", KT_ZONES, G(dns.zones), G(dns.nzones), NF,
	    "", 53, 0, 0 },
	KUINT(SEC_DNS, "cache_size", G(dns.cache_size), "10000", 0, 1000000),
	KUINT(SEC_DNS, "min_ttl", G(dns.min_ttl), "0", 0, 86400),
	KUINT(SEC_DNS, "max_ttl", G(dns.max_ttl), "86400", 1, 604800),
	KUINT(SEC_DNS, "negative_ttl", G(dns.negative_ttl), "3600", 0, 86400),
	KBOOL(SEC_DNS, "serve_stale", G(dns.serve_stale), "yes"),
	KBOOL(SEC_DNS, "prefetch", G(dns.prefetch), "no"),
	KUINT(SEC_DNS, "timeout_ms", G(dns.timeout_ms), "1000", 10, 30000),
	KUINT(SEC_DNS, "deadline_ms", G(dns.deadline_ms), "5000", 100, 60000),
	KUINT(SEC_DNS, "rate_limit", G(dns.rate_limit), "0", 0, 1000000),
	KBOOL(SEC_DNS, "rebind_protection", G(dns.rebind_protection), "yes"),
	KBOOL(SEC_DNS, "query_log", G(dns.query_log), "yes"),
	KUINT(SEC_DNS, "query_log_max", G(dns.query_log_max), "100000", 0, 10000000),
	KUINT(SEC_DNS, "query_log_interval", G(dns.query_log_interval), "600", 10, 86400),
	KUINT(SEC_DNS, "threads", G(dns.threads), "1", 0, 64),
	KSTR(SEC_DNS, "block_reply", KT_BLOCK_REPLY, G(dns.block_reply), "null", 0),
	KUINT(SEC_DNS, "block_ttl", G(dns.block_ttl), "10", 0, 86400),
	{ SEC_DNS, "block_allow", KT_DOMAINS, G(dns.block_allow),
	    G(dns.nblock_allow), NF, "", 0, 0, 0 },
	{ SEC_DNS, "block_deny", KT_DOMAINS, G(dns.block_deny),
	    G(dns.nblock_deny), NF, "", 0, 0, 0 },
	KUINT(SEC_DNS, "block_shrink_max", G(dns.block_shrink_max), "50", 0, 100),
	KBOOL(SEC_NAT, "rules", G(nat.rules), "yes"),
	KBOOL(SEC_NAT, "masquerade", G(nat.masquerade), "yes"),
	KBOOL(SEC_NAT, "flow_offload", G(nat.flow_offload), "yes"),
	KBOOL(SEC_NAT, "hairpin", G(nat.hairpin), "yes"),
	KUINT(SEC_NAT, "max_flows", G(nat.max_flows), "16384", 1, 1048576),
	KUINT(SEC_NAT, "history_interval", G(nat.history_interval), "300", 10, 86400),
	KSTR(SEC_FORWARD, "protocol", KT_PROTO, F(proto), "tcp", 0),
	{ SEC_FORWARD, "wan_port", KT_PORTS, F(wan_port), F(wan_port_end), NF,
	    NULL, 0, 0, K_REQUIRED },
	{ SEC_FORWARD, "to", KT_TO, F(to_addr), F(to_port), NF,
	    NULL, 0, 0, K_REQUIRED },
	{ SEC_ARP, "proxy", KT_PREFIXES, G(arp.proxy), G(arp.nproxy), NF,
	    "", 0, 0, 0 },
	KUINT(SEC_ARP, "max_stations", G(arp.max_stations), "10000", 1, 1000000),
	KUINT(SEC_ARP, "storm_threshold", G(arp.storm_threshold), "30", 0, 100000),
	KBOOL(SEC_ARP, "prime", G(arp.prime), "yes"),
	{ SEC_WEB, "listen", KT_ENDPOINTS, G(web.listen), G(web.nlisten), NF,
	    NULL, 80, 0, K_NONEMPTY },
	KSTR(SEC_WEB, "password_hash", KT_HASH, G(web.password_hash), "", 0),
	KBOOL(SEC_WEB, "open_access", G(web.open_access), "no"),
	KUINT(SEC_WEB, "session_timeout", G(web.session_timeout), "3600", 60, 2592000),
	KUINT(SEC_WEB, "max_clients", G(web.max_clients), "128", 1, 1024),
	KUINT(SEC_WEB, "max_clients_per_ip", G(web.max_clients_per_ip), "8", 1, 1024),
	KSTR(SEC_WEB, "assets_dir", KT_PATH, G(web.assets_dir), HGW_WEB_DIR, 0),
	KBOOL(SEC_WEB, "tls", G(web.tls), "yes"),
	{ SEC_WEB, "http_listen", KT_ENDPOINTS, G(web.http_listen),
	    G(web.nhttp_listen), NF, NULL, 80, 0, 0 },
	KSTR(SEC_WEB, "cert_file", KT_PATH, G(web.cert_file), "", 0),
	KSTR(SEC_WEB, "key_file", KT_PATH, G(web.key_file), "", 0),
	KSTR(SEC_WEB, "metrics_token", KT_TOKEN, G(web.metrics_token), "", 0),
	{ SEC_FIREWALL, "wan_allow", KT_SERVICES, G(firewall.wan_allow),
	    G(firewall.nwan_allow), NF, "", 0, 0, 0 },
	KBOOL(SEC_FIREWALL, "wan_ping", G(firewall.wan_ping), "yes"),
	KUINT(SEC_FIREWALL, "wan_ping_rate", G(firewall.wan_ping_rate), "5", 1, 10000),
	{ SEC_FIREWALL, "lan_allow", KT_SERVICES, G(firewall.lan_allow),
	    G(firewall.nlan_allow), NF, "all", 1, 0, 0 },
	KSTR(SEC_BLOCKLIST, "source", KT_SOURCE, B(source), NULL, K_REQUIRED),
	KBOOL(SEC_BLOCKLIST, "enabled", B(enabled), "yes"),
	{ SEC_BLOCKLIST, "groups", KT_GROUPS, B(groups), B(ngroups), NF,
	    "", 0, 0, 0 },
};

#define NKEYS	nitems(keys)

/* A host or forward with the line of each of its keys, for messages. */
struct conf_host_priv {
	struct hgw_host		 h;	/* first: conf_free() frees &h */
	int			 kline[NKEYS];
};

struct conf_fwd_priv {
	struct hgw_forward	 f;	/* first, as above */
	int			 kline[NKEYS];
};

struct conf_bl_priv {
	struct hgw_blocklist	 b;	/* first, as above */
	int			 kline[NKEYS];
};

struct conf_error {
	int			 line;
	int			 seq;
	char			*text;
};

/* A parse in progress. */
struct parser {
	const char		*name;		/* file name in messages */
	struct hgw_conf		*conf;
	int			 line;
	enum conf_sec		 sec;
	char			 header[CONF_NAME_MAX + 16];	/* "[host nas]" */
	void			*obj;		/* conf, host or forward */
	int			*kline;		/* line of each key of obj */
	int			 gline[NKEYS];	/* for the global sections */
	int			 secline[SEC_MAX];	/* first header line */
	struct conf_error	 errors[CONF_ERRORS_MAX];
	int			 nerrors;
	int			 dropped;
	int			 nomem;
};

/* What went wrong with one value. */
struct conf_why {
	char			 what[CONF_WHAT_MAX];	/* "an IPv4 address" */
	char			 got[CONF_VALUE_MAX];	/* "" = the whole value */
};

static int	 conf_parse_value(const struct conf_key *, void *, const char *,
		    struct conf_why *);

/* Quote untrusted text for a message: escaped and bounded. */
static void
quote(const char *s, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t		 o = 0, n = 0;
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0' && o + 8 < len; p++) {
		if (n++ >= CONF_GOT_MAX) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\') {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[*p >> 4];
			buf[o++] = hex[*p & 0xf];
		} else
			buf[o++] = (char)*p;
	}
	buf[o] = '\0';
}

static char *
conf_strprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* vasprintf() without _GNU_SOURCE. */
static char *
conf_strprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return (NULL);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return (s);
}

/* Record "name:line: expected what, got "got"". */
static void
conf_error(struct parser *p, int line, const char *what, const char *got)
{
	char	 q[CONF_GOT_MAX * 4 + 16];
	char	*text;

	if (p->nerrors >= CONF_ERRORS_MAX) {
		p->dropped++;
		return;
	}
	quote(got, q, sizeof(q));
	if ((text = conf_strprintf("%s:%d: expected %s, got \"%s\"", p->name,
	    line, what, q)) == NULL) {
		p->nomem = 1;
		return;
	}
	p->errors[p->nerrors].line = line;
	p->errors[p->nerrors].seq = p->nerrors;
	p->errors[p->nerrors].text = text;
	p->nerrors++;
}

static void
conf_errorf(struct parser *p, int line, const char *got, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
conf_errorf(struct parser *p, int line, const char *got, const char *fmt, ...)
{
	char	 what[CONF_WHAT_MAX * 2];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	conf_error(p, line, what, got);
}

static int
is_space(int c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v');
}

/* Strip leading and trailing white space in place. */
static char *
trim(char *s)
{
	char	*e;

	while (is_space((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && is_space((unsigned char)e[-1]))
		*--e = '\0';
	return (s);
}

static int
why(struct conf_why *w, const char *got, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fill in why a value was refused; returns -1 for "return (why(...))". */
static int
why(struct conf_why *w, const char *got, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(w->what, sizeof(w->what), fmt, ap);
	va_end(ap);
	if (got != NULL)
		snprintf(w->got, sizeof(w->got), "%s", got);
	else
		w->got[0] = '\0';
	return (-1);
}

/* A DNS label: letters, digits and '-', not at either end, 1..63. */
static int
valid_label(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > CONF_NAME_MAX || s[0] == '-' || s[len - 1] == '-')
		return (0);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return (0);
	}
	return (1);
}

/* A domain name of labels, one trailing dot allowed; lower-cased copy. */
static int
parse_domain(const char *s, char *out, size_t outlen)
{
	char	 buf[CONF_DOMAIN_MAX + 2];
	size_t	 len = strlen(s), i, start;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > CONF_DOMAIN_MAX || len >= outlen)
		return (-1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (i = 0, start = 0; i <= len; i++) {
		if (i == len || buf[i] == '.') {
			if (!valid_label(buf + start, i - start))
				return (-1);
			start = i + 1;
		} else if (buf[i] >= 'A' && buf[i] <= 'Z')
			buf[i] = (char)(buf[i] - 'A' + 'a');
	}
	memcpy(out, buf, len + 1);
	return (0);
}

/* One DNS label, lower-cased into out (CONF_NAME_MAX + 1). */
static int
parse_label(const char *s, char *out)
{
	size_t	 len = strlen(s), i;

	if (!valid_label(s, len))
		return (-1);
	for (i = 0; i < len; i++)
		out[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ?
		    s[i] - 'A' + 'a' : s[i]);
	out[len] = '\0';
	return (0);
}

static int
parse_uint(const char *s, unsigned long min, unsigned long max,
    unsigned long *ret)
{
	unsigned long	 v = 0;
	size_t		 i, len = strlen(s);

	if (len == 0 || len > 10)
		return (-1);
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < min || v > max)
		return (-1);
	*ret = v;
	return (0);
}

static int
parse_bool(const char *s, int *ret)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t	 i;

	for (i = 0; i < nitems(yes); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*ret = 1;
			return (0);
		}
		if (strcmp(s, no[i]) == 0) {
			*ret = 0;
			return (0);
		}
	}
	return (-1);
}

/*
 * Split a comma-separated list in place into at most CONF_LIST_MAX
 * trimmed items.  An empty value is an empty list; an empty item is an
 * error.  Returns the count or -1.
 */
static int
split_list(char *s, char *items[CONF_LIST_MAX], struct conf_why *w,
    const char *key)
{
	char	*p, *comma;
	int	 n = 0;

	if (*trim(s) == '\0')
		return (0);
	for (p = s;; p = comma + 1) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma = '\0';
		if (n == CONF_LIST_MAX)
			return (why(w, NULL, "at most %d comma-separated "
			    "entries after \"%s\"", CONF_LIST_MAX, key));
		items[n] = trim(p);
		if (*items[n] == '\0')
			return (why(w, NULL, "a comma-separated list without "
			    "empty entries after \"%s\"", key));
		n++;
		if (comma == NULL)
			break;
	}
	return (n);
}

static int
same_endpoint(const struct hgw_endpoint *a, const struct hgw_endpoint *b)
{
	return (a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0);
}

static int
parse_endpoints(const struct conf_key *k, void *obj, char *val,
    struct conf_why *w)
{
	struct hgw_endpoint	 eps[CONF_LIST_MAX];
	char			*items[CONF_LIST_MAX] = { NULL };
	int			 n, i, j;

	if ((n = split_list(val, items, w, k->name)) < 0)
		return (-1);
	if (n == 0 && (k->flags & K_NONEMPTY))
		return (why(w, NULL, "at least one address after \"%s\"",
		    k->name));
	memset(eps, 0, sizeof(eps));
	for (i = 0; i < n; i++) {
		if (addr_parse_endpoint(items[i], (uint16_t)k->min,
		    &eps[i]) < 0)
			return (why(w, items[i], "an IP address with an "
			    "optional :port after \"%s\"", k->name));
		for (j = 0; j < i; j++)
			if (same_endpoint(&eps[i], &eps[j]))
				return (why(w, items[i], "each address once "
				    "after \"%s\"", k->name));
	}
	memcpy((char *)obj + k->off, eps, sizeof(eps));
	*(unsigned int *)(void *)((char *)obj + k->aux) = (unsigned int)n;
	return (0);
}

static int
parse_prefixes(const struct conf_key *k, void *obj, char *val,
    struct conf_why *w)
{
	struct hgw_prefix4	 pfx[CONF_LIST_MAX];
	char			*items[CONF_LIST_MAX] = { NULL };
	int			 n, i;

	if ((n = split_list(val, items, w, k->name)) < 0)
		return (-1);
	memset(pfx, 0, sizeof(pfx));
	for (i = 0; i < n; i++) {
		if (addr_parse_prefix4(items[i], &pfx[i].addr,
		    &pfx[i].plen) < 0) {
			if (addr_parse_ip4(items[i], &pfx[i].addr) < 0)
				return (why(w, items[i], "an IPv4 address or "
				    "prefix (a.b.c.d/n) after \"%s\"",
				    k->name));
			pfx[i].plen = 32;
		}
	}
	memcpy((char *)obj + k->off, pfx, sizeof(pfx));
	*(unsigned int *)(void *)((char *)obj + k->aux) = (unsigned int)n;
	return (0);
}

static int
parse_zones(const struct conf_key *k, void *obj, char *val,
    struct conf_why *w)
{
	struct hgw_dns_zone	 z[CONF_LIST_MAX];
	char			*items[CONF_LIST_MAX] = { NULL }, *eq;
	int			 n, i, j;

	if ((n = split_list(val, items, w, k->name)) < 0)
		return (-1);
	memset(z, 0, sizeof(z));
	for (i = 0; i < n; i++) {
		if ((eq = strchr(items[i], '=')) == NULL)
			return (why(w, items[i], "domain=address[:port] "
			    "after \"%s\"", k->name));
		*eq = '\0';
		if (parse_domain(trim(items[i]), z[i].domain,
		    sizeof(z[i].domain)) < 0)
			return (why(w, items[i], "a domain name before \"=\" "
			    "after \"%s\"", k->name));
		if (addr_parse_endpoint(trim(eq + 1), (uint16_t)k->min,
		    &z[i].upstream) < 0)
			return (why(w, trim(eq + 1), "an IP address with an "
			    "optional :port after \"%s=\"", z[i].domain));
		for (j = 0; j < i; j++)
			if (strcmp(z[i].domain, z[j].domain) == 0)
				return (why(w, z[i].domain, "each domain once "
				    "after \"%s\"", k->name));
	}
	memcpy((char *)obj + k->off, z, sizeof(z));
	*(unsigned int *)(void *)((char *)obj + k->aux) = (unsigned int)n;
	return (0);
}

static int	 parse_ports(const char *, uint16_t *, uint16_t *);

/*
 * "tcp/22, udp/51820, tcp/8000-8010", or "all" where the key allows it.
 * A port twice (ranges included) is refused: nft refuses overlapping
 * elements in one set, and it is a typo more often than not.
 */
static int
parse_services(const struct conf_key *k, void *obj, char *val,
    struct conf_why *w)
{
	struct hgw_service	 sv[CONF_LIST_MAX];
	char			*items[CONF_LIST_MAX] = { NULL };
	char			*slash;
	int			 n, i, j;

	if (k->min && strcmp(trim(val), "all") == 0) {
		*(unsigned int *)(void *)((char *)obj + k->aux) =
		    CONF_SERVICES_ALL;
		return (0);
	}
	if ((n = split_list(val, items, w, k->name)) < 0)
		return (-1);
	memset(sv, 0, sizeof(sv));
	for (i = 0; i < n; i++) {
		if ((slash = strchr(items[i], '/')) == NULL)
			goto bad;
		*slash = '\0';
		if (strcmp(trim(items[i]), "tcp") == 0)
			sv[i].proto = CONF_PROTO_TCP;
		else if (strcmp(trim(items[i]), "udp") == 0)
			sv[i].proto = CONF_PROTO_UDP;
		else {
			*slash = '/';
			goto bad;
		}
		if (parse_ports(trim(slash + 1), &sv[i].first,
		    &sv[i].last) < 0) {
			*slash = '/';
			goto bad;
		}
		for (j = 0; j < i; j++)
			if (sv[j].proto == sv[i].proto &&
			    sv[j].first <= sv[i].last &&
			    sv[i].first <= sv[j].last) {
				*slash = '/';
				return (why(w, items[i], "each port once after "
				    "\"%s\"", k->name));
			}
	}
	memcpy((char *)obj + k->off, sv, sizeof(sv));
	*(unsigned int *)(void *)((char *)obj + k->aux) = (unsigned int)n;
	return (0);
bad:
	return (why(w, items[i], "tcp/PORT or udp/PORT (a port or a range "
	    "N-M)%s after \"%s\"", k->min ? ", or all," : "", k->name));
}

/* "N" or "N-M" with N <= M. */
static int
parse_ports(const char *s, uint16_t *first, uint16_t *last)
{
	char	 buf[16];
	char	*dash;
	uint16_t a, b;

	if (strlen(s) >= sizeof(buf))
		return (-1);
	strcpy(buf, s);
	if ((dash = strchr(buf, '-')) != NULL)
		*dash++ = '\0';
	if (addr_parse_port(trim(buf), &a) < 0)
		return (-1);
	b = a;
	if (dash != NULL && (addr_parse_port(trim(dash), &b) < 0 || b < a))
		return (-1);
	*first = a;
	*last = b;
	return (0);
}

/* "a.b.c.d" or "a.b.c.d:port"; port 0 when none is given. */
static int
parse_to(const char *s, struct in_addr *addr, uint16_t *port)
{
	char		 buf[INET_ADDRSTRLEN + 8];
	char		*colon;
	struct in_addr	 a;
	uint16_t	 p = 0;

	if (strlen(s) >= sizeof(buf))
		return (-1);
	strcpy(buf, s);
	if ((colon = strchr(buf, ':')) != NULL) {
		*colon++ = '\0';
		if (addr_parse_port(colon, &p) < 0)
			return (-1);
	}
	if (addr_parse_ip4(buf, &a) < 0)
		return (-1);
	*addr = a;
	*port = p;
	return (0);
}

/* A user name as useradd(8) takes it: [a-z_][a-z0-9_-]*, at most 31. */
static int
valid_user(const char *s)
{
	size_t	 i, len = strlen(s);

	if (len == 0 || len > 31 || !((s[0] >= 'a' && s[0] <= 'z') ||
	    s[0] == '_'))
		return (0);
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return (0);
	return (1);
}

/* An interface name as the kernel takes it (dev_valid_name()). */
static int
valid_ifname(const char *s)
{
	size_t	 i, len = strlen(s);

	if (len == 0 || len >= IF_NAMESIZE || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return (0);
	for (i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' || is_space((unsigned char)s[i]) ||
		    (unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return (0);
	return (1);
}

/* A crypt(3) hash: "$id$...", printable, no spaces; or empty. */
static int
valid_hash(const char *s, size_t max)
{
	size_t	 i, len = strlen(s);

	if (len == 0)
		return (1);
	if (len >= max || s[0] != '$')
		return (0);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return (0);
	return (1);
}

/* A bearer token: 16 to CONF_TOKEN_MAX printable characters, or empty. */
static int
valid_token(const char *s)
{
	size_t	 i, len = strlen(s);

	if (len == 0)
		return (1);
	if (len < 16 || len > CONF_TOKEN_MAX)
		return (0);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return (0);
	return (1);
}

#define STR_(x)	#x
#define STR(x)	STR_(x)

/*
 * A friendly name: well-formed UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF), no C0 or C1 control characters and no DEL,
 * 1 to CONF_HOST_LABEL_MAX bytes.  0, or -1 bad UTF-8, -2 a control
 * character, -3 empty or too long.
 */
static int
text_check(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 n, i, len = strlen(s);

	if (len == 0 || len > CONF_HOST_LABEL_MAX)
		return (-3);
	while (*p != '\0') {
		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f)
				return (-2);
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else
			return (-1);
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return (-1);
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (-1);
		if (cp >= 0x80 && cp <= 0x9f)
			return (-2);
		p += n + 1;
	}
	return (0);
}

/* "kids, guests": client group names, each a DNS label, each once. */
static int
parse_groups(const struct conf_key *k, void *obj, char *val,
    struct conf_why *w)
{
	char	 g[CONF_LIST_MAX][CONF_NAME_MAX + 1];
	char	*items[CONF_LIST_MAX] = { NULL };
	int	 n, i, j;

	if ((n = split_list(val, items, w, k->name)) < 0)
		return (-1);
	memset(g, 0, sizeof(g));
	for (i = 0; i < n; i++) {
		if (parse_label(items[i], g[i]) < 0)
			return (why(w, items[i], "a group name (a DNS label: "
			    "letters, digits, '-') after \"%s\"", k->name));
		for (j = 0; j < i; j++)
			if (strcmp(g[i], g[j]) == 0)
				return (why(w, items[i], "each group once "
				    "after \"%s\"", k->name));
	}
	memcpy((char *)obj + k->off, g, sizeof(g));
	*(unsigned int *)(void *)((char *)obj + k->aux) = (unsigned int)n;
	return (0);
}

/* "ads.example, *.tracker.example": domains, lower-cased, each once. */
static int
parse_domains(const struct conf_key *k, void *obj, char *val,
    struct conf_why *w)
{
	char	 d[CONF_LIST_MAX][CONF_DOMAIN_MAX + 1];
	char	*items[CONF_LIST_MAX] = { NULL };
	int	 n, i, j, wild;

	if ((n = split_list(val, items, w, k->name)) < 0)
		return (-1);
	memset(d, 0, sizeof(d));
	for (i = 0; i < n; i++) {
		wild = strncmp(items[i], "*.", 2) == 0;
		if (wild)
			memcpy(d[i], "*.", 2);
		if (parse_domain(items[i] + (wild ? 2 : 0), d[i] +
		    (wild ? 2 : 0), sizeof(d[i]) - (wild ? 2 : 0)) < 0)
			return (why(w, items[i], "a domain name, or *. and a "
			    "domain name, after \"%s\"", k->name));
		for (j = 0; j < i; j++)
			if (strcmp(d[i], d[j]) == 0)
				return (why(w, items[i], "each domain once "
				    "after \"%s\"", k->name));
	}
	memcpy((char *)obj + k->off, d, sizeof(d));
	*(unsigned int *)(void *)((char *)obj + k->aux) = (unsigned int)n;
	return (0);
}

/* Is s an http:// or https:// URL? */
int
conf_source_is_url(const char *s)
{
	return (strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0);
}

/*
 * A blocklist's source: an absolute path, or an http(s) URL with a host
 * and no white space or control characters (it goes into a request).
 */
static int
valid_source(const char *s)
{
	const char	*host;
	size_t		 i, len = strlen(s);

	if (len == 0 || len > CONF_SOURCE_MAX)
		return (0);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return (0);
	if (s[0] == '/')
		return (len < PATH_MAX - 32);
	if (!conf_source_is_url(s))
		return (0);
	host = strstr(s, "://") + 3;
	return (*host != '\0' && *host != '/' && *host != '?' &&
	    *host != '#');
}

/*
 * Parse val for key k into obj (the conf, a host or a forward).  The
 * field is written only on success; on failure w says what was expected.
 */
static int
conf_parse_value(const struct conf_key *k, void *obj, const char *val,
    struct conf_why *w)
{
	char		 buf[CONF_VALUE_MAX + 1];
	char		*field = (char *)obj + k->off;
	unsigned long	 ul;
	int		 b, plen;
	struct in_addr	 a;
	uint8_t		 mac[ADDR_MAC_LEN];
	uint16_t	 p1, p2;

	if (strlen(val) > CONF_VALUE_MAX)
		return (why(w, NULL, "a value of at most %d characters after "
		    "\"%s\"", CONF_VALUE_MAX, k->name));
	strcpy(buf, val);

	switch (k->type) {
	case KT_BOOL:
		if (parse_bool(val, &b) < 0)
			return (why(w, NULL, "yes or no after \"%s\"", k->name));
		*(int *)(void *)field = b;
		break;
	case KT_UINT:
		if (parse_uint(val, k->min, k->max, &ul) < 0)
			return (why(w, NULL, "a number from %lu to %lu after "
			    "\"%s\"", k->min, k->max, k->name));
		*(unsigned int *)(void *)field = (unsigned int)ul;
		break;
	case KT_LABEL:
		if (parse_label(val, buf) < 0)
			return (why(w, NULL, "a host name (a DNS label: "
			    "letters, digits, '-') after \"%s\"", k->name));
		strcpy(field, buf);
		break;
	case KT_DOMAIN:
		if (parse_domain(val, buf, CONF_DOMAIN_MAX + 1) < 0)
			return (why(w, NULL, "a domain name after \"%s\"",
			    k->name));
		strcpy(field, buf);
		break;
	case KT_PATH:
		/* An optional path ("" by default) may be left empty. */
		if (val[0] == '\0' && k->def != NULL && k->def[0] == '\0') {
			field[0] = '\0';
			break;
		}
		if (val[0] != '/' || strlen(val) >= PATH_MAX - 32)
			return (why(w, NULL, "an absolute path after \"%s\"",
			    k->name));
		strcpy(field, val);
		break;
	case KT_USER:
		if (!valid_user(val))
			return (why(w, NULL, "a user name after \"%s\"",
			    k->name));
		strcpy(field, val);
		break;
	case KT_IFNAME:
		if (!valid_ifname(val))
			return (why(w, NULL, "an interface name (at most %d "
			    "characters) after \"%s\"", IF_NAMESIZE - 1,
			    k->name));
		strcpy(field, val);
		break;
	case KT_PREFIX:
		if (addr_parse_prefix4(val, &a, &plen) < 0)
			return (why(w, NULL, "an IPv4 address with a prefix "
			    "length (a.b.c.d/n) after \"%s\"", k->name));
		if ((unsigned long)plen < k->min || (unsigned long)plen > k->max)
			return (why(w, NULL, "a prefix length from /%lu to "
			    "/%lu after \"%s\"", k->min, k->max, k->name));
		*(struct in_addr *)(void *)field = a;
		*(int *)(void *)((char *)obj + k->aux) = plen;
		break;
	case KT_IP4:
		if (addr_parse_ip4(val, &a) < 0)
			return (why(w, NULL, "an IPv4 address after \"%s\"",
			    k->name));
		*(struct in_addr *)(void *)field = a;
		break;
	case KT_MAC:
		if (addr_parse_mac(val, mac) < 0)
			return (why(w, NULL, "a MAC address (aa:bb:cc:dd:ee:ff) "
			    "after \"%s\"", k->name));
		if (addr_mac_is_special(mac))
			return (why(w, NULL, "a unicast MAC address after "
			    "\"%s\"", k->name));
		memcpy(field, mac, ADDR_MAC_LEN);
		break;
	case KT_ENDPOINTS:
		return (parse_endpoints(k, obj, buf, w));
	case KT_PREFIXES:
		return (parse_prefixes(k, obj, buf, w));
	case KT_SERVICES:
		return (parse_services(k, obj, buf, w));
	case KT_ZONES:
		return (parse_zones(k, obj, buf, w));
	case KT_PROTO:
		if (strcmp(val, "tcp") == 0)
			*(enum conf_proto *)(void *)field = CONF_PROTO_TCP;
		else if (strcmp(val, "udp") == 0)
			*(enum conf_proto *)(void *)field = CONF_PROTO_UDP;
		else if (strcmp(val, "both") == 0)
			*(enum conf_proto *)(void *)field = CONF_PROTO_BOTH;
		else
			return (why(w, NULL, "tcp, udp or both after \"%s\"",
			    k->name));
		break;
	case KT_PORTS:
		if (parse_ports(val, &p1, &p2) < 0)
			return (why(w, NULL, "a port or a range N-M (1 to "
			    "65535) after \"%s\"", k->name));
		*(uint16_t *)(void *)field = p1;
		*(uint16_t *)(void *)((char *)obj + k->aux) = p2;
		break;
	case KT_TO:
		if (parse_to(val, &a, &p1) < 0)
			return (why(w, NULL, "an IPv4 address with an optional "
			    ":port after \"%s\"", k->name));
		*(struct in_addr *)(void *)field = a;
		*(uint16_t *)(void *)((char *)obj + k->aux) = p1;
		break;
	case KT_HASH:
		if (!valid_hash(val, sizeof(((struct hgw_conf *)NULL)->
		    web.password_hash)))
			return (why(w, NULL, "a crypt(3) hash starting with "
			    "\"$\" after \"%s\"", k->name));
		strcpy(field, val);
		break;
	case KT_TEXT:
		if ((b = text_check(val)) < 0)
			return (why(w, NULL, "%s after \"%s\"", b == -1 ?
			    "text in UTF-8" : b == -2 ? "text without control "
			    "characters" : "text of 1 to "
			    STR(CONF_HOST_LABEL_MAX) " bytes", k->name));
		strcpy(field, val);
		break;
	case KT_TOKEN:
		if (!valid_token(val))
			return (why(w, NULL, "16 to %d printable characters "
			    "without spaces after \"%s\"", CONF_TOKEN_MAX,
			    k->name));
		strcpy(field, val);
		break;
	case KT_GROUPS:
		return (parse_groups(k, obj, buf, w));
	case KT_DOMAINS:
		return (parse_domains(k, obj, buf, w));
	case KT_SOURCE:
		if (!valid_source(val))
			return (why(w, NULL, "an absolute path or an http:// "
			    "or https:// URL (at most %d characters, no "
			    "spaces) after \"%s\"", CONF_SOURCE_MAX, k->name));
		strcpy(field, val);
		break;
	case KT_BLOCK_REPLY:
		if (strcmp(val, "null") == 0)
			*(enum conf_block_reply *)(void *)field =
			    CONF_BLOCK_NULL;
		else if (strcmp(val, "nxdomain") == 0)
			*(enum conf_block_reply *)(void *)field =
			    CONF_BLOCK_NXDOMAIN;
		else if (strcmp(val, "nodata") == 0)
			*(enum conf_block_reply *)(void *)field =
			    CONF_BLOCK_NODATA;
		else
			return (why(w, NULL, "null, nxdomain or nodata after "
			    "\"%s\"", k->name));
		break;
	}
	if (k->has != NOFIELD)
		*(int *)(void *)((char *)obj + k->has) = 1;
	return (0);
}

/* Set every default of one section into obj. */
static void
conf_set_defaults(enum conf_sec sec, void *obj)
{
	struct conf_why	 w;
	size_t		 i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].sec == sec && keys[i].def != NULL)
			(void)conf_parse_value(&keys[i], obj, keys[i].def, &w);
}

static void
conf_set_all_defaults(struct hgw_conf *c)
{
	int	 s;

	for (s = SEC_GATEWAY; s < SEC_BAD; s++)
		if (!sections[s].named)
			conf_set_defaults((enum conf_sec)s, c);
}

static struct hgw_conf *
conf_alloc(void)
{
	struct hgw_conf	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	TAILQ_INIT(&c->hosts);
	TAILQ_INIT(&c->forwards);
	TAILQ_INIT(&c->blocklists);
	conf_set_all_defaults(c);
	return (c);
}

/* The list of keys of a section, for "expected a key of [lan] (...)". */
static void
key_names(enum conf_sec sec, char *buf, size_t len)
{
	size_t	 i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].sec != sec)
			continue;
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s",
		    o ? ", " : "", keys[i].name);
		if (o >= len)
			break;
	}
}

static void
section_names(char *buf, size_t len)
{
	size_t	 o = 0;
	int	 s;

	buf[0] = '\0';
	for (s = SEC_GATEWAY; s < SEC_BAD && o < len; s++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s%s",
		    o ? ", " : "", sections[s].name,
		    sections[s].named ? " NAME" : "");
}

/* Start a "[blocklist NAME]" section. */
static void
begin_blocklist(struct parser *p, const char *rawname)
{
	struct hgw_conf		*c = p->conf;
	struct conf_bl_priv	*bp;
	struct hgw_blocklist	*b;
	char			 name[CONF_NAME_MAX + 1];

	p->sec = SEC_BAD;
	if (parse_label(rawname, name) < 0) {
		conf_errorf(p, p->line, rawname, "a blocklist name (a DNS "
		    "label: letters, digits, '-') after \"[blocklist\"");
		return;
	}
	/* "own" names the owner's entries in the query log and counters. */
	if (strcmp(name, "own") == 0) {
		conf_errorf(p, p->line, rawname, "a blocklist name other than "
		    "\"own\" (the owner's own entries)");
		return;
	}
	TAILQ_FOREACH(b, &c->blocklists, entry) {
		if (strcmp(b->name, name) == 0) {
			conf_errorf(p, p->line, rawname, "a blocklist name "
			    "not used before (line %d)", b->line);
			return;
		}
	}
	if (c->nblocklists >= CONF_BLOCKLISTS_MAX) {
		conf_errorf(p, p->line, rawname, "at most %d [blocklist] "
		    "sections", CONF_BLOCKLISTS_MAX);
		return;
	}
	if ((bp = calloc(1, sizeof(*bp))) == NULL) {
		p->nomem = 1;
		return;
	}
	conf_set_defaults(SEC_BLOCKLIST, &bp->b);
	strcpy(bp->b.name, name);
	bp->b.line = p->line;
	TAILQ_INSERT_TAIL(&c->blocklists, &bp->b, entry);
	c->nblocklists++;
	p->obj = &bp->b;
	p->kline = bp->kline;
	snprintf(p->header, sizeof(p->header), "[blocklist %s]", name);
	p->sec = SEC_BLOCKLIST;
}

/* Start a "[host NAME]" or "[forward NAME]" section. */
static void
begin_named(struct parser *p, enum conf_sec sec, const char *rawname)
{
	struct hgw_conf		*c = p->conf;
	struct conf_host_priv	*hp;
	struct conf_fwd_priv	*fp;
	struct hgw_host		*h;
	struct hgw_forward	*f;
	char			 name[CONF_NAME_MAX + 1];

	if (sec == SEC_BLOCKLIST) {
		begin_blocklist(p, rawname);
		return;
	}

	p->sec = SEC_BAD;
	if (parse_label(rawname, name) < 0) {
		conf_errorf(p, p->line, rawname, "a %s name (a DNS label: "
		    "letters, digits, '-') after \"[%s\"", sections[sec].name,
		    sections[sec].name);
		return;
	}
	if (sec == SEC_HOST) {
		TAILQ_FOREACH(h, &c->hosts, entry) {
			if (strcmp(h->name, name) == 0) {
				conf_errorf(p, p->line, rawname, "a host name "
				    "not used before (line %d)", h->line);
				return;
			}
		}
		if (c->nhosts >= CONF_HOSTS_MAX) {
			conf_errorf(p, p->line, rawname, "at most %d [host] "
			    "sections", CONF_HOSTS_MAX);
			return;
		}
		if ((hp = calloc(1, sizeof(*hp))) == NULL) {
			p->nomem = 1;
			return;
		}
		conf_set_defaults(SEC_HOST, &hp->h);
		strcpy(hp->h.name, name);
		hp->h.line = p->line;
		TAILQ_INSERT_TAIL(&c->hosts, &hp->h, entry);
		c->nhosts++;
		p->obj = &hp->h;
		p->kline = hp->kline;
	} else {
		TAILQ_FOREACH(f, &c->forwards, entry) {
			if (strcmp(f->name, name) == 0) {
				conf_errorf(p, p->line, rawname, "a forward "
				    "name not used before (line %d)", f->line);
				return;
			}
		}
		if (c->nforwards >= CONF_FORWARDS_MAX) {
			conf_errorf(p, p->line, rawname, "at most %d [forward] "
			    "sections", CONF_FORWARDS_MAX);
			return;
		}
		if ((fp = calloc(1, sizeof(*fp))) == NULL) {
			p->nomem = 1;
			return;
		}
		conf_set_defaults(SEC_FORWARD, &fp->f);
		strcpy(fp->f.name, name);
		fp->f.line = p->line;
		TAILQ_INSERT_TAIL(&c->forwards, &fp->f, entry);
		c->nforwards++;
		p->obj = &fp->f;
		p->kline = fp->kline;
	}
	snprintf(p->header, sizeof(p->header), "[%s %s]", sections[sec].name,
	    name);
	p->sec = sec;
}

/* A "[section]" or "[section name]" line. */
static void
parse_header(struct parser *p, char *s)
{
	char	 list[256];
	char	*inner, *word, *name, *end;
	size_t	 len = strlen(s);
	int	 sec;

	p->sec = SEC_BAD;
	if (len < 2 || s[len - 1] != ']') {
		conf_error(p, p->line, "\"[section]\" or \"[section name]\"", s);
		return;
	}
	s[len - 1] = '\0';
	inner = trim(s + 1);
	word = inner;
	for (end = word; *end != '\0' && !is_space((unsigned char)*end); end++)
		;
	name = NULL;
	if (*end != '\0') {
		*end = '\0';
		name = trim(end + 1);
	}
	for (sec = SEC_GATEWAY; sec < SEC_BAD; sec++)
		if (strcmp(word, sections[sec].name) == 0)
			break;
	if (sec == SEC_BAD) {
		section_names(list, sizeof(list));
		conf_errorf(p, p->line, word, "a section name (%s)", list);
		return;
	}
	if (sections[sec].named) {
		if (name == NULL || *name == '\0') {
			conf_errorf(p, p->line, word, "a name after \"[%s\"",
			    word);
			return;
		}
		if (p->secline[sec] == 0)
			p->secline[sec] = p->line;
		begin_named(p, (enum conf_sec)sec, name);
		return;
	}
	if (name != NULL && *name != '\0') {
		conf_errorf(p, p->line, name, "no name after \"[%s\"", word);
		return;
	}
	if (p->secline[sec] != 0) {
		conf_errorf(p, p->line, word, "one [%s] section (the first "
		    "is on line %d)", word, p->secline[sec]);
		return;
	}
	p->secline[sec] = p->line;
	p->sec = (enum conf_sec)sec;
	p->obj = p->conf;
	p->kline = p->gline;
	snprintf(p->header, sizeof(p->header), "[%s]", word);
}

/* A "key = value" line. */
static void
parse_keyvalue(struct parser *p, char *s)
{
	char		 list[512];
	struct conf_why	 w;
	char		*eq, *key, *val;
	const unsigned char *u;
	size_t		 i;

	if ((eq = strchr(s, '=')) == NULL) {
		conf_error(p, p->line, "\"key = value\" or \"[section]\"", s);
		return;
	}
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (*key == '\0') {
		conf_error(p, p->line, "a key before \"=\"", val);
		return;
	}
	if (p->sec == SEC_BAD)
		return;		/* the header was reported already */
	if (p->sec == SEC_NONE) {
		conf_error(p, p->line, "a [section] header before the first "
		    "key", key);
		return;
	}
	for (i = 0; i < NKEYS; i++)
		if (keys[i].sec == p->sec && strcmp(keys[i].name, key) == 0)
			break;
	if (i == NKEYS) {
		key_names(p->sec, list, sizeof(list));
		conf_errorf(p, p->line, key, "a key of [%s] (%s)",
		    sections[p->sec].name, list);
		return;
	}
	if (p->kline[i] != 0) {
		conf_errorf(p, p->line, val, "\"%s\" only once in %s (it is "
		    "set on line %d)", key, p->header, abs(p->kline[i]));
		return;
	}
	/* The line of a key, negative when its value was refused. */
	p->kline[i] = -p->line;
	for (u = (const unsigned char *)val; *u != '\0'; u++) {
		if (*u < 0x20 && *u != '\t') {
			conf_errorf(p, p->line, val, "printable text after "
			    "\"%s\"", key);
			return;
		}
	}
	if (conf_parse_value(&keys[i], p->obj, val, &w) < 0)
		conf_error(p, p->line, w.what, w.got[0] != '\0' ? w.got : val);
	else
		p->kline[i] = p->line;
}

/* One line, NUL-terminated, newline removed. */
static void
parse_line(struct parser *p, char *line)
{
	char	*s, *c;

	/*
	 * '#' or ';' starts a comment at the start, after white space, or
	 * right after the '=': "key=#x" must not keep "#x" as a value,
	 * since conf_print() writes "key = #x", which reads back as empty.
	 */
	for (c = line; *c != '\0'; c++) {
		if ((*c == '#' || *c == ';') &&
		    (c == line || is_space((unsigned char)c[-1]) ||
		    c[-1] == '=')) {
			*c = '\0';
			break;
		}
	}
	s = trim(line);
	if (*s == '\0')
		return;
	if (*s == '[')
		parse_header(p, s);
	else
		parse_keyvalue(p, s);
}

static int
key_index(enum conf_sec sec, const char *name)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].sec == sec && strcmp(keys[i].name, name) == 0)
			return ((int)i);
	return (-1);		/* not reached for names in keys[] */
}

/* Report required keys missing from one section instance. */
static void
check_required(struct parser *p, enum conf_sec sec, const int *kline,
    int hline, const char *header)
{
	char	 what[CONF_NAME_MAX + 64];
	size_t	 i;

	for (i = 0; i < NKEYS; i++) {
		if (keys[i].sec != sec || !(keys[i].flags & K_REQUIRED) ||
		    kline[i] != 0)
			continue;
		snprintf(what, sizeof(what), "key \"%s\" in %s", keys[i].name,
		    header);
		conf_error(p, hline, what, "");
	}
}

static int
kline_of(const int *kline, enum conf_sec sec, const char *name, int dflt)
{
	int	 i = key_index(sec, name);

	return (i >= 0 && kline[i] > 0 ? kline[i] : dflt);
}

/* Is a one of the LAN's own addresses (network, broadcast, gateway)? */
static int
lan_reserved(const struct hgw_conf *c, struct in_addr a)
{
	uint32_t m = addr_mask4(c->lan.plen);

	return (a.s_addr == c->lan.addr.s_addr ||
	    a.s_addr == (c->lan.addr.s_addr & m) ||
	    a.s_addr == (c->lan.addr.s_addr | ~m));
}

static void
lan_net(const struct hgw_conf *c, char *buf, size_t len)
{
	char		 a[INET_ADDRSTRLEN];
	struct in_addr	 net;

	net.s_addr = c->lan.addr.s_addr & addr_mask4(c->lan.plen);
	snprintf(buf, len, "%s/%d", addr_fmt_ip4(net, a), c->lan.plen);
}

static void
check_hosts(struct parser *p, int lan_ok)
{
	struct hgw_conf		*c = p->conf;
	struct hgw_host		*h, *o;
	struct conf_host_priv	*hp, *op;
	char			 net[32], a[INET_ADDRSTRLEN];
	char			 m[ADDR_MAC_STRLEN];
	char			 hdr[CONF_NAME_MAX + 16];
	int			 ai = key_index(SEC_HOST, "address");
	int			 mi = key_index(SEC_HOST, "mac");

	lan_net(c, net, sizeof(net));
	TAILQ_FOREACH(h, &c->hosts, entry) {
		hp = (struct conf_host_priv *)(void *)h;
		snprintf(hdr, sizeof(hdr), "[host %s]", h->name);
		check_required(p, SEC_HOST, hp->kline, h->line, hdr);
		if (strcmp(h->name, c->gateway.name) == 0)
			conf_errorf(p, h->line, h->name, "a host name other "
			    "than the gateway's own name");
		if (hp->kline[ai] > 0 && lan_ok) {
			addr_fmt_ip4(h->addr, a);
			if (!addr_in_prefix4(h->addr, c->lan.addr, c->lan.plen))
				conf_errorf(p, hp->kline[ai], a, "an address "
				    "inside the LAN %s after \"address\"", net);
			else if (lan_reserved(c, h->addr))
				conf_errorf(p, hp->kline[ai], a, "a host "
				    "address, not the LAN's network, broadcast "
				    "or gateway address, after \"address\"");
		}
		for (o = TAILQ_FIRST(&c->hosts); o != h;
		    o = TAILQ_NEXT(o, entry)) {
			op = (struct conf_host_priv *)(void *)o;
			if (hp->kline[ai] > 0 && op->kline[ai] > 0 &&
			    h->addr.s_addr == o->addr.s_addr)
				conf_errorf(p, hp->kline[ai],
				    addr_fmt_ip4(h->addr, a), "an address no "
				    "other host has (host \"%s\", line %d)",
				    o->name, op->kline[ai]);
			if (hp->kline[mi] > 0 && op->kline[mi] > 0 &&
			    memcmp(h->mac, o->mac, ADDR_MAC_LEN) == 0)
				conf_errorf(p, hp->kline[mi],
				    addr_fmt_mac(h->mac, m), "a MAC address no "
				    "other host has (host \"%s\", line %d)",
				    o->name, op->kline[mi]);
		}
	}
}

static int
ports_overlap(const struct hgw_forward *a, const struct hgw_forward *b)
{
	return ((a->proto & b->proto) != 0 && a->wan_port <= b->wan_port_end &&
	    b->wan_port <= a->wan_port_end);
}

static void
check_forwards(struct parser *p, int lan_ok)
{
	struct hgw_conf		*c = p->conf;
	struct hgw_forward	*f, *o;
	struct conf_fwd_priv	*fp, *op;
	char			 net[32], a[INET_ADDRSTRLEN];
	char			 got[CONF_NAME_MAX + 16];
	int			 ti = key_index(SEC_FORWARD, "to");
	int			 wi = key_index(SEC_FORWARD, "wan_port");
	int			 nowan_reported = 0;

	lan_net(c, net, sizeof(net));
	TAILQ_FOREACH(f, &c->forwards, entry) {
		fp = (struct conf_fwd_priv *)(void *)f;
		snprintf(got, sizeof(got), "[forward %s]", f->name);
		check_required(p, SEC_FORWARD, fp->kline, f->line, got);
		if (c->wan.ifname[0] == '\0' && !nowan_reported &&
		    p->secline[SEC_WAN] == 0) {
			snprintf(got, sizeof(got), "[forward %s]", f->name);
			conf_error(p, f->line, "a [wan] section for port "
			    "forwards", got);
			nowan_reported = 1;
		}
		if (fp->kline[ti] <= 0 || fp->kline[wi] <= 0)
			continue;
		if (f->to_port == 0)
			f->to_port = f->wan_port;
		addr_fmt_ip4(f->to_addr, a);
		snprintf(got, sizeof(got), "%s:%u", a, f->to_port);
		if (lan_ok && !addr_in_prefix4(f->to_addr, c->lan.addr,
		    c->lan.plen))
			conf_errorf(p, fp->kline[ti], got, "an address inside "
			    "the LAN %s after \"to\"", net);
		else if (lan_ok && lan_reserved(c, f->to_addr))
			conf_errorf(p, fp->kline[ti], got, "a LAN host "
			    "address, not the network, broadcast or gateway "
			    "address, after \"to\"");
		if ((unsigned long)f->to_port + (f->wan_port_end -
		    f->wan_port) > 65535)
			conf_errorf(p, fp->kline[ti], got, "a port range that "
			    "ends at 65535 at most (%u ports) after \"to\"",
			    f->wan_port_end - f->wan_port + 1);
		for (o = TAILQ_FIRST(&c->forwards); o != f;
		    o = TAILQ_NEXT(o, entry)) {
			op = (struct conf_fwd_priv *)(void *)o;
			if (op->kline[wi] <= 0 || !ports_overlap(f, o))
				continue;
			if (f->wan_port == f->wan_port_end)
				snprintf(got, sizeof(got), "%u", f->wan_port);
			else
				snprintf(got, sizeof(got), "%u-%u",
				    f->wan_port, f->wan_port_end);
			conf_errorf(p, fp->kline[wi], got, "WAN ports no other "
			    "forward uses (forward \"%s\", line %d) after "
			    "\"wan_port\"", o->name, op->kline[wi]);
		}
	}
}

static void
check_wan(struct parser *p, int lan_ok)
{
	struct hgw_conf	*c = p->conf;
	char		 net[32], a[INET_ADDRSTRLEN], got[48];
	int		 minplen, gl;

	if (p->secline[SEC_WAN] == 0)
		return;
	check_required(p, SEC_WAN, p->gline, p->secline[SEC_WAN], "[wan]");
	lan_net(c, net, sizeof(net));
	if (c->wan.has_addr) {
		snprintf(got, sizeof(got), "%s/%d",
		    addr_fmt_ip4(c->wan.addr, a), c->wan.plen);
		minplen = c->wan.plen < c->lan.plen ? c->wan.plen : c->lan.plen;
		if (lan_ok && addr_in_prefix4(c->wan.addr, c->lan.addr, minplen))
			conf_errorf(p, kline_of(p->gline, SEC_WAN, "address",
			    p->secline[SEC_WAN]), got, "a WAN address outside "
			    "the LAN %s after \"address\"", net);
	}
	if (c->wan.has_gateway) {
		addr_fmt_ip4(c->wan.gateway, a);
		gl = kline_of(p->gline, SEC_WAN, "gateway",
		    p->secline[SEC_WAN]);

		if (c->wan.has_addr && (!addr_in_prefix4(c->wan.gateway,
		    c->wan.addr, c->wan.plen) ||
		    c->wan.gateway.s_addr == c->wan.addr.s_addr))
			conf_errorf(p, gl, a, "a gateway inside the WAN "
			    "prefix %s other than the WAN address after "
			    "\"gateway\"", got);
		else if (lan_ok && addr_in_prefix4(c->wan.gateway, c->lan.addr,
		    c->lan.plen))
			conf_errorf(p, gl, a, "a gateway outside the LAN %s "
			    "after \"gateway\"", net);
	}
}

static void
endpoint_set_port(struct hgw_endpoint *ep, uint16_t port)
{
	if (ep->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)(void *)&ep->ss)->sin6_port =
		    htons(port);
	else
		((struct sockaddr_in *)(void *)&ep->ss)->sin_port =
		    htons(port);
}

/*
 * With tls = yes, [web] listen names where the page is served over HTTPS
 * and http_listen where plain HTTP answers with a redirect.  A listen
 * address on port 80 (the default port, and every config written before
 * HTTPS) keeps working: the page moves to port 443 of that address and
 * port 80 redirects to it.  Unless http_listen is given, every HTTPS
 * address also redirects from its port 80.
 */
static void
web_listen_tls(struct parser *p)
{
	struct hgw_conf		*c = p->conf;
	struct hgw_endpoint	 ep;
	unsigned int		 i, j;
	int			 given;

	/* One without the other is a mistake, not a choice. */
	if ((c->web.cert_file[0] == '\0') != (c->web.key_file[0] == '\0'))
		conf_errorf(p, kline_of(p->gline, SEC_WEB, c->web.cert_file[0] ?
		    "cert_file" : "key_file", p->secline[SEC_WEB]),
		    c->web.cert_file[0] ? c->web.cert_file : c->web.key_file,
		    "both cert_file and key_file, or neither, in [web]");
	if (!c->web.tls) {
		c->web.nhttp_listen = 0;
		return;
	}
	given = p->gline[key_index(SEC_WEB, "http_listen")] != 0;
	if (!given)
		c->web.nhttp_listen = 0;
	for (i = 0; i < c->web.nlisten; i++) {
		ep = c->web.listen[i];
		if (addr_endpoint_port(&ep) == 80)
			endpoint_set_port(&c->web.listen[i], 443);
		if (given)
			continue;
		endpoint_set_port(&ep, 80);
		for (j = 0; j < c->web.nhttp_listen; j++)
			if (memcmp(&c->web.http_listen[j], &ep,
			    sizeof(ep)) == 0)
				break;
		if (j == c->web.nhttp_listen && j < CONF_LIST_MAX)
			c->web.http_listen[c->web.nhttp_listen++] = ep;
	}
}

/* Add a group name to the set seen so far; 0 if over the limit. */
static int
group_seen(char seen[CONF_GROUPS_MAX][CONF_NAME_MAX + 1], unsigned int *n,
    const char *g)
{
	unsigned int	 i;

	for (i = 0; i < *n; i++)
		if (strcmp(seen[i], g) == 0)
			return (1);
	if (*n >= CONF_GROUPS_MAX)
		return (0);
	strcpy(seen[(*n)++], g);
	return (1);
}

/*
 * Blocklists need their source; client groups ("default" included) fit
 * the index's 32-bit group masks.
 */
static void
check_blocklists(struct parser *p)
{
	char			 seen[CONF_GROUPS_MAX][CONF_NAME_MAX + 1];
	struct hgw_conf		*c = p->conf;
	struct hgw_blocklist	*b;
	struct hgw_host		*h;
	struct conf_bl_priv	*bp;
	struct conf_host_priv	*hp;
	char			 hdr[CONF_NAME_MAX + 16];
	unsigned int		 n = 0, i;
	int			 gi = key_index(SEC_HOST, "groups");
	int			 bgi = key_index(SEC_BLOCKLIST, "groups");

	(void)group_seen(seen, &n, "default");
	TAILQ_FOREACH(b, &c->blocklists, entry) {
		bp = (struct conf_bl_priv *)(void *)b;
		snprintf(hdr, sizeof(hdr), "[blocklist %s]", b->name);
		check_required(p, SEC_BLOCKLIST, bp->kline, b->line, hdr);
		for (i = 0; i < b->ngroups; i++)
			if (!group_seen(seen, &n, b->groups[i]))
				conf_errorf(p, bp->kline[bgi] > 0 ?
				    bp->kline[bgi] : b->line, b->groups[i],
				    "at most %d client groups in all",
				    CONF_GROUPS_MAX);
	}
	TAILQ_FOREACH(h, &c->hosts, entry) {
		hp = (struct conf_host_priv *)(void *)h;
		for (i = 0; i < h->ngroups; i++)
			if (!group_seen(seen, &n, h->groups[i]))
				conf_errorf(p, hp->kline[gi] > 0 ?
				    hp->kline[gi] : h->line, h->groups[i],
				    "at most %d client groups in all",
				    CONF_GROUPS_MAX);
	}
}

/* Checks that span keys and sections, run once the file is read. */
static void
conf_validate(struct parser *p)
{
	struct hgw_conf		*c = p->conf;
	struct sockaddr_in	*sin;
	int			 lan_ok, line;
	uint32_t		 m;
	char			 v[16];

	if (p->secline[SEC_LAN] == 0)
		conf_error(p, p->line > 0 ? p->line : 1, "a [lan] section "
		    "with \"interface\" and \"address\"", "");
	else
		check_required(p, SEC_LAN, p->gline, p->secline[SEC_LAN],
		    "[lan]");
	lan_ok = c->lan.plen != 0;
	m = addr_mask4(c->lan.plen);
	if (lan_ok && (c->lan.addr.s_addr == (c->lan.addr.s_addr & m) ||
	    c->lan.addr.s_addr == (c->lan.addr.s_addr | ~m))) {
		addr_fmt_ip4(c->lan.addr, v);
		conf_errorf(p, kline_of(p->gline, SEC_LAN, "address",
		    p->secline[SEC_LAN]), v, "the gateway's host address, not "
		    "the network or broadcast address, after \"address\"");
		lan_ok = 0;
	}
	check_wan(p, lan_ok);
	check_hosts(p, lan_ok);
	check_forwards(p, lan_ok);
	check_blocklists(p);

	if (c->dns.min_ttl > c->dns.max_ttl) {
		line = kline_of(p->gline, SEC_DNS, "max_ttl", 0);
		snprintf(v, sizeof(v), "%u", c->dns.max_ttl);
		conf_errorf(p, line ? line : kline_of(p->gline, SEC_DNS,
		    "min_ttl", 1), v, "a max_ttl no lower than min_ttl (%u)",
		    c->dns.min_ttl);
	}
	if (c->web.max_clients_per_ip > c->web.max_clients) {
		line = kline_of(p->gline, SEC_WEB, "max_clients_per_ip", 0);
		snprintf(v, sizeof(v), "%u", c->web.max_clients_per_ip);
		conf_errorf(p, line ? line : kline_of(p->gline, SEC_WEB,
		    "max_clients", 1), v, "a max_clients_per_ip no higher "
		    "than max_clients (%u)", c->web.max_clients);
	}

	/* The listen defaults follow the LAN address. */
	if (lan_ok && p->gline[key_index(SEC_DNS, "listen")] == 0) {
		memset(c->dns.listen, 0, sizeof(c->dns.listen));
		sin = (struct sockaddr_in *)&c->dns.listen[0].ss;
		sin->sin_family = AF_INET;
		sin->sin_addr = c->lan.addr;
		sin->sin_port = htons(53);
		c->dns.listen[0].len = sizeof(*sin);
		sin = (struct sockaddr_in *)&c->dns.listen[1].ss;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = htons(53);
		c->dns.listen[1].len = sizeof(*sin);
		c->dns.nlisten = 2;
	}
	if (lan_ok && p->gline[key_index(SEC_WEB, "listen")] == 0) {
		memset(c->web.listen, 0, sizeof(c->web.listen));
		sin = (struct sockaddr_in *)&c->web.listen[0].ss;
		sin->sin_family = AF_INET;
		sin->sin_addr = c->lan.addr;
		sin->sin_port = htons(80);
		c->web.listen[0].len = sizeof(*sin);
		c->web.nlisten = 1;
	}
	web_listen_tls(p);
}

static int
error_cmp(const void *a, const void *b)
{
	const struct conf_error *x = a, *y = b;

	if (x->line != y->line)
		return (x->line < y->line ? -1 : 1);
	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/* Join the errors, sorted by line, into one malloc'ed text. */
static char *
join_errors(struct parser *p)
{
	char	*out, more[256];
	size_t	 len = 1, o = 0;
	int	 i;

	qsort(p->errors, (size_t)p->nerrors, sizeof(p->errors[0]), error_cmp);
	more[0] = '\0';
	if (p->dropped > 0)
		snprintf(more, sizeof(more), "%s:%d: expected at most %d "
		    "errors to be listed, got \"%d more\"\n", p->name,
		    p->line > 0 ? p->line : 1, CONF_ERRORS_MAX, p->dropped);
	for (i = 0; i < p->nerrors; i++)
		len += strlen(p->errors[i].text) + 1;
	len += strlen(more);
	if ((out = malloc(len)) == NULL)
		return (NULL);
	for (i = 0; i < p->nerrors; i++) {
		size_t n = strlen(p->errors[i].text);

		memcpy(out + o, p->errors[i].text, n);
		o += n;
		out[o++] = '\n';
	}
	memcpy(out + o, more, strlen(more) + 1);
	return (out);
}

/* Read and validate a config held in memory (len bytes, NULs allowed). */
struct hgw_conf *
conf_load_buffer(const char *buf, size_t len, const char *name,
    char **ret_errors)
{
	struct parser	*p;
	struct hgw_conf	*c;
	char		*line = NULL, got[48];
	size_t		 pos = 0, llen;
	const char	*nl;
	int		 i, nomem;

	if (ret_errors != NULL)
		*ret_errors = NULL;
	if (name == NULL)
		name = "homegw.conf";
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (line = malloc(CONF_LINE_MAX)) == NULL ||
	    (c = conf_alloc()) == NULL) {
		free(line);
		free(p);
		errno = ENOMEM;
		return (NULL);
	}
	p->name = name;
	p->conf = c;
	p->sec = SEC_NONE;
	p->obj = c;
	p->kline = p->gline;

	while (pos < len) {
		nl = memchr(buf + pos, '\n', len - pos);
		llen = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;
		p->line++;
		if (llen >= CONF_LINE_MAX) {
			memcpy(got, buf + pos, sizeof(got) - 1);
			got[sizeof(got) - 1] = '\0';
			conf_errorf(p, p->line, got, "a line of at most %d "
			    "characters", CONF_LINE_MAX - 1);
		} else if (memchr(buf + pos, '\0', llen) != NULL) {
			memcpy(line, buf + pos, llen);
			line[llen] = '\0';
			conf_error(p, p->line, "text without NUL bytes", line);
		} else {
			memcpy(line, buf + pos, llen);
			line[llen] = '\0';
			parse_line(p, line);
		}
		pos += llen + 1;
	}
	free(line);
	conf_validate(p);

	if ((c->path = strdup(name)) == NULL)
		p->nomem = 1;
	nomem = p->nomem;
	if (p->nerrors > 0 || p->dropped > 0 || nomem) {
		if (ret_errors != NULL && !nomem)
			*ret_errors = join_errors(p);
		conf_free(c);
		c = NULL;
	}
	for (i = 0; i < p->nerrors; i++)
		free(p->errors[i].text);
	free(p);
	if (c == NULL)
		errno = nomem ? ENOMEM : EINVAL;
	return (c);
}

/* Read and validate a config held in a string. */
struct hgw_conf *
conf_load_string(const char *text, const char *name, char **ret_errors)
{
	return (conf_load_buffer(text, strlen(text), name, ret_errors));
}

/* Read and validate the file at path. */
struct hgw_conf *
conf_load(const char *path, char **ret_errors)
{
	struct hgw_conf	*c;
	FILE		*f;
	char		*buf;
	size_t		 n;
	int		 saved;

	if (ret_errors != NULL)
		*ret_errors = NULL;
	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	if ((buf = malloc(CONF_FILE_MAX + 1)) == NULL) {
		fclose(f);
		errno = ENOMEM;
		return (NULL);
	}
	n = fread(buf, 1, CONF_FILE_MAX + 1, f);
	if (ferror(f)) {
		saved = errno ? errno : EIO;
		free(buf);
		fclose(f);
		errno = saved;
		return (NULL);
	}
	fclose(f);
	if (n > CONF_FILE_MAX) {
		free(buf);
		if (ret_errors != NULL)
			*ret_errors = conf_strprintf("%s:1: expected a file of "
			    "at most %d bytes, got \"a larger file\"\n", path,
			    CONF_FILE_MAX);
		errno = EFBIG;
		return (NULL);
	}
	c = conf_load_buffer(buf, n, path, ret_errors);
	saved = errno;
	free(buf);
	errno = saved;
	return (c);
}

/* A config with every default and no interfaces. */
struct hgw_conf *
conf_default(void)
{
	struct hgw_conf		*c;
	struct sockaddr_in	*sin;

	if ((c = conf_alloc()) == NULL)
		return (NULL);
	sin = (struct sockaddr_in *)&c->dns.listen[0].ss;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons(53);
	c->dns.listen[0].len = sizeof(*sin);
	c->dns.nlisten = 1;
	return (c);
}

/* Free a config and its hosts and forwards. */
void
conf_free(struct hgw_conf *c)
{
	struct hgw_host		*h;
	struct hgw_forward	*f;
	struct hgw_blocklist	*b;

	if (c == NULL)
		return;
	while ((b = TAILQ_FIRST(&c->blocklists)) != NULL) {
		TAILQ_REMOVE(&c->blocklists, b, entry);
		free(b);
	}
	while ((h = TAILQ_FIRST(&c->hosts)) != NULL) {
		TAILQ_REMOVE(&c->hosts, h, entry);
		free(h);
	}
	while ((f = TAILQ_FIRST(&c->forwards)) != NULL) {
		TAILQ_REMOVE(&c->forwards, f, entry);
		free(f);
	}
	free(c->path);
	free(c);
}

/* Print one key's value of obj in the form the parser reads back. */
static void
print_value(FILE *fp, const struct conf_key *k, const void *obj)
{
	const char	*field = (const char *)obj + k->off;
	char		 buf[ADDR_STRLEN], a[INET_ADDRSTRLEN];
	unsigned int	 n = 0, i;
	uint16_t	 p1, p2;

	if (k->aux != NOFIELD && (k->type == KT_ENDPOINTS ||
	    k->type == KT_PREFIXES || k->type == KT_ZONES ||
	    k->type == KT_GROUPS || k->type == KT_DOMAINS)) {
		n = *(const unsigned int *)(const void *)((const char *)obj +
		    k->aux);
		if (n > CONF_LIST_MAX)
			n = CONF_LIST_MAX;
	}
	switch (k->type) {
	case KT_BOOL:
		fputs(*(const int *)(const void *)field ? "yes" : "no", fp);
		break;
	case KT_UINT:
		fprintf(fp, "%u", *(const unsigned int *)(const void *)field);
		break;
	case KT_LABEL:
	case KT_DOMAIN:
	case KT_PATH:
	case KT_USER:
	case KT_IFNAME:
	case KT_HASH:
	case KT_TOKEN:
	case KT_TEXT:
	case KT_SOURCE:
		fputs(field, fp);
		break;
	case KT_GROUPS:
		for (i = 0; i < n; i++)
			fprintf(fp, "%s%s", i ? ", " : "",
			    field + i * (CONF_NAME_MAX + 1));
		break;
	case KT_DOMAINS:
		for (i = 0; i < n; i++)
			fprintf(fp, "%s%s", i ? ", " : "",
			    field + i * (CONF_DOMAIN_MAX + 1));
		break;
	case KT_BLOCK_REPLY:
		switch (*(const enum conf_block_reply *)(const void *)field) {
		case CONF_BLOCK_NXDOMAIN:
			fputs("nxdomain", fp);
			break;
		case CONF_BLOCK_NODATA:
			fputs("nodata", fp);
			break;
		default:
			fputs("null", fp);
		}
		break;
	case KT_PREFIX:
		fprintf(fp, "%s/%d", addr_fmt_ip4(*(const struct in_addr *)
		    (const void *)field, a), *(const int *)(const void *)
		    ((const char *)obj + k->aux));
		break;
	case KT_IP4:
		fputs(addr_fmt_ip4(*(const struct in_addr *)(const void *)field,
		    a), fp);
		break;
	case KT_MAC: {
		char m[ADDR_MAC_STRLEN];

		fputs(addr_fmt_mac((const uint8_t *)field, m), fp);
		break;
	}
	case KT_ENDPOINTS:
		for (i = 0; i < n; i++)
			fprintf(fp, "%s%s", i ? ", " : "", addr_fmt_endpoint(
			    (const struct hgw_endpoint *)(const void *)field + i,
			    buf, sizeof(buf)));
		break;
	case KT_PREFIXES:
		for (i = 0; i < n; i++) {
			const struct hgw_prefix4 *pf =
			    (const struct hgw_prefix4 *)(const void *)field + i;

			fprintf(fp, "%s%s/%d", i ? ", " : "",
			    addr_fmt_ip4(pf->addr, a), pf->plen);
		}
		break;
	case KT_ZONES:
		for (i = 0; i < n; i++) {
			const struct hgw_dns_zone *z =
			    (const struct hgw_dns_zone *)(const void *)field + i;

			fprintf(fp, "%s%s=%s", i ? ", " : "", z->domain,
			    addr_fmt_endpoint(&z->upstream, buf, sizeof(buf)));
		}
		break;
	case KT_PROTO:
		switch (*(const enum conf_proto *)(const void *)field) {
		case CONF_PROTO_UDP:
			fputs("udp", fp);
			break;
		case CONF_PROTO_BOTH:
			fputs("both", fp);
			break;
		default:
			fputs("tcp", fp);
		}
		break;
	case KT_PORTS:
		p1 = *(const uint16_t *)(const void *)field;
		p2 = *(const uint16_t *)(const void *)((const char *)obj +
		    k->aux);
		if (p1 == p2)
			fprintf(fp, "%u", p1);
		else
			fprintf(fp, "%u-%u", p1, p2);
		break;
	case KT_TO:
		fprintf(fp, "%s:%u", addr_fmt_ip4(*(const struct in_addr *)
		    (const void *)field, a), *(const uint16_t *)(const void *)
		    ((const char *)obj + k->aux));
		break;
	case KT_SERVICES:
		n = *(const unsigned int *)(const void *)((const char *)obj +
		    k->aux);
		if (n == CONF_SERVICES_ALL) {
			fputs("all", fp);
			break;
		}
		for (i = 0; i < n && i < CONF_LIST_MAX; i++) {
			const struct hgw_service *sv =
			    (const struct hgw_service *)(const void *)field + i;

			fprintf(fp, "%s%s/%u", i ? ", " : "",
			    sv->proto == CONF_PROTO_UDP ? "udp" : "tcp",
			    sv->first);
			if (sv->last != sv->first)
				fprintf(fp, "-%u", sv->last);
		}
		break;
	}
}

static void
print_section(FILE *fp, enum conf_sec sec, const char *name, const void *obj)
{
	size_t	 i;

	if (name != NULL)
		fprintf(fp, "\n[%s %s]\n", sections[sec].name, name);
	else
		fprintf(fp, "%s[%s]\n", sec == SEC_GATEWAY ? "" : "\n",
		    sections[sec].name);
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].sec != sec)
			continue;
		/* Optional keys without a value are left out. */
		if (keys[i].has != NOFIELD &&
		    !*(const int *)(const void *)((const char *)obj +
		    keys[i].has))
			continue;
		fprintf(fp, "%s =", keys[i].name);
		/* An empty value prints as "key =", which reads back. */
		if (keys[i].type == KT_HASH || keys[i].type == KT_TOKEN ||
		    keys[i].type == KT_PATH ? ((const char *)obj +
		    keys[i].off)[0] != '\0' : !((keys[i].type == KT_ENDPOINTS ||
		    keys[i].type == KT_PREFIXES || keys[i].type == KT_ZONES ||
		    keys[i].type == KT_SERVICES || keys[i].type == KT_GROUPS ||
		    keys[i].type == KT_DOMAINS) &&
		    *(const unsigned int *)(const void *)((const char *)obj +
		    keys[i].aux) == 0)) {
			fputc(' ', fp);
			print_value(fp, &keys[i], obj);
		}
		fputc('\n', fp);
	}
}

/* Write the config in canonical form: fixed order, every key shown. */
void
conf_print(FILE *fp, const struct hgw_conf *c)
{
	const struct hgw_host		*h;
	const struct hgw_forward	*f;
	const struct hgw_blocklist	*b;

	print_section(fp, SEC_GATEWAY, NULL, c);
	print_section(fp, SEC_LAN, NULL, c);
	if (c->wan.ifname[0] != '\0')
		print_section(fp, SEC_WAN, NULL, c);
	TAILQ_FOREACH(h, &c->hosts, entry)
		print_section(fp, SEC_HOST, h->name, h);
	print_section(fp, SEC_DNS, NULL, c);
	TAILQ_FOREACH(b, &c->blocklists, entry)
		print_section(fp, SEC_BLOCKLIST, b->name, b);
	print_section(fp, SEC_NAT, NULL, c);
	TAILQ_FOREACH(f, &c->forwards, entry)
		print_section(fp, SEC_FORWARD, f->name, f);
	print_section(fp, SEC_ARP, NULL, c);
	print_section(fp, SEC_WEB, NULL, c);
	print_section(fp, SEC_FIREWALL, NULL, c);
}

/* Path of live.db. */
int
conf_live_db(const struct hgw_conf *c, char *buf, size_t len)
{
	int	 n = snprintf(buf, len, "%s/live.db", c->gateway.run_dir);

	return (n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0);
}

/* Path of homegw.db. */
int
conf_persist_db(const struct hgw_conf *c, char *buf, size_t len)
{
	int	 n = snprintf(buf, len, "%s/homegw.db", c->gateway.state_dir);

	return (n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0);
}

/* The host with this name (case-insensitive), or NULL. */
struct hgw_host *
conf_host_by_name(const struct hgw_conf *c, const char *name)
{
	struct hgw_host	*h;

	TAILQ_FOREACH(h, &c->hosts, entry)
		if (strcasecmp(h->name, name) == 0)
			return (h);
	return (NULL);
}

/* The host with this address, or NULL. */
struct hgw_host *
conf_host_by_addr(const struct hgw_conf *c, struct in_addr a)
{
	struct hgw_host	*h;

	TAILQ_FOREACH(h, &c->hosts, entry)
		if (h->addr.s_addr == a.s_addr)
			return (h);
	return (NULL);
}

/* The host with this MAC, or NULL. */
struct hgw_host *
conf_host_by_mac(const struct hgw_conf *c, const uint8_t mac[ADDR_MAC_LEN])
{
	struct hgw_host	*h;

	TAILQ_FOREACH(h, &c->hosts, entry)
		if (memcmp(h->mac, mac, ADDR_MAC_LEN) == 0)
			return (h);
	return (NULL);
}

/* The blocklist with this name, or NULL. */
struct hgw_blocklist *
conf_blocklist_by_name(const struct hgw_conf *c, const char *name)
{
	struct hgw_blocklist	*b;

	TAILQ_FOREACH(b, &c->blocklists, entry)
		if (strcmp(b->name, name) == 0)
			return (b);
	return (NULL);
}
