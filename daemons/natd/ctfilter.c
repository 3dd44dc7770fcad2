/*
 * SPDX-License-Identifier: ISC
 *
 * ctfilter.c: the classic BPF program natd attaches to its trace socket,
 * so that the kernel hands it only the conntrack events of traced hosts.
 * Pure: builds instructions, no sockets.
 *
 * A ctnetlink event is one netlink message per datagram: the nlmsghdr,
 * struct nfgenmsg, then attributes.  The addresses sit three nests deep
 * (CTA_TUPLE_ORIG or CTA_TUPLE_REPLY > CTA_TUPLE_IP > CTA_IP_V4_SRC or
 * CTA_IP_V6_SRC), in an order the kernel does not promise, and classic
 * BPF cannot loop.  The kernel's netlink extensions do the walk for us:
 * loading SKF_AD_NLATTR with an offset in A and a type in X leaves in A
 * the offset of the first attribute of that type from there on (0 if
 * none), and SKF_AD_NLATTR_NEST does the same inside the nest at A.
 * So per tuple: find the tuple nest, its IP nest, its source address,
 * then compare the payload (4 bytes past the attribute's header) with
 * each traced address.  Loads through BPF read big-endian words, which
 * is the order addresses travel in, so the constants are the address
 * bytes read the same way.
 *
 * The program passes a message when the original source (the host
 * opened it) or the reply source (a connection to the host: a port
 * forward, or the gateway's own connection to it) is a traced address.
 * Anything else, other hosts' events above all, never reaches natd.
 * Every jump must fit in 8 bits: past that, the build fails and natd
 * reads the events unfiltered (it checks every message itself anyway).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <errno.h>
#include <string.h>

#include "trace.h"
#include "natd.h"

#define ATTRS_OFF	(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg)))
#define ACCEPT		0xffffffffU

struct prog {
	struct sock_filter *code;
	int		 n, max, failed;
};

static int
emit(struct prog *p, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (p->n >= p->max) {
		p->failed = 1;
		return (p->n);
	}
	p->code[p->n].code = code;
	p->code[p->n].jt = jt;
	p->code[p->n].jf = jf;
	p->code[p->n].k = k;
	return (p->n++);
}

/* Point the false branch of the jump at at to the next instruction. */
static void
patch_jf(struct prog *p, int at)
{
	int	 off = p->n - at - 1;

	if (p->failed || at >= p->max)
		return;
	if (off > 255) {
		p->failed = 1;
		return;
	}
	p->code[at].jf = (uint8_t)off;
}

/* Same for the true branch. */
static void
patch_jt(struct prog *p, int at)
{
	int	 off = p->n - at - 1;

	if (p->failed || at >= p->max)
		return;
	if (off > 255) {
		p->failed = 1;
		return;
	}
	p->code[at].jt = (uint8_t)off;
}

static uint32_t
word(const uint8_t *b)
{
	return ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3]);
}

/*
 * With A holding the offset of a tuple's IP nest (saved in M[0]): the
 * source address of family, compared with each traced one.
 */
static void
emit_source(struct prog *p, const struct trace_addr *addrs, int n,
    int family)
{
	int	 i, w, missing, cnt = 0, skip[4];

	for (i = 0; i < n; i++)
		if (addrs[i].family == family)
			cnt++;
	if (cnt == 0)
		return;
	emit(p, BPF_LD | BPF_MEM, 0, 0, 0);
	emit(p, BPF_LDX | BPF_IMM, 0, 0, family == AF_INET ?
	    CTA_IP_V4_SRC : CTA_IP_V6_SRC);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_AD_OFF +
	    SKF_AD_NLATTR_NEST);
	/* jt patched below: no such attribute, skip the comparisons. */
	missing = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	emit(p, BPF_MISC | BPF_TAX, 0, 0, 0);
	for (i = 0; i < n; i++) {
		if (addrs[i].family != family)
			continue;
		if (family == AF_INET) {
			emit(p, BPF_LD | BPF_W | BPF_IND, 0, 0, NLA_HDRLEN);
			emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1,
			    word(addrs[i].addr));
			emit(p, BPF_RET | BPF_K, 0, 0, ACCEPT);
			continue;
		}
		for (w = 0; w < 4; w++) {
			emit(p, BPF_LD | BPF_W | BPF_IND, 0, 0,
			    NLA_HDRLEN + 4 * w);
			skip[w] = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0,
			    word(addrs[i].addr + 4 * w));
		}
		emit(p, BPF_RET | BPF_K, 0, 0, ACCEPT);
		for (w = 0; w < 4; w++)
			patch_jf(p, skip[w]);
	}
	patch_jt(p, missing);
}

/* One tuple (CTA_TUPLE_ORIG or CTA_TUPLE_REPLY): its source addresses. */
static void
emit_tuple(struct prog *p, const struct trace_addr *addrs, int n, int tuple)
{
	int	 no_tuple, no_ip;

	emit(p, BPF_LD | BPF_IMM, 0, 0, ATTRS_OFF);
	emit(p, BPF_LDX | BPF_IMM, 0, 0, tuple);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_AD_OFF + SKF_AD_NLATTR);
	no_tuple = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	emit(p, BPF_LDX | BPF_IMM, 0, 0, CTA_TUPLE_IP);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, SKF_AD_OFF +
	    SKF_AD_NLATTR_NEST);
	no_ip = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0);
	emit(p, BPF_ST, 0, 0, 0);
	emit_source(p, addrs, n, AF_INET);
	emit_source(p, addrs, n, AF_INET6);
	patch_jt(p, no_tuple);
	patch_jt(p, no_ip);
}

/*
 * Build the filter for the traced addrs into code[0..max): the number of
 * instructions, or -E2BIG when it does not fit (too many addresses for
 * 8-bit jumps or for max), -EINVAL with no address.
 */
int
ctfilter_build(const struct trace_addr *addrs, int n,
    struct sock_filter *code, int max)
{
	struct prog	 p = { code, 0, max, 0 };

	if (n <= 0)
		return (-EINVAL);
	emit_tuple(&p, addrs, n, CTA_TUPLE_ORIG);
	emit_tuple(&p, addrs, n, CTA_TUPLE_REPLY);
	emit(&p, BPF_RET | BPF_K, 0, 0, 0);
	if (p.failed || p.n > BPF_MAXINSNS)
		return (-E2BIG);
	return (p.n);
}
