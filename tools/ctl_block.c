/*
 * SPDX-License-Identifier: ISC
 *
 * ctl_block.c: "homegwctl block", the owner's handle on domain blocking:
 * update (download the URL lists, keep the last good copy of each, tell
 * dnsd), pause / resume, status, and allow / deny / remove (the owner's
 * own entries).  Writes only the files of blockfile.h, atomically, and
 * never the databases; dnsd notices the pause file and the own list by
 * itself and is sent SIGHUP after a URL list changed.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "blockfile.h"
#include "blocklist.h"
#include "conf.h"
#include "state.h"
#include "ctl.h"
#include "block_fetch.h"

int	ctl_block(struct ctl *, int, char **);
int	ctl_block_check(struct ctl *, int, char **);	/* ctl_block_check.c */

/* What a download may cost; a 1,000,000-name hosts file is ~35 MB. */
#define UPDATE_MAX_BYTES	(128 * 1024 * 1024)
#define UPDATE_CONNECT_TIMEOUT	30		/* seconds */
#define UPDATE_TIMEOUT		600		/* seconds for one list */
#define PAUSE_DEFAULT		300		/* seconds: Pi-hole's 5 min */

/* Exit statuses of "block update" beyond CTL_OK/CTL_ERROR/CTL_USAGE. */
#define UPDATE_KEPT		CTL_ERROR	/* a list kept its old copy */
#define UPDATE_NO_RELOAD	3	/* lists changed, dnsd not told */
/* A usage error already explained: no usage text after it. */
#define USAGE_SAID		(-CTL_USAGE)

/* Copy as much of src as fits; messages may be cut, never overrun. */
static void
copy_text(char *dst, size_t len, const char *src)
{
	size_t	 n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
fmt_time(int64_t t, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (t <= 0 || localtime_r(&tt, &tm) == NULL) {
		snprintf(buf, len, "never");
		return;
	}
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static void
fmt_duration(int64_t s, char *buf, size_t len)
{
	if (s >= 3600)
		snprintf(buf, len, "%" PRId64 "h %02" PRId64 "m", s / 3600,
		    s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRId64 "m %02" PRId64 "s", s / 60,
		    s % 60);
	else
		snprintf(buf, len, "%" PRId64 "s", s);
}

static int
count_cb(void *arg, const struct bl_entry *e)
{
	(void)arg;
	(void)e;
	return (0);
}

/*
 * Count a downloaded list's entries with dnsd's own parser, so "no
 * entries" here means dnsd would block nothing with it.
 */
static int
count_entries(const char *path, const char *fname, int64_t *ret_entries,
    int64_t *ret_skipped, struct bl_parse_stats *st)
{
	FILE	*f;

	memset(st, 0, sizeof(*st));
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	(void)bl_parse_stream(f, fname, count_cb, NULL, st);
	fclose(f);
	*ret_entries = (int64_t)st->entries;
	*ret_skipped = (int64_t)(st->skipped + st->bad);
	return (0);
}

struct update_opts {
	int		 force;		/* skip the shrink guard */
	const char	*ca_file;
	int64_t		 now;
};

/*
 * Update one URL list.  Returns 1 when a new copy replaced the old, 0
 * when the old one stays current (not modified), -1 when the old copy
 * (if any) was kept because of a failure or a refusal.  Says which in
 * one plain line on stdout.
 */
static int
update_one(struct ctl *c, const struct hgw_blocklist *bl,
    const struct update_opts *o)
{
	struct hgw_conf		*conf = ctl_conf(c);
	struct blockfile_meta	 m;
	struct block_fetch	 f;
	struct stat		 sb;
	char			 list[PATH_MAX], meta[PATH_MAX], tmp[PATH_MAX];
	char			 when[32], why[512];
	struct bl_parse_stats	 ps;
	int64_t			 entries = 0, skipped = 0, floor;
	int			 fd, r, i, have_copy, same_url;

	if (blockfile_list_path(conf, bl->name, ".list", list,
	    sizeof(list)) < 0 || blockfile_list_path(conf, bl->name, ".meta",
	    meta, sizeof(meta)) < 0 || (size_t)snprintf(tmp, sizeof(tmp),
	    "%s.XXXXXX", list) >= sizeof(tmp)) {
		printf("%s: not updated: the state directory's path is too "
		    "long\n", bl->name);
		return (-1);
	}
	if ((r = blockfile_meta_read(meta, &m)) < 0)
		fprintf(stderr, "homegwctl: %s: %s; starting afresh\n", meta,
		    strerror(-r));
	have_copy = stat(list, &sb) == 0;
	same_url = strcmp(m.url, bl->source) == 0;

	memset(&f, 0, sizeof(f));
	f.url = bl->source;
	f.ca_file = o->ca_file;
	f.max_bytes = UPDATE_MAX_BYTES;
	f.connect_timeout = UPDATE_CONNECT_TIMEOUT;
	f.timeout = UPDATE_TIMEOUT;
	/* Ask "only if changed" only when there is a copy to fall back on. */
	if (have_copy && same_url) {
		snprintf(f.etag, sizeof(f.etag), "%s", m.etag);
		snprintf(f.last_modified, sizeof(f.last_modified), "%s",
		    m.last_modified);
	}
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(why, sizeof(why), "cannot create a file in the "
		    "blocklists directory: %s", strerror(errno));
		goto kept;
	}
	block_fetch(&f, fd);
	m.checked = o->now;

	if (f.status == BLOCK_FETCH_NOT_MODIFIED) {
		close(fd);
		unlink(tmp);
		m.error[0] = '\0';
		if ((r = blockfile_meta_write(conf, meta, &m)) < 0)
			fprintf(stderr, "homegwctl: cannot write %s: %s\n", meta,
			    strerror(-r));
		fmt_time(m.fetched, when, sizeof(when));
		printf("%s: not modified since the copy of %s (%" PRId64
		    " entries)\n", bl->name, when, m.entries);
		return (0);
	}
	if (f.status == BLOCK_FETCH_FAILED) {
		close(fd);
		unlink(tmp);
		snprintf(why, sizeof(why), "the download failed: %s", f.error);
		goto kept;
	}
	if (fsync(fd) == -1 || count_entries(tmp, bl->source, &entries,
	    &skipped, &ps) < 0) {
		snprintf(why, sizeof(why), "the download cannot be read back: "
		    "%s", strerror(errno));
		close(fd);
		unlink(tmp);
		goto kept;
	}
	if (entries == 0) {
		close(fd);
		unlink(tmp);
		snprintf(why, sizeof(why), "the new list (%zu bytes, %" PRId64
		    " lines skipped) has no entries", f.bytes, skipped);
		goto kept;
	}
	/* entries < old * (100 - share) / 100, without overflow. */
	floor = m.entries - m.entries * conf->dns.block_shrink_max / 100;
	/* A new source is a new list: nothing to compare it with. */
	if (!o->force && have_copy && same_url && m.entries > 0 &&
	    entries < floor) {
		close(fd);
		unlink(tmp);
		snprintf(why, sizeof(why), "the new list has %" PRId64
		    " entries, %" PRId64 "%% fewer than the %" PRId64 " of "
		    "the last copy (more than [dns] block_shrink_max = %u%%; "
		    "\"homegwctl block update --force %s\" takes it anyway)",
		    entries, (m.entries - entries) * 100 / m.entries,
		    m.entries, conf->dns.block_shrink_max, bl->name);
		goto kept;
	}
	if ((r = blockfile_commit(conf, fd, tmp, list)) < 0) {
		snprintf(why, sizeof(why), "cannot replace the copy: %s",
		    strerror(-r));
		goto kept;
	}
	printf("%s: updated, %" PRId64 " %s", bl->name, entries,
	    entries == 1 ? "entry" : "entries");
	if (have_copy && same_url)
		printf(" (was %" PRId64 ")", m.entries);
	if (skipped > 0)
		printf(", %" PRId64 " %s skipped", skipped,
		    skipped == 1 ? "line" : "lines");
	printf("\n");
	/* Unparsable lines are the list maintainer's to fix: show some. */
	for (i = 0; i < ps.nreported; i++)
		fprintf(stderr, "homegwctl: %s\n", ps.first_bad[i]);
	if (ps.bad > (unsigned long)ps.nreported)
		fprintf(stderr, "homegwctl: %s: %lu more unparsable lines\n",
		    bl->name, ps.bad - (unsigned long)ps.nreported);
	snprintf(m.url, sizeof(m.url), "%s", bl->source);
	snprintf(m.etag, sizeof(m.etag), "%s", f.etag);
	snprintf(m.last_modified, sizeof(m.last_modified), "%s",
	    f.last_modified);
	m.fetched = o->now;
	m.entries = entries;
	m.size = (int64_t)f.bytes;
	m.error[0] = '\0';
	if ((r = blockfile_meta_write(conf, meta, &m)) < 0)
		fprintf(stderr, "homegwctl: cannot write %s: %s\n", meta,
		    strerror(-r));
	return (1);

 kept:
	/*
	 * The validators stay those of the kept copy: a refused list is
	 * downloaded again next time, and taken once it is sane again.
	 */
	copy_text(m.error, sizeof(m.error), why);
	if (!have_copy) {
		/* Whatever the .meta said describes no file any more. */
		m.etag[0] = m.last_modified[0] = '\0';
		m.fetched = m.entries = m.size = 0;
	}
	if (same_url || !have_copy) {
		if (!same_url)
			snprintf(m.url, sizeof(m.url), "%s", bl->source);
		if ((r = blockfile_meta_write(conf, meta, &m)) < 0)
			fprintf(stderr, "homegwctl: cannot write %s: %s\n",
			    meta, strerror(-r));
	}
	if (have_copy && !same_url)
		printf("%s: kept the copy from its former source %s because "
		    "%s\n", bl->name, m.url[0] != '\0' ? m.url : "(unknown)",
		    why);
	else if (have_copy) {
		fmt_time(m.fetched, when, sizeof(when));
		printf("%s: kept the last good copy (%" PRId64 " entries, "
		    "from %s) because %s\n", bl->name, m.entries, when, why);
	} else
		printf("%s: no copy yet, so the list blocks nothing, because "
		    "%s\n", bl->name, why);
	return (-1);
}

/* Send SIGHUP to dnsd.  1 sent, 0 not running, -1 failed (said why). */
static int
tell_dnsd(struct ctl *c)
{
	struct hgw_conf	*conf = ctl_conf(c);
	int64_t		 pid;

	if (state_daemon_alive(conf->gateway.run_dir, "dnsd", &pid) != 1 ||
	    pid <= 1)
		return (0);
	if (kill((pid_t)pid, SIGHUP) == -1) {
		fprintf(stderr, "homegwctl: cannot signal homegw-dnsd (pid "
		    "%" PRId64 ") to reload the lists: %s\n", pid,
		    strerror(errno));
		return (-1);
	}
	return (1);
}

static int
block_update(struct ctl *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "cafile", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	struct hgw_conf		*conf = ctl_conf(c);
	struct hgw_blocklist	*bl;
	struct update_opts	 o;
	char			 dir[PATH_MAX];
	int			 ch, i, r, n = 0, changed = 0, kept = 0;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "+f", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o.force = 1;
			break;
		case 'C':
			o.ca_file = optarg;
			break;
		default:
			return (CTL_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	/* A name asked for must be a URL list: say so rather than skip. */
	for (i = 0; i < argc; i++) {
		if ((bl = conf_blocklist_by_name(conf, argv[i])) == NULL) {
			fprintf(stderr, "homegwctl: no [blocklist %s] in %s\n",
			    argv[i], c->conf_path);
			return (USAGE_SAID);
		}
		if (!conf_source_is_url(bl->source)) {
			fprintf(stderr, "homegwctl: [blocklist %s] reads the "
			    "file %s: nothing to download\n", argv[i],
			    bl->source);
			return (USAGE_SAID);
		}
	}
	if ((r = blockfile_mkdir(conf, dir, sizeof(dir))) < 0) {
		fprintf(stderr, "homegwctl: cannot create %s: %s\n", dir,
		    strerror(-r));
		return (CTL_ERROR);
	}
	if (block_fetch_init() < 0) {
		fprintf(stderr, "homegwctl: cannot initialise downloads\n");
		return (CTL_ERROR);
	}
	o.now = state_now();
	TAILQ_FOREACH(bl, &conf->blocklists, entry) {
		if (!conf_source_is_url(bl->source))
			continue;
		if (argc > 0) {
			for (i = 0; i < argc; i++)
				if (strcmp(argv[i], bl->name) == 0)
					break;
			if (i == argc)
				continue;
		} else if (!bl->enabled)
			continue;
		n++;
		r = update_one(c, bl, &o);
		if (r > 0)
			changed++;
		else if (r < 0)
			kept++;
	}
	block_fetch_cleanup();
	if (n == 0) {
		printf("no enabled [blocklist] with an http or https source: "
		    "nothing to download\n");
		return (CTL_OK);
	}
	if (changed > 0) {
		switch (tell_dnsd(c)) {
		case 1:
			printf("homegw-dnsd was told to reload the lists\n");
			break;
		case 0:
			printf("homegw-dnsd is not running: it reads the lists "
			    "when it starts\n");
			break;
		default:
			return (UPDATE_NO_RELOAD);
		}
	}
	return (kept > 0 ? UPDATE_KEPT : CTL_OK);
}

static int
block_pause(struct ctl *c, int argc, char **argv)
{
	struct hgw_conf	*conf = ctl_conf(c);
	int64_t		 secs = PAUSE_DEFAULT, now = state_now();
	char		 when[32], left[32];
	int		 r;

	if (argc > 2)
		return (CTL_USAGE);
	if (argc == 2 && blockfile_duration(argv[1], &secs) < 0) {
		fprintf(stderr, "homegwctl: expected a duration such as 30s, "
		    "5m, 1h or 1d (at most 7d), got \"%s\"\n", argv[1]);
		return (USAGE_SAID);
	}
	if ((r = blockfile_pause_set(conf, now + secs)) < 0) {
		fprintf(stderr, "homegwctl: cannot write the pause file in "
		    "%s: %s\n", conf->gateway.run_dir, strerror(-r));
		return (CTL_ERROR);
	}
	fmt_time(now + secs, when, sizeof(when));
	fmt_duration(secs, left, sizeof(left));
	printf("blocking paused for %s, until %s\n", left, when);
	return (CTL_OK);
}

static int
block_resume(struct ctl *c, int argc, char **argv)
{
	struct hgw_conf	*conf = ctl_conf(c);
	int		 r;

	if (argc != 1)
		return (CTL_USAGE);
	if ((r = blockfile_pause_set(conf, 0)) < 0) {
		fprintf(stderr, "homegwctl: cannot write the pause file in "
		    "%s: %s\n", conf->gateway.run_dir, strerror(-r));
		return (CTL_ERROR);
	}
	printf("blocking resumed\n");
	return (CTL_OK);
}

static int
block_own(struct ctl *c, int argc, char **argv)
{
	struct hgw_conf		*conf = ctl_conf(c);
	enum blockfile_kind	 kind = BLOCKFILE_DENY;
	char			 name[BLOCKFILE_NAME_MAX + 1], path[PATH_MAX];
	int			 remove = 0, changed, r;

	if (argc != 2)
		return (CTL_USAGE);
	if (strcmp(argv[0], "allow") == 0)
		kind = BLOCKFILE_ALLOW;
	else if (strcmp(argv[0], "remove") == 0)
		remove = 1;
	if (blockfile_name(argv[1], name, sizeof(name)) < 0) {
		fprintf(stderr, "homegwctl: expected a domain name such as "
		    "ads.example.com, got \"%s\"\n", argv[1]);
		return (USAGE_SAID);
	}
	blockfile_own_path(conf, path, sizeof(path));
	r = blockfile_own_edit(conf, name, kind, remove, &changed);
	if (r == -ENOENT) {
		fprintf(stderr, "homegwctl: %s is not among your own entries "
		    "(%s)\n", name, path);
		return (CTL_ERROR);
	}
	if (r < 0) {
		fprintf(stderr, "homegwctl: cannot change %s: %s\n", path,
		    r == -EFBIG ? "the file would grow too large" :
		    strerror(-r));
		return (CTL_ERROR);
	}
	if (remove)
		printf("%s removed from your own entries\n", name);
	else if (!changed)
		printf("%s was already %s\n", name, kind == BLOCKFILE_ALLOW ?
		    "allowed" : "blocked");
	else if (kind == BLOCKFILE_ALLOW)
		printf("%s and its subdomains are allowed, whatever the lists "
		    "say\n", name);
	else
		printf("%s and its subdomains are blocked\n", name);
	return (CTL_OK);
}

/* Rows for "block status", gathered in a scratch table to print. */
static int
status_rows(struct ctl *c, sqlite3 *mem)
{
	struct hgw_conf		*conf = ctl_conf(c);
	struct hgw_blocklist	*bl;
	struct blockfile_meta	 m;
	struct stat		 sb;
	sqlite3_stmt		*ins = NULL, *dn = NULL;
	sqlite3			*live;
	char			 path[PATH_MAX];
	int64_t			 upd, chk;
	int			 url;

	/* Epoch seconds and flags, as the page's API gives them. */
	if (sqlite3_exec(mem, "CREATE TABLE s (name TEXT, source TEXT, "
	    "url INTEGER, enabled INTEGER, entries INTEGER, updated INTEGER, "
	    "checked INTEGER, loaded INTEGER, error TEXT)", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(mem, "INSERT INTO s VALUES (?, ?, ?, ?, ?, ?, "
	    "?, ?, ?)", -1, &ins, NULL) != SQLITE_OK)
		return (-1);
	/* What dnsd loaded, when it runs: the truth about entries. */
	conf_live_db(conf, path, sizeof(path));
	if (access(path, F_OK) == 0 && (live = ctl_live(c)) != NULL &&
	    sqlite3_prepare_v2(live, "SELECT entries, error, loaded FROM "
	    "blocklists WHERE name = ?", -1, &dn, NULL) != SQLITE_OK)
		dn = NULL;
	TAILQ_FOREACH(bl, &conf->blocklists, entry) {
		int64_t		 entries = -1, loaded = 0;
		const char	*derr = NULL;
		char		 err[512] = "";

		url = conf_source_is_url(bl->source);
		memset(&m, 0, sizeof(m));
		if (url && blockfile_list_path(conf, bl->name, ".meta", path,
		    sizeof(path)) == 0)
			blockfile_meta_read(path, &m);
		if (dn != NULL) {
			sqlite3_reset(dn);
			sqlite3_bind_text(dn, 1, bl->name, -1, SQLITE_STATIC);
			if (sqlite3_step(dn) == SQLITE_ROW) {
				entries = sqlite3_column_int64(dn, 0);
				derr = (const char *)sqlite3_column_text(dn,
				    1);
				loaded = sqlite3_column_int64(dn, 2);
			}
		}
		if (url) {
			upd = m.fetched;
			chk = m.checked;
			if (entries < 0 && m.fetched > 0)
				entries = m.entries;
		} else {
			upd = stat(bl->source, &sb) == 0 ?
			    (int64_t)sb.st_mtime : 0;
			chk = 0;
		}
		if (m.error[0] != '\0')
			snprintf(err, sizeof(err), "%s", m.error);
		if (derr != NULL && *derr != '\0')
			snprintf(err + strlen(err), sizeof(err) - strlen(err),
			    "%sdnsd: %s", err[0] ? "; " : "", derr);
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, bl->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 2, bl->source, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(ins, 3, url);
		sqlite3_bind_int(ins, 4, bl->enabled);
		if (entries >= 0)
			sqlite3_bind_int64(ins, 5, entries);
		else
			sqlite3_bind_null(ins, 5);
		sqlite3_bind_int64(ins, 6, upd);
		sqlite3_bind_int64(ins, 7, chk);
		sqlite3_bind_int64(ins, 8, loaded);
		if (err[0] != '\0')
			sqlite3_bind_text(ins, 9, err, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(ins, 9);
		if (sqlite3_step(ins) != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(dn);
	sqlite3_finalize(ins);
	return (0);
}

static void
own_row(void *arg, enum blockfile_kind kind, const char *name)
{
	sqlite3_stmt	*st = arg;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, kind == BLOCKFILE_ALLOW ? "allow" : "deny",
	    -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	(void)sqlite3_step(st);
}

/* An epoch column as local time, "never" for 0. */
#define WHEN_SQL(col) "CASE WHEN " col " > 0 THEN datetime(" col ", " \
	"'unixepoch', 'localtime') ELSE 'never' END AS " col

static int
block_status(struct ctl *c, int argc, char **argv)
{
	struct hgw_conf	*conf = ctl_conf(c);
	sqlite3		*mem = NULL;
	sqlite3_stmt	*st = NULL;
	int64_t		 now = state_now(), until;
	char		 when[32], left[32];
	int		 rv = CTL_ERROR;

	if (argc != 1)
		return (CTL_USAGE);
	if (blockfile_pause_get(conf, now, &until) < 0)
		until = 0;
	if (sqlite3_open(":memory:", &mem) != SQLITE_OK ||
	    status_rows(c, mem) < 0 ||
	    sqlite3_exec(mem, "CREATE TABLE o (kind TEXT, name TEXT)", NULL,
	    NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(mem, "INSERT INTO o VALUES (?, ?)", -1, &st,
	    NULL) != SQLITE_OK)
		goto out;
	blockfile_own_each(conf, own_row, st);
	sqlite3_finalize(st);
	st = NULL;

	if (c->json)
		printf("{\"paused_until\": %" PRId64 ", \"lists\": ", until);
	else if (until > 0) {
		fmt_time(until, when, sizeof(when));
		fmt_duration(until - now, left, sizeof(left));
		printf("blocking: paused until %s (%s left)\n\n", when, left);
	} else
		printf("blocking: on\n\n");
	if (sqlite3_prepare_v2(mem, c->json ? "SELECT * FROM s" :
	    "SELECT name, CASE enabled WHEN 1 THEN 'yes' ELSE 'no' END AS "
	    "enabled, source, entries, " WHEN_SQL("updated") ", "
	    WHEN_SQL("checked") ", " WHEN_SQL("loaded") ", error FROM s", -1,
	    &st, NULL) != SQLITE_OK || ctl_print_query(c, st) < 0)
		goto out;
	sqlite3_finalize(st);
	if (c->json)
		printf(", \"own\": ");
	else
		printf("\nyour own entries:\n");
	if (sqlite3_prepare_v2(mem, "SELECT * FROM o", -1, &st, NULL) !=
	    SQLITE_OK || ctl_print_query(c, st) < 0)
		goto out;
	if (c->json)
		printf("}\n");
	rv = CTL_OK;
 out:
	sqlite3_finalize(st);
	sqlite3_close(mem);
	return (rv);
}

/* homegwctl block check|update|pause|resume|status|allow|deny|remove */
int
ctl_block(struct ctl *c, int argc, char **argv)
{
	int	 rv;

	if (argc < 2)
		goto usage;
	if (strcmp(argv[1], "check") == 0)
		return (ctl_block_check(c, argc - 1, argv + 1));
	if (strcmp(argv[1], "update") == 0)
		rv = block_update(c, argc - 1, argv + 1);
	else if (strcmp(argv[1], "pause") == 0)
		rv = block_pause(c, argc - 1, argv + 1);
	else if (strcmp(argv[1], "resume") == 0)
		rv = block_resume(c, argc - 1, argv + 1);
	else if (strcmp(argv[1], "status") == 0)
		rv = block_status(c, argc - 1, argv + 1);
	else if (strcmp(argv[1], "allow") == 0 ||
	    strcmp(argv[1], "deny") == 0 || strcmp(argv[1], "remove") == 0)
		rv = block_own(c, argc - 1, argv + 1);
	else
		goto usage;
	if (rv == USAGE_SAID)
		return (CTL_USAGE);
	if (rv != CTL_USAGE)
		return (rv);
 usage:
	fprintf(stderr, "usage: homegwctl block check NAME [--client ADDR]\n"
	    "       homegwctl block update [--force] "
	    "[--cafile file] [name ...]\n"
	    "       homegwctl block pause [duration] | resume | status\n"
	    "       homegwctl block allow | deny | remove name\n");
	return (CTL_USAGE);
}
