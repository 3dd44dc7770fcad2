/*
 * SPDX-License-Identifier: ISC
 *
 * names.c: the names behind addresses.  Every answer dnsd gives a client
 * that carries addresses (A and AAAA records, at the end of a CNAME chain
 * or not; from the cache, the host table or upstream) is noted here as
 * (client, address, the name the client asked for, when the TTL ends), so
 * that a connection the client opens next can be shown with the name that
 * led to it.  Notes wait in a fixed ring and reach live.db's dns_names
 * with dnsd's other live figures, in the same transaction each second;
 * never one transaction per answer.  A client asking the same name again
 * and again (a busy cache hit) is noted once every NOTE_AGAIN_S only, so
 * a flood of identical answers costs a hash lookup, not a row.  The table
 * is bounded: rows go an hour after their TTL ended (a long download keeps
 * its name meanwhile) and beyond NAMES_MAX rows the oldest expiry goes
 * first.  Owns no socket and never talks to the network.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "state.h"
#include "dnswire.h"
#include "dnsd.h"

#define NAMES_MAX	20000	/* rows of dns_names */
#define NAMES_RING	2048	/* notes between two flushes */
#define NAMES_BYTES	(NAMES_RING * 48)	/* of their names, in all */
#define NAMES_SEEN	4096	/* slots of the recently-noted table */
#define NOTE_AGAIN_S	30	/* a repeated answer: noted this often */
#define GRACE_S		3600	/* rows live this long past the TTL */
#define PRUNE_S		10

/*
 * A note; its name (wire form, lower case) is in the byte ring at name,
 * at its length: a DNS_NAME_MAX buffer in each note was 0.6 MB of
 * dnsd's memory once a flood of names had gone through the ring, for
 * names of 20 to 30 bytes (issue 18).
 */
struct name_note {
	int64_t		 expires;
	uint32_t	 name;		/* offset in names, may wrap */
	uint8_t		 client[16];
	uint8_t		 addr[16];
	uint8_t		 cfamily;
	uint8_t		 afamily;
	uint8_t		 namelen;
};

/*
 * The name last noted for a (client, address) pair, by hash: a repeat of
 * that same name is skipped for a while, any other name is noted at once
 * (the newest answer must win in dns_names).
 */
struct name_seen {
	uint32_t	 key;		/* hash of client, address */
	uint32_t	 name;		/* hash of the name */
	int64_t		 at;		/* monotonic second noted */
};

static struct name_note	*ring;
static unsigned int	 head, count, flushed;
static uint8_t		*names;		/* the notes' names, in ring order */
static size_t		 names_head, names_used;
static struct name_seen	*seen;
static uint64_t		 lost, noted;
static int64_t		 pruned_at;

static uint32_t
fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t	*b = p;

	while (n-- > 0)
		h = (h ^ *b++) * 16777619u;
	return (h);
}

/* Allocate the ring; dnsd runs without names when this fails. */
int
names_init(void)
{
	ring = calloc(NAMES_RING, sizeof(*ring));
	seen = calloc(NAMES_SEEN, sizeof(*seen));
	names = malloc(NAMES_BYTES);
	if (ring == NULL || seen == NULL || names == NULL) {
		names_free();
		return (-1);
	}
	return (0);
}

/* Free the ring (what it still holds is lost: dns_names is rebuilt). */
void
names_free(void)
{
	free(ring);
	free(seen);
	free(names);
	ring = NULL;
	seen = NULL;
	names = NULL;
	head = count = flushed = 0;
	names_head = names_used = 0;
}

/* The oldest note gives way (it was nearly stale). */
static void
drop_oldest(void)
{
	const struct name_note *o = &ring[(head + NAMES_RING - count) %
	    NAMES_RING];

	names_used -= o->namelen;
	lost++;
	count--;
	if (flushed > 0)
		flushed--;
}

/* Copy n bytes into or out of the byte ring at off, across its end. */
static void
ring_put(size_t off, const uint8_t *p, size_t n)
{
	size_t	 a = NAMES_BYTES - off < n ? NAMES_BYTES - off : n;

	memcpy(names + off, p, a);
	memcpy(names, p + a, n - a);
}

static void
ring_get(size_t off, uint8_t *p, size_t n)
{
	size_t	 a = NAMES_BYTES - off < n ? NAMES_BYTES - off : n;

	memcpy(p, names + off, a);
	memcpy(p + a, names, n - a);
}

/*
 * Note the addresses of one answer sent to client.  msg is the message
 * exactly as sent, so its TTLs are what the client was told.  Anything
 * but a NOERROR answer to an A or AAAA question is ignored; the message
 * is ours, but it is parsed with the bounded parser all the same.
 */
void
names_note(struct dnsd *dd, const struct sockaddr_storage *client,
    const uint8_t *msg, size_t len)
{
	static struct dns_msg	 m;
	struct name_note	*e;
	struct name_seen	*s;
	const struct dns_rr	*rr;
	uint8_t			 name[DNS_NAME_MAX];
	const uint8_t		*caddr;
	uint8_t			 cfamily;
	unsigned int		 i;
	uint32_t		 h, hn;
	size_t			 k, clen;

	if (ring == NULL || len < DNS_HDR_LEN || (msg[3] & DNS_F_RCODE) != 0 ||
	    (msg[6] == 0 && msg[7] == 0))
		return;
	if (client->ss_family == AF_INET) {
		caddr = (const uint8_t *)
		    &((const struct sockaddr_in *)client)->sin_addr;
		clen = 4;
	} else if (client->ss_family == AF_INET6) {
		caddr = (const uint8_t *)
		    &((const struct sockaddr_in6 *)client)->sin6_addr;
		clen = 16;
	} else
		return;
	cfamily = (uint8_t)client->ss_family;
	if (dns_msg_parse(msg, len, &m) != 0 ||
	    (m.qtype != DNS_T_A && m.qtype != DNS_T_AAAA) ||
	    m.qnamelen > sizeof(name))
		return;
	/*
	 * The client's spelling may mix case (0x20); names are kept lower.
	 * Length octets are at most 63, below 'A', so they pass unchanged.
	 */
	for (k = 0; k < m.qnamelen; k++)
		name[k] = (uint8_t)tolower(m.qname[k]);
	for (i = 0; i < m.nrr; i++) {
		rr = &m.rr[i];
		if (rr->section != DNS_S_ANSWER || rr->class != DNS_C_IN ||
		    !((rr->type == DNS_T_A && rr->rdlen == 4) ||
		    (rr->type == DNS_T_AAAA && rr->rdlen == 16)))
			continue;
		h = fnv(2166136261u, caddr, clen);
		h = fnv(h, msg + rr->rdata_off, rr->rdlen);
		hn = fnv(2166136261u, name, k);
		s = &seen[h % NAMES_SEEN];
		if (s->key == h && s->name == hn && s->at != 0 &&
		    dd->now_s - s->at < NOTE_AGAIN_S)
			continue;
		s->key = h;
		s->name = hn;
		s->at = dd->now_s;
		while (count == NAMES_RING || names_used + k > NAMES_BYTES)
			drop_oldest();
		e = &ring[head];
		head = (head + 1) % NAMES_RING;
		count++;
		noted++;
		e->cfamily = cfamily;
		memcpy(e->client, caddr, clen);
		e->afamily = rr->type == DNS_T_A ? AF_INET : AF_INET6;
		memcpy(e->addr, msg + rr->rdata_off, rr->rdlen);
		e->expires = dd->wall_ms / 1000 + rr->ttl;
		e->name = (uint32_t)names_head;
		e->namelen = (uint8_t)k;
		ring_put(names_head, name, k);
		names_head = (names_head + k) % NAMES_BYTES;
		names_used += k;
	}
}

/*
 * Inside dnsd's live.db transaction: the new notes, the expired rows and
 * the cap.  The notes stay in the ring until names_done() (after COMMIT),
 * so a failed write is retried whole.
 */
int
names_flush(sqlite3 *db, struct dnsd *dd)
{
	sqlite3_stmt	*st;
	unsigned int	 i, start;
	int64_t		 now = dd->wall_ms / 1000, rows;
	char		 c[INET6_ADDRSTRLEN], a[INET6_ADDRSTRLEN], sql[160];
	char		 name[DNS_NAME_STRLEN];
	uint8_t		 wire[DNS_NAME_MAX];
	int		 rc;

	flushed = 0;
	if (ring == NULL)
		return (0);
	if (count > 0) {
		if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO dns_names "
		    "(client, address, name, expires) VALUES (?1, ?2, ?3, ?4)",
		    -1, &st, NULL) != SQLITE_OK)
			return (-1);
		start = (head + NAMES_RING - count) % NAMES_RING;
		for (i = 0; i < count; i++) {
			const struct name_note *e =
			    &ring[(start + i) % NAMES_RING];

			ring_get(e->name, wire, e->namelen);
			if (inet_ntop(e->cfamily, e->client, c, sizeof(c)) ==
			    NULL || inet_ntop(e->afamily, e->addr, a,
			    sizeof(a)) == NULL || dns_name_to_str(wire,
			    e->namelen, name, sizeof(name)) < 0)
				continue;
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, c, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 2, a, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(st, 4, e->expires);
			if (sqlite3_step(st) != SQLITE_DONE) {
				sqlite3_finalize(st);
				return (-1);
			}
		}
		sqlite3_finalize(st);
		flushed = count;
	}
	if (state_metric_set(db, "dnsd", "names_noted", (double)noted) < 0 ||
	    state_metric_set(db, "dnsd", "names_lost", (double)lost) < 0)
		return (-1);
	if (now - pruned_at < PRUNE_S)
		return (0);
	snprintf(sql, sizeof(sql), "DELETE FROM dns_names WHERE expires < "
	    "%lld", (long long)(now - GRACE_S));
	if (state_exec(db, sql) < 0)
		return (-1);
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM dns_names", -1, &st,
	    NULL) != SQLITE_OK)
		return (-1);
	rc = sqlite3_step(st);
	rows = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return (-1);
	if (rows > NAMES_MAX) {
		snprintf(sql, sizeof(sql), "DELETE FROM dns_names WHERE "
		    "(client, address) IN (SELECT client, address FROM "
		    "dns_names ORDER BY expires LIMIT %lld)",
		    (long long)(rows - NAMES_MAX));
		if (state_exec(db, sql) < 0)
			return (-1);
	}
	if (state_metric_set(db, "dnsd", "names_rows",
	    (double)(rows > NAMES_MAX ? NAMES_MAX : rows)) < 0)
		return (-1);
	pruned_at = now;
	return (0);
}

/* The transaction of names_flush() committed: forget what it wrote. */
void
names_done(void)
{
	while (flushed > 0 && count > 0) {
		flushed--;
		names_used -= ring[(head + NAMES_RING - count) %
		    NAMES_RING].namelen;
		count--;
	}
	flushed = 0;
}
