/*
 * SPDX-License-Identifier: ISC
 *
 * auth.c: who may see the status page.  Owns the password check (crypt(3)
 * against [web] password_hash), the session table (random ids from
 * getrandom, idle expiry), the CSRF token of each session and the login
 * limits (per client back-off and a global limit).  Both tables are fixed
 * arrays, so no client can make webd allocate: a full session table evicts
 * the least recently used session, a full client table a client with no
 * recent failures (never one in back-off).  No I/O besides
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
	a->global_tokens = WEBD_LOGIN_GLOBAL_BURST;
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

/*
 * The key a client is tracked by: its IPv4 address, or the /64 of its
 * IPv6 address (one host holds a whole /64 and may pick any address in
 * it, so tracking single IPv6 addresses would count nothing).
 */
static void
client_key(const struct sockaddr *sa, struct sockaddr_storage *key)
{
	struct sockaddr_in	*k4;
	struct sockaddr_in6	*k6;

	memset(key, 0, sizeof(*key));
	key->ss_family = sa->sa_family;
	if (sa->sa_family == AF_INET) {
		k4 = (struct sockaddr_in *)key;
		k4->sin_addr = ((const struct sockaddr_in *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		k6 = (struct sockaddr_in6 *)key;
		memcpy(&k6->sin6_addr, &((const struct sockaddr_in6 *)sa)->
		    sin6_addr, 8);
	}
}

static int
same_key(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	return (memcmp(a, b, sizeof(*a)) == 0);
}

/*
 * A client may be forgotten when it has no failures, or when its last
 * failure is WEBD_LOGIN_FORGET seconds old and its back-off is over.
 */
static int
forgettable(const struct auth_client *c, int64_t now)
{
	if (c->key.ss_family == AF_UNSPEC || c->failures == 0)
		return (1);
	return (c->next_try <= now && now - c->last_seen >= WEBD_LOGIN_FORGET);
}

/*
 * The client's entry; with create, a new one in a free or forgettable
 * slot (the least recently seen).  Entries of clients that failed
 * recently are never evicted for a newcomer: with the table full of
 * them, the newcomer is not tracked (NULL) and only the global limit
 * applies to it, so many addresses cannot wash out the back-off of
 * others.
 */
static struct auth_client *
client_get(struct auth *a, const struct sockaddr *sa, int64_t now, int create)
{
	struct sockaddr_storage	 key;
	struct auth_client	*c, *victim = NULL;
	int			 i;

	client_key(sa, &key);
	for (i = 0; i < WEBD_CLIENTS_MAX; i++) {
		c = &a->clients[i];
		if (c->key.ss_family != AF_UNSPEC && same_key(&c->key, &key))
			return (c);
		if (!forgettable(c, now))
			continue;
		if (victim == NULL || c->key.ss_family == AF_UNSPEC ||
		    (victim->key.ss_family != AF_UNSPEC &&
		    c->last_seen < victim->last_seen))
			victim = c;
	}
	if (!create || victim == NULL)
		return (NULL);
	memset(victim, 0, sizeof(*victim));
	victim->key = key;
	return (victim);
}

static int
trusted_find(const struct auth *a, const struct sockaddr_storage *key)
{
	int	 i;

	for (i = 0; i < WEBD_TRUSTED_MAX; i++)
		if (a->trusted[i].ss_family != AF_UNSPEC &&
		    same_key(&a->trusted[i], key))
			return (i);
	return (-1);
}

static void
global_refill(struct auth *a, int64_t now)
{
	int64_t	 n;

	if (now < a->global_time)
		a->global_time = now;
	n = (now - a->global_time) / WEBD_LOGIN_GLOBAL_PERIOD;
	if (n <= 0)
		return;
	a->global_time += n * WEBD_LOGIN_GLOBAL_PERIOD;
	if (a->global_tokens + n >= WEBD_LOGIN_GLOBAL_BURST) {
		a->global_tokens = WEBD_LOGIN_GLOBAL_BURST;
		a->global_time = now;
	} else
		a->global_tokens += (unsigned int)n;
}

/*
 * May this client try a password now?  Three limits, checked before the
 * password is (webd checks it in the same turn of its loop, so parallel
 * requests gain nothing):
 * - per client, exponential back-off: WEBD_LOGIN_BURST failures are free,
 *   then each failure doubles the wait, from WEBD_LOGIN_WINDOW seconds up
 *   to WEBD_LOGIN_BACKOFF_MAX;
 * - globally, a bucket of WEBD_LOGIN_GLOBAL_BURST tries refilled by one
 *   every WEBD_LOGIN_GLOBAL_PERIOD seconds, whatever the address;
 * - when the bucket is empty, a client with no failures still gets a try
 *   if no other such client had one in the last WEBD_LOGIN_FRESH_PERIOD
 *   seconds, and an address that logged in before (one of the last
 *   WEBD_TRUSTED_MAX) is not held by the global limit at all: a guesser
 *   slows everybody down but locks nobody out.
 * Returns 0, or the seconds to wait (at least 1).
 */
int
auth_login_allowed(struct auth *a, const struct sockaddr *sa, int64_t now)
{
	struct sockaddr_storage	 key;
	struct auth_client	*c;
	int64_t			 wait;

	global_refill(a, now);
	c = client_get(a, sa, now, 0);
	if (c != NULL && c->next_try > now) {
		a->logins_limited++;
		return ((int)(c->next_try - now));
	}
	client_key(sa, &key);
	if (trusted_find(a, &key) >= 0)
		;
	else if (a->global_tokens > 0)
		a->global_tokens--;
	else if ((c == NULL || c->failures == 0) && now >= a->fresh_next)
		a->fresh_next = now + WEBD_LOGIN_FRESH_PERIOD;
	else {
		a->logins_limited++;
		a->global_limited++;
		if (c == NULL || c->failures == 0)
			wait = a->fresh_next - now;
		else
			wait = a->global_time + WEBD_LOGIN_GLOBAL_PERIOD - now;
		return ((int)(wait < 1 ? 1 : wait));
	}
	if (c == NULL)
		c = client_get(a, sa, now, 1);
	if (c != NULL)
		c->last_seen = now;
	return (0);
}

/* A wrong password: the client's back-off grows. */
void
auth_login_failed(struct auth *a, const struct sockaddr *sa, int64_t now)
{
	struct sockaddr_storage	 key;
	struct auth_client	*c;
	int64_t			 wait;
	int			 i;

	a->logins_failed++;
	client_key(sa, &key);
	if ((i = trusted_find(a, &key)) >= 0)
		memset(&a->trusted[i], 0, sizeof(a->trusted[i]));
	if ((c = client_get(a, sa, now, 1)) == NULL)
		return;
	c->last_seen = now;
	if (c->failures < 64)
		c->failures++;
	if (c->failures < WEBD_LOGIN_BURST)
		return;
	wait = WEBD_LOGIN_WINDOW;
	for (i = WEBD_LOGIN_BURST; i < (int)c->failures &&
	    wait < WEBD_LOGIN_BACKOFF_MAX; i++)
		wait *= 2;
	if (wait > WEBD_LOGIN_BACKOFF_MAX)
		wait = WEBD_LOGIN_BACKOFF_MAX;
	c->next_try = now + wait;
}

/* The client logged in: its failures are forgiven and it is trusted. */
void
auth_login_success(struct auth *a, const struct sockaddr *sa)
{
	struct sockaddr_storage	 key;
	struct auth_client	*c;

	a->logins_ok++;
	/* A right password is no guess: it gives its try back. */
	if (a->global_tokens < WEBD_LOGIN_GLOBAL_BURST)
		a->global_tokens++;
	client_key(sa, &key);
	for (c = a->clients; c < a->clients + WEBD_CLIENTS_MAX; c++)
		if (c->key.ss_family != AF_UNSPEC && same_key(&c->key, &key)) {
			c->failures = 0;
			c->next_try = 0;
		}
	if (trusted_find(a, &key) >= 0)
		return;
	memmove(&a->trusted[1], &a->trusted[0],
	    (WEBD_TRUSTED_MAX - 1) * sizeof(a->trusted[0]));
	a->trusted[0] = key;
}
