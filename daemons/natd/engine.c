/*
 * SPDX-License-Identifier: ISC
 *
 * engine.c: natd's decisions, wiring the pieces together.  Owns when the
 * ruleset is (re)loaded and what happens when the kernel refuses it, the
 * flow callback that feeds conntrack events and dumps into the mirror,
 * the periodic counters dump, the resync after an overrun, the history
 * timer, reload, and the guard that loads the table again when another
 * program removes or changes it.  Kernel work goes through kernel.c,
 * SQLite through publish.c.
 */
#include <sys/types.h>
#include <sys/time.h>
#include <errno.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "state.h"
#include "natd.h"

/* The counters dump: at least this often apart... */
#define DUMP_MIN_MS		1000
/* ...and at most this share of the time spent dumping (1/n). */
#define DUMP_COST_SHARE		20
#define DUMP_MAX_MS		10000
/* Least time between two resyncs after overruns. */
#define RESYNC_MIN_MS		1000
/*
 * How new flows are found.  While a dump takes less than this, the dump
 * every DUMP_MIN_MS finds them (a row within about a second) and natd
 * listens to DESTROY events only: a NEW event costs the forwarding path a
 * netlink message built in the packet's path for every connection (3-4 %
 * of bench/nat's connection rate here), a dump of a small table almost
 * nothing.  A bigger table would make that dump too dear: natd then
 * follows NEW events as well and dumps less often.  The switch is
 * decided on the table's size, with hysteresis (discover_update() in
 * mirror.c), not on one dump's wall time, which a busy machine stretches.
 */
#define DISCOVER_MAX_MS		(DUMP_MIN_MS / DUMP_COST_SHARE)
/*
 * The guard.  "nft flush ruleset" (the first line of Debian's own
 * /etc/nftables.conf, run again by every reload of nftables.service)
 * removes table inet homegw, and NAT would stay off until natd restarts.
 * So natd follows changes to its table; GUARD_DELAY_MS after one it looks
 * at the table and, if it is gone or not what natd loaded, loads it
 * again, at most once per GUARD_MIN_MS so that natd and another program
 * that keeps removing the table do not load rules in a tight loop.
 */
#define GUARD_DELAY_MS		500
#define GUARD_MIN_MS		2000
/*
 * Memory back after a flood.  The flows themselves live in slabs that
 * go back to the kernel as they empty (mirror.c); what a flood leaves in
 * the heap is the rest: SQLite's pages for the rows written, netlink
 * buffers.  glibc keeps freed heap memory for later, so once this many
 * flows have gone since the last time, malloc_trim() hands the free pages
 * back: at most once a dump, and only after real churn.
 */
#define TRIM_FLOWS		4096

static long	elapsed_ms(const struct timespec *);
static void	update_stats(struct natd *);
static void	read_drops(struct natd *);
static void	fold_drops(struct natd *);

static int
rules_path(const struct hgw_conf *conf, const char *suffix, char *buf,
    size_t len)
{
	int	 n;

	n = snprintf(buf, len, "%s/%s%s", conf->gateway.run_dir,
	    NATD_RULES_FILE, suffix);
	return (n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0);
}

static int
write_file(const char *path, const char *text)
{
	FILE	*f;
	int	 r = 0;

	if ((f = fopen(path, "w")) == NULL)
		return (-errno);
	if (fputs(text, f) == EOF)
		r = -errno;
	if (fclose(f) == EOF && r == 0)
		r = -errno;
	return (r);
}

/*
 * Generate, write and load the ruleset in one transaction.  When the
 * kernel refuses it, the old table stays as it was, and the message names
 * the config item behind the refused line.  A refused flowtable alone
 * (say a device that is gone) costs only the offload: load again without.
 */
int
engine_rules_apply(struct natd *n, const struct hgw_conf *conf)
{
	struct rules	 r;
	char		 tmp[PATH_MAX], path[PATH_MAX];
	char		*err = NULL, *msg, *p, *nl;
	int		 offload = conf->nat.flow_offload && n->offload, rc;

	if (rules_path(conf, ".new", tmp, sizeof(tmp)) < 0 ||
	    rules_path(conf, "", path, sizeof(path)) < 0) {
		log_warnx("run_dir \"%s\" is too long",
		    conf->gateway.run_dir);
		return (-1);
	}
	/* What the table about to be replaced counted is not lost. */
	read_drops(n);
	if (!conf->nat.rules) {
		if (engine_rules_flush(n, &err) < 0) {
			log_warnx("[nat] rules = no, but table inet %s cannot "
			    "be removed: %s", NATD_TABLE,
			    err != NULL ? err : "refused");
			free(err);
			return (-1);
		}
		log_info("[nat] rules = no: table inet %s removed if it was "
		    "loaded; mirroring only", NATD_TABLE);
		return (0);
	}
again:
	if ((rc = rules_build(conf, offload, &r)) < 0) {
		log_warnx("cannot generate the ruleset: %s", strerror(-rc));
		return (-1);
	}
	if ((rc = write_file(tmp, r.text)) < 0) {
		log_warnx("cannot write \"%s\": %s", tmp, strerror(-rc));
		rules_free(&r);
		return (-1);
	}
	if (kernel_nft_load(n->kernel, tmp, &err) < 0) {
		msg = rules_explain(&r, tmp, err);
		free(err);
		err = NULL;
		rules_free(&r);
		if (offload && msg != NULL &&
		    strstr(msg, "[nat] flow_offload") != NULL) {
			log_warnx("flow offload refused (%s); loading the "
			    "rules without it", msg);
			free(msg);
			n->offload = 0;
			offload = 0;
			goto again;
		}
		log_warnx("ruleset refused, the previous rules stay in "
		    "place: %s", msg != NULL ? msg : "unknown error");
		free(msg);
		(void)unlink(tmp);
		return (-1);
	}
	if (rename(tmp, path) == -1)
		log_warn("cannot rename \"%s\"", tmp);
	log_info("table inet %s loaded: masquerade %s, %u forward%s, "
	    "hairpin %s, flow offload %s, WAN input %s (%u port%s open), "
	    "LAN input %s", NATD_TABLE,
	    conf->nat.masquerade ? "on" : "off", conf->nforwards,
	    conf->nforwards == 1 ? "" : "s", conf->nat.hairpin ? "on" : "off",
	    offload ? "on" : "off",
	    conf->wan.ifname[0] != '\0' ? "closed" : "not configured",
	    conf->firewall.nwan_allow, conf->firewall.nwan_allow == 1 ? "" :
	    "s", conf->firewall.nlan_allow == CONF_SERVICES_ALL ? "open" :
	    "restricted");
	rules_free(&r);
	fold_drops(n);
	n->rules_loaded = 1;
	if ((msg = rules_lan_warnings(conf)) != NULL) {
		for (p = msg; *p != '\0' && (nl = strchr(p, '\n')) != NULL;
		    p = nl + 1)
			log_warnx("%.*s", (int)(nl - p), p);
		free(msg);
	}
	/* What the guard compares with; NULL: it can only see the table gone. */
	free(n->rules_shape);
	n->rules_shape = kernel_nft_shape(n->kernel);
	/* Rules without forwarding would forward nothing. */
	if (kernel_sysctl_on("net/ipv4/ip_forward") < 0)
		log_warnx("cannot turn on IPv4 forwarding "
		    "(set net.ipv4.ip_forward=1)");
	return (0);
}

/* Remove our table, on request only. */
int
engine_rules_flush(struct natd *n, char **ret_error)
{
	char	 path[PATH_MAX];

	read_drops(n);
	if (kernel_nft_run(n->kernel, rules_flush_text(), ret_error) < 0)
		return (-1);
	fold_drops(n);
	if (rules_path(n->d->conf, "", path, sizeof(path)) == 0)
		(void)unlink(path);
	n->rules_loaded = 0;
	free(n->rules_shape);
	n->rules_shape = NULL;
	return (0);
}

static void
guard_schedule(struct natd *n, long ms)
{
	struct timeval	 tv;

	if (n->ev_guard == NULL || evtimer_pending(n->ev_guard, NULL))
		return;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(n->ev_guard, &tv);
}

/* kernel.c saw table inet homegw change (our own loads included). */
void
engine_rules_changed_cb(void *arg)
{
	guard_schedule(arg, GUARD_DELAY_MS);
}

/*
 * Is the table still the one natd loaded?  Rules removed on request
 * (flush-rules, [nat] rules = no) are not guarded: rules_loaded is 0.
 */
static void
guard_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct natd	*n = arg;
	char		*shape;
	long		 since;
	int		 gone;

	if (!n->rules_loaded || !n->d->conf->nat.rules)
		return;
	shape = kernel_nft_shape(n->kernel);
	gone = shape == NULL && errno == ENOENT;
	if (!gone && (shape == NULL || n->rules_shape == NULL ||
	    strcmp(shape, n->rules_shape) == 0)) {
		free(shape);
		return;
	}
	free(shape);
	if (n->rules_restored > 0 &&
	    (since = elapsed_ms(&n->restored_at)) < GUARD_MIN_MS) {
		guard_schedule(n, GUARD_MIN_MS - since);
		return;
	}
	log_warnx("table inet %s was %s by another program%s; loading it "
	    "again from %s", NATD_TABLE, gone ? "removed" : "changed",
	    gone ? " (nft flush ruleset?)" : "", n->d->conf->path);
	clock_gettime(CLOCK_MONOTONIC, &n->restored_at);
	n->rules_restored++;
	(void)engine_rules_apply(n, n->d->conf);
	update_stats(n);
}

/* Does this kernel have flowtables?  Ask it with a batch that undoes itself. */
void
engine_probe_offload(struct natd *n)
{
	char	*err = NULL;

	n->offload = 0;
	if (!n->d->conf->nat.flow_offload)
		return;
	if (kernel_nft_run(n->kernel, rules_probe_text(), &err) == 0) {
		n->offload = 1;
		log_info("flow offload available: forwarded flows bypass the "
		    "hooks once established");
		return;
	}
	log_warnx("flow offload is not available in this kernel (%.*s): "
	    "skipped, NAT and forwarding work without it",
	    err != NULL ? (int)strcspn(err, "\n") : 7,
	    err != NULL ? err : "refused");
	free(err);
}

/*
 * The input policy's drop counters.  Replacing the table (a reload, the
 * guard after "nft flush ruleset") starts its counters from zero, so natd
 * keeps what the earlier tables counted: a counter that went down belongs
 * to a new table, and natd's own loads fold the old figures in at once.
 */
static void
read_drops(struct natd *n)
{
	uint64_t	 wan[RULES_NDROP], lan, nat, cur;
	char		*text;
	int		 i;

	if (!n->rules_loaded ||
	    (text = kernel_nft_counters(n->kernel)) == NULL)
		return;
	(void)rules_counters_parse(text, wan, &lan, &nat);
	free(text);
	for (i = 0; i <= RULES_NDROP + 1; i++) {
		cur = i < RULES_NDROP ? wan[i] : i == RULES_NDROP ? lan : nat;
		if (cur < n->drop_last[i])
			n->drop_base[i] += n->drop_last[i];
		n->drop_last[i] = cur;
	}
}

/* A new table counts from zero: keep what the old one said. */
static void
fold_drops(struct natd *n)
{
	int	 i;

	for (i = 0; i <= RULES_NDROP + 1; i++) {
		n->drop_base[i] += n->drop_last[i];
		n->drop_last[i] = 0;
	}
}

/*
 * Finding new flows by dumps, the mirror is short of the kernel between
 * two of them; after a burst (45,000 new flows in a second) for longer
 * than a dump takes.  Well short, and not because it is full, it is
 * catching up as surely as after lost events, and says so the same way.
 */
static int
behind_dumps(const struct natd *n, long ct_count)
{
	const struct mirror *m = n->mirror;
	unsigned int	 slack;

	if (n->follow_new || ct_count < 0 || m->nflows >= m->max_flows)
		return (0);
	slack = m->nflows / 50 > 256 ? m->nflows / 50 : 256;
	return ((unsigned long)ct_count > (unsigned long)m->nflows + slack);
}

static void
update_stats(struct natd *n)
{
	const struct hgw_conf *conf = n->d->conf;
	struct natd_stats s;
	int		 i;

	memset(&s, 0, sizeof(s));
	s.ct_count = kernel_ct_count();
	s.ct_max = kernel_ct_max();
	s.events = kernel_ct_events(n->kernel);
	s.overruns = kernel_ct_overruns(n->kernel);
	s.resyncs = n->resyncs;
	s.resync_pending = n->resync_failed ||
	    kernel_ct_resync_pending(n->kernel) || behind_dumps(n, s.ct_count);
	s.malformed = kernel_ct_malformed(n->kernel);
	s.offload = n->offload;
	s.follow_new = n->follow_new;
	s.dump_ms = n->dump_took_ms;
	s.rules_loaded = n->rules_loaded;
	s.rules_restored = n->rules_restored;
	s.ip_forward = n->ip_forward;
	s.forward_restored = n->forward_restored;
	s.wan_guard = n->rules_loaded && conf->nat.rules &&
	    conf->wan.ifname[0] != '\0';
	for (i = 0; i < RULES_NDROP; i++)
		s.wan_drop[i] = n->drop_base[i] + n->drop_last[i];
	s.lan_drop = n->drop_base[RULES_NDROP] + n->drop_last[RULES_NDROP];
	s.nat_drop = n->drop_base[RULES_NDROP + 1] +
	    n->drop_last[RULES_NDROP + 1];
	s.tracing = kernel_ct_tracing(n->kernel);
	s.trace_messages = kernel_ct_trace_events(n->kernel);
	s.trace_overruns = kernel_ct_trace_overruns(n->kernel);
	ctrace_counts(n->ctrace, &s.trace_recorded, &s.trace_dropped);
	publish_set_stats(n->publish, &s);
}

/* The monotonic clock in milliseconds: the rates' time base. */
static int64_t
mono_ms(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ((int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000);
}

/*
 * The gateway's own addresses, for the flows' gateway flag: read again
 * before every dump, so a new WAN address is seen within a second.
 */
static void
watch_own_addrs(struct natd *n)
{
	struct mirror_addr a[MIRROR_OWN_MAX];
	int		 r;

	if ((r = kernel_own_addrs(a, MIRROR_OWN_MAX)) < 0) {
		log_debug("%s: %s", __func__, strerror(-r));
		return;
	}
	mirror_set_own(n->mirror, a, (unsigned int)r);
}

/* A conntrack entry from an event or a dump, into the mirror. */
void
engine_flow_cb(const struct flow_info *i, int is_new, int is_destroy,
    void *arg)
{
	struct natd	*n = arg;

	/* Each flow's own time: a dump of a big table takes a while. */
	n->mirror->now_ms = mono_ms();
	if (is_destroy)
		(void)mirror_destroy(n->mirror, i, n->started);
	else
		(void)mirror_update(n->mirror, i, state_now(), n->baseline);
	publish_dirty(n->publish);
}

/*
 * Dump and sweep.  An interrupted or failed dump is not a full picture,
 * so nothing is swept after it; the next one tries again.
 */
static int
dump(struct natd *n)
{
	int	 r;

	mirror_mark(n->mirror);
	if ((r = kernel_ct_dump(n->kernel)) < 0) {
		log_debug("%s: dump incomplete: %s", __func__, strerror(-r));
		return (r);
	}
	(void)mirror_sweep(n->mirror);
	return (0);
}

static void
schedule_dump(struct natd *n)
{
	struct timeval	 tv;

	tv.tv_sec = n->dump_ms / 1000;
	tv.tv_usec = (n->dump_ms % 1000) * 1000;
	evtimer_add(n->ev_dump, &tv);
}

/* Milliseconds since t0 on the monotonic clock. */
static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ((t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Switch NEW events on or off for a dump that took ms (see above). */
static void
choose_discovery(struct natd *n, long ms)
{
	int	 want, r;

	want = discover_update(&n->discover, n->follow_new, n->mirror->nflows,
	    ms, DISCOVER_MAX_MS);
	if (want == n->follow_new)
		return;
	if ((r = kernel_ct_follow_new(n->kernel, want)) < 0) {
		log_warnx("cannot %s conntrack NEW events: %s",
		    want ? "follow" : "stop following", strerror(-r));
		return;
	}
	n->follow_new = want;
	log_info("%u flows (the line is %u), a dump takes %ld ms: new flows "
	    "are now found by %s", n->mirror->nflows, n->discover.line, ms,
	    want ? "NEW events" : "the dump every second");
}

/*
 * Forwarding, turned on with the rules, must stay on: a sysctl.d file
 * applied later, a VPN script or a container runtime can turn it off, and
 * the LAN would lose the WAN while every daemon looks healthy.  natd
 * turns it on again where it may (not under systemd, whose read-only
 * /proc/sys leaves it to the sysctl.d file) and says so either way.
 */
static void
watch_forwarding(struct natd *n)
{
	long	 on = kernel_ip_forward();
	int	 r;

	if (on != 0 || !n->rules_loaded) {
		if (on == 1 && n->forward_stuck)
			log_info("IPv4 forwarding is on again");
		n->forward_stuck = 0;
		n->ip_forward = on == 1 ? 1 : on == 0 ? 0 : -1;
		return;
	}
	if ((r = kernel_sysctl_on("net/ipv4/ip_forward")) == 0) {
		log_warnx("IPv4 forwarding was turned off by another "
		    "program; turned it on again");
		n->forward_restored++;
		n->ip_forward = 1;
		return;
	}
	if (!n->forward_stuck)
		log_warnx("IPv4 forwarding is off and natd cannot turn it on "
		    "(%s): the LAN cannot reach the WAN until "
		    "net.ipv4.ip_forward is 1 again", strerror(-r));
	n->forward_stuck = 1;
	n->ip_forward = 0;
}

/* See TRIM_FLOWS, and mirror_compact() for the flows' own slabs. */
static void
give_back(struct natd *n)
{
	uint64_t	 gone = n->mirror->destroyed + n->mirror->swept;
	unsigned int	 moved;

	if ((moved = mirror_compact(n->mirror)) > 0)
		log_debug("%s: %u flows moved, %zu bytes of slabs left",
		    __func__, moved, mirror_flow_bytes(n->mirror));
	if (gone - n->trim_gone < TRIM_FLOWS)
		return;
	n->trim_gone = gone;
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
}

/*
 * Run a dump and plan the next.  With NEW events on, a big table is
 * dumped less often, so dumping stays cheap; with them off the dump finds
 * the new flows, so it runs every DUMP_MIN_MS and its result is written
 * at once rather than at the writer's next tick.
 */
static void
dump_and_plan(struct natd *n)
{
	struct timespec	 t0;
	long		 ms;

	watch_own_addrs(n);
	/*
	 * A burst since the last dump: say so before this dump, which the
	 * burst makes long, and not only once its rows are written.
	 */
	if (behind_dumps(n, kernel_ct_count())) {
		update_stats(n);
		publish_now(n->publish);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (dump(n) == 0)
		publish_rates(n->publish, mono_ms(), state_now());
	ms = elapsed_ms(&t0);
	n->dump_took_ms = (unsigned int)ms;
	give_back(n);
	watch_forwarding(n);
	read_drops(n);
	choose_discovery(n, ms);
	n->dump_ms = DUMP_MIN_MS;
	if (n->follow_new) {
		n->dump_ms = (unsigned int)(ms * DUMP_COST_SHARE);
		if (n->dump_ms < DUMP_MIN_MS)
			n->dump_ms = DUMP_MIN_MS;
		if (n->dump_ms > DUMP_MAX_MS)
			n->dump_ms = DUMP_MAX_MS;
	}
	update_stats(n);
	if (!n->follow_new)
		publish_now(n->publish);
}

static void
dump_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct natd	*n = arg;

	dump_and_plan(n);
	schedule_dump(n);
}

/*
 * Events were lost just now: the mirror is short until the resync, and
 * the page says it is catching up (metric resync_pending) rather than
 * showing fewer connections than there are without a word.
 */
static void
engine_overrun_cb(void *arg)
{
	struct natd	*n = arg;

	update_stats(n);
}

/* Events were lost (overrun): dump and sweep, deferred by kernel.c. */
void
engine_resync_cb(void *arg)
{
	struct natd	*n = arg;

	n->resyncs++;
	log_debug("%s: conntrack events were lost, resyncing", __func__);
	/* Until a dump succeeds the mirror may be short: it says so. */
	n->resync_failed = dump(n) < 0;
	if (n->resync_failed)
		kernel_ct_resync(n->kernel);
	update_stats(n);
	/*
	 * The events still queued behind the overrun are old: a NEW among
	 * them may bring back a flow that died meanwhile (its DESTROY was
	 * lost).  Sweep again soon, whatever the usual dump period.
	 */
	if (n->ev_dump != NULL) {
		evtimer_del(n->ev_dump);
		n->dump_ms = DUMP_MIN_MS;
		schedule_dump(n);
	}
}

static void
history_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct natd	*n = arg;

	publish_history(n->publish);
}

/* Subscribe, then dump: no flow can fall between the two. */
int
engine_start(struct natd *n)
{
	struct timespec	 t0;
	struct timeval	 tv;
	int		 r, tries;

	if ((r = kernel_ct_subscribe(n->kernel, RESYNC_MIN_MS)) < 0) {
		log_warnx("cannot follow conntrack events: %s", strerror(-r));
		return (-1);
	}
	kernel_ct_on_overrun(n->kernel, engine_overrun_cb);
	n->started = state_now();
	watch_own_addrs(n);
	n->baseline = 1;
	for (tries = 0; tries < 5; tries++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((r = dump(n)) == 0)
			break;
	}
	n->baseline = 0;
	if (r == 0)
		choose_discovery(n, elapsed_ms(&t0));
	if (r < 0)
		log_warnx("conntrack dump failed (%s), retrying on the timer",
		    strerror(-r));
	log_info("mirroring %u conntrack entries", n->mirror->nflows);
	n->dump_ms = DUMP_MIN_MS;
	if ((n->ev_dump = evtimer_new(n->d->base, dump_cb, n)) == NULL ||
	    (n->ev_history = event_new(n->d->base, -1, EV_PERSIST, history_cb,
	    n)) == NULL ||
	    (n->ev_guard = evtimer_new(n->d->base, guard_cb, n)) == NULL)
		return (-1);
	if ((r = kernel_nft_watch(n->kernel, engine_rules_changed_cb,
	    GUARD_MIN_MS)) < 0)
		log_warnx("cannot follow nftables changes (%s): if table "
		    "inet %s is removed, NAT stays off until natd restarts",
		    strerror(-r), NATD_TABLE);
	/* A change between the start-up load and the watch is seen too. */
	guard_schedule(n, GUARD_DELAY_MS);
	watch_forwarding(n);
	schedule_dump(n);
	tv.tv_sec = n->d->conf->nat.history_interval ?
	    n->d->conf->nat.history_interval : 300;
	tv.tv_usec = 0;
	evtimer_add(n->ev_history, &tv);
	update_stats(n);
	return (0);
}

/* Stop the timers. */
void
engine_stop(struct natd *n)
{
	if (n->ev_dump != NULL)
		event_free(n->ev_dump);
	if (n->ev_history != NULL)
		event_free(n->ev_history);
	if (n->ev_guard != NULL)
		event_free(n->ev_guard);
	n->ev_dump = n->ev_history = n->ev_guard = NULL;
	free(n->rules_shape);
	n->rules_shape = NULL;
}

/* SIGHUP with a valid config: check the forwards, then swap the rules. */
int
engine_reload(struct hgw_daemon *d, struct hgw_conf *newconf)
{
	struct natd	*n = d->arg;
	char		*errors = NULL, *p, *nl;
	struct timeval	 tv;

	if (rules_check(newconf, &errors) < 0) {
		for (p = errors; p != NULL && *p != '\0'; p = nl + 1) {
			if ((nl = strchr(p, '\n')) == NULL)
				break;
			log_warnx("%.*s", (int)(nl - p), p);
		}
		free(errors);
		return (-1);
	}
	if (newconf->nat.flow_offload && !d->conf->nat.flow_offload)
		engine_probe_offload(n);
	if (engine_rules_apply(n, newconf) < 0)
		return (-1);
	n->mirror->max_flows = newconf->nat.max_flows ?
	    newconf->nat.max_flows : n->mirror->max_flows;
	if (newconf->nat.history_interval != d->conf->nat.history_interval) {
		tv.tv_sec = newconf->nat.history_interval ?
		    newconf->nat.history_interval : 300;
		tv.tv_usec = 0;
		evtimer_add(n->ev_history, &tv);
	}
	n->mirror->rewrite = 1;	/* host names may have changed */
	publish_dirty(n->publish);
	return (0);
}

/* The final flush: close the history interval and write everything. */
void
engine_flush(struct hgw_daemon *d)
{
	struct natd	*n = d->arg;

	if (n->publish == NULL)
		return;
	read_drops(n);
	update_stats(n);
	publish_history(n->publish);
	publish_flush(n->publish);
	ctrace_flush(n->ctrace);
}

/* daemon.c reopened a database. */
void
engine_reopen(struct hgw_daemon *d, enum hgw_db which)
{
	struct natd	*n = d->arg;

	if (n->publish != NULL)
		publish_reopen(n->publish, which);
	ctrace_reopen(n->ctrace, which);
}

/* The heartbeat's status text. */
const char *
engine_status(struct hgw_daemon *d)
{
	struct natd	*n = d->arg;

	snprintf(n->status, sizeof(n->status), "%u flows (new by %s), "
	    "rules %s%s, offload %s, %lu overruns",
	    n->mirror ? n->mirror->nflows : 0,
	    n->follow_new ? "events" : "dumps",
	    n->rules_loaded ? "loaded" : "not loaded",
	    n->ip_forward == 0 ? ", FORWARDING OFF" : "",
	    n->offload ? "on" : "off",
	    n->kernel ? kernel_ct_overruns(n->kernel) : 0UL);
	return (n->status);
}
