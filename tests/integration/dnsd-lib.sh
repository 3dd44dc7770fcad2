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
	# Case-blind: questions go upstream in mixed case (0x20).
	grep -ci "? $1\. " "$LAB_DIR/tcpdump.log"
}

# _sec_zone ORIGIN: a small zone to sign: a plain name, a CNAME, a
# wildcard, an MX, an empty non-terminal and, for the opt-out zone, an
# unsigned delegation.
_sec_zone()
{
	cat <<EOF2
\$ORIGIN $1.
\$TTL 300
@	IN SOA	ns1 hostmaster 1 3600 600 86400 60
@	IN NS	ns1
@	IN MX	10 www
ns1	IN A	203.0.113.1
www	IN A	203.0.113.10
www	IN AAAA	2001:db8::10
alias	IN CNAME www
*.wild	IN A	203.0.113.11
wcname	IN CNAME x.wild
leaf.ent	IN A	203.0.113.12
insecure	IN NS	ns.insecure
ns.insecure	IN A	203.0.113.13
EOF2
}

# signed_up PORT: a second nsd in the wan namespace on 203.0.113.1:PORT
# serving sec.test (signed, NSEC), n3.test (signed, NSEC3 with opt-out)
# and example.test (the lab zone, unsigned).  Leaves the two key-signing
# keys, as unbound trust anchors, in $LAB_DIR/sec/anchors.
signed_up()
{
	_su_d=$LAB_DIR/sec
	mkdir -p "$_su_d" || return 1
	_lab_zone >"$_su_d/example.test.zone"
	: >"$_su_d/anchors"
	# Signatures valid from yesterday, so clock skew cannot matter.
	_su_from=$(date -u -d yesterday +%Y%m%d)
	_su_to=$(date -u -d '+30 days' +%Y%m%d)
	for _su_z in sec.test n3.test; do
		_sec_zone "$_su_z" >"$_su_d/$_su_z.zone"
		(
			cd "$_su_d" || exit 1
			k=$(ldns-keygen -a ECDSAP256SHA256 -k "$_su_z") &&
			z=$(ldns-keygen -a ECDSAP256SHA256 "$_su_z") &&
			cat "$k.key" >>anchors &&
			if [ "$_su_z" = n3.test ]; then
				ldns-signzone -n -p -s abcd -t 1 \
				    -i "$_su_from" -e "$_su_to" \
				    -f "$_su_z.zone.signed" "$_su_z.zone" "$k" "$z"
			else
				ldns-signzone -i "$_su_from" -e "$_su_to" \
				    -f "$_su_z.zone.signed" "$_su_z.zone" "$k" "$z"
			fi
		) || return 1
	done
	cat >"$_su_d/nsd.conf" <<EOF2
server:
	ip-address: $LAB_WAN@$1
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$_su_d"
	database: ""
	pidfile: "$_su_d/nsd.pid"
	xfrdfile: "$_su_d/xfrd.state"
	xfrdir: "$_su_d"
	zonelistfile: "$_su_d/zone.list"
	logfile: "$_su_d/nsd.log"
	server-count: 1
	verbosity: 1
	hide-version: yes
	refuse-any: no
	# No NS in the authority section of answers, as knotd sends them:
	# a wildcard's proof then has no SOA or NS beside it.
	minimal-responses: yes
remote-control:
	control-enable: no
zone:
	name: example.test
	zonefile: example.test.zone
zone:
	name: sec.test
	zonefile: sec.test.zone.signed
zone:
	name: n3.test
	zonefile: n3.test.zone.signed
EOF2
	lab_spawn wan nsd-sec nsd -d -c "$_su_d/nsd.conf"
	wait_for 10 sh -c "ip netns exec $LAB_NS_WAN dig +short +time=1 \
	    +tries=1 @$LAB_WAN -p $1 www.sec.test A | grep -q 203.0.113.10"
}

# validator_up NS NAME PORT FORWARDER[@PORT]: a validating unbound in
# namespace NS (lan1 or wan) on 127.0.0.1:PORT forwarding everything to
# FORWARDER, with the test zones' keys as trust anchors.
validator_up()
{
	_vu_d=$LAB_DIR/$2
	mkdir -p "$_vu_d" || return 1
	cat >"$_vu_d/unbound.conf" <<EOF2
server:
	interface: 127.0.0.1@$3
	port: $3
	do-ip6: no
	username: ""
	chroot: ""
	directory: "$_vu_d"
	pidfile: ""
	use-syslog: no
	logfile: ""
	verbosity: 1
	val-log-level: 2
	module-config: "validator iterator"
	trust-anchor-file: "$LAB_DIR/sec/anchors"
	do-not-query-localhost: no
	qname-minimisation: no
	aggressive-nsec: no
	# test. is one of the special-use names unbound answers itself.
	local-zone: "test." nodefault
remote-control:
	control-enable: no
forward-zone:
	name: "."
	forward-addr: $4
EOF2
	lab_spawn "$1" "$2" unbound -d -p -c "$_vu_d/unbound.conf"
	wait_for 10 sh -c "ip netns exec $(_lab_ns "$1") dig +time=1 \
	    +tries=1 @127.0.0.1 -p $3 www.sec.test A | grep -q 'status:'"
}

# forwarder_up ADDR PORT UPSTREAM@PORT: unbound in the gateway namespace
# on ADDR:PORT as a pure forwarder (no validation) to UPSTREAM, LAN
# clients allowed: the reference dnsd is compared with.
forwarder_up()
{
	_fu_d=$LAB_DIR/forwarder
	mkdir -p "$_fu_d" || return 1
	cat >"$_fu_d/unbound.conf" <<EOF2
server:
	interface: $1@$2
	port: $2
	do-ip6: no
	username: ""
	chroot: ""
	directory: "$_fu_d"
	pidfile: ""
	use-syslog: no
	logfile: ""
	verbosity: 1
	access-control: 192.168.50.0/24 allow
	module-config: "iterator"
	do-not-query-localhost: no
	qname-minimisation: no
	minimal-responses: yes
	local-zone: "test." nodefault
remote-control:
	control-enable: no
forward-zone:
	name: "."
	forward-addr: $3
EOF2
	lab_spawn gw forwarder unbound -d -p -c "$_fu_d/unbound.conf"
	wait_for 10 sh -c "ip netns exec $LAB_NS_LAN1 dig +time=1 +tries=1 \
	    @$1 -p $2 www.example.test A | grep -q 'status: NOERROR'"
}
