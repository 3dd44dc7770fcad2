/*
 * SPDX-License-Identifier: ISC
 *
 * local.c: the names the gateway is authoritative for, answered from the
 * host table and never forwarded: <host>.<domain> and <gateway>.<domain>
 * (A), the reverse zone of the LAN prefix (PTR for assigned addresses,
 * NXDOMAIN for the rest, so private addresses never leak upstream), and
 * the minimal answer to ANY (RFC 8482).  Reads the running config at
 * every query, so a reload changes the answers without any state here
 * beyond the zone names.
 */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "dnswire.h"
#include "dnsd.h"

/* Compute the local zone names from a config (start and reload). */
void
local_init(struct dnsd *dd, const struct hgw_conf *conf)
{
	uint32_t	 a = ntohl(conf->lan.addr.s_addr);
	char		 rev[64];
	int		 n, plen = conf->lan.plen;

	n = dns_name_from_str(conf->gateway.domain, dd->domain);
	if (n < 0) {
		dd->domain[0] = 0;
		n = 1;
	}
	dd->domainlen = (size_t)n;
	dns_name_lower(dd->domain, dd->domainlen);
	if (plen >= 24)
		snprintf(rev, sizeof(rev), "%u.%u.%u.in-addr.arpa",
		    (a >> 8) & 0xff, (a >> 16) & 0xff, a >> 24);
	else if (plen >= 16)
		snprintf(rev, sizeof(rev), "%u.%u.in-addr.arpa",
		    (a >> 16) & 0xff, a >> 24);
	else if (plen >= 8)
		snprintf(rev, sizeof(rev), "%u.in-addr.arpa", a >> 24);
	else
		rev[0] = '\0';
	dd->revzonelen = 0;
	if (rev[0] != '\0' && conf->lan.addr.s_addr != 0 &&
	    (n = dns_name_from_str(rev, dd->revzone)) > 0)
		dd->revzonelen = (size_t)n;
	dd->serial = (int64_t)time(NULL);
}

/* Host name + domain as a wire name; returns its length or 0. */
static size_t
fqdn(const struct dnsd *dd, const char *host, uint8_t *out)
{
	size_t	 n = strlen(host);

	if (n == 0 || n > DNS_LABEL_MAX || 1 + n + dd->domainlen >
	    DNS_NAME_MAX)
		return (0);
	out[0] = (uint8_t)n;
	memcpy(out + 1, host, n);
	dns_name_lower(out + 1, n);
	memcpy(out + 1 + n, dd->domain, dd->domainlen);
	return (1 + n + dd->domainlen);
}

struct reply {
	struct dns_wr	 w;
	uint16_t	 an, ns;
};

static int
reply_start(struct reply *r, const struct dns_query *q, unsigned int rcode,
    int aa, uint8_t *out, size_t cap)
{
	struct dns_header h;

	dns_wr_init(&r->w, out, cap);
	r->an = r->ns = 0;
	memset(&h, 0, sizeof(h));
	h.id = q->hdr.id;
	h.flags = DNS_F_QR | DNS_F_RA | (aa ? DNS_F_AA : 0) |
	    (q->hdr.flags & (DNS_F_RD | DNS_F_CD)) | (rcode & DNS_F_RCODE);
	h.qdcount = 1;
	if (dns_put_header(&r->w, &h) < 0 ||
	    dns_put_name(&r->w, q->qname, q->qnamelen, 1) < 0 ||
	    dns_put_u16(&r->w, q->qtype) < 0 ||
	    dns_put_u16(&r->w, q->qclass) < 0)
		return (-1);
	return (0);
}

/* Start a record; the caller writes RDLENGTH and RDATA. */
static int
rr_start(struct reply *r, const uint8_t *name, size_t len, uint16_t type,
    uint32_t ttl)
{
	if (dns_put_name(&r->w, name, len, 1) < 0 ||
	    dns_put_u16(&r->w, type) < 0 ||
	    dns_put_u16(&r->w, DNS_C_IN) < 0 || dns_put_u32(&r->w, ttl) < 0)
		return (-1);
	return (0);
}

static int
rr_a(struct reply *r, const uint8_t *name, size_t len, struct in_addr a)
{
	if (rr_start(r, name, len, DNS_T_A, DNSD_LOCAL_TTL) < 0 ||
	    dns_put_u16(&r->w, 4) < 0 || dns_put_bytes(&r->w, &a, 4) < 0)
		return (-1);
	r->an++;
	return (0);
}

static int
rr_ptr(struct reply *r, const uint8_t *name, size_t len,
    const uint8_t *target, size_t tlen)
{
	size_t	 at;

	if (rr_start(r, name, len, DNS_T_PTR, DNSD_LOCAL_TTL) < 0)
		return (-1);
	at = r->w.pos;
	if (dns_put_u16(&r->w, 0) < 0 ||
	    dns_put_name(&r->w, target, tlen, 1) < 0)
		return (-1);
	r->w.buf[at] = (uint8_t)((r->w.pos - at - 2) >> 8);
	r->w.buf[at + 1] = (uint8_t)((r->w.pos - at - 2) & 0xff);
	r->an++;
	return (0);
}

/* The SOA of a local zone, in the answer or authority section. */
static int
rr_soa(struct dnsd *dd, struct reply *r, const uint8_t *zone, size_t zlen,
    int answer)
{
	uint8_t	 mname[DNS_NAME_MAX], rname[DNS_NAME_MAX];
	size_t	 ml, rl, at;

	if ((ml = fqdn(dd, dd->conf->gateway.name, mname)) == 0 ||
	    (rl = fqdn(dd, "hostmaster", rname)) == 0)
		return (-1);
	if (rr_start(r, zone, zlen, DNS_T_SOA, DNSD_NEG_TTL) < 0)
		return (-1);
	at = r->w.pos;
	if (dns_put_u16(&r->w, 0) < 0 ||
	    dns_put_name(&r->w, mname, ml, 1) < 0 ||
	    dns_put_name(&r->w, rname, rl, 1) < 0 ||
	    dns_put_u32(&r->w, (uint32_t)dd->serial) < 0 ||
	    dns_put_u32(&r->w, 3600) < 0 || dns_put_u32(&r->w, 600) < 0 ||
	    dns_put_u32(&r->w, 86400) < 0 ||
	    dns_put_u32(&r->w, DNSD_NEG_TTL) < 0)
		return (-1);
	r->w.buf[at] = (uint8_t)((r->w.pos - at - 2) >> 8);
	r->w.buf[at + 1] = (uint8_t)((r->w.pos - at - 2) & 0xff);
	if (answer)
		r->an++;
	else
		r->ns++;
	return (0);
}

static size_t
reply_end(struct reply *r, const struct dns_query *q)
{
	uint16_t	 ar = 0;

	if (q->edns.present) {
		if (dns_put_opt(&r->w, DNS_EDNS_SIZE, q->edns.flags) < 0)
			return (0);
		ar = 1;
	}
	r->w.buf[6] = r->an >> 8;
	r->w.buf[7] = r->an & 0xff;
	r->w.buf[8] = r->ns >> 8;
	r->w.buf[9] = r->ns & 0xff;
	r->w.buf[10] = 0;
	r->w.buf[11] = (uint8_t)ar;
	return (r->w.pos);
}

/*
 * Read the labels of a reverse name in front of the zone: each must be a
 * decimal octet.  Fills oct[] in label order (least significant first)
 * and returns how many, or -1.
 */
static int
parse_rev(const uint8_t *name, size_t len, size_t zlen, uint8_t oct[4])
{
	size_t	 pos = 0;
	int	 n = 0;

	while (pos + zlen < len) {
		unsigned int	 v = 0, l = name[pos];

		if (l == 0 || l > 3 || n >= 4)
			return (-1);
		for (unsigned int i = 1; i <= l; i++) {
			if (name[pos + i] < '0' || name[pos + i] > '9')
				return (-1);
			v = v * 10 + (unsigned int)(name[pos + i] - '0');
		}
		if (v > 255)
			return (-1);
		oct[n++] = (uint8_t)v;
		pos += 1 + l;
	}
	return (n);
}

static size_t
answer_reverse(struct dnsd *dd, const struct dns_query *q,
    const uint8_t *lname, uint8_t *out, size_t cap)
{
	const struct hgw_conf *conf = dd->conf;
	struct hgw_host	*host;
	struct reply	 r;
	uint8_t		 oct[4], zocts[4], target[DNS_NAME_MAX];
	size_t		 tlen = 0;
	struct in_addr	 a;
	uint32_t	 v;
	int		 n, nz, i;

	n = parse_rev(lname, q->qnamelen, dd->revzonelen, oct);
	nz = dns_name_labels(dd->revzone, dd->revzonelen) - 2;
	if (n < 0 || n + nz > 4) {
		reply_start(&r, q, DNS_R_NXDOMAIN, 1, out, cap);
		rr_soa(dd, &r, dd->revzone, dd->revzonelen, 0);
		return (reply_end(&r, q));
	}
	if (n + nz < 4) {		/* an empty non-terminal, or the apex */
		reply_start(&r, q, DNS_R_NOERROR, 1, out, cap);
		rr_soa(dd, &r, dd->revzone, dd->revzonelen,
		    n == 0 && q->qtype == DNS_T_SOA);
		return (reply_end(&r, q));
	}
	/* Labels are least significant first; the zone holds the rest. */
	v = ntohl(conf->lan.addr.s_addr);
	for (i = 0; i < nz; i++)
		zocts[i] = (uint8_t)(v >> (24 - 8 * i));
	v = 0;
	for (i = 0; i < nz; i++)
		v = v << 8 | zocts[i];
	for (i = n - 1; i >= 0; i--)
		v = v << 8 | oct[i];
	a.s_addr = htonl(v);
	if (a.s_addr == conf->lan.addr.s_addr)
		tlen = fqdn(dd, conf->gateway.name, target);
	else if ((host = conf_host_by_addr(conf, a)) != NULL)
		tlen = fqdn(dd, host->name, target);
	if (tlen == 0) {
		reply_start(&r, q, DNS_R_NXDOMAIN, 1, out, cap);
		rr_soa(dd, &r, dd->revzone, dd->revzonelen, 0);
		return (reply_end(&r, q));
	}
	reply_start(&r, q, DNS_R_NOERROR, 1, out, cap);
	if (q->qtype == DNS_T_PTR)
		rr_ptr(&r, q->qname, q->qnamelen, target, tlen);
	else
		rr_soa(dd, &r, dd->revzone, dd->revzonelen, 0);
	return (reply_end(&r, q));
}

#define SPECIAL_TTL	10800

/*
 * The SOA of a special-use zone (RFC 6761), the same data unbound serves
 * for them.
 */
static int
rr_special_soa(struct reply *r, const uint8_t *zone, size_t zlen,
    int answer)
{
	static const uint8_t mname[] = "\011localhost";
	static const uint8_t rname[] = "\006nobody\007invalid";
	size_t	 at;

	if (rr_start(r, zone, zlen, DNS_T_SOA, SPECIAL_TTL) < 0)
		return (-1);
	at = r->w.pos;
	if (dns_put_u16(&r->w, 0) < 0 ||
	    dns_put_name(&r->w, mname, sizeof(mname), 1) < 0 ||
	    dns_put_name(&r->w, rname, sizeof(rname), 1) < 0 ||
	    dns_put_u32(&r->w, 1) < 0 || dns_put_u32(&r->w, 3600) < 0 ||
	    dns_put_u32(&r->w, 1200) < 0 || dns_put_u32(&r->w, 604800) < 0 ||
	    dns_put_u32(&r->w, SPECIAL_TTL) < 0)
		return (-1);
	r->w.buf[at] = (uint8_t)((r->w.pos - at - 2) >> 8);
	r->w.buf[at + 1] = (uint8_t)((r->w.pos - at - 2) & 0xff);
	if (answer)
		r->an++;
	else
		r->ns++;
	return (0);
}

static inline int
tail_is(const uint8_t *name, size_t len, const uint8_t *tail, size_t tlen)
{
	return (len >= tlen && memcmp(name + len - tlen, tail, tlen) == 0);
}

/*
 * RFC 6761 6.3 and 6.4: localhost. and every name under it is the
 * loopback address, answered here and never forwarded; invalid. and
 * every name under it does not exist.  Returns the length, 0 when the
 * name is neither.
 */
static size_t
answer_special(const struct dns_query *q, const uint8_t *lname,
    uint8_t *out, size_t cap)
{
	static const uint8_t localhost[] = "\011localhost";
	static const uint8_t invalid[] = "\007invalid";
	static const uint8_t lo6[16] = { [15] = 1 };
	struct reply	 r;
	size_t		 at;
	int		 apex;

	/* Every query passes here: compare the tail before walking labels. */
	if (tail_is(lname, q->qnamelen, invalid, sizeof(invalid)) &&
	    dns_name_under(lname, q->qnamelen, invalid, sizeof(invalid))) {
		apex = q->qnamelen == sizeof(invalid);
		reply_start(&r, q, apex ? DNS_R_NOERROR : DNS_R_NXDOMAIN, 1,
		    out, cap);
		rr_special_soa(&r, invalid, sizeof(invalid),
		    apex && q->qtype == DNS_T_SOA);
		return (reply_end(&r, q));
	}
	if (!tail_is(lname, q->qnamelen, localhost, sizeof(localhost)) ||
	    !dns_name_under(lname, q->qnamelen, localhost, sizeof(localhost)))
		return (0);
	apex = q->qnamelen == sizeof(localhost);
	if (reply_start(&r, q, DNS_R_NOERROR, 1, out, cap) < 0)
		return (0);
	if (q->qtype == DNS_T_A) {
		struct in_addr	 lo = { htonl(INADDR_LOOPBACK) };

		if (rr_start(&r, q->qname, q->qnamelen, DNS_T_A,
		    SPECIAL_TTL) < 0 || dns_put_u16(&r.w, 4) < 0 ||
		    dns_put_bytes(&r.w, &lo, 4) < 0)
			return (0);
		r.an++;
	} else if (q->qtype == DNS_T_AAAA) {
		if (rr_start(&r, q->qname, q->qnamelen, DNS_T_AAAA,
		    SPECIAL_TTL) < 0 || dns_put_u16(&r.w, 16) < 0 ||
		    dns_put_bytes(&r.w, lo6, 16) < 0)
			return (0);
		r.an++;
	} else if (apex && q->qtype == DNS_T_NS) {
		if (rr_start(&r, q->qname, q->qnamelen, DNS_T_NS,
		    SPECIAL_TTL) < 0)
			return (0);
		at = r.w.pos;
		if (dns_put_u16(&r.w, 0) < 0 ||
		    dns_put_name(&r.w, localhost, sizeof(localhost), 1) < 0)
			return (0);
		r.w.buf[at + 1] = (uint8_t)(r.w.pos - at - 2);
		r.an++;
	} else
		rr_special_soa(&r, localhost, sizeof(localhost),
		    apex && q->qtype == DNS_T_SOA);
	return (reply_end(&r, q));
}

/*
 * Answer a query for a local name into out.  Returns the length, or 0
 * when the name is not ours and must be forwarded (or cached).
 */
size_t
local_answer(struct dnsd *dd, const struct dnsd_req *req, uint8_t *out,
    size_t cap)
{
	const struct dns_query *q = &req->q;
	const struct hgw_conf *conf = dd->conf;
	struct hgw_host	*host;
	struct reply	 r;
	uint8_t		 lname[DNS_NAME_MAX], name[DNS_NAME_MAX];
	struct in_addr	 addr;
	size_t		 n;
	int		 found = 0;

	if (q->qclass != DNS_C_IN)
		return (0);
	/* The key starts with the name in lower case. */
	memcpy(lname, req->key, q->qnamelen);
	if ((n = answer_special(q, lname, out, cap)) > 0)
		return (n);
	if (dd->revzonelen > 0 && dns_name_under(lname, q->qnamelen,
	    dd->revzone, dd->revzonelen))
		return (answer_reverse(dd, q, lname, out, cap));
	if (dd->domainlen <= 1 || !dns_name_under(lname, q->qnamelen,
	    dd->domain, dd->domainlen))
		return (0);
	if (q->qnamelen == dd->domainlen) {	/* the apex */
		reply_start(&r, q, DNS_R_NOERROR, 1, out, cap);
		rr_soa(dd, &r, dd->domain, dd->domainlen,
		    q->qtype == DNS_T_SOA);
		return (reply_end(&r, q));
	}
	n = fqdn(dd, conf->gateway.name, name);
	if (n == q->qnamelen && memcmp(name, lname, n) == 0) {
		found = 1;
		addr = conf->lan.addr;
	}
	if (!found)
		TAILQ_FOREACH(host, &conf->hosts, entry) {
			n = fqdn(dd, host->name, name);
			if (n == q->qnamelen && memcmp(name, lname, n) == 0) {
				found = 1;
				addr = host->addr;
				break;
			}
		}
	if (!found) {
		reply_start(&r, q, DNS_R_NXDOMAIN, 1, out, cap);
		rr_soa(dd, &r, dd->domain, dd->domainlen, 0);
		return (reply_end(&r, q));
	}
	reply_start(&r, q, DNS_R_NOERROR, 1, out, cap);
	if (q->qtype == DNS_T_A)
		rr_a(&r, q->qname, q->qnamelen, addr);
	else
		rr_soa(dd, &r, dd->domain, dd->domainlen, 0);	/* NODATA */
	return (reply_end(&r, q));
}

/*
 * The answer to ANY (RFC 8482 4.2): one synthesized HINFO record, so a
 * small query never turns into a large amplified answer.
 */
size_t
local_any(const struct dns_query *q, uint8_t *out, size_t cap)
{
	static const uint8_t hinfo[] = { 7, 'R', 'F', 'C', '8', '4', '8', '2',
	    0 };
	struct reply	 r;

	if (reply_start(&r, q, DNS_R_NOERROR, 0, out, cap) < 0 ||
	    rr_start(&r, q->qname, q->qnamelen, DNS_T_HINFO, 3600) < 0 ||
	    dns_put_u16(&r.w, sizeof(hinfo)) < 0 ||
	    dns_put_bytes(&r.w, hinfo, sizeof(hinfo)) < 0)
		return (0);
	r.an = 1;
	return (reply_end(&r, q));
}
