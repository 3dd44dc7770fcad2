/*
 * SPDX-License-Identifier: ISC
 *
 * dnswire.c: DNS messages read and written through bounds-checked
 * cursors.  Owns every rule about the wire format: label and name
 * limits, compression pointers (backwards only, DNS_PTR_MAX per name),
 * RDLENGTH, and which RDATA types carry names.  It never allocates, never
 * does I/O and never logs, so it is safe on the hot path and under the
 * fuzzer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dnswire.h"

/* How the names inside a record's RDATA are laid out. */
enum rdata_kind {
	RD_OPAQUE,	/* no names, or names never compressed: copy as is */
	RD_NAME,	/* one name */
	RD_NAME2,	/* two names (SOA adds 20 bytes, see below) */
	RD_U16_NAME,	/* preference + name */
	RD_U16_NAME2,	/* preference + two names */
	RD_SRV		/* priority, weight, port + name */
};

static enum rdata_kind
rdata_kind(uint16_t type, int *ret_compressible, size_t *ret_tail)
{
	*ret_compressible = 0;
	*ret_tail = 0;
	switch (type) {
	case DNS_T_NS: case 3: case 4: case DNS_T_CNAME: case 7: case 8:
	case 9: case DNS_T_PTR:
		*ret_compressible = 1;
		return (RD_NAME);
	case DNS_T_DNAME:
		return (RD_NAME);
	case DNS_T_SOA:
		*ret_compressible = 1;
		*ret_tail = 20;
		return (RD_NAME2);
	case 14:	/* MINFO */
		*ret_compressible = 1;
		return (RD_NAME2);
	case 17:	/* RP */
		return (RD_NAME2);
	case DNS_T_MX:
		*ret_compressible = 1;
		return (RD_U16_NAME);
	case 18: case 21: case 36:	/* AFSDB, RT, KX */
		return (RD_U16_NAME);
	case 26:	/* PX */
		return (RD_U16_NAME2);
	case DNS_T_SRV:
		return (RD_SRV);
	default:
		return (RD_OPAQUE);
	}
}

/* Start reading len bytes at buf. */
void
dns_rd_init(struct dns_rd *rd, const uint8_t *buf, size_t len)
{
	rd->buf = buf;
	rd->len = len;
	rd->pos = 0;
}

/* Read one byte. */
int
dns_get_u8(struct dns_rd *rd, uint8_t *ret)
{
	if (rd->pos >= rd->len)
		return (-EMSGSIZE);
	*ret = rd->buf[rd->pos++];
	return (0);
}

/* Read a 16-bit value in network order. */
int
dns_get_u16(struct dns_rd *rd, uint16_t *ret)
{
	if (rd->len < 2 || rd->pos > rd->len - 2)
		return (-EMSGSIZE);
	*ret = (uint16_t)(rd->buf[rd->pos] << 8 | rd->buf[rd->pos + 1]);
	rd->pos += 2;
	return (0);
}

/* Read a 32-bit value in network order. */
int
dns_get_u32(struct dns_rd *rd, uint32_t *ret)
{
	const uint8_t	*p;

	if (rd->len < 4 || rd->pos > rd->len - 4)
		return (-EMSGSIZE);
	p = rd->buf + rd->pos;
	*ret = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	rd->pos += 4;
	return (0);
}

/* Read n bytes. */
int
dns_get_bytes(struct dns_rd *rd, void *ret, size_t n)
{
	if (n > rd->len || rd->pos > rd->len - n)
		return (-EMSGSIZE);
	memcpy(ret, rd->buf + rd->pos, n);
	rd->pos += n;
	return (0);
}

/* Skip n bytes. */
int
dns_skip(struct dns_rd *rd, size_t n)
{
	if (n > rd->len || rd->pos > rd->len - n)
		return (-EMSGSIZE);
	rd->pos += n;
	return (0);
}

/* Read a possibly compressed name; see dnswire.h. */
int
dns_get_name(struct dns_rd *rd, uint8_t *out)
{
	size_t	 pos = rd->pos, end = 0, olen = 0, target;
	int	 jumped = 0, nptr = 0;
	uint8_t	 c;

	for (;;) {
		if (pos >= rd->len)
			return (-EMSGSIZE);
		c = rd->buf[pos];
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= rd->len)
				return (-EMSGSIZE);
			target = (size_t)(c & 0x3f) << 8 | rd->buf[pos + 1];
			if (!jumped) {
				end = pos + 2;
				jumped = 1;
			}
			/*
			 * Only backwards, and only so many times: a pointer
			 * to itself or a cycle of pointers ends here.
			 */
			if (++nptr > DNS_PTR_MAX || target >= pos)
				return (-EBADMSG);
			pos = target;
			continue;
		}
		if (c & 0xc0)		/* 0x40 and 0x80: obsolete, unknown */
			return (-EBADMSG);
		if (c == 0) {
			if (olen + 1 > DNS_NAME_MAX)
				return (-EBADMSG);
			if (out != NULL)
				out[olen] = 0;
			olen++;
			pos++;
			break;
		}
		if (pos + 1 + c > rd->len)
			return (-EMSGSIZE);
		/* Leave room for the root label. */
		if (olen + 1 + c + 1 > DNS_NAME_MAX)
			return (-EBADMSG);
		if (out != NULL)
			memcpy(out + olen, rd->buf + pos, 1 + (size_t)c);
		olen += 1 + (size_t)c;
		pos += 1 + (size_t)c;
	}
	rd->pos = jumped ? end : pos;
	return ((int)olen);
}

/* Read a header. */
int
dns_get_header(struct dns_rd *rd, struct dns_header *h)
{
	if (rd->len < DNS_HDR_LEN || rd->pos > rd->len - DNS_HDR_LEN)
		return (-EMSGSIZE);
	dns_get_u16(rd, &h->id);
	dns_get_u16(rd, &h->flags);
	dns_get_u16(rd, &h->qdcount);
	dns_get_u16(rd, &h->ancount);
	dns_get_u16(rd, &h->nscount);
	dns_get_u16(rd, &h->arcount);
	return (0);
}

/* Start writing into buf. */
void
dns_wr_init(struct dns_wr *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->pos = 0;
	w->ncomp = 0;
}

/* Write one byte. */
int
dns_put_u8(struct dns_wr *w, uint8_t v)
{
	if (w->pos >= w->cap)
		return (-EMSGSIZE);
	w->buf[w->pos++] = v;
	return (0);
}

/* Write a 16-bit value in network order. */
int
dns_put_u16(struct dns_wr *w, uint16_t v)
{
	if (w->cap < 2 || w->pos > w->cap - 2)
		return (-EMSGSIZE);
	w->buf[w->pos++] = v >> 8;
	w->buf[w->pos++] = v & 0xff;
	return (0);
}

/* Write a 32-bit value in network order. */
int
dns_put_u32(struct dns_wr *w, uint32_t v)
{
	if (w->cap < 4 || w->pos > w->cap - 4)
		return (-EMSGSIZE);
	w->buf[w->pos++] = v >> 24;
	w->buf[w->pos++] = (v >> 16) & 0xff;
	w->buf[w->pos++] = (v >> 8) & 0xff;
	w->buf[w->pos++] = v & 0xff;
	return (0);
}

/* Write n bytes. */
int
dns_put_bytes(struct dns_wr *w, const void *p, size_t n)
{
	if (n > w->cap || w->pos > w->cap - n)
		return (-EMSGSIZE);
	memcpy(w->buf + w->pos, p, n);
	w->pos += n;
	return (0);
}

static inline uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

/*
 * Compare the name written at off in w (following our own pointers) with
 * the uncompressed suffix s.  The buffer was written by us, but the walk
 * is bounded anyway.
 */
static int
written_equal(const struct dns_wr *w, size_t off, const uint8_t *s,
    size_t slen)
{
	size_t	 sp = 0;
	int	 guard = 0;
	uint8_t	 c;

	for (;;) {
		if (off >= w->pos || sp >= slen)
			return (0);
		c = w->buf[off];
		if ((c & 0xc0) == 0xc0) {
			if (off + 1 >= w->pos || ++guard > DNS_PTR_MAX)
				return (0);
			off = (size_t)(c & 0x3f) << 8 | w->buf[off + 1];
			continue;
		}
		if (c != s[sp])
			return (0);
		if (c == 0)
			return (sp + 1 == slen);
		if (off + 1 + c > w->pos || sp + 1 + c > slen)
			return (0);
		for (size_t i = 1; i <= c; i++)
			if (lower(w->buf[off + i]) != lower(s[sp + i]))
				return (0);
		off += 1 + (size_t)c;
		sp += 1 + (size_t)c;
	}
}

/* Write a name, compressing against earlier names when asked. */
int
dns_put_name(struct dns_wr *w, const uint8_t *name, size_t len, int compress)
{
	size_t	 off = 0, ptr = 0, upto, start;
	int	 found = 0;
	unsigned int i;

	if (len == 0 || len > DNS_NAME_MAX)
		return (-EINVAL);
	if (compress) {
		/* Longest suffix first; the root alone is never worth it. */
		for (off = 0; off < len && name[off] != 0;
		    off += 1 + (size_t)name[off]) {
			for (i = 0; i < w->ncomp; i++)
				if (written_equal(w, w->comp[i], name + off,
				    len - off)) {
					ptr = w->comp[i];
					found = 1;
					break;
				}
			if (found)
				break;
		}
	}
	upto = found ? off : len;
	if (upto > w->cap || w->pos > w->cap - upto - (found ? 2 : 0))
		return (-EMSGSIZE);
	start = w->pos;
	memcpy(w->buf + w->pos, name, upto);
	w->pos += upto;
	if (found) {
		w->buf[w->pos++] = 0xc0 | (uint8_t)(ptr >> 8);
		w->buf[w->pos++] = ptr & 0xff;
	}
	/* Remember the labels just written as future targets. */
	for (off = 0; off < upto && name[off] != 0;
	    off += 1 + (size_t)name[off]) {
		if (w->ncomp >= DNS_COMP_MAX || start + off > 0x3fff)
			break;
		w->comp[w->ncomp++] = (uint16_t)(start + off);
	}
	return (0);
}

/* Write a header. */
int
dns_put_header(struct dns_wr *w, const struct dns_header *h)
{
	if (w->cap < DNS_HDR_LEN || w->pos > w->cap - DNS_HDR_LEN)
		return (-EMSGSIZE);
	dns_put_u16(w, h->id);
	dns_put_u16(w, h->flags);
	dns_put_u16(w, h->qdcount);
	dns_put_u16(w, h->ancount);
	dns_put_u16(w, h->nscount);
	dns_put_u16(w, h->arcount);
	return (0);
}

/* Write an OPT record without options. */
int
dns_put_opt(struct dns_wr *w, uint16_t udp_size, uint16_t flags)
{
	if (w->cap < DNS_OPT_LEN || w->pos > w->cap - DNS_OPT_LEN)
		return (-EMSGSIZE);
	dns_put_u8(w, 0);
	dns_put_u16(w, DNS_T_OPT);
	dns_put_u16(w, udp_size);
	dns_put_u32(w, flags & DNS_EDNS_DO);
	dns_put_u16(w, 0);
	return (0);
}

/* Write an OPT record with an extended rcode and one option; see .h. */
int
dns_put_opt_ext(struct dns_wr *w, uint16_t udp_size, uint16_t flags,
    unsigned int rcode, uint16_t code, const void *data, size_t len)
{
	size_t	 rdlen = data != NULL ? 4 + len : 0;

	if (len > 0xffff - 4 || w->cap < DNS_OPT_LEN + rdlen ||
	    w->pos > w->cap - DNS_OPT_LEN - rdlen)
		return (-EMSGSIZE);
	dns_put_u8(w, 0);
	dns_put_u16(w, DNS_T_OPT);
	dns_put_u16(w, udp_size);
	dns_put_u32(w, (uint32_t)((rcode >> 4) & 0xff) << 24 |
	    (flags & DNS_EDNS_DO));
	dns_put_u16(w, (uint16_t)rdlen);
	if (data != NULL) {
		dns_put_u16(w, code);
		dns_put_u16(w, (uint16_t)len);
		dns_put_bytes(w, data, len);
	}
	return (0);
}

/* Copy one name from a RDATA cursor into w. */
static int
copy_name(struct dns_rd *rd, struct dns_wr *w, int compress)
{
	uint8_t	 name[DNS_NAME_MAX];
	int	 n;

	if ((n = dns_get_name(rd, name)) < 0)
		return (n);
	return (dns_put_name(w, name, (size_t)n, compress));
}

/* Copy a record, decompressing names in RDATA; see dnswire.h. */
int
dns_put_rr_copy(struct dns_wr *w, const struct dns_msg *m,
    const struct dns_rr *rr, uint32_t ttl, size_t *ret_ttl_off)
{
	struct dns_rd	 rd;
	uint8_t		 name[DNS_NAME_MAX];
	size_t		 rdlen_off, rdstart, tail, end, ttl_off;
	enum rdata_kind	 kind;
	int		 n, comp, r;

	if ((n = dns_rr_name(m, rr, name)) < 0)
		return (n);
	if ((r = dns_put_name(w, name, (size_t)n, 1)) < 0 ||
	    (r = dns_put_u16(w, rr->type)) < 0 ||
	    (r = dns_put_u16(w, rr->class)) < 0)
		return (r);
	ttl_off = w->pos;
	if ((r = dns_put_u32(w, ttl)) < 0)
		return (r);
	rdlen_off = w->pos;
	if ((r = dns_put_u16(w, 0)) < 0)
		return (r);
	rdstart = w->pos;
	end = (size_t)rr->rdata_off + rr->rdlen;
	dns_rd_init(&rd, m->pkt, end);
	rd.pos = rr->rdata_off;
	kind = rdata_kind(rr->type, &comp, &tail);
	switch (kind) {
	case RD_OPAQUE:
		break;
	case RD_U16_NAME:
	case RD_U16_NAME2:
	case RD_SRV:
		n = kind == RD_SRV ? 6 : 2;
		if (rd.pos + (size_t)n > end)
			return (-EBADMSG);
		if ((r = dns_put_bytes(w, m->pkt + rd.pos, (size_t)n)) < 0)
			return (r);
		rd.pos += (size_t)n;
		if ((r = copy_name(&rd, w, comp)) < 0)
			return (r);
		if (kind == RD_U16_NAME2 && (r = copy_name(&rd, w, comp)) < 0)
			return (r);
		break;
	case RD_NAME2:
		if ((r = copy_name(&rd, w, comp)) < 0 ||
		    (r = copy_name(&rd, w, comp)) < 0)
			return (r);
		break;
	case RD_NAME:
		if ((r = copy_name(&rd, w, comp)) < 0)
			return (r);
		break;
	}
	if (rd.pos > end)
		return (-EBADMSG);
	if ((r = dns_put_bytes(w, m->pkt + rd.pos, end - rd.pos)) < 0)
		return (r);
	if (w->pos - rdstart > 0xffff)
		return (-EMSGSIZE);
	w->buf[rdlen_off] = (uint8_t)((w->pos - rdstart) >> 8);
	w->buf[rdlen_off + 1] = (uint8_t)((w->pos - rdstart) & 0xff);
	if (ret_ttl_off != NULL)
		*ret_ttl_off = ttl_off;
	return (0);
}

/* Parse the OPT record's fixed part at the cursor (after its owner). */
static int
parse_opt(struct dns_rd *rd, struct dns_edns *e)
{
	uint16_t	 type, cls, rdlen, code, olen;
	uint32_t	 ttl;
	size_t		 end;

	if (dns_get_u16(rd, &type) < 0 || dns_get_u16(rd, &cls) < 0 ||
	    dns_get_u32(rd, &ttl) < 0 || dns_get_u16(rd, &rdlen) < 0)
		return (-EBADMSG);
	if (type != DNS_T_OPT || e->present)
		return (-EBADMSG);
	if (rdlen > rd->len - rd->pos)
		return (-EBADMSG);
	e->cookie_off = 0;
	e->cookie_len = 0;
	/* Options must tile RDATA exactly (RFC 6891 6.1.2). */
	end = rd->pos + rdlen;
	while (rd->pos < end) {
		if (end - rd->pos < 4)
			return (-EBADMSG);
		dns_get_u16(rd, &code);
		dns_get_u16(rd, &olen);
		if (olen > end - rd->pos)
			return (-EBADMSG);
		if (code == DNS_OPT_COOKIE) {
			/* RFC 7873 5.2.2: 8, or 16 to 40 bytes. */
			if (e->cookie_len != 0 || (olen != DNS_COOKIE_CLIENT &&
			    (olen < 16 || olen > DNS_COOKIE_MAX)) ||
			    rd->pos > UINT16_MAX)
				return (-EBADMSG);
			e->cookie_off = (uint16_t)rd->pos;
			e->cookie_len = (uint8_t)olen;
		}
		rd->pos += olen;
	}
	e->present = 1;
	e->udp_size = cls;
	e->ext_rcode = (uint8_t)(ttl >> 24);
	e->version = (uint8_t)(ttl >> 16);
	e->flags = (uint16_t)(ttl & 0xffff);
	return (0);
}

/* Parse a query; see dnswire.h. */
int
dns_query_parse(const uint8_t *pkt, size_t len, struct dns_query *q)
{
	struct dns_rd	 rd;
	size_t		 pos = DNS_HDR_LEN, olen = 0;
	uint8_t		 c;

	dns_rd_init(&rd, pkt, len);
	q->edns.present = 0;
	q->edns.flags = 0;
	q->edns.udp_size = 0;
	q->edns.cookie_len = 0;
	if (dns_get_header(&rd, &q->hdr) < 0)
		return (-EBADMSG);
	if (q->hdr.ancount != 0 || q->hdr.nscount != 0 || q->hdr.arcount > 1)
		return (-EBADMSG);
	if (q->hdr.qdcount == 0) {
		q->qnamelen = 0;
		q->qend = rd.pos;
		if (q->hdr.arcount == 1 && (dns_get_u8(&rd, &c) < 0 ||
		    c != 0 || parse_opt(&rd, &q->edns) < 0))
			return (-EBADMSG);
		return (rd.pos == len ? -ENODATA : -EBADMSG);
	}
	if (q->hdr.qdcount != 1)
		return (-EBADMSG);
	/* A query's only name comes first: a pointer can only be bogus. */
	for (;;) {
		if (pos >= len)
			return (-EBADMSG);
		c = pkt[pos];
		if (c > DNS_LABEL_MAX)
			return (-EBADMSG);
		if (pos + 1 + c > len || olen + 1 + c > DNS_NAME_MAX)
			return (-EBADMSG);
		memcpy(q->qname + olen, pkt + pos, 1 + (size_t)c);
		olen += 1 + (size_t)c;
		pos += 1 + (size_t)c;
		if (c == 0)
			break;
	}
	q->qnamelen = olen;
	rd.pos = pos;
	if (dns_get_u16(&rd, &q->qtype) < 0 || dns_get_u16(&rd, &q->qclass) < 0)
		return (-EBADMSG);
	q->qend = rd.pos;
	if (q->hdr.arcount == 1) {
		if (dns_get_u8(&rd, &c) < 0 || c != 0)
			return (-EBADMSG);
		if (parse_opt(&rd, &q->edns) < 0)
			return (-EBADMSG);
	}
	if (rd.pos != len)
		return (-EBADMSG);
	return (0);
}

/* Validate the names inside a record's RDATA. */
static int
check_rdata(const uint8_t *pkt, const struct dns_rr *rr)
{
	struct dns_rd	 rd;
	size_t		 end = (size_t)rr->rdata_off + rr->rdlen, tail;
	enum rdata_kind	 kind;
	int		 comp;

	switch (rr->type) {
	case DNS_T_A:
		return (rr->rdlen == 4 ? 0 : -EBADMSG);
	case DNS_T_AAAA:
		return (rr->rdlen == 16 ? 0 : -EBADMSG);
	}
	kind = rdata_kind(rr->type, &comp, &tail);
	if (kind == RD_OPAQUE)
		return (0);
	dns_rd_init(&rd, pkt, end);
	rd.pos = rr->rdata_off;
	switch (kind) {
	case RD_OPAQUE:
		break;
	case RD_NAME:
		if (dns_get_name(&rd, NULL) < 0)
			return (-EBADMSG);
		break;
	case RD_NAME2:
		if (dns_get_name(&rd, NULL) < 0 ||
		    dns_get_name(&rd, NULL) < 0)
			return (-EBADMSG);
		break;
	case RD_U16_NAME:
	case RD_U16_NAME2:
	case RD_SRV:
		if (dns_skip(&rd, kind == RD_SRV ? 6 : 2) < 0 ||
		    dns_get_name(&rd, NULL) < 0)
			return (-EBADMSG);
		if (kind == RD_U16_NAME2 && dns_get_name(&rd, NULL) < 0)
			return (-EBADMSG);
		break;
	}
	if (rd.pos + tail != end)
		return (-EBADMSG);
	return (0);
}

/* Parse and validate a whole message; see dnswire.h. */
int
dns_msg_parse(const uint8_t *pkt, size_t len, struct dns_msg *m)
{
	struct dns_rd	 rd;
	struct dns_rr	*rr;
	unsigned int	 i, total, nan, nns;
	int		 n;

	m->pkt = pkt;
	m->len = len;
	m->nrr = 0;
	m->qnamelen = 0;
	m->qtype = m->qclass = 0;
	m->edns.present = 0;
	m->edns.flags = 0;
	m->edns.udp_size = 0;
	m->edns.cookie_len = 0;
	if (len > DNS_MSG_MAX)
		return (-EBADMSG);
	dns_rd_init(&rd, pkt, len);
	if (dns_get_header(&rd, &m->hdr) < 0)
		return (-EBADMSG);
	if (m->hdr.qdcount > 1)
		return (-EBADMSG);
	if (m->hdr.qdcount == 1) {
		if ((n = dns_get_name(&rd, m->qname)) < 0)
			return (-EBADMSG);
		m->qnamelen = (size_t)n;
		if (dns_get_u16(&rd, &m->qtype) < 0 ||
		    dns_get_u16(&rd, &m->qclass) < 0)
			return (-EBADMSG);
	}
	m->qend = rd.pos;
	nan = m->hdr.ancount;
	nns = m->hdr.nscount;
	total = nan + nns + m->hdr.arcount;
	for (i = 0; i < total; i++) {
		size_t	 name_off = rd.pos;
		uint8_t	 first;

		if (dns_get_name(&rd, NULL) < 0)
			return (-EBADMSG);
		first = pkt[name_off];
		if (i >= nan + nns && first == 0 && rd.pos + 2 <= len &&
		    (pkt[rd.pos] << 8 | pkt[rd.pos + 1]) == DNS_T_OPT) {
			if (parse_opt(&rd, &m->edns) < 0)
				return (-EBADMSG);
			continue;
		}
		if (m->nrr >= DNS_RR_MAX)
			return (-E2BIG);
		rr = &m->rr[m->nrr];
		rr->name_off = (uint16_t)name_off;
		rr->section = i < nan ? DNS_S_ANSWER :
		    i < nan + nns ? DNS_S_AUTHORITY : DNS_S_ADDITIONAL;
		if (dns_get_u16(&rd, &rr->type) < 0 ||
		    dns_get_u16(&rd, &rr->class) < 0)
			return (-EBADMSG);
		rr->ttl_off = (uint16_t)rd.pos;
		if (dns_get_u32(&rd, &rr->ttl) < 0 ||
		    dns_get_u16(&rd, &rr->rdlen) < 0)
			return (-EBADMSG);
		if (rr->type == DNS_T_OPT)	/* OPT anywhere else */
			return (-EBADMSG);
		rr->rdata_off = (uint16_t)rd.pos;
		if (dns_skip(&rd, rr->rdlen) < 0)
			return (-EBADMSG);
		if (check_rdata(pkt, rr) < 0)
			return (-EBADMSG);
		m->nrr++;
	}
	if (rd.pos != len)
		return (-EBADMSG);
	return (0);
}

/* Read the owner name of a record. */
int
dns_rr_name(const struct dns_msg *m, const struct dns_rr *rr, uint8_t *out)
{
	struct dns_rd	 rd;

	dns_rd_init(&rd, m->pkt, m->len);
	rd.pos = rr->name_off;
	return (dns_get_name(&rd, out));
}

/* Parse a name in presentation form. */
int
dns_name_from_str(const char *s, uint8_t *out)
{
	size_t	 olen = 0, lab = 0;
	int	 v;

	if (s[0] == '\0' || (s[0] == '.' && s[1] == '\0')) {
		out[0] = 0;
		return (1);
	}
	out[0] = 0;
	while (*s != '\0') {
		uint8_t	 c;

		if (*s == '.') {
			if (out[lab] == 0)
				return (-EINVAL);	/* empty label */
			olen = lab + 1 + out[lab];
			lab = olen;
			if (lab >= DNS_NAME_MAX)
				return (-EINVAL);
			out[lab] = 0;
			s++;
			continue;
		}
		if (*s == '\\') {
			s++;
			if (s[0] >= '0' && s[0] <= '9') {
				if (!(s[1] >= '0' && s[1] <= '9') ||
				    !(s[2] >= '0' && s[2] <= '9'))
					return (-EINVAL);
				v = (s[0] - '0') * 100 + (s[1] - '0') * 10 +
				    (s[2] - '0');
				if (v > 255)
					return (-EINVAL);
				c = (uint8_t)v;
				s += 3;
			} else if (*s == '\0')
				return (-EINVAL);
			else
				c = (uint8_t)*s++;
		} else
			c = (uint8_t)*s++;
		if (out[lab] >= DNS_LABEL_MAX)
			return (-EINVAL);
		if (lab + 1 + out[lab] + 1 >= DNS_NAME_MAX)
			return (-EINVAL);
		out[lab + 1 + out[lab]] = c;
		out[lab]++;
	}
	if (out[lab] != 0) {
		olen = lab + 1 + out[lab];
		if (olen >= DNS_NAME_MAX)
			return (-EINVAL);
		out[olen] = 0;
	} else
		olen = lab;
	return ((int)olen + 1);
}

/* Write a name in presentation form. */
int
dns_name_to_str(const uint8_t *name, size_t len, char *out, size_t outlen)
{
	size_t	 pos = 0, o = 0;
	uint8_t	 c, n;

	if (outlen < 2)
		return (-EMSGSIZE);
	if (len == 0 || name[0] == 0) {
		out[0] = '.';
		out[1] = '\0';
		return (1);
	}
	while (pos < len && (n = name[pos]) != 0) {
		if (n > DNS_LABEL_MAX || pos + 1 + n > len)
			return (-EBADMSG);
		if (o > 0) {
			if (o + 1 >= outlen)
				return (-EMSGSIZE);
			out[o++] = '.';
		}
		for (size_t i = 1; i <= n; i++) {
			c = name[pos + i];
			if (c == '.' || c == '\\' || c == '"' || c == '(' ||
			    c == ')' || c == ';' || c == '@' || c == '$') {
				if (o + 2 >= outlen)
					return (-EMSGSIZE);
				out[o++] = '\\';
				out[o++] = (char)c;
			} else if (c <= 0x20 || c >= 0x7f) {
				if (o + 4 >= outlen)
					return (-EMSGSIZE);
				snprintf(out + o, 5, "\\%03u", c);
				o += 4;
			} else {
				if (o + 1 >= outlen)
					return (-EMSGSIZE);
				out[o++] = (char)c;
			}
		}
		pos += 1 + (size_t)n;
	}
	out[o] = '\0';
	return ((int)o);
}

/* Fold upper case to lower case; length bytes (< 64) are unaffected. */
void
dns_name_lower(uint8_t *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		name[i] = lower(name[i]);
}

/* Case-insensitive equality of two wire names. */
int
dns_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return (0);
	for (size_t i = 0; i < alen; i++)
		if (lower(a[i]) != lower(b[i]))
			return (0);
	return (1);
}

/* Is name equal to or below domain? */
int
dns_name_under(const uint8_t *name, size_t len, const uint8_t *domain,
    size_t dlen)
{
	size_t	 pos = 0;

	if (dlen > len)
		return (0);
	/* Walk labels until what is left has the domain's length. */
	while (len - pos > dlen) {
		if (name[pos] == 0)
			return (0);
		pos += 1 + (size_t)name[pos];
	}
	if (len - pos != dlen)
		return (0);
	return (dns_name_equal(name + pos, dlen, domain, dlen));
}

/* Count labels. */
int
dns_name_labels(const uint8_t *name, size_t len)
{
	size_t	 pos = 0;
	int	 n = 0;

	while (pos < len && name[pos] != 0) {
		pos += 1 + (size_t)name[pos];
		n++;
	}
	return (n);
}

/* Name a type. */
const char *
dns_type_str(uint16_t type, char *buf, size_t len)
{
	static const struct {
		uint16_t	 type;
		const char	*name;
	} types[] = {
		{ DNS_T_A, "A" }, { DNS_T_NS, "NS" }, { DNS_T_CNAME, "CNAME" },
		{ DNS_T_SOA, "SOA" }, { DNS_T_PTR, "PTR" },
		{ DNS_T_HINFO, "HINFO" }, { DNS_T_MX, "MX" },
		{ DNS_T_TXT, "TXT" }, { DNS_T_AAAA, "AAAA" },
		{ DNS_T_SRV, "SRV" }, { DNS_T_DNAME, "DNAME" },
		{ DNS_T_OPT, "OPT" }, { DNS_T_DS, "DS" },
		{ DNS_T_RRSIG, "RRSIG" }, { DNS_T_NSEC, "NSEC" },
		{ DNS_T_DNSKEY, "DNSKEY" }, { DNS_T_NSEC3, "NSEC3" },
		{ 64, "SVCB" }, { 65, "HTTPS" }, { DNS_T_AXFR, "AXFR" },
		{ DNS_T_ANY, "ANY" },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type) {
			snprintf(buf, len, "%s", types[i].name);
			return (buf);
		}
	snprintf(buf, len, "TYPE%u", type);
	return (buf);
}

/* Name an rcode. */
const char *
dns_rcode_str(unsigned int rcode, char *buf, size_t len)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED"
	};

	if (rcode < sizeof(names) / sizeof(names[0]))
		snprintf(buf, len, "%s", names[rcode]);
	else
		snprintf(buf, len, "RCODE%u", rcode);
	return (buf);
}
