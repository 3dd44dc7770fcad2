/*
 * SPDX-License-Identifier: ISC
 *
 * tlsfp.c: a certificate's SHA-256 fingerprint (tlsfp.h), with GnuTLS.
 * Its own module so that only the programs that print it link GnuTLS.
 */
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "tlsfp.h"

int
tls_fingerprint_file(const char *path, char *buf, size_t len)
{
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 d;
	unsigned char		 fp[32];
	size_t			 fplen = sizeof(fp), i;
	int			 r;

	if (len < TLSFP_LEN || gnutls_load_file(path, &d) < 0)
		return (-1);
	if (gnutls_x509_crt_init(&crt) < 0) {
		gnutls_free(d.data);
		return (-1);
	}
	r = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM);
	gnutls_free(d.data);
	if (r >= 0)
		r = gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256,
		    fp, &fplen);
	gnutls_x509_crt_deinit(crt);
	if (r < 0 || fplen != sizeof(fp))
		return (-1);
	for (i = 0; i < fplen; i++)
		snprintf(buf + i * 3, len - i * 3, "%02X%s", fp[i],
		    i + 1 < fplen ? ":" : "");
	return (0);
}
