/*
 * SPDX-License-Identifier: ISC
 *
 * tap.h: a tiny TAP producer for the C unit tests.  CHECK(expr) prints
 * "ok N - file:line expr" or "not ok N - ..." and keeps going, so one run
 * shows every failure; tap_done() prints the plan and returns the exit
 * status.  Header-only so a test links nothing but what it tests.
 */
#ifndef HGW_TAP_H
#define HGW_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static inline int
tap_check(int ok, const char *file, int line, const char *what)
{
	tap_count++;
	if (!ok)
		tap_failed++;
	printf("%sok %d - %s:%d: %s\n", ok ? "" : "not ", tap_count, file,
	    line, what);
	fflush(stdout);
	return (ok);
}

/* Check a condition; evaluates to the condition's truth. */
#define CHECK(expr)	tap_check(!!(expr), __FILE__, __LINE__, #expr)
/* Check with a name of our own. */
#define CHECK_MSG(expr, msg) tap_check(!!(expr), __FILE__, __LINE__, (msg))
/* Compare two strings, printing both on mismatch. */
#define CHECK_STREQ(a, b) do {						\
	const char *tap_a = (a), *tap_b = (b);				\
	int tap_ok = tap_a != NULL && tap_b != NULL &&			\
	    strcmp(tap_a, tap_b) == 0;					\
	if (!tap_check(tap_ok, __FILE__, __LINE__, #a " == " #b))	\
		printf("# got:      \"%s\"\n# expected: \"%s\"\n",	\
		    tap_a ? tap_a : "(null)", tap_b ? tap_b : "(null)");\
} while (0)

/* A diagnostic line. */
#define TAP_NOTE(...) do { printf("# "); printf(__VA_ARGS__);		\
	printf("\n"); } while (0)

/* Print the plan; use as "return tap_done();" from main. */
static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return (tap_failed ? 1 : 0);
}

#endif /* HGW_TAP_H */
