/*
 * SPDX-License-Identifier: ISC
 *
 * http.c: libmicrohttpd glue.  Owns the listening daemons (one MHD daemon
 * per [web] listen address), their place in the libevent loop, request
 * routing, the body of POST requests, the login/logout/session endpoints
 * and the headers every response carries.  It never reads the databases
 * itself: GET requests under /api/v1/ go to api.c, files to static.c.
 *
 * Why external polling and not MHD's own thread: webd is a single libevent
 * loop like every homegw daemon, so the SQLite handles, the session table
 * and the asset cache are touched by one thread only and need no locks,
 * and SIGHUP reloads happen between requests.  MHD runs in epoll mode: it
 * keeps every connection in its own epoll set and gives us one file
 * descriptor for all of them, which we register with libevent once.  When
 * it turns readable we call MHD_run(), which handles whatever is ready
 * without blocking; after every run we re-arm a timer from
 * MHD_get_timeout(), which MHD needs for idle-connection timeouts and for
 * data it has already buffered.  The fd_set alternative would mean
 * rebuilding libevent events for every connection on every iteration.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>
#include <microhttpd.h>

#include "addr.h"
#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "state.h"
#include "webd.h"

#define COOKIE_SESSION	"hgw_session"
#define COOKIE_PRELOGIN	"hgw_prelogin"

/*
 * The page loads nothing from anywhere but itself: no inline script or
 * style, no frames, no plugins, no form posts elsewhere.
 */
#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; connect-src 'self'; form-action 'self'; " \
	"frame-ancestors 'none'; base-uri 'none'"

struct http_req {
	char		 body[WEBD_BODY_MAX + 1];
	size_t		 len;
	int		 too_big;
	int		 is_post;
};

static void
add_security_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	/*
	 * No Cross-Origin-Opener-Policy: browsers ignore it (with a console
	 * error) on plain HTTP to a LAN address, which is what webd serves.
	 */
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy",
	    "same-origin");
}

/* Queue buf (malloc'ed, handed over) as the response. */
static enum MHD_Result
respond(struct webd *w, struct MHD_Connection *conn, unsigned int status,
    const char *type, char *buf, size_t len, const char *cookie,
    const char *cookie2)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;

	r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(buf);
		return (MHD_NO);
	}
	add_security_headers(r);
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (cookie != NULL)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	if (cookie2 != NULL)
		MHD_add_response_header(r, "Set-Cookie", cookie2);
	if (status == MHD_HTTP_TOO_MANY_REQUESTS)
		MHD_add_response_header(r, "Retry-After",
		    "60");
	if (status >= 400 && status < 500)
		w->rejected++;
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return (ret);
}

/* {"error": msg} with the given status. */
static enum MHD_Result
respond_error(struct webd *w, struct MHD_Connection *conn,
    unsigned int status, const char *msg)
{
	struct json	 j;
	char		*buf;
	size_t		 len;

	json_init(&j, 4096);
	json_object_open(&j);
	json_kstring(&j, "error", msg);
	json_kint(&j, "status", status);
	json_object_close(&j);
	if (j.error || (buf = json_steal(&j, &len)) == NULL) {
		json_free(&j);
		return (MHD_NO);
	}
	return (respond(w, conn, status, "application/json", buf, len,
	    NULL, NULL));
}

static enum MHD_Result
respond_json(struct webd *w, struct MHD_Connection *conn,
    unsigned int status, struct json *j, const char *cookie,
    const char *cookie2)
{
	char	*buf;
	size_t	 len;

	if (j->error) {
		json_free(j);
		return (respond_error(w, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "response too large"));
	}
	if ((buf = json_steal(j, &len)) == NULL)
		return (MHD_NO);
	return (respond(w, conn, status, "application/json", buf, len,
	    cookie, cookie2));
}

static const struct sockaddr *
client_addr(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo	*ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return (ci != NULL ? ci->client_addr : NULL);
}

/* The client's address as text, for the log. */
static const char *
client_name(const struct sockaddr *sa, char *buf, size_t len)
{
	socklen_t	 slen;

	slen = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	if (getnameinfo(sa, slen, buf, (socklen_t)len, NULL, 0,
	    NI_NUMERICHOST) != 0)
		snprintf(buf, len, "?");
	return (buf);
}

static int
auth_required(struct webd *w)
{
	return (w->d->conf->web.password_hash[0] != '\0');
}

static struct auth_session *
session_of(struct webd *w, struct MHD_Connection *conn, int64_t now)
{
	const char	*id;

	id = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, COOKIE_SESSION);
	return (auth_session_find(&w->auth, id, now));
}

/*
 * A POST from a page of another origin is refused when the browser says
 * so; the CSRF token is the real check, this only rejects early.
 */
static int
origin_ok(struct MHD_Connection *conn)
{
	const char	*origin, *host, *p;

	origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	if (origin == NULL)
		return (1);
	host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	if (host == NULL)
		return (0);
	if (strncmp(origin, "http://", 7) == 0)
		p = origin + 7;
	else if (strncmp(origin, "https://", 8) == 0)
		p = origin + 8;
	else
		return (0);
	return (strcmp(p, host) == 0);
}

/*
 * DNS rebinding: a page on another site whose name an attacker points at
 * the gateway's address would be same-origin with webd.  The Host header
 * still carries the attacker's name, so only addresses, "localhost" and
 * the gateway's own names ([gateway] name, name.domain) are served.
 */
static int
host_ok(struct webd *w, struct MHD_Connection *conn)
{
	const struct hgw_conf	*c = w->d->conf;
	struct in6_addr		 a6;
	struct in_addr		 a4;
	const char		*h;
	char			 name[256], fq[CONF_NAME_MAX + CONF_DOMAIN_MAX + 2];
	char			*p;
	size_t			 n;

	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	if (h == NULL)
		return (1);	/* HTTP/1.0; 1.1 without Host is refused by MHD */
	if ((n = strlen(h)) == 0 || n >= sizeof(name))
		return (0);
	memcpy(name, h, n + 1);
	if (name[0] == '[') {
		if ((p = strchr(name, ']')) == NULL)
			return (0);
		*p = '\0';
		return (inet_pton(AF_INET6, name + 1, &a6) == 1);
	}
	if ((p = strrchr(name, ':')) != NULL)
		*p = '\0';
	if (inet_pton(AF_INET, name, &a4) == 1)
		return (1);
	n = strlen(name);
	if (n > 0 && name[n - 1] == '.')
		name[n - 1] = '\0';
	snprintf(fq, sizeof(fq), "%s.%s", c->gateway.name, c->gateway.domain);
	return (strcasecmp(name, "localhost") == 0 ||
	    strcasecmp(name, c->gateway.name) == 0 ||
	    strcasecmp(name, fq) == 0);
}

static const char *
csrf_header(struct MHD_Connection *conn)
{
	const char	*t;

	t = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
	return (t != NULL ? t : "");
}

/*
 * GET /api/v1/session: whether the client is logged in, and its CSRF
 * token.  Before login the token is a pre-login one, also set as a cookie
 * (double submit), so even the login form cannot be posted from another
 * site.
 */
static enum MHD_Result
api_session(struct webd *w, struct MHD_Connection *conn, int64_t now)
{
	struct auth_session	*s = NULL;
	struct json		 j;
	char			 token[WEBD_TOKEN_HEX + 1], cookie[160];
	const char		*setc = NULL;

	json_init(&j, 4096);
	json_object_open(&j);
	json_kbool(&j, "password", auth_required(w));
	json_kbool(&j, "open_access", !auth_required(w));
	if (auth_required(w))
		s = session_of(w, conn, now);
	json_kbool(&j, "authenticated", !auth_required(w) || s != NULL);
	if (s != NULL) {
		json_kstring(&j, "csrf", s->csrf);
		json_kint(&j, "expires", s->last_used + w->auth.timeout);
	} else {
		if (auth_token(token) < 0) {
			json_free(&j);
			return (respond_error(w, conn,
			    MHD_HTTP_INTERNAL_SERVER_ERROR, "no randomness"));
		}
		snprintf(cookie, sizeof(cookie), COOKIE_PRELOGIN "=%s; "
		    "HttpOnly; SameSite=Strict; Path=/", token);
		setc = cookie;
		json_kstring(&j, "csrf", token);
	}
	json_kstring(&j, "version", HGW_VERSION);
	json_kstring(&j, "gateway", w->d->conf->gateway.name);
	json_object_close(&j);
	return (respond_json(w, conn, MHD_HTTP_OK, &j, setc, NULL));
}

/* POST /api/v1/login {"password": "..."} */
static enum MHD_Result
api_login(struct webd *w, struct MHD_Connection *conn, struct http_req *req,
    int64_t now)
{
	const struct sockaddr	*sa;
	struct auth_session	*s;
	const char		*pre, *ctype;
	char			 password[1024], cookie[200];
	char			 host[NI_MAXHOST];
	struct json		 j;
	int			 wait, ok;

	if (!auth_required(w))
		return (respond_error(w, conn, MHD_HTTP_CONFLICT,
		    "no password configured: open access"));
	pre = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND,
	    COOKIE_PRELOGIN);
	if (pre == NULL || auth_token_cmp(pre, csrf_header(conn)) != 0)
		return (respond_error(w, conn, MHD_HTTP_FORBIDDEN,
		    "missing or wrong CSRF token"));
	if ((sa = client_addr(conn)) == NULL)
		return (MHD_NO);
	if ((wait = auth_login_allowed(&w->auth, sa, now)) > 0) {
		log_debug("login attempts from a client rate limited "
		    "(%d s left)", wait);
		return (respond_error(w, conn, MHD_HTTP_TOO_MANY_REQUESTS,
		    "too many login attempts, try again later"));
	}
	ctype = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Content-Type");
	if (ctype == NULL || strncasecmp(ctype, "application/json", 16) != 0)
		return (respond_error(w, conn,
		    MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "expected a JSON body"));
	if (json_get_string(req->body, req->len, "password", password,
	    sizeof(password)) < 0)
		return (respond_error(w, conn, MHD_HTTP_BAD_REQUEST,
		    "expected {\"password\": \"...\"}"));
	ok = auth_password_ok(w->d->conf->web.password_hash, password);
	explicit_bzero(password, sizeof(password));
	if (!ok) {
		w->auth.logins_failed++;
		log_info("failed login from %s",
		    client_name(sa, host, sizeof(host)));
		return (respond_error(w, conn, MHD_HTTP_UNAUTHORIZED,
		    "wrong password"));
	}
	if ((s = auth_session_new(&w->auth, now)) == NULL)
		return (respond_error(w, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "no randomness"));
	auth_login_success(&w->auth, sa);
	w->auth.logins_ok++;
	log_info("login from %s, %u sessions",
	    client_name(sa, host, sizeof(host)),
	    auth_session_count(&w->auth, now));
	snprintf(cookie, sizeof(cookie), COOKIE_SESSION "=%s; HttpOnly; "
	    "SameSite=Strict; Path=/", s->id);
	json_init(&j, 4096);
	json_object_open(&j);
	json_kbool(&j, "authenticated", 1);
	json_kstring(&j, "csrf", s->csrf);
	json_kint(&j, "expires", s->last_used + w->auth.timeout);
	json_object_close(&j);
	return (respond_json(w, conn, MHD_HTTP_OK, &j, cookie,
	    COOKIE_PRELOGIN "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"));
}

/* POST /api/v1/logout, with the session's CSRF token. */
static enum MHD_Result
api_logout(struct webd *w, struct MHD_Connection *conn, int64_t now)
{
	struct auth_session	*s;
	struct json		 j;

	if (!auth_required(w))
		return (respond_error(w, conn, MHD_HTTP_CONFLICT,
		    "no password configured: open access"));
	if ((s = session_of(w, conn, now)) == NULL)
		return (respond_error(w, conn, MHD_HTTP_UNAUTHORIZED,
		    "login required"));
	if (auth_token_cmp(s->csrf, csrf_header(conn)) != 0)
		return (respond_error(w, conn, MHD_HTTP_FORBIDDEN,
		    "missing or wrong CSRF token"));
	auth_session_end(&w->auth, s);
	json_init(&j, 256);
	json_object_open(&j);
	json_kbool(&j, "authenticated", 0);
	json_object_close(&j);
	return (respond_json(w, conn, MHD_HTTP_OK, &j, COOKIE_SESSION
	    "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0", NULL));
}

static const char *
get_arg(struct api_request *ar, const char *name)
{
	return (MHD_lookup_connection_value(ar->conn, MHD_GET_ARGUMENT_KIND,
	    name));
}

static enum MHD_Result
serve_api(struct webd *w, struct MHD_Connection *conn, const char *path,
    struct http_req *req, int64_t now)
{
	struct api_request	 ar;
	struct api_response	 res;

	if (req->is_post) {
		if (req->too_big)
			return (respond_error(w, conn,
			    MHD_HTTP_CONTENT_TOO_LARGE, "body too large"));
		if (!origin_ok(conn))
			return (respond_error(w, conn, MHD_HTTP_FORBIDDEN,
			    "cross-origin request"));
		if (strcmp(path, "login") == 0)
			return (api_login(w, conn, req, now));
		if (strcmp(path, "logout") == 0)
			return (api_logout(w, conn, now));
		/* Every other POST needs a session and its token. */
		if (auth_required(w) && session_of(w, conn, now) == NULL)
			return (respond_error(w, conn, MHD_HTTP_UNAUTHORIZED,
			    "login required"));
		return (respond_error(w, conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method not allowed"));
	}
	if (strcmp(path, "session") == 0)
		return (api_session(w, conn, now));
	if (auth_required(w) && session_of(w, conn, now) == NULL)
		return (respond_error(w, conn, MHD_HTTP_UNAUTHORIZED,
		    "login required"));

	memset(&ar, 0, sizeof(ar));
	ar.w = w;
	ar.conn = conn;
	ar.path = path;
	ar.arg = get_arg;
	ar.now = now;
	res.status = MHD_HTTP_OK;
	json_init(&res.json, 8 * 1024 * 1024);
	api_get(&ar, &res);
	return (respond_json(w, conn, res.status, &res.json, NULL, NULL));
}

static enum MHD_Result
serve_static(struct webd *w, struct MHD_Connection *conn, const char *url)
{
	const struct asset	*f;
	struct MHD_Response	*r;
	const char		*inm;
	enum MHD_Result		 ret;
	unsigned int		 status = MHD_HTTP_OK;

	if ((f = static_find(&w->assets, url)) == NULL) {
		char	*msg = strdup("not found\n");

		if (msg == NULL)
			return (MHD_NO);
		return (respond(w, conn, MHD_HTTP_NOT_FOUND,
		    "text/plain; charset=utf-8", msg, strlen(msg), NULL, NULL));
	}
	inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "If-None-Match");
	if (inm != NULL && strstr(inm, f->etag) != NULL) {
		status = MHD_HTTP_NOT_MODIFIED;
		r = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
	} else {
		/*
		 * Copied: a SIGHUP reload frees the asset cache while a
		 * slow client may still be receiving the old file.
		 */
		r = MHD_create_response_from_buffer(f->size, f->data,
		    MHD_RESPMEM_MUST_COPY);
	}
	if (r == NULL)
		return (MHD_NO);
	add_security_headers(r);
	MHD_add_response_header(r, "Content-Type", f->type);
	MHD_add_response_header(r, "ETag", f->etag);
	/*
	 * Pages revalidate every time (cheap: a 304), so a new install
	 * shows at once; scripts and styles may be reused for ten minutes.
	 */
	MHD_add_response_header(r, "Cache-Control", f->html ? "no-cache" :
	    "public, max-age=600");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return (ret);
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct webd	*w = cls;
	struct http_req	*req = *con_cls;
	const char	*clen;
	int64_t		 now;
	int		 get;

	if (req == NULL) {
		/* First call: headers only. */
		w->requests++;
		get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
		    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
		if (!get && strcmp(method, MHD_HTTP_METHOD_POST) != 0)
			return (respond_error(w, conn,
			    MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed"));
		if (!host_ok(w, conn))
			return (respond_error(w, conn, MHD_HTTP_FORBIDDEN,
			    "unknown host name: use the gateway's address or "
			    "its own name"));
		clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (clen != NULL && strtoull(clen, NULL, 10) > WEBD_BODY_MAX)
			return (respond_error(w, conn,
			    MHD_HTTP_CONTENT_TOO_LARGE, "body too large"));
		if ((req = calloc(1, sizeof(*req))) == NULL)
			return (MHD_NO);
		req->is_post = !get;
		*con_cls = req;
		return (MHD_YES);
	}
	if (*upload_data_size > 0) {
		if (!req->is_post || req->too_big ||
		    req->len + *upload_data_size > WEBD_BODY_MAX)
			req->too_big = 1;
		else {
			memcpy(req->body + req->len, upload_data,
			    *upload_data_size);
			req->len += *upload_data_size;
			req->body[req->len] = '\0';
		}
		*upload_data_size = 0;
		return (MHD_YES);
	}

	now = state_now();
	if (strncmp(url, "/api/v1/", 8) == 0)
		return (serve_api(w, conn, url + 8, req, now));
	if (req->is_post)
		return (respond_error(w, conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method not allowed"));
	if (req->too_big)
		return (respond_error(w, conn, MHD_HTTP_CONTENT_TOO_LARGE,
		    "body too large"));
	return (serve_static(w, conn, url));
}

static void
completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_req	*req = *con_cls;

	if (req != NULL) {
		explicit_bzero(req, sizeof(*req));
		free(req);
	}
	*con_cls = NULL;
}

static void
mhd_log_cb(void *cls, const char *fmt, va_list ap)
{
	char	 msg[512];
	size_t	 n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_debug("microhttpd: %s", msg);
}

static void
rearm(struct webd_listener *l)
{
	MHD_UNSIGNED_LONG_LONG	 ms;
	struct timeval		 tv;

	if (MHD_get_timeout(l->mhd, &ms) != MHD_YES)
		ms = 1000;
	/* A ceiling, so the loop notices anything MHD did not tell us. */
	if (ms > 1000)
		ms = 1000;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	evtimer_add(l->ev_timer, &tv);
}

static void
run_cb(evutil_socket_t fd, short what, void *arg)
{
	struct webd_listener	*l = arg;

	MHD_run(l->mhd);
	rearm(l);
}

static int
listener_start(struct webd *w, struct webd_listener *l,
    const struct hgw_endpoint *ep)
{
	const union MHD_DaemonInfo	*di;
	const struct hgw_conf		*conf = w->d->conf;
	char				 name[ADDR_STRLEN];
	unsigned int			 flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	uint16_t			 port;

	addr_fmt_endpoint(ep, name, sizeof(name));
	if (ep->ss.ss_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
		port = ntohs(((const struct sockaddr_in6 *)&ep->ss)->sin6_port);
	} else
		port = ntohs(((const struct sockaddr_in *)&ep->ss)->sin_port);
	l->w = w;
	l->mhd = MHD_start_daemon(flags, port, NULL, NULL, access_cb, w,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log_cb, w,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&ep->ss,
	    MHD_OPTION_CONNECTION_LIMIT, conf->web.max_clients ?
		conf->web.max_clients : 32U,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, conf->web.max_clients_per_ip,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)WEBD_CONN_TIMEOUT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEBD_CONN_MEMORY,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, 32U,
	    /* Refuse sloppy HTTP (no Host, bad header lines) with 400. */
	    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, w,
	    MHD_OPTION_END);
	if (l->mhd == NULL) {
		log_warn("cannot listen on %s", name);
		return (-1);
	}
	di = MHD_get_daemon_info(l->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (di == NULL) {
		log_warnx("%s: microhttpd gave no epoll descriptor", name);
		return (-1);
	}
	l->ev_read = event_new(w->d->base, di->epoll_fd, EV_READ | EV_PERSIST,
	    run_cb, l);
	l->ev_timer = evtimer_new(w->d->base, run_cb, l);
	if (l->ev_read == NULL || l->ev_timer == NULL ||
	    event_add(l->ev_read, NULL) < 0) {
		log_warnx("%s: cannot add the listener to the event loop",
		    name);
		return (-1);
	}
	rearm(l);
	log_info("listening on http://%s/", name);
	return (0);
}

/* Start one MHD daemon per [web] listen address; -1 if any fails. */
int
http_start(struct webd *w)
{
	const struct hgw_conf	*conf = w->d->conf;
	unsigned int		 i;

	if (conf->web.nlisten == 0) {
		log_warnx("no [web] listen address configured");
		return (-1);
	}
	for (i = 0; i < conf->web.nlisten && i < WEBD_LISTEN_MAX; i++) {
		w->nlisteners = i + 1;
		if (listener_start(w, &w->listeners[i], &conf->web.listen[i])
		    < 0)
			return (-1);
	}
	return (0);
}

/* Stop listening and close every connection. */
void
http_stop(struct webd *w)
{
	struct webd_listener	*l;
	unsigned int		 i;

	for (i = 0; i < w->nlisteners; i++) {
		l = &w->listeners[i];
		if (l->ev_read != NULL)
			event_free(l->ev_read);
		if (l->ev_timer != NULL)
			event_free(l->ev_timer);
		if (l->mhd != NULL)
			MHD_stop_daemon(l->mhd);
		memset(l, 0, sizeof(*l));
	}
	w->nlisteners = 0;
}
