/*
 * SPDX-License-Identifier: ISC
 *
 * netlink.h: libnl sockets wired into a libevent loop.  A watch is a
 * non-blocking event socket subscribed to multicast groups, with sequence
 * checks off and a large receive buffer, whose fd is a persistent read
 * event; each valid message goes to msg_cb.  An overrun (ENOBUFS, which
 * libnl reports as -NLE_NOMEM) means events were lost: the watch then
 * schedules a resync, deferred and rate-limited so that resyncing cannot
 * cause further overruns, and calls resync_cb, which should dump the
 * kernel table on a separate socket and reconcile (mark and sweep).
 */
#ifndef HGW_NETLINK_H
#define HGW_NETLINK_H

#include <netlink/netlink.h>
#include <netlink/msg.h>

struct event_base;
struct netlink_watch;

#define NETLINK_WATCH_RCVBUF	(4 * 1024 * 1024)

typedef int (*netlink_msg_cb)(struct nl_msg *, void *arg);
typedef void (*netlink_resync_cb)(void *arg);

/*
 * protocol: NETLINK_ROUTE or NETLINK_NETFILTER.  groups: multicast group
 * numbers (RTNLGRP_NEIGH, NFNLGRP_CONNTRACK_NEW, ...), ngroups of them.
 * resync_min_ms: least time between two resyncs.  Returns NULL with errno
 * set on failure.
 */
struct netlink_watch *netlink_watch_new(struct event_base *, int protocol,
	    const int *groups, int ngroups, int rcvbuf, netlink_msg_cb,
	    netlink_resync_cb, unsigned int resync_min_ms, void *arg);
/*
 * Coalesce wakeups: after the socket is drained, wait ms milliseconds
 * before reading again, so a burst is read many messages per wakeup
 * instead of one (the receive buffer must hold ms worth of messages).
 * 0 reads at once (the default).  Returns 0 or -ENOMEM.
 */
int	netlink_watch_batch(struct netlink_watch *, struct event_base *,
	    unsigned int ms);
/* Ask for a resync soon (also done on overrun). */
void	netlink_watch_resync(struct netlink_watch *);
/* Counters: messages seen, overruns. */
unsigned long netlink_watch_overruns(const struct netlink_watch *);
/* cb(arg) as soon as an overrun is seen; and whether a resync waits. */
void	netlink_watch_on_overrun(struct netlink_watch *, netlink_resync_cb);
int	netlink_watch_resync_pending(const struct netlink_watch *);
struct nl_sock *netlink_watch_sock(struct netlink_watch *);
void	netlink_watch_free(struct netlink_watch *);

/*
 * A plain, blocking request socket for dumps and changes (connected to
 * protocol).  NULL with errno set on failure.  Free with nl_socket_free().
 */
struct nl_sock *netlink_request_sock(int protocol);
/* Map a libnl error (negative NLE_*) to a negative errno. */
int	netlink_errno(int nlerr);
/* A neighbour's NUD_* state in the words live.db uses ("reachable"). */
const char *netlink_nud_name(int state);

#endif /* HGW_NETLINK_H */
