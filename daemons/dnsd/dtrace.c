/*
 * SPDX-License-Identifier: ISC
 *
 * dtrace.c: dnsd's part of a trace (common/trace.h).  While a trace of a
 * client runs, each answer dnsd gives that client is recorded as two
 * steps: the query (at the time it arrived: the answer's time less the
 * latency) and the answer, with the name, type, rcode, the addresses and
 * names the answer section carried, where the answer came from (cache,
 * local, upstream, stale, blocked, error), which upstream, and how long
 * it took.  With no trace running this costs one comparison per answer.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "dnswire.h"
#include "log.h"
#include "trace.h"
#include "dnsd.h"

#define DTRACE_MATCH	(2 * TRACE_RUNNING_MAX)
#define DTRACE_ANSWERS	16	/* records of an answer shown */

static const char *
source_name(enum dnsd_source src)
{
	switch (src) {
	case SRC_CACHE:
		return ("cache");
	case SRC_LOCAL:
		return ("local");
	case SRC_UPSTREAM:
		return ("upstream");
	case SRC_STALE:
		return ("stale");
	case SRC_ERROR:
		return ("error");
	case SRC_BLOCKED:
		return ("blocked");
	default:
		return ("other");
	}
}

/* The answer section's addresses and names as a JSON array. */
static void
answers_json(struct trace_buf *b, const struct dns_msg *m)
{
	const struct dns_rr *rr;
	struct dns_rd	 rd;
	uint8_t		 name[DNS_NAME_MAX];
	char		 text[DNS_NAME_MAX * 4 + 1];
	unsigned int	 i, n = 0;
	int		 nl;

	trace_buf_add(b, "[", 1);
	for (i = 0; i < m->nrr && n < DTRACE_ANSWERS; i++) {
		rr = &m->rr[i];
		if (rr->section != DNS_S_ANSWER)
			continue;
		if (rr->type == DNS_T_A && rr->rdlen == 4)
			inet_ntop(AF_INET, m->pkt + rr->rdata_off, text,
			    sizeof(text));
		else if (rr->type == DNS_T_AAAA && rr->rdlen == 16)
			inet_ntop(AF_INET6, m->pkt + rr->rdata_off, text,
			    sizeof(text));
		else if (rr->type == DNS_T_CNAME) {
			dns_rd_init(&rd, m->pkt, m->len);
			rd.pos = rr->rdata_off;
			if ((nl = dns_get_name(&rd, name)) < 0 ||
			    dns_name_to_str(name, (size_t)nl, text,
			    sizeof(text)) < 0)
				continue;
		} else
			continue;
		if (n++ > 0)
			trace_buf_add(b, ",", 1);
		trace_buf_json_str(b, text);
	}
	trace_buf_add(b, "]", 1);
}

/* Record a traced client's query and its answer (wire, len). */
void
dtrace_answer(struct dnsd *dd, const struct sockaddr_storage *client,
    int tcp, const uint8_t *wire, size_t len, enum dnsd_source src,
    int upstream, int64_t latency_us)
{
	struct dns_msg	 m;
	struct trace_buf *b = &dd->trace_buf;
	int64_t		 ids[DTRACE_MATCH], t;
	const void	*addr;
	char		 who[INET6_ADDRSTRLEN], name[DNS_NAME_MAX * 4 + 1];
	char		 type[16], rcode[16];
	const char	*data;
	int		 nids, k, family = client->ss_family;

	if (!trace_recorder_active(dd->trace))
		return;
	if (family == AF_INET)
		addr = &((const struct sockaddr_in *)client)->sin_addr;
	else if (family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)client)->sin6_addr;
	else
		return;
	if ((nids = trace_recorder_match(dd->trace, family, addr, ids,
	    DTRACE_MATCH)) == 0)
		return;
	if (dns_msg_parse(wire, len, &m) < 0 || m.qnamelen == 0 ||
	    dns_name_to_str(m.qname, m.qnamelen, name, sizeof(name)) < 0)
		return;
	inet_ntop(family, addr, who, sizeof(who));
	dns_type_str(m.qtype, type, sizeof(type));
	dns_rcode_str(m.hdr.flags & DNS_F_RCODE, rcode, sizeof(rcode));
	if (latency_us < 0)
		latency_us = 0;
	/* The precise clock: dd->wall_ms is coarse (a jiffy behind). */
	t = state_now_ms();

	trace_buf_reset(b);
	trace_buf_add(b, "{\"client\":", 10);
	trace_buf_json_str(b, who);
	trace_buf_add(b, ",\"name\":", 8);
	trace_buf_json_str(b, name);
	trace_buf_printf(b, ",\"qtype\":\"%s\",\"proto\":\"%s\"}", type,
	    tcp ? "tcp" : "udp");
	if ((data = trace_buf_str(b)) != NULL)
		for (k = 0; k < nids; k++)
			trace_recorder_add(dd->trace, ids[k],
			    t - latency_us / 1000, "dns", "query", NULL, data);

	trace_buf_reset(b);
	trace_buf_add(b, "{\"client\":", 10);
	trace_buf_json_str(b, who);
	trace_buf_add(b, ",\"name\":", 8);
	trace_buf_json_str(b, name);
	trace_buf_printf(b, ",\"qtype\":\"%s\",\"rcode\":\"%s\",\"answers\":",
	    type, rcode);
	answers_json(b, &m);
	trace_buf_printf(b, ",\"source\":\"%s\",\"upstream\":",
	    source_name(src));
	trace_buf_json_str(b, upstream >= 0 &&
	    (unsigned int)upstream < dd->nupstreams ?
	    dd->upstreams[upstream].name : NULL);
	trace_buf_printf(b, ",\"latency_ms\":%.3f}",
	    (double)latency_us / 1000.0);
	if ((data = trace_buf_str(b)) != NULL)
		for (k = 0; k < nids; k++)
			trace_recorder_add(dd->trace, ids[k], t, "dns",
			    "answer", NULL, data);
}

/* Follow traces: poll homegw.db for them. */
int
dtrace_init(struct dnsd *dd)
{
	dd->trace = trace_recorder_new(dd->base, dd->d->persist, "dnsd", NULL,
	    NULL);
	return (dd->trace == NULL ? -1 : 0);
}

/* After daemon.c reopened homegw.db. */
void
dtrace_reopen(struct dnsd *dd, enum hgw_db which)
{
	if (which == HGW_DB_PERSIST)
		trace_recorder_set_db(dd->trace, dd->d->persist);
}

/* Final flush and free. */
void
dtrace_free(struct dnsd *dd)
{
	trace_recorder_flush(dd->trace);
	trace_recorder_free(dd->trace);
	dd->trace = NULL;
	trace_buf_free(&dd->trace_buf);
}
