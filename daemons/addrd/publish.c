/*
 * SPDX-License-Identifier: ISC
 *
 * publish.c: what addrd tells the rest of the gateway.  Owns the hosts
 * and addresses tables of live.db (the static host table from the config,
 * the gateway's own addresses and their state), rewritten in one batched
 * transaction by a state_writer when something changed, and appends
 * addrd's conflict events to homegw.db.  Keeps its own copies, so a
 * reload may free the config it was given.  Never talks to the kernel.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "state.h"
#include "addrd.h"

#define PUBLISH_HOSTS_MAX	4096
#define PUBLISH_ADDRS_MAX	8
#define PUBLISH_INTERVAL_MS	500
#define PUBLISH_EVENTS_KEEP	1000	/* addrd's rows kept in events */

struct pub_host {
	char		 name[CONF_NAME_MAX + 1];
	uint8_t		 mac[ADDR_MAC_LEN];
	struct in_addr	 addr;
	int		 pin_arp;
	char		 label[CONF_HOST_LABEL_MAX + 1];	/* "" = none */
};

struct publish {
	struct hgw_daemon	*d;
	struct state_writer	*writer;
	struct pub_host		*hosts;
	int			 nhosts;
	struct pub_addr		 addrs[PUBLISH_ADDRS_MAX];
	int			 naddrs;
	struct pub_metric	 metrics[PUBLISH_METRICS_MAX];
	int			 nmetrics;
	sqlite3_stmt		*st_host, *st_addr;
};

static void	bind_opt(sqlite3_stmt *, int, const char *);

static int
write_hosts(struct publish *p, sqlite3 *db)
{
	char	 ip[INET_ADDRSTRLEN], mac[ADDR_MAC_STRLEN];
	int	 i, r;

	if ((r = state_exec(db, "DELETE FROM hosts")) < 0)
		return (r);
	for (i = 0; i < p->nhosts; i++) {
		sqlite3_reset(p->st_host);
		sqlite3_bind_text(p->st_host, 1, p->hosts[i].name, -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(p->st_host, 2,
		    addr_fmt_mac(p->hosts[i].mac, mac), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(p->st_host, 3,
		    addr_fmt_ip4(p->hosts[i].addr, ip), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(p->st_host, 4, p->hosts[i].pin_arp);
		sqlite3_bind_int64(p->st_host, 5,
		    ntohl(p->hosts[i].addr.s_addr));
		bind_opt(p->st_host, 6, p->hosts[i].label);
		r = sqlite3_step(p->st_host);
		sqlite3_reset(p->st_host);
		if (r != SQLITE_DONE) {
			log_debug("%s: %s", __func__, sqlite3_errmsg(db));
			return (-EIO);
		}
	}
	return (0);
}

static void
bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL && s[0] != '\0')
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int
write_addrs(struct publish *p, sqlite3 *db)
{
	struct pub_addr	*a;
	char		 ip[INET_ADDRSTRLEN], mac[ADDR_MAC_STRLEN];
	char		 cmac[ADDR_MAC_STRLEN];
	int		 i, r;

	if ((r = state_exec(db, "DELETE FROM addresses")) < 0)
		return (r);
	for (i = 0; i < p->naddrs; i++) {
		a = &p->addrs[i];
		sqlite3_reset(p->st_addr);
		sqlite3_bind_text(p->st_addr, 1, a->role, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(p->st_addr, 2, a->ifname, -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(p->st_addr, 3, addr_fmt_ip4(a->addr, ip), -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_int(p->st_addr, 4, a->plen);
		sqlite3_bind_text(p->st_addr, 5, a->state, -1,
		    SQLITE_TRANSIENT);
		bind_opt(p->st_addr, 6, a->has_conflict ?
		    addr_fmt_mac(a->conflict_mac, cmac) : NULL);
		bind_opt(p->st_addr, 7, a->has_mac ?
		    addr_fmt_mac(a->mac, mac) : NULL);
		bind_opt(p->st_addr, 8, a->detail);
		sqlite3_bind_int64(p->st_addr, 9, ntohl(a->addr.s_addr));
		sqlite3_bind_int64(p->st_addr, 10, state_now());
		r = sqlite3_step(p->st_addr);
		sqlite3_reset(p->st_addr);
		if (r != SQLITE_DONE) {
			log_debug("%s: %s", __func__, sqlite3_errmsg(db));
			return (-EIO);
		}
	}
	return (0);
}

/*
 * Inside the writer's transaction.  Both tables are small, so they are
 * rewritten whole: a failed commit is retried with the same content.
 */
static int
flush_cb(sqlite3 *db, void *arg)
{
	struct publish	*p = arg;
	int		 i, r;

	if (p->st_host == NULL && (p->st_host = state_prepare(db,
	    "INSERT INTO hosts (name, mac, address, pin_arp, seq, label) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")) == NULL)
		return (-EIO);
	if (p->st_addr == NULL && (p->st_addr = state_prepare(db,
	    "INSERT INTO addresses (role, ifname, address, plen, state, "
	    "conflict_mac, mac, detail, seq, updated) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")) == NULL)
		return (-EIO);
	if ((r = write_hosts(p, db)) < 0 || (r = write_addrs(p, db)) < 0)
		return (r);
	for (i = 0; i < p->nmetrics; i++)
		if ((r = state_metric_set(db, p->d->name, p->metrics[i].name,
		    p->metrics[i].value)) < 0)
			return (r);
	return (0);
}

/* A publisher on the daemon's live.db; NULL on allocation failure. */
struct publish *
publish_new(struct hgw_daemon *d)
{
	struct publish	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return (NULL);
	p->d = d;
	p->writer = state_writer_new(d->base, d->live, PUBLISH_INTERVAL_MS,
	    flush_cb, p);
	if (p->writer == NULL) {
		free(p);
		return (NULL);
	}
	state_writer_name(p->writer, "the address and host tables");
	return (p);
}

/* Take a copy of the config's host table and schedule its write. */
void
publish_hosts(struct publish *p, const struct hgw_conf *conf)
{
	struct hgw_host	*h;
	struct pub_host	*copy;
	int		 n = 0;

	copy = calloc(conf->nhosts ? conf->nhosts : 1, sizeof(*copy));
	if (copy == NULL) {
		log_warn("host table not published");
		return;
	}
	TAILQ_FOREACH(h, &conf->hosts, entry) {
		if (n >= PUBLISH_HOSTS_MAX || n >= (int)conf->nhosts)
			break;
		snprintf(copy[n].name, sizeof(copy[n].name), "%s", h->name);
		memcpy(copy[n].mac, h->mac, ADDR_MAC_LEN);
		copy[n].addr = h->addr;
		copy[n].pin_arp = h->pin_arp;
		if (h->has_label)
			memcpy(copy[n].label, h->label, sizeof(copy[n].label));
		n++;
	}
	free(p->hosts);
	p->hosts = copy;
	p->nhosts = n;
	state_writer_dirty(p->writer);
}

/* Replace the gateway's own addresses; written only if they changed. */
void
publish_addrs(struct publish *p, const struct pub_addr *a, int n)
{
	if (n > PUBLISH_ADDRS_MAX)
		n = PUBLISH_ADDRS_MAX;
	if (n == p->naddrs && memcmp(a, p->addrs, sizeof(*a) * n) == 0)
		return;
	memcpy(p->addrs, a, sizeof(*a) * n);
	p->naddrs = n;
	state_writer_dirty(p->writer);
}

/* Replace the counters (metrics table); written only if they changed. */
void
publish_metrics(struct publish *p, const struct pub_metric *m, int n)
{
	if (n > PUBLISH_METRICS_MAX)
		n = PUBLISH_METRICS_MAX;
	if (n == p->nmetrics && memcmp(m, p->metrics, sizeof(*m) * n) == 0)
		return;
	memcpy(p->metrics, m, sizeof(*m) * n);
	p->nmetrics = n;
	state_writer_dirty(p->writer);
}

/* Append a conflict event (the caller rate-limits). */
void
publish_event_conflict(struct publish *p, struct in_addr addr,
    const uint8_t mac[ADDR_MAC_LEN], const char *detail)
{
	char	 ip[INET_ADDRSTRLEN], m[ADDR_MAC_STRLEN];
	int	 r;

	if (p->d->persist == NULL)
		return;
	if ((r = state_event_add(p->d->persist, p->d->name, "conflict",
	    addr_fmt_ip4(addr, ip), NULL, addr_fmt_mac(mac, m), detail)) < 0)
		log_warnx("conflict event for %s not recorded: %s", ip,
		    strerror(-r));
}

/* Retention on addrd's own rows of the events table (age and count). */
void
publish_prune(struct publish *p)
{
	int64_t	 age = (int64_t)p->d->conf->gateway.retention_days * 86400;
	int	 r;

	if (p->d->persist == NULL)
		return;
	if ((r = state_prune_events(p->d->persist, p->d->name, age,
	    PUBLISH_EVENTS_KEEP)) < 0)
		log_warnx("pruning conflict events failed (%s), will retry",
		    strerror(-r));
}

/*
 * Failed writes are logged by the writer itself (the shared path in
 * common/state.c); nothing is left to say here.
 */
void
publish_check(struct publish *p)
{
	(void)p;
}

/*
 * daemon.c reopened live.db (deleted or replaced): prepare on the new
 * handle at the next flush and write every row again.  homegw.db is
 * used through the daemon's handle at each write, so it needs nothing.
 */
void
publish_reopen(struct publish *p, enum hgw_db which)
{
	if (which != HGW_DB_LIVE)
		return;
	sqlite3_finalize(p->st_host);
	sqlite3_finalize(p->st_addr);
	p->st_host = p->st_addr = NULL;
	state_writer_set_db(p->writer, p->d->live);
	state_writer_dirty(p->writer);
}

/* Write now (final flush at stop). */
int
publish_flush(struct publish *p)
{
	return (state_writer_flush(p->writer));
}

/* Free; NULL is fine.  The rows stay: the table shows the last state. */
void
publish_free(struct publish *p)
{
	if (p == NULL)
		return;
	state_writer_free(p->writer);
	sqlite3_finalize(p->st_host);
	sqlite3_finalize(p->st_addr);
	free(p->hosts);
	free(p);
}
