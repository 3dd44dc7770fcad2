/*
 * SPDX-License-Identifier: ISC
 *
 * publish.c: arpd's writes to the shared state, always batched through a
 * state_writer.  live.db gets the neighbours table (the mirror plus our
 * proxy entries) and arpd's metrics about once a second when something
 * changed; homegw.db gets the station history and the events every few
 * seconds.  Events wait in a bounded queue (the oldest are dropped and
 * counted when it is full); a station or event leaves memory's "to
 * write" set only once the transaction holding it has committed
 * (state_writer_on_commit), so a busy or failed commit loses nothing.
 */
#include <linux/neighbour.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "addr.h"
#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "netlink.h"
#include "state.h"
#include "arpd.h"

static sqlite3_stmt *st_neigh_del, *st_neigh_ins, *st_proxy_ins;
static sqlite3_stmt *st_station, *st_event_time;

static int
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return (sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT));
}

static int
step(sqlite3_stmt *st)
{
	int r = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return (r == SQLITE_DONE ? 0 : -EIO);
}

static void
metrics(struct arpd *a, sqlite3 *db)
{
	static const char *d = "arpd";

	state_metric_set(db, d, "arp_frames", (double)a->frames);
	state_metric_set(db, d, "dropped_malformed", (double)a->malformed);
	if (a->pkt_fd != -1)
		a->queue_drops += packet_drops(a->pkt_fd);
	state_metric_set(db, d, "dropped_queue_full", (double)a->queue_drops);
	state_metric_set(db, d, "proxy_replies", (double)a->proxy_replies);
	state_metric_set(db, d, "neighbours", (double)a->nneighs);
	state_metric_set(db, d, "stations", (double)watch_count(a->watch));
	state_metric_set(db, d, "events", (double)a->events_total);
	state_metric_set(db, d, "events_dropped", (double)a->events_dropped);
	state_metric_set(db, d, "events_suppressed",
	    (double)a->events_suppressed);
	state_metric_set(db, d, "resyncs", (double)a->resyncs);
	state_metric_set(db, d, "netlink_overruns",
	    (double)(a->nlw != NULL ? netlink_watch_overruns(a->nlw) : 0));
	state_metric_set(db, d, "pin_restores", (double)a->pin_restores);
	state_metric_set(db, d, "kernel_errors", (double)a->kernel_errors);
}

static int
write_neigh(struct arpd *a, const struct neigh *n)
{
	char	 ip[INET_ADDRSTRLEN], mac[ADDR_MAC_STRLEN];

	bind_text(st_neigh_ins, 1, addr_fmt_ip4(n->addr, ip));
	bind_text(st_neigh_ins, 2, a->ifname);
	if (n->has_mac)
		bind_text(st_neigh_ins, 3, addr_fmt_mac(n->mac, mac));
	bind_text(st_neigh_ins, 4, netlink_nud_name(n->state));
	sqlite3_bind_int(st_neigh_ins, 5, mirror_is_pinned(a, n->addr));
	sqlite3_bind_int64(st_neigh_ins, 6, n->updated);
	return (step(st_neigh_ins));
}

/* live.db: rewrite our neighbours rows from the mirror, then metrics. */
static int
live_flush_cb(sqlite3 *db, void *arg)
{
	struct arpd	*a = arg;
	struct neigh	*n;
	char		 ip[INET_ADDRSTRLEN], mac[ADDR_MAC_STRLEN];
	int64_t		 now = state_now();
	size_t		 i;

	bind_text(st_neigh_del, 1, a->ifname);
	if (step(st_neigh_del) < 0)
		return (-EIO);
	for (i = 0; i < ARPD_NEIGH_BUCKETS; i++)
		LIST_FOREACH(n, &a->neighs[i], entry)
			if (write_neigh(a, n) < 0)
				return (-EIO);
	for (i = 0; i < a->nproxies; i++) {
		bind_text(st_proxy_ins, 1, addr_fmt_ip4(a->proxies[i].addr,
		    ip));
		bind_text(st_proxy_ins, 2, a->ifname);
		bind_text(st_proxy_ins, 3, addr_fmt_mac(a->mac, mac));
		sqlite3_bind_int64(st_proxy_ins, 4, now);
		if (step(st_proxy_ins) < 0)
			return (-EIO);
	}
	metrics(a, db);
	return (0);
}

struct station_arg {
	struct arpd	*a;
	int		 err;
};

static void
station_write(const struct watch_station *s, void *arg)
{
	struct station_arg	*sa = arg;
	char			 ip[INET_ADDRSTRLEN], mac[ADDR_MAC_STRLEN];

	if (sa->err)
		return;
	bind_text(st_station, 1, addr_fmt_mac(s->mac, mac));
	bind_text(st_station, 2, addr_fmt_ip4(s->addr, ip));
	bind_text(st_station, 3, sa->a->ifname);
	sqlite3_bind_int64(st_station, 4, s->first_seen);
	sqlite3_bind_int64(st_station, 5, s->last_seen);
	if (step(st_station) < 0)
		sa->err = 1;
}

/* The persist transaction committed: forget what it wrote. */
static void
confirm(void *arg)
{
	struct arpd	*a = arg;
	size_t		 i, k;

	a->station_committed = a->station_pending;
	a->event_committed = a->event_pending;
	for (i = 0, k = 0; i < a->nevents; i++)
		if (a->events[i].seq > a->event_committed)
			a->events[k++] = a->events[i];
	a->nevents = k;
	a->persist_inflight = 0;
}

/* homegw.db: changed stations and new events. */
static int
persist_flush_cb(sqlite3 *db, void *arg)
{
	struct arpd		*a = arg;
	struct station_arg	 sa = { a, 0 };
	char			 ip[INET_ADDRSTRLEN];
	char			 mo[ADDR_MAC_STRLEN], mn[ADDR_MAC_STRLEN];
	uint64_t		 sseq = watch_seq(a->watch), eseq = 0;
	size_t			 i;

	watch_foreach_changed(a->watch, a->station_committed, station_write,
	    &sa);
	if (sa.err)
		return (-EIO);
	for (i = 0; i < a->nevents; i++) {
		const struct watch_event *e = &a->events[i].ev;

		if (a->events[i].seq <= a->event_committed)
			continue;
		if (state_event_add(db, "arpd", watch_kind_name(e->kind),
		    addr_fmt_ip4(e->addr, ip),
		    e->has_old ? addr_fmt_mac(e->mac_old, mo) : NULL,
		    addr_fmt_mac(e->mac_new, mn),
		    e->detail[0] != '\0' ? e->detail : NULL) < 0)
			return (-EIO);
		/* The row is written later than the event happened. */
		sqlite3_bind_int64(st_event_time, 1, e->time);
		sqlite3_bind_int64(st_event_time, 2,
		    sqlite3_last_insert_rowid(db));
		if (step(st_event_time) < 0)
			return (-EIO);
		eseq = a->events[i].seq;
	}
	a->station_pending = sseq;
	a->event_pending = eseq > a->event_committed ? eseq :
	    a->event_committed;
	a->persist_inflight = 1;
	return (0);
}

/* Queue an event for homegw.db and log it. */
void
publish_event(struct arpd *a, const struct watch_event *e)
{
	char	 ip[INET_ADDRSTRLEN], mo[ADDR_MAC_STRLEN], mn[ADDR_MAC_STRLEN];

	/*
	 * A flood of spoofed ARP can make an event of every frame: beyond
	 * ARPD_EVENTS_PER_S a second, events are only counted, so that
	 * neither the log nor the SD card pays for the attack.
	 */
	if (e->time != a->rate_second) {
		if (a->rate_suppressed > 0)
			log_warnx("%lu events suppressed in one second (more "
			    "than %d)", a->rate_suppressed, ARPD_EVENTS_PER_S);
		a->rate_second = e->time;
		a->rate_count = 0;
		a->rate_suppressed = 0;
	}
	a->events_total++;
	if (++a->rate_count > ARPD_EVENTS_PER_S) {
		a->rate_suppressed++;
		a->events_suppressed++;
		publish_live_dirty(a);
		return;
	}
	log_info("%s: %s at %s%s%s%s%s%s", watch_kind_name(e->kind),
	    addr_fmt_ip4(e->addr, ip), addr_fmt_mac(e->mac_new, mn),
	    e->has_old ? ", was " : "",
	    e->has_old ? addr_fmt_mac(e->mac_old, mo) : "",
	    e->detail[0] != '\0' ? " (" : "", e->detail,
	    e->detail[0] != '\0' ? ")" : "");
	if (a->nevents == ARPD_EVENTS_MAX) {
		/* Keep the newest: drop the oldest, counted. */
		memmove(&a->events[0], &a->events[1],
		    (ARPD_EVENTS_MAX - 1) * sizeof(a->events[0]));
		a->nevents--;
		a->events_dropped++;
	}
	a->events[a->nevents].ev = *e;
	a->events[a->nevents].seq = ++a->event_seq;
	a->nevents++;
	publish_persist_dirty(a);
	publish_live_dirty(a);
}

/* Something in the mirror or the counters changed. */
void
publish_live_dirty(struct arpd *a)
{
	if (a->live_w != NULL)
		state_writer_dirty(a->live_w);
}

/* Stations or events are waiting. */
void
publish_persist_dirty(struct arpd *a)
{
	if (a->persist_w != NULL)
		state_writer_dirty(a->persist_w);
}

/* Load the station history into the watch, oldest first. */
int
publish_load_history(struct arpd *a)
{
	sqlite3_stmt	*st;
	struct in_addr	 addr;
	uint8_t		 mac[ADDR_MAC_LEN];
	int		 r, n = 0, bad = 0;

	if (sqlite3_prepare_v2(a->d->persist,
	    "SELECT mac, address, first_seen, last_seen FROM ("
	    " SELECT * FROM stations ORDER BY last_seen DESC LIMIT ?)"
	    " ORDER BY last_seen ASC", -1, &st, NULL) != SQLITE_OK)
		return (-EIO);
	sqlite3_bind_int64(st, 1, a->conf->arp.max_stations);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		/* Rows are parsed like any other untrusted input. */
		if (addr_parse_mac((const char *)sqlite3_column_text(st, 0),
		    mac) < 0 || addr_parse_ip4((const char *)
		    sqlite3_column_text(st, 1), &addr) < 0) {
			bad++;
			continue;
		}
		watch_load(a->watch, mac, addr, sqlite3_column_int64(st, 2),
		    sqlite3_column_int64(st, 3));
		n++;
	}
	sqlite3_finalize(st);
	/* Loaded rows are on disk already. */
	a->station_committed = a->station_pending = watch_seq(a->watch);
	if (bad > 0)
		log_warnx("station history: %d unreadable rows skipped", bad);
	log_debug("%s: %d stations loaded", __func__, n);
	/* A damaged file is noted, and daemon.c moves it aside. */
	return (r == SQLITE_DONE ? n : state_result(a->d->persist, r));
}

/*
 * Was homegw.db started anew after damage in the last day (an event
 * any daemon wrote)?  Then an empty station history is no news either.
 */
int
publish_recent_reset(struct arpd *a)
{
	sqlite3_stmt	*st;
	int		 r = 0;

	if (sqlite3_prepare_v2(a->d->persist, "SELECT count(*) FROM events "
	    "WHERE kind = 'db_reset' AND time > ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return (0);
	sqlite3_bind_int64(st, 1, state_now() - DAEMON_RESET_ALERT_S);
	if (sqlite3_step(st) == SQLITE_ROW)
		r = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	return (r);
}

/* Retention: age and row cap on the station history and arpd's events. */
void
publish_prune(struct arpd *a)
{
	int64_t	 age = (int64_t)a->conf->gateway.retention_days * 86400;
	int	 r;

	if ((r = state_prune(a->d->persist, "stations", "last_seen", age,
	    a->conf->arp.max_stations)) < 0)
		log_warnx("pruning station history failed (%s), will retry",
		    strerror(-r));
	if ((r = state_prune_events(a->d->persist, "arpd", age,
	    ARPD_EVENTS_KEEP)) < 0)
		log_warnx("pruning events failed (%s), will retry",
		    strerror(-r));
}

/* Prepare the statements on one database (again, after a reopen). */
static int
prepare(struct arpd *a, enum hgw_db which)
{
	if (which == HGW_DB_LIVE) {
		sqlite3_finalize(st_neigh_del);
		sqlite3_finalize(st_neigh_ins);
		sqlite3_finalize(st_proxy_ins);
		st_neigh_del = state_prepare(a->d->live,
		    "DELETE FROM neighbours WHERE ifname = ?");
		st_neigh_ins = state_prepare(a->d->live,
		    "INSERT OR REPLACE INTO neighbours (address, ifname, mac,"
		    " state, proxy, pinned, updated)"
		    " VALUES (?, ?, ?, ?, 0, ?, ?)");
		st_proxy_ins = state_prepare(a->d->live,
		    "INSERT INTO neighbours (address, ifname, mac, state, proxy,"
		    " pinned, updated) VALUES (?1, ?2, ?3, 'proxy', 1, 0, ?4)"
		    " ON CONFLICT (ifname, address) DO UPDATE SET proxy = 1");
		if (st_neigh_del != NULL && st_neigh_ins != NULL &&
		    st_proxy_ins != NULL)
			return (0);
		log_warnx("preparing statements: %s",
		    sqlite3_errmsg(a->d->live));
		return (-EIO);
	}
	sqlite3_finalize(st_station);
	sqlite3_finalize(st_event_time);
	st_station = state_prepare(a->d->persist,
	    "INSERT INTO stations (mac, address, ifname, first_seen,"
	    " last_seen) VALUES (?, ?, ?, ?, ?)"
	    " ON CONFLICT (mac, address) DO UPDATE SET"
	    " ifname = excluded.ifname,"
	    " first_seen = min(first_seen, excluded.first_seen),"
	    " last_seen = max(last_seen, excluded.last_seen)");
	st_event_time = state_prepare(a->d->persist,
	    "UPDATE events SET time = ? WHERE id = ? AND daemon = 'arpd'");
	if (st_station != NULL && st_event_time != NULL)
		return (0);
	log_warnx("preparing statements: %s", sqlite3_errmsg(a->d->persist));
	return (-EIO);
}

/* Prepare statements and create the two writers. */
int
publish_start(struct arpd *a)
{
	if (prepare(a, HGW_DB_LIVE) < 0 || prepare(a, HGW_DB_PERSIST) < 0)
		return (-EIO);
	a->live_w = state_writer_new(a->d->base, a->d->live,
	    ARPD_LIVE_FLUSH_MS, live_flush_cb, a);
	a->persist_w = state_writer_new(a->d->base, a->d->persist,
	    ARPD_PERSIST_FLUSH_MS, persist_flush_cb, a);
	if (a->live_w == NULL || a->persist_w == NULL)
		return (-ENOMEM);
	state_writer_on_commit(a->persist_w, confirm);
	state_writer_name(a->live_w, "the neighbour mirror");
	state_writer_name(a->persist_w, "the station history");
	return (0);
}

/*
 * daemon.c reopened a database: a new live.db gets the whole mirror
 * again; a new homegw.db (the old one damaged) gets every station arpd
 * knows, so that its history goes on and nothing is announced as new.
 */
void
publish_reopen(struct arpd *a, enum hgw_db which)
{
	/* The old handle is closed after this: never keep it. */
	state_writer_set_db(which == HGW_DB_LIVE ? a->live_w : a->persist_w,
	    which == HGW_DB_LIVE ? a->d->live : a->d->persist);
	if (prepare(a, which) < 0)
		return;
	if (which == HGW_DB_LIVE) {
		publish_live_dirty(a);
		return;
	}
	a->station_committed = a->station_pending = 0;
	a->persist_inflight = 0;
	publish_persist_dirty(a);
}

/*
 * Failed writes are logged by the writers themselves (the shared path in
 * common/state.c); nothing is left to say here.
 */
void
publish_check(struct arpd *a)
{
	(void)a;
}

/* The final flush at stop; may block on SQLite. */
void
publish_flush(struct arpd *a)
{
	if (a->live_w != NULL && state_writer_flush(a->live_w) < 0)
		log_warnx("final write of live.db failed");
	if (a->persist_w != NULL) {
		if (state_writer_flush(a->persist_w) < 0)
			log_warnx("final write of station history failed, %zu "
			    "events not saved", a->nevents);
	}
}

/* Remove our rows from live.db, free the writers and statements. */
void
publish_stop(struct arpd *a)
{
	state_writer_free(a->live_w);
	state_writer_free(a->persist_w);
	a->live_w = a->persist_w = NULL;
	if (st_neigh_del != NULL) {
		bind_text(st_neigh_del, 1, a->ifname);
		(void)step(st_neigh_del);
	}
	sqlite3_finalize(st_neigh_del);
	sqlite3_finalize(st_neigh_ins);
	sqlite3_finalize(st_proxy_ins);
	sqlite3_finalize(st_station);
	sqlite3_finalize(st_event_time);
	st_neigh_del = st_neigh_ins = st_proxy_ins = st_station = NULL;
	st_event_time = NULL;
}
