/*
 * SPDX-License-Identifier: ISC
 *
 * blockconf.c: from a config to a blocklist index.  Group bits follow
 * the order conf.c counts them in: "default" is bit 0, then the groups of
 * the [blocklist] sections, then those of the [host] sections, so every
 * name a valid config uses has a bit.  Never logs: the caller reports
 * what the report says.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blockconf.h"
#include "blocklist.h"
#include "conf.h"

/* Visit the group names in bit order; stops at the first fn returning 1. */
static int
each_group(const struct hgw_conf *c, int (*fn)(void *, const char *, int),
    void *arg)
{
	char			 seen[CONF_GROUPS_MAX][CONF_NAME_MAX + 1];
	const struct hgw_blocklist *b;
	const struct hgw_host	*h;
	int			 n = 0, i, j;

#define VISIT(g) do {							\
	for (j = 0; j < n; j++)						\
		if (strcmp(seen[j], (g)) == 0)				\
			break;						\
	if (j == n && n < CONF_GROUPS_MAX) {				\
		snprintf(seen[n], sizeof(seen[n]), "%s", (g));		\
		if (fn(arg, seen[n], n))				\
			return (1);					\
		n++;							\
	}								\
} while (0)

	VISIT("default");
	TAILQ_FOREACH(b, &c->blocklists, entry)
		for (i = 0; i < (int)b->ngroups; i++)
			VISIT(b->groups[i]);
	TAILQ_FOREACH(h, &c->hosts, entry)
		for (i = 0; i < (int)h->ngroups; i++)
			VISIT(h->groups[i]);
#undef VISIT
	return (0);
}

struct group_find {
	const char	*name;
	int		 bit;
	char		 found[CONF_NAME_MAX + 1];
};

static int
find_by_name(void *arg, const char *g, int bit)
{
	struct group_find *f = arg;

	if (strcmp(f->name, g) != 0)
		return (0);
	f->bit = bit;
	return (1);
}

static int
find_by_bit(void *arg, const char *g, int bit)
{
	struct group_find *f = arg;

	if (bit != f->bit)
		return (0);
	snprintf(f->found, sizeof(f->found), "%s", g);
	return (1);
}

int
blockconf_group_bit(const struct hgw_conf *c, const char *name)
{
	struct group_find f = { name, -1, "" };

	(void)each_group(c, find_by_name, &f);
	return (f.bit);
}

const char *
blockconf_group_name(const struct hgw_conf *c, int bit)
{
	static struct group_find f;

	memset(&f, 0, sizeof(f));
	f.bit = bit;
	if (!each_group(c, find_by_bit, &f))
		return (NULL);
	return (f.found);
}

uint32_t
blockconf_group_mask(const struct hgw_conf *c,
    const char names[][CONF_NAME_MAX + 1], unsigned int n)
{
	uint32_t	 m = 0;
	unsigned int	 i;
	int		 bit;

	for (i = 0; i < n; i++)
		if ((bit = blockconf_group_bit(c, names[i])) >= 0)
			m |= (uint32_t)1 << bit;
	return (m);
}

uint32_t
blockconf_client_groups(const struct hgw_conf *c, const struct sockaddr *sa)
{
	const struct sockaddr_in6 *sin6;
	const struct hgw_host	*h;
	struct in_addr		 a;
	uint32_t		 m;

	if (sa->sa_family == AF_INET)
		a = ((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (!IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			return (1);
		memcpy(&a, sin6->sin6_addr.s6_addr + 12, sizeof(a));
	} else
		return (1);
	if ((h = conf_host_by_addr(c, a)) == NULL)
		return (1);
	if (!h->block)
		return (0);
	m = blockconf_group_mask(c, h->groups, h->ngroups);
	return (m != 0 ? m : 1);
}

void
blockconf_list_path(const struct hgw_conf *c, const struct hgw_blocklist *b,
    char *buf, size_t len)
{
	int	 n;

	if (conf_source_is_url(b->source))
		n = snprintf(buf, len, "%s/blocklists/%s.list",
		    c->gateway.state_dir, b->name);
	else
		n = snprintf(buf, len, "%s", b->source);
	if (n < 0 || (size_t)n >= len)
		buf[0] = '\0';		/* conf.c bounds paths: not reached */
}

static void
groups_text(char *buf, size_t len, const char names[][CONF_NAME_MAX + 1],
    unsigned int n)
{
	size_t		 o = 0;
	unsigned int	 i;

	buf[0] = '\0';
	for (i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : "",
		    names[i]);
}

/*
 * Lines of a regular file: room for that many entries is made at once.
 * Anything else (a pipe) is read once only, by the parser.
 */
static size_t
count_lines(const char *path)
{
	char		 buf[65536];
	struct stat	 st;
	FILE		*f;
	size_t		 n, lines = 0;
	char		*p, *end;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return (0);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return (0);
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		for (p = buf, end = buf + n; (p = memchr(p, '\n',
		    (size_t)(end - p))) != NULL; p++)
			lines++;
	fclose(f);
	return (lines + 1);
}

/* Parse one file into list id of the builder; 0, or -1 with l->error. */
static int
load_file(struct bl_builder *bld, int id, struct blockconf_list *l)
{
	FILE	*f;
	int	 rc;

	if ((f = fopen(l->path, "r")) == NULL) {
		if (errno == ENOENT && l->source[0] != '\0' &&
		    l->source[0] != '/')
			snprintf(l->error, sizeof(l->error), "not downloaded "
			    "yet (homegwctl block update)");
		else if (errno != ENOENT || l->source[0] != '\0')
			snprintf(l->error, sizeof(l->error), "cannot read "
			    "the file: %s", strerror(errno));
		return (-1);
	}
	rc = bl_parse_stream(f, l->path, bl_builder_entry,
	    bl_builder_target(bld, id), &l->st);
	if (rc < 0)
		snprintf(l->error, sizeof(l->error), "%s", ferror(f) ?
		    strerror(errno) : "out of memory");
	fclose(f);
	l->loaded = time(NULL);
	return (rc);
}

struct bl_index *
blockconf_load(const struct hgw_conf *c, uint64_t seed,
    struct blockconf_report *rep)
{
	struct blockconf_report	*mine = NULL;
	struct blockconf_list	*l;
	const struct hgw_blocklist *b;
	struct bl_builder	*bld;
	struct bl_index		*ix;
	struct bl_entry		 e;
	unsigned int		 i;
	int			 id, n;
	const char		*d;
	char			 path[PATH_MAX];
	size_t			 reserve;

	if (rep == NULL && (rep = mine = malloc(sizeof(*rep))) == NULL)
		return (NULL);
	memset(rep, 0, sizeof(*rep));
	if ((bld = bl_builder_new(seed)) == NULL) {
		free(mine);
		return (NULL);
	}

	/* List 0: the owner's own entries, for every group. */
	l = &rep->lists[0];
	snprintf(l->name, sizeof(l->name), "own");
	if (snprintf(l->path, sizeof(l->path), "%s/%s", c->gateway.state_dir,
	    BLOCKCONF_OWN_FILE) >= (int)sizeof(l->path))
		l->path[0] = '\0';
	l->enabled = 1;
	l->groups = BL_GROUPS_ALL;
	(void)bl_builder_list(bld, "own", BL_GROUPS_ALL);
	for (i = 0; i < c->dns.nblock_allow + c->dns.nblock_deny; i++) {
		e.allow = i < c->dns.nblock_allow;
		d = e.allow ? c->dns.block_allow[i] :
		    c->dns.block_deny[i - c->dns.nblock_allow];
		e.kind = BL_SUBTREE;
		if (strncmp(d, "*.", 2) == 0) {
			e.kind = BL_BELOW;
			d += 2;
		}
		e.name = d;
		e.len = strlen(d);
		e.line = 0;
		if (bl_builder_add(bld, 0, &e) < 0)
			goto nomem;
		l->st.entries++;
	}
	/*
	 * One allocation for the keys, sized by the lists' lines, keeps a
	 * reload's peak near the old index plus the new one.
	 */
	reserve = count_lines(l->path);
	TAILQ_FOREACH(b, &c->blocklists, entry) {
		if (!b->enabled)
			continue;
		blockconf_list_path(c, b, path, sizeof(path));
		reserve += count_lines(path);
	}
	(void)bl_builder_reserve(bld, reserve);
	(void)load_file(bld, 0, l);
	l->loaded = time(NULL);
	n = 1;

	TAILQ_FOREACH(b, &c->blocklists, entry) {
		l = &rep->lists[n];
		snprintf(l->name, sizeof(l->name), "%s", b->name);
		snprintf(l->source, sizeof(l->source), "%s", b->source);
		blockconf_list_path(c, b, l->path, sizeof(l->path));
		l->enabled = b->enabled;
		l->groups = b->ngroups == 0 ? BL_GROUPS_ALL :
		    blockconf_group_mask(c, b->groups, b->ngroups);
		groups_text(l->groups_text, sizeof(l->groups_text),
		    b->groups, b->ngroups);
		/* Disabled lists keep their id, with no entries. */
		if ((id = bl_builder_list(bld, b->name, b->enabled ?
		    l->groups : 0)) < 0)
			goto nomem;
		n++;
		if (b->enabled && load_file(bld, id, l) < 0 &&
		    strstr(l->error, "memory") != NULL)
			goto nomem;
	}
	rep->nlists = n;
	if ((ix = bl_build(bld)) == NULL) {
		free(mine);
		return (NULL);
	}
	/* Entries per list after duplicates: count from the index. */
	for (id = 0; id < n; id++)
		rep->lists[id].entries = bl_index_list_entries(ix, id);
	free(mine);
	return (ix);
nomem:
	bl_builder_free(bld);
	free(mine);
	return (NULL);
}
