/*
 * SPDX-License-Identifier: ISC
 *
 * http_fuzz.c: libFuzzer target for what webd parses from HTTP requests
 * itself (libmicrohttpd parses the request line and headers): the JSON
 * login body, integer query arguments, the LIKE pattern of a search, a
 * session cookie, and the JSON writer's escaping.  The first byte picks
 * nothing; every input goes through every parser.  Invariants checked:
 * no crash or sanitizer report, and a string written by the JSON writer
 * reads back unchanged whenever the writer did not have to replace
 * invalid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct auth	 a;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json	 j;
	char		 buf[WEBD_BODY_MAX + 1], out[WEBD_BODY_MAX + 1];
	char		*text, *doc;
	size_t		 len;

	if (size > WEBD_BODY_MAX)
		return (0);
	memcpy(buf, data, size);
	buf[size] = '\0';

	/* The login body, as received (may hold NULs). */
	(void)json_get_string((const char *)data, size, "password", out,
	    sizeof(out));

	/* Query arguments and the search pattern are NUL-terminated. */
	(void)query_arg_int(buf, 50, 1, 500);
	(void)query_like_pattern(buf, out, sizeof(out));
	(void)query_sort_expr(buf);

	/* A cookie value against a table with one live session. */
	if (a.timeout == 0) {
		auth_init(&a, 3600);
		(void)auth_session_new(&a, 1000);
	}
	(void)auth_session_find(&a, buf, 1001);
	(void)auth_token_cmp(buf, a.sessions[0].id);

	/* Writer round trip: {"password": data} reads back as data. */
	json_init(&j, 8 * WEBD_BODY_MAX);
	json_object_open(&j);
	json_key(&j, "password");
	json_string_n(&j, (const char *)data, size);
	json_object_close(&j);
	if (j.error)
		abort();
	doc = json_steal(&j, &len);
	if (doc == NULL)
		abort();
	if (memchr(data, '\0', size) == NULL && strstr(doc, "\\ufffd") ==
	    NULL && size < sizeof(out)) {
		if (json_get_string(doc, len, "password", out, sizeof(out))
		    != 0 || strlen(out) != size || memcmp(out, data, size) != 0)
			abort();
	}
	/* Raw control characters never reach the output. */
	for (text = doc; *text != '\0'; text++)
		if ((unsigned char)*text < 0x20)
			abort();
	free(doc);
	return (0);
}
