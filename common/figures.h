/*
 * SPDX-License-Identifier: ISC
 *
 * figures.h: the figures the overview, the DNS page, homegwctl status and
 * /metrics all show, each defined once here so that they agree: the DNS
 * cache hit ratio, the gateway's addresses and default route in words,
 * the conntrack row as JSON describes it, and the names and values the
 * API and homegwctl accept as filters.
 */
#ifndef HGW_FIGURES_H
#define HGW_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct hgw_conf;

/*
 * dnsd's counters behind the hit ratio.  A query answered locally (the
 * LAN's names, refusals) never looks at the cache, so the ratio is
 * taken over the lookups: hits / (hits + misses), "answered from the
 * cache: X % of the queries for names outside the LAN".
 */
struct fig_dns {
	int		 known;		/* dnsd has published its counters */
	int64_t		 queries;	/* every query received */
	int64_t		 cache_hits;
	int64_t		 cache_misses;
	int64_t		 lookups;	/* cache_hits + cache_misses */
	double		 hit_ratio;	/* 0..1; < 0 when lookups == 0 */
};
#define FIG_DNS_HIT_WORDS \
	"answered from the cache, of the queries for names outside the LAN"

/* Read dnsd's metrics rows from live.db (NULL is fine: nothing known). */
void		 fig_dns_read(sqlite3 *live, struct fig_dns *);

/*
 * Whether the mirrored connections are catching up with the kernel's:
 * natd lost events and has not read the table again, or the kernel
 * (kernel_count, -1 if unknown) tracks well beyond the rows while natd
 * reads a burst in (a dump takes seconds then).  Not when the mirror is
 * full: that is "incomplete".
 */
int		 fig_ct_catching_up(sqlite3 *live, long kernel_count);
/* nf_conntrack_count of our network namespace; -1 if unknown. */
long		 fig_kernel_ct_count(void);
/* The ratio as people read it: "72.0 %", or "–" when not known. */
const char	*fig_percent(double ratio, char *buf, size_t len);

/*
 * One row of addrd's addresses table in words: "192.168.1.1/24 on
 * lan0", and the default route (role "route", the gateway in address)
 * as "default via 203.0.113.1 on wan0".
 */
const char	*fig_address_text(const char *role, const char *address,
		    int plen, const char *ifname, char *buf, size_t len);

/*
 * The same as an SQL function on db, fig_address_text(role, address,
 * plen, ifname), for readers that print a query.  0, or -1.
 */
int		 fig_sql_register(sqlite3 *db);

/*
 * The conntrack row of the API and of homegwctl --json nat: every
 * live.db column under its own name (the stored timeout counted down to
 * now; natd's gateway flag as a boolean), then "host", "label", "age",
 * "bytes", "rate" and "dst_name" (fig_ct_extra()).  The column positions
 * below are those of FIG_CT_COLUMNS.
 */
#define FIG_CT_TIMEOUT "max(0, timeout - " \
	"(CAST(strftime('%s', 'now') AS INTEGER) - last_seen))"
#define FIG_CT_COLUMNS "ct_id, family, proto, orig_src, orig_sport, " \
	"orig_dst, orig_dport, reply_src, reply_sport, reply_dst, " \
	"reply_dport, tcp_state, status, " FIG_CT_TIMEOUT " AS timeout, " \
	"orig_packets, orig_bytes, reply_packets, reply_bytes, lan_host, " \
	"first_seen, last_seen, lan_addr, key, rate_orig, rate_reply, gateway"
#define FIG_CT_ORIG_SRC		3
#define FIG_CT_ORIG_DST		5
#define FIG_CT_REPLY_SRC	7
#define FIG_CT_ORIG_BYTES	15
#define FIG_CT_REPLY_BYTES	17
#define FIG_CT_LAN_HOST		18
#define FIG_CT_FIRST_SEEN	19
#define FIG_CT_LAN_ADDR		21
#define FIG_CT_RATE_ORIG	23
#define FIG_CT_RATE_REPLY	24
#define FIG_CT_GATEWAY		25

/*
 * The rows of the query log (live.db dns_log) and of the events table
 * (homegw.db) as the API and homegwctl --json print them.
 */
#define FIG_DNS_LOG_COLUMNS "id, time_ms, client, name, qtype, rcode, " \
	"source, upstream, latency_us, blocked_by"
#define FIG_EVENT_COLUMNS "id, time, daemon, kind, address, mac_old, " \
	"mac_new, detail"

struct fig_ct_extra {
	const char	*host;		/* natd's name, the host table's, NULL */
	const char	*label;		/* the host's [host] label, NULL */
	int64_t		 age;		/* seconds since first seen */
	int64_t		 bytes;		/* both directions */
	double		 rate;		/* bytes/s, both directions */
	int		 gateway;	/* the gateway's own connection */
};
void		 fig_ct_extra(const struct hgw_conf *, sqlite3_stmt *,
		    int64_t now, struct fig_ct_extra *);

/*
 * Filter values, the same for the API and homegwctl, in any case:
 * the protocol as natd stores it ("tcp", or a number 0..255 for one it
 * has no name for) and the TCP state ("ESTABLISHED", "time-wait" ...).
 * 0 and the stored form in buf, or -1 when it is not one.
 */
int		 fig_proto(const char *, char *buf, size_t len);
int		 fig_tcp_state(const char *, char *buf, size_t len);
/* A decimal integer in [min, max], nothing else: 0, or -1. */
int		 fig_int(const char *, int64_t min, int64_t max, int64_t *);

#endif /* HGW_FIGURES_H */
