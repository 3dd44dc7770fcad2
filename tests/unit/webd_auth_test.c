/*
 * SPDX-License-Identifier: ISC
 *
 * webd_auth_test.c: webd/auth.c: crypt(3) password checks, random
 * tokens, session expiry and eviction, the login rate limit per client.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "../../daemons/webd/webd.h"

static struct auth	 a;

static struct sockaddr_in
sin_of(const char *s)
{
	struct sockaddr_in	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, s, &sin.sin_addr);
	return (sin);
}

static void
test_password(void)
{
	char		 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char	*h;
	char		*hash;

	CHECK(crypt_gensalt_rn("$y$", 0, NULL, 0, setting,
	    sizeof(setting)) != NULL);
	h = crypt(" pass word ", setting);
	CHECK(h != NULL && h[0] == '$');
	hash = strdup(h);
	CHECK(auth_hash_usable(hash));
	CHECK(auth_password_ok(hash, " pass word "));
	CHECK(!auth_password_ok(hash, " pass word"));
	CHECK(!auth_password_ok(hash, ""));
	CHECK(!auth_password_ok("", ""));
	CHECK(!auth_password_ok(NULL, "x"));
	CHECK(!auth_hash_usable(""));
	CHECK(!auth_hash_usable("*"));
	CHECK(!auth_hash_usable("!locked"));
	CHECK(!auth_hash_usable("$zz$nonsense"));
	/* SHA-512 crypt works too. */
	h = crypt("pw", "$6$saltsalt$");
	CHECK(h != NULL && auth_password_ok(h, "pw"));
	free(hash);
}

static void
test_tokens(void)
{
	char	 t1[WEBD_TOKEN_HEX + 1], t2[WEBD_TOKEN_HEX + 1];
	size_t	 i;
	int	 hex = 1;

	CHECK(auth_token(t1) == 0);
	CHECK(auth_token(t2) == 0);
	CHECK(strlen(t1) == WEBD_TOKEN_HEX);
	for (i = 0; i < WEBD_TOKEN_HEX; i++)
		if (strchr("0123456789abcdef", t1[i]) == NULL)
			hex = 0;
	CHECK(hex);
	CHECK(strcmp(t1, t2) != 0);
	CHECK(auth_token_cmp(t1, t1) == 0);
	CHECK(auth_token_cmp(t1, t2) != 0);
	CHECK(auth_token_cmp("", "") != 0);	/* empty never matches */
	CHECK(auth_token_cmp("abc", "abcd") != 0);
}

static void
test_sessions(void)
{
	struct auth_session	*s, *s2;
	char			 id[WEBD_TOKEN_HEX + 1], first[WEBD_TOKEN_HEX + 1];
	int			 i;

	auth_init(&a, 100);
	s = auth_session_new(&a, 1000);
	CHECK(s != NULL);
	snprintf(id, sizeof(id), "%s", s->id);
	CHECK(strcmp(s->id, s->csrf) != 0);
	CHECK(auth_session_find(&a, id, 1050) == s);
	/* Idle time restarts on use. */
	CHECK(auth_session_find(&a, id, 1149) == s);
	CHECK(auth_session_find(&a, id, 1249) == NULL);
	CHECK(auth_session_count(&a, 1249) == 0);
	CHECK(auth_session_find(&a, NULL, 0) == NULL);
	CHECK(auth_session_find(&a, "short", 0) == NULL);

	s = auth_session_new(&a, 2000);
	snprintf(id, sizeof(id), "%s", s->id);
	auth_session_end(&a, s);
	CHECK(auth_session_find(&a, id, 2001) == NULL);

	/* A full table evicts the least recently used session. */
	auth_init(&a, 1000000);
	s = auth_session_new(&a, 10);
	snprintf(first, sizeof(first), "%s", s->id);
	for (i = 1; i < WEBD_SESSIONS_MAX; i++)
		CHECK_MSG(auth_session_new(&a, 10 + i) != NULL, "fill table");
	CHECK(auth_session_count(&a, 100) == WEBD_SESSIONS_MAX);
	s2 = auth_session_new(&a, 200);
	CHECK(s2 != NULL);
	CHECK(auth_session_count(&a, 200) == WEBD_SESSIONS_MAX);
	CHECK(auth_session_find(&a, first, 201) == NULL);
	auth_session_clear(&a);
	CHECK(auth_session_count(&a, 201) == 0);
}

static void
test_rate_limit(void)
{
	struct sockaddr_in	 c1 = sin_of("192.168.1.10");
	struct sockaddr_in	 c2 = sin_of("192.168.1.11");
	struct sockaddr_in	 c;
	char			 ip[32];
	unsigned int		 i;

	auth_init(&a, 3600);
	for (i = 0; i < WEBD_LOGIN_BURST; i++)
		CHECK_MSG(auth_login_allowed(&a, (struct sockaddr *)&c1, 100)
		    == 0, "attempt within the burst");
	CHECK(auth_login_allowed(&a, (struct sockaddr *)&c1, 101) > 0);
	CHECK(auth_login_allowed(&a, (struct sockaddr *)&c1, 159) > 0);
	/* Another client is not affected. */
	CHECK(auth_login_allowed(&a, (struct sockaddr *)&c2, 101) == 0);
	/* A new window. */
	CHECK(auth_login_allowed(&a, (struct sockaddr *)&c1,
	    100 + WEBD_LOGIN_WINDOW) == 0);
	/* Success clears the count. */
	for (i = 1; i < WEBD_LOGIN_BURST; i++)
		auth_login_allowed(&a, (struct sockaddr *)&c1, 200);
	auth_login_success(&a, (struct sockaddr *)&c1);
	CHECK(auth_login_allowed(&a, (struct sockaddr *)&c1, 201) == 0);
	CHECK(a.logins_limited == 2);

	/* Many clients: the table stays bounded, old ones are dropped. */
	auth_init(&a, 3600);
	for (i = 0; i < WEBD_CLIENTS_MAX * 2; i++) {
		snprintf(ip, sizeof(ip), "10.0.%u.%u", i / 250, i % 250 + 1);
		c = sin_of(ip);
		auth_login_allowed(&a, (struct sockaddr *)&c, 1000 + i);
	}
	for (i = 0; i < WEBD_LOGIN_BURST; i++)
		auth_login_allowed(&a, (struct sockaddr *)&c1, 5000);
	CHECK(auth_login_allowed(&a, (struct sockaddr *)&c1, 5001) > 0);
}

int
main(void)
{
	test_password();
	test_tokens();
	test_sessions();
	test_rate_limit();
	return (tap_done());
}
