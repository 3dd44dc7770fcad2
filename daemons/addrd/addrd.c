/*
 * SPDX-License-Identifier: ISC
 *
 * addrd.c: main() of homegw-addrd, the static addressing daemon: options,
 * setup in the order daemon.h gives, the loop, and shutdown.  The work is
 * done in engine.c (events and passes), reconcile.c (policy), kernel.c
 * (rtnetlink), acd.c (RFC 5227) and publish.c (live.db).
 */
#include <linux/capability.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "addrd.h"

#define USAGE	"[-fhnvV] [-c file]"

static int
addrd_reload(struct hgw_daemon *d, struct hgw_conf *newconf)
{
	return (engine_reload(d->arg, newconf));
}

static void
addrd_flush(struct hgw_daemon *d)
{
	engine_flush(d->arg);
}

static const char *
addrd_status(struct hgw_daemon *d)
{
	return (engine_status(d->arg));
}

/* Set up, run the loop until SIGTERM, then shut down. */
int
main(int argc, char *argv[])
{
	static const int caps[] = { CAP_NET_ADMIN, CAP_NET_RAW };
	struct hgw_daemon	 d = {
		.name = "addrd",
		.usage = USAGE,
		.reload = addrd_reload,
		.flush = addrd_flush,
		.status = addrd_status,
		.reopen = engine_reopen,
		/* addrd's loop has the most slack: it checks homegw.db. */
		.check_db = 1,
	};
	struct engine		*e;

	daemon_init(&d, argc, argv);
	daemon_open_state(&d);
	e = engine_new(&d, &acd_rfc_timing);
	d.arg = e;
	/*
	 * Missing capabilities are named by daemon.c; addrd keeps going and
	 * serves what it can (the host table, the state of the addresses),
	 * and names the capability again where the kernel refuses.  Root
	 * that could not drop to [gateway] user is another matter: never
	 * run on with every privilege.
	 */
	if (daemon_drop_privileges(&d, caps, 2) == -1) {
		if (geteuid() == 0)
			fatalx("cannot drop root privileges, exiting");
		log_warnx("continuing without full privileges: addresses "
		    "and conflict detection may fail");
	}
	engine_apply(e);
	daemon_start(&d);
	event_base_dispatch(d.base);
	daemon_stop(&d);
	engine_free(e);
	daemon_free(&d);
	return (0);
}
