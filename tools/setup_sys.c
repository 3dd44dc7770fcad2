/*
 * SPDX-License-Identifier: ISC
 *
 * setup_sys.c: what "homegwctl setup" reads from the running system and
 * the few things it does to it.  Reads the interfaces (getifaddrs and
 * /sys/class/net), the IPv4 routes (/proc/net/route), who owns a socket
 * and what a process is (/proc), runs commands, writes files atomically.
 * Everything here sees the caller's network namespace, which is what a
 * lab test relies on.  The decisions are in setup_plan.c.
 */
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "setup.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000
#endif

static struct setup_iface *
iface_get(struct setup_net *net, const char *name)
{
	struct setup_iface	*ifp;

	if ((ifp = plan_iface(net, name)) != NULL)
		return (ifp);
	if (net->nifs == SETUP_IF_MAX)
		return (NULL);
	ifp = &net->ifs[net->nifs++];
	memset(ifp, 0, sizeof(*ifp));
	snprintf(ifp->name, sizeof(ifp->name), "%s", name);
	ifp->type = -1;
	return (ifp);
}

static int
sys_exists(const char *ifname, const char *what)
{
	char	 path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, what);
	return (access(path, F_OK) == 0);
}

static int
netmask_len(const struct sockaddr *sa, int family)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;
	const uint8_t			*b;
	int				 n = 0, i, len;

	if (sa == NULL)
		return (family == AF_INET ? 32 : 128);
	if (family == AF_INET) {
		b = (const uint8_t *)&sin->sin_addr;
		len = 4;
	} else {
		b = (const uint8_t *)&sin6->sin6_addr;
		len = 16;
	}
	for (i = 0; i < len; i++)
		n += __builtin_popcount(b[i]);
	return (n);
}

/* What /sys/class/net says beyond getifaddrs: bridges, ports, wireless. */
static void
iface_sysfs(struct setup_iface *ifp)
{
	char	 path[PATH_MAX], link[PATH_MAX];
	char	*text;
	ssize_t	 n;

	ifp->wireless = sys_exists(ifp->name, "wireless") ||
	    sys_exists(ifp->name, "phy80211");
	ifp->bridge = sys_exists(ifp->name, "bridge");
	ifp->physical = sys_exists(ifp->name, "device");
	snprintf(path, sizeof(path), "/sys/class/net/%s/master", ifp->name);
	if ((n = readlink(path, link, sizeof(link) - 1)) > 0) {
		link[n] = '\0';
		snprintf(ifp->master, sizeof(ifp->master), "%s",
		    basename(link));
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", ifp->name);
	if (ifp->up && (text = sys_read_file(path)) != NULL) {
		ifp->carrier = text[0] == '1';
		free(text);
	}
	if (ifp->type < 0) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/type",
		    ifp->name);
		if ((text = sys_read_file(path)) != NULL) {
			ifp->type = atoi(text);
			free(text);
		}
	}
}

/*
 * Every interface with its state, MAC and addresses, and the IPv4 routes.
 * 0, or -1 with errno set when the interfaces cannot be listed.
 */
int
sys_read_net(struct setup_net *net)
{
	struct ifaddrs		*ifa0, *ifa;
	struct setup_iface	*ifp;
	char			*text, a6[INET6_ADDRSTRLEN];
	int			 i, plen;

	memset(net, 0, sizeof(*net));
	if (getifaddrs(&ifa0) < 0)
		return (-1);
	for (ifa = ifa0; ifa != NULL; ifa = ifa->ifa_next) {
		if ((ifp = iface_get(net, ifa->ifa_name)) == NULL)
			continue;
		ifp->up = (ifa->ifa_flags & IFF_UP) != 0;
		ifp->loopback = (ifa->ifa_flags & IFF_LOOPBACK) != 0;
		ifp->carrier = (ifa->ifa_flags & IFF_LOWER_UP) != 0;
		if (ifa->ifa_addr == NULL)
			continue;
		switch (ifa->ifa_addr->sa_family) {
		case AF_PACKET: {
			const struct sockaddr_ll *ll =
			    (const struct sockaddr_ll *)ifa->ifa_addr;

			ifp->type = ll->sll_hatype;
			if (ll->sll_halen == ADDR_MAC_LEN) {
				memcpy(ifp->mac, ll->sll_addr, ADDR_MAC_LEN);
				ifp->has_mac = 1;
			}
			break;
		}
		case AF_INET:
			if (ifp->naddr4 == SETUP_ADDR_MAX)
				break;
			ifp->addr4[ifp->naddr4].addr =
			    ((struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
			ifp->addr4[ifp->naddr4].plen =
			    netmask_len(ifa->ifa_netmask, AF_INET);
			ifp->naddr4++;
			break;
		case AF_INET6:
			if (ifp->naddr6 == SETUP_ADDR_MAX)
				break;
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)
			    ifa->ifa_addr)->sin6_addr, a6, sizeof(a6));
			plen = netmask_len(ifa->ifa_netmask, AF_INET6);
			snprintf(ifp->addr6[ifp->naddr6],
			    sizeof(ifp->addr6[0]), "%s/%d", a6,
			    plen < 0 || plen > 128 ? 128 : plen);
			ifp->naddr6++;
			break;
		}
	}
	freeifaddrs(ifa0);
	for (i = 0; i < net->nifs; i++)
		iface_sysfs(&net->ifs[i]);
	if ((text = sys_read_file("/proc/net/route")) != NULL) {
		plan_parse_routes(net, text);
		free(text);
	}
	return (0);
}

/* A whole (small) file as a string; NULL with errno set. */
char *
sys_read_file(const char *path)
{
	char	*buf = NULL, *t;
	size_t	 len = 0, cap = 0;
	ssize_t	 r;
	int	 fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return (NULL);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > SETUP_TEXT_MAX ||
			    (t = realloc(buf, cap)) == NULL) {
				errno = cap > SETUP_TEXT_MAX ? EFBIG : ENOMEM;
				goto fail;
			}
			buf = t;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (buf == NULL && (buf = malloc(1)) == NULL)
		return (NULL);
	buf[len] = '\0';
	return (buf);
 fail:
	saved = errno;
	close(fd);
	free(buf);
	errno = saved;
	return (NULL);
}

/*
 * Run argv[0] (found in PATH) and wait for it.  With ret_output, its
 * standard output is returned (malloc'ed, whatever the exit status; NULL
 * when it could not be run) and its standard error discarded; without,
 * both go where ours go.  Returns the exit status,
 * 127 when the program is not there, or -1 when it could not be run.
 */
int
sys_run(const char *const argv[], char **ret_output)
{
	char	*buf = NULL, *t;
	size_t	 len = 0, cap = 0;
	ssize_t	 r;
	pid_t	 pid;
	int	 p[2] = { -1, -1 }, status, null;

	fflush(stdout);
	fflush(stderr);
	if (ret_output != NULL)
		*ret_output = NULL;
	if (ret_output != NULL && pipe2(p, O_CLOEXEC) < 0)
		return (-1);
	if ((pid = fork()) < 0) {
		if (p[0] >= 0) {
			close(p[0]);
			close(p[1]);
		}
		return (-1);
	}
	if (pid == 0) {
		if (ret_output != NULL) {
			dup2(p[1], STDOUT_FILENO);
			if ((null = open("/dev/null", O_WRONLY)) >= 0)
				dup2(null, STDERR_FILENO);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (ret_output != NULL) {
		close(p[1]);
		for (;;) {
			if (len + 4096 + 1 > cap) {
				cap = cap ? cap * 2 : 8192;
				if (cap > SETUP_TEXT_MAX ||
				    (t = realloc(buf, cap)) == NULL)
					break;	/* the rest is dropped */
				buf = t;
			}
			r = read(p[0], buf + len, cap - len - 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			len += (size_t)r;
		}
		close(p[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			free(buf);
			return (-1);
		}
	if (ret_output != NULL) {
		if (buf == NULL && (buf = malloc(1)) == NULL)
			return (-1);
		buf[len] = '\0';
		*ret_output = buf;
	}
	if (WIFEXITED(status))
		return (WEXITSTATUS(status));
	return (128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0));
}

static int
is_pid(const char *s)
{
	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return (0);
	return (1);
}

/* The process holding the socket with this inode: 0, or -1 if none. */
int
sys_socket_pid(unsigned long inode, pid_t *ret_pid)
{
	DIR		*proc, *fds;
	struct dirent	*de, *fe;
	char		 path[PATH_MAX], want[64], link[64];
	ssize_t		 n;
	int		 found = 0;

	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	if ((proc = opendir("/proc")) == NULL)
		return (-1);
	while (!found && (de = readdir(proc)) != NULL) {
		if (!is_pid(de->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", de->d_name);
		if ((fds = opendir(path)) == NULL)
			continue;
		while ((fe = readdir(fds)) != NULL) {
			snprintf(path, sizeof(path), "/proc/%s/fd/%s",
			    de->d_name, fe->d_name);
			if ((n = readlink(path, link, sizeof(link) - 1)) <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, want) == 0) {
				*ret_pid = (pid_t)atol(de->d_name);
				found = 1;
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return (found ? 0 : -1);
}

/* The process's command name (comm): 0, or -1 when it is gone. */
int
sys_proc_comm(pid_t pid, char *buf, size_t len)
{
	char	 path[64], *text;

	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	if ((text = sys_read_file(path)) == NULL)
		return (-1);
	text[strcspn(text, "\n")] = '\0';
	snprintf(buf, len, "%s", text);
	free(text);
	return (0);
}

/* The systemd service a process runs in ("dnsmasq.service"), or -1. */
int
sys_proc_unit(pid_t pid, char *buf, size_t len)
{
	char	 path[64], *text, *line, *save = NULL, *u;
	size_t	 n;
	int	 r = -1;

	snprintf(path, sizeof(path), "/proc/%ld/cgroup", (long)pid);
	if ((text = sys_read_file(path)) == NULL)
		return (-1);
	for (line = strtok_r(text, "\n", &save); line != NULL && r < 0;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((u = strrchr(line, '/')) == NULL)
			continue;
		u++;
		n = strlen(u);
		if (n > 8 && strcmp(u + n - 8, ".service") == 0) {
			snprintf(buf, len, "%s", u);
			r = 0;
		}
	}
	free(text);
	return (r);
}

static int
same_netns(const char *pid, const struct stat *mine)
{
	struct stat	 st;
	char		 path[PATH_MAX];

	snprintf(path, sizeof(path), "/proc/%.32s/ns/net", pid);
	if (stat(path, &st) < 0)
		return (0);
	return (st.st_dev == mine->st_dev && st.st_ino == mine->st_ino);
}

/*
 * A process named comm in our network namespace: one in another
 * namespace (a container, a lab) does not compete for our interfaces or
 * ports.  0 with its pid, or -1.
 */
int
sys_find_proc(const char *comm, pid_t *ret_pid)
{
	DIR		*proc;
	struct dirent	*de;
	struct stat	 mine;
	char		 name[64];
	pid_t		 pid;
	int		 found = 0;

	if (stat("/proc/self/ns/net", &mine) < 0)
		return (-1);
	if ((proc = opendir("/proc")) == NULL)
		return (-1);
	while (!found && (de = readdir(proc)) != NULL) {
		if (!is_pid(de->d_name))
			continue;
		pid = (pid_t)atol(de->d_name);
		if (pid == getpid() || sys_proc_comm(pid, name,
		    sizeof(name)) < 0 || strcmp(name, comm) != 0)
			continue;
		if (!same_netns(de->d_name, &mine))
			continue;
		*ret_pid = pid;
		found = 1;
	}
	closedir(proc);
	return (found ? 0 : -1);
}

/*
 * Replace path by text atomically (a temporary file in the same
 * directory, fsync, rename) with this mode and owner.  0, or -1 with
 * errno set; the old file is untouched on failure.
 */
int
sys_write_file(const char *path, const char *text, mode_t mode, uid_t uid,
    gid_t gid)
{
	char	 tmp[PATH_MAX], dir[PATH_MAX];
	size_t	 len = strlen(text), off = 0;
	ssize_t	 w;
	int	 fd, dfd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
	    sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	if ((fd = mkstemp(tmp)) < 0)
		return (-1);
	if (fchmod(fd, mode & 07777) < 0 ||
	    (geteuid() == 0 && fchown(fd, uid, gid) < 0))
		goto fail;
	while (off < len) {
		w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		off += (size_t)w;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	snprintf(dir, sizeof(dir), "%s", path);
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >=
	    0) {
		fsync(dfd);
		close(dfd);
	}
	return (0);
 fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved;
	return (-1);
}

/*
 * A password of 20 characters from an alphabet of 32 without look-alikes
 * (no l, 1, o, 0), in groups of five: 100 bits from getrandom(2), easy to
 * type on a phone.  buf needs 24 bytes.  0, or -1.
 */
int
sys_random_password(char *buf, size_t len)
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
	uint8_t		 r[20];
	size_t		 i, o = 0;

	if (len < 24 || getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return (-1);
	for (i = 0; i < sizeof(r); i++) {
		if (i > 0 && i % 5 == 0)
			buf[o++] = '-';
		buf[o++] = alphabet[r[i] & 31];
	}
	buf[o] = '\0';
	explicit_bzero(r, sizeof(r));
	return (0);
}
