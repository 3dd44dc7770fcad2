/*
 * SPDX-License-Identifier: ISC
 *
 * echo.c: the floor for bench/dns.  A bare UDP responder that reads
 * queries in batches with recvmmsg(2), sets the QR bit and sends each one
 * back with sendmmsg(2).  No parsing, no cache: nothing that answers DNS
 * can cost less per query than this kernel path.
 *
 * usage: echo ADDRESS PORT
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH	32

int
main(int argc, char **argv)
{
	static struct mmsghdr	 msgs[BATCH];
	static struct iovec	 iov[BATCH];
	static struct sockaddr_in from[BATCH];
	static unsigned char	 bufs[BATCH][2048];
	struct sockaddr_in	 sin;
	int			 fd, n, i, sent;

	if (argc != 3) {
		fprintf(stderr, "usage: echo address port\n");
		return (2);
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1)
		return (2);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("echo");
		return (1);
	}
	for (;;) {
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		if ((n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL)) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			iov[i].iov_len = msgs[i].msg_len;
			if (msgs[i].msg_len > 2)
				bufs[i][2] |= 0x80;
		}
		for (sent = 0; sent < n; ) {
			int r = sendmmsg(fd, msgs + sent, (unsigned int)(n - sent),
			    0);

			sent += r > 0 ? r : 1;
		}
	}
}
