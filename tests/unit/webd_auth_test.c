/*
 * SPDX-License-Identifier: ISC
 *
 * webd_auth_test.c: webd/auth.c: crypt(3) password checks, random
 * tokens, session expiry and eviction, the login limits: back-off per
 * client, the global limit, the bounded table and IPv6 /64 tracking.
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

/* One wrong password from s at now; the allow check's answer. */
static int
fail(const char *s, int64_t now)
{
	struct sockaddr_in	 c = sin_of(s);
	int			 wait;

	if ((wait = auth_login_allowed(&a, (struct sockaddr *)&c, now)) == 0)
		auth_login_failed(&a, (struct sockaddr *)&c, now);
	return (wait);
}

static int
allowed(const char *s, int64_t now)
{
	struct sockaddr_in	 c = sin_of(s);

	return (auth_login_allowed(&a, (struct sockaddr *)&c, now));
}

static void
test_backoff(void)
{
	struct sockaddr_in	 c1 = sin_of("192.168.1.10");
	int			 i, wait;

	auth_init(&a, 3600);
	for (i = 0; i < WEBD_LOGIN_BURST; i++)
		CHECK_MSG(fail("192.168.1.10", 100 + i * 10) == 0, "failure N within the burst");
	/* Then a back-off that doubles with every further failure. */
	wait = allowed("192.168.1.10", 150);
	CHECK_MSG(wait > 0 && wait <= WEBD_LOGIN_WINDOW, "wait N");
	CHECK(fail("192.168.1.10", 140 + WEBD_LOGIN_WINDOW) == 0);
	wait = allowed("192.168.1.10", 140 + WEBD_LOGIN_WINDOW);
	CHECK_MSG(wait == 2 * WEBD_LOGIN_WINDOW, "doubled: N");
	/* Another client is not affected. */
	CHECK(allowed("192.168.1.11", 200) == 0);
	/* Success clears the failures. */
	auth_login_success(&a, (struct sockaddr *)&c1);
	CHECK(allowed("192.168.1.10", 201) == 0);
	/* It never grows past the ceiling. */
	auth_init(&a, 3600);
	for (i = 0; i < 40; i++) {
		c1 = sin_of("192.168.1.10");
		auth_login_failed(&a, (struct sockaddr *)&c1, 1000);
	}
	CHECK(allowed("192.168.1.10", 1000) == WEBD_LOGIN_BACKOFF_MAX);
}

static void
test_global(void)
{
	char			 ip[32];
	int			 i, n, limited;
	int64_t			 t;
	struct sockaddr_in	 c;

	/* 30 wrong passwords from 6 addresses: the global limit bites. */
	auth_init(&a, 3600);
	for (i = n = limited = 0; i < 30; i++) {
		snprintf(ip, sizeof(ip), "192.168.50.%d", 100 + i % 6);
		if (fail(ip, 1000) == 0)
			n++;
		else
			limited++;
	}
	CHECK_MSG(n == WEBD_LOGIN_GLOBAL_BURST, "N tries went through");
	CHECK(a.global_limited == (uint64_t)limited);
	/* Known guessers wait for the bucket ... */
	CHECK(allowed("192.168.50.100", 1001) > 0);
	/* ... a fresh address gets its try at once ... */
	CHECK(allowed("192.168.50.11", 1001) == 0);
	/* ... and the next fresh one within WEBD_LOGIN_FRESH_PERIOD. */
	i = allowed("192.168.50.12", 1001);
	CHECK_MSG(i > 0 && i <= WEBD_LOGIN_FRESH_PERIOD, "wait N");
	CHECK(allowed("192.168.50.12", 1001 + WEBD_LOGIN_FRESH_PERIOD) == 0);
	/* An address that logged in before is never held globally. */
	c = sin_of("192.168.50.11");
	auth_login_success(&a, (struct sockaddr *)&c);
	for (i = 0; i < 3; i++)
		CHECK(allowed("192.168.50.11", 1002) == 0);
	/* The bucket refills. */
	t = 1001 + WEBD_LOGIN_GLOBAL_PERIOD * WEBD_LOGIN_GLOBAL_BURST;
	CHECK(allowed("192.168.50.105", t) == 0);
}

static void
test_table(void)
{
	struct sockaddr_in c;
	char		 ip[32];
	unsigned int	 i;
	int		 wait;

	/*
	 * A guesser in back-off stays tracked however many new addresses
	 * come: entries with recent failures are not evicted.
	 */
	auth_init(&a, 3600);
	c = sin_of("192.168.1.10");
	for (i = 0; i < 8; i++)
		auth_login_failed(&a, (struct sockaddr *)&c, 100);
	for (i = 0; i < WEBD_CLIENTS_MAX * 4; i++) {
		snprintf(ip, sizeof(ip), "10.%u.%u.%u", i / 62500,
		    i / 250 % 250, i % 250 + 1);
		a.global_tokens = WEBD_LOGIN_GLOBAL_BURST;
		fail(ip, 200);
	}
	wait = allowed("192.168.1.10", 300);
	CHECK_MSG(wait > 0, "still in back-off: N");
	/* Clients with no failures may be evicted for newcomers. */
	auth_init(&a, 3600);
	for (i = 0; i < WEBD_CLIENTS_MAX * 2; i++) {
		snprintf(ip, sizeof(ip), "10.0.%u.%u", i / 250, i % 250 + 1);
		a.global_tokens = WEBD_LOGIN_GLOBAL_BURST;
		CHECK_MSG(allowed(ip, 1000 + i) == 0, "new client S");
	}
}

static void
test_ipv6_prefix(void)
{
	struct sockaddr_in6	 c;
	int			 i;

	/* Every address of one /64 is the same client. */
	auth_init(&a, 3600);
	for (i = 0; i < WEBD_LOGIN_BURST; i++) {
		memset(&c, 0, sizeof(c));
		c.sin6_family = AF_INET6;
		inet_pton(AF_INET6, "fd00:1:2:3::1", &c.sin6_addr);
		c.sin6_addr.s6_addr[15] = (uint8_t)(i + 1);
		auth_login_failed(&a, (struct sockaddr *)&c, 100);
	}
	inet_pton(AF_INET6, "fd00:1:2:3::ffff", &c.sin6_addr);
	CHECK(auth_login_allowed(&a, (struct sockaddr *)&c, 101) > 0);
	inet_pton(AF_INET6, "fd00:1:2:4::1", &c.sin6_addr);
	CHECK(auth_login_allowed(&a, (struct sockaddr *)&c, 101) == 0);
}

int
main(void)
{
	test_password();
	test_tokens();
	test_sessions();
	test_backoff();
	test_global();
	test_table();
	test_ipv6_prefix();
	return (tap_done());
}
