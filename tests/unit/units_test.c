/*
 * SPDX-License-Identifier: ISC
 *
 * units_test.c: units_disabled() reads systemd's links the way
 * "systemctl is-enabled" does: enabled (a link in homegw.target.wants),
 * disabled (the directory without that link), masked (a link to
 * /dev/null, even with the target's directory gone), and unknown when
 * systemd does not manage homegw (no directory at all), which must not
 * read as disabled.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "units.h"
#include "../tap.h"

static char	 dir[] = "/tmp/hgw-units-test.XXXXXX";

static void
path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", dir, rel);
}

int
main(void)
{
	char	 p[512], wants[512];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	setenv("HGW_SYSTEMD_DIR", dir, 1);

	CHECK_MSG(units_disabled("webd") == 0,
	    "no homegw.target.wants: not under systemd, not disabled");

	path(wants, sizeof(wants), "homegw.target.wants");
	CHECK(mkdir(wants, 0755) == 0);
	path(p, sizeof(p), "homegw.target.wants/homegw-webd.service");
	CHECK(symlink("/lib/systemd/system/homegw-webd.service", p) == 0);
	CHECK_MSG(units_disabled("webd") == 0, "linked: enabled");
	CHECK_MSG(units_disabled("arpd") == 1,
	    "the target's directory without arpd's link: disabled");

	/* A dangling link still says "enabled", as systemctl does. */
	path(p, sizeof(p), "homegw.target.wants/homegw-dnsd.service");
	CHECK(symlink("/nonexistent/homegw-dnsd.service", p) == 0);
	CHECK_MSG(units_disabled("dnsd") == 0, "a dangling link: enabled");

	path(p, sizeof(p), "homegw-natd.service");
	CHECK(symlink("/dev/null", p) == 0);
	CHECK_MSG(units_disabled("natd") == 1, "masked: disabled");

	path(p, sizeof(p), "homegw.target.wants/homegw-webd.service");
	unlink(p);
	path(p, sizeof(p), "homegw.target.wants/homegw-dnsd.service");
	unlink(p);
	rmdir(wants);
	CHECK_MSG(units_disabled("natd") == 1,
	    "masked without the target's directory: still disabled");
	CHECK_MSG(units_disabled("webd") == 0,
	    "the directory gone again: unknown, not disabled");

	path(p, sizeof(p), "homegw-natd.service");
	unlink(p);
	rmdir(dir);
	return (tap_done());
}
