/*
 * SPDX-License-Identifier: ISC
 *
 * webd.c: main() of homegw-webd, the web status page.  Options, start-up
 * order, reload and shutdown only; serving is in http.c, the API in
 * api.c, the login in auth.c and the page's files in static.c.
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "state.h"

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "webd.h"

#define USAGE	"[-fhnvV] [-c file]"
#define HOUSE_S		10	/* figures to live.db this often */
#define CERT_CHECK_S	3600	/* certificate age checked this often */

static const char *
webd_status(struct hgw_daemon *d)
{
	static char	 buf[128];
	struct webd	*w = d->arg;

	snprintf(buf, sizeof(buf), "%u sessions, %llu requests, %llu rejected",
	    auth_session_count(&w->auth, state_now()),
	    (unsigned long long)w->requests, (unsigned long long)w->rejected);
	return (buf);
}

static const char *
assets_dir(const struct hgw_conf *conf)
{
	return (conf->web.assets_dir[0] != '\0' ? conf->web.assets_dir :
	    HGW_WEB_DIR);
}

/* Refuse a config webd cannot run safely with. */
/*
 * What keeps conf from serving the page, as one line naming the fix, in
 * why; 0 when nothing does.
 */
static int
check_conf(const struct hgw_conf *conf, char *why, size_t len)
{
	if (conf->web.password_hash[0] == '\0' && !conf->web.open_access) {
		snprintf(why, len, "no [web] password_hash in %s: set one "
		    "with: homegwctl passwd (or allow open access with "
		    "\"open_access = yes\" in [web])", conf->path);
		return (-1);
	}
	if (conf->web.password_hash[0] != '\0' &&
	    !auth_hash_usable(conf->web.password_hash)) {
		snprintf(why, len, "[web] password_hash in %s is not a "
		    "crypt(3) hash this system can check: set a new one with: "
		    "homegwctl passwd", conf->path);
		return (-1);
	}
	return (0);
}

static int	 webd_tls(struct webd *, const struct hgw_conf *);

static int
same_listen(const struct hgw_conf *a, const struct hgw_conf *b)
{
	unsigned int	 i;

	if (a->web.nlisten != b->web.nlisten)
		return (0);
	for (i = 0; i < a->web.nlisten; i++)
		if (a->web.listen[i].len != b->web.listen[i].len ||
		    memcmp(&a->web.listen[i].ss, &b->web.listen[i].ss,
		    a->web.listen[i].len) != 0)
			return (0);
	return (1);
}

/*
 * SIGHUP: a new password logs everybody out, new files are read, the
 * databases are reopened (their paths may have moved), a new name or
 * address gets a new certificate.  Listen addresses, tls and connection
 * limits belong to the sockets and MHD daemons made at start, so
 * changing them needs a restart.
 */
static int
webd_reload(struct hgw_daemon *d, struct hgw_conf *newconf)
{
	struct webd	*w = d->arg;
	char		 why[512];

	if (check_conf(newconf, why, sizeof(why)) < 0) {
		log_warnx("%s", why);
		return (-1);
	}
	if (!same_listen(d->conf, newconf) ||
	    d->conf->web.max_clients != newconf->web.max_clients ||
	    d->conf->web.max_clients_per_ip != newconf->web.max_clients_per_ip)
		log_warnx("[web] listen and client limits take effect at the "
		    "next restart");
	if (newconf->web.tls != d->conf->web.tls)
		log_warnx("[web] tls takes effect at the next restart");
	/* A new name or address: a new certificate, served at once. */
	if (d->conf->web.tls && webd_tls(w, newconf) < 0)
		return (-1);
	if (strcmp(d->conf->web.password_hash, newconf->web.password_hash)
	    != 0) {
		auth_session_clear(&w->auth);
		log_info("password changed, every session ended");
	}
	w->auth.timeout = newconf->web.session_timeout ?
	    newconf->web.session_timeout : 3600;
	if (static_load(&w->assets, assets_dir(newconf)) < 0)
		log_warn("%s: keeping the files loaded before",
		    assets_dir(newconf));
	api_db_close(w);
	return (0);
}

/* Log the CA's fingerprint: the owner compares it with the phone's. */
static void
log_fingerprint(const struct webd *w)
{
	if (w->tls.own)
		log_info("serving the certificate of [web] cert_file");
	else if (w->tls.ca_fp[0] != '\0')
		log_info("CA certificate SHA-256 fingerprint %s", w->tls.ca_fp);
}

/*
 * Make or renew the certificates for conf, and serve the new one when it
 * changed.  At start the listeners do not exist yet; they pick it up.
 */
static int
webd_tls(struct webd *w, const struct hgw_conf *conf)
{
	int	 changed;

	if (tls_setup(&w->tls, conf, state_now(), &changed) < 0) {
		log_warnx("no certificate to serve HTTPS with");
		return (-1);
	}
	if (changed && w->nlisteners > 0) {
		log_info("serving the new certificate");
		http_tls_reload(w);
	}
	return (0);
}

static void
house_cb(evutil_socket_t fd, short what, void *arg)
{
	static int64_t	 next_check;
	struct webd	*w = arg;
	int64_t		 now = state_now();

	api_publish(w);
	if (now < next_check)
		return;
	next_check = now + CERT_CHECK_S;
	if (w->d->conf->web.tls && tls_due(&w->tls, now))
		(void)webd_tls(w, w->d->conf);
	if (w->d->persist != NULL)
		(void)state_fault_note(&w->ev_fault, w->d->persist,
		    state_prune_events(w->d->persist, "webd",
		    (int64_t)w->d->conf->gateway.retention_days * 86400, 10000));
}

static int
needs_bind_cap(const struct hgw_conf *conf)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	unsigned int			 i;
	uint16_t			 port;

	for (i = 0; i < conf->web.nlisten; i++) {
		if (conf->web.listen[i].ss.ss_family == AF_INET6) {
			sin6 = (const void *)&conf->web.listen[i].ss;
			port = ntohs(sin6->sin6_port);
		} else {
			sin = (const void *)&conf->web.listen[i].ss;
			port = ntohs(sin->sin_port);
		}
		if (port < 1024)
			return (1);
	}
	return (0);
}

/* Start, serve until SIGTERM, stop. */
int
main(int argc, char *argv[])
{
	static struct webd	 w;
	struct hgw_daemon	 d = {
		.name = "webd",
		.usage = USAGE,
		.reload = webd_reload,
		.status = webd_status,
		.arg = &w,
	};
	const int		 caps[] = { CAP_NET_BIND_SERVICE };
	char			 why[512];
	int			 n;

	w.d = &d;
	daemon_init(&d, argc, argv);
	state_fault_init(&w.ev_fault, HGW_DB_PERSIST, "login events");
	state_fault_init(&w.pub_fault, HGW_DB_LIVE, "webd's figures");
	/* Exit 78: no restart loop until someone sets the password. */
	if (check_conf(d.conf, why, sizeof(why)) < 0)
		daemon_fatal_config("refusing to start: %s", why);
	if (d.conf->web.password_hash[0] == '\0')
		log_warnx("open access: no password, anyone on the LAN can "
		    "see the status page");
	auth_init(&w.auth, d.conf->web.session_timeout);

	if ((n = static_load(&w.assets, assets_dir(d.conf))) < 0)
		fatal("%s", assets_dir(d.conf));
	if (static_find(&w.assets, "/") == NULL)
		log_warnx("%s has no index.html", assets_dir(d.conf));
	log_debug("%d files, %zu bytes from %s", n, w.assets.total,
	    assets_dir(d.conf));
	/*
	 * Privileges go first: webd keeps at most the right to bind low
	 * ports, which it needs for as long as it may have to retry a bind
	 * (an address another host holds), and makes its certificates as
	 * the homegw user, who must be able to renew them later.
	 */
	if (d.conf->web.tls)
		tls_prepare_dir(d.conf);
	if (daemon_drop_privileges(&d, caps, needs_bind_cap(d.conf) ? 1 : 0)
	    < 0)
		fatalx("cannot drop privileges");
	if (d.conf->web.tls) {
		if (webd_tls(&w, d.conf) < 0)
			fatalx("cannot serve HTTPS: fix the error above, or "
			    "set [web] tls = no");
		log_fingerprint(&w);
	}
	if (http_start(&w) < 0)
		fatalx("cannot serve the status page");
	api_db_refresh(&w, state_now());
	w.ev_house = event_new(d.base, -1, EV_PERSIST, house_cb, &w);
	if (w.ev_house == NULL || event_add(w.ev_house,
	    &(struct timeval){ HOUSE_S, 0 }) == -1)
		fatalx("cannot add the housekeeping timer");

	daemon_start(&d);
	event_base_dispatch(d.base);
	daemon_stop(&d);

	if (w.ev_house != NULL)
		event_free(w.ev_house);
	http_stop(&w);
	tls_free(&w.tls);
	api_db_close(&w);
	static_free(&w.assets);
	state_fault_done(&w.pub_fault);
	state_fault_done(&w.ev_fault);
	daemon_free(&d);
	return (0);
}
