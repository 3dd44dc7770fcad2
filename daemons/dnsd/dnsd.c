/*
 * SPDX-License-Identifier: ISC
 *
 * dnsd.c: homegw-dnsd's main(): options, setup order, reload and
 * shutdown, nothing else.  The work is in listen.c (clients), local.c
 * (host table), cache.c, upstream.c and stats.c.
 */
#include <sys/types.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "dnswire.h"
#include "dnsd.h"

#define USAGE	"[-fhnvV] [-c file]"

static struct dnsd	 dnsd;

/* Read the clocks once per batch of work. */
void
dnsd_clock(struct dnsd *dd)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	dd->now_s = ts.tv_sec;
	dd->now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	dd->wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
cache_bytes_for(const struct hgw_conf *conf)
{
	/* About 1 KiB per answer covers the typical answer and its key. */
	return ((size_t)(conf->dns.cache_size ? conf->dns.cache_size : 1) *
	    1024);
}

/*
 * SIGHUP (run from the loop by daemon.c): new host table and upstreams;
 * the cache and the questions in flight stay.  Listen addresses are bound
 * once, before privileges are dropped, so a change needs a restart.
 */
static int
dnsd_reload(struct hgw_daemon *d, struct hgw_conf *newconf)
{
	struct dnsd	*dd = d->arg;
	const struct hgw_conf *old = dd->conf;

	if (newconf->dns.nlisten != old->dns.nlisten ||
	    memcmp(newconf->dns.listen, old->dns.listen,
	    sizeof(old->dns.listen)) != 0)
		log_warnx("dns listen addresses changed: restart to apply");
	dd->conf = newconf;
	local_init(dd, newconf);
	upstream_reload(dd, newconf);
	cache_limits(dd->cache, newconf->dns.cache_size,
	    cache_bytes_for(newconf));
	block_reload(dd);
	log_info("reloaded: %u hosts, %u upstreams, %u answers kept",
	    newconf->nhosts, dd->nupstreams, cache_count(dd->cache));
	return (0);
}

static void
dnsd_flush(struct hgw_daemon *d)
{
	stats_free(d->arg);
	dtrace_free(d->arg);
}

static const char *
dnsd_status(struct hgw_daemon *d)
{
	return (stats_status(d->arg));
}

/* Start, answer until SIGTERM, stop. */
static void
dnsd_reopen(struct hgw_daemon *d, enum hgw_db which)
{
	stats_reopen(d->arg, which);
	dtrace_reopen(d->arg, which);
}

int
main(int argc, char **argv)
{
	struct hgw_daemon d = {
		.name = "dnsd",
		.usage = USAGE,
		.reload = dnsd_reload,
		.flush = dnsd_flush,
		.reopen = dnsd_reopen,
		.status = dnsd_status,
		.arg = &dnsd,
	};
	static const int caps[] = { CAP_NET_BIND_SERVICE };

	daemon_init(&d, argc, argv);
	dnsd.d = &d;
	dnsd.base = d.base;
	dnsd.conf = d.conf;
	dnsd_clock(&dnsd);

	if (d.conf->dns.nlisten == 0)
		daemon_fatal_config("%s: no [dns] listen address: set [dns] "
		    "listen, or [lan] address", d.conf_path);
	/*
	 * One loop answers cached queries faster than one core of dnsperf
	 * can ask (see bench/dns), so more loops would only add locking.
	 */
	if (d.conf->dns.threads != 1)
		log_info("threads = %u: dnsd runs one event loop, ignoring",
		    d.conf->dns.threads);
	if (listen_open(&dnsd) == -1)
		fatalx("cannot open the dns sockets");
	daemon_open_state(&d);
	if ((dnsd.cache = cache_new(d.conf->dns.cache_size,
	    cache_bytes_for(d.conf))) == NULL)
		fatal("cache");
	local_init(&dnsd, d.conf);
	if (upstream_init(&dnsd) == -1)
		fatal("upstream");
	if (stats_init(&dnsd) == -1)
		fatalx("cannot start the statistics writers");
	if (dtrace_init(&dnsd) == -1)
		fatalx("cannot follow traces");
	if (daemon_drop_privileges(&d, caps, 1) == -1)
		exit(1);
	/* After the drop: capabilities are per thread. */
	if (block_init(&dnsd) == -1)
		fatal("blocklists");

	daemon_start(&d);
	event_base_dispatch(d.base);
	daemon_stop(&d);

	block_free(&dnsd);
	upstream_free(&dnsd);
	listen_close(&dnsd);
	cache_free(dnsd.cache);
	daemon_free(&d);
	return (0);
}
