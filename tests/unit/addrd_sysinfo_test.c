/*
 * SPDX-License-Identifier: ISC
 *
 * addrd_sysinfo_test.c: addrd's readers of /proc and /sys (sysinfo.c)
 * over a fake root of fixture files built here: a Raspberry Pi with a
 * thermal zone, the firmware's throttling flags and a network interface,
 * then hostile and missing files, which must leave figures absent rather
 * than invented.  Also the parsers alone, table-driven.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addrd.h"
#include "../tap.h"

static char	 root[256];

static void
put(const char *rel, const char *text)
{
	char	 path[PATH_MAX], *p;
	FILE	*f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, rel) >=
	    sizeof(path))
		exit(1);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(path, 0755);
		*p = '/';
	}
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void
test_parsers(void)
{
	double		 l[3];
	uint64_t	 a, b;
	uint32_t	 t;

	CHECK(sysinfo_parse_loadavg("0.52 0.31 0.20 1/123 4567\n", l) == 0 &&
	    l[0] == 0.52 && l[2] == 0.20);
	CHECK(sysinfo_parse_loadavg("garbage", l) == -EINVAL);
	CHECK(sysinfo_parse_loadavg("-1 0 0", l) == -EINVAL);
	CHECK(sysinfo_parse_stat("cpu  100 5 50 800 20 3 2 10 7 0\n"
	    "cpu0 1 2 3 4\n", &a, &b) == 0);
	/* guest (7) is inside user already: total = 100+5+50+800+20+3+2+10 */
	CHECK(b == 990 && a == 990 - 800 - 20);
	CHECK(sysinfo_parse_stat("intr 1 2 3", &a, &b) == -EINVAL);
	CHECK(sysinfo_parse_stat("cpu  1 2", &a, &b) == -EINVAL);
	CHECK(sysinfo_parse_meminfo("MemTotal:        3884028 kB\n"
	    "MemFree:          123 kB\nMemAvailable:    2000000 kB\n", &a,
	    &b) == 0 && a == 3884028ULL * 1024 && b == 2000000ULL * 1024);
	CHECK(sysinfo_parse_meminfo("MemTotal: 10 kB\n", &a, &b) == -EINVAL);
	CHECK(sysinfo_parse_meminfo("MemTotal: 10 kB\nMemAvailable: 20 kB\n",
	    &a, &b) == -EINVAL);
	CHECK(sysinfo_parse_throttled("50005\n", &t) == 0 && t == 0x50005);
	CHECK(sysinfo_parse_throttled("0x80008", &t) == 0 && t == 0x80008);
	CHECK(sysinfo_parse_throttled("0\n", &t) == 0 && t == 0);
	CHECK(sysinfo_parse_throttled("zz", &t) == -EINVAL);
	CHECK(sysinfo_parse_throttled("5 junk", &t) == -EINVAL);
	CHECK(sysinfo_parse_throttled("123456789", &t) == -EINVAL);
	CHECK(sysinfo_parse_blockstat("  100 2 300 4 500 6 7000 8 0 9 10\n",
	    &a) == 0 && a == 7000);
	CHECK(sysinfo_parse_blockstat("1 2 3", &a) == -EINVAL);
	CHECK_STREQ(sysinfo_throttled_bit(0), "under-voltage now");
	CHECK_STREQ(sysinfo_throttled_bit(16), "under-voltage since boot");
	CHECK(sysinfo_throttled_bit(5) == NULL);
}

/* A Raspberry Pi as its /proc and /sys look. */
static void
test_pi(void)
{
	struct sys_sample	 s;
	struct sys_iface	 f[4];
	struct sys_gw		 g[2];
	int			 n;

	put("proc/loadavg", "0.10 0.20 0.30 1/100 200\n");
	put("proc/stat", "cpu  10 0 10 80 0 0 0 0 0 0\n");
	put("proc/meminfo", "MemTotal: 1000 kB\nMemAvailable: 400 kB\n");
	put("proc/uptime", "12345.67 40000.00\n");
	put("sys/class/thermal/thermal_zone0/temp", "48312\n");
	put("sys/class/thermal/thermal_zone0/type", "cpu-thermal\n");
	put("sys/class/thermal/thermal_zone1/temp", "not a number\n");
	put("sys/class/thermal/thermal_zone2/temp", "999999\n");
	put("sys/devices/platform/soc/soc:firmware/get_throttled", "50005\n");
	put("sys/class/net/eth0/operstate", "up\n");
	put("sys/class/net/eth0/carrier", "1\n");
	put("sys/class/net/eth0/speed", "1000\n");
	put("sys/class/net/eth0/mtu", "1500\n");
	put("sys/class/net/eth0/address", "dc:a6:32:01:02:03\n");
	put("sys/class/net/eth0/statistics/rx_bytes", "123456\n");
	put("sys/class/net/eth0/statistics/tx_bytes", "654321\n");
	put("sys/class/net/eth0/statistics/rx_packets", "10\n");
	put("sys/class/net/eth0/statistics/tx_packets", "20\n");
	put("sys/class/net/eth0/statistics/rx_errors", "1\n");
	put("sys/class/net/eth0/statistics/tx_errors", "2\n");
	put("sys/class/net/eth0/statistics/rx_dropped", "3\n");
	put("sys/class/net/eth0/statistics/tx_dropped", "4\n");
	/* A virtual link: no speed, carrier unreadable, a counter broken. */
	put("sys/class/net/veth0/operstate", "down\n");
	put("sys/class/net/veth0/speed", "-1\n");
	put("sys/class/net/veth0/statistics/rx_bytes", "-5\n");
	put("sys/class/net/lo/operstate", "unknown\n");
	put("proc/net/route", "Iface\tDestination\tGateway\tFlags\tRefCnt\t"
	    "Use\tMetric\tMask\n"
	    "eth1\t00000000\t017100CB\t0003\t0\t0\t0\t00000000\n"
	    "eth0\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n");

	sysinfo_root = root;
	sysinfo_read(&s, NULL);
	CHECK(s.has_load && s.load[0] == 0.10 && s.load[2] == 0.30);
	CHECK(s.has_cpu && s.cpu_total == 100 && s.cpu_busy == 20);
	CHECK(s.has_mem && s.mem_total == 1024000 && s.mem_avail == 409600);
	CHECK(s.has_uptime && s.uptime > 12345 && s.uptime < 12346);
	CHECK_MSG(s.nthermal == 1, "one sane thermal zone of three");
	CHECK_STREQ(s.thermal[0].type, "cpu-thermal");
	CHECK(s.thermal[0].celsius > 48.3 && s.thermal[0].celsius < 48.32);
	CHECK(s.has_throttled && s.throttled == 0x50005);
	CHECK_MSG(!s.has_disk && !s.has_written, "no state_dir, no disk");

	n = sysinfo_ifaces(f, 4);
	CHECK_MSG(n == 2, "eth0 and veth0, not lo");
	CHECK_STREQ(f[0].name, "eth0");
	CHECK_STREQ(f[0].operstate, "up");
	CHECK(f[0].carrier == 1 && f[0].speed_mbps == 1000 && f[0].mtu == 1500);
	CHECK_STREQ(f[0].mac, "dc:a6:32:01:02:03");
	CHECK(f[0].has_stats && f[0].stats[0] == 123456 &&
	    f[0].stats[1] == 654321 && f[0].stats[7] == 4);
	CHECK_STREQ(f[1].name, "veth0");
	CHECK(f[1].carrier == -1 && f[1].speed_mbps == -1 && f[1].mtu == -1);
	CHECK_MSG(!f[1].has_stats, "a broken counter: no counters at all");

	n = sysinfo_gateways(g, 2);
	CHECK(n == 1);
	CHECK_STREQ(g[0].ifname, "eth1");
	CHECK(n == 1 && memcmp(&g[0].gw.s_addr, "\xcb\x00\x71\x01", 4) == 0);
}

/* Nothing there at all: every figure absent. */
static void
test_empty(void)
{
	char			 empty[PATH_MAX];
	struct sys_sample	 s;
	struct sys_iface	 f[2];
	struct sys_gw		 g[2];

	snprintf(empty, sizeof(empty), "%s/empty", root);
	(void)mkdir(empty, 0755);
	sysinfo_root = empty;
	sysinfo_read(&s, NULL);
	CHECK(!s.has_load && !s.has_cpu && !s.has_mem && !s.has_uptime &&
	    s.nthermal == 0 && !s.has_throttled);
	CHECK(sysinfo_ifaces(f, 2) == 0);
	CHECK(sysinfo_gateways(g, 2) == 0);
	/* A real directory: statvfs works; the real root's /sys is used. */
	sysinfo_root = "";
	sysinfo_read(&s, root);
	CHECK(s.has_disk && s.disk_total > 0 && s.disk_avail <= s.disk_total);
}

int
main(void)
{
	char	 cmd[sizeof(root) + 16];
	char	 tmpl[] = "/tmp/hgw-sysinfo.XXXXXX";

	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	snprintf(root, sizeof(root), "%s", tmpl);
	test_parsers();
	test_pi();
	test_empty();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		TAP_NOTE("could not remove %s", root);
	return (tap_done());
}
