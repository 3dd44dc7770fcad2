/*
 * SPDX-License-Identifier: ISC
 *
 * addr_test.c: table-driven tests of the address, endpoint and MAC parsers.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "addr.h"
#include "../tap.h"

static void
test_ip4(void)
{
	static const struct {
		const char	*in;
		int		 ok;
	} cases[] = {
		{ "192.168.1.1", 1 }, { "0.0.0.0", 1 }, { "255.255.255.255", 1 },
		{ "10.0.0.300", 0 }, { "10.1", 0 }, { "", 0 }, { "1.2.3.4 ", 0 },
		{ "a.b.c.d", 0 }, { "1.2.3.4.5", 0 },
	};
	struct in_addr a;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = addr_parse_ip4(cases[i].in, &a);
		CHECK_MSG((r == 0) == cases[i].ok, cases[i].in);
	}
}

static void
test_prefix(void)
{
	struct in_addr a, net;
	int plen = -1;

	CHECK(addr_parse_prefix4("192.168.1.1/24", &a, &plen) == 0 &&
	    plen == 24);
	CHECK(addr_parse_prefix4("192.168.1.1/33", &a, &plen) == -EINVAL);
	CHECK(addr_parse_prefix4("192.168.1.1", &a, &plen) == -EINVAL);
	CHECK(addr_parse_prefix4("192.168.1.1/", &a, &plen) == -EINVAL);
	CHECK(addr_parse_prefix4("192.168.1.1/-1", &a, &plen) == -EINVAL);
	addr_parse_ip4("192.168.1.0", &net);
	addr_parse_ip4("192.168.1.77", &a);
	CHECK(addr_in_prefix4(a, net, 24));
	CHECK(!addr_in_prefix4(a, net, 26));
	CHECK(addr_mask4(0) == 0 && addr_mask4(32) == 0xffffffffU);
	CHECK(addr_mask4(24) == htonl(0xffffff00U));
}

static void
test_endpoint(void)
{
	struct hgw_endpoint ep;
	char buf[ADDR_STRLEN];

	CHECK(addr_parse_endpoint("9.9.9.9", 53, &ep) == 0);
	CHECK_STREQ(addr_fmt_endpoint(&ep, buf, sizeof(buf)), "9.9.9.9:53");
	CHECK(addr_parse_endpoint("127.0.0.1:5353", 53, &ep) == 0);
	CHECK_STREQ(addr_fmt_endpoint(&ep, buf, sizeof(buf)), "127.0.0.1:5353");
	CHECK(addr_parse_endpoint("[::1]:53", 53, &ep) == 0);
	CHECK_STREQ(addr_fmt_endpoint(&ep, buf, sizeof(buf)), "[::1]:53");
	CHECK(addr_parse_endpoint("::1", 53, &ep) == 0);
	CHECK_STREQ(addr_fmt_endpoint(&ep, buf, sizeof(buf)), "[::1]:53");
	CHECK(addr_parse_endpoint("1.2.3.4:0", 53, &ep) == -EINVAL);
	CHECK(addr_parse_endpoint("1.2.3.4:65536", 53, &ep) == -EINVAL);
	CHECK(addr_parse_endpoint("1.2.3.4:", 53, &ep) == -EINVAL);
	CHECK(addr_parse_endpoint("[::1", 53, &ep) == -EINVAL);
	CHECK(addr_parse_endpoint("host.example:53", 53, &ep) == -EINVAL);
	CHECK(addr_parse_endpoint("", 53, &ep) == -EINVAL);
}

static void
test_mac(void)
{
	uint8_t mac[ADDR_MAC_LEN];
	char buf[ADDR_MAC_STRLEN];

	CHECK(addr_parse_mac("DC:A6:32:01:02:03", mac) == 0);
	CHECK_STREQ(addr_fmt_mac(mac, buf), "dc:a6:32:01:02:03");
	CHECK(addr_parse_mac("dc-a6-32-01-02-03", mac) == 0);
	CHECK(addr_parse_mac("dc:a6-32:01:02:03", mac) == -EINVAL);
	CHECK(addr_parse_mac("dc:a6:32:01:02", mac) == -EINVAL);
	CHECK(addr_parse_mac("dc:a6:32:01:02:0g", mac) == -EINVAL);
	CHECK(addr_parse_mac("dc:a6:32:01:02:033", mac) == -EINVAL);
	addr_parse_mac("ff:ff:ff:ff:ff:ff", mac);
	CHECK(addr_mac_is_special(mac));
	addr_parse_mac("00:00:00:00:00:00", mac);
	CHECK(addr_mac_is_special(mac));
	addr_parse_mac("02:00:00:00:00:01", mac);
	CHECK(!addr_mac_is_special(mac));
}

int
main(void)
{
	test_ip4();
	test_prefix();
	test_endpoint();
	test_mac();
	return (tap_done());
}
