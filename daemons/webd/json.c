/*
 * SPDX-License-Identifier: ISC
 *
 * json.c: a small JSON writer for the API and a reader for the one kind
 * of body webd accepts (a flat object of strings).  The writer appends to
 * a buffer capped at a maximum size; any failure sets an error flag that
 * the caller checks once at the end, so endpoints stay free of error
 * plumbing.  Strings are escaped per RFC 8259; bytes that are not valid
 * UTF-8 are replaced by U+FFFD so the output is always valid JSON, even
 * when another daemon stored something odd in the database.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webd.h"

/* Start an empty writer that refuses to grow beyond max bytes. */
void
json_init(struct json *j, size_t max)
{
	memset(j, 0, sizeof(*j));
	j->max = max;
}

/* Free the buffer; the writer may be reused after json_init(). */
void
json_free(struct json *j)
{
	free(j->buf);
	j->buf = NULL;
	j->len = j->cap = 0;
}

/* Take the NUL-terminated buffer; the caller frees it. */
char *
json_steal(struct json *j, size_t *ret_len)
{
	char	*p;

	if (j->buf == NULL && !j->error) {
		if ((j->buf = strdup("")) == NULL)
			return (NULL);
	}
	p = j->buf;
	*ret_len = j->len;
	j->buf = NULL;
	j->len = j->cap = 0;
	return (p);
}

static void
put(struct json *j, const char *s, size_t n)
{
	size_t	 ncap;
	char	*nbuf;

	if (j->error)
		return;
	if (j->len + n + 1 > j->cap) {
		if (j->len + n + 1 > j->max) {
			j->error = 1;
			return;
		}
		ncap = j->cap ? j->cap : 1024;
		while (ncap < j->len + n + 1)
			ncap *= 2;
		if (ncap > j->max)
			ncap = j->max;
		if ((nbuf = realloc(j->buf, ncap)) == NULL) {
			j->error = 1;
			return;
		}
		j->buf = nbuf;
		j->cap = ncap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void
puts_(struct json *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Comma handling: every value is preceded by a comma unless it is first. */
static void
value_start(struct json *j)
{
	if (j->comma)
		put(j, ",", 1);
	j->comma = 1;
}

static void
push(struct json *j, const char *open)
{
	value_start(j);
	put(j, open, 1);
	if (j->depth < 63) {
		j->depth++;
		j->comma = 0;
	} else
		j->error = 1;
}

static void
pop(struct json *j, const char *close)
{
	put(j, close, 1);
	if (j->depth > 0)
		j->depth--;
	j->comma = 1;
}

/* Begin an object. */
void
json_object_open(struct json *j)
{
	push(j, "{");
}

/* End an object. */
void
json_object_close(struct json *j)
{
	pop(j, "}");
}

/* Begin an array. */
void
json_array_open(struct json *j)
{
	push(j, "[");
}

/* End an array. */
void
json_array_close(struct json *j)
{
	pop(j, "]");
}

/* Length of the valid UTF-8 sequence at s (at most rem bytes), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t rem)
{
	size_t		 n, i;
	uint32_t	 cp;

	if (s[0] < 0x80)
		return (1);
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return (0);
	if (n > rem)
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values beyond U+10FFFF. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return (0);
	return (n);
}

static void
string_body(struct json *j, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, run, n;
	char			 esc[8];

	put(j, "\"", 1);
	while (i < len) {
		/* Copy runs of plain characters in one go. */
		run = i;
		while (run < len && p[run] >= 0x20 && p[run] < 0x80 &&
		    p[run] != '"' && p[run] != '\\' && p[run] != '<' &&
		    p[run] != '>' && p[run] != '&')
			run++;
		if (run > i) {
			put(j, s + i, run - i);
			i = run;
			continue;
		}
		switch (p[i]) {
		case '"':
			put(j, "\\\"", 2);
			break;
		case '\\':
			put(j, "\\\\", 2);
			break;
		case '\n':
			put(j, "\\n", 2);
			break;
		case '\r':
			put(j, "\\r", 2);
			break;
		case '\t':
			put(j, "\\t", 2);
			break;
		default:
			if (p[i] < 0x80) {
				/*
				 * Control characters, and <, >, & so the
				 * JSON can never be read as markup.
				 */
				snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
				put(j, esc, 6);
				break;
			}
			if ((n = utf8_len(p + i, len - i)) == 0) {
				put(j, "\\ufffd", 6);
				break;
			}
			put(j, s + i, n);
			i += n;
			continue;
		}
		i++;
	}
	put(j, "\"", 1);
}

/* An object member's name; the value follows with any json_ call. */
void
json_key(struct json *j, const char *key)
{
	value_start(j);
	string_body(j, key, strlen(key));
	put(j, ":", 1);
	j->comma = 0;
}

/* A string value; NULL writes null. */
void
json_string(struct json *j, const char *s)
{
	if (s == NULL) {
		json_null(j);
		return;
	}
	json_string_n(j, s, strlen(s));
}

/* A string value of len bytes (may hold NULs, written escaped). */
void
json_string_n(struct json *j, const char *s, size_t len)
{
	value_start(j);
	string_body(j, s, len);
}

/* An integer value. */
void
json_int(struct json *j, int64_t v)
{
	char	 b[32];

	value_start(j);
	snprintf(b, sizeof(b), "%lld", (long long)v);
	puts_(j, b);
}

/* A number; NaN and infinities (not JSON) become null. */
void
json_double(struct json *j, double v)
{
	char	 b[40];

	value_start(j);
	if (!isfinite(v)) {
		puts_(j, "null");
		return;
	}
	snprintf(b, sizeof(b), "%.6g", v);
	puts_(j, b);
}

/* true or false. */
void
json_bool(struct json *j, int v)
{
	value_start(j);
	puts_(j, v ? "true" : "false");
}

/* null. */
void
json_null(struct json *j)
{
	value_start(j);
	puts_(j, "null");
}

/* "key": "value" */
void
json_kstring(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	json_string(j, v);
}

/* "key": integer */
void
json_kint(struct json *j, const char *k, int64_t v)
{
	json_key(j, k);
	json_int(j, v);
}

/* "key": number */
void
json_kdouble(struct json *j, const char *k, double v)
{
	json_key(j, k);
	json_double(j, v);
}

/* "key": null */
void
json_knull(struct json *j, const char *k)
{
	json_key(j, k);
	json_null(j);
}

/* "key": true/false */
void
json_kbool(struct json *j, const char *k, int v)
{
	json_key(j, k);
	json_bool(j, v);
}

/* Column i of the current row as a JSON value of the matching type. */
void
json_column(struct json *j, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		json_null(j);
		break;
	case SQLITE_INTEGER:
		json_int(j, sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		json_double(j, sqlite3_column_double(st, i));
		break;
	default:
		json_string_n(j, (const char *)sqlite3_column_text(st, i),
		    (size_t)sqlite3_column_bytes(st, i));
		break;
	}
}

/* The current row as an object keyed by the statement's column names. */
void
json_row(struct json *j, sqlite3_stmt *st)
{
	int	 i, n = sqlite3_column_count(st);

	json_object_open(j);
	for (i = 0; i < n; i++) {
		json_key(j, sqlite3_column_name(st, i));
		json_column(j, st, i);
	}
	json_object_close(j);
}

/*
 * The reader.  It walks a flat object of string, number, boolean and
 * null members with an explicit remaining length; nested values are
 * refused, which is all the login body needs and keeps the parser small
 * enough to read at a glance.
 */
struct rd {
	const char	*p;
	size_t		 rem;
};

static void
skip_ws(struct rd *r)
{
	while (r->rem > 0 && (*r->p == ' ' || *r->p == '\t' ||
	    *r->p == '\n' || *r->p == '\r')) {
		r->p++;
		r->rem--;
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Read a string at r into out (NULL: skip); returns length or -1. */
static long
read_string(struct rd *r, char *out, size_t outlen)
{
	size_t		 n = 0, k;
	unsigned int	 cp;
	int		 h, i;
	char		 enc[4];
	size_t		 enclen;

	if (r->rem == 0 || *r->p != '"')
		return (-1);
	r->p++;
	r->rem--;
	for (;;) {
		if (r->rem == 0)
			return (-1);
		if (*r->p == '"') {
			r->p++;
			r->rem--;
			break;
		}
		if ((unsigned char)*r->p < 0x20)
			return (-1);
		if (*r->p != '\\') {
			enc[0] = *r->p;
			enclen = 1;
			r->p++;
			r->rem--;
		} else {
			if (r->rem < 2)
				return (-1);
			enclen = 1;
			switch (r->p[1]) {
			case '"': enc[0] = '"'; break;
			case '\\': enc[0] = '\\'; break;
			case '/': enc[0] = '/'; break;
			case 'b': enc[0] = '\b'; break;
			case 'f': enc[0] = '\f'; break;
			case 'n': enc[0] = '\n'; break;
			case 'r': enc[0] = '\r'; break;
			case 't': enc[0] = '\t'; break;
			case 'u':
				if (r->rem < 6)
					return (-1);
				cp = 0;
				for (i = 2; i < 6; i++) {
					if ((h = hexval(r->p[i])) < 0)
						return (-1);
					cp = cp << 4 | (unsigned int)h;
				}
				/* Surrogates and NUL are refused: not needed. */
				if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
					return (-1);
				if (cp < 0x80) {
					enc[0] = (char)cp;
				} else if (cp < 0x800) {
					enc[0] = (char)(0xc0 | cp >> 6);
					enc[1] = (char)(0x80 | (cp & 0x3f));
					enclen = 2;
				} else {
					enc[0] = (char)(0xe0 | cp >> 12);
					enc[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
					enc[2] = (char)(0x80 | (cp & 0x3f));
					enclen = 3;
				}
				r->p += 4;
				r->rem -= 4;
				break;
			default:
				return (-1);
			}
			r->p += 2;
			r->rem -= 2;
		}
		if (out != NULL) {
			if (n + enclen >= outlen)
				return (-1);
			for (k = 0; k < enclen; k++)
				out[n + k] = enc[k];
		}
		n += enclen;
	}
	if (out != NULL)
		out[n] = '\0';
	return ((long)n);
}

/* Skip a scalar that is not a string: number, true, false, null. */
static int
skip_scalar(struct rd *r)
{
	size_t	 n = 0;

	while (n < r->rem && (r->p[n] == '-' || r->p[n] == '+' ||
	    r->p[n] == '.' || (r->p[n] >= '0' && r->p[n] <= '9') ||
	    (r->p[n] >= 'a' && r->p[n] <= 'z') ||
	    (r->p[n] >= 'A' && r->p[n] <= 'Z')))
		n++;
	if (n == 0)
		return (-1);
	r->p += n;
	r->rem -= n;
	return (0);
}

/* Look up a string member of a flat JSON object. */
int
json_get_string(const char *text, size_t textlen, const char *key,
    char *buf, size_t buflen)
{
	struct rd	 r = { text, textlen };
	char		 name[64];
	int		 found = -1;

	skip_ws(&r);
	if (r.rem == 0 || *r.p != '{')
		return (-1);
	r.p++;
	r.rem--;
	skip_ws(&r);
	if (r.rem > 0 && *r.p == '}') {
		r.p++;
		r.rem--;
		goto end;
	}
	for (;;) {
		skip_ws(&r);
		if (read_string(&r, name, sizeof(name)) < 0)
			return (-1);
		skip_ws(&r);
		if (r.rem == 0 || *r.p != ':')
			return (-1);
		r.p++;
		r.rem--;
		skip_ws(&r);
		if (r.rem > 0 && *r.p == '"') {
			if (strcmp(name, key) == 0 && found < 0) {
				if (read_string(&r, buf, buflen) < 0)
					return (-1);
				found = 0;
			} else if (read_string(&r, NULL, 0) < 0)
				return (-1);
		} else if (skip_scalar(&r) < 0)
			return (-1);
		skip_ws(&r);
		if (r.rem == 0)
			return (-1);
		if (*r.p == ',') {
			r.p++;
			r.rem--;
			continue;
		}
		if (*r.p == '}') {
			r.p++;
			r.rem--;
			break;
		}
		return (-1);
	}
end:
	skip_ws(&r);
	if (r.rem != 0)
		return (-1);
	return (found);
}

/*
 * A value already written as JSON elsewhere (common/trace.c renders the
 * trace events that homegwctl prints too), spliced in as it is.
 */
void
json_raw(struct json *j, const char *s, size_t len)
{
	value_start(j);
	put(j, s, len);
}
