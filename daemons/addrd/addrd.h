/*
 * SPDX-License-Identifier: ISC
 *
 * addrd.h: homegw-addrd's private structures and prototypes, grouped by
 * file.  addrd applies the static LAN (and optional WAN) addresses and the
 * default route from the config, keeps them applied, probes for and
 * defends the LAN address (RFC 5227), and publishes the host table.
 *
 * The policy (reconcile.c) compares what the config wants with a snapshot
 * of the kernel (struct kstate) and asks for changes through struct
 * reconcile_ops; kernel.c is the only file that talks rtnetlink.
 */
#ifndef HGW_ADDRD_H
#define HGW_ADDRD_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

#include "addr.h"
#include "state.h"

struct event_base;
struct hgw_conf;
struct hgw_daemon;
struct nl_sock;
struct state_writer;
struct netlink_watch;
struct acd;

/*
 * Ownership markers.  The kernel keeps an address's protocol (IFA_PROTO,
 * Linux 6.1 and later) and a route's rtm_protocol, and reports both in
 * every dump and event, so a restarted addrd (even after kill -9) knows
 * exactly what it added and never touches anything else.  104 is not
 * assigned in iproute2's rt_protos or rt_addrprotos.
 */
#define ADDRD_PROTO		104

/* The kernel snapshot: caps keep a hostile or huge table bounded. */
#define KSTATE_LINKS_MAX	512
#define KSTATE_ADDRS_MAX	2048
#define KSTATE_ROUTES_MAX	256

struct ks_link {
	int		 ifindex;
	char		 name[IF_NAMESIZE];
	unsigned int	 flags;		/* IFF_* */
	int		 has_mac;
	uint8_t		 mac[ADDR_MAC_LEN];
};

struct ks_addr {
	int		 ifindex;
	struct in_addr	 addr;
	int		 plen;
	int		 proto;		/* IFA_PROTO, 0 when absent */
};

/* Only default routes and our own routes, main table, are kept. */
struct ks_route {
	struct in_addr	 dst;
	int		 plen;
	struct in_addr	 gw;
	int		 oif;
	int		 proto;
	uint32_t	 table;
	uint32_t	 metric;
};

struct kstate {
	struct ks_link	 links[KSTATE_LINKS_MAX];
	int		 nlinks;
	struct ks_addr	 addrs[KSTATE_ADDRS_MAX];
	int		 naddrs;
	struct ks_route	 routes[KSTATE_ROUTES_MAX];
	int		 nroutes;
	int		 truncated;	/* a cap was hit: counted, not fatal */
};

/* What the config wants. */
enum want_role {
	ROLE_LAN,
	ROLE_WAN,
	ROLE_MAX
};

struct want_addr {
	int		 set;
	char		 ifname[IF_NAMESIZE];
	struct in_addr	 addr;
	int		 plen;
	int		 probe;		/* RFC 5227 before claiming (LAN) */
};

struct want {
	struct want_addr addr[ROLE_MAX];
	char		 link[ROLE_MAX][IF_NAMESIZE];	/* "" = none */
	int		 has_route;	/* default route via gw on WAN */
	char		 route_ifname[IF_NAMESIZE];
	struct in_addr	 route_gw;
};

/* What reconcile found for one wanted address. */
enum addr_status {
	ADDR_UNSET,		/* not configured */
	ADDR_NO_LINK,		/* interface does not exist (yet) */
	ADDR_NEED_PROBE,	/* absent, not claimed: run ACD first */
	ADDR_PRESENT,		/* on the interface, added by us */
	ADDR_FOREIGN,		/* on the interface, added by someone else */
	ADDR_ADDED,		/* added just now */
	ADDR_ELSEWHERE,		/* another interface (or prefix) holds it */
	ADDR_FAILED		/* the kernel refused: see err */
};

enum route_status {
	ROUTE_UNSET,
	ROUTE_NO_LINK,
	ROUTE_NO_ADDR,		/* the gateway is not on-link yet */
	ROUTE_PRESENT,
	ROUTE_FOREIGN,		/* someone else's default route is there */
	ROUTE_ADDED,
	ROUTE_FAILED
};

struct reconcile_result {
	enum addr_status addr[ROLE_MAX];
	int		 addr_err[ROLE_MAX];	/* -errno when FAILED */
	int		 addr_ifindex[ROLE_MAX];	/* the wanted link */
	int		 elsewhere_ifindex[ROLE_MAX];
	int		 elsewhere_plen[ROLE_MAX];
	int		 link_err[ROLE_MAX];	/* bringing the link up */
	enum route_status route;
	int		 route_err;
	int		 removed;	/* stale addresses/routes of ours */
	int		 remove_err;	/* last failure removing one */
};

/*
 * The kernel as reconcile sees it.  Each call returns 0 or -errno.  The
 * real one is in kernel.c; the unit test links a recording fake.
 */
struct reconcile_ops {
	int	(*link_up)(void *, const struct ks_link *);
	int	(*addr_add)(void *, int ifindex, struct in_addr, int plen);
	int	(*addr_del)(void *, const struct ks_addr *);
	int	(*route_add)(void *, int oif, struct in_addr gw);
	int	(*route_del)(void *, const struct ks_route *);
	void	*arg;
};

/* reconcile.c */
void	 reconcile_want_from_conf(const struct hgw_conf *, struct want *);
const struct ks_link *reconcile_link_by_name(const struct kstate *,
	    const char *);
const struct ks_link *reconcile_link_by_index(const struct kstate *, int);
void	 reconcile_run(const struct want *, const struct kstate *,
	    const int claimed[ROLE_MAX], const struct reconcile_ops *,
	    struct reconcile_result *);
int	 reconcile_want_equal(const struct want_addr *,
	    const struct want_addr *);

/* kernel.c */
struct ks_neigh {
	int		 ifindex;
	struct in_addr	 addr;
	int		 has_mac;
	uint8_t		 mac[ADDR_MAC_LEN];
	int		 state;		/* NUD_* */
	int		 flags;		/* NTF_* */
	int		 type;		/* RTN_UNICAST, RTN_MULTICAST, ... */
	long		 confirmed_s;	/* seconds ago, -1 unknown */
	long		 used_s;
};

int	 kernel_dump(struct nl_sock *, struct kstate *);
int	 kernel_neigh_dump(struct nl_sock *, struct ks_neigh *, int max);
unsigned long kernel_malformed(void);
extern const struct reconcile_ops kernel_ops_template;

/* acd.c: RFC 5227 timing, in milliseconds; defaults are the RFC's. */
struct acd_timing {
	unsigned int	 probe_wait;		/* PROBE_WAIT 1 s */
	unsigned int	 probe_num;		/* PROBE_NUM 3 */
	unsigned int	 probe_min;		/* PROBE_MIN 1 s */
	unsigned int	 probe_max;		/* PROBE_MAX 2 s */
	unsigned int	 announce_wait;		/* ANNOUNCE_WAIT 2 s */
	unsigned int	 announce_num;		/* ANNOUNCE_NUM 2 */
	unsigned int	 announce_interval;	/* ANNOUNCE_INTERVAL 2 s */
	unsigned int	 max_conflicts;		/* MAX_CONFLICTS 10 */
	unsigned int	 rate_limit_interval;	/* RATE_LIMIT_INTERVAL 60 s */
	unsigned int	 defend_interval;	/* DEFEND_INTERVAL 10 s */
	unsigned int	 retry_interval;	/* re-probe after a conflict */
};
extern const struct acd_timing acd_rfc_timing;

enum acd_state {
	ACD_IDLE,
	ACD_PROBING,
	ACD_ANNOUNCING,
	ACD_DEFENDING,
	ACD_CONFLICT	/* lost while probing; re-probes later */
};

struct acd_counters {
	unsigned long	 rx;
	unsigned long	 malformed;
	unsigned long	 own_echo;
	unsigned long	 conflicts;
	unsigned long	 sent;
};

/*
 * claimed: probing found nobody, the caller should add the address now.
 * conflict: another host uses the address (while probing when
 * probing != 0, else while defending).
 */
struct acd_cb {
	void	(*claimed)(struct acd *, void *);
	void	(*conflict)(struct acd *, const uint8_t mac[ADDR_MAC_LEN],
		    int probing, void *);
	void	*arg;
};

struct acd	*acd_new(struct event_base *, const struct acd_timing *,
		    const struct acd_cb *);
int		 acd_start(struct acd *, int ifindex, const char *ifname,
		    const uint8_t mac[ADDR_MAC_LEN], struct in_addr,
		    int claimed);
void		 acd_stop(struct acd *);
void		 acd_announce(struct acd *);
enum acd_state	 acd_state(const struct acd *);
int		 acd_ifindex(const struct acd *);
struct in_addr	 acd_addr(const struct acd *);
const uint8_t	*acd_mac(const struct acd *);
const struct acd_counters *acd_counters(const struct acd *);
const char	*acd_state_name(enum acd_state);
void		 acd_free(struct acd *);

/* publish.c */
struct pub_addr {
	char		 role[16];	/* lan, wan, route */
	char		 ifname[IF_NAMESIZE];
	struct in_addr	 addr;
	int		 plen;
	int		 has_mac;
	uint8_t		 mac[ADDR_MAC_LEN];
	const char	*state;		/* waiting, probing, active, ... */
	int		 has_conflict;
	uint8_t		 conflict_mac[ADDR_MAC_LEN];
	char		 detail[160];
};

struct pub_metric {
	const char	*name;		/* a string constant */
	double		 value;
};
#define PUBLISH_METRICS_MAX	16

struct publish;
struct publish	*publish_new(struct hgw_daemon *);
void		 publish_metrics(struct publish *, const struct pub_metric *,
		    int n);
void		 publish_hosts(struct publish *, const struct hgw_conf *);
void		 publish_addrs(struct publish *, const struct pub_addr *,
		    int n);
void		 publish_event_conflict(struct publish *, struct in_addr,
		    const uint8_t mac[ADDR_MAC_LEN], const char *detail);
void		 publish_prune(struct publish *);
void		 publish_check(struct publish *);
/* After daemon.c reopened a database (struct hgw_daemon's reopen). */
void		 publish_reopen(struct publish *, enum hgw_db);
void		 engine_reopen(struct hgw_daemon *, enum hgw_db);
int		 publish_flush(struct publish *);
void		 publish_free(struct publish *);

/* engine.c: netlink events -> dump -> reconcile -> ACD, log, publish. */
struct engine;
struct engine	*engine_new(struct hgw_daemon *, const struct acd_timing *);
void		 engine_apply(struct engine *);
int		 engine_reload(struct engine *, struct hgw_conf *);
void		 engine_flush(struct engine *);
const char	*engine_status(struct engine *);
void		 engine_free(struct engine *);

/* sysinfo.c: the gateway's health from /proc and /sys; no I/O else. */
#define SYSINFO_THERMAL_MAX	8
#define SYSINFO_STATS		8	/* rx/tx bytes, packets, errors, drops */

struct sys_thermal {
	char		 zone[16];	/* N of thermal_zoneN */
	char		 type[32];	/* "cpu-thermal" */
	double		 celsius;
};

struct sys_sample {
	int		 has_load, has_cpu, has_mem, has_uptime;
	int		 has_throttled, has_disk, has_written;
	double		 load[3];
	uint64_t	 cpu_busy, cpu_total;	/* jiffies since boot */
	uint64_t	 mem_total, mem_avail;	/* bytes */
	double		 uptime;		/* seconds */
	struct sys_thermal thermal[SYSINFO_THERMAL_MAX];
	int		 nthermal;
	uint32_t	 throttled;		/* firmware bits */
	uint64_t	 disk_total, disk_avail;	/* bytes, statvfs */
	char		 disk_dev[32];		/* "" = unknown */
	uint64_t	 disk_sectors_written;	/* 512-byte units */
};

struct sys_iface {
	char		 name[IF_NAMESIZE];
	char		 operstate[16];		/* up, down, dormant, ... */
	int		 carrier;		/* 0, 1, -1 unknown */
	int		 speed_mbps;		/* -1 unknown */
	int		 mtu;
	char		 mac[24];
	int		 has_stats;
	uint64_t	 stats[SYSINFO_STATS];
};

struct sys_gw {
	char		 ifname[IF_NAMESIZE];
	struct in_addr	 gw;
};

extern const char *sysinfo_root;
int	 sysinfo_gateways(struct sys_gw *, int max);
void	 sysinfo_read(struct sys_sample *, const char *state_dir);
int	 sysinfo_ifaces(struct sys_iface *, int max);
int	 sysinfo_parse_loadavg(const char *, double[3]);
int	 sysinfo_parse_stat(const char *, uint64_t *, uint64_t *);
int	 sysinfo_parse_meminfo(const char *, uint64_t *, uint64_t *);
int	 sysinfo_parse_throttled(const char *, uint32_t *);
int	 sysinfo_parse_blockstat(const char *, uint64_t *);
const char *sysinfo_throttled_bit(int);

/* health.c: samples sysinfo every 10 s into live.db. */
struct health;
struct health	*health_new(struct hgw_daemon *, struct nl_sock *);
void		 health_reopen(struct health *);
void		 health_free(struct health *);

#endif /* HGW_ADDRD_H */
