/*
 * SPDX-License-Identifier: ISC
 *
 * dnswire_test.c: the wire codec against golden packets (a query, a
 * compressed answer, a negative answer with SOA) and against malformed
 * ones (truncations, pointer loops, forward pointers, long labels and
 * names, bad RDLENGTH, misplaced OPT), plus name conversions and a
 * parse -> copy -> parse round trip with compression.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dnswire.h"
#include "../tap.h"

/* dig +noedns www.example.test A, id 0x1234, RD. */
static const uint8_t q_plain[] = {
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	3, 'w', 'w', 'w', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e',
	's', 't', 0, 0x00, 0x01, 0x00, 0x01,
};

/* The same with EDNS0, UDP size 1232, DO set. */
static const uint8_t q_edns[] = {
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e',
	's', 't', 0, 0x00, 0x01, 0x00, 0x01,
	0, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
};

/*
 * Answer: www.example.test CNAME web.example.test (compressed against the
 * question), web.example.test A 203.0.113.1, authority example.test NS
 * ns1.example.test, additional ns1 A 203.0.113.53 and an OPT.
 */
static const uint8_t r_cname[] = {
	0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x01, 0x00, 0x02,
	/* 12: question */
	3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e',
	's', 't', 0, 0x00, 0x01, 0x00, 0x01,
	/* 34: www CNAME web.<ptr 16> */
	0xc0, 12, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x06,
	3, 'w', 'e', 'b', 0xc0, 16,
	/* 52: web A (ptr 46) */
	0xc0, 46, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04,
	203, 0, 113, 1,
	/* 68: example.test NS ns1 */
	0xc0, 16, 0x00, 0x02, 0x00, 0x01, 0x00, 0x01, 0x51, 0x80, 0x00, 0x06,
	3, 'n', 's', '1', 0xc0, 16,
	/* 86: ns1 A */
	0xc0, 80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x51, 0x80, 0x00, 0x04,
	203, 0, 113, 53,
	/* 102: OPT */
	0, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* NXDOMAIN for nope.example.test with the zone's SOA. */
static const uint8_t r_nx[] = {
	0xab, 0xcd, 0x81, 0x83, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	4, 'n', 'o', 'p', 'e', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't',
	'e', 's', 't', 0, 0x00, 0x01, 0x00, 0x01,
	/* 35: example.test SOA ns1.example.test. hostmaster.example.test. */
	0xc0, 17, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x27,
	3, 'n', 's', '1', 0xc0, 17,
	10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r', 0xc0, 17,
	0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0, 0x03, 0x84, 0, 0x09, 0x3a, 0x80,
	0, 0, 0x01, 0x2c,
};

static void
test_query(void)
{
	struct dns_query q;
	uint8_t	 pkt[600];
	char	 s[DNS_NAME_STRLEN];

	CHECK(dns_query_parse(q_plain, sizeof(q_plain), &q) == 0);
	CHECK(q.hdr.id == 0x1234 && (q.hdr.flags & DNS_F_RD));
	CHECK(q.qtype == DNS_T_A && q.qclass == DNS_C_IN);
	CHECK(q.qnamelen == 18 && !q.edns.present);
	CHECK(q.qend == sizeof(q_plain));
	CHECK(dns_name_to_str(q.qname, q.qnamelen, s, sizeof(s)) == 16);
	CHECK_STREQ(s, "www.Example.test");

	CHECK(dns_query_parse(q_edns, sizeof(q_edns), &q) == 0);
	CHECK(q.edns.present && q.edns.udp_size == 1232);
	CHECK(q.edns.flags & DNS_EDNS_DO);
	CHECK(q.qend == sizeof(q_edns) - DNS_OPT_LEN);

	/* Every truncation of a valid query is refused. */
	for (size_t n = 0; n < sizeof(q_edns); n++)
		if (dns_query_parse(q_edns, n, &q) != -EBADMSG) {
			CHECK_MSG(0, "truncated query refused");
			break;
		}
	CHECK_MSG(1, "every truncated query refused");

	/* Trailing garbage, two questions, an answer, a compressed name. */
	memcpy(pkt, q_plain, sizeof(q_plain));
	pkt[sizeof(q_plain)] = 0;
	CHECK(dns_query_parse(pkt, sizeof(q_plain) + 1, &q) == -EBADMSG);
	pkt[5] = 2;
	CHECK(dns_query_parse(pkt, sizeof(q_plain), &q) == -EBADMSG);
	pkt[5] = 1;
	pkt[7] = 1;
	CHECK(dns_query_parse(pkt, sizeof(q_plain), &q) == -EBADMSG);
	pkt[7] = 0;
	pkt[12] = 0xc0;
	pkt[13] = 12;
	CHECK(dns_query_parse(pkt, sizeof(q_plain), &q) == -EBADMSG);
	/* An additional record that is not OPT. */
	memcpy(pkt, q_edns, sizeof(q_edns));
	pkt[sizeof(q_edns) - 9] = 0x10;
	CHECK(dns_query_parse(pkt, sizeof(q_edns), &q) == -EBADMSG);
	/* A label of 64 bytes. */
	memset(pkt, 0, sizeof(pkt));
	pkt[5] = 1;
	pkt[12] = 64;
	memset(pkt + 13, 'a', 64);
	CHECK(dns_query_parse(pkt, 12 + 1 + 64 + 1 + 4, &q) == -EBADMSG);
	/* A name of 256 bytes: three labels of 63, one of 62, the root. */
	memset(pkt + 12, 0, sizeof(pkt) - 12);
	for (int i = 0; i < 3; i++) {
		pkt[12 + i * 64] = 63;
		memset(pkt + 13 + i * 64, 'a', 63);
	}
	pkt[12 + 192] = 62;
	memset(pkt + 13 + 192, 'b', 62);
	CHECK(dns_query_parse(pkt, 12 + 256 + 4, &q) == -EBADMSG);
	/* ... and 255 bytes is fine. */
	pkt[12 + 192] = 61;
	pkt[12 + 192 + 62] = 0;
	CHECK(dns_query_parse(pkt, 12 + 255 + 4, &q) == 0 &&
	    q.qnamelen == 255);
}

static void
test_response(void)
{
	static struct dns_msg m;
	uint8_t	 name[DNS_NAME_MAX];
	char	 s[DNS_NAME_STRLEN];
	int	 n;

	CHECK(dns_msg_parse(r_cname, sizeof(r_cname), &m) == 0);
	CHECK(m.nrr == 4 && m.edns.present && m.edns.udp_size == 1232);
	CHECK(m.rr[0].type == DNS_T_CNAME && m.rr[0].ttl == 3600 &&
	    m.rr[0].section == DNS_S_ANSWER);
	CHECK(m.rr[1].type == DNS_T_A && m.rr[1].ttl == 300 &&
	    m.rr[1].ttl_off == 58);
	CHECK(m.rr[2].section == DNS_S_AUTHORITY &&
	    m.rr[3].section == DNS_S_ADDITIONAL);
	n = dns_rr_name(&m, &m.rr[1], name);
	CHECK(n == 18);
	dns_name_to_str(name, (size_t)n, s, sizeof(s));
	CHECK_STREQ(s, "web.example.test");
	n = dns_rr_name(&m, &m.rr[3], name);
	dns_name_to_str(name, (size_t)n, s, sizeof(s));
	CHECK_STREQ(s, "ns1.example.test");

	CHECK(dns_msg_parse(r_nx, sizeof(r_nx), &m) == 0);
	CHECK((m.hdr.flags & DNS_F_RCODE) == DNS_R_NXDOMAIN);
	CHECK(m.nrr == 1 && m.rr[0].type == DNS_T_SOA &&
	    m.rr[0].section == DNS_S_AUTHORITY);

	for (size_t i = 0; i < sizeof(r_cname); i++)
		if (dns_msg_parse(r_cname, i, &m) == 0) {
			CHECK_MSG(0, "truncated response refused");
			break;
		}
	CHECK_MSG(1, "every truncated response refused");
}

static void
test_malformed(void)
{
	static struct dns_msg m;
	uint8_t	 pkt[sizeof(r_cname)];
	uint8_t	 big[12 + 4 + 200 * 15];

	/* A pointer to itself. */
	memcpy(pkt, r_cname, sizeof(pkt));
	pkt[34] = 0xc0;
	pkt[35] = 34;
	CHECK(dns_msg_parse(pkt, sizeof(pkt), &m) == -EBADMSG);
	/* A forward pointer. */
	pkt[35] = 90;
	CHECK(dns_msg_parse(pkt, sizeof(pkt), &m) == -EBADMSG);
	/* Two pointers pointing at each other (inside the CNAME RDATA). */
	memcpy(pkt, r_cname, sizeof(pkt));
	pkt[46] = 0xc0;
	pkt[47] = 48;
	pkt[48] = 0xc0;
	pkt[49] = 46;
	CHECK(dns_msg_parse(pkt, sizeof(pkt), &m) == -EBADMSG);
	/* Label type 0x40. */
	memcpy(pkt, r_cname, sizeof(pkt));
	pkt[46] = 0x43;
	CHECK(dns_msg_parse(pkt, sizeof(pkt), &m) == -EBADMSG);
	/* RDLENGTH past the end. */
	memcpy(pkt, r_cname, sizeof(pkt));
	pkt[63] = 0x40;
	CHECK(dns_msg_parse(pkt, sizeof(pkt), &m) == -EBADMSG);
	/* An A record of 5 bytes (RDLENGTH 5 and one byte stolen). */
	pkt[63] = 5;
	CHECK(dns_msg_parse(pkt, sizeof(pkt), &m) == -EBADMSG);
	/* CNAME RDATA longer than its name. */
	memcpy(pkt, r_cname, sizeof(pkt));
	pkt[45] = 7;
	CHECK(dns_msg_parse(pkt, sizeof(pkt), &m) == -EBADMSG);
	/* OPT in the answer section. */
	memcpy(pkt, r_cname, sizeof(pkt));
	pkt[7] = 5;
	pkt[9] = 0;
	pkt[11] = 0;
	CHECK(dns_msg_parse(pkt, sizeof(pkt), &m) == -EBADMSG);
	/* Two questions. */
	memcpy(pkt, r_cname, sizeof(pkt));
	pkt[5] = 2;
	CHECK(dns_msg_parse(pkt, sizeof(pkt), &m) == -EBADMSG);
	/* More records than a dns_msg holds. */
	memset(big, 0, sizeof(big));
	big[5] = 1;
	big[7] = 200;
	big[12] = 0;
	big[14] = 1;
	big[16] = 1;
	for (int i = 0; i < 200; i++) {
		uint8_t *r = big + 17 + i * 15;

		r[0] = 0;
		r[2] = 1;
		r[4] = 1;
		r[10] = 4;
	}
	CHECK(dns_msg_parse(big, 17 + 200 * 15, &m) == -E2BIG);
	CHECK(dns_msg_parse(big, 17 + 100 * 15, &m) == -EBADMSG);
	big[7] = 100;
	CHECK(dns_msg_parse(big, 17 + 100 * 15, &m) == 0 && m.nrr == 100);
}

static void
test_names(void)
{
	uint8_t	 a[DNS_NAME_MAX], b[DNS_NAME_MAX];
	char	 s[DNS_NAME_STRLEN], longs[300];
	int	 na, nb;

	na = dns_name_from_str("www.Example.TEST.", a);
	nb = dns_name_from_str("example.test", b);
	CHECK(na == 18 && nb == 14);
	CHECK(dns_name_under(a, (size_t)na, b, (size_t)nb));
	CHECK(!dns_name_under(b, (size_t)nb, a, (size_t)na));
	CHECK(dns_name_labels(a, (size_t)na) == 3);
	nb = dns_name_from_str("ample.test", b);
	CHECK(!dns_name_under(a, (size_t)na, b, (size_t)nb));
	nb = dns_name_from_str("WWW.example.test", b);
	CHECK(dns_name_equal(a, (size_t)na, b, (size_t)nb));
	dns_name_lower(a, (size_t)na);
	dns_name_to_str(a, (size_t)na, s, sizeof(s));
	CHECK_STREQ(s, "www.example.test");
	CHECK(dns_name_from_str(".", a) == 1 && a[0] == 0);
	dns_name_to_str(a, 1, s, sizeof(s));
	CHECK_STREQ(s, ".");
	CHECK(dns_name_from_str("a..b", a) == -EINVAL);
	CHECK(dns_name_from_str("a\\.b.c", a) == 7 && a[0] == 3);
	dns_name_to_str(a, 7, s, sizeof(s));
	CHECK_STREQ(s, "a\\.b.c");
	CHECK(dns_name_from_str("x\\000y", a) == 5);
	dns_name_to_str(a, 5, s, sizeof(s));
	CHECK_STREQ(s, "x\\000y");
	memset(longs, 'a', 64);
	longs[64] = '\0';
	CHECK(dns_name_from_str(longs, a) == -EINVAL);
	for (int i = 0; i < 300; i++)
		longs[i] = i % 2 ? '.' : 'a';
	longs[299] = '\0';
	CHECK(dns_name_from_str(longs, a) == -EINVAL);
	CHECK_STREQ(dns_type_str(28, s, sizeof(s)), "AAAA");
	CHECK_STREQ(dns_type_str(999, s, sizeof(s)), "TYPE999");
	CHECK_STREQ(dns_rcode_str(3, s, sizeof(s)), "NXDOMAIN");
}

static void
test_roundtrip(void)
{
	static struct dns_msg m, m2;
	struct dns_wr w;
	struct dns_header h;
	uint8_t	 out[512], n1[DNS_NAME_MAX], n2[DNS_NAME_MAX];
	size_t	 ttl_off = 0;
	int	 l1, l2, ok = 1;

	CHECK(dns_msg_parse(r_nx, sizeof(r_nx), &m) == 0);
	CHECK(dns_msg_parse(r_cname, sizeof(r_cname), &m) == 0);
	dns_wr_init(&w, out, sizeof(out));
	h = m.hdr;
	CHECK(dns_put_header(&w, &h) == 0);
	CHECK(dns_put_name(&w, m.qname, m.qnamelen, 1) == 0);
	dns_put_u16(&w, m.qtype);
	dns_put_u16(&w, m.qclass);
	for (unsigned int i = 0; i < m.nrr; i++)
		CHECK(dns_put_rr_copy(&w, &m, &m.rr[i], 77, &ttl_off) == 0);
	CHECK(out[ttl_off + 3] == 77);
	/* Compression made it no bigger than the original. */
	CHECK(w.pos + DNS_OPT_LEN <= sizeof(r_cname));
	CHECK(dns_put_opt(&w, DNS_EDNS_SIZE, DNS_EDNS_DO) == 0);
	CHECK(dns_msg_parse(out, w.pos, &m2) == 0);
	CHECK(m2.nrr == m.nrr && m2.edns.present &&
	    (m2.edns.flags & DNS_EDNS_DO));
	for (unsigned int i = 0; i < m.nrr; i++) {
		l1 = dns_rr_name(&m, &m.rr[i], n1);
		l2 = dns_rr_name(&m2, &m2.rr[i], n2);
		if (l1 != l2 || !dns_name_equal(n1, (size_t)l1, n2,
		    (size_t)l2) || m2.rr[i].ttl != 77 ||
		    m2.rr[i].type != m.rr[i].type)
			ok = 0;
	}
	CHECK_MSG(ok, "records survive the round trip");
	/* The CNAME target decompresses the same. */
	{
		struct dns_rd rd;

		dns_rd_init(&rd, out, w.pos);
		rd.pos = m2.rr[0].rdata_off;
		l2 = dns_get_name(&rd, n2);
		l1 = dns_name_from_str("web.example.test", n1);
		CHECK(l1 == l2 && dns_name_equal(n1, (size_t)l1, n2,
		    (size_t)l2));
	}
	/* Writing past the capacity fails cleanly. */
	dns_wr_init(&w, out, 20);
	CHECK(dns_put_header(&w, &h) == 0);
	CHECK(dns_put_name(&w, m.qname, m.qnamelen, 0) == -EMSGSIZE);
	CHECK(w.pos == 12);
}

/*
 * OPT options: they must tile the OPT's RDATA; a COOKIE is found and
 * checked for length; a query without a question is -ENODATA, not
 * -EBADMSG, when the rest is sound (RFC 7873 5.4).
 */
static void
test_opt_options(void)
{
	static const uint8_t q0[] = {
		0x42, 0x42, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 1,
		0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 12,
		0, 10, 0, 8, 'c', 'l', 'i', 'e', 'n', 't', 'c', 'k',
	};
	struct dns_query q;
	uint8_t	 pkt[64];
	struct dns_wr w;

	CHECK(dns_query_parse(q0, sizeof(q0), &q) == -ENODATA);
	CHECK(q.edns.present && q.edns.cookie_len == 8 &&
	    q.edns.cookie_off == sizeof(q0) - 8);
	memcpy(pkt, q0, sizeof(q0));
	pkt[26] = 9;		/* the option overruns RDLENGTH */
	CHECK(dns_query_parse(pkt, sizeof(q0), &q) == -EBADMSG);
	pkt[26] = 7;		/* a cookie of 7 bytes */
	pkt[22] = 11;
	CHECK(dns_query_parse(pkt, sizeof(q0) - 1, &q) == -EBADMSG);
	pkt[22] = 3;		/* a cut option header */
	CHECK(dns_query_parse(pkt, sizeof(q0) - 9, &q) == -EBADMSG);
	pkt[11] = 0;		/* no OPT, no question: still -ENODATA */
	CHECK(dns_query_parse(pkt, 12, &q) == -ENODATA && !q.edns.present);

	dns_wr_init(&w, pkt, sizeof(pkt));
	CHECK(dns_put_opt_ext(&w, 1232, DNS_EDNS_DO, DNS_R_BADVERS, 0, NULL,
	    0) == 0 && w.pos == DNS_OPT_LEN);
	CHECK(pkt[5] == 1 && pkt[6] == 0 && pkt[7] == 0x80 && pkt[10] == 0);
	CHECK(dns_put_opt_ext(&w, 1232, 0, 0, DNS_OPT_COOKIE, "12345678",
	    8) == 0 && w.pos == 2 * DNS_OPT_LEN + 12);
	dns_wr_init(&w, pkt, DNS_OPT_LEN + 11);
	CHECK(dns_put_opt_ext(&w, 1232, 0, 0, DNS_OPT_COOKIE, "12345678",
	    8) == -EMSGSIZE);
}

int
main(void)
{
	test_query();
	test_response();
	test_malformed();
	test_names();
	test_roundtrip();
	test_opt_options();
	return (tap_done());
}
