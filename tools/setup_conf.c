/*
 * SPDX-License-Identifier: ISC
 *
 * setup_conf.c: homegw.conf edited as text, so that what the owner wrote
 * stays: every comment, blank line, unknown line and key setup does not
 * set is kept byte for byte.  A key is set in place when the section has
 * it; otherwise it goes under its commented-out example ("#name = gw"),
 * or after the section's last key; a commented-out section header
 * ("#[wan]") is switched on rather than a second section added; a
 * missing section goes at the end.  Pure functions on strings; whether
 * the result is a valid config is conf.c's to say.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "setup.h"

enum line_kind {
	L_OTHER,
	L_HEADER,	/* [name] */
	L_CHEADER,	/* #[name], a section commented out */
	L_KEY,		/* key = value */
	L_CKEY		/* #key = value, an example */
};

struct line {
	const char	*p;
	size_t		 len;		/* without the newline */
	enum line_kind	 kind;
	char		 name[64];	/* section or key */
};

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return (p);
}

/* Classify one line and take its section or key name. */
static void
classify(struct line *l)
{
	const char	*p = l->p, *end = l->p + l->len, *s;
	int		 commented = 0;
	size_t		 n;

	l->kind = L_OTHER;
	l->name[0] = '\0';
	p = skip_ws(p, end);
	if (p < end && (*p == '#' || *p == ';')) {
		commented = 1;
		p = skip_ws(p + 1, end);
	}
	if (p < end && *p == '[') {
		s = skip_ws(p + 1, end);
		for (p = s; p < end && *p != ']'; p++)
			;
		if (p == end)
			return;
		n = (size_t)(p - s);
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		/* Only a line that is just the header: not prose with [x]. */
		p = skip_ws(p + 1, end);
		if (n == 0 || n >= sizeof(l->name) ||
		    (p < end && *p != '#' && *p != ';'))
			return;
		memcpy(l->name, s, n);
		l->name[n] = '\0';
		l->kind = commented ? L_CHEADER : L_HEADER;
		return;
	}
	for (s = p; p < end && (isalnum((unsigned char)*p) || *p == '_'); p++)
		;
	n = (size_t)(p - s);
	if (n == 0 || n >= sizeof(l->name))
		return;
	p = skip_ws(p, end);
	if (p == end || *p != '=')
		return;
	memcpy(l->name, s, n);
	l->name[n] = '\0';
	l->kind = commented ? L_CKEY : L_KEY;
}

/* Split text into lines; returns a malloc'ed array, count in *ret_n. */
static struct line *
split_lines(const char *text, size_t *ret_n)
{
	struct line	*lines;
	const char	*p, *eol;
	size_t		 n = 0, cap = 1;

	for (p = text; *p != '\0'; p++)
		if (*p == '\n')
			cap++;
	if ((lines = calloc(cap, sizeof(*lines))) == NULL)
		return (NULL);
	for (p = text; *p != '\0' && n < cap; p = *eol ? eol + 1 : eol) {
		if ((eol = strchr(p, '\n')) == NULL)
			eol = p + strlen(p);
		lines[n].p = p;
		lines[n].len = (size_t)(eol - p);
		classify(&lines[n]);
		n++;
	}
	*ret_n = n;
	return (lines);
}

/*
 * Start of an inline comment in a value ("# ..." after white space),
 * with the white space before it; end when there is none.
 */
static const char *
value_comment(const char *p, const char *end)
{
	const char	*start = p;

	for (; p < end; p++) {
		if ((*p != '#' && *p != ';') ||
		    (p[-1] != ' ' && p[-1] != '\t'))
			continue;
		while (p > start && (p[-1] == ' ' || p[-1] == '\t'))
			p--;
		return (p);
	}
	return (end);
}

struct buf {
	char	*s;
	size_t	 len, cap;
	int	 failed;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	char	*t;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		if ((t = realloc(b->s, b->cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->s = t;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* A line as it was, with its newline (one added on a last line without). */
static void
buf_line(struct buf *b, const struct line *l)
{
	buf_add(b, l->p, l->len);
	buf_str(b, "\n");
}

/*
 * Set key = value in the first [section] of text.  Returns the new text
 * (malloc'ed) or NULL when out of memory.  value must be one line.
 */
char *
confedit_set(const char *text, const char *section, const char *key,
    const char *value)
{
	struct line	*lines;
	struct buf	 b = { NULL, 0, 0, 0 };
	size_t		 n, i, hdr = (size_t)-1, chdr = (size_t)-1;
	size_t		 end, active = (size_t)-1, example = (size_t)-1;
	size_t		 last_key = (size_t)-1, at;
	const char	*v, *c, *e;
	int		 trailing_nl;

	trailing_nl = text[0] == '\0' || text[strlen(text) - 1] == '\n';
	if ((lines = split_lines(text, &n)) == NULL)
		return (NULL);
	for (i = 0; i < n; i++) {
		if (lines[i].kind == L_HEADER &&
		    strcmp(lines[i].name, section) == 0 && hdr == (size_t)-1)
			hdr = i;
		if (lines[i].kind == L_CHEADER &&
		    strcmp(lines[i].name, section) == 0 && chdr == (size_t)-1)
			chdr = i;
	}
	if (hdr == (size_t)-1 && chdr != (size_t)-1)
		hdr = chdr;	/* switched on below */
	if (hdr == (size_t)-1) {
		/* No such section: a new one at the end. */
		buf_str(&b, text);
		if (!trailing_nl)
			buf_str(&b, "\n");
		buf_str(&b, "\n[");
		buf_str(&b, section);
		buf_str(&b, "]\n");
		goto add_key;
	}

	/* The section runs to the next active header. */
	for (end = hdr + 1; end < n && lines[end].kind != L_HEADER; end++)
		;
	for (i = hdr + 1; i < end; i++) {
		if (lines[i].kind == L_KEY && strcmp(lines[i].name, key) == 0 &&
		    active == (size_t)-1)
			active = i;
		if (lines[i].kind == L_KEY)
			last_key = i;
	}
	/* Examples only up to another commented-out section's header. */
	for (i = hdr + 1; i < end && lines[i].kind != L_CHEADER; i++)
		if (lines[i].kind == L_CKEY && strcmp(lines[i].name, key) == 0) {
			example = i;
			break;
		}
	at = active != (size_t)-1 ? active : example != (size_t)-1 ?
	    example : last_key != (size_t)-1 ? last_key : hdr;

	for (i = 0; i < n; i++) {
		const struct line *l = &lines[i];

		if (i == hdr && l->kind == L_CHEADER) {
			buf_str(&b, "[");
			buf_str(&b, section);
			buf_str(&b, "]\n");
		} else if (i == active) {
			/* Keep the indentation and any comment after it. */
			e = l->p + l->len;
			v = skip_ws(l->p, e);
			buf_add(&b, l->p, (size_t)(v - l->p));
			c = value_comment(strchr(v, '=') + 1, e);
			buf_str(&b, key);
			buf_str(&b, " = ");
			buf_str(&b, value);
			buf_add(&b, c, (size_t)(e - c));
			buf_str(&b, "\n");
		} else
			buf_line(&b, l);
		if (i == at && i != active) {
			buf_str(&b, key);
			buf_str(&b, " = ");
			buf_str(&b, value);
			buf_str(&b, "\n");
		}
	}
	free(lines);
	if (b.failed) {
		free(b.s);
		return (NULL);
	}
	return (b.s);

 add_key:
	free(lines);
	buf_str(&b, key);
	buf_str(&b, " = ");
	buf_str(&b, value);
	buf_str(&b, "\n");
	if (b.failed) {
		free(b.s);
		return (NULL);
	}
	return (b.s);
}

/*
 * The value of key in the first [section] of text, without an inline
 * comment or surrounding white space.  0, or -1 when it is not set.
 */
int
confedit_get(const char *text, const char *section, const char *key,
    char *buf, size_t len)
{
	struct line	*lines;
	const char	*v, *e;
	size_t		 n, i;
	int		 in = 0, r = -1;

	if ((lines = split_lines(text, &n)) == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		if (lines[i].kind == L_HEADER) {
			if (in)
				break;
			in = strcmp(lines[i].name, section) == 0;
			continue;
		}
		if (!in || lines[i].kind != L_KEY ||
		    strcmp(lines[i].name, key) != 0)
			continue;
		e = lines[i].p + lines[i].len;
		v = strchr(lines[i].p, '=') + 1;
		e = value_comment(v, e);
		v = skip_ws(v, e);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		snprintf(buf, len, "%.*s", (int)(e - v), v);
		r = 0;
		break;
	}
	free(lines);
	return (r);
}
