#!/bin/sh
# SPDX-License-Identifier: ISC
#
# bench/quick-check.sh: what addrd's PRAGMA quick_check of homegw.db costs
# (it runs at start, every hour and after SIGHUP, on addrd's loop), on a
# homegw.db as big as the defaults let it grow: the query log at its cap
# (100,000 rows with its indexes), 10,000 stations, 200,000 traffic
# history rows.  The file is made with the daemons' own schema (the webd
# test fixture opens it through state_open()), then filled with sqlite3.
# Prints the file's size, the median of 5 quick_check runs with the file
# in the page cache, integrity_check once for comparison, and the ratio of
# quick_check's time to the 1 s budget allowed for a stall of addrd's
# loop once an hour (a Pi reading its SD card is several times slower
# than a desktop: keep the ratio well under 1 here).
#
# usage: bench/quick-check.sh [BUILD_DIR]   (BUILD_DIR holds
#        tests/web/webd-fixture: make check builds it; default build-test/)
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build-test}
FIXTURE=$BUILD/tests/web/webd-fixture

for p in sqlite3 python3; do
	command -v $p >/dev/null 2>&1 || {
		echo "bench/quick-check.sh: $p missing (scripts/install-deps)" >&2
		exit 1
	}
done
if [ ! -x "$FIXTURE" ]; then
	echo "bench/quick-check.sh: no $FIXTURE (run make check in $BUILD)" >&2
	exit 1
fi
DIR=$(mktemp -d /tmp/hgw-qc.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
mkdir -p "$DIR/run" "$DIR/state"
"$FIXTURE" "$DIR/run" "$DIR/state" 100 >/dev/null || exit 1
DB=$DIR/state/homegw.db
sqlite3 "$DB" >/dev/null <<'EOF'
DELETE FROM dns_log;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)
INSERT INTO dns_log (time_ms, client, name, qtype, rcode, source, upstream,
    latency_us)
SELECT 1700000000000 + x * 25, '192.168.1.' || (x % 40),
    'host' || (abs(random()) % 3000) || '.example' || (x % 50) || '.com', 1, 0,
    'upstream', '9.9.9.9:53', 12000 FROM c;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000)
INSERT OR IGNORE INTO stations (mac, address, ifname, first_seen, last_seen)
SELECT printf('02:00:00:%02x:%02x:%02x', x / 65536, (x / 256) % 256, x % 256),
    '10.0.' || (x / 256) || '.' || (x % 256), 'br-lan', 1700000000,
    1700000000 + x FROM c;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000)
INSERT OR IGNORE INTO traffic_history (time, host, bytes_out, bytes_in,
    packets, connections)
SELECT 1700000000 + (x / 40) * 300, '192.168.1.' || (x % 40), x * 1000,
    x * 2000, x * 3, 10 FROM c;
PRAGMA wal_checkpoint(TRUNCATE);
EOF
# seconds SQL: the wall time of one sqlite3 run of SQL on the file.
seconds()
{
	python3 - "$DB" "$1" <<'EOF'
import subprocess, sys, time
t = time.monotonic()
out = subprocess.run(["sqlite3", sys.argv[1], sys.argv[2]],
    capture_output=True, text=True).stdout.strip()
if out != "ok":
    sys.exit("not ok: " + out[:200])
print("%.3f" % (time.monotonic() - t))
EOF
}
size=$(stat -c %s "$DB")
seconds "PRAGMA quick_check" >/dev/null	# into the page cache
runs=$(for i in 1 2 3 4 5; do seconds "PRAGMA quick_check"; done | sort -n)
median=$(echo "$runs" | sed -n 3p)
full=$(seconds "PRAGMA integrity_check")
echo "homegw.db: $((size / 1048576)) MB ($size bytes)"
echo "quick_check: median $median s of 5 ($(echo $runs | tr '\n' ' '))"
echo "integrity_check: $full s"
python3 -c 'import sys
print("ratio to the 1 s budget: %.2f" % (float(sys.argv[1]) / 1.0))' "$median"
