/*
 * SPDX-License-Identifier: ISC
 *
 * ctl_trace.c: "homegwctl trace", a live trace of one host.  "trace HOST"
 * starts one (the one command here that writes homegw.db: a row of the
 * traces table; arpd, dnsd and natd record the rest) and follows it,
 * printing each step in plain words or, with --json, one JSON object a
 * line, the same objects the API gives.  Ctrl-C stops following, not the
 * trace.  "trace list" and "trace show ID" read what was recorded.
 */
#include <sys/types.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "conf.h"
#include "state.h"
#include "trace.h"
#include "ctl.h"

int	ctl_trace(struct ctl *, int, char **);

#define FOLLOW_POLL_MS	200
/* After the end, daemons still hold a batch for up to this long. */
#define FOLLOW_TAIL_MS	(TRACE_BATCH_MS + 1500)

static volatile sig_atomic_t stop_following;

static void
on_sigint(int sig)
{
	(void)sig;
	stop_following = 1;
}

/*
 * A field of one of our flat JSON objects into buf, unquoted and
 * unescaped for strings, as written for other values (numbers, true,
 * null, arrays).  -1 when absent.  The objects come from homegw.db, so
 * the scan is bounded and tolerant, and only ever reads within s.
 */
static int
field(const char *s, const char *key, char *buf, size_t len)
{
	char		 pat[64];
	const char	*p;
	size_t		 n = 0;
	int		 depth = 0;

	if (s == NULL || len == 0)
		return (-1);
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	if ((p = strstr(s, pat)) == NULL)
		return (-1);
	p += strlen(pat);
	if (*p == '"') {
		for (p++; *p != '\0' && *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (n + 1 < len)
				buf[n++] = *p;
		}
		buf[n] = '\0';
		return (0);
	}
	for (; *p != '\0'; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		else if (depth == 0 && (*p == ',' || *p == '}'))
			break;
		if (n + 1 < len)
			buf[n++] = *p;
		if (depth < 0)
			break;
	}
	buf[n] = '\0';
	return (0);
}

static const char *
f(const char *data, const char *key, char *buf, size_t len)
{
	if (field(data, key, buf, len) < 0 || strcmp(buf, "null") == 0)
		return (NULL);
	return (buf);
}

static void
bytes_text(const char *v, char *buf, size_t len)
{
	double	 b = v != NULL ? strtod(v, NULL) : 0;

	if (b < 1000)
		snprintf(buf, len, "%.0f B", b);
	else if (b < 1000 * 1000)
		snprintf(buf, len, "%.1f kB", b / 1000);
	else
		snprintf(buf, len, "%.1f MB", b / 1e6);
}

/* One step in plain words, after its time. */
static void
step_words(const struct trace_event *e, const char *who, char *out,
    size_t len)
{
	const char	*d = e->data;
	char		 a[256], b[256], c[256], g[256], h[64], i[64];
	char		 h2[64], nat[400];
	int		 icmp;

	if (strcmp(e->layer, "arp") == 0 && strcmp(e->event, "request") == 0) {
		snprintf(out, len, "%s (%s) asked who has %s",
		    f(d, "sender_ip", a, sizeof(a)) ? a : "?",
		    f(d, "sender_mac", b, sizeof(b)) ? b : "?",
		    f(d, "target_ip", c, sizeof(c)) ? c : "?");
	} else if (strcmp(e->layer, "arp") == 0) {
		f(d, "by", g, sizeof(g));
		snprintf(out, len, "%s is at %s: answered by %s, to %s",
		    f(d, "sender_ip", a, sizeof(a)) ? a : "?",
		    f(d, "sender_mac", b, sizeof(b)) ? b : "?",
		    strcmp(g, "gateway") == 0 ? "the gateway" :
		    strcmp(g, "proxy") == 0 ? "the gateway as proxy" :
		    "the host itself",
		    f(d, "target_ip", c, sizeof(c)) ? c : "?");
	} else if (strcmp(e->event, "query") == 0) {
		snprintf(out, len, "%s asked for %s (%s) over %s", who,
		    f(d, "name", a, sizeof(a)) ? a : "?",
		    f(d, "qtype", b, sizeof(b)) ? b : "?",
		    f(d, "proto", c, sizeof(c)) ? c : "udp");
	} else if (strcmp(e->event, "answer") == 0) {
		f(d, "source", g, sizeof(g));
		if (f(d, "upstream", h, sizeof(h)) != NULL)
			snprintf(c, sizeof(c), "upstream %s", h);
		else
			snprintf(c, sizeof(c), "%s", g[0] ? g : "?");
		snprintf(out, len, "%s (%s) answered from %s in %s ms: %s %s",
		    f(d, "name", a, sizeof(a)) ? a : "?",
		    f(d, "qtype", b, sizeof(b)) ? b : "?", c,
		    f(d, "latency_ms", i, sizeof(i)) ? i : "?",
		    f(d, "rcode", h, sizeof(h)) ? h : "?",
		    f(d, "answers", g, sizeof(g)) ? g : "[]");
	} else if (strcmp(e->event, "new") == 0) {
		f(d, "orig_dst", a, sizeof(a));
		f(d, "orig_dport", h, sizeof(h));
		if (f(d, "dst_name", g, sizeof(g)) == NULL)
			g[0] = '\0';
		f(d, "nat_src", b, sizeof(b));
		f(d, "nat_sport", i, sizeof(i));
		if (f(d, "state", c, sizeof(c)) == NULL)
			c[0] = '\0';
		icmp = strcmp(e->layer, "icmp") == 0;
		if (field(d, "orig_src", h2, sizeof(h2)) == 0 &&
		    strcmp(h2, b) == 0)
			snprintf(nat, sizeof(nat), "no NAT (it stays on the "
			    "LAN side)");
		else
			snprintf(nat, sizeof(nat), "NAT maps it to %s%s%s", b,
			    icmp ? "" : ":", icmp ? "" : i);
		snprintf(out, len, "%s opened %s to %s%s%s%s%s%s; %s%s%s", who,
		    strcmp(e->layer, "tcp") == 0 ? "TCP" :
		    strcmp(e->layer, "udp") == 0 ? "UDP" : "ICMP", a,
		    icmp ? "" : ":", icmp ? "" : h,
		    g[0] ? " (" : "", g, g[0] ? ")" : "", nat,
		    c[0] ? ": " : "", c);
	} else if (strcmp(e->event, "state") == 0) {
		/*
		 * From ESTABLISHED, conntrack goes to FIN_WAIT on a FIN in
		 * the original direction, to CLOSE_WAIT on one in the reply
		 * direction, and to CLOSE on a reset.
		 */
		if (f(d, "from", b, sizeof(b)) != NULL) {
			if (f(d, "state", a, sizeof(a)) == NULL)
				snprintf(a, sizeof(a), "?");
			snprintf(out, len, "%s -> %s%s",  b, a,
			    strcmp(b, "ESTABLISHED") != 0 ? "" :
			    strcmp(a, "FIN_WAIT") == 0 ?
			    " (the side that opened it sent the first FIN)" :
			    strcmp(a, "CLOSE_WAIT") == 0 ?
			    " (the other side sent the first FIN)" :
			    strcmp(a, "CLOSE") == 0 ? " (reset: RST)" : "");
		}
		else
			snprintf(out, len, "%s (first seen)",
			    f(d, "state", a, sizeof(a)) ? a : "?");
	} else if (strcmp(e->event, "destroy") == 0) {
		bytes_text(f(d, "orig_bytes", a, sizeof(a)), b, sizeof(b));
		bytes_text(f(d, "reply_bytes", a, sizeof(a)), c, sizeof(c));
		if (f(d, "duration_ms", h, sizeof(h)) != NULL)
			snprintf(i, sizeof(i), " after %.1f s",
			    strtod(h, NULL) / 1000);
		else
			i[0] = '\0';
		snprintf(out, len, "forgotten%s%s%s; %s out (%s packets), "
		    "%s in (%s packets)", i,
		    f(d, "state", g, sizeof(g)) ? " in " : "",
		    f(d, "state", g, sizeof(g)) ? g : "", b,
		    f(d, "orig_packets", h, sizeof(h)) ? h : "0", c,
		    f(d, "reply_packets", a, sizeof(a)) ? a : "0");
	} else
		snprintf(out, len, "%s %s", e->event, d != NULL ? d : "");
}

struct follow {
	struct ctl	*c;
	const struct trace_info *t;
	int64_t		 cursor;
	int64_t		 prev_ms;
	int64_t		 count;
	struct trace_buf buf;
};

static int
print_event(const struct trace_event *e, void *arg)
{
	struct follow	*fo = arg;
	char		 words[4096], when[32];
	time_t		 s = (time_t)(e->t_ms / 1000);
	struct tm	 tm;
	const char	*j;

	fo->cursor = e->id;
	fo->count++;
	if (fo->c->json) {
		trace_buf_reset(&fo->buf);
		trace_event_json(&fo->buf, e);
		if ((j = trace_buf_str(&fo->buf)) != NULL)
			printf("%s\n", j);
		fflush(stdout);
		return (0);
	}
	localtime_r(&s, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	step_words(e, fo->t->name[0] ? fo->t->name : fo->t->host, words,
	    sizeof(words));
	if (fo->prev_ms == 0)
		printf("%s.%03d %10s  %-4s %s\n", when, (int)(e->t_ms % 1000),
		    "", e->layer, words);
	else
		printf("%s.%03d %+8.1fms  %-4s %s\n", when,
		    (int)(e->t_ms % 1000), (double)(e->t_ms - fo->prev_ms),
		    e->layer, words);
	fo->prev_ms = e->t_ms;
	fflush(stdout);
	return (0);
}

static void
print_header(const struct trace_info *t)
{
	char	 a[32], b[32], who[400];
	time_t	 s;

	s = (time_t)(t->started_ms / 1000);
	strftime(a, sizeof(a), "%Y-%m-%d %H:%M:%S", localtime(&s));
	s = (time_t)(t->until_ms / 1000);
	strftime(b, sizeof(b), "%H:%M:%S", localtime(&s));
	if (t->name[0] != '\0' && strcmp(t->name, t->host) != 0)
		snprintf(who, sizeof(who), "%s (%s)", t->host, t->name);
	else
		snprintf(who, sizeof(who), "%s", t->host);
	printf("trace %lld of %s [%s%s%s] from %s until %s\n",
	    (long long)t->id, who, t->mac, t->mac[0] ? " " : "", t->addrs,
	    a, b);
}

static int
open_rw(struct ctl *c, sqlite3 **ret)
{
	char	 path[PATH_MAX];
	int	 r;

	conf_persist_db(ctl_conf(c), path, sizeof(path));
	if ((r = state_open(path, HGW_DB_PERSIST, 0, ret)) < 0) {
		fprintf(stderr, "homegwctl: %s: %s\n", path, strerror(-r));
		return (-1);
	}
	return (0);
}

static int
trace_follow(struct ctl *c, sqlite3 *db, struct trace_info *t)
{
	struct follow	 fo = { .c = c, .t = t };
	struct sigaction sa;
	struct timespec	 ts = { 0, FOLLOW_POLL_MS * 1000000L };
	int		 r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	if (!c->json)
		print_header(t);
	while (!stop_following) {
		if ((r = trace_events(db, t->id, fo.cursor, 0, print_event,
		    &fo)) < 0 && r != -EBUSY) {
			fprintf(stderr, "homegwctl: reading trace %lld: %s\n",
			    (long long)t->id, strerror(-r));
			break;
		}
		if (state_now_ms() > t->until_ms + FOLLOW_TAIL_MS)
			break;
		nanosleep(&ts, NULL);
	}
	if (stop_following) {
		/* Whatever came meanwhile, then say where the rest goes. */
		(void)trace_events(db, t->id, fo.cursor, 0, print_event, &fo);
		if (!c->json)
			printf("stopped following; trace %lld runs on for %lld "
			    "s: homegwctl trace show %lld\n", (long long)t->id,
			    (long long)((t->until_ms - state_now_ms()) / 1000 +
			    1), (long long)t->id);
	} else if (!c->json)
		printf("trace %lld ended: %lld steps\n", (long long)t->id,
		    (long long)fo.count);
	trace_buf_free(&fo.buf);
	return (CTL_OK);
}

static int
trace_startcmd(struct ctl *c, int argc, char **argv)
{
	struct trace_info t;
	sqlite3		*db = NULL, *live;
	const char	*host = NULL;
	char		*end;
	long		 seconds = 0;
	int		 i, r, rv;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			errno = 0;
			seconds = strtol(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0' || end == argv[i] ||
			    seconds < 1 || seconds > TRACE_SECONDS_MAX) {
				fprintf(stderr, "homegwctl: --seconds wants a "
				    "number from 1 to %d, got \"%s\"\n",
				    TRACE_SECONDS_MAX, argv[i]);
				return (CTL_USAGE);
			}
		} else if (argv[i][0] == '-' || host != NULL) {
			fprintf(stderr, "usage: homegwctl trace HOST "
			    "[--seconds N] [--json]\n");
			return (CTL_USAGE);
		} else
			host = argv[i];
	}
	if (host == NULL) {
		fprintf(stderr, "usage: homegwctl trace HOST [--seconds N] "
		    "[--json]\n");
		return (CTL_USAGE);
	}
	live = ctl_live(c);
	if ((r = trace_resolve(ctl_conf(c), live, host, &t)) < 0) {
		fprintf(stderr, "homegwctl: \"%s\" is %s\n", host, r == -EINVAL ?
		    "not a host name, an address or a MAC" :
		    "not in the host table nor a known neighbour: give its "
		    "address");
		return (CTL_ERROR);
	}
	if (open_rw(c, &db) < 0)
		return (CTL_ERROR);
	if ((r = trace_start(db, &t, (int)seconds, "homegwctl")) < 0) {
		if (r == -EBUSY)
			fprintf(stderr, "homegwctl: %d traces are running "
			    "already; try again when one ends (homegwctl trace "
			    "list)\n", TRACE_RUNNING_MAX);
		else
			fprintf(stderr, "homegwctl: cannot start the trace: "
			    "%s\n", strerror(-r));
		state_close(db);
		return (CTL_ERROR);
	}
	rv = trace_follow(c, db, &t);
	state_close(db);
	return (rv);
}

struct list {
	struct ctl	*c;
	int64_t		 now;
	int		 n;
	struct trace_buf buf;
};

static int
list_row(const struct trace_info *t, void *arg)
{
	struct list	*l = arg;
	char		 a[32];
	time_t		 s = (time_t)(t->started_ms / 1000);

	if (l->c->json) {
		if (l->n > 0)
			trace_buf_add(&l->buf, ",", 1);
		trace_info_json(&l->buf, t, 1, l->now);
	} else {
		strftime(a, sizeof(a), "%Y-%m-%d %H:%M:%S", localtime(&s));
		printf("%-5lld %-20s %-12s %-24s %s %5llds %-8s %lld\n",
		    (long long)t->id, t->host, t->name[0] ? t->name : "-",
		    t->addrs, a, (long long)((t->until_ms - t->started_ms) /
		    1000), trace_running(t, l->now) ? "running" : "done",
		    (long long)t->events);
	}
	l->n++;
	return (0);
}

static int
trace_listcmd(struct ctl *c)
{
	struct list	 l = { .c = c, .now = state_now_ms() };
	sqlite3		*db;
	const char	*s;
	int		 r;

	if ((db = ctl_persist(c)) == NULL)
		return (CTL_ERROR);
	if (c->json)
		trace_buf_add(&l.buf, "{\"rows\":[", 9);
	else
		printf("%-5s %-20s %-12s %-24s %-19s %6s %-8s %s\n", "id",
		    "host", "name", "addrs", "started", "for", "state",
		    "events");
	r = trace_list(db, 0, list_row, &l);
	if (c->json) {
		trace_buf_add(&l.buf, "]}", 2);
		if ((s = trace_buf_str(&l.buf)) != NULL)
			printf("%s\n", s);
	}
	trace_buf_free(&l.buf);
	if (r < 0) {
		fprintf(stderr, "homegwctl: %s\n", strerror(-r));
		return (CTL_ERROR);
	}
	return (CTL_OK);
}

static int
trace_showcmd(struct ctl *c, const char *arg)
{
	struct trace_info t;
	struct follow	 fo = { .c = c, .t = &t };
	sqlite3		*db;
	char		*end;
	long long	 id;
	int		 r;

	errno = 0;
	id = strtoll(arg, &end, 10);
	if (errno != 0 || *end != '\0' || end == arg || id < 1) {
		fprintf(stderr, "homegwctl: a trace is a number (homegwctl "
		    "trace list), got \"%s\"\n", arg);
		return (CTL_USAGE);
	}
	if ((db = ctl_persist(c)) == NULL)
		return (CTL_ERROR);
	if ((r = trace_get(db, id, &t)) < 0) {
		fprintf(stderr, "homegwctl: trace %lld: %s\n", id, r == -ENOENT ?
		    "no such trace" : strerror(-r));
		return (CTL_ERROR);
	}
	if (!c->json)
		print_header(&t);
	r = trace_events(db, id, 0, 0, print_event, &fo);
	trace_buf_free(&fo.buf);
	if (r < 0) {
		fprintf(stderr, "homegwctl: %s\n", strerror(-r));
		return (CTL_ERROR);
	}
	if (!c->json)
		printf("%lld steps%s\n", (long long)fo.count,
		    trace_running(&t, state_now_ms()) ? " so far (running)" :
		    "");
	return (CTL_OK);
}

/* homegwctl trace HOST [--seconds N] | trace list | trace show ID. */
int
ctl_trace(struct ctl *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0 && argc == 2)
		return (trace_listcmd(c));
	if (argc >= 2 && strcmp(argv[1], "show") == 0) {
		if (argc != 3) {
			fprintf(stderr, "usage: homegwctl trace show ID "
			    "[--json]\n");
			return (CTL_USAGE);
		}
		return (trace_showcmd(c, argv[2]));
	}
	return (trace_startcmd(c, argc, argv));
}
