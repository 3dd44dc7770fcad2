/*
 * SPDX-License-Identifier: ISC
 *
 * packet.c: ARP on the wire.  Owns the AF_PACKET socket (its classic BPF
 * filter and promiscuous membership, so that ARP between two other hosts
 * is seen too) and the parsing and building of Ethernet ARP frames for
 * IPv4.  Parsing treats every byte as untrusted: it walks the frame with
 * a remaining length and refuses anything short or with the wrong
 * hardware/protocol types or lengths.  No policy and no event loop here.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "arpd.h"

#define ETH_HDR_LEN	14
#define ARP_IP4_LEN	28
#define PACKET_RCVBUF	(2 * 1024 * 1024)

static uint16_t
get16(const uint8_t *p)
{
	return ((uint16_t)(p[0] << 8 | p[1]));
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Parse an Ethernet frame carrying an IPv4-over-Ethernet ARP packet. */
int
packet_parse(const uint8_t *buf, size_t len, struct arp_frame *ret)
{
	struct arp_frame f;
	const uint8_t	*p = buf;
	size_t		 rem = len;

	if (buf == NULL || rem < ETH_HDR_LEN)
		goto bad;
	memcpy(f.eth_dst, p, ADDR_MAC_LEN);
	memcpy(f.eth_src, p + 6, ADDR_MAC_LEN);
	if (get16(p + 12) != ETH_P_ARP)
		goto bad;
	p += ETH_HDR_LEN;
	rem -= ETH_HDR_LEN;

	/* Fixed part: htype, ptype, hlen, plen, op. */
	if (rem < 8)
		goto bad;
	if (get16(p) != ARPHRD_ETHER || get16(p + 2) != ETH_P_IP ||
	    p[4] != ADDR_MAC_LEN || p[5] != 4)
		goto bad;
	f.op = get16(p + 6);
	if (f.op != ARP_OP_REQUEST && f.op != ARP_OP_REPLY)
		goto bad;
	p += 8;
	rem -= 8;

	/* Addresses: sha, spa, tha, tpa.  Trailing padding is fine. */
	if (rem < 2 * ADDR_MAC_LEN + 2 * 4)
		goto bad;
	memcpy(f.sha, p, ADDR_MAC_LEN);
	memcpy(&f.spa, p + 6, 4);
	memcpy(f.tha, p + 10, ADDR_MAC_LEN);
	memcpy(&f.tpa, p + 16, 4);
	*ret = f;
	return (0);
bad:
	return (-EINVAL);
}

/* Build the reply to req: addr is at mac, sent from mac to the asker. */
int
packet_build_reply(uint8_t *buf, size_t len, const struct arp_frame *req,
    const uint8_t mac[ADDR_MAC_LEN], struct in_addr addr)
{
	uint8_t	*p = buf;

	if (len < ARP_FRAME_LEN)
		return (-ENOSPC);
	memcpy(p, req->sha, ADDR_MAC_LEN);
	memcpy(p + 6, mac, ADDR_MAC_LEN);
	put16(p + 12, ETH_P_ARP);
	p += ETH_HDR_LEN;
	put16(p, ARPHRD_ETHER);
	put16(p + 2, ETH_P_IP);
	p[4] = ADDR_MAC_LEN;
	p[5] = 4;
	put16(p + 6, ARP_OP_REPLY);
	memcpy(p + 8, mac, ADDR_MAC_LEN);
	memcpy(p + 14, &addr, 4);
	memcpy(p + 18, req->sha, ADDR_MAC_LEN);
	memcpy(p + 24, &req->spa, 4);
	return (ARP_FRAME_LEN);
}

/*
 * Open a raw AF_PACKET socket for ARP on ifindex.  The classic BPF program
 * accepts frames whose EtherType is ARP and nothing else; it is attached
 * before bind() so that no other frame is ever queued.  Frames with the
 * right EtherType but a bad body still pass, so that packet_parse() can
 * count them as malformed.
 */
int
packet_open(int ifindex)
{
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog	 prog = {
		.len = sizeof(code) / sizeof(code[0]),
		.filter = code,
	};
	struct sockaddr_ll	 sll;
	struct packet_mreq	 mr;
	int			 fd, e, rcvbuf = PACKET_RCVBUF;

	if ((fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return (-errno);
	/*
	 * A burst of ARP (a storm, a scan) must not overflow the default
	 * ~200 KiB queue while the loop writes SQLite: ask for more, beyond
	 * rmem_max when we may (we still hold CAP_NET_ADMIN here).
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) == -1)
		goto fail;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1)
		goto fail;
	/*
	 * Promiscuous membership: on a bridge, unicast ARP between two
	 * ports is only passed up to the bridge device when it is
	 * promiscuous.  The kernel counts memberships, so this undoes
	 * itself when the socket closes.
	 */
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
	    sizeof(mr)) == -1)
		goto fail;
	return (fd);
fail:
	e = errno;
	close(fd);
	return (-e);
}

/* Frames the kernel dropped because our queue was full, since last asked. */
unsigned int
packet_drops(int fd)
{
	struct tpacket_stats	 st;
	socklen_t		 len = sizeof(st);

	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == -1)
		return (0);
	return (st.tp_drops);
}

/* Send one complete Ethernet frame out of ifindex. */
int
packet_send(int fd, int ifindex, const uint8_t *buf, size_t len)
{
	struct sockaddr_ll sll;

	if (len < ETH_HDR_LEN)
		return (-EINVAL);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_ifindex = ifindex;
	sll.sll_halen = ADDR_MAC_LEN;
	memcpy(sll.sll_addr, buf, ADDR_MAC_LEN);
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&sll,
	    sizeof(sll)) == -1)
		return (-errno);
	return (0);
}

/*
 * Open a second AF_PACKET socket on ifindex for the ARP frames the
 * gateway sends (its own and its proxy replies), for traces.  Outgoing
 * frames reach only ETH_P_ALL sockets, and an ETH_P_ALL socket runs its
 * filter on every frame of the interface, forwarded traffic included:
 * that is why it is open only while a trace runs, with a filter that
 * keeps outgoing ARP and nothing else.
 */
int
packet_open_outgoing(int ifindex)
{
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 3),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog	 prog = {
		.len = sizeof(code) / sizeof(code[0]),
		.filter = code,
	};
	struct sockaddr_ll	 sll;
	int			 fd, e;

	/* Protocol 0 first: nothing is queued before the filter is on. */
	if ((fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return (-errno);
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) == -1)
		goto fail;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1)
		goto fail;
	return (fd);
fail:
	e = errno;
	close(fd);
	return (-e);
}
