/*
 * SPDX-License-Identifier: ISC
 *
 * webd_static_test.c: webd/static.c: content types, loading a directory
 * (dot files, unknown types, subdirectories and oversized files are
 * skipped), URL to file mapping ("/" and extensionless page names), no
 * way out of the directory, ETags that follow the content, and a failed
 * reload that keeps the files loaded before.
 */
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"
#include "../../daemons/webd/webd.h"

static char	 dir[64];

static void
put(const char *name, const char *text, size_t len)
{
	char	 path[256];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fwrite(text, 1, len, f);
	fclose(f);
}

int
main(void)
{
	static struct assets	 a;
	const struct asset	*f;
	char			 etag[32], cmd[128], *big;

	CHECK_STREQ(static_type("x.html"), "text/html; charset=utf-8");
	CHECK_STREQ(static_type("a.b.js"), "text/javascript; charset=utf-8");
	CHECK_STREQ(static_type("s.css"), "text/css; charset=utf-8");
	CHECK_STREQ(static_type("i.svg"), "image/svg+xml");
	CHECK(static_type("x.php") == NULL);
	CHECK(static_type(".html") == NULL);
	CHECK(static_type("html") == NULL);

	/* Under $TMPDIR like the other tests, when it is short enough. */
	snprintf(dir, sizeof(dir), "%s/webd-static.XXXXXX",
	    getenv("TMPDIR") != NULL && strlen(getenv("TMPDIR")) < 40 ?
	    getenv("TMPDIR") : "/tmp");
	CHECK(mkdtemp(dir) != NULL);
	put("index.html", "<p>home</p>", 11);
	put("nat.html", "<p>nat</p>", 10);
	put("app.js", "1;", 2);
	put(".secret.html", "no", 2);
	put("notes.md", "no", 2);
	if ((big = malloc(WEBD_ASSET_SIZE_MAX + 1)) != NULL) {
		memset(big, 'x', WEBD_ASSET_SIZE_MAX + 1);
		put("big.js", big, WEBD_ASSET_SIZE_MAX + 1);
		free(big);
	}
	snprintf(cmd, sizeof(cmd), "%s/sub.html", dir);
	mkdir(cmd, 0755);

	CHECK(static_load(&a, dir) == 3);
	CHECK(a.total == 11 + 10 + 2);
	f = static_find(&a, "/");
	CHECK(f != NULL && f->html && f->size == 11);
	CHECK(static_find(&a, "/index.html") == f);
	f = static_find(&a, "/nat");
	CHECK(f != NULL && strcmp(f->path, "/nat.html") == 0);
	f = static_find(&a, "/app.js");
	CHECK(f != NULL && !f->html &&
	    strcmp(f->type, "text/javascript; charset=utf-8") == 0);
	CHECK(static_find(&a, "/.secret.html") == NULL);
	CHECK(static_find(&a, "/notes.md") == NULL);
	CHECK(static_find(&a, "/big.js") == NULL);
	CHECK(static_find(&a, "/sub") == NULL);
	CHECK(static_find(&a, "/../index.html") == NULL);
	CHECK(static_find(&a, "//index.html") == NULL);
	CHECK(static_find(&a, "/nat/") == NULL);
	CHECK(static_find(&a, "/app") == NULL);
	CHECK(static_find(&a, "") == NULL);

	/* The ETag follows the content. */
	f = static_find(&a, "/");
	snprintf(etag, sizeof(etag), "%s", f->etag);
	CHECK(etag[0] == '"' && strlen(etag) == 18);
	put("index.html", "<p>home!</p>", 12);
	CHECK(static_load(&a, dir) == 3);
	f = static_find(&a, "/");
	CHECK(f != NULL && strcmp(f->etag, etag) != 0);

	/* A directory that is gone: the old files stay. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	CHECK(static_load(&a, dir) == -1);
	CHECK(static_find(&a, "/nat") != NULL);
	static_free(&a);
	CHECK(a.count == 0);
	return (tap_done());
}
