/*
 * SPDX-License-Identifier: ISC
 *
 * webd.h: homegw-webd, the web status page and its JSON API.  One private
 * header for the daemon, prototypes grouped by the file that defines them.
 * webd only ever reads the shared databases; its own state (sessions,
 * login attempts, the asset cache) lives in memory and is capped.
 */
#ifndef HGW_WEBD_H
#define HGW_WEBD_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "addr.h"
#include "figures.h"
#include "state.h"
#include "tlsfp.h"

struct event;
struct event_base;
struct hgw_conf;
struct hgw_daemon;
struct MHD_Connection;
struct MHD_Daemon;

/* Limits on what a client may send or hold. */
#define WEBD_BODY_MAX		4096	/* POST body (JSON login) */
#define WEBD_CONN_TIMEOUT	30	/* seconds of idle connection */
#define WEBD_HEAD_DEADLINE	10	/* seconds to send a whole request */
#define WEBD_BIND_RETRY		2	/* seconds between bind attempts */
#define WEBD_CONN_MEMORY	(32 * 1024)	/* per-connection buffer */
#define WEBD_SESSIONS_MAX	64
#define WEBD_CLIENTS_MAX	256	/* login rate-limit table */
#define WEBD_LOGIN_BURST	5	/* failures before the back-off */
#define WEBD_LOGIN_WINDOW	60	/* first back-off, doubled per failure */
#define WEBD_LOGIN_BACKOFF_MAX	3600	/* up to this */
#define WEBD_LOGIN_FORGET	3600	/* failures this old may be evicted */
#define WEBD_LOGIN_GLOBAL_BURST	10	/* tries of all clients together ... */
#define WEBD_LOGIN_GLOBAL_PERIOD 6	/* ... then one per this many seconds */
#define WEBD_LOGIN_FRESH_PERIOD	5	/* a new client's try when throttled */
#define WEBD_TRUSTED_MAX	16	/* addresses that logged in lately */
#define WEBD_TOKEN_LEN		32	/* random bytes in a session id */
#define WEBD_TOKEN_HEX		(WEBD_TOKEN_LEN * 2)
#define WEBD_ASSETS_MAX		64
#define WEBD_ASSET_SIZE_MAX	(512 * 1024)
#define WEBD_LISTEN_MAX		16

/* json.c: a small JSON writer over a growing buffer. */
struct json {
	char		*buf;
	size_t		 len;
	size_t		 cap;
	size_t		 max;		/* refuse to grow beyond this */
	int		 error;		/* out of memory or over max */
	int		 comma;		/* a value was written at this level */
	int		 depth;
};

void	 json_init(struct json *, size_t max);
void	 json_free(struct json *);
char	*json_steal(struct json *, size_t *ret_len);
void	 json_object_open(struct json *);
void	 json_object_close(struct json *);
void	 json_array_open(struct json *);
void	 json_array_close(struct json *);
void	 json_key(struct json *, const char *);
void	 json_string(struct json *, const char *);
void	 json_string_n(struct json *, const char *, size_t);
void	 json_int(struct json *, int64_t);
void	 json_double(struct json *, double);
void	 json_bool(struct json *, int);
void	 json_null(struct json *);
/* key + value shorthands */
void	 json_kstring(struct json *, const char *, const char *);
void	 json_kint(struct json *, const char *, int64_t);
void	 json_kdouble(struct json *, const char *, double);
void	 json_kbool(struct json *, const char *, int);
void	 json_knull(struct json *, const char *);
/* A value that is JSON text already. */
void	 json_raw(struct json *, const char *, size_t);
/* Write column i of a SQLite row as the matching JSON value. */
void	 json_column(struct json *, sqlite3_stmt *, int);
/* Write the current row as an object keyed by column names. */
void	 json_row(struct json *, sqlite3_stmt *);
/*
 * Find the string member key of the top-level object in text (len bytes)
 * and unescape it into buf (size len, NUL-terminated).  Returns 0, or -1
 * when the text is not an object, the key is missing or not a string, or
 * the value does not fit.
 */
int	 json_get_string(const char *text, size_t textlen, const char *key,
	    char *buf, size_t buflen);

/* auth.c: password check, sessions, CSRF tokens and login rate limit. */
struct auth_session {
	char		 id[WEBD_TOKEN_HEX + 1];	/* "" = free slot */
	char		 csrf[WEBD_TOKEN_HEX + 1];
	int64_t		 created;
	int64_t		 last_used;
};

struct auth_client {
	struct sockaddr_storage	 key;	/* AF_UNSPEC = free slot; port 0, */
	unsigned int	 failures;	/* IPv6 cut to its /64 */
	int64_t		 next_try;	/* back-off until then */
	int64_t		 last_seen;
};

struct auth {
	struct auth_session	 sessions[WEBD_SESSIONS_MAX];
	struct auth_client	 clients[WEBD_CLIENTS_MAX];
	struct sockaddr_storage	 trusted[WEBD_TRUSTED_MAX];	/* logged in */
	unsigned int		 timeout;	/* idle seconds */
	unsigned int		 global_tokens;
	int64_t			 global_time;	/* last refill */
	int64_t			 fresh_next;
	uint64_t		 logins_ok;
	uint64_t		 logins_failed;
	uint64_t		 logins_limited;
	uint64_t		 global_limited;
};

void	 auth_init(struct auth *, unsigned int session_timeout);
/* Fill buf (WEBD_TOKEN_HEX + 1) with a fresh random hex token. */
int	 auth_token(char *buf);
/* Non-zero when password matches the crypt(3) hash. */
int	 auth_password_ok(const char *hash, const char *password);
/* Non-zero when hash is something crypt(3) on this system can check. */
int	 auth_hash_usable(const char *hash);
/* Start a session; returns it or NULL (no randomness). */
struct auth_session *auth_session_new(struct auth *, int64_t now);
/* A live session by cookie value (refreshing its idle time), or NULL. */
struct auth_session *auth_session_find(struct auth *, const char *id,
	    int64_t now);
void	 auth_session_end(struct auth *, struct auth_session *);
void	 auth_session_clear(struct auth *);
unsigned int auth_session_count(struct auth *, int64_t now);
/* Constant-time string compare; 0 when equal. */
int	 auth_token_cmp(const char *, const char *);
/*
 * May addr try a password now?  0 when allowed, else the number of
 * seconds to wait (per client back-off, or the global limit).
 */
int	 auth_login_allowed(struct auth *, const struct sockaddr *, int64_t now);
/* A wrong password from addr. */
void	 auth_login_failed(struct auth *, const struct sockaddr *, int64_t now);
/* A successful login clears the client's failures. */
void	 auth_login_success(struct auth *, const struct sockaddr *);

/* static.c: the asset cache (web/ files, loaded at start and on HUP). */
struct asset {
	char		 path[128];	/* "/index.html" */
	const char	*type;
	char		*data;
	size_t		 size;
	char		 etag[24];
	int		 html;
};

struct assets {
	struct asset	 files[WEBD_ASSETS_MAX];
	unsigned int	 count;
	size_t		 total;
};

int	 static_load(struct assets *, const char *dir);
void	 static_free(struct assets *);
const struct asset *static_find(const struct assets *, const char *url);
const char *static_type(const char *name);

/* api.c: the JSON endpoints. */
struct webd;
struct api_request {
	struct webd		*w;
	struct MHD_Connection	*conn;	/* for query arguments */
	const char		*path;	/* after "/api/v1/" */
	const char		*(*arg)(struct api_request *, const char *);
	int64_t			 now;
	const char		*body;	/* POST: NUL-terminated */
	size_t			 body_len;
	const char		*content_type;	/* POST: the header, or NULL */
};

struct api_response {
	unsigned int	 status;
	struct json	 json;
};

/* Answer a GET under /api/v1/; fills res (status and body). */
void	 api_get(struct api_request *, struct api_response *);
/*
 * An error answer of any endpoint, {"error": msg, "status": N}
 * (docs/api.md), written before anything else of the answer.
 */
void	 api_error(struct api_response *, unsigned int status,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The host table's name of an IPv4 address; NULL if none. */
const char *host_name_of(struct webd *, const char *address);

/* api_trace.c: traces of one host (issue 16). */
void	 api_trace_list(struct api_request *, struct api_response *);
void	 api_trace_get(struct api_request *, struct api_response *,
	    const char *id);
void	 api_trace_post(struct api_request *, struct api_response *,
	    const char *body, size_t len, const char *content_type);
/*
 * Answer a POST under /api/v1/ whose CSRF token http.c has checked:
 * 0 with res filled, or -1 when no endpoint takes the path.
 */
int	 api_post(struct api_request *, struct api_response *);
/* (Re)open the read-only databases when they are missing. */
void	 api_db_refresh(struct webd *, int64_t now);
/* Close them (reload, stop). */
void	 api_db_close(struct webd *);
/* Append one of webd's events (login_ok, login_failed) to homegw.db. */
void	 api_event(struct webd *, const char *kind, const char *address);
/* webd's own figures into live.db's metrics table. */
void	 api_publish(struct webd *);

/* api_health.c: GET /api/v1/health (addrd's health tables). */
void	 api_health(struct api_request *, struct json *);
/* api_block.c: the Blocking page's endpoints (issue 15). */
void	 api_block_get(struct api_request *, struct api_response *);
int	 api_block_post(struct api_request *, struct api_response *);

/* query.c: SQL for the conntrack view from client filters. */
/* The conntrack row is defined once, for homegwctl too (figures.h). */
#define QUERY_CT_TIMEOUT FIG_CT_TIMEOUT
#define QUERY_CT_COLUMNS FIG_CT_COLUMNS
#define QUERY_LIMIT_MAX	500
struct ct_filter {
	const char	*host;
	const char	*proto;
	const char	*state;
	const char	*q;
	const char	*name;		/* part of dst_name; NULL: any */
	const char	*gw_name;	/* [gateway] name, for name */
	char		 gw_addr[2][16];	/* LAN, WAN ("" if none) */
	int		 port;		/* -1 = any */
	const char	*sort;
	int		 desc;
	int64_t		 limit;
	int64_t		 offset;
	int		 gateway;	/* the gateway's own: QUERY_GW_* */
};
#define QUERY_GW_ANY	0
#define QUERY_GW_HIDE	1
#define QUERY_GW_ONLY	2
/* The gateway filter's QUERY_GW_* (all, no/hide, yes/only); -1 if bad. */
int	 query_gateway_arg(const char *);
const char *query_sort_expr(const char *key);
int	 query_ct_sql(const struct ct_filter *, int count, char *buf,
	    size_t len);
int	 query_like_pattern(const char *text, char *buf, size_t len);
int	 query_ct_bind(sqlite3_stmt *, const struct ct_filter *,
	    const char *host_name, int count);
/* A bounded integer argument; def when absent or malformed. */
int64_t	 query_arg_int(const char *, int64_t def, int64_t min, int64_t max);

/* names.c: the name behind a flow's destination (dns_names). */
#define NAMES_DST_MAX	1024	/* a name in presentation form */
const char *names_dst(struct webd *, const char *client, const char *dst,
	    char *buf, size_t len);
/* api_rates.c: current rates and the 10 s history of each LAN host. */
struct api_request;
struct api_response;
/* GET top?limit=: LAN hosts by current rate with their last hour. */
void	 api_rates_top(struct api_request *, struct api_response *);
/* The "rates" member of host/KEY for the host at address. */
void	 api_rates_host(struct webd *, struct json *, const char *address,
	    int64_t now);

/* tls.c: the local CA and the server certificate. */
struct webd_tls {
	char		*cert_pem;	/* server certificate + CA, PEM */
	char		*key_pem;
	char		*ca_pem;	/* NULL with the owner's own */
	unsigned char	*ca_der;
	size_t		 ca_der_len;
	char		 ca_fp[TLSFP_LEN];	/* SHA-256, "AB:CD:..." */
	int64_t		 expires;	/* of the server certificate */
	int64_t		 activation;
	int		 own;		/* [web] cert_file in use */
};

int	 tls_setup(struct webd_tls *, const struct hgw_conf *, int64_t now,
	    int *changed);
int	 tls_due(const struct webd_tls *, int64_t now);
/* As root: <state_dir>/tls for the daemon user, before privileges go. */
void	 tls_prepare_dir(const struct hgw_conf *);
void	 tls_free(struct webd_tls *);

/* metrics.c: GET /metrics in Prometheus text format 0.0.4. */
struct webd;
char	*metrics_text(struct webd *, int64_t now, size_t *ret_len);

/* http.c: libmicrohttpd glue, driven from the libevent loop. */
enum listen_kind {
	LISTEN_TLS,		/* the page over HTTPS */
	LISTEN_PLAIN,		/* the page over HTTP (tls = no) */
	LISTEN_REDIRECT		/* HTTP: redirect, and the CA certificate */
};

struct webd_listener {
	struct MHD_Daemon	*mhd;
	struct event		*ev_read;
	struct event		*ev_timer;
	struct event		*ev_retry;	/* bind again */
	struct webd		*w;
	struct hgw_endpoint	 ep;
	enum listen_kind	 kind;
	int			 fd;		/* ours; MHD gets a dup */
	int			 bind_failed;	/* said so once */
};

/* One accepted connection, for the request deadline. */
struct webd_conn {
	TAILQ_ENTRY(webd_conn)	 entry;
	struct MHD_Connection	*conn;
	int64_t			 deadline;	/* ms; 0 = answering */
};
TAILQ_HEAD(webd_conns, webd_conn);

struct webd {
	struct hgw_daemon	*d;
	struct webd_listener	 listeners[WEBD_LISTEN_MAX];
	unsigned int		 nlisteners;
	struct auth		 auth;
	struct assets		 assets;
	sqlite3			*live;		/* read-only, NULL if absent */
	sqlite3			*persist;
	int64_t			 db_retry;	/* next open attempt */
	uint64_t		 requests;
	uint64_t		 rejected;	/* 4xx for malformed input */
	struct webd_tls		 tls;
	struct webd_conns	 conns;
	unsigned int		 nconns;
	struct event		*ev_deadline;
	struct event		*ev_house;	/* metrics, certificate age */
	uint64_t		 slow_closed;	/* past the deadline */
	/* Writes through the shared failure path (state.h). */
	struct state_fault	 ev_fault;	/* login events, pruning */
	struct state_fault	 pub_fault;	/* webd's own figures */
};

int	 http_start(struct webd *);
void	 http_tls_reload(struct webd *);
void	 http_stop(struct webd *);

#endif /* HGW_WEBD_H */
