/*
 * SPDX-License-Identifier: ISC
 *
 * natd_rules_test.c: the ruleset generator.  A config built in memory goes
 * through rules_build() and the text must equal the golden file
 * tests/unit/natd/<name>.nft byte for byte (regenerate with
 * HGW_UPDATE_GOLDEN=1 and review the diff).  Also: forwards outside the
 * LAN or overlapping are refused with file:line, and nft's error lines map
 * back to the config item.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "natd.h"
#include "../tap.h"

static struct hgw_forward fw[4];

static void
conf_init(struct hgw_conf *c)
{
	static char path[] = "homegw.conf";

	memset(c, 0, sizeof(*c));
	c->path = path;
	TAILQ_INIT(&c->hosts);
	TAILQ_INIT(&c->forwards);
	snprintf(c->lan.ifname, sizeof(c->lan.ifname), "br-lan");
	inet_pton(AF_INET, "192.168.50.1", &c->lan.addr);
	c->lan.plen = 24;
	snprintf(c->wan.ifname, sizeof(c->wan.ifname), "wan0");
	c->wan.has_addr = 1;
	inet_pton(AF_INET, "203.0.113.2", &c->wan.addr);
	c->wan.plen = 24;
	c->nat.masquerade = 1;
	c->nat.hairpin = 1;
	c->nat.max_flows = 65536;
	c->nat.history_interval = 300;
	c->firewall.wan_ping = 1;
	c->firewall.wan_ping_rate = 5;
	c->firewall.nlan_allow = CONF_SERVICES_ALL;
}

static void
add_forward(struct hgw_conf *c, int k, const char *name, enum conf_proto p,
    uint16_t port, uint16_t end, const char *to, uint16_t to_port, int line)
{
	struct hgw_forward *f = &fw[k];

	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->proto = p;
	f->wan_port = port;
	f->wan_port_end = end ? end : port;
	inet_pton(AF_INET, to, &f->to_addr);
	f->to_port = to_port;
	f->line = line;
	TAILQ_INSERT_TAIL(&c->forwards, f, entry);
	c->nforwards++;
}

static char *
slurp(const char *path)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if ((buf = calloc(1, (size_t)n + 1)) != NULL &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return (buf);
}

static void
golden(const struct hgw_conf *c, int offload, const char *name)
{
	struct rules	 r;
	char		 path[1024], *want;
	const char	*src = getenv("top_srcdir");
	FILE		*f;

	snprintf(path, sizeof(path), "%s/tests/unit/natd/%s.nft",
	    src ? src : ".", name);
	CHECK(rules_build(c, offload, &r) == 0);
	if (getenv("HGW_UPDATE_GOLDEN") != NULL &&
	    (f = fopen(path, "w")) != NULL) {
		fputs(r.text, f);
		fclose(f);
	}
	want = slurp(path);
	CHECK_MSG(want != NULL, path);
	CHECK_STREQ(r.text, want);
	free(want);
	rules_free(&r);
}

static void
test_golden(void)
{
	struct hgw_conf	 c;

	conf_init(&c);
	golden(&c, 0, "masquerade");

	add_forward(&c, 0, "web", CONF_PROTO_TCP, 8443, 0, "192.168.50.10",
	    443, 30);
	add_forward(&c, 1, "dns", CONF_PROTO_BOTH, 5353, 0, "192.168.50.11",
	    0, 35);
	add_forward(&c, 2, "games", CONF_PROTO_UDP, 27015, 27017,
	    "192.168.50.11", 28015, 40);
	add_forward(&c, 3, "same", CONF_PROTO_TCP, 9000, 9002,
	    "192.168.50.10", 9000, 45);
	golden(&c, 1, "forwards");

	/* A dynamic WAN address, no hairpin, no masquerade. */
	c.wan.has_addr = 0;
	c.nat.hairpin = 0;
	c.nat.masquerade = 0;
	golden(&c, 0, "dynamic");

	/* No WAN at all: an empty, harmless table. */
	conf_init(&c);
	c.wan.ifname[0] = '\0';
	golden(&c, 0, "nowan");

	/*
	 * Ports opened on the WAN, no ping, the LAN side restricted: sets
	 * per protocol, ranges kept.
	 */
	conf_init(&c);
	c.firewall.wan_ping = 0;
	c.firewall.wan_allow[0] = (struct hgw_service){ CONF_PROTO_TCP, 22,
	    22 };
	c.firewall.wan_allow[1] = (struct hgw_service){ CONF_PROTO_UDP, 51820,
	    51820 };
	c.firewall.wan_allow[2] = (struct hgw_service){ CONF_PROTO_TCP, 8000,
	    8010 };
	c.firewall.nwan_allow = 3;
	c.firewall.lan_allow[0] = (struct hgw_service){ CONF_PROTO_UDP, 53,
	    53 };
	c.firewall.lan_allow[1] = (struct hgw_service){ CONF_PROTO_TCP, 53,
	    53 };
	c.firewall.lan_allow[2] = (struct hgw_service){ CONF_PROTO_TCP, 443,
	    443 };
	c.firewall.nlan_allow = 3;
	golden(&c, 0, "firewall");

	/* No WAN, the LAN side restricted: the LAN chain alone. */
	c.wan.ifname[0] = '\0';
	golden(&c, 0, "lanonly");
}

static void
test_check(void)
{
	struct hgw_conf	 c;
	char		*errs = NULL;

	conf_init(&c);
	add_forward(&c, 0, "web", CONF_PROTO_TCP, 8443, 0, "192.168.50.10",
	    443, 30);
	CHECK(rules_check(&c, &errs) == 0);

	conf_init(&c);
	add_forward(&c, 0, "out", CONF_PROTO_TCP, 80, 0, "10.1.2.3", 80, 17);
	CHECK(rules_check(&c, &errs) == -EINVAL);
	CHECK(errs != NULL && strstr(errs, "homegw.conf:17: [forward out]: "
	    "destination 10.1.2.3 is outside the LAN 192.168.50.0/24") != NULL);
	free(errs);
	errs = NULL;

	conf_init(&c);
	add_forward(&c, 0, "gw", CONF_PROTO_TCP, 80, 0, "192.168.50.1", 80, 5);
	add_forward(&c, 1, "bcast", CONF_PROTO_TCP, 81, 0, "192.168.50.255",
	    80, 9);
	CHECK(rules_check(&c, &errs) == -EINVAL);
	CHECK(errs != NULL && strstr(errs, "homegw.conf:5:") != NULL &&
	    strstr(errs, "homegw.conf:9:") != NULL);
	free(errs);
	errs = NULL;

	conf_init(&c);
	add_forward(&c, 0, "a", CONF_PROTO_TCP, 8000, 8010, "192.168.50.10",
	    0, 20);
	add_forward(&c, 1, "b", CONF_PROTO_BOTH, 8005, 0, "192.168.50.11",
	    0, 24);
	add_forward(&c, 2, "c", CONF_PROTO_UDP, 8000, 0, "192.168.50.11",
	    0, 28);
	CHECK(rules_check(&c, &errs) == -EINVAL);
	CHECK(errs != NULL && strstr(errs, "homegw.conf:24: [forward b]: "
	    "WAN port 8005 overlaps [forward a] at line 20") != NULL);
	/* udp 8000 and tcp 8000-8010 do not clash; b and c do not either. */
	CHECK(errs != NULL && strstr(errs, "homegw.conf:28") == NULL);
	free(errs);
}

static void
test_explain(void)
{
	struct hgw_conf	 c;
	struct rules	 r;
	char		*msg, err[256];
	int		 line;

	conf_init(&c);
	add_forward(&c, 0, "web", CONF_PROTO_TCP, 8443, 0, "192.168.50.10",
	    443, 30);
	CHECK(rules_build(&c, 0, &r) == 0);
	for (line = 1; line <= r.nlines; line++)
		if (rules_item(&r, line) != NULL &&
		    strstr(rules_item(&r, line), "[forward web]") != NULL)
			break;
	CHECK(line <= r.nlines);
	snprintf(err, sizeof(err), "/run/x/nat-rules.nft.new:%d:3-40: Error: "
	    "Could not process rule: Operation not supported\n\t\tdnat\n",
	    line);
	msg = rules_explain(&r, "/run/x/nat-rules.nft.new", err);
	CHECK_STREQ(msg, "homegw.conf:30: [forward web]: Could not process "
	    "rule: Operation not supported");
	free(msg);
	/* A line of no config item, and a message without a line. */
	msg = rules_explain(&r, "/run/x/nat-rules.nft.new",
	    "/run/x/nat-rules.nft.new:2:1-5: Error: No such file");
	CHECK_STREQ(msg, "generated ruleset: No such file");
	free(msg);
	msg = rules_explain(&r, "/f", "Error: out of memory\nmore");
	CHECK_STREQ(msg, "Error: out of memory");
	free(msg);
	CHECK(rules_item(&r, 0) == NULL && rules_item(&r, 100000) == NULL);
	rules_free(&r);
}

/* The drop counters from "list counters" text, hostile text included. */
static void
test_counters(void)
{
	uint64_t	 wan[RULES_NDROP], lan, nat;
	const char	*text =
	    "table inet homegw {\n"
	    "\tcounter wan_drop_policy {\n"
	    "\t\tpackets 1200 bytes 64000\n"
	    "\t}\n\n"
	    "\tcounter wan_drop_lan_dst {\n"
	    "\t\tpackets 30 bytes 1800\n"
	    "\t}\n\n"
	    "\tcounter wan_drop_policyx {\n"
	    "\t\tpackets 99 bytes 1\n"
	    "\t}\n\n"
	    "\tcounter wan_drop_spoofed_src {\n"
	    "\t}\n\n"
	    "\tcounter wan_drop_ping_limit {\n"
	    "\t\tpackets 18446744073709551615 bytes 0\n"
	    "\t}\n\n"
	    "\tcounter lan_drop_policy {\n"
	    "\t\tpackets 7 bytes 420\n"
	    "\t}\n\n"
	    "\tcounter nat_drop_unsolicited {\n"
	    "\t\tpackets 99 bytes 5000\n"
	    "\t}\n"
	    "}\n";

	CHECK(rules_counters_parse(text, wan, &lan, &nat) == 5);
	CHECK(nat == 99);
	CHECK(wan[RULES_DROP_POLICY] == 1200);
	CHECK(wan[RULES_DROP_LAN_DST] == 30);
	/* Empty braces: the next counter's figure is not borrowed. */
	CHECK(wan[RULES_DROP_SPOOFED_SRC] == 0);
	CHECK(wan[RULES_DROP_INVALID] == 0);
	CHECK(wan[RULES_DROP_PING_LIMIT] == UINT64_MAX);
	CHECK(lan == 7);
	CHECK(rules_counters_parse("", wan, &lan, &nat) == 0 && lan == 0 &&
	    nat == 0 && wan[RULES_DROP_POLICY] == 0);
	CHECK(rules_counters_parse("counter wan_drop_policy", wan, &lan,
	    &nat) == 0);
	CHECK(rules_counters_parse("counter wan_drop_invalid { packets x",
	    wan, &lan, &nat) == 0);
	CHECK(strcmp(rules_drop_reasons[RULES_DROP_SPOOFED_SRC],
	    "spoofed_src") == 0);
}

/* Services lan_allow leaves out are named; "all" leaves out nothing. */
static void
test_lan_warnings(void)
{
	struct hgw_conf	 c;
	char		*w;

	conf_init(&c);
	CHECK(addr_parse_endpoint("192.168.50.1", 53, &c.dns.listen[0]) == 0);
	c.dns.nlisten = 1;
	CHECK(addr_parse_endpoint("192.168.50.1:8080", 80,
	    &c.web.listen[0]) == 0);
	c.web.nlisten = 1;
	CHECK(rules_lan_warnings(&c) == NULL);
	c.firewall.lan_allow[0] = (struct hgw_service){ CONF_PROTO_UDP, 53,
	    53 };
	c.firewall.lan_allow[1] = (struct hgw_service){ CONF_PROTO_TCP, 8000,
	    8079 };
	c.firewall.nlan_allow = 2;
	w = rules_lan_warnings(&c);
	CHECK(w != NULL && strcmp(w, "[firewall] lan_allow leaves out tcp/53, "
	    "the DNS resolver ([dns] listen): LAN hosts cannot reach it\n"
	    "[firewall] lan_allow leaves out tcp/8080, the status page ([web] "
	    "listen): LAN hosts cannot reach it\n") == 0);
	free(w);
	c.firewall.lan_allow[1].last = 8080;
	c.firewall.lan_allow[2] = (struct hgw_service){ CONF_PROTO_TCP, 53,
	    53 };
	c.firewall.nlan_allow = 3;
	CHECK(rules_lan_warnings(&c) == NULL);
}

int
main(void)
{
	test_lan_warnings();
	test_golden();
	test_check();
	test_explain();
	test_counters();
	return (tap_done());
}
