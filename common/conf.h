/*
 * SPDX-License-Identifier: ISC
 *
 * conf.h: homegw.conf, parsed.  conf.c is the only module that knows the
 * file format (INI style, see homegw.conf(5)); everyone else sees this
 * struct.  conf_load() always builds a new struct and never touches a
 * running one, so a reload can keep the old config when the new file is
 * invalid.
 */
#ifndef HGW_CONF_H
#define HGW_CONF_H

#include <sys/queue.h>
#include <net/if.h>
#include <netinet/in.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"

#define CONF_NAME_MAX		63	/* one DNS label */
#define CONF_HOST_LABEL_MAX	64	/* bytes of a [host] label, UTF-8 */
#define CONF_DOMAIN_MAX		253
#define CONF_LIST_MAX		16	/* entries in a comma-separated list */
#define CONF_TOKEN_MAX		128	/* [web] metrics_token */
#define CONF_BLOCKLISTS_MAX	64	/* [blocklist] sections */
#define CONF_GROUPS_MAX		32	/* client groups, "default" included */
#define CONF_SOURCE_MAX		1024	/* a blocklist's path or URL */

struct hgw_host {
	TAILQ_ENTRY(hgw_host)	 entry;
	char			 name[CONF_NAME_MAX + 1];
	uint8_t			 mac[ADDR_MAC_LEN];
	struct in_addr		 addr;
	int			 pin_arp;
	char			 label[CONF_HOST_LABEL_MAX + 1];	/* UTF-8 */
	int			 has_label;
	int			 line;		/* of the [host] header */
	/* Blocking: the client groups the host is in; block = no exempts. */
	char			 groups[CONF_LIST_MAX][CONF_NAME_MAX + 1];
	unsigned int		 ngroups;
	int			 block;
};
TAILQ_HEAD(hgw_host_list, hgw_host);

/* A [blocklist NAME] section: a list of names dnsd refuses to resolve. */
struct hgw_blocklist {
	TAILQ_ENTRY(hgw_blocklist) entry;
	char			 name[CONF_NAME_MAX + 1];
	char			 source[CONF_SOURCE_MAX + 1];	/* path or URL */
	int			 enabled;
	/* Client groups it applies to; none listed: every group. */
	char			 groups[CONF_LIST_MAX][CONF_NAME_MAX + 1];
	unsigned int		 ngroups;
	int			 line;
};
TAILQ_HEAD(hgw_blocklist_list, hgw_blocklist);

/* [dns] block_reply: what a blocked name gets. */
enum conf_block_reply {
	CONF_BLOCK_NULL,	/* 0.0.0.0 / :: for A/AAAA, NODATA others */
	CONF_BLOCK_NXDOMAIN,
	CONF_BLOCK_NODATA
};

enum conf_proto {
	CONF_PROTO_TCP = 1,
	CONF_PROTO_UDP = 2,
	CONF_PROTO_BOTH = 3
};

struct hgw_forward {
	TAILQ_ENTRY(hgw_forward) entry;
	char			 name[CONF_NAME_MAX + 1];
	enum conf_proto		 proto;
	uint16_t		 wan_port;	/* first port */
	uint16_t		 wan_port_end;	/* last port, == wan_port if one */
	struct in_addr		 to_addr;
	uint16_t		 to_port;	/* first destination port */
	int			 line;
};
TAILQ_HEAD(hgw_forward_list, hgw_forward);

/* A conditional-forwarding rule: names under domain go to upstream. */
struct hgw_dns_zone {
	char			 domain[CONF_DOMAIN_MAX + 1];
	struct hgw_endpoint	 upstream;
};

struct hgw_prefix4 {
	struct in_addr		 addr;
	int			 plen;
};

/* A port or port range of one protocol: "tcp/22", "udp/60000-60100". */
struct hgw_service {
	enum conf_proto		 proto;		/* TCP or UDP */
	uint16_t		 first;
	uint16_t		 last;
};
/* A service list's count when it says "all": no restriction at all. */
#define CONF_SERVICES_ALL	(CONF_LIST_MAX + 1)

struct hgw_conf {
	char			*path;		/* file it was read from */

	struct {
		char		 name[CONF_NAME_MAX + 1];	/* "gw" */
		char		 domain[CONF_DOMAIN_MAX + 1];	/* "home.arpa" */
		char		 state_dir[PATH_MAX];	/* homegw.db */
		char		 run_dir[PATH_MAX];	/* live.db, sockets */
		char		 user[32];	/* drop to this user when root */
		unsigned int	 retention_days;	/* events, logs, history */
	} gateway;

	struct {
		char		 ifname[IF_NAMESIZE];
		struct in_addr	 addr;
		int		 plen;
	} lan;

	struct {
		char		 ifname[IF_NAMESIZE];	/* "" = no WAN configured */
		int		 has_addr;
		struct in_addr	 addr;
		int		 plen;
		int		 has_gateway;
		struct in_addr	 gateway;
	} wan;

	struct hgw_host_list	 hosts;
	unsigned int		 nhosts;

	struct {
		struct hgw_endpoint listen[CONF_LIST_MAX];
		unsigned int	 nlisten;
		struct hgw_endpoint upstream[CONF_LIST_MAX];
		unsigned int	 nupstream;
		struct hgw_dns_zone zones[CONF_LIST_MAX];	/* conditional */
		unsigned int	 nzones;
		unsigned int	 cache_size;	/* entries */
		unsigned int	 min_ttl;	/* seconds */
		unsigned int	 max_ttl;
		unsigned int	 negative_ttl;	/* cap for RFC 2308 caching */
		int		 serve_stale;	/* RFC 8767 */
		int		 prefetch;
		unsigned int	 timeout_ms;	/* per upstream try */
		unsigned int	 deadline_ms;	/* per question, all tries */
		unsigned int	 rate_limit;	/* queries/s per client, 0 = off */
		int		 rebind_protection;
		int		 query_log;
		unsigned int	 query_log_max;	/* rows kept */
		unsigned int	 query_log_interval;	/* s between batches */
		unsigned int	 threads;	/* 0 = one per core */
		/* Blocking: see also the [blocklist] sections. */
		enum conf_block_reply block_reply;
		unsigned int	 block_ttl;	/* seconds */
		char		 block_allow[CONF_LIST_MAX][CONF_DOMAIN_MAX + 1];
		unsigned int	 nblock_allow;
		char		 block_deny[CONF_LIST_MAX][CONF_DOMAIN_MAX + 1];
		unsigned int	 nblock_deny;
		unsigned int	 block_shrink_max;	/* percent */
	} dns;

	struct hgw_blocklist_list blocklists;
	unsigned int		 nblocklists;

	struct {
		int		 rules;		/* load table inet homegw */
		int		 masquerade;
		int		 flow_offload;
		int		 hairpin;
		unsigned int	 max_flows;	/* rows mirrored in live.db */
		unsigned int	 history_interval;	/* seconds */
	} nat;

	struct hgw_forward_list	 forwards;
	unsigned int		 nforwards;

	struct {
		struct hgw_prefix4 proxy[CONF_LIST_MAX];
		unsigned int	 nproxy;
		unsigned int	 max_stations;	/* rows in station history */
		unsigned int	 storm_threshold;	/* gratuitous ARPs/min */
		int		 prime;		/* prime kernel from history */
	} arp;

	struct {
		struct hgw_endpoint listen[CONF_LIST_MAX];
		unsigned int	 nlisten;
		char		 password_hash[256];	/* "" = none */
		int		 open_access;	/* allow no password */
		unsigned int	 session_timeout;	/* seconds */
		unsigned int	 max_clients;
		unsigned int	 max_clients_per_ip;
		char		 assets_dir[PATH_MAX];
		int		 tls;		/* HTTPS on listen */
		struct hgw_endpoint http_listen[CONF_LIST_MAX];	/* redirect */
		unsigned int	 nhttp_listen;
		char		 cert_file[PATH_MAX];	/* "" = webd's own */
		char		 key_file[PATH_MAX];
		char		 metrics_token[CONF_TOKEN_MAX + 1];	/* "" = off */
	} web;

	/* natd's input policy: what reaches the gateway itself. */
	struct {
		struct hgw_service wan_allow[CONF_LIST_MAX];
		unsigned int	 nwan_allow;
		int		 wan_ping;	/* echo requests from the WAN */
		unsigned int	 wan_ping_rate;	/* per second, per family */
		struct hgw_service lan_allow[CONF_LIST_MAX];
		unsigned int	 nlan_allow;	/* CONF_SERVICES_ALL: all */
	} firewall;
};

/*
 * Read and validate the file at path.  Returns a new struct hgw_conf that
 * the caller frees with conf_free(), or NULL.  On NULL, *ret_errors (if
 * ret_errors is not NULL) is set to a malloc'ed text holding every error
 * found, one per line, each "file:line: expected ..., got ...", and errno
 * is set to EINVAL.  When the file cannot be read at all, *ret_errors is
 * NULL and errno says why (ENOENT, EACCES, ...).  The caller frees
 * *ret_errors.
 */
struct hgw_conf	*conf_load(const char *path, char **ret_errors);
/* The same from a string; name stands for the file in messages. */
struct hgw_conf	*conf_load_string(const char *text, const char *name,
		    char **ret_errors);
/* The same from len bytes that may hold NULs (for the fuzzer). */
struct hgw_conf	*conf_load_buffer(const char *buf, size_t len,
		    const char *name, char **ret_errors);
/* A struct with every default set and no interfaces: for tests. */
struct hgw_conf	*conf_default(void);
/* Free a config; NULL is fine. */
void		 conf_free(struct hgw_conf *);
/*
 * Write the config back in canonical form: sections and keys in a fixed
 * order, every key with its effective value.  The output parses back to
 * the same config and prints identically.
 */
void		 conf_print(FILE *, const struct hgw_conf *);

/* Path of live.db and homegw.db for this config, into buf of PATH_MAX. */
int		 conf_live_db(const struct hgw_conf *, char *buf, size_t len);
int		 conf_persist_db(const struct hgw_conf *, char *buf, size_t len);

/* Look up a host by name, address or MAC; NULL if none. */
struct hgw_host	*conf_host_by_name(const struct hgw_conf *, const char *);
struct hgw_host	*conf_host_by_addr(const struct hgw_conf *, struct in_addr);
struct hgw_host	*conf_host_by_mac(const struct hgw_conf *,
		    const uint8_t mac[ADDR_MAC_LEN]);
/* Look up a blocklist by name; NULL if none. */
struct hgw_blocklist *conf_blocklist_by_name(const struct hgw_conf *,
		    const char *);
/* Is source an http:// or https:// URL (rather than a file)? */
int		 conf_source_is_url(const char *);

#endif /* HGW_CONF_H */
