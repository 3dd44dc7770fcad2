/*
 * SPDX-License-Identifier: ISC
 *
 * static.c: the page's files (HTML, CSS, JS, SVG) from [web] assets_dir.
 * They are read into memory at start and on SIGHUP, so serving them never
 * touches the disk from the event loop.  Both the number of files and
 * their sizes are capped; anything else in the directory (subdirectories,
 * dot files, unknown types) is skipped.  Each file gets a strong ETag from
 * its content, for conditional requests.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "webd.h"

static const struct {
	const char	*ext;
	const char	*type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".webmanifest", "application/manifest+json" },
};

/* Content type for a file name, or NULL when webd does not serve it. */
const char *
static_type(const char *name)
{
	size_t	 i, n = strlen(name), e;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		e = strlen(types[i].ext);
		if (n > e && strcmp(name + n - e, types[i].ext) == 0)
			return (types[i].type);
	}
	return (NULL);
}

static uint64_t
fnv1a(const char *p, size_t n)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return (h);
}

static int
read_file(int dfd, const char *name, char **ret, size_t *ret_len)
{
	struct stat	 st;
	char		*buf;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return (-1);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > WEBD_ASSET_SIZE_MAX) {
		close(fd);
		errno = EFBIG;
		return (-1);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return (-1);
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*ret = buf;
	*ret_len = got;
	return (0);
}

/*
 * Load every servable file of dir into a.  Returns the number of files
 * loaded, or -1 (errno set) when the directory cannot be read.  a is only
 * replaced on success, so a failed reload keeps the old files.
 */
int
static_load(struct assets *a, const char *dir)
{
	struct assets	 n;
	struct asset	*f;
	struct dirent	*de;
	DIR		*d;
	const char	*type;
	int		 dfd;

	memset(&n, 0, sizeof(n));
	if ((d = opendir(dir)) == NULL)
		return (-1);
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    (type = static_type(de->d_name)) == NULL)
			continue;
		if (strlen(de->d_name) + 2 > sizeof(n.files[0].path))
			continue;
		if (n.count == WEBD_ASSETS_MAX) {
			log_warnx("%s: more than %d files, ignoring \"%s\"",
			    dir, WEBD_ASSETS_MAX, de->d_name);
			continue;
		}
		f = &n.files[n.count];
		if (read_file(dfd, de->d_name, &f->data, &f->size) < 0) {
			log_warn("%s/%s: skipped", dir, de->d_name);
			continue;
		}
		snprintf(f->path, sizeof(f->path), "/%s", de->d_name);
		snprintf(f->etag, sizeof(f->etag), "\"%016llx\"",
		    (unsigned long long)fnv1a(f->data, f->size));
		f->type = type;
		f->html = strncmp(type, "text/html", 9) == 0;
		n.total += f->size;
		n.count++;
	}
	closedir(d);
	static_free(a);
	*a = n;
	return ((int)n.count);
}

/* Free every loaded file. */
void
static_free(struct assets *a)
{
	unsigned int	 i;

	for (i = 0; i < a->count; i++)
		free(a->files[i].data);
	memset(a, 0, sizeof(*a));
}

/*
 * The file for a URL path: "/" is index.html and "/nat" is nat.html, so
 * the pages have short addresses.  NULL when there is no such file.
 */
const struct asset *
static_find(const struct assets *a, const char *url)
{
	char		 path[128];
	unsigned int	 i;

	if (url[0] != '/')
		return (NULL);
	if (strcmp(url, "/") == 0)
		url = "/index.html";
	for (i = 0; i < a->count; i++)
		if (strcmp(a->files[i].path, url) == 0)
			return (&a->files[i]);
	/* "/nat" -> "/nat.html" */
	if (strchr(url + 1, '.') == NULL && strchr(url + 1, '/') == NULL &&
	    (size_t)snprintf(path, sizeof(path), "%s.html", url) <
	    sizeof(path)) {
		for (i = 0; i < a->count; i++)
			if (strcmp(a->files[i].path, path) == 0)
				return (&a->files[i]);
	}
	return (NULL);
}
