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

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "state.h"
#include "webd.h"

#define USAGE	"[-fhnvV] [-c file]"

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
 * databases are reopened (their paths may have moved).  Listen addresses
 * and connection limits are fixed when the sockets are opened, before
 * privileges are dropped, so changing them needs a restart.
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
	if (http_start(&w) < 0)
		fatalx("cannot serve the status page");

	/*
	 * Sockets are bound: from here on webd keeps at most the right to
	 * bind low ports (needed only for a listen port below 1024) and
	 * reads the databases as the homegw user.
	 */
	if (daemon_drop_privileges(&d, caps, needs_bind_cap(d.conf) ? 1 : 0)
	    < 0)
		fatalx("cannot drop privileges");
	api_db_refresh(&w, state_now());

	daemon_start(&d);
	event_base_dispatch(d.base);
	daemon_stop(&d);

	http_stop(&w);
	api_db_close(&w);
	static_free(&w.assets);
	daemon_free(&d);
	return (0);
}
