/*
 * SPDX-License-Identifier: ISC
 *
 * ctrace.c: natd's part of a trace (common/trace.h).  While a trace of
 * some host runs, natd keeps a conntrack event socket of its own open
 * (kernel.c), filtered in the kernel to that host's connections
 * (ctfilter.c), and records each connection's NEW with its original
 * tuple and the NAT mapping the kernel chose, every TCP state change,
 * and DESTROY with its counters.  With no trace running the socket is
 * closed and none of this costs anything.  The flows it has seen are
 * kept in a small bounded table, only to know a state's predecessor and
 * a connection's age; they are not the mirror's flows.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "state.h"
#include "trace.h"
#include "natd.h"

#define CTRACE_FLOWS	4096	/* connections followed at once */
#define CTRACE_FILTER	(BPF_MAXINSNS)
#define CTRACE_MATCH	(2 * TRACE_RUNNING_MAX)

struct tflow {
	uint32_t	 id;		/* kernel id; 0: free slot */
	struct flow_tuple orig;
	uint8_t		 proto;
	uint8_t		 state;		/* TCP state last recorded */
	int64_t		 t_new;		/* ms, 0 if not seen */
	int64_t		 t_used;	/* ms, for replacement */
};

struct ctrace {
	struct natd	*n;
	struct trace_recorder *rec;
	struct tflow	*flows;
	sqlite3_stmt	*names;		/* live.db dns_names, if there */
	int64_t		 names_tried;	/* ms, last failed prepare */
	struct trace_buf buf;
	uint64_t	 recorded;
	int		 filtered;	/* the kernel filter is on */
	int		 masked;	/* table inet homegw_trace is loaded */
};

static const char *
proto_name(uint8_t p)
{
	switch (p) {
	case IPPROTO_TCP:
		return ("tcp");
	case IPPROTO_UDP:
		return ("udp");
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return ("icmp");
	default:
		return (NULL);
	}
}

static const char *
tcp_name(uint8_t s)
{
	static const char *const names[] = {
		"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
		"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
	};

	if (s < sizeof(names) / sizeof(names[0]))
		return (names[s]);
	return ("UNKNOWN");
}

static void
addr_text(const struct flow_tuple *t, const uint8_t *a, char *buf,
    size_t len)
{
	if (inet_ntop(t->family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

static struct tflow *
tflow_find(struct ctrace *c, const struct flow_info *i, int create,
    int64_t now)
{
	struct tflow	*f, *victim = NULL;
	unsigned int	 h, k;

	h = i->id % CTRACE_FLOWS;
	/* A short probe; the least recently used of it makes room. */
	for (k = 0; k < 8; k++) {
		f = &c->flows[(h + k) % CTRACE_FLOWS];
		if (f->id == i->id && f->proto == i->proto &&
		    memcmp(&f->orig, &i->orig, sizeof(f->orig)) == 0) {
			f->t_used = now;
			return (f);
		}
		if (victim == NULL || f->id == 0 ||
		    (victim->id != 0 && f->t_used < victim->t_used))
			victim = f;
	}
	if (!create)
		return (NULL);
	memset(victim, 0, sizeof(*victim));
	victim->id = i->id;
	victim->orig = i->orig;
	victim->proto = i->proto;
	victim->t_used = now;
	return (victim);
}

/* The name this client looked up that led to dst ([journey]'s table). */
static int
dst_name(struct ctrace *c, const char *client, const char *dst, char *buf,
    size_t len, int64_t now)
{
	sqlite3	*live = c->n->d->live;
	int	 r = -1;

	if (c->names == NULL) {
		if (now - c->names_tried < 60000)
			return (-1);
		c->names = state_prepare(live, "SELECT name FROM dns_names "
		    "WHERE client = ?1 AND address = ?2 AND expires >= ?3 "
		    "LIMIT 1");
		if (c->names == NULL) {
			c->names_tried = now;
			return (-1);
		}
	}
	sqlite3_bind_text(c->names, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->names, 2, dst, -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->names, 3, now / 1000);
	if (sqlite3_step(c->names) == SQLITE_ROW &&
	    sqlite3_column_text(c->names, 0) != NULL) {
		snprintf(buf, len, "%s", sqlite3_column_text(c->names, 0));
		r = 0;
	}
	sqlite3_reset(c->names);
	return (r);
}

/* A connection to the gateway's own LAN address: its name. */
static int
gateway_name(struct ctrace *c, const struct flow_info *i, char *buf,
    size_t len)
{
	const struct hgw_conf *conf = c->n->d->conf;

	if (i->orig.family != AF_INET || conf->gateway.name[0] == '\0' ||
	    memcmp(i->orig.dst, &conf->lan.addr, 4) != 0)
		return (-1);
	if (conf->gateway.domain[0] != '\0')
		snprintf(buf, len, "%s.%s", conf->gateway.name,
		    conf->gateway.domain);
	else
		snprintf(buf, len, "%s", conf->gateway.name);
	return (0);
}

static void
record(struct ctrace *c, const int64_t *ids, int nids, int64_t now,
    const char *layer, const char *event, const char *flow)
{
	const char	*data;
	int		 k;

	if ((data = trace_buf_str(&c->buf)) == NULL)
		return;
	for (k = 0; k < nids; k++)
		trace_recorder_add(c->rec, ids[k], now, layer, event, flow,
		    data);
	c->recorded++;
}

/* A conntrack event from the trace socket. */
static void
event_cb(const struct flow_info *i, int is_new, int is_destroy, void *arg)
{
	struct ctrace	*c = arg;
	struct tflow	*f;
	int64_t		 ids[CTRACE_MATCH], now = state_now_ms();
	const char	*layer;
	char		 src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char		 nat[INET6_ADDRSTRLEN], flow[160], name[512];
	int		 nids, tcp = i->proto == IPPROTO_TCP;

	if ((layer = proto_name(i->proto)) == NULL)
		return;
	/* The kernel's filter may be off (too many addresses): check. */
	nids = trace_recorder_match(c->rec, i->orig.family, i->orig.src, ids,
	    CTRACE_MATCH);
	if (nids == 0)
		nids = trace_recorder_match(c->rec, i->reply.family,
		    i->reply.src, ids, CTRACE_MATCH);
	if (nids == 0)
		return;
	addr_text(&i->orig, i->orig.src, src, sizeof(src));
	addr_text(&i->orig, i->orig.dst, dst, sizeof(dst));
	snprintf(flow, sizeof(flow), "%s/%s/%u/%s/%u/%u", layer, src,
	    i->orig.sport, dst, i->orig.dport, i->id);
	f = tflow_find(c, i, !is_destroy, now);
	trace_buf_reset(&c->buf);
	if (is_new) {
		addr_text(&i->reply, i->reply.dst, nat, sizeof(nat));
		trace_buf_printf(&c->buf, "{\"proto\":\"%s\",\"family\":%d,"
		    "\"orig_src\":\"%s\",\"orig_sport\":%u,\"orig_dst\":\"%s\","
		    "\"orig_dport\":%u,\"nat_src\":\"%s\",\"nat_sport\":%u",
		    layer, i->orig.family == AF_INET6 ? 6 : 4, src,
		    i->orig.sport, dst, i->orig.dport, nat, i->reply.dport);
		if (tcp && i->has_tcp_state)
			trace_buf_printf(&c->buf, ",\"state\":\"%s\"",
			    tcp_name(i->tcp_state));
		/* ICMP has no ports: the tuple holds id, type and code. */
		if (i->proto == IPPROTO_ICMP || i->proto == IPPROTO_ICMPV6)
			trace_buf_printf(&c->buf, ",\"icmp_id\":%u,"
			    "\"icmp_type\":%u,\"icmp_code\":%u", i->orig.sport,
			    i->orig.dport >> 8, i->orig.dport & 0xff);
		if (dst_name(c, src, dst, name, sizeof(name), now) == 0 ||
		    gateway_name(c, i, name, sizeof(name)) == 0) {
			trace_buf_add(&c->buf, ",\"dst_name\":", 12);
			trace_buf_json_str(&c->buf, name);
		}
		trace_buf_add(&c->buf, "}", 1);
		if (f != NULL) {
			f->t_new = now;
			f->state = i->has_tcp_state ? i->tcp_state : 0;
		}
		record(c, ids, nids, now, layer, "new", flow);
		return;
	}
	if (is_destroy) {
		trace_buf_add(&c->buf, "{", 1);
		if (tcp && f != NULL)
			trace_buf_printf(&c->buf, "\"state\":\"%s\",",
			    tcp_name(f->state));
		trace_buf_printf(&c->buf, "\"orig_bytes\":%llu,"
		    "\"orig_packets\":%llu,\"reply_bytes\":%llu,"
		    "\"reply_packets\":%llu",
		    (unsigned long long)i->orig_bytes,
		    (unsigned long long)i->orig_packets,
		    (unsigned long long)i->reply_bytes,
		    (unsigned long long)i->reply_packets);
		if (f != NULL && f->t_new != 0)
			trace_buf_printf(&c->buf, ",\"duration_ms\":%lld",
			    (long long)(now - f->t_new));
		trace_buf_add(&c->buf, "}", 1);
		if (f != NULL)
			f->id = 0;
		record(c, ids, nids, now, layer, "destroy", flow);
		return;
	}
	/* UPDATE: only a TCP state change is a step. */
	if (!tcp || !i->has_tcp_state || f == NULL ||
	    f->state == i->tcp_state)
		return;
	if (f->state == 0 && f->t_new == 0)
		trace_buf_printf(&c->buf, "{\"state\":\"%s\",\"from\":null}",
		    tcp_name(i->tcp_state));
	else
		trace_buf_printf(&c->buf, "{\"state\":\"%s\",\"from\":\"%s\"}",
		    tcp_name(i->tcp_state), tcp_name(f->state));
	f->state = i->tcp_state;
	record(c, ids, nids, now, layer, "state", flow);
}

/*
 * The events the kernel builds while a trace runs.  The trace socket's
 * filter keeps other hosts' events from natd, but the kernel still builds
 * a message for every state change of every connection once anyone
 * listens to UPDATE, which cost a flood from another host about a sixth
 * of its connection rate in bench/nat/trace.  So, for
 * as long as a trace runs, a table of its own (not natd's NAT table,
 * which natd's guard would restore) tells conntrack, as each new
 * connection is confirmed, to report only NEW, RELATED and DESTROY for
 * connections that are not the traced hosts' (nftables "ct event set"):
 * the UPDATE messages are then built for the traced hosts alone.  The
 * hooks are postrouting between DNAT and SNAT, where a forwarded
 * connection shows its LAN side, and input, for connections to the
 * gateway itself.  `conntrack -E` run by hand meanwhile misses other
 * hosts' UPDATE events too; they come back with the next connections
 * once the trace ends and the table goes.
 */
#define CTRACE_TABLE	"homegw_trace"

static void
mask_chain(struct trace_buf *b, const char *name, const char *hook)
{
	trace_buf_printf(b, "\tchain %s {\n\t\ttype filter hook %s priority 50; "
	    "policy accept;\n", name, hook);
	trace_buf_printf(b, "\t\tct state new ip saddr != @a4 ip daddr != @a4 "
	    "ct event set new,related,destroy\n");
	trace_buf_printf(b, "\t\tct state new ip6 saddr != @a6 ip6 daddr != "
	    "@a6 ct event set new,related,destroy\n\t}\n");
}

static void
mask_set(struct trace_buf *b, const struct trace_addr *addrs, int n,
    int family)
{
	char	 text[INET6_ADDRSTRLEN];
	int	 i, k = 0;

	trace_buf_printf(b, "\tset a%d {\n\t\ttype %s\n", family == AF_INET ?
	    4 : 6, family == AF_INET ? "ipv4_addr" : "ipv6_addr");
	for (i = 0; i < n; i++) {
		if (addrs[i].family != family ||
		    inet_ntop(family, addrs[i].addr, text, sizeof(text)) ==
		    NULL)
			continue;
		trace_buf_printf(b, "%s%s", k++ == 0 ? "\t\telements = { " :
		    ", ", text);
	}
	trace_buf_printf(b, "%s\t}\n", k > 0 ? " }\n" : "");
}

/* Replace the table with one for addrs, or remove it (n == 0). */
static void
mask_apply(struct ctrace *c, const struct trace_addr *addrs, int n)
{
	struct trace_buf b = { 0 };
	const char	*text;
	char		*err = NULL;

	/* Create-then-delete: no error when it is not there. */
	trace_buf_printf(&b, "table inet %s {}\ndelete table inet %s\n",
	    CTRACE_TABLE, CTRACE_TABLE);
	if (n > 0) {
		trace_buf_printf(&b, "table inet %s {\n", CTRACE_TABLE);
		mask_set(&b, addrs, n, AF_INET);
		mask_set(&b, addrs, n, AF_INET6);
		mask_chain(&b, "post", "postrouting");
		mask_chain(&b, "in", "input");
		trace_buf_printf(&b, "}\n");
	}
	if ((text = trace_buf_str(&b)) != NULL &&
	    kernel_nft_run(c->n->kernel, text, &err) < 0) {
		if (n > 0)
			log_warnx("cannot limit conntrack events to the traced "
			    "hosts (%s): every connection's updates are built "
			    "while the trace runs", err != NULL ? err : "?");
		else
			log_warnx("cannot remove table inet %s: %s",
			    CTRACE_TABLE, err != NULL ? err : "?");
	}
	free(err);
	trace_buf_free(&b);
	c->masked = n > 0;
}

/* The traced hosts changed: open, refilter or close the trace socket. */
static void
changed_cb(void *arg)
{
	struct ctrace	*c = arg;
	struct trace_addr addrs[CTRACE_MATCH * TRACE_ADDRS_MAX];
	struct sock_filter *code;
	int		 n, len, r;

	n = trace_recorder_addrs(c->rec, addrs, (int)(sizeof(addrs) /
	    sizeof(addrs[0])));
	if (n == 0) {
		if (kernel_ct_tracing(c->n->kernel))
			log_info("no trace running: conntrack update events "
			    "off");
		kernel_ct_trace_close(c->n->kernel);
		if (c->masked)
			mask_apply(c, NULL, 0);
		memset(c->flows, 0, sizeof(*c->flows) * CTRACE_FLOWS);
		return;
	}
	mask_apply(c, addrs, n);
	if ((code = calloc(CTRACE_FILTER, sizeof(*code))) == NULL)
		return;
	if ((len = ctfilter_build(addrs, n, code, CTRACE_FILTER)) < 0) {
		log_warnx("%d traced addresses are too many for the kernel "
		    "filter: natd reads every conntrack event while the "
		    "traces run", n);
		len = 0;
	}
	if (!kernel_ct_tracing(c->n->kernel))
		log_info("tracing %d address%s: conntrack update events on",
		    n, n == 1 ? "" : "es");
	r = kernel_ct_trace_open(c->n->kernel, code, (unsigned short)len,
	    event_cb, c);
	free(code);
	c->filtered = r == 0 && len > 0;
	if (r < 0)
		log_warnx("cannot follow conntrack events for a trace: %s",
		    strerror(-r));
}

/* Start following traces. */
struct ctrace *
ctrace_new(struct natd *n)
{
	struct ctrace	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->flows = calloc(CTRACE_FLOWS, sizeof(*c->flows))) == NULL) {
		free(c);
		return (NULL);
	}
	c->n = n;
	/* A table left by a natd that stopped during a trace. */
	mask_apply(c, NULL, 0);
	c->rec = trace_recorder_new(n->d->base, n->d->persist, "natd",
	    changed_cb, c);
	if (c->rec == NULL) {
		ctrace_free(c);
		return (NULL);
	}
	return (c);
}

/* Write the buffered events (the final flush). */
void
ctrace_flush(struct ctrace *c)
{
	if (c != NULL)
		trace_recorder_flush(c->rec);
}

/* After daemon.c reopened a database. */
void
ctrace_reopen(struct ctrace *c, enum hgw_db which)
{
	if (c == NULL)
		return;
	if (which == HGW_DB_PERSIST)
		trace_recorder_set_db(c->rec, c->n->d->persist);
	else {
		sqlite3_finalize(c->names);
		c->names = NULL;
		c->names_tried = 0;
	}
}

/* Events recorded and dropped, for the metrics. */
void
ctrace_counts(const struct ctrace *c, uint64_t *ret_recorded,
    uint64_t *ret_dropped)
{
	*ret_recorded = c != NULL ? c->recorded : 0;
	*ret_dropped = c != NULL ? trace_recorder_dropped(c->rec) : 0;
}

/* Stop: close the trace socket; NULL is fine. */
void
ctrace_free(struct ctrace *c)
{
	if (c == NULL)
		return;
	if (c->n->kernel != NULL) {
		kernel_ct_trace_close(c->n->kernel);
		if (c->masked)
			mask_apply(c, NULL, 0);
	}
	trace_recorder_free(c->rec);
	sqlite3_finalize(c->names);
	trace_buf_free(&c->buf);
	free(c->flows);
	free(c);
}
