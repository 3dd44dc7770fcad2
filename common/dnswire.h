/*
 * SPDX-License-Identifier: ISC
 *
 * dnswire.h: the DNS wire format (RFC 1035, 2671/6891, 3597, 4034).
 * Reading goes through a cursor over (buffer, length, position) whose
 * getters check every byte they touch; names are decompressed with a
 * guard on the number of pointers followed and on the name and label
 * lengths.  Writing goes through a second cursor with a capacity and an
 * optional compression table.  Pure functions: no I/O, no logging, no
 * allocation.  Every function returns 0 (or a length) on success and a
 * negative errno on failure: -EMSGSIZE when a read runs past the end or a
 * write past the capacity, -EBADMSG for a malformed message, -E2BIG when
 * a message holds more records than struct dns_msg can describe.
 */
#ifndef HGW_DNSWIRE_H
#define HGW_DNSWIRE_H

#include <stddef.h>
#include <stdint.h>

#define DNS_HDR_LEN		12
#define DNS_NAME_MAX		255	/* wire length, root label included */
#define DNS_LABEL_MAX		63
#define DNS_NAME_STRLEN		1024	/* presentation form, worst case */
#define DNS_PTR_MAX		32	/* compression pointers per name */
#define DNS_RR_MAX		128	/* records described by dns_msg */
#define DNS_COMP_MAX		64	/* compression targets remembered */
#define DNS_UDP_MIN		512	/* RFC 1035 limit without EDNS */
#define DNS_EDNS_SIZE		1232	/* what we advertise (DNS flag day) */
#define DNS_MSG_MAX		65535
#define DNS_OPT_LEN		11	/* an OPT RR without options */

/* Header flags (host order). */
#define DNS_F_QR		0x8000
#define DNS_F_OPCODE		0x7800
#define DNS_F_AA		0x0400
#define DNS_F_TC		0x0200
#define DNS_F_RD		0x0100
#define DNS_F_RA		0x0080
#define DNS_F_Z			0x0040
#define DNS_F_AD		0x0020
#define DNS_F_CD		0x0010
#define DNS_F_RCODE		0x000f
#define DNS_EDNS_DO		0x8000	/* in the OPT TTL's low 16 bits */

enum dns_rcode {
	DNS_R_NOERROR = 0,
	DNS_R_FORMERR = 1,
	DNS_R_SERVFAIL = 2,
	DNS_R_NXDOMAIN = 3,
	DNS_R_NOTIMP = 4,
	DNS_R_REFUSED = 5
};

enum dns_type {
	DNS_T_A = 1,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_PTR = 12,
	DNS_T_HINFO = 13,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
	DNS_T_SRV = 33,
	DNS_T_DNAME = 39,
	DNS_T_OPT = 41,
	DNS_T_DS = 43,
	DNS_T_RRSIG = 46,
	DNS_T_NSEC = 47,
	DNS_T_DNSKEY = 48,
	DNS_T_NSEC3 = 50,
	DNS_T_AXFR = 252,
	DNS_T_ANY = 255
};

#define DNS_C_IN		1
#define DNS_C_ANY		255

enum dns_section {
	DNS_S_ANSWER,
	DNS_S_AUTHORITY,
	DNS_S_ADDITIONAL
};

/* A read cursor. */
struct dns_rd {
	const uint8_t	*buf;
	size_t		 len;
	size_t		 pos;
};

/* A write cursor with its compression table (offsets of written names). */
struct dns_wr {
	uint8_t		*buf;
	size_t		 cap;
	size_t		 pos;
	uint16_t	 comp[DNS_COMP_MAX];
	unsigned int	 ncomp;
};

struct dns_header {
	uint16_t	 id;
	uint16_t	 flags;
	uint16_t	 qdcount;
	uint16_t	 ancount;
	uint16_t	 nscount;
	uint16_t	 arcount;
};

/* One resource record of a parsed message, by offsets into the message. */
struct dns_rr {
	uint16_t	 name_off;	/* owner name (may be compressed) */
	uint16_t	 ttl_off;	/* offset of the TTL field */
	uint16_t	 rdata_off;
	uint16_t	 rdlen;
	uint16_t	 type;
	uint16_t	 class;
	uint32_t	 ttl;
	uint8_t		 section;	/* enum dns_section */
};

/* EDNS0 (the OPT pseudo-record) as found in a message. */
struct dns_edns {
	int		 present;
	uint16_t	 udp_size;
	uint8_t		 ext_rcode;
	uint8_t		 version;
	uint16_t	 flags;		/* DNS_EDNS_DO */
	uint16_t	 cookie_off;	/* COOKIE option data in the message */
	uint8_t		 cookie_len;	/* 0: none */
};

#define DNS_OPT_COOKIE		10	/* RFC 7873 */
#define DNS_COOKIE_CLIENT	8
#define DNS_COOKIE_MAX		40	/* client 8 + server 8..32 */
#define DNS_R_BADVERS		16	/* extended: OPT ext_rcode 1 */

/* A query, parsed for the hot path: one question, optional OPT. */
struct dns_query {
	struct dns_header hdr;
	uint8_t		 qname[DNS_NAME_MAX];	/* as sent (case kept) */
	size_t		 qnamelen;
	uint16_t	 qtype;
	uint16_t	 qclass;
	size_t		 qend;		/* offset just after the question */
	struct dns_edns	 edns;
};

/* A whole message: header, the question and every record's offsets. */
struct dns_msg {
	const uint8_t	*pkt;
	size_t		 len;
	struct dns_header hdr;
	uint8_t		 qname[DNS_NAME_MAX];
	size_t		 qnamelen;
	uint16_t	 qtype;
	uint16_t	 qclass;
	size_t		 qend;
	struct dns_edns	 edns;		/* the OPT record is not in rr[] */
	unsigned int	 nrr;
	struct dns_rr	 rr[DNS_RR_MAX];
};

/* Start reading len bytes at buf. */
void	dns_rd_init(struct dns_rd *, const uint8_t *buf, size_t len);
/* Bounds-checked getters: advance the cursor, -EMSGSIZE when short. */
int	dns_get_u8(struct dns_rd *, uint8_t *ret);
int	dns_get_u16(struct dns_rd *, uint16_t *ret);
int	dns_get_u32(struct dns_rd *, uint32_t *ret);
int	dns_get_bytes(struct dns_rd *, void *ret, size_t n);
int	dns_skip(struct dns_rd *, size_t n);
/*
 * Read a possibly compressed name at the cursor into out (at least
 * DNS_NAME_MAX bytes; NULL only validates) in uncompressed wire form, and
 * move the cursor past the name as it appears at the cursor.  Pointers
 * must point backwards and at most DNS_PTR_MAX are followed.  Returns the
 * name's wire length, or -EBADMSG / -EMSGSIZE.
 */
int	dns_get_name(struct dns_rd *, uint8_t *out);
/* Read a 12-byte header. */
int	dns_get_header(struct dns_rd *, struct dns_header *);

/* Start writing into buf of cap bytes, with an empty compression table. */
void	dns_wr_init(struct dns_wr *, uint8_t *buf, size_t cap);
/* Bounds-checked putters: -EMSGSIZE when the capacity would be exceeded. */
int	dns_put_u8(struct dns_wr *, uint8_t);
int	dns_put_u16(struct dns_wr *, uint16_t);
int	dns_put_u32(struct dns_wr *, uint32_t);
int	dns_put_bytes(struct dns_wr *, const void *, size_t);
/*
 * Write an uncompressed wire name.  With compress set, the longest suffix
 * already written (as recorded in the table) becomes a pointer; either
 * way the new labels are remembered as targets while the table has room.
 */
int	dns_put_name(struct dns_wr *, const uint8_t *name, size_t len,
	    int compress);
int	dns_put_header(struct dns_wr *, const struct dns_header *);
/* Write an OPT record: UDP size, DO flag, extended rcode 0, version 0. */
int	dns_put_opt(struct dns_wr *, uint16_t udp_size, uint16_t flags);
/*
 * Write an OPT record of version 0 with the upper bits of an extended
 * rcode (rcode >> 4) and optionally one option (code, data, len).
 */
int	dns_put_opt_ext(struct dns_wr *, uint16_t udp_size, uint16_t flags,
	    unsigned int rcode, uint16_t code, const void *data, size_t len);
/*
 * Copy record rr of msg into w with the given TTL, decompressing the
 * names inside RDATA for the types that may carry compressed names
 * (NS, CNAME, PTR, SOA, MX, SRV, ...).  *ret_ttl_off (if not NULL) is set
 * to the TTL field's offset in w.
 */
int	dns_put_rr_copy(struct dns_wr *, const struct dns_msg *,
	    const struct dns_rr *, uint32_t ttl, size_t *ret_ttl_off);

/*
 * Parse a query: a header, exactly one question, no answer or authority
 * records and at most one additional record, which must be OPT.  The
 * question name may not be compressed.  -EBADMSG when malformed, with
 * q->hdr filled in whenever the header could be read; -ENODATA for an
 * otherwise valid message without a question (QDCOUNT 0: RFC 7873 5.4
 * lets a client ask for a server cookie so), q->edns then filled in.
 * An OPT option overrunning the OPT's RDLENGTH, a second COOKIE or one of
 * an impossible length is malformed.
 */
int	dns_query_parse(const uint8_t *pkt, size_t len, struct dns_query *);
/*
 * Parse and validate a whole message (any QR): header, at most one
 * question, every record's owner name, RDLENGTH, and the names inside
 * RDATA of the types that hold them.  The OPT record goes to msg->edns.
 * msg keeps pointing at pkt.
 */
int	dns_msg_parse(const uint8_t *pkt, size_t len, struct dns_msg *);
/* Read the owner name of a record into out (DNS_NAME_MAX); returns length. */
int	dns_rr_name(const struct dns_msg *, const struct dns_rr *,
	    uint8_t *out);

/*
 * Names in uncompressed wire form.  dns_name_from_str() parses the
 * presentation form ("www.example.test", "." for the root, "\." and
 * "\DDD" escapes) and returns the wire length; dns_name_to_str() writes the
 * presentation form without the final dot (the root is ".") and returns
 * its length or -EMSGSIZE.
 */
int	dns_name_from_str(const char *s, uint8_t *out);
int	dns_name_to_str(const uint8_t *name, size_t len, char *out,
	    size_t outlen);
/* Fold ASCII upper case to lower case in place. */
void	dns_name_lower(uint8_t *name, size_t len);
/* Case-insensitive equality of two wire names. */
int	dns_name_equal(const uint8_t *a, size_t alen, const uint8_t *b,
	    size_t blen);
/* Non-zero when name is domain itself or below it (label-aligned). */
int	dns_name_under(const uint8_t *name, size_t len, const uint8_t *domain,
	    size_t dlen);
/* Number of labels, the root not counted. */
int	dns_name_labels(const uint8_t *name, size_t len);

/* "A", "AAAA", ... or "TYPE123" into buf (at least 16 bytes); returns buf. */
const char *dns_type_str(uint16_t type, char *buf, size_t len);
/* "NOERROR", "NXDOMAIN", ... or "RCODE12". */
const char *dns_rcode_str(unsigned int rcode, char *buf, size_t len);

#endif /* HGW_DNSWIRE_H */
