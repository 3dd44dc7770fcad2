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
	int		 secure;	/* over TLS: cookies get Secure */
};

/* The cookie attributes: Secure only where the page is HTTPS. */
#define COOKIE_ATTR(req) ((req)->secure ? \
	"; HttpOnly; SameSite=Strict; Path=/; Secure" : \
	"; HttpOnly; SameSite=Strict; Path=/")

static struct webd_conn *conn_of(struct MHD_Connection *);
static void	 conn_request_done(struct MHD_Connection *);

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

/* 429 with the seconds to wait, in the header and in the body. */
static enum MHD_Result
respond_wait(struct webd *w, struct MHD_Connection *conn, int wait)
{
	struct MHD_Response	*r;
	struct json		 j;
	enum MHD_Result		 ret;
	char			*buf, secs[16];
	size_t			 len;

	json_init(&j, 4096);
	json_object_open(&j);
	json_kstring(&j, "error", "too many login attempts, try again later");
	json_kint(&j, "status", MHD_HTTP_TOO_MANY_REQUESTS);
	json_kint(&j, "retry_after", wait);
	json_object_close(&j);
	if (j.error || (buf = json_steal(&j, &len)) == NULL) {
		json_free(&j);
		return (MHD_NO);
	}
	r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(buf);
		return (MHD_NO);
	}
	snprintf(secs, sizeof(secs), "%d", wait);
	add_security_headers(r);
	MHD_add_response_header(r, "Content-Type", "application/json");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Retry-After", secs);
	w->rejected++;
	ret = MHD_queue_response(conn, MHD_HTTP_TOO_MANY_REQUESTS, r);
	MHD_destroy_response(r);
	return (ret);
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
api_session(struct webd *w, struct MHD_Connection *conn, struct http_req *req,
    int64_t now)
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
		snprintf(cookie, sizeof(cookie), COOKIE_PRELOGIN "=%s%s", token,
		    COOKIE_ATTR(req));
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
	char			 password[1024], cookie[200], clear[120];
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
		log_debug("login attempts from %s rate limited (%d s left)",
		    client_name(sa, host, sizeof(host)), wait);
		return (respond_wait(w, conn, wait));
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
	client_name(sa, host, sizeof(host));
	if (!ok) {
		auth_login_failed(&w->auth, sa, now);
		log_info("failed login from %s", host);
		api_event(w, "login_failed", host);
		return (respond_error(w, conn, MHD_HTTP_UNAUTHORIZED,
		    "wrong password"));
	}
	if ((s = auth_session_new(&w->auth, now)) == NULL)
		return (respond_error(w, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "no randomness"));
	auth_login_success(&w->auth, sa);
	log_info("login from %s, %u sessions", host,
	    auth_session_count(&w->auth, now));
	api_event(w, "login_ok", host);
	snprintf(cookie, sizeof(cookie), COOKIE_SESSION "=%s%s", s->id,
	    COOKIE_ATTR(req));
	snprintf(clear, sizeof(clear), COOKIE_PRELOGIN "=%s; Max-Age=0",
	    COOKIE_ATTR(req));
	json_init(&j, 4096);
	json_object_open(&j);
	json_kbool(&j, "authenticated", 1);
	json_kstring(&j, "csrf", s->csrf);
	json_kint(&j, "expires", s->last_used + w->auth.timeout);
	json_object_close(&j);
	return (respond_json(w, conn, MHD_HTTP_OK, &j, cookie, clear));
}

/* POST /api/v1/logout, with the session's CSRF token. */
static enum MHD_Result
api_logout(struct webd *w, struct MHD_Connection *conn, struct http_req *req,
    int64_t now)
{
	struct auth_session	*s;
	struct json		 j;
	char			 clear[120];

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
	snprintf(clear, sizeof(clear), COOKIE_SESSION "=%s; Max-Age=0",
	    COOKIE_ATTR(req));
	return (respond_json(w, conn, MHD_HTTP_OK, &j, clear, NULL));
}

static const char *
get_arg(struct api_request *ar, const char *name)
{
	return (MHD_lookup_connection_value(ar->conn, MHD_GET_ARGUMENT_KIND,
	    name));
}

/*
 * The token of the session, or with open access the pre-login one
 * (double submit: the cookie must match the header), so that no page
 * of another site can make the browser change anything.
 */
static int
post_token_ok(struct webd *w, struct MHD_Connection *conn, int64_t now)
{
	struct auth_session	*s;
	const char		*pre;

	if (auth_required(w))
		return ((s = session_of(w, conn, now)) != NULL &&
		    auth_token_cmp(s->csrf, csrf_header(conn)) == 0);
	pre = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND,
	    COOKIE_PRELOGIN);
	return (pre != NULL && auth_token_cmp(pre, csrf_header(conn)) == 0);
}

/* A POST that changes something: token, JSON body, then api_post(). */
static enum MHD_Result
serve_post(struct webd *w, struct MHD_Connection *conn, const char *path,
    struct http_req *req, int64_t now)
{
	struct api_request	 ar;
	struct api_response	 res;
	const char		*ctype;

	if (!post_token_ok(w, conn, now))
		return (respond_error(w, conn, MHD_HTTP_FORBIDDEN,
		    "missing or wrong CSRF token"));
	ctype = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Content-Type");
	/* JSON; a trace may also be started by a plain form. */
	if (req->len > 0 && (ctype == NULL ||
	    strncasecmp(ctype, "application/json", 16) != 0) &&
	    (strcmp(path, "trace") != 0 || ctype == NULL ||
	    strncasecmp(ctype, "application/x-www-form-urlencoded", 33) != 0))
		return (respond_error(w, conn,
		    MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "expected a JSON body"));
	memset(&ar, 0, sizeof(ar));
	ar.w = w;
	ar.conn = conn;
	ar.path = path;
	ar.arg = get_arg;
	ar.now = now;
	ar.body = req->body;
	ar.body_len = req->len;
	ar.content_type = ctype;
	res.status = MHD_HTTP_OK;
	json_init(&res.json, 256 * 1024);
	if (api_post(&ar, &res) < 0) {
		json_free(&res.json);
		return (respond_error(w, conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method not allowed"));
	}
	return (respond_json(w, conn, res.status, &res.json, NULL, NULL));
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
			return (api_logout(w, conn, req, now));
		/* Every other POST needs a session and its token. */
		if (auth_required(w) && session_of(w, conn, now) == NULL)
			return (respond_error(w, conn, MHD_HTTP_UNAUTHORIZED,
			    "login required"));
		return (serve_post(w, conn, path, req, now));
	}
	if (strcmp(path, "session") == 0)
		return (api_session(w, conn, req, now));
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

/*
 * GET /metrics: Prometheus text, for a scraper holding [web]
 * metrics_token as a bearer token; 404 when no token is set, so the
 * endpoint does not exist unless the owner wants it.
 */
static enum MHD_Result
serve_metrics(struct webd *w, struct MHD_Connection *conn)
{
	const char	*token = w->d->conf->web.metrics_token, *h;
	struct MHD_Response *r;
	enum MHD_Result	 ret;
	char		*buf, *msg;
	size_t		 len;

	if (token[0] == '\0') {
		if ((msg = strdup("not found\n")) == NULL)
			return (MHD_NO);
		return (respond(w, conn, MHD_HTTP_NOT_FOUND,
		    "text/plain; charset=utf-8", msg, strlen(msg), NULL, NULL));
	}
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 ||
	    auth_token_cmp(h + 7, token) != 0) {
		if ((msg = strdup("bearer token required\n")) == NULL)
			return (MHD_NO);
		r = MHD_create_response_from_buffer(strlen(msg), msg,
		    MHD_RESPMEM_MUST_FREE);
		if (r == NULL) {
			free(msg);
			return (MHD_NO);
		}
		add_security_headers(r);
		MHD_add_response_header(r, "Content-Type",
		    "text/plain; charset=utf-8");
		MHD_add_response_header(r, "WWW-Authenticate",
		    "Bearer realm=\"homegw\"");
		w->rejected++;
		ret = MHD_queue_response(conn, MHD_HTTP_UNAUTHORIZED, r);
		MHD_destroy_response(r);
		return (ret);
	}
	if ((buf = metrics_text(w, state_now(), &len)) == NULL)
		return (respond_error(w, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "out of memory"));
	return (respond(w, conn, MHD_HTTP_OK,
	    "text/plain; version=0.0.4; charset=utf-8", buf, len, NULL, NULL));
}

/*
 * The CA certificate, for a phone or laptop to trust once: PEM at
 * /ca.crt, DER at /ca.der (what some Android versions want).  Open to
 * anyone: it is public, and fetched before anything can be trusted.
 */
static enum MHD_Result
serve_ca(struct webd *w, struct MHD_Connection *conn, const char *url)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;
	char			*msg;
	int			 der = strcmp(url, "/ca.der") == 0;

	if (w->tls.ca_pem == NULL || (der && w->tls.ca_der == NULL)) {
		if ((msg = strdup("no local CA: this gateway serves its "
		    "owner's own certificate\n")) == NULL)
			return (MHD_NO);
		return (respond(w, conn, MHD_HTTP_NOT_FOUND,
		    "text/plain; charset=utf-8", msg, strlen(msg), NULL, NULL));
	}
	if (der)
		r = MHD_create_response_from_buffer(w->tls.ca_der_len,
		    w->tls.ca_der, MHD_RESPMEM_MUST_COPY);
	else
		r = MHD_create_response_from_buffer(strlen(w->tls.ca_pem),
		    w->tls.ca_pem, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return (MHD_NO);
	add_security_headers(r);
	MHD_add_response_header(r, "Content-Type",
	    "application/x-x509-ca-cert");
	MHD_add_response_header(r, "Content-Disposition", der ?
	    "attachment; filename=\"homegw-ca.der\"" :
	    "attachment; filename=\"homegw-ca.crt\"");
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return (ret);
}

/*
 * Where the redirect points: the host the client asked for when it is
 * one webd serves (an address, or the gateway's own name), else the LAN
 * address; never a Host header copied blindly into Location.
 */
static void
redirect_target(struct webd_listener *l, struct MHD_Connection *conn,
    const char *url, char *buf, size_t len)
{
	const struct hgw_conf	*c = l->w->d->conf;
	const struct webd_listener *t;
	const char		*h, *path = url;
	char			 host[256], port[8] = "", lan[INET_ADDRSTRLEN];
	char			*p;
	unsigned int		 i;
	uint16_t		 pn = 443;
	size_t			 k;

	for (i = 0; i < l->w->nlisteners; i++) {
		t = &l->w->listeners[i];
		if (t->kind != LISTEN_TLS)
			continue;
		pn = addr_endpoint_port(&t->ep);
		if (t->ep.ss.ss_family == l->ep.ss.ss_family)
			break;
	}
	if (pn != 443)
		snprintf(port, sizeof(port), ":%u", pn);
	addr_fmt_ip4(c->lan.addr, lan);
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	if (h == NULL || !host_ok(l->w, conn) || strlen(h) >= sizeof(host))
		snprintf(host, sizeof(host), "%s", lan);
	else {
		memcpy(host, h, strlen(h) + 1);
		if (host[0] == '[') {
			/* host_ok() checked the address between the brackets. */
			if ((p = strchr(host, ']')) != NULL)
				p[1] = '\0';
		} else if ((p = strrchr(host, ':')) != NULL)
			*p = '\0';
	}
	/* Only a plain path goes along: no CR, LF, spaces or controls. */
	for (k = 0; path[k] != '\0'; k++)
		if ((unsigned char)path[k] <= 0x20 ||
		    (unsigned char)path[k] >= 0x7f || path[k] == '\\')
			break;
	if (path[0] != '/' || path[k] != '\0' || path[1] == '/' || k > 512)
		path = "/";
	snprintf(buf, len, "https://%s%s%s", host, port, path);
}

/*
 * Plain HTTP on port 80: every request is sent to HTTPS, except the CA
 * certificate, which is what a new device needs before it can trust the
 * HTTPS page.  No HSTS: with a certificate the browser may not trust
 * yet, it would lock users out instead of protecting them.
 */
static enum MHD_Result
redirect_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct webd_listener	*l = cls;
	struct webd		*w = l->w;
	struct MHD_Response	*r;
	enum MHD_Result		 ret;
	char			 loc[1024];

	if (*con_cls == NULL) {
		w->requests++;
		*con_cls = l;	/* anything but NULL: headers seen */
		return (MHD_YES);
	}
	if (*upload_data_size > 0) {
		*upload_data_size = 0;	/* bodies are not read */
		return (MHD_YES);
	}
	*con_cls = NULL;
	conn_request_done(conn);
	if ((strcmp(url, "/ca.crt") == 0 || strcmp(url, "/ca.der") == 0) &&
	    (strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0))
		return (serve_ca(w, conn, url));
	redirect_target(l, conn, url, loc, sizeof(loc));
	r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return (MHD_NO);
	add_security_headers(r);
	MHD_add_response_header(r, "Location", loc);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(conn, MHD_HTTP_FOUND, r);
	MHD_destroy_response(r);
	return (ret);
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct webd_listener	*l = cls;
	struct webd	*w = l->w;
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
		req->secure = l->kind == LISTEN_TLS;
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
	conn_request_done(conn);
	if (strncmp(url, "/api/v1/", 8) == 0)
		return (serve_api(w, conn, url + 8, req, now));
	if (strcmp(url, "/metrics") == 0 && !req->is_post)
		return (serve_metrics(w, conn));
	if ((strcmp(url, "/ca.crt") == 0 || strcmp(url, "/ca.der") == 0) &&
	    !req->is_post)
		return (serve_ca(w, conn, url));
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
	struct webd_listener	*l = cls;
	struct http_req		*req = *con_cls;
	struct webd_conn	*c;

	if (req != NULL && l->kind != LISTEN_REDIRECT) {
		explicit_bzero(req, sizeof(*req));
		free(req);
	}
	*con_cls = NULL;
	/* A kept-alive connection has as long again for its next request. */
	if ((c = conn_of(conn)) != NULL)
		c->deadline = state_now_ms() + WEBD_HEAD_DEADLINE * 1000;
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

/*
 * Every connection is tracked from accept to close, so that one that
 * does not finish sending its request within WEBD_HEAD_DEADLINE seconds
 * is closed: MHD's own timeout restarts with every byte, which lets a
 * slow client (one byte every few seconds) hold a slot for ever.
 */
static void
notify_conn_cb(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct webd_listener	*l = cls;
	struct webd		*w = l->w;
	struct webd_conn	*c = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return;
		c->conn = conn;
		c->deadline = state_now_ms() + WEBD_HEAD_DEADLINE * 1000;
		TAILQ_INSERT_TAIL(&w->conns, c, entry);
		w->nconns++;
		*socket_context = c;
	} else if (c != NULL) {
		TAILQ_REMOVE(&w->conns, c, entry);
		w->nconns--;
		free(c);
		*socket_context = NULL;
	}
}

static struct webd_conn *
conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo	*ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return (ci != NULL ? ci->socket_context : NULL);
}

/* The request is in: no deadline while the answer goes out. */
static void
conn_request_done(struct MHD_Connection *conn)
{
	struct webd_conn	*c;

	if ((c = conn_of(conn)) != NULL)
		c->deadline = 0;
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct webd			*w = arg;
	struct webd_conn		*c;
	const union MHD_ConnectionInfo	*ci;
	int64_t				 now = state_now_ms();

	TAILQ_FOREACH(c, &w->conns, entry) {
		if (c->deadline == 0 || now < c->deadline)
			continue;
		c->deadline = 0;
		ci = MHD_get_connection_info(c->conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL)
			continue;
		/* MHD sees the end of the stream and closes it itself. */
		shutdown(ci->connect_fd, SHUT_RDWR);
		w->slow_closed++;
	}
}

/*
 * The listening socket is ours, not MHD's, for two reasons.  At boot
 * addrd may still be probing the LAN address (RFC 5227 takes seconds),
 * or another host may hold it: IP_FREEBIND lets us bind an address the
 * interface does not have yet, so the page comes up the moment the
 * address does, with no restart.  And a new certificate means a new MHD
 * daemon, which takes over the same socket without closing it.
 */
static int
listener_bind(struct webd_listener *l)
{
	const struct hgw_endpoint	*ep = &l->ep;
	int				 fd, on = 1;

	fd = socket(ep->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		return (-1);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	if (ep->ss.ss_family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
		    sizeof(on)) == -1 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &on,
		    sizeof(on)) == -1)
			goto fail;
	} else if (setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &on,
	    sizeof(on)) == -1)
		goto fail;
	if (bind(fd, (const struct sockaddr *)&ep->ss, ep->len) == -1 ||
	    listen(fd, 64) == -1)
		goto fail;
	l->fd = fd;
	return (0);
fail:
	on = errno;
	close(fd);
	errno = on;
	return (-1);
}

#define PRIORITIES	"SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:" \
	"-CIPHER-ALL:+CHACHA20-POLY1305:+AES-256-GCM:+AES-128-GCM:" \
	"-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:%SERVER_PRECEDENCE"

static int
listener_mhd(struct webd_listener *l)
{
	const union MHD_DaemonInfo	*di;
	struct webd			*w = l->w;
	const struct hgw_conf		*conf = w->d->conf;
	unsigned int			 flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	int				 fd;

	if ((fd = dup(l->fd)) == -1)
		return (-1);
	if (l->ep.ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (l->kind == LISTEN_TLS)
		flags |= MHD_USE_TLS;
	/*
	 * The certificate options are only read with MHD_USE_TLS; given
	 * NULL otherwise.
	 */
	l->mhd = MHD_start_daemon(flags, 0, NULL, NULL, l->kind ==
	    LISTEN_REDIRECT ? redirect_cb : access_cb, l,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log_cb, w,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_CONNECTION_LIMIT, conf->web.max_clients,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, conf->web.max_clients_per_ip,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)WEBD_CONN_TIMEOUT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEBD_CONN_MEMORY,
	    /* Refuse sloppy HTTP (no Host, bad header lines) with 400. */
	    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	    MHD_OPTION_NOTIFY_COMPLETED, completed_cb, l,
	    MHD_OPTION_NOTIFY_CONNECTION, notify_conn_cb, l,
	    l->kind == LISTEN_TLS ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END,
	    w->tls.key_pem,
	    MHD_OPTION_HTTPS_MEM_CERT, w->tls.cert_pem,
	    MHD_OPTION_HTTPS_PRIORITIES, PRIORITIES,
	    MHD_OPTION_END);
	if (l->mhd == NULL) {
		close(fd);
		return (-1);
	}
	di = MHD_get_daemon_info(l->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (di == NULL)
		return (-1);
	l->ev_read = event_new(w->d->base, di->epoll_fd, EV_READ | EV_PERSIST,
	    run_cb, l);
	l->ev_timer = evtimer_new(w->d->base, run_cb, l);
	if (l->ev_read == NULL || l->ev_timer == NULL ||
	    event_add(l->ev_read, NULL) < 0)
		return (-1);
	rearm(l);
	return (0);
}

/* Stop the MHD daemon (and its connections); the socket stays. */
static void
listener_mhd_stop(struct webd_listener *l)
{
	if (l->ev_read != NULL)
		event_free(l->ev_read);
	if (l->ev_timer != NULL)
		event_free(l->ev_timer);
	if (l->mhd != NULL)
		MHD_stop_daemon(l->mhd);
	l->ev_read = l->ev_timer = NULL;
	l->mhd = NULL;
}

static const char *
listener_url(const struct webd_listener *l, char *buf, size_t len)
{
	char	 name[ADDR_STRLEN];

	addr_fmt_endpoint(&l->ep, name, sizeof(name));
	snprintf(buf, len, "%s://%s/", l->kind == LISTEN_TLS ? "https" :
	    "http", name);
	return (buf);
}

static int
listener_try(struct webd_listener *l)
{
	char	 url[ADDR_STRLEN + 16];

	listener_url(l, url, sizeof(url));
	if (l->fd == -1 && listener_bind(l) == -1) {
		/* One line, then quiet retries until it works. */
		if (!l->bind_failed)
			log_warn("cannot listen on %s yet, retrying every %d s",
			    url, WEBD_BIND_RETRY);
		l->bind_failed = 1;
		return (-1);
	}
	if (listener_mhd(l) == -1) {
		log_warnx("%s: cannot start serving", url);
		listener_mhd_stop(l);
		return (-1);
	}
	if (l->bind_failed)
		log_info("listening on %s at last", url);
	else
		log_info("listening on %s%s", url, l->kind == LISTEN_REDIRECT ?
		    " (redirect to HTTPS and the CA certificate)" : "");
	l->bind_failed = 0;
	return (0);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct webd_listener	*l = arg;
	struct timeval		 tv = { WEBD_BIND_RETRY, 0 };

	if (listener_try(l) == -1)
		evtimer_add(l->ev_retry, &tv);
}

static int
listener_add(struct webd *w, const struct hgw_endpoint *ep, int kind)
{
	struct webd_listener	*l;
	struct timeval		 tv = { WEBD_BIND_RETRY, 0 };

	if (w->nlisteners == WEBD_LISTEN_MAX) {
		log_warnx("more than %d listen addresses", WEBD_LISTEN_MAX);
		return (-1);
	}
	l = &w->listeners[w->nlisteners++];
	memset(l, 0, sizeof(*l));
	l->w = w;
	l->ep = *ep;
	l->kind = kind;
	l->fd = -1;
	if ((l->ev_retry = evtimer_new(w->d->base, retry_cb, l)) == NULL)
		return (-1);
	if (listener_try(l) == -1) {
		/*
		 * Not bindable even with IP_FREEBIND (the port is taken, a
		 * wrong address family): keep trying rather than exit and
		 * let systemd restart us in a loop.
		 */
		if (l->fd != -1)
			return (-1);	/* bound, but MHD refused */
		evtimer_add(l->ev_retry, &tv);
	}
	return (0);
}

/*
 * Start serving: HTTPS (or plain HTTP with tls = no) on every [web]
 * listen address, the redirect on every http_listen address.  -1 only
 * when webd cannot serve at all (no certificate); addresses that cannot
 * be bound yet are retried.
 */
int
http_start(struct webd *w)
{
	const struct hgw_conf	*conf = w->d->conf;
	struct timeval		 tv = { 1, 0 };
	unsigned int		 i;

	TAILQ_INIT(&w->conns);
	if (conf->web.nlisten == 0) {
		log_warnx("no [web] listen address configured");
		return (-1);
	}
	w->ev_deadline = event_new(w->d->base, -1, EV_PERSIST, deadline_cb, w);
	if (w->ev_deadline == NULL || event_add(w->ev_deadline, &tv) == -1)
		return (-1);
	for (i = 0; i < conf->web.nlisten; i++)
		if (listener_add(w, &conf->web.listen[i], conf->web.tls ?
		    LISTEN_TLS : LISTEN_PLAIN) < 0)
			return (-1);
	for (i = 0; conf->web.tls && i < conf->web.nhttp_listen; i++)
		if (listener_add(w, &conf->web.http_listen[i],
		    LISTEN_REDIRECT) < 0)
			return (-1);
	return (0);
}

/*
 * A new certificate: each HTTPS listener gets a new MHD daemon on its
 * socket.  Connections open under the old certificate are closed; the
 * browsers reconnect.
 */
void
http_tls_reload(struct webd *w)
{
	struct webd_listener	*l;
	unsigned int		 i;

	for (i = 0; i < w->nlisteners; i++) {
		l = &w->listeners[i];
		if (l->kind != LISTEN_TLS || l->mhd == NULL)
			continue;
		listener_mhd_stop(l);
		if (listener_mhd(l) == -1) {
			log_warnx("cannot serve HTTPS with the new "
			    "certificate");
			listener_mhd_stop(l);
		}
	}
}

/* Stop listening and close every connection. */
void
http_stop(struct webd *w)
{
	struct webd_listener	*l;
	unsigned int		 i;

	for (i = 0; i < w->nlisteners; i++) {
		l = &w->listeners[i];
		listener_mhd_stop(l);
		if (l->ev_retry != NULL)
			event_free(l->ev_retry);
		if (l->fd != -1)
			close(l->fd);
		memset(l, 0, sizeof(*l));
	}
	w->nlisteners = 0;
	if (w->ev_deadline != NULL)
		event_free(w->ev_deadline);
	w->ev_deadline = NULL;
}
