/*
 * SPDX-License-Identifier: ISC
 *
 * netlink_test.c: the netlink watch against the real kernel, inside a
 * private network namespace this process makes for itself with
 * unshare(CLONE_NEWNET), so nothing outside it changes.  Checks that
 * events arrive through libevent, that an overrun is seen and answered by
 * one deferred resync, and that resync requests are rate-limited.  Skips
 * when it may not create a namespace (not root).
 */
#include <sys/socket.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "log.h"
#include "netlink.h"
#include "../tap.h"

static int	 newlinks;
static int	 resyncs;

static int
msg_cb(struct nl_msg *msg, void *arg)
{
	if (nlmsg_hdr(msg)->nlmsg_type == RTM_NEWLINK)
		newlinks++;
	return (NL_OK);
}

static void
resync_cb(void *arg)
{
	resyncs++;
}

static int
add_veth(struct nl_sock *sk, int i)
{
	char	 a[IFNAMSIZ], b[IFNAMSIZ];

	snprintf(a, sizeof(a), "ta%d", i);
	snprintf(b, sizeof(b), "tb%d", i);
	return (rtnl_link_veth_add(sk, a, b, getpid()));
}

static void
run_for(struct event_base *base, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

int
main(void)
{
	struct event_base	*base;
	struct netlink_watch	*w, *small;
	struct nl_sock		*req;
	int			 groups[] = { RTNLGRP_LINK };
	int			 i, before;

	if (unshare(CLONE_NEWNET) == -1) {
		printf("1..0 # SKIP cannot create a network namespace: %s\n",
		    strerror(errno));
		return (0);
	}
	log_init(1, 0);
	base = event_base_new();
	w = netlink_watch_new(base, NETLINK_ROUTE, groups, 1,
	    NETLINK_WATCH_RCVBUF, msg_cb, resync_cb, 1000, NULL);
	CHECK(w != NULL);
	req = netlink_request_sock(NETLINK_ROUTE);
	CHECK(req != NULL);
	if (w == NULL || req == NULL)
		return (tap_done());

	/* Events arrive through the loop. */
	CHECK(add_veth(req, 0) == 0);
	run_for(base, 300);
	CHECK(newlinks >= 2);
	CHECK(netlink_watch_overruns(w) == 0);
	CHECK(resyncs == 0);
	netlink_watch_free(w);

	/*
	 * A watch with a tiny buffer that is not read while links are
	 * created must overrun, and the overrun must bring one resync.
	 */
	newlinks = 0;
	small = netlink_watch_new(base, NETLINK_ROUTE, groups, 1, 1024,
	    msg_cb, resync_cb, 1000, NULL);
	CHECK(small != NULL);
	if (small == NULL)
		return (tap_done());
	for (i = 1; i <= 120; i++)
		add_veth(req, i);
	run_for(base, 600);
	CHECK(netlink_watch_overruns(small) > 0);
	CHECK_MSG(resyncs == 1, "one resync after the overrun");

	/* Requests within resync_min_ms are merged into one, later. */
	before = resyncs;
	netlink_watch_resync(small);
	netlink_watch_resync(small);
	run_for(base, 300);
	CHECK_MSG(resyncs == before, "no resync sooner than resync_min_ms");
	run_for(base, 1200);
	CHECK_MSG(resyncs == before + 1, "the merged resync ran once");

	netlink_watch_free(small);
	nl_socket_free(req);
	event_base_free(base);
	return (tap_done());
}
