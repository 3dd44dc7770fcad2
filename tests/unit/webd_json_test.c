/*
 * SPDX-License-Identifier: ISC
 *
 * webd_json_test.c: the JSON writer (escaping, nesting, caps) and the
 * login body reader of webd/json.c, table-driven.
 */
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "../../daemons/webd/webd.h"

static char *
doc_string(const char *s, size_t len)
{
	struct json	 j;
	size_t		 n;

	json_init(&j, 4096);
	json_string_n(&j, s, len);
	return (json_steal(&j, &n));
}

static void
test_escape(void)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*out;
	} t[] = {
		{ "plain", 5, "\"plain\"" },
		{ "a\"b\\c", 5, "\"a\\\"b\\\\c\"" },
		{ "nl\n\t\r", 5, "\"nl\\n\\t\\r\"" },
		{ "\x01\x1f", 2, "\"\\u0001\\u001f\"" },
		{ "</script>", 9, "\"\\u003c/script\\u003e\"" },
		{ "a&b", 3, "\"a\\u0026b\"" },
		{ "nul\0x", 5, "\"nul\\u0000x\"" },
		{ "caf\xc3\xa9", 5, "\"caf\xc3\xa9\"" },		/* valid UTF-8 */
		{ "\xe2\x82\xac", 3, "\"\xe2\x82\xac\"" },
		{ "bad\xff", 4, "\"bad\\ufffd\"" },		/* invalid byte */
		{ "\xc0\xaf", 2, "\"\\ufffd\\ufffd\"" },	/* overlong */
		{ "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"" },	/* surrogate */
		{ "cut\xe2\x82", 5, "\"cut\\ufffd\\ufffd\"" },	/* truncated */
	};
	size_t	 i;
	char	*s;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s = doc_string(t[i].in, t[i].len);
		CHECK_STREQ(s, t[i].out);
		free(s);
	}
}

static void
test_nesting(void)
{
	struct json	 j;
	size_t		 n;
	char		*s;

	json_init(&j, 4096);
	json_object_open(&j);
	json_kstring(&j, "a", "x");
	json_kint(&j, "b", -42);
	json_key(&j, "c");
	json_array_open(&j);
	json_int(&j, 1);
	json_object_open(&j);
	json_object_close(&j);
	json_array_open(&j);
	json_array_close(&j);
	json_null(&j);
	json_array_close(&j);
	json_kbool(&j, "d", 1);
	json_kdouble(&j, "e", 0.5);
	json_kdouble(&j, "f", 0.0 / 0.0);
	json_kstring(&j, "g", NULL);
	json_object_close(&j);
	CHECK(!j.error);
	s = json_steal(&j, &n);
	CHECK_STREQ(s, "{\"a\":\"x\",\"b\":-42,\"c\":[1,{},[],null],"
	    "\"d\":true,\"e\":0.5,\"f\":null,\"g\":null}");
	CHECK(n == strlen(s));
	free(s);
}

static void
test_cap(void)
{
	struct json	 j;
	int		 i;

	json_init(&j, 64);
	json_array_open(&j);
	for (i = 0; i < 100; i++)
		json_string(&j, "0123456789");
	json_array_close(&j);
	CHECK(j.error);
	CHECK(j.len < 64);
	json_free(&j);
}

static void
test_reader(void)
{
	static const struct {
		const char	*in;
		int		 ret;
		const char	*out;
	} t[] = {
		{ "{\"password\":\"s3cret\"}", 0, "s3cret" },
		{ " { \"x\" : 1 , \"password\" : \"a b\" } ", 0, "a b" },
		{ "{\"password\":\"q\\\"\\\\\\/\\n\"}", 0, "q\"\\/\n" },
		{ "{\"password\":\"\\u00e9\\u20ac\"}", 0, "\xc3\xa9\xe2\x82\xac" },
		{ "{\"a\":true,\"b\":null,\"password\":\"p\"}", 0, "p" },
		{ "{}", -1, NULL },
		{ "{\"other\":\"x\"}", -1, NULL },
		{ "{\"password\":1}", -1, NULL },
		{ "{\"password\":\"x\"", -1, NULL },		/* unterminated */
		{ "{\"password\":\"x\"} trailing", -1, NULL },
		{ "[\"password\"]", -1, NULL },
		{ "{\"password\":{\"a\":1}}", -1, NULL },	/* nested */
		{ "{\"password\":\"\\u0000\"}", -1, NULL },
		{ "{\"password\":\"\\ud800\"}", -1, NULL },
		{ "{\"password\":\"\\x\"}", -1, NULL },
		{ "{\"password\":\"\\u12\"}", -1, NULL },
		{ "{\"password\":\"ctl\x01\"}", -1, NULL },
		{ "", -1, NULL },
		{ "{\"password\":\"0123456789012345\"}", -1, NULL }, /* too long */
	};
	char	 buf[16];
	size_t	 i;
	int	 r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(buf, 'Z', sizeof(buf));
		r = json_get_string(t[i].in, strlen(t[i].in), "password", buf,
		    sizeof(buf));
		CHECK_MSG(r == t[i].ret, t[i].in);
		if (t[i].out != NULL && r == 0)
			CHECK_STREQ(buf, t[i].out);
	}
	/* A length that stops short of the text is honoured. */
	CHECK(json_get_string("{\"password\":\"abc\"}", 10, "password", buf,
	    sizeof(buf)) == -1);
}

int
main(void)
{
	test_escape();
	test_nesting();
	test_cap();
	test_reader();
	return (tap_done());
}
