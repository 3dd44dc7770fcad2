/*
 * SPDX-License-Identifier: ISC
 *
 * blockfile_test.c: the files that steer blocking (common/blockfile.c):
 * durations, name checks, the pause file, editing the owner's own list
 * (hand-written lines kept, one entry per name, allow replacing deny),
 * and .meta round trips with hostile values.  Works in a scratch
 * directory under $TMPDIR.
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blockfile.h"
#include "conf.h"
#include "../tap.h"

static char	 seen[8192];

static void
collect(void *arg, enum blockfile_kind kind, const char *name)
{
	(void)arg;
	snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s ",
	    kind == BLOCKFILE_ALLOW ? "+" : "-", name);
}

static void
durations(void)
{
	int64_t	 s = 0;

	CHECK(blockfile_duration("30s", &s) == 0 && s == 30);
	CHECK(blockfile_duration("5m", &s) == 0 && s == 300);
	CHECK(blockfile_duration("1h", &s) == 0 && s == 3600);
	CHECK(blockfile_duration("7d", &s) == 0 && s == 7 * 86400);
	CHECK(blockfile_duration("45", &s) == 0 && s == 45);
	CHECK(blockfile_duration("8d", &s) == -EINVAL);
	CHECK(blockfile_duration("0s", &s) == -EINVAL);
	CHECK(blockfile_duration("-5m", &s) == -EINVAL);
	CHECK(blockfile_duration("5mm", &s) == -EINVAL);
	CHECK(blockfile_duration("5x", &s) == -EINVAL);
	CHECK(blockfile_duration("", &s) == -EINVAL);
	CHECK(blockfile_duration("99999999999999999999999h", &s) == -EINVAL);
}

static void
names(void)
{
	char	 b[BLOCKFILE_NAME_MAX + 1], big[400];

	CHECK(blockfile_name("Ads.Example.COM.", b, sizeof(b)) == 0 &&
	    strcmp(b, "ads.example.com") == 0);
	CHECK(blockfile_name("||t.example^", b, sizeof(b)) == 0 &&
	    strcmp(b, "t.example") == 0);
	CHECK(blockfile_name("*.w.example", b, sizeof(b)) == 0 &&
	    strcmp(b, "w.example") == 0);
	CHECK(blockfile_name("x_y-z.example", b, sizeof(b)) == 0);
	CHECK(blockfile_name("a..b", b, sizeof(b)) == -EINVAL);
	CHECK(blockfile_name(".a", b, sizeof(b)) == -EINVAL);
	CHECK(blockfile_name("a b", b, sizeof(b)) == -EINVAL);
	CHECK(blockfile_name("a\nb", b, sizeof(b)) == -EINVAL);
	CHECK(blockfile_name("", b, sizeof(b)) == -EINVAL);
	CHECK(blockfile_name("^", b, sizeof(b)) == -EINVAL);
	CHECK(blockfile_name("@@||x^", b, sizeof(b)) == -EINVAL);
	memset(big, 'a', 64);
	strcpy(big + 64, ".example");
	CHECK(blockfile_name(big, b, sizeof(b)) == -EINVAL);  /* label > 63 */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (size_t i = 60; i < sizeof(big) - 1; i += 61)
		big[i] = '.';
	CHECK(blockfile_name(big, b, sizeof(b)) == -EINVAL);  /* > 253 */
}

int
main(void)
{
	struct hgw_conf		*conf;
	struct blockfile_meta	 m, m2;
	char			 dir[] = "/tmp/blockfile_test.XXXXXX";
	char			 path[PATH_MAX], buf[4096];
	int64_t			 until;
	int			 changed;
	FILE			*f;
	size_t			 n;

	durations();
	names();

	if (mkdtemp(dir) == NULL || (conf = conf_default()) == NULL)
		return (1);
	snprintf(conf->gateway.state_dir, sizeof(conf->gateway.state_dir),
	    "%s", dir);
	snprintf(conf->gateway.run_dir, sizeof(conf->gateway.run_dir), "%s",
	    dir);

	/* Pause. */
	CHECK(blockfile_pause_get(conf, 1000, &until) == 0 && until == 0);
	CHECK(blockfile_pause_set(conf, 1300) == 0);
	CHECK(blockfile_pause_get(conf, 1000, &until) == 0 && until == 1300);
	CHECK(blockfile_pause_get(conf, 1300, &until) == 0 && until == 0);
	CHECK(blockfile_pause_set(conf, 0) == 0);
	CHECK(blockfile_pause_get(conf, 1000, &until) == 0 && until == 0);
	blockfile_pause_path(conf, path, sizeof(path));
	f = fopen(path, "w");
	fputs("garbage\n", f);
	fclose(f);
	CHECK(blockfile_pause_get(conf, 1000, &until) == 0 && until == 0);

	/* The own list: created, edited, hand-written lines kept. */
	CHECK(blockfile_own_edit(conf, "ads.example", BLOCKFILE_DENY, 0,
	    &changed) == 0 && changed);
	CHECK(blockfile_own_edit(conf, "ads.example", BLOCKFILE_DENY, 0,
	    &changed) == 0 && !changed);
	blockfile_own_path(conf, path, sizeof(path));
	f = fopen(path, "a");
	fputs("# my note\n0.0.0.0 hand.example\n||kept.example^", f);
	fclose(f);
	CHECK(blockfile_own_edit(conf, "Good.Example", BLOCKFILE_ALLOW, 0,
	    &changed) == 0 && changed);
	CHECK(blockfile_own_edit(conf, "ads.example", BLOCKFILE_ALLOW, 0,
	    &changed) == 0 && changed);
	seen[0] = '\0';
	CHECK(blockfile_own_each(conf, collect, NULL) == 0);
	CHECK_STREQ(seen, "-kept.example +good.example +ads.example ");
	CHECK(blockfile_own_edit(conf, "kept.example", BLOCKFILE_DENY, 1,
	    &changed) == 0 && changed);
	CHECK(blockfile_own_edit(conf, "nope.example", BLOCKFILE_DENY, 1,
	    &changed) == -ENOENT);
	CHECK(blockfile_own_edit(conf, "bad name", BLOCKFILE_DENY, 0,
	    &changed) == -EINVAL);
	f = fopen(path, "r");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	CHECK(strstr(buf, "# my note\n0.0.0.0 hand.example\n") != NULL);
	CHECK(strstr(buf, "kept.example") == NULL);
	seen[0] = '\0';
	blockfile_own_each(conf, collect, NULL);
	CHECK_STREQ(seen, "+good.example +ads.example ");
	{
		struct stat	 sb;

		CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0640);
	}

	/*
	 * Eight writers at once (homegwctl and webd): no change is lost,
	 * which read-change-rename without the lock would do.
	 */
	{
		char	 nm[64];
		int	 k, status, good = 1;

		for (k = 0; k < 8; k++) {
			pid_t	 pid = fork();

			if (pid == 0) {
				for (int i = 0; i < 20; i++) {
					snprintf(nm, sizeof(nm),
					    "w%d-%d.example", k, i);
					if (blockfile_own_edit(conf, nm,
					    BLOCKFILE_DENY, 0, &changed) != 0)
						_exit(1);
				}
				_exit(0);
			}
		}
		for (k = 0; k < 8; k++)
			if (wait(&status) < 0 || !WIFEXITED(status) ||
			    WEXITSTATUS(status) != 0)
				good = 0;
		CHECK(good);
		seen[0] = '\0';
		blockfile_own_each(conf, collect, NULL);
		n = 0;
		for (char *q = seen; (q = strstr(q, ".example ")) != NULL;
		    q++)
			n++;
		CHECK_MSG(n == 160 + 2, "8 concurrent writers x 20 names, "
		    "none lost");
		if (n != 162)
			printf("# %zu entries\n", n);
	}

	/* .meta: a hostile header cannot add a line. */
	memset(&m, 0, sizeof(m));
	snprintf(m.url, sizeof(m.url), "https://lists.example/a.txt");
	snprintf(m.etag, sizeof(m.etag), "\"x\"\nentries=999999");
	snprintf(m.last_modified, sizeof(m.last_modified),
	    "Sat, 05 Dec 2026 01:00:00 GMT");
	m.fetched = 11;
	m.checked = 12;
	m.entries = 13;
	m.size = 14;
	snprintf(m.error, sizeof(m.error), "it = broke");
	snprintf(path, sizeof(path), "%s/x.meta", dir);
	CHECK(blockfile_meta_write(conf, path, &m) == 0);
	CHECK(blockfile_meta_read(path, &m2) == 0);
	CHECK_STREQ(m2.url, m.url);
	CHECK_STREQ(m2.etag, "\"x\" entries=999999");
	CHECK_STREQ(m2.last_modified, m.last_modified);
	CHECK_STREQ(m2.error, "it = broke");
	CHECK(m2.fetched == 11 && m2.checked == 12 && m2.entries == 13 &&
	    m2.size == 14);
	snprintf(path, sizeof(path), "%s/none.meta", dir);
	CHECK(blockfile_meta_read(path, &m2) == 0 && m2.url[0] == '\0' &&
	    m2.entries == 0);

	snprintf(buf, sizeof(buf), "rm -rf '%s'", dir);
	if (system(buf) != 0)
		return (1);
	conf_free(conf);
	return (tap_done());
}
