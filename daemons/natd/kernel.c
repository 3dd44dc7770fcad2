/*
 * SPDX-License-Identifier: ISC
 *
 * kernel.c: every kernel side effect of natd, and nothing else.  Runs nft
 * (loading, flushing and listing table inet homegw, in a child process),
 * the sysctls natd sets in its network namespace, the two conntrack
 * sockets (a request socket for dumps and an event socket following
 * DESTROY, and NEW when engine.c asks) and a socket told of every change
 * to the nftables ruleset.  It turns netlink messages into struct
 * flow_info, or into "our table changed", and hands them to natd; what
 * they mean is decided elsewhere.
 *
 * Why not UPDATE: following it costs the forwarding path about a third of
 * its connection rate (every state change of every flow is a message),
 * while periodic dumps on a separate socket give counters and TCP state
 * for a small, bounded cost.  The dump, which runs every second, is read
 * with plain recv() into one buffer: libnl's receive loop copied every
 * message into a fresh allocation first.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/netfilter/nfnl.h>
#include <netlink/netfilter/ct.h>
#include <nftables/libnftables.h>

#include "log.h"
#include "netlink.h"
#include "natd.h"

#define DUMP_RCVBUF		(1024 * 1024)
/*
 * The dump's read buffer: the kernel fills a dump datagram up to the
 * largest read it has seen, and at most 32 KiB.
 */
#define DUMP_BUFLEN		(64 * 1024)
/*
 * The event socket's buffer.  A NEW event takes about 1 KiB of buffer;
 * 16 MiB hold some 15,000, half a second of a connection flood while the
 * loop is busy with a dump or a database flush.
 */
#define EVENT_RCVBUF		(16 * 1024 * 1024)
/*
 * Events are read in batches at most this often: one wakeup per event
 * cost more than the rest of natd's work together (measured with perf
 * under a connection flood), and 50 ms is nothing against the mirror's
 * one-second write interval.
 */
#define EVENT_BATCH_MS		50
/*
 * Ruleset changes are rare (a person or a firewall manager at work), but
 * one "nft flush ruleset" on a busy firewall is thousands of messages.
 */
#define NFT_EVENT_RCVBUF	(1024 * 1024)

struct kernel {
	struct event_base	*base;
	struct nl_sock		*dump_sk;
	struct netlink_watch	*watch;
	struct netlink_watch	*nft_watch;	/* ruleset changes */
	void			(*nft_cb)(void *);
	kernel_flow_cb		 flow_cb;
	void			(*resync_cb)(void *);
	void			*arg;
	uint64_t		 events;
	uint64_t		 malformed;
	int			 dumping;
	uint32_t		 dump_seq;
	uint8_t			*dump_buf;	/* DUMP_BUFLEN */
	void			(*overrun_cb)(void *);
	struct netlink_watch	*trace;		/* while a trace runs */
	kernel_flow_cb		 trace_cb;
	void			*trace_arg;
	uint64_t		 trace_events;
	unsigned long		 trace_overruns;
};

/* Open the nftables context and the conntrack dump socket. */
struct kernel *
kernel_open(struct event_base *base, kernel_flow_cb cb,
    void (*resync_cb)(void *), void *arg)
{
	struct kernel	*k;
	int		 r, saved;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return (NULL);
	k->base = base;
	k->flow_cb = cb;
	k->resync_cb = resync_cb;
	k->arg = arg;
	if ((k->dump_buf = malloc(DUMP_BUFLEN)) == NULL)
		goto fail;
	if ((k->dump_sk = netlink_request_sock(NETLINK_NETFILTER)) == NULL)
		goto fail;
	if ((r = nl_socket_set_buffer_size(k->dump_sk, DUMP_RCVBUF, 0)) < 0)
		log_debug("%s: dump buffer: %s", __func__, nl_geterror(r));
	return (k);
fail:
	saved = errno;
	kernel_close(k);
	errno = saved;
	return (NULL);
}

/* Close the sockets and the nftables context; NULL is fine. */
void
kernel_close(struct kernel *k)
{
	if (k == NULL)
		return;
	netlink_watch_free(k->watch);
	netlink_watch_free(k->nft_watch);
	netlink_watch_free(k->trace);
	if (k->dump_sk != NULL)
		nl_socket_free(k->dump_sk);
	free(k->dump_buf);
	free(k);
}

static int
write_sysctl(const char *path, const char *value)
{
	char	 buf[16];
	ssize_t	 n;
	int	 fd, r = 0;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1) {
		r = -errno;
		/* Without write access, maybe sysctl.d already set it. */
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return (r);
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (strtol(buf, NULL, 10) == strtol(value, NULL, 10))
				return (0);
		}
		return (r);
	}
	if (write(fd, value, strlen(value)) == -1)
		r = -errno;
	close(fd);
	return (r);
}

/*
 * Set a sysctl of natd's network namespace to 1: forwarding, conntrack
 * byte counters and timestamps are all per namespace.  name is the path
 * below /proc/sys ("net/ipv4/ip_forward").
 */
int
kernel_sysctl_on(const char *name)
{
	char	 path[256];

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	return (write_sysctl(path, "1"));
}

/*
 * nft runs in a child process, one command each time.  In natd itself,
 * libnftables' parser and caches held about a megabyte of pages (its
 * own, libgmp's, libnftnl's) and a heap to match for the whole of
 * natd's life, for one command a second that takes a millisecond or two
 * (issue 18).  The child is natd forked, so it has natd's capability and
 * namespace; it runs the command with a fresh context, sends back nft's
 * status, output and errors through a pipe, and exits, and the pages it
 * touched go with it.  A child that does not answer within NFT_WAIT_MS
 * is killed and the command fails, as one nft refused would.
 */
#define NFT_WAIT_MS		10000

struct nft_reply {
	int32_t		 rc;		/* 0 done, 1 nft refused, or -errno */
	uint32_t	 outlen;
	uint32_t	 errlen;
};

static int
write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += n;
		len -= (size_t)n;
	}
	return (0);
}

static void __attribute__((noreturn))
nft_child(int fd, const char *text, const char *path, unsigned int flags)
{
	struct nft_reply h = { -ENOMEM, 0, 0 };
	struct nft_ctx	*nft;
	const char	*out = NULL, *err = NULL;

	/* natd's handlers (libevent's) are not this process's. */
	(void)signal(SIGTERM, SIG_DFL);
	(void)signal(SIGINT, SIG_DFL);
	(void)signal(SIGHUP, SIG_DFL);
	if ((nft = nft_ctx_new(NFT_CTX_DEFAULT)) != NULL) {
		nft_ctx_buffer_output(nft);
		nft_ctx_buffer_error(nft);
		nft_ctx_output_set_flags(nft, nft_ctx_output_get_flags(nft) |
		    flags);
		/* nft's own codes vary by version: refused is 1 here. */
		h.rc = (path != NULL ? nft_run_cmd_from_filename(nft, path) :
		    nft_run_cmd_from_buffer(nft, text)) != 0;
		out = nft_ctx_get_output_buffer(nft);
		err = nft_ctx_get_error_buffer(nft);
		h.outlen = out != NULL ? (uint32_t)strlen(out) : 0;
		h.errlen = err != NULL ? (uint32_t)strlen(err) : 0;
	}
	if (write_all(fd, &h, sizeof(h)) < 0 ||
	    write_all(fd, out, h.outlen) < 0 ||
	    write_all(fd, err, h.errlen) < 0)
		_exit(1);
	_exit(0);
}

static int64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Read len bytes by the deadline (mono_ms()); -1 if not. */
static int
read_by(int fd, void *buf, size_t len, int64_t deadline)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	char		*p = buf;
	int64_t		 now;
	ssize_t		 n;

	while (len > 0) {
		if ((now = mono_ms()) >= deadline)
			return (-1);
		if (poll(&pfd, 1, (int)(deadline - now)) < 0) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if ((n = read(fd, p, len)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return (-1);
		}
		if (n == 0)
			return (-1);	/* the child died first */
		p += n;
		len -= (size_t)n;
	}
	return (0);
}

/*
 * Run one nft command (text, or the file at path) with extra output
 * flags.  Returns 0 when nft took the command, 1 when it refused it, or
 * -errno when the child failed; *ret_out and *ret_err, when not NULL, get nft's
 * output and errors (malloc'ed, possibly empty).
 */
static int
nft_exec(const char *text, const char *path, unsigned int flags,
    char **ret_out, char **ret_err)
{
	struct nft_reply h;
	char		*out = NULL, *err = NULL;
	int64_t		 deadline;
	int		 fds[2], status = 0, r;
	pid_t		 pid;

	if (ret_out != NULL)
		*ret_out = NULL;
	if (ret_err != NULL)
		*ret_err = NULL;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return (-errno);
	if ((pid = fork()) < 0) {
		r = -errno;
		close(fds[0]);
		close(fds[1]);
		return (r);
	}
	if (pid == 0) {
		close(fds[0]);
		nft_child(fds[1], text, path, flags);
	}
	close(fds[1]);
	deadline = mono_ms() + NFT_WAIT_MS;
	r = -EIO;
	if (read_by(fds[0], &h, sizeof(h), deadline) == 0 &&
	    h.outlen <= (64U << 20) && h.errlen <= (1U << 20) &&
	    (out = malloc((size_t)h.outlen + 1)) != NULL &&
	    (err = malloc((size_t)h.errlen + 1)) != NULL &&
	    read_by(fds[0], out, h.outlen, deadline) == 0 &&
	    read_by(fds[0], err, h.errlen, deadline) == 0) {
		out[h.outlen] = '\0';
		err[h.errlen] = '\0';
		r = h.rc;
	}
	close(fds[0]);
	if (r == -EIO)
		(void)kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == -EIO)
		log_debug("%s: the nft child failed (status %d)", __func__,
		    status);
	if (ret_out != NULL && r != -EIO) {
		*ret_out = out;
		out = NULL;
	}
	if (ret_err != NULL && r != -EIO) {
		*ret_err = err;
		err = NULL;
	}
	free(out);
	free(err);
	return (r);
}

static int
nft_run(const char *text, const char *path, char **ret_error)
{
	char	*err = NULL;
	int	 r;

	if ((r = nft_exec(text, path, 0, NULL, &err)) != 0) {
		if (ret_error != NULL)
			*ret_error = strdup(r > 0 && err != NULL &&
			    *err != '\0' ? err : r < 0 ? "nft could not be "
			    "run (out of memory or processes)" :
			    "nft refused the batch");
		free(err);
		return (-EINVAL);
	}
	free(err);
	return (0);
}

/* Load a ruleset file in one transaction. */
int
kernel_nft_load(struct kernel *k, const char *path, char **ret_error)
{
	(void)k;
	return (nft_run(NULL, path, ret_error));
}

/* Run commands from a buffer in one transaction. */
int
kernel_nft_run(struct kernel *k, const char *text, char **ret_error)
{
	(void)k;
	return (nft_run(text, NULL, ret_error));
}

/*
 * Our table as nft lists it, with counters or without (extra_flags
 * NFT_CTX_OUTPUT_STATELESS), or NULL when it is not there (errno ENOENT)
 * or memory is short.
 */
static char *
list_table(struct kernel *k, const char *cmd, unsigned int extra_flags)
{
	char	*text;
	int	 r;

	(void)k;
	if ((r = nft_exec(cmd, NULL, extra_flags, &text, NULL)) != 0) {
		free(text);
		errno = r < 0 ? -r : ENOENT;
		return (NULL);
	}
	return (text);
}

/* The loaded table as nft lists it, with counters. */
char *
kernel_nft_list(struct kernel *k)
{
	char	*text;

	if ((text = list_table(k, "list table inet " NATD_TABLE, 0)) == NULL &&
	    errno == ENOENT)
		return (strdup("# table inet " NATD_TABLE " is not loaded\n"));
	return (text);
}

/*
 * The table without counters: what stays the same for as long as nobody
 * changes the rules.  NULL with errno ENOENT when it is not there.
 */
char *
kernel_nft_shape(struct kernel *k)
{
	return (list_table(k, "list table inet " NATD_TABLE,
	    NFT_CTX_OUTPUT_STATELESS));
}

/*
 * The named counters of our table only.  nft still fetches the table's
 * rules to list them (a millisecond or two with 256 forwards), which is
 * cheap enough once a second.  NULL with errno ENOENT when it is gone.
 */
char *
kernel_nft_counters(struct kernel *k)
{
	return (list_table(k, "list counters table inet " NATD_TABLE, 0));
}

/*
 * Does this nf_tables notification concern table inet homegw?  Every
 * object's message (table, chain, rule, set, element, flowtable, object)
 * names its table in attribute 1; only the generation message, which
 * ends every batch, has something else there.
 */
static int
nft_msg_is_ours(struct nlmsghdr *nlh)
{
	struct nfgenmsg	*nfg;
	struct nlattr	*a;
	int		 type, rem;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return (0);
	type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	if (type == NFT_MSG_NEWGEN || type == NFT_MSG_GETGEN ||
	    !nlmsg_valid_hdr(nlh, sizeof(*nfg)))
		return (0);
	nfg = nlmsg_data(nlh);
	if (nfg->nfgen_family != NFPROTO_INET)
		return (0);
	nla_for_each_attr(a, nlmsg_attrdata(nlh, sizeof(*nfg)),
	    nlmsg_attrlen(nlh, sizeof(*nfg)), rem) {
		if (nla_type(a) != NFTA_TABLE_NAME)
			continue;
		return (nla_len(a) >= (int)sizeof(NATD_TABLE) &&
		    memcmp(nla_data(a), NATD_TABLE, sizeof(NATD_TABLE)) == 0);
	}
	return (0);
}

static int
nft_msg_cb(struct nl_msg *msg, void *arg)
{
	struct kernel	*k = arg;

	if (nft_msg_is_ours(nlmsg_hdr(msg)))
		k->nft_cb(k->arg);
	return (NL_OK);
}

/* Lost notifications may have been about our table: look at it again. */
static void
nft_resync_cb(void *arg)
{
	struct kernel	*k = arg;

	k->nft_cb(k->arg);
}

/*
 * Call cb whenever something (natd included) changes table inet homegw.
 * The notifications of a batch come after it is committed, so the table
 * cb finds is already the new one.
 */
int
kernel_nft_watch(struct kernel *k, void (*cb)(void *), unsigned int
    resync_min_ms)
{
	static const int groups[] = { NFNLGRP_NFTABLES };

	k->nft_cb = cb;
	k->nft_watch = netlink_watch_new(k->base, NETLINK_NETFILTER, groups,
	    1, NFT_EVENT_RCVBUF, nft_msg_cb, nft_resync_cb, resync_min_ms, k);
	return (k->nft_watch == NULL ? -errno : 0);
}

/* One conntrack message, from an event or a dump, to natd. */
static void
handle(struct kernel *k, struct nlmsghdr *nlh)
{
	struct flow_info i;
	int		 type, is_new = 0, is_destroy = 0;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_CTNETLINK)
		return;
	type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	if (type == IPCTNL_MSG_CT_DELETE)
		is_destroy = 1;
	else if (type != IPCTNL_MSG_CT_NEW)
		return;
	else if (!k->dumping &&
	    (nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)) != 0)
		is_new = 1;
	if (!k->dumping)
		k->events++;
	if (ctmsg_parse(nlh, &i) < 0) {
		k->malformed++;
		return;
	}
	k->flow_cb(&i, is_new, is_destroy, k->arg);
}

static int
msg_cb(struct nl_msg *msg, void *arg)
{
	handle(arg, nlmsg_hdr(msg));
	return (NL_OK);
}

/*
 * Read the dump's datagrams until its end.  Messages of another sequence
 * number are the rest of an earlier dump we gave up on: skipped (reading
 * them lets the kernel finish that one).
 */
static int
dump_read(struct kernel *k, int fd)
{
	struct nlmsghdr	*nlh;
	struct nlmsgerr	*e;
	struct iovec	 iov = { k->dump_buf, DUMP_BUFLEN };
	struct msghdr	 mh;
	ssize_t		 n;
	size_t		 left;
	int		 intr = 0;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if ((n = recvmsg(fd, &mh, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return (-errno);
		}
		if (mh.msg_flags & MSG_TRUNC)
			return (-EMSGSIZE);
		left = (size_t)n;
		for (nlh = (struct nlmsghdr *)k->dump_buf; NLMSG_OK(nlh, left);
		    nlh = NLMSG_NEXT(nlh, left)) {
			if (nlh->nlmsg_seq != k->dump_seq)
				continue;
			/* The table changed under the dump: not a full picture. */
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = 1;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return (intr ? -EINTR : 0);
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				e = NLMSG_DATA(nlh);
				if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return (-EBADMSG);
				if (e->error == 0)
					continue;
				return (e->error < 0 ? e->error : -e->error);
			}
			handle(k, nlh);
		}
	}
}

/* Dump the whole conntrack table through the flow callback. */
int
kernel_ct_dump(struct kernel *k)
{
	struct {
		struct nlmsghdr	nlh;
		struct nfgenmsg	nfg;
	} req;
	struct sockaddr_nl sa;
	int		 fd = nl_socket_get_fd(k->dump_sk), r;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = ++k->dump_seq;
	req.nfg.nfgen_family = AF_UNSPEC;
	req.nfg.version = NFNETLINK_V0;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1)
		return (-errno);
	k->dumping = 1;
	r = dump_read(k, fd);
	k->dumping = 0;
	/*
	 * An interrupted dump (the table changed under it) is not a full
	 * picture: the caller must not sweep after it.
	 */
	if (r < 0)
		log_debug("%s: %s", __func__, strerror(-r));
	return (r);
}

static void
watch_resync_cb(void *arg)
{
	struct kernel	*k = arg;

	k->resync_cb(k->arg);
}

static void
watch_overrun_cb(void *arg)
{
	struct kernel	*k = arg;

	if (k->overrun_cb != NULL)
		k->overrun_cb(k->arg);
}

/* cb(arg of kernel_open) as soon as conntrack events were lost. */
void
kernel_ct_on_overrun(struct kernel *k, void (*cb)(void *))
{
	k->overrun_cb = cb;
	if (k->watch != NULL)
		netlink_watch_on_overrun(k->watch, watch_overrun_cb);
}

/* Non-zero while events were lost and the resync has not run yet. */
int
kernel_ct_resync_pending(const struct kernel *k)
{
	return (k->watch != NULL && netlink_watch_resync_pending(k->watch));
}

/*
 * Follow DESTROY events on a socket of their own; NEW events only when
 * engine.c asks for them (kernel_ct_follow_new).
 */
int
kernel_ct_subscribe(struct kernel *k, unsigned int resync_min_ms)
{
	static const int groups[] = { NFNLGRP_CONNTRACK_DESTROY };

	k->watch = netlink_watch_new(k->base, NETLINK_NETFILTER, groups,
	    1, EVENT_RCVBUF, msg_cb, watch_resync_cb, resync_min_ms, k);
	if (k->watch == NULL)
		return (-errno);
	return (netlink_watch_batch(k->watch, k->base, EVENT_BATCH_MS));
}

/* Join (on) or leave the NEW events group on the event socket. */
int
kernel_ct_follow_new(struct kernel *k, int on)
{
	struct nl_sock	*sk;
	int		 r;

	if (k->watch == NULL || (sk = netlink_watch_sock(k->watch)) == NULL)
		return (-ENOTCONN);
	r = on ? nl_socket_add_membership(sk, NFNLGRP_CONNTRACK_NEW) :
	    nl_socket_drop_membership(sk, NFNLGRP_CONNTRACK_NEW);
	return (r < 0 ? netlink_errno(r) : 0);
}

/* Ask for a deferred, rate-limited resync. */
void
kernel_ct_resync(struct kernel *k)
{
	if (k->watch != NULL)
		netlink_watch_resync(k->watch);
}

/* Event socket overruns so far. */
unsigned long
kernel_ct_overruns(const struct kernel *k)
{
	return (k->watch != NULL ? netlink_watch_overruns(k->watch) : 0);
}

/* Events received so far. */
uint64_t
kernel_ct_events(const struct kernel *k)
{
	return (k->events);
}

/* Messages we could not parse. */
uint64_t
kernel_ct_malformed(const struct kernel *k)
{
	return (k->malformed);
}

static long
read_long(const char *path)
{
	char	 buf[32];
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return (-1);
	buf[n] = '\0';
	return (strtol(buf, NULL, 10));
}

/* The addresses of our namespace's interfaces (the gateway's own). */
int
kernel_own_addrs(struct mirror_addr *out, unsigned int max)
{
	struct ifaddrs	*ifa, *i;
	unsigned int	 n = 0;

	if (getifaddrs(&ifa) == -1)
		return (-errno);
	for (i = ifa; i != NULL && n < max; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		if (i->ifa_addr->sa_family == AF_INET) {
			out[n].family = AF_INET;
			memcpy(out[n].a, &((struct sockaddr_in *)
			    (void *)i->ifa_addr)->sin_addr, 4);
			n++;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			out[n].family = AF_INET6;
			memcpy(out[n].a, &((struct sockaddr_in6 *)
			    (void *)i->ifa_addr)->sin6_addr, 16);
			n++;
		}
	}
	freeifaddrs(ifa);
	return ((int)n);
}

/* Entries in our namespace's conntrack table. */
long
kernel_ct_count(void)
{
	return (read_long("/proc/sys/net/netfilter/nf_conntrack_count"));
}

/* The namespace's conntrack limit. */
long
kernel_ct_max(void)
{
	return (read_long("/proc/sys/net/netfilter/nf_conntrack_max"));
}

/* net.ipv4.ip_forward of our namespace: 0, 1, or -1 when unreadable. */
long
kernel_ip_forward(void)
{
	return (read_long("/proc/sys/net/ipv4/ip_forward"));
}

/*
 * The trace socket: NEW, UPDATE and DESTROY events, with the kernel's
 * filter (ctfilter.c) passing only traced hosts' connections.  It exists
 * only while a trace runs: joining the UPDATE group makes the kernel
 * build a message for every state change of every flow, which is the
 * cost the "Why not UPDATE" note above avoids the rest of the time.
 * Read at once, not in batches, so that each event's time is the time
 * it happened to within a millisecond or two; only traced hosts'
 * events wake natd.
 */
#define TRACE_RCVBUF		(4 * 1024 * 1024)

static int
trace_msg_cb(struct nl_msg *msg, void *arg)
{
	struct kernel	*k = arg;
	struct nlmsghdr	*nlh = nlmsg_hdr(msg);
	struct flow_info i;
	int		 type, is_new = 0, is_destroy = 0;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_CTNETLINK)
		return (NL_OK);
	type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	if (type == IPCTNL_MSG_CT_DELETE)
		is_destroy = 1;
	else if (type != IPCTNL_MSG_CT_NEW)
		return (NL_OK);
	else if ((nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)) != 0)
		is_new = 1;
	k->trace_events++;
	if (ctmsg_parse(nlh, &i) < 0) {
		k->malformed++;
		return (NL_OK);
	}
	k->trace_cb(&i, is_new, is_destroy, k->trace_arg);
	return (NL_OK);
}

/* Lost trace events cannot be fetched again: count them. */
static void
trace_overrun_cb(void *arg)
{
	struct kernel	*k = arg;

	k->trace_overruns++;
}

/* Attach (or replace) the trace socket's filter; len 0: none. */
int
kernel_ct_trace_filter(struct kernel *k, const struct sock_filter *code,
    unsigned short len)
{
	struct sock_fprog prog = { len, (struct sock_filter *)code };
	struct nl_sock	*sk;
	int		 fd, dummy = 0;

	if (k->trace == NULL || (sk = netlink_watch_sock(k->trace)) == NULL)
		return (-ENOTCONN);
	fd = nl_socket_get_fd(sk);
	if (len == 0) {
		if (setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy,
		    sizeof(dummy)) == -1 && errno != ENOENT)
			return (-errno);
		return (0);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) == -1)
		return (-errno);
	return (0);
}

/*
 * Open the trace socket, filter attached before it joins the groups so
 * that no other host's event is ever queued; events go to cb.
 */
int
kernel_ct_trace_open(struct kernel *k, const struct sock_filter *code,
    unsigned short len, kernel_flow_cb cb, void *arg)
{
	static const int groups[] = { NFNLGRP_CONNTRACK_NEW,
	    NFNLGRP_CONNTRACK_UPDATE, NFNLGRP_CONNTRACK_DESTROY };
	struct nl_sock	*sk;
	int		 i, r;

	if (k->trace != NULL)
		return (kernel_ct_trace_filter(k, code, len));
	k->trace_cb = cb;
	k->trace_arg = arg;
	k->trace = netlink_watch_new(k->base, NETLINK_NETFILTER, NULL, 0,
	    TRACE_RCVBUF, trace_msg_cb, trace_overrun_cb, 1000, k);
	if (k->trace == NULL)
		return (-errno);
	if ((r = kernel_ct_trace_filter(k, code, len)) < 0)
		goto fail;
	sk = netlink_watch_sock(k->trace);
	for (i = 0; i < (int)(sizeof(groups) / sizeof(groups[0])); i++)
		if ((r = nl_socket_add_membership(sk, groups[i])) < 0) {
			r = netlink_errno(r);
			goto fail;
		}
	return (0);
fail:
	kernel_ct_trace_close(k);
	return (r);
}

/* Close the trace socket: the kernel stops building UPDATE events. */
void
kernel_ct_trace_close(struct kernel *k)
{
	netlink_watch_free(k->trace);
	k->trace = NULL;
}

/* Is the trace socket open? */
int
kernel_ct_tracing(const struct kernel *k)
{
	return (k->trace != NULL);
}

/* Trace events received, and overruns of the trace socket. */
uint64_t
kernel_ct_trace_events(const struct kernel *k)
{
	return (k->trace_events);
}

unsigned long
kernel_ct_trace_overruns(const struct kernel *k)
{
	return (k->trace_overruns);
}
