/*
 * SPDX-License-Identifier: ISC
 *
 * addr.c: address, prefix, endpoint and MAC parsing and formatting.  Owns
 * the textual forms that the config file and the tools accept; never does
 * I/O or name resolution.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/* Parse a dotted-quad IPv4 address. */
int
addr_parse_ip4(const char *s, struct in_addr *ret)
{
	struct in_addr	 a;

	/* inet_pton() accepts exactly four decimal parts, unlike inet_aton(). */
	if (s == NULL || inet_pton(AF_INET, s, &a) != 1)
		return (-EINVAL);
	*ret = a;
	return (0);
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	char		*end;
	unsigned long	 v;

	if (s == NULL || !isdigit((unsigned char)*s) || strlen(s) > 10)
		return (-EINVAL);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return (-EINVAL);
	*ret = v;
	return (0);
}

/* Parse "a.b.c.d/len". */
int
addr_parse_prefix4(const char *s, struct in_addr *ret_addr, int *ret_plen)
{
	char		 buf[INET_ADDRSTRLEN + 4];
	char		*slash;
	struct in_addr	 a;
	unsigned long	 plen;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return (-EINVAL);
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) == NULL)
		return (-EINVAL);
	*slash++ = '\0';
	if (addr_parse_ip4(buf, &a) < 0 || parse_uint(slash, 32, &plen) < 0)
		return (-EINVAL);
	*ret_addr = a;
	*ret_plen = (int)plen;
	return (0);
}

/* Parse a port number 1..65535. */
int
addr_parse_port(const char *s, uint16_t *ret)
{
	unsigned long	 v;

	if (parse_uint(s, 65535, &v) < 0 || v == 0)
		return (-EINVAL);
	*ret = (uint16_t)v;
	return (0);
}

/* Parse an address with an optional port. */
int
addr_parse_endpoint(const char *s, uint16_t default_port,
    struct hgw_endpoint *ret)
{
	char			 buf[ADDR_STRLEN];
	char			*host, *port = NULL, *p;
	struct hgw_endpoint	 ep;
	uint16_t		 pnum = default_port;

	if (s == NULL || strlen(s) >= sizeof(buf) || *s == '\0')
		return (-EINVAL);
	strcpy(buf, s);
	host = buf;
	if (*host == '[') {
		host++;
		if ((p = strchr(host, ']')) == NULL)
			return (-EINVAL);
		*p++ = '\0';
		if (*p == ':')
			port = p + 1;
		else if (*p != '\0')
			return (-EINVAL);
	} else if ((p = strchr(host, ':')) != NULL && strchr(p + 1, ':') == NULL) {
		/* Exactly one colon: IPv4 with a port. */
		*p = '\0';
		port = p + 1;
	}
	if (port != NULL && addr_parse_port(port, &pnum) < 0)
		return (-EINVAL);
	if (pnum == 0 && default_port != 0)
		return (-EINVAL);

	memset(&ep, 0, sizeof(ep));
	if (strchr(host, ':') == NULL) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ep.ss;

		if (addr_parse_ip4(host, &sin->sin_addr) < 0)
			return (-EINVAL);
		sin->sin_family = AF_INET;
		sin->sin_port = htons(pnum);
		ep.len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ep.ss;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return (-EINVAL);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(pnum);
		ep.len = sizeof(*sin6);
	}
	*ret = ep;
	return (0);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* Parse a MAC address written with ':' or '-' separators. */
int
addr_parse_mac(const char *s, uint8_t ret[ADDR_MAC_LEN])
{
	uint8_t	 mac[ADDR_MAC_LEN];
	int	 i, hi, lo;
	char	 sep = 0;

	if (s == NULL || strlen(s) != 17)
		return (-EINVAL);
	for (i = 0; i < ADDR_MAC_LEN; i++) {
		const char *p = s + i * 3;

		if ((hi = hexval((unsigned char)p[0])) < 0 ||
		    (lo = hexval((unsigned char)p[1])) < 0)
			return (-EINVAL);
		mac[i] = (uint8_t)(hi << 4 | lo);
		if (i == ADDR_MAC_LEN - 1)
			break;
		if (p[2] != ':' && p[2] != '-')
			return (-EINVAL);
		/* One separator style throughout. */
		if (sep == 0)
			sep = p[2];
		else if (p[2] != sep)
			return (-EINVAL);
	}
	memcpy(ret, mac, ADDR_MAC_LEN);
	return (0);
}

/* Format a MAC as lower-case hex with colons. */
char *
addr_fmt_mac(const uint8_t mac[ADDR_MAC_LEN], char *buf)
{
	snprintf(buf, ADDR_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
	    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return (buf);
}

/* Format an IPv4 address. */
char *
addr_fmt_ip4(struct in_addr a, char *buf)
{
	inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
	return (buf);
}

/* Format an endpoint as address:port. */
uint16_t
addr_endpoint_port(const struct hgw_endpoint *ep)
{
	if (ep->ss.ss_family == AF_INET6)
		return (ntohs(((const struct sockaddr_in6 *)(const void *)
		    &ep->ss)->sin6_port));
	return (ntohs(((const struct sockaddr_in *)(const void *)
	    &ep->ss)->sin_port));
}

char *
addr_fmt_endpoint(const struct hgw_endpoint *ep, char *buf, size_t len)
{
	char	 host[INET6_ADDRSTRLEN];

	if (ep->ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)&ep->ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(sin->sin_port));
	} else if (ep->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)&ep->ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else
		snprintf(buf, len, "?");
	return (buf);
}

/* Netmask for a prefix length, network order. */
uint32_t
addr_mask4(int plen)
{
	if (plen <= 0)
		return (0);
	if (plen >= 32)
		return (0xffffffffU);
	return (htonl(0xffffffffU << (32 - plen)));
}

/* Is a inside net/plen? */
int
addr_in_prefix4(struct in_addr a, struct in_addr net, int plen)
{
	uint32_t m = addr_mask4(plen);

	return ((a.s_addr & m) == (net.s_addr & m));
}

/* All-zero, broadcast or multicast MACs cannot belong to a host. */
int
addr_mac_is_special(const uint8_t mac[ADDR_MAC_LEN])
{
	static const uint8_t zero[ADDR_MAC_LEN];

	return (memcmp(mac, zero, ADDR_MAC_LEN) == 0 || (mac[0] & 1) != 0);
}
