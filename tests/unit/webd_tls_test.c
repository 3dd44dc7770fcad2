/*
 * SPDX-License-Identifier: ISC
 *
 * webd_tls_test.c: webd/tls.c with GnuTLS: the first start makes a CA and
 * a server certificate that names the gateway and verifies against the
 * CA; keys are 0600; a second start changes nothing; a new name or a
 * certificate near its end is re-issued while the CA stays; the
 * fingerprint matches GnuTLS's own; an owner's certificate is served as
 * it is.
 */
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "../tap.h"
#include "conf.h"
#include "../../daemons/webd/webd.h"

static char	 dir[] = "/tmp/hgw-tls-test.XXXXXX";

static char *
path(const char *f)
{
	static char	 p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/tls/%s", dir, f);
	return (p);
}

static gnutls_x509_crt_t
load(const char *f)
{
	gnutls_x509_crt_t	 c;
	gnutls_datum_t		 d;

	if (gnutls_load_file(path(f), &d) < 0)
		return (NULL);
	gnutls_x509_crt_init(&c);
	if (gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_PEM) < 0) {
		gnutls_x509_crt_deinit(c);
		c = NULL;
	}
	gnutls_free(d.data);
	return (c);
}

/* A file's text, in one of a few static buffers (no frees in CHECKs). */
static const char *
slurp(const char *f)
{
	static char	 ring[4][8192];
	static int	 next;
	gnutls_datum_t	 d;
	char		*s = ring[next++ % 4];

	s[0] = '\0';
	if (gnutls_load_file(path(f), &d) < 0)
		return (s);
	snprintf(s, sizeof(ring[0]), "%.*s", (int)d.size, (char *)d.data);
	gnutls_free(d.data);
	return (s);
}

/* The server certificate verifies against the CA for this name. */
static int
verifies(const char *name)
{
	gnutls_x509_crt_t	 ca = load("ca.crt"), srv = load("server.crt");
	unsigned int		 status = 1;
	int			 ok;

	if (ca == NULL || srv == NULL)
		return (0);
	ok = gnutls_x509_crt_verify(srv, &ca, 1, 0, &status) == 0 &&
	    status == 0 && gnutls_x509_crt_check_hostname(srv, name);
	gnutls_x509_crt_deinit(ca);
	gnutls_x509_crt_deinit(srv);
	return (ok);
}

static int
mode_of(const char *f)
{
	struct stat	 st;

	return (stat(path(f), &st) == 0 ? (int)(st.st_mode & 0777) : -1);
}

int
main(void)
{
	struct hgw_conf		*c;
	struct webd_tls		 t;
	struct sockaddr_in6	*sin6;
	gnutls_x509_crt_t	 ca;
	unsigned char		 raw[32];
	size_t			 rawlen = sizeof(raw);
	char			*ca1, *srv1, fp[TLSFP_LEN];
	int64_t			 now = time(NULL);
	int			 changed;

	if (mkdtemp(dir) == NULL)
		return (1);
	c = conf_default();
	snprintf(c->gateway.state_dir, sizeof(c->gateway.state_dir), "%s", dir);
	snprintf(c->gateway.name, sizeof(c->gateway.name), "gw");
	snprintf(c->gateway.domain, sizeof(c->gateway.domain), "home.arpa");
	inet_pton(AF_INET, "192.168.7.1", &c->lan.addr);
	c->lan.plen = 24;
	sin6 = (struct sockaddr_in6 *)&c->web.listen[0].ss;
	sin6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "fd00:7::1", &sin6->sin6_addr);
	sin6->sin6_port = htons(443);
	c->web.listen[0].len = sizeof(*sin6);
	c->web.nlisten = 1;
	memset(&t, 0, sizeof(t));

	/* First start. */
	CHECK(tls_setup(&t, c, now, &changed) == 0);
	CHECK(changed);
	CHECK(t.cert_pem != NULL && t.key_pem != NULL && t.ca_pem != NULL);
	CHECK(t.ca_der != NULL && t.ca_der_len > 100);
	CHECK(mode_of("ca.key") == 0600);
	CHECK(mode_of("server.key") == 0600);
	CHECK(mode_of("ca.crt") == 0644);
	CHECK(verifies("gw"));
	CHECK(verifies("gw.home.arpa"));
	CHECK(verifies("192.168.7.1"));
	CHECK(verifies("fd00:7::1"));
	CHECK(!verifies("evil.example"));
	CHECK(!verifies("192.168.7.2"));
	/* The chain served is the server certificate, then the CA. */
	ca1 = strdup(slurp("ca.crt"));
	srv1 = strdup(slurp("server.crt"));
	CHECK(strncmp(t.cert_pem, srv1, strlen(srv1)) == 0);
	CHECK(strcmp(t.cert_pem + strlen(srv1), ca1) == 0);
	/* The fingerprint is SHA-256 over the DER, as GnuTLS computes it. */
	ca = load("ca.crt");
	CHECK(ca != NULL && gnutls_x509_crt_get_fingerprint(ca,
	    GNUTLS_DIG_SHA256, raw, &rawlen) == 0);
	snprintf(fp, sizeof(fp), "%02X:%02X", raw[0], raw[1]);
	CHECK(strncmp(t.ca_fp, fp, 5) == 0 && strlen(t.ca_fp) == 95);
	CHECK(tls_fingerprint_file(path("ca.crt"), fp, sizeof(fp)) == 0 &&
	    strcmp(fp, t.ca_fp) == 0);
	if (ca != NULL)
		gnutls_x509_crt_deinit(ca);
	CHECK(tls_fingerprint_file(path("nope.crt"), fp, sizeof(fp)) == -1);

	/* Second start: nothing changes. */
	CHECK(tls_setup(&t, c, now + 60, &changed) == 0);
	CHECK(!changed);
	CHECK(strcmp(srv1, slurp("server.crt")) == 0);

	/* A new name: a new server certificate, the same CA. */
	snprintf(c->gateway.name, sizeof(c->gateway.name), "router");
	CHECK(tls_setup(&t, c, now + 120, &changed) == 0);
	CHECK(changed);
	CHECK(strcmp(ca1, slurp("ca.crt")) == 0);
	CHECK(verifies("router.home.arpa"));
	CHECK(!verifies("gw.home.arpa"));
	free(srv1);
	srv1 = strdup(slurp("server.crt"));

	/* Close to its end: renewed (and due before that). */
	CHECK(!tls_due(&t, now));
	CHECK(tls_due(&t, now + 380 * 86400LL));
	CHECK(tls_setup(&t, c, now + 380 * 86400LL, &changed) == 0);
	CHECK(changed);
	CHECK(strcmp(srv1, slurp("server.crt")) != 0);
	CHECK(strcmp(ca1, slurp("ca.crt")) == 0);

	/*
	 * A Pi before NTP (1970): the certificate is kept, not replaced by
	 * one made for 1970; nothing is due until the clock is right.
	 */
	free(srv1);
	srv1 = strdup(slurp("server.crt"));
	CHECK(tls_setup(&t, c, 86400 * 3, &changed) == 0);
	CHECK(!changed);
	CHECK(strcmp(srv1, slurp("server.crt")) == 0);
	CHECK(!tls_due(&t, 86400 * 3));
	/* A new name then is issued anyway; the right clock renews it. */
	snprintf(c->gateway.name, sizeof(c->gateway.name), "gw");
	CHECK(tls_setup(&t, c, 86400 * 3, &changed) == 0 && changed);
	CHECK(tls_due(&t, now));
	CHECK(tls_setup(&t, c, now, &changed) == 0 && changed);
	CHECK(!tls_due(&t, now));
	CHECK(verifies("gw.home.arpa"));

	/* The owner's own certificate: served as it is, no CA to offer. */
	snprintf(c->web.cert_file, sizeof(c->web.cert_file), "%s",
	    path("server.crt"));
	snprintf(c->web.key_file, sizeof(c->web.key_file), "%s",
	    path("server.key"));
	CHECK(tls_setup(&t, c, now, &changed) == 0);
	CHECK(t.own && t.ca_pem == NULL);
	snprintf(c->web.key_file, sizeof(c->web.key_file), "%s",
	    path("nope.key"));
	CHECK(tls_setup(&t, c, now, &changed) == -1);

	tls_free(&t);
	conf_free(c);
	free(ca1);
	free(srv1);
	unlink(path("ca.crt"));
	unlink(path("ca.key"));
	unlink(path("server.crt"));
	unlink(path("server.key"));
	rmdir(path(""));
	rmdir(dir);
	return (tap_done());
}
