/*
 * SPDX-License-Identifier: ISC
 *
 * dnsd_names_test.c: the notes of names behind addresses (names.c) on a
 * real live.db schema in memory.  Notes keep their names at their length
 * in a byte ring: long names fill it before the count of notes does, the
 * oldest give way and are counted lost, and every note written reads
 * back with its own name, across the ring's end too.  A failed flush
 * keeps the notes for the retry; names_done() frees their room.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "dnswire.h"
#include "schema.h"
#include "dnsd.h"
#include "../tap.h"

static struct dnsd	 dd;

/* The name of note i: long (about 200 bytes) or short. */
static void
name_of(unsigned int i, int longname, char *out, size_t len)
{
	if (longname)
		snprintf(out, len, "n%u.%.60s.%.60s.%.60s.test", i,
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
		    "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
	else
		snprintf(out, len, "s%u.example.test", i);
}

/* Answer "name A 10.x.y.z" to client 192.168.(i/250).(i%250), as sent. */
static void
note(unsigned int i, int longname)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct dns_header h;
	struct dns_wr	 w;
	uint8_t		 buf[512], wire[DNS_NAME_MAX];
	char		 name[300], a[32];
	int		 n;

	name_of(i, longname, name, sizeof(name));
	if ((n = dns_name_from_str(name, wire)) < 0)
		abort();
	memset(&h, 0, sizeof(h));
	h.id = 1;
	h.flags = 0x8180;
	h.qdcount = h.ancount = 1;
	dns_wr_init(&w, buf, sizeof(buf));
	dns_put_header(&w, &h);
	dns_put_name(&w, wire, (size_t)n, 0);
	dns_put_u16(&w, DNS_T_A);
	dns_put_u16(&w, DNS_C_IN);
	dns_put_name(&w, wire, (size_t)n, 0);
	dns_put_u16(&w, DNS_T_A);
	dns_put_u16(&w, DNS_C_IN);
	dns_put_u32(&w, 300);
	dns_put_u16(&w, 4);
	dns_put_u8(&w, 10);
	dns_put_u8(&w, (uint8_t)(i >> 16));
	dns_put_u8(&w, (uint8_t)(i >> 8));
	dns_put_u8(&w, (uint8_t)i);
	memset(&ss, 0, sizeof(ss));
	sin->sin_family = AF_INET;
	snprintf(a, sizeof(a), "192.168.%u.%u", i / 250, i % 250);
	inet_pton(AF_INET, a, &sin->sin_addr);
	names_note(&dd, &ss, buf, w.pos);
}

/* The rows of notes first..last read back, each with its own name. */
static int
rows_ok(sqlite3 *db, unsigned int first, unsigned int last, int longname)
{
	sqlite3_stmt	*st;
	char		 want[300], addr[32];
	unsigned int	 i;
	int		 bad = 0;

	if (sqlite3_prepare_v2(db, "SELECT name FROM dns_names WHERE "
	    "address = ?1", -1, &st, NULL) != SQLITE_OK)
		return (0);
	for (i = first; i <= last; i++) {
		snprintf(addr, sizeof(addr), "10.%u.%u.%u", (i >> 16) & 255,
		    (i >> 8) & 255, i & 255);
		name_of(i, longname, want, sizeof(want));
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, addr, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_ROW || strcmp((const char *)
		    sqlite3_column_text(st, 0), want) != 0)
			bad++;
	}
	sqlite3_finalize(st);
	return (bad == 0);
}

static long long
scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;
	long long	 v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (v);
}

int
main(void)
{
	sqlite3		*db;
	long long	 kept, lost, lost2;
	unsigned int	 i;
	int		 k;

	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	for (k = 0; k < schema_live_count; k++)
		CHECK(sqlite3_exec(db, schema_live[k], NULL, NULL, NULL) ==
		    SQLITE_OK);
	CHECK(names_init() == 0);
	dd.now_s = 100;
	dd.wall_ms = 1700000000000LL;

	/* 1000 long names: the byte ring fills first, the oldest go. */
	for (i = 0; i < 1000; i++)
		note(i, 1);
	CHECK(names_flush(db, &dd) == 0);
	names_done();
	kept = scalar(db, "SELECT count(*) FROM dns_names");
	lost = scalar(db, "SELECT value FROM metrics WHERE name = "
	    "'names_lost'");
	TAP_NOTE("long names: %lld kept, %lld lost", kept, lost);
	CHECK(kept > 300 && kept < 1000 && kept + lost == 1000);
	CHECK(rows_ok(db, (unsigned int)(1000 - kept), 999, 1));

	/* Again, from where the ring stopped: the names wrap its end. */
	CHECK(sqlite3_exec(db, "DELETE FROM dns_names", NULL, NULL, NULL) ==
	    SQLITE_OK);
	for (i = 1000; i < 1400; i++)
		note(i, 1);
	CHECK(names_flush(db, &dd) == 0);
	names_done();
	CHECK(scalar(db, "SELECT count(*) FROM dns_names") == 400);
	CHECK(rows_ok(db, 1000, 1399, 1));

	/*
	 * A flush that fails (no table) keeps its notes; the retry writes
	 * them.  Short names: the count of notes is the bound, 2048.
	 */
	CHECK(sqlite3_exec(db, "ALTER TABLE dns_names RENAME TO x", NULL,
	    NULL, NULL) == SQLITE_OK);
	for (i = 2000; i < 4500; i++)
		note(i, 0);
	CHECK(names_flush(db, &dd) != 0);
	CHECK(sqlite3_exec(db, "ALTER TABLE x RENAME TO dns_names; "
	    "DELETE FROM dns_names", NULL, NULL, NULL) == SQLITE_OK);
	CHECK(names_flush(db, &dd) == 0);
	names_done();
	lost2 = scalar(db, "SELECT value FROM metrics WHERE name = "
	    "'names_lost'");
	CHECK(scalar(db, "SELECT count(*) FROM dns_names") == 2048);
	CHECK(lost2 - lost == 2500 - 2048);
	CHECK(rows_ok(db, 4500 - 2048, 4499, 0));
	/* All written: the next flush has nothing new. */
	CHECK(sqlite3_exec(db, "DELETE FROM dns_names", NULL, NULL, NULL) ==
	    SQLITE_OK);
	CHECK(names_flush(db, &dd) == 0);
	names_done();
	CHECK(scalar(db, "SELECT count(*) FROM dns_names") == 0);
	names_free();
	sqlite3_close(db);
	return (tap_done());
}
