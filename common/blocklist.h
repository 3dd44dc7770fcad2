/*
 * SPDX-License-Identifier: ISC
 *
 * blocklist.h: domain blocklists, parsed and indexed.  The parser reads
 * every format people feed blockers (hosts files, plain domains, adblock
 * "||d^" and "@@||d^", "*.d") and hands each entry to a callback; the
 * builder turns the entries of up to BL_LISTS_MAX lists into an index
 * that answers "is this name blocked for a client in these groups, and by
 * which list" with a few cache misses and about 8.5 bytes a domain.
 *
 * The index is three flat arrays and never changes once built, so one
 * thread may build it while another keeps answering from the old one;
 * blockconf.c loads the lists a config names.
 */
#ifndef HGW_BLOCKLIST_H
#define HGW_BLOCKLIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BL_LISTS_MAX	128	/* list ids 0..127; 0 is the owner's own */
#define BL_LIST_OWN	0
#define BL_NAME_MAX	63	/* a list's name: one DNS label */
#define BL_DOMAIN_MAX	253
#define BL_LINE_MAX	4096	/* longer lines are refused */
#define BL_BAD_REPORT	5	/* unparsable lines quoted, the rest counted */
#define BL_GROUPS_ALL	0xffffffffu

/* What an entry covers. */
enum bl_kind {
	BL_EXACT = 0,		/* the name only: hosts and plain lines */
	BL_SUBTREE = 1,		/* the name and every name under it: ||d^ */
	BL_BELOW = 2		/* only the names under it: *.d */
};

/* One entry as the parser found it; name is lower case, no final dot. */
struct bl_entry {
	const char	*name;
	size_t		 len;
	enum bl_kind	 kind;
	int		 allow;		/* @@ rule: never block these */
	unsigned long	 line;
};

/* Return 0 to go on, -1 to stop the parse (it then returns -1). */
typedef int	(*bl_entry_fn)(void *arg, const struct bl_entry *);

struct bl_parse_stats {
	unsigned long	 lines;
	unsigned long	 entries;	/* handed to the callback */
	unsigned long	 skipped;	/* comments, headers, cosmetic rules,
					   localhost names, rules DNS cannot
					   apply (paths, options) */
	unsigned long	 bad;		/* unparsable */
	/* "file:line: why: "text"" of the first BL_BAD_REPORT bad lines */
	char		 first_bad[BL_BAD_REPORT][192];
	int		 nreported;
};

/*
 * Parse len bytes of a list (NULs and any bytes allowed) named fname in
 * messages.  Stats are added to *st (zero it first).  Returns 0, or -1
 * when fn stopped the parse.
 */
int		 bl_parse_buffer(const char *buf, size_t len, const char *fname,
		    bl_entry_fn fn, void *arg, struct bl_parse_stats *st);
/* The same from a stream, a line at a time: memory stays small. */
int		 bl_parse_stream(FILE *, const char *fname, bl_entry_fn fn,
		    void *arg, struct bl_parse_stats *st);

/* Lower-case a name and check it is a domain as lists write them. */
int		 bl_name_valid(const char *name, size_t len, char *out);

struct bl_builder;
struct bl_index;

/*
 * A builder, with a hash seed (0: a random one; tests give their own so
 * runs repeat).  Lists are added with bl_builder_list() and filled with
 * bl_builder_add() or by parsing with bl_builder_entry as the callback
 * and the builder's list as arg (see bl_builder_target()).
 */
struct bl_builder *bl_builder_new(uint64_t seed);
void		 bl_builder_free(struct bl_builder *);
/* A list id (0 first, the owner's own), or -1 when full or no memory. */
int		 bl_builder_list(struct bl_builder *, const char *name,
		    uint32_t groups);
/* Add one entry to a list; -1 on no memory. */
int		 bl_builder_add(struct bl_builder *, int list,
		    const struct bl_entry *);
/* The arg to pass with bl_builder_entry to the parser for list id. */
void		*bl_builder_target(struct bl_builder *, int list);
int		 bl_builder_entry(void *target, const struct bl_entry *);
/*
 * Make room for n more entries at once, so that the keys are allocated
 * once instead of grown (growing by half may leave a third unused at
 * the peak).  -1 on no memory; adding still works.
 */
int		 bl_builder_reserve(struct bl_builder *, size_t n);
/* Entries of a list added so far (duplicates included). */
unsigned long	 bl_builder_count(const struct bl_builder *, int list);
/*
 * Sort, deduplicate and hand over the entries as an index; the builder
 * is freed either way.  NULL on no memory.
 */
struct bl_index	*bl_build(struct bl_builder *);

void		 bl_index_free(struct bl_index *);
size_t		 bl_index_entries(const struct bl_index *);
size_t		 bl_index_bytes(const struct bl_index *);	/* all of it */
int		 bl_index_nlists(const struct bl_index *);
const char	*bl_index_list_name(const struct bl_index *, int list);
uint32_t	 bl_index_list_groups(const struct bl_index *, int list);
unsigned long	 bl_index_list_entries(const struct bl_index *, int list);

/* The verdict on one name. */
struct bl_match {
	int		 blocked;
	int		 list;		/* the deny entry's list, or -1 */
	int		 allow_list;	/* an allow entry that won, or -1 */
	int		 depth;		/* labels of the entry's name */
	enum bl_kind	 kind;		/* of the entry that decided */
};

/*
 * Is name (presentation form, any case, final dot allowed) blocked for a
 * client in groups (a mask: bit 0 is "default")?  An allow entry of a
 * list that applies beats every deny entry.  Returns m->blocked.
 */
int		 bl_lookup(const struct bl_index *, const char *name,
		    uint32_t groups, struct bl_match *m);

/* The same for a name in DNS wire form (length-prefixed labels). */
int		 bl_lookup_wire(const struct bl_index *, const uint8_t *name,
		    size_t len, uint32_t groups, struct bl_match *m);

#endif /* HGW_BLOCKLIST_H */
