/*
 * SPDX-License-Identifier: ISC
 *
 * setup_test.c: the pure parts of "homegwctl setup": the choice of WAN,
 * LAN and LAN prefix, the overlap checks, the parsers of /proc/net files,
 * nft and iptables-save output, ifupdown, dhcpcd and resolv.conf, the
 * config editor that keeps comments, the PEM decoder, and SHA-256 against
 * the FIPS 180-4 example vectors.  The same code runs for real in
 * tests/integration/setup.test.
 */
#include <arpa/inet.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "setup.h"
#include "../tap.h"

static struct setup_iface *
add_if(struct setup_net *net, const char *name, int carrier, int physical)
{
	struct setup_iface *ifp = &net->ifs[net->nifs++];

	memset(ifp, 0, sizeof(*ifp));
	snprintf(ifp->name, sizeof(ifp->name), "%s", name);
	ifp->up = 1;
	ifp->carrier = carrier;
	ifp->physical = physical;
	ifp->type = ARPHRD_ETHER;
	return (ifp);
}

static void
add_addr(struct setup_iface *ifp, const char *a, int plen)
{
	inet_pton(AF_INET, a, &ifp->addr4[ifp->naddr4].addr);
	ifp->addr4[ifp->naddr4++].plen = plen;
}

static const char *
pfx(struct in_addr a, int plen)
{
	static char	 buf[32];
	char		 s[INET_ADDRSTRLEN];

	snprintf(buf, sizeof(buf), "%s/%d", inet_ntop(AF_INET, &a, s,
	    sizeof(s)), plen);
	return (buf);
}

static void
test_plan(void)
{
	static struct setup_net	 net;
	struct setup_iface	*lo, *eth0, *eth1, *wl, *br, *port;
	struct in_addr		 a;
	char			 why[256];
	int			 plen;
	/* A real /proc/net/route: default via eth0, a /16 via wg0. */
	const char *routes =
	    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask"
	    "\t\tMTU\tWindow\tIRTT\n"
	    "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
	    "eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
	    "eth1\t00000000\t0102A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
	    "wg0\t00001EAC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
	    "eth0\t0000000A\t00000000\t0000\t0\t0\t0\t000000FF\t0\t0\t0\n"
	    "garbage line\n";

	memset(&net, 0, sizeof(net));
	lo = add_if(&net, "lo", 1, 0);
	lo->loopback = 1;
	lo->type = ARPHRD_LOOPBACK;
	add_addr(lo, "127.0.0.1", 8);
	eth0 = add_if(&net, "eth0", 1, 1);
	add_addr(eth0, "192.168.1.23", 24);
	eth1 = add_if(&net, "eth1", 0, 1);
	wl = add_if(&net, "wlan0", 1, 1);
	wl->wireless = 1;
	CHECK(plan_parse_routes(&net, routes) == 4);
	CHECK(eth0->default_route && eth0->default_metric == 100);
	CHECK(eth1->default_route && eth1->default_metric == 600);
	CHECK_MSG(net.nroutes == 2, "defaults mark interfaces; down route "
	    "skipped");
	CHECK_STREQ(pfx(net.routes[1].dst, net.routes[1].plen),
	    "172.30.0.0/16");
	CHECK_MSG(plan_pick_wan(&net) == 1, "WAN: lowest default metric");

	/* LAN: eth1 (no carrier) since wlan0 is wireless, lo loopback. */
	CHECK(plan_pick_lan(&net, 1) == 2);
	CHECK(plan_lan_unfit(wl, why, sizeof(why)) &&
	    strstr(why, "wireless") != NULL);
	CHECK(plan_lan_unfit(lo, why, sizeof(why)));
	/* A bridge with a link beats a port without; its ports never count. */
	br = add_if(&net, "br0", 1, 0);
	br->bridge = 1;
	port = add_if(&net, "eth2", 1, 1);
	snprintf(port->master, sizeof(port->master), "br0");
	CHECK(plan_pick_lan(&net, 1) == 4);
	CHECK(plan_lan_unfit(port, why, sizeof(why)) &&
	    strstr(why, "br0") != NULL);
	/* Container bridges and link-less virtual interfaces are not LANs. */
	CHECK(plan_lan_unfit(add_if(&net, "docker0", 1, 0), why,
	    sizeof(why)));
	CHECK(plan_lan_unfit(add_if(&net, "ifb0", 0, 0), why, sizeof(why)));
	CHECK(!plan_lan_unfit(add_if(&net, "veth1", 1, 0), why, sizeof(why)));
	CHECK(plan_pick_lan(&net, -1) == 4);

	/* Overlaps: eth0's /24, the wg0 route; not the LAN's own. */
	inet_pton(AF_INET, "192.168.1.1", &a);
	CHECK(plan_overlap(&net, "br0", a, 24, why, sizeof(why)) &&
	    strstr(why, "eth0") != NULL);
	TAP_NOTE("%s", why);
	CHECK(!plan_overlap(&net, "eth0", a, 24, why, sizeof(why)));
	inet_pton(AF_INET, "172.30.9.1", &a);
	CHECK(plan_overlap(&net, "br0", a, 24, why, sizeof(why)) &&
	    strstr(why, "wg0") != NULL);
	inet_pton(AF_INET, "172.16.0.1", &a);
	CHECK_MSG(plan_overlap(&net, "br0", a, 8, why, sizeof(why)),
	    "a wide LAN prefix overlaps a narrower route inside it");
	inet_pton(AF_INET, "10.0.0.1", &a);
	CHECK_MSG(!plan_overlap(&net, "br0", a, 8, why, sizeof(why)),
	    "neither loopback nor the default route counts");

	CHECK(plan_propose_prefix(&net, "br0", &a, &plen) == 0);
	CHECK_STREQ(pfx(a, plen), "192.168.10.1/24");
	add_addr(eth1, "192.168.10.7", 24);
	plan_route_add(&net, "eth1", a, 24, 0);
	inet_pton(AF_INET, "192.168.16.0", &a);
	plan_route_add(&net, "eth0", a, 20, 0);
	CHECK(plan_propose_prefix(&net, "br0", &a, &plen) == 0);
	CHECK_MSG(strcmp(pfx(a, plen), "192.168.40.1/24") == 0,
	    "skips 10 (eth1), 20 and 30 (inside 192.168.16.0/20)");
	/* The LAN's own private address is kept when it overlaps nothing. */
	add_addr(br, "192.168.77.1", 24);
	CHECK(plan_propose_prefix(&net, "br0", &a, &plen) == 0);
	CHECK_STREQ(pfx(a, plen), "192.168.77.1/24");
	add_addr(eth0, "192.168.77.9", 24);
	CHECK(plan_propose_prefix(&net, "br0", &a, &plen) == 0);
	CHECK_MSG(strncmp(pfx(a, plen), "192.168.", 8) == 0 &&
	    strcmp(pfx(a, plen), "192.168.77.1/24") != 0,
	    "but not when the WAN side holds it");
	/* Everything in 192.168/16 taken: no proposal. */
	inet_pton(AF_INET, "192.168.0.0", &a);
	plan_route_add(&net, "eth0", a, 16, 0);
	CHECK(plan_propose_prefix(&net, "br0", &a, &plen) == -1);

	inet_pton(AF_INET, "192.168.5.0", &a);
	CHECK(plan_check_lan_address(a, 24, why, sizeof(why)) < 0);
	inet_pton(AF_INET, "192.168.5.255", &a);
	CHECK(plan_check_lan_address(a, 24, why, sizeof(why)) < 0);
	inet_pton(AF_INET, "192.168.5.1", &a);
	CHECK(plan_check_lan_address(a, 24, why, sizeof(why)) == 0);
	CHECK(plan_check_lan_address(a, 31, why, sizeof(why)) < 0);
	CHECK(plan_check_lan_address(a, 7, why, sizeof(why)) < 0);
	inet_pton(AF_INET, "127.0.0.2", &a);
	CHECK(plan_check_lan_address(a, 24, why, sizeof(why)) < 0);
	inet_pton(AF_INET, "169.254.3.1", &a);
	CHECK(plan_check_lan_address(a, 24, why, sizeof(why)) < 0);
}

static void
test_proc_net(void)
{
	unsigned long	 in[8];
	/* Listening TCP on 127.0.0.53:53 and [::]:53; a client to :53. */
	const char *tcp =
	    "  sl  local_address rem_address   st tx_queue rx_queue tr "
	    "tm->when retrnsmt   uid  timeout inode\n"
	    "   0: 3500007F:0035 00000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000   101        0 20731 1 0000000000000000 "
	    "100 0 0 10 5\n"
	    "   1: 0100A8C0:D431 0101A8C0:0035 01 00000000:00000000 "
	    "00:00000000 00000000  1000        0 99999 1 0000000000000000 "
	    "20 4 0 10 -1\n"
	    "   2: 0100007F:0050 00000000:0000 0A 00000000:00000000 "
	    "00:00000000 00000000     0        0 555 1\n";
	const char *udp6 =
	    "  sl  local_address                         remote_address   "
	    "                      st tx_queue rx_queue tr tm->when retrnsmt"
	    "   uid  timeout inode ref pointer drops\n"
	    "  100: 00000000000000000000000000000000:0035 "
	    "00000000000000000000000000000000:0000 07 00000000:00000000 "
	    "00:00000000 00000000     0        0 4242 2 0000000000000000 0\n"
	    "  101: 00000000000000000000000000000000:0035 "
	    "00000000000000000000000000000000:0000 07 00000000:00000000 "
	    "00:00000000 00000000     0        0 4242 2 0000000000000000 0\n"
	    "  102: 00000000000000000000000000000000:14E9 "
	    "00000000000000000000000000000000:0000 07 00000000:00000000 "
	    "00:00000000 00000000     0        0 777 2 0000000000000000 0\n";

	CHECK(plan_port_inodes(tcp, 1, 53, in, 8) == 1 && in[0] == 20731);
	CHECK(plan_port_inodes(tcp, 1, 80, in, 8) == 1 && in[0] == 555);
	CHECK_MSG(plan_port_inodes(udp6, 0, 53, in, 8) == 1 && in[0] == 4242,
	    "IPv6, duplicates folded");
	CHECK(plan_port_inodes(udp6, 0, 5353, in, 8) == 1 && in[0] == 777);
	CHECK(plan_port_inodes("", 0, 53, in, 8) == 0);
	CHECK(plan_port_inodes("\n\n   x: zz\n", 0, 53, in, 8) == 0);
}

static void
test_nat(void)
{
	char	 t[8][128], r[16][256];
	/* homegw's own table, a filter table, iptables-nft's nat table. */
	const char *ruleset =
	    "table inet homegw {\n"
	    "\tchain postrouting {\n"
	    "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	    "\t\toifname \"wan0\" masquerade\n"
	    "\t}\n"
	    "}\n"
	    "table inet filter {\n"
	    "\tchain input {\n"
	    "\t\tcomment \"no masquerade { here\"\n"
	    "\t\ttype filter hook input priority filter; policy accept;\n"
	    "\t}\n"
	    "}\n"
	    "table ip nat {\n"
	    "\tchain POSTROUTING {\n"
	    "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	    "\t\toifname \"eth0\" counter packets 0 bytes 0 xt target "
	    "\"MASQUERADE\"\n"
	    "\t}\n"
	    "}\n"
	    "table ip fw {\n"
	    "\tchain post {\n"
	    "\t\tip saddr 10.0.0.0/8 snat to 192.0.2.1\n"
	    "\t}\n"
	    "\tchain snat_helper {\n"
	    "\t}\n"
	    "}\n"
	    "table ip6 quiet {\n"
	    "\tchain snat_like {\n"
	    "\t}\n"
	    "}\n";
	const char *save =
	    "# Generated by iptables-save v1.8.9\n"
	    "*nat\n"
	    ":POSTROUTING ACCEPT [0:0]\n"
	    "-A POSTROUTING -o eth0 -j MASQUERADE\n"
	    "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to 10.0.0.2\n"
	    "-A POSTROUTING -s 10.0.0.0/8 -j SNAT --to-source 192.0.2.1\n"
	    "COMMIT\n";

	CHECK(plan_nft_nat_tables(ruleset, t, 8) == 2);
	CHECK_STREQ(t[0], "ip nat");
	CHECK_STREQ(t[1], "ip fw");
	CHECK(plan_nft_nat_tables("", t, 8) == 0);
	CHECK(plan_iptables_nat_rules(save, r, 16) == 2);
	CHECK_STREQ(r[0], "-A POSTROUTING -o eth0 -j MASQUERADE");
	CHECK_STREQ(r[1], "-A POSTROUTING -s 10.0.0.0/8 -j SNAT "
	    "--to-source 192.0.2.1");
}

static void
test_managers(void)
{
	char	 ns[256];
	const char *interfaces =
	    "# interfaces(5)\n"
	    "source /etc/network/interfaces.d/*\n"
	    "auto lo\n"
	    "iface lo inet loopback\n"
	    "\n"
	    "allow-hotplug eth0 eth2\n"
	    "iface eth0 inet dhcp\n"
	    "iface eth1 inet manual\n"
	    "#iface eth3 inet dhcp\n";
	const char *dhcpcd =
	    "hostname\n"
	    "denyinterfaces wlan* eth9\n";
	const char *resolv =
	    "# stub\n"
	    "nameserver 127.0.0.53\n"
	    "nameserver 192.168.1.1\n"
	    "nameserver fe80::1\n"
	    "nameserver 2001:db8::53\n"
	    "search home\n";

	CHECK(plan_ifupdown_stanza(interfaces, "eth0") == 7);
	CHECK_MSG(plan_ifupdown_stanza(interfaces, "eth1") == 0,
	    "inet manual does not fight");
	CHECK_MSG(plan_ifupdown_stanza(interfaces, "eth2") == 6,
	    "allow-hotplug alone counts");
	CHECK_MSG(plan_ifupdown_stanza(interfaces, "eth3") == 0,
	    "commented out");
	CHECK(plan_dhcpcd_denies(dhcpcd, "wlan0") == 1);
	CHECK(plan_dhcpcd_denies(dhcpcd, "eth9") == 1);
	CHECK(plan_dhcpcd_denies(dhcpcd, "eth0") == 0);
	CHECK(plan_dhcpcd_denies("allowinterfaces eth1\n", "eth0") == 1);
	CHECK(plan_dhcpcd_denies("allowinterfaces eth1\n", "eth1") == 0);
	CHECK(plan_dnsmasq_dhcp("port=53\n  dhcp-range=10.0.0.10,10.0.0.99\n"));
	CHECK(!plan_dnsmasq_dhcp("# dhcp-range=10.0.0.10,10.0.0.99\n"));
	CHECK(plan_resolv_nameservers(resolv, ns, sizeof(ns)) == 2);
	CHECK_STREQ(ns, "192.168.1.1, 2001:db8::53");
}

static const char example[] =
    "# homegw.conf: an example.\n"
    "[gateway]\n"
    "# The gateway's own host name.\n"
    "#name = gw\n"
    "\n"
    "[lan]\n"
    "interface = eth0   # the LAN port\n"
    "address = 192.168.1.1/24\n"
    "\n"
    "# The WAN side is optional.\n"
    "#[wan]\n"
    "#interface = eth1\n"
    "#address = 203.0.113.2/24\n"
    "\n"
    "#[host nas]\n"
    "#mac = dc:a6:32:01:02:03\n"
    "#address = 192.168.1.10\n"
    "\n"
    "[dns]\n"
    "#upstream = 9.9.9.9:53\n"
    "unknown_key = kept\n"
    "[web]\n"
    "#password_hash =\n";

static void
test_confedit(void)
{
	char	*t, *u, v[128];

	t = confedit_set(example, "lan", "interface", "br0");
	CHECK(t != NULL && strstr(t, "\ninterface = br0   # the LAN port\n")
	    != NULL);
	CHECK_MSG(t != NULL && strlen(t) == strlen(example) - 1,
	    "nothing else changed");
	u = confedit_set(t, "wan", "interface", "eth7");
	free(t);
	CHECK(u != NULL && strstr(u, "\n[wan]\n#interface = eth1\n"
	    "interface = eth7\n#address = 203.0.113.2/24\n") != NULL);
	t = confedit_set(u, "wan", "address", "198.51.100.2/24");
	free(u);
	CHECK_MSG(t != NULL && strstr(t, "#address = 203.0.113.2/24\n"
	    "address = 198.51.100.2/24\n\n#[host nas]") != NULL,
	    "under its example, not the next commented section's");
	u = confedit_set(t, "wan", "gateway", "198.51.100.1");
	free(t);
	CHECK_MSG(u != NULL && strstr(u, "interface = eth7\n"
	    "gateway = 198.51.100.1\n") == NULL && strstr(u,
	    "address = 198.51.100.2/24\ngateway = 198.51.100.1\n") != NULL,
	    "no example: after the section's last key");
	t = confedit_set(u, "gateway", "name", "router");
	free(u);
	CHECK(t != NULL && strstr(t, "#name = gw\nname = router\n") != NULL);
	u = confedit_set(t, "dns", "upstream", "192.0.2.53");
	free(t);
	CHECK(u != NULL && strstr(u, "#upstream = 9.9.9.9:53\n"
	    "upstream = 192.0.2.53\nunknown_key = kept\n") != NULL);
	t = confedit_set(u, "web", "password_hash", "$y$abc");
	free(u);
	CHECK_MSG(t != NULL && t[strlen(t) - 1] == '\n' &&
	    strstr(t, "#password_hash =\npassword_hash = $y$abc\n") != NULL,
	    "on the last line");
	u = confedit_set(t, "nat", "masquerade", "yes");
	free(t);
	CHECK(u != NULL && strstr(u, "password_hash = $y$abc\n\n[nat]\n"
	    "masquerade = yes\n") != NULL);
	/* Setting again replaces; every original comment is still there. */
	t = confedit_set(u, "wan", "interface", "eth8");
	free(u);
	CHECK(t != NULL && strstr(t, "interface = eth7") == NULL &&
	    strstr(t, "interface = eth8\n") != NULL);
	CHECK(t != NULL && strstr(t, "# The WAN side is optional.\n") &&
	    strstr(t, "#[host nas]\n#mac = dc:a6:32:01:02:03\n") &&
	    strstr(t, "# homegw.conf: an example.\n"));

	CHECK(t != NULL && confedit_get(t, "lan", "interface", v,
	    sizeof(v)) == 0);
	CHECK_STREQ(v, "br0");
	CHECK(t != NULL && confedit_get(t, "wan", "address", v,
	    sizeof(v)) == 0);
	CHECK_STREQ(v, "198.51.100.2/24");
	CHECK(confedit_get(example, "wan", "interface", v, sizeof(v)) < 0);
	CHECK(confedit_get(example, "gateway", "name", v, sizeof(v)) < 0);
	free(t);

	/* No newline at the end, no sections at all. */
	t = confedit_set("[lan]\naddress = 10.0.0.1/24", "lan", "interface",
	    "eth1");
	CHECK_STREQ(t, "[lan]\naddress = 10.0.0.1/24\ninterface = eth1\n");
	free(t);
	t = confedit_set("", "lan", "interface", "eth1");
	CHECK_STREQ(t, "\n[lan]\ninterface = eth1\n");
	free(t);
	/* A [host lan] section is not [lan]; prose with [lan] is no header. */
	t = confedit_set("# the [lan] part\n[host lan]\naddress = 1.2.3.4\n",
	    "lan", "interface", "eth1");
	CHECK_STREQ(t, "# the [lan] part\n[host lan]\naddress = 1.2.3.4\n\n"
	    "[lan]\ninterface = eth1\n");
	free(t);
}

static void
test_sha256_pem(void)
{
	uint8_t	 d[SHA256_LEN], *der;
	char	 f[SHA256_FPR_LEN], *big;
	size_t	 len;

	sha256("", 0, d);
	CHECK_STREQ(sha256_fmt(d, f, sizeof(f)),
	    "E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:"
	    "27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55");
	sha256("abc", 3, d);
	CHECK_STREQ(sha256_fmt(d, f, sizeof(f)),
	    "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:"
	    "B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD");
	sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, d);
	CHECK_STREQ(sha256_fmt(d, f, sizeof(f)),
	    "24:8D:6A:61:D2:06:38:B8:E5:C0:26:93:0C:3E:60:39:"
	    "A3:3C:E4:59:64:FF:21:67:F6:EC:ED:D4:19:DB:06:C1");
	if ((big = malloc(1000000)) != NULL) {
		memset(big, 'a', 1000000);
		sha256(big, 1000000, d);
		CHECK_STREQ(sha256_fmt(d, f, sizeof(f)),
		    "CD:C7:6E:5C:99:14:FB:92:81:A1:C7:E2:84:D7:3E:67:"
		    "F1:80:9A:48:A4:97:20:0E:04:6D:39:CC:C7:11:2C:D0");
		free(big);
	}

	CHECK(plan_pem_to_der("junk\n-----BEGIN CERTIFICATE-----\nAQID\n"
	    "BA==\n-----END CERTIFICATE-----\n", &der, &len) == 0 &&
	    len == 4 && der[0] == 1 && der[3] == 4);
	if (len == 4)
		free(der);
	CHECK(plan_pem_to_der("-----BEGIN CERTIFICATE-----\nA*ID\n"
	    "-----END CERTIFICATE-----\n", &der, &len) < 0);
	CHECK(plan_pem_to_der("-----BEGIN CERTIFICATE-----\nAQ==AQ\n"
	    "-----END CERTIFICATE-----\n", &der, &len) < 0);
	CHECK(plan_pem_to_der("-----BEGIN CERTIFICATE-----\n", &der,
	    &len) < 0);
}

int
main(void)
{
	test_plan();
	test_proc_net();
	test_nat();
	test_managers();
	test_confedit();
	test_sha256_pem();
	return (tap_done());
}
