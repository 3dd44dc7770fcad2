/*
 * SPDX-License-Identifier: ISC
 *
 * natd.c: main() of homegw-natd: options, setup order, loop and shutdown,
 * nothing else.  The order matters: conntrack accounting before any rule
 * creates flows, the rules before forwarding is turned on (so nothing is
 * ever forwarded un-NATed), the event subscription before the dump (so no
 * flow falls between them).  A plain restart loads the same table again
 * in one transaction and never removes it, so NAT has no gap.
 */
#include <sys/types.h>
#include <linux/capability.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"
#include "state.h"
#include "natd.h"

#define USAGE	"[-fhnvV] [-c file]"

/* Start natd: see the order in the comment above. */
int
main(int argc, char **argv)
{
	static const int caps[] = { CAP_NET_ADMIN };
	struct natd	 n;
	struct hgw_daemon d = {
		.name = "natd", .usage = USAGE, .reload = engine_reload,
		.flush = engine_flush, .status = engine_status, .arg = &n,
		.reopen = engine_reopen,
	};
	struct hgw_conf	*conf;
	struct in_addr	 lan;
	char		*errors = NULL, sock[PATH_MAX];

	memset(&n, 0, sizeof(n));
	n.ip_forward = -1;
	n.d = &d;
	daemon_init(&d, argc, argv);
	conf = d.conf;
	if (rules_check(conf, &errors) < 0) {
		fputs(errors, stderr);
		daemon_fatal_config("%s: configuration refused (the lines "
		    "above say why): fix them, check with \"homegwctl "
		    "check-config\", then restart", conf->path);
	}

	daemon_open_state(&d);
	lan.s_addr = conf->lan.addr.s_addr;
	if ((n.mirror = mirror_new(conf->nat.max_flows, lan,
	    conf->lan.plen)) == NULL)
		fatal("mirror");
	if ((n.publish = publish_new(&d, n.mirror)) == NULL)
		fatalx("cannot prepare the conntrack mirror's writes");
	if ((n.kernel = kernel_open(d.base, engine_flow_cb, engine_resync_cb,
	    &n)) == NULL)
		fatal("cannot open nftables and conntrack netlink");

	if (kernel_sysctl_on("net/netfilter/nf_conntrack_acct") < 0)
		log_warnx("conntrack accounting is off: byte counts stay 0 "
		    "(set net.netfilter.nf_conntrack_acct=1)");
	if (kernel_sysctl_on("net/netfilter/nf_conntrack_timestamp") < 0)
		log_info("conntrack timestamps are off: first seen is when "
		    "natd saw a flow (set net.netfilter.nf_conntrack_timestamp=1)");
	engine_probe_offload(&n);
	if (engine_rules_apply(&n, conf) < 0)
		fatalx("cannot load the NAT rules");

	if (daemon_drop_privileges(&d, caps, 1) < 0)
		fatalx("cannot drop privileges");
	if (engine_start(&n) < 0)
		fatalx("cannot mirror the conntrack table");
	if (snprintf(sock, sizeof(sock), "%s/%s", conf->gateway.run_dir,
	    NATD_SOCKET) >= (int)sizeof(sock))
		sock[0] = '\0';
	if ((n.control = control_open(&n, sock)) == NULL)
		log_warn("control socket \"%s\" not available", sock);
	if ((n.ctrace = ctrace_new(&n)) == NULL)
		log_warnx("traces not available: out of memory");

	daemon_start(&d);
	event_base_dispatch(d.base);
	daemon_stop(&d);

	control_close(n.control);
	ctrace_free(n.ctrace);
	engine_stop(&n);
	kernel_close(n.kernel);
	publish_free(n.publish);
	mirror_free(n.mirror);
	state_close(d.persist);
	state_close(d.live);
	event_base_free(d.base);
	conf_free(d.conf);
	return (0);
}
