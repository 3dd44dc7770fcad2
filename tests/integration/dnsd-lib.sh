# SPDX-License-Identifier: ISC
#
# tests/integration/dnsd-lib.sh: helpers shared by the dnsd-*.test
# scripts (sourced after tests/lib.sh and tests/lab/lab.sh).

# q ARGS...: dig from lan1 at the gateway, bounded.
q()
{
	lab_lan1 dig @192.168.50.1 +time=3 +tries=1 "$@"
}

# ttl_of NAME TYPE: the TTL of the first answer record, empty if none.
ttl_of()
{
	q "$1" "$2" +noall +answer | awk 'NR == 1 { print $2 }'
}

# status_of ARGS...: the rcode dig reports.
status_of()
{
	q "$@" +noall +comments | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'
}

# metric NAME: a dnsd counter from live.db (written about once a second).
metric()
{
	sqlite3 "$LAB_DIR/run/live.db" "SELECT CAST(value AS INTEGER) FROM \
	    metrics WHERE daemon = 'dnsd' AND name = '$1'" 2>/dev/null
}

# metric_at_least NAME N
metric_at_least()
{
	_m=$(metric "$1")
	[ -n "$_m" ] && [ "$_m" -ge "$2" ]
}

# dnsd_up: start dnsd and wait until it answers a local name.
dnsd_up()
{
	lab_daemon dnsd "$@" || return 1
	wait_for 10 sh -c "ip netns exec $LAB_NS_LAN1 dig @192.168.50.1 \
	    +time=1 +tries=1 +short gw.home.arpa | grep -q 192.168.50.1"
}

# capture_start: log every DNS query arriving in the wan namespace.
capture_start()
{
	lab_spawn wan tcpdump tcpdump -n -l -i eth0 udp dst port 53 or \
	    tcp dst port 53
	wait_for 10 grep -q "listening on" "$LAB_DIR/tcpdump.log"
}

# upstream_count NAME: queries for NAME the wan side has seen.
upstream_count()
{
	grep -c "? $1\. " "$LAB_DIR/tcpdump.log"
}
