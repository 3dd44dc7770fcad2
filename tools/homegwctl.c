/*
 * SPDX-License-Identifier: ISC
 *
 * homegwctl.c: main(), global options and command dispatch for homegwctl,
 * plus the small helpers every command shares (config, read-only database
 * handles, table and JSON output).  The commands live in ctl_*.c.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "conf.h"
#include "log.h"
#include "state.h"
#include "ctl.h"

/* The commands; each area's file adds its own lines here. */
int	ctl_version(struct ctl *, int, char **);
int	ctl_status(struct ctl *, int, char **);
int	ctl_check_config(struct ctl *, int, char **);
int	ctl_hosts(struct ctl *, int, char **);
int	ctl_nat(struct ctl *, int, char **);
int	ctl_arp(struct ctl *, int, char **);
int	ctl_passwd(struct ctl *, int, char **);
int	ctl_dns(struct ctl *, int, char **);
int	ctl_trace(struct ctl *, int, char **);
int	ctl_setup(struct ctl *, int, char **);
int	ctl_block(struct ctl *, int, char **);

static const struct ctl_command commands[] = {
	{ "version", ctl_version, "version" },
	{ "status", ctl_status, "status" },
	{ "check-config", ctl_check_config, "check-config [-v] [file]" },
	{ "hosts", ctl_hosts, "hosts [--free | suggest [name [mac]]]" },
	{ "nat", ctl_nat, "nat [--host h] [--proto p] [--port n] [--state s] "
	    "[--name pattern] [--sort key] [--limit n] | nat top | nat rules | "
	    "nat flush-rules | nat load-rules" },
	{ "arp", ctl_arp, "arp [events [-n count] | history address|mac]" },
	{ "passwd", ctl_passwd, "passwd" },
	{ "dns", ctl_dns, "dns [log [-n count] [client|name] | history]" },
	{ "trace", ctl_trace, "trace host [--seconds n] | trace list | "
	    "trace show id" },
	{ "setup", ctl_setup, "setup [-c file] [--lan if] [--wan if] "
	    "[--lan-address addr/plen] [--wan-address addr/plen] "
	    "[--wan-gateway addr] [--upstream addr[:port],...] "
	    "[--name name] [--password-file file | --generate-password] "
	    "[--yes] [--no-start] [--fix]" },
	{ "block", ctl_block, "block check NAME [--client ADDR] | "
	    "block update [--force] [--cafile file] [name ...] | "
	    "block pause [duration] | block resume | block status | "
	    "block allow|deny|remove name" },
};

static void __attribute__((noreturn))
usage(void)
{
	size_t	 i;

	fprintf(stderr, "usage: homegwctl [-h] [--json] [-c file] command "
	    "[args]\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "    %s\n", commands[i].usage);
	exit(CTL_USAGE);
}

/* Print the version. */
int
ctl_version(struct ctl *c, int argc, char **argv)
{
	printf("homegwctl %s\n", HGW_VERSION);
	return (CTL_OK);
}

/* Load the config, exiting with every error when it is invalid. */
struct hgw_conf *
ctl_conf(struct ctl *c)
{
	char	*errors = NULL;

	if (c->conf != NULL)
		return (c->conf);
	if ((c->conf = conf_load(c->conf_path, &errors)) == NULL) {
		if (errors != NULL)
			fputs(errors, stderr);
		else
			fprintf(stderr, "homegwctl: %s: %s\n", c->conf_path,
			    strerror(errno));
		free(errors);
		exit(CTL_ERROR);
	}
	return (c->conf);
}

static sqlite3 *
open_db(struct ctl *c, enum hgw_db which)
{
	char		 path[PATH_MAX];
	sqlite3		*db;
	int		 r;

	if (which == HGW_DB_LIVE)
		conf_live_db(ctl_conf(c), path, sizeof(path));
	else
		conf_persist_db(ctl_conf(c), path, sizeof(path));
	if ((r = state_open(path, which, 1, &db)) < 0) {
		if (r == -ENOENT)
			fprintf(stderr, "homegwctl: %s does not exist yet: "
			    "no homegw daemon has run with this config\n", path);
		else
			fprintf(stderr, "homegwctl: cannot open %s: %s\n", path,
			    strerror(-r));
		return (NULL);
	}
	return (db);
}

/* live.db, read-only. */
sqlite3 *
ctl_live(struct ctl *c)
{
	if (c->live == NULL)
		c->live = open_db(c, HGW_DB_LIVE);
	return (c->live);
}

/* homegw.db, read-only. */
sqlite3 *
ctl_persist(struct ctl *c)
{
	if (c->persist == NULL)
		c->persist = open_db(c, HGW_DB_PERSIST);
	return (c->persist);
}

/* Write a JSON string literal. */
void
ctl_json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void
ctl_json_column(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		fputs("null", stdout);
		break;
	case SQLITE_INTEGER:
		printf("%lld", (long long)sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		/* As webd's json_double(): the API's rows, digit for digit. */
		printf("%.6g", sqlite3_column_double(st, i));
		break;
	default:
		ctl_json_string(stdout, (const char *)sqlite3_column_text(st, i));
	}
}

#define CTL_MAX_COLS	32
#define CTL_MAX_ROWS	100000

/* Print a query as a table, or as JSON with --json. */
int
ctl_print_query(struct ctl *c, sqlite3_stmt *st)
{
	int	 ncol = sqlite3_column_count(st), rows = 0, r, i;
	int	 width[CTL_MAX_COLS];
	char	**cells = NULL;
	size_t	 ncells = 0, cap = 0;

	if (ncol > CTL_MAX_COLS)
		ncol = CTL_MAX_COLS;
	if (c->json) {
		fputc('[', stdout);
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			fputs(rows++ ? ",\n {" : "\n {", stdout);
			for (i = 0; i < ncol; i++) {
				if (i > 0)
					fputs(", ", stdout);
				ctl_json_string(stdout,
				    sqlite3_column_name(st, i));
				fputs(": ", stdout);
				ctl_json_column(st, i);
			}
			fputc('}', stdout);
		}
		fputs(rows ? "\n]\n" : "]\n", stdout);
		return (r == SQLITE_DONE ? rows : -1);
	}

	/* Text: collect the rows first so the columns can be aligned. */
	for (i = 0; i < ncol; i++)
		width[i] = (int)strlen(sqlite3_column_name(st, i));
	while ((r = sqlite3_step(st)) == SQLITE_ROW && rows < CTL_MAX_ROWS) {
		if (ncells + (size_t)ncol > cap) {
			cap = cap ? cap * 2 : 256;
			if ((cells = reallocarray(cells, cap + ncol,
			    sizeof(*cells))) == NULL)
				err(CTL_ERROR, "reallocarray");
		}
		for (i = 0; i < ncol; i++) {
			const char *t = (const char *)sqlite3_column_text(st, i);
			char *s = strdup(t != NULL ? t : "-");

			if (s == NULL)
				err(CTL_ERROR, "strdup");
			if ((int)strlen(s) > width[i])
				width[i] = (int)strlen(s);
			cells[ncells++] = s;
		}
		rows++;
	}
	for (i = 0; i < ncol; i++)
		printf("%-*s%s", i + 1 < ncol ? width[i] : 0,
		    sqlite3_column_name(st, i), i + 1 < ncol ? "  " : "\n");
	for (size_t k = 0; k < ncells; k++) {
		i = (int)(k % (size_t)ncol);
		printf("%-*s%s", i + 1 < ncol ? width[i] : 0, cells[k],
		    i + 1 < ncol ? "  " : "\n");
		free(cells[k]);
	}
	free(cells);
	/* Rows were left out: say so where a pipe will not swallow it. */
	if (r == SQLITE_ROW)
		fprintf(stderr, "homegwctl: only the first %d rows are shown; "
		    "narrow the listing or use --json for all of them\n",
		    CTL_MAX_ROWS);
	return (r == SQLITE_DONE || r == SQLITE_ROW ? rows : -1);
}

/* Parse the global options and run one command. */
int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl	 c = { .conf_path = HGW_CONF_PATH };
	size_t		 i;
	int		 ch, rv;

	log_init(1, 0);
	log_procinit("homegwctl");
	/* "+": stop at the command so its own options stay its own. */
	while ((ch = getopt_long(argc, argv, "+c:hj", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			c.conf_path = optarg;
			break;
		case 'j':
			c.json = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	/* Allow --json after the command too ("homegwctl hosts --json"). */
	for (int k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--json") == 0) {
			c.json = 1;
			memmove(&argv[k], &argv[k + 1],
			    (size_t)(argc - k) * sizeof(*argv));
			argc--;
			k--;
		}
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		fprintf(stderr, "homegwctl: unknown command \"%s\"\n", argv[0]);
		usage();
	}
	optind = 1;	/* commands may use getopt on their own argv */
	rv = commands[i].fn(&c, argc, argv);
	state_close(c.live);
	state_close(c.persist);
	conf_free(c.conf);
	return (rv);
}
