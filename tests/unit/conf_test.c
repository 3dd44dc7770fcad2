/*
 * SPDX-License-Identifier: ISC
 *
 * conf_test.c: tests of the homegw.conf parser.  Golden files
 * (tests/unit/conf/N.in parsed and printed must equal N.ok), a table with
 * one case per error message, print -> parse -> print round trips, the
 * shipped etc/homegw.conf, a file with several mistakes, defaults, look-ups
 * and a bounded run of random input.  "conf_test --update DIR" rewrites
 * the .ok files in DIR (make update-golden).
 */
#include <sys/stat.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "../tap.h"

#ifndef HGW_WEB_DIR
#define HGW_WEB_DIR	"/usr/local/share/homegw/web"
#endif

static char	 srcdir[PATH_MAX];	/* the top of the source tree */

/* The minimal valid prefix most cases start from: lines 1-3. */
#define LAN	"[lan]\ninterface = eth0\naddress = 192.168.1.1/24\n"

static char *
read_file(const char *path)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0 || (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return (NULL);
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return (NULL);
	}
	buf[n] = '\0';
	fclose(f);
	return (buf);
}

/*
 * conf_print() into a string, with the build's web directory replaced by
 * @HGW_WEB_DIR@ so the golden files do not depend on --prefix.
 */
static char *
print_conf(const struct hgw_conf *c, int subst)
{
	char	*buf = NULL, *out, *p, *q;
	size_t	 len = 0, wl = strlen(HGW_WEB_DIR);
	FILE	*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return (NULL);
	conf_print(f, c);
	fclose(f);
	if ((out = malloc(len + 64)) == NULL) {
		free(buf);
		return (NULL);
	}
	for (p = buf, q = out; *p != '\0';) {
		if (subst && strncmp(p, HGW_WEB_DIR, wl) == 0 &&
		    p[wl] == '\n') {
			q += sprintf(q, "@HGW_WEB_DIR@");
			p += wl;
		} else
			*q++ = *p++;
	}
	*q = '\0';
	free(buf);
	return (out);
}

/* Parse, print, parse the print, print again: the two prints agree. */
static void
check_roundtrip(const char *text, const char *name)
{
	struct hgw_conf	*c1, *c2 = NULL;
	char		*p1 = NULL, *p2 = NULL, *err = NULL;

	if ((c1 = conf_load_string(text, name, &err)) == NULL) {
		CHECK_MSG(0, name);
		TAP_NOTE("%s", err ? err : "(no errors)");
		free(err);
		return;
	}
	p1 = print_conf(c1, 0);
	c2 = conf_load_string(p1, name, &err);
	if (c2 == NULL)
		TAP_NOTE("reparse: %s", err ? err : "(no errors)");
	else
		p2 = print_conf(c2, 0);
	CHECK_MSG(p2 != NULL && strcmp(p1, p2) == 0, name);
	free(err);
	free(p1);
	free(p2);
	conf_free(c1);
	conf_free(c2);
}

/* Run the golden files N.in -> N.ok; with update, write the .ok files. */
static void
test_golden(int update, const char *dir)
{
	char		 in[PATH_MAX], ok[PATH_MAX], name[32];
	char		*text, *want, *got, *err = NULL;
	struct hgw_conf	*c;
	FILE		*f;
	int		 n, count = 0;

	for (n = 1; n < 100; n++) {
		snprintf(in, sizeof(in), "%s/%d.in", dir, n);
		snprintf(ok, sizeof(ok), "%s/%d.ok", dir, n);
		snprintf(name, sizeof(name), "%d.in", n);
		if ((text = read_file(in)) == NULL)
			break;
		count++;
		c = conf_load_string(text, name, &err);
		CHECK_MSG(c != NULL, in);
		if (c == NULL) {
			TAP_NOTE("%s", err ? err : "(no errors)");
			free(err);
			err = NULL;
			free(text);
			continue;
		}
		got = print_conf(c, 1);
		if (update) {
			if ((f = fopen(ok, "w")) != NULL) {
				fputs(got, f);
				fclose(f);
			}
			printf("# wrote %s\n", ok);
		}
		want = read_file(ok);
		CHECK_MSG(want != NULL && got != NULL &&
		    strcmp(want, got) == 0, ok);
		if (want != NULL && got != NULL && strcmp(want, got) != 0)
			TAP_NOTE("got:\n%s", got);
		check_roundtrip(text, name);
		free(want);
		free(got);
		free(text);
		conf_free(c);
	}
	CHECK_MSG(count >= 4, "at least four golden files");
}

/* One input and the exact error text it must produce. */
static const struct {
	const char	*in;
	const char	*err;
} bad[] = {
	/* Lines, sections and keys. */
	{ LAN "interface eth1\n",
	  "t.conf:4: expected \"key = value\" or \"[section]\", got "
	  "\"interface eth1\"" },
	{ "name = gw\n" LAN,
	  "t.conf:1: expected a [section] header before the first key, got "
	  "\"name\"" },
	{ LAN "[dhcp]\nrange = 1\n",
	  "t.conf:4: expected a section name (gateway, lan, wan, host NAME, "
	  "dns, nat, forward NAME, arp, web, firewall, blocklist NAME), "
	  "got \"dhcp\"" },
	{ LAN "[dns\n",
	  "t.conf:4: expected \"[section]\" or \"[section name]\", got "
	  "\"[dns\"" },
	{ LAN "[host]\n",
	  "t.conf:4: expected a name after \"[host\", got \"host\"" },
	{ LAN "[dns cache]\n",
	  "t.conf:4: expected no name after \"[dns\", got \"cache\"" },
	{ LAN "[host my_nas]\n",
	  "t.conf:4: expected a host name (a DNS label: letters, digits, "
	  "'-') after \"[host\", got \"my_nas\"" },
	{ LAN "[lan]\n",
	  "t.conf:4: expected one [lan] section (the first is on line 1), "
	  "got \"lan\"" },
	{ LAN "adress = 192.168.1.2/24\n",
	  "t.conf:4: expected a key of [lan] (interface, address), got "
	  "\"adress\"" },
	{ LAN "Interface = eth0\n",
	  "t.conf:4: expected a key of [lan] (interface, address), got "
	  "\"Interface\"" },
	{ LAN "interface = eth1\n",
	  "t.conf:4: expected \"interface\" only once in [lan] (it is set on "
	  "line 2), got \"eth1\"" },
	{ LAN "= eth1\n",
	  "t.conf:4: expected a key before \"=\", got \"eth1\"" },
	{ "[lan]\ninterface = eth0\n",
	  "t.conf:1: expected key \"address\" in [lan], got \"\"" },
	{ "[gateway]\nname = gw\n",
	  "t.conf:2: expected a [lan] section with \"interface\" and "
	  "\"address\", got \"\"" },
	{ LAN "[wan]\naddress = 203.0.113.2/24\n",
	  "t.conf:4: expected key \"interface\" in [wan], got \"\"" },
	{ LAN "[host nas]\naddress = 192.168.1.10\n",
	  "t.conf:4: expected key \"mac\" in [host nas], got \"\"" },
	{ LAN "[wan]\ninterface = eth1\n[forward web]\nwan_port = 80\n",
	  "t.conf:6: expected key \"to\" in [forward web], got \"\"" },
	{ LAN "[gateway]\nuser = homegw\x01\n",
	  "t.conf:5: expected printable text after \"user\", got "
	  "\"homegw\\x01\"" },
	/* Types. */
	{ LAN "[host nas]\nmac = 02:00:00:00:00:01\naddress = 10.0.0.300\n",
	  "t.conf:6: expected an IPv4 address after \"address\", got "
	  "\"10.0.0.300\"" },
	{ "[lan]\ninterface = eth0\naddress = 192.168.1.1\n",
	  "t.conf:3: expected an IPv4 address with a prefix length "
	  "(a.b.c.d/n) after \"address\", got \"192.168.1.1\"" },
	{ "[lan]\ninterface = eth0\naddress = 192.168.1.1/31\n",
	  "t.conf:3: expected a prefix length from /8 to /30 after "
	  "\"address\", got \"192.168.1.1/31\"" },
	{ "[lan]\ninterface = eth0\naddress = 192.168.1.0/24\n",
	  "t.conf:3: expected the gateway's host address, not the network or "
	  "broadcast address, after \"address\", got \"192.168.1.0\"" },
	{ "[lan]\ninterface = eth0/1\naddress = 192.168.1.1/24\n",
	  "t.conf:2: expected an interface name (at most 15 characters) after "
	  "\"interface\", got \"eth0/1\"" },
	/* A comment right after '=' (found by the fuzzer's round trip). */
	{ "[lan]\ninterface=#eth0\naddress = 192.168.1.1/24\n",
	  "t.conf:2: expected an interface name (at most 15 characters) after "
	  "\"interface\", got \"\"" },
	{ "[lan]\ninterface = averyveryverylongname\n"
	  "address = 192.168.1.1/24\n",
	  "t.conf:2: expected an interface name (at most 15 characters) after "
	  "\"interface\", got \"averyveryverylongname\"" },
	{ LAN "[host nas]\nmac = 02:00:00:00:00\naddress = 192.168.1.10\n",
	  "t.conf:5: expected a MAC address (aa:bb:cc:dd:ee:ff) after \"mac\", "
	  "got \"02:00:00:00:00\"" },
	{ LAN "[host nas]\nmac = 01:00:5e:00:00:01\naddress = 192.168.1.10\n",
	  "t.conf:5: expected a unicast MAC address after \"mac\", got "
	  "\"01:00:5e:00:00:01\"" },
	{ LAN "[dns]\nserve_stale = maybe\n",
	  "t.conf:5: expected yes or no after \"serve_stale\", got \"maybe\"" },
	{ LAN "[dns]\nmax_ttl = 999999999\n",
	  "t.conf:5: expected a number from 1 to 604800 after \"max_ttl\", got "
	  "\"999999999\"" },
	{ LAN "[dns]\ncache_size = -1\n",
	  "t.conf:5: expected a number from 0 to 1000000 after \"cache_size\", "
	  "got \"-1\"" },
	{ LAN "[dns]\nupstream = 9.9.9.9, dns.example\n",
	  "t.conf:5: expected an IP address with an optional :port after "
	  "\"upstream\", got \"dns.example\"" },
	{ LAN "[dns]\nupstream = 9.9.9.9:0\n",
	  "t.conf:5: expected an IP address with an optional :port after "
	  "\"upstream\", got \"9.9.9.9:0\"" },
	{ LAN "[dns]\nupstream = 9.9.9.9,,1.1.1.1\n",
	  "t.conf:5: expected a comma-separated list without empty entries "
	  "after \"upstream\", got \"9.9.9.9,,1.1.1.1\"" },
	{ LAN "[dns]\nupstream = 1.1.1.1, 1.1.1.1:53\n",
	  "t.conf:5: expected each address once after \"upstream\", got "
	  "\"1.1.1.1:53\"" },
	{ LAN "[firewall]\nwan_allow = tcp/22, ssh\n",
	  "t.conf:5: expected tcp/PORT or udp/PORT (a port or a range N-M) "
	  "after \"wan_allow\", got \"ssh\"" },
	{ LAN "[firewall]\nwan_allow = icmp/8\n",
	  "t.conf:5: expected tcp/PORT or udp/PORT (a port or a range N-M) "
	  "after \"wan_allow\", got \"icmp/8\"" },
	{ LAN "[firewall]\nwan_allow = tcp/0\n",
	  "t.conf:5: expected tcp/PORT or udp/PORT (a port or a range N-M) "
	  "after \"wan_allow\", got \"tcp/0\"" },
	{ LAN "[firewall]\nwan_allow = all\n",
	  "t.conf:5: expected tcp/PORT or udp/PORT (a port or a range N-M) "
	  "after \"wan_allow\", got \"all\"" },
	{ LAN "[firewall]\nwan_allow = tcp/8000-8010, udp/8005, tcp/8005\n",
	  "t.conf:5: expected each port once after \"wan_allow\", got "
	  "\"tcp/8005\"" },
	{ LAN "[firewall]\nlan_allow = tcp/80-79\n",
	  "t.conf:5: expected tcp/PORT or udp/PORT (a port or a range N-M), "
	  "or all, after \"lan_allow\", got \"tcp/80-79\"" },
	{ LAN "[firewall]\nwan_ping_rate = 0\n",
	  "t.conf:5: expected a number from 1 to 10000 after "
	  "\"wan_ping_rate\", got \"0\"" },
	{ LAN "[dns]\nlisten =\n",
	  "t.conf:5: expected at least one address after \"listen\", got \"\"" },
	{ LAN "[dns]\nupstream = 1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4, 1.1.1.5, "
	  "1.1.1.6, 1.1.1.7, 1.1.1.8, 1.1.1.9, 1.1.1.10, 1.1.1.11, 1.1.1.12, "
	  "1.1.1.13, 1.1.1.14, 1.1.1.15, 1.1.1.16, 1.1.1.17\n",
	  "t.conf:5: expected at most 16 comma-separated entries after "
	  "\"upstream\", got \"1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4, 1.1.1.5, "
	  "1.1.1.6, 1.1.1.7, 1...\"" },
	{ LAN "[dns]\nconditional = corp.example\n",
	  "t.conf:5: expected domain=address[:port] after \"conditional\", got "
	  "\"corp.example\"" },
	{ LAN "[dns]\nconditional = corp..example=10.1.1.1\n",
	  "t.conf:5: expected a domain name before \"=\" after \"conditional\", "
	  "got \"corp..example\"" },
	{ LAN "[dns]\nconditional = corp.example=10.1.1\n",
	  "t.conf:5: expected an IP address with an optional :port after "
	  "\"corp.example=\", got \"10.1.1\"" },
	{ LAN "[dns]\nconditional = a.example=10.1.1.1, A.example.=10.1.1.2\n",
	  "t.conf:5: expected each domain once after \"conditional\", got "
	  "\"a.example\"" },
	{ LAN "[dns]\nmin_ttl = 600\nmax_ttl = 300\n",
	  "t.conf:6: expected a max_ttl no lower than min_ttl (600), got "
	  "\"300\"" },
	{ LAN "[gateway]\nname = -gw\n",
	  "t.conf:5: expected a host name (a DNS label: letters, digits, '-') "
	  "after \"name\", got \"-gw\"" },
	{ LAN "[gateway]\ndomain = home..arpa\n",
	  "t.conf:5: expected a domain name after \"domain\", got "
	  "\"home..arpa\"" },
	{ LAN "[gateway]\nstate_dir = var/lib\n",
	  "t.conf:5: expected an absolute path after \"state_dir\", got "
	  "\"var/lib\"" },
	{ LAN "[gateway]\nuser = Root\n",
	  "t.conf:5: expected a user name after \"user\", got \"Root\"" },
	{ LAN "[gateway]\nretention_days = 0\n",
	  "t.conf:5: expected a number from 1 to 3650 after \"retention_days\", "
	  "got \"0\"" },
	{ LAN "[arp]\nproxy = 192.168.1.200/33\n",
	  "t.conf:5: expected an IPv4 address or prefix (a.b.c.d/n) after "
	  "\"proxy\", got \"192.168.1.200/33\"" },
	{ LAN "[web]\npassword_hash = secret\n",
	  "t.conf:5: expected a crypt(3) hash starting with \"$\" after "
	  "\"password_hash\", got \"secret\"" },
	{ LAN "[web]\nmax_clients = 4\nmax_clients_per_ip = 8\n",
	  "t.conf:6: expected a max_clients_per_ip no higher than max_clients "
	  "(4), got \"8\"" },
	{ LAN "[web]\ncert_file = /etc/gw.crt\n",
	  "t.conf:5: expected both cert_file and key_file, or neither, in "
	  "[web], got \"/etc/gw.crt\"" },
	{ LAN "[web]\nmetrics_token = short\n",
	  "t.conf:5: expected 16 to 128 printable characters without spaces "
	  "after \"metrics_token\", got \"short\"" },
	{ LAN "[web]\ntls = maybe\n",
	  "t.conf:5: expected yes or no after \"tls\", got \"maybe\"" },
	/* Hosts. */
	{ LAN "[host nas]\nmac = 02:00:00:00:00:01\naddress = 10.0.0.5\n",
	  "t.conf:6: expected an address inside the LAN 192.168.1.0/24 after "
	  "\"address\", got \"10.0.0.5\"" },
	{ LAN "[host nas]\nmac = 02:00:00:00:00:01\naddress = 192.168.1.255\n",
	  "t.conf:6: expected a host address, not the LAN's network, "
	  "broadcast or gateway address, after \"address\", got "
	  "\"192.168.1.255\"" },
	{ LAN "[host nas]\nmac = 02:00:00:00:00:01\naddress = 192.168.1.1\n",
	  "t.conf:6: expected a host address, not the LAN's network, "
	  "broadcast or gateway address, after \"address\", got "
	  "\"192.168.1.1\"" },
	{ LAN "[host a]\nmac = 02:00:00:00:00:01\naddress = 192.168.1.10\n"
	  "[host b]\nmac = 02:00:00:00:00:02\naddress = 192.168.1.10\n",
	  "t.conf:9: expected an address no other host has (host \"a\", line "
	  "6), got \"192.168.1.10\"" },
	{ LAN "[host a]\nmac = 02:00:00:00:00:01\naddress = 192.168.1.10\n"
	  "[host b]\nmac = 02-00-00-00-00-01\naddress = 192.168.1.11\n",
	  "t.conf:8: expected a MAC address no other host has (host \"a\", "
	  "line 5), got \"02:00:00:00:00:01\"" },
	{ LAN "[host a]\nmac = 02:00:00:00:00:01\naddress = 192.168.1.10\n"
	  "[host A]\nmac = 02:00:00:00:00:02\naddress = 192.168.1.11\n",
	  "t.conf:7: expected a host name not used before (line 4), got "
	  "\"A\"" },
	{ LAN "[host gw]\nmac = 02:00:00:00:00:01\naddress = 192.168.1.10\n",
	  "t.conf:4: expected a host name other than the gateway's own name, "
	  "got \"gw\"" },
	/* WAN. */
	{ LAN "[wan]\ninterface = eth1\naddress = 192.168.1.2/24\n",
	  "t.conf:6: expected a WAN address outside the LAN 192.168.1.0/24 "
	  "after \"address\", got \"192.168.1.2/24\"" },
	{ LAN "[wan]\ninterface = eth1\naddress = 192.0.0.2/8\n",
	  "t.conf:6: expected a WAN address outside the LAN 192.168.1.0/24 "
	  "after \"address\", got \"192.0.0.2/8\"" },
	{ LAN "[wan]\ninterface = eth1\naddress = 203.0.113.2/24\n"
	  "gateway = 198.51.100.1\n",
	  "t.conf:7: expected a gateway inside the WAN prefix 203.0.113.2/24 "
	  "other than the WAN address after \"gateway\", got "
	  "\"198.51.100.1\"" },
	{ LAN "[wan]\ninterface = eth1\ngateway = 192.168.1.7\n",
	  "t.conf:6: expected a gateway outside the LAN 192.168.1.0/24 after "
	  "\"gateway\", got \"192.168.1.7\"" },
	/* Forwards. */
	{ LAN "[forward web]\nwan_port = 80\nto = 192.168.1.10\n",
	  "t.conf:4: expected a [wan] section for port forwards, got "
	  "\"[forward web]\"" },
	{ LAN "[wan]\ninterface = eth1\n[forward web]\nprotocol = sctp\n"
	  "wan_port = 80\nto = 192.168.1.10\n",
	  "t.conf:7: expected tcp, udp or both after \"protocol\", got "
	  "\"sctp\"" },
	{ LAN "[wan]\ninterface = eth1\n[forward web]\nwan_port = 90-80\n"
	  "to = 192.168.1.10\n",
	  "t.conf:7: expected a port or a range N-M (1 to 65535) after "
	  "\"wan_port\", got \"90-80\"" },
	{ LAN "[wan]\ninterface = eth1\n[forward web]\nwan_port = 80\n"
	  "to = 192.168.1.10:http\n",
	  "t.conf:8: expected an IPv4 address with an optional :port after "
	  "\"to\", got \"192.168.1.10:http\"" },
	{ LAN "[wan]\ninterface = eth1\n[forward web]\nwan_port = 80\n"
	  "to = 10.9.9.9:8080\n",
	  "t.conf:8: expected an address inside the LAN 192.168.1.0/24 after "
	  "\"to\", got \"10.9.9.9:8080\"" },
	{ LAN "[wan]\ninterface = eth1\n[forward web]\nwan_port = 80\n"
	  "to = 192.168.1.1\n",
	  "t.conf:8: expected a LAN host address, not the network, broadcast "
	  "or gateway address, after \"to\", got \"192.168.1.1:80\"" },
	{ LAN "[wan]\ninterface = eth1\n[forward web]\nwan_port = 8000-8009\n"
	  "to = 192.168.1.10:65530\n",
	  "t.conf:8: expected a port range that ends at 65535 at most (10 "
	  "ports) after \"to\", got \"192.168.1.10:65530\"" },
	{ LAN "[wan]\ninterface = eth1\n[forward a]\nwan_port = 8000-8010\n"
	  "to = 192.168.1.10\n[forward b]\nprotocol = both\nwan_port = 8010\n"
	  "to = 192.168.1.11\n",
	  "t.conf:11: expected WAN ports no other forward uses (forward \"a\", "
	  "line 7) after \"wan_port\", got \"8010\"" },
	{ LAN "[wan]\ninterface = eth1\n[forward a]\nwan_port = 53\n"
	  "to = 192.168.1.10\n[forward a]\n",
	  "t.conf:9: expected a forward name not used before (line 6), got "
	  "\"a\"" },
	/* Blocking (issue 15). */
	{ LAN "[dns]\nblock_reply = refused\n",
	  "t.conf:5: expected null, nxdomain or nodata after \"block_reply\", "
	  "got \"refused\"" },
	{ LAN "[dns]\nblock_deny = ads.example, ads..example\n",
	  "t.conf:5: expected a domain name, or *. and a domain name, after "
	  "\"block_deny\", got \"ads..example\"" },
	{ LAN "[dns]\nblock_allow = *.a.example, *.A.example\n",
	  "t.conf:5: expected each domain once after \"block_allow\", got "
	  "\"*.A.example\"" },
	{ LAN "[dns]\nblock_shrink_max = 101\n",
	  "t.conf:5: expected a number from 0 to 100 after "
	  "\"block_shrink_max\", got \"101\"" },
	{ LAN "[blocklist ads]\nenabled = yes\n",
	  "t.conf:4: expected key \"source\" in [blocklist ads], got \"\"" },
	{ LAN "[blocklist ads]\nsource = lists/ads.txt\n",
	  "t.conf:5: expected an absolute path or an http:// or https:// URL "
	  "(at most 1024 characters, no spaces) after \"source\", got "
	  "\"lists/ads.txt\"" },
	{ LAN "[blocklist ads]\nsource = ftp://example.org/a\n",
	  "t.conf:5: expected an absolute path or an http:// or https:// URL "
	  "(at most 1024 characters, no spaces) after \"source\", got "
	  "\"ftp://example.org/a\"" },
	{ LAN "[blocklist ads]\nsource = https:///a\n",
	  "t.conf:5: expected an absolute path or an http:// or https:// URL "
	  "(at most 1024 characters, no spaces) after \"source\", got "
	  "\"https:///a\"" },
	{ LAN "[blocklist own]\nsource = /a\n",
	  "t.conf:4: expected a blocklist name other than \"own\" (the "
	  "owner's own entries), got \"own\"" },
	{ LAN "[blocklist a]\nsource = /a\n[blocklist a]\nsource = /b\n",
	  "t.conf:6: expected a blocklist name not used before (line 4), got "
	  "\"a\"" },
	{ LAN "[blocklist a]\nsource = /a\ngroups = kids, Kids\n",
	  "t.conf:6: expected each group once after \"groups\", got "
	  "\"Kids\"" },
	{ LAN "[host tv]\nmac = 02:00:00:00:00:01\naddress = 192.168.1.9\n"
	  "groups = kids_tv\n",
	  "t.conf:7: expected a group name (a DNS label: letters, digits, "
	  "'-') after \"groups\", got \"kids_tv\"" },
	{ LAN "[blocklist a]\nsource = /a\ngroups = g1, g2, g3, g4, g5, g6, "
	  "g7, g8, g9, g10, g11, g12, g13, g14, g15, g16\n"
	  "[blocklist b]\nsource = /b\ngroups = h1, h2, h3, h4, h5, h6, "
	  "h7, h8, h9, h10, h11, h12, h13, h14, h15, h16\n",
	  "t.conf:9: expected at most 32 client groups in all, got \"h16\"" },
};

static void
test_errors(void)
{
	struct hgw_conf	*c;
	char		*err;
	size_t		 i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		c = conf_load_string(bad[i].in, "t.conf", &err);
		CHECK_MSG(c == NULL && errno == EINVAL, bad[i].err);
		/* Exactly this one error, on one line. */
		n = err != NULL ? strlen(err) : 0;
		if (n > 0 && err[n - 1] == '\n')
			err[n - 1] = '\0';
		CHECK_STREQ(err, bad[i].err);
		free(err);
		conf_free(c);
	}
	/* Same-protocol-free forwards do not overlap: tcp 53 and udp 53. */
	c = conf_load_string(LAN "[wan]\ninterface = eth1\n[forward a]\n"
	    "wan_port = 53\nto = 192.168.1.10\n[forward b]\nprotocol = udp\n"
	    "wan_port = 53\nto = 192.168.1.11\n", "t.conf", NULL);
	CHECK(c != NULL && c->nforwards == 2);
	conf_free(c);
}

static void
test_three_mistakes(void)
{
	const char *text =
	    "[gateway]\n"
	    "name = gw\n"
	    "colour = blue\n"				/* 3: unknown key */
	    LAN						/* 4-6 */
	    "[dns]\n"
	    "cache_size = lots\n"			/* 8: not a number */
	    "[host printer]\n"
	    "mac = 02:00:00:00:00:09\n"
	    "address = 192.168.2.9\n";			/* 11: outside LAN */
	struct hgw_conf	*c;
	char		*err = NULL;

	c = conf_load_string(text, "homegw.conf", &err);
	CHECK(c == NULL);
	CHECK_STREQ(err,
	    "homegw.conf:3: expected a key of [gateway] (name, domain, "
	    "state_dir, run_dir, user, retention_days), got \"colour\"\n"
	    "homegw.conf:8: expected a number from 0 to 1000000 after "
	    "\"cache_size\", got \"lots\"\n"
	    "homegw.conf:11: expected an address inside the LAN 192.168.1.0/24 "
	    "after \"address\", got \"192.168.2.9\"\n");
	free(err);
}

static void
test_syntax(void)
{
	struct hgw_conf	*c;
	struct hgw_host	*h;
	struct in_addr	 a;
	uint8_t		 mac[ADDR_MAC_LEN];
	char		 buf[PATH_MAX], ep[ADDR_STRLEN];
	char		*err = NULL;

	/* Comments, blank lines, CRLF, tabs, '#' inside a value. */
	c = conf_load_string(
	    "# a comment\r\n"
	    "; another\n"
	    "\n"
	    "  [lan]   # trailing comment\r\n"
	    "\tinterface\t=\teth0 ; comment\n"
	    "address=192.168.1.1/24#not-a-comment-so-bad\n", "t.conf", &err);
	CHECK(c == NULL);
	CHECK(err != NULL && strstr(err, "t.conf:6: expected a prefix "
	    "length") == NULL && strstr(err, "t.conf:6: expected an IPv4 "
	    "address with a prefix length (a.b.c.d/n) after \"address\", got "
	    "\"192.168.1.1/24#not-a-comment-so-bad\"") != NULL);
	free(err);
	err = NULL;
	c = conf_load_string(
	    "# a comment\r\n"
	    "  [lan]   # trailing comment\r\n"
	    "\tinterface\t=\teth0 ; comment\n"
	    "address=192.168.1.1/24\n"
	    "[ host  NAS ]\n"
	    "mac = DC:A6:32:01:02:03\n"
	    "address = 192.168.1.10\n"
	    "pin_arp = on\n"
	    "[gateway]\n"
	    "run_dir = /tmp/hgw run\n"
	    "[web]\n"
	    "password_hash = $y$j9T$abc#def$xyz\n"
	    "[dns]\n"
	    "serve_stale = 0\n"
	    "prefetch = TRUE\n", "t.conf", &err);
	CHECK(c == NULL);	/* "TRUE": booleans are lower case */
	CHECK(err != NULL && strstr(err, "t.conf:15: expected yes or no "
	    "after \"prefetch\", got \"TRUE\"") != NULL);
	free(err);
	err = NULL;
	c = conf_load_string(
	    "  [lan]   # trailing comment\r\n"
	    "\tinterface\t=\teth0 ; comment\n"
	    "address=192.168.1.1/24\n"
	    "[ host  NAS ]\n"
	    "mac = DC:A6:32:01:02:03\n"
	    "address = 192.168.1.10\n"
	    "pin_arp = on\n"
	    "[gateway]\n"
	    "run_dir = /tmp/hgw run\n"
	    "[web]\n"
	    "password_hash = $y$j9T$abc#def$xyz\n"
	    "[dns]\n"
	    "serve_stale = 0\n"
	    "prefetch = true\n"
	    "upstream = 9.9.9.9, [2620:fe::fe]:53\n", "t.conf", &err);
	CHECK(c != NULL);
	if (c == NULL) {
		TAP_NOTE("%s", err);
		free(err);
		return;
	}
	CHECK_STREQ(c->lan.ifname, "eth0");
	CHECK(c->lan.plen == 24);
	CHECK(c->nhosts == 1);
	CHECK((h = conf_host_by_name(c, "nas")) != NULL && h->pin_arp == 1);
	CHECK(conf_host_by_name(c, "NAS") == h);
	CHECK(h != NULL && h->line == 4);
	inet_pton(AF_INET, "192.168.1.10", &a);
	CHECK(conf_host_by_addr(c, a) == h);
	inet_pton(AF_INET, "192.168.1.11", &a);
	CHECK(conf_host_by_addr(c, a) == NULL);
	addr_parse_mac("dc:a6:32:01:02:03", mac);
	CHECK(conf_host_by_mac(c, mac) == h);
	mac[5] ^= 1;
	CHECK(conf_host_by_mac(c, mac) == NULL);
	CHECK_STREQ(c->gateway.run_dir, "/tmp/hgw run");
	CHECK_STREQ(c->web.password_hash, "$y$j9T$abc#def$xyz");
	CHECK(c->dns.serve_stale == 0 && c->dns.prefetch == 1);
	CHECK(c->dns.nupstream == 2);
	CHECK_STREQ(addr_fmt_endpoint(&c->dns.upstream[1], ep, sizeof(ep)),
	    "[2620:fe::fe]:53");
	/* Listen defaults follow the LAN address. */
	CHECK(c->dns.nlisten == 2);
	CHECK_STREQ(addr_fmt_endpoint(&c->dns.listen[0], ep, sizeof(ep)),
	    "192.168.1.1:53");
	CHECK_STREQ(addr_fmt_endpoint(&c->dns.listen[1], ep, sizeof(ep)),
	    "127.0.0.1:53");
	CHECK(c->web.nlisten == 1);
	CHECK_STREQ(addr_fmt_endpoint(&c->web.listen[0], ep, sizeof(ep)),
	    "192.168.1.1:443");
	CHECK(c->web.tls == 1);
	CHECK(c->web.nhttp_listen == 1);
	CHECK_STREQ(addr_fmt_endpoint(&c->web.http_listen[0], ep, sizeof(ep)),
	    "192.168.1.1:80");
	CHECK(conf_live_db(c, buf, sizeof(buf)) == 0);
	CHECK_STREQ(buf, "/tmp/hgw run/live.db");
	CHECK(conf_persist_db(c, buf, sizeof(buf)) == 0);
	CHECK_STREQ(buf, "/var/lib/homegw/homegw.db");
	CHECK(conf_live_db(c, buf, 8) == -ENAMETOOLONG);
	CHECK_STREQ(c->path, "t.conf");
	conf_free(c);
}

static void
test_forward_ports(void)
{
	struct hgw_conf		*c;
	struct hgw_forward	*f;
	char			*err = NULL;

	c = conf_load_string(LAN "[wan]\ninterface = eth1\n"
	    "[forward game]\nprotocol = udp\nwan_port = 27015-27020\n"
	    "to = 192.168.1.20\n"
	    "[forward ssh]\nwan_port = 2222\nto = 192.168.1.21:22\n"
	    "[forward shift]\nprotocol = both\nwan_port = 9000-9009\n"
	    "to = 192.168.1.22:7000\n", "t.conf", &err);
	CHECK(c != NULL && c->nforwards == 3);
	if (c == NULL) {
		TAP_NOTE("%s", err);
		free(err);
		return;
	}
	f = TAILQ_FIRST(&c->forwards);
	CHECK(f->proto == CONF_PROTO_UDP && f->wan_port == 27015 &&
	    f->wan_port_end == 27020 && f->to_port == 27015);
	f = TAILQ_NEXT(f, entry);
	CHECK(f->proto == CONF_PROTO_TCP && f->wan_port == 2222 &&
	    f->wan_port_end == 2222 && f->to_port == 22);
	f = TAILQ_NEXT(f, entry);
	CHECK(f->proto == CONF_PROTO_BOTH && f->wan_port == 9000 &&
	    f->wan_port_end == 9009 && f->to_port == 7000);
	CHECK(f->line == 13);
	conf_free(c);
}

static void
test_defaults(void)
{
	struct hgw_conf	*c = conf_default();
	char		 ep[ADDR_STRLEN];

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_STREQ(c->gateway.name, "gw");
	CHECK_STREQ(c->gateway.domain, "home.arpa");
	CHECK_STREQ(c->gateway.state_dir, "/var/lib/homegw");
	CHECK_STREQ(c->gateway.run_dir, "/run/homegw");
	CHECK_STREQ(c->gateway.user, "homegw");
	CHECK(c->gateway.retention_days == 30);
	CHECK(c->lan.ifname[0] == '\0' && c->wan.ifname[0] == '\0');
	CHECK(c->dns.nlisten == 1);
	CHECK_STREQ(addr_fmt_endpoint(&c->dns.listen[0], ep, sizeof(ep)),
	    "127.0.0.1:53");
	CHECK(c->dns.cache_size == 10000 && c->dns.min_ttl == 0 &&
	    c->dns.max_ttl == 86400 && c->dns.negative_ttl == 3600);
	CHECK(c->dns.serve_stale == 1 && c->dns.prefetch == 0 &&
	    c->dns.timeout_ms == 1000 && c->dns.rate_limit == 0);
	CHECK(c->dns.rebind_protection == 1 && c->dns.query_log == 1 &&
	    c->dns.query_log_max == 100000 && c->dns.threads == 1);
	CHECK(c->nat.masquerade == 1 && c->nat.flow_offload == 1 &&
	    c->nat.hairpin == 1 && c->nat.max_flows == 16384 &&
	    c->nat.history_interval == 300);
	CHECK(c->arp.nproxy == 0 && c->arp.max_stations == 10000 &&
	    c->arp.storm_threshold == 30 && c->arp.prime == 1);
	CHECK(c->web.nlisten == 0 && c->web.open_access == 0 &&
	    c->web.session_timeout == 3600 && c->web.max_clients == 128 &&
	    c->web.max_clients_per_ip == 8);
	CHECK_STREQ(c->web.assets_dir, HGW_WEB_DIR);
	CHECK(c->web.password_hash[0] == '\0');
	CHECK(TAILQ_EMPTY(&c->hosts) && TAILQ_EMPTY(&c->forwards));
	conf_free(c);
	conf_free(NULL);
}

static void
test_shipped(void)
{
	char		 path[PATH_MAX];
	char		*err = NULL;
	struct hgw_conf	*c;

	snprintf(path, sizeof(path), "%s/etc/homegw.conf", srcdir);
	c = conf_load(path, &err);
	CHECK_MSG(c != NULL, "etc/homegw.conf parses");
	if (c == NULL)
		TAP_NOTE("%s", err ? err : strerror(errno));
	free(err);
	conf_free(c);

	err = NULL;
	errno = 0;
	c = conf_load("/nonexistent/homegw.conf", &err);
	CHECK(c == NULL && errno == ENOENT && err == NULL);
}

/* Bounded limits: long lines, many errors, too many hosts. */
static void
test_limits(void)
{
	struct hgw_conf	*c;
	char		*text, *err = NULL, *p;
	size_t		 n = 6000, i;
	int		 lines;

	/* A line longer than the limit is reported, not truncated. */
	if ((text = malloc(n + 64)) == NULL)
		return;
	p = text + sprintf(text, LAN "# ");
	memset(p, 'x', n);
	strcpy(p + n, "\n");
	c = conf_load_string(text, "t.conf", &err);
	CHECK(c == NULL && err != NULL && strncmp(err, "t.conf:4: expected a "
	    "line of at most 4095 characters, got \"# xxxx", 45) == 0);
	free(err);
	free(text);

	/* More than 50 errors: 50 listed, then a count. */
	err = NULL;
	if ((text = malloc(100 * 16 + 64)) == NULL)
		return;
	p = text + sprintf(text, LAN);
	for (i = 0; i < 100; i++)
		p += sprintf(p, "bad line %zu\n", i);
	c = conf_load_string(text, "t.conf", &err);
	for (lines = 0, p = err; p != NULL && *p != '\0'; p++)
		lines += *p == '\n';
	CHECK(c == NULL && lines == 51);
	CHECK(err != NULL && strstr(err, "t.conf:103: expected at most 50 "
	    "errors to be listed, got \"50 more\"\n") != NULL);
	free(err);
	free(text);

	/* NUL bytes inside a line. */
	err = NULL;
	c = conf_load_buffer(LAN "name\0 = x\n", sizeof(LAN "name\0 = x\n") - 1,
	    "t.conf", &err);
	CHECK_STREQ(err, "t.conf:4: expected text without NUL bytes, got "
	    "\"name\"\n");
	free(err);
	conf_free(c);
}

/* Random and mutated input never crashes (the fuzzer does more). */
static void
test_random(void)
{
	static const char *pieces[] = {
		"[lan]\n", "[host a]\n", "[forward f]\n", "[wan]\n", "[dns]\n",
		"interface = eth0\n", "address = 192.168.1.1/24\n", "=",
		"mac = 02:00:00:00:00:01\n", "to = 192.168.1.9:1\n", "#", ";",
		"wan_port = 1-65535\n", "upstream = 1.1.1.1, ::1\n", ",", "\n",
		"conditional = a=1.1.1.1\n", "[", "]", " ", "\t", "\r", "\x01",
		"\xff", "address = 192.168.1.2\n", "listen = [::1]:53\n",
	};
	char		 buf[512];
	char		*err;
	struct hgw_conf	*c;
	unsigned int	 seed = 12345, i, j, len, ok = 0;

	for (i = 0; i < 3000; i++) {
		/* Mostly after a valid [lan], so later checks are reached. */
		len = i % 3 ? (unsigned int)snprintf(buf, sizeof(buf), LAN) : 0;
		for (j = 0; j < 1 + i % 12 && len < sizeof(buf) - 64; j++) {
			seed = seed * 1103515245U + 12345U;
			len += (unsigned int)snprintf(buf + len,
			    sizeof(buf) - len, "%s",
			    pieces[(seed >> 16) % (sizeof(pieces) /
			    sizeof(pieces[0]))]);
		}
		err = NULL;
		c = conf_load_buffer(buf, len, "r.conf", &err);
		if (c != NULL) {
			ok++;
			check_roundtrip(buf, "random round trip");
		}
		conf_free(c);
		free(err);
	}
	TAP_NOTE("%u of 3000 random inputs were valid", ok);
	CHECK_MSG(1, "3000 random inputs without a crash");
}

/* Every fuzzer seed, crash regressions included, parses without harm. */
static void
test_corpus(void)
{
	char		 dir[PATH_MAX], path[PATH_MAX * 2];
	char		*buf, *err;
	struct dirent	*de;
	struct hgw_conf	*c;
	DIR		*d;
	FILE		*f;
	size_t		 len;
	int		 n = 0;

	snprintf(dir, sizeof(dir), "%s/fuzz/corpus/conf", srcdir);
	if ((d = opendir(dir)) == NULL) {
		CHECK_MSG(0, "fuzz/corpus/conf is readable");
		return;
	}
	if ((buf = malloc(65536 + 1)) == NULL) {
		closedir(d);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		len = fread(buf, 1, 65536, f);
		fclose(f);
		buf[len] = '\0';
		err = NULL;
		c = conf_load_buffer(buf, len, de->d_name, &err);
		CHECK_MSG(c != NULL || err != NULL, path);
		if (c != NULL)
			check_roundtrip(buf, de->d_name);
		conf_free(c);
		free(err);
		n++;
	}
	closedir(d);
	free(buf);
	CHECK_MSG(n >= 5, "at least five fuzzer seeds");
}

/*
 * [host] label (issue 17): any UTF-8 text of up to 64 bytes without
 * control characters, printed back as given; each bad one named by line.
 */
static void
test_host_label(void)
{
	static const struct {
		const char	*label;
		const char	*err;	/* NULL: accepted */
	} cases[] = {
		{ "Living Room TV", NULL },
		{ "b\xc3\xbcro-pc", NULL },
		{ "<script>alert(1)</script> & \"x\"", NULL },
		{ "\xe5\xae\xa2\xe5\x8e\x85 \xf0\x9f\x93\xba", NULL },
		{ "\xff\xfe", "text in UTF-8" },
		{ "b\xc3", "text in UTF-8" },			/* cut short */
		{ "\xc0\xaf", "text in UTF-8" },		/* overlong '/' */
		{ "\xed\xa0\x80", "text in UTF-8" },		/* surrogate */
		{ "\xf4\x90\x80\x80", "text in UTF-8" },	/* > U+10FFFF */
		{ "tab\there", "text without control characters" },
		{ "bell\x07", "printable text" },	/* the line reader */
		{ "c1 \xc2\x85", "text without control characters" },
		{ "del\x7f", "text without control characters" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "text of 1 to 64 bytes" },
	};
	char		 text[512], want[256];
	struct hgw_conf	*c;
	struct hgw_host	*h;
	char		*err = NULL;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), LAN "[host tv]\n"
		    "mac = 02:00:00:00:00:01\naddress = 192.168.1.10\n"
		    "label = %s\n", cases[i].label);
		c = conf_load_string(text, "t.conf", &err);
		if (cases[i].err == NULL) {
			CHECK_MSG(c != NULL, cases[i].label);
			h = c ? conf_host_by_name(c, "tv") : NULL;
			CHECK(h != NULL && h->has_label);
			CHECK_STREQ(h ? h->label : NULL, cases[i].label);
			if (c != NULL)
				check_roundtrip(text, "label");
		} else {
			snprintf(want, sizeof(want), "t.conf:7: expected %s "
			    "after \"label\"", cases[i].err);
			CHECK_MSG(c == NULL && err != NULL &&
			    strstr(err, want) != NULL, want);
			if (err != NULL && strstr(err, want) == NULL)
				TAP_NOTE("%s", err);
		}
		conf_free(c);
		free(err);
		err = NULL;
	}
	/* Without a label nothing is printed for it. */
	c = conf_load_string(LAN "[host tv]\nmac = 02:00:00:00:00:01\n"
	    "address = 192.168.1.10\n", "t.conf", &err);
	h = c ? conf_host_by_name(c, "tv") : NULL;
	CHECK(h != NULL && !h->has_label && h->label[0] == '\0');
	conf_free(c);
	free(err);
}

int
main(int argc, char *argv[])
{
	char		 dir[PATH_MAX];
	const char	*top = getenv("top_srcdir");
	char		*slash;

	if (top != NULL && *top != '\0')
		snprintf(srcdir, sizeof(srcdir), "%s", top);
	else {
		/* __FILE__ is relative to where make ran, the build dir. */
		snprintf(srcdir, sizeof(srcdir), "%s", __FILE__);
		if ((slash = strrchr(srcdir, '/')) != NULL)
			*slash = '\0';
		strncat(srcdir, "/../..", sizeof(srcdir) - strlen(srcdir) - 1);
	}
	if (argc == 3 && strcmp(argv[1], "--update") == 0) {
		test_golden(1, argv[2]);
		return (tap_done());
	}
	snprintf(dir, sizeof(dir), "%s/tests/unit/conf", srcdir);
	test_golden(0, dir);
	test_errors();
	test_three_mistakes();
	test_syntax();
	test_forward_ports();
	test_defaults();
	test_shipped();
	test_limits();
	test_random();
	test_corpus();
	test_host_label();
	return (tap_done());
}
