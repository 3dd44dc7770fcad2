/*
 * SPDX-License-Identifier: ISC
 *
 * tls.c: webd's certificates.  On first start webd makes a local CA (EC
 * P-256) and a server certificate it signs, both under <state_dir>/tls/;
 * at every start, reload and every hour it checks that the server
 * certificate still names the gateway ([gateway] name, name.domain, the
 * LAN address and every [web] listen address), still chains to the CA and
 * has more than TLS_RENEW_DAYS left, and issues a new one otherwise.  The
 * CA is never replaced while its files are there: phones and laptops that
 * trust it keep trusting the gateway.  An owner's own certificate
 * ([web] cert_file, key_file) is loaded as it is and never touched.
 *
 * Why a CA and not one self-signed certificate: a browser that trusts a
 * self-signed server certificate must be told again each time it is
 * renewed; a trusted CA is imported once.  The private keys are written
 * 0600 by the homegw user, through a temporary file renamed into place,
 * so a crash never leaves half a key.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "addr.h"
#include "conf.h"
#include "log.h"
#include "tlsfp.h"
#include "webd.h"

#define TLS_RENEW_DAYS	30
#define TLS_SERVER_DAYS	397	/* under the 398 days some browsers allow */
#define TLS_CA_YEARS	20
#define TLS_SANS_MAX	(2 + 1 + CONF_LIST_MAX)
/*
 * A Pi has no clock battery: before NTP, the time may be 1970.  A CA
 * made then would have expired long ago, so its validity starts from
 * whichever is later, now or this date (2024-01-01).
 */
#define TLS_EPOCH_MIN	1704067200

struct tls_names {
	char		 dns[2][CONF_NAME_MAX + CONF_DOMAIN_MAX + 2];
	int		 ndns;
	unsigned char	 ip[TLS_SANS_MAX][16];
	size_t		 iplen[TLS_SANS_MAX];
	int		 nip;
};

static void
tls_names_add_ip(struct tls_names *n, const void *ip, size_t len)
{
	int	 i;

	for (i = 0; i < n->nip; i++)
		if (n->iplen[i] == len && memcmp(n->ip[i], ip, len) == 0)
			return;
	if (n->nip == TLS_SANS_MAX)
		return;
	memcpy(n->ip[n->nip], ip, len);
	n->iplen[n->nip++] = len;
}

/* The names and addresses the server certificate must carry. */
static void
tls_names_want(const struct hgw_conf *c, struct tls_names *n)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	unsigned int			 i;

	memset(n, 0, sizeof(*n));
	snprintf(n->dns[n->ndns++], sizeof(n->dns[0]), "%s",
	    c->gateway.name);
	snprintf(n->dns[n->ndns++], sizeof(n->dns[0]), "%s.%s",
	    c->gateway.name, c->gateway.domain);
	if (c->lan.plen != 0)
		tls_names_add_ip(n, &c->lan.addr, 4);
	for (i = 0; i < c->web.nlisten; i++) {
		if (c->web.listen[i].ss.ss_family == AF_INET6) {
			sin6 = (const void *)&c->web.listen[i].ss;
			if (!IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
				tls_names_add_ip(n, &sin6->sin6_addr, 16);
		} else {
			sin = (const void *)&c->web.listen[i].ss;
			if (sin->sin_addr.s_addr != htonl(INADDR_ANY))
				tls_names_add_ip(n, &sin->sin_addr, 4);
		}
	}
}

/* Non-zero when crt carries exactly the names and addresses of n. */
static int
tls_names_match(gnutls_x509_crt_t crt, const struct tls_names *n)
{
	struct tls_names	 got;
	unsigned char		 buf[512];
	size_t			 len;
	unsigned int		 seq, crit;
	int			 type, i, j;

	memset(&got, 0, sizeof(got));
	for (seq = 0; seq < 64; seq++) {
		len = sizeof(buf) - 1;
		type = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf,
		    &len, &crit);
		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (type == GNUTLS_SAN_DNSNAME) {
			if (got.ndns == 2)
				return (0);
			buf[len] = '\0';
			if (len >= sizeof(got.dns[0]))
				return (0);
			memcpy(got.dns[got.ndns++], buf, len + 1);
		} else if (type == GNUTLS_SAN_IPADDRESS &&
		    (len == 4 || len == 16)) {
			if (got.nip == TLS_SANS_MAX)
				return (0);
			memcpy(got.ip[got.nip], buf, len);
			got.iplen[got.nip++] = len;
		} else
			return (0);
	}
	if (got.ndns != n->ndns || got.nip != n->nip)
		return (0);
	for (i = 0; i < n->ndns; i++)
		if (strcasecmp(got.dns[i], n->dns[i]) != 0)
			return (0);
	for (i = 0; i < n->nip; i++) {
		for (j = 0; j < got.nip; j++)
			if (got.iplen[j] == n->iplen[i] &&
			    memcmp(got.ip[j], n->ip[i], n->iplen[i]) == 0)
				break;
		if (j == got.nip)
			return (0);
	}
	return (1);
}

/* Write data to path atomically, with the given mode. */
static int
tls_write_file(const char *path, const gnutls_datum_t *data, mode_t mode)
{
	char	 tmp[PATH_MAX];
	size_t	 off = 0;
	ssize_t	 n;
	int	 fd;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode))
	    == -1)
		return (-1);
	while (off < data->size) {
		if ((n = write(fd, data->data + off, data->size - off)) < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, mode) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		fd = -1;
		goto fail;
	}
	return (0);
fail:
	n = errno;
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
	errno = (int)n;
	return (-1);
}

static int
tls_path(const struct hgw_conf *c, const char *file, char *buf, size_t len)
{
	if (snprintf(buf, len, "%s/tls/%s", c->gateway.state_dir, file) >=
	    (int)len)
		return (-1);
	return (0);
}

static int
tls_serial(gnutls_x509_crt_t crt)
{
	unsigned char	 serial[16];

	if (getrandom(serial, sizeof(serial), 0) != (ssize_t)sizeof(serial))
		return (-1);
	serial[0] &= 0x7f;	/* positive */
	serial[0] |= 0x01;	/* and no leading zero byte */
	return (gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)));
}

static int
tls_key_new(gnutls_x509_privkey_t *key)
{
	int	 r;

	if ((r = gnutls_x509_privkey_init(key)) < 0)
		return (r);
	if ((r = gnutls_x509_privkey_generate(*key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0) {
		gnutls_x509_privkey_deinit(*key);
		return (r);
	}
	return (0);
}

static int
tls_save(const struct hgw_conf *c, const char *crtname, const char *keyname,
    gnutls_x509_crt_t crt, gnutls_x509_privkey_t key)
{
	gnutls_datum_t	 d = { NULL, 0 };
	char		 path[PATH_MAX];
	int		 r;

	/* The key first: a certificate without its key is useless. */
	if (tls_path(c, keyname, path, sizeof(path)) < 0 ||
	    (r = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM,
	    NULL, GNUTLS_PKCS_PLAIN, &d)) < 0)
		return (-1);
	r = tls_write_file(path, &d, 0600);
	gnutls_memset(d.data, 0, d.size);
	gnutls_free(d.data);
	if (r < 0) {
		log_warn("cannot write %s", path);
		return (-1);
	}
	if (tls_path(c, crtname, path, sizeof(path)) < 0 ||
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d) < 0)
		return (-1);
	r = tls_write_file(path, &d, 0644);
	gnutls_free(d.data);
	if (r < 0) {
		log_warn("cannot write %s", path);
		return (-1);
	}
	return (0);
}

/* Make and save a new CA. */
static int
tls_ca_new(const struct hgw_conf *c, time_t now, gnutls_x509_crt_t *ret_crt,
    gnutls_x509_privkey_t *ret_key)
{
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_x509_privkey_t	 key = NULL;
	unsigned char		 id[64], rnd[4];
	char			 cn[128];
	size_t			 idlen = sizeof(id);
	time_t			 base = now < TLS_EPOCH_MIN ? TLS_EPOCH_MIN : now;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return (-1);
	/* A random tag tells this CA from another gateway's in a list. */
	snprintf(cn, sizeof(cn), "homegw CA %s %02x%02x%02x%02x",
	    c->gateway.name, rnd[0], rnd[1], rnd[2], rnd[3]);
	if (tls_key_new(&key) < 0 || gnutls_x509_crt_init(&crt) < 0)
		goto fail;
	if (gnutls_x509_crt_set_version(crt, 3) < 0 || tls_serial(crt) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    cn, strlen(cn)) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(crt,
	    GNUTLS_OID_X520_ORGANIZATION_NAME, 0, "homegw", 6) < 0 ||
	    gnutls_x509_crt_set_key(crt, key) < 0 ||
	    gnutls_x509_crt_set_activation_time(crt, (now < base ? now : base)
	    - 86400) < 0 ||
	    gnutls_x509_crt_set_expiration_time(crt,
	    base + (time_t)TLS_CA_YEARS * 365 * 86400) < 0 ||
	    gnutls_x509_crt_set_basic_constraints(crt, 1, 0) < 0 ||
	    gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN |
	    GNUTLS_KEY_CRL_SIGN) < 0 ||
	    gnutls_x509_crt_get_key_id(crt, 0, id, &idlen) < 0 ||
	    gnutls_x509_crt_set_subject_key_id(crt, id, idlen) < 0 ||
	    gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0)
		goto fail;
	if (tls_save(c, "ca.crt", "ca.key", crt, key) < 0)
		goto fail;
	*ret_crt = crt;
	*ret_key = key;
	return (0);
fail:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	if (key != NULL)
		gnutls_x509_privkey_deinit(key);
	return (-1);
}

/* Issue and save a server certificate for the names in n. */
static int
tls_server_new(const struct hgw_conf *c, time_t now,
    const struct tls_names *n, gnutls_x509_crt_t ca,
    gnutls_x509_privkey_t cakey)
{
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_x509_privkey_t	 key = NULL;
	unsigned char		 id[64];
	size_t			 idlen;
	int			 i, r = -1;

	if (tls_key_new(&key) < 0 || gnutls_x509_crt_init(&crt) < 0)
		goto done;
	if (gnutls_x509_crt_set_version(crt, 3) < 0 || tls_serial(crt) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    n->dns[1], strlen(n->dns[1])) < 0 ||
	    gnutls_x509_crt_set_key(crt, key) < 0 ||
	    gnutls_x509_crt_set_activation_time(crt, now - 86400) < 0 ||
	    gnutls_x509_crt_set_expiration_time(crt,
	    now + (time_t)TLS_SERVER_DAYS * 86400) < 0 ||
	    gnutls_x509_crt_set_basic_constraints(crt, 0, -1) < 0 ||
	    gnutls_x509_crt_set_key_usage(crt,
	    GNUTLS_KEY_DIGITAL_SIGNATURE) < 0 ||
	    gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER,
	    0) < 0)
		goto done;
	for (i = 0; i < n->ndns; i++)
		if (gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_DNSNAME, n->dns[i], (unsigned int)strlen(
		    n->dns[i]), GNUTLS_FSAN_APPEND) < 0)
			goto done;
	for (i = 0; i < n->nip; i++)
		if (gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_IPADDRESS, n->ip[i], (unsigned int)n->iplen[i],
		    GNUTLS_FSAN_APPEND) < 0)
			goto done;
	idlen = sizeof(id);
	if (gnutls_x509_crt_get_key_id(crt, 0, id, &idlen) < 0 ||
	    gnutls_x509_crt_set_subject_key_id(crt, id, idlen) < 0)
		goto done;
	idlen = sizeof(id);
	if (gnutls_x509_crt_get_subject_key_id(ca, id, &idlen, NULL) >= 0 &&
	    gnutls_x509_crt_set_authority_key_id(crt, id, idlen) < 0)
		goto done;
	if (gnutls_x509_crt_sign2(crt, ca, cakey, GNUTLS_DIG_SHA256, 0) < 0)
		goto done;
	r = tls_save(c, "server.crt", "server.key", crt, key);
done:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	if (key != NULL)
		gnutls_x509_privkey_deinit(key);
	return (r);
}

static int
tls_load_crt(const char *path, gnutls_x509_crt_t *crt)
{
	gnutls_datum_t	 d;
	int		 r;

	if ((r = gnutls_load_file(path, &d)) < 0)
		return (r);
	if ((r = gnutls_x509_crt_init(crt)) < 0) {
		gnutls_free(d.data);
		return (r);
	}
	if ((r = gnutls_x509_crt_import(*crt, &d, GNUTLS_X509_FMT_PEM)) < 0) {
		gnutls_x509_crt_deinit(*crt);
		*crt = NULL;
	}
	gnutls_free(d.data);
	return (r);
}

static int
tls_load_key(const char *path, gnutls_x509_privkey_t *key)
{
	gnutls_datum_t	 d;
	int		 r;

	if ((r = gnutls_load_file(path, &d)) < 0)
		return (r);
	if ((r = gnutls_x509_privkey_init(key)) < 0)
		goto done;
	if ((r = gnutls_x509_privkey_import2(*key, &d, GNUTLS_X509_FMT_PEM,
	    NULL, 0)) < 0) {
		gnutls_x509_privkey_deinit(*key);
		*key = NULL;
	}
done:
	gnutls_memset(d.data, 0, d.size);
	gnutls_free(d.data);
	return (r);
}

/* A whole file into a NUL-terminated malloc'ed buffer. */
static char *
tls_slurp(const char *path)
{
	gnutls_datum_t	 d;
	char		*s;

	if (gnutls_load_file(path, &d) < 0)
		return (NULL);
	if ((s = malloc(d.size + 1)) != NULL) {
		memcpy(s, d.data, d.size);
		s[d.size] = '\0';
	}
	gnutls_memset(d.data, 0, d.size);
	gnutls_free(d.data);
	return (s);
}

static void
tls_clear(struct webd_tls *t)
{
	if (t->key_pem != NULL) {
		explicit_bzero(t->key_pem, strlen(t->key_pem));
		free(t->key_pem);
	}
	free(t->cert_pem);
	free(t->ca_pem);
	free(t->ca_der);
	t->key_pem = t->cert_pem = t->ca_pem = NULL;
	t->ca_der = NULL;
	t->ca_der_len = 0;
}

/* The owner's certificate and key, as they are. */
static int
tls_load_own(struct webd_tls *t, const struct hgw_conf *c)
{
	gnutls_x509_crt_t	 crt;
	gnutls_x509_privkey_t	 key;

	if (tls_load_key(c->web.key_file, &key) < 0) {
		log_warnx("[web] key_file %s: cannot read a PEM private key",
		    c->web.key_file);
		return (-1);
	}
	gnutls_x509_privkey_deinit(key);
	if (tls_load_crt(c->web.cert_file, &crt) < 0) {
		log_warnx("[web] cert_file %s: cannot read a PEM certificate",
		    c->web.cert_file);
		return (-1);
	}
	t->expires = gnutls_x509_crt_get_expiration_time(crt);
	gnutls_x509_crt_deinit(crt);
	if ((t->cert_pem = tls_slurp(c->web.cert_file)) == NULL ||
	    (t->key_pem = tls_slurp(c->web.key_file)) == NULL)
		return (-1);
	t->own = 1;
	return (0);
}

/*
 * Make sure the CA and a fitting server certificate exist, and load
 * them.  *changed is set when the certificate served must change (a new
 * one was issued, or it differs from what is loaded).  Returns 0 or -1.
 */
int
tls_setup(struct webd_tls *t, const struct hgw_conf *c, int64_t now,
    int *changed)
{
	gnutls_x509_crt_t	 ca = NULL, srv = NULL;
	gnutls_x509_privkey_t	 cakey = NULL;
	gnutls_datum_t		 der = { NULL, 0 };
	struct tls_names	 want;
	char			 path[PATH_MAX], dir[PATH_MAX], *cert, *key;
	char			*chain = NULL;
	unsigned int		 status;
	time_t			 exp;
	size_t			 n;
	const char		*why = NULL;
	int			 r = -1;

	*changed = 0;
	if (c->web.cert_file[0] != '\0') {
		char	*old = t->cert_pem ? strdup(t->cert_pem) : NULL;

		tls_clear(t);
		r = tls_load_own(t, c);
		*changed = r == 0 && (old == NULL ||
		    strcmp(old, t->cert_pem) != 0);
		free(old);
		return (r);
	}
	t->own = 0;
	if (snprintf(dir, sizeof(dir), "%s/tls", c->gateway.state_dir) >=
	    (int)sizeof(dir))
		return (-1);
	if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
		log_warn("cannot create %s", dir);
		return (-1);
	}

	/* The CA: made once, then kept. */
	if (tls_path(c, "ca.crt", path, sizeof(path)) < 0 ||
	    tls_load_crt(path, &ca) < 0 ||
	    tls_path(c, "ca.key", path, sizeof(path)) < 0 ||
	    tls_load_key(path, &cakey) < 0) {
		if (ca != NULL)
			gnutls_x509_crt_deinit(ca);
		ca = NULL;
		if (access(path, F_OK) == 0)
			log_warnx("%s/ca.crt or ca.key unreadable: making a "
			    "new CA (browsers must trust it again)", dir);
		if (tls_ca_new(c, (time_t)now, &ca, &cakey) < 0) {
			log_warnx("cannot make a CA in %s", dir);
			goto done;
		}
		log_info("made a new local CA in %s/ca.crt", dir);
	}

	/* The server certificate: re-issued when it no longer fits. */
	tls_names_want(c, &want);
	if (tls_path(c, "server.crt", path, sizeof(path)) < 0)
		goto done;
	if (tls_load_crt(path, &srv) < 0)
		why = "none yet";
	else if (!tls_names_match(srv, &want))
		why = "the names or addresses changed";
	else if (gnutls_x509_crt_verify(srv, &ca, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
	    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS, &status) < 0 ||
	    status != 0)
		why = "not signed by the CA";
	/*
	 * A clock before TLS_EPOCH_MIN is a Pi that has not asked NTP yet:
	 * judging validity by it would replace a good certificate with one
	 * made for 1970.  The hourly check renews it once the clock is right.
	 */
	else if (now >= TLS_EPOCH_MIN &&
	    (exp = gnutls_x509_crt_get_expiration_time(srv)) <
	    (time_t)now + TLS_RENEW_DAYS * 86400)
		why = "it expires soon";
	else if (now >= TLS_EPOCH_MIN &&
	    gnutls_x509_crt_get_activation_time(srv) > (time_t)now)
		why = "it is not valid yet (the clock moved back)";
	else if (tls_path(c, "server.key", path, sizeof(path)) < 0 ||
	    access(path, R_OK) == -1)
		why = "its key is missing";
	if (srv != NULL)
		gnutls_x509_crt_deinit(srv);
	srv = NULL;
	if (why != NULL) {
		if (tls_server_new(c, (time_t)now, &want, ca, cakey) < 0) {
			log_warnx("cannot issue a server certificate in %s",
			    dir);
			goto done;
		}
		log_info("issued a new server certificate for %s (%s)",
		    want.dns[1], why);
	}

	/* Load what is on disk now. */
	if (tls_path(c, "server.crt", path, sizeof(path)) < 0 ||
	    (cert = tls_slurp(path)) == NULL)
		goto done;
	if (tls_path(c, "server.key", path, sizeof(path)) < 0 ||
	    (key = tls_slurp(path)) == NULL) {
		free(cert);
		goto done;
	}
	if (tls_path(c, "server.crt", path, sizeof(path)) == 0 &&
	    tls_load_crt(path, &srv) == 0) {
		t->expires = gnutls_x509_crt_get_expiration_time(srv);
		t->activation = gnutls_x509_crt_get_activation_time(srv);
		gnutls_x509_crt_deinit(srv);
	}
	/*
	 * The chain sent is the server certificate and the CA: a client
	 * that trusts the CA by its key (Chromium's SPKI list) must see it.
	 */
	if (gnutls_x509_crt_export2(ca, GNUTLS_X509_FMT_PEM, &der) < 0) {
		free(cert);
		free(key);
		goto done;
	}
	n = strlen(cert) + der.size + 1;
	if ((chain = malloc(n)) == NULL) {
		gnutls_free(der.data);
		free(cert);
		free(key);
		goto done;
	}
	snprintf(chain, n, "%s%.*s", cert, (int)der.size, (char *)der.data);
	*changed = t->cert_pem == NULL || strcmp(t->cert_pem, chain) != 0;
	tls_clear(t);
	t->cert_pem = chain;
	t->key_pem = key;
	t->ca_pem = strndup((char *)der.data, der.size);
	gnutls_free(der.data);
	free(cert);
	der.data = NULL;
	if (gnutls_x509_crt_export2(ca, GNUTLS_X509_FMT_DER, &der) == 0) {
		if ((t->ca_der = malloc(der.size)) != NULL) {
			memcpy(t->ca_der, der.data, der.size);
			t->ca_der_len = der.size;
		}
		gnutls_free(der.data);
	}
	if (tls_path(c, "ca.crt", path, sizeof(path)) == 0)
		(void)tls_fingerprint_file(path, t->ca_fp, sizeof(t->ca_fp));
	r = 0;
done:
	if (ca != NULL)
		gnutls_x509_crt_deinit(ca);
	if (cakey != NULL)
		gnutls_x509_privkey_deinit(cakey);
	return (r);
}

void
tls_prepare_dir(const struct hgw_conf *c)
{
	struct passwd	*pw;
	char		 dir[PATH_MAX];

	if (geteuid() != 0 || (pw = getpwnam(c->gateway.user)) == NULL ||
	    snprintf(dir, sizeof(dir), "%s/tls", c->gateway.state_dir) >=
	    (int)sizeof(dir))
		return;
	if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
		log_warn("cannot create %s", dir);
		return;
	}
	if (chown(dir, pw->pw_uid, pw->pw_gid) == -1)
		log_warn("cannot hand %s to user %s", dir, pw->pw_name);
}

/* Non-zero when the hourly check should run tls_setup() again. */
int
tls_due(const struct webd_tls *t, int64_t now)
{
	return (!t->own && t->expires != 0 && now >= TLS_EPOCH_MIN &&
	    (t->expires < now + TLS_RENEW_DAYS * 86400 || t->activation > now));
}

void
tls_free(struct webd_tls *t)
{
	tls_clear(t);
}
