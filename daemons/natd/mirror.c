/*
 * SPDX-License-Identifier: ISC
 *
 * mirror.c: natd's in-memory copy of the kernel conntrack table.  Owns the
 * flow hash (keyed by kernel id plus original tuple, since ids are reused
 * after a flow dies), its bound (max_flows), mark and sweep after a dump,
 * the rows still to delete from live.db, and the per-LAN-host traffic
 * counted between two history intervals.  Pure: it never talks to the
 * kernel or SQLite, so its logic is unit-tested without either.
 *
 * Mark and sweep: mirror_mark() starts a new generation; every flow a
 * dump reports, and every flow an event touches, carries the current
 * generation; mirror_sweep() at the end of the dump drops the flows that
 * two dumps in a row did not report.  Those are flows whose DESTROY event
 * was lost in an overrun.  One dump is not enough: a flow that died just
 * before it has its DESTROY event still queued, and a DESTROY for a flow
 * the mirror does not know counts as a flow born and gone between two
 * dumps, so sweeping it first would count it twice.  A flow created
 * during the dump and missed by it arrives by its NEW event afterwards,
 * or in the next dump when NEW events are off, so nothing is lost either
 * way.
 *
 * Slabs: the flows live in slabs of SLAB_BYTES, mapped from the kernel
 * and aligned to their size, so a flow's slab is its address rounded
 * down.  A malloc per flow cost 16 bytes of overhead each and, after a
 * flood, left the heap fragmented: glibc held on to the memory until
 * malloc_trim.  A slab whose last flow goes is unmapped at once (one
 * spare is kept, so a table that breathes around a slab boundary does
 * not map and unmap in turn).  Free slots are poisoned for
 * AddressSanitizer, so a use after free still shows in the tests.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "natd.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)	do { (void)(p); (void)(n); } while (0)
#define UNPOISON(p, n)	do { (void)(p); (void)(n); } while (0)
#endif

/* Distinct LAN hosts counted per interval. */
#define MIRROR_HOSTS_MAX	1024

/* 64 KiB: 511 IPv4 flows a slab, or 372 IPv6 ones. */
#define SLAB_BYTES		((size_t)65536)

/* Slabs come in two slot sizes: cls 0 for IPv4 flows, 1 for IPv6. */
struct flow_slab {
	TAILQ_ENTRY(flow_slab) entry;
	struct flow	*free;		/* chained through hnext */
	unsigned int	 used;
	unsigned int	 unused;	/* slots never handed out yet */
	unsigned int	 size;		/* of a slot */
	unsigned int	 nslots;
	uint8_t		 cls;
	uint8_t		 evacuate;	/* mirror_compact() empties it */
	uint8_t		 pad[6];
	uint8_t		 slots[];
};

static int
cls_of(int family)
{
	return (family == AF_INET6);
}

static size_t
cls_size(int cls)
{
	return (FLOW_SIZE(cls ? AF_INET6 : AF_INET));
}

static unsigned int
cls_slots(int cls)
{
	return ((unsigned int)((SLAB_BYTES - sizeof(struct flow_slab)) /
	    cls_size(cls)));
}

static struct flow_slab *
slab_of(const struct flow *f)
{
	return ((struct flow_slab *)((uintptr_t)f & ~(SLAB_BYTES - 1)));
}

static struct flow *
slab_slot(struct flow_slab *s, unsigned int k)
{
	return ((struct flow *)(void *)(s->slots + (size_t)k * s->size));
}

/* An empty slab ready for flows of class cls. */
static void
slab_init(struct flow_slab *s, int cls)
{
	s->free = NULL;
	s->used = 0;
	s->cls = (uint8_t)cls;
	s->size = (unsigned int)cls_size(cls);
	s->nslots = s->unused = cls_slots(cls);
	s->evacuate = 0;
	POISON(s->slots, SLAB_BYTES - sizeof(*s));
}

/* Map a slab aligned to its size: map twice as much and trim the ends. */
static struct flow_slab *
slab_new(void)
{
	uint8_t		*p, *a;
	size_t		 head;

	p = mmap(NULL, 2 * SLAB_BYTES, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (NULL);
	a = (uint8_t *)(((uintptr_t)p + SLAB_BYTES - 1) & ~(SLAB_BYTES - 1));
	head = (size_t)(a - p);
	if (head > 0)
		(void)munmap(p, head);
	(void)munmap(a + SLAB_BYTES, SLAB_BYTES - head);
	return ((struct flow_slab *)a);
}

/* An empty slab gone: kept as the spare, or back to the kernel. */
static void
slab_drop(struct mirror *m, struct flow_slab *s)
{
	if (m->spare == NULL)
		m->spare = s;
	else
		(void)munmap(s, SLAB_BYTES);
}

/* A zeroed flow of cls from the first slab with room, or a new slab. */
static struct flow *
flow_alloc(struct mirror *m, int cls)
{
	struct flow_slab_list *l = &m->slabs[cls];
	struct flow_slab *s = TAILQ_FIRST(l);
	struct flow	*f;

	if (s == NULL || (s->free == NULL && s->unused == 0)) {
		if ((s = m->spare) != NULL)
			m->spare = NULL;
		else if ((s = slab_new()) == NULL)
			return (NULL);
		slab_init(s, cls);
		TAILQ_INSERT_HEAD(l, s, entry);
		m->nslabs++;
	}
	if (s->free != NULL) {
		f = s->free;
		UNPOISON(f, s->size);
		s->free = f->hnext;
	} else {
		f = slab_slot(s, s->nslots - s->unused);
		UNPOISON(f, s->size);
		s->unused--;
	}
	s->used++;
	/* A full slab goes to the back: the first one always has room. */
	if (s->free == NULL && s->unused == 0) {
		TAILQ_REMOVE(l, s, entry);
		TAILQ_INSERT_TAIL(l, s, entry);
	}
	memset(f, 0, s->size);
	return (f);
}

static void
flow_release(struct mirror *m, struct flow *f)
{
	struct flow_slab *s = slab_of(f);
	struct flow_slab_list *l = &m->slabs[s->cls];
	int		 was_full = s->free == NULL && s->unused == 0;

	f->hnext = s->free;
	s->free = f;
	POISON(f, s->size);
	s->used--;
	if (s->used == 0) {
		TAILQ_REMOVE(l, s, entry);
		m->nslabs--;
		slab_drop(m, s);
		return;
	}
	if (was_full) {
		TAILQ_REMOVE(l, s, entry);
		TAILQ_INSERT_HEAD(l, s, entry);
	}
}

static unsigned int flow_hash(const struct mirror *, const struct flow *);

static int
slab_cmp_used(const void *a, const void *b)
{
	const struct flow_slab *x = *(struct flow_slab *const *)a;
	const struct flow_slab *y = *(struct flow_slab *const *)b;

	return (x->used < y->used ? -1 : x->used > y->used);
}

/*
 * Compaction of the slabs of one class: see mirror_compact().  Returns
 * the flows moved.
 */
static unsigned int
compact_cls(struct mirror *m, int cls)
{
	struct flow_slab_list *l = &m->slabs[cls];
	struct flow_slab **v, *sl;
	struct flow	*f, *g, **pp;
	unsigned int	 per = cls_slots(cls), n = 0, i, k, lo, room = 0, b;
	unsigned int	 moved = 0, nflows;
	size_t		 slots;

	nflows = cls ? m->nflows6 : m->nflows - m->nflows6;
	TAILQ_FOREACH(sl, l, entry)
		n++;
	slots = (size_t)n * per;
	if (n < 3 || slots <= (size_t)nflows + nflows / 4 + 2 * per)
		return (0);
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return (0);
	i = 0;
	TAILQ_FOREACH(sl, l, entry)
		v[i++] = sl;
	qsort(v, n, sizeof(*v), slab_cmp_used);
	/* Empty the emptiest slabs while the others have the room. */
	for (k = 0; k < n; k++)
		room += per - v[k]->used;
	for (lo = 0; lo < n - 1; lo++) {
		room -= per - v[lo]->used;
		if (v[lo]->used > room)
			break;
		room -= v[lo]->used;
	}
	if (lo == 0) {
		free(v);
		return (0);
	}
	/* The rest, those with room first: flow_alloc() takes the head. */
	TAILQ_INIT(l);
	for (k = n; k-- > lo; )
		if (v[k]->used < per)
			TAILQ_INSERT_TAIL(l, v[k], entry);
	for (k = lo; k < n; k++)
		if (v[k]->used == per)
			TAILQ_INSERT_TAIL(l, v[k], entry);
	for (k = 0; k < lo; k++)
		v[k]->evacuate = 1;
	m->nslabs -= lo;
	/* Each flow of an emptied slab takes its place in its chain. */
	for (b = 0; b < m->nbuckets; b++)
		for (pp = &m->buckets[b]; (f = *pp) != NULL; pp = &(*pp)->hnext) {
			sl = slab_of(f);
			if (!sl->evacuate || (g = flow_alloc(m, cls)) == NULL)
				continue;
			memcpy(g, f, sl->size);	/* hnext with it */
			*pp = g;
			f->hnext = sl->free;
			sl->free = f;
			POISON(f, sl->size);
			sl->used--;
			moved++;
		}
	/* Emptied: back to the kernel; a slab a flow could not leave stays. */
	for (k = 0; k < lo; k++) {
		v[k]->evacuate = 0;
		if (v[k]->used > 0) {
			TAILQ_INSERT_HEAD(l, v[k], entry);
			m->nslabs++;
		} else
			slab_drop(m, v[k]);
	}
	free(v);
	return (moved);
}

/*
 * Compaction.  Flows die in any order, so after a flood many slabs keep
 * a few flows each and none of them empties: natd held several
 * megabytes of slabs a third full (issue 18).  When the slabs of a class
 * could hold a quarter more than its flows, and two slabs besides, the
 * flows of the emptiest slabs move into the holes of the others, and the
 * emptied slabs go back to the kernel.  A flow is only ever reached
 * through the hash, fixed up here, and no caller keeps a flow across
 * calls into the mirror.  Returns the flows moved.
 */
unsigned int
mirror_compact(struct mirror *m)
{
	return (compact_cls(m, 0) + compact_cls(m, 1));
}

/* The memory the flows hold, slabs whole (the spare too). */
size_t
mirror_flow_bytes(const struct mirror *m)
{
	return (((size_t)m->nslabs + (m->spare != NULL)) * SLAB_BYTES);
}

/*
 * The hash grows with the table (a chain per flow on average at most)
 * and shrinks when a flood has gone: sized for max_flows from the start,
 * it held half a megabyte of bucket pages for a home's hundred flows.
 */
#define BUCKETS_MIN		1024U
#define BUCKETS_MAX		(1U << 22)

static void
rehash(struct mirror *m, unsigned int n)
{
	struct flow	**b, **old = m->buckets, *f;
	unsigned int	 h, k, nold = m->nbuckets;

	if ((b = calloc(n, sizeof(*b))) == NULL)
		return;		/* longer chains, still right */
	m->buckets = b;
	m->nbuckets = n;
	for (k = 0; k < nold; k++)
		while ((f = old[k]) != NULL) {
			old[k] = f->hnext;
			h = flow_hash(m, f);
			f->hnext = b[h];
			b[h] = f;
		}
	free(old);
}

static void
resize(struct mirror *m)
{
	if (m->nflows > m->nbuckets && m->nbuckets < BUCKETS_MAX)
		rehash(m, m->nbuckets * 2);
	else if (m->nflows < m->nbuckets / 8 && m->nbuckets > BUCKETS_MIN)
		rehash(m, m->nbuckets / 2);
}

/* Create an empty mirror holding at most max_flows flows. */
struct mirror *
mirror_new(unsigned int max_flows, struct in_addr lan_net, int lan_plen)
{
	struct mirror	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return (NULL);
	m->max_flows = max_flows ? max_flows : 1;
	m->nbuckets = BUCKETS_MIN;
	m->max_hosts = MIRROR_HOSTS_MAX;
	m->max_dead = m->max_flows;
	m->lan_self = lan_net;
	m->lan_net.s_addr = lan_net.s_addr & addr_mask4(lan_plen);
	m->lan_plen = lan_plen;
	TAILQ_INIT(&m->slabs[0]);
	TAILQ_INIT(&m->slabs[1]);
	m->buckets = calloc(m->nbuckets, sizeof(*m->buckets));
	m->hosts = calloc(m->max_hosts, sizeof(*m->hosts));
	m->dead = calloc(m->max_dead, sizeof(*m->dead));
	if (m->buckets == NULL || m->hosts == NULL || m->dead == NULL) {
		mirror_free(m);
		return (NULL);
	}
	return (m);
}

/* Free the mirror and every flow; NULL is fine. */
void
mirror_free(struct mirror *m)
{
	struct flow_slab *s;
	int		 c;

	if (m == NULL)
		return;
	for (c = 0; c < 2; c++)
		while ((s = TAILQ_FIRST(&m->slabs[c])) != NULL) {
			TAILQ_REMOVE(&m->slabs[c], s, entry);
			(void)munmap(s, SLAB_BYTES);
		}
	if (m->spare != NULL)
		(void)munmap(m->spare, SLAB_BYTES);
	free(m->buckets);
	free(m->hosts);
	free(m->dead);
	free(m);
}

static size_t
tuple_len(int family)
{
	return (FLOW_ALEN(family));
}

/* Whether flow f is the one of key i (a kernel id is reused). */
static int
key_equal(const struct flow *f, const struct flow_info *i)
{
	size_t	 n = tuple_len(f->family);

	return (f->id == i->id && f->proto == i->proto &&
	    f->family == i->orig.family &&
	    f->orig_sport == i->orig.sport && f->orig_dport == i->orig.dport &&
	    memcmp(flow_addr(f, FLOW_OSRC), i->orig.src, n) == 0 &&
	    memcmp(flow_addr(f, FLOW_ODST), i->orig.dst, n) == 0);
}

/* FNV-1a over the key: kernel id, protocol and original tuple. */
static unsigned int
hash_key(const struct mirror *m, uint32_t id, uint8_t proto, size_t n,
    const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport)
{
	uint32_t	 h = 2166136261U;
	size_t		 k;

#define MIX(b)	do { h ^= (uint8_t)(b); h *= 16777619U; } while (0)
	for (k = 0; k < 4; k++)
		MIX(id >> (8 * k));
	MIX(proto);
	for (k = 0; k < n; k++)
		MIX(src[k]);
	for (k = 0; k < n; k++)
		MIX(dst[k]);
	MIX(sport);
	MIX(sport >> 8);
	MIX(dport);
	MIX(dport >> 8);
#undef MIX
	return (h & (m->nbuckets - 1));
}

static unsigned int
key_hash(const struct mirror *m, const struct flow_info *i)
{
	return (hash_key(m, i->id, i->proto, tuple_len(i->orig.family),
	    i->orig.src, i->orig.dst, i->orig.sport, i->orig.dport));
}

static unsigned int
flow_hash(const struct mirror *m, const struct flow *f)
{
	return (hash_key(m, f->id, f->proto, tuple_len(f->family),
	    flow_addr(f, FLOW_OSRC), flow_addr(f, FLOW_ODST), f->orig_sport,
	    f->orig_dport));
}

/* Look a flow up by its key. */
struct flow *
mirror_find(struct mirror *m, const struct flow_info *i)
{
	struct flow	*f;

	for (f = m->buckets[key_hash(m, i)]; f != NULL; f = f->hnext)
		if (key_equal(f, i))
			return (f);
	return (NULL);
}

/* Store what the kernel said of a flow (its key is already f's). */
static void
flow_set(struct flow *f, const struct flow_info *i)
{
	size_t	 n = tuple_len(i->orig.family);

	f->id = i->id;
	f->status = i->status;
	f->timeout = i->timeout;
	f->proto = i->proto;
	f->tcp_state = i->tcp_state;
	f->has_tcp_state = i->has_tcp_state;
	f->family = (uint8_t)i->orig.family;
	f->orig_sport = i->orig.sport;
	f->orig_dport = i->orig.dport;
	f->reply_sport = i->reply.sport;
	f->reply_dport = i->reply.dport;
	memcpy(f->addr + FLOW_OSRC * n, i->orig.src, n);
	memcpy(f->addr + FLOW_ODST * n, i->orig.dst, n);
	memcpy(f->addr + FLOW_RSRC * n, i->reply.src, n);
	memcpy(f->addr + FLOW_RDST * n, i->reply.dst, n);
	f->orig_packets = i->orig_packets;
	f->orig_bytes = i->orig_bytes;
	f->reply_packets = i->reply_packets;
	f->reply_bytes = i->reply_bytes;
}

void
flow_info_of(const struct flow *f, struct flow_info *i)
{
	size_t	 n = tuple_len(f->family);

	memset(i, 0, sizeof(*i));
	i->id = f->id;
	i->status = f->status;
	i->timeout = f->timeout;
	i->proto = f->proto;
	i->tcp_state = f->tcp_state;
	i->has_tcp_state = f->has_tcp_state;
	i->orig.family = i->reply.family = f->family;
	i->orig.sport = f->orig_sport;
	i->orig.dport = f->orig_dport;
	i->reply.sport = f->reply_sport;
	i->reply.dport = f->reply_dport;
	memcpy(i->orig.src, flow_addr(f, FLOW_OSRC), n);
	memcpy(i->orig.dst, flow_addr(f, FLOW_ODST), n);
	memcpy(i->reply.src, flow_addr(f, FLOW_RSRC), n);
	memcpy(i->reply.dst, flow_addr(f, FLOW_RDST), n);
	i->orig_packets = f->orig_packets;
	i->orig_bytes = f->orig_bytes;
	i->reply_packets = f->reply_packets;
	i->reply_bytes = f->reply_bytes;
	i->start = f->first_seen;
}

static int
in_lan(const struct mirror *m, int family, const uint8_t *a)
{
	struct in_addr	 in;

	if (family != AF_INET || m->lan_plen <= 0)
		return (0);
	memcpy(&in, a, 4);
	/* The gateway's own LAN address is not a LAN host. */
	if (in.s_addr == m->lan_self.s_addr)
		return (0);
	return (addr_in_prefix4(in, m->lan_net, m->lan_plen));
}

/*
 * Which side is the LAN host: the original source for outbound flows,
 * the reply source for forwarded (DNAT) inbound ones.
 */
static int
lan_side(const struct mirror *m, const struct flow_info *i)
{
	if (in_lan(m, i->orig.family, i->orig.src))
		return (1);
	if (in_lan(m, i->reply.family, i->reply.src))
		return (2);
	return (0);
}

static int
flow_lan_side(const struct mirror *m, const struct flow *f)
{
	if (in_lan(m, f->family, flow_addr(f, FLOW_OSRC)))
		return (1);
	if (in_lan(m, f->family, flow_addr(f, FLOW_RSRC)))
		return (2);
	return (0);
}

/* The LAN host's address for a flow, 0.0.0.0 if it has none. */
struct in_addr
mirror_flow_lan_addr(const struct mirror *m, const struct flow_info *i)
{
	struct in_addr	 a;

	a.s_addr = 0;
	switch (lan_side(m, i)) {
	case 1:
		memcpy(&a, i->orig.src, 4);
		break;
	case 2:
		memcpy(&a, i->reply.src, 4);
		break;
	}
	return (a);
}

/*
 * The host's slot.  A linear scan: the LAN prefix bounds the hosts, and
 * a scan per new flow costs less than the netlink message that brought it.
 */
static int
host_slot(struct mirror *m, struct in_addr a)
{
	unsigned int	 i, free_slot = m->max_hosts;

	for (i = 0; i < m->max_hosts; i++) {
		if (m->hosts[i].used && m->hosts[i].addr.s_addr == a.s_addr)
			return ((int)i);
		if (!m->hosts[i].used && free_slot == m->max_hosts)
			free_slot = i;
	}
	if (free_slot == m->max_hosts)
		return (-1);	/* full: this host's traffic is not counted */
	memset(&m->hosts[free_slot], 0, sizeof(m->hosts[free_slot]));
	m->hosts[free_slot].used = 1;
	m->hosts[free_slot].addr = a;
	return ((int)free_slot);
}

/*
 * Add what the counters grew by since we last looked to the host.  What
 * we last looked at is the flow's own copy of the counters, prev (the
 * mirror keeps no second copy: natd's memory after a flood is mostly
 * flows); NULL counts from zero.  The LAN side is i's: a flow's tuples
 * are fixed once the kernel confirmed it.
 */
static void
account(struct mirror *m, int host, const struct flow *prev,
    const struct flow_info *i)
{
	struct mirror_host *h;
	uint64_t	 out, in, pkts, pout = 0, pin = 0, ppkts = 0;
	int		 outbound;

	if (host < 0)
		return;
	h = &m->hosts[host];
	outbound = lan_side(m, i) == 1;
	out = outbound ? i->orig_bytes : i->reply_bytes;
	in = outbound ? i->reply_bytes : i->orig_bytes;
	pkts = i->orig_packets + i->reply_packets;
	if (prev != NULL) {
		pout = outbound ? prev->orig_bytes : prev->reply_bytes;
		pin = outbound ? prev->reply_bytes : prev->orig_bytes;
		ppkts = prev->orig_packets + prev->reply_packets;
	}
	/* Counters only grow; a smaller value is a reused id: start over. */
	if (out >= pout) {
		h->bytes_out += out - pout;
		h->step_out += out - pout;
	}
	if (in >= pin) {
		h->bytes_in += in - pin;
		h->step_in += in - pin;
	}
	if (pkts >= ppkts)
		h->packets += pkts - ppkts;
}

static int
changed(const struct flow *f, const struct flow_info *i)
{
	size_t	 n = tuple_len(f->family);

	return (f->orig_bytes != i->orig_bytes ||
	    f->reply_bytes != i->reply_bytes ||
	    f->orig_packets != i->orig_packets ||
	    f->reply_packets != i->reply_packets ||
	    f->tcp_state != i->tcp_state || f->status != i->status ||
	    f->reply_sport != i->reply.sport ||
	    f->reply_dport != i->reply.dport ||
	    memcmp(flow_addr(f, FLOW_RSRC), i->reply.src, n) != 0 ||
	    memcmp(flow_addr(f, FLOW_RDST), i->reply.dst, n) != 0);
}

/*
 * Whether the conntrack entry went through NAT: its reply does not come
 * back from where the original went to, or not to where it came from.
 * Ports count for the protocols that have them; ICMP's reply has another
 * type, so only its id is compared.
 */
static int
translated(const struct flow_info *i)
{
	size_t	 n = tuple_len(i->orig.family);

	if (memcmp(i->reply.src, i->orig.dst, n) != 0 ||
	    memcmp(i->reply.dst, i->orig.src, n) != 0)
		return (1);
	switch (i->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_UDPLITE:
		return (i->reply.sport != i->orig.dport ||
		    i->reply.dport != i->orig.sport);
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return (i->reply.sport != i->orig.sport);
	default:
		return (0);
	}
}

static int
own_addr(const struct mirror *m, int family, const uint8_t *a)
{
	unsigned int	 k;

	for (k = 0; k < m->nown; k++)
		if (m->own[k].family == family &&
		    memcmp(m->own[k].a, a, tuple_len(family)) == 0)
			return (1);
	return (0);
}

/*
 * The gateway's own connection: one it opened (from one of its
 * addresses, whatever masquerade did to it), or one to one of its
 * addresses that was not translated (a port forward is for a LAN host).
 */
static int
gateway_flow(const struct mirror *m, const struct flow_info *i)
{
	if (own_addr(m, i->orig.family, i->orig.src))
		return (1);
	return (own_addr(m, i->orig.family, i->orig.dst) && !translated(i));
}

/*
 * Take a sample of the flow's counters for its current rates; returns 1
 * when a rate changed.  A first sample gives no rate (its bytes may be
 * of any age), and neither does a counter that went back: the kernel
 * reused the id for a new flow with the same tuple, or the counters
 * were reset, and the next sample measures from here.  Samples closer
 * than RATE_MIN_MS to the last (an event right after a dump) are too
 * short to mean much: the rate over the last two real samples stands.
 */
#define RATE_MIN_MS	500
static int
rate_sample(struct mirror *m, struct flow *f, const struct flow_info *i,
    int fresh)
{
	uint32_t	 now = (uint32_t)m->now_ms, dt;
	float		 ro = 0, rr = 0;
	int		 back, r;

	/* f holds the counters last seen, newer than the sample's. */
	back = i->orig_bytes < f->orig_bytes ||
	    i->reply_bytes < f->reply_bytes;
	if (!fresh && !back && f->rate_ms != 0) {
		dt = now - f->rate_ms;
		if (dt < RATE_MIN_MS)
			return (0);
		/* A clock that went back (dt "negative"): no rate. */
		if (dt > INT32_MAX)
			goto sampled;
		ro = (float)((double)(uint32_t)((uint32_t)i->orig_bytes -
		    f->rate_ob) * 1000 / dt);
		rr = (float)((double)(uint32_t)((uint32_t)i->reply_bytes -
		    f->rate_rb) * 1000 / dt);
	}
 sampled:
	r = ro != f->rate_orig || rr != f->rate_reply;
	f->rate_orig = ro;
	f->rate_reply = rr;
	f->rate_ms = now != 0 ? now : 1;	/* 0: no sample yet */
	f->rate_ob = (uint32_t)i->orig_bytes;
	f->rate_rb = (uint32_t)i->reply_bytes;
	return (r);
}

/* Add or update a flow seen by an event or a dump. */
struct flow *
mirror_update(struct mirror *m, const struct flow_info *i, int64_t now,
    int baseline)
{
	struct flow	*f;
	struct in_addr	 a;
	unsigned int	 b;
	int		 fresh = 0, rated, gw;

	if ((f = mirror_find(m, i)) == NULL) {
		if (m->nflows >= m->max_flows) {
			m->full++;
			return (NULL);
		}
		if ((f = flow_alloc(m, cls_of(i->orig.family))) == NULL) {
			m->full++;
			return (NULL);
		}
		flow_set(f, i);
		/*
		 * Rows are keyed in the order flows appear: SQLite appends
		 * them at the end of the table's b-tree, where a hashed key
		 * landed each on a random page of it.
		 */
		f->key = ++m->last_key;
		f->first_seen = (uint32_t)(i->start > 0 && i->start <= now ?
		    i->start : now);
		f->host = -1;
		a = mirror_flow_lan_addr(m, i);
		if (a.s_addr != 0)
			f->host = host_slot(m, a);
		if (f->host >= 0)
			m->hosts[f->host].connections++;
		/* Traffic from before we looked is not ours to count. */
		if (!baseline)
			account(m, f->host, NULL, i);
		b = key_hash(m, i);
		f->hnext = m->buckets[b];
		m->buckets[b] = f;
		m->nflows++;
		if (f->family == AF_INET6)
			m->nflows6++;
		if (m->nflows > m->nbuckets)
			resize(m);
		m->created++;
		m->history_created++;
		fresh = 1;
	} else
		account(m, f->host, f, i);
	rated = rate_sample(m, f, i, fresh);
	gw = gateway_flow(m, i);
	if (gw != f->gateway) {
		f->gateway = (uint8_t)gw;
		rated = 1;
	}
	f->gen = m->gen;
	/*
	 * Only a change is news: a flow the dump found as it was stays as
	 * written, so an idle table costs no writes.  The timeout alone
	 * always changes (it counts down); readers derive what is left from
	 * timeout and last_seen, which change together.
	 */
	if (!changed(f, i) && !rated && f->last_seen != 0)
		return (f);
	flow_set(f, i);
	f->last_seen = (uint32_t)now;
	f->dirty = 1;
	return (f);
}

/* Forget a flow already out of its hash chain; the hash is not resized. */
static void
forget_flow(struct mirror *m, struct flow *f)
{
	m->nflows--;
	if (f->family == AF_INET6)
		m->nflows6--;
	if (f->host >= 0 && m->hosts[f->host].connections > 0)
		m->hosts[f->host].connections--;
	/* A flow born and gone between two flushes never had a row. */
	if (!f->written)
		;
	else if (m->ndead < m->max_dead)
		m->dead[m->ndead++] = f->key;
	else
		m->rewrite = 1;	/* too many to list: rewrite the table */
	flow_release(m, f);
}

static void
remove_flow(struct mirror *m, struct flow *f)
{
	struct flow	**pp;

	for (pp = &m->buckets[flow_hash(m, f)]; *pp != NULL;
	    pp = &(*pp)->hnext) {
		if (*pp == f) {
			*pp = f->hnext;
			break;
		}
	}
	forget_flow(m, f);
	if (m->nflows < m->nbuckets / 8)
		resize(m);
}

/* A DESTROY event: count the flow's last bytes and forget it. */
int
mirror_destroy(struct mirror *m, const struct flow_info *i, int64_t since)
{
	struct flow	*f;
	struct in_addr	 a;
	int		 host = -1;

	if ((f = mirror_find(m, i)) == NULL) {
		/*
		 * Born and gone between two dumps, with NEW events off: it
		 * never had a row, but it was a connection and its bytes
		 * were traffic.  One that started before natd did is not.
		 */
		if (i->start > 0 && i->start < since)
			return (-ENOENT);
		if ((a = mirror_flow_lan_addr(m, i)).s_addr != 0)
			host = host_slot(m, a);
		account(m, host, NULL, i);
		m->created++;
		m->history_created++;
		m->destroyed++;
		return (0);
	}
	account(m, f->host, f, i);
	remove_flow(m, f);
	m->destroyed++;
	return (0);
}

/* Start a dump: a new generation. */
void
mirror_mark(struct mirror *m)
{
	m->gen++;
}

/* Drop the flows neither this dump nor the one before reported. */
unsigned int
mirror_sweep(struct mirror *m)
{
	struct flow	*f, **pp;
	unsigned int	 n = 0, b;

	for (b = 0; b < m->nbuckets; b++)
		for (pp = &m->buckets[b]; (f = *pp) != NULL; ) {
			if (f->gen >= m->gen)
				f->missed = 0;
			else if (++f->missed >= 2) {
				*pp = f->hnext;
				forget_flow(m, f);
				n++;
				continue;
			}
			pp = &f->hnext;
		}
	/* Resized after the walk, never under it. */
	if (m->nflows < m->nbuckets / 8)
		resize(m);
	m->swept += n;
	return (n);
}

/* Start a new history interval. */
void
mirror_history_reset(struct mirror *m)
{
	unsigned int	 i;

	for (i = 0; i < m->max_hosts; i++) {
		/* A host with no flow left and nothing counted is forgotten. */
		if (m->hosts[i].connections == 0 &&
		    m->hosts[i].step_out == 0 && m->hosts[i].step_in == 0 &&
		    m->hosts[i].wrote_flows == 0 &&
		    m->hosts[i].wrote_out == 0 && m->hosts[i].wrote_in == 0)
			m->hosts[i].used = 0;
		m->hosts[i].bytes_out = 0;
		m->hosts[i].bytes_in = 0;
		m->hosts[i].packets = 0;
	}
	m->history_created = 0;
}

/* The rows are written: clear dirty marks and the dead list. */
void
mirror_flushed(struct mirror *m)
{
	struct flow	*f;
	unsigned int	 b;

	MIRROR_FOREACH(m, b, f) {
		if (f->dirty)
			f->written = 1;
		f->dirty = 0;
	}
	m->ndead = 0;
	m->rewrite = 0;
}

/* The gateway's addresses changed: flag the flows again. */
void
mirror_set_own(struct mirror *m, const struct mirror_addr *a, unsigned int n)
{
	struct flow	*f;
	unsigned int	 b;
	struct flow_info i;
	int		 gw;

	if (n > MIRROR_OWN_MAX)
		n = MIRROR_OWN_MAX;
	if (n == m->nown && memcmp(m->own, a, n * sizeof(*a)) == 0)
		return;
	memcpy(m->own, a, n * sizeof(*a));
	m->nown = n;
	MIRROR_FOREACH(m, b, f) {
		flow_info_of(f, &i);
		gw = gateway_flow(m, &i);
		if (gw != f->gateway) {
			f->gateway = gw;
			f->dirty = 1;
		}
	}
}

/* Each LAN host's current rates: the sums over its open flows. */
int
mirror_host_rates(struct mirror *m)
{
	struct mirror_host *h;
	struct flow	*f;
	unsigned int	 b;
	unsigned int	 i;
	int		 changed_any = 0;

	for (i = 0; i < m->max_hosts; i++)
		m->hosts[i].rate_out = m->hosts[i].rate_in = 0;
	MIRROR_FOREACH(m, b, f) {
		if (f->host < 0)
			continue;
		h = &m->hosts[f->host];
		if (flow_lan_side(m, f) == 1) {
			h->rate_out += f->rate_orig;
			h->rate_in += f->rate_reply;
		} else {
			h->rate_out += f->rate_reply;
			h->rate_in += f->rate_orig;
		}
	}
	for (i = 0; i < m->max_hosts; i++) {
		h = &m->hosts[i];
		if (!h->used)
			continue;
		if (h->rate_out != h->wrote_out || h->rate_in != h->wrote_in ||
		    h->connections != h->wrote_flows)
			changed_any = 1;
	}
	return (changed_any);
}

/* A new 10 s step. */
void
mirror_step_reset(struct mirror *m)
{
	unsigned int	 i;

	for (i = 0; i < m->max_hosts; i++)
		m->hosts[i].step_out = m->hosts[i].step_in = 0;
}

/*
 * The mode switch's hysteresis on the table's size (natd.h).  Dumps of
 * fewer than 64 flows teach nothing: fixed costs dominate them.
 */
int
discover_update(struct discover *d, int follow_new, unsigned int nflows,
    long ms, long max_ms)
{
	uint64_t	 cost, best = UINT32_MAX;
	unsigned int	 i;

	if (nflows >= 64 && ms >= 0) {
		cost = (uint64_t)ms * 1000000 / nflows;
		d->cost_ns[d->next] = cost > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)cost;
		d->next = (d->next + 1) % DISCOVER_WINDOW;
		if (d->ncost < DISCOVER_WINDOW)
			d->ncost++;
	}
	for (i = 0; i < d->ncost; i++)
		if (d->cost_ns[i] < best)
			best = d->cost_ns[i];
	if (d->ncost == 0)
		d->line = 0;
	else if (best == 0 || (uint64_t)max_ms * 1000000 / best > UINT32_MAX)
		d->line = UINT32_MAX;
	else
		d->line = (unsigned int)((uint64_t)max_ms * 1000000 / best);
	if (d->line != 0 && d->line < DISCOVER_MIN_FLOWS)
		d->line = DISCOVER_MIN_FLOWS;
	if (d->line == 0)
		return (follow_new);
	d->over = nflows > d->line ? d->over + 1 : 0;
	d->under = nflows < d->line / 2 ? d->under + 1 : 0;
	if (!follow_new && d->over >= DISCOVER_CONFIRM)
		return (1);
	if (follow_new && d->under >= DISCOVER_CONFIRM)
		return (0);
	return (follow_new);
}
