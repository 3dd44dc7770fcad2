/*
 * SPDX-License-Identifier: ISC
 *
 * blockfile.c: the pause file, the owner's own list and the .meta files
 * of URL lists, shared by homegwctl and webd (see blockfile.h).  Owns
 * their format and their atomic replacement; never parses a blocklist
 * (that is blocklist.c) and never talks to dnsd: dnsd notices a changed
 * pause file or own list by their mtime, and homegwctl signals it after
 * a URL list changed.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockfile.h"
#include "conf.h"

#define OWN_HEADER \
	"# The owner's own blocking entries: \"||name^\" blocks the name and\n" \
	"# its subdomains, \"@@||name^\" allows them whatever the lists say.\n" \
	"# Edited by \"homegwctl block allow|deny|remove\" and the Blocking\n" \
	"# page; dnsd re-reads it when it changes.\n"

static int	 own_edit_locked(const struct hgw_conf *, const char *,
		    enum blockfile_kind, int, int *);

static int
path_in(const char *dir, const char *name, const char *suffix, char *buf,
    size_t len)
{
	int	 n;

	n = snprintf(buf, len, "%s/%s%s", dir, name, suffix);
	return (n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0);
}

int
blockfile_pause_path(const struct hgw_conf *conf, char *buf, size_t len)
{
	return (path_in(conf->gateway.run_dir, BLOCKFILE_PAUSE, "", buf, len));
}

int
blockfile_own_path(const struct hgw_conf *conf, char *buf, size_t len)
{
	return (path_in(conf->gateway.state_dir, BLOCKFILE_OWN, "", buf, len));
}

int
blockfile_dir_path(const struct hgw_conf *conf, char *buf, size_t len)
{
	return (path_in(conf->gateway.state_dir, BLOCKFILE_DIR, "", buf, len));
}

int
blockfile_list_path(const struct hgw_conf *conf, const char *name,
    const char *suffix, char *buf, size_t len)
{
	char	 dir[PATH_MAX];
	int	 r;

	if ((r = blockfile_dir_path(conf, dir, sizeof(dir))) < 0)
		return (r);
	return (path_in(dir, name, suffix, buf, len));
}

/*
 * Run as root (by hand), the files must still belong to the daemons'
 * user: dnsd and webd run as that user and must read, and webd write.
 */
static void
owner_of(const struct hgw_conf *conf, uid_t *uid, gid_t *gid)
{
	struct passwd	*pw;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (geteuid() != 0 || (pw = getpwnam(conf->gateway.user)) == NULL)
		return;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
}

int
blockfile_mkdir(const struct hgw_conf *conf, char *buf, size_t len)
{
	uid_t	 uid;
	gid_t	 gid;
	int	 r;

	if ((r = blockfile_dir_path(conf, buf, len)) < 0)
		return (r);
	if (mkdir(buf, 0770) == -1) {
		if (errno != EEXIST)
			return (-errno);
		return (0);
	}
	owner_of(conf, &uid, &gid);
	if (uid != (uid_t)-1 && chown(buf, uid, gid) == -1)
		return (-errno);
	return (0);
}

static void
sync_dir_of(const char *path)
{
	char	 dir[PATH_MAX], *slash;
	int	 dfd;

	if ((size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir))
		return;
	if ((slash = strrchr(dir, '/')) == NULL)
		return;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
}

int
blockfile_commit(const struct hgw_conf *conf, int fd, const char *tmp,
    const char *path)
{
	uid_t	 uid;
	gid_t	 gid;
	int	 r;

	owner_of(conf, &uid, &gid);
	if (fchmod(fd, 0640) == -1 ||
	    (uid != (uid_t)-1 && fchown(fd, uid, gid) == -1) ||
	    fsync(fd) == -1) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return (r);
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		r = -errno;
		unlink(tmp);
		return (r);
	}
	sync_dir_of(path);
	return (0);
}

int
blockfile_write(const struct hgw_conf *conf, const char *path,
    const char *data, size_t len)
{
	char	 tmp[PATH_MAX];
	size_t	 off = 0;
	ssize_t	 w;
	int	 fd, r;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
	    sizeof(tmp))
		return (-ENAMETOOLONG);
	if ((fd = mkstemp(tmp)) == -1)
		return (-errno);
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1) {
			r = -errno;
			close(fd);
			unlink(tmp);
			return (r);
		}
		off += (size_t)w;
	}
	return (blockfile_commit(conf, fd, tmp, path));
}

/* Read a whole small file into a NUL-terminated buffer. */
static int
read_small(const char *path, size_t max, char **ret, size_t *ret_len)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 n;
	size_t		 off = 0;
	int		 fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-errno);
	if (fstat(fd, &st) == -1) {
		r = -errno;
		close(fd);
		return (r);
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return (-EFBIG);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return (-ENOMEM);
	}
	while (off < (size_t)st.st_size) {
		n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	*ret = buf;
	*ret_len = off;
	return (0);
}

int
blockfile_pause_get(const struct hgw_conf *conf, int64_t now,
    int64_t *ret_until)
{
	char	 path[PATH_MAX], *buf, *end;
	size_t	 len;
	long long v;
	int	 r;

	*ret_until = 0;
	if ((r = blockfile_pause_path(conf, path, sizeof(path))) < 0)
		return (r);
	if ((r = read_small(path, 64, &buf, &len)) < 0)
		return (r == -ENOENT ? 0 : r);
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno == 0 && end != buf && v > now)
		*ret_until = v;
	free(buf);
	return (0);
}

int
blockfile_pause_set(const struct hgw_conf *conf, int64_t until)
{
	char	 path[PATH_MAX], text[32];
	int	 n, r;

	if ((r = blockfile_pause_path(conf, path, sizeof(path))) < 0)
		return (r);
	n = snprintf(text, sizeof(text), "%" PRId64 "\n",
	    until > 0 ? until : 0);
	return (blockfile_write(conf, path, text, (size_t)n));
}

int
blockfile_duration(const char *s, int64_t *ret_seconds)
{
	char		*end;
	long long	 v;
	int64_t		 unit = 1;

	if (s == NULL || !isdigit((unsigned char)*s))
		return (-EINVAL);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0)
		return (-EINVAL);
	if (*end != '\0') {
		switch (*end) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		default:
			return (-EINVAL);
		}
		if (end[1] != '\0')
			return (-EINVAL);
	}
	if (v < 1 || v > BLOCKFILE_PAUSE_MAX / unit)
		return (-EINVAL);
	*ret_seconds = (int64_t)v * unit;
	return (0);
}

int
blockfile_name(const char *in, char *buf, size_t len)
{
	size_t	 n, i, label = 0;
	char	 c;

	if (in == NULL)
		return (-EINVAL);
	/* Forms people paste: "*.d", "||d^", "d." all mean d here. */
	if (strncmp(in, "||", 2) == 0)
		in += 2;
	if (strncmp(in, "*.", 2) == 0)
		in += 2;
	n = strlen(in);
	if (n > 0 && in[n - 1] == '^')
		n--;
	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n > BLOCKFILE_NAME_MAX || n + 1 > len)
		return (-EINVAL);
	for (i = 0; i < n; i++) {
		c = (char)tolower((unsigned char)in[i]);
		if (c == '.') {
			if (label == 0)
				return (-EINVAL);	/* empty label */
			label = 0;
		} else if (isalnum((unsigned char)c) || c == '-' || c == '_') {
			if (++label > 63)
				return (-EINVAL);
		} else
			return (-EINVAL);
		buf[i] = c;
	}
	if (label == 0)
		return (-EINVAL);
	buf[n] = '\0';
	return (0);
}

/*
 * One line of the own list as an entry: "||d^" or "@@||d^".  Returns 0
 * and fills name, or -1 for anything else (comments, other syntax the
 * owner typed by hand: kept as it is, but not shown as an entry).
 */
static int
own_line(const char *line, size_t n, enum blockfile_kind *kind, char *name,
    size_t len)
{
	char	 tmp[BLOCKFILE_NAME_MAX + 8];

	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
	    line[n - 1] == '\t'))
		n--;
	*kind = BLOCKFILE_DENY;
	if (n >= 2 && strncmp(line, "@@", 2) == 0) {
		*kind = BLOCKFILE_ALLOW;
		line += 2;
		n -= 2;
	}
	if (n < 4 || strncmp(line, "||", 2) != 0 || line[n - 1] != '^' ||
	    n - 3 >= sizeof(tmp))
		return (-1);
	memcpy(tmp, line + 2, n - 3);
	tmp[n - 3] = '\0';
	return (blockfile_name(tmp, name, len) == 0 ? 0 : -1);
}

int
blockfile_own_each(const struct hgw_conf *conf,
    void (*fn)(void *, enum blockfile_kind, const char *), void *arg)
{
	char			 path[PATH_MAX], name[BLOCKFILE_NAME_MAX + 1];
	char			*buf, *p, *nl;
	size_t			 len;
	enum blockfile_kind	 kind;
	int			 r;

	if ((r = blockfile_own_path(conf, path, sizeof(path))) < 0)
		return (r);
	if ((r = read_small(path, BLOCKFILE_OWN_MAX, &buf, &len)) < 0)
		return (r == -ENOENT ? 0 : r);
	for (p = buf; p < buf + len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
			nl = buf + len;
		if (own_line(p, (size_t)(nl - p), &kind, name,
		    sizeof(name)) == 0)
			fn(arg, kind, name);
	}
	free(buf);
	return (0);
}

/*
 * homegwctl and webd may edit the own list at the same moment: each
 * reads, changes and replaces the whole file, so without a lock one
 * change would be lost.  The lock is a file of its own because the list
 * itself is replaced by rename.  Returns the locked fd or -errno.
 */
static int
own_lock(const struct hgw_conf *conf, const char *path)
{
	struct stat	 st;
	char		 lock[PATH_MAX];
	uid_t		 uid;
	gid_t		 gid;
	int		 fd, r;

	if ((size_t)snprintf(lock, sizeof(lock), "%s.lock", path) >=
	    sizeof(lock))
		return (-ENAMETOOLONG);
	/* Read-only is enough for flock, so any reader of the list may. */
	if ((fd = open(lock, O_RDONLY | O_CREAT | O_CLOEXEC, 0640)) == -1)
		return (-errno);
	owner_of(conf, &uid, &gid);
	if (uid != (uid_t)-1 && fstat(fd, &st) == 0 && st.st_uid != uid)
		(void)fchown(fd, uid, gid);
	while (flock(fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			r = -errno;
			close(fd);
			return (r);
		}
	}
	return (fd);
}

int
blockfile_own_edit(const struct hgw_conf *conf, const char *in,
    enum blockfile_kind kind, int remove, int *ret_changed)
{
	char	 path[PATH_MAX];
	int	 lfd, r;

	*ret_changed = 0;
	if ((r = blockfile_own_path(conf, path, sizeof(path))) < 0)
		return (r);
	if ((lfd = own_lock(conf, path)) < 0)
		return (lfd);
	r = own_edit_locked(conf, in, kind, remove, ret_changed);
	close(lfd);
	return (r);
}

static int
own_edit_locked(const struct hgw_conf *conf, const char *in,
    enum blockfile_kind kind, int remove, int *ret_changed)
{
	char			 path[PATH_MAX], name[BLOCKFILE_NAME_MAX + 1];
	char			 other[BLOCKFILE_NAME_MAX + 1];
	char			*buf = NULL, *out = NULL, *p, *nl;
	size_t			 len = 0, olen = 0, n;
	enum blockfile_kind	 k;
	int			 r, found = 0, same = 0;

	*ret_changed = 0;
	if ((r = blockfile_name(in, name, sizeof(name))) < 0)
		return (r);
	if ((r = blockfile_own_path(conf, path, sizeof(path))) < 0)
		return (r);
	if ((r = read_small(path, BLOCKFILE_OWN_MAX, &buf, &len)) < 0) {
		if (r != -ENOENT)
			return (r);
		if ((buf = strdup(OWN_HEADER)) == NULL)
			return (-ENOMEM);
		len = strlen(buf);
	}
	/* The old text without this name's lines, plus the new line. */
	if ((out = malloc(len + BLOCKFILE_NAME_MAX + 16)) == NULL) {
		free(buf);
		return (-ENOMEM);
	}
	for (p = buf; p < buf + len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
			nl = buf + len;
		n = (size_t)(nl - p);
		if (own_line(p, n, &k, other, sizeof(other)) == 0 &&
		    strcmp(other, name) == 0) {
			found = 1;
			if (!remove && k == kind)
				same = 1;
			continue;
		}
		memcpy(out + olen, p, n);
		olen += n;
		out[olen++] = '\n';
	}
	if (remove && !found) {
		r = -ENOENT;
		goto out;
	}
	if (!remove && same) {
		r = 0;			/* already there as asked */
		goto out;
	}
	if (!remove)
		olen += (size_t)sprintf(out + olen, "%s||%s^\n",
		    kind == BLOCKFILE_ALLOW ? "@@" : "", name);
	if (olen > BLOCKFILE_OWN_MAX) {
		r = -EFBIG;
		goto out;
	}
	if ((r = blockfile_write(conf, path, out, olen)) == 0)
		*ret_changed = 1;
 out:
	free(buf);
	free(out);
	return (r);
}

int
blockfile_meta_read(const char *path, struct blockfile_meta *m)
{
	char	*buf, *p, *nl, *eq;
	size_t	 len;
	int	 r;

	memset(m, 0, sizeof(*m));
	if ((r = read_small(path, 16 * 1024, &buf, &len)) < 0)
		return (r == -ENOENT ? 0 : r);
	for (p = buf; p < buf + len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
			nl = buf + len;
		*nl = '\0';
		if ((eq = strchr(p, '=')) == NULL)
			continue;
		*eq++ = '\0';
		if (strcmp(p, "url") == 0)
			snprintf(m->url, sizeof(m->url), "%s", eq);
		else if (strcmp(p, "etag") == 0)
			snprintf(m->etag, sizeof(m->etag), "%s", eq);
		else if (strcmp(p, "last_modified") == 0)
			snprintf(m->last_modified, sizeof(m->last_modified),
			    "%s", eq);
		else if (strcmp(p, "error") == 0)
			snprintf(m->error, sizeof(m->error), "%s", eq);
		else if (strcmp(p, "fetched") == 0)
			m->fetched = strtoll(eq, NULL, 10);
		else if (strcmp(p, "checked") == 0)
			m->checked = strtoll(eq, NULL, 10);
		else if (strcmp(p, "entries") == 0)
			m->entries = strtoll(eq, NULL, 10);
		else if (strcmp(p, "size") == 0)
			m->size = strtoll(eq, NULL, 10);
	}
	free(buf);
	return (0);
}

/* A value on one line: a header or message never breaks the format. */
static void
put_value(char *buf, size_t len, size_t *off, const char *key,
    const char *v)
{
	int	 n;

	n = snprintf(buf + *off, len - *off, "%s=", key);
	if (n < 0 || (size_t)n >= len - *off)
		return;
	*off += (size_t)n;
	for (; *v != '\0' && *off + 2 < len; v++)
		buf[(*off)++] = (*v == '\n' || *v == '\r') ? ' ' : *v;
	buf[(*off)++] = '\n';
	buf[*off] = '\0';
}

int
blockfile_meta_write(const struct hgw_conf *conf, const char *path,
    const struct blockfile_meta *m)
{
	char	 buf[4096], num[32];
	size_t	 off = 0;

	buf[0] = '\0';
	put_value(buf, sizeof(buf), &off, "url", m->url);
	put_value(buf, sizeof(buf), &off, "etag", m->etag);
	put_value(buf, sizeof(buf), &off, "last_modified", m->last_modified);
	snprintf(num, sizeof(num), "%" PRId64, m->fetched);
	put_value(buf, sizeof(buf), &off, "fetched", num);
	snprintf(num, sizeof(num), "%" PRId64, m->checked);
	put_value(buf, sizeof(buf), &off, "checked", num);
	snprintf(num, sizeof(num), "%" PRId64, m->entries);
	put_value(buf, sizeof(buf), &off, "entries", num);
	snprintf(num, sizeof(num), "%" PRId64, m->size);
	put_value(buf, sizeof(buf), &off, "size", num);
	put_value(buf, sizeof(buf), &off, "error", m->error);
	return (blockfile_write(conf, path, buf, off));
}
