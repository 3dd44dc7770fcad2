/*
 * SPDX-License-Identifier: ISC
 *
 * arpd_watch_test.c: the station watch's decisions, table-driven where it
 * helps: which observations raise new_station, changed_mac, flip_flop,
 * bogon, reserved and storm, what the history keeps and its cap.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "addr.h"
#include "arpd.h"
#include "tap.h"

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0x50, 0x10 };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0x50, 0x11 };
static const uint8_t MAC_C[6] = { 0x02, 0, 0, 0, 0x50, 0x12 };

static struct in_addr
ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return (a);
}

static struct watch_config
config(void)
{
	static struct watch_reservation res[1];
	struct watch_config c;

	memset(&c, 0, sizeof(c));
	c.lan_net = ip("192.168.50.0");
	c.lan_plen = 24;
	res[0].addr = ip("192.168.50.20");
	memcpy(res[0].mac, MAC_C, 6);
	c.reserved = res;
	c.nreserved = 1;
	c.max_stations = 100;
	c.storm_threshold = 5;
	c.flip_flop_window = 600;
	c.repeat_interval = 60;
	return (c);
}

static int
observe(struct watch *w, int64_t now, const char *addr, const uint8_t *mac,
    int grat, struct watch_event *ev, int max)
{
	struct watch_obs o;

	memset(&o, 0, sizeof(o));
	o.now = now;
	o.addr = ip(addr);
	memcpy(o.mac, mac, 6);
	o.gratuitous = grat;
	return (watch_observe(w, &o, ev, max));
}

int
main(void)
{
	struct watch_config	 c = config();
	struct watch		*w;
	struct watch_event	 ev[8];
	uint8_t			 mac[6];
	int			 n, i;

	w = watch_new(&c);
	CHECK(w != NULL);

	/* A new address: new_station, once. */
	n = observe(w, 1000, "192.168.50.10", MAC_A, 0, ev, 8);
	CHECK(n == 1 && ev[0].kind == WATCH_NEW_STATION);
	CHECK(n == 1 && memcmp(ev[0].mac_new, MAC_A, 6) == 0 && !ev[0].has_old);
	CHECK(observe(w, 1001, "192.168.50.10", MAC_A, 0, ev, 8) == 0);
	CHECK(watch_lookup(w, ip("192.168.50.10"), mac) == 0 &&
	    memcmp(mac, MAC_A, 6) == 0);
	CHECK(watch_lookup(w, ip("192.168.50.99"), mac) == -ENOENT);

	/* Another MAC on it: changed_mac with old and new. */
	n = observe(w, 1010, "192.168.50.10", MAC_B, 0, ev, 8);
	CHECK(n == 1 && ev[0].kind == WATCH_CHANGED_MAC);
	CHECK(n == 1 && ev[0].has_old && memcmp(ev[0].mac_old, MAC_A, 6) == 0 &&
	    memcmp(ev[0].mac_new, MAC_B, 6) == 0);

	/* Back to the previous MAC within the window: flip_flop, both ways. */
	n = observe(w, 1020, "192.168.50.10", MAC_A, 0, ev, 8);
	CHECK(n == 1 && ev[0].kind == WATCH_FLIP_FLOP);
	n = observe(w, 1030, "192.168.50.10", MAC_B, 0, ev, 8);
	CHECK(n == 1 && ev[0].kind == WATCH_FLIP_FLOP &&
	    memcmp(ev[0].mac_old, MAC_A, 6) == 0);

	/* Back again after the window: only a changed MAC. */
	n = observe(w, 1030 + 601, "192.168.50.10", MAC_A, 0, ev, 8);
	CHECK(n == 1 && ev[0].kind == WATCH_CHANGED_MAC);

	/* A third MAC is a change, not a flip flop. */
	n = observe(w, 1700, "192.168.50.10", MAC_C, 0, ev, 8);
	CHECK(n == 1 && ev[0].kind == WATCH_CHANGED_MAC);

	/* Outside the LAN prefix: bogon, once per pair, no new_station. */
	n = observe(w, 1800, "10.1.2.3", MAC_A, 0, ev, 8);
	CHECK(n == 1 && ev[0].kind == WATCH_BOGON);
	CHECK(observe(w, 1801, "10.1.2.3", MAC_A, 0, ev, 8) == 0);
	CHECK(watch_lookup(w, ip("10.1.2.3"), mac) == -ENOENT);

	/* Probes and impossible MACs claim nothing. */
	CHECK(observe(w, 1802, "0.0.0.0", MAC_A, 0, ev, 8) == 0);
	{
		static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff };
		static const uint8_t zero[6];

		CHECK(observe(w, 1803, "192.168.50.30", bcast, 0, ev, 8) == 0);
		CHECK(observe(w, 1803, "192.168.50.30", zero, 0, ev, 8) == 0);
	}

	/* The reserved address claimed by its own MAC: only new_station. */
	n = observe(w, 1900, "192.168.50.20", MAC_C, 0, ev, 8);
	CHECK(n == 1 && ev[0].kind == WATCH_NEW_STATION);
	/* By another MAC: changed_mac and reserved (old = the owner). */
	n = observe(w, 1901, "192.168.50.20", MAC_A, 1, ev, 8);
	CHECK(n == 2 && ev[0].kind == WATCH_CHANGED_MAC &&
	    ev[1].kind == WATCH_RESERVED);
	CHECK(n == 2 && memcmp(ev[1].mac_old, MAC_C, 6) == 0 &&
	    memcmp(ev[1].mac_new, MAC_A, 6) == 0 &&
	    strstr(ev[1].detail, "02:00:00:00:50:12") != NULL);
	/* Repeated within the repeat interval: not again. */
	n = observe(w, 1902, "192.168.50.20", MAC_A, 1, ev, 8);
	CHECK(n == 0);
	n = observe(w, 1902 + 61, "192.168.50.20", MAC_A, 1, ev, 8);
	CHECK(n == 1 && ev[0].kind == WATCH_RESERVED);

	/* Storm: above 5 gratuitous ARPs in one minute, reported once. */
	for (i = 0, n = 0; i < 5; i++)
		n += observe(w, 3000 + i, "192.168.50.40", MAC_B, 1, ev, 8);
	CHECK(n == 1);	/* the new_station only */
	n = observe(w, 3006, "192.168.50.40", MAC_B, 1, ev, 8);
	CHECK(n == 1 && ev[0].kind == WATCH_STORM);
	CHECK(observe(w, 3007, "192.168.50.40", MAC_B, 1, ev, 8) == 0);
	/* Non-gratuitous ARPs do not count; a new minute starts over. */
	for (i = 0, n = 0; i < 10; i++)
		n += observe(w, 3060 + i, "192.168.50.40", MAC_B, 0, ev, 8);
	CHECK(n == 0);

	/* The output array bound is honoured. */
	n = observe(w, 4000, "192.168.50.20", MAC_B, 1, ev, 1);
	CHECK(n == 1);

	/* History: the pairs and their times. */
	CHECK(watch_count(w) >= 6);
	watch_free(w);

	/* Loading history raises nothing later for known stations. */
	w = watch_new(&c);
	watch_load(w, MAC_A, ip("192.168.50.10"), 100, 200);
	watch_load(w, MAC_B, ip("192.168.50.10"), 150, 300);
	CHECK(watch_lookup(w, ip("192.168.50.10"), mac) == 0 &&
	    memcmp(mac, MAC_B, 6) == 0);
	CHECK(observe(w, 5000, "192.168.50.10", MAC_B, 0, ev, 8) == 0);
	/* Known pair, not a flip flop (no recent change): changed_mac. */
	n = observe(w, 5001, "192.168.50.10", MAC_A, 0, ev, 8);
	CHECK(n == 1 && ev[0].kind == WATCH_CHANGED_MAC);
	watch_free(w);

	/* The cap: the least recently seen stations go first. */
	c.max_stations = 3;
	w = watch_new(&c);
	observe(w, 10, "192.168.50.1", MAC_A, 0, ev, 8);
	observe(w, 11, "192.168.50.2", MAC_A, 0, ev, 8);
	observe(w, 12, "192.168.50.3", MAC_A, 0, ev, 8);
	observe(w, 13, "192.168.50.1", MAC_A, 0, ev, 8);	/* refresh .1 */
	observe(w, 14, "192.168.50.4", MAC_A, 0, ev, 8);	/* evicts .2 */
	CHECK(watch_count(w) == 3);
	CHECK(watch_lookup(w, ip("192.168.50.2"), mac) == -ENOENT);
	CHECK(watch_lookup(w, ip("192.168.50.1"), mac) == 0);
	watch_free(w);

	CHECK(strcmp(watch_kind_name(WATCH_FLIP_FLOP), "flip_flop") == 0);
	CHECK(strcmp(watch_kind_name(WATCH_KIND_MAX), "unknown") == 0);
	return (tap_done());
}
