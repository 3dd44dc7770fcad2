/*
 * SPDX-License-Identifier: ISC
 *
 * blocklist_test.c: the blocklist parser (every format, what it skips,
 * what it reports), the index (subdomains, wildcards, allow beats deny,
 * groups, duplicates, size a domain) and loading the lists of a config
 * with its client groups.  Prints TAP.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockconf.h"
#include "blocklist.h"
#include "conf.h"
#include "../tap.h"

#define SEED	0x5eed5eed5eedULL

struct collect {
	char		 text[4096];
	size_t		 o;
};

/* Each entry as "a|s|b name@line" in one string, for comparing. */
static int
collect(void *arg, const struct bl_entry *e)
{
	struct collect	*c = arg;
	static const char kinds[] = "esb";

	c->o += (size_t)snprintf(c->text + c->o, sizeof(c->text) - c->o,
	    "%s%c %s@%lu\n", e->allow ? "+" : "", kinds[e->kind], e->name,
	    e->line);
	return (0);
}

static void
test_parse(void)
{
	static const char list[] =
	    "# a hosts file\n"
	    "127.0.0.1 localhost\n"
	    "::1 ip6-localhost ip6-loopback\n"
	    "0.0.0.0 Ads.Example.COM\n"
	    "0.0.0.0 a.example b.example # two names\n"
	    "0.0.0.0\n"
	    "\n"
	    "! adblock\n"
	    "[Adblock Plus 2.0]\n"
	    "||tracker.example^\n"
	    "@@||good.tracker.example^\n"
	    "||paths.example/ads/*\n"
	    "||opts.example^$third-party\n"
	    "example.org##.banner\n"
	    "example.org#@#.banner\n"
	    "; dnsmasq-style comment\n"
	    "*.wild.example\n"
	    "plain.example.\n"
	    "two words\n"
	    "bad..name\n"
	    "under_score.example\r\n"
	    "-dash.example\n"
	    "/regex/\n"
	    "||pipe.example^|\n";
	struct bl_parse_stats	 st;
	struct collect		 c;

	memset(&st, 0, sizeof(st));
	memset(&c, 0, sizeof(c));
	CHECK(bl_parse_buffer(list, sizeof(list) - 1, "t.list", collect, &c,
	    &st) == 0);
	{
		struct bl_parse_stats	 st2;
		struct collect		 c2;
		FILE			*f = fmemopen((void *)(uintptr_t)list,
					    sizeof(list) - 1, "r");

		memset(&st2, 0, sizeof(st2));
		memset(&c2, 0, sizeof(c2));
		CHECK(f != NULL && bl_parse_stream(f, "t.list", collect, &c2,
		    &st2) == 0);
		CHECK_STREQ(c2.text, c.text);
		CHECK(st2.lines == 24 && st2.skipped == 11 && st2.bad == 4);
		fclose(f);
	}
	CHECK_STREQ(c.text,
	    "e ads.example.com@4\n"
	    "e a.example@5\n"
	    "e b.example@5\n"
	    "s tracker.example@10\n"
	    "+s good.tracker.example@11\n"
	    "b wild.example@17\n"
	    "e plain.example@18\n"
	    "e under_score.example@21\n"
	    "s pipe.example@24\n");
	CHECK(st.lines == 24);
	CHECK(st.entries == 9);
	/* comment x3, localhost x2, header, path, options, cosmetic x2,
	   regex */
	CHECK_MSG(st.skipped == 11, "11 lines skipped");
	TAP_NOTE("skipped %lu bad %lu", st.skipped, st.bad);
	CHECK(st.bad == 4);
	CHECK(st.nreported == 4);
	CHECK_STREQ(st.first_bad[0],
	    "t.list:6: an address without a name: \"0.0.0.0\"");
	CHECK_STREQ(st.first_bad[1],
	    "t.list:19: one name per line, or an address and names: "
	    "\"two words\"");
	CHECK_STREQ(st.first_bad[2],
	    "t.list:20: not a domain name: \"bad..name\"");
}

static void
test_hostile(void)
{
	struct bl_parse_stats	 st;
	char			*big;
	size_t			 i;
	static const char	 nul[] = "a.example\0b\nok.example\n\xff\xfe\n";
	struct collect		 c;

	memset(&st, 0, sizeof(st));
	memset(&c, 0, sizeof(c));
	CHECK(bl_parse_buffer(nul, sizeof(nul) - 1, "n", collect, &c,
	    &st) == 0);
	CHECK_STREQ(c.text, "e ok.example@2\n");
	CHECK(st.bad == 2);
	CHECK_STREQ(st.first_bad[0], "n:1: a NUL byte: \"a.example\\x00b\"");

	/* A line too long, then bad lines past the reported few. */
	big = malloc(10000);
	memset(big, 'a', 9000);
	big[9000] = '\n';
	for (i = 9001; i < 9999; i++)
		big[i] = (i % 3) == 0 ? '\n' : '.';
	big[9999] = '\n';
	memset(&st, 0, sizeof(st));
	CHECK(bl_parse_buffer(big, 10000, "big", NULL, NULL, &st) == 0);
	CHECK(st.bad > BL_BAD_REPORT);
	CHECK(st.nreported == BL_BAD_REPORT);
	CHECK(strncmp(st.first_bad[0], "big:1: a line of at most 4096 bytes",
	    35) == 0);
	/* The stream reader, in small blocks or large, agrees. */
	{
		struct bl_parse_stats	 st2;
		FILE			*f = fmemopen(big, 10000, "r");

		memset(&st2, 0, sizeof(st2));
		CHECK(f != NULL && bl_parse_stream(f, "big", NULL, NULL,
		    &st2) == 0);
		CHECK(st2.lines == st.lines && st2.bad == st.bad &&
		    st2.entries == st.entries && st2.skipped == st.skipped);
		CHECK_STREQ(st2.first_bad[0], st.first_bad[0]);
		fclose(f);
	}
	free(big);

	/* 64-character labels and 254-character names are refused. */
	{
		char	 n[300], out[300];

		memset(n, 'a', 64);
		n[64] = '\0';
		CHECK(!bl_name_valid(n, 64, out));
		CHECK(bl_name_valid(n, 63, out));
		for (i = 0; i < 254; i++)
			n[i] = (i % 2) ? '.' : 'a';
		n[253] = 'a';
		CHECK(!bl_name_valid(n, 254, out));
		CHECK(bl_name_valid(n, 253, out));
		CHECK(bl_name_valid("x.example.", 10, out));
		CHECK_STREQ(out, "x.example");
	}
}

static struct bl_index *
index_of(const char *const lists[], const uint32_t groups[], int n)
{
	struct bl_builder	*b = bl_builder_new(SEED);
	struct bl_parse_stats	 st;
	char			 name[16];
	int			 i, id;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), i == 0 ? "own" : "l%d", i);
		id = bl_builder_list(b, name, groups[i]);
		memset(&st, 0, sizeof(st));
		bl_parse_buffer(lists[i], strlen(lists[i]), name,
		    bl_builder_entry, bl_builder_target(b, id), &st);
	}
	return (bl_build(b));
}

static int
blocked(const struct bl_index *ix, const char *name, uint32_t groups,
    int *list)
{
	struct bl_match	 m;

	bl_lookup(ix, name, groups, &m);
	if (list != NULL)
		*list = m.blocked ? m.list : m.allow_list;
	return (m.blocked);
}

static void
test_index(void)
{
	static const char *const lists[] = {
		"@@||ok.ads.example^\n",			/* own */
		"0.0.0.0 exact.example\n||ads.example^\n*.wild.example\n"
		"||kids.example^\n@@||allowed.example^\n",
		"||kids.example^\n||games.example^\n||allowed.example^\n",
	};
	static const uint32_t groups[] = { BL_GROUPS_ALL, BL_GROUPS_ALL, 2 };
	struct bl_index	*ix = index_of(lists, groups, 3);
	int		 l;

	CHECK(ix != NULL);
	CHECK(bl_index_entries(ix) == 9);
	/* Hosts and plain entries: that name only. */
	CHECK(blocked(ix, "exact.example", 1, &l) && l == 1);
	CHECK(blocked(ix, "EXACT.example.", 1, NULL));
	CHECK(!blocked(ix, "sub.exact.example", 1, NULL));
	CHECK(!blocked(ix, "example", 1, NULL));
	/* ||d^: the domain and everything under it. */
	CHECK(blocked(ix, "ads.example", 1, NULL));
	CHECK(blocked(ix, "x.y.ads.example", 1, NULL));
	CHECK(!blocked(ix, "notads.example", 1, NULL));
	CHECK(!blocked(ix, "ads.example.com", 1, NULL));
	/* *.d: only what is under it. */
	CHECK(!blocked(ix, "wild.example", 1, NULL));
	CHECK(blocked(ix, "a.wild.example", 1, NULL));
	/* Allow beats deny, from the own list or another list. */
	CHECK(!blocked(ix, "ok.ads.example", 1, &l) && l == 0);
	CHECK(!blocked(ix, "deep.ok.ads.example", 1, NULL));
	CHECK(blocked(ix, "notok.ads.example", 1, NULL));
	CHECK(!blocked(ix, "allowed.example", 2, &l) && l == 1);
	/* Groups: list 2 is for group bit 1 only. */
	CHECK(!blocked(ix, "games.example", 1, NULL));
	CHECK(blocked(ix, "games.example", 2, &l) && l == 2);
	CHECK(blocked(ix, "games.example", 3, NULL));
	CHECK(blocked(ix, "kids.example", 1, &l) && l == 1);
	/* An exempt client (no groups) is never blocked. */
	CHECK(!blocked(ix, "ads.example", 0, NULL));
	/* Odd names do not crash and are not blocked. */
	CHECK(!blocked(ix, "", 1, NULL));
	CHECK(!blocked(ix, ".", 1, NULL));
	CHECK(!blocked(ix, "..ads..", 1, NULL));
	CHECK(blocked(ix, ".ads.example", 1, NULL));
	CHECK_STREQ(bl_index_list_name(ix, 2), "l2");
	bl_index_free(ix);
	CHECK(!blocked(NULL, "ads.example", 1, NULL));
}

/* Random names like the benchmark's: 1 in 8 of them blocked. */
static void
test_size(void)
{
	const size_t		 n = 200000;
	struct bl_builder	*b = bl_builder_new(SEED);
	struct bl_entry		 e;
	struct bl_index		*ix;
	char			 name[64];
	size_t			 i, misses = 0, j;
	unsigned int		 r = 12345;
	double			 per;

	bl_builder_list(b, "own", BL_GROUPS_ALL);
	CHECK(bl_builder_reserve(b, n) == 0);
	for (i = 0; i < n; i++) {
		r = r * 1103515245u + 12345u;
		snprintf(name, sizeof(name), "d%zu-%08x.example%u.com", i, r,
		    r % 7);
		e.name = name;
		e.len = strlen(name);
		e.kind = BL_SUBTREE;
		e.allow = 0;
		e.line = i + 1;
		bl_builder_add(b, 0, &e);
		if (i % 3 == 0)
			bl_builder_add(b, 0, &e);	/* duplicates */
	}
	ix = bl_build(b);
	CHECK(ix != NULL && bl_index_entries(ix) == n);
	per = (double)bl_index_bytes(ix) / (double)n;
	TAP_NOTE("%zu domains: %zu bytes, %.2f a domain", n,
	    bl_index_bytes(ix), per);
	CHECK_MSG(per <= 24.0, "at most 24 bytes a domain");
	r = 12345;
	for (i = 0; i < n; i++) {
		r = r * 1103515245u + 12345u;
		snprintf(name, sizeof(name), "www.d%zu-%08x.example%u.com", i,
		    r, r % 7);
		if (!blocked(ix, name, 1, NULL))
			misses++;
	}
	CHECK_MSG(misses == 0, "every listed domain's subdomain blocked");
	for (i = 0, j = 0; i < n; i++) {
		snprintf(name, sizeof(name), "x%zu.other.example.net", i);
		if (blocked(ix, name, 1, NULL))
			j++;
	}
	CHECK_MSG(j == 0, "no name off the list blocked");
	bl_index_free(ix);
}

static void
writefile(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void
test_conf(void)
{
	char			 dir[] = "/tmp/bltestXXXXXX", path[512];
	char			 conftext[4096], *err = NULL;
	struct hgw_conf		*c;
	struct blockconf_report	*rep = calloc(1, sizeof(*rep));
	struct bl_index		*ix;
	struct sockaddr_in	 sin;
	uint32_t		 kid, other, work;
	struct bl_match		 m;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/kids.hosts", dir);
	writefile(path, "0.0.0.0 games.example\nnonsense line here\n");
	snprintf(path, sizeof(path), "%s/blocklist-own.list", dir);
	writefile(path, "||own.example^\n@@||fine.games.example^\n");
	snprintf(conftext, sizeof(conftext),
	    "[gateway]\nstate_dir = %s\n"
	    "[lan]\ninterface = eth0\naddress = 192.168.1.1/24\n"
	    "[host kid]\nmac = 02:00:00:00:00:01\naddress = 192.168.1.10\n"
	    "groups = kids\n"
	    "[host work]\nmac = 02:00:00:00:00:02\naddress = 192.168.1.20\n"
	    "block = no\n"
	    "[dns]\nblock_deny = cfg.example, *.w.example\n"
	    "block_allow = ok.cfg.example\n"
	    "[blocklist kidslist]\nsource = %s/kids.hosts\ngroups = kids\n"
	    "[blocklist web]\nsource = https://lists.example/a.txt\n"
	    "[blocklist off]\nsource = /nonexistent\nenabled = no\n",
	    dir, dir);
	c = conf_load_string(conftext, "t.conf", &err);
	CHECK_MSG(c != NULL, err != NULL ? err : "config loads");
	if (c == NULL)
		return;
	ix = blockconf_load(c, SEED, rep);
	CHECK(ix != NULL);
	CHECK(rep->nlists == 4);
	CHECK_STREQ(rep->lists[0].name, "own");
	CHECK(rep->lists[0].entries == 5);
	CHECK_STREQ(rep->lists[1].name, "kidslist");
	CHECK(rep->lists[1].entries == 1);
	CHECK(rep->lists[1].st.bad == 1);
	CHECK(strstr(rep->lists[1].st.first_bad[0], "kids.hosts:2:") != NULL);
	CHECK_STREQ(rep->lists[1].groups_text, "kids");
	CHECK_STREQ(rep->lists[2].error,
	    "not downloaded yet (homegwctl block update)");
	CHECK(rep->lists[3].enabled == 0 && rep->lists[3].error[0] == '\0');

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "192.168.1.10", &sin.sin_addr);
	kid = blockconf_client_groups(c, (struct sockaddr *)&sin);
	inet_pton(AF_INET, "192.168.1.20", &sin.sin_addr);
	work = blockconf_client_groups(c, (struct sockaddr *)&sin);
	inet_pton(AF_INET, "192.168.1.99", &sin.sin_addr);
	other = blockconf_client_groups(c, (struct sockaddr *)&sin);
	CHECK(kid == 2 && work == 0 && other == 1);
	CHECK(blockconf_group_bit(c, "kids") == 1);
	CHECK_STREQ(blockconf_group_name(c, 1), "kids");

	CHECK(bl_lookup(ix, "games.example", kid, &m) && m.list == 1);
	CHECK(!bl_lookup(ix, "games.example", other, &m));
	CHECK(!bl_lookup(ix, "games.example", work, &m));
	CHECK(!bl_lookup(ix, "fine.games.example", kid, &m));
	CHECK(bl_lookup(ix, "a.own.example", other, &m) && m.list == 0);
	CHECK(bl_lookup(ix, "cfg.example", other, &m));
	CHECK(!bl_lookup(ix, "ok.cfg.example", other, &m));
	CHECK(!bl_lookup(ix, "w.example", other, &m));
	CHECK(bl_lookup(ix, "x.w.example", kid, &m));
	bl_index_free(ix);
	conf_free(c);
	free(rep);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(system(path) == 0);
}

int
main(void)
{
	test_parse();
	test_hostile();
	test_index();
	test_size();
	test_conf();
	return (tap_done());
}
