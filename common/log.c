/*
 * SPDX-License-Identifier: ISC
 *
 * log.c: the one place messages leave a program.  Owns the choice between
 * stderr and syslog and the verbosity; never exits except in fatal().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"

static int	 log_foreground = 1;
static int	 log_verbose;
static const char *log_procname = "homegw";

/* Open logging to stderr or syslog. */
void
log_init(int foreground, int facility)
{
	log_foreground = foreground;
	if (!foreground)
		openlog(log_procname, LOG_PID | LOG_NDELAY, facility);
	tzset();
}

/* Set how much is logged. */
void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

/* Return the verbosity. */
int
log_getverbose(void)
{
	return (log_verbose);
}

/* Name the process in messages. */
void
log_procinit(const char *name)
{
	if (name != NULL)
		log_procname = name;
}

/* Log one message at a syslog priority. */
void
vlog(int pri, const char *fmt, va_list ap)
{
	int	 saved_errno = errno;

	if (pri == LOG_DEBUG && log_verbose == 0)
		return;
	if (log_foreground) {
		fprintf(stderr, "%s: ", log_procname);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		fflush(stderr);
	} else
		vsyslog(pri, fmt, ap);
	errno = saved_errno;
}

static void
logit_errno(int pri, const char *fmt, va_list ap)
{
	char	 buf[1024];
	int	 saved_errno = errno;

	if (fmt == NULL) {
		snprintf(buf, sizeof(buf), "%s", strerror(saved_errno));
	} else {
		vsnprintf(buf, sizeof(buf), fmt, ap);
		size_t len = strlen(buf);
		snprintf(buf + len, sizeof(buf) - len, ": %s",
		    strerror(saved_errno));
	}
	if (log_foreground) {
		fprintf(stderr, "%s: %s\n", log_procname, buf);
		fflush(stderr);
	} else
		syslog(pri, "%s", buf);
	errno = saved_errno;
}

/* Warn, with strerror(errno) appended. */
void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	logit_errno(LOG_WARNING, fmt, ap);
	va_end(ap);
}

/* Warn without errno. */
void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

/* A state change a user cares about. */
void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

/* Detail, shown with -v. */
void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_verbose == 0)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

/* Log with strerror(errno) and exit. */
void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	logit_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Log and exit. */
void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

static void
libevent_log_cb(int severity, const char *msg)
{
	switch (severity) {
	case EVENT_LOG_DEBUG:
		log_debug("libevent: %s", msg);
		break;
	case EVENT_LOG_MSG:
		log_info("libevent: %s", msg);
		break;
	default:
		log_warnx("libevent: %s", msg);
		break;
	}
}

/* Send libevent's messages through this module. */
void
log_libevent(void)
{
	event_set_log_callback(libevent_log_cb);
}
