/*
 * SPDX-License-Identifier: ISC
 *
 * addr.h: parsing and formatting of IPv4/IPv6 addresses, prefixes,
 * address:port endpoints and MAC addresses.  Pure functions: no I/O, no
 * logging, no allocation.  All parsers return 0 on success and -EINVAL on
 * malformed input; output parameters are written only on success.
 */
#ifndef HGW_ADDR_H
#define HGW_ADDR_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stddef.h>

#define ADDR_MAC_LEN		6
#define ADDR_MAC_STRLEN		18	/* "aa:bb:cc:dd:ee:ff" + NUL */
#define ADDR_STRLEN		64	/* "[ipv6]:port" + NUL, generous */

/* A socket address with its length: listen and upstream endpoints. */
struct hgw_endpoint {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
};

/* Dotted-quad IPv4 only (no short forms such as "10.1"). */
int	addr_parse_ip4(const char *s, struct in_addr *ret);
/* "a.b.c.d/len" with 0 <= len <= 32. */
int	addr_parse_prefix4(const char *s, struct in_addr *ret_addr,
	    int *ret_plen);
/*
 * "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53".  default_port applies when
 * none is given; port 0 is refused unless default_port is 0 too.
 */
int	addr_parse_endpoint(const char *s, uint16_t default_port,
	    struct hgw_endpoint *ret);
/* "aa:bb:cc:dd:ee:ff" or with '-' separators, case-insensitive. */
int	addr_parse_mac(const char *s, uint8_t ret[ADDR_MAC_LEN]);
/* A decimal port 1..65535. */
int	addr_parse_port(const char *s, uint16_t *ret);

/* An endpoint's port, in host order. */
uint16_t addr_endpoint_port(const struct hgw_endpoint *ep);

/* Format into buf (at least ADDR_MAC_STRLEN); returns buf. */
char	*addr_fmt_mac(const uint8_t mac[ADDR_MAC_LEN], char *buf);
/* Format "1.2.3.4:53" or "[::1]:53" into buf of size len; returns buf. */
char	*addr_fmt_endpoint(const struct hgw_endpoint *ep, char *buf,
	    size_t len);
/* Format an IPv4 address into buf (INET_ADDRSTRLEN); returns buf. */
char	*addr_fmt_ip4(struct in_addr a, char *buf);

/* Netmask in network order for a prefix length 0..32. */
uint32_t addr_mask4(int plen);
/* Non-zero when a lies inside net/plen. */
int	addr_in_prefix4(struct in_addr a, struct in_addr net, int plen);
/* Non-zero for the all-zero or all-ones MAC, or a multicast MAC. */
int	addr_mac_is_special(const uint8_t mac[ADDR_MAC_LEN]);

#endif /* HGW_ADDR_H */
