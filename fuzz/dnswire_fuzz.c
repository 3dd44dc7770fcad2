/*
 * SPDX-License-Identifier: ISC
 *
 * dnswire_fuzz.c: libFuzzer entry point for the DNS wire codec.  Feeds
 * each input to the query parser and the message parser; when a message
 * parses, copies every record into a new message with compression and
 * checks that the copy parses again to the same records (names equal
 * ignoring case, as compression matches them), which exercises
 * the name writer and the compression table too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnswire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct dns_msg	m, m2;

/* One input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_query q;
	struct dns_wr	 w;
	struct dns_header h;
	uint8_t		 out[DNS_MSG_MAX], name[DNS_NAME_MAX];
	char		 s[DNS_NAME_STRLEN];
	unsigned int	 i, nan = 0, nns = 0, nar = 0;
	int		 n;

	if (size > DNS_MSG_MAX)
		return (0);
	if (dns_query_parse(data, size, &q) == 0) {
		if (dns_name_to_str(q.qname, q.qnamelen, s, sizeof(s)) < 0)
			abort();
		n = dns_name_from_str(s, name);
		if (n < 0 || !dns_name_equal(name, (size_t)n, q.qname,
		    q.qnamelen))
			abort();
	}
	if (dns_msg_parse(data, size, &m) != 0)
		return (0);
	dns_wr_init(&w, out, sizeof(out));
	h = m.hdr;
	for (i = 0; i < m.nrr; i++) {
		nan += m.rr[i].section == DNS_S_ANSWER;
		nns += m.rr[i].section == DNS_S_AUTHORITY;
		nar += m.rr[i].section == DNS_S_ADDITIONAL;
	}
	h.ancount = (uint16_t)nan;
	h.nscount = (uint16_t)nns;
	h.arcount = (uint16_t)nar;
	if (dns_put_header(&w, &h) < 0)
		abort();
	if (h.qdcount == 1) {
		if (dns_put_name(&w, m.qname, m.qnamelen, 1) < 0)
			abort();
		dns_put_u16(&w, m.qtype);
		dns_put_u16(&w, m.qclass);
	}
	/* Records are copied in section order, as they were parsed. */
	for (i = 0; i < m.nrr; i++)
		if (dns_put_rr_copy(&w, &m, &m.rr[i], m.rr[i].ttl, NULL) < 0)
			return (0);	/* decompressed, it may not fit */
	if (dns_msg_parse(out, w.pos, &m2) != 0 || m2.nrr != m.nrr)
		abort();
	for (i = 0; i < m.nrr; i++) {
		uint8_t	 a[DNS_NAME_MAX], b[DNS_NAME_MAX];
		int	 la, lb;

		la = dns_rr_name(&m, &m.rr[i], a);
		lb = dns_rr_name(&m2, &m2.rr[i], b);
		if (la < 0 || !dns_name_equal(a, (size_t)la, b, (size_t)lb) ||
		    m.rr[i].type != m2.rr[i].type ||
		    m.rr[i].ttl != m2.rr[i].ttl)
			abort();
	}
	return (0);
}
