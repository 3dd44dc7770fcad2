/*
 * SPDX-License-Identifier: ISC
 *
 * netlink.c: libnl sockets wired into libevent.  Owns the event socket's
 * setup (no sequence checks, large receive buffer, multicast groups), the
 * read loop, overrun detection and the deferred, rate-limited resync.  It
 * does not know what the messages mean: each daemon parses its own.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/neighbour.h>

#include <event2/event.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/msg.h>
#include <netlink/errno.h>

#include "log.h"
#include "netlink.h"

/*
 * How long a resync waits after an overrun: the burst that overflowed the
 * buffer is probably still going on, and a dump in the middle of it only
 * overflows again (measured, see the design notes).
 */
#define RESYNC_DELAY_MS		200
/* Messages read per wakeup before yielding to other events. */
#define READ_BUDGET		256

struct netlink_watch {
	struct nl_sock		*sk;
	struct event		*ev_read;
	struct event		*ev_resync;
	netlink_msg_cb		 msg_cb;
	netlink_resync_cb	 resync_cb;
	void			*arg;
	unsigned int		 resync_min_ms;
	struct timeval		 last_resync;
	unsigned long		 overruns;
	struct event		*ev_batch;	/* see netlink_watch_batch() */
	unsigned int		 batch_ms;
	netlink_resync_cb	 overrun_cb;	/* netlink_watch_on_overrun() */
};

static int
valid_cb(struct nl_msg *msg, void *arg)
{
	struct netlink_watch	*w = arg;

	return (w->msg_cb(msg, w->arg));
}

static void
read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct netlink_watch	*w = arg;
	struct timeval		 tv;
	int			 i, r, drained = 0;

	for (i = 0; i < READ_BUDGET; i++) {
		r = nl_recvmsgs_default(w->sk);
		if (r >= 0)
			continue;
		if (r == -NLE_AGAIN) {
			drained = 1;
			break;
		}
		if (r == -NLE_NOMEM) {
			/* libnl reports ENOBUFS, a kernel-side overrun, so. */
			w->overruns++;
			log_debug("%s: netlink overrun, resync scheduled",
			    __func__);
			netlink_watch_resync(w);
			if (w->overrun_cb != NULL)
				w->overrun_cb(w->arg);
			continue;
		}
		log_debug("%s: nl_recvmsgs: %s", __func__, nl_geterror(r));
		break;
	}
	/*
	 * Batching: once the socket is drained, stop listening for a while
	 * so that the next messages are read many per wakeup, not one.
	 */
	if (drained && w->batch_ms > 0 && w->ev_batch != NULL) {
		event_del(w->ev_read);
		tv.tv_sec = w->batch_ms / 1000;
		tv.tv_usec = (suseconds_t)(w->batch_ms % 1000) * 1000;
		evtimer_add(w->ev_batch, &tv);
	}
}

static void
batch_cb(evutil_socket_t fd, short events, void *arg)
{
	struct netlink_watch	*w = arg;

	event_add(w->ev_read, NULL);
	read_cb(nl_socket_get_fd(w->sk), EV_READ, w);
}

/* Read at most once per ms milliseconds once drained; 0 = at once. */
int
netlink_watch_batch(struct netlink_watch *w, struct event_base *base,
    unsigned int ms)
{
	if (w->ev_batch == NULL &&
	    (w->ev_batch = evtimer_new(base, batch_cb, w)) == NULL)
		return (-ENOMEM);
	w->batch_ms = ms;
	return (0);
}

static void
resync_cb(evutil_socket_t fd, short events, void *arg)
{
	struct netlink_watch	*w = arg;

	gettimeofday(&w->last_resync, NULL);
	if (w->resync_cb != NULL)
		w->resync_cb(w->arg);
}

/* Schedule a resync: deferred, and no sooner than resync_min_ms after the last. */
void
netlink_watch_resync(struct netlink_watch *w)
{
	struct timeval	 now, next, delay;

	if (evtimer_pending(w->ev_resync, NULL))
		return;
	gettimeofday(&now, NULL);
	next.tv_sec = w->last_resync.tv_sec + w->resync_min_ms / 1000;
	next.tv_usec = w->last_resync.tv_usec +
	    (suseconds_t)(w->resync_min_ms % 1000) * 1000;
	if (next.tv_usec >= 1000000) {
		next.tv_sec++;
		next.tv_usec -= 1000000;
	}
	if (timercmp(&next, &now, <))
		next = now;
	timersub(&next, &now, &delay);
	if (delay.tv_sec == 0 && delay.tv_usec < RESYNC_DELAY_MS * 1000)
		delay.tv_usec = RESYNC_DELAY_MS * 1000;
	evtimer_add(w->ev_resync, &delay);
}

/* Create an event socket subscribed to groups and add it to base. */
struct netlink_watch *
netlink_watch_new(struct event_base *base, int protocol, const int *groups,
    int ngroups, int rcvbuf, netlink_msg_cb msg_cb, netlink_resync_cb rcb,
    unsigned int resync_min_ms, void *arg)
{
	struct netlink_watch	*w;
	int			 i, r, fd, saved;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return (NULL);
	w->msg_cb = msg_cb;
	w->resync_cb = rcb;
	w->resync_min_ms = resync_min_ms;
	w->arg = arg;
	if ((w->sk = nl_socket_alloc()) == NULL) {
		errno = ENOMEM;
		goto fail;
	}
	/* Events are unsolicited: there is no sequence number to check. */
	nl_socket_disable_seq_check(w->sk);
	nl_socket_modify_cb(w->sk, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, w);
	if ((r = nl_connect(w->sk, protocol)) < 0) {
		errno = -netlink_errno(r);
		goto fail;
	}
	fd = nl_socket_get_fd(w->sk);
	/*
	 * SO_RCVBUFFORCE passes net.core.rmem_max when we hold
	 * CAP_NET_ADMIN; otherwise the kernel caps SO_RCVBUF silently.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) == -1)
		(void)nl_socket_set_buffer_size(w->sk, rcvbuf, 0);
	if ((r = nl_socket_set_nonblocking(w->sk)) < 0) {
		errno = -netlink_errno(r);
		goto fail;
	}
	for (i = 0; i < ngroups; i++) {
		if ((r = nl_socket_add_membership(w->sk, groups[i])) < 0) {
			errno = -netlink_errno(r);
			goto fail;
		}
	}
	w->ev_read = event_new(base, fd, EV_READ | EV_PERSIST, read_cb, w);
	w->ev_resync = evtimer_new(base, resync_cb, w);
	if (w->ev_read == NULL || w->ev_resync == NULL ||
	    event_add(w->ev_read, NULL) == -1) {
		errno = ENOMEM;
		goto fail;
	}
	return (w);

fail:
	saved = errno;
	netlink_watch_free(w);
	errno = saved;
	return (NULL);
}

/* Overruns seen so far. */
unsigned long
netlink_watch_overruns(const struct netlink_watch *w)
{
	return (w->overruns);
}

/* The libnl socket, to add memberships or read its fd. */
struct nl_sock *
netlink_watch_sock(struct netlink_watch *w)
{
	return (w->sk);
}

/* Free a watch; NULL is fine. */
void
netlink_watch_free(struct netlink_watch *w)
{
	if (w == NULL)
		return;
	if (w->ev_read != NULL)
		event_free(w->ev_read);
	if (w->ev_resync != NULL)
		event_free(w->ev_resync);
	if (w->ev_batch != NULL)
		event_free(w->ev_batch);
	if (w->sk != NULL)
		nl_socket_free(w->sk);
	free(w);
}

/* A blocking socket for requests and dumps. */
struct nl_sock *
netlink_request_sock(int protocol)
{
	struct nl_sock	*sk;
	int		 r;

	if ((sk = nl_socket_alloc()) == NULL) {
		errno = ENOMEM;
		return (NULL);
	}
	if ((r = nl_connect(sk, protocol)) < 0) {
		nl_socket_free(sk);
		errno = -netlink_errno(r);
		return (NULL);
	}
	return (sk);
}

/* Map a libnl error to a negative errno. */
int
netlink_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0:
		return (0);
	case NLE_NOMEM:
		return (-ENOMEM);
	case NLE_EXIST:
		return (-EEXIST);
	case NLE_OBJ_NOTFOUND:
		return (-ENOENT);
	case NLE_PERM:
		return (-EPERM);
	case NLE_NOACCESS:
		return (-EACCES);
	case NLE_NODEV:
		return (-ENODEV);
	case NLE_INVAL:
		return (-EINVAL);
	case NLE_BUSY:
		return (-EBUSY);
	case NLE_AGAIN:
		return (-EAGAIN);
	case NLE_OPNOTSUPP:
		return (-EOPNOTSUPP);
	case NLE_AF_NOSUPPORT:
		return (-EAFNOSUPPORT);
	case NLE_RANGE:
		return (-ERANGE);
	case NLE_MSGSIZE:
		return (-EMSGSIZE);
	default:
		return (-EIO);
	}
}

/*
 * Be told at once when events were lost, before the deferred resync: a
 * mirror is short from then until the resync, and can say so.
 */
void
netlink_watch_on_overrun(struct netlink_watch *w, netlink_resync_cb cb)
{
	w->overrun_cb = cb;
}

/* Non-zero while a resync is scheduled and has not run yet. */
int
netlink_watch_resync_pending(const struct netlink_watch *w)
{
	return (w->ev_resync != NULL &&
	    evtimer_pending(w->ev_resync, NULL) != 0);
}

const char *
netlink_nud_name(int state)
{
	if (state & NUD_PERMANENT)
		return ("permanent");
	if (state & NUD_REACHABLE)
		return ("reachable");
	if (state & NUD_STALE)
		return ("stale");
	if (state & NUD_DELAY)
		return ("delay");
	if (state & NUD_PROBE)
		return ("probe");
	if (state & NUD_FAILED)
		return ("failed");
	if (state & NUD_NOARP)
		return ("noarp");
	if (state & NUD_INCOMPLETE)
		return ("incomplete");
	return ("none");
}
