/*
 * SPDX-License-Identifier: ISC
 *
 * natd.h: homegw-natd, the NAT daemon.  It programs one nftables table of
 * its own (inet homegw) from the config and mirrors the kernel's
 * connection-tracking table into live.db.  Policy lives in rules.c (config
 * to ruleset text) and mirror.c (the flow table); every kernel side effect
 * goes through kernel.c; publish.c writes SQLite; control.c answers
 * homegwctl on a UNIX socket.
 */
#ifndef HGW_NATD_H
#define HGW_NATD_H

#include <sys/queue.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <stdint.h>
#include <time.h>

#include "state.h"


struct event_base;
struct hgw_conf;
struct hgw_daemon;

#define NATD_TABLE		"homegw"	/* table inet homegw */
#define NATD_RULES_FILE		"nat-rules.nft"	/* in run_dir */
#define NATD_SOCKET		"natd.sock"	/* in run_dir */

/* rules.c */

/* The generated ruleset and, for each of its lines, the config item. */
struct rules {
	char		*text;
	size_t		 len;
	size_t		 cap;
	char		**items;	/* items[line], 1-based; may be NULL */
	int		 nlines;
	int		 cap_lines;
	int		 failed;	/* allocation failed while building */
};

/*
 * Why natd's input policy dropped a packet from the WAN: rules_drop_reasons
 * names them, in the order of enum rules_drop; each has a named counter
 * wan_drop_<reason> in our table and a metrics row of the same name.
 */
enum rules_drop {
	RULES_DROP_POLICY,	/* nothing lets it in */
	RULES_DROP_LAN_DST,	/* for an address not on the WAN interface */
	RULES_DROP_SPOOFED_SRC,	/* from a LAN or unroutable source */
	RULES_DROP_INVALID,	/* conntrack: not part of any connection */
	RULES_DROP_PING_LIMIT,	/* echo requests above [firewall] wan_ping_rate */
	RULES_NDROP
};
extern const char *const rules_drop_reasons[RULES_NDROP];

/* Refuse forwards the kernel could not honour; errors as file:line. */
int		 rules_check(const struct hgw_conf *, char **ret_errors);
/* What lan_allow leaves out of the gateway's own services; NULL if none. */
char		*rules_lan_warnings(const struct hgw_conf *);
/* Build the replace-in-one-transaction ruleset text. */
int		 rules_build(const struct hgw_conf *, int offload,
		    struct rules *);
/* Text that removes our table (and only ours). */
const char	*rules_flush_text(void);
/* A batch that creates and deletes a flowtable: the offload probe. */
const char	*rules_probe_text(void);
/* The config item behind a line of the text; NULL if none. */
const char	*rules_item(const struct rules *, int line);
/*
 * Rewrite an nft error message that names "file:LINE:" so that it names
 * the config item instead.  Returns a malloc'ed string.
 */
char		*rules_explain(const struct rules *, const char *file,
		    const char *nft_error);
void		 rules_free(struct rules *);
/*
 * Read the drop counters from "list counters" text: wan[] per reason and
 * the LAN side's one, and the forward chain's (nat).  A counter that is
 * not there reads 0.  Returns how many counters were found.
 */
int		 rules_counters_parse(const char *text,
		    uint64_t wan[RULES_NDROP], uint64_t *lan, uint64_t *nat);

/* mirror.c */

struct flow_tuple {
	int		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 src[16];
	uint8_t		 dst[16];
	uint16_t	 sport;		/* host order; ICMP: id */
	uint16_t	 dport;		/* host order; ICMP: type << 8 | code */
};

/* One conntrack entry as the kernel reported it. */
struct flow_info {
	uint32_t	 id;
	uint32_t	 status;	/* IPS_* */
	uint32_t	 timeout;	/* seconds */
	uint8_t		 proto;
	uint8_t		 tcp_state;	/* TCP_CONNTRACK_*, 0 if not tcp */
	uint8_t		 has_tcp_state;
	struct flow_tuple orig;
	struct flow_tuple reply;
	uint64_t	 orig_packets, orig_bytes;
	uint64_t	 reply_packets, reply_bytes;
	int64_t		 start;		/* kernel timestamp, 0 if unknown */
};

/*
 * A mirrored flow.  Tens of thousands of these are natd's memory after a
 * flood (issue 18), so it holds what a flow_info says in less room: the
 * four addresses at their family's size at its end (16 bytes for an
 * IPv4 flow, 64 for IPv6, in slabs of two slot sizes: mirror.c), and
 * nothing the mirror never reads again (the kernel's start time is
 * first_seen).  The fields are ordered to leave no holes.
 */
struct flow {
	/* The hash chain, the only way to a flow; free list in a slab. */
	struct flow	*hnext;
	int64_t		 key;		/* the row's key in live.db */
	/* The counters as last seen: the mirror keeps no second copy. */
	uint64_t	 orig_packets, orig_bytes;
	uint64_t	 reply_packets, reply_bytes;
	uint32_t	 id;
	uint32_t	 status;	/* IPS_* */
	uint32_t	 timeout;	/* seconds */
	/*
	 * The current rates (bytes/s over the last two samples).  Their
	 * time is natd's monotonic milliseconds and the counters at that
	 * sample the low 32 bits: both are only ever subtracted, and a
	 * sample comes every few seconds (4 GiB between two is beyond a
	 * Pi's links), so 32 bits keep them exact at half the memory.
	 */
	uint32_t	 rate_ms;
	uint32_t	 rate_ob, rate_rb;
	float		 rate_orig, rate_reply;
	/* Seconds since the epoch: 32 bits unsigned last until 2106. */
	uint32_t	 first_seen;
	uint32_t	 last_seen;
	uint32_t	 gen;		/* last dump or event that saw it */
	int32_t		 host;		/* index into mirror hosts, -1 */
	uint16_t	 orig_sport, orig_dport;	/* as in flow_tuple */
	uint16_t	 reply_sport, reply_dport;
	uint8_t		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 proto;
	uint8_t		 tcp_state;
	uint8_t		 has_tcp_state;
	uint8_t		 missed;	/* complete dumps since it was seen */
	uint8_t		 written;	/* has a row in live.db */
	uint8_t		 dirty;		/* to be written */
	uint8_t		 gateway;	/* the gateway's own connection */
	/* Original source and destination, reply source and destination. */
	uint8_t		 addr[];
};
enum { FLOW_OSRC, FLOW_ODST, FLOW_RSRC, FLOW_RDST };
#define FLOW_ALEN(family)	((family) == AF_INET6 ? 16 : 4)
/* The bytes of a flow with its addresses (the slot it needs). */
#define FLOW_SIZE(family)	(sizeof(struct flow) + 4 * FLOW_ALEN(family))

static inline const uint8_t *
flow_addr(const struct flow *f, int which)
{
	return (f->addr + which * FLOW_ALEN(f->family));
}
/*
 * Every flow, bucket by bucket (unsigned int b, struct flow *f); the body
 * must not add or remove flows.
 */
#define MIRROR_FOREACH(m, b, f)						\
	for ((b) = 0; (b) < (m)->nbuckets; (b)++)			\
		for ((f) = (m)->buckets[(b)]; (f) != NULL; (f) = (f)->hnext)

/* Per LAN host totals, accumulated over one history interval. */
struct mirror_host {
	struct in_addr	 addr;
	uint64_t	 bytes_out, bytes_in, packets;
	unsigned int	 connections;	/* open flows now */
	int		 used;
	/* Rates: bytes of the open 10 s step, and the sums of flow rates. */
	uint64_t	 step_out, step_in;
	double		 rate_out, rate_in;
	double		 wrote_out, wrote_in;	/* in host_rates_now */
	unsigned int	 wrote_flows;
};

/* The gateway's own addresses, for the flows' gateway flag. */
#define MIRROR_OWN_MAX		64
struct mirror_addr {
	int		 family;
	uint8_t		 a[16];
};


struct flow_slab;
TAILQ_HEAD(flow_slab_list, flow_slab);

struct mirror {
	struct flow	**buckets;
	unsigned int	 nbuckets;
	unsigned int	 nflows;
	unsigned int	 max_flows;
	/* Per slot size (IPv4, IPv6), those with a free slot first. */
	struct flow_slab_list slabs[2];
	unsigned int	 nslabs;	/* of both sizes */
	unsigned int	 nflows6;	/* in IPv6 slabs */
	struct flow_slab *spare;	/* one empty slab kept mapped */
	uint32_t	 gen;
	struct in_addr	 lan_net;
	struct in_addr	 lan_self;	/* the gateway's LAN address */
	int		 lan_plen;
	struct mirror_host *hosts;
	unsigned int	 max_hosts;
	int64_t		*dead;		/* keys of rows to delete at next flush */
	unsigned int	 ndead;
	unsigned int	 max_dead;
	int		 rewrite;	/* rewrite every row at next flush */
	int64_t		 last_key;	/* of the newest flow's row */
	int64_t		 now_ms;	/* monotonic, of this sample */
	struct mirror_addr own[MIRROR_OWN_MAX];
	unsigned int	 nown;
	/* Counters for the metrics. */
	uint64_t	 created;	/* flows added (events or dumps) */
	uint64_t	 destroyed;
	uint64_t	 swept;		/* removed by mark and sweep */
	uint64_t	 full;		/* refused: table at max_flows */
	uint64_t	 history_created;	/* flows added this interval */
};

/*
 * How natd finds new flows, decided on the table's size (mirror.c): the
 * dump's cost per flow is learnt from recent dumps (the cheapest of them:
 * a dump slowed by a busy machine says nothing about the table), the size
 * a dump of max_ms covers is the line, and a switch needs the table
 * beyond the line (or under half of it) for DISCOVER_CONFIRM dumps in a
 * row.  So a slow dump alone never switches, and a table near the line
 * does not flap.
 */
#define DISCOVER_WINDOW		16	/* dumps the cost is learnt from */
#define DISCOVER_CONFIRM	3
#define DISCOVER_MIN_FLOWS	256	/* never NEW events below this */
struct discover {
	uint32_t	 cost_ns[DISCOVER_WINDOW];	/* per flow */
	unsigned int	 ncost, next;
	unsigned int	 over, under;	/* dumps in a row past a line */
	unsigned int	 line;		/* flows; 0 until learnt */
};
/* Whether NEW events should be on after a dump of nflows that took ms. */
int		 discover_update(struct discover *, int follow_new,
		    unsigned int nflows, long ms, long max_ms);

/* lan: the gateway's LAN address; lan_plen its prefix length. */
struct mirror	*mirror_new(unsigned int max_flows, struct in_addr lan,
		    int lan_plen);
void		 mirror_free(struct mirror *);
/* Start a dump: everything not seen again by mirror_sweep() goes. */
void		 mirror_mark(struct mirror *);
/*
 * A flow seen by an event (NEW) or a dump: add or update it.  baseline: its
 * counters so far are not this interval's traffic (start-up dump).
 * Returns the flow, or NULL when the table is full.
 */
struct flow	*mirror_update(struct mirror *, const struct flow_info *,
		    int64_t now, int baseline);
/*
 * A DESTROY event: count its last bytes and remove it.  A flow the mirror
 * never saw (born and gone between two dumps) is counted whole, unless it
 * started before `since' (natd's start: traffic from before is not ours).
 */
int		 mirror_destroy(struct mirror *, const struct flow_info *,
		    int64_t since);
/* End a dump: remove flows two dumps in a row did not see; how many. */
unsigned int	 mirror_sweep(struct mirror *);
struct flow	*mirror_find(struct mirror *, const struct flow_info *);
/* The LAN side address of a flow (0.0.0.0 if none). */
size_t		 mirror_flow_bytes(const struct mirror *);
/* Move flows out of the emptiest slabs when many are part empty. */
unsigned int	 mirror_compact(struct mirror *);
struct in_addr	 mirror_flow_lan_addr(const struct mirror *,
		    const struct flow_info *);
/* A flow as a flow_info again (its start is first_seen's, in seconds). */
void		 flow_info_of(const struct flow *, struct flow_info *);
/* Reset the per-host interval counters (after they were saved). */
void		 mirror_history_reset(struct mirror *);
/* After a flush: forget the dead keys and the dirty marks. */
void		 mirror_flushed(struct mirror *);
/*
 * The gateway's own addresses changed: keep them and mark the flows
 * whose gateway flag changes with them.
 */
void		 mirror_set_own(struct mirror *, const struct mirror_addr *,
		    unsigned int n);
/*
 * Sum the flows' current rates per LAN host into hosts[].rate_out and
 * rate_in; returns 1 when a host's sums or flow count differ from what
 * was last written (wrote_*), 0 when host_rates_now is up to date.
 */
int		 mirror_host_rates(struct mirror *);
/* Start a new 10 s rate step: clear every host's step bytes. */
void		 mirror_step_reset(struct mirror *);

/* ctmsg.c */

struct nlmsghdr;
/* Parse one conntrack message (event or dump); 0, or -1 if malformed. */
int		 ctmsg_parse(struct nlmsghdr *, struct flow_info *);

/* kernel.c */

struct kernel;
typedef void (*kernel_flow_cb)(const struct flow_info *, int is_new,
		    int is_destroy, void *arg);

struct kernel	*kernel_open(struct event_base *, kernel_flow_cb,
		    void (*resync_cb)(void *), void *arg);
void		 kernel_close(struct kernel *);
/* Set /proc/sys/<name> to 1 in our namespace; -errno. */
int		 kernel_sysctl_on(const char *name);
/* Load nft text from a file; on error *ret_error holds nft's message. */
int		 kernel_nft_load(struct kernel *, const char *path,
		    char **ret_error);
/* Run nft commands from a buffer (flush, probe). */
int		 kernel_nft_run(struct kernel *, const char *text,
		    char **ret_error);
/* "list table inet homegw" into a malloc'ed string, or NULL. */
char		*kernel_nft_list(struct kernel *);
/* The same without counters; NULL with errno ENOENT when it is not there. */
char		*kernel_nft_shape(struct kernel *);
/* "list counters table inet homegw"; NULL with errno ENOENT if no table. */
char		*kernel_nft_counters(struct kernel *);
/* Call cb(arg of kernel_open) when table inet homegw changes; -errno. */
int		 kernel_nft_watch(struct kernel *, void (*cb)(void *),
		    unsigned int resync_min_ms);
/* Dump the conntrack table through the flow callback; -errno. */
int		 kernel_ct_dump(struct kernel *);
/* Start following DESTROY events. */
int		 kernel_ct_subscribe(struct kernel *, unsigned int resync_min_ms);
/* Follow NEW events as well (on = 1), or no longer (0); -errno. */
int		 kernel_ct_follow_new(struct kernel *, int on);
/* Ask for a deferred resync. */
void		 kernel_ct_resync(struct kernel *);
/* Told at once of lost events; whether their resync is still to run. */
void		 kernel_ct_on_overrun(struct kernel *, void (*)(void *));
int		 kernel_ct_resync_pending(const struct kernel *);
unsigned long	 kernel_ct_overruns(const struct kernel *);
uint64_t	 kernel_ct_events(const struct kernel *);
uint64_t	 kernel_ct_malformed(const struct kernel *);
/*
 * The addresses of our namespace's interfaces, loopback included, into
 * out[max]; how many, or -errno.
 */
int		 kernel_own_addrs(struct mirror_addr *out, unsigned int max);
/* nf_conntrack_count and nf_conntrack_max of our namespace; -1 if unknown. */
long		 kernel_ct_count(void);
long		 kernel_ct_max(void);
long		 kernel_ip_forward(void);

/* ctfilter.c */

struct sock_filter;
struct trace_addr;
/* The kernel filter for traced addrs: instructions, or -E2BIG/-EINVAL. */
int		 ctfilter_build(const struct trace_addr *addrs, int n,
		    struct sock_filter *code, int max);

/* kernel.c: the trace socket (see ctrace.c) */
int		 kernel_ct_trace_open(struct kernel *,
		    const struct sock_filter *code, unsigned short len,
		    kernel_flow_cb, void *arg);
int		 kernel_ct_trace_filter(struct kernel *,
		    const struct sock_filter *code, unsigned short len);
void		 kernel_ct_trace_close(struct kernel *);
int		 kernel_ct_tracing(const struct kernel *);
uint64_t	 kernel_ct_trace_events(const struct kernel *);
unsigned long	 kernel_ct_trace_overruns(const struct kernel *);

/* ctrace.c */

struct ctrace;
struct natd;
struct ctrace	*ctrace_new(struct natd *);
void		 ctrace_flush(struct ctrace *);
void		 ctrace_reopen(struct ctrace *, enum hgw_db);
void		 ctrace_counts(const struct ctrace *, uint64_t *ret_recorded,
		    uint64_t *ret_dropped);
void		 ctrace_free(struct ctrace *);

/* publish.c */

struct publish;

struct publish	*publish_new(struct hgw_daemon *, struct mirror *);
void		 publish_free(struct publish *);
/* Something changed: write it at the next tick. */
void		 publish_dirty(struct publish *);
/* Write the mirror now, not at the next tick. */
void		 publish_now(struct publish *);
/* Close a history interval now (timer and stop). */
void		 publish_history(struct publish *);
/*
 * A full sample of the counters was taken at mono_ms (monotonic) and
 * wall second now: close the 10 s rate step when its time is up.
 */
void		 publish_rates(struct publish *, int64_t mono_ms,
		    int64_t now);
/* Write now (the final flush). */
void		 publish_flush(struct publish *);
/* After daemon.c reopened a database (struct hgw_daemon's reopen). */
void		 publish_reopen(struct publish *, enum hgw_db);
void		 engine_reopen(struct hgw_daemon *, enum hgw_db);
/* Values for the metrics rows. */
struct natd_stats {
	long		 ct_count, ct_max;
	uint64_t	 events;
	unsigned long	 overruns;
	uint64_t	 resyncs;
	uint64_t	 malformed;
	int		 offload;
	int		 rules_loaded;
	uint64_t	 rules_restored;
	int		 ip_forward;	/* 0, 1, -1 not known */
	uint64_t	 forward_restored;
	int		 follow_new;	/* new flows found by NEW events */
	unsigned int	 dump_ms;	/* what the last dump took */
	int		 wan_guard;	/* the input policy guards the WAN */
	uint64_t	 wan_drop[RULES_NDROP];	/* since natd started */
	uint64_t	 lan_drop;
	uint64_t	 nat_drop;	/* forward: unsolicited from the WAN */
	int		 resync_pending;	/* events lost, not yet resynced */
	/* Traces: the trace socket is open; what it received and kept. */
	int		 tracing;
	uint64_t	 trace_messages, trace_recorded, trace_dropped;
	unsigned long	 trace_overruns;
};
void		 publish_set_stats(struct publish *, const struct natd_stats *);

/* control.c */

struct control;
struct natd;

struct control	*control_open(struct natd *, const char *path);
void		 control_close(struct control *);

/* natd.c: the daemon's context, shared by the files above. */
struct natd {
	struct hgw_daemon *d;
	struct kernel	*kernel;
	struct mirror	*mirror;
	struct publish	*publish;
	struct control	*control;
	struct ctrace	*ctrace;	/* traces of hosts (issue 16) */
	struct event	*ev_dump;	/* periodic counters dump */
	struct event	*ev_history;
	struct event	*ev_guard;	/* look at our table after a change */
	int		 offload;	/* flowtable usable */
	int		 rules_loaded;
	char		*rules_shape;	/* our table as loaded, no counters */
	uint64_t	 rules_restored; /* loaded again by the guard */
	struct timespec	 restored_at;
	int		 ip_forward;	/* as last read: 0, 1, -1 not known */
	int		 forward_stuck;	/* off, and we cannot turn it on */
	uint64_t	 forward_restored; /* turned on again by natd */
	uint64_t	 resyncs;
	int		 resync_failed;	/* the last resync's dump failed */
	int		 baseline;	/* the start-up dump is running */
	unsigned int	 dump_ms;	/* period of the counters dump */
	unsigned int	 dump_took_ms;	/* what the last dump took */
	int		 follow_new;	/* NEW events on (big table) */
	struct discover	 discover;
	uint64_t	 trim_gone;	/* flows gone at the last trim */
	int64_t		 started;	/* state_now() at start */
	char		 status[128];
	/*
	 * Drop counters since natd started: what earlier tables counted
	 * (base) plus what the loaded one says (last); see read_drops().
	 */
	/* [RULES_NDROP]: LAN input, [RULES_NDROP + 1]: forward (NAT) */
	uint64_t	 drop_base[RULES_NDROP + 2];
	uint64_t	 drop_last[RULES_NDROP + 2];
};

/* engine.c */

/* Apply the config's ruleset; 0, or -1 after logging why. */
int		 engine_rules_apply(struct natd *, const struct hgw_conf *);
/* Remove our table; 0, or -1 with *ret_error. */
int		 engine_rules_flush(struct natd *, char **ret_error);
/* Probe flow offload once; sets n->offload. */
void		 engine_probe_offload(struct natd *);
/* Follow events, then dump and sweep: the mirror's starting picture. */
int		 engine_start(struct natd *);
/* Reload with a new, valid config; -1 keeps the old one. */
int		 engine_reload(struct hgw_daemon *, struct hgw_conf *);
void		 engine_flush(struct hgw_daemon *);
const char	*engine_status(struct hgw_daemon *);
void		 engine_stop(struct natd *);
void		 engine_flow_cb(const struct flow_info *, int is_new,
		    int is_destroy, void *arg);
void		 engine_resync_cb(void *arg);
void		 engine_rules_changed_cb(void *arg);

#endif /* HGW_NATD_H */
