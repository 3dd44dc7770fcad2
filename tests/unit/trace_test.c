/*
 * SPDX-License-Identifier: ISC
 *
 * trace_test.c: common/trace.c against a real SQLite file: resolving a
 * host from the config, starting traces (the bound on running ones and on
 * seconds), the JSON of a trace and of an event (hostile text escaped, a
 * data column that is not an object left out), reading events after a
 * cursor, pruning by age and by event count; and natd's kernel filter
 * builder's limits (ctfilter.c; the filter itself is tested for real in
 * tests/integration/trace.test).
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "conf.h"
#include "state.h"
#include "trace.h"
#include "../tap.h"

int	ctfilter_build(const struct trace_addr *, int, struct sock_filter *,
	    int);

static char	 dir[] = "/tmp/hgw-trace-test.XXXXXX";

static int
collect(const struct trace_event *e, void *arg)
{
	struct trace_buf *b = arg;

	trace_event_json(b, e);
	trace_buf_add(b, "\n", 1);
	return (0);
}

static int
count_cb(const struct trace_info *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
	return (0);
}

static void
exec(sqlite3 *db, const char *sql)
{
	CHECK_MSG(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, sql);
}

int
main(void)
{
	struct hgw_conf	*conf;
	struct trace_info t, t2;
	struct trace_buf b = { 0 };
	struct trace_event e;
	struct trace_addr a[40];
	struct sock_filter code[BPF_MAXINSNS];
	sqlite3		*db;
	char		 path[256], *errors = NULL;
	FILE		*f;
	int		 i, n;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	snprintf(path, sizeof(path), "%s/homegw.conf", dir);
	f = fopen(path, "w");
	fprintf(f, "[gateway]\nstate_dir = %s\nrun_dir = %s\n"
	    "[lan]\ninterface = br-lan\naddress = 192.168.50.1/24\n"
	    "[host tv]\nmac = 02:00:00:00:50:10\naddress = 192.168.50.10\n",
	    dir, dir);
	fclose(f);
	conf = conf_load(path, &errors);
	CHECK(conf != NULL);
	if (conf == NULL) {
		fputs(errors, stderr);
		return (1);
	}

	/* Resolving. */
	CHECK(trace_resolve(conf, NULL, "tv", &t) == 0);
	CHECK_STREQ(t.name, "tv");
	CHECK_STREQ(t.mac, "02:00:00:00:50:10");
	CHECK_STREQ(t.addrs, "192.168.50.10");
	CHECK(trace_resolve(conf, NULL, "02:00:00:00:50:10", &t) == 0);
	CHECK_STREQ(t.name, "tv");
	CHECK(trace_resolve(conf, NULL, "192.168.50.10", &t) == 0);
	CHECK_STREQ(t.mac, "02:00:00:00:50:10");
	CHECK(trace_resolve(conf, NULL, "2001:db8::1", &t) == 0);
	CHECK_STREQ(t.addrs, "2001:db8::1");
	CHECK(trace_resolve(conf, NULL, "192.168.50.99", &t) == 0);
	CHECK(trace_resolve(conf, NULL, "radio", &t) == -ENOENT);
	CHECK(trace_resolve(conf, NULL, "tv; DROP TABLE", &t) == -EINVAL);
	CHECK(trace_resolve(conf, NULL, "", &t) == -EINVAL);

	/* Starting, and the bounds. */
	snprintf(path, sizeof(path), "%s/homegw.db", dir);
	CHECK(state_open(path, HGW_DB_PERSIST, 0, &db) == 0);
	CHECK(trace_resolve(conf, NULL, "tv", &t) == 0);
	CHECK(trace_start(db, &t, TRACE_SECONDS_MAX + 1, "test") == -EINVAL);
	CHECK(trace_start(db, &t, -1, "test") == -EINVAL);
	CHECK(trace_start(db, &t, 0, "test") == 0);
	CHECK(t.id > 0 && t.until_ms - t.started_ms ==
	    TRACE_SECONDS_DEFAULT * 1000);
	for (i = 1; i < TRACE_RUNNING_MAX; i++) {
		t2 = t;
		CHECK(trace_start(db, &t2, 5, "test") == 0);
	}
	t2 = t;
	CHECK(trace_start(db, &t2, 5, "test") == -EBUSY);

	/* Events and their JSON. */
	snprintf(path, sizeof(path), "INSERT INTO trace_events (trace, t_ms, "
	    "daemon, layer, event, flow, data) VALUES "
	    "(%lld, 1000, 'dnsd', 'dns', 'query', NULL, "
	    "'{\"name\":\"a.test\"}'),"
	    "(%lld, 1001, 'natd', 'tcp', 'new', 'f\"1', '  {}  '),"
	    "(%lld, 1002, 'natd', 'tcp', 'state', 'f\"1', '\"x\":1}')",
	    (long long)t.id, (long long)t.id, (long long)t.id);
	exec(db, path);
	CHECK(trace_events(db, t.id, 0, 0, collect, &b) == 0);
	CHECK_STREQ(trace_buf_str(&b),
	    "{\"id\":1,\"t\":1000,\"daemon\":\"dnsd\",\"layer\":\"dns\","
	    "\"event\":\"query\",\"flow\":null,\"name\":\"a.test\"}\n"
	    "{\"id\":2,\"t\":1001,\"daemon\":\"natd\",\"layer\":\"tcp\","
	    "\"event\":\"new\",\"flow\":\"f\\\"1\"}\n"
	    "{\"id\":3,\"t\":1002,\"daemon\":\"natd\",\"layer\":\"tcp\","
	    "\"event\":\"state\",\"flow\":\"f\\\"1\"}\n");
	trace_buf_reset(&b);
	CHECK(trace_events(db, t.id, 2, 0, collect, &b) == 0);
	CHECK(strncmp(trace_buf_str(&b), "{\"id\":3,", 8) == 0);
	trace_buf_reset(&b);
	memset(&e, 0, sizeof(e));
	e.daemon = "arpd\n";
	e.layer = "arp";
	e.event = "re\x01ply";
	e.data = NULL;
	trace_event_json(&b, &e);
	CHECK_STREQ(trace_buf_str(&b), "{\"id\":0,\"t\":0,\"daemon\":"
	    "\"arpd\\u000a\",\"layer\":\"arp\",\"event\":\"re\\u0001ply\","
	    "\"flow\":null}");
	trace_buf_reset(&b);
	CHECK(trace_get(db, t.id, &t2) == 0 && t2.events == 3);
	trace_info_json(&b, &t2, 1, t2.started_ms);
	CHECK(strstr(trace_buf_str(&b), "\"running\":true,\"events\":3}") !=
	    NULL);
	CHECK(trace_get(db, 12345, &t2) == -ENOENT);

	/*
	 * [journey] A "new" recorded before dnsd published the name is named
	 * from the trace's own DNS answer to that host for that address;
	 * another host's answer, a later answer, a malformed row do not.
	 */
	{
		char	 sql[2048];

		snprintf(sql, sizeof(sql), "INSERT INTO trace_events (trace, t_ms, "
		    "daemon, layer, event, flow, data) VALUES "
		    "(%lld, 10, 'dnsd', 'dns', 'answer', NULL, '{\"client\":\"10.0.0.9\","
		    "\"name\":\"other.test\",\"answers\":[\"192.0.2.1\"]}'),"
		    "(%lld, 11, 'dnsd', 'dns', 'answer', NULL, '{\"client\":\"10.0.0.5\","
		    "\"name\":\"www.a.test\",\"answers\":[\"a.test\",\"192.0.2.1\"]}'),"
		    "(%lld, 12, 'natd', 'tcp', 'new', 'g', '{\"orig_src\":\"10.0.0.5\","
		    "\"orig_dst\":\"192.0.2.1\"}'),"
		    "(%lld, 13, 'natd', 'tcp', 'new', 'h', '{\"orig_src\":\"10.0.0.5\","
		    "\"orig_dst\":\"192.0.2.1\",\"dst_name\":\"kept.test\"}'),"
		    "(%lld, 14, 'natd', 'tcp', 'new', 'i', '{\"orig_src\":\"10.0.0.5\","
		    "\"orig_dst\":\"192.0.2.7\"}'),"
		    "(%lld, 15, 'natd', 'tcp', 'new', 'j', '{\"orig_src\":'),"
		    "(%lld, 16, 'dnsd', 'dns', 'answer', NULL, '{\"client\":\"10.0.0.5\","
		    "\"name\":\"late.test\",\"answers\":[\"192.0.2.7\"]}')",
		    (long long)t.id + 1, (long long)t.id + 1, (long long)t.id + 1,
		    (long long)t.id + 1, (long long)t.id + 1, (long long)t.id + 1,
		    (long long)t.id + 1);
		exec(db, sql);
		trace_buf_reset(&b);
		CHECK(trace_events(db, t.id + 1, 0, 0, collect, &b) == 0);
		CHECK(strstr(trace_buf_str(&b), "\"flow\":\"g\",\"orig_src\":"
		    "\"10.0.0.5\",\"orig_dst\":\"192.0.2.1\",\"dst_name\":"
		    "\"www.a.test\"}") != NULL);
		CHECK(strstr(trace_buf_str(&b), "\"dst_name\":\"kept.test\"") != NULL);
		CHECK(strstr(trace_buf_str(&b), "\"orig_dst\":\"192.0.2.7\"}") !=
		    NULL);
		CHECK(strstr(trace_buf_str(&b), "late.test\"") != NULL &&
		    strstr(trace_buf_str(&b), "\"dst_name\":\"late.test") == NULL);
		CHECK(strstr(trace_buf_str(&b), "\"dst_name\":\"other.test") ==
		    NULL);
		CHECK(strstr(trace_buf_str(&b), "\"flow\":\"j\"") != NULL);
		snprintf(path, sizeof(path), "DELETE FROM trace_events WHERE trace = "
		    "%lld", (long long)t.id + 1);
		exec(db, path);
		trace_buf_reset(&b);
	}

	/* Pruning: by age, then by events. */
	exec(db, "UPDATE traces SET until_ms = 1000, started_ms = 0");
	n = 0;
	CHECK(trace_list(db, 0, count_cb, &n) == 0 && n == TRACE_RUNNING_MAX);
	CHECK(trace_prune(db, 1000 + 3600 * 1000, 7200, 1000) == 0);
	CHECK(trace_prune(db, 1000 + 3600 * 1000, 7200, 2) == 1);
	n = 0;
	CHECK(trace_list(db, 0, count_cb, &n) == 0 &&
	    n == TRACE_RUNNING_MAX - 1);
	CHECK(trace_prune(db, 1000 + 3 * 3600 * 1000, 7200, 1000) ==
	    TRACE_RUNNING_MAX - 1);
	n = 0;
	CHECK(trace_list(db, 0, count_cb, &n) == 0 && n == 0);

	/* natd's kernel filter: built for a few, refused beyond 8-bit jumps. */
	memset(a, 0, sizeof(a));
	a[0].family = AF_INET;
	inet_pton(AF_INET, "192.168.50.10", a[0].addr);
	a[1].family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::10", a[1].addr);
	n = ctfilter_build(a, 2, code, BPF_MAXINSNS);
	CHECK(n > 10 && n < 80);
	CHECK(code[n - 1].code == (BPF_RET | BPF_K) && code[n - 1].k == 0);
	CHECK(ctfilter_build(a, 0, code, BPF_MAXINSNS) == -EINVAL);
	CHECK(ctfilter_build(a, 2, code, 10) == -E2BIG);
	for (i = 0; i < 40; i++) {
		a[i].family = AF_INET6;
		a[i].addr[15] = (uint8_t)i;
	}
	CHECK(ctfilter_build(a, 40, code, BPF_MAXINSNS) == -E2BIG);
	CHECK(ctfilter_build(a, 8, code, BPF_MAXINSNS) > 0);

	trace_buf_free(&b);
	state_close(db);
	conf_free(conf);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	return (tap_done());
}
