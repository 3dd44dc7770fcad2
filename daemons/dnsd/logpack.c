/*
 * SPDX-License-Identifier: ISC
 *
 * logpack.c: the query log's compact form on the SD card.  A batch of
 * log rows becomes one blob: a version byte, then per row the time as a
 * signed difference from the previous row's, each string as a reference
 * into the batch's own dictionary (or its first occurrence in full), and
 * the small integers as varints.  A home network asks for the same few
 * hundred names again and again, so a row takes about 8 bytes instead of
 * the 150 or so of a table row with its indexes; that, and writing one
 * blob every few minutes rather than rows every few seconds, is what
 * keeps the card's writes low (docs/schema.md).
 *
 * Strings are references: 0 is NULL, 1..n the dictionary's entries, n+1
 * a new string (its length, then its bytes), which becomes entry n+1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd.h"

/*
 * Version 2 adds blocked_by: the low bit of the rcode varint says it
 * follows the latency, so rows that were not blocked cost nothing more.
 * Version 1 batches still read.
 */
#define LOGPACK_VERSION	2
#define LOGPACK_STR_MAX	2048	/* longer strings are cut */

static int
grow(struct logpack *p, size_t more)
{
	uint8_t	*nb;
	size_t	 cap;

	if (p->len + more <= p->cap)
		return (0);
	cap = p->cap ? p->cap : 4096;
	while (cap < p->len + more)
		cap *= 2;
	if ((nb = realloc(p->buf, cap)) == NULL)
		return (-1);
	p->buf = nb;
	p->cap = cap;
	return (0);
}

static int
put_varint(struct logpack *p, uint64_t v)
{
	if (grow(p, 10) < 0)
		return (-1);
	while (v >= 0x80) {
		p->buf[p->len++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p->buf[p->len++] = (uint8_t)v;
	return (0);
}

static uint32_t
str_hash(const char *s, size_t n)
{
	uint32_t	 h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return (h);
}

/* Double the dictionary's hash table (kept at most half full). */
static int
dict_grow(struct logpack *p)
{
	uint32_t	*slots, i, j, size = p->nslots ? p->nslots * 2 : 256;

	if ((slots = calloc(size, sizeof(*slots))) == NULL)
		return (-1);
	for (i = 0; i < p->nslots; i++) {
		uint32_t k = p->slots[i];

		if (k == 0)
			continue;
		j = p->dict[k - 1].hash & (size - 1);
		while (slots[j] != 0)
			j = (j + 1) & (size - 1);
		slots[j] = k;
	}
	free(p->slots);
	p->slots = slots;
	p->nslots = size;
	return (0);
}

static int
put_str(struct logpack *p, const char *s, size_t n)
{
	struct logpack_str *d;
	uint32_t	 h, j, k;

	if (s == NULL)
		return (put_varint(p, 0));
	if (n > LOGPACK_STR_MAX)
		n = LOGPACK_STR_MAX;
	h = str_hash(s, n);
	if (p->nslots > 0) {
		for (j = h & (p->nslots - 1); (k = p->slots[j]) != 0;
		    j = (j + 1) & (p->nslots - 1)) {
			d = &p->dict[k - 1];
			if (d->hash == h && d->len == n &&
			    memcmp(p->buf + d->off, s, n) == 0)
				return (put_varint(p, k));
		}
	}
	if ((p->ndict + 1) * 2 > p->nslots && dict_grow(p) < 0)
		return (-1);
	if (p->ndict == p->dictcap) {
		size_t	 cap = p->dictcap ? p->dictcap * 2 : 256;

		if ((d = reallocarray(p->dict, cap, sizeof(*d))) == NULL)
			return (-1);
		p->dict = d;
		p->dictcap = cap;
	}
	if (put_varint(p, p->ndict + 1) < 0 || put_varint(p, n) < 0 ||
	    grow(p, n) < 0)
		return (-1);
	d = &p->dict[p->ndict++];
	d->off = p->len;
	d->len = (uint32_t)n;
	d->hash = h;
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	for (j = h & (p->nslots - 1); p->slots[j] != 0;
	    j = (j + 1) & (p->nslots - 1))
		;
	p->slots[j] = (uint32_t)p->ndict;
	return (0);
}

/* Start an empty batch. */
void
logpack_init(struct logpack *p)
{
	memset(p, 0, sizeof(*p));
}

/* Append one row; -1 when out of memory (the batch is then unusable). */
int
logpack_add(struct logpack *p, const struct logrow *r)
{
	int64_t	 d;

	if (p->len == 0) {
		if (grow(p, 1) < 0)
			return (-1);
		p->buf[p->len++] = LOGPACK_VERSION;
		p->prev_ms = 0;
	}
	d = r->time_ms - p->prev_ms;
	p->prev_ms = r->time_ms;
	/* Zigzag: small differences either way stay small. */
	if (put_varint(p, d < 0 ? ((uint64_t)-(d + 1) << 1) | 1 :
	    (uint64_t)d << 1) < 0 ||
	    put_str(p, r->client, r->clientlen) < 0 ||
	    put_str(p, r->name, r->namelen) < 0 ||
	    put_varint(p, (uint64_t)r->qtype) < 0 ||
	    put_varint(p, (uint64_t)r->rcode << 1 |
	    (r->blocked_by != NULL)) < 0 ||
	    put_str(p, r->source, r->sourcelen) < 0 ||
	    put_str(p, r->upstream, r->upstreamlen) < 0 ||
	    put_varint(p, r->latency_us < 0 ? 0 : (uint64_t)r->latency_us) < 0 ||
	    (r->blocked_by != NULL && put_str(p, r->blocked_by,
	    r->blocked_bylen) < 0))
		return (-1);
	p->rows++;
	return (0);
}

/* Forget the rows (keep the memory for the next batch). */
void
logpack_reset(struct logpack *p)
{
	p->len = 0;
	p->rows = 0;
	p->ndict = 0;
	if (p->slots != NULL)
		memset(p->slots, 0, p->nslots * sizeof(*p->slots));
}

void
logpack_free(struct logpack *p)
{
	free(p->buf);
	free(p->dict);
	free(p->slots);
	memset(p, 0, sizeof(*p));
}

struct reader {
	const uint8_t	*p, *end;
};

static int
get_varint(struct reader *rd, uint64_t *v)
{
	unsigned int	 shift = 0;

	*v = 0;
	while (rd->p < rd->end && shift < 64) {
		uint8_t	 b = *rd->p++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return (0);
		shift += 7;
	}
	return (-1);
}

static int
get_str(struct reader *rd, struct logpack_str *dict, uint32_t *ndict,
    uint32_t max, const uint8_t *base, const char **s, size_t *n)
{
	uint64_t	 k, len;

	if (get_varint(rd, &k) < 0)
		return (-1);
	if (k == 0) {
		*s = NULL;
		*n = 0;
		return (0);
	}
	if (k <= *ndict) {
		*s = (const char *)base + dict[k - 1].off;
		*n = dict[k - 1].len;
		return (0);
	}
	if (k != (uint64_t)*ndict + 1 || *ndict == max ||
	    get_varint(rd, &len) < 0 || len > LOGPACK_STR_MAX ||
	    len > (uint64_t)(rd->end - rd->p))
		return (-1);
	dict[*ndict].off = (size_t)(rd->p - base);
	dict[*ndict].len = (uint32_t)len;
	(*ndict)++;
	*s = (const char *)rd->p;
	*n = (size_t)len;
	rd->p += len;
	return (0);
}

/*
 * Decode a blob, calling cb for each row in order; stops at cb's first
 * non-zero return and returns it.  -1 for a blob that is not a batch of
 * this version or is cut short (bad input from disk: nothing is trusted).
 */
int
logpack_decode(const void *blob, size_t len,
    int (*cb)(const struct logrow *, void *), void *arg)
{
	struct reader		 rd = { blob, (const uint8_t *)blob + len };
	struct logpack_str	*dict;
	struct logrow		 r;
	uint32_t		 ndict = 0, max;
	uint64_t		 v, qtype, rcode, lat;
	int64_t			 t = 0;
	int			 rc = 0, version;
	uint64_t		 flags = 0;

	if (len == 0 || rd.p[0] < 1 || rd.p[0] > LOGPACK_VERSION)
		return (-1);
	version = rd.p[0];
	rd.p++;
	/* Each new string takes at least two bytes of the blob. */
	max = (uint32_t)(len / 2 + 1);
	if ((dict = calloc(max, sizeof(*dict))) == NULL)
		return (-1);
	while (rd.p < rd.end) {
		memset(&r, 0, sizeof(r));
		if (get_varint(&rd, &v) < 0)
			goto bad;
		t += (v & 1) ? -(int64_t)(v >> 1) - 1 : (int64_t)(v >> 1);
		r.time_ms = t;
		if (get_str(&rd, dict, &ndict, max, blob, &r.client,
		    &r.clientlen) < 0 ||
		    get_str(&rd, dict, &ndict, max, blob, &r.name,
		    &r.namelen) < 0 ||
		    get_varint(&rd, &qtype) < 0 || qtype > UINT16_MAX ||
		    get_varint(&rd, &rcode) < 0)
			goto bad;
		if (version >= 2) {
			flags = rcode & 1;
			rcode >>= 1;
		}
		if (rcode > 4095 ||
		    get_str(&rd, dict, &ndict, max, blob, &r.source,
		    &r.sourcelen) < 0 ||
		    get_str(&rd, dict, &ndict, max, blob, &r.upstream,
		    &r.upstreamlen) < 0 ||
		    get_varint(&rd, &lat) < 0 || lat > INT64_MAX ||
		    (flags && get_str(&rd, dict, &ndict, max, blob,
		    &r.blocked_by, &r.blocked_bylen) < 0) ||
		    r.client == NULL || r.name == NULL || r.source == NULL)
			goto bad;
		r.qtype = (int)qtype;
		r.rcode = (int)rcode;
		r.latency_us = (int64_t)lat;
		if ((rc = cb(&r, arg)) != 0)
			break;
	}
	free(dict);
	return (rc);
bad:
	free(dict);
	return (-1);
}
