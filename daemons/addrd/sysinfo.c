/*
 * SPDX-License-Identifier: ISC
 *
 * sysinfo.c: the gateway's own health as the kernel reports it in /proc
 * and /sys: load, CPU time, memory, uptime, temperatures, the Raspberry
 * Pi firmware's throttling flags, the block device under a directory and
 * each network interface's link and counters.  Only reads small files:
 * no netlink, no SQLite, no logging, no allocation.  A figure the
 * hardware does not report stays "absent" (its has_ flag 0); nothing is
 * guessed.  All paths are taken under sysinfo_root, "" on a real system,
 * a directory of fixture files in the unit test.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addrd.h"

const char *sysinfo_root = "";

/* Copy src into dst (size len), cut at a UTF-8-agnostic byte bound. */
static void
copy_str(char *dst, size_t len, const char *src)
{
	size_t	 n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Read a small file whole into buf (NUL-terminated); length or -errno. */
static int
read_small(const char *path, char *buf, size_t len)
{
	char	 full[PATH_MAX];
	ssize_t	 n;
	int	 fd, r;

	if ((size_t)snprintf(full, sizeof(full), "%s%s", sysinfo_root,
	    path) >= sizeof(full))
		return (-ENAMETOOLONG);
	if ((fd = open(full, O_RDONLY | O_CLOEXEC)) == -1)
		return (-errno);
	n = read(fd, buf, len - 1);
	r = n < 0 ? -errno : (int)n;
	close(fd);
	if (n < 0)
		return (r);
	buf[n] = '\0';
	return (r);
}

/* One unsigned decimal number from a file; 0 or -errno. */
static int
read_u64(const char *path, uint64_t *ret)
{
	char			 buf[64], *end;
	unsigned long long	 v;
	int			 r;

	if ((r = read_small(path, buf, sizeof(buf))) < 0)
		return (r);
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno != 0 || end == buf || buf[0] == '-')
		return (-EINVAL);
	*ret = v;
	return (0);
}

/* The first line of a file without its newline; 0 or -errno. */
static int
read_line(const char *path, char *buf, size_t len)
{
	int	 r;

	if ((r = read_small(path, buf, len)) < 0)
		return (r);
	buf[strcspn(buf, "\n")] = '\0';
	return (0);
}

/* Parse /proc/loadavg's first three fields. */
int
sysinfo_parse_loadavg(const char *text, double load[3])
{
	double	 a, b, c;

	if (sscanf(text, "%lf %lf %lf", &a, &b, &c) != 3 || a < 0 || b < 0 ||
	    c < 0)
		return (-EINVAL);
	load[0] = a;
	load[1] = b;
	load[2] = c;
	return (0);
}

/*
 * Parse the "cpu" line of /proc/stat into busy and total jiffies.  Idle
 * and iowait are the time the CPUs had nothing to run; steal, guest and
 * the rest count as busy, as top(1) does.
 */
int
sysinfo_parse_stat(const char *text, uint64_t *ret_busy, uint64_t *ret_total)
{
	unsigned long long	 v[10] = { 0 };
	uint64_t		 total = 0;
	int			 i, n;

	if (strncmp(text, "cpu ", 4) != 0)
		return (-EINVAL);
	n = sscanf(text + 4, "%llu %llu %llu %llu %llu %llu %llu %llu %llu "
	    "%llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
	    &v[8], &v[9]);
	if (n < 4)
		return (-EINVAL);
	/* guest and guest_nice are already counted in user and nice. */
	for (i = 0; i < n && i < 8; i++)
		total += v[i];
	*ret_busy = total - v[3] - v[4];
	*ret_total = total;
	return (0);
}

/* MemTotal and MemAvailable of /proc/meminfo, in bytes. */
int
sysinfo_parse_meminfo(const char *text, uint64_t *ret_total,
    uint64_t *ret_avail)
{
	const char		*p;
	unsigned long long	 total = 0, avail = 0;
	int			 found = 0;

	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p ? p + 1 : NULL) {
		if (sscanf(p, "MemTotal: %llu kB", &total) == 1)
			found |= 1;
		else if (sscanf(p, "MemAvailable: %llu kB", &avail) == 1)
			found |= 2;
	}
	if (found != 3 || avail > total)
		return (-EINVAL);
	*ret_total = (uint64_t)total * 1024;
	*ret_avail = (uint64_t)avail * 1024;
	return (0);
}

/*
 * The firmware's get_throttled file: hex digits, with or without "0x"
 * (the Raspberry Pi kernel prints them without).
 */
int
sysinfo_parse_throttled(const char *text, uint32_t *ret)
{
	char			*end;
	unsigned long		 v;

	while (*text == ' ' || *text == '\t')
		text++;
	errno = 0;
	v = strtoul(text, &end, 16);
	if (errno != 0 || end == text || v > UINT32_MAX ||
	    (*end != '\0' && *end != '\n'))
		return (-EINVAL);
	*ret = (uint32_t)v;
	return (0);
}

/*
 * Sectors written from a /sys/block/DEV/stat line (the seventh field,
 * in units of 512 bytes whatever the device's sector size).
 */
int
sysinfo_parse_blockstat(const char *text, uint64_t *ret_sectors)
{
	unsigned long long	 v[7];

	if (sscanf(text, "%llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
	    &v[2], &v[3], &v[4], &v[5], &v[6]) != 7)
		return (-EINVAL);
	*ret_sectors = v[6];
	return (0);
}

static void
read_thermal(struct sys_sample *s)
{
	char		 dir[PATH_MAX], path[PATH_MAX], type[64];
	struct dirent	*de;
	DIR		*dp;
	char		 buf[32], *end;
	long		 milli;
	struct sys_thermal *t;

	snprintf(dir, sizeof(dir), "%s/sys/class/thermal", sysinfo_root);
	if ((dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL &&
	    s->nthermal < SYSINFO_THERMAL_MAX) {
		if (strncmp(de->d_name, "thermal_zone", 12) != 0)
			continue;
		snprintf(path, sizeof(path), "/sys/class/thermal/%s/temp",
		    de->d_name);
		/* Signed: a sensor may read below zero. */
		if (read_line(path, buf, sizeof(buf)) < 0)
			continue;
		errno = 0;
		milli = strtol(buf, &end, 10);
		if (errno != 0 || end == buf || *end != '\0')
			continue;
		/* Beyond what silicon survives: a broken sensor. */
		if (milli < -60000 || milli > 200000)
			continue;
		t = &s->thermal[s->nthermal++];
		snprintf(t->zone, sizeof(t->zone), "%s", de->d_name + 12);
		snprintf(path, sizeof(path), "/sys/class/thermal/%s/type",
		    de->d_name);
		if (read_line(path, type, sizeof(type)) < 0)
			snprintf(type, sizeof(type), "thermal_zone%s", t->zone);
		copy_str(t->type, sizeof(t->type), type);
		t->celsius = (double)milli / 1000.0;
	}
	closedir(dp);
}

/*
 * The firmware driver's file sits under the SoC's platform device,
 * whose name differs between boards and kernels ("soc", "soc@107c...").
 */
static void
read_throttled(struct sys_sample *s)
{
	char	 pat[PATH_MAX], buf[32];
	glob_t	 g;
	size_t	 i, rl = strlen(sysinfo_root);

	snprintf(pat, sizeof(pat),
	    "%s/sys/devices/platform/soc*/*firmware/get_throttled",
	    sysinfo_root);
	if (glob(pat, 0, NULL, &g) != 0)
		return;
	for (i = 0; i < g.gl_pathc && !s->has_throttled; i++) {
		if (strlen(g.gl_pathv[i]) <= rl ||
		    read_small(g.gl_pathv[i] + rl, buf, sizeof(buf)) < 0)
			continue;
		if (sysinfo_parse_throttled(buf, &s->throttled) == 0)
			s->has_throttled = 1;
	}
	globfree(&g);
}

/*
 * The block device holding dir: its st_dev names /sys/dev/block/M:m,
 * which exists for disks and their partitions (each with its own stat
 * file) and not for tmpfs, overlay, NFS or btrfs's anonymous devices:
 * those stay "unknown" rather than being charged to some other disk.
 */
static void
read_disk(struct sys_sample *s, const char *dir)
{
	char		 path[PATH_MAX], link[PATH_MAX], full[PATH_MAX];
	char		 buf[256], *base;
	struct statvfs	 vfs;
	struct stat	 st;
	ssize_t		 n;

	if (dir == NULL || dir[0] == '\0')
		return;
	if (statvfs(dir, &vfs) == 0) {
		s->has_disk = 1;
		s->disk_total = (uint64_t)vfs.f_blocks * vfs.f_frsize;
		s->disk_avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	}
	if (stat(dir, &st) == -1 || major(st.st_dev) == 0)
		return;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u",
	    major(st.st_dev), minor(st.st_dev));
	snprintf(full, sizeof(full), "%s%s", sysinfo_root, path);
	if ((n = readlink(full, link, sizeof(link) - 1)) <= 0)
		return;
	link[n] = '\0';
	base = strrchr(link, '/');
	copy_str(s->disk_dev, sizeof(s->disk_dev), base ? base + 1 : link);
	if ((size_t)snprintf(full, sizeof(full), "%s/stat", path) >=
	    sizeof(full))
		return;
	if (read_small(full, buf, sizeof(buf)) < 0 ||
	    sysinfo_parse_blockstat(buf, &s->disk_sectors_written) < 0)
		return;
	s->has_written = 1;
}

/* Fill s with what the system reports now; state_dir for the disk. */
void
sysinfo_read(struct sys_sample *s, const char *state_dir)
{
	char	 buf[4096];
	double	 up;

	memset(s, 0, sizeof(*s));
	if (read_small("/proc/loadavg", buf, sizeof(buf)) >= 0 &&
	    sysinfo_parse_loadavg(buf, s->load) == 0)
		s->has_load = 1;
	if (read_small("/proc/stat", buf, sizeof(buf)) >= 0 &&
	    sysinfo_parse_stat(buf, &s->cpu_busy, &s->cpu_total) == 0)
		s->has_cpu = 1;
	if (read_small("/proc/meminfo", buf, sizeof(buf)) >= 0 &&
	    sysinfo_parse_meminfo(buf, &s->mem_total, &s->mem_avail) == 0)
		s->has_mem = 1;
	if (read_small("/proc/uptime", buf, sizeof(buf)) >= 0 &&
	    sscanf(buf, "%lf", &up) == 1 && up >= 0) {
		s->uptime = up;
		s->has_uptime = 1;
	}
	read_thermal(s);
	read_throttled(s);
	read_disk(s, state_dir);
}

static const char *const stat_names[SYSINFO_STATS] = {
	"rx_bytes", "tx_bytes", "rx_packets", "tx_packets",
	"rx_errors", "tx_errors", "rx_dropped", "tx_dropped"
};

/* One interface's link and counters from /sys/class/net/NAME. */
static void
read_iface(struct sys_iface *f)
{
	char		 path[PATH_MAX], buf[64], *end;
	uint64_t	 v;
	long		 speed;
	int		 i;

	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", f->name);
	if (read_line(path, f->operstate, sizeof(f->operstate)) < 0)
		snprintf(f->operstate, sizeof(f->operstate), "unknown");
	/* Reading carrier of a downed interface fails with EINVAL. */
	snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", f->name);
	f->carrier = read_u64(path, &v) == 0 ? (v != 0) : -1;
	/* Virtual links give EINVAL or -1: no speed to show. */
	f->speed_mbps = -1;
	snprintf(path, sizeof(path), "/sys/class/net/%s/speed", f->name);
	if (read_line(path, buf, sizeof(buf)) == 0) {
		errno = 0;
		speed = strtol(buf, &end, 10);
		if (errno == 0 && end != buf && *end == '\0' && speed > 0 &&
		    speed < 10000000)
			f->speed_mbps = (int)speed;
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/mtu", f->name);
	f->mtu = read_u64(path, &v) == 0 && v < 1000000 ? (int)v : -1;
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", f->name);
	if (read_line(path, f->mac, sizeof(f->mac)) < 0)
		f->mac[0] = '\0';
	f->has_stats = 1;
	for (i = 0; i < SYSINFO_STATS; i++) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s",
		    f->name, stat_names[i]);
		if (read_u64(path, &f->stats[i]) < 0)
			f->has_stats = 0;
	}
}

static int
iface_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct sys_iface *)a)->name,
	    ((const struct sys_iface *)b)->name));
}

/*
 * Every interface but loopback, sorted by name, at most max; returns the
 * count.  Addresses are the caller's business (sysfs has none).
 */
int
sysinfo_ifaces(struct sys_iface *out, int max)
{
	char		 dir[PATH_MAX];
	struct dirent	*de;
	DIR		*dp;
	int		 n = 0;

	snprintf(dir, sizeof(dir), "%s/sys/class/net", sysinfo_root);
	if ((dp = opendir(dir)) == NULL)
		return (0);
	while ((de = readdir(dp)) != NULL && n < max) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "lo") == 0 ||
		    strlen(de->d_name) >= sizeof(out[n].name) ||
		    strchr(de->d_name, '/') != NULL)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].name, sizeof(out[n].name), "%s", de->d_name);
		read_iface(&out[n]);
		n++;
	}
	closedir(dp);
	qsort(out, n, sizeof(*out), iface_cmp);
	return (n);
}

/*
 * The default routes of /proc/net/route: each line is "Iface Destination
 * Gateway Flags ...", the addresses as the kernel's raw 32-bit value in
 * hex, so assigning it back to s_addr gives the address on any byte
 * order.  Returns the count.
 */
int
sysinfo_gateways(struct sys_gw *out, int max)
{
	char		 buf[8192], ifname[IF_NAMESIZE + 1], *line, *next;
	unsigned int	 dst, gw, flags;
	int		 n = 0;

	if (read_small("/proc/net/route", buf, sizeof(buf)) < 0)
		return (0);
	for (line = buf; line != NULL && n < max; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (sscanf(line, "%16s %x %x %x", ifname, &dst, &gw,
		    &flags) != 4 || dst != 0 || (flags & 0x2) == 0 ||
		    strlen(ifname) >= IF_NAMESIZE)
			continue;		/* 0x2: RTF_GATEWAY */
		copy_str(out[n].ifname, sizeof(out[n].ifname), ifname);
		out[n].gw.s_addr = gw;
		n++;
	}
	return (n);
}

/* The throttling bits in words, for logs and homegwctl. */
const char *
sysinfo_throttled_bit(int bit)
{
	switch (bit) {
	case 0:
		return ("under-voltage now");
	case 1:
		return ("frequency capped now");
	case 2:
		return ("throttled now");
	case 3:
		return ("soft temperature limit now");
	case 16:
		return ("under-voltage since boot");
	case 17:
		return ("frequency capped since boot");
	case 18:
		return ("throttled since boot");
	case 19:
		return ("soft temperature limit since boot");
	default:
		return (NULL);
	}
}
