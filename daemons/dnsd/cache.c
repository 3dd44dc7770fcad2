/*
 * SPDX-License-Identifier: ISC
 *
 * cache.c: the answer cache.  An answer is kept as a ready wire copy
 * (question in lower case, no OPT) plus the offsets of its TTL fields, so
 * serving a hit is one copy and a few patches: the ID, the question's
 * case, the TTLs counted down, the OPT record.  Owns the scrubbing of
 * upstream answers (records outside the question's chain and zone are
 * dropped before caching), TTL clamping, RFC 2308 negative caching from
 * the SOA, RFC 8767 stale entries, DNS rebinding checks, and the memory
 * accounting with LRU eviction under a hard cap.  Never talks to the
 * network; time is always passed in, so tests drive it with a fake clock.
 */
#include <sys/queue.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dnswire.h"
#include "dnsd.h"

TAILQ_HEAD(cache_lru, cache_entry);

struct cache {
	struct cache_entry	**table;
	unsigned int		 tsize;		/* power of two */
	struct cache_lru	 lru;		/* most recent first */
	unsigned int		 count;
	unsigned int		 max_entries;
	size_t			 bytes;
	size_t			 max_bytes;
	uint64_t		 evictions;
};

#define CHAIN_MAX	8	/* CNAME chain links followed */

/* The TTL offsets at the start of data[] are read as uint16_t. */
_Static_assert(offsetof(struct cache_entry, data) % sizeof(uint16_t) == 0,
    "cache_entry data misaligned");
#define APEX_MAX	8

/*
 * Create a cache holding at most max_entries answers and max_bytes.  The
 * hash table starts small and doubles as the cache fills, so an idle
 * resolver with a large cap stays small.
 */
struct cache *
cache_new(unsigned int max_entries, size_t max_bytes)
{
	struct cache	*c;
	unsigned int	 n = 1024;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	if ((c->table = calloc(n, sizeof(*c->table))) == NULL) {
		free(c);
		return (NULL);
	}
	c->tsize = n;
	TAILQ_INIT(&c->lru);
	c->max_entries = max_entries ? max_entries : 1;
	c->max_bytes = max_bytes;
	return (c);
}

/* Double the hash table (at most 2^24 slots); on failure keep the old. */
static void
grow(struct cache *c)
{
	struct cache_entry	**t, *e, *next;
	unsigned int		 n = c->tsize * 2, i;

	if (n > (1U << 24) || (t = calloc(n, sizeof(*t))) == NULL)
		return;
	for (i = 0; i < c->tsize; i++)
		for (e = c->table[i]; e != NULL; e = next) {
			next = e->hnext;
			e->hnext = t[e->hash & (n - 1)];
			t[e->hash & (n - 1)] = e;
		}
	free(c->table);
	c->table = t;
	c->tsize = n;
}

static void
entry_remove(struct cache *c, struct cache_entry *e)
{
	struct cache_entry	**pp;

	for (pp = &c->table[e->hash & (c->tsize - 1)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	TAILQ_REMOVE(&c->lru, e, lru);
	c->count--;
	c->bytes -= CACHE_SIZE(e);
	free(e);
}

/* Free the cache and every entry. */
void
cache_free(struct cache *c)
{
	struct cache_entry	*e;

	if (c == NULL)
		return;
	while ((e = TAILQ_FIRST(&c->lru)) != NULL)
		entry_remove(c, e);
	free(c->table);
	free(c);
}

/* Change the caps (on reload); the excess goes at the next insert. */
void
cache_limits(struct cache *c, unsigned int max_entries, size_t max_bytes)
{
	c->max_entries = max_entries ? max_entries : 1;
	c->max_bytes = max_bytes;
}

/* Answers held. */
unsigned int
cache_count(const struct cache *c)
{
	return (c->count);
}

/* Bytes accounted to answers. */
size_t
cache_bytes(const struct cache *c)
{
	return (c->bytes);
}

/* Entries evicted to respect the caps. */
uint64_t
cache_evictions(const struct cache *c)
{
	return (c->evictions);
}

/*
 * Build the key of a query: its name folded to lower case, type, class
 * and the DO and CD bits (an answer for a DNSSEC-aware client keeps its
 * signatures, one with CD set was not validated upstream), with an FNV-1a
 * hash computed on the way.
 */
size_t
cache_key(const struct dns_query *q, uint8_t *key, uint32_t *hash)
{
	uint32_t	 h = 2166136261u;
	size_t		 i, n = q->qnamelen;
	uint8_t		 c;

	for (i = 0; i < n; i++) {
		c = q->qname[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		key[i] = c;
		h = (h ^ c) * 16777619u;
	}
	key[n++] = q->qtype >> 8;
	key[n++] = q->qtype & 0xff;
	key[n++] = q->qclass >> 8;
	key[n++] = q->qclass & 0xff;
	key[n] = (q->edns.flags & DNS_EDNS_DO ? DNSD_KEY_DO : 0) |
	    (q->hdr.flags & DNS_F_CD ? DNSD_KEY_CD : 0);
	for (i = n - 4; i <= n; i++)
		h = (h ^ key[i]) * 16777619u;
	*hash = h;
	return (n + 1);
}

/* Is e the answer for key?  Its question is the key but the last byte. */
static inline int
key_match(const struct cache_entry *e, const uint8_t *key, size_t keylen,
    uint32_t hash)
{
	return (e->hash == hash && e->keyflags == key[keylen - 1] &&
	    e->len >= DNS_HDR_LEN + keylen - 1 &&
	    memcmp(CACHE_WIRE(e) + DNS_HDR_LEN, key, keylen - 1) == 0);
}

/*
 * Find the answer for a key.  A fresh answer moves to the front of the
 * LRU list.  An expired one is returned only when allow_stale is set and
 * it is younger than DNSD_STALE_MAX_S past its expiry; one older than that
 * is freed.
 */
struct cache_entry *
cache_lookup(struct cache *c, const uint8_t *key, size_t keylen,
    uint32_t hash, int64_t now, int allow_stale)
{
	struct cache_entry	*e;

	for (e = c->table[hash & (c->tsize - 1)]; e != NULL; e = e->hnext)
		if (key_match(e, key, keylen, hash))
			break;
	if (e == NULL)
		return (NULL);
	if (now < e->expires) {
		if (TAILQ_FIRST(&c->lru) != e) {
			TAILQ_REMOVE(&c->lru, e, lru);
			TAILQ_INSERT_HEAD(&c->lru, e, lru);
		}
		e->hits++;
		return (e);
	}
	if (now >= (int64_t)e->expires + DNSD_STALE_MAX_S) {
		entry_remove(c, e);
		return (NULL);
	}
	return (allow_stale ? e : NULL);
}

/*
 * Store an answer built by cache_build() under a key, replacing any
 * older answer, evicting from the LRU tail to stay under both caps.
 * Returns the entry or NULL (no memory, or larger than the whole cap).
 */
struct cache_entry *
cache_insert(struct cache *c, const uint8_t *key, size_t keylen,
    uint32_t hash, const struct cache_msg *cm, int64_t now)
{
	struct cache_entry	*e, **pp;
	size_t			 size;

	if (keylen < 6 || keylen > DNSD_KEY_MAX ||
	    cm->len > DNSD_CACHE_MSG_MAX || cm->nttl > DNSD_TTL_MAX_RR)
		return (NULL);
	/* The key is the message's question: refuse anything else. */
	if (cm->len < DNS_HDR_LEN + keylen - 1 ||
	    memcmp(cm->wire + DNS_HDR_LEN, key, keylen - 1) != 0)
		return (NULL);
	size = CACHE_HDR_SIZE + cm->nttl * sizeof(uint16_t) + cm->len;
	if (size > c->max_bytes)
		return (NULL);
	for (pp = &c->table[hash & (c->tsize - 1)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (key_match(*pp, key, keylen, hash)) {
			entry_remove(c, *pp);
			break;
		}
	while (c->count > 0 && (c->count >= c->max_entries ||
	    c->bytes + size > c->max_bytes)) {
		entry_remove(c, TAILQ_LAST(&c->lru, cache_lru));
		c->evictions++;
	}
	if (c->count >= c->tsize)
		grow(c);
	if ((e = malloc(size)) == NULL)
		return (NULL);
	memset(e, 0, CACHE_HDR_SIZE);
	e->hash = hash;
	e->len = (uint16_t)cm->len;
	e->nttl = (uint16_t)cm->nttl;
	e->keyflags = key[keylen - 1];
	memcpy(e->data, cm->ttl_off, cm->nttl * sizeof(uint16_t));
	memcpy(CACHE_WIRE(e), cm->wire, cm->len);
	e->rcode = cm->rcode;
	e->inserted = (int32_t)now;
	e->ttl = cm->ttl;
	e->expires = (int32_t)(now + cm->ttl > INT32_MAX ? INT32_MAX :
	    now + cm->ttl);
	e->hnext = c->table[hash & (c->tsize - 1)];
	c->table[hash & (c->tsize - 1)] = e;
	TAILQ_INSERT_HEAD(&c->lru, e, lru);
	c->count++;
	c->bytes += size;
	return (e);
}

/*
 * Addresses a public name must never resolve to (DNS rebinding): the
 * LAN prefix, RFC 1918, loopback, link-local, "this network", shared
 * address space; for IPv6 loopback, unspecified, ULA, link-local and
 * IPv4-mapped forms of the IPv4 ones.
 */
int
cache_is_private(const uint8_t *r, size_t len, struct in_addr lan, int plen)
{
	static const uint8_t zero[10];
	struct in_addr	 a;

	if (len == 16) {
		if (memcmp(r, zero, 10) == 0 && r[10] == 0xff &&
		    r[11] == 0xff)
			return (cache_is_private(r + 12, 4, lan, plen));
		if (memcmp(r, zero, 10) == 0 && r[10] == 0 && r[11] == 0 &&
		    r[12] == 0 && r[13] == 0 && r[14] == 0 && r[15] <= 1)
			return (1);
		if ((r[0] & 0xfe) == 0xfc)
			return (1);
		if (r[0] == 0xfe && (r[1] & 0xc0) == 0x80)
			return (1);
		return (0);
	}
	if (len != 4)
		return (0);
	memcpy(&a, r, 4);
	if (plen > 0 && addr_in_prefix4(a, lan, plen))
		return (1);
	return (r[0] == 10 || r[0] == 127 || r[0] == 0 ||
	    (r[0] == 172 && (r[1] & 0xf0) == 16) ||
	    (r[0] == 192 && r[1] == 168) ||
	    (r[0] == 169 && r[1] == 254) ||
	    (r[0] == 100 && (r[1] & 0xc0) == 64));
}

/* Does an RRSIG cover NSEC or NSEC3 (a denial proof)? */
static int
covers_denial(const struct dns_msg *m, const struct dns_rr *rr)
{
	uint16_t	 t;

	if (rr->rdlen < 2)
		return (0);
	t = (uint16_t)(m->pkt[rr->rdata_off] << 8 | m->pkt[rr->rdata_off + 1]);
	return (t == DNS_T_NSEC || t == DNS_T_NSEC3);
}

/* The signer's name of an RRSIG (RFC 4034 3.1.7), never compressed. */
static int
rrsig_signer(const struct dns_msg *m, const struct dns_rr *rr, uint8_t *out)
{
	struct dns_rd	 rd;

	if (rr->rdlen < 18)
		return (-EBADMSG);
	dns_rd_init(&rd, m->pkt, (size_t)rr->rdata_off + rr->rdlen);
	rd.pos = (size_t)rr->rdata_off + 18;
	return (dns_get_name(&rd, out));
}

static uint32_t
clamp(uint32_t ttl, const struct cache_policy *p)
{
	if (ttl > 0x7fffffff)		/* RFC 2181 8: treat as zero */
		ttl = 0;
	if (ttl < p->min_ttl)
		ttl = p->min_ttl;
	if (p->max_ttl > 0 && ttl > p->max_ttl)
		ttl = p->max_ttl;
	return (ttl);
}

/*
 * Turn a validated upstream reply into the answer we cache and serve.
 * Kept: answer records owned by the question name or a name its
 * CNAME/DNAME chain leads to; for a negative answer, authority records
 * owned by an ancestor of those names (SOA, NS, DS, ...), DNSSEC denial
 * records (NSEC, NSEC3, RRSIG) under such an apex and additional records
 * under it; for a positive one only the denial records.
 * Everything else is out of bailiwick and dropped.  Decides the
 * lifetime: the smallest clamped TTL of the answer, or for NXDOMAIN and
 * NODATA min(SOA TTL, SOA MINIMUM) capped by negative_ttl (RFC 2308 5);
 * without an SOA a negative answer is not cacheable.  Returns 0, or
 * -EMSGSIZE when the result does not fit.
 */
int
cache_build(const struct dns_msg *m, const struct cache_policy *pol,
    struct cache_msg *out)
{
	static uint8_t	 chain[CHAIN_MAX][DNS_NAME_MAX];
	static uint8_t	 apex[APEX_MAX][DNS_NAME_MAX];
	size_t		 chainlen[CHAIN_MAX], apexlen[APEX_MAX];
	uint8_t		 keep[DNS_RR_MAX], name[DNS_NAME_MAX];
	uint32_t	 ttl[DNS_RR_MAX], life = UINT32_MAX, neg = UINT32_MAX;
	unsigned int	 nchain = 0, napex = 0, i, j, pass;
	unsigned int	 an = 0, ns = 0, ar = 0;
	int		 positive = 0;
	struct dns_header h;
	struct dns_wr	 w;
	const struct dns_rr *rr;
	size_t		 off;
	int		 n, rcode, found, r;

	memset(keep, 0, sizeof(keep));
	out->cacheable = 0;
	out->rebind = 0;
	out->nttl = 0;
	out->len = 0;
	rcode = m->hdr.flags & DNS_F_RCODE;
	out->rcode = (uint8_t)rcode;
	if (m->hdr.qdcount != 1)
		return (-EBADMSG);
	memcpy(chain[0], m->qname, m->qnamelen);
	dns_name_lower(chain[0], m->qnamelen);
	chainlen[nchain++] = m->qnamelen;

	/* The answer: follow the chain; twice for out-of-order records. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < m->nrr; i++) {
			rr = &m->rr[i];
			if (rr->section != DNS_S_ANSWER || keep[i])
				continue;
			if ((n = dns_rr_name(m, rr, name)) < 0)
				return (-EBADMSG);
			for (found = 0, j = 0; j < nchain && !found; j++)
				found = rr->type == DNS_T_DNAME ?
				    dns_name_under(chain[j], chainlen[j], name,
				    (size_t)n) : dns_name_equal(name, (size_t)n,
				    chain[j], chainlen[j]);
			if (!found)
				continue;
			keep[i] = 1;
			if (rr->type == DNS_T_CNAME && nchain < CHAIN_MAX) {
				struct dns_rd	 rd;
				int		 t;

				dns_rd_init(&rd, m->pkt, m->len);
				rd.pos = rr->rdata_off;
				if ((t = dns_get_name(&rd, chain[nchain])) < 0)
					return (-EBADMSG);
				dns_name_lower(chain[nchain], (size_t)t);
				chainlen[nchain++] = (size_t)t;
			}
		}
	/*
	 * A positive answer goes out minimal, as unbound's minimal-responses
	 * does: the NS records and glue of the zone are of no use to a stub
	 * and only make every cached answer larger.  DNSSEC denial records
	 * (a wildcard's proof) stay.  A CNAME chain ending in NXDOMAIN or
	 * NODATA is not positive: it keeps its SOA for negative caching.
	 */
	for (i = 0; i < m->nrr; i++)
		if (keep[i] && rcode == DNS_R_NOERROR &&
		    m->rr[i].type == m->qtype)
			positive = 1;
	/*
	 * The signer of an RRSIG is a zone: one above a chain name is as good
	 * an apex as an SOA.  A wildcard expansion's NSEC or NSEC3 proof (RFC
	 * 4035 3.1.3.3, RFC 5155 7.2.6) has no SOA or NS beside it, and a
	 * referral's opt-out proof is signed by the parent of its NS.
	 */
	for (i = 0; i < m->nrr; i++) {
		rr = &m->rr[i];
		if (rr->type != DNS_T_RRSIG || napex >= APEX_MAX ||
		    rr->section == DNS_S_ADDITIONAL ||
		    (rr->section == DNS_S_ANSWER && !keep[i]))
			continue;
		if ((r = rrsig_signer(m, rr, apex[napex])) < 0)
			return (-EBADMSG);
		for (found = 0, j = 0; j < nchain && !found; j++)
			found = dns_name_under(chain[j], chainlen[j],
			    apex[napex], (size_t)r);
		for (j = 0; j < napex && found; j++)
			if (dns_name_equal(apex[j], apexlen[j], apex[napex],
			    (size_t)r))
				found = 0;
		if (found)
			apexlen[napex++] = (size_t)r;
	}
	/* Authority: zone cuts above the chain, then denial under them. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < m->nrr; i++) {
			rr = &m->rr[i];
			if (rr->section != DNS_S_AUTHORITY || keep[i])
				continue;
			if ((n = dns_rr_name(m, rr, name)) < 0)
				return (-EBADMSG);
			found = 0;
			if (pass == 0) {
				for (j = 0; j < nchain && !found; j++)
					found = dns_name_under(chain[j],
					    chainlen[j], name, (size_t)n);
				if (found && (rr->type == DNS_T_SOA ||
				    rr->type == DNS_T_NS) &&
				    napex < APEX_MAX) {
					memcpy(apex[napex], name, (size_t)n);
					apexlen[napex++] = (size_t)n;
				}
				if (positive)
					found = 0;
			} else if (rr->type == DNS_T_NSEC ||
			    rr->type == DNS_T_NSEC3 ||
			    (rr->type == DNS_T_RRSIG && (!positive ||
			    covers_denial(m, rr)))) {
				for (j = 0; j < napex && !found; j++)
					found = dns_name_under(name, (size_t)n,
					    apex[j], apexlen[j]);
			}
			if (!found)
				continue;
			keep[i] = 1;
			if (rr->type == DNS_T_SOA) {
				uint32_t	 min;
				const uint8_t	*p = m->pkt + rr->rdata_off +
				    rr->rdlen - 4;

				min = (uint32_t)p[0] << 24 |
				    (uint32_t)p[1] << 16 |
				    (uint32_t)p[2] << 8 | p[3];
				if (min > rr->ttl)
					min = rr->ttl;
				if (min < neg)
					neg = min;
			}
		}
	/* Additional: only in-bailiwick records (glue, signatures). */
	for (i = 0; i < m->nrr; i++) {
		rr = &m->rr[i];
		if (rr->section != DNS_S_ADDITIONAL || positive)
			continue;
		if ((n = dns_rr_name(m, rr, name)) < 0)
			return (-EBADMSG);
		for (found = 0, j = 0; j < napex && !found; j++)
			found = dns_name_under(name, (size_t)n, apex[j],
			    apexlen[j]);
		keep[i] = (uint8_t)found;
	}

	/* Lifetime and rebinding. */
	for (i = 0; i < m->nrr; i++) {
		rr = &m->rr[i];
		if (!keep[i])
			continue;
		ttl[i] = clamp(rr->ttl, pol);
		if (rr->section == DNS_S_ANSWER) {
			an++;
			if (rr->type != DNS_T_RRSIG && ttl[i] < life)
				life = ttl[i];
			if (pol->rebind_protection &&
			    (rr->type == DNS_T_A || rr->type == DNS_T_AAAA) &&
			    cache_is_private(m->pkt + rr->rdata_off,
			    rr->rdlen, pol->lan_addr, pol->lan_plen))
				out->rebind = 1;
		} else if (rr->section == DNS_S_AUTHORITY)
			ns++;
		else
			ar++;
	}
	if ((rcode == DNS_R_NOERROR && an == 0) || rcode == DNS_R_NXDOMAIN) {
		if (neg != UINT32_MAX) {
			if (neg > pol->negative_ttl)
				neg = pol->negative_ttl;
			life = neg;
			out->cacheable = 1;
			for (i = 0; i < m->nrr; i++)
				if (keep[i] && ttl[i] > neg)
					ttl[i] = neg;
		}
	} else if (rcode == DNS_R_NOERROR && life != UINT32_MAX)
		out->cacheable = 1;
	if (out->rebind)
		out->cacheable = 0;
	out->ttl = life == UINT32_MAX ? 0 : life;

	/* Write it: header, question (lower case), the kept records. */
	dns_wr_init(&w, out->wire, sizeof(out->wire));
	h.id = 0;
	h.flags = DNS_F_QR | DNS_F_RA | (m->hdr.flags &
	    (DNS_F_RD | DNS_F_AD | DNS_F_CD | DNS_F_RCODE));
	h.qdcount = 1;
	h.ancount = (uint16_t)an;
	h.nscount = (uint16_t)ns;
	h.arcount = (uint16_t)ar;
	if ((r = dns_put_header(&w, &h)) < 0 ||
	    (r = dns_put_name(&w, chain[0], chainlen[0], 1)) < 0 ||
	    (r = dns_put_u16(&w, m->qtype)) < 0 ||
	    (r = dns_put_u16(&w, m->qclass)) < 0)
		return (r);
	/* dns_msg_parse keeps records in section order. */
	for (i = 0; i < m->nrr; i++) {
		if (!keep[i])
			continue;
		if ((r = dns_put_rr_copy(&w, m, &m->rr[i], ttl[i], &off)) < 0)
			return (r);
		if (out->nttl < DNSD_TTL_MAX_RR && off <= UINT16_MAX)
			out->ttl_off[out->nttl++] = (uint16_t)off;
	}
	out->len = w.pos;
	return (0);
}

/*
 * Write a stored answer for a client: its ID, the RD and CD bits of its
 * query, its spelling of the name (same length: the name matched case-
 * insensitively), every TTL counted down by elapsed seconds (or
 * DNSD_STALE_TTL for a stale answer), and an OPT record when the client
 * sent one.  An answer larger than limit becomes an empty one with TC
 * set, so the client retries over TCP.  Returns the length written, 0 if
 * cap is too small.
 */
size_t
cache_write(const uint8_t *wire, size_t len, const uint16_t *ttl_off,
    unsigned int nttl, int64_t elapsed, int stale, uint16_t id,
    uint16_t qflags, const uint8_t *qname, size_t qnamelen,
    const struct dns_edns *edns, size_t limit, uint8_t *out, size_t cap)
{
	size_t		 need = len + (edns->present ? DNS_OPT_LEN : 0);
	size_t		 qend = DNS_HDR_LEN + qnamelen + 4;
	uint16_t	 flags;
	unsigned int	 i;
	int		 tc = 0;

	if (len < qend)
		return (0);
	if (need > limit) {
		len = qend;
		tc = 1;
	}
	if (len + DNS_OPT_LEN > cap)
		return (0);
	memcpy(out, wire, len);
	out[0] = id >> 8;
	out[1] = id & 0xff;
	flags = (uint16_t)(wire[2] << 8 | wire[3]);
	flags = (flags & ~(DNS_F_RD | DNS_F_CD | DNS_F_TC)) |
	    (qflags & (DNS_F_RD | DNS_F_CD)) | (tc ? DNS_F_TC : 0);
	out[2] = flags >> 8;
	out[3] = flags & 0xff;
	memcpy(out + DNS_HDR_LEN, qname, qnamelen);
	if (tc) {
		memset(out + 6, 0, 6);
	} else {
		for (i = 0; i < nttl; i++) {
			uint8_t		*p = out + ttl_off[i];
			uint32_t	 t;

			t = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			    (uint32_t)p[2] << 8 | p[3];
			if (stale)
				t = DNSD_STALE_TTL;
			else
				t = (int64_t)t > elapsed ?
				    t - (uint32_t)elapsed : 0;
			p[0] = t >> 24;
			p[1] = (t >> 16) & 0xff;
			p[2] = (t >> 8) & 0xff;
			p[3] = t & 0xff;
		}
	}
	if (edns->present) {
		uint16_t	 ar = (uint16_t)(out[10] << 8 | out[11]) + 1;
		struct dns_wr	 w;

		dns_wr_init(&w, out + len, DNS_OPT_LEN);
		dns_put_opt(&w, DNS_EDNS_SIZE, edns->flags);
		out[10] = ar >> 8;
		out[11] = ar & 0xff;
		len += DNS_OPT_LEN;
	}
	return (len);
}

/* Write a cached entry for a query; stale when past its expiry. */
size_t
cache_write_entry(const struct cache_entry *e, int64_t now,
    const struct dns_query *q, size_t limit, uint8_t *out, size_t cap)
{
	return (cache_write(CACHE_WIRE(e), e->len, CACHE_TTL_OFF(e), e->nttl,
	    now - e->inserted, now >= e->expires, q->hdr.id, q->hdr.flags,
	    q->qname, q->qnamelen, &q->edns, limit, out, cap));
}
