/*
 * SPDX-License-Identifier: ISC
 *
 * cache_test.c: dnsd's cache with a fake clock.  Builds answers from
 * upstream replies (scrubbing, clamping, negative TTL from the SOA,
 * rebinding), stores them, and checks the TTL countdown, expiry, stale
 * answers, the LRU and memory caps, the client's case and ID in the
 * served copy, truncation and the OPT record.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dnswire.h"
#include "dnsd.h"
#include "../tap.h"

static struct dns_msg	 m;
static struct cache_msg	 cm;

/* A reply writer: header, question, then records appended by hand. */
struct pkt {
	uint8_t		 buf[2048];
	struct dns_wr	 w;
	uint16_t	 an, ns, ar;
};

static void
pkt_start(struct pkt *p, const char *qname, uint16_t qtype, unsigned int rcode)
{
	struct dns_header h = { 0x4242, DNS_F_QR | DNS_F_RD | DNS_F_RA | rcode,
	    1, 0, 0, 0 };
	uint8_t	 n[DNS_NAME_MAX];
	int	 l = dns_name_from_str(qname, n);

	dns_wr_init(&p->w, p->buf, sizeof(p->buf));
	p->an = p->ns = p->ar = 0;
	dns_put_header(&p->w, &h);
	dns_put_name(&p->w, n, (size_t)l, 1);
	dns_put_u16(&p->w, qtype);
	dns_put_u16(&p->w, DNS_C_IN);
}

static void
pkt_rr(struct pkt *p, int section, const char *owner, uint16_t type,
    uint32_t ttl, const void *rdata, size_t rdlen)
{
	uint8_t	 n[DNS_NAME_MAX];
	int	 l = dns_name_from_str(owner, n);

	dns_put_name(&p->w, n, (size_t)l, 1);
	dns_put_u16(&p->w, type);
	dns_put_u16(&p->w, DNS_C_IN);
	dns_put_u32(&p->w, ttl);
	dns_put_u16(&p->w, (uint16_t)rdlen);
	dns_put_bytes(&p->w, rdata, rdlen);
	if (section == DNS_S_ANSWER)
		p->an++;
	else if (section == DNS_S_AUTHORITY)
		p->ns++;
	else
		p->ar++;
}

static size_t
pkt_end(struct pkt *p)
{
	p->buf[7] = (uint8_t)p->an;
	p->buf[9] = (uint8_t)p->ns;
	p->buf[11] = (uint8_t)p->ar;
	return (p->w.pos);
}

static size_t
name_rdata(const char *s, uint8_t *out)
{
	return ((size_t)dns_name_from_str(s, out));
}

static void
soa_rdata(uint8_t *out, size_t *len, uint32_t minimum)
{
	size_t	 n = name_rdata("ns1.example.test", out);

	n += name_rdata("hostmaster.example.test", out + n);
	memset(out + n, 0, 16);
	out[n + 3] = 1;
	n += 16;
	out[n] = minimum >> 24;
	out[n + 1] = (minimum >> 16) & 0xff;
	out[n + 2] = (minimum >> 8) & 0xff;
	out[n + 3] = minimum & 0xff;
	*len = n + 4;
}

static struct cache_policy pol = { 0, 86400, 3600, 1, { 0 }, 24 };

static void
make_query(struct dns_query *q, const char *name, uint16_t type,
    uint16_t id, int edns)
{
	memset(q, 0, sizeof(*q));
	q->hdr.id = id;
	q->hdr.flags = DNS_F_RD;
	q->hdr.qdcount = 1;
	q->qnamelen = (size_t)dns_name_from_str(name, q->qname);
	q->qtype = type;
	q->qclass = DNS_C_IN;
	if (edns) {
		q->edns.present = 1;
		q->edns.udp_size = 1232;
	}
}

static uint32_t
ttl_at(const uint8_t *buf, size_t len, unsigned int i)
{
	static struct dns_msg	 mm;

	if (dns_msg_parse(buf, len, &mm) != 0 || i >= mm.nrr)
		return (UINT32_MAX);
	return (mm.rr[i].ttl);
}

static void
test_positive(void)
{
	struct pkt	 p;
	struct cache	*c;
	struct cache_entry *e;
	struct dns_query q;
	uint8_t		 rd[256], key[DNSD_KEY_MAX], out[2048];
	uint8_t		 a1[4] = { 203, 0, 113, 1 }, evil[4] = { 6, 6, 6, 6 };
	uint32_t	 hash;
	size_t		 keylen, n, len;
	char		 s[DNS_NAME_STRLEN];

	/* www CNAME web, web A, plus a record for an unrelated name. */
	pkt_start(&p, "www.example.test", DNS_T_A, 0);
	n = name_rdata("web.example.test", rd);
	pkt_rr(&p, DNS_S_ANSWER, "www.example.test", DNS_T_CNAME, 600, rd, n);
	pkt_rr(&p, DNS_S_ANSWER, "web.example.test", DNS_T_A, 300, a1, 4);
	pkt_rr(&p, DNS_S_ANSWER, "bank.example.com", DNS_T_A, 86400, evil, 4);
	n = name_rdata("ns1.example.test", rd);
	pkt_rr(&p, DNS_S_AUTHORITY, "example.test", DNS_T_NS, 3600, rd, n);
	pkt_rr(&p, DNS_S_AUTHORITY, "com", DNS_T_NS, 3600, rd, n);
	pkt_rr(&p, DNS_S_ADDITIONAL, "ns1.example.test", DNS_T_A, 3600, a1, 4);
	pkt_rr(&p, DNS_S_ADDITIONAL, "ns.evil.com", DNS_T_A, 3600, evil, 4);
	len = pkt_end(&p);
	CHECK(dns_msg_parse(p.buf, len, &m) == 0 && m.nrr == 7);
	CHECK(cache_build(&m, &pol, &cm) == 0);
	CHECK(cm.cacheable && !cm.rebind && cm.ttl == 300);
	CHECK(cm.nttl == 2);
	CHECK(dns_msg_parse(cm.wire, cm.len, &m) == 0);
	CHECK_MSG(m.nrr == 2 && m.hdr.ancount == 2 && m.hdr.nscount == 0 &&
	    m.hdr.arcount == 0,
	    "out-of-chain records scrubbed, positive answer minimal");

	c = cache_new(3, 1 << 20);
	make_query(&q, "WWW.Example.test", DNS_T_A, 0x1111, 1);
	keylen = cache_key(&q, key, &hash);
	CHECK(keylen == q.qnamelen + 5 && key[0] == 3 && key[1] == 'w');
	CHECK(cache_insert(c, key, keylen, hash, &cm, 1000) != NULL);
	CHECK(cache_count(c) == 1 && cache_bytes(c) > cm.len);

	e = cache_lookup(c, key, keylen, hash, 1100, 0);
	CHECK(e != NULL);
	n = cache_write_entry(e, 1100, &q, 1232, out, sizeof(out));
	CHECK(n == cm.len + DNS_OPT_LEN);
	CHECK(out[0] == 0x11 && out[1] == 0x11);
	CHECK(memcmp(out + DNS_HDR_LEN, q.qname, q.qnamelen) == 0);
	CHECK_MSG(ttl_at(out, n, 0) == 500 && ttl_at(out, n, 1) == 200,
	    "TTLs counted down by 100 s");
	CHECK(dns_msg_parse(out, n, &m) == 0 && m.edns.present);
	dns_name_to_str(m.qname, m.qnamelen, s, sizeof(s));
	CHECK_STREQ(s, "WWW.Example.test");

	/* A client without EDNS and a tiny limit gets TC. */
	q.edns.present = 0;
	n = cache_write_entry(e, 1100, &q, 30, out, sizeof(out));
	CHECK(n == DNS_HDR_LEN + q.qnamelen + 4 && (out[2] & 0x02));
	CHECK(out[7] == 0 && out[9] == 0 && out[11] == 0);
	q.edns.present = 1;

	/* Expiry at 1300; stale until 1300 + DNSD_STALE_MAX_S. */
	CHECK(cache_lookup(c, key, keylen, hash, 1299, 0) != NULL);
	CHECK(cache_lookup(c, key, keylen, hash, 1300, 0) == NULL);
	e = cache_lookup(c, key, keylen, hash, 1300, 1);
	CHECK(e != NULL);
	n = cache_write_entry(e, 5000, &q, 1232, out, sizeof(out));
	CHECK_MSG(ttl_at(out, n, 1) == DNSD_STALE_TTL, "stale TTL is 30");
	CHECK(cache_lookup(c, key, keylen, hash, 1300 + DNSD_STALE_MAX_S,
	    1) == NULL);
	CHECK_MSG(cache_count(c) == 0, "too old to be stale: freed");

	/* A key that is not the answer's question is refused. */
	{
		struct dns_query q2;
		uint8_t		 k2[DNSD_KEY_MAX];
		uint32_t	 h2;
		size_t		 l2;

		make_query(&q2, "other.example.test", DNS_T_A, 1, 0);
		l2 = cache_key(&q2, k2, &h2);
		CHECK(cache_insert(c, k2, l2, h2, &cm, 2000) == NULL);
	}
	/* DO is part of the key. */
	cache_insert(c, key, keylen, hash, &cm, 2000);
	q.edns.flags = DNS_EDNS_DO;
	keylen = cache_key(&q, key, &hash);
	CHECK(cache_lookup(c, key, keylen, hash, 2000, 0) == NULL);
	cache_free(c);
}

static void
test_negative_and_clamp(void)
{
	struct pkt	 p;
	uint8_t		 rd[256];
	uint8_t		 lan[4] = { 192, 168, 50, 7 }, pub[4] = { 1, 2, 3, 4 };
	size_t		 n, len;
	struct cache_policy clamp = pol;

	pkt_start(&p, "nope.example.test", DNS_T_A, DNS_R_NXDOMAIN);
	soa_rdata(rd, &n, 60);
	pkt_rr(&p, DNS_S_AUTHORITY, "example.test", DNS_T_SOA, 3600, rd, n);
	len = pkt_end(&p);
	CHECK(dns_msg_parse(p.buf, len, &m) == 0);
	CHECK(cache_build(&m, &pol, &cm) == 0);
	CHECK_MSG(cm.cacheable && cm.ttl == 60 && cm.rcode == DNS_R_NXDOMAIN,
	    "NXDOMAIN cached for min(SOA TTL, MINIMUM)");
	CHECK(ttl_at(cm.wire, cm.len, 0) == 60);
	clamp.negative_ttl = 10;
	CHECK(cache_build(&m, &clamp, &cm) == 0 && cm.ttl == 10);

	/* NODATA without an SOA: not cacheable. */
	pkt_start(&p, "www.example.test", DNS_T_AAAA, 0);
	len = pkt_end(&p);
	CHECK(dns_msg_parse(p.buf, len, &m) == 0);
	CHECK(cache_build(&m, &pol, &cm) == 0 && !cm.cacheable);

	/* SERVFAIL is never cached. */
	pkt_start(&p, "www.example.test", DNS_T_A, DNS_R_SERVFAIL);
	len = pkt_end(&p);
	CHECK(dns_msg_parse(p.buf, len, &m) == 0);
	CHECK(cache_build(&m, &pol, &cm) == 0 && !cm.cacheable);

	/* min_ttl and max_ttl clamp. */
	pkt_start(&p, "short.example.test", DNS_T_A, 0);
	pkt_rr(&p, DNS_S_ANSWER, "short.example.test", DNS_T_A, 5, pub, 4);
	len = pkt_end(&p);
	CHECK(dns_msg_parse(p.buf, len, &m) == 0);
	clamp = pol;
	clamp.min_ttl = 30;
	CHECK(cache_build(&m, &clamp, &cm) == 0 && cm.ttl == 30 &&
	    ttl_at(cm.wire, cm.len, 0) == 30);
	pkt_start(&p, "long.example.test", DNS_T_A, 0);
	pkt_rr(&p, DNS_S_ANSWER, "long.example.test", DNS_T_A, 999999, pub,
	    4);
	len = pkt_end(&p);
	CHECK(dns_msg_parse(p.buf, len, &m) == 0);
	CHECK(cache_build(&m, &pol, &cm) == 0 && cm.ttl == 86400);

	/* Rebinding: a public name pointing into the LAN. */
	pkt_start(&p, "evil.example.test", DNS_T_A, 0);
	pkt_rr(&p, DNS_S_ANSWER, "evil.example.test", DNS_T_A, 300, lan, 4);
	len = pkt_end(&p);
	CHECK(dns_msg_parse(p.buf, len, &m) == 0);
	CHECK(cache_build(&m, &pol, &cm) == 0 && cm.rebind && !cm.cacheable);
	clamp = pol;
	clamp.rebind_protection = 0;
	CHECK(cache_build(&m, &clamp, &cm) == 0 && !cm.rebind &&
	    cm.cacheable);
	{
		uint8_t	 v6[16] = { 0xfd, 0 }, lo6[16] = { 0 };
		struct in_addr	 net;

		inet_pton(AF_INET, "192.168.50.0", &net);
		lo6[15] = 1;
		CHECK(cache_is_private(v6, 16, net, 24));
		CHECK(cache_is_private(lo6, 16, net, 24));
		CHECK(cache_is_private((const uint8_t *)"\x7f\0\0\1", 4, net,
		    24));
		CHECK(!cache_is_private(pub, 4, net, 24));
	}
}

/* Cache an answer for n<i>.example.test under key. */
static struct cache_entry *
insert_name(struct cache *c, int i, const uint8_t *key, size_t keylen,
    uint32_t hash, int64_t now)
{
	struct pkt	 p;
	uint8_t		 pub[4] = { 1, 2, 3, 4 };
	char		 name[32];
	size_t		 len;

	snprintf(name, sizeof(name), "n%d.example.test", i);
	pkt_start(&p, name, DNS_T_A, 0);
	pkt_rr(&p, DNS_S_ANSWER, name, DNS_T_A, 300, pub, 4);
	len = pkt_end(&p);
	if (dns_msg_parse(p.buf, len, &m) != 0 || cache_build(&m, &pol, &cm))
		return (NULL);
	return (cache_insert(c, key, keylen, hash, &cm, now));
}

static void
test_caps(void)
{
	struct cache	*c;
	struct dns_query q;
	uint8_t		 key[4][DNSD_KEY_MAX];
	uint32_t	 hash[4];
	size_t		 keylen[4], cap;
	char		 name[32];
	int		 i;

	c = cache_new(3, 1 << 20);
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "n%d.example.test", i);
		make_query(&q, name, DNS_T_A, 1, 0);
		keylen[i] = cache_key(&q, key[i], &hash[i]);
	}
	for (i = 0; i < 3; i++)
		insert_name(c, i, key[i], keylen[i], hash[i], 100);
	/* Touch n0 so n1 is the least recently used. */
	CHECK(cache_lookup(c, key[0], keylen[0], hash[0], 101, 0) != NULL);
	insert_name(c, 3, key[3], keylen[3], hash[3], 102);
	CHECK(cache_count(c) == 3 && cache_evictions(c) == 1);
	CHECK_MSG(cache_lookup(c, key[1], keylen[1], hash[1], 103, 0) == NULL,
	    "LRU entry evicted");
	CHECK(cache_lookup(c, key[0], keylen[0], hash[0], 103, 0) != NULL);
	/* Replacing a key keeps one entry. */
	insert_name(c, 0, key[0], keylen[0], hash[0], 104);
	CHECK(cache_count(c) == 3);
	/* A memory cap below two entries keeps one. */
	cap = cache_bytes(c) / 3 + 1;
	cache_limits(c, 1000, cap);
	insert_name(c, 1, key[1], keylen[1], hash[1], 105);
	CHECK_MSG(cache_count(c) == 1 && cache_bytes(c) <= cap,
	    "memory cap enforced");
	cache_free(c);
}

/* An RRSIG's RDATA covering type, signed by signer, with a fake signature. */
static size_t
rrsig_rdata(uint8_t *out, uint16_t covered, uint8_t labels,
    const char *signer)
{
	memset(out, 0, 18);
	out[0] = covered >> 8;
	out[1] = covered & 0xff;
	out[2] = 13;
	out[3] = labels;
	return (18 + name_rdata(signer, out + 18) + 8);
}

/*
 * A wildcard expansion (RFC 4035 3.1.3.3) as a minimal-responses server
 * sends it: the answer and its RRSIG, and in the authority section only
 * the NSEC proving no closer match, with its RRSIG; no SOA, no NS.  The
 * proof must stay.  A denial record signed by a zone that is not above
 * the name must not.
 */
static void
test_wildcard_proof(void)
{
	struct pkt	 p;
	uint8_t		 rd[256], a1[4] = { 203, 0, 113, 11 };
	size_t		 n, len;
	unsigned int	 i, nsec = 0, sig = 0;

	pkt_start(&p, "foo.wild.sec.test", DNS_T_A, 0);
	pkt_rr(&p, DNS_S_ANSWER, "foo.wild.sec.test", DNS_T_A, 300, a1, 4);
	n = rrsig_rdata(rd, DNS_T_A, 3, "sec.test");
	pkt_rr(&p, DNS_S_ANSWER, "foo.wild.sec.test", DNS_T_RRSIG, 300, rd, n);
	n = name_rdata("www.sec.test", rd);
	memcpy(rd + n, "\0\6\x40\0\0\0\0\x03", 8);
	pkt_rr(&p, DNS_S_AUTHORITY, "*.wild.sec.test", DNS_T_NSEC, 60, rd,
	    n + 8);
	n = rrsig_rdata(rd, DNS_T_NSEC, 3, "sec.test");
	pkt_rr(&p, DNS_S_AUTHORITY, "*.wild.sec.test", DNS_T_RRSIG, 60, rd, n);
	n = name_rdata("z.other.test", rd);
	memcpy(rd + n, "\0\6\x40\0\0\0\0\x03", 8);
	pkt_rr(&p, DNS_S_AUTHORITY, "a.other.test", DNS_T_NSEC, 60, rd, n + 8);
	n = rrsig_rdata(rd, DNS_T_NSEC, 3, "other.test");
	pkt_rr(&p, DNS_S_AUTHORITY, "a.other.test", DNS_T_RRSIG, 60, rd, n);
	len = pkt_end(&p);
	CHECK(dns_msg_parse(p.buf, len, &m) == 0 && m.nrr == 6);
	CHECK(cache_build(&m, &pol, &cm) == 0 && cm.cacheable);
	CHECK(dns_msg_parse(cm.wire, cm.len, &m) == 0);
	for (i = 0; i < m.nrr; i++) {
		uint8_t	 name[DNS_NAME_MAX];
		char	 s[DNS_NAME_STRLEN];

		if (m.rr[i].section != DNS_S_AUTHORITY)
			continue;
		dns_rr_name(&m, &m.rr[i], name);
		dns_name_to_str(name, DNS_NAME_MAX, s, sizeof(s));
		if (strcmp(s, "*.wild.sec.test") != 0)
			continue;
		nsec += m.rr[i].type == DNS_T_NSEC;
		sig += m.rr[i].type == DNS_T_RRSIG;
	}
	CHECK_MSG(m.hdr.ancount == 2 && m.hdr.nscount == 2 && nsec == 1 &&
	    sig == 1, "wildcard: answer, NSEC and its RRSIG kept, "
	    "out-of-zone denial dropped");
}

int
main(void)
{
	inet_pton(AF_INET, "192.168.50.0", &pol.lan_addr);
	test_positive();
	test_negative_and_clamp();
	test_caps();
	test_wildcard_proof();
	return (tap_done());
}
