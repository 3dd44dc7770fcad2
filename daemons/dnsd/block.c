/*
 * SPDX-License-Identifier: ISC
 *
 * block.c: domain blocking.  The lists are read and indexed by a worker
 * thread, never on the loop that answers: at start, on SIGHUP and when
 * the owner's own list changes.  The worker reads the config file again
 * itself, so the index and the client groups it was built for come from
 * one config and travel together as one "set"; the loop swaps the whole
 * set in with one pointer store and frees the old one after the swap.
 * Until the first set is ready, queries are answered without blocking,
 * as homegw-dnsd(8) documents, and the log and block_index_ready say so.
 *
 * A blocked name gets the configured reply (null, nxdomain or nodata)
 * with block_ttl and, when the client sent EDNS, the Extended DNS Error
 * 15 "Blocked" (RFC 8914) with the list's name as its extra text.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "blockconf.h"
#include "blockfile.h"
#include "blocklist.h"
#include "conf.h"
#include "daemon.h"
#include "dnswire.h"
#include "log.h"
#include "state.h"
#include "dnsd.h"

#define BLOCK_EDE_BLOCKED	15	/* RFC 8914 4.16 */
#define BLOCK_OPT_EDE		15	/* the EDNS option code */
#define BLOCK_WATCH_S		1

/* A client with groups other than "default" (or exempt: groups 0). */
struct block_client {
	uint32_t		 addr;		/* network order */
	uint32_t		 groups;
};

/* What one build produced: used together, freed together. */
struct block_set {
	struct bl_index		*ix;
	struct hgw_conf		*conf;		/* the config it was built for */
	struct blockconf_report	*rep;
	struct block_client	*clients;	/* sorted by addr */
	size_t			 nclients;
	int			 slot[BL_LISTS_MAX];	/* list id -> counter */
	int64_t			 build_ms;
};

/* The worker's job and result, handed over through the done pipe. */
struct block_job {
	char			 conf_path[PATH_MAX];
	struct block_set	*set;		/* NULL: failed */
	char			 error[512];
	struct timespec		 started;
};

static void	 block_start(struct dnsd *);

static int64_t
elapsed_ms(const struct timespec *a)
{
	struct timespec	 b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((int64_t)(b.tv_sec - a->tv_sec) * 1000 +
	    (b.tv_nsec - a->tv_nsec) / 1000000);
}

static void
set_free(struct block_set *s)
{
	if (s == NULL)
		return;
	bl_index_free(s->ix);
	conf_free(s->conf);
	free(s->rep);
	free(s->clients);
	free(s);
}

static int
client_cmp(const void *a, const void *b)
{
	const struct block_client *x = a, *y = b;

	return (x->addr < y->addr ? -1 : x->addr > y->addr);
}

/* The hosts whose groups are not just "default", for a binary search. */
static int
set_clients(struct block_set *s)
{
	const struct hgw_host	*h;
	struct sockaddr_in	 sin;
	uint32_t		 g;

	if (s->conf->nhosts == 0)
		return (0);
	if ((s->clients = calloc(s->conf->nhosts, sizeof(*s->clients))) ==
	    NULL)
		return (-1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	TAILQ_FOREACH(h, &s->conf->hosts, entry) {
		sin.sin_addr = h->addr;
		g = blockconf_client_groups(s->conf,
		    (struct sockaddr *)&sin);
		if (g == 1)
			continue;
		s->clients[s->nclients].addr = h->addr.s_addr;
		s->clients[s->nclients].groups = g;
		s->nclients++;
	}
	qsort(s->clients, s->nclients, sizeof(*s->clients), client_cmp);
	return (0);
}

/* The worker: everything slow happens here, off the answering loop. */
static void *
block_worker(void *arg)
{
	struct block_job	*job = arg;
	struct block_set	*s;
	char			*errors = NULL;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->rep = calloc(1, sizeof(*s->rep))) == NULL) {
		snprintf(job->error, sizeof(job->error), "out of memory");
		goto fail;
	}
	if ((s->conf = conf_load(job->conf_path, &errors)) == NULL) {
		/* The errors name file:line; else say which file. */
		if (errors != NULL)
			snprintf(job->error, sizeof(job->error), "%s", errors);
		else if (snprintf(job->error, sizeof(job->error), "%s: %s",
		    strerror(errno), job->conf_path) < 0)
			job->error[0] = '\0';
		free(errors);
		goto fail;
	}
	if ((s->ix = blockconf_load(s->conf, 0, s->rep)) == NULL ||
	    set_clients(s) < 0) {
		snprintf(job->error, sizeof(job->error), "out of memory");
		goto fail;
	}
	s->build_ms = elapsed_ms(&job->started);
	job->set = s;
	return (job);
fail:
	set_free(s);
	job->set = NULL;
	return (job);
}

static void *
block_thread(void *arg)
{
	struct block_job	*job = arg;
	int			 fd = *(int *)(void *)((char *)job +
				    sizeof(*job));

	block_worker(job);
	/* One pointer through the pipe: the loop picks the result up. */
	while (write(fd, &job, sizeof(job)) < 0 && errno == EINTR)
		;
	return (NULL);
}

/* A counter slot for a list name, kept across reloads. */
static int
counter_slot(struct dnsd_block *b, const char *name)
{
	int	 i;

	for (i = 0; i < b->ncounters; i++)
		if (strcmp(b->counters[i].name, name) == 0)
			return (i);
	if (b->ncounters == DNSD_BLOCK_COUNTERS)
		return (-1);
	snprintf(b->counters[b->ncounters].name,
	    sizeof(b->counters[0].name), "%s", name);
	b->counters[b->ncounters].blocked = 0;
	return (b->ncounters++);
}

static void
report_set(const struct block_set *s)
{
	const struct blockconf_list *l;
	int	 i, j;

	for (i = 0; i < s->rep->nlists; i++) {
		l = &s->rep->lists[i];
		if (l->error[0] != '\0')
			log_warnx("blocklist %s: %s", l->name, l->error);
		for (j = 0; j < l->st.nreported; j++)
			log_warnx("blocklist %s: %s", l->name,
			    l->st.first_bad[j]);
		if (l->st.bad > (unsigned long)l->st.nreported)
			log_warnx("blocklist %s: %lu more lines not understood",
			    l->name, l->st.bad - (unsigned long)l->st.nreported);
		if (l->enabled && l->error[0] == '\0' && i > 0)
			log_info("blocklist %s: %lu entries, %lu lines skipped",
			    l->name, l->entries, l->st.skipped);
	}
}

/* The worker finished: swap its set in, free the old one. */
static void
block_done_cb(int fd, short ev, void *arg)
{
	struct dnsd		*dd = arg;
	struct dnsd_block	*b = &dd->block;
	struct block_job	*job;
	struct block_set	*old, *s;
	struct timespec		 t0, t1;
	int			 i;

	(void)ev;
	if (read(fd, &job, sizeof(job)) != (ssize_t)sizeof(job))
		return;
	pthread_join(b->thread, NULL);
	b->running = 0;
	s = job->set;
	if (s == NULL)
		log_warnx("blocklists not rebuilt, %s: %s",
		    b->set != NULL ? "keeping the running ones" :
		    "answering without blocking", job->error);
	else {
		for (i = 0; i < s->rep->nlists; i++)
			s->slot[i] = counter_slot(b, s->rep->lists[i].name);
		report_set(s);
		/* All the loop does for a reload: a store and a free. */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		old = b->set;
		atomic_store_explicit(&b->live, s, memory_order_release);
		b->set = s;
		set_free(old);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		b->swap_us = (t1.tv_sec - t0.tv_sec) * 1000000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000;
		b->builds++;
		if (!b->ready)
			log_info("blocklists ready after %lld ms: %zu entries "
			    "in %zu bytes; blocking from now on",
			    (long long)s->build_ms, bl_index_entries(s->ix),
			    bl_index_bytes(s->ix));
		else
			log_info("blocklists reloaded in %lld ms: %zu entries "
			    "in %zu bytes; swapped in %lld us",
			    (long long)s->build_ms, bl_index_entries(s->ix),
			    bl_index_bytes(s->ix), (long long)b->swap_us);
		b->ready = 1;
		b->dirty = 1;
		if (dd->w_live != NULL)
			state_writer_dirty(dd->w_live);
	}
	free(job);
	if (b->again) {
		b->again = 0;
		block_start(dd);
	}
}

/* Start a build, or ask for another when one is running. */
static void
block_start(struct dnsd *dd)
{
	struct dnsd_block	*b = &dd->block;
	struct block_job	*job;
	sigset_t		 all, old;
	int			 rc;

	if (b->running) {
		b->again = 1;
		return;
	}
	/* The write end of the pipe rides behind the job. */
	if ((job = calloc(1, sizeof(*job) + sizeof(int))) == NULL) {
		log_warn("blocklists");
		return;
	}
	snprintf(job->conf_path, sizeof(job->conf_path), "%s",
	    dd->d->conf_path);
	clock_gettime(CLOCK_MONOTONIC, &job->started);
	*(int *)(void *)((char *)job + sizeof(*job)) = b->pipe[1];
	/* Signals stay with the loop's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&b->thread, NULL, block_thread, job);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_warnx("blocklists: cannot start the worker: %s",
		    strerror(rc));
		free(job);
		return;
	}
	b->running = 1;
}

/* Once a second: the owner's own list and the pause file. */
static void
block_watch_cb(int fd, short ev, void *arg)
{
	struct dnsd		*dd = arg;
	struct dnsd_block	*b = &dd->block;
	const struct hgw_conf	*c = dd->conf;
	struct stat		 st;
	char			 path[PATH_MAX];
	int64_t			 until;

	(void)fd;
	(void)ev;
	if (snprintf(path, sizeof(path), "%s/%s", c->gateway.state_dir,
	    BLOCKCONF_OWN_FILE) < (int)sizeof(path)) {
		if (stat(path, &st) < 0)
			memset(&st, 0, sizeof(st));
		if (st.st_mtim.tv_sec != b->own_mtime.tv_sec ||
		    st.st_mtim.tv_nsec != b->own_mtime.tv_nsec ||
		    st.st_size != b->own_size || st.st_ino != b->own_ino) {
			b->own_mtime = st.st_mtim;
			b->own_size = st.st_size;
			b->own_ino = st.st_ino;
			log_info("%s changed: rebuilding the blocklists",
			    BLOCKCONF_OWN_FILE);
			block_start(dd);
		}
	}
	/* The same reading as homegwctl's and webd's (common/blockfile). */
	if (blockfile_pause_get(c, time(NULL), &until) == 0) {
		if (until != b->paused_until) {
			if (until != 0)
				log_info("blocking paused until %lld",
				    (long long)until);
			else
				log_info("blocking resumed");
			b->paused_until = until;
			b->dirty = 1;
		}
	}
}

int
block_init(struct dnsd *dd)
{
	struct dnsd_block	*b = &dd->block;
	struct timeval		 tv = { BLOCK_WATCH_S, 0 };
	struct stat		 st;
	char			 path[PATH_MAX];

	if (pipe2(b->pipe, O_CLOEXEC) < 0)
		return (-1);
	b->ev_done = event_new(dd->base, b->pipe[0], EV_READ | EV_PERSIST,
	    block_done_cb, dd);
	b->ev_watch = event_new(dd->base, -1, EV_PERSIST, block_watch_cb, dd);
	if (b->ev_done == NULL || b->ev_watch == NULL ||
	    event_add(b->ev_done, NULL) < 0 ||
	    event_add(b->ev_watch, &tv) < 0)
		return (-1);
	/* The first build reads the own list as it is now. */
	if (snprintf(path, sizeof(path), "%s/%s", dd->conf->gateway.state_dir,
	    BLOCKCONF_OWN_FILE) < (int)sizeof(path) && stat(path, &st) == 0) {
		b->own_mtime = st.st_mtim;
		b->own_size = st.st_size;
		b->own_ino = st.st_ino;
	}
	log_info("blocklists: loading; until they are ready, every name is "
	    "answered without blocking");
	block_start(dd);
	return (0);
}

/* SIGHUP: read the config and every list again. */
void
block_reload(struct dnsd *dd)
{
	block_start(dd);
}

void
block_free(struct dnsd *dd)
{
	struct dnsd_block	*b = &dd->block;

	/*
	 * A worker still reading (a list on a slow disk, a FIFO nobody
	 * writes) must not hold up the stop: it is left to the exit, with
	 * its pipe open.
	 */
	if (b->running) {
		if (b->ev_done != NULL)
			event_free(b->ev_done);
		if (b->ev_watch != NULL)
			event_free(b->ev_watch);
		b->ev_done = b->ev_watch = NULL;
		atomic_store(&b->live, NULL);
		set_free(b->set);
		b->set = NULL;
		return;
	}
	if (b->ev_done != NULL)
		event_free(b->ev_done);
	if (b->ev_watch != NULL)
		event_free(b->ev_watch);
	b->ev_done = b->ev_watch = NULL;
	if (b->pipe[0] > 0) {
		close(b->pipe[0]);
		close(b->pipe[1]);
	}
	set_free(b->set);
	b->set = NULL;
	atomic_store(&b->live, NULL);
}

/* The groups of the client that sent req, under the set's config. */
static uint32_t
client_groups(const struct block_set *s, const struct sockaddr_storage *ss)
{
	struct block_client	 key, *c;
	const struct sockaddr_in6 *sin6;

	if (s->nclients == 0)
		return (1);
	if (ss->ss_family == AF_INET)
		key.addr = ((const struct sockaddr_in *)(const void *)ss)->
		    sin_addr.s_addr;
	else if (ss->ss_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)(const void *)ss;
		if (!IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			return (1);
		memcpy(&key.addr, sin6->sin6_addr.s6_addr + 12, 4);
	} else
		return (1);
	c = bsearch(&key, s->clients, s->nclients, sizeof(*s->clients),
	    client_cmp);
	return (c != NULL ? c->groups : 1);
}

/* The blocked answer: header, question, maybe an address, maybe EDE. */
static size_t
block_answer(const struct dns_query *q, enum conf_block_reply mode,
    uint32_t ttl, const char *list, uint8_t *out, size_t cap)
{
	struct dns_wr	 w;
	struct dns_header h;
	uint8_t		 ede[2 + BL_NAME_MAX + 16];
	uint8_t		 zero[16];
	size_t		 elen;
	unsigned int	 rcode = mode == CONF_BLOCK_NXDOMAIN ?
			    DNS_R_NXDOMAIN : DNS_R_NOERROR;
	int		 addr = mode == CONF_BLOCK_NULL &&
			    (q->qtype == DNS_T_A || q->qtype == DNS_T_AAAA);

	dns_wr_init(&w, out, cap);
	memset(&h, 0, sizeof(h));
	h.id = q->hdr.id;
	h.flags = DNS_F_QR | DNS_F_RA | (q->hdr.flags & (DNS_F_OPCODE |
	    DNS_F_RD | DNS_F_CD)) | rcode;
	h.qdcount = 1;
	h.ancount = addr ? 1 : 0;
	h.arcount = q->edns.present ? 1 : 0;
	if (dns_put_header(&w, &h) < 0 ||
	    dns_put_bytes(&w, q->qname, q->qnamelen) < 0 ||
	    dns_put_u16(&w, q->qtype) < 0 || dns_put_u16(&w, q->qclass) < 0)
		return (0);
	memset(zero, 0, sizeof(zero));
	/* The owner is the question's name: a pointer to offset 12. */
	if (addr && (dns_put_u16(&w, 0xc000 | DNS_HDR_LEN) < 0 ||
	    dns_put_u16(&w, q->qtype) < 0 ||
	    dns_put_u16(&w, DNS_C_IN) < 0 || dns_put_u32(&w, ttl) < 0 ||
	    dns_put_u16(&w, q->qtype == DNS_T_A ? 4 : 16) < 0 ||
	    dns_put_bytes(&w, zero, q->qtype == DNS_T_A ? 4 : 16) < 0))
		return (0);
	if (q->edns.present) {
		ede[0] = 0;
		ede[1] = BLOCK_EDE_BLOCKED;
		elen = strlen(list);
		if (elen > sizeof(ede) - 2)
			elen = sizeof(ede) - 2;
		memcpy(ede + 2, list, elen);
		if (dns_put_opt_ext(&w, DNS_EDNS_SIZE, q->edns.flags, rcode,
		    BLOCK_OPT_EDE, ede, elen + 2) < 0)
			return (0);
	}
	return (w.pos);
}

/*
 * Answer req if its name is blocked for its client: the answer's length,
 * or 0 to go on (not blocked, paused, lists not ready).  On the hot path:
 * one atomic load, a binary search of the hosts with groups, and one
 * index probe per label of the name.
 */
size_t
block_query(struct dnsd *dd, const struct dnsd_req *req, uint8_t *out,
    size_t cap)
{
	struct dnsd_block	*b = &dd->block;
	const struct block_set	*s;
	struct bl_match		 m;
	uint32_t		 groups, hit;
	size_t			 n;
	int			 slot;

	s = atomic_load_explicit(&b->live, memory_order_acquire);
	if (s == NULL)
		return (0);
	if (b->paused_until != 0 && dd->wall_ms / 1000 < b->paused_until)
		return (0);
	if ((groups = client_groups(s, &req->from)) == 0)
		return (0);
	/* The cache key starts with the name in lower case, wire form. */
	if (!bl_lookup_wire(s->ix, req->key, req->q.qnamelen, groups, &m))
		return (0);
	n = block_answer(&req->q, s->conf->dns.block_reply,
	    s->conf->dns.block_ttl, bl_index_list_name(s->ix, m.list), out,
	    cap);
	if (n == 0)
		return (0);
	b->blocked++;
	dd->st.blocked++;
	slot = m.list < BL_LISTS_MAX ? s->slot[m.list] : -1;
	if (slot >= 0)
		b->counters[slot].blocked++;
	for (hit = groups & bl_index_list_groups(s->ix, m.list); hit != 0;
	    hit &= hit - 1)
		b->group_blocked[__builtin_ctz(hit)]++;
	if (s->conf->dns.block_reply == CONF_BLOCK_NXDOMAIN)
		dd->st.nxdomain++;
	stats_log(dd, &req->from, req->key, req->q.qnamelen, req->q.qtype,
	    out[3] & DNS_F_RCODE, SRC_BLOCKED, -1, 0);
	stats_log_blocked_by(dd, slot);
	dtrace_answer(dd, &req->from, req->tcp != NULL, out, n, SRC_BLOCKED,
	    -1, 0);
	return (n);
}

/* The name of a counter slot, for the query log; NULL if none. */
const char *
block_slot_name(const struct dnsd *dd, int slot)
{
	if (slot < 0 || slot >= dd->block.ncounters)
		return (NULL);
	return (dd->block.counters[slot].name);
}

static int
metric(sqlite3 *db, const char *name, double v)
{
	return (state_metric_set(db, "dnsd", name, v));
}

/* Counters into metrics; the lists into live.db's blocklists on change. */
int
block_publish(sqlite3 *db, struct dnsd *dd)
{
	struct dnsd_block	*b = &dd->block;
	const struct block_set	*s = b->set;
	const struct blockconf_list *l;
	sqlite3_stmt		*st;
	char			 m[BL_NAME_MAX + 32];
	const char		*g;
	int			 i, r = 0;

	r |= metric(db, "block_blocked", (double)b->blocked);
	r |= metric(db, "block_index_ready", b->ready ? 1 : 0);
	r |= metric(db, "block_paused_until", (double)b->paused_until);
	r |= metric(db, "block_index_entries",
	    (double)(s != NULL ? bl_index_entries(s->ix) : 0));
	r |= metric(db, "block_index_bytes",
	    (double)(s != NULL ? bl_index_bytes(s->ix) : 0));
	for (i = 0; i < b->ncounters; i++) {
		snprintf(m, sizeof(m), "block_list_%s", b->counters[i].name);
		r |= metric(db, m, (double)b->counters[i].blocked);
	}
	for (i = 0; s != NULL && i < CONF_GROUPS_MAX; i++) {
		if ((g = blockconf_group_name(s->conf, i)) == NULL)
			break;
		snprintf(m, sizeof(m), "block_group_%s", g);
		r |= metric(db, m, (double)b->group_blocked[i]);
	}
	if (r != 0)
		return (-1);
	if (!b->dirty || s == NULL)
		return (0);
	if (state_exec(db, "DELETE FROM blocklists") < 0)
		return (-1);
	if ((st = state_prepare(db, "INSERT INTO blocklists (name, source, "
	    "enabled, groups, entries, skipped, loaded, error) VALUES (?1, ?2, "
	    "?3, ?4, ?5, ?6, ?7, ?8)")) == NULL)
		return (-1);
	for (i = 0; i < s->rep->nlists; i++) {
		l = &s->rep->lists[i];
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, l->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, i == 0 ? l->path : l->source, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(st, 3, l->enabled);
		sqlite3_bind_text(st, 4, l->groups_text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)l->entries);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)(l->st.skipped +
		    l->st.bad));
		if (l->loaded != 0)
			sqlite3_bind_int64(st, 7, (sqlite3_int64)l->loaded);
		else
			sqlite3_bind_null(st, 7);
		if (l->error[0] != '\0')
			sqlite3_bind_text(st, 8, l->error, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 8);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return (-1);
		}
	}
	sqlite3_finalize(st);
	b->dirty = 0;
	return (0);
}

/* For the status line: "blocking, 12345 list entries", or why not. */
const char *
block_status(const struct dnsd *dd)
{
	static char	 buf[64];

	if (!dd->block.ready)
		return ("blocklists loading, not blocking yet");
	if (dd->block.paused_until != 0)
		return ("blocking paused");
	snprintf(buf, sizeof(buf), "blocking, %zu list entries",
	    bl_index_entries(dd->block.set->ix));
	return (buf);
}
