/*
 * SPDX-License-Identifier: ISC
 *
 * arpd.h: homegw-arpd's private structures and prototypes, grouped by the
 * file that defines them.  arpd mirrors the kernel neighbour table of the
 * LAN interface, keeps station history, raises arpwatch-style events,
 * answers proxy ARP and keeps pinned entries in place.
 */
#ifndef HGW_ARPD_H
#define HGW_ARPD_H

#include <sys/queue.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "state.h"

struct event;
struct event_base;
struct nl_msg;
struct nl_sock;
struct hgw_conf;
struct hgw_daemon;
struct netlink_watch;
struct state_writer;

#define ARPD_NEIGH_MAX		4096	/* mirrored neighbours */
#define ARPD_NEIGH_BUCKETS	256
#define ARPD_PROXY_MAX		1024	/* proxied addresses, ranges expanded */
#define ARPD_EVENTS_MAX		256	/* events waiting for the database */
#define ARPD_EVENTS_PER_S	50	/* events logged and kept per second */
#define ARPD_EVENTS_KEEP	10000	/* arpd's rows kept in the events table */
#define ARPD_PRIME_MAX		256	/* entries primed at start */
#define ARPD_FLIPFLOP_WINDOW	600	/* seconds */
#define ARPD_REPEAT_INTERVAL	60	/* seconds between repeated warnings */
#define ARPD_SEEN_GRANULARITY	60	/* last_seen written this coarsely */
#define ARPD_LIVE_FLUSH_MS	1000
#define ARPD_PERSIST_FLUSH_MS	5000
#define ARPD_RECONCILE_S	30	/* proxy and pin reconcile period */
#define ARPD_PRUNE_S		3600

/* watch.c: the arpwatch policy.  Pure: observations in, events out. */
enum watch_kind {
	WATCH_NEW_STATION,
	WATCH_CHANGED_MAC,
	WATCH_FLIP_FLOP,
	WATCH_BOGON,
	WATCH_RESERVED,
	WATCH_STORM,
	WATCH_KIND_MAX
};

struct watch_event {
	enum watch_kind		 kind;
	int64_t			 time;
	struct in_addr		 addr;
	int			 has_old;
	uint8_t			 mac_old[ADDR_MAC_LEN];
	uint8_t			 mac_new[ADDR_MAC_LEN];
	char			 detail[96];
};

/* An address the host table reserves for one MAC. */
struct watch_reservation {
	struct in_addr		 addr;
	uint8_t			 mac[ADDR_MAC_LEN];
};

struct watch_config {
	struct in_addr		 lan_net;
	int			 lan_plen;
	const struct watch_reservation *reserved;	/* owned by caller */
	size_t			 nreserved;
	unsigned int		 max_stations;		/* >= 1 */
	unsigned int		 storm_threshold;	/* a minute, 0 off */
	unsigned int		 flip_flop_window;	/* seconds */
	unsigned int		 repeat_interval;	/* seconds */
};

/* One observation: a MAC on an address, seen by the kernel or on the wire. */
struct watch_obs {
	int64_t			 now;
	struct in_addr		 addr;
	uint8_t			 mac[ADDR_MAC_LEN];
	int			 gratuitous;	/* sender IP == target IP */
};

/* One (mac, address) pair of the station history. */
struct watch_station {
	LIST_ENTRY(watch_station) hash;
	TAILQ_ENTRY(watch_station) lru;		/* oldest last_seen first */
	uint8_t			 mac[ADDR_MAC_LEN];
	struct in_addr		 addr;
	int64_t			 first_seen;
	int64_t			 last_seen;
	int64_t			 written_seen;	/* last_seen as last written */
	uint64_t		 seq;		/* change number, to publish */
};

struct watch;

struct watch	*watch_new(const struct watch_config *);
void		 watch_free(struct watch *);
/* Replace the config (reload); the reservations array must stay valid. */
void		 watch_set_config(struct watch *, const struct watch_config *);
/* Feed one observation; returns how many events were written to out. */
int		 watch_observe(struct watch *, const struct watch_obs *,
		    struct watch_event *out, int max);
/* Load a station from history (no events); call oldest first. */
void		 watch_load(struct watch *, const uint8_t mac[ADDR_MAC_LEN],
		    struct in_addr, int64_t first_seen, int64_t last_seen);
/* The current MAC for an address, if known: 0, or -ENOENT. */
int		 watch_lookup(struct watch *, struct in_addr,
		    uint8_t ret[ADDR_MAC_LEN]);
/* Stations changed after sequence number seq; returns how many. */
size_t		 watch_foreach_changed(struct watch *, uint64_t seq,
		    void (*cb)(const struct watch_station *, void *),
		    void *arg);
/* Every address with its current MAC, most recently seen first. */
size_t		 watch_foreach_address(struct watch *,
		    void (*cb)(struct in_addr, const uint8_t *, int64_t,
		    void *),
		    void *arg);
uint64_t	 watch_seq(const struct watch *);
size_t		 watch_count(const struct watch *);
const char	*watch_kind_name(enum watch_kind);

/* packet.c: ARP frames on an AF_PACKET socket.  Parsing is pure. */
#define ARP_FRAME_LEN		42	/* Ethernet header + ARP for IPv4 */
#define ARP_OP_REQUEST		1
#define ARP_OP_REPLY		2

struct arp_frame {
	uint8_t			 eth_dst[ADDR_MAC_LEN];
	uint8_t			 eth_src[ADDR_MAC_LEN];
	uint16_t		 op;
	uint8_t			 sha[ADDR_MAC_LEN];
	struct in_addr		 spa;
	uint8_t			 tha[ADDR_MAC_LEN];
	struct in_addr		 tpa;
};

/* Parse an Ethernet frame carrying ARP for IPv4: 0, or -EINVAL. */
int		 packet_parse(const uint8_t *buf, size_t len,
		    struct arp_frame *ret);
/* Build the reply to req saying addr is at mac; returns bytes or -ENOSPC. */
int		 packet_build_reply(uint8_t *buf, size_t len,
		    const struct arp_frame *req,
		    const uint8_t mac[ADDR_MAC_LEN],
		    struct in_addr addr);
/* Open the ARP socket on ifindex (BPF filter, promiscuous): fd or -errno. */
int		 packet_open(int ifindex);
/* Frames dropped on a full queue since the last call (resets). */
unsigned int	 packet_drops(int fd);
/* Send a frame out of ifindex: 0 or -errno. */
int		 packet_send(int fd, int ifindex, const uint8_t *buf,
		    size_t len);

/* kernel.c: every libnl-route neighbour change and dump. */
struct kernel_neigh {
	int			 family;
	int			 ifindex;
	struct in_addr		 addr;
	int			 has_mac;
	uint8_t			 mac[ADDR_MAC_LEN];
	int			 state;		/* NUD_* */
	int			 flags;		/* NTF_* */
	int			 deleted;	/* RTM_DELNEIGH */
};

/* Parse a neighbour message: 0, -ENOENT when not IPv4, -EINVAL. */
int		 kernel_neigh_parse(struct nl_msg *, struct kernel_neigh *ret);
/* Dump the IPv4 neighbour table, or with proxy the proxy (pneigh) table. */
int		 kernel_neigh_dump(struct nl_sock *, int proxy,
		    void (*cb)(const struct kernel_neigh *, void *), void *arg);
/* Add or replace an entry with a MAC in state NUD_PERMANENT/NUD_STALE. */
int		 kernel_neigh_set(struct nl_sock *, int ifindex,
		    struct in_addr, const uint8_t mac[ADDR_MAC_LEN], int state);
/* Add a proxy (NTF_PROXY) entry. */
int		 kernel_proxy_add(struct nl_sock *, int ifindex,
		    struct in_addr);
/* Delete a proxy entry. */
int		 kernel_proxy_del(struct nl_sock *, int ifindex,
		    struct in_addr);
/* Set the interface's proxy_delay to 0 (RTM_SETNEIGHTBL). */
int		 kernel_proxy_delay_zero(struct nl_sock *, int ifindex);
/* The interface a route to addr leaves through. */
int		 kernel_route_oif(struct nl_sock *, struct in_addr,
		    int *ret_ifindex);
/* Index and MAC of an interface by name. */
int		 kernel_link_get(struct nl_sock *, const char *ifname,
		    int *ret_ifindex, uint8_t ret_mac[ADDR_MAC_LEN]);

/* The daemon's context, shared by the files below. */
struct neigh {
	LIST_ENTRY(neigh)	 entry;
	struct in_addr		 addr;
	int			 has_mac;
	uint8_t			 mac[ADDR_MAC_LEN];
	int			 state;
	int			 primed;	/* added by us from history */
	unsigned int		 gen;		/* resync mark */
	int64_t			 updated;
};
LIST_HEAD(neigh_list, neigh);

struct proxy_addr {
	struct in_addr		 addr;
	int			 oif;		/* route's interface or 0 */
	int64_t			 checked_ms;
};

struct arpd_event {
	struct watch_event	 ev;
	uint64_t		 seq;
};

struct arpd {
	struct hgw_daemon	*d;
	struct hgw_conf		*conf;
	char			 ifname[16];
	int			 ifindex;
	uint8_t			 mac[ADDR_MAC_LEN];	/* our LAN MAC */
	int			 link_gone;	/* the LAN interface is missing */

	struct nl_sock		*nl;		/* requests and dumps */
	struct netlink_watch	*nlw;		/* RTNLGRP_NEIGH, _LINK events */
	struct event		*ev_reconcile;
	struct event		*ev_pins;
	struct event		*ev_prune;

	/* mirror.c */
	struct neigh_list	 neighs[ARPD_NEIGH_BUCKETS];
	unsigned int		 nneighs;
	unsigned int		 gen;

	/* watch.c */
	struct watch		*watch;
	struct watch_reservation *reserved;
	size_t			 nreserved;

	/* atrace.c */
	struct trace_recorder	*trace;
	int			 out_fd;	/* outgoing ARP, while tracing */
	struct event		*ev_out;

	/* packet.c */
	int			 pkt_fd;
	struct event		*ev_pkt;

	/* proxy.c */
	struct proxy_addr	*proxies;
	size_t			 nproxies;

	/* publish.c */
	struct state_writer	*live_w;
	struct state_writer	*persist_w;
	struct arpd_event	 events[ARPD_EVENTS_MAX];
	size_t			 nevents;
	uint64_t		 event_seq;
	uint64_t		 event_committed, event_pending;
	uint64_t		 station_committed, station_pending;
	int			 persist_inflight;

	/* counters */
	unsigned long		 frames;
	unsigned long		 malformed;
	unsigned long		 queue_drops;
	unsigned long		 proxy_replies;
	unsigned long		 events_total;
	unsigned long		 events_dropped;
	unsigned long		 events_suppressed;
	int64_t			 rate_second;
	unsigned int		 rate_count;
	unsigned long		 rate_suppressed;
	unsigned long		 resyncs;
	unsigned long		 pin_restores;
	unsigned long		 kernel_errors;
	char			 status[128];
	int			 running;	/* set-up done */
	int			 quiet;		/* learn stations, announce nothing */
};

/* arpd.c: a link event; look at the LAN interface again. */
void		 arpd_link_changed(struct arpd *);

/* mirror.c */
int		 mirror_start(struct arpd *);
void		 mirror_resync(struct arpd *);
void		 mirror_stop(struct arpd *);
struct neigh	*mirror_find(struct arpd *, struct in_addr);
struct neigh_list *mirror_bucket(struct arpd *, struct in_addr);
void		 mirror_observe(struct arpd *, struct in_addr,
		    const uint8_t mac[ADDR_MAC_LEN], int gratuitous);
void		 mirror_pins_schedule(struct arpd *);
void		 mirror_pins_reconcile(struct arpd *);
void		 mirror_prime(struct arpd *);
int		 mirror_is_pinned(struct arpd *, struct in_addr);
void		 mirror_set_reservations(struct arpd *);

/* wire.c: the daemon's side of the ARP socket */
int		 wire_start(struct arpd *);
void		 wire_stop(struct arpd *);
void		 wire_drain(struct arpd *);

/* packet.c: outgoing ARP, for traces */
int		 packet_open_outgoing(int ifindex);

/* atrace.c: traces of hosts (issue 16) */
struct trace_recorder;
void		 atrace_frame(struct arpd *, int fd, const uint8_t *buf,
		    size_t len);
int		 atrace_start(struct arpd *);
void		 atrace_reopen(struct arpd *, enum hgw_db);
void		 atrace_flush(struct arpd *);
void		 atrace_stop(struct arpd *);

/* proxy.c */
int		 proxy_load(struct arpd *);
void		 proxy_reconcile(struct arpd *);
struct proxy_addr *proxy_find(struct arpd *, struct in_addr);
int		 proxy_answer_here(struct arpd *, struct proxy_addr *);
void		 proxy_clear(struct arpd *);

/* publish.c */
int		 publish_start(struct arpd *);
void		 publish_event(struct arpd *, const struct watch_event *);
void		 publish_live_dirty(struct arpd *);
void		 publish_persist_dirty(struct arpd *);
int		 publish_load_history(struct arpd *);
void		 publish_prune(struct arpd *);
void		 publish_check(struct arpd *);
int		 publish_recent_reset(struct arpd *);
/* After daemon.c reopened a database (struct hgw_daemon's reopen). */
void		 publish_reopen(struct arpd *, enum hgw_db);
void		 publish_flush(struct arpd *);
void		 publish_stop(struct arpd *);

#endif /* HGW_ARPD_H */
