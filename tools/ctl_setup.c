/*
 * SPDX-License-Identifier: ISC
 *
 * ctl_setup.c: "homegwctl setup", the first run of a gateway.  Shows the
 * interfaces, proposes the WAN, the LAN and a LAN prefix that overlaps
 * nothing, sets the status page's password, finds the programs that would
 * fight homegw for port 53, for the interfaces or for NAT (and does the
 * safe fixes when asked), writes homegw.conf keeping its comments, checks
 * it as check-config does, then starts homegw.target and waits until
 * every enabled daemon runs.  Asks its questions on the terminal; --yes
 * takes every proposal.  The decisions are in setup_plan.c, the edits of
 * the file in setup_conf.c, the system calls in setup_sys.c.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "addr.h"
#include "conf.h"
#include "state.h"
#include "tlsfp.h"
#include "ctl.h"
#include "setup.h"

int	ctl_setup(struct ctl *, int, char **);

#define SETUP_USAGE "usage: homegwctl setup [-c file] [--lan if] [--wan if] " \
	"[--lan-address addr/plen]\n" \
	"\t[--wan-address addr/plen] [--wan-gateway addr] " \
	"[--upstream addr[:port],...]\n" \
	"\t[--name name] [--password-file file | --generate-password] " \
	"[--yes]\n\t[--no-start] [--fix]\n"

#define SETUP_WAIT_S		60	/* for the daemons to run */
#define SETUP_CONFLICT_MAX	32
#define SETUP_PASSWD_MAX	512

/* The fixes setup may do itself: the safe ones (see homegwctl(8)). */
enum fix_kind {
	FIX_NONE,		/* only the owner can decide */
	FIX_RESOLVED_STUB,	/* DNSStubListener=no, restart resolved */
	FIX_DISABLE_UNIT,	/* systemctl disable --now arg */
	FIX_NM_UNMANAGED	/* NetworkManager leaves the interfaces */
};

struct conflict {
	char		 what[512];	/* what fights homegw, and for what */
	char		 todo[1024];	/* the commands that end it */
	enum fix_kind	 fix;
	char		 arg[128];
	char		 ifs[2][IF_NAMESIZE];	/* NetworkManager's */
	int		 nifs;
	int		 fixed;
};

struct setup {
	struct ctl	*c;
	int		 yes, no_start, fix, generate;
	const char	*opt_lan, *opt_wan, *opt_lan_address;
	const char	*opt_wan_address, *opt_wan_gateway, *opt_upstream;
	const char	*opt_name, *opt_password_file;

	struct setup_net net;
	char		*text;		/* the config, as it is being edited */
	char		*orig;		/* as it was */
	int		 written;
	int		 exists;
	struct stat	 st;

	char		 lan[IF_NAMESIZE], wan[IF_NAMESIZE];
	struct in_addr	 lan_addr;
	int		 lan_plen;
	char		 upstream[512];
	char		 hash[256];	/* a new password_hash, or "" */
	char		 shown[64];	/* a generated password to print */

	struct conflict	 conflicts[SETUP_CONFLICT_MAX];
	int		 nconflicts;
};

static int	same_as_example(const char *);
static int	effective_value(const struct hgw_conf *, const char *,
		    const char *, char *, size_t);
static void	say(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));

/* Append s to buf of size len, truncating. */
static void
append(char *buf, size_t len, const char *s)
{
	size_t	 used = strlen(buf);

	if (used + 1 < len)
		snprintf(buf + used, len - used, "%s", s);
}

static void
say(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* Read one answer line; -1 at end of input. */
static int
read_answer(char *buf, size_t len)
{
	size_t	 n;

	if (fgets(buf, (int)len, stdin) == NULL)
		return (-1);
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return (0);
}

/*
 * Ask a question with a proposal in brackets; an empty answer takes it.
 * With --yes, the proposal is taken and shown.  -1 when standard input
 * ends before an answer.
 */
static int
ask(struct setup *s, const char *question, const char *proposal, char *buf,
    size_t len)
{
	char	 line[512], *p, *e;

	if (s->yes) {
		say("%s: %s\n", question, proposal[0] ? proposal : "(none)");
		snprintf(buf, len, "%s", proposal);
		return (0);
	}
	say("%s [%s]: ", question, proposal);
	if (read_answer(line, sizeof(line)) < 0) {
		say("\n");
		fprintf(stderr, "homegwctl: setup: no answer (standard input "
		    "ended); answer the questions, or run with --yes to take "
		    "every proposal\n");
		return (-1);
	}
	/* Surrounding blanks are never meant. */
	p = line + strspn(line, " \t");
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	snprintf(buf, len, "%s", *p != '\0' ? p : proposal);
	return (0);
}

/*
 * Ask for an interface until one is named.  With nothing to propose,
 * --yes cannot go on (why_none says what to do); on a terminal the
 * question is asked again after the hint.
 */
static int
ask_iface(struct setup *s, const char *question, const char *proposal,
    char *buf, size_t len, const char *why_none, const char *hint)
{
	for (;;) {
		if (ask(s, question, proposal, buf, len) < 0)
			return (-1);
		if (buf[0] != '\0')
			return (0);
		if (s->yes) {
			fprintf(stderr, "homegwctl: setup: %s\n", why_none);
			return (-1);
		}
		say("%s\n", hint);
	}
}

/* A yes/no question: 1 yes, 0 no, -1 at end of input. */
static int
confirm(struct setup *s, const char *question, int proposal)
{
	char	 buf[16];

	for (;;) {
		if (ask(s, question, proposal ? "yes" : "no", buf,
		    sizeof(buf)) < 0)
			return (-1);
		if (buf[0] == 'y' || buf[0] == 'Y')
			return (1);
		if (buf[0] == 'n' || buf[0] == 'N')
			return (0);
		say("Please answer yes or no.\n");
	}
}

static struct termios	 saved_tty;

/*
 * Interrupted while echo is off (^C at "New password:"), the terminal
 * would stay silent after we are gone: put it back, then die of the
 * signal as we would have.  tcsetattr() is async-signal-safe.
 */
static void
restore_tty(int sig)
{
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Read a line from the terminal without echo. */
static int
read_noecho(const char *prompt, char *buf, size_t len)
{
	struct termios	 quiet;
	int		 r, tty = isatty(STDIN_FILENO);

	say("%s", prompt);
	if (tty) {
		if (tcgetattr(STDIN_FILENO, &saved_tty) < 0)
			return (-1);
		quiet = saved_tty;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		signal(SIGINT, restore_tty);
		signal(SIGTERM, restore_tty);
		signal(SIGHUP, restore_tty);
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0)
			return (-1);
	}
	r = read_answer(buf, len);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		say("\n");
	}
	return (r);
}

static const char *
fmt_prefix(struct in_addr a, int plen, char *buf, size_t len)
{
	char	 s[INET_ADDRSTRLEN];

	snprintf(buf, len, "%s/%d", addr_fmt_ip4(a, s), plen);
	return (buf);
}

/* The interface table a newcomer reads to recognise the cables. */
static void
show_interfaces(struct setup *s)
{
	char	 mac[ADDR_MAC_STRLEN], a[INET_ADDRSTRLEN], note[128];
	int	 i, k;

	say("Network interfaces found:\n");
	say("  %-12s %-11s %-18s %s\n", "NAME", "LINK", "MAC", "ADDRESSES");
	for (i = 0; i < s->net.nifs; i++) {
		const struct setup_iface *ifp = &s->net.ifs[i];

		if (ifp->loopback)
			continue;
		say("  %-12s %-11s %-18s ", ifp->name, !ifp->up ? "down" :
		    ifp->carrier ? "up" : "no carrier",
		    ifp->has_mac ? addr_fmt_mac(ifp->mac, mac) : "-");
		for (k = 0; k < ifp->naddr4; k++)
			say("%s%s/%d", k ? ", " : "",
			    addr_fmt_ip4(ifp->addr4[k].addr, a),
			    ifp->addr4[k].plen);
		for (k = 0; k < ifp->naddr6; k++)
			say("%s%s", k || ifp->naddr4 ? ", " : "",
			    ifp->addr6[k]);
		if (ifp->naddr4 + ifp->naddr6 == 0)
			say("-");
		note[0] = '\0';
		if (ifp->default_route)
			snprintf(note, sizeof(note), "default route");
		else if (ifp->master[0] != '\0')
			snprintf(note, sizeof(note), "port of %s", ifp->master);
		else if (ifp->wireless)
			snprintf(note, sizeof(note), "wireless");
		else if (ifp->bridge)
			snprintf(note, sizeof(note), "bridge");
		say("%s%s%s\n", note[0] ? "  (" : "", note, note[0] ? ")" : "");
	}
	say("\n");
}

/* Is name an interface setup may use as role ("LAN", "WAN")?  0 or -1. */
static int
check_iface(struct setup *s, const char *name, const char *role)
{
	struct setup_iface	*ifp;

	if (name[0] == '\0' || strlen(name) >= IF_NAMESIZE) {
		fprintf(stderr, "homegwctl: setup: \"%s\" is not an interface "
		    "name\n", name);
		return (-1);
	}
	if ((ifp = plan_iface(&s->net, name)) == NULL) {
		fprintf(stderr, "homegwctl: setup: there is no interface "
		    "\"%s\" on this machine; the interfaces are listed above; "
		    "choose one of them as the %s\n", name, role);
		return (-1);
	}
	if (ifp->loopback) {
		fprintf(stderr, "homegwctl: setup: %s is the loopback "
		    "interface and cannot be the %s\n", name, role);
		return (-1);
	}
	if (ifp->master[0] != '\0') {
		fprintf(stderr, "homegwctl: setup: %s is a port of %s, which "
		    "carries its traffic: name %s as the %s instead\n", name,
		    ifp->master, ifp->master, role);
		return (-1);
	}
	return (0);
}

/* The WAN: --wan, or the proposal, or the owner's answer. */
static int
choose_wan(struct setup *s)
{
	char	 answer[IF_NAMESIZE + 64], cur[IF_NAMESIZE + 8] = "";
	int	 w;

	confedit_get(s->text, "wan", "interface", cur, sizeof(cur));
	if (s->opt_wan != NULL) {
		snprintf(answer, sizeof(answer), "%s", s->opt_wan);
	} else {
		w = plan_pick_wan(&s->net);
		if (w >= 0)
			say("Proposed WAN (towards the internet): %s, which "
			    "has the default route.\n", s->net.ifs[w].name);
		else if (cur[0] != '\0' && plan_iface(&s->net, cur) != NULL)
			say("No interface has a default route; the config "
			    "names %s as the WAN.\n", cur);
		if (ask_iface(s, "WAN interface", w >= 0 ?
		    s->net.ifs[w].name : cur, answer, sizeof(answer),
		    "no interface has a default route, so there is no WAN "
		    "to propose: connect the WAN cable (or bring the modem's "
		    "link up) and run setup again, or name it with --wan",
		    "Type the name of the interface towards the internet.") <
		    0)
			return (-1);
	}
	if (check_iface(s, answer, "WAN") < 0)
		return (-1);
	snprintf(s->wan, sizeof(s->wan), "%.15s", answer);
	return (0);
}

/*
 * A static WAN address and gateway (--wan-address, --wan-gateway): valid,
 * the gateway inside the prefix, and counted as an address of the WAN
 * from now on, so that the LAN prefix proposed or given cannot overlap
 * it even before addrd has set it.
 */
static int
check_wan_static(struct setup *s)
{
	struct setup_iface	*ifp = plan_iface(&s->net, s->wan);
	struct in_addr		 a, gw;
	int			 plen;

	if (s->opt_wan_address == NULL) {
		if (s->opt_wan_gateway != NULL) {
			fprintf(stderr, "homegwctl: setup: --wan-gateway "
			    "needs --wan-address (a static WAN address and "
			    "its default route go together)\n");
			return (-1);
		}
		return (0);
	}
	if (addr_parse_prefix4(s->opt_wan_address, &a, &plen) < 0 ||
	    plen < 8 || plen > 32) {
		fprintf(stderr, "homegwctl: setup: --wan-address \"%s\" is "
		    "not an IPv4 address with a prefix length, such as "
		    "203.0.113.2/24\n", s->opt_wan_address);
		return (-1);
	}
	if (s->opt_wan_gateway != NULL) {
		if (addr_parse_ip4(s->opt_wan_gateway, &gw) < 0) {
			fprintf(stderr, "homegwctl: setup: --wan-gateway "
			    "\"%s\" is not an IPv4 address\n",
			    s->opt_wan_gateway);
			return (-1);
		}
		if (!addr_in_prefix4(gw, a, plen) || gw.s_addr == a.s_addr) {
			fprintf(stderr, "homegwctl: setup: the WAN gateway %s "
			    "must be another address inside %s\n",
			    s->opt_wan_gateway, s->opt_wan_address);
			return (-1);
		}
	}
	if (ifp != NULL && ifp->naddr4 < SETUP_ADDR_MAX) {
		ifp->addr4[ifp->naddr4].addr = a;
		ifp->addr4[ifp->naddr4++].plen = plen;
	}
	return (0);
}

/* The LAN: --lan, or the proposal, or the owner's answer. */
static int
choose_lan(struct setup *s)
{
	struct setup_iface	*ifp;
	char			 answer[IF_NAMESIZE + 64], why[160];
	char			 proposal[IF_NAMESIZE] = "", cur[64] = "";
	int			 wan, l, i;

	if (s->opt_lan != NULL)
		snprintf(answer, sizeof(answer), "%s", s->opt_lan);
	else {
		wan = -1;
		for (i = 0; i < s->net.nifs; i++)
			if (strcmp(s->net.ifs[i].name, s->wan) == 0)
				wan = i;
		/* Run again, the configured LAN stays the proposal. */
		l = -1;
		if (s->exists && !same_as_example(s->text) &&
		    confedit_get(s->text, "lan", "interface", cur,
		    sizeof(cur)) == 0)
			for (i = 0; i < s->net.nifs; i++)
				if (i != wan && !s->net.ifs[i].loopback &&
				    s->net.ifs[i].master[0] == '\0' &&
				    strcmp(s->net.ifs[i].name, cur) == 0)
					l = i;
		if (l >= 0) {
			snprintf(proposal, sizeof(proposal), "%.15s", cur);
			say("Proposed LAN (your home network): %s, as the "
			    "configuration says.\n", proposal);
		} else if ((l = plan_pick_lan(&s->net, wan)) >= 0) {
			snprintf(proposal, sizeof(proposal), "%s",
			    s->net.ifs[l].name);
			say("Proposed LAN (your home network): %s, %s.\n",
			    proposal, s->net.ifs[l].carrier ?
			    "an Ethernet-like interface with a link" :
			    "an Ethernet-like interface (no link yet: plug "
			    "in the LAN switch or a computer)");
		}
		for (i = 0; i < s->net.nifs; i++) {
			if (i == wan || i == l || s->net.ifs[i].loopback ||
			    !plan_lan_unfit(&s->net.ifs[i], why, sizeof(why)))
				continue;
			say("  not proposed: %s, %s\n", s->net.ifs[i].name,
			    why);
		}
		if (ask_iface(s, "LAN interface", proposal, answer,
		    sizeof(answer), "no interface besides the WAN can be the "
		    "LAN: plug in a second Ethernet port (a USB adapter works) "
		    "and run setup again, or name one with --lan",
		    "Type the name of the interface towards your home "
		    "network.") < 0)
			return (-1);
	}
	if (check_iface(s, answer, "LAN") < 0)
		return (-1);
	if (strcmp(answer, s->wan) == 0) {
		fprintf(stderr, "homegwctl: setup: %s cannot be both the LAN "
		    "and the WAN: a gateway routes between two interfaces; "
		    "name another one\n", answer);
		return (-1);
	}
	ifp = plan_iface(&s->net, answer);
	if (ifp->wireless)
		say("Note: %s is wireless; homegw does not run an access "
		    "point, so it must already be one.\n", answer);
	snprintf(s->lan, sizeof(s->lan), "%.15s", answer);
	return (0);
}

/* Parse and judge a LAN address; 0 or -1 after saying why. */
static int
check_lan_address(struct setup *s, const char *text)
{
	struct in_addr	 a;
	char		 why[256];
	int		 plen;

	if (addr_parse_prefix4(text, &a, &plen) < 0) {
		fprintf(stderr, "homegwctl: setup: \"%s\" is not an IPv4 "
		    "address with a prefix length, such as "
		    "192.168.10.1/24\n", text);
		return (-1);
	}
	if (plan_check_lan_address(a, plen, why, sizeof(why)) < 0) {
		fprintf(stderr, "homegwctl: setup: %s cannot be the LAN "
		    "address: %s\n", text, why);
		return (-1);
	}
	if (plan_overlap(&s->net, s->lan, a, plen, why, sizeof(why))) {
		fprintf(stderr, "homegwctl: setup: %s overlaps %s: hosts "
		    "there and on the LAN could not be told apart; choose "
		    "another prefix (setup proposes one when --lan-address "
		    "is left out)\n", text, why);
		return (-1);
	}
	s->lan_addr = a;
	s->lan_plen = plen;
	return (0);
}

/* The LAN address: --lan-address, or a prefix that overlaps nothing. */
static int
choose_lan_address(struct setup *s)
{
	struct in_addr	 a;
	char		 proposal[32] = "", answer[64], cur[64] = "";
	int		 plen;

	if (s->opt_lan_address != NULL)
		return (check_lan_address(s, s->opt_lan_address));
	/* Rerunning setup keeps the address the LAN's hosts know. */
	confedit_get(s->text, "lan", "address", cur, sizeof(cur));
	if (cur[0] != '\0' && addr_parse_prefix4(cur, &a, &plen) == 0 &&
	    !plan_overlap(&s->net, s->lan, a, plen, answer, sizeof(answer)) &&
	    plan_check_lan_address(a, plen, answer, sizeof(answer)) == 0 &&
	    s->exists && !same_as_example(s->text))
		fmt_prefix(a, plen, proposal, sizeof(proposal));
	else if (plan_propose_prefix(&s->net, s->lan, &a, &plen) == 0)
		fmt_prefix(a, plen, proposal, sizeof(proposal));
	if (proposal[0] != '\0')
		say("Proposed LAN address: %s (the gateway's address; LAN "
		    "hosts use it as their router and DNS server; it overlaps "
		    "no address or route on this machine).\n", proposal);
	for (;;) {
		if (ask(s, "LAN address and prefix length", proposal, answer,
		    sizeof(answer)) < 0)
			return (-1);
		if (answer[0] == '\0') {
			fprintf(stderr, "homegwctl: setup: every "
			    "192.168.X.0/24 is in use on this machine; name "
			    "a LAN address with --lan-address\n");
			return (-1);
		}
		if (check_lan_address(s, answer) == 0)
			return (0);
		if (s->yes || s->opt_lan_address != NULL)
			return (-1);
	}
}

/* Upstream DNS servers: --upstream, the config's, or the machine's. */
static int
choose_upstream(struct setup *s)
{
	struct hgw_conf	*check;
	char		 proposal[512] = "", answer[512], *text, *conf;
	const char	*why = NULL;

	if (s->opt_upstream != NULL) {
		snprintf(s->upstream, sizeof(s->upstream), "%s",
		    s->opt_upstream);
		goto check;
	}
	if (confedit_get(s->text, "dns", "upstream", proposal,
	    sizeof(proposal)) == 0 && proposal[0] != '\0')
		why = "those of the configuration";
	/* A local stub forwards to these: the machine's real servers. */
	if (why == NULL && ((text = sys_read_file(
	    "/run/systemd/resolve/resolv.conf")) != NULL ||
	    (text = sys_read_file("/etc/resolv.conf")) != NULL)) {
		if (plan_resolv_nameservers(text, proposal,
		    sizeof(proposal)) > 0)
			why = "this machine's DNS servers (resolv.conf)";
		free(text);
	}
	if (why == NULL) {
		snprintf(proposal, sizeof(proposal),
		    "9.9.9.9, 149.112.112.112");
		why = "Quad9's public servers, as no other is known";
	}
	say("Proposed upstream DNS servers: %s, %s.\n", proposal, why);
	if (ask(s, "Upstream DNS servers", proposal, answer,
	    sizeof(answer)) < 0)
		return (-1);
	snprintf(s->upstream, sizeof(s->upstream), "%s", answer);
 check:
	/* The parser says what a bad list is wrong with, with its words. */
	if (asprintf(&conf, "[lan]\ninterface = x\naddress = 10.0.0.1/24\n"
	    "[dns]\nupstream = %s\n", s->upstream) < 0)
		return (-1);
	check = conf_load_string(conf, "--upstream", &text);
	free(conf);
	if (check == NULL) {
		fprintf(stderr, "homegwctl: setup: \"%s\" is not a list of "
		    "DNS servers (ADDRESS[:PORT], comma-separated): %s",
		    s->upstream, text != NULL ? text : "\n");
		free(text);
		return (-1);
	}
	conf_free(check);
	return (0);
}

/* Is text the shipped example, unchanged in its keys? */
static int
same_as_example(const char *text)
{
	char	 v[64];

	return (confedit_get(text, "lan", "interface", v, sizeof(v)) == 0 &&
	    strcmp(v, "eth0") == 0 &&
	    confedit_get(text, "lan", "address", v, sizeof(v)) == 0 &&
	    strcmp(v, "192.168.1.1/24") == 0 &&
	    confedit_get(text, "web", "password_hash", v, sizeof(v)) < 0);
}

/*
 * Run over SSH through the LAN interface, the session rides on an
 * address homegw is about to replace: say so before it drops, and where
 * to connect next.
 */
static void
warn_ssh(struct setup *s)
{
	const char		*env = getenv("SSH_CONNECTION");
	struct setup_iface	*ifp;
	struct in_addr		 a;
	char			 srv[64], lan[INET_ADDRSTRLEN];
	int			 k;

	if (env == NULL || sscanf(env, "%*s %*s %63s", srv) != 1 ||
	    inet_pton(AF_INET, srv, &a) != 1 ||
	    (ifp = plan_iface(&s->net, s->lan)) == NULL ||
	    a.s_addr == s->lan_addr.s_addr)
		return;
	for (k = 0; k < ifp->naddr4; k++)
		if (ifp->addr4[k].addr.s_addr == a.s_addr)
			break;
	if (k == ifp->naddr4)
		return;
	say("Note: this SSH session reaches %s on %s, the LAN interface; "
	    "when homegw takes %s over, connect again to %s from a LAN "
	    "host.\n", srv, s->lan, s->lan, addr_fmt_ip4(s->lan_addr, lan));
}

/* Hash pw into s->hash with the code "homegwctl passwd" uses. */
static int
set_hash(struct setup *s, const char *pw)
{
	if (pw[0] == '\0' || strlen(pw) > SETUP_PASSWD_MAX) {
		fprintf(stderr, "homegwctl: setup: the password must have 1 "
		    "to %d characters\n", SETUP_PASSWD_MAX);
		return (-1);
	}
	if (hash_password(pw, s->hash, sizeof(s->hash)) < 0) {
		fprintf(stderr, "homegwctl: setup: crypt(3) cannot make a "
		    "yescrypt hash on this system\n");
		return (-1);
	}
	return (0);
}

/*
 * The status page's password: from --password-file (its first line), or
 * generated (--generate-password, or --yes with none set yet), or asked
 * twice without echo.  An existing password is kept unless one of the
 * options is given or the owner asks to change it.
 */
static int
choose_password(struct setup *s)
{
	char	 pw[SETUP_PASSWD_MAX + 2], again[SETUP_PASSWD_MAX + 2];
	char	 cur[256] = "", *text;
	int	 r = -1, tries, has;

	has = confedit_get(s->text, "web", "password_hash", cur,
	    sizeof(cur)) == 0 && cur[0] != '\0';
	if (s->opt_password_file != NULL) {
		if ((text = sys_read_file(s->opt_password_file)) == NULL) {
			fprintf(stderr, "homegwctl: setup: cannot read the "
			    "password file %s: %s\n", s->opt_password_file,
			    strerror(errno));
			return (-1);
		}
		text[strcspn(text, "\r\n")] = '\0';
		r = set_hash(s, text);
		explicit_bzero(text, strlen(text));
		free(text);
		if (r == 0)
			say("Password: read from %s.\n", s->opt_password_file);
		return (r);
	}
	if (!s->generate && has) {
		say("A password for the status page is already set.\n");
		if (s->yes)
			return (0);
		switch (confirm(s, "Change it?", 0)) {
		case -1:
			return (-1);
		case 0:
			return (0);
		}
	}
	if (s->generate || s->yes) {
		if (sys_random_password(s->shown, sizeof(s->shown)) < 0) {
			fprintf(stderr, "homegwctl: setup: cannot get random "
			    "bytes for a password: %s\n", strerror(errno));
			return (-1);
		}
		say("Password: generated; it is printed at the end.\n");
		return (set_hash(s, s->shown));
	}
	say("Choose the password of the status page (leave it empty to have "
	    "one generated).\n");
	for (tries = 0; tries < 3; tries++) {
		if (read_noecho("New password: ", pw, sizeof(pw)) < 0)
			goto eof;
		if (pw[0] == '\0') {
			if (sys_random_password(s->shown,
			    sizeof(s->shown)) < 0)
				return (-1);
			say("Password: generated; it is printed at the "
			    "end.\n");
			return (set_hash(s, s->shown));
		}
		if (read_noecho("Again: ", again, sizeof(again)) < 0)
			goto eof;
		if (strcmp(pw, again) == 0) {
			r = set_hash(s, pw);
			break;
		}
		say("The two passwords differ; once more.\n");
	}
	if (tries == 3)
		fprintf(stderr, "homegwctl: setup: the passwords differed "
		    "three times; run setup again\n");
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(again, sizeof(again));
	return (r);
 eof:
	explicit_bzero(pw, sizeof(pw));
	fprintf(stderr, "homegwctl: setup: no password given (standard "
	    "input ended); use --password-file or --generate-password\n");
	return (-1);
}

static struct conflict *
conflict_add(struct setup *s, enum fix_kind fix, const char *arg)
{
	struct conflict	*k;

	if (s->nconflicts == SETUP_CONFLICT_MAX)
		return (NULL);
	k = &s->conflicts[s->nconflicts++];
	memset(k, 0, sizeof(*k));
	k->fix = fix;
	snprintf(k->arg, sizeof(k->arg), "%s", arg != NULL ? arg : "");
	return (k);
}

/* Does the dnsmasq here hand out addresses (which homegw does not)? */
static int
dnsmasq_serves_dhcp(void)
{
	char	*text, **p, path[PATH_MAX];
	int	 r = 0;
	static const char *const files[] = { "/etc/dnsmasq.conf", NULL };
	DIR	*d;
	struct dirent *de;

	for (p = (char **)files; *p != NULL && !r; p++)
		if ((text = sys_read_file(*p)) != NULL) {
			r = plan_dnsmasq_dhcp(text);
			free(text);
		}
	if (!r && (d = opendir("/etc/dnsmasq.d")) != NULL) {
		while (!r && (de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/etc/dnsmasq.d/%s",
			    de->d_name);
			if ((text = sys_read_file(path)) != NULL) {
				r = plan_dnsmasq_dhcp(text);
				free(text);
			}
		}
		closedir(d);
	}
	return (r);
}

/*
 * The systemd service whose main process pid is, into buf; "" when it is
 * none.  The cgroup alone is not enough: a program started by hand from
 * a service's shell (a CI runner, a login) sits in that service's cgroup,
 * and disabling that service would be the wrong advice.
 */
static void
unit_of(pid_t pid, char *buf, size_t len)
{
	const char	*argv[] = { "systemctl", "show", "-p", "MainPID",
			    "--value", buf, NULL };
	char		*out = NULL;

	if (sys_proc_unit(pid, buf, len) < 0 ||
	    sys_run(argv, &out) != 0 || out == NULL ||
	    strtol(out, NULL, 10) != (long)pid)
		buf[0] = '\0';
	free(out);
}

static uint16_t
ep_port(const struct hgw_endpoint *ep)
{
	if (ep->ss.ss_family == AF_INET)
		return (ntohs(((const struct sockaddr_in *)&ep->ss)->sin_port));
	return (ntohs(((const struct sockaddr_in6 *)&ep->ss)->sin6_port));
}

/*
 * A process holds a port and address a homegw daemon needs: what it is
 * and what ends it.  where is "127.0.0.1:53" and the like.
 */
static void
conflict_port(struct setup *s, pid_t pid, const char *comm,
    const char *where, const char *daemon)
{
	struct conflict	*k;
	char		 unit[128] = "";

	unit_of(pid, unit, sizeof(unit));
	if (strcmp(comm, "systemd-resolve") == 0) {
		if ((k = conflict_add(s, FIX_RESOLVED_STUB, NULL)) == NULL)
			return;
		snprintf(k->what, sizeof(k->what), "systemd-resolved's stub "
		    "listener (pid %ld) holds %s, which %s needs", (long)pid,
		    where, daemon);
		snprintf(k->todo, sizeof(k->todo), "mkdir -p "
		    "/etc/systemd/resolved.conf.d\n"
		    "printf '[Resolve]\\nDNSStubListener=no\\n' > "
		    "/etc/systemd/resolved.conf.d/homegw.conf\n"
		    "ln -sf ../run/systemd/resolve/resolv.conf "
		    "/etc/resolv.conf   # only if it points at the stub\n"
		    "systemctl restart systemd-resolved");
		return;
	}
	if (strcmp(comm, "dnsmasq") == 0 && unit[0] != '\0' &&
	    !dnsmasq_serves_dhcp()) {
		if ((k = conflict_add(s, FIX_DISABLE_UNIT, unit)) == NULL)
			return;
		snprintf(k->what, sizeof(k->what), "dnsmasq (pid %ld, %s) "
		    "holds %s; %s replaces it as the LAN's DNS server",
		    (long)pid, unit, where, daemon);
		snprintf(k->todo, sizeof(k->todo), "systemctl disable --now "
		    "%s", unit);
		return;
	}
	if ((k = conflict_add(s, FIX_NONE, NULL)) == NULL)
		return;
	if (strcmp(comm, "dnsmasq") == 0 && unit[0] != '\0')
		snprintf(k->what, sizeof(k->what), "dnsmasq (pid %ld, %s) "
		    "holds %s, and it also hands out addresses (dhcp-range), "
		    "which homegw does not: give the LAN hosts fixed "
		    "addresses, or keep dnsmasq for DHCP only with port=0 in "
		    "its config", (long)pid, unit, where);
	else if (strcmp(comm, "pihole-FTL") == 0)
		snprintf(k->what, sizeof(k->what), "Pi-hole (pihole-FTL, pid "
		    "%ld) holds %s; %s is the LAN's DNS server and has "
		    "blocklists of its own; Pi-hole's lists and settings are "
		    "yours to keep or drop", (long)pid, where, daemon);
	else
		snprintf(k->what, sizeof(k->what), "%s (pid %ld%s%s) holds "
		    "%s, which %s needs", comm, (long)pid, unit[0] ? ", " : "",
		    unit, where, daemon);
	if (unit[0] != '\0')
		snprintf(k->todo, sizeof(k->todo), "systemctl disable --now "
		    "%s", unit);
	else
		snprintf(k->todo, sizeof(k->todo), "kill %ld   # and stop "
		    "whatever starts %s", (long)pid, comm);
}

/*
 * Who holds, on an address that clashes, a port one of daemon's listen
 * endpoints needs (UDP or TCP, IPv4 or IPv6).  A listener on another
 * address of the same port does not fight: systemd-resolved's stub on
 * 127.0.0.53 and homegw-dnsd on 127.0.0.1 live side by side.  pids[]
 * collects who was reported, so that each process is named once.
 */
static void
find_port(struct setup *s, const struct hgw_endpoint *eps, unsigned int neps,
    uint16_t port, const char *daemon, pid_t *pids, int *npids)
{
	static const char *const files[] = { "/proc/net/udp",
	    "/proc/net/tcp", "/proc/net/udp6", "/proc/net/tcp6" };
	struct setup_sock	 socks[64];
	struct conflict		*k;
	char			*text, comm[64], a[INET6_ADDRSTRLEN];
	char			 where[INET6_ADDRSTRLEN + 16];
	size_t			 f;
	unsigned int		 e;
	pid_t			 pid;
	int			 n, i, j, clash;

	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		if ((text = sys_read_file(files[f])) == NULL)
			continue;	/* no IPv6, for one */
		n = plan_port_sockets(text, strstr(files[f], "tcp") != NULL,
		    port, socks, 64);
		free(text);
		for (i = 0; i < n; i++) {
			for (e = 0, clash = 0; e < neps && !clash; e++)
				clash = ep_port(&eps[e]) == port &&
				    plan_sock_clashes(&socks[i], &eps[e]);
			plan_sock_addr(&socks[i], a, sizeof(a));
			snprintf(where, sizeof(where), socks[i].family ==
			    AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
			if (sys_socket_pid(socks[i].inode, &pid) < 0) {
				if (!clash || (k = conflict_add(s, FIX_NONE,
				    NULL)) == NULL)
					continue;
				snprintf(k->what, sizeof(k->what), "A socket "
				    "on %s (%s, inode %lu) belongs to no "
				    "process this command can see", where,
				    files[f] + 10, socks[i].inode);
				snprintf(k->todo, sizeof(k->todo), "ss -lnup "
				    "'sport = %u'; ss -lntp 'sport = %u'   "
				    "# find it, then stop it", port, port);
				continue;
			}
			if (sys_proc_comm(pid, comm, sizeof(comm)) < 0 ||
			    strcmp(comm, daemon) == 0)
				continue;	/* homegw itself, running */
			for (j = 0; j < *npids; j++)
				if (pids[j] == pid)
					break;
			if (j < *npids || *npids == 64)
				continue;
			pids[(*npids)++] = pid;
			if (clash)
				conflict_port(s, pid, comm, where, daemon);
			else
				say("Note: %s (pid %ld) listens on %s, which "
				    "%s does not use; it can stay.\n", comm,
				    (long)pid, where, daemon);
		}
	}
}

/* The ports of homegw-dnsd and homegw-webd, then Pi-hole, running or not. */
static void
find_ports(struct setup *s, const struct hgw_conf *conf)
{
	struct hgw_endpoint web[CONF_LIST_MAX * 2];
	pid_t		 pids[64], pid;
	struct conflict	*k;
	char		 list[1024], *t, *save = NULL;
	unsigned int	 i, l, nweb = 0;
	uint16_t	 port;
	int		 npids = 0, j;

	for (i = 0; i < conf->dns.nlisten; i++) {
		port = ep_port(&conf->dns.listen[i]);
		for (l = 0; l < i; l++)
			if (ep_port(&conf->dns.listen[l]) == port)
				break;
		if (l == i)
			find_port(s, conf->dns.listen, conf->dns.nlisten, port,
			    "homegw-dnsd", pids, &npids);
	}
	/* webd's listen list, and its plain-HTTP one where it has it. */
	for (i = 0; i < conf->web.nlisten && nweb < CONF_LIST_MAX * 2; i++)
		web[nweb++] = conf->web.listen[i];
	if (effective_value(conf, "web", "http_listen", list, sizeof(list)) == 0)
		for (t = strtok_r(list, ", \t", &save); t != NULL &&
		    nweb < CONF_LIST_MAX * 2; t = strtok_r(NULL, ", \t", &save))
			if (addr_parse_endpoint(t, 80, &web[nweb]) == 0)
				nweb++;
	for (i = 0; i < nweb; i++) {
		port = ep_port(&web[i]);
		for (l = 0; l < i; l++)
			if (ep_port(&web[l]) == port)
				break;
		if (l == i)
			find_port(s, web, nweb, port, "homegw-webd", pids,
			    &npids);
	}
	/* Pi-hole not on a port right now still runs a competing gateway. */
	if (sys_find_proc("pihole-FTL", &pid) == 0) {
		for (j = 0; j < npids; j++)
			if (pids[j] == pid)
				return;
		if ((k = conflict_add(s, FIX_NONE, NULL)) == NULL)
			return;
		snprintf(k->what, sizeof(k->what), "Pi-hole (pihole-FTL, pid "
		    "%ld) runs: it takes port 53 when it restarts",
		    (long)pid);
		snprintf(k->todo, sizeof(k->todo), "systemctl disable --now "
		    "pihole-FTL");
	}
}

/* NetworkManager: is the device managed (nmcli's state not "unmanaged")? */
static int
nm_manages(const char *ifname)
{
	const char	*argv[] = { "nmcli", "-t", "-f", "DEVICE,STATE",
		    "device", NULL };
	char	*out, *line, *save = NULL, *colon;
	int	 r = 1;

	if (sys_run(argv, &out) != 0) {
		free(out);
		return (1);	/* it runs: assume it manages everything */
	}
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		if (strcmp(line, ifname) == 0) {
			r = strcmp(colon + 1, "unmanaged") != 0;
			break;
		}
	}
	free(out);
	return (r);
}

/*
 * The programs that would configure the interface under homegw-addrd:
 * NetworkManager, dhcpcd, systemd-networkd, ifupdown.  The LAN always;
 * the WAN only when homegw sets its address (otherwise the DHCP client
 * there is how the WAN gets its address, and that is fine).
 */
static void
find_managers(struct setup *s, const char *ifname)
{
	struct conflict	*k;
	char		*text, *p, path[PATH_MAX], file[PATH_MAX];
	unsigned int	 idx;
	int		 named, named_this;
	pid_t		 pid;
	int		 line, i;
	DIR		*d;
	struct dirent	*de;

	if (sys_find_proc("NetworkManager", &pid) == 0 && nm_manages(ifname)) {
		/* One file names both interfaces: add to an earlier one. */
		for (i = 0; i < s->nconflicts; i++)
			if (s->conflicts[i].fix == FIX_NM_UNMANAGED)
				break;
		if (i < s->nconflicts)
			k = &s->conflicts[i];
		else if ((k = conflict_add(s, FIX_NM_UNMANAGED, NULL)) == NULL)
			return;
		if (k->nifs < 2)
			snprintf(k->ifs[k->nifs++], IF_NAMESIZE, "%s", ifname);
		snprintf(k->arg, sizeof(k->arg), "interface-name:%s%s%s",
		    k->ifs[0], k->nifs > 1 ? ";interface-name:" : "",
		    k->nifs > 1 ? k->ifs[1] : "");
		snprintf(k->what, sizeof(k->what), "NetworkManager manages "
		    "%s%s%s: it would replace the addresses homegw-addrd "
		    "keeps there", k->ifs[0], k->nifs > 1 ? " and " : "",
		    k->nifs > 1 ? k->ifs[1] : "");
		snprintf(k->todo, sizeof(k->todo), "printf "
		    "'[keyfile]\\nunmanaged-devices=%s\\n' > "
		    "/etc/NetworkManager/conf.d/90-homegw.conf\n"
		    "nmcli general reload conf\n"
		    "nmcli device set %s managed no%s%s%s", k->arg, k->ifs[0],
		    k->nifs > 1 ? "\nnmcli device set " : "",
		    k->nifs > 1 ? k->ifs[1] : "", k->nifs > 1 ? " managed no" :
		    "");
	}
	if (sys_find_proc("dhcpcd", &pid) == 0) {
		snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
		named = named_this = 0;
		if ((text = sys_read_file(path)) != NULL) {
			/*
			 * NUL-separated arguments: a dhcpcd given interfaces
			 * manages only those, else every one.
			 */
			for (p = text; *p != '\0'; p += strlen(p) + 1) {
				if (plan_iface(&s->net, p) == NULL)
					continue;
				named = 1;
				named_this |= strcmp(p, ifname) == 0;
			}
			free(text);
		}
		text = sys_read_file("/etc/dhcpcd.conf");
		if ((!named || named_this) &&
		    (text == NULL || !plan_dhcpcd_denies(text, ifname)) &&
		    (k = conflict_add(s, FIX_NONE, NULL)) != NULL) {
			snprintf(k->what, sizeof(k->what), "dhcpcd (pid %ld) "
			    "configures %s: it would add and remove "
			    "addresses there", (long)pid, ifname);
			snprintf(k->todo, sizeof(k->todo), "echo "
			    "'denyinterfaces %s' >> /etc/dhcpcd.conf\n"
			    "systemctl restart dhcpcd   # from the console: "
			    "an SSH session through %s may drop", ifname,
			    ifname);
		}
		free(text);
	}
	if (sys_find_proc("systemd-network", &pid) == 0 &&
	    (idx = if_nametoindex(ifname)) != 0) {
		snprintf(path, sizeof(path), "/run/systemd/netif/links/%u",
		    idx);
		if ((text = sys_read_file(path)) != NULL) {
			file[0] = '\0';
			if ((p = strstr(text, "NETWORK_FILE=")) != NULL)
				snprintf(file, sizeof(file), "%.*s",
				    (int)strcspn(p + 13, "\n"), p + 13);
			if (strstr(text, "ADMIN_STATE=unmanaged") == NULL &&
			    strstr(text, "ADMIN_STATE=") != NULL &&
			    (k = conflict_add(s, FIX_NONE, NULL)) != NULL) {
				snprintf(k->what, sizeof(k->what),
				    "systemd-networkd configures %s%s%s",
				    ifname, file[0] ? " from " : "", file);
				snprintf(k->todo, sizeof(k->todo), "remove %s "
				    "(or make its [Match] leave %s out)\n"
				    "networkctl reload",
				    file[0] ? file : "the .network file that "
				    "matches it", ifname);
			}
			free(text);
		}
	}
	/* ifupdown: the main file and what it usually sources. */
	if (access("/sbin/ifup", X_OK) != 0 && access("/usr/sbin/ifup",
	    X_OK) != 0)
		return;
	snprintf(file, sizeof(file), "/etc/network/interfaces");
	d = opendir("/etc/network/interfaces.d");
	for (;;) {
		if ((text = sys_read_file(file)) != NULL) {
			line = plan_ifupdown_stanza(text, ifname);
			free(text);
			if (line > 0 &&
			    (k = conflict_add(s, FIX_NONE, NULL)) != NULL) {
				snprintf(k->what, sizeof(k->what), "ifupdown "
				    "configures %s (%s, line %d)", ifname,
				    file, line);
				snprintf(k->todo, sizeof(k->todo), "in %s, "
				    "line %d: remove the stanza of %s, or make "
				    "it \"iface %s inet manual\" (homegw sets "
				    "the address)", file, line, ifname, ifname);
			}
		}
		if (d == NULL || (de = readdir(d)) == NULL)
			break;
		while (de != NULL && de->d_name[0] == '.')
			de = readdir(d);
		if (de == NULL)
			break;
		snprintf(file, sizeof(file), "/etc/network/interfaces.d/%s",
		    de->d_name);
	}
	if (d != NULL)
		closedir(d);
}

/* Another ruleset that already does NAT: nftables, iptables. */
static void
find_nat(struct setup *s)
{
	const char		*nft[] = { "nft", "list", "ruleset", NULL };
	const char		*ipt[] = { "iptables-save", "-t", "nat",
				    NULL };
	char		 tables[8][128], rules[16][256], fam[32], name[64];
	char		*out;
	struct conflict	*k;
	int		 n, i, nrules = 0;

	out = NULL;
	if (sys_run(ipt, &out) == 0) {
		nrules = plan_iptables_nat_rules(out, rules, 16);
		if (nrules > 0 && (k = conflict_add(s, FIX_NONE, NULL)) !=
		    NULL) {
			snprintf(k->what, sizeof(k->what), "iptables has %d "
			    "NAT rule%s (iptables-save -t nat); homegw-natd "
			    "does the NAT in its own nftables table, and two "
			    "NAT rulesets fight over each connection",
			    nrules, nrules > 1 ? "s" : "");
			for (i = 0; i < nrules; i++) {
				size_t used = strlen(k->todo);

				/* -A CHAIN ... becomes -D CHAIN ... */
				snprintf(k->todo + used, sizeof(k->todo) -
				    used, "%siptables -t nat -D %s", i ? "\n" :
				    "", rules[i] + 3);
			}
			append(k->todo, sizeof(k->todo), "\n# and remove "
			    "them from where they are restored at boot "
			    "(/etc/iptables/rules.v4)");
		}
	}
	free(out);
	out = NULL;
	if (sys_run(nft, &out) != 0) {
		free(out);
		return;
	}
	n = plan_nft_nat_tables(out, tables, 8);
	free(out);
	for (i = 0; i < n; i++) {
		if (sscanf(tables[i], "%31s %63s", fam, name) != 2)
			continue;
		/* iptables-nft's own table: reported above, by rule. */
		if (nrules > 0 && strcmp(name, "nat") == 0 &&
		    (strcmp(fam, "ip") == 0 || strcmp(fam, "ip6") == 0))
			continue;
		if ((k = conflict_add(s, FIX_NONE, NULL)) == NULL)
			return;
		snprintf(k->what, sizeof(k->what), "The nftables table "
		    "\"%.127s\" does NAT (masquerade or snat); homegw-natd "
		    "does the NAT in table inet homegw, and two NAT rulesets "
		    "fight over each connection", tables[i]);
		snprintf(k->todo, sizeof(k->todo), "nft delete table %.127s\n"
		    "# and remove it from /etc/nftables.conf (or wherever "
		    "it is loaded at boot)", tables[i]);
	}
}

/* Run a command for a fix or a start, showing it first. */
static int
run_shown(const char *const argv[])
{
	int	 i, r;

	say("  #");
	for (i = 0; argv[i] != NULL; i++)
		say(" %s", argv[i]);
	say("\n");
	if ((r = sys_run(argv, NULL)) != 0)
		fprintf(stderr, "homegwctl: setup: \"%s\" %s %d\n", argv[0],
		    r == 127 ? "is not installed: exit status" :
		    "failed with exit status", r);
	return (r);
}

static int
write_small(const char *dir, const char *path, const char *text)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return (-1);
	return (sys_write_file(path, text, 0644, 0, 0));
}

/* Do one safe fix; 0 when it is done. */
static int
fix_one(struct conflict *k)
{
	char	 path[PATH_MAX], text[512];
	ssize_t	 n;
	int	 i;

	switch (k->fix) {
	case FIX_RESOLVED_STUB: {
		const char *restart[] = { "systemctl", "restart",
		    "systemd-resolved", NULL };

		if (write_small("/etc/systemd/resolved.conf.d",
		    "/etc/systemd/resolved.conf.d/homegw.conf", "# Written by "
		    "homegwctl setup: homegw-dnsd answers on port 53.\n"
		    "[Resolve]\nDNSStubListener=no\n") < 0) {
			fprintf(stderr, "homegwctl: setup: cannot write "
			    "/etc/systemd/resolved.conf.d/homegw.conf: %s\n",
			    strerror(errno));
			return (-1);
		}
		/* The stub's resolv.conf would point at nothing. */
		if ((n = readlink("/etc/resolv.conf", path,
		    sizeof(path) - 1)) > 0) {
			path[n] = '\0';
			if (strstr(path, "stub-resolv.conf") != NULL &&
			    (unlink("/etc/resolv.conf") < 0 ||
			    symlink("../run/systemd/resolve/resolv.conf",
			    "/etc/resolv.conf") < 0))
				fprintf(stderr, "homegwctl: setup: cannot "
				    "point /etc/resolv.conf past the stub: "
				    "%s\n", strerror(errno));
		}
		return (run_shown(restart) == 0 ? 0 : -1);
	}
	case FIX_DISABLE_UNIT: {
		const char *disable[] = { "systemctl", "disable", "--now",
		    k->arg, NULL };

		return (run_shown(disable) == 0 ? 0 : -1);
	}
	case FIX_NM_UNMANAGED: {
		const char *reload[] = { "nmcli", "general", "reload", "conf",
		    NULL };
		const char *set[] = { "nmcli", "device", "set", NULL, "managed",
		    "no", NULL };

		snprintf(text, sizeof(text), "# Written by homegwctl setup: "
		    "homegw-addrd keeps the addresses of these.\n[keyfile]\n"
		    "unmanaged-devices=%s\n", k->arg);
		if (write_small("/etc/NetworkManager/conf.d",
		    "/etc/NetworkManager/conf.d/90-homegw.conf", text) < 0) {
			fprintf(stderr, "homegwctl: setup: cannot write "
			    "/etc/NetworkManager/conf.d/90-homegw.conf: %s\n",
			    strerror(errno));
			return (-1);
		}
		if (run_shown(reload) != 0)
			return (-1);
		for (i = 0; i < k->nifs; i++) {
			set[3] = k->ifs[i];
			if (run_shown(set) != 0)
				return (-1);
		}
		return (0);
	}
	case FIX_NONE:
		break;
	}
	return (-1);
}

/*
 * Find what fights homegw, say what to do about each, and do the safe
 * fixes with --fix or when the owner agrees.  Returns how many remain.
 */
static int
conflicts(struct setup *s, const struct hgw_conf *conf)
{
	struct conflict	*k;
	int		 i, nsafe = 0, left = 0, doit;

	find_ports(s, conf);
	find_managers(s, s->lan);
	if (s->opt_wan_address != NULL)
		find_managers(s, s->wan);
	find_nat(s);
	if (s->nconflicts == 0) {
		say("Nothing else on this machine competes with homegw for "
		    "its ports, the interfaces or NAT.\n\n");
		return (0);
	}
	say("\nWhat would fight homegw, and what to do:\n");
	for (i = 0; i < s->nconflicts; i++) {
		char	*line, *save = NULL, todo[sizeof(k->todo)];

		k = &s->conflicts[i];
		say("%d. %s.\n   %s\n", i + 1, k->what, k->fix != FIX_NONE ?
		    "Safe to fix now (setup can do it):" : "To do, by you:");
		snprintf(todo, sizeof(todo), "%s", k->todo);
		for (line = strtok_r(todo, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			say("     %s\n", line);
		nsafe += k->fix != FIX_NONE;
	}
	if (nsafe > 0) {
		if (s->fix)
			doit = 1;
		else if (s->yes) {
			doit = 0;
			say("(--fix would do the safe fixes.)\n");
		} else if ((doit = confirm(s, "Do the safe fixes now?",
		    1)) < 0)
			return (-1);
		for (i = 0; doit && i < s->nconflicts; i++) {
			k = &s->conflicts[i];
			if (k->fix == FIX_NONE)
				continue;
			say("Fixing %d:\n", i + 1);
			k->fixed = fix_one(k) == 0;
		}
	}
	for (i = 0; i < s->nconflicts; i++)
		left += !s->conflicts[i].fixed;
	say("\n");
	return (left);
}

/* Replace old (an address) by new in a listen list; NULL if unchanged. */
static char *
listen_moved(const char *list, const char *old, const char *new)
{
	char	 out[1024] = "", tmp[1024], *t, *save = NULL;
	size_t	 n = strlen(old);
	int	 changed = 0;

	snprintf(tmp, sizeof(tmp), "%s", list);
	for (t = strtok_r(tmp, ", \t", &save); t != NULL;
	    t = strtok_r(NULL, ", \t", &save)) {
		if (out[0] != '\0')
			append(out, sizeof(out), ", ");
		if (strncmp(t, old, n) == 0 && (t[n] == '\0' || t[n] == ':')) {
			append(out, sizeof(out), new);
			append(out, sizeof(out), t + n);
			changed = 1;
		} else
			append(out, sizeof(out), t);
	}
	return (changed ? strdup(out) : NULL);
}

static int
edit(struct setup *s, const char *section, const char *key, const char *v)
{
	char	*t;

	if ((t = confedit_set(s->text, section, key, v)) == NULL)
		return (-1);
	free(s->text);
	s->text = t;
	return (0);
}

/*
 * Put the answers into the config text: only the keys setup sets change,
 * every other line stays.  The result must pass the check of
 * check-config.  Returns the config it makes, or NULL after saying why.
 */
static struct hgw_conf *
edit_config(struct setup *s)
{
	static const char *const listens[][2] = { { "dns", "listen" },
	    { "web", "listen" } };
	struct hgw_conf	*conf;
	char		*errors = NULL, *moved, cur[1024];
	char		 lan[32], old[64], olda[INET_ADDRSTRLEN];
	char		 newa[INET_ADDRSTRLEN], *slash;
	size_t		 i;

	if ((s->orig = strdup(s->text)) == NULL)
		return (NULL);
	old[0] = '\0';
	confedit_get(s->text, "lan", "address", old, sizeof(old));
	fmt_prefix(s->lan_addr, s->lan_plen, lan, sizeof(lan));
	if (edit(s, "lan", "interface", s->lan) < 0 ||
	    edit(s, "lan", "address", lan) < 0 ||
	    edit(s, "wan", "interface", s->wan) < 0 ||
	    (s->opt_wan_address != NULL &&
	    edit(s, "wan", "address", s->opt_wan_address) < 0) ||
	    (s->opt_wan_gateway != NULL &&
	    edit(s, "wan", "gateway", s->opt_wan_gateway) < 0) ||
	    edit(s, "dns", "upstream", s->upstream) < 0 ||
	    (s->opt_name != NULL && edit(s, "gateway", "name",
	    s->opt_name) < 0) ||
	    (s->hash[0] != '\0' && edit(s, "web", "password_hash",
	    s->hash) < 0))
		goto fail;
	/* Listen lines that named the old LAN address follow the new one. */
	if ((slash = strchr(old, '/')) != NULL)
		*slash = '\0';
	addr_fmt_ip4(s->lan_addr, newa);
	snprintf(olda, sizeof(olda), "%s", old);
	for (i = 0; olda[0] != '\0' && strcmp(olda, newa) != 0 &&
	    i < sizeof(listens) / sizeof(listens[0]); i++) {
		if (confedit_get(s->text, listens[i][0], listens[i][1], cur,
		    sizeof(cur)) < 0 ||
		    (moved = listen_moved(cur, olda, newa)) == NULL)
			continue;
		say("[%s] %s named the old LAN address: now %s.\n",
		    listens[i][0], listens[i][1], moved);
		if (edit(s, listens[i][0], listens[i][1], moved) < 0) {
			free(moved);
			goto fail;
		}
		free(moved);
	}

	/* The same check as "homegwctl check-config". */
	if ((conf = conf_load_string(s->text, s->c->conf_path,
	    &errors)) == NULL) {
		fprintf(stderr, "homegwctl: setup: the new configuration "
		    "would not be valid, so %s was left as it is:\n%s"
		    "Correct those lines (or the answers) and run setup "
		    "again.\n", s->c->conf_path, errors != NULL ? errors : "");
		free(errors);
		return (NULL);
	}
	return (conf);
 fail:
	fprintf(stderr, "homegwctl: setup: out of memory\n");
	return (NULL);
}

/*
 * Replace the file by the edited text, atomically; a new file is 0640
 * root:homegw, an existing one keeps its mode and owner.  0, or -1 after
 * saying why.
 */
static int
write_config(struct setup *s)
{
	struct group	*gr;
	mode_t		 mode = 0640;
	uid_t		 uid = 0;
	gid_t		 gid = 0;

	if (s->exists && strcmp(s->orig, s->text) == 0) {
		say("Configuration: %s already says all that; unchanged.\n",
		    s->c->conf_path);
		return (0);
	}
	gr = getgrnam("homegw");
	if (s->exists) {
		mode = s->st.st_mode & 07777;
		uid = s->st.st_uid;
		gid = s->st.st_gid;
		/*
		 * The file holds the password hash: an older install left it
		 * readable by every user.  The daemons read it through the
		 * homegw group, so that group keeps read access.
		 */
		if ((mode & 007) != 0 && gr != NULL && geteuid() == 0) {
			mode = (mode & ~(mode_t)007) | 040;
			gid = gr->gr_gid;
			say("%s was readable by every user; now only by root "
			    "and the homegw group (mode %04o).\n",
			    s->c->conf_path, (unsigned int)mode);
		}
	} else if (gr != NULL)
		gid = gr->gr_gid;
	if (sys_write_file(s->c->conf_path, s->text, mode, uid, gid) < 0) {
		fprintf(stderr, "homegwctl: setup: cannot write %s: %s%s\n",
		    s->c->conf_path, strerror(errno), errno == EACCES ||
		    errno == EPERM ? " (run setup as root)" : "");
		return (-1);
	}
	say("Configuration written to %s (configuration OK).\n",
	    s->c->conf_path);
	return (0);
}

/* Which daemons the owner left enabled (a disabled one is not awaited). */
static int
daemon_enabled(const char *name)
{
	char		 unit[64], *out;
	const char	*argv[] = { "systemctl", "is-enabled", unit, NULL };
	int		 r;

	snprintf(unit, sizeof(unit), "homegw-%s.service", name);
	if (sys_run(argv, &out) < 0 || out == NULL)
		return (1);
	r = strncmp(out, "disabled", 8) != 0 && strncmp(out, "masked", 6) != 0;
	free(out);
	return (r);
}

/*
 * Does a daemons row in live.db show a running daemon?  The rule of
 * "homegwctl status": the process exists (EPERM: it exists, as another
 * user) and its heartbeat is at most STATE_HEARTBEAT_STALE_S old.  And,
 * so that a row left by the run before does not count, it started at or
 * after since.
 */
static int
daemon_running(int64_t pid, int64_t started, int64_t heartbeat,
    int64_t since, int64_t now)
{
	if (pid <= 0 || pid > INT32_MAX ||
	    (kill((pid_t)pid, 0) < 0 && errno != EPERM))
		return (0);
	return (started >= since && now - heartbeat <= STATE_HEARTBEAT_STALE_S);
}

/* Read which daemons run into ok[] (STATE_NDAEMONS entries). */
static void
daemons_poll(const char *live, int64_t since, int *ok)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	const char	*name;
	int64_t		 now = state_now();
	int		 i;

	memset(ok, 0, STATE_NDAEMONS * sizeof(*ok));
	/* Not there yet until the first daemon has made it. */
	if (state_open(live, HGW_DB_LIVE, 1, &db) < 0)
		return;
	if (sqlite3_prepare_v2(db, "SELECT name, pid, started, heartbeat "
	    "FROM daemons", -1, &st, NULL) != SQLITE_OK) {
		state_close(db);
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		if ((name = (const char *)sqlite3_column_text(st, 0)) == NULL)
			continue;
		for (i = 0; i < STATE_NDAEMONS; i++)
			if (strcmp(name, state_daemons[i]) == 0)
				ok[i] = daemon_running(
				    sqlite3_column_int64(st, 1),
				    sqlite3_column_int64(st, 2),
				    sqlite3_column_int64(st, 3), since, now);
	}
	sqlite3_finalize(st);
	state_close(db);
}

/*
 * Wait until every enabled daemon runs (polling live.db twice a second
 * for at most SETUP_WAIT_S).  0, or -1 after naming the ones that do
 * not run and where to see why.
 */
static int
wait_daemons(struct hgw_conf *conf, int64_t since)
{
	char		 path[PATH_MAX], waiting[256], unit[64];
	const char	*status[] = { "systemctl", "--no-pager", "--lines=8",
			    "status", unit, NULL };
	int		 want[STATE_NDAEMONS], ok[STATE_NDAEMONS];
	int		 i, n, left, tick, shown = -1;

	for (i = 0; i < STATE_NDAEMONS; i++)
		want[i] = daemon_enabled(state_daemons[i]);
	conf_live_db(conf, path, sizeof(path));
	for (tick = 0; tick <= SETUP_WAIT_S * 2; tick++) {
		daemons_poll(path, since, ok);
		waiting[0] = '\0';
		for (i = 0, left = 0; i < STATE_NDAEMONS; i++) {
			if (!want[i] || ok[i])
				continue;
			append(waiting, sizeof(waiting), " ");
			append(waiting, sizeof(waiting), state_daemons[i]);
			left++;
		}
		if (left == 0) {
			for (i = 0, n = 0; i < STATE_NDAEMONS; i++)
				n += want[i];
			say("All %d enabled daemons run.\n", n);
			return (0);
		}
		if (left != shown) {
			say("Waiting for:%s\n", waiting);
			shown = left;
		}
		usleep(500 * 1000);
	}
	fprintf(stderr, "homegwctl: setup: after %d s these daemons still "
	    "do not run:%s\n", SETUP_WAIT_S, waiting);
	/* What systemd knows of each, with its last journal lines. */
	for (i = 0; i < STATE_NDAEMONS; i++) {
		if (!want[i] || ok[i])
			continue;
		snprintf(unit, sizeof(unit), "homegw-%s.service",
		    state_daemons[i]);
		sys_run(status, NULL);
	}
	fprintf(stderr, "See more with: homegwctl status; journalctl -b -u "
	    "'homegw-*' -n 50\n");
	return (-1);
}

/*
 * systemctl daemon-reload; enable --now homegw.target, which enables every
 * daemon with it (its Also= list), or only start it when it is already
 * enabled, so that a daemon the owner disabled since stays disabled;
 * restart it when it ran, to read the new configuration; then wait.
 */
static int
start_gateway(struct hgw_conf *conf)
{
	const char	*reload[] = { "systemctl", "daemon-reload", NULL };
	const char	*active[] = { "systemctl", "is-active", "--quiet",
		    "homegw.target", NULL };
	const char	*enabled[] = { "systemctl", "is-enabled",
		    "homegw.target", NULL };
	const char	*enable[] = { "systemctl", "enable", "--now",
		    "homegw.target", NULL };
	const char	*start[] = { "systemctl", "start", "homegw.target",
		    NULL };
	const char	*restart[] = { "systemctl", "restart",
		    "homegw.target", NULL };
	char		*out = NULL;
	int64_t		 since;
	int		 was_active, was_enabled;

	if (geteuid() != 0) {
		fprintf(stderr, "homegwctl: setup: starting the gateway needs "
		    "root: run setup as root, or add --no-start and start it "
		    "later with \"systemctl enable --now homegw.target\"\n");
		return (-1);
	}
	say("Starting the gateway:\n");
	since = state_now() - 1;
	if (run_shown(reload) != 0)
		return (-1);
	was_active = sys_run(active, NULL) == 0;
	was_enabled = sys_run(enabled, &out) == 0 && out != NULL &&
	    strncmp(out, "enabled", 7) == 0;
	free(out);
	if (!was_enabled) {
		if (run_shown(enable) != 0)
			return (-1);
	} else {
		say("  (homegw.target was enabled already: a daemon you "
		    "disabled stays disabled)\n");
		if (!was_active && run_shown(start) != 0)
			return (-1);
	}
	/* A running gateway must read the new configuration. */
	if (was_active && run_shown(restart) != 0)
		return (-1);
	return (wait_daemons(conf, since));
}

static int
parse_bool(const char *v)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
		return (1);
	if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
		return (0);
	return (-1);
}

/*
 * The effective value of a key, default included, into buf: read from the
 * config's canonical print (what check-config -v shows), so that keys of
 * other parts of homegw (webd's tls, http_listen) are seen with conf.c's
 * defaults, without this file knowing their fields.  0, or -1 when this
 * build's config has no such key.
 */
static int
effective_value(const struct hgw_conf *conf, const char *section,
    const char *key, char *buf, size_t len)
{
	char	*text = NULL;
	size_t	 n = 0;
	FILE	*f;
	int	 r = -1;

	if ((f = open_memstream(&text, &n)) == NULL)
		return (-1);
	conf_print(f, conf);
	if (fclose(f) == 0 && text != NULL)
		r = confedit_get(text, section, key, buf, len);
	free(text);
	return (r);
}

/* The effective [web] tls: 1, 0, or -1 when the key does not exist. */
static int
web_tls(const struct hgw_conf *conf)
{
	char	 v[16];

	if (effective_value(conf, "web", "tls", v, sizeof(v)) < 0)
		return (-1);
	return (parse_bool(v));
}

/*
 * The page's URL and the CA's fingerprint.  HTTPS as [web] tls says or,
 * in a build without that key, when the CA webd makes exists or the page
 * listens on 443; the address is the first [web] listen address, the LAN
 * address when that is a wildcard.
 */
static void
show_page(const struct hgw_conf *conf)
{
	const struct sockaddr_in *sin;
	char			 ca[PATH_MAX + 16], a[INET_ADDRSTRLEN];
	char			 port[16] = "", fpr[TLSFP_LEN];
	unsigned int		 p;
	int			 https, has_ca, tls;

	snprintf(ca, sizeof(ca), "%s/tls/ca.crt", conf->gateway.state_dir);
	has_ca = access(ca, F_OK) == 0;
	https = has_ca;
	if (conf->web.nlisten > 0 &&
	    conf->web.listen[0].ss.ss_family == AF_INET &&
	    ep_port(&conf->web.listen[0]) == 443)
		https = 1;
	if ((tls = web_tls(conf)) >= 0)
		https = tls;
	addr_fmt_ip4(conf->lan.addr, a);
	if (conf->web.nlisten > 0 &&
	    conf->web.listen[0].ss.ss_family == AF_INET) {
		sin = (const struct sockaddr_in *)&conf->web.listen[0].ss;
		if (sin->sin_addr.s_addr != INADDR_ANY)
			addr_fmt_ip4(sin->sin_addr, a);
		/* webd serves HTTPS on 443 when told port 80 (homegw.conf(5)). */
		p = ntohs(sin->sin_port);
		if (https && p == 80)
			p = 443;
		if (p != (https ? 443 : 80))
			snprintf(port, sizeof(port), ":%u", p);
	}
	say("Status page: %s://%s%s/  (from a LAN host)\n", https ? "https" :
	    "http", a, port);
	if (!has_ca)
		return;
	/* The same code as homegwctl status and webd's log. */
	if (tls_fingerprint_file(ca, fpr, sizeof(fpr)) < 0) {
		fprintf(stderr, "homegwctl: setup: %s holds no readable "
		    "certificate\n", ca);
		return;
	}
	say("Its certificate authority: %s\n  SHA-256 fingerprint %s\n"
	    "  (compare it with what the browser shows before trusting the "
	    "CA)\n", ca, fpr);
}

/* homegwctl setup: configure the gateway and start it. */
int
ctl_setup(struct ctl *c, int argc, char **argv)
{
	enum { O_LAN = 256, O_WAN, O_LAN_ADDRESS, O_WAN_ADDRESS,
	    O_WAN_GATEWAY, O_UPSTREAM, O_NAME, O_PASSWORD_FILE, O_GENERATE,
	    O_YES, O_NO_START, O_FIX };
	static const struct option longopts[] = {
		{ "lan", required_argument, NULL, O_LAN },
		{ "wan", required_argument, NULL, O_WAN },
		{ "lan-address", required_argument, NULL, O_LAN_ADDRESS },
		{ "wan-address", required_argument, NULL, O_WAN_ADDRESS },
		{ "wan-gateway", required_argument, NULL, O_WAN_GATEWAY },
		{ "upstream", required_argument, NULL, O_UPSTREAM },
		{ "name", required_argument, NULL, O_NAME },
		{ "password-file", required_argument, NULL, O_PASSWORD_FILE },
		{ "generate-password", no_argument, NULL, O_GENERATE },
		{ "yes", no_argument, NULL, O_YES },
		{ "no-start", no_argument, NULL, O_NO_START },
		{ "fix", no_argument, NULL, O_FIX },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct setup	*s;
	struct hgw_conf	*conf = NULL;
	int		 ch, left, ret = CTL_ERROR;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		fprintf(stderr, "homegwctl: setup: out of memory\n");
		return (CTL_ERROR);
	}
	s->c = c;
	while ((ch = getopt_long(argc, argv, "c:hy", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			c->conf_path = optarg;
			break;
		case O_LAN:
			s->opt_lan = optarg;
			break;
		case O_WAN:
			s->opt_wan = optarg;
			break;
		case O_LAN_ADDRESS:
			s->opt_lan_address = optarg;
			break;
		case O_WAN_ADDRESS:
			s->opt_wan_address = optarg;
			break;
		case O_WAN_GATEWAY:
			s->opt_wan_gateway = optarg;
			break;
		case O_UPSTREAM:
			s->opt_upstream = optarg;
			break;
		case O_NAME:
			s->opt_name = optarg;
			break;
		case O_PASSWORD_FILE:
			s->opt_password_file = optarg;
			break;
		case O_GENERATE:
			s->generate = 1;
			break;
		case 'y':
		case O_YES:
			s->yes = 1;
			break;
		case O_NO_START:
			s->no_start = 1;
			break;
		case O_FIX:
			s->fix = 1;
			break;
		case 'h':
			fputs(SETUP_USAGE, stdout);
			free(s);
			return (CTL_OK);
		default:
			fputs(SETUP_USAGE, stderr);
			free(s);
			return (CTL_USAGE);
		}
	}
	if (optind != argc) {
		fputs(SETUP_USAGE, stderr);
		free(s);
		return (CTL_USAGE);
	}
	if (s->generate && s->opt_password_file != NULL) {
		fprintf(stderr, "homegwctl: setup: --password-file and "
		    "--generate-password exclude each other: choose one\n");
		free(s);
		return (CTL_USAGE);
	}

	say("homegw setup: this configures the gateway in %s%s.\n\n",
	    c->conf_path, s->no_start ? "" : " and starts it");
	if ((s->text = sys_read_file(c->conf_path)) != NULL) {
		s->exists = 1;
		if (stat(c->conf_path, &s->st) < 0)
			s->exists = 0;
	} else if (errno == ENOENT) {
		if ((s->text = strdup("# homegw.conf: written by homegwctl "
		    "setup; see homegw.conf(5) for every key.\n")) == NULL)
			goto out;
	} else {
		fprintf(stderr, "homegwctl: setup: cannot read %s: %s%s\n",
		    c->conf_path, strerror(errno), errno == EACCES ?
		    " (run setup as root)" : "");
		goto out;
	}
	if (sys_read_net(&s->net) < 0) {
		fprintf(stderr, "homegwctl: setup: cannot list the network "
		    "interfaces: %s\n", strerror(errno));
		goto out;
	}
	show_interfaces(s);
	if (choose_wan(s) < 0 || check_wan_static(s) < 0 || choose_lan(s) < 0 ||
	    choose_lan_address(s) < 0 || choose_upstream(s) < 0 ||
	    choose_password(s) < 0)
		goto out;
	warn_ssh(s);
	if ((conf = edit_config(s)) == NULL ||
	    (left = conflicts(s, conf)) < 0 || write_config(s) < 0)
		goto out;
	s->written = 1;
	if (left > 0) {
		if (left == 1)
			fprintf(stderr, "homegwctl: setup: the configuration "
			    "is written, but the problem above remains%s; "
			    "resolve it, then run \"homegwctl setup\" "
			    "again\n", s->no_start ? "" :
			    ", so the gateway was not started");
		else
			fprintf(stderr, "homegwctl: setup: the configuration "
			    "is written, but %d problems above remain%s; "
			    "resolve them, then run \"homegwctl setup\" "
			    "again\n", left, s->no_start ? "" :
			    ", so the gateway was not started");
		goto out;
	}
	if (s->no_start) {
		say("Not started (--no-start); start it with: systemctl "
		    "enable --now homegw.target\n");
		show_page(conf);
	} else {
		if (start_gateway(conf) < 0)
			goto out;
		say("\nhomegw runs.\n");
		show_page(conf);
	}
	if (s->shown[0] != '\0')
		say("Password of the status page: %s\n  (generated: keep it "
		    "somewhere safe; \"homegwctl passwd\" changes it)\n",
		    s->shown);
	ret = CTL_OK;
 out:
	if (ret != CTL_OK && s->shown[0] != '\0' && s->written)
		say("Password of the status page, as written in the "
		    "configuration: %s\n", s->shown);
	conf_free(conf);
	explicit_bzero(s->shown, sizeof(s->shown));
	free(s->orig);
	free(s->text);
	free(s);
	return (ret);
}
