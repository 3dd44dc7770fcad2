/*
 * SPDX-License-Identifier: ISC
 *
 * control.c: natd's control socket (run_dir/natd.sock), through which
 * homegwctl asks for what only natd may do: remove table inet homegw
 * ("flush-rules"), load it again ("load-rules") and list it as the kernel
 * holds it ("rules").  One request line per connection, one reply, then
 * the connection closes; at most CONTROL_CLIENTS_MAX at once, and one
 * silent for CONTROL_IDLE_S seconds is dropped so its slot is freed.
 * The socket is group-accessible only (umask
 * 0007), like the databases.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "natd.h"

#define CONTROL_LINE_MAX	128
#define CONTROL_CLIENTS_MAX	8
#define CONTROL_IDLE_S		5	/* a silent client is dropped */

struct control_client {
	struct control	*c;
	struct event	*ev;
	int		 fd;
	char		 buf[CONTROL_LINE_MAX];
	size_t		 len;
	int		 used;
};

struct control {
	struct natd	*n;
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int		 fd;
	struct event	*ev;
	struct control_client clients[CONTROL_CLIENTS_MAX];
};

static void
client_close(struct control_client *cl)
{
	if (!cl->used)
		return;
	event_free(cl->ev);
	close(cl->fd);
	cl->used = 0;
}

static void
reply(struct control_client *cl, const char *text)
{
	size_t	 off = 0, len = strlen(text);
	ssize_t	 n;

	/*
	 * Replies are small (the ruleset listing is the largest) and the
	 * peer is waiting for them; a peer that does not read loses them.
	 */
	while (off < len) {
		n = send(cl->fd, text + off, len - off, MSG_NOSIGNAL |
		    MSG_DONTWAIT);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
}

static void
handle(struct control_client *cl, const char *cmd)
{
	struct natd	*n = cl->c->n;
	char		*text = NULL, *err = NULL;

	if (strcmp(cmd, "rules") == 0) {
		if ((text = kernel_nft_list(n->kernel)) != NULL)
			reply(cl, text);
		free(text);
	} else if (strcmp(cmd, "flush-rules") == 0) {
		if (engine_rules_flush(n, &err) == 0) {
			log_info("table inet %s removed on request",
			    NATD_TABLE);
			reply(cl, "ok: table inet " NATD_TABLE " removed\n");
		} else {
			if (asprintf(&text, "error: %s\n", err ? err :
			    "flush failed") >= 0)
				reply(cl, text);
			free(text);
		}
		free(err);
	} else if (strcmp(cmd, "load-rules") == 0) {
		if (engine_rules_apply(n, n->d->conf) == 0)
			reply(cl, n->d->conf->nat.rules ?
			    "ok: table inet " NATD_TABLE " loaded\n" :
			    "ok: [nat] rules = no: table inet " NATD_TABLE
			    " not loaded\n");
		else
			reply(cl, "error: the ruleset was refused, see the "
			    "log\n");
	} else
		reply(cl, "error: unknown command (rules, flush-rules, "
		    "load-rules)\n");
}

static void
client_read_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct control_client *cl = arg;
	ssize_t		 n;
	char		*nl;

	/* Its slot goes back: idle clients must not lock homegwctl out. */
	if (ev & EV_TIMEOUT) {
		client_close(cl);
		return;
	}
	n = recv(fd, cl->buf + cl->len, sizeof(cl->buf) - 1 - cl->len, 0);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		client_close(cl);
		return;
	}
	cl->len += (size_t)n;
	cl->buf[cl->len] = '\0';
	if ((nl = strchr(cl->buf, '\n')) == NULL) {
		if (cl->len == sizeof(cl->buf) - 1) {
			reply(cl, "error: request too long\n");
			client_close(cl);
		}
		return;
	}
	*nl = '\0';
	if (nl > cl->buf && nl[-1] == '\r')
		nl[-1] = '\0';
	handle(cl, cl->buf);
	client_close(cl);
}

static void
accept_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct control	*c = arg;
	struct control_client *cl = NULL;
	struct timeval	 tv = { CONTROL_IDLE_S, 0 };
	int		 s, i;

	if ((s = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (!c->clients[i].used) {
			cl = &c->clients[i];
			break;
		}
	if (cl == NULL) {
		log_debug("%s: too many control clients, refusing one",
		    __func__);
		close(s);
		return;
	}
	memset(cl, 0, sizeof(*cl));
	cl->c = c;
	cl->fd = s;
	cl->used = 1;
	if ((cl->ev = event_new(c->n->d->base, s, EV_READ | EV_PERSIST,
	    client_read_cb, cl)) == NULL || event_add(cl->ev, &tv) == -1) {
		if (cl->ev != NULL)
			event_free(cl->ev);
		close(s);
		cl->used = 0;
	}
}

/* Listen on path; NULL with errno set on failure. */
struct control *
control_open(struct natd *n, const char *path)
{
	struct control		*c;
	struct sockaddr_un	 sun;
	int			 fd, saved;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return (NULL);
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->n = n;
	c->fd = -1;
	snprintf(c->path, sizeof(c->path), "%s", path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);

	/* A socket someone answers on belongs to a running natd. */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		close(fd);
		errno = EADDRINUSE;
		goto fail;
	}
	close(fd);
	(void)unlink(path);

	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	if (bind(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(c->fd, 8) == -1)
		goto fail;
	if ((c->ev = event_new(n->d->base, c->fd, EV_READ | EV_PERSIST,
	    accept_cb, c)) == NULL || event_add(c->ev, NULL) == -1)
		goto fail;
	return (c);
fail:
	saved = errno;
	control_close(c);
	errno = saved;
	return (NULL);
}

/* Stop listening and remove the socket; NULL is fine. */
void
control_close(struct control *c)
{
	int	 i;

	if (c == NULL)
		return;
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		client_close(&c->clients[i]);
	if (c->ev != NULL)
		event_free(c->ev);
	if (c->fd != -1) {
		close(c->fd);
		(void)unlink(c->path);
	}
	free(c);
}
