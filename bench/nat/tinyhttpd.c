/*
 * SPDX-License-Identifier: ISC
 *
 * tinyhttpd.c: the far end of the NAT benchmark.  Answers every HTTP
 * request on a TCP connection with one small fixed response and closes,
 * with as little CPU per connection as it can (epoll, SO_REUSEPORT, one
 * process per core), so that new-connections/s measures the gateway and
 * not the server.  A benchmark tool: not installed, not for real use.
 *
 * usage: tinyhttpd address port [processes]
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EVENTS	256

static const char response[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
    "Content-Length: 6\r\nConnection: close\r\n\r\nsmall\n";

static int
listen_on(const char *addr, int port)
{
	struct sockaddr_in sin;
	int		 fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "tinyhttpd: bad address %s\n", addr);
		exit(1);
	}
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 4096) == -1) {
		perror("tinyhttpd: listen");
		exit(1);
	}
	return (fd);
}

static void
serve(const char *addr, int port)
{
	struct epoll_event ev, evs[EVENTS];
	char		 buf[4096];
	int		 lfd, ep, n, i, fd;
	ssize_t		 r;

	lfd = listen_on(addr, port);
	if ((ep = epoll_create1(0)) == -1) {
		perror("tinyhttpd: epoll");
		exit(1);
	}
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		if ((n = epoll_wait(ep, evs, EVENTS, -1)) == -1) {
			if (errno == EINTR)
				continue;
			exit(1);
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == lfd) {
				while ((fd = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK)) != -1) {
					ev.events = EPOLLIN | EPOLLRDHUP;
					ev.data.fd = fd;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			fd = evs[i].data.fd;
			r = read(fd, buf, sizeof(buf));
			if (r > 0 && memmem(buf, (size_t)r, "\r\n\r\n", 4) == NULL)
				continue;	/* the rest of the request later */
			if (r > 0)
				(void)write(fd, response, sizeof(response) - 1);
			close(fd);
		}
	}
}

int
main(int argc, char **argv)
{
	int	 procs, i;

	if (argc < 3) {
		fprintf(stderr, "usage: tinyhttpd address port [processes]\n");
		return (2);
	}
	procs = argc > 3 ? atoi(argv[3]) : 2;
	if (procs < 1 || procs > 64)
		procs = 2;
	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < procs; i++)
		if (fork() == 0)
			serve(argv[1], atoi(argv[2]));
	serve(argv[1], atoi(argv[2]));
	return (0);
}
