/*
 * SPDX-License-Identifier: ISC
 *
 * setup.h: "homegwctl setup", the first run.  ctl_setup.c holds the
 * command (options, questions, the order of the steps); setup_plan.c the
 * pure decisions (which interface is the LAN, which prefix overlaps
 * nothing) and the parsers of the system's files and command outputs;
 * setup_conf.c the editing of homegw.conf as text, keeping its comments;
 * setup_sys.c everything that reads the running system or changes it.
 * Only setup_sys.c touches the system, so the rest is unit-tested with
 * given inputs.
 */
#ifndef HGW_SETUP_H
#define HGW_SETUP_H

#include <sys/types.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

#include "addr.h"

#define SETUP_IF_MAX		64
#define SETUP_ADDR_MAX		16
#define SETUP_ROUTE_MAX		512
#define SETUP_TEXT_MAX		(4 * 1024 * 1024)	/* files, outputs */

struct setup_addr4 {
	struct in_addr		 addr;
	int			 plen;
};

/* One network interface as setup shows and judges it. */
struct setup_iface {
	char			 name[IF_NAMESIZE];
	int			 up;		/* administratively up */
	int			 carrier;	/* a cable, a link partner */
	int			 loopback;
	int			 wireless;
	int			 bridge;	/* is a bridge itself */
	int			 physical;	/* backed by a device */
	int			 type;		/* ARPHRD_*, 1 = Ethernet */
	char			 master[IF_NAMESIZE];	/* port of this bridge */
	int			 has_mac;
	uint8_t			 mac[ADDR_MAC_LEN];
	struct setup_addr4	 addr4[SETUP_ADDR_MAX];
	int			 naddr4;
	char			 addr6[SETUP_ADDR_MAX][INET6_ADDRSTRLEN + 4];
	int			 naddr6;
	int			 default_route;	/* carries an IPv4 default route */
	uint32_t		 default_metric;
};

/* An IPv4 route of the main table. */
struct setup_route {
	char			 ifname[IF_NAMESIZE];
	struct in_addr		 dst;
	int			 plen;
	uint32_t		 metric;
};

struct setup_net {
	struct setup_iface	 ifs[SETUP_IF_MAX];
	int			 nifs;
	struct setup_route	 routes[SETUP_ROUTE_MAX];
	int			 nroutes;
};

/* setup_plan.c */
struct setup_iface *plan_iface(struct setup_net *, const char *name);
int	 plan_route_add(struct setup_net *, const char *ifname,
	    struct in_addr dst, int plen, uint32_t metric);
int	 plan_parse_routes(struct setup_net *, const char *proc_net_route);
int	 plan_pick_wan(const struct setup_net *);
int	 plan_lan_unfit(const struct setup_iface *, char *why, size_t len);
int	 plan_pick_lan(const struct setup_net *, int wan);
int	 plan_overlap(const struct setup_net *, const char *lan,
	    struct in_addr addr, int plen, char *why, size_t len);
int	 plan_propose_prefix(const struct setup_net *, const char *lan,
	    struct in_addr *ret_addr, int *ret_plen);
int	 plan_check_lan_address(struct in_addr addr, int plen, char *why,
	    size_t len);
int	 plan_port_inodes(const char *proc_net, int tcp, uint16_t port,
	    unsigned long *inodes, int max);
int	 plan_nft_nat_tables(const char *ruleset, char tables[][128],
	    int max);
int	 plan_iptables_nat_rules(const char *save, char rules[][256], int max);
int	 plan_ifupdown_stanza(const char *text, const char *ifname);
int	 plan_dhcpcd_denies(const char *text, const char *ifname);
int	 plan_dnsmasq_dhcp(const char *text);
int	 plan_resolv_nameservers(const char *text, char *out, size_t len);
int	 plan_pem_to_der(const char *pem, uint8_t **ret_der, size_t *ret_len);

/* setup_conf.c */
char	*confedit_set(const char *text, const char *section, const char *key,
	    const char *value);
int	 confedit_get(const char *text, const char *section, const char *key,
	    char *buf, size_t len);

/* setup_sys.c */
int	 sys_read_net(struct setup_net *);
char	*sys_read_file(const char *path);
int	 sys_run(const char *const argv[], char **ret_output);
int	 sys_socket_pid(unsigned long inode, pid_t *ret_pid);
int	 sys_proc_comm(pid_t, char *buf, size_t len);
int	 sys_proc_unit(pid_t, char *buf, size_t len);
int	 sys_find_proc(const char *comm, pid_t *ret_pid);
int	 sys_write_file(const char *path, const char *text, mode_t mode,
	    uid_t uid, gid_t gid);
int	 sys_random_password(char *buf, size_t len);

#endif /* HGW_SETUP_H */
