/*
 * SPDX-License-Identifier: ISC
 *
 * alerts.h: what needs the gateway owner's attention, in words, read from
 * live.db: a daemon not running or that stopped answering, natd's rules
 * not loaded or
 * IPv4 forwarding off, an address in conflict or that addrd could not
 * set, every DNS upstream down, a nearly full connection table, natd's
 * mirror full, a database write failing (with its cause in words) and a
 * damaged homegw.db replaced in the last day.  One list for the status
 * page and for homegwctl status, so both say the same.
 */
#ifndef HGW_ALERTS_H
#define HGW_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct hgw_conf;

/* A daemon silent this long is worth an alert. */
#define ALERTS_SILENT_S		60

/* level is "bad" or "warn"; text is one sentence, without a final period. */
typedef void (*alerts_cb)(const char *level, const char *text, void *arg);

/*
 * Call cb for each alert, the bad ones first.  conf may be NULL (the
 * check that needs it, NAT rules asked for but not loaded, is then made
 * as if they were asked for).  self names the calling daemon ("webd"),
 * which is running whatever its row says; NULL for a tool.  A daemon's
 * metrics count only while it answers: a stopped daemon's last word is
 * no longer news.  Nothing without live.db (no daemon has run).
 */
void	alerts_collect(sqlite3 *live, const struct hgw_conf *conf,
	    const char *self, int64_t now, alerts_cb cb, void *arg);

/* Failed logins in the last hour worth an alert. */
#define ALERTS_LOGINS_FAILED	5

/*
 * Failed logins to the status page in the last hour (webd's events in
 * homegw.db), the address most came from in top; -1 when homegw.db
 * cannot be read.
 */
int	alerts_failed_logins(const struct hgw_conf *, int64_t now, char *top,
	    size_t len);

#endif /* HGW_ALERTS_H */
