/*
 * SPDX-License-Identifier: ISC
 *
 * api_trace.c: the trace endpoints.
 *   POST /api/v1/trace		start a trace (host, seconds; form or JSON)
 *   GET  /api/v1/traces		every trace, newest first
 *   GET  /api/v1/trace/ID?after=N	a trace and its events after event N
 * Starting a trace is webd's one write besides its events: a row of
 * homegw.db's traces table (common/trace.c), which arpd, dnsd and natd
 * poll for.  The events' JSON is common/trace.c's, the same objects
 * "homegwctl trace show --json" prints.
 */
#include <sys/types.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "conf.h"
#include "daemon.h"
#include "state.h"
#include "trace.h"
#include "webd.h"

#define EVENTS_PAGE	2000	/* events in one answer at most */

static int
append_info(struct json *j, const struct trace_info *t, int full,
    int64_t now_ms)
{
	struct trace_buf b = { 0 };
	const char	*s;

	trace_info_json(&b, t, full, now_ms);
	if ((s = trace_buf_str(&b)) != NULL)
		json_raw(j, s, strlen(s));
	trace_buf_free(&b);
	return (s == NULL ? -1 : 0);
}

static int
list_cb(const struct trace_info *t, void *arg)
{
	struct json	*j = arg;

	return (append_info(j, t, 1, state_now_ms()));
}

/* GET /api/v1/traces */
void
api_trace_list(struct api_request *ar, struct api_response *res)
{
	struct json	*j = &res->json;

	if (ar->w->persist == NULL) {
		api_error(res, 503, "homegw.db is not there yet");
		return;
	}
	json_object_open(j);
	json_key(j, "rows");
	json_array_open(j);
	(void)trace_list(ar->w->persist, 200, list_cb, j);
	json_array_close(j);
	json_object_close(j);
}

struct page {
	struct json	*j;
	struct trace_buf b;
	int64_t		 cursor;
};

static int
event_cb(const struct trace_event *e, void *arg)
{
	struct page	*p = arg;
	const char	*s;

	trace_buf_reset(&p->b);
	trace_event_json(&p->b, e);
	if ((s = trace_buf_str(&p->b)) != NULL)
		json_raw(p->j, s, strlen(s));
	p->cursor = e->id;
	return (0);
}

static int
parse_id(const char *s, int64_t *ret)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0')
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		return (-1);
	*ret = v;
	return (0);
}

/* GET /api/v1/trace/ID?after=EVENT_ID */
void
api_trace_get(struct api_request *ar, struct api_response *res,
    const char *id_text)
{
	struct trace_info t;
	struct page	 p = { .j = &res->json };
	struct json	*j = &res->json;
	const char	*after_text = ar->arg(ar, "after");
	int64_t		 id, after = 0, now = state_now_ms();
	int		 r;

	if (parse_id(id_text, &id) < 0 || id < 1) {
		api_error(res, 400, "a trace id is a positive number");
		return;
	}
	if (after_text != NULL && parse_id(after_text, &after) < 0) {
		api_error(res, 400, "after: an event id (a number) expected");
		return;
	}
	if (ar->w->persist == NULL) {
		api_error(res, 503, "homegw.db is not there yet");
		return;
	}
	if ((r = trace_get(ar->w->persist, id, &t)) < 0) {
		api_error(res, r == -ENOENT ? 404 : 503, "%s", r == -ENOENT ?
		    "no such trace" : "cannot read the traces");
		return;
	}
	p.cursor = after;
	json_object_open(j);
	json_key(j, "trace");
	(void)append_info(j, &t, 1, now);
	json_kbool(j, "running", trace_running(&t, now));
	json_key(j, "events");
	json_array_open(j);
	(void)trace_events(ar->w->persist, id, after, EVENTS_PAGE, event_cb,
	    &p);
	json_array_close(j);
	json_kint(j, "cursor", p.cursor);
	json_object_close(j);
	trace_buf_free(&p.b);
}

/* Decode %XX and '+' of a form value in place. */
static void
form_decode(char *s)
{
	char	*o = s, hex[3] = { 0 };

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*o++ = ' ';
		else if (*s == '%' && s[1] != '\0' && s[2] != '\0') {
			hex[0] = s[1];
			hex[1] = s[2];
			*o++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

/* A form field (application/x-www-form-urlencoded) into buf. */
static int
form_get(const char *body, size_t len, const char *key, char *buf,
    size_t buflen)
{
	const char	*p = body, *end = body + len, *amp;
	size_t		 klen = strlen(key), vlen;

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((size_t)(amp - p) > klen && strncmp(p, key, klen) == 0 &&
		    p[klen] == '=') {
			vlen = (size_t)(amp - p) - klen - 1;
			if (vlen >= buflen)
				return (-1);
			memcpy(buf, p + klen + 1, vlen);
			buf[vlen] = '\0';
			form_decode(buf);
			return (0);
		}
		p = amp + 1;
	}
	return (-1);
}

/*
 * A JSON member that is a number (or a string of one): "seconds": 60.
 * Only the top level of our small request objects is looked at.
 */
static int
json_get_number(const char *body, size_t len, const char *key, char *buf,
    size_t buflen)
{
	char		 pat[32];
	const char	*p, *end = body + len;
	size_t		 n = 0;

	if (json_get_string(body, len, key, buf, buflen) == 0)
		return (0);
	snprintf(pat, sizeof(pat), "\"%s\"", key);
	if ((p = memmem(body, len, pat, strlen(pat))) == NULL)
		return (-1);
	p += strlen(pat);
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'))
		p++;
	if (p >= end || *p++ != ':')
		return (-1);
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'))
		p++;
	while (p < end && n + 1 < buflen && ((*p >= '0' && *p <= '9') ||
	    *p == '-' || *p == '.' || *p == 'e' || *p == 'E' || *p == '+'))
		buf[n++] = *p++;
	buf[n] = '\0';
	return (n > 0 ? 0 : -1);
}

/* webd's writable homegw.db, opened when first needed (as for events). */
static sqlite3 *
persist_rw(struct webd *w)
{
	char	 path[PATH_MAX];
	int	 r;

	if (w->d->persist != NULL)
		return (w->d->persist);
	if (conf_persist_db(w->d->conf, path, sizeof(path)) < 0 ||
	    access(path, F_OK) == -1)
		return (NULL);
	if ((r = state_open(path, HGW_DB_PERSIST, 0, &w->d->persist)) < 0) {
		(void)state_fault_note(&w->ev_fault, NULL, r);
		w->d->persist = NULL;
	}
	return (w->d->persist);
}

/* POST /api/v1/trace {host, seconds} */
void
api_trace_post(struct api_request *ar, struct api_response *res,
    const char *body, size_t len, const char *ctype)
{
	struct trace_info t;
	struct webd	*w = ar->w;
	sqlite3		*db;
	char		 host[256], secs[32], *end, msg[160];
	long		 seconds = 0;
	int		 json, r;

	json = ctype != NULL && strncasecmp(ctype, "application/json",
	    16) == 0;
	if ((json ? json_get_string(body, len, "host", host, sizeof(host)) :
	    form_get(body, len, "host", host, sizeof(host))) < 0 ||
	    host[0] == '\0') {
		api_error(res, 400, "host: a host name, an address or a MAC "
		    "expected");
		return;
	}
	if ((json ? json_get_number(body, len, "seconds", secs,
	    sizeof(secs)) : form_get(body, len, "seconds", secs,
	    sizeof(secs))) == 0 && secs[0] != '\0') {
		errno = 0;
		seconds = strtol(secs, &end, 10);
		if (errno != 0 || *end != '\0' || seconds < 1 ||
		    seconds > TRACE_SECONDS_MAX) {
			snprintf(msg, sizeof(msg), "seconds: a number from 1 "
			    "to %d expected", TRACE_SECONDS_MAX);
			api_error(res, 400, "%s", msg);
			return;
		}
	}
	if ((r = trace_resolve(w->d->conf, w->live, host, &t)) < 0) {
		api_error(res, 400, "%s", r == -EINVAL ? "host: not a host "
		    "name, an address or a MAC" : "host: not in the host table "
		    "nor a known neighbour; give its address");
		return;
	}
	if ((db = persist_rw(w)) == NULL) {
		api_error(res, 503, "homegw.db is not there yet");
		return;
	}
	r = trace_start(db, &t, (int)seconds, "webd");
	(void)state_fault_note(&w->ev_fault, db, r == -EBUSY ? 0 : r);
	if (r == -EBUSY) {
		snprintf(msg, sizeof(msg), "%d traces are running already; "
		    "try again when one ends", TRACE_RUNNING_MAX);
		api_error(res, 429, "%s", msg);
		return;
	}
	if (r < 0) {
		api_error(res, 503, "cannot start the trace: homegw.db refused "
		    "the write");
		return;
	}
	res->status = 201;
	(void)append_info(&res->json, &t, 0, state_now_ms());
}
