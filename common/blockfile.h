/*
 * SPDX-License-Identifier: ISC
 *
 * blockfile.h: the files that steer domain blocking from outside dnsd.
 * homegwctl and webd write them, dnsd only reads them:
 *
 *   <run_dir>/block-pause            the epoch second blocking resumes
 *                                    ("0" or absent: not paused)
 *   <state_dir>/blocklist-own.list   the owner's own entries, adblock
 *                                    syntax: "||d^" deny, "@@||d^" allow
 *   <state_dir>/blocklists/N.list    a URL list's last good copy
 *   <state_dir>/blocklists/N.meta    key=value lines about it
 *
 * Every write is atomic (temporary file in the same directory, fsync,
 * rename), readable by the daemons' group; edits of the own list hold
 * an flock on blocklist-own.list.lock so that concurrent editors
 * (homegwctl, webd) lose no change.  Functions return 0 or -errno
 * and never log.
 */
#ifndef HGW_BLOCKFILE_H
#define HGW_BLOCKFILE_H

#include <stddef.h>
#include <stdint.h>

struct hgw_conf;

#define BLOCKFILE_PAUSE		"block-pause"
#define BLOCKFILE_OWN		"blocklist-own.list"
#define BLOCKFILE_DIR		"blocklists"
#define BLOCKFILE_OWN_MAX	(1024 * 1024)	/* bytes of the own list */
#define BLOCKFILE_PAUSE_MAX	(7 * 24 * 3600)	/* longest pause, seconds */
#define BLOCKFILE_NAME_MAX	253		/* a domain name */

/* What a URL list's .meta says (strings "" when absent). */
struct blockfile_meta {
	char		 url[2048];
	char		 etag[256];
	char		 last_modified[64];
	int64_t		 fetched;	/* last good download, epoch s */
	int64_t		 checked;	/* last attempt */
	int64_t		 entries;	/* in the last good copy */
	int64_t		 size;		/* bytes of the last good copy */
	char		 error[512];	/* why the last attempt failed */
};

/* An own entry. */
enum blockfile_kind {
	BLOCKFILE_DENY,
	BLOCKFILE_ALLOW
};

/* Paths: fill buf; 0 or -ENAMETOOLONG. */
int	blockfile_pause_path(const struct hgw_conf *, char *buf, size_t len);
int	blockfile_own_path(const struct hgw_conf *, char *buf, size_t len);
int	blockfile_dir_path(const struct hgw_conf *, char *buf, size_t len);
/* <state_dir>/blocklists/<name><suffix> (suffix ".list" or ".meta"). */
int	blockfile_list_path(const struct hgw_conf *, const char *name,
	    const char *suffix, char *buf, size_t len);

/*
 * Replace path by len bytes of data atomically, mode 0640 (the daemons'
 * group may read), owned by the config's user when run as root.
 */
int	blockfile_write(const struct hgw_conf *, const char *path,
	    const char *data, size_t len);
/*
 * Make fd (a temporary file beside path, named tmp) the new path: mode,
 * owner, fsync, rename, fsync of the directory.  Closes fd; on failure
 * unlinks tmp.
 */
int	blockfile_commit(const struct hgw_conf *, int fd, const char *tmp,
	    const char *path);
/* <state_dir>/blocklists, created (0770, the config's user) if needed. */
int	blockfile_mkdir(const struct hgw_conf *, char *buf, size_t len);

/*
 * The pause: *ret_until gets the epoch second blocking resumes, or 0
 * when not paused (no file, "0", or a time already past now).
 */
int	blockfile_pause_get(const struct hgw_conf *, int64_t now,
	    int64_t *ret_until);
/* Pause until the epoch second until, or resume when until is 0. */
int	blockfile_pause_set(const struct hgw_conf *, int64_t until);
/*
 * Parse a duration: "30s", "5m", "1h", "1d", or seconds alone, between
 * 1 s and BLOCKFILE_PAUSE_MAX.  0 or -EINVAL.
 */
int	blockfile_duration(const char *, int64_t *ret_seconds);

/*
 * Check and normalise a domain for the own list into buf (lower case,
 * no trailing dot, a leading "*." or "||"/"^" dropped since entries
 * cover subdomains anyway).  0 or -EINVAL.
 */
int	blockfile_name(const char *in, char *buf, size_t len);
/*
 * Read the own list: calls fn for each allow/deny entry in file order.
 * A missing file is an empty list.  0 or -errno.
 */
int	blockfile_own_each(const struct hgw_conf *,
	    void (*fn)(void *, enum blockfile_kind, const char *), void *arg);
/*
 * Add name as kind (replacing any entry of the same name), or with
 * remove set, drop it.  *ret_changed is 1 when the file changed.
 * -ENOENT when removing a name that is not there; -EINVAL for a bad
 * name; -EFBIG when the file would grow past BLOCKFILE_OWN_MAX.
 */
int	blockfile_own_edit(const struct hgw_conf *, const char *name,
	    enum blockfile_kind kind, int remove, int *ret_changed);

/* Read a .meta file; a missing file gives an all-empty meta and 0. */
int	blockfile_meta_read(const char *path, struct blockfile_meta *);
/* Write one atomically. */
int	blockfile_meta_write(const struct hgw_conf *, const char *path,
	    const struct blockfile_meta *);

#endif /* HGW_BLOCKFILE_H */
