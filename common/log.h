/*
 * SPDX-License-Identifier: ISC
 *
 * log.h: logging for the daemons and tools.  In the foreground everything
 * goes to stderr; otherwise to syslog, which the journal collects.  The
 * common/ library itself logs at debug level only (see STYLE.md).
 */
#ifndef HGW_LOG_H
#define HGW_LOG_H

#include <stdarg.h>

/*
 * Open logging.  foreground != 0 writes to stderr, otherwise syslog with
 * the given facility (LOG_DAEMON).  Safe to call again to switch.
 */
void	log_init(int foreground, int facility);
/* Set verbosity: 0 = info and above, 1 or more = debug as well. */
void	log_setverbose(int verbose);
int	log_getverbose(void);
/* Name this process in every message (e.g. "dnsd"). */
void	log_procinit(const char *name);
/* Route libevent's own warnings into our log. */
void	log_libevent(void);

/* log_warn appends strerror(errno); log_warnx does not. */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	vlog(int, const char *, va_list) __attribute__((format(printf, 2, 0)));
/* Log and exit(1): start-up failures and broken invariants only. */
void	fatal(const char *, ...) __attribute__((format(printf, 1, 2)))
	    __attribute__((noreturn));
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2)))
	    __attribute__((noreturn));

#endif /* HGW_LOG_H */
