/*
 * SPDX-License-Identifier: ISC
 *
 * natd_mirror_test.c: the conntrack mirror without the kernel.  Flows go
 * in as events and dumps would bring them; the tests check the key (id
 * plus original tuple), the bound, mark and sweep after a lost DESTROY,
 * that a flow created during a dump survives the sweep, the rows left to
 * delete, and the per-LAN-host traffic counted from counter deltas.
 * Also the switch between dump mode and NEW events (discover_update()):
 * on the table's size with hysteresis, never on one slow dump.
 * And the slabs the flows live in and the hash: a flood's memory goes
 * back when its flows go, and a flow keeps its contents whatever the
 * slab does.
 * Rates: a flow's bytes/s over its last two samples, none from a first
 * sample or a counter that went back, none from samples too close; the
 * hosts' sums and step bytes; the gateway flag of the gateway's own
 * (untranslated) connections.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "natd.h"
#include "../tap.h"

static struct flow_info
mk(uint32_t id, const char *src, uint16_t sport, const char *dst,
    uint16_t dport)
{
	struct flow_info i;

	memset(&i, 0, sizeof(i));
	i.id = id;
	i.proto = IPPROTO_TCP;
	i.orig.family = i.reply.family = AF_INET;
	inet_pton(AF_INET, src, i.orig.src);
	inet_pton(AF_INET, dst, i.orig.dst);
	i.orig.sport = sport;
	i.orig.dport = dport;
	/* Masqueraded: the reply comes back to the WAN address. */
	inet_pton(AF_INET, dst, i.reply.src);
	inet_pton(AF_INET, "203.0.113.2", i.reply.dst);
	i.reply.sport = dport;
	i.reply.dport = sport;
	i.has_tcp_state = 1;
	i.tcp_state = 3;
	return (i);
}

static struct mirror *
mk_mirror(unsigned int max)
{
	struct in_addr	 lan;

	inet_pton(AF_INET, "192.168.50.1", &lan);
	return (mirror_new(max, lan, 24));
}

static struct mirror_host *
host(struct mirror *m, const char *a)
{
	struct in_addr	 in;
	unsigned int	 i;

	inet_pton(AF_INET, a, &in);
	for (i = 0; i < m->max_hosts; i++)
		if (m->hosts[i].used && m->hosts[i].addr.s_addr == in.s_addr)
			return (&m->hosts[i]);
	return (NULL);
}

static void
test_key_and_bound(void)
{
	struct mirror	*m = mk_mirror(3);
	struct flow_info a = mk(1, "192.168.50.10", 40000, "203.0.113.1", 80);
	struct flow_info b = a, c, d;
	struct flow	*f;

	CHECK(mirror_update(m, &a, 100, 0) != NULL);
	CHECK(m->nflows == 1);
	/* The same flow again: updated, not duplicated. */
	a.orig_bytes = 500;
	a.start = 90;
	f = mirror_update(m, &a, 101, 0);
	CHECK(f != NULL && m->nflows == 1 && f->orig_bytes == 500);
	CHECK(f != NULL && f->first_seen == 100 && f->last_seen == 101);
	/* A dump that finds it unchanged (but for the timeout) writes nothing. */
	f->dirty = 0;
	a.timeout = 17;
	f = mirror_update(m, &a, 105, 0);
	CHECK(f != NULL && f->dirty == 0 && f->last_seen == 101 &&
	    f->gen == m->gen);
	/* A new TCP state is news. */
	a.tcp_state = 7;
	f = mirror_update(m, &a, 106, 0);
	CHECK(f != NULL && f->dirty == 1 && f->last_seen == 106 &&
	    f->timeout == 17);
	/* A reused id with another tuple is another flow. */
	b.orig.sport = 40001;
	CHECK(mirror_update(m, &b, 102, 0) != NULL && m->nflows == 2);
	c = mk(7, "192.168.50.11", 1, "203.0.113.1", 443);
	CHECK(mirror_update(m, &c, 102, 0) != NULL && m->nflows == 3);
	/* Full: refused and counted, nothing else disturbed. */
	d = mk(8, "192.168.50.11", 2, "203.0.113.1", 443);
	CHECK(mirror_update(m, &d, 102, 0) == NULL);
	CHECK(m->nflows == 3 && m->full == 1);
	/* The kernel's start time becomes first seen. */
	d.start = 50;
	CHECK(mirror_destroy(m, &c, 0) == 0);
	f = mirror_update(m, &d, 102, 0);
	CHECK(f != NULL && f->first_seen == 50);
	/* Gone already, and started before natd did (since 60): not ours. */
	c.start = 55;
	CHECK(mirror_destroy(m, &c, 60) == -ENOENT);
	CHECK(m->created == 4 && m->destroyed == 1);
	mirror_free(m);
}

static void
test_sweep(void)
{
	struct mirror	*m = mk_mirror(100);
	struct flow_info a = mk(1, "192.168.50.10", 1000, "203.0.113.1", 80);
	struct flow_info b = mk(2, "192.168.50.10", 1001, "203.0.113.1", 80);
	struct flow_info c = mk(3, "192.168.50.11", 1002, "203.0.113.1", 80);
	struct flow_info d = mk(4, "192.168.50.11", 1003, "203.0.113.1", 80);

	mirror_update(m, &a, 10, 0);
	mirror_update(m, &b, 10, 0);
	mirror_update(m, &c, 10, 0);
	mirror_flushed(m);
	/*
	 * b's DESTROY was lost in an overrun.  The dump sees a and c; d is
	 * created while the dump runs and arrives by its NEW event.  One
	 * dump without b is not enough: its DESTROY may still be queued.
	 */
	mirror_mark(m);
	mirror_update(m, &a, 11, 0);
	mirror_update(m, &d, 11, 0);
	mirror_update(m, &c, 11, 0);
	CHECK(mirror_sweep(m) == 0 && mirror_find(m, &b) != NULL);
	/* Had it been, the DESTROY would find b and count it once. */
	mirror_mark(m);
	mirror_update(m, &a, 11, 0);
	mirror_update(m, &d, 11, 0);
	mirror_update(m, &c, 11, 0);
	CHECK(mirror_sweep(m) == 1);
	CHECK(m->nflows == 3 && m->swept == 1);
	CHECK(mirror_find(m, &b) == NULL);
	CHECK(mirror_find(m, &a) != NULL && mirror_find(m, &d) != NULL);
	/* b's row is to be deleted at the next flush, by its key. */
	CHECK(m->ndead == 1 && m->dead[0] == 2);
	/* Rows are numbered in the order flows appeared: a, b, c, d. */
	CHECK(mirror_find(m, &a)->key == 1 && mirror_find(m, &d)->key == 4);
	mirror_flushed(m);
	CHECK(m->ndead == 0);
	/* A sweep right after a full dump removes nothing. */
	mirror_mark(m);
	mirror_update(m, &a, 12, 0);
	mirror_update(m, &c, 12, 0);
	mirror_update(m, &d, 12, 0);
	CHECK(mirror_sweep(m) == 0);
	/* Two empty dumps empty the mirror. */
	mirror_mark(m);
	CHECK(mirror_sweep(m) == 0 && m->nflows == 3);
	mirror_mark(m);
	CHECK(mirror_sweep(m) == 3 && m->nflows == 0);
	/* A flow the second dump sees again is kept. */
	mirror_update(m, &a, 13, 0);
	mirror_mark(m);
	CHECK(mirror_sweep(m) == 0);
	mirror_mark(m);
	mirror_update(m, &a, 14, 0);
	CHECK(mirror_sweep(m) == 0);
	mirror_mark(m);
	CHECK(mirror_sweep(m) == 0 && m->nflows == 1);
	mirror_free(m);
	/*
	 * A flow that died just before a dump: its DESTROY, still queued
	 * during the dump, finds it and counts it once, not twice.
	 */
	m = mk_mirror(100);
	mirror_update(m, &b, 20, 0);
	mirror_mark(m);
	CHECK(mirror_sweep(m) == 0);
	CHECK(mirror_destroy(m, &b, 0) == 0);
	CHECK(m->created == 1 && m->destroyed == 1 && m->nflows == 0);
	mirror_free(m);
}

static void
test_dead_overflow(void)
{
	struct mirror	*m = mk_mirror(2);
	struct flow_info a = mk(1, "192.168.50.10", 1, "203.0.113.1", 80);
	struct flow_info b = mk(2, "192.168.50.10", 2, "203.0.113.1", 80);
	struct flow_info c = mk(3, "192.168.50.10", 3, "203.0.113.1", 80);

	/* Born and gone before any flush: no row, nothing to delete. */
	mirror_update(m, &a, 1, 0);
	mirror_destroy(m, &a, 0);
	CHECK(m->ndead == 0 && m->rewrite == 0);

	mirror_update(m, &a, 1, 0);
	mirror_update(m, &b, 1, 0);
	mirror_flushed(m);
	mirror_destroy(m, &a, 0);
	mirror_destroy(m, &b, 0);
	CHECK(m->ndead == 2 && m->rewrite == 0);
	mirror_flushed(m);
	/*
	 * The list holds max_flows keys, which a flush empties; a smaller
	 * list (as after a reload lowered max_flows) can overflow.
	 */
	m->max_dead = 1;
	mirror_update(m, &a, 2, 0);
	mirror_update(m, &c, 2, 0);
	mirror_flushed(m);
	mirror_destroy(m, &a, 0);
	mirror_destroy(m, &c, 0);
	/* More deletions than the list holds: rewrite the whole table. */
	CHECK(m->ndead == 1 && m->rewrite == 1);
	mirror_flushed(m);
	CHECK(m->ndead == 0 && m->rewrite == 0);
	mirror_free(m);
}

static void
test_traffic(void)
{
	struct mirror	*m = mk_mirror(100);
	struct flow_info a = mk(1, "192.168.50.10", 1000, "203.0.113.1", 80);
	struct flow_info old = mk(2, "192.168.50.11", 1000, "203.0.113.1", 80);
	struct flow_info in;
	struct mirror_host *h;
	struct in_addr	 la;

	/* A flow the start-up dump found: its past bytes are not counted. */
	old.orig_bytes = 10000;
	old.reply_bytes = 20000;
	mirror_update(m, &old, 1, 1);
	old.orig_bytes += 100;
	old.reply_bytes += 200;
	mirror_update(m, &old, 2, 0);
	h = host(m, "192.168.50.11");
	CHECK(h != NULL && h->bytes_out == 100 && h->bytes_in == 200);

	/* A new flow: everything counts, deltas only, DESTROY adds the end. */
	a.orig_bytes = 60;
	a.reply_bytes = 40;
	a.orig_packets = 1;
	a.reply_packets = 1;
	mirror_update(m, &a, 1, 0);
	a.orig_bytes = 1060;
	a.reply_bytes = 5040;
	a.orig_packets = 5;
	a.reply_packets = 6;
	mirror_update(m, &a, 2, 0);
	a.orig_bytes = 1100;
	mirror_destroy(m, &a, 0);
	h = host(m, "192.168.50.10");
	CHECK(h != NULL && h->bytes_out == 1100 && h->bytes_in == 5040 &&
	    h->packets == 11 && h->connections == 0);

	/*
	 * A flow born and gone between two dumps (no NEW events): its
	 * DESTROY is all natd hears of it, and all of it counts, with no row
	 * to write or delete.
	 */
	a = mk(9, "192.168.50.10", 1009, "203.0.113.1", 80);
	a.orig_bytes = 300;
	a.reply_bytes = 700;
	a.orig_packets = 4;
	a.reply_packets = 5;
	a.start = 10;
	CHECK(mirror_destroy(m, &a, 5) == 0);
	CHECK(h->bytes_out == 1400 && h->bytes_in == 5740 &&
	    h->packets == 20 && h->connections == 0);
	CHECK(m->ndead == 0 && mirror_find(m, &a) == NULL);

	/*
	 * A port forward: the LAN host is the reply source, and its replies
	 * (the reply direction) are its outgoing traffic.
	 */
	memset(&in, 0, sizeof(in));
	in.id = 9;
	in.proto = IPPROTO_TCP;
	in.orig.family = in.reply.family = AF_INET;
	inet_pton(AF_INET, "203.0.113.1", in.orig.src);
	inet_pton(AF_INET, "203.0.113.2", in.orig.dst);
	in.orig.sport = 5555;
	in.orig.dport = 8443;
	inet_pton(AF_INET, "192.168.50.12", in.reply.src);
	inet_pton(AF_INET, "203.0.113.1", in.reply.dst);
	in.reply.sport = 443;
	in.reply.dport = 5555;
	in.orig_bytes = 300;
	in.reply_bytes = 7000;
	mirror_update(m, &in, 3, 0);
	la = mirror_flow_lan_addr(m, &in);
	CHECK(la.s_addr == inet_addr("192.168.50.12"));
	h = host(m, "192.168.50.12");
	CHECK(h != NULL && h->bytes_out == 7000 && h->bytes_in == 300 &&
	    h->connections == 1);

	/*
	 * A new interval: totals restart, idle hosts are forgotten (once
	 * their bytes of the open rate step are written too).
	 */
	mirror_history_reset(m);
	CHECK(host(m, "192.168.50.10") != NULL);
	mirror_step_reset(m);
	mirror_history_reset(m);
	CHECK(host(m, "192.168.50.10") == NULL);
	h = host(m, "192.168.50.12");
	CHECK(h != NULL && h->bytes_out == 0 && h->connections == 1);
	/* A WAN-only flow has no LAN host. */
	in = mk(10, "203.0.113.1", 1, "203.0.113.2", 22);
	inet_pton(AF_INET, "203.0.113.2", in.reply.src);
	la = mirror_flow_lan_addr(m, &in);
	CHECK(la.s_addr == 0);
	/* Nor does the gateway's own LAN address. */
	in = mk(11, "192.168.50.1", 1, "224.0.0.22", 0);
	la = mirror_flow_lan_addr(m, &in);
	CHECK(la.s_addr == 0);
	mirror_free(m);
}

/* Feed n dumps of flows flows that took ms each; the last answer. */
static int
dumps(struct discover *d, int *follow, int n, unsigned int flows, long ms)
{
	while (n-- > 0)
		*follow = discover_update(d, *follow, flows, ms, 50);
	return (*follow);
}

static void
test_discover(void)
{
	struct discover	 d;
	int		 follow = 0;

	memset(&d, 0, sizeof(d));
	/* 2 us a flow: a 50 ms dump covers 25,000 flows. */
	CHECK(dumps(&d, &follow, 5, 1000, 2) == 0);
	CHECK(d.line == 25000);
	/* A busy machine: 150 flows whose dumps take 60 ms, again and again. */
	CHECK(dumps(&d, &follow, DISCOVER_WINDOW - 1, 150, 60) == 0);
	CHECK_MSG(d.line == 25000, "slow dumps do not move the line while "
	    "a cheaper one is in the window");
	/* Slow for longer: the line falls to its floor, still no switch. */
	CHECK(dumps(&d, &follow, 40, 150, 60) == 0);
	CHECK(d.line == DISCOVER_MIN_FLOWS);
	CHECK(dumps(&d, &follow, DISCOVER_WINDOW, 1000, 2) == 0);
	CHECK(d.line == 25000);
	/* Tiny tables teach nothing and never switch. */
	CHECK(dumps(&d, &follow, 40, 40, 80) == 0);
	/* Over the line: only after DISCOVER_CONFIRM dumps in a row. */
	CHECK(dumps(&d, &follow, DISCOVER_CONFIRM - 1, 30000, 60) == 0);
	CHECK(dumps(&d, &follow, 1, 20000, 40) == 0);
	CHECK(dumps(&d, &follow, DISCOVER_CONFIRM - 1, 30000, 60) == 0);
	CHECK(dumps(&d, &follow, 1, 30000, 60) == 1);
	/* Between half the line and the line: stays, whatever the times. */
	CHECK(dumps(&d, &follow, 20, 15000, 30) == 1);
	CHECK(dumps(&d, &follow, 20, 24000, 48) == 1);
	/* Under half of it for DISCOVER_CONFIRM dumps: back to dumps. */
	CHECK(dumps(&d, &follow, DISCOVER_CONFIRM - 1, 5000, 10) == 1);
	CHECK(dumps(&d, &follow, 1, 5000, 10) == 0);
	CHECK(dumps(&d, &follow, 20, 20000, 40) == 0);
	/* The line never falls under DISCOVER_MIN_FLOWS. */
	memset(&d, 0, sizeof(d));
	follow = 0;
	CHECK(dumps(&d, &follow, 20, 200, 500) == 0);
	CHECK(d.line == DISCOVER_MIN_FLOWS);
	CHECK(dumps(&d, &follow, DISCOVER_CONFIRM, 300, 750) == 1);
	/* A machine too slow for dumps at all. */
	CHECK(dumps(&d, &follow, DISCOVER_CONFIRM, 100, 250) == 0);
}

/*
 * A flood fills many slabs; as its flows die (oldest first, as TIME_WAIT
 * ends, and then in a scattered order) the slabs go back to the kernel,
 * one spare kept, and the flows left are intact.
 */
static void
test_slabs(void)
{
	struct mirror	*m = mk_mirror(20000);
	struct flow_info i;
	struct flow	*f;
	unsigned int	 b;
	size_t		 one, full;
	unsigned int	 k, bad = 0;
	char		 src[32];

	i = mk(1, "192.168.50.11", 1, "203.0.113.1", 80);
	i.orig_bytes = 1;
	CHECK(mirror_update(m, &i, 100, 0) != NULL);
	one = mirror_flow_bytes(m);
	CHECK(one >= 50 * FLOW_SIZE(AF_INET) && one <= 65536);
	for (k = 2; k <= 20000; k++) {
		snprintf(src, sizeof(src), "192.168.50.%u", 10 + k % 200);
		i = mk(k, src, (uint16_t)k, "203.0.113.1", 80);
		i.orig_bytes = k;
		if (mirror_update(m, &i, 100, 0) == NULL)
			bad++;
	}
	CHECK(bad == 0 && m->nflows == 20000);
	/* The hash grew with the table: a chain per flow at most. */
	CHECK(m->nbuckets >= 20000 && m->nbuckets <= 65536);
	full = mirror_flow_bytes(m);
	/* At most one slab's worth beyond the flows themselves. */
	CHECK(full >= 20000 * FLOW_SIZE(AF_INET) &&
	    full <= 20000 * FLOW_SIZE(AF_INET) + 2 * one);
	/* The first half dies in order, then every other flow left. */
	for (k = 1; k <= 10000; k++) {
		snprintf(src, sizeof(src), "192.168.50.%u", 10 + k % 200);
		i = mk(k, src, (uint16_t)k, "203.0.113.1", 80);
		if (mirror_destroy(m, &i, 0) != 0)
			bad++;
	}
	CHECK(bad == 0 && m->nflows == 10000);
	CHECK(mirror_flow_bytes(m) <= full / 2 + 2 * one);
	for (k = 10002; k <= 20000; k += 2) {
		snprintf(src, sizeof(src), "192.168.50.%u", 10 + k % 200);
		i = mk(k, src, (uint16_t)k, "203.0.113.1", 80);
		if (mirror_destroy(m, &i, 0) != 0)
			bad++;
	}
	/* The survivors read back as they were written. */
	for (k = 10001; k <= 20000; k += 2) {
		snprintf(src, sizeof(src), "192.168.50.%u", 10 + k % 200);
		i = mk(k, src, (uint16_t)k, "203.0.113.1", 80);
		f = mirror_find(m, &i);
		if (f == NULL || f->orig_bytes != k || f->first_seen != 100)
			bad++;
	}
	CHECK(bad == 0 && m->nflows == 5000);
	/*
	 * Every other flow of the second half is left: no slab empties by
	 * itself, so compaction moves flows into fewer slabs, and each flow
	 * is still found, intact, and listed once.
	 */
	full = mirror_flow_bytes(m);
	CHECK(mirror_compact(m) > 0);
	TAP_NOTE("slabs %zu bytes before compaction, %zu after", full,
	    mirror_flow_bytes(m));
	CHECK(mirror_flow_bytes(m) <= full / 2 + 2 * one &&
	    mirror_flow_bytes(m) <= 5000 * FLOW_SIZE(AF_INET) * 5 / 4 +
	    3 * one);
	for (k = 10001; k <= 20000; k += 2) {
		snprintf(src, sizeof(src), "192.168.50.%u", 10 + k % 200);
		i = mk(k, src, (uint16_t)k, "203.0.113.1", 80);
		f = mirror_find(m, &i);
		if (f == NULL || f->orig_bytes != k || f->first_seen != 100)
			bad++;
	}
	k = 0;
	MIRROR_FOREACH(m, b, f)
		k++;
	CHECK(bad == 0 && k == 5000 && m->nflows == 5000);
	CHECK(mirror_compact(m) == 0);
	/* New flows fill the holes left before new slabs are mapped. */
	full = mirror_flow_bytes(m);
	for (k = 30000; k < 32000; k++) {
		i = mk(k, "192.168.50.9", (uint16_t)k, "203.0.113.1", 80);
		if (mirror_update(m, &i, 100, 0) == NULL)
			bad++;
	}
	CHECK(bad == 0 && mirror_flow_bytes(m) <=
	    full + 2000 * FLOW_SIZE(AF_INET) + one);
	/* Everything gone: one spare slab is all that stays. */
	for (k = 10001; k <= 20000; k += 2) {
		snprintf(src, sizeof(src), "192.168.50.%u", 10 + k % 200);
		i = mk(k, src, (uint16_t)k, "203.0.113.1", 80);
		if (mirror_destroy(m, &i, 0) != 0)
			bad++;
	}
	for (k = 30000; k < 32000; k++) {
		i = mk(k, "192.168.50.9", (uint16_t)k, "203.0.113.1", 80);
		if (mirror_destroy(m, &i, 0) != 0)
			bad++;
	}
	CHECK(bad == 0 && m->nflows == 0 && mirror_flow_bytes(m) == one);
	/* ... and shrank back when the flood had gone. */
	CHECK(m->nbuckets == 1024);
	mirror_free(m);
}

/* An IPv6 flow from LAN host 2001:db8:50::N to the WAN's 2001:db8:113::1. */
static struct flow_info
mk6(uint32_t id, unsigned int n, uint16_t sport)
{
	struct flow_info i;
	char		 src[64];

	memset(&i, 0, sizeof(i));
	i.id = id;
	i.proto = IPPROTO_TCP;
	i.orig.family = i.reply.family = AF_INET6;
	snprintf(src, sizeof(src), "2001:db8:50::%x", n);
	inet_pton(AF_INET6, src, i.orig.src);
	inet_pton(AF_INET6, "2001:db8:113::1", i.orig.dst);
	memcpy(i.reply.src, i.orig.dst, 16);
	memcpy(i.reply.dst, i.orig.src, 16);
	i.orig.sport = sport;
	i.orig.dport = 443;
	i.reply.sport = 443;
	i.reply.dport = sport;
	i.has_tcp_state = 1;
	i.tcp_state = 3;
	return (i);
}

/* IPv6 flow k of test_families(), with its counters and status. */
static struct flow_info
flow6(unsigned int k)
{
	struct flow_info i = mk6(k, k, (uint16_t)(1000 + k));

	i.orig_bytes = k;
	i.reply_packets = 2 * k;
	i.status = 0x18e;
	i.timeout = 117;
	return (i);
}

/*
 * IPv4 and IPv6 flows side by side: each family in slabs of its own slot
 * size (an IPv4 flow's addresses take 16 bytes, not 64), every field
 * read back as the kernel said it, a change of the reply tuple seen,
 * the same id and ports in the other family another flow, and the IPv6
 * slabs compacted and given back on their own.
 */
static void
test_families(void)
{
	struct mirror	*m = mk_mirror(10000);
	struct flow_info i, o, v4;
	struct flow	*f;
	unsigned int	 k, bad = 0;
	size_t		 one, all;

	CHECK(FLOW_SIZE(AF_INET) + 48 == FLOW_SIZE(AF_INET6));
	CHECK(FLOW_SIZE(AF_INET) <= 128);
	v4 = mk(7, "192.168.50.10", 40000, "203.0.113.1", 443);
	CHECK(mirror_update(m, &v4, 100, 0) != NULL);
	one = mirror_flow_bytes(m);
	for (k = 1; k <= 3000; k++) {
		i = flow6(k);
		if ((f = mirror_update(m, &i, 100, 0)) == NULL ||
		    f->family != AF_INET6)
			bad++;
	}
	CHECK(bad == 0 && m->nflows == 3001 && m->nflows6 == 3000);
	all = mirror_flow_bytes(m);
	CHECK(all >= one + 3000 * FLOW_SIZE(AF_INET6) &&
	    all <= one + 3000 * FLOW_SIZE(AF_INET6) + 2 * 65536);
	/* Same id and ports as IPv6 flow 7 would be: another family. */
	i = mk6(7, 7, 1007);
	CHECK(mirror_find(m, &i) != NULL && mirror_find(m, &v4) != NULL &&
	    mirror_find(m, &i) != mirror_find(m, &v4));
	/* Every field back as it went in. */
	for (k = 1; k <= 3000; k++) {
		i = flow6(k);
		if ((f = mirror_find(m, &i)) == NULL) {
			bad++;
			continue;
		}
		flow_info_of(f, &o);
		o.start = 0;
		if (memcmp(&o, &i, sizeof(o)) != 0)
			bad++;
	}
	CHECK(bad == 0);
	f = mirror_find(m, &v4);
	flow_info_of(f, &o);
	o.start = 0;
	CHECK(memcmp(&o, &v4, sizeof(o)) == 0);
	/* A reply tuple that changed is news, even with the same counters. */
	mirror_flushed(m);
	i = flow6(5);
	CHECK(mirror_update(m, &i, 101, 0)->dirty == 0);
	i.reply.dst[15] ^= 1;
	f = mirror_update(m, &i, 102, 0);
	CHECK(f->dirty == 1 && memcmp(flow_addr(f, FLOW_RDST), i.reply.dst,
	    16) == 0);
	/* Every other IPv6 flow goes: compaction, in IPv6 slabs only. */
	for (k = 1; k <= 3000; k += 2) {
		i = mk6(k, k, (uint16_t)(1000 + k));
		if (mirror_destroy(m, &i, 0) != 0)
			bad++;
	}
	CHECK(bad == 0 && m->nflows6 == 1500);
	CHECK(mirror_compact(m) > 0);
	CHECK(mirror_flow_bytes(m) <= one + 1500 * FLOW_SIZE(AF_INET6) *
	    5 / 4 + 3 * 65536);
	for (k = 2; k <= 3000; k += 2) {
		i = mk6(k, k, (uint16_t)(1000 + k));
		if ((f = mirror_find(m, &i)) == NULL || f->orig_bytes != k)
			bad++;
	}
	CHECK(bad == 0 && mirror_find(m, &v4) != NULL);
	for (k = 2; k <= 3000; k += 2) {
		i = mk6(k, k, (uint16_t)(1000 + k));
		if (mirror_destroy(m, &i, 0) != 0)
			bad++;
	}
	/* The IPv4 flow's slab and one spare are all that stay. */
	CHECK(bad == 0 && m->nflows == 1 && m->nflows6 == 0 &&
	    mirror_flow_bytes(m) == 2 * 65536);
	f = mirror_find(m, &v4);
	CHECK(f != NULL && f->family == AF_INET &&
	    memcmp(flow_addr(f, FLOW_ODST), v4.orig.dst, 4) == 0);
	mirror_free(m);
}

/* A sample of flow i at time ms with the given counters. */
static struct flow *
sample(struct mirror *m, struct flow_info *i, int64_t ms, uint64_t ob,
    uint64_t rb)
{
	m->now_ms = ms;
	i->orig_bytes = ob;
	i->reply_bytes = rb;
	return (mirror_update(m, i, ms / 1000, 0));
}

static void
test_rates(void)
{
	struct mirror	*m = mk_mirror(16);
	struct flow_info a = mk(7, "192.168.50.10", 40000, "203.0.113.1", 80);
	struct flow_info b = mk(8, "192.168.50.10", 40001, "203.0.113.1", 80);
	struct mirror_host *h;
	struct flow	*f;

	/* A first sample, however many bytes it carries, is no rate. */
	f = sample(m, &a, 100000, 5000000, 9000000);
	CHECK(f != NULL && f->rate_orig == 0 && f->rate_reply == 0);
	f = sample(m, &a, 101000, 5100000, 11000000);
	CHECK(f->rate_orig == 100000 && f->rate_reply == 2000000);
	CHECK(f->dirty);
	/* Too close to the last sample: the rate stands. */
	f = sample(m, &a, 101100, 5100100, 11500000);
	CHECK(f->rate_orig == 100000 && f->rate_reply == 2000000);
	/* Measured from the last real sample, over its real time. */
	f = sample(m, &a, 103000, 5100000 + 200000, 11000000 + 1000000);
	CHECK(f->rate_orig == 100000 && f->rate_reply == 500000);
	/* Idle: the rate falls to zero and the row is written again. */
	mirror_flushed(m);
	f = sample(m, &a, 104000, 5300000, 12000000);
	CHECK(f->rate_orig == 0 && f->rate_reply == 0 && f->dirty);
	/* Counters that go back (id reused): zero, never negative. */
	f = sample(m, &a, 105000, 1000, 2000);
	CHECK(f->rate_orig == 0 && f->rate_reply == 0);
	f = sample(m, &a, 106000, 11000, 42000);
	CHECK(f->rate_orig == 10000 && f->rate_reply == 40000);
	/* The host: the sum of its flows, out = what the LAN host sent. */
	(void)sample(m, &b, 105000, 0, 0);
	(void)sample(m, &b, 106000, 3000, 1000);
	CHECK(mirror_host_rates(m) == 1);
	h = host(m, "192.168.50.10");
	CHECK(h != NULL && h->rate_out == 13000 && h->rate_in == 41000);
	h->wrote_out = h->rate_out;
	h->wrote_in = h->rate_in;
	h->wrote_flows = h->connections;
	CHECK(mirror_host_rates(m) == 0);
	/* A flow gone between samples: its last bytes count in the step. */
	mirror_step_reset(m);
	b.orig_bytes = 4000;
	b.reply_bytes = 1500;
	CHECK(mirror_destroy(m, &b, 0) == 0);
	CHECK(h->step_out == 1000 && h->step_in == 500);
	CHECK(mirror_host_rates(m) == 1);
	CHECK(h->rate_out == 10000 && h->rate_in == 40000);
	mirror_free(m);
}

static void
test_gateway(void)
{
	struct mirror	*m = mk_mirror(16);
	struct mirror_addr own[2];
	struct flow_info a = mk(1, "192.168.50.10", 40000, "203.0.113.1", 80);
	struct flow_info g = mk(2, "203.0.113.2", 40000, "203.0.113.1", 53);
	struct flow_info l = mk(3, "192.168.50.10", 40002, "192.168.50.1", 443);
	struct flow_info fw = mk(4, "203.0.113.1", 5000, "203.0.113.2", 8080);
	struct flow	*f;

	memset(own, 0, sizeof(own));
	own[0].family = own[1].family = AF_INET;
	inet_pton(AF_INET, "203.0.113.2", own[0].a);
	inet_pton(AF_INET, "192.168.50.1", own[1].a);
	/* Not translated: the reply comes straight back. */
	memcpy(l.reply.dst, l.orig.src, 4);
	memcpy(l.reply.src, l.orig.dst, 4);
	memcpy(g.reply.dst, g.orig.src, 4);
	/* A port forward to lan1: to the gateway's address, translated. */
	inet_pton(AF_INET, "192.168.50.10", fw.reply.src);
	inet_pton(AF_INET, "203.0.113.1", fw.reply.dst);
	fw.reply.sport = 8000;
	CHECK((f = mirror_update(m, &g, 100, 0)) != NULL && f->gateway == 0);
	mirror_set_own(m, own, 2);
	CHECK(f->gateway == 1 && f->dirty);
	CHECK((f = mirror_update(m, &a, 100, 0)) != NULL && f->gateway == 0);
	CHECK((f = mirror_update(m, &l, 100, 0)) != NULL && f->gateway == 1);
	CHECK((f = mirror_update(m, &fw, 100, 0)) != NULL && f->gateway == 0);
	mirror_free(m);
}

int
main(void)
{
	test_key_and_bound();
	test_sweep();
	test_dead_overflow();
	test_traffic();
	test_discover();
	test_slabs();
	test_families();
	test_rates();
	test_gateway();
	return (tap_done());
}
