/*
 * SPDX-License-Identifier: ISC
 *
 * dnsd_logpack_test.c: the query log's packed batches (logpack.c).  A
 * batch decodes to exactly the rows packed (times going back and forth,
 * NULL upstreams, repeated and new strings, long names cut), repeats cost
 * a few bytes a row, a reset batch starts afresh, and every cut-short or
 * flipped blob is refused or decodes to rows whose strings stay inside
 * the blob (run under ASan), never a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsd.h"
#include "../tap.h"

#define NROWS	5000

struct got {
	struct logrow	 rows[NROWS];
	char		*strs[NROWS][4];
	int		 n;
};

static char *
dup(const char *s, size_t n)
{
	char	*d;

	if (s == NULL)
		return (NULL);
	if ((d = malloc(n + 1)) == NULL)
		abort();
	memcpy(d, s, n);
	d[n] = '\0';
	return (d);
}

static int
collect(const struct logrow *r, void *arg)
{
	struct got	*g = arg;

	if (g->n == NROWS)
		return (1);
	g->rows[g->n] = *r;
	g->strs[g->n][0] = dup(r->client, r->clientlen);
	g->strs[g->n][1] = dup(r->name, r->namelen);
	g->strs[g->n][2] = dup(r->source, r->sourcelen);
	g->strs[g->n][3] = dup(r->upstream, r->upstreamlen);
	g->n++;
	return (0);
}

static void
got_free(struct got *g)
{
	int	 i, j;

	for (i = 0; i < g->n; i++)
		for (j = 0; j < 4; j++)
			free(g->strs[i][j]);
	g->n = 0;
}

static int
count_only(const struct logrow *r, void *arg)
{
	(*(int *)arg)++;
	/* Touch every byte: ASan checks they lie inside the blob. */
	return (memchr(r->name, 0x100, r->namelen) != NULL);
}

static char	 names[400][40];
static char	 longname[3000];
static struct got g;

static char	 blocked_seen[128];

static int
blocked_cb(const struct logrow *r, void *arg)
{
	(void)arg;
	snprintf(blocked_seen, sizeof(blocked_seen), "%.*s %.*s %.*s",
	    (int)r->namelen, r->name, (int)r->sourcelen, r->source,
	    r->blocked_by != NULL ? (int)r->blocked_bylen : 1,
	    r->blocked_by != NULL ? r->blocked_by : "-");
	return (0);
}

static void
mkrow(struct logrow *r, int i)
{
	static const char *const clients[] = { "192.168.50.10",
	    "192.168.50.11", "fd00::1234" };
	static const char *const sources[] = { "cache", "upstream", "local" };
	const char	*name = i == 77 ? longname : names[(i * 7919) % 400];

	memset(r, 0, sizeof(*r));
	r->time_ms = 1700000000000LL + i * 25 - (i % 10 == 3 ? 400 : 0);
	r->client = clients[i % 3];
	r->clientlen = strlen(r->client);
	r->name = name;
	r->namelen = strlen(name);
	r->qtype = i % 5 ? 1 : 28;
	r->rcode = i % 17 ? 0 : 3;
	r->source = sources[i % 3];
	r->sourcelen = strlen(r->source);
	if (i % 3 == 1) {
		r->upstream = "203.0.113.1:53";
		r->upstreamlen = strlen(r->upstream);
	}
	r->latency_us = i % 3 == 1 ? 20000 + i : 30;
}

int
main(void)
{
	struct logpack	 p;
	struct logrow	 r;
	uint8_t		*blob;
	size_t		 len, cut;
	int		 i, ok, n;

	for (i = 0; i < 400; i++)
		snprintf(names[i], sizeof(names[i]), "name%d.example.test", i);
	memset(longname, 'a', sizeof(longname) - 1);

	logpack_init(&p);
	for (i = 0; i < NROWS; i++) {
		mkrow(&r, i);
		if (logpack_add(&p, &r) < 0)
			break;
	}
	CHECK(i == NROWS);
	CHECK(p.rows == NROWS);
	CHECK_MSG(p.len < NROWS * 12, "repeats cost a few bytes a row");
	printf("# %u rows in %zu bytes, %.1f a row\n", p.rows, p.len,
	    (double)p.len / p.rows);

	CHECK(logpack_decode(p.buf, p.len, collect, &g) == 0);
	CHECK(g.n == NROWS);
	ok = 1;
	for (i = 0; i < g.n && i < NROWS; i++) {
		mkrow(&r, i);
		if (g.rows[i].time_ms != r.time_ms ||
		    g.rows[i].qtype != r.qtype || g.rows[i].rcode != r.rcode ||
		    g.rows[i].latency_us != r.latency_us ||
		    strcmp(g.strs[i][0], r.client) != 0 ||
		    strcmp(g.strs[i][2], r.source) != 0 ||
		    (r.upstream == NULL) != (g.strs[i][3] == NULL) ||
		    (r.upstream != NULL &&
		    strcmp(g.strs[i][3], r.upstream) != 0))
			ok = 0;
		if (i == 77) {
			if (strlen(g.strs[i][1]) != 2048 ||
			    strncmp(g.strs[i][1], longname, 2048) != 0)
				ok = 0;
		} else if (strcmp(g.strs[i][1], r.name) != 0)
			ok = 0;
	}
	CHECK_MSG(ok, "every row decodes to what was packed");
	CHECK(g.strs[1][3] != NULL && g.strs[0][3] == NULL);
	got_free(&g);

	/* A callback's non-zero return stops the decoding and is returned. */
	CHECK(logpack_decode(p.buf, p.len, count_only, &n) == 0);

	/* Reset: the next batch has its own dictionary. */
	logpack_reset(&p);
	mkrow(&r, 5);
	CHECK(logpack_add(&p, &r) == 0);
	CHECK(logpack_decode(p.buf, p.len, collect, &g) == 0);
	CHECK(g.n == 1 && strcmp(g.strs[0][1], r.name) == 0);
	got_free(&g);

	/* Version 2 keeps blocked_by; version 1 rows decode without it. */
	{
		static const char v1[] = "\x01\x02\x01\x01" "c\x02\x01n"
		    "\x01\x00\x03\x01s\x00\x07";

		memset(&r, 0, sizeof(r));
		r.time_ms = 5;
		r.client = "10.0.0.1";
		r.clientlen = 8;
		r.name = "ads.example";
		r.namelen = 11;
		r.source = "blocked";
		r.sourcelen = 7;
		r.blocked_by = "ads";
		r.blocked_bylen = 3;
		logpack_reset(&p);
		CHECK(logpack_add(&p, &r) == 0);
		blocked_seen[0] = '\0';
		CHECK(logpack_decode(p.buf, p.len, blocked_cb, NULL) == 0);
		CHECK(strcmp(blocked_seen, "ads.example blocked ads") == 0);
		blocked_seen[0] = '\0';
		CHECK(logpack_decode(v1, sizeof(v1) - 1, blocked_cb, NULL) == 0);
		CHECK(strcmp(blocked_seen, "n s -") == 0);
		logpack_reset(&p);
	}

	/* Hostile blobs: wrong version, empty, cut short, flipped bytes. */
	CHECK(logpack_decode("", 0, collect, &g) == -1);
	CHECK(logpack_decode("\x03\x00", 2, collect, &g) == -1);
	CHECK(logpack_decode("\x01\xff", 2, collect, &g) == -1);
	/* A reference to a string never defined. */
	CHECK(logpack_decode("\x01\x00\x05", 3, collect, &g) == -1);
	got_free(&g);
	logpack_reset(&p);
	for (i = 0; i < 200; i++) {
		mkrow(&r, i);
		(void)logpack_add(&p, &r);
	}
	len = p.len;
	ok = 1;
	for (cut = 1; cut < len; cut++) {
		if ((blob = malloc(cut)) == NULL)
			abort();
		memcpy(blob, p.buf, cut);
		n = 0;
		/*
		 * A cut at a row's end is a shorter batch: the reader
		 * compares the rows with the batch's row count.
		 */
		if (logpack_decode(blob, cut, count_only, &n) == 0 &&
		    n >= 200)
			ok = 0;
		free(blob);
	}
	CHECK_MSG(ok, "no cut-short batch yields all its rows");
	srand(18);
	for (i = 0; i < 2000; i++) {
		if ((blob = malloc(len)) == NULL)
			abort();
		memcpy(blob, p.buf, len);
		blob[1 + rand() % (len - 1)] ^= (uint8_t)(1 + rand() % 255);
		n = 0;
		(void)logpack_decode(blob, len, count_only, &n);
		free(blob);
	}
	CHECK_MSG(1, "2000 flipped batches decoded without a crash");
	logpack_free(&p);
	return (tap_done());
}
