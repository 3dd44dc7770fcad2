/*
 * SPDX-License-Identifier: ISC
 *
 * dnsd.h: homegw-dnsd, the LAN's caching DNS forwarder.  One libevent
 * loop; a query is answered from the host table (local.c), from the
 * cache (cache.c) or by forwarding (upstream.c); listen.c owns the
 * sockets clients talk to and stats.c the counters and the query log.
 */
#ifndef HGW_DNSD_H
#define HGW_DNSD_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "addr.h"
#include "dnswire.h"
#include "state.h"
#include "trace.h"

struct event;
struct event_base;
struct bufferevent;
struct evconnlistener;
struct hgw_conf;
struct hgw_daemon;
struct state_writer;
struct sqlite3;

#define DNSD_UDP_BATCH		32	/* datagrams per recvmmsg */
#define DNSD_TCP_MAX		128	/* TCP clients at once */
#define DNSD_TCP_INFLIGHT	32	/* queries in flight per TCP client */
#define DNSD_TCP_IDLE_S		10
#define DNSD_TCP_PER_CLIENT	16	/* TCP connections from one address */
#define DNSD_TCP_FRAME_S	5	/* to send one whole query */
#define DNSD_TCP_OUT_MAX	65536	/* answers waiting for a slow reader */
#define DNSD_PENDING_MAX	2048	/* upstream queries in flight */
#define DNSD_WAITERS_MAX	64	/* clients waiting on one question */
#define DNSD_STALE_TTL		30	/* TTL of a stale answer (RFC 8767) */
#define DNSD_STALE_MAX_S	86400	/* keep expired answers this long */
#define DNSD_LOCAL_TTL		300
#define DNSD_NEG_TTL		60	/* SOA minimum of the local zones */
#define DNSD_KEY_MAX		(DNS_NAME_MAX + 5)
#define DNSD_CACHE_MSG_MAX	16384	/* larger answers are not cached */
#define DNSD_TTL_MAX_RR		DNS_RR_MAX
#define DNSD_LOG_RING		1024	/* query log entries between flushes */
#define DNSD_RATE_SLOTS		1024	/* per-client rate limiter slots */

/* The key bits besides name, type and class. */
#define DNSD_KEY_DO		0x01
#define DNSD_KEY_CD		0x02

/* Where an answer came from, as the query log names it. */
enum dnsd_source {
	SRC_CACHE,
	SRC_LOCAL,
	SRC_UPSTREAM,
	SRC_STALE,
	SRC_ERROR,
	SRC_BLOCKED,		/* a blocklist's reply (block.c) */
	SRC_MAX
};

/* Counters, all monotonic since start. */
struct dnsd_stats {
	uint64_t	 queries;
	uint64_t	 udp;
	uint64_t	 tcp;
	uint64_t	 cache_hits;
	uint64_t	 cache_misses;
	uint64_t	 local;
	uint64_t	 forwarded;	/* upstream queries sent */
	uint64_t	 upstream_answers;
	uint64_t	 servfail;
	uint64_t	 nxdomain;
	uint64_t	 stale;
	uint64_t	 prefetch;
	uint64_t	 dropped_malformed;	/* client queries */
	uint64_t	 dropped_unwanted;	/* replies that did not match */
	uint64_t	 upstream_malformed;
	uint64_t	 ratelimited;
	uint64_t	 rebind_blocked;
	uint64_t	 truncated;
	uint64_t	 overload;	/* refused: too many in flight */
	uint64_t	 deduplicated;	/* waited on an identical query */
	uint64_t	 blocked;	/* answered from a blocklist */
};

/* A TCP client connection; freed once closed and nothing is in flight. */
struct dnsd_tcp {
	TAILQ_ENTRY(dnsd_tcp)	 entry;
	struct dnsd		*dnsd;
	struct bufferevent	*bev;
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen;
	unsigned int		 inflight;
	int			 closed;
	int64_t			 last_us;	/* accepted, or last query read */
	int64_t			 frame_us;	/* a query began; 0: none */
};
TAILQ_HEAD(dnsd_tcp_list, dnsd_tcp);

/* A socket clients talk to. */
struct dnsd_listener {
	struct dnsd		*dnsd;
	struct hgw_endpoint	 ep;
	int			 udp_fd;
	int			 tcp_fd;
	struct event		*ev_udp;
	struct evconnlistener	*tcp;
};

/* A client query being handled: where it came from and how to answer. */
struct dnsd_req {
	struct dns_query	 q;
	const uint8_t		*pkt;
	size_t			 len;
	struct dnsd_listener	*l;		/* UDP: answer from here */
	struct dnsd_tcp		*tcp;		/* TCP: answer on this */
	struct sockaddr_storage	 from;
	socklen_t		 fromlen;
	size_t			 limit;		/* largest answer allowed */
	int64_t			 start_us;
	uint8_t			 key[DNSD_KEY_MAX];
	size_t			 keylen;
	uint32_t		 hash;
};

/*
 * A cached answer: a ready wire copy whose TTL fields are patched.  One
 * allocation: this header, then the TTL offsets, then the message.  The
 * key is not stored apart: it is the message's question (lower case, type,
 * class) plus keyflags.  Times are monotonic seconds.
 */
struct cache_entry {
	TAILQ_ENTRY(cache_entry) lru;
	struct cache_entry	*hnext;
	uint32_t		 hash;
	uint16_t		 len;		/* of the message */
	uint16_t		 nttl;
	uint32_t		 ttl;		/* lifetime given at insert */
	int32_t			 inserted;
	int32_t			 expires;
	uint32_t		 hits;
	uint8_t			 rcode;
	uint8_t			 prefetching;
	uint8_t			 keyflags;	/* DNSD_KEY_DO | DNSD_KEY_CD */
	uint8_t			 pad;		/* data[] 2-byte aligned */
	uint8_t			 data[];
};
#define CACHE_TTL_OFF(e)	((const uint16_t *)(const void *)(e)->data)
#define CACHE_WIRE(e)		((e)->data + (e)->nttl * sizeof(uint16_t))
/*
 * The allocation ends with the message: data[] starts at its offset, so
 * the struct's tail padding (4 bytes on LP64) is not allocated per entry.
 */
#define CACHE_HDR_SIZE		offsetof(struct cache_entry, data)
#define CACHE_SIZE(e)		(CACHE_HDR_SIZE + \
				    (e)->nttl * sizeof(uint16_t) + (e)->len)

/* An answer ready to be cached or served (built from an upstream reply). */
struct cache_msg {
	uint8_t			 wire[DNSD_CACHE_MSG_MAX];
	size_t			 len;
	uint16_t		 ttl_off[DNSD_TTL_MAX_RR];
	unsigned int		 nttl;
	uint32_t		 ttl;		/* lifetime */
	int			 cacheable;
	int			 rebind;	/* refused by rebind protection */
	uint8_t			 rcode;
};

/* What cache_build() needs to know about the policy. */
struct cache_policy {
	uint32_t		 min_ttl;
	uint32_t		 max_ttl;
	uint32_t		 negative_ttl;
	int			 rebind_protection;	/* check this answer */
	struct in_addr		 lan_addr;
	int			 lan_plen;
};

struct cache;

/* One upstream server and its health. */
/* Upstream latency histogram bounds, in ms (stats.c). */
#define DNSD_LATENCY_BUCKETS	11
extern const double dnsd_latency_le_ms[DNSD_LATENCY_BUCKETS];

struct upstream {
	struct hgw_endpoint	 ep;
	char			 name[ADDR_STRLEN];
	int			 position;
	int			 zone;		/* index in zones, -1: general */
	int			 down;
	unsigned int		 fails;		/* consecutive */
	unsigned int		 backoff_ms;
	int64_t			 retry_at_ms;
	uint64_t		 queries;
	uint64_t		 answers;
	uint64_t		 timeouts;
	uint64_t		 errors;
	double			 latency_ms;	/* moving average */
	/* Retry timer from measured round trips (RFC 6298 style). */
	uint32_t		 srtt_us;	/* 0: not measured yet */
	uint32_t		 rttvar_us;
	uint32_t		 rto_ms;
	/* 0x20: replies that spelt the name otherwise, in a row. */
	unsigned int		 caps_miss;
	int			 no_caps;	/* does not keep case: off */
	/* DNS cookies (RFC 7873) toward this server. */
	uint8_t			 ccookie[DNS_COOKIE_CLIENT];
	uint8_t			 scookie[DNS_COOKIE_MAX - DNS_COOKIE_CLIENT];
	uint8_t			 scookielen;
	int			 cookies;	/* it answered with our cookie */
	int64_t			 cookie_s;	/* when it last did (monotonic) */
	int64_t			 last_ok;	/* epoch seconds */
	/* Up and down as last logged (upstream_say()). */
	int			 said_down;
	int64_t			 said_ms;	/* monotonic; 0: never */
	unsigned int		 unsaid;	/* changes since */
	/* Answers within each of dnsd_latency_le_ms, cumulative (/metrics). */
	uint64_t		 latency_le[DNSD_LATENCY_BUCKETS];
	double			 latency_sum_s;
};

/* A client waiting for an upstream answer. */
struct waiter {
	TAILQ_ENTRY(waiter)	 entry;
	struct dnsd_listener	*l;
	struct dnsd_tcp		*tcp;
	struct sockaddr_storage	 from;
	socklen_t		 fromlen;
	uint16_t		 id;
	uint16_t		 flags;
	struct dns_edns		 edns;
	size_t			 limit;
	uint8_t			 qname[DNS_NAME_MAX];	/* client's case */
	uint8_t			 qnamelen;
	int64_t			 start_us;
};
TAILQ_HEAD(waiter_list, waiter);

/*
 * One UDP try of a question.  Its socket stays open after a retry was
 * sent, until the question's deadline: a slow server's late reply to an
 * earlier try is as good as any.
 */
struct utry {
	struct pending		*p;
	int			 fd;		/* connected; -1: slot free */
	struct event		*ev;
	uint16_t		 id;
	int			 up;		/* upstream index */
	unsigned int		 generation;	/* of the upstream table */
	int64_t			 sent_us;
	uint8_t			 qname[DNS_NAME_MAX];	/* as sent */
};
#define DNSD_UDP_LIVE		4	/* tries of a question listened to */

/* One question forwarded upstream, with everyone waiting on it. */
struct pending {
	TAILQ_ENTRY(pending)	 entry;
	struct pending		*hnext;
	struct dnsd		*dnsd;
	uint8_t			 key[DNSD_KEY_MAX];
	size_t			 keylen;
	uint32_t		 hash;
	uint16_t		 qtype;
	uint16_t		 qclass;
	uint16_t		 id;		/* of the current try */
	uint8_t			 query[DNS_NAME_MAX + DNS_HDR_LEN + 4 +
				    DNS_OPT_LEN + 2];
	size_t			 querylen;	/* without the TCP prefix */
	struct utry		 udp[DNSD_UDP_LIVE];
	struct utry		*cur;		/* the newest UDP try, if any */
	struct event		*ev_timer;	/* this try, or all, timed out */
	int64_t			 deadline_us;	/* no reply accepted after */
	int			 exhausted;	/* nothing left to try: waiting */
	struct bufferevent	*bev;		/* TCP fallback */
	int			 tcp_next;	/* retry this upstream by TCP */
	uint8_t			*tcpbuf;
	int			 up;		/* upstream of this try */
	unsigned int		 generation;	/* of the upstream table */
	uint32_t		 tried;		/* bitmask of upstreams */
	unsigned int		 tries;
	int64_t			 sent_us;
	int			 prefetch;
	int			 refused;	/* an upstream said REFUSED */
	int			 failed;	/* one failed otherwise */
	struct waiter_list	 waiters;
	unsigned int		 nwaiters;
};
TAILQ_HEAD(pending_list, pending);

/* One query log entry, formatted only when written to the database. */
struct qlog {
	int64_t			 time_ms;
	uint8_t			 family;	/* AF_INET or AF_INET6 */
	uint8_t			 addr[16];
	uint8_t			 qname[DNS_NAME_MAX];
	uint8_t			 qnamelen;
	uint16_t		 qtype;
	uint8_t			 rcode;
	uint8_t			 source;	/* enum dnsd_source */
	int16_t			 upstream;	/* index or -1 */
	uint32_t		 latency_us;
	int16_t			 blocked_by;	/* block counter slot or -1 */
};

/* One dns_history row waiting for the next batch to homegw.db. */
struct dnsd_hist {
	int64_t			 time;
	uint64_t		 queries;
	uint64_t		 cache_hits;
	uint64_t		 upstream;
	uint64_t		 servfail;
	uint64_t		 blocked;
};
#define DNSD_HIST_MAX		1440	/* a day of minutes */

/* A query log row as logpack.c packs it (strings not NUL-terminated). */
struct logrow {
	int64_t			 time_ms;
	const char		*client;
	size_t			 clientlen;
	const char		*name;
	size_t			 namelen;
	int			 qtype;
	int			 rcode;
	const char		*source;
	size_t			 sourcelen;
	const char		*upstream;	/* may be NULL */
	size_t			 upstreamlen;
	int64_t			 latency_us;
	const char		*blocked_by;	/* may be NULL */
	size_t			 blocked_bylen;
};
struct logpack_str {
	size_t			 off;
	uint32_t		 len;
	uint32_t		 hash;
};
/* A batch being packed. */
struct logpack {
	uint8_t			*buf;
	size_t			 len;
	size_t			 cap;
	unsigned int		 rows;
	int64_t			 prev_ms;
	struct logpack_str	*dict;
	uint32_t		 ndict;
	size_t			 dictcap;
	uint32_t		*slots;		/* hash table of dict + 1 */
	uint32_t		 nslots;
};

/* A per-client token bucket. */
struct rate_slot {
	uint32_t		 addr;		/* hash of the address */
	uint32_t		 tokens;	/* in 1/1000 of a query */
	int64_t			 last_ms;
};

/* Blocking (block.c): the set in use and the worker that builds the next. */
#define DNSD_BLOCK_COUNTERS	256	/* list names counted since start */
struct block_set;
struct dnsd_block {
	_Atomic(struct block_set *) live;	/* what queries read */
	struct block_set	*set;		/* the same, for the loop */
	pthread_t		 thread;
	int			 running;
	int			 again;		/* rebuild when it finishes */
	int			 pipe[2];	/* worker -> loop: done */
	struct event		*ev_done;
	struct event		*ev_watch;
	int			 ready;		/* a set was built */
	int			 dirty;		/* blocklists table to write */
	uint64_t		 builds;
	int64_t			 swap_us;	/* the loop's part of a reload */
	struct timespec		 own_mtime;	/* the own list, last seen */
	off_t			 own_size;
	ino_t			 own_ino;
	int64_t			 paused_until;	/* epoch s; 0: not paused */
	uint64_t		 blocked;
	struct {
		char		 name[64];
		uint64_t	 blocked;
	}			 counters[DNSD_BLOCK_COUNTERS];
	int			 ncounters;
	uint64_t		 group_blocked[32];
};

struct dnsd {
	struct hgw_daemon	*d;
	struct event_base	*base;
	const struct hgw_conf	*conf;

	struct dnsd_listener	 listeners[16];
	unsigned int		 nlisteners;
	struct dnsd_tcp_list	 tcps;
	unsigned int		 ntcp;
	struct event		*ev_tcp_sweep;	/* closes slow TCP clients */

	struct cache		*cache;

	struct upstream		 upstreams[32];
	unsigned int		 nupstreams;
	unsigned int		 generation;
	struct pending_list	 pendings;
	struct pending		**ptable;
	unsigned int		 ptable_size;
	unsigned int		 npending;

	/* local.c */
	uint8_t			 domain[DNS_NAME_MAX];
	size_t			 domainlen;
	uint8_t			 revzone[DNS_NAME_MAX];
	size_t			 revzonelen;
	int64_t			 serial;

	/* stats.c */
	struct dnsd_stats	 st;
	struct dnsd_stats	 st_hist;	/* at the last history row */
	int64_t			 hist_time;
	struct qlog		*qlog;
	unsigned int		 qlog_head;	/* next slot */
	unsigned int		 qlog_count;	/* unwritten entries */
	uint64_t		 qlog_lost;
	int64_t			 qlog_next_id;	/* of the next live.db row */
	int64_t			 qlog_saved_id;	/* newest row in homegw.db */
	int			 qlog_legacy;	/* homegw.db's old dns_log */
	struct dnsd_hist	*hist;		/* rows not yet in homegw.db */
	unsigned int		 nhist;
	uint64_t		 qlog_batches;	/* written to homegw.db */
	uint64_t		 qlog_batch_bytes;
	struct state_writer	*w_live;
	struct state_writer	*w_persist;
	struct event		*ev_stats;

	struct rate_slot	 rate[DNSD_RATE_SLOTS];

	/* stats.c: live.db dns_series, the current minute's row */
	struct dnsd_stats	 st_series;	/* at the minute's start */
	int64_t			 series_time;	/* the minute; 0 = none yet */
	struct dnsd_block	 block;

	/* Time, read once per batch of packets. */
	int64_t			 now_s;		/* monotonic */
	int64_t			 now_us;	/* monotonic */
	int64_t			 wall_ms;
	struct trace_recorder	*trace;		/* dtrace.c */
	struct trace_buf	 trace_buf;
};

/* dnsd.c */
void	dnsd_clock(struct dnsd *);

/* listen.c */
int	listen_open(struct dnsd *);
void	listen_close(struct dnsd *);
int	listen_query(struct dnsd *, struct dnsd_req *, uint8_t *out,
	    size_t cap);
void	listen_send(struct dnsd *, struct dnsd_listener *,
	    struct dnsd_tcp *, const struct sockaddr_storage *, socklen_t,
	    const uint8_t *, size_t);
void	listen_tcp_done(struct dnsd_tcp *);
size_t	listen_error(const struct dns_query *, unsigned int rcode,
	    uint8_t *out, size_t cap);

/* cache.c */
struct cache *cache_new(unsigned int max_entries, size_t max_bytes);
void	cache_free(struct cache *);
void	cache_limits(struct cache *, unsigned int max_entries,
	    size_t max_bytes);
size_t	cache_key(const struct dns_query *, uint8_t *key, uint32_t *hash);
struct cache_entry *cache_lookup(struct cache *, const uint8_t *key,
	    size_t keylen, uint32_t hash, int64_t now, int allow_stale);
struct cache_entry *cache_insert(struct cache *, const uint8_t *key,
	    size_t keylen, uint32_t hash, const struct cache_msg *,
	    int64_t now);
int	cache_build(const struct dns_msg *, const struct cache_policy *,
	    struct cache_msg *);
size_t	cache_write(const uint8_t *wire, size_t len, const uint16_t *ttl_off,
	    unsigned int nttl, int64_t elapsed, int stale, uint16_t id,
	    uint16_t qflags, const uint8_t *qname, size_t qnamelen,
	    const struct dns_edns *, size_t limit, uint8_t *out, size_t cap);
size_t	cache_write_entry(const struct cache_entry *, int64_t now,
	    const struct dns_query *, size_t limit, uint8_t *out, size_t cap);
unsigned int cache_count(const struct cache *);
size_t	cache_bytes(const struct cache *);
uint64_t cache_evictions(const struct cache *);
int	cache_is_private(const uint8_t *rdata, size_t len, struct in_addr,
	    int);

/* upstream.c */
int	upstream_init(struct dnsd *);
void	upstream_reload(struct dnsd *, const struct hgw_conf *);
void	upstream_free(struct dnsd *);
int	upstream_query(struct dnsd *, struct dnsd_req *);
void	upstream_prefetch(struct dnsd *, const struct dnsd_req *);
/* Log what changed in upstreams' health and was held back; each second. */
void	upstream_say_all(struct dnsd *);

/* local.c */
void	local_init(struct dnsd *, const struct hgw_conf *);
size_t	local_answer(struct dnsd *, const struct dnsd_req *, uint8_t *out,
	    size_t cap);
size_t	local_any(const struct dns_query *, uint8_t *out, size_t cap);

/* cookie.c */
uint64_t cookie_siphash(const uint8_t key[16], const uint8_t *, size_t);
void	cookie_make(const uint8_t key[16], const uint8_t *client,
	    const struct sockaddr_storage *, uint32_t now, uint8_t *out);
void	cookie_server(const uint8_t *client, const struct sockaddr_storage *,
	    uint32_t now, uint8_t *out);

/* dtrace.c: traces of clients (issue 16) */
int	dtrace_init(struct dnsd *);
void	dtrace_reopen(struct dnsd *, enum hgw_db);
void	dtrace_free(struct dnsd *);
void	dtrace_answer(struct dnsd *, const struct sockaddr_storage *client,
	    int tcp, const uint8_t *wire, size_t len, enum dnsd_source,
	    int upstream, int64_t latency_us);

/* stats.c */
int	stats_init(struct dnsd *);
void	stats_free(struct dnsd *);
void	stats_reopen(struct dnsd *, enum hgw_db);
void	stats_log(struct dnsd *, const struct sockaddr_storage *,
	    const uint8_t *qname, size_t qnamelen, uint16_t qtype,
	    unsigned int rcode, enum dnsd_source, int upstream,
	    int64_t latency_us);
int	stats_ratelimit(struct dnsd *, const struct sockaddr_storage *);
void	stats_log_blocked_by(struct dnsd *, int slot);

/* block.c */
int	block_init(struct dnsd *);
void	block_reload(struct dnsd *);
void	block_free(struct dnsd *);
size_t	block_query(struct dnsd *, const struct dnsd_req *, uint8_t *out,
	    size_t cap);
const char *block_slot_name(const struct dnsd *, int slot);
int	block_publish(sqlite3 *, struct dnsd *);
const char *block_status(const struct dnsd *);

/* logpack.c */
void	logpack_init(struct logpack *);
int	logpack_add(struct logpack *, const struct logrow *);
void	logpack_reset(struct logpack *);
void	logpack_free(struct logpack *);
int	logpack_decode(const void *, size_t,
	    int (*)(const struct logrow *, void *), void *);
const char *stats_status(struct dnsd *);

/* names.c */
int	names_init(void);
void	names_free(void);
void	names_note(struct dnsd *, const struct sockaddr_storage *,
	    const uint8_t *msg, size_t len);
int	names_flush(struct sqlite3 *, struct dnsd *);
void	names_done(void);

#endif /* HGW_DNSD_H */
