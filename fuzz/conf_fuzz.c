/*
 * SPDX-License-Identifier: ISC
 *
 * conf_fuzz.c: libFuzzer entry point for the homegw.conf parser.  Feeds
 * each input, NUL bytes and all, to conf_load_buffer(); when it parses,
 * prints the canonical form, parses that and prints it again, and aborts
 * unless the printed text reads back and prints identically, so the
 * printer and parser are checked against each other on every valid input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define CONF_FUZZ_MAX	(64 * 1024)	/* bytes per input */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *
print_conf(const struct hgw_conf *c)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		abort();
	conf_print(f, c);
	if (fclose(f) != 0)
		abort();
	return (buf);
}

/* One input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hgw_conf	*c, *c2;
	char		*err = NULL, *p1, *p2;

	if (size > CONF_FUZZ_MAX)
		return (0);
	c = conf_load_buffer((const char *)data, size, "fuzz.conf", &err);
	if (c == NULL) {
		/* Every refusal comes with its reasons. */
		if (err == NULL || strncmp(err, "fuzz.conf:", 10) != 0)
			abort();
		free(err);
		return (0);
	}
	p1 = print_conf(c);
	if ((c2 = conf_load_string(p1, "fuzz.conf", &err)) == NULL) {
		fprintf(stderr, "printed config does not parse:\n%s\n%s", p1,
		    err != NULL ? err : "");
		abort();
	}
	p2 = print_conf(c2);
	if (strcmp(p1, p2) != 0) {
		fprintf(stderr, "print differs after reparse:\n%s\n---\n%s",
		    p1, p2);
		abort();
	}
	free(p1);
	free(p2);
	conf_free(c);
	conf_free(c2);
	return (0);
}
