/*
 * SPDX-License-Identifier: ISC
 *
 * health.c: the gateway's own health in live.db.  Every HEALTH_STEP_S
 * seconds a timer reads the system's figures (sysinfo.c) and each
 * interface's link and counters, turns counters into rates over the
 * step (CPU busy, bit/s, bytes written per hour) and hands them to a
 * state_writer for the health, thermal, interfaces and iface_history
 * tables.  Reading a few dozen small /proc and /sys files takes well
 * under a millisecond; nothing here sits on a packet's path.  The first
 * sample is taken at start, so the page has rates one step later.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "netlink.h"
#include "state.h"
#include "addrd.h"

#define HEALTH_STEP_S		10
#define HEALTH_IFACES_MAX	32
#define HEALTH_HISTORY_S	3600	/* iface_history kept this long */
/* Samples of the disk counter kept for the written-per-hour figure. */
#define HEALTH_DISK_RING	(HEALTH_HISTORY_S / HEALTH_STEP_S + 1)
#define HEALTH_ADDRS_LEN	256
#define HEALTH_NEIGH_MAX	1024	/* neighbours of all interfaces */
#define HEALTH_GW_MAX		4

struct health_iface {
	struct sys_iface	 f;
	char			 addrs[HEALTH_ADDRS_LEN];
	int			 has_rate;
	double			 rx_bps, tx_bps;
};

struct disk_point {
	int64_t			 ms;		/* monotonic */
	uint64_t		 sectors;
};

struct health {
	struct hgw_daemon	*d;
	struct nl_sock		*nl;
	struct ks_neigh		*neigh;
	int64_t			*traffic;	/* per neigh, 0 none */
	int			 nneigh;
	struct sys_gw		 gws[HEALTH_GW_MAX];
	int			 ngws;
	struct event		*ev;
	struct state_writer	*writer;
	int64_t			 now;		/* the sample's time */
	int64_t			 mono_ms;
	struct sys_sample	 cur, prev;
	int			 have_prev;
	int			 has_busy;
	double			 busy_pct;
	struct health_iface	 ifs[HEALTH_IFACES_MAX];
	int			 nifs;
	struct health_iface	 old[HEALTH_IFACES_MAX];
	int			 nold;
	int64_t			 old_mono_ms;
	struct disk_point	 disk[HEALTH_DISK_RING];
	int			 ndisk, disk_head;
	char			 disk_dev[32];	/* the ring's */
	int			 has_per_hour;
	uint64_t		 per_hour;
	char			 hot_type[32];
	int			 has_hot;
	double			 hot;
	char			 throttled_text[256];
	int			 history_pending;
};

static int64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Each interface's addresses as "a/plen, ..." from getifaddrs(3). */
static void
fill_addrs(struct health *h)
{
	struct ifaddrs	*ifa, *i;
	char		 ip[INET6_ADDRSTRLEN], one[INET6_ADDRSTRLEN + 8];
	const void	*src;
	int		 k, plen, b;
	size_t		 len;
	const uint8_t	*m;

	if (getifaddrs(&ifa) == -1)
		return;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_netmask == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			src = &((struct sockaddr_in *)(void *)
			    i->ifa_addr)->sin_addr;
			m = (const uint8_t *)&((struct sockaddr_in *)(void *)
			    i->ifa_netmask)->sin_addr;
			len = 4;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			src = &((struct sockaddr_in6 *)(void *)
			    i->ifa_addr)->sin6_addr;
			m = (const uint8_t *)&((struct sockaddr_in6 *)(void *)
			    i->ifa_netmask)->sin6_addr;
			len = 16;
		} else
			continue;
		if (inet_ntop(i->ifa_addr->sa_family, src, ip,
		    sizeof(ip)) == NULL)
			continue;
		for (plen = 0, b = 0; b < (int)len * 8; b++)
			if (m[b / 8] & (0x80 >> (b % 8)))
				plen++;
		snprintf(one, sizeof(one), "%s/%d", ip, plen);
		for (k = 0; k < h->nifs; k++) {
			char	*a = h->ifs[k].addrs;
			size_t	 used = strlen(a);

			if (strcmp(h->ifs[k].f.name, i->ifa_name) != 0)
				continue;
			/* Bounded: many addresses show the first ones. */
			if (used + strlen(one) + 3 < HEALTH_ADDRS_LEN)
				snprintf(a + used, HEALTH_ADDRS_LEN - used,
				    "%s%s", used ? ", " : "", one);
			break;
		}
	}
	freeifaddrs(ifa);
}

/* Counter deltas into bit/s; a counter that went back (reset) has none. */
static void
iface_rates(struct health *h)
{
	double	 dt = (double)(h->mono_ms - h->old_mono_ms) / 1000.0;
	int	 i, k;

	for (i = 0; i < h->nifs; i++) {
		struct health_iface	*n = &h->ifs[i];

		n->has_rate = 0;
		if (!n->f.has_stats || dt < 1.0)
			continue;
		for (k = 0; k < h->nold; k++) {
			struct health_iface	*o = &h->old[k];

			if (strcmp(o->f.name, n->f.name) != 0 ||
			    !o->f.has_stats)
				continue;
			if (n->f.stats[0] < o->f.stats[0] ||
			    n->f.stats[1] < o->f.stats[1])
				break;
			n->rx_bps = (double)(n->f.stats[0] - o->f.stats[0]) *
			    8.0 / dt;
			n->tx_bps = (double)(n->f.stats[1] - o->f.stats[1]) *
			    8.0 / dt;
			n->has_rate = 1;
			break;
		}
	}
}

/*
 * Bytes written per hour on state_dir's device: over the samples of
 * the last hour (fewer right after start, scaled up to an hour).  A
 * changed device (state_dir remounted) starts the ring again.
 */
static void
disk_rate(struct health *h)
{
	const struct sys_sample	*s = &h->cur;
	struct disk_point	*oldest;
	int64_t			 span;

	h->has_per_hour = 0;
	if (!s->has_written) {
		h->ndisk = 0;
		return;
	}
	if (strcmp(h->disk_dev, s->disk_dev) != 0) {
		snprintf(h->disk_dev, sizeof(h->disk_dev), "%s", s->disk_dev);
		h->ndisk = 0;
	}
	h->disk[h->disk_head].ms = h->mono_ms;
	h->disk[h->disk_head].sectors = s->disk_sectors_written;
	h->disk_head = (h->disk_head + 1) % HEALTH_DISK_RING;
	if (h->ndisk < HEALTH_DISK_RING)
		h->ndisk++;
	oldest = &h->disk[(h->disk_head + HEALTH_DISK_RING - h->ndisk) %
	    HEALTH_DISK_RING];
	span = h->mono_ms - oldest->ms;
	if (span < 1000 || s->disk_sectors_written < oldest->sectors)
		return;
	h->per_hour = (uint64_t)((double)(s->disk_sectors_written -
	    oldest->sectors) * 512.0 * 3600000.0 / (double)span);
	h->has_per_hour = 1;
}

static void
summarise(struct health *h)
{
	const struct sys_sample	*s = &h->cur;
	size_t			 used;
	const char		*w;
	int			 i;

	h->has_busy = 0;
	if (h->have_prev && s->has_cpu && h->prev.has_cpu &&
	    s->cpu_total > h->prev.cpu_total &&
	    s->cpu_busy >= h->prev.cpu_busy) {
		h->busy_pct = 100.0 * (double)(s->cpu_busy - h->prev.cpu_busy) /
		    (double)(s->cpu_total - h->prev.cpu_total);
		if (h->busy_pct > 100.0)
			h->busy_pct = 100.0;
		h->has_busy = 1;
	}
	h->has_hot = 0;
	for (i = 0; i < s->nthermal; i++)
		if (!h->has_hot || s->thermal[i].celsius > h->hot) {
			h->hot = s->thermal[i].celsius;
			snprintf(h->hot_type, sizeof(h->hot_type), "%s",
			    s->thermal[i].type);
			h->has_hot = 1;
		}
	h->throttled_text[0] = '\0';
	for (i = 0; s->has_throttled && i < 32; i++) {
		if ((s->throttled & (1u << i)) == 0)
			continue;
		used = strlen(h->throttled_text);
		if ((w = sysinfo_throttled_bit(i)) == NULL)
			continue;
		snprintf(h->throttled_text + used,
		    sizeof(h->throttled_text) - used, "%s%s",
		    used ? ", " : "", w);
	}
}

/*
 * The last traffic natd saw for each neighbour's address: one grouped
 * pass over its conntrack rows (there is no index on lan_addr), read
 * outside any write transaction so natd's writes never wait on it.
 */
static void
neigh_traffic(struct health *h)
{
	sqlite3_stmt	*st;
	struct in_addr	 a;
	const char	*s;
	int		 i, rows = 0;

	memset(h->traffic, 0, sizeof(*h->traffic) * HEALTH_NEIGH_MAX);
	if (h->d->live == NULL || sqlite3_prepare_v2(h->d->live, "SELECT "
	    "lan_addr, max(last_seen) FROM conntrack WHERE lan_addr IS NOT "
	    "NULL GROUP BY lan_addr", -1, &st, NULL) != SQLITE_OK)
		return;
	while (rows++ < HEALTH_NEIGH_MAX * 4 && sqlite3_step(st) ==
	    SQLITE_ROW) {
		if ((s = (const char *)sqlite3_column_text(st, 0)) == NULL ||
		    addr_parse_ip4(s, &a) < 0)
			continue;
		for (i = 0; i < h->nneigh; i++)
			if (h->neigh[i].addr.s_addr == a.s_addr)
				h->traffic[i] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
}

static void
sample_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct health		*h = arg;
	struct sys_iface	 f[HEALTH_IFACES_MAX];
	int			 i, n;

	(void)fd;
	(void)ev;
	h->prev = h->cur;
	h->have_prev = h->now != 0;
	memcpy(h->old, h->ifs, sizeof(h->ifs[0]) * h->nifs);
	h->nold = h->nifs;
	h->old_mono_ms = h->mono_ms;

	h->now = state_now();
	h->mono_ms = mono_ms();
	sysinfo_read(&h->cur, h->d->conf->gateway.state_dir);
	n = sysinfo_ifaces(f, HEALTH_IFACES_MAX);
	for (i = 0; i < n; i++) {
		memset(&h->ifs[i], 0, sizeof(h->ifs[i]));
		h->ifs[i].f = f[i];
	}
	h->nifs = n;
	fill_addrs(h);
	if ((h->nneigh = kernel_neigh_dump(h->nl, h->neigh,
	    HEALTH_NEIGH_MAX)) < 0) {
		log_debug("%s: neighbour dump: %s", __func__,
		    strerror(-h->nneigh));
		h->nneigh = 0;
	}
	h->ngws = sysinfo_gateways(h->gws, HEALTH_GW_MAX);
	neigh_traffic(h);
	if (h->nold > 0)
		iface_rates(h);
	disk_rate(h);
	summarise(h);
	h->history_pending = 1;
	state_writer_dirty(h->writer);
}

static void
bind_double(sqlite3_stmt *st, int i, int has, double v)
{
	if (has)
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_int(sqlite3_stmt *st, int i, int has, int64_t v)
{
	if (has)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL && s[0] != '\0')
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int
step_done(sqlite3 *db, sqlite3_stmt *st)
{
	int	 r = sqlite3_step(st);

	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		log_debug("%s: %s", __func__, sqlite3_errmsg(db));
		return (-EIO);
	}
	return (0);
}

static int
write_health(struct health *h, sqlite3 *db)
{
	const struct sys_sample	*s = &h->cur;
	sqlite3_stmt		*st;
	long			 cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if ((st = state_prepare(db, "INSERT OR REPLACE INTO health (id, "
	    "updated, uptime_s, load1, load5, load15, cpu_busy_pct, cpus, "
	    "mem_total, mem_available, temp_c, temp_sensor, throttled, "
	    "throttled_text, disk_total, disk_free, disk_device, "
	    "disk_written, disk_written_hour) VALUES (1, ?1, ?2, ?3, ?4, ?5, "
	    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"))
	    == NULL)
		return (-EIO);
	sqlite3_bind_int64(st, 1, h->now);
	bind_double(st, 2, s->has_uptime, s->uptime);
	bind_double(st, 3, s->has_load, s->load[0]);
	bind_double(st, 4, s->has_load, s->load[1]);
	bind_double(st, 5, s->has_load, s->load[2]);
	bind_double(st, 6, h->has_busy, h->busy_pct);
	bind_int(st, 7, cpus > 0, cpus);
	bind_int(st, 8, s->has_mem, (int64_t)s->mem_total);
	bind_int(st, 9, s->has_mem, (int64_t)s->mem_avail);
	bind_double(st, 10, h->has_hot, h->hot);
	bind_text(st, 11, h->has_hot ? h->hot_type : NULL);
	bind_int(st, 12, s->has_throttled, s->throttled);
	if (s->has_throttled)
		sqlite3_bind_text(st, 13, h->throttled_text, -1,
		    SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 13);
	bind_int(st, 14, s->has_disk, (int64_t)s->disk_total);
	bind_int(st, 15, s->has_disk, (int64_t)s->disk_avail);
	bind_text(st, 16, s->disk_dev);
	bind_int(st, 17, s->has_written,
	    (int64_t)s->disk_sectors_written * 512);
	bind_int(st, 18, h->has_per_hour, (int64_t)h->per_hour);
	return (step_done(db, st));
}

static int
write_thermal(struct health *h, sqlite3 *db)
{
	const struct sys_sample	*s = &h->cur;
	sqlite3_stmt		*st;
	int			 i, r;

	if ((r = state_exec(db, "DELETE FROM thermal")) < 0)
		return (r);
	for (i = 0; i < s->nthermal; i++) {
		if ((st = state_prepare(db, "INSERT OR REPLACE INTO thermal "
		    "(zone, type, celsius, updated) VALUES (?1, ?2, ?3, ?4)"))
		    == NULL)
			return (-EIO);
		sqlite3_bind_text(st, 1, s->thermal[i].zone, -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, s->thermal[i].type, -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_double(st, 3, s->thermal[i].celsius);
		sqlite3_bind_int64(st, 4, h->now);
		if ((r = step_done(db, st)) < 0)
			return (r);
	}
	return (0);
}

static const char *
iface_role(struct health *h, const char *name)
{
	const struct hgw_conf	*c = h->d->conf;

	if (c->lan.ifname[0] != '\0' && strcmp(c->lan.ifname, name) == 0)
		return ("lan");
	if (c->wan.ifname[0] != '\0' && strcmp(c->wan.ifname, name) == 0)
		return ("wan");
	return (NULL);
}

static int
write_ifaces(struct health *h, sqlite3 *db)
{
	sqlite3_stmt	*st;
	int		 i, k, r;

	if ((r = state_exec(db, "DELETE FROM interfaces")) < 0)
		return (r);
	for (i = 0; i < h->nifs; i++) {
		const struct health_iface	*n = &h->ifs[i];

		if ((st = state_prepare(db, "INSERT OR REPLACE INTO interfaces "
		    "(name, role, operstate, carrier, speed_mbps, mtu, mac, "
		    "addresses, rx_bytes, tx_bytes, rx_packets, tx_packets, "
		    "rx_errors, tx_errors, rx_dropped, tx_dropped, rx_bps, "
		    "tx_bps, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
		    "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"))
		    == NULL)
			return (-EIO);
		sqlite3_bind_text(st, 1, n->f.name, -1, SQLITE_TRANSIENT);
		bind_text(st, 2, iface_role(h, n->f.name));
		sqlite3_bind_text(st, 3, n->f.operstate, -1, SQLITE_TRANSIENT);
		bind_int(st, 4, n->f.carrier >= 0, n->f.carrier);
		bind_int(st, 5, n->f.speed_mbps > 0, n->f.speed_mbps);
		bind_int(st, 6, n->f.mtu >= 0, n->f.mtu);
		bind_text(st, 7, n->f.mac);
		bind_text(st, 8, n->addrs);
		for (k = 0; k < SYSINFO_STATS; k++)
			bind_int(st, 9 + k, n->f.has_stats,
			    (int64_t)n->f.stats[k]);
		bind_double(st, 17, n->has_rate, n->rx_bps);
		bind_double(st, 18, n->has_rate, n->tx_bps);
		sqlite3_bind_int64(st, 19, h->now);
		if ((r = step_done(db, st)) < 0)
			return (r);
	}
	return (0);
}

/*
 * Only stations: unicast entries with a MAC the kernel resolved.  The
 * multicast and broadcast entries the kernel makes without ARP (NOARP,
 * e.g. 224.0.0.22 for IGMP), failed and incomplete ones are not.
 */
static int
neigh_is_station(const struct ks_neigh *k)
{
	uint32_t	 a = ntohl(k->addr.s_addr);

	return (k->has_mac && k->type == RTN_UNICAST &&
	    (k->flags & NTF_PROXY) == 0 && (k->state & (NUD_PERMANENT |
	    NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE)) != 0 &&
	    !IN_MULTICAST(a) && a != INADDR_BROADCAST &&
	    (k->mac[0] & 1) == 0);
}

static int
write_neighbours(struct health *h, sqlite3 *db)
{
	sqlite3_stmt	*st;
	char		 ifname[IF_NAMESIZE], ip[INET_ADDRSTRLEN];
	char		 mac[ADDR_MAC_STRLEN];
	long		 ago;
	int		 i, g, r, router;

	if ((r = state_exec(db, "DELETE FROM neighbour_activity")) < 0)
		return (r);
	for (i = 0; i < h->nneigh; i++) {
		const struct ks_neigh	*k = &h->neigh[i];

		if (!neigh_is_station(k) ||
		    if_indextoname((unsigned int)k->ifindex, ifname) == NULL)
			continue;
		router = 0;
		for (g = 0; g < h->ngws; g++)
			if (h->gws[g].gw.s_addr == k->addr.s_addr &&
			    strcmp(h->gws[g].ifname, ifname) == 0)
				router = 1;
		/* Permanent entries are never confirmed: no activity. */
		ago = -1;
		if (k->confirmed_s >= 0 && !(k->state & NUD_PERMANENT))
			ago = k->confirmed_s;
		if (k->used_s >= 0 && !(k->state & NUD_PERMANENT) &&
		    (ago < 0 || k->used_s < ago))
			ago = k->used_s;
		if ((st = state_prepare(db, "INSERT OR REPLACE INTO "
		    "neighbour_activity (ifname, address, mac, state, router, "
		    "active, traffic, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
		    "?7, ?8)")) == NULL)
			return (-EIO);
		sqlite3_bind_text(st, 1, ifname, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, addr_fmt_ip4(k->addr, ip), -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, addr_fmt_mac(k->mac, mac), -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, netlink_nud_name(k->state), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(st, 5, router);
		bind_int(st, 6, ago >= 0, h->now - ago);
		bind_int(st, 7, h->traffic[i] > 0, h->traffic[i]);
		sqlite3_bind_int64(st, 8, h->now);
		if ((r = step_done(db, st)) < 0)
			return (r);
	}
	return (0);
}

static int
write_history(struct health *h, sqlite3 *db)
{
	sqlite3_stmt	*st;
	int		 i, r;

	for (i = 0; h->history_pending && i < h->nifs; i++) {
		if (!h->ifs[i].has_rate)
			continue;
		if ((st = state_prepare(db, "INSERT OR REPLACE INTO "
		    "iface_history (name, time, rx_bps, tx_bps) "
		    "VALUES (?1, ?2, ?3, ?4)")) == NULL)
			return (-EIO);
		sqlite3_bind_text(st, 1, h->ifs[i].f.name, -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, h->now);
		sqlite3_bind_double(st, 3, h->ifs[i].rx_bps);
		sqlite3_bind_double(st, 4, h->ifs[i].tx_bps);
		if ((r = step_done(db, st)) < 0)
			return (r);
	}
	if ((st = state_prepare(db, "DELETE FROM iface_history WHERE "
	    "time < ?1 OR name NOT IN (SELECT name FROM interfaces)")) == NULL)
		return (-EIO);
	sqlite3_bind_int64(st, 1, h->now - HEALTH_HISTORY_S);
	return (step_done(db, st));
}

/*
 * Inside the writer's transaction.  Statements are prepared per flush:
 * one flush every HEALTH_STEP_S, and a reopened live.db needs nothing.
 */
static int
flush_cb(sqlite3 *db, void *arg)
{
	struct health	*h = arg;
	int		 r;

	if (h->now == 0)
		return (0);
	if ((r = write_health(h, db)) < 0 || (r = write_thermal(h, db)) < 0 ||
	    (r = write_ifaces(h, db)) < 0 || (r = write_history(h, db)) < 0 ||
	    (r = write_neighbours(h, db)) < 0)
		return (r);
	return (0);
}

static void
commit_cb(void *arg)
{
	struct health	*h = arg;

	h->history_pending = 0;
}

/* Start sampling on the daemon's live.db; NULL on failure. */
struct health *
health_new(struct hgw_daemon *d, struct nl_sock *nl)
{
	struct timeval	 tv = { HEALTH_STEP_S, 0 };
	struct health	*h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return (NULL);
	h->d = d;
	h->nl = nl;
	if ((h->neigh = calloc(HEALTH_NEIGH_MAX, sizeof(*h->neigh))) == NULL ||
	    (h->traffic = calloc(HEALTH_NEIGH_MAX, sizeof(*h->traffic))) ==
	    NULL)
		goto fail;
	if ((h->writer = state_writer_new(d->base, d->live, 200, flush_cb,
	    h)) == NULL)
		goto fail;
	state_writer_name(h->writer, "the health and interface tables");
	state_writer_on_commit(h->writer, commit_cb);
	if ((h->ev = event_new(d->base, -1, EV_PERSIST, sample_cb, h)) ==
	    NULL || event_add(h->ev, &tv) == -1)
		goto fail;
	sample_cb(-1, 0, h);
	return (h);
fail:
	health_free(h);
	return (NULL);
}

/* daemon.c reopened live.db: write everything again on the new handle. */
void
health_reopen(struct health *h)
{
	if (h == NULL)
		return;
	state_writer_set_db(h->writer, h->d->live);
	state_writer_dirty(h->writer);
}

/* Free; NULL is fine.  The rows stay until the next start rewrites them. */
void
health_free(struct health *h)
{
	if (h == NULL)
		return;
	if (h->ev != NULL)
		event_free(h->ev);
	state_writer_free(h->writer);
	free(h->neigh);
	free(h->traffic);
	free(h);
}
