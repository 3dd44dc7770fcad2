/*
 * SPDX-License-Identifier: ISC
 *
 * block_fetch.c: one conditional HTTP(S) download for "homegwctl block
 * update", through libcurl.  Owns the limits (size, time, redirects,
 * protocols) and the reading of the validators (ETag, Last-Modified);
 * writes the body into a file descriptor it is given and decides
 * nothing about the list itself (ctl_block.c does).  The only homegw
 * code that links libcurl.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "ctl.h"
#include "block_fetch.h"

struct fetch_state {
	struct block_fetch	*f;
	int			 fd;
	curl_off_t		 max;
	int			 too_big;
	int			 write_failed;
};

/* Copy a header's value without surrounding space or the line end. */
static void
header_value(const char *v, size_t n, char *buf, size_t len)
{
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' ||
	    v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n >= len)
		n = 0;		/* an oversized validator is no validator */
	memcpy(buf, v, n);
	buf[n] = '\0';
}

static size_t
header_cb(char *data, size_t size, size_t nitems, void *arg)
{
	struct fetch_state	*st = arg;
	struct block_fetch	*f = st->f;
	size_t			 n = size * nitems;

	/*
	 * A status line starts a new response (a redirect, a 100
	 * Continue): only the last response's validators count.
	 */
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		f->etag[0] = '\0';
		f->last_modified[0] = '\0';
	} else if (n > 5 && strncasecmp(data, "ETag:", 5) == 0)
		header_value(data + 5, n - 5, f->etag, sizeof(f->etag));
	else if (n > 14 && strncasecmp(data, "Last-Modified:", 14) == 0)
		header_value(data + 14, n - 14, f->last_modified,
		    sizeof(f->last_modified));
	return (n);
}

static size_t
write_cb(char *data, size_t size, size_t nitems, void *arg)
{
	struct fetch_state	*st = arg;
	size_t			 n = size * nitems, off = 0;
	ssize_t			 w;

	/* A chunked body has no length to refuse up front. */
	if ((curl_off_t)(st->f->bytes + n) > st->max) {
		st->too_big = 1;
		return (0);
	}
	while (off < n) {
		w = write(st->fd, data + off, n - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1) {
			st->write_failed = errno;
			return (0);
		}
		off += (size_t)w;
	}
	st->f->bytes += n;
	return (n);
}

/* Initialise libcurl once for the process. */
int
block_fetch_init(void)
{
	return (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1);
}

/* Undo block_fetch_init(). */
void
block_fetch_cleanup(void)
{
	curl_global_cleanup();
}

/*
 * Fetch f->url into fd, conditionally when f->etag or f->last_modified
 * hold the last good copy's validators.  On return f->status says what
 * happened; f->etag / f->last_modified hold the new validators (200),
 * f->error a sentence when the status is BLOCK_FETCH_FAILED.
 */
void
block_fetch(struct block_fetch *f, int fd)
{
	struct fetch_state	 st;
	struct curl_slist	*hdrs = NULL, *h;
	char			 line[512], ua[64];
	CURL			*c;
	CURLcode		 rc;
	long			 code = 0;

	memset(&st, 0, sizeof(st));
	st.f = f;
	st.fd = fd;
	st.max = (curl_off_t)f->max_bytes;
	f->bytes = 0;
	f->http_code = 0;
	f->status = BLOCK_FETCH_FAILED;
	f->error[0] = '\0';
	if ((c = curl_easy_init()) == NULL) {
		snprintf(f->error, sizeof(f->error), "cannot start a download");
		return;
	}
	if (f->etag[0] != '\0') {
		snprintf(line, sizeof(line), "If-None-Match: %s", f->etag);
		if ((h = curl_slist_append(hdrs, line)) != NULL)
			hdrs = h;
	}
	if (f->last_modified[0] != '\0') {
		snprintf(line, sizeof(line), "If-Modified-Since: %s",
		    f->last_modified);
		if ((h = curl_slist_append(hdrs, line)) != NULL)
			hdrs = h;
	}
	snprintf(ua, sizeof(ua), "homegw/%s", HGW_VERSION);
	curl_easy_setopt(c, CURLOPT_URL, f->url);
	/* Only the web: no file://, no ftp, not through a redirect either. */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)f->connect_timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)f->timeout);
	/* A server that trickles is as good as a dead one. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 64L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, st.max);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, ua);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &st);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
	if (f->ca_file != NULL && f->ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, f->ca_file);

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	f->http_code = code;
	if (st.too_big || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(f->error, sizeof(f->error), "the list is larger than "
		    "the limit of %zu bytes", f->max_bytes);
	else if (st.write_failed)
		snprintf(f->error, sizeof(f->error), "cannot write the "
		    "download: %s", strerror(st.write_failed));
	else if (rc != CURLE_OK)
		snprintf(f->error, sizeof(f->error), "%s",
		    curl_easy_strerror(rc));
	else if (code == 304)
		f->status = BLOCK_FETCH_NOT_MODIFIED;
	else if (code == 200)
		f->status = BLOCK_FETCH_OK;
	else
		snprintf(f->error, sizeof(f->error), "the server answered "
		    "HTTP %ld", code);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
}
