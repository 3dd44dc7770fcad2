/*
 * SPDX-License-Identifier: ISC
 *
 * ctl_block_check.c: "homegwctl block check NAME [--client ADDR]": is a
 * name blocked for a client, and by which entry of which list.  It reads
 * the config and the lists as homegw-dnsd does (common/blockconf.c), so
 * the verdict is dnsd's; then it reads the deciding list once more to
 * find the entry's line.  Reads files only; changes nothing.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blockconf.h"
#include "blockfile.h"
#include "blocklist.h"
#include "conf.h"
#include "ctl.h"

int	ctl_block_check(struct ctl *, int, char **);

/* The entry to find in a list, and where it was found. */
struct find {
	char		 name[BL_DOMAIN_MAX + 1];
	enum bl_kind	 kind;
	int		 allow;
	unsigned long	 line;
};

static int
find_cb(void *arg, const struct bl_entry *e)
{
	struct find	*f = arg;

	if (e->kind != f->kind || (e->allow != 0) != f->allow ||
	    strcmp(e->name, f->name) != 0)
		return (0);
	f->line = e->line;
	return (-1);		/* found: stop */
}

/* The last depth labels of name (lower case, no final dot). */
static void
suffix(const char *name, int depth, char *out, size_t len)
{
	size_t	 n = strlen(name), i;
	int	 seen = 0;

	if (n > 0 && name[n - 1] == '.')
		n--;
	for (i = n; i > 0; i--)
		if (name[i - 1] == '.' && ++seen == depth)
			break;
	snprintf(out, len, "%.*s", (int)(n - i), name + i);
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
}

/* An entry as a list would write it: "d", "||d^", "*.d", "@@||d^". */
static void
entry_text(const struct find *f, char *buf, size_t len)
{
	switch (f->kind) {
	case BL_SUBTREE:
		snprintf(buf, len, "%s||%s^", f->allow ? "@@" : "", f->name);
		break;
	case BL_BELOW:
		snprintf(buf, len, "%s*.%s", f->allow ? "@@" : "", f->name);
		break;
	default:
		snprintf(buf, len, "%s%s", f->allow ? "@@" : "", f->name);
	}
}

/*
 * Where entry f of list id comes from: "file:line", or the config key
 * for the owner's entries there.
 */
static void
locate(const struct hgw_conf *conf, const struct blockconf_list *l, int id,
    struct find *f, char *where, size_t len)
{
	struct bl_parse_stats	 st;
	FILE			*fp;
	const char		*d;
	unsigned int		 i, n;

	f->line = 0;
	if (id == BL_LIST_OWN) {
		n = f->allow ? conf->dns.nblock_allow : conf->dns.nblock_deny;
		for (i = 0; i < n; i++) {
			d = f->allow ? conf->dns.block_allow[i] :
			    conf->dns.block_deny[i];
			if ((f->kind == BL_BELOW && strncmp(d, "*.", 2) == 0 &&
			    strcmp(d + 2, f->name) == 0) ||
			    (f->kind == BL_SUBTREE && strcmp(d, f->name) == 0)) {
				snprintf(where, len, "%s [dns] %s",
				    conf->path, f->allow ? "block_allow" :
				    "block_deny");
				return;
			}
		}
	}
	memset(&st, 0, sizeof(st));
	if ((fp = fopen(l->path, "r")) != NULL) {
		(void)bl_parse_stream(fp, l->path, find_cb, f, &st);
		fclose(fp);
	}
	if (f->line > 0)
		snprintf(where, len, "%s:%lu", l->path, f->line);
	else
		snprintf(where, len, "%s", l->path);
}

static void
group_names(const struct hgw_conf *conf, uint32_t groups, char *buf,
    size_t len)
{
	const char	*g;
	size_t		 o = 0;
	int		 i;

	buf[0] = '\0';
	for (i = 0; i < CONF_GROUPS_MAX && o < len; i++) {
		if (!(groups & ((uint32_t)1 << i)) ||
		    (g = blockconf_group_name(conf, i)) == NULL)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "," : "",
		    g);
	}
}

static void
json_kv(const char *key, const char *val, int comma)
{
	printf("%s", comma ? ", " : "");
	ctl_json_string(stdout, key);
	printf(": ");
	if (val == NULL)
		printf("null");
	else
		ctl_json_string(stdout, val);
}

int
ctl_block_check(struct ctl *c, int argc, char **argv)
{
	struct hgw_conf		*conf;
	struct blockconf_report	*rep;
	struct bl_index		*ix;
	struct bl_match		 m;
	struct sockaddr_storage	 ss;
	struct find		 deny, allow;
	char			 lname[BL_DOMAIN_MAX + 2], gtext[512];
	char			 dwhere[PATH_MAX + 64], awhere[PATH_MAX + 64];
	char			 dtext[BL_DOMAIN_MAX + 8], atext[BL_DOMAIN_MAX + 8];
	const char		*name = NULL, *client = NULL;
	uint32_t		 groups = 1;
	int64_t			 paused;
	int			 i, exempt = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--client") == 0 && i + 1 < argc)
			client = argv[++i];
		else if (strncmp(argv[i], "--client=", 9) == 0)
			client = argv[i] + 9;
		else if (argv[i][0] != '-' && name == NULL)
			name = argv[i];
		else
			goto usage;
	}
	if (name == NULL)
		goto usage;
	if (!bl_name_valid(name, strlen(name), lname)) {
		fprintf(stderr, "homegwctl: block check: \"%s\" is not a "
		    "domain name\n", name);
		return (CTL_USAGE);
	}
	memset(&ss, 0, sizeof(ss));
	if (client != NULL) {
		struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
		struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

		if (inet_pton(AF_INET, client, &sin->sin_addr) == 1)
			ss.ss_family = AF_INET;
		else if (inet_pton(AF_INET6, client, &sin6->sin6_addr) == 1)
			ss.ss_family = AF_INET6;
		else {
			fprintf(stderr, "homegwctl: block check: --client "
			    "\"%s\" is not an IPv4 or IPv6 address\n", client);
			return (CTL_USAGE);
		}
	}
	conf = ctl_conf(c);
	if (client != NULL) {
		groups = blockconf_client_groups(conf, (struct sockaddr *)&ss);
		exempt = groups == 0;
	}
	if ((rep = calloc(1, sizeof(*rep))) == NULL ||
	    (ix = blockconf_load(conf, 0, rep)) == NULL) {
		fprintf(stderr, "homegwctl: block check: out of memory\n");
		free(rep);
		return (CTL_ERROR);
	}
	for (i = 0; i < rep->nlists; i++)
		if (rep->lists[i].error[0] != '\0' &&
		    (i > 0 || rep->lists[i].source[0] != '\0'))
			fprintf(stderr, "homegwctl: list %s: %s\n",
			    rep->lists[i].name, rep->lists[i].error);
	/* An exempt client is checked as "default" to show what it skips. */
	bl_lookup(ix, lname, exempt ? 1 : groups, &m);
	memset(&deny, 0, sizeof(deny));
	memset(&allow, 0, sizeof(allow));
	dwhere[0] = awhere[0] = dtext[0] = atext[0] = '\0';
	if (m.blocked) {
		suffix(lname, m.depth, deny.name, sizeof(deny.name));
		deny.kind = m.kind;
		locate(conf, &rep->lists[m.list], m.list, &deny, dwhere,
		    sizeof(dwhere));
		entry_text(&deny, dtext, sizeof(dtext));
	} else if (m.allow_list >= 0) {
		suffix(lname, m.depth, allow.name, sizeof(allow.name));
		allow.kind = m.kind;
		allow.allow = 1;
		locate(conf, &rep->lists[m.allow_list], m.allow_list, &allow,
		    awhere, sizeof(awhere));
		entry_text(&allow, atext, sizeof(atext));
	}
	group_names(conf, exempt ? 0 : groups, gtext, sizeof(gtext));
	if (blockfile_pause_get(conf, time(NULL), &paused) < 0)
		paused = 0;

	if (c->json) {
		printf("{");
		json_kv("name", lname, 0);
		json_kv("client", client, 1);
		json_kv("groups", gtext, 1);
		printf(", \"exempt\": %s, \"blocked\": %s", exempt ? "true" :
		    "false", m.blocked && !exempt ? "true" : "false");
		json_kv("list", m.blocked ? rep->lists[m.list].name : NULL, 1);
		json_kv("entry", m.blocked ? dtext : NULL, 1);
		json_kv("where", m.blocked ? dwhere : NULL, 1);
		json_kv("allowed_by", m.allow_list >= 0 ?
		    rep->lists[m.allow_list].name : NULL, 1);
		json_kv("allow_entry", m.allow_list >= 0 ? atext : NULL, 1);
		json_kv("allow_where", m.allow_list >= 0 ? awhere : NULL, 1);
		printf(", \"paused_until\": %lld}\n", (long long)paused);
	} else {
		printf("%s: ", lname);
		if (exempt)
			printf("not blocked for %s: the host is exempt "
			    "(block = no)%s\n", client, m.blocked ?
			    "; others would be" : "");
		else if (m.blocked)
			printf("blocked for %s (groups %s) by list %s, entry "
			    "%s at %s\n", client != NULL ? client :
			    "a client without a [host]", gtext,
			    rep->lists[m.list].name, dtext, dwhere);
		else if (m.allow_list >= 0)
			printf("not blocked for %s (groups %s): allowed by "
			    "list %s, entry %s at %s\n", client != NULL ?
			    client : "a client without a [host]", gtext,
			    rep->lists[m.allow_list].name, atext, awhere);
		else
			printf("not blocked for %s (groups %s): on no list\n",
			    client != NULL ? client :
			    "a client without a [host]", gtext);
		if (m.blocked && m.list >= 0 && !exempt && paused != 0)
			printf("blocking is paused until %lld (seconds since "
			    "the epoch): the name is answered until then\n",
			    (long long)paused);
	}
	bl_index_free(ix);
	free(rep);
	return (CTL_OK);
usage:
	fprintf(stderr, "usage: homegwctl block check NAME [--client ADDR]\n");
	return (CTL_USAGE);
}
