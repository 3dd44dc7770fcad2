/*
 * SPDX-License-Identifier: ISC
 *
 * ctl_config.c: "homegwctl check-config", which validates a homegw.conf
 * the way every daemon would at start-up (the same conf_load()), so a
 * changed file can be checked before the daemons are reloaded.  Reads the
 * file only; opens no database and changes nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ctl.h"

int	ctl_check_config(struct ctl *, int, char **);

/*
 * Check FILE (default: the -c path).  Exit 0 with "configuration OK"
 * (and a warning on stderr when no web password is set),
 * or with -v/--print the canonical config on stdout (the OK line then
 * goes to stderr, so stdout stays a file that reads back); exit 1 with
 * every error on stderr.
 */
int
ctl_check_config(struct ctl *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "print", no_argument, NULL, 'v' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct hgw_conf	*conf;
	const char	*path;
	char		*errors = NULL;
	int		 ch, print = 0;

	while ((ch = getopt_long(argc, argv, "v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'v':
			print = 1;
			break;
		default:
			fprintf(stderr, "usage: homegwctl check-config "
			    "[-v | --print] [file]\n");
			return (CTL_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1) {
		fprintf(stderr, "usage: homegwctl check-config "
		    "[-v | --print] [file]\n");
		return (CTL_USAGE);
	}
	path = argc == 1 ? argv[0] : c->conf_path;

	if ((conf = conf_load(path, &errors)) == NULL) {
		if (errors != NULL)
			fputs(errors, stderr);
		else
			fprintf(stderr, "homegwctl: %s: %s\n", path,
			    strerror(errno));
		free(errors);
		return (CTL_ERROR);
	}
	/*
	 * Valid, but homegw-webd refuses to start without a password (and
	 * exits 78): say so now rather than in the journal at boot.
	 */
	if (conf->web.password_hash[0] == '\0' && !conf->web.open_access)
		fprintf(stderr, "warning: %s: no [web] password_hash, so "
		    "homegw-webd will not start: set one with: homegwctl "
		    "passwd\n", path);
	if (print) {
		conf_print(stdout, conf);
		fprintf(stderr, "configuration OK\n");
	} else
		printf("configuration OK\n");
	conf_free(conf);
	return (CTL_OK);
}
