/*
 * SPDX-License-Identifier: ISC
 *
 * watch.c: the station watch, arpwatch's policy as pure code.  Owns the
 * in-memory station history (one record per (MAC, address) pair, capped
 * at max_stations with the least recently seen evicted first), the
 * current and previous MAC of each address, and the gratuitous-ARP
 * counters.  Callers feed observations and get events back; this file
 * never logs, never touches the kernel, the network or a database, so
 * every decision is unit-tested.
 */
#include <sys/queue.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "arpd.h"

#define WATCH_BUCKETS	1024
#define WATCH_STORM_SLOTS 64

/* What we know about one address: its MAC now and the one before. */
struct watch_addr {
	LIST_ENTRY(watch_addr)	 hash;
	TAILQ_ENTRY(watch_addr)	 lru;
	struct in_addr		 addr;
	uint8_t			 cur[ADDR_MAC_LEN];
	uint8_t			 prev[ADDR_MAC_LEN];
	int			 has_prev;
	int64_t			 changed_at;
	int64_t			 last_seen;
	uint8_t			 reserved_mac[ADDR_MAC_LEN];
	int64_t			 reserved_at;
};

/* Gratuitous ARPs from one MAC in the current minute. */
struct watch_storm {
	uint8_t			 mac[ADDR_MAC_LEN];
	int64_t			 window;	/* minute's start, 0 = free */
	unsigned int		 count;
	int			 reported;
};

LIST_HEAD(watch_station_bucket, watch_station);
LIST_HEAD(watch_addr_bucket, watch_addr);

struct watch {
	struct watch_config	 conf;
	struct watch_station_bucket stations[WATCH_BUCKETS];
	TAILQ_HEAD(, watch_station) station_lru;
	size_t			 nstations;
	struct watch_addr_bucket addrs[WATCH_BUCKETS];
	TAILQ_HEAD(watch_addr_lru, watch_addr) addr_lru;
	size_t			 naddrs;
	struct watch_storm	 storms[WATCH_STORM_SLOTS];
	uint64_t		 seq;
	uint64_t		 station_seq;	/* last station change */
};

static const char *const kind_names[WATCH_KIND_MAX] = {
	[WATCH_NEW_STATION] = "new_station",
	[WATCH_CHANGED_MAC] = "changed_mac",
	[WATCH_FLIP_FLOP] = "flip_flop",
	[WATCH_BOGON] = "bogon",
	[WATCH_RESERVED] = "reserved",
	[WATCH_STORM] = "storm",
};

/* The token stored in the events table for an event kind. */
const char *
watch_kind_name(enum watch_kind k)
{
	if ((unsigned int)k >= WATCH_KIND_MAX)
		return ("unknown");
	return (kind_names[k]);
}

static unsigned int
hash_addr(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	h ^= h >> 16;
	h *= 0x45d9f3bU;
	h ^= h >> 16;
	return (h % WATCH_BUCKETS);
}

static unsigned int
hash_pair(const uint8_t *mac, struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);
	int	 i;

	for (i = 0; i < ADDR_MAC_LEN; i++)
		h = h * 31 + mac[i];
	h ^= h >> 15;
	h *= 0x2c1b3c6dU;
	h ^= h >> 12;
	return (h % WATCH_BUCKETS);
}

static void
sanitize(struct watch_config *c)
{
	if (c->max_stations == 0)
		c->max_stations = 1;
}

/* A new, empty watch with a copy of conf. */
struct watch *
watch_new(const struct watch_config *conf)
{
	struct watch	*w;
	int		 i;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return (NULL);
	w->conf = *conf;
	sanitize(&w->conf);
	for (i = 0; i < WATCH_BUCKETS; i++) {
		LIST_INIT(&w->stations[i]);
		LIST_INIT(&w->addrs[i]);
	}
	TAILQ_INIT(&w->station_lru);
	TAILQ_INIT(&w->addr_lru);
	return (w);
}

/* Free a watch and everything it holds; NULL is fine. */
void
watch_free(struct watch *w)
{
	struct watch_station	*s;
	struct watch_addr	*a;

	if (w == NULL)
		return;
	while ((s = TAILQ_FIRST(&w->station_lru)) != NULL) {
		TAILQ_REMOVE(&w->station_lru, s, lru);
		free(s);
	}
	while ((a = TAILQ_FIRST(&w->addr_lru)) != NULL) {
		TAILQ_REMOVE(&w->addr_lru, a, lru);
		free(a);
	}
	free(w);
}

/* Replace the config; caps shrink the tables at the next insertion. */
void
watch_set_config(struct watch *w, const struct watch_config *conf)
{
	w->conf = *conf;
	sanitize(&w->conf);
}

static struct watch_station *
station_find(struct watch *w, const uint8_t *mac, struct in_addr a)
{
	struct watch_station *s;

	LIST_FOREACH(s, &w->stations[hash_pair(mac, a)], hash)
		if (s->addr.s_addr == a.s_addr &&
		    memcmp(s->mac, mac, ADDR_MAC_LEN) == 0)
			return (s);
	return (NULL);
}

static struct watch_addr *
addr_find(struct watch *w, struct in_addr a)
{
	struct watch_addr *r;

	LIST_FOREACH(r, &w->addrs[hash_addr(a)], hash)
		if (r->addr.s_addr == a.s_addr)
			return (r);
	return (NULL);
}

/* Move s to the most recent end of the LRU list. */
static void
station_touch(struct watch *w, struct watch_station *s)
{
	TAILQ_REMOVE(&w->station_lru, s, lru);
	TAILQ_INSERT_TAIL(&w->station_lru, s, lru);
}

/*
 * Insert a station, evicting the least recently seen ones beyond the cap.
 * Returns NULL only when memory runs out.
 */
static struct watch_station *
station_add(struct watch *w, const uint8_t *mac, struct in_addr a,
    int64_t first, int64_t last)
{
	struct watch_station *s, *old;

	while (w->nstations >= w->conf.max_stations &&
	    (old = TAILQ_FIRST(&w->station_lru)) != NULL) {
		TAILQ_REMOVE(&w->station_lru, old, lru);
		LIST_REMOVE(old, hash);
		free(old);
		w->nstations--;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (NULL);
	memcpy(s->mac, mac, ADDR_MAC_LEN);
	s->addr = a;
	s->first_seen = first;
	s->last_seen = last;
	LIST_INSERT_HEAD(&w->stations[hash_pair(mac, a)], s, hash);
	TAILQ_INSERT_TAIL(&w->station_lru, s, lru);
	w->nstations++;
	return (s);
}

static struct watch_addr *
addr_add(struct watch *w, struct in_addr a, const uint8_t *mac)
{
	struct watch_addr *r, *old;

	while (w->naddrs >= w->conf.max_stations &&
	    (old = TAILQ_FIRST(&w->addr_lru)) != NULL) {
		TAILQ_REMOVE(&w->addr_lru, old, lru);
		LIST_REMOVE(old, hash);
		free(old);
		w->naddrs--;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return (NULL);
	r->addr = a;
	memcpy(r->cur, mac, ADDR_MAC_LEN);
	LIST_INSERT_HEAD(&w->addrs[hash_addr(a)], r, hash);
	TAILQ_INSERT_TAIL(&w->addr_lru, r, lru);
	w->naddrs++;
	return (r);
}

/* Load one station from the history without raising events. */
void
watch_load(struct watch *w, const uint8_t mac[ADDR_MAC_LEN], struct in_addr a,
    int64_t first_seen, int64_t last_seen)
{
	struct watch_station	*s;
	struct watch_addr	*r;

	if ((s = station_find(w, mac, a)) == NULL) {
		if ((s = station_add(w, mac, a, first_seen, last_seen)) == NULL)
			return;
	} else {
		if (first_seen < s->first_seen)
			s->first_seen = first_seen;
		if (last_seen > s->last_seen)
			s->last_seen = last_seen;
		station_touch(w, s);
	}
	s->written_seen = s->last_seen;

	/* The address record: the latest MAC wins (oldest come first). */
	if ((r = addr_find(w, a)) == NULL) {
		if ((r = addr_add(w, a, mac)) == NULL)
			return;
		r->last_seen = last_seen;
	} else if (last_seen >= r->last_seen) {
		if (memcmp(r->cur, mac, ADDR_MAC_LEN) != 0) {
			memcpy(r->prev, r->cur, ADDR_MAC_LEN);
			r->has_prev = 1;
			memcpy(r->cur, mac, ADDR_MAC_LEN);
		}
		r->last_seen = last_seen;
		TAILQ_REMOVE(&w->addr_lru, r, lru);
		TAILQ_INSERT_TAIL(&w->addr_lru, r, lru);
	}
}

static int
emit(struct watch_event *out, int max, int n, enum watch_kind kind,
    int64_t now, struct in_addr a, const uint8_t *old, const uint8_t *new)
{
	struct watch_event *e;

	if (n >= max)
		return (n);
	e = &out[n];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->time = now;
	e->addr = a;
	if (old != NULL) {
		e->has_old = 1;
		memcpy(e->mac_old, old, ADDR_MAC_LEN);
	}
	memcpy(e->mac_new, new, ADDR_MAC_LEN);
	return (n + 1);
}

/*
 * Count a gratuitous ARP from mac; returns the count when it just went over
 * the threshold for the first time this minute, else 0.
 */
static unsigned int
storm_count(struct watch *w, const uint8_t *mac, int64_t now)
{
	struct watch_storm	*st = NULL, *oldest = &w->storms[0];
	int64_t			 window = now - now % 60;
	int			 i;

	for (i = 0; i < WATCH_STORM_SLOTS; i++) {
		if (w->storms[i].window != 0 &&
		    memcmp(w->storms[i].mac, mac, ADDR_MAC_LEN) == 0) {
			st = &w->storms[i];
			break;
		}
		if (w->storms[i].window < oldest->window)
			oldest = &w->storms[i];
	}
	if (st == NULL) {
		st = oldest;
		memcpy(st->mac, mac, ADDR_MAC_LEN);
		st->window = 0;
	}
	if (st->window != window) {
		st->window = window;
		st->count = 0;
		st->reported = 0;
	}
	st->count++;
	if (st->count > w->conf.storm_threshold && !st->reported) {
		st->reported = 1;
		return (st->count);
	}
	return (0);
}

/* Feed one observation and decide which events it raises. */
int
watch_observe(struct watch *w, const struct watch_obs *o,
    struct watch_event *out, int max)
{
	struct watch_station	*s;
	struct watch_addr	*r;
	unsigned int		 storm;
	char			 buf[ADDR_MAC_STRLEN];
	size_t			 i;
	int			 n = 0, bogon;

	/* Probes (sender 0.0.0.0) and impossible MACs claim nothing. */
	if (addr_mac_is_special(o->mac))
		return (0);
	if (o->gratuitous && w->conf.storm_threshold > 0 &&
	    (storm = storm_count(w, o->mac, o->now)) > 0) {
		n = emit(out, max, n, WATCH_STORM, o->now, o->addr, NULL,
		    o->mac);
		if (n > 0)
			snprintf(out[n - 1].detail, sizeof(out[n - 1].detail),
			    "more than %u gratuitous ARPs in a minute",
			    w->conf.storm_threshold);
	}
	if (o->addr.s_addr == INADDR_ANY)
		return (n);

	w->seq++;
	bogon = !addr_in_prefix4(o->addr, w->conf.lan_net, w->conf.lan_plen);
	if ((s = station_find(w, o->mac, o->addr)) == NULL) {
		if ((s = station_add(w, o->mac, o->addr, o->now, o->now)) ==
		    NULL)
			return (n);
		s->seq = w->station_seq = w->seq;
		if (bogon) {
			n = emit(out, max, n, WATCH_BOGON, o->now, o->addr,
			    NULL, o->mac);
			return (n);
		}
	} else {
		if (o->now > s->last_seen)
			s->last_seen = o->now;
		if (s->last_seen - s->written_seen >= ARPD_SEEN_GRANULARITY)
			s->seq = w->station_seq = w->seq;
		station_touch(w, s);
	}
	if (bogon)
		return (n);

	if ((r = addr_find(w, o->addr)) == NULL) {
		if ((r = addr_add(w, o->addr, o->mac)) == NULL)
			return (n);
		n = emit(out, max, n, WATCH_NEW_STATION, o->now, o->addr,
		    NULL, o->mac);
	} else if (memcmp(r->cur, o->mac, ADDR_MAC_LEN) != 0) {
		/*
		 * arpwatch's flip flop: the address went back to the MAC it
		 * had just before, within the window.  Anything else is a
		 * changed MAC.
		 */
		if (r->has_prev && memcmp(r->prev, o->mac, ADDR_MAC_LEN) == 0 &&
		    r->changed_at != 0 &&
		    o->now - r->changed_at <= (int64_t)w->conf.flip_flop_window)
			n = emit(out, max, n, WATCH_FLIP_FLOP, o->now, o->addr,
			    r->cur, o->mac);
		else
			n = emit(out, max, n, WATCH_CHANGED_MAC, o->now,
			    o->addr, r->cur, o->mac);
		memcpy(r->prev, r->cur, ADDR_MAC_LEN);
		r->has_prev = 1;
		memcpy(r->cur, o->mac, ADDR_MAC_LEN);
		r->changed_at = o->now;
	}
	r->last_seen = o->now;
	TAILQ_REMOVE(&w->addr_lru, r, lru);
	TAILQ_INSERT_TAIL(&w->addr_lru, r, lru);

	for (i = 0; i < w->conf.nreserved; i++) {
		const struct watch_reservation *res = &w->conf.reserved[i];

		if (res->addr.s_addr != o->addr.s_addr ||
		    memcmp(res->mac, o->mac, ADDR_MAC_LEN) == 0)
			continue;
		if (r->reserved_at != 0 &&
		    memcmp(r->reserved_mac, o->mac, ADDR_MAC_LEN) == 0 &&
		    o->now - r->reserved_at < (int64_t)w->conf.repeat_interval)
			break;
		memcpy(r->reserved_mac, o->mac, ADDR_MAC_LEN);
		r->reserved_at = o->now;
		n = emit(out, max, n, WATCH_RESERVED, o->now, o->addr,
		    res->mac, o->mac);
		if (n > 0 && out[n - 1].kind == WATCH_RESERVED)
			snprintf(out[n - 1].detail, sizeof(out[n - 1].detail),
			    "reserved for %s", addr_fmt_mac(res->mac, buf));
		break;
	}
	return (n);
}

/* The current MAC of an address: 0, or -ENOENT. */
int
watch_lookup(struct watch *w, struct in_addr a, uint8_t ret[ADDR_MAC_LEN])
{
	struct watch_addr *r;

	if ((r = addr_find(w, a)) == NULL)
		return (-ENOENT);
	memcpy(ret, r->cur, ADDR_MAC_LEN);
	return (0);
}

/* Call cb for every station changed after seq; returns the count. */
size_t
watch_foreach_changed(struct watch *w, uint64_t seq,
    void (*cb)(const struct watch_station *, void *), void *arg)
{
	struct watch_station	*s;
	size_t			 n = 0;

	TAILQ_FOREACH(s, &w->station_lru, lru) {
		if (s->seq <= seq)
			continue;
		s->written_seen = s->last_seen;
		cb(s, arg);
		n++;
	}
	return (n);
}

/* Call cb for every address, most recently seen first. */
size_t
watch_foreach_address(struct watch *w,
    void (*cb)(struct in_addr, const uint8_t *, int64_t, void *), void *arg)
{
	struct watch_addr	*r;
	size_t			 n = 0;

	TAILQ_FOREACH_REVERSE(r, &w->addr_lru, watch_addr_lru, lru) {
		cb(r->addr, r->cur, r->last_seen, arg);
		n++;
	}
	return (n);
}

/* The change number of the latest station change. */
uint64_t
watch_seq(const struct watch *w)
{
	return (w->station_seq);
}

/* Stations held. */
size_t
watch_count(const struct watch *w)
{
	return (w->nstations);
}
