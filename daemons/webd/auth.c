/*
 * SPDX-License-Identifier: ISC
 *
 * auth.c: who may see the status page.  Owns the password check (crypt(3)
 * against [web] password_hash), the session table (random ids from
 * getrandom, idle expiry), the CSRF token of each session and the per
 * client login rate limit.  Both tables are fixed arrays, so no client can
 * make webd allocate: a full session table evicts the least recently used
 * session, a full client table the oldest client.  No I/O besides
 * getrandom, no logging; http.c decides what to tell the client.
 */
#include <sys/types.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "webd.h"

/* Start with empty tables. */
void
auth_init(struct auth *a, unsigned int session_timeout)
{
	memset(a, 0, sizeof(*a));
	a->timeout = session_timeout ? session_timeout : 3600;
	a->burst = WEBD_LOGIN_BURST;
	a->window = WEBD_LOGIN_WINDOW;
}

/* A fresh random token: WEBD_TOKEN_LEN bytes from getrandom, in hex. */
int
auth_token(char *buf)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char	 raw[WEBD_TOKEN_LEN];
	size_t		 got = 0;
	ssize_t		 n;
	int		 i;

	while (got < sizeof(raw)) {
		n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		got += (size_t)n;
	}
	for (i = 0; i < WEBD_TOKEN_LEN; i++) {
		buf[i * 2] = hex[raw[i] >> 4];
		buf[i * 2 + 1] = hex[raw[i] & 0xf];
	}
	buf[WEBD_TOKEN_HEX] = '\0';
	explicit_bzero(raw, sizeof(raw));
	return (0);
}

/* Compare without an early exit, so timing tells nothing about a prefix. */
int
auth_token_cmp(const char *a, const char *b)
{
	size_t		 la = strlen(a), lb = strlen(b), i;
	unsigned char	 d = 0;

	if (la != lb || la == 0)
		return (1);
	for (i = 0; i < la; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return (d != 0);
}

/* Non-zero when this system's crypt(3) knows the hash's method. */
int
auth_hash_usable(const char *hash)
{
	struct crypt_data	*cd;
	const char		*r;
	int			 ok;

	if (hash == NULL || hash[0] == '\0' || hash[0] == '*' ||
	    hash[0] == '!')
		return (0);
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return (0);
	/* Hashing the empty password shows whether the setting parses. */
	r = crypt_rn("", hash, cd, sizeof(*cd));
	ok = r != NULL && r[0] != '*';
	free(cd);
	return (ok);
}

/*
 * Check a password.  crypt_rn writes into our own crypt_data, so nothing
 * static is shared; yescrypt takes some tens of milliseconds on a Pi,
 * which blocks the loop that long per attempt: acceptable because login
 * attempts are rate limited per client and rare.
 */
int
auth_password_ok(const char *hash, const char *password)
{
	struct crypt_data	*cd;
	const char		*r;
	int			 ok = 0;

	if (hash == NULL || hash[0] == '\0' || password == NULL)
		return (0);
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return (0);
	r = crypt_rn(password, hash, cd, sizeof(*cd));
	if (r != NULL && r[0] != '*')
		ok = auth_token_cmp(r, hash) == 0;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return (ok);
}

static int
expired(const struct auth *a, const struct auth_session *s, int64_t now)
{
	return (s->id[0] == '\0' || now - s->last_used >= (int64_t)a->timeout ||
	    now < s->created);
}

/* A new session, evicting the least recently used one if the table is full. */
struct auth_session *
auth_session_new(struct auth *a, int64_t now)
{
	struct auth_session	*s, *victim = NULL;
	int			 i;

	for (i = 0; i < WEBD_SESSIONS_MAX; i++) {
		s = &a->sessions[i];
		if (expired(a, s, now)) {
			victim = s;
			break;
		}
		if (victim == NULL || s->last_used < victim->last_used)
			victim = s;
	}
	memset(victim, 0, sizeof(*victim));
	if (auth_token(victim->id) < 0 || auth_token(victim->csrf) < 0) {
		memset(victim, 0, sizeof(*victim));
		return (NULL);
	}
	victim->created = victim->last_used = now;
	return (victim);
}

/* The live session with this id, its idle timer restarted; else NULL. */
struct auth_session *
auth_session_find(struct auth *a, const char *id, int64_t now)
{
	struct auth_session	*s;
	int			 i;

	if (id == NULL || strlen(id) != WEBD_TOKEN_HEX)
		return (NULL);
	for (i = 0; i < WEBD_SESSIONS_MAX; i++) {
		s = &a->sessions[i];
		if (s->id[0] == '\0' || auth_token_cmp(s->id, id) != 0)
			continue;
		if (expired(a, s, now)) {
			auth_session_end(a, s);
			return (NULL);
		}
		s->last_used = now;
		return (s);
	}
	return (NULL);
}

/* Forget a session (logout). */
void
auth_session_end(struct auth *a, struct auth_session *s)
{
	explicit_bzero(s, sizeof(*s));
}

/* Forget every session (the password changed). */
void
auth_session_clear(struct auth *a)
{
	explicit_bzero(a->sessions, sizeof(a->sessions));
}

/* Number of live sessions. */
unsigned int
auth_session_count(struct auth *a, int64_t now)
{
	unsigned int	 n = 0;
	int		 i;

	for (i = 0; i < WEBD_SESSIONS_MAX; i++)
		if (!expired(a, &a->sessions[i], now))
			n++;
	return (n);
}

static int
same_addr(const struct sockaddr_storage *ss, const struct sockaddr *sa)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (ss->ss_family != sa->sa_family)
		return (0);
	if (sa->sa_family == AF_INET) {
		a4 = (const struct sockaddr_in *)ss;
		b4 = (const struct sockaddr_in *)sa;
		return (a4->sin_addr.s_addr == b4->sin_addr.s_addr);
	}
	if (sa->sa_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)ss;
		b6 = (const struct sockaddr_in6 *)sa;
		return (memcmp(&a6->sin6_addr, &b6->sin6_addr,
		    sizeof(a6->sin6_addr)) == 0);
	}
	return (0);
}

static struct auth_client *
client_get(struct auth *a, const struct sockaddr *sa, int create)
{
	struct auth_client	*c, *victim = NULL;
	int			 i;

	for (i = 0; i < WEBD_CLIENTS_MAX; i++) {
		c = &a->clients[i];
		if (c->addr.ss_family != AF_UNSPEC && same_addr(&c->addr, sa))
			return (c);
		if (victim == NULL || c->addr.ss_family == AF_UNSPEC ||
		    (victim->addr.ss_family != AF_UNSPEC &&
		    c->last_seen < victim->last_seen))
			victim = c;
	}
	if (!create)
		return (NULL);
	memset(victim, 0, sizeof(*victim));
	if (sa->sa_family == AF_INET)
		memcpy(&victim->addr, sa, sizeof(struct sockaddr_in));
	else if (sa->sa_family == AF_INET6)
		memcpy(&victim->addr, sa, sizeof(struct sockaddr_in6));
	else
		victim->addr.ss_family = sa->sa_family;
	return (victim);
}

/*
 * A fixed window per client: burst attempts per window seconds.  The
 * attempt is counted before the password is checked, so a client cannot
 * get more tries by sending them in parallel.
 */
int
auth_login_allowed(struct auth *a, const struct sockaddr *sa, int64_t now)
{
	struct auth_client	*c;

	c = client_get(a, sa, 1);
	c->last_seen = now;
	if (now - c->window_start >= (int64_t)a->window ||
	    now < c->window_start) {
		c->window_start = now;
		c->attempts = 0;
	}
	if (c->attempts >= a->burst) {
		a->logins_limited++;
		return ((int)(c->window_start + a->window - now));
	}
	c->attempts++;
	return (0);
}

/* The client logged in: its earlier failures no longer count. */
void
auth_login_success(struct auth *a, const struct sockaddr *sa)
{
	struct auth_client	*c;

	if ((c = client_get(a, sa, 0)) != NULL)
		c->attempts = 0;
}
