/*
 * SPDX-License-Identifier: ISC
 *
 * generator.c: homegw-generator, a systemd generator (systemd.generator(7))
 * run at boot and at every "systemctl daemon-reload".  The units sandbox
 * each daemon with ProtectSystem=strict: the whole file system is
 * read-only to them except their RuntimeDirectory= (/run/homegw) and
 * StateDirectory= (/var/lib/homegw).  homegw.conf(5) lets [gateway]
 * run_dir and state_dir point elsewhere (say /srv/homegw on a USB disk),
 * which the units cannot know.  This program reads the config and, for a
 * directory outside those defaults, writes a drop-in for every daemon
 * that makes it writable and creates it for the homegw user before the
 * daemon starts.  It writes nothing for the defaults, and nothing at all
 * when the config does not load: the daemons then say why themselves
 * (and exit 78).  A generator must never fail the boot, so it always
 * exits 0 and speaks only to the kernel log through stderr.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "state.h"

#define DEFAULT_RUN_DIR		"/run/homegw"
#define DEFAULT_STATE_DIR	"/var/lib/homegw"
#define DROPIN_NAME		"50-homegw-dirs.conf"

/*
 * Characters that would end or bend a unit file line.  homegw.conf's
 * paths are absolute and checked by conf.c, but a drop-in is a second
 * language: refuse what it would read differently.
 */
static int
unit_safe(const char *s)
{
	const char	*p;

	if (s[0] == '\0')
		return (0);
	for (p = s; *p != '\0'; p++)
		if (*p == '\n' || *p == '\\' || *p == '%' || *p == ' ' ||
		    *p == '"' || *p == '\'' || *p == '\t')
			return (0);
	return (1);
}

static int
write_dropin(const char *outdir, const char *daemon, const char *conf_path,
    const char *user, const char *const *dirs, int ndirs)
{
	char	 path[PATH_MAX];
	FILE	*f;
	int	 i;

	if (snprintf(path, sizeof(path), "%s/homegw-%s.service.d", outdir,
	    daemon) >= (int)sizeof(path))
		return (-1);
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		return (-1);
	if (snprintf(path, sizeof(path), "%s/homegw-%s.service.d/%s", outdir,
	    daemon, DROPIN_NAME) >= (int)sizeof(path))
		return (-1);
	if ((f = fopen(path, "w")) == NULL)
		return (-1);
	fprintf(f, "# Written by homegw-generator from %s at boot or\n"
	    "# \"systemctl daemon-reload\": [gateway] run_dir or state_dir\n"
	    "# lies outside the directories the unit opens by itself.\n"
	    "[Service]\n", conf_path);
	for (i = 0; i < ndirs; i++) {
		/*
		 * "+": without the sandbox, as root, so that the directory
		 * (and its parents) can be made; "-" on ReadWritePaths= keeps
		 * a vanished directory from failing the namespace setup
		 * before ExecStartPre= has made it again.
		 */
		fprintf(f, "ExecStartPre=+/usr/bin/install -d -o %s -g %s "
		    "-m 0770 %s\n", user, user, dirs[i]);
		fprintf(f, "ReadWritePaths=-%s\n", dirs[i]);
	}
	if (fclose(f) == EOF)
		return (-1);
	return (0);
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	struct hgw_conf	*conf;
	const char	*dirs[2], *conf_path, *outdir;
	char		*errors = NULL;
	size_t		 i;
	int		 n = 0;

	/* systemd passes three directories; the first is the normal one. */
	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: homegw-generator normal-dir "
		    "[early-dir late-dir]\n");
		return (0);
	}
	outdir = argv[1];
	if ((conf_path = getenv("HGW_GENERATOR_CONF")) == NULL)
		conf_path = HGW_CONF_PATH;
	/* No config yet (before setup) is the ordinary case. */
	if (stat(conf_path, &st) == -1 && errno == ENOENT)
		return (0);
	if ((conf = conf_load(conf_path, &errors)) == NULL) {
		fprintf(stderr, "homegw-generator: %s does not load; no "
		    "drop-ins written\n", conf_path);
		free(errors);
		return (0);
	}
	if (strcmp(conf->gateway.run_dir, DEFAULT_RUN_DIR) != 0)
		dirs[n++] = conf->gateway.run_dir;
	if (strcmp(conf->gateway.state_dir, DEFAULT_STATE_DIR) != 0)
		dirs[n++] = conf->gateway.state_dir;
	for (i = 0; i < (size_t)n; i++) {
		if (dirs[i][0] != '/' || !unit_safe(dirs[i])) {
			fprintf(stderr, "homegw-generator: %s: cannot be "
			    "written into a unit file; no drop-ins written\n",
			    dirs[i]);
			n = 0;
		}
	}
	if (n > 0 && !unit_safe(conf->gateway.user)) {
		fprintf(stderr, "homegw-generator: [gateway] user: cannot be "
		    "written into a unit file; no drop-ins written\n");
		n = 0;
	}
	for (i = 0; n > 0 && i < STATE_NDAEMONS; i++)
		if (write_dropin(outdir, state_daemons[i], conf_path,
		    conf->gateway.user, dirs, n) == -1)
			fprintf(stderr, "homegw-generator: %s: cannot write "
			    "the drop-in for homegw-%s: %s\n", outdir,
			    state_daemons[i], strerror(errno));
	/* The blocklist download writes in state_dir too. */
	if (n > 0 && write_dropin(outdir, "blocklist-update", conf_path,
	    conf->gateway.user, dirs, n) == -1)
		fprintf(stderr, "homegw-generator: %s: cannot write the "
		    "drop-in for homegw-blocklist-update: %s\n", outdir,
		    strerror(errno));
	conf_free(conf);
	return (0);
}
