/*
 * SPDX-License-Identifier: ISC
 *
 * blocklist_fuzz.c: libFuzzer entry point for the blocklist parser and
 * index.  Each input is parsed as a list, NUL bytes and all; every entry
 * the parser hands over must be a valid lower-case domain, the stats must
 * add up, and once the entries are indexed every deny entry must block
 * its own name (or a name under it) unless an allow entry covers it,
 * which is checked against the entries themselves.  The stream reader
 * must count the same lines as the buffer parser.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocklist.h"

#define BL_FUZZ_MAX	(64 * 1024)	/* bytes per input */
#define BL_FUZZ_KEEP	256		/* entries checked per input */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct kept {
	char		 name[BL_DOMAIN_MAX + 1];
	enum bl_kind	 kind;
	int		 allow;
};

struct fuzz {
	struct bl_builder	*b;
	struct kept		 e[BL_FUZZ_KEEP];
	int			 n;
};

static int
check_entry(void *arg, const struct bl_entry *e)
{
	struct fuzz	*f = arg;
	char		 out[BL_DOMAIN_MAX + 2];

	if (e->len != strlen(e->name) || !bl_name_valid(e->name, e->len,
	    out) || strcmp(out, e->name) != 0 || e->line == 0)
		abort();
	if (f->n < BL_FUZZ_KEEP) {
		snprintf(f->e[f->n].name, sizeof(f->e[0].name), "%s", e->name);
		f->e[f->n].kind = e->kind;
		f->e[f->n].allow = e->allow;
		f->n++;
	}
	if (bl_builder_add(f->b, 0, e) < 0)
		abort();
	return (0);
}

/* Does entry k cover name q? */
static int
covers(const struct kept *k, const char *q)
{
	size_t	 ql = strlen(q), kl = strlen(k->name);

	if (ql == kl)
		return (strcmp(q, k->name) == 0 && k->kind != BL_BELOW);
	if (k->kind == BL_EXACT || ql < kl + 1)
		return (0);
	return (q[ql - kl - 1] == '.' && strcmp(q + ql - kl, k->name) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz	 f;
	struct bl_parse_stats	 st;
	struct bl_index		*ix;
	struct bl_match		 m;
	char			 q[BL_DOMAIN_MAX + 8];
	int			 i, j, allowed;

	if (size > BL_FUZZ_MAX)
		return (0);
	memset(&st, 0, sizeof(st));
	f.n = 0;
	if ((f.b = bl_builder_new(0x1234)) == NULL ||
	    bl_builder_list(f.b, "own", BL_GROUPS_ALL) != 0)
		abort();
	if (bl_parse_buffer((const char *)data, size, "fuzz.list",
	    check_entry, &f, &st) != 0)
		abort();
	if (st.entries > st.lines * (BL_LINE_MAX / 2) ||
	    st.nreported > BL_BAD_REPORT ||
	    (unsigned long)st.nreported > st.bad)
		abort();
	for (i = 0; i < st.nreported; i++)
		if (strncmp(st.first_bad[i], "fuzz.list:", 10) != 0)
			abort();
	/* The stream reader must see the same lines as the buffer's. */
	if (size > 0) {
		struct bl_parse_stats	 st2;
		FILE			*fp;

		memset(&st2, 0, sizeof(st2));
		if ((fp = fmemopen((void *)(uintptr_t)data, size, "r")) ==
		    NULL)
			abort();
		if (bl_parse_stream(fp, "fuzz.list", NULL, NULL, &st2) != 0 ||
		    st2.lines != st.lines || st2.entries != st.entries ||
		    st2.skipped != st.skipped || st2.bad != st.bad)
			abort();
		fclose(fp);
	}
	if ((ix = bl_build(f.b)) == NULL)
		abort();
	for (i = 0; i < f.n; i++) {
		/* The name itself, or one label under it for "*.d". */
		snprintf(q, sizeof(q), "%s%s", f.e[i].kind == BL_BELOW ?
		    "x." : "", f.e[i].name);
		if (strlen(q) > BL_DOMAIN_MAX)
			continue;
		allowed = 0;
		for (j = 0; j < f.n; j++)
			if (f.e[j].allow && covers(&f.e[j], q))
				allowed = 1;
		bl_lookup(ix, q, 1, &m);
		/* Hashes may collide, so only the sure cases are checked. */
		if (!f.e[i].allow && !allowed && !m.blocked)
			abort();
		if (f.e[i].allow && m.blocked)
			abort();
	}
	bl_index_free(ix);
	return (0);
}
