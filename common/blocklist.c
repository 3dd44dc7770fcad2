/*
 * SPDX-License-Identifier: ISC
 *
 * blocklist.c: the blocklist parser and index.
 *
 * The index stores no names.  Each entry is one 64-bit key: the top 54
 * bits are a keyed hash of the entry's name, taken label by label from
 * the right, and the low 10 bits say which list it came from, whether it
 * allows or blocks, and what it covers (the name, the name and its
 * subdomains, or only its subdomains).  Keys are sorted; a table indexed
 * by the top bits of the key gives the run of keys that share them, so a
 * look-up is one table read and a scan of a few adjacent keys.  A name
 * with L labels is looked up L times, once per suffix, and the hashes of
 * the suffixes come from one pass over the name because the hash of
 * "ads.example.com" continues the hash of "example.com".  That is how
 * "||example.com^" covers every name under it without listing them.
 *
 * Groups cost nothing per entry: the list id in the key points at the
 * list's group mask, and a client's groups are a mask too.
 *
 * The price of storing hashes instead of names: two different names may
 * share a 54-bit hash.  With a million entries a looked-up suffix matches
 * a wrong entry with a chance of about 1 in 10^10; the seed is random per
 * index, so nobody can aim for a collision, and rebuilding the index
 * picks a new seed.  The memory is 8 bytes a key plus about half a byte
 * of table, against 77 (dnsmasq) and 425 (unbound) a domain.
 */
#include <sys/types.h>
#include <sys/random.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "blocklist.h"

#define KEY_META_BITS	10
#define KEY_META_MASK	((1u << KEY_META_BITS) - 1)
#define META_LIST(m)	((int)((m) & 0x7f))
#define META_KIND(m)	((enum bl_kind)(((m) >> 7) & 3))
#define META_ALLOW(m)	((int)(((m) >> 9) & 1))
#define TAB_BITS_MAX	24

struct bl_list_info {
	char		 name[BL_NAME_MAX + 1];
	uint32_t	 groups;
	unsigned long	 entries;
};

struct bl_target {
	struct bl_builder	*b;
	int			 list;
};

/* Bit d - 1 set: some entry's name has d labels (64 and more: bit 63). */
#define DEPTH_BIT(d)	((uint64_t)1 << ((d) > 64 ? 63 : (d) - 1))

struct bl_builder {
	uint64_t		 seed;
	uint64_t		 depths;
	uint64_t		*keys;
	size_t			 n, cap;
	int			 nlists;
	struct bl_list_info	 lists[BL_LISTS_MAX];
	struct bl_target	 targets[BL_LISTS_MAX];
};

struct bl_index {
	uint64_t		 seed;
	uint64_t		 depths;	/* a look-up skips the others */
	uint64_t		*keys;		/* sorted */
	size_t			 n;
	uint32_t		*tab;		/* 2^bits + 1 run starts */
	int			 bits;
	int			 nlists;
	struct bl_list_info	 lists[BL_LISTS_MAX];
};

/* Names hosts files map to themselves: not ads, never blocked. */
static const char *const local_names[] = {
	"localhost", "localhost.localdomain", "local", "broadcasthost",
	"localhost4", "localhost6", "ip6-localhost", "ip6-loopback",
	"ip6-localnet", "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters",
	"ip6-allhosts", "0.0.0.0"
};

/*
 * Continue hash h over one label.  FNV-1a over the bytes, then a full
 * avalanche per label so that suffixes of different names spread over
 * the whole key space.
 */
static uint64_t
mix_label(uint64_t h, const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 0x100000001b3ULL;
	}
	h ^= (uint64_t)len * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (h);
}

/* The hash of a whole name (no final dot), labels from the right. */
static uint64_t
name_hash(uint64_t seed, const char *name, size_t len)
{
	uint64_t h = seed;
	size_t	 end = len, i;

	for (i = len; i > 0; i--) {
		if (name[i - 1] == '.') {
			h = mix_label(h, name + i, end - i);
			end = i - 1;
		}
	}
	return (mix_label(h, name, end));
}

int
bl_name_valid(const char *name, size_t len, char *out)
{
	size_t	 i, label = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > BL_DOMAIN_MAX)
		return (0);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0 || name[i - 1] == '-')
				return (0);
			label = 0;
			out[i] = '.';
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		/* '_' appears in real lists (_dmarc, service names). */
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_'))
			return (0);
		if (c == '-' && label == 0)
			return (0);
		if (++label > 63)
			return (0);
		out[i] = (char)c;
	}
	if (label == 0 || name[len - 1] == '-')
		return (0);
	out[len] = '\0';
	return (1);
}

/* A parse in progress. */
struct bl_parser {
	const char		*fname;
	bl_entry_fn		 fn;
	void			*arg;
	struct bl_parse_stats	*st;
	int			 stop;
};

static void
report_bad(struct bl_parser *p, const char *why, const char *text,
    size_t len)
{
	char	 q[64];
	size_t	 i, o = 0;

	p->st->bad++;
	if (p->st->nreported >= BL_BAD_REPORT)
		return;
	/* The text is untrusted: printable ASCII only, bounded. */
	for (i = 0; i < len && o + 5 < sizeof(q); i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			snprintf(q + o, sizeof(q) - o, "\\x%02x", c);
			o += 4;
		} else
			q[o++] = (char)c;
	}
	q[o] = '\0';
	snprintf(p->st->first_bad[p->st->nreported++],
	    sizeof(p->st->first_bad[0]), "%s:%lu: %s: \"%s%s\"", p->fname,
	    p->st->lines, why, q, i < len ? "..." : "");
}

static void
emit(struct bl_parser *p, const char *name, size_t len, enum bl_kind kind,
    int allow, const char *line, size_t linelen)
{
	char		 buf[BL_DOMAIN_MAX + 2];
	struct bl_entry	 e;

	if (p->stop)
		return;
	if (!bl_name_valid(name, len, buf)) {
		report_bad(p, "not a domain name", line, linelen);
		return;
	}
	e.name = buf;
	e.len = strlen(buf);
	e.kind = kind;
	e.allow = allow;
	e.line = p->st->lines;
	p->st->entries++;
	if (p->fn != NULL && p->fn(p->arg, &e) < 0)
		p->stop = 1;
}

static int
is_blank(int c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v');
}

static int
is_local_name(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(local_names) / sizeof(local_names[0]); i++)
		if (strlen(local_names[i]) == len &&
		    strncasecmp(local_names[i], s, len) == 0)
			return (1);
	return (0);
}

static int
is_address(const char *s, size_t len)
{
	char		 buf[64];
	struct in6_addr	 a6;
	struct in_addr	 a4;

	if (len == 0 || len >= sizeof(buf) || !((*s >= '0' && *s <= '9') ||
	    *s == ':' || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
		return (0);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return (inet_pton(AF_INET, buf, &a4) == 1 ||
	    inet_pton(AF_INET6, buf, &a6) == 1);
}

/* Adblock cosmetic and HTML rules: nothing a DNS server can apply. */
static int
is_cosmetic(const char *s, size_t len)
{
	static const char *const marks[] = { "##", "#@#", "#?#", "#$#",
	    "#%#", "#@$#", "#@?#", "$$" };
	size_t	 i, j, m;

	if (memchr(s, '#', len) == NULL && memchr(s, '$', len) == NULL)
		return (0);
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		m = strlen(marks[i]);
		for (j = 0; j + m <= len; j++)
			if (memcmp(s + j, marks[i], m) == 0)
				return (1);
	}
	return (0);
}

/* "||d^" or "||d^|" or "||d", after any "@@". */
static void
parse_adblock(struct bl_parser *p, const char *s, size_t len, int allow,
    const char *line, size_t linelen)
{
	size_t	 end;

	for (end = 0; end < len; end++)
		if (s[end] == '^' || s[end] == '$' || s[end] == '/' ||
		    s[end] == '|' || s[end] == '*' || s[end] == ':')
			break;
	if (end < len && s[end] == '^') {
		/* "^|" ends the address too; anything else is options. */
		if (end + 1 == len || (end + 2 == len && s[end + 1] == '|')) {
			emit(p, s, end, BL_SUBTREE, allow, line, linelen);
			return;
		}
		p->st->skipped++;
		return;
	}
	if (end == len) {
		emit(p, s, end, BL_SUBTREE, allow, line, linelen);
		return;
	}
	/* Paths, options, patterns: rules for a browser, not for DNS. */
	p->st->skipped++;
}

static void
parse_line(struct bl_parser *p, char *s, size_t len)
{
	const char	*line;
	size_t		 linelen, i, tok, toklen, names, local;
	int		 allow = 0;

	while (len > 0 && is_blank((unsigned char)s[len - 1]))
		len--;
	while (len > 0 && is_blank((unsigned char)*s)) {
		s++;
		len--;
	}
	if (len == 0)
		return;
	line = s;
	linelen = len;
	if (memchr(s, '\0', len) != NULL) {
		report_bad(p, "a NUL byte", line, linelen);
		return;
	}
	if (is_cosmetic(s, len) || s[0] == '#' || s[0] == '!' ||
	    s[0] == ';' || s[0] == '[') {
		p->st->skipped++;
		return;
	}
	if (len >= 2 && s[0] == '@' && s[1] == '@') {
		allow = 1;
		s += 2;
		len -= 2;
	}
	if (len >= 2 && s[0] == '|' && s[1] == '|') {
		parse_adblock(p, s + 2, len - 2, allow, line, linelen);
		return;
	}
	if (allow || s[0] == '|' || s[0] == '/') {
		/* "@@|https://...", "|http...", "/regex/": browser rules. */
		p->st->skipped++;
		return;
	}
	/* A comment may follow the names of a hosts or plain line. */
	for (i = 1; i < len; i++) {
		if (s[i] == '#' && is_blank((unsigned char)s[i - 1])) {
			len = i;
			while (len > 0 && is_blank((unsigned char)s[len - 1]))
				len--;
			break;
		}
	}
	for (toklen = 0; toklen < len && !is_blank((unsigned char)s[toklen]);
	    toklen++)
		;
	if (is_address(s, toklen)) {
		/* A hosts line: the address, then one or more names. */
		names = local = 0;
		for (i = toklen; i < len;) {
			while (i < len && is_blank((unsigned char)s[i]))
				i++;
			tok = i;
			while (i < len && !is_blank((unsigned char)s[i]))
				i++;
			if (i == tok)
				break;
			names++;
			if (is_local_name(s + tok, i - tok) ||
			    is_address(s + tok, i - tok))
				local++;
			else
				emit(p, s + tok, i - tok, BL_EXACT, 0, line,
				    linelen);
		}
		if (names == 0)
			report_bad(p, "an address without a name", line,
			    linelen);
		else if (local == names)
			p->st->skipped++;
		return;
	}
	if (toklen != len) {
		report_bad(p, "one name per line, or an address and names",
		    line, linelen);
		return;
	}
	if (len > 2 && s[0] == '*' && s[1] == '.') {
		emit(p, s + 2, len - 2, BL_BELOW, 0, line, linelen);
		return;
	}
	if (is_local_name(s, len)) {
		p->st->skipped++;
		return;
	}
	emit(p, s, len, BL_EXACT, 0, line, linelen);
}

int
bl_parse_buffer(const char *buf, size_t len, const char *fname,
    bl_entry_fn fn, void *arg, struct bl_parse_stats *st)
{
	struct bl_parser p = { fname, fn, arg, st, 0 };
	char		*line;
	const char	*nl;
	size_t		 pos = 0, llen;

	if ((line = malloc(BL_LINE_MAX + 1)) == NULL)
		return (-1);
	while (pos < len && !p.stop) {
		nl = memchr(buf + pos, '\n', len - pos);
		llen = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;
		st->lines++;
		if (llen > BL_LINE_MAX)
			report_bad(&p, "a line of at most 4096 bytes",
			    buf + pos, 40);
		else {
			memcpy(line, buf + pos, llen);
			line[llen] = '\0';
			parse_line(&p, line, llen);
		}
		pos += llen + 1;
	}
	free(line);
	return (p.stop ? -1 : 0);
}

int
bl_parse_stream(FILE *f, const char *fname, bl_entry_fn fn, void *arg,
    struct bl_parse_stats *st)
{
	struct bl_parser p = { fname, fn, arg, st, 0 };
	const size_t	 chunk = 64 * 1024;
	char		*buf, *nl;
	size_t		 have = 0, off, n, llen;
	int		 eof = 0, skipping = 0;

	/*
	 * Blocks of 64 KiB split at newlines: a list of a million lines is
	 * read in a few hundred reads, and a line may hold NUL bytes (they
	 * are reported).  A line longer than BL_LINE_MAX is reported and
	 * skipped to its end without being kept.
	 */
	if ((buf = malloc(chunk + BL_LINE_MAX + 2)) == NULL)
		return (-1);
	while (!p.stop) {
		if (!eof && have <= BL_LINE_MAX) {
			n = fread(buf + have, 1, chunk, f);
			if (n == 0)
				eof = 1;
			have += n;
		}
		if (have == 0)
			break;
		off = 0;
		while (off < have && !p.stop) {
			nl = memchr(buf + off, '\n', have - off);
			if (nl == NULL && !eof && have - off <= BL_LINE_MAX)
				break;		/* read more of this line */
			llen = nl != NULL ? (size_t)(nl - (buf + off)) :
			    have - off;
			if (skipping) {
				/* The rest of an over-long line. */
				if (nl != NULL)
					skipping = 0;
			} else if (llen > BL_LINE_MAX || (nl == NULL && !eof)) {
				st->lines++;
				report_bad(&p, "a line of at most 4096 bytes",
				    buf + off, 40);
				skipping = nl == NULL;
			} else {
				st->lines++;
				buf[off + llen] = '\0';
				parse_line(&p, buf + off, llen);
			}
			off += nl != NULL ? llen + 1 : llen;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
		if (eof && have == 0)
			break;
	}
	free(buf);
	if (ferror(f))
		return (-1);
	return (p.stop ? -1 : 0);
}

static uint64_t
random_seed(void)
{
	uint64_t	 s = 0;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
		s = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^
		    (uint64_t)getpid();
	return (s | 1);
}

struct bl_builder *
bl_builder_new(uint64_t seed)
{
	struct bl_builder *b;
	int		 i;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return (NULL);
	b->seed = seed != 0 ? seed : random_seed();
	for (i = 0; i < BL_LISTS_MAX; i++) {
		b->targets[i].b = b;
		b->targets[i].list = i;
	}
	return (b);
}

void
bl_builder_free(struct bl_builder *b)
{
	if (b == NULL)
		return;
	free(b->keys);
	free(b);
}

int
bl_builder_list(struct bl_builder *b, const char *name, uint32_t groups)
{
	struct bl_list_info *l;

	if (b->nlists >= BL_LISTS_MAX)
		return (-1);
	l = &b->lists[b->nlists];
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->groups = groups;
	l->entries = 0;
	return (b->nlists++);
}

int
bl_builder_add(struct bl_builder *b, int list, const struct bl_entry *e)
{
	uint64_t	*k;
	size_t		 cap, i;
	unsigned int	 meta, d;

	if (list < 0 || list >= b->nlists)
		return (-1);
	if (b->n == b->cap) {
		/*
		 * Grow by half: realloc() of a large block remaps pages
		 * rather than copying, so the peak stays near the final size.
		 */
		cap = b->cap < 4096 ? 4096 : b->cap + b->cap / 2;
		if (cap > SIZE_MAX / sizeof(*k) ||
		    (k = realloc(b->keys, cap * sizeof(*k))) == NULL)
			return (-1);
		b->keys = k;
		b->cap = cap;
	}
	for (i = 0, d = 1; i < e->len; i++)
		if (e->name[i] == '.')
			d++;
	b->depths |= DEPTH_BIT(d);
	meta = (unsigned int)list | (unsigned int)e->kind << 7 |
	    (unsigned int)(e->allow != 0) << 9;
	b->keys[b->n++] = (name_hash(b->seed, e->name, e->len) &
	    ~(uint64_t)KEY_META_MASK) | meta;
	b->lists[list].entries++;
	return (0);
}

int
bl_builder_reserve(struct bl_builder *b, size_t n)
{
	uint64_t	*k;

	if (n <= b->cap - b->n)
		return (0);
	if (n > SIZE_MAX / sizeof(*k) - b->n ||
	    (k = realloc(b->keys, (b->n + n) * sizeof(*k))) == NULL)
		return (-1);
	b->keys = k;
	b->cap = b->n + n;
	return (0);
}

void *
bl_builder_target(struct bl_builder *b, int list)
{
	if (list < 0 || list >= BL_LISTS_MAX)
		return (NULL);
	return (&b->targets[list]);
}

int
bl_builder_entry(void *target, const struct bl_entry *e)
{
	struct bl_target *t = target;

	return (bl_builder_add(t->b, t->list, e));
}

unsigned long
bl_builder_count(const struct bl_builder *b, int list)
{
	if (list < 0 || list >= b->nlists)
		return (0);
	return (b->lists[list].entries);
}

static size_t
top(uint64_t k, int bits)
{
	return (bits == 0 ? 0 : (size_t)(k >> (64 - bits)));
}

/* Count the keys of each run into tab (2^bits + 1) as run starts. */
static void
fill_table(uint32_t *tab, int bits, const uint64_t *keys, size_t n)
{
	size_t	 nb = (size_t)1 << bits, i;
	uint32_t sum = 0, c;

	memset(tab, 0, (nb + 1) * sizeof(*tab));
	for (i = 0; i < n; i++)
		tab[top(keys[i], bits)]++;
	for (i = 0; i <= nb; i++) {
		c = tab[i];
		tab[i] = sum;
		sum += c;
	}
}

/*
 * Sort the keys in place, most significant byte first: each pass moves
 * the keys into 256 runs by one byte (an American flag sort), and runs of
 * a few keys are finished by insertion.  With only 256 places written to
 * at a time the moves stay in the cache, and there is no second copy of
 * the keys, so a reload never needs more than the old index and the new.
 */
static void
sort_keys(uint64_t *keys, size_t n, int shift)
{
	size_t	 count[256], next[256], end[256], i, j, b, t;
	uint64_t x, y;

	if (n < 32 || shift < 0) {
		for (j = 1; j < n; j++) {
			x = keys[j];
			for (t = j; t > 0 && keys[t - 1] > x; t--)
				keys[t] = keys[t - 1];
			keys[t] = x;
		}
		return;
	}
	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++)
		count[(keys[i] >> shift) & 0xff]++;
	for (b = 0, t = 0; b < 256; b++) {
		next[b] = t;
		t += count[b];
		end[b] = t;
	}
	for (b = 0; b < 256; b++) {
		while (next[b] < end[b]) {
			x = keys[next[b]];
			t = (x >> shift) & 0xff;
			if (t == b) {
				next[b]++;
				continue;
			}
			y = keys[next[t]];
			keys[next[t]++] = x;
			keys[next[b]] = y;
		}
	}
	for (b = 0, t = 0; b < 256; b++) {
		sort_keys(keys + t, count[b], shift - 8);
		t += count[b];
	}
}

struct bl_index *
bl_build(struct bl_builder *b)
{
	struct bl_index	*ix;
	uint64_t	*k;
	size_t		 i, o;
	int		 bits = 0;

	if ((ix = calloc(1, sizeof(*ix))) == NULL) {
		bl_builder_free(b);
		return (NULL);
	}
	/* About eight keys a run: half a byte of table a key. */
	while (bits < TAB_BITS_MAX && ((size_t)8 << bits) < b->n)
		bits++;
	ix->bits = bits;
	if ((ix->tab = malloc((((size_t)1 << bits) + 1) *
	    sizeof(*ix->tab))) == NULL)
		goto fail;
	sort_keys(b->keys, b->n, 56);
	/* Drop duplicates: the same name twice in one list, same meaning. */
	for (i = o = 0; i < b->n; i++)
		if (o == 0 || b->keys[i] != b->keys[o - 1])
			b->keys[o++] = b->keys[i];
	fill_table(ix->tab, bits, b->keys, o);
	if (o > 0 && o < b->cap && (k = realloc(b->keys, o *
	    sizeof(*k))) != NULL)
		b->keys = k;
	ix->keys = b->keys;
	ix->n = o;
	b->keys = NULL;
	ix->seed = b->seed;
	ix->depths = b->depths;
	ix->nlists = b->nlists;
	memcpy(ix->lists, b->lists, sizeof(ix->lists));
	for (i = 0; i < (size_t)ix->nlists; i++)
		ix->lists[i].entries = 0;
	for (i = 0; i < o; i++)
		ix->lists[META_LIST(ix->keys[i])].entries++;
	bl_builder_free(b);
	return (ix);
fail:
	bl_builder_free(b);
	free(ix->tab);
	free(ix);
	return (NULL);
}

void
bl_index_free(struct bl_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->keys);
	free(ix->tab);
	free(ix);
}

size_t
bl_index_entries(const struct bl_index *ix)
{
	return (ix != NULL ? ix->n : 0);
}

size_t
bl_index_bytes(const struct bl_index *ix)
{
	if (ix == NULL)
		return (0);
	return (sizeof(*ix) + ix->n * sizeof(*ix->keys) +
	    (((size_t)1 << ix->bits) + 1) * sizeof(*ix->tab));
}

int
bl_index_nlists(const struct bl_index *ix)
{
	return (ix != NULL ? ix->nlists : 0);
}

const char *
bl_index_list_name(const struct bl_index *ix, int list)
{
	if (ix == NULL || list < 0 || list >= ix->nlists)
		return ("");
	return (ix->lists[list].name);
}

uint32_t
bl_index_list_groups(const struct bl_index *ix, int list)
{
	if (ix == NULL || list < 0 || list >= ix->nlists)
		return (0);
	return (ix->lists[list].groups);
}

unsigned long
bl_index_list_entries(const struct bl_index *ix, int list)
{
	if (ix == NULL || list < 0 || list >= ix->nlists)
		return (0);
	return (ix->lists[list].entries);
}

/* Apply the entries whose hash is h to a name of total labels, depth d. */
static int
probe(const struct bl_index *ix, uint64_t h, int depth, int total,
    uint32_t groups, struct bl_match *m)
{
	uint64_t	 want = h & ~(uint64_t)KEY_META_MASK, k;
	size_t		 t = top(h, ix->bits), i;
	unsigned int	 meta;
	int		 list;

	/* No entry has this many labels: nothing to read. */
	if (!(ix->depths & DEPTH_BIT(depth)))
		return (0);
	for (i = ix->tab[t]; i < ix->tab[t + 1]; i++) {
		k = ix->keys[i];
		if ((k & ~(uint64_t)KEY_META_MASK) < want)
			continue;
		if ((k & ~(uint64_t)KEY_META_MASK) > want)
			break;
		meta = (unsigned int)(k & KEY_META_MASK);
		list = META_LIST(meta);
		if (list >= ix->nlists || !(ix->lists[list].groups & groups))
			continue;
		switch (META_KIND(meta)) {
		case BL_EXACT:
			if (depth != total)
				continue;
			break;
		case BL_BELOW:
			if (depth == total)
				continue;
			break;
		default:
			break;
		}
		if (META_ALLOW(meta)) {
			m->allow_list = list;
			m->depth = depth;
			m->kind = META_KIND(meta);
			return (1);
		}
		/* The deepest deny names the list; the first of a depth. */
		if (m->list < 0 || depth > m->depth) {
			m->list = list;
			m->depth = depth;
			m->kind = META_KIND(meta);
		}
	}
	return (0);
}

int
bl_lookup(const struct bl_index *ix, const char *name, uint32_t groups,
    struct bl_match *m)
{
	uint64_t h;
	size_t	 len = strlen(name), i, end;
	int	 total = 0, depth = 0;

	m->blocked = 0;
	m->list = -1;
	m->allow_list = -1;
	m->depth = 0;
	m->kind = BL_EXACT;
	if (ix == NULL || ix->n == 0 || groups == 0)
		return (0);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0)
		return (0);
	for (i = 0; i < len; i++)
		if (name[i] == '.')
			total++;
	total++;
	h = ix->seed;
	end = len;
	for (i = len; i > 0; i--) {
		if (name[i - 1] != '.')
			continue;
		h = mix_label(h, name + i, end - i);
		end = i - 1;
		if (probe(ix, h, ++depth, total, groups, m))
			return (0);
	}
	h = mix_label(h, name, end);
	if (probe(ix, h, ++depth, total, groups, m))
		return (0);
	if (m->list >= 0) {
		m->blocked = 1;
		/* The allow entry found on the way was for another depth. */
		m->allow_list = -1;
	}
	return (m->blocked);
}

int
bl_lookup_wire(const struct bl_index *ix, const uint8_t *name, size_t len,
    uint32_t groups, struct bl_match *m)
{
	uint8_t	 off[128];
	uint64_t h;
	size_t	 pos = 0;
	int	 n = 0, i;

	m->blocked = 0;
	m->list = -1;
	m->allow_list = -1;
	m->depth = 0;
	m->kind = BL_EXACT;
	if (ix == NULL || ix->n == 0 || groups == 0)
		return (0);
	/* The labels' offsets; a malformed name is simply not blocked. */
	while (pos < len && name[pos] != 0) {
		if (name[pos] > 63 || pos + 1 + name[pos] >= len || n == 128)
			return (0);
		off[n++] = (uint8_t)pos;
		pos += 1 + name[pos];
	}
	if (n == 0)
		return (0);
	h = ix->seed;
	for (i = n - 1; i >= 0; i--) {
		h = mix_label(h, (const char *)name + off[i] + 1,
		    name[off[i]]);
		if (probe(ix, h, n - i, n, groups, m))
			return (0);
	}
	if (m->list >= 0) {
		m->blocked = 1;
		m->allow_list = -1;
	}
	return (m->blocked);
}
