#!/bin/sh
# SPDX-License-Identifier: ISC
#
# bench/webd-metrics.sh: what a Prometheus scrape of /metrics costs
# homegw-webd, over the fixture's databases (50,000 flows in live.db and
# the rest; tests/web/webd-env.sh), on 127.0.0.1.  A client keeps one
# HTTPS connection open, as Prometheus does, and makes COUNT (default
# 500) scrapes, then as many GET /api/v1/session for comparison (the
# cheapest answer webd gives).  Prints webd's CPU time (utime + stime
# from /proc) per request for both, and their ratio.  The budget is 5 ms
# of webd's CPU per scrape on the Pi.  Build without sanitizers for
# meaningful figures:
#	HGW_BUILD=/path/to/plain/build sh bench/webd-metrics.sh
set -u
HGW_SRC=${HGW_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
HGW_BUILD=${HGW_BUILD:-$HGW_SRC/build}
export HGW_SRC HGW_BUILD
. "$HGW_SRC/tests/lib.sh"
. "$HGW_SRC/tests/web/webd-env.sh"
COUNT=${COUNT:-500}
TOKEN=bench-token-0123456789abcdef

trap webd_env_down EXIT
trap 'exit 1' INT TERM
webd_env_up "metrics_token = $TOKEN" >/dev/null 2>&1 || {
	echo "webd-metrics: webd did not start" >&2
	exit 1
}
hz=$(getconf CLK_TCK)
cpu_ticks()
{
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# run PATH: COUNT requests on one connection; prints webd's CPU ms each.
run()
{
	t0=$(cpu_ticks "$WEBD_PID")
	python3 - "$WEBD_PORT" "$WEBD_CA" "$1" "$COUNT" "$TOKEN" <<'PY' || return 1
import http.client, ssl, sys
port, ca, path, n, token = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
ctx = ssl.create_default_context(cafile=ca)
c = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx)
size = 0
for i in range(n):
    c.request("GET", path, headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit("%s: HTTP %d" % (path, r.status))
    size = len(body)
print("# %s: %d bytes" % (path, size), file=sys.stderr)
PY
	t1=$(cpu_ticks "$WEBD_PID")
	echo "$t0 $t1 $hz $COUNT" | awk '{ printf "%.3f\n",
	    ($2 - $1) * 1000 / $3 / $4 }'
}

flows=$(sqlite3 -readonly "$WEBD_DIR/run/live.db" "SELECT count(*) FROM conntrack" 2>/dev/null)
m=$(run /metrics) || exit 1
s=$(run /api/v1/session) || exit 1
echo "flows in live.db:              ${flows:-?}"
echo "webd CPU per /metrics scrape:  $m ms"
echo "webd CPU per /api/v1/session:  $s ms"
echo "$m $s" | awk '{ if ($2 > 0) printf "ratio scrape/session:          %.1f\n", $1 / $2;
    else print "ratio scrape/session:          (session below the clock tick)" }'
echo "$m" | awk '{ exit !($1 < 5) }' && echo "within the 5 ms budget" ||
    echo "OVER the 5 ms budget"
