/*
 * SPDX-License-Identifier: ISC
 *
 * trace.h: traces of one LAN host.  A trace is a row of homegw.db's
 * traces table (host, its MAC and addresses, started_ms and until_ms),
 * inserted by whoever starts it (homegwctl or webd); while until_ms lies
 * in the future, arpd, dnsd and natd each append what they see of that
 * host to trace_events, with millisecond times, in batches.
 *
 * Two halves:
 *   - the starter's and the reader's: resolve a host, start a trace,
 *     list traces, read a trace's events and render them as JSON (the
 *     one rendering homegwctl and webd share), prune finished traces;
 *   - the recorder, for the daemons: polls for running traces about
 *     once a second (one cheap PRAGMA data_version read when nothing
 *     changed), answers "is this address or MAC traced, by which
 *     traces", and buffers events, written through a state_writer when
 *     TRACE_BATCH_EVENTS are waiting or TRACE_BATCH_MS have passed.
 *
 * Functions return 0 or a negative errno, as state.c does.  No logging
 * above debug.
 */
#ifndef HGW_TRACE_H
#define HGW_TRACE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct event_base;
struct hgw_conf;

#define TRACE_SECONDS_DEFAULT	60
#define TRACE_SECONDS_MAX	600
#define TRACE_RUNNING_MAX	4	/* traces running at once */
#define TRACE_ADDRS_MAX		8	/* addresses of one traced host */
#define TRACE_KEEP_S		(7 * 86400)	/* finished traces kept */
#define TRACE_KEEP_EVENTS	200000	/* events kept, all traces */
#define TRACE_EVENTS_MAX	50000	/* events recorded per trace */
#define TRACE_BATCH_EVENTS	500
#define TRACE_BATCH_MS		2000
#define TRACE_POLL_MS		1000

struct trace_addr {
	int		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];
};

struct trace_info {
	int64_t		 id;
	char		 host[256];	/* as asked */
	char		 name[64];	/* host table name, "" if none */
	char		 mac[18];	/* "" if not known */
	char		 addrs[TRACE_ADDRS_MAX * 47];	/* comma-separated */
	int64_t		 started_ms;
	int64_t		 until_ms;
	char		 by[16];
	int64_t		 events;	/* recorded so far (trace_list) */
};

/* One row of trace_events; the strings point into the reader's row. */
struct trace_event {
	int64_t		 id;
	int64_t		 trace;
	int64_t		 t_ms;
	const char	*daemon;
	const char	*layer;
	const char	*event;
	const char	*flow;		/* may be NULL */
	const char	*data;		/* a JSON object */
};

/*
 * Resolve host (a host-table name, an IPv4 or IPv6 address, or a MAC)
 * into ret's name, mac and addrs, from the config's host table and
 * live.db's neighbours (live may be NULL).  An address not known
 * anywhere is still traced by itself; a name or MAC that resolves to no
 * address is -ENOENT.  Malformed input is -EINVAL.
 */
int	trace_resolve(const struct hgw_conf *, sqlite3 *live,
	    const char *host, struct trace_info *ret);
/*
 * Start a trace of the resolved host for seconds (0: the default; more
 * than TRACE_SECONDS_MAX or negative is -EINVAL) by "homegwctl" or
 * "webd": prunes finished traces, refuses with -EBUSY when
 * TRACE_RUNNING_MAX run, inserts the row and sets t->id, started_ms
 * and until_ms.
 */
int	trace_start(sqlite3 *persist, struct trace_info *t, int seconds,
	    const char *by);
/* One trace by id, with its event count; -ENOENT if none. */
int	trace_get(sqlite3 *persist, int64_t id, struct trace_info *ret);
/*
 * Every trace, newest first, at most limit (0: all), with its event
 * count; cb returns 0 to go on, else the walk stops and returns that.
 */
int	trace_list(sqlite3 *persist, int limit,
	    int (*cb)(const struct trace_info *, void *), void *arg);
/*
 * A trace's events with id above after, in order, at most limit (0:
 * all), to cb as for trace_list.
 */
int	trace_events(sqlite3 *persist, int64_t trace, int64_t after,
	    int limit, int (*cb)(const struct trace_event *, void *),
	    void *arg);
/*
 * Delete traces that ended more than keep_s seconds before now_ms with
 * their events, then the oldest finished traces until at most
 * keep_events events remain.  Returns how many traces went, or -errno.
 */
int	trace_prune(sqlite3 *persist, int64_t now_ms, int64_t keep_s,
	    int64_t keep_events);
/* Is a trace running at now_ms? */
int	trace_running(const struct trace_info *, int64_t now_ms);

/*
 * JSON.  A growing buffer: the json_* calls never fail; a failed
 * allocation marks the buffer (failed), and trace_buf_str() then
 * returns NULL.
 */
struct trace_buf {
	char		*s;
	size_t		 len, cap;
	int		 failed;
};
void	trace_buf_add(struct trace_buf *, const char *s, size_t len);
void	trace_buf_printf(struct trace_buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* A JSON string with its quotes, escaped; NULL gives null. */
void	trace_buf_json_str(struct trace_buf *, const char *s);
/* The text so far ("" when empty), or NULL after a failed allocation. */
const char *trace_buf_str(struct trace_buf *);
void	trace_buf_reset(struct trace_buf *);
void	trace_buf_free(struct trace_buf *);

/*
 * {"id","host","name","mac","addrs","started_ms","until_ms"}, plus
 * "running" and "events" when full is set, relative to now_ms.
 */
void	trace_info_json(struct trace_buf *, const struct trace_info *,
	    int full, int64_t now_ms);
/*
 * {"id","t","daemon","layer","event","flow", ...the fields of data}:
 * the one shape of an event for the API and homegwctl --json.  A data
 * column that is not a JSON object is left out.
 */
void	trace_event_json(struct trace_buf *, const struct trace_event *);

/* The recorder: the daemons' half. */
struct trace_recorder;

/*
 * A recorder for daemon ("arpd", "dnsd", "natd") writing to persist.
 * changed_cb (may be NULL) runs when the set of traced addresses
 * changes (a trace started or ended), so natd can subscribe to events
 * or leave them, and change its kernel filter.
 */
struct trace_recorder *trace_recorder_new(struct event_base *,
	    sqlite3 *persist, const char *daemon,
	    void (*changed_cb)(void *), void *arg);
/* Point it at a reopened homegw.db. */
void	trace_recorder_set_db(struct trace_recorder *, sqlite3 *);
/* Write everything buffered now (the final flush at stop). */
void	trace_recorder_flush(struct trace_recorder *);
void	trace_recorder_free(struct trace_recorder *);
/* Is any trace running?  The cheap test before anything else. */
int	trace_recorder_active(const struct trace_recorder *);
/*
 * The traces following addr (family AF_INET or AF_INET6, addr 4 or 16
 * bytes) or mac: their ids into ids (at most max), how many.
 */
int	trace_recorder_match(const struct trace_recorder *, int family,
	    const void *addr, int64_t *ids, int max);
int	trace_recorder_match_mac(const struct trace_recorder *,
	    const uint8_t mac[6], int64_t *ids, int max);
/* Every address traced now, deduplicated, at most max; how many. */
int	trace_recorder_addrs(const struct trace_recorder *,
	    struct trace_addr *out, int max);
/*
 * Record an event of trace at t_ms.  data is a JSON object ("{...}"),
 * flow may be NULL.  Copied; dropped (and counted) when the buffer or
 * the trace's TRACE_EVENTS_MAX is full.
 */
void	trace_recorder_add(struct trace_recorder *, int64_t trace,
	    int64_t t_ms, const char *layer, const char *event,
	    const char *flow, const char *data);
/* Events dropped so far, events written so far. */
uint64_t trace_recorder_dropped(const struct trace_recorder *);
uint64_t trace_recorder_written(const struct trace_recorder *);

#endif /* HGW_TRACE_H */
