/*
 * SPDX-License-Identifier: ISC
 *
 * blockconf.h: the blocklists a config names, read into one index, and
 * the client groups of a config.  dnsd (from its worker thread) and
 * "homegwctl block check" both load lists through here, so they agree.
 */
#ifndef HGW_BLOCKCONF_H
#define HGW_BLOCKCONF_H

#include <sys/socket.h>
#include <limits.h>
#include <stdint.h>
#include <time.h>

#include "blocklist.h"
#include "conf.h"

#define BLOCKCONF_OWN_FILE	"blocklist-own.list"	/* in state_dir */

/* One list as it was loaded: list id = its position, "own" first. */
struct blockconf_list {
	char			 name[BL_NAME_MAX + 1];
	char			 source[CONF_SOURCE_MAX + 1];	/* "" for own */
	char			 path[PATH_MAX];	/* the file read */
	int			 enabled;
	uint32_t		 groups;	/* mask */
	char			 groups_text[CONF_LIST_MAX *
				    (CONF_NAME_MAX + 2)];
	unsigned long		 entries;	/* after duplicates went */
	time_t			 loaded;	/* 0 if never */
	char			 error[256];	/* "" if none */
	struct bl_parse_stats	 st;
};

struct blockconf_report {
	int			 nlists;
	struct blockconf_list	 lists[CONF_BLOCKLISTS_MAX + 1];
};

/* The file a list is read from: its path, or state_dir's copy of a URL. */
void		 blockconf_list_path(const struct hgw_conf *,
		    const struct hgw_blocklist *, char *buf, size_t len);
/* The group mask of a comma-separated or array list of group names. */
uint32_t	 blockconf_group_mask(const struct hgw_conf *,
		    const char names[][CONF_NAME_MAX + 1], unsigned int n);
/* The bit of one group name, or -1 if the config has no such group. */
int		 blockconf_group_bit(const struct hgw_conf *, const char *);
/* The name of group bit i, or NULL. */
const char	*blockconf_group_name(const struct hgw_conf *, int bit);
/*
 * The groups of a client by its address: its [host]'s, or "default"
 * when it has none; 0 for an exempt host (block = no).
 */
uint32_t	 blockconf_client_groups(const struct hgw_conf *,
		    const struct sockaddr *);
/*
 * Read every enabled list of the config and the owner's own entries into
 * one index (seed 0: random).  rep (may be NULL) says what each list
 * gave.  Lists that cannot be read are reported and left out; NULL only
 * on no memory.
 */
struct bl_index	*blockconf_load(const struct hgw_conf *, uint64_t seed,
		    struct blockconf_report *rep);

#endif /* HGW_BLOCKCONF_H */
