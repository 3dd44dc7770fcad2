/*
 * SPDX-License-Identifier: ISC
 *
 * units.c: whether the owner disabled one homegw daemon.  "systemctl
 * enable homegw.target" links every daemon into
 * /etc/systemd/system/homegw.target.wants/ (the target's Also=, each
 * unit's WantedBy=homegw.target); "systemctl disable homegw-webd"
 * removes that one link, "systemctl mask" adds a link to /dev/null.
 * Reading the links is what "systemctl is-enabled" does too, and works
 * inside the daemons' sandbox, where there is no bus to ask.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "units.h"

int
units_disabled(const char *daemon)
{
	struct stat	 st;
	const char	*dir;
	char		 path[PATH_MAX], target[PATH_MAX];
	ssize_t		 n;

	if ((dir = getenv("HGW_SYSTEMD_DIR")) == NULL || *dir == '\0')
		dir = "/etc/systemd/system";
	if (snprintf(path, sizeof(path), "%s/homegw-%s.service", dir,
	    daemon) >= (int)sizeof(path))
		return (0);
	if ((n = readlink(path, target, sizeof(target) - 1)) > 0) {
		target[n] = '\0';
		if (strcmp(target, "/dev/null") == 0)
			return (1);	/* masked */
	}
	if (snprintf(path, sizeof(path), "%s/homegw.target.wants", dir) >=
	    (int)sizeof(path) || stat(path, &st) == -1 || !S_ISDIR(st.st_mode))
		return (0);
	if (snprintf(path, sizeof(path), "%s/homegw.target.wants/"
	    "homegw-%s.service", dir, daemon) >= (int)sizeof(path))
		return (0);
	return (lstat(path, &st) == -1);
}
