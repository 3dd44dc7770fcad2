/*
 * SPDX-License-Identifier: ISC
 *
 * ctl.h: homegwctl's commands.  homegwctl.c parses the global options and
 * dispatches; each area of the gateway has its own file (ctl_status.c,
 * ctl_hosts.c, ctl_dns.c, ...) with one entry point per command.  Commands
 * only read the databases, except where a command says otherwise
 * (passwd edits the config file; nat flush-rules asks natd).
 */
#ifndef HGW_CTL_H
#define HGW_CTL_H

#include <stdio.h>
#include <sqlite3.h>

struct hgw_conf;

struct ctl {
	const char	*conf_path;	/* -c FILE */
	struct hgw_conf	*conf;		/* loaded on demand by ctl_conf() */
	int		 json;		/* --json */
	sqlite3		*live;		/* opened on demand, read-only */
	sqlite3		*persist;
};

/* A command: argv[0] is the command's own name ("status"). */
struct ctl_command {
	const char	*name;
	int		(*fn)(struct ctl *, int argc, char **argv);
	const char	*usage;		/* "status", "hosts [--free | suggest]" */
};

/* Load the config (exits 1 printing every error if it is invalid). */
struct hgw_conf	*ctl_conf(struct ctl *);
/*
 * Open live.db / homegw.db read-only.  Returns NULL (after printing why on
 * stderr) when the database does not exist yet, i.e. the daemon that
 * writes it has never run.
 */
sqlite3		*ctl_live(struct ctl *);
sqlite3		*ctl_persist(struct ctl *);

/*
 * Print a query's result as a table (column headers from the statement)
 * or, with --json, as a JSON array of objects.  Returns the row count or
 * -1 on error.
 */
int		 ctl_print_query(struct ctl *, sqlite3_stmt *);
/* Print column i of st's current row as a JSON value. */
void		 ctl_json_column(sqlite3_stmt *, int i);
/* Print s as a JSON string literal, with quotes. */
void		 ctl_json_string(FILE *, const char *s);

/*
 * Hash a password as "homegwctl passwd" does (yescrypt, fresh salt) into
 * out of len bytes (ctl_passwd.c).  0, or -1.
 */
int		 hash_password(const char *pw, char *out, size_t len);

/* ctl_health.c: the health part of "homegwctl status"; 0 or -1. */
int		 ctl_status_health(struct ctl *, sqlite3 *live);

/* Exit statuses. */
#define CTL_OK		0
#define CTL_ERROR	1
#define CTL_USAGE	2

#endif /* HGW_CTL_H */
