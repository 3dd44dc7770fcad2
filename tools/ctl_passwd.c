/*
 * SPDX-License-Identifier: ISC
 *
 * ctl_passwd.c: "homegwctl passwd", set the status page's password.
 * Reads the new password (twice, without echo, from a terminal; one line
 * from standard input otherwise), hashes it with yescrypt through
 * crypt(3) and writes the hash into the config file's [web]
 * password_hash line.  The file is edited as text so comments and layout
 * stay; the result must parse before it replaces the old file, which
 * happens atomically (temporary file in the same directory, fsync,
 * rename) with the old file's mode and owner, except that a file holding
 * a password hash is never left readable by every local user.  The one
 * homegwctl command that writes; it never touches the databases.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "conf.h"
#include "ctl.h"
#include "setup.h"

int	ctl_passwd(struct ctl *, int, char **);

#define PASSWD_MAX	512
#define CONF_SIZE_MAX	(1024 * 1024)

/* Read one line into buf without its newline; -1 on EOF or overlong. */
static int
read_line(FILE *f, char *buf, size_t len)
{
	size_t	 n;

	if (fgets(buf, (int)len, f) == NULL)
		return (-1);
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(f))
		return (-1);		/* longer than buf */
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return (0);
}

static int
read_tty(const char *prompt, char *buf, size_t len)
{
	struct termios	 old, quiet;
	int		 r;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) < 0)
		return (-1);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0)
		return (-1);
	r = read_line(stdin, buf, len);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return (r);
}

static int
read_password(char *buf, size_t len)
{
	char	 again[PASSWD_MAX + 2];
	int	 same;

	if (!isatty(STDIN_FILENO)) {
		if (read_line(stdin, buf, len) < 0) {
			fprintf(stderr, "homegwctl: passwd: expected the "
			    "password on one line of standard input\n");
			return (-1);
		}
		return (0);
	}
	if (read_tty("New password: ", buf, len) < 0 ||
	    read_tty("Again: ", again, sizeof(again)) < 0) {
		fprintf(stderr, "homegwctl: passwd: cannot read the password\n");
		return (-1);
	}
	same = strcmp(buf, again) == 0;
	explicit_bzero(again, sizeof(again));
	if (!same) {
		fprintf(stderr, "homegwctl: passwd: the passwords differ\n");
		return (-1);
	}
	return (0);
}

/* yescrypt with the library's default cost; a fresh random salt. */
int
hash_password(const char *pw, char *out, size_t len)
{
	char			 setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data	*cd;
	const char		*h;
	int			 r = -1;

	if (crypt_gensalt_rn("$y$", 0, NULL, 0, setting, sizeof(setting)) ==
	    NULL)
		return (-1);
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return (-1);
	h = crypt_rn(pw, setting, cd, sizeof(*cd));
	if (h != NULL && h[0] == '$' && strlen(h) < len) {
		memcpy(out, h, strlen(h) + 1);
		r = 0;
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return (r);
}

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return (p);
}

/* Is the line [p, end) a section header named name? */
static int
is_section(const char *p, const char *end, const char *name)
{
	size_t	 n = strlen(name);

	p = skip_ws(p, end);
	if (p == end || *p != '[')
		return (0);
	p = skip_ws(p + 1, end);
	if ((size_t)(end - p) < n || strncmp(p, name, n) != 0)
		return (0);
	p = skip_ws(p + n, end);
	return (p < end && *p == ']');
}

/* Is the line a "password_hash =" key, active or commented out? */
static int
is_key(const char *p, const char *end, int commented)
{
	static const char key[] = "password_hash";

	p = skip_ws(p, end);
	if (commented) {
		if (p == end || (*p != '#' && *p != ';'))
			return (0);
		p = skip_ws(p + 1, end);
	}
	if ((size_t)(end - p) < sizeof(key) - 1 ||
	    strncmp(p, key, sizeof(key) - 1) != 0)
		return (0);
	p = skip_ws(p + sizeof(key) - 1, end);
	return (p < end && *p == '=');
}

/*
 * The new text: the active password_hash line of [web] replaced, or a new
 * line after a commented-out one, or after the [web] header, or a new
 * [web] section at the end.  Returns a malloc'ed string or NULL.
 */
static char *
edit_text(const char *text, const char *hash)
{
	const char	*p = text, *eol, *end = text + strlen(text);
	const char	*web = NULL, *active = NULL, *active_end = NULL;
	const char	*commented_end = NULL, *header_end = NULL;
	char		*out, line[300];
	size_t		 n;
	int		 in_web = 0;

	snprintf(line, sizeof(line), "password_hash = %s\n", hash);
	for (; p < end; p = eol) {
		eol = memchr(p, '\n', (size_t)(end - p));
		eol = eol != NULL ? eol + 1 : end;
		if (*skip_ws(p, eol) == '[') {
			in_web = is_section(p, eol, "web");
			if (in_web && web == NULL) {
				web = p;
				header_end = eol;
			}
			continue;
		}
		if (!in_web)
			continue;
		if (active == NULL && is_key(p, eol, 0)) {
			active = p;
			active_end = eol;
		} else if (commented_end == NULL && is_key(p, eol, 1))
			commented_end = eol;
	}
	n = strlen(text) + strlen(line) + 16;
	if ((out = malloc(n)) == NULL)
		return (NULL);
	if (active != NULL) {
		snprintf(out, n, "%.*s%s%s", (int)(active - text), text, line,
		    active_end);
	} else if (commented_end != NULL || header_end != NULL) {
		p = commented_end != NULL ? commented_end : header_end;
		/* A header or comment on the file's last line: add its newline. */
		snprintf(out, n, "%.*s%s%s%s", (int)(p - text), text,
		    p > text && p[-1] != '\n' ? "\n" : "", line, p);
	} else {
		snprintf(out, n, "%s%s\n[web]\n%s", text,
		    end > text && end[-1] != '\n' ? "\n" : "", line);
	}
	return (out);
}

static char *
read_conf(const char *path, struct stat *st)
{
	char	*buf;
	size_t	 got = 0;
	ssize_t	 r = 0;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return (NULL);
	if (fstat(fd, st) < 0) {
		close(fd);
		return (NULL);
	}
	if (!S_ISREG(st->st_mode) || st->st_size > CONF_SIZE_MAX) {
		close(fd);
		errno = S_ISREG(st->st_mode) ? EFBIG : EINVAL;
		return (NULL);
	}
	if ((buf = malloc((size_t)st->st_size + 1)) == NULL) {
		close(fd);
		return (NULL);
	}
	while (got < (size_t)st->st_size) {
		r = read(fd, buf + got, (size_t)st->st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	/*
	 * A file that shrank while we read it (or a read error) must not
	 * be edited: the truncated text could still parse and be written.
	 */
	if (got != (size_t)st->st_size) {
		free(buf);
		if (r == 0)
			errno = EAGAIN;
		return (NULL);
	}
	buf[got] = '\0';
	return (buf);
}

/*
 * Replace path by text atomically, keeping mode and owner; the bits for
 * other users go (the hash must not be world-readable), and a file that
 * root's group owned goes to the daemons' group instead, so that they
 * still read it: 0644 root:root becomes 0640 root:homegw.
 */
static int
write_conf(const char *path, const char *text, const struct stat *st,
    const char *user)
{
	struct passwd	*pw;
	gid_t		 gid = st->st_gid;

	if (gid == 0 && (st->st_mode & 0004) && geteuid() == 0 &&
	    (pw = getpwnam(user)) != NULL && pw->pw_uid != 0)
		gid = pw->pw_gid;
	return (sys_write_file(path, text, st->st_mode & 07770, st->st_uid,
	    gid));
}

/* homegwctl passwd: set [web] password_hash in the config file. */
int
ctl_passwd(struct ctl *c, int argc, char **argv)
{
	struct hgw_conf	*check;
	struct stat	 st;
	char		 pw[PASSWD_MAX + 2], hash[256];
	char		*text = NULL, *edited = NULL, *errors = NULL;
	int		 ret = CTL_ERROR;

	if (argc != 1) {
		fprintf(stderr, "usage: homegwctl [-c file] passwd\n");
		return (CTL_USAGE);
	}
	if ((text = read_conf(c->conf_path, &st)) == NULL) {
		fprintf(stderr, "homegwctl: %s: %s\n", c->conf_path,
		    strerror(errno));
		return (CTL_ERROR);
	}
	if (read_password(pw, sizeof(pw)) < 0)
		goto out;
	if (pw[0] == '\0' || strlen(pw) > PASSWD_MAX) {
		fprintf(stderr, "homegwctl: passwd: the password must have 1 "
		    "to %d characters\n", PASSWD_MAX);
		goto out;
	}
	if (hash_password(pw, hash, sizeof(hash)) < 0) {
		fprintf(stderr, "homegwctl: passwd: crypt(3) cannot make a "
		    "yescrypt hash on this system\n");
		goto out;
	}
	if ((edited = edit_text(text, hash)) == NULL) {
		fprintf(stderr, "homegwctl: passwd: out of memory\n");
		goto out;
	}
	/* The daemons must read the result, with this very hash. */
	if ((check = conf_load_string(edited, c->conf_path, &errors)) == NULL) {
		fprintf(stderr, "homegwctl: %s would not be valid, left as "
		    "it is:\n%s", c->conf_path, errors != NULL ? errors : "");
		goto out;
	}
	if (strcmp(check->web.password_hash, hash) != 0) {
		fprintf(stderr, "homegwctl: %s: the new password_hash line "
		    "does not take effect, left as it is\n", c->conf_path);
		conf_free(check);
		goto out;
	}
	if (write_conf(c->conf_path, edited, &st, check->gateway.user) < 0) {
		fprintf(stderr, "homegwctl: cannot write %s: %s\n",
		    c->conf_path, strerror(errno));
		conf_free(check);
		goto out;
	}
	conf_free(check);
	printf("password set in %s; reload homegw-webd to use it\n",
	    c->conf_path);
	ret = CTL_OK;
 out:
	explicit_bzero(pw, sizeof(pw));
	free(text);
	free(edited);
	free(errors);
	return (ret);
}
